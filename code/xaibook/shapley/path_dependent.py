"""Path-dependent TreeSHAP and SHAP interaction values, written from scratch.

The value function of ``shap.TreeExplainer`` without background data
(``feature_perturbation="tree_path_dependent"``): the trees' expected output given ``x_S``,
estimated from how many training rows went down each branch (the node covers); Lundberg, Erion &
Lee (2018) and Lundberg et al. (2020), Algorithm 1 (EXPVALUE). :func:`path_dependent_shap` gives
its Shapley values, :func:`path_dependent_interactions` its SHAP interaction values (Lundberg et
al. 2020, after the Shapley interaction index of Grabisch & Roubens 1999).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_fitted_model, check_frame, check_model_input, check_one_row
from xaibook.pipeline import feature_groups, split_model, transform
from xaibook.predict import prediction_function
from xaibook.shapley.exact import _shapley_weights
from xaibook.shapley.result import ShapleyInteractions, ShapleyResult
from xaibook.shapley.tree import _check_scale

__all__ = ["path_dependent_value", "path_dependent_shap", "path_dependent_interactions"]


@dataclass(frozen=True)
class _TreePart:
    """One tree of a model: its scikit-learn ``tree_``, its node values and its weight in the sum."""

    tree: Any
    node_value: np.ndarray       # the tree's output at every node (its leaf values are used)
    weight: float                # the model's output is offset + sum of weight * tree output


def _tree_parts(model: Any, scale: str) -> tuple[Any, list[_TreePart], float, list[str], bool]:
    """``(preprocess, trees, offset, column names, classifier)`` of a fitted tree model or pipeline.

    A decision tree or forest outputs the (mean) leaf value, on the probability scale for a
    classifier; gradient boosting adds ``learning_rate`` times its trees' leaf values to an
    initial log-odds, so it is additive over trees on the log-odds scale only.
    """
    check_fitted_model(model)
    preprocess, estimator = split_model(model)
    classifier = _check_scale(scale, estimator)
    if classifier and len(getattr(estimator, "classes_", [])) != 2:
        raise ValueError(f"path-dependent TreeSHAP here explains binary classifiers (P(class 1)); "
                         f"{type(estimator).__name__} has {len(estimator.classes_)} classes")
    boosting = type(estimator).__name__.startswith("GradientBoosting")

    def leaf_output(tree: Any) -> np.ndarray:
        value = tree.value[:, 0, :]
        if classifier and not boosting:          # class counts or fractions: P(class 1) at each node
            return value[:, 1] / value.sum(axis=1)
        return value[:, 0].astype(float)

    if hasattr(estimator, "tree_"):
        parts, offset = [_TreePart(estimator.tree_, leaf_output(estimator.tree_), 1.0)], 0.0
        if scale == "log-odds":
            raise ValueError("scale='log-odds' is available for gradient boosting only; a tree outputs "
                             "probabilities, so explain scale='probability'")
    elif boosting:
        if classifier and scale == "probability":
            raise ValueError("gradient boosting adds its trees on the log-odds scale; path-dependent TreeSHAP "
                             "is exact there only: use scale='log-odds' (shap's TreeExplainer without a "
                             "background refuses probabilities too)")
        trees = [t.tree_ for t in np.ravel(estimator.estimators_)]
        parts = [_TreePart(t, leaf_output(t), float(estimator.learning_rate)) for t in trees]
        offset = None                            # read from the model below
    elif hasattr(estimator, "estimators_"):
        if scale == "log-odds":
            raise ValueError(f"scale='log-odds' is available for gradient boosting only; "
                             f"{type(estimator).__name__} averages probabilities, so explain scale='probability'")
        trees = [t.tree_ for t in estimator.estimators_]
        parts, offset = [_TreePart(t, leaf_output(t), 1.0 / len(trees)) for t in trees], 0.0
    else:
        raise TypeError(f"path-dependent TreeSHAP needs a tree model, got {type(estimator).__name__}")
    n_in = parts[0].tree.n_features
    if preprocess is not None:
        names = [str(c) for c in preprocess.get_feature_names_out()]
    else:
        names = [str(c) for c in getattr(estimator, "feature_names_in_", range(n_in))]
    if offset is None:                           # boosting: the initial log-odds (or mean) of the model
        zero = np.zeros((1, n_in))
        sums = sum(p.weight * p.node_value[p.tree.apply(zero.astype(np.float32))[0]] for p in parts)
        if hasattr(estimator, "feature_names_in_"):      # fitted on a DataFrame: call it with one
            zero = pd.DataFrame(zero, columns=estimator.feature_names_in_)
        raw = estimator.decision_function(zero) if classifier else estimator.predict(zero)
        offset = float(np.ravel(raw)[0] - sums)
    return preprocess, parts, offset, names, classifier


def _goes_left(tree: Any, node: int, xt: np.ndarray) -> np.ndarray:
    """Does ``xt`` (rows as the tree sees them) go left at ``node``? scikit-learn compares float32 inputs."""
    column = np.asarray(xt, dtype=np.float32)[..., tree.feature[node]].astype(np.float64)
    return column <= tree.threshold[node]


def path_dependent_value(model: Any, x: pd.DataFrame, coalition: Sequence[str], *,
                         scale: str = "probability") -> float:
    """``v(S)`` of path-dependent TreeSHAP for one row: Algorithm 1 (EXPVALUE) of Lundberg et al. (2018, 2020).

    Walk down every tree from the root. At a split on a feature in ``S`` follow ``x``'s branch;
    at a split on a feature outside ``S`` take both branches and weigh each by the share of the
    training rows that went that way (its *cover*). A leaf returns its value. ``v(empty)`` is then
    the covers' average of the leaves, ``v(all)`` the prediction. ``coalition`` names the columns
    the trees see (for a pipeline: its output columns, e.g. ``"thal=normal"``).
    """
    x = check_one_row(x, model)
    preprocess, parts, offset, names, _ = _tree_parts(model, scale)
    if isinstance(coalition, str):
        coalition = [coalition]
    unknown = sorted(set(coalition) - set(names))
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown} in coalition; the trees see {names}")
    xt = transform(preprocess, x)[0]
    known = {names.index(c) for c in coalition}

    def expected(part: _TreePart, node: int) -> float:
        tree = part.tree
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:                                         # a leaf
            return float(part.node_value[node])
        if tree.feature[node] in known:                        # follow x
            return expected(part, left if _goes_left(tree, node, xt) else right)
        cover = tree.weighted_n_node_samples                   # both branches, weighted by cover
        return (cover[left] * expected(part, left) + cover[right] * expected(part, right)) / cover[node]

    return offset + sum(part.weight * expected(part, 0) for part in parts)


def _leaf_paths(part: _TreePart, xt: np.ndarray) -> list[tuple[float, dict]]:
    """For each leaf: its value and, per player on its path, ``(a, r)``: ``a`` (one per row) is 1
    when the row follows the path at every split on that player, ``r`` the product of the cover
    shares of those splits. The leaf adds ``value * prod over players (a if in S else r)`` to v(S)."""
    tree = part.tree
    cover = tree.weighted_n_node_samples
    leaves: list[tuple[float, dict]] = []
    stack: list[tuple[int, dict]] = [(0, {})]
    while stack:
        node, on_path = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            leaves.append((float(part.node_value[node]), on_path))
            continue
        player = int(tree.feature[node])
        went_left = _goes_left(tree, node, xt)
        for child, follows in ((left, went_left), (right, ~went_left)):
            a, r = on_path.get(player, (np.ones(len(xt)), 1.0))
            stack.append((child, {**on_path, player: (a * follows, r * cover[child] / cover[node])}))
    return leaves


def _subset_sums(a: np.ndarray, r: np.ndarray, leave_out: np.ndarray) -> np.ndarray:
    """For each set ``L`` of players left out (a boolean row of ``leave_out``), the coefficients
    ``e[L, k]`` of ``prod over the other players p of (r_p + a_p z)``: the sum over their size-k
    subsets T of ``prod_T a * prod_rest r``, per explained row. ``a`` is (D, n), ``r`` (D,)."""
    e = np.zeros((len(leave_out), a.shape[0] + 1, a.shape[1]))
    e[:, 0] = 1.0
    for p in range(a.shape[0]):                              # multiply in (r_p + a_p z)
        times = e * r[p]
        times[:, 1:] += e[:, :-1] * a[p]
        keep = leave_out[:, p]
        e = np.where(keep[:, None, None], e, times)
    return e


@functools.lru_cache(maxsize=64)
def _subset_weights(d: int, left_out: int) -> np.ndarray:
    """Shapley weights ``k! (D-k-1)! / D!`` (one left out) or interaction weights
    ``k! (D-k-2)! / (2 (D-1)!)`` (two left out) for ``k`` other members, padded to ``D + 1``."""
    w = np.zeros(d + 1)
    if left_out == 1:
        w[:d] = _shapley_weights(d)
        return w
    for k in range(d - 1):
        w[k] = math.factorial(k) * math.factorial(d - k - 2) / (2 * math.factorial(d - 1))
    return w


def _path_dependent_arrays(parts: list[_TreePart], xt: np.ndarray, n_players: int,
                           interactions: bool) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Shapley values (and interaction values) of the path-dependent game, leaf by leaf.

    The game is a sum over leaves of product games ``v_l(S) = V_l prod_{d on path} (a_d if d in S
    else r_d)``; its ``D`` path players are its only non-dummies, and for a product game
    ``phi_j = V_l (a_j - r_j) sum_k k! (D-k-1)! / D! * e_k(others)`` with ``e_k`` from
    :func:`_subset_sums`, and ``Phi_ij = V_l (a_i - r_i)(a_j - r_j) sum_k k! (D-k-2)! / (2 (D-1)!)
    * e_k(others but i, j)``: polynomial in the depth, like Lundberg et al.'s Algorithm 2.
    """
    n = len(xt)
    phi = np.zeros((n, n_players))
    inter = np.zeros((n, n_players, n_players)) if interactions else None
    base = 0.0
    for part in parts:
        for value, on_path in _leaf_paths(part, xt):
            players = np.array(list(on_path))
            d = len(players)
            a = np.array([on_path[p][0] for p in players])           # (D, n)
            r = np.array([on_path[p][1] for p in players])           # (D,)
            scale = part.weight * value
            base += scale * float(np.prod(r))
            if scale == 0.0 or d == 0:                               # a zero leaf adds nothing
                continue
            gain = scale * (a - r[:, None])                          # (D, n): V (a_j - r_j)
            e = _subset_sums(a, r, np.eye(d, dtype=bool))            # (D, D + 1, n)
            phi[:, players] += (gain * np.einsum("k,jkn->jn", _subset_weights(d, 1), e)).T
            if interactions and d > 1:
                i, j = np.triu_indices(d, 1)
                leave = np.zeros((len(i), d), dtype=bool)
                leave[np.arange(len(i)), i] = leave[np.arange(len(i)), j] = True
                e2 = _subset_sums(a, r, leave)
                both = (gain[i] * (a[j] - r[j, None]) * np.einsum("k,pkn->pn", _subset_weights(d, 2), e2)).T
                np.add.at(inter, (slice(None), players[i], players[j]), both)
                np.add.at(inter, (slice(None), players[j], players[i]), both)
    if interactions:
        idx = np.arange(n_players)
        inter[:, idx, idx] = phi - inter.sum(axis=2)        # main effects: each row adds up to phi
    return phi, inter, base


def _path_dependent_setup(model: Any, X: pd.DataFrame, scale: str):
    X = check_frame(X, name="X")
    preprocess, parts, offset, names, classifier = _tree_parts(model, scale)
    check_model_input(model, X, name="X")
    if preprocess is None and getattr(model, "feature_names_in_", None) is None:
        # fitted on an array: the model reads columns by position, so X's names are the features'
        if len(names) != X.shape[1]:
            raise ValueError(f"model was fitted on an array of {len(names)} columns but X has {X.shape[1]}; "
                             "pass X with the training columns in the training order")
        names = [str(c) for c in X.columns]
    xt = transform(preprocess, X)
    prediction = prediction_function(model, scale=scale)(X)
    output = scale if classifier else "model output"
    return preprocess, xt, parts, offset, names, prediction, output


def _group_matrix(preprocess: Any, X: pd.DataFrame, names: list[str], aggregate: bool):
    """``(G, names, data)``: ``values @ G`` sums each raw feature's columns when aggregating."""
    if preprocess is None or not aggregate:
        data = X if preprocess is None else pd.DataFrame(transform(preprocess, X), columns=names, index=X.index)
        return np.eye(len(names)), names, data
    groups = feature_groups(preprocess, X.columns)
    raw = list(X.columns)
    G = np.zeros((len(names), len(raw)))
    G[np.arange(len(names)), [raw.index(g) for g in groups]] = 1.0
    return G, raw, X


def path_dependent_shap(model: Any, X: pd.DataFrame, *, scale: str = "probability",
                        aggregate: bool = True) -> ShapleyResult:
    """Path-dependent TreeSHAP (Lundberg et al. 2018, 2020), written from scratch.

    The value function is :func:`path_dependent_value`: the trees' expected output given the
    features in ``S``, estimated from the training rows' covers along the paths, with no
    background data. It is what ``shap.TreeExplainer(model)`` computes when no background is
    given (``feature_perturbation="tree_path_dependent"``). The base value is the covers'
    average output (the mean training prediction, of the rows each tree was fitted on); the
    values add up to ``prediction - base_value``. Each leaf contributes a product game whose
    Shapley values follow from a polynomial in the path's features (:func:`_path_dependent_arrays`),
    so the cost grows with leaves and depth, not with ``2**M``. ``scale`` and ``aggregate`` are
    as in :func:`tree_shap`: boosting is explained on the log-odds scale only, and with
    ``aggregate=True`` the values of a pipeline's one-hot columns are summed per raw feature.
    """
    preprocess, xt, parts, offset, names, prediction, output = _path_dependent_setup(model, X, scale)
    phi, _, base = _path_dependent_arrays(parts, xt, len(names), interactions=False)
    G, players, data = _group_matrix(preprocess, X, names, aggregate)
    return ShapleyResult(phi @ G, offset + base, tuple(players), data, prediction, "path-dependent tree", output,
                         len(X))


def path_dependent_interactions(model: Any, X: pd.DataFrame, *, scale: str = "probability",
                                aggregate: bool = True) -> ShapleyInteractions:
    """SHAP interaction values of path-dependent TreeSHAP (Lundberg et al. 2020), from scratch.

    For each pair ``(j, k)`` half the Shapley interaction index (Grabisch & Roubens 1999) of the
    game :func:`path_dependent_value`; on the diagonal the main effects, so each row of a row's
    matrix adds up to that feature's SHAP value (:func:`path_dependent_shap`). What
    ``shap.TreeExplainer(model).shap_interaction_values(X)`` computes. With ``aggregate=True`` the
    blocks of a pipeline's one-hot columns are summed per pair of raw features (the rows still add
    up to the summed SHAP values).
    """
    preprocess, xt, parts, offset, names, prediction, output = _path_dependent_setup(model, X, scale)
    G, players, data = _group_matrix(preprocess, X, names, aggregate)
    if len(players) < 2:
        raise ValueError("interactions need at least two features")
    _, inter, base = _path_dependent_arrays(parts, xt, len(names), interactions=True)
    inter = np.einsum("nab,aj,bk->njk", inter, G, G)     # block sums over each pair's columns
    return ShapleyInteractions(inter, offset + base, tuple(players), data, prediction, output)

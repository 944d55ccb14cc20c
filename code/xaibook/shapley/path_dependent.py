"""Shapley values of a model's prediction: exact, permutation sampling, KernelSHAP and TreeSHAP.

Every method here explains the same cooperative game. The players are the features; for the row
``x`` the *value* of a coalition ``S`` of features is the model's average prediction when the
features in ``S`` keep their values from ``x`` and the others take their values from the rows ``b``
of a background data set ``B`` (the *interventional* or *marginal* value function of Lundberg & Lee
2017, discussed by Janzing, Minorics & Blöbaum 2020)::

    v(S) = 1/|B| * sum over b in B of f(x_S, b_rest)

The Shapley (1953) value of feature ``j`` is its marginal contribution averaged over coalitions::

    phi_j = sum over S not containing j of |S|! (M - |S| - 1)! / M! * (v(S + j) - v(S))

so that ``v(empty) = mean f(B)`` (the *base value*) plus the sum of all ``phi_j`` is ``f(x)``.

``exact_shapley`` enumerates all ``2**M`` coalitions; ``sampling_shapley`` averages marginal
contributions over random feature orders (Strumbelj & Kononenko 2014); ``kernel_shap`` fits the
Shapley-kernel weighted linear regression (Lundberg & Lee 2017); ``tree_shap`` runs the ``shap``
package's interventional TreeSHAP (Lundberg et al. 2020). All return a :class:`ShapleyResult`.

``path_dependent_shap`` is TreeSHAP with the other value function, the one ``shap.TreeExplainer``
uses without background data: the trees' expected output given ``x_S``, estimated from the
training rows' node covers (Lundberg, Erion & Lee 2018, Algorithm 1), written from scratch;
``path_dependent_interactions`` gives its SHAP interaction values (Lundberg et al. 2020, after
Grabisch & Roubens 1999) as a :class:`ShapleyInteractions`.

Hybrid rows ``(x_S, b_rest)`` are made by picking each column from ``x`` or from ``b``, never by
arithmetic on the values, so DataFrames with string categories work as they are. Hybrid rows that
coincide (because ``b`` already equals ``x`` on some features) are sent to the model only once.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import (
    RandomStateLike,
    as_generator,
    check_finite_output,
    check_fitted_model,
    check_frame,
    check_memory,
    check_model_input,
    check_one_row,
    check_positive_int,
    check_prediction_function,
)
from xaibook.pipeline import feature_groups, split_model, transform
from xaibook.predict import DEFAULT_BATCH_SIZE, PredictionFunction, as_prediction_function, prediction_function

__all__ = [
    "MAX_EXACT_FEATURES", "PredictionFunction", "ShapleyResult", "all_coalitions",
    "shapley_weight_matrix", "exact_shapley", "sampling_shapley", "shapley_kernel_weight",
    "kernel_coalitions", "kernel_shap", "shap_module", "float32_floor", "tree_shap",
    "to_shap_explanation", "from_shap_explanation", "interaction_strength", "CategoryCodes",
    "permutation_shapley_reference",
    # path-dependent TreeSHAP and SHAP interaction values (from scratch)
    "path_dependent_value", "path_dependent_shap", "path_dependent_interactions", "ShapleyInteractions",
    "shapley_from_value_function", "shapley_interactions_from_value_function",
    # building blocks the chapter shows (inputs checked by the public functions that call them)
    "ShapleyGame", "solve_kernel",
]

#: Default refusal threshold of :func:`exact_shapley`: 2**14 = 16,384 coalitions per row.
MAX_EXACT_FEATURES = 14
#: Hybrid-row candidates (coalitions x background rows) handled at once before de-duplication.
_MAX_CANDIDATES = 2_000_000



# --------------------------------------------------------------------------------------------
# The result type
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ShapleyResult:
    """Shapley values for some rows: ``base_value + values[i].sum() == prediction[i]``.

    ``values`` has one row per explained row and one column per feature; ``data`` holds the
    explained rows themselves (their raw feature values), ``prediction`` the model output ``f(x)``
    and ``base_value`` the mean output over the background data. ``standard_error`` is the Monte
    Carlo standard error of each value for the sampling estimator (``None`` otherwise).
    ``n_evaluations`` counts the rows sent to the model (for ``tree_shap``: the explained rows
    times the background rows, the pairs TreeSHAP walks through the trees).
    """

    values: np.ndarray
    base_value: float
    feature_names: tuple[str, ...]
    data: pd.DataFrame
    prediction: np.ndarray
    method: str = "exact"
    output: str = "model output"
    n_evaluations: int = 0
    standard_error: np.ndarray | None = None

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=float)
        prediction = np.array(self.prediction, dtype=float).reshape(-1)
        names = tuple(str(n) for n in self.feature_names)
        if values.ndim != 2 or values.shape != (len(self.data), len(names)):
            raise ValueError(f"values must have shape (n_rows, n_features) = {(len(self.data), len(names))}, "
                             f"got {values.shape}")
        if prediction.shape != (len(self.data),):
            raise ValueError(f"prediction must have one number per row, got shape {prediction.shape}")
        if list(self.data.columns) != list(names):
            raise ValueError("data's columns must be the feature names, in the same order")
        for array in (values, prediction):
            array.setflags(write=False)
        object.__setattr__(self, "data", self.data.copy())    # later edits of X do not leak in
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "prediction", prediction)
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "base_value", float(self.base_value))
        if self.standard_error is not None:
            se = np.array(self.standard_error, dtype=float)
            se.setflags(write=False)
            object.__setattr__(self, "standard_error", se)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (f"ShapleyResult(method={self.method!r}, rows={len(self)}, features={len(self.feature_names)}, "
                f"base_value={self.base_value:.4g}, output={self.output!r})")

    def to_wide(self) -> pd.DataFrame:
        """The values as a matrix: one row per explained row (same index as ``data``), one column per feature."""
        return pd.DataFrame(self.values, index=self.data.index, columns=list(self.feature_names))

    def to_frame(self) -> pd.DataFrame:
        """Long format (the book's convention), one line per (row, feature): ``row``, ``feature``,
        ``value`` (the feature's value, as text) and ``shap``. :meth:`to_wide` gives the matrix."""
        n, m = self.values.shape
        text = self.data.astype(str).to_numpy()
        return pd.DataFrame({
            "row": np.repeat(np.asarray(self.data.index), m),
            "feature": np.tile(np.asarray(self.feature_names, dtype=object), n),
            "value": text.reshape(-1),
            "shap": self.values.reshape(-1),
        })

    #: Old name of :meth:`to_frame` (the long format).
    to_long = to_frame

    def mean_abs(self) -> pd.Series:
        """Global importance: mean absolute Shapley value per feature, largest first."""
        return (pd.Series(np.abs(self.values).mean(axis=0), index=list(self.feature_names), name="mean_abs_shap")
                .sort_values(ascending=False))

    def ranking(self) -> list[str]:
        """Feature names from most to least important by mean absolute Shapley value."""
        return self.mean_abs().index.tolist()

    def explain_row(self, position: int = 0) -> pd.DataFrame:
        """One row's explanation: feature, its value and its Shapley value, largest |value| first."""
        if isinstance(position, (bool, np.bool_)) or not isinstance(position, (int, np.integer)):
            raise TypeError(f"position must be an integer position among the {len(self)} explained rows, "
                            f"got {position!r}")
        if not -len(self) <= position < len(self):
            raise IndexError(f"position {position} is out of range for {len(self)} explained rows")
        frame = pd.DataFrame({"feature": list(self.feature_names),
                              "value": self.data.iloc[position].to_numpy(),
                              "shap": self.values[position]})
        return frame.reindex(frame["shap"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    def efficiency_gap(self) -> np.ndarray:
        """``prediction - base_value - values.sum(axis=1)``: zero (up to rounding) for every method here."""
        return self.prediction - self.base_value - self.values.sum(axis=1)

    def __getitem__(self, rows: Any) -> ShapleyResult:
        """Select explained rows by position (an int, slice or array of positions)."""
        positions = np.arange(len(self))[rows]
        positions = np.atleast_1d(positions)
        se = None if self.standard_error is None else self.standard_error[positions]
        return ShapleyResult(self.values[positions], self.base_value, self.feature_names,
                             self.data.iloc[positions], self.prediction[positions], self.method,
                             self.output, self.n_evaluations, se)


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _check_inputs(f: Any, X: Any, background: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    if list(background.columns) != list(X.columns):
        missing = [c for c in X.columns if c not in background.columns]
        extra = [c for c in background.columns if c not in X.columns]
        if missing or extra:
            raise ValueError(f"background must have X's columns: missing {missing}, unexpected {extra}")
        raise ValueError("background has X's columns in a different order; use background[X.columns]")
    mixed = [c for c in X.columns
             if pd.api.types.is_numeric_dtype(X[c]) != pd.api.types.is_numeric_dtype(background[c])]
    if mixed:
        raise ValueError(f"background columns {mixed} hold numbers where X's hold text (or the reverse); "
                         "give both the same types")
    check_prediction_function(f, X)
    return X, background


def _output_name(f: Any) -> str:
    return str(getattr(f, "scale", "model output"))


def _predict(f: PredictionFunction, frame: pd.DataFrame) -> np.ndarray:
    """``f(frame)``: one finite number per row (NaN predictions would give NaN Shapley values)."""
    return check_finite_output(f(frame), len(frame), name="f")


# --------------------------------------------------------------------------------------------
# The value function v(S), batched over rows, coalitions and background rows
# --------------------------------------------------------------------------------------------
class ShapleyGame:
    """Evaluates ``v_x(S)`` for many rows ``x`` and coalitions ``S`` with few model calls.

    For row ``x``, coalition ``S`` and background row ``b`` the hybrid row takes column ``j`` from
    ``x`` when ``j`` is in ``S`` *or* ``b_j == x_j``; this effective coalition identifies the hybrid
    row, so duplicates are evaluated once. All distinct hybrid rows are built column by column
    with ``np.where`` and sent to ``f`` in batches of ``batch_size`` rows.
    """

    def __init__(self, f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame,
                 batch_size: int) -> None:
        self.f = f
        self.columns = list(X.columns)
        # each hybrid column holds values of X and of the background: keep both exactly (an int
        # column of X with a float background, e.g. a row of means, must not be cut to integers)
        self.dtypes = [_common_dtype(X[c], background[c]) for c in self.columns]
        self.x_cols = [X[c].to_numpy() for c in self.columns]
        self.b_cols = [background[c].to_numpy() for c in self.columns]
        self.n_bg = len(background)
        self.m = len(self.columns)
        # one numeric dtype throughout: build hybrid rows as one 2-D block (much faster)
        homogeneous = len(set(self.dtypes)) == 1 and isinstance(self.dtypes[0], np.dtype) and \
            self.dtypes[0].kind in "biuf" and all(b.dtype == self.dtypes[0] for b in self.b_cols)
        self.x_mat = X.to_numpy() if homogeneous else None
        self.b_mat = background.to_numpy() if homogeneous else None
        self.batch_size = batch_size
        self.n_evaluations = 0

    def equal_to_background(self, rows: np.ndarray) -> np.ndarray:
        """Boolean array (len(rows), n_bg, M): does background row b equal x on feature j?"""
        out = np.empty((len(rows), self.n_bg, self.m), dtype=bool)
        for j, (xc, bc) in enumerate(zip(self.x_cols, self.b_cols)):
            out[:, :, j] = bc[None, :] == xc[rows][:, None]
        return out

    def varying(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), M): features on which some background row differs from x (the others are dummies)."""
        return ~self.equal_to_background(rows).all(axis=1)

    def values(self, rows: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
        """``v`` of each coalition in ``masks[i]`` (a boolean (K_i, M) array) for the row ``rows[i]``."""
        out: list[np.ndarray] = []
        start = 0
        while start < len(rows):
            stop, total = start, 0
            while stop < len(rows) and (stop == start or total + len(masks[stop]) * self.n_bg <= _MAX_CANDIDATES):
                total += len(masks[stop]) * self.n_bg
                stop += 1
            out.extend(self._values_group(rows[start:stop], masks[start:stop]))
            start = stop
        return out

    def _values_group(self, rows: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
        n_group, m, n_bg = len(rows), self.m, self.n_bg
        sizes = [len(mk) for mk in masks]
        equal = self.equal_to_background(rows)
        # de-duplicate when features are packable in an int64 and b often equals x somewhere
        if m <= 62 and n_group * n_bg < 2 ** (62 - m) and equal.any(axis=2).mean() > 0.05:
            bits = np.left_shift(np.int64(1), np.arange(m, dtype=np.int64))
            eq_bits = equal.astype(np.int64) @ bits  # (n_group, n_bg)
            full = np.int64((1 << m) - 1)
            b_index = np.arange(n_bg, dtype=np.int64)
            keys = []
            for g, mk in enumerate(masks):
                eff = (mk.astype(np.int64) @ bits)[:, None] | eq_bits[g][None, :]
                owner = g * n_bg + np.where(eff == full, 0, b_index[None, :])  # x itself: one row suffices
                keys.append(((owner << m) | eff).reshape(-1))
            unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
            owner = unique >> m
            group_row, b_row = owner // n_bg, owner % n_bg
            effective = ((unique[:, None] >> np.arange(m, dtype=np.int64)) & 1).astype(bool)
            preds = self._evaluate(rows[group_row], b_row, effective)
            flat = preds[inverse]
        else:  # nothing to gain (or too many features to pack): evaluate every hybrid row
            flat = np.concatenate([self._evaluate_all(r, mk) for r, mk in zip(rows, masks)])
        bounds = np.cumsum([0] + [s * n_bg for s in sizes])
        return [flat[a:b].reshape(s, n_bg).mean(axis=1) for a, b, s in zip(bounds[:-1], bounds[1:], sizes)]

    def _evaluate(self, x_rows: np.ndarray, b_rows: np.ndarray, take_x: np.ndarray) -> np.ndarray:
        preds = np.empty(len(x_rows), dtype=float)
        for start in range(0, len(x_rows), self.batch_size):
            sl = slice(start, start + self.batch_size)
            frame = self.hybrid_frame(x_rows[sl], b_rows[sl], take_x[sl])
            preds[sl] = _predict(self.f, frame)
        self.n_evaluations += len(x_rows)
        return preds

    def _evaluate_all(self, row: int, masks: np.ndarray) -> np.ndarray:
        """f on every hybrid row (x_S, b) for S in ``masks`` and b in the background, S-major order."""
        preds = np.empty(len(masks) * self.n_bg, dtype=float)
        step = max(1, self.batch_size // self.n_bg)
        for start in range(0, len(masks), step):
            chunk = masks[start:start + step]
            if self.x_mat is not None:
                block = np.where(chunk[:, None, :], self.x_mat[row][None, None, :], self.b_mat[None, :, :])
                frame = pd.DataFrame(block.reshape(-1, self.m), columns=self.columns, copy=False)
            else:
                frame = pd.DataFrame({
                    name: _typed(np.where(chunk[:, j, None], xc[row], bc[None, :]).reshape(-1), dtype)
                    for j, (name, xc, bc, dtype) in enumerate(zip(self.columns, self.x_cols, self.b_cols,
                                                                   self.dtypes))}, copy=False)
            preds[start * self.n_bg:(start + len(chunk)) * self.n_bg] = _predict(self.f, frame)
        self.n_evaluations += len(preds)
        return preds

    def hybrid_frame(self, x_rows: np.ndarray, b_rows: np.ndarray, take_x: np.ndarray) -> pd.DataFrame:
        """Rows whose column j comes from ``X[x_rows]`` where ``take_x[:, j]``, else from ``background[b_rows]``."""
        if self.x_mat is not None:
            block = np.where(take_x, self.x_mat[x_rows], self.b_mat[b_rows])
            return pd.DataFrame(block, columns=self.columns, copy=False)
        data = {}
        for j, (name, xc, bc, dtype) in enumerate(zip(self.columns, self.x_cols, self.b_cols, self.dtypes)):
            data[name] = _typed(np.where(take_x[:, j], xc[x_rows], bc[b_rows]), dtype)
        return pd.DataFrame(data, copy=False)


def _common_dtype(x: pd.Series, b: pd.Series) -> Any:
    """The dtype that holds the values of both columns: X's, unless the background needs wider."""
    if x.dtype == b.dtype or not (isinstance(x.dtype, np.dtype) and isinstance(b.dtype, np.dtype)):
        return x.dtype
    if x.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        return np.result_type(x.dtype, b.dtype)
    return x.dtype


def _typed(column: np.ndarray, dtype: Any) -> Any:
    """The column in X's dtype (string and categorical columns come back from numpy as objects)."""
    return column if column.dtype == dtype else pd.array(column, dtype=dtype)


def _start(f: Any, X: Any, background: Any,
           batch_size: int) -> tuple[pd.DataFrame, pd.DataFrame, ShapleyGame, float, np.ndarray]:
    X, background = _check_inputs(f, X, background)
    batch_size = check_positive_int(batch_size, name="batch_size")
    game = ShapleyGame(f, X, background, batch_size)
    base_value = float(_predict(f, background).mean())
    prediction = _predict(f, X)
    game.n_evaluations += len(background) + len(X)
    return X, background, game, base_value, prediction


# --------------------------------------------------------------------------------------------
# Exact Shapley values
# --------------------------------------------------------------------------------------------
def all_coalitions(n_features: int) -> np.ndarray:
    """All ``2**M`` coalitions as a boolean (2**M, M) array; row ``k`` holds the binary digits of ``k``."""
    codes = np.arange(2 ** n_features, dtype=np.int64)
    out = np.empty((len(codes), n_features), dtype=bool)
    for j in range(n_features):  # column by column: no (2**M, M) int64 temporary
        out[:, j] = (codes >> j) & 1
    return out


def shapley_weight_matrix(n_features: int) -> np.ndarray:
    """The (2**M, M) matrix ``C`` with ``phi = v @ C`` for ``v`` listed as in :func:`all_coalitions`.

    Shapley (1953): ``C[S, j] = w(|S| - 1)`` if ``j`` is in ``S`` and ``-w(|S|)`` otherwise,
    with ``w(s) = s! (M - s - 1)! / M!``.
    """
    m = n_features
    members = all_coalitions(m)
    size = members.sum(axis=1)
    w = np.array([math.factorial(s) * math.factorial(m - s - 1) / math.factorial(m) for s in range(m)])
    return np.where(members, w[np.clip(size - 1, 0, m - 1)][:, None], -w[np.clip(size, 0, m - 1)][:, None])


def _marginal_sums(v: np.ndarray, m: int) -> np.ndarray:
    """``phi_j = sum over S without j of w(|S|) (v(S + j) - v(S))`` with ``w(s) = s! (M-s-1)! / M!``.

    ``v[:, k]`` is the value of the coalition whose members are the binary digits of ``k``. Summing
    the marginal differences (rather than ``v @ C`` with :func:`shapley_weight_matrix`) gives a
    feature whose differences are all exactly zero a value of exactly zero, and needs no
    ``(2**M, M)`` matrix of weights.
    """
    codes = np.arange(2 ** m, dtype=np.int64)
    size = np.zeros(len(codes), dtype=np.int64)
    for j in range(m):
        size += (codes >> j) & 1
    w = np.array([math.factorial(s) * math.factorial(m - s - 1) / math.factorial(m) for s in range(m)])
    values = np.empty((len(v), m))
    for j in range(m):
        without = codes[((codes >> j) & 1) == 0]
        values[:, j] = (v[:, without | (1 << j)] - v[:, without]) @ w[size[without]]
    return values


def exact_shapley(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                  max_features: int = MAX_EXACT_FEATURES,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Exact interventional Shapley values by enumerating all ``2**M`` coalitions (Shapley 1953).

    For every explained row, ``v(S)`` (the mean of ``f`` over the background with the features in
    ``S`` set to the row's values) is computed for every coalition ``S``; the Shapley values are
    then one matrix product ``phi = v @ C`` (:func:`shapley_weight_matrix`). The cost is up to
    ``n_rows * 2**M * len(background)`` model evaluations, so above ``max_features`` features the
    function refuses and points to the approximations.
    """
    f = as_prediction_function(f, name="f")
    X = check_frame(X, name="X")
    m = X.shape[1]
    max_features = check_positive_int(max_features, name="max_features")
    if m > max_features:
        raise ValueError(
            f"exact_shapley needs 2**{m} = {2 ** m:,} coalitions per row for {m} features, more than the "
            f"limit of max_features={max_features}; use kernel_shap(...) or sampling_shapley(...) to "
            "approximate the values, tree_shap(...) for tree models, or raise max_features if you can wait"
        )
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    n_coalitions = 2.0 ** m
    check_memory(n_coalitions * (m + 8) + len(X) * n_coalitions * 16
                 + max(_MAX_CANDIDATES, n_coalitions * len(background)) * 48,
                 what=f"exact_shapley over 2**{m} coalitions for {len(X)} row(s) and {len(background)} "
                      "background rows", knob="the number of features (max_features), rows or background rows")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    coalitions = all_coalitions(m)[1:-1]            # the empty and full coalitions are known
    rows = np.arange(len(X))
    inner = game.values(rows, [coalitions] * len(X))
    v = np.column_stack([np.full(len(X), base_value), np.vstack(inner), prediction])
    values = _marginal_sums(v, m)
    values[~game.varying(rows)] = 0.0               # dummy axiom, exactly (no rounding residue)
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "exact",
                         _output_name(f), game.n_evaluations)


# --------------------------------------------------------------------------------------------
# Permutation sampling
# --------------------------------------------------------------------------------------------
def _orders(m: int, n_permutations: int, antithetic: bool, rng: np.random.Generator) -> np.ndarray:
    n_draw = (n_permutations + 1) // 2 if antithetic else n_permutations
    orders = np.argsort(rng.random((n_draw, m)), axis=1)
    if antithetic:  # each order and its reverse: the first feature of one is the last of the other
        orders = np.stack([orders, orders[:, ::-1]], axis=1).reshape(-1, m)[:n_permutations]
    return orders


def sampling_shapley(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                     n_permutations: int = 100, antithetic: bool = True, random_state: RandomStateLike = 0,
                     batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Shapley values estimated from random feature orders (Strumbelj & Kononenko 2014).

    ``phi_j`` is the average, over orders ``pi``, of ``v(Pre_j + j) - v(Pre_j)`` where ``Pre_j``
    are the features before ``j`` in ``pi``. Walking through one order gives every feature's
    contribution from ``M + 1`` coalitions, and they telescope, so every estimate is efficient.
    Unlike the original algorithm, which pairs each order with one random background row, ``v``
    is averaged over the whole background (only the orders are random). ``antithetic=True``
    pairs each order with its reverse, which cancels much of the noise (Mitchell et al. 2022).
    ``standard_error`` in the result is the Monte Carlo standard error of each value.
    """
    f = as_prediction_function(f, name="f")
    n_permutations = check_positive_int(n_permutations, name="n_permutations", minimum=2)
    rng = as_generator(random_state)
    X = check_frame(X, name="X")
    m, n = X.shape[1], len(X)
    check_memory(n * n_permutations * m * (8.0 + 3 * m) + n_permutations * m * 24.0,
                 what=f"sampling_shapley with {n_permutations:,} orders of {m} features for {n} row(s)",
                 knob="n_permutations (or explain fewer rows per call)")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    all_orders = [_orders(m, n_permutations, antithetic, rng) for _ in range(n)]
    masks, inverses = [], []
    for orders in all_orders:
        # prefix coalitions: position k of an order holds the first k + 1 features of it
        ranks = np.empty_like(orders)
        np.put_along_axis(ranks, orders, np.arange(m)[None, :], axis=1)
        prefixes = ranks[:, None, :] <= np.arange(m - 1)[None, :, None]      # (n_perm, M - 1, M)
        unique, inverse = np.unique(prefixes.reshape(-1, m), axis=0, return_inverse=True)
        masks.append(unique)
        inverses.append(inverse.reshape(-1))
    inner = game.values(np.arange(n), masks)
    values = np.empty((n, m))
    errors = np.empty((n, m))
    for i, (orders, v, inverse) in enumerate(zip(all_orders, inner, inverses)):
        path = np.column_stack([np.full(len(orders), base_value), v[inverse].reshape(len(orders), m - 1),
                                np.full(len(orders), prediction[i])])
        gains = np.empty_like(orders, dtype=float)
        np.put_along_axis(gains, orders, np.diff(path, axis=1), axis=1)     # gains[p, j]: feature j in order p
        values[i] = gains.mean(axis=0)
        if antithetic and len(gains) % 2 == 0:
            gains = gains.reshape(-1, 2, m).mean(axis=1)                  # pairs are the independent draws
        errors[i] = gains.std(axis=0, ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else np.nan
    dummies = ~game.varying(np.arange(n))           # dummy axiom, exactly (no rounding residue)
    values[dummies], errors[dummies] = 0.0, 0.0
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "sampling",
                         _output_name(f), game.n_evaluations, errors)


def permutation_shapley_reference(f: PredictionFunction, x: pd.DataFrame, background: pd.DataFrame, *,
                                  n_permutations: int = 10, random_state: int = 0) -> pd.Series:
    """SHAP values of one row ``x`` written as the formula, one feature order at a time.

    ``v(S)`` is the mean prediction over the background with the features in ``S`` set to ``x``'s
    values (the interventional value function); ``phi_j`` is the average over random orders of
    ``v(features before j, and j) - v(features before j)`` (Strumbelj & Kononenko 2014). Plain and
    slow; :func:`sampling_shapley` gives the same numbers from the same orders, faster (tested).
    """
    def v(coalition):
        hybrid = background.copy()
        for feature in coalition:
            hybrid[feature] = x[feature].iloc[0]      # the row's value, for every background row
        return f(hybrid).mean()

    features = list(x.columns)
    orders = _orders(len(features), n_permutations, True, as_generator(random_state))  # + reverses
    phi = pd.Series(0.0, index=features)
    for order in orders:
        before = []
        for j in order:
            after = before + [features[j]]
            phi[features[j]] += v(after) - v(before)
            before = after
    return phi / n_permutations


# --------------------------------------------------------------------------------------------
# KernelSHAP
# --------------------------------------------------------------------------------------------
def shapley_kernel_weight(n_features: int, size: int | np.ndarray) -> np.ndarray:
    """Lundberg & Lee's (2017) Shapley kernel ``(M - 1) / (C(M, s) * s * (M - s))`` for coalition size ``s``."""
    s = np.asarray(size, dtype=float)
    m = n_features
    comb = np.array([math.comb(m, int(k)) for k in np.ravel(s)], dtype=float).reshape(s.shape)
    with np.errstate(divide="ignore"):
        return (m - 1) / (comb * s * (m - s))


def kernel_coalitions(n_features: int, n_samples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coalitions and regression weights for KernelSHAP, chosen as the ``shap`` package does.

    Coalition sizes ``s`` and ``M - s`` are taken in pairs. Starting with the smallest sizes, a
    size whose complete enumeration fits in the remaining budget (given its share of the kernel
    weight) is enumerated in full with its exact kernel weight; the rest of the budget goes to
    random coalitions of the remaining sizes, each drawn with its complement, weighted by how often
    it was drawn and scaled to the kernel weight those sizes carry. With ``n_samples >= 2**M - 2``
    every coalition is enumerated and KernelSHAP returns the exact Shapley values.
    """
    m = n_features
    n_samples = min(n_samples, 2 ** m - 2) if m <= 30 else n_samples
    n_sizes = math.ceil((m - 1) / 2)
    n_paired = (m - 1) // 2
    weight = np.array([(m - 1) / (s * (m - s)) for s in range(1, n_sizes + 1)])
    weight[:n_paired] *= 2
    weight /= weight.sum()

    masks, weights = [], []
    left, remaining, n_full = n_samples, weight.copy(), 0
    for s in range(1, n_sizes + 1):
        paired = s <= n_paired
        n_subsets = math.comb(m, s) * (2 if paired else 1)
        if left * remaining[s - 1] / n_subsets < 1.0 - 1e-8:
            break
        n_full += 1
        left -= n_subsets
        if remaining[s - 1] < 1.0:
            remaining = remaining / (1 - remaining[s - 1])
        w = weight[s - 1] / math.comb(m, s) / (2 if paired else 1)
        chosen = np.zeros((math.comb(m, s), m), dtype=bool)
        for k, inds in enumerate(itertools.combinations(range(m), s)):
            chosen[k, list(inds)] = True
        masks.append(chosen)
        if paired:
            masks.append(~chosen)
        weights.append(np.full(n_subsets, w))

    if n_full < n_sizes and left > 0:
        sampled, counts = _sample_coalitions(m, left, weight, n_full, n_paired, rng)
        counts = counts * weight[n_full:].sum() / counts.sum()
        masks.append(sampled)
        weights.append(counts)
    if not masks:
        return np.zeros((0, m), dtype=bool), np.zeros(0)
    return np.concatenate(masks), np.concatenate(weights)


def _sample_coalitions(m: int, budget: int, weight: np.ndarray, n_full: int, n_paired: int,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random distinct coalitions (with complements for paired sizes) and their draw counts."""
    p = weight.copy()
    p[:n_paired] /= 2                                      # a paired draw yields two coalitions
    p = p[n_full:] / p[n_full:].sum()
    n_draws = 4 * budget
    sizes = rng.choice(len(p), size=n_draws, p=p) + n_full + 1
    ranks = np.argsort(rng.random((n_draws, m)), axis=1)
    drawn = ranks < sizes[:, None]
    codes = np.packbits(drawn, axis=1)
    _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(first)                              # distinct coalitions in the order drawn
    cost = np.where(sizes[first[order]] <= n_paired, 2, 1)
    taken = np.cumsum(cost) - cost < budget                # a coalition is kept while budget remains
    keep = order[taken]
    last_draw = first[keep].max()
    rank_of = np.full(len(first), -1)
    rank_of[keep] = np.arange(len(keep))
    counts = np.bincount(rank_of[inverse[: last_draw + 1]][rank_of[inverse[: last_draw + 1]] >= 0],
                         minlength=len(keep)).astype(float)
    chosen = drawn[first[keep]]
    paired = sizes[first[keep]] <= n_paired
    spent = np.cumsum(np.where(paired, 2, 1))
    with_pair = paired & (spent <= budget)                 # the last complement may not fit
    out_masks = [chosen, ~chosen[with_pair]]
    out_counts = [counts, counts[with_pair]]
    # interleave is not needed: the regression does not care about order
    return np.concatenate(out_masks), np.concatenate(out_counts)


def solve_kernel(masks: np.ndarray, weights: np.ndarray, v: np.ndarray, base_value: float,
                 prediction: float) -> np.ndarray:
    """Weighted least squares for ``v(S) - base = sum_{j in S} phi_j`` subject to ``sum phi = f(x) - base``.

    The constraint is enforced exactly by eliminating the last feature:
    ``phi_M = (f(x) - base) - sum_{j<M} phi_j`` (as in Lundberg & Lee's implementation).
    """
    total = prediction - base_value
    z = masks.astype(float)
    y = (v - base_value) - z[:, -1] * total
    design = z[:, :-1] - z[:, -1:]
    weighted = design * weights[:, None]
    try:                                                   # normal equations: (A'WA) beta = A'Wy
        beta = np.linalg.solve(design.T @ weighted, weighted.T @ y)
    except np.linalg.LinAlgError:                          # singular: the minimum-norm solution
        root = np.sqrt(weights)[:, None]
        beta = np.linalg.lstsq(design * root, y * root[:, 0], rcond=None)[0]
    return np.append(beta, total - beta.sum())


def kernel_shap(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                n_samples: int = 2048, random_state: RandomStateLike = 0,
                batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """KernelSHAP (Lundberg & Lee 2017): Shapley values as a weighted linear regression.

    The Shapley values are the coefficients of the linear model ``v(S) ~ base + sum_{j in S} phi_j``
    fitted over coalitions ``S`` with the Shapley kernel weight
    ``(M - 1) / (C(M, |S|) |S| (M - |S|))``, under the constraint that they add up to
    ``f(x) - base`` (enforced exactly). ``n_samples`` coalitions per row are used (chosen by
    :func:`kernel_coalitions`); features on which every background row equals ``x`` cannot matter
    and get 0 without being sampled. With ``n_samples >= 2**M - 2`` the result is exact.
    """
    f = as_prediction_function(f, name="f")
    n_samples = check_positive_int(n_samples, name="n_samples", minimum=2)
    rng = as_generator(random_state)
    X = check_frame(X, name="X")
    m = X.shape[1]
    used = min(n_samples, 2 ** m) if m <= 62 else n_samples
    check_memory(used * m * 48.0 + used * len(X) * 16.0, what=f"kernel_shap with {used:,} coalitions of {m} features",
                 knob="n_samples")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    n, m = X.shape
    varying = game.varying(np.arange(n))
    plans: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for i in range(n):
        active = np.flatnonzero(varying[i])
        k = len(active)
        if k < 2:
            plans.append((active, np.zeros((0, m), dtype=bool), np.zeros(0)))
            continue
        if n_samples < min(2 * k, 2 ** k - 2):
            raise ValueError(f"n_samples={n_samples} is too small for the {k} features that vary for row {i}: "
                             "coalitions come in complementary pairs, each pair adds one equation, so the "
                             f"regression is underdetermined below n_samples={min(2 * k, 2 ** k - 2)} "
                             "(shap's default is 2 * M + 2048)")
        sub, weights = kernel_coalitions(k, n_samples, rng)
        full = np.zeros((len(sub), m), dtype=bool)
        full[:, active] = sub
        plans.append((active, full, weights))
    inner = game.values(np.arange(n), [plan[1] for plan in plans])
    values = np.zeros((n, m))
    for i, ((active, masks, weights), v) in enumerate(zip(plans, inner)):
        if len(active) == 1:
            values[i, active[0]] = prediction[i] - base_value
        elif len(active) > 1:
            values[i, active] = solve_kernel(masks[:, active], weights, v, base_value, prediction[i])
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "kernel",
                         _output_name(f), game.n_evaluations)


# --------------------------------------------------------------------------------------------
# TreeSHAP through the shap package, and shap.Explanation interop
# --------------------------------------------------------------------------------------------
def shap_module() -> Any:
    """Import and return the ``shap`` package, without the warnings its import prints.

    In a notebook without ipywidgets, importing shap makes tqdm warn "IProgress not found", and
    shap's colour maps trigger matplotlib deprecation notices; neither concerns the book, and in
    an executed chapter they would end up on the page. They are silenced for the import only.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import shap
    return shap


def _tree_output(explainer_values: np.ndarray, expected: Any, n_features: int) -> tuple[np.ndarray, float]:
    values = np.asarray(explainer_values, dtype=float)
    base = np.atleast_1d(np.asarray(expected, dtype=float))
    if values.ndim == 3:                                   # one slice per class: keep the positive class
        values = values[:, :, 1]
        base = base[1:]
    return values.reshape(-1, n_features), float(base[0])


def float32_floor(thresholds: np.ndarray) -> np.ndarray:
    """Each threshold rounded *down* to a float32 number (returned as float64).

    For every float32 ``x``: ``x <= t`` exactly when ``x <= float32_floor(t)``. scikit-learn trees
    compare float32 inputs with float64 thresholds; shap's interventional TreeSHAP code stores the
    thresholds as float32, rounded to *nearest*, which sends an input lying between the threshold
    and its rounded value down the other branch. Rounding down instead makes both agree.
    """
    t = np.asarray(thresholds, dtype=np.float64)
    t32 = t.astype(np.float32)
    too_high = t32.astype(np.float64) > t
    t32[too_high] = np.nextafter(t32[too_high], np.float32(-np.inf))
    return t32.astype(np.float64)


def tree_shap(model: Any, X: pd.DataFrame, background: pd.DataFrame, *, scale: str = "probability",
              aggregate: bool = True, narrow_background: bool = True,
              float32_thresholds: bool = True) -> ShapleyResult:
    """Interventional TreeSHAP (Lundberg et al. 2020) from ``shap.TreeExplainer``, as a :class:`ShapleyResult`.

    ``model`` is a fitted scikit-learn tree model (decision tree, random forest, gradient
    boosting) or a :class:`~sklearn.pipeline.Pipeline` whose last step is one. For a pipeline the
    trees see the *transformed* columns (here: standardised numbers and one-hot indicators), so
    shap explains those. With ``aggregate=True`` the values of all columns made from one raw
    feature are summed, giving one value per raw feature (the usual convention; efficiency is
    kept). That sum is *not* in general the Shapley value of the raw feature in the game played by
    the raw features, because the transformed game can mix the one-hot columns of ``x`` and ``b``
    (the chapter shows the size of the difference). ``aggregate=False`` keeps the transformed columns.

    ``scale="probability"`` explains ``P(class 1)``; ``"log-odds"`` explains the boosting model's
    raw margin (not available for forests, whose log-odds are not a sum over trees). For a
    forest or a single tree the probability *is* the sum over trees and the values are exact. For
    boosting, shap's ``model_output="probability"`` is an approximation: per background row it
    computes the exact log-odds values and rescales them by
    ``(sigmoid(m_x) - sigmoid(m_b)) / (m_x - m_b)``; they add up correctly but are not the Shapley
    values of the probability game (use :func:`exact_shapley` or :func:`kernel_shap` for those).
    scikit-learn trees compare float32 inputs with their thresholds, and shap narrows the
    explained rows to float32 but not the background; ``narrow_background=True`` narrows the
    background too, so that the values are those of the model that scikit-learn actually runs.
    shap's interventional code also rounds the float64 thresholds to the nearest float32, so an
    input lying exactly between two training values (a test age of 51 between training ages 50
    and 52) can take the other branch than in scikit-learn; ``float32_thresholds=True`` rounds the
    thresholds down to float32 beforehand (:func:`float32_floor`), which removes that error.
    """
    shap = shap_module()  # imported here: the rest of the module does not need it
    check_fitted_model(model)
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    if list(background.columns) != list(X.columns):
        raise ValueError("background must have exactly X's columns, in the same order")
    check_model_input(model, X, name="X")
    check_model_input(model, background, name="background")
    if scale not in ("probability", "log-odds"):
        raise ValueError(f"scale must be 'probability' or 'log-odds', got {scale!r}")
    preprocess, estimator = split_model(model)
    if not hasattr(estimator, "tree_") and not hasattr(estimator, "estimators_"):
        raise TypeError(f"tree_shap needs a tree model, got {type(estimator).__name__}; use kernel_shap or "
                        "exact_shapley for other models")
    classifier = hasattr(estimator, "predict_proba")
    boosting = hasattr(estimator, "loss") or type(estimator).__name__.startswith("GradientBoosting")
    if not classifier and scale != "probability":
        raise ValueError(f"scale applies to classifiers; {type(estimator).__name__} is a regressor, whose "
                         "prediction is explained as it is (leave scale at its default)")
    if scale == "log-odds" and not boosting:
        raise ValueError(f"scale='log-odds' is available for gradient boosting only; {type(estimator).__name__} "
                         "averages probabilities, so explain scale='probability'")
    Xt, Bt = transform(preprocess, X), transform(preprocess, background)
    names = list(X.columns) if preprocess is None else [str(c) for c in preprocess.get_feature_names_out()]
    if narrow_background:
        Bt = Bt.astype(np.float32).astype(float)
    output = "raw" if (scale == "log-odds" or not boosting or not classifier) else "probability"
    # the whole background: shap's default masker would silently subsample it to 100 rows
    masker = shap.maskers.Independent(Bt, max_samples=len(Bt))
    explainer = shap.TreeExplainer(estimator, masker, feature_perturbation="interventional", model_output=output)
    if float32_thresholds:
        explainer.model.thresholds = float32_floor(explainer.model.thresholds)
    values, base = _tree_output(explainer.shap_values(Xt, check_additivity=False), explainer.expected_value,
                                len(names))
    prediction = prediction_function(model, scale=scale)(X)
    if preprocess is not None and aggregate:
        groups = feature_groups(preprocess, X.columns)
        summed = pd.DataFrame(values, columns=names).T.groupby(pd.Index(groups)).sum().T
        values = summed[list(X.columns)].to_numpy()
        data, names = X, list(X.columns)
    elif preprocess is not None:
        data = pd.DataFrame(Xt, columns=names, index=X.index)
    else:
        data = X
    return ShapleyResult(values, base, tuple(names), data, prediction, "tree",
                         scale if classifier else "model output", len(X) * len(background))


def to_shap_explanation(result: ShapleyResult) -> Any:
    """The result as a ``shap.Explanation`` (for ``shap.plots``); feature values keep their types."""
    shap = shap_module()

    if not isinstance(result, ShapleyResult):
        raise TypeError(f"expected a ShapleyResult, got {type(result).__name__}")
    return shap.Explanation(values=np.array(result.values), base_values=np.full(len(result), result.base_value),
                            data=result.data.to_numpy(dtype=object), feature_names=list(result.feature_names))


def from_shap_explanation(explanation: Any, *, data: pd.DataFrame | None = None,
                          output: str = "model output") -> ShapleyResult:
    """A ``shap.Explanation`` (one output, one base value) as a :class:`ShapleyResult`.

    ``data`` gives the explained rows as a DataFrame when the explanation has none (or to restore
    column types); otherwise ``explanation.data`` is used with ``explanation.feature_names``.
    """
    values = np.asarray(getattr(explanation, "values", None) if explanation is not None else None)
    if values.dtype == object or values.ndim not in (1, 2):
        if values.ndim == 3:
            raise ValueError(f"the explanation has {values.shape[2]} outputs; pick one, e.g. explanation[..., 1]")
        raise TypeError("expected a shap.Explanation with a (n_rows, n_features) array of values")
    values = np.atleast_2d(values)
    base = np.atleast_1d(np.asarray(explanation.base_values, dtype=float))
    if base.ndim > 1:
        raise ValueError("the explanation has several outputs; pick one, e.g. explanation[..., 1]")
    if not np.allclose(base, base[0]):
        raise ValueError("the explanation's base values differ between rows; a ShapleyResult has one base value")
    if data is None:
        if explanation.data is None:
            raise ValueError("the explanation carries no feature values; pass data=the explained rows")
        names = explanation.feature_names or [f"feature_{j}" for j in range(values.shape[1])]
        data = pd.DataFrame(np.atleast_2d(explanation.data), columns=list(names))
    else:
        data = check_frame(data, name="data")
    if data.shape != values.shape:
        raise ValueError(f"data has shape {data.shape} but the values have shape {values.shape}")
    prediction = values.sum(axis=1) + base[0]
    return ShapleyResult(values, float(base[0]), tuple(data.columns), data, prediction, "shap", output)


# --------------------------------------------------------------------------------------------
# Which feature interacts most with a feature (for colouring dependence plots)
# --------------------------------------------------------------------------------------------
def _groups(values: pd.Series, n_bins: int) -> np.ndarray:
    """Group labels: the category for text columns, a quantile bin for numbers."""
    if values.dtype.kind in "biuf" and values.nunique() > n_bins:
        return pd.qcut(values.rank(method="first"), n_bins, labels=False).to_numpy()
    return pd.factorize(values)[0]


def _explained_share(residual: np.ndarray, own: np.ndarray, other: np.ndarray) -> float:
    """Share of the within-bin spread of ``residual`` explained by ``other``'s groups, in each bin.

    Cells are (own bin, other group); the score is the adjusted ratio
    ``1 - (SS_within cells / (n - cells)) / (SS_within bins / (n - bins))``, clipped at 0, so a
    feature with many categories does not win by chance.
    """
    n = len(residual)
    cells = own * (int(other.max()) + 1) + other
    n_bins, n_cells = len(np.unique(own)), len(np.unique(cells))
    total = (residual ** 2).sum()                       # residual is centred within each own bin
    if total <= 0 or n_cells <= n_bins or n <= n_cells:
        return 0.0
    means = pd.Series(residual).groupby(cells).transform("mean").to_numpy()
    within = ((residual - means) ** 2).sum()
    return float(max(0.0, 1 - (within / (n - n_cells)) / (total / (n - n_bins))))


def interaction_strength(result: ShapleyResult, feature: str, *, n_bins: int = 5) -> pd.Series:
    """How strongly each other feature modulates ``feature``'s Shapley values, largest first.

    A heuristic in the spirit of ``shap.utils.approximate_interactions``: remove from the values of
    ``feature`` their average at each value (category or quantile bin) of ``feature`` itself; the
    rest of the spread is what the feature's value alone does not explain. For every other
    feature, the score is the share of that rest explained by the other feature's groups within
    each bin (an adjusted correlation ratio, between 0 and 1). The top feature colours the
    dependence plot.
    """
    if not isinstance(result, ShapleyResult):
        raise TypeError(f"expected a ShapleyResult, got {type(result).__name__}")
    if feature not in result.feature_names:
        raise ValueError(f"unknown feature {feature!r}; the result has {list(result.feature_names)}")
    n_bins = check_positive_int(n_bins, name="n_bins", minimum=2)
    j = result.feature_names.index(feature)
    own = result.values[:, j]
    data = result.data.reset_index(drop=True)
    bins = _groups(data[feature], n_bins)
    residual = own - pd.Series(own).groupby(bins).transform("mean").to_numpy()
    scores = {other: _explained_share(residual, bins, _groups(data[other], n_bins))
              for other in result.feature_names if other != feature}
    return pd.Series(scores, name="interaction_strength").sort_values(ascending=False, kind="stable")


# ============================================================================================
# Path-dependent TreeSHAP and SHAP interaction values (from scratch)
# ============================================================================================
# The value function of shap.TreeExplainer without background data (feature_perturbation=
# "tree_path_dependent"): the tree's own expectation given the features in S, estimated from
# how many training rows went down each branch (the node covers). Lundberg, Erion & Lee (2018),
# Lundberg et al. (2020), Algorithm 1 (EXPVALUE). Interaction values: Lundberg et al. (2020),
# after the Shapley interaction index of Grabisch & Roubens (1999).

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
    if scale not in ("probability", "log-odds"):
        raise ValueError(f"scale must be 'probability' or 'log-odds', got {scale!r}")
    preprocess, estimator = split_model(model)
    classifier = hasattr(estimator, "predict_proba")
    if classifier and len(getattr(estimator, "classes_", [])) != 2:
        raise ValueError(f"path-dependent TreeSHAP here explains binary classifiers (P(class 1)); "
                         f"{type(estimator).__name__} has {len(estimator.classes_)} classes")
    if not classifier and scale != "probability":
        raise ValueError(f"scale applies to classifiers; {type(estimator).__name__} is a regressor, whose "
                         "prediction is explained as it is (leave scale at its default)")
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


def _check_game(value: Any, players: Any) -> list[str]:
    """The players of a game given as ``value(coalition)``: distinct names, at most
    :data:`MAX_EXACT_FEATURES` of them (full enumeration)."""
    if not callable(value):
        raise TypeError(f"value must be a function of a coalition (a list of player names), got "
                        f"{type(value).__name__}")
    if isinstance(players, str) or not hasattr(players, "__iter__"):
        raise TypeError(f"players must be a list of names, got {type(players).__name__}")
    players = list(players)
    if not players:
        raise ValueError("players is empty: a game needs at least one player")
    repeated = sorted({p for p in players if players.count(p) > 1}, key=str)
    if repeated:
        raise ValueError(f"players must be distinct; {repeated} appear more than once")
    if len(players) > MAX_EXACT_FEATURES:
        raise ValueError(f"{len(players)} players need 2**{len(players)} coalitions; at most "
                         f"{MAX_EXACT_FEATURES} are enumerated")
    return players


def _game_value(value: Callable[[list[str]], float], coalition: Sequence[str]) -> float:
    try:
        out = float(value(list(coalition)))
    except (TypeError, ValueError) as err:
        raise TypeError(f"value({list(coalition)}) must return one number: {err}") from err
    if not np.isfinite(out):
        raise ValueError(f"value({list(coalition)}) returned {out}; a game's values must be finite")
    return out


def shapley_from_value_function(value: Callable[[list[str]], float], players: Sequence[str]) -> pd.Series:
    """Shapley (1953) values of any game ``value(coalition)`` over ``players``, by full enumeration.

    ``phi_j = sum over S without j of |S|! (M - |S| - 1)! / M! * (v(S + j) - v(S))``. Readable and
    exponential (``2**M`` calls of ``value``): for small games and for checking the fast algorithms.
    """
    players = _check_game(value, players)
    m = len(players)
    v = {S: _game_value(value, S) for size in range(m + 1) for S in itertools.combinations(players, size)}
    phi = pd.Series(0.0, index=players)
    for j in players:
        others = [p for p in players if p != j]
        for size in range(m):
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for S in itertools.combinations(others, size):
                with_j = tuple(p for p in players if p in S or p == j)
                phi[j] += weight * (v[with_j] - v[S])
    return phi


def shapley_interactions_from_value_function(value: Callable[[list[str]], float],
                                             players: Sequence[str]) -> pd.DataFrame:
    """SHAP interaction values of a game by full enumeration (Lundberg et al. 2020, eq. 6).

    Off the diagonal, half the Shapley interaction index of Grabisch & Roubens (1999)::

        Phi_ij = sum over S without i, j of |S|! (M - |S| - 2)! / (2 (M - 1)!) * D_ij(S),
        D_ij(S) = v(S + i + j) - v(S + i) - v(S + j) + v(S)

    and on the diagonal the main effect ``Phi_ii = phi_i - sum over j != i of Phi_ij``, so that each
    row adds up to the feature's Shapley value. Exponential, like :func:`shapley_from_value_function`.
    """
    players = _check_game(value, players)
    m = len(players)
    if m < 2:
        raise ValueError("interactions need at least two players")
    v = {frozenset(S): _game_value(value, S) for size in range(m + 1)
         for S in itertools.combinations(players, size)}
    phi = shapley_from_value_function(lambda S: v[frozenset(S)], players)
    out = pd.DataFrame(0.0, index=players, columns=players)
    for i, j in itertools.combinations(players, 2):
        others = [p for p in players if p not in (i, j)]
        total = 0.0
        for size in range(m - 1):
            weight = math.factorial(size) * math.factorial(m - size - 2) / (2 * math.factorial(m - 1))
            for S in map(frozenset, itertools.combinations(others, size)):
                total += weight * (v[S | {i, j}] - v[S | {i}] - v[S | {j}] + v[S])
        out.loc[i, j] = out.loc[j, i] = total
    for i in players:
        out.loc[i, i] = phi[i] - out.loc[i].drop(i).sum()
    return out


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
    for k in range(d - left_out + 1):
        if left_out == 1:
            w[k] = math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d)
        else:
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


@dataclass(frozen=True, eq=False)
class ShapleyInteractions:
    """SHAP interaction values: ``values[i, j, k]`` for row ``i`` and features ``j``, ``k``.

    Off the diagonal, ``values[i, j, k] = values[i, k, j]`` is half the Shapley interaction index of
    the pair; on the diagonal, the feature's main effect. Row ``j`` of a row's matrix adds up to
    feature ``j``'s SHAP value, and the whole matrix to ``prediction - base_value``.
    """

    values: np.ndarray
    base_value: float
    feature_names: tuple[str, ...]
    data: pd.DataFrame
    prediction: np.ndarray
    output: str = "model output"

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=float)
        m = len(self.feature_names)
        if values.shape != (len(self.data), m, m):
            raise ValueError(f"values must have shape (n_rows, n_features, n_features) = {(len(self.data), m, m)}, "
                             f"got {values.shape}")
        prediction = np.array(self.prediction, dtype=float).reshape(-1)
        for array in (values, prediction):
            array.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "prediction", prediction)
        object.__setattr__(self, "feature_names", tuple(str(n) for n in self.feature_names))
        object.__setattr__(self, "data", self.data.copy())
        object.__setattr__(self, "base_value", float(self.base_value))

    def __len__(self) -> int:
        return len(self.data)

    def shap_values(self) -> ShapleyResult:
        """The SHAP values (row sums of each matrix) as a :class:`ShapleyResult`."""
        return ShapleyResult(self.values.sum(axis=2), self.base_value, self.feature_names, self.data,
                             self.prediction, "path-dependent tree", self.output, len(self))

    def main_effects(self) -> pd.DataFrame:
        """The diagonal: one row per explained row, one column per feature."""
        diagonal = np.diagonal(self.values, axis1=1, axis2=2)
        return pd.DataFrame(diagonal, index=self.data.index, columns=list(self.feature_names))

    def pair(self, feature: str, other: str) -> np.ndarray:
        """The pair's whole interaction per row: ``values[:, j, k] + values[:, k, j]``."""
        for name in (feature, other):
            if name not in self.feature_names:
                raise ValueError(f"unknown feature {name!r}; the result has {list(self.feature_names)}")
        if feature == other:
            raise ValueError("a pair needs two different features; main_effects() gives the diagonal")
        j, k = self.feature_names.index(feature), self.feature_names.index(other)
        return self.values[:, j, k] + self.values[:, k, j]

    def strongest_pairs(self) -> pd.Series:
        """Mean absolute whole interaction of every pair of features, largest first."""
        j, k = np.triu_indices(len(self.feature_names), 1)
        strength = np.abs(self.values[:, j, k] + self.values[:, k, j]).mean(axis=0)
        index = pd.MultiIndex.from_arrays([np.asarray(self.feature_names)[j], np.asarray(self.feature_names)[k]],
                                          names=["feature", "other"])
        return pd.Series(strength, index=index, name="mean_abs_interaction").sort_values(ascending=False,
                                                                                         kind="stable")

    def ranking(self) -> list[str]:
        """Feature names by mean absolute SHAP value, most important first."""
        return self.shap_values().ranking()

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per (row, feature, other) with the ``interaction`` value."""
        n, m, _ = self.values.shape
        names = np.asarray(self.feature_names, dtype=object)
        return pd.DataFrame({"row": np.repeat(np.asarray(self.data.index), m * m),
                             "feature": np.tile(np.repeat(names, m), n),
                             "other": np.tile(names, n * m),
                             "interaction": self.values.reshape(-1)})


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


# --------------------------------------------------------------------------------------------
# Numbers for shap's maskers
# --------------------------------------------------------------------------------------------
class CategoryCodes:
    """Code text columns as numbers, so that ``shap``'s explainers (which need numeric arrays)
    can explain a model that takes a DataFrame with string categories.

    ``encode(frame)`` turns every text column into the position of its value among the sorted
    categories of ``X``; ``wrap(f)`` returns ``g(array)`` that decodes the array back to a DataFrame
    in ``X``'s types and calls ``f`` on it. ``exact_shapley(wrap(f) on frames, ...)`` and
    ``shap.ExactExplainer(wrap(f), ...)`` then do exactly the same work.
    """

    def __init__(self, X: pd.DataFrame):
        X = check_frame(X, name="X")
        self.columns = list(X.columns)
        self.dtypes = X.dtypes.to_dict()
        self.categories = {c: pd.Index(sorted(X[c].astype(str).unique())) for c in X.columns
                           if X[c].dtype.kind not in "biuf"}

    def encode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with text columns replaced by their category codes (all columns float)."""
        out = check_frame(frame, name="frame").copy()
        for column, categories in self.categories.items():
            codes = categories.get_indexer(out[column].astype(str))
            if (codes < 0).any():
                raise ValueError(f"column {column!r} has values that were not in X: "
                                 f"{sorted(set(out[column][codes < 0]))[:5]}")
            out[column] = codes
        return out.astype(float)

    def decode(self, array: Any) -> pd.DataFrame:
        """A numeric array (or coded DataFrame) back to a DataFrame with ``X``'s columns and types."""
        values = np.asarray(array, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(self.columns):
            raise ValueError(f"expected an array with {len(self.columns)} columns, got shape {values.shape}")
        columns = {}
        for j, name in enumerate(self.columns):
            column = values[:, j]
            if name in self.categories:
                categories = self.categories[name]
                bad = column[(column != np.round(column)) | (column < 0) | (column >= len(categories))
                             | ~np.isfinite(column)]
                if len(bad):
                    raise ValueError(f"column {name!r} holds code(s) {sorted(set(bad.tolist()))[:5]} that are not "
                                     f"integers in range(0, {len(categories)}), the codes of its categories "
                                     f"{list(categories)[:8]}")
                columns[name] = categories[column.astype(int)].to_numpy()
            else:
                columns[name] = column
        return pd.DataFrame(columns).astype(self.dtypes)

    def wrap(self, f: PredictionFunction) -> Callable[[Any], np.ndarray]:
        """``g(array) = f(decode(array))``; it also accepts a coded DataFrame."""
        def coded(array: Any) -> np.ndarray:
            return np.asarray(f(self.decode(array)), dtype=float)

        return coded


# --------------------------------------------------------------------------------------------
# Owen values: Shapley values for features in groups
# --------------------------------------------------------------------------------------------
__all__ += ["owen_values"]


def _owen_groups(groups: Any, columns: list[str]) -> list[list[int]]:
    """Positions of each group's features; features in no group form a group of their own."""
    if isinstance(groups, str) or groups is None:
        raise TypeError("groups must be a dict {name: [features]} or a list of feature lists, "
                        f"got {type(groups).__name__}")
    listed = list(groups.values()) if isinstance(groups, Mapping) else list(groups)
    if not isinstance(groups, Mapping) and any(isinstance(members, str) for members in listed):
        raise TypeError(f"groups is a list holding feature names ({[m for m in listed if isinstance(m, str)][:3]}); "
                        "each group is a list of features: pass groups=[['a', 'b'], ...] (or a dict "
                        "{name: [features]}); features in no group form groups of their own")
    seen: dict[str, int] = {}
    out: list[list[int]] = []
    for k, members in enumerate(listed):
        if isinstance(members, str):
            members = [members]
        members = list(members)
        if not members:
            raise ValueError(f"group {k} is empty; every group needs at least one feature")
        unknown = [m for m in members if m not in columns]
        if unknown:
            raise ValueError(f"groups name unknown features {unknown}; valid names are {columns}")
        twice = [m for m in members if m in seen or members.count(m) > 1]
        if twice:
            raise ValueError(f"features {sorted(set(twice))} are in more than one group; each feature "
                             "belongs to exactly one group")
        seen.update({m: k for m in members})
        out.append([columns.index(m) for m in members])
    out.extend([j] for j, c in enumerate(columns) if c not in seen)
    return out


def _subset_codes(items: Sequence[int], bits_of: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of ``items`` as (bit code, size); ``bits_of[i]`` is the code of item ``i``."""
    codes = np.zeros(1, dtype=np.int64)
    sizes = np.zeros(1, dtype=np.int64)
    for item in items:
        codes = np.concatenate([codes, codes | np.int64(bits_of[item])])
        sizes = np.concatenate([sizes, sizes + 1])
    return codes, sizes


def _shapley_weights(n_players: int) -> np.ndarray:
    """``w(s) = s! (n - s - 1)! / n!`` for a coalition of ``s`` of the other ``n - 1`` players."""
    n = n_players
    return np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])


def owen_values(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *, groups: Any,
                max_coalitions: int = 2 ** MAX_EXACT_FEATURES,
                batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Exact Owen values (Owen 1977): Shapley values for features that come in groups.

    The groups (a *coalition structure*) are played in two levels. Between groups, each group is
    one player of a Shapley game; within group ``B_k``, feature ``i`` gets its Shapley value in the
    game of ``B_k``'s members played on top of every coalition ``R`` of other groups::

        phi_i = sum over R of w_g(|R|) * sum over T in B_k - {i} of w_b(|T|) *
                (v(R + T + i) - v(R + T))

    with ``w_n(s) = s! (n - s - 1)! / n!``, ``g`` groups and ``b = |B_k|``. Equivalently, ``phi_i`` is
    the average marginal contribution over the feature orders that keep each group together. The
    values add up to ``f(x) - base value``; a group's values add up to the Shapley value of the
    group in the game between groups, so two copies of a feature in one group share their credit
    without taking any from other groups. With one feature per group, or all features in one
    group, Owen values are Shapley values. ``v`` is the interventional value function of
    :func:`exact_shapley`.

    ``groups`` is a dict ``{name: [features]}`` or a list of feature lists; a feature in no group
    forms a group of its own. The cost is ``2**g + sum_k 2**(g - 1) * (2**|B_k| - 2)`` coalitions
    per row (at most ``2**M``), each averaged over the background; above ``max_coalitions`` the
    function refuses.
    """
    f = as_prediction_function(f, name="f")
    X = check_frame(X, name="X")
    columns = [str(c) for c in X.columns]
    m = len(columns)
    members = _owen_groups(groups, columns)
    max_coalitions = check_positive_int(max_coalitions, name="max_coalitions")
    g = len(members)
    # distinct coalitions: unions of whole groups, plus those with one group cut short
    n_needed = 2 ** g + sum(2 ** (g - 1) * (2 ** len(b) - 2) for b in members)
    if m > 62 or n_needed > max_coalitions:
        raise ValueError(f"owen_values needs {n_needed:,} coalitions per row for {g} groups of {m} features, "
                         f"more than max_coalitions={max_coalitions:,}; use fewer, larger groups, or raise "
                         "max_coalitions if you can wait")
    check_memory(len(X) * n_needed * 16.0 + max(_MAX_CANDIDATES, n_needed * len(background)) * 48,
                 what=f"owen_values over {n_needed:,} coalitions for {len(X)} row(s) and {len(background)} "
                      "background rows", knob="the number of groups or rows")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    feature_bit = [1 << j for j in range(m)]
    group_bit = [sum(feature_bit[j] for j in b) for b in members]
    plan = []                                       # per group: codes of R, |R|
    needed = []
    for k, b in enumerate(members):
        r_codes, r_sizes = _subset_codes([h for h in range(g) if h != k], group_bit)
        t_codes, _ = _subset_codes(b, feature_bit)
        plan.append((r_codes, r_sizes))
        needed.append((r_codes[:, None] | t_codes[None, :]).reshape(-1))
    codes = np.unique(np.concatenate(needed))
    full = np.int64((1 << m) - 1)
    inner_codes = codes[(codes != 0) & (codes != full)]
    masks = ((inner_codes[:, None] >> np.arange(m, dtype=np.int64)) & 1).astype(bool)
    rows = np.arange(len(X))
    inner = game.values(rows, [masks] * len(X)) if len(inner_codes) else [np.empty(0)] * len(X)
    all_codes = np.concatenate([[0], inner_codes, [full]])
    order = np.argsort(all_codes)
    all_codes = all_codes[order]
    v = np.column_stack([np.full(len(X), base_value), np.vstack(inner).reshape(len(X), -1), prediction])[:, order]
    w_between = _shapley_weights(g)
    values = np.zeros((len(X), m))
    for k, b in enumerate(members):
        r_codes, r_sizes = plan[k]
        w_within = _shapley_weights(len(b))
        for i in b:
            t_codes, t_sizes = _subset_codes([h for h in b if h != i], feature_bit)
            without = (r_codes[:, None] | t_codes[None, :]).reshape(-1)
            weight = (w_between[r_sizes][:, None] * w_within[t_sizes][None, :]).reshape(-1)
            with_i = np.searchsorted(all_codes, without | feature_bit[i])
            gain = v[:, with_i] - v[:, np.searchsorted(all_codes, without)]
            values[:, i] = gain @ weight
    values[~game.varying(rows)] = 0.0               # null player, exactly (no rounding residue)
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "owen",
                         _output_name(f), game.n_evaluations)

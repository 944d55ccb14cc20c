"""The sanity checks of Adebayo et al. (2018) for tabular models: randomise the model, compare.

Two ways to randomise: refit on shuffled labels (*data randomisation*) or overwrite the trained
model's parameters with random ones (*model parameter randomisation*: leaf values of a tree
ensemble, coefficients of a linear model), see :func:`randomise_parameters`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.tree import DecisionTreeRegressor

from xaibook._validation import (
    RandomStateLike,
    as_generator,
    check_fitted_model,
    check_frame,
    check_positive_int,
    check_target,
)
from xaibook.faithfulness.attributions import _check_names, _spearman_rows, attribution_matrix

__all__ = [
    "RandomisationCheck",
    "model_randomisation_check",
    "randomise_parameters",
]


@dataclass(frozen=True, eq=False)
class RandomisationCheck:
    """How similar each method's explanation stays when the model is randomised.

    ``kind`` says how: ``"labels"`` (refit on shuffled labels, the data randomisation test) or
    ``"parameters"`` (the trained parameters replaced by random ones). ``similarity[method]``
    holds, per repeat, the Spearman correlation of ``|attribution|`` between the model and its
    randomised version (averaged over the explained rows for a local method). Near 1 means the
    explanation ignores what the model learnt: the method fails the sanity check.
    ``size_ratio[method]`` is the total ``|attribution|`` after over the total before: chapter 8
    shows that the size can tell a model of noise apart when the order does not.
    ``original_score`` and ``randomised_scores`` are the models' scores (``scoring``) on the
    training data with the true labels.
    """

    feature_names: tuple[str, ...]
    similarity: Mapping[str, np.ndarray]
    size_ratio: Mapping[str, np.ndarray]
    original_score: float
    randomised_scores: np.ndarray
    scoring: str
    kind: str = "labels"

    def summary(self) -> pd.DataFrame:
        """Mean ``rank_correlation`` and ``size_ratio`` per method over the repeats, most similar
        (least sane) first."""
        frame = pd.DataFrame({"rank_correlation": {m: float(np.mean(v)) for m, v in self.similarity.items()},
                              "size_ratio": {m: float(np.mean(v)) for m, v in self.size_ratio.items()}})
        return frame.rename_axis("method").sort_values("rank_correlation", ascending=False)

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``method``, ``repeat``, ``rank_correlation``, ``size_ratio``."""
        return pd.DataFrame([{"method": m, "repeat": r, "rank_correlation": float(v),
                              "size_ratio": float(self.size_ratio[m][r])}
                             for m, values in self.similarity.items() for r, v in enumerate(values)])


def _final_estimator(model: Any) -> Any:
    return model.steps[-1][1] if hasattr(model, "steps") else model


def _randomise_trees(estimator: Any, fraction: float, rng: np.random.Generator) -> None:
    """Overwrite the leaf values of the last ``fraction`` of a gradient-boosting ensemble's trees
    (or of a single regression tree) with normal draws of the tree's own leaf spread."""
    trees = ([estimator] if isinstance(estimator, DecisionTreeRegressor)
             else list(np.asarray(estimator.estimators_).ravel()))
    n = int(round(fraction * len(trees)))
    for tree in trees[len(trees) - n:]:                     # the cascade starts at the output end
        structure = tree.tree_
        leaves = structure.children_left == -1
        values = structure.value[leaves]
        spread = float(values.std()) or float(np.abs(values).mean()) or 1.0
        structure.value[leaves] = rng.normal(0.0, spread, size=values.shape)


def _randomise_linear(estimator: Any, fraction: float, rng: np.random.Generator) -> None:
    """Overwrite the last ``fraction`` of a linear model's coefficients (in column order) with
    normal draws of the coefficients' own spread; the intercept stays."""
    coef = np.array(estimator.coef_, dtype=float)
    flat = coef.reshape(-1)
    n = int(round(fraction * flat.size))
    spread = float(flat.std()) or float(np.abs(flat).mean()) or 1.0
    flat[flat.size - n:] = rng.normal(0.0, spread, size=n)
    estimator.coef_ = flat.reshape(coef.shape)


def randomise_parameters(model: Any, *, fraction: float = 1.0, random_state: RandomStateLike = 0) -> Any:
    """A copy of a fitted ``model`` whose learnt parameters are replaced by random ones: the *model
    parameter randomisation* test of Adebayo et al. (2018) for tabular models.

    For a gradient-boosting ensemble (or a regression tree) the leaf values of the trees are drawn
    from a normal distribution with the spread of each tree's own leaf values; for a linear model
    (``coef_``) the coefficients are drawn with the spread of the trained ones, and the intercept
    stays. ``fraction`` randomises only the last share of the trees (or coefficients): the paper's
    *cascading* randomisation starts at the output and moves towards the input, and a boosting
    ensemble's last trees are the ones added last. The preprocessing of a pipeline is kept, so the
    copy reads the same columns; the tree structure (which features are split, and where) is kept
    too, as the network's architecture is in the paper. The model passed in is not changed.
    """
    check_fitted_model(model)
    fraction = _check_fraction(fraction)
    rng = as_generator(random_state)
    copy = deepcopy(model)
    estimator = _final_estimator(copy)
    if isinstance(estimator, DecisionTreeRegressor) or (
            hasattr(estimator, "estimators_") and np.asarray(estimator.estimators_).size
            and all(isinstance(t, DecisionTreeRegressor) for t in np.asarray(estimator.estimators_).ravel())):
        _randomise_trees(estimator, fraction, rng)
    elif hasattr(estimator, "coef_"):
        _randomise_linear(estimator, fraction, rng)
    else:
        raise TypeError("randomise_parameters supports gradient-boosting ensembles and regression trees "
                        "(leaf values) and linear models (coef_), in a pipeline or alone; got "
                        f"{type(estimator).__name__}. Use kind='labels' (refit on shuffled labels) for any model")
    return copy


def _check_fraction(fraction: Any) -> float:
    if isinstance(fraction, (bool, np.bool_)) or not isinstance(fraction, (int, float, np.integer, np.floating)):
        raise TypeError(f"fraction must be a number between 0 and 1, got {type(fraction).__name__}")
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1 (the share of parameters randomised), got {fraction}")
    return float(fraction)


def model_randomisation_check(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame,
                              explainers: Mapping[str, Callable[[Any, pd.DataFrame], Any]], *,
                              n_repeats: int = 1, scoring: str = "roc_auc", kind: str = "labels",
                              random_state: RandomStateLike = 0) -> RandomisationCheck:
    """A randomised model against the real one (Adebayo et al. 2018), for tables, ``n_repeats``
    times, comparing each method's explanation of the rows ``X`` before and after.

    ``kind="labels"``: the paper's *data randomisation* test, a clone of the fitted ``model`` refit
    on ``X_train`` with shuffled ``y_train``. ``kind="parameters"``: its *model parameter
    randomisation* test, the trained model with its parameters replaced by random ones
    (:func:`randomise_parameters`: leaf values of a boosting ensemble, coefficients of a linear
    model); no refit. Either way the scores are on ``X_train`` with the true labels.

    ``explainers`` maps a method's name to ``explain(model, X)`` returning a rows x features
    attribution or one value per feature. The comparison is the Spearman correlation of absolute
    attributions (per row, then averaged), as Adebayo et al. report. The label shuffle destroys
    what the model can learn, so an explanation that stays the same is not explaining the model.
    """
    check_fitted_model(model)
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    X = check_frame(X, name="X")
    if list(X.columns) != list(X_train.columns):
        _check_names(X.columns, list(X_train.columns), "X")
        X = X[list(X_train.columns)]
    y_train = check_target(y_train, X_train, name="y_train")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    if not isinstance(explainers, Mapping) or not explainers:
        raise TypeError("explainers must be a non-empty mapping {name: explain(model, X)}")
    bad = [name for name, fn in explainers.items() if not callable(fn)]
    if bad:
        raise TypeError(f"explainers {bad} are not functions explain(model, X)")
    if kind not in ("labels", "parameters"):
        raise ValueError(f"kind must be 'labels' (refit on shuffled labels) or 'parameters' (randomise the "
                         f"trained model's parameters), got {kind!r}")
    scorer = get_scorer(scoring)
    rng = as_generator(random_state)
    original = {name: np.abs(attribution_matrix(fn(model, X), X, f"explainers[{name!r}]"))
                for name, fn in explainers.items()}
    similarity: dict[str, list[float]] = {name: [] for name in explainers}
    sizes: dict[str, list[float]] = {name: [] for name in explainers}
    scores = []
    for _ in range(n_repeats):
        if kind == "labels":
            refit = clone(model).fit(X_train, y_train[rng.permutation(len(y_train))])
        else:
            refit = randomise_parameters(model, random_state=int(rng.integers(2**31)))
        scores.append(float(scorer(refit, X_train, y_train)))
        for name, fn in explainers.items():
            after = np.abs(attribution_matrix(fn(refit, X), X, f"explainers[{name!r}]"))
            similarity[name].append(float(_spearman_rows(original[name], after).mean()))
            before = original[name].sum()
            sizes[name].append(float(after.sum() / before) if before > 0 else float("inf"))
    return RandomisationCheck(tuple(X.columns), {k: np.array(v) for k, v in similarity.items()},
                              {k: np.array(v) for k, v in sizes.items()},
                              float(scorer(model, X_train, y_train)), np.array(scores), scoring, kind)



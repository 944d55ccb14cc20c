"""The sanity checks of Adebayo et al. (2018) for tabular models: randomise the model, compare.

Two ways to randomise: refit on shuffled labels (*data randomisation*) or overwrite the trained
model's parameters with random ones (*model parameter randomisation*: leaf values of a tree
ensemble, coefficients of a linear model), see :func:`randomise_parameters`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

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
]


@dataclass(frozen=True, eq=False)
class RandomisationCheck:
    """How similar each method's explanation stays when the model is refitted on shuffled labels.

    ``similarity[method]`` holds, per repeat (one label shuffle each), the Spearman correlation of
    ``|attribution|`` between the model and its randomised refit (averaged over the explained rows
    for a local method). Near 1 means the explanation ignores what the model learnt: the method
    fails the sanity check. ``size_ratio[method]`` is the total ``|attribution|`` after over the
    total before: chapter 8 shows that the size can tell a model of noise apart when the order does
    not. ``original_score`` and ``randomised_scores`` are the models' scores (``scoring``) on the
    training data with the true labels.
    """

    feature_names: tuple[str, ...]
    similarity: Mapping[str, np.ndarray]
    size_ratio: Mapping[str, np.ndarray]
    original_score: float
    randomised_scores: np.ndarray
    scoring: str

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


def model_randomisation_check(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame,
                              explainers: Mapping[str, Callable[[Any, pd.DataFrame], Any]], *,
                              n_repeats: int = 1, scoring: str = "roc_auc",
                              random_state: RandomStateLike = 0) -> RandomisationCheck:
    """A randomised model against the real one (Adebayo et al. 2018), for tables: refit a clone of
    the fitted ``model`` on ``X_train`` with shuffled ``y_train`` (``n_repeats`` shuffles) and
    compare each method's explanation of the rows ``X`` before and after. This is the paper's
    *data randomisation* test; its *model parameter randomisation* test re-initialises a trained
    network's weights (for trees: randomised leaf values), which is not implemented here.

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
    scorer = get_scorer(scoring)
    rng = as_generator(random_state)
    original = {name: np.abs(attribution_matrix(fn(model, X), X, f"explainers[{name!r}]"))
                for name, fn in explainers.items()}
    similarity: dict[str, list[float]] = {name: [] for name in explainers}
    sizes: dict[str, list[float]] = {name: [] for name in explainers}
    scores = []
    for _ in range(n_repeats):
        refit = clone(model).fit(X_train, y_train[rng.permutation(len(y_train))])
        scores.append(float(scorer(refit, X_train, y_train)))
        for name, fn in explainers.items():
            after = np.abs(attribution_matrix(fn(refit, X), X, f"explainers[{name!r}]"))
            similarity[name].append(float(_spearman_rows(original[name], after).mean()))
            before = original[name].sum()
            sizes[name].append(float(after.sum() / before) if before > 0 else float("inf"))
    return RandomisationCheck(tuple(X.columns), {k: np.array(v) for k, v in similarity.items()},
                              {k: np.array(v) for k, v in sizes.items()},
                              float(scorer(model, X_train, y_train)), np.array(scores), scoring)



"""Remove and retrain (ROAR, Hooker, Erhan, Kindermans & Kim 2019), with one global ranking or per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

from xaibook._validation import RandomStateLike, as_generator, check_frame, check_positive_int, check_target
from xaibook.faithfulness.attributions import _check_names, _orders, attribution_matrix

__all__ = [
    "RemoveAndRetrain",
    "remove_and_retrain",
]


@dataclass(frozen=True, eq=False)
class RemoveAndRetrain:
    """Test scores of refits after removing the top features of a global attribution (ROAR).

    ``removed[k]`` are the features removed at step ``k`` (the ``k`` ranked first), ``scores[k]`` the
    refitted model's test score (``scoring``), ``fractions[k] = k / n_features``. ``area`` is the
    area under the scores: a faithful ranking removes what the *data* needs first, so low is good.
    """

    feature_names: tuple[str, ...]
    fractions: np.ndarray
    scores: np.ndarray
    removed: tuple[tuple[str, ...], ...]
    scoring: str

    def __post_init__(self) -> None:
        for field in ("fractions", "scores"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    @property
    def area(self) -> float:
        return float(np.sum((self.scores[1:] + self.scores[:-1]) / 2 * np.diff(self.fractions)))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``n_removed``, ``fraction``, ``removed`` (the last feature removed), ``score``."""
        return pd.DataFrame({"n_removed": np.arange(len(self.scores)), "fraction": self.fractions,
                             "removed": ["" if not r else r[-1] for r in self.removed], "score": self.scores})


def _uninformative(X_train: pd.DataFrame) -> dict[str, Any]:
    """The constant that replaces each removed feature: the training mean (numbers) or mode (categories)."""
    return {c: (X_train[c].mean() if pd.api.types.is_numeric_dtype(X_train[c]) else X_train[c].mode().iloc[0])
            for c in X_train.columns}


def remove_and_retrain(estimator: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any,
                       attributions: Any, *, n_removed: Sequence[int] | None = None, scoring: str = "roc_auc",
                       random_state: RandomStateLike = 0) -> RemoveAndRetrain:
    """ROAR (Hooker et al. 2019) with one global ranking: remove the ``k`` features ranked first by
    ``attributions`` (one value per feature, or rows x features of ``X_test``, averaged in absolute
    value) from training and test data, replacing them by an uninformative constant (training mean
    or mode), refit a clone of ``estimator`` and score it on the test data, for each ``k`` in
    ``n_removed`` (default 0, 1, ..., all). Hooker et al. remove per-image pixels; on a table one
    ranking for all rows keeps the refit's input the same for every row.

    Retraining is the point: a removed feature whose information another feature still carries (a
    correlated twin) costs the refit little, so ROAR rewards rankings of what the *data* needs,
    where the deletion curve rewards what the fitted *model* uses.
    """
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    X_test = check_frame(X_test, name="X_test", min_rows=2)
    if list(X_test.columns) != list(X_train.columns):
        _check_names(X_test.columns, list(X_train.columns), "X_test")
        X_test = X_test[list(X_train.columns)]
    y_train, y_test = check_target(y_train, X_train, name="y_train"), check_target(y_test, X_test, name="y_test")
    if not (hasattr(estimator, "fit") and (hasattr(estimator, "predict") or hasattr(estimator, "predict_proba"))):
        raise TypeError("estimator must be a scikit-learn estimator with fit and predict, "
                        f"got {type(estimator).__name__}")
    scorer = get_scorer(scoring) if isinstance(scoring, str) else None
    if scorer is None:
        raise TypeError(f"scoring must be the name of a scikit-learn scorer, got {type(scoring).__name__}")
    values = attribution_matrix(attributions, X_test)
    importance = np.abs(values).mean(axis=0)
    order = _orders(importance, as_generator(random_state))
    m = X_train.shape[1]
    steps = list(range(m + 1)) if n_removed is None else [check_positive_int(k, name="n_removed", minimum=0)
                                                         for k in n_removed]
    if not steps or any(k > m for k in steps) or len(set(steps)) != len(steps):
        raise ValueError(f"n_removed must be distinct counts between 0 and {m}, got {n_removed}")
    steps = sorted(steps)
    names = list(X_train.columns)
    fill = _uninformative(X_train)
    scores, removed = [], []
    for k in steps:
        gone = [names[j] for j in order[:k]]
        A, B = X_train.copy(), X_test.copy()
        for feature in gone:
            A[feature], B[feature] = fill[feature], fill[feature]
        refit = clone(estimator).fit(A, y_train)
        scores.append(float(scorer(refit, B, y_test)))
        removed.append(tuple(gone))
    return RemoveAndRetrain(tuple(names), np.array(steps) / m, np.array(scores), tuple(removed), scoring)



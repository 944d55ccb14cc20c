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
    """Test scores of refits after removing the top features of an attribution (ROAR).

    ``scores[k]`` is the refitted model's test score (``scoring``) once ``n_removed[k]`` features
    are removed, ``fractions[k] = n_removed[k] / n_features``. With one global ranking
    (``per_row=False``) ``removed[k]`` are the features removed at step ``k``, the same for every
    row; with each row's own ranking (``per_row=True``) they are the features removed from at least
    one test row, most often removed first. ``area`` is the area under the scores: a faithful
    ranking removes what the *data* needs first, so low is good.
    """

    feature_names: tuple[str, ...]
    fractions: np.ndarray
    scores: np.ndarray
    removed: tuple[tuple[str, ...], ...]
    scoring: str
    per_row: bool = False

    def __post_init__(self) -> None:
        for field in ("fractions", "scores"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    @property
    def n_removed(self) -> np.ndarray:
        """The number of features removed (per row) at each step."""
        return np.rint(self.fractions * len(self.feature_names)).astype(int)

    @property
    def area(self) -> float:
        return float(np.sum((self.scores[1:] + self.scores[:-1]) / 2 * np.diff(self.fractions)))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``n_removed``, ``fraction``, ``removed`` (global ranking: the last feature
        removed; per row: ``"per row"``), ``score``."""
        last = ["per row" if self.per_row and r else "" if not r else r[-1] for r in self.removed]
        return pd.DataFrame({"n_removed": self.n_removed, "fraction": self.fractions,
                             "removed": last, "score": self.scores})


def _uninformative(X_train: pd.DataFrame) -> dict[str, Any]:
    """The constant that replaces each removed feature: the training mean (numbers) or mode (categories)."""
    return {c: (X_train[c].mean() if pd.api.types.is_numeric_dtype(X_train[c]) else X_train[c].mode().iloc[0])
            for c in X_train.columns}


def _ranks(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``ranks[i, j]``: the position of feature ``j`` in row ``i``'s order by decreasing |value|."""
    orders = _orders(np.abs(values), rng)
    ranks = np.empty_like(orders)
    np.put_along_axis(ranks, orders, np.arange(values.shape[1])[None, :].repeat(len(values), 0), axis=1)
    return ranks


def _remove(frame: pd.DataFrame, mask: np.ndarray, fill: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with ``frame[i, j]`` set to ``fill[j]`` where ``mask[i, j]``."""
    out = frame.copy()
    for j, name in enumerate(frame.columns):
        if mask[:, j].all():
            out[name] = fill[name]
        elif mask[:, j].any():
            numeric = pd.api.types.is_numeric_dtype(frame[name])
            column = frame[name].to_numpy(dtype=float if numeric else object)
            out[name] = np.where(mask[:, j], np.array(fill[name], dtype=column.dtype), column)
    return out


def _check_steps(n_removed: Sequence[int] | None, m: int) -> list[int]:
    steps = list(range(m + 1)) if n_removed is None else [check_positive_int(k, name="n_removed", minimum=0)
                                                         for k in n_removed]
    if not steps or any(k > m for k in steps) or len(set(steps)) != len(steps):
        raise ValueError(f"n_removed must be distinct counts between 0 and {m}, got {n_removed}")
    return sorted(steps)


def _check_row_attributions(attributions: Any, X: pd.DataFrame, name: str) -> np.ndarray:
    if attributions is None:
        raise ValueError(f"per_row=True needs {name}: one attribution per row of the data it removes from")
    if not hasattr(attributions, "to_wide") and np.ndim(attributions) == 1:
        raise ValueError(f"per_row=True needs {name} as rows x features (each row's own ranking), got one "
                         "value per feature; use per_row=False for a global ranking")
    return attribution_matrix(attributions, X, name)


def remove_and_retrain(estimator: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any,
                       attributions: Any, *, n_removed: Sequence[int] | None = None, scoring: str = "roc_auc",
                       per_row: bool = False, train_attributions: Any = None,
                       random_state: RandomStateLike = 0) -> RemoveAndRetrain:
    """ROAR (Hooker et al. 2019): remove the ``k`` features an attribution ranks first from training
    *and* test data, replacing them by an uninformative constant (training mean or mode), refit a
    clone of ``estimator`` and score it on the test data, for each ``k`` in ``n_removed`` (default
    0, 1, ..., all). Features are ranked by ``|attribution|``; ties in random order (``random_state``).

    ``per_row=False`` (one global ranking): ``attributions`` is one value per feature, or rows x
    features of ``X_test`` averaged in absolute value; every row loses the same features.
    ``per_row=True`` is the paper's own form: each row loses *its own* top ``k`` features, ranked by
    its own attribution, so ``attributions`` (rows of ``X_test``) and ``train_attributions`` (rows
    of ``X_train``) are both rows x features, computed on the model being explained.

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
    if not isinstance(per_row, (bool, np.bool_)):
        raise TypeError(f"per_row must be True or False, got {type(per_row).__name__}")
    rng = as_generator(random_state)
    names, m = list(X_train.columns), X_train.shape[1]
    steps = _check_steps(n_removed, m)
    if per_row:
        test_ranks = _ranks(_check_row_attributions(attributions, X_test, "attributions"), rng)
        train_ranks = _ranks(_check_row_attributions(train_attributions, X_train, "train_attributions"), rng)
    else:
        if train_attributions is not None:
            raise ValueError("train_attributions is used only with per_row=True; the global ranking comes "
                             "from attributions alone")
        importance = np.abs(attribution_matrix(attributions, X_test)).mean(axis=0)
        test_ranks = _ranks(importance[None, :], rng)
        train_ranks = test_ranks
    fill = _uninformative(X_train)
    scores, removed = [], []
    for k in steps:
        test_mask = np.broadcast_to(test_ranks < k, X_test.shape)
        refit = clone(estimator).fit(_remove(X_train, np.broadcast_to(train_ranks < k, X_train.shape), fill),
                                     y_train)
        scores.append(float(scorer(refit, _remove(X_test, test_mask, fill), y_test)))
        counts = test_mask.sum(axis=0)
        removed.append(tuple(names[j] for j in sorted(np.flatnonzero(counts), key=lambda j: (-counts[j],
                                                                                            test_ranks[:, j].mean()))))
    return RemoveAndRetrain(tuple(names), np.array(steps) / m, np.array(scores), tuple(removed), scoring,
                            bool(per_row))

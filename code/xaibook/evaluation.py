"""Model evaluation used by the book: held-out discrimination and calibration, with uncertainty.

:func:`paired_auc_difference`
    the ROC AUC gap between two models on one test set, with a paired bootstrap interval.
:func:`expected_calibration_error`
    mean gap between observed rates and predicted probabilities over equal-width bins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from xaibook._validation import (
    RandomStateLike,
    as_legacy_random_state,
    as_numbers,
    check_positive_int,
    pair_by_label,
)

__all__ = ["paired_auc_difference", "AucDifference", "expected_calibration_error"]


def _rank_auc(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of each row of ``scores`` against the matching row of ``y`` (Mann-Whitney U)."""
    ranks = stats.rankdata(scores, axis=-1)  # average ranks: ties count one half
    n_pos = y.sum(axis=-1)
    n_neg = y.shape[-1] - n_pos
    return ((ranks * y).sum(axis=-1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@dataclass(frozen=True)
class AucDifference:
    """``auc_a - auc_b`` on one test set with a paired bootstrap interval."""

    auc_a: float
    auc_b: float
    difference: float
    ci_low: float
    ci_high: float
    confidence: float
    n_bootstrap: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def paired_auc_difference(y: Any, proba_a: Any, proba_b: Any, *, n_bootstrap: int = 2000,
                          confidence: float = 0.95, random_state: RandomStateLike = 0) -> AucDifference:
    """Difference of two models' ROC AUC on the same test rows, with a paired percentile
    bootstrap interval (resample rows once, score both models on the same resample).

    Pandas ``y`` and scores are paired by their index labels; a labelled ``y`` next to bare arrays
    (or the reverse) is refused (:func:`xaibook._validation.pair_by_label`). The AUC is computed
    as the Mann-Whitney statistic from average ranks, vectorised over the resamples; resamples
    with a single class are redrawn.
    """
    y, scores = pair_by_label(y, {"proba_a": proba_a, "proba_b": proba_b})  # by index label, never by chance
    y, proba_a, proba_b = np.asarray(y), scores["proba_a"], scores["proba_b"]
    a, b = as_numbers(proba_a, name="proba_a"), as_numbers(proba_b, name="proba_b")
    if y.ndim != 1 or a.shape != y.shape or b.shape != y.shape:
        raise ValueError(f"y, proba_a and proba_b must be 1-D of equal length, got shapes "
                         f"{y.shape}, {a.shape}, {b.shape}")
    if pd.isna(y).any():
        raise ValueError("y contains missing values")
    for label, proba in (("proba_a", a), ("proba_b", b)):
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"{label} contains NaN or infinite values; pass finite scores")
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(f"y must contain exactly two classes, got {classes.tolist()}")
    n_bootstrap = check_positive_int(n_bootstrap, name="n_bootstrap", minimum=10)
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    positive = (y == classes[1]).astype(float)
    if len(y) == 2:  # its only two-class resample is the data itself: an interval of width 0
        raise ValueError("y has one row of each class, so every bootstrap resample that holds both classes is "
                         "the data itself and the interval has width 0; pass more rows")
    rng = as_legacy_random_state(random_state)
    idx = rng.randint(0, len(y), (n_bootstrap, len(y)))
    for _ in range(100):  # redraw resamples with a single class (no AUC) until all n_bootstrap have two
        both = positive[idx].sum(axis=1)
        single = (both == 0) | (both == len(y))
        if not single.any():
            break
        idx[single] = rng.randint(0, len(y), (int(single.sum()), len(y)))
    else:
        raise ValueError(f"too many bootstrap resamples of y hold a single class (y has {int(positive.sum())} "
                         f"of {len(y)} rows in class {classes[1]!r}); the interval needs more rows of each class")
    diffs = _rank_auc(positive[idx], a[idx]) - _rank_auc(positive[idx], b[idx])
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    auc_a, auc_b = float(_rank_auc(positive, a)), float(_rank_auc(positive, b))
    return AucDifference(auc_a=auc_a, auc_b=auc_b, difference=auc_a - auc_b, ci_low=float(low),
                         ci_high=float(high), confidence=float(confidence), n_bootstrap=len(idx))


def expected_calibration_error(y_true: Any, proba: Any, bins: int = 10) -> float:
    """Mean |observed rate - mean predicted probability| over equal-width bins, weighted by size.

    ``y_true`` holds 0/1 outcomes (pandas inputs are paired by their index labels; a labelled
    ``y_true`` next to a bare array is refused, :func:`xaibook._validation.pair_by_label`), ``proba`` the
    predicted probabilities of 1, in [0, 1]; ``bins`` is the number of equal-width bins (>= 1).
    """
    bins = check_positive_int(bins, name="bins")
    y_true, proba = pair_by_label(y_true, {"proba": proba}, name="y_true")
    proba = proba["proba"]
    y_true = as_numbers(y_true, name="y_true")
    proba = as_numbers(proba, name="proba")
    if y_true.ndim != 1 or proba.shape != y_true.shape:
        raise ValueError(f"y_true and proba must be 1-D of equal length, got shapes {y_true.shape} and {proba.shape}")
    if len(y_true) == 0:
        raise ValueError("y_true and proba are empty; the calibration error of no predictions is undefined")
    if not np.all(np.isin(y_true, (0.0, 1.0))):
        raise ValueError("y_true must hold 0/1 outcomes (NaN and other labels are not allowed)")
    if not np.all((proba >= 0) & (proba <= 1)):
        raise ValueError("proba must hold probabilities in [0, 1] (NaN is not allowed); pass predict_proba(X)[:, 1]")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(proba, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(y_true[mask].mean() - proba[mask].mean())
    return float(error)

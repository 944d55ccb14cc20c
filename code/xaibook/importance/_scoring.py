"""Input checks shared by the importance variants: data against the fitted model, the scorer
(scikit-learn's names and sign convention), and a finite baseline score."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.integrate import trapezoid
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.pipeline import Pipeline

from xaibook._validation import check_fitted_model, check_frame, check_labels, check_model_input, check_target

__all__: list[str] = []


def _check_xy(X: Any, y: Any, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """``X`` with at least two rows (one row cannot be shuffled) and ``y`` aligned to it."""
    X = check_frame(X, name=name, allow_nan=True, min_rows=2)
    return X, check_target(y, X, name=name.replace("X", "y"), frame_name=name)


def _check_data(model: Any, X: Any, y: Any, *, name: str = "X") -> tuple[pd.DataFrame, np.ndarray]:
    check_fitted_model(model)
    X, y = _check_xy(X, y, name)
    check_model_input(model, X, name=name)
    check_labels(model, y, name=name.replace("X", "y"))
    return X, y


def _check_score(score: Any, scoring_name: str, y: np.ndarray, name: str = "X") -> float:
    """The baseline score must be a finite number: NaN (e.g. ROC AUC of one class) makes every
    importance NaN or, worse, zero."""
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise TypeError(f"scoring {scoring_name!r} returned {type(score).__name__}, not a number") from None
    if not np.isfinite(value):
        classes = np.unique(y)
        hint = f" ({name.replace('X', 'y')} has only the class {classes.tolist()})" if len(classes) < 2 else ""
        raise ValueError(f"the score {scoring_name!r} is {value} on {name}{hint}; importances are "
                         "differences of scores, so they need a finite score: use more rows or another scoring")
    return value


def _default_scoring(model: Any) -> str | None:
    """The scorer equal to ``model.score``: accuracy for classifiers, R² for regressors."""
    final = model[-1] if isinstance(model, Pipeline) else model
    score = getattr(type(final), "score", None)
    if score is ClassifierMixin.score:
        return "accuracy"
    if score is RegressorMixin.score:
        return "r2"
    return None


def _resolve_scorer(model: Any, scoring: Any) -> tuple[Callable, str]:
    """Return ``(scorer, name)``. Scores follow scikit-learn's sign convention: higher is better
    (losses are negated, e.g. ``neg_log_loss``), so an importance is always "score lost"."""
    if scoring is None:
        default = _default_scoring(model)
        if default is not None:
            return get_scorer(default), default
        return check_scoring(model), f"{type(model).__name__}.score"
    if isinstance(scoring, str):
        names = get_scorer_names()
        if scoring not in names:
            close = difflib.get_close_matches(scoring, names, n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise ValueError(f"unknown scorer {scoring!r}{hint} (scoring takes the names in "
                             "sklearn.metrics.get_scorer_names())")
        return get_scorer(scoring), scoring
    if callable(scoring):
        _check_scorer_signature(scoring)
        if hasattr(scoring, "_score_func"):  # make_scorer(...): its repr names the metric and options
            return scoring, repr(scoring)
        return scoring, getattr(scoring, "__name__", type(scoring).__name__)
    raise TypeError(f"scoring must be None, a scorer name or a callable scorer(model, X, y); "
                    f"got {type(scoring).__name__} (several scorers at once are not supported: "
                    "call the function once per scorer)")


def _check_scorer_signature(scoring: Callable) -> None:
    """A metric ``metric(y_true, y_pred)`` passed where a scorer ``scorer(model, X, y)`` is expected
    is the commonest mistake; name it and the fix instead of failing inside scikit-learn."""
    import inspect

    try:
        params = list(inspect.signature(scoring).parameters.values())
    except (TypeError, ValueError):
        return
    first = params[0].name if params else ""
    sklearn_metric = inspect.isfunction(scoring) and (scoring.__module__ or "").startswith("sklearn.metrics")
    if first in ("y_true", "labels_true") or sklearn_metric:
        metric = getattr(scoring, "__name__", "the metric")
        raise TypeError(f"scoring={metric} is a metric metric(y_true, y_pred), not a scorer "
                        f"scorer(model, X, y); pass its name (e.g. scoring='roc_auc') or "
                        f"sklearn.metrics.make_scorer({metric}, response_method=...)")


def _roc_auc_of_rows(positive: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of every row of ``scores`` (``n_blocks x n_rows``, finite) against one boolean
    label vector ``positive`` (both classes present), equal bit for bit to
    ``sklearn.metrics.roc_auc_score(positive, row)``, without its per-call input checks.

    The area is the trapezoid rule over the ROC points, built as scikit-learn
    builds them: at each distinct score, from the highest down, the counts of positives (TP) and
    negatives (FP) scoring at or above it, which are exact integers whatever the order of tied
    rows; points on a straight line between their neighbours dropped; the origin prepended; the
    counts divided by their totals; then scipy's ``trapezoid``, the function scikit-learn calls.
    The tests compare it with ``roc_auc_score`` on ties, constant scores and the case studies.
    """
    labels = positive.astype(np.float64)
    order = np.argsort(scores, axis=1, kind="stable")[:, ::-1]          # descending
    sorted_scores = np.take_along_axis(scores, order, axis=1)
    true_positives = np.cumsum(labels[order], axis=1)
    last = scores.shape[1] - 1
    areas = np.empty(len(scores))
    for b, (row, tp) in enumerate(zip(sorted_scores, true_positives)):
        thresholds = np.r_[np.flatnonzero(np.diff(row)), last]
        tps = tp[thresholds]
        fps = 1 + thresholds.astype(np.float64) - tps
        if len(fps) > 2:
            keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
            tps, fps = tps[keep], fps[keep]
        tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
        areas[b] = float(trapezoid(tps / tps[-1], fps / fps[-1]))
    return areas

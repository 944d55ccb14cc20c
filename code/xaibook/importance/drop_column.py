"""Drop-column importance: how much worse a model *refitted without* a feature scores."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer

from xaibook._validation import check_features
from xaibook.importance._scoring import _check_score, _check_xy, _resolve_scorer
from xaibook.importance.results import DropColumnImportance

__all__ = ["drop_column_importance", "without_columns"]


def _select(spec: Any, keep: Sequence[str]) -> Any:
    """A ColumnTransformer column selection restricted to the columns in ``keep``."""
    if callable(spec):
        return spec  # a selector (e.g. make_column_selector) picks from the columns it is given
    if isinstance(spec, str):
        return spec if spec in keep else []
    values = list(spec) if not isinstance(spec, slice) else None
    if values is None or not all(isinstance(v, str) for v in values):
        raise ValueError("drop_column_importance can only rebuild ColumnTransformers that select "
                         "columns by name; pass make_model=lambda columns: <unfitted model> instead")
    return [v for v in values if v in keep]


def without_columns(estimator: Any, keep: Sequence[str]) -> Any:
    """An unfitted clone of ``estimator`` whose ColumnTransformers use only the columns ``keep``.

    Every ColumnTransformer inside the estimator (at any depth of a Pipeline) has its column lists
    filtered; a transformer left with no column is removed. Anything else is cloned unchanged.
    """
    keep = [keep] if isinstance(keep, str) else list(keep)  # a name, never its letters
    model = clone(estimator)
    parts = [model] + [v for v in model.get_params(deep=True).values()] \
        if hasattr(model, "get_params") else [model]
    transformers = [part for part in parts if isinstance(part, ColumnTransformer)]
    specs = [spec for part in transformers for _, _, spec in part.transformers]
    names_only = all(isinstance(spec, str) or (not callable(spec) and not isinstance(spec, slice)
                                                 and all(isinstance(v, str) for v in spec)) for spec in specs)
    if transformers and names_only:  # selections by position or by function: _select says what to do
        named = {v for spec in specs for v in ([spec] if isinstance(spec, str) else list(spec))}
        unknown = [c for c in keep if c not in named]
        if unknown:
            raise ValueError(f"keep names column(s) {unknown} that the estimator's ColumnTransformers do not "
                             f"use; they use {sorted(map(str, named))}")
    for part in parts:
        if isinstance(part, ColumnTransformer):
            rebuilt = [(name, transformer, _select(spec, keep))
                       for name, transformer, spec in part.transformers]
            part.set_params(transformers=[t for t in rebuilt if not (isinstance(t[2], list) and not t[2])])
    return model


def drop_column_importance(estimator: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any, *,
                           scoring: Any = None,
                           features: Sequence[str] | None = None,
                           make_model: Callable[[list[str]], Any] | None = None) -> DropColumnImportance:
    """Drop-column importance: how much worse a model *refitted without* a feature scores.

    ``importance_j = score(fit(all columns)) - score(fit(all columns but j))``, both scored on
    ``(X_test, y_test)``. Unlike permutation importance this retrains, so it measures what the
    feature adds beyond the others for this kind of model (a correlated stand-in can take over),
    at the cost of one refit per feature.

    The models are built by ``make_model(columns)`` (an unfitted estimator for those raw columns)
    when given; otherwise ``estimator`` is cloned (its fitted state is ignored) and every
    ColumnTransformer inside it is rebuilt for the remaining columns (see :func:`without_columns`).
    Keep the estimator's own ``random_state`` fixed so that refits differ only by the column.
    """
    X_train, y_train = _check_xy(X_train, y_train, "X_train")
    X_test, y_test = _check_xy(X_test, y_test, "X_test")
    if list(X_train.columns) != list(X_test.columns):
        raise ValueError("X_train and X_test must have the same columns in the same order")
    if make_model is None and not hasattr(estimator, "fit"):
        raise TypeError(f"estimator must have a fit method, got {type(estimator).__name__}; "
                        "or pass make_model=lambda columns: <unfitted model>")
    if make_model is not None and not callable(make_model):
        raise TypeError("make_model must be a function of the list of columns returning an unfitted model")
    features = list(X_train.columns) if features is None else \
        check_features(features, X_train, frame_name="X_train")
    build = make_model if make_model is not None else (lambda cols: without_columns(estimator, cols))

    def fit_and_score(columns: list[str]) -> tuple[float, str]:
        model = build(list(columns)).fit(X_train[columns], y_train)
        scorer, name = _resolve_scorer(model, scoring)
        return float(scorer(model, X_test[columns], y_test)), name

    all_columns = list(X_train.columns)
    baseline, scoring_name = fit_and_score(all_columns)
    baseline = _check_score(baseline, scoring_name, y_test, name="X_test")
    without = np.array([fit_and_score([c for c in all_columns if c != f])[0] for f in features])
    return DropColumnImportance(importances=baseline - without, feature_names=tuple(features),
                                baseline_score=baseline, scores_without=without, scoring=scoring_name)

"""Pipeline introspection: split a fitted pipeline, transform data, and trace every column the
final estimator sees back to the raw feature it was made from.

Used by the glass-box readers (:mod:`xaibook.glassbox`), TreeSHAP on pipelines
(:func:`xaibook.shapley.tree_shap`) and impurity importance
(:func:`xaibook.importance.impurity_importance`), so that all three agree on what a transformed
column means.

:func:`split_model`
    ``(preprocess, estimator)`` of a fitted pipeline.
:func:`transform`
    the preprocessing applied to a DataFrame, as a dense float array.
:func:`feature_groups`
    for each transformed column, the raw feature it comes from (one-hot aware, nested pipelines).
:func:`transformed_features`
    a table saying what each transformed column means: raw feature, one-hot level, and the affine
    map ``z = (x - center) / scale`` of a standardised numeric feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer, StandardScaler

from xaibook._validation import check_fitted_model

__all__ = ["split_model", "transform", "feature_groups", "transformed_features", "class_labels"]


def split_model(model: Any, *, name: str = "model") -> tuple[Any, Any]:
    """``(preprocess, estimator)`` of a fitted Pipeline, or ``(None, model)`` for a bare estimator.

    ``preprocess`` is every step but the last (one step is unwrapped; ``"passthrough"`` is None).
    """
    check_fitted_model(model, name=name)
    if isinstance(model, Pipeline):
        estimator = model.steps[-1][1]
        preprocess = model[:-1] if len(model.steps) > 1 else None
        if isinstance(preprocess, Pipeline) and len(preprocess.steps) == 1:
            preprocess = preprocess.steps[0][1]
        if preprocess in ("passthrough", None):
            preprocess = None
        return preprocess, estimator
    return None, model


def _input_columns(preprocess: Any, estimator: Any) -> list[str]:
    """The raw column names the model was fitted on (``x0, x1, ...`` if it recorded none)."""
    source = preprocess if preprocess is not None else estimator
    names = getattr(source, "feature_names_in_", None)
    if names is None:
        n = getattr(source, "n_features_in_", 0)
        return [f"x{i}" for i in range(n)]
    return [str(c) for c in names]


def _is_identity(step: Any) -> bool:
    if step in (None, "passthrough"):
        return True
    if isinstance(step, FunctionTransformer) and step.func is None:
        return True
    # an imputer leaves complete data unchanged (the book's data have no missing values)
    return isinstance(step, SimpleImputer) and not getattr(step, "add_indicator", False)


def _describe_block(transformer: Any, columns: list[str], n_out: int) -> list[dict]:
    """One dict per output column of ``transformer`` applied to ``columns``."""
    steps = transformer.steps if isinstance(transformer, Pipeline) else [(None, transformer)]
    center = np.zeros(len(columns))
    scale = np.ones(len(columns))
    affine = True
    for _, step in steps:
        if _is_identity(step):
            continue
        if isinstance(step, StandardScaler) and affine:
            mean = step.mean_ if step.mean_ is not None else np.zeros(len(columns))
            sd = step.scale_ if step.scale_ is not None else np.ones(len(columns))
            center = center + mean * scale
            scale = scale * sd
            continue
        if isinstance(step, OneHotEncoder) and step is steps[-1][1] and np.all(center == 0) \
                and np.all(scale == 1):
            return _describe_one_hot(step, columns, n_out)
        affine = False
    if affine and n_out == len(columns):
        return [{"feature": c, "raw_feature": c, "kind": "numeric", "category": None,
                 "center": float(m), "scale": float(s)} for c, m, s in zip(columns, center, scale)]
    return _describe_other(transformer, columns, n_out)


def _describe_one_hot(encoder: OneHotEncoder, columns: list[str], n_out: int) -> list[dict]:
    rows = []
    infrequent = getattr(encoder, "infrequent_categories_", None)
    if infrequent is not None and any(i is not None for i in infrequent):
        return _describe_other(encoder, columns, n_out)
    drop_idx = encoder.drop_idx_
    for i, column in enumerate(columns):
        dropped = None if drop_idx is None or drop_idx[i] is None else encoder.categories_[i][drop_idx[i]]
        for category in encoder.categories_[i]:
            if dropped is not None and category == dropped:
                continue
            rows.append({"feature": f"{column}={category}", "raw_feature": column, "kind": "onehot",
                         "category": category, "center": np.nan, "scale": np.nan,
                         "reference": dropped})
    if len(rows) != n_out:  # pragma: no cover - an encoder option we do not model
        return _describe_other(encoder, columns, n_out)
    return rows


def _describe_other(transformer: Any, columns: list[str], n_out: int) -> list[dict]:
    try:
        names = [str(n) for n in transformer.get_feature_names_out(columns)]
    except Exception:  # noqa: BLE001 - a transformer without names
        names = [f"{'+'.join(columns)}_{k}" for k in range(n_out)]
    per_column = n_out // len(columns) if columns and n_out % len(columns) == 0 else 0
    rows = []
    for k, out_name in enumerate(names):
        if len(columns) == 1:
            raw = columns[0]
        elif per_column and isinstance(transformer, SplineTransformer):
            raw = columns[k // per_column]
        else:
            raw = None
        rows.append({"feature": out_name, "raw_feature": raw, "kind": "other", "category": None,
                     "center": np.nan, "scale": np.nan})
    return rows


def _resolve_columns(ct: ColumnTransformer, columns: Any) -> list[str]:
    names = list(getattr(ct, "feature_names_in_", []))
    if isinstance(columns, str):
        return [columns]
    columns = list(np.atleast_1d(columns))
    if columns and isinstance(columns[0], (bool, np.bool_)):
        return [str(n) for n, keep in zip(names, columns) if keep]
    if columns and isinstance(columns[0], (int, np.integer)):
        return [str(names[i]) if names else f"x{i}" for i in columns]
    return [str(c) for c in columns]


def transformed_features(model: Any) -> pd.DataFrame:
    """What each column seen by the pipeline's final estimator means, in order.

    Returns one row per transformed column with ``feature`` (a readable name: the raw name for a
    numeric feature, ``"purpose=car"`` for a one-hot level), ``raw_feature``, ``kind``
    (``"numeric"``, ``"onehot"`` or ``"other"``), ``category``, ``reference`` (the dropped level
    of a one-hot block, if any) and, for numeric features, ``center`` and ``scale`` such that the
    estimator sees ``z = (x - center) / scale`` (StandardScaler: the training mean and SD).
    """
    preprocess, estimator = split_model(model)
    inputs = _input_columns(preprocess, estimator)
    if preprocess is None:
        rows = _describe_block("passthrough", inputs, len(inputs))
    elif isinstance(preprocess, ColumnTransformer):
        rows = []
        for block, transformer, columns in preprocess.transformers_:
            piece = preprocess.output_indices_.get(block, slice(0, 0))
            n_out = piece.stop - piece.start
            if transformer == "drop" or n_out == 0:
                continue
            rows += _describe_block(transformer, _resolve_columns(preprocess, columns), n_out)
    else:
        n_out = int(getattr(estimator, "n_features_in_", len(inputs)))
        rows = _describe_block(preprocess, inputs, n_out)
    frame = pd.DataFrame(rows, columns=["feature", "raw_feature", "kind", "category", "reference",
                                        "center", "scale"])
    if preprocess is not None and frame["raw_feature"].isna().any():
        # a block we cannot describe in raw units may still be traceable column by column
        try:
            traced = feature_groups(preprocess, inputs)
        except (TypeError, ValueError, AttributeError):
            traced = None
        if traced is not None and len(traced) == len(frame):
            frame["raw_feature"] = frame["raw_feature"].fillna(pd.Series(traced, index=frame.index))
    n_expected = getattr(estimator, "n_features_in_", len(frame))
    if len(frame) != n_expected:
        raise ValueError(f"could not map the {n_expected} columns the estimator sees to the raw "
                         f"features (found {len(frame)}); use a ColumnTransformer of "
                         "StandardScaler / OneHotEncoder blocks")
    return frame


def _encoder_widths(transformer: Any, n_inputs: int) -> list[int] | None:
    """Output columns per input column of a fitted transformer (one-hot aware), or None if unknown."""
    steps = getattr(transformer, "steps", None)
    last = steps[-1][1] if steps else transformer
    if hasattr(last, "categories_"):                      # OneHotEncoder, possibly at a pipeline's end
        widths = getattr(last, "_n_features_outs", None)
        if widths is None:
            widths = [len(c) for c in last.categories_]
        return [int(w) for w in widths]
    return None


def feature_groups(preprocessor: Any, raw_columns: Sequence[str]) -> list[str]:
    """For each output column of a fitted ``preprocessor``, the raw input feature it comes from.

    Understands a :class:`~sklearn.compose.ColumnTransformer` whose parts either keep one column
    per input (scalers, imputers, passthrough) or one-hot encode (``OneHotEncoder``, also at the
    end of a pipeline); a transformer that keeps the number of columns maps them one to one.
    """
    raw_columns = list(raw_columns)
    steps = getattr(preprocessor, "steps", None)
    if steps is not None:                                  # a pipeline: trace back step by step
        origin = {c: c for c in raw_columns}
        names = raw_columns
        for _, step in steps:
            if step == "passthrough" or step is None:
                continue
            parents = feature_groups(step, names)
            names = [str(c) for c in step.get_feature_names_out(names)]
            origin = {out: origin[parent] for out, parent in zip(names, parents)}
        return [origin[c] for c in names]
    n_out = len(preprocessor.get_feature_names_out())
    parts = getattr(preprocessor, "transformers_", None)
    if parts is None:
        if n_out != len(raw_columns):
            raise TypeError(f"cannot tell which of the {n_out} columns made by {type(preprocessor).__name__} "
                            "come from which feature; use aggregate=False")
        return raw_columns
    groups: list[str | None] = [None] * n_out
    for name, transformer, columns in parts:
        if transformer == "drop":
            continue
        cols = [raw_columns[c] if isinstance(c, (int, np.integer)) else c for c in np.atleast_1d(columns)]
        if np.asarray(columns).dtype == bool:
            cols = [c for c, keep in zip(raw_columns, columns) if keep]
        out = preprocessor.output_indices_[name]
        width = out.stop - out.start
        widths = None if transformer == "passthrough" else _encoder_widths(transformer, len(cols))
        if widths is None:
            if width != len(cols):
                raise TypeError(f"cannot map the {width} columns of transformer {name!r} to its {len(cols)} "
                                "input features; use aggregate=False to explain the transformed columns")
            widths = [1] * len(cols)
        position = out.start
        for col, w in zip(cols, widths):
            groups[position:position + w] = [col] * w
            position += w
    if any(g is None for g in groups):
        raise TypeError("some transformed columns could not be traced back to a feature; use aggregate=False")
    return [str(g) for g in groups]


def transform(preprocess: Any, X: pd.DataFrame) -> np.ndarray:
    """``preprocess.transform(X)`` as a dense float array (``X`` itself if there is no preprocessing)."""
    Z = X if preprocess is None else preprocess.transform(X)
    if sparse.issparse(Z):
        Z = Z.toarray()
    return np.asarray(Z, dtype=float)


def class_labels(estimator: Any) -> list:
    """The estimator's classes as plain Python values (``1``, not ``np.int64(1)``)."""
    return [c.item() if isinstance(c, np.generic) else c for c in estimator.classes_]

"""Validity, proximity, sparsity and diversity of any set of counterfactuals, ours or DiCE's
(:func:`counterfactual_metrics`, after Mothilal, Sharma & Tan 2020)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_frame, check_like_reference, check_positive_int, check_row_like
from xaibook.counterfactual.distance import distance_matrix

__all__ = ["counterfactual_metrics"]


def counterfactual_metrics(counterfactuals: pd.DataFrame, x: pd.DataFrame, X_reference: pd.DataFrame, *,
                           valid: Sequence[bool], n_requested: int | None = None,
                           ordered=None) -> dict[str, float]:
    """Validity, proximity, sparsity and diversity of any set of counterfactuals (ours or DiCE's).

    ``valid`` says which rows reach the desired class: booleans, one per row (ask the model, e.g.
    ``model.predict(counterfactuals) == desired_class``). Following Mothilal et al. (2020):
    ``validity`` = distinct valid rows / ``n_requested`` (default: the number of rows; it cannot be
    fewer); ``proximity`` = mean distance (:func:`distance_matrix`, ``ordered`` as there) from ``x``;
    ``sparsity`` = mean number of features changed; ``diversity`` = mean pairwise distance.
    Proximity, sparsity and diversity are computed over the distinct valid rows (NaN when there are
    none; diversity NaN with fewer than two). A row equal to ``x`` changes nothing: it is not a
    counterfactual and never counts as valid. The metrics differ from DiCE's in scale, not in kind:
    DiCE averages the distance over the features of each type and reports continuous and
    categorical proximity and diversity apart, and its sparsity is 1 - (features changed / all).
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = check_row_like(x, X_reference)
    counterfactuals = check_like_reference(counterfactuals, X_reference, name="counterfactuals")
    valid = _check_flags(valid, len(counterfactuals))
    if n_requested is None:
        n_requested = len(counterfactuals)
    else:
        n_requested = check_positive_int(n_requested, name="n_requested")
        if n_requested < len(counterfactuals):
            raise ValueError(f"n_requested={n_requested} is fewer than the {len(counterfactuals)} counterfactuals "
                             "given; validity is a share of the rows asked for (pass the number you asked for)")
    return _metrics(counterfactuals, x, valid, n_requested,
                    partial(distance_matrix, X_reference=X_reference, ordered=ordered))


def _metrics(counterfactuals: pd.DataFrame, x: pd.DataFrame, valid: np.ndarray, n_requested: int,
             distances: Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]) -> dict[str, float]:
    """:func:`counterfactual_metrics` for checked inputs, with ``distances(A, B)`` the distance
    matrix (the search passes one that reuses the reference's scales)."""
    unchanged = np.array([all(a == b for a, b in zip(row, x.iloc[0]))
                          for row in counterfactuals.itertuples(index=False)], dtype=bool).reshape(len(counterfactuals))
    rows = counterfactuals[valid & ~unchanged].drop_duplicates()
    out = {"validity": len(rows) / n_requested if n_requested else 0.0,
           "proximity": np.nan, "sparsity": np.nan, "diversity": np.nan, "n_valid": len(rows)}
    if len(rows):
        out["proximity"] = float(distances(rows, x)[:, 0].mean())
        out["sparsity"] = float((rows.to_numpy() != x.to_numpy()).sum(axis=1).mean())
    if len(rows) > 1:
        d = distances(rows, rows)
        out["diversity"] = float(d[np.triu_indices(len(rows), 1)].mean())
    return out


def _check_flags(valid: Any, n: int) -> np.ndarray:
    """``valid`` as a boolean array of length ``n``: booleans, or integers 0 and 1; nothing else."""
    if isinstance(valid, str) or not hasattr(valid, "__len__"):
        raise TypeError(f"valid must be one boolean per counterfactual, got {type(valid).__name__}")
    flags = np.asarray(valid)
    if flags.shape != (n,):
        raise ValueError(f"valid must have one flag per counterfactual ({n}), got shape {flags.shape}")
    if flags.dtype == object and all(isinstance(v, (bool, np.bool_)) for v in flags):
        flags = flags.astype(bool)
    if pd.api.types.is_integer_dtype(flags) and np.isin(flags, (0, 1)).all():
        flags = flags.astype(bool)
    if flags.dtype != bool:
        raise TypeError(f"valid must be booleans (e.g. model.predict(counterfactuals) == desired_class), got "
                        f"values of type {flags.dtype} such as {flags[:3].tolist()}; probabilities or strings "
                        "are not validity flags")
    return flags


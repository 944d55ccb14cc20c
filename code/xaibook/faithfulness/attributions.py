"""Attributions as a matrix: the one reader every faithfulness check uses, and two helpers.

A method of the book returns a rows x features frame, a :class:`~xaibook.shapley.ShapleyResult`
or one value per feature; :func:`attribution_matrix` turns any of them into an array aligned with
the explained rows' columns. :func:`global_attribution` averages the absolute values per feature;
:func:`random_attributions` is the baseline every method should beat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from xaibook._validation import RandomStateLike, as_generator, check_frame

__all__ = [
    "attribution_matrix",
    "global_attribution",
    "random_attributions",
]


def attribution_matrix(attributions: Any, X: pd.DataFrame, name: str = "attributions") -> np.ndarray:
    """Attributions as an ``n_rows x n_features`` float array aligned with ``X``'s columns.

    Accepts an array of that shape, a DataFrame with ``X``'s columns (any order), a result with
    ``to_wide()`` (:class:`~xaibook.shapley.ShapleyResult`), or one global vector (a 1-D array
    or a Series indexed by feature), used for every row.
    """
    columns = list(X.columns)
    if hasattr(attributions, "to_wide"):
        attributions = attributions.to_wide()
    if isinstance(attributions, pd.Series):
        _check_names(attributions.index, columns, name)
        attributions = attributions.reindex(columns).to_numpy(dtype=float)
    elif isinstance(attributions, pd.DataFrame):
        _check_names(attributions.columns, columns, name)
        attributions = attributions[columns].to_numpy(dtype=float)
    try:
        values = np.asarray(attributions, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers (an array, DataFrame or Series), "
                        f"got {type(attributions).__name__}") from None
    if values.ndim == 1:
        if values.shape[0] != len(columns):
            raise ValueError(f"{name} has {values.shape[0]} values; X has {len(columns)} features")
        values = np.tile(values, (len(X), 1))
    if values.ndim != 2 or values.shape != (len(X), len(columns)):
        raise ValueError(f"{name} must have shape (rows, features) = {(len(X), len(columns))} "
                         f"(or one value per feature), got {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return values


def _check_names(names: Any, columns: list[str], name: str) -> None:
    names = [str(n) for n in names]
    unknown = [n for n in names if n not in columns]
    missing = [c for c in columns if c not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ValueError(f"{name}'s features do not match X's columns: unknown {unknown}, missing {missing}; "
                         f"X has {columns}")


def global_attribution(attributions: Any, X: pd.DataFrame) -> pd.Series:
    """Mean absolute attribution per feature (a global importance from local attributions)."""
    X = check_frame(X, name="X")
    return pd.Series(np.abs(attribution_matrix(attributions, X)).mean(axis=0), index=list(X.columns))


def random_attributions(X: pd.DataFrame, *, random_state: RandomStateLike = 0) -> pd.DataFrame:
    """A random attribution (standard normal values) for every row of ``X``: the baseline every
    method should beat."""
    X = check_frame(X, name="X")
    rng = as_generator(random_state)
    return pd.DataFrame(rng.standard_normal(X.shape), index=X.index, columns=X.columns)


def _orders(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, feature positions by decreasing value; ties in random order."""
    tie_break = rng.random(values.shape)
    return np.lexsort((tie_break, -values), axis=-1) if values.ndim == 1 else np.array(
        [np.lexsort((t, -v)) for v, t in zip(values, tie_break)])


def _spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ra, rb = rankdata(a, axis=1), rankdata(b, axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    denominator = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ra * rb).sum(axis=1) / denominator
    return np.where(denominator > 0, r, 0.0)

"""The cost of a counterfactual: a distance in units of typical variation.

``d(a, b)`` sums ``|a_j - b_j| / MAD_j`` over numeric features (:func:`mad_scales`, Wachter et al.
2017), one per changed categorical feature, and for an ordered one (:func:`band_scales`) its band
steps over their scale (:func:`distance_matrix`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from xaibook._validation import check_features, check_frame, check_like_reference, check_memory, is_number_column

__all__ = ["band_scales", "distance_matrix", "mad_scales"]


def mad_scales(X_reference: pd.DataFrame, features: Sequence[str] | None = None) -> pd.Series:
    """Median absolute deviation of each numeric feature of ``X_reference`` (0 replaced by 1).

    The scale of the L1 distance of Wachter et al. (2017), also DiCE's (Mothilal et al. 2020): here a
    change of one MAD costs 1, as much as changing one categorical feature.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    names = list(X_reference.columns)
    if features is not None:
        chosen = [features] if isinstance(features, str) else list(features)
        if chosen:  # an empty list has always meant every feature
            names = check_features(chosen, X_reference, frame_name="X_reference")
    numeric = [c for c in names if is_number_column(X_reference[c])]
    return pd.Series(_mad(X_reference[numeric].to_numpy(dtype=float)), index=numeric, name="MAD")


def _mad(values: np.ndarray) -> np.ndarray:
    """Median absolute deviation of each column of ``values``, 0 replaced by 1 (as DiCE does)."""
    mad = np.median(np.abs(values - np.median(values, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)


def band_scales(X_reference: pd.DataFrame, ordered: Mapping[str, Sequence] | None) -> dict[str, tuple[dict, float]]:
    """Ordered categorical features: each category's band rank and the scale of one step.

    ``ordered`` maps a categorical feature to its categories from lowest to highest band (every
    category of ``X_reference`` must be listed). The scale is the MAD of the rank in ``X_reference``
    (0 replaced by 1), as for a numeric feature: a move of ``s`` bands costs ``s / scale``.
    """
    out: dict[str, tuple[dict, float]] = {}
    if not ordered:
        return out
    if not isinstance(ordered, Mapping):
        raise TypeError("ordered must be a dict feature -> categories from the lowest band to the highest")
    check_features(list(ordered), X_reference, name="ordered", frame_name="X_reference")
    for feature, bands in ordered.items():
        if is_number_column(X_reference[feature]):
            raise ValueError(f"ordered[{feature!r}]: {feature!r} is numeric; only categorical features take bands")
        bands = [bands] if isinstance(bands, str) else list(bands)
        missing = sorted(map(str, set(X_reference[feature].astype(object)) - set(bands)))
        repeats = len(set(bands)) != len(bands)
        if missing or repeats:
            raise ValueError(f"ordered[{feature!r}] must list each category once, from the lowest band to the "
                             f"highest; missing {missing}" + (", with repeats" if repeats else ""))
        rank = {band: float(k) for k, band in enumerate(bands)}
        values = X_reference[feature].map(rank).to_numpy(dtype=float)
        out[feature] = (rank, float(_mad(values)))
    return out


def distance_matrix(A: pd.DataFrame, B: pd.DataFrame, X_reference: pd.DataFrame, *,
                    ordered: Mapping[str, Sequence] | None = None) -> np.ndarray:
    """The cost's distance between every row of ``A`` and every row of ``B`` (``len(A) x len(B)``).

    L1 distance on numeric features divided by their MAD in ``X_reference`` (Wachter et al. 2017),
    plus one for each categorical feature whose values differ; an ordered one (``ordered``, see
    :func:`band_scales`) costs its band steps divided by their scale instead.
    """
    mad = mad_scales(X_reference)
    bands = band_scales(X_reference, ordered)
    A, B = (check_like_reference(frame, X_reference, name=name) for name, frame in (("A", A), ("B", B)))
    check_memory(2 * 8.0 * len(A) * len(B), what=f"a {len(A):,} x {len(B):,} distance matrix",
                 knob="the number of rows of A or B")
    return _distances(A, B, list(X_reference.columns), mad, bands)


def _distances(A: pd.DataFrame, B: pd.DataFrame, columns: Sequence[str], mad: pd.Series,
               bands: dict[str, tuple[dict, float]]) -> np.ndarray:
    """:func:`distance_matrix`'s sum for frames already checked against the reference, given its
    MAD scales (:func:`mad_scales`) and bands (:func:`band_scales`): the search, which has both,
    scores its own rows without checking the reference again."""
    out = np.zeros((len(A), len(B)))
    for column in columns:
        a, b = A[column].to_numpy(), B[column].to_numpy()
        if column in mad.index:
            out += np.abs(a.astype(float)[:, None] - b.astype(float)[None, :]) / mad[column]
        elif column in bands:
            rank, scale = bands[column]
            ra, rb = (np.array([rank.get(v, np.nan) for v in values]) for values in (a, b))
            if np.isnan(ra).any() or np.isnan(rb).any():
                raise ValueError(f"a value of {column!r} is not among the bands listed in ordered[{column!r}]")
            out += np.abs(ra[:, None] - rb[None, :]) / scale
        else:
            out += (a[:, None] != b[None, :])
    return out


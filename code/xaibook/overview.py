"""Chapter 1's computations: outcome rates per group with Wilson intervals, and the per-outcome
histograms that introduce a case study.

:func:`wilson_interval`
    the Wilson (1927) score interval of a proportion.
:func:`outcome_rates`
    the share of ``y = 1`` per group of one feature, with its Wilson interval.
:func:`outcome_histograms`
    binned counts of every numeric feature, split by outcome (small enough to embed in a page).

The charts that draw them are in :mod:`xaibook.charts.overview`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from xaibook._validation import check_features, check_positive_int
from xaibook.data import Dataset

__all__ = ["wilson_interval", "outcome_rates", "outcome_histograms"]


def wilson_interval(positives: Sequence[float] | np.ndarray, n: Sequence[float] | np.ndarray, *,
                    z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(low, high)`` for ``positives`` successes out of ``n`` trials.

    Centre ``(p + z^2 / 2n) / (1 + z^2 / n)`` and half-width
    ``z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)`` with ``p = positives / n``
    (Wilson 1927): unlike the normal interval it stays inside [0, 1] and behaves for small groups.
    """
    k = np.asarray(positives, dtype=float)
    n = np.asarray(n, dtype=float)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def outcome_rates(dataset: Dataset, feature: str, *, bins: Sequence[float] | None = None,
                  z: float = 1.96) -> pd.DataFrame:
    """Share of ``y = 1`` per group of ``feature`` with a Wilson score interval.

    A numeric feature is cut into ``bins`` (right-open intervals) first. Returns one row per group
    with ``group``, ``n``, ``positives``, ``rate``, ``low``, ``high`` and ``feature``.
    """
    check_features(feature, dataset.X)
    values = dataset.X[feature]
    if bins is not None:
        values = pd.cut(values, bins=list(bins), right=False).astype(str)
    elif feature in dataset.numeric_features:
        raise ValueError(f"{feature} is numeric; pass bins=[...] to group it")
    frame = pd.DataFrame({"group": values.to_numpy(), "y": dataset.y.to_numpy()})
    table = frame.groupby("group", sort=True)["y"].agg(n="size", positives="sum").reset_index()
    low, high = wilson_interval(table["positives"], table["n"], z=z)
    return table.assign(rate=table["positives"] / table["n"], low=low, high=high, feature=feature)


def outcome_histograms(dataset: Dataset, *, bins: int = 20) -> pd.DataFrame:
    """Counts of every numeric feature per bin and outcome: one row per feature x bin x outcome.

    A feature with at most ``bins`` distinct values gets one bin per value; otherwise ``bins``
    equal-width bins (:func:`numpy.histogram_bin_edges`). Columns: ``feature``, ``start``,
    ``end``, ``outcome`` (the dataset's label of the outcome) and ``count``.
    """
    bins = check_positive_int(bins, name="bins")
    rows = []
    labels = {0: dataset.negative_label, 1: dataset.positive_label}
    outcomes = dataset.y.to_numpy()
    for feature in dataset.numeric_features:
        values = dataset.X[feature].to_numpy(dtype=float)
        distinct = np.unique(values)
        if len(distinct) <= bins:
            edges = np.r_[distinct - 0.5, distinct[-1] + 0.5]
        else:
            edges = np.histogram_bin_edges(values, bins=bins)
        for outcome in (0, 1):
            counts, _ = np.histogram(values[outcomes == outcome], bins=edges)
            for left, right, count in zip(edges[:-1], edges[1:], counts, strict=True):
                rows.append({"feature": feature, "start": round(float(left), 3),
                             "end": round(float(right), 3), "outcome": labels[outcome],
                             "count": int(count)})
    return pd.DataFrame(rows, columns=["feature", "start", "end", "outcome", "count"])

"""Chapter 1's computations: outcome rates per group with Wilson intervals, and the per-outcome
histograms that introduce a case study.

:func:`wilson_interval`
    the Wilson (1927) score interval of a proportion.
:func:`outcome_rates`
    the share of ``y = 1`` per group of one feature, with its Wilson interval.
:func:`outcome_histograms`
    binned counts of every numeric feature, split by outcome (small enough to embed in a page).
:func:`adjust_to_base_rate`
    a probability fitted at one base rate, read at another (the standard prior-shift correction).
:func:`method_map`
    the book's explanation methods by scope, model dependence, output kind and cost, with the
    chapter that treats each (drawn in chapter 2 by :func:`xaibook.charts.glassbox.method_map_chart`).

The charts that draw them are in :mod:`xaibook.charts.overview`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import as_numbers, check_counts, check_features, check_number, check_positive_int
from xaibook.data import Dataset

__all__ = ["wilson_interval", "outcome_rates", "outcome_histograms", "adjust_to_base_rate", "method_map",
           "CHAPTER_LABELS"]


def wilson_interval(positives: Sequence[float] | np.ndarray, n: Sequence[float] | np.ndarray, *,
                    z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(low, high)`` for ``positives`` successes out of ``n`` trials.

    Centre ``(p + z^2 / 2n) / (1 + z^2 / n)`` and half-width
    ``z sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)`` with ``p = positives / n``
    (Wilson 1927): unlike the normal interval it stays inside [0, 1] and behaves for small groups.
    """
    k, n = check_counts(positives, name="positives"), check_counts(n, name="n", positive=True)
    if k.shape != n.shape:
        raise ValueError(f"positives and n must have the same shape (one count of each per group), got "
                         f"{k.shape} and {n.shape}")
    if (k > n).any():
        raise ValueError("positives must not exceed n (successes out of n trials)")
    z = check_number(z, name="z", low=0.0, low_open=True)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def _check_dataset(dataset: Any) -> None:
    """A case study (its labels, outcomes and feature kinds are needed), not its bare table."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a case study (xaibook.data.load_case(...)), got {type(dataset).__name__}; "
                        "the outcome labels and feature kinds come with it")


def outcome_rates(dataset: Dataset, feature: str, *, bins: Sequence[float] | None = None,
                  z: float = 1.96) -> pd.DataFrame:
    """Share of ``y = 1`` per group of ``feature`` with a Wilson score interval.

    A numeric feature is cut into ``bins`` (right-open intervals) first. Returns one row per group
    with ``group``, ``n``, ``positives``, ``rate``, ``low``, ``high`` and ``feature``.
    """
    _check_dataset(dataset)
    check_features(feature, dataset.X)
    values = dataset.X[feature]
    if bins is not None:
        if isinstance(bins, str):
            raise TypeError(f"bins must be a list of numbers (the edges), got the string {bins!r}")
        values = pd.cut(values, bins=as_numbers(bins, name="bins"), right=False).astype(str)
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
    _check_dataset(dataset)
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


#: The label ``(ch-...)=`` of each chapter already in the book, by number. A method whose chapter
#: is not written yet has no label (no link to a page that does not exist); add the label here
#: when the chapter lands (CONTRIBUTING.md, "Adding a method"). A test checks every label resolves.
CHAPTER_LABELS = {1: "ch-why", 2: "ch-basics", 3: "ch-permutation-importance",
                  4: "ch-partial-dependence", 5: "ch-shap", 6: "ch-lime", 7: "ch-counterfactuals",
                  8: "ch-failures", 9: "ch-wrap-up", 10: "ch-reason-codes", 11: "ch-faithfulness"}

_METHODS = [
    # method, scope, model dependence, output kind, cost level (1 cheap .. 4 expensive), cost note,
    # chapter number (the book's plan)
    ("Logistic coefficients", "global + local", "model-specific (linear models)", "model parameters",
     1, "free: read from the fitted model", 2),
    ("Tree rules and paths", "global + local", "model-specific (trees)", "model parameters",
     1, "free: read from the fitted tree", 2),
    ("Permutation importance", "global", "model-agnostic", "feature attribution",
     2, "p x repeats x n predictions", 3),
    ("Partial dependence (PDP)", "global", "model-agnostic", "feature effect curve",
     2, "grid x n predictions per feature", 4),
    ("ICE curves", "local", "model-agnostic", "feature effect curve",
     2, "grid x n predictions per feature", 4),
    ("Accumulated local effects (ALE)", "global", "model-agnostic", "feature effect curve",
     2, "2 x n predictions per feature", 4),
    ("Exact Shapley values", "local (averaged: global)", "model-agnostic", "feature attribution",
     4, "2^p coalitions x background per row", 5),
    ("KernelSHAP", "local (averaged: global)", "model-agnostic", "feature attribution",
     3, "samples x background predictions per row", 5),
    ("TreeSHAP", "local (averaged: global)", "model-specific (trees)", "feature attribution",
     1, "polynomial in tree size, no predictions", 5),
    ("LIME", "local", "model-agnostic", "feature attribution (surrogate)",
     2, "samples predictions + a small fit per row", 6),
    ("Counterfactual explanations", "local", "model-agnostic", "counterfactual",
     3, "an optimisation per row (many predictions)", 7),
]


def adjust_to_base_rate(p: float | np.ndarray, fitted_rate: float, new_rate: float) -> float | np.ndarray:
    """A probability ``p`` of class 1 from a model fitted where a share ``fitted_rate`` is class 1,
    read where a share ``new_rate`` is: its odds multiplied by the ratio of the two base rates' odds,

    ``p' / (1 - p') = p / (1 - p) * (b' / (1 - b')) / (b / (1 - b))``

    (Bayes' rule with unchanged class-conditional distributions; Elkan 2001, section 3). Swapping
    the two rates inverts it: ``adjust_to_base_rate(t, b', b)`` is the probability on the fitted
    scale that means ``t`` at the new base rate.
    """
    for name, rate in (("fitted_rate", fitted_rate), ("new_rate", new_rate)):
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 < rate < 1:
            raise ValueError(f"{name} must be a share strictly between 0 and 1, got {rate!r}")
    values = np.asarray(p, dtype=float)
    if not ((values >= 0) & (values < 1)).all():
        raise ValueError("p must hold probabilities in [0, 1) (a probability of 1 has infinite odds)")
    shift = (new_rate / (1 - new_rate)) / (fitted_rate / (1 - fitted_rate))
    odds = p / (1 - p) * shift
    return odds / (1 + odds)


def method_map() -> pd.DataFrame:
    """The explanation methods of the book by scope, model dependence, output and cost.

    ``cost_level`` runs from 1 (free or nearly) to 4 (exponential in the number of features);
    ``cost`` says what dominates, in model predictions for a data set of ``n`` rows and ``p``
    features. ``chapter`` says where the book treats the method and ``label`` is that chapter's
    cross-reference label (missing while the chapter is not written yet).
    """
    frame = pd.DataFrame(_METHODS, columns=["method", "scope", "model", "output", "cost_level",
                                            "cost", "chapter"])
    frame["label"] = frame["chapter"].map(CHAPTER_LABELS)  # NaN until the chapter exists
    frame["local"] = frame["scope"].str.contains("local")
    frame["global"] = frame["scope"].str.contains("global")
    frame["agnostic"] = frame["model"] == "model-agnostic"
    return frame

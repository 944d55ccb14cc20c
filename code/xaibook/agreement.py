"""How much do two explanations agree? The disagreement metrics of Krishna et al. (2022).

Krishna, Han, Gu, Pombra, Jabbari, Wu and Lakkaraju, *The Disagreement Problem in Explainable
Machine Learning: A Practitioner's Perspective* (2022, arXiv:2202.01602), compare two feature
attributions ``a`` and ``b`` of the same prediction (or two global importances) with six numbers,
each between 0 (no agreement) and 1 (full agreement). With ``top_k(a)`` the ``k`` features of
largest ``|a|`` and ``rank_a(j)`` the position of feature ``j`` in that order (1 = largest)::

    feature agreement      |top_k(a) ∩ top_k(b)| / k
    rank agreement         |{j in both top-k sets : rank_a(j) = rank_b(j)}| / k
    sign agreement         |{j in both top-k sets : sign a_j = sign b_j}| / k
    signed rank agreement  |{j in both top-k sets : same rank and same sign}| / k

and, over a chosen feature set ``F`` (of at least two features)::

    rank correlation           Spearman's correlation of the ranks of F's features in a and in b
    pairwise rank agreement    share of the pairs (i, j) of F ordered the same way by a and by b

Ties: features are ranked by ``|attribution|``, largest first, and features with equal
``|attribution|`` keep the order of ``feature_names`` (for Series: the order of ``a``'s index,
``b`` being aligned to it), a stable sort. Every metric here uses this
one ranking, so a tie is never resolved differently by two metrics. ``sign`` is numpy's: a zero
attribution has sign 0, which agrees only with another zero.

Inputs are pandas Series indexed by feature name (aligned by name, in ``a``'s order) or 1-D arrays
of the same length with ``feature_names`` given. :func:`agreement_table` computes all metrics for
every pair of methods (one person, or averaged over many rows) for the book's heatmap;
:func:`top_feature_agreement` counts how often methods name the same top feature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import align_rows

__all__ = [
    "METRICS",
    "RANK_METRICS",
    "TOP_K_METRICS",
    "agreement_table",
    "feature_agreement",
    "pairwise_rank_agreement",
    "rank_agreement",
    "rank_correlation",
    "ranking",
    "sign_agreement",
    "signed_rank_agreement",
    "top_feature_agreement",
]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def _numbers(convert: Callable[[], Any], name: str, values: Any) -> Any:
    """``convert()``, with a clear error when ``values`` do not hold numbers."""
    try:
        return convert()
    except (TypeError, ValueError) as err:
        kind = type(values).__name__
        raise TypeError(f"{name} must hold numbers (one attribution per feature) as a pandas Series indexed by "
                        f"feature name or a 1-D array with feature_names; got {kind} ({err})") from None


def _as_series(values: Any, feature_names: Sequence[str] | None, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        if feature_names is not None and list(values.index) != list(feature_names):
            raise ValueError(f"{name} is a Series: its index already names the features; "
                             "leave feature_names out or make them equal")
        series = _numbers(lambda: values.astype(float), name, values)
    else:
        if isinstance(values, Mapping):
            raise TypeError(f"{name} is a {type(values).__name__}; pass pd.Series({name}) "
                            "(a Series indexed by feature name)")
        array = _numbers(lambda: np.asarray(values, dtype=float), name, values)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (one attribution per feature), "
                             f"got shape {array.shape}")
        if feature_names is None:
            raise ValueError(f"{name} is an array: pass feature_names=[...] to say which feature "
                             "each number belongs to, or give a pandas Series indexed by feature")
        if len(feature_names) != len(array):
            raise ValueError(f"{name} has {len(array)} values but feature_names has "
                             f"{len(feature_names)} names")
        series = pd.Series(array, index=[str(f) for f in feature_names])
    if len(series) == 0:
        raise ValueError(f"{name} is empty")
    if not series.index.is_unique:
        raise ValueError(f"{name} has duplicated feature names: "
                         f"{sorted(set(series.index[series.index.duplicated()]))}")
    if not np.all(np.isfinite(series.to_numpy())):
        bad = series.index[~np.isfinite(series.to_numpy())].tolist()
        raise ValueError(f"{name} has NaN or infinite attributions for {bad}")
    return series


def _pair(a: Any, b: Any, feature_names: Sequence[str] | None) -> tuple[pd.Series, pd.Series]:
    a = _as_series(a, feature_names, "a")
    b = _as_series(b, feature_names, "b")
    if set(a.index) != set(b.index):
        only_a = [f for f in a.index if f not in b.index]
        only_b = [f for f in b.index if f not in a.index]
        raise ValueError(f"a and b must explain the same features: only in a {only_a}, only in b {only_b}")
    return a, b.reindex(a.index)


def _check_k(k: Any, n_features: int) -> int:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer, got {type(k).__name__}")
    if not 1 <= k <= n_features:
        raise ValueError(f"k must be between 1 and the number of features ({n_features}), got {k}")
    return int(k)


# --------------------------------------------------------------------------------------------
# The ranking every metric uses
# --------------------------------------------------------------------------------------------
def ranking(values: Any, *, feature_names: Sequence[str] | None = None) -> list[str]:
    """Feature names by ``|attribution|``, largest first; ties keep the order of the features."""
    series = _as_series(values, feature_names, "values")
    order = np.argsort(-np.abs(series.to_numpy()), kind="stable")
    return [series.index[i] for i in order]


def _top(series: pd.Series, k: int) -> dict[str, int]:
    """The top-k features with their rank (1 = largest |attribution|)."""
    return {feature: position + 1 for position, feature in enumerate(ranking(series)[:k])}


def _top_k_counts(a: Any, b: Any, k: Any, feature_names, *, rank: bool, sign: bool) -> float:
    a, b = _pair(a, b, feature_names)
    k = _check_k(k, len(a))
    top_a, top_b = _top(a, k), _top(b, k)
    count = 0
    for feature in top_a.keys() & top_b.keys():
        if rank and top_a[feature] != top_b[feature]:
            continue
        if sign and np.sign(a[feature]) != np.sign(b[feature]):
            continue
        count += 1
    return count / k


# --------------------------------------------------------------------------------------------
# The four top-k metrics
# --------------------------------------------------------------------------------------------
def feature_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` features (by ``|attribution|``) that ``a`` and ``b`` have in common.

    ``|top_k(a) ∩ top_k(b)| / k`` (Krishna et al. 2022, feature agreement).
    """
    return _top_k_counts(a, b, k, feature_names, rank=False, sign=False)


def rank_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` positions held by the same feature in ``a`` and ``b``.

    A feature counts when it is in both top-``k`` sets *at the same rank* (Krishna et al. 2022).
    """
    return _top_k_counts(a, b, k, feature_names, rank=True, sign=False)


def sign_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` features common to ``a`` and ``b`` whose attributions have the same sign."""
    return _top_k_counts(a, b, k, feature_names, rank=False, sign=True)


def signed_rank_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` positions held by the same feature with the same sign in ``a`` and ``b``."""
    return _top_k_counts(a, b, k, feature_names, rank=True, sign=True)


# --------------------------------------------------------------------------------------------
# The two metrics over a chosen feature set
# --------------------------------------------------------------------------------------------
def _chosen(a: pd.Series, features: Sequence[str] | str | None) -> list[str]:
    chosen = list(a.index) if features is None else [features] if isinstance(features, str) else list(features)
    unknown = [f for f in chosen if f not in a.index]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; the explanations have {list(a.index)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"features has duplicates: {chosen}")
    if len(chosen) < 2:
        raise ValueError(f"features must name at least two features to rank, got {chosen}")
    return chosen


def _positions(series: pd.Series, features: list[str]) -> np.ndarray:
    """Rank (1 = largest |attribution|) of each of ``features`` among themselves, ties by order."""
    sub = series.reindex(features)
    order = np.argsort(-np.abs(sub.to_numpy()), kind="stable")
    ranks = np.empty(len(features))
    ranks[order] = np.arange(1, len(features) + 1)
    return ranks


def rank_correlation(a: Any, b: Any, *, features: Sequence[str] | str | None = None,
                     feature_names: Sequence[str] | None = None) -> float:
    """Spearman's rank correlation of the features' ``|attribution|`` ranks in ``a`` and ``b``.

    The ranks are those of :func:`ranking` restricted to ``features`` (all features by default),
    so they are distinct and Spearman's formula ``1 - 6 Σ d² / (n (n² - 1))`` is exact.
    """
    a, b = _pair(a, b, feature_names)
    chosen = _chosen(a, features)
    d = _positions(a, chosen) - _positions(b, chosen)
    n = len(chosen)
    return float(1 - 6 * np.sum(d ** 2) / (n * (n ** 2 - 1)))


def pairwise_rank_agreement(a: Any, b: Any, *, features: Sequence[str] | str | None = None,
                            feature_names: Sequence[str] | None = None) -> float:
    """Share of the feature pairs of ``features`` whose order (by ``|attribution|``) ``a`` and ``b`` share.

    For each pair ``(i, j)``: does ``a`` rank ``i`` above ``j`` exactly when ``b`` does? Ranks
    break ties as :func:`ranking` does (Krishna et al. 2022, pairwise rank agreement).
    """
    a, b = _pair(a, b, feature_names)
    chosen = _chosen(a, features)
    ra, rb = _positions(a, chosen), _positions(b, chosen)
    pairs = list(combinations(range(len(chosen)), 2))
    same = sum((ra[i] < ra[j]) == (rb[i] < rb[j]) for i, j in pairs)
    return same / len(pairs)


#: The four top-k metrics, by the names the book's tables and charts use.
TOP_K_METRICS: dict[str, Callable[..., float]] = {
    "feature agreement": feature_agreement,
    "rank agreement": rank_agreement,
    "sign agreement": sign_agreement,
    "signed rank agreement": signed_rank_agreement,
}
#: The two metrics over a feature set (all features in :func:`agreement_table`).
RANK_METRICS: dict[str, Callable[..., float]] = {
    "rank correlation": rank_correlation,
    "pairwise rank agreement": pairwise_rank_agreement,
}
METRICS = tuple(TOP_K_METRICS) + tuple(RANK_METRICS)


# --------------------------------------------------------------------------------------------
# Many methods at once
# --------------------------------------------------------------------------------------------
def _as_frame(values: Any, name: str) -> pd.DataFrame:
    if isinstance(values, pd.Series):
        return _numbers(lambda: values.astype(float), f"explanation {name!r}", values).to_frame().T
    if isinstance(values, pd.DataFrame):
        if values.empty:
            raise ValueError(f"explanation {name!r} is empty")
        return _numbers(lambda: values.astype(float), f"explanation {name!r}", values)
    raise TypeError(f"explanation {name!r} must be a pandas Series (one row) or DataFrame (rows x "
                    f"features), got {type(values).__name__}")


def _check_explanations(explanations: Any) -> dict[str, pd.DataFrame]:
    if not isinstance(explanations, Mapping) or len(explanations) < 2:
        raise ValueError("explanations must be a dict of at least two methods: {name: Series or DataFrame}")
    frames = {str(name): _as_frame(values, str(name)) for name, values in explanations.items()}
    for name, frame in frames.items():
        if not np.all(np.isfinite(frame.to_numpy())):
            raise ValueError(f"explanation {name!r} has NaN or infinite attributions")
    if all(isinstance(values, pd.Series) for values in explanations.values()):
        frames = {name: frame.set_axis([0]) for name, frame in frames.items()}  # one row each
    frames = align_rows(frames, what="explanation")  # rows by index label, never by position
    first_name, first = next(iter(frames.items()))
    for name, frame in frames.items():
        if set(frame.columns) != set(first.columns):
            raise ValueError(f"{name!r} and {first_name!r} explain different features")
    return {name: frame[list(first.columns)] for name, frame in frames.items()}


def _rank_matrix(values: np.ndarray) -> np.ndarray:
    """Rank (1 = largest ``|attribution|``) of every feature in every row; ties by column order."""
    order = np.argsort(-np.abs(values), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[1] + 1)[None, :].repeat(len(values), 0), axis=1)
    return ranks


def _table_values(va: np.ndarray, vb: np.ndarray, metric: str, ks: Sequence[int]) -> list[float]:
    """Mean of ``metric`` over the rows of ``va`` and ``vb``, for each k (vectorised over rows)."""
    ra, rb = _rank_matrix(va), _rank_matrix(vb)
    m = va.shape[1]
    if metric == "rank correlation":
        value = np.mean(1 - 6 * np.sum((ra - rb) ** 2, axis=1) / (m * (m ** 2 - 1)))
        return [float(value)] * len(ks)
    if metric == "pairwise rank agreement":
        upper = np.triu(np.ones((m, m), dtype=bool), 1)
        same = (ra[:, :, None] < ra[:, None, :]) == (rb[:, :, None] < rb[:, None, :])
        return [float(np.mean(same[:, upper].mean(axis=1)))] * len(ks)
    same_sign = np.sign(va) == np.sign(vb)
    out = []
    for k in ks:
        hit = (ra <= k) & (rb <= k)
        if metric in ("rank agreement", "signed rank agreement"):
            hit &= ra == rb
        if metric in ("sign agreement", "signed rank agreement"):
            hit &= same_sign
        out.append(float(np.mean(hit.sum(axis=1) / k)))
    return out


def agreement_table(explanations: Mapping[str, Any], *, ks: Sequence[int] | None = None,
                    metrics: Sequence[str] = METRICS) -> pd.DataFrame:
    """Every metric for every ordered pair of methods, averaged over the explained rows.

    ``explanations`` maps a method's name to a Series (one explanation) or a DataFrame (one row
    per explained row, one column per feature; the same rows for every method, matched by
    index label). Returns long format: ``method_a``, ``method_b``, ``metric``, ``k`` and ``value``
    (the mean over rows). Top-k metrics come once per ``k`` in ``ks`` (default ``1..n_features``);
    rank correlation and pairwise rank agreement use all features and are repeated for each ``k``
    so that a chart with a ``k`` slider shows them at every position. The diagonal (a method with
    itself) is 1 for every metric. Vectorised over rows; ``tests/test_agreement.py`` proves it
    equal to the one-pair functions above.
    """
    frames = _check_explanations(explanations)
    features = list(next(iter(frames.values())).columns)
    if len(features) < 2:
        raise ValueError("agreement needs explanations of at least two features")
    if ks is not None and (isinstance(ks, (str, bytes)) or not hasattr(ks, "__iter__")):
        raise TypeError(f"ks must be a list of k values, got {type(ks).__name__} {ks!r}; pass ks=[{ks!r}]")
    ks = list(range(1, len(features) + 1)) if ks is None else [_check_k(k, len(features)) for k in ks]
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {list(METRICS)}")
    rows = []
    for name_a, frame_a in frames.items():
        for name_b, frame_b in frames.items():
            for metric in metrics:
                values = _table_values(frame_a.to_numpy(), frame_b.to_numpy(), metric, ks)
                rows += [{"method_a": name_a, "method_b": name_b, "metric": metric, "k": k, "value": v}
                         for k, v in zip(ks, values)]
    return pd.DataFrame(rows)


def top_feature_agreement(explanations: Mapping[str, Any]) -> pd.DataFrame:
    """Per explained row, each method's top feature (largest ``|attribution|``) and whether all agree.

    Returns one row per explained row: a column per method holding its top feature, and
    ``all_agree`` (True when every method names the same feature). The mean of ``all_agree`` is
    the share of rows on which the methods agree about the top feature.
    """
    frames = _check_explanations(explanations)
    index = next(iter(frames.values())).index
    out = pd.DataFrame({name: [ranking(row)[0] for _, row in frame.iterrows()]
                        for name, frame in frames.items()}, index=index)
    out["all_agree"] = out.nunique(axis=1) == 1
    return out

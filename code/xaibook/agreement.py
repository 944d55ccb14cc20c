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

Ties: when several features have equal ``|attribution|`` (counterfactual importance, a share of
four or eight counterfactuals, ties often; zero attributions tie too), their order is not
defined, and breaking it by column order would let the order of the columns decide the agreement
(two methods that both keep the data's column order in their ties would agree for free). Every
metric here is therefore the *average over all orders of the tied features*, each order equally
likely and drawn independently for ``a`` and ``b``: a tie group of ``g`` features occupying
positions ``s .. s+g-1`` puts each of them at each of those positions with probability ``1/g``
(:func:`position_probabilities`), and the metrics are computed exactly from these probabilities,
with no sampling and no seed. Without ties this is the plain definition above. Two identical
explanations share one order (a method compared with itself scores 1). :func:`ranking` (for
display) keeps the order of ``feature_names`` within a tie. ``sign`` is numpy's: a zero
attribution has sign 0, which agrees only with another zero.

Inputs are pandas Series indexed by feature name (aligned by name, in ``a``'s order) or 1-D arrays
of the same length with ``feature_names`` given. :func:`agreement_table` computes all metrics for
every pair of methods (one person, or averaged over many rows) for the book's heatmap;
:func:`top_feature_agreement` counts how often methods name the same top feature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import align_rows, check_name_list

__all__ = [
    "METRICS",
    "RANK_METRICS",
    "TOP_K_METRICS",
    "agreement_table",
    "feature_agreement",
    "pairwise_rank_agreement",
    "position_probabilities",
    "rank_agreement",
    "rank_correlation",
    "ranking",
    "sign_agreement",
    "signed_rank_agreement",
    "top_k_value",
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
    if feature_names is not None:
        feature_names = check_name_list(feature_names, name="feature_names")
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
    """Feature names by ``|attribution|``, largest first; ties keep the order of the features.

    For display (report cards, top features). The metrics do not use this order for ties: they
    average over the orders of tied features (see the module docstring).
    """
    series = _as_series(values, feature_names, "values")
    order = np.argsort(-np.abs(series.to_numpy()), kind="stable")
    return [series.index[i] for i in order]


def position_probabilities(values: Any, *, feature_names: Sequence[str] | None = None) -> pd.DataFrame:
    """``P[j, r]``: the probability that feature ``j`` holds position ``r`` (1 = largest ``|attribution|``)
    when tied features are put in a uniformly random order.

    A feature with no tie holds its position with probability 1; each of ``g`` tied features holds
    each of the group's ``g`` positions with probability ``1/g``. Rows are features (in the
    explanation's order), columns positions 1..d; every row and every column sums to 1.
    """
    series = _as_series(values, feature_names, "values")
    return pd.DataFrame(_probabilities(series.to_numpy()), index=series.index,
                        columns=pd.RangeIndex(1, len(series) + 1, name="position"))


def _probabilities(values: np.ndarray) -> np.ndarray:
    magnitude = np.abs(values)
    order = np.argsort(-magnitude, kind="stable")
    sorted_magnitude = magnitude[order]
    # a tie group starts where the sorted |attribution| changes
    starts = np.flatnonzero(np.r_[True, sorted_magnitude[1:] != sorted_magnitude[:-1]])
    P = np.zeros((len(values), len(values)))
    for start, stop in zip(starts, np.r_[starts[1:], len(values)]):
        P[np.ix_(order[start:stop], np.arange(start, stop))] = 1.0 / (stop - start)
    return P


def top_k_value(Pa: np.ndarray, Pb: np.ndarray, same_sign: np.ndarray, k: int, *, rank: bool,
                sign: bool) -> float:
    """One top-k metric from the position probabilities of ``a`` and ``b`` (tie orders independent).

    Counts, in expectation, the features in both top-k sets (``rank``: at the same position;
    ``sign``: with equal signs) and divides by ``k``.
    """
    if rank:
        hits = (Pa[:, :k] * Pb[:, :k]).sum(axis=1)            # P(same position r <= k)
    else:
        hits = Pa[:, :k].sum(axis=1) * Pb[:, :k].sum(axis=1)  # P(in both top-k sets)
    if sign:
        hits = hits * same_sign
    return float(hits.sum() / k)


def _top_k_counts(a: Any, b: Any, k: Any, feature_names, *, rank: bool, sign: bool) -> float:
    a, b = _pair(a, b, feature_names)
    k = _check_k(k, len(a))
    va, vb = a.to_numpy(), b.to_numpy()
    if np.array_equal(va, vb):           # one explanation, one order of its ties
        return 1.0
    return top_k_value(_probabilities(va), _probabilities(vb), np.sign(va) == np.sign(vb), k,
                        rank=rank, sign=sign)


# --------------------------------------------------------------------------------------------
# The four top-k metrics
# --------------------------------------------------------------------------------------------
def feature_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` features (by ``|attribution|``) that ``a`` and ``b`` have in common.

    ``|top_k(a) ∩ top_k(b)| / k`` (Krishna et al. 2022, feature agreement), averaged over the
    orders of tied features.
    """
    return _top_k_counts(a, b, k, feature_names, rank=False, sign=False)


def rank_agreement(a: Any, b: Any, *, k: int, feature_names: Sequence[str] | None = None) -> float:
    """Share of the top-``k`` positions held by the same feature in ``a`` and ``b``.

    A feature counts when it is in both top-``k`` sets *at the same rank* (Krishna et al. 2022);
    averaged over the orders of tied features.
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


def _spearman(va: np.ndarray, vb: np.ndarray) -> float:
    """Expected ``1 - 6 Σ d² / (n (n² - 1))`` over the orders of tied features (independent in a and b)."""
    n = len(va)
    if np.array_equal(va, vb):
        return 1.0
    positions = np.arange(1, n + 1)
    Pa, Pb = _probabilities(va), _probabilities(vb)
    mean_a, mean_b = Pa @ positions, Pb @ positions
    expected_d2 = Pa @ positions ** 2 - 2 * mean_a * mean_b + Pb @ positions ** 2
    return float(1 - 6 * expected_d2.sum() / (n * (n ** 2 - 1)))


def _above(values: np.ndarray) -> np.ndarray:
    """``[i, j]``: probability that ``i`` is ranked above ``j`` (1, 0, or 1/2 for a tie)."""
    magnitude = np.abs(values)
    return (magnitude[:, None] > magnitude[None, :]) + 0.5 * (magnitude[:, None] == magnitude[None, :])


def _pairwise(va: np.ndarray, vb: np.ndarray) -> float:
    """Expected share of the pairs ordered the same way (tie orders independent in a and b)."""
    if np.array_equal(va, vb):
        return 1.0
    above_a, above_b = _above(va), _above(vb)
    same = above_a * above_b + (1 - above_a) * (1 - above_b)
    return float(same[np.triu_indices(len(va), 1)].mean())


def rank_correlation(a: Any, b: Any, *, features: Sequence[str] | str | None = None,
                     feature_names: Sequence[str] | None = None) -> float:
    """Spearman's rank correlation of the features' ``|attribution|`` ranks in ``a`` and ``b``.

    The ranks are taken among ``features`` (all features by default), so they are distinct and
    Spearman's formula ``1 - 6 Σ d² / (n (n² - 1))`` is exact; tied features are put in every
    order with equal probability and the formula averaged (module docstring).
    """
    a, b = _pair(a, b, feature_names)
    chosen = _chosen(a, features)
    return _spearman(a[chosen].to_numpy(), b[chosen].to_numpy())


def pairwise_rank_agreement(a: Any, b: Any, *, features: Sequence[str] | str | None = None,
                            feature_names: Sequence[str] | None = None) -> float:
    """Share of the feature pairs of ``features`` whose order (by ``|attribution|``) ``a`` and ``b`` share.

    For each pair ``(i, j)``: does ``a`` rank ``i`` above ``j`` exactly when ``b`` does? A tied
    pair is ordered either way with probability 1/2 (Krishna et al. 2022, pairwise rank agreement,
    averaged over tie orders).
    """
    a, b = _pair(a, b, feature_names)
    chosen = _chosen(a, features)
    return _pairwise(a[chosen].to_numpy(), b[chosen].to_numpy())


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


def _table_values(va: np.ndarray, vb: np.ndarray, metric: str, ks: Sequence[int]) -> list[float]:
    """Mean of ``metric`` over the rows of ``va`` and ``vb``, for each k (the one-pair rules, row by row)."""
    identical = np.array([np.array_equal(row_a, row_b) for row_a, row_b in zip(va, vb)])
    if metric in RANK_METRICS:
        one_pair = _spearman if metric == "rank correlation" else _pairwise
        value = np.mean([1.0 if same else one_pair(row_a, row_b) for row_a, row_b, same in zip(va, vb, identical)])
        return [float(value)] * len(ks)
    Pa = np.array([_probabilities(row) for row in va])
    Pb = np.array([_probabilities(row) for row in vb])
    same_sign = np.sign(va) == np.sign(vb)
    out = []
    for k in ks:
        values = [top_k_value(pa, pb, signs, k, rank="rank" in metric, sign="sign" in metric)
                  for pa, pb, signs in zip(Pa, Pb, same_sign)]
        out.append(float(np.mean(np.where(identical, 1.0, values))))
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
    itself) is 1 for every metric. Ties are averaged over their orders as in the one-pair
    functions, which ``tests/test_agreement.py`` proves it equal to.
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

    Returns one row per explained row: a column per method holding its top feature (a tie for the
    top goes to the first of the tied features in column order, for display), ``all_agree`` (True
    when every method names the same feature in that display) and ``p_all_agree``, the probability
    that all methods name the same top feature when ties are put in a random order (independent
    per method, as in the metrics): ``sum_f prod_m P_m(f is first)``. Without ties at the top the
    two agree; average ``p_all_agree`` to get a share of rows that the order of the columns cannot
    decide.
    """
    frames = _check_explanations(explanations)
    index = next(iter(frames.values())).index
    out = pd.DataFrame({name: [ranking(row)[0] for _, row in frame.iterrows()]
                        for name, frame in frames.items()}, index=index)
    out["all_agree"] = out.nunique(axis=1) == 1
    first = np.stack([np.array([_probabilities(row)[:, 0] for row in frame.to_numpy()])
                      for frame in frames.values()])        # methods x rows x features
    out["p_all_agree"] = first.prod(axis=0).sum(axis=1)
    return out

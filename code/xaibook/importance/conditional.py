"""Conditional permutation importance (after Strobl et al. 2008): a feature shuffled only among rows
alike in its correlated partners, so it measures what the feature adds *given* them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import (
    RandomStateLike,
    check_features,
    check_frame,
    check_memory,
    check_positive_int,
    check_random_state,
)
from xaibook.importance._scoring import _check_data, _check_score, _resolve_scorer
from xaibook.importance.batching import _check_batch, permuted_scores
from xaibook.importance.permutation import shuffle_orders
from xaibook.importance.results import PermutationImportance
from xaibook.predict import DEFAULT_BATCH_SIZE

__all__ = [
    "conditional_permutation_importance", "conditional_shuffle_orders", "permutation_strata",
    "shuffle_within_strata",
]


def permutation_strata(X: pd.DataFrame, columns: str | Sequence[str], *, n_bins: int = 4) -> np.ndarray:
    """Stratum label (0, 1, ...) of every row of ``X``: rows alike in ``columns`` share a label.

    A numeric column with more than ``n_bins`` distinct values is cut into ``n_bins`` quantile
    bins (fewer where ties make bin edges coincide); any other column (categorical, boolean, or
    numeric with few values) contributes its values. A stratum is one combination of these bins
    and values; missing values form a bin of their own. With ``n_bins=1`` and only numeric
    columns every row is in one stratum.
    """
    X = check_frame(X, allow_nan=True)
    columns = check_features(columns, X, name="columns")
    n_bins = check_positive_int(n_bins, name="n_bins")
    codes = []
    for column in columns:
        values = X[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and values.nunique() > n_bins:
            bins = pd.qcut(values, n_bins, labels=False, duplicates="drop")
            codes.append(np.where(bins.isna(), -1, bins).astype(np.intp))
        else:
            codes.append(pd.factorize(values, use_na_sentinel=False, sort=True)[0])
    keys = pd.DataFrame(np.column_stack(codes))
    return keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy(dtype=np.intp)


def _check_strata(strata: np.ndarray, feature: str, n_bins: int) -> None:
    """Most rows must share their stratum with another row: a row alone in its stratum keeps its
    value, so strata of single rows give an importance of (nearly) exactly 0 that looks like an answer."""
    shared = np.bincount(strata)[strata] > 1
    if shared.mean() < 0.5:
        raise ValueError(
            f"the strata for {feature!r} are too fine: {int((~shared).sum())} of {len(strata)} rows are alone in "
            f"their stratum, where shuffling cannot move them (the importance would be about 0); use "
            f"fewer bins (n_bins={n_bins} now), condition on fewer columns, or pass more rows")


def shuffle_within_strata(orders: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Turn row orders into row orders that only swap rows of the same stratum.

    Row ``i`` of stratum ``s`` receives the value of the ``k``-th row of ``s`` *in the random
    order*, where ``i`` is the ``k``-th row of ``s`` in the data. A uniform random order gives a
    uniform random order inside every stratum, independently; with one stratum nothing changes.
    """
    rows_by_stratum = np.argsort(strata, kind="stable")      # the rows of stratum 0, then 1, ...
    conditional = np.empty_like(orders)
    for r, order in enumerate(orders):
        shuffled_by_stratum = order[np.argsort(strata[order], kind="stable")]  # same strata, random order
        conditional[r, rows_by_stratum] = shuffled_by_stratum
    return conditional


def conditional_shuffle_orders(strata: Any, n_repeats: int, random_state: RandomStateLike) -> np.ndarray:
    """Row orders of ``n_repeats`` shuffles within ``strata`` (one label per row), shape
    ``(n_repeats, n_rows)``: :func:`shuffle_orders` restricted to rows of the same stratum, so
    one stratum gives exactly :func:`shuffle_orders`."""
    strata = np.asarray(strata)
    if strata.ndim != 1 or len(strata) < 2:
        raise ValueError(f"strata must hold one label per row (at least two rows), got shape {strata.shape}")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    check_random_state(random_state)
    return shuffle_within_strata(shuffle_orders(len(strata), n_repeats, random_state), strata)


def _check_conditional_on(conditional_on: Any, X: pd.DataFrame) -> dict[str, list[str]]:
    if not isinstance(conditional_on, Mapping) or not conditional_on:
        raise TypeError("conditional_on must be a non-empty dict mapping a feature to the column(s) "
                        "to condition on, e.g. {'duration_months': ['duration_weeks']}")
    checked = {}
    for feature, given in conditional_on.items():
        (feature,) = check_features([feature], X, name="conditional_on")
        given = check_features(given, X, name=f"conditional_on[{feature!r}]")
        if feature in given:
            raise ValueError(f"conditional_on[{feature!r}] contains {feature!r} itself: shuffling a "
                             "feature within rows that share its own value changes nothing")
        checked[feature] = given
    return checked


def conditional_permutation_importance(model: Any, X: pd.DataFrame, y: Any,
                                       conditional_on: Mapping[str, str | Sequence[str]], *,
                                       n_bins: int = 4, scoring: Any = None, n_repeats: int = 5,
                                       random_state: RandomStateLike = 0,
                                       batch_size: int = DEFAULT_BATCH_SIZE,
                                       batch: bool | str = "auto") -> PermutationImportance:
    """Conditional permutation importance: shuffle a feature only among rows that are alike in the
    features it is correlated with (after Strobl et al. 2008, who permute within a grid of the
    forest's split points; here the grid is quantile bins, :func:`permutation_strata`).

    ``conditional_on`` maps each feature to the column(s) to condition on. For feature ``j`` and
    repeat ``r``, the rows are split into strata by those columns, column ``j`` is shuffled inside
    every stratum (:func:`conditional_shuffle_orders`), and
    ``importances[j, r] = score(X) - score(X with j shuffled within strata)``. The shuffled rows
    keep the relation between ``j`` and its partners, so the model is not scored on impossible
    rows, and the importance measures what ``j`` adds *given* its partners.

    With one stratum (``n_bins=1``, numeric partners) the result equals
    :func:`permutation_importance` bit for bit; a stratum of one row cannot be shuffled, so many
    tiny strata push every importance towards zero: keep strata of many rows.
    """
    X, y = _check_data(model, X, y)
    conditional_on = _check_conditional_on(conditional_on, X)
    n_bins = check_positive_int(n_bins, name="n_bins")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    batch_size = check_positive_int(batch_size, name="batch_size")
    check_random_state(random_state)
    _check_batch(batch)
    scorer, scoring_name = _resolve_scorer(model, scoring)
    check_memory(8.0 * n_repeats * len(X), what=f"{n_repeats:,} shuffles of {len(X):,} rows", knob="n_repeats")
    baseline = _check_score(scorer(model, X, y), scoring_name, y)
    orders = shuffle_orders(len(X), n_repeats, random_state)   # once: every feature, the same draws
    importances = []
    for feature, given in conditional_on.items():
        strata = permutation_strata(X, given, n_bins=n_bins)
        _check_strata(strata, feature, n_bins)
        within = shuffle_within_strata(orders, strata)
        scores = permuted_scores(model, X, y, [[X.columns.get_loc(feature)]], within, scorer,
                                  None, batch_size, batch, scoring_name=scoring_name)
        importances.append(baseline - scores[0])
    return PermutationImportance(
        importances=np.vstack(importances), feature_names=tuple(conditional_on),
        baseline_score=float(baseline), scoring=scoring_name,
        random_state=random_state if isinstance(random_state, (int, np.integer)) else None,
    )

"""Owen values (Owen 1977): Shapley values for features that come in groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_frame, check_memory, check_positive_int, output_scale
from xaibook.predict import DEFAULT_BATCH_SIZE, PredictionFunction, as_prediction_function
from xaibook.shapley.exact import MAX_EXACT_FEATURES, _shapley_weights
from xaibook.shapley.game import _MAX_CANDIDATES, _start
from xaibook.shapley.result import ShapleyResult

__all__ = ["owen_values"]


def _owen_groups(groups: Any, columns: list[str]) -> list[list[int]]:
    """Positions of each group's features; features in no group form a group of their own."""
    if isinstance(groups, str) or groups is None:
        raise TypeError("groups must be a dict {name: [features]} or a list of feature lists, "
                        f"got {type(groups).__name__}")
    listed = list(groups.values()) if isinstance(groups, Mapping) else list(groups)
    if not isinstance(groups, Mapping) and any(isinstance(members, str) for members in listed):
        raise TypeError(f"groups is a list holding feature names ({[m for m in listed if isinstance(m, str)][:3]}); "
                        "each group is a list of features: pass groups=[['a', 'b'], ...] (or a dict "
                        "{name: [features]}); features in no group form groups of their own")
    seen: dict[str, int] = {}
    out: list[list[int]] = []
    for k, members in enumerate(listed):
        if isinstance(members, str):
            members = [members]
        members = list(members)
        if not members:
            raise ValueError(f"group {k} is empty; every group needs at least one feature")
        unknown = [m for m in members if m not in columns]
        if unknown:
            raise ValueError(f"groups name unknown features {unknown}; valid names are {columns}")
        twice = [m for m in members if m in seen or members.count(m) > 1]
        if twice:
            raise ValueError(f"features {sorted(set(twice))} are in more than one group; each feature "
                             "belongs to exactly one group")
        seen.update({m: k for m in members})
        out.append([columns.index(m) for m in members])
    out.extend([j] for j, c in enumerate(columns) if c not in seen)
    return out


def _subset_codes(items: Sequence[int], bits_of: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of ``items`` as (bit code, size); ``bits_of[i]`` is the code of item ``i``."""
    codes = np.zeros(1, dtype=np.int64)
    sizes = np.zeros(1, dtype=np.int64)
    for item in items:
        codes = np.concatenate([codes, codes | np.int64(bits_of[item])])
        sizes = np.concatenate([sizes, sizes + 1])
    return codes, sizes


def _owen_plan(members: list[list[int]], m: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Per group ``k``: the codes and sizes of the coalitions ``R`` of other groups; and the sorted
    codes of every coalition ``R + T`` the values need (``T`` a subset of group ``k``)."""
    feature_bit = [1 << j for j in range(m)]
    group_bit = [sum(feature_bit[j] for j in b) for b in members]
    plan, needed = [], []
    for k, b in enumerate(members):
        r_codes, r_sizes = _subset_codes([h for h in range(len(members)) if h != k], group_bit)
        t_codes, _ = _subset_codes(b, feature_bit)
        plan.append((r_codes, r_sizes))
        needed.append((r_codes[:, None] | t_codes[None, :]).reshape(-1))
    return plan, np.unique(np.concatenate(needed))


def _owen_sums(v: np.ndarray, codes: np.ndarray, members: list[list[int]],
               plan: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The two-level weighted sums of marginal contributions; ``v[:, p]`` is the value of the
    coalition ``codes[p]`` (sorted) for each row."""
    m = sum(len(b) for b in members)
    feature_bit = [1 << j for j in range(m)]
    w_between = _shapley_weights(len(members))
    values = np.zeros((len(v), m))
    for k, b in enumerate(members):
        r_codes, r_sizes = plan[k]
        w_within = _shapley_weights(len(b))
        for i in b:
            t_codes, t_sizes = _subset_codes([h for h in b if h != i], feature_bit)
            without = (r_codes[:, None] | t_codes[None, :]).reshape(-1)
            weight = (w_between[r_sizes][:, None] * w_within[t_sizes][None, :]).reshape(-1)
            with_i = np.searchsorted(codes, without | feature_bit[i])
            gain = v[:, with_i] - v[:, np.searchsorted(codes, without)]
            values[:, i] = gain @ weight
    return values


def owen_values(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *, groups: Any,
                max_coalitions: int = 2 ** MAX_EXACT_FEATURES,
                batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Exact Owen values (Owen 1977): Shapley values for features that come in groups.

    The groups (a *coalition structure*) are played in two levels. Between groups, each group is
    one player of a Shapley game; within group ``B_k``, feature ``i`` gets its Shapley value in the
    game of ``B_k``'s members played on top of every coalition ``R`` of other groups::

        phi_i = sum over R of w_g(|R|) * sum over T in B_k - {i} of w_b(|T|) *
                (v(R + T + i) - v(R + T))

    with ``w_n(s) = s! (n - s - 1)! / n!``, ``g`` groups and ``b = |B_k|``. Equivalently, ``phi_i`` is
    the average marginal contribution over the feature orders that keep each group together. The
    values add up to ``f(x) - base value``; a group's values add up to the Shapley value of the
    group in the game between groups, so two copies of a feature in one group share their credit
    without taking any from other groups. With one feature per group, or all features in one
    group, Owen values are Shapley values. ``v`` is the interventional value function of
    :func:`exact_shapley`.

    ``groups`` is a dict ``{name: [features]}`` or a list of feature lists; a feature in no group
    forms a group of its own. The cost is ``2**g + sum_k 2**(g - 1) * (2**|B_k| - 2)`` coalitions
    per row (at most ``2**M``), each averaged over the background; above ``max_coalitions`` the
    function refuses.
    """
    f = as_prediction_function(f, name="f")
    X = check_frame(X, name="X")
    columns = [str(c) for c in X.columns]
    m = len(columns)
    members = _owen_groups(groups, columns)
    max_coalitions = check_positive_int(max_coalitions, name="max_coalitions")
    g = len(members)
    # distinct coalitions: unions of whole groups, plus those with one group cut short
    n_needed = 2 ** g + sum(2 ** (g - 1) * (2 ** len(b) - 2) for b in members)
    if m > 62 or n_needed > max_coalitions:
        raise ValueError(f"owen_values needs {n_needed:,} coalitions per row for {g} groups of {m} features, "
                         f"more than max_coalitions={max_coalitions:,}; use fewer, larger groups, or raise "
                         "max_coalitions if you can wait")
    background = check_frame(background, name="background")
    check_memory(len(X) * n_needed * 16.0 + max(_MAX_CANDIDATES, n_needed * len(background)) * 48,
                 what=f"owen_values over {n_needed:,} coalitions for {len(X)} row(s) and {len(background)} "
                      "background rows", knob="the number of groups or rows")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    plan, codes = _owen_plan(members, m)
    full = np.int64((1 << m) - 1)
    inner_codes = codes[(codes != 0) & (codes != full)]
    masks = ((inner_codes[:, None] >> np.arange(m, dtype=np.int64)) & 1).astype(bool)
    rows = np.arange(len(X))
    inner = game.values(rows, [masks] * len(X)) if len(inner_codes) else [np.empty(0)] * len(X)
    all_codes = np.concatenate([[0], inner_codes, [full]])
    order = np.argsort(all_codes)
    v = np.column_stack([np.full(len(X), base_value), np.vstack(inner).reshape(len(X), -1), prediction])[:, order]
    values = _owen_sums(v, all_codes[order], members, plan)
    values[~game.varying(rows)] = 0.0               # null player, exactly (no rounding residue)
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "owen",
                         output_scale(f), game.n_evaluations)

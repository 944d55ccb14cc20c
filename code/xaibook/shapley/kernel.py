"""KernelSHAP (Lundberg & Lee 2017): Shapley values as a weighted linear regression over
coalitions, with the coalitions chosen as the ``shap`` package chooses them."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from xaibook._validation import (
    RandomStateLike,
    as_generator,
    check_frame,
    check_memory,
    check_positive_int,
    output_scale,
)
from xaibook.predict import DEFAULT_BATCH_SIZE, PredictionFunction, as_prediction_function
from xaibook.shapley.game import _start
from xaibook.shapley.result import ShapleyResult

__all__ = ["shapley_kernel_weight", "kernel_coalitions", "solve_kernel", "kernel_shap"]


def shapley_kernel_weight(n_features: int, size: int | np.ndarray) -> np.ndarray:
    """Lundberg & Lee's (2017) Shapley kernel ``(M - 1) / (C(M, s) * s * (M - s))`` for coalition size ``s``."""
    s = np.asarray(size, dtype=float)
    m = n_features
    comb = np.array([math.comb(m, int(k)) for k in np.ravel(s)], dtype=float).reshape(s.shape)
    with np.errstate(divide="ignore"):
        return (m - 1) / (comb * s * (m - s))


def kernel_coalitions(n_features: int, n_samples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coalitions and regression weights for KernelSHAP, chosen as the ``shap`` package does.

    Coalition sizes ``s`` and ``M - s`` are taken in pairs. Starting with the smallest sizes, a
    size whose complete enumeration fits in the remaining budget (given its share of the kernel
    weight) is enumerated in full with its exact kernel weight; the rest of the budget goes to
    random coalitions of the remaining sizes, each drawn with its complement, weighted by how often
    it was drawn and scaled to the kernel weight those sizes carry. With ``n_samples >= 2**M - 2``
    every coalition is enumerated and KernelSHAP returns the exact Shapley values.
    """
    m = n_features
    n_samples = min(n_samples, 2 ** m - 2) if m <= 30 else n_samples
    n_sizes = math.ceil((m - 1) / 2)
    n_paired = (m - 1) // 2
    weight = np.array([(m - 1) / (s * (m - s)) for s in range(1, n_sizes + 1)])
    weight[:n_paired] *= 2
    weight /= weight.sum()

    masks, weights = [], []
    left, remaining, n_full = n_samples, weight.copy(), 0
    for s in range(1, n_sizes + 1):
        paired = s <= n_paired
        n_subsets = math.comb(m, s) * (2 if paired else 1)
        if left * remaining[s - 1] / n_subsets < 1.0 - 1e-8:
            break
        n_full += 1
        left -= n_subsets
        if remaining[s - 1] < 1.0:
            remaining = remaining / (1 - remaining[s - 1])
        w = weight[s - 1] / math.comb(m, s) / (2 if paired else 1)
        chosen = np.zeros((math.comb(m, s), m), dtype=bool)
        for k, inds in enumerate(itertools.combinations(range(m), s)):
            chosen[k, list(inds)] = True
        masks.append(chosen)
        if paired:
            masks.append(~chosen)
        weights.append(np.full(n_subsets, w))

    if n_full < n_sizes and left > 0:
        sampled, counts = _sample_coalitions(m, left, weight, n_full, n_paired, rng)
        counts = counts * weight[n_full:].sum() / counts.sum()
        masks.append(sampled)
        weights.append(counts)
    if not masks:
        return np.zeros((0, m), dtype=bool), np.zeros(0)
    return np.concatenate(masks), np.concatenate(weights)


def _sample_coalitions(m: int, budget: int, weight: np.ndarray, n_full: int, n_paired: int,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random distinct coalitions (with complements for paired sizes) and their draw counts."""
    p = weight.copy()
    p[:n_paired] /= 2                                      # a paired draw yields two coalitions
    p = p[n_full:] / p[n_full:].sum()
    n_draws = 4 * budget
    sizes = rng.choice(len(p), size=n_draws, p=p) + n_full + 1
    ranks = np.argsort(rng.random((n_draws, m)), axis=1)
    drawn = ranks < sizes[:, None]
    codes = np.packbits(drawn, axis=1)
    _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(first)                              # distinct coalitions in the order drawn
    cost = np.where(sizes[first[order]] <= n_paired, 2, 1)
    taken = np.cumsum(cost) - cost < budget                # a coalition is kept while budget remains
    keep = order[taken]
    last_draw = first[keep].max()
    rank_of = np.full(len(first), -1)
    rank_of[keep] = np.arange(len(keep))
    counts = np.bincount(rank_of[inverse[: last_draw + 1]][rank_of[inverse[: last_draw + 1]] >= 0],
                         minlength=len(keep)).astype(float)
    chosen = drawn[first[keep]]
    paired = sizes[first[keep]] <= n_paired
    spent = np.cumsum(np.where(paired, 2, 1))
    with_pair = paired & (spent <= budget)                 # the last complement may not fit
    out_masks = [chosen, ~chosen[with_pair]]
    out_counts = [counts, counts[with_pair]]
    # interleave is not needed: the regression does not care about order
    return np.concatenate(out_masks), np.concatenate(out_counts)


def solve_kernel(masks: np.ndarray, weights: np.ndarray, v: np.ndarray, base_value: float,
                 prediction: float) -> np.ndarray:
    """Weighted least squares for ``v(S) - base = sum_{j in S} phi_j`` subject to ``sum phi = f(x) - base``.

    The constraint is enforced exactly by eliminating the last feature:
    ``phi_M = (f(x) - base) - sum_{j<M} phi_j`` (as in Lundberg & Lee's implementation).
    """
    total = prediction - base_value
    z = masks.astype(float)
    y = (v - base_value) - z[:, -1] * total
    design = z[:, :-1] - z[:, -1:]
    weighted = design * weights[:, None]
    try:                                                   # normal equations: (A'WA) beta = A'Wy
        beta = np.linalg.solve(design.T @ weighted, weighted.T @ y)
    except np.linalg.LinAlgError:                          # singular: the minimum-norm solution
        root = np.sqrt(weights)[:, None]
        beta = np.linalg.lstsq(design * root, y * root[:, 0], rcond=None)[0]
    return np.append(beta, total - beta.sum())


def kernel_shap(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                n_samples: int = 2048, random_state: RandomStateLike = 0,
                batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """KernelSHAP (Lundberg & Lee 2017): Shapley values as a weighted linear regression.

    The Shapley values are the coefficients of the linear model ``v(S) ~ base + sum_{j in S} phi_j``
    fitted over coalitions ``S`` with the Shapley kernel weight
    ``(M - 1) / (C(M, |S|) |S| (M - |S|))``, under the constraint that they add up to
    ``f(x) - base`` (enforced exactly). ``n_samples`` coalitions per row are used (chosen by
    :func:`kernel_coalitions`); features on which every background row equals ``x`` cannot matter
    and get 0 without being sampled. With ``n_samples >= 2**M - 2`` the result is exact.
    """
    f = as_prediction_function(f, name="f")
    n_samples = check_positive_int(n_samples, name="n_samples", minimum=2)
    rng = as_generator(random_state)
    X = check_frame(X, name="X")
    m = X.shape[1]
    used = min(n_samples, 2 ** m) if m <= 62 else n_samples
    check_memory(used * m * 48.0 + used * len(X) * 16.0, what=f"kernel_shap with {used:,} coalitions of {m} features",
                 knob="n_samples")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    n, m = X.shape
    varying = game.varying(np.arange(n))
    plans: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for i in range(n):
        active = np.flatnonzero(varying[i])
        k = len(active)
        if k < 2:
            plans.append((active, np.zeros((0, m), dtype=bool), np.zeros(0)))
            continue
        if n_samples < min(2 * k, 2 ** k - 2):
            raise ValueError(f"n_samples={n_samples} is too small for the {k} features that vary for row {i}: "
                             "coalitions come in complementary pairs, each pair adds one equation, so the "
                             f"regression is underdetermined below n_samples={min(2 * k, 2 ** k - 2)} "
                             "(shap's default is 2 * M + 2048)")
        sub, weights = kernel_coalitions(k, n_samples, rng)
        full = np.zeros((len(sub), m), dtype=bool)
        full[:, active] = sub
        plans.append((active, full, weights))
    inner = game.values(np.arange(n), [plan[1] for plan in plans])
    values = np.zeros((n, m))
    for i, ((active, masks, weights), v) in enumerate(zip(plans, inner)):
        if len(active) == 1:
            values[i, active[0]] = prediction[i] - base_value
        elif len(active) > 1:
            values[i, active] = solve_kernel(masks[:, active], weights, v, base_value, prediction[i])
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "kernel",
                         output_scale(f), game.n_evaluations)

"""Shapley values estimated from random feature orders (Strumbelj & Kononenko 2014): the fast
estimator :func:`sampling_shapley` and the formula written out, :func:`permutation_shapley_reference`."""

from __future__ import annotations

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

__all__ = ["sampling_shapley", "permutation_shapley_reference"]


def _orders(m: int, n_permutations: int, antithetic: bool, rng: np.random.Generator) -> np.ndarray:
    n_draw = (n_permutations + 1) // 2 if antithetic else n_permutations
    orders = np.argsort(rng.random((n_draw, m)), axis=1)
    if antithetic:  # each order and its reverse: the first feature of one is the last of the other
        orders = np.stack([orders, orders[:, ::-1]], axis=1).reshape(-1, m)[:n_permutations]
    return orders


def sampling_shapley(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                     n_permutations: int = 100, antithetic: bool = True, random_state: RandomStateLike = 0,
                     batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Shapley values estimated from random feature orders (Strumbelj & Kononenko 2014).

    ``phi_j`` is the average, over orders ``pi``, of ``v(Pre_j + j) - v(Pre_j)`` where ``Pre_j``
    are the features before ``j`` in ``pi``. Walking through one order gives every feature's
    contribution from ``M + 1`` coalitions, and they telescope, so every estimate is efficient.
    Unlike the original algorithm, which pairs each order with one random background row, ``v``
    is averaged over the whole background (only the orders are random). ``antithetic=True``
    pairs each order with its reverse, which cancels much of the noise (Mitchell et al. 2022).
    ``standard_error`` in the result is the Monte Carlo standard error of each value.
    """
    f = as_prediction_function(f, name="f")
    n_permutations = check_positive_int(n_permutations, name="n_permutations", minimum=2)
    rng = as_generator(random_state)
    X = check_frame(X, name="X")
    m, n = X.shape[1], len(X)
    check_memory(n * n_permutations * m * (8.0 + 3 * m) + n_permutations * m * 24.0,
                 what=f"sampling_shapley with {n_permutations:,} orders of {m} features for {n} row(s)",
                 knob="n_permutations (or explain fewer rows per call)")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    all_orders = [_orders(m, n_permutations, antithetic, rng) for _ in range(n)]
    masks, inverses = [], []
    for orders in all_orders:
        # prefix coalitions: position k of an order holds the first k + 1 features of it
        ranks = np.empty_like(orders)
        np.put_along_axis(ranks, orders, np.arange(m)[None, :], axis=1)
        prefixes = ranks[:, None, :] <= np.arange(m - 1)[None, :, None]      # (n_perm, M - 1, M)
        unique, inverse = np.unique(prefixes.reshape(-1, m), axis=0, return_inverse=True)
        masks.append(unique)
        inverses.append(inverse.reshape(-1))
    inner = game.values(np.arange(n), masks)
    values = np.empty((n, m))
    errors = np.empty((n, m))
    for i, (orders, v, inverse) in enumerate(zip(all_orders, inner, inverses)):
        path = np.column_stack([np.full(len(orders), base_value), v[inverse].reshape(len(orders), m - 1),
                                np.full(len(orders), prediction[i])])
        gains = np.empty_like(orders, dtype=float)
        np.put_along_axis(gains, orders, np.diff(path, axis=1), axis=1)     # gains[p, j]: feature j in order p
        values[i] = gains.mean(axis=0)
        if antithetic and len(gains) % 2 == 0:
            gains = gains.reshape(-1, 2, m).mean(axis=1)                  # pairs are the independent draws
        errors[i] = gains.std(axis=0, ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else np.nan
    dummies = ~game.varying(np.arange(n))           # dummy axiom, exactly (no rounding residue)
    values[dummies], errors[dummies] = 0.0, 0.0
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "sampling",
                         output_scale(f), game.n_evaluations, errors)


def permutation_shapley_reference(f: PredictionFunction, x: pd.DataFrame, background: pd.DataFrame, *,
                                  n_permutations: int = 10, random_state: int = 0) -> pd.Series:
    """SHAP values of one row ``x`` written as the formula, one feature order at a time.

    ``v(S)`` is the mean prediction over the background with the features in ``S`` set to ``x``'s
    values (the interventional value function); ``phi_j`` is the average over random orders of
    ``v(features before j, and j) - v(features before j)`` (Strumbelj & Kononenko 2014). Plain and
    slow; :func:`sampling_shapley` gives the same numbers from the same orders, faster (tested).
    """
    def v(coalition):
        hybrid = background.copy()
        for feature in coalition:
            hybrid[feature] = x[feature].iloc[0]      # the row's value, for every background row
        return f(hybrid).mean()

    features = list(x.columns)
    orders = _orders(len(features), n_permutations, True, as_generator(random_state))  # + reverses
    phi = pd.Series(0.0, index=features)
    for order in orders:
        before = []
        for j in order:
            after = before + [features[j]]
            phi[features[j]] += v(after) - v(before)
            before = after
    return phi / n_permutations

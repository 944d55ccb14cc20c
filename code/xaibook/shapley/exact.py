"""Exact interventional Shapley values by enumerating all ``2**M`` coalitions (Shapley 1953).

The Shapley value of feature ``j`` is its marginal contribution averaged over coalitions::

    phi_j = sum over S not containing j of |S|! (M - |S| - 1)! / M! * (v(S + j) - v(S))

so that ``v(empty) = mean f(B)`` (the *base value*) plus the sum of all ``phi_j`` is ``f(x)``.
``v`` is the interventional value function of :mod:`xaibook.shapley.game`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xaibook._validation import check_frame, check_memory, check_positive_int, output_scale
from xaibook.predict import DEFAULT_BATCH_SIZE, PredictionFunction, as_prediction_function
from xaibook.shapley.game import _MAX_CANDIDATES, _start
from xaibook.shapley.result import ShapleyResult

__all__ = ["MAX_EXACT_FEATURES", "all_coalitions", "shapley_weight_matrix", "exact_shapley"]

#: Default refusal threshold of :func:`exact_shapley`: 2**14 = 16,384 coalitions per row.
MAX_EXACT_FEATURES = 14


def _shapley_weights(n_players: int) -> np.ndarray:
    """``w(s) = s! (n - s - 1)! / n!`` for a coalition of ``s`` of the other ``n - 1`` players."""
    n = n_players
    return np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)])


def all_coalitions(n_features: int) -> np.ndarray:
    """All ``2**M`` coalitions as a boolean (2**M, M) array; row ``k`` holds the binary digits of ``k``."""
    codes = np.arange(2 ** n_features, dtype=np.int64)
    out = np.empty((len(codes), n_features), dtype=bool)
    for j in range(n_features):  # column by column: no (2**M, M) int64 temporary
        out[:, j] = (codes >> j) & 1
    return out


def shapley_weight_matrix(n_features: int) -> np.ndarray:
    """The (2**M, M) matrix ``C`` with ``phi = v @ C`` for ``v`` listed as in :func:`all_coalitions`.

    Shapley (1953): ``C[S, j] = w(|S| - 1)`` if ``j`` is in ``S`` and ``-w(|S|)`` otherwise,
    with ``w(s) = s! (M - s - 1)! / M!``.
    """
    m = n_features
    members = all_coalitions(m)
    size = members.sum(axis=1)
    w = _shapley_weights(m)
    return np.where(members, w[np.clip(size - 1, 0, m - 1)][:, None], -w[np.clip(size, 0, m - 1)][:, None])


def _marginal_sums(v: np.ndarray, m: int) -> np.ndarray:
    """``phi_j = sum over S without j of w(|S|) (v(S + j) - v(S))`` with ``w(s) = s! (M-s-1)! / M!``.

    ``v[:, k]`` is the value of the coalition whose members are the binary digits of ``k``. Summing
    the marginal differences (rather than ``v @ C`` with :func:`shapley_weight_matrix`) gives a
    feature whose differences are all exactly zero a value of exactly zero, and needs no
    ``(2**M, M)`` matrix of weights.
    """
    codes = np.arange(2 ** m, dtype=np.int64)
    size = np.zeros(len(codes), dtype=np.int64)
    for j in range(m):
        size += (codes >> j) & 1
    w = _shapley_weights(m)
    values = np.empty((len(v), m))
    for j in range(m):
        without = codes[((codes >> j) & 1) == 0]
        values[:, j] = (v[:, without | (1 << j)] - v[:, without]) @ w[size[without]]
    return values


def exact_shapley(f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame, *,
                  max_features: int = MAX_EXACT_FEATURES,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> ShapleyResult:
    """Exact interventional Shapley values by enumerating all ``2**M`` coalitions (Shapley 1953).

    For every explained row, ``v(S)`` (the mean of ``f`` over the background with the features in
    ``S`` set to the row's values) is computed for every coalition ``S``; the Shapley values are
    then one matrix product ``phi = v @ C`` (:func:`shapley_weight_matrix`). The cost is up to
    ``n_rows * 2**M * len(background)`` model evaluations, so above ``max_features`` features the
    function refuses and points to the approximations.
    """
    f = as_prediction_function(f, name="f")
    X = check_frame(X, name="X")
    m = X.shape[1]
    max_features = check_positive_int(max_features, name="max_features")
    if m > max_features:
        raise ValueError(
            f"exact_shapley needs 2**{m} = {2 ** m:,} coalitions per row for {m} features, more than the "
            f"limit of max_features={max_features}; use kernel_shap(...) or sampling_shapley(...) to "
            "approximate the values, tree_shap(...) for tree models, or raise max_features if you can wait"
        )
    background = check_frame(background, name="background")
    n_coalitions = 2.0 ** m
    check_memory(n_coalitions * (m + 8) + len(X) * n_coalitions * 16
                 + max(_MAX_CANDIDATES, n_coalitions * len(background)) * 48,
                 what=f"exact_shapley over 2**{m} coalitions for {len(X)} row(s) and {len(background)} "
                      "background rows", knob="the number of features (max_features), rows or background rows")
    X, background, game, base_value, prediction = _start(f, X, background, batch_size)
    coalitions = all_coalitions(m)[1:-1]            # the empty and full coalitions are known
    rows = np.arange(len(X))
    inner = game.values(rows, [coalitions] * len(X))
    v = np.column_stack([np.full(len(X), base_value), np.vstack(inner), prediction])
    values = _marginal_sums(v, m)
    values[~game.varying(rows)] = 0.0               # dummy axiom, exactly (no rounding residue)
    return ShapleyResult(values, base_value, tuple(X.columns), X, prediction, "exact",
                         output_scale(f), game.n_evaluations)

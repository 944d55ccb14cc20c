"""Shapley values and SHAP interaction values of any game ``value(coalition)``, by full
enumeration: readable and exponential, for small games and for checking the fast algorithms."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook.shapley.exact import MAX_EXACT_FEATURES, _shapley_weights

__all__ = ["shapley_from_value_function", "shapley_interactions_from_value_function"]


def _check_game(value: Any, players: Any) -> list[str]:
    """The players of a game given as ``value(coalition)``: distinct names, at most
    :data:`MAX_EXACT_FEATURES` of them (full enumeration)."""
    if not callable(value):
        raise TypeError(f"value must be a function of a coalition (a list of player names), got "
                        f"{type(value).__name__}")
    if isinstance(players, str) or not hasattr(players, "__iter__"):
        raise TypeError(f"players must be a list of names, got {type(players).__name__}")
    players = list(players)
    if not players:
        raise ValueError("players is empty: a game needs at least one player")
    repeated = sorted({p for p in players if players.count(p) > 1}, key=str)
    if repeated:
        raise ValueError(f"players must be distinct; {repeated} appear more than once")
    if len(players) > MAX_EXACT_FEATURES:
        raise ValueError(f"{len(players)} players need 2**{len(players)} coalitions; at most "
                         f"{MAX_EXACT_FEATURES} are enumerated")
    return players


def _game_value(value: Callable[[list[str]], float], coalition: Sequence[str]) -> float:
    try:
        out = float(value(list(coalition)))
    except (TypeError, ValueError) as err:
        raise TypeError(f"value({list(coalition)}) must return one number: {err}") from err
    if not np.isfinite(out):
        raise ValueError(f"value({list(coalition)}) returned {out}; a game's values must be finite")
    return out


def shapley_from_value_function(value: Callable[[list[str]], float], players: Sequence[str]) -> pd.Series:
    """Shapley (1953) values of any game ``value(coalition)`` over ``players``, by full enumeration.

    ``phi_j = sum over S without j of |S|! (M - |S| - 1)! / M! * (v(S + j) - v(S))``. Readable and
    exponential (``2**M`` calls of ``value``): for small games and for checking the fast algorithms.
    """
    players = _check_game(value, players)
    m = len(players)
    v = {S: _game_value(value, S) for size in range(m + 1) for S in itertools.combinations(players, size)}
    weight = _shapley_weights(m)
    phi = pd.Series(0.0, index=players)
    for j in players:
        others = [p for p in players if p != j]
        for size in range(m):
            for S in itertools.combinations(others, size):
                with_j = tuple(p for p in players if p in S or p == j)
                phi[j] += weight[size] * (v[with_j] - v[S])
    return phi


def shapley_interactions_from_value_function(value: Callable[[list[str]], float],
                                             players: Sequence[str]) -> pd.DataFrame:
    """SHAP interaction values of a game by full enumeration (Lundberg et al. 2020, eq. 6).

    Off the diagonal, half the Shapley interaction index of Grabisch & Roubens (1999)::

        Phi_ij = sum over S without i, j of |S|! (M - |S| - 2)! / (2 (M - 1)!) * D_ij(S),
        D_ij(S) = v(S + i + j) - v(S + i) - v(S + j) + v(S)

    and on the diagonal the main effect ``Phi_ii = phi_i - sum over j != i of Phi_ij``, so that each
    row adds up to the feature's Shapley value. Exponential, like :func:`shapley_from_value_function`.
    """
    players = _check_game(value, players)
    m = len(players)
    if m < 2:
        raise ValueError("interactions need at least two players")
    v = {frozenset(S): _game_value(value, S) for size in range(m + 1)
         for S in itertools.combinations(players, size)}
    phi = shapley_from_value_function(lambda S: v[frozenset(S)], players)
    out = pd.DataFrame(0.0, index=players, columns=players)
    for i, j in itertools.combinations(players, 2):
        others = [p for p in players if p not in (i, j)]
        total = 0.0
        for size in range(m - 1):
            weight = math.factorial(size) * math.factorial(m - size - 2) / (2 * math.factorial(m - 1))
            for S in map(frozenset, itertools.combinations(others, size)):
                total += weight * (v[S | {i, j}] - v[S | {i}] - v[S | {j}] + v[S])
        out.loc[i, j] = out.loc[j, i] = total
    for i in players:
        out.loc[i, i] = phi[i] - out.loc[i].drop(i).sum()
    return out

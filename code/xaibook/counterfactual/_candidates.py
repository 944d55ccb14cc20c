"""Step 1 of the search: candidate rows (:func:`_find_candidates`).

Single-feature moves to grid values (:func:`_neighbours`), greedy paths of the best log-odds gain
per unit of cost (:func:`_greedy_paths`), random sparse rows (:func:`_random_candidates`), the
reference rows moved onto the constraints (:func:`_reference_candidates`) and, for a small search
space, every combination of evenly spaced values (:func:`_lattice`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from xaibook.counterfactual._space import _Space, _unique_rows
from xaibook.counterfactual._target import _Target

#: Random sparse candidates drawn per search.
N_RANDOM = 400
#: Most features a random candidate changes.
MAX_RANDOM_CHANGES = 3
#: Steps of a greedy path before it is abandoned.
MAX_STEPS = 8
#: Reference rows (a seeded sample when there are more) projected onto the constraints as candidates.
MAX_REFERENCE = 2000
#: Largest number of rows of the exhaustive lattice over the features free to change; a bigger
#: search space is not enumerated (see :func:`_lattice`).
LATTICE_ROWS = 4096


class _Candidates(NamedTuple):
    """The valid rows step 1 found, as distinct coded rows.

    ``pool``: single moves, greedy paths and random rows; ``broad``: reference rows moved onto the
    constraints and lattice rows (they change many features at once); ``efficiency``: each
    feature's best log-odds gain per unit of cost over its single moves from ``x`` (0 if none
    gains); ``tried``: what the broad search covered, for the message of an empty result.
    """

    pool: np.ndarray
    broad: np.ndarray
    efficiency: np.ndarray
    tried: str


def _find_candidates(space: _Space, target: _Target, X_reference: pd.DataFrame, rng: np.random.Generator,
                     n_paths: int) -> _Candidates:
    """Reference rows moved onto the constraints, the lattice of a small space, single moves,
    ``n_paths`` greedy paths and random sparse rows: the valid ones, in that order of model calls."""
    width = len(space.x)
    broad, pool = [], []
    projected = _reference_candidates(space, X_reference, rng)
    if len(projected):
        broad.append(projected[target.calibrate(space.decode(projected))])
    lattice = _lattice(space)
    if len(lattice):
        broad.append(lattice[target(space.decode(lattice))[1]])
    neighbours, moved = _neighbours(space, space.x, set())
    efficiency = np.zeros(width)
    if len(neighbours):
        moves = (neighbours, moved, target(space.decode(neighbours)))
        pool.append(neighbours[moves[2][1]])
        efficiency = _efficiency(space, target, moves)
        pool += _greedy_paths(space, target, moves, target.x_margin, n_paths)
    randoms = _random_candidates(space, X_reference, rng)
    if len(randoms):
        pool.append(randoms[target(space.decode(randoms))[1]])
    tried = f"{len(projected)} reference rows moved onto the constraints" + (
        f", every one of the {len(lattice)} combinations of a grid over the free features" if len(lattice) else "")
    return _Candidates(_stack(pool, width), _stack(broad, width), efficiency, tried)


def _stack(rows: list, width: int) -> np.ndarray:
    return _unique_rows(np.vstack(rows)) if rows else np.empty((0, width))


def _efficiency(space: _Space, target: _Target, moves: tuple) -> np.ndarray:
    """Each feature's best score (:func:`_scores`) over its single moves from ``x`` (0 if none gains)."""
    neighbours, moved, (_, _, margin) = moves
    x_margin = target.x_margin
    score = _scores(space, neighbours, margin, x_margin, target.boundary - x_margin, 0.0)
    efficiency = np.zeros(len(space.x))
    for j in range(len(space.x)):
        mine = score[moved == j]
        efficiency[j] = mine[np.isfinite(mine)].max() if np.isfinite(mine).any() else 0.0
    return efficiency


def _neighbours(space: _Space, Z0: np.ndarray, banned: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """All single-feature moves from the row ``Z0`` to grid values: rows and the feature moved."""
    rows, moved = [], []
    for j, values in space.grid.items():
        if j in banned or len(values) == 0:
            continue
        block = np.repeat(Z0[None, :], len(values), axis=0)
        block[:, j] = values
        rows.append(block)
        moved.append(np.full(len(values), j))
    if not rows:
        return np.empty((0, len(Z0))), np.empty(0, dtype=int)
    return np.vstack(rows), np.concatenate(moved)


def _path_starts(space: _Space, moves: tuple, x_margin: float, need: float, n_paths: int) -> list[int]:
    """First moves of the greedy paths: the best move, then the best on another feature, and so on."""
    neighbours, moved, (_, _, margin) = moves
    score = _scores(space, neighbours, margin, x_margin, need, 0.0)
    starts, banned = [], set()
    for _ in range(n_paths):
        allowed = np.flatnonzero(np.isfinite(score) & ~np.isin(moved, list(banned)))
        if not len(allowed):
            break
        best = int(allowed[np.argmax(score[allowed])])
        starts.append(best)
        banned.add(int(moved[best]))
    return starts


def _scores(space: _Space, cand: np.ndarray, cand_margin: np.ndarray, z_margin, need, z_cost) -> np.ndarray:
    """Gain in log-odds towards the boundary (capped at what is still missing) per unit of extra cost."""
    gain = np.minimum(cand_margin - z_margin, np.maximum(need, 0) + 1e-3)
    extra = space.cost(cand) - z_cost
    return np.where((extra > 1e-12) & (gain > 0), gain / np.maximum(extra, 1e-12), -np.inf)


def _greedy_paths(space: _Space, target: _Target, moves: tuple, x_margin: float, n_paths: int) -> list[np.ndarray]:
    """Steepest ascent of the desired class's log-odds per unit cost, all paths at once.

    Path ``r`` starts with the best first move on a feature none of the paths before it started
    with (diversity by construction); every valid row met on the way is a candidate.
    """
    neighbours, _, (_, first_valid, first_margin) = moves
    starts = _path_starts(space, moves, x_margin, target.boundary - x_margin, n_paths)
    # each path: its current row, whether it is valid and its margin (known from the call that made it)
    paths = [(neighbours[s].copy(), bool(first_valid[s]), float(first_margin[s])) for s in starts]
    found = []
    for _ in range(MAX_STEPS - 1):
        found += [z for z, valid, _ in paths if valid]
        live = [(z, margin) for z, valid, margin in paths if not valid]
        if not live:
            break
        blocks = [_neighbours(space, z, set()) for z, _ in live]
        cand = np.vstack([b[0] for b in blocks])
        owner = np.concatenate([np.full(len(b[0]), k) for k, b in enumerate(blocks)])
        _, cand_valid, cand_margin = target(space.decode(cand))
        found += list(cand[cand_valid])
        paths = []
        for k, (z, margin) in enumerate(live):
            mine = np.flatnonzero(owner == k)
            score = _scores(space, cand[mine], cand_margin[mine], margin, target.boundary - margin,
                            space.cost(z[None, :])[0])
            if np.isfinite(score).any():
                best = mine[int(np.argmax(score))]
                paths.append((cand[best].copy(), bool(cand_valid[best]), float(cand_margin[best])))
    found += [z for z, valid, _ in paths if valid]
    return found


def _random_candidates(space: _Space, X_reference: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Sparse random rows: 1 to MAX_RANDOM_CHANGES features take values drawn from the reference data."""
    movable = [j for j, g in space.grid.items() if len(g)]
    if not movable:
        return np.empty((0, len(space.x)))
    Z = np.repeat(space.x[None, :], N_RANDOM, axis=0)
    k = rng.integers(1, min(MAX_RANDOM_CHANGES, len(movable)) + 1, size=N_RANDOM)
    ranks = rng.random((N_RANDOM, len(movable))).argsort(axis=1).argsort(axis=1)
    for j_pos, j in enumerate(movable):
        chosen = ranks[:, j_pos] < k                   # the k features first in a random order
        if not chosen.any():
            continue
        column = space.columns[j]
        if space.numeric[j]:
            ref = X_reference[column].to_numpy(dtype=float)
            pick = ref[rng.integers(0, len(ref), size=chosen.sum())]
            pick = np.clip(space._representable(j, pick), space.lower[j], space.upper[j])
        else:
            pick = rng.choice(space.grid[j], size=chosen.sum())
        Z[chosen, j] = pick
    return Z


def _lattice(space: _Space) -> np.ndarray:
    """Every combination of allowed values of the features free to change, when there are at most
    ``LATTICE_ROWS``: every allowed category, and for a numeric feature ``k`` evenly spaced values
    from its lowest to its highest permitted value (plus x's own), ``k`` the largest of 33, 17, 9,
    5, 3, 2 that fits. (Each ``k`` contains the values of the smaller ones, so a grid of 2, 3, 5, 9
    or 17 evenly spaced values is always a subset.) An exhaustive search of a small space: when a
    valid row exists on this grid, the search cannot miss it. Empty when the space is too big.
    """
    free = np.flatnonzero(space.vary)
    categorical = {j: space.allowed[j] for j in free if not space.numeric[j]}
    numeric = [j for j in free if space.numeric[j] and space.upper[j] > space.lower[j]]
    size = int(np.prod([len(v) for v in categorical.values()], dtype=float)) if categorical else 1
    for k in (33, 17, 9, 5, 3, 2):
        levels = {j: np.unique(np.r_[space._representable(j, np.linspace(space.lower[j], space.upper[j], k)),
                                     space.x[j]]) for j in numeric}
        if size * np.prod([len(v) for v in levels.values()], dtype=float) <= LATTICE_ROWS:
            break
    else:
        return np.empty((0, len(space.x)))
    axes = {**categorical, **levels}
    if not axes:
        return np.empty((0, len(space.x)))
    grid = np.meshgrid(*axes.values(), indexing="ij")
    Z = np.repeat(space.x[None, :], grid[0].size, axis=0)
    for j, values in zip(axes, grid):
        Z[:, j] = values.reshape(-1)
    return Z[space.n_changed(Z) > 0]


def _reference_candidates(space: _Space, X_reference: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The reference rows (at most ``MAX_REFERENCE``, a seeded sample) moved onto the constraints."""
    if len(X_reference) > MAX_REFERENCE:
        X_reference = X_reference.iloc[np.sort(rng.choice(len(X_reference), MAX_REFERENCE, replace=False))]
    Z = _unique_rows(space.project(space.encode(X_reference)))
    return Z[space.n_changed(Z) > 0]


"""Step 2 of the search: every valid candidate pulled back towards ``x`` (:func:`_minimise_candidates`).

A broad candidate first moves all its numeric changes back together (:func:`_shorten_jointly`);
then changes that are not needed are undone and every numeric change is shortened to the smallest
that keeps the row valid (:func:`_minimise`, by the grid search of :func:`_shortest`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xaibook.counterfactual._candidates import _Candidates
from xaibook.counterfactual._space import _Space, _unique_rows
from xaibook.counterfactual._target import _Target

#: Valid candidates minimised per search (the cheapest after undoing unneeded changes).
MAX_POOL = 48
#: Points tried on each segment from x when a numeric change is shortened (twice, the second finer).
SHRINK_POINTS = 12
#: Projected reference rows and lattice rows minimised one feature at a time (after the joint move).
MAX_BROAD = 12


def _minimise_candidates(space: _Space, target: _Target, found: _Candidates, n: int) -> np.ndarray:
    """Minimise the cheapest candidates: first the search's (single moves, paths, random rows);
    then the broad ones (projected reference rows, the lattice), shortened jointly, of which those
    that already beat the ``n``-th cheapest so far (or all, if fewer than ``n`` were found)."""
    def cheapest(Z: np.ndarray, size: int) -> np.ndarray:
        return Z[np.argsort(space.cost(Z), kind="stable")[:size]]

    Z = found.pool
    if len(Z):
        Z = _unique_rows(_minimise(space, target, cheapest(Z, 2 * MAX_POOL), found.efficiency))
    B = found.broad
    if len(B):
        B = cheapest(_shorten_jointly(space, target, cheapest(B, 2 * MAX_BROAD)), 2 * MAX_BROAD)
        bar = np.sort(space.cost(Z))[n - 1] if len(Z) >= n else np.inf
        B = B[space.cost(B) < bar][:MAX_BROAD]
        if len(B):
            Z = _unique_rows(np.vstack([Z, _minimise(space, target, B, found.efficiency)]))
    return Z


def _shortest(target: _Target, space: _Space, base: np.ndarray, build) -> np.ndarray:
    """For each row of ``base``, the smallest fraction ``t`` in (0, 1] whose row ``build(base, t)``
    stays valid: a grid of ``SHRINK_POINTS`` fractions, then a finer one inside the first gap
    (two model calls for all rows). Returns 1 where no shorter fraction is valid."""
    n = len(base)
    lo, hi = np.zeros(n), np.ones(n)   # too short / long enough
    for _ in range(2):
        t = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, SHRINK_POINTS + 2)[None, 1:-1]
        trial = build(np.repeat(base, SHRINK_POINTS, axis=0), t.reshape(-1), np.repeat(np.arange(n), SHRINK_POINTS))
        _, valid, _ = target(space.decode(trial))
        valid = valid.reshape(n, SHRINK_POINTS)
        any_valid = valid.any(axis=1)
        first = np.argmax(valid, axis=1)
        picked = t[np.arange(n), first]
        before = np.where(first > 0, t[np.arange(n), np.maximum(first - 1, 0)], lo)
        lo, hi = np.where(any_valid, before, t[:, -1]), np.where(any_valid, picked, hi)
    return hi


def _shorten_jointly(space: _Space, target: _Target, Z: np.ndarray) -> np.ndarray:
    """A multi-feature move: all numeric changes of each row go back towards ``x`` by the same
    fraction, the smallest that keeps the row valid (for rows found far away, such as projected
    reference rows, which change many features at once)."""
    Z = Z.copy()
    cols = np.flatnonzero(space.numeric & space.vary)
    rows = np.flatnonzero((Z[:, cols] != space.x[cols]).any(axis=1))
    if not len(rows):
        return Z

    def build(base, t, _owner):
        trial = base.copy()
        trial[:, cols] = space.toward(space.x[cols], base[:, cols], t[:, None], cols)
        return trial

    Z[rows] = build(Z[rows], _shortest(target, space, Z[rows], build), None)
    return Z


def _minimise(space: _Space, target: _Target, Z: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Undo unneeded changes and shorten numeric ones, keeping every row valid (batched over rows).

    ``efficiency`` (log-odds gained per unit of cost by each feature's best
    single move from ``x``) sets the order of the rest: the least efficient changes are undone or
    shortened first.
    """
    Z = Z.copy()
    order = np.argsort(efficiency, kind="stable")
    movable = space.numeric & space.vary

    def undo_pass():
        while True:                      # per row, undo the most expensive change that is not needed
            changed = (Z != space.x) & space.vary
            rows, cols = np.nonzero(changed)
            if not len(rows):
                return
            trial = Z[rows].copy()
            trial[np.arange(len(rows)), cols] = space.x[cols]
            _, valid, _ = target(space.decode(trial))
            if not valid.any():
                return
            part = np.where(space.metric[cols], np.abs(Z[rows, cols] - space.x[cols]) / space.scale[cols], 1.0)
            saving = np.where(valid, part, -np.inf)
            best = pd.Series(saving).groupby(rows).idxmax()
            best = best[np.isfinite(saving[best.to_numpy()])].to_numpy()
            Z[rows[best], cols[best]] = space.x[cols[best]]

    def shrink_pass():
        # Round k shortens, in every row at once, that row's k-th changed numeric feature (least
        # efficient first): two model calls per round however many features the rows change.
        rank = np.empty(len(order), dtype=int)
        rank[order] = np.arange(len(order))
        for k in range(int(movable.sum())):
            changed = (Z != space.x) & movable
            keys = np.where(changed, rank[None, :], len(order))
            keys.sort(axis=1)
            has = keys[:, k] < len(order) if k < keys.shape[1] else np.zeros(len(Z), dtype=bool)
            if not has.any():
                break
            rows = np.flatnonzero(has)
            cols = order[keys[rows, k]]

            def build(base, t, owner, cols=cols):
                trial = base.copy()
                c = cols[owner]
                trial[np.arange(len(trial)), c] = space.toward(space.x[c], base[np.arange(len(trial)), c], t, c)
                return trial

            hi = _shortest(target, space, Z[rows], build)
            Z[rows] = build(Z[rows], hi, np.arange(len(rows)))

    undo_pass()
    shrink_pass()
    undo_pass()
    return Z


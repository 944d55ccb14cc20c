"""The search space of one row: every feature coded as a float, with what the search may do with it.

:class:`_Reference` holds what the search needs from ``X_reference`` (kinds, MAD scales, ranges,
quantiles, categories), computed once; :class:`_Space` codes ``x`` and its candidates, knows each
feature's constraints (frozen, range, monotone direction, allowed categories, whole or float32
values) and the cost, and turns coded rows back into DataFrames for the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import is_number_column
from xaibook.counterfactual.distance import mad_scales

#: Quantiles of the reference data used as target values of a numeric feature in the search.
GRID_SIZE = 16


class _Reference:
    """What the search needs from ``X_reference``, computed once: kinds, scales, ranges, values."""

    def __init__(self, X_reference: pd.DataFrame):
        self.columns = list(X_reference.columns)
        self.numeric = np.array([is_number_column(X_reference[c]) for c in self.columns])
        self.integer = np.array([self.numeric[j] and pd.api.types.is_integer_dtype(X_reference[c])
                                 for j, c in enumerate(self.columns)])
        self.mad = mad = mad_scales(X_reference)
        self.scale = np.array([mad[c] if self.numeric[j] else 1.0 for j, c in enumerate(self.columns)])
        self.low, self.high, self.quantiles, self.seen = {}, {}, {}, {}
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                values = X_reference[c].to_numpy(dtype=float)
                self.low[j], self.high[j] = values.min(), values.max()
                self.quantiles[j] = np.quantile(values, np.linspace(0, 1, GRID_SIZE))
            else:
                self.seen[j] = list(pd.unique(X_reference[c].astype(object)))


class _Space:
    """Every feature coded as a float: numbers as they are, categories as codes into a list.

    Holds what the search may do with each feature (frozen or not, bounds, allowed codes, monotone
    direction) and turns coded rows back into DataFrames for the model.
    """

    def __init__(self, x: pd.DataFrame, X_reference: pd.DataFrame | _Reference, vary: list[str],
                 ranges: dict[str, Any], monotone: dict[str, str], bands: dict | None = None):
        # ordered bands (band_scales) are coded by rank and costed like numbers: |rank difference| / scale
        self.bands = bands or {}
        self.ordinal = np.array([c in self.bands for c in x.columns])
        ref = X_reference if isinstance(X_reference, _Reference) else _Reference(X_reference)
        self.columns = list(x.columns)
        self.dtypes = x.dtypes
        m = len(self.columns)
        self.numeric, self.scale, self.mad = ref.numeric, ref.scale, ref.mad
        row = x.iloc[0]
        self.original = row                                # x's own values, restored bit for bit
        # whole steps only for a feature stored as integers whose value in x is whole
        self.integer = np.array([ref.integer[j] and float(row[c]) == np.round(float(row[c]))
                                 for j, c in enumerate(self.columns)])
        # a float32 (float16) feature takes values of its own precision: searched rows are snapped to it
        self.narrow = {j: x[c].dtype for j, c in enumerate(self.columns)
                       if self.numeric[j] and pd.api.types.is_float_dtype(x[c]) and x[c].dtype.itemsize < 8}
        self.vary = np.array([c in vary for c in self.columns])
        self.categories: dict[int, np.ndarray] = {}
        self.x = np.zeros(m)
        self.lower = np.full(m, -np.inf)
        self.upper = np.full(m, np.inf)
        self.allowed: dict[int, np.ndarray] = {}          # allowed codes of categorical features
        self.direction = np.zeros(m)                       # +1 increase only, -1 decrease only
        self.grid: dict[int, np.ndarray] = {}
        for j, c in enumerate(self.columns):
            value = row[c]
            if self.numeric[j]:
                self.x[j] = float(value)
                low, high = ranges.get(c, (min(ref.low[j], self.x[j]), max(ref.high[j], self.x[j])))
                self.lower[j], self.upper[j] = float(low), float(high)
                self.direction[j] = {"increase": 1, "decrease": -1}.get(monotone.get(c, ""), 0)
                if self.direction[j] > 0:
                    self.lower[j] = self.x[j]
                elif self.direction[j] < 0:
                    self.upper[j] = self.x[j]
                self._tighten(j)
                if self.vary[j]:
                    grid = np.clip(np.r_[ref.quantiles[j], self.lower[j], self.upper[j]], self.lower[j], self.upper[j])
                    grid = self._representable(j, grid)
                    grid = grid[(grid >= self.lower[j]) & (grid <= self.upper[j])]
                    self.grid[j] = np.unique(grid[np.isfinite(grid) & (grid != self.x[j])])
            else:
                seen = ref.seen[j]
                cats = seen + ([value] if value not in seen else [])
                if c in self.bands:
                    rank, scale = self.bands[c]
                    self.scale = self.scale.copy()      # ref's scales are shared; this one is the bands'
                    self.scale[j] = scale
                    if value not in rank:
                        raise ValueError(f"x's {c!r} = {value!r} is not among the bands listed in ordered[{c!r}]")
                    cats = sorted(rank, key=rank.get)
                self.categories[j] = np.array(cats, dtype=object)
                self.x[j] = float(cats.index(value))
                allowed = ranges.get(c, seen)
                codes = np.array([cats.index(v) for v in allowed], dtype=float)
                self.allowed[j] = np.unique(np.r_[codes, self.x[j]])
                if self.vary[j]:
                    self.grid[j] = codes[codes != self.x[j]]

    # -- values a feature can hold
    def _tighten(self, j: int) -> None:
        """Bounds of an integer feature to whole numbers, of a float32 one to float32 numbers inside."""
        if self.integer[j]:
            self.lower[j], self.upper[j] = np.ceil(self.lower[j]), np.floor(self.upper[j])
        elif j in self.narrow:
            dtype = self.narrow[j].type
            low, high = dtype(self.lower[j]), dtype(self.upper[j])
            if float(low) < self.lower[j]:
                low = np.nextafter(low, dtype(np.inf))
            if float(high) > self.upper[j]:
                high = np.nextafter(high, dtype(-np.inf))
            self.lower[j], self.upper[j] = float(low), float(high)

    def _representable(self, j, values: np.ndarray) -> np.ndarray:
        """``values`` of feature(s) ``j`` as the column stores them: whole for integers, float32 for float32."""
        values = np.asarray(values, dtype=float)
        j = np.broadcast_to(np.asarray(j), values.shape)
        out = np.where(self.integer[j], np.round(values), values)
        for k, dtype in self.narrow.items():
            out = np.where(j == k, out.astype(dtype).astype(float), out)
        return out

    def snap(self, Z: np.ndarray) -> np.ndarray:
        """Rows with every numeric value representable in its column (what the model will see)."""
        Z = Z.copy()
        for j in np.flatnonzero(self.numeric):
            Z[:, j] = self._representable(j, Z[:, j])
        return Z

    # -- coded rows <-> DataFrames
    def decode(self, Z: np.ndarray) -> pd.DataFrame:
        """Coded rows as a DataFrame with x's dtypes; a feature left at x's value gets x's own value,
        bit for bit (no round trip through float64)."""
        data = {}
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                column = Z[:, j]
                column = (np.round(column) if self.integer[j] else column).astype(self.dtypes[c])
                same = Z[:, j] == self.x[j]
                if same.any():
                    column[same] = self.original[c]
                data[c] = column
            else:
                data[c] = self.categories[j][Z[:, j].astype(int)]
        frame = pd.DataFrame(data, columns=self.columns)
        for c in self.columns:          # keep string/category dtypes as in x
            if frame[c].dtype != self.dtypes[c]:
                frame[c] = frame[c].astype(self.dtypes[c])
        return frame

    @property
    def metric(self) -> np.ndarray:
        """Features costed by distance (numeric, ordered bands) rather than by 1 per change."""
        return self.numeric | self.ordinal

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of a DataFrame with x's columns as coded rows (categories x has never seen: -1)."""
        Z = np.empty((len(frame), len(self.columns)))
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                Z[:, j] = frame[c].to_numpy(dtype=float)
            else:
                codes = {v: k for k, v in enumerate(self.categories[j])}
                Z[:, j] = [codes.get(v, -1) for v in frame[c].astype(object)]
        return Z

    def project(self, Z: np.ndarray) -> np.ndarray:
        """Rows moved onto the constraints: frozen features reset to x, numeric values clipped to the
        permitted range and monotone direction, categories that are not allowed reset to x's."""
        Z = Z.copy()
        for j in range(len(self.columns)):
            if not self.vary[j]:
                Z[:, j] = self.x[j]
            elif self.numeric[j]:
                Z[:, j] = np.clip(self._representable(j, Z[:, j]), self.lower[j], self.upper[j])
            else:
                Z[:, j] = np.where(np.isin(Z[:, j], self.allowed[j]), Z[:, j], self.x[j])
        return Z

    def cost(self, Z: np.ndarray) -> np.ndarray:
        diff = np.abs(Z - self.x)
        return np.where(self.metric, diff / self.scale, diff > 0).sum(axis=1)

    def n_changed(self, Z: np.ndarray) -> np.ndarray:
        return (Z != self.x).sum(axis=1)

    def pairwise(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        diff = np.abs(A[:, None, :] - B[None, :, :])
        return np.where(self.metric, diff / self.scale, diff > 0).sum(axis=2)

    def satisfies(self, Z: np.ndarray) -> np.ndarray:
        """Does each coded row respect every constraint (frozen features, ranges, directions, categories)?"""
        ok = np.ones(len(Z), dtype=bool)
        for j in range(len(self.columns)):
            z = Z[:, j]
            if not self.vary[j]:
                ok &= z == self.x[j]
            elif self.numeric[j]:
                ok &= (z >= self.lower[j]) & (z <= self.upper[j])
                ok &= z == self._representable(j, z)
            else:
                ok &= np.isin(z, self.allowed[j])
        return ok

    def toward(self, start, end, t, j) -> np.ndarray:
        """Features ``j`` at fraction ``t`` of the way from ``start`` to ``end`` (integers rounded
        outwards, float32 values snapped outwards); exactly ``end`` at ``t = 1``."""
        value = start + t * (end - start)
        outward = np.where(end >= start, np.ceil(value - 1e-9), np.floor(value + 1e-9))
        value = np.where(self.integer[j], outward, value)
        for k, dtype in self.narrow.items():
            mine = np.broadcast_to(j == k, value.shape)
            if mine.any():
                near = value.astype(dtype)
                step = np.nextafter(near, np.where(end >= start, np.inf, -np.inf).astype(dtype))
                short = np.where(end >= start, near.astype(float) < value, near.astype(float) > value)
                value = np.where(mine, np.where(short, step, near).astype(float), value)
        value = np.where(t >= 1, end, np.where(t <= 0, start, value))
        return value


def _unique_rows(Z: np.ndarray) -> np.ndarray:
    """Distinct rows, values untouched: rounding here once moved every feature of a continuous x
    off its value (frozen features then "changed", and every row failed the constraint check)."""
    if not len(Z):
        return Z
    return np.unique(Z, axis=0)


"""The cooperative game every estimator here plays: the interventional value function.

For the row ``x`` the value of a coalition ``S`` of features is the model's average prediction
when the features in ``S`` keep their values from ``x`` and the others take their values from the
rows ``b`` of a background data set ``B`` (Lundberg & Lee 2017; Janzing, Minorics & Blöbaum 2020)::

    v(S) = 1/|B| * sum over b in B of f(x_S, b_rest)

:class:`ShapleyGame` evaluates ``v`` for many rows and coalitions with few model calls: hybrid
rows ``(x_S, b_rest)`` are made by picking each column from ``x`` or from ``b``, never by arithmetic
on the values, so DataFrames with string categories work as they are, and hybrid rows that
coincide (because ``b`` already equals ``x`` on some features) are sent to the model only once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import (
    check_finite_output,
    check_frame,
    check_positive_int,
    check_prediction_function,
    check_same_columns,
)
from xaibook.predict import PredictionFunction

__all__ = ["ShapleyGame"]

#: Hybrid-row candidates (coalitions x background rows) handled at once before de-duplication.
_MAX_CANDIDATES = 2_000_000


def _check_inputs(f: Any, X: Any, background: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``X`` and ``background`` as checked frames, the background's columns in ``X``'s order."""
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    background = check_same_columns(background, X, name="background", reference_name="X")
    check_prediction_function(f, X)
    return X, background


def _predict(f: PredictionFunction, frame: pd.DataFrame) -> np.ndarray:
    """``f(frame)``: one finite number per row (NaN predictions would give NaN Shapley values)."""
    return check_finite_output(f(frame), len(frame), name="f")


class ShapleyGame:
    """Evaluates ``v_x(S)`` for many rows ``x`` and coalitions ``S`` with few model calls.

    For row ``x``, coalition ``S`` and background row ``b`` the hybrid row takes column ``j`` from
    ``x`` when ``j`` is in ``S`` *or* ``b_j == x_j``; this effective coalition identifies the hybrid
    row, so duplicates are evaluated once. All distinct hybrid rows are built column by column
    with ``np.where`` and sent to ``f`` in batches of ``batch_size`` rows.
    """

    def __init__(self, f: PredictionFunction, X: pd.DataFrame, background: pd.DataFrame,
                 batch_size: int) -> None:
        self.f = f
        self.columns = list(X.columns)
        # each hybrid column holds values of X and of the background: keep both exactly (an int
        # column of X with a float background, e.g. a row of means, must not be cut to integers)
        self.dtypes = [_common_dtype(X[c], background[c]) for c in self.columns]
        self.x_cols = [X[c].to_numpy() for c in self.columns]
        self.b_cols = [background[c].to_numpy() for c in self.columns]
        self.n_bg = len(background)
        self.m = len(self.columns)
        # one numeric dtype throughout: build hybrid rows as one 2-D block (much faster)
        homogeneous = len(set(self.dtypes)) == 1 and isinstance(self.dtypes[0], np.dtype) and \
            self.dtypes[0].kind in "biuf" and all(b.dtype == self.dtypes[0] for b in self.b_cols)
        self.x_mat = X.to_numpy() if homogeneous else None
        self.b_mat = background.to_numpy() if homogeneous else None
        self.batch_size = batch_size
        self.n_evaluations = 0

    def equal_to_background(self, rows: np.ndarray) -> np.ndarray:
        """Boolean array (len(rows), n_bg, M): does background row b equal x on feature j?"""
        out = np.empty((len(rows), self.n_bg, self.m), dtype=bool)
        for j, (xc, bc) in enumerate(zip(self.x_cols, self.b_cols)):
            out[:, :, j] = bc[None, :] == xc[rows][:, None]
        return out

    def varying(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), M): features on which some background row differs from x (the others are dummies)."""
        return ~self.equal_to_background(rows).all(axis=1)

    def values(self, rows: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
        """``v`` of each coalition in ``masks[i]`` (a boolean (K_i, M) array) for the row ``rows[i]``."""
        out: list[np.ndarray] = []
        start = 0
        while start < len(rows):
            stop, total = start, 0
            while stop < len(rows) and (stop == start or total + len(masks[stop]) * self.n_bg <= _MAX_CANDIDATES):
                total += len(masks[stop]) * self.n_bg
                stop += 1
            out.extend(self._values_group(rows[start:stop], masks[start:stop]))
            start = stop
        return out

    def _values_group(self, rows: np.ndarray, masks: Sequence[np.ndarray]) -> list[np.ndarray]:
        n_group, m, n_bg = len(rows), self.m, self.n_bg
        sizes = [len(mk) for mk in masks]
        equal = self.equal_to_background(rows)
        # de-duplicate when features are packable in an int64 and b often equals x somewhere
        if m <= 62 and n_group * n_bg < 2 ** (62 - m) and equal.any(axis=2).mean() > 0.05:
            bits = np.left_shift(np.int64(1), np.arange(m, dtype=np.int64))
            eq_bits = equal.astype(np.int64) @ bits  # (n_group, n_bg)
            full = np.int64((1 << m) - 1)
            b_index = np.arange(n_bg, dtype=np.int64)
            keys = []
            for g, mk in enumerate(masks):
                eff = (mk.astype(np.int64) @ bits)[:, None] | eq_bits[g][None, :]
                owner = g * n_bg + np.where(eff == full, 0, b_index[None, :])  # x itself: one row suffices
                keys.append(((owner << m) | eff).reshape(-1))
            unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
            owner = unique >> m
            group_row, b_row = owner // n_bg, owner % n_bg
            effective = ((unique[:, None] >> np.arange(m, dtype=np.int64)) & 1).astype(bool)
            preds = self._evaluate(rows[group_row], b_row, effective)
            flat = preds[inverse]
        else:  # nothing to gain (or too many features to pack): evaluate every hybrid row
            flat = np.concatenate([self._evaluate_all(r, mk) for r, mk in zip(rows, masks)])
        bounds = np.cumsum([0] + [s * n_bg for s in sizes])
        return [flat[a:b].reshape(s, n_bg).mean(axis=1) for a, b, s in zip(bounds[:-1], bounds[1:], sizes)]

    def _evaluate(self, x_rows: np.ndarray, b_rows: np.ndarray, take_x: np.ndarray) -> np.ndarray:
        preds = np.empty(len(x_rows), dtype=float)
        for start in range(0, len(x_rows), self.batch_size):
            sl = slice(start, start + self.batch_size)
            frame = self.hybrid_frame(x_rows[sl], b_rows[sl], take_x[sl])
            preds[sl] = _predict(self.f, frame)
        self.n_evaluations += len(x_rows)
        return preds

    def _evaluate_all(self, row: int, masks: np.ndarray) -> np.ndarray:
        """f on every hybrid row (x_S, b) for S in ``masks`` and b in the background, S-major order."""
        preds = np.empty(len(masks) * self.n_bg, dtype=float)
        step = max(1, self.batch_size // self.n_bg)
        for start in range(0, len(masks), step):
            chunk = masks[start:start + step]
            if self.x_mat is not None:
                block = np.where(chunk[:, None, :], self.x_mat[row][None, None, :], self.b_mat[None, :, :])
                frame = pd.DataFrame(block.reshape(-1, self.m), columns=self.columns, copy=False)
            else:
                frame = pd.DataFrame({
                    name: _typed(np.where(chunk[:, j, None], xc[row], bc[None, :]).reshape(-1), dtype)
                    for j, (name, xc, bc, dtype) in enumerate(zip(self.columns, self.x_cols, self.b_cols,
                                                                   self.dtypes))}, copy=False)
            preds[start * self.n_bg:(start + len(chunk)) * self.n_bg] = _predict(self.f, frame)
        self.n_evaluations += len(preds)
        return preds

    def hybrid_frame(self, x_rows: np.ndarray, b_rows: np.ndarray, take_x: np.ndarray) -> pd.DataFrame:
        """Rows whose column j comes from ``X[x_rows]`` where ``take_x[:, j]``, else from ``background[b_rows]``."""
        if self.x_mat is not None:
            block = np.where(take_x, self.x_mat[x_rows], self.b_mat[b_rows])
            return pd.DataFrame(block, columns=self.columns, copy=False)
        data = {}
        for j, (name, xc, bc, dtype) in enumerate(zip(self.columns, self.x_cols, self.b_cols, self.dtypes)):
            data[name] = _typed(np.where(take_x[:, j], xc[x_rows], bc[b_rows]), dtype)
        return pd.DataFrame(data, copy=False)


def _common_dtype(x: pd.Series, b: pd.Series) -> Any:
    """The dtype that holds the values of both columns: X's, unless the background needs wider."""
    if x.dtype == b.dtype or not (isinstance(x.dtype, np.dtype) and isinstance(b.dtype, np.dtype)):
        return x.dtype
    if x.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        return np.result_type(x.dtype, b.dtype)
    return x.dtype


def _typed(column: np.ndarray, dtype: Any) -> Any:
    """The column in X's dtype (string and categorical columns come back from numpy as objects)."""
    return column if column.dtype == dtype else pd.array(column, dtype=dtype)


def _start(f: Any, X: Any, background: Any,
           batch_size: int) -> tuple[pd.DataFrame, pd.DataFrame, ShapleyGame, float, np.ndarray]:
    X, background = _check_inputs(f, X, background)
    batch_size = check_positive_int(batch_size, name="batch_size")
    game = ShapleyGame(f, X, background, batch_size)
    base_value = float(_predict(f, background).mean())
    prediction = _predict(f, X)
    game.n_evaluations += len(background) + len(X)
    return X, background, game, base_value, prediction

"""The result types: :class:`ShapleyResult` (one value per row and feature, from every method of
the package) and :class:`ShapleyInteractions` (a matrix per row, from
:func:`~xaibook.shapley.path_dependent.path_dependent_interactions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import readonly

__all__ = ["ShapleyResult", "ShapleyInteractions"]


@dataclass(frozen=True, eq=False)
class ShapleyResult:
    """Shapley values for some rows: ``base_value + values[i].sum() == prediction[i]``.

    ``values`` has one row per explained row and one column per feature; ``data`` holds the
    explained rows themselves (their raw feature values), ``prediction`` the model output ``f(x)``
    and ``base_value`` the mean output over the background data. ``standard_error`` is the Monte
    Carlo standard error of each value for the sampling estimator (``None`` otherwise).
    ``n_evaluations`` counts the rows sent to the model (for ``tree_shap``: the explained rows
    times the background rows, the pairs TreeSHAP walks through the trees).
    """

    values: np.ndarray
    base_value: float
    feature_names: tuple[str, ...]
    data: pd.DataFrame
    prediction: np.ndarray
    method: str = "exact"
    output: str = "model output"
    n_evaluations: int = 0
    standard_error: np.ndarray | None = None

    def __post_init__(self) -> None:
        values = readonly(self.values)
        prediction = readonly(np.ravel(np.asarray(self.prediction, dtype=float)))
        names = tuple(str(n) for n in self.feature_names)
        if values.ndim != 2 or values.shape != (len(self.data), len(names)):
            raise ValueError(f"values must have shape (n_rows, n_features) = {(len(self.data), len(names))}, "
                             f"got {values.shape}")
        if prediction.shape != (len(self.data),):
            raise ValueError(f"prediction must have one number per row, got shape {prediction.shape}")
        if list(self.data.columns) != list(names):
            raise ValueError("data's columns must be the feature names, in the same order")
        object.__setattr__(self, "data", self.data.copy())    # later edits of X do not leak in
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "prediction", prediction)
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "base_value", float(self.base_value))
        if self.standard_error is not None:
            object.__setattr__(self, "standard_error", readonly(self.standard_error))

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return (f"ShapleyResult(method={self.method!r}, rows={len(self)}, features={len(self.feature_names)}, "
                f"base_value={self.base_value:.4g}, output={self.output!r})")

    def to_wide(self) -> pd.DataFrame:
        """The values as a matrix: one row per explained row (same index as ``data``), one column per feature."""
        return pd.DataFrame(self.values, index=self.data.index, columns=list(self.feature_names))

    def to_frame(self) -> pd.DataFrame:
        """Long format (the book's convention), one line per (row, feature): ``row``, ``feature``,
        ``value`` (the feature's value, as text) and ``shap``. :meth:`to_wide` gives the matrix."""
        n, m = self.values.shape
        text = self.data.astype(str).to_numpy()
        return pd.DataFrame({
            "row": np.repeat(np.asarray(self.data.index), m),
            "feature": np.tile(np.asarray(self.feature_names, dtype=object), n),
            "value": text.reshape(-1),
            "shap": self.values.reshape(-1),
        })

    def mean_abs(self) -> pd.Series:
        """Global importance: mean absolute Shapley value per feature, largest first."""
        return (pd.Series(np.abs(self.values).mean(axis=0), index=list(self.feature_names), name="mean_abs_shap")
                .sort_values(ascending=False))

    def ranking(self) -> list[str]:
        """Feature names from most to least important by mean absolute Shapley value."""
        return self.mean_abs().index.tolist()

    def explain_row(self, position: int = 0) -> pd.DataFrame:
        """One row's explanation: feature, its value and its Shapley value, largest |value| first."""
        if isinstance(position, (bool, np.bool_)) or not isinstance(position, (int, np.integer)):
            raise TypeError(f"position must be an integer position among the {len(self)} explained rows, "
                            f"got {position!r}")
        if not -len(self) <= position < len(self):
            raise IndexError(f"position {position} is out of range for {len(self)} explained rows")
        frame = pd.DataFrame({"feature": list(self.feature_names),
                              "value": self.data.iloc[position].to_numpy(),
                              "shap": self.values[position]})
        return frame.reindex(frame["shap"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    def efficiency_gap(self) -> np.ndarray:
        """``prediction - base_value - values.sum(axis=1)``: zero (up to rounding) for every method here."""
        return self.prediction - self.base_value - self.values.sum(axis=1)

    def __getitem__(self, rows: Any) -> ShapleyResult:
        """Select explained rows by position (an int, slice or array of positions)."""
        positions = np.arange(len(self))[rows]
        positions = np.atleast_1d(positions)
        se = None if self.standard_error is None else self.standard_error[positions]
        return ShapleyResult(self.values[positions], self.base_value, self.feature_names,
                             self.data.iloc[positions], self.prediction[positions], self.method,
                             self.output, self.n_evaluations, se)


@dataclass(frozen=True, eq=False)
class ShapleyInteractions:
    """SHAP interaction values: ``values[i, j, k]`` for row ``i`` and features ``j``, ``k``.

    Off the diagonal, ``values[i, j, k] = values[i, k, j]`` is half the Shapley interaction index of
    the pair; on the diagonal, the feature's main effect. Row ``j`` of a row's matrix adds up to
    feature ``j``'s SHAP value, and the whole matrix to ``prediction - base_value``.
    """

    values: np.ndarray
    base_value: float
    feature_names: tuple[str, ...]
    data: pd.DataFrame
    prediction: np.ndarray
    output: str = "model output"

    def __post_init__(self) -> None:
        values = readonly(self.values)
        m = len(self.feature_names)
        if values.shape != (len(self.data), m, m):
            raise ValueError(f"values must have shape (n_rows, n_features, n_features) = {(len(self.data), m, m)}, "
                             f"got {values.shape}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "prediction", readonly(np.ravel(np.asarray(self.prediction, dtype=float))))
        object.__setattr__(self, "feature_names", tuple(str(n) for n in self.feature_names))
        object.__setattr__(self, "data", self.data.copy())
        object.__setattr__(self, "base_value", float(self.base_value))

    def __len__(self) -> int:
        return len(self.data)

    def shap_values(self) -> ShapleyResult:
        """The SHAP values (row sums of each matrix) as a :class:`ShapleyResult`."""
        return ShapleyResult(self.values.sum(axis=2), self.base_value, self.feature_names, self.data,
                             self.prediction, "path-dependent tree", self.output, len(self))

    def main_effects(self) -> pd.DataFrame:
        """The diagonal: one row per explained row, one column per feature."""
        diagonal = np.diagonal(self.values, axis1=1, axis2=2)
        return pd.DataFrame(diagonal, index=self.data.index, columns=list(self.feature_names))

    def pair(self, feature: str, other: str) -> np.ndarray:
        """The pair's whole interaction per row: ``values[:, j, k] + values[:, k, j]``."""
        for name in (feature, other):
            if name not in self.feature_names:
                raise ValueError(f"unknown feature {name!r}; the result has {list(self.feature_names)}")
        if feature == other:
            raise ValueError("a pair needs two different features; main_effects() gives the diagonal")
        j, k = self.feature_names.index(feature), self.feature_names.index(other)
        return self.values[:, j, k] + self.values[:, k, j]

    def strongest_pairs(self) -> pd.Series:
        """Mean absolute whole interaction of every pair of features, largest first."""
        j, k = np.triu_indices(len(self.feature_names), 1)
        strength = np.abs(self.values[:, j, k] + self.values[:, k, j]).mean(axis=0)
        index = pd.MultiIndex.from_arrays([np.asarray(self.feature_names)[j], np.asarray(self.feature_names)[k]],
                                          names=["feature", "other"])
        return pd.Series(strength, index=index, name="mean_abs_interaction").sort_values(ascending=False,
                                                                                         kind="stable")

    def ranking(self) -> list[str]:
        """Feature names by mean absolute SHAP value, most important first."""
        return self.shap_values().ranking()

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per (row, feature, other) with the ``interaction`` value."""
        n, m, _ = self.values.shape
        names = np.asarray(self.feature_names, dtype=object)
        return pd.DataFrame({"row": np.repeat(np.asarray(self.data.index), m * m),
                             "feature": np.tile(np.repeat(names, m), n),
                             "other": np.tile(names, n * m),
                             "interaction": self.values.reshape(-1)})

"""Numbers for ``shap``'s maskers: :class:`CategoryCodes` codes text columns as numbers and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_frame
from xaibook.predict import PredictionFunction

__all__ = ["CategoryCodes"]


class CategoryCodes:
    """Code text columns as numbers, so that ``shap``'s explainers (which need numeric arrays)
    can explain a model that takes a DataFrame with string categories.

    ``encode(frame)`` turns every text column into the position of its value among the sorted
    categories of ``X``; ``wrap(f)`` returns ``g(array)`` that decodes the array back to a DataFrame
    in ``X``'s types and calls ``f`` on it. ``exact_shapley(wrap(f) on frames, ...)`` and
    ``shap.ExactExplainer(wrap(f), ...)`` then do exactly the same work.
    """

    def __init__(self, X: pd.DataFrame):
        X = check_frame(X, name="X")
        self.columns = list(X.columns)
        self.dtypes = X.dtypes.to_dict()
        self.categories = {c: pd.Index(sorted(X[c].astype(str).unique())) for c in X.columns
                           if X[c].dtype.kind not in "biuf"}

    def encode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with text columns replaced by their category codes (all columns float)."""
        out = check_frame(frame, name="frame").copy()
        for column, categories in self.categories.items():
            codes = categories.get_indexer(out[column].astype(str))
            if (codes < 0).any():
                raise ValueError(f"column {column!r} has values that were not in X: "
                                 f"{sorted(set(out[column][codes < 0]))[:5]}")
            out[column] = codes
        return out.astype(float)

    def decode(self, array: Any) -> pd.DataFrame:
        """A numeric array (or coded DataFrame) back to a DataFrame with ``X``'s columns and types."""
        values = np.asarray(array, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(self.columns):
            raise ValueError(f"expected an array with {len(self.columns)} columns, got shape {values.shape}")
        columns = {}
        for j, name in enumerate(self.columns):
            column = values[:, j]
            if name in self.categories:
                categories = self.categories[name]
                bad = column[(column != np.round(column)) | (column < 0) | (column >= len(categories))
                             | ~np.isfinite(column)]
                if len(bad):
                    raise ValueError(f"column {name!r} holds code(s) {sorted(set(bad.tolist()))[:5]} that are not "
                                     f"integers in range(0, {len(categories)}), the codes of its categories "
                                     f"{list(categories)[:8]}")
                columns[name] = categories[column.astype(int)].to_numpy()
            else:
                columns[name] = column
        return pd.DataFrame(columns).astype(self.dtypes)

    def wrap(self, f: PredictionFunction) -> Callable[[Any], np.ndarray]:
        """``g(array) = f(decode(array))``; it also accepts a coded DataFrame."""
        def coded(array: Any) -> np.ndarray:
            return np.asarray(f(self.decode(array)), dtype=float)

        return coded

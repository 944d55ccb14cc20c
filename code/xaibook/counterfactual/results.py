"""What a counterfactual search returns: :class:`CounterfactualResult` (the counterfactuals of one
row with the metrics of Mothilal et al. 2020), :class:`CounterfactualImportance` (how often they
change each feature, over many rows) and :class:`AlreadyDesiredError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import is_number_column, readonly

__all__ = ["AlreadyDesiredError", "CounterfactualImportance", "CounterfactualResult"]


class AlreadyDesiredError(ValueError):
    """The row is already predicted as the desired class: it needs no counterfactual."""


@dataclass(frozen=True, eq=False)
class CounterfactualResult:
    """Counterfactuals for one row ``original``, sorted by cost, with the standard metrics.

    ``counterfactuals`` has the columns of ``original``; ``predictions`` is the model's probability
    of ``desired_class`` for each, ``cost`` its distance from ``original``, ``n_changed`` the
    number of features it changes and ``plausibility`` its distance to the nearest row of the
    reference data (smaller is more typical). The metrics are computed from these rows:

    ``validity``   share of the ``n_requested`` counterfactuals that exist and reach the desired
                   class (distinct rows only, as in Mothilal et al. 2020);
    ``proximity``  mean cost;  ``sparsity`` mean number of features changed (DiCE reports
                   1 - that number / the number of features);
    ``diversity``  mean pairwise distance between the counterfactuals (NaN with fewer than two).

    When no valid counterfactual exists within the constraints, ``counterfactuals`` is empty,
    ``validity`` is 0, the other metrics are NaN and ``message`` says why.
    """

    counterfactuals: pd.DataFrame
    original: pd.DataFrame
    predictions: np.ndarray
    original_prediction: float
    desired_class: Any
    cost: np.ndarray
    n_changed: np.ndarray
    plausibility: np.ndarray
    validity: float
    proximity: float
    sparsity: float
    diversity: float
    n_requested: int
    features_to_vary: tuple[str, ...]
    message: str = ""
    feature_names: tuple[str, ...] = field(default=())
    min_probability: float | None = None

    def __post_init__(self) -> None:
        for name in ("predictions", "cost", "plausibility"):
            object.__setattr__(self, name, readonly(getattr(self, name)))
        object.__setattr__(self, "n_changed", readonly(self.n_changed, dtype=int))
        object.__setattr__(self, "feature_names", tuple(str(c) for c in self.original.columns))
        object.__setattr__(self, "features_to_vary", tuple(self.features_to_vary))
        object.__setattr__(self, "counterfactuals", self.counterfactuals.copy())
        object.__setattr__(self, "original", self.original.copy())

    def __len__(self) -> int:
        return len(self.counterfactuals)

    def __repr__(self) -> str:
        return (f"CounterfactualResult({len(self)} of {self.n_requested} requested, desired class "
                f"{self.desired_class!r}, validity={self.validity:.2f}, proximity={self.proximity:.3g}, "
                f"sparsity={self.sparsity:.3g}, diversity={self.diversity:.3g})"
                + (f"\n{self.message}" if self.message else ""))

    def changed(self) -> pd.DataFrame:
        """Boolean frame: which features each counterfactual changes. A number that differs from the
        original only by rounding (the search works in scaled units: 1e-9 relative) is unchanged."""
        original = self.original.iloc[0]

        def differs(c: str) -> np.ndarray:
            new = self.counterfactuals[c].to_numpy()
            if is_number_column(self.counterfactuals[c]) and is_number_column(self.original[c]):
                return ~np.isclose(new.astype(float), float(original[c]), rtol=1e-9, atol=1e-9)
            return new != original[c]

        return pd.DataFrame({c: differs(c) for c in self.feature_names}, index=self.counterfactuals.index)

    def changes(self) -> pd.DataFrame:
        """The counterfactuals as a "what would have to change" table: changed cells only.

        One row per counterfactual, numbered from 1 (``cost``, ``P(class <desired>)``), and one
        column per feature that any counterfactual changes, holding the new value (empty where the
        feature stays).
        """
        mask = self.changed()
        used = [c for c in self.feature_names if mask[c].any()]
        table = self.counterfactuals[used].astype(object).where(mask[used], "")
        table.insert(0, "cost", np.round(self.cost, 3))
        table.insert(1, f"P(class {self.desired_class})", np.round(self.predictions, 3))
        table.index = pd.RangeIndex(1, len(table) + 1, name="counterfactual")
        return table

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per counterfactual and feature.

        Columns: ``counterfactual`` (1 = cheapest), ``feature``, ``original``, ``value``,
        ``changed``, ``cost`` and ``prediction`` (of the counterfactual, desired class).
        """
        original = self.original.iloc[0]
        records = []
        for k, (_, row) in enumerate(self.counterfactuals.iterrows()):
            for feature in self.feature_names:
                records.append({"counterfactual": k + 1, "feature": feature,
                                "original": original[feature], "value": row[feature],
                                "changed": bool(row[feature] != original[feature]),
                                "cost": float(self.cost[k]), "prediction": float(self.predictions[k])})
        return pd.DataFrame.from_records(
            records, columns=["counterfactual", "feature", "original", "value", "changed", "cost", "prediction"])

    def feature_frequency(self) -> pd.Series:
        """Share of the counterfactuals that change each feature (0 for an empty result)."""
        if len(self) == 0:
            return pd.Series(0.0, index=list(self.feature_names), name="share changed")
        return self.changed().mean().rename("share changed")

    def ranking(self) -> list[str]:
        """Features ordered by how often the counterfactuals change them (most often first)."""
        return self.feature_frequency().sort_values(ascending=False, kind="stable").index.tolist()


@dataclass(frozen=True, eq=False)
class CounterfactualImportance:
    """How often counterfactuals change each feature: per person (``local``) and on average.

    ``local`` has one row per explained person and one column per feature (share of that person's
    counterfactuals changing the feature); ``values`` is its column mean over the people who got at
    least one counterfactual; ``n_found`` counts them.
    """

    values: np.ndarray
    feature_names: tuple[str, ...]
    local: pd.DataFrame
    n_found: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", readonly(self.values))
        object.__setattr__(self, "feature_names", tuple(self.feature_names))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``feature`` and ``share changed``, most often changed first."""
        frame = pd.DataFrame({"feature": self.feature_names, "share changed": self.values})
        return frame.sort_values("share changed", ascending=False, kind="stable").reset_index(drop=True)

    def ranking(self) -> list[str]:
        """Feature names, most often changed first."""
        return self.to_frame()["feature"].tolist()


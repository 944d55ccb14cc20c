"""The result types of permutation and drop-column importance, with the shared vocabulary
(``base_value``, ``ranking()``; CONTRIBUTING.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_same_features, readonly

__all__ = ["PermutationImportance", "ImportanceComparison", "DropColumnImportance"]


class _ImportanceVocabulary:
    """``base_value`` and ``ranking()`` shared by the importance results (CONTRIBUTING.md)."""

    baseline_score: float
    feature_names: tuple[str, ...]

    @property
    def base_value(self) -> float:
        """The score of the intact model on the intact data (the common name of ``baseline_score``)."""
        return self.baseline_score

    def ranking(self) -> list[str]:
        """Feature names from most to least important (by mean importance; ties keep column order)."""
        order = np.argsort(-self.importances_mean, kind="stable")  # type: ignore[attr-defined]
        return [self.feature_names[i] for i in order]


def _freeze_importances(result: Any) -> None:
    """Make a result's ``importances`` read-only and check one row per feature name."""
    object.__setattr__(result, "importances", readonly(result.importances))
    object.__setattr__(result, "feature_names", tuple(result.feature_names))
    if result.importances.shape[0] != len(result.feature_names):
        raise ValueError("importances must have one row per feature name")


@dataclass(frozen=True, eq=False)
class PermutationImportance(_ImportanceVocabulary):
    """Permutation importances of one model on one data set.

    ``importances[j, r]`` is the drop in score when feature (or group) ``feature_names[j]`` is
    shuffled in repeat ``r``: ``baseline_score`` minus the score on the shuffled data. Positive
    means the model relies on the feature; around zero, it does not; negative, shuffling helped
    (noise, usually a sign the feature is unimportant).
    """

    importances: np.ndarray
    feature_names: tuple[str, ...]
    baseline_score: float
    scoring: str
    random_state: int | None = None
    groups: Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        _freeze_importances(self)

    @property
    def importances_mean(self) -> np.ndarray:
        """Mean importance over the repeats, shape ``(n_features,)``."""
        return np.mean(self.importances, axis=1)

    @property
    def importances_std(self) -> np.ndarray:
        """Standard deviation over the repeats (``ddof=0``, as in scikit-learn)."""
        return np.std(self.importances, axis=1)

    @property
    def n_repeats(self) -> int:
        return self.importances.shape[1]


    def summary(self) -> pd.DataFrame:
        """One row per feature, most important first: mean, std, min, max and rank."""
        frame = pd.DataFrame({
            "feature": list(self.feature_names),
            "mean": self.importances_mean,
            "std": self.importances_std,
            "min": self.importances.min(axis=1),
            "max": self.importances.max(axis=1),
        })
        frame = frame.set_index("feature").loc[self.ranking()]
        frame["rank"] = np.arange(1, len(frame) + 1)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per feature and repeat (``feature, repeat, importance``)."""
        n_features, n_repeats = self.importances.shape
        return pd.DataFrame({
            "feature": np.repeat(list(self.feature_names), n_repeats),
            "repeat": np.tile(np.arange(n_repeats), n_features),
            "importance": self.importances.ravel(),
        })


@dataclass(frozen=True, eq=False)
class ImportanceComparison:
    """Several :class:`PermutationImportance` results side by side (models, or train vs test)."""

    results: Mapping[str, PermutationImportance]

    def __post_init__(self) -> None:
        if not self.results:
            raise ValueError("an ImportanceComparison needs at least one result")
        object.__setattr__(self, "results", dict(self.results))
        check_same_features(self.results)

    @property
    def labels(self) -> list[str]:
        return list(self.results)

    def means(self) -> pd.DataFrame:
        """Wide table of mean importances: one row per feature, one column per label."""
        return pd.DataFrame({label: pd.Series(r.importances_mean, index=list(r.feature_names))
                             for label, r in self.results.items()})

    def ranks(self) -> pd.DataFrame:
        """Rank of each feature (1 = most important) under each label."""
        return self.means().rank(ascending=False, method="min").astype(int)

    def rank_correlation(self) -> pd.DataFrame:
        """Spearman rank correlation of the mean importances between every pair of labels."""
        return self.means().corr(method="spearman")

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``label, feature, repeat, importance`` for every result."""
        parts = [r.to_frame().assign(label=label) for label, r in self.results.items()]
        frame = pd.concat(parts, ignore_index=True)
        return frame[["label", "feature", "repeat", "importance"]]


@dataclass(frozen=True, eq=False)
class DropColumnImportance(_ImportanceVocabulary):
    """Drop-column importances: score of the model refitted with all features minus without one."""

    importances: np.ndarray
    feature_names: tuple[str, ...]
    baseline_score: float
    scores_without: np.ndarray
    scoring: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "importances", readonly(self.importances))
        object.__setattr__(self, "scores_without", readonly(self.scores_without))
        object.__setattr__(self, "feature_names", tuple(self.feature_names))

    @property
    def importances_mean(self) -> np.ndarray:
        """The importances (one refit per feature, so the mean is the value itself)."""
        return self.importances


    def to_frame(self) -> pd.DataFrame:
        """One row per feature: ``feature, importance, score_without``, most important first."""
        frame = pd.DataFrame({"feature": list(self.feature_names), "importance": self.importances,
                              "score_without": self.scores_without})
        return frame.set_index("feature").loc[self.ranking()].reset_index()

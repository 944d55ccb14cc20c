"""Scores against the planted truth: attributions (rank, top-k, irrelevant mass) and effect curves.

:func:`ground_truth_scores` compares an attribution with the truth row by row (after Faber et al.
2021 and OpenXAI's ground-truth metrics, Agarwal et al. 2022); :func:`effect_scores` compares the
partial dependence and accumulated local effects curves of a model with the planted function's
main effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import RandomStateLike, as_generator, check_frame, check_positive_int
from xaibook.faithfulness.attributions import _orders, _spearman_rows, attribution_matrix

__all__ = [
    "GroundTruthScores",
    "ground_truth_scores",
]


@dataclass(frozen=True, eq=False)
class GroundTruthScores:
    """An attribution scored against the truth, per explained row.

    ``rank_correlation``: Spearman correlation between ``|attribution|`` and ``|truth|`` (0 when
    either is constant: no order to compare); ``top_k_recovery``: share of the truth's ``k`` largest
    ``|truth|`` features among the attribution's ``k`` largest; ``irrelevant_mass``: share of the
    total ``|attribution|`` on the ``irrelevant`` features (0 for the truth).
    """

    feature_names: tuple[str, ...]
    rank_correlation: np.ndarray
    top_k_recovery: np.ndarray
    irrelevant_mass: np.ndarray
    k: int
    irrelevant: tuple[str, ...]

    def __post_init__(self) -> None:
        for field in ("rank_correlation", "top_k_recovery", "irrelevant_mass"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    def summary(self) -> pd.Series:
        """Mean of each score over the rows."""
        return pd.Series({"rank_correlation": self.rank_correlation.mean(),
                          "top_k_recovery": self.top_k_recovery.mean(),
                          "irrelevant_mass": self.irrelevant_mass.mean()})

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per row and metric (``row``, ``metric``, ``value``)."""
        n = len(self.rank_correlation)
        return pd.DataFrame({
            "row": np.tile(np.arange(n), 3),
            "metric": np.repeat(["rank_correlation", "top_k_recovery", "irrelevant_mass"], n),
            "value": np.concatenate([self.rank_correlation, self.top_k_recovery, self.irrelevant_mass]),
        })


def ground_truth_scores(attributions: Any, truth: pd.DataFrame, *, k: int = 3,
                        irrelevant: Sequence[str] | str | None = None,
                        random_state: RandomStateLike = 0) -> GroundTruthScores:
    """Score ``attributions`` against the ``truth`` (rows x features, e.g. :meth:`PlantedData.truth`).

    ``attributions`` is a rows x features array or DataFrame (a local method) or one value per
    feature (a global method such as permutation importance): a global vector is compared with
    the global truth, the mean ``|truth|`` per feature. ``irrelevant`` defaults to the features
    whose truth is zero on every row. Ties in the top ``k`` are broken at random (``random_state``).
    """
    truth = check_frame(truth, name="truth")
    k = check_positive_int(k, name="k")
    if k > truth.shape[1]:
        raise ValueError(f"k={k} is larger than the number of features ({truth.shape[1]})")
    rng = as_generator(random_state)
    glob = not hasattr(attributions, "to_wide") and np.ndim(attributions) == 1
    t = np.abs(truth.to_numpy(dtype=float))
    if not np.isfinite(t).all():
        raise ValueError("truth contains NaN or infinite values")
    a = np.abs(attribution_matrix(attributions, truth))
    if glob:
        t, a = t.mean(axis=0, keepdims=True), a[:1]
    names = list(truth.columns)
    if irrelevant is None:
        irrelevant = [c for c, zero in zip(names, (truth.to_numpy(dtype=float) == 0).all(axis=0)) if zero]
    else:
        irrelevant = [irrelevant] if isinstance(irrelevant, str) else list(irrelevant)
        unknown = [f for f in irrelevant if f not in names]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown} in irrelevant; truth has columns {names}")
    top_a, top_t = _orders(a, rng)[:, :k], _orders(t, rng)[:, :k]
    recovery = np.array([len(set(x) & set(y)) / k for x, y in zip(top_a, top_t)])
    mask = np.isin(names, irrelevant)
    total = a.sum(axis=1)
    mass = np.divide(a[:, mask].sum(axis=1), total, out=np.zeros(len(a)), where=total > 0)
    return GroundTruthScores(tuple(names), _spearman_rows(a, t), recovery, mass, k, tuple(irrelevant))



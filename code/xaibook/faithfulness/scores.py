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
from xaibook.faithfulness.curves import model_function
from xaibook.faithfulness.planted import _CATEGORICAL, PLANTED_ROLES, _check_planted_frame, planted_main_effect

__all__ = [
    "EffectScores",
    "GroundTruthScores",
    "effect_scores",
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


# --------------------------------------------------------------------------------------------
# Effect curves against the planted main effects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class EffectScores:
    """PD and ALE curves of a model scored against the planted main effects, per numeric feature.

    ``ale_error[j]`` and ``pdp_error[j]`` are root mean squared differences (on the model's scale,
    log-odds by default) between the curve and the true main effect at the ALE grid's edges, all
    three centred alike (the count-weighted mean over the data's bins subtracted, as ALE centres).
    ``curves`` is the long frame of the centred curves: ``feature``, ``value``, ``truth``,
    ``ALE``, ``PDP``.
    """

    feature_names: tuple[str, ...]
    ale_error: np.ndarray
    pdp_error: np.ndarray
    curves: pd.DataFrame

    def __post_init__(self) -> None:
        for field in ("ale_error", "pdp_error"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    def summary(self) -> pd.DataFrame:
        """One row per feature: ``ALE`` and ``PDP`` errors."""
        return pd.DataFrame({"ALE": self.ale_error, "PDP": self.pdp_error},
                            index=pd.Index(self.feature_names, name="feature"))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``feature``, ``method`` (``ALE`` or ``PDP``), ``error``."""
        return (self.summary().reset_index().melt(id_vars="feature", var_name="method", value_name="error"))


def _centre(curve: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``curve`` on bin edges minus its count-weighted mean over the bins (trapezoid per bin), ALE's centring."""
    return curve - np.sum(counts * (curve[:-1] + curve[1:]) / 2) / counts.sum()


def effect_scores(model: Any, X: pd.DataFrame, *, features: Sequence[str] | None = None, grid_resolution: int = 10,
                  scale: str = "log-odds") -> EffectScores:
    """Score the partial dependence (Friedman 2001) and first-order ALE (Apley & Zhu 2020) curves of
    ``model`` on planted data ``X`` against :func:`~xaibook.faithfulness.planted_main_effect`.
    ``model`` is a fitted model, read on ``scale`` (log-odds, the truth's scale), or a prediction
    function returning log-odds, used as it is.

    For each numeric planted feature (default: all seven), :func:`xaibook.dependence.ale` gives the
    quantile grid ``z_0 < ... < z_K`` and the centred ALE; the PD curve (all rows of ``X``) and the
    true main effect are evaluated on the same edges and centred the same way, and each curve's error
    is its root mean squared difference from the truth over the edges. For the planted function
    itself (the oracle) both errors are zero on every additive feature, up to rounding, and small
    on ``amount`` (the sample's guarantor share is not exactly one half). Categorical features are
    not scored: :func:`~xaibook.dependence.ale` needs an order of the values, which unordered
    categories do not have.
    """
    from xaibook.dependence import ale, partial_dependence

    X = _check_planted_frame(X, "X")
    is_model = hasattr(model, "predict") or hasattr(model, "predict_proba")
    f = model_function(model, scale if is_model else "probability")   # a function is used as it is
    numeric = [c for c in PLANTED_ROLES if c not in _CATEGORICAL]
    if features is None:
        features = numeric
    elif isinstance(features, str):
        features = [features]
    features = list(features)
    wrong = [c for c in features if c not in numeric]
    if not features or wrong or len(set(features)) != len(features):
        raise ValueError(f"features must be distinct planted numeric features {numeric}; got {features} "
                         "(categorical features have no ALE curve)")
    grid_resolution = check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    errors, frames = {"ALE": [], "PDP": []}, []
    for feature in features:
        curve = ale(f, X, feature, grid_resolution=grid_resolution)
        counts = np.asarray(curve.counts, dtype=float)
        truth = _centre(planted_main_effect(feature, curve.grid), counts)
        pdp = _centre(partial_dependence(f, X, feature, grid=curve.grid).average, counts)
        for method, values in (("ALE", np.asarray(curve.effect)), ("PDP", pdp)):
            errors[method].append(float(np.sqrt(np.mean((values - truth) ** 2))))
        frames.append(pd.DataFrame({"feature": feature, "value": curve.grid, "truth": truth,
                                    "ALE": curve.effect, "PDP": pdp}))
    return EffectScores(tuple(features), np.array(errors["ALE"]), np.array(errors["PDP"]),
                        pd.concat(frames, ignore_index=True))

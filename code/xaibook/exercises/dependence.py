"""Checkers for the exercises of chapter 4, *Partial dependence plots and their variants*.

Every expected answer is computed with :mod:`xaibook.dependence` on the book's case studies and
models, never typed in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xaibook import data, models
from xaibook.dependence import ale, h_statistic, partial_dependence
from xaibook.exercises import Verdict, check_choice, check_number
from xaibook.predict import prediction_function

__all__ = [
    "INTERACTION_PAIRS", "H_SAMPLE", "pdp_value", "check_pdp_value", "heterogeneity_by_feature",
    "most_heterogeneous_feature", "check_most_heterogeneous", "extrapolation_gap",
    "check_extrapolation_gap", "interaction_strengths", "check_strongest_interaction",
    "spread_by_model", "additive_model", "check_additive_model",
]

#: The pairs of heart features compared in the interaction exercise.
INTERACTION_PAIRS = (("age", "resting_bp"), ("age", "max_heart_rate"),
                     ("max_heart_rate", "st_depression"), ("resting_bp", "st_depression"))
#: Rows sampled for the H statistic in the interaction exercise (keeps the checker fast).
H_SAMPLE = 150


def _f(case: str = "credit", model: str = "boosting", scale: str = "probability"):
    return prediction_function(models.get_model(case, model), scale=scale)


def pdp_value(feature: str = "age", value: float = 30, *, case: str = "credit",
              model: str = "boosting") -> float:
    """The partial dependence of ``model`` on ``feature`` at ``value``, over the whole data."""
    ds = data.load_case(case)
    return float(partial_dependence(_f(case, model), ds.X, feature, grid=[value]).average[0])


def check_pdp_value(answer: float) -> Verdict:
    """Exercise 1: the credit boosting model's average P(bad risk) with everyone's age set to 30."""
    return check_number(answer, pdp_value("age", 30), tolerance=0.001,
                        hint="Call partial_dependence(f, credit.X, 'age', grid=[30]) on all 1000 "
                             "applicants and read .average[0].")


def heterogeneity_by_feature(*, case: str = "credit", model: str = "boosting",
                             grid_resolution: int = 15) -> dict[str, float]:
    """Mean spread (standard deviation across people) of the centred ICE curves, per numeric
    feature of ``case`` with more than two values."""
    ds = data.load_case(case)
    f = _f(case, model)
    return {
        feature: float(partial_dependence(f, ds.X_test, feature,
                                          grid_resolution=grid_resolution).heterogeneity().mean())
        for feature in ds.numeric_features if ds.X[feature].nunique() > 2
    }


def most_heterogeneous_feature(**kwargs) -> str:
    """The numeric feature whose centred ICE curves spread the most (see :func:`heterogeneity_by_feature`)."""
    spread = heterogeneity_by_feature(**kwargs)
    return max(spread, key=spread.get)


def check_most_heterogeneous(answer: str) -> Verdict:
    """Exercise 2: which numeric credit feature has the most heterogeneous centred ICE curves?"""
    return check_choice(answer, most_heterogeneous_feature(),
                        hint="For each numeric feature of credit.X_test, compute "
                             "partial_dependence(..., grid_resolution=15).heterogeneity().mean() "
                             "and take the largest.")


def extrapolation_gap(*, feature: str = "duration_months", model: str = "mlp",
                      grid_resolution: int = 20) -> float:
    """Centred PDP minus ALE of ``feature`` at its largest value (credit case), on the ALE's edges.

    The PDP is centred like the ALE: minus its average over the applicants' own values.
    """
    ds = data.load_credit()
    f = _f("credit", model)
    effect = ale(f, ds.X, feature, grid_resolution=grid_resolution)
    pdp = partial_dependence(f, ds.X, feature, grid=effect.grid)
    at_data = np.interp(ds.X[feature].to_numpy(dtype=float), pdp.grid.astype(float), pdp.average)
    return float(pdp.average[-1] - at_data.mean() - effect.effect[-1])


def check_extrapolation_gap(answer: float) -> Verdict:
    """Exercise 3: by how much does the MLP's centred PDP exceed its ALE at the longest duration?"""
    return check_number(answer, extrapolation_gap(), tolerance=0.005,
                        hint="Compute ale(f, credit.X, 'duration_months', grid_resolution=20), then the PDP on "
                             "grid=effect.grid; centre the PDP by subtracting np.interp of it at "
                             "every applicant's own duration, averaged; compare the last values.")


def interaction_strengths(*, case: str = "heart", model: str = "boosting",
                          pairs: tuple[tuple[str, str], ...] = INTERACTION_PAIRS,
                          n_samples: int = H_SAMPLE) -> dict[tuple[str, str], float]:
    """Friedman's H for each pair of features (default: :data:`INTERACTION_PAIRS` of the heart case)."""
    ds = data.load_case(case)
    f = _f(case, model)
    pairs = [tuple(pair) for pair in pairs]
    if not pairs or any(isinstance(p, str) or len(p) != 2 for p in pairs):
        raise ValueError(f"pairs must be a non-empty list of feature pairs such as [('age', 'cholesterol')], "
                         f"got {pairs!r}")
    return {pair: h_statistic(f, ds.X, pair, n_samples=n_samples, random_state=0) for pair in pairs}


def check_strongest_interaction(answer: Any) -> Verdict:
    """Exercise 4: which pair in :data:`INTERACTION_PAIRS` interacts most in the heart boosting model?"""
    strengths = interaction_strengths()
    expected = max(strengths, key=strengths.get)
    try:
        given = tuple(sorted(answer))
    except TypeError:
        return Verdict(False, f"expected a pair of feature names, got {answer!r}",
                       "Answer with a tuple such as ('age', 'cholesterol').")
    return check_choice(given, tuple(sorted(expected)),
                        hint=f"Compute h_statistic(f, heart.X, pair, n_samples={H_SAMPLE}) for each of the "
                             "four pairs and take the largest.")


def spread_by_model(*, case: str = "credit", feature: str = "duration_months",
                    grid_resolution: int = 15) -> dict[str, dict[str, float]]:
    """Largest spread (standard deviation across people) of the centred ICE curves of ``feature``
    on the test split, for every zoo model of ``case``, on the probability and log-odds scales."""
    ds = data.load_case(case)
    return {
        name: {scale: float(partial_dependence(_f(case, name, scale), ds.X_test, feature,
                                               grid_resolution=grid_resolution).heterogeneity().max())
               for scale in ("probability", "log-odds")}
        for name in models.model_zoo(case)
    }


def additive_model(*, tolerance: float = 1e-9, **kwargs: Any) -> str:
    """The one zoo model whose centred ICE curves coincide on the log-odds scale (additive there)."""
    spread = spread_by_model(**kwargs)
    additive = [name for name, by_scale in spread.items() if by_scale["log-odds"] < tolerance]
    if len(additive) != 1:
        raise RuntimeError(f"expected exactly one additive model, found {additive}: the exercise needs revising")
    return additive[0]


def check_additive_model(answer: str) -> Verdict:
    """Exercise 1: which credit model's centred ICE curves of duration coincide on the log-odds scale?"""
    return check_choice(answer, additive_model(),
                        hint="For each name in models.model_zoo('credit'), compute partial_dependence("
                             "prediction_function(model, scale='log-odds'), credit.X_test, 'duration_months', "
                             "grid_resolution=15).heterogeneity().max(); the answer's is zero up to rounding.")

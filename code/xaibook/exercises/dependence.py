"""Checkers for the exercises of chapter 4, *Partial dependence plots and their variants*.

Every expected answer is computed with :mod:`xaibook.dependence` on the book's case studies and
models, never typed in. The choose / diagnose exercises take a letter; their checkers compute which
letter is right from the measured numbers, so a retuned model changes the answer, not the code.
:func:`check_most_heterogeneous` and :func:`check_strongest_interaction` belong to earlier editions
of the exercises and are kept for handouts that still use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook import data, models
from xaibook.dependence import ale, h_statistic, partial_dependence
from xaibook.exercises import Verdict, check_choice, check_number
from xaibook.predict import prediction_function

__all__ = [
    "INTERACTION_PAIRS", "H_SAMPLE", "pdp_value", "check_pdp_value", "heterogeneity_by_feature",
    "most_heterogeneous_feature", "check_most_heterogeneous", "extrapolation_gap",
    "check_extrapolation_gap", "interaction_strengths", "check_strongest_interaction",
    "spread_by_model", "additive_model", "check_additive_model", "widest_model", "check_widest_model",
    "FAIR_SUMMARY_MODEL", "FAIR_SUMMARY_CHOICES", "heart_rate_spread", "fair_summary_choice", "check_fair_summary",
    "PDP_ALE_SCENARIOS", "scenario_data", "pdp_ale_gaps", "differing_scenario", "check_pdp_ale_differ",
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

    The PDP is centred on the data: minus its average at the applicants' own values (read off the
    grid by linear interpolation), which is close to, not the same as, the ALE's bin-wise centring.
    """
    ds = data.load_credit()
    f = _f("credit", model)
    effect = ale(f, ds.X, feature, grid_resolution=grid_resolution)
    pdp = partial_dependence(f, ds.X, feature, grid=effect.grid)
    at_data = np.interp(ds.X[feature].to_numpy(dtype=float), pdp.grid.astype(float), pdp.average)
    return float(pdp.average[-1] - at_data.mean() - effect.effect[-1])


def check_extrapolation_gap(answer: float, *, feature: str = "duration_months") -> Verdict:
    """Exercise 3: by how much does the MLP's centred PDP of ``feature`` exceed its ALE at the
    feature's largest value?"""
    return check_number(answer, extrapolation_gap(feature=feature), tolerance=0.005,
                        hint=f"Compute ale(f, credit.X, {feature!r}, grid_resolution=20), then the PDP on "
                             "grid=effect.grid; centre the PDP by subtracting np.interp of it at "
                             "every applicant's own value, averaged; compare the last values.")


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


def widest_model(*, scale: str = "log-odds", **kwargs: Any) -> str:
    """The zoo model whose centred ICE curves spread the most on ``scale`` (see :func:`spread_by_model`)."""
    spread = spread_by_model(**kwargs)
    return max(spread, key=lambda name: spread[name][scale])


def check_widest_model(answer: str) -> Verdict:
    """Exercise 1: which credit model's centred ICE curves of duration spread most on the log-odds scale?"""
    return check_choice(answer, widest_model(),
                        hint="For each name in models.model_zoo('credit'), compute partial_dependence("
                             "prediction_function(model, scale='log-odds'), credit.X_test, 'duration_months', "
                             "grid_resolution=15).heterogeneity().max() and take the largest.")


#: The heart model of exercise 2 (the chapter's text shows the boosting model; the exercise asks
#: the same question of the neural network).
FAIR_SUMMARY_MODEL = "mlp"
#: Exercise 2's options: is the PDP of the heart model's max_heart_rate a fair summary of its ICE curves?
FAIR_SUMMARY_CHOICES = {
    "A": "Yes, on both scales: every patient's curve is the PDP shifted up or down.",
    "B": "On the log-odds scale every patient's curve is the PDP shifted up or down; on the probability "
         "scale the size of the drop differs from patient to patient, because of the sigmoid alone.",
    "C": "No: the curves differ in shape on the log-odds scale too, so heart rate interacts with other "
         "features in this model.",
}
#: Below this largest spread of the centred ICE curves, they coincide (rounding only).
_FLAT = 1e-9


def _check_letter(answer: Any, choices: dict[str, str]) -> str | None:
    """The upper-case letter, or ``None`` when ``answer`` is not one of ``choices``."""
    if not isinstance(answer, str) or answer.strip().upper() not in choices:
        return None
    return answer.strip().upper()


def heart_rate_spread(*, feature: str = "max_heart_rate", model: str = FAIR_SUMMARY_MODEL) -> dict[str, float]:
    """Largest spread of the centred ICE curves of one heart model (default
    :data:`FAIR_SUMMARY_MODEL`), per output scale."""
    heart = data.load_heart()
    return {scale: float(partial_dependence(_f("heart", model, scale), heart.X_test, feature,
                                            grid_resolution=20).heterogeneity().max())
            for scale in ("probability", "log-odds")}


def fair_summary_choice(*, model: str = FAIR_SUMMARY_MODEL) -> str:
    """The right option of :data:`FAIR_SUMMARY_CHOICES`, from the measured spreads."""
    spread = heart_rate_spread(model=model)
    if spread["log-odds"] >= _FLAT:
        return "C"
    return "A" if spread["probability"] < _FLAT else "B"


def check_fair_summary(answer: str) -> Verdict:
    """Exercise 2: is the heart MLP's PDP of ``max_heart_rate`` a fair summary of the patients' curves?"""
    letter = _check_letter(answer, FAIR_SUMMARY_CHOICES)
    hint = (f"With model = models.get_model('heart', {FAIR_SUMMARY_MODEL!r}), compute "
            "partial_dependence(prediction_function(model, scale=...), heart.X_test, "
            "'max_heart_rate').heterogeneity().max() on both scales: zero means the centred curves "
            "coincide, so every curve is the PDP shifted.")
    if letter is None:
        return Verdict(False, f"answer with one of the letters {sorted(FAIR_SUMMARY_CHOICES)}, got {answer!r}",
                       hint)
    return check_choice(letter, fair_summary_choice(), hint=hint)


#: Exercise 4's three toy worlds: two features on [-1, 1], a model of them, and how they are related.
PDP_ALE_SCENARIOS = {
    "A": "f = x1 + x2, and x2 is x1 plus a little noise (correlated features, no interaction)",
    "B": "f = x1 * x2, and x2 is drawn independently of x1 (interaction, independent features)",
    "C": "f = x1 * x2, and x2 is x1 plus a little noise (interaction and correlated features)",
}


def scenario_data(letter: str, *, n: int = 2000, random_state: int = 0) -> tuple[pd.DataFrame, Any]:
    """The data ``X`` (columns ``x1``, ``x2``) and the model ``f`` of one of :data:`PDP_ALE_SCENARIOS`."""
    if letter not in PDP_ALE_SCENARIOS:
        raise ValueError(f"letter must be one of {sorted(PDP_ALE_SCENARIOS)}, got {letter!r}")
    rng = np.random.default_rng(random_state)
    x1 = rng.uniform(-1, 1, n)
    x2 = rng.uniform(-1, 1, n) if letter == "B" else np.clip(x1 + rng.normal(scale=0.1, size=n), -1, 1)
    X = pd.DataFrame({"x1": x1, "x2": x2})

    def model(frame: pd.DataFrame) -> np.ndarray:
        a, b = frame["x1"].to_numpy(), frame["x2"].to_numpy()
        return a + b if letter == "A" else a * b

    return X, model


def pdp_ale_gaps(*, grid_resolution: int = 20) -> dict[str, float]:
    """Largest |centred PDP - ALE| of ``x1`` in each scenario, on the ALE's bin edges."""
    gaps = {}
    for letter in PDP_ALE_SCENARIOS:
        X, model = scenario_data(letter)
        effect = ale(model, X, "x1", grid_resolution=grid_resolution)
        pdp = partial_dependence(model, X, "x1", grid=effect.grid)
        gaps[letter] = float(np.abs(pdp.centred_on_data() - effect.effect).max())
    return gaps


def differing_scenario() -> str:
    """The scenario in which the PDP and the ALE of ``x1`` differ most."""
    gaps = pdp_ale_gaps()
    return max(gaps, key=gaps.get)


def check_pdp_ale_differ(answer: str) -> Verdict:
    """Exercise 4: in which scenario of :data:`PDP_ALE_SCENARIOS` do the PDP and the ALE differ?"""
    letter = _check_letter(answer, PDP_ALE_SCENARIOS)
    hint = ("Two conditions must hold together. For an additive model the PDP and the ALE are the same "
            "curve up to a constant; with independent features the PDP's invented rows look like real "
            "ones.")
    if letter is None:
        return Verdict(False, f"answer with one of the letters {sorted(PDP_ALE_SCENARIOS)}, got {answer!r}",
                       hint)
    return check_choice(letter, differing_scenario(), hint=hint)

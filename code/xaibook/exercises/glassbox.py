"""Checkers for the exercises of chapter 2, *The basics*.

Each expected answer is computed from the model zoo and :mod:`xaibook.glassbox`, never typed in.
"""

from __future__ import annotations

import math

from xaibook import glassbox
from xaibook.data import load_case
from xaibook.exercises import Verdict, check_choice, check_number, check_ranking
from xaibook.models import GLASS_BOX, featured_person, get_model, metrics_table

WHATIF_FEATURES = ("duration_months", "credit_amount", "installment_rate")


def duration_odds_factor(months: int = 12) -> float:
    """Factor by which the credit logistic model multiplies the odds of bad risk for ``months``
    more months of loan duration, other features fixed: ``exp(months * beta / sd)``."""
    ds = load_case("credit")
    table = glassbox.logistic_coefficients(get_model("credit", "logistic"), ds.X_train).to_frame()
    per_month = table.loc[table["feature"] == "duration_months", "per_unit_coefficient"].item()
    return math.exp(months * per_month)


def heart_tree_root_feature() -> str:
    """The raw feature the heart decision tree tests at its root."""
    rules = glassbox.tree_rules(get_model("heart", "tree"))
    return rules.rules[0].conditions[0].raw_feature


def whatif(case: str = "credit") -> glassbox.WhatIfSpec:
    """The chapter's what-if spec: the featured applicant and the three loan-term sliders."""
    ds = load_case(case)
    row = ds.X.loc[[featured_person(case)]]
    return glassbox.whatif_spec(get_model(case, "logistic"), row, list(WHATIF_FEATURES), data=ds.X_train)


def lowest_whatif_probability() -> float:
    """The lowest probability the what-if sliders can reach for the featured applicant: each
    slider at the end of its range that lowers the log-odds (the model is monotone in each)."""
    spec = whatif()
    best = {f: spec.ranges[f][0] if spec.weights[f] > 0 else spec.ranges[f][1] for f in spec.features}
    return spec.probability_at(best)


def heart_local_ranking() -> list[str]:
    """Raw features of the heart logistic model ordered by |contribution| for the featured patient."""
    ds = load_case("heart")
    row = ds.X.loc[[featured_person("heart")]]
    result = glassbox.logistic_contributions(get_model("heart", "logistic"), row, ds.X_train)
    return list(result.to_frame()["feature"])


def heart_auc_gap() -> float:
    """Best opaque model's test ROC AUC minus the logistic regression's, on the heart data."""
    table = metrics_table(cases=("heart",))
    opaque = table.loc[~table["model"].isin(GLASS_BOX), "roc_auc"].max()
    logistic = table.loc[table["model"] == "logistic", "roc_auc"].item()
    return float(opaque - logistic)


def check_duration_odds(answer: float) -> Verdict:
    """Exercise 1: the odds factor for 12 more months of duration (credit, logistic)."""
    return check_number(answer, duration_odds_factor(12), tolerance=0.01, relative=True,
                        hint="The coefficient is per standard deviation of duration_months; divide by "
                             "the SD to get it per month, multiply by 12, then exponentiate.")


def check_heart_root(answer: str) -> Verdict:
    """Exercise 2: the raw feature the heart tree tests first."""
    return check_choice(answer, heart_tree_root_feature(),
                        hint="Print glassbox.tree_rules(models.get_model('heart', 'tree')).readable_text "
                             "and read the first line; give the raw feature name, not the one-hot level.")


def check_lowest_whatif(answer: float) -> Verdict:
    """Exercise 3: the lowest probability the three loan-term sliders can reach."""
    return check_number(answer, lowest_whatif_probability(), tolerance=0.005,
                        hint="The log-odds are a sum of weight * value, so each slider is best at one end "
                             "of its range: the lower end if its weight is positive. Use "
                             "spec.probability_at({...}).")


def check_heart_local_top3(answer: list[str]) -> Verdict:
    """Exercise 4: the three raw features that move the featured patient's log-odds most."""
    return check_ranking(answer, heart_local_ranking(), top=3,
                         hint="Use glassbox.logistic_contributions with the training data as background "
                              "and sort by the absolute contribution.")


def check_heart_auc_gap(answer: float) -> Verdict:
    """Exercise 5: best opaque ROC AUC minus logistic ROC AUC on heart (it may be negative)."""
    return check_number(answer, heart_auc_gap(), tolerance=0.002,
                        hint="Take models.metrics_table(), keep the heart rows, and subtract the logistic "
                             "model's roc_auc from the largest roc_auc among the opaque models.")

"""Checkers for the exercises of chapter 1, *Why explain models?*."""

from __future__ import annotations

from xaibook.data import load_credit
from xaibook.exercises import Verdict, check_choice, check_number

#: The cost matrix documented with the German credit data: accepting a bad risk costs 5,
#: rejecting a good risk costs 1, correct decisions cost nothing.
COST_ACCEPT_BAD = 5.0
COST_REJECT_GOOD = 1.0


def young_bad_risk_rate(age_limit: int = 25) -> float:
    """Share of bad risks among credit applicants younger than ``age_limit``."""
    ds = load_credit()
    return float(ds.y[ds.X["age"] < age_limit].mean())


def cost_optimal_threshold(cost_accept_bad: float = COST_ACCEPT_BAD,
                           cost_reject_good: float = COST_REJECT_GOOD) -> float:
    """Deny when ``p * cost_accept_bad > (1 - p) * cost_reject_good``, i.e. above c_g / (c_g + c_b)."""
    return cost_reject_good / (cost_reject_good + cost_accept_bad)


def check_young_rate(answer: float) -> Verdict:
    """Exercise 1: the share of bad risks among applicants under 25."""
    return check_number(answer, young_bad_risk_rate(), tolerance=0.005,
                        hint="Filter ds.X['age'] < 25, then take the mean of ds.y on those rows.")


def check_threshold(answer: float) -> Verdict:
    """Exercise 2: the probability of bad risk above which denying has the lower expected cost."""
    return check_number(answer, cost_optimal_threshold(), tolerance=0.005,
                        hint="Compare the expected cost of accepting, p * 5, with that of "
                             "denying, (1 - p) * 1, and solve for the p where they are equal.")


def check_immutable_protected(answer: str) -> Verdict:
    """Exercise 3: the protected credit attribute an applicant can never change *and* that is
    not about age: which one mixes two protected characteristics?"""
    return check_choice(answer, "personal_status_sex",
                        hint="Look at ds.dictionary for rows flagged protected and immutable.")

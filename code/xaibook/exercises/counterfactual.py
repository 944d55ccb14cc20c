"""Checkers for the exercises of chapter 7, *Counterfactual explanations*.

Every expected answer is computed with :mod:`xaibook.counterfactual` on the book's case studies and
models, never typed in.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from xaibook import data, models
from xaibook.counterfactual import (
    actionable_features,
    distance_matrix,
    linear_recourse_cost,
    linear_recourse_costs,
)
from xaibook.exercises import Verdict, check_choice, check_number

__all__ = ["SHORTER_MONTHS", "SMALLER_DM", "YOUNG_AGE", "N_BOOTSTRAP", "applicant", "shorter_smaller_loan",
           "candidate_cost", "check_candidate_cost", "check_candidate_valid", "numeric_optimum",
           "check_numeric_recourse", "actionable_optimum", "check_actionable_optimum", "recourse_by_age",
           "costlier_group", "check_costlier_group", "gap_interval", "check_gap_interval", "gap_verdict",
           "check_gap_verdict"]

#: The change of exercise 1: a loan shorter by this many months and smaller by this many DM.
SHORTER_MONTHS = 6
SMALLER_DM = 500
#: Age below which an applicant counts as young in the chapter's recourse comparison.
YOUNG_AGE = 25
#: Bootstrap resamples of exercise 3's interval for the gap in mean cost between the age groups.
N_BOOTSTRAP = 2000
#: The verdicts exercise 3 chooses from.
VERDICTS = ("no clear difference", "the young pay more", "the older pay more")


def applicant() -> pd.DataFrame:
    """The featured credit applicant as a one-row DataFrame."""
    credit = data.load_credit()
    return credit.X.loc[[models.featured_person("credit")]]


def shorter_smaller_loan() -> pd.DataFrame:
    """Exercise 1's candidate: the applicant with a shorter and smaller loan (never below 1 month / 1 DM)."""
    x = applicant()
    return x.assign(duration_months=max(1, int(x["duration_months"].iloc[0]) - SHORTER_MONTHS),
                    credit_amount=max(1, int(x["credit_amount"].iloc[0]) - SMALLER_DM))


def candidate_cost() -> float:
    """The chapter's cost (MAD-scaled L1, Wachter et al.) between the applicant and exercise 1's candidate."""
    return float(distance_matrix(shorter_smaller_loan(), applicant(), data.load_credit().X_train,
                                 ordered=data.CREDIT_BANDS)[0, 0])


def check_candidate_cost(answer: float) -> Verdict:
    """Exercise 1: the cost of the shorter, smaller loan."""
    return check_number(answer, candidate_cost(), tolerance=0.01,
                        hint="Divide each numeric change by that feature's median absolute deviation in the "
                             "training data (xaibook.counterfactual.mad_scales) and add them up.")


def check_candidate_valid(answer: bool) -> Verdict:
    """Exercise 1: would the gradient-boosting model grant the shorter, smaller loan?"""
    approved = bool(models.get_model("credit", "boosting").predict(shorter_smaller_loan())[0] == 0)
    return check_choice(answer, approved,
                        hint="Ask the model: predict() on the candidate row. A cheaper change is not "
                             "necessarily a valid one.")


def numeric_optimum() -> float:
    """Exercise 2: the exact cheapest recourse of the applicant under the logistic model, numeric
    actionable features only (the loan's duration and amount), in whole steps; ``inf`` when no
    change of those features alone reaches approval."""
    credit = data.load_credit()
    numeric = [f for f in actionable_features(credit) if f in credit.numeric_features]
    return linear_recourse_cost(models.get_model("credit", "logistic"), applicant(), credit.X_train,
                                features_to_vary=numeric, integer=True, ordered=data.CREDIT_BANDS)


def check_numeric_recourse(answer: bool) -> Verdict:
    """Exercise 2: can the numeric actionable features alone win the applicant an approval?"""
    return check_choice(answer, bool(np.isfinite(numeric_optimum())),
                        hint="linear_recourse_cost(..., features_to_vary=<the numeric actionable features>, "
                             "integer=True) returns inf when no change of those features is enough.")


def actionable_optimum() -> float:
    """Exercise 2: the exact cheapest recourse of the applicant under the logistic model, every
    actionable feature, in whole steps."""
    credit = data.load_credit()
    return linear_recourse_cost(models.get_model("credit", "logistic"), applicant(), credit.X_train,
                                features_to_vary=actionable_features(credit), integer=True,
                                ordered=data.CREDIT_BANDS)


def check_actionable_optimum(answer: float) -> Verdict:
    """Exercise 2: the optimum cost with every actionable feature."""
    return check_number(answer, actionable_optimum(), tolerance=0.01, relative=True,
                        hint="linear_recourse_cost(..., features_to_vary=actionable_features(credit), "
                             "integer=True, ordered=data.CREDIT_BANDS); compare with counterfactuals(...).cost[0].")


def recourse_by_age() -> pd.DataFrame:
    """The exact cost of recourse (logistic model, actionable features, balance bands ordered) of
    every denied test applicant, with a column saying whether they are younger than ``YOUNG_AGE``."""
    return _recourse_by_age().copy()


@lru_cache(maxsize=1)
def _recourse_by_age() -> pd.DataFrame:
    """One mixed-integer programme per applicant: computed once per session (the checkers reuse it)."""
    credit = data.load_credit()
    model = models.get_model("credit", "logistic")
    denied = credit.X_test[model.predict(credit.X_test) == 1]
    costs = linear_recourse_costs(model, denied, credit.X_train, desired_class=0,
                                  features_to_vary=actionable_features(credit), integer=True,
                                  ordered=data.CREDIT_BANDS)
    group = np.where(denied["age"] < YOUNG_AGE, f"under {YOUNG_AGE}", f"{YOUNG_AGE} or older")
    return pd.DataFrame({"age group": group, "recourse cost": costs.replace(np.inf, np.nan)}, index=denied.index)


def costlier_group() -> str:
    """The age group whose denied applicants have the higher mean cost of recourse."""
    means = recourse_by_age().groupby("age group")["recourse cost"].mean()
    return str(means.idxmax())


def check_costlier_group(answer: str) -> Verdict:
    """Exercise 3: which age group pays more, on average, to be approved?"""
    return check_choice(answer, costlier_group(),
                        hint="Group the recourse costs by age group and compare the means; then ask how "
                             "many people each mean rests on.")


def _groups() -> tuple[np.ndarray, np.ndarray]:
    table = recourse_by_age().dropna()
    young = table["age group"] == f"under {YOUNG_AGE}"
    return table.loc[young, "recourse cost"].to_numpy(), table.loc[~young, "recourse cost"].to_numpy()


def gap_interval() -> tuple[float, float, float]:
    """Exercise 3: mean cost of the young minus that of the older (people with recourse), and a 95 %
    percentile bootstrap interval (``N_BOOTSTRAP`` resamples within each group, seed 0)."""
    young, older = _groups()
    rng = np.random.default_rng(0)
    draws = (rng.choice(young, (N_BOOTSTRAP, len(young))).mean(axis=1)
             - rng.choice(older, (N_BOOTSTRAP, len(older))).mean(axis=1))
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(young.mean() - older.mean()), float(low), float(high)


def check_gap_interval(low: float, high: float) -> Verdict:
    """Exercise 3: the 95 % bootstrap interval of the gap (a resampling detail may move the ends a
    little: within 0.05 of the reference counts)."""
    _, ref_low, ref_high = gap_interval()
    hint = ("Resample each age group with replacement (numpy's default_rng(0).choice), take the difference "
            "of the means, repeat 2000 times and read the 2.5 % and 97.5 % quantiles.")
    first = check_number(low, ref_low, tolerance=0.05, hint=hint)
    return first if not first else check_number(high, ref_high, tolerance=0.05, hint=hint)


def gap_verdict() -> str:
    """Exercise 3's judgement: a difference only where the interval excludes zero."""
    _, low, high = gap_interval()
    return VERDICTS[0] if low <= 0 <= high else VERDICTS[1] if low > 0 else VERDICTS[2]


def check_gap_verdict(answer: str) -> Verdict:
    """Exercise 3: what do the data say about the gap? One of ``VERDICTS``."""
    if answer not in VERDICTS:
        return Verdict(False, f"choose one of {list(VERDICTS)}, got {answer!r}")
    return check_choice(answer, gap_verdict(),
                        hint="Does the interval contain 0? A gap that the groups' sampling noise could produce "
                             "is no finding, however the means happen to fall.")

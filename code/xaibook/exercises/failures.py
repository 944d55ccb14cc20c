"""Checkers for the exercises of chapter 8, *Where explanations fail*, and the chapter's settings.

The settings (how many people, which widths, the adversary's rules) live here so that the chapter
and the checkers use the same ones; every expected answer is computed with the package's tested
functions, never typed in.
"""

from __future__ import annotations

import pandas as pd

from xaibook import agreement, data, failures, models
from xaibook.exercises import Verdict, check_number
from xaibook.predict import prediction_function
from xaibook.shapley import tree_shap

__all__ = [
    "toy_explanations",
    "toy_rank_agreement",
    "check_rank_agreement",
    "refits_below_half",
    "check_refits_below_half",
    "shap_sanity_correlation",
    "check_shap_sanity",
    "least_robust_methods",
    "check_least_robust",
    "heart_top_agreement",
    "check_heart_top_agreement",
]

#: Background rows drawn from the training split (``random_state=0``), as in chapter 5.
BACKGROUND_SIZE = 50
#: Test applicants explained by every method in the disagreement lab.
N_PEOPLE = 30
#: LIME kernel widths refitted on one neighbourhood (the default for 20 features is about 3.35).
KERNEL_WIDTHS = (0.6, 0.7, 0.8, 1.0, 1.5, 2.0, 3.35, 6.0)
#: Bootstrap refits of the boosting model, and the test-AUC tolerance of the Rashomon set.
N_REFITS = 8
RASHOMON_TOLERANCE = 0.02
#: The adversary of Slack et al. (2020): the biased rule denies applicants younger than AGE_LIMIT;
#: the innocuous rule, those whose instalment rate is below RATE_LIMIT (a heavy burden).
AGE_LIMIT = 25
RATE_LIMIT = 3
#: Training applicants whose explanations the adversary records, and the test applicants audited.
N_QUERY_ROWS = 50
N_AUDITED = 8
#: Detector thresholds: the one used against LIME, and the ones tried against KernelSHAP.
LIME_THRESHOLD = 0.3
SHAP_THRESHOLDS = (0.3, 0.5, 0.7)
#: Test applicants predicted to be bad risks whose counterfactuals are checked against the refits.
N_RECOURSE = 10
#: Features along which the constrained model's risk may only rise.
MONOTONE_FEATURES = ("credit_amount", "duration_months")


# ------------------------------------------------------------------------------ exercise 1
def toy_explanations() -> tuple[pd.Series, pd.Series]:
    """Two attributions of the same prediction over five features (exercise 1)."""
    names = ["duration", "amount", "account", "savings", "age"]
    a = pd.Series([0.40, -0.30, 0.20, 0.10, 0.05], index=names)
    b = pd.Series([0.35, 0.10, -0.30, 0.25, 0.00], index=names)
    return a, b


def toy_rank_agreement(k: int = 3) -> float:
    a, b = toy_explanations()
    return agreement.rank_agreement(a, b, k=k)


def check_rank_agreement(answer: float) -> Verdict:
    """Exercise 1: rank agreement of the toy explanations at k = 3."""
    return check_number(answer, toy_rank_agreement(), tolerance=1e-9,
                        hint="List each explanation's top three by absolute value, with positions; count "
                             "the features that hold the same position in both, and divide by 3.")


# ------------------------------------------------------------------------------ exercise 2
def refits_below_half() -> int:
    """How many bootstrap refits give the featured applicant a probability of bad risk below 0.5."""
    credit = data.load_credit()
    applicant = credit.X.loc[[models.featured_person("credit")]]
    refits = failures.bootstrap_refits("credit", n_refits=N_REFITS)
    return int(sum(prediction_function(m)(applicant)[0] < 0.5 for m in refits.models))


def check_refits_below_half(answer: int) -> Verdict:
    """Exercise 2: the number of refits below 0.5 for the featured applicant."""
    return check_number(answer, refits_below_half(), tolerance=0,
                        hint="Loop over failures.bootstrap_refits('credit').models and count the ones "
                             "whose prediction_function(model)(applicant)[0] is below 0.5.")


# ------------------------------------------------------------------------------ exercise 3
def shap_sanity_correlation() -> float:
    """Rank correlation of mean |SHAP| (TreeSHAP, log-odds, test split) of the real and shuffled models."""
    credit = data.load_credit()
    background = credit.X_train.sample(BACKGROUND_SIZE, random_state=0)
    real = tree_shap(models.get_model("credit", "boosting"), credit.X_test, background, scale="log-odds")
    noise = tree_shap(failures.shuffled_label_model("credit"), credit.X_test, background, scale="log-odds")
    return agreement.rank_correlation(real.mean_abs(), noise.mean_abs())


def check_shap_sanity(answer: float) -> Verdict:
    """Exercise 3: the rank correlation of the real and the shuffled model's mean |SHAP|."""
    return check_number(answer, shap_sanity_correlation(), tolerance=1e-3,
                        hint="tree_shap(model, credit.X_test, background, scale='log-odds').mean_abs() for "
                             "both models, then agreement.rank_correlation(real, noise).")


# ------------------------------------------------------------------------------ chapter 9
def least_robust_methods() -> list[str]:
    """The methods (ties included) whose top five features agree least with refitted models' (chapter 9)."""
    measured = failures.method_measurements("credit")
    lowest = measured["refit_agreement"].min()
    return measured.loc[measured["refit_agreement"] == lowest, "method"].tolist()


def check_least_robust(answer: str) -> Verdict:
    """Chapter 9, exercise 1: a method with the lowest refit agreement (any of a tie)."""
    expected = least_robust_methods()
    if answer in expected:
        return Verdict(True, f"{answer!r} is right" + (f" (tied with {[m for m in expected if m != answer]})."
                                                      if len(expected) > 1 else "."))
    return Verdict(False, f"{answer!r} is not the answer.",
                   "Sort failures.method_measurements() by 'refit_agreement'; the first method (or any "
                   "tied with it) is the answer.")


def heart_top_agreement() -> int:
    """How many of the report card's methods share KernelSHAP's top feature for the featured patient."""
    card = failures.report_card("heart")
    tops = {method: agreement.ranking(part.set_index("feature")["value"])[0]
            for method, part in card.groupby("method", sort=False)}
    return int(sum(top == tops["KernelSHAP (probability)"] for top in tops.values()))


def check_heart_top_agreement(answer: int) -> Verdict:
    """Chapter 9, exercise 2: methods on the card whose top feature equals KernelSHAP's."""
    return check_number(answer, heart_top_agreement(), tolerance=0,
                        hint="Group failures.report_card('heart') by method, take each method's feature "
                             "of largest absolute value, and count those equal to KernelSHAP's.")

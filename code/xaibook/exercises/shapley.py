"""Checkers for the exercises of chapter 5, *SHAP values*, and the chapter's three-feature toy game.

Every expected answer is computed with :mod:`xaibook.shapley` on the book's case studies and
models (or on the toy game defined here), never typed in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook import data, models
from xaibook._validation import check_features, check_positive_int
from xaibook.exercises import Verdict, check_choice, check_number, check_ranking
from xaibook.predict import prediction_function
from xaibook.shapley import exact_shapley, owen_values, tree_shap

__all__ = [
    "BACKGROUND_SIZE", "toy_score", "toy_applicant", "toy_reference", "toy_second_reference",
    "toy_value_two_references", "check_toy_value", "patient_values", "check_patient_top_feature",
    "approved_base_value", "check_approved_base_value", "global_ranking", "check_global_ranking",
    "healthy_background_shift", "check_healthy_gain",
]

#: Background rows drawn from the training split (``random_state=0``) for the case studies.
BACKGROUND_SIZE = 50


# ------------------------------------------------------------------------------ the toy game
def toy_score(X: pd.DataFrame) -> np.ndarray:
    """A hand-made risk score on three facts about a loan (the chapter's toy model).

    0.10 to start; +0.20 for a loan longer than 24 months; +0.10 for an amount above 5,000 DM;
    +0.30 more when a long loan meets an overdrawn checking account ("< 0 DM"). The account
    alone changes nothing: its effect exists only together with a long duration.
    """
    long_loan = X["duration_months"].to_numpy() > 24
    large = X["credit_amount"].to_numpy() > 5000
    overdrawn = (X["checking_account"] == "< 0 DM").to_numpy()
    return 0.10 + 0.20 * long_loan + 0.10 * large + 0.30 * (long_loan & overdrawn)


def toy_applicant() -> pd.DataFrame:
    """The applicant explained in the toy game: long loan, large amount, overdrawn account."""
    return pd.DataFrame({"duration_months": [36], "credit_amount": [6000], "checking_account": ["< 0 DM"]})


def toy_reference() -> pd.DataFrame:
    """The single reference applicant of the toy game: short loan, small amount, a good balance."""
    return pd.DataFrame({"duration_months": [12], "credit_amount": [2000],
                         "checking_account": [">= 200 DM or salary account"]})


def toy_second_reference() -> pd.DataFrame:
    """A second reference, for exercise 1: a short, small loan but an overdrawn account."""
    return pd.DataFrame({"duration_months": [12], "credit_amount": [2000], "checking_account": ["< 0 DM"]})


def toy_value_two_references(feature: str = "checking_account") -> float:
    """Shapley value of ``feature`` for the toy applicant, background = both references."""
    background = pd.concat([toy_reference(), toy_second_reference()], ignore_index=True)
    result = exact_shapley(toy_score, toy_applicant(), background)
    (name,) = check_features([feature], background, name="feature", frame_name="the toy applicant")
    return float(result.to_wide()[name].iloc[0])


def check_toy_value(answer: float) -> Verdict:
    """Exercise 1: the checking account's Shapley value when the background holds both references."""
    return check_number(answer, toy_value_two_references(), tolerance=1e-3,
                        hint="With two background rows, v(S) is the average of the score over both "
                             "hybrid rows. The second reference already has an overdrawn account: "
                             "for it, the applicant's account changes nothing.")


# ---------------------------------------------------------------------------- case studies
def _background(case: str) -> pd.DataFrame:
    return data.load_case(case).X_train.sample(BACKGROUND_SIZE, random_state=0)


def patient_values(*, model: str = "boosting", scale: str = "probability") -> pd.Series:
    """Exact SHAP values of the featured heart patient (50 training rows as background)."""
    heart = data.load_heart()
    patient = heart.X.loc[[models.featured_person("heart")]]
    f = prediction_function(models.get_model("heart", model), scale=scale)
    return exact_shapley(f, patient, _background("heart")).to_wide().iloc[0]


def check_patient_top_feature(answer: str) -> Verdict:
    """Exercise 2: the feature with the largest |SHAP value| for the featured patient."""
    values = patient_values()
    return check_choice(answer, values.abs().idxmax(),
                        hint="Run exact_shapley on heart.X.loc[[patient]] with 50 training rows "
                             "(sample(50, random_state=0)) as background and sort by absolute value.")


def approved_base_value() -> float:
    """Base value of the credit boosting model when the background is 50 good risks (y = 0: loans repaid)."""
    credit = data.load_credit()
    good = credit.X_train[credit.y_train == 0].sample(BACKGROUND_SIZE, random_state=0)
    return float(prediction_function(models.get_model("credit", "boosting"))(good).mean())


def check_approved_base_value(answer: float) -> Verdict:
    """Exercise 3: the base value against a background of good risks only (the function keeps its old name)."""
    return check_number(answer, approved_base_value(), tolerance=1e-3,
                        hint="The base value is the mean prediction over the background rows: "
                             "credit.X_train[credit.y_train == 0].sample(50, random_state=0).")


def global_ranking(case: str = "credit", top: int = 3) -> list[str]:
    """Features by mean |SHAP| (TreeSHAP, log-odds) of the boosting model on the test split."""
    top = check_positive_int(top, name="top")
    ds = data.load_case(case)
    result = tree_shap(models.get_model(case, "boosting"), ds.X_test, _background(case), scale="log-odds")
    return result.mean_abs().index[:top].tolist()


def check_global_ranking(answer: Any) -> Verdict:
    """Exercise 4: the three most important credit features by mean |SHAP value|."""
    return check_ranking(answer, global_ranking(), top=3,
                         hint="tree_shap(model, credit.X_test, background, scale='log-odds').mean_abs() "
                              "lists the features by mean absolute SHAP value.")


def healthy_background_shift(*, model: str = "boosting") -> pd.Series:
    """How each exact SHAP value of the featured heart patient changes when the background is 50
    healthy training patients (``y == 0``) instead of 50 random ones (probability scale)."""
    heart = data.load_heart()
    healthy = heart.X_train[heart.y_train == 0].sample(BACKGROUND_SIZE, random_state=0)
    patient = heart.X.loc[[models.featured_person("heart")]]
    f = prediction_function(models.get_model("heart", model))
    return exact_shapley(f, patient, healthy).to_wide().iloc[0] - patient_values(model=model)


def check_healthy_gain(answer: str) -> Verdict:
    """Exercise 3: the feature whose SHAP value grows most against a healthy background."""
    return check_choice(answer, healthy_background_shift().idxmax(),
                        hint="Compute exact_shapley for the patient twice, with "
                             "heart.X_train.sample(50, random_state=0) and with "
                             "heart.X_train[heart.y_train == 0].sample(50, random_state=0) as background, "
                             "and subtract the first from the second.")


# ------------------------------------------------------------- predict, choose and diagnose
__all__ += ["sick_background_values", "check_sick_top_feature", "toy_copy_score", "toy_copy_applicant",
            "toy_copy_reference", "toy_copy_values", "check_copy_account", "DIAGNOSES",
            "check_report_diagnosis"]


def sick_background_values(*, model: str = "boosting", random_state: int = 0) -> pd.Series:
    """Exact SHAP values (probability) of the featured heart patient against 50 training patients
    with heart disease (``y == 1``), drawn with ``random_state``."""
    heart = data.load_heart()
    sick = heart.X_train[heart.y_train == 1].sample(BACKGROUND_SIZE, random_state=random_state)
    patient = heart.X.loc[[models.featured_person("heart")]]
    f = prediction_function(models.get_model("heart", model))
    return exact_shapley(f, patient, sick).to_wide().iloc[0]


def check_sick_top_feature(answer: str) -> Verdict:
    """Exercise 2: the feature with the largest |SHAP value| when the background is sick patients."""
    return check_choice(answer, sick_background_values().abs().idxmax(),
                        hint="Against sick patients, the features the patient shares with them explain "
                             "little; look for a value that is common among healthy patients but rare "
                             "among sick ones, then check with exact_shapley and "
                             "heart.X_train[heart.y_train == 1].sample(50, random_state=0).")


def toy_copy_score(X: pd.DataFrame) -> np.ndarray:
    """The toy score when the loan's duration is recorded twice, in ``duration_months`` and in
    ``duration_copy``: a loan counts as long when either copy says so (exercise 4)."""
    long_loan = (X["duration_months"].to_numpy() > 24) | (X["duration_copy"].to_numpy() > 24)
    large = X["credit_amount"].to_numpy() > 5000
    overdrawn = (X["checking_account"] == "< 0 DM").to_numpy()
    return 0.10 + 0.20 * long_loan + 0.10 * large + 0.30 * (long_loan & overdrawn)


def toy_copy_applicant() -> pd.DataFrame:
    """The toy applicant with the duration recorded twice."""
    return toy_applicant().assign(duration_copy=36)


def toy_copy_reference() -> pd.DataFrame:
    """The toy reference with the duration recorded twice."""
    return toy_reference().assign(duration_copy=12)


def toy_copy_values(*, grouped: bool = False) -> pd.Series:
    """Shapley values of the toy game with a duplicated duration; ``grouped=True`` gives the Owen
    values with the two copies in one group."""
    x, reference = toy_copy_applicant(), toy_copy_reference()
    if grouped:
        result = owen_values(toy_copy_score, x, reference, groups=[["duration_months", "duration_copy"]])
    else:
        result = exact_shapley(toy_copy_score, x, reference)
    return result.to_wide().iloc[0]


def check_copy_account(answer: float) -> Verdict:
    """Exercise 4: the checking account's Shapley value once the duration is recorded twice."""
    return check_number(answer, float(toy_copy_values()["checking_account"]), tolerance=1e-3,
                        hint="The account adds 0.30 only if a long loan is already in, that is if at "
                             "least one of the two duration columns joined before it. In how many of "
                             "the orders of the account and the two copies does the account come first?")


#: Exercise 5's choices: what went wrong in a colleague's report (see the chapter).
DIAGNOSES = {
    "a": "the background of 50 patients is too small",
    "b": "the SHAP values are on the log-odds scale, the prediction on the probability scale",
    "c": "KernelSHAP's sampling noise",
    "d": "two correlated features share the credit",
}
_DIAGNOSIS_FEEDBACK = {
    "a": "a small background makes the values move between backgrounds, but whatever the background, "
         "the values still add up to f(x) minus the base value (efficiency).",
    "c": "the values came from exact enumeration, which has no sampling noise; and KernelSHAP enforces "
         "efficiency exactly too.",
    "d": "correlated features change how the credit is shared, never the total: efficiency holds for "
         "any split.",
}


def check_report_diagnosis(answer: str) -> Verdict:
    """Exercise 5: which explanation fits values that do not add up to ``f(x)`` minus the base value."""
    if not isinstance(answer, str) or answer.strip().lower() not in DIAGNOSES:
        return Verdict(False, f"answer with one of the letters {sorted(DIAGNOSES)}, got {answer!r}.")
    letter = answer.strip().lower()
    if letter == "b":
        return Verdict(True, f"'b' is right: {DIAGNOSES['b']}. Values and base value on one scale add up "
                             "exactly; mixing scales breaks the sum.")
    return Verdict(False, f"{letter!r} cannot explain it: {_DIAGNOSIS_FEEDBACK[letter]}",
                   "Every correct set of exact SHAP values adds up to f(x) minus the base value. Which "
                   "choice makes the numbers in the report come from two different games?")

"""Checkers for the exercises of chapter 10, *Reason codes: from explanation to adverse action*.

Every expected answer is computed with :mod:`xaibook.reasons` on the credit case study and the
book's logistic scorecard, never typed in.
"""

from __future__ import annotations

from xaibook import data, models
from xaibook.exercises import Verdict, check_choice, check_number
from xaibook.reasons import best_applicant, reason_codes

__all__ = ["best_background_contribution", "check_best_background_contribution", "most_named_reason",
           "check_most_named_reason"]


def _applicant_and_model():
    credit = data.load_credit()
    return credit, credit.X.loc[[models.featured_person("credit")]], models.get_model("credit", "logistic")


def best_background_contribution(feature: str = "purpose") -> float:
    """Exercise 2: ``feature``'s SHAP reason for the featured applicant, with the best-scoring synthetic
    applicant as the only background row (equal, by theory, to its points below the maximum)."""
    credit, x, model = _applicant_and_model()
    letter = reason_codes(model, x, best_applicant(model, credit.X_train), method="shap",
                          n_reasons=credit.X.shape[1])
    return float(letter.contributions[feature])


def check_best_background_contribution(answer: float) -> Verdict:
    """Exercise 2: the contribution of ``purpose`` against the best-scoring applicant."""
    return check_number(answer, best_background_contribution(), tolerance=0.005,
                        hint="Against one background row b, an additive model's Shapley value is the "
                             "difference of the points: points(b) - points(x). Which row is b here?")


def most_named_reason(method: str = "scorecard") -> str:
    """Exercise 1: the characteristic the ``method`` rule names most often in the letters of the
    test applicants the scorecard rates a bad risk."""
    from xaibook.reasons import letters, reason_counts

    credit, _, model = _applicant_and_model()
    rated_bad = credit.X_test[model.predict(credit.X_test) == 1]
    return str(reason_counts(letters(model, rated_bad, credit.X_train, method=method)).index[0])


def check_most_named_reason(answer: str) -> Verdict:
    """Exercise 1: which characteristic do the scorecard's letters name most often?"""
    return check_choice(answer, most_named_reason(),
                        hint="xaibook.reasons.reason_counts(letters) counts how often each characteristic "
                             "is named; compare the rare best value of each characteristic with the common one.")

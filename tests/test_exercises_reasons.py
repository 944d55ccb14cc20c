"""Chapter 10's exercise checkers: right answers pass, wrong ones get a hint."""

from __future__ import annotations

from xaibook import data, models
from xaibook.exercises import reasons as exercises
from xaibook.reasons import reason_codes


def test_best_background_contribution_is_points_below_the_maximum():
    credit = data.load_credit()
    model = models.get_model("credit", "logistic")
    x = credit.X.loc[[models.featured_person("credit")]]
    card = reason_codes(model, x, credit.X_train, method="scorecard", n_reasons=20)
    expected = card.contributions["purpose"]
    assert exercises.best_background_contribution() == expected or \
        abs(exercises.best_background_contribution() - expected) < 1e-10
    assert exercises.check_best_background_contribution(expected)
    verdict = exercises.check_best_background_contribution(expected + 0.5)
    assert not verdict and verdict.hint


def test_most_named_reason_checker():
    answer = exercises.most_named_reason()
    assert exercises.check_most_named_reason(answer)
    assert not exercises.check_most_named_reason("age")

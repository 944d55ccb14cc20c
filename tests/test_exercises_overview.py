"""Chapter 1's exercise checkers (xaibook.exercises.overview)."""

from __future__ import annotations

from xaibook import data
from xaibook.exercises import overview as ex


def test_checkers_accept_right_and_reject_wrong_answers():
    credit = data.load_credit()
    right = credit.y[credit.X["age"] < 25].mean()
    assert ex.check_young_rate(right)
    assert not ex.check_young_rate(right + 0.05)
    assert ex.check_threshold(1 / 6)
    assert not ex.check_threshold(0.5)
    assert ex.check_immutable_protected("personal_status_sex")
    assert not ex.check_immutable_protected("age")

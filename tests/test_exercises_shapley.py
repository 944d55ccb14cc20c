"""Checkers of chapter 5's exercises: right answers pass, wrong ones get a hint; the toy game by hand."""

import numpy as np
import pytest

from xaibook.exercises import shapley as ex
from xaibook.shapley import exact_shapley


def test_toy_game_matches_the_hand_computation():
    result = exact_shapley(ex.toy_score, ex.toy_applicant(), ex.toy_reference())
    # by hand: duration 0.20 + half of the 0.30 interaction, amount 0.10, account the other half
    np.testing.assert_allclose(result.values[0], [0.35, 0.10, 0.15], atol=1e-12)
    assert result.base_value == pytest.approx(0.10) and result.prediction[0] == pytest.approx(0.70)


def test_toy_value_checker():
    answer = ex.toy_value_two_references()
    # by hand: with the second reference the account already is "< 0 DM", so only the first
    # reference's half of the interaction counts: (0.15 + 0) / 2
    assert answer == pytest.approx(0.075)
    assert ex.check_toy_value(answer)
    wrong = ex.check_toy_value(0.15)
    assert not wrong and "average" in str(wrong)


def test_patient_checker():
    values = ex.patient_values()
    top = values.abs().idxmax()
    assert ex.check_patient_top_feature(top)
    assert not ex.check_patient_top_feature(values.abs().idxmin())


def test_base_value_checker():
    base = ex.approved_base_value()
    assert 0 < base < 0.3                      # approved applicants get low predicted risk
    assert ex.check_approved_base_value(base)
    assert not ex.check_approved_base_value(base + 0.05)


def test_global_ranking_checker():
    ranking = ex.global_ranking()
    assert len(ranking) == 3 and len(set(ranking)) == 3
    assert ex.check_global_ranking(ranking)
    assert not ex.check_global_ranking(ranking[::-1])

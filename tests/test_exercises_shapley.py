"""Checkers of chapter 5's exercises: right answers pass, wrong ones get a hint; the toy game by hand."""

import numpy as np
import pytest

from xaibook import data, models
from xaibook.exercises import shapley as ex
from xaibook.predict import prediction_function
from xaibook.shapley import exact_shapley, tree_shap


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
    # efficiency: base value + the Shapley values = the prediction, for the same background
    credit = data.load_credit()
    background = credit.X_train[credit.y_train == 0].sample(50, random_state=0)
    f = prediction_function(models.get_model("credit", "boosting"))
    shap_values = tree_shap(models.get_model("credit", "boosting"), credit.X_test.iloc[:3], background)
    assert base == pytest.approx(shap_values.base_value, abs=1e-9)
    assert base < f(credit.X_train).mean()     # approved applicants get lower predicted risk
    assert ex.check_approved_base_value(base)
    assert not ex.check_approved_base_value(base + 0.05)


def test_global_ranking_checker():
    ranking = ex.global_ranking()
    assert len(ranking) == 3 and len(set(ranking)) == 3
    assert ex.check_global_ranking(ranking)
    assert not ex.check_global_ranking(ranking[::-1])


def test_healthy_gain_checker():
    heart = data.load_heart()
    f = prediction_function(models.get_model("heart", "boosting"))
    healthy = heart.X_train[heart.y_train == 0].sample(ex.BACKGROUND_SIZE, random_state=0)
    shift = ex.healthy_background_shift()
    # efficiency: the values sum to f(x) - base value, so their total shift is the fall in base value
    fall = f(heart.X_train.sample(ex.BACKGROUND_SIZE, random_state=0)).mean() - f(healthy).mean()
    assert shift.sum() == pytest.approx(fall, abs=1e-9)
    assert fall > 0.05
    assert ex.check_healthy_gain(shift.idxmax())
    wrong = ex.check_healthy_gain(shift.idxmin())
    assert not wrong and "y_train == 0" in str(wrong)

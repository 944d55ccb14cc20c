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


def test_sick_background_checker():
    heart = data.load_heart()
    patient = heart.X.loc[[models.featured_person("heart")]]
    f = prediction_function(models.get_model("heart", "boosting"))
    sick = heart.X_train[heart.y_train == 1].sample(ex.BACKGROUND_SIZE, random_state=0)
    values = ex.sick_background_values()
    # efficiency against the sick background: the values add up to f(x) minus the sick patients' mean
    assert values.sum() == pytest.approx(f(patient)[0] - f(sick).mean(), abs=1e-9)
    assert values.sum() < 0                  # this patient looks less at risk than typical sick patients
    top = values.abs().idxmax()
    assert ex.check_sick_top_feature(top)
    wrong = ex.check_sick_top_feature(ex.patient_values().abs().idxmax())   # the usual top feature
    assert not wrong and "y_train == 1" in str(wrong)


def test_copy_checker_by_hand():
    values = ex.toy_copy_values()
    # by hand: the account collects the 0.30 interaction when at least one of the two duration
    # copies joined before it, in 2 of the 3 orders of {account, copy, copy}; the copies are
    # symmetric and share the rest of the long loan's 0.20 + 0.30 / 3
    assert values["checking_account"] == pytest.approx(0.30 * 2 / 3, abs=1e-12)
    assert values["duration_months"] == pytest.approx(values["duration_copy"], abs=1e-12)
    assert values["duration_months"] + values["duration_copy"] == pytest.approx(0.20 + 0.30 / 3, abs=1e-12)
    assert values["credit_amount"] == pytest.approx(0.10, abs=1e-12)
    grouped = ex.toy_copy_values(grouped=True)
    # grouped, the pair plays as the single duration of the three-feature game: 0.35 split in two
    assert grouped["checking_account"] == pytest.approx(0.15, abs=1e-12)
    assert grouped["duration_months"] == pytest.approx(0.175, abs=1e-12)
    assert ex.check_copy_account(0.2)
    wrong = ex.check_copy_account(0.15)
    assert not wrong and "orders" in str(wrong)


def test_report_diagnosis_checker():
    assert ex.check_report_diagnosis("b") and ex.check_report_diagnosis(" B ")
    for letter in "acd":
        wrong = ex.check_report_diagnosis(letter)
        assert not wrong and "cannot explain it" in str(wrong) and "Hint" in str(wrong)
    assert not ex.check_report_diagnosis("e") and not ex.check_report_diagnosis(2)
    # the premise of the exercise: log-odds values do not add up to the probability gap
    values = ex.patient_values(scale="log-odds")
    probability = ex.patient_values()
    assert abs(values.sum() - probability.sum()) > 0.5

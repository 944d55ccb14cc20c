"""Checkers of chapter 3's exercises: right answers pass, wrong ones get a hint."""

import pytest

from xaibook.exercises import importance as ex


@pytest.fixture(scope="module")
def answers():
    return {
        "thal": ex.feature_importance(),
        "top": ex.top_features(),
        "group": ex.exercise_test_importance(),
        "gaps": ex.overfit_gaps(),
    }


def test_feature_importance_checker(answers):
    assert 0 < answers["thal"] < 0.5
    assert ex.check_feature_importance(answers["thal"])
    wrong = ex.check_feature_importance(answers["thal"] + 0.01)
    assert not wrong and "n_repeats=10" in str(wrong)


def test_top_features_checker(answers):
    top = answers["top"]
    assert len(top) == 3 and len(set(top)) == 3
    assert ex.check_top_features(top)
    assert ex.check_top_features(top + ["age"])
    assert not ex.check_top_features(top[::-1])


def test_grouped_checker(answers):
    group = answers["group"]
    assert set(group) == {"grouped", "sum of singles"}
    assert ex.check_exercise_test_importance(group["grouped"])
    assert not ex.check_exercise_test_importance(group["grouped"] + 0.01)


def test_largest_gap_checker(answers):
    gaps = answers["gaps"]
    best = max(gaps, key=gaps.get)
    assert ex.check_largest_gap(best)
    other = min(gaps, key=gaps.get)
    verdict = ex.check_largest_gap(other)
    assert not verdict and "train_test_importance" in str(verdict)

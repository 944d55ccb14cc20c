"""Checkers of chapter 3's exercises: right answers pass, wrong ones get a hint."""

import pytest
from sklearn.inspection import permutation_importance as sklearn_permutation_importance

from xaibook import data, models
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
    # the expected answer is scikit-learn's own permutation importance (equal bit for bit)
    heart = data.load_heart()
    model = models.get_model("heart", "logistic")
    reference = sklearn_permutation_importance(model, heart.X_test, heart.y_test, scoring="roc_auc",
                                               n_repeats=10, random_state=0)
    thal = list(heart.X_test.columns).index("thal")
    assert answers["thal"] == reference.importances_mean[thal]
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


def test_metric_leader_checker():
    rankings = ex.metric_rankings()
    heart = data.load_heart()
    model = models.get_model("heart", "boosting")
    reference = sklearn_permutation_importance(model, heart.X_test, heart.y_test, scoring="accuracy",
                                               n_repeats=10, random_state=0)
    leader = heart.X_test.columns[reference.importances_mean.argmax()]
    assert rankings["accuracy"][0] == leader
    assert ex.check_metric_leader(leader)
    # the exercise is only worth asking because the metric changes the answer
    assert rankings["roc_auc"][0] != leader
    wrong = ex.check_metric_leader(rankings["roc_auc"][0])
    assert not wrong and "scoring='accuracy'" in str(wrong)

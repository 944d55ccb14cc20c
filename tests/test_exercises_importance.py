"""Checkers of chapter 3's exercises: right answers pass, wrong ones get a hint."""

import inspect
import re

import numpy as np
import pytest
from conftest import REPO
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


def test_reliable_features_checker(monkeypatch):
    """The answer's logic on a 12-resample bootstrap (the chapter's build asserts that the
    50-resample answer, from its own bootstrap cell, passes the checker): a quarter of the cost.
    Issue 25 item 18: a handful of resamples cannot place a 2.5% tail, so features whose lower end
    rests on one or two resamples are undecided, and accepted listed or not."""
    from math import comb

    from xaibook.importance import bootstrap_permutation_importance

    credit = data.load_credit()
    model = models.get_model("credit", "boosting")
    # independent: the bootstrap recomputed here, the counts and the binomial read by hand
    boot = bootstrap_permutation_importance(model, credit.X_test, credit.y_test, scoring="roc_auc",
                                            n_bootstrap=12, n_repeats=5, random_state=0)
    n = boot.importances.shape[1]
    below = (boot.importances <= 0).sum(axis=1)
    cdf = np.cumsum([comb(n, k) * 0.025 ** k * 0.975 ** (n - k) for k in range(n + 1)])
    chance = int(np.argmax(cdf >= 0.95))
    assert chance == ex.chance_count(n) and ex.chance_count(50) == 3
    normal_low = boot.importances.mean(axis=1) - 1.96 * boot.importances.std(axis=1, ddof=1)
    names = np.array(boot.feature_names)
    relied = set(names[(below == 0) & (normal_low > 0)])
    not_shown = set(names[below > chance])
    undecided = set(names) - relied - not_shown
    answer = ex.reliable_features(n_bootstrap=12)
    assert set(answer) == relied and 0 < len(answer) < len(names)
    assert set(ex.undecided_features(n_bootstrap=12)) == undecided
    # the checker, with that bootstrap's answers as the expected ones
    monkeypatch.setattr(ex, "_reliable_features", lambda *args: (tuple(answer), tuple(undecided)))
    assert ex.check_reliable_features(answer)
    assert ex.check_reliable_features(answer[::-1])            # order does not matter
    assert ex.check_reliable_features(list(answer) + sorted(undecided))   # undecided: either way
    # the tempting wrong answer: a feature high in the spread chart (shuffles only) whose
    # bootstrap interval certainly reaches zero
    shuffles = sklearn_permutation_importance(model, credit.X_test, credit.y_test, scoring="roc_auc",
                                              n_repeats=10, random_state=0)
    by_shuffles = [f for f in credit.X_test.columns[np.argsort(-shuffles.importances_mean)] if f in not_shown]
    wrong = ex.check_reliable_features(list(answer) + by_shuffles[:1])
    assert not wrong and "reaches zero" in str(wrong) and "bootstrap" in str(wrong)
    missing = ex.check_reliable_features(answer[:1] if len(answer) > 1 else [])
    assert not missing and "missing" in str(missing)
    assert not ex.check_reliable_features(answer[0])          # a string is not a list


def test_reliable_features_checker_uses_the_chapters_bootstrap_settings():
    """The chapter glues its answer from its own bootstrap (50 resamples); the checker must compute
    the same one, so a reader who copies the chapter's numbers gets a "right"."""
    source = (REPO / "book" / "03_permutation_importance.md").read_text()
    call = re.search(r"boot_result = bootstrap_permutation_importance\((.*?)\)\n", source, re.S)
    assert call, "the chapter's bootstrap cell changed: update this test and the checker together"
    settings = dict(re.findall(r"(\w+)=([\w\"]+)", call.group(1)))
    defaults = inspect.signature(ex.reliable_features).parameters
    assert settings["n_bootstrap"] == str(defaults["n_bootstrap"].default)
    assert settings["random_state"] == str(defaults["random_state"].default)
    assert settings["scoring"] == '"roc_auc"' and "boosting" in call.group(1)
    checker_source = inspect.getsource(ex._bootstrap)
    assert f"n_repeats={settings['n_repeats']}" in checker_source and '"roc_auc"' in checker_source


def test_reuse_bootstrap_verifies_and_is_then_used_by_the_checker(monkeypatch):
    """The chapter hands its bootstrap to the checker instead of computing it twice: accepted only
    when its first resamples equal the checker's own bit for bit; then the checker's answer is
    the one the checker would have computed."""
    from xaibook.importance import bootstrap_permutation_importance

    credit = data.load_credit()
    model = models.get_model("credit", "boosting")
    settings = dict(scoring="roc_auc", n_bootstrap=3, n_repeats=5)
    boot = bootstrap_permutation_importance(model, credit.X_test, credit.y_test, random_state=0,
                                            **settings)
    expected = ex._reliable_features.__wrapped__("credit", "boosting", 3, 0)   # computed anew
    other_seed = bootstrap_permutation_importance(model, credit.X_test, credit.y_test,
                                                  random_state=1, **settings)
    with pytest.raises(ValueError, match="not the bootstrap"):
        ex.reuse_bootstrap(other_seed)
    with pytest.raises(TypeError, match="BootstrapImportance"):
        ex.reuse_bootstrap(boot.importances)
    try:
        ex.reuse_bootstrap(boot)
        monkeypatch.setattr(ex, "_bootstrap", lambda *args: pytest.fail("recomputed"))
        assert ex._reliable_features("credit", "boosting", 3, 0) == expected
    finally:
        ex._KNOWN_BOOTSTRAPS.clear()
        ex._reliable_features.cache_clear()


def test_gap_kind_checker(answers):
    gaps = answers["gaps"]
    feature = max(gaps, key=gaps.get)
    n_values = data.load_heart().X[feature].nunique()
    right = "many" if n_values > ex.MANY_VALUES else "few"
    assert ex.gap_kind() == right
    assert ex.check_gap_kind(right)
    wrong = ex.check_gap_kind("few" if right == "many" else "many")
    assert not wrong and "Hint" in str(wrong)
    invalid = ex.check_gap_kind("continuous")
    assert not invalid and "'many' or 'few'" in str(invalid)

"""Chapter 2 checkers: right answers pass, wrong ones get a hint, expected values are derived."""

import math

import pytest

from xaibook import data, glassbox, models
from xaibook.exercises import glassbox as basics


def test_duration_odds_factor_and_checker():
    expected = basics.duration_odds_factor(12)
    ds = data.load_credit()
    model = models.get_model("credit", "logistic")
    sd = ds.X_train["duration_months"].std(ddof=0)
    coef = model[-1].coef_[0][list(glassbox.transformed_features(model)["feature"]).index("duration_months")]
    assert expected == pytest.approx(math.exp(12 * coef / sd), rel=1e-12)
    assert basics.check_duration_odds(expected)
    wrong = basics.check_duration_odds(math.exp(coef / sd))  # one month, not twelve
    assert not wrong and "per standard deviation" in str(wrong)


def test_heart_root_checker():
    root = basics.heart_tree_root_feature()
    assert root in data.load_heart().X.columns
    assert basics.check_heart_root(root)
    assert not basics.check_heart_root("age" if root != "age" else "sex")


def test_lowest_whatif_probability():
    spec = basics.whatif()
    lowest = basics.lowest_whatif_probability()
    assert lowest <= spec.probability
    corners = [spec.probability_at({f: spec.ranges[f][i] for f in spec.features}) for i in (0, 1)]
    assert lowest <= min(corners) + 1e-12
    assert basics.check_lowest_whatif(lowest) and not basics.check_lowest_whatif(spec.probability + 0.1)


def test_heart_ranking_and_auc_gap():
    ranking = basics.heart_local_ranking()
    assert len(ranking) == data.load_heart().X.shape[1]
    assert basics.check_heart_local_top3(ranking[:3])
    assert not basics.check_heart_local_top3(list(reversed(ranking))[:3])
    gap = basics.heart_auc_gap()
    assert -1 < gap < 1
    assert basics.check_heart_auc_gap(gap) and not basics.check_heart_auc_gap(gap + 0.05)

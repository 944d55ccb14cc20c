"""Checkers of chapter 4's exercises: right answers pass, wrong ones get a hint."""

import numpy as np
import pytest

from xaibook import data, models
from xaibook.exercises import dependence as ex


@pytest.fixture(scope="module")
def answers():
    return {
        "pdp": ex.pdp_value("age", 30),
        "spread": ex.heterogeneity_by_feature(),
        "gap": ex.extrapolation_gap(),
        "h": ex.interaction_strengths(),
    }


def test_pdp_value_checker(answers):
    # by hand: everyone's age set to 30, then the mean predicted probability
    credit = data.load_credit()
    model = models.get_model("credit", "boosting")
    at_30 = model.predict_proba(credit.X.assign(age=np.full(len(credit.X), 30, dtype=credit.X["age"].dtype)))
    assert answers["pdp"] == pytest.approx(at_30[:, 1].mean(), abs=1e-12)
    assert ex.check_pdp_value(answers["pdp"])
    wrong = ex.check_pdp_value(answers["pdp"] + 0.05)
    assert not wrong and "grid=[30]" in str(wrong)


def test_heterogeneity_checker(answers):
    spread = answers["spread"]
    assert set(spread) >= {"duration_months", "credit_amount", "age"}
    assert all(v >= 0 for v in spread.values())
    best = max(spread, key=spread.get)
    assert ex.check_most_heterogeneous(best)
    other = min(spread, key=spread.get)
    assert not ex.check_most_heterogeneous(other)


def test_extrapolation_gap_checker(answers):
    gap = answers["gap"]
    assert np.isfinite(gap) and gap > 0.05  # the MLP's PDP extrapolates upwards at 72 months
    assert ex.check_extrapolation_gap(gap)
    assert not ex.check_extrapolation_gap(gap - 0.1)


def test_interaction_checker(answers):
    strengths = answers["h"]
    assert set(strengths) == set(ex.INTERACTION_PAIRS)
    best = max(strengths, key=strengths.get)
    assert ex.check_strongest_interaction(best)
    assert ex.check_strongest_interaction(tuple(reversed(best)))  # order does not matter
    weakest = min(strengths, key=strengths.get)
    assert not ex.check_strongest_interaction(weakest)
    assert "tuple" in str(ex.check_strongest_interaction(7))


def test_additive_model_checker():
    spread = ex.spread_by_model()
    answer = ex.additive_model()
    # the answer is additive on the log-odds scale only: its curves still fan out in probability
    assert spread[answer]["log-odds"] < 1e-9 < 0.01 < spread[answer]["probability"]
    assert all(by_scale["log-odds"] > 0.01 for name, by_scale in spread.items() if name != answer)
    assert ex.check_additive_model(answer)
    other = next(name for name in spread if name != answer)
    wrong = ex.check_additive_model(other)
    assert not wrong and "log-odds" in str(wrong)

"""Checkers of chapter 4's exercises: right answers pass, wrong ones get a hint."""

import numpy as np
import pytest

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
    assert 0 < answers["pdp"] < 1
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

"""Checkers of chapter 7's exercises: right answers pass, wrong ones get a hint; costs by hand."""

import numpy as np
import pytest

from xaibook import data, models
from xaibook.counterfactual import actionable_features, counterfactuals, mad_scales
from xaibook.exercises import counterfactual as ex


def test_candidate_cost_by_hand():
    credit = data.load_credit()
    x, candidate = ex.applicant(), ex.shorter_smaller_loan()
    mad = mad_scales(credit.X_train)
    by_hand = sum(abs(int(candidate[f].iloc[0]) - int(x[f].iloc[0])) / mad[f]
                  for f in ("duration_months", "credit_amount"))
    assert ex.candidate_cost() == pytest.approx(by_hand)
    assert ex.check_candidate_cost(by_hand)
    wrong = ex.check_candidate_cost(by_hand + 1)
    assert not wrong and "median absolute deviation" in str(wrong)


def test_candidate_validity_checker():
    approved = bool(models.get_model("credit", "boosting").predict(ex.shorter_smaller_loan())[0] == 0)
    assert ex.check_candidate_valid(approved)
    assert not ex.check_candidate_valid(not approved)


def test_numeric_recourse_checker_agrees_with_the_search():
    credit = data.load_credit()
    model = models.get_model("credit", "logistic")
    numeric = [f for f in actionable_features(credit) if f in credit.numeric_features]
    found = counterfactuals(model, ex.applicant(), credit.X_train, features_to_vary=numeric, n_counterfactuals=1)
    exists = bool(np.isfinite(ex.numeric_optimum()))
    assert exists == (len(found) > 0)
    assert ex.check_numeric_recourse(exists)
    assert not ex.check_numeric_recourse(not exists)


def test_actionable_optimum_checker_agrees_with_the_search():
    credit = data.load_credit()
    best = ex.actionable_optimum()
    found = counterfactuals(models.get_model("credit", "logistic"), ex.applicant(), credit.X_train,
                            features_to_vary=actionable_features(credit), n_counterfactuals=1)
    assert np.isfinite(best) and best <= found.cost[0] < 1.02 * best
    assert ex.check_actionable_optimum(found.cost[0])
    assert not ex.check_actionable_optimum(best * 1.5)


def test_costlier_group_checker():
    table = ex.recourse_by_age()
    assert set(table["age group"]) <= {f"under {ex.YOUNG_AGE}", f"{ex.YOUNG_AGE} or older"}
    means = table.groupby("age group")["recourse cost"].mean()
    assert ex.check_costlier_group(means.idxmax())
    assert not ex.check_costlier_group(means.idxmin())


def test_gap_interval_and_verdict_checkers():
    gap, low, high = ex.gap_interval()
    assert low < gap < high
    table = ex.recourse_by_age().dropna()
    means = table.groupby("age group")["recourse cost"].mean()
    assert gap == pytest.approx(means[f"under {ex.YOUNG_AGE}"] - means[f"{ex.YOUNG_AGE} or older"])
    assert ex.check_gap_interval(low, high) and not ex.check_gap_interval(low + 0.2, high)
    verdict = ex.gap_verdict()
    assert verdict == ("no clear difference" if low <= 0 <= high else verdict)
    assert ex.check_gap_verdict(verdict)
    assert not ex.check_gap_verdict(next(v for v in ex.VERDICTS if v != verdict))
    assert not ex.check_gap_verdict("maybe")

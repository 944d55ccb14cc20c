"""Checkers of chapters 8 and 9: right answers pass, wrong ones get a hint; toy cases by hand."""

import pytest

from xaibook import agreement
from xaibook.exercises import failures as ex


def test_toy_rank_agreement_by_hand():
    a, b = ex.toy_explanations()
    # a's top three: duration, amount, account; b's: duration, account, savings -> only duration
    # keeps its position
    assert agreement.ranking(a)[:3] == ["duration", "amount", "account"]
    assert agreement.ranking(b)[:3] == ["duration", "account", "savings"]
    assert ex.toy_rank_agreement() == pytest.approx(1 / 3)
    assert agreement.feature_agreement(a, b, k=3) == pytest.approx(2 / 3)
    assert ex.check_rank_agreement(1 / 3)
    wrong = ex.check_rank_agreement(2 / 3)
    assert not wrong and "same position" in str(wrong)


def test_refits_checker():
    answer = ex.refits_below_half()
    assert 0 <= answer <= ex.N_REFITS
    assert ex.check_refits_below_half(answer)
    assert not ex.check_refits_below_half(answer + 1)


def test_shap_sanity_checker():
    answer = ex.shap_sanity_correlation()
    assert -1 <= answer <= 1
    assert ex.check_shap_sanity(answer)
    assert not ex.check_shap_sanity(answer - 0.2)


def test_chapter_9_checkers():
    least = ex.least_robust_methods()
    assert set(least) <= {"KernelSHAP", "TreeSHAP", "LIME", "permutation importance", "Counterfactuals"}
    assert all(ex.check_least_robust(m) for m in least)
    assert not ex.check_least_robust("nonsense")
    count = ex.heart_top_agreement()
    assert 1 <= count <= 6                     # KernelSHAP always agrees with itself
    assert ex.check_heart_top_agreement(count)
    assert not ex.check_heart_top_agreement(count + 1)


def test_settings_are_consistent():
    assert list(ex.KERNEL_WIDTHS) == sorted(ex.KERNEL_WIDTHS) and min(ex.KERNEL_WIDTHS) > 0
    assert list(ex.SHAP_THRESHOLDS) == sorted(ex.SHAP_THRESHOLDS)
    assert all(0 < t < 1 for t in ex.SHAP_THRESHOLDS + (ex.LIME_THRESHOLD,))

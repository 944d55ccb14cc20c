"""Model evaluation (xaibook.evaluation): the paired AUC difference and the calibration error."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from xaibook import evaluation as ev


@pytest.fixture(scope="module")
def scores():
    """Labels, a sharp score and a coarse score with many ties (like a shallow tree's)."""
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 400)
    sharp = y + rng.normal(0, 0.8, len(y))
    coarse = np.round(y + rng.normal(0, 1.2, len(y)))
    return y, sharp, coarse


def test_paired_auc_difference_matches_sklearn(scores):
    y, pa, pb = scores
    result = ev.paired_auc_difference(y, pa, pb, n_bootstrap=300)
    assert result.auc_a == pytest.approx(roc_auc_score(y, pa), abs=1e-12)
    assert result.auc_b == pytest.approx(roc_auc_score(y, pb), abs=1e-12)
    assert result.ci_low < result.difference < result.ci_high
    idx = np.random.RandomState(0).randint(0, len(y), len(y))
    assert ev._rank_auc(y[idx][None].astype(float), pb[idx][None])[0] == pytest.approx(
        roc_auc_score(y[idx], pb[idx]), abs=1e-12)
    same = ev.paired_auc_difference(y, pa, pa, n_bootstrap=50)
    assert same.difference == 0 and same.ci_low == 0 == same.ci_high
    assert list(result.to_frame().columns)[:3] == ["auc_a", "auc_b", "difference"]


def test_paired_auc_difference_detects_a_real_gap_and_not_a_null_one(scores):
    y, sharp, coarse = scores
    gap = ev.paired_auc_difference(y, sharp, coarse, n_bootstrap=500)
    assert gap.difference > 0.05 and gap.ci_low > 0  # the sharper score is reliably better
    rng = np.random.RandomState(3)
    a, b = y + rng.normal(0, 1, len(y)), y + rng.normal(0, 1, len(y))  # two equally good scores
    null = ev.paired_auc_difference(y, a, b, n_bootstrap=500)
    assert null.ci_low < 0 < null.ci_high


def test_paired_auc_difference_accepts_every_kind_of_random_state(scores):
    y, pa, pb = scores
    by_int = ev.paired_auc_difference(y, pa, pb, n_bootstrap=100, random_state=4)
    by_legacy = ev.paired_auc_difference(y, pa, pb, n_bootstrap=100,
                                         random_state=np.random.RandomState(4))
    assert (by_int.ci_low, by_int.ci_high) == (by_legacy.ci_low, by_legacy.ci_high)
    by_generator = ev.paired_auc_difference(y, pa, pb, n_bootstrap=100,
                                            random_state=np.random.default_rng(4))
    assert by_generator.ci_low < by_generator.difference < by_generator.ci_high


def test_paired_auc_difference_bad_inputs(scores):
    y, pa, pb = scores
    with pytest.raises(ValueError, match="equal length"):
        ev.paired_auc_difference(y, pa[:-1], pb)
    with pytest.raises(ValueError, match="exactly two classes"):
        ev.paired_auc_difference(np.zeros(len(y)), pa, pb)
    with pytest.raises(ValueError, match="n_bootstrap must be at least 10"):
        ev.paired_auc_difference(y, pa, pb, n_bootstrap=5)
    with pytest.raises(ValueError, match="random_state=None"):
        ev.paired_auc_difference(y, pa, pb, random_state=None)


def test_calibration_error_known_values():
    y = np.array([0, 1, 0, 1])
    assert ev.expected_calibration_error(y, np.full(4, 0.5)) == 0.0
    assert ev.expected_calibration_error(np.ones(3), np.zeros(3)) == 1.0
    # two bins: 0.2 predicted where half are positive, 0.9 where all are: (2 * 0.3 + 2 * 0.1) / 4
    assert ev.expected_calibration_error([0, 1, 1, 1], [0.2, 0.2, 0.9, 0.9], bins=2) == pytest.approx(0.2)

"""Chapter 1's computations (xaibook.overview): outcome rates with Wilson intervals, histograms."""

from __future__ import annotations

import numpy as np
import pytest

from xaibook import data, overview


def test_outcome_rates_match_a_direct_count():
    credit = data.load_credit()
    rates = overview.outcome_rates(credit, "housing")
    for _, row in rates.iterrows():
        mask = credit.X["housing"] == row["group"]
        assert row["n"] == mask.sum()
        assert row["rate"] == pytest.approx(credit.y[mask].mean())
        assert row["low"] <= row["rate"] <= row["high"]
    assert rates["n"].sum() == len(credit.X)


def test_wilson_interval_known_value():
    # the interval is centred on (p + z^2/2n) / (1 + z^2/n), not on p (Wilson 1927)
    heart = data.load_heart()
    rates = overview.outcome_rates(heart, "age", bins=[0, 200])
    n, k = len(heart.y), heart.y.sum()
    z = 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    assert rates["low"].iloc[0] < p < rates["high"].iloc[0]
    assert (rates["low"].iloc[0] + rates["high"].iloc[0]) / 2 == pytest.approx(centre)


def test_wilson_interval_textbook_examples():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 and 0/20
    low, high = overview.wilson_interval([81, 0], [263, 20])
    np.testing.assert_allclose(low, [0.2553, 0.0], atol=1e-4)
    np.testing.assert_allclose(high, [0.3662, 0.1611], atol=1e-4)


def test_numeric_feature_needs_bins_and_unknown_feature_is_named():
    credit = data.load_credit()
    with pytest.raises(ValueError, match="numeric; pass bins"):
        overview.outcome_rates(credit, "age")
    with pytest.raises(ValueError, match="unknown feature"):
        overview.outcome_rates(credit, "income")


def test_outcome_histograms_count_every_person_once_per_feature():
    heart = data.load_heart()
    counts = overview.outcome_histograms(heart, bins=20)
    per_feature = counts.groupby("feature")["count"].sum()
    assert set(per_feature.index) == set(heart.numeric_features)
    assert (per_feature == len(heart.y)).all()
    by_outcome = counts.groupby(["feature", "outcome"])["count"].sum().unstack()
    np.testing.assert_array_equal(by_outcome[heart.positive_label], int(heart.y.sum()))
    with pytest.raises(ValueError, match="bins"):
        overview.outcome_histograms(heart, bins=0)

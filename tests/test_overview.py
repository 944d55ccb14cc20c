"""Chapter 1's computations: outcome rates with Wilson intervals, charts and exercise checkers."""

from __future__ import annotations

import numpy as np
import pytest

from xaibook import data
from xaibook.charts import overview
from xaibook.exercises import overview as why_explain
from xaibook.notebook import plain


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


def test_numeric_feature_needs_bins_and_unknown_feature_is_named():
    credit = data.load_credit()
    with pytest.raises(ValueError, match="numeric; pass bins"):
        overview.outcome_rates(credit, "age")
    with pytest.raises(ValueError, match="unknown feature"):
        overview.outcome_rates(credit, "income")


def test_distribution_chart_is_small_and_described():
    chart = overview.distributions_by_outcome(data.load_credit())
    spec = chart.to_dict()
    assert spec["description"] and spec["title"]
    rows = list(spec["datasets"].values())[0]
    assert len(rows) < 500


def test_checkers_accept_right_and_reject_wrong_answers():
    credit = data.load_credit()
    right = credit.y[credit.X["age"] < 25].mean()
    assert why_explain.check_young_rate(right)
    assert not why_explain.check_young_rate(right + 0.05)
    assert why_explain.check_threshold(1 / 6)
    assert not why_explain.check_threshold(0.5)
    assert why_explain.check_immutable_protected("personal_status_sex")
    assert not why_explain.check_immutable_protected("age")


def test_plain_turns_numpy_scalars_into_python_numbers():
    assert type(plain(np.float64(0.5))) is float and type(plain(np.int64(3))) is int
    assert plain("text") == "text"

"""Chapter 1's charts (xaibook.charts.overview)."""

from __future__ import annotations

from xaibook import data, overview
from xaibook.charts import overview as charts


def test_distribution_chart_is_small_and_described():
    chart = charts.distribution_chart(data.load_credit())
    spec = chart.to_dict()
    assert spec["description"] and spec["title"]
    rows = list(spec["datasets"].values())[0]
    assert len(rows) < 500


def test_outcome_rate_chart_draws_the_given_rates():
    credit = data.load_credit()
    rates = overview.outcome_rates(credit, "housing")
    spec = charts.outcome_rate_chart(rates, outcome="bad risk", overall=0.3, title="Rates",
                                     description="Rates by housing.").to_dict()
    assert spec["description"] == "Rates by housing."
    drawn = [row for rows in spec["datasets"].values() for row in rows if "group" in row]
    assert sorted(r["group"] for r in drawn) == sorted(rates["group"])

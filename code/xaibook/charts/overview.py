"""Charts that introduce a case study: distributions by outcome and outcome rates by group.

The numbers come from :mod:`xaibook.overview`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from xaibook._validation import check_number
from xaibook.charts._base import OUTCOME_COLORS, check_long_frame, describe
from xaibook.data import Dataset
from xaibook.overview import outcome_histograms

__all__ = ["outcome_rate_chart", "distribution_chart"]


def outcome_rate_chart(rates: pd.DataFrame, *, outcome: str, overall: float,
                       title: str, description: str) -> alt.LayerChart:
    """Dot-and-interval chart of outcome rates per group (:func:`xaibook.overview.outcome_rates`),
    with the overall rate as a rule."""
    rates = check_long_frame(rates, ["group", "n", "rate", "low", "high"], "rates", numbers=["n"],
                             share=["rate", "low", "high"], unique=["group"],
                             source="overview.outcome_rates(...)")  # the axis spans 0 to 1
    overall = check_number(overall, name="overall", low=0.0, high=1.0)
    if not ((rates["low"] <= rates["rate"]) & (rates["rate"] <= rates["high"])).all():
        raise ValueError("rates' intervals must hold their rate (low <= rate <= high); "
                         "pass overview.outcome_rates(...)")
    base = alt.Chart(rates.round(4)).encode(
        y=alt.Y("group:N", title=None, sort=None),
        tooltip=[alt.Tooltip("group:N", title="group"), alt.Tooltip("n:Q", title="people"),
                 alt.Tooltip("rate:Q", title=f"share {outcome}", format=".1%"),
                 alt.Tooltip("low:Q", title="95% interval from", format=".1%"),
                 alt.Tooltip("high:Q", title="95% interval to", format=".1%")],
    )
    interval = base.mark_rule(strokeWidth=2, color=OUTCOME_COLORS["bad"]).encode(
        x=alt.X("low:Q", title=f"share {outcome}", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        x2="high:Q")
    point = base.mark_circle(size=90, color=OUTCOME_COLORS["bad"], opacity=1).encode(x="rate:Q")
    label = base.mark_text(align="left", dx=8, dy=-9, fontSize=11).encode(
        x="rate:Q", text=alt.Text("n:Q", format=",d"))
    rule = alt.Chart(pd.DataFrame({"overall": [round(overall, 4)]})).mark_rule(
        strokeDash=[4, 4], color="#888888").encode(x="overall:Q")
    chart = (rule + interval + point + label).properties(width=380, height=alt.Step(34))
    return describe(chart, title=title, description=description,
                    subtitle="dot: share in the group; line: 95% Wilson interval; "
                             "number: people; dashed: everyone")


def distribution_chart(dataset: Dataset, *, bins: int = 20, title: str | None = None,
                       description: str | None = None) -> alt.LayerChart:
    """Histograms of every numeric feature split by outcome, with a dropdown to pick the feature
    (whose name is the x axis's title).

    The counts come from :func:`xaibook.overview.outcome_histograms` (one row per feature x bin x
    outcome), so the page carries a few hundred numbers, not the raw table.
    """
    frame = outcome_histograms(dataset, bins=bins)
    labels = (dataset.negative_label, dataset.positive_label)
    choice = alt.param(name="feature_choice", value=dataset.numeric_features[0],
                       bind=alt.binding_select(options=dataset.numeric_features, name="feature "))
    size = {"width": 420, "height": 240}
    bars = alt.Chart(frame).mark_bar(opacity=0.75, binSpacing=0).encode(
        x=alt.X("start:Q", title=None, bin="binned"),
        x2="end:Q",
        y=alt.Y("count:Q", title="people", stack=None),
        color=alt.Color("outcome:N", title="outcome",
                        scale=alt.Scale(domain=list(labels),
                                        range=[OUTCOME_COLORS["good"], OUTCOME_COLORS["bad"]]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("start:Q", title="from"),
                 alt.Tooltip("end:Q", title="to"), alt.Tooltip("outcome:N"),
                 alt.Tooltip("count:Q", title="people")],
    ).add_params(choice).transform_filter(alt.datum.feature == choice)
    # The x axis's title is the chosen feature's name (an axis title cannot follow a parameter, a
    # text mark can), in the axis title's place and style.
    name = alt.Chart(frame.iloc[:1]).mark_text(
        text=alt.expr("feature_choice"), fontWeight="bold", fontSize=12, baseline="top",
        x=alt.expr("width / 2"), y=alt.expr("height + 24"))
    chart = alt.layer(bars, name).properties(**size)
    return describe(
        chart, title=title or f"{dataset.name.capitalize()}: numeric features by outcome",
        description=description or (
            f"Overlaid histograms of one numeric feature of the {dataset.name} data, "
            "people with each outcome in their own colour; a dropdown picks the feature."),
        subtitle="pick a feature below the chart; bars of the two outcomes overlap")


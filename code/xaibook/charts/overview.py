"""Charts that introduce a case study: distributions by outcome and outcome rates by group."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import check_features
from xaibook.charts._base import OUTCOME_COLORS, describe
from xaibook.data import Dataset


def outcome_rates(dataset: Dataset, feature: str, *, bins: list[float] | None = None,
                  z: float = 1.96) -> pd.DataFrame:
    """Share of ``y = 1`` per group of ``feature`` with a Wilson score interval.

    A numeric feature is cut into ``bins`` (right-open intervals) first. The Wilson interval
    (Wilson 1927) stays inside [0, 1] and behaves for small groups, unlike the normal one.
    """
    check_features(feature, dataset.X)
    values = dataset.X[feature]
    if bins is not None:
        values = pd.cut(values, bins=bins, right=False).astype(str)
    elif feature in dataset.numeric_features:
        raise ValueError(f"{feature} is numeric; pass bins=[...] to group it")
    frame = pd.DataFrame({"group": values.to_numpy(), "y": dataset.y.to_numpy()})
    table = frame.groupby("group", sort=True)["y"].agg(n="size", positives="sum").reset_index()
    p = table["positives"] / table["n"]
    n = table["n"]
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return table.assign(rate=p, low=centre - half, high=centre + half, feature=feature)


def outcome_rate_chart(rates: pd.DataFrame, *, outcome: str, overall: float,
                       title: str, description: str) -> alt.Chart:
    """Dot-and-interval chart of outcome rates per group, with the overall rate as a rule."""
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


def distributions_by_outcome(dataset: Dataset, *, bins: int = 20) -> alt.Chart:
    """Histograms of every numeric feature split by outcome, with a dropdown to pick the feature.

    The data are binned in Python (one row per feature x bin x outcome) so the page carries a few
    hundred numbers, not the raw table.
    """
    rows = []
    labels = {0: dataset.negative_label, 1: dataset.positive_label}
    for feature in dataset.numeric_features:
        values = dataset.X[feature].to_numpy(dtype=float)
        distinct = np.unique(values)
        if len(distinct) <= bins:
            edges = np.r_[distinct - 0.5, distinct[-1] + 0.5]
        else:
            edges = np.histogram_bin_edges(values, bins=bins)
        for outcome in (0, 1):
            counts, _ = np.histogram(values[dataset.y.to_numpy() == outcome], bins=edges)
            for left, right, count in zip(edges[:-1], edges[1:], counts):
                rows.append({"feature": feature, "start": round(float(left), 3),
                             "end": round(float(right), 3), "outcome": labels[outcome],
                             "count": int(count)})
    frame = pd.DataFrame(rows)
    choice = alt.param(name="feature_choice", value=dataset.numeric_features[0],
                       bind=alt.binding_select(options=dataset.numeric_features, name="feature "))
    chart = alt.Chart(frame).mark_bar(opacity=0.75, binSpacing=0).encode(
        x=alt.X("start:Q", title="value of the chosen feature", bin="binned"),
        x2="end:Q",
        y=alt.Y("count:Q", title="people", stack=None),
        color=alt.Color("outcome:N", title="outcome",
                        scale=alt.Scale(domain=[labels[0], labels[1]],
                                        range=[OUTCOME_COLORS["good"], OUTCOME_COLORS["bad"]]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("start:Q", title="from"),
                 alt.Tooltip("end:Q", title="to"), alt.Tooltip("outcome:N"),
                 alt.Tooltip("count:Q", title="people")],
    ).add_params(choice).transform_filter(alt.datum.feature == choice).properties(width=420, height=240)
    return describe(
        chart, title=f"{dataset.name.capitalize()}: numeric features by outcome",
        description=(f"Overlaid histograms of one numeric feature of the {dataset.name} data, "
                     "people with each outcome in their own colour; a dropdown picks the feature."),
        subtitle="pick a feature below the chart; bars of the two outcomes overlap")

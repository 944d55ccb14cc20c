"""Charts for chapter 11 (*Is the explanation right?*).

:func:`perturbation_curves_chart`  deletion or insertion curves of several methods (mean over rows)
:func:`metric_interval_chart`      one metric per method: mean over seeds with the min-max range
:func:`roar_chart`                 remove-and-retrain test scores against the number of features removed

They only draw: every number comes from :mod:`xaibook.faithfulness`. Each chart fits a phone
column (about 360 px wide).
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from xaibook.charts._base import PALETTE, check_long_frame, check_result, describe, zero_rule
from xaibook.faithfulness import PerturbationCurve

__all__ = ["perturbation_curves_chart", "metric_interval_chart", "roar_chart"]

DIGITS = 4
WIDTH = 280


def perturbation_curves_chart(curves: Mapping[str, PerturbationCurve], *, title: str | None = None,
                              description: str | None = None, y_title: str = "mean output") -> alt.Chart:
    """Mean deletion (or insertion) curve of each method: output against the share of features
    replaced (deletion) or restored (insertion). All curves must be of one kind and one feature set."""
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a non-empty mapping {method: PerturbationCurve}")
    for name, curve in curves.items():
        check_result(curve, PerturbationCurve, name=f"curves[{name!r}]")
    kinds = {c.kind for c in curves.values()}
    features = {c.feature_names for c in curves.values()}
    if len(kinds) > 1 or len(features) > 1:
        raise ValueError(f"the curves differ in kind {sorted(kinds)} or features; pass curves of one kind and data")
    kind = kinds.pop()
    frame = pd.concat([pd.DataFrame({"method": name, "fraction": c.fractions, "output": c.scores.round(DIGITS)})
                       for name, c in curves.items()], ignore_index=True)
    order = list(curves)
    verb = "replaced by background values" if kind == "deletion" else "restored from the row"
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("fraction:Q", title=f"share of features {verb.split(' ')[0]}", axis=alt.Axis(format="%")),
        y=alt.Y("output:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("method:N", sort=order, scale=alt.Scale(range=list(PALETTE)), title=None,
                        legend=alt.Legend(orient="bottom", columns=2)),
        strokeDash=alt.StrokeDash("method:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("fraction:Q", format=".0%", title="share of features"),
                 alt.Tooltip("output:Q", format=".3f", title=y_title)],
    ).properties(width=WIDTH, height=220)
    good = "falls fastest" if kind == "deletion" else "rises fastest"
    return describe(
        chart, title=title or f"{kind.capitalize()} curves",
        description=description or (
            f"Line chart of the {y_title} against the share of features {verb}, in each method's order, "
            f"for {len(order)} methods ({', '.join(order)}); the most faithful order {good}."))


def metric_interval_chart(table: pd.DataFrame, *, metric: str, title: str | None = None,
                          description: str | None = None, x_title: str | None = None) -> alt.Chart:
    """One metric per method: a dot at the mean over seeds and a bar from the minimum to the maximum.

    ``table`` is :func:`xaibook.faithfulness.interval_table`'s frame (columns ``method``,
    ``metric``, ``mean``, ``min``, ``max``); methods are sorted by the mean, best first when
    ``metric`` is one where higher is better (``insertion_area``, ``rank_correlation``,
    ``top_k_recovery``), otherwise lowest first.
    """
    table = check_long_frame(table, ["method", "metric", "mean", "min", "max"], "table")
    if metric not in set(table["metric"]):
        raise ValueError(f"metric {metric!r} is not in the table; it has {sorted(set(table['metric']))}")
    shown = table[table["metric"] == metric][["method", "mean", "min", "max"]].copy()
    if shown["method"].duplicated().any():
        raise ValueError("the table has several rows per method for this metric; filter it first "
                         "(for example to one correlation and one model)")
    for column in ("mean", "min", "max"):
        shown[column] = shown[column].astype(float).round(DIGITS)
    higher = metric in ("insertion_area", "rank_correlation", "top_k_recovery")
    order = shown.sort_values("mean", ascending=not higher)["method"].tolist()
    label = x_title or metric.replace("_", " ")
    base = alt.Chart(shown).encode(y=alt.Y("method:N", sort=order, title=None))
    bars = base.mark_rule(strokeWidth=3, color=PALETTE[0], opacity=0.5).encode(x=alt.X("min:Q", title=label),
                                                                               x2="max:Q")
    dots = base.mark_circle(size=80, color=PALETTE[0], opacity=1).encode(
        x="mean:Q",
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("mean:Q", format=".3f", title=f"{label} (mean)"),
                 alt.Tooltip("min:Q", format=".3f", title="lowest seed"),
                 alt.Tooltip("max:Q", format=".3f", title="highest seed")])
    layers = [bars, dots]
    if shown["min"].min() < 0 < shown["max"].max():
        layers.insert(0, zero_rule("x"))
    chart = alt.layer(*layers).properties(width=WIDTH - 90, height=alt.Step(22))
    direction = "higher" if higher else "lower"
    return describe(
        chart, title=title or label.capitalize(),
        description=description or (
            f"Dot plot of the {label} of {len(order)} methods, mean over seeds with a bar from the lowest to "
            f"the highest seed, {direction} is better; best first: {', '.join(order[:3])}."))


def roar_chart(frame: pd.DataFrame, *, title: str | None = None, description: str | None = None) -> alt.Chart:
    """Remove-and-retrain: the refit's test score against the number of features removed, one line
    per method, one panel per correlation (:func:`xaibook.faithfulness.roar_study`'s frame)."""
    frame = check_long_frame(frame, ["correlation", "method", "n_removed", "score", "removed"], "frame")
    shown = frame[["correlation", "method", "n_removed", "score", "removed"]].copy()
    shown["score"] = shown["score"].astype(float).round(DIGITS)
    order = list(dict.fromkeys(shown["method"]))
    panels = sorted(shown["correlation"].unique())
    width = max(110, (WIDTH - 20 * len(panels)) // len(panels))
    chart = alt.Chart(shown).mark_line(point=True).encode(
        x=alt.X("n_removed:Q", title="features removed", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("score:Q", title="test ROC AUC of the refit", scale=alt.Scale(zero=False)),
        color=alt.Color("method:N", sort=order, scale=alt.Scale(range=list(PALETTE)), title=None,
                        legend=alt.Legend(orient="bottom", columns=2)),
        strokeDash=alt.StrokeDash("method:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("correlation:Q"), alt.Tooltip("n_removed:Q", title="removed"),
                 alt.Tooltip("removed:N", title="last feature removed"),
                 alt.Tooltip("score:Q", format=".3f", title="test ROC AUC")],
    ).properties(width=width, height=200).facet(
        column=alt.Column("correlation:O", title="correlation of the pairs", sort=panels))
    lowest = np.round(shown.groupby("method")["score"].min().min(), 2)
    return describe(
        chart, title=title or "Remove and retrain",
        description=description or (
            f"Line charts, one panel per correlation ({', '.join(str(p) for p in panels)}), of the refitted "
            f"model's test ROC AUC as the features each method ranks first are removed, for {len(order)} methods "
            f"({', '.join(order)}); a faithful ranking makes the score fall fastest (lowest score {lowest})."))

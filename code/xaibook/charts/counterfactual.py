"""Interactive charts for counterfactual explanations (:mod:`xaibook.counterfactual`).

``whatif_chart``     "what would have to change": a table of the counterfactuals' changed values;
                     click one to see its changes spelled out and its prediction next to the original's
``importance_chart`` how often counterfactuals change each feature, optionally next to mean |SHAP|
``recourse_chart``   the cost of recourse per person, by group, with each group's mean

The charts embed only the changed cells and a few numbers per counterfactual.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import check_number
from xaibook.charts._base import NARROW_WIDTH, OUTCOME_COLORS, PALETTE, click_on_mark, describe, with_narrow_layout
from xaibook.counterfactual import CounterfactualImportance, CounterfactualResult

__all__ = ["whatif_frame", "whatif_chart", "importance_chart", "recourse_chart"]

LABEL_LENGTH = 24


def _check(result) -> CounterfactualResult:
    if not isinstance(result, CounterfactualResult):
        raise TypeError(f"expected a CounterfactualResult (from xaibook.counterfactual), got {type(result).__name__}")
    return result


def _show(value) -> str:
    text = f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def whatif_frame(result: CounterfactualResult) -> pd.DataFrame:
    """Long format of the changed cells: ``option`` ("#1 (cost 0.18)"), ``feature``, ``original``,
    ``value``, ``cost``, ``prediction`` (of the desired class) and ``change`` ("a → b")."""
    _check(result)
    long = result.to_frame()
    long = long[long["changed"]].copy()
    long["option"] = [f"#{k} (cost {c:.2f})" for k, c in zip(long["counterfactual"], long["cost"])]
    long["original"] = long["original"].map(_show)
    long["value"] = long["value"].map(_show)
    long["change"] = long["original"] + " → " + long["value"]
    long[["cost", "prediction"]] = long[["cost", "prediction"]].astype(float).round(4)
    return long[["counterfactual", "option", "feature", "original", "value", "change", "cost", "prediction"]]


#: Width of a column of the counterfactual table, in pixels; a cell's text is cut to fit it.
CELL_STEP = 110
#: Row names' margin (pixels) of the what-if chart on a phone ("#1 (cost 0.74)" fits).
NARROW_MARGIN = 100


def _whatif_views(grid: pd.DataFrame, bars: pd.DataFrame, frame: pd.DataFrame, order: list, pick, probability: str,
                  threshold: float, *, margin: int, step: int, width: int) -> alt.VConcatChart:
    """The what-if chart's three views: ``margin`` pixels of row names, ``step`` per feature
    column, ``width`` for the bars and the list of changes."""
    # The three views share one left margin (minExtent = maxExtent), so the chart does not move
    # sideways when the list of changes below gets longer or shorter labels.
    left = {"labelLimit": margin - 10, "minExtent": margin, "maxExtent": margin}
    cells = alt.Chart(grid).encode(
        x=alt.X("feature:N", title=None, axis=alt.Axis(orient="top", labelAngle=-30, labelLimit=160)),
        y=alt.Y("option:N", sort=order, title=None, axis=alt.Axis(**left)))
    table = alt.layer(
        cells.mark_rect(stroke="#bbbbbb").encode(
            color=alt.condition(pick, alt.value(PALETTE[4]), alt.value("#dddddd")),
            opacity=alt.condition(alt.datum.value == "", alt.value(0.15), alt.value(0.55)),
            tooltip=[alt.Tooltip("option:N", title="counterfactual"), alt.Tooltip("feature:N"),
                     alt.Tooltip("change:N", title="original → new")]),
        cells.mark_text(fontSize=11, limit=step - 8).encode(text="value:N"),
    ).add_params(pick).properties(width=alt.Step(step), height=alt.Step(24))
    y_bars = alt.Y("option:N", sort=["original"] + order, title=None, axis=alt.Axis(**left))
    bar_chart = alt.Chart(bars).mark_bar(height={"band": 0.7}).encode(
        x=alt.X("prediction:Q", title=f"model's {probability}", scale=alt.Scale(domain=[0, 1])),
        y=y_bars,
        color=alt.condition(pick, alt.value(OUTCOME_COLORS["good"]), alt.value("#aaaaaa")),
        tooltip=[alt.Tooltip("option:N", title="row"), alt.Tooltip("prediction:Q", title=probability, format=".3f"),
                 alt.Tooltip("cost:Q", format=".3f")],
    )
    rule = alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(strokeDash=[4, 3], color="#888888").encode(
        x="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", title="decision threshold")])
    prediction = alt.layer(bar_chart, rule).properties(width=width, height=alt.Step(22))
    details = alt.Chart(frame).transform_filter(pick).mark_text(align="left", fontSize=12).encode(
        y=alt.Y("feature:N", title=None, axis=alt.Axis(**left)),
        text=alt.Text("change:N"),
    ).properties(width=width, height=alt.Step(20), title="the selected counterfactual changes")
    return alt.vconcat(table, prediction, details, spacing=14)


def whatif_chart(result: CounterfactualResult, *, threshold: float = 0.5, outcome: str | None = None,
                 title: str | None = None, description: str | None = None) -> alt.VConcatChart:
    """The "what would have to change" view of a :class:`CounterfactualResult`.

    Top: one row per counterfactual, one column per feature any of them changes, the new value in
    the cell (empty where the feature stays). Click a row to select that counterfactual: the bar
    chart below shows the probability of the desired class for the original and every
    counterfactual, with the selected one highlighted and the decision threshold drawn; the list at
    the bottom spells out its changes. A list under the chart picks a counterfactual from the
    keyboard (and follows the clicks). ``outcome`` names the desired class in the reader's words
    (``"repaying"`` gives "probability of repaying"); without it the axis says "class <label>".
    """
    _check(result)
    if len(result) == 0:
        raise ValueError("the result holds no counterfactual: nothing to draw (see result.message)")
    check_number(threshold, name="threshold", low=0, high=1, low_open=True, high_open=True)  # on the 0-1 axis
    frame = whatif_frame(result)
    options = frame.drop_duplicates("counterfactual")[["counterfactual", "option", "cost", "prediction"]]
    order = options["option"].tolist()
    desired = result.desired_class
    bars = pd.concat([pd.DataFrame({"counterfactual": [0], "option": ["original"], "cost": [0.0],
                                    "prediction": [round(result.original_prediction, 4)]}), options])
    probability = f"probability of {outcome}" if outcome else f"probability of class {desired}"
    picker = alt.binding_select(options=options["counterfactual"].tolist(), labels=order, name="Counterfactual: ")
    # Only a click on a cell changes the pick, so one counterfactual is always selected.
    pick = alt.selection_point(fields=["counterfactual"], value=[{"counterfactual": 1}], name="pick",
                               empty=False, on=click_on_mark("counterfactual"), clear=False, toggle=False,
                               bind=picker)
    # every (counterfactual, feature) cell gets a mark, so a click anywhere in a row selects it
    grid = options[["counterfactual", "option", "cost", "prediction"]].merge(
        pd.DataFrame({"feature": frame["feature"].unique()}), how="cross").merge(
        frame[["counterfactual", "feature", "value", "change"]], on=["counterfactual", "feature"], how="left")
    grid["value"] = grid["value"].fillna("")
    grid["change"] = grid["change"].fillna("unchanged")
    # on a phone: a narrower left margin and columns, so the values stay in their cells
    narrow_step = int(min(CELL_STEP, max(40, (NARROW_WIDTH - NARROW_MARGIN) // max(1, grid["feature"].nunique()))))
    chart = with_narrow_layout(
        _whatif_views(grid, bars, frame, order, pick, probability, threshold, margin=160, step=CELL_STEP, width=360),
        _whatif_views(grid, bars, frame, order, pick, probability, threshold, margin=NARROW_MARGIN, step=narrow_step,
                      width=NARROW_WIDTH - NARROW_MARGIN))
    first = options.iloc[0]
    n_features = frame["feature"].nunique()
    return describe(
        chart,
        title=title or "What would have to change?",
        subtitle=f"click a counterfactual or choose one in the list; the bars show the model's {probability}",
        description=description or (
            f"A table of {len(options)} counterfactuals (rows, cheapest first) and the {n_features} features "
            f"they change (columns), each cell showing the new value; below, horizontal bars of the model's "
            f"{probability} for the original ({result.original_prediction:.3f}) and each "
            f"counterfactual, with the decision threshold at {threshold}. The cheapest, {first['option']}, "
            f"reaches {first['prediction']:.3f}. Selecting a row lists its changes as original → new."),
    )


def importance_chart(importance: CounterfactualImportance, shap_importance: pd.Series | None = None, *,
                     top: int = 12, title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """Share of counterfactuals that change each feature (bars), optionally next to mean |SHAP|.

    ``shap_importance`` is a Series feature -> importance (e.g. mean |SHAP value|); both panels
    share the feature axis, ordered by the counterfactual importance.
    """
    if not isinstance(importance, CounterfactualImportance):
        raise TypeError(f"expected a CounterfactualImportance, got {type(importance).__name__}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    if shap_importance is not None:  # a feature missing here would be drawn as a bar of 0
        if not isinstance(shap_importance, pd.Series):
            raise TypeError(f"shap_importance must be a pandas Series indexed by feature, got "
                            f"{type(shap_importance).__name__}")
        missing = [f for f in importance.feature_names if f not in shap_importance.index]
        if missing:
            raise ValueError(f"shap_importance lacks feature(s) {missing[:5]} of the counterfactual importance; "
                             "explain the same features with both methods")
    frame = importance.to_frame().head(int(top))
    frame["share changed"] = frame["share changed"].round(4)
    order = frame["feature"].tolist()
    y = alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    left = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("share changed:Q", title="share of counterfactuals changing it", scale=alt.Scale(domain=[0, 1])),
        y=y, tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("share changed:Q", format=".2f")],
    ).properties(width=260, height=alt.Step(20))
    chart = left
    extra = ""
    if shap_importance is not None:
        shap_frame = pd.DataFrame({"feature": order,
                                   "mean |SHAP|": [round(float(shap_importance[f]), 4) for f in order]})
        right = alt.Chart(shap_frame).mark_bar(color=PALETTE[1]).encode(
            x=alt.X("mean |SHAP|:Q", title="|SHAP value|"), y=alt.Y("feature:N", sort=order, axis=None),
            tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("mean |SHAP|:Q", format=".4f")],
        ).properties(width=200, height=alt.Step(20))
        chart = alt.hconcat(left, right, spacing=6)
        extra = " Next to it, in orange, the size of each feature's SHAP value, on the same feature order."
    return describe(
        chart,
        title=title or "Which features do counterfactuals change?",
        description=description or (
            f"Horizontal bars of the share of counterfactuals that change each of the {len(frame)} most often "
            f"changed features, over {importance.n_found} explained rows; the top feature, {order[0]}, is "
            f"changed by {frame['share changed'].iloc[0]:.0%} of them." + extra),
    )


def recourse_chart(costs: pd.DataFrame, *, group: str, cost: str = "recourse cost", title: str | None = None,
                   description: str | None = None) -> alt.LayerChart:
    """Cost of recourse per person (dots, jittered) by ``group``, with each group's mean (a tick).

    ``costs`` has one row per person with the columns ``group`` and ``cost``; rows with NaN or inf cost
    (no recourse found) are counted in the tooltip's group summary but not drawn.
    """
    if not isinstance(costs, pd.DataFrame) or group not in costs or cost not in costs:
        raise ValueError(f"costs must be a DataFrame with the columns {group!r} and {cost!r}")
    frame = costs[[group, cost]].copy()
    if not pd.api.types.is_numeric_dtype(frame[cost]) or (frame[cost] < 0).any():
        raise ValueError(f"costs[{cost!r}] must hold non-negative numbers (NaN or inf: no recourse)")
    frame[cost] = frame[cost].replace([np.inf], np.nan)  # inf (linear_recourse_costs) = none found, as NaN
    frame[group] = frame[group].astype(str)
    empty = frame.groupby(group)[cost].count()
    if (empty == 0).any():  # its mean would be drawn as "mean nan"
        raise ValueError(f"group(s) {empty.index[empty == 0].tolist()} have no person with a recourse cost "
                         "(all NaN or inf), so no mean to draw; leave them out or find recourse for them")
    summary = frame.groupby(group, sort=True)[cost].agg(mean="mean", people="size",
                                                       none=lambda c: int(c.isna().sum())).reset_index()
    summary["mean"] = summary["mean"].round(3)
    points = frame.dropna().copy()
    points[cost] = points[cost].round(3)
    points["jitter"] = np.random.default_rng(0).uniform(-0.3, 0.3, len(points)).round(3)
    y = alt.Y(f"{group}:N", title=group)
    dots = alt.Chart(points).mark_circle(size=36, opacity=0.55, color=PALETTE[0]).encode(
        x=alt.X(f"{cost}:Q", title=f"{cost} (MAD-scaled L1 + categories changed)"), y=y,
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.5, 0.5])),
        tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{cost}:Q", format=".3f")])
    means = alt.Chart(summary).mark_tick(thickness=3, size=34, color=PALETTE[5]).encode(
        x="mean:Q", y=y, tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("mean:Q", title="mean cost", format=".3f"),
                                  alt.Tooltip("people:Q"), alt.Tooltip("none:Q", title="no recourse found")])
    chart = alt.layer(dots, means).properties(width=420, height=alt.Step(60))
    parts = "; ".join(f"{r[group]}: mean {r['mean']:.2f} over {r['people'] - r['none']} people"
                      for _, r in summary.iterrows())
    return describe(
        chart,
        title=title or f"Cost of recourse by {group}",
        description=description or (
            f"Dot plot of the cost of the cheapest counterfactual for each person, one row per value of {group}, "
            f"with the group mean as a thick tick ({parts})."),
    )

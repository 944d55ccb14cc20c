"""Interactive Altair versions of the standard SHAP plots, drawn from a :class:`ShapleyResult`.

``waterfall``   one row: from the base value, feature by feature, to the prediction
``beeswarm``    every row and feature: a dot per Shapley value, coloured by the feature's value
``importance``  mean |SHAP| per feature (global importance)
``dependence``  a feature's value against its Shapley value, coloured by its strongest partner
``linked``      a beeswarm in which a click on a person shows that person's waterfall
``compare``     one person's values under several runs (seeds, backgrounds, models): the spread
``convergence`` error against cost of the estimators
``interaction`` a feature's main effect and its interaction with a partner (SHAP interaction values)

The charts embed small data: rows are sampled (``max_rows``), only the ``top`` features are
drawn (the rest are summed into one "other features" bar), and numbers are rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import as_generator, check_same_features, check_same_scale
from xaibook._validation import check_number as check_number_argument
from xaibook.charts._base import (
    DIGITS,
    NARROW_WIDTH,
    PALETTE,
    RULE_COLOR,
    check_count,
    check_long_frame,
    check_result,
    click_on_mark,
    describe,
    diverging_scale,
    with_narrow_layout,
    zero_rule,
)
from xaibook.shapley import ShapleyInteractions, ShapleyResult, interaction_strength

__all__ = [
    "RAISE_COLOR", "LOWER_COLOR", "NEUTRAL_COLOR", "LABEL_LENGTH", "waterfall_frame",
    "waterfall_chart", "beeswarm_frame", "beeswarm_chart", "importance_chart", "dependence_chart",
    "linked_chart", "compare_frame", "comparison_chart", "convergence_chart",
    "interaction_frame", "interaction_chart",
]

RAISE_COLOR = PALETTE[5]     # vermillion: pushes the prediction up
LOWER_COLOR = PALETTE[0]     # blue: pushes it down
NEUTRAL_COLOR = PALETTE[7]   # grey: a value without an order (a category)
LABEL_LENGTH = 28


# ------------------------------------------------------------------------------------ helpers
def _output(result: ShapleyResult) -> str:
    return "prediction" if result.output == "model output" else result.output


def _show(value) -> str:
    """A feature value as short text: numbers with up to 4 significant digits, long text cut."""
    if isinstance(value, (float, np.floating)):
        text = f"{value:.4g}"
    else:
        text = str(value)
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def _row_ids(result: ShapleyResult) -> list:
    index = result.data.index
    return [int(i) if isinstance(i, (int, np.integer)) else str(i) for i in index]


def _sample(result: ShapleyResult, max_rows: int, random_state: int) -> np.ndarray:
    max_rows = check_count(max_rows, "max_rows")
    n = len(result)
    if n <= max_rows:
        return np.arange(n)
    return np.sort(as_generator(random_state).choice(n, size=max_rows, replace=False))


def _top_features(result: ShapleyResult, top: int) -> list[str]:
    top = check_count(top, "top")
    return result.mean_abs().index[:top].tolist()


def _position(result: ShapleyResult, row) -> int:
    """A row given by its index label (or, for a default RangeIndex, its position)."""
    if row in result.data.index:
        return int(result.data.index.get_loc(row))
    raise ValueError(f"row {row!r} is not among the explained rows; pick one of "
                     f"{list(result.data.index[:5])}{' ...' if len(result) > 5 else ''}")


# ---------------------------------------------------------------------------------- waterfall
def waterfall_frame(result: ShapleyResult, positions: Any = None, *, top: int = 10) -> pd.DataFrame:
    """Long format for waterfalls: per row, its ``top`` largest contributions and the rest summed.

    Columns: ``row``, ``step`` (1 = largest), ``label`` ("feature = value"), ``feature``,
    ``value``, ``shap``, ``start`` and ``end`` (the running total before and after the step),
    ``direction``, ``base`` and ``prediction``.
    """
    check_result(result, ShapleyResult)
    top = check_count(top, "top")
    positions = np.arange(len(result)) if positions is None else np.atleast_1d(positions)
    ids = _row_ids(result)
    names = list(result.feature_names)
    records = []
    for p in positions:
        shap_row = result.values[p]
        order = np.argsort(-np.abs(shap_row), kind="stable")
        shown, rest = order[:top], order[top:]
        running = result.base_value
        steps = [(names[j], _show(result.data.iloc[p, j]), shap_row[j]) for j in shown]
        if len(rest):
            steps.append((f"{len(rest)} other features", "", shap_row[rest].sum()))
        for k, (feature, value, contribution) in enumerate(steps, start=1):
            label = f"{feature} = {value}" if value != "" else feature
            records.append({"row": ids[p], "step": k, "label": label, "feature": feature, "value": value,
                            "shap": contribution, "start": running, "end": running + contribution,
                            "direction": "raises" if contribution >= 0 else "lowers",
                            "base": result.base_value, "prediction": result.prediction[p]})
            running += contribution
    frame = pd.DataFrame(records)
    numbers = ["shap", "start", "end", "base", "prediction"]
    frame[numbers] = frame[numbers].astype(float).round(DIGITS)
    return frame


def _waterfall_layers(frame: pd.DataFrame, output: str, *, width: int = 320,
                      selection=None) -> alt.HConcatChart:
    """Bars from the running total before to after each step, the base value (dashed) and the
    prediction (solid); the SHAP values are written in a column of their own on the right."""
    base = alt.Chart(frame)
    if selection is not None:
        base = base.transform_filter(selection)
    # (the gap between bars is the band scale's padding: a relative bar height, {"band": 0.75}, made
    # Vega-Lite warn "Cannot use the relative band size with linear scale" in the browser)
    y = alt.Y("label:N", sort=alt.EncodingSortField("step", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=230), scale=alt.Scale(paddingInner=0.25))
    color = alt.Color("direction:N", scale=alt.Scale(domain=["raises", "lowers"], range=[RAISE_COLOR, LOWER_COLOR]),
                      legend=alt.Legend(title=f"effect on the {output}", orient="bottom"))
    tooltip = [alt.Tooltip("row:N", title="row"), alt.Tooltip("feature:N"), alt.Tooltip("value:N"),
               alt.Tooltip("shap:Q", title="SHAP value", format="+.4f"),
               alt.Tooltip("start:Q", title="running total before", format=".4f"),
               alt.Tooltip("end:Q", title="running total after", format=".4f")]
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title=output, scale=alt.Scale(zero=False)), x2="end:Q", y=y, color=color,
        tooltip=tooltip)
    base_rule = base.mark_rule(strokeDash=[4, 3], color="#888888").encode(
        x="base:Q", tooltip=[alt.Tooltip("base:Q", title="base value E[f(B)]", format=".4f")])
    prediction_rule = base.mark_rule(color="#888888", strokeWidth=2).encode(
        x="prediction:Q", tooltip=[alt.Tooltip("prediction:Q", title=f"{output} f(x)", format=".4f")])
    left = alt.layer(bars, base_rule, prediction_rule).properties(width=width, height=alt.Step(22))
    numbers = base.mark_text(align="left", fontSize=11).encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("step", order="ascending"), axis=None),
        text=alt.Text("shap:Q", format="+.3f"), tooltip=tooltip,
    ).properties(width=52, height=alt.Step(22), view=alt.ViewBackground(stroke=None))
    return alt.hconcat(left, numbers, spacing=4).resolve_scale(y="shared")


def waterfall_chart(result: ShapleyResult, row: Any = None, *, top: int = 10, title: str | None = None,
                    description: str | None = None) -> alt.HConcatChart:
    """One row's explanation: from the base value (dashed line), the ``top`` largest contributions
    in order of size, then the rest summed, to the prediction (solid line). Labels read
    "feature = value"; red-orange bars raise the output, blue bars lower it."""
    check_result(result, ShapleyResult)
    position = 0 if row is None else _position(result, row)
    frame = waterfall_frame(result, [position], top=top)
    output = _output(result)
    first = frame.iloc[0]
    chart = _waterfall_layers(frame, output)
    row_id = _row_ids(result)[position]
    return describe(
        chart,
        title=title or f"Why this {output} for row {row_id}?",
        subtitle=f"from the base value {result.base_value:.3f} (dashed) to f(x) = "
                 f"{result.prediction[position]:.3f} (solid), largest contributions first",
        description=description or (
            f"Waterfall of the SHAP values of row {row_id}: starting from the base value "
            f"{result.base_value:.3f}, each horizontal bar adds one feature's contribution, largest first, "
            f"ending at the {output} {result.prediction[position]:.3f}. The largest contribution is "
            f"{first['label']} with {first['shap']:+.3f}."),
    )


# ----------------------------------------------------------------------------------- beeswarm
def _colour_values(data: pd.DataFrame, feature: str) -> np.ndarray:
    """Feature values as ranks in [0, 1] for colouring (-1 for categories: no order, drawn grey)."""
    values = data[feature]
    if values.dtype.kind not in "biuf":
        return np.full(len(values), -1.0)
    ranks = values.rank(method="average").to_numpy()
    low, high = ranks.min(), ranks.max()
    return (ranks - low) / (high - low) if high > low else np.full(len(values), 0.5)


def _swarm_offsets(shap_values: np.ndarray, n_bins: int = 40) -> np.ndarray:
    """Vertical offsets in [-0.4, 0.4] that spread dots with similar values, like a beeswarm."""
    n = len(shap_values)
    if n == 0:
        return np.zeros(0)
    low, high = shap_values.min(), shap_values.max()
    bins = np.zeros(n, dtype=int) if high == low else np.minimum(
        ((shap_values - low) / (high - low) * n_bins).astype(int), n_bins - 1)
    offsets = np.zeros(n)
    order = np.argsort(bins, kind="stable")
    counts = np.bincount(bins, minlength=n_bins)
    slot = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)   # index within its bin
    step = np.ceil(slot / 2) * np.where(slot % 2 == 1, 1, -1)
    offsets[order] = step
    widest = max(1.0, np.abs(offsets).max())
    return 0.4 * offsets / widest


def beeswarm_frame(result: ShapleyResult, *, top: int = 12, max_rows: int = 300,
                   random_state: int = 0) -> pd.DataFrame:
    """Long format for the beeswarm: ``row``, ``feature``, ``value`` (text), ``shap``,
    ``colour`` (the feature value's rank in [0, 1]; -1 for categories) and ``offset``."""
    check_result(result, ShapleyResult)
    return _beeswarm_records(result, _sample(result, max_rows, random_state), _top_features(result, top))


def _beeswarm_records(result: ShapleyResult, positions: np.ndarray, features: list[str]) -> pd.DataFrame:
    data = result.data.iloc[positions]
    ids = np.asarray(_row_ids(result), dtype=object)[positions]
    parts = []
    for feature in features:
        j = result.feature_names.index(feature)
        shap_values = result.values[positions, j]
        parts.append(pd.DataFrame({
            "row": ids, "feature": feature, "value": [_show(v) for v in data[feature]],
            "shap": shap_values, "colour": _colour_values(data, feature),
            "offset": _swarm_offsets(shap_values)}))
    frame = pd.concat(parts, ignore_index=True)
    frame[["shap", "colour", "offset"]] = frame[["shap", "colour", "offset"]].round(DIGITS)
    return frame


def _beeswarm_chart(frame: pd.DataFrame, order: list[str], output: str, *, selection=None,
                    width: int = 420) -> alt.Chart:
    colour = alt.Color("colour:Q", scale=diverging_scale(domain=[0, 1]),
                       legend=alt.Legend(title="feature value", orient="bottom", values=[0, 1],
                                         labelExpr="datum.value == 0 ? 'low' : 'high'", gradientLength=120))
    chart = alt.Chart(frame).mark_circle(size=22, opacity=0.85).encode(
        x=alt.X("shap:Q", title=f"SHAP value (effect on the {output})"),
        y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset("offset:Q", scale=alt.Scale(domain=[-0.5, 0.5])),
        color=alt.condition("datum.colour < 0", alt.value(NEUTRAL_COLOR), colour),
        tooltip=[alt.Tooltip("row:N", title="row"), alt.Tooltip("feature:N"), alt.Tooltip("value:N"),
                 alt.Tooltip("shap:Q", title="SHAP value", format="+.4f")],
    )
    if selection is not None:
        chart = chart.encode(
            size=alt.condition(selection, alt.value(60), alt.value(22)),
            stroke=alt.condition(selection, alt.value(PALETTE[7]), alt.value(None)),
        ).add_params(selection)
    zero = zero_rule("x")
    return alt.layer(zero, chart).properties(width=width, height=alt.Step(26))


def beeswarm_chart(result: ShapleyResult, *, top: int = 12, max_rows: int = 300, random_state: int = 0,
                   title: str | None = None, description: str | None = None) -> alt.LayerChart:
    """Every (sampled) row as a dot per feature at its SHAP value, features sorted by mean |SHAP|.

    Colour gives the feature's value within the sample (blue = low, vermillion = high, purple
    between; grey for a category, whose value is in the tooltip). Hover a dot for the row id, feature, value and SHAP.
    """
    frame = beeswarm_frame(result, top=top, max_rows=max_rows, random_state=random_state)
    order = _top_features(result, top)
    output = _output(result)
    chart = _beeswarm_chart(frame, order, output)
    n_rows = frame["row"].nunique()
    return describe(
        chart,
        title=title or "SHAP values of every feature for every person",
        subtitle=f"{n_rows} rows, top {len(order)} features by mean |SHAP|; colour = feature value "
                 "(grey: a category, see the tooltip)",
        description=description or (
            f"Beeswarm plot: for each of the {len(order)} most important features (rows, sorted), one dot "
            f"per person at its SHAP value on the {output} scale, coloured from blue (low feature value) "
            f"through purple to vermillion (high); categories are grey. The most important feature is {order[0]}."),
    )


# ---------------------------------------------------------------------------------- importance
def importance_chart(result: ShapleyResult, *, top: int = 15, title: str | None = None,
                     description: str | None = None) -> alt.Chart:
    """Global importance: mean absolute SHAP value per feature, largest first."""
    check_result(result, ShapleyResult)
    summary = result.mean_abs()
    top = min(check_count(top, "top"), len(summary))
    frame = summary.iloc[:top].rename_axis("feature").reset_index().round(DIGITS)
    frame["rank"] = np.arange(1, len(frame) + 1)
    output = _output(result)
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0], height={"band": 0.7}).encode(
        x=alt.X("mean_abs_shap:Q", title=f"mean |SHAP value| ({output})"),
        y=alt.Y("feature:N", sort=frame["feature"].tolist(), title=None, axis=alt.Axis(labelLimit=200)),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("rank:Q"),
                 alt.Tooltip("mean_abs_shap:Q", title="mean |SHAP|", format=".4f")],
    ).properties(width=380, height=alt.Step(20))
    return describe(
        chart,
        title=title or "Global importance: mean |SHAP value|",
        subtitle=f"average size of each feature's contribution over {len(result)} rows",
        description=description or (
            f"Horizontal bars of the mean absolute SHAP value of the top {top} features over {len(result)} "
            f"rows, largest first; the largest is {frame['feature'].iloc[0]} at "
            f"{frame['mean_abs_shap'].iloc[0]:.3f}."),
    )


# ---------------------------------------------------------------------------------- dependence
def dependence_chart(result: ShapleyResult, feature: str, *, color_by: str | None = "auto", max_rows: int = 500,
                     random_state: int = 0, title: str | None = None, description: str | None = None) -> alt.Chart:
    """A feature's value (x) against its SHAP value (y), one dot per row.

    ``color_by="auto"`` colours the dots by the feature that most modulates this one's values
    (:func:`xaibook.shapley.interaction_strength`); a vertical spread of colours at one x is
    an interaction. Pass a feature name to choose, or ``None`` for no colour.
    """
    check_result(result, ShapleyResult)
    if feature not in result.feature_names:
        raise ValueError(f"unknown feature {feature!r}; the result has {list(result.feature_names)}")
    if color_by == "auto":
        color_by = interaction_strength(result, feature).index[0] if len(result.feature_names) > 1 else None
    elif color_by is not None and (color_by not in result.feature_names or color_by == feature):
        raise ValueError(f"color_by must be 'auto', None or another feature of the result, got {color_by!r}")
    positions = _sample(result, max_rows, random_state)
    data = result.data.iloc[positions]
    j = result.feature_names.index(feature)
    numeric = data[feature].dtype.kind in "biuf"
    frame = pd.DataFrame({"row": np.asarray(_row_ids(result), dtype=object)[positions],
                          "x": data[feature].to_numpy() if numeric else data[feature].astype(str).to_numpy(),
                          "shap": result.values[positions, j].round(DIGITS)})
    output = _output(result)
    x = alt.X("x:Q", title=feature, scale=alt.Scale(zero=False)) if numeric else \
        alt.X("x:N", title=feature, axis=alt.Axis(labelAngle=-30, labelLimit=140))
    tooltip = [alt.Tooltip("row:N", title="row"), alt.Tooltip("x:N" if not numeric else "x:Q", title=feature),
               alt.Tooltip("shap:Q", title=f"SHAP value of {feature}", format="+.4f")]
    encoding = {"x": x, "y": alt.Y("shap:Q", title=f"SHAP value of {feature} ({output})")}
    colour_text = ""
    if color_by is not None:
        partner = data[color_by]
        if partner.dtype.kind in "biuf":
            frame["partner"] = partner.to_numpy()
            encoding["color"] = alt.Color("partner:Q", title=color_by, scale=diverging_scale(),
                                          legend=alt.Legend(orient="right", gradientLength=120))
            tooltip.append(alt.Tooltip("partner:Q", title=color_by))
        else:
            text = partner.astype(str)
            common = text.value_counts().index[: len(PALETTE) - 1]
            if text.nunique() > len(PALETTE):                  # more categories than colours
                text = text.where(text.isin(common), f"other ({text.nunique() - len(common)} categories)")
            frame["partner"] = text.to_numpy()
            encoding["color"] = alt.Color("partner:N", title=color_by, legend=alt.Legend(orient="right",
                                                                                        labelLimit=160))
            tooltip.append(alt.Tooltip("partner:N", title=color_by))
        colour_text = f", coloured by {color_by}"
    if not numeric:
        frame["jitter"] = _swarm_offsets(frame["shap"].to_numpy()).round(DIGITS)
        encoding["xOffset"] = alt.XOffset("jitter:Q", scale=alt.Scale(domain=[-0.6, 0.6]))
    chart = alt.Chart(frame).mark_circle(size=28, opacity=0.8).encode(**encoding, tooltip=tooltip)
    zero = zero_rule("y")
    layered = alt.layer(zero, chart).properties(width=420, height=260)
    return describe(
        layered,
        title=title or f"How {feature} drives its SHAP value",
        subtitle=f"one dot per row ({len(frame)} rows){colour_text}",
        description=description or (
            f"Scatter plot of {feature} (horizontal) against its SHAP value on the {output} scale "
            f"(vertical) for {len(frame)} rows{colour_text}. Dots above the dashed zero line raise the "
            f"{output}, dots below lower it."),
    )


# -------------------------------------------------------------------------------------- linked
def linked_chart(result: ShapleyResult, *, top: int = 10, max_rows: int = 150, random_state: int = 0,
                 row: Any = None, title: str | None = None, description: str | None = None) -> alt.VConcatChart:
    """A beeswarm and, below it, the waterfall of the person clicked in it.

    A point selection on ``row`` filters a long-format waterfall dataset (one block per sampled
    row), so the page needs no Python to switch people. ``row`` is shown first (default: the
    first sampled row); a click on a dot picks another person, a click elsewhere keeps the one
    shown, so the waterfall always draws exactly one person. The selection is
    also bound to a list of the sampled rows under the chart, so a keyboard can pick a person
    too (and the list follows the clicks).
    """
    check_result(result, ShapleyResult)
    positions = _sample(result, max_rows, random_state)
    if row is not None:
        wanted = _position(result, row)
        if wanted not in positions:
            positions = np.sort(np.append(positions[:-1] if len(positions) >= max_rows else positions, wanted))
    else:
        wanted = int(positions[0])
    ids = _row_ids(result)
    first = ids[wanted]
    order = _top_features(result, top)
    output = _output(result)
    swarm_frame = _beeswarm_records(result, positions, order)
    # The list under the chart is the keyboard's way to pick a person (and follows the clicks).
    picker = alt.binding_select(
        options=[ids[p] for p in positions],
        labels=[f"row {ids[p]} ({output} {result.prediction[p]:.3f})" for p in positions],
        name="Person: ")
    # Only a click on a dot changes the person: the selection is never empty (an empty one would
    # stack every person's waterfall), and the list always names the person shown.
    pick = alt.selection_point(fields=["row"], on=click_on_mark("row"), value=[{"row": first}], clear=False,
                               toggle=False, name="person", bind=picker)
    swarm = _beeswarm_chart(swarm_frame, order, output, selection=pick).properties(
        title=alt.TitleParams("Click a dot to pick a person", fontSize=13))
    steps = waterfall_frame(result, positions, top=top)
    fall = _waterfall_layers(steps, output, selection=pick).properties(
        title=alt.TitleParams("Their explanation, from the base value to their prediction", fontSize=13))
    chart = alt.vconcat(swarm, fall, spacing=24).resolve_scale(color="independent")
    return describe(
        chart,
        title=title or "Every person's SHAP values, one person's waterfall",
        subtitle=f"{len(positions)} rows; the waterfall shows row {first} until you click another dot "
                 "or choose a person in the list below",
        description=description or (
            f"Two linked charts. Top: beeswarm of SHAP values for {len(positions)} people and the "
            f"{len(order)} most important features. Bottom: the waterfall of the selected person, from the "
            f"base value {result.base_value:.3f} to their {output}; clicking a dot in the top chart, or "
            f"choosing a person in the list under the chart, selects that person. Row {first} is "
            f"selected at first."),
    )


# ------------------------------------------------------------------------------ spread, cost
def compare_frame(results: Mapping[str, ShapleyResult], row: Any = None, *, top: int = 10) -> pd.DataFrame:
    """One row's values under several runs (seeds, backgrounds, models): ``run``, ``feature``,
    ``value``, ``shap``, plus per feature ``low``/``high`` (range over runs) and ``order``."""
    if not isinstance(results, dict) or not results:
        raise TypeError("results must be a non-empty dict {label: ShapleyResult}")
    for value in results.values():
        check_result(value, ShapleyResult)
    check_same_features(results)
    check_same_scale(results)
    first = next(iter(results.values()))
    row = first.data.index[0] if row is None else row
    shown = {label: r.data.iloc[_position(r, row)][list(first.feature_names)].astype(str).tolist()
             for label, r in results.items()}
    differ = [label for label, values in shown.items() if values != shown[next(iter(shown))]]
    if differ:
        raise ValueError(f"results {differ} explain a row {row!r} with other feature values than "
                         f"{next(iter(shown))!r}: they are not the same person (another case or data set?)")
    parts = []
    for label, result in results.items():
        position = _position(result, row)
        parts.append(pd.DataFrame({"run": str(label), "feature": list(result.feature_names),
                                   "value": [_show(v) for v in result.data.iloc[position]],
                                   "shap": result.values[position]}))
    frame = pd.concat(parts, ignore_index=True)
    size = frame.assign(size=frame["shap"].abs()).groupby("feature")["size"].mean()
    order = size.sort_values(ascending=False, kind="stable").index[:check_count(top, "top")].tolist()
    frame = frame[frame["feature"].isin(order)].copy()
    spread = frame.groupby("feature")["shap"].agg(low="min", high="max")
    frame = frame.join(spread, on="feature")
    frame["order"] = frame["feature"].map({f: k for k, f in enumerate(order)})
    frame[["shap", "low", "high"]] = frame[["shap", "low", "high"]].round(DIGITS)
    return frame


def comparison_chart(results: Mapping[str, ShapleyResult], row: Any = None, *, top: int = 10,
                     label_title: str = "run", title: str | None = None,
                     description: str | None = None) -> alt.LayerChart:
    """How one person's explanation moves between runs: a dot per run and feature, a line over the
    range. ``results`` maps a label (a seed, a background, a model) to a ShapleyResult that
    explains the same row. Short lines mean a stable explanation."""
    frame = compare_frame(results, row, top=top)
    order = frame.sort_values("order")["feature"].unique().tolist()
    labels = list(dict.fromkeys(frame["run"]))
    y = alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    output = _output(next(iter(results.values())))
    ranges = alt.Chart(frame).mark_rule(color=RULE_COLOR, strokeWidth=3).encode(
        x=alt.X("low:Q", title=f"SHAP value ({output})"), x2="high:Q", y=y,
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("low:Q", title="lowest", format="+.4f"),
                 alt.Tooltip("high:Q", title="highest", format="+.4f")])
    colour = alt.Color("run:N", title=label_title, sort=labels,
                       legend=alt.Legend(orient="bottom", columns=4, labelLimit=300)) \
        if len(labels) <= len(PALETTE) else alt.value(PALETTE[0])
    dots = alt.Chart(frame).mark_point(filled=True, size=55, opacity=0.85).encode(
        x="shap:Q", y=y, color=colour,
        tooltip=[alt.Tooltip("run:N", title=label_title), alt.Tooltip("feature:N"), alt.Tooltip("value:N"),
                 alt.Tooltip("shap:Q", title="SHAP value", format="+.4f")])
    zero = zero_rule("x")
    chart = alt.layer(zero, ranges, dots).properties(width=400, height=alt.Step(22))
    widest = frame.assign(width=frame["high"] - frame["low"]).sort_values("width").iloc[-1]
    row_id = row if row is not None else next(iter(results.values())).data.index[0]
    return describe(
        chart,
        title=title or f"How much does row {row_id}'s explanation move?",
        subtitle=f"{len(labels)} {label_title}s; dot = one {label_title}, line = range",
        description=description or (
            f"For the {len(order)} largest features of row {row_id}, one dot per {label_title} at its SHAP "
            f"value and a line over their range across {len(labels)} {label_title}s. The widest range is "
            f"{widest['feature']}, from {widest['low']:+.3f} to {widest['high']:+.3f}."),
    )


# ============================================================================ interactions
def interaction_frame(result: ShapleyInteractions, feature: str, other: str, *, max_rows: int = 200,
                      random_state: int = 0) -> pd.DataFrame:
    """Long frame for :func:`interaction_chart`: per sampled row, ``feature``'s value, its main
    effect and its whole interaction with ``other`` (``Phi_jk + Phi_kj``, both halves, as shap's
    dependence plot of interaction values draws it; only ``Phi_jk`` is inside ``feature``'s SHAP value)."""
    check_result(result, ShapleyInteractions)
    pair = result.pair(feature, other)                    # validates both names
    max_rows = check_count(max_rows, "max_rows")
    n = len(result)
    positions = np.arange(n) if n <= max_rows else \
        np.sort(as_generator(random_state).choice(n, size=max_rows, replace=False))
    data = result.data.iloc[positions]
    numeric = data[feature].dtype.kind in "biuf"
    x = data[feature].to_numpy() if numeric else data[feature].astype(str).to_numpy()
    rows = [int(i) if isinstance(i, (int, np.integer)) else str(i) for i in data.index]
    main = result.main_effects()[feature].to_numpy()[positions]
    parts = {f"main effect of {feature}": main, f"whole interaction with {other} (both halves)": pair[positions]}
    return pd.DataFrame({
        "row": np.tile(np.asarray(rows, dtype=object), len(parts)),
        "x": np.tile(x, len(parts)),
        "part": np.repeat(list(parts), len(positions)),
        "value": np.concatenate(list(parts.values())).round(DIGITS),
        "partner": np.tile(data[other].astype(str).to_numpy() if data[other].dtype.kind not in "biuf"
                           else np.round(data[other].to_numpy(dtype=float), DIGITS), len(parts)),
    })


def interaction_chart(result: ShapleyInteractions, feature: str, other: str, *, max_rows: int = 200,
                      random_state: int = 0, title: str | None = None,
                      description: str | None = None) -> alt.LayerChart:
    """A feature's main effect (circles) and its whole interaction with ``other`` (triangles), one
    mark of each per row, against the feature's value. The whole interaction is both halves,
    ``Phi_jk + Phi_kj``, as shap plots it; only the half ``Phi_jk`` is part of the feature's SHAP
    value. Where the triangles spread away from zero, the feature's effect depends on ``other``."""
    frame = interaction_frame(result, feature, other, max_rows=max_rows, random_state=random_state)
    numeric = frame["x"].dtype.kind in "biuf"
    output = "prediction" if result.output == "model output" else result.output
    parts = list(dict.fromkeys(frame["part"]))
    x = alt.X("x:Q", title=feature, scale=alt.Scale(zero=False)) if numeric else \
        alt.X("x:N", title=feature, axis=alt.Axis(labelAngle=-30, labelLimit=140))
    encoding = {
        "x": x,
        "y": alt.Y("value:Q", title=f"SHAP interaction value ({output})"),
        "color": alt.Color("part:N", title=None, sort=parts,
                           scale=alt.Scale(domain=parts, range=[PALETTE[0], PALETTE[5]]),
                           legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        "shape": alt.Shape("part:N", title=None, sort=parts,
                           scale=alt.Scale(domain=parts, range=["circle", "triangle-up"])),
        "tooltip": [alt.Tooltip("row:N", title="row"),
                    alt.Tooltip("x:Q" if numeric else "x:N", title=feature),
                    alt.Tooltip("partner:N", title=other),
                    alt.Tooltip("part:N", title="part"),
                    alt.Tooltip("value:Q", title="value", format="+.4f")],
    }
    if not numeric:
        encoding["xOffset"] = alt.XOffset("part:N", sort=parts)
    points = alt.Chart(frame).mark_point(filled=True, size=30, opacity=0.75).encode(**encoding)
    chart = alt.layer(zero_rule("y"), points).properties(width=420, height=260)
    n_rows = len(frame) // 2
    spread = frame.groupby("part")["value"].agg(lambda v: float(np.abs(v).mean()))
    return describe(
        chart,
        title=title or f"{feature}: main effect and interaction with {other}",
        subtitle=f"one circle and one triangle per row ({n_rows} rows)",
        description=description or (
            f"Scatter plot of {feature} (horizontal) against SHAP interaction values on the {output} "
            f"scale (vertical) for {n_rows} rows: circles the main effect of {feature} (mean size "
            f"{spread[parts[0]]:.3f}), triangles its whole interaction with {other}, both halves as shap "
            f"plots it (mean size {spread[parts[1]]:.3f}); half of it is part of {feature}'s SHAP value."),
    )


def convergence_chart(frame: pd.DataFrame, *, x: str = "evaluations", y: str = "error", color: str = "method",
                      title: str | None = None, description: str | None = None) -> alt.Chart:
    """Error against cost for several estimators (log-log): one line per ``color`` value.

    ``frame`` has a column ``x`` (cost, e.g. model evaluations), ``y`` (error against the exact
    values) and ``color`` (the method).
    """
    check_long_frame(frame, [x, y, color], positive=[x, y], unique=[x, color])  # both axes are log scales
    data = frame.copy()
    data[y] = data[y].astype(float).round(8)
    tooltip = [alt.Tooltip(f"{c}:{'N' if data[c].dtype.kind not in 'biuf' else 'Q'}") for c in data.columns]
    def decades(column: str) -> list[float]:
        positive = data[column].astype(float)
        positive = positive[positive > 0]
        low, high = np.floor(np.log10(positive.min())), np.ceil(np.log10(positive.max()))
        return [float(10 ** k) for k in np.arange(low, high + 1)]

    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x.replace("_", " "),
                axis=alt.Axis(values=decades(x), format="~s")),
        y=alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=y.replace("_", " "),
                axis=alt.Axis(values=decades(y), format="~g")),
        color=alt.Color(f"{color}:N", title=color, legend=alt.Legend(orient="bottom", labelLimit=250)),
        tooltip=tooltip,
    ).properties(width=400, height=260)
    methods = ", ".join(map(str, data[color].unique()))
    return describe(
        chart,
        title=title or "Accuracy against cost",
        subtitle="both axes logarithmic; lower right is cheap and accurate",
        description=description or (
            f"Line chart on logarithmic axes of the {y.replace('_', ' ')} against the number of "
            f"{x.replace('_', ' ')} for {methods}."),
    )


# -------------------------------------------------------------------------------- force plot
__all__ += ["force_frame", "force_chart"]


def force_frame(result: ShapleyResult, row: Any = None, *, top: int = 6) -> pd.DataFrame:
    """The segments of a force plot for one row: ``feature``, ``value``, ``label``, ``shap``,
    ``start``, ``end``, ``middle``, ``direction``, ``tier`` (alternating 0/1 per side; the chart
    re-assigns label rows so that no two labels overlap), ``base``, ``prediction``.

    As in shap's force plot (Lundberg et al. 2018), the features that raise the output sit left of
    the prediction, stacked from ``f(x) - (sum of raises)`` up to ``f(x)``, the largest next to it;
    those that lower it sit right of the prediction, from ``f(x)`` up to ``f(x) + |sum of lowers|``
    (which is ``base + sum of raises``, not the base value). The ``top`` largest
    contributions on each side are drawn one by one, the rest of that side as one segment.
    """
    check_result(result, ShapleyResult)
    top = check_count(top, "top")
    position = 0 if row is None else _position(result, row)
    shap_row = result.values[position]
    names = list(result.feature_names)
    prediction = float(result.prediction[position])
    records = []
    for direction, sign in (("raises", 1.0), ("lowers", -1.0)):
        side = [j for j in np.argsort(-np.abs(shap_row), kind="stable") if sign * shap_row[j] > 0]
        shown, rest = side[:top], side[top:]
        steps = [(names[j], _show(result.data.iloc[position, j]), shap_row[j]) for j in shown]
        if rest:
            steps.append((f"{len(rest)} other features", "", float(shap_row[rest].sum())))
        edge = prediction
        for k, (feature, value, contribution) in enumerate(steps):
            # raises: from the prediction leftwards; lowers: from the prediction rightwards
            start, end = (edge - contribution, edge) if sign > 0 else (edge, edge - contribution)
            records.append({"feature": feature, "value": value,
                            "label": f"{feature} = {value}" if value != "" else feature,
                            "shap": contribution, "start": start, "end": end, "middle": (start + end) / 2,
                            "direction": direction, "tier": k % 2})
            edge = start if sign > 0 else end
    frame = pd.DataFrame(records, columns=["feature", "value", "label", "shap", "start", "end", "middle",
                                           "direction", "tier"])
    frame["base"], frame["prediction"] = result.base_value, prediction
    numbers = ["shap", "start", "end", "middle", "base", "prediction"]
    frame[numbers] = frame[numbers].astype(float).round(DIGITS)
    return frame


_FORCE_WIDTH = 620  # pixels
_CHAR_PIXELS = 6.0  # a generous average width of one character of the 10-point label font


def _label_lanes(centres: np.ndarray, n_chars: np.ndarray, *, units_per_pixel: float) -> np.ndarray:
    """Lane (0, 1, ...) of each centred text label so that no two labels in a lane overlap: from
    left to right, each label takes the first lane whose last label ends before it starts."""
    half = n_chars * _CHAR_PIXELS * units_per_pixel / 2 + 4 * units_per_pixel  # 4 px of air each side
    lanes_end: list[float] = []
    lane = np.zeros(len(centres), dtype=int)
    for i in np.argsort(centres, kind="stable"):
        left, right = centres[i] - half[i], centres[i] + half[i]
        free = [k for k, end in enumerate(lanes_end) if end <= left]
        k = free[0] if free else len(lanes_end)
        if k == len(lanes_end):
            lanes_end.append(right)
        else:
            lanes_end[k] = right
        lane[i] = k
    return lane


def _force_layers(frame: pd.DataFrame, labelled: pd.DataFrame, output: str, *, width: int) -> alt.VConcatChart:
    """The force plot drawn ``width`` pixels wide: the bar with its markers, and under it the
    labels in as many lanes as keep them apart at that width."""
    low = float(frame["start"].min())
    extent = float(frame["end"].max()) - low or 1.0
    # a label is centred under its segment, moved inwards where it would stick out of the bar's span
    half = labelled["text"].str.len().to_numpy() * _CHAR_PIXELS * extent / width / 2
    centres = np.where(2 * half >= extent, low + extent / 2,
                       np.clip(labelled["middle"].to_numpy(), low + half, low + extent - half))
    labelled = labelled.assign(centre=np.round(centres, DIGITS),
                               tier=_label_lanes(centres, labelled["text"].str.len().to_numpy(),
                                                 units_per_pixel=extent / width))
    lanes = int(labelled["tier"].max()) + 1 if len(labelled) else 1
    color = alt.Color("direction:N", scale=alt.Scale(domain=["raises", "lowers"], range=[RAISE_COLOR, LOWER_COLOR]),
                      legend=alt.Legend(title=f"effect on the {output}", orient="bottom"))
    tooltip = [alt.Tooltip("feature:N"), alt.Tooltip("value:N"),
               alt.Tooltip("shap:Q", title="SHAP value", format="+.4f"),
               alt.Tooltip("start:Q", title="segment from", format=".4f"),
               alt.Tooltip("end:Q", title="segment to", format=".4f")]
    x = alt.X("start:Q", title=output, scale=alt.Scale(zero=False, nice=False))
    bars = alt.Chart(frame).mark_bar(height=26, stroke="white", strokeWidth=1).encode(
        x=x, x2="end:Q", color=color, tooltip=tooltip)
    marks = pd.DataFrame({"at": [frame["base"].iloc[0], frame["prediction"].iloc[0]],
                          "what": [f"base value {frame['base'].iloc[0]:.3f}",
                                   f"f(x) = {frame['prediction'].iloc[0]:.3f}"],
                          "dash": ["base", "prediction"]})
    rules = alt.Chart(marks).mark_rule(color="#888888", strokeWidth=2).encode(
        x="at:Q", strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(domain=["base", "prediction"],
                                                                      range=[[4, 3], [1, 0]]), legend=None),
        tooltip=[alt.Tooltip("what:N", title="marker")])
    rule_text = alt.Chart(marks).mark_text(dy=-24, fontSize=11, fontWeight="bold").encode(
        x="at:Q", text="what:N")
    labels = alt.Chart(labelled).mark_text(fontSize=10, baseline="top").encode(
        x=alt.X("centre:Q", axis=None),
        y=alt.Y("tier:O", axis=None, scale=alt.Scale(domain=list(range(lanes)))),
        text="text:N", tooltip=tooltip)
    top_part = alt.layer(bars, rules, rule_text).properties(width=width, height=50)
    bottom = labels.properties(width=width, height=17 * lanes, view=alt.ViewBackground(stroke=None))
    return alt.vconcat(top_part, bottom, spacing=2).resolve_scale(x="shared")


def force_chart(result: ShapleyResult, row: Any = None, *, top: int = 6, min_label: float = 0.08,
                title: str | None = None, description: str | None = None) -> alt.LayerChart:
    """shap's force plot as an interactive chart: two stacks of segments that meet at ``f(x)``.

    Red-orange segments (features that raise the output) are stacked left of the prediction
    ``f(x)`` and end at it; blue segments (features that lower it) start at ``f(x)`` and are
    stacked to its right. Each segment is one feature's SHAP value, so the bar runs from
    ``base - (sum of lowering values)`` to ``base + (sum of raising values)``, and the base value,
    marked by a dashed rule, lies inside the bar whenever both sides are present; the raising
    total minus the lowering total is ``f(x) - base value`` (efficiency). Segments longer than
    ``min_label`` times the bar's extent carry their "feature = value" label below the bar;
    every segment names itself in its tooltip.
    """
    frame = force_frame(result, row, top=top)
    if frame.empty:
        raise ValueError("every SHAP value of this row is zero: there is nothing to draw")
    min_label = check_number_argument(min_label, name="min_label", low=0, high=1)
    output = _output(result)
    position = 0 if row is None else _position(result, row)
    row_id = _row_ids(result)[position]
    extent = float(frame["end"].max() - frame["start"].min()) or 1.0
    labelled = frame[(frame["end"] - frame["start"]) >= min_label * extent].copy()
    labelled["text"] = labelled["label"] + " (" + labelled["shap"].map(lambda s: f"{s:+.3f}") + ")"
    chart = with_narrow_layout(*(_force_layers(frame, labelled, output, width=width)
                                 for width in (_FORCE_WIDTH, NARROW_WIDTH)))
    raises = frame[frame["direction"] == "raises"]
    lowers = frame[frame["direction"] == "lowers"]
    first = frame.loc[frame["shap"].abs().idxmax()]
    return describe(
        chart,
        title=title or f"Force plot of row {row_id}",
        subtitle=f"segments that raise the {output} end at f(x) from the left, those that lower it start "
                 "there; dashed: base value",
        description=description or (
            f"Two stacks of segments meeting at the {output} f(x) = "
            f"{result.prediction[position]:.3f} of row {row_id}: {len(raises)} segments that raise it, "
            f"together {raises['shap'].sum():+.3f}, stacked left of f(x) and ending there, and "
            f"{len(lowers)} that lower it, together {lowers['shap'].sum():+.3f}, starting at f(x) and "
            f"stacked to its right. The bar runs from {frame['start'].min():.3f} to "
            f"{frame['end'].max():.3f}; the base value {result.base_value:.3f} is marked by a dashed "
            f"line. The longest segment is {first['label']} ({first['shap']:+.3f})."),
    )

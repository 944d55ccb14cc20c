"""Charts for chapter 8 (*Where explanations fail*) and chapter 9 (the wrap-up).

:func:`agreement_chart`      method x method agreement (:func:`xaibook.agreement.agreement_table`),
                             with a metric menu and a ``k`` slider
:func:`spread_chart`         one dot per run (seed, refit, width) for each feature: how far an
                             explanation moves
:func:`tradeoff_chart`       several measures against one setting (the adversary's threshold)
:func:`effect_curves_chart`  one person's prediction as one feature moves, for several models
:func:`grouped_bars_chart`   a value per item for a few groups side by side (real vs shuffled labels,
                             one feature vs its copy)
:func:`report_card_chart`    feature x method heatmap of one person's explanations, scaled per method
:func:`decision_guide_chart` the book's methods placed by cost and a measured property

They only draw: every number comes from the method modules. Each builder gives its chart a title
and a description for screen readers, and refuses a frame that lacks the columns it needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from xaibook.charts._base import (
    NARROW_WIDTH,
    PALETTE,
    check_count,
    check_long_frame,
    check_top,
    describe,
    signed_scale,
    text_colour_on_fill,
    with_narrow_layout,
)

__all__ = [
    "agreement_chart",
    "place_labels",
    "spread_chart",
    "tradeoff_chart",
    "effect_curves_chart",
    "grouped_bars_chart",
    "report_card_chart",
    "decision_guide_chart",
]

DIGITS = 4


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(DIGITS)
    return out


# --------------------------------------------------------------------------------------------
# Agreement between methods
# --------------------------------------------------------------------------------------------
def agreement_chart(table: pd.DataFrame, *, k: int | None = None, metric: str = "feature agreement",
                      title: str | None = None, description: str | None = None) -> alt.Chart:
    """A method x method heatmap of one agreement metric at one ``k``, both chosen in the page.

    ``table`` is :func:`xaibook.agreement.agreement_table`'s long frame. A menu picks the metric
    and a slider picks ``k`` (starting at ``k``, default the middle of the computed values); each
    cell shows the value, 0 (no agreement) to 1 (full agreement).
    """
    table = check_long_frame(table, ["method_a", "method_b", "metric", "k", "value"], "table", numbers=["k", "value"],
                         unique=["method_a", "method_b", "metric", "k"])
    ks = sorted(int(v) for v in table["k"].unique())
    metrics = list(dict.fromkeys(table["metric"]))
    if metric not in metrics:
        raise ValueError(f"metric {metric!r} is not in the table; it has {metrics}")
    start = ks[len(ks) // 2] if k is None else check_count(k, "k")  # never int(2.7) == 2
    if start not in ks:
        raise ValueError(f"k={k} is not in the table; it has k = {ks}")
    order = list(dict.fromkeys(table["method_a"]))
    k_param = alt.param(name="k", value=start,
                        bind=alt.binding_range(min=ks[0], max=ks[-1], step=1, name="top k features "))
    metric_param = alt.param(name="metric", value=metric, bind=alt.binding_select(options=metrics, name="metric "))
    base = alt.Chart(_rounded(table)).transform_filter(
        (alt.datum.k == k_param) & (alt.datum.metric == metric_param)
    ).encode(
        x=alt.X("method_b:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("method_a:N", sort=order, title=None),
    )
    agreement_tooltip = [alt.Tooltip("method_a:N", title="method"), alt.Tooltip("method_b:N", title="against"),
                         alt.Tooltip("metric:N"), alt.Tooltip("k:Q"), alt.Tooltip("value:Q", format=".2f")]
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 1], scheme="viridis"), title="agreement"),
        tooltip=agreement_tooltip,
    )
    labels = base.mark_text(fontSize=13).encode(  # (the same tooltip: the pointer meets the number first)
        text=alt.Text("value:Q", format=".2f"), tooltip=agreement_tooltip,
        color=text_colour_on_fill("value"),
    )
    chart = (cells + labels).add_params(k_param, metric_param).properties(width=alt.Step(80), height=alt.Step(48))
    return describe(
        chart,
        title=title or "How much do the explanations agree?",
        description=description or (
            f"Heatmap of the agreement between {len(order)} explanation methods ({', '.join(order)}): "
            f"each cell is one metric (chosen in the menu: {', '.join(metrics)}) for the top k features, "
            "k chosen with the slider; 1 means full agreement, 0 none."),
    )


# --------------------------------------------------------------------------------------------
# Spread over runs
# --------------------------------------------------------------------------------------------
def spread_chart(frame: pd.DataFrame, *, feature: str = "feature", value: str = "value", run: str = "run",
           top: int | None = 10, x_title: str = "attribution", title: str | None = None,
           description: str | None = None, tooltip: Sequence[str] = ()) -> alt.Chart:
    """One dot per run for each feature, features sorted by mean ``|value|``; a rule at zero.

    ``frame`` is long: one row per (run, feature). ``top`` keeps the features of largest mean
    ``|value|``; ``tooltip`` adds columns to the dots' tooltips (for example a run's test score).
    """
    frame = check_long_frame(frame, [feature, value, run] + list(tooltip), numbers=[value], unique=[run, feature])
    top = check_top(top, frame[feature].nunique())
    order = (frame.groupby(feature)[value].apply(lambda v: np.abs(v).mean()).sort_values(ascending=False))
    keep = order.index[: top or len(order)].tolist()
    shown = _rounded(frame[frame[feature].isin(keep)][[feature, value, run] + list(tooltip)])
    shown[run] = shown[run].astype(str)
    dots = alt.Chart(shown).mark_circle(size=70, opacity=0.8).encode(
        x=alt.X(f"{value}:Q", title=x_title),
        y=alt.Y(f"{feature}:N", sort=keep, title=None),
        color=alt.Color(f"{run}:N", title=run, scale=alt.Scale(range=list(PALETTE))),
        tooltip=[alt.Tooltip(f"{run}:N"), alt.Tooltip(f"{feature}:N"), alt.Tooltip(f"{value}:Q", format=".4f")]
        + [alt.Tooltip(c) for c in tooltip],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#888888", strokeDash=[4, 3]).encode(x="x:Q")
    chart = (zero + dots).properties(width=420, height=alt.Step(24))
    n_runs = shown[run].nunique()
    return describe(
        chart,
        title=title or "How far does the explanation move?",
        description=description or (
            f"Dot plot of {x_title} for the {len(keep)} features with the largest mean absolute value, "
            f"one dot per run ({n_runs} runs), coloured by run; a dashed line marks zero."),
    )


# --------------------------------------------------------------------------------------------
# Several measures against one setting
# --------------------------------------------------------------------------------------------
def tradeoff_chart(frame: pd.DataFrame, *, x: str, x_title: str | None = None, y_title: str = "share",
             title: str | None = None, description: str | None = None) -> alt.Chart:
    """Lines with points: ``value`` against ``x`` for each ``measure`` (long frame), on a 0-1 axis."""
    frame = check_long_frame(frame, [x, "measure", "value"], numbers=[x], share=["value"], unique=[x, "measure"])
    data = _rounded(frame[[x, "measure", "value"]])
    chart = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=70)).encode(
        x=alt.X(f"{x}:Q", title=x_title or x),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(range=list(PALETTE)),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        tooltip=[alt.Tooltip("measure:N"), alt.Tooltip(f"{x}:Q", title=x_title or x),
                 alt.Tooltip("value:Q", format=".2f")],
    ).properties(width=420, height=260)
    measures = list(dict.fromkeys(data["measure"]))
    return describe(
        chart,
        title=title or "A trade-off",
        description=description or (
            f"Line chart of {len(measures)} measures ({'; '.join(measures)}) against {x_title or x}, "
            "each between 0 and 1."),
    )


# --------------------------------------------------------------------------------------------
# One person's prediction as a feature moves
# --------------------------------------------------------------------------------------------
def effect_curves_chart(frame: pd.DataFrame, *, feature: str, at: float | None = None,
                  y_title: str = "predicted probability", title: str | None = None,
                  description: str | None = None) -> alt.Chart:
    """One line per ``model`` of ``prediction`` against the value of ``feature``; a rule at ``at``."""
    frame = check_long_frame(frame, [feature, "model", "prediction"], numbers=[feature, "prediction"],
                         unique=[feature, "model"])
    data = _rounded(frame[[feature, "model", "prediction"]])
    lines = alt.Chart(data).mark_line(strokeWidth=2.5, interpolate="step-after").encode(
        x=alt.X(f"{feature}:Q", title=feature),
        y=alt.Y("prediction:Q", title=y_title),
        color=alt.Color("model:N", title=None, scale=alt.Scale(range=list(PALETTE)),
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip(f"{feature}:Q"), alt.Tooltip("prediction:Q", format=".3f")],
    )
    layers = [lines]
    if at is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [float(at)]})).mark_rule(color="#888888", strokeDash=[4, 3])
                      .encode(x="x:Q", tooltip=[alt.Tooltip("x:Q", title=f"this person's {feature}")]))
    chart = alt.layer(*layers).properties(width=420, height=260)
    models = list(dict.fromkeys(data["model"]))
    return describe(
        chart,
        title=title or f"The prediction as {feature} moves",
        description=description or (
            f"Line chart of the {y_title} for one person as {feature} moves over its range, one line per "
            f"model ({', '.join(models)})"
            + ("; a dashed line marks the person's own value." if at is not None else ".")),
    )


# --------------------------------------------------------------------------------------------
# Grouped bars
# --------------------------------------------------------------------------------------------
def grouped_bars_chart(frame: pd.DataFrame, *, item: str, value: str, group: str, x_title: str | None = None,
                 title: str | None = None, description: str | None = None) -> alt.Chart:
    """Horizontal bars of ``value`` per ``item``, one bar per ``group`` side by side; a rule at zero."""
    frame = check_long_frame(frame, [item, value, group], numbers=[value], unique=[item, group])
    data = _rounded(frame[[item, value, group]])
    order = list(dict.fromkeys(data[item]))
    groups = list(dict.fromkeys(data[group]))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=x_title or value),
        y=alt.Y(f"{group}:N", sort=groups, title=None, axis=None),
        row=alt.Row(f"{item}:N", sort=order, title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        color=alt.Color(f"{group}:N", sort=groups, title=None, scale=alt.Scale(range=list(PALETTE)),
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip(f"{item}:N"), alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{value}:Q", format=".4f")],
    ).properties(width=360, height=alt.Step(14))
    chart = bars.configure_facet(spacing=4).configure_header(labelFontSize=12)
    return describe(
        chart,
        title=title or f"{value} by {item}",
        description=description or (
            f"Bar chart of {x_title or value} for {len(order)} items ({', '.join(map(str, order[:8]))}"
            f"{', ...' if len(order) > 8 else ''}), one bar per {group} ({', '.join(map(str, groups))})."),
    )


# --------------------------------------------------------------------------------------------
# Chapter 9: report card and decision guide
# --------------------------------------------------------------------------------------------
#: Pixels of one character of a 12-pixel label (generous) and of the label's height, for placing labels.
_LABEL_CHAR_PX = 7.0
_LABEL_HEIGHT_PX = 14.0
#: Where a point's label may go, in order of preference: (side, text align, dx, dy) in pixels.
_LABEL_SPOTS = (("right", "left", 10, 0), ("left", "right", -10, 0), ("above", "center", 0, -16),
                ("below", "center", 0, 16))


def _overlap_area(a: tuple, b: tuple) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def place_labels(px: np.ndarray, py: np.ndarray, texts: Sequence[str], *, width: float, height: float,
                 obstacles: Sequence[tuple] = ()) -> list[tuple[str, str, float, float]]:
    """A spot for each point's label (points at pixel positions ``px``, ``py`` in a plot ``width`` x
    ``height``): the first of right, left, above, below whose box stays in the plot and covers no
    point, no placed label and no ``obstacle`` box ``(x1, y1, x2, y2)``; where none is free, the one
    that covers least. Returns ``(side, align, x, y)`` per point, the label's anchor in pixels.
    (A greedy version of the point-feature labelling of Christensen, Marks & Shieber 1995.)"""
    taken = [(x - 8, y - 8, x + 8, y + 8) for x, y in zip(px, py)] + list(obstacles)
    spots = []
    for x, y, text in zip(px, py, texts):
        w, h = len(str(text)) * _LABEL_CHAR_PX, _LABEL_HEIGHT_PX
        best = None
        for side, align, dx, dy in _LABEL_SPOTS:
            left = x + dx - {"left": 0.0, "right": w, "center": w / 2}[align]
            box = (left, y + dy - h / 2, left + w, y + dy + h / 2)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - width) + max(0.0, -box[1]) + max(0.0, box[3] - height)
            cost = sum(_overlap_area(box, other) for other in taken) + outside * h * 10
            if best is None or cost < best[0]:
                best = (cost, (side, align, x + dx, y + dy), box)
            if cost == 0:
                break
        spots.append(best[1])
        taken.append(best[2])
    return spots


def _padded(values: np.ndarray, share: float = 0.08) -> list[float]:
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = (high - low) * share or 0.5
    return [round(low - pad, DIGITS), round(high + pad, DIGITS)]


def _to_pixels(values, domain: list[float], length: int, *, upwards: bool = False) -> np.ndarray:
    """Positions of ``values`` on a linear scale over ``domain`` drawn ``length`` pixels long (a y
    axis runs upwards: its pixels count from the top)."""
    share = (np.asarray(values, dtype=float) - domain[0]) / (domain[1] - domain[0])
    return (1 - share) * length if upwards else share * length


def _guide_layers(data: pd.DataFrame, x: str, y: str, interval: list, x_title: str, y_title: str, *,
                  width: int, height: int = 300) -> alt.LayerChart:
    """The decision guide ``width`` pixels wide: intervals, points, and labels placed clear of both."""
    x_domain = _padded(data[x].to_numpy(dtype=float))
    y_domain = _padded(data[[y] + interval].to_numpy(dtype=float))
    px = _to_pixels(data[x], x_domain, width)
    py = _to_pixels(data[y], y_domain, height, upwards=True)
    bars = []
    if interval:
        ends = [_to_pixels(data[column], y_domain, height, upwards=True) for column in interval]
        bars = [(x0 - 2, min(a, b), x0 + 2, max(a, b)) for x0, a, b in zip(px, *ends) if np.isfinite(a + b)]
    spots = place_labels(px, py, data["method"].tolist(), width=width, height=height, obstacles=bars)
    data = data.assign(label_side=[spot[0] for spot in spots])
    tooltip = [alt.Tooltip(f"{c}:{'Q' if pd.api.types.is_numeric_dtype(data[c]) else 'N'}")
               for c in data.columns if c != "label_side"]
    base = alt.Chart(data)
    x_axis = alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(domain=x_domain, nice=False, zero=False))
    y_axis = alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(domain=y_domain, nice=False, zero=False))
    colour = alt.Color("scope:N", title="scope", scale=alt.Scale(range=list(PALETTE)),
                       legend=alt.Legend(orient="bottom"))  # (beside the plot it covered a label)
    points = base.mark_circle(size=160, opacity=0.85).encode(x=x_axis, y=y_axis, color=colour, tooltip=tooltip)
    layers = [points]
    for side, align, dx, dy in _LABEL_SPOTS:  # one text layer per side of the point
        layers.append(base.transform_filter(alt.datum.label_side == side).mark_text(
            align=align, baseline="middle", dx=dx, dy=dy, fontSize=12).encode(
            x=x_axis, y=y_axis, text="method:N", color=alt.value("#666666"), tooltip=tooltip))
    if interval:
        valid = f"isValid(datum['{interval[0]}']) && isValid(datum['{interval[1]}'])"
        rules = base.transform_filter(valid).mark_rule(strokeWidth=2, opacity=0.8).encode(
            x=x_axis, y=alt.Y(f"{interval[0]}:Q", title=y_title), y2=alt.Y2(f"{interval[1]}"), color=colour,
            tooltip=tooltip)
        layers.insert(0, rules)
    return alt.layer(*layers).properties(width=width, height=height)


def report_card_chart(frame: pd.DataFrame, *, top: int | None = 10, title: str | None = None,
                description: str | None = None) -> alt.Chart:
    """Feature x method heatmap of one person's explanations (long: ``method, feature, value``).

    Each method's values are divided by its largest ``|value|`` (``scaled``, -1 to 1) so that
    methods on different scales share one colour scale; the tooltip gives the raw value and the
    feature's rank within the method. Features sorted by mean scaled ``|value|``.
    """
    frame = check_long_frame(frame, ["method", "feature", "value"], numbers=["value"], unique=["method", "feature"])
    top = check_top(top, frame["feature"].nunique())
    data = frame[["method", "feature", "value"]].copy()
    peak = data.groupby("method")["value"].transform(lambda v: np.abs(v).max())
    data["scaled"] = np.where(peak > 0, data["value"] / peak.where(peak > 0, 1.0), 0.0)
    data["rank"] = data["value"].abs().groupby(data["method"]).rank(method="first", ascending=False).astype(int)
    order = data.groupby("feature")["scaled"].apply(lambda v: np.abs(v).mean()).sort_values(ascending=False)
    keep = order.index[: top or len(order)].tolist()
    data = _rounded(data[data["feature"].isin(keep)])
    methods = list(dict.fromkeys(data["method"]))
    # on a phone the method names stand upright over narrower columns (slanted, they overprint)
    chart = with_narrow_layout(_card_layers(data, methods, keep, step=90, angle=-30),
                               _card_layers(data, methods, keep, step=32, angle=-90))
    return describe(
        chart,
        title=title or "One person, every explanation",
        description=description or (
            f"Heatmap of {len(keep)} features by {len(methods)} explanation methods ({', '.join(methods)}); "
            "colour is the value as a share of the method's largest absolute value (orange raises the "
            "prediction, blue lowers it), the number in each cell the feature's rank within the method."),
    )


def _card_layers(data: pd.DataFrame, methods: list, keep: list, *, step: int, angle: int) -> alt.LayerChart:
    """The report card's cells and rank numbers, ``step`` pixels per method, names at ``angle``."""
    base = alt.Chart(data).encode(
        x=alt.X("method:N", sort=methods, title=None, axis=alt.Axis(labelAngle=angle, orient="top", labelLimit=0)),
        y=alt.Y("feature:N", sort=keep, title=None),
    )
    card_tooltip = [alt.Tooltip("method:N"), alt.Tooltip("feature:N"), alt.Tooltip("value:Q", format=".4f"),
                    alt.Tooltip("rank:Q", title="rank within the method")]
    cells = base.mark_rect().encode(
        color=alt.Color("scaled:Q", scale=signed_scale(1.0),
                        title=["value / the method's", "largest |value|"]),
        tooltip=card_tooltip,
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("rank:Q"), tooltip=card_tooltip,
        color=text_colour_on_fill("scaled"))
    return (cells + labels).properties(width=alt.Step(step), height=alt.Step(24))


def decision_guide_chart(frame: pd.DataFrame, *, x: str, y: str, x_title: str | None = None,
                         y_title: str | None = None, y_low: str | None = None, y_high: str | None = None,
                         title: str | None = None, description: str | None = None) -> alt.Chart:
    """The methods as labelled points: ``x`` against ``y``, coloured by ``scope``, tooltips for all columns.

    ``y_low`` and ``y_high`` name the columns of an interval around ``y`` (drawn as a vertical bar
    where both are given; a method whose interval is missing gets none).
    """
    if (y_low is None) != (y_high is None):
        raise ValueError("give both y_low and y_high for an interval, or neither")
    interval = [] if y_low is None else [y_low, y_high]
    frame = check_long_frame(frame, ["method", "scope", x, y] + interval, numbers=[x, y], unique=["method"])
    data = _rounded(frame)
    chart = with_narrow_layout(*(_guide_layers(data, x, y, interval, x_title or x, y_title or y, width=width)
                                 for width in (440, NARROW_WIDTH - 60)))
    extra = " with 95% intervals as vertical bars" if interval else ""
    return describe(
        chart,
        title=title or "Which method for which question?",
        description=description or (
            f"Scatter plot of {len(data)} explanation methods ({', '.join(data['method'])}) by "
            f"{x_title or x} and {y_title or y}{extra}, coloured by scope; hover a point for its details."),
    )

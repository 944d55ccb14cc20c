"""Charts for glass-box models: coefficients, trees, metrics, the method map and the what-if.

Builders take the result objects of :mod:`xaibook.glassbox` (or the model zoo's metrics table)
and return Altair charts with a title and a screen-reader description:

:func:`coefficient_chart`     odds ratios (log scale) or log-odds coefficients with CI error bars
:func:`contribution_chart`    one row's log-odds split into per-feature contributions
:func:`tree_chart`            a tree as an icicle chart (width = share of training rows)
:func:`decision_path_chart`   how the predicted probability moves along one row's path
:func:`shape_function_chart`  the shape functions of a spline GAM
:func:`metrics_chart`         held-out ROC AUC and accuracy of glass-box and opaque models
:func:`method_map_chart`      the explanation methods by scope, model dependence and cost
:func:`whatif_chart`          sliders that move a logistic model's probability live in the browser
"""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

from xaibook.charts._base import (
    NARROW_WIDTH,
    OUTCOME_COLORS,
    PALETTE,
    check_long_frame,
    check_result,
    check_top,
    describe,
    diverging_scale,
    text_colour_on_fill,
    with_narrow_layout,
    zero_rule,
)
from xaibook.glassbox import (
    DecisionPath,
    LogisticCoefficients,
    LogisticContributions,
    ShapeFunctions,
    TreeRules,
    WhatIfSpec,
)

__all__ = [
    "WHATIF_SIGNAL", "WHATIF_TEXT_NAME", "WHATIF_TEXT_SELECTOR", "coefficient_chart",
    "contribution_chart", "icicle_layout", "tree_chart", "decision_path_chart",
    "shape_function_chart", "metrics_chart", "method_map_chart", "whatif_expected_text",
    "whatif_chart",
]

#: Name of the Vega signal holding the what-if probability, and of the text mark showing it.
WHATIF_SIGNAL = "whatif_probability"
WHATIF_TEXT_NAME = "whatif_probability_text"
#: CSS selector of the SVG text element that shows the what-if probability (3 decimals).
WHATIF_TEXT_SELECTOR = f"g.{WHATIF_TEXT_NAME}_marks text"


def _class_label(value, labels: dict | None) -> str:
    return str(labels.get(value, value)) if labels else str(value)


# --------------------------------------------------------------------------- coefficients

def coefficient_chart(result: LogisticCoefficients, *, axis: str = "odds-ratio", top: int | None = None,
                      outcome: str = "class 1", title: str | None = None,
                      description: str | None = None) -> alt.Chart:
    """Odds ratios (``axis="odds-ratio"``: log axis, reference line at 1) or log-odds coefficients
    (``axis="log-odds"``: line at 0) with confidence-interval error bars, one row per transformed
    feature, largest effects first.

    Hovering a row highlights every level of the same raw feature. ``top`` keeps the ``top``
    largest ``|coefficient|`` rows; ``outcome`` names class 1 in the text (e.g. "bad credit risk").
    """
    check_result(result, LogisticCoefficients, name="result")
    if axis not in ("odds-ratio", "log-odds"):
        raise ValueError(f"axis must be 'odds-ratio' or 'log-odds', got {axis!r}")
    frame = result.to_frame(sort=True)
    frame = frame.head(check_top(top, len(frame)))
    frame = frame.assign(
        effect=np.where(frame["coefficient"] > 0, f"raises the odds of {outcome}",
                        f"lowers the odds of {outcome}"),
        raw_feature=frame["raw_feature"].fillna(frame["feature"]),
    )[["feature", "raw_feature", "reading", "coefficient", "ci_low", "ci_high", "odds_ratio",
       "odds_ratio_low", "odds_ratio_high", "effect"]]
    if axis == "odds-ratio":
        x, lo, hi, ref = "odds_ratio", "odds_ratio_low", "odds_ratio_high", 1.0
        axis_title = f"odds ratio for {outcome} (log scale)"
        x_scale = alt.Scale(type="log")
    else:
        x, lo, hi, ref = "coefficient", "ci_low", "ci_high", 0.0
        axis_title = f"coefficient (change in log-odds of {outcome})"
        x_scale = alt.Scale(zero=False)
    hover = alt.selection_point(fields=["raw_feature"], on="pointerover", empty=False)
    order = list(frame["feature"])
    y = alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    colour = alt.Color("effect:N", title=None,
                       scale=alt.Scale(domain=[f"raises the odds of {outcome}",
                                               f"lowers the odds of {outcome}"],
                                       range=[OUTCOME_COLORS["bad"], OUTCOME_COLORS["good"]]),
                       legend=alt.Legend(orient="bottom", labelLimit=400))
    tooltip = [alt.Tooltip("feature:N"), alt.Tooltip("reading:N", title="reads as"),
               alt.Tooltip("coefficient:Q", format=".3f"),
               alt.Tooltip("odds_ratio:Q", format=".3f", title="odds ratio"),
               alt.Tooltip(f"{lo}:Q", format=".3f", title=f"{result.confidence:.0%} CI low"),
               alt.Tooltip(f"{hi}:Q", format=".3f", title=f"{result.confidence:.0%} CI high")]
    base = alt.Chart(frame)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X(f"{lo}:Q", scale=x_scale, title=axis_title), x2=f"{hi}:Q", y=y, color=colour,
        tooltip=tooltip)
    points = base.mark_point(filled=True, size=60, opacity=1).encode(
        x=f"{x}:Q", y=y, color=colour, tooltip=tooltip,
        size=alt.condition(hover, alt.value(150), alt.value(60)),
        stroke=alt.condition(hover, alt.value(PALETTE[1]), alt.value(None)),
    ).add_params(hover)
    rule = zero_rule("x", at=ref)  # no effect: odds ratio 1, coefficient 0
    chart = (rule + bars + points).properties(height=alt.Step(16), width=380)
    what = "odds ratios on a log axis" if axis == "odds-ratio" else "log-odds coefficients"
    method = ("Wald (ridge sandwich)" if result.method == "wald"
              else f"bootstrap ({result.n_bootstrap} refits)")
    return describe(
        chart,
        title=title or f"Logistic regression: {what} with {result.confidence:.0%} intervals",
        subtitle=f"Intervals: {method}. Numeric features per 1 SD; one-hot levels as stated in the tooltip.",
        description=description or (
            f"Dot-and-whisker chart of {len(frame)} logistic-regression effects, sorted by size. "
            f"Each row is one transformed feature; the dot is its {what[:-1]}, the line its "
            f"{result.confidence:.0%} confidence interval, coloured by whether it raises or lowers "
            f"the odds of {outcome}. The dashed line marks no effect."),
    )


def contribution_chart(result: LogisticContributions, *, top: int | None = 10, outcome: str = "class 1",
                       title: str | None = None,
                       description: str | None = None) -> alt.Chart:
    """Bars of one row's per-feature contributions to the log-odds (positive = towards
    ``outcome``), with interval whiskers when they were computed; the ``top`` largest shown."""
    check_result(result, LogisticContributions, name="result")
    frame = result.to_frame()
    if top is not None:
        if not isinstance(top, int) or top < 1:
            raise ValueError(f"top must be a positive int, got {top!r}")
        frame = frame.head(top)
    frame = frame.assign(value=frame["value"].astype(str),
                         label=frame["feature"] + " = " + frame["value"].astype(str),
                         direction=np.where(frame["contribution"] > 0, f"towards {outcome}",
                                            f"away from {outcome}"))
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    tooltip = [alt.Tooltip("feature:N"), alt.Tooltip("value:N", title="this row's value"),
               alt.Tooltip("contribution:Q", format=".3f", title="contribution (log-odds)")]
    if "ci_low" in frame.columns:
        tooltip += [alt.Tooltip("ci_low:Q", format=".3f", title="interval low"),
                    alt.Tooltip("ci_high:Q", format=".3f", title="interval high")]
    base = alt.Chart(frame)
    bars = base.mark_bar().encode(
        x=alt.X("contribution:Q", title=f"contribution to the log-odds of {outcome}"), y=y,
        color=alt.Color("direction:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[f"towards {outcome}", f"away from {outcome}"],
                                        range=[OUTCOME_COLORS["bad"], OUTCOME_COLORS["good"]])),
        tooltip=tooltip)
    layers = [bars]
    if "ci_low" in frame.columns:
        layers.append(base.mark_rule(color=PALETTE[7], strokeWidth=2).encode(
            x="ci_low:Q", x2="ci_high:Q", y=y, tooltip=tooltip))
    chart = alt.layer(*layers).properties(width=380, height=alt.Step(20))
    interval = (f" Whiskers: {result.confidence:.0%} intervals from the coefficients' uncertainty."
                if "ci_low" in frame.columns else "")
    return describe(
        chart,
        title=title or (f"Why this prediction: log-odds {result.log_odds:.2f} "
                        f"vs {result.base_value:.2f} on average"),
        subtitle=f"P({outcome}) = {result.probability:.3f}; bars add up to the difference.{interval}",
        description=description or (
            f"Horizontal bars for the {len(frame)} largest contributions of single features to one "
            f"row's log-odds of {outcome}, relative to the average row; bars to the right push "
            f"towards {outcome}, bars to the left away from it." + interval),
    )


# --------------------------------------------------------------------------- trees

def icicle_layout(nodes: pd.DataFrame) -> pd.DataFrame:
    """Add ``x0``/``x1`` to :attr:`TreeRules.nodes`: each node's share of the (weighted) training
    rows as an interval of [0, 1], left child first, for an icicle chart."""
    x0 = np.zeros(len(nodes))
    x1 = np.zeros(len(nodes))
    x1[0] = 1.0
    weight = nodes["weight"].to_numpy()
    children: dict[int, list[int]] = {}
    for node, parent in zip(nodes["node"], nodes["parent"]):
        if parent >= 0:
            children.setdefault(int(parent), []).append(int(node))
    for node in range(len(nodes)):  # parents come before children; the left child first
        kids = children.get(node)
        if not kids:
            continue
        left, right = kids
        x0[left] = x0[node]
        x1[left] = x0[node] + weight[left] / weight[0]
        x0[right] = x1[left]
        x1[right] = x1[node]
    return nodes.assign(x0=x0, x1=x1)


#: Width of the icicle chart (pixels); a box's label is cut to the box.
ICICLE_WIDTH = 640
#: Narrowest box (pixels) that gets a label ("P = 0.42" needs about 60).
ICICLE_MIN_LABEL_PX = 60
#: Average width of one character of an 11-pixel label (generous), for cutting labels to a box.
CHAR_PX = 6.5


def _fit_text(text: str, width: float) -> str:
    """``text`` cut (with an ellipsis) to what an 11-pixel label shows in ``width`` pixels."""
    room = max(1, int((width - 6) // CHAR_PX))
    return text if len(text) <= room else text[:max(0, room - 1)].rstrip() + "…"


def _icicle_layers(nodes: pd.DataFrame, rules: TreeRules, outcome: str, outline: bool, *,
                   width: int) -> alt.LayerChart:
    """The icicle chart ``width`` pixels wide: boxes, the path's outline, and the labels that fit."""
    x = alt.X("x0:Q", axis=None, scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("y0:Q", axis=None, scale=alt.Scale(domain=[int(nodes["y1"].max()), 0]))
    tooltip = [alt.Tooltip("edge:N", title="reached if"), alt.Tooltip("test:N", title="then tests"),
               alt.Tooltip("n_samples:Q", title="training rows"),
               alt.Tooltip("probability:Q", format=".3f", title=f"share {outcome}")]
    # a box is labelled where the labels fit it: at least a tenth of the width and 60 pixels
    labelled = (nodes["x1"] - nodes["x0"]) >= max(0.1, ICICLE_MIN_LABEL_PX / width)
    nodes = nodes.assign(
        label=[_fit_text(text, (x1 - x0) * width) if keep else ""
               for text, x0, x1, keep in zip(nodes["edge"].fillna(""), nodes["x0"], nodes["x1"], labelled)],
        share=np.where(labelled, nodes["probability"].map(lambda p: f"P = {p:.2f}"), ""))
    base = alt.Chart(nodes)
    rects = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        x=x, x2="x1:Q", y=y, y2="y1:Q",
        color=alt.Color("probability:Q", title=f"share {outcome}",
                        scale=diverging_scale(domain=[0, 1],
                                              domainMid=rules.nodes.loc[0, "probability"])),
        tooltip=tooltip)
    layers = [rects]
    if outline:
        layers.append(base.transform_filter("datum.on_path").mark_rect(
            fill=None, stroke=PALETTE[3], strokeWidth=3).encode(x=x, x2="x1:Q", y=y, y2="y1:Q",
                                                               tooltip=tooltip))
    # white or black, whichever reads better on the box's own fill (in both site themes)
    ink = text_colour_on_fill("probability")
    text = base.mark_text(fontSize=11, dy=-7).encode(
        x="xm:Q", y=alt.Y("y0:Q", axis=None), text="label:N", tooltip=tooltip, color=ink)
    share = base.mark_text(fontSize=11, dy=8).encode(
        x="xm:Q", y=alt.Y("y0:Q", axis=None), text="share:N", tooltip=tooltip, color=ink)
    mid = nodes.assign(y0=nodes["y0"] + 0.5)
    return alt.layer(*layers, text.properties(data=mid), share.properties(data=mid)).properties(
        width=width, height=70 * int(nodes["y1"].max()))


def tree_chart(rules: TreeRules, *, path: DecisionPath | None = None, outcome: str = "class 1",
               title: str | None = None,
               description: str | None = None) -> alt.Chart:
    """An icicle chart of a tree: one rectangle per node, depth downwards, width = share of the
    training rows reaching it, colour = share of ``outcome`` there. The test that leads into a
    node is written in it (tooltips give all of it); ``path`` outlines one row's nodes."""
    check_result(rules, TreeRules, name="rules")
    if path is not None:
        check_result(path, DecisionPath, name="path")
    nodes = icicle_layout(rules.nodes)
    on_path = set() if path is None else {s.node for s in path.steps} | {path.leaf}
    nodes = nodes.assign(
        y0=nodes["depth"], y1=nodes["depth"] + 1,
        edge=nodes["edge"].fillna("all training rows"),
        on_path=nodes["node"].isin(on_path),
        xm=(nodes["x0"] + nodes["x1"]) / 2,
    )[["node", "depth", "is_leaf", "edge", "test", "n_samples", "probability", "x0", "x1",
       "y0", "y1", "xm", "on_path"]]
    chart = with_narrow_layout(*(_icicle_layers(nodes, rules, outcome, path is not None, width=width)
                                 for width in (ICICLE_WIDTH, NARROW_WIDTH)))
    extra = " The outlined boxes are the path of the selected row." if path is not None else ""
    return describe(
        chart,
        title=title or f"Decision tree: {len(rules)} leaves, read top to bottom",
        subtitle="Box width = share of training rows; colour = share of " + outcome + "; hover for the test.",
        description=description or (
            f"Icicle chart of a decision tree with {len(nodes)} nodes and {len(rules)} leaves. "
            "Each row of boxes is one depth; a box's width is the share of training rows that "
            f"reach the node and its colour the share of {outcome} among them; the label names "
            "the test that leads into the node." + extra),
    )


def decision_path_chart(path: DecisionPath, *, outcome: str = "class 1",
                        title: str | None = None,
                        description: str | None = None) -> alt.Chart:
    """The share of ``outcome`` among training rows at each node along one row's path, from the
    root (all rows) to the leaf (the prediction), labelled with the test the row passed."""
    check_result(path, DecisionPath, name="path")
    labels = ["start: all training rows"] + [f"{i + 1}. {s.condition.text}" for i, s in enumerate(path.steps)]
    probabilities = [s.probability for s in path.steps] + [path.probability]
    n = [s.n_samples for s in path.steps] + [path.leaf_n_samples]
    values = ["" if s.raw_value is None else str(s.raw_value) for s in path.steps] + [""]
    frame = pd.DataFrame({"step": range(len(labels)), "test": labels, "probability": probabilities,
                          "n_samples": n, "row_value": [""] + values[:-1]})
    # the test at step i+1 is passed with the row's value of step i's feature
    frame["row_value"] = [""] + [str(s.raw_value) for s in path.steps]
    y = alt.Y("test:N", sort=labels, title=None, axis=alt.Axis(labelLimit=360))
    x = alt.X("probability:Q", title=f"share of {outcome} among training rows at the node",
              scale=alt.Scale(domain=[0, 1]))
    tooltip = [alt.Tooltip("test:N", title="passed"), alt.Tooltip("row_value:N", title="row's value"),
               alt.Tooltip("n_samples:Q", title="training rows"),
               alt.Tooltip("probability:Q", format=".3f", title=f"share {outcome}")]
    base = alt.Chart(frame)
    line = base.mark_line(color=PALETTE[7]).encode(x=x, y=y, order="step:Q")
    points = base.mark_point(filled=True, size=90).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("probability:Q", scale=diverging_scale(domain=[0, 1],
                                                              domainMid=path.root_probability),
                        legend=None))
    text = base.mark_text(align="left", dx=9, fontSize=11).encode(
        x=x, y=y, text=alt.Text("probability:Q", format=".2f"))
    chart = (line + points + text).properties(width=420, height=alt.Step(34))
    return describe(
        chart,
        title=title or f"Decision path: P({outcome}) = {path.probability:.3f} at leaf {path.leaf}",
        description=description or (
            f"Path of one row through a decision tree in {len(path.steps)} tests. Each point is the "
            f"share of {outcome} among the training rows at that node, from "
            f"{path.root_probability:.3f} at the root to {path.probability:.3f} at the leaf, "
            "which is the tree's predicted probability for the row."),
    )


def shape_function_chart(shapes: ShapeFunctions, *, outcome: str = "class 1", columns: int = 3,
                         title: str | None = None,
                         description: str | None = None) -> alt.Chart:
    """Small multiples of a GAM's shape functions ``f_j(x)`` (log-odds, centred at 0)."""
    check_result(shapes, ShapeFunctions, name="shapes")
    frame = shapes.to_frame()
    frame = frame.assign(value=frame["value"].round(4), contribution=frame["contribution"].round(4))
    curve = alt.Chart().mark_line(strokeWidth=2).encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False)),
        y=alt.Y("contribution:Q", title=f"f(x): log-odds of {outcome}"),
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("value:Q", format=".4g"),
                 alt.Tooltip("contribution:Q", format=".3f", title="f(x)")])
    zero = zero_rule("y")
    chart = alt.layer(zero, curve, data=frame).properties(width=190, height=130).facet(
        facet=alt.Facet("feature:N", title=None), columns=columns).resolve_scale(x="independent")
    return describe(
        chart,
        title=title or "Shape functions of a spline GAM",
        description=description or (
            f"One small line chart per numeric feature ({', '.join(shapes.features)}) showing its "
            f"additive contribution to the log-odds of {outcome}, centred to average zero; "
            "the dashed line is no contribution."),
    )


# --------------------------------------------------------------------------- metrics

def metrics_chart(metrics: pd.DataFrame, *, title: str | None = None,
                  description: str | None = None) -> alt.Chart:
    """Held-out ROC AUC (filled circles) and accuracy (open squares) per model and case.

    ``metrics`` is ``models.metrics_table()``: columns ``case``, ``label`` (or ``model``),
    ``kind`` (``"glass-box"``/``"opaque"``), ``roc_auc``, ``accuracy``.
    """
    if not isinstance(metrics, pd.DataFrame):
        raise TypeError(f"metrics must be a DataFrame (models.metrics_table()), got {type(metrics).__name__}")
    needed = {"case", "kind", "roc_auc", "accuracy"}
    missing = needed - set(metrics.columns)
    if missing or not ({"label", "model"} & set(metrics.columns)):
        raise ValueError(f"metrics lacks columns {sorted(missing) or ['label']}; pass models.metrics_table()")
    name = "label" if "label" in metrics.columns else "model"
    check_long_frame(metrics, ["case", name], "metrics", share=["roc_auc", "accuracy"], unique=["case", name],
                     source="models.metrics_table()")
    frame = metrics[["case", name, "kind", "roc_auc", "accuracy"]].rename(columns={name: "model"})
    long = frame.melt(id_vars=["case", "model", "kind"], value_vars=["roc_auc", "accuracy"],
                      var_name="metric", value_name="score")
    long["metric"] = long["metric"].map({"roc_auc": "ROC AUC", "accuracy": "accuracy"})
    long["score"] = long["score"].round(4)
    order = list(frame.sort_values(["kind", "model"], ascending=[True, True])["model"].unique())
    low = float(np.floor(long["score"].min() * 20) / 20)
    kinds = alt.Scale(domain=["glass-box", "opaque"], range=[PALETTE[2], PALETTE[0]])
    encoding = dict(
        x=alt.X("score:Q", scale=alt.Scale(domain=[min(low, 0.6), 1.0]), title="held-out score (test split)"),
        y=alt.Y("model:N", sort=order, title=None),
        color=alt.Color("kind:N", title="model kind", scale=kinds),
        tooltip=[alt.Tooltip("case:N"), alt.Tooltip("model:N"), alt.Tooltip("kind:N"),
                 alt.Tooltip("metric:N"), alt.Tooltip("score:Q", format=".3f")],
    )
    auc = alt.Chart().transform_filter("datum.metric == 'ROC AUC'").mark_point(
        shape="circle", filled=True, size=110, opacity=1).encode(**encoding)
    accuracy = alt.Chart().transform_filter("datum.metric == 'accuracy'").mark_point(
        shape="square", filled=False, size=110, strokeWidth=2, opacity=1).encode(**encoding)
    chart = alt.layer(auc, accuracy, data=long).properties(width=300, height=alt.Step(22)).facet(
        row=alt.Row("case:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
    return describe(
        chart,
        title=title or "Glass-box vs opaque models on held-out data",
        subtitle="Filled circle: ROC AUC; open square: accuracy at threshold 0.5.",
        description=description or (
            "Dot plot of the test-split ROC AUC and accuracy of each model in the zoo, one panel "
            "per case study, coloured by glass-box or opaque, so the size of the accuracy gap "
            "between interpretable and opaque models can be read directly."),
    )


# --------------------------------------------------------------------------- method map

def _method_map_views(long: pd.DataFrame, data: pd.DataFrame, order: list, *, narrow: bool) -> alt.HConcatChart:
    """The map's three columns (scope, cost, chapter), laid out for a phone where ``narrow``."""
    # (labelLimit: the longest method name, "Accumulated local effects", is read whole)
    y = alt.Y("method:N", sort=order, title=None, axis=alt.Axis(labelLimit=84 if narrow else 260))
    colour = alt.Color("dependence:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=["model-agnostic", "model-specific"],
                                       range=[PALETTE[0], PALETTE[1]]))
    tooltip = [alt.Tooltip("method:N"), alt.Tooltip("dependence:N", title="works on"),
               alt.Tooltip("output:N", title="gives"), alt.Tooltip("cost:N", title="cost"),
               alt.Tooltip("chapter_text:N", title="chapter")]
    scope = alt.Chart(long).mark_point(filled=True, size=140, opacity=1).encode(
        x=alt.X("scope:N", sort=["global", "local"], title="scope",
                axis=alt.Axis(labelAngle=-90 if narrow else 0, orient="top")),
        y=y, color=colour, tooltip=tooltip).properties(width=40 if narrow else 110, height=alt.Step(22))
    cost = alt.Chart(data).mark_bar().encode(
        x=alt.X("cost_level:Q", title=["cost", "(1 free, 4 exp.)"] if narrow else
                "cost (1 = free ... 4 = exponential)", scale=alt.Scale(domain=[0, 4]),
                axis=alt.Axis(tickCount=4, orient="top")),
        y=alt.Y("method:N", sort=order, axis=None), color=colour, tooltip=tooltip,
    ).properties(width=64 if narrow else 160, height=alt.Step(22))
    chapter = alt.Chart(data).mark_text(align="left").encode(
        y=alt.Y("method:N", sort=order, axis=None), text="chapter_text:N", tooltip=tooltip,
    ).properties(width=30 if narrow else 40, height=alt.Step(22), title="where")
    return alt.hconcat(scope, cost, chapter, spacing=8)


def method_map_chart(frame: pd.DataFrame, *, title: str | None = None,
                     description: str | None = None) -> alt.Chart:
    """The map of methods (``overview.method_map()``): scope as filled dots, cost as bars,
    colour = model-agnostic or model-specific, tooltips with the cost and the chapter."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a DataFrame (overview.method_map()), got {type(frame).__name__}")
    needed = {"method", "local", "global", "agnostic", "cost_level", "cost", "chapter", "output"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks columns {sorted(missing)}; pass overview.method_map()")
    data = frame.assign(dependence=np.where(frame["agnostic"], "model-agnostic", "model-specific"),
                        chapter_text="ch. " + frame["chapter"].astype(str))
    order = list(data.sort_values(["chapter", "cost_level"])["method"])
    long = data.melt(id_vars=["method", "dependence", "cost", "output", "chapter_text"],
                     value_vars=["global", "local"], var_name="scope", value_name="applies")
    long = long[long["applies"]]
    # on a phone: the scope's names upright, a narrower cost column, method names cut (tooltips
    # keep them whole)
    chart = with_narrow_layout(_method_map_views(long, data, order, narrow=False),
                               _method_map_views(long, data, order, narrow=True))
    return describe(
        chart,
        title=title or "A map of explanation methods",
        description=description or (
            f"Table-like chart of {len(data)} explanation methods. For each method, dots show "
            "whether it explains globally, locally or both; a bar shows its computational cost "
            "from 1 (free) to 4 (exponential); colour says whether it works on any model or on "
            "one model family; the last column names the chapter that treats it."),
    )


# --------------------------------------------------------------------------- what-if

def _signal_name(feature: str) -> str:
    return "whatif_" + re.sub(r"\W", "_", feature)


def whatif_expected_text(spec: WhatIfSpec) -> str:
    """The text the what-if chart shows before any slider moves: ``spec.probability`` to 3 d.p.

    In the built page the chart is drawn as SVG; the text is the ``textContent`` of the element
    matched by :data:`WHATIF_TEXT_SELECTOR`, and the Vega signal :data:`WHATIF_SIGNAL` holds the
    unrounded probability.
    """
    check_result(spec, WhatIfSpec, name="spec")
    return f"{spec.probability:.3f}"


def whatif_chart(spec: WhatIfSpec, *, labels: dict[str, str] | None = None, threshold: float = 0.5,
                 outcome: str = "class 1", title: str | None = None,
                 description: str | None = None) -> alt.Chart:
    """Sliders (one per feature of ``spec``, starting at the row's values) that recompute the
    logistic model's probability in the browser with the Vega expression
    ``1/(1+exp(-(b0 + w1*x1 + ...)))`` (all other features held at the row's values).

    The probability is the top-level signal ``whatif_probability``; a bar and a text mark (named
    ``whatif_probability_text``, 3 decimals) show it; a dashed rule marks ``threshold`` and a grey
    tick the row's own probability. The chart renders as SVG so the text is readable in the DOM.
    The sliders work with the arrow keys, and ``usermeta.xaibook.announce`` makes the page read
    the new probability out to a screen reader after every move.
    """
    check_result(spec, WhatIfSpec, name="spec")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    labels = labels or {}
    unknown = sorted(set(labels) - set(spec.features))
    if unknown:
        raise ValueError(f"labels for unknown feature(s) {unknown}; sliders are {list(spec.features)}")
    names = {f: _signal_name(f) for f in spec.features}
    sliders = []
    for f in spec.features:
        low, high, step = spec.ranges[f]
        sliders.append(alt.param(name=names[f], value=spec.values[f],
                                 bind=alt.binding_range(min=low, max=high, step=step,
                                                        name=f"{labels.get(f, f)} ")))
    probability = alt.param(name=WHATIF_SIGNAL, expr=spec.expression(names))
    frame = pd.DataFrame({"outcome": [outcome]})
    base = alt.Chart(frame).transform_calculate(
        probability=WHATIF_SIGNAL,
        label=f"format({WHATIF_SIGNAL}, '.3f')",
        decision=f"{WHATIF_SIGNAL} >= {threshold!r} ? 'above threshold' : 'below threshold'",
    )
    usermeta = {
        "embedOptions": {"renderer": "svg"},
        # read out by a screen reader whenever a slider moves (xaibook-charts.js)
        "xaibook": {"announce": {
            "signal": WHATIF_SIGNAL, "digits": 3,
            "format": f"Predicted probability of {outcome}: {{value}} (decision threshold {threshold:g})."}}}
    layers = {width: alt.layer(*_whatif_marks(base, spec.probability, threshold, outcome, width=width)).add_params(
        *sliders, probability).properties(width=width, height=60, usermeta={"embedOptions": {"renderer": "svg"}})
        for width in (420, NARROW_WIDTH)}
    # on a phone the axis has a label every 0.2 (every 0.1, they crowd each other)
    chart = with_narrow_layout(layers[420].properties(usermeta=usermeta), layers[NARROW_WIDTH])
    feature_list = ", ".join(labels.get(f, f) for f in spec.features)
    return describe(
        chart,
        title=title or f"What if? P({outcome}) = {spec.probability:.3f} at the start; move the sliders",
        subtitle="Computed in your browser from the logistic model's formula; other features stay fixed.",
        description=description or (
            f"Interactive what-if chart for one applicant. Sliders for {feature_list} start at the "
            f"applicant's values; a bar and a number show the logistic model's predicted "
            f"probability of {outcome}, starting at {spec.probability:.3f}. A dashed line marks "
            f"the decision threshold {threshold:g} and a grey tick the starting probability."),
    )


def _whatif_marks(base: alt.Chart, start_at: float, threshold: float, outcome: str, *, width: int) -> tuple:
    """The what-if chart's bar, threshold rule, starting tick and probability text, on an axis
    ``width`` pixels long (a label every 0.1 on a laptop, every 0.2 on a phone's narrower axis)."""
    axis = alt.Axis(tickCount=10 if width > NARROW_WIDTH else 5)
    x = alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), title=f"predicted probability of {outcome}",
              axis=axis)
    bar = base.mark_bar(height=28).encode(
        x=x, y=alt.Y("outcome:N", title=None, axis=None),
        color=alt.Color("decision:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["below threshold", "above threshold"],
                                        range=[OUTCOME_COLORS["good"], OUTCOME_COLORS["bad"]])),
        tooltip=[alt.Tooltip("probability:Q", format=".3f")])
    text = base.mark_text(align="left", dx=6, fontSize=16, fontWeight="bold").encode(
        x=x, y=alt.Y("outcome:N", axis=None), text="label:N").properties(name=WHATIF_TEXT_NAME)
    marks = pd.DataFrame({"at": [threshold, start_at], "what": ["threshold", "start"]})
    rule = alt.Chart(marks.iloc[[0]]).mark_rule(strokeDash=[4, 4], color=PALETTE[7], size=2).encode(x="at:Q")
    start = alt.Chart(marks.iloc[[1]]).mark_tick(color=PALETTE[7], thickness=2, size=40).encode(x="at:Q")
    return bar, rule, start, text

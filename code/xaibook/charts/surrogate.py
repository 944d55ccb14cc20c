"""Charts for LIME (:mod:`xaibook.surrogate`): one explanation, its neighbourhood, its stability.

``weights_chart``         one explanation: the surrogate's weight per interpretable feature
``neighbourhood_chart``   the samples in two features, coloured by the model, faded by the kernel;
                          a slider changes the kernel width in the page
``width_path_chart``      the explanation at each precomputed kernel width (slider) and its fidelity
``stability_chart``       one instance explained by several runs (seeds, sample sizes)
``lime_vs_shap_chart``    LIME's weights next to SHAP values for the same person
``word_weights_chart``    a text explanation's word weights against the model's own coefficients
``text_html``             the text with each word highlighted by its weight (HTML, offline, dark mode)
``image_chart``           an image, its superpixels and LIME's weight per superpixel, side by side
``submodular_chart``      SP-LIME's picked explanations as a heatmap

Embedded data stays small: samples are subsampled (``max_rows``), only the ``top`` features are
drawn, numbers are rounded by the renderer.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import as_one_row, check_same_scale, differing_values
from xaibook.charts._base import (
    DIVERGING_SCHEME,
    NARROW_WIDTH,
    PALETTE,
    check_count,
    check_long_frame,
    check_result,
    describe,
    diverging_scale,
    signed_scale,
    with_narrow_layout,
    zero_rule,
)
from xaibook.shapley import ShapleyResult
from xaibook.surrogate import LimeResult, SubmodularPick, text_tokens

__all__ = [
    "HtmlFigure", "image_chart", "lime_vs_shap_chart", "neighbourhood_chart", "stability_chart",
    "submodular_chart", "text_html", "weights_chart", "width_path_chart", "word_weights_chart",
]

__all__ = [
    "RAISE_COLOR", "LOWER_COLOR", "SIGN_SCALE", "BOTTOM", "WEIGHT_SCHEME", "weights_chart",
    "neighbourhood_chart", "width_path_chart", "stability_chart", "lime_vs_shap_chart",
    "word_weights_chart", "HtmlFigure", "text_html", "image_chart", "submodular_chart",
]

RAISE_COLOR = PALETTE[5]   # vermillion: raises the model's output
LOWER_COLOR = PALETTE[0]   # blue: lowers it
SIGN_SCALE = alt.Scale(domain=["raises", "lowers"], range=[RAISE_COLOR, LOWER_COLOR])
#: Legends go under the charts: the book's text column is narrow.
BOTTOM = alt.Legend(orient="bottom", direction="horizontal")
#: Diverging weights: negative blue, positive orange (as the bars: orange raises the output).
WEIGHT_SCHEME = DIVERGING_SCHEME


# ------------------------------------------------------------------------------------ helpers
def _check(result, *, kind: str | None = None) -> LimeResult:
    result = check_result(result, LimeResult)
    if kind is not None and result.kind != kind:
        raise ValueError(f"expected a {kind} explanation, got a {result.kind} one")
    return result


def _sign(weights) -> list[str]:
    return ["raises" if w > 0 else "lowers" for w in weights]


def _top(result: LimeResult, top: int) -> pd.DataFrame:
    frame = result.to_frame()
    frame = frame[frame["selected"]]
    order = frame["weight"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order[:top]].reset_index(drop=True)


# ------------------------------------------------------------------------------ one result
def weights_chart(result: LimeResult, *, top: int = 10, title: str | None = None,
                  description: str | None = None) -> alt.Chart:
    """Horizontal bars: the surrogate's weight of the ``top`` features, largest ``|weight|`` on top."""
    result = _check(result)
    frame = _top(result, check_count(top, "top")).assign(sign=lambda d: _sign(d["weight"]))
    order = frame["label"].tolist()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("weight:Q", title="weight in the local surrogate"),
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("sign:N", scale=SIGN_SCALE, title="the feature", legend=BOTTOM),
        tooltip=[alt.Tooltip("label:N", title="feature"), alt.Tooltip("value:N", title="value"),
                 alt.Tooltip("weight:Q", format="+.4f")],
    ).properties(width=300, height=max(120, 22 * len(frame)))
    zero = zero_rule("x")
    subtitle = (f"f = {result.prediction:.3f}, surrogate = {result.local_prediction:.3f}, "
                f"intercept = {result.intercept:.3f}, fidelity R² = {result.score:.2f}")
    return describe(
        alt.layer(chart, zero), title=title or "LIME explanation", subtitle=subtitle,
        description=description or (
            f"Bar chart of the {len(frame)} largest LIME weights; bars to the right raise the model's "
            f"output, to the left lower it. Largest: {order[0]} ({frame['weight'].iloc[0]:+.3f})."))


def neighbourhood_chart(result: LimeResult, x: str, y: str, *, max_rows: int = 400, random_state: int = 0,
                        width_range: tuple[float, float] | None = None, title: str | None = None,
                        description: str | None = None) -> alt.LayerChart:
    """The sampled neighbourhood in two of its features: colour = the model's output, opacity = the
    kernel weight, recomputed in the page from each sample's distance when the slider moves the
    kernel width. The instance is the large pink cross."""
    result = _check(result, kind="tabular")
    if result.neighbourhood is None:
        raise ValueError("the result has no neighbourhood; call lime_tabular(..., return_neighbourhood=True)")
    samples = result.neighbourhood.samples
    for name in (x, y):
        if name not in samples.columns:
            raise ValueError(f"unknown feature {name!r}; choose from {list(samples.columns)}")
    max_rows = check_count(max_rows, "max_rows")
    n = len(samples)
    rng = np.random.default_rng(random_state)
    keep = np.r_[0, np.sort(rng.choice(np.arange(1, n), size=min(max_rows, n) - 1, replace=False))]
    frame = pd.DataFrame({x: samples[x].to_numpy()[keep], y: samples[y].to_numpy()[keep],
                          "prediction": result.neighbourhood.predictions[keep],
                          "distance": result.neighbourhood.distances[keep]})
    low, high = width_range or (result.kernel_width / 8, result.kernel_width * 4)
    width = alt.param(name="kernel_width", value=round(result.kernel_width, 3),
                      bind=alt.binding_range(min=round(low, 3), max=round(high, 3), step=round((high - low) / 100, 4),
                                             name="kernel width "))
    base = alt.Chart(frame).transform_calculate(
        kernel_weight="sqrt(exp(-datum.distance * datum.distance / (kernel_width * kernel_width)))")
    kinds = {c: "N" if not pd.api.types.is_numeric_dtype(frame[c]) else "Q" for c in (x, y)}
    points = base.mark_circle(size=40).encode(
        x=alt.X(f"{x}:{kinds[x]}", title=x, scale=alt.Scale(zero=False)),
        y=alt.Y(f"{y}:{kinds[y]}", title=y, scale=alt.Scale(zero=False)),
        color=alt.Color("prediction:Q", scale=diverging_scale(), title="model output",
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=200)),
        # (opacity = weight cubed: LIME's weights of one neighbourhood often lie between 0.4 and 1,
        # where a linear opacity hides the differences the chart is about)
        opacity=alt.Opacity("kernel_weight:Q", scale=alt.Scale(type="pow", exponent=3, domain=[0, 1],
                                                                range=[0.03, 1]), legend=None),
        tooltip=[alt.Tooltip(f"{x}:{kinds[x]}", format=".4g") if kinds[x] == "Q" else f"{x}:N",
                 alt.Tooltip(f"{y}:{kinds[y]}", format=".4g") if kinds[y] == "Q" else f"{y}:N",
                 alt.Tooltip("prediction:Q", format=".3f"), alt.Tooltip("distance:Q", format=".3f"),
                 alt.Tooltip("kernel_weight:Q", format=".3f", title="kernel weight")],
    ).add_params(width)
    # (green: a hue the blue-purple-vermillion points never take, in both page modes)
    instance = alt.Chart(frame.iloc[[0]]).mark_point(shape="cross", size=520, filled=True, color=PALETTE[2],
                                                     stroke="#ffffff", strokeWidth=1.5, opacity=1).encode(
        x=f"{x}:{kinds[x]}", y=f"{y}:{kinds[y]}")
    chart = alt.layer(points, instance).properties(width=420, height=300)
    return describe(
        chart, title=title or "LIME's neighbourhood and its kernel",
        subtitle="faded points hardly count; move the kernel width",
        description=description or (
            f"Scatter plot of {len(frame)} of the {n} perturbed samples in {x} and {y}, coloured by the "
            "model's output. Each point's opacity grows with its kernel weight (it is the weight cubed), "
            "computed from its distance to the instance over all features; the instance is the large green "
            "cross; a slider sets the kernel width."))


# ------------------------------------------------------------------------- several results
def width_path_chart(path: pd.DataFrame, *, top: int = 8, initial_width: float | None = None,
                     title: str | None = None, description: str | None = None) -> alt.HConcatChart:
    """The explanation at each precomputed kernel width (a list under the chart picks one), next to the
    surrogate's fidelity (weighted R²) at each width. ``path`` comes from ``kernel_width_path``."""
    # from surrogate.kernel_width_path: one row per width and feature, widths on a log axis
    check_long_frame(path, ["width", "feature", "label", "weight", "score"], "path", numbers=["weight", "score"],
                     positive=["width"], unique=["width", "feature"], source="surrogate.kernel_width_path(...)")
    widths = np.sort(path["width"].unique())
    top = check_count(top, "top")
    strongest = (path.assign(size=path["weight"].abs()).groupby("feature")["size"].max()
                 .sort_values(ascending=False, kind="stable").index[:top])
    frame = path[path["feature"].isin(strongest)].copy()
    frame["step"] = np.searchsorted(widths, frame["width"])
    frame["sign"] = _sign(frame["weight"])
    start = 0 if initial_width is None else int(np.argmin(np.abs(widths - initial_width)))
    # A list of the widths themselves (not a slider over step numbers): the reader sees the width
    # chosen, and the arrow keys step through them.
    step = alt.param(name="width_step", value=start,
                     bind=alt.binding_select(options=list(range(len(widths))), labels=[f"{w:.3g}" for w in widths],
                                             name="kernel width "))
    limit = float(frame["weight"].abs().max()) * 1.05
    bars = alt.Chart(frame).transform_filter("datum.step == width_step").mark_bar().encode(
        x=alt.X("weight:Q", scale=alt.Scale(domain=[-limit, limit]), title="weight"),
        y=alt.Y("feature:N", sort=list(strongest), title=None),
        color=alt.Color("sign:N", scale=SIGN_SCALE, title="the feature", legend=BOTTOM),
        tooltip=[alt.Tooltip("label:N", title="feature"), alt.Tooltip("width:Q", format=".3g"),
                 alt.Tooltip("weight:Q", format="+.4f")],
    )
    # (the zero line stays when every weight at a width is zero, so that panel is not blank)
    bars = alt.layer(zero_rule("x"), bars).properties(width=210, height=max(120, 24 * len(strongest)))
    scores = path.groupby("width", as_index=False)["score"].first()
    scores["step"] = np.arange(len(scores))
    line = alt.Chart(scores).mark_line(point=True).encode(
        x=alt.X("width:Q", scale=alt.Scale(type="log"), title="kernel width (log scale)"),
        y=alt.Y("score:Q", title="fidelity (weighted R²)", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("width:Q", format=".3g"), alt.Tooltip("score:Q", format=".3f")])
    here = alt.Chart(scores).transform_filter("datum.step == width_step").mark_rule(
        color=RAISE_COLOR, strokeWidth=2).encode(x="width:Q")
    label = alt.Chart(scores).transform_filter("datum.step == width_step").mark_text(
        align="left", dx=4).encode(x="width:Q", y=alt.datum(0.95), text=alt.Text("width:Q", format=".3g"))
    right = alt.layer(line, here, label).properties(width=160, height=max(120, 24 * len(strongest)))
    chart = alt.hconcat(bars, right).add_params(step)
    return describe(
        chart, title=title or "The explanation as the kernel width moves",
        description=description or (
            f"Left: bar chart of the weights of {len(strongest)} features at one of {len(widths)} kernel "
            f"widths between {widths[0]:.3g} and {widths[-1]:.3g}, chosen in a list under the chart. Right: the "
            "surrogate's weighted R² at each width, with the chosen width marked."))


def stability_chart(frame: pd.DataFrame, *, group: str = "setting", top: int = 8, title: str | None = None,
                    description: str | None = None) -> alt.Chart:
    """One dot per run and feature: how far the weights move between runs in each ``group``.

    ``frame`` is ``surrogate.results_frame(...)`` with a column ``group`` naming each run's setting.
    """
    # surrogate.results_frame plus the column ``group``: one tick per run and feature
    check_long_frame(frame, ["run", "feature", "weight", group], numbers=["weight"],
                     unique=["run", "feature", group], source=f"surrogate.results_frame(...) plus a column {group!r}")
    top = check_count(top, "top")
    strongest = (frame.assign(size=frame["weight"].abs()).groupby("feature")["size"].mean()
                 .sort_values(ascending=False, kind="stable").index[:top])
    data = frame[frame["feature"].isin(strongest)][["run", "feature", "weight", group]]
    chart = alt.Chart(data).mark_tick(thickness=2, size=14).encode(
        x=alt.X("weight:Q", title="weight"),
        y=alt.Y("feature:N", sort=list(strongest), title=None),
        yOffset=alt.YOffset(f"{group}:N"),
        color=alt.Color(f"{group}:N", title=group, legend=BOTTOM),
        tooltip=["run:N", "feature:N", alt.Tooltip("weight:Q", format="+.4f")],
    ).properties(width=360, height=max(140, 34 * len(strongest)))
    zero = zero_rule("x")
    return describe(
        alt.layer(chart, zero), title=title or "How much LIME's weights move between runs",
        description=description or (
            f"Tick plot of LIME weights for {len(strongest)} features; each tick is one run, colours are "
            f"the {data[group].nunique()} settings compared."))


def _same_person(result: LimeResult, shap_values: Any, x: Any, row: Any) -> pd.Series:
    """The SHAP values of the person LIME explained, checked by what each side records: a
    ShapleyResult its explained rows (``data``), a Series its row label (``.name``, as
    ``to_wide().loc[i]`` gives it) with ``x`` (``X.loc[i]``) for the values; LIME its instance's
    ``feature_values``. Other people's values would be drawn side by side as if they were one's."""
    if isinstance(shap_values, ShapleyResult):
        check_same_scale({"the LIME result": result, "shap_values": shap_values}, name="LIME and SHAP")
        if row is None and result.row is not None and result.row in shap_values.data.index:
            row = result.row
        if row is None and len(shap_values) != 1:
            raise ValueError(f"shap_values explains {len(shap_values)} rows; name the one LIME explained with "
                             f"row= (one of {shap_values.data.index[:5].tolist()})")
        wide = shap_values.to_wide()
        label = wide.index[0] if row is None else row
        if label not in wide.index:
            raise ValueError(f"row {label!r} is not among the rows shap_values explains ({wide.index[:5].tolist()})")
        explained, values = shap_values.data.loc[label], wide.loc[label]
    elif isinstance(shap_values, pd.Series):
        if shap_values.name is None:
            raise ValueError("shap_values is a Series without a row label (.name), so nothing says whose values "
                             "they are; pass the ShapleyResult itself, or its row shap_result.to_wide().loc[i] "
                             "(named by the row label) together with x=X.loc[i], the row it explains")
        if x is None and result.row is None:
            raise ValueError(f"pass x=, the row shap_values (row {shap_values.name!r}) explains (X.loc[i]), so "
                             "the chart can check LIME explained the same person; or pass the ShapleyResult")
        if x is None:   # LIME recorded whom it explained: the labels must agree
            if shap_values.name != result.row:
                raise ValueError(f"LIME and SHAP explain different people: LIME explained row {result.row!r}, "
                                 f"shap_values are row {shap_values.name!r}'s; explain the same row with both")
            if set(shap_values.index) != set(result.feature_names):
                raise ValueError("shap_values must explain the same feature names as the LIME result")
            return shap_values
        explained = as_one_row(x, name="x").iloc[0]
        if explained.name != shap_values.name:
            raise ValueError(f"x is row {explained.name!r} but shap_values are row {shap_values.name!r}'s: "
                             "they must describe the same person")
        values = shap_values
    else:
        raise TypeError(f"shap_values must be a ShapleyResult or a Series of one row's SHAP values, "
                        f"got {type(shap_values).__name__}")
    if set(values.index) != set(result.feature_names) or set(explained.index) != set(result.feature_names):
        raise ValueError("shap_values must explain the same feature names as the LIME result")
    if result.row is not None and explained.name != result.row:
        raise ValueError(f"LIME and SHAP explain different people: LIME explained row {result.row!r}, SHAP row "
                         f"{explained.name!r}; explain the same row with both")
    differ = differing_values(result.feature_names, result.feature_values,
                              explained[list(result.feature_names)].tolist())
    if differ:
        raise ValueError(f"LIME and SHAP explain different people: row {explained.name!r} differs from LIME's "
                         f"instance in {differ[:5]}; explain the same row with both")
    return values


def lime_vs_shap_chart(result: LimeResult, shap_values: Any, *, x: Any = None, row: Any = None, top: int = 8,
                       title: str | None = None, description: str | None = None) -> alt.HConcatChart:
    """LIME's weights and SHAP values of the same person, feature by feature (different units:
    a surrogate's coefficient and a share of the prediction), sorted by |SHAP|.

    ``shap_values`` is a ShapleyResult (its row ``row``, else the row LIME explained, else its only
    row; on LIME's output scale) or one row's values as a Series named by its row label
    (``shap_result.to_wide().loc[i]``), whose label must be the one LIME recorded (``result.row``;
    pass ``x=X.loc[i]`` for a result that records none). Either way the chart refuses to pair two
    people or two scales."""
    result = _check(result, kind="tabular")
    shap_values = _same_person(result, shap_values, x, row)
    top = check_count(top, "top")
    lime = pd.Series(result.weights, index=result.feature_names)
    labels = dict(zip(result.feature_names, result.feature_labels, strict=True))
    order = list(shap_values.abs().sort_values(ascending=False, kind="stable").index[:top])
    frame = pd.DataFrame({
        "feature": order * 2,
        "method": ["LIME weight"] * len(order) + ["SHAP value"] * len(order),
        "value": list(lime[order]) + list(shap_values[order]),
        "label": [labels[f] for f in order] * 2,
    })
    frame["sign"] = _sign(frame["value"])
    # on a phone the panels stand one under the other, so each names its features
    chart = with_narrow_layout(alt.hconcat(*_lime_shap_panels(frame, order, width=190, names_on_both=False)),
                               alt.vconcat(*_lime_shap_panels(frame, order, width=NARROW_WIDTH - 120,
                                                              names_on_both=True)))
    return describe(
        chart, title=title or "LIME and SHAP for the same person",
        description=description or (
            f"Two bar charts (side by side; on a phone one above the other) for the {len(order)} features "
            "with the largest SHAP values: first the SHAP value, then LIME's weight for the same feature."))


def _lime_shap_panels(frame: pd.DataFrame, order: list, *, width: int, names_on_both: bool) -> list[alt.Chart]:
    """The SHAP and the LIME bar chart, ``width`` pixels each; the LIME panel names the features
    only if ``names_on_both`` (beside the SHAP panel it shares its rows)."""
    panels = []
    for method in ("SHAP value", "LIME weight"):
        part = frame[frame["method"] == method]
        panels.append(alt.Chart(part).mark_bar().encode(
            x=alt.X("value:Q", title=method),
            y=alt.Y("feature:N", sort=order, title=None,
                    axis=alt.Axis(labels=names_on_both or method == "SHAP value")),
            color=alt.Color("sign:N", scale=SIGN_SCALE, title="the feature", legend=BOTTOM),
            tooltip=["feature:N", alt.Tooltip("label:N", title="LIME's feature"),
                     alt.Tooltip("value:Q", format="+.4f", title=method)],
        ).properties(width=width, height=max(120, 24 * len(order))))
    return panels


# ----------------------------------------------------------------------------------- text
def word_weights_chart(result: LimeResult, coefficients: Mapping[str, float], *, title: str | None = None,
                       description: str | None = None) -> alt.LayerChart:
    """Each word of a text explanation: LIME's weight against the model's own coefficient."""
    result = _check(result, kind="text")
    missing = [w for w in result.feature_names if w not in coefficients]
    if missing:
        raise ValueError(f"coefficients has no value for the words {missing[:5]}")
    frame = pd.DataFrame({"word": list(result.feature_names), "lime": result.weights,
                          "coefficient": [coefficients[w] for w in result.feature_names]})
    size = (420, 300)
    domains = [_padded_domain(frame[column]) for column in ("coefficient", "lime")]
    frame["label"] = _free_labels(frame, domains, size)
    base = alt.Chart(frame)
    tooltip = ["word:N", alt.Tooltip("coefficient:Q", format="+.3f"), alt.Tooltip("lime:Q", format="+.4f")]
    x = alt.X("coefficient:Q", title="model coefficient (log-odds per unit TF-IDF)",
              scale=alt.Scale(domain=domains[0], nice=False, zero=False))
    y = alt.Y("lime:Q", title="LIME weight (probability)", scale=alt.Scale(domain=domains[1], nice=False, zero=False))
    points = base.mark_circle(size=70, color=PALETTE[0]).encode(x=x, y=y, tooltip=tooltip)
    # Labels under the dots (a dot is what the pointer finds), only where they cover no other label.
    text = base.mark_text(align="left", dx=6, fontSize=LABEL_FONT).encode(x=x, y=y, text="label:N", tooltip=tooltip)
    chart = alt.layer(zero_rule("x"), zero_rule("y"), text, points).properties(width=size[0], height=size[1])
    n_labelled = int((frame["label"] != "").sum())
    return describe(
        chart, title=title or "LIME's word weights against the model's coefficients",
        description=description or (
            f"Scatter plot of the {len(frame)} words of the text: x is the logistic regression's "
            f"coefficient of the word, y LIME's weight for removing it; {n_labelled} points are labelled "
            "with their word (the largest weights first, where the labels do not cover each other); "
            "hover a point for its word."))


#: Font size of point labels, and the width of one character of it (a generous average, in pixels).
LABEL_FONT = 11
LABEL_CHAR_PX = 6.5


def _padded_domain(values: pd.Series, share: float = 0.06) -> list[float]:
    """The range of ``values`` and 0, widened by ``share`` on both sides (a fixed axis domain)."""
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    pad = (high - low) * share or 1.0
    return [round(low - pad, 6), round(high + pad, 6)]


def _free_labels(frame: pd.DataFrame, domains: list[list[float]], size: tuple[int, int]) -> list[str]:
    """Point labels that do not cover one another: words by decreasing |LIME weight|, each kept
    only if its box (right of the dot, as drawn) misses every box already kept."""
    (x0, x1), (y0, y1) = domains
    px = (frame["coefficient"] - x0) / (x1 - x0) * size[0]
    py = (y1 - frame["lime"]) / (y1 - y0) * size[1]
    boxes: list[tuple[float, float, float, float]] = []
    labels = [""] * len(frame)
    for i in np.argsort(-np.abs(frame["lime"].to_numpy()), kind="stable"):
        word = str(frame["word"].iloc[i])
        box = (px.iloc[i] + 4, px.iloc[i] + 8 + LABEL_CHAR_PX * len(word), py.iloc[i] - 8, py.iloc[i] + 8)
        if all(box[1] < b[0] or box[0] > b[1] or box[3] < b[2] or box[2] > b[3] for b in boxes):
            boxes.append(box)
            labels[i] = word
    return labels


class HtmlFigure:
    """HTML that a notebook displays as it is (``_repr_html_``)."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:.2f})"


def text_html(result: LimeResult, *, caption: str | None = None) -> HtmlFigure:
    """The explained text with every word's background tinted by its LIME weight (vermillion raises
    the output, blue lowers it; stronger tint, larger weight) and underlined in its sign's colour.
    Plain HTML: no script, readable in light and dark mode (``xaibook.css`` sets the text colour
    and the underline for each), the weight in each word's tooltip."""
    result = _check(result, kind="text")
    tokens, ids, words = text_tokens(result.text)
    weights = dict(zip(result.feature_names, result.weights, strict=True))
    largest = max(abs(w) for w in weights.values()) or 1.0
    parts = []
    for token, i in zip(tokens, ids, strict=True):
        if i < 0:
            parts.append(html.escape(token))
            continue
        w = weights[words[i]]
        color = _rgba(RAISE_COLOR if w > 0 else LOWER_COLOR, 0.85 * abs(w) / largest)
        # (the sign's class underlines the word in full colour: xaibook.css, both site themes)
        sign = " xaibook-raises" if w > 0 else " xaibook-lowers" if w < 0 else ""
        parts.append(f'<span class="xaibook-word{sign}" style="background:{color};border-radius:3px;padding:0 2px" '
                     f'title="weight {w:+.4f}">{html.escape(token)}</span>')
    legend = (f'<span class="xaibook-raises" style="background:{_rgba(RAISE_COLOR, 0.7)};padding:0 4px;'
              'border-radius:3px">raises</span> '
              f'<span class="xaibook-lowers" style="background:{_rgba(LOWER_COLOR, 0.7)};padding:0 4px;'
              'border-radius:3px">lowers</span> '
              # (the instruction is for the screen: the handout's print styles leave it out)
              "the model's output<span class=\"xaibook-on-screen\">; hover a word for its weight</span>")
    caption = caption or f"LIME's word weights (model output {result.prediction:.3f})"
    markup = (f'<figure class="xaibook-lime-text" style="margin:0.5em 0">'
              f'<p style="font-size:1.1em;line-height:1.9">{"".join(parts)}</p>'
              f'<figcaption style="font-size:0.9em">{html.escape(caption)}. {legend}.</figcaption></figure>')
    return HtmlFigure(markup)


# --------------------------------------------------------------------------------- images
def _pixels(values: np.ndarray) -> pd.DataFrame:
    rows, cols = np.indices(values.shape)
    return pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": values.ravel()})


def _boundaries(segments: np.ndarray) -> pd.DataFrame:
    """Line segments (x, y) -> (x2, y2) in pixel coordinates between pixels of different superpixels."""
    r, c = np.nonzero(segments[:, :-1] != segments[:, 1:])      # a vertical edge right of (r, c)
    vertical = pd.DataFrame({"x": c + 1, "y": r, "x2": c + 1, "y2": r + 1})
    r, c = np.nonzero(segments[:-1, :] != segments[1:, :])      # a horizontal edge below (r, c)
    horizontal = pd.DataFrame({"x": c, "y": r + 1, "x2": c + 1, "y2": r + 1})
    return pd.concat([vertical, horizontal], ignore_index=True)


def image_chart(image: np.ndarray, panels: Mapping[str, LimeResult], *, show_segments: bool = True,
                pixel_size: int = 5, title: str | None = None, description: str | None = None) -> alt.HConcatChart:
    """The greyscale image (with superpixel borders), then one panel per explanation drawn on the
    picture, as lime's and shap's image plots do: each superpixel is tinted by the sign of its
    LIME weight (vermillion raises the output, blue lowers it) with an opacity that grows with the
    weight's size, so a superpixel of weight zero shows the picture untouched."""
    image = np.asarray(image, dtype=float)
    if image.ndim == 3:
        image = image.mean(axis=2)
    if image.ndim != 2:
        raise ValueError(f"image must be height x width (or with channels), got shape {image.shape}")
    if not np.all((image >= 0) & (image <= 1)):  # the grey scale spans [0, 1]: 0-255 would draw in two greys
        raise ValueError(f"image values must be in [0, 1] (NaN not allowed), got {np.nanmin(image):g} to "
                         f"{np.nanmax(image):g}; scale an 8-bit image with image / 255")
    if not isinstance(panels, Mapping) or not panels \
            or not all(isinstance(r, LimeResult) and r.kind == "image" for r in panels.values()):
        raise TypeError("panels must be a non-empty dict of name -> image LimeResult")
    check_same_scale(panels, name="panels")   # one colour scale: the weights must share a unit
    height, width = image.shape
    for name, result in panels.items():
        if result.segments.shape != image.shape:
            raise ValueError(f"panel {name!r}: segments {result.segments.shape} do not match the image {image.shape}")
    size = {"width": width * pixel_size, "height": height * pixel_size}
    x = alt.X("col:Q", scale=alt.Scale(domain=[0, width], nice=False, zero=True), axis=None)
    x2 = alt.X2("col_end:Q")
    y = alt.Y("row:Q", scale=alt.Scale(domain=[0, height], nice=False, reverse=True), axis=None)
    y2 = alt.Y2("row_end:Q")

    def chart_of(frame: pd.DataFrame) -> alt.Chart:  # each pixel is the unit square right of and below (col, row)
        return alt.Chart(frame).transform_calculate(col_end="datum.col + 1", row_end="datum.row + 1")

    # (one dataset, drawn under every panel: the page carries the picture once)
    grey = chart_of(_pixels(image)).mark_rect().encode(
        x=x, x2=x2, y=y, y2=y2,
        color=alt.Color("value:Q", scale=alt.Scale(scheme="greys", reverse=True, domain=[0, 1]), legend=None),
        tooltip=[alt.Tooltip("row:Q"), alt.Tooltip("col:Q"), alt.Tooltip("value:Q", format=".2f", title="pixel")])
    layers = [grey]
    if show_segments:
        edges = _boundaries(next(iter(panels.values())).segments)
        layers.append(alt.Chart(edges).mark_rule(color=PALETTE[6], strokeWidth=1.5).encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[0, width], nice=False), axis=None), x2="x2:Q",
            y=alt.Y("y:Q", scale=alt.Scale(domain=[0, height], nice=False, reverse=True), axis=None), y2="y2:Q"))
    charts = [alt.layer(*layers).properties(title="image" + (" and superpixels" if show_segments else ""), **size)]
    limit = max(float(np.abs(r.weights).max()) for r in panels.values()) or 1.0
    for k, (name, result) in enumerate(panels.items()):
        labels = np.array([int(v) for v in result.feature_names])
        index = np.searchsorted(labels, result.segments)
        frame = _pixels(result.weights[index]).rename(columns={"value": "weight"}).assign(
            segment=labels[index].ravel())
        legend = alt.Legend(orient="bottom", gradientLength=110) if k == len(panels) - 1 else None
        # (its own field and an independent colour scale: in one layer with the grey picture, a
        # shared "value" field would share the picture's grey scale)
        tint = chart_of(frame).mark_rect().encode(
            x=x, x2=x2, y=y, y2=y2,
            color=alt.Color("weight:Q", title="LIME weight", legend=legend, scale=signed_scale(limit)),
            opacity=alt.Opacity("size:Q", scale=alt.Scale(domain=[0, limit], range=[0, 0.8]), legend=None),
            tooltip=[alt.Tooltip("segment:O", title="superpixel"),
                     alt.Tooltip("weight:Q", format="+.3f", title="weight")],
        ).transform_calculate(size="abs(datum.weight)")
        charts.append(alt.layer(grey, tint).resolve_scale(color="independent").properties(title=name, **size))
    apart = {"color": "independent", "opacity": "independent"}
    # on a phone one picture under another, as large as the column allows (up to twice the size):
    # scaled to fit side by side they would be squeezed, since the fitting keeps heights
    large = max(pixel_size, min(2 * pixel_size, NARROW_WIDTH // width))
    stacked = [panel.properties(width=width * large, height=height * large) for panel in charts]
    chart = with_narrow_layout(alt.hconcat(*charts).resolve_scale(**apart),
                               alt.vconcat(*stacked).resolve_scale(**apart))
    return describe(
        chart, title=title or "LIME on an image",
        description=description or (
            f"The {height} by {width} image in grey, then {len(panels)} copies of it with every superpixel "
            "tinted by its LIME weight (vermillion raises the output, blue lowers it; the stronger the tint, "
            "the larger the weight, and a superpixel of weight zero is left untinted): "
            + ", ".join(panels) + "."))


# -------------------------------------------------------------------------------- SP-LIME
def submodular_chart(pick: SubmodularPick, *, top: int = 12, names: list[str] | None = None,
                     title: str | None = None, description: str | None = None) -> alt.Chart:
    """Heatmap: the picked explanations (columns) and their weights for the ``top`` most important
    feature labels (rows, by SP-LIME's global importance)."""
    if not isinstance(pick, SubmodularPick):
        raise TypeError(f"expected a SubmodularPick, got {type(pick).__name__}")
    top = check_count(top, "top")
    labels = pick.ranking()[:top]
    names = names or [f"#{k + 1}: explanation {i}" for k, i in enumerate(pick.picks)]
    if len(names) != len(pick.picks):
        raise ValueError(f"names must name the {len(pick.picks)} picks, got {len(names)}")
    rows = pick.matrix.iloc[list(pick.picks)][labels]
    frame = rows.assign(pick=names).melt(id_vars="pick", var_name="label", value_name="weight")
    limit = float(frame["weight"].abs().max()) or 1.0
    # A feature an explanation did not use (weight exactly 0) is an empty cell, not a colour.
    chart = alt.Chart(frame).transform_filter("datum.weight != 0").mark_rect().encode(
        x=alt.X("pick:N", sort=names, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160),
                scale=alt.Scale(domain=names)),
        y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=260), scale=alt.Scale(domain=labels)),
        color=alt.Color("weight:Q", scale=signed_scale(limit), title="weight"),
        tooltip=["pick:N", "label:N", alt.Tooltip("weight:Q", format="+.4f")],
    ).properties(width=max(160, 70 * len(names)), height=max(160, 20 * len(labels)))
    covered = pick.coverage[-1] / pick.importance.sum()
    return describe(
        chart, title=title or "SP-LIME: a few explanations that cover the most",
        subtitle=f"{len(pick.picks)} picks cover {covered:.0%} of the total importance",
        description=description or (
            f"Heat map of the weights of the {len(names)} explanations SP-LIME picked, for the {len(labels)} "
            "feature labels with the largest global importance; empty cells are features an explanation did not use."))

"""Charts for :mod:`xaibook.dependence`: ICE curves with the PDP, linked ICE across features,
centred ICE, categorical PDP, two-way PDP heatmaps, ALE next to PDP, the M-plot, PDP and ALE on
one set of axes, and derivative ICE.

Every builder samples the ICE curves it draws (``max_rows``, default 60) so that pages stay light,
gives each chart a title and a screen-reader description, and puts tooltips on the marks that name
the person (row id), the feature value and the prediction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from xaibook._validation import as_legacy_random_state, as_numbers, check_same_scale
from xaibook.charts._base import DIGITS, PALETTE, check_count, check_result, click_on_mark, describe
from xaibook.dependence import (
    AccumulatedLocalEffects,
    IceDerivatives,
    MarginalPlot,
    PartialDependence,
    PartialDependence2D,
)

__all__ = [
    "ICE_COLOR", "PDP_COLOR", "HIGHLIGHT_COLOR", "ALE_COLOR", "PDP_LABEL", "ALE_LABEL", "ice_frame",
    "ice_chart", "centered_ice_chart", "categorical_pdp_chart", "linked_ice_chart",
    "pdp_heatmap_chart", "ale_vs_pdp_chart", "curve_spread_chart",
    "MPLOT_COLOR", "MPLOT_LABEL", "three_effects_chart", "derivative_ice_chart",
]

ICE_COLOR = PALETTE[7]        # grey: one thin line per person
PDP_COLOR = PALETTE[0]        # blue: the average
HIGHLIGHT_COLOR = PALETTE[5]  # vermillion: the person picked
ALE_COLOR = PALETTE[2]        # bluish green
MPLOT_COLOR = PALETTE[1]      # amber
PDP_LABEL = "partial dependence (PDP)"
MPLOT_LABEL = "conditional mean (M-plot)"
ALE_LABEL = "accumulated local effects (ALE)"


def _curve_rows(result: PartialDependence, max_rows: int, random_state: int) -> np.ndarray:
    """Positions (not labels) of at most ``max_rows`` ICE curves, drawn at random, sorted."""
    n = len(result.rows)
    if n <= max_rows:
        return np.arange(n)
    rng = as_legacy_random_state(random_state)
    return np.sort(rng.choice(n, size=max_rows, replace=False))


def _round(values) -> np.ndarray:
    values = np.asarray(values)
    return np.round(values.astype(float), DIGITS) if np.issubdtype(values.dtype, np.number) else values


def _as_list(values) -> list:
    """Chart-ready values: rounded floats for numbers, strings for categories, as a plain list."""
    return [str(v) for v in values] if not np.issubdtype(np.asarray(values).dtype, np.number) \
        else _round(values).tolist()


def ice_frame(result: PartialDependence, *, max_rows: int = 60, random_state: int = 0) -> pd.DataFrame:
    """One row per sampled person: ``id``, ``obs`` (actual value), ``x`` (grid list), ``y`` (ICE list).

    Charts flatten the ``x``/``y`` lists in the browser (Vega-Lite ``flatten``), which embeds each
    curve as two short arrays instead of one record per point: pages stay several times lighter.
    """
    check_result(result, PartialDependence)
    keep = _curve_rows(result, max_rows, random_state)
    grid = _as_list(result.grid)
    return pd.DataFrame({
        "id": [str(r) for r in result.rows[keep]],
        "obs": _as_list(result.observed[keep]),
        "x": [grid] * len(keep),
        "y": [_round(curve).tolist() for curve in result.individual[keep]],
    })


def _y_title(result: PartialDependence, y_title: str) -> str:
    return f"change in {y_title} since {result.feature} = {result.grid[0]}" if result.is_centered else y_title


def _hit_lines(base: alt.Chart, feature: str | None, id_title: str) -> alt.Chart:
    """Invisible wide copies of the ICE lines that catch the pointer (cheaper to draw than a
    nearest-point search over every grid point); their tooltip names the person."""
    tooltip = [alt.Tooltip("id:N", title=id_title)]
    if feature is not None:
        tooltip.append(alt.Tooltip("obs:Q", title=f"actual {feature}"))
    else:
        tooltip += [alt.Tooltip("feature:N"), alt.Tooltip("obs:Q", title="actual value")]
    return base.mark_line(strokeWidth=7, opacity=0, color=ICE_COLOR).encode(tooltip=tooltip)


def _ice_tooltip(feature: str, id_title: str, y: str, kind: str = "Q") -> list:
    return [alt.Tooltip("id:N", title=id_title), alt.Tooltip(f"obs:{kind}", title=f"actual {feature}"),
            alt.Tooltip(f"x:{kind}", title=f"{feature} set to"), alt.Tooltip("y:Q", title=y, format=".3f")]


def ice_chart(result: PartialDependence, *, max_rows: int = 60, random_state: int = 0,
              y_title: str = "prediction", id_title: str = "row", highlight: Any = None,
              title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """ICE curves (thin, grey; hover one to see whose it is) with the PDP (thick) on top.

    Pass ``result.centered()`` for centred ICE. ``highlight`` (a row label of ``result.rows``) draws
    that person's curve in colour, always. A categorical feature is drawn by
    :func:`categorical_pdp_chart`. Observed values of the sampled rows appear as a rug below.
    """
    check_result(result, PartialDependence)
    if highlight is not None and highlight not in set(result.rows.tolist()):
        raise ValueError(f"highlight={highlight!r} is not one of the result's rows")
    if result.kind == "categorical":
        return categorical_pdp_chart(result, max_rows=max_rows, random_state=random_state,
                                     y_title=y_title, id_title=id_title, title=title,
                                     description=description)
    ice = ice_frame(result, max_rows=max_rows, random_state=random_state)
    pdp = pd.DataFrame({"x": _round(result.grid), "y": _round(result.average)})
    y = _y_title(result, y_title)
    hover = alt.selection_point(fields=["id"], on="pointerover", clear="pointerout", empty=False)
    x_scale = alt.Scale(domain=[float(result.grid[0]), float(result.grid[-1])], nice=False)
    base = alt.Chart(ice).transform_flatten(["x", "y"]).encode(
        x=alt.X("x:Q", title=result.feature, scale=x_scale),
        y=alt.Y("y:Q", title=y, scale=alt.Scale(zero=False)), detail="id:N")
    lines = base.mark_line().encode(
        color=alt.condition(hover, alt.value(HIGHLIGHT_COLOR), alt.value(ICE_COLOR)),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.35)),
        strokeWidth=alt.condition(hover, alt.value(3), alt.value(1)),
    )
    points = _hit_lines(base, result.feature, id_title).add_params(hover)
    average = alt.Chart(pdp).mark_line(color=PDP_COLOR, strokeWidth=4).encode(
        x="x:Q", y="y:Q",
        tooltip=[alt.Tooltip("x:Q", title=result.feature),
                 alt.Tooltip("y:Q", title=f"average ({y})", format=".3f")],
    )
    rug = alt.Chart(ice).mark_tick(color=ICE_COLOR, thickness=1, size=10, clip=True).encode(
        x=alt.X("obs:Q", axis=None, scale=x_scale),
        tooltip=[alt.Tooltip("id:N", title=id_title), alt.Tooltip("obs:Q", title=result.feature)],
    ).properties(height=12, view=alt.ViewBackground(stroke=None))
    layers = [lines, points, average]
    if highlight is not None:
        position = result.rows.tolist().index(highlight)
        own = pd.DataFrame({"x": _round(result.grid), "y": _round(result.individual[position])})
        dashed = alt.Chart(own).mark_line(color=HIGHLIGHT_COLOR, strokeWidth=3, strokeDash=[6, 3])
        layers.append(dashed.encode(
            x="x:Q", y="y:Q",
            tooltip=[alt.Tooltip("x:Q", title=f"{result.feature} set to"),
                     alt.Tooltip("y:Q", title=f"{id_title} {highlight}: {y}", format=".3f")]))
    chart = alt.vconcat(alt.layer(*layers), rug, spacing=4).resolve_scale(x="shared")
    kind = "Centred ICE" if result.is_centered else "ICE"
    return describe(
        chart,
        title=title or f"{kind} curves and partial dependence: {result.feature}",
        subtitle=(f"grey: {len(ice)} people (hover one); blue: their average; "
                  + (f"dashed: {id_title} {highlight}; " if highlight is not None else "")
                  + "ticks: actual values"),
        description=description or (
            f"{kind} chart: one thin grey line per person showing how the {y_title} changes as "
            f"{result.feature} is set from {round(float(result.grid[0]), 3):g} to "
            f"{round(float(result.grid[-1]), 3):g}, with the partial "
            "dependence (their average) as a thick blue line; tick marks below show the people's "
            "actual values. Hovering a line highlights it and names the person."
            + (f" The dashed line is {id_title} {highlight}." if highlight is not None else "")
        ),
    )


def centered_ice_chart(result: PartialDependence, *, max_rows: int = 60, random_state: int = 0,
                       y_title: str = "prediction", id_title: str = "row", highlight: Any = None,
                       title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """Centred ICE (Goldstein et al. 2015): :func:`ice_chart` of ``result.centered()``."""
    return ice_chart(check_result(result, PartialDependence).centered(), max_rows=max_rows,
                     random_state=random_state, y_title=y_title, id_title=id_title, highlight=highlight,
                     title=title, description=description)


def categorical_pdp_chart(result: PartialDependence, *, max_rows: int = 60, random_state: int = 0,
                          y_title: str = "prediction", id_title: str = "row",
                          title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """PDP of a categorical feature as bars, each person's prediction per category as a tick.

    Hovering a tick highlights the same person's ticks in every category.
    """
    check_result(result, PartialDependence)
    ice = ice_frame(result, max_rows=max_rows, random_state=random_state)
    order = _as_list(result.grid)
    pdp = pd.DataFrame({"x": order, "y": _round(result.average)})
    y = _y_title(result, y_title)
    hover = alt.selection_point(fields=["id"], on="pointerover", empty=False, clear="pointerout")
    cat = alt.Y("x:N", title=result.feature, sort=order, axis=alt.Axis(labelLimit=180))
    value = alt.X("y:Q", title=y)
    bars = alt.Chart(pdp).mark_bar(color=PDP_COLOR, opacity=0.45).encode(
        y=cat, x=value,
        tooltip=[alt.Tooltip("x:N", title=result.feature),
                 alt.Tooltip("y:Q", title=f"average ({y})", format=".3f")],
    )
    # Short grey ticks in the middle of each row; the average's tick spans the row, so the bar's
    # end stays visible above and below the people's ticks.
    ticks = alt.Chart(ice).transform_flatten(["x", "y"]).mark_tick(thickness=2, size=12).encode(
        y=cat, x=value,
        color=alt.condition(hover, alt.value(HIGHLIGHT_COLOR), alt.value(ICE_COLOR)),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.5)),
        tooltip=_ice_tooltip(result.feature, id_title, y, kind="N"),
    ).add_params(hover)
    means = alt.Chart(pdp).mark_tick(color=PDP_COLOR, thickness=3, size=26).encode(y=cat, x="y:Q")
    return describe(
        alt.layer(bars, ticks, means).properties(width=380, height=alt.Step(30)),
        title=title or f"Partial dependence on {result.feature}",
        subtitle=f"bars: average over everyone; grey ticks: {len(ice)} individual people (hover one)",
        description=description or (
            f"Horizontal bar chart of the average {y_title} with {result.feature} set to each of its "
            f"{len(order)} categories, with one grey tick per person and category showing that "
            "person's prediction; hovering a tick highlights all ticks of the same person."
        ),
    )


def linked_ice_chart(results: Sequence[PartialDependence], *, max_rows: int = 40,
                     random_state: int = 0, y_title: str = "prediction", id_title: str = "row",
                     columns: int = 3, title: str | None = None,
                     description: str | None = None) -> alt.TopLevelMixin:
    """ICE curves of the same people for several numeric features, side by side, linked.

    Hovering a curve (or clicking, to keep it, or choosing the person in the list under the chart)
    highlights that person's curves in every panel, so a reader can follow one applicant across
    features. The results must cover the same rows (compute
    them with the same ``X``, ``n_samples`` and ``random_state``).
    """
    results = list(results)
    if not results:
        raise ValueError("give at least one PartialDependence result")
    for r in results:
        check_result(r, PartialDependence, name="each result")
        if r.kind != "numeric":
            raise ValueError(f"linked_ice_chart draws numeric features; {r.feature!r} is categorical "
                             "(use categorical_pdp_chart for it)")
    check_same_scale({f"result {k} ({r.feature})": r for k, r in enumerate(results)})
    if any(not np.array_equal(r.rows, results[0].rows) for r in results[1:]):
        raise ValueError("the results cover different rows; compute them on the same X with the "
                         "same n_samples and random_state")
    frames = []
    for r in results:
        ice = ice_frame(r, max_rows=max_rows, random_state=random_state).assign(curve="person")
        pdp = pd.DataFrame({"id": ["average"], "obs": [None], "x": [_as_list(r.grid)],
                            "y": [_round(r.average).tolist()], "curve": ["average"]})
        frames.append(pd.concat([ice, pdp], ignore_index=True).assign(feature=r.feature))
    data = pd.concat(frames, ignore_index=True)
    pick = alt.selection_point(fields=["id"], on="pointerover", clear="pointerout", empty=False)
    # The kept person is also a list under the chart: the keyboard's way to keep one (it follows
    # the clicks; "nobody" keeps no one).
    people = [v.item() if hasattr(v, "item") else v for v in dict.fromkeys(data.loc[data["curve"] == "person", "id"])]
    picker = alt.binding_select(options=["", *people], labels=["nobody", *map(str, people)], name=f"Keep {id_title}: ")
    keep = alt.selection_point(fields=["id"], on=click_on_mark("id"), empty=False, clear=False, toggle=False,
                               bind=picker)
    chosen = pick | keep
    is_person = alt.datum.curve == "person"
    base = alt.Chart().encode(
        x=alt.X("x:Q", title=None, scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("y:Q", title=y_title), detail="id:N")
    lines = base.mark_line().transform_filter(is_person).encode(
        color=alt.condition(chosen, alt.value(HIGHLIGHT_COLOR), alt.value(ICE_COLOR)),
        opacity=alt.condition(chosen, alt.value(1.0), alt.value(0.3)),
        strokeWidth=alt.condition(chosen, alt.value(3), alt.value(1)),
    )
    points = _hit_lines(base, None, id_title).transform_filter(is_person).add_params(pick, keep)
    average = base.mark_line(color=PDP_COLOR, strokeWidth=4).transform_filter(~is_person)
    chart = alt.layer(lines, points, average).properties(width=230, height=200).facet(
        facet=alt.Facet("feature:N", title=None, sort=[r.feature for r in results],
                        header=alt.Header(labelFontSize=13, labelFontWeight="bold")),
        columns=columns, data=data,
    ).transform_flatten(["x", "y"]).resolve_scale(x="independent")
    names = ", ".join(r.feature for r in results)
    return describe(
        chart,
        title=title or "The same people across features",
        subtitle="hover a grey curve to highlight that person in every panel; click it, or choose "
                 "them in the list below, to keep it",
        description=description or (
            f"Panels of ICE curves for {names}: the same sampled people in each panel as thin grey "
            "lines and their average as a thick blue line. Hovering or clicking a person's curve "
            "highlights that person's curve in every panel."
        ),
    )


def _cell_edges(grid) -> tuple[np.ndarray, np.ndarray]:
    """Left and right edges of heatmap cells centred on the grid values (midpoints between
    neighbours; the outer cells as wide as their inner half; width 1 for a one-value grid)."""
    g = np.asarray(grid, dtype=float)
    if len(g) == 1:
        return g - 0.5, g + 0.5
    mids = (g[1:] + g[:-1]) / 2
    return (np.concatenate([[2 * g[0] - mids[0]], mids]),
            np.concatenate([mids, [2 * g[-1] - mids[-1]]]))


def pdp_heatmap_chart(result: PartialDependence2D, *, data: pd.DataFrame | None = None,
                      max_rows: int = 300, random_state: int = 0, value_title: str = "prediction",
                      title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """Two-way PDP as a heatmap; with ``data``, the observed pairs are drawn on top as dots, which
    shows which cells of the grid the data never reach (extrapolation)."""
    check_result(result, PartialDependence2D)
    a, b = result.features
    frame = result.to_frame().rename(columns={a: "a", b: "b"})
    frame["average"] = _round(frame["average"])
    layers = []
    numeric = result.kinds == ("numeric", "numeric")
    color = alt.Color("average:Q", title=value_title, scale=alt.Scale(scheme="viridis"))
    tooltip = [alt.Tooltip("a", title=a), alt.Tooltip("b", title=b),
               alt.Tooltip("average:Q", title=f"average {value_title}", format=".3f")]
    if numeric:
        for axis, grid in (("a", result.grids[0]), ("b", result.grids[1])):
            position = np.searchsorted(np.asarray(grid, dtype=float), frame[axis].astype(float))
            lo, hi = _cell_edges(grid)
            frame[f"{axis}_lo"], frame[f"{axis}_hi"] = _round(lo[position]), _round(hi[position])
            frame[axis] = _round(frame[axis])
        rect = alt.Chart(frame).mark_rect().encode(
            x=alt.X("a_lo:Q", title=a, scale=alt.Scale(zero=False, nice=False),
                    axis=alt.Axis(grid=False)), x2="a_hi",
            y=alt.Y("b_lo:Q", title=b, scale=alt.Scale(zero=False, nice=False),
                    axis=alt.Axis(grid=False)), y2="b_hi",
            color=color, tooltip=tooltip)
        layers.append(rect)
        if data is not None:
            sample = data[[a, b]]
            if len(sample) > max_rows:
                sample = sample.sample(max_rows, random_state=random_state)
            dots = alt.Chart(sample.rename(columns={a: "a", b: "b"}).astype(float).round(DIGITS)).mark_circle(
                size=14, color="white", stroke="black", strokeWidth=0.5, opacity=0.8, clip=True).encode(
                x="a:Q", y="b:Q", tooltip=[alt.Tooltip("a:Q", title=a), alt.Tooltip("b:Q", title=b)])
            layers.append(dots)
    else:
        frame["a"], frame["b"] = frame["a"].astype(str), frame["b"].astype(str)
        layers.append(alt.Chart(frame).mark_rect().encode(
            x=alt.X("a:O", title=a, sort=[str(v) for v in result.grids[0]]),
            y=alt.Y("b:O", title=b, sort=[str(v) for v in result.grids[1]]),
            color=color, tooltip=tooltip))
    chart = alt.layer(*layers).properties(width=380, height=300)
    extra = " White dots are real data points; cells without dots are combinations the data never show." \
        if (numeric and data is not None) else ""
    return describe(
        chart,
        title=title or f"Two-way partial dependence: {a} and {b}",
        subtitle="colour = average prediction with both features set to the cell's values",
        description=description or (
            f"Heatmap of the average {value_title} when {a} and {b} are set together to each pair "
            f"of grid values; brighter cells mean a higher average.{extra}"
        ),
    )


def ale_vs_pdp_chart(ale_result: AccumulatedLocalEffects, pdp_result: PartialDependence, *,
                     y_title: str = "prediction", title: str | None = None,
                     description: str | None = None) -> alt.TopLevelMixin:
    """PDP (left) and ALE (right) of the same feature, both centred to mean zero, on one y scale.

    The PDP is shifted by the mean of its values at the data points' bins so both curves read as
    "effect relative to the average"; where they disagree, correlated features have led the PDP
    to average over combinations of values that do not occur.
    """
    check_result(ale_result, AccumulatedLocalEffects, name="ale_result")
    check_result(pdp_result, PartialDependence, name="pdp_result")
    check_same_scale({"ale_result": ale_result, "pdp_result": pdp_result})
    if ale_result.feature != pdp_result.feature:
        raise ValueError(f"the ALE is for {ale_result.feature!r} but the PDP for {pdp_result.feature!r}: "
                         "ale_result and pdp_result must be computed for the same feature")
    feature = ale_result.feature
    pdp = pd.DataFrame({"value": _round(pdp_result.grid),
                        "effect": _round(pdp_result.centred_on_data()),
                        "method": PDP_LABEL})
    ale_frame = pd.DataFrame({"value": _round(ale_result.grid), "effect": _round(ale_result.effect),
                              "method": ALE_LABEL})
    data = pd.concat([pdp, ale_frame], ignore_index=True)
    chart = alt.Chart(data).mark_line(point=True, strokeWidth=3).encode(
        x=alt.X("value:Q", title=feature, scale=alt.Scale(zero=False)),
        y=alt.Y("effect:Q", title=f"effect on {y_title} (centred)"),
        color=alt.Color("method:N", legend=None,
                        scale=alt.Scale(domain=[PDP_LABEL, ALE_LABEL], range=[PDP_COLOR, ALE_COLOR])),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("value:Q", title=feature),
                 alt.Tooltip("effect:Q", title="centred effect", format=".3f")],
    ).properties(width=300, height=240).facet(
        column=alt.Column("method:N", title=None, sort=[PDP_LABEL, ALE_LABEL],
                          header=alt.Header(labelFontSize=13, labelFontWeight="bold")),
    )
    return describe(
        chart,
        title=title or f"PDP and ALE of {feature}",
        subtitle="both centred to average zero over the data, on the same scale",
        description=description or (
            f"Two line charts side by side with the same vertical scale: the partial dependence of "
            f"the {y_title} on {feature} (left) and its accumulated local effects (right), both "
            "centred so they average zero over the data."
        ),
    )


def curve_spread_chart(grid: Any, curves: dict[str, np.ndarray], *, feature: str,
                       y_title: str = "prediction", what: str = "refit",
                       title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """Several versions of one curve (an ICE curve under model refits, a PDP on other samples of
    rows) drawn over the band between their lowest and highest values: how much the curve moves.

    ``curves`` maps a label (e.g. ``"seed 3"``) to the curve's values on ``grid``.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a dict {{label: values on grid}}, got {type(curves).__name__}")
    if not curves:
        raise ValueError("curves is empty; give at least one labelled curve")
    grid = as_numbers(grid, name="grid")
    if grid.ndim != 1:
        raise ValueError(f"grid must be one-dimensional (the feature's values), got shape {grid.shape}")
    stacked = np.vstack([np.asarray(c, dtype=float) for c in curves.values()])
    if stacked.shape[1] != len(grid):
        raise ValueError(f"every curve needs one value per grid point ({len(grid)}), "
                         f"got {stacked.shape[1]}")
    band = pd.DataFrame({"x": _round(grid), "low": _round(stacked.min(axis=0)),
                         "high": _round(stacked.max(axis=0))})
    lines = pd.DataFrame({"label": np.repeat(list(curves), len(grid)),
                          "x": np.tile(_round(grid), len(curves)), "y": _round(stacked.ravel())})
    x = alt.X("x:Q", title=feature, scale=alt.Scale(zero=False, nice=False))
    area = alt.Chart(band).mark_area(color=PDP_COLOR, opacity=0.2).encode(
        x=x, y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=False)), y2="high:Q",
        tooltip=[alt.Tooltip("x:Q", title=feature), alt.Tooltip("low:Q", format=".3f", title="lowest"),
                 alt.Tooltip("high:Q", format=".3f", title="highest")])
    hover = alt.selection_point(fields=["label"], on="pointerover", nearest=True, clear="pointerout",
                                empty=False)
    curve_lines = alt.Chart(lines).mark_line(color=PDP_COLOR).encode(
        x=x, y="y:Q", detail="label:N",
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.6)),
        strokeWidth=alt.condition(hover, alt.value(3), alt.value(1.5)),
    )
    points = alt.Chart(lines).mark_point(opacity=0, size=40).encode(
        x=x, y="y:Q", tooltip=[alt.Tooltip("label:N", title=what), alt.Tooltip("x:Q", title=feature),
                                alt.Tooltip("y:Q", title=y_title, format=".3f")]).add_params(hover)
    width = float(np.max(stacked.max(axis=0) - stacked.min(axis=0)))
    return describe(
        alt.layer(area, curve_lines, points),
        title=title or f"How much the curve for {feature} moves",
        subtitle=f"{len(curves)} versions ({what}); shaded: the range between them",
        description=description or (
            f"{len(curves)} versions of the same curve of the {y_title} against {feature}, one per "
            f"{what}, over a shaded band from the lowest to the highest; the band is at most "
            f"{width:.3f} wide."
        ),
    )


def three_effects_chart(mplot: MarginalPlot, ale_result: AccumulatedLocalEffects,
                        pdp_result: PartialDependence, *, y_title: str = "prediction",
                        title: str | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """The M-plot, the PDP and the ALE of one feature on the same axes (Apley & Zhu 2020, Fig. 2).

    All three are centred to average zero over the data: the M-plot at its bins' midpoints, the PDP
    (computed on the ALE's edges, ``grid=ale_result.grid``) and the ALE at the bin edges. Each curve
    has its own colour *and* point shape, and a label at its right end, so colour is never needed.
    """
    check_result(mplot, MarginalPlot, name="mplot")
    check_result(ale_result, AccumulatedLocalEffects, name="ale_result")
    check_result(pdp_result, PartialDependence, name="pdp_result")
    check_same_scale({"mplot": mplot, "ale_result": ale_result, "pdp_result": pdp_result})
    features = {mplot.feature, ale_result.feature, pdp_result.feature}
    if len(features) != 1:
        raise ValueError(f"the three results are for different features {sorted(features)}: compute "
                         "them for the same feature")
    if not (np.array_equal(mplot.grid, ale_result.grid) and np.array_equal(pdp_result.grid, ale_result.grid)):
        raise ValueError("the M-plot, the ALE and the PDP must share the ALE's bins: compute the M-plot "
                         "with the ALE's grid_resolution on the same X, and the PDP with grid=ale_result.grid")
    feature = ale_result.feature
    data = pd.concat([
        pd.DataFrame({"value": _round(mplot.centers), "effect": _round(mplot.effect), "method": MPLOT_LABEL,
                      "rows": mplot.counts}),
        pd.DataFrame({"value": _round(pdp_result.grid), "effect": _round(pdp_result.centred_on_data()),
                      "method": PDP_LABEL, "rows": len(pdp_result.rows)}),
        pd.DataFrame({"value": _round(ale_result.grid), "effect": _round(ale_result.effect),
                      "method": ALE_LABEL, "rows": np.concatenate([[0], ale_result.counts])}),
    ], ignore_index=True)
    order = [MPLOT_LABEL, PDP_LABEL, ALE_LABEL]
    # One legend for colour, dash and shape: Vega-Lite merges them, so they get the same settings
    # (a legend=None on one of them made it warn "Conflicting legend property").
    legend = alt.Legend(orient="bottom", direction="vertical", symbolStrokeWidth=3, labelLimit=0)
    color = alt.Color("method:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=[MPLOT_COLOR, PDP_COLOR, ALE_COLOR]), legend=legend)
    base = alt.Chart(data).encode(
        x=alt.X("value:Q", title=feature, scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("effect:Q", title=f"effect on {y_title} (centred)"), color=color)
    lines = base.mark_line(strokeWidth=3).encode(
        strokeDash=alt.StrokeDash("method:N", sort=order, title=None, legend=legend,
                                  scale=alt.Scale(domain=order, range=[[6, 3], [1, 0], [2, 2]])))
    points = base.mark_point(size=60, filled=True).encode(
        shape=alt.Shape("method:N", sort=order, title=None, legend=legend,
                        scale=alt.Scale(domain=order, range=["square", "circle", "triangle-up"])),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("value:Q", title=feature),
                 alt.Tooltip("effect:Q", title="centred effect", format=".3f"),
                 alt.Tooltip("rows:Q", title="rows in the bin (PDP: all rows)")])
    ends = {name: data[data["method"] == name].iloc[-1] for name in order}
    return describe(
        alt.layer(lines, points).properties(width=420, height=260),
        title=title or f"Three answers for {feature}: M-plot, PDP and ALE",
        subtitle="all centred to average zero over the data; same bins",
        description=description or (
            f"Three curves of the effect on the {y_title} against {feature}, centred to average zero: "
            f"the conditional mean of the predictions of the rows in each bin (M-plot, ends at "
            f"{ends[MPLOT_LABEL]['effect']:+.3f}), the partial dependence (ends at "
            f"{ends[PDP_LABEL]['effect']:+.3f}) and the accumulated local effects (ends at "
            f"{ends[ALE_LABEL]['effect']:+.3f})."
        ),
    )


def derivative_ice_chart(result: IceDerivatives, *, max_rows: int = 40, random_state: int = 0,
                         y_title: str = "prediction", id_title: str = "row", title: str | None = None,
                         description: str | None = None) -> alt.TopLevelMixin:
    """Derivative ICE (Goldstein et al. 2015): the slope of each sampled ICE curve (grey), the
    slope of the PDP (blue), and below them the standard deviation of the slopes across all rows,
    which is zero where the feature interacts with nothing."""
    check_result(result, IceDerivatives)
    max_rows = check_count(max_rows, "max_rows")
    n = len(result.rows)
    keep = np.arange(n) if n <= max_rows else np.sort(
        as_legacy_random_state(random_state).choice(n, size=max_rows, replace=False))
    grid = _round(result.grid).tolist()
    curves = pd.DataFrame({"id": [str(r) for r in result.rows[keep]], "x": [grid] * len(keep),
                           "y": [_round(row).tolist() for row in result.individual[keep]]})
    summary = pd.DataFrame({"x": grid, "average": _round(result.average), "spread": _round(result.spread)})
    # (a short axis title: one longer than the 220-pixel panel overhangs it, and browsers and the
    # PNG renderer measure the overhang differently, so the reserved height would be wrong)
    slope = f"slope of the {y_title}"
    x = alt.X("x:Q", title=result.feature, scale=alt.Scale(zero=False, nice=False))
    hover = alt.selection_point(fields=["id"], on="pointerover", clear="pointerout", empty=False)
    base = alt.Chart(curves).transform_flatten(["x", "y"]).encode(x=x, y=alt.Y("y:Q", title=slope), detail="id:N")
    lines = base.mark_line().encode(
        color=alt.condition(hover, alt.value(HIGHLIGHT_COLOR), alt.value(ICE_COLOR)),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.35)),
        strokeWidth=alt.condition(hover, alt.value(3), alt.value(1)))
    hit = base.mark_line(strokeWidth=7, opacity=0, color=ICE_COLOR).encode(
        tooltip=[alt.Tooltip("id:N", title=id_title)]).add_params(hover)
    average = alt.Chart(summary).mark_line(color=PDP_COLOR, strokeWidth=4).encode(
        x=x, y="average:Q", tooltip=[alt.Tooltip("x:Q", title=result.feature),
                                     alt.Tooltip("average:Q", title="slope of the PDP", format=".4f")])
    spread = alt.Chart(summary).mark_bar(color=PDP_COLOR, opacity=0.7, width=6).encode(
        x=x, y=alt.Y("spread:Q", title="spread of slopes (sd)"),
        tooltip=[alt.Tooltip("x:Q", title=result.feature),
                 alt.Tooltip("spread:Q", title="sd of the slopes across rows", format=".4f")],
    ).properties(height=90)
    top = alt.layer(lines, hit, average).properties(height=220)
    widest = int(np.argmax(result.spread))
    return describe(
        alt.vconcat(top, spread, spacing=8).resolve_scale(x="shared"),
        title=title or f"Derivative ICE: where the effect of {result.feature} differs between rows",
        subtitle=f"Slopes per unit of {result.feature}: {len(keep)} rows (grey), the PDP (blue); below: their spread",
        description=description or (
            f"Top: the slope of the {y_title} with respect to {result.feature} for {len(keep)} rows "
            "(thin grey lines) and for the partial dependence (thick blue line). Bottom: bars of the "
            f"standard deviation of the slopes across all {n} rows, largest "
            f"({result.spread[widest]:.3f}) at {result.feature} = {result.grid[widest]:g}."
        ),
    )


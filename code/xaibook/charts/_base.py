"""The book's one visual theme and the helpers every chart builder uses.

Importing it registers and enables the ``xaibook`` theme and the offline renderer
(:mod:`xaibook.render`). Every chart has a title and a description (read by screen readers):
:func:`describe` enforces both.

Colours: the hues of the Okabe & Ito (2008) palette, distinguishable with the common
colour-vision deficiencies, with the light ones darkened so that every colour has a contrast of at
least 3:1 (WCAG 2.1, 1.4.11 non-text contrast) against both the light page (white) and the dark
page (:data:`DARK_BACKGROUND`); :func:`contrast_ratio` checks it and the tests hold every colour
here to it. Quantities that run from low to high use :func:`diverging_scale` (blue to vermillion
through purple, all within that contrast band) instead of a Vega scheme with a pale middle.
Backgrounds are transparent so charts sit on the page in both modes (the dark-mode text colours are
applied by ``_static/xaibook-charts.js``). Colour never carries a meaning alone: a chart also says
it with a sign, a position, a shape or a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from xaibook import render, tables

__all__ = ["PALETTE", "OUTCOME_COLORS", "DIVERGING_SCHEME", "FONT", "THEME_NAME", "DIGITS", "RULE_COLOR",
           "xaibook_theme", "describe", "check_result", "check_count", "check_top", "check_long_frame", "zero_rule",
           "diverging_scale", "signed_scale", "SIGNED_ZERO", "click_on_mark", "text_colour_on_fill",
           "LIGHT_BACKGROUND", "DARK_BACKGROUND", "MIN_CONTRAST", "DIVERGING_RANGE", "with_narrow_layout",
           "NARROW_WIDTH"]

T = TypeVar("T")

#: Okabe-Ito hues (blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow, grey;
#: black omitted: it vanishes in dark mode), the light ones darkened to 3:1 on both backgrounds.
PALETTE = ("#0072B2", "#B47C00", "#009E73", "#C25F96", "#1C96DA", "#D55E00", "#9A910C", "#888888")
#: Two outcome colours used throughout (favourable / unfavourable outcome).
OUTCOME_COLORS = {"good": "#0072B2", "bad": "#D55E00"}
#: The page backgrounds a chart is drawn on: the theme's light and dark mode.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#14181e"
#: Least contrast of a chart colour against either background (WCAG 2.1 success criterion 1.4.11).
MIN_CONTRAST = 3.0
#: Ends of the low-to-high colour scale (interpolated in HCL through purple).
DIVERGING_RANGE = (PALETTE[0], PALETTE[5])
#: Colour of zero on :func:`signed_scale`: a neutral grey between the blue and vermillion ends,
#: readable on both pages, so that "no effect" never looks like an effect of either sign.
SIGNED_ZERO = "#888888"
#: Kept for old code only: Vega's ``blueorange`` has a near-white middle that vanishes on the light
#: page. New charts call :func:`diverging_scale`.
DIVERGING_SCHEME = "blueorange"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
THEME_NAME = "xaibook"
#: Decimal places kept in the data a chart embeds (the page stays small; no one reads the 5th).
DIGITS = 4
#: Grey of reference rules (zero, base value, no effect).
RULE_COLOR = "#888888"


@alt.theme.register(THEME_NAME, enable=True)
def xaibook_theme() -> alt.theme.ThemeConfig:
    """The book's theme: transparent background, readable fonts, colour-blind-safe palette."""
    return {
        "config": {
            "background": None,
            "font": FONT,
            "view": {"continuousWidth": 420, "continuousHeight": 280, "stroke": PALETTE[7]},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridOpacity": 0.5},
            "legend": {"labelFontSize": 12, "titleFontSize": 12},
            "range": {"category": list(PALETTE)},
            "mark": {"color": PALETTE[0]},
        }
    }


def relative_luminance(colour: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour, as defined by WCAG 2.1."""
    if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
        raise ValueError(f"colour must be '#rrggbb', got {colour!r}")
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def diverging_scale(**options) -> alt.Scale:
    """Colour scale for a quantity from low (blue) to high (vermillion), readable on both pages.

    Extra ``options`` (``domain``, ``domainMid``, ...) go to :class:`altair.Scale`.
    """
    return alt.Scale(range=list(DIVERGING_RANGE), interpolate="hcl", **options)


def signed_scale(limit: float) -> alt.Scale:
    """Diverging colour scale for a signed quantity (a weight, a SHAP value): blue for negative,
    vermillion for positive, neutral grey (:data:`SIGNED_ZERO`) at exactly zero, symmetric
    (``-limit`` to ``limit``) so equal sizes of either sign look equally strong.
    """
    limit = float(limit)
    if not np.isfinite(limit) or limit <= 0:
        limit = 1.0
    return alt.Scale(domain=[-limit, 0.0, limit], range=[DIVERGING_RANGE[0], SIGNED_ZERO, DIVERGING_RANGE[1]],
                     interpolate="lab")


def text_colour_on_fill(field: str, scale: str = "color") -> dict:
    """Colour of a text drawn on a cell filled with the ``scale`` colour of ``datum[field]``: white
    or black, whichever contrasts more with the fill as drawn (the dark page's lighter colours
    included), computed by Vega's ``contrast`` for each cell. One of the two always reaches
    sqrt(21) = 4.58:1 against any colour, above the 4.5:1 that WCAG 2.1 (1.4.3) asks of text.
    ``scale`` is the name Vega-Lite gives the colour scale (``"color"`` in a single or layered view).
    """
    if not (isinstance(field, str) and field.isidentifier()):
        raise ValueError(f"field must be a plain name (letters, digits, _), got {field!r}")
    fill = f"scale({scale!r}, datum.{field})"
    return alt.value({"expr": f"contrast('#ffffff', {fill}) >= contrast('#000000', {fill}) ? '#ffffff' : '#000000'"})


def click_on_mark(field: str) -> str:
    """Event stream for a point selection that only a click on a mark carrying ``field`` changes.

    A plain ``"click"`` selection is emptied by a click on empty space (or on a reference rule),
    which makes a chart linked to it fall back to "everything selected"; with this filter such a
    click leaves the selection, and the input bound to it, as they were.
    """
    if not (isinstance(field, str) and field.isidentifier()):
        raise ValueError(f"field must be a plain name (letters, digits, _), got {field!r}: Vega's event "
                         "filters cannot hold brackets")
    return f"click[event.item && event.item.datum && event.item.datum.{field} != null]"


def describe(chart: alt.TopLevelMixin, *, title: str, description: str,
             subtitle: str | None = None) -> alt.TopLevelMixin:
    """Give ``chart`` its title (and optional subtitle) and its screen-reader description."""
    if not title or not title.strip():
        raise ValueError("every chart needs a non-empty title")
    if not description or not description.strip():
        raise ValueError("every chart needs a non-empty description for screen readers")
    heading = alt.TitleParams(text=title, subtitle=subtitle) if subtitle else title
    return chart.properties(title=heading, description=description)


#: Width (pixels) a chart's phone layout is designed for: a 390 px phone's column, less the chart
#: menu and the y axis. Below 600 px of room ``_static/xaibook-charts.js`` draws that layout.
NARROW_WIDTH = 300


def with_narrow_layout(chart: alt.TopLevelMixin, narrow: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` carrying ``narrow``: the same chart laid out for a phone (labels placed, cut or
    turned for :data:`NARROW_WIDTH` pixels), which the site draws instead when the column is narrow.

    Scaling a chart down keeps its labels where they were placed for the wide picture, so texts
    placed in pixels (lanes under a force plot, labels cut to a box) would overlap; a builder that
    places texts itself makes both layouts. The phone layout travels in ``usermeta.xaibook.narrow``
    (its data is merged into the chart's own when the page is rendered, :func:`xaibook.render.render`).
    """
    meta = chart.usermeta if isinstance(getattr(chart, "usermeta", None), dict) else {}
    narrow_spec = narrow.to_dict()
    narrow_spec.pop("$schema", None)
    meta = {**meta, "xaibook": {**meta.get("xaibook", {}), "narrow": narrow_spec}}
    return chart.properties(usermeta=meta)


def check_result(result: Any, kind: type[T], *, name: str = "result") -> T:
    """``result`` must be a ``kind`` (a result class of a method module); names where it comes from."""
    if not isinstance(result, kind):
        raise TypeError(f"{name} must be a {kind.__name__} (from {kind.__module__}), got {type(result).__name__}")
    return result


def check_count(value: Any, name: str) -> int:
    """A chart option counting things (``top``, ``max_rows``) must be a positive integer."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_top(top: int | None, n: int) -> int:
    """How many of ``n`` items to show: ``top``, or all of them for ``None``."""
    return n if top is None else min(check_count(top, "top"), n)


def check_long_frame(frame: Any, columns: Sequence[str], name: str = "frame", *, numbers: Sequence[str] = (),
                     unique: Sequence[str] = (), share: Sequence[str] = (),
                     positive: Sequence[str] = (), source: str | None = None) -> pd.DataFrame:
    """A long frame to draw, checked for what its axes can show: the ``columns`` present; finite
    numbers in ``numbers`` (text or NaN would vanish from a quantitative axis); one row per
    combination of ``unique`` (duplicates would draw on top of each other); values in [0, 1] in
    ``share`` (an axis with the fixed domain 0 to 1, where 40 meaning 40% would fall off it);
    values above 0 in ``positive`` (a log axis, where 0 and negative values cannot be drawn).
    ``source`` names the function that makes such a frame, for the message."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        where = f"; pass {source}" if source else ""
        raise ValueError(f"{name} lacks the columns {missing}; it has {list(frame.columns)}{where}")
    if frame.empty:
        raise ValueError(f"{name} is empty")
    for column in dict.fromkeys([*numbers, *share, *positive]):
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) \
                or not np.isfinite(values.to_numpy(dtype=float)).all():
            raise ValueError(f"{name}[{column!r}] must hold finite numbers, got {values.dtype} values "
                             f"{values.head(3).tolist()}")
    outside = [c for c in share if not frame[c].between(0, 1).all()]
    if outside:
        raise ValueError(f"{name}[{outside[0]!r}] must be shares in [0, 1] (the axis spans 0 to 1), got "
                         f"{frame[outside[0]].min():g} to {frame[outside[0]].max():g}")
    not_positive = [c for c in positive if not (frame[c] > 0).all()]
    if not_positive:
        raise ValueError(f"{name}[{not_positive[0]!r}] must be above 0 (it is drawn on a log axis, where 0 and "
                         f"negative values cannot be shown), got a smallest value of {frame[not_positive[0]].min():g}")
    if unique and frame.duplicated(list(unique)).any():
        raise ValueError(f"{name} has several rows for one {tuple(unique)}, which would be drawn on top of "
                         "each other; keep one row each (or aggregate them first)")
    return frame


def zero_rule(axis: Literal["x", "y"] = "x", *, at: float = 0.0) -> alt.Chart:
    """The dashed grey reference line at ``at`` (zero by default) across a chart."""
    frame = pd.DataFrame({axis: [at]})
    return alt.Chart(frame).mark_rule(color=RULE_COLOR, strokeDash=[4, 3]).encode(**{axis: f"{axis}:Q"})


render.enable()
tables.enable()

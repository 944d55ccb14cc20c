"""The book's one visual theme and the helpers every chart builder uses.

Importing it registers and enables the ``xaibook`` theme and the offline renderer
(:mod:`xaibook.render`). Every chart has a title and a description (read by screen readers):
:func:`describe` enforces both.

Colours: the Okabe & Ito (2008) palette, distinguishable with the common colour-vision
deficiencies; diverging quantities use the ``blueorange`` scheme. Backgrounds are transparent so
charts sit on the page in both the light and the dark mode of the site (the dark-mode text colours
are applied by ``_static/xaibook-charts.js``).
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from xaibook import render

__all__ = ["PALETTE", "OUTCOME_COLORS", "DIVERGING_SCHEME", "FONT", "THEME_NAME", "DIGITS", "RULE_COLOR",
           "xaibook_theme", "describe", "check_result", "check_count", "check_top", "zero_rule"]

T = TypeVar("T")

#: Okabe-Ito colour-blind-safe palette (black omitted: it vanishes in dark mode).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: Two outcome colours used throughout (favourable / unfavourable outcome).
OUTCOME_COLORS = {"good": "#0072B2", "bad": "#D55E00"}
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
            "view": {"continuousWidth": 420, "continuousHeight": 280, "stroke": "#bbbbbb"},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridOpacity": 0.5},
            "legend": {"labelFontSize": 12, "titleFontSize": 12},
            "range": {"category": list(PALETTE)},
            "mark": {"color": PALETTE[0]},
        }
    }


def describe(chart: alt.TopLevelMixin, *, title: str, description: str,
             subtitle: str | None = None) -> alt.TopLevelMixin:
    """Give ``chart`` its title (and optional subtitle) and its screen-reader description."""
    if not title or not title.strip():
        raise ValueError("every chart needs a non-empty title")
    if not description or not description.strip():
        raise ValueError("every chart needs a non-empty description for screen readers")
    heading = alt.TitleParams(text=title, subtitle=subtitle) if subtitle else title
    return chart.properties(title=heading, description=description)


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


def zero_rule(axis: Literal["x", "y"] = "x", *, at: float = 0.0) -> alt.Chart:
    """The dashed grey reference line at ``at`` (zero by default) across a chart."""
    frame = pd.DataFrame({axis: [at]})
    return alt.Chart(frame).mark_rule(color=RULE_COLOR, strokeDash=[4, 3]).encode(**{axis: f"{axis}:Q"})


render.enable()

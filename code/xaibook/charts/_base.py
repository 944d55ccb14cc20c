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

import altair as alt

from xaibook import render

#: Okabe-Ito colour-blind-safe palette (black omitted: it vanishes in dark mode).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: Two outcome colours used throughout (favourable / unfavourable outcome).
OUTCOME_COLORS = {"good": "#0072B2", "bad": "#D55E00"}
DIVERGING_SCHEME = "blueorange"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
THEME_NAME = "xaibook"


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


render.enable()

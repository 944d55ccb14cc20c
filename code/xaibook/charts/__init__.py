"""Altair chart builders for every result type in the book, and the book's theme.

``from xaibook import charts`` enables the theme and the offline renderer. Builders live in one
submodule per method (``charts.importance``, ``charts.dependence``, ...) and are re-exported here,
so chapters call ``charts.<builder>(result, ...)``. Each builder takes a result object (or a small
DataFrame), returns an Altair chart with a title and a description, and keeps the data it embeds
small (aggregated or sampled) so pages stay light.
"""

from xaibook.charts._base import (  # noqa: F401
    DIVERGING_SCHEME,
    OUTCOME_COLORS,
    PALETTE,
    THEME_NAME,
    contrast_ratio,
    describe,
    diverging_scale,
    xaibook_theme,
)

# One submodule per topic; chapters call e.g. ``charts.dependence.ice_chart(result)``.
from xaibook.charts import (  # noqa: E402,F401
    dependence,
    glassbox,
    importance,
    overview,
    shap,
)

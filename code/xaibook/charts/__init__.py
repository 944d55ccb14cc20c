"""Altair chart builders for every result type in the book, and the book's theme.

``from xaibook import charts`` enables the theme and the offline renderer. Builders live in one
submodule per method key (``charts.importance``, ``charts.shapley``, ...; see CONTRIBUTING.md);
chapters call ``charts.<key>.<thing>_chart(result, ...)``. Each builder takes a result object
(or a small DataFrame), returns an Altair chart with a title and a description, and keeps the
data it embeds small (aggregated or sampled) so pages stay light. Shared helpers are in
:mod:`xaibook.charts._base`.
"""

from xaibook.charts import counterfactual, dependence, failures, glassbox, importance, overview, shapley, surrogate
from xaibook.charts._base import (
    DIVERGING_SCHEME,
    OUTCOME_COLORS,
    PALETTE,
    THEME_NAME,
    contrast_ratio,
    describe,
    diverging_scale,
    xaibook_theme,
)

__all__ = [
    "DIVERGING_SCHEME", "OUTCOME_COLORS", "PALETTE", "THEME_NAME", "contrast_ratio", "describe", "diverging_scale",
    "xaibook_theme",
    "counterfactual", "dependence", "failures", "glassbox", "importance", "overview", "shapley", "surrogate",
]

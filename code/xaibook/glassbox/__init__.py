"""Glass-box models explained from their own parameters.

A glass-box model needs no separate explanation method: its parameters *are* the explanation.
This package reads them out of the case-study pipelines (``preprocess`` ColumnTransformer +
``model`` estimator) in the units a reader understands, one module per model family:

:mod:`xaibook.glassbox.logistic`
    :func:`logistic_coefficients` (odds ratios with Wald or bootstrap intervals),
    :func:`logistic_contributions` (one row's log-odds split exactly per feature) and
    :func:`mean_abs_contributions` (the global ranking built from those splits).
:mod:`xaibook.glassbox.trees`
    :func:`tree_rules`, :func:`decision_path` and :func:`refit_trees`.
:mod:`xaibook.glassbox.gam`
    :func:`spline_gam` and its :func:`shape_functions`.
:mod:`xaibook.glassbox.whatif`
    :func:`whatif_spec`, the logistic model in raw units for a live chart.

Everything is re-exported here, so ``from xaibook import glassbox; glassbox.tree_rules(...)``
works. Pipeline introspection (what each transformed column means) lives in
:mod:`xaibook.pipeline`, model evaluation in :mod:`xaibook.evaluation` and the book's map of
methods in :mod:`xaibook.overview`.
"""

from xaibook.glassbox.gam import ShapeFunctions, shape_functions, spline_gam
from xaibook.glassbox.logistic import (
    LogisticCoefficients,
    LogisticContributions,
    logistic_coefficients,
    logistic_contributions,
    mean_abs_contributions,
)
from xaibook.glassbox.trees import (
    Condition,
    DecisionPath,
    PathStep,
    Rule,
    TreeRefits,
    TreeRules,
    decision_path,
    refit_trees,
    tree_rules,
)
from xaibook.glassbox.whatif import WhatIfSpec, whatif_spec

__all__ = [
    "logistic_coefficients", "LogisticCoefficients", "logistic_contributions",
    "LogisticContributions", "mean_abs_contributions",
    "tree_rules", "TreeRules", "Rule", "Condition", "decision_path", "DecisionPath", "PathStep",
    "refit_trees", "TreeRefits",
    "spline_gam", "shape_functions", "ShapeFunctions",
    "whatif_spec", "WhatIfSpec",
]

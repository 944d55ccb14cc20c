"""xaibook: the tested code behind *Explainable Machine Learning Models*.

The book's main functions and result types are importable from the top level, as scikit-learn's
``sklearn.inspection`` gathers its inspection tools::

    from xaibook import kernel_shap, lime_tabular, counterfactuals, reason_codes

``xaibook.__all__`` lists them; each is the same object as in its home module (``xaibook.kernel_shap
is xaibook.shapley.kernel_shap``), imported on first use, so ``import xaibook`` stays instant. The
helpers a chapter needs beyond these stay in their modules.

One module per explanation method, named by its key (CONTRIBUTING.md has the module map):

``overview``        chapter 1: outcome rates with Wilson intervals; the book's map of methods
``glassbox``        chapter 2: logistic coefficients, tree rules, GAM shapes, the what-if (a package)
``importance``      chapter 3: permutation, grouped, conditional, drop-column and bootstrap importance (a package)
``dependence``      chapter 4: PDP, ICE, two-way PDP, ALE and the H statistic
``shapley``         chapter 5: exact, sampling and Kernel SHAP, TreeSHAP, Owen values (a package)
``surrogate``       chapter 6: LIME for tables, text and images (a package; named so it never shadows ``lime``)
``counterfactual``  chapter 7: counterfactual search with actionability constraints, and its metrics
``agreement``       chapters 8 and 9: how much explanations agree (Krishna et al. 2022)
``adversarial``     chapter 8: the scaffolding attack on LIME and SHAP (Slack et al. 2020)
``failures``        chapters 8 and 9: the labs' key, re-exporting ``refits``, ``labs`` and ``studies``
``refits``          chapter 8: the refitted model variants (Rashomon set, shuffled labels, monotone) and their cache
``labs``            chapters 8 and 9: the labs' cached runs (report card, decision guide, adversary)
``studies``         chapters 8 and 9: the analysis steps between the labs' runs and their numbers
``reasons``         chapter 10: reason codes for adverse-action notices
``faithfulness``    chapter 11: is the explanation right? planted truth, deletion curves, retraining, sanity checks
``scale``           the appendix: the row-wise methods on a Dask cluster, results independent of the partitioning

and the infrastructure they share:

``data``            the bundled case-study datasets and their data dictionaries
``models``          the reproducible model zoo and its cache
``predict``         a fitted model (or a function) as ``f(X) -> one number per row``
``pipeline``        pipeline introspection: split, transform, raw feature of each column
``evaluation``      model metrics (paired AUC difference, calibration error)
``unstructured``    chapter 6's text and image models
``_validation``     the shared input checks
``charts``          Altair chart builders (``charts.<key>``) and the book's theme
``exercises``       the exercise checkers (``exercises.<key>``)
``notebook``        ``glue`` for numbers in the prose
``render``          offline rendering of charts (text/html + PNG fallback, data tables)
``tables``          accessible HTML for the DataFrames a chapter shows
``sphinxext``       Sphinx extension: offline Vega and MathJax, cache invalidation
``fingerprint``     what counts as a change of the package for cached outputs
``repository``      the repository's URL, in one place
``handout``         the PDF course handout (``python -m xaibook.handout``)
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: The curated public API: home module -> the names it exports at the top level.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "overview": ("outcome_rates", "wilson_interval", "method_map"),
    "glassbox": ("logistic_coefficients", "LogisticCoefficients", "logistic_contributions",
                 "LogisticContributions", "tree_rules", "TreeRules", "decision_path", "DecisionPath",
                 "refit_trees", "TreeRefits", "spline_gam", "shape_functions", "ShapeFunctions",
                 "whatif_spec", "WhatIfSpec"),
    "importance": ("permutation_importance", "PermutationImportance", "grouped_permutation_importance",
                   "conditional_permutation_importance", "drop_column_importance", "DropColumnImportance",
                   "bootstrap_permutation_importance", "BootstrapImportance", "train_test_importance",
                   "compare_models", "ImportanceComparison", "impurity_importance"),
    "dependence": ("partial_dependence", "PartialDependence", "partial_dependence_2d", "PartialDependence2D",
                   "ale", "AccumulatedLocalEffects", "h_statistic", "HStatistic", "marginal_plot",
                   "MarginalPlot", "ice_derivatives", "IceDerivatives"),
    "shapley": ("exact_shapley", "sampling_shapley", "kernel_shap", "tree_shap", "ShapleyResult",
                "path_dependent_shap", "path_dependent_interactions", "ShapleyInteractions", "owen_values"),
    "surrogate": ("lime_tabular", "lime_text", "lime_image", "LimeResult", "submodular_pick", "SubmodularPick"),
    "counterfactual": ("counterfactuals", "CounterfactualResult", "counterfactual_metrics",
                       "counterfactual_importance", "CounterfactualImportance", "recourse_cost"),
    "agreement": ("feature_agreement", "rank_agreement", "sign_agreement", "agreement_table"),
    "adversarial": ("scaffold", "ScaffoldedClassifier", "real_data_audit", "RealDataAudit"),
    "reasons": ("reason_codes", "ReasonCodes", "Reason", "letters"),
    "scale": ("explain",),
    "predict": ("as_prediction_function",),
    "data": ("load_case", "Dataset"),
    "models": ("get_model",),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_HOME]


def __getattr__(name: str) -> object:
    """Import a top-level name from its home module on first use (PEP 562), then keep it."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'xaibook' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"xaibook.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})

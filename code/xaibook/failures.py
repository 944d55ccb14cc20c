"""Chapters 8 and 9's key: the refitted models and the labs, under the one name the chapters use.

``from xaibook import failures`` gives both halves, so a chapter writes ``failures.report_card(...)``
or ``failures.bootstrap_refits(...)`` without knowing where each lives:

:mod:`xaibook.refits`  the models chapter 8 refits (Rashomon set, shuffled labels, monotonic
                       constraints, a correlated copy), each fitted once and cached;
:mod:`xaibook.labs`    the labs' runs of chapters 8 and 9 (sanity check, kernel widths, adversary,
                       report card, decision guide, recourse under refits), the costly ones cached;
:mod:`xaibook.studies` the analysis steps between those runs and the chapters' numbers (uncached).

Each name below is the same object as in its home module.
"""

from __future__ import annotations

from xaibook.labs import (
    DECISION_GUIDE,
    Adversary,
    adversary,
    counterfactual_importance_table,
    decision_guide,
    kernel_width_study,
    local_explanations,
    measured_people,
    method_measurements,
    recourse_under_refits,
    report_card,
    sanity_table,
    shap_threshold_tradeoff,
)
from xaibook.refits import (
    Refits,
    add_copy,
    bootstrap_refits,
    correlated_copy_model,
    monotone_model,
    shuffled_label_model,
    test_auc,
    unconstrained_model,
)
from xaibook.studies import (
    DuplicatedFeature,
    break_ties_by_column,
    curve_landmarks,
    duplicated_feature_study,
    four_method_explanations,
    ice_curves,
    interval_apart,
    intervals_overlap,
    kernel_width_regimes,
    lime_top_features,
    outcome_rate_by_quantile,
    quantile_grid,
    recourse_validity,
    refit_explanations,
    report_card_tops,
    sign_conflicts,
)

__all__ = [
    # xaibook.refits
    "Refits", "add_copy", "bootstrap_refits", "correlated_copy_model", "monotone_model", "shuffled_label_model",
    "test_auc", "unconstrained_model",
    # xaibook.labs
    "Adversary", "DECISION_GUIDE", "adversary", "counterfactual_importance_table", "decision_guide",
    "kernel_width_study", "local_explanations", "measured_people", "method_measurements", "recourse_under_refits",
    "report_card", "sanity_table", "shap_threshold_tradeoff",
    # xaibook.studies
    "DuplicatedFeature", "break_ties_by_column", "curve_landmarks", "duplicated_feature_study",
    "four_method_explanations", "ice_curves", "interval_apart", "intervals_overlap", "kernel_width_regimes",
    "lime_top_features", "outcome_rate_by_quantile", "quantile_grid", "recourse_validity", "refit_explanations",
    "report_card_tops", "sign_conflicts",
]

"""Is the explanation right? Faithfulness measured against planted truth and by perturbation.

On real data nobody knows the true reasons for a prediction, so an explanation cannot be checked
against them. This package gives the four checks the field uses instead, for tabular data, one
module per concern (everything is re-exported here, so ``from xaibook.faithfulness import
deletion_curve`` works):

:mod:`~xaibook.faithfulness.planted`        ``make_planted_credit``: synthetic credit-like data
                                             drawn from a known log-odds function (the *planted*
                                             ground truth, after Faber, Moghaddam & Wattenhofer
                                             2021); :meth:`PlantedData.truth` gives its exact
                                             interventional Shapley values in closed form,
                                             ``planted_main_effect`` its main effects and
                                             :meth:`PlantedData.oracle` a classifier that *is* it.
:mod:`~xaibook.faithfulness.attributions`   attributions as a rows x features matrix, the global
                                             mean |attribution| and the random baseline.
:mod:`~xaibook.faithfulness.scores`         ``ground_truth_scores`` (rank correlation, top-k
                                             recovery, mass on irrelevant features) and
                                             ``effect_scores`` (PD and ALE curves against the
                                             planted main effects).
:mod:`~xaibook.faithfulness.curves`         ``deletion_curve``, ``insertion_curve``: the tabular
                                             form of the deletion and insertion games of Petsiuk,
                                             Das & Saenko (2018).
:mod:`~xaibook.faithfulness.retrain`        ``remove_and_retrain``: ROAR (Hooker, Erhan,
                                             Kindermans & Kim 2019), with one global ranking or
                                             each row's own ranking.
:mod:`~xaibook.faithfulness.randomisation`  ``model_randomisation_check``: the sanity checks of
                                             Adebayo et al. (2018), data randomisation (refit on
                                             shuffled labels) and model parameter randomisation
                                             (``randomise_parameters``).
:mod:`~xaibook.faithfulness.studies`        the chapter's experiments, cached with
                                             :func:`xaibook.models.load_or_build`, and
                                             ``interval_table``.

Every function validates its inputs, takes ``random_state`` (never ``None``) and returns a frozen
result with ``feature_names`` and a long ``to_frame()``.
"""

from xaibook.faithfulness.attributions import attribution_matrix, global_attribution, random_attributions
from xaibook.faithfulness.curves import (
    PerturbationCurve,
    deletion_curve,
    insertion_curve,
    model_function,
    perturbation_curve_reference,
)
from xaibook.faithfulness.planted import (
    PLANTED_ROLES,
    PlantedData,
    PlantedModel,
    make_planted_credit,
    planted_main_effect,
    planted_score,
    planted_truth,
)
from xaibook.faithfulness.randomisation import RandomisationCheck, model_randomisation_check, randomise_parameters
from xaibook.faithfulness.retrain import RemoveAndRetrain, remove_and_retrain
from xaibook.faithfulness.scores import EffectScores, GroundTruthScores, effect_scores, ground_truth_scores
from xaibook.faithfulness.studies import (
    CORRELATIONS,
    N_BACKGROUND,
    N_EXPLAINED,
    N_ROWS,
    ROAR_METHODS,
    ROAR_ROW_METHODS,
    ROAR_STEPS,
    SEEDS,
    case_study,
    credit_study,
    effect_study,
    explain_all,
    heart_study,
    interval_table,
    pdp_importance,
    planted_model,
    planted_study,
    roar_study,
    sanity_study,
)

__all__ = [
    # planted
    "PLANTED_ROLES", "PlantedData", "PlantedModel", "make_planted_credit", "planted_main_effect", "planted_score",
    "planted_truth",
    # attributions
    "attribution_matrix", "global_attribution", "random_attributions",
    # scores
    "EffectScores", "GroundTruthScores", "effect_scores", "ground_truth_scores",
    # curves
    "PerturbationCurve", "deletion_curve", "insertion_curve", "model_function", "perturbation_curve_reference",
    # retrain
    "RemoveAndRetrain", "remove_and_retrain",
    # randomisation
    "RandomisationCheck", "model_randomisation_check", "randomise_parameters",
    # studies
    "CORRELATIONS", "SEEDS", "N_ROWS", "N_EXPLAINED", "N_BACKGROUND", "ROAR_STEPS", "ROAR_METHODS", "ROAR_ROW_METHODS",
    "planted_model", "pdp_importance", "explain_all", "planted_study", "case_study", "credit_study", "heart_study",
    "effect_study", "roar_study", "sanity_study", "interval_table",
]

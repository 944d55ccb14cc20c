"""Shapley values of a model's prediction: exact, permutation sampling, KernelSHAP and TreeSHAP.

Every method here explains the same cooperative game. The players are the features; for the row
``x`` the *value* of a coalition ``S`` of features is the model's average prediction when the
features in ``S`` keep their values from ``x`` and the others take their values from the rows ``b``
of a background data set ``B`` (the *interventional* or *marginal* value function of Lundberg & Lee
2017, discussed by Janzing, Minorics & Blöbaum 2020)::

    v(S) = 1/|B| * sum over b in B of f(x_S, b_rest)

The Shapley (1953) value of feature ``j`` is its marginal contribution averaged over coalitions::

    phi_j = sum over S not containing j of |S|! (M - |S| - 1)! / M! * (v(S + j) - v(S))

so that ``v(empty) = mean f(B)`` (the *base value*) plus the sum of all ``phi_j`` is ``f(x)``.
One module per algorithm, everything re-exported here (``from xaibook.shapley import kernel_shap``):

:mod:`~xaibook.shapley.result`
    :class:`ShapleyResult`, what every method returns, and :class:`ShapleyInteractions`.
:mod:`~xaibook.shapley.game`
    :class:`ShapleyGame`, the value function ``v`` batched over rows, coalitions and background rows.
:mod:`~xaibook.shapley.exact`
    :func:`exact_shapley` enumerates all ``2**M`` coalitions.
:mod:`~xaibook.shapley.sampling`
    :func:`sampling_shapley` averages marginal contributions over random feature orders
    (Strumbelj & Kononenko 2014); :func:`permutation_shapley_reference` is the formula written out.
:mod:`~xaibook.shapley.kernel`
    :func:`kernel_shap` fits the Shapley-kernel weighted linear regression (Lundberg & Lee 2017).
:mod:`~xaibook.shapley.tree`
    :func:`tree_shap` runs the ``shap`` package's interventional TreeSHAP (Lundberg et al. 2020);
    :func:`to_shap_explanation` and :func:`from_shap_explanation` convert to and from shap.
:mod:`~xaibook.shapley.path_dependent`
    :func:`path_dependent_shap` is TreeSHAP with the value function ``shap.TreeExplainer`` uses
    without background data (Lundberg, Erion & Lee 2018, Algorithm 1), written from scratch;
    :func:`path_dependent_interactions` gives its SHAP interaction values (Lundberg et al. 2020,
    after Grabisch & Roubens 1999).
:mod:`~xaibook.shapley.value_function`
    :func:`shapley_from_value_function` and :func:`shapley_interactions_from_value_function`, for
    any game by full enumeration.
:mod:`~xaibook.shapley.owen`
    :func:`owen_values`, Shapley values for features in groups (Owen 1977).
:mod:`~xaibook.shapley.strength`
    :func:`interaction_strength`, which feature colours a dependence plot.
:mod:`~xaibook.shapley.codes`
    :class:`CategoryCodes`, text columns as numbers for ``shap``'s maskers.
"""

from xaibook.pipeline import feature_groups  # noqa: F401  (old home of pipeline.feature_groups)
from xaibook.predict import PredictionFunction
from xaibook.shapley.codes import CategoryCodes
from xaibook.shapley.exact import MAX_EXACT_FEATURES, all_coalitions, exact_shapley, shapley_weight_matrix
from xaibook.shapley.game import ShapleyGame
from xaibook.shapley.kernel import kernel_coalitions, kernel_shap, shapley_kernel_weight, solve_kernel
from xaibook.shapley.owen import owen_values
from xaibook.shapley.path_dependent import path_dependent_interactions, path_dependent_shap, path_dependent_value
from xaibook.shapley.result import ShapleyInteractions, ShapleyResult
from xaibook.shapley.sampling import permutation_shapley_reference, sampling_shapley
from xaibook.shapley.strength import interaction_strength
from xaibook.shapley.tree import float32_floor, from_shap_explanation, shap_module, to_shap_explanation, tree_shap
from xaibook.shapley.value_function import shapley_from_value_function, shapley_interactions_from_value_function

__all__ = [
    "MAX_EXACT_FEATURES", "PredictionFunction", "ShapleyResult", "all_coalitions",
    "shapley_weight_matrix", "exact_shapley", "sampling_shapley", "shapley_kernel_weight",
    "kernel_coalitions", "kernel_shap", "shap_module", "float32_floor", "tree_shap",
    "to_shap_explanation", "from_shap_explanation", "interaction_strength", "CategoryCodes",
    "permutation_shapley_reference",
    # path-dependent TreeSHAP and SHAP interaction values (from scratch)
    "path_dependent_value", "path_dependent_shap", "path_dependent_interactions", "ShapleyInteractions",
    "shapley_from_value_function", "shapley_interactions_from_value_function",
    # building blocks the chapter shows (inputs checked by the public functions that call them)
    "ShapleyGame", "solve_kernel",
    "owen_values",
]

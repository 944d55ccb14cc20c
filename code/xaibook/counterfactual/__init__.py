"""Counterfactual explanations with actionable recourse, written from scratch.

A counterfactual explanation of a prediction ``f(x)`` is a row ``c`` close to ``x`` that the model
puts in another, desired class (Wachter, Mittelstadt & Russell 2017): "had the loan been 2,000 DM
smaller, it would have been granted". Good counterfactuals are *valid* (they reach the desired
class), *close* (small cost), *sparse* (few features change), *diverse* (several different
options) and *actionable* (only what the person can change, in directions they can change it:
Ustun, Spangher & Liu 2019; Karimi et al. 2020), and *plausible* (near real data: Poyiadzi et al.
2020). Verma, Dickerson & Hines (2020) survey the field.

The distance::

    d(a, b) = sum over numeric j of |a_j - b_j| / MAD_j  +  sum over categorical j of [a_j != b_j]

with ``MAD_j`` the median absolute deviation of feature ``j`` in ``X_reference`` (replaced by 1
when it is 0, as DiCE does). The numeric part is the L1 distance scaled by the MAD that Wachter,
Mittelstadt & Russell (2017) propose; the categorical part counts changed categories, the
indicator distance that DiCE (Mothilal, Sharma & Tan 2020, sec. 3.3) uses for categories. DiCE
*averages* each part over the features of its type and keeps the two apart (and its sparsity is
1 minus the share of features changed); here both parts are *summed* into one cost, so that one
MAD of change costs as much as one changed category. The *cost* of a counterfactual ``c`` is
``d(x, c)``. Categories that are ordered bands (``ordered=``: a balance band, say) cost the
number of band steps between ``a_j`` and ``b_j``, divided by the MAD of the band rank in
``X_reference`` (:func:`band_scales`), like a numeric feature, instead of 1 for any change.

The search (:func:`counterfactuals`) is model-agnostic and batched:

1. *Candidates.* Every single-feature move from ``x`` to a grid value (quantiles of the reference
   data inside the permitted range and monotone direction; every allowed category); greedy paths
   that repeatedly take the move with the largest gain in the desired class's log-odds per unit of
   cost, each path barred from the first feature of the paths before it (diversity by
   construction); random sparse candidates whose new values are drawn from the reference data;
   every reference row projected onto the constraints (frozen features reset to ``x``, ranges and
   directions clipped, disallowed categories reset); and, when the features free to change allow at
   most ``LATTICE_ROWS`` combinations, the whole lattice of evenly spaced values (:func:`_lattice`).
   Greedy steps stall on a tree's flat regions, where no small move changes the log-odds; the
   projected rows and the lattice do not, so an empty result is not an artefact of the path.
2. *Minimisation.* Every valid candidate is pulled back towards ``x``: a broad candidate first moves
   all its numeric changes back together (a multi-feature move), then changes that are not needed
   are undone, and every numeric change is shortened (by a grid search on the segment from ``x``)
   to the smallest one that keeps the prediction in the desired class. For a linear model this
   reaches the boundary; :func:`linear_recourse_cost` gives the exact optimum to compare with.
   A feature that does not change keeps ``x``'s value bit for bit (float32, large integers).
3. *Selection.* The cheapest candidate first, then greedily the one with the best cost minus
   ``DIVERSITY_WEIGHT`` times its distance to the nearest one already chosen.

The package, one module per concern (everything public is re-exported here, so
``from xaibook.counterfactual import counterfactuals`` works):

:mod:`~xaibook.counterfactual.search`
    :func:`counterfactuals`, the search of one row in the three steps above.
:mod:`~xaibook.counterfactual.distance`
    The cost: :func:`mad_scales`, :func:`band_scales`, :func:`distance_matrix`.
:mod:`~xaibook.counterfactual.constraints`
    What may change: the checks of ``features_to_vary``, ``permitted_range`` and ``monotone``,
    and :func:`mutable_features`, :func:`actionable_features` from a data dictionary.
:mod:`~xaibook.counterfactual.metrics`
    :func:`counterfactual_metrics` (validity, proximity, sparsity, diversity) of any set.
:mod:`~xaibook.counterfactual.recourse`
    :func:`recourse_cost` (the search's cheapest, row by row) and the exact optimum of a model
    additive in log-odds, :func:`linear_recourse_cost` (:func:`linear_recourse_costs` for many rows).
:mod:`~xaibook.counterfactual.importance`
    :func:`counterfactual_importance`.
:mod:`~xaibook.counterfactual.caveats`
    :func:`credit_caveats`: why an option may be the model's arithmetic rather than advice (chapter 7).
:mod:`~xaibook.counterfactual.results`
    :class:`CounterfactualResult`, :class:`CounterfactualImportance`, :class:`AlreadyDesiredError`.

The search's machinery is private: ``_space`` (coded rows, constraints, cost), ``_target`` (the
model's probability and decision), ``_candidates`` (step 1) and ``_minimise`` (step 2). The
tuning constants (``DIVERSITY_WEIGHT``, ``GRID_SIZE``, ...) live in the modules that use them and
are re-exported here (not in ``__all__``, as before the split).
"""

from xaibook.counterfactual._candidates import (  # noqa: F401
    LATTICE_ROWS,
    MAX_RANDOM_CHANGES,
    MAX_REFERENCE,
    MAX_STEPS,
    N_RANDOM,
)
from xaibook.counterfactual._minimise import MAX_BROAD, MAX_POOL, SHRINK_POINTS  # noqa: F401
from xaibook.counterfactual._space import GRID_SIZE  # noqa: F401
from xaibook.counterfactual.caveats import credit_caveats
from xaibook.counterfactual.constraints import actionable_features, mutable_features
from xaibook.counterfactual.distance import band_scales, distance_matrix, mad_scales
from xaibook.counterfactual.importance import counterfactual_importance
from xaibook.counterfactual.metrics import counterfactual_metrics
from xaibook.counterfactual.recourse import (  # noqa: F401
    N_LINEAR_CHECKS,
    linear_recourse_cost,
    linear_recourse_costs,
    recourse_cost,
)
from xaibook.counterfactual.results import AlreadyDesiredError, CounterfactualImportance, CounterfactualResult
from xaibook.counterfactual.search import DIVERSITY_WEIGHT, MIN_DISTANCE, counterfactuals  # noqa: F401

__all__ = [
    "AlreadyDesiredError",
    "CounterfactualImportance",
    "CounterfactualResult",
    "actionable_features",
    "band_scales",
    "counterfactual_importance",
    "counterfactual_metrics",
    "counterfactuals",
    "credit_caveats",
    "distance_matrix",
    "linear_recourse_cost",
    "linear_recourse_costs",
    "mad_scales",
    "mutable_features",
    "recourse_cost",
]

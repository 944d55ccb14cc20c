"""Permutation importance, written from scratch, and its grouped, conditional, drop-column,
impurity and bootstrap variants: one module per variant.

Permutation importance (Breiman 2001, for random forests; Fisher, Rudin & Dominici 2019, "model
reliance", for any model) measures how much a fitted model's score falls when the link between one
feature and the target is broken by shuffling that feature's column:

    importance_j = score(model, X, y) - score(model, X with column j shuffled, y)

averaged over ``n_repeats`` shuffles. The model is never refitted: the method asks how much *this*
model relies on the feature, not how much the feature could tell a new model.

:mod:`xaibook.importance.permutation`
    :func:`permutation_importance` (bit for bit scikit-learn's, faster), the formula
    :func:`permutation_importance_reference`, :func:`shuffle_orders`, and the same shuffles for
    several models, data sets or scorers (:func:`compare_models`, :func:`train_test_importance`,
    :func:`compare_scorings`).
:mod:`xaibook.importance.batching`
    :func:`permuted_scores`, the engine: shuffled copies stacked and predicted in batches.
:mod:`xaibook.importance.grouped`
    :func:`grouped_permutation_importance`: columns shuffled together.
:mod:`xaibook.importance.conditional`
    :func:`conditional_permutation_importance` (Strobl et al. 2008): shuffles within strata of
    similar rows (:func:`permutation_strata`, :func:`shuffle_within_strata`).
:mod:`xaibook.importance.drop_column`
    :func:`drop_column_importance`: refit without the feature (:func:`without_columns`).
:mod:`xaibook.importance.impurity`
    :func:`impurity_importance`: a tree ensemble's MDI, for the pitfall comparison.
:mod:`xaibook.importance.bootstrap`
    :func:`bootstrap_permutation_importance`: the uncertainty over resampled test rows.
:mod:`xaibook.importance.results`
    the result types :class:`PermutationImportance`, :class:`ImportanceComparison`,
    :class:`DropColumnImportance` (and :class:`BootstrapImportance`, in ``bootstrap``).

Everything is re-exported here: ``from xaibook.importance import permutation_importance`` works.
"""

from xaibook.importance.batching import permuted_scores
from xaibook.importance.bootstrap import BootstrapImportance, bootstrap_permutation_importance
from xaibook.importance.conditional import (
    conditional_permutation_importance,
    conditional_shuffle_orders,
    permutation_strata,
    shuffle_within_strata,
)
from xaibook.importance.drop_column import drop_column_importance, without_columns
from xaibook.importance.grouped import grouped_permutation_importance
from xaibook.importance.impurity import impurity_importance
from xaibook.importance.permutation import (
    compare_models,
    compare_scorings,
    permutation_importance,
    permutation_importance_reference,
    shuffle_orders,
    train_test_importance,
)
from xaibook.importance.results import DropColumnImportance, ImportanceComparison, PermutationImportance
from xaibook.predict import DEFAULT_BATCH_SIZE

__all__ = [
    "permutation_importance", "grouped_permutation_importance", "PermutationImportance",
    "compare_models", "train_test_importance", "ImportanceComparison",
    "drop_column_importance", "DropColumnImportance", "without_columns", "impurity_importance",
    "shuffle_orders", "permutation_importance_reference", "DEFAULT_BATCH_SIZE",
    "bootstrap_permutation_importance", "BootstrapImportance", "compare_scorings",
    "conditional_permutation_importance", "conditional_shuffle_orders", "permutation_strata",
    # building blocks the chapter shows (inputs checked by the public functions that call them)
    "permuted_scores", "shuffle_within_strata",
]

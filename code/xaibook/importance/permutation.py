"""Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019), written from scratch.

:func:`permutation_importance` reproduces :func:`sklearn.inspection.permutation_importance`
exactly (bit for bit) for the same estimator, data, scoring and integer ``random_state``, because it
follows scikit-learn's random-number protocol (:func:`shuffle_orders`); it is faster because it
predicts the shuffled copies in batches (:mod:`xaibook.importance.batching`).
:func:`permutation_importance_reference` is the formula, one shuffle at a time.
:func:`compare_models`, :func:`train_test_importance` and :func:`compare_scorings` run the same
shuffles for several models, data sets or scorers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import check_scoring

from xaibook._validation import (
    RandomStateLike,
    align_target,
    as_legacy_random_state,
    as_numbers,
    check_memory,
    check_positive_int,
    check_random_state,
)
from xaibook.importance._scoring import _check_data, _check_score, _resolve_scorer
from xaibook.importance.batching import _check_batch, permuted_scores
from xaibook.importance.results import ImportanceComparison, PermutationImportance
from xaibook.predict import DEFAULT_BATCH_SIZE

__all__ = [
    "permutation_importance", "permutation_importance_reference", "shuffle_orders", "compare_models",
    "train_test_importance", "compare_scorings",
]


def shuffle_orders(n_rows: int, n_repeats: int, random_state: RandomStateLike) -> np.ndarray:
    """Row orders of the ``n_repeats`` shuffles, shape ``(n_repeats, n_rows)``, scikit-learn's way.

    scikit-learn draws one seed from ``random_state``, gives every column a fresh
    ``RandomState(seed)`` and shuffles an index array in place once per repeat; the column is
    re-indexed each time, so repeat ``r`` sees the composition of all shuffles so far. The same
    orders serve every column, so they are computed once.
    """
    rng = as_legacy_random_state(random_state)
    seed = rng.randint(np.iinfo(np.int32).max + 1)
    column_rng = np.random.RandomState(seed)
    shuffling_idx = np.arange(n_rows)
    order = np.arange(n_rows)
    orders = np.empty((n_repeats, n_rows), dtype=np.intp)
    for r in range(n_repeats):
        column_rng.shuffle(shuffling_idx)
        order = order[shuffling_idx]
        orders[r] = order
    return orders


def permutation_importance_reference(model: Any, X: pd.DataFrame, y: Any, *, scoring: Any = None,
                                     n_repeats: int = 5, random_state: int = 0) -> np.ndarray:
    """Permutation importance written as the formula, one feature and one shuffle at a time.

    ``importances[j, r] = s(f, X, y) - s(f, X with column j re-ordered by shuffle r, y)``
    (Breiman 2001; Fisher et al. 2019), returned as an array of shape ``(n_features, n_repeats)``.
    Plain and slow; :func:`permutation_importance` gives the same numbers faster (tested).
    """
    score = check_scoring(model, scoring=scoring)          # scikit-learn's scorer: higher is better
    baseline = score(model, X, y)
    orders = shuffle_orders(len(X), n_repeats, random_state)  # the row orders of the R shuffles
    importances = np.zeros((X.shape[1], n_repeats))
    for j, column in enumerate(X.columns):
        for r in range(n_repeats):
            X_shuffled = X.copy()
            X_shuffled[column] = X[column].to_numpy()[orders[r]]
            importances[j, r] = baseline - score(model, X_shuffled, y)
    return importances


def permutation_importance(model: Any, X: pd.DataFrame, y: Any, *, scoring: Any = None, n_repeats: int = 5,
                           random_state: RandomStateLike = 0, sample_weight: Any = None,
                           batch_size: int = DEFAULT_BATCH_SIZE,
                           batch: bool | str = "auto") -> PermutationImportance:
    """Permutation importance of every column of ``X`` (Breiman 2001; Fisher et al. 2019).

    For each feature ``j`` and repeat ``r``: shuffle column ``j`` (the other columns stay as they
    are), score the fitted ``model`` on the shuffled data and record
    ``importances[j, r] = score(X) - score(X with column j shuffled)``.

    Equal, bit for bit, to ``sklearn.inspection.permutation_importance(model, X, y,
    scoring=scoring, n_repeats=n_repeats, random_state=random_state)``: ``scoring`` takes the
    same names or callables, with the same sign (higher is better), and ``None`` means the
    model's own ``score`` (accuracy for classifiers, R² for regressors).

    Speed: the shuffled copies are stacked into frames of at most ``batch_size`` rows and predicted
    together. ``batch="auto"`` batches only what stays bit-for-bit exact (row-wise preprocessing
    and tree models; linear models and networks then predict block by block); ``True`` batches
    everything (faster, may differ from scikit-learn in the last bits); ``False`` never batches.
    """
    X, y = _check_data(model, X, y)
    columns = {name: [name] for name in X.columns}
    return _importance_of_column_sets(model, X, y, columns, scoring=scoring, n_repeats=n_repeats,
                                      random_state=random_state, sample_weight=sample_weight,
                                      batch_size=batch_size, batch=batch, groups=None)


def _importance_of_column_sets(model, X, y, column_sets: Mapping[str, Sequence[str]], *, scoring,
                               n_repeats, random_state, sample_weight, batch_size, batch,
                               groups) -> PermutationImportance:
    """The shared body: shuffle each named set of columns together, score, subtract."""
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    batch_size = check_positive_int(batch_size, name="batch_size")
    check_random_state(random_state)
    _check_batch(batch)
    scorer, scoring_name = _resolve_scorer(model, scoring)
    if sample_weight is not None:
        # a Series of weights is paired with X's rows by label (a reordered one would pair by position)
        sample_weight = as_numbers(align_target(sample_weight, X, name="sample_weight"), name="sample_weight")
        if sample_weight.shape != (len(X),) or not np.all(np.isfinite(sample_weight)) or (sample_weight < 0).any():
            raise ValueError(f"sample_weight must hold one finite, non-negative weight per row of X "
                             f"({len(X)}), got shape {sample_weight.shape}")
    check_memory(8.0 * n_repeats * len(X), what=f"{n_repeats:,} shuffles of {len(X):,} rows", knob="n_repeats")
    orders = shuffle_orders(len(X), n_repeats, random_state)

    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    baseline = _check_score(scorer(model, X, y, **kwargs), scoring_name, y)
    positions = [[X.columns.get_loc(c) for c in columns] for columns in column_sets.values()]
    permuted = permuted_scores(model, X, y, positions, orders, scorer, sample_weight, batch_size, batch,
                               scoring_name=scoring_name)
    return PermutationImportance(
        importances=baseline - permuted, feature_names=tuple(column_sets),
        baseline_score=float(baseline), scoring=scoring_name,
        random_state=random_state if isinstance(random_state, (int, np.integer)) else None,
        groups=groups,
    )


def compare_models(models: Mapping[str, Any], X: pd.DataFrame, y: Any, **kwargs: Any) -> ImportanceComparison:
    """:func:`permutation_importance` of several fitted models on the same data (same seeds, so
    every model sees the same shuffles). ``kwargs`` go to :func:`permutation_importance`."""
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty dict mapping a name to a fitted model")
    return ImportanceComparison({name: permutation_importance(model, X, y, **kwargs)
                                 for name, model in models.items()})


def train_test_importance(model: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any,
                          **kwargs: Any) -> ImportanceComparison:
    """Permutation importance on the training data and on held-out data, labelled ``train`` and
    ``test``. A feature far more important on train than on test is one the model overfits."""
    X_train, _ = _check_data(model, X_train, y_train, name="X_train")
    X_test, _ = _check_data(model, X_test, y_test, name="X_test")
    return ImportanceComparison({
        "train": permutation_importance(model, X_train, y_train, **kwargs),
        "test": permutation_importance(model, X_test, y_test, **kwargs),
    })


def compare_scorings(model: Any, X: pd.DataFrame, y: Any, scorings: Sequence[Any], **kwargs: Any
                     ) -> ImportanceComparison:
    """:func:`permutation_importance` of one model under several scorers, labelled by scorer.

    Every scorer sees the same shuffles (same ``random_state``), so differences between the
    columns come from the score alone: ROC AUC rewards ranking the positives above the negatives,
    the (negative) log-loss rewards calibrated probabilities, accuracy counts only predictions
    that cross the threshold. Equal to scikit-learn's multi-metric
    ``permutation_importance(..., scoring=[...])``. ``kwargs`` go to :func:`permutation_importance`.
    """
    if isinstance(scorings, str) or not isinstance(scorings, Sequence) or len(scorings) < 2:
        raise TypeError("scorings must be a list of at least two scorer names or scorers, "
                        "e.g. ['roc_auc', 'neg_log_loss', 'accuracy']; for one scorer call "
                        "permutation_importance")
    results: dict[str, PermutationImportance] = {}
    for scoring in scorings:
        result = permutation_importance(model, X, y, scoring=scoring, **kwargs)
        if result.scoring in results:
            raise ValueError(f"scorings lists the scorer {result.scoring!r} twice; each score is one column "
                             "of the comparison: list every scorer once")
        results[result.scoring] = result
    return ImportanceComparison(results)

"""Permutation importance, written from scratch, and its grouped and drop-column variants.

Permutation importance (Breiman 2001, for random forests; Fisher, Rudin & Dominici 2019, "model
reliance", for any model) measures how much a fitted model's score falls when the link between one
feature and the target is broken by shuffling that feature's column:

    importance_j = score(model, X, y) - score(model, X with column j shuffled, y)

averaged over ``n_repeats`` shuffles. The model is never refitted: the method asks how much *this*
model relies on the feature, not how much the feature could tell a new model. Drop-column importance
(:func:`drop_column_importance`) asks that second question, by refitting without the feature.
Conditional permutation importance (:func:`conditional_permutation_importance`; Strobl et al. 2008)
shuffles a feature only among rows alike in its correlated partners, and asks what it adds given
them. :func:`compare_scorings` runs the same shuffles under several scores;
:func:`bootstrap_permutation_importance` resamples the test rows to show the uncertainty of each
importance.

:func:`permutation_importance` reproduces :func:`sklearn.inspection.permutation_importance`
exactly (bit for bit) for the same estimator, data, scoring and integer ``random_state``, because it
follows scikit-learn's random-number protocol (:func:`shuffle_orders`). It is faster because it
stacks every shuffled copy of the data into one frame and calls the model once per batch instead of
once per feature and repeat.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from xaibook._validation import (
    RandomStateLike,
    as_legacy_random_state,
    check_features,
    check_fitted_model,
    check_frame,
    check_labels,
    check_memory,
    check_model_input,
    check_positive_int,
    check_random_state,
    check_same_features,
    check_target,
)
from xaibook.pipeline import feature_groups
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

_RESPONSE_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------

def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


class _ImportanceVocabulary:
    """``base_value`` and ``ranking()`` shared by the importance results (CONTRIBUTING.md)."""

    baseline_score: float
    feature_names: tuple[str, ...]

    @property
    def base_value(self) -> float:
        """The score of the intact model on the intact data (the common name of ``baseline_score``)."""
        return self.baseline_score

    def ranking(self) -> list[str]:
        """Feature names from most to least important (by mean importance; ties keep column order)."""
        order = np.argsort(-self.importances_mean, kind="stable")  # type: ignore[attr-defined]
        return [self.feature_names[i] for i in order]


def _freeze_importances(result: Any) -> None:
    """Make a result's ``importances`` read-only and check one row per feature name."""
    object.__setattr__(result, "importances", _frozen(result.importances))
    object.__setattr__(result, "feature_names", tuple(result.feature_names))
    if result.importances.shape[0] != len(result.feature_names):
        raise ValueError("importances must have one row per feature name")


@dataclass(frozen=True, eq=False)
class PermutationImportance(_ImportanceVocabulary):
    """Permutation importances of one model on one data set.

    ``importances[j, r]`` is the drop in score when feature (or group) ``feature_names[j]`` is
    shuffled in repeat ``r``: ``baseline_score`` minus the score on the shuffled data. Positive
    means the model relies on the feature; around zero, it does not; negative, shuffling helped
    (noise, usually a sign the feature is unimportant).
    """

    importances: np.ndarray
    feature_names: tuple[str, ...]
    baseline_score: float
    scoring: str
    random_state: int | None = None
    groups: Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        _freeze_importances(self)

    @property
    def importances_mean(self) -> np.ndarray:
        """Mean importance over the repeats, shape ``(n_features,)``."""
        return np.mean(self.importances, axis=1)

    @property
    def importances_std(self) -> np.ndarray:
        """Standard deviation over the repeats (``ddof=0``, as in scikit-learn)."""
        return np.std(self.importances, axis=1)

    @property
    def n_repeats(self) -> int:
        return self.importances.shape[1]


    def summary(self) -> pd.DataFrame:
        """One row per feature, most important first: mean, std, min, max and rank."""
        frame = pd.DataFrame({
            "feature": list(self.feature_names),
            "mean": self.importances_mean,
            "std": self.importances_std,
            "min": self.importances.min(axis=1),
            "max": self.importances.max(axis=1),
        })
        frame = frame.set_index("feature").loc[self.ranking()]
        frame["rank"] = np.arange(1, len(frame) + 1)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per feature and repeat (``feature, repeat, importance``)."""
        n_features, n_repeats = self.importances.shape
        return pd.DataFrame({
            "feature": np.repeat(list(self.feature_names), n_repeats),
            "repeat": np.tile(np.arange(n_repeats), n_features),
            "importance": self.importances.ravel(),
        })


@dataclass(frozen=True, eq=False)
class ImportanceComparison:
    """Several :class:`PermutationImportance` results side by side (models, or train vs test)."""

    results: Mapping[str, PermutationImportance]

    def __post_init__(self) -> None:
        if not self.results:
            raise ValueError("an ImportanceComparison needs at least one result")
        object.__setattr__(self, "results", dict(self.results))
        check_same_features(self.results)

    @property
    def labels(self) -> list[str]:
        return list(self.results)

    def means(self) -> pd.DataFrame:
        """Wide table of mean importances: one row per feature, one column per label."""
        return pd.DataFrame({label: pd.Series(r.importances_mean, index=list(r.feature_names))
                             for label, r in self.results.items()})

    def ranks(self) -> pd.DataFrame:
        """Rank of each feature (1 = most important) under each label."""
        return self.means().rank(ascending=False, method="min").astype(int)

    def rank_correlation(self) -> pd.DataFrame:
        """Spearman rank correlation of the mean importances between every pair of labels."""
        return self.means().corr(method="spearman")

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``label, feature, repeat, importance`` for every result."""
        parts = [r.to_frame().assign(label=label) for label, r in self.results.items()]
        frame = pd.concat(parts, ignore_index=True)
        return frame[["label", "feature", "repeat", "importance"]]


@dataclass(frozen=True, eq=False)
class DropColumnImportance(_ImportanceVocabulary):
    """Drop-column importances: score of the model refitted with all features minus without one."""

    importances: np.ndarray
    feature_names: tuple[str, ...]
    baseline_score: float
    scores_without: np.ndarray
    scoring: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "importances", _frozen(self.importances))
        object.__setattr__(self, "scores_without", _frozen(self.scores_without))
        object.__setattr__(self, "feature_names", tuple(self.feature_names))

    @property
    def importances_mean(self) -> np.ndarray:
        """The importances (one refit per feature, so the mean is the value itself)."""
        return self.importances


    def to_frame(self) -> pd.DataFrame:
        """One row per feature: ``feature, importance, score_without``, most important first."""
        frame = pd.DataFrame({"feature": list(self.feature_names), "importance": self.importances,
                              "score_without": self.scores_without})
        return frame.set_index("feature").loc[self.ranking()].reset_index()


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------

def _check_xy(X: Any, y: Any, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """``X`` with at least two rows (one row cannot be shuffled) and ``y`` aligned to it."""
    X = check_frame(X, name=name, allow_nan=True, min_rows=2)
    return X, check_target(y, X, name=name.replace("X", "y"), frame_name=name)


def _check_data(model: Any, X: Any, y: Any, *, name: str = "X") -> tuple[pd.DataFrame, np.ndarray]:
    check_fitted_model(model)
    X, y = _check_xy(X, y, name)
    check_model_input(model, X, name=name)
    check_labels(model, y, name=name.replace("X", "y"))
    return X, y


def _check_score(score: Any, scoring_name: str, y: np.ndarray, name: str = "X") -> float:
    """The baseline score must be a finite number: NaN (e.g. ROC AUC of one class) makes every
    importance NaN or, worse, zero."""
    try:
        value = float(score)
    except (TypeError, ValueError):
        raise TypeError(f"scoring {scoring_name!r} returned {type(score).__name__}, not a number") from None
    if not np.isfinite(value):
        classes = np.unique(y)
        hint = f" ({name.replace('X', 'y')} has only the class {classes.tolist()})" if len(classes) < 2 else ""
        raise ValueError(f"the score {scoring_name!r} is {value} on {name}{hint}; importances are "
                         "differences of scores, so they need a finite score: use more rows or another scoring")
    return value


def _default_scoring(model: Any) -> str | None:
    """The scorer equal to ``model.score``: accuracy for classifiers, R² for regressors."""
    final = model[-1] if isinstance(model, Pipeline) else model
    score = getattr(type(final), "score", None)
    if score is ClassifierMixin.score:
        return "accuracy"
    if score is RegressorMixin.score:
        return "r2"
    return None


def _resolve_scorer(model: Any, scoring: Any) -> tuple[Callable, str]:
    """Return ``(scorer, name)``. Scores follow scikit-learn's sign convention: higher is better
    (losses are negated, e.g. ``neg_log_loss``), so an importance is always "score lost"."""
    if scoring is None:
        default = _default_scoring(model)
        if default is not None:
            return get_scorer(default), default
        return check_scoring(model), f"{type(model).__name__}.score"
    if isinstance(scoring, str):
        names = get_scorer_names()
        if scoring not in names:
            close = difflib.get_close_matches(scoring, names, n=3)
            hint = f"; did you mean {close}?" if close else ""
            raise ValueError(f"unknown scorer {scoring!r}{hint} (scoring takes the names in "
                             "sklearn.metrics.get_scorer_names())")
        return get_scorer(scoring), scoring
    if callable(scoring):
        _check_scorer_signature(scoring)
        if hasattr(scoring, "_score_func"):  # make_scorer(...): its repr names the metric and options
            return scoring, repr(scoring)
        return scoring, getattr(scoring, "__name__", type(scoring).__name__)
    raise TypeError(f"scoring must be None, a scorer name or a callable scorer(model, X, y); "
                    f"got {type(scoring).__name__} (several scorers at once are not supported: "
                    "call the function once per scorer)")


def _check_scorer_signature(scoring: Callable) -> None:
    """A metric ``metric(y_true, y_pred)`` passed where a scorer ``scorer(model, X, y)`` is expected
    is the commonest mistake; name it and the fix instead of failing inside scikit-learn."""
    import inspect

    try:
        params = list(inspect.signature(scoring).parameters.values())
    except (TypeError, ValueError):
        return
    first = params[0].name if params else ""
    sklearn_metric = inspect.isfunction(scoring) and (scoring.__module__ or "").startswith("sklearn.metrics")
    if first in ("y_true", "labels_true") or sklearn_metric:
        metric = getattr(scoring, "__name__", "the metric")
        raise TypeError(f"scoring={metric} is a metric metric(y_true, y_pred), not a scorer "
                        f"scorer(model, X, y); pass its name (e.g. scoring='roc_auc') or "
                        f"sklearn.metrics.make_scorer({metric}, response_method=...)")


def _check_groups(groups: Any, X: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError("groups must be a non-empty dict mapping a group name to a list of columns, "
                        "e.g. {'money': ['credit_amount', 'duration_months']}")
    checked = {}
    for name, columns in groups.items():
        columns = [columns] if isinstance(columns, str) else list(columns)
        if not columns:
            raise ValueError(f"group {name!r} has no columns")
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise ValueError(f"group {name!r} names column(s) {missing} that X does not have; "
                             f"X has columns {list(X.columns)}")
        if str(name) in checked:
            raise ValueError(f"group names {[k for k in groups if str(k) == str(name)]} are the same once "
                             "written as text (results label groups by str(name)); rename one")
        checked[str(name)] = tuple(columns)
    return checked


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------

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


#: Transformers and estimators whose output for a row depends only on that row, computed the same
#: way whatever the number of rows (no BLAS matrix products, whose rounding depends on where a row
#: falls in the kernel's blocks). Their batched predictions equal row-block predictions bit for bit.
_ROW_EXACT_TRANSFORMERS = (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, OneHotEncoder,
                           OrdinalEncoder, SimpleImputer)
_ROW_EXACT_ESTIMATORS = (DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier,
                         RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
                         GradientBoostingClassifier, GradientBoostingRegressor,
                         HistGradientBoostingClassifier, HistGradientBoostingRegressor)


def _row_exact(step: Any, kinds: tuple[type, ...] = _ROW_EXACT_TRANSFORMERS) -> bool:
    """Is ``step`` known to transform (or predict) each row exactly the same in any batch?"""
    if step is None or (isinstance(step, str) and step in ("passthrough", "drop")):
        return True
    if isinstance(step, Pipeline):
        return all(_row_exact(s) for _, s in step.steps)
    if isinstance(step, ColumnTransformer):
        return all(_row_exact(t) for _, t, _ in step.transformers_)
    return isinstance(step, kinds)


def _batchable_parts(model: Any, batch: bool | str) -> tuple[Any, Any, bool]:
    """``(prefix, final, batch_final)``: the row-exact preprocessing (run once on the whole
    stacked frame), the estimator that predicts, and whether it may predict all blocks at once."""
    if batch is True:
        return None, model, True
    if batch is False:
        return None, model, False
    if isinstance(model, Pipeline) and len(model.steps) > 1 and _row_exact(model[:-1]):
        prefix, final = model[:-1], model[-1]
    else:
        prefix, final = None, model
    return prefix, final, _row_exact(final, _ROW_EXACT_ESTIMATORS)


class _StackedModel:
    """Stands in for ``model`` inside a scorer: it answers ``predict``, ``predict_proba``, ... for
    one block of rows of a stacked frame, computed with as few model calls as exactness allows.

    The row-exact preprocessing runs once on the whole stacked frame. A row-exact estimator (trees
    and their ensembles) then predicts every block in one call; any other estimator (linear
    models, neural networks: BLAS rounding depends on the batch) predicts one block at a time, on
    exactly the rows scikit-learn would give it, so the result stays identical. Every other
    attribute (``classes_``, tags, ``score``) is the real model's, so scikit-learn's scorers treat
    the stand-in exactly like the model itself.
    """

    def __init__(self, model: Any, stacked: pd.DataFrame, n_rows: int, batch: bool | str) -> None:
        self._model = model
        self._prefix, self._final, self._batch_final = _batchable_parts(model, batch)
        self._stacked = stacked
        self._n_rows = n_rows
        self._transformed = None
        self._cache: dict[str, np.ndarray] = {}
        self.block = 0

    def _inputs(self):
        if self._prefix is None:
            return self._stacked
        if self._transformed is None:
            self._transformed = self._prefix.transform(self._stacked)
        return self._transformed

    def _block_rows(self, data):
        start = self.block * self._n_rows
        if hasattr(data, "iloc"):
            return data.iloc[start:start + self._n_rows]
        return data[start:start + self._n_rows].copy()  # a fresh array, like the model's own

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._model, name)  # AttributeError if the model lacks it
        if name not in _RESPONSE_METHODS:
            return attribute
        method = getattr(self._final, name)

        def response(X, *args, **kwargs):
            if len(X) != self._n_rows or args or kwargs:
                return attribute(X, *args, **kwargs)
            if not self._batch_final:
                return method(self._block_rows(self._inputs()))
            if name not in self._cache:
                self._cache[name] = method(self._inputs())
            return self._block_rows(self._cache[name])

        response.__name__ = name
        return response


def _stack(X: pd.DataFrame, blocks: Sequence[tuple[Sequence[int], np.ndarray]]) -> pd.DataFrame:
    """One frame holding a copy of ``X`` per block, with the block's columns re-ordered by its
    row order (all columns of a group get the same order)."""
    n = len(X)
    identity = np.tile(np.arange(n), len(blocks))
    data = {}
    for j, column in enumerate(X.columns):
        rows = identity
        for b, (columns, order) in enumerate(blocks):
            if j in columns:
                if rows is identity:
                    rows = identity.copy()
                rows[b * n:(b + 1) * n] = order
        data[column] = X[column].array.take(rows)
    return pd.DataFrame(data, columns=X.columns, copy=False)


def permuted_scores(model: Any, X: pd.DataFrame, y: np.ndarray, column_sets: Sequence[Sequence[int]],
                    orders: np.ndarray, scorer: Callable, sample_weight=None,
                    batch_size: int = DEFAULT_BATCH_SIZE, batch: bool | str = "auto") -> np.ndarray:
    """Score of ``model`` with each column set shuffled by each row order: ``(n_sets, n_repeats)``.

    All (column set, repeat) blocks are stacked into frames of at most ``batch_size`` rows; each
    frame goes through the model in as few calls as exactness allows (:class:`_StackedModel`),
    and each block is scored on its own slice of the predictions.
    """
    n_rows, n_repeats = len(X), len(orders)
    blocks = [(set(columns), orders[r]) for columns in column_sets for r in range(n_repeats)]
    per_batch = max(1, batch_size // n_rows)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    scores = np.empty(len(blocks))
    for start in range(0, len(blocks), per_batch):
        batch_blocks = blocks[start:start + per_batch]
        stacked = _stack(X, batch_blocks)
        proxy = _StackedModel(model, stacked, n_rows, batch)
        for b in range(len(batch_blocks)):
            proxy.block = b
            rows = stacked.iloc[b * n_rows:(b + 1) * n_rows]
            scores[start + b] = scorer(proxy, rows, y, **kwargs)
    return scores.reshape(len(column_sets), n_repeats)


def _check_batch(batch: Any) -> bool | str:
    if not (batch == "auto" if isinstance(batch, str) else isinstance(batch, bool)):
        raise ValueError(f"batch must be 'auto', True or False, got {batch!r}")
    return batch


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------

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


def grouped_permutation_importance(model: Any, X: pd.DataFrame, y: Any, groups: Mapping[str, Sequence[str]], *,
                                   scoring: Any = None, n_repeats: int = 5, random_state: RandomStateLike = 0,
                                   sample_weight: Any = None, batch_size: int = DEFAULT_BATCH_SIZE,
                                   batch: bool | str = "auto") -> PermutationImportance:
    """Permutation importance of groups of columns, each group shuffled together.

    All columns of a group get the same row order, so the rows keep their joint values within
    the group (e.g. the one-hot columns of one categorical feature, or strongly correlated
    features) while the group's link to the other features and the target is broken. This avoids
    the unrealistic combinations that shuffling one of two correlated features creates (Hooker,
    Mentch & Zhou 2021). Groups may overlap; a group of one column gives exactly that column's
    :func:`permutation_importance`.
    """
    X, y = _check_data(model, X, y)
    groups = _check_groups(groups, X)
    return _importance_of_column_sets(model, X, y, groups, scoring=scoring, n_repeats=n_repeats,
                                      random_state=random_state, sample_weight=sample_weight,
                                      batch_size=batch_size, batch=batch, groups=groups)


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
        sample_weight = np.asarray(sample_weight, dtype=float)
        if sample_weight.shape != (len(X),) or not np.all(np.isfinite(sample_weight)) or (sample_weight < 0).any():
            raise ValueError(f"sample_weight must hold one finite, non-negative weight per row of X "
                             f"({len(X)}), got shape {sample_weight.shape}")
    check_memory(8.0 * n_repeats * len(X), what=f"{n_repeats:,} shuffles of {len(X):,} rows", knob="n_repeats")
    orders = shuffle_orders(len(X), n_repeats, random_state)

    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    baseline = _check_score(scorer(model, X, y, **kwargs), scoring_name, y)
    positions = [[X.columns.get_loc(c) for c in columns] for columns in column_sets.values()]
    permuted = permuted_scores(model, X, y, positions, orders, scorer, sample_weight, batch_size, batch)
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


# --------------------------------------------------------------------------------------------
# Drop-column importance (refits)
# --------------------------------------------------------------------------------------------

def _select(spec: Any, keep: Sequence[str]) -> Any:
    """A ColumnTransformer column selection restricted to the columns in ``keep``."""
    if callable(spec):
        return spec  # a selector (e.g. make_column_selector) picks from the columns it is given
    if isinstance(spec, str):
        return spec if spec in keep else []
    values = list(spec) if not isinstance(spec, slice) else None
    if values is None or not all(isinstance(v, str) for v in values):
        raise ValueError("drop_column_importance can only rebuild ColumnTransformers that select "
                         "columns by name; pass make_model=lambda columns: <unfitted model> instead")
    return [v for v in values if v in keep]


def without_columns(estimator: Any, keep: Sequence[str]) -> Any:
    """An unfitted clone of ``estimator`` whose ColumnTransformers use only the columns ``keep``.

    Every ColumnTransformer inside the estimator (at any depth of a Pipeline) has its column lists
    filtered; a transformer left with no column is removed. Anything else is cloned unchanged.
    """
    keep = [keep] if isinstance(keep, str) else list(keep)  # a name, never its letters
    model = clone(estimator)
    parts = [model] + [v for v in model.get_params(deep=True).values()] \
        if hasattr(model, "get_params") else [model]
    transformers = [part for part in parts if isinstance(part, ColumnTransformer)]
    specs = [spec for part in transformers for _, _, spec in part.transformers]
    names_only = all(isinstance(spec, str) or (not callable(spec) and not isinstance(spec, slice)
                                                 and all(isinstance(v, str) for v in spec)) for spec in specs)
    if transformers and names_only:  # selections by position or by function: _select says what to do
        named = {v for spec in specs for v in ([spec] if isinstance(spec, str) else list(spec))}
        unknown = [c for c in keep if c not in named]
        if unknown:
            raise ValueError(f"keep names column(s) {unknown} that the estimator's ColumnTransformers do not "
                             f"use; they use {sorted(map(str, named))}")
    for part in parts:
        if isinstance(part, ColumnTransformer):
            rebuilt = [(name, transformer, _select(spec, keep))
                       for name, transformer, spec in part.transformers]
            part.set_params(transformers=[t for t in rebuilt if not (isinstance(t[2], list) and not t[2])])
    return model


def drop_column_importance(estimator: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any, *,
                           scoring: Any = None,
                           features: Sequence[str] | None = None,
                           make_model: Callable[[list[str]], Any] | None = None) -> DropColumnImportance:
    """Drop-column importance: how much worse a model *refitted without* a feature scores.

    ``importance_j = score(fit(all columns)) - score(fit(all columns but j))``, both scored on
    ``(X_test, y_test)``. Unlike permutation importance this retrains, so it measures what the
    feature adds beyond the others for this kind of model (a correlated stand-in can take over),
    at the cost of one refit per feature.

    The models are built by ``make_model(columns)`` (an unfitted estimator for those raw columns)
    when given; otherwise ``estimator`` is cloned (its fitted state is ignored) and every
    ColumnTransformer inside it is rebuilt for the remaining columns (see :func:`without_columns`).
    Keep the estimator's own ``random_state`` fixed so that refits differ only by the column.
    """
    X_train, y_train = _check_xy(X_train, y_train, "X_train")
    X_test, y_test = _check_xy(X_test, y_test, "X_test")
    if list(X_train.columns) != list(X_test.columns):
        raise ValueError("X_train and X_test must have the same columns in the same order")
    if make_model is None and not hasattr(estimator, "fit"):
        raise TypeError(f"estimator must have a fit method, got {type(estimator).__name__}; "
                        "or pass make_model=lambda columns: <unfitted model>")
    if make_model is not None and not callable(make_model):
        raise TypeError("make_model must be a function of the list of columns returning an unfitted model")
    features = list(X_train.columns) if features is None else \
        check_features(features, X_train, frame_name="X_train")
    build = make_model if make_model is not None else (lambda cols: without_columns(estimator, cols))

    def fit_and_score(columns: list[str]) -> tuple[float, str]:
        model = build(list(columns)).fit(X_train[columns], y_train)
        scorer, name = _resolve_scorer(model, scoring)
        return float(scorer(model, X_test[columns], y_test)), name

    all_columns = list(X_train.columns)
    baseline, scoring_name = fit_and_score(all_columns)
    baseline = _check_score(baseline, scoring_name, y_test, name="X_test")
    without = np.array([fit_and_score([c for c in all_columns if c != f])[0] for f in features])
    return DropColumnImportance(importances=baseline - without, feature_names=tuple(features),
                                baseline_score=baseline, scores_without=without, scoring=scoring_name)


# --------------------------------------------------------------------------------------------
# Impurity (MDI) importance, for the pitfall comparison
# --------------------------------------------------------------------------------------------

def impurity_importance(model: Pipeline) -> pd.Series:
    """A fitted tree ensemble's impurity-based importance (mean decrease in impurity, MDI;
    Breiman 2001), summed back from one-hot columns to the raw features of the pipeline.

    ``model`` is a Pipeline whose first step is a ColumnTransformer and whose last step has
    ``feature_importances_``. MDI is computed on the *training* data while growing the trees; it is
    known to favour features with many distinct values (Strobl et al. 2007), which is why the book
    prefers permutation importance on held-out data.
    """
    check_fitted_model(model)
    if not isinstance(model, Pipeline) or not isinstance(model[0], ColumnTransformer):
        raise TypeError("model must be a Pipeline whose first step is a ColumnTransformer")
    estimator = model[-1]
    if not hasattr(estimator, "feature_importances_"):
        raise TypeError(f"{type(estimator).__name__} has no feature_importances_ (MDI needs a tree model)")
    owners = feature_groups(model[:-1], model.feature_names_in_)
    scores = pd.Series(estimator.feature_importances_, index=owners)
    return scores.groupby(level=0, sort=False).sum().sort_values(ascending=False)


# --------------------------------------------------------------------------------------------
# Uncertainty of an importance: a bootstrap over the test rows
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class BootstrapImportance:
    """Permutation importances recomputed on bootstrap resamples of the evaluation rows.

    ``importances[j, b]`` is feature ``feature_names[j]``'s importance (mean over ``n_repeats``
    shuffles) on resample ``b``. Their spread measures how much the importance would change with
    another test set drawn from the same population -- the uncertainty of the estimate -- whereas
    the spread over shuffles of one :class:`PermutationImportance` only measures shuffle noise on
    one fixed test set. Neither covers refitting the model on other training data.
    """

    importances: np.ndarray
    feature_names: tuple[str, ...]
    scoring: str
    n_repeats: int

    def __post_init__(self) -> None:
        _freeze_importances(self)

    @property
    def n_bootstrap(self) -> int:
        return self.importances.shape[1]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Per feature: bootstrap mean, standard error (std over resamples, ``ddof=1``) and the
        percentile interval at ``level``."""
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level!r}")
        tail = (1 - level) / 2
        return pd.DataFrame({
            "mean": self.importances.mean(axis=1),
            "se": self.importances.std(axis=1, ddof=1),
            "low": np.quantile(self.importances, tail, axis=1),
            "high": np.quantile(self.importances, 1 - tail, axis=1),
        }, index=pd.Index(self.feature_names, name="feature"))


def bootstrap_permutation_importance(model: Any, X: pd.DataFrame, y: Any, *, scoring: Any = None,
                                     n_bootstrap: int = 100,
                                     n_repeats: int = 3, random_state: int = 0,
                                     batch: bool | str = "auto") -> BootstrapImportance:
    """Permutation importance on ``n_bootstrap`` resamples (with replacement) of the rows of ``X``.

    Resample ``b`` draws ``len(X)`` rows with replacement (seeded by ``random_state``) and runs
    :func:`permutation_importance` on them with ``n_repeats`` shuffles (seed ``random_state + b``);
    its mean is column ``b`` of the result. The model is *not* refitted: this is the uncertainty
    of the importance of *this* model due to the finite test set (Efron & Tibshirani 1993).
    """
    X, y = _check_data(model, X, y)
    check_random_state(random_state)
    if not isinstance(random_state, (int, np.integer)):
        raise TypeError(f"random_state must be an int seed here (resample b shuffles with seed "
                        f"random_state + b), got {type(random_state).__name__}")
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 2:
        raise ValueError(f"n_bootstrap must be an integer >= 2, got {n_bootstrap!r}")
    rng = np.random.default_rng(random_state)
    columns, name = [], None
    for b in range(n_bootstrap):
        rows = rng.integers(0, len(X), size=len(X))
        result = permutation_importance(model, X.iloc[rows].reset_index(drop=True), y[rows],
                                        scoring=scoring, n_repeats=n_repeats,
                                        random_state=random_state + b, batch=batch)
        columns.append(result.importances_mean)
        name = result.scoring
    return BootstrapImportance(np.column_stack(columns), tuple(X.columns), name, n_repeats)


# --------------------------------------------------------------------------------------------
# Which score? The same shuffles under several scorers
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Conditional permutation importance: shuffle within groups of similar rows
# --------------------------------------------------------------------------------------------

def permutation_strata(X: pd.DataFrame, columns: str | Sequence[str], *, n_bins: int = 4) -> np.ndarray:
    """Stratum label (0, 1, ...) of every row of ``X``: rows alike in ``columns`` share a label.

    A numeric column with more than ``n_bins`` distinct values is cut into ``n_bins`` quantile
    bins (fewer where ties make bin edges coincide); any other column (categorical, boolean, or
    numeric with few values) contributes its values. A stratum is one combination of these bins
    and values; missing values form a bin of their own. With ``n_bins=1`` and only numeric
    columns every row is in one stratum.
    """
    X = check_frame(X, allow_nan=True)
    columns = check_features(columns, X, name="columns")
    n_bins = check_positive_int(n_bins, name="n_bins")
    codes = []
    for column in columns:
        values = X[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and values.nunique() > n_bins:
            bins = pd.qcut(values, n_bins, labels=False, duplicates="drop")
            codes.append(np.where(bins.isna(), -1, bins).astype(np.intp))
        else:
            codes.append(pd.factorize(values, use_na_sentinel=False, sort=True)[0])
    keys = pd.DataFrame(np.column_stack(codes))
    return keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy(dtype=np.intp)


def _check_strata(strata: np.ndarray, feature: str, n_bins: int) -> None:
    """Most rows must share their stratum with another row: a row alone in its stratum keeps its
    value, so strata of single rows give an importance of (nearly) exactly 0 that looks like an answer."""
    shared = np.bincount(strata)[strata] > 1
    if shared.mean() < 0.5:
        raise ValueError(
            f"the strata for {feature!r} are too fine: {int((~shared).sum())} of {len(strata)} rows are alone in "
            f"their stratum, where shuffling cannot move them (the importance would be about 0); use "
            f"fewer bins (n_bins={n_bins} now), condition on fewer columns, or pass more rows")


def shuffle_within_strata(orders: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Turn row orders into row orders that only swap rows of the same stratum.

    Row ``i`` of stratum ``s`` receives the value of the ``k``-th row of ``s`` *in the random
    order*, where ``i`` is the ``k``-th row of ``s`` in the data. A uniform random order gives a
    uniform random order inside every stratum, independently; with one stratum nothing changes.
    """
    rows_by_stratum = np.argsort(strata, kind="stable")      # the rows of stratum 0, then 1, ...
    conditional = np.empty_like(orders)
    for r, order in enumerate(orders):
        shuffled_by_stratum = order[np.argsort(strata[order], kind="stable")]  # same strata, random order
        conditional[r, rows_by_stratum] = shuffled_by_stratum
    return conditional


def conditional_shuffle_orders(strata: Any, n_repeats: int, random_state: RandomStateLike) -> np.ndarray:
    """Row orders of ``n_repeats`` shuffles within ``strata`` (one label per row), shape
    ``(n_repeats, n_rows)``: :func:`shuffle_orders` restricted to rows of the same stratum, so
    one stratum gives exactly :func:`shuffle_orders`."""
    strata = np.asarray(strata)
    if strata.ndim != 1 or len(strata) < 2:
        raise ValueError(f"strata must hold one label per row (at least two rows), got shape {strata.shape}")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    check_random_state(random_state)
    return shuffle_within_strata(shuffle_orders(len(strata), n_repeats, random_state), strata)


def _check_conditional_on(conditional_on: Any, X: pd.DataFrame) -> dict[str, list[str]]:
    if not isinstance(conditional_on, Mapping) or not conditional_on:
        raise TypeError("conditional_on must be a non-empty dict mapping a feature to the column(s) "
                        "to condition on, e.g. {'duration_months': ['duration_weeks']}")
    checked = {}
    for feature, given in conditional_on.items():
        (feature,) = check_features([feature], X, name="conditional_on")
        given = check_features(given, X, name=f"conditional_on[{feature!r}]")
        if feature in given:
            raise ValueError(f"conditional_on[{feature!r}] contains {feature!r} itself: shuffling a "
                             "feature within rows that share its own value changes nothing")
        checked[feature] = given
    return checked


def conditional_permutation_importance(model: Any, X: pd.DataFrame, y: Any,
                                       conditional_on: Mapping[str, str | Sequence[str]], *,
                                       n_bins: int = 4, scoring: Any = None, n_repeats: int = 5,
                                       random_state: RandomStateLike = 0,
                                       batch_size: int = DEFAULT_BATCH_SIZE,
                                       batch: bool | str = "auto") -> PermutationImportance:
    """Conditional permutation importance: shuffle a feature only among rows that are alike in the
    features it is correlated with (after Strobl et al. 2008, who permute within a grid of the
    forest's split points; here the grid is quantile bins, :func:`permutation_strata`).

    ``conditional_on`` maps each feature to the column(s) to condition on. For feature ``j`` and
    repeat ``r``, the rows are split into strata by those columns, column ``j`` is shuffled inside
    every stratum (:func:`conditional_shuffle_orders`), and
    ``importances[j, r] = score(X) - score(X with j shuffled within strata)``. The shuffled rows
    keep the relation between ``j`` and its partners, so the model is not scored on impossible
    rows, and the importance measures what ``j`` adds *given* its partners.

    With one stratum (``n_bins=1``, numeric partners) the result equals
    :func:`permutation_importance` bit for bit; a stratum of one row cannot be shuffled, so many
    tiny strata push every importance towards zero: keep strata of many rows.
    """
    X, y = _check_data(model, X, y)
    conditional_on = _check_conditional_on(conditional_on, X)
    n_bins = check_positive_int(n_bins, name="n_bins")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    batch_size = check_positive_int(batch_size, name="batch_size")
    check_random_state(random_state)
    _check_batch(batch)
    scorer, scoring_name = _resolve_scorer(model, scoring)
    check_memory(8.0 * n_repeats * len(X), what=f"{n_repeats:,} shuffles of {len(X):,} rows", knob="n_repeats")
    baseline = _check_score(scorer(model, X, y), scoring_name, y)
    orders = shuffle_orders(len(X), n_repeats, random_state)   # once: every feature, the same draws
    importances = []
    for feature, given in conditional_on.items():
        strata = permutation_strata(X, given, n_bins=n_bins)
        _check_strata(strata, feature, n_bins)
        within = shuffle_within_strata(orders, strata)
        scores = permuted_scores(model, X, y, [[X.columns.get_loc(feature)]], within, scorer,
                                  None, batch_size, batch)
        importances.append(baseline - scores[0])
    return PermutationImportance(
        importances=np.vstack(importances), feature_names=tuple(conditional_on),
        baseline_score=float(baseline), scoring=scoring_name,
        random_state=random_state if isinstance(random_state, (int, np.integer)) else None,
    )

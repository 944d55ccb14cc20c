"""The engine behind the fast permutation importance: every shuffled copy of the data stacked into
one frame, predicted in as few model calls as stay bit-for-bit exact (:func:`permuted_scores`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
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

from xaibook.importance._scoring import _roc_auc_of_rows
from xaibook.predict import DEFAULT_BATCH_SIZE

__all__ = ["permuted_scores"]

_RESPONSE_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


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


def _roc_auc_labels(model: Any, y: np.ndarray, scoring_name: str | None, sample_weight) -> np.ndarray | None:
    """For scikit-learn's ``"roc_auc"`` scorer on a binary classifier, unweighted, with both
    classes in ``y``: the boolean positive labels (``y == classes_[1]``), so that the blocks'
    areas can be computed together by :func:`_roc_auc_of_rows`. ``None`` otherwise: the scorer
    itself scores each block."""
    classes = getattr(model, "classes_", None)
    if scoring_name != "roc_auc" or sample_weight is not None or classes is None or len(classes) != 2:
        return None
    if not np.array_equal(np.unique(y), classes):
        return None
    return np.asarray(y == classes[1])


def _roc_auc_scores(proxy: _StackedModel, stacked: pd.DataFrame, n_blocks: int, n_rows: int,
                    positive: np.ndarray, scorer: Callable, y: np.ndarray) -> np.ndarray:
    """The ``"roc_auc"`` scorer's value for each block of ``stacked``, from the response it reads
    (``decision_function`` if the model has one, else the positive class's ``predict_proba``)."""
    method = "decision_function" if hasattr(proxy, "decision_function") else "predict_proba"
    responses = np.empty((n_blocks, n_rows))
    for b in range(n_blocks):
        proxy.block = b
        response = np.asarray(getattr(proxy, method)(stacked.iloc[b * n_rows:(b + 1) * n_rows]))
        responses[b] = response if response.ndim == 1 else response[:, 1]
    finite = np.isfinite(responses).all(axis=1)
    if not finite.all():                     # the scorer's own error message
        proxy.block = int(np.argmin(finite))
        scorer(proxy, stacked.iloc[proxy.block * n_rows:(proxy.block + 1) * n_rows], y)
    return _roc_auc_of_rows(positive, responses)


def permuted_scores(model: Any, X: pd.DataFrame, y: np.ndarray, column_sets: Sequence[Sequence[int]],
                    orders: np.ndarray, scorer: Callable, sample_weight=None,
                    batch_size: int = DEFAULT_BATCH_SIZE, batch: bool | str = "auto",
                    scoring_name: str | None = None) -> np.ndarray:
    """Score of ``model`` with each column set shuffled by each row order: ``(n_sets, n_repeats)``.

    All (column set, repeat) blocks are stacked into frames of at most ``batch_size`` rows; each
    frame goes through the model in as few calls as exactness allows (:class:`_StackedModel`),
    and each block is scored on its own slice of the predictions. Under ``scoring_name="roc_auc"``
    (a binary classifier, no weights) the blocks' areas are computed together, equal bit for bit
    to the scorer's, without its per-call input checks (most of the time on small test sets).
    """
    n_rows, n_repeats = len(X), len(orders)
    blocks = [(set(columns), orders[r]) for columns in column_sets for r in range(n_repeats)]
    per_batch = max(1, batch_size // n_rows)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    positive = _roc_auc_labels(model, y, scoring_name, sample_weight)
    scores = np.empty(len(blocks))
    for start in range(0, len(blocks), per_batch):
        batch_blocks = blocks[start:start + per_batch]
        stacked = _stack(X, batch_blocks)
        proxy = _StackedModel(model, stacked, n_rows, batch)
        if positive is not None:
            scores[start:start + len(batch_blocks)] = _roc_auc_scores(
                proxy, stacked, len(batch_blocks), n_rows, positive, scorer, y)
            continue
        for b in range(len(batch_blocks)):
            proxy.block = b
            rows = stacked.iloc[b * n_rows:(b + 1) * n_rows]
            scores[start + b] = scorer(proxy, rows, y, **kwargs)
    return scores.reshape(len(column_sets), n_repeats)


def _check_batch(batch: Any) -> bool | str:
    if not (batch == "auto" if isinstance(batch, str) else isinstance(batch, bool)):
        raise ValueError(f"batch must be 'auto', True or False, got {batch!r}")
    return batch

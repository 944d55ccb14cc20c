"""The book's row-wise explanation methods on a distributed engine (Dask), for millions of rows.

Local explanations are independent across rows: the SHAP values of one applicant do not depend on
another's. So the rows to explain can be cut into chunks and the chunks explained anywhere, as long
as every worker has the model and the background data. :func:`explain` does that with
``dask.distributed``: it broadcasts the model and the background to every worker once
(``Client.scatter(..., broadcast=True)``), maps one task per chunk, and puts the results back in
the order of ``X``. With ``client=None`` the same chunks run in this process, one after another.

Results never depend on how the rows were partitioned. Every row but TreeSHAP's is explained on its
own, in a fresh array: a model's batched arithmetic (BLAS matrix products) can round differently
with the size and memory alignment of the batch, so a row must not share its model calls with
whichever rows happen to be in its chunk (TreeSHAP walks the trees row by row anyway). The sampling
methods (``kernel_shap``, ``lime_tabular``, ``counterfactuals``) draw each row's randomness from its
own seed, derived from ``random_state`` and the row's *position* in ``X``
(:func:`row_seed`: ``numpy.random.SeedSequence([random_state, position])``), never from a chunk's.
So the same ``random_state`` gives bit-for-bit the same values on one worker or many, with any
``chunk_size`` (tested), and equal to calling the single-process function row by row with
:func:`row_seed`.

Permutation importance splits by *features* instead (:func:`permutation_importance`): scikit-learn's
protocol shuffles every feature with the same row orders, so each worker can take a share of the
features and the result equals :func:`xaibook.importance.permutation_importance` bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_frame, check_int_seed, check_positive_int, check_random_state

__all__ = ["METHODS", "MEMORY_PER_CHUNK", "row_seed", "chunk_bounds", "default_chunk_size", "explain",
           "permutation_importance", "ScaleError", "synthetic_applicants"]

#: The row-wise methods :func:`explain` runs.
METHODS = ("kernel_shap", "tree_shap", "exact_shapley", "lime_tabular", "counterfactuals")
#: Bytes one chunk may use on a worker (the default chunk size keeps each method's own estimate under it).
MEMORY_PER_CHUNK = 256 * 2**20


class ScaleError(RuntimeError):
    """A distributed run failed for a reason outside the method (a worker died, nothing to serialise)."""


def row_seed(random_state: int, position: int) -> np.random.SeedSequence:
    """The seed of the row at ``position`` (0-based, in ``X``): independent of chunks and workers."""
    return np.random.SeedSequence([int(random_state), int(position)])


def _generator(random_state: int, position: int) -> np.random.Generator:
    return np.random.default_rng(row_seed(random_state, position))


def _legacy_seed(random_state: int, position: int) -> int:
    """An int seed for the methods that take one (LIME follows lime's legacy ``RandomState`` stream)."""
    return int(row_seed(random_state, position).generate_state(1)[0])


def chunk_bounds(n_rows: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` positions of consecutive chunks of at most ``chunk_size`` rows."""
    n_rows = check_positive_int(n_rows, name="n_rows", minimum=0)
    chunk_size = check_positive_int(chunk_size, name="chunk_size")
    return [(start, min(start + chunk_size, n_rows)) for start in range(0, n_rows, chunk_size)]


def _bytes_per_row(method: str, n_features: int, n_background: int, options: dict) -> float:
    """The method's own memory estimate for one explained row (what the package checks before allocating)."""
    if method == "kernel_shap":
        n_samples = options.get("n_samples", 2048)
        return n_samples * (n_features * 48.0 + n_background * 16.0)
    if method == "exact_shapley":
        return 2.0 ** n_features * (n_background * 16.0 + 8.0)
    if method == "lime_tabular":
        return options.get("n_samples", 5000) * n_features * 48.0
    if method == "counterfactuals":
        return 2000 * n_features * 64.0
    return n_background * n_features * 16.0          # tree_shap: explained rows x background pairs


def default_chunk_size(method: str, n_rows: int, n_features: int, n_background: int, n_workers: int = 1,
                       options: dict | None = None, memory: float = MEMORY_PER_CHUNK) -> int:
    """Rows per chunk: as many as fit in ``memory`` by the method's estimate, but small enough that
    every worker gets about four chunks (so a slow chunk does not hold the others up)."""
    for count, label in ((n_rows, "n_rows"), (n_features, "n_features"), (n_workers, "n_workers")):
        check_positive_int(count, name=label)
    check_positive_int(n_background, name="n_background", minimum=0)
    per_row = _bytes_per_row(method, n_features, max(n_background, 1), options or {})
    by_memory = max(1, int(memory // max(per_row, 1.0)))
    by_balance = max(1, math.ceil(n_rows / (4 * max(n_workers, 1))))
    return int(min(by_memory, by_balance, max(n_rows, 1)))


# --------------------------------------------------------------------------------------------
# One chunk (runs on a worker)
# --------------------------------------------------------------------------------------------
def _run_chunk(method: str, model: Any, X: pd.DataFrame, background: pd.DataFrame | None, start: int,
               random_state: int, options: dict) -> Any:
    """Explain the rows of one chunk; ``start`` is the position of its first row in the whole ``X``."""
    from xaibook import counterfactual, shapley, surrogate

    if method == "tree_shap":
        return shapley.tree_shap(model, X, background, **options)
    results = []
    for offset in range(len(X)):
        # each row alone, in a fresh array: a model's batched arithmetic (BLAS) can round differently
        # with the batch's size and memory alignment, and the result must not depend on the chunk
        row = X.iloc[[offset]].copy()
        position = start + offset
        if method == "exact_shapley":
            results.append(shapley.exact_shapley(model, row, background, **options))
        elif method == "kernel_shap":
            results.append(shapley.kernel_shap(model, row, background, random_state=_generator(random_state, position),
                                               **options))
        elif method == "lime_tabular":
            results.append(surrogate.lime_tabular(model, background, row,
                                                  random_state=_legacy_seed(random_state, position), **options))
        else:
            try:
                results.append(counterfactual.counterfactuals(model, row, background,
                                                              random_state=_generator(random_state, position),
                                                              **options))
            except counterfactual.AlreadyDesiredError:
                results.append(None)
    return results


def _concat_shapley(parts: list[Any]) -> Any:
    """One :class:`~xaibook.shapley.ShapleyResult` from the per-chunk (or per-row) results, in order."""
    from xaibook.shapley import ShapleyResult

    first = parts[0]
    return ShapleyResult(
        values=np.vstack([p.values for p in parts]),
        base_value=first.base_value,
        feature_names=first.feature_names,
        data=pd.concat([p.data for p in parts]),
        prediction=np.concatenate([p.prediction for p in parts]),
        method=first.method,
        output=first.output,
        n_evaluations=int(sum(p.n_evaluations for p in parts)),
    )


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------
def _check_method(method: Any) -> str:
    if method not in METHODS:
        raise ValueError(f"method must name a row-wise method of the package, one of {METHODS}; got {method!r}")
    return method


def _n_workers(client: Any) -> int:
    if client is None:
        return 1
    info = client.scheduler_info()
    return max(1, len(info.get("workers", {})))


def _check_client(client: Any) -> Any:
    if client is None:
        return None
    try:
        from distributed import Client
    except ImportError as error:   # pragma: no cover - distributed is in the book's requirements
        raise ImportError("client= needs dask.distributed: pip install 'distributed'") from error
    if not isinstance(client, Client):
        raise TypeError(f"client must be a dask.distributed.Client (or None to run here), got {type(client).__name__}")
    if client.status != "running":
        raise ValueError(f"the Dask client is {client.status!r}, not running: start it (or pass client=None)")
    return client


def _scatter(client: Any, value: Any, what: str) -> Any:
    """Send ``value`` to every worker once; a clear error if it cannot be serialised."""
    try:
        return client.scatter(value, broadcast=True, hash=False)
    except Exception as error:  # pickling errors come as TypeError, PicklingError, AttributeError, ...
        raise ScaleError(f"the {what} cannot be sent to the Dask workers: it does not serialise with pickle or "
                         f"cloudpickle ({type(error).__name__}: {error}). Fit the model in a module that the "
                         "workers can import, and keep no open files, locks or connections in it") from error


def _gather(client: Any, futures: list[Any]) -> list[Any]:
    try:
        from distributed import KilledWorker
    except ImportError:  # pragma: no cover
        KilledWorker = RuntimeError  # noqa: N806
    try:
        return client.gather(futures)
    except KilledWorker as error:
        raise ScaleError(f"a Dask worker died while explaining a chunk ({error}); the usual cause is memory: "
                         "pass a smaller chunk_size, or give the workers more memory") from error


def explain(method: str, model: Any, X: pd.DataFrame, *, background: pd.DataFrame | None = None, client: Any = None,
            chunk_size: int | None = None, random_state: int = 0, progress: bool = False, **options: Any) -> Any:
    """Run the row-wise ``method`` on every row of ``X``, in chunks, on a Dask cluster or here.

    ``method`` is one of :data:`METHODS`; ``model`` what that method takes first (a fitted model,
    or a prediction function for the model-agnostic ones); ``background`` is the method's reference
    data (SHAP's background, LIME's training data, the counterfactual search's ``X_reference``).
    ``client`` is a ``dask.distributed.Client`` (``None``: run in this process); ``chunk_size`` the
    rows per task (default :func:`default_chunk_size`: within :data:`MEMORY_PER_CHUNK` by the
    method's own memory estimate, about four chunks per worker); ``options`` go to the method
    (``n_samples``, ``scale``, ``features_to_vary``, ...); ``progress=True`` shows Dask's progress
    bar while the tasks run.

    Returns what the single-process method returns, for all rows of ``X`` in its order: one
    :class:`~xaibook.shapley.ShapleyResult` for the Shapley methods; a list with one result per row
    for ``lime_tabular`` (:class:`~xaibook.surrogate.LimeResult`) and ``counterfactuals``
    (:class:`~xaibook.counterfactual.CounterfactualResult`, ``None`` for a row already in the
    desired class). The same ``random_state`` gives the same values with any ``client`` and
    ``chunk_size`` (see the module docstring).
    """
    method = _check_method(method)
    X = check_frame(X, name="X")
    if len(X) == 0:
        raise ValueError("X has no rows to explain")
    if background is None:
        raise ValueError(f"{method} needs background= (its reference data: the training rows, or a sample of them)")
    background = check_frame(background, name="background")
    if list(background.columns) != list(X.columns):
        raise ValueError("background must have X's columns in X's order")
    random_state = check_int_seed(random_state, why="each row's seed is derived from it and the row's position, "
                                  "so that results do not depend on the partitioning")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    client = _check_client(client)
    n_workers = _n_workers(client)
    if chunk_size is None:
        chunk_size = default_chunk_size(method, len(X), X.shape[1], len(background), n_workers, options)
    bounds = chunk_bounds(len(X), chunk_size)
    if client is None:
        parts = [_run_chunk(method, model, X.iloc[a:b], background, a, int(random_state), options) for a, b in bounds]
    else:
        model_future = _scatter(client, model, "model")
        background_future = _scatter(client, background, "background data")
        # the chunks travel as data, not inside the task graph (Dask warns about large graphs)
        chunks = client.scatter([X.iloc[a:b] for a, b in bounds], hash=False)
        futures = [client.submit(_run_chunk, method, model_future, chunk, background_future, a,
                                 int(random_state), options, pure=False) for chunk, (a, _) in zip(chunks, bounds)]
        if progress:
            from distributed import progress as show_progress
            show_progress(futures)
        parts = _gather(client, futures)
    return _combine(method, parts)


def _combine(method: str, parts: list[Any]) -> Any:
    if method == "tree_shap":
        return _concat_shapley(parts)
    rows = [result for part in parts for result in part]
    if method in ("kernel_shap", "exact_shapley"):
        return _concat_shapley(rows)
    return rows


# --------------------------------------------------------------------------------------------
# Permutation importance, split by features
# --------------------------------------------------------------------------------------------
def _importance_chunk(model: Any, X: pd.DataFrame, y: Any, features: Sequence[str], options: dict) -> Any:
    from xaibook.importance import grouped_permutation_importance

    return grouped_permutation_importance(model, X, y, {name: [name] for name in features}, **options)


def permutation_importance(model: Any, X: pd.DataFrame, y: Any, *, client: Any = None, n_chunks: int | None = None,
                           scoring: Any = None, n_repeats: int = 5, random_state: int = 0,
                           progress: bool = False) -> Any:
    """:func:`xaibook.importance.permutation_importance`, with the features split over the workers.

    Every feature is shuffled with the same row orders (scikit-learn's protocol, which the package
    follows), so the chunks' results put side by side equal the single-process result bit for bit.
    The model, ``X`` and ``y`` are broadcast once. ``n_chunks`` defaults to twice the workers.
    """
    from xaibook.importance import PermutationImportance
    from xaibook.importance import permutation_importance as single

    X = check_frame(X, name="X")
    client = _check_client(client)
    if client is None and n_chunks is None:
        return single(model, X, y, scoring=scoring, n_repeats=n_repeats, random_state=random_state)
    n_chunks = check_positive_int(n_chunks if n_chunks is not None else 2 * _n_workers(client), name="n_chunks")
    names = list(X.columns)
    pieces = [list(piece) for piece in np.array_split(np.array(names, dtype=object), min(n_chunks, len(names)))]
    options = {"scoring": scoring, "n_repeats": n_repeats, "random_state": random_state}
    if client is None:
        parts = [_importance_chunk(model, X, y, piece, options) for piece in pieces]
    else:
        shared = [_scatter(client, value, what) for value, what in ((model, "model"), (X, "data X"), (y, "target y"))]
        futures = [client.submit(_importance_chunk, *shared, piece, options, pure=False) for piece in pieces]
        if progress:
            from distributed import progress as show_progress
            show_progress(futures)
        parts = _gather(client, futures)
    first = parts[0]
    return PermutationImportance(importances=np.vstack([p.importances for p in parts]), feature_names=tuple(names),
                                 baseline_score=first.baseline_score, scoring=first.scoring,
                                 random_state=first.random_state)


# --------------------------------------------------------------------------------------------
# Data to scale on
# --------------------------------------------------------------------------------------------
def synthetic_applicants(n_rows: int, *, random_state: int = 0, jitter: float = 0.1) -> pd.DataFrame:
    """``n_rows`` synthetic credit applicants drawn from the case study's training split: rows resampled
    with replacement, and the numeric columns with many distinct values (duration, amount, age) moved
    by Gaussian noise of ``jitter`` standard deviations, rounded and clipped to the observed range, so
    that the rows are new but every value stays one the models know. For benchmarks and the
    appendix; not a generative model of applicants (the columns' dependence is only the resampled rows')."""
    from xaibook import data

    n_rows = check_positive_int(n_rows, name="n_rows")
    check_random_state(random_state)
    if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= 1:
        raise ValueError(f"jitter must be a number of standard deviations between 0 and 1, got {jitter!r}")
    train = data.load_credit().X_train
    rng = np.random.default_rng(random_state)
    rows = train.iloc[rng.integers(0, len(train), n_rows)].reset_index(drop=True)
    for column in ("duration_months", "credit_amount", "age"):
        values = train[column]
        moved = np.round(rows[column].to_numpy() + rng.normal(0, jitter * values.std(), n_rows))
        rows[column] = np.clip(moved, values.min(), values.max()).astype(values.dtype)
    return rows.rename_axis("applicant")

"""Partial dependence, ICE, centred ICE, two-way partial dependence and ALE.

How does a model's prediction change with one feature? Three answers, all computed from a
prediction function ``f(X: DataFrame) -> 1-D array`` (or a fitted classifier, turned into one by
:func:`xaibook.predict.prediction_function`):

* **Individual conditional expectation** (ICE, Goldstein et al. 2015): for each row ``i`` and grid
  value ``z``, the prediction ``f(x_i with x_j := z)``. One curve per person.
* **Partial dependence** (PDP, Friedman 2001): the average of the ICE curves,
  ``PD_j(z) = (1/n) * sum_i f(x_i with x_j := z)``; :func:`partial_dependence_2d` does the same
  for a pair of features on a grid of value pairs.
* **Accumulated local effects** (ALE, Apley & Zhu 2020): the average *change* of the prediction
  when ``x_j`` moves across a small interval, computed only from the rows whose ``x_j`` lies in
  that interval, summed up from the left and centred. Unlike PD it never asks the model about
  combinations of values that do not occur together in the data.
* **Marginal plot** (M-plot, Apley & Zhu 2020): the average prediction of the rows whose value of
  ``x_j`` lies in each ALE bin. It never leaves the data either, but it mixes in the effects of
  every feature correlated with ``x_j``: the contrast that motivates ALE.
* **Derivative ICE** (d-ICE, Goldstein et al. 2015): the slopes of the ICE curves between grid
  values; where their spread across rows is large, ``x_j`` interacts with other features.

Every function makes one batched call of ``f`` over all the rows it needs (split into chunks of at
most ``batch_size`` rows when that would be large), never a Python loop of predictions.

Decisions documented here and tested:

* Grid values outside the observed range of the feature (or categories that never occur in it)
  are an error unless ``allow_extrapolation=True``: an explanation of a model where it has seen no
  data is a statement about extrapolation, and should be asked for explicitly.
* A constant feature (one distinct value) gives no grid to build: ``ValueError``, unless a
  ``grid`` is passed; then the range check above applies, so the ICE curve of a single row is
  ``partial_dependence(f, X.loc[[row]], feature, grid=..., allow_extrapolation=True)``.
  ALE and the H statistic always need a varying feature.
* Missing values anywhere in ``X`` are an error: impute or drop them first.
* An integer-valued feature gets an integer grid (the percentile grid is rounded and
  de-duplicated), so the model is never asked about 13.7 months or 2.4 dependants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats.mstats import mquantiles

from xaibook._validation import (
    RandomStateLike,
    as_legacy_random_state,
    check_features,
    check_frame,
    check_memory,
    check_positive_int,
    check_prediction_function,
    output_scale,
    readonly,
)
from xaibook.predict import DEFAULT_BATCH_SIZE, as_prediction_function

__all__ = [
    "partial_dependence", "PartialDependence", "partial_dependence_2d", "PartialDependence2D",
    "ale", "AccumulatedLocalEffects", "h_statistic", "HStatistic", "off_data_share", "feature_kind",
    "ice_reference", "DEFAULT_BATCH_SIZE", "marginal_plot", "MarginalPlot", "ice_derivatives",
    "IceDerivatives",
    # the building block the chapter shows (inputs checked by the public functions that call it)
    "predict_on_grid",
]

Kind = Literal["numeric", "categorical"]



# --------------------------------------------------------------------------- result types
# Their arrays are read-only copies; ``readonly(..., dtype=None)`` keeps the dtype (categorical grids,
# row labels, integer counts).
@dataclass(frozen=True, eq=False)
class PartialDependence:
    """ICE curves and their average (the partial dependence) for one feature.

    ``grid``: the values the feature was set to (length ``G``); ``average``: the partial dependence
    at each grid value (length ``G``); ``individual``: one ICE curve per row (``n_rows x G``);
    ``rows``: the index labels of those rows in ``X``; ``observed``: each row's actual value of the
    feature; ``centered``: whether the curves were shifted to start at zero (:meth:`centered`).
    """

    feature: str
    kind: Kind
    grid: np.ndarray
    average: np.ndarray
    individual: np.ndarray
    rows: np.ndarray
    observed: np.ndarray
    is_centered: bool = False
    #: the output scale of ``f`` (``"probability"``, ``"log-odds"`` or ``"model output"``), so that
    #: charts refuse to draw results of two scales on one axis (issue 26)
    scale: str = "model output"

    def centered(self) -> PartialDependence:
        """Centred ICE (c-ICE, Goldstein et al. 2015): every curve minus its value at ``grid[0]``.

        The curves then all start at zero, so differences in *shape* between people (interactions)
        are no longer hidden by differences in *level*. The average is centred the same way.
        """
        if self.is_centered:
            return self
        individual = self.individual - self.individual[:, :1]
        return replace(self, individual=readonly(individual, dtype=None),
                       average=readonly(self.average - self.average[0], dtype=None), is_centered=True)

    def centred_on_data(self) -> np.ndarray:
        """The PDP minus its average over the data (numeric features), the centring ALE uses.

        The PDP is read off at each row's observed value (linear interpolation on the grid) and
        the mean of those values is subtracted, so PDP and ALE both read as "effect relative to
        the average prediction" and can be drawn on one scale.
        """
        if self.kind != "numeric":
            raise ValueError(f"{self.feature} is categorical; centring on the data needs a numeric feature")
        at_data = np.interp(self.observed.astype(float), self.grid.astype(float), self.average)
        return self.average - at_data.mean()

    def heterogeneity(self) -> np.ndarray:
        """Standard deviation across rows of the centred ICE curves, at each grid value.

        Zero everywhere means every curve is a shifted copy of the PDP (no interaction with the
        other features); large values mean the average hides people whose curves differ in shape.
        """
        return self.centered().individual.std(axis=0)

    def to_frame(self, which: Literal["average", "individual"] = "average") -> pd.DataFrame:
        """The partial dependence (``which="average"``: columns ``<feature>``, ``average``) or the ICE
        curves in long form (``which="individual"``: columns ``row``, ``<feature>``, ``prediction``)."""
        if which == "average":
            return pd.DataFrame({self.feature: self.grid, "average": self.average})
        if which == "individual":
            n_rows, n_grid = self.individual.shape
            return pd.DataFrame({
                "row": np.repeat(self.rows, n_grid),
                self.feature: np.tile(self.grid, n_rows),
                "prediction": self.individual.ravel(),
            })
        raise ValueError(f"which must be 'average' or 'individual', got {which!r}")


@dataclass(frozen=True, eq=False)
class PartialDependence2D:
    """Two-way partial dependence: ``average[a, b]`` is the mean prediction with the first feature
    set to ``grids[0][a]`` and the second to ``grids[1][b]`` (Friedman 2001)."""

    features: tuple[str, str]
    kinds: tuple[Kind, Kind]
    grids: tuple[np.ndarray, np.ndarray]
    average: np.ndarray
    scale: str = "model output"  # the output scale of f, as in PartialDependence

    def to_frame(self) -> pd.DataFrame:
        """Long form: one row per grid pair, columns ``<feature a>``, ``<feature b>``, ``average``."""
        a, b = self.features
        ga, gb = self.grids
        return pd.DataFrame({a: np.repeat(ga, len(gb)), b: np.tile(gb, len(ga)),
                             "average": self.average.ravel()})


@dataclass(frozen=True, eq=False)
class AccumulatedLocalEffects:
    """First-order ALE of one numeric feature (Apley & Zhu 2020).

    ``grid``: the bin edges ``z_0 < ... < z_K`` (quantiles of the feature); ``effect``: the centred
    accumulated local effect at each edge (length ``K + 1``); ``local_effects``: the average change
    of the prediction across each bin (length ``K``); ``counts``: the number of rows in each bin.
    """

    feature: str
    grid: np.ndarray
    effect: np.ndarray
    local_effects: np.ndarray
    counts: np.ndarray
    kind: Kind = "numeric"
    scale: str = "model output"  # the output scale of f, as in PartialDependence

    def to_frame(self) -> pd.DataFrame:
        """One row per bin edge: columns ``<feature>``, ``effect`` and ``count`` (rows in the bin
        that ends at this edge; 0 for the first edge)."""
        return pd.DataFrame({self.feature: self.grid, "effect": self.effect,
                             "count": np.concatenate([[0], self.counts])})


# --------------------------------------------------------------------------- validation helpers
def _as_prediction_function(f: Any, X: pd.DataFrame) -> Callable[[pd.DataFrame], np.ndarray]:
    """Accept a prediction function or a fitted model (turned into P(positive class))."""
    return check_prediction_function(as_prediction_function(f, name="f"), X)


def feature_kind(column: pd.Series) -> Kind:
    """``"numeric"`` for numbers, ``"categorical"`` for strings, categories and booleans."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return "categorical"
    return "numeric"


def _numeric_values(column: pd.Series) -> np.ndarray:
    """A numeric column as a plain NumPy array: int64 for integer dtypes (also pandas' nullable
    ``Int64``, which :func:`check_frame` has made sure holds no missing value), float64 otherwise."""
    return column.to_numpy(dtype=np.int64 if pd.api.types.is_integer_dtype(column) else float)


def _check_not_constant(column: pd.Series) -> None:
    if column.nunique() < 2:
        raise ValueError(
            f"feature {column.name!r} is constant in X (every row is {column.iloc[0]!r}), so there "
            "is no range to build a grid from: pass X with more varied rows, or an explicit grid "
            "(with allow_extrapolation=True for values outside the data)"
        )


def _check_percentiles(percentiles: Any) -> tuple[float, float]:
    try:
        low, high = (float(p) for p in percentiles)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"percentiles must be two numbers (low, high) in [0, 1], got {percentiles!r}"
        ) from err
    if not 0 <= low < high <= 1:
        raise ValueError(f"percentiles must satisfy 0 <= low < high <= 1, got {percentiles!r}")
    return low, high


def _default_grid(column: pd.Series, kind: Kind, grid_resolution: int,
                  percentiles: tuple[float, float]) -> np.ndarray:
    """Categories in order for a categorical feature; for a numeric one, ``grid_resolution``
    equally spaced values between the two percentiles (all distinct values if there are fewer),
    rounded to integers for an integer feature.

    The percentiles follow scikit-learn's rule (``scipy.stats.mstats.mquantiles``, plotting
    positions with ``alphap = betap = 0.4``), so a float feature's default grid is the one
    ``sklearn.inspection.partial_dependence`` uses. Two differences are deliberate: an integer
    feature's grid is rounded to integers (scikit-learn asks about 13.7 months), and a feature with
    exactly ``grid_resolution`` distinct values gets those values (scikit-learn switches to
    percentiles only above that)."""
    if kind == "categorical":
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = set(column.unique())
            return np.array([c for c in column.cat.categories if c in present], dtype=object)
        return np.array(sorted(column.unique()), dtype=object)
    values = _numeric_values(column)
    uniques = np.unique(values)
    if len(uniques) <= grid_resolution:
        return uniques
    low, high = (float(q) for q in mquantiles(values, prob=percentiles))
    if low == high:
        raise ValueError(
            f"the {percentiles} percentiles of {column.name!r} are equal ({low}); "
            "widen percentiles, e.g. percentiles=(0, 1), or pass grid=..."
        )
    grid = np.linspace(low, high, grid_resolution)
    if pd.api.types.is_integer_dtype(column):
        grid = np.unique(np.round(grid)).astype(np.int64)
    return grid


def _check_grid(column: pd.Series, kind: Kind, grid: Any, allow_extrapolation: bool) -> np.ndarray:
    """A user grid: one-dimensional, non-empty, no NaN, inside the data unless allowed."""
    values = np.asarray(grid, dtype=object if kind == "categorical" else None)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"grid for {column.name!r} must be a non-empty 1-D sequence of values, "
                         f"got shape {values.shape}")
    if pd.isna(values).any():
        raise ValueError(f"grid for {column.name!r} contains missing values")
    if kind == "numeric":
        if not np.issubdtype(values.dtype, np.number) or values.dtype == bool:
            raise TypeError(f"feature {column.name!r} is numeric, so its grid must hold numbers, "
                            f"got {values.dtype}")
        if not np.all(np.isfinite(values.astype(float))):
            raise ValueError(f"grid for {column.name!r} contains infinite values")
        low, high = column.min(), column.max()
        outside = values[(values < low) | (values > high)]
        if len(outside) and not allow_extrapolation:
            raise ValueError(
                f"grid values {outside.tolist()} lie outside the observed range [{low}, {high}] of "
                f"{column.name!r}: the model has seen no data there. Drop them, or pass "
                "allow_extrapolation=True if you mean to ask the model about unseen values"
            )
        # a curve is read from left to right: centring (at grid[0]), ALE-style centring (np.interp)
        # and the charts all assume increasing values, so the grid is sorted
        ordered = np.sort(values, kind="stable")
        if len(np.unique(ordered)) != len(ordered):
            repeated = sorted(set(ordered[:-1][np.diff(ordered) == 0].tolist()))
            raise ValueError(f"grid for {column.name!r} repeats values {repeated}; give each value once")
        return ordered
    if len(set(values.tolist())) != len(values):
        raise ValueError(f"grid for {column.name!r} repeats categories; give each category once")
    unseen = [v for v in values if v not in set(column.unique())]
    if unseen and not allow_extrapolation:
        raise ValueError(
            f"grid categories {unseen} never occur in {column.name!r} (it has "
            f"{sorted(map(str, column.unique()))}); pass allow_extrapolation=True to use them anyway"
        )
    return values


def _feature_grid(X: pd.DataFrame, feature: str, grid: Any, grid_resolution: int,
                  percentiles: Any, allow_extrapolation: bool) -> tuple[Kind, np.ndarray]:
    """The grid for ``feature``: built from the data (which needs two distinct values), or the
    user's grid checked against the data's range."""
    column = X[feature]
    kind = feature_kind(column)
    if not isinstance(allow_extrapolation, (bool, np.bool_)):
        raise TypeError(f"allow_extrapolation must be True or False, got {allow_extrapolation!r}")
    if grid is None:
        _check_not_constant(column)
        return kind, _default_grid(column, kind, grid_resolution, _check_percentiles(percentiles))
    return kind, _check_grid(column, kind, grid, allow_extrapolation)


def _one_feature(feature: Any) -> str:
    if not isinstance(feature, str):
        raise TypeError(f"feature must be one column name (a string), got {type(feature).__name__} "
                        f"{feature!r}; call the function once per feature, or use partial_dependence_2d "
                        "for a pair")
    return feature


def _prepare(f: Any, X: Any, features: Sequence[str], batch_size: int):
    X = check_frame(X)
    names = check_features(list(features), X)
    if len(set(names)) != len(names):
        raise ValueError(f"features must be different, got {names}")
    check_positive_int(batch_size, name="batch_size")
    return _as_prediction_function(f, X), X, names


def _set_column(frame: pd.DataFrame, feature: str, values: np.ndarray, like: pd.Series) -> None:
    """Overwrite ``frame[feature]`` with ``values``, keeping a categorical dtype if ``like`` has one."""
    if isinstance(like.dtype, pd.CategoricalDtype):
        categories = like.cat.categories.union(pd.Index(pd.unique(values)), sort=False)
        values = pd.Categorical(values, categories=categories)
    frame[feature] = values


# --------------------------------------------------------------------------- the batched engine
def _checked_predictions(f: Callable, block: pd.DataFrame) -> np.ndarray:
    """``f(block)`` as floats, refused unless it is one finite number per row."""
    predictions = np.asarray(f(block), dtype=float)
    if predictions.shape != (len(block),):
        raise ValueError(f"the prediction function returned shape {predictions.shape} "
                         f"for {len(block)} rows; it must return one number per row")
    if not np.all(np.isfinite(predictions)):
        raise ValueError("the prediction function returned non-finite values on the grid")
    return predictions


def predict_on_grid(f: Callable, X: pd.DataFrame, features: Sequence[str],
                    columns: Sequence[np.ndarray], batch_size: int,
                    reduce: Literal["keep", "mean"] = "keep") -> np.ndarray:
    """Predictions for every row of ``X`` with ``features`` set to each of ``P`` grid points.

    ``columns[k]`` gives the values of ``features[k]``: shape ``(P,)`` for a grid shared by all rows,
    or ``(n, P)`` for row-specific points (as ALE needs). Each row of ``X`` is repeated ``P`` times
    and the features are overwritten, so one call of ``f`` (or a few chunks of ``batch_size`` rows)
    covers everything. Returns an ``n x P`` array (``reduce="keep"``) or the ``P`` column means
    (``reduce="mean"``, which never holds the full matrix).
    """
    n_rows, n_points = len(X), np.shape(columns[0])[-1]
    if n_points > batch_size:  # even one row's points exceed a batch: split the points too
        return _predict_in_flat_chunks(f, X, features, columns, batch_size, reduce)
    rows_per_batch = max(1, batch_size // n_points)
    total = np.zeros(n_points) if reduce == "mean" else None
    kept = []
    for start in range(0, n_rows, rows_per_batch):
        stop = min(n_rows, start + rows_per_batch)
        block = X.iloc[np.repeat(np.arange(start, stop), n_points)].reset_index(drop=True)
        for feature, values in zip(features, columns):
            block_values = (np.tile(values, stop - start) if np.ndim(values) == 1
                            else np.asarray(values)[start:stop].ravel())
            _set_column(block, feature, block_values, X[feature])
        predictions = _checked_predictions(f, block)
        predictions = predictions.reshape(stop - start, n_points)
        if reduce == "mean":
            total += predictions.sum(axis=0)
        else:
            kept.append(predictions)
    return total / n_rows if reduce == "mean" else np.concatenate(kept, axis=0)


def _predict_in_flat_chunks(f: Callable, X: pd.DataFrame, features: Sequence[str],
                            columns: Sequence[np.ndarray], batch_size: int,
                            reduce: Literal["keep", "mean"]) -> np.ndarray:
    """:func:`predict_on_grid` for grids longer than ``batch_size``: the ``n x P`` (row, point)
    pairs are taken in chunks of ``batch_size`` in row-major order, so no call exceeds it."""
    n_rows, n_points = len(X), np.shape(columns[0])[-1]
    out = np.empty(n_rows * n_points) if reduce == "keep" else None
    total = np.zeros(n_points)
    for start in range(0, n_rows * n_points, batch_size):
        flat = np.arange(start, min(start + batch_size, n_rows * n_points))
        row, point = flat // n_points, flat % n_points
        block = X.iloc[row].reset_index(drop=True)
        for feature, values in zip(features, columns):
            block_values = np.asarray(values)[point] if np.ndim(values) == 1 else np.asarray(values)[row, point]
            _set_column(block, feature, block_values, X[feature])
        predictions = _checked_predictions(f, block)
        if reduce == "mean":
            total += np.bincount(point, weights=predictions, minlength=n_points)
        else:
            out[flat] = predictions
    return total / n_rows if reduce == "mean" else out.reshape(n_rows, n_points)


def _sample_rows(X: pd.DataFrame, n_samples: int | None,
                 random_state: RandomStateLike) -> pd.DataFrame:
    """``n_samples`` rows of ``X`` drawn without replacement (in their original order), or all."""
    rng = as_legacy_random_state(random_state)  # validated even when every row is used
    if n_samples is None:
        return X
    n_samples = check_positive_int(n_samples, name="n_samples")
    if n_samples >= len(X):
        return X
    return X.iloc[np.sort(rng.choice(len(X), size=n_samples, replace=False))]


def ice_reference(f: Callable[[pd.DataFrame], np.ndarray], X: pd.DataFrame, feature: str,
                  grid: Sequence[Any]) -> np.ndarray:
    """ICE curves written as the formula, one grid value at a time (Goldstein et al. 2015).

    ``ice[i, k] = f(x_i with feature := grid[k])``, an array of shape ``(n_rows, len(grid))``; the
    partial dependence (Friedman 2001) is its column means. ``f`` maps a data frame to one number
    per row. Plain and slower; :func:`partial_dependence` gives the same numbers with batched calls
    of ``f`` (tested).
    """
    ice = np.zeros((len(X), len(grid)))
    for k, z in enumerate(grid):
        X_what_if = X.copy()
        X_what_if[feature] = z                  # every row gets the value z ...
        ice[:, k] = f(X_what_if)                # ... and the model is asked again
    return ice


# --------------------------------------------------------------------------- public functions
def partial_dependence(f: Any, X: pd.DataFrame, feature: str, *, grid: Sequence[Any] | None = None,
                       grid_resolution: int = 20, percentiles: tuple[float, float] = (0.05, 0.95),
                       n_samples: int | None = None, random_state: RandomStateLike = 0,
                       allow_extrapolation: bool = False,
                       batch_size: int = DEFAULT_BATCH_SIZE) -> PartialDependence:
    """ICE curves and partial dependence of ``f`` on ``feature`` (Friedman 2001; Goldstein et al. 2015).

    For every row ``x_i`` of ``X`` (or ``n_samples`` random rows) and every grid value ``z``::

        ICE_i(z) = f(x_i with feature := z)        PD(z) = mean_i ICE_i(z)

    ``f`` is a prediction function ``f(DataFrame) -> 1-D array`` or a fitted classifier (its
    positive-class probability is used). The grid is ``grid`` if given (values outside the data's
    range raise unless ``allow_extrapolation=True``), else the feature's categories, or
    ``grid_resolution`` equally spaced values between the ``percentiles`` of a numeric feature
    (its distinct values if there are fewer). All ``n x G`` predictions come from one batched call
    of ``f``, split into chunks of at most ``batch_size`` rows.
    """
    f, X, (feature,) = _prepare(f, X, [_one_feature(feature)], batch_size)
    check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    kind, values = _feature_grid(X, feature, grid, grid_resolution, percentiles, allow_extrapolation)
    rows = _sample_rows(X, n_samples, random_state)
    check_memory(3 * 8.0 * len(rows) * len(values), what=f"ICE curves of {len(rows):,} rows at {len(values):,} "
                 "grid values", knob="n_samples (rows) or the grid")
    individual = predict_on_grid(f, rows, [feature], [values], batch_size)
    return PartialDependence(
        feature=feature, kind=kind, grid=readonly(values, dtype=None),
        average=readonly(individual.mean(axis=0), dtype=None),
        individual=readonly(individual, dtype=None), rows=readonly(rows.index.to_numpy(), dtype=None),
        observed=readonly(rows[feature].to_numpy(), dtype=None), scale=output_scale(f),
    )


def partial_dependence_2d(f: Any, X: pd.DataFrame, features: tuple[str, str], *,
                          grids: tuple[Sequence[Any] | None, Sequence[Any] | None] | None = None,
                          grid_resolution: int = 20,
                          percentiles: tuple[float, float] = (0.05, 0.95),
                          allow_extrapolation: bool = False,
                          batch_size: int = DEFAULT_BATCH_SIZE) -> PartialDependence2D:
    """Two-way partial dependence (Friedman 2001): the mean prediction over the rows of ``X`` with
    ``features = (a, b)`` set to every pair ``(z_a, z_b)`` of their grids::

        PD_ab(z_a, z_b) = mean_i f(x_i with a := z_a, b := z_b)

    ``grids`` is a pair of grids (either may be ``None`` for the default grid, built as in
    :func:`partial_dependence`). The ``n x G_a x G_b`` predictions are batched and averaged chunk
    by chunk, so memory stays bounded by ``batch_size`` rows.
    """
    if isinstance(features, str) or len(features) != 2:
        raise ValueError(f"features must be a pair of feature names (a, b), got {features!r}")
    f, X, names = _prepare(f, X, features, batch_size)
    check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    if grids is None:
        grids = (None, None)
    if isinstance(grids, str) or len(grids) != 2:
        raise ValueError("grids must be a pair (grid for a, grid for b); use None for a default grid")
    kinds, axes = zip(*(_feature_grid(X, name, g, grid_resolution, percentiles, allow_extrapolation)
                        for name, g in zip(names, grids)))
    ga, gb = axes
    columns = [np.repeat(ga, len(gb)), np.tile(gb, len(ga))]
    average = predict_on_grid(f, X, names, columns, batch_size, reduce="mean")
    return PartialDependence2D(features=tuple(names), kinds=tuple(kinds),
                               grids=(readonly(ga, dtype=None), readonly(gb, dtype=None)),
                               average=readonly(average.reshape(len(ga), len(gb)), dtype=None), scale=output_scale(f))


def _quantile_edges(column: pd.Series, bins: int) -> np.ndarray:
    """Bin edges at the ``k / bins`` quantiles, taken as observed values (R's type-1 quantile, as in
    ALEPlot), de-duplicated: a feature with few distinct values gets fewer bins."""
    values = _numeric_values(column)
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1), method="inverted_cdf"))
    return edges.astype(values.dtype, copy=False)


def _quantile_bins(column: pd.Series, grid_resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """ALE's bins of a varying numeric column: the quantile edges ``z_0 < ... < z_K`` and, for each
    row, the number ``k`` (1 to ``K``) of the bin ``(z_{k-1}, z_k]`` it lies in (``z_0`` goes to bin 1)."""
    _check_not_constant(column)
    edges = _quantile_edges(column, grid_resolution)
    bin_of_row = np.clip(np.searchsorted(edges, _numeric_values(column), side="left"), 1, len(edges) - 1)
    return edges, bin_of_row


def ale(f: Any, X: pd.DataFrame, feature: str, *, grid_resolution: int = 10,
        batch_size: int = DEFAULT_BATCH_SIZE) -> AccumulatedLocalEffects:
    """First-order accumulated local effects of a numeric ``feature`` (Apley & Zhu 2020).

    With ``K = grid_resolution`` quantile bin edges ``z_0 < z_1 < ... < z_K``, each row ``i``
    falls in the bin ``k`` with ``z_{k-1} < x_ij <= z_k`` (the first bin also holds ``x_ij = z_0``). Then::

        local effect of bin k:  D_k = mean over rows i in bin k of
                                      f(x_i, x_j := z_k) - f(x_i, x_j := z_{k-1})
        uncentred ALE:          g(z_k) = D_1 + ... + D_k,  g(z_0) = 0
        centred ALE:            g(z_k) - sum_k n_k (g(z_{k-1}) + g(z_k)) / 2 / n

    so that the effect averages to zero over the data (as in the paper and the ALEPlot package).
    Each row is only moved across the small bin it lies in, so the model is never asked about
    combinations of feature values far from the data. All ``2 n`` predictions come in one batch.
    """
    f, X, (feature,) = _prepare(f, X, [_one_feature(feature)], batch_size)
    check_positive_int(grid_resolution, name="grid_resolution")
    column = X[feature]
    if feature_kind(column) != "numeric":
        raise TypeError(
            f"ALE is implemented for numeric features; {feature!r} is categorical. "
            "Use partial_dependence for a categorical feature"
        )
    edges, bin_of_row = _quantile_bins(column, grid_resolution)
    lower, upper = edges[bin_of_row - 1], edges[bin_of_row]
    both = predict_on_grid(f, X, [feature], [np.column_stack([lower, upper])], batch_size)
    differences = both[:, 1] - both[:, 0]
    n_bins = len(edges) - 1
    counts = np.bincount(bin_of_row - 1, minlength=n_bins)
    local = np.bincount(bin_of_row - 1, weights=differences, minlength=n_bins) / counts
    uncentred = np.concatenate([[0.0], np.cumsum(local)])
    level = np.sum(counts * (uncentred[:-1] + uncentred[1:]) / 2) / counts.sum()
    return AccumulatedLocalEffects(
        feature=feature, grid=readonly(edges, dtype=None), effect=readonly(uncentred - level, dtype=None),
        local_effects=readonly(local, dtype=None), counts=readonly(counts, dtype=None), scale=output_scale(f),
    )


@dataclass(frozen=True, eq=False)
class MarginalPlot:
    """The M-plot of one numeric feature (Apley & Zhu 2020): conditional means of the prediction.

    ``grid``: the bin edges ``z_0 < ... < z_K`` (the same as :func:`ale`'s); ``centers``: the bins'
    midpoints (length ``K``); ``average``: the mean prediction of the rows in each bin; ``effect``:
    ``average`` minus the mean prediction over all rows (centred like the ALE); ``counts``: the
    number of rows in each bin.
    """

    feature: str
    grid: np.ndarray
    centers: np.ndarray
    average: np.ndarray
    effect: np.ndarray
    counts: np.ndarray
    kind: Kind = "numeric"
    scale: str = "model output"  # the output scale of f, as in PartialDependence

    def to_frame(self) -> pd.DataFrame:
        """One row per bin: ``bin_low``, ``bin_high``, ``<feature>`` (midpoint), ``average``,
        ``effect`` and ``count``."""
        return pd.DataFrame({"bin_low": self.grid[:-1], "bin_high": self.grid[1:],
                             self.feature: self.centers, "average": self.average,
                             "effect": self.effect, "count": self.counts})


def marginal_plot(f: Any, X: pd.DataFrame, feature: str, *, grid_resolution: int = 10,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> MarginalPlot:
    """M-plot (marginal plot) of a numeric ``feature``: the prediction averaged within each bin.

    With the bins of :func:`ale` (quantile edges ``z_0 < ... < z_K``, row ``i`` in bin ``k`` when
    ``z_{k-1} < x_ij <= z_k``)::

        M(bin k) = mean over rows i in bin k of f(x_i)

    an estimate of the conditional mean ``E[f(X) | X_j near z]`` (Apley & Zhu 2020, Figure 2;
    Molnar, *Interpretable Machine Learning*, "M-plots"). Every row keeps its own values, so no
    prediction is made off the data; but rows with a different ``x_j`` also differ in the features
    correlated with it, so the M-plot credits ``x_j`` with their effects too. ``effect`` subtracts
    the mean prediction over all rows, the same centring as the ALE. The ``n`` predictions are
    made in chunks of at most ``batch_size`` rows.
    """
    f, X, (feature,) = _prepare(f, X, [_one_feature(feature)], batch_size)
    check_positive_int(grid_resolution, name="grid_resolution")
    column = X[feature]
    if feature_kind(column) != "numeric":
        raise TypeError(f"the M-plot is implemented for numeric features (it bins them like ALE); "
                        f"{feature!r} is categorical: compare f's mean per category instead")
    edges, bin_of_row = _quantile_bins(column, grid_resolution)
    predictions = np.concatenate([_checked_predictions(f, X.iloc[start:start + batch_size])
                                  for start in range(0, len(X), batch_size)])
    n_bins = len(edges) - 1
    counts = np.bincount(bin_of_row - 1, minlength=n_bins)
    average = np.bincount(bin_of_row - 1, weights=predictions, minlength=n_bins) / counts
    centers = (edges[:-1].astype(float) + edges[1:].astype(float)) / 2
    return MarginalPlot(feature=feature, grid=readonly(edges, dtype=None), centers=readonly(centers, dtype=None),
                        average=readonly(average, dtype=None),
                        effect=readonly(average - predictions.mean(), dtype=None),
                        counts=readonly(counts, dtype=None), scale=output_scale(f))


@dataclass(frozen=True, eq=False)
class IceDerivatives:
    """Derivative ICE (d-ICE, Goldstein et al. 2015) of one numeric feature, by finite differences.

    ``grid``: the midpoints between consecutive grid values of the ICE curves (length ``G - 1``);
    ``individual``: each row's slope there (``n_rows x (G - 1)``); ``average``: the slope of the
    PDP; ``spread``: the standard deviation of the slopes across rows (0 where no row's slope
    differs from another's: no interaction there); ``rows``: the rows' index labels.
    """

    feature: str
    grid: np.ndarray
    individual: np.ndarray
    average: np.ndarray
    spread: np.ndarray
    rows: np.ndarray
    scale: str = "model output"  # the output scale of f (slopes in its units per unit of the feature)

    def to_frame(self) -> pd.DataFrame:
        """One row per midpoint: ``<feature>``, ``average`` (PDP slope) and ``spread``."""
        return pd.DataFrame({self.feature: self.grid, "average": self.average, "spread": self.spread})


def ice_derivatives(result: PartialDependence) -> IceDerivatives:
    """Slopes of ICE curves (derivative ICE, Goldstein et al. 2015) as finite differences::

        dICE_i(m_k) = (ICE_i(z_{k+1}) - ICE_i(z_k)) / (z_{k+1} - z_k),   m_k = (z_k + z_{k+1}) / 2

    For a model additive in the feature, ``f = g(x_j) + h(x_{-j})``, every row has the same slope
    and the ``spread`` (standard deviation across rows) is zero; where it is large, the effect of
    ``x_j`` depends on the other features. Goldstein et al. smooth the curves before
    differentiating; here the differences are taken on the grid as is, so a coarse grid gives the
    average slope over each step (exact for a model quadratic in the feature).
    """
    if not isinstance(result, PartialDependence):
        raise TypeError(f"result must be a PartialDependence (from partial_dependence), got "
                        f"{type(result).__name__}")
    if result.kind != "numeric":
        raise ValueError(f"{result.feature!r} is categorical: its ICE curves have no slope; "
                         "compare the predictions between categories instead")
    if len(result.grid) < 2:
        raise ValueError(f"the ICE curves of {result.feature!r} have {len(result.grid)} grid value; "
                         "slopes need at least 2 (pass a longer grid to partial_dependence)")
    grid = result.grid.astype(float)
    steps = np.diff(grid)
    if not np.all(steps > 0):  # a backwards or repeated grid: midpoints out of order, or 0/0 slopes
        raise ValueError(f"the grid of {result.feature!r} must increase strictly for slopes, got "
                         f"{grid[:6].tolist()}...; compute the result with partial_dependence (it sorts the grid)")
    slopes = np.diff(result.individual, axis=1) / steps
    return IceDerivatives(feature=result.feature, grid=readonly(grid[:-1] + steps / 2, dtype=None),
                          individual=readonly(slopes, dtype=None), average=readonly(slopes.mean(axis=0), dtype=None),
                          spread=readonly(slopes.std(axis=0), dtype=None), rows=readonly(result.rows, dtype=None),
                          scale=result.scale)


class HStatistic(float):
    """Friedman's H of one pair of features: a float (compare, format and glue it as a number)
    that also records ``features`` and ``n_samples`` (the rows used as points and background)."""

    features: tuple[str, str]
    n_samples: int

    def __new__(cls, value: float, *, features: tuple[str, str], n_samples: int) -> HStatistic:
        h = super().__new__(cls, value)
        object.__setattr__(h, "features", tuple(features))
        object.__setattr__(h, "n_samples", int(n_samples))
        return h

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"HStatistic is read-only; cannot set {name!r}")

    def __reduce__(self) -> tuple:
        return _restore_h_statistic, (float(self), self.features, self.n_samples)

    @property
    def statistic(self) -> float:
        """``H`` as a plain float."""
        return float(self)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``feature_a``, ``feature_b``, ``h_statistic``, ``n_samples``."""
        return pd.DataFrame({"feature_a": [self.features[0]], "feature_b": [self.features[1]],
                             "h_statistic": [float(self)], "n_samples": [self.n_samples]})


def _restore_h_statistic(value: float, features: tuple[str, str], n_samples: int) -> HStatistic:
    return HStatistic(value, features=features, n_samples=n_samples)


def h_statistic(f: Any, X: pd.DataFrame, features: tuple[str, str], *, n_samples: int | None = 200,
                random_state: RandomStateLike = 0, batch_size: int = DEFAULT_BATCH_SIZE) -> HStatistic:
    """Friedman's H statistic of the interaction between two features (Friedman & Popescu 2008).

    With the partial dependence functions centred to mean zero over the data and evaluated at the
    data points themselves::

        H^2 = sum_i [PD_ab(x_ia, x_ib) - PD_a(x_ia) - PD_b(x_ib)]^2 / sum_i PD_ab(x_ia, x_ib)^2

    the share of the variance of the joint effect of ``a`` and ``b`` that their separate effects do
    not explain: 0 when the model is additive in them, 1 when the joint effect is pure interaction.
    Returns ``H`` (the square root) as an :class:`HStatistic`, a float that also records the pair
    and the rows used. It needs ``3 n^2`` predictions for ``n`` rows, so ``n_samples`` random rows
    (default 200, ``None`` for all) are used, both as points and as background.
    """
    if isinstance(features, str) or len(features) != 2:
        raise ValueError(f"features must be a pair of feature names (a, b), got {features!r}")
    f, X, (a, b) = _prepare(f, X, features, batch_size)
    for name in (a, b):
        _check_not_constant(X[name])
    if n_samples is not None:
        check_positive_int(n_samples, name="n_samples", minimum=2)
    rows = _sample_rows(X, n_samples, random_state)
    if len(rows) < 2:
        raise ValueError("X has 1 row: the H statistic compares effects across rows and needs at least 2")
    points_a, points_b = rows[a].to_numpy(), rows[b].to_numpy()
    joint = predict_on_grid(f, rows, [a, b], [points_a, points_b], batch_size, reduce="mean")
    only_a = predict_on_grid(f, rows, [a], [points_a], batch_size, reduce="mean")
    only_b = predict_on_grid(f, rows, [b], [points_b], batch_size, reduce="mean")
    joint, only_a, only_b = (v - v.mean() for v in (joint, only_a, only_b))
    total = np.sum(joint ** 2)
    value = 0.0 if total == 0 else float(np.sqrt(np.sum((joint - only_a - only_b) ** 2) / total))
    return HStatistic(value, features=(a, b), n_samples=len(rows))


def _percentile_of(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Mid-rank position of each value in the sorted reference, between 0 and 1."""
    ref = np.sort(reference)
    return (np.searchsorted(ref, values, "left") + np.searchsorted(ref, values, "right")) / (2 * len(ref))


def off_data_share(reference: pd.DataFrame, synthetic: pd.DataFrame, *,
                   quantile: float = 0.99) -> float:
    """Share of ``synthetic`` rows that lie off the data of ``reference`` (numeric columns).

    Each column is measured in percentiles of the reference, so months and money are comparable.
    A synthetic row is *off the data* when its distance to the nearest reference row exceeds the
    ``quantile`` of the reference rows' own nearest-neighbour distances: farther from every real
    row than, by default, 99% of real rows are from their closest neighbour. Used to count the
    impossible rows a PDP (or a permutation) asks the model about (Hooker, Mentch & Zhou 2021).
    """
    from sklearn.neighbors import NearestNeighbors

    reference = check_frame(reference, name="reference", min_rows=3)
    synthetic = check_frame(synthetic, name="synthetic")
    if list(synthetic.columns) != list(reference.columns):
        raise ValueError(f"synthetic has columns {list(synthetic.columns)}, reference "
                         f"{list(reference.columns)}; they must be the same")
    if not all(pd.api.types.is_numeric_dtype(reference[c]) for c in reference.columns):
        raise TypeError("off_data_share needs numeric columns")
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be between 0 and 1, got {quantile}")
    ref = reference.to_numpy(dtype=float)
    syn = synthetic.to_numpy(dtype=float)
    ref_p = np.column_stack([_percentile_of(ref[:, j], ref[:, j]) for j in range(ref.shape[1])])
    syn_p = np.column_stack([_percentile_of(syn[:, j], ref[:, j]) for j in range(ref.shape[1])])
    neighbours = NearestNeighbors(n_neighbors=2).fit(ref_p)
    threshold = np.quantile(neighbours.kneighbors(ref_p)[0][:, 1], quantile)
    distance = neighbours.kneighbors(syn_p, n_neighbors=1)[0][:, 0]
    return float(np.mean(distance > threshold))

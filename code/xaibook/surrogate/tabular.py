"""LIME for one row of a table (Ribeiro et al. 2016), as ``lime``'s ``LimeTabularExplainer``.

:func:`tabular_neighbourhood` draws the perturbed rows in lime's order of random numbers, in named
steps: code the table (:class:`_Coding`: categories as codes, numbers as quartile bins when
discretized), draw each column's bins or categories with their training frequencies
(:func:`_draw`), turn the bins back into values (:func:`_undiscretize`), decode the samples into a
DataFrame for the model. :func:`lime_tabular` adds the surrogate fit, and
:func:`lime_tabular_reference` is the whole method in a few readable lines.

One deliberate difference from lime 0.2.0.1: for a quartile bin whose training values are all equal
(e.g. a count of dependants that is 1 for half the rows), lime's ``undiscretize`` puts the *z-score*
0 into the perturbed sample instead of the value itself, so the model is asked about 0 dependants,
a value that never occurs; here the sample gets the bin's value. Where such a bin sits at 0 anyway,
the two agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from xaibook._validation import (
    as_generator,
    as_legacy_random_state,
    check_frame,
    check_positive_number,
    check_row_like,
    output_scale,
)
from xaibook.predict import as_prediction_function
from xaibook.surrogate._sampling import check_neighbourhood_memory, check_samples, predict_in_batches
from xaibook.surrogate.fit import fit_surrogate
from xaibook.surrogate.kernel import SURROGATE_ALPHA, default_kernel_width
from xaibook.surrogate.result import LimeResult, Neighbourhood

__all__ = ["lime_tabular", "lime_tabular_reference", "tabular_neighbourhood"]

#: lime adds this to each bin's SD so a constant bin has a non-zero scale.
_BIN_SD_EPS = 1e-11


def _is_categorical(dtype: Any) -> bool:
    """Non-numeric (and boolean) columns are categorical."""
    return not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _format_threshold(value: float) -> str:
    """lime prints thresholds with two decimals; trailing zeros are dropped here (24.00 -> 24)."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_tabular(X_train: Any, x: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``X_train`` a DataFrame of at least two rows, no NaN or inf; ``x`` one row like it
    (:func:`~xaibook._validation.check_row_like`: a Series takes ``X_train``'s dtypes)."""
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    return X_train, check_row_like(x, X_train, name="x", reference_name="X_train")


# --------------------------------------------------------------------------------------------
# The table in lime's coding
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Quartiles:
    """lime's quartile discretizer for one numeric training column."""

    edges: np.ndarray   # unique quartiles: bin b holds edges[b-1] < v <= edges[b]
    low: np.ndarray     # per bin: lower bound, upper bound, mean and SD (+ lime's 1e-11)
    high: np.ndarray
    mean: np.ndarray
    sd: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> _Quartiles:
        edges = np.unique(np.percentile(values, [25, 50, 75]))
        bins = np.searchsorted(edges, values)
        n_bins = len(edges) + 1
        mean = np.zeros(n_bins)
        sd = np.zeros(n_bins)
        for b in range(n_bins):
            chosen = values[bins == b]
            if len(chosen):
                mean[b], sd[b] = np.mean(chosen), np.std(chosen)
        return cls(edges, np.r_[values.min(), edges], np.r_[edges, values.max()], mean, sd + _BIN_SD_EPS)

    def bin_of(self, values: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.edges, values)

    def labels(self, name: str) -> list[str]:
        e = [_format_threshold(v) for v in self.edges]
        return ([f"{name} <= {e[0]}"] + [f"{e[i]} < {name} <= {e[i + 1]}" for i in range(len(e) - 1)]
                + [f"{name} > {e[-1]}"])


def _encode(X_train: pd.DataFrame, x: pd.DataFrame, categorical: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """``X_train`` and ``x``'s row as numbers: a category as its code into the column's sorted
    training values, a number as a float. Returns both and each categorical column's values."""
    train = np.zeros(X_train.shape)
    row = np.zeros(X_train.shape[1])
    categories: dict[int, np.ndarray] = {}
    values_of_x = x.iloc[0].tolist()
    for j, name in enumerate(X_train.columns):
        column = X_train.iloc[:, j]
        if categorical[j]:
            cats, codes = np.unique(column.to_numpy(dtype=object), return_inverse=True)
            where = np.flatnonzero(cats == values_of_x[j])
            if len(where) == 0:
                raise ValueError(f"x has a category unseen in X_train: column {name!r} value {values_of_x[j]!r}; "
                                 f"X_train's values are {list(cats)}")
            categories[j] = cats
            train[:, j] = codes
            row[j] = where[0]
        else:
            train[:, j] = column.to_numpy(dtype=float)
            row[j] = float(values_of_x[j])
    return train, row, categories


def _scale(train: np.ndarray, indicator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and SD (ddof 0), the scale of the distances and, with ``discretize=False``,
    of the surrogate's inputs; 0/1 columns (every column once discretized) keep mean 0 and scale 1,
    as in lime, and so does a constant column."""
    mean = np.where(indicator, 0.0, train.mean(axis=0))
    sd = train.std(axis=0)
    return mean, np.where(indicator | (sd < 10 * np.finfo(float).eps), 1.0, sd)


@dataclass(frozen=True)
class _Coding:
    """The training table and the instance in lime's coding, with what sampling needs."""

    columns: tuple[str, ...]
    dtypes: pd.Series                   # X_train's, to decode the samples
    categorical: np.ndarray             # per column: is it categorical?
    categories: dict[int, np.ndarray]   # a categorical column's sorted training values
    quartiles: dict[int, _Quartiles]    # a discretized numeric column's bins
    row: np.ndarray                     # the instance: category codes and numbers
    first: np.ndarray                   # the instance's category or bin, which Z compares with
    coded: np.ndarray                   # the training data as categories and bins: what is drawn
    mean: np.ndarray                    # the scale of Z
    sd: np.ndarray
    discretize: bool

    @classmethod
    def fit(cls, X_train: pd.DataFrame, x: pd.DataFrame, discretize: bool) -> _Coding:
        categorical = np.array([_is_categorical(dtype) for dtype in X_train.dtypes])
        train, row, categories = _encode(X_train, x, categorical)
        quartiles = {j: _Quartiles.fit(train[:, j]) for j in range(len(row)) if discretize and not categorical[j]}
        first, coded = row.copy(), train.copy()
        for j, q in quartiles.items():
            first[j] = q.bin_of(row[j])
            coded[:, j] = q.bin_of(train[:, j])
        mean, sd = _scale(train, categorical | bool(discretize))
        return cls(tuple(X_train.columns), X_train.dtypes, categorical, categories, quartiles, row, first, coded,
                   mean, sd, bool(discretize))

    def decode(self, inverse: np.ndarray) -> pd.DataFrame:
        """Coded samples as a DataFrame with ``X_train``'s columns and dtypes, for the model."""
        return pd.DataFrame({
            name: (pd.Series(self.categories[j][inverse[:, j].astype(int)], dtype=self.dtypes.iloc[j])
                   if self.categorical[j] else inverse[:, j])
            for j, name in enumerate(self.columns)}, copy=False)

    def labels(self, x: pd.DataFrame) -> tuple[str, ...]:
        """lime's name of each feature for this instance: ``"purpose=car"``, ``"2 < age <= 5"``, ``"age"``."""
        labels = []
        for j, name in enumerate(self.columns):
            if self.categorical[j]:
                labels.append(f"{name}={x[name].iloc[0]}")
            elif j in self.quartiles:
                labels.append(self.quartiles[j].labels(name)[int(self.first[j])])
            else:
                labels.append(name)
        return tuple(labels)


# --------------------------------------------------------------------------------------------
# Drawing the neighbourhood
# --------------------------------------------------------------------------------------------
def _draw_with_frequencies(column: np.ndarray, n: int, rs: np.random.RandomState) -> np.ndarray:
    """``n`` values of ``column`` drawn with their frequencies there, one uniform each inverted through
    the cumulative frequencies: what ``rs.choice(values, n, p=frequencies)``, which lime calls, does."""
    values, counts = np.unique(column, return_counts=True)
    freqs = counts / float(counts.sum())
    cdf = np.cumsum(freqs)
    cdf /= cdf[-1]
    return values[np.searchsorted(cdf, rs.random_sample(n), side="right")]


def _draw(coding: _Coding, n: int, rs: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """The interpretable rows ``Z`` (standardized) and the coded samples, row 0 the instance, drawn
    in lime's order: (``discretize=False``) a block of standard normals for the numbers, then column
    by column the bins or categories, then the values inside the bins."""
    n_columns = len(coding.columns)
    if coding.discretize:
        Z, inverse = np.zeros((n, n_columns)), np.zeros((n, n_columns))
    else:
        Z = rs.normal(0, 1, n * n_columns).reshape(n, n_columns) * coding.sd + coding.mean
        inverse = Z.copy()
    Z[0] = coding.row
    inverse[0] = coding.row
    for j in range(n_columns) if coding.discretize else np.flatnonzero(coding.categorical):
        draws = _draw_with_frequencies(coding.coded[:, j], n, rs)
        Z[:, j] = draws == coding.first[j]
        Z[0, j] = 1.0
        inverse[:, j] = draws
        inverse[0, j] = coding.row[j]
    if coding.quartiles:
        inverse[1:] = _undiscretize(inverse[1:], coding.quartiles, rs)
    inverse[0] = coding.row
    return (Z - coding.mean) / coding.sd, inverse


def _undiscretize(bins: np.ndarray, quartiles: dict[int, _Quartiles], rs: np.random.RandomState) -> np.ndarray:
    """Turn sampled bins back into values: a normal with the bin's mean and SD, truncated to the bin.

    Column by column, for the rows whose bin has distinct bounds, one draw of
    ``scipy.stats.truncnorm.rvs`` with the shared ``RandomState`` (scipy inverts the CDF of one
    uniform per value), as lime does, so the stream is the same. A bin whose bounds coincide (all its
    training values equal) gets that value, where lime puts its z-score 0.
    """
    out = bins.copy()
    for j, q in quartiles.items():
        b = bins[:, j].astype(int)
        low, high, mean, sd = q.low[b], q.high[b], q.mean[b], q.sd[b]
        a, z = (low - mean) / sd, (high - mean) / sd
        varies = a != z
        values = low.copy()  # the constant bins keep their single value
        if varies.any():
            values[varies] = stats.truncnorm.rvs(a[varies], z[varies], loc=mean[varies], scale=sd[varies],
                                                 random_state=rs)
        out[:, j] = values
    return out


def tabular_neighbourhood(f: Any, X_train: pd.DataFrame, x: pd.DataFrame | pd.Series, *,
                          n_samples: int = 5000, discretize: bool = True, random_state: Any = 0,
                          batch_size: int | None = None) -> Neighbourhood:
    """Step 1 of LIME for a table: ``n_samples`` perturbed rows around ``x`` and ``f`` on each.

    Random numbers are drawn exactly as ``lime.lime_tabular.LimeTabularExplainer`` draws them:

    * ``discretize=True``: every numeric column is cut at its training quartiles. For each column in
      turn, ``n_samples`` bins (or categories) are drawn with their training frequencies; a sample's
      0/1 feature says whether it fell in the instance's bin (category). Then, column by column, each
      numeric bin of rows 1.. is turned back into a value from a normal truncated to the bin, with the
      bin's training mean and SD.
    * ``discretize=False``: one block of standard normals ``n_samples x d``; numeric column ``j``
      becomes ``mean_j + sd_j * z`` (training mean and SD, ddof 0) and enters ``Z`` standardized
      (``z``); categorical columns are then drawn as above.

    Row 0 is ``x`` itself. Distances are Euclidean on ``Z``.
    """
    f = as_prediction_function(f, name="f")
    if not isinstance(discretize, (bool, np.bool_)):
        raise TypeError(f"discretize must be True or False, got {type(discretize).__name__} {discretize!r}")
    X_train, x = _check_tabular(X_train, x)
    n = check_samples(n_samples)
    rs = as_legacy_random_state(random_state)
    d = X_train.shape[1]
    check_neighbourhood_memory(n, d, 8.0 * 4 * n * d, what=f"a LIME neighbourhood of {n:,} rows x {d} features",
                               knob="n_samples")
    coding = _Coding.fit(X_train, x, discretize)
    Z, inverse = _draw(coding, n, rs)
    samples = coding.decode(inverse)
    predictions = predict_in_batches(f, samples, n, batch_size, lambda s, a, b: s.iloc[a:b])
    distances = np.sqrt(((Z - Z[0]) ** 2).sum(axis=1))
    return Neighbourhood(kind="tabular", data=Z, predictions=predictions, distances=distances,
                         feature_names=coding.columns, feature_labels=coding.labels(x),
                         feature_values=tuple(x.iloc[0].tolist()), samples=samples,
                         default_kernel_width=default_kernel_width(d), row=x.index[0], scale=output_scale(f))


def lime_tabular(f: Any, X_train: pd.DataFrame, x: pd.DataFrame | pd.Series, *, n_samples: int = 5000,
                 kernel_width: float | None = None, discretize: bool = True, n_features: int | None = None,
                 random_state: Any = 0, return_neighbourhood: bool = False,
                 batch_size: int | None = None) -> LimeResult:
    """LIME for one row ``x`` of a table (Ribeiro et al. 2016), as ``lime``'s tabular explainer.

    ``f`` is a prediction function ``f(X: DataFrame) -> 1-D array`` or a fitted scikit-learn model
    (a classifier means its positive-class probability). ``X_train`` supplies the sampling
    distribution: quartiles, means, SDs and category frequencies; its non-numeric columns are
    categorical. ``kernel_width`` defaults to ``0.75 * sqrt(number of features)``.

    With ``discretize=True`` (lime's default) a weight is the change in the surrogate's output when
    the feature's bin (or category) is the instance's rather than another; with ``discretize=False``
    a numeric feature's weight is the change in ``f`` per standard deviation of the feature.
    ``n_features`` keeps only that many features (lime's automatic selection). Equals
    ``LimeTabularExplainer(X_train, mode="regression", ...).explain_instance(x, f, num_features=...)``
    for the same ``random_state`` (see the module docstring for the one deliberate difference).
    """
    hood = tabular_neighbourhood(f, X_train, x, n_samples=n_samples, discretize=discretize,
                                 random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)


# --------------------------------------------------------------------------------------------
# LIME for a table in a few readable lines (for reading; the functions above are the fast ones)
# --------------------------------------------------------------------------------------------
def lime_tabular_reference(f: Any, X_train: pd.DataFrame, x: pd.DataFrame, *, n_samples: int = 5000,
                           kernel_width: float | None = None, random_state: Any = 0,
                           samples: pd.DataFrame | None = None) -> pd.Series:
    """Tabular LIME as sample, weight, fit, written to be read (Ribeiro et al. 2016, ``lime``'s choices).

    1. **Sample**: every feature of every sample is the value of a random training row, drawn
       independently feature by feature; row 0 is ``x``. (``lime`` draws a quartile bin or a
       category with its training frequency and then a value inside the bin from a truncated
       normal: the same bins with the same frequencies, other values inside a bin.) Pass
       ``samples`` (``x`` as row 0) to skip the draw.
    2. **Weight**: ``z'`` is 1 where the sample lies in ``x``'s quartile bin (numeric) or category;
       ``d`` is the Euclidean distance of ``z'`` to ``x``'s all-ones row and the kernel weight
       ``pi = sqrt(exp(-d**2 / width**2))``, width ``0.75 sqrt(number of features)`` by default.
    3. **Fit**: a weighted ridge regression (``alpha = 1``, intercept not penalised) of ``f`` on ``z'``.

    Returns the surrogate's weights, one per feature. On the samples of
    :func:`tabular_neighbourhood` it gives :func:`lime_tabular`'s weights to rounding error
    (``tests/test_surrogate.py``); on its own samples, the same explanation up to sampling noise.
    """
    f = as_prediction_function(f, name="f")
    X_train, x = _check_tabular(X_train, x)
    if samples is None:                                                    # 1. sample
        rows = as_generator(random_state).integers(0, len(X_train), size=(check_samples(n_samples) - 1, x.shape[1]))
        drawn = pd.DataFrame({c: X_train[c].to_numpy()[rows[:, j]] for j, c in enumerate(X_train.columns)})
        samples = pd.concat([x.reset_index(drop=True), drawn.astype(X_train.dtypes.to_dict())], ignore_index=True)
    Z = np.column_stack([_same_bin(samples[c], x[c].iloc[0], X_train[c]) for c in X_train.columns])
    d = np.sqrt(((Z - 1) ** 2).sum(axis=1))                                 # 2. weight
    width = (default_kernel_width(Z.shape[1]) if kernel_width is None
             else check_positive_number(kernel_width, name="kernel_width"))
    pi = np.sqrt(np.exp(-d ** 2 / width ** 2))
    A = np.column_stack([np.ones(len(Z)), Z])                               # 3. fit
    P = np.diag(np.r_[0.0, np.ones(Z.shape[1])])
    theta = np.linalg.solve(A.T @ (A * pi[:, None]) + SURROGATE_ALPHA * P, A.T @ (pi * f(samples)))
    return pd.Series(theta[1:], index=X_train.columns, name="weight")


def _same_bin(values: pd.Series, value: Any, train: pd.Series) -> np.ndarray:
    """1.0 where ``values`` fall in ``value``'s quartile bin of ``train`` (numeric) or equal it (category)."""
    if _is_categorical(train.dtype):
        return (values.to_numpy(dtype=object) == value).astype(float)
    edges = np.unique(np.percentile(train.to_numpy(dtype=float), [25, 50, 75]))
    return (np.searchsorted(edges, values.to_numpy(dtype=float)) == np.searchsorted(edges, float(value))).astype(float)

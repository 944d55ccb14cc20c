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

Validity is the model's own decision: ``model.predict`` of a classifier (a classifier with its own
threshold, such as scikit-learn's ``FixedThresholdClassifier``, is obeyed), ``f > 0.5`` for a
prediction function of class 1's probability; ``min_probability`` adds a margin (DiCE's
``stopping_threshold``). Every reported counterfactual is checked once more, by the model's
``predict`` and against every constraint, before it is reported: an invalid candidate is never
reported, and when none is valid the result is empty, with validity 0 and a message that says so
and what was tried. Probabilities are checked to be probabilities (a log-odds function is refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import (
    as_generator,
    check_columns_match,
    check_features,
    check_fitted_model,
    check_frame,
    check_like_reference,
    check_memory,
    check_model_input,
    check_number,
    check_positive_int,
    check_probabilities,
    check_probability_scale,
    check_random_state,
)
from xaibook.predict import as_prediction_function

__all__ = [
    "AlreadyDesiredError",
    "CounterfactualImportance",
    "CounterfactualResult",
    "actionable_features",
    "band_scales",
    "counterfactual_importance",
    "counterfactual_metrics",
    "counterfactuals",
    "distance_matrix",
    "linear_recourse_cost",
    "linear_recourse_costs",
    "mad_scales",
    "mutable_features",
    "recourse_cost",
]

#: Weight of the distance to the already chosen counterfactuals when choosing the next one.
DIVERSITY_WEIGHT = 0.5
#: Smallest distance between two reported counterfactuals that are the same option.
MIN_DISTANCE = 0.25
#: Quantiles of the reference data used as target values of a numeric feature in the search.
GRID_SIZE = 16
#: Random sparse candidates drawn per search.
N_RANDOM = 400
#: Most features a random candidate changes.
MAX_RANDOM_CHANGES = 3
#: Valid candidates minimised per search (the cheapest after undoing unneeded changes).
MAX_POOL = 48
#: Steps of a greedy path before it is abandoned.
MAX_STEPS = 8
#: Points tried on each segment from x when a numeric change is shortened (twice, the second finer).
SHRINK_POINTS = 12
#: Projected reference rows and lattice rows minimised one feature at a time (after the joint move).
MAX_BROAD = 12
#: Reference rows on which linear_recourse_cost checks that the model is additive in log-odds.
N_LINEAR_CHECKS = 16
#: Reference rows (a seeded sample when there are more) projected onto the constraints as candidates.
MAX_REFERENCE = 2000
#: Largest number of rows of the exhaustive lattice over the features free to change; a bigger
#: search space is not enumerated (see :func:`_lattice`).
LATTICE_ROWS = 4096


class AlreadyDesiredError(ValueError):
    """The row is already predicted as the desired class: it needs no counterfactual."""


# ------------------------------------------------------------------------------ result types
def _readonly(values: Any, dtype=float) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class CounterfactualResult:
    """Counterfactuals for one row ``original``, sorted by cost, with the standard metrics.

    ``counterfactuals`` has the columns of ``original``; ``predictions`` is the model's probability
    of ``desired_class`` for each, ``cost`` its distance from ``original``, ``n_changed`` the
    number of features it changes and ``plausibility`` its distance to the nearest row of the
    reference data (smaller is more typical). The metrics are computed from these rows:

    ``validity``   share of the ``n_requested`` counterfactuals that exist and reach the desired
                   class (distinct rows only, as in Mothilal et al. 2020);
    ``proximity``  mean cost;  ``sparsity`` mean number of features changed (DiCE reports
                   1 - that number / the number of features);
    ``diversity``  mean pairwise distance between the counterfactuals (NaN with fewer than two).

    When no valid counterfactual exists within the constraints, ``counterfactuals`` is empty,
    ``validity`` is 0, the other metrics are NaN and ``message`` says why.
    """

    counterfactuals: pd.DataFrame
    original: pd.DataFrame
    predictions: np.ndarray
    original_prediction: float
    desired_class: Any
    cost: np.ndarray
    n_changed: np.ndarray
    plausibility: np.ndarray
    validity: float
    proximity: float
    sparsity: float
    diversity: float
    n_requested: int
    features_to_vary: tuple[str, ...]
    message: str = ""
    feature_names: tuple[str, ...] = field(default=())
    min_probability: float | None = None

    def __post_init__(self) -> None:
        for name in ("predictions", "cost", "plausibility"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        object.__setattr__(self, "n_changed", _readonly(self.n_changed, dtype=int))
        object.__setattr__(self, "feature_names", tuple(str(c) for c in self.original.columns))
        object.__setattr__(self, "features_to_vary", tuple(self.features_to_vary))
        object.__setattr__(self, "counterfactuals", self.counterfactuals.copy())
        object.__setattr__(self, "original", self.original.copy())

    def __len__(self) -> int:
        return len(self.counterfactuals)

    def __repr__(self) -> str:
        return (f"CounterfactualResult({len(self)} of {self.n_requested} requested, desired class "
                f"{self.desired_class!r}, validity={self.validity:.2f}, proximity={self.proximity:.3g}, "
                f"sparsity={self.sparsity:.3g}, diversity={self.diversity:.3g})"
                + (f"\n{self.message}" if self.message else ""))

    def changed(self) -> pd.DataFrame:
        """Boolean frame: which features each counterfactual changes. A number that differs from the
        original only by rounding (the search works in scaled units: 1e-9 relative) is unchanged."""
        original = self.original.iloc[0]

        def differs(c: str) -> np.ndarray:
            new = self.counterfactuals[c].to_numpy()
            if _is_numeric(self.counterfactuals[c]) and _is_numeric(self.original[c]):
                return ~np.isclose(new.astype(float), float(original[c]), rtol=1e-9, atol=1e-9)
            return new != original[c]

        return pd.DataFrame({c: differs(c) for c in self.feature_names}, index=self.counterfactuals.index)

    def changes(self) -> pd.DataFrame:
        """The counterfactuals as a "what would have to change" table: changed cells only.

        One row per counterfactual, numbered from 1 (``cost``, ``P(class <desired>)``), and one
        column per feature that any counterfactual changes, holding the new value (empty where the
        feature stays).
        """
        mask = self.changed()
        used = [c for c in self.feature_names if mask[c].any()]
        table = self.counterfactuals[used].astype(object).where(mask[used], "")
        table.insert(0, "cost", np.round(self.cost, 3))
        table.insert(1, f"P(class {self.desired_class})", np.round(self.predictions, 3))
        table.index = pd.RangeIndex(1, len(table) + 1, name="counterfactual")
        return table

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per counterfactual and feature.

        Columns: ``counterfactual`` (1 = cheapest), ``feature``, ``original``, ``value``,
        ``changed``, ``cost`` and ``prediction`` (of the counterfactual, desired class).
        """
        original = self.original.iloc[0]
        records = []
        for k, (_, row) in enumerate(self.counterfactuals.iterrows()):
            for feature in self.feature_names:
                records.append({"counterfactual": k + 1, "feature": feature,
                                "original": original[feature], "value": row[feature],
                                "changed": bool(row[feature] != original[feature]),
                                "cost": float(self.cost[k]), "prediction": float(self.predictions[k])})
        return pd.DataFrame.from_records(
            records, columns=["counterfactual", "feature", "original", "value", "changed", "cost", "prediction"])

    def feature_frequency(self) -> pd.Series:
        """Share of the counterfactuals that change each feature (0 for an empty result)."""
        if len(self) == 0:
            return pd.Series(0.0, index=list(self.feature_names), name="share changed")
        return self.changed().mean().rename("share changed")

    def ranking(self) -> list[str]:
        """Features ordered by how often the counterfactuals change them (most often first)."""
        return self.feature_frequency().sort_values(ascending=False, kind="stable").index.tolist()


@dataclass(frozen=True, eq=False)
class CounterfactualImportance:
    """How often counterfactuals change each feature: per person (``local``) and on average.

    ``local`` has one row per explained person and one column per feature (share of that person's
    counterfactuals changing the feature); ``values`` is its column mean over the people who got at
    least one counterfactual; ``n_found`` counts them.
    """

    values: np.ndarray
    feature_names: tuple[str, ...]
    local: pd.DataFrame
    n_found: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _readonly(self.values))
        object.__setattr__(self, "feature_names", tuple(self.feature_names))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``feature`` and ``share changed``, most often changed first."""
        frame = pd.DataFrame({"feature": self.feature_names, "share changed": self.values})
        return frame.sort_values("share changed", ascending=False, kind="stable").reset_index(drop=True)

    def ranking(self) -> list[str]:
        """Feature names, most often changed first."""
        return self.to_frame()["feature"].tolist()


# ------------------------------------------------------------------------------ distances
def mad_scales(X_reference: pd.DataFrame, features: Sequence[str] | None = None) -> pd.Series:
    """Median absolute deviation of each numeric feature of ``X_reference`` (0 replaced by 1).

    The scale of the L1 distance of Wachter et al. (2017), also DiCE's (Mothilal et al. 2020): here a
    change of one MAD costs 1, as much as changing one categorical feature.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    names = list(X_reference.columns)
    if features is not None:
        chosen = [features] if isinstance(features, str) else list(features)
        if chosen:  # an empty list has always meant every feature
            names = check_features(chosen, X_reference, frame_name="X_reference")
    numeric = [c for c in names if _is_numeric(X_reference[c])]
    values = X_reference[numeric].to_numpy(dtype=float)
    mad = np.median(np.abs(values - np.median(values, axis=0)), axis=0)
    return pd.Series(np.where(mad > 0, mad, 1.0), index=numeric, name="MAD")


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def band_scales(X_reference: pd.DataFrame, ordered: Mapping[str, Sequence] | None) -> dict[str, tuple[dict, float]]:
    """Ordered categorical features: each category's band rank and the scale of one step.

    ``ordered`` maps a categorical feature to its categories from lowest to highest band (every
    category of ``X_reference`` must be listed). The scale is the MAD of the rank in ``X_reference``
    (0 replaced by 1), as for a numeric feature: a move of ``s`` bands costs ``s / scale``.
    """
    out: dict[str, tuple[dict, float]] = {}
    if not ordered:
        return out
    if not isinstance(ordered, Mapping):
        raise TypeError("ordered must be a dict feature -> categories from the lowest band to the highest")
    _check_names(list(ordered), list(X_reference.columns), "ordered")
    for feature, bands in ordered.items():
        if _is_numeric(X_reference[feature]):
            raise ValueError(f"ordered[{feature!r}]: {feature!r} is numeric; only categorical features take bands")
        bands = [bands] if isinstance(bands, str) else list(bands)
        missing = sorted(map(str, set(X_reference[feature].astype(object)) - set(bands)))
        repeats = len(set(bands)) != len(bands)
        if missing or repeats:
            raise ValueError(f"ordered[{feature!r}] must list each category once, from the lowest band to the "
                             f"highest; missing {missing}" + (", with repeats" if repeats else ""))
        rank = {band: float(k) for k, band in enumerate(bands)}
        values = X_reference[feature].map(rank).to_numpy(dtype=float)
        mad = float(np.median(np.abs(values - np.median(values))))
        out[feature] = (rank, mad if mad > 0 else 1.0)
    return out


def distance_matrix(A: pd.DataFrame, B: pd.DataFrame, X_reference: pd.DataFrame, *,
                    ordered: Mapping[str, Sequence] | None = None) -> np.ndarray:
    """The cost's distance between every row of ``A`` and every row of ``B`` (``len(A) x len(B)``).

    L1 distance on numeric features divided by their MAD in ``X_reference`` (Wachter et al. 2017),
    plus one for each categorical feature whose values differ; an ordered one (``ordered``, see
    :func:`band_scales`) costs its band steps divided by their scale instead.
    """
    mad = mad_scales(X_reference)
    bands = band_scales(X_reference, ordered)
    A, B = (check_like_reference(frame, X_reference, name=name) for name, frame in (("A", A), ("B", B)))
    check_memory(2 * 8.0 * len(A) * len(B), what=f"a {len(A):,} x {len(B):,} distance matrix",
                 knob="the number of rows of A or B")
    out = np.zeros((len(A), len(B)))
    for column in X_reference.columns:
        a, b = A[column].to_numpy(), B[column].to_numpy()
        if column in mad.index:
            out += np.abs(a.astype(float)[:, None] - b.astype(float)[None, :]) / mad[column]
        elif column in bands:
            rank, scale = bands[column]
            ra, rb = (np.array([rank.get(v, np.nan) for v in values]) for values in (a, b))
            if np.isnan(ra).any() or np.isnan(rb).any():
                raise ValueError(f"a value of {column!r} is not among the bands listed in ordered[{column!r}]")
            out += np.abs(ra[:, None] - rb[None, :]) / scale
        else:
            out += (a[:, None] != b[None, :])
    return out


# ------------------------------------------------------------------------------ the search space
class _Reference:
    """What the search needs from ``X_reference``, computed once: kinds, scales, ranges, values."""

    def __init__(self, X_reference: pd.DataFrame):
        self.columns = list(X_reference.columns)
        self.numeric = np.array([_is_numeric(X_reference[c]) for c in self.columns])
        self.integer = np.array([self.numeric[j] and pd.api.types.is_integer_dtype(X_reference[c])
                                 for j, c in enumerate(self.columns)])
        mad = mad_scales(X_reference)
        self.scale = np.array([mad[c] if self.numeric[j] else 1.0 for j, c in enumerate(self.columns)])
        self.low, self.high, self.quantiles, self.seen = {}, {}, {}, {}
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                values = X_reference[c].to_numpy(dtype=float)
                self.low[j], self.high[j] = values.min(), values.max()
                self.quantiles[j] = np.quantile(values, np.linspace(0, 1, GRID_SIZE))
            else:
                self.seen[j] = list(pd.unique(X_reference[c].astype(object)))


class _Space:
    """Every feature coded as a float: numbers as they are, categories as codes into a list.

    Holds what the search may do with each feature (frozen or not, bounds, allowed codes, monotone
    direction) and turns coded rows back into DataFrames for the model.
    """

    def __init__(self, x: pd.DataFrame, X_reference: pd.DataFrame | _Reference, vary: list[str],
                 ranges: dict[str, Any], monotone: dict[str, str], bands: dict | None = None):
        # ordered bands (band_scales) are coded by rank and costed like numbers: |rank difference| / scale
        self.bands = bands or {}
        self.ordinal = np.array([c in self.bands for c in x.columns])
        ref = X_reference if isinstance(X_reference, _Reference) else _Reference(X_reference)
        self.columns = list(x.columns)
        self.dtypes = x.dtypes
        m = len(self.columns)
        self.numeric, self.scale = ref.numeric, ref.scale
        row = x.iloc[0]
        self.original = row                                # x's own values, restored bit for bit
        # whole steps only for a feature stored as integers whose value in x is whole
        self.integer = np.array([ref.integer[j] and float(row[c]) == np.round(float(row[c]))
                                 for j, c in enumerate(self.columns)])
        # a float32 (float16) feature takes values of its own precision: searched rows are snapped to it
        self.narrow = {j: x[c].dtype for j, c in enumerate(self.columns)
                       if self.numeric[j] and pd.api.types.is_float_dtype(x[c]) and x[c].dtype.itemsize < 8}
        self.vary = np.array([c in vary for c in self.columns])
        self.categories: dict[int, np.ndarray] = {}
        self.x = np.zeros(m)
        self.lower = np.full(m, -np.inf)
        self.upper = np.full(m, np.inf)
        self.allowed: dict[int, np.ndarray] = {}          # allowed codes of categorical features
        self.direction = np.zeros(m)                       # +1 increase only, -1 decrease only
        self.grid: dict[int, np.ndarray] = {}
        for j, c in enumerate(self.columns):
            value = row[c]
            if self.numeric[j]:
                self.x[j] = float(value)
                low, high = ranges.get(c, (min(ref.low[j], self.x[j]), max(ref.high[j], self.x[j])))
                self.lower[j], self.upper[j] = float(low), float(high)
                self.direction[j] = {"increase": 1, "decrease": -1}.get(monotone.get(c, ""), 0)
                if self.direction[j] > 0:
                    self.lower[j] = self.x[j]
                elif self.direction[j] < 0:
                    self.upper[j] = self.x[j]
                self._tighten(j)
                if self.vary[j]:
                    grid = np.clip(np.r_[ref.quantiles[j], self.lower[j], self.upper[j]], self.lower[j], self.upper[j])
                    grid = self._representable(j, grid)
                    grid = grid[(grid >= self.lower[j]) & (grid <= self.upper[j])]
                    self.grid[j] = np.unique(grid[np.isfinite(grid) & (grid != self.x[j])])
            else:
                seen = ref.seen[j]
                cats = seen + ([value] if value not in seen else [])
                if c in self.bands:
                    rank, scale = self.bands[c]
                    self.scale = self.scale.copy()      # ref's scales are shared; this one is the bands'
                    self.scale[j] = scale
                    if value not in rank:
                        raise ValueError(f"x's {c!r} = {value!r} is not among the bands listed in ordered[{c!r}]")
                    cats = sorted(rank, key=rank.get)
                self.categories[j] = np.array(cats, dtype=object)
                self.x[j] = float(cats.index(value))
                allowed = ranges.get(c, seen)
                codes = np.array([cats.index(v) for v in allowed], dtype=float)
                self.allowed[j] = np.unique(np.r_[codes, self.x[j]])
                if self.vary[j]:
                    self.grid[j] = codes[codes != self.x[j]]

    # -- values a feature can hold
    def _tighten(self, j: int) -> None:
        """Bounds of an integer feature to whole numbers, of a float32 one to float32 numbers inside."""
        if self.integer[j]:
            self.lower[j], self.upper[j] = np.ceil(self.lower[j]), np.floor(self.upper[j])
        elif j in self.narrow:
            dtype = self.narrow[j].type
            low, high = dtype(self.lower[j]), dtype(self.upper[j])
            if float(low) < self.lower[j]:
                low = np.nextafter(low, dtype(np.inf))
            if float(high) > self.upper[j]:
                high = np.nextafter(high, dtype(-np.inf))
            self.lower[j], self.upper[j] = float(low), float(high)

    def _representable(self, j, values: np.ndarray) -> np.ndarray:
        """``values`` of feature(s) ``j`` as the column stores them: whole for integers, float32 for float32."""
        values = np.asarray(values, dtype=float)
        j = np.broadcast_to(np.asarray(j), values.shape)
        out = np.where(self.integer[j], np.round(values), values)
        for k, dtype in self.narrow.items():
            out = np.where(j == k, out.astype(dtype).astype(float), out)
        return out

    def snap(self, Z: np.ndarray) -> np.ndarray:
        """Rows with every numeric value representable in its column (what the model will see)."""
        Z = Z.copy()
        for j in np.flatnonzero(self.numeric):
            Z[:, j] = self._representable(j, Z[:, j])
        return Z

    # -- coded rows <-> DataFrames
    def decode(self, Z: np.ndarray) -> pd.DataFrame:
        """Coded rows as a DataFrame with x's dtypes; a feature left at x's value gets x's own value,
        bit for bit (no round trip through float64)."""
        data = {}
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                column = Z[:, j]
                column = (np.round(column) if self.integer[j] else column).astype(self.dtypes[c])
                same = Z[:, j] == self.x[j]
                if same.any():
                    column[same] = self.original[c]
                data[c] = column
            else:
                data[c] = self.categories[j][Z[:, j].astype(int)]
        frame = pd.DataFrame(data, columns=self.columns)
        for c in self.columns:          # keep string/category dtypes as in x
            if frame[c].dtype != self.dtypes[c]:
                frame[c] = frame[c].astype(self.dtypes[c])
        return frame

    @property
    def metric(self) -> np.ndarray:
        """Features costed by distance (numeric, ordered bands) rather than by 1 per change."""
        return self.numeric | self.ordinal

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of a DataFrame with x's columns as coded rows (categories x has never seen: -1)."""
        Z = np.empty((len(frame), len(self.columns)))
        for j, c in enumerate(self.columns):
            if self.numeric[j]:
                Z[:, j] = frame[c].to_numpy(dtype=float)
            else:
                codes = {v: k for k, v in enumerate(self.categories[j])}
                Z[:, j] = [codes.get(v, -1) for v in frame[c].astype(object)]
        return Z

    def project(self, Z: np.ndarray) -> np.ndarray:
        """Rows moved onto the constraints: frozen features reset to x, numeric values clipped to the
        permitted range and monotone direction, categories that are not allowed reset to x's."""
        Z = Z.copy()
        for j in range(len(self.columns)):
            if not self.vary[j]:
                Z[:, j] = self.x[j]
            elif self.numeric[j]:
                Z[:, j] = np.clip(self._representable(j, Z[:, j]), self.lower[j], self.upper[j])
            else:
                Z[:, j] = np.where(np.isin(Z[:, j], self.allowed[j]), Z[:, j], self.x[j])
        return Z

    def cost(self, Z: np.ndarray) -> np.ndarray:
        diff = np.abs(Z - self.x)
        return np.where(self.metric, diff / self.scale, diff > 0).sum(axis=1)

    def n_changed(self, Z: np.ndarray) -> np.ndarray:
        return (Z != self.x).sum(axis=1)

    def pairwise(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        diff = np.abs(A[:, None, :] - B[None, :, :])
        return np.where(self.metric, diff / self.scale, diff > 0).sum(axis=2)

    def satisfies(self, Z: np.ndarray) -> np.ndarray:
        """Does each coded row respect every constraint (frozen features, ranges, directions, categories)?"""
        ok = np.ones(len(Z), dtype=bool)
        for j in range(len(self.columns)):
            z = Z[:, j]
            if not self.vary[j]:
                ok &= z == self.x[j]
            elif self.numeric[j]:
                ok &= (z >= self.lower[j]) & (z <= self.upper[j])
                ok &= z == self._representable(j, z)
            else:
                ok &= np.isin(z, self.allowed[j])
        return ok

    def toward(self, start, end, t, j) -> np.ndarray:
        """Features ``j`` at fraction ``t`` of the way from ``start`` to ``end`` (integers rounded
        outwards, float32 values snapped outwards); exactly ``end`` at ``t = 1``."""
        value = start + t * (end - start)
        outward = np.where(end >= start, np.ceil(value - 1e-9), np.floor(value + 1e-9))
        value = np.where(self.integer[j], outward, value)
        for k, dtype in self.narrow.items():
            mine = np.broadcast_to(j == k, value.shape)
            if mine.any():
                near = value.astype(dtype)
                step = np.nextafter(near, np.where(end >= start, np.inf, -np.inf).astype(dtype))
                short = np.where(end >= start, near.astype(float) < value, near.astype(float) > value)
                value = np.where(mine, np.where(short, step, near).astype(float), value)
        value = np.where(t >= 1, end, np.where(t <= 0, start, value))
        return value


class _Target:
    """The model's probability of the desired class and its decision: is a row predicted as it?

    The decision is the model's own: ``model.predict`` for a fitted classifier (so a classifier
    with a threshold of its own, such as scikit-learn's ``FixedThresholdClassifier``, is obeyed),
    the larger probability for a prediction function ``f`` (class 1 when ``f > 0.5``). With
    ``min_probability`` a row is valid only if the probability of the desired class is also at
    least that much (the margin of DiCE's ``stopping_threshold``).
    """

    def __init__(self, model: Any, x: pd.DataFrame, desired_class: Any, min_probability: float | None = None):
        self._predict = None
        if hasattr(model, "predict") or hasattr(model, "predict_proba"):
            check_fitted_model(model)
            if not hasattr(model, "predict_proba"):
                raise ValueError(f"model ({type(model).__name__}) has no predict_proba; counterfactuals "
                                 "need class probabilities (use a probabilistic classifier)")
            # x is already in X_reference's column order (_check_x): a column order unlike the model's is X_reference's
            check_columns_match(model, x, name="X_reference")
            check_model_input(model, x, name="x")  # columns, and categories the model knows
            classes = list(getattr(model, "classes_", []))
            if not classes:
                raise ValueError("model has no classes_ attribute; is it a fitted classifier?")
            self._proba = lambda X: check_probabilities(model.predict_proba(X), len(X), name="model.predict_proba",
                                                        n_columns=len(classes))
            self._predict = getattr(model, "predict", None)
        else:
            f = as_prediction_function(model)
            check_probability_scale(f)
            classes = [0, 1]

            def proba(X: pd.DataFrame) -> np.ndarray:
                return _two_columns(check_probabilities(f(X), len(X), name="model (a prediction function)"))

            self._proba = proba
        classes = [c.item() if isinstance(c, np.generic) else c for c in classes]
        self.classes = classes
        self.min_probability = min_probability
        self.exact = self._predict is not None       # ask predict during the search (see calibrate)
        self.x_proba = self._proba(x)[0]
        current = self._decide(x, self.x_proba[None, :])[0]
        if desired_class is None:
            if len(classes) != 2:
                raise ValueError(f"the model has {len(classes)} classes {classes}; name desired_class")
            desired_class = classes[1 - classes.index(current)]
        if desired_class not in classes:
            raise ValueError(f"desired_class {desired_class!r} is not one of the model's classes {classes}")
        self.desired = desired_class
        self.index = classes.index(desired_class)
        self.x_margin = float(self._margin(self.x_proba[None, :])[0])
        self.current = current
        # the margin (log-odds) where the decision flips, as far as seen: the greedy search climbs past it
        floor = 0.0
        if min_probability is not None and len(classes) == 2:
            floor = float(np.log(min_probability) - np.log1p(-min_probability))
        self.boundary = max(floor, self.x_margin)
        self.n_calls = 0

    def _decide(self, X: pd.DataFrame, P: np.ndarray, exact: bool = True) -> list:
        if self._predict is not None and exact:
            labels = np.asarray(self._predict(X))
            return [c.item() if isinstance(c, np.generic) else c for c in labels]
        return [self.classes[k] for k in np.argmax(P, axis=1)]

    def _margin(self, P: np.ndarray) -> np.ndarray:
        p = P[:, self.index]
        others = np.delete(P, self.index, axis=1).max(axis=1)
        return np.log(np.clip(p, 1e-12, 1)) - np.log(np.clip(others, 1e-12, 1))

    def calibrate(self, X: pd.DataFrame) -> np.ndarray:
        """Validity of the rows ``X`` by the model's own decision; afterwards the search skips
        ``predict`` if it was the largest probability on every one of them (one model call per
        batch then). Reported rows are always checked with ``predict``."""
        return self(X, exact=True, calibrate=True)[1]

    def __call__(self, X: pd.DataFrame, exact: bool = False,
                 calibrate: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probability of the desired class, validity and margin (log-odds of desired vs the best other).

        ``exact=True`` always asks the model's ``predict`` (the final check of reported rows).
        """
        P = self._proba(X)
        labels = self._decide(X, P, exact or self.exact)
        if calibrate and self._predict is not None:
            self.exact = labels != self._decide(X, P, exact=False)
        return self._validity(P, labels)

    def _validity(self, P: np.ndarray, labels: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.n_calls += 1
        p = P[:, self.index]
        valid = np.array([c == self.desired for c in labels], dtype=bool)
        if self.min_probability is not None:
            valid &= p >= self.min_probability
        margin = self._margin(P)
        if (~valid).any():
            self.boundary = max(self.boundary, float(margin[~valid].max()))
        return p, valid, margin


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


# ------------------------------------------------------------------------------ validation
def _check_x(x: Any, X_reference: pd.DataFrame, *, name: str = "x", one_row: bool = True) -> pd.DataFrame:
    if isinstance(x, pd.Series):
        x = x.to_frame().T.infer_objects()
    x = check_frame(x, name=name)
    if one_row and len(x) != 1:
        raise ValueError(f"x must be one row (a one-row DataFrame or a Series), got {len(x)} rows; "
                         "call counterfactuals once per row")
    missing = [c for c in X_reference.columns if c not in x.columns]
    extra = [c for c in x.columns if c not in X_reference.columns]
    if missing or extra:
        raise ValueError(f"{name}'s columns do not match X_reference's: missing {missing}, unexpected {extra}")
    x = x[list(X_reference.columns)]
    inf = [c for c in x.columns if _is_numeric(x[c]) and not np.isfinite(x[c].to_numpy(dtype=float)).all()]
    if inf:
        raise ValueError(f"{name} contains infinite values in columns {inf}")
    for c in x.columns:
        if _is_numeric(X_reference[c]) != _is_numeric(x[c]):
            raise ValueError(f"column {c!r} is numeric in one of {name} and X_reference and not in the other")
    return x


def _check_names(names: Any, columns: list[str], argument: str) -> list[str]:
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown} in {argument}; the features are {columns}")
    return names


def _check_constraints(x: pd.DataFrame, X_reference: pd.DataFrame, features_to_vary, permitted_range,
                       monotone) -> tuple[list[str], dict, dict]:
    columns = list(X_reference.columns)
    if features_to_vary is None:
        vary = columns
    else:
        vary = _check_names(features_to_vary, columns, "features_to_vary")
        if not vary:
            raise ValueError("features_to_vary is empty: with nothing allowed to change there is no counterfactual")
    ranges: dict[str, Any] = {}
    if permitted_range is not None:
        if not isinstance(permitted_range, Mapping):
            raise TypeError("permitted_range must be a dict feature -> (low, high) or feature -> categories")
        _check_names(list(permitted_range), columns, "permitted_range")
        for feature, spec in permitted_range.items():
            if feature not in vary:
                raise ValueError(f"permitted_range names {feature!r}, which is not in features_to_vary; "
                                 "a frozen feature cannot move, so a range for it is a contradiction")
            value = x[feature].iloc[0]
            if _is_numeric(X_reference[feature]):
                if isinstance(spec, str) or not hasattr(spec, "__len__") or len(spec) != 2:
                    raise ValueError(f"permitted_range[{feature!r}] must be (low, high), got {spec!r}")
                try:
                    low, high = (float(v) for v in spec)
                except (TypeError, ValueError):
                    raise TypeError(f"permitted_range[{feature!r}] must be two numbers (low, high), "
                                    f"got {spec!r}") from None
                if np.isnan(low) or np.isnan(high) or low > high:
                    raise ValueError(f"permitted_range[{feature!r}] = {spec!r} is not a range (low <= high)")
                if not low <= float(value) <= high:
                    raise ValueError(f"permitted_range[{feature!r}] = {spec!r} excludes x's own value {value!r}; "
                                     "the range is where the feature may move from where the person is")
                ranges[feature] = (low, high)
            else:
                allowed = [spec] if isinstance(spec, str) else list(spec)
                known = set(X_reference[feature].astype(object)) | {value}
                unknown = [v for v in allowed if v not in known]
                if unknown:
                    raise ValueError(f"unknown categories {unknown} for {feature!r} in permitted_range; "
                                     f"known: {sorted(map(str, known))}")
                ranges[feature] = allowed
    directions: dict[str, str] = {}
    if monotone is not None:
        if not isinstance(monotone, Mapping):
            raise TypeError('monotone must be a dict feature -> "increase" or "decrease"')
        _check_names(list(monotone), columns, "monotone")
        for feature, direction in monotone.items():
            if direction not in ("increase", "decrease"):
                raise ValueError(f'monotone[{feature!r}] must be "increase" or "decrease", got {direction!r}')
            if not _is_numeric(X_reference[feature]):
                raise ValueError(f"monotone[{feature!r}]: only numeric features have a direction; restrict a "
                                 "categorical feature with permitted_range instead")
            if feature not in vary:
                raise ValueError(f"monotone names {feature!r}, which is not in features_to_vary (a frozen "
                                 "feature cannot move in any direction)")
            directions[feature] = direction
    return vary, ranges, directions


# ------------------------------------------------------------------------------ the search
def _neighbours(space: _Space, Z0: np.ndarray, banned: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """All single-feature moves from the row ``Z0`` to grid values: rows and the feature moved."""
    rows, moved = [], []
    for j, values in space.grid.items():
        if j in banned or len(values) == 0:
            continue
        block = np.repeat(Z0[None, :], len(values), axis=0)
        block[:, j] = values
        rows.append(block)
        moved.append(np.full(len(values), j))
    if not rows:
        return np.empty((0, len(Z0))), np.empty(0, dtype=int)
    return np.vstack(rows), np.concatenate(moved)


def _path_starts(space: _Space, moves: tuple, x_margin: float, need: float, n_paths: int) -> list[int]:
    """First moves of the greedy paths: the best move, then the best on another feature, and so on."""
    neighbours, moved, (_, _, margin) = moves
    score = _scores(space, neighbours, margin, x_margin, need, 0.0)
    starts, banned = [], set()
    for _ in range(n_paths):
        allowed = np.flatnonzero(np.isfinite(score) & ~np.isin(moved, list(banned)))
        if not len(allowed):
            break
        best = int(allowed[np.argmax(score[allowed])])
        starts.append(best)
        banned.add(int(moved[best]))
    return starts


def _scores(space: _Space, cand: np.ndarray, cand_margin: np.ndarray, z_margin, need, z_cost) -> np.ndarray:
    """Gain in log-odds towards the boundary (capped at what is still missing) per unit of extra cost."""
    gain = np.minimum(cand_margin - z_margin, np.maximum(need, 0) + 1e-3)
    extra = space.cost(cand) - z_cost
    return np.where((extra > 1e-12) & (gain > 0), gain / np.maximum(extra, 1e-12), -np.inf)


def _greedy_paths(space: _Space, target: _Target, moves: tuple, x_margin: float, n_paths: int) -> list[np.ndarray]:
    """Steepest ascent of the desired class's log-odds per unit cost, all paths at once.

    Path ``r`` starts with the best first move on a feature none of the paths before it started
    with (diversity by construction); every valid row met on the way is a candidate.
    """
    neighbours, _, (_, first_valid, first_margin) = moves
    starts = _path_starts(space, moves, x_margin, target.boundary - x_margin, n_paths)
    # each path: its current row, whether it is valid and its margin (known from the call that made it)
    paths = [(neighbours[s].copy(), bool(first_valid[s]), float(first_margin[s])) for s in starts]
    found = []
    for _ in range(MAX_STEPS - 1):
        found += [z for z, valid, _ in paths if valid]
        live = [(z, margin) for z, valid, margin in paths if not valid]
        if not live:
            break
        blocks = [_neighbours(space, z, set()) for z, _ in live]
        cand = np.vstack([b[0] for b in blocks])
        owner = np.concatenate([np.full(len(b[0]), k) for k, b in enumerate(blocks)])
        _, cand_valid, cand_margin = target(space.decode(cand))
        found += list(cand[cand_valid])
        paths = []
        for k, (z, margin) in enumerate(live):
            mine = np.flatnonzero(owner == k)
            score = _scores(space, cand[mine], cand_margin[mine], margin, target.boundary - margin,
                            space.cost(z[None, :])[0])
            if np.isfinite(score).any():
                best = mine[int(np.argmax(score))]
                paths.append((cand[best].copy(), bool(cand_valid[best]), float(cand_margin[best])))
    found += [z for z, valid, _ in paths if valid]
    return found


def _random_candidates(space: _Space, X_reference: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Sparse random rows: 1 to MAX_RANDOM_CHANGES features take values drawn from the reference data."""
    movable = [j for j, g in space.grid.items() if len(g)]
    if not movable:
        return np.empty((0, len(space.x)))
    Z = np.repeat(space.x[None, :], N_RANDOM, axis=0)
    k = rng.integers(1, min(MAX_RANDOM_CHANGES, len(movable)) + 1, size=N_RANDOM)
    ranks = rng.random((N_RANDOM, len(movable))).argsort(axis=1).argsort(axis=1)
    for j_pos, j in enumerate(movable):
        chosen = ranks[:, j_pos] < k                   # the k features first in a random order
        if not chosen.any():
            continue
        column = space.columns[j]
        if space.numeric[j]:
            ref = X_reference[column].to_numpy(dtype=float)
            pick = ref[rng.integers(0, len(ref), size=chosen.sum())]
            pick = np.clip(space._representable(j, pick), space.lower[j], space.upper[j])
        else:
            pick = rng.choice(space.grid[j], size=chosen.sum())
        Z[chosen, j] = pick
    return Z


def _shortest(target: _Target, space: _Space, base: np.ndarray, build) -> np.ndarray:
    """For each row of ``base``, the smallest fraction ``t`` in (0, 1] whose row ``build(base, t)``
    stays valid: a grid of ``SHRINK_POINTS`` fractions, then a finer one inside the first gap
    (two model calls for all rows). Returns 1 where no shorter fraction is valid."""
    n = len(base)
    lo, hi = np.zeros(n), np.ones(n)   # too short / long enough
    for _ in range(2):
        t = lo[:, None] + (hi - lo)[:, None] * np.linspace(0, 1, SHRINK_POINTS + 2)[None, 1:-1]
        trial = build(np.repeat(base, SHRINK_POINTS, axis=0), t.reshape(-1), np.repeat(np.arange(n), SHRINK_POINTS))
        _, valid, _ = target(space.decode(trial))
        valid = valid.reshape(n, SHRINK_POINTS)
        any_valid = valid.any(axis=1)
        first = np.argmax(valid, axis=1)
        picked = t[np.arange(n), first]
        before = np.where(first > 0, t[np.arange(n), np.maximum(first - 1, 0)], lo)
        lo, hi = np.where(any_valid, before, t[:, -1]), np.where(any_valid, picked, hi)
    return hi


def _shorten_jointly(space: _Space, target: _Target, Z: np.ndarray) -> np.ndarray:
    """A multi-feature move: all numeric changes of each row go back towards ``x`` by the same
    fraction, the smallest that keeps the row valid (for rows found far away, such as projected
    reference rows, which change many features at once)."""
    Z = Z.copy()
    cols = np.flatnonzero(space.numeric & space.vary)
    rows = np.flatnonzero((Z[:, cols] != space.x[cols]).any(axis=1))
    if not len(rows):
        return Z

    def build(base, t, _owner):
        trial = base.copy()
        trial[:, cols] = space.toward(space.x[cols], base[:, cols], t[:, None], cols)
        return trial

    Z[rows] = build(Z[rows], _shortest(target, space, Z[rows], build), None)
    return Z


def _minimise(space: _Space, target: _Target, Z: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Undo unneeded changes and shorten numeric ones, keeping every row valid (batched over rows).

    ``efficiency`` (log-odds gained per unit of cost by each feature's best
    single move from ``x``) sets the order of the rest: the least efficient changes are undone or
    shortened first.
    """
    Z = Z.copy()
    order = np.argsort(efficiency, kind="stable")
    movable = space.numeric & space.vary

    def undo_pass():
        while True:                      # per row, undo the most expensive change that is not needed
            changed = (Z != space.x) & space.vary
            rows, cols = np.nonzero(changed)
            if not len(rows):
                return
            trial = Z[rows].copy()
            trial[np.arange(len(rows)), cols] = space.x[cols]
            _, valid, _ = target(space.decode(trial))
            if not valid.any():
                return
            part = np.where(space.metric[cols], np.abs(Z[rows, cols] - space.x[cols]) / space.scale[cols], 1.0)
            saving = np.where(valid, part, -np.inf)
            best = pd.Series(saving).groupby(rows).idxmax()
            best = best[np.isfinite(saving[best.to_numpy()])].to_numpy()
            Z[rows[best], cols[best]] = space.x[cols[best]]

    def shrink_pass():
        # Round k shortens, in every row at once, that row's k-th changed numeric feature (least
        # efficient first): two model calls per round however many features the rows change.
        rank = np.empty(len(order), dtype=int)
        rank[order] = np.arange(len(order))
        for k in range(int(movable.sum())):
            changed = (Z != space.x) & movable
            keys = np.where(changed, rank[None, :], len(order))
            keys.sort(axis=1)
            has = keys[:, k] < len(order) if k < keys.shape[1] else np.zeros(len(Z), dtype=bool)
            if not has.any():
                break
            rows = np.flatnonzero(has)
            cols = order[keys[rows, k]]

            def build(base, t, owner, cols=cols):
                trial = base.copy()
                c = cols[owner]
                trial[np.arange(len(trial)), c] = space.toward(space.x[c], base[np.arange(len(trial)), c], t, c)
                return trial

            hi = _shortest(target, space, Z[rows], build)
            Z[rows] = build(Z[rows], hi, np.arange(len(rows)))

    undo_pass()
    shrink_pass()
    undo_pass()
    return Z


def _unique_rows(Z: np.ndarray) -> np.ndarray:
    """Distinct rows, values untouched: rounding here once moved every feature of a continuous x
    off its value (frozen features then "changed", and every row failed the constraint check)."""
    if not len(Z):
        return Z
    return np.unique(Z, axis=0)


def _select(space: _Space, Z: np.ndarray, n: int) -> np.ndarray:
    """Positions of the chosen rows of ``Z``: distinct options first, cheapest first, then greedily
    by diversity.

    Two rows are the same *option* when they change the same features, numeric ones in the same
    direction and categorical ones to the same category (a loan of 930 DM and one of 931 DM are
    one option). Only the cheapest row of each option competes at first: the cheapest is chosen,
    then each next one minimises its cost minus ``DIVERSITY_WEIGHT`` times its distance to the
    nearest one already chosen. Only if there are fewer options than ``n`` are other rows added, by
    the same rule, and only rows at least ``MIN_DISTANCE`` from every chosen one (never a variant
    that differs by a few DM).
    """
    cost = space.cost(Z)
    key = np.where(space.numeric, np.sign(Z - space.x), Z)
    order = np.argsort(cost, kind="stable")
    _, first = np.unique(key[order], axis=0, return_index=True)
    options = np.sort(order[first])
    chosen = [int(options[np.argmin(cost[options])])]
    for candidates in (options, np.arange(len(Z))):   # options first; then any distinct row
        while len(chosen) < n:
            free = candidates[~np.isin(candidates, chosen)]
            if not len(free):
                break
            nearest = space.pairwise(Z[free], Z[chosen]).min(axis=1)
            score = np.where(nearest >= MIN_DISTANCE, cost[free] - DIVERSITY_WEIGHT * nearest, np.inf)
            if not np.isfinite(score).any():
                break
            chosen.append(int(free[np.argmin(score)]))
    chosen = np.array(chosen, dtype=int)
    return chosen[np.argsort(cost[chosen], kind="stable")]


def _lattice(space: _Space) -> np.ndarray:
    """Every combination of allowed values of the features free to change, when there are at most
    ``LATTICE_ROWS``: every allowed category, and for a numeric feature ``k`` evenly spaced values
    from its lowest to its highest permitted value (plus x's own), ``k`` the largest of 33, 17, 9,
    5, 3, 2 that fits. (Each ``k`` contains the values of the smaller ones, so a grid of 2, 3, 5, 9
    or 17 evenly spaced values is always a subset.) An exhaustive search of a small space: when a
    valid row exists on this grid, the search cannot miss it. Empty when the space is too big.
    """
    free = np.flatnonzero(space.vary)
    categorical = {j: space.allowed[j] for j in free if not space.numeric[j]}
    numeric = [j for j in free if space.numeric[j] and space.upper[j] > space.lower[j]]
    size = int(np.prod([len(v) for v in categorical.values()], dtype=float)) if categorical else 1
    for k in (33, 17, 9, 5, 3, 2):
        levels = {j: np.unique(np.r_[space._representable(j, np.linspace(space.lower[j], space.upper[j], k)),
                                     space.x[j]]) for j in numeric}
        if size * np.prod([len(v) for v in levels.values()], dtype=float) <= LATTICE_ROWS:
            break
    else:
        return np.empty((0, len(space.x)))
    axes = {**categorical, **levels}
    if not axes:
        return np.empty((0, len(space.x)))
    grid = np.meshgrid(*axes.values(), indexing="ij")
    Z = np.repeat(space.x[None, :], grid[0].size, axis=0)
    for j, values in zip(axes, grid):
        Z[:, j] = values.reshape(-1)
    return Z[space.n_changed(Z) > 0]


def _reference_candidates(space: _Space, X_reference: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The reference rows (at most ``MAX_REFERENCE``, a seeded sample) moved onto the constraints."""
    if len(X_reference) > MAX_REFERENCE:
        X_reference = X_reference.iloc[np.sort(rng.choice(len(X_reference), MAX_REFERENCE, replace=False))]
    Z = _unique_rows(space.project(space.encode(X_reference)))
    return Z[space.n_changed(Z) > 0]


def counterfactuals(model, x, X_reference, *, desired_class=None, n_counterfactuals: int = 4,
                    features_to_vary=None, permitted_range=None, monotone=None, min_probability=None,
                    random_state=0, ordered=None) -> CounterfactualResult:
    """Diverse, close, valid counterfactuals for the row ``x`` within actionability constraints.

    ``model`` is a fitted classifier with ``predict_proba`` or a prediction function ``f(X)``
    returning the probability of class 1 (then the classes are 0 and 1). ``x`` is one row (a
    one-row DataFrame or a Series); ``X_reference`` (the training split) defines the scales (MAD),
    the default numeric ranges (its minimum and maximum), the known categories and the values the
    search tries.

    A row is *valid* when the model's own decision is ``desired_class``: ``model.predict`` for a
    classifier (which may have a threshold of its own, as scikit-learn's ``FixedThresholdClassifier``
    or a bank's cut-off), ``f > 0.5`` for class 1 of a prediction function. ``min_probability``
    (default none) asks for a margin as well, as DiCE's ``stopping_threshold`` does: the
    probability of the desired class must also be at least that much, so that a counterfactual
    does not sit at 0.501, where the next refit of the model may flip it back.

    ``desired_class`` defaults to the other class of a binary model. ``features_to_vary`` lists the
    features that may change (default: all); every other feature keeps ``x``'s value exactly.
    ``permitted_range`` maps a numeric feature to ``(low, high)`` (which must contain ``x``'s value)
    or a categorical feature to the categories it may change to. ``monotone`` maps a numeric
    feature to ``"increase"`` or ``"decrease"`` (age can only grow). ``ordered`` maps a categorical
    feature whose categories are ordered bands to its categories, lowest band first
    (:func:`band_scales`). The cost is ``sum |x_j - c_j| / MAD_j`` over numeric features (Wachter et
    al. 2017) plus one per changed categorical feature (band steps over their scale for an ordered
    one); see the module docstring for the cost's sources and the search.

    Returns a :class:`CounterfactualResult` with up to ``n_counterfactuals`` rows, all valid and
    within the constraints, sorted by cost; an empty one (validity 0, with a message) when the
    search finds none.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = _check_x(x, X_reference)
    n_counterfactuals = check_positive_int(n_counterfactuals, name="n_counterfactuals")
    check_random_state(random_state)
    if min_probability is not None:
        min_probability = check_number(min_probability, name="min_probability", low=0, high=1,
                                       low_open=True, high_open=True)
    vary, ranges, directions = _check_constraints(x, X_reference, features_to_vary, permitted_range, monotone)
    target = _Target(model, x, desired_class, min_probability)
    if target.current == target.desired:
        raise AlreadyDesiredError(f"x is already predicted as desired_class {target.desired!r}; a counterfactual "
                                  "must change the prediction (pick another desired_class)")
    rng = as_generator(random_state)
    space = _Space(x, X_reference, vary, ranges, directions, band_scales(X_reference, ordered))

    # 1. candidates: reference rows moved onto the constraints, the lattice of a small space,
    #    single moves, greedy paths, random sparse rows
    width = len(space.x)
    broad, pool = [], []
    projected = _reference_candidates(space, X_reference, rng)
    if len(projected):
        broad.append(projected[target.calibrate(space.decode(projected))])
    lattice = _lattice(space)
    if len(lattice):
        broad.append(lattice[target(space.decode(lattice))[1]])
    neighbours, moved = _neighbours(space, space.x, set())
    x_margin = target.x_margin
    efficiency = np.zeros(width)
    if len(neighbours):
        moves = (neighbours, moved, target(space.decode(neighbours)))
        pool.append(neighbours[moves[2][1]])
        score = _scores(space, neighbours, moves[2][2], x_margin, target.boundary - x_margin, 0.0)
        for j in range(width):
            mine = score[moved == j]
            efficiency[j] = mine[np.isfinite(mine)].max() if np.isfinite(mine).any() else 0.0
        pool += _greedy_paths(space, target, moves, x_margin, max(2 * n_counterfactuals, 6))
    randoms = _random_candidates(space, X_reference, rng)
    if len(randoms):
        pool.append(randoms[target(space.decode(randoms))[1]])

    # 2. minimise the cheapest candidates: first the search's (single moves, paths, random rows);
    #    then the broad ones (projected reference rows, the lattice), shortened jointly, of which
    #    those that already beat the n-th cheapest so far (or all, if fewer than n were found)
    def cheapest(Z: np.ndarray, size: int) -> np.ndarray:
        return Z[np.argsort(space.cost(Z), kind="stable")[:size]]

    Z = _unique_rows(np.vstack(pool)) if pool else np.empty((0, width))
    if len(Z):
        Z = _unique_rows(_minimise(space, target, cheapest(Z, 2 * MAX_POOL), efficiency))
    B = _unique_rows(np.vstack(broad)) if broad else np.empty((0, width))
    if len(B):
        B = cheapest(_shorten_jointly(space, target, cheapest(B, 2 * MAX_BROAD)), 2 * MAX_BROAD)
        bar = np.sort(space.cost(Z))[n_counterfactuals - 1] if len(Z) >= n_counterfactuals else np.inf
        B = B[space.cost(B) < bar][:MAX_BROAD]
        if len(B):
            Z = _unique_rows(np.vstack([Z, _minimise(space, target, B, efficiency)]))
    tried = f"{len(projected)} reference rows moved onto the constraints" + (
        f", every one of the {len(lattice)} combinations of a grid over the free features" if len(lattice) else "")
    return _report(space, target, x, X_reference, Z, n_counterfactuals, vary, tried)


def _report(space: _Space, target: _Target, x: pd.DataFrame, X_reference: pd.DataFrame, Z: np.ndarray,
            n: int, vary: list[str], tried: str = "") -> CounterfactualResult:
    """Check every candidate once more (the model's own decision and every constraint), select,
    and compute the metrics."""
    x_p = float(target.x_proba[target.index])
    message = ""
    p = np.empty(0)
    if len(Z):
        Z = _unique_rows(space.snap(Z))
        p_all, valid, _ = target(space.decode(Z), exact=True)
        keep = valid & space.satisfies(Z) & (space.n_changed(Z) > 0)
        Z, p_all = Z[keep], p_all[keep]
    if len(Z):
        picked = _select(space, Z, n)
        p = p_all[picked]
        Z = Z[picked]
    margin = "" if target.min_probability is None else f" with probability at least {target.min_probability:g}"
    if not len(Z):
        message = (f"No counterfactual reaching class {target.desired!r}{margin} was found within the constraints "
                   f"(features_to_vary: {vary}; tried {tried or 'the search candidates'}, "
                   "single moves, greedy paths and random rows); relax them or accept that this model offers "
                   "no recourse here.")
    elif len(Z) < n:
        message = f"Only {len(Z)} distinct valid counterfactuals of the {n} requested were found."
    cfs = space.decode(Z)
    cfs.index = pd.RangeIndex(len(cfs), name="counterfactual")
    valid = np.ones(len(cfs), dtype=bool)     # every row passed the model and the constraints above
    bands = {c: sorted(rank, key=rank.get) for c, (rank, _) in space.bands.items()}
    metrics = counterfactual_metrics(cfs, x, X_reference, valid=valid, n_requested=n, ordered=bands)
    return CounterfactualResult(
        counterfactuals=cfs, original=x, predictions=p, original_prediction=x_p,
        desired_class=target.desired, cost=space.cost(Z), n_changed=space.n_changed(Z),
        plausibility=(distance_matrix(cfs, X_reference, X_reference, ordered=bands).min(axis=1) if len(cfs) else []),
        validity=metrics["validity"], proximity=metrics["proximity"], sparsity=metrics["sparsity"],
        diversity=metrics["diversity"], n_requested=n, features_to_vary=vary, message=message,
        min_probability=target.min_probability)


# ------------------------------------------------------------------------------ metrics
def counterfactual_metrics(counterfactuals: pd.DataFrame, x: pd.DataFrame, X_reference: pd.DataFrame, *,
                           valid: Sequence[bool], n_requested: int | None = None,
                           ordered=None) -> dict[str, float]:
    """Validity, proximity, sparsity and diversity of any set of counterfactuals (ours or DiCE's).

    ``valid`` says which rows reach the desired class: booleans, one per row (ask the model, e.g.
    ``model.predict(counterfactuals) == desired_class``). Following Mothilal et al. (2020):
    ``validity`` = distinct valid rows / ``n_requested`` (default: the number of rows; it cannot be
    fewer); ``proximity`` = mean distance (:func:`distance_matrix`, ``ordered`` as there) from ``x``;
    ``sparsity`` = mean number of features changed; ``diversity`` = mean pairwise distance.
    Proximity, sparsity and diversity are computed over the distinct valid rows (NaN when there are
    none; diversity NaN with fewer than two). A row equal to ``x`` changes nothing: it is not a
    counterfactual and never counts as valid. The metrics differ from DiCE's in scale, not in kind:
    DiCE averages the distance over the features of each type and reports continuous and
    categorical proximity and diversity apart, and its sparsity is 1 - (features changed / all).
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = _check_x(x, X_reference)
    counterfactuals = check_like_reference(counterfactuals, X_reference, name="counterfactuals")
    valid = _check_flags(valid, len(counterfactuals))
    if n_requested is None:
        n_requested = len(counterfactuals)
    else:
        n_requested = check_positive_int(n_requested, name="n_requested")
        if n_requested < len(counterfactuals):
            raise ValueError(f"n_requested={n_requested} is fewer than the {len(counterfactuals)} counterfactuals "
                             "given; validity is a share of the rows asked for (pass the number you asked for)")
    unchanged = np.array([all(a == b for a, b in zip(row, x.iloc[0]))
                          for row in counterfactuals.itertuples(index=False)], dtype=bool).reshape(len(counterfactuals))
    rows = counterfactuals[valid & ~unchanged].drop_duplicates()
    out = {"validity": len(rows) / n_requested if n_requested else 0.0,
           "proximity": np.nan, "sparsity": np.nan, "diversity": np.nan, "n_valid": len(rows)}
    if len(rows):
        out["proximity"] = float(distance_matrix(rows, x, X_reference, ordered=ordered)[:, 0].mean())
        out["sparsity"] = float((rows.to_numpy() != x.to_numpy()).sum(axis=1).mean())
    if len(rows) > 1:
        d = distance_matrix(rows, rows, X_reference, ordered=ordered)
        out["diversity"] = float(d[np.triu_indices(len(rows), 1)].mean())
    return out


def _check_flags(valid: Any, n: int) -> np.ndarray:
    """``valid`` as a boolean array of length ``n``: booleans, or integers 0 and 1; nothing else."""
    if isinstance(valid, str) or not hasattr(valid, "__len__"):
        raise TypeError(f"valid must be one boolean per counterfactual, got {type(valid).__name__}")
    flags = np.asarray(valid)
    if flags.shape != (n,):
        raise ValueError(f"valid must have one flag per counterfactual ({n}), got shape {flags.shape}")
    if flags.dtype == object and all(isinstance(v, (bool, np.bool_)) for v in flags):
        flags = flags.astype(bool)
    if pd.api.types.is_integer_dtype(flags) and np.isin(flags, (0, 1)).all():
        flags = flags.astype(bool)
    if flags.dtype != bool:
        raise TypeError(f"valid must be booleans (e.g. model.predict(counterfactuals) == desired_class), got "
                        f"values of type {flags.dtype} such as {flags[:3].tolist()}; probabilities or strings "
                        "are not validity flags")
    return flags


# ------------------------------------------------------------------------------ importance, recourse
def counterfactual_importance(model, X, X_reference, *, n_counterfactuals: int = 8,
                              **options) -> CounterfactualImportance:
    """Counterfactual feature importance: how often counterfactuals change each feature.

    For every row of ``X`` (one person: pass a one-row ``X`` and a large ``n_counterfactuals``),
    the share of its counterfactuals that change each feature; the global importance is the mean
    over the rows that got at least one counterfactual (the "necessity" view of Mothilal et al.
    2021). Rows already in ``desired_class`` are skipped. ``options`` go to :func:`counterfactuals`.
    """
    X = check_frame(X, name="X")
    local, n_desired = {}, 0
    for label in X.index:
        try:
            result = counterfactuals(model, X.loc[[label]], X_reference, n_counterfactuals=n_counterfactuals,
                                     **options)
        except AlreadyDesiredError:
            n_desired += 1              # already in the desired class: nothing has to change
            continue
        if len(result):
            local[label] = result.feature_frequency()
    if not local:  # a mean over no rows: not an importance of 0
        raise ValueError(f"no row of X got a counterfactual ({n_desired} of {len(X)} already have the desired "
                         "class, the rest none found), so no feature importance is defined; pass rows "
                         "the model does not already place in desired_class")
    table = pd.DataFrame(local).T.reindex(columns=list(X.columns))
    values = table.mean().to_numpy()
    return CounterfactualImportance(values=values, feature_names=tuple(X.columns), local=table, n_found=len(table))


def recourse_cost(model, X, X_reference, **options) -> pd.Series:
    """The cost of the cheapest counterfactual for every row of ``X`` (NaN where none is found).

    One search per row with ``n_counterfactuals=1``; ``options`` go to :func:`counterfactuals`.
    A row already in ``desired_class`` costs 0.
    """
    X = check_frame(X, name="X")
    costs = {}
    for label in X.index:
        try:
            result = counterfactuals(model, X.loc[[label]], X_reference, n_counterfactuals=1, **options)
        except AlreadyDesiredError:
            costs[label] = 0.0          # already in the desired class
            continue
        costs[label] = result.cost[0] if len(result) else np.nan
    return pd.Series(costs, name="recourse cost", dtype=float).rename_axis(X.index.name)


def _probe_rows(space: _Space) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Rows that read a model's slopes (x_j + 1, x_j - 1, x_j + 2) and category gains around ``x``."""
    rows, owners = [], []
    for j in np.flatnonzero(space.vary):
        if space.numeric[j]:
            for step in (1.0, -1.0, 2.0):
                z = space.x.copy()
                z[j] += step
                rows.append(z)
                owners.append(("slope", j))
        else:
            for code in space.grid[j]:
                z = space.x.copy()
                z[j] = code
                rows.append(z)
                owners.append(("cat", j))
    return np.array(rows).reshape(len(rows), len(space.x)), owners


def _probe_frame(space: _Space, Z: np.ndarray) -> pd.DataFrame:
    frame = space.decode(Z)
    for j in np.flatnonzero(space.numeric):            # decode would round integers: keep floats
        frame[space.columns[j]] = Z[:, j]
    return frame


def _linear_terms(space: _Space, Z: np.ndarray, owners: list, delta: np.ndarray):
    """Slopes (log-odds per unit) of the numeric features and the gain of each allowed category.

    ``delta`` is the change of the desired class's log-odds at each probe row. Exact for a model
    additive in log-odds; raises if a numeric feature's effect is not linear around ``x``.
    """
    slopes: dict[int, float] = {}
    gains: dict[int, list[float]] = {}
    k = 0
    while k < len(owners):
        kind, j = owners[k]
        if kind == "slope":
            up, down, twice = delta[k:k + 3]
            if abs(up + down) > 1e-6 * max(1.0, abs(up)) or abs(twice - 2 * up) > 1e-6 * max(1.0, abs(up)):
                raise ValueError(f"the model's log-odds are not linear in {space.columns[j]!r}; "
                                 "linear_recourse_cost needs a model additive in log-odds")
            slopes[j] = float(up)
            k += 3
        else:
            gains.setdefault(j, []).append(float(delta[k]))
            k += 1
    return slopes, gains


def _log_odds(model: Any, target: _Target, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, bool]:
    """Log-odds of class 1 for the rows of ``frame``, the class probabilities, and whether the
    log-odds are exact: a ``decision_function`` whose logistic equals ``predict_proba`` (a
    logistic regression) is used as it is; otherwise ``log(p1 / p0)``, undefined where a
    probability is exactly 0 or 1 (a tree's pure leaf), which is refused."""
    P = target._proba(frame)
    decision = getattr(model, "decision_function", None)
    if decision is not None:
        d = np.asarray(decision(frame), dtype=float)
        if d.shape == (len(frame),) and np.allclose(1 / (1 + np.exp(-d)), P[:, 1], rtol=0, atol=1e-9):
            return d, P, True
    if ((P[:, 1] == 0) | (P[:, 1] == 1)).any():
        raise ValueError("the model gives probabilities of exactly 0 or 1, where log-odds are infinite: it is not "
                         "linear (additive) in log-odds, as a tree's pure leaves are not; linear_recourse_cost needs "
                         "a model additive in log-odds (a logistic regression); use counterfactuals() for any other "
                         "model")
    return np.log(P[:, 1]) - np.log(P[:, 0]), P, False


def _check_additive(space: _Space, Z: np.ndarray, delta: np.ndarray, slopes: dict, gains: dict,
                    logit: np.ndarray, exact: bool) -> None:
    """The slopes and gains read around ``x`` must predict the model on real rows ``Z`` (reference
    rows within the constraints): a tree is flat near ``x`` (slope 0, "no recourse") and steps
    elsewhere, which only such rows reveal. Where the log-odds come from saturated probabilities
    (``exact`` false, ``|log-odds| >= 20``) they are too imprecise to compare."""
    predicted = np.zeros(len(Z))
    for j, slope in slopes.items():
        predicted += slope * (Z[:, j] - space.x[j])
    for j, options in gains.items():
        codes = list(space.grid[j])
        predicted += [options[codes.index(c)] if c in codes else 0.0 for c in Z[:, j]]
    usable = np.ones(len(Z), dtype=bool) if exact else np.abs(logit) < 20
    error = np.abs(predicted - delta)[usable]
    if len(error) and error.max() > 1e-6 * max(1.0, float(np.abs(delta[usable]).max())):
        raise ValueError("the model's log-odds are not linear (additive) in the features: the slopes read around x "
                         f"miss the model's log-odds on reference rows by up to {error.max():.3g}, as a tree or a "
                         "boosted model does; linear_recourse_cost needs a model additive in log-odds "
                         "(a logistic regression); use counterfactuals() for any other model")


def _knapsack_cost(space: _Space, slopes: dict, gains: dict, need: float) -> float:
    """The closed form: top-k categorical gains, then a fractional knapsack of numeric features."""
    rates, capacities = [], []
    for j, slope in slopes.items():
        room = space.upper[j] - space.x[j] if slope > 0 else space.x[j] - space.lower[j]
        if slope != 0 and room > 0:
            rates.append(abs(slope) * space.scale[j])
            capacities.append(abs(slope) * room)
    cat_gains = sorted((max(g) for g in gains.values() if max(g) > 0), reverse=True)
    order = np.argsort(rates)[::-1]
    best = np.inf
    for n_cat in range(len(cat_gains) + 1):
        remaining = need - sum(cat_gains[:n_cat])
        cost = float(n_cat)
        for i in order:
            if remaining <= 0:
                break
            take = min(remaining, capacities[i])
            cost += take / rates[i]
            remaining -= take
        if remaining <= 1e-12:
            best = min(best, cost)
    return float(best)


def linear_recourse_costs(model, X, X_reference, *, desired_class=None, features_to_vary=None,
                          permitted_range=None, monotone=None, integer: bool = False,
                          ordered=None) -> pd.Series:
    """:func:`linear_recourse_cost` for every row of ``X``, with two model calls in all.

    Rows already in the desired class cost 0; ``inf`` means no recourse within the constraints.
    ``desired_class`` defaults, row by row, to the class the model does not predict.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    X = check_frame(X, name="X")
    X = _check_x(X, X_reference, name="X", one_row=False)
    rows = [X.iloc[[i]] for i in range(len(X))]
    target = _Target(model, rows[0], desired_class if desired_class is not None else None)
    if len(target.classes) != 2:
        raise ValueError("linear_recourse_cost handles binary classifiers only")
    if desired_class is not None and desired_class not in target.classes:
        raise ValueError(f"desired_class {desired_class!r} is not one of the model's classes {target.classes}")
    logit, P, exact = _log_odds(model, target, pd.concat(rows)[list(X_reference.columns)])
    desired = (np.full(len(X), target.classes.index(desired_class)) if desired_class is not None
               else 1 - np.argmax(P, axis=1))
    margins = np.where(desired == 1, logit, -logit)
    spaces, probes, checks = [], [], []
    reference = _Reference(X_reference)
    bands = band_scales(X_reference, ordered)
    if bands and not integer:
        raise ValueError("the closed form (integer=False) assumes that every changed category costs 1; with "
                         "ordered bands pass integer=True (the mixed-integer programme)")
    sample = X_reference.iloc[np.unique(np.linspace(0, len(X_reference) - 1, N_LINEAR_CHECKS).astype(int))]
    for x in rows:
        vary, ranges, directions = _check_constraints(x, X_reference, features_to_vary, permitted_range, monotone)
        space = _Space(x, reference, vary, ranges, directions, bands)
        spaces.append(space)
        Z, owners = _probe_rows(space)
        check = space.project(space.encode(sample))     # real rows within the constraints
        checks.append(check)
        probes.append((np.vstack([Z, check]) if len(Z) else Z, owners))
    frames = [_probe_frame(space, Z) for space, (Z, _) in zip(spaces, probes) if len(Z)]
    if frames:
        probe_logit, _, exact = _log_odds(model, target, pd.concat(frames, ignore_index=True))
    costs, start = [], 0
    for i, (space, (Z, owners)) in enumerate(zip(spaces, probes)):
        need = -margins[i]
        block = probe_logit[start:start + len(Z)] if len(Z) else np.empty(0)
        start += len(Z)
        if need <= 0:
            costs.append(0.0)
            continue
        delta = (block if desired[i] == 1 else -block) - margins[i]
        n_probes = len(owners)
        slopes, gains = _linear_terms(space, Z[:n_probes], owners, delta[:n_probes])
        if exact or abs(margins[i]) < 20:               # x's log-odds are exact (not saturated)
            _check_additive(space, checks[i], delta[n_probes:], slopes, gains, block[n_probes:], exact)
        costs.append(_milp_cost(space, slopes, gains, need) if integer else _knapsack_cost(space, slopes, gains, need))
    return pd.Series(costs, index=X.index, name="recourse cost", dtype=float)


def linear_recourse_cost(model, x, X_reference, *, desired_class=None, features_to_vary=None,
                         permitted_range=None, monotone=None, integer: bool = False, ordered=None) -> float:
    """The exact minimum cost of a counterfactual for a model that is additive in log-odds.

    For a logistic regression on standardised and one-hot features, the log-odds are
    ``b + sum_j g_j(x_j)`` with ``g_j`` linear in a numeric ``x_j``. Reaching the boundary means
    raising the desired class's log-odds by ``m = -margin(x)``. A numeric feature buys log-odds at
    ``|slope_j| * MAD_j`` per unit of cost, up to its range; a categorical feature buys the gain of
    its best allowed category for a cost of 1.

    ``integer=False`` (the closed form): numeric features move continuously. For ``k`` categorical
    changes the best are the ``k`` largest gains; the rest is a fractional knapsack filled by the
    numeric features in order of efficiency; the answer is the cheapest over ``k``. It is a lower
    bound on the cost of any counterfactual.
    ``integer=True``: integer-valued features (those of integer dtype in ``X_reference``) move in
    whole steps, as :func:`counterfactuals` moves them; the mixed-integer programme is solved
    exactly with :func:`scipy.optimize.milp` (the approach of Ustun, Spangher & Liu 2019); a
    category of an ``ordered`` feature costs its band steps over their scale (:func:`band_scales`).

    The slopes and gains are read from the model by finite differences, which is exact for such a
    model; a model whose log-odds are not linear in a numeric feature is refused. Returns ``inf``
    when no change within the constraints reaches the boundary, 0 when ``x`` is already there.
    """
    X_reference = check_frame(X_reference, name="X_reference")
    x = _check_x(x, X_reference)
    return float(linear_recourse_costs(model, x, X_reference, desired_class=desired_class,
                                       features_to_vary=features_to_vary, permitted_range=permitted_range,
                                       monotone=monotone, integer=integer, ordered=ordered).iloc[0])


def _milp_cost(space: _Space, slopes: dict, gains: dict, need: float) -> float:
    """Mixed-integer programme: min sum |delta_j| / MAD_j + sum y_jc  s.t. the log-odds reach 0."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cost, effect, low, high, integrality, group = [], [], [], [], [], []
    for j, slope in slopes.items():       # delta_j = up_j - down_j, both >= 0
        for sign, room in ((1.0, space.upper[j] - space.x[j]), (-1.0, space.x[j] - space.lower[j])):
            cost.append(1.0 / space.scale[j])
            effect.append(sign * slope)
            low.append(0.0)
            high.append(max(room, 0.0))
            integrality.append(1 if space.integer[j] else 0)
            group.append(-1)
    for j, options in gains.items():      # at most one new category per feature
        for code, gain in zip(space.grid[j], options):
            cost.append(abs(code - space.x[j]) / space.scale[j] if space.ordinal[j] else 1.0)
            effect.append(gain)
            low.append(0.0)
            high.append(1.0)
            integrality.append(1)
            group.append(j)
    if not cost:
        return float("inf")
    constraints = [LinearConstraint(np.array(effect)[None, :], need, np.inf)]
    group = np.array(group)
    for j in set(group[group >= 0].tolist()):
        constraints.append(LinearConstraint((group == j).astype(float)[None, :], 0, 1))
    result = milp(c=np.array(cost), constraints=constraints, integrality=np.array(integrality),
                  bounds=Bounds(np.array(low), np.array(high)))
    return float(result.fun) if result.success else float("inf")


# ------------------------------------------------------------------------------ data dictionary
def _dictionary(dataset: Any) -> pd.DataFrame:
    d = getattr(dataset, "dictionary", None)
    flags = ("immutable", "protected", "actionable")
    if not isinstance(d, pd.DataFrame) or any(c not in d.columns for c in flags):
        raise TypeError(f"dataset must be a case study with a data dictionary (e.g. xaibook.data.load_case('credit')), "
                        f"got {type(dataset).__name__}; its dictionary flags which features are immutable, "
                        "protected and actionable")
    return d


def mutable_features(dataset) -> list[str]:
    """Features a counterfactual may change: neither immutable nor protected in the data dictionary."""
    d = _dictionary(dataset)
    return d.index[~d["immutable"] & ~d["protected"]].tolist()


def actionable_features(dataset) -> list[str]:
    """Features the person can act on: flagged actionable, and neither immutable nor protected."""
    d = _dictionary(dataset)
    return d.index[d["actionable"] & ~d["immutable"] & ~d["protected"]].tolist()

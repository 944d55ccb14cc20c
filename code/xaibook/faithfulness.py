"""Is the explanation right? Faithfulness measured against planted truth and by perturbation.

On real data nobody knows the true reasons for a prediction, so an explanation cannot be checked
against them. This module gives the four checks the field uses instead, for tabular data:

``make_planted_credit``       synthetic credit-like data drawn from a known log-odds function (the
                              *planted* ground truth, after Faber, Moghaddam & Wattenhofer 2021):
                              numeric and categorical features, a correlated pair, a pure
                              interaction, an irrelevant feature and a feature that acts only
                              through a proxy. :meth:`PlantedData.truth` gives the exact
                              interventional Shapley values of that function in closed form, and
                              :meth:`PlantedData.oracle` a fitted classifier that *is* the function.
``ground_truth_scores``       an attribution against the truth: rank correlation, top-k recovery,
                              share of attribution mass on irrelevant features.
``deletion_curve``,           the tabular form of the deletion and insertion games of Petsiuk, Das &
``insertion_curve``           Saenko (2018): per row, features in order of decreasing attribution
                              are replaced by background values (deletion) or restored from the row
                              (insertion) and the model's output is averaged over the background.
``remove_and_retrain``        ROAR (Hooker, Erhan, Kindermans & Kim 2019): remove the features an
                              attribution ranks first from training *and* test data, refit, score.
``model_randomisation_check`` the sanity check of Adebayo et al. (2018) in its data-randomisation
                              form: refit the model on shuffled labels and measure how much each
                              method's explanation changes.

Every function validates its inputs, takes ``random_state`` (never ``None``) and returns a frozen
result with ``feature_names`` and a long ``to_frame()``. ``planted_study`` and ``credit_study`` run
the chapter's experiments (cached with :func:`xaibook.models.load_or_build`).
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import get_scorer
from sklearn.utils.validation import check_is_fitted

from xaibook._validation import (
    RandomStateLike,
    as_generator,
    check_fitted_model,
    check_frame,
    check_name_list,
    check_positive_int,
    check_random_state,
    check_target,
)
from xaibook.predict import DEFAULT_BATCH_SIZE, as_prediction_function

__all__ = [
    "PLANTED_ROLES",
    "PlantedData",
    "PlantedModel",
    "make_planted_credit",
    "planted_truth",
    "planted_score",
    "GroundTruthScores",
    "ground_truth_scores",
    "PerturbationCurve",
    "deletion_curve",
    "insertion_curve",
    "perturbation_curve_reference",
    "random_attributions",
    "RemoveAndRetrain",
    "remove_and_retrain",
    "RandomisationCheck",
    "model_randomisation_check",
    "global_attribution",
    "CORRELATIONS",
    "SEEDS",
    "N_ROWS",
    "N_EXPLAINED",
    "N_BACKGROUND",
    "ROAR_STEPS",
    "ROAR_METHODS",
    "planted_model",
    "pdp_importance",
    "explain_all",
    "planted_study",
    "credit_study",
    "roar_study",
    "sanity_study",
    "interval_table",
]

# --------------------------------------------------------------------------------------------
# The generator with known truth
# --------------------------------------------------------------------------------------------
#: What each planted feature is for (the chapter's table of the design).
PLANTED_ROLES = {
    "income": "additive, linear; correlated with savings",
    "savings": "additive, linear; correlated with income",
    "duration": "additive, curved (quadratic)",
    "housing": "additive, categorical",
    "employment_years": "additive, linear; the proxy through which age acts",
    "age": "no effect: acts on the label only through employment_years",
    "amount": "pure interaction with guarantor (no main effect)",
    "guarantor": "pure interaction with amount (no main effect)",
    "noise": "irrelevant: independent of everything",
}
_INTERCEPT = -1.0
_HOUSING = {"own": -0.4, "rent": 0.3, "free": 0.5}
_GUARANTOR = {"no": 1.0, "yes": -1.0}       # sign of the amount effect; mean zero in the data


def _additive_terms(X: pd.DataFrame) -> dict[str, np.ndarray]:
    """The additive parts ``g_j(x_j)`` of the planted log-odds, one array per feature that has one."""
    duration = X["duration"].to_numpy(dtype=float)
    return {
        "income": -1.0 * X["income"].to_numpy(dtype=float),
        "savings": -0.6 * X["savings"].to_numpy(dtype=float),
        "duration": 0.5 * duration + 0.3 * (duration ** 2 - 1.0),
        "housing": X["housing"].map(_HOUSING).to_numpy(dtype=float),
        "employment_years": -0.7 * X["employment_years"].to_numpy(dtype=float),
    }


def _check_planted_frame(X: Any, name: str) -> pd.DataFrame:
    X = check_frame(X, name=name)
    expected = list(PLANTED_ROLES)
    if list(X.columns) != expected:
        missing = [c for c in expected if c not in X.columns]
        extra = [c for c in X.columns if c not in expected]
        raise ValueError(f"{name} must have the planted columns {expected} in this order; "
                         f"missing {missing}, unexpected {extra}")
    for column, known in (("housing", _HOUSING), ("guarantor", _GUARANTOR)):
        unknown = sorted(set(X[column].astype(str)) - set(known))
        if unknown:
            raise ValueError(f"{name}[{column!r}] has unknown categories {unknown}; known: {sorted(known)}")
    numeric = [c for c in expected if c not in ("housing", "guarantor")]
    text = [c for c in numeric if not pd.api.types.is_numeric_dtype(X[c])]
    if text:
        raise ValueError(f"{name} has non-numeric values in the numeric columns {text}")
    return X


def planted_score(X: pd.DataFrame, *, interaction: float = 1.0) -> np.ndarray:
    """The planted log-odds of a bad risk: intercept + additive terms + ``interaction * amount * s``,
    where ``s`` is +1 without a guarantor and -1 with one. ``age`` and ``noise`` are not used."""
    X = _check_planted_frame(X, "X")
    interaction = _check_real(interaction, "interaction")
    pure = interaction * X["amount"].to_numpy(dtype=float) * X["guarantor"].map(_GUARANTOR).to_numpy(dtype=float)
    return _INTERCEPT + sum(_additive_terms(X).values()) + pure


def planted_truth(X: pd.DataFrame, background: pd.DataFrame, *, interaction: float = 1.0) -> pd.DataFrame:
    """Exact interventional Shapley values of :func:`planted_score` (log-odds), in closed form.

    With the value function of :mod:`xaibook.shapley` (``v(S)`` = mean over background rows ``b``
    of ``f(x_S, b_rest)``), an additive term ``g_j`` gives ``phi_j = g_j(x_j) - mean_b g_j(b_j)``
    and nothing to the other features. The product ``c * a * s`` of the two interacting features
    is a two-player game with ``v({}) = c mean(b_a b_s)``, ``v({a}) = c x_a mean(b_s)``,
    ``v({s}) = c x_s mean(b_a)``, ``v({a, s}) = c x_a x_s``, whose Shapley values are the averages
    of the two marginal contributions of each player. Unused features (``age``, ``noise``) get 0.
    """
    X = _check_planted_frame(X, "X")
    background = _check_planted_frame(background, "background")
    c = _check_real(interaction, "interaction")
    values = pd.DataFrame(0.0, index=X.index, columns=list(PLANTED_ROLES))
    own, base = _additive_terms(X), _additive_terms(background)
    for name, g in own.items():
        values[name] = g - base[name].mean()
    xa, xs = X["amount"].to_numpy(dtype=float), X["guarantor"].map(_GUARANTOR).to_numpy(dtype=float)
    ba, bs = background["amount"].to_numpy(dtype=float), background["guarantor"].map(_GUARANTOR).to_numpy(dtype=float)
    v0, va, vs, vas = c * np.mean(ba * bs), c * xa * bs.mean(), c * xs * ba.mean(), c * xa * xs
    values["amount"] = 0.5 * ((va - v0) + (vas - vs))
    values["guarantor"] = 0.5 * ((vs - v0) + (vas - va))
    return values


def _check_real(value: Any, name: str, low: float = -np.inf, high: float = np.inf) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not np.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a finite number in [{low}, {high}], got {value}")
    return float(value)


class PlantedModel(ClassifierMixin, BaseEstimator):
    """A classifier whose probability of a bad risk *is* the planted function (the oracle).

    ``fit`` only records the classes and columns (it learns nothing), so that the book's methods
    accept it like any fitted scikit-learn classifier; ``decision_function`` is the log-odds.
    """

    def __init__(self, interaction: float = 1.0):
        self.interaction = interaction

    def fit(self, X: pd.DataFrame, y: Any = None) -> PlantedModel:
        X = _check_planted_frame(X, "X")
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.array(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self)
        return planted_score(X, interaction=self.interaction)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


@dataclass(frozen=True, eq=False)
class PlantedData:
    """A draw of the planted credit data: features ``X``, labels ``y`` (1 = bad risk) drawn from
    the planted probabilities, and the settings that made them. ``roles`` says what each feature is."""

    X: pd.DataFrame
    y: pd.Series
    correlation: float
    interaction: float
    random_state: int

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(self.X.columns)

    @property
    def roles(self) -> dict[str, str]:
        return dict(PLANTED_ROLES)

    @property
    def irrelevant(self) -> tuple[str, ...]:
        """Features the planted function does not use: ``age`` (proxy only) and ``noise``."""
        return ("age", "noise")

    def score(self, X: pd.DataFrame | None = None) -> np.ndarray:
        """The planted log-odds at ``X`` (default: this data)."""
        return planted_score(self.X if X is None else X, interaction=self.interaction)

    def truth(self, X: pd.DataFrame, background: pd.DataFrame) -> pd.DataFrame:
        """Closed-form interventional Shapley values (log-odds) of the planted function, :func:`planted_truth`."""
        return planted_truth(X, background, interaction=self.interaction)

    def oracle(self) -> PlantedModel:
        """The planted function as a fitted classifier."""
        return PlantedModel(self.interaction).fit(self.X, self.y)

    def to_frame(self) -> pd.DataFrame:
        """The features with the label (``bad_risk``) and the planted log-odds (``planted_log_odds``)."""
        return self.X.assign(planted_log_odds=self.score(), bad_risk=self.y)


def make_planted_credit(n_rows: int = 600, *, correlation: float = 0.5, interaction: float = 1.0,
                        random_state: RandomStateLike = 0) -> PlantedData:
    """Synthetic credit-like data with a known log-odds function (:func:`planted_score`).

    Numeric features are standard normal; ``savings`` has correlation ``correlation`` with
    ``income`` and ``employment_years`` the same correlation with ``age`` (so ``age`` is related to
    the label only through its proxy). ``housing`` is own/rent/free (50/35/15 %), ``guarantor``
    yes/no (50/50), independent of the rest, as are ``amount``, ``duration`` and ``noise``. Labels
    are Bernoulli draws with the planted probability; ``interaction=0`` makes the function additive.
    """
    n_rows = check_positive_int(n_rows, name="n_rows", minimum=2)
    rho = _check_real(correlation, "correlation", -0.99, 0.99)
    interaction = _check_real(interaction, "interaction")
    seed = check_random_state(random_state)
    rng = as_generator(seed)
    z = rng.standard_normal((n_rows, 7))
    spread = np.sqrt(1.0 - rho ** 2)
    X = pd.DataFrame({
        "income": z[:, 0],
        "savings": rho * z[:, 0] + spread * z[:, 1],
        "duration": z[:, 2],
        "housing": rng.choice(["own", "rent", "free"], size=n_rows, p=[0.5, 0.35, 0.15]).astype(object),
        "employment_years": rho * z[:, 3] + spread * z[:, 4],
        "age": z[:, 3],
        "amount": z[:, 5],
        "guarantor": rng.choice(["yes", "no"], size=n_rows).astype(object),
        "noise": z[:, 6],
    })
    p = 1.0 / (1.0 + np.exp(-planted_score(X, interaction=interaction)))
    y = pd.Series((rng.random(n_rows) < p).astype(int), index=X.index, name="bad_risk")
    return PlantedData(X, y, rho, interaction, seed if isinstance(seed, (int, np.integer)) else -1)


# --------------------------------------------------------------------------------------------
# Attributions as a matrix
# --------------------------------------------------------------------------------------------
def _attribution_matrix(attributions: Any, X: pd.DataFrame, name: str = "attributions") -> np.ndarray:
    """Attributions as an ``n_rows x n_features`` float array aligned with ``X``'s columns.

    Accepts an array of that shape, a DataFrame with ``X``'s columns (any order), a result with
    ``to_wide()`` (:class:`~xaibook.shapley.ShapleyResult`), or one global vector (a 1-D array
    or a Series indexed by feature), used for every row.
    """
    columns = list(X.columns)
    if hasattr(attributions, "to_wide"):
        attributions = attributions.to_wide()
    if isinstance(attributions, pd.Series):
        _check_names(attributions.index, columns, name)
        attributions = attributions.reindex(columns).to_numpy(dtype=float)
    elif isinstance(attributions, pd.DataFrame):
        _check_names(attributions.columns, columns, name)
        attributions = attributions[columns].to_numpy(dtype=float)
    try:
        values = np.asarray(attributions, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers (an array, DataFrame or Series), "
                        f"got {type(attributions).__name__}") from None
    if values.ndim == 1:
        if values.shape[0] != len(columns):
            raise ValueError(f"{name} has {values.shape[0]} values; X has {len(columns)} features")
        values = np.tile(values, (len(X), 1))
    if values.ndim != 2 or values.shape != (len(X), len(columns)):
        raise ValueError(f"{name} must have shape (rows, features) = {(len(X), len(columns))} "
                         f"(or one value per feature), got {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return values


def _check_names(names: Any, columns: list[str], name: str) -> None:
    names = [str(n) for n in names]
    unknown = [n for n in names if n not in columns]
    missing = [c for c in columns if c not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ValueError(f"{name}'s features do not match X's columns: unknown {unknown}, missing {missing}; "
                         f"X has {columns}")


def global_attribution(attributions: Any, X: pd.DataFrame) -> pd.Series:
    """Mean absolute attribution per feature (a global importance from local attributions)."""
    X = check_frame(X, name="X")
    return pd.Series(np.abs(_attribution_matrix(attributions, X)).mean(axis=0), index=list(X.columns))


def random_attributions(X: pd.DataFrame, *, random_state: RandomStateLike = 0) -> pd.DataFrame:
    """A random attribution (standard normal values) for every row of ``X``: the baseline every
    method should beat."""
    X = check_frame(X, name="X")
    rng = as_generator(random_state)
    return pd.DataFrame(rng.standard_normal(X.shape), index=X.index, columns=X.columns)


def _orders(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row, feature positions by decreasing value; ties in random order."""
    tie_break = rng.random(values.shape)
    return np.lexsort((tie_break, -values), axis=-1) if values.ndim == 1 else np.array(
        [np.lexsort((t, -v)) for v, t in zip(values, tie_break)])


# --------------------------------------------------------------------------------------------
# Ground-truth scores
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GroundTruthScores:
    """An attribution scored against the truth, per explained row.

    ``rank_correlation``: Spearman correlation between ``|attribution|`` and ``|truth|`` (0 when
    either is constant: no order to compare); ``top_k_recovery``: share of the truth's ``k`` largest
    ``|truth|`` features among the attribution's ``k`` largest; ``irrelevant_mass``: share of the
    total ``|attribution|`` on the ``irrelevant`` features (0 for the truth).
    """

    feature_names: tuple[str, ...]
    rank_correlation: np.ndarray
    top_k_recovery: np.ndarray
    irrelevant_mass: np.ndarray
    k: int
    irrelevant: tuple[str, ...]

    def __post_init__(self) -> None:
        for field in ("rank_correlation", "top_k_recovery", "irrelevant_mass"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    def summary(self) -> pd.Series:
        """Mean of each score over the rows."""
        return pd.Series({"rank_correlation": self.rank_correlation.mean(),
                          "top_k_recovery": self.top_k_recovery.mean(),
                          "irrelevant_mass": self.irrelevant_mass.mean()})

    def to_frame(self) -> pd.DataFrame:
        """Long format: one line per row and metric (``row``, ``metric``, ``value``)."""
        n = len(self.rank_correlation)
        return pd.DataFrame({
            "row": np.tile(np.arange(n), 3),
            "metric": np.repeat(["rank_correlation", "top_k_recovery", "irrelevant_mass"], n),
            "value": np.concatenate([self.rank_correlation, self.top_k_recovery, self.irrelevant_mass]),
        })


def _spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ra, rb = rankdata(a, axis=1), rankdata(b, axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    denominator = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ra * rb).sum(axis=1) / denominator
    return np.where(denominator > 0, r, 0.0)


def ground_truth_scores(attributions: Any, truth: pd.DataFrame, *, k: int = 3,
                        irrelevant: Sequence[str] | str | None = None,
                        random_state: RandomStateLike = 0) -> GroundTruthScores:
    """Score ``attributions`` against the ``truth`` (rows x features, e.g. :meth:`PlantedData.truth`).

    ``attributions`` is a rows x features array or DataFrame (a local method) or one value per
    feature (a global method such as permutation importance): a global vector is compared with
    the global truth, the mean ``|truth|`` per feature. ``irrelevant`` defaults to the features
    whose truth is zero on every row. Ties in the top ``k`` are broken at random (``random_state``).
    """
    truth = check_frame(truth, name="truth")
    k = check_positive_int(k, name="k")
    if k > truth.shape[1]:
        raise ValueError(f"k={k} is larger than the number of features ({truth.shape[1]})")
    rng = as_generator(random_state)
    glob = not hasattr(attributions, "to_wide") and np.ndim(attributions) == 1
    t = np.abs(truth.to_numpy(dtype=float))
    if not np.isfinite(t).all():
        raise ValueError("truth contains NaN or infinite values")
    a = np.abs(_attribution_matrix(attributions, truth))
    if glob:
        t, a = t.mean(axis=0, keepdims=True), a[:1]
    names = list(truth.columns)
    if irrelevant is None:
        irrelevant = [c for c, zero in zip(names, (truth.to_numpy(dtype=float) == 0).all(axis=0)) if zero]
    else:
        irrelevant = [irrelevant] if isinstance(irrelevant, str) else list(irrelevant)
        unknown = [f for f in irrelevant if f not in names]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown} in irrelevant; truth has columns {names}")
    top_a, top_t = _orders(a, rng)[:, :k], _orders(t, rng)[:, :k]
    recovery = np.array([len(set(x) & set(y)) / k for x, y in zip(top_a, top_t)])
    mask = np.isin(names, irrelevant)
    total = a.sum(axis=1)
    mass = np.divide(a[:, mask].sum(axis=1), total, out=np.zeros(len(a)), where=total > 0)
    return GroundTruthScores(tuple(names), _spearman_rows(a, t), recovery, mass, k, tuple(irrelevant))


# --------------------------------------------------------------------------------------------
# Deletion and insertion curves
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PerturbationCurve:
    """A deletion or insertion curve, per row and averaged.

    ``curves[i, k]`` is row ``i``'s output, averaged over the background, once the ``k`` features
    with the largest attributions are replaced by background values (deletion) or are the only
    ones kept from the row (insertion); ``fractions[k] = k / n_features``; ``scores`` is the mean
    over rows. ``area`` is the area under ``scores`` (trapezoid rule over the fractions): low is
    good for deletion (the output falls fast), high for insertion (it rises fast).
    ``prediction`` is the output at the rows and ``base_value`` its mean over the background.
    """

    kind: str
    feature_names: tuple[str, ...]
    fractions: np.ndarray
    curves: np.ndarray
    orders: np.ndarray
    prediction: np.ndarray
    base_value: float

    def __post_init__(self) -> None:
        for field in ("fractions", "curves", "orders", "prediction"):
            array = np.array(getattr(self, field))
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    @property
    def scores(self) -> np.ndarray:
        """Mean output over the rows at each fraction."""
        return self.curves.mean(axis=0)

    @property
    def area(self) -> float:
        """Area under the mean curve (trapezoid rule on ``fractions``, which run from 0 to 1)."""
        return float(np.sum((self.scores[1:] + self.scores[:-1]) / 2 * np.diff(self.fractions)))

    def row_areas(self) -> np.ndarray:
        """The area under each row's curve (their mean is :attr:`area`)."""
        return np.sum((self.curves[:, 1:] + self.curves[:, :-1]) / 2 * np.diff(self.fractions), axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``row``, ``fraction``, ``output`` (one line per row and step)."""
        n, steps = self.curves.shape
        return pd.DataFrame({"row": np.repeat(np.arange(n), steps),
                             "fraction": np.tile(self.fractions, n),
                             "output": self.curves.ravel()})


def _perturbation(kind: str, model: Any, X: Any, attributions: Any, background: Any, scale: str,
                  random_state: RandomStateLike, batch_size: int) -> PerturbationCurve:
    if not callable(model) and not (hasattr(model, "predict") or hasattr(model, "predict_proba")):
        raise TypeError(f"model must be a fitted model or a prediction function, got {type(model).__name__}")
    if hasattr(model, "predict") or hasattr(model, "predict_proba"):
        check_fitted_model(model)
    f = as_prediction_function(model, scale=scale, name="model")
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    if list(background.columns) != list(X.columns):
        _check_names(background.columns, list(X.columns), "background")
        background = background[list(X.columns)]
    batch_size = check_positive_int(batch_size, name="batch_size")
    values = _attribution_matrix(attributions, X)
    orders = _orders(values, as_generator(random_state))
    n, m = X.shape
    nb = len(background)
    ranks = np.empty_like(orders)
    np.put_along_axis(ranks, orders, np.arange(m)[None, :].repeat(n, 0), axis=1)
    steps = np.arange(m + 1)
    # replaced[i, k, j]: feature j comes from the background at step k
    first_k = ranks[:, None, :] < steps[None, :, None]
    replaced = first_k if kind == "deletion" else ~first_k
    block = max(1, batch_size // ((m + 1) * nb))
    outputs = []
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        outputs.append(_hybrid_outputs(f, X.iloc[rows], background, replaced[rows]))
    curves = np.concatenate(outputs).reshape(n, m + 1)
    prediction = _checked(f(X), n)
    base_value = float(_checked(f(background), nb).mean())
    return PerturbationCurve(kind, tuple(X.columns), steps / m, curves, orders, prediction, base_value)


def _checked(values: Any, n: int) -> np.ndarray:
    values = np.asarray(values, dtype=float).reshape(-1)
    if values.shape != (n,) or not np.isfinite(values).all():
        raise ValueError(f"the model must return {n} finite numbers, got shape {values.shape}")
    return values


def _hybrid_outputs(f: Callable, X: pd.DataFrame, background: pd.DataFrame, replaced: np.ndarray) -> np.ndarray:
    """Mean over the background of ``f`` at every (row, step) hybrid; ``replaced`` is rows x steps x features."""
    n, steps, m = replaced.shape
    nb = len(background)
    columns = {}
    for j, name in enumerate(X.columns):
        own = np.repeat(X[name].to_numpy(), steps * nb)
        other = np.tile(background[name].to_numpy(), n * steps)
        take = np.repeat(replaced[:, :, j].reshape(-1), nb)
        if own.dtype.kind in "iufb" and other.dtype.kind in "iufb":
            columns[name] = np.where(take, other, own)
        else:
            columns[name] = np.where(take, other.astype(object), own.astype(object))
    frame = pd.DataFrame(columns)
    return _checked(f(frame), len(frame)).reshape(n * steps, nb).mean(axis=1)


def deletion_curve(model: Any, X: pd.DataFrame, attributions: Any, *, background: pd.DataFrame,
                   scale: str = "probability", random_state: RandomStateLike = 0,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> PerturbationCurve:
    """Deletion curve (Petsiuk et al. 2018, tabular form): per row, replace the features in order of
    decreasing attribution by background values and record the output averaged over the background.

    ``model`` is a fitted model (output on ``scale``) or a prediction function; ``attributions``
    a rows x features array or DataFrame (or one value per feature). Signed attributions are
    ordered from most positive to most negative, so deleting first what pushed the output *up*
    should make it fall fastest: a low :attr:`~PerturbationCurve.area` is good. Ties are broken at
    random (``random_state``). The step ``k = n_features`` is the background mean for every row.
    """
    return _perturbation("deletion", model, X, attributions, background, scale, random_state, batch_size)


def insertion_curve(model: Any, X: pd.DataFrame, attributions: Any, *, background: pd.DataFrame,
                    scale: str = "probability", random_state: RandomStateLike = 0,
                    batch_size: int = DEFAULT_BATCH_SIZE) -> PerturbationCurve:
    """Insertion curve (Petsiuk et al. 2018, tabular form): start from the background and restore
    the row's features in order of decreasing attribution; a high area is good. Arguments as in
    :func:`deletion_curve`."""
    return _perturbation("insertion", model, X, attributions, background, scale, random_state, batch_size)


def perturbation_curve_reference(f: Callable[[pd.DataFrame], np.ndarray], x: pd.DataFrame,
                                 order: Sequence[str], background: pd.DataFrame, *,
                                 kind: str = "deletion") -> list[float]:
    """One row's deletion (or insertion) curve, written as the definition: for k = 0..M, set the
    first k features of ``order`` to the background's values (insertion: all others), average."""
    curve = []
    for k in range(len(order) + 1):
        swapped = list(order[:k]) if kind == "deletion" else list(order[k:])
        rows = pd.concat([x] * len(background), ignore_index=True)
        for feature in swapped:
            rows[feature] = background[feature].to_numpy()
        curve.append(float(np.mean(f(rows))))
    return curve


# --------------------------------------------------------------------------------------------
# Remove and retrain
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RemoveAndRetrain:
    """Test scores of refits after removing the top features of a global attribution (ROAR).

    ``removed[k]`` are the features removed at step ``k`` (the ``k`` ranked first), ``scores[k]`` the
    refitted model's test score (``scoring``), ``fractions[k] = k / n_features``. ``area`` is the
    area under the scores: a faithful ranking removes what the *data* needs first, so low is good.
    """

    feature_names: tuple[str, ...]
    fractions: np.ndarray
    scores: np.ndarray
    removed: tuple[tuple[str, ...], ...]
    scoring: str

    def __post_init__(self) -> None:
        for field in ("fractions", "scores"):
            array = np.array(getattr(self, field), dtype=float)
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    @property
    def area(self) -> float:
        return float(np.sum((self.scores[1:] + self.scores[:-1]) / 2 * np.diff(self.fractions)))

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``n_removed``, ``fraction``, ``removed`` (the last feature removed), ``score``."""
        return pd.DataFrame({"n_removed": np.arange(len(self.scores)), "fraction": self.fractions,
                             "removed": ["" if not r else r[-1] for r in self.removed], "score": self.scores})


def _uninformative(X_train: pd.DataFrame) -> dict[str, Any]:
    """The constant that replaces each removed feature: the training mean (numbers) or mode (categories)."""
    return {c: (X_train[c].mean() if pd.api.types.is_numeric_dtype(X_train[c]) else X_train[c].mode().iloc[0])
            for c in X_train.columns}


def remove_and_retrain(estimator: Any, X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any,
                       attributions: Any, *, n_removed: Sequence[int] | None = None, scoring: str = "roc_auc",
                       random_state: RandomStateLike = 0) -> RemoveAndRetrain:
    """ROAR (Hooker et al. 2019) with one global ranking: remove the ``k`` features ranked first by
    ``attributions`` (one value per feature, or rows x features of ``X_test``, averaged in absolute
    value) from training and test data, replacing them by an uninformative constant (training mean
    or mode), refit a clone of ``estimator`` and score it on the test data, for each ``k`` in
    ``n_removed`` (default 0, 1, ..., all). Hooker et al. remove per-image pixels; on a table one
    ranking for all rows keeps the refit's input the same for every row.

    Retraining is the point: a removed feature whose information another feature still carries (a
    correlated twin) costs the refit little, so ROAR rewards rankings of what the *data* needs,
    where the deletion curve rewards what the fitted *model* uses.
    """
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    X_test = check_frame(X_test, name="X_test", min_rows=2)
    if list(X_test.columns) != list(X_train.columns):
        _check_names(X_test.columns, list(X_train.columns), "X_test")
        X_test = X_test[list(X_train.columns)]
    y_train, y_test = check_target(y_train, X_train, name="y_train"), check_target(y_test, X_test, name="y_test")
    if not (hasattr(estimator, "fit") and (hasattr(estimator, "predict") or hasattr(estimator, "predict_proba"))):
        raise TypeError("estimator must be a scikit-learn estimator with fit and predict, "
                        f"got {type(estimator).__name__}")
    scorer = get_scorer(scoring) if isinstance(scoring, str) else None
    if scorer is None:
        raise TypeError(f"scoring must be the name of a scikit-learn scorer, got {type(scoring).__name__}")
    values = _attribution_matrix(attributions, X_test)
    importance = np.abs(values).mean(axis=0)
    order = _orders(importance, as_generator(random_state))
    m = X_train.shape[1]
    steps = list(range(m + 1)) if n_removed is None else [check_positive_int(k, name="n_removed", minimum=0)
                                                         for k in n_removed]
    if not steps or any(k > m for k in steps) or len(set(steps)) != len(steps):
        raise ValueError(f"n_removed must be distinct counts between 0 and {m}, got {n_removed}")
    steps = sorted(steps)
    names = list(X_train.columns)
    fill = _uninformative(X_train)
    scores, removed = [], []
    for k in steps:
        gone = [names[j] for j in order[:k]]
        A, B = X_train.copy(), X_test.copy()
        for feature in gone:
            A[feature], B[feature] = fill[feature], fill[feature]
        refit = clone(estimator).fit(A, y_train)
        scores.append(float(scorer(refit, B, y_test)))
        removed.append(tuple(gone))
    return RemoveAndRetrain(tuple(names), np.array(steps) / m, np.array(scores), tuple(removed), scoring)


# --------------------------------------------------------------------------------------------
# Sanity check: model randomisation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RandomisationCheck:
    """How similar each method's explanation stays when the model is refitted on shuffled labels.

    ``similarity[method]`` holds, per repeat (one label shuffle each), the Spearman correlation of
    ``|attribution|`` between the model and its randomised refit (averaged over the explained rows
    for a local method). Near 1 means the explanation ignores what the model learnt: the method
    fails the sanity check. ``size_ratio[method]`` is the total ``|attribution|`` after over the
    total before: chapter 8 shows that the size can tell a model of noise apart when the order does
    not. ``original_score`` and ``randomised_scores`` are the models' scores (``scoring``) on the
    training data with the true labels.
    """

    feature_names: tuple[str, ...]
    similarity: Mapping[str, np.ndarray]
    size_ratio: Mapping[str, np.ndarray]
    original_score: float
    randomised_scores: np.ndarray
    scoring: str

    def summary(self) -> pd.DataFrame:
        """Mean ``rank_correlation`` and ``size_ratio`` per method over the repeats, most similar
        (least sane) first."""
        frame = pd.DataFrame({"rank_correlation": {m: float(np.mean(v)) for m, v in self.similarity.items()},
                              "size_ratio": {m: float(np.mean(v)) for m, v in self.size_ratio.items()}})
        return frame.rename_axis("method").sort_values("rank_correlation", ascending=False)

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``method``, ``repeat``, ``rank_correlation``, ``size_ratio``."""
        return pd.DataFrame([{"method": m, "repeat": r, "rank_correlation": float(v),
                              "size_ratio": float(self.size_ratio[m][r])}
                             for m, values in self.similarity.items() for r, v in enumerate(values)])


def model_randomisation_check(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame,
                              explainers: Mapping[str, Callable[[Any, pd.DataFrame], Any]], *,
                              n_repeats: int = 1, scoring: str = "roc_auc",
                              random_state: RandomStateLike = 0) -> RandomisationCheck:
    """A randomised model against the real one (Adebayo et al. 2018), for tables: refit a clone of
    the fitted ``model`` on ``X_train`` with shuffled ``y_train`` (``n_repeats`` shuffles) and
    compare each method's explanation of the rows ``X`` before and after. This is the paper's
    *data randomisation* test; its *model parameter randomisation* test re-initialises a trained
    network's weights (for trees: randomised leaf values), which is not implemented here.

    ``explainers`` maps a method's name to ``explain(model, X)`` returning a rows x features
    attribution or one value per feature. The comparison is the Spearman correlation of absolute
    attributions (per row, then averaged), as Adebayo et al. report. The label shuffle destroys
    what the model can learn, so an explanation that stays the same is not explaining the model.
    """
    check_fitted_model(model)
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    X = check_frame(X, name="X")
    if list(X.columns) != list(X_train.columns):
        _check_names(X.columns, list(X_train.columns), "X")
        X = X[list(X_train.columns)]
    y_train = check_target(y_train, X_train, name="y_train")
    n_repeats = check_positive_int(n_repeats, name="n_repeats")
    if not isinstance(explainers, Mapping) or not explainers:
        raise TypeError("explainers must be a non-empty mapping {name: explain(model, X)}")
    bad = [name for name, fn in explainers.items() if not callable(fn)]
    if bad:
        raise TypeError(f"explainers {bad} are not functions explain(model, X)")
    scorer = get_scorer(scoring)
    rng = as_generator(random_state)
    original = {name: np.abs(_attribution_matrix(fn(model, X), X, f"explainers[{name!r}]"))
                for name, fn in explainers.items()}
    similarity: dict[str, list[float]] = {name: [] for name in explainers}
    sizes: dict[str, list[float]] = {name: [] for name in explainers}
    scores = []
    for _ in range(n_repeats):
        refit = clone(model).fit(X_train, y_train[rng.permutation(len(y_train))])
        scores.append(float(scorer(refit, X_train, y_train)))
        for name, fn in explainers.items():
            after = np.abs(_attribution_matrix(fn(refit, X), X, f"explainers[{name!r}]"))
            similarity[name].append(float(_spearman_rows(original[name], after).mean()))
            before = original[name].sum()
            sizes[name].append(float(after.sum() / before) if before > 0 else float("inf"))
    return RandomisationCheck(tuple(X.columns), {k: np.array(v) for k, v in similarity.items()},
                              {k: np.array(v) for k, v in sizes.items()},
                              float(scorer(model, X_train, y_train)), np.array(scores), scoring)


# --------------------------------------------------------------------------------------------
# The chapter's cache
# --------------------------------------------------------------------------------------------
_STUDY_MODULES = ("xaibook.faithfulness", "xaibook.shapley", "xaibook.surrogate", "xaibook.importance",
                  "xaibook.dependence", "xaibook.counterfactual", "xaibook.predict", "xaibook._validation")


def _cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()`` stored on disk under a key of the zoo's key and the methods' code."""
    from xaibook import models

    digest = hashlib.sha256(models.cache_key().encode())
    for module in _STUDY_MODULES:
        digest.update(Path(importlib.import_module(module).__file__).read_bytes())
    return models.load_or_build(models.cache_dir() / f"faithfulness-{name}-{digest.hexdigest()[:16]}.joblib", build)


# --------------------------------------------------------------------------------------------
# The chapter's experiments
# --------------------------------------------------------------------------------------------
#: The chapter's settings: correlations swept, seeds repeated, rows explained, background rows.
CORRELATIONS = (0.0, 0.5, 0.9)
SEEDS = (0, 1, 2)
N_ROWS = 500
N_EXPLAINED = 15
N_BACKGROUND = 25


def planted_model() -> Any:
    """The model learnt from planted data: small gradient boosting on one-hot and scaled features."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import make_pipeline

    from xaibook.models import make_preprocessor

    numeric = [c for c in PLANTED_ROLES if c not in ("housing", "guarantor")]
    return make_pipeline(make_preprocessor(numeric=numeric, categorical=["housing", "guarantor"]),
                         GradientBoostingClassifier(n_estimators=100, max_depth=2, learning_rate=0.1,
                                                    random_state=0))


def pdp_importance(f: Any, X: pd.DataFrame, *, grid_resolution: int = 8, n_samples: int = 100,
                   random_state: RandomStateLike = 0) -> pd.Series:
    """Global importance from partial dependence: the standard deviation of each feature's PD curve
    over its grid (Greenwell, Boehmke & McCarthy 2018), with :func:`xaibook.dependence.partial_dependence`."""
    from xaibook.dependence import partial_dependence

    X = check_frame(X, name="X")
    return pd.Series({c: float(np.std(partial_dependence(f, X, c, grid_resolution=grid_resolution,
                                                         n_samples=min(n_samples, len(X)),
                                                         random_state=random_state).average))
                      for c in X.columns})


def explain_all(model: Any, X_train: pd.DataFrame, y_train: Any, X: pd.DataFrame, background: pd.DataFrame, *,
                exact: bool = True, tree: bool = True, counterfactuals: bool = False,
                random_state: RandomStateLike = 0) -> dict[str, Any]:
    """Every method of the book on the log-odds scale of ``model``: local ones as rows x features
    frames, global ones as one value per feature, and a random attribution as the baseline.
    ``exact``, ``tree`` and ``counterfactuals`` switch off exact SHAP (``2**M`` coalitions), the tree
    methods (tree models only) and counterfactual importance (a search per row)."""
    from xaibook import counterfactual, importance, shapley, surrogate
    from xaibook.predict import prediction_function

    seed = int(as_generator(random_state).integers(2**31))
    f = prediction_function(model, scale="log-odds")
    out: dict[str, Any] = {}
    if exact:
        out["exact SHAP"] = shapley.exact_shapley(f, X, background).to_wide()
    out["KernelSHAP"] = shapley.kernel_shap(f, X, background, n_samples=200, random_state=seed).to_wide()
    if tree:
        out["TreeSHAP"] = shapley.tree_shap(model, X, background, scale="log-odds").to_wide()
        out["path-dependent SHAP"] = shapley.path_dependent_shap(model, X, scale="log-odds").to_wide()
    out["LIME"] = pd.DataFrame([surrogate.lime_tabular(f, X_train, X.iloc[[i]], n_samples=500,
                                                       random_state=seed + i).weights
                                for i in range(len(X))], index=X.index, columns=X.columns)
    pi = importance.permutation_importance(model, X_train, y_train, scoring="roc_auc", n_repeats=3,
                                           random_state=seed)
    out["permutation importance"] = pd.Series(pi.importances_mean, index=list(pi.feature_names))
    out["PDP importance"] = pdp_importance(f, X_train, random_state=seed)
    if counterfactuals:
        ci = counterfactual.counterfactual_importance(model, X, X_train, n_counterfactuals=4, random_state=seed)
        out["counterfactual importance"] = ci.local.reindex(index=X.index, columns=X.columns).fillna(0.0)
    out["random"] = random_attributions(X, random_state=seed)
    return out


def _score_methods(model: Any, explanations: Mapping[str, Any], X: pd.DataFrame, background: pd.DataFrame,
                   truth: pd.DataFrame | None, seed: int) -> list[dict]:
    from xaibook.predict import prediction_function

    f = prediction_function(model, scale="log-odds")
    records = []
    for method, values in explanations.items():
        row = {"method": method,
               "deletion_area": deletion_curve(f, X, values, background=background, random_state=seed).area,
               "insertion_area": insertion_curve(f, X, values, background=background, random_state=seed).area}
        if truth is not None:
            row.update(ground_truth_scores(values, truth, random_state=seed).summary().to_dict())
        records.append(row)
    return records


def _planted_sample(correlation: float, seed: int) -> tuple[PlantedData, pd.DataFrame, pd.DataFrame]:
    planted = make_planted_credit(N_ROWS, correlation=correlation, random_state=seed)
    rng = np.random.default_rng(seed)
    rows = planted.X.iloc[rng.choice(N_ROWS, N_EXPLAINED + N_BACKGROUND, replace=False)]
    return planted, rows.iloc[:N_EXPLAINED], rows.iloc[N_EXPLAINED:]


def planted_study() -> pd.DataFrame:
    """Every method scored on planted data, for each correlation and seed, on two models: boosting
    learnt from the data (model error too) and, at the middle correlation only, the oracle (the
    planted function itself: only explanation error; no tree methods, and the only model given
    counterfactual importance, a search per row). Long frame: ``correlation, seed, model, method,
    metric, value``; cached."""
    def build() -> pd.DataFrame:
        records = []
        for rho in CORRELATIONS:
            for seed in SEEDS:
                planted, X, background = _planted_sample(rho, seed)
                truth = planted.truth(X, background)
                learnt = planted_model().fit(planted.X, planted.y)
                models = [("boosting", learnt, True)]
                if rho == CORRELATIONS[1]:      # the oracle ignores the correlation: one is enough
                    models.insert(0, ("oracle", planted.oracle(), False))
                for label, model, tree in models:
                    explanations = explain_all(model, planted.X, planted.y, X, background, tree=tree,
                                               counterfactuals=not tree, random_state=seed)
                    for row in _score_methods(model, explanations, X, background, truth, seed):
                        records.append({"correlation": rho, "seed": seed, "model": label, **row})
        frame = pd.DataFrame(records)
        return frame.melt(id_vars=["correlation", "seed", "model", "method"], var_name="metric")
    return _cached("planted", build)


def credit_study() -> pd.DataFrame:
    """Deletion and insertion areas of every method on the credit case's boosting model, per seed
    (the seed picks the explained test rows, the background and the methods' randomness). Cached."""
    from xaibook import data, models

    def build() -> pd.DataFrame:
        credit = data.load_credit()
        model = models.get_model("credit", "boosting")
        records = []
        for seed in SEEDS:
            rng = np.random.default_rng(seed)
            X = credit.X_test.iloc[rng.choice(len(credit.X_test), N_EXPLAINED, replace=False)]
            background = credit.X_train.iloc[rng.choice(len(credit.X_train), N_BACKGROUND, replace=False)]
            explanations = explain_all(model, credit.X_test, credit.y_test, X, background, exact=False,
                                       random_state=seed)      # exact SHAP: 2**20 coalitions per row
            for row in _score_methods(model, explanations, X, background, None, seed):
                records.append({"seed": seed, **row})
        return pd.DataFrame(records).melt(id_vars=["seed", "method"], var_name="metric")
    return _cached("credit", build)


def interval_table(study: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Mean, minimum and maximum over the seeds of a study's values, per ``by`` columns (a string
    is one column)."""
    if not isinstance(study, pd.DataFrame):
        raise TypeError(f"study must be a DataFrame with a 'value' column, got {type(study).__name__}")
    by = check_name_list(by, name="by", one_name=True)
    missing = [c for c in [*by, "value"] if c not in study.columns]
    if missing:
        raise ValueError(f"study lacks the columns {missing} (by, and 'value'); it has {list(study.columns)}")
    return (study.groupby(by, sort=False)["value"].agg(["mean", "min", "max"]).reset_index())


#: Counts of top features removed before each refit in the chapter's remove-and-retrain runs.
ROAR_STEPS = (0, 1, 2, 3, 4)
ROAR_METHODS = ("TreeSHAP", "path-dependent SHAP", "permutation importance", "random")


def roar_study() -> pd.DataFrame:
    """Deletion area and remove-and-retrain on the learnt planted model at the lowest and highest
    correlation (seed 0), with the global ranking of each method in ``ROAR_METHODS``. Long frame:
    ``correlation, method, n_removed, removed, score``; cached."""
    def build() -> pd.DataFrame:
        frames = []
        for rho in (CORRELATIONS[0], CORRELATIONS[-1]):
            planted, X, background = _planted_sample(rho, 0)
            learnt = planted_model().fit(planted.X, planted.y)
            explanations = explain_all(learnt, planted.X, planted.y, X, background, random_state=0)
            train, test = planted.X.iloc[: N_ROWS // 2], planted.X.iloc[N_ROWS // 2:]
            y_train, y_test = planted.y.iloc[: N_ROWS // 2], planted.y.iloc[N_ROWS // 2:]
            for method in ROAR_METHODS:
                ranking = global_attribution(explanations[method], X)
                result = remove_and_retrain(planted_model(), train, y_train, test, y_test, ranking,
                                            n_removed=ROAR_STEPS, random_state=0)
                frames.append(result.to_frame().assign(correlation=rho, method=method))
        return pd.concat(frames, ignore_index=True)
    return _cached("roar", build)


def sanity_study() -> RandomisationCheck:
    """The model-randomisation check on the learnt planted model (correlation 0.5, seed 0): every
    method, two label shuffles. Cached."""
    from xaibook import importance, shapley, surrogate
    from xaibook.predict import prediction_function

    def build() -> RandomisationCheck:
        planted, X, background = _planted_sample(CORRELATIONS[1], 0)
        learnt = planted_model().fit(planted.X, planted.y)

        def log_odds(model):
            return prediction_function(model, scale="log-odds")

        explainers = {
            "KernelSHAP": lambda m, Z: shapley.kernel_shap(log_odds(m), Z, background, n_samples=200).to_wide(),
            "TreeSHAP": lambda m, Z: shapley.tree_shap(m, Z, background, scale="log-odds").to_wide(),
            "path-dependent SHAP": lambda m, Z: shapley.path_dependent_shap(m, Z, scale="log-odds").to_wide(),
            "LIME": lambda m, Z: np.array([surrogate.lime_tabular(log_odds(m), planted.X, Z.iloc[[i]],
                                                                  n_samples=500, random_state=i).weights
                                           for i in range(len(Z))]),
            "permutation importance": lambda m, Z: importance.permutation_importance(
                m, planted.X, planted.y, scoring="roc_auc", n_repeats=3, random_state=0).importances_mean,
            "PDP importance": lambda m, Z: pdp_importance(log_odds(m), planted.X).to_numpy(),
        }
        return model_randomisation_check(learnt, planted.X, planted.y, X, explainers, n_repeats=2,
                                         random_state=0)
    return _cached("sanity", build)

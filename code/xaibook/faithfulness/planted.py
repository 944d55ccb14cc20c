"""The planted credit data: a generator whose log-odds function is known, and its exact Shapley values.

The *planted* ground truth of Faber, Moghaddam & Wattenhofer (2021): synthetic credit-like data
drawn from a known log-odds function (:func:`planted_score`) with numeric and categorical features,
a correlated pair, a pure interaction, an irrelevant feature and a feature that acts only through
a proxy. :func:`planted_truth` gives the exact interventional Shapley values of that function in
closed form, :func:`planted_main_effect` its main effect per numeric feature (what a PD or ALE
curve of a perfect model shows), and :meth:`PlantedData.oracle` a fitted classifier that *is* the
function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from xaibook._validation import (
    RandomStateLike,
    as_generator,
    check_frame,
    check_positive_int,
    check_random_state,
)

__all__ = [
    "PLANTED_ROLES",
    "PlantedData",
    "PlantedModel",
    "make_planted_credit",
    "planted_main_effect",
    "planted_score",
    "planted_truth",
]


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


#: The additive terms ``g_j`` of the numeric features (the other numeric features have none).
_NUMERIC_TERMS = {
    "income": lambda v: -1.0 * v,
    "savings": lambda v: -0.6 * v,
    "duration": lambda v: 0.5 * v + 0.3 * (v ** 2 - 1.0),
    "employment_years": lambda v: -0.7 * v,
}
_CATEGORICAL = ("housing", "guarantor")


def _additive_terms(X: pd.DataFrame) -> dict[str, np.ndarray]:
    """The additive parts ``g_j(x_j)`` of the planted log-odds, one array per feature that has one."""
    terms = {name: g(X[name].to_numpy(dtype=float)) for name, g in _NUMERIC_TERMS.items()}
    terms["housing"] = X["housing"].map(_HOUSING).to_numpy(dtype=float)
    return {name: terms[name] for name in PLANTED_ROLES if name in terms}


def planted_main_effect(feature: str, values: Any) -> np.ndarray:
    """The planted function's main effect of one numeric ``feature`` at ``values`` (log-odds, not centred).

    For a feature with an additive term it is that term ``g_j``; ``age`` and ``noise`` have none
    (0); ``amount`` enters only through ``interaction * amount * s`` with ``s = +/-1`` and mean zero
    (guarantor is yes/no 50/50, independent of amount), so its main effect is 0 too. A perfect
    model's partial dependence and ALE curves are this function up to a constant.
    """
    numeric = [c for c in PLANTED_ROLES if c not in _CATEGORICAL]
    if not isinstance(feature, str) or feature not in numeric:
        hint = " (categorical: its effect is a value per category, not a curve)" if feature in _CATEGORICAL else ""
        raise ValueError(f"feature must be one of the planted numeric features {numeric}, got {feature!r}{hint}")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"values must be numbers, got {type(values).__name__}") from None
    if v.ndim != 1 or not np.isfinite(v).all():
        raise ValueError(f"values must be a 1-D array of finite numbers, got shape {v.shape}")
    return _NUMERIC_TERMS[feature](v) if feature in _NUMERIC_TERMS else np.zeros_like(v)


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
    numeric = [c for c in expected if c not in _CATEGORICAL]
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



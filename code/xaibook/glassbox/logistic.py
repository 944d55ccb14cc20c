"""A logistic regression explained from its coefficients.

:func:`logistic_coefficients`
    the coefficients (log-odds per standard deviation, or per one-hot level) and odds ratios
    ``exp(coef)``, with Wald or bootstrap confidence intervals.
:func:`logistic_contributions`
    one row's log-odds split exactly into per-feature contributions (global vs local).
:func:`mean_abs_contributions`
    the global ranking built from those local splits.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_limits

from xaibook._validation import (
    RandomStateLike,
    as_legacy_random_state,
    check_one_row,
    check_positive_int,
    check_random_state,
    check_rows,
    check_target,
)
from xaibook.pipeline import split_model, transform, transformed_features

__all__ = ["logistic_coefficients", "LogisticCoefficients", "logistic_contributions",
           "LogisticContributions", "mean_abs_contributions"]


def _logistic_estimator(model: Any) -> tuple[Any, LogisticRegression]:
    preprocess, estimator = split_model(model)
    if not isinstance(estimator, LogisticRegression):
        raise TypeError(f"the pipeline's final step must be a LogisticRegression, got "
                        f"{type(estimator).__name__}; coefficients are read from a logistic model "
                        "only (use a model-agnostic method for other models)")
    if estimator.coef_.shape[0] != 1:
        raise ValueError(f"the logistic regression has {estimator.coef_.shape[0]} rows of "
                         "coefficients (multinomial); only binary models are supported")
    return preprocess, estimator


def _penalty(estimator: LogisticRegression) -> tuple[str | None, float]:
    """The effective penalty (``None``, ``"l2"``, ``"l1"``, ``"elasticnet"``) and ``C``."""
    C = float(estimator.C)
    penalty = getattr(estimator, "penalty", "deprecated")
    l1_ratio = getattr(estimator, "l1_ratio", 0.0) or 0.0
    if penalty in ("deprecated", "elasticnet"):
        penalty = "l2" if l1_ratio == 0 else ("l1" if l1_ratio == 1 else "elasticnet")
    if penalty in (None, "none") or math.isinf(C):
        return None, math.inf
    return penalty, C


def _wald_covariance(estimator: LogisticRegression, Z: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sandwich covariance of the penalised maximum-likelihood estimate, ``H^-1 J H^-1``.

    ``J = A^T diag(w p (1 - p)) A`` is the observed Fisher information of the log-likelihood at
    the fit (``A = [1, Z]``), ``H = J + P`` that of the penalised log-likelihood, ``P`` the
    Hessian of the L2 penalty ``||beta||^2 / (2 C)`` (zero for the intercept unless liblinear
    penalises it). Without a penalty ``H = J`` and this is the classical ``J^-1``. With one, it
    is the usual ridge formula: ``H^-1`` alone would add the prior's variance along directions
    the data do not identify (shifting every level of a one-hot block against the intercept).
    """
    penalty, _ = _penalty(estimator)
    if penalty not in (None, "l2"):
        raise ValueError(f"Wald standard errors need an L2 or no penalty, the model uses {penalty!r}; "
                         "use method='bootstrap'")
    coef = estimator.coef_[0]
    intercept = float(estimator.intercept_[0]) if estimator.fit_intercept else 0.0
    p = expit(Z @ coef + intercept)
    A = np.column_stack([np.ones(len(Z)), Z]) if estimator.fit_intercept else Z
    information = A.T @ (A * (weights * p * (1 - p))[:, None])
    penalised = information + np.diag(_ridge(estimator, A.shape[1]))
    if not np.all(np.isfinite(penalised)) or np.linalg.cond(penalised) > 1e12:
        raise ValueError("the information matrix is singular (perfectly collinear columns, e.g. "
                         "every one-hot level kept without a penalty, or separated classes); "
                         "drop a reference level, add an L2 penalty or use method='bootstrap'")
    inverse = np.linalg.inv(penalised)
    return inverse @ information @ inverse


def _ridge(estimator: LogisticRegression, n_columns: int) -> np.ndarray | None:
    """Diagonal Hessian of the L2 penalty on ``[intercept, coef]`` (None for L1 / elastic net)."""
    penalty, C = _penalty(estimator)
    if penalty not in (None, "l2"):
        return None
    ridge = np.zeros(n_columns) if penalty is None else np.full(n_columns, 1.0 / C)
    if estimator.fit_intercept:
        ridge[0] = 0.0
        if penalty == "l2" and estimator.solver == "liblinear":
            ridge[0] = 1.0 / (C * estimator.intercept_scaling ** 2)
    return ridge


def _newton_fit(A: np.ndarray, y: np.ndarray, weights: np.ndarray, ridge: np.ndarray,
                start: np.ndarray, max_iter: int = 50) -> np.ndarray | None:
    """Maximise ``sum_i w_i loglik_i(beta) - beta' diag(ridge) beta / 2`` by Newton's method.

    This is LogisticRegression's own objective (L2 or none), solved to ~1e-10 in a few steps from
    ``start``; returns None if it does not converge (e.g. separated classes in a resample).
    """
    beta = start.copy()
    for _ in range(max_iter):
        p = expit(A @ beta)
        gradient = A.T @ (weights * (y - p)) - ridge * beta
        hessian = A.T @ (A * (weights * p * (1 - p))[:, None]) + np.diag(ridge)
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            return beta
    return None


def _bootstrap_coefficients(estimator: LogisticRegression, Z: np.ndarray, y: np.ndarray,
                            n_bootstrap: int, random_state: RandomStateLike) -> tuple[np.ndarray, int]:
    """``[intercept, coef]`` refitted on ``n_bootstrap`` row resamples of ``(Z, y)``.

    L2 / unpenalised models are refitted by :func:`_newton_fit` on the estimator's own objective
    (the optimum ``clone(estimator).fit`` converges to, reached exactly and fast); other penalties
    by ``clone(estimator).fit``. Returns the draws and the number of refits that fell back to
    ``clone(estimator).fit`` or did not converge there.
    """
    rng = as_legacy_random_state(random_state)
    A = np.column_stack([np.ones(len(Z)), Z]) if estimator.fit_intercept else Z
    ridge = _ridge(estimator, A.shape[1])
    start = np.concatenate([np.atleast_1d(estimator.intercept_), estimator.coef_[0]]) \
        if estimator.fit_intercept else estimator.coef_[0].copy()
    classes = np.asarray(estimator.classes_)
    target = (y == classes[1]).astype(float)
    draws, fallbacks, attempts = [], 0, 0
    while len(draws) < n_bootstrap:
        attempts += 1
        if attempts > 100 * n_bootstrap:
            raise ValueError(f"only {len(draws)} of {attempts - 1} bootstrap resamples of y held both classes; "
                             "y has too few rows of one class for the bootstrap: use method='wald'")
        idx = rng.randint(0, len(Z), len(Z))
        if np.unique(y[idx]).size < 2:
            continue
        weights = np.ones(len(idx)) if estimator.class_weight is None else \
            compute_sample_weight(estimator.class_weight, y[idx])
        beta = None if ridge is None else _newton_fit(A[idx], target[idx], weights, ridge, start)
        if beta is None:
            fallbacks += 1
            with warnings.catch_warnings():
                # counted in ``n_sklearn_refits``; the draw is kept as scikit-learn returns it
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = clone(estimator).fit(Z[idx], y[idx])
            beta = np.concatenate([np.atleast_1d(model.intercept_), model.coef_[0]]) \
                if estimator.fit_intercept else model.coef_[0]
        draws.append(beta)
    draws = np.asarray(draws)
    if not estimator.fit_intercept:
        draws = np.column_stack([np.zeros(len(draws)), draws])
    return draws, fallbacks


def _check_labels(y: np.ndarray, estimator: Any) -> None:
    """``y`` must hold both of the model's classes and nothing else: other labels would be refitted
    as another model (a sign flip if the order differs), one class cannot be refitted at all."""
    classes = list(np.asarray(estimator.classes_).tolist())
    present = list(pd.unique(np.asarray(y)).tolist())
    unknown = [c for c in present if c not in classes]
    if unknown:
        raise ValueError(f"y has label(s) {unknown[:5]} that are not the model's classes {classes}; pass the "
                         "labels the model was trained on")
    if len(present) < 2:
        raise ValueError(f"y has only the class {present}; refits and intervals need both classes {classes}")


def _reading(row: pd.Series) -> str:
    if row["kind"] == "numeric":
        if row["scale"] != 1.0 or row["center"] != 0.0:
            return f"per 1 SD ({row['scale']:.3g}) increase of {row['raw_feature']}"
        return f"per unit increase of {row['raw_feature']}"
    if row["kind"] == "onehot":
        if row["reference"] is not None and not (isinstance(row["reference"], float)
                                                 and math.isnan(row["reference"])):
            return f"{row['raw_feature']}={row['category']} vs {row['raw_feature']}={row['reference']}"
        return (f"{row['raw_feature']}={row['category']} vs the average over the levels of "
                f"{row['raw_feature']}")
    return f"per unit of the transformed column {row['feature']}"


@dataclass(frozen=True)
class LogisticCoefficients:
    """Coefficients of a binary logistic model, one row per transformed feature.

    ``coefficient`` is the change in log-odds of class 1 per unit of the transformed feature (one
    SD of a standardised numeric feature; presence of a one-hot level), ``odds_ratio`` is
    ``exp(coefficient)``; ``ci_low``/``ci_high`` bound the coefficient at level ``confidence``.
    """

    table: pd.DataFrame
    intercept: float
    intercept_std_error: float
    method: str
    confidence: float
    n_bootstrap: int = 0
    n_sklearn_refits: int = 0  # bootstrap refits that needed scikit-learn's own solver
    #: Wald: covariance of ``[intercept, coef...]``; bootstrap: None
    covariance: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: bootstrap: one row ``[intercept, coef...]`` per refit; Wald: None
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The transformed features, one per coefficient."""
        return tuple(self.table["feature"])

    def ranking(self) -> list[str]:
        """Transformed features by decreasing ``|coefficient|``."""
        return self.to_frame(sort=True)["feature"].tolist()

    def correlation(self, a: str, b: str) -> float:
        """Correlation of the estimates of coefficients ``a`` and ``b`` (transformed names)."""
        names = list(self.table["feature"])
        unknown = [f for f in (a, b) if f not in names]
        if unknown:
            raise ValueError(f"unknown coefficient(s) {unknown}; choose from {names}")
        i, j = names.index(a) + 1, names.index(b) + 1
        if self.draws is not None:
            return float(np.corrcoef(self.draws[:, i], self.draws[:, j])[0, 1])
        cov = self.covariance
        return float(cov[i, j] / np.sqrt(cov[i, i] * cov[j, j]))

    def to_frame(self, *, sort: bool = False) -> pd.DataFrame:
        """The table (a copy); ``sort=True`` orders it by decreasing ``|coefficient|``."""
        frame = self.table.copy()
        if sort:
            frame = frame.reindex(frame["coefficient"].abs().sort_values(ascending=False).index)
        return frame.reset_index(drop=True)


def logistic_coefficients(model: Any, X: pd.DataFrame, y: Any = None, *, method: str = "wald",
                          confidence: float = 0.95, n_bootstrap: int = 200,
                          random_state: RandomStateLike = 0) -> LogisticCoefficients:
    """Coefficients, odds ratios and confidence intervals of a fitted logistic pipeline.

    The model is ``log(p / (1 - p)) = b0 + sum_j beta_j z_j`` on the transformed features ``z``;
    ``exp(beta_j)`` is the factor by which the odds of class 1 multiply per unit of ``z_j``.

    ``method="wald"`` (default): standard errors from the observed Fisher information at the fitted
    coefficients, ``J = A^T W A`` with ``A = [1, Z]`` and ``W = diag(p_i (1 - p_i))``. For an
    L2-penalised fit (scikit-learn's default, ``C = 1``) the covariance is the ridge sandwich
    ``H^-1 J H^-1`` with ``H = J + I/C`` the information of the penalised log-likelihood (intercept
    unpenalised); for ``C = inf`` it is the classical ``J^-1``. Intervals are
    ``beta +- z_{(1+confidence)/2} SE``. They describe sampling variability only and ignore the
    penalty's bias. ``X`` must be the training data; ``y`` is needed only for ``class_weight``.

    ``method="bootstrap"``: refit the estimator on ``n_bootstrap`` resamples of the rows of
    ``(X, y)`` (seeded by ``random_state``) with the fitted preprocessing held fixed, so every
    resample has the same columns; percentile intervals, SE = SD of the draws. Each refit solves
    the estimator's own penalised objective by Newton's method, the optimum that
    ``clone(estimator).fit`` reaches (L1 penalties use ``clone(estimator).fit`` itself).
    """
    preprocess, estimator = _logistic_estimator(model)
    X = check_rows(X, model)
    if method not in ("wald", "bootstrap"):
        raise ValueError(f"method must be 'wald' or 'bootstrap', got {method!r}")
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    features = transformed_features(model)
    n_parameters = estimator.coef_.shape[1] + int(estimator.fit_intercept)
    if len(X) <= n_parameters:
        raise ValueError(f"X has {len(X)} rows for {n_parameters} coefficients; standard errors and intervals "
                         "need more rows than coefficients (pass the training data)")
    if y is not None:
        y = check_target(y, X)
        _check_labels(y, estimator)
    Z = transform(preprocess, X)
    coef = estimator.coef_[0].astype(float)
    intercept = float(estimator.intercept_[0]) if estimator.fit_intercept else 0.0
    failed, covariance, draws = 0, None, None
    if method == "wald":
        if estimator.class_weight is not None and y is None:
            raise ValueError("the model uses class_weight, so pass y to weight the information matrix")
        weights = np.ones(len(Z)) if estimator.class_weight is None else \
            compute_sample_weight(estimator.class_weight, y)
        covariance = _wald_covariance(estimator, Z, weights)
        if not estimator.fit_intercept:
            covariance = np.pad(covariance, ((1, 0), (1, 0)))  # a zero row for the intercept
        se = np.sqrt(np.diag(covariance))
        z = stats.norm.ppf(0.5 + confidence / 2)
        se_coef = se[1:]
        low, high = coef - z * se_coef, coef + z * se_coef
        intercept_se = float(se[0])
    else:
        if y is None:
            raise ValueError("method='bootstrap' refits the model, so pass the training labels y")
        check_positive_int(n_bootstrap, name="n_bootstrap", minimum=2)
        check_random_state(random_state)
        # thousands of tiny matrix products: BLAS threads only contend (30x slower on a busy host)
        with threadpool_limits(limits=1, user_api="blas"):
            draws, failed = _bootstrap_coefficients(estimator, Z, y, n_bootstrap, random_state)
        tail = 100 * (1 - confidence) / 2
        low, high = np.percentile(draws[:, 1:], [tail, 100 - tail], axis=0)
        se_coef = draws[:, 1:].std(axis=0, ddof=1)
        intercept_se = float(draws[:, 0].std(ddof=1))
    table = features.assign(
        coefficient=coef, std_error=se_coef, ci_low=low, ci_high=high,
        odds_ratio=np.exp(coef), odds_ratio_low=np.exp(low), odds_ratio_high=np.exp(high),
        per_unit_coefficient=np.where(features["kind"] == "numeric", coef / features["scale"], np.nan),
    )
    table["reading"] = table.apply(_reading, axis=1)
    return LogisticCoefficients(table=table, intercept=intercept, intercept_std_error=intercept_se,
                                method=method, confidence=float(confidence),
                                n_bootstrap=n_bootstrap if method == "bootstrap" else 0,
                                n_sklearn_refits=failed, covariance=covariance, draws=draws)


@dataclass(frozen=True)
class LogisticContributions:
    """One row's log-odds split into per-raw-feature contributions around a background average.

    ``base_value + sum(contribution) == log_odds`` (the model's log-odds for the row).
    """

    frame: pd.DataFrame = field(repr=False)
    base_value: float
    log_odds: float
    probability: float
    confidence: float | None = None

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(self.frame["feature"])

    @property
    def prediction(self) -> float:
        """The model's log-odds for the row (the output being explained)."""
        return self.log_odds

    def ranking(self) -> list[str]:
        """Feature names by decreasing ``|contribution|``."""
        return self.to_frame()["feature"].tolist()

    def to_frame(self, *, sort: bool = True) -> pd.DataFrame:
        """Per raw feature: the row's value, the contribution and (if computed) its interval;
        sorted by decreasing ``|contribution|`` unless ``sort=False``."""
        frame = self.frame.copy()
        if sort:
            frame = frame.reindex(frame["contribution"].abs().sort_values(ascending=False).index)
        return frame.reset_index(drop=True)


def logistic_contributions(model: Any, x: pd.DataFrame, background: pd.DataFrame, *,
                           coefficients: LogisticCoefficients | None = None) -> LogisticContributions:
    """Why this row: ``phi_j = sum_{k in j} beta_k (z_k - mean_background z_k)`` per raw feature.

    For a logistic model the log-odds are additive, so this split is exact: ``base_value`` is the
    mean log-odds over ``background`` and ``base_value + sum_j phi_j`` is the row's log-odds. It is
    the Shapley value of the log-odds under an independent background (Lundberg & Lee 2017).
    With ``coefficients`` (from :func:`logistic_coefficients` on the same model) each
    contribution also gets an interval from the coefficients' uncertainty: percentiles over the
    bootstrap draws, or ``phi_j +- z SE`` with ``SE^2 = a' Cov a`` for Wald.
    """
    preprocess, estimator = _logistic_estimator(model)
    x = check_one_row(x, model)
    background = check_rows(background, model, name="background")
    if coefficients is not None and not isinstance(coefficients, LogisticCoefficients):
        raise TypeError("coefficients must come from logistic_coefficients(...) on the same model")
    columns = transformed_features(model)
    coef = estimator.coef_[0]
    if coefficients is not None and not np.array_equal(coefficients.table["coefficient"].to_numpy(), coef):
        raise ValueError("coefficients were computed for a different model; recompute them for this one")
    z = transform(preprocess, x)[0]
    centre = transform(preprocess, background).mean(axis=0)
    delta = z - centre
    raw = columns["raw_feature"].fillna(columns["feature"]).to_numpy()
    order = list(dict.fromkeys(raw))
    groups = np.array([[r == name for r in raw] for name in order], dtype=float)  # raw x columns
    phi = groups @ (coef * delta)
    values = [x.iloc[0][name] if name in x.columns else z[list(raw).index(name)] for name in order]
    frame = pd.DataFrame({"feature": order,
                          "value": [v.item() if isinstance(v, np.generic) else v for v in values],
                          "contribution": phi})
    confidence = None
    if coefficients is not None:
        confidence = coefficients.confidence
        if coefficients.draws is not None:
            samples = coefficients.draws[:, 1:] * delta @ groups.T  # draws x raw
            tail = 100 * (1 - confidence) / 2
            frame["ci_low"], frame["ci_high"] = np.percentile(samples, [tail, 100 - tail], axis=0)
        else:
            cov = coefficients.covariance[1:, 1:]
            a = groups * delta  # raw x columns
            se = np.sqrt(np.einsum("ij,jk,ik->i", a, cov, a))
            half = stats.norm.ppf(0.5 + confidence / 2) * se
            frame["ci_low"], frame["ci_high"] = phi - half, phi + half
    intercept = float(estimator.intercept_[0]) if estimator.fit_intercept else 0.0
    baseline = float(intercept + coef @ centre)
    log_odds = float(intercept + coef @ z)
    return LogisticContributions(frame=frame, base_value=baseline, log_odds=log_odds,
                                 probability=float(expit(log_odds)), confidence=confidence)


def mean_abs_contributions(model: Any, X: pd.DataFrame, background: pd.DataFrame | None = None
                           ) -> pd.DataFrame:
    """A global ranking built from the local splits: mean over the rows of ``X`` of
    ``|phi_j(x)|`` (:func:`logistic_contributions`, background ``background`` or ``X``), per raw
    feature, largest first. Vectorised: one transform of ``X``, no loop over rows."""
    preprocess, estimator = _logistic_estimator(model)
    X = check_rows(X, model)
    background = X if background is None else check_rows(background, model, name="background")
    columns = transformed_features(model)
    raw = columns["raw_feature"].fillna(columns["feature"]).to_numpy()
    order = list(dict.fromkeys(raw))
    groups = np.array([[r == name for r in raw] for name in order], dtype=float)
    Z = transform(preprocess, X)
    centre = transform(preprocess, background).mean(axis=0)
    phi = ((Z - centre) * estimator.coef_[0]) @ groups.T  # rows x raw features
    frame = pd.DataFrame({"feature": order, "mean_abs_contribution": np.abs(phi).mean(axis=0)})
    return frame.sort_values("mean_abs_contribution", ascending=False, ignore_index=True)

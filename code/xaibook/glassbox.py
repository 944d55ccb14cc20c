"""Glass-box models explained from their own parameters, and the book's map of methods.

A glass-box model needs no separate explanation method: its parameters *are* the explanation.
This module reads them out of the case-study pipelines (``preprocess`` ColumnTransformer +
``model`` estimator) in the units a reader understands:

:func:`transformed_features`
    what each column the estimator sees means: raw feature, one-hot category, and the affine map
    ``z = (x - center) / scale`` of a standardised numeric feature.
:func:`logistic_coefficients`
    a logistic regression's coefficients (log-odds per standard deviation, or per one-hot level)
    and odds ratios ``exp(coef)``, with Wald or bootstrap confidence intervals.
:func:`logistic_contributions`
    one row's log-odds split exactly into per-feature contributions (global vs local).
:func:`tree_rules`, :func:`decision_path`, :func:`refit_trees`
    a decision tree as a list of if-then rules (the same rules, and for the transformed features
    the same text, as :func:`sklearn.tree.export_text`), the path one row takes to its leaf, and
    how much both move when the tree is refitted on resampled data.
:func:`paired_auc_difference`
    the ROC AUC gap between two models on one test set, with a paired bootstrap interval.
:func:`spline_gam`, :func:`shape_functions`
    a generalised additive model (Hastie & Tibshirani 1986) from scikit-learn parts: spline
    features + logistic regression, and its per-feature shape functions.
:func:`whatif_spec`
    everything a browser needs to evaluate a logistic model live, with sliders in raw units.
:func:`method_map`
    the explanation methods of the book by scope, model dependence, output kind and cost.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.special import expit
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_limits

from xaibook._validation import (
    align_target,
    as_legacy_random_state,
    check_features,
    check_fitted_model,
    check_frame,
    check_model_input,
    check_positive_int,
    check_random_state,
    check_target,
)

__all__ = [
    "transformed_features", "logistic_coefficients", "LogisticCoefficients",
    "logistic_contributions", "LogisticContributions", "mean_abs_contributions",
    "tree_rules", "TreeRules", "Rule", "Condition", "decision_path", "DecisionPath", "PathStep",
    "refit_trees", "TreeRefits", "paired_auc_difference", "AucDifference",
    "spline_gam", "shape_functions", "ShapeFunctions", "whatif_spec", "WhatIfSpec", "method_map",
]


# --------------------------------------------------------------------------------------------
# Pipelines: split them, and say what each transformed column means
# --------------------------------------------------------------------------------------------

def _split_model(model: Any, *, name: str = "pipeline") -> tuple[Any, Any]:
    """``(preprocess or None, estimator)`` of a fitted Pipeline, or ``(None, model)``."""
    check_fitted_model(model, name=name)
    if isinstance(model, Pipeline):
        estimator = model.steps[-1][1]
        preprocess = model[:-1] if len(model.steps) > 1 else None
        if isinstance(preprocess, Pipeline) and len(preprocess.steps) == 1:
            preprocess = preprocess.steps[0][1]
        if preprocess in ("passthrough", None):
            preprocess = None
        return preprocess, estimator
    return None, model


def _input_columns(preprocess: Any, estimator: Any) -> list[str]:
    source = preprocess if preprocess is not None else estimator
    names = getattr(source, "feature_names_in_", None)
    if names is None:
        n = getattr(source, "n_features_in_", 0)
        return [f"x{i}" for i in range(n)]
    return [str(c) for c in names]


def _is_identity(step: Any) -> bool:
    if step in (None, "passthrough"):
        return True
    if isinstance(step, FunctionTransformer) and step.func is None:
        return True
    # an imputer leaves complete data unchanged (the book's data have no missing values)
    return isinstance(step, SimpleImputer) and not getattr(step, "add_indicator", False)


def _describe_block(transformer: Any, columns: list[str], n_out: int) -> list[dict]:
    """One dict per output column of ``transformer`` applied to ``columns``."""
    steps = transformer.steps if isinstance(transformer, Pipeline) else [(None, transformer)]
    center = np.zeros(len(columns))
    scale = np.ones(len(columns))
    affine = True
    for _, step in steps:
        if _is_identity(step):
            continue
        if isinstance(step, StandardScaler) and affine:
            mean = step.mean_ if step.mean_ is not None else np.zeros(len(columns))
            sd = step.scale_ if step.scale_ is not None else np.ones(len(columns))
            center = center + mean * scale
            scale = scale * sd
            continue
        if isinstance(step, OneHotEncoder) and step is steps[-1][1] and np.all(center == 0) \
                and np.all(scale == 1):
            return _describe_one_hot(step, columns, n_out)
        affine = False
    if affine and n_out == len(columns):
        return [{"feature": c, "raw_feature": c, "kind": "numeric", "category": None,
                 "center": float(m), "scale": float(s)} for c, m, s in zip(columns, center, scale)]
    return _describe_other(transformer, columns, n_out)


def _describe_one_hot(encoder: OneHotEncoder, columns: list[str], n_out: int) -> list[dict]:
    rows = []
    infrequent = getattr(encoder, "infrequent_categories_", None)
    if infrequent is not None and any(i is not None for i in infrequent):
        return _describe_other(encoder, columns, n_out)
    drop_idx = encoder.drop_idx_
    for i, column in enumerate(columns):
        dropped = None if drop_idx is None or drop_idx[i] is None else encoder.categories_[i][drop_idx[i]]
        for category in encoder.categories_[i]:
            if dropped is not None and category == dropped:
                continue
            rows.append({"feature": f"{column}={category}", "raw_feature": column, "kind": "onehot",
                         "category": category, "center": np.nan, "scale": np.nan,
                         "reference": dropped})
    if len(rows) != n_out:  # pragma: no cover - an encoder option we do not model
        return _describe_other(encoder, columns, n_out)
    return rows


def _describe_other(transformer: Any, columns: list[str], n_out: int) -> list[dict]:
    try:
        names = [str(n) for n in transformer.get_feature_names_out(columns)]
    except Exception:  # noqa: BLE001 - a transformer without names
        names = [f"{'+'.join(columns)}_{k}" for k in range(n_out)]
    per_column = n_out // len(columns) if columns and n_out % len(columns) == 0 else 0
    rows = []
    for k, out_name in enumerate(names):
        if len(columns) == 1:
            raw = columns[0]
        elif per_column and isinstance(transformer, SplineTransformer):
            raw = columns[k // per_column]
        else:
            raw = None
        rows.append({"feature": out_name, "raw_feature": raw, "kind": "other", "category": None,
                     "center": np.nan, "scale": np.nan})
    return rows


def _resolve_columns(ct: ColumnTransformer, columns: Any) -> list[str]:
    names = list(getattr(ct, "feature_names_in_", []))
    if isinstance(columns, str):
        return [columns]
    columns = list(np.atleast_1d(columns))
    if columns and isinstance(columns[0], (bool, np.bool_)):
        return [str(n) for n, keep in zip(names, columns) if keep]
    if columns and isinstance(columns[0], (int, np.integer)):
        return [str(names[i]) if names else f"x{i}" for i in columns]
    return [str(c) for c in columns]


def transformed_features(pipeline: Any) -> pd.DataFrame:
    """What each column seen by the pipeline's final estimator means, in order.

    Returns one row per transformed column with ``feature`` (a readable name: the raw name for a
    numeric feature, ``"purpose=car"`` for a one-hot level), ``raw_feature``, ``kind``
    (``"numeric"``, ``"onehot"`` or ``"other"``), ``category``, ``reference`` (the dropped level
    of a one-hot block, if any) and, for numeric features, ``center`` and ``scale`` such that the
    estimator sees ``z = (x - center) / scale`` (StandardScaler: the training mean and SD).
    """
    preprocess, estimator = _split_model(pipeline)
    inputs = _input_columns(preprocess, estimator)
    if preprocess is None:
        rows = _describe_block("passthrough", inputs, len(inputs))
    elif isinstance(preprocess, ColumnTransformer):
        rows = []
        for block, transformer, columns in preprocess.transformers_:
            piece = preprocess.output_indices_.get(block, slice(0, 0))
            n_out = piece.stop - piece.start
            if transformer == "drop" or n_out == 0:
                continue
            rows += _describe_block(transformer, _resolve_columns(preprocess, columns), n_out)
    else:
        n_out = int(getattr(estimator, "n_features_in_", len(inputs)))
        rows = _describe_block(preprocess, inputs, n_out)
    frame = pd.DataFrame(rows, columns=["feature", "raw_feature", "kind", "category", "reference",
                                        "center", "scale"])
    n_expected = getattr(estimator, "n_features_in_", len(frame))
    if len(frame) != n_expected:
        raise ValueError(f"could not map the {n_expected} columns the estimator sees to the raw "
                         f"features (found {len(frame)}); use a ColumnTransformer of "
                         "StandardScaler / OneHotEncoder blocks")
    return frame


def _transform(preprocess: Any, X: pd.DataFrame) -> np.ndarray:
    Z = X if preprocess is None else preprocess.transform(X)
    if sparse.issparse(Z):
        Z = Z.toarray()
    return np.asarray(Z, dtype=float)


def _check_rows(X: Any, pipeline: Any, *, name: str = "X") -> pd.DataFrame:
    X = check_frame(X, name=name)
    check_model_input(pipeline, X, name=name)  # columns, numbers where scaled, known categories
    return X


def _check_one_row(row: Any, pipeline: Any) -> pd.DataFrame:
    if isinstance(row, pd.Series):
        row = pd.DataFrame([row.to_dict()], index=[row.name]).infer_objects()
    if isinstance(row, pd.DataFrame) and len(row) != 1:
        raise ValueError(f"row must be exactly one row, got {len(row)} rows; select one with "
                         "X.iloc[[i]] (double brackets keep a DataFrame)")
    return _check_rows(row, pipeline, name="row")


# --------------------------------------------------------------------------------------------
# Logistic regression: coefficients, odds ratios and their uncertainty
# --------------------------------------------------------------------------------------------

def _logistic_estimator(pipeline: Any) -> tuple[Any, LogisticRegression]:
    preprocess, estimator = _split_model(pipeline)
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
                            n_bootstrap: int, random_state: Any) -> tuple[np.ndarray, int]:
    """``[intercept, coef]`` refitted on ``n_bootstrap`` row resamples of ``(Z, y)``.

    L2 / unpenalised models are refitted by :func:`_newton_fit` on the estimator's own objective
    (the optimum ``clone(estimator).fit`` converges to, reached exactly and fast); other penalties
    by ``clone(estimator).fit``. Returns the draws and the number of refits that fell back to
    ``clone(estimator).fit`` or did not converge there.
    """
    rng = as_legacy_random_state(random_state)  # int seeds: the same stream as before
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


def logistic_coefficients(pipeline: Any, X: pd.DataFrame, y: Any = None, *, method: str = "wald",
                          confidence: float = 0.95, n_bootstrap: int = 200,
                          random_state: int = 0) -> LogisticCoefficients:
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
    preprocess, estimator = _logistic_estimator(pipeline)
    X = _check_rows(X, pipeline)
    if method not in ("wald", "bootstrap"):
        raise ValueError(f"method must be 'wald' or 'bootstrap', got {method!r}")
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    features = transformed_features(pipeline)
    n_parameters = estimator.coef_.shape[1] + int(estimator.fit_intercept)
    if len(X) <= n_parameters:
        raise ValueError(f"X has {len(X)} rows for {n_parameters} coefficients; standard errors and intervals "
                         "need more rows than coefficients (pass the training data)")
    if y is not None:
        y = check_target(y, X)
        _check_labels(y, estimator)
    Z = _transform(preprocess, X)
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

    ``baseline + sum(contribution) == log_odds`` (the model's log-odds for the row).
    """

    frame: pd.DataFrame = field(repr=False)
    baseline: float
    log_odds: float
    probability: float
    confidence: float | None = None

    def to_frame(self, *, sort: bool = True) -> pd.DataFrame:
        """Per raw feature: the row's value, the contribution and (if computed) its interval;
        sorted by decreasing ``|contribution|`` unless ``sort=False``."""
        frame = self.frame.copy()
        if sort:
            frame = frame.reindex(frame["contribution"].abs().sort_values(ascending=False).index)
        return frame.reset_index(drop=True)


def logistic_contributions(pipeline: Any, row: pd.DataFrame, background: pd.DataFrame, *,
                           coefficients: LogisticCoefficients | None = None) -> LogisticContributions:
    """Why this row: ``phi_j = sum_{k in j} beta_k (z_k - mean_background z_k)`` per raw feature.

    For a logistic model the log-odds are additive, so this split is exact: ``baseline`` is the
    mean log-odds over ``background`` and ``baseline + sum_j phi_j`` is the row's log-odds. It is
    the Shapley value of the log-odds under an independent background (Lundberg & Lee 2017).
    With ``coefficients`` (from :func:`logistic_coefficients` on the same model) each
    contribution also gets an interval from the coefficients' uncertainty: percentiles over the
    bootstrap draws, or ``phi_j +- z SE`` with ``SE^2 = a' Cov a`` for Wald.
    """
    preprocess, estimator = _logistic_estimator(pipeline)
    row = _check_one_row(row, pipeline)
    background = _check_rows(background, pipeline, name="background")
    if coefficients is not None and not isinstance(coefficients, LogisticCoefficients):
        raise TypeError("coefficients must come from logistic_coefficients(...) on the same model")
    columns = transformed_features(pipeline)
    coef = estimator.coef_[0]
    if coefficients is not None and not np.array_equal(coefficients.table["coefficient"].to_numpy(), coef):
        raise ValueError("coefficients were computed for a different model; recompute them for this one")
    z = _transform(preprocess, row)[0]
    centre = _transform(preprocess, background).mean(axis=0)
    delta = z - centre
    raw = columns["raw_feature"].fillna(columns["feature"]).to_numpy()
    order = list(dict.fromkeys(raw))
    groups = np.array([[r == name for r in raw] for name in order], dtype=float)  # raw x columns
    phi = groups @ (coef * delta)
    values = [row.iloc[0][name] if name in row.columns else z[list(raw).index(name)] for name in order]
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
    return LogisticContributions(frame=frame, baseline=baseline, log_odds=log_odds,
                                 probability=float(expit(log_odds)), confidence=confidence)


def mean_abs_contributions(pipeline: Any, X: pd.DataFrame, background: pd.DataFrame | None = None
                           ) -> pd.DataFrame:
    """A global ranking built from the local splits: mean over the rows of ``X`` of
    ``|phi_j(x)|`` (:func:`logistic_contributions`, background ``background`` or ``X``), per raw
    feature, largest first. Vectorised: one transform of ``X``, no loop over rows."""
    preprocess, estimator = _logistic_estimator(pipeline)
    X = _check_rows(X, pipeline)
    background = X if background is None else _check_rows(background, pipeline, name="background")
    columns = transformed_features(pipeline)
    raw = columns["raw_feature"].fillna(columns["feature"]).to_numpy()
    order = list(dict.fromkeys(raw))
    groups = np.array([[r == name for r in raw] for name in order], dtype=float)
    Z = _transform(preprocess, X)
    centre = _transform(preprocess, background).mean(axis=0)
    phi = ((Z - centre) * estimator.coef_[0]) @ groups.T  # rows x raw features
    frame = pd.DataFrame({"feature": order, "mean_abs_contribution": np.abs(phi).mean(axis=0)})
    return frame.sort_values("mean_abs_contribution", ascending=False, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Decision trees: rules and decision paths
# --------------------------------------------------------------------------------------------

def _tree_estimator(model: Any, feature_names: Any = None
                    ) -> tuple[Any, DecisionTreeClassifier, pd.DataFrame]:
    preprocess, estimator = _split_model(model, name="model")
    if not isinstance(estimator, DecisionTreeClassifier):
        raise TypeError(f"expected a DecisionTreeClassifier (or a pipeline ending in one), got "
                        f"{type(estimator).__name__}")
    if feature_names is not None:
        names = [str(n) for n in feature_names]
        if len(names) != estimator.n_features_in_:
            raise ValueError(f"feature_names has {len(names)} names but the tree uses "
                             f"{estimator.n_features_in_} features")
        features = pd.DataFrame({"feature": names, "raw_feature": names, "kind": "other",
                                 "category": None, "reference": None, "center": np.nan,
                                 "scale": np.nan})
    elif isinstance(model, Pipeline) or getattr(estimator, "feature_names_in_", None) is not None:
        features = transformed_features(model)
    else:
        names = [f"feature_{i}" for i in range(estimator.n_features_in_)]
        features = pd.DataFrame({"feature": names, "raw_feature": names, "kind": "other",
                                 "category": None, "reference": None, "center": np.nan,
                                 "scale": np.nan})
    return preprocess, estimator, features


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Condition:
    """One test on a path: ``feature operator threshold`` on the transformed column, and its
    reading in raw units (``text``)."""

    feature: str
    operator: str  # "<=" (left child) or ">" (right child)
    threshold: float
    raw_feature: str | None
    raw_threshold: float | None
    text: str

    def holds(self, value: float) -> bool:
        return value <= self.threshold if self.operator == "<=" else value > self.threshold


def _condition(features: pd.DataFrame, j: int, threshold: float, left: bool,
               decimals: int) -> Condition:
    info = features.iloc[j]
    operator = "<=" if left else ">"
    raw_threshold = None
    if info["kind"] == "numeric":
        raw_threshold = float(threshold * info["scale"] + info["center"])
        text = f"{info['raw_feature']} {operator} {raw_threshold:.{decimals}f}"
    elif info["kind"] == "onehot" and 0 < threshold < 1:
        text = f"{info['raw_feature']} {'!=' if left else '='} {info['category']}"
    else:
        text = f"{info['feature']} {operator} {threshold:.{decimals}f}"
    return Condition(feature=str(info["feature"]), operator=operator, threshold=float(threshold),
                     raw_feature=info["raw_feature"], raw_threshold=raw_threshold, text=text)


@dataclass(frozen=True)
class Rule:
    """The conjunction of conditions that leads to one leaf, and what the leaf predicts."""

    leaf: int
    conditions: tuple[Condition, ...]
    n_samples: int
    probabilities: tuple[float, ...]
    predicted_class: Any
    probability: float  # of the target class (classes_[1] for a binary tree)

    @property
    def text(self) -> str:
        return " and ".join(c.text for c in self.conditions) or "(all rows)"


def _node_probabilities(tree: DecisionTreeClassifier, node: int) -> np.ndarray:
    value = np.asarray(tree.tree_.value[node][0], dtype=float)
    return value / value.sum()


@dataclass(frozen=True)
class TreeRules:
    """A classification tree as rules (one per leaf, left to right) plus its node table.

    ``text`` is the tree in :func:`sklearn.tree.export_text` layout with the transformed feature
    names; ``readable_text`` is the same layout with the tests in raw units.
    """

    rules: tuple[Rule, ...]
    nodes: pd.DataFrame
    classes: tuple[Any, ...]
    target_class: Any
    text: str
    readable_text: str

    def to_frame(self) -> pd.DataFrame:
        """One row per leaf: its rule, support and predicted probability of the target class."""
        return pd.DataFrame({
            "leaf": [r.leaf for r in self.rules],
            "rule": [r.text for r in self.rules],
            "n_conditions": [len(r.conditions) for r in self.rules],
            "n_samples": [r.n_samples for r in self.rules],
            "probability": [r.probability for r in self.rules],
            "predicted_class": [r.predicted_class for r in self.rules],
        })

    def __len__(self) -> int:
        return len(self.rules)


def _export_lines(tree: DecisionTreeClassifier, label, leaf_label, *, spacing: int,
                  max_depth: int) -> str:
    """export_text's recursion with pluggable labels (``label(node, left) -> str``)."""
    t = tree.tree_
    out = []

    def depth_below(node: int) -> int:
        if t.children_left[node] == -1:
            return 1
        return 1 + max(depth_below(t.children_left[node]), depth_below(t.children_right[node]))

    def walk(node: int, depth: int) -> None:
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        is_leaf = t.children_left[node] == -1
        if depth <= max_depth + 1:
            if not is_leaf:
                out.append(f"{indent} {label(node, True)}\n")
                walk(t.children_left[node], depth + 1)
                out.append(f"{indent} {label(node, False)}\n")
                walk(t.children_right[node], depth + 1)
            else:
                out.append(f"{indent}{leaf_label(node)}\n")
        elif depth_below(node) == 1:
            out.append(f"{indent}{leaf_label(node)}\n")
        else:
            out.append(f"{indent} truncated branch of depth {depth_below(node)}\n")

    walk(0, 1)
    return "".join(out)


def _classes(estimator: Any) -> list:
    """The estimator's classes as plain Python values (``1``, not ``np.int64(1)``)."""
    return [c.item() if isinstance(c, np.generic) else c for c in estimator.classes_]


def _target_index(classes: list, target_class: Any) -> int:
    if target_class is None:
        return 1 if len(classes) == 2 else 0
    if target_class not in classes:
        raise ValueError(f"target_class {target_class!r} is not one of the model's classes {classes}")
    return classes.index(target_class)


def tree_rules(model: Any, feature_names: Any = None, *, target_class: Any = None,
               decimals: int = 2, spacing: int = 3, max_depth: int = 10) -> TreeRules:
    """Read a fitted classification tree as if-then rules, one per leaf.

    Each rule is the conjunction of the tests from the root to a leaf: at node ``k`` a row goes
    left if ``z[feature_k] <= threshold_k`` and right otherwise (scikit-learn's convention). For
    a pipeline the tests are also given in raw units: a standardised feature's threshold becomes
    ``threshold * scale + center``; a one-hot test ``purpose=car <= 0.5`` reads
    ``purpose != car``. ``text`` equals ``sklearn.tree.export_text(tree, feature_names=...,
    decimals=..., spacing=..., max_depth=...)`` with the transformed names.
    """
    _, tree, features = _tree_estimator(model, feature_names)
    decimals = check_positive_int(decimals, name="decimals", minimum=0)
    spacing = check_positive_int(spacing, name="spacing")
    max_depth = check_positive_int(max_depth, name="max_depth", minimum=0)
    classes = _classes(tree)
    target = _target_index(classes, target_class)
    t = tree.tree_
    names = list(features["feature"])
    parent = np.full(t.node_count, -1)
    went_left = np.zeros(t.node_count, dtype=bool)
    for node in range(t.node_count):
        for child, left in ((t.children_left[node], True), (t.children_right[node], False)):
            if child != -1:
                parent[child], went_left[child] = node, left

    def condition(node: int, left: bool) -> Condition:
        return _condition(features, int(t.feature[node]), float(t.threshold[node]), left, decimals)

    rules, rows = [], []
    depth = np.zeros(t.node_count, dtype=int)
    for node in range(t.node_count):
        if parent[node] >= 0:
            depth[node] = depth[parent[node]] + 1
        probabilities = _node_probabilities(tree, node)
        is_leaf = t.children_left[node] == -1
        rows.append({"node": node, "parent": int(parent[node]), "depth": int(depth[node]),
                     "is_leaf": bool(is_leaf),
                     "feature": None if is_leaf else names[t.feature[node]],
                     "threshold": np.nan if is_leaf else float(t.threshold[node]),
                     "test": None if is_leaf else condition(node, True).text,
                     "edge": None if parent[node] < 0 else condition(parent[node], went_left[node]).text,
                     "n_samples": int(t.n_node_samples[node]),
                     "probability": float(probabilities[target]),
                     "predicted_class": classes[int(np.argmax(probabilities))]})
    # rules, left to right (depth-first, left child first, as export_text prints them)
    stack = [(0, ())]
    while stack:
        node, path = stack.pop()
        if t.children_left[node] == -1:
            probabilities = _node_probabilities(tree, node)
            rules.append(Rule(leaf=node, conditions=path, n_samples=int(t.n_node_samples[node]),
                              probabilities=tuple(float(p) for p in probabilities),
                              predicted_class=classes[int(np.argmax(probabilities))],
                              probability=float(probabilities[target])))
            continue
        stack.append((t.children_right[node], path + (condition(node, False),)))
        stack.append((t.children_left[node], path + (condition(node, True),)))
    nodes = _icicle_layout(pd.DataFrame(rows), t)

    def leaf_label(node: int) -> str:
        return f" class: {classes[int(np.argmax(_node_probabilities(tree, node)))]}"

    def label(node: int, left: bool) -> str:
        op = "<=" if left else "> "
        return f"{names[t.feature[node]]} {op} {_fmt(t.threshold[node], decimals)}"

    def readable(node: int, left: bool) -> str:
        return condition(node, left).text

    kwargs = {"spacing": spacing, "max_depth": max_depth}
    return TreeRules(rules=tuple(rules), nodes=nodes, classes=tuple(classes),
                     target_class=classes[target],
                     text=_export_lines(tree, label, leaf_label, **kwargs),
                     readable_text=_export_lines(tree, readable, leaf_label, **kwargs))


def _icicle_layout(nodes: pd.DataFrame, t: Any) -> pd.DataFrame:
    """Add ``x0``/``x1`` (share of the training rows, left child first) for an icicle chart."""
    x0 = np.zeros(len(nodes))
    x1 = np.zeros(len(nodes))
    x1[0] = 1.0
    total = t.weighted_n_node_samples[0]
    for node in range(len(nodes)):  # parents come before children
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:
            continue
        x0[left] = x0[node]
        x1[left] = x0[node] + t.weighted_n_node_samples[left] / total
        x0[right] = x1[left]
        x1[right] = x1[node]
    return nodes.assign(x0=x0, x1=x1)


@dataclass(frozen=True)
class PathStep:
    """One internal node a row passes: the test, the row's value and the branch taken."""

    node: int
    depth: int
    feature: str
    threshold: float
    value: float          # the row's transformed value
    raw_feature: str | None
    raw_value: Any        # the row's value in raw units
    condition: Condition  # the test that held (the branch the row took)
    n_samples: int
    probability: float    # share of the target class among training rows at this node


@dataclass(frozen=True)
class DecisionPath:
    """The root-to-leaf path of one row, with the leaf's class probabilities."""

    steps: tuple[PathStep, ...]
    leaf: int
    leaf_n_samples: int
    probabilities: tuple[float, ...]
    classes: tuple[Any, ...]
    target_class: Any
    probability: float
    root_probability: float

    def to_frame(self) -> pd.DataFrame:
        """One row per node on the path (the leaf last, with no test)."""
        rows = [{"step": i, "node": s.node, "depth": s.depth, "feature": s.feature,
                 "raw_feature": s.raw_feature, "raw_value": s.raw_value, "value": s.value,
                 "threshold": s.threshold, "direction": s.condition.operator,
                 "test": s.condition.text, "n_samples": s.n_samples, "probability": s.probability}
                for i, s in enumerate(self.steps)]
        rows.append({"step": len(self.steps), "node": self.leaf, "depth": len(self.steps),
                     "feature": None, "raw_feature": None, "raw_value": None, "value": np.nan,
                     "threshold": np.nan, "direction": None, "test": "leaf",
                     "n_samples": self.leaf_n_samples, "probability": self.probability})
        return pd.DataFrame(rows)

    @property
    def text(self) -> str:
        tests = " and ".join(s.condition.text for s in self.steps) or "(root is a leaf)"
        return f"{tests} -> P({self.target_class}) = {self.probability:.3f}"


def decision_path(model: Any, row: pd.DataFrame, *, target_class: Any = None,
                  decimals: int = 2) -> DecisionPath:
    """The tests one row passes from the root of a fitted tree (or tree pipeline) to its leaf.

    Uses ``tree.decision_path``; at each internal node the row goes left iff its transformed
    value is ``<= threshold``. The leaf's class shares are the tree's ``predict_proba`` for the
    row; ``raw_value`` is the row's value of the raw feature behind the tested column.
    """
    preprocess, tree, features = _tree_estimator(model)
    row = _check_one_row(row, model)
    decimals = check_positive_int(decimals, name="decimals", minimum=0)
    classes = _classes(tree)
    target = _target_index(classes, target_class)
    Z = _transform(preprocess, row)
    nodes = tree.decision_path(Z).indices  # node ids increase along a path
    t = tree.tree_
    steps = []
    for depth, node in enumerate(nodes[:-1]):
        j = int(t.feature[node])
        value = float(Z[0, j])
        left = value <= t.threshold[node]
        raw = features.iloc[j]["raw_feature"]
        raw_value = row.iloc[0][raw] if raw in row.columns else value
        if isinstance(raw_value, np.generic):
            raw_value = raw_value.item()
        steps.append(PathStep(node=int(node), depth=depth, feature=str(features.iloc[j]["feature"]),
                              threshold=float(t.threshold[node]), value=value, raw_feature=raw,
                              raw_value=raw_value,
                              condition=_condition(features, j, float(t.threshold[node]), left, decimals),
                              n_samples=int(t.n_node_samples[node]),
                              probability=float(_node_probabilities(tree, node)[target])))
    leaf = int(nodes[-1])
    probabilities = _node_probabilities(tree, leaf)
    return DecisionPath(steps=tuple(steps), leaf=leaf, leaf_n_samples=int(t.n_node_samples[leaf]),
                        probabilities=tuple(float(p) for p in probabilities),
                        classes=tuple(classes), target_class=classes[target],
                        probability=float(probabilities[target]),
                        root_probability=float(_node_probabilities(tree, 0)[target]))


@dataclass(frozen=True)
class TreeRefits:
    """The same tree specification refitted on bootstrap resamples: how much its rules move."""

    frame: pd.DataFrame = field(repr=False)
    random_state: int | None  # None: the resamples came from a RandomState or Generator

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def refit_trees(pipeline: Any, X: pd.DataFrame, y: Any, *, n_refits: int = 8, random_state: int = 0,
                row: pd.DataFrame | None = None, resample: bool = True) -> TreeRefits:
    """Refit a tree pipeline ``n_refits`` times and record its root test, its second-level tests,
    its size and (if ``row`` is given) the row's predicted probability.

    With ``resample=True`` refit ``k`` trains on a bootstrap resample of ``(X, y)`` drawn with
    ``RandomState(random_state)``; the trees then differ the way they would with another sample
    of applicants. With ``resample=False`` every refit uses all of ``(X, y)`` and only the
    tree's own ``random_state`` changes (``random_state + k``), which only breaks ties.
    """
    _tree_estimator(pipeline)
    X = _check_rows(X, pipeline)
    y = check_target(y, X)
    if pd.unique(y).size < 2:
        raise ValueError(f"y has only the class {pd.unique(y).tolist()}; a tree needs both classes to split")
    n_refits = check_positive_int(n_refits, name="n_refits")
    check_random_state(random_state)
    if row is not None:
        row = _check_one_row(row, pipeline)
    rng = as_legacy_random_state(random_state)
    # the trees' own seeds (resample=False): random_state itself, or drawn from a RandomState / Generator
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else \
        (None if resample else int(rng.randint(2**31 - 1)))
    step = pipeline.steps[-1][0] if isinstance(pipeline, Pipeline) else None
    rows = []
    for k in range(n_refits):
        model = clone(pipeline)
        if resample:
            idx = rng.randint(0, len(X), len(X))
            Xk, yk = X.iloc[idx], y[idx]
        else:
            Xk, yk = X, y
            key = f"{step}__random_state" if step else "random_state"
            model.set_params(**{key: seed + k})
        model.fit(Xk, yk)
        rules = tree_rules(model)
        nodes = rules.nodes
        second = nodes.loc[(nodes["depth"] == 1) & ~nodes["is_leaf"], "test"].tolist()
        record = {"refit": k, "root_test": nodes.loc[0, "test"] or "(a single leaf)",
                  "second_tests": " | ".join(second), "n_leaves": len(rules),
                  "features_used": ", ".join(sorted({c.raw_feature or c.feature for r in rules.rules
                                                     for c in r.conditions}))}
        if row is not None:
            record["row_probability"] = float(model.predict_proba(row)[0, 1])
        rows.append(record)
    return TreeRefits(frame=pd.DataFrame(rows), random_state=seed)


# --------------------------------------------------------------------------------------------
# A generalised additive model from scikit-learn parts
# --------------------------------------------------------------------------------------------

def spline_gam(X: pd.DataFrame, y: Any, *, numeric_features: Any = None, n_knots: int = 5,
               degree: int = 3, C: float = 1.0) -> Pipeline:
    """Fit a logistic GAM ``logit p = b0 + sum_j f_j(x_j)`` (Hastie & Tibshirani 1986).

    Each numeric feature gets its own cubic B-spline basis (``SplineTransformer`` with ``n_knots``
    quantile knots), so ``f_j`` is a smooth curve; categorical features are one-hot encoded
    (``f_j`` is one number per level). An L2-penalised LogisticRegression (strength ``1/C``)
    fits all the pieces at once; the fit is deterministic (lbfgs).
    """
    X = check_frame(X)
    y = check_target(y, X)
    n_knots = check_positive_int(n_knots, name="n_knots", minimum=2)
    degree = check_positive_int(degree, name="degree")
    if numeric_features is None:
        numeric_features = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    numeric = check_features(numeric_features, X) if len(numeric_features) else []
    bad = [c for c in numeric if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise ValueError(f"numeric_features {bad} are not numeric columns")
    categorical = [c for c in X.columns if c not in numeric]
    blocks = [(f"spline_{c}", SplineTransformer(n_knots=n_knots, degree=degree, knots="quantile",
                                                extrapolation="linear"), [c]) for c in numeric]
    if categorical:
        blocks.append(("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                       categorical))
    pipeline = Pipeline([("preprocess", ColumnTransformer(blocks)),
                         ("model", LogisticRegression(C=C, max_iter=5000))])
    return pipeline.fit(X, y)


@dataclass(frozen=True)
class ShapeFunctions:
    """Shape functions ``f_j`` of a GAM on grids, centred to mean zero over the data (log-odds)."""

    frame: pd.DataFrame = field(repr=False)
    features: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def shape_functions(gam: Any, X: pd.DataFrame, features: Any = None, *,
                    grid_points: int = 40) -> ShapeFunctions:
    """Each numeric feature's contribution ``f_j(x)`` to the log-odds of a (spline) GAM.

    By default: every numeric feature with a basis expansion (spline columns), not the numeric
    features the GAM one-hot encoded.

    ``f_j(x) = sum_k beta_k B_k(x)`` over the columns built from feature ``j``, evaluated on a
    grid of ``grid_points`` values between the data's 1st and 99th percentiles and centred so
    that its mean over the rows of ``X`` is zero (the intercept absorbs the constant).
    """
    preprocess, estimator = _logistic_estimator(gam)
    X = _check_rows(X, gam)
    grid_points = check_positive_int(grid_points, name="grid_points", minimum=2)
    columns = transformed_features(gam)
    smooth = columns.groupby("raw_feature")["kind"].agg(lambda kinds: set(kinds) == {"other"})
    spline_raw = [f for f in X.columns if smooth.get(f, False) and pd.api.types.is_numeric_dtype(X[f])]
    features = spline_raw if features is None else check_features(features, X)
    coef = estimator.coef_[0]
    Z = _transform(preprocess, X)
    frames = []
    for feature in features:
        idx = np.flatnonzero(columns["raw_feature"].to_numpy() == feature)
        if not len(idx) or not pd.api.types.is_numeric_dtype(X[feature]):
            raise ValueError(f"features: {feature!r} has no numeric columns in the model (no spline "
                             f"basis); choose from {spline_raw}")
        lo, hi = np.percentile(X[feature], [1, 99])
        grid = np.unique(np.linspace(lo, hi, grid_points))
        probe = pd.concat([X.iloc[[0]]] * len(grid), ignore_index=True)
        probe[feature] = grid.astype(X[feature].dtype) if X[feature].dtype.kind in "iu" \
            and np.allclose(grid, np.round(grid)) else grid
        contribution = _transform(preprocess, probe)[:, idx] @ coef[idx]
        baseline = float(np.mean(Z[:, idx] @ coef[idx]))
        frames.append(pd.DataFrame({"feature": feature, "value": grid,
                                    "contribution": contribution - baseline}))
    return ShapeFunctions(frame=pd.concat(frames, ignore_index=True), features=tuple(features))


# --------------------------------------------------------------------------------------------
# What-if: the logistic model in raw units, for a live chart
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WhatIfSpec:
    """The logistic model for one row as ``p = 1 / (1 + exp(-(intercept + sum_j w_j x_j)))``.

    ``x_j`` are the raw values of the slider features; every other feature is held at the row's
    value and its contribution is folded into ``intercept``. ``ranges`` gives each slider's
    ``(min, max, step)``; ``values`` the row's own values (the sliders' start).
    """

    features: tuple[str, ...]
    intercept: float
    weights: dict[str, float]
    values: dict[str, float]
    ranges: dict[str, tuple[float, float, float]]
    probability: float
    logit: float
    target_class: Any = 1

    def log_odds_at(self, values: dict[str, float] | None = None) -> float:
        """The model's log-odds with the slider features at ``values`` (default: the row's)."""
        values = {**self.values, **(values or {})}
        unknown = sorted(set(values) - set(self.features))
        if unknown:
            raise ValueError(f"unknown slider feature(s) {unknown}; sliders are {list(self.features)}")
        for feature in self.features:
            value = values[feature]
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value):
                raise ValueError(f"values[{feature!r}] must be a finite number, got {value!r}")
        return self.intercept + math.fsum(self.weights[f] * float(values[f]) for f in self.features)

    def probability_at(self, values: dict[str, float] | None = None) -> float:
        """The model's probability of the target class with the sliders at ``values``."""
        return float(expit(self.log_odds_at(values)))

    def expression(self, params: dict[str, str] | None = None) -> str:
        """A Vega expression of the probability; ``params`` maps features to signal names."""
        params = params or {f: f for f in self.features}
        terms = " + ".join(f"({self.weights[f]!r})*{params[f]}" for f in self.features)
        return f"1/(1+exp(-(({self.intercept!r}) + {terms})))"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "feature": list(self.features),
            "weight": [self.weights[f] for f in self.features],
            "value": [self.values[f] for f in self.features],
            "min": [self.ranges[f][0] for f in self.features],
            "max": [self.ranges[f][1] for f in self.features],
            "step": [self.ranges[f][2] for f in self.features],
        })


def _nice_step(low: float, high: float, integer: bool) -> float:
    if integer:
        return 1.0
    raw = (high - low) / 100 if high > low else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return float(min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))


def whatif_spec(pipeline: Any, row: pd.DataFrame, features: Any, *, data: pd.DataFrame | None = None,
                quantiles: tuple[float, float] = (0.0, 1.0)) -> WhatIfSpec:
    """Rewrite a logistic pipeline, for one row, as a formula in the raw slider features.

    For a standardised feature ``z_j = (x_j - m_j) / s_j`` the term ``beta_j z_j`` equals
    ``(beta_j / s_j) x_j - beta_j m_j / s_j``: the weight in raw units is ``beta_j / s_j`` and
    the constant moves into the intercept, as does the contribution ``sum_k beta_k z_k`` of every
    column not built from a slider feature (held at the row's values). So at the row's own values
    the formula equals ``predict_proba`` exactly (up to rounding). Slider ranges are the
    ``quantiles`` of ``data`` (default min and max), widened to include the row's value; without
    ``data``, the training mean +- 3 SD. Integer columns step by 1.
    """
    preprocess, estimator = _logistic_estimator(pipeline)
    row = _check_one_row(row, pipeline)
    features = check_features(features, row)
    if len(set(features)) != len(features):
        raise ValueError(f"features {features} has duplicates")
    if data is not None:
        data = _check_rows(data, pipeline, name="data")
    try:
        lo_q, hi_q = (float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise ValueError(f"quantiles must be two numbers (low, high) in [0, 1], got {quantiles!r}") from None
    if not 0 <= lo_q < hi_q <= 1:
        raise ValueError(f"quantiles must satisfy 0 <= low < high <= 1, got {quantiles}")
    columns = transformed_features(pipeline)
    coef = estimator.coef_[0]
    z = _transform(preprocess, row)[0]
    slider_cols = columns["raw_feature"].isin(features).to_numpy()
    for f in features:
        kinds = set(columns.loc[columns["raw_feature"] == f, "kind"])
        if kinds != {"numeric"}:
            raise ValueError(f"feature {f!r} is not a standardised or passed-through numeric feature "
                             f"(its columns are {sorted(kinds) or 'absent'}); sliders need numeric "
                             "features on an affine scale")
    intercept = float(estimator.intercept_[0]) if estimator.fit_intercept else 0.0
    intercept = math.fsum([intercept, *(coef[~slider_cols] * z[~slider_cols])])
    weights, values, ranges = {}, {}, {}
    shifts = []
    for f in features:
        j = int(np.flatnonzero(columns["raw_feature"].to_numpy() == f)[0])
        center, scale = float(columns.at[j, "center"]), float(columns.at[j, "scale"])
        weights[f] = float(coef[j] / scale)
        shifts.append(-coef[j] * center / scale)
        value = row.iloc[0][f]
        values[f] = value.item() if isinstance(value, np.generic) else value
        integer = pd.api.types.is_integer_dtype(row[f]) if data is None else \
            pd.api.types.is_integer_dtype(data[f])
        if data is not None:
            low, high = (float(v) for v in np.quantile(data[f], [lo_q, hi_q]))
        else:
            low, high = center - 3 * scale, center + 3 * scale
        low, high = min(low, float(values[f])), max(high, float(values[f]))
        step = _nice_step(low, high, integer)
        digits = max(0, -math.floor(math.log10(step)))
        low = round(math.floor(low / step) * step, digits)
        high = round(math.ceil(high / step) * step, digits)
        if integer:
            low, high = int(low), int(high)
        ranges[f] = (low, high, step)
    intercept = math.fsum([intercept, *shifts])
    classes = _classes(estimator)
    spec = WhatIfSpec(features=tuple(features), intercept=intercept, weights=weights, values=values,
                      ranges=ranges, probability=0.0, logit=0.0, target_class=classes[1])
    logit = spec.log_odds_at()
    return WhatIfSpec(features=tuple(features), intercept=intercept, weights=weights, values=values,
                      ranges=ranges, probability=float(expit(logit)), logit=logit,
                      target_class=classes[1])


# --------------------------------------------------------------------------------------------
# The accuracy-interpretability trade-off, with its uncertainty
# --------------------------------------------------------------------------------------------

def _rank_auc(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of each row of ``scores`` against the matching row of ``y`` (Mann-Whitney U)."""
    ranks = stats.rankdata(scores, axis=-1)  # average ranks: ties count one half
    n_pos = y.sum(axis=-1)
    n_neg = y.shape[-1] - n_pos
    return ((ranks * y).sum(axis=-1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@dataclass(frozen=True)
class AucDifference:
    """``auc_a - auc_b`` on one test set with a paired bootstrap interval."""

    auc_a: float
    auc_b: float
    difference: float
    ci_low: float
    ci_high: float
    confidence: float
    n_bootstrap: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def paired_auc_difference(y: Any, proba_a: Any, proba_b: Any, *, n_bootstrap: int = 2000,
                          confidence: float = 0.95, random_state: int = 0) -> AucDifference:
    """Difference of two models' ROC AUC on the same test rows, with a paired percentile
    bootstrap interval (resample rows once, score both models on the same resample).

    The AUC is computed as the Mann-Whitney statistic from average ranks, vectorised over the
    resamples; resamples with a single class are redrawn.
    """
    if isinstance(y, pd.Series):  # pandas scores are paired with y by their index labels
        proba_a = align_target(proba_a, y.to_frame(), name="proba_a", frame_name="y")
        proba_b = align_target(proba_b, y.to_frame(), name="proba_b", frame_name="y")
    y = np.asarray(y)
    a, b = np.asarray(proba_a, dtype=float), np.asarray(proba_b, dtype=float)
    if y.ndim != 1 or a.shape != y.shape or b.shape != y.shape:
        raise ValueError(f"y, proba_a and proba_b must be 1-D of equal length, got shapes "
                         f"{y.shape}, {a.shape}, {b.shape}")
    if pd.isna(y).any():
        raise ValueError("y contains missing values")
    for label, proba in (("proba_a", a), ("proba_b", b)):
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"{label} contains NaN or infinite values; pass finite scores")
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(f"y must contain exactly two classes, got {classes.tolist()}")
    n_bootstrap = check_positive_int(n_bootstrap, name="n_bootstrap", minimum=10)
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    check_random_state(random_state)
    positive = (y == classes[1]).astype(float)
    rng = as_legacy_random_state(random_state)
    idx = rng.randint(0, len(y), (n_bootstrap, len(y)))
    for _ in range(100):  # redraw resamples with a single class (no AUC) until all n_bootstrap have two
        both = positive[idx].sum(axis=1)
        single = (both == 0) | (both == len(y))
        if not single.any():
            break
        idx[single] = rng.randint(0, len(y), (int(single.sum()), len(y)))
    else:
        raise ValueError(f"too many bootstrap resamples of y hold a single class (y has {int(positive.sum())} "
                         f"of {len(y)} rows in class {classes[1]!r}); the interval needs more rows of each class")
    diffs = _rank_auc(positive[idx], a[idx]) - _rank_auc(positive[idx], b[idx])
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    auc_a, auc_b = float(_rank_auc(positive, a)), float(_rank_auc(positive, b))
    return AucDifference(auc_a=auc_a, auc_b=auc_b, difference=auc_a - auc_b, ci_low=float(low),
                         ci_high=float(high), confidence=float(confidence), n_bootstrap=len(idx))


# --------------------------------------------------------------------------------------------
# The map of methods
# --------------------------------------------------------------------------------------------

_METHODS = [
    # method, scope, model dependence, output kind, cost level (1 cheap .. 4 expensive), cost note,
    # chapter number, chapter label
    ("Logistic coefficients", "global + local", "model-specific (linear models)", "model parameters",
     1, "free: read from the fitted model", 2, "ch-basics"),
    ("Tree rules and paths", "global + local", "model-specific (trees)", "model parameters",
     1, "free: read from the fitted tree", 2, "ch-basics"),
    ("Permutation importance", "global", "model-agnostic", "feature attribution",
     2, "p x repeats x n predictions", 3, "ch-permutation-importance"),
    ("Partial dependence (PDP)", "global", "model-agnostic", "feature effect curve",
     2, "grid x n predictions per feature", 4, "ch-partial-dependence"),
    ("ICE curves", "local", "model-agnostic", "feature effect curve",
     2, "grid x n predictions per feature", 4, "ch-partial-dependence"),
    ("Accumulated local effects (ALE)", "global", "model-agnostic", "feature effect curve",
     2, "2 x n predictions per feature", 4, "ch-partial-dependence"),
    ("Exact Shapley values", "local (averaged: global)", "model-agnostic", "feature attribution",
     4, "2^p coalitions x background per row", 5, "ch-shap"),
    ("KernelSHAP", "local (averaged: global)", "model-agnostic", "feature attribution",
     3, "samples x background predictions per row", 5, "ch-shap"),
    ("TreeSHAP", "local (averaged: global)", "model-specific (trees)", "feature attribution",
     1, "polynomial in tree size, no predictions", 5, "ch-shap"),
    ("LIME", "local", "model-agnostic", "feature attribution (surrogate)",
     2, "samples predictions + a small fit per row", 6, "ch-lime"),
    ("Counterfactual explanations", "local", "model-agnostic", "counterfactual",
     3, "an optimisation per row (many predictions)", 7, "ch-counterfactuals"),
    ("Prototypes and nearest examples", "local", "model-agnostic", "example-based",
     2, "distances to the training rows", 8, "ch-limits"),
]


def method_map() -> pd.DataFrame:
    """The explanation methods of the book by scope, model dependence, output and cost.

    ``cost_level`` runs from 1 (free or nearly) to 4 (exponential in the number of features);
    ``cost`` says what dominates, in model predictions for a data set of ``n`` rows and ``p``
    features. ``chapter`` and ``label`` say where the book treats the method.
    """
    frame = pd.DataFrame(_METHODS, columns=["method", "scope", "model", "output", "cost_level",
                                            "cost", "chapter", "label"])
    frame["local"] = frame["scope"].str.contains("local")
    frame["global"] = frame["scope"].str.contains("global")
    frame["agnostic"] = frame["model"] == "model-agnostic"
    return frame

"""A generalised additive model (Hastie & Tibshirani 1986) from scikit-learn parts.

:func:`spline_gam`
    spline features + ridge-penalised logistic regression, fitted (a regression spline: small
    basis, no roughness penalty).
:func:`shape_functions`
    its per-feature shape functions ``f_j``, centred, on the log-odds scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer

from xaibook._validation import check_features, check_frame, check_positive_int, check_rows, check_target
from xaibook.glassbox.logistic import _logistic_estimator
from xaibook.pipeline import transform, transformed_features

__all__ = ["spline_gam", "shape_functions", "ShapeFunctions"]


def spline_gam(X: pd.DataFrame, y: Any, *, numeric_features: Any = None, n_knots: int = 5,
               degree: int = 3, C: float = 1.0) -> Pipeline:
    """Fit a logistic GAM ``logit p = b0 + sum_j f_j(x_j)`` (Hastie & Tibshirani 1986) as a
    regression spline.

    Each feature in ``numeric_features`` (default: every numeric column) gets its own B-spline
    basis of ``n_knots + degree - 1`` columns (``SplineTransformer`` with ``n_knots`` quantile
    knots), so ``f_j`` is a smooth curve. Every other column is one-hot encoded (``f_j`` is one
    number per level), *including numeric columns left out of* ``numeric_features``: pass a short
    list and the remaining numeric columns become categories. One LogisticRegression fits all the
    pieces at once; its L2 penalty (strength ``1/C``) shrinks every coefficient towards zero. That
    is a ridge penalty, not a roughness penalty: the curves are smooth because the basis is small,
    not because wiggles are penalised as in the P-splines of Eilers & Marx (1996) or the penalised
    regression splines of Wood (2017), which use many knots and a penalty on differences of
    neighbouring coefficients. The fit is deterministic (lbfgs).
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


def shape_functions(model: Any, X: pd.DataFrame, features: Any = None, *,
                    grid_resolution: int = 40) -> ShapeFunctions:
    """Each numeric feature's contribution ``f_j(x)`` to the log-odds of a (spline) GAM.

    By default: every numeric feature with a basis expansion (spline columns), not the numeric
    features the GAM one-hot encoded.

    ``f_j(x) = sum_k beta_k B_k(x)`` over the columns built from feature ``j``, evaluated on a
    grid of ``grid_resolution`` values between the data's 1st and 99th percentiles and centred so
    that its mean over the rows of ``X`` is zero (the intercept absorbs the constant).
    """
    preprocess, estimator = _logistic_estimator(model)
    X = check_rows(X, model)
    grid_resolution = check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    columns = transformed_features(model)
    smooth = columns.groupby("raw_feature")["kind"].agg(lambda kinds: set(kinds) == {"other"})
    spline_raw = [f for f in X.columns if smooth.get(f, False) and pd.api.types.is_numeric_dtype(X[f])]
    features = spline_raw if features is None else check_features(features, X)
    coef = estimator.coef_[0]
    Z = transform(preprocess, X)
    frames = []
    for feature in features:
        idx = np.flatnonzero(columns["raw_feature"].to_numpy() == feature)
        if not len(idx) or not pd.api.types.is_numeric_dtype(X[feature]):
            raise ValueError(f"features: {feature!r} has no numeric columns in the model (no spline "
                             f"basis); choose from {spline_raw}")
        lo, hi = np.percentile(X[feature], [1, 99])
        grid = np.unique(np.linspace(lo, hi, grid_resolution))
        probe = pd.concat([X.iloc[[0]]] * len(grid), ignore_index=True)
        probe[feature] = grid.astype(X[feature].dtype) if X[feature].dtype.kind in "iu" \
            and np.allclose(grid, np.round(grid)) else grid
        contribution = transform(preprocess, probe)[:, idx] @ coef[idx]
        baseline = float(np.mean(Z[:, idx] @ coef[idx]))
        frames.append(pd.DataFrame({"feature": feature, "value": grid,
                                    "contribution": contribution - baseline}))
    return ShapeFunctions(frame=pd.concat(frames, ignore_index=True), features=tuple(features))

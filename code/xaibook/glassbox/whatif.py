"""What-if: a logistic pipeline rewritten, for one row, as a formula in raw units for a live chart.

:func:`whatif_spec` gives everything a browser needs to evaluate the model with sliders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from xaibook._validation import check_features, check_one_row, check_rows
from xaibook.glassbox.logistic import _logistic_estimator
from xaibook.pipeline import class_labels, transform, transformed_features

__all__ = ["whatif_spec", "WhatIfSpec"]


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
    return float(min(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def whatif_spec(model: Any, x: pd.DataFrame, features: Any, *, data: pd.DataFrame | None = None,
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
    preprocess, estimator = _logistic_estimator(model)
    x = check_one_row(x, model)
    features = check_features(features, x)
    if len(set(features)) != len(features):
        raise ValueError(f"features {features} has duplicates")
    if data is not None:
        data = check_rows(data, model, name="data")
    try:
        lo_q, hi_q = (float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise ValueError(f"quantiles must be two numbers (low, high) in [0, 1], got {quantiles!r}") from None
    if not 0 <= lo_q < hi_q <= 1:
        raise ValueError(f"quantiles must satisfy 0 <= low < high <= 1, got {quantiles}")
    columns = transformed_features(model)
    coef = estimator.coef_[0]
    z = transform(preprocess, x)[0]
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
        value = x.iloc[0][f]
        values[f] = value.item() if isinstance(value, np.generic) else value
        integer = pd.api.types.is_integer_dtype(x[f]) if data is None else \
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
    classes = class_labels(estimator)
    spec = WhatIfSpec(features=tuple(features), intercept=intercept, weights=weights, values=values,
                      ranges=ranges, probability=0.0, logit=0.0, target_class=classes[1])
    logit = spec.log_odds_at()
    return WhatIfSpec(features=tuple(features), intercept=intercept, weights=weights, values=values,
                      ranges=ranges, probability=float(expit(logit)), logit=logit,
                      target_class=classes[1])

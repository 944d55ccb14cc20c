"""What a counterfactual may change: the options ``features_to_vary``, ``permitted_range`` and
``monotone``, checked against ``x`` and ``X_reference`` (:func:`_check_constraints`), and the case
studies' data dictionaries read as actionability constraints (:func:`mutable_features`,
:func:`actionable_features`; Ustun, Spangher & Liu 2019; Karimi et al. 2020)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_features, is_number_column

__all__ = ["actionable_features", "mutable_features"]


def _check_constraints(x: pd.DataFrame, X_reference: pd.DataFrame, features_to_vary, permitted_range,
                       monotone) -> tuple[list[str], dict, dict]:
    """The features that may change, the permitted range of each (``(low, high)`` or the allowed
    categories) and the monotone directions, each checked against ``x`` and ``X_reference``."""
    vary = _check_vary(features_to_vary, X_reference)
    ranges = _check_ranges(permitted_range, x, X_reference, vary)
    directions = _check_directions(monotone, X_reference, vary)
    return vary, ranges, directions


def _check_vary(features_to_vary, X_reference: pd.DataFrame) -> list[str]:
    if features_to_vary is None:
        return list(X_reference.columns)
    if not isinstance(features_to_vary, str) and hasattr(features_to_vary, "__len__") and not len(features_to_vary):
        raise ValueError("features_to_vary is empty: with nothing allowed to change there is no counterfactual")
    return check_features(features_to_vary, X_reference, name="features_to_vary", frame_name="X_reference")


def _feature_items(option: Any, X_reference: pd.DataFrame, *, name: str, expected: str) -> list[tuple[Any, Any]]:
    """The items of an option that maps features of ``X_reference`` to a setting (none when not given)."""
    if option is None:
        return []
    if not isinstance(option, Mapping):
        raise TypeError(f"{name} must be a dict {expected}")
    if option:
        check_features(list(option), X_reference, name=name, frame_name="X_reference")
    return list(option.items())


def _check_ranges(permitted_range, x: pd.DataFrame, X_reference: pd.DataFrame, vary: list[str]) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    for feature, spec in _feature_items(permitted_range, X_reference, name="permitted_range",
                                        expected="feature -> (low, high) or feature -> categories"):
        if feature not in vary:
            raise ValueError(f"permitted_range names {feature!r}, which is not in features_to_vary; "
                             "a frozen feature cannot move, so a range for it is a contradiction")
        value = x[feature].iloc[0]
        if is_number_column(X_reference[feature]):
            ranges[feature] = _check_interval(feature, spec, value)
        else:
            allowed = [spec] if isinstance(spec, str) else list(spec)
            known = set(X_reference[feature].astype(object)) | {value}
            unknown = [v for v in allowed if v not in known]
            if unknown:
                raise ValueError(f"unknown categories {unknown} for {feature!r} in permitted_range; "
                                 f"known: {sorted(map(str, known))}")
            ranges[feature] = allowed
    return ranges


def _check_interval(feature: str, spec: Any, value: Any) -> tuple[float, float]:
    """A numeric feature's permitted range: two numbers ``low <= high`` around ``x``'s value."""
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
    return low, high


def _check_directions(monotone, X_reference: pd.DataFrame, vary: list[str]) -> dict[str, str]:
    directions: dict[str, str] = {}
    for feature, direction in _feature_items(monotone, X_reference, name="monotone",
                                             expected='feature -> "increase" or "decrease"'):
        if direction not in ("increase", "decrease"):
            raise ValueError(f'monotone[{feature!r}] must be "increase" or "decrease", got {direction!r}')
        if not is_number_column(X_reference[feature]):
            raise ValueError(f"monotone[{feature!r}]: only numeric features have a direction; restrict a "
                             "categorical feature with permitted_range instead")
        if feature not in vary:
            raise ValueError(f"monotone names {feature!r}, which is not in features_to_vary (a frozen "
                             "feature cannot move in any direction)")
        directions[feature] = direction
    return directions


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

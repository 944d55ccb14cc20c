"""Input checks shared by every public function, with messages that say how to fix the input."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "check_frame", "check_target", "check_fitted_model", "check_columns_match", "check_features",
    "check_random_state", "as_legacy_random_state", "as_generator", "check_positive_int",
    "check_prediction_function", "check_rows", "check_one_row", "RandomStateLike",
]


def check_frame(X: Any, *, name: str = "X", allow_nan: bool = False,
                min_rows: int = 1) -> pd.DataFrame:
    """``X`` must be a non-empty DataFrame with unique string column names (and no NaN)."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with named columns, got {type(X).__name__}; "
            f"wrap an array with pd.DataFrame(array, columns=feature_names)"
        )
    if len(X) < min_rows:
        raise ValueError(f"{name} has {len(X)} rows; at least {min_rows} needed")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no columns")
    if not X.columns.is_unique:
        dupes = sorted(set(X.columns[X.columns.duplicated()].astype(str)))
        raise ValueError(f"{name} has duplicated column names: {dupes}")
    if not allow_nan:
        missing = X.columns[X.isna().any()].tolist()
        if missing:
            raise ValueError(
                f"{name} contains missing values in columns {missing}; impute or drop them first"
            )
    return X


def check_target(y: Any, X: pd.DataFrame, *, name: str = "y") -> np.ndarray:
    """``y`` must be one-dimensional, as long as ``X`` and free of NaN."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if len(arr) != len(X):
        raise ValueError(f"X has {len(X)} rows but {name} has {len(arr)} values; they must match")
    if pd.isna(arr).any():
        raise ValueError(f"{name} contains missing values")
    return arr


def check_fitted_model(model: Any, *, name: str = "model") -> Any:
    """``model`` must be a fitted scikit-learn style estimator."""
    if not (hasattr(model, "predict") or hasattr(model, "predict_proba")):
        raise TypeError(f"{name} must have a predict or predict_proba method, got {type(model).__name__}")
    try:
        check_is_fitted(model)
    except NotFittedError as err:
        raise ValueError(f"{name} ({type(model).__name__}) is not fitted; call {name}.fit(X, y) first") from err
    except TypeError:
        pass  # not a scikit-learn estimator; trust that it can predict
    return model


def check_columns_match(model: Any, X: pd.DataFrame, *, name: str = "X") -> None:
    """If the model recorded its training columns, ``X`` must have the same ones in the same order."""
    expected = getattr(model, "feature_names_in_", None)
    if expected is None:
        return
    expected = list(expected)
    actual = list(X.columns)
    if actual == expected:
        return
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    if missing or extra:
        raise ValueError(
            f"{name}'s columns do not match the model's training columns: "
            f"missing {missing}, unexpected {extra}"
        )
    raise ValueError(f"{name} has the model's columns in a different order; use {name}[model.feature_names_in_]")


def check_features(features: str | Iterable[str], X: pd.DataFrame) -> list[str]:
    """Feature names must exist in ``X``; returns them as a list."""
    names = [features] if isinstance(features, str) else list(features)
    if not names:
        raise ValueError("no feature names given")
    unknown = [f for f in names if f not in X.columns]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; X has columns {list(X.columns)}")
    return names


def check_random_state(random_state: Any) -> int | np.random.RandomState | np.random.Generator:
    """Randomness must be explicit: an int seed, a ``RandomState`` or a ``Generator``, never ``None``."""
    if random_state is None:
        raise ValueError("random_state=None is not allowed in the book's code; pass an int seed")
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(
        random_state, (int, np.integer, np.random.RandomState, np.random.Generator)
    ):
        raise TypeError("random_state must be an int, np.random.RandomState or np.random.Generator, "
                        f"got {type(random_state).__name__}")
    if isinstance(random_state, (int, np.integer)) and not 0 <= random_state < 2**32:
        raise ValueError(f"random_state must be between 0 and 2**32 - 1, got {random_state}")
    return random_state


def as_legacy_random_state(random_state: Any) -> np.random.RandomState:
    """A ``RandomState`` for code that must reproduce a library's legacy stream (sklearn, lime).

    An int seeds a new ``RandomState`` exactly as the libraries do; a ``RandomState`` is used as it
    is; a ``Generator`` lends its bit generator (so the caller's stream advances).
    """
    random_state = check_random_state(random_state)
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.bit_generator)
    return np.random.RandomState(int(random_state))


def as_generator(random_state: Any) -> np.random.Generator:
    """A ``Generator`` (the modern NumPy API) from an int seed, a ``Generator`` or a ``RandomState``."""
    random_state = check_random_state(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**32 - 1, dtype=np.uint64))
    return np.random.default_rng(int(random_state))


def check_positive_int(value: Any, *, name: str, minimum: int = 1) -> int:
    """``value`` must be an integer not below ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_prediction_function(f: Any, X: pd.DataFrame, *, name: str = "f") -> Callable[[pd.DataFrame], np.ndarray]:
    """``f`` must be callable and map ``X`` (a DataFrame) to one finite number per row."""
    if not callable(f):
        raise TypeError(f"{name} must be callable f(X: DataFrame) -> 1-D array; got {type(f).__name__}. "
                        "Use xaibook.predict.prediction_function(model) to make one from a classifier")
    out = np.asarray(f(X.iloc[:2]))
    if out.shape != (min(2, len(X)),):
        raise ValueError(f"{name} must return one number per row (shape (n,)), got shape {out.shape}")
    if not np.all(np.isfinite(out.astype(float))):
        raise ValueError(f"{name} returned non-finite values")
    return f


def check_rows(X: Any, model: Any, *, name: str = "X") -> pd.DataFrame:
    """``X`` must be a DataFrame (:func:`check_frame`) with the model's training columns."""
    X = check_frame(X, name=name)
    check_columns_match(model, X, name=name)
    return X


def check_one_row(x: Any, model: Any, *, name: str = "x") -> pd.DataFrame:
    """One row to explain, as a one-row DataFrame with the model's columns (a Series is one row)."""
    if isinstance(x, pd.Series):
        x = pd.DataFrame([x.to_dict()], index=[x.name]).infer_objects()
    if isinstance(x, pd.DataFrame) and len(x) != 1:
        raise ValueError(f"{name} must be exactly one row, got {len(x)} rows; select one with "
                         "X.iloc[[i]] (double brackets keep a DataFrame)")
    return check_rows(x, model, name=name)


#: What ``random_state`` accepts everywhere (see :func:`check_random_state`).
RandomStateLike = int | np.integer | np.random.RandomState | np.random.Generator

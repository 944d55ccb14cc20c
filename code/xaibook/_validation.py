"""Input checks shared by every public function, with messages that say how to fix the input."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "check_frame", "check_target", "check_fitted_model", "check_columns_match", "check_features",
    "check_random_state", "as_legacy_random_state", "as_generator", "check_positive_int",
    "check_prediction_function", "check_rows", "check_one_row", "RandomStateLike",
    "check_numbers_not_text", "check_like_reference", "align_rows", "as_numbers",
    "readonly", "check_int_seed", "derived_seed", "as_one_row", "check_same_columns", "check_row_like",
    "check_model_output", "check_positive_number",
]
#: Largest working memory (bytes) a call may plan to allocate before it refuses, with the estimate
#: and the argument to change. Raise it (``xaibook._validation.MEMORY_LIMIT = ...``) on a big machine.
MEMORY_LIMIT = 2 * 2**30


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
    check_numbers_not_text(X, name=name)
    infinite = [c for c in X.columns
                if pd.api.types.is_float_dtype(X[c]) and np.isinf(X[c].to_numpy(dtype=float)).any()]
    if infinite:
        raise ValueError(f"{name} contains infinite values in columns {infinite}; no model or explanation "
                         "is defined there: replace or drop them first")
    return X


def _numeric_text(column: pd.Series) -> list[Any]:
    """The distinct values of a text column if every one of them (two or more) reads as a number."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column) \
            or isinstance(column.dtype, pd.CategoricalDtype):
        return []
    uniques = pd.Series(np.asarray(column.dropna().unique(), dtype=object))
    if len(uniques) < 2 or not all(isinstance(v, str) for v in uniques):
        return []
    numbers = pd.to_numeric(uniques.str.strip(), errors="coerce")
    return uniques.tolist() if numbers.notna().all() else []


def check_numbers_not_text(X: pd.DataFrame, *, name: str = "X") -> None:
    """A text column whose values are all numbers written as text (ages read from a CSV as ``"63"``)
    is refused: every method would treat it as a category (a categorical PDP, one LIME bin per
    age, categories that differ by one year counted as unequal). A column meant as category labels
    says so with the ``category`` dtype."""
    for column in X.columns:
        values = _numeric_text(X[column])
        if values:
            raise ValueError(
                f"{name} column {column!r} holds numbers stored as text ({values[:4]}), which would be "
                f"treated as categories; convert it with {name}.astype({{{column!r}: float}}), or, if "
                f"they are labels, with {name}.astype({{{column!r}: 'category'}})")


def check_like_reference(frame: Any, reference: pd.DataFrame, *, name: str,
                         reference_name: str = "X_reference") -> pd.DataFrame:
    """Rows compared with reference data (distances, neighbourhoods): a DataFrame with the
    reference's columns (returned in the reference's order), numbers where the reference has
    numbers, and only categories the reference holds (a typo such as ``"busines"`` would otherwise
    count as just another category, at distance 1). No NaN or inf (:func:`check_frame`)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame with {reference_name}'s columns, "
                        f"got {type(frame).__name__}")
    missing = [c for c in reference.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing} of {reference_name}; every feature is needed")
    frame = check_frame(frame[list(reference.columns)], name=name, min_rows=0)
    for column in reference.columns:
        ref, values = reference[column], frame[column]
        if pd.api.types.is_numeric_dtype(ref) and not pd.api.types.is_bool_dtype(ref):
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                raise ValueError(f"{name} column {column!r} must hold numbers, as {reference_name}'s does, "
                                 f"got {values.dtype} values {list(pd.unique(values.astype(object)))[:4]}")
            continue
        unknown = _unknown_values(values, ref.unique())
        if unknown:
            raise ValueError(f"{name} column {column!r} has value(s) {unknown[:5]} that {reference_name} never "
                             f"holds (known: {sorted(map(str, ref.unique()))[:12]}); check the spelling")
    return frame


def align_rows(frames: dict[str, pd.DataFrame], *, what: str = "explanation") -> dict[str, pd.DataFrame]:
    """Results compared row by row are matched by index label, never by position.

    Every frame must have unique column and index labels and the same index labels as the first
    (in any order); the others are put in the first's row order. Rows of other people (labels the
    first lacks) are an error naming them, as are duplicated labels.
    """
    first_name, first = next(iter(frames.items()))
    out = {}
    for label, frame in frames.items():
        for axis, labels in (("columns", frame.columns), ("row labels", frame.index)):
            if not labels.is_unique:
                dupes = sorted(map(str, set(labels[labels.duplicated()])))[:5]
                raise ValueError(f"{what} {label!r} has duplicated {axis} {dupes}; each must appear once")
        if not frame.index.equals(first.index):
            if len(frame) != len(first) or not frame.index.isin(first.index).all():
                extra = frame.index.difference(first.index)[:5].tolist()
                raise ValueError(
                    f"{what} {label!r} explains other rows than {first_name!r} (row labels {extra} are not "
                    f"among {first_name!r}'s, or the row counts differ: {len(frame)} vs {len(first)}); "
                    "explain the same rows with every method, with the same index labels")
            frame = frame.reindex(first.index)
        out[label] = frame
    return out


def as_numbers(values: Any, *, name: str) -> np.ndarray:
    """``values`` as a float array, refusing text, objects and dates with a message naming
    ``name`` (``np.asarray(["1", "0"], dtype=float)`` would read labels as numbers, and
    ``"yes"`` would fail with numpy's "could not convert string to float")."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        sample = array.ravel()[:3].tolist()
        raise TypeError(f"{name} must hold numbers, got {array.dtype} values such as {sample}; convert them "
                        "first (labels to 0/1, e.g. (y == 'yes').astype(int))")
    return array.astype(float)


def align_target(y: Any, X: pd.DataFrame, *, name: str = "y", frame_name: str = "X") -> Any:
    """A pandas ``y`` put in the row order of ``X`` by its index labels (pandas users expect that).

    ``y`` with the same labels as ``X`` in another order (``y.sort_index()``) is reordered to match;
    ``y`` whose labels are not ``X``'s (``y.reset_index(drop=True)`` next to a subset of rows) is an
    error, because matching by position would silently pair rows with other rows' outcomes. Arrays
    and lists are taken to be in ``X``'s row order.
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"{name} must be one-dimensional, got a DataFrame with {y.shape[1]} columns")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series) or not isinstance(X, pd.DataFrame) or y.index.equals(X.index) \
            or len(y) != len(X):  # a length mismatch is reported by the caller's length check
        return y
    if y.index.is_unique and X.index.is_unique and X.index.isin(y.index).all():
        return y.reindex(X.index)
    extra = y.index.difference(X.index)[:5].tolist() if y.index.is_unique else \
        sorted(set(y.index[y.index.duplicated()].tolist()))[:5]
    raise ValueError(
        f"{name}'s index labels do not match {frame_name}'s (e.g. {name} has {extra} that {frame_name} lacks "
        "or repeats), "
        f"so its values cannot be paired with {frame_name}'s rows; select the same rows "
        f"({name}.loc[{frame_name}.index]) or pass {name}.to_numpy() if the rows are already in the same order"
    )


def check_target(y: Any, X: pd.DataFrame, *, name: str = "y", frame_name: str = "X") -> np.ndarray:
    """``y`` must be one-dimensional, as long as ``X`` and free of NaN; a pandas ``y`` is aligned on
    ``X``'s index (:func:`align_target`)."""
    y = align_target(y, X, name=name, frame_name=frame_name)
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if len(arr) != len(X):
        raise ValueError(f"{frame_name} has {len(X)} rows but {name} has {len(arr)} values; they must match")
    if pd.isna(arr).any():
        raise ValueError(f"{name} contains missing values")
    return arr


def check_fitted_model(model: Any, *, name: str = "model") -> Any:
    """``model`` must be a fitted scikit-learn style classifier or regressor.

    An unfitted estimator raises scikit-learn's ``NotFittedError`` (a ``ValueError``), so
    ``except NotFittedError`` works; a scikit-learn estimator that is neither a classifier nor a
    regressor (a clusterer, a transformer) is refused, as scikit-learn's inspection tools do: its
    "predictions" are cluster labels or transformed data, not a prediction to explain.
    """
    if not (hasattr(model, "predict") or hasattr(model, "predict_proba")):
        raise TypeError(f"{name} must have a predict or predict_proba method, got {type(model).__name__}")
    if isinstance(model, BaseEstimator) and not (is_classifier(model) or is_regressor(model)):
        raise TypeError(f"{name} ({type(model).__name__}) is neither a classifier nor a regressor; "
                        "the explanation methods explain predictions of a supervised model")
    try:
        check_is_fitted(model)
    except NotFittedError as err:
        raise NotFittedError(f"{name} ({type(model).__name__}) is not fitted; call {name}.fit(X, y) first") from err
    except TypeError:
        pass  # not a scikit-learn estimator; trust that it can predict
    return model


def check_labels(model: Any, y: np.ndarray, *, name: str = "y") -> None:
    """A classifier's ``y`` may hold only its classes: other labels (``"yes"``/``"no"`` for a model
    trained on 0/1) would score every prediction as wrong, and every importance as zero."""
    classes = getattr(model, "classes_", None)
    if classes is None or not is_classifier(model):
        return
    known = pd.Index(np.asarray(classes, dtype=object))
    present = pd.unique(np.asarray(y, dtype=object))
    unknown = [v for v, ok in zip(present, pd.Index(present).isin(known)) if not ok]
    if unknown:
        raise ValueError(f"{name} has label(s) {unknown[:5]} that are not the model's classes "
                         f"{list(np.asarray(classes).tolist())}; pass the labels the model was trained on")


def check_probability_model(model: Any, *, name: str = "model", allow_hard_labels: bool = False) -> None:
    """A classifier explained as probabilities must have ``predict_proba``.

    Falling back to ``predict`` would explain 0/1 labels as if they were probabilities (a PDP of
    labels, SHAP values adding up to a label). ``allow_hard_labels=True`` accepts that knowingly.
    """
    if hasattr(model, "predict_proba") or allow_hard_labels or not is_classifier(model):
        return
    raise ValueError(
        f"{name} ({type(model).__name__}) is a classifier without predict_proba, so only hard 0/1 labels "
        "are available and they would be explained as if they were probabilities. Use a probabilistic "
        "classifier (e.g. SVC wrapped in CalibratedClassifierCV), or pass allow_hard_labels=True to "
        "explain the labels knowingly"
    )


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


def _column_transformer(model: Any) -> Any:
    """The fitted ColumnTransformer at the start of ``model`` (a Pipeline or itself), or None."""
    steps = getattr(model, "steps", None)
    first = steps[0][1] if steps else model
    return first if hasattr(first, "transformers_") else None


def _encoder(transformer: Any) -> Any:
    """The categorical encoder that first sees a ColumnTransformer part's input, or None."""
    steps = getattr(transformer, "steps", None)
    first = steps[0][1] if steps else transformer
    return first if hasattr(first, "categories_") else None


def _numeric_step(transformer: Any) -> bool:
    """Does this ColumnTransformer part start with a step that needs numbers (a scaler, splines)?"""
    from sklearn.preprocessing import (
        KBinsDiscretizer,
        MaxAbsScaler,
        MinMaxScaler,
        PolynomialFeatures,
        RobustScaler,
        SplineTransformer,
        StandardScaler,
    )
    steps = getattr(transformer, "steps", None)
    first = steps[0][1] if steps else transformer
    return isinstance(first, (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, SplineTransformer,
                              PolynomialFeatures, KBinsDiscretizer))


def _unknown_values(values: pd.Series, known: Any) -> list[Any]:
    uniques = np.asarray(values.unique(), dtype=object)   # distinct values first: cheap on big frames
    uniques = uniques[~pd.isna(uniques)]
    known = pd.Index(np.asarray(known, dtype=object))
    return [v for v, ok in zip(uniques, pd.Index(uniques).isin(known)) if not ok]


def check_known_values(model: Any, X: pd.DataFrame, *, name: str = "X") -> None:
    """Values the model's preprocessing cannot use are an error, naming column and values.

    For a model whose first step is a fitted ColumnTransformer: a categorical column (first seen by
    a one-hot or ordinal encoder) may hold only the categories seen in training (an encoder with
    ``handle_unknown="ignore"`` would silently encode a typo such as ``"car(new)"`` as all zeros);
    a column routed to a numeric transformer (a scaler, ``"passthrough"``) must hold numbers.
    """
    ct = _column_transformer(model)
    if ct is None:
        return
    inputs = list(getattr(ct, "feature_names_in_", X.columns))
    for _, transformer, columns in ct.transformers_:
        if isinstance(transformer, str) and transformer == "drop":
            continue
        names = [inputs[c] if isinstance(c, (int, np.integer)) else c for c in np.atleast_1d(columns)]
        names = [str(c) for c in names if isinstance(c, str) and c in X.columns]
        encoder = _encoder(transformer) if not isinstance(transformer, str) else None
        if encoder is not None:
            for column, known in zip(names, encoder.categories_):
                unknown = _unknown_values(X[column], known)
                if unknown:
                    raise ValueError(
                        f"{name} column {column!r} has value(s) {unknown[:5]} the model never saw in "
                        f"training (known: {list(known)[:12]}); check the spelling, or the model would "
                        "treat them as no category at all"
                    )
        elif _numeric_step(transformer):
            for column in names:
                values = X[column]
                if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                    continue
                numbers = pd.to_numeric(values, errors="coerce")
                bad = pd.unique(values[numbers.isna() & values.notna()].to_numpy(dtype=object))
                if len(bad):
                    raise ValueError(f"{name} column {column!r} must hold numbers (the model's "
                                     f"{type(transformer).__name__} step needs them), "
                                     f"but has {list(bad[:5])}")


def check_model_input(model: Any, X: pd.DataFrame, *, name: str = "X") -> None:
    """``X`` has the model's training columns, in order, with values the model can use."""
    check_columns_match(model, X, name=name)
    check_known_values(model, X, name=name)


def check_features(features: str | Iterable[str], X: pd.DataFrame, *, name: str = "features",
                   frame_name: str = "X") -> list[str]:
    """Feature names must exist in ``X``; returns them as a list. A string is one name (never
    iterated letter by letter); an empty list is an error."""
    if isinstance(features, str):
        names = [features]
    else:
        try:
            names = list(features)
        except TypeError:
            raise TypeError(f"{name} must be a column name or a list of column names, "
                            f"got {type(features).__name__}") from None
    if not names:
        raise ValueError(f"{name} is empty (no feature names given); name at least one column of {frame_name}")
    unhashable = [f for f in names if not isinstance(f, (str, int, np.integer, float, tuple))]
    if unhashable:
        raise TypeError(f"{name} must hold column names, got {unhashable[:3]}")
    unknown = [f for f in names if f not in X.columns]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown} in {name}; {frame_name} has columns {list(X.columns)}")
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


def check_int_seed(random_state: Any, *, why: str) -> int:
    """An int seed (0 to 2**32 - 1) where a ``RandomState`` or ``Generator`` cannot serve, because
    the seed names something (a cached model) or seeds are derived from it; ``why`` says which."""
    random_state = check_random_state(random_state)
    if not isinstance(random_state, (int, np.integer)):
        raise TypeError(f"random_state must be an int seed here ({why}), got {type(random_state).__name__}")
    return int(random_state)


def derived_seed(seed: int, offset: int) -> int:
    """Seed number ``offset`` derived from ``seed``: ``(seed + offset) mod 2**32``, so every valid
    seed, 2**32 - 1 included, derives valid seeds (and small seeds give ``seed + offset``)."""
    return (int(seed) + int(offset)) % 2**32


def readonly(values: Any, dtype: Any = float) -> np.ndarray:
    """A new read-only array of ``values``: results are frozen dataclasses, and their arrays too."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def check_positive_number(value: Any, *, name: str) -> float:
    """A positive, finite real number (a kernel width, a scale)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return float(value)


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
    check_finite_output(f(X.iloc[:2]), min(2, len(X)), name=name)
    return f


def check_rows(X: Any, model: Any, *, name: str = "X") -> pd.DataFrame:
    """``X`` must be a DataFrame (:func:`check_frame`) with the model's training columns and values."""
    X = check_frame(X, name=name)
    check_model_input(model, X, name=name)  # columns, numbers where scaled, known categories
    return X


def as_one_row(x: Any, *, name: str = "x", reference: pd.DataFrame | None = None,
               one_row: bool = True) -> Any:
    """A Series (one person, as ``X.loc[i]`` returns) as a one-row DataFrame; a DataFrame must have
    exactly one row when ``one_row``. Anything else is returned unchanged for the caller's checks.

    ``X.loc[i]`` of a mixed frame is an object Series: its values get their own types back
    (``infer_objects``), then each column takes ``reference``'s dtype where that loses nothing
    (an int column stays int, a float reference makes a float), so the row compares exactly."""
    if isinstance(x, pd.Series):
        x = pd.DataFrame([x.to_dict()], index=[x.name]).infer_objects()
        if reference is not None:
            x = _like_reference_dtypes(x, reference)
    if one_row and isinstance(x, pd.DataFrame) and len(x) != 1:
        raise ValueError(f"{name} must be exactly one row (a one-row DataFrame or a Series), got {len(x)} rows; "
                         "select one with X.iloc[[i]] (double brackets keep a DataFrame) and explain rows "
                         "one at a time")
    return x


def _like_reference_dtypes(x: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    casts = {}
    for column in x.columns:
        if column not in reference.columns or x[column].dtype == reference[column].dtype:
            continue
        target = reference[column].dtype
        try:
            cast = x[column].astype(target)
        except (TypeError, ValueError):
            continue
        same = cast.astype(object).tolist() == x[column].astype(object).tolist()
        if same or isinstance(target, pd.CategoricalDtype) and cast.notna().all():
            casts[column] = target
    return x.astype(casts) if casts else x


def check_one_row(x: Any, model: Any, *, name: str = "x") -> pd.DataFrame:
    """One row to explain, as a one-row DataFrame with the model's columns (a Series is one row)."""
    return check_rows(as_one_row(x, name=name), model, name=name)


def check_same_columns(frame: pd.DataFrame, reference: pd.DataFrame, *, name: str,
                       reference_name: str) -> pd.DataFrame:
    """``frame`` must have exactly ``reference``'s columns (returned in the reference's order), with
    numbers where the reference has numbers and text where it has text."""
    missing = [c for c in reference.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in reference.columns]
    if missing or extra:
        raise ValueError(f"{name}'s columns do not match {reference_name}'s: missing {missing}, "
                         f"unexpected {extra}; give both the same features")
    frame = frame[list(reference.columns)]
    mixed = [c for c in reference.columns if _is_number_column(reference[c]) != _is_number_column(frame[c])]
    if mixed:
        raise ValueError(f"{name} columns {mixed} hold numbers where {reference_name}'s hold text (or the "
                         "reverse); give both the same types")
    return frame


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def check_row_like(x: Any, reference: pd.DataFrame, *, name: str = "x", reference_name: str = "X_reference",
                   one_row: bool = True) -> pd.DataFrame:
    """The one-row-against-reference-data check every local method shares (LIME, counterfactuals):
    a Series or one-row DataFrame (:func:`as_one_row`) with exactly the reference's columns, no NaN
    or inf, numbers where the reference has numbers, and only categories the reference holds
    (:func:`check_like_reference`). Returned with the reference's column order."""
    x = as_one_row(x, name=name, reference=reference, one_row=one_row)
    x = check_frame(x, name=name)
    x = check_same_columns(x, reference, name=name, reference_name=reference_name)
    return check_like_reference(x, reference, name=name, reference_name=reference_name)


#: What ``random_state`` accepts everywhere (see :func:`check_random_state`).
RandomStateLike = int | np.integer | np.random.RandomState | np.random.Generator
def check_model_output(values: Any, n_rows: int, *, name: str = "f") -> np.ndarray:
    """A prediction function's output: one finite number per row. Two columns (``predict_proba``'s
    shape) get a hint to pick the positive class; text is refused by name, never parsed."""
    out = np.asarray(values)
    if out.ndim == 2 and out.shape == (n_rows, 2):
        raise ValueError(f"{name} returned shape {out.shape} (one column per class); return one number per "
                         "row, e.g. the positive class's probability predict_proba(...)[:, 1]")
    if out.dtype.kind not in "biuf":
        raise ValueError(f"{name} must return numbers, got dtype {out.dtype}")
    return check_finite_output(out, n_rows, name=name)


def check_finite_output(values: Any, n_rows: int, *, name: str = "f") -> np.ndarray:
    """A prediction function's output: one finite number per row."""
    out = np.asarray(values, dtype=float)
    if out.shape != (n_rows,):
        raise ValueError(f"{name} must return one number per row (shape ({n_rows},)), got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        bad = int((~np.isfinite(out)).sum())
        raise ValueError(f"{name} returned non-finite values (NaN or inf) for {bad} of {n_rows} rows; "
                         "an explanation of NaN predictions would be NaN")
    return out


def check_probability_scale(f: Any, *, name: str = "model") -> None:
    """A prediction function marked with another output scale (``prediction_function(model,
    scale="log-odds")`` sets ``f.scale``) is refused where probabilities are needed."""
    scale = getattr(f, "scale", "probability")
    if scale != "probability":
        raise ValueError(f"{name} returns the {scale} scale, not probabilities; pass the model itself or "
                         "xaibook.predict.prediction_function(model) (scale='probability')")


def check_probabilities(values: Any, n_rows: int, *, name: str = "model", n_columns: int | None = None) -> np.ndarray:
    """Output that must be probabilities: finite, in ``[0, 1]``, one per row (or ``n_columns`` per
    row, each row summing to 1). A log-odds or decision-function output is refused by name, since
    thresholding it at 0.5 or reading it as a probability gives a plausible wrong answer."""
    out = np.asarray(values, dtype=float)
    shape = (n_rows,) if n_columns is None else (n_rows, n_columns)
    if out.shape != shape:
        what = "one probability" if n_columns is None else f"{n_columns} probabilities"
        raise ValueError(f"{name} must return {what} "
                         f"per row (shape {shape}), got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} returned non-finite values (NaN or inf) where probabilities are needed")
    low, high = float(out.min(initial=0.0)), float(out.max(initial=1.0))
    if low < 0 or high > 1:
        raise ValueError(f"{name} returned values from {low:.4g} to {high:.4g}, outside [0, 1]: it must return "
                         "probabilities (log-odds, scores or decision values cannot be read as probabilities; "
                         "use xaibook.predict.prediction_function(model) with scale='probability')")
    if n_columns is not None and not np.allclose(out.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{name}'s class probabilities do not sum to 1 in every row")
    return out


def check_memory(n_bytes: float, *, what: str, knob: str, limit: float | None = None) -> None:
    """Refuse work whose planned memory exceeds :data:`MEMORY_LIMIT`, with the estimate and the
    argument that reduces it, before anything is allocated."""
    limit = MEMORY_LIMIT if limit is None else limit
    if n_bytes > limit:
        raise ValueError(f"{what} would need about {n_bytes / 2**30:,.1f} GiB of memory, more than the "
                         f"limit of {limit / 2**30:,.1f} GiB; reduce {knob} "
                         "(or raise xaibook._validation.MEMORY_LIMIT on a machine that has the memory)")


def check_number(value: Any, *, name: str, low: float = -np.inf, high: float = np.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` must be a finite real number in the interval given (``low_open`` excludes ``low``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if too_low or too_high:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}")
    return value


def check_same_features(results: Any, *, name: str = "results") -> tuple[str, ...]:
    """Results shown or compared together must explain the same features; returns them."""
    items = dict(results) if isinstance(results, dict) else dict(enumerate(results))
    sets = {label: tuple(getattr(r, "feature_names", ())) for label, r in items.items()}
    first = next(iter(sets.values()), ())
    for label, names in sets.items():
        if set(names) != set(first):
            raise ValueError(f"{name} explain different features: {label!r} has {sorted(set(names) ^ set(first))} "
                             "that the others do not (or lacks them); compare results on the same columns")
    return first



# ------------------------------------------------------------------------------ added for the counterfactual package
__all__ += ["is_number_column"]


def is_number_column(column: pd.Series) -> bool:
    """A column of numbers; a boolean column is not one (its two values are categories)."""
    return _is_number_column(column)

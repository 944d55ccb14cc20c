"""Shared input checks: each bad input gets a message that says what is wrong."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from xaibook import _validation as v


@pytest.fixture
def frame():
    return pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})


def test_check_frame_rejects_arrays_nan_duplicates_and_empty(frame):
    with pytest.raises(TypeError, match="pandas DataFrame"):
        v.check_frame(frame.to_numpy())
    with pytest.raises(ValueError, match=r"missing values in columns \['a'\]"):
        v.check_frame(frame.assign(a=[np.nan, 1, 2, 3]))
    with pytest.raises(ValueError, match="duplicated column names"):
        v.check_frame(pd.concat([frame, frame[["a"]]], axis=1))
    with pytest.raises(ValueError, match="0 rows"):
        v.check_frame(frame.iloc[:0])
    assert v.check_frame(frame.assign(a=[np.nan, 1, 2, 3]), allow_nan=True) is not None


def test_check_target(frame):
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        v.check_target([0, 1, 0], frame)
    with pytest.raises(ValueError, match="one-dimensional"):
        v.check_target(np.zeros((4, 2)), frame)
    with pytest.raises(ValueError, match="missing"):
        v.check_target([0, 1, np.nan, 1], frame)


def test_check_fitted_model(frame):
    with pytest.raises(ValueError, match="not fitted"):
        v.check_fitted_model(LogisticRegression())
    with pytest.raises(TypeError, match="predict"):
        v.check_fitted_model(object())


def test_check_columns_match(frame):
    model = LinearRegression().fit(frame, [0, 1, 2, 3])
    v.check_columns_match(model, frame)
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['c'\]"):
        v.check_columns_match(model, frame.rename(columns={"b": "c"}))
    with pytest.raises(ValueError, match="different order"):
        v.check_columns_match(model, frame[["b", "a"]])


def test_check_features_and_numbers(frame):
    assert v.check_features("a", frame) == ["a"]
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['z'\]"):
        v.check_features(["a", "z"], frame)
    with pytest.raises(ValueError, match="random_state=None"):
        v.check_random_state(None)
    with pytest.raises(TypeError, match="random_state"):
        v.check_random_state(0.5)
    with pytest.raises(ValueError, match="at least 1"):
        v.check_positive_int(0, name="n_repeats")
    with pytest.raises(TypeError, match="integer"):
        v.check_positive_int(2.0, name="n_repeats")


def test_check_prediction_function(frame):
    with pytest.raises(TypeError, match="callable"):
        v.check_prediction_function(3, frame)
    with pytest.raises(ValueError, match="one number per row"):
        v.check_prediction_function(lambda X: np.zeros((len(X), 2)), frame)
    with pytest.raises(ValueError, match="non-finite"):
        v.check_prediction_function(lambda X: np.full(len(X), np.nan), frame)

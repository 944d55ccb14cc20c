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


# ---------------------------------------------------------------------------------------------
# The shared layer: one home for seeds, read-only arrays, one-row checks and model output
# ---------------------------------------------------------------------------------------------
def test_every_valid_seed_derives_valid_seeds():
    from xaibook._validation import check_int_seed, derived_seed

    assert check_int_seed(2**32 - 1, why="test") == 2**32 - 1
    assert derived_seed(2**32 - 1, 1) == 0
    assert derived_seed(7, 3) == 10
    with pytest.raises(TypeError, match="int seed here \\(it names"):
        check_int_seed(np.random.default_rng(0), why="it names the cache")
    with pytest.raises(ValueError, match="2\\*\\*32 - 1"):
        check_int_seed(2**32, why="test")


def test_highest_seed_is_accepted_where_seeds_are_derived():
    from xaibook.data import load_credit
    from xaibook.refits import add_copy

    X = load_credit().X_train.head(5)
    copied = add_copy(X, "credit", "duration_months", random_state=2**32 - 1)
    assert "duration_months_copy" in copied.columns


def test_readonly_is_a_frozen_copy():
    from xaibook._validation import readonly

    source = [1, 2, 3]
    out = readonly(source)
    assert out.dtype == float and not out.flags.writeable
    with pytest.raises(ValueError):
        out[0] = 5


def test_row_like_reference_takes_a_series_with_the_reference_types():
    from xaibook._validation import check_row_like

    reference = pd.DataFrame({"age": [30, 40], "income": [1.5, 2.5], "job": ["a", "b"]})
    row = check_row_like(reference.loc[1], reference)
    assert list(row.dtypes) == list(reference.dtypes) and row.index.tolist() == [1]
    reordered = check_row_like(reference.iloc[[0]][["job", "age", "income"]], reference)
    assert list(reordered.columns) == ["age", "income", "job"]
    with pytest.raises(ValueError, match="exactly one row"):
        check_row_like(reference, reference)
    with pytest.raises(ValueError, match="unexpected \\['extra'\\]"):
        check_row_like(reference.iloc[[0]].assign(extra=1), reference)
    with pytest.raises(ValueError, match="never holds"):
        check_row_like(reference.iloc[[0]].assign(job="c"), reference)
    with pytest.raises(ValueError, match="numbers where"):
        check_row_like(reference.iloc[[0]].assign(age="old"), reference)


def test_model_output_names_the_two_column_mistake_and_text():
    from xaibook._validation import check_model_output

    assert check_model_output([0.2, 0.8], 2).tolist() == [0.2, 0.8]
    with pytest.raises(ValueError, match="one column per class"):
        check_model_output(np.ones((3, 2)) / 2, 3)
    with pytest.raises(ValueError, match="must return numbers"):
        check_model_output(np.array(["0.1", "0.2"]), 2)
    with pytest.raises(ValueError, match="non-finite"):
        check_model_output([0.1, np.nan], 2)

"""xaibook.predict: a fitted model (or a prediction function) as f(X) -> one number per row."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from xaibook.predict import as_prediction_function, prediction_function


@pytest.fixture
def frame():
    return pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})


def test_prediction_function_probability_and_log_odds(frame):
    y = [0, 1, 0, 1]
    model = LogisticRegression().fit(frame, y)
    p = prediction_function(model)(frame)
    np.testing.assert_allclose(p, model.predict_proba(frame)[:, 1])
    logit = prediction_function(model, scale="log-odds")(frame)
    np.testing.assert_allclose(logit, model.decision_function(frame), rtol=1e-9, atol=1e-9)
    p0 = prediction_function(model, target_class=0)(frame)
    np.testing.assert_allclose(p0, 1 - p)


def test_prediction_function_errors(frame):
    model = LogisticRegression().fit(frame, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="not one of the model's classes"):
        prediction_function(model, target_class=7)
    with pytest.raises(ValueError, match="scale must be"):
        prediction_function(model, scale="odds")
    with pytest.raises(ValueError, match="not fitted"):
        prediction_function(LogisticRegression())
    with pytest.raises(ValueError, match="columns do not match"):
        prediction_function(model)(frame.rename(columns={"a": "x"}))
    regressor = LinearRegression().fit(frame, [0, 1, 2, 3])
    np.testing.assert_allclose(prediction_function(regressor)(frame), regressor.predict(frame))
    with pytest.raises(ValueError, match="classifiers only"):
        prediction_function(regressor, scale="log-odds")


def test_as_prediction_function_takes_a_model_or_a_function(frame):
    model = LogisticRegression().fit(frame, [0, 1, 0, 1])
    f = as_prediction_function(model, scale="log-odds")
    np.testing.assert_allclose(f(frame), model.decision_function(frame), rtol=1e-9, atol=1e-9)

    def g(X):
        return X["a"].to_numpy()

    assert as_prediction_function(g) is g
    with pytest.raises(ValueError, match="scale and target_class apply only"):
        as_prediction_function(g, scale="log-odds")
    with pytest.raises(TypeError, match="fitted scikit-learn model or a callable"):
        as_prediction_function(3)

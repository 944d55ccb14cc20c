"""The interaction chart: valid spec, the plotted parts are the interaction result's, small data."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc
from sklearn.ensemble import GradientBoostingClassifier

from xaibook.charts import shapley as charts
from xaibook.shapley import path_dependent_interactions, path_dependent_shap


@pytest.fixture(scope="module")
def interactions():
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({"age": rng.integers(20, 70, n).astype(float), "amount": rng.normal(3, 1, n),
                      "score": rng.normal(size=n)}, index=pd.Index(np.arange(500, 500 + n), name="applicant"))
    y = ((X["age"] > 45) & (X["amount"] > 3) | (X["score"] > 1)).astype(int)
    model = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y)
    return path_dependent_interactions(model, X, scale="log-odds"), model, X


def test_interaction_frame_holds_main_effect_and_pair(interactions):
    result, model, X = interactions
    frame = charts.interaction_frame(result, "age", "amount", max_rows=50)
    assert len(frame) == 100 and frame["row"].nunique() == 50
    main = frame[frame["part"] == "main effect of age"].set_index("row")["value"]
    pair = frame[frame["part"] == "whole interaction with amount (both halves)"].set_index("row")["value"]
    j, k = result.feature_names.index("age"), result.feature_names.index("amount")
    positions = [X.index.get_loc(r) for r in main.index]
    np.testing.assert_allclose(main.to_numpy(), result.values[positions, j, j], atol=1e-4)
    np.testing.assert_allclose(pair.to_numpy(), 2 * result.values[positions, j, k], atol=1e-4)
    # main effect + all interactions = the SHAP value of age (row sums)
    phi = path_dependent_shap(model, X.iloc[positions], scale="log-odds").to_wide()["age"].to_numpy()
    others = sum(result.values[positions, j, result.feature_names.index(o)] for o in ("amount", "score"))
    np.testing.assert_allclose(result.values[positions, j, j] + others, phi, atol=1e-10)


def test_interaction_chart_spec(interactions):
    result, _, _ = interactions
    chart = charts.interaction_chart(result, "age", "amount", max_rows=120, title="T", description="D.")
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)
    assert spec["title"]["text"] == "T" and spec["description"] == "D."
    assert len(json.dumps(spec)) < 60_000
    default = charts.interaction_chart(result, "age", "amount").to_dict()
    assert "age" in default["description"] and "amount" in default["description"]
    assert "log-odds" in default["description"]
    assert "both halves" in default["description"] and "two parts of its SHAP value" not in default["description"]


def test_interaction_chart_categorical_feature():
    rng = np.random.default_rng(1)
    n = 200
    X = pd.DataFrame({"purpose": rng.choice([0.0, 1.0, 2.0], n), "amount": rng.normal(3, 1, n)})
    y = ((X["purpose"] == 1) & (X["amount"] > 3)).astype(int)
    model = GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(X, y)
    result = path_dependent_interactions(model, X, scale="log-odds")
    text = result.data.assign(purpose=result.data["purpose"].map({0.0: "car", 1.0: "TV", 2.0: "other"}))
    relabelled = type(result)(result.values, result.base_value, result.feature_names, text, result.prediction,
                              result.output)
    spec = charts.interaction_chart(relabelled, "purpose", "amount").to_dict()
    vlc.vegalite_to_vega(spec)
    assert "xOffset" in json.dumps(spec)


def test_interaction_chart_bad_inputs(interactions):
    result, _, _ = interactions
    with pytest.raises(TypeError, match="ShapleyInteractions"):
        charts.interaction_chart(result.shap_values(), "age", "amount")
    with pytest.raises(ValueError, match="unknown feature"):
        charts.interaction_chart(result, "age", "nope")
    with pytest.raises(ValueError, match="max_rows"):
        charts.interaction_chart(result, "age", "amount", max_rows=0)

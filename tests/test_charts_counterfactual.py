"""Chart builders for counterfactual results: valid specs, titles, descriptions, selections, small data."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook.charts import counterfactual as charts
from xaibook.counterfactual import counterfactual_importance, counterfactuals


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    n = 60
    ref = pd.DataFrame({"income": rng.integers(10, 80, n), "debt": rng.normal(5, 2, n).round(2),
                        "job": rng.choice(["skilled", "unskilled", "none"], n)})

    def f(X):   # probability of class 1 ("approved")
        score = 0.08 * X["income"].to_numpy() - 0.5 * X["debt"].to_numpy() + (X["job"] == "skilled") * 1.5 - 2
        return 1 / (1 + np.exp(-score))

    x = pd.DataFrame({"income": [20], "debt": [6.0], "job": ["none"]})
    return f, x, ref


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)
    return spec


def test_whatif_frame_holds_only_changed_cells(setup):
    f, x, ref = setup
    result = counterfactuals(f, x, ref, n_counterfactuals=3)
    frame = charts.whatif_frame(result)
    assert len(frame) == int(result.changed().to_numpy().sum())
    assert all(" → " in c for c in frame["change"])
    assert (frame["original"] != frame["value"]).all()


def test_whatif_chart(setup):
    f, x, ref = setup
    result = counterfactuals(f, x, ref, n_counterfactuals=3)
    spec = spec_of(charts.whatif_chart(result))
    assert spec["title"]["text"] == "What would have to change?"
    assert "counterfactuals" in spec["description"] and "threshold" in spec["description"]
    text = json.dumps(spec)
    sizes = sorted(len(rows) for rows in spec["datasets"].values())
    n_features = charts.whatif_frame(result)["feature"].nunique()
    assert len(result) * n_features in sizes          # a mark for every cell: any click in a row selects it
    assert '"pick"' in text and "original \\u2192 new" in text
    with pytest.raises(TypeError, match="CounterfactualResult"):
        charts.whatif_chart("nope")
    empty = counterfactuals(lambda X: np.full(len(X), 0.1), x, ref, desired_class=1)
    with pytest.raises(ValueError, match="no counterfactual"):
        charts.whatif_chart(empty)


def test_importance_chart(setup):
    f, x, ref = setup
    people = ref[f(ref) < 0.5].iloc[:3]
    importance = counterfactual_importance(f, people, ref, n_counterfactuals=3)
    spec = spec_of(charts.importance_chart(importance, pd.Series({"income": 0.2, "debt": 0.1, "job": 0.05}),
                                           title="custom"))
    assert spec["title"] == "custom" and "SHAP" in spec["description"]
    assert "hconcat" in spec
    with pytest.raises(ValueError, match="top"):
        charts.importance_chart(importance, top=0)


def test_recourse_chart():
    costs = pd.DataFrame({"group": ["a", "a", "b", "b", "b"], "recourse cost": [1.0, 2.0, 0.5, np.nan, 1.5]})
    spec = spec_of(charts.recourse_chart(costs, group="group"))
    assert "a: mean 1.50 over 2 people" in spec["description"]
    assert "b: mean 1.00 over 2 people" in spec["description"]
    with pytest.raises(ValueError, match="columns"):
        charts.recourse_chart(costs, group="sex")

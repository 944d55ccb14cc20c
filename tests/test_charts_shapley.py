"""Chart builders for SHAP results: valid specs, titles, descriptions, tooltips, linked views, small data."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook.charts import shapley as charts
from xaibook.shapley import ShapleyResult, exact_shapley


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    n = 80
    X = pd.DataFrame({"age": rng.integers(20, 70, n), "amount": rng.normal(3, 1, n).round(2),
                      "purpose": rng.choice(["car", "radio/TV", "education"], n),
                      "job": rng.choice(["skilled", "unskilled"], n)},
                     index=pd.Index(np.arange(100, 100 + n), name="applicant"))

    def f(D):
        bump = np.where(D["purpose"] == "car", 0.2, -0.1)
        return 0.01 * D["age"].to_numpy() + bump * D["amount"].to_numpy() + (D["job"] == "skilled") * 0.05

    return exact_shapley(f, X, X.iloc[:20])


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)  # compiles: fields, selections and layers are consistent
    return spec


def inline(spec):
    return {k: v for k, v in spec.get("datasets", {}).items()}


def test_waterfall_frame_runs_from_base_to_prediction(result):
    frame = charts.waterfall_frame(result, [0, 5], top=2)
    for row, block in frame.groupby("row"):
        position = list(result.data.index).index(row)
        assert block["start"].iloc[0] == pytest.approx(result.base_value, abs=1e-4)
        assert block["end"].iloc[-1] == pytest.approx(result.prediction[position], abs=1e-3)
        assert block["label"].iloc[-1] == "2 other features" and len(block) == 3
        assert block["shap"].iloc[:2].abs().is_monotonic_decreasing


def test_waterfall_chart(result):
    spec = spec_of(charts.waterfall(result, 105, top=3))
    assert spec["title"]["text"] == "Why this prediction for row 105?"
    assert "base value" in spec["description"] and "row 105" in spec["description"]
    text = json.dumps(spec)
    assert "running total before" in text and "raises" in text
    assert sum(len(v) for v in inline(spec).values()) == 4
    with pytest.raises(ValueError, match="not among the explained rows"):
        charts.waterfall(result, 3)


def test_beeswarm_frame_and_chart(result):
    frame = charts.beeswarm_frame(result, top=3, max_rows=50)
    assert frame["row"].nunique() == 50 and frame["feature"].nunique() == 3
    assert frame["offset"].abs().max() <= 0.4
    categorical = frame[frame["feature"] == "purpose"]
    assert (categorical["colour"] == -1).all()             # categories are grey
    numeric = frame[frame["feature"] == "age"]
    assert numeric["colour"].between(0, 1).all()
    spec = spec_of(charts.beeswarm(result, top=3, max_rows=50))
    assert spec["description"].startswith("Beeswarm plot") and "yOffset" in json.dumps(spec)
    assert '"sort": ' + json.dumps(result.mean_abs().index[:3].tolist()) in json.dumps(spec)


def test_importance_and_dependence(result):
    spec = spec_of(charts.importance(result, top=2))
    assert sum(len(v) for v in inline(spec).values()) == 2
    dep = spec_of(charts.dependence(result, "amount"))
    assert "coloured by purpose" in dep["description"]            # the interacting feature
    cat = spec_of(charts.dependence(result, "purpose", color_by=None))
    assert "xOffset" in json.dumps(cat)
    with pytest.raises(ValueError, match="color_by"):
        charts.dependence(result, "amount", color_by="amount")
    with pytest.raises(ValueError, match="unknown feature"):
        charts.dependence(result, "colour")


def test_linked_view_filters_the_waterfall_by_the_clicked_row(result):
    spec = spec_of(charts.linked(result, top=3, max_rows=30, row=179))
    text = json.dumps(spec)
    assert '"person"' in text and '"filter": {"param": "person"}' in text
    assert '"value": [{"row": 179}]' in text
    rows = {len(v) for v in inline(spec).values()}
    assert max(rows) <= 30 * 4 and spec["title"]["text"] == "Pick a person, see why"


def test_bad_inputs(result):
    with pytest.raises(TypeError, match="ShapleyResult"):
        charts.beeswarm(pd.DataFrame())
    with pytest.raises(ValueError, match="top must be a positive integer"):
        charts.importance(result, top=0)
    with pytest.raises(ValueError, match="max_rows"):
        charts.beeswarm(result, max_rows=-1)


def test_compare_shows_the_spread_over_runs(result):
    shifted = ShapleyResult(result.values * 1.1, result.base_value, result.feature_names, result.data,
                            result.prediction)
    spec = spec_of(charts.compare({"seed 0": result, "seed 1": shifted}, 101, top=3, label_title="seed"))
    frame = charts.compare_frame({"seed 0": result, "seed 1": shifted}, 101, top=3)
    assert len(frame) == 6 and (frame["high"] >= frame["low"]).all()
    assert "2 seeds" in spec["title"]["subtitle"] and "widest range" in spec["description"]
    with pytest.raises(TypeError, match="dict"):
        charts.compare([result])


def test_convergence_chart():
    frame = pd.DataFrame({"method": ["kernel", "kernel", "sampling", "sampling"],
                          "evaluations": [100, 1000, 100, 1000], "error": [0.1, 0.01, 0.2, 0.05]})
    spec = spec_of(charts.convergence(frame))
    assert '"type": "log"' in json.dumps(spec) and "kernel, sampling" in spec["description"]
    with pytest.raises(ValueError, match="columns"):
        charts.convergence(frame.drop(columns="error"))


def test_dependence_lumps_categories_beyond_the_palette():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=60), "kind": rng.choice(list("abcdefghijk"), 60)})

    def f(D):
        return D["x"].to_numpy() * (D["kind"].isin(list("abc"))).to_numpy()

    result = exact_shapley(f, X, X.iloc[:10])
    spec = spec_of(charts.dependence(result, "x", color_by="kind"))
    values = {row["partner"] for rows in inline(spec).values() for row in rows if "partner" in row}
    assert len(values) == 8 and any(v.startswith("other (") for v in values)

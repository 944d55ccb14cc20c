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
    spec = spec_of(charts.waterfall_chart(result, 105, top=3))
    assert spec["title"]["text"] == "Why this prediction for row 105?"
    assert "base value" in spec["description"] and "row 105" in spec["description"]
    text = json.dumps(spec)
    assert "running total before" in text and "raises" in text
    assert sum(len(v) for v in inline(spec).values()) == 4
    with pytest.raises(ValueError, match="not among the explained rows"):
        charts.waterfall_chart(result, 3)


def test_beeswarm_frame_and_chart(result):
    frame = charts.beeswarm_frame(result, top=3, max_rows=50)
    assert frame["row"].nunique() == 50 and frame["feature"].nunique() == 3
    assert frame["offset"].abs().max() <= 0.4
    categorical = frame[frame["feature"] == "purpose"]
    assert (categorical["colour"] == -1).all()             # categories are grey
    numeric = frame[frame["feature"] == "age"]
    assert numeric["colour"].between(0, 1).all()
    spec = spec_of(charts.beeswarm_chart(result, top=3, max_rows=50))
    assert spec["description"].startswith("Beeswarm plot") and "yOffset" in json.dumps(spec)
    assert '"sort": ' + json.dumps(result.mean_abs().index[:3].tolist()) in json.dumps(spec)


def test_importance_and_dependence(result):
    spec = spec_of(charts.importance_chart(result, top=2))
    assert sum(len(v) for v in inline(spec).values()) == 2
    dep = spec_of(charts.dependence_chart(result, "amount"))
    assert "coloured by purpose" in dep["description"]            # the interacting feature
    cat = spec_of(charts.dependence_chart(result, "purpose", color_by=None))
    assert "xOffset" in json.dumps(cat)
    with pytest.raises(ValueError, match="color_by"):
        charts.dependence_chart(result, "amount", color_by="amount")
    with pytest.raises(ValueError, match="unknown feature"):
        charts.dependence_chart(result, "colour")


def test_linked_view_filters_the_waterfall_by_the_clicked_row(result):
    spec = spec_of(charts.linked_chart(result, top=3, max_rows=30, row=179))
    text = json.dumps(spec)
    assert '"person"' in text and '"filter": {"param": "person"}' in text
    assert '"value": [{"row": 179}]' in text
    rows = {len(v) for v in inline(spec).values()}
    assert max(rows) <= 30 * 4 and spec["title"]["text"] == "Every person's SHAP values, one person's waterfall"


def test_bad_inputs(result):
    with pytest.raises(TypeError, match="ShapleyResult"):
        charts.beeswarm_chart(pd.DataFrame())
    with pytest.raises(ValueError, match="top must be a positive integer"):
        charts.importance_chart(result, top=0)
    with pytest.raises(ValueError, match="max_rows"):
        charts.beeswarm_chart(result, max_rows=-1)


def test_compare_shows_the_spread_over_runs(result):
    shifted = ShapleyResult(result.values * 1.1, result.base_value, result.feature_names, result.data,
                            result.prediction)
    spec = spec_of(charts.comparison_chart({"seed 0": result, "seed 1": shifted}, 101, top=3, label_title="seed"))
    frame = charts.compare_frame({"seed 0": result, "seed 1": shifted}, 101, top=3)
    assert len(frame) == 6 and (frame["high"] >= frame["low"]).all()
    assert "2 seeds" in spec["title"]["subtitle"] and "widest range" in spec["description"]
    with pytest.raises(TypeError, match="dict"):
        charts.comparison_chart([result])


def test_convergence_chart():
    frame = pd.DataFrame({"method": ["kernel", "kernel", "sampling", "sampling"],
                          "evaluations": [100, 1000, 100, 1000], "error": [0.1, 0.01, 0.2, 0.05]})
    spec = spec_of(charts.convergence_chart(frame))
    assert '"type": "log"' in json.dumps(spec) and "kernel, sampling" in spec["description"]
    with pytest.raises(ValueError, match="columns"):
        charts.convergence_chart(frame.drop(columns="error"))


def test_dependence_lumps_categories_beyond_the_palette():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=60), "kind": rng.choice(list("abcdefghijk"), 60)})

    def f(D):
        return D["x"].to_numpy() * (D["kind"].isin(list("abc"))).to_numpy()

    result = exact_shapley(f, X, X.iloc[:10])
    spec = spec_of(charts.dependence_chart(result, "x", color_by="kind"))
    values = {row["partner"] for rows in inline(spec).values() for row in rows if "partner" in row}
    assert len(values) == 8 and any(v.startswith("other (") for v in values)


def test_force_frame_stacks_from_base_value_to_prediction(result):
    for row in (100, 117, 150):
        position = list(result.data.index).index(row)
        shap_row, prediction = result.values[position], result.prediction[position]
        frame = charts.force_frame(result, row, top=2)
        raises, lowers = frame[frame["direction"] == "raises"], frame[frame["direction"] == "lowers"]
        # the two sides meet at f(x); raises end there, lowers start there
        if len(raises):
            assert raises["end"].iloc[0] == pytest.approx(prediction, abs=1e-4)
            assert raises["start"].min() == pytest.approx(prediction - shap_row[shap_row > 0].sum(), abs=1e-3)
            assert (raises["shap"] > 0).all()
        if len(lowers):
            assert lowers["start"].iloc[0] == pytest.approx(prediction, abs=1e-4)
            assert (lowers["shap"] < 0).all()
        # segments tile the bar without gaps, and the far end of the blue side is the base value
        extent = frame["end"].max() - frame["start"].min()
        assert (frame["end"] - frame["start"]).sum() == pytest.approx(extent, abs=1e-3)
        assert prediction - shap_row[shap_row > 0].sum() - shap_row[shap_row < 0].sum() == \
            pytest.approx(result.base_value, abs=1e-9)
        assert frame["start"].min() + (-shap_row[shap_row < 0]).sum() + shap_row[shap_row > 0].sum() == \
            pytest.approx(frame["end"].max(), abs=1e-3)
        # at most `top` features per side, the rest summed into one segment
        for side, values in ((raises, shap_row[shap_row > 0]), (lowers, shap_row[shap_row < 0])):
            assert len(side) == min(len(values), 3)
            assert side["shap"].sum() == pytest.approx(values.sum(), abs=1e-3)


def test_force_chart(result):
    spec = spec_of(charts.force_chart(result, 105, title="Force"))
    position = list(result.data.index).index(105)
    assert spec["title"]["text"] == "Force" and "base value" in spec["description"]
    assert f"{result.prediction[position]:.3f}" in spec["description"]
    text = json.dumps(spec)
    assert "SHAP value" in text and "raises" in text and "f(x) = " in text
    assert max(len(v) for v in inline(spec).values()) <= len(result.feature_names) + 2
    # every label shown names a segment at least min_label of the bar long
    labelled = [r for rows in inline(spec).values() for r in rows if "text" in r]
    extent = max(r["end"] for rows in inline(spec).values() for r in rows if "end" in r) - \
        min(r["start"] for rows in inline(spec).values() for r in rows if "start" in r)
    assert labelled and all(abs(r["end"] - r["start"]) >= 0.08 * extent - 1e-9 for r in labelled)
    with pytest.raises(ValueError, match="min_label"):
        charts.force_chart(result, 105, min_label=2)
    with pytest.raises(TypeError, match="ShapleyResult"):
        charts.force_chart(pd.DataFrame())
    zero = ShapleyResult(np.zeros_like(result.values), result.base_value, result.feature_names, result.data,
                         np.full(len(result), result.base_value))
    with pytest.raises(ValueError, match="nothing to draw"):
        charts.force_chart(zero)


def test_force_labels_never_overlap_in_a_lane():
    from xaibook.charts.shapley import _CHAR_PIXELS, _label_lanes

    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 1, 12)
    n_chars = rng.integers(10, 40, 12)
    per_pixel = 1 / 620
    lanes = _label_lanes(centres, n_chars, units_per_pixel=per_pixel)
    half = n_chars * _CHAR_PIXELS * per_pixel / 2
    for lane in set(lanes):
        spans = sorted((centres[i] - half[i], centres[i] + half[i]) for i in np.flatnonzero(lanes == lane))
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f"labels overlap in lane {lane}"
    # two labels at one spot take two lanes; two far apart share the first
    assert list(_label_lanes(np.array([0.5, 0.5]), np.array([20, 20]), units_per_pixel=per_pixel)) == [0, 1]
    assert list(_label_lanes(np.array([0.1, 0.9]), np.array([20, 20]), units_per_pixel=per_pixel)) == [0, 0]

"""Chart builders of chapters 8 and 9: valid specs, titles, descriptions, tooltips, bad input."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook import agreement
from xaibook.charts import failures as charts


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)  # compiles: fields, params and layers are consistent
    return spec


def rows_in(spec) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    features = [f"f{j}" for j in range(5)]
    methods = {m: pd.Series(rng.normal(size=5), index=features) for m in ("SHAP", "LIME", "PI")}
    return agreement.agreement_table(methods)


def test_agreement_chart_has_a_slider_and_a_menu(table):
    spec = spec_of(charts.agreement_chart(table, k=2))
    text = json.dumps(spec)
    assert spec["title"] == "How much do the explanations agree?"
    assert "SHAP, LIME, PI" in spec["description"]
    params = {p["name"]: p for p in spec["params"]}
    assert params["k"]["value"] == 2 and params["k"]["bind"]["input"] == "range"
    assert params["k"]["bind"]["max"] == 5
    assert set(params["metric"]["bind"]["options"]) == set(agreement.METRICS)
    assert '"tooltip"' in text and rows_in(spec) == len(table)
    with pytest.raises(ValueError, match="k=9"):
        charts.agreement_chart(table, k=9)
    with pytest.raises(ValueError, match="metric"):
        charts.agreement_chart(table, metric="nonsense")
    with pytest.raises(ValueError, match="lacks"):
        charts.agreement_chart(table.drop(columns="k"))


def test_spread_chart_keeps_the_top_features():
    frame = pd.DataFrame({"run": np.repeat([0, 1, 2], 4), "feature": list("abcd") * 3,
                          "value": [0.5, -0.1, 0.02, 0.3] * 3, "auc": np.repeat([0.7, 0.75, 0.8], 4)})
    spec = spec_of(charts.spread_chart(frame, top=2, tooltip=["auc"], title="Refits"))
    text = json.dumps(spec)
    assert spec["title"] == "Refits" and "2 features" in spec["description"] and "3 runs" in spec["description"]
    assert '"sort": ["a", "d"]' in text and '"auc"' in text
    assert rows_in(spec) == 6 + 1
    with pytest.raises(TypeError, match="DataFrame"):
        charts.spread_chart(frame.to_dict())


def test_tradeoff_and_effect_curves():
    frame = pd.DataFrame({"threshold": [0.3, 0.5, 0.3, 0.5], "measure": ["a", "a", "b", "b"],
                          "value": [0.9, 0.7, 0.2, 0.8]})
    spec = spec_of(charts.tradeoff_chart(frame, x="threshold", x_title="detector threshold"))
    assert "2 measures" in spec["description"] and "detector threshold" in spec["description"]
    curves = pd.DataFrame({"credit_amount": [500, 1000, 500, 1000], "model": ["m1", "m1", "m2", "m2"],
                           "prediction": [0.7, 0.5, 0.4, 0.5]})
    spec = spec_of(charts.effect_curves_chart(curves, feature="credit_amount", at=741))
    assert "m1, m2" in spec["description"] and "dashed line" in spec["description"]
    assert rows_in(spec) == 4 + 1
    with pytest.raises(ValueError, match="lacks"):
        charts.effect_curves_chart(curves, feature="age")


def test_grouped_bars_and_report_card():
    bars = pd.DataFrame({"feature": ["a", "a", "b", "b"], "importance": [0.1, 0.0, 0.05, 0.01],
                         "model": ["real", "shuffled", "real", "shuffled"]})
    spec = spec_of(charts.grouped_bars_chart(bars, item="feature", value="importance", group="model"))
    assert "real, shuffled" in spec["description"]
    card = pd.DataFrame({"method": ["SHAP"] * 3 + ["LIME"] * 3, "feature": list("xyz") * 2,
                         "value": [0.2, -0.1, 0.0, 0.05, 0.1, -0.02]})
    spec = spec_of(charts.report_card_chart(card))
    data = next(iter(spec["datasets"].values()))
    shap_x = next(d for d in data if d["method"] == "SHAP" and d["feature"] == "x")
    lime_y = next(d for d in data if d["method"] == "LIME" and d["feature"] == "y")
    assert shap_x["scaled"] == 1.0 and shap_x["rank"] == 1 and lime_y["scaled"] == 1.0
    assert next(d for d in data if d["method"] == "SHAP" and d["feature"] == "y")["scaled"] == -0.5


def test_decision_guide():
    frame = pd.DataFrame({"method": ["PI", "SHAP"], "scope": ["global", "local"], "cost": [2, 4],
                          "stability": [0.9, 0.8], "chapter": ["3", "5"]})
    spec = spec_of(charts.decision_guide_chart(frame, x="cost", y="stability"))
    assert "PI, SHAP" in spec["description"] and '"chapter"' in json.dumps(spec)
    with pytest.raises(ValueError, match="scope"):
        charts.decision_guide_chart(frame.drop(columns="scope"), x="cost", y="stability")


def test_decision_guide_with_intervals():
    frame = pd.DataFrame({"method": ["PI", "SHAP"], "scope": ["global", "local"], "cost": [2, 4],
                          "stability": [0.9, 0.8], "low": [0.85, float("nan")], "high": [0.95, float("nan")]})
    spec = spec_of(charts.decision_guide_chart(frame, x="cost", y="stability", y_low="low", y_high="high"))
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and rules[0]["encoding"]["y"]["field"] == "low"
    assert rules[0]["encoding"]["y2"]["field"] == "high" and "isValid" in json.dumps(rules[0]["transform"])
    assert "95% intervals" in spec["description"]
    with pytest.raises(ValueError, match="both y_low and y_high"):
        charts.decision_guide_chart(frame, x="cost", y="stability", y_low="low")


def test_place_labels_keeps_labels_off_points_intervals_and_each_other():
    from xaibook.charts.failures import _LABEL_CHAR_PX, _LABEL_HEIGHT_PX, place_labels

    # two points close together, an interval right of the first: labels go where they are free
    px, py = np.array([100.0, 130.0, 20.0]), np.array([100.0, 104.0, 200.0])
    texts = ["LIME", "KernelSHAP", "TreeSHAP"]
    bar = (128.0, 60.0, 132.0, 140.0)
    spots = place_labels(px, py, texts, width=240, height=300, obstacles=[bar])
    boxes = []
    for (_side, align, x, y), text in zip(spots, texts):
        w = len(text) * _LABEL_CHAR_PX
        left = x - {"left": 0.0, "right": w, "center": w / 2}[align]
        boxes.append((left, y - _LABEL_HEIGHT_PX / 2, left + w, y + _LABEL_HEIGHT_PX / 2))
    points = [(x - 8, y - 8, x + 8, y + 8) for x, y in zip(px, py)]
    for i, box in enumerate(boxes):
        assert 0 <= box[0] and box[2] <= 240 and 0 <= box[1] and box[3] <= 300, (texts[i], box)
        for other in boxes[i + 1:] + points + [bar]:
            assert min(box[2], other[2]) <= max(box[0], other[0]) or min(box[3], other[3]) <= max(box[1], other[1]), \
                (texts[i], box, other)
    assert spots[2][0] == "right"  # a point with room keeps its label on the right

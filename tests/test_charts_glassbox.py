"""Glass-box chart builders: titles, descriptions, valid specs, and the what-if formula in Vega."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from xaibook import glassbox as gb
from xaibook import overview
from xaibook.charts import glassbox as gc

vlc = pytest.importorskip("vl_convert")


@pytest.fixture(scope="module")
def case():
    rng = np.random.RandomState(1)
    n = 300
    X = pd.DataFrame({"age": rng.randint(19, 75, n), "amount": np.round(rng.gamma(2.0, 1500.0, n), 2),
                      "purpose": rng.choice(["car", "tv", "education"], n)})
    y = (rng.rand(n) < expit(-0.04 * (X.age - 40) + 0.0003 * (X.amount - 3000)
                             + 0.7 * (X.purpose == "car"))).astype(int)
    pre = ColumnTransformer([("numeric", StandardScaler(), ["age", "amount"]),
                             ("categorical", OneHotEncoder(sparse_output=False), ["purpose"])],
                            verbose_feature_names_out=False)
    logistic = Pipeline([("preprocess", pre), ("model", LogisticRegression(max_iter=5000))]).fit(X, y)
    tree = Pipeline([("preprocess", pre),
                     ("model", DecisionTreeClassifier(max_depth=3, random_state=0))]).fit(X, y)
    return X, y, logistic, tree


def _check(chart):
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    title = spec["title"] if isinstance(spec["title"], str) else spec["title"]["text"]
    assert title.strip() and spec["description"].strip()
    return spec


def test_builders_give_titled_described_valid_charts(case):
    X, y, logistic, tree = case
    result = gb.logistic_coefficients(logistic, X)
    _check(gc.coefficient_chart(result, outcome="bad risk"))
    spec = _check(gc.coefficient_chart(result, axis="log-odds", top=3))
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) in (1, 3)
    contributions = gb.logistic_contributions(logistic, X.iloc[[0]], X, coefficients=result)
    _check(gc.contribution_chart(contributions, outcome="bad risk"))
    _check(gc.contribution_chart(gb.logistic_contributions(logistic, X.iloc[[0]], X), top=None))
    rules = gb.tree_rules(tree)
    path = gb.decision_path(tree, X.iloc[[0]])
    _check(gc.tree_chart(rules))
    _check(gc.tree_chart(rules, path=path))
    _check(gc.decision_path_chart(path, outcome="bad risk"))
    _check(gc.shape_function_chart(gb.shape_functions(gb.spline_gam(X, y), X, grid_resolution=10)))
    metrics = pd.DataFrame({"case": ["credit"] * 2, "label": ["Logistic", "Boosting"],
                            "kind": ["glass-box", "opaque"], "roc_auc": [0.78, 0.80],
                            "accuracy": [0.75, 0.76]})
    _check(gc.metrics_chart(metrics))
    _check(gc.method_map_chart(overview.method_map()))


def test_icicle_layout_nests_children_in_their_parent(case):
    X, _, _, tree = case
    nodes = gc.icicle_layout(gb.tree_rules(tree).nodes)
    assert nodes.loc[0, "x0"] == 0 and nodes.loc[0, "x1"] == 1
    leaves = nodes[nodes["is_leaf"]]
    assert leaves["x1"].sub(leaves["x0"]).sum() == pytest.approx(1.0)
    t = tree[-1].tree_
    for node in np.flatnonzero(t.children_left != -1):
        left, right = t.children_left[node], t.children_right[node]
        assert nodes.loc[left, "x0"] == nodes.loc[node, "x0"]
        assert nodes.loc[left, "x1"] == pytest.approx(nodes.loc[right, "x0"])
        assert nodes.loc[right, "x1"] == nodes.loc[node, "x1"]
        width = nodes.loc[left, "x1"] - nodes.loc[left, "x0"]
        assert width == pytest.approx(t.n_node_samples[left] / len(X))


def test_builders_reject_bad_input(case):
    X, _, logistic, tree = case
    with pytest.raises(TypeError, match="LogisticCoefficients"):
        gc.coefficient_chart(X)
    with pytest.raises(ValueError, match="axis must be"):
        gc.coefficient_chart(gb.logistic_coefficients(logistic, X), axis="probability")
    with pytest.raises(ValueError, match="top must be"):
        gc.coefficient_chart(gb.logistic_coefficients(logistic, X), top=0)
    with pytest.raises(TypeError, match="LogisticContributions"):
        gc.contribution_chart(gb.logistic_coefficients(logistic, X))
    with pytest.raises(TypeError, match="TreeRules"):
        gc.tree_chart(gb.decision_path(tree, X.iloc[[0]]))
    with pytest.raises(TypeError, match="DecisionPath"):
        gc.decision_path_chart(gb.tree_rules(tree))
    with pytest.raises(ValueError, match="roc_auc"):
        gc.metrics_chart(pd.DataFrame({"case": ["c"], "label": ["m"], "kind": ["opaque"], "accuracy": [0.7]}))
    with pytest.raises(TypeError, match="metrics_table"):
        gc.metrics_chart([1, 2])
    with pytest.raises(ValueError, match="method_map"):
        gc.method_map_chart(overview.method_map().drop(columns="cost"))
    spec = gb.whatif_spec(logistic, X.iloc[[0]], ["age"], data=X)
    with pytest.raises(ValueError, match="threshold"):
        gc.whatif_chart(spec, threshold=1.5)
    with pytest.raises(ValueError, match="unknown feature"):
        gc.whatif_chart(spec, labels={"height": "Height"})
    with pytest.raises(TypeError, match="WhatIfSpec"):
        gc.whatif_expected_text(0.5)


def _displayed(spec_dict) -> tuple[str, float]:
    """Render with Vega (vl-convert) and read the what-if text and its full-precision aria-label."""
    svg = vlc.vegalite_to_svg(spec_dict)
    group = re.search(rf'<g class="[^"]*{gc.WHATIF_TEXT_NAME}_marks"[^>]*>(.*?)</g>', svg, re.S).group(1)
    text = re.search(r"<text[^>]*>([^<]*)</text>", group).group(1)
    precise = float(re.search(r"class 1: ([0-9.eE-]+);", group).group(1))
    return text, precise


def test_whatif_chart_shows_predict_proba_when_drawn_by_vega(case):
    X, _, logistic, _ = case
    for i in (0, 7):
        row = X.iloc[[i]]
        spec = gb.whatif_spec(logistic, row, ["age", "amount"], data=X)
        chart = gc.whatif_chart(spec, labels={"age": "Age"})
        spec_dict = _check(chart)
        assert spec_dict["usermeta"]["embedOptions"]["renderer"] == "svg"
        params = {p["name"]: p for p in spec_dict["params"]}
        assert params["whatif_age"]["value"] == row["age"].item()
        assert params["whatif_amount"]["value"] == row["amount"].item()
        assert params["whatif_age"]["bind"]["input"] == "range"
        assert params["whatif_age"]["bind"]["min"] <= row["age"].item() <= params["whatif_age"]["bind"]["max"]
        assert gc.WHATIF_SIGNAL in params
        # on a phone the axis has half the labels (0.1 apart, "0.9" and "1.0" crowd each other), same sliders
        narrow = spec_dict["usermeta"]["xaibook"]["narrow"]
        assert [p["name"] for p in narrow["params"]] == list(params)
        assert spec_dict["layer"][0]["encoding"]["x"]["axis"]["tickCount"] == 10
        assert narrow["layer"][0]["encoding"]["x"]["axis"]["tickCount"] == 5
        text, precise = _displayed(spec_dict)
        expected = logistic.predict_proba(row)[0, 1]
        assert text == gc.whatif_expected_text(spec) == f"{expected:.3f}"
        assert precise == pytest.approx(expected, rel=1e-11)  # Vega prints 12 significant digits
        # moving a slider (its value in the spec) moves the drawn probability as predict_proba says
        for p in spec_dict["params"]:
            if p["name"] == "whatif_age":
                p["value"] = 70
        _, moved = _displayed(spec_dict)
        assert moved == pytest.approx(logistic.predict_proba(row.assign(age=70))[0, 1], rel=1e-11)


def test_whatif_signal_names_are_safe(case):
    X, _, logistic, _ = case
    spec = gb.whatif_spec(logistic, X.iloc[[0]], ["age"], data=X)
    assert gc._signal_name("duration (months)") == "whatif_duration__months_"
    assert gc.WHATIF_TEXT_SELECTOR == "g.whatif_probability_text_marks text"
    assert "whatif_age" in spec.expression({"age": "whatif_age"})

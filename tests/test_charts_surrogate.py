"""Chart builders for LIME results: valid specs, titles, descriptions, sliders, small data, bad input."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook import surrogate as S
from xaibook.charts import surrogate as charts


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)  # compiles: fields, params and layers are consistent
    assert spec.get("description") and spec.get("title")
    return spec


def rows_of(spec):
    return sum(len(v) for v in spec.get("datasets", {}).values())


def params_of(spec):
    found = list(spec.get("params", []))
    for key in ("layer", "hconcat", "vconcat"):
        for sub in spec.get(key, []):
            found += params_of(sub)
    return found


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame({"age": rng.integers(20, 70, n).astype(float), "amount": rng.normal(3, 1, n),
                         "purpose": rng.choice(["car", "radio/TV", "education"], n)})


def f(X):
    return 1 / (1 + np.exp(-(0.05 * (X["age"].to_numpy() - 45) + (X["purpose"] == "car") * 0.8
                             - 0.3 * X["amount"].to_numpy())))


@pytest.fixture(scope="module")
def result(frame):
    return S.lime_tabular(f, frame, frame.iloc[[0]], n_samples=1000, return_neighbourhood=True)


def test_weights_chart(result):
    spec = spec_of(charts.weights_chart(result, top=2))
    assert rows_of(spec) <= 3
    assert "fidelity" in str(spec["title"])
    with pytest.raises(ValueError, match="top"):
        charts.weights_chart(result, top=0)
    with pytest.raises(TypeError, match="LimeResult"):
        charts.weights_chart("not a result")


def test_neighbourhood_chart_has_a_width_slider_and_few_rows(result):
    spec = spec_of(charts.neighbourhood_chart(result, "age", "amount", max_rows=150))
    assert rows_of(spec) <= 151
    slider = [p for p in params_of(spec) if p.get("name") == "kernel_width"]
    assert slider and slider[0]["bind"]["input"] == "range"
    assert slider[0]["value"] == pytest.approx(result.kernel_width, abs=1e-3)
    with pytest.raises(ValueError, match="unknown feature"):
        charts.neighbourhood_chart(result, "age", "nope")
    bare = S.lime_tabular(f, result.neighbourhood.samples.iloc[:50], result.neighbourhood.samples.iloc[[0]],
                          n_samples=100)
    with pytest.raises(ValueError, match="return_neighbourhood"):
        charts.neighbourhood_chart(bare, "age", "amount")


def test_width_path_chart(result):
    path = S.kernel_width_path(result.neighbourhood, [0.5, 1.0, 2.0, 4.0])
    assert set(path["width"]) == {0.5, 1.0, 2.0, 4.0} and len(path) == 4 * 3
    spec = spec_of(charts.width_path_chart(path, top=2, initial_width=2.0))
    step = [p for p in params_of(spec) if p.get("name") == "width_step"][0]
    assert step["value"] == 2 and step["bind"]["options"] == [0, 1, 2, 3]
    assert len(step["bind"]["labels"]) == 4  # the widths themselves, not step numbers
    with pytest.raises(ValueError, match="kernel_width_path"):
        charts.width_path_chart(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="empty"):
        S.kernel_width_path(result.neighbourhood, [])


def test_stability_chart(frame):
    runs = {f"seed {s}": S.lime_tabular(f, frame, frame.iloc[[1]], n_samples=300, random_state=s) for s in range(3)}
    data = S.results_frame(runs).assign(setting="300 samples")
    spec = spec_of(charts.stability_chart(data, top=2))
    assert rows_of(spec) == 3 * 2 + 1  # three runs x two features, and the zero line
    with pytest.raises(ValueError, match="columns"):
        charts.stability_chart(data.drop(columns="setting"))
    with pytest.raises(TypeError, match="LimeResult"):
        S.results_frame({})


def test_lime_vs_shap_chart(result, frame):
    x = frame.loc[frame.index[0]]  # the person the result explains
    shap_values = pd.Series([0.1, -0.2, 0.05], index=result.feature_names, name=x.name)
    spec = spec_of(charts.lime_vs_shap_chart(result, shap_values, x=x, top=2))
    assert rows_of(spec) == 4
    # side by side the LIME panel shares the SHAP panel's feature names; on a phone, stacked, both name them
    assert [p["encoding"]["y"]["axis"]["labels"] for p in spec["hconcat"]] == [True, False]
    narrow = spec["usermeta"]["xaibook"]["narrow"]
    assert [p["encoding"]["y"]["axis"]["labels"] for p in narrow["vconcat"]] == [True, True]
    with pytest.raises(ValueError, match="same feature names"):
        charts.lime_vs_shap_chart(result, shap_values.drop("age"), x=x)


def test_lime_vs_shap_chart_refuses_two_people(result, frame):
    """Issue 26: the LIME result and the SHAP values must explain the same person."""
    other = frame.loc[frame.index[1]]
    shap_values = pd.Series([0.1, -0.2, 0.05], index=result.feature_names, name=other.name)
    with pytest.raises(ValueError, match="different people"):
        charts.lime_vs_shap_chart(result, shap_values, x=other)
    with pytest.raises(ValueError, match="without a row label"):
        charts.lime_vs_shap_chart(result, shap_values.rename(None))
    with pytest.raises(ValueError, match="LIME explained row"):   # LIME records whom it explained
        charts.lime_vs_shap_chart(result, shap_values)
    assert result.row == frame.index[0]
    mine = shap_values.rename(result.row)
    assert rows_of(spec_of(charts.lime_vs_shap_chart(result, mine, top=2))) == 4
    with pytest.raises(ValueError, match="pass x="):             # a result that records no row needs x=
        charts.lime_vs_shap_chart(dataclasses.replace(result, row=None), shap_values)
    from xaibook.shapley import exact_shapley

    def log_odds(X):
        p = f(X)
        return np.log(p / (1 - p))

    log_odds.scale = "log-odds"
    with pytest.raises(ValueError, match="different output scales"):
        charts.lime_vs_shap_chart(result, exact_shapley(log_odds, frame.iloc[[0]], frame.iloc[:20]))
    with pytest.raises(ValueError, match="same person"):
        charts.lime_vs_shap_chart(result, shap_values, x=frame.loc[frame.index[0]])
    from xaibook.shapley import exact_shapley
    both = exact_shapley(f, frame.iloc[[1, 0]], frame.iloc[:20])
    assert rows_of(spec_of(charts.lime_vs_shap_chart(result, both, row=frame.index[0], top=2))) == 4
    with pytest.raises(ValueError, match="different people"):
        charts.lime_vs_shap_chart(result, both, row=frame.index[1])
    # without row=, the row LIME recorded is taken; rows that do not include it need row=
    assert rows_of(spec_of(charts.lime_vs_shap_chart(result, both, top=2))) == 4
    with pytest.raises(ValueError, match="row="):
        charts.lime_vs_shap_chart(result, exact_shapley(f, frame.iloc[[1, 2]], frame.iloc[:20]))


def test_text_charts():
    def g(texts):
        return np.array([0.2 + 0.5 * ("good" in t) - 0.1 * ("<b>" in t) for t in texts])

    result = S.lime_text(g, "a good film & a <b> tag", n_samples=300)
    figure = charts.text_html(result)
    markup = figure._repr_html_()
    assert "&lt;" in markup and "&amp;" in markup and "<b>" not in markup  # the text is escaped
    _, ids, _ = S.text_tokens(result.text)
    assert markup.count('class="xaibook-word') == int((ids >= 0).sum())
    assert "<script" not in markup
    coefficients = {w: 1.0 for w in result.feature_names}
    spec_of(charts.word_weights_chart(result, coefficients))
    with pytest.raises(ValueError, match="no value"):
        charts.word_weights_chart(result, {})
    with pytest.raises(ValueError, match="text explanation"):
        charts.text_html(S.lime_tabular(f, pd.DataFrame({"age": [1.0, 2.0, 3.0], "amount": [1.0, 2, 3],
                                                          "purpose": ["car", "car", "x"]}),
                                        pd.DataFrame({"age": [1.0], "amount": [1.0], "purpose": ["car"]}),
                                        n_samples=20))


def test_image_chart_and_submodular_chart(frame):
    image = np.random.default_rng(0).uniform(size=(10, 10))
    segments = S.grid_segments(image.shape, 2)
    one = S.lime_image(lambda b: b[:, :5, :5].mean(axis=(1, 2)), image, segments=segments, hide_color=0, n_samples=100)
    spec = spec_of(charts.image_chart(image, {"hide 0": one}))
    assert rows_of(spec) <= 100 * 3
    # the explanation is drawn on the picture: each panel layers the grey image under a tint whose
    # colour is signed around a neutral zero and whose opacity is 0 for a weight of 0
    panel = spec["hconcat"][1]["layer"]
    tint = panel[1]["encoding"]
    assert panel[0]["encoding"]["color"]["field"] == "value" and tint["color"]["field"] == "weight"
    assert tint["color"]["scale"]["domain"][1] == 0 and tint["opacity"]["scale"]["range"][0] == 0
    with pytest.raises(TypeError, match="image LimeResult"):
        charts.image_chart(image, {})
    with pytest.raises(ValueError, match="do not match"):
        charts.image_chart(np.zeros((8, 8)), {"x": one})
    assert one.scale == "model output"     # a plain function declares no scale
    with pytest.raises(ValueError, match="different output scales"):
        charts.image_chart(image, {"a": one, "b": dataclasses.replace(one, scale="log-odds")})
    explanations = [S.lime_tabular(f, frame, frame.iloc[[i]], n_samples=200) for i in range(5)]
    pick = S.submodular_pick(explanations, n_picks=2)
    spec = spec_of(charts.submodular_chart(pick, top=4))
    assert "cover" in str(spec["title"])
    with pytest.raises(ValueError, match="names"):
        charts.submodular_chart(pick, names=["only one"])
    with pytest.raises(TypeError, match="SubmodularPick"):
        charts.submodular_chart(explanations)

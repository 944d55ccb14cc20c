"""Chart builders for partial dependence, ICE and ALE: valid specs, titles, small data, linking."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook import dependence as dep
from xaibook.charts import _base as charts_base
from xaibook.charts import dependence as charts


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 200
    x1 = rng.uniform(0, 10, n)
    return pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(size=n), "age": rng.integers(20, 70, n),
                         "colour": rng.choice(["red", "green", "blue"], n)},
                        index=pd.RangeIndex(100, 100 + n, name="person"))


def f(X):
    return (0.3 * X["x1"].to_numpy() * (X["colour"] == "red").to_numpy()
            + 0.1 * X["x2"].to_numpy() - 0.01 * X["age"].to_numpy())


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)  # compiles: fields, selections and transforms are consistent
    return spec


def inline_rows(spec) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


def test_ice_chart_has_title_description_tooltip_and_few_rows(frame):
    result = dep.partial_dependence(f, frame, "x1", grid_resolution=15)
    spec = spec_of(charts.ice_chart(result, max_rows=25, id_title="person"))
    assert spec["title"]["text"].startswith("ICE curves") and "x1" in spec["description"]
    assert inline_rows(spec) == 25 + 15 + 0  # one record per person + the PDP points
    text = json.dumps(spec)
    assert '"title": "person"' in text and "flatten" in text and "pointerover" in text
    ice = charts.ice_frame(result, max_rows=25)
    assert len(ice) == 25 and len(ice["x"].iloc[0]) == 15 and set(ice["id"]) <= {str(i) for i in frame.index}


def test_ice_frame_samples_reproducibly(frame):
    result = dep.partial_dependence(f, frame, "x1", grid_resolution=5)
    a = charts.ice_frame(result, max_rows=10, random_state=1)
    b = charts.ice_frame(result, max_rows=10, random_state=1)
    assert list(a["id"]) == list(b["id"])
    row = result.rows.tolist().index(int(a["id"].iloc[0]))
    np.testing.assert_allclose(a["y"].iloc[0], np.round(result.individual[row], 4))
    assert len(charts.ice_frame(result, max_rows=1000)) == len(frame)


def test_centered_and_categorical_charts(frame):
    result = dep.partial_dependence(f, frame, "x2", grid_resolution=8)
    spec = spec_of(charts.centered_ice_chart(result))
    assert spec["title"]["text"].startswith("Centred ICE")
    assert "change in prediction since x2" in json.dumps(spec)
    cat = dep.partial_dependence(f, frame, "colour")
    spec = spec_of(charts.ice_chart(cat, max_rows=30))  # dispatches to the categorical chart
    assert spec["title"]["text"] == "Partial dependence on colour"
    assert "bar" in json.dumps(spec) and inline_rows(spec) == 30 + 3


def test_linked_ice_chart_shares_one_selection(frame):
    results = [dep.partial_dependence(f, frame, name, grid_resolution=10, n_samples=50)
               for name in ("x1", "x2", "age")]
    spec = spec_of(charts.linked_ice_chart(results, max_rows=20, id_title="person"))
    assert "facet" in spec and spec["resolve"]["scale"]["x"] == "independent"
    params = spec["params"]  # Altair lifts the selections to the top, shared by every panel
    assert {tuple(p["select"]["fields"]) for p in params} == {("id",)}
    assert {p["select"]["on"] for p in params} == {"pointerover", charts_base.click_on_mark("id")}
    kept = next(p for p in params if p["select"]["on"] != "pointerover")
    assert kept["bind"]["input"] == "select" and kept["bind"]["options"][0] == ""  # the keyboard's way
    assert inline_rows(spec) == 3 * (20 + 1)
    with pytest.raises(ValueError, match="different rows"):
        charts.linked_ice_chart([results[0], dep.partial_dependence(f, frame, "x2", n_samples=40)])
    with pytest.raises(ValueError, match="categorical"):
        charts.linked_ice_chart([dep.partial_dependence(f, frame, "colour")])
    with pytest.raises(ValueError, match="at least one"):
        charts.linked_ice_chart([])


def test_heatmap_and_ale_vs_pdp(frame):
    two = dep.partial_dependence_2d(f, frame, ("x1", "x2"), grid_resolution=6)
    spec = spec_of(charts.pdp_heatmap_chart(two, data=frame, max_rows=50))
    assert inline_rows(spec) == 36 + 50 and "real data points" in spec["description"]
    mixed = dep.partial_dependence_2d(f, frame, ("x1", "colour"), grid_resolution=4)
    assert inline_rows(spec_of(charts.pdp_heatmap_chart(mixed))) == 12
    effect = dep.ale(f, frame, "x2", grid_resolution=8)
    pdp = dep.partial_dependence(f, frame, "x2")
    spec = spec_of(charts.ale_vs_pdp_chart(effect, pdp))
    assert spec["title"]["text"] == "PDP and ALE of x2" and spec["description"]
    with pytest.raises(ValueError, match="ALE is for 'x2' but the PDP for 'x1'"):
        charts.ale_vs_pdp_chart(effect, dep.partial_dependence(f, frame, "x1"))
    with pytest.raises(TypeError, match="PartialDependence2D"):
        charts.pdp_heatmap_chart(pdp)
    with pytest.raises(TypeError, match="PartialDependence"):
        charts.ice_chart(effect)


def test_curve_spread_chart():
    grid = np.array([1.0, 2.0, 3.0])
    spec = spec_of(charts.curve_spread_chart(grid, {"a": [0.1, 0.2, 0.3], "b": [0.2, 0.2, 0.5]},
                                             feature="x", what="seed"))
    assert "at most 0.200 wide" in spec["description"] and inline_rows(spec) == 3 + 6
    with pytest.raises(ValueError, match="one value per grid point"):
        charts.curve_spread_chart(grid, {"a": [0.1, 0.2]}, feature="x")
    with pytest.raises(ValueError, match="empty"):
        charts.curve_spread_chart(grid, {}, feature="x")


def test_ice_chart_highlights_one_person(frame):
    result = dep.partial_dependence(f, frame, "x1", grid_resolution=6)
    spec = spec_of(charts.ice_chart(result, max_rows=10, highlight=150, id_title="person"))
    assert "The dashed line is person 150." in spec["description"]
    assert inline_rows(spec) == 10 + 6 + 6
    with pytest.raises(ValueError, match="not one of the result's rows"):
        charts.ice_chart(result, highlight=5)


def test_heatmap_cells_tile_the_plane():
    lo, hi = charts._cell_edges([1.0, 2.0, 4.0])
    np.testing.assert_allclose(lo, [0.5, 1.5, 3.0])
    np.testing.assert_allclose(hi, [1.5, 3.0, 5.0])
    lo, hi = charts._cell_edges([7])
    np.testing.assert_allclose([lo[0], hi[0]], [6.5, 7.5])


def test_three_effects_chart_draws_mplot_pdp_and_ale_on_one_axis(frame):
    effect = dep.ale(f, frame, "x2", grid_resolution=6)
    mplot = dep.marginal_plot(f, frame, "x2", grid_resolution=6)
    pdp = dep.partial_dependence(f, frame, "x2", grid=effect.grid)
    spec = spec_of(charts.three_effects_chart(mplot, effect, pdp, y_title="score"))
    rows = next(iter(spec["datasets"].values()))
    methods = [row["method"] for row in rows]
    assert methods.count(charts.MPLOT_LABEL) == len(mplot.centers)
    assert methods.count(charts.PDP_LABEL) == methods.count(charts.ALE_LABEL) == len(effect.grid)
    # the data drawn are the results' own centred values
    mplot_rows = [row for row in rows if row["method"] == charts.MPLOT_LABEL]
    np.testing.assert_allclose([row["effect"] for row in mplot_rows], mplot.effect, atol=1e-4)
    text = json.dumps(spec)
    assert "M-plot" in spec["title"]["text"] and "score" in spec["description"]
    assert '"shape"' in text and "strokeDash" in text  # colour is not the only cue
    with pytest.raises(ValueError, match="same bins|share the ALE's bins"):
        charts.three_effects_chart(dep.marginal_plot(f, frame, "x2", grid_resolution=4), effect, pdp)
    with pytest.raises(ValueError, match="share the ALE's bins"):
        charts.three_effects_chart(mplot, effect, dep.partial_dependence(f, frame, "x2"))
    with pytest.raises(ValueError, match="different features"):
        charts.three_effects_chart(dep.marginal_plot(f, frame, "x1", grid_resolution=6), effect, pdp)
    with pytest.raises(TypeError, match="MarginalPlot"):
        charts.three_effects_chart(effect, effect, pdp)


def test_derivative_ice_chart_samples_rows_and_shows_the_spread(frame):
    slopes = dep.ice_derivatives(dep.partial_dependence(f, frame, "x1", grid_resolution=8))
    spec = spec_of(charts.derivative_ice_chart(slopes, max_rows=15, id_title="person"))
    assert inline_rows(spec) == 15 + 7  # one record per sampled row + one per midpoint
    widest = int(np.argmax(slopes.spread))
    assert f"({slopes.spread[widest]:.3f})" in spec["description"]
    assert spec["title"]["text"].startswith("Derivative ICE") and "flatten" in json.dumps(spec)
    with pytest.raises(ValueError, match="max_rows"):
        charts.derivative_ice_chart(slopes, max_rows=0)
    with pytest.raises(TypeError, match="IceDerivatives"):
        charts.derivative_ice_chart(dep.partial_dependence(f, frame, "x1"))


def test_results_record_their_scale_and_charts_refuse_two_scales():
    """Issue 26: a PDP of probabilities next to an ALE of log-odds is refused, not drawn on one axis."""
    from sklearn.linear_model import LogisticRegression

    from xaibook.predict import prediction_function
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    model = LogisticRegression().fit(X, (X["a"] + X["b"] > 0).astype(int))
    log_odds = prediction_function(model, scale="log-odds")
    effect = dep.ale(log_odds, X, "a", grid_resolution=5)
    pdp = dep.partial_dependence(model, X, "a", grid=effect.grid)
    mplot = dep.marginal_plot(log_odds, X, "a", grid_resolution=5)
    assert (effect.scale, pdp.scale, mplot.scale) == ("log-odds", "probability", "log-odds")
    assert dep.ice_derivatives(pdp).scale == "probability" and dep.partial_dependence(f, X.assign(
        x1=1.0, x2=2.0, age=3, colour="red"), "a").scale == "model output"
    assert dep.partial_dependence_2d(model, X, ("a", "b"), grid_resolution=3).scale == "probability"
    with pytest.raises(ValueError, match="different output scales"):
        charts.three_effects_chart(mplot, effect, pdp)
    with pytest.raises(ValueError, match="different output scales"):
        charts.ale_vs_pdp_chart(effect, pdp)
    with pytest.raises(ValueError, match="different output scales"):
        charts.linked_ice_chart([pdp, dep.partial_dependence(log_odds, X, "b")])
    same = dep.partial_dependence(log_odds, X, "a", grid=effect.grid)
    charts.three_effects_chart(mplot, effect, same)

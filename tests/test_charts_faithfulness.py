"""Chart builders of chapter 11: valid specs, widths that fit a phone column, bad input."""

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook import faithfulness as fa
from xaibook.charts import faithfulness as charts


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)
    return spec


@pytest.fixture(scope="module")
def curves():
    data = fa.make_planted_credit(80, random_state=0)
    X, background = data.X.iloc[:5], data.X.iloc[40:50]
    f = data.score
    return {"truth": fa.deletion_curve(f, X, data.truth(X, background), background=background),
            "random": fa.deletion_curve(f, X, fa.random_attributions(X), background=background)}


def test_perturbation_curves_chart(curves):
    spec = spec_of(charts.perturbation_curves_chart(curves, y_title="mean log-odds"))
    assert spec["title"] == "Deletion curves" and "truth, random" in spec["description"]
    assert spec["width"] <= 360
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 2 * 10
    assert np.isclose(data[0]["output"], round(curves["truth"].scores[0], 4))


def test_perturbation_curves_chart_refuses_bad_input(curves):
    with pytest.raises(TypeError, match="mapping"):
        charts.perturbation_curves_chart([])
    with pytest.raises(TypeError, match="PerturbationCurve"):
        charts.perturbation_curves_chart({"a": "curve"})
    data = fa.make_planted_credit(40, random_state=0)
    insertion = fa.insertion_curve(data.score, data.X.iloc[:3], np.zeros((3, 9)), background=data.X.iloc[10:15])
    with pytest.raises(ValueError, match="differ in kind"):
        charts.perturbation_curves_chart({**curves, "insertion": insertion})


def test_metric_interval_chart_sorts_best_first():
    table = pd.DataFrame({"method": ["a", "b", "c"], "metric": "deletion_area", "mean": [0.1, -0.5, 0.3],
                          "min": [0.0, -0.6, 0.2], "max": [0.2, -0.4, 0.4]})
    spec = spec_of(charts.metric_interval_chart(table, metric="deletion_area"))
    assert "best first: b, a, c" in spec["description"]
    assert spec["width"] <= 360
    with pytest.raises(ValueError, match="not in the table"):
        charts.metric_interval_chart(table, metric="area")
    with pytest.raises(ValueError, match="several rows per method"):
        charts.metric_interval_chart(pd.concat([table, table]), metric="deletion_area")
    with pytest.raises(ValueError, match="lacks"):
        charts.metric_interval_chart(table.drop(columns="min"), metric="deletion_area")


def test_roar_chart_fits_a_phone_column():
    frame = pd.DataFrame({"correlation": [0.0, 0.0, 0.9, 0.9], "method": ["a", "a", "a", "a"],
                          "n_removed": [0, 1, 0, 1], "score": [0.8, 0.7, 0.8, 0.75],
                          "removed": ["", "x", "", "y"]})
    spec = spec_of(charts.roar_chart(frame))
    assert 2 * spec["spec"]["width"] <= 360
    assert "0.0, 0.9" in spec["description"]
    with pytest.raises(ValueError, match="empty"):
        charts.roar_chart(frame.iloc[:0])

"""Chart builders for permutation importance: valid specs, titles, descriptions, tooltips, small data."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from xaibook.charts import importance as charts
from xaibook.importance import ImportanceComparison, PermutationImportance


def make_result(means, *, scoring="roc_auc", seed=0, n_repeats=4):
    rng = np.random.RandomState(seed)
    means = np.asarray(means, dtype=float)
    values = means[:, None] + rng.normal(scale=0.01, size=(len(means), n_repeats))
    names = tuple(f"f{i}" for i in range(len(means)))
    return PermutationImportance(values, names, baseline_score=0.8, scoring=scoring, random_state=seed)


def spec_of(chart):
    spec = chart.to_dict()
    vlc.vegalite_to_vega(spec)  # compiles: fields, selections and layers are consistent
    return spec


def inline_rows(spec) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


def test_importance_spread_sorted_with_repeats_and_tooltips():
    result = make_result([0.01, 0.2, 0.05, 0.0])
    spec = spec_of(charts.importance_spread_chart(result, highlight=["f3"]))
    assert spec["title"]["text"] == "Permutation importance, every repeat"
    assert "roc_auc" in spec["description"] and "f1" in spec["description"]
    text = json.dumps(spec)
    assert '"sort": ["f1", "f2", "f0", "f3"]' in text  # most important first
    assert '"tooltip"' in text and "repeat" in text
    assert inline_rows(spec) == 4 + 4 * 4 + 1  # summary + every repeat + the zero rule
    top = spec_of(charts.importance_spread_chart(result, top=2))
    assert inline_rows(top) == 2 + 2 * 4 + 1 and "top 2 of 4" in top["description"]


def test_comparison_rank_and_train_test_charts():
    comparison = ImportanceComparison({"logistic": make_result([0.3, 0.1, 0.0]),
                                       "boosting": make_result([0.1, 0.3, 0.02], seed=1)})
    spec = spec_of(charts.importance_comparison_chart(comparison))
    assert "logistic, boosting" in spec["description"]
    assert "yOffset" in json.dumps(spec) and "legend" in json.dumps(spec)
    heat = spec_of(charts.rank_heatmap_chart(comparison))
    assert inline_rows(heat) == 3 * 2 and heat["title"]["text"].startswith("Importance ranks")

    split = ImportanceComparison({"train": make_result([0.3, 0.2, 0.1]), "test": make_result([0.3, 0.0, 0.0])})
    tt = spec_of(charts.train_test_chart(split))
    assert tt["title"]["text"] == "Importance on train vs test data"
    assert "train − test" in json.dumps(spec_of(charts.train_test_chart(split)), ensure_ascii=False)


def test_measures_side_by_side():
    table = pd.DataFrame({"MDI": [0.5, 0.3, 0.2], "permutation": [0.01, 0.2, 0.1]},
                         index=["random_id", "age", "duration"])
    spec = spec_of(charts.measures_chart(table, title="MDI vs permutation",
                                                description="Two bar panels.", highlight=["random_id"]))
    assert len(spec["hconcat"]) == 2 and spec["title"] == "MDI vs permutation"
    assert '"#D55E00"' in json.dumps(spec)


def test_bad_input():
    result = make_result([0.1, 0.2])
    with pytest.raises(TypeError, match="PermutationImportance"):
        charts.importance_spread_chart(pd.DataFrame())
    with pytest.raises(ValueError, match="top must be a positive integer"):
        charts.importance_spread_chart(result, top=0)
    with pytest.raises(TypeError, match="ImportanceComparison"):
        charts.importance_comparison_chart(result)
    with pytest.raises(ValueError, match=r"no result labelled \['train'\]"):
        charts.train_test_chart(ImportanceComparison({"test": result}))
    with pytest.raises(TypeError, match="non-empty DataFrame"):
        charts.measures_chart(pd.DataFrame(), title="t", description="d")
    with pytest.raises(ValueError, match="title"):
        charts.measures_chart(pd.DataFrame({"a": [1.0]}), title="", description="d")


def test_shuffled_pairs_chart():
    rng = np.random.RandomState(0)
    a = rng.uniform(0, 10, 500)
    X = pd.DataFrame({"a": a, "b": 2 * a + rng.normal(scale=0.1, size=500)})
    spec = spec_of(charts.shuffled_pairs_chart(X, "a", "b", max_rows=100))
    assert inline_rows(spec) == 200 and "a shuffled" in json.dumps(spec)
    assert spec["title"]["text"] == "Shuffling a creates rows nobody has"
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['c'\]"):
        charts.shuffled_pairs_chart(X, "a", "c")


def test_bootstrap_interval_chart():
    from scipy.stats import norm

    from xaibook.importance import BootstrapImportance

    shuffles = make_result([0.2, 0.05, 0.0], n_repeats=5)
    rng = np.random.RandomState(3)
    boot = BootstrapImportance(np.array([0.2, 0.05, 0.0])[:, None] + rng.normal(scale=0.03, size=(3, 40)),
                               shuffles.feature_names, "roc_auc", 1)
    spec = spec_of(charts.bootstrap_interval_chart(boot, shuffles))
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 2 * 3 and spec["title"]["text"] == "How sure is each importance?"
    by = {(r["feature"], r["interval"].split()[1]): r for r in rows}
    # the bootstrap line is the percentile interval of the resamples
    assert by[("f0", "test")]["low"] == round(float(np.quantile(boot.importances[0], 0.025)), 4)
    # the shuffle line is mean ± z * std / sqrt(R), computed independently here
    z = norm.ppf(0.975)
    half = z * shuffles.importances[0].std(ddof=1) / np.sqrt(5)   # a standard error: ddof=1
    assert by[("f0", "shuffle")]["high"] == round(float(shuffles.importances[0].mean() + half), 4)
    # sorted by the shuffles' mean; the description counts the intervals that reach zero
    assert '"sort": ["f0", "f1", "f2"]' in json.dumps(spec)
    n_zero = int((np.quantile(boot.importances, 0.025, axis=1) <= 0).sum())
    assert f"{n_zero} of them reach zero" in spec["description"]
    assert inline_rows(spec_of(charts.bootstrap_interval_chart(boot, shuffles, top=1))) == 2 + 1
    with pytest.raises(ValueError, match="same features"):
        charts.bootstrap_interval_chart(boot, make_result([0.1, 0.2]))
    with pytest.raises(ValueError, match="same score"):
        charts.bootstrap_interval_chart(boot, make_result([0.2, 0.05, 0.0], scoring="accuracy"))
    with pytest.raises(TypeError, match="BootstrapImportance"):
        charts.bootstrap_interval_chart(shuffles, shuffles)

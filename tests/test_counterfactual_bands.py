"""Ordered categorical bands in the counterfactual cost (issue 25, item 22): steps between bands,
scaled like a numeric feature, in the search, the distance, the metrics and the exact optimum."""

import numpy as np
import pandas as pd
import pytest

from xaibook import data, models
from xaibook.counterfactual import (
    actionable_features,
    band_scales,
    counterfactual_metrics,
    counterfactuals,
    distance_matrix,
    linear_recourse_cost,
)

BANDS = ["none", "low", "mid", "high"]


def toy():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"band": rng.choice(BANDS, 200), "noise": rng.integers(0, 10, size=200)})
    return X


def approve_from_mid(X):
    """P(class 1): high from the band 'mid' up, whatever the noise."""
    return np.where(X["band"].isin(["mid", "high"]), 0.9, 0.1)


def test_the_search_takes_the_fewest_band_steps():
    X = toy()
    x = X[X["band"] == "none"].iloc[[0]]
    scale = band_scales(X, {"band": BANDS})["band"][1]
    ordered = counterfactuals(approve_from_mid, x, X, features_to_vary=["band"], n_counterfactuals=2,
                              ordered={"band": BANDS})
    assert ordered.counterfactuals["band"].tolist() == ["mid", "high"]
    assert np.allclose(ordered.cost, [2 / scale, 3 / scale])
    plain = counterfactuals(approve_from_mid, x, X, features_to_vary=["band"], n_counterfactuals=2)
    assert np.allclose(plain.cost, [1.0, 1.0])          # unordered: any change of category costs one


def test_costs_metrics_and_plausibility_use_the_same_distance():
    credit = data.load_credit()
    x = credit.X.loc[[models.featured_person("credit")]]
    model = models.get_model("credit", "logistic")
    result = counterfactuals(model, x, credit.X_train, desired_class=0, features_to_vary=actionable_features(credit),
                             n_counterfactuals=4, ordered=data.CREDIT_BANDS)
    d = distance_matrix(result.counterfactuals, x, credit.X_train, ordered=data.CREDIT_BANDS)[:, 0]
    assert np.allclose(result.cost, d)
    assert np.allclose(result.plausibility, distance_matrix(result.counterfactuals, credit.X_train, credit.X_train,
                                                            ordered=data.CREDIT_BANDS).min(axis=1))
    metrics = counterfactual_metrics(result.counterfactuals, x, credit.X_train, valid=[True] * len(result),
                                     n_requested=4, ordered=data.CREDIT_BANDS)
    assert metrics["proximity"] == pytest.approx(result.proximity)
    assert metrics["diversity"] == pytest.approx(result.diversity)
    # the search scores its rows with the public functions' arithmetic (reusing the reference's
    # scales instead of checking it again): the same numbers, bit for bit
    for name in ("validity", "proximity", "sparsity", "diversity"):
        assert metrics[name] == getattr(result, name)
    assert np.array_equal(result.plausibility, distance_matrix(
        result.counterfactuals, credit.X_train, credit.X_train, ordered=data.CREDIT_BANDS).min(axis=1))
    exact = linear_recourse_cost(model, x, credit.X_train, desired_class=0,
                                 features_to_vary=actionable_features(credit), integer=True,
                                 ordered=data.CREDIT_BANDS)
    assert exact <= result.cost[0] < 1.02 * exact


def test_bad_band_specifications_are_refused():
    X = toy()
    with pytest.raises(TypeError, match="dict feature"):
        band_scales(X, [("band", BANDS)])
    with pytest.raises(ValueError, match="unknown feature"):
        band_scales(X, {"colour": BANDS})
    with pytest.raises(ValueError, match="numeric"):
        band_scales(X, {"noise": BANDS})
    with pytest.raises(ValueError, match=r"missing \['none'\]"):
        band_scales(X, {"band": BANDS[1:]})
    with pytest.raises(ValueError, match="repeats"):
        band_scales(X, {"band": BANDS + ["low"]})
    with pytest.raises(ValueError, match="integer=True"):
        credit = data.load_credit()
        linear_recourse_cost(models.get_model("credit", "logistic"), credit.X_test.iloc[[0]], credit.X_train,
                             ordered=data.CREDIT_BANDS)
    with pytest.raises(ValueError, match="never holds|not among the bands"):
        distance_matrix(X.assign(band="top").iloc[:1], X.iloc[:1], X, ordered={"band": BANDS})

"""Partial dependence, ICE, 2-way PD and ALE: identities, agreement with scikit-learn, bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats.mstats import mquantiles
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from xaibook import dependence as dep
from xaibook.predict import prediction_function


@pytest.fixture(scope="module")
def mixed():
    """A small classification problem with numeric and string-categorical features."""
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({
        "amount": rng.gamma(2.0, 2.0, n),
        "age": rng.uniform(20, 70, n),
        "purpose": rng.choice(["car", "radio", "education", "business"], n),
        "housing": rng.choice(["own", "rent", "free"], n, p=[0.6, 0.3, 0.1]),
    })
    logit = 0.4 * X["amount"] - 0.05 * X["age"] + (X["purpose"] == "car") - 0.7 * (X["housing"] == "own")
    y = (logit + rng.logistic(size=n) > 0.5).astype(int)
    return X, y


@pytest.fixture(scope="module")
def pipeline(mixed):
    X, y = mixed
    preprocess = ColumnTransformer([
        ("num", StandardScaler(), ["amount", "age"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["purpose", "housing"]),
    ])
    model = Pipeline([("preprocess", preprocess),
                      ("model", GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0))])
    return model.fit(X, y)


def additive(X):
    return 3 * X["x1"].to_numpy() + X["x2"].to_numpy() ** 2


@pytest.fixture(scope="module")
def numbers():
    rng = np.random.default_rng(1)
    return pd.DataFrame({"x1": rng.normal(size=400), "x2": rng.uniform(-2, 2, 400),
                         "k": rng.integers(0, 50, 400)})


# --------------------------------------------------------------------------- identities
@pytest.mark.parametrize("feature", ["amount", "purpose"])
def test_reference_ice_gives_the_batched_numbers(pipeline, mixed, feature):
    """The chapter's plain loop over the grid and the batched function compute the same curves."""
    X, _ = mixed
    fast = dep.partial_dependence(pipeline, X, feature, grid_resolution=7, batch_size=500)
    slow = dep.ice_reference(prediction_function(pipeline), X, feature, fast.grid)
    assert slow.shape == (len(X), len(fast.grid))
    np.testing.assert_allclose(slow, fast.individual, rtol=0, atol=1e-12)
    np.testing.assert_allclose(slow.mean(axis=0), fast.average, rtol=0, atol=1e-12)
    assert np.ptp(slow.mean(axis=0)) > 0.01


def test_pdp_is_mean_of_ice_and_shapes(pipeline, mixed):
    X, _ = mixed
    result = dep.partial_dependence(pipeline, X, "amount", grid_resolution=15)
    assert result.individual.shape == (len(X), 15)
    assert result.grid.shape == result.average.shape == (15,)
    np.testing.assert_allclose(result.average, result.individual.mean(axis=0), rtol=0, atol=1e-15)
    assert result.kind == "numeric" and result.feature == "amount"
    np.testing.assert_array_equal(result.rows, X.index.to_numpy())
    np.testing.assert_array_equal(result.observed, X["amount"].to_numpy())
    low, high = mquantiles(X["amount"], prob=[0.05, 0.95])   # scikit-learn's percentile rule
    assert result.grid[0] == pytest.approx(low) and result.grid[-1] == pytest.approx(high)


def test_ice_is_the_prediction_with_the_feature_replaced(pipeline, mixed):
    X, _ = mixed
    f = prediction_function(pipeline)
    result = dep.partial_dependence(f, X, "purpose")
    for j, value in enumerate(result.grid):
        np.testing.assert_allclose(result.individual[:, j], f(X.assign(purpose=value)), atol=1e-15)


def test_centered_ice_starts_at_zero_and_keeps_differences(pipeline, mixed):
    X, _ = mixed
    result = dep.partial_dependence(pipeline, X, "age", grid_resolution=8)
    centred = result.centered()
    assert centred.is_centered and centred.centered() is centred
    np.testing.assert_allclose(centred.individual[:, 0], 0)
    np.testing.assert_allclose(centred.average, result.average - result.average[0])
    np.testing.assert_allclose(np.diff(centred.individual, axis=1), np.diff(result.individual, axis=1))
    assert not result.is_centered  # the original is unchanged
    assert result.heterogeneity().shape == (8,) and result.heterogeneity()[0] == 0


def test_additive_model_has_parallel_ice_curves(numbers):
    result = dep.partial_dependence(additive, numbers, "x1")
    assert np.abs(result.heterogeneity()).max() < 1e-12
    np.testing.assert_allclose(result.average - result.average[0], 3 * (result.grid - result.grid[0]),
                               atol=1e-12)


def test_frames_and_immutability(numbers):
    result = dep.partial_dependence(additive, numbers, "x2", grid_resolution=5, n_samples=7)
    frame = result.to_frame()
    assert list(frame.columns) == ["x2", "average"] and len(frame) == 5
    long = result.to_frame("individual")
    assert list(long.columns) == ["row", "x2", "prediction"] and len(long) == 35
    np.testing.assert_allclose(long["prediction"].to_numpy().reshape(7, 5), result.individual)
    assert set(long["row"]) == set(result.rows) and set(result.rows) <= set(numbers.index)
    with pytest.raises(ValueError, match="which must be"):
        result.to_frame("both")
    with pytest.raises(ValueError, match="read-only"):
        result.average[0] = 1.0
    with pytest.raises(AttributeError):
        result.feature = "x1"


def test_sample_is_reproducible_and_keeps_index_labels(numbers):
    shifted = numbers.set_index(numbers.index + 1000)
    a = dep.partial_dependence(additive, shifted, "x1", n_samples=20, random_state=3)
    b = dep.partial_dependence(additive, shifted, "x1", n_samples=20, random_state=3)
    c = dep.partial_dependence(additive, shifted, "x1", n_samples=20, random_state=4)
    np.testing.assert_array_equal(a.rows, b.rows)
    assert not np.array_equal(a.rows, c.rows)
    assert a.rows.min() >= 1000
    np.testing.assert_array_equal(a.observed, shifted.loc[a.rows, "x1"].to_numpy())
    assert len(dep.partial_dependence(additive, numbers, "x1", n_samples=10_000).rows) == len(numbers)


def test_integer_feature_gets_integer_grid(numbers):
    result = dep.partial_dependence(additive, numbers, "k", grid_resolution=10)
    assert np.issubdtype(result.grid.dtype, np.integer)
    assert len(result.grid) <= 10 and np.all(np.diff(result.grid) > 0)
    few = numbers.assign(k=numbers["k"] % 4)
    np.testing.assert_array_equal(dep.partial_dependence(additive, few, "k").grid, [0, 1, 2, 3])


def test_categorical_dtype_and_booleans_are_categorical(numbers):
    frame = numbers.assign(c=pd.Categorical(np.where(numbers["x1"] > 0, "hi", "lo"),
                                            categories=["lo", "mid", "hi"]),
                           b=numbers["x2"] > 0)

    def f(X):
        return (X["c"] == "hi").to_numpy() * 2.0 + X["b"].to_numpy()

    result = dep.partial_dependence(f, frame, "c")
    assert result.kind == "categorical"
    assert list(result.grid) == ["lo", "hi"]  # category order, unseen "mid" left out
    np.testing.assert_allclose(result.average[1] - result.average[0], 2.0)
    boolean = dep.partial_dependence(f, frame, "b")
    assert boolean.kind == "categorical" and list(boolean.grid) == [False, True]


def test_chunked_call_equals_single_call(pipeline, mixed):
    X, _ = mixed
    calls = []
    f = prediction_function(pipeline)

    def counting(frame):
        calls.append(len(frame))
        return f(frame)

    whole = dep.partial_dependence(counting, X, "amount", grid_resolution=10)
    assert calls[1:] == [len(X) * 10]  # after the 2-row validation call, one batched call
    calls.clear()
    chunked = dep.partial_dependence(counting, X, "amount", grid_resolution=10, batch_size=1000)
    assert max(calls[1:]) <= 1000 and sum(calls[1:]) == len(X) * 10
    np.testing.assert_allclose(chunked.individual, whole.individual, atol=1e-15)


# --------------------------------------------------------------------------- scikit-learn
@pytest.mark.parametrize("feature", ["amount", "age", "purpose", "housing"])
def test_equals_sklearn_brute_on_same_grid(pipeline, mixed, feature):
    X, _ = mixed
    ours = dep.partial_dependence(pipeline, X, feature, grid_resolution=12)
    categorical = [feature] if ours.kind == "categorical" else None
    theirs = sk_partial_dependence(pipeline, X, [feature], method="brute", kind="both",
                                   categorical_features=categorical,
                                   custom_values={feature: list(ours.grid)})
    np.testing.assert_array_equal(np.asarray(theirs["grid_values"][0]), ours.grid)
    np.testing.assert_allclose(ours.average, theirs["average"][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.individual, theirs["individual"][0], rtol=0, atol=1e-12)


def test_two_way_equals_sklearn_brute(pipeline, mixed):
    X, _ = mixed
    ours = dep.partial_dependence_2d(pipeline, X, ("amount", "purpose"), grid_resolution=6)
    theirs = sk_partial_dependence(pipeline, X, ["amount", "purpose"], method="brute",
                                   kind="average", categorical_features=["purpose"],
                                   custom_values={"amount": list(ours.grids[0]),
                                                  "purpose": list(ours.grids[1])})
    np.testing.assert_allclose(ours.average, theirs["average"][0], rtol=0, atol=1e-12)


def test_log_odds_scale_is_logit_of_each_ice_value(pipeline, mixed):
    X, _ = mixed
    p = dep.partial_dependence(prediction_function(pipeline), X, "age", grid_resolution=5)
    z = dep.partial_dependence(prediction_function(pipeline, scale="log-odds"), X, "age",
                               grid_resolution=5)
    np.testing.assert_allclose(z.individual, np.log(p.individual / (1 - p.individual)), atol=1e-9)


# --------------------------------------------------------------------------- two-way
def test_two_way_on_product_is_exact(numbers):
    def product(X):
        return X["x1"].to_numpy() * X["x2"].to_numpy()

    result = dep.partial_dependence_2d(product, numbers, ("x1", "x2"), grids=([-1.0, 0.0, 1.5], [-1.5, 0.5]))
    np.testing.assert_allclose(result.average, np.outer([-1.0, 0.0, 1.5], [-1.5, 0.5]), atol=1e-12)
    frame = result.to_frame()
    assert list(frame.columns) == ["x1", "x2", "average"] and len(frame) == 6
    np.testing.assert_allclose(frame["average"], frame["x1"] * frame["x2"], atol=1e-12)
    assert result.kinds == ("numeric", "numeric")


def test_two_way_marginals_and_chunks(numbers):
    result = dep.partial_dependence_2d(additive, numbers, ("x1", "x2"), grids=(None, [0.0, 1.0]),
                                       grid_resolution=5, batch_size=64)
    one_way = dep.partial_dependence(additive, numbers, "x1", grid_resolution=5)
    np.testing.assert_allclose(result.grids[0], one_way.grid)
    # additive model: PD_12(z1, z2) = PD_1(z1) + (z2**2 - mean x2**2)
    expected = one_way.average[:, None] + np.array([0.0, 1.0])[None, :] - np.mean(numbers["x2"] ** 2)
    np.testing.assert_allclose(result.average, expected, atol=1e-12)


# --------------------------------------------------------------------------- ALE
def test_ale_is_exact_on_additive_function(numbers):
    result = dep.ale(additive, numbers, "x1", grid_resolution=10)
    assert len(result.grid) == 11 and len(result.effect) == 11 and len(result.counts) == 10
    # ALE of 3*x1 is 3*x1 up to a constant, exactly at the bin edges
    shift = result.effect - 3 * result.grid
    assert np.ptp(shift) < 1e-12
    np.testing.assert_allclose(result.local_effects, 3 * np.diff(result.grid), atol=1e-12)
    # centred so that the data-weighted mean over the bins is zero (Apley & Zhu; ALEPlot)
    mids = (result.effect[:-1] + result.effect[1:]) / 2
    assert abs(np.sum(result.counts * mids)) < 1e-9
    assert result.counts.sum() == len(numbers)
    quad = dep.ale(additive, numbers, "x2", grid_resolution=8)
    assert np.ptp(quad.effect - quad.grid ** 2) < 1e-12


def test_ale_edges_are_observed_quantiles(numbers):
    result = dep.ale(additive, numbers, "x1", grid_resolution=4)
    assert set(result.grid) <= set(numbers["x1"])
    assert result.grid[0] == numbers["x1"].min() and result.grid[-1] == numbers["x1"].max()
    np.testing.assert_array_equal(result.counts, [100, 100, 100, 100])
    frame = result.to_frame()
    assert list(frame.columns) == ["x1", "effect", "count"] and frame["count"].iloc[0] == 0


def test_ale_with_few_values_uses_fewer_bins(numbers):
    binary = numbers.assign(k=numbers["k"] % 2)

    def f(X):
        return 2.0 * X["k"].to_numpy() + X["x1"].to_numpy()

    result = dep.ale(f, binary, "k", grid_resolution=10)
    np.testing.assert_array_equal(result.grid, [0, 1])
    np.testing.assert_allclose(result.local_effects, [2.0])
    np.testing.assert_allclose(result.effect, [-1.0, 1.0])  # mean over the one bin is zero


def test_ale_and_pdp_differ_on_correlated_features():
    """x2 is almost x1 and f = x1 * x2. PD of x1 averages x2 over everyone (mean ~ 0): flat. ALE only
    looks at rows near each x1 value, where x2 ~ x1, so it recovers the curve x1**2 / 2 + c."""
    rng = np.random.default_rng(2)
    x1 = rng.uniform(-1, 1, 2000)
    X = pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(scale=0.05, size=2000)})
    X["x2"] -= X["x2"].mean()

    def product(frame):
        return frame["x1"].to_numpy() * frame["x2"].to_numpy()

    pdp = dep.partial_dependence(product, X, "x1", grid_resolution=11, percentiles=(0, 1))
    effect = dep.ale(product, X, "x1", grid_resolution=20)
    assert np.ptp(pdp.average) < 0.02
    assert np.ptp(effect.effect) > 0.4
    curve = effect.grid ** 2 / 2
    assert np.ptp(effect.effect - curve) < 0.05


# --------------------------------------------------------------------------- bad input
def test_bad_inputs(numbers):
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['nope'\]"):
        dep.partial_dependence(additive, numbers, "nope")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        dep.partial_dependence(additive, numbers.to_numpy(), "x1")
    with pytest.raises(TypeError, match="callable"):
        dep.partial_dependence("model", numbers, "x1")
    with pytest.raises(ValueError, match=r"missing values in columns \['x2'\]"):
        holes = numbers.assign(x2=np.where(numbers.x1 > 1, np.nan, numbers.x2))
        dep.partial_dependence(additive, holes, "x1")
    with pytest.raises(ValueError, match="'x1' is constant"):
        dep.partial_dependence(additive, numbers.assign(x1=1.0), "x1")
    with pytest.raises(ValueError, match="'x1' is constant"):
        dep.ale(additive, numbers.assign(x1=1.0), "x1")
    with pytest.raises(ValueError, match="outside the observed range"):
        dep.partial_dependence(additive, numbers.assign(x1=1.0), "x1", grid=[0.0, 1.0])
    with pytest.raises(ValueError, match="at least 2"):
        dep.partial_dependence(additive, numbers, "x1", grid_resolution=1)
    with pytest.raises(ValueError, match="percentiles must satisfy"):
        dep.partial_dependence(additive, numbers, "x1", percentiles=(0.9, 0.1))
    with pytest.raises(ValueError, match="percentiles must be two numbers"):
        dep.partial_dependence(additive, numbers, "x1", percentiles=0.5)
    with pytest.raises(ValueError, match="at least 1"):
        dep.ale(additive, numbers, "x1", grid_resolution=0)
    with pytest.raises(ValueError, match="at least 1"):
        dep.partial_dependence(additive, numbers, "x1", n_samples=0)
    with pytest.raises(ValueError, match="random_state=None"):
        dep.partial_dependence(additive, numbers, "x1", n_samples=5, random_state=None)


def test_single_row_ice_with_explicit_grid(numbers):
    one = numbers.iloc[[3]]
    result = dep.partial_dependence(additive, one, "x1", grid=[-1.0, 0.0, 2.0], allow_extrapolation=True)
    expected = 3 * np.array([-1.0, 0.0, 2.0]) + one["x2"].iloc[0] ** 2
    np.testing.assert_allclose(result.individual, expected[None, :], atol=1e-12)
    np.testing.assert_array_equal(result.rows, [numbers.index[3]])
    with pytest.raises(ValueError, match="constant in X"):
        dep.partial_dependence(additive, one, "x1")


def test_grid_outside_data_raises_unless_allowed(numbers):
    high = numbers["x1"].max()
    with pytest.raises(ValueError, match="outside the observed range.*allow_extrapolation=True"):
        dep.partial_dependence(additive, numbers, "x1", grid=[0.0, high + 1])
    result = dep.partial_dependence(additive, numbers, "x1", grid=[0.0, high + 1], allow_extrapolation=True)
    np.testing.assert_allclose(np.diff(result.average), 3 * (high + 1))
    with pytest.raises(ValueError, match="outside the observed range"):
        dep.partial_dependence_2d(additive, numbers, ("x1", "x2"), grids=(None, [10.0]))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        dep.partial_dependence(additive, numbers, "x1", grid=[])
    with pytest.raises(ValueError, match="contains missing values"):
        dep.partial_dependence(additive, numbers, "x1", grid=[0.0, np.nan])
    with pytest.raises(TypeError, match="must hold numbers"):
        dep.partial_dependence(additive, numbers, "x1", grid=["a", "b"])


def test_unseen_category_raises_unless_allowed(pipeline, mixed):
    X, _ = mixed
    with pytest.raises(ValueError, match=r"grid categories \['boat'\] never occur in 'purpose'"):
        dep.partial_dependence(pipeline, X, "purpose", grid=["car", "boat"])
    # allowed: a category the model knows although these rows never have it ...
    subset = X[X["purpose"] != "radio"]
    result = dep.partial_dependence(pipeline, subset, "purpose", grid=["car", "radio"], allow_extrapolation=True)
    assert list(result.grid) == ["car", "radio"]
    # ... but never one the model has not seen either: it would be encoded as no category at all
    with pytest.raises(ValueError, match=r"column 'purpose' has value\(s\) \['boat'\] the model never saw"):
        dep.partial_dependence(pipeline, X, "purpose", grid=["car", "boat"], allow_extrapolation=True)


def test_bad_two_way_and_ale_inputs(mixed, numbers):
    X, _ = mixed
    with pytest.raises(ValueError, match="pair of feature names"):
        dep.partial_dependence_2d(additive, numbers, "x1")
    with pytest.raises(ValueError, match="pair of feature names"):
        dep.partial_dependence_2d(additive, numbers, ("x1", "x2", "k"))
    with pytest.raises(ValueError, match="features must be different"):
        dep.partial_dependence_2d(additive, numbers, ("x1", "x1"))
    with pytest.raises(ValueError, match="grids must be a pair"):
        dep.partial_dependence_2d(additive, numbers, ("x1", "x2"), grids=([0.0],))
    with pytest.raises(TypeError, match="ALE is implemented for numeric features; 'purpose'"):
        dep.ale(lambda frame: np.zeros(len(frame)), X, "purpose")


def test_prediction_function_that_breaks_on_the_grid(numbers):
    def breaks_on_big_input(X):
        return np.zeros(len(X)) if len(X) <= 2 else np.zeros(3)

    with pytest.raises(ValueError, match="one number per row"):
        dep.partial_dependence(breaks_on_big_input, numbers, "x1")

    def infinite_far_out(X):
        return np.where(X["x1"].to_numpy() > 1.0, np.inf, 0.0)

    with pytest.raises(ValueError, match="non-finite"):
        dep.partial_dependence(infinite_far_out, numbers.sort_values("x1"), "x1")


def test_logistic_pd_on_log_odds_is_linear(mixed):
    """A logistic model is additive on the log-odds scale: its ICE curves are parallel lines."""
    X, y = mixed
    model = Pipeline([("preprocess", ColumnTransformer([("num", "passthrough", ["amount", "age"]),
                                                        ("cat", OneHotEncoder(), ["purpose", "housing"])])),
                      ("model", LogisticRegression(max_iter=1000))]).fit(X, y)
    result = dep.partial_dependence(prediction_function(model, scale="log-odds"), X, "age", grid_resolution=6)
    slope = model[-1].coef_[0][1]
    np.testing.assert_allclose(np.diff(result.average) / np.diff(result.grid), slope, rtol=1e-8)
    assert result.heterogeneity().max() < 1e-8


# --------------------------------------------------------------------------- H statistic
def test_h_statistic_zero_for_additive_one_for_pure_product(numbers):
    assert dep.h_statistic(additive, numbers, ("x1", "x2"), n_samples=None) < 1e-7
    centred = numbers[["x1", "x2"]] - numbers[["x1", "x2"]].mean()

    def product(X):
        return X["x1"].to_numpy() * X["x2"].to_numpy()

    # with both features centred, PD_1 = x1 * mean(x2) = 0: the joint effect is all interaction
    assert dep.h_statistic(product, centred, ("x1", "x2"), n_samples=None) == pytest.approx(1.0, abs=1e-9)

    def mixed(X):
        return product(X) + 2 * X["x1"].to_numpy()

    h = dep.h_statistic(mixed, centred, ("x1", "x2"), n_samples=None)
    assert 0.2 < h < 0.9
    assert dep.h_statistic(additive, numbers, ("x1", "x2"), n_samples=50) < 1e-7
    with pytest.raises(ValueError, match="pair of feature names"):
        dep.h_statistic(additive, numbers, "x1")
    with pytest.raises(ValueError, match="constant"):
        dep.h_statistic(additive, numbers.assign(x2=0.0), ("x1", "x2"))


def test_h_statistic_on_a_model_with_sampling(pipeline, mixed):
    X, _ = mixed
    a = dep.h_statistic(pipeline, X, ("amount", "age"), n_samples=60, random_state=1)
    b = dep.h_statistic(pipeline, X, ("amount", "age"), n_samples=60, random_state=1)
    assert a == b and 0 <= a <= 1.5


def test_nullable_pandas_dtypes(numbers):
    frame = numbers.assign(k=numbers["k"].astype("Int64"), x2=numbers["x2"].astype("Float64"))

    def f(X):
        return 2.0 * X["k"].to_numpy(dtype=float) + X["x2"].to_numpy(dtype=float)

    result = dep.partial_dependence(f, frame, "k", grid_resolution=5)
    assert np.issubdtype(result.grid.dtype, np.integer)
    np.testing.assert_allclose(np.diff(result.average), 2 * np.diff(result.grid))
    effect = dep.ale(f, frame, "x2", grid_resolution=5)
    assert np.ptp(effect.effect - effect.grid) < 1e-12


def test_pdp_centred_on_data_averages_zero_at_the_observed_values():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"x": rng.uniform(0, 10, 300), "z": rng.normal(size=300)})
    result = dep.partial_dependence(lambda frame: frame["x"].to_numpy() ** 2, X, "x", grid_resolution=50)
    centred = result.centred_on_data()
    at_data = np.interp(X["x"], result.grid, centred)
    assert abs(at_data.mean()) < 1e-12
    assert np.allclose(np.diff(centred), np.diff(result.average))


def test_pdp_centred_on_data_refuses_categorical_features():
    X = pd.DataFrame({"c": ["a", "b", "a", "b"], "x": [1.0, 2.0, 3.0, 4.0]})
    result = dep.partial_dependence(lambda frame: frame["x"].to_numpy(), X, "c")
    with pytest.raises(ValueError, match="needs a numeric feature"):
        result.centred_on_data()


def test_off_data_share_separates_real_from_impossible_rows():
    from xaibook.dependence import off_data_share

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 500)
    real = pd.DataFrame({"a": x, "b": x + rng.normal(0, 0.01, 500)})  # b follows a closely
    assert off_data_share(real, real) == 0.0          # every real row is its own neighbour
    impossible = pd.DataFrame({"a": np.full(50, 0.02), "b": np.full(50, 0.98)})  # low a, high b
    assert off_data_share(real, impossible) == 1.0
    mixed = pd.concat([real.iloc[:50], impossible], ignore_index=True)
    assert off_data_share(real, mixed) == pytest.approx(0.5)


def test_off_data_share_bad_input():
    from xaibook.dependence import off_data_share

    real = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="must be the same"):
        off_data_share(real, real[["b", "a"]])
    with pytest.raises(ValueError, match="quantile"):
        off_data_share(real, real, quantile=1.5)
    with pytest.raises(TypeError, match="numeric"):
        off_data_share(real.assign(b=["x", "y", "z"]), real.assign(b=["x", "y", "z"]))


def test_random_state_takes_generators(numbers):
    """A RandomState or a Generator works wherever an int seed does."""
    new = dep.partial_dependence(additive, numbers, "x1", n_samples=12, random_state=5)
    legacy = dep.partial_dependence(additive, numbers, "x1", n_samples=12,
                                    random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(new.rows, legacy.rows)
    generated = dep.partial_dependence(additive, numbers, "x1", n_samples=12,
                                       random_state=np.random.default_rng(5))
    assert len(generated.rows) == 12
    h = dep.h_statistic(additive, numbers, ("x1", "x2"), n_samples=30, random_state=np.random.default_rng(1))
    assert isinstance(h, dep.HStatistic) and h.n_samples == 30 and h.features == ("x1", "x2")
    assert float(h) == h.statistic == h.to_frame()["h_statistic"].item()


# --------------------------------------------------------------------------- M-plot and d-ICE
def test_mplot_is_the_mean_prediction_per_ale_bin(numbers):
    """By hand: bin every row like ALE (edges at observed quantiles, (z_{k-1}, z_k]) and average."""
    result = dep.marginal_plot(additive, numbers, "x1", grid_resolution=8)
    effect = dep.ale(additive, numbers, "x1", grid_resolution=8)
    np.testing.assert_array_equal(result.grid, effect.grid)          # the same bins as the ALE
    np.testing.assert_array_equal(result.counts, effect.counts)
    predictions = additive(numbers)
    x1 = numbers["x1"].to_numpy()
    for k in range(len(result.counts)):
        low, high = result.grid[k], result.grid[k + 1]
        inside = (x1 > low) & (x1 <= high) if k else (x1 >= low) & (x1 <= high)
        assert result.average[k] == pytest.approx(predictions[inside].mean(), abs=1e-12)
    np.testing.assert_allclose(result.effect, result.average - predictions.mean(), atol=1e-12)
    np.testing.assert_allclose(result.centers, (result.grid[:-1] + result.grid[1:]) / 2)
    frame = result.to_frame()
    assert list(frame.columns) == ["bin_low", "bin_high", "x1", "average", "effect", "count"]
    assert len(frame) == len(result.counts) and frame["count"].sum() == len(numbers)


def test_mplot_equals_pdp_for_a_model_of_one_feature():
    """f depends on x1 only, x2 is correlated with x1: the M-plot of x1 is the PDP averaged over
    each bin's rows (exactly), hence close to the PDP at the bin's centre for narrow bins."""
    rng = np.random.default_rng(3)
    x1 = rng.uniform(0, 4, 3000)
    X = pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(scale=0.3, size=3000)})

    def only_x1(frame):
        return np.sin(frame["x1"].to_numpy())

    mplot = dep.marginal_plot(only_x1, X, "x1", grid_resolution=40)
    pdp = dep.partial_dependence(only_x1, X, "x1", grid=mplot.centers, allow_extrapolation=False)
    np.testing.assert_allclose(mplot.average, pdp.average, atol=0.02)  # up to binning (bins ~0.1 wide)
    # and a PDP evaluated at the rows' own values, averaged per bin, is the M-plot to rounding
    bins = np.clip(np.searchsorted(mplot.grid, x1, side="left"), 1, len(mplot.grid) - 1) - 1
    own = np.sin(x1)
    np.testing.assert_allclose(mplot.average, np.bincount(bins, own) / np.bincount(bins), atol=1e-12)


def test_mplot_mixes_in_correlated_features_while_pdp_and_ale_do_not():
    """f = x1 + x2 with x2 ~ x1: the M-plot of x1 has slope ~2 (x2 rides along), PDP and ALE 1.
    With x2 independent of x1, the three agree up to noise."""
    rng = np.random.default_rng(4)
    x1 = rng.uniform(-1, 1, 4000)

    def additive_sum(frame):
        return frame["x1"].to_numpy() + frame["x2"].to_numpy()

    def slope(x, y):
        return np.polyfit(x.astype(float), y, 1)[0]

    for x2, mplot_slope in ((x1 + rng.normal(scale=0.1, size=4000), 2.0), (rng.uniform(-1, 1, 4000), 1.0)):
        X = pd.DataFrame({"x1": x1, "x2": x2})
        mplot = dep.marginal_plot(additive_sum, X, "x1", grid_resolution=20)
        effect = dep.ale(additive_sum, X, "x1", grid_resolution=20)
        pdp = dep.partial_dependence(additive_sum, X, "x1", grid=effect.grid)
        assert slope(mplot.centers, mplot.effect) == pytest.approx(mplot_slope, abs=0.08)
        assert slope(effect.grid, effect.effect) == pytest.approx(1.0, abs=1e-9)
        assert slope(pdp.grid, pdp.centred_on_data()) == pytest.approx(1.0, abs=1e-9)
    # independent case: M-plot and ALE (read at the bin centres) agree up to noise: a bin's mean
    # of x2 (sd 0.58) over ~200 rows has a standard error of 0.04; allow four of them
    at_centres = np.interp(mplot.centers, effect.grid, effect.effect)
    assert np.abs(mplot.effect - at_centres).max() < 4 * x2.std() / np.sqrt(mplot.counts.min())


def test_mplot_bad_inputs(mixed, numbers):
    X, _ = mixed
    with pytest.raises(TypeError, match="categorical"):
        dep.marginal_plot(additive, X.assign(x1=1.0, x2=1.0), "purpose")
    with pytest.raises(ValueError, match="constant"):
        dep.marginal_plot(additive, numbers.assign(x1=1.0), "x1")
    with pytest.raises(ValueError, match="grid_resolution"):
        dep.marginal_plot(additive, numbers, "x1", grid_resolution=0)
    with pytest.raises(TypeError, match="one column name"):
        dep.marginal_plot(additive, numbers, ["x1", "x2"])
    with pytest.raises(ValueError, match="unknown feature"):
        dep.marginal_plot(additive, numbers, "nope")
    with pytest.raises(ValueError, match="one number per row"):
        dep.marginal_plot(lambda frame: np.zeros((len(frame), 2)), numbers, "x1")
    # batch_size never changes the result
    small = dep.marginal_plot(additive, numbers, "x1", batch_size=7)
    np.testing.assert_allclose(small.average, dep.marginal_plot(additive, numbers, "x1").average)


def test_ice_derivatives_of_a_known_derivative(numbers):
    """f = x2**2 + x1 * x2: the slope in x2 between grid values z_k, z_k+1 is exactly
    z_k + z_k+1 + x1 = 2 m_k + x1, so the spread across rows is sd(x1) everywhere."""
    def f(frame):
        return frame["x2"].to_numpy() ** 2 + frame["x1"].to_numpy() * frame["x2"].to_numpy()

    curves = dep.partial_dependence(f, numbers, "x2", grid_resolution=9)
    slopes = dep.ice_derivatives(curves)
    z = curves.grid
    np.testing.assert_allclose(slopes.grid, (z[:-1] + z[1:]) / 2)
    expected = 2 * slopes.grid[None, :] + numbers["x1"].to_numpy()[:, None]
    np.testing.assert_allclose(slopes.individual, expected, atol=1e-9)
    np.testing.assert_allclose(slopes.average, 2 * slopes.grid + numbers["x1"].mean(), atol=1e-9)
    np.testing.assert_allclose(slopes.spread, numbers["x1"].std(ddof=0), rtol=1e-9)  # as heterogeneity()
    np.testing.assert_array_equal(slopes.rows, curves.rows)
    assert list(slopes.to_frame().columns) == ["x2", "average", "spread"]
    # an additive model: every row has the same slope, no spread (d/dx1 of 3 x1 + x2**2 is 3)
    flat = dep.ice_derivatives(dep.partial_dependence(additive, numbers, "x1", grid_resolution=7))
    np.testing.assert_allclose(flat.individual, 3.0, atol=1e-9)
    assert flat.spread.max() < 1e-9


def test_ice_derivatives_bad_inputs(pipeline, mixed, numbers):
    X, _ = mixed
    with pytest.raises(TypeError, match="PartialDependence"):
        dep.ice_derivatives(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="categorical"):
        dep.ice_derivatives(dep.partial_dependence(pipeline, X, "purpose"))
    one = dep.partial_dependence(additive, numbers, "x1", grid=[0.0])
    with pytest.raises(ValueError, match="at least 2"):
        dep.ice_derivatives(one)

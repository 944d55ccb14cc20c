"""Shapley values: the axioms, agreement with shap, convergence of the estimators, bad inputs."""

import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from xaibook import shapley as S
from xaibook.predict import prediction_function

shap = S.shap_module()  # import shap without its import-time notices


# ----------------------------------------------------------------------------------- fixtures
def numeric_frame(n, m, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, m)), columns=[f"x{j}" for j in range(m)])


def three_way(X):
    """A function with two- and three-way interactions (so sampling is not exact by luck)."""
    a = X.to_numpy()
    return a[:, 0] * a[:, 1] * a[:, 2] + np.sin(a[:, 3]) * a[:, 0] + 0.5 * a[:, 4] - a[:, 1] * a[:, 5] ** 2


@pytest.fixture(scope="module")
def mixed():
    """A frame with string categories (pandas str dtype), ints and floats, and a model of it."""
    rng = np.random.default_rng(1)
    n = 60
    X = pd.DataFrame({
        "colour": rng.choice(["red", "green", "blue"], n),
        "size": rng.integers(1, 5, n),
        "weight": rng.normal(size=n).round(2),
        "shape": rng.choice(["round", "square"], n),
        "unused": rng.choice(["a", "b"], n),
    })

    def f(D):
        assert D["colour"].dtype == X["colour"].dtype and D["size"].dtype == X["size"].dtype
        colour = D["colour"].map({"red": 1.0, "green": -0.5, "blue": 0.2}).to_numpy()
        square = (D["shape"] == "square").to_numpy()
        return colour * D["size"].to_numpy() + np.where(square, D["weight"].to_numpy(), 0.3)

    return X, f


# ------------------------------------------------------------------------ hand-made games
def test_three_feature_game_by_hand():
    # f = x0 + 2 x1 + x0 x2 with a single background row of zeros: v(S) = f(x_S, 0).
    # phi_0 = x0 + x0 x2 / 2, phi_1 = 2 x1, phi_2 = x0 x2 / 2 (the interaction is shared equally).
    X = pd.DataFrame({"x0": [2.0], "x1": [1.0], "x2": [3.0]})
    background = pd.DataFrame({"x0": [0.0], "x1": [0.0], "x2": [0.0]})

    def f(D):
        return D["x0"].to_numpy() + 2 * D["x1"].to_numpy() + D["x0"].to_numpy() * D["x2"].to_numpy()

    result = S.exact_shapley(f, X, background)
    np.testing.assert_allclose(result.values[0], [2 + 3, 2, 3], atol=1e-12)
    assert result.base_value == 0 and result.prediction[0] == 10


def test_shapley_weight_matrix_matches_the_formula():
    m = 3
    C = S.shapley_weight_matrix(m)
    masks = S.all_coalitions(m)
    assert masks.shape == (8, 3) and masks[5].tolist() == [True, False, True]
    # column sums vanish (a constant game gives zero), and v = indicator of the grand coalition
    # gives 1/M to everybody
    np.testing.assert_allclose(C.sum(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(C[-1], 1 / 3 * np.ones(3) * 1)  # weight w(M-1) = (M-1)!/M! = 1/M


@pytest.mark.parametrize("method", ["exact", "sampling", "kernel"])
def test_efficiency_dummy_and_types(mixed, method):
    X, f = mixed
    background, rows = X.iloc[:15], X.iloc[40:44]
    result = {"exact": lambda: S.exact_shapley(f, rows, background),
              "sampling": lambda: S.sampling_shapley(f, rows, background, n_permutations=6),
              "kernel": lambda: S.kernel_shap(f, rows, background, n_samples=12)}[method]()
    np.testing.assert_allclose(result.efficiency_gap(), 0, atol=1e-12)
    np.testing.assert_allclose(result.prediction, f(rows))
    assert result.base_value == pytest.approx(f(background).mean())
    # dummy: f never reads "unused"
    np.testing.assert_allclose(result.to_wide()["unused"], 0, atol=1e-12)


def test_symmetry():
    # f symmetric in x0, x1; the row has x0 == x1; the background is closed under swapping them
    rng = np.random.default_rng(3)
    half = pd.DataFrame(rng.normal(size=(10, 3)), columns=["x0", "x1", "x2"])
    background = pd.concat([half, half.rename(columns={"x0": "x1", "x1": "x0"})[half.columns]])
    X = pd.DataFrame({"x0": [0.7], "x1": [0.7], "x2": [-1.2]})

    def f(D):
        a = D.to_numpy()
        return np.exp(a[:, 0] + a[:, 1]) * a[:, 2] + a[:, 0] * a[:, 1]

    for result in (S.exact_shapley(f, X, background), S.kernel_shap(f, X, background, n_samples=6)):
        assert result.values[0, 0] == pytest.approx(result.values[0, 1], abs=1e-10)


def test_dummy_feature_equal_to_background_gets_zero_and_is_not_sampled():
    X = numeric_frame(30, 4)
    background = X.iloc[:10].assign(x3=1.0)
    rows = X.iloc[20:22].assign(x3=1.0)                  # x3 equals every background row
    result = S.kernel_shap(three_way_4, rows, background, n_samples=14)
    assert (result.values[:, 3] == 0).all()
    exact = S.exact_shapley(three_way_4, rows, background)
    np.testing.assert_allclose(result.values, exact.values, atol=1e-12)   # 14 = 2**3 - 2 + ...: exact


def three_way_4(X):
    a = X.to_numpy()
    return a[:, 0] * a[:, 1] * a[:, 2] + a[:, 3] * a[:, 0]


def test_single_varying_feature_takes_everything():
    background = pd.DataFrame({"a": [1.0, 2.0], "b": [5.0, 5.0]})
    X = pd.DataFrame({"a": [3.0], "b": [5.0]})

    def f(D):
        return D["a"].to_numpy() ** 2 + D["b"].to_numpy()

    result = S.kernel_shap(f, X, background, n_samples=2)
    np.testing.assert_allclose(result.values, [[9 - 2.5, 0.0]])


# ------------------------------------------------------------------------- vs shap and linear
def test_exact_equals_shap_exact_explainer():
    X = numeric_frame(120, 5, seed=2)
    y = three_way(X.assign(x5=X["x0"]))
    model = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    background, rows = X.iloc[:25], X.iloc[100:106]
    ours = S.exact_shapley(prediction_function(model), rows, background)
    explainer = shap.ExactExplainer(lambda a: model.predict(pd.DataFrame(a, columns=X.columns)),
                                    shap.maskers.Independent(background, max_samples=len(background)))
    theirs = explainer(rows, silent=True)
    np.testing.assert_allclose(ours.values, theirs.values, atol=1e-10)
    np.testing.assert_allclose(theirs.base_values, ours.base_value, atol=1e-12)


def test_linear_model_values_are_coef_times_deviation_from_background_mean():
    X = numeric_frame(80, 6, seed=4)
    y = X.to_numpy() @ np.arange(1.0, 7.0) + 0.1
    model = LinearRegression().fit(X, y)
    f = prediction_function(model)
    background, rows = X.iloc[:30], X.iloc[50:55]
    expected = model.coef_ * (rows - background.mean()).to_numpy()
    for result in (S.exact_shapley(f, rows, background),
                   S.kernel_shap(f, rows, background, n_samples=20, random_state=3),
                   S.sampling_shapley(f, rows, background, n_permutations=3, antithetic=False)):
        np.testing.assert_allclose(result.values, expected, atol=1e-9)


def test_many_features_use_the_path_without_deduplication():
    m = 64                                                 # too many to pack a coalition in an int64
    X = numeric_frame(6, m, seed=5)
    weights = np.linspace(-1, 1, m)

    def f(D):
        return D.to_numpy() @ weights

    result = S.kernel_shap(f, X.iloc[3:4], X.iloc[:3], n_samples=200)
    np.testing.assert_allclose(result.values[0], weights * (X.iloc[3] - X.iloc[:3].mean()), atol=1e-9)


# ------------------------------------------------------------------------------ convergence
@pytest.fixture(scope="module")
def game():
    X = numeric_frame(40, 6, seed=6)
    background, rows = X.iloc[:20], X.iloc[30:33]
    return background, rows, S.exact_shapley(three_way, rows, background)


def test_kernel_shap_converges_and_is_exact_with_all_coalitions(game):
    background, rows, exact = game
    errors = [np.abs(S.kernel_shap(three_way, rows, background, n_samples=n, random_state=s).values
                     - exact.values).mean()
              for n in (12, 40) for s in range(3)]
    assert np.mean(errors[3:]) < np.mean(errors[:3])
    full = S.kernel_shap(three_way, rows, background, n_samples=2 ** 6 - 2)
    np.testing.assert_allclose(full.values, exact.values, atol=1e-12)


@pytest.mark.parametrize("n_permutations", [4, 7])
def test_reference_sampler_gives_the_fast_numbers(mixed, n_permutations):
    """The chapter's plain loop over orders and the vectorised sampler agree, order for order."""
    X, f = mixed
    x, background = X.iloc[[3]], X.iloc[10:40]
    fast = S.sampling_shapley(f, x, background, n_permutations=n_permutations, random_state=11)
    slow = S.permutation_shapley_reference(f, x, background, n_permutations=n_permutations, random_state=11)
    assert list(slow.index) == list(X.columns)
    np.testing.assert_allclose(slow.to_numpy(), fast.values[0], rtol=0, atol=1e-12)
    assert np.abs(slow.to_numpy()).max() > 0.1


def test_sampling_converges_and_its_standard_error_is_honest(game):
    background, rows, exact = game
    error = {}
    for n in (4, 64):
        runs = [S.sampling_shapley(three_way, rows, background, n_permutations=n, antithetic=False,
                                   random_state=s) for s in range(4)]
        error[n] = np.mean([np.abs(r.values - exact.values).mean() for r in runs])
    assert error[64] < error[4] / 2
    big = S.sampling_shapley(three_way, rows, background, n_permutations=200, random_state=1)
    z = np.abs(big.values - exact.values) / np.maximum(big.standard_error, 1e-12)
    assert np.mean(z < 3) > 0.9


def test_random_state_makes_estimates_repeatable(game):
    background, rows, _ = game
    a = S.kernel_shap(three_way, rows, background, n_samples=20, random_state=7)
    b = S.kernel_shap(three_way, rows, background, n_samples=20, random_state=7)
    c = S.kernel_shap(three_way, rows, background, n_samples=20, random_state=8)
    np.testing.assert_array_equal(a.values, b.values)
    assert not np.allclose(a.values, c.values)


def test_kernel_coalitions_follow_shap_scheme():
    rng = np.random.default_rng(0)
    masks, weights = S.kernel_coalitions(6, 2 ** 6 - 2, rng)
    assert len(masks) == 62 and len({m.tobytes() for m in masks}) == 62
    sizes = masks.sum(axis=1)
    # relative weights follow the Shapley kernel within the enumerated sizes
    kernel = S.shapley_kernel_weight(6, sizes)
    np.testing.assert_allclose(weights / weights.sum(), kernel / kernel.sum())
    masks, weights = S.kernel_coalitions(10, 100, rng)
    assert len(masks) == 100 and weights.sum() == pytest.approx(1.0)
    assert set(masks.sum(axis=1)[:20]) == {1, 9}          # sizes 1 and M-1 enumerated first


def test_batching_does_not_change_results(mixed):
    X, f = mixed
    a = S.exact_shapley(f, X.iloc[40:43], X.iloc[:12])
    b = S.exact_shapley(f, X.iloc[40:43], X.iloc[:12], batch_size=37)
    np.testing.assert_allclose(a.values, b.values, atol=1e-12)
    assert a.n_evaluations == b.n_evaluations


# ------------------------------------------------------------------------------------ trees
def float32_data(n, m, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, m)).astype(np.float32).astype(float),
                        columns=[f"x{j}" for j in range(m)])


@pytest.mark.parametrize("kind", ["tree", "forest", "boosting-log-odds"])
def test_tree_shap_equals_exact_on_float32_data(kind):
    X = float32_data(200, 5, seed=7)
    y = (three_way(X.assign(x5=X["x2"])) > 0).astype(int)
    model = {"tree": DecisionTreeClassifier(max_depth=5, random_state=0),
             "forest": RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0),
             "boosting-log-odds": GradientBoostingClassifier(n_estimators=20, random_state=0)}[kind].fit(X, y)
    scale = "log-odds" if kind.endswith("log-odds") else "probability"
    background, rows = X.iloc[:30], X.iloc[150:156]
    ours = S.exact_shapley(prediction_function(model, scale=scale), rows, background)
    tree = S.tree_shap(model, rows, background, scale=scale)
    np.testing.assert_allclose(tree.values, ours.values, atol=1e-6)
    assert tree.base_value == pytest.approx(ours.base_value, abs=1e-6)
    np.testing.assert_allclose(tree.efficiency_gap(), 0, atol=1e-6)


def test_tree_shap_probability_for_boosting_rescales_log_odds_values():
    """Documents shap (0.51 to 0.54): TreeExplainer(model_output="probability") is not the Shapley value of
    the probability game. For each background row b it computes the exact log-odds values and
    multiplies them by (sigmoid(m_x) - sigmoid(m_b)) / (m_x - m_b). Efficiency holds; the split
    between features differs from exact_shapley on the probability scale.
    """
    X = float32_data(200, 4, seed=10)
    y = (three_way(X.assign(x4=X["x2"], x5=X["x3"])) > 0).astype(int)
    model = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, y)
    rows, one = X.iloc[150:155], X.iloc[:1]
    margin = prediction_function(model, scale="log-odds")
    log_odds = S.tree_shap(model, rows, one, scale="log-odds")
    probability = S.tree_shap(model, rows, one, scale="probability")
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    factor = (sigmoid(margin(rows)) - sigmoid(margin(one)[0])) / (margin(rows) - margin(one)[0])
    np.testing.assert_allclose(probability.values, log_odds.values * factor[:, None], atol=1e-6)
    exact = S.exact_shapley(prediction_function(model), rows, one)
    assert np.abs(probability.values - exact.values).max() > 1e-3
    np.testing.assert_allclose(probability.efficiency_gap(), 0, atol=1e-6)


def test_shap_interventional_tree_shap_is_off_for_a_value_on_a_split_threshold():
    """Documents a shap quirk (0.51 to 0.54): interventional TreeSHAP keeps thresholds as float32.

    Trained on 0.15 and 0.45, the tree splits at t = 0.2999999970 (the float64 midpoint of the two
    float32 numbers). x = 0.3 becomes 0.3000000119 in float32: above t, so scikit-learn sends it
    right. shap rounds t to the nearest float32, which is 0.3000000119 itself, and sends x left:
    its values then do not add up to the model's prediction. tree_shap rounds thresholds down
    (float32_floor) and agrees with the exact values.
    """
    X = pd.DataFrame({"a": [0.15, 0.45] * 10, "b": [0.0, 0.0, 1.0, 1.0] * 5})
    model = DecisionTreeRegressor(max_depth=1).fit(X, X["a"] * 10)
    threshold = model.tree_.threshold[0]
    assert np.float64(np.float32(0.3)) > threshold > 0.3 - 1e-8
    row, background = pd.DataFrame({"a": [0.3], "b": [0.0]}), X.iloc[:2]
    assert model.predict(row)[0] == pytest.approx(4.5)                 # right branch
    exact = S.exact_shapley(prediction_function(model), row, background)

    raw = shap.TreeExplainer(model, background.to_numpy(), feature_perturbation="interventional")
    raw_values = raw.shap_values(row.to_numpy(), check_additivity=False)
    assert raw_values[0, 0] == pytest.approx(-1.5)                       # shap: as if x went left
    assert exact.values[0, 0] == pytest.approx(1.5)                      # truth: it went right
    assert raw_values.sum() + raw.expected_value != pytest.approx(model.predict(row)[0])

    fixed = S.tree_shap(model, row, background)
    np.testing.assert_allclose(fixed.values, exact.values, atol=1e-9)


def test_float32_floor_keeps_every_float32_comparison():
    rng = np.random.default_rng(8)
    thresholds = rng.normal(size=2000)
    floor = S.float32_floor(thresholds)
    assert (floor <= thresholds).all() and (floor == floor.astype(np.float32)).all()
    x = np.concatenate([thresholds.astype(np.float32), np.nextafter(thresholds.astype(np.float32), np.float32(2))])
    t = np.concatenate([thresholds, thresholds])
    np.testing.assert_array_equal(x <= t, x.astype(np.float32) <= np.concatenate([floor, floor]))


@pytest.fixture(scope="module")
def pipeline_case():
    rng = np.random.default_rng(9)
    n = 300
    X = pd.DataFrame({"city": rng.choice(["Bonn", "Kiel", "Ulm"], n),
                      "age": rng.integers(18, 70, n),
                      "income": rng.normal(3, 1, n).round(1)})
    y = ((X["city"] == "Ulm") & (X["age"] > 40) | (X["income"] > 3.5)).astype(int)
    pre = ColumnTransformer([("numeric", StandardScaler(), ["age", "income"]),
                             ("categorical", OneHotEncoder(sparse_output=False), ["city"])])
    model = Pipeline([("preprocess", pre), ("model", GradientBoostingClassifier(n_estimators=30, random_state=0))])
    return X, model.fit(X, y)


def test_tree_shap_on_pipeline_explains_transformed_columns_exactly(pipeline_case):
    X, model = pipeline_case
    background, rows = X.iloc[:20], X.iloc[200:204]
    transformed = S.tree_shap(model, rows, background, aggregate=False, scale="log-odds")
    assert transformed.feature_names == tuple(model[:-1].get_feature_names_out())
    pre, estimator = model[:-1], model[-1]
    names = list(pre.get_feature_names_out())

    def f_transformed(D):
        return estimator.decision_function(D.to_numpy())

    Bt = pd.DataFrame(pre.transform(background), columns=names).astype(np.float32).astype(float)
    exact = S.exact_shapley(f_transformed, transformed.data, Bt)
    np.testing.assert_allclose(transformed.values, exact.values, atol=1e-6)

    summed = S.tree_shap(model, rows, background, scale="log-odds")
    assert summed.feature_names == tuple(X.columns)
    np.testing.assert_allclose(summed.to_wide()["city"], transformed.values[:, 2:].sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(summed.efficiency_gap(), 0, atol=1e-6)


# ------------------------------------------------------------------------------ interop
def test_shap_explanation_round_trip(mixed):
    X, f = mixed
    result = S.exact_shapley(f, X.iloc[40:43], X.iloc[:10])
    explanation = S.to_shap_explanation(result)
    assert isinstance(explanation, shap.Explanation)
    np.testing.assert_array_equal(explanation.values, result.values)
    back = S.from_shap_explanation(explanation, data=result.data)
    np.testing.assert_array_equal(back.values, result.values)
    np.testing.assert_allclose(back.prediction, result.prediction)
    assert back.base_value == result.base_value and back.data.equals(result.data)
    plain = S.from_shap_explanation(explanation)
    assert plain.feature_names == result.feature_names


def test_from_shap_explanation_errors():
    values = np.zeros((2, 3))
    with pytest.raises(ValueError, match="base values differ"):
        S.from_shap_explanation(shap.Explanation(values, base_values=np.array([0.0, 1.0]), data=values))
    with pytest.raises(ValueError, match="outputs; pick one"):
        S.from_shap_explanation(shap.Explanation(np.zeros((2, 3, 2)), base_values=np.zeros((2, 2))))
    with pytest.raises(ValueError, match="pass data="):
        S.from_shap_explanation(shap.Explanation(values, base_values=np.zeros(2)))
    with pytest.raises(TypeError, match="ShapleyResult"):
        S.to_shap_explanation("not a result")


# ------------------------------------------------------------------------------ the result
def test_result_frames_and_immutability(mixed):
    X, f = mixed
    result = S.exact_shapley(f, X.iloc[40:43], X.iloc[:10])
    wide = result.to_wide()
    assert list(wide.index) == [40, 41, 42] and list(wide.columns) == list(X.columns)
    long = result.to_frame()  # the book's convention: long
    assert long.shape == (15, 4) and set(long.columns) == {"row", "feature", "value", "shap"}
    assert not hasattr(result, "to_long")  # an unreleased old name, not kept as an alias
    np.testing.assert_array_equal(long["shap"].to_numpy().reshape(3, 5), wide.to_numpy())
    assert result.ranking() == result.mean_abs().index.tolist()
    top = result.explain_row(1)
    assert top["shap"].abs().is_monotonic_decreasing
    assert result.mean_abs().index[-1] == "unused"
    one = result[1]
    assert len(one) == 1 and one.values[0].tolist() == result.values[1].tolist()
    with pytest.raises(ValueError, match="read-only"):
        result.values[0, 0] = 1.0
    with pytest.raises(FrozenInstanceError):
        result.base_value = 2.0
    with pytest.raises(IndexError, match="out of range"):
        result.explain_row(5)
    with pytest.raises(ValueError, match="shape"):
        S.ShapleyResult(np.zeros((2, 2)), 0.0, ("a", "b"), X.iloc[:3, :2], np.zeros(3))
    assert "exact" in repr(result)


# ---------------------------------------------------------------------------- bad inputs
def test_bad_inputs(mixed):
    X, f = mixed
    background = X.iloc[:5]
    with pytest.raises(TypeError, match="pandas DataFrame"):
        S.exact_shapley(f, X.to_numpy(), background)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        S.kernel_shap(f, X, background.to_numpy())
    with pytest.raises(ValueError, match=r"missing \['unused'\]"):
        S.exact_shapley(f, X, background.drop(columns="unused"))
    with pytest.raises(TypeError, match="callable"):
        S.exact_shapley("model", X, background)
    with pytest.raises(ValueError, match="one number per row"):
        S.exact_shapley(lambda D: np.zeros((len(D), 2)), X, background)
    with pytest.raises(ValueError, match="random_state=None"):
        S.kernel_shap(f, X.iloc[:2], background, random_state=None)
    with pytest.raises(ValueError, match="n_permutations must be at least 2"):
        S.sampling_shapley(f, X.iloc[:2], background, n_permutations=1)
    with pytest.raises(ValueError, match="underdetermined"):
        S.kernel_shap(f, X.iloc[:2], background, n_samples=3)
    wide = numeric_frame(3, 15)
    with pytest.raises(ValueError, match="kernel_shap"):
        S.exact_shapley(lambda D: D.sum(axis=1).to_numpy(), wide, wide)
    with pytest.raises(ValueError, match="missing values"):
        S.exact_shapley(f, X.iloc[:2].assign(weight=np.nan), background)


def test_tree_shap_bad_inputs(pipeline_case):
    X, model = pipeline_case
    with pytest.raises(TypeError, match="tree model"):
        S.tree_shap(LinearRegression().fit(X[["age"]], X["age"]), X[["age"]], X[["age"]])
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X[["age"]], X["age"] > 40)
    with pytest.raises(ValueError, match="gradient boosting only"):
        S.tree_shap(forest, X[["age"]], X[["age"]], scale="log-odds")
    with pytest.raises(ValueError, match="scale must be"):
        S.tree_shap(model, X, X, scale="odds")
    with pytest.raises(ValueError, match="not fitted"):
        S.tree_shap(DecisionTreeClassifier(), X, X)
    with pytest.raises(ValueError, match=r"background's columns do not match X's: missing \['age'\]"):
        S.tree_shap(model, X, X.drop(columns="age"))


def test_background_columns_in_another_order_are_aligned_to_X(mixed, pipeline_case):
    """A background with X's columns in another order is reordered (by name), not refused."""
    X, f = mixed
    background = X.iloc[:5]
    for method in (S.exact_shapley, S.sampling_shapley, S.kernel_shap):
        aligned = method(f, X.iloc[:2], background)
        reordered = method(f, X.iloc[:2], background[X.columns[::-1]])
        assert np.array_equal(reordered.values, aligned.values) and reordered.base_value == aligned.base_value
    groups = [["colour", "shape"]]
    aligned = S.owen_values(f, X.iloc[:2], background, groups=groups)
    reordered = S.owen_values(f, X.iloc[:2], background[X.columns[::-1]], groups=groups)
    assert np.array_equal(reordered.values, aligned.values)
    X, model = pipeline_case
    aligned = S.tree_shap(model, X.iloc[:3], X.iloc[:20])
    reordered = S.tree_shap(model, X.iloc[:3], X.iloc[:20][X.columns[::-1]])
    assert np.array_equal(reordered.values, aligned.values) and reordered.base_value == aligned.base_value


def test_interaction_strength_finds_the_partner():
    rng = np.random.default_rng(11)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["lo", "hi"], 300),
                      "c": rng.normal(size=300), "d": rng.choice(list("pqrstuvwxy"), 300)})

    def f(D):
        return D["a"].to_numpy() * np.where(D["b"] == "hi", 2.0, -1.0) + 0.3 * D["c"].to_numpy()

    result = S.exact_shapley(f, X.iloc[:120], X.iloc[200:230])
    strength = S.interaction_strength(result, "a")
    assert strength.index[0] == "b" and strength["b"] > 0.5 and strength["d"] < 0.1
    with pytest.raises(ValueError, match="unknown feature"):
        S.interaction_strength(result, "z")
    with pytest.raises(TypeError, match="ShapleyResult"):
        S.interaction_strength(X, "a")


def test_category_codes_let_shap_explain_string_data(mixed):
    X, f = mixed
    codes = S.CategoryCodes(X)
    coded = codes.encode(X)
    assert (coded.dtypes == np.float64).all()
    pd.testing.assert_frame_equal(codes.decode(coded.to_numpy()), X.reset_index(drop=True))
    g = codes.wrap(f)
    background, rows = coded.iloc[:10], coded.iloc[40:42]
    ours = S.exact_shapley(f, X.iloc[40:42], X.iloc[:10])
    explainer = shap.ExactExplainer(g, shap.maskers.Independent(background.to_numpy(), max_samples=10))
    np.testing.assert_allclose(explainer(rows.to_numpy(), silent=True).values, ours.values, atol=1e-12)
    with pytest.raises(ValueError, match="not in X"):
        codes.encode(X.assign(colour="purple"))
    with pytest.raises(ValueError, match="columns"):
        codes.decode(np.zeros((2, 3)))


def test_shap_module_imports_shap_silently():
    """In a fresh interpreter (shap not imported yet), with every warning an error."""
    code = "from xaibook.shapley import shap_module; print(shap_module().__name__)"
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(Path(S.__file__).parents[2])})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "shap" and result.stderr == ""
    assert S.shap_module() is shap


def test_a_fitted_model_works_as_f_and_random_state_takes_generators():
    """Like every model-agnostic method, the estimators take a fitted model (its positive-class
    probability) as well as f; random_state takes an int, a RandomState or a Generator."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(80, 5)), columns=list("abcde"))
    model = LogisticRegression().fit(X, (X["a"] + X["b"] > 0).astype(int))
    by_model = S.exact_shapley(model, X.iloc[:3], X.iloc[:20])
    by_f = S.exact_shapley(prediction_function(model), X.iloc[:3], X.iloc[:20])
    np.testing.assert_allclose(by_model.values, by_f.values, atol=1e-12)
    seeded = S.kernel_shap(model, X.iloc[:2], X.iloc[:20], n_samples=12, random_state=4)
    generated = S.kernel_shap(model, X.iloc[:2], X.iloc[:20], n_samples=12, random_state=np.random.default_rng(4))
    np.testing.assert_allclose(seeded.values, generated.values, atol=1e-12)  # same stream
    legacy = S.sampling_shapley(model, X.iloc[:2], X.iloc[:20], n_permutations=4,
                                random_state=np.random.RandomState(4))
    np.testing.assert_allclose(legacy.efficiency_gap(), 0, atol=1e-9)


# ------------------------------------------------------------------------------- Owen values
def owen_by_orders(f, x, background, groups):
    """Owen values as averages over the feature orders that keep every group together (brute force)."""
    import itertools
    columns = list(x.columns)

    def v(coalition):
        hybrid = background.copy()
        for name in coalition:
            hybrid[name] = x[name].iloc[0]
        return float(np.mean(f(hybrid)))

    phi, n_orders = dict.fromkeys(columns, 0.0), 0
    for group_order in itertools.permutations(groups):
        for inner in itertools.product(*[itertools.permutations(g) for g in group_order]):
            joined = []
            for name in itertools.chain(*inner):
                phi[name] += v(joined + [name]) - v(joined)
                joined.append(name)
            n_orders += 1
    return np.array([phi[c] / n_orders for c in columns])


@pytest.fixture(scope="module")
def owen_game():
    X, background = numeric_frame(2, 5, seed=3), numeric_frame(6, 5, seed=4)
    return three_way_5, X, background


def three_way_5(X):
    a = X.to_numpy()
    return a[:, 0] * a[:, 1] * a[:, 2] + np.sin(a[:, 3]) * a[:, 0] + 0.5 * a[:, 4] - a[:, 1] * a[:, 4] ** 2


def test_owen_values_are_averages_over_group_preserving_orders(owen_game):
    f, X, background = owen_game
    groups = [["x0", "x3"], ["x1", "x2", "x4"]]
    result = S.owen_values(f, X, background, groups=groups)
    for i in range(len(X)):
        np.testing.assert_allclose(result.values[i], owen_by_orders(f, X.iloc[[i]], background, groups),
                                   atol=1e-12)
    # efficiency: base value plus the values is the prediction
    np.testing.assert_allclose(result.base_value + result.values.sum(axis=1), f(X), atol=1e-12)
    assert result.method == "owen"
    # and they are not the Shapley values: the grouping matters for this game
    assert np.abs(result.values - S.exact_shapley(f, X, background).values).max() > 1e-3


@pytest.mark.parametrize("groups", [[], [["x0", "x1", "x2", "x3", "x4"]], {"all": ["x4", "x2", "x0", "x1", "x3"]},
                                    [["x0"], ["x1"], ["x2"], ["x3"], ["x4"]]])
def test_owen_values_with_singleton_groups_or_one_group_are_shapley_values(owen_game, groups):
    f, X, background = owen_game
    np.testing.assert_allclose(S.owen_values(f, X, background, groups=groups).values,
                               S.exact_shapley(f, X, background).values, atol=1e-12)


def test_owen_group_totals_are_the_shapley_values_of_the_game_between_groups(owen_game):
    import itertools
    import math
    f, X, background = owen_game
    groups = [["x0", "x3"], ["x1", "x2"], ["x4"]]
    result = S.owen_values(f, X, background, groups=groups).to_wide()
    x = X.iloc[[0]]

    def v(group_ids):                     # the quotient game: whole groups join
        hybrid = background.copy()
        for k in group_ids:
            for name in groups[k]:
                hybrid[name] = x[name].iloc[0]
        return float(np.mean(f(hybrid)))

    g = len(groups)
    for k in range(g):
        others = [h for h in range(g) if h != k]
        shapley_k = sum(math.factorial(len(R)) * math.factorial(g - len(R) - 1) / math.factorial(g)
                        * (v(list(R) + [k]) - v(list(R)))
                        for size in range(g) for R in itertools.combinations(others, size))
        assert result[groups[k]].iloc[0].sum() == pytest.approx(shapley_k, abs=1e-12)


def test_owen_values_match_shap_partition_explainer():
    """shap's Partition explainer computes Owen values for a hierarchical clustering (a binary tree
    of features). For two groups of two features the tree ((x0, x1), (x2, x3)) *is* the two-level
    coalition structure, so with enough evaluations shap's values are the exact Owen values."""
    rng = np.random.default_rng(0)
    columns = [f"x{j}" for j in range(4)]
    X = pd.DataFrame(rng.normal(size=(3, 4)), columns=columns)
    background = pd.DataFrame(rng.normal(size=(5, 4)), columns=columns)

    def f(data):
        a = np.asarray(data, dtype=float)
        return a[:, 0] * a[:, 2] + np.sin(a[:, 1]) * a[:, 3] + a[:, 0] * a[:, 1] * a[:, 3] + 0.5 * a[:, 2]

    ours = S.owen_values(f, X, background, groups=[["x0", "x1"], ["x2", "x3"]])
    linkage = np.array([[0, 1, 1.0, 2], [2, 3, 1.0, 2], [4, 5, 2.0, 4]])   # merge (0,1), (2,3), then both
    explainer = shap.explainers.Partition(f, shap.maskers.Partition(background.to_numpy(), clustering=linkage))
    theirs = explainer(X.to_numpy(), max_evals=1000)
    np.testing.assert_allclose(theirs.values, ours.values, atol=1e-10)
    np.testing.assert_allclose(theirs.base_values, ours.base_value, atol=1e-12)
    assert np.abs(ours.values - S.exact_shapley(f, X, background).values).max() > 1e-3


def test_owen_values_copies_in_one_group_keep_the_credit_of_the_original():
    """Duplicate one feature of a model that reads either copy: grouped, the pair gets what the
    single feature got, and every other feature keeps its value (the toy game by hand)."""
    def original(X):
        return X["a"].to_numpy() * X["b"].to_numpy() + X["c"].to_numpy()

    def doubled(X):
        return np.maximum(X["a"].to_numpy(), X["a2"].to_numpy()) * X["b"].to_numpy() + X["c"].to_numpy()

    x = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0]})
    reference = pd.DataFrame({"a": [0.0], "b": [0.0], "c": [0.0]})
    single = S.exact_shapley(original, x, reference).to_wide().iloc[0]
    grouped = S.owen_values(doubled, x.assign(a2=1.0), reference.assign(a2=0.0),
                            groups={"a": ["a", "a2"]}).to_wide().iloc[0]
    assert grouped["a"] + grouped["a2"] == pytest.approx(single["a"]) and grouped["a"] == pytest.approx(grouped["a2"])
    assert grouped[["b", "c"]].to_numpy() == pytest.approx(single[["b", "c"]].to_numpy())
    # apart, b takes part of a's credit: a joins "half present" in many orders
    apart = S.exact_shapley(doubled, x.assign(a2=1.0), reference.assign(a2=0.0)).to_wide().iloc[0]
    assert apart["b"] > single["b"] + 0.1


def test_owen_values_bad_inputs(mixed):
    X, f = mixed
    background = X.iloc[:5]
    first = X.columns[0]
    with pytest.raises(ValueError, match="unknown features"):
        S.owen_values(f, X.iloc[:1], background, groups=[[first, "nope"]])
    with pytest.raises(ValueError, match="more than one group"):
        S.owen_values(f, X.iloc[:1], background, groups=[[first], [first, X.columns[1]]])
    with pytest.raises(ValueError, match="empty"):
        S.owen_values(f, X.iloc[:1], background, groups=[[]])
    with pytest.raises(TypeError, match="groups must be"):
        S.owen_values(f, X.iloc[:1], background, groups=first)
    with pytest.raises(ValueError, match="max_coalitions"):
        S.owen_values(f, X.iloc[:1], background, groups=[], max_coalitions=4)
    with pytest.raises(ValueError, match="max_coalitions"):
        S.owen_values(f, X.iloc[:1], background, groups=[], max_coalitions=0)
    with pytest.raises(ValueError, match="background's columns do not match X's"):
        S.owen_values(f, X.iloc[:1], background.drop(columns=first), groups=[])
    # a list of names is not a list of groups (issue 26: it used to form singleton groups silently)
    with pytest.raises(TypeError, match=r"groups is a list holding feature names.*\[\['a', 'b'\]"):
        S.owen_values(f, X.iloc[:1], background, groups=[first])
    # in a dict, a one-name group may be given as a string
    one = S.owen_values(f, X.iloc[:1], background, groups={"one": first})
    np.testing.assert_allclose(one.values, S.exact_shapley(f, X.iloc[:1], background).values, atol=1e-12)

"""Path-dependent TreeSHAP and SHAP interaction values: the from-scratch code against shap's
TreeExplainer without background, exact enumeration of the same game, and the identities."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from xaibook import data, models
from xaibook import shapley as S

shap = S.shap_module()


def numeric_frame(n, m, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, m)), columns=[f"x{j}" for j in range(m)])


def target(X):
    a = X.to_numpy()
    return ((a[:, 0] * a[:, 1] + a[:, 2] > 0.2) ^ (a[:, 3] > 1)).astype(int)


@pytest.fixture(scope="module")
def small():
    X = numeric_frame(300, 5)
    y = target(X)
    forest = RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0).fit(X, y)
    tree = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, y)
    boosting = GradientBoostingClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    return X, y, forest, tree, boosting


def shap_tree_path_dependent(estimator, Xt):
    """shap's TreeExplainer with no background (feature_perturbation='tree_path_dependent')."""
    explainer = shap.TreeExplainer(estimator, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(Xt, check_additivity=False))
    base = np.atleast_1d(explainer.expected_value)
    inter = np.asarray(explainer.shap_interaction_values(Xt))
    if values.ndim == 3:                     # classifiers with probability leaves: class 1
        values, base, inter = values[..., 1], base[1:], inter[..., 1]
    return values, float(base[0]), inter


# ---------------------------------------------------------------- agreement with shap
@pytest.mark.parametrize("which", ["forest", "tree", "boosting"])
def test_path_dependent_shap_matches_shap(small, which):
    X, _, forest, tree, boosting = small
    model = {"forest": forest, "tree": tree, "boosting": boosting}[which]
    scale = "log-odds" if which == "boosting" else "probability"
    rows = X.iloc[:25]
    ours = S.path_dependent_shap(model, rows, scale=scale)
    values, base, _ = shap_tree_path_dependent(model, rows)
    np.testing.assert_allclose(ours.values, values, atol=1e-8)
    assert ours.base_value == pytest.approx(base, abs=1e-8)


@pytest.mark.parametrize("case, name, scale", [("heart", "tree", "probability"),
                                               ("heart", "forest", "probability"),
                                               ("credit", "boosting", "log-odds")])
def test_zoo_model_one_row_matches_shap(case, name, scale):
    dataset = data.load_case(case)
    model = models.get_model(case, name)
    row = dataset.X.loc[[models.featured_person(case)]]
    Xt = pd.DataFrame(model[:-1].transform(row), columns=model[:-1].get_feature_names_out())
    values, base, inter = shap_tree_path_dependent(model[-1], Xt)
    columns = S.path_dependent_shap(model, row, scale=scale, aggregate=False)
    np.testing.assert_allclose(columns.values, values, atol=1e-8)
    assert columns.base_value == pytest.approx(base, abs=1e-8)
    assert columns.feature_names == tuple(Xt.columns)
    # aggregated: the one-hot columns' values summed per raw feature
    raw = S.path_dependent_shap(model, row, scale=scale)
    summed = pd.Series(values[0], index=Xt.columns).groupby(
        S.feature_groups(model[:-1], dataset.X.columns)).sum()
    np.testing.assert_allclose(raw.values[0], summed[list(dataset.X.columns)].to_numpy(), atol=1e-8)
    interactions = S.path_dependent_interactions(model, row, scale=scale, aggregate=False)
    np.testing.assert_allclose(interactions.values, inter, atol=1e-8)


def test_interactions_match_shap(small):
    X, _, forest, _, boosting = small
    rows = X.iloc[:10]
    for model, scale in ((forest, "probability"), (boosting, "log-odds")):
        ours = S.path_dependent_interactions(model, rows, scale=scale)
        _, _, inter = shap_tree_path_dependent(model, rows)
        np.testing.assert_allclose(ours.values, inter, atol=1e-8)


# ---------------------------------------------------------------- exact enumeration of the game
def test_fast_algorithm_equals_enumeration_of_expvalue(small):
    X, _, forest, _, boosting = small
    row = X.iloc[[3]]
    for model, scale in ((forest, "probability"), (boosting, "log-odds")):
        def value(coalition, model=model, scale=scale):
            return S.path_dependent_value(model, row, coalition, scale=scale)

        exact = S.shapley_from_value_function(value, list(X.columns))
        fast = S.path_dependent_shap(model, row, scale=scale)
        np.testing.assert_allclose(fast.values[0], exact.to_numpy(), atol=1e-10)
        inter = S.shapley_interactions_from_value_function(value, list(X.columns))
        fast_inter = S.path_dependent_interactions(model, row, scale=scale)
        np.testing.assert_allclose(fast_inter.values[0], inter.to_numpy(), atol=1e-10)
        # v(empty) is the base value, v(all) the prediction
        assert value([]) == pytest.approx(fast.base_value, abs=1e-12)
        assert value(list(X.columns)) == pytest.approx(fast.prediction[0], abs=1e-12)


def test_expvalue_by_hand_on_one_split():
    X = pd.DataFrame({"a": [0.0, 0.0, 0.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0]})
    y = np.array([0, 0, 0, 1])
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    row = X.iloc[[3]]
    # the root sends 3 of 4 rows left (P = 0) and 1 right (P = 1): v(empty) = 1/4
    assert S.path_dependent_value(tree, row, []) == pytest.approx(0.25)
    split_feature = X.columns[tree.tree_.feature[0]]
    assert S.path_dependent_value(tree, row, [split_feature]) == pytest.approx(1.0)
    values = S.path_dependent_shap(tree, row).to_wide().iloc[0]
    assert values[split_feature] == pytest.approx(0.75)
    assert values.drop(split_feature).abs().max() == 0.0           # the unused feature: a dummy


def test_enumeration_helpers_on_a_known_game():
    # v(S) = 1 if both a and b are in S: Shapley 1/2 each; the interaction index is 1, split 1/2 + 1/2
    def v(S):
        return float({"a", "b"} <= set(S))

    phi = S.shapley_from_value_function(v, ["a", "b", "c"])
    np.testing.assert_allclose(phi.to_numpy(), [0.5, 0.5, 0.0])
    inter = S.shapley_interactions_from_value_function(v, ["a", "b", "c"])
    assert inter.loc["a", "b"] == pytest.approx(0.5) and inter.loc["b", "a"] == pytest.approx(0.5)
    assert inter.loc["a", "a"] == pytest.approx(0.0) and inter.loc["c"].abs().max() == 0.0
    with pytest.raises(ValueError, match="two players"):
        S.shapley_interactions_from_value_function(v, ["a"])
    with pytest.raises(ValueError, match="coalitions"):
        S.shapley_from_value_function(v, [f"p{k}" for k in range(S.MAX_EXACT_FEATURES + 1)])


# ---------------------------------------------------------------- identities
def test_both_variants_are_efficient_with_their_own_base_values():
    heart = data.load_heart()
    model = models.get_model("heart", "forest")
    rows = heart.X_test.iloc[:8]
    background = heart.X_train.sample(50, random_state=0)
    path = S.path_dependent_shap(model, rows)
    interventional = S.tree_shap(model, rows, background)
    np.testing.assert_allclose(path.efficiency_gap(), 0, atol=1e-10)
    np.testing.assert_allclose(interventional.efficiency_gap(), 0, atol=1e-6)   # shap's float32 sums
    np.testing.assert_allclose(path.prediction, interventional.prediction)
    # the two base values: the covers' average of the leaves, and the background's mean prediction
    proba = model.predict_proba(background)[:, 1].mean()
    assert interventional.base_value == pytest.approx(proba)
    forest = model[-1]
    cover_mean = np.mean([t.tree_.value[0, 0, 1] / t.tree_.value[0, 0].sum() for t in forest.estimators_])
    assert path.base_value == pytest.approx(cover_mean)
    assert abs(path.base_value - interventional.base_value) > 1e-4


def test_interaction_rows_add_up_to_shap_values():
    credit = data.load_credit()
    model = models.get_model("credit", "boosting")
    rows = credit.X_test.iloc[:6]
    inter = S.path_dependent_interactions(model, rows, scale="log-odds")
    phi = S.path_dependent_shap(model, rows, scale="log-odds")
    np.testing.assert_allclose(inter.values.sum(axis=2), phi.values, atol=1e-10)
    np.testing.assert_allclose(inter.values, np.swapaxes(inter.values, 1, 2), atol=1e-12)
    np.testing.assert_allclose(inter.values.sum(axis=(1, 2)), inter.prediction - inter.base_value, atol=1e-9)
    np.testing.assert_allclose(inter.shap_values().values, phi.values, atol=1e-10)
    main = inter.main_effects()
    np.testing.assert_allclose(main.to_numpy(), np.diagonal(inter.values, axis1=1, axis2=2))
    pairs = inter.strongest_pairs()
    first, second = pairs.index[0]
    assert pairs.iloc[0] == pytest.approx(np.abs(inter.pair(first, second)).mean())
    assert pairs.is_monotonic_decreasing and len(pairs) == 20 * 19 // 2
    frame = inter.to_frame()
    assert len(frame) == 6 * 20 * 20
    one = frame[(frame["row"] == rows.index[0]) & (frame["feature"] == first) & (frame["other"] == second)]
    assert one["interaction"].iloc[0] == pytest.approx(inter.values[0, inter.feature_names.index(first),
                                                                     inter.feature_names.index(second)])
    assert inter.ranking() == phi.ranking()


def test_stumps_do_not_interact():
    heart = data.load_heart()
    model = models.get_model("heart", "boosting")            # depth-1 trees (models.TUNED)
    assert model[-1].max_depth == 1
    inter = S.path_dependent_interactions(model, heart.X_test.iloc[:5], scale="log-odds")
    off = inter.values.copy()
    idx = np.arange(off.shape[1])
    off[:, idx, idx] = 0
    assert np.abs(off).max() < 1e-12
    # and then path-dependent and interventional values differ per stump only by the stump's mean
    bg = heart.X_train
    path = S.path_dependent_shap(model, heart.X_test.iloc[:5], scale="log-odds")
    interventional = S.tree_shap(model, heart.X_test.iloc[:5], bg, scale="log-odds")
    shift = (path.values - interventional.values)
    np.testing.assert_allclose(shift, shift[[0]].repeat(5, axis=0), atol=1e-6)   # the same for every row


def test_regressor_is_explained_as_it_is():
    X = numeric_frame(200, 4, seed=2)
    y = X["x0"] * X["x1"] + X["x2"]
    model = GradientBoostingRegressor(n_estimators=10, max_depth=2, random_state=0).fit(X, y)
    ours = S.path_dependent_shap(model, X.iloc[:5])
    values, base, _ = shap_tree_path_dependent(model, X.iloc[:5])
    np.testing.assert_allclose(ours.values, values, atol=1e-8)
    assert ours.output == "model output"
    np.testing.assert_allclose(ours.efficiency_gap(), 0, atol=1e-10)


# ---------------------------------------------------------------- bad input
def test_bad_inputs(small):
    X, y, forest, _, boosting = small
    with pytest.raises(NotFittedError):
        S.path_dependent_shap(RandomForestClassifier(), X)
    with pytest.raises(TypeError, match="tree model"):
        S.path_dependent_shap(LogisticRegression().fit(X, y), X)
    with pytest.raises(TypeError):
        S.path_dependent_shap(KMeans(n_clusters=2, n_init=1, random_state=0).fit(X), X)
    with pytest.raises(ValueError, match="log-odds"):
        S.path_dependent_shap(boosting, X.iloc[:2], scale="probability")
    with pytest.raises(ValueError, match="gradient boosting only"):
        S.path_dependent_shap(forest, X.iloc[:2], scale="log-odds")
    with pytest.raises(ValueError, match="scale"):
        S.path_dependent_interactions(forest, X.iloc[:2], scale="odds")
    with pytest.raises(TypeError, match="DataFrame"):
        S.path_dependent_shap(forest, X.to_numpy())
    with pytest.raises(ValueError, match="missing"):
        S.path_dependent_shap(forest, X.drop(columns="x0"))
    with pytest.raises(ValueError, match="exactly one row"):
        S.path_dependent_value(forest, X.iloc[:2], [])
    with pytest.raises(ValueError, match="unknown feature"):
        S.path_dependent_value(forest, X.iloc[[0]], ["nope"])
    assert S.path_dependent_value(forest, X.iloc[[0]], "x0") == S.path_dependent_value(forest, X.iloc[[0]], ["x0"])
    inter = S.path_dependent_interactions(forest, X.iloc[:2])
    with pytest.raises(ValueError, match="unknown feature"):
        inter.pair("x0", "nope")
    with pytest.raises(ValueError, match="two different"):
        inter.pair("x0", "x0")
    with pytest.raises(ValueError, match="shape"):
        S.ShapleyInteractions(np.zeros((2, 3, 3)), 0.0, ("a", "b"), X.iloc[:2, :2], np.zeros(2))
    multi = DecisionTreeClassifier(random_state=0).fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="binary"):
        S.path_dependent_shap(multi, X.iloc[:2])


def test_games_by_enumeration_reject_bad_games():
    from xaibook.shapley import shapley_from_value_function, shapley_interactions_from_value_function

    for enumerate_game in (shapley_from_value_function, shapley_interactions_from_value_function):
        with pytest.raises(TypeError, match="value must be a function"):
            enumerate_game(3, ["a", "b"])
        with pytest.raises(TypeError, match="players must be a list"):
            enumerate_game(lambda S: 0.0, "ab")
        with pytest.raises(ValueError, match="players is empty"):
            enumerate_game(lambda S: 0.0, [])
        with pytest.raises(ValueError, match="distinct"):
            enumerate_game(lambda S: 0.0, ["a", "a"])
        with pytest.raises(ValueError, match="finite"):
            enumerate_game(lambda S: float("nan"), ["a", "b"])
        with pytest.raises(TypeError, match="one number"):
            enumerate_game(lambda S: "high", ["a", "b"])


def test_path_dependent_shap_of_a_tree_fitted_on_an_array_reads_columns_by_position():
    """A tree fitted on a numpy array knows no column names: X's names are its features, by
    position, and the values equal those of the same tree fitted on the DataFrame."""
    import warnings

    from sklearn.tree import DecisionTreeClassifier

    from xaibook.shapley import path_dependent_shap

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = (X["a"] + X["b"] * X["c"] > 0).astype(int)
    on_array = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X.to_numpy(), y)
    on_frame = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # sklearn: "X has feature names, but ... fitted without"
        result = path_dependent_shap(on_array, X.iloc[:5])
        with pytest.raises(ValueError, match="fitted on an array of 3 columns but X has 2"):
            path_dependent_shap(on_array, X.iloc[:5, :2])
    assert result.feature_names == ("a", "b", "c")
    np.testing.assert_array_equal(result.values, path_dependent_shap(on_frame, X.iloc[:5]).values)

"""Glass-box readings: coefficients and odds ratios, tree rules and paths, GAM shapes, what-if."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, export_text
from sklearn.utils.class_weight import compute_sample_weight

from xaibook import glassbox as gb
from xaibook.glassbox import logistic as gb_logistic
from xaibook.pipeline import transformed_features

NUMERIC = ["age", "amount", "duration"]
CATEGORICAL = ["purpose", "housing"]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    n = 500
    X = pd.DataFrame({
        "age": rng.randint(19, 75, n),
        "amount": np.round(rng.gamma(2.0, 1500.0, n), 2),
        "duration": rng.randint(4, 60, n),
        "purpose": rng.choice(["car", "tv", "education"], n),
        "housing": rng.choice(["own", "rent", "free"], n),
    })
    logit = (-0.03 * (X.age - 35) + 0.0002 * (X.amount - 3000) + 0.03 * (X.duration - 20)
             + 0.8 * (X.purpose == "education") - 0.5 * (X.housing == "own"))
    y = pd.Series((rng.rand(n) < expit(logit)).astype(int), name="bad")
    return X, y


def preprocessor(drop=None):
    return ColumnTransformer(
        [("numeric", StandardScaler(), NUMERIC),
         ("categorical", OneHotEncoder(handle_unknown="ignore" if drop is None else "error",
                                       drop=drop, sparse_output=False), CATEGORICAL)],
        verbose_feature_names_out=False)


@pytest.fixture(scope="module")
def logistic(data):
    X, y = data
    return Pipeline([("preprocess", preprocessor()),
                     ("model", LogisticRegression(max_iter=5000, tol=1e-10))]).fit(X, y)


@pytest.fixture(scope="module")
def tree(data):
    X, y = data
    return Pipeline([("preprocess", preprocessor()),
                     ("model", DecisionTreeClassifier(max_depth=3, min_samples_leaf=10,
                                                      random_state=0))]).fit(X, y)


# ------------------------------------------------------------------------------ features

def test_transformed_features_maps_columns(logistic, data):
    X, _ = data
    features = transformed_features(logistic)
    assert list(features["feature"][:3]) == NUMERIC
    assert "purpose=car" in set(features["feature"])
    onehot = features[features["kind"] == "onehot"]
    assert set(onehot["raw_feature"]) == set(CATEGORICAL) and len(onehot) == 6
    scaler = logistic.named_steps["preprocess"].named_transformers_["numeric"]
    np.testing.assert_allclose(features["center"][:3], scaler.mean_)
    np.testing.assert_allclose(features["scale"][:3], X[NUMERIC].std(ddof=0))


def test_transformed_features_with_dropped_reference_and_no_preprocessing(data):
    X, y = data
    model = Pipeline([("preprocess", preprocessor(drop="first")),
                      ("model", LogisticRegression(max_iter=5000))]).fit(X, y)
    features = transformed_features(model)
    assert "purpose=car" not in set(features["feature"])  # 'car' is the dropped first level
    assert set(features.loc[features["raw_feature"] == "purpose", "reference"]) == {"car"}
    table = gb.logistic_coefficients(model, X).to_frame()
    assert table.loc[table["feature"] == "purpose=tv", "reading"].item() == "purpose=tv vs purpose=car"
    bare = LogisticRegression().fit(X[NUMERIC], y)
    plain = transformed_features(bare)
    assert list(plain["feature"]) == NUMERIC and set(plain["scale"]) == {1.0}


# ------------------------------------------------------------------------------ coefficients

def test_odds_ratios_are_exp_of_coefficients(logistic, data):
    X, _ = data
    result = gb.logistic_coefficients(logistic, X)
    table = result.to_frame()
    np.testing.assert_array_equal(table["coefficient"], logistic[-1].coef_[0])
    np.testing.assert_array_equal(table["odds_ratio"], np.exp(table["coefficient"]))
    np.testing.assert_array_equal(table["odds_ratio_low"], np.exp(table["ci_low"]))
    assert result.intercept == logistic[-1].intercept_[0]
    assert (table["ci_low"] < table["coefficient"]).all() and (table["coefficient"] < table["ci_high"]).all()
    numeric = table[table["kind"] == "numeric"]
    np.testing.assert_allclose(numeric["per_unit_coefficient"] * numeric["scale"], numeric["coefficient"])
    assert numeric["reading"].iloc[0].startswith("per 1 SD")
    ordered = result.to_frame(sort=True)
    assert ordered["coefficient"].abs().is_monotonic_decreasing


def test_l2_one_hot_levels_sum_to_zero(logistic, data):
    """Unpenalised intercept + L2 penalty: each one-hot block's coefficients sum to zero, so a
    level reads relative to the average level of its feature (what `reading` says)."""
    X, _ = data
    table = gb.logistic_coefficients(logistic, X).to_frame()
    sums = table[table["kind"] == "onehot"].groupby("raw_feature")["coefficient"].sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-6)
    reading = table.loc[table["feature"] == "purpose=tv", "reading"].item()
    assert "average over the levels of purpose" in reading


def _penalised_gradient(beta, A, y, C):
    """Gradient of the penalised log-likelihood  l(beta) - ||beta[1:]||^2 / (2C)."""
    p = expit(A @ beta)
    ridge = np.r_[0.0, beta[1:]] / C
    return A.T @ (y - p) - ridge


def test_wald_se_is_the_ridge_sandwich_of_finite_difference_hessians(logistic, data):
    """Cross-check: the fit is a stationary point of the penalised likelihood we differentiate,
    and the Wald covariance is H^-1 J H^-1 with H, J its finite-difference Hessians with and
    without the penalty."""
    X, y = data
    Z = logistic[:-1].transform(X)
    A = np.column_stack([np.ones(len(Z)), Z])
    model = logistic[-1]
    beta = np.r_[model.intercept_, model.coef_[0]]
    C = model.C
    assert np.abs(_penalised_gradient(beta, A, y.to_numpy(), C)).max() < 1e-5
    h = 1e-6
    hessian = np.column_stack([
        (_penalised_gradient(beta + h * e, A, y.to_numpy(), C)
         - _penalised_gradient(beta - h * e, A, y.to_numpy(), C)) / (2 * h)
        for e in np.eye(len(beta))])
    hessian_penalty = -np.diag(np.r_[0.0, np.ones(len(beta) - 1)]) / C
    inverse = np.linalg.inv(-hessian)
    se = np.sqrt(np.diag(inverse @ -(hessian - hessian_penalty) @ inverse))
    result = gb.logistic_coefficients(logistic, X)
    np.testing.assert_allclose(result.to_frame()["std_error"], se[1:], rtol=1e-5)
    assert result.intercept_std_error == pytest.approx(se[0], rel=1e-5)


def test_wald_unpenalised_with_reference_levels(data):
    X, y = data
    model = Pipeline([("preprocess", preprocessor(drop="first")),
                      ("model", LogisticRegression(C=np.inf, max_iter=5000, tol=1e-10))]).fit(X, y)
    table = gb.logistic_coefficients(model, X).to_frame()
    Z = model[:-1].transform(X)
    A = np.column_stack([np.ones(len(Z)), Z])
    p = model.predict_proba(X)[:, 1]
    cov = np.linalg.inv(A.T @ (A * (p * (1 - p))[:, None]))
    np.testing.assert_allclose(table["std_error"], np.sqrt(np.diag(cov))[1:], rtol=1e-8)
    half_width = (table["ci_high"] - table["ci_low"]) / 2
    np.testing.assert_allclose(half_width, 1.959963984540054 * table["std_error"], rtol=1e-10)


def test_bootstrap_is_seeded_and_close_to_wald(logistic, data):
    X, y = data
    first = gb.logistic_coefficients(logistic, X, y, method="bootstrap", n_bootstrap=60, random_state=3)
    again = gb.logistic_coefficients(logistic, X, y, method="bootstrap", n_bootstrap=60, random_state=3)
    other = gb.logistic_coefficients(logistic, X, y, method="bootstrap", n_bootstrap=60, random_state=4)
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame())
    assert not np.allclose(first.to_frame()["ci_low"], other.to_frame()["ci_low"])
    wald = gb.logistic_coefficients(logistic, X).to_frame()["std_error"]
    ratio = first.to_frame()["std_error"] / wald
    assert ratio.between(0.6, 1.6).all()
    assert first.method == "bootstrap" and first.n_bootstrap == 60


@pytest.mark.parametrize("params", [{}, {"C": 0.05}, {"C": np.inf, "drop": "first"},
                                    {"class_weight": "balanced"}])
def test_bootstrap_newton_refit_equals_sklearn_fit(data, params):
    """A bootstrap refit reaches the optimum LogisticRegression itself reaches (tight tol)."""
    X, y = data
    params = dict(params)
    drop = params.pop("drop", None)
    model = Pipeline([("preprocess", preprocessor(drop=drop)),
                      ("model", LogisticRegression(max_iter=10000, tol=1e-12, **params))]).fit(X, y)
    Z = model[:-1].transform(X)
    idx = np.random.RandomState(5).randint(0, len(X), len(X))
    reference = clone(model[-1]).fit(Z[idx], y.to_numpy()[idx])
    estimator = model[-1]
    A = np.column_stack([np.ones(len(Z)), Z])
    weights = np.ones(len(idx)) if estimator.class_weight is None else \
        compute_sample_weight(estimator.class_weight, y.to_numpy()[idx])
    ridge = gb_logistic._ridge(estimator, A.shape[1])
    beta = gb_logistic._newton_fit(A[idx], y.to_numpy()[idx].astype(float), weights, ridge,
                                   np.r_[estimator.intercept_, estimator.coef_[0]])
    np.testing.assert_allclose(beta, np.r_[reference.intercept_, reference.coef_[0]], atol=2e-5)


def test_bootstrap_with_l1_penalty_refits_clones(data):
    X, y = data
    lasso = Pipeline([("preprocess", preprocessor()),
                      ("model", LogisticRegression(l1_ratio=1.0, C=0.5, solver="liblinear"))]).fit(X, y)
    result = gb.logistic_coefficients(lasso, X, y, method="bootstrap", n_bootstrap=20)
    assert result.n_sklearn_refits == 20  # every refit went through scikit-learn
    assert np.isfinite(result.to_frame()["std_error"]).all()


def test_class_weight_enters_the_information_matrix(data):
    X, y = data
    model = Pipeline([("preprocess", preprocessor()),
                      ("model", LogisticRegression(class_weight="balanced", max_iter=5000))]).fit(X, y)
    with pytest.raises(ValueError, match="class_weight, so pass y"):
        gb.logistic_coefficients(model, X)
    weighted = gb.logistic_coefficients(model, X, y).to_frame()["std_error"]
    assert np.all(np.isfinite(weighted))


def test_logistic_coefficients_bad_inputs(logistic, tree, data):
    X, y = data
    with pytest.raises(TypeError, match="must be a LogisticRegression"):
        gb.logistic_coefficients(tree, X)
    unfitted = Pipeline([("preprocess", preprocessor()), ("model", LogisticRegression())])
    with pytest.raises(ValueError, match="not fitted"):
        gb.logistic_coefficients(unfitted, X)
    with pytest.raises(ValueError, match="method must be"):
        gb.logistic_coefficients(logistic, X, method="exact")
    with pytest.raises(ValueError, match="confidence must be"):
        gb.logistic_coefficients(logistic, X, confidence=95)
    with pytest.raises(ValueError, match="pass the training labels y"):
        gb.logistic_coefficients(logistic, X, method="bootstrap")
    with pytest.raises(ValueError, match="X has 500 rows but y has 3"):
        gb.logistic_coefficients(logistic, X, y[:3], method="bootstrap")
    with pytest.raises(ValueError, match="random_state=None"):
        gb.logistic_coefficients(logistic, X, y, method="bootstrap", random_state=None)
    with pytest.raises(ValueError, match=r"missing \['age'\]"):
        gb.logistic_coefficients(logistic, X.drop(columns="age"))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        gb.logistic_coefficients(logistic, X.to_numpy())
    lasso = Pipeline([("preprocess", preprocessor()),
                      ("model", LogisticRegression(l1_ratio=1.0, solver="saga", max_iter=5000))]).fit(X, y)
    with pytest.raises(ValueError, match="method='bootstrap'"):
        gb.logistic_coefficients(lasso, X)
    unpenalised = Pipeline([("preprocess", preprocessor()),
                            ("model", LogisticRegression(C=np.inf, max_iter=5000))]).fit(X, y)
    with pytest.raises(ValueError, match="information matrix is singular"):
        gb.logistic_coefficients(unpenalised, X)  # every one-hot level + intercept, no penalty
    iris = load_iris(as_frame=True)
    multinomial = LogisticRegression(max_iter=5000).fit(iris.data, iris.target)
    with pytest.raises(ValueError, match="multinomial"):
        gb.logistic_coefficients(multinomial, iris.data)


# ------------------------------------------------------------------------------ tree rules

def test_tree_text_equals_export_text(tree):
    rules = gb.tree_rules(tree)
    names = list(transformed_features(tree)["feature"])
    assert rules.text == export_text(tree[-1], feature_names=names)
    for kwargs in ({"decimals": 3}, {"spacing": 2}, {"max_depth": 1}, {"max_depth": 0}):
        assert gb.tree_rules(tree, **kwargs).text == export_text(tree[-1], feature_names=names, **kwargs)


def test_tree_text_equals_export_text_on_bare_and_multiclass_trees():
    iris = load_iris()
    model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(iris.data, iris.target)
    assert gb.tree_rules(model).text == export_text(model)
    names = iris.feature_names
    assert gb.tree_rules(model, names).text == export_text(model, feature_names=names)
    rules = gb.tree_rules(model, iris.feature_names, target_class=2)
    assert rules.target_class == 2 and len(rules) == model.get_n_leaves()


def test_rules_partition_the_data_and_match_apply(tree, data):
    """The rule set is the tree: every row satisfies exactly one rule, the one of its leaf."""
    X, _ = data
    rules = gb.tree_rules(tree)
    Z = tree[:-1].transform(X)
    names = list(transformed_features(tree)["feature"])
    satisfied = np.column_stack([
        np.all([c.holds(v) for c in r.conditions for v in [Z[:, names.index(c.feature)]]], axis=0)
        if r.conditions else np.ones(len(X), bool) for r in rules.rules])
    assert (satisfied.sum(axis=1) == 1).all()
    leaves = np.array([r.leaf for r in rules.rules])[satisfied.argmax(axis=1)]
    np.testing.assert_array_equal(leaves, tree[-1].apply(Z))
    proba = np.array([r.probability for r in rules.rules])[satisfied.argmax(axis=1)]
    np.testing.assert_allclose(proba, tree.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    frame = rules.to_frame()
    assert frame["n_samples"].sum() == len(X)
    assert list(frame.columns) == ["leaf", "rule", "n_conditions", "n_samples", "probability",
                                   "predicted_class"]


def test_readable_rules_in_raw_units(tree, data):
    X, _ = data
    rules = gb.tree_rules(tree)
    features = transformed_features(tree).set_index("feature")
    for rule in rules.rules:
        for c in rule.conditions:
            info = features.loc[c.feature]
            if info["kind"] == "numeric":
                assert c.raw_threshold == pytest.approx(c.threshold * info["scale"] + info["center"])
                assert c.text.startswith(f"{c.raw_feature} {c.operator} ")
            else:
                assert c.text in (f"{info['raw_feature']} != {info['category']}",
                                  f"{info['raw_feature']} = {info['category']}")
    nodes = rules.nodes
    assert nodes.loc[0, "weight"] == len(X) and nodes.loc[0, "n_samples"] == len(X)
    assert "|--- " in rules.readable_text and "class:" in rules.readable_text


def test_decision_path_matches_apply_and_predict_proba(tree, data):
    X, _ = data
    Z = tree[:-1].transform(X)
    leaves = tree[-1].apply(Z)
    proba = tree.predict_proba(X)
    for i in range(0, len(X), 25):
        path = gb.decision_path(tree, X.iloc[[i]])
        assert path.leaf == leaves[i]
        assert path.probability == pytest.approx(proba[i, 1], abs=1e-12)
        np.testing.assert_allclose(path.probabilities, proba[i], atol=1e-12)
        for step in path.steps:
            assert step.condition.holds(step.value)
            if step.condition.raw_threshold is not None:
                assert (step.raw_value <= step.condition.raw_threshold) == (step.condition.operator == "<=")
        frame = path.to_frame()
        assert frame["test"].iloc[-1] == "leaf" and len(frame) == len(path.steps) + 1
    series_path = gb.decision_path(tree, X.iloc[0])  # a Series row works too
    assert series_path.leaf == leaves[0]
    assert "->" in series_path.text
    assert series_path.root_probability == pytest.approx(tree[-1].tree_.value[0][0][1])


def test_tree_bad_inputs(tree, logistic, data):
    X, _ = data
    with pytest.raises(TypeError, match="DecisionTreeClassifier"):
        gb.tree_rules(logistic)
    with pytest.raises(ValueError, match="not fitted"):
        gb.tree_rules(DecisionTreeClassifier())
    with pytest.raises(ValueError, match="feature_names has 2 names"):
        gb.tree_rules(tree[-1], ["a", "b"])
    with pytest.raises(ValueError, match="target_class 7"):
        gb.tree_rules(tree, target_class=7)
    with pytest.raises(ValueError, match="exactly one row"):
        gb.decision_path(tree, X.iloc[:2])
    with pytest.raises(TypeError, match="pandas DataFrame"):
        gb.decision_path(tree, X.to_numpy()[:1])
    with pytest.raises(ValueError, match="unexpected"):
        gb.decision_path(tree, X.iloc[[0]].assign(extra=1))


# ------------------------------------------------------------------------------ GAM

def test_spline_gam_shape_functions_are_additive(data):
    X, y = data
    gam = gb.spline_gam(X, y, n_knots=4)
    shapes = gb.shape_functions(gam, X, grid_resolution=15)
    frame = shapes.to_frame()
    assert set(frame["feature"]) == set(NUMERIC) and shapes.features == tuple(NUMERIC)
    # moving one feature changes the log-odds by exactly the change of its shape function
    row = X.iloc[[0]]
    amount = frame[frame["feature"] == "amount"]
    a, b = amount.iloc[2], amount.iloc[9]
    logit = gam.decision_function(pd.concat([row.assign(amount=a.value), row.assign(amount=b.value)]))
    assert logit[1] - logit[0] == pytest.approx(b.contribution - a.contribution, abs=1e-9)
    # centred: the mean of f over the data is zero, checked through the model on the data itself
    only_age = gb.spline_gam(X, y, numeric_features=["age"], n_knots=4)
    assert gb.shape_functions(only_age, X).features == ("age",)  # one-hot numerics have no curve
    # centred over the data
    spline = gb.shape_functions(gam, X, ["amount"], grid_resolution=5).to_frame()
    assert len(spline) == 5
    with pytest.raises(ValueError, match="numeric_features"):
        gb.spline_gam(X, y, numeric_features=["purpose"])
    with pytest.raises(ValueError, match="no numeric columns"):
        gb.shape_functions(gam, X, ["purpose"])


# ------------------------------------------------------------------------------ what-if

@pytest.mark.parametrize("features", [["age"], ["amount", "duration"], NUMERIC])
def test_whatif_reproduces_predict_proba(logistic, data, features):
    X, _ = data
    for i in (0, 17, 123):
        row = X.iloc[[i]]
        spec = gb.whatif_spec(logistic, row, features, data=X)
        expected = logistic.predict_proba(row)[0, 1]
        assert abs(spec.probability - expected) < 1e-12
        assert abs(spec.probability_at() - expected) < 1e-12
        # the Vega expression string, evaluated as Python, gives the same number
        value = eval(spec.expression(), {"exp": math.exp}, dict(spec.values))  # noqa: S307
        assert abs(value - expected) < 1e-12
        # moving the sliders = predict_proba on the edited row
        moved = {f: spec.ranges[f][0] for f in features}
        edited = row.assign(**moved)
        assert abs(spec.probability_at(moved) - logistic.predict_proba(edited)[0, 1]) < 1e-12


def test_whatif_ranges_and_frame(logistic, data):
    X, _ = data
    spec = gb.whatif_spec(logistic, X.iloc[[4]], ["age", "amount"], data=X)
    low, high, step = spec.ranges["age"]
    assert (low, high, step) == (X.age.min(), X.age.max(), 1.0)
    assert isinstance(spec.values["age"], int)
    low, high, step = spec.ranges["amount"]
    assert low <= X.amount.min() and high >= X.amount.max() and step > 0
    assert spec.target_class == 1 and type(spec.target_class) is int
    frame = spec.to_frame()
    assert list(frame["feature"]) == ["age", "amount"]
    no_data = gb.whatif_spec(logistic, X.iloc[[4]], ["amount"])
    assert no_data.ranges["amount"][0] <= X.amount.mean() - 2.9 * X.amount.std()
    with pytest.raises(ValueError, match="unknown slider"):
        spec.probability_at({"purpose": 1})


def test_whatif_bad_inputs(logistic, tree, data):
    X, _ = data
    row = X.iloc[[0]]
    with pytest.raises(TypeError, match="must be a LogisticRegression"):
        gb.whatif_spec(tree, row, ["age"])
    with pytest.raises(ValueError, match="not fitted"):
        gb.whatif_spec(Pipeline([("preprocess", preprocessor()), ("model", LogisticRegression())]),
                       row, ["age"])
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['height'\]"):
        gb.whatif_spec(logistic, row, ["height"])
    with pytest.raises(ValueError, match="exactly one row"):
        gb.whatif_spec(logistic, X.iloc[:3], ["age"])
    with pytest.raises(ValueError, match="not a standardised"):
        gb.whatif_spec(logistic, row, ["purpose"])
    with pytest.raises(ValueError, match="duplicates"):
        gb.whatif_spec(logistic, row, ["age", "age"])
    with pytest.raises(ValueError, match="quantiles"):
        gb.whatif_spec(logistic, row, ["age"], data=X, quantiles=(0.9, 0.1))
    with pytest.raises(ValueError, match="no feature names"):
        gb.whatif_spec(logistic, row, [])


# ------------------------------------------------------------------------------ local contributions

def test_contributions_add_up_to_the_log_odds(logistic, data):
    X, y = data
    row = X.iloc[[11]]
    result = gb.logistic_contributions(logistic, row, X)
    frame = result.to_frame()
    assert result.base_value + frame["contribution"].sum() == pytest.approx(
        logistic.decision_function(row)[0], abs=1e-12)
    assert result.base_value == pytest.approx(logistic.decision_function(X).mean(), abs=1e-12)
    assert result.probability == pytest.approx(logistic.predict_proba(row)[0, 1], abs=1e-12)
    assert set(frame["feature"]) == set(NUMERIC + CATEGORICAL)
    assert frame["contribution"].abs().is_monotonic_decreasing
    # numeric: beta * (z - mean z) = (beta / sd) * (x - mean x)
    coefficients = gb.logistic_coefficients(logistic, X).to_frame().set_index("feature")
    age = frame.set_index("feature").loc["age"]
    assert age["value"] == row["age"].item()
    assert age["contribution"] == pytest.approx(
        coefficients.loc["age", "per_unit_coefficient"] * (row["age"].item() - X["age"].mean()), rel=1e-10)


def test_contribution_intervals_from_wald_and_bootstrap(logistic, data):
    X, y = data
    row = X.iloc[[3]]
    wald = gb.logistic_contributions(logistic, row, X, coefficients=gb.logistic_coefficients(logistic, X))
    boot = gb.logistic_contributions(logistic, row, X, coefficients=gb.logistic_coefficients(
        logistic, X, y, method="bootstrap", n_bootstrap=80))
    for result in (wald, boot):
        frame = result.to_frame()
        assert (frame["ci_low"] <= frame["ci_high"]).all() and result.confidence == 0.95
    w = wald.to_frame().set_index("feature")
    assert (w["ci_low"] <= w["contribution"]).all() and (w["contribution"] <= w["ci_high"]).all()
    b = boot.to_frame().set_index("feature").loc[w.index]
    width_ratio = (b["ci_high"] - b["ci_low"]) / (w["ci_high"] - w["ci_low"])
    assert width_ratio.between(0.4, 2.5).all()


def test_contributions_and_correlation_bad_inputs(logistic, tree, data):
    X, y = data
    coefficients = gb.logistic_coefficients(logistic, X)
    with pytest.raises(TypeError, match="must be a LogisticRegression"):
        gb.logistic_contributions(tree, X.iloc[[0]], X)
    with pytest.raises(ValueError, match="exactly one row"):
        gb.logistic_contributions(logistic, X, X)
    with pytest.raises(TypeError, match="logistic_coefficients"):
        gb.logistic_contributions(logistic, X.iloc[[0]], X, coefficients=coefficients.to_frame())
    other = Pipeline([("preprocess", preprocessor()), ("model", LogisticRegression(C=0.01))]).fit(X, y)
    with pytest.raises(ValueError, match="different model"):
        gb.logistic_contributions(other, X.iloc[[0]], X, coefficients=coefficients)
    with pytest.raises(ValueError, match="unknown coefficient"):
        coefficients.correlation("age", "height")
    assert -1 <= coefficients.correlation("age", "amount") <= 1


def test_coefficient_correlation_wald_matches_bootstrap_sign(data):
    """Two correlated predictors: their coefficient estimates are negatively correlated."""
    X, y = data
    rng = np.random.RandomState(2)
    Xc = X.assign(duration=(X["amount"] / 100 + rng.normal(0, 5, len(X))).round().astype(int))
    model = Pipeline([("preprocess", preprocessor()),
                      ("model", LogisticRegression(max_iter=5000))]).fit(Xc, y)
    wald = gb.logistic_coefficients(model, Xc)
    boot = gb.logistic_coefficients(model, Xc, y, method="bootstrap", n_bootstrap=100)
    assert wald.correlation("amount", "duration") < -0.5
    assert boot.correlation("amount", "duration") < -0.5


# ------------------------------------------------------------------------------ tree refits

def test_refit_trees(tree, data):
    X, y = data
    row = X.iloc[[0]]
    resampled = gb.refit_trees(tree, X, y, n_refits=4, random_state=1, x=row).to_frame()
    again = gb.refit_trees(tree, X, y, n_refits=4, random_state=1, x=row).to_frame()
    pd.testing.assert_frame_equal(resampled, again)
    assert list(resampled.columns) == ["refit", "root_test", "second_tests", "n_leaves", "features_used",
                                       "row_probability"]
    assert resampled["row_probability"].between(0, 1).all()
    same_data = gb.refit_trees(tree, X, y, n_refits=3, resample=False).to_frame()
    original = gb.tree_rules(tree).nodes.loc[0, "test"]
    assert (same_data["root_test"] == original).all()
    with pytest.raises(TypeError, match="DecisionTreeClassifier"):
        logistic_pipeline = Pipeline([("preprocess", preprocessor()), ("model", LogisticRegression())])
        gb.refit_trees(logistic_pipeline.fit(X, y), X, y)
    with pytest.raises(ValueError, match="n_refits must be at least 1"):
        gb.refit_trees(tree, X, y, n_refits=0)


def test_refit_trees_and_bootstrap_take_every_kind_of_random_state(tree, logistic, data):
    X, y = data
    by_int = gb.refit_trees(tree, X, y, n_refits=3, random_state=7).to_frame()
    by_legacy = gb.refit_trees(tree, X, y, n_refits=3, random_state=np.random.RandomState(7)).to_frame()
    pd.testing.assert_frame_equal(by_int, by_legacy)
    by_generator = gb.refit_trees(tree, X, y, n_refits=3, random_state=np.random.default_rng(7))
    assert by_generator.random_state is None and len(by_generator.to_frame()) == 3
    unseeded_ties = gb.refit_trees(tree, X, y, n_refits=2, resample=False, random_state=np.random.default_rng(7))
    assert (unseeded_ties.to_frame()["root_test"] == gb.tree_rules(tree).nodes.loc[0, "test"]).all()
    boot = gb.logistic_coefficients(logistic, X, y, method="bootstrap", n_bootstrap=20,
                                    random_state=np.random.default_rng(3))
    assert boot.n_bootstrap == 20 and np.isfinite(boot.to_frame()["std_error"]).all()


def test_mean_abs_contributions_averages_the_local_splits(logistic, data):
    X, _ = data
    sample = X.iloc[:40]
    frame = gb.mean_abs_contributions(logistic, sample, background=X)
    manual = pd.concat([gb.logistic_contributions(logistic, sample.iloc[[i]], X).to_frame(sort=False)
                        for i in range(len(sample))])
    expected = manual.assign(a=manual["contribution"].abs()).groupby("feature")["a"].mean()
    np.testing.assert_allclose(frame.set_index("feature")["mean_abs_contribution"],
                               expected.loc[frame["feature"]], rtol=1e-12)
    assert frame["mean_abs_contribution"].is_monotonic_decreasing
    with pytest.raises(ValueError, match=r"missing \['age'\]"):
        gb.mean_abs_contributions(logistic, X, background=X.drop(columns="age"))


def test_transformed_features_with_selectors_remainder_and_sparse_output(data):
    from sklearn.compose import make_column_selector

    X, y = data
    pre = ColumnTransformer(
        [("num", StandardScaler(), make_column_selector(pattern="^(?:age|amount|duration)$")),
         ("cat", OneHotEncoder(), ["purpose"])],  # sparse one-hot output
        remainder="passthrough", sparse_threshold=1.0)
    model = Pipeline([("preprocess", pre), ("model", LogisticRegression(max_iter=5000))])
    model.fit(X.assign(housing=(X["housing"] == "own").astype(int)), y)
    features = transformed_features(model)
    assert list(features["feature"][:3]) == NUMERIC and features["feature"].iloc[-1] == "housing"
    assert features["kind"].iloc[-1] == "numeric" and features["scale"].iloc[-1] == 1.0
    Xh = X.assign(housing=(X["housing"] == "own").astype(int))
    spec = gb.whatif_spec(model, Xh.iloc[[2]], ["age", "housing"], data=Xh)
    assert abs(spec.probability - model.predict_proba(Xh.iloc[[2]])[0, 1]) < 1e-12

"""Permutation importance: bit-for-bit agreement with scikit-learn, variants, and bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from xaibook import importance as imp
from xaibook.importance.batching import _batchable_parts


@pytest.fixture(scope="module")
def mixed():
    """A classification frame with numeric and string categorical columns, and a pipeline."""
    X_num, y = make_classification(n_samples=240, n_features=4, n_informative=3, n_redundant=0,
                                   random_state=0)
    rng = np.random.RandomState(1)
    X = pd.DataFrame(X_num, columns=["a", "b", "c", "d"])
    X["colour"] = np.where(y == 1, rng.choice(["red", "green", "blue"], 240, p=[.6, .2, .2]),
                           rng.choice(["red", "green", "blue"], 240, p=[.2, .4, .4]))
    X["size"] = rng.randint(0, 5, 240)
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b", "c", "d", "size"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"])])
    X_train, X_test, y_train, y_test = X.iloc[:160], X.iloc[160:], y[:160], y[160:]
    models = {
        "logistic": Pipeline([("pre", pre), ("model", LogisticRegression())]),
        "forest": Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=20, random_state=0))]),
    }
    fitted = {name: model.fit(X_train, y_train) for name, model in models.items()}
    return fitted, X_train, X_test, y_train, y_test


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=150, n_features=5, n_informative=3, noise=5.0, random_state=0)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    return GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y), X, y


@pytest.mark.parametrize("scoring", [None, "accuracy", "roc_auc", "neg_log_loss", "balanced_accuracy"])
@pytest.mark.parametrize("seed", [0, 7, 2024])
@pytest.mark.parametrize("name", ["logistic", "forest"])
def test_equals_sklearn_exactly_on_classifier_pipelines(mixed, name, scoring, seed):
    models, _, X_test, _, y_test = mixed
    ours = imp.permutation_importance(models[name], X_test, y_test, scoring=scoring,
                                      n_repeats=4, random_state=seed)
    ref = sk_permutation_importance(models[name], X_test, y_test, scoring=scoring,
                                    n_repeats=4, random_state=seed)
    assert np.array_equal(ours.importances, ref.importances)
    assert np.array_equal(ours.importances_mean, ref.importances_mean)
    assert np.array_equal(ours.importances_std, ref.importances_std)
    assert ours.feature_names == tuple(X_test.columns)


@pytest.mark.parametrize("scoring", [None, "roc_auc", "neg_log_loss"])
@pytest.mark.parametrize("name", ["logistic", "forest"])
def test_reference_implementation_gives_the_fast_numbers(mixed, name, scoring):
    """The chapter's plain loop and the batched package function compute the same importances."""
    models, _, X_test, _, y_test = mixed
    fast = imp.permutation_importance(models[name], X_test, y_test, scoring=scoring,
                                      n_repeats=3, random_state=5)
    slow = imp.permutation_importance_reference(models[name], X_test, y_test, scoring=scoring,
                                                n_repeats=3, random_state=5)
    assert slow.shape == (X_test.shape[1], 3)
    assert np.array_equal(slow, fast.importances)
    assert np.abs(slow).max() > 0


@pytest.mark.parametrize("scoring", [None, "r2", "neg_mean_squared_error"])
@pytest.mark.parametrize("seed", [0, 42])
def test_equals_sklearn_exactly_on_regressor(regression, scoring, seed):
    model, X, y = regression
    ours = imp.permutation_importance(model, X, y, scoring=scoring, n_repeats=6, random_state=seed)
    ref = sk_permutation_importance(model, X, y, scoring=scoring, n_repeats=6, random_state=seed)
    assert np.array_equal(ours.importances, ref.importances)
    assert ours.scoring == (scoring or "r2")


def test_equals_sklearn_with_callable_scorer_random_state_object_weights_and_small_batches(regression):
    model, X, y = regression
    scorer = make_scorer(mean_absolute_error, greater_is_better=False)
    weights = np.linspace(0.5, 2.0, len(X))
    ours = imp.permutation_importance(model, X, y, scoring=scorer, n_repeats=3,
                                      random_state=np.random.RandomState(5), sample_weight=weights,
                                      batch_size=len(X) * 2)  # forces several batches
    ref = sk_permutation_importance(model, X, y, scoring=scorer, n_repeats=3,
                                    random_state=np.random.RandomState(5), sample_weight=weights)
    assert np.array_equal(ours.importances, ref.importances)
    assert ours.random_state is None


def test_sample_weight_series_is_paired_with_rows_by_label(regression):
    """A Series of weights in another row order is matched to X's rows by its labels, not by position
    (issue 26: ``y`` or weights reordered next to the rows pair silently wrong otherwise)."""
    model, X, y = regression
    weights = pd.Series(np.linspace(0.5, 2.0, len(X)), index=X.index)
    options = {"scoring": "r2", "n_repeats": 2, "random_state": 3}
    aligned = imp.permutation_importance(model, X, y, sample_weight=weights, **options)
    shuffled = imp.permutation_importance(model, X, y, sample_weight=weights.sort_values(ascending=False), **options)
    np.testing.assert_array_equal(aligned.importances, shuffled.importances)
    with pytest.raises(ValueError):
        imp.permutation_importance(model, X, y, sample_weight=weights.reset_index(drop=True).set_axis(X.index + 10**6),
                                   **options)


def test_model_without_standard_score_uses_its_own_score(regression):
    class Custom(LinearRegression):
        def score(self, X, y, sample_weight=None):
            return -float(np.mean(np.abs(self.predict(X) - y)))

    _, X, y = regression
    model = Custom().fit(X, y)
    ours = imp.permutation_importance(model, X, y, n_repeats=2, random_state=1)
    ref = sk_permutation_importance(model, X, y, n_repeats=2, random_state=1)
    assert np.array_equal(ours.importances, ref.importances)
    assert ours.scoring == "Custom.score"


def test_baseline_and_result_frames(mixed):
    models, _, X_test, _, y_test = mixed
    result = imp.permutation_importance(models["forest"], X_test, y_test, n_repeats=3)
    assert result.baseline_score == pytest.approx(models["forest"].score(X_test, y_test))
    frame = result.to_frame()
    assert list(frame.columns) == ["feature", "repeat", "importance"]
    assert len(frame) == X_test.shape[1] * 3
    np.testing.assert_array_equal(frame["importance"].to_numpy().reshape(-1, 3), result.importances)
    summary = result.summary()
    assert list(summary.index) == result.ranking()
    assert summary["mean"].is_monotonic_decreasing and list(summary["rank"]) == list(range(1, 7))
    with pytest.raises(ValueError, match="read-only"):
        result.importances[0, 0] = 1.0


def test_same_seed_same_result_other_seed_differs(mixed):
    models, _, X_test, _, y_test = mixed
    a = imp.permutation_importance(models["logistic"], X_test, y_test, scoring="neg_log_loss", random_state=3)
    b = imp.permutation_importance(models["logistic"], X_test, y_test, scoring="neg_log_loss", random_state=3)
    c = imp.permutation_importance(models["logistic"], X_test, y_test, scoring="neg_log_loss", random_state=4)
    assert np.array_equal(a.importances, b.importances)
    assert not np.array_equal(a.importances, c.importances)


def test_shuffle_orders_are_permutations():
    orders = imp.shuffle_orders(10, 4, 0)
    assert orders.shape == (4, 10)
    for order in orders:
        assert sorted(order) == list(range(10))


def test_irrelevant_feature_has_zero_importance():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"signal": rng.normal(size=200), "ignored": rng.normal(size=200)})
    y = (X["signal"] > 0).astype(int)
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X[["signal"]].assign(ignored=0.0), y)
    result = imp.permutation_importance(tree, X, y, n_repeats=5)
    assert np.all(result.importances[1] == 0.0)
    assert result.importances_mean[0] > 0.3


# ---------------------------------------------------------------- grouped

def test_grouped_single_columns_equal_ungrouped(mixed):
    models, _, X_test, _, y_test = mixed
    single = {c: [c] for c in X_test.columns}
    for scoring in ["roc_auc", None]:
        grouped = imp.grouped_permutation_importance(models["forest"], X_test, y_test, single,
                                                     scoring=scoring, n_repeats=3, random_state=11)
        plain = imp.permutation_importance(models["forest"], X_test, y_test, scoring=scoring,
                                           n_repeats=3, random_state=11)
        assert np.array_equal(grouped.importances, plain.importances)
        assert grouped.feature_names == plain.feature_names


def test_grouped_shuffles_columns_together():
    # A model that only looks at whether two columns are equal: shuffling them together keeps
    # every row's pair intact (importance 0); shuffling one of them breaks it.
    class SameOrNot(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.array([0, 1])
            return self

        def predict(self, X):
            return (X["p"].to_numpy() == X["q"].to_numpy()).astype(int)

    X = pd.DataFrame({"p": np.arange(50), "q": np.arange(50), "r": np.zeros(50)})
    y = np.ones(50, dtype=int)
    scorer = make_scorer(lambda yt, yp: float(np.mean(yt == yp)))
    together = imp.grouped_permutation_importance(SameOrNot().fit(X, y), X, y, {"pq": ["p", "q"], "p": ["p"]},
                                                  scoring=scorer, n_repeats=3)
    assert np.all(together.importances[0] == 0.0)
    assert np.all(together.importances[1] > 0.8)
    assert together.groups == {"pq": ("p", "q"), "p": ("p",)}


# ---------------------------------------------------------------- comparisons

def test_train_test_importance_exposes_overfitting():
    # An unpruned tree memorises label noise with pure-noise columns: they matter on the
    # training data and not on held-out data.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=["signal", "noise1", "noise2", "noise3"])
    y = ((X["signal"] + rng.normal(scale=1.0, size=400)) > 0).astype(int).to_numpy()
    tree = DecisionTreeClassifier(random_state=0).fit(X.iloc[:200], y[:200])
    comparison = imp.train_test_importance(tree, X.iloc[:200], y[:200], X.iloc[200:], y[200:],
                                           n_repeats=3)
    assert comparison.labels == ["train", "test"]
    means = comparison.means()
    noise = ["noise1", "noise2", "noise3"]
    assert means.loc[noise, "train"].sum() > means.loc[noise, "test"].sum() + 0.1
    frame = comparison.to_frame()
    assert list(frame.columns) == ["label", "feature", "repeat", "importance"]
    assert len(frame) == 2 * 4 * 3


def test_compare_models(mixed):
    models, X_train, X_test, y_train, y_test = mixed

    zoo = imp.compare_models(models, X_test, y_test, scoring="roc_auc", n_repeats=2)
    assert zoo.labels == ["logistic", "forest"]
    assert zoo.ranks().shape == (X_test.shape[1], 2)
    corr = zoo.rank_correlation()
    assert corr.loc["logistic", "logistic"] == pytest.approx(1.0)


# ---------------------------------------------------------------- drop-column and MDI

def test_without_columns_rebuilds_column_transformer(mixed):
    models, *_ = mixed
    rebuilt = imp.without_columns(models["logistic"], ["a", "b", "c", "d", "size"])
    transformers = rebuilt.named_steps["pre"].transformers
    assert [name for name, _, _ in transformers] == ["num"]
    assert not hasattr(rebuilt.named_steps["model"], "coef_")  # unfitted clone
    # the original is untouched
    assert models["logistic"].named_steps["pre"].transformers[1][2] == ["colour"]


def test_drop_column_importance(mixed):
    models, X_train, X_test, y_train, y_test = mixed
    result = imp.drop_column_importance(models["logistic"], X_train, y_train, X_test, y_test,
                                        scoring="roc_auc", features=["a", "colour"])
    assert result.feature_names == ("a", "colour")
    # same hyperparameters refitted on the same data: the baseline equals the fitted model's score
    assert result.baseline_score == pytest.approx(
        imp.permutation_importance(models["logistic"], X_test, y_test, scoring="roc_auc").baseline_score)
    np.testing.assert_allclose(result.importances, result.baseline_score - result.scores_without)
    assert list(result.to_frame().columns) == ["feature", "importance", "score_without"]

    def make_model(columns):
        return Pipeline([("pre", ColumnTransformer([("num", StandardScaler(),
                                                     make_column_selector(dtype_include="number")),
                                                    ("cat", OneHotEncoder(handle_unknown="ignore"),
                                                     make_column_selector(dtype_exclude="number"))])),
                         ("model", LogisticRegression())])

    factory = imp.drop_column_importance(None, X_train, y_train, X_test, y_test, scoring="roc_auc",
                                         features=["a", "colour"], make_model=make_model)
    np.testing.assert_allclose(factory.importances, result.importances, atol=1e-12)


def test_drop_column_errors(mixed):
    models, X_train, X_test, y_train, y_test = mixed
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['zzz'\]"):
        imp.drop_column_importance(models["logistic"], X_train, y_train, X_test, y_test, features=["zzz"])
    with pytest.raises(ValueError, match="X_train has 160 rows but y_train has 10"):
        imp.drop_column_importance(models["logistic"], X_train, y_train[:10], X_test, y_test)
    with pytest.raises(TypeError, match="make_model must be a function"):
        imp.drop_column_importance(None, X_train, y_train, X_test, y_test, make_model="logistic")
    with pytest.raises(ValueError, match="same columns"):
        imp.drop_column_importance(models["logistic"], X_train, y_train, X_test[X_test.columns[::-1]], y_test)
    with pytest.raises(TypeError, match="fit method"):
        imp.drop_column_importance(object(), X_train, y_train, X_test, y_test)
    by_index = Pipeline([("pre", ColumnTransformer([("num", StandardScaler(), [0, 1])])),
                         ("model", LogisticRegression())])
    with pytest.raises(ValueError, match="make_model"):
        imp.drop_column_importance(by_index, X_train, y_train, X_test, y_test, features=["a"])


def test_impurity_importance_sums_one_hot_columns(mixed):
    models, X_train, *_ = mixed
    mdi = imp.impurity_importance(models["forest"])
    assert set(mdi.index) == set(X_train.columns)
    assert mdi.sum() == pytest.approx(1.0)
    assert mdi.is_monotonic_decreasing
    with pytest.raises(TypeError, match="feature_importances_"):
        imp.impurity_importance(models["logistic"])
    with pytest.raises(TypeError, match="ColumnTransformer"):
        imp.impurity_importance(RandomForestClassifier(n_estimators=2).fit(X_train[["a"]], [0, 1] * 80))


# ---------------------------------------------------------------- bad input

def test_bad_inputs(mixed):
    models, X_train, X_test, y_train, y_test = mixed
    model = models["logistic"]
    with pytest.raises(ValueError, match="not fitted"):
        imp.permutation_importance(LogisticRegression(), X_test, y_test)
    with pytest.raises(ValueError, match="X has 80 rows but y has 79"):
        imp.permutation_importance(model, X_test, y_test[:-1])
    with pytest.raises(ValueError, match=r"unknown scorer 'roc_auc_score'; did you mean \[.*'roc_auc'"):
        imp.permutation_importance(model, X_test, y_test, scoring="roc_auc_score")
    with pytest.raises(TypeError, match="several scorers"):
        imp.permutation_importance(model, X_test, y_test, scoring=["accuracy", "roc_auc"])
    with pytest.raises(ValueError, match="n_repeats must be at least 1"):
        imp.permutation_importance(model, X_test, y_test, n_repeats=0)
    with pytest.raises(ValueError, match="random_state=None"):
        imp.permutation_importance(model, X_test, y_test, random_state=None)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        imp.permutation_importance(model, X_test.to_numpy(), y_test)
    with pytest.raises(ValueError, match="different order"):
        imp.permutation_importance(model, X_test[X_test.columns[::-1]], y_test)
    with pytest.raises(ValueError, match=r"group 'shape' names column\(s\) \['width'\]"):
        imp.grouped_permutation_importance(model, X_test, y_test, {"shape": ["size", "width"]})
    with pytest.raises(ValueError, match="group 'empty' has no columns"):
        imp.grouped_permutation_importance(model, X_test, y_test, {"empty": []})
    with pytest.raises(TypeError, match="non-empty dict"):
        imp.grouped_permutation_importance(model, X_test, y_test, ["a", "b"])
    with pytest.raises(ValueError, match="X_test has 80 rows but y_test has 3"):
        imp.train_test_importance(model, X_train, y_train, X_test, y_test[:3])
    with pytest.raises(TypeError, match="non-empty dict"):
        imp.compare_models([model], X_test, y_test)


def test_batching_modes(mixed):
    models, _, X_test, _, y_test = mixed
    kwargs = dict(scoring="neg_log_loss", n_repeats=3, random_state=2)
    ref = sk_permutation_importance(models["logistic"], X_test, y_test, **kwargs)
    for batch in ("auto", False):
        ours = imp.permutation_importance(models["logistic"], X_test, y_test, batch=batch, **kwargs)
        assert np.array_equal(ours.importances, ref.importances)
    forced = imp.permutation_importance(models["logistic"], X_test, y_test, batch=True, **kwargs)
    np.testing.assert_allclose(forced.importances, ref.importances, rtol=0, atol=1e-12)
    assert _batchable_parts(models["forest"], "auto")[2] is True
    assert _batchable_parts(models["logistic"], "auto")[2] is False
    with pytest.raises(ValueError, match="batch must be 'auto', True or False"):
        imp.permutation_importance(models["logistic"], X_test, y_test, batch="yes")
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        imp.permutation_importance(models["logistic"], X_test, y_test, batch_size=0)


@pytest.mark.parametrize("case, name, scoring", [
    ("heart", "logistic", "neg_log_loss"),   # 90 test rows: BLAS rounding depends on the batch
    ("heart", "mlp", "neg_log_loss"),
    ("credit", "boosting", "roc_auc"),
])
def test_equals_sklearn_exactly_on_case_studies(case, name, scoring):
    from xaibook import data, models

    ds = data.load_case(case)
    model = models.get_model(case, name)
    ours = imp.permutation_importance(model, ds.X_test, ds.y_test, scoring=scoring, n_repeats=3)
    ref = sk_permutation_importance(model, ds.X_test, ds.y_test, scoring=scoring, n_repeats=3,
                                    random_state=0)
    assert np.array_equal(ours.importances, ref.importances)


@pytest.mark.parametrize("scoring", ["neg_log_loss", "roc_auc_ovr", "f1_macro"])
def test_equals_sklearn_exactly_on_multiclass(scoring):
    from sklearn.datasets import load_iris
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    for model in (LogisticRegression(max_iter=500).fit(X, y),
                  HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)):
        ours = imp.permutation_importance(model, X, y, scoring=scoring, n_repeats=2, random_state=1)
        ref = sk_permutation_importance(model, X, y, scoring=scoring, n_repeats=2, random_state=1)
        assert np.array_equal(ours.importances, ref.importances)


# ---------------------------------------------------------------- several scorers

def test_compare_scorings_equals_sklearn_multi_metric(mixed):
    models, _, X_test, _, y_test = mixed
    scorings = ["roc_auc", "neg_log_loss", "accuracy"]
    ours = imp.compare_scorings(models["forest"], X_test, y_test, scorings, n_repeats=3, random_state=5)
    ref = sk_permutation_importance(models["forest"], X_test, y_test, scoring=scorings,
                                    n_repeats=3, random_state=5)
    assert ours.labels == scorings
    for scoring in scorings:
        assert np.array_equal(ours.results[scoring].importances, ref[scoring].importances)


def test_compare_scorings_bad_input(mixed):
    models, _, X_test, _, y_test = mixed
    with pytest.raises(TypeError, match="at least two"):
        imp.compare_scorings(models["forest"], X_test, y_test, "roc_auc")
    with pytest.raises(TypeError, match="at least two"):
        imp.compare_scorings(models["forest"], X_test, y_test, ["roc_auc"])
    with pytest.raises(ValueError, match="twice"):
        imp.compare_scorings(models["forest"], X_test, y_test, ["roc_auc", "roc_auc"])


# ---------------------------------------------------------------- conditional permutation

def test_strata_bins_and_categories():
    X = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50, "few": [0, 1, 2, 3] * 25})
    strata = imp.permutation_strata(X, ["x"], n_bins=4)
    assert np.array_equal(strata, pd.qcut(X["x"], 4, labels=False).to_numpy())
    assert np.array_equal(imp.permutation_strata(X, "c", n_bins=4), (X["c"] == "b").astype(int))
    # a numeric column with no more values than bins keeps its values
    assert np.array_equal(imp.permutation_strata(X, ["few"], n_bins=4), X["few"].to_numpy())
    both = imp.permutation_strata(X, ["x", "c"], n_bins=2)
    assert len(np.unique(both)) == 4
    assert np.all(imp.permutation_strata(X, ["x"], n_bins=1) == 0)
    with pytest.raises(ValueError, match="n_bins"):
        imp.permutation_strata(X, ["x"], n_bins=0)
    with pytest.raises(ValueError, match="unknown feature"):
        imp.permutation_strata(X, ["nope"])


def test_conditional_orders_stay_within_strata_and_reduce_to_shuffle_orders():
    strata = np.array([0, 1, 0, 2, 1, 0, 2, 2, 1, 0, 0, 1])
    orders = imp.conditional_shuffle_orders(strata, 20, 3)
    for order in orders:
        assert sorted(order) == list(range(len(strata)))       # a permutation
        assert np.array_equal(strata[order], strata)             # every row keeps its stratum
    assert np.any(orders != np.arange(len(strata)))              # and it does shuffle
    one = np.zeros(12, dtype=int)
    assert np.array_equal(imp.conditional_shuffle_orders(one, 4, 3), imp.shuffle_orders(12, 4, 3))
    with pytest.raises(ValueError, match="one label per row"):
        imp.conditional_shuffle_orders(np.zeros((3, 2)), 2, 0)


def test_conditional_with_one_bin_equals_marginal(mixed):
    models, _, X_test, _, y_test = mixed
    given = {"a": ["b"], "b": ["a", "c"], "size": ["d"]}
    for name in ["logistic", "forest"]:
        conditional = imp.conditional_permutation_importance(
            models[name], X_test, y_test, given, n_bins=1, scoring="roc_auc", n_repeats=4, random_state=7)
        marginal = imp.permutation_importance(models[name], X_test, y_test, scoring="roc_auc",
                                              n_repeats=4, random_state=7)
        assert conditional.feature_names == ("a", "b", "size")
        for feature in given:
            j = marginal.feature_names.index(feature)
            assert np.array_equal(conditional.importances[list(given).index(feature)],
                                  marginal.importances[j])


def test_conditional_zero_for_ignored_feature_and_for_singleton_strata():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"signal": rng.normal(size=200), "ignored": rng.normal(size=200),
                      "row_id": np.arange(200.0)})
    y = (X["signal"] > 0).astype(int)
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(
        X.assign(ignored=0.0, row_id=0.0), y)
    result = imp.conditional_permutation_importance(tree, X, y, {"ignored": ["signal"]}, n_bins=4, n_repeats=3)
    assert np.all(result.importances[0] == 0.0)   # the model never reads it
    # one row per stratum: nothing could move, so an importance of 0 would be no answer (issue 26)
    with pytest.raises(ValueError, match=r"strata for 'signal' are too fine: 200 of 200 rows.*n_bins=200"):
        imp.conditional_permutation_importance(tree, X, y, {"signal": ["row_id"]}, n_bins=200, n_repeats=3)


def test_conditional_removes_the_twin_effect():
    # y depends on x only; z is x's near-copy. A linear model splits the weight between them.
    rng = np.random.RandomState(0)
    x = rng.normal(size=2000)
    X = pd.DataFrame({"x": x, "z": x + rng.normal(scale=0.05, size=2000)})
    y = X["x"] + X["z"] + rng.normal(scale=0.1, size=2000)
    model = LinearRegression().fit(X, y)
    marginal = imp.permutation_importance(model, X, y, scoring="r2", n_repeats=5, random_state=0)
    conditional = imp.conditional_permutation_importance(model, X, y, {"x": "z", "z": "x"}, n_bins=20,
                                                         scoring="r2", n_repeats=5, random_state=0)
    # marginal: shuffling x removes its whole (about half) share of the variance, 2 coef^2 var(x)
    expected = 2 * model.coef_ ** 2 * X.var(ddof=0).to_numpy() / np.var(y)
    assert np.allclose(marginal.importances_mean, expected, rtol=0.1)
    # conditional: within narrow bins of the twin, x barely varies, so little is lost
    assert np.all(conditional.importances_mean < 0.1 * marginal.importances_mean)
    assert np.all(conditional.importances_mean >= 0)


def test_conditional_bad_input(mixed):
    models, _, X_test, _, y_test = mixed
    model = models["forest"]
    with pytest.raises(TypeError, match="conditional_on"):
        imp.conditional_permutation_importance(model, X_test, y_test, ["a"])
    with pytest.raises(ValueError, match="itself"):
        imp.conditional_permutation_importance(model, X_test, y_test, {"a": ["a", "b"]})
    with pytest.raises(ValueError):
        imp.conditional_permutation_importance(model, X_test, y_test, {"nope": ["a"]})
    with pytest.raises(ValueError):
        imp.conditional_permutation_importance(model, X_test, y_test, {"a": []})
    with pytest.raises(ValueError, match="n_bins"):
        imp.conditional_permutation_importance(model, X_test, y_test, {"a": "b"}, n_bins=0)
    with pytest.raises((TypeError, ValueError), match="random_state"):
        imp.conditional_permutation_importance(model, X_test, y_test, {"a": "b"}, random_state=None)


# ---------------------------------------------------------------- the batched ROC AUC
def test_roc_auc_of_rows_equals_roc_auc_score_bit_for_bit():
    """The batched areas equal scikit-learn's roc_auc_score exactly: continuous scores, heavy ties,
    constant rows, two rows, unbalanced labels."""
    from sklearn.metrics import roc_auc_score

    from xaibook.importance._scoring import _roc_auc_of_rows

    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(200):
        n = int(rng.integers(2, 300))
        positive = rng.random(n) < rng.uniform(0.05, 0.95)
        positive[:2] = [True, False]                     # both classes present
        scores = rng.random((int(rng.integers(1, 6)), n))
        if trial % 3 == 0:
            scores = np.round(scores, 1)                 # many ties
        if trial % 5 == 0:
            scores[0] = 0.5                              # one constant row
        if trial % 7 == 0:
            scores = rng.integers(0, 3, scores.shape).astype(float)
        expected = [roc_auc_score(positive, row) for row in scores]
        assert np.array_equal(_roc_auc_of_rows(positive, scores), expected)
        checked += len(scores)
    assert checked > 500


@pytest.mark.parametrize("name", ["logistic", "forest"])
def test_roc_auc_fast_path_is_taken_and_equals_the_scorer(mixed, name, monkeypatch):
    """Under scoring='roc_auc' the blocks are scored together (decision_function for the logistic
    pipeline, predict_proba for the forest) and equal the per-block scorer, which string labels
    and sample weights still use."""
    from xaibook.importance import batching

    models, _, X_test, _, y_test = mixed
    calls = []
    original = batching._roc_auc_of_rows
    monkeypatch.setattr(batching, "_roc_auc_of_rows", lambda *a: calls.append(1) or original(*a))
    ours = imp.permutation_importance(models[name], X_test, y_test, scoring="roc_auc", n_repeats=3,
                                      random_state=3, batch_size=200)
    assert len(calls) > 1                                # several batches, each scored together
    ref = sk_permutation_importance(models[name], X_test, y_test, scoring="roc_auc", n_repeats=3,
                                    random_state=3)
    assert np.array_equal(ours.importances, ref.importances)
    calls.clear()
    weights = np.linspace(0.5, 2, len(X_test))
    weighted = imp.permutation_importance(models[name], X_test, y_test, scoring="roc_auc",
                                          n_repeats=2, random_state=3, sample_weight=weights)
    assert not calls
    ref = sk_permutation_importance(models[name], X_test, y_test, scoring="roc_auc", n_repeats=2,
                                    random_state=3, sample_weight=weights)
    assert np.array_equal(weighted.importances, ref.importances)


def test_roc_auc_fast_path_with_string_labels_and_a_non_finite_response():
    """String classes: the positive class is classes_[1], as for the scorer. A model whose
    shuffled rows give a non-finite response fails with scikit-learn's own error."""
    X, y = make_classification(n_samples=120, n_features=3, n_informative=2, n_redundant=0,
                               random_state=0)
    X = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(X, labels)
    ours = imp.permutation_importance(model, X, labels, scoring="roc_auc", n_repeats=3, random_state=1)
    ref = sk_permutation_importance(model, X, labels, scoring="roc_auc", n_repeats=3, random_state=1)
    assert np.array_equal(ours.importances, ref.importances)

    class Explodes(ClassifierMixin, BaseEstimator):
        """Finite on the rows as given, NaN once column a is shuffled."""

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.order_ = X["a"].to_numpy().copy()
            return self

        def predict_proba(self, X):
            p = 1 / (1 + np.exp(-X["b"].to_numpy()))
            p = np.where(X["a"].to_numpy() == self.order_, p, np.nan)
            return np.column_stack([1 - p, p])

    with pytest.raises(ValueError, match="NaN"):
        imp.permutation_importance(Explodes().fit(X, y), X, y, scoring="roc_auc", n_repeats=2)

"""One test per class of bad input found by the audit of issue 11 (``benchmarks/audit_bad_inputs.py``):
each is either answered correctly or refused with a message naming the argument at fault."""

import os
import warnings

import altair as alt
import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from xaibook import _validation as v
from xaibook import dependence as dep
from xaibook import exercises, models, render
from xaibook import importance as imp
from xaibook import shapley as sh
from xaibook.charts import dependence as dep_charts
from xaibook.charts import shapley as shap_charts
from xaibook.predict import prediction_function


@pytest.fixture(scope="module")
def toy():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120), "c": rng.normal(size=120)},
                     index=rng.permutation(np.arange(1000, 1120)))
    y = pd.Series((X["a"] + X["b"] > 0).astype(int), index=X.index)
    return X, y, LogisticRegression().fit(X, y)


@pytest.fixture(scope="module")
def mixed():
    """A pipeline with a scaled number, an integer and a one-hot category (unknowns ignored)."""
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"amount": rng.normal(100, 20, 150), "count": rng.randint(0, 5, 150),
                      "purpose": rng.choice(["car", "radio", "business"], 150)})
    y = ((X["amount"] > 100) ^ (X["purpose"] == "car")).astype(int)
    pre = ColumnTransformer([("num", StandardScaler(), ["amount", "count"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["purpose"])])
    return X, y, Pipeline([("preprocess", pre), ("model", LogisticRegression())]).fit(X, y)


def f_linear(X):
    return (0.5 * X["a"] - 1.5 * X["b"] + 2.0 * X["c"]).to_numpy(dtype=float)


# ------------------------------------------------------------------------------ y index
def test_y_with_shuffled_index_is_aligned_and_foreign_index_refused(toy):
    X, y, model = toy
    reference = imp.permutation_importance(model, X, y, n_repeats=2)
    aligned = imp.permutation_importance(model, X, y.sort_index(), n_repeats=2)
    np.testing.assert_array_equal(aligned.importances, reference.importances)
    with pytest.raises(ValueError, match="y's index labels do not match X's"):
        imp.permutation_importance(model, X, y.reset_index(drop=True), n_repeats=2)
    comparison = imp.train_test_importance(model, X, y, X, y.sort_index(), n_repeats=2)
    assert comparison.results["test"].baseline_score == reference.baseline_score
    with pytest.raises(ValueError, match="y_test's index labels do not match X_test's"):
        imp.train_test_importance(model, X, y, X, y.reset_index(drop=True), n_repeats=2)


# ------------------------------------------------------------------------------ SHAP background dtype
def test_integer_X_with_float_background_keeps_the_floats():
    X = pd.DataFrame({"a": [3, 1], "b": [2, 5], "c": [0, 4]})           # int64
    typical = pd.DataFrame({"a": [1.25], "b": [2.5], "c": [0.75]})     # a row of means
    expected = np.column_stack([0.5 * (X["a"] - 1.25), -1.5 * (X["b"] - 2.5), 2.0 * (X["c"] - 0.75)])
    for method, kwargs in ((sh.exact_shapley, {}), (sh.kernel_shap, {"n_samples": 6}),
                           (sh.sampling_shapley, {"n_permutations": 6})):
        result = method(f_linear, X, typical, **kwargs)
        np.testing.assert_allclose(result.values, expected, atol=1e-12, err_msg=method.__name__)
    with pytest.raises(ValueError, match=r"background columns \['a'\] hold numbers where X's hold text"):
        sh.exact_shapley(lambda d: np.zeros(len(d)), X.astype({"a": "category"}), typical)
    with pytest.raises(ValueError, match=r"X column 'a' holds numbers stored as text"):   # issue 26
        sh.exact_shapley(lambda d: np.zeros(len(d)), X.astype({"a": str}), typical)


def test_nan_predictions_are_refused_by_every_shapley_method(toy):
    X, _, _ = toy

    def f(d):
        out = f_linear(d).copy()
        out[d["a"].to_numpy() > 1] = np.nan
        return out
    for method in (sh.exact_shapley, sh.kernel_shap, sh.sampling_shapley):
        with pytest.raises(ValueError, match=r"f returned non-finite values \(NaN or inf\)"):
            method(f, X.iloc[:3], X.iloc[:40])


def test_dummy_feature_gets_exactly_zero(toy):
    X, _, _ = toy
    X = X.assign(c=1.0)

    def f(d):
        return 1 / (1 + np.exp(-(1.3 * d["a"] + 0.7 * d["b"] + 0.1 * d["c"]).to_numpy()))
    exact = sh.exact_shapley(f, X.iloc[:5], X.iloc[5:60])
    sampled = sh.sampling_shapley(f, X.iloc[:5], X.iloc[5:60], n_permutations=20)
    assert np.all(exact.values[:, 2] == 0) and np.all(sampled.values[:, 2] == 0)
    np.testing.assert_allclose(exact.efficiency_gap(), 0, atol=1e-12)


def test_tree_shap_uses_the_whole_background_and_handles_regressors(toy):
    X, y, _ = toy
    forest = RandomForestClassifier(n_estimators=15, random_state=0).fit(X, y)
    background = X.iloc[:110]                     # more than shap's default of 100 rows
    tree = sh.tree_shap(forest, X.iloc[110:113], background)
    exact = sh.exact_shapley(lambda d: forest.predict_proba(d)[:, 1], X.iloc[110:113], background)
    np.testing.assert_allclose(tree.values, exact.values, atol=1e-9)
    assert tree.base_value == pytest.approx(exact.base_value, abs=1e-12)
    regressor = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, f_linear(X))
    result = sh.tree_shap(regressor, X.iloc[:3], X.iloc[3:30])
    np.testing.assert_allclose(result.efficiency_gap(), 0, atol=1e-6)   # inputs narrowed to float32
    assert result.output == "model output"
    with pytest.raises(ValueError, match="scale applies to classifiers"):
        sh.tree_shap(regressor, X.iloc[:3], X.iloc[3:30], scale="log-odds")


# ------------------------------------------------------------------------------ models
def test_hard_labels_refused_unless_asked_for(toy):
    X, y, _ = toy
    svc = SVC().fit(X, y)
    for call in (lambda: prediction_function(svc), lambda: dep.partial_dependence(svc, X, "a"),
                 lambda: sh.exact_shapley(svc, X.iloc[:2], X.iloc[:10])):
        with pytest.raises(ValueError, match="without predict_proba.*allow_hard_labels=True"):
            call()
    labels = prediction_function(svc, allow_hard_labels=True)(X)
    np.testing.assert_array_equal(labels, svc.predict(X))


def test_unfitted_model_raises_not_fitted_error_and_clusterers_are_refused(toy):
    X, y, _ = toy
    with pytest.raises(NotFittedError, match="model .LogisticRegression. is not fitted"):
        imp.permutation_importance(LogisticRegression(), X, y)
    with pytest.raises(NotFittedError):
        prediction_function(LogisticRegression())
    kmeans = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    for call in (lambda: prediction_function(kmeans), lambda: imp.permutation_importance(kmeans, X, y),
                 lambda: dep.partial_dependence(kmeans, X, "a")):
        with pytest.raises(TypeError, match="neither a classifier nor a regressor"):
            call()


def test_unknown_categories_and_text_in_numbers_are_named(mixed):
    X, y, model = mixed
    typo = X.assign(purpose=X["purpose"].replace({"car": "car(new)"}))
    message = r"X column 'purpose' has value\(s\) \['car\(new\)'\] the model never saw"
    with pytest.raises(ValueError, match=message):
        prediction_function(model)(typo)
    with pytest.raises(ValueError, match=message):
        imp.permutation_importance(model, typo, y, n_repeats=1)
    text = X.astype({"amount": object})
    text.iloc[3, 0] = "a hundred"
    with pytest.raises(ValueError, match=r"X column 'amount' must hold numbers .*\['a hundred'\]"):
        prediction_function(model)(text)
    numbers_as_text = X.astype({"count": str})   # "3" converts: scikit-learn accepts it, so do we
    np.testing.assert_allclose(prediction_function(model)(numbers_as_text), model.predict_proba(X)[:, 1])


def test_get_model_returns_a_copy_and_rejects_a_foreign_cache_file(tmp_path, monkeypatch):
    first = models.get_model("heart", "tree")
    first.set_params(model__max_depth=1)
    assert models.get_model("heart", "tree").get_params()["model__max_depth"] == 3
    monkeypatch.setenv("XAIBOOK_CACHE_DIR", str(tmp_path))
    models.get_model.cache_clear()
    try:
        path = models.cache_dir() / f"heart-tree-{models.cache_key()}.joblib"
        path.parent.mkdir(parents=True)
        joblib.dump({"not": "a model"}, path)
        model = models.get_model("heart", "tree")
        assert isinstance(model, Pipeline) and hasattr(model, "predict_proba")
        assert isinstance(joblib.load(path), Pipeline)            # overwritten by the refit
        assert not list(tmp_path.rglob("*.tmp"))
    finally:
        models.get_model.cache_clear()


# ------------------------------------------------------------------------------ grids, batches
def test_unsorted_user_grid_is_sorted_and_repeats_refused(toy):
    X, _, model = toy
    result = dep.partial_dependence(model, X, "a", grid=[0.5, -0.5, 0.0])
    np.testing.assert_array_equal(result.grid, [-0.5, 0.0, 0.5])
    assert result.centered().average[0] == 0
    same = dep.partial_dependence(model, X, "a", grid=[-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(result.individual, same.individual)
    with pytest.raises(ValueError, match="grid for 'a' repeats values"):
        dep.partial_dependence(model, X, "a", grid=[0.0, 0.0, 0.5])


def test_batch_size_bounds_every_call_even_for_long_grids(toy):
    X, _, model = toy
    sizes = []

    def f(d):
        sizes.append(len(d))
        return model.predict_proba(d)[:, 1]
    grid = np.linspace(X["a"].min(), X["a"].max(), 97)
    result = dep.partial_dependence(f, X, "a", grid=grid, batch_size=40)
    assert max(sizes[1:]) <= 40                  # sizes[0] is the 2-row check of f
    reference = dep.partial_dependence(model, X, "a", grid=grid)
    np.testing.assert_allclose(result.individual, reference.individual, atol=1e-15)
    two_way = dep.partial_dependence_2d(f, X, ("a", "b"), grids=(grid[:30], [0.0, 0.5]), batch_size=50)
    np.testing.assert_allclose(two_way.average, dep.partial_dependence_2d(
        model, X, ("a", "b"), grids=(grid[:30], [0.0, 0.5])).average, atol=1e-14)


def test_memory_estimates_refuse_before_allocating(toy):
    X, y, model = toy
    with pytest.raises(ValueError, match=r"GiB of memory.*reduce n_repeats"):
        imp.permutation_importance(model, X, y, n_repeats=10**9)
    with pytest.raises(ValueError, match=r"reduce n_permutations"):
        sh.sampling_shapley(f_linear, X.iloc[:2], X.iloc[:10], n_permutations=10**9)
    wide = pd.DataFrame(np.zeros((2, 24)), columns=[f"x{i}" for i in range(24)])
    with pytest.raises(ValueError, match=r"exact_shapley over 2\*\*24 coalitions.*max_features"):
        sh.exact_shapley(lambda d: d.sum(axis=1).to_numpy(), wide, wide, max_features=24)


# ------------------------------------------------------------------------------ degenerate numbers
def test_degenerate_data_is_an_error_not_a_number(toy, mixed):
    X, y, model = toy
    with pytest.raises(ValueError, match="X has 1 rows; at least 2 needed"):
        imp.permutation_importance(model, X.iloc[:1], y.iloc[:1])
    one_class = y == 1
    with pytest.raises(ValueError, match=r"score 'roc_auc' is nan on X \(y has only the class \[1\]\)"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)   # scikit-learn's, before our clear error
        imp.permutation_importance(model, X[one_class], y[one_class], scoring="roc_auc")
    with pytest.raises(ValueError, match=r"synthetic contains infinite values in columns \['a'\]"):
        dep.off_data_share(X, X.assign(a=np.inf))
    with pytest.raises(ValueError, match="top must be at least 1"):
        exercises.check_ranking(["b", "a"], ["a", "b"], top=0)
    with pytest.raises(ValueError, match="expected is empty"):
        exercises.check_ranking(["a"], [])
    with pytest.raises(ValueError, match="tolerance must be in"):
        exercises.check_number(1.0, 1.0, tolerance=-1)
    Xm, _, _ = mixed
    codes = sh.CategoryCodes(Xm)
    coded = codes.encode(Xm.iloc[:2]).to_numpy()
    coded[0, 2] = -1
    with pytest.raises(ValueError, match=r"column 'purpose' holds code\(s\) \[-1.0\]"):
        codes.decode(coded)
    coded[0, 2] = 0.5
    with pytest.raises(ValueError, match="not integers"):
        codes.decode(coded)
    with pytest.raises(ValueError, match="scale must be in"):
        render.spec_to_png(alt.Chart(X).mark_point().encode(x="a").to_dict(), scale=0)


def test_results_of_different_features_or_people_are_not_compared(toy):
    X, y, model = toy
    a = imp.permutation_importance(model, X, y, n_repeats=2)
    b = imp.PermutationImportance(np.zeros((2, 2)), ("a", "z"), 0.5, "accuracy")
    with pytest.raises(ValueError, match="results explain different features"):
        imp.ImportanceComparison({"one": a, "two": b})
    one = sh.exact_shapley(f_linear, X.iloc[:1], X.iloc[:10])
    renamed = X.rename(columns={"c": "d"})
    other = sh.exact_shapley(lambda d: f_linear(d.rename(columns={"d": "c"})), renamed.iloc[:1], renamed.iloc[:10])
    with pytest.raises(ValueError, match="results explain different features"):
        shap_charts.comparison_chart({"one": one, "two": other})
    shifted = X.copy()
    shifted.index = X.index[::-1]                 # same label, another person
    moved = sh.exact_shapley(f_linear, shifted.iloc[[-1]], X.iloc[:10])
    with pytest.raises(ValueError, match="not the same person"):
        shap_charts.comparison_chart({"one": one, "two": moved})
    with pytest.raises(ValueError, match="ale_result and pdp_result must be computed for the same feature"):
        dep_charts.ale_vs_pdp_chart(dep.ale(model, X, "a"), dep.partial_dependence(model, X, "b"))


# ------------------------------------------------------------------------------ raw errors made clear
def test_raw_errors_now_name_the_argument(toy):
    X, y, model = toy
    with pytest.raises(TypeError, match=r"scoring=roc_auc_score is a metric .* not a scorer"):
        imp.permutation_importance(model, X, y, scoring=roc_auc_score)
    refit = LogisticRegression()
    one = imp.drop_column_importance(refit, X, y, X, y, features="a")
    assert one.feature_names == ("a",)
    with pytest.raises(ValueError, match="features is empty"):
        imp.drop_column_importance(refit, X, y, X, y, features=[])
    with pytest.raises(TypeError, match="feature must be one column name"):
        dep.partial_dependence(model, X, ["a", "b"])
    assert v.check_features("a", X) == ["a"]
    with pytest.raises(ValueError, match=r"X contains infinite values in columns \['b'\]"):
        v.check_frame(X.assign(b=-np.inf))


def test_interaction_strengths_uses_its_pairs():
    from xaibook.exercises import dependence as ex
    strengths = ex.interaction_strengths(pairs=[("age", "cholesterol")], n_samples=20)
    assert list(strengths) == [("age", "cholesterol")]
    with pytest.raises(ValueError, match="pairs must be a non-empty list of feature pairs"):
        ex.interaction_strengths(pairs=[])


def test_regression_models_still_explained_as_they_are(toy):
    X, _, _ = toy
    model = LinearRegression().fit(X, f_linear(X))
    np.testing.assert_allclose(prediction_function(model)(X), model.predict(X))
    assert os.environ.get("XAIBOOK_CACHE_DIR", "") != "/nonexistent"  # the fixture left the env alone


# ------------------------------------------------------------------------------ second sweep
def test_labels_that_are_not_the_models_classes_are_refused(toy):
    X, y, model = toy
    words = np.where(y.to_numpy() == 1, "yes", "no")
    with pytest.raises(ValueError, match=r"y has label\(s\) \[.*\] that are not the model's classes \[0, 1\]"):
        imp.permutation_importance(model, X, words, n_repeats=1)
    with pytest.raises(ValueError, match="sample_weight must hold one finite, non-negative weight per row"):
        imp.permutation_importance(model, X, y, sample_weight=np.ones(3), n_repeats=1)


def test_generators_and_random_states_are_accepted_everywhere(toy):
    X, y, model = toy
    twice = [imp.permutation_importance(model, X, y, n_repeats=2, random_state=np.random.default_rng(3)).importances
             for _ in range(2)]
    np.testing.assert_array_equal(*twice)
    seeded = imp.permutation_importance(model, X, y, n_repeats=2, random_state=7).importances
    legacy = imp.permutation_importance(model, X, y, n_repeats=2, random_state=np.random.RandomState(7)).importances
    np.testing.assert_array_equal(seeded, legacy)          # an int seed is scikit-learn's RandomState stream
    pdp = dep.partial_dependence(model, X, "a", n_samples=10, random_state=np.random.default_rng(0))
    assert len(pdp.rows) == 10
    kernel = sh.kernel_shap(f_linear, X.iloc[:2], X.iloc[:10], random_state=np.random.RandomState(0))
    np.testing.assert_allclose(kernel.efficiency_gap(), 0, atol=1e-12)


def test_second_sweep_options_are_checked(toy):
    X, _, model = toy
    with pytest.raises(ValueError, match="n_samples must be at least 2"):
        dep.h_statistic(model, X, ("a", "b"), n_samples=1)
    with pytest.raises(TypeError, match="allow_extrapolation must be True or False"):
        dep.partial_dependence(model, X, "a", grid=[100.0], allow_extrapolation="no")
    result = sh.exact_shapley(f_linear, X.iloc[:2], X.iloc[:10])
    with pytest.raises(TypeError, match="position must be an integer"):
        result.explain_row("a")
    verdict = exercises.check_choice(np.array(["a", "b"]), "a")
    assert not verdict.correct and "single choice" in verdict.message
    assert exercises.check_choice("a", "a").correct


def test_default_grid_of_a_float_feature_is_scikit_learns(toy):
    from sklearn.inspection import partial_dependence as sk_partial_dependence

    X, _, model = toy
    for resolution in (5, 20, 50):
        ours = dep.partial_dependence(model, X, "a", grid_resolution=resolution)
        theirs = sk_partial_dependence(model, X, ["a"], grid_resolution=resolution, method="brute",
                                       kind="average")
        np.testing.assert_allclose(ours.grid, theirs["grid_values"][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.average, theirs["average"][0], rtol=0, atol=1e-12)


def test_exercise_helpers_name_bad_arguments():
    from xaibook.exercises import glassbox as ex_glassbox
    from xaibook.exercises import importance as ex_importance
    from xaibook.exercises import overview as ex_overview
    from xaibook.exercises import shapley as ex_shapley

    with pytest.raises(TypeError, match="months must be a number"):
        ex_glassbox.duration_odds_factor("x")
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['zz'\] in feature"):
        ex_importance.feature_importance("zz")
    with pytest.raises(ValueError, match="top must be at least 1"):
        ex_importance.top_features(top=0)
    with pytest.raises(ValueError, match=r"unknown feature\(s\) \['zz'\] in feature"):
        ex_shapley.toy_value_two_references("zz")
    with pytest.raises(ValueError, match="top must be at least 1"):
        ex_shapley.global_ranking(top=0)
    with pytest.raises(ValueError, match="no applicant is younger than age_limit=0"):
        ex_overview.young_bad_risk_rate(age_limit=0)
    with pytest.raises(ValueError, match=r"cost_accept_bad must be in \(0, inf\]"):
        ex_overview.cost_optimal_threshold(-1, 1)


# --------------------------------------------------------------------------------------------
# issue 26: the shared validators behind the second audit's classes (each also has audit cases
# in benchmarks/audit_bad_inputs.py, run by tests/test_bad_inputs.py)
# --------------------------------------------------------------------------------------------
def test_numbers_stored_as_text_are_refused_but_labels_and_mixed_text_are_not():
    frame = pd.DataFrame({"age": ["63", "41", "57"], "group": ["1", "2-3", ">= 6"]})
    with pytest.raises(ValueError, match=r"'age' holds numbers stored as text.*astype\(\{'age': float\}\)"):
        v.check_frame(frame)
    v.check_frame(frame.astype({"age": "category"}))          # labels, said so with the dtype
    v.check_frame(frame.astype({"age": float}))
    v.check_frame(frame.iloc[:1])                              # one value: a category such as "1"


def test_rows_checked_against_the_reference_data():
    reference = pd.DataFrame({"amount": [1.0, 2.0, 5.0], "purpose": ["business", "car", "car"]})
    with pytest.raises(ValueError, match=r"'purpose' has value\(s\) \['busines'\]"):
        v.check_like_reference(reference.assign(purpose="busines"), reference, name="A")
    with pytest.raises(ValueError, match="'amount' must hold numbers"):
        v.check_like_reference(reference.astype({"amount": str}).iloc[:1], reference, name="A")
    with pytest.raises(ValueError, match=r"lacks columns \['purpose'\]"):
        v.check_like_reference(reference[["amount"]], reference, name="A")
    swapped = reference[["purpose", "amount"]]
    assert list(v.check_like_reference(swapped, reference, name="A").columns) == ["amount", "purpose"]


def test_rows_are_matched_by_index_label_never_by_position():
    E = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["a", "b", "c"], index=[7, 3, 9, 1])
    aligned = v.align_rows({"A": E, "B": E.iloc[::-1]})
    pd.testing.assert_frame_equal(aligned["B"], E)
    with pytest.raises(ValueError, match="explains other rows"):
        v.align_rows({"A": E, "B": E.set_axis([0, 1, 2, 3])})
    with pytest.raises(ValueError, match=r"duplicated columns \['b'\]"):
        v.align_rows({"A": E, "B": E.set_axis(["a", "b", "b"], axis=1)})


def test_agreement_of_a_method_with_itself_in_another_row_order_is_one():
    from xaibook.agreement import agreement_table

    E = pd.DataFrame(np.random.RandomState(0).normal(size=(6, 5)), columns=list("pqrst"))
    table = agreement_table({"A": E, "B": E.sample(frac=1, random_state=1)})
    assert np.allclose(table["value"], 1.0)


def test_values_that_must_be_numbers_are_not_read_from_text():
    with pytest.raises(TypeError, match="y_true must hold numbers"):
        v.as_numbers(["1", "0"], name="y_true")
    assert v.as_numbers([True, False], name="y_true").tolist() == [1.0, 0.0]


def test_yes_no_answers_are_read_as_words_and_true_is_not_a_number():
    assert not exercises.check_choice("no", True).correct
    assert exercises.check_choice("no", False).correct and exercises.check_choice(" Yes ", True).correct
    assert not exercises.check_choice(1, True).correct       # a number is not a yes/no
    assert not exercises.check_number(True, 1.0).correct
    assert exercises.check_number(1, 1.0).correct


def test_chart_frames_must_hold_what_their_axes_draw():
    from xaibook.charts import failures as fail_charts

    bars = pd.DataFrame({"feature": ["a", "b"], "value": [0.1, 0.2], "model": ["m", "m"]})
    fail_charts.grouped_bars_chart(bars, item="feature", value="value", group="model")
    with pytest.raises(ValueError, match="finite numbers"):
        fail_charts.grouped_bars_chart(bars.assign(value=[0.1, np.nan]), item="feature", value="value", group="model")
    with pytest.raises(ValueError, match="several rows"):
        fail_charts.grouped_bars_chart(pd.concat([bars, bars]), item="feature", value="value", group="model")
    with pytest.raises(ValueError, match="top must be a positive integer"):
        fail_charts.spread_chart(bars.rename(columns={"model": "run"}), top=-1)

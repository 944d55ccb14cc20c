"""Faithfulness checks: the planted truth, the dummy axiom, the curves, remove-and-retrain, the
sanity check, and the bad inputs of every public function."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from xaibook import faithfulness as fa
from xaibook import shapley
from xaibook.models import make_preprocessor

NUMERIC = [c for c in fa.PLANTED_ROLES if c not in ("housing", "guarantor")]


@pytest.fixture(scope="module")
def planted():
    data = fa.make_planted_credit(300, correlation=0.7, random_state=3)
    return data, data.X.iloc[:8], data.X.iloc[100:130]


@pytest.fixture(scope="module")
def additive():
    data = fa.make_planted_credit(300, correlation=0.7, interaction=0.0, random_state=4)
    return data, data.X.iloc[:12], data.X.iloc[100:130]


def _score(interaction):
    return lambda Z: fa.planted_score(Z, interaction=interaction)


@pytest.mark.parametrize("fixture", ["additive", "planted"])
def test_closed_form_truth_equals_exact_shapley(fixture, request):
    data, X, background = request.getfixturevalue(fixture)
    exact = shapley.exact_shapley(_score(data.interaction), X, background).to_wide()
    truth = data.truth(X, background)
    assert np.abs(exact.to_numpy() - truth.to_numpy()).max() < 1e-10
    assert (truth[["age", "noise"]] == 0).all().all()


def test_generator_is_seeded_and_has_the_planted_correlation():
    a = fa.make_planted_credit(4000, correlation=0.8, random_state=1)
    b = fa.make_planted_credit(4000, correlation=0.8, random_state=1)
    pd.testing.assert_frame_equal(a.X, b.X)
    assert abs(np.corrcoef(a.X["income"], a.X["savings"])[0, 1] - 0.8) < 0.03
    assert abs(np.corrcoef(a.X["age"], a.X["employment_years"])[0, 1] - 0.8) < 0.03
    # the label follows the planted probability: mean label close to mean probability
    p = 1 / (1 + np.exp(-a.score()))
    assert abs(a.y.mean() - p.mean()) < 0.03
    # a pure interaction: amount has no main effect (its partial dependence is flat on average)
    assert set(a.X["guarantor"]) == {"yes", "no"} and set(a.X["housing"]) == {"own", "rent", "free"}


def test_dummy_axiom_for_the_methods_that_promise_it(planted):
    """A model that ignores age and noise: exact SHAP, KernelSHAP with every coalition and TreeSHAP
    (both value functions) give them zero; sampled KernelSHAP, LIME and counterfactual importance
    promise nothing of the kind."""
    data, X, background = planted
    f = _score(data.interaction)
    every = 2 ** X.shape[1] - 2
    for result in (shapley.exact_shapley(f, X, background), shapley.kernel_shap(f, X, background, n_samples=every)):
        assert np.abs(result.to_wide()[["age", "noise"]].to_numpy()).max() < 1e-12
    # a tree fitted without age and noise, wrapped so that it receives (and ignores) them
    used = [c for c in NUMERIC if c not in ("age", "noise")]
    tree = make_pipeline(make_preprocessor(numeric=used + ["age", "noise"], categorical=["housing", "guarantor"]),
                         DecisionTreeClassifier(max_depth=4, random_state=0))
    Xz = data.X.assign(age=0.0, noise=0.0)          # constant in training: the tree cannot split on them
    tree.fit(Xz, data.y)
    for result in (shapley.tree_shap(tree, X, background), shapley.path_dependent_shap(tree, X)):
        assert (result.to_wide()[["age", "noise"]].to_numpy() == 0).all()


def test_curves_of_the_truth_dominate_a_random_attribution(additive):
    data, X, background = additive
    f = _score(0.0)
    truth = data.truth(X, background)
    noise = fa.random_attributions(X, random_state=1)
    deletion = fa.deletion_curve(f, X, truth, background=background)
    random_deletion = fa.deletion_curve(f, X, noise, background=background)
    insertion = fa.insertion_curve(f, X, truth, background=background)
    random_insertion = fa.insertion_curve(f, X, noise, background=background)
    # additive function: deleting in order of decreasing Shapley value is the steepest descent, per row
    assert (deletion.curves <= random_deletion.curves + 1e-12).all()
    assert (insertion.curves >= random_insertion.curves - 1e-12).all()
    assert deletion.area < random_deletion.area and insertion.area > random_insertion.area
    # endpoints: the row's prediction and the background mean
    assert np.allclose(deletion.curves[:, 0], f(X)) and np.allclose(deletion.curves[:, -1], f(background).mean())
    assert np.allclose(insertion.curves[:, 0], f(background).mean())
    assert deletion.fractions[0] == 0 and deletion.fractions[-1] == 1


def test_curves_agree_with_the_reference_loop_and_batching(planted):
    data, X, background = planted
    f = _score(data.interaction)
    attributions = fa.random_attributions(X, random_state=5)
    for kind, curve_fn in (("deletion", fa.deletion_curve), ("insertion", fa.insertion_curve)):
        curve = curve_fn(f, X, attributions, background=background)
        small = curve_fn(f, X, attributions, background=background, batch_size=7)
        assert np.allclose(curve.curves, small.curves)
        for i in (0, 5):
            order = [X.columns[j] for j in curve.orders[i]]
            reference = fa.perturbation_curve_reference(f, X.iloc[[i]], order, background, kind=kind)
            assert np.allclose(curve.curves[i], reference)
    frame = curve.to_frame()
    assert list(frame.columns) == ["row", "fraction", "output"] and len(frame) == len(X) * (X.shape[1] + 1)


def test_curves_accept_a_fitted_model_and_ties_follow_the_seed(planted):
    data, X, background = planted
    model = data.oracle()
    flat = np.zeros(X.shape)
    a = fa.deletion_curve(model, X, flat, background=background, random_state=0)
    b = fa.deletion_curve(model, X, flat, background=background, random_state=1)
    assert not np.array_equal(a.orders, b.orders)
    logit = fa.deletion_curve(model, X, flat, background=background, scale="log-odds", random_state=0)
    assert np.allclose(logit.curves[:, 0], data.score(X))


def test_ground_truth_scores(planted):
    data, X, background = planted
    truth = data.truth(X, background)
    perfect = fa.ground_truth_scores(truth, truth)
    assert np.allclose(perfect.rank_correlation, 1) and np.allclose(perfect.top_k_recovery, 1)
    assert np.allclose(perfect.irrelevant_mass, 0) and set(perfect.irrelevant) == {"age", "noise"}
    # all mass on the irrelevant features: mass 1
    on_noise = truth * 0
    on_noise["noise"] = 1.0
    assert np.allclose(fa.ground_truth_scores(on_noise, truth).irrelevant_mass, 1)
    # reversed order: correlation -1 (hand check on one global vector)
    glob = truth.abs().mean()
    reverse = glob.max() - glob + 0.01
    assert fa.ground_truth_scores(reverse, truth).rank_correlation[0] == pytest.approx(-1, abs=1e-12)
    frame = perfect.to_frame()
    assert set(frame["metric"]) == {"rank_correlation", "top_k_recovery", "irrelevant_mass"}


def test_remove_and_retrain_refits_and_prefers_the_informative_features():
    data = fa.make_planted_credit(600, correlation=0.0, random_state=2)
    train, test = data.X.iloc[:300], data.X.iloc[300:]
    estimator = make_pipeline(make_preprocessor(numeric=NUMERIC, categorical=["housing", "guarantor"]),
                              LogisticRegression(max_iter=1000))
    truth = fa.global_attribution(data.truth(test, train), test)
    good = fa.remove_and_retrain(estimator, train, data.y.iloc[:300], test, data.y.iloc[300:], truth,
                                 n_removed=(0, 2, 4))
    bad = fa.remove_and_retrain(estimator, train, data.y.iloc[:300], test, data.y.iloc[300:],
                                truth.max() - truth + 0.01,
                                n_removed=(0, 2, 4))
    assert good.scores[0] == bad.scores[0]
    assert good.scores[-1] < bad.scores[-1]
    assert good.removed[1] == tuple(truth.sort_values(ascending=False).index[:2])
    assert list(good.to_frame().columns) == ["n_removed", "fraction", "removed", "score"]


@pytest.fixture(scope="module")
def linear_case():
    """A logistic regression on planted data and two explainers: its coefficients, and a constant."""
    data = fa.make_planted_credit(400, correlation=0.0, random_state=2)
    model = make_pipeline(make_preprocessor(numeric=NUMERIC, categorical=["housing", "guarantor"]),
                          LogisticRegression(max_iter=1000)).fit(data.X, data.y)
    explainers = {
        "coefficients": lambda m, Z: np.tile(np.abs(m[-1].coef_[0][:7]).tolist() + [0.0, 0.0], (len(Z), 1)),
        "constant": lambda m, Z: np.arange(Z.shape[1], dtype=float),
    }
    return data, model, data.X.iloc[:10], explainers


@pytest.mark.parametrize("kind", ["labels", "parameters"])
def test_model_randomisation_check(linear_case, kind):
    data, model, X, explainers = linear_case
    check = fa.model_randomisation_check(model, data.X, data.y, X, explainers, n_repeats=2, kind=kind,
                                         random_state=0)
    assert check.kind == kind
    assert check.similarity["constant"].tolist() == [1.0, 1.0]          # ignores the model: fails the check
    assert check.similarity["coefficients"].max() < 1.0
    assert check.summary().index[0] == "constant"
    assert check.randomised_scores.max() < check.original_score
    assert set(check.to_frame().columns) == {"method", "repeat", "rank_correlation", "size_ratio"}
    assert np.allclose(check.size_ratio["constant"], 1.0)


# -------------------------------------------------------------------------------- bad inputs
def test_bad_inputs(planted):
    data, X, background = planted
    f = _score(data.interaction)
    good = np.zeros(X.shape)
    with pytest.raises(ValueError, match="random_state=None"):
        fa.make_planted_credit(50, random_state=None)
    with pytest.raises(ValueError, match="correlation"):
        fa.make_planted_credit(50, correlation=1.5)
    with pytest.raises(ValueError, match="shape"):
        fa.deletion_curve(f, X, np.zeros((3, 2)), background=background)
    with pytest.raises(ValueError, match="NaN"):
        fa.deletion_curve(f, X, np.full(X.shape, np.nan), background=background)
    with pytest.raises(ValueError, match="missing values"):
        fa.insertion_curve(f, X.assign(income=np.nan), good, background=background)
    with pytest.raises(ValueError, match="unknown"):
        fa.deletion_curve(f, X, pd.DataFrame(good, columns=[*X.columns[:-1], "colour"]), background=background)
    with pytest.raises(ValueError, match="background"):
        fa.deletion_curve(f, X, good, background=background.drop(columns="noise"))
    with pytest.raises(TypeError, match="DataFrame"):
        fa.deletion_curve(f, X.to_numpy(), good, background=background)
    with pytest.raises(NotFittedError, match="not fitted"):
        fa.deletion_curve(fa.PlantedModel(), X, good, background=background)
    with pytest.raises(ValueError, match="random_state"):
        fa.deletion_curve(f, X, good, background=background, random_state=None)
    with pytest.raises(ValueError, match="unknown"):
        fa.ground_truth_scores(good, data.truth(X, background), irrelevant=["colour"])
    with pytest.raises(ValueError, match="k="):
        fa.ground_truth_scores(good, data.truth(X, background), k=20)
    with pytest.raises(ValueError, match="unknown categories"):
        data.truth(X.assign(housing="castle"), background)
    with pytest.raises(ValueError, match="planted columns"):
        data.truth(X.drop(columns="age"), background)
    model = data.oracle()
    with pytest.raises(ValueError, match="n_removed"):
        fa.remove_and_retrain(model, data.X, data.y, X, data.y.iloc[:8], good, n_removed=(0, 99))
    with pytest.raises(ValueError, match="rows"):
        fa.remove_and_retrain(model, data.X, data.y.iloc[:5], X, data.y.iloc[:8], good)
    with pytest.raises(TypeError, match="mapping"):
        fa.model_randomisation_check(model, data.X, data.y, X, {})
    with pytest.raises(NotFittedError):
        fa.model_randomisation_check(fa.PlantedModel(), data.X, data.y, X, {"a": lambda m, Z: good})


def test_counterfactual_rounding_is_not_a_change(planted):
    """Counterfactual importance on float data: the search's scaled-unit round trip (1e-11) must not
    count as changing a feature (it made every numeric feature look changed)."""
    from xaibook import counterfactual

    data, X, _ = planted
    result = counterfactual.counterfactuals(data.oracle(), X.iloc[[0]], data.X, n_counterfactuals=4)
    diff = np.abs(result.counterfactuals[NUMERIC].to_numpy() - result.original[NUMERIC].to_numpy())
    assert (result.changed()[NUMERIC].to_numpy() == (diff > 1e-6)).all()
    assert result.feature_frequency()[["age", "noise"]].max() < 1


# -------------------------------------------------------------------------------- effect curves
def test_effect_scores_are_zero_for_the_planted_function_and_see_a_known_error(additive):
    data = additive[0]
    exact = fa.effect_scores(data.oracle(), data.X)
    assert exact.feature_names == tuple(NUMERIC)
    assert np.abs(exact.ale_error).max() < 1e-10 and np.abs(exact.pdp_error).max() < 1e-10

    # a model with 0.5 * income added: both curves of income are off by 0.5 * (income - its ALE level)
    def tilted(Z):
        return data.score(Z) + 0.5 * Z["income"].to_numpy()

    scores = fa.effect_scores(tilted, data.X, features=["income", "noise"])
    curve = scores.curves[scores.curves["feature"] == "income"]
    from xaibook.dependence import ale
    reference = ale(tilted, data.X, "income")
    counts = reference.counts
    extra = 0.5 * reference.grid
    extra = extra - np.sum(counts * (extra[:-1] + extra[1:]) / 2) / counts.sum()
    assert np.allclose(curve["ALE"] - curve["truth"], extra)
    assert scores.ale_error[0] == pytest.approx(np.sqrt(np.mean(extra ** 2)))
    assert scores.pdp_error[0] == pytest.approx(np.sqrt(np.mean(extra ** 2)))
    assert scores.ale_error[1] < 1e-10
    assert list(scores.to_frame().columns) == ["feature", "method", "error"]


def test_planted_main_effect_matches_the_planted_score(additive):
    data = additive[0]
    for feature in ("income", "duration", "employment_years"):
        moved = data.X.assign(**{feature: data.X[feature] + 1.0})
        change = data.score(moved) - data.score()
        expected = (fa.planted_main_effect(feature, moved[feature].to_numpy())
                    - fa.planted_main_effect(feature, data.X[feature].to_numpy()))
        assert np.allclose(change, expected)
    assert (fa.planted_main_effect("age", [0.0, 2.0]) == 0).all()


# -------------------------------------------------------------------------------- per-row ROAR
def test_per_row_remove_and_retrain_with_the_truth_beats_a_random_ranking():
    """Hooker et al.'s per-row ROAR: removing each row's own largest true contributions costs the
    refit more accuracy than removing random features, on additive planted data."""
    data = fa.make_planted_credit(800, correlation=0.0, interaction=0.0, random_state=5)
    train, test = data.X.iloc[:400], data.X.iloc[400:]
    y_train, y_test = data.y.iloc[:400], data.y.iloc[400:]
    estimator = make_pipeline(make_preprocessor(numeric=NUMERIC, categorical=["housing", "guarantor"]),
                              LogisticRegression(max_iter=1000))
    background = data.X.iloc[:50]
    truth_train, truth_test = data.truth(train, background), data.truth(test, background)
    kwargs = {"n_removed": (0, 1, 2, 3), "per_row": True}
    truth = fa.remove_and_retrain(estimator, train, y_train, test, y_test, truth_test,
                                  train_attributions=truth_train, **kwargs)
    noise = fa.remove_and_retrain(estimator, train, y_train, test, y_test,
                                  fa.random_attributions(test, random_state=1),
                                  train_attributions=fa.random_attributions(train, random_state=2), **kwargs)
    assert truth.scores[0] == noise.scores[0]
    assert (truth.scores[1:] < noise.scores[1:]).all()
    assert truth.per_row and list(truth.n_removed) == [0, 1, 2, 3]
    # the features removed are each row's own: income (the largest term) most often first
    assert truth.removed[0] == () and len(truth.removed[1]) > 1
    assert set(truth.to_frame()["removed"].iloc[1:]) == {"per row"}
    # a global vector cannot give per-row rankings, and the training rows need their own attributions
    with pytest.raises(ValueError, match="rows x features"):
        fa.remove_and_retrain(estimator, train, y_train, test, y_test, truth_test.abs().mean(),
                              train_attributions=truth_train, per_row=True)
    with pytest.raises(ValueError, match="train_attributions"):
        fa.remove_and_retrain(estimator, train, y_train, test, y_test, truth_test, per_row=True)


def test_per_row_removal_replaces_exactly_each_rows_top_k():
    from xaibook.faithfulness.retrain import _ranks, _remove, _uninformative

    data = fa.make_planted_credit(40, random_state=1)
    values = fa.random_attributions(data.X, random_state=3).to_numpy()
    ranks = _ranks(values, np.random.default_rng(0))
    removed = _remove(data.X, ranks < 2, _uninformative(data.X))
    fill = _uninformative(data.X)
    for i in range(len(data.X)):
        top = set(np.argsort(-np.abs(values[i]))[:2])
        for j, name in enumerate(data.X.columns):
            expected = fill[name] if j in top else data.X.iloc[i, j]
            assert removed.iloc[i, j] == expected


# -------------------------------------------------------------------------------- parameter randomisation
def test_parameter_randomisation_makes_the_output_independent_of_the_trained_model():
    data = fa.make_planted_credit(600, correlation=0.0, random_state=6)
    boosting = fa.planted_model().fit(data.X, data.y)
    linear = make_pipeline(make_preprocessor(numeric=NUMERIC, categorical=["housing", "guarantor"]),
                           LogisticRegression(max_iter=1000)).fit(data.X, data.y)
    for model in (boosting, linear):
        trained = model.decision_function(data.X)
        before = model.decision_function(data.X).copy()
        randomised = [fa.randomise_parameters(model, random_state=s).decision_function(data.X) for s in range(10)]
        correlations = [np.corrcoef(trained, r)[0, 1] for r in randomised]
        assert abs(np.mean(correlations)) < 0.15, correlations   # independent on average over the draws
        assert np.array_equal(model.decision_function(data.X), before)      # the model passed in is unchanged
        same = fa.randomise_parameters(model, fraction=0.0)
        assert np.array_equal(same.decision_function(data.X), trained)
        a = fa.randomise_parameters(model, random_state=3).decision_function(data.X)
        b = fa.randomise_parameters(model, random_state=3).decision_function(data.X)
        assert np.array_equal(a, b)
    # the cascade: randomising the last half of the trees keeps the first half's predictions
    half = fa.randomise_parameters(boosting, fraction=0.5, random_state=0)
    kept, changed = boosting[-1].estimators_[:50, 0], half[-1].estimators_[50:, 0]
    assert all(np.array_equal(t.tree_.value, u.tree_.value) for t, u in zip(kept, half[-1].estimators_[:50, 0]))
    assert not any(np.array_equal(t.tree_.value, u.tree_.value)
                   for t, u in zip(boosting[-1].estimators_[50:, 0], changed))


def test_parameter_randomisation_refuses_what_it_cannot_do(linear_case):
    data, model, X, explainers = linear_case
    with pytest.raises(ValueError, match="kind"):
        fa.model_randomisation_check(model, data.X, data.y, X, explainers, kind="weights")
    with pytest.raises(TypeError, match="supports"):
        fa.randomise_parameters(data.oracle())
    with pytest.raises(ValueError, match="fraction"):
        fa.randomise_parameters(model, fraction=1.5)


def test_the_package_re_exports_every_module_s_public_names():
    import importlib

    modules = ["planted", "attributions", "scores", "curves", "retrain", "randomisation", "studies"]
    names = [n for m in modules for n in importlib.import_module(f"xaibook.faithfulness.{m}").__all__]
    assert sorted(names) == sorted(fa.__all__) and len(set(names)) == len(names)
    assert all(getattr(fa, n) is getattr(importlib.import_module(f"xaibook.faithfulness.{m}"), n)
               for m in modules for n in importlib.import_module(f"xaibook.faithfulness.{m}").__all__)
def test_the_study_cache_key_reads_every_module_of_a_package():
    """A method split into a package (``shapley/``) keys the cache on all its modules, not its __init__."""
    from xaibook.faithfulness.studies import _source_files

    names = {path.name for path in _source_files("xaibook.shapley")}
    assert {"exact.py", "kernel.py", "path_dependent.py", "__init__.py"} <= names
    assert [path.name for path in _source_files("xaibook._validation")] == ["_validation.py"]

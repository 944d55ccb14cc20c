"""The refits of chapter 8 (Rashomon refits, shuffled labels, monotonic constraints, a correlated copy:
``xaibook.refits``) and the labs of chapters 8 and 9 (``xaibook.labs``), both reached through
``xaibook.failures`` as the chapters do."""

from pathlib import Path

import numpy as np
import pytest

from xaibook import data, failures, labs, models, refits, studies


@pytest.fixture(scope="module")
def credit():
    return data.load_credit()


def test_failures_re_exports_the_refits_and_the_labs():
    """``failures`` is the chapters' one name for the refits, the labs and the studies; each lists
    every public function and class it defines in ``__all__`` (so tests/test_conventions.py covers them)."""
    import inspect

    assert failures.__all__ == refits.__all__ + labs.__all__ + studies.__all__
    for module in (refits, labs, studies):
        defined = [name for name, obj in vars(module).items() if not name.startswith("_")
                   and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__]
        assert sorted(defined) == sorted(n for n in module.__all__ if n != "DECISION_GUIDE")
    for name in refits.__all__:
        assert getattr(failures, name) is getattr(refits, name)
    for module in (labs, studies):
        for name in module.__all__:
            assert getattr(failures, name) is getattr(module, name)


def test_the_refits_cache_key_ignores_the_labs(monkeypatch, tmp_path):
    """Editing a lab re-runs the labs but never refits; editing the refits' code does both."""
    refit_key, lab_key, labs_file = refits._key(), labs._key(), labs.__file__
    edited_labs = tmp_path / "labs.py"
    edited_labs.write_bytes(Path(labs.__file__).read_bytes() + b"# an edited lab table\n")
    monkeypatch.setattr(labs, "__file__", str(edited_labs))
    assert refits._key() == refit_key and labs._key() != lab_key
    edited_refits = tmp_path / "refits.py"
    edited_refits.write_bytes(Path(refits.__file__).read_bytes() + b"# an edited refit\n")
    monkeypatch.setattr(refits, "__file__", str(edited_refits))
    assert refits._key() != refit_key
    monkeypatch.setattr(labs, "__file__", labs_file)      # the labs as they were, the refits edited
    assert labs._key() != lab_key                         # the labs follow the refits they use


def _amount_curves(model, rows, grid):
    out = []
    for _, row in rows.iterrows():
        frame = rows.loc[[row.name]].loc[np.repeat(row.name, len(grid))].reset_index(drop=True)
        frame["credit_amount"] = grid
        out.append(model.predict_proba(frame)[:, 1])
    return np.array(out)


def test_bootstrap_refits_differ_and_are_cached():
    refits = failures.bootstrap_refits("heart", n_refits=2)
    again = failures.bootstrap_refits("heart", n_refits=2)
    heart = data.load_heart()
    p = [m.predict_proba(heart.X_test)[:, 1] for m in refits.models]
    assert len(refits) == 2 and not np.allclose(p[0], p[1])          # different samples, different models
    assert np.allclose(again.models[0].predict_proba(heart.X_test)[:, 1], p[0])
    assert np.all((refits.auc > 0.7) & (refits.auc <= 1))
    assert refits.rashomon(float(refits.auc[0]), tolerance=0.0) == [0] + [1] * int(refits.auc[1] == refits.auc[0])
    assert refits.rashomon(0.5, tolerance=1.0) == [0, 1]
    assert list(refits.to_frame().columns) == ["refit", "test_auc"]
    with pytest.raises(ValueError, match="n_refits"):
        failures.bootstrap_refits("heart", n_refits=0)
    with pytest.raises(ValueError, match="tolerance"):
        refits.rashomon(0.8, tolerance=-1)


def test_shuffled_labels_leave_nothing_to_learn(credit):
    model = failures.shuffled_label_model("credit")
    assert abs(failures.test_auc(model, "credit") - 0.5) < 0.1
    assert failures.test_auc(models.get_model("credit", "boosting"), "credit") > 0.7


def test_monotone_model_is_monotone_and_the_zoo_is_not(credit):
    grid = np.quantile(credit.X["credit_amount"], np.linspace(0, 1, 25))
    rows = credit.X_test.iloc[:20]
    constrained = _amount_curves(failures.monotone_model("credit", ["credit_amount", "duration_months"]), rows, grid)
    assert np.all(np.diff(constrained, axis=1) >= -1e-12)
    free = _amount_curves(failures.unconstrained_model("credit"), rows, grid)
    assert (np.diff(free, axis=1) < -1e-6).any()
    with pytest.raises(ValueError, match="numeric"):
        failures.monotone_model("credit", ["purpose"])
    with pytest.raises(ValueError, match="at least one"):
        failures.monotone_model("credit", [])


def test_copy_is_per_person_and_correlated(credit):
    full = failures.add_copy(credit.X, "credit", "duration_months")
    train = failures.add_copy(credit.X_train, "credit", "duration_months")
    assert np.allclose(full.loc[train.index, "duration_months_copy"], train["duration_months_copy"])
    assert full["duration_months"].corr(full["duration_months_copy"]) > 0.99
    exact = failures.add_copy(credit.X_test, "credit", "duration_months", noise=0.0)
    assert (exact["duration_months_copy"] == exact["duration_months"]).all()
    model = failures.correlated_copy_model("credit", "duration_months", noise=0.0)
    assert model.predict_proba(exact).shape == (len(exact), 2)
    with pytest.raises(ValueError, match="not numeric"):
        failures.add_copy(credit.X, "credit", "purpose")
    with pytest.raises(ValueError, match="unknown feature"):
        failures.add_copy(credit.X, "credit", "nope")
    with pytest.raises(ValueError, match="rows of the credit data"):
        failures.add_copy(credit.X.reset_index(drop=True).set_axis(credit.X.index + 5000), "credit", "age")


def test_sanity_table_by_hand():
    import pandas as pd

    real = pd.Series([3.0, 2.0, 1.0], index=list("abc"))
    same_order = pd.Series([0.3, -0.2, 0.1], index=list("abc"))
    reversed_ = pd.Series([1.0, 2.0, 3.0], index=list("abc"))
    table = failures.sanity_table({"same": (real, same_order), "reversed": (real, reversed_)})
    assert table.loc["same", "rank correlation"] == pytest.approx(1.0)
    assert table.loc["same", "size, shuffled / real"] == pytest.approx(0.6 / 6)
    assert table.loc["reversed", "rank correlation"] == pytest.approx(-1.0)
    with pytest.raises(TypeError, match="tuple"):
        failures.sanity_table({"x": real})
    with pytest.raises(ValueError, match="all zeros"):
        failures.sanity_table({"x": (real * 0, real)})


def test_report_card_and_measurements(credit):
    card = failures.report_card("credit")
    assert set(card["method"]) == {"KernelSHAP (probability)", "TreeSHAP (log-odds)", "LIME",
                                   "logistic regression (itself, log-odds)", "permutation importance (global)",
                                   "counterfactuals (share changed)"}
    assert (card.groupby("method").size() == credit.X.shape[1]).all()
    assert card["value"].notna().all()
    with pytest.raises(ValueError, match="not a row label"):
        failures.report_card("credit", person=10_000)
    measured = failures.method_measurements("credit")
    assert set(measured["method"]) == {"KernelSHAP", "TreeSHAP", "LIME", "permutation importance", "Counterfactuals"}
    tree = measured.set_index("method").loc["TreeSHAP"]
    assert tree["model_rows"] == 0 and tree["seed_agreement"] == 1.0     # deterministic, reads the trees
    assert measured["refit_agreement"].between(0, 1).all()
    # local methods over the measured people x refits, permutation importance once per refit
    n_people, n_refits = 12, 8
    local = measured[measured["scope"] == "local"].set_index("method")
    assert (local.drop(index="Counterfactuals")["refits_compared"] == n_people * n_refits).all()
    assert 1 <= local.loc["Counterfactuals", "refits_compared"] <= n_people * n_refits
    assert measured.set_index("method").loc["permutation importance", "refits_compared"] == n_refits
    assert measured["refit_agreement"].between(measured["refit_low"], measured["refit_high"]).all()
    assert (measured["refit_high"] - measured["refit_low"] > 0).all()
    assert (failures.measured_people("credit").index.isin(credit.X_test.index)).all()


def test_decision_guide_joins_on_keys_not_display_names():
    """Issue 25.3: 'Permutation importance' (display) and 'permutation importance' (key) must meet."""
    import pandas as pd

    keys = failures.DECISION_GUIDE["measured_as"].dropna().tolist()
    measured = pd.DataFrame({"method": keys, "scope": "local", "model_rows": 7, "refit_agreement": 0.5})
    guide = failures.decision_guide(measured)
    measured_rows = guide[failures.DECISION_GUIDE["measured_as"].notna().to_numpy()]
    assert measured_rows["model_rows"].notna().all() and guide["model_rows"].isna().sum() == 2
    with pytest.raises(ValueError, match="differ"):
        failures.decision_guide(measured.replace("permutation importance", "Permutation importance"))


def test_mean_interval_covers_the_mean_and_is_seeded():
    values = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    mean, low, high = labs._mean_interval(values)
    assert mean == pytest.approx(0.6) and low < mean < high and 0.2 <= low and high <= 1.0
    assert labs._mean_interval(values) == (mean, low, high)
    assert np.isnan(labs._mean_interval([0.5])[1])


def test_kernel_width_study_matches_scikit_learn(credit):
    """Each width's weights are scikit-learn's weighted ridge, its shrinkage the ratio of the
    unpenalised least-squares norm to the ridge's, its effective samples Kish's formula."""
    from sklearn.linear_model import LinearRegression, Ridge

    from xaibook.predict import prediction_function
    from xaibook.surrogate import kernel, tabular_neighbourhood

    f = prediction_function(models.get_model("credit", "logistic"))
    hood = tabular_neighbourhood(f, credit.X_train, credit.X_test.iloc[[0]], n_samples=400)
    study = failures.kernel_width_study(hood, [0.8, 3.0, 1e6])
    assert list(study.columns) == ["kernel_width", "feature", "weight", "fidelity", "effective_samples",
                                   "shrinkage", "top_feature"]
    for width, one in study.groupby("kernel_width", sort=False):
        k = kernel(hood.distances, width)
        ridge = Ridge(alpha=1.0).fit(hood.data, hood.predictions, sample_weight=k)
        ols = LinearRegression().fit(hood.data, hood.predictions, sample_weight=k)
        np.testing.assert_allclose(one["weight"], ridge.coef_, atol=1e-9)
        assert one["shrinkage"].iloc[0] == pytest.approx(np.linalg.norm(ols.coef_) / np.linalg.norm(ridge.coef_),
                                                         rel=1e-6)
        assert one["shrinkage"].iloc[0] >= 1                     # a penalty only shrinks
        assert one["effective_samples"].iloc[0] == pytest.approx(k.sum() ** 2 / (k ** 2).sum())
        assert one["top_feature"].iloc[0] == one["feature"].iloc[int(np.argmax(np.abs(one["weight"])))]
    assert study.loc[study["kernel_width"] == 1e6, "effective_samples"].iloc[0] == pytest.approx(len(hood))
    with pytest.raises(TypeError, match="Neighbourhood"):
        failures.kernel_width_study(credit.X_train, [1.0])
    with pytest.raises(ValueError, match="at least one kernel width"):
        failures.kernel_width_study(hood, [])
    with pytest.raises(ValueError, match="kernel_width"):
        failures.kernel_width_study(hood, [0.0])


def test_adversary_is_cached_and_detects(credit):
    first = failures.adversary("credit")
    again = failures.adversary("credit")
    assert len(first.lime_queries) == len(again.lime_queries) == 5000
    p_real = first.lime_detector.predict_proba(credit.X_test)[:, 1]
    p_query = first.lime_detector.predict_proba(first.lime_queries.iloc[:500])[:, 1]
    assert p_real.mean() > p_query.mean() + 0.3


# ------------------------------------------------------------------ claims chapter 8 makes in words
def test_chapter_8_claims_about_the_featured_applicant(credit):
    """The prose says the applicant's small amount *raises* their risk, that the zoo model's risk then
    falls as the amount grows, and that the cheapest recourse changes the amount; if a new zoo breaks
    these, the chapter must be rewritten, not only re-glued."""
    from xaibook.exercises import failures as ex
    from xaibook.predict import prediction_function
    from xaibook.shapley import kernel_shap

    person = models.featured_person("credit")
    applicant = credit.X.loc[[person]]
    background = credit.X_train.sample(ex.BACKGROUND_SIZE, random_state=0)
    boosting = models.get_model("credit", "boosting")
    shap = kernel_shap(prediction_function(boosting), applicant, background, n_samples=400).to_wide().iloc[0]
    amount = applicant["credit_amount"].iloc[0]
    assert shap["credit_amount"] > 0 and amount < credit.X["credit_amount"].median()
    grid = np.unique(np.quantile(credit.X["credit_amount"], np.linspace(0, 1, 41)).round())
    curve = prediction_function(boosting)(applicant.loc[applicant.index.repeat(len(grid))].assign(credit_amount=grid))
    assert grid[np.argmin(curve)] > amount                      # the risk falls as the amount grows
    mono = failures.monotone_model("credit", list(ex.MONOTONE_FEATURES))
    mono_shap = kernel_shap(prediction_function(mono), applicant, background, n_samples=400).to_wide().iloc[0]
    assert mono_shap["credit_amount"] < shap["credit_amount"]
    recourse = failures.recourse_under_refits("credit", [person], n_refits=ex.N_REFITS)
    assert "credit_amount" in recourse.loc[recourse["counterfactual"] == 0, "changes"].iloc[0]


def test_chapter_8_claims_about_the_sanity_check(credit):
    """'On ranking alone no method passes cleanly' and 'SHAP keeps much of its size'."""
    from xaibook import agreement
    from xaibook.exercises import failures as ex
    from xaibook.shapley import tree_shap

    background = credit.X_train.sample(ex.BACKGROUND_SIZE, random_state=0)
    real = tree_shap(models.get_model("credit", "boosting"), credit.X_test, background, scale="log-odds").mean_abs()
    noise = tree_shap(failures.shuffled_label_model("credit"), credit.X_test, background, scale="log-odds").mean_abs()
    assert agreement.rank_correlation(real, noise) > 0.2
    assert noise.sum() / real.sum() > 0.3

"""The scaffold of Slack et al. (2020) on the credit data: it fools LIME and SHAP, and is caught.

LIME and KernelSHAP are the package's own (``surrogate.lime_tabular`` equals the ``lime`` package
for the same seed, tests/test_surrogate.py); the tests check the paper's three claims on our data
and the defences.
"""

import numpy as np
import pandas as pd
import pytest

from xaibook import data
from xaibook.adversarial import (
    RuleClassifier,
    ScaffoldedClassifier,
    collect_queries,
    detectability,
    fit_detector,
    real_data_audit,
    scaffold,
    share_routed_to_innocuous,
)
from xaibook.predict import prediction_function
from xaibook.shapley import kernel_shap
from xaibook.studies import lime_top_features
from xaibook.surrogate import lime_tabular

N_EXPLAINED = 10


@pytest.fixture(scope="module")
def credit():
    return data.load_credit()


@pytest.fixture(scope="module")
def setup(credit):
    X_train = credit.X_train
    background = X_train.sample(50, random_state=0)

    def lime_explain(f, x, seed):
        return lime_tabular(f, X_train, x, n_samples=200, random_state=seed)

    def shap_explain(f, x, seed):
        return kernel_shap(f, x, background, n_samples=100, random_state=seed)

    rows = X_train.sample(50, random_state=1)
    return {
        "background": background,
        "lime_queries": collect_queries(lime_explain, rows, max_rows=5000),
        "shap_queries": collect_queries(shap_explain, rows, max_rows=5000),
        "biased": RuleClassifier("age", 25), "innocuous": RuleClassifier("installment_rate", 3),
    }


def _lime_top(credit, model, rows):
    return lime_top_features(model, credit.X_train, rows, n_samples=1000, random_state=5)


def _shap_top(setup, model, rows):
    f = prediction_function(model)
    return pd.Series([kernel_shap(f, rows.iloc[[i]], setup["background"], n_samples=300).explain_row(0)["feature"][0]
                      for i in range(len(rows))])


def test_rules(credit):
    rule = RuleClassifier("age", 25)
    young = credit.X["age"] < 25
    assert np.array_equal(rule.predict(credit.X), young.astype(int).to_numpy())
    assert np.allclose(rule.predict_proba(credit.X).sum(axis=1), 1)
    assert np.array_equal(RuleClassifier("age", 25, below=False).predict(credit.X), (~young).astype(int).to_numpy())
    with pytest.raises(ValueError, match="no column 'nope'"):
        RuleClassifier("nope", 1).predict(credit.X)
    with pytest.raises(ValueError, match="finite"):
        RuleClassifier("age", float("nan"))
    with pytest.raises(TypeError, match="column name"):
        RuleClassifier(3, 1)


def test_queries_are_what_the_explainer_asks(setup, credit):
    queries = setup["shap_queries"]
    assert list(queries.columns) == list(credit.X.columns) and len(queries) == 5000
    # every KernelSHAP query is a hybrid: each value comes from the explained row or a background row
    one = credit.X_train.iloc[[0]]
    hybrids = collect_queries(lambda f, x, seed: kernel_shap(f, x, setup["background"], n_samples=50), one)
    assert not (hybrids == one.iloc[0]).all(axis=1).any()      # the explained row itself is dropped
    for column in credit.X.columns:
        allowed = set(setup["background"][column]) | {one[column].iloc[0]}
        assert set(hybrids[column]) <= allowed
    with pytest.raises(ValueError, match="never called f"):
        collect_queries(lambda f, x, seed: None, one)


def test_each_row_gets_its_own_seed(credit):
    rows = credit.X_train.iloc[:2]
    queries = collect_queries(lambda f, x, seed: lime_tabular(f, credit.X_train, x, n_samples=50, random_state=seed),
                              rows)
    # LIME's tabular sampler ignores the row: with one seed both rows would get the same 49 samples
    assert len(queries.drop_duplicates()) == len(queries) == 2 * 49
    assert (queries["age"] % 1 != 0).any()        # LIME's numbers need not be whole: kept as sent


def test_lime_is_fooled(setup, credit):
    model = scaffold(setup["biased"], setup["innocuous"], credit.X_train, setup["lime_queries"], threshold=0.3)
    # on real people the scaffold is the biased model ...
    assert model.agreement_with_biased(credit.X_test) >= 0.95
    assert share_routed_to_innocuous(model, setup["lime_queries"]) >= 0.9
    rows = credit.X_test.iloc[:N_EXPLAINED]
    # ... LIME of the biased model alone names age; LIME of the scaffold names the innocuous feature
    assert (_lime_top(credit, setup["biased"], rows) == "age").mean() >= 0.8
    assert (_lime_top(credit, model, rows) == "installment_rate").mean() >= 0.8


def test_shap_is_fooled_only_at_a_price(setup, credit):
    detector = fit_detector(credit.X_train, setup["shap_queries"])
    rows = credit.X_test.iloc[:N_EXPLAINED]
    assert (_shap_top(setup, setup["biased"], rows) == "age").all()
    strict = ScaffoldedClassifier(setup["biased"], setup["innocuous"], detector, threshold=0.7)
    assert (_shap_top(setup, strict, rows) == "installment_rate").mean() >= 0.8
    # KernelSHAP's hybrids look much like real rows: calling them fake also calls many real people
    # fake, so the scaffold fooling SHAP decides unlike the biased model for many real people
    lenient = ScaffoldedClassifier(setup["biased"], setup["innocuous"], detector, threshold=0.3)
    assert strict.agreement_with_biased(credit.X_test) < lenient.agreement_with_biased(credit.X_test) - 0.2


def test_detection_exposes_the_explainers_queries(setup, credit):
    lime_auc = detectability(credit.X_train, setup["lime_queries"], n_estimators=50)
    shap_auc = detectability(credit.X_train, setup["shap_queries"], n_estimators=50)
    control = detectability(credit.X_train, credit.X_test, n_estimators=50)   # real against real
    assert lime_auc > 0.95
    assert 0.6 < shap_auc < lime_auc
    assert control < 0.65


def test_a_real_data_audit_finds_the_protected_feature(setup, credit):
    model = scaffold(setup["biased"], setup["innocuous"], credit.X_train, setup["lime_queries"], threshold=0.3)
    audit = real_data_audit(model, credit.X_test)
    assert audit.top_feature == "age" and audit.fidelity > 0.95
    assert real_data_audit(setup["innocuous"], credit.X_test).top_feature == "installment_rate"
    assert audit.ranking()[0] == "age" and "age" in audit.rules


def test_bad_input(setup, credit):
    biased, innocuous = setup["biased"], setup["innocuous"]
    with pytest.raises(TypeError, match="detector"):
        ScaffoldedClassifier(biased, innocuous, object())
    with pytest.raises(ValueError, match="threshold"):
        ScaffoldedClassifier(biased, innocuous, biased, threshold=1.5)
    with pytest.raises(ValueError, match="same, in the same order"):
        fit_detector(credit.X_train, setup["lime_queries"].iloc[:, ::-1])
    with pytest.raises(ValueError, match="random_state=None"):
        fit_detector(credit.X_train, setup["lime_queries"], random_state=None)
    with pytest.raises(ValueError, match="n_splits"):
        detectability(credit.X_train, credit.X_test, n_splits=1)
    with pytest.raises(TypeError, match="DataFrame"):
        real_data_audit(biased, credit.X_test.to_numpy())
    with pytest.raises(TypeError, match="ScaffoldedClassifier"):
        share_routed_to_innocuous(biased, credit.X_test)

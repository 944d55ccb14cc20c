"""The scaffold of Slack et al. (2020) on the credit data: it fools LIME and SHAP, and is caught.

LIME is run with the ``lime`` package (numbers coded as in chapter 5's ``CategoryCodes``) and with
the package's KernelSHAP; the tests check the paper's three claims on our data and the defences.
"""

import numpy as np
import pandas as pd
import pytest
from lime.lime_tabular import LimeTabularExplainer

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
from xaibook.shapley import CategoryCodes, kernel_shap

N_EXPLAINED = 10


@pytest.fixture(scope="module")
def credit():
    return data.load_credit()


@pytest.fixture(scope="module")
def setup(credit):
    X_train = credit.X_train
    background = X_train.sample(50, random_state=0)
    codes = CategoryCodes(credit.X)
    categorical = [i for i, c in enumerate(credit.X.columns) if c in codes.categories]

    def lime_explainer(seed):
        return LimeTabularExplainer(codes.encode(X_train).to_numpy(), mode="regression",
                                    feature_names=list(credit.X.columns), categorical_features=categorical,
                                    discretize_continuous=True, random_state=seed)

    collecting = lime_explainer(0)

    def lime_explain(f, x, explainer=collecting, n=500):
        return explainer.explain_instance(codes.encode(x).to_numpy()[0], codes.wrap(f), num_features=20,
                                          num_samples=n)

    def shap_explain(f, x):
        return kernel_shap(f, x, background, n_samples=200)

    rows = X_train.sample(30, random_state=1)
    return {
        "codes": codes, "background": background, "lime_explainer": lime_explainer, "lime_explain": lime_explain,
        "lime_queries": collect_queries(lime_explain, rows, max_rows=5000),
        "shap_queries": collect_queries(shap_explain, rows, max_rows=5000),
        "biased": RuleClassifier("age", 25), "innocuous": RuleClassifier("installment_rate", 3),
    }


def _lime_top(setup, credit, model, rows, seed=5):
    explainer, f = setup["lime_explainer"](seed), prediction_function(model)
    tops = []
    for i in range(len(rows)):
        explanation = setup["lime_explain"](f, rows.iloc[[i]], explainer=explainer, n=1000)
        tops.append(credit.X.columns[explanation.as_map()[1][0][0]])
    return pd.Series(tops)


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
    assert (queries.dtypes == credit.X.dtypes).all()
    # every KernelSHAP query is a hybrid: each value comes from the explained row or a background row
    one = credit.X_train.iloc[[0]]
    hybrids = collect_queries(lambda f, x: kernel_shap(f, x, setup["background"], n_samples=50), one)
    for column in credit.X.columns:
        allowed = set(setup["background"][column]) | {one[column].iloc[0]}
        assert set(hybrids[column]) <= allowed
    with pytest.raises(ValueError, match="never called f"):
        collect_queries(lambda f, x: None, one)


def test_lime_is_fooled(setup, credit):
    model = scaffold(setup["biased"], setup["innocuous"], credit.X_train, setup["lime_queries"])
    # on real people the scaffold is the biased model ...
    assert model.agreement_with_biased(credit.X_test) >= 0.95
    assert share_routed_to_innocuous(model, setup["lime_queries"]) >= 0.95
    rows = credit.X_test.iloc[:N_EXPLAINED]
    # ... LIME of the biased model alone names age; LIME of the scaffold names the innocuous feature
    assert (_lime_top(setup, credit, setup["biased"], rows) == "age").mean() >= 0.8
    assert (_lime_top(setup, credit, model, rows) == "installment_rate").mean() >= 0.8


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
    model = scaffold(setup["biased"], setup["innocuous"], credit.X_train, setup["lime_queries"])
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

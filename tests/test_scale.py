"""Explaining at scale: the same numbers on one worker or many, with any chunk size."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from xaibook import counterfactual, importance, scale, shapley, surrogate
from xaibook.predict import prediction_function


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=list("abcd"))
    y = (X["a"] + 0.5 * X["b"] - X["c"] + rng.normal(0, 0.5, len(X)) > 0).astype(int)
    boosting = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y)
    logistic = LogisticRegression().fit(X, y)
    return X, y, boosting, logistic


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    import dask

    # a task whose worker dies is not retried (the last test kills one on purpose)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=50)
        with distributed.Client(cluster) as c:
            yield c
        cluster.close()


def _same(a, b):
    assert np.array_equal(a.values, b.values) and np.array_equal(a.prediction, b.prediction)
    assert a.base_value == b.base_value and list(a.data.index) == list(b.data.index)


def test_row_seeds_do_not_depend_on_chunks():
    assert scale.row_seed(3, 5).generate_state(2).tolist() == scale.row_seed(3, 5).generate_state(2).tolist()
    assert scale.row_seed(3, 5).generate_state(1)[0] != scale.row_seed(3, 6).generate_state(1)[0]
    assert scale.chunk_bounds(7, 3) == [(0, 3), (3, 6), (6, 7)]


@pytest.mark.parametrize("chunk_size", [1, 7, 120])
def test_tree_shap_equals_the_single_process_function_for_any_chunk_size(toy, chunk_size):
    X, _, boosting, _ = toy
    background = X.iloc[:50]
    expected = shapley.tree_shap(boosting, X, background)
    _same(scale.explain("tree_shap", boosting, X, background=background, chunk_size=chunk_size), expected)


def test_kernel_shap_rows_use_their_own_seed(toy):
    X, _, _, logistic = toy
    f = prediction_function(logistic)
    rows, background = X.iloc[:9], X.iloc[90:120]
    whole = scale.explain("kernel_shap", f, rows, background=background, n_samples=40, random_state=2)
    for chunk_size in (1, 4):
        _same(scale.explain("kernel_shap", f, rows, background=background, n_samples=40, random_state=2,
                            chunk_size=chunk_size), whole)
    for position in (0, 5):
        alone = shapley.kernel_shap(f, rows.iloc[[position]].copy(), background, n_samples=40,
                                    random_state=np.random.default_rng(scale.row_seed(2, position)))
        assert np.array_equal(alone.values[0], whole.values[position])
    assert np.allclose(whole.efficiency_gap(), 0, atol=1e-10)


def test_exact_shapley_rows_equal_the_single_process_function(toy):
    X, _, _, logistic = toy
    f = prediction_function(logistic)
    rows, background = X.iloc[:6], X.iloc[100:120]
    result = scale.explain("exact_shapley", f, rows, background=background, chunk_size=4)
    expected = shapley.exact_shapley(f, rows, background)
    assert np.allclose(result.values, expected.values, atol=1e-14)
    _same(result, scale.explain("exact_shapley", f, rows, background=background, chunk_size=1))


def test_lime_and_counterfactuals_return_one_result_per_row(toy):
    X, _, _, logistic = toy
    rows = X.iloc[:5]
    limes = scale.explain("lime_tabular", prediction_function(logistic), rows, background=X, n_samples=300,
                          chunk_size=2)
    assert [type(r) for r in limes] == [surrogate.LimeResult] * 5
    seed = scale._legacy_seed(0, 3)
    alone = surrogate.lime_tabular(prediction_function(logistic), X, rows.iloc[[3]].copy(), n_samples=300,
                                   random_state=seed)
    assert np.array_equal(alone.weights, limes[3].weights)
    found = scale.explain("counterfactuals", logistic, rows, background=X, n_counterfactuals=2, chunk_size=3)
    assert len(found) == 5
    assert all(r is None or isinstance(r, counterfactual.CounterfactualResult) for r in found)


def test_the_cluster_gives_bit_for_bit_the_same_values(toy, client):
    X, y, boosting, logistic = toy
    background = X.iloc[:50]
    _same(scale.explain("tree_shap", boosting, X, background=background, client=client, chunk_size=40),
          shapley.tree_shap(boosting, X, background))
    f = prediction_function(logistic)
    here = scale.explain("kernel_shap", f, X.iloc[:6], background=background, n_samples=40, random_state=1)
    there = scale.explain("kernel_shap", f, X.iloc[:6], background=background, n_samples=40, random_state=1,
                          client=client, chunk_size=2)
    _same(here, there)
    pi = scale.permutation_importance(logistic, X, y, client=client, n_repeats=3, random_state=0)
    single = importance.permutation_importance(logistic, X, y, n_repeats=3, random_state=0)
    assert np.array_equal(pi.importances, single.importances) and pi.feature_names == single.feature_names


def test_permutation_importance_split_by_features_here(toy):
    X, y, boosting, _ = toy
    split = scale.permutation_importance(boosting, X, y, n_chunks=3, n_repeats=2, random_state=4)
    single = importance.permutation_importance(boosting, X, y, n_repeats=2, random_state=4)
    assert np.array_equal(split.importances, single.importances)


def test_default_chunk_size_respects_memory_and_balance():
    assert scale.default_chunk_size("tree_shap", 1000, 20, 100, n_workers=2) == 125
    small = scale.default_chunk_size("kernel_shap", 10_000, 20, 100, options={"n_samples": 2048},
                                     memory=2048 * (20 * 48 + 100 * 16) * 3)
    assert small == 3


class _Unpicklable:
    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()

    def __call__(self, X):
        return self.model.predict_proba(X)[:, 1]


def test_clear_errors(toy, client):
    X, _, boosting, logistic = toy
    with pytest.raises(ValueError, match="one of"):
        scale.explain("anchors", boosting, X, background=X)
    with pytest.raises(ValueError, match="background="):
        scale.explain("tree_shap", boosting, X)
    with pytest.raises(ValueError, match="columns"):
        scale.explain("tree_shap", boosting, X, background=X[["b", "a", "c", "d"]])
    with pytest.raises(TypeError, match="int seed"):
        scale.explain("kernel_shap", prediction_function(logistic), X, background=X,
                      random_state=np.random.default_rng(0))
    with pytest.raises(TypeError, match="Client"):
        scale.explain("tree_shap", boosting, X, background=X, client="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="chunk_size"):
        scale.explain("tree_shap", boosting, X, background=X, chunk_size=0)
    with pytest.raises(scale.ScaleError, match="serialise"):
        scale.explain("kernel_shap", _Unpicklable(logistic), X.iloc[:2], background=X.iloc[:20], client=client,
                      n_samples=20)


class _Dies:
    """A prediction function that kills the worker process it runs in (as running out of memory would)."""

    def __call__(self, X):
        import os
        os._exit(1)


def test_a_dying_worker_gives_a_clear_error(toy, client):
    X, _, _, _ = toy
    with pytest.raises(scale.ScaleError, match="worker died"):
        scale.explain("kernel_shap", _Dies(), X.iloc[:2], background=X.iloc[:10], client=client, n_samples=10)


def test_synthetic_applicants_stay_in_the_known_values():
    from xaibook import data
    train = data.load_credit().X_train
    rows = scale.synthetic_applicants(500, random_state=3)
    assert len(rows) == 500 and list(rows.columns) == list(train.columns)
    for column in train.columns:
        if train[column].dtype == object or str(train[column].dtype) in ("str", "string"):
            assert set(rows[column]) <= set(train[column])
        else:
            assert rows[column].between(train[column].min(), train[column].max()).all()
    assert rows.equals(scale.synthetic_applicants(500, random_state=3))
    with pytest.raises(ValueError, match="jitter"):
        scale.synthetic_applicants(5, jitter=2)

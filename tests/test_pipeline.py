"""Pipeline introspection (xaibook.pipeline): every transformed column traced to its raw feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler

from xaibook import pipeline as P
from xaibook.importance import impurity_importance


@pytest.fixture(scope="module")
def case():
    """Two numeric features and a three-level category behind a scaler + one-hot ColumnTransformer."""
    rng = np.random.RandomState(4)
    X = pd.DataFrame({"age": rng.randint(20, 80, 240), "income": rng.lognormal(1.0, 0.4, 240).round(2),
                      "city": np.repeat(["Bonn", "Kiel", "Ulm"], 80)})
    y = (X["income"] + 0.02 * X["age"] + (X["city"] == "Kiel") + rng.normal(0, 0.5, 240) > 4).astype(int)
    pre = ColumnTransformer([("numeric", StandardScaler(), ["age", "income"]),
                             ("categorical", OneHotEncoder(sparse_output=False), ["city"])])
    return X, y, pre


def test_feature_groups_trace_one_hot_columns_and_nested_pipelines(case):
    X, y, pre = case
    model = Pipeline([("preprocess", pre), ("model", LogisticRegression())]).fit(X, y)
    groups = P.feature_groups(model[:-1], X.columns)
    assert groups == ["age", "income", "city", "city", "city"]
    nested = Pipeline([("inner", model[:-1])])
    assert P.feature_groups(nested, X.columns) == groups


def test_the_three_readers_agree_on_raw_features(case):
    """transformed_features, feature_groups (TreeSHAP's aggregation) and impurity importance
    assign every transformed column to the same raw feature."""
    X, y, pre = case
    logistic = Pipeline([("preprocess", pre), ("model", LogisticRegression())]).fit(X, y)
    table = P.transformed_features(logistic)
    assert list(table["raw_feature"]) == P.feature_groups(logistic[:-1], X.columns)
    forest = Pipeline([("preprocess", pre),
                       ("model", RandomForestClassifier(n_estimators=5, random_state=0))]).fit(X, y)
    mdi = impurity_importance(forest)
    by_hand = pd.Series(forest[-1].feature_importances_,
                        index=P.feature_groups(forest[:-1], X.columns)).groupby(level=0).sum()
    pd.testing.assert_series_equal(mdi.sort_index(), by_hand.sort_index(), check_names=False)


def test_spline_columns_are_traced_to_their_feature(case):
    X, y, _ = case
    pre = ColumnTransformer([("age", SplineTransformer(n_knots=4), ["age"]),
                             ("income", SplineTransformer(n_knots=4), ["income"]),
                             ("city", OneHotEncoder(sparse_output=False), ["city"])])
    model = Pipeline([("preprocess", pre), ("model", LogisticRegression(max_iter=1000))]).fit(X, y)
    table = P.transformed_features(model)
    assert table.groupby("raw_feature").size().to_dict() == {"age": 6, "income": 6, "city": 3}


def test_split_model_and_transform(case):
    X, y, pre = case
    model = Pipeline([("preprocess", pre), ("model", LogisticRegression())]).fit(X, y)
    preprocess, estimator = P.split_model(model)
    assert preprocess is model[0] and estimator is model[-1]
    np.testing.assert_array_equal(P.transform(preprocess, X), model[0].transform(X))
    bare = LogisticRegression().fit(X[["age", "income"]], y)
    assert P.split_model(bare) == (None, bare)
    np.testing.assert_array_equal(P.transform(None, X[["age"]]), X[["age"]].to_numpy(dtype=float))
    assert P.class_labels(bare) == [0, 1] and type(P.class_labels(bare)[0]) is int
    with pytest.raises(ValueError, match="not fitted"):
        P.split_model(Pipeline([("preprocess", pre), ("model", LogisticRegression())]))


def test_infrequent_levels_are_traced_by_feature_groups(case):
    """One-hot with infrequent levels cannot be read in raw units, but each column is still traced
    to its raw feature (the gap transformed_features fills from feature_groups)."""
    X, y, _ = case
    X = X.assign(band=np.where(np.arange(len(X)) % 40 == 0, "rare", np.where(X["age"] > 50, "old", "young")))
    pre = ColumnTransformer([("numeric", StandardScaler(), ["age"]),
                             ("categorical", OneHotEncoder(min_frequency=10, sparse_output=False), ["city", "band"])])
    model = Pipeline([("preprocess", pre), ("model", LogisticRegression())]).fit(X, y)
    table = P.transformed_features(model)
    assert set(table.loc[table["kind"] == "other", "raw_feature"]) == {"city", "band"}
    assert list(table["raw_feature"]) == P.feature_groups(model[:-1], X.columns)

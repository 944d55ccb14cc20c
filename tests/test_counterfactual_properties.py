"""Property-based tests of the counterfactual search (hypothesis, derandomised, small and fast).

Random data (float, int, bool, category and float32 features), random models (linear, tree,
forest, boosting, a classifier with its own threshold; all in pipelines that one-hot encode the
categories) and random constraints (``features_to_vary``, ``permitted_range``, ``monotone``). For
every search:

- every reported row is predicted as the desired class by ``model.predict``;
- frozen features keep x's values bit for bit, dtypes are x's, and every constraint holds;
- the reported ``n_changed`` and ``sparsity`` count exactly the features that differ from x;
- an exhaustive search over a grid within the constraints (5 evenly spaced values of each numeric
  feature free to change, plus x's own, and every allowed category) is the independent check:
  whenever it finds a valid row, the search reports one, and its cheapest costs no more than the
  grid's cheapest plus the grid's resolution (one grid step of every numeric feature, in MADs).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from xaibook.counterfactual import counterfactuals, distance_matrix, mad_scales

PROPERTIES = settings(max_examples=24, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate],   # no shrinking: a failure prints its example
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
KINDS = ("float", "int", "bool", "category", "float32")
MODELS = ("linear", "tree", "forest", "boosting", "threshold")
N_ROWS = 120
GRID = 5


def make_data(kinds: list[str], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns, signal = {}, np.zeros(N_ROWS)
    for j, kind in enumerate(kinds):
        name = f"{kind}_{j}"
        if kind in ("float", "float32"):
            values = rng.normal(0.0, 1.0 + j, N_ROWS)
            columns[name] = values.astype(np.float32) if kind == "float32" else values
            signal += rng.choice([-1, 1]) * values / (1 + j)
        elif kind == "int":
            values = rng.integers(0, 10, N_ROWS)
            columns[name] = values
            signal += rng.choice([-1, 1]) * (values - 4.5) / 3
        elif kind == "bool":
            values = rng.random(N_ROWS) < 0.5
            columns[name] = values
            signal += np.where(values, 1.0, -1.0)
        else:
            values = rng.choice(["a", "b", "c"], N_ROWS)
            columns[name] = pd.Categorical(values, categories=["a", "b", "c"])
            signal += np.select([values == "a", values == "b"], [-1.0, 0.5], 1.0)
    X = pd.DataFrame(columns)
    y = (signal + rng.normal(0, 0.5, N_ROWS) > 0).astype(int)
    return X, y


def make_model(name: str, X: pd.DataFrame, y: np.ndarray, threshold: float):
    categorical = [c for c in X.columns if not c.startswith(("float", "int"))]
    numeric = [c for c in X.columns if c not in categorical]
    encode = ColumnTransformer([("numbers", StandardScaler(), numeric),
                                ("categories", OneHotEncoder(handle_unknown="ignore"), categorical)])
    estimator = {"linear": LogisticRegression(), "threshold": LogisticRegression(),
                 "tree": DecisionTreeClassifier(max_depth=3, random_state=0),
                 "forest": RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0),
                 "boosting": GradientBoostingClassifier(n_estimators=15, max_depth=2, random_state=0)}[name]
    model = make_pipeline(encode, estimator)
    if name == "threshold":
        model = FixedThresholdClassifier(model, threshold=threshold)
    return model.fit(X, y)


def is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def representable(column: pd.Series, values: np.ndarray) -> np.ndarray:
    if pd.api.types.is_integer_dtype(column):
        return np.round(values)
    if column.dtype == np.float32:
        return values.astype(np.float32).astype(float)
    return values


def allowed_values(X, x, feature, ranges, monotone):
    """What the grid may give ``feature``: the documented semantics, computed independently."""
    column, value = X[feature], x[feature].iloc[0]
    if not is_numeric(column):
        return list(dict.fromkeys(list(ranges.get(feature, pd.unique(column.astype(object)))) + [value]))
    low, high = ranges.get(feature, (min(column.min(), value), max(column.max(), value)))
    if monotone.get(feature) == "increase":
        low = value
    elif monotone.get(feature) == "decrease":
        high = value
    if pd.api.types.is_integer_dtype(column):
        low, high = np.ceil(low), np.floor(high)
    levels = representable(column, np.linspace(float(low), float(high), GRID))
    return sorted(set(levels[(levels >= low) & (levels <= high)].tolist()) | {float(value)})


def grid_search(model, X, x, desired, vary, ranges, monotone):
    """Exhaustive search: the cheapest valid grid row's cost (inf if none) and the grid's resolution."""
    axes = {f: allowed_values(X, x, f, ranges, monotone) for f in vary}
    rows = pd.DataFrame([dict(zip(axes, combo)) for combo in itertools.product(*axes.values())])
    grid = pd.concat([x] * len(rows), ignore_index=True)
    for f in vary:
        grid[f] = rows[f].to_numpy()
    grid = grid.astype(x.dtypes.to_dict())
    valid = model.predict(grid) == desired
    mad = mad_scales(X)
    resolution = sum(np.diff(sorted(axes[f])).max(initial=0) / mad[f] for f in vary if f in mad.index)
    cost = distance_matrix(grid[valid], x, X)[:, 0].min() if valid.any() else np.inf
    return cost, resolution


@st.composite
def problems(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=2, max_size=3))
    seed = draw(st.integers(0, 10_000))
    name = draw(st.sampled_from(MODELS))
    threshold = draw(st.sampled_from([0.3, 0.7]))
    X, y = make_data(kinds, seed)
    assume(0 < y.sum() < len(y))
    model = make_model(name, X, y, threshold)
    row = draw(st.integers(0, N_ROWS - 1))
    x = X.iloc[[row]]
    vary = draw(st.lists(st.sampled_from(list(X.columns)), min_size=1, max_size=len(X.columns), unique=True))
    ranges, monotone = {}, {}
    for feature in vary:
        column, value = X[feature], x[feature].iloc[0]
        choice = draw(st.sampled_from(["free", "range", "monotone"]))
        if choice == "range" and is_numeric(column):
            values = np.sort(column.unique())
            low = draw(st.sampled_from([v for v in values if v <= value]))
            high = draw(st.sampled_from([v for v in values if v >= value]))
            ranges[feature] = (low.item(), high.item())
        elif choice == "range":
            seen = list(pd.unique(column.astype(object)))
            ranges[feature] = draw(st.lists(st.sampled_from(seen), min_size=1, max_size=len(seen), unique=True))
        elif choice == "monotone" and is_numeric(column):
            monotone[feature] = draw(st.sampled_from(["increase", "decrease"]))
    return model, X, x, vary, ranges, monotone


@PROPERTIES
@given(problems())
def test_every_search_is_valid_exact_and_complete(problem):
    model, X, x, vary, ranges, monotone = problem
    desired = 1 - int(model.predict(x)[0])
    result = counterfactuals(model, x, X, desired_class=desired, features_to_vary=vary, permitted_range=ranges,
                             monotone=monotone, n_counterfactuals=2)
    cfs = result.counterfactuals
    # valid by the model's own decision
    assert len(cfs) == 0 or (model.predict(cfs) == desired).all()
    # frozen features bit for bit, dtypes kept, every constraint held
    assert list(cfs.dtypes) == list(x.dtypes)
    for feature in X.columns:
        original = x[feature].to_numpy()
        if feature not in vary:
            assert np.array_equal(cfs[feature].to_numpy(), np.repeat(original, len(cfs))), feature
        elif feature in ranges and is_numeric(X[feature]):
            assert cfs[feature].between(*ranges[feature]).all()
        elif feature in ranges:
            assert cfs[feature].astype(object).isin(list(ranges[feature]) + [original[0]]).all()
        if monotone.get(feature) == "increase":
            assert (cfs[feature].to_numpy() >= original[0]).all()
        elif monotone.get(feature) == "decrease":
            assert (cfs[feature].to_numpy() <= original[0]).all()
    # sparsity counts exactly the changed features
    changed = np.array([[row[f] != x[f].iloc[0] for f in X.columns]
                        for _, row in cfs.iterrows()]).reshape(len(cfs), X.shape[1])
    assert list(result.n_changed) == changed.sum(axis=1).tolist()
    assert (changed.sum(axis=1) >= 1).all()
    if len(cfs):
        assert result.sparsity == changed.sum(axis=1).mean()
        assert np.allclose(result.cost, distance_matrix(cfs, x, X)[:, 0])
    # complete: the exhaustive grid finds nothing the search misses
    best, resolution = grid_search(model, X, x, desired, vary, ranges, monotone)
    if np.isfinite(best):
        assert len(result) >= 1, f"the grid finds a row of cost {best:.3f}; the search says {result.message}"
        assert result.cost[0] <= best + resolution + 1e-9

"""Property-based tests (hypothesis): random valid and invalid inputs for the public methods.

For every generated input a method either returns a result that satisfies its defining identity
(efficiency of Shapley values, PD = mean of ICE, importances = baseline - permuted score, ...) or
raises an exception whose message names the offending argument. Deterministic (``derandomize``)
and small (a few dozen examples per property), so the suite stays fast and repeatable.
"""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from xaibook import _validation as v
from xaibook import dependence as dep
from xaibook import importance as imp
from xaibook import shapley as sh

FAST = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

finite = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def frames(draw, min_rows=1, max_rows=6, min_cols=2, max_cols=4, integer=False):
    """A small numeric DataFrame (float or integer columns ``x0, x1, ...``)."""
    n_cols = draw(st.integers(min_cols, max_cols))
    n_rows = draw(st.integers(min_rows, max_rows))
    values = st.integers(-4, 4) if integer else finite
    data = {f"x{j}": draw(st.lists(values, min_size=n_rows, max_size=n_rows)) for j in range(n_cols)}
    return pd.DataFrame(data)


@st.composite
def linear_games(draw):
    """A prediction function (linear with one interaction), rows to explain and a background."""
    X = draw(frames(min_rows=1, max_rows=3))
    background = draw(frames(min_rows=1, max_rows=5, min_cols=X.shape[1], max_cols=X.shape[1]))
    weights = np.array(draw(st.lists(finite, min_size=X.shape[1], max_size=X.shape[1])))
    mix = draw(finite)

    def f(d):
        values = d.to_numpy(dtype=float)
        return values @ weights + mix * values[:, 0] * values[:, 1]
    return f, X, background


def names_argument(err: Exception, *names: str) -> bool:
    message = str(err)
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message) for n in names)


# ------------------------------------------------------------------------------ Shapley identities
@FAST
@given(linear_games())
def test_exact_shapley_is_efficient_and_agrees_with_kernel(game):
    f, X, background = game
    exact = sh.exact_shapley(f, X, background)
    scale = 1 + np.abs(exact.prediction).max() + abs(exact.base_value)
    np.testing.assert_allclose(exact.efficiency_gap(), 0, atol=1e-9 * scale)
    kernel = sh.kernel_shap(f, X, background, n_samples=2 ** X.shape[1])
    np.testing.assert_allclose(kernel.values, exact.values, atol=1e-7 * scale)
    # dummy axiom, exactly: a feature on which every background row equals x gets 0
    same = (background.to_numpy()[None, :, :] == X.to_numpy()[:, None, :]).all(axis=1)
    assert np.all(exact.values[same] == 0)


@FAST
@given(linear_games(), st.integers(2, 12), st.integers(0, 2**32 - 1))
def test_sampling_shapley_is_efficient_for_any_seed(game, n_permutations, seed):
    f, X, background = game
    result = sh.sampling_shapley(f, X, background, n_permutations=n_permutations, random_state=seed)
    scale = 1 + np.abs(result.prediction).max() + abs(result.base_value)
    np.testing.assert_allclose(result.efficiency_gap(), 0, atol=1e-9 * scale)


@FAST
@given(frames(min_rows=1, max_rows=3, integer=True), st.lists(finite, min_size=4, max_size=4))
def test_integer_rows_with_a_float_background_keep_the_floats(X, means):
    """For a linear f, phi_j = w_j (x_j - b_j) exactly, also when b is a row of float means."""
    weights = np.arange(1, X.shape[1] + 1, dtype=float)
    background = pd.DataFrame([means[:X.shape[1]]], columns=X.columns)
    result = sh.exact_shapley(lambda d: d.to_numpy(dtype=float) @ weights, X, background)
    expected = (X.to_numpy(dtype=float) - background.to_numpy()) * weights
    np.testing.assert_allclose(result.values, expected, atol=1e-9)


@FAST
@given(st.sampled_from(["exact", "sampling", "kernel"]),
       st.one_of(st.integers(-5, 1), st.floats(allow_nan=True), st.just(None), st.text(max_size=3)))
def test_shapley_counts_and_seeds_reject_bad_values_by_name(method, bad):
    X = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})

    def f(d):
        return d["a"].to_numpy() + 2 * d["b"].to_numpy()
    call, argument = {
        "exact": (lambda: sh.exact_shapley(f, X, X, batch_size=bad), "batch_size"),
        "sampling": (lambda: sh.sampling_shapley(f, X, X, n_permutations=bad), "n_permutations"),
        "kernel": (lambda: sh.kernel_shap(f, X, X, random_state=bad), "random_state"),
    }[method]
    if method == "kernel" and isinstance(bad, int) and bad >= 0:
        call()          # a non-negative int is a valid seed
        return
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert names_argument(info.value, argument), str(info.value)


# ------------------------------------------------------------------------------ PDP / ICE / ALE
@st.composite
def pdp_inputs(draw):
    X = draw(frames(min_rows=2, max_rows=8, min_cols=2, max_cols=3))
    grid = draw(st.lists(finite, min_size=1, max_size=6, unique=True))
    return X, grid


def _smooth(d):
    values = d.to_numpy(dtype=float)
    return np.tanh(values[:, 0]) * values[:, 1] + values.sum(axis=1)


@FAST
@given(pdp_inputs(), st.integers(1, 20))
def test_pdp_is_mean_of_ice_on_a_sorted_grid_for_any_batch(inputs, batch_size):
    X, grid = inputs
    result = dep.partial_dependence(_smooth, X, "x0", grid=grid, allow_extrapolation=True,
                                    batch_size=batch_size)
    np.testing.assert_array_equal(result.grid, np.sort(grid))
    np.testing.assert_allclose(result.average, result.individual.mean(axis=0), atol=1e-12)
    for k, z in enumerate(result.grid):
        np.testing.assert_allclose(result.individual[:, k], _smooth(X.assign(x0=z)), atol=1e-12)
    assert np.all(result.centered().individual[:, 0] == 0)


@FAST
@given(frames(min_rows=3, max_rows=10, min_cols=2, max_cols=3), st.integers(1, 6))
def test_ale_is_centred_on_the_data(X, bins):
    if X["x0"].nunique() < 2:
        with pytest.raises(ValueError, match="constant"):
            dep.ale(_smooth, X, "x0", grid_resolution=bins)
        return
    result = dep.ale(_smooth, X, "x0", grid_resolution=bins)
    mids = (result.effect[:-1] + result.effect[1:]) / 2
    assert abs(np.sum(result.counts * mids) / result.counts.sum()) < 1e-9 * (1 + np.abs(result.effect).max())
    assert result.counts.sum() == len(X)


@FAST
@given(st.sampled_from(["grid_resolution", "batch_size", "n_samples", "feature", "grid"]),
       st.one_of(st.integers(-3, 1), st.floats(allow_nan=True), st.text(max_size=2),
                 st.lists(st.integers(), max_size=2)))
def test_pdp_rejects_bad_arguments_by_name(argument, bad):
    X = pd.DataFrame({"x0": [0.0, 1.0, 2.0], "x1": [1.0, 0.0, 1.0]})
    kwargs = {argument: bad} if argument != "feature" else {}
    feature = bad if argument == "feature" else "x0"
    try:
        result = dep.partial_dependence(_smooth, X, feature, **kwargs)
    except (TypeError, ValueError) as err:
        assert names_argument(err, argument, "grid for 'x0'", "unknown feature"), str(err)
    else:  # accepted: then it must be a valid request and a correct result
        np.testing.assert_allclose(result.average, result.individual.mean(axis=0), atol=1e-12)


# ------------------------------------------------------------------------------ permutation importance
@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (X["a"] - X["b"] > 0).astype(int)
    return X, y, LogisticRegression().fit(X, y)


@FAST
@given(st.permutations(list(range(60))), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_importance_is_baseline_minus_permuted_and_y_aligns_on_index(fitted, order, n_repeats, seed):
    X, y, model = fitted
    result = imp.permutation_importance(model, X, y.iloc[order], n_repeats=n_repeats, random_state=seed)
    reference = imp.permutation_importance(model, X, y.to_numpy(), n_repeats=n_repeats, random_state=seed)
    np.testing.assert_array_equal(result.importances, reference.importances)
    assert result.baseline_score == model.score(X, y)
    assert result.importances.shape == (3, n_repeats)


@FAST
@given(st.sampled_from(["n_repeats", "batch_size", "random_state", "scoring", "y"]),
       st.one_of(st.integers(-3, 0), st.floats(allow_nan=True), st.text(max_size=3), st.none()))
def test_importance_rejects_bad_arguments_by_name(fitted, argument, bad):
    X, y, model = fitted
    kwargs = {"n_repeats": 1}
    if argument == "y":
        call = lambda: imp.permutation_importance(model, X, bad, **kwargs)  # noqa: E731
    else:
        kwargs[argument] = bad
        call = lambda: imp.permutation_importance(model, X, y, **kwargs)  # noqa: E731
    if argument == "scoring" and bad is None or argument == "random_state" and isinstance(bad, int) and bad >= 0:
        call()          # valid: the default scorer, a seed
        return
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert names_argument(info.value, argument, "scorer"), str(info.value)


# ------------------------------------------------------------------------------ shared checks
@FAST
@given(st.permutations(list(range(8))), st.booleans())
def test_align_target_reorders_same_labels_and_refuses_others(order, foreign):
    X = pd.DataFrame({"a": np.arange(8.0)}, index=[10 * k for k in range(8)])
    y = pd.Series(np.arange(8) % 2, index=X.index).iloc[order]
    if foreign:
        y = y.reset_index(drop=True)
        with pytest.raises(ValueError, match="y's index labels do not match X's"):
            v.check_target(y, X)
    else:
        np.testing.assert_array_equal(v.check_target(y, X), np.arange(8) % 2)


@FAST
@given(st.one_of(st.text(min_size=1, max_size=4), st.lists(st.text(min_size=1, max_size=3), max_size=3)))
def test_features_are_names_never_letters(features):
    X = pd.DataFrame({"ab": [1.0], "abc": [2.0]})
    try:
        names = v.check_features(features, X)
    except ValueError as err:
        assert "features" in str(err)
    else:
        assert names == ([features] if isinstance(features, str) else list(features))
        assert all(n in X.columns for n in names)

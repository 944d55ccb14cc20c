"""The bootstrap over test rows for permutation importance (issue 20, item 3.5)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from xaibook.importance import bootstrap_permutation_importance, permutation_importance


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    import pandas as pd
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["strong", "weak", "noise"])
    logit = 3 * X["strong"] + 0.5 * X["weak"]
    y = (rng.random(300) < 1 / (1 + np.exp(-logit))).astype(int)
    return LogisticRegression().fit(X, y), X, y


def test_each_resample_is_a_permutation_importance_on_those_rows(fitted):
    model, X, y = fitted
    result = bootstrap_permutation_importance(model, X, y, scoring="roc_auc", n_bootstrap=3,
                                              n_repeats=2, random_state=5)
    rows = np.random.default_rng(5).integers(0, len(X), size=len(X))
    # positional, as the function does: a pandas y with the resample's repeated labels would be
    # aligned on X's (reset) index and refused
    first = permutation_importance(model, X.iloc[rows].reset_index(drop=True), y.to_numpy()[rows],
                                   scoring="roc_auc", n_repeats=2, random_state=5)
    np.testing.assert_allclose(result.importances[:, 0], first.importances_mean)
    assert result.n_bootstrap == 3 and result.scoring == "roc_auc"


def test_test_set_uncertainty_exceeds_shuffle_noise(fitted):
    model, X, y = fitted
    shuffles = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=10, random_state=0)
    boot = bootstrap_permutation_importance(model, X, y, scoring="roc_auc", n_bootstrap=30,
                                            n_repeats=3, random_state=0).summary()
    shuffle_se = shuffles.importances_std / np.sqrt(shuffles.n_repeats)
    # for the strong feature the test rows, not the shuffles, dominate the uncertainty
    assert boot.loc["strong", "se"] > 2 * shuffle_se[0]
    assert boot.loc["strong", "low"] > 0 and boot.loc["strong", "low"] < boot.loc["strong", "high"]


@pytest.mark.parametrize("bad", [1, 0, 2.5, "10"])
def test_bad_n_bootstrap(fitted, bad):
    model, X, y = fitted
    with pytest.raises(ValueError, match="n_bootstrap"):
        bootstrap_permutation_importance(model, X, y, n_bootstrap=bad)


def test_bad_level(fitted):
    model, X, y = fitted
    result = bootstrap_permutation_importance(model, X, y, n_bootstrap=2, n_repeats=1)
    with pytest.raises(ValueError, match="level"):
        result.summary(level=1.5)


def test_bad_random_state(fitted):
    import numpy as np

    model, X, y = fitted
    with pytest.raises(ValueError, match="random_state"):
        bootstrap_permutation_importance(model, X, y, n_bootstrap=2, random_state=None)
    with pytest.raises(TypeError, match="int seed"):
        bootstrap_permutation_importance(model, X, y, n_bootstrap=2,
                                         random_state=np.random.RandomState(0))


def test_the_largest_seed_derives_valid_shuffle_seeds(fitted):
    """Resample b shuffles with seed (random_state + b) mod 2**32, so 2**32 - 1 is a valid seed
    and its second resample shuffles with seed 0."""
    model, X, y = fitted
    top = 2**32 - 1
    result = bootstrap_permutation_importance(model, X, y, scoring="roc_auc", n_bootstrap=2,
                                              n_repeats=2, random_state=top)
    rng = np.random.default_rng(top)
    rng.integers(0, len(X), size=len(X))                       # resample 0's rows
    rows = rng.integers(0, len(X), size=len(X))                # resample 1's rows
    second = permutation_importance(model, X.iloc[rows].reset_index(drop=True), y.to_numpy()[rows],
                                    scoring="roc_auc", n_repeats=2, random_state=0)
    np.testing.assert_allclose(result.importances[:, 1], second.importances_mean)

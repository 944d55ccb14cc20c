"""The refits of chapter 8: Rashomon refits, shuffled labels, monotonic constraints, a correlated copy."""

import numpy as np
import pytest

from xaibook import data, failures, models


@pytest.fixture(scope="module")
def credit():
    return data.load_credit()


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

"""Bad input for the glass-box helpers (issue 11): refused with the argument named, or answered right."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from xaibook import evaluation as ev
from xaibook import glassbox as gb
from xaibook import models
from xaibook.data import load_case


@pytest.fixture(scope="module")
def heart():
    return load_case("heart")


@pytest.fixture(scope="module")
def logistic():
    return models.get_model("heart", "logistic")


@pytest.fixture(scope="module")
def tree():
    return models.get_model("heart", "tree")


def test_logistic_coefficients_align_y_and_refuse_bad_labels(heart, logistic):
    reference = gb.logistic_coefficients(logistic, heart.X_train, heart.y_train, method="bootstrap", n_bootstrap=20)
    shuffled = gb.logistic_coefficients(logistic, heart.X_train, heart.y_train.sort_index(), method="bootstrap",
                                        n_bootstrap=20)
    np.testing.assert_array_equal(shuffled.table["ci_low"], reference.table["ci_low"])
    one_class = np.zeros(len(heart.X_train), dtype=int)
    with pytest.raises(ValueError, match=r"y has only the class \[0\]"):   # used to loop forever
        gb.logistic_coefficients(logistic, heart.X_train, one_class, method="bootstrap", n_bootstrap=20)
    words = np.where(heart.y_train.to_numpy() == 1, "disease", "healthy")
    with pytest.raises(ValueError, match="not the model's classes"):       # used to refit a flipped model
        gb.logistic_coefficients(logistic, heart.X_train, words, method="bootstrap", n_bootstrap=20)
    with pytest.raises(ValueError, match="X has 1 rows for .* coefficients"):
        gb.logistic_coefficients(logistic, heart.X_train.iloc[:1])


def test_bootstrap_redraws_resamples_that_miss_a_class(heart, logistic):
    y = np.zeros(len(heart.X_train), dtype=int)
    y[0] = 1   # one positive: about a third of resamples miss it, still feasible
    result = gb.logistic_coefficients(logistic, heart.X_train, y, method="bootstrap", n_bootstrap=5)
    assert result.draws.shape[0] == 5


def test_refit_trees_aligns_y_and_needs_two_classes(heart, tree):
    reference = gb.refit_trees(tree, heart.X_train, heart.y_train, n_refits=2).to_frame()
    shuffled = gb.refit_trees(tree, heart.X_train, heart.y_train.sort_index(), n_refits=2).to_frame()
    pd.testing.assert_frame_equal(shuffled, reference)
    with pytest.raises(ValueError, match="y's index labels do not match X's"):
        gb.refit_trees(tree, heart.X_train, heart.y_train.reset_index(drop=True), n_refits=2)
    with pytest.raises(ValueError, match="y has only the class"):
        gb.refit_trees(tree, heart.X_train, np.ones(len(heart.X_train), dtype=int), n_refits=2)


def test_paired_auc_difference_pairs_by_index_and_keeps_n_bootstrap(heart, logistic, tree):
    pa = pd.Series(logistic.predict_proba(heart.X_test)[:, 1], index=heart.X_test.index)
    pb = pd.Series(tree.predict_proba(heart.X_test)[:, 1], index=heart.X_test.index)
    result = ev.paired_auc_difference(heart.y_test.sort_index(), pa, pb, n_bootstrap=50)
    assert result.auc_a == pytest.approx(roc_auc_score(heart.y_test, pa), abs=1e-12)
    same = ev.paired_auc_difference(heart.y_test, pa, pb, n_bootstrap=50)
    assert result.difference == pytest.approx(same.difference, abs=1e-12)
    y = np.r_[1, np.zeros(29, dtype=int)]                  # most resamples miss the one positive
    p = np.linspace(0, 1, 30)
    rare = ev.paired_auc_difference(y, p, p[::-1], n_bootstrap=200)
    assert rare.n_bootstrap == 200
    with pytest.raises(ValueError, match="proba_a contains NaN"):
        ev.paired_auc_difference([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="proba_b's index labels do not match y's"):
        ev.paired_auc_difference(heart.y_test, pa, pb.reset_index(drop=True), n_bootstrap=50)


def test_glass_box_helpers_name_unknown_categories_and_bad_options(heart, logistic, tree):
    typo = heart.X_test.iloc[[0]].assign(sex="Male")
    for call in (lambda: gb.decision_path(tree, typo), lambda: gb.logistic_contributions(logistic, typo, heart.X_train),
                 lambda: gb.whatif_spec(logistic, typo, ["age"])):
        with pytest.raises(ValueError, match=r"(row|x) column 'sex' has value\(s\) \['Male'\]"):
            call()
    with pytest.raises(ValueError, match="quantiles must be two numbers"):
        gb.whatif_spec(logistic, heart.X_test.iloc[[0]], ["age"], quantiles=(0.5,))
    assert gb.whatif_spec(logistic, heart.X_test.iloc[[0]], "age").features == ("age",)
    gam = gb.spline_gam(heart.X_train, heart.y_train)
    with pytest.raises(ValueError, match="features: 'sex' has no numeric columns"):
        gb.shape_functions(gam, heart.X_train, "sex")
    with pytest.raises(ValueError, match="features is empty"):
        gb.shape_functions(gam, heart.X_train, [])


def test_glass_box_random_states_and_slider_values(heart, logistic, tree):
    seeded = gb.refit_trees(tree, heart.X_train, heart.y_train, n_refits=2, random_state=3).to_frame()
    legacy = gb.refit_trees(tree, heart.X_train, heart.y_train, n_refits=2,
                            random_state=np.random.RandomState(3)).to_frame()
    pd.testing.assert_frame_equal(seeded, legacy)
    generator = gb.refit_trees(tree, heart.X_train, heart.y_train, n_refits=2, resample=False,
                               random_state=np.random.default_rng(0))
    assert len(generator.to_frame()) == 2
    p = logistic.predict_proba(heart.X_test)[:, 1]
    diff = ev.paired_auc_difference(heart.y_test.to_numpy(), p, p[::-1], n_bootstrap=20,
                                    random_state=np.random.default_rng(1))
    assert diff.n_bootstrap == 20
    spec = gb.whatif_spec(logistic, heart.X_test.iloc[[0]], ["age"])
    with pytest.raises(ValueError, match=r"values\['age'\] must be a finite number, got 'fifty'"):
        spec.probability_at({"age": "fifty"})

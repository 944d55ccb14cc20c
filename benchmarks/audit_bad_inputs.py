"""Audit: feed the package's public functions bad input, as a reader experimenting would, and
classify what happens.

Every case is a small function that calls the package with one bad input, and says what a good
outcome is:

* ``names=(...)``: the call should fail, with a message that names one of these (the argument, or
  the column / value at fault);
* ``check=predicate``: the call may instead succeed, if ``predicate(result)`` confirms the result is
  right (e.g. ``y`` with shuffled index labels aligned on the index gives the aligned score). A
  clear error naming one of ``names`` is accepted too.

Outcomes:

``clear``    a correct result, or an exception whose message names the argument at fault
``raw``      an exception whose message does not (a library's internal error)
``silent``   a result that is wrong or surprising (the worst: a plausible-looking wrong answer)
``hang``     no answer within the time limit, or more memory than the limit allows

Every case is also a test: ``tests/test_bad_inputs.py`` runs each under the same time and memory
limits and requires ``clear`` (about ten seconds of CPU for the whole table, models from the cache).

Run: ``python benchmarks/audit_bad_inputs.py`` (about twenty seconds; fitted models come from the
cache). ``--json FILE`` writes every case's outcome; ``-v`` prints each case; ``-k NAME`` runs the
cases whose name contains NAME. Before the fixes of issue 11 the 194 cases gave 102 clear, 29 raw,
58 silent and 5 hang; a new method's cases belong here too, and the silent and hang columns should
stay at zero. The 43 cases added later for the surrogate (``lime_``, 16), counterfactual (``cfx_``,
15) and agreement (``agree_``, 12) modules gave 28 clear, 11 raw, 4 silent and 0 hang before their
fixes, and 43 clear after them. The 43 cases of issue 26 (a second audit's classes: numbers as
text, category typos, degenerate data, rows matched by position, options, exercise answers, chart
frames, memory, unclear messages) gave 0 clear, 8 raw, 31 silent and 4 hang before its fixes, and
43 clear after; ``owen_string_group`` changed from a checked result to a refusal. The 33 cases of
issue 26's second round (two people in one chart, mixed output scales, ``y`` sorted against bare
scores, six more chart builders, names read letter by letter, counts, wrong containers) gave 1
clear, 12 raw, 20 silent and 0 hang on commit 0f43e61, and 33 clear after.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import signal
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TIME_LIMIT = 20          # seconds per case
MEMORY_LIMIT = 6 * 2**30  # bytes of address space a case may add to what the process holds


@dataclass
class Case:
    name: str
    kind: str                       # class of bad input (for the report)
    run: Callable[[], Any]
    names: tuple[str, ...] = ()
    check: Callable[[Any], bool] | None = None
    outcome: str = ""
    detail: str = ""


CASES: list[Case] = []


def case(kind: str, *names: str, check: Callable[[Any], bool] | None = None):
    def register(fn: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append(Case(fn.__name__, kind, fn, tuple(names), check))
        return fn
    return register


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


# --------------------------------------------------------------------------------------------
# Fixtures: the case studies and zoo models (cached), small toy models
# --------------------------------------------------------------------------------------------
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from xaibook import evaluation, models  # noqa: E402
from xaibook.data import load_case  # noqa: E402

heart, credit = load_case("heart"), load_case("credit")
H_LOG = models.get_model("heart", "logistic")
H_TREE = models.get_model("heart", "tree")
H_BOOST = models.get_model("heart", "boosting")
C_BOOST = models.get_model("credit", "boosting")
C_LOG = models.get_model("credit", "logistic")
C_TREE = models.get_model("credit", "tree")

rng = np.random.RandomState(0)
TOY = pd.DataFrame({"feat_a": rng.normal(size=200), "feat_b": rng.normal(size=200),
                    "feat_c": rng.normal(size=200)})
TOY_Y = (TOY["feat_a"] + TOY["feat_b"] > 0).astype(int)
TOY_LR = LogisticRegression().fit(TOY, TOY_Y)
TOY_REG = LinearRegression().fit(TOY, TOY["feat_a"] * 2 + TOY["feat_b"])
TOY_SVC = SVC().fit(TOY, TOY_Y)  # no predict_proba
TOY_KMEANS = KMeans(n_clusters=2, n_init=1, random_state=0).fit(TOY)
TOY_GBR = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(TOY, TOY["feat_a"] * 2 + TOY["feat_b"])
TOY_RF = RandomForestClassifier(n_estimators=20, random_state=0).fit(TOY, TOY_Y)


def f_toy(X):
    return TOY_LR.predict_proba(X)[:, 1]


def f_heart():
    from xaibook.predict import prediction_function
    return prediction_function(H_LOG, scale="log-odds")


def close(a, b, tol=1e-9):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=tol, rtol=0)


# --------------------------------------------------------------------------------------------
# importance
# --------------------------------------------------------------------------------------------
from xaibook import importance as imp  # noqa: E402

_PI_REF = None


def _pi_reference():
    global _PI_REF
    if _PI_REF is None:
        _PI_REF = imp.permutation_importance(H_LOG, heart.X_test, heart.y_test, n_repeats=2)
    return _PI_REF


@case("y index misaligned", "y", check=lambda r: close(r.baseline_score, _pi_reference().baseline_score))
def pi_y_sorted_index():
    return imp.permutation_importance(H_LOG, heart.X_test, heart.y_test.sort_index(), n_repeats=2)


@case("y index misaligned", "y")
def pi_y_reset_index():
    return imp.permutation_importance(H_LOG, heart.X_test, heart.y_test.reset_index(drop=True), n_repeats=2)


@case("y index misaligned", "y", check=lambda r: close(r.results["test"].baseline_score,
                                                        _pi_reference().baseline_score))
def tti_y_sorted_index():
    return imp.train_test_importance(H_LOG, heart.X_train, heart.y_train, heart.X_test,
                                     heart.y_test.sort_index(), n_repeats=2)


@case("y index misaligned", "y", check=lambda r: close(
    r.baseline_score, imp.drop_column_importance(models.make_model("heart", "logistic"), heart.X_train,
                                                 heart.y_train, heart.X_test, heart.y_test,
                                                 features=["age"]).baseline_score))
def dci_y_sorted_index():
    return imp.drop_column_importance(models.make_model("heart", "logistic"), heart.X_train,
                                      heart.y_train.sort_index(), heart.X_test, heart.y_test, features=["age"])


@case("unfitted model", "model", check=None)
def pi_unfitted():
    return imp.permutation_importance(LogisticRegression(), TOY, TOY_Y)


@case("unfitted model", "NotFittedError")
def pi_unfitted_is_notfitted():
    from sklearn.exceptions import NotFittedError
    try:
        imp.permutation_importance(LogisticRegression(), TOY, TOY_Y)
    except NotFittedError as err:
        raise ValueError(f"NotFittedError: {err}") from err
    except ValueError as err:
        raise ValueError(f"plain ValueError (not NotFittedError): {err}") from None


@case("not a classifier or regressor", "model")
def pi_kmeans():
    return imp.permutation_importance(TOY_KMEANS, TOY, TOY_Y)


@case("scorer", "scoring")
def pi_metric_as_scorer():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, scoring=roc_auc_score, n_repeats=2)


@case("scorer", "scoring")
def pi_unknown_scorer():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, scoring="auc", n_repeats=2)


@case("degenerate data", "X", "y", "row")
def pi_one_row():
    return imp.permutation_importance(H_LOG, heart.X_test.iloc[:1], heart.y_test.iloc[:1], scoring="roc_auc")


@case("degenerate data", "y", "class")
def pi_one_class():
    keep = heart.y_test == 1
    return imp.permutation_importance(H_LOG, heart.X_test[keep], heart.y_test[keep], scoring="roc_auc",
                                      n_repeats=2)


@case("counts", "n_repeats")
def pi_zero_repeats():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=0)


@case("counts", "n_repeats")
def pi_float_repeats():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=2.5)


@case("memory", "n_repeats")
def pi_huge_repeats():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=10**9)


@case("random_state", "random_state")
def pi_random_state_none():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, random_state=None)


@case("random_state", "random_state")
def pi_random_state_float():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, random_state=1.5)


@case("X type", "X", "DataFrame")
def pi_numpy_X():
    return imp.permutation_importance(TOY_LR, TOY.to_numpy(), TOY_Y)


@case("columns", "X", "missing", "column")
def pi_missing_column():
    return imp.permutation_importance(TOY_LR, TOY[["feat_a", "feat_b"]], TOY_Y)


@case("NaN/inf in X", "feat_a")
def pi_inf_in_X():
    return imp.permutation_importance(TOY_LR, TOY.assign(feat_a=np.r_[np.inf, TOY["feat_a"][1:]]), TOY_Y)


@case("NaN/inf in X", "y")
def pi_nan_in_y():
    return imp.permutation_importance(TOY_LR, TOY, np.r_[np.nan, TOY_Y[1:]])


@case("shapes", "y")
def pi_y_2d():
    return imp.permutation_importance(TOY_LR, TOY, np.c_[TOY_Y, TOY_Y])


@case("shapes", "y")
def pi_y_short():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y[:-1])


@case("shapes", "y")
def pi_y_scalar():
    return imp.permutation_importance(TOY_LR, TOY, 1)


@case("string in numeric column", "age")
def pi_string_in_numeric():
    X = heart.X_test.astype({"age": object}).copy()
    X.iloc[0, X.columns.get_loc("age")] = "sixty"
    return imp.permutation_importance(H_LOG, X, heart.y_test, n_repeats=1)


@case("unknown category", "purpose", "car(new)")
def pi_category_typo():
    X = credit.X_test.copy()
    X["purpose"] = X["purpose"].replace({"car (new)": "car(new)"})
    return imp.permutation_importance(C_LOG, X, credit.y_test, n_repeats=1)


@case("features", "groups")
def gpi_groups_string():
    return imp.grouped_permutation_importance(TOY_LR, TOY, TOY_Y, groups="feat_a")


@case("features", "groups", "feat_z")
def gpi_groups_unknown():
    return imp.grouped_permutation_importance(TOY_LR, TOY, TOY_Y, groups={"g": ["feat_z"]})


@case("features", "conditional_on", "feat_z")
def cpi_unknown_feature():
    return imp.conditional_permutation_importance(TOY_LR, TOY, TOY_Y, {"feat_a": ["feat_z"]})


@case("features", "conditional_on", check=lambda r: r.feature_names == ("feat_a",))
def cpi_partner_string():
    return imp.conditional_permutation_importance(TOY_LR, TOY, TOY_Y, {"feat_a": "feat_b"}, n_repeats=2)


@case("features", "conditional_on")
def cpi_not_a_dict():
    return imp.conditional_permutation_importance(TOY_LR, TOY, TOY_Y, ["feat_a"])


@case("counts", "n_bins")
def cpi_zero_bins():
    return imp.conditional_permutation_importance(TOY_LR, TOY, TOY_Y, {"feat_a": "feat_b"}, n_bins=0)


@case("random_state", "random_state")
def cpi_random_state_none():
    return imp.conditional_permutation_importance(TOY_LR, TOY, TOY_Y, {"feat_a": "feat_b"}, random_state=None)


@case("features", "scorings")
def compare_scorings_one_string():
    return imp.compare_scorings(TOY_LR, TOY, TOY_Y, "roc_auc")


@case("features", "features", check=lambda r: list(r.feature_names) == ["age"])
def dci_features_string():
    return imp.drop_column_importance(models.make_model("heart", "logistic"), heart.X_train, heart.y_train,
                                      heart.X_test, heart.y_test, features="age")


@case("features", "features")
def dci_features_empty():
    return imp.drop_column_importance(models.make_model("heart", "logistic"), heart.X_train, heart.y_train,
                                      heart.X_test, heart.y_test, features=[])


@case("comparison mismatch", "feature")
def comparison_different_features():
    a = imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=2)
    b = imp.PermutationImportance(np.zeros((2, 2)), ("feat_a", "feat_z"), 0.5, "accuracy")
    return imp.ImportanceComparison({"one": a, "two": b}).ranks()


@case("model type", "models")
def compare_models_list():
    return imp.compare_models([TOY_LR], TOY, TOY_Y)


@case("model type", "model", "feature_importances_", "Pipeline")
def impurity_of_logistic():
    return imp.impurity_importance(H_LOG)


@case("batch", "batch")
def pi_batch_bad():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, batch="yes")


@case("counts", "batch_size")
def pi_batch_size_zero():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, batch_size=0)


# --------------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------------
from xaibook import predict  # noqa: E402


@case("hard labels", "predict_proba", "probabilit")
def pf_svc_labels():
    return predict.prediction_function(TOY_SVC)(TOY)


@case("not a classifier or regressor", "model")
def pf_kmeans():
    return predict.prediction_function(TOY_KMEANS)(TOY)


@case("unfitted model", "model")
def pf_unfitted():
    return predict.prediction_function(LogisticRegression())


@case("unknown category", "purpose", "car(new)")
def pf_category_typo():
    row = credit.X_test.iloc[[0]].assign(purpose="car(new)")
    return predict.prediction_function(C_BOOST)(row)


@case("unknown category", "sex")
def pf_category_typo_heart():
    row = heart.X_test.iloc[[0]].assign(sex="Male")
    return predict.prediction_function(H_LOG)(row)


@case("string in numeric column", "age")
def pf_string_in_numeric():
    row = heart.X_test.iloc[[0]].astype({"age": object}).assign(age="sixty")
    return predict.prediction_function(H_LOG)(row)


@case("options", "scale")
def pf_bad_scale():
    return predict.prediction_function(H_LOG, scale="logit")


@case("options", "target_class")
def pf_bad_class():
    return predict.prediction_function(H_LOG, target_class=7)


@case("options", "scale", "target_class")
def apf_function_with_scale():
    return predict.as_prediction_function(f_toy, scale="log-odds")


@case("model type", "model")
def apf_not_model():
    return predict.as_prediction_function("boosting")


@case("columns", "X", "missing")
def pf_wrong_columns():
    return predict.prediction_function(H_LOG)(heart.X_test.drop(columns="age"))


# --------------------------------------------------------------------------------------------
# dependence
# --------------------------------------------------------------------------------------------
from xaibook import dependence as dep  # noqa: E402


def _pdp_sorted_ok(r):
    return bool(np.all(np.diff(r.grid.astype(float)) > 0)) and close(r.average, r.individual.mean(axis=0))


@case("unsorted grid", "grid", check=_pdp_sorted_ok)
def pdp_unsorted_grid():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid=[60, 40, 50])


@case("unsorted grid", "grid", check=lambda r: bool(np.all(r.centered().average[np.argmin(r.grid)] == 0)))
def pdp_unsorted_grid_centring():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid=[70, 40, 50])


@case("hard labels", "predict_proba", "probabilit")
def pdp_svc():
    return dep.partial_dependence(TOY_SVC, TOY, "feat_a")


@case("not a classifier or regressor", "model", "f")
def pdp_kmeans():
    return dep.partial_dependence(TOY_KMEANS, TOY, "feat_a")


@case("features", "feature")
def pdp_unknown_feature():
    return dep.partial_dependence(H_LOG, heart.X_test, "agee")


@case("features", "features", "pair")
def pdp2d_one_string():
    return dep.partial_dependence_2d(H_LOG, heart.X_test, "age")


@case("features", "feature")
def pdp_feature_list():
    return dep.partial_dependence(H_LOG, heart.X_test, ["age", "cholesterol"])


@case("counts", "grid_resolution")
def pdp_grid_resolution_one():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid_resolution=1)


@case("counts", "batch_size")
def pdp_batch_zero():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", batch_size=0)


@case("memory", "batch_size", check=lambda r: r.calls <= 1000 and r.biggest <= 50)
def pdp_batch_respected():
    calls = []

    def f(X):
        calls.append(len(X))
        return f_toy(X)
    dep.partial_dependence(f, TOY, "feat_a", grid=np.linspace(-1, 1, 200), batch_size=50)

    class R:
        pass
    r = R()
    r.calls, r.biggest = len(calls), max(calls)
    return r


@case("f output", "f", "non-finite", "NaN")
def pdp_nan_output():
    return dep.partial_dependence(lambda X: np.full(len(X), np.nan), TOY, "feat_a")


@case("f output", "f", "shape")
def pdp_wrong_shape():
    return dep.partial_dependence(lambda X: np.zeros((len(X), 2)), TOY, "feat_a")


@case("f output", "f")
def pdp_not_callable():
    return dep.partial_dependence(42, TOY, "feat_a")


@case("grid", "grid")
def pdp_grid_2d():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid=[[40, 50]])


@case("grid", "grid", "outside")
def pdp_grid_outside():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid=[10, 200])


@case("grid", "grid")
def pdp_grid_strings_numeric():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", grid=["a", "b"])


@case("grid", "percentiles")
def pdp_bad_percentiles():
    return dep.partial_dependence(H_LOG, heart.X_test, "age", percentiles=(0.9, 0.1))


@case("X type", "X", "DataFrame")
def pdp_numpy():
    return dep.partial_dependence(f_toy, TOY.to_numpy(), "feat_a")


@case("NaN/inf in X", "feat_a")
def pdp_inf():
    return dep.partial_dependence(f_toy, TOY.assign(feat_a=np.r_[np.inf, TOY["feat_a"][1:]]), "feat_b")


@case("counts", "n_samples")
def pdp_n_samples_zero():
    return dep.partial_dependence(f_toy, TOY, "feat_a", n_samples=0)


@case("random_state", "random_state")
def pdp_random_state_none():
    return dep.partial_dependence(f_toy, TOY, "feat_a", n_samples=10, random_state=None)


@case("counts", "grid_resolution")
def ale_grid_resolution_zero():
    return dep.ale(f_toy, TOY, "feat_a", grid_resolution=0)


@case("features", "feature", "categorical")
def ale_categorical():
    return dep.ale(H_LOG, heart.X_test, "sex")


@case("counts", "grid_resolution")
def mplot_grid_resolution_zero():
    return dep.marginal_plot(f_toy, TOY, "feat_a", grid_resolution=0)


@case("features", "feature", "categorical")
def mplot_categorical():
    return dep.marginal_plot(H_LOG, heart.X_test, "sex")


@case("features", "categorical")
def ice_derivatives_categorical():
    return dep.ice_derivatives(dep.partial_dependence(H_LOG, heart.X_test, "sex"))


@case("result type", "PartialDependence")
def ice_derivatives_not_a_result():
    return dep.ice_derivatives(dep.ale(f_toy, TOY, "feat_a"))


@case("features", "features")
def h_same_feature():
    return dep.h_statistic(f_toy, TOY, ("feat_a", "feat_a"))


@case("NaN/inf in X", "synthetic", "feat_a")
def off_data_inf():
    return dep.off_data_share(TOY, TOY.assign(feat_a=np.inf))


@case("options", "quantile")
def off_data_quantile():
    return dep.off_data_share(TOY, TOY, quantile=1.5)


@case("unknown category", "sex", "Male")
def pdp_unseen_category_model():
    return dep.partial_dependence(H_LOG, heart.X_test, "sex", grid=["Male"], allow_extrapolation=True)


# --------------------------------------------------------------------------------------------
# shapley
# --------------------------------------------------------------------------------------------
from xaibook import shapley as sh  # noqa: E402


def _typical_row_truncation_ok(r):
    """With a float 'typical row' background, the hybrid rows must keep the float values."""
    X = heart.X_test.iloc[[0]]
    bg = _typical_row()
    f = f_heart()
    # for a logistic model on the log-odds scale, phi_j = f(x_j, b_rest) - f(b) exactly
    one = bg.copy()
    one["major_vessels"] = X["major_vessels"].to_numpy()
    expected = f(one)[0] - f(bg)[0]
    j = list(X.columns).index("major_vessels")
    return close(r.values[0, j], expected, 1e-6)


def _typical_row():
    X = heart.X_train
    row = X.iloc[[0]].copy()
    for c in X.columns:
        if pd.api.types.is_numeric_dtype(X[c]):
            row[c] = X[c].mean()
        else:
            row[c] = X[c].mode()[0]
    return row


@case("background dtype", "background", check=_typical_row_truncation_ok)
def exact_float_background():
    return sh.exact_shapley(f_heart(), heart.X_test.iloc[[0]], _typical_row())


@case("background dtype", "background", check=_typical_row_truncation_ok)
def sampling_float_background():
    return sh.sampling_shapley(f_heart(), heart.X_test.iloc[[0]], _typical_row(), n_permutations=50)


@case("background dtype", "background", check=_typical_row_truncation_ok)
def kernel_float_background():
    return sh.kernel_shap(f_heart(), heart.X_test.iloc[[0]], _typical_row(), n_samples=2**13)


@case("f output", "f", "non-finite", "NaN")
def exact_nan_output():
    def f(X):
        out = f_toy(X)
        out[X["feat_a"].to_numpy() > 1] = np.nan
        return out
    return sh.exact_shapley(f, TOY.iloc[:3], TOY.iloc[:40])


@case("f output", "f", "non-finite", "NaN")
def kernel_nan_output():
    def f(X):
        out = f_toy(X)
        out[X["feat_a"].to_numpy() > 1] = np.nan
        return out
    return sh.kernel_shap(f, TOY.iloc[:3], TOY.iloc[:40])


@case("hard labels", "predict_proba", "probabilit")
def exact_svc():
    return sh.exact_shapley(predict.as_prediction_function(TOY_SVC), TOY.iloc[:2], TOY.iloc[:20])


@case("model type", "f", "prediction function", "neither a classifier nor a regressor")
def exact_model_not_f():
    return sh.exact_shapley(TOY_KMEANS, TOY.iloc[:2], TOY.iloc[:20])


@case("dummy feature", "", check=lambda r: bool(np.all(r.values[:, 2] == 0)))
def exact_dummy_exact_zero():
    X = TOY.assign(feat_c=1.0)
    return sh.exact_shapley(lambda d: 1 / (1 + np.exp(-(d["feat_a"] * 1.3 + d["feat_b"] * 0.7 + d["feat_c"] * 0.1))).to_numpy(),
                            X.iloc[:5], X.iloc[5:60])


@case("dummy feature", "", check=lambda r: bool(np.all(r.values[:, 2] == 0)))
def sampling_dummy_exact_zero():
    X = TOY.assign(feat_c=1.0)
    return sh.sampling_shapley(lambda d: 1 / (1 + np.exp(-(d["feat_a"] * 1.3 + d["feat_b"] * 0.7 + d["feat_c"] * 0.1))).to_numpy(),
                               X.iloc[:5], X.iloc[5:60], n_permutations=20)


def _tree_big_background_ok(r):
    bg = TOY.iloc[:150]
    ref = sh.exact_shapley(lambda d: TOY_RF.predict_proba(d)[:, 1], TOY.iloc[150:152], bg)
    return close(r.values, ref.values, 1e-6) and close(r.base_value, ref.base_value, 1e-9)


@case("background subsampled", "background", check=_tree_big_background_ok)
def tree_shap_big_background():
    return sh.tree_shap(TOY_RF, TOY.iloc[150:152], TOY.iloc[:150])


@case("regressor", check=lambda r: close(r.efficiency_gap(), 0, 1e-6))
def tree_shap_regressor():
    return sh.tree_shap(TOY_GBR, TOY.iloc[:3], TOY.iloc[3:40])


@case("model type", "model", "tree")
def tree_shap_linear():
    return sh.tree_shap(TOY_LR, TOY.iloc[:3], TOY.iloc[3:40])


@case("unfitted model", "model")
def path_dependent_unfitted():
    return sh.path_dependent_shap(RandomForestClassifier(), TOY.iloc[:2])


@case("model type", "model", "tree")
def path_dependent_linear():
    return sh.path_dependent_shap(TOY_LR, TOY.iloc[:3])


@case("options", "log-odds")
def path_dependent_boosting_probability():
    return sh.path_dependent_shap(H_BOOST, heart.X_test.iloc[:2], scale="probability")


@case("regressor", check=lambda r: close(r.efficiency_gap(), 0, 1e-9))
def path_dependent_regressor():
    return sh.path_dependent_shap(TOY_GBR, TOY.iloc[:3])


@case("unknown category", "thal", "unknown")
def path_dependent_unknown_category():
    return sh.path_dependent_interactions(H_BOOST, heart.X_test.iloc[:2].assign(thal="unknown"), scale="log-odds")


@case("wrong shape", "one row")
def path_dependent_value_two_rows():
    return sh.path_dependent_value(TOY_RF, TOY.iloc[:2], ["feat_a"])


@case("unknown feature", "nope")
def path_dependent_value_unknown_feature():
    return sh.path_dependent_value(TOY_RF, TOY.iloc[[0]], ["nope"])


@case("memory", "max_features")
def exact_many_features():
    X = pd.DataFrame(rng.normal(size=(2, 24)), columns=[f"x{i}" for i in range(24)])
    return sh.exact_shapley(lambda d: d.sum(axis=1).to_numpy(), X, X, max_features=24)


@case("memory", "n_permutations")
def sampling_huge_permutations():
    return sh.sampling_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10], n_permutations=10**9)


@case("counts", "n_permutations")
def sampling_one_permutation():
    return sh.sampling_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10], n_permutations=1)


@case("counts", "n_samples")
def kernel_zero_samples():
    return sh.kernel_shap(f_toy, TOY.iloc[:2], TOY.iloc[:10], n_samples=0)


@case("columns", "background")
def shap_background_columns():
    return sh.exact_shapley(f_toy, TOY.iloc[:2], TOY[["feat_a", "feat_b"]].iloc[:10])


@case("X type", "X", "DataFrame")
def shap_series_row():
    return sh.exact_shapley(f_toy, TOY.iloc[0].to_numpy(), TOY.iloc[:10])


@case("NaN/inf in X", "feat_a")
def shap_inf_background():
    return sh.exact_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10].assign(feat_a=np.inf))


@case("random_state", "random_state")
def kernel_random_state_none():
    return sh.kernel_shap(f_toy, TOY.iloc[:2], TOY.iloc[:10], random_state=None)


@case("unknown category", "purpose", "car(new)")
def kernel_category_typo():
    f = predict.prediction_function(C_BOOST)
    return sh.kernel_shap(f, credit.X_test.iloc[[0]].assign(purpose="car(new)"), credit.X_train.iloc[:10],
                          n_samples=200)


@case("category codes", "code", "-1", "range")
def codes_decode_negative():
    codes = sh.CategoryCodes(heart.X_test)
    arr = codes.encode(heart.X_test.iloc[[0]]).to_numpy()
    arr[0, list(heart.X_test.columns).index("sex")] = -1
    return codes.decode(arr)


@case("category codes", "code", "1.5", "integer")
def codes_decode_fraction():
    codes = sh.CategoryCodes(heart.X_test)
    arr = codes.encode(heart.X_test.iloc[[0]]).to_numpy()
    arr[0, list(heart.X_test.columns).index("sex")] = 0.5
    return codes.decode(arr)


@case("features", "feature")
def interaction_unknown_feature():
    r = sh.exact_shapley(f_toy, TOY.iloc[:20], TOY.iloc[:10])
    return sh.interaction_strength(r, "feat_z")


@case("result type", "explanation", "ShapleyResult")
def to_shap_wrong_type():
    return sh.to_shap_explanation({"values": 1})


@case("shapes", "position")
def explain_row_out_of_range():
    r = sh.exact_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10])
    return r.explain_row(5)


@case("unfitted model", "model")
def tree_shap_unfitted():
    return sh.tree_shap(RandomForestClassifier(), TOY.iloc[:2], TOY.iloc[:10])


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------
@case("shared model", "", check=lambda r: r)
def get_model_is_safe_copy():
    a = models.get_model("heart", "tree")
    a.set_params(model__max_depth=1)
    b = models.get_model("heart", "tree")
    a.set_params(model__max_depth=3)  # undo, in case it is shared
    return b.get_params()["model__max_depth"] == 3 and b is not a


@case("model cache", "cache", check=lambda r: r)
def get_model_rejects_foreign_pickle():
    import os
    import tempfile
    from pathlib import Path

    import joblib
    old = os.environ.get("XAIBOOK_CACHE_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XAIBOOK_CACHE_DIR"] = tmp
        try:
            path = models.cache_dir() / f"heart-tree-{models.cache_key()}.joblib"
            path.parent.mkdir(parents=True)
            joblib.dump({"not": "a model"}, path)
            models.get_model.cache_clear() if hasattr(models.get_model, "cache_clear") else None
            for fn in vars(models).values():
                if hasattr(fn, "cache_clear"):
                    fn.cache_clear()
            got = models.get_model("heart", "tree")
            leftovers = [p for p in Path(tmp).rglob("*.tmp")]
            return hasattr(got, "predict_proba") and not leftovers
        finally:
            for fn in vars(models).values():
                if hasattr(fn, "cache_clear"):
                    fn.cache_clear()
            if old is None:
                os.environ.pop("XAIBOOK_CACHE_DIR", None)
            else:
                os.environ["XAIBOOK_CACHE_DIR"] = old


@case("options", "model", "tree2")
def get_model_unknown_name():
    return models.get_model("heart", "tree2")


@case("options", "case", "hearts")
def get_model_unknown_case():
    return models.get_model("hearts", "tree")


@case("degenerate data", "y_true", "proba", "empty")
def ece_empty():
    return evaluation.expected_calibration_error([], [])


@case("counts", "bins")
def ece_zero_bins():
    return evaluation.expected_calibration_error([0, 1], [0.2, 0.8], bins=0)


@case("shapes", "y_true", "proba")
def ece_length_mismatch():
    return evaluation.expected_calibration_error([0, 1, 1], [0.2, 0.8])


@case("options", "proba", "[0, 1]")
def ece_not_probability():
    return evaluation.expected_calibration_error([0, 1], [-3.0, 5.0])


# --------------------------------------------------------------------------------------------
# glassbox
# --------------------------------------------------------------------------------------------
from xaibook import glassbox as gb  # noqa: E402


def _lc_reference():
    return gb.logistic_coefficients(H_LOG, heart.X_train, heart.y_train, method="bootstrap",
                                    n_bootstrap=20)


@case("y index misaligned", "y", check=lambda r: close(r.table["ci_low"], _lc_reference().table["ci_low"]))
def lc_y_sorted_index():
    return gb.logistic_coefficients(H_LOG, heart.X_train, heart.y_train.sort_index(), method="bootstrap",
                                    n_bootstrap=20)


@case("hang", "y", "class")
def lc_bootstrap_one_class():
    return gb.logistic_coefficients(H_LOG, heart.X_train, np.zeros(len(heart.X_train), dtype=int),
                                    method="bootstrap", n_bootstrap=20)


@case("labels", "y", "classes")
def lc_bootstrap_other_labels():
    y = np.where(heart.y_train.to_numpy() == 1, "disease", "healthy")
    return gb.logistic_coefficients(H_LOG, heart.X_train, y, method="bootstrap", n_bootstrap=20)


@case("degenerate data", "X", "row")
def lc_one_row():
    return gb.logistic_coefficients(H_LOG, heart.X_train.iloc[:1])


@case("options", "method")
def lc_bad_method():
    return gb.logistic_coefficients(H_LOG, heart.X_train, method="exact")


@case("model type", "pipeline", "LogisticRegression")
def lc_tree_model():
    return gb.logistic_coefficients(H_TREE, heart.X_train)


@case("y index misaligned", "y", check=lambda r: r.to_frame().equals(
    gb.refit_trees(H_TREE, heart.X_train, heart.y_train, n_refits=2).to_frame()))
def refit_y_sorted_index():
    return gb.refit_trees(H_TREE, heart.X_train, heart.y_train.sort_index(), n_refits=2)


@case("counts", "n_refits")
def refit_zero():
    return gb.refit_trees(H_TREE, heart.X_train, heart.y_train, n_refits=0)


@case("y index misaligned", "y", check=lambda r: close(r.auc_a, roc_auc_score(heart.y_test, H_LOG.predict_proba(heart.X_test)[:, 1])))
def auc_y_sorted_index():
    pa = pd.Series(H_LOG.predict_proba(heart.X_test)[:, 1], index=heart.X_test.index)
    pb = pd.Series(H_TREE.predict_proba(heart.X_test)[:, 1], index=heart.X_test.index)
    return ev.paired_auc_difference(heart.y_test.sort_index(), pa, pb, n_bootstrap=50)


@case("degenerate data", "n_bootstrap", check=lambda r: r.n_bootstrap == 200)
def auc_lowers_n_bootstrap():
    y = np.r_[1, np.zeros(29, dtype=int)]
    p = np.linspace(0, 1, 30)
    return ev.paired_auc_difference(y, p, p[::-1], n_bootstrap=200)


@case("shapes", "proba_a", "y")
def auc_shape():
    return ev.paired_auc_difference([0, 1, 0, 1], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.4])


@case("NaN/inf in X", "proba_a", "NaN", "finite")
def auc_nan():
    return ev.paired_auc_difference([0, 1, 0, 1], [0.1, np.nan, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])


@case("features", "features", check=lambda r: r.features == ("age",))
def whatif_features_string():
    return gb.whatif_spec(H_LOG, heart.X_test.iloc[[0]], "age")


@case("features", "features")
def whatif_features_empty():
    return gb.whatif_spec(H_LOG, heart.X_test.iloc[[0]], [])


@case("shapes", "row")
def whatif_two_rows():
    return gb.whatif_spec(H_LOG, heart.X_test.iloc[:2], ["age"])


@case("options", "quantiles")
def whatif_bad_quantiles():
    return gb.whatif_spec(H_LOG, heart.X_test.iloc[[0]], ["age"], quantiles=(0.5,))


@case("features", "age", "slider", "values")
def whatif_unknown_slider():
    spec = gb.whatif_spec(H_LOG, heart.X_test.iloc[[0]], ["age"])
    return spec.probability_at({"agee": 50})


@case("options", "confidence")
def lc_bad_confidence():
    return gb.logistic_coefficients(H_LOG, heart.X_train, confidence=95)


@case("features", "coefficient", "zz")
def lc_correlation_unknown():
    return gb.logistic_coefficients(H_LOG, heart.X_train).correlation("zz", "age")


@case("model type", "model", "DecisionTree")
def tree_rules_logistic():
    return gb.tree_rules(H_LOG)


@case("shapes", "row")
def decision_path_two_rows():
    return gb.decision_path(H_TREE, heart.X_test.iloc[:2])


@case("options", "target_class")
def decision_path_bad_class():
    return gb.decision_path(H_TREE, heart.X_test.iloc[[0]], target_class="sick")


@case("unknown category", "sex", "Male")
def decision_path_category_typo():
    return gb.decision_path(H_TREE, heart.X_test.iloc[[0]].assign(sex="Male"))


@case("unknown category", "sex", "Male")
def contributions_category_typo():
    return gb.logistic_contributions(H_LOG, heart.X_test.iloc[[0]].assign(sex="Male"), heart.X_train)


@case("features", "features")
def shape_functions_string():
    gam = gb.spline_gam(heart.X_train, heart.y_train)
    return gb.shape_functions(gam, heart.X_train, "sex")


@case("features", "numeric_features")
def gam_numeric_string():
    return gb.spline_gam(heart.X_train, heart.y_train, numeric_features="sex")


@case("counts", "grid_resolution")
def shape_functions_zero_points():
    gam = gb.spline_gam(heart.X_train, heart.y_train)
    return gb.shape_functions(gam, heart.X_train, grid_resolution=0)


# --------------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------------
from xaibook.charts import dependence as dep_charts  # noqa: E402
from xaibook.charts import importance as imp_charts  # noqa: E402
from xaibook.charts import shapley as shap_charts  # noqa: E402


def _pdp(feature, X=None, f=None):
    return dep.partial_dependence(f or H_LOG, heart.X_test if X is None else X, feature)


@case("chart mismatch", "feature", "ale_result", "pdp_result")
def ale_vs_pdp_features_differ():
    return dep_charts.ale_vs_pdp_chart(dep.ale(H_LOG, heart.X_test, "age"), _pdp("cholesterol"))


@case("chart mismatch", "bins", "grid")
def three_effects_bins_differ():
    effect = dep.ale(H_LOG, heart.X_test, "age")
    return dep_charts.three_effects_chart(dep.marginal_plot(H_LOG, heart.X_test, "age", grid_resolution=5),
                                          effect, _pdp("age"))


@case("chart mismatch", "result", "rows", "results")
def linked_ice_different_rows():
    return dep_charts.linked_ice_chart([_pdp("age"), _pdp("cholesterol", X=heart.X_train)])


@case("chart mismatch", "results", "feature")
def shap_compare_different_features():
    a = sh.exact_shapley(f_toy, TOY.iloc[:1], TOY.iloc[:10])
    X2 = TOY.rename(columns={"feat_c": "feat_d"})
    b = sh.exact_shapley(lambda d: f_toy(d.rename(columns={"feat_d": "feat_c"})), X2.iloc[:1], X2.iloc[:10])
    return shap_charts.comparison_chart({"one": a, "two": b})


@case("chart mismatch", "results", "row")
def shap_compare_different_rows():
    a = sh.exact_shapley(f_toy, TOY.iloc[:1], TOY.iloc[:10])
    b = sh.exact_shapley(f_toy, TOY.iloc[1:2], TOY.iloc[:10])
    return shap_charts.comparison_chart({"one": a, "two": b})


@case("chart mismatch", "result", "PartialDependence")
def ice_chart_wrong_type():
    return dep_charts.ice_chart(dep.ale(H_LOG, heart.X_test, "age"))


@case("chart mismatch", "result", "ShapleyResult")
def waterfall_wrong_type():
    return shap_charts.waterfall_chart(_pdp("age"))


@case("counts", "top")
def importance_chart_top_zero():
    return imp_charts.importance_spread_chart(imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=2), top=0)


@case("features", "feature")
def shap_dependence_unknown():
    r = sh.exact_shapley(f_toy, TOY.iloc[:20], TOY.iloc[:10])
    return shap_charts.dependence_chart(r, "feat_z")


@case("chart mismatch", "comparison", "labels")
def train_test_chart_wrong_labels():
    c = imp.compare_models({"x": TOY_LR, "y": TOY_LR}, TOY, TOY_Y, n_repeats=2)
    return imp_charts.train_test_chart(c)


# --------------------------------------------------------------------------------------------
# render, exercises
# --------------------------------------------------------------------------------------------
from xaibook import (
    exercises,  # noqa: E402
    render,  # noqa: E402
)
from xaibook.exercises import dependence as ex_pd  # noqa: E402


@case("options", "scale")
def png_scale_zero():
    import altair as alt
    return render.spec_to_png(alt.Chart(TOY).mark_point().encode(x="feat_a").to_dict(), scale=0)


@case("options", "scale")
def png_scale_negative():
    import altair as alt
    return render.spec_to_png(alt.Chart(TOY).mark_point().encode(x="feat_a").to_dict(), scale=-1)


@case("options", "spec")
def html_spec_not_dict():
    return render.spec_to_html("not a spec")


@case("counts", "top", check=lambda r: not r.correct)
def check_ranking_top_zero():
    return exercises.check_ranking(["b", "a"], ["a", "b"], top=0)


@case("counts", "top")
def check_ranking_top_negative():
    return exercises.check_ranking(["b", "a"], ["a", "b"], top=-1)


@case("options", "tolerance")
def check_number_negative_tolerance():
    return exercises.check_number(1.0, 1.0, tolerance=-1)


@case("options", "expected")
def check_ranking_expected_empty():
    return exercises.check_ranking(["a"], [])


@case("options", "expected")
def check_number_expected_nan():
    return exercises.check_number(1.0, float("nan"))


def _pairs_used(r):
    return set(r) == {("age", "cholesterol")}


@case("ignored argument", "pairs", check=_pairs_used)
def interaction_strengths_pairs():
    try:
        return ex_pd.interaction_strengths(pairs=[("age", "cholesterol")], n_samples=30)
    except TypeError:  # before the renames of issue 10
        return ex_pd.interaction_strengths(pairs=[("age", "cholesterol")], sample=30)



# --------------------------------------------------------------------------------------------
# a second sweep: inputs the first audit (issue 11) did not list
# --------------------------------------------------------------------------------------------
@case("labels", "y", "classes")
def pi_y_other_labels():
    y = np.where(heart.y_test.to_numpy() == 1, "yes", "no")
    return imp.permutation_importance(H_LOG, heart.X_test, y, n_repeats=1)


@case("labels", "y", "classes")
def tti_y_other_labels():
    y = np.where(heart.y_test.to_numpy() == 1, "yes", "no")
    return imp.train_test_importance(H_LOG, heart.X_train, heart.y_train, heart.X_test, y, n_repeats=1)


@case("shapes", "sample_weight")
def pi_sample_weight_short():
    return imp.permutation_importance(TOY_LR, TOY, TOY_Y, sample_weight=np.ones(3), n_repeats=1)


@case("X type", "X", "DataFrame")
def pi_empty_frame():
    return imp.permutation_importance(TOY_LR, TOY.iloc[:0], TOY_Y.iloc[:0])


@case("X type", "X", "row")
def pdp_empty_frame():
    return dep.partial_dependence(f_toy, TOY.iloc[:0], "feat_a")


@case("X type", "X", "DataFrame")
def pdp_series_X():
    return dep.partial_dependence(f_toy, TOY["feat_a"], "feat_a")


@case("degenerate data", "n_samples", "rows")
def h_one_row():
    return dep.h_statistic(f_toy, TOY, ("feat_a", "feat_b"), n_samples=1)


@case("unsorted grid", "grids", check=lambda r: all(np.all(np.diff(g.astype(float)) > 0) for g in r.grids))
def pdp2d_unsorted_grids():
    return dep.partial_dependence_2d(f_toy, TOY, ("feat_a", "feat_b"), grids=([0.5, -0.5], [0.3, -0.3]))


@case("options", "allow_extrapolation")
def pdp_extrapolation_string():
    return dep.partial_dependence(f_toy, TOY, "feat_a", grid=[100.0], allow_extrapolation="no")


@case("unknown category", "thal", "unknown")
def tree_shap_background_typo():
    bg = heart.X_train.iloc[:20].assign(thal="unknown")
    return sh.tree_shap(H_BOOST, heart.X_test.iloc[:2], bg)


@case("unknown category", "sex", "Male")
def pdp_heart_X_typo():
    return dep.partial_dependence(H_LOG, heart.X_test.assign(sex="Male"), "age")


@case("memory", "n_samples")
def kernel_huge_samples_many_features():
    X = pd.DataFrame(rng.normal(size=(2, 40)), columns=[f"x{i}" for i in range(40)])
    return sh.kernel_shap(lambda d: d.sum(axis=1).to_numpy(), X, X, n_samples=10**9)


@case("shapes", "position")
def explain_row_string():
    r = sh.exact_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10])
    return r.explain_row("feat_a")


@case("shapes", "rows", "index", "position")
def shapley_result_getitem_out_of_range():
    r = sh.exact_shapley(f_toy, TOY.iloc[:2], TOY.iloc[:10])
    return r[5]


@case("counts", "max_rows")
def beeswarm_zero_rows():
    r = sh.exact_shapley(f_toy, TOY.iloc[:5], TOY.iloc[:10])
    return shap_charts.beeswarm_chart(r, max_rows=0)


@case("counts", "top")
def waterfall_top_zero():
    r = sh.exact_shapley(f_toy, TOY.iloc[:5], TOY.iloc[:10])
    return shap_charts.waterfall_chart(r, top=0)


@case("shapes", "row")
def waterfall_unknown_row():
    r = sh.exact_shapley(f_toy, TOY.iloc[:5], TOY.iloc[:10])
    return shap_charts.waterfall_chart(r, row=10**6)


@case("options", "answer", check=lambda r: not r.correct)
def check_choice_array_answer():
    return exercises.check_choice(np.array(["a", "b"]), "a")


@case("options", "values", "age", "number")
def whatif_probability_text():
    spec = gb.whatif_spec(H_LOG, heart.X_test.iloc[[0]], ["age"])
    return spec.probability_at({"age": "fifty"})


@case("options", "name")
def glue_name_not_string():
    from xaibook.notebook import glue
    return glue(42, 1.0)


@case("options", "name", "case")
def load_case_none():
    return load_case(None)


@case("options", "target_class", "scale", "classifier")
def pf_regressor_target_class():
    return predict.prediction_function(TOY_REG, target_class=1)


@case("features", "groups", "group")
def gpi_groups_empty_list():
    return imp.grouped_permutation_importance(TOY_LR, TOY, TOY_Y, groups={"g": []})


@case("model type", "models", "model")
def compare_models_not_models():
    return imp.compare_models({"a": "not a model"}, TOY, TOY_Y)


@case("counts", "n_bins")
def interaction_strength_one_bin():
    r = sh.exact_shapley(f_toy, TOY.iloc[:20], TOY.iloc[:10])
    return sh.interaction_strength(r, "feat_a", n_bins=1)


@case("NaN/inf in X", "background", "feat_a")
def kernel_nan_background():
    return sh.kernel_shap(f_toy, TOY.iloc[:2], TOY.iloc[:10].assign(feat_a=np.nan))


@case("NaN/inf in X", "y", "missing")
def dci_nan_y():
    y = heart.y_train.astype(float).copy()
    y.iloc[0] = np.nan
    return imp.drop_column_importance(models.make_model("heart", "logistic"), heart.X_train, y,
                                      heart.X_test, heart.y_test, features=["age"])


@case("random_state", "random_state")
def dci_refit_random_state_in_tree():
    return gb.refit_trees(H_TREE, heart.X_train, heart.y_train, n_refits=2, random_state=-1)


@case("random_state", "random_state", check=lambda r: r[0] == r[1])
def pi_generator_repeatable():
    a = imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=2, random_state=np.random.default_rng(3))
    b = imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=2, random_state=np.random.default_rng(3))
    return (a.importances.tolist(), b.importances.tolist())


@case("shapes", "row", check=lambda r: r.to_frame().equals(gb.logistic_contributions(
    H_LOG, heart.X_test.iloc[[0]], heart.X_train).to_frame()))
def contributions_series_row():
    return gb.logistic_contributions(H_LOG, heart.X_test.iloc[0], heart.X_train)


@case("model type", "coefficients")
def contributions_other_coefficients():
    c = gb.logistic_coefficients(models.get_model("credit", "logistic"), credit.X_train)
    return gb.logistic_contributions(H_LOG, heart.X_test.iloc[[0]], heart.X_train, coefficients=c)


@case("features", "feature_names")
def tree_rules_wrong_names():
    return gb.tree_rules(H_TREE, feature_names=["a", "b"])


@case("counts", "decimals")
def decision_path_negative_decimals():
    return gb.decision_path(H_TREE, heart.X_test.iloc[[0]], decimals=-1)


@case("features", "results", "result")
def pdp_linked_chart_empty():
    return dep_charts.linked_ice_chart([])


@case("chart mismatch", "result", "PermutationImportance")
def importance_chart_wrong_type():
    return imp_charts.importance_spread_chart(_pdp("age"))


# --------------------------------------------------------------------------------------------
# the exercise helpers readers call to see an expected answer
# --------------------------------------------------------------------------------------------
def _exercises(key: str):
    import importlib
    return importlib.import_module(f"xaibook.exercises.{key}")


@case("options", "months")
def ex_duration_text():
    return _exercises("glassbox").duration_odds_factor("x")


@case("features", "feature", "zz")
def ex_feature_importance_unknown():
    return _exercises("importance").feature_importance("zz")


@case("counts", "top")
def ex_top_features_zero():
    return _exercises("importance").top_features(top=0)


@case("features", "feature", "zz")
def ex_toy_value_unknown():
    return _exercises("shapley").toy_value_two_references("zz")


@case("counts", "top")
def ex_global_ranking_zero():
    return _exercises("shapley").global_ranking(top=0)


@case("degenerate data", "age_limit")
def ex_young_rate_empty_group():
    return _exercises("overview").young_bad_risk_rate(age_limit=0)


@case("options", "cost_accept_bad")
def ex_negative_cost():
    return _exercises("overview").cost_optimal_threshold(-1, 1)

# --------------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------------
def _names(name: str, message: str) -> bool:
    """Does ``message`` name ``name``? Short names must stand alone ("X", not the x in "index")."""
    if len(name) <= 3:
        return re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", message) is not None
    return name.lower() in message.lower()


def _address_space() -> int:
    """Bytes of address space this process holds now (Linux; 0 elsewhere): the limit is added to it,
    so a case gets the same head room in a fresh process and in a test worker that loaded more."""
    try:
        with open("/proc/self/status") as status:
            line = next(row for row in status if row.startswith("VmSize:"))
        return int(line.split()[1]) * 1024
    except (OSError, StopIteration, ValueError):
        return 0


def classify(c: Case) -> None:
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    # vl-convert's JavaScript engine reserves a large address space: no limit for the render cases
    limit = resource.RLIM_INFINITY if c.run.__name__.startswith("png_") else _address_space() + MEMORY_LIMIT
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = c.run()
    except Timeout:
        c.outcome, c.detail = "hang", f"no answer in {TIME_LIMIT} s"
        return
    except MemoryError:
        c.outcome, c.detail = "hang", "MemoryError (memory limit)"
        return
    except Exception as err:  # noqa: BLE001 - classifying every failure is the point
        message = f"{type(err).__name__}: {err}"
        named = any(_names(n, message) for n in c.names if n)
        c.outcome = "clear" if named else "raw"
        c.detail = message[:200]
        return
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    if c.check is None:
        c.outcome, c.detail = "silent", f"returned {type(result).__name__} instead of an error"
        return
    try:
        ok = bool(c.check(result))
    except Exception as err:  # noqa: BLE001
        ok, why = False, f"check failed: {type(err).__name__}: {err}"
    else:
        why = "result checked"
    c.outcome = "clear" if ok else "silent"
    c.detail = why if ok else f"returned a wrong result ({why})"


# ----------------------------------------------------------------- Owen values (chapter 5)
@case("unknown feature", "groups", "unknown features", "feat_z")
def owen_unknown_group_feature():
    return sh.owen_values(f_toy, TOY.iloc[:2], TOY.iloc[:10], groups=[["feat_a", "feat_z"]])


@case("f output", "f", "non-finite", "NaN")
def owen_nan_output():
    def f(X):
        out = f_toy(X)
        out[X["feat_a"].to_numpy() > 1] = np.nan
        return out
    return sh.owen_values(f, TOY.iloc[:3], TOY.iloc[:40], groups=[["feat_a", "feat_b"]])


@case("dummy feature", "", check=lambda r: bool(np.all(r.values[:, 2] == 0)))
def owen_dummy_exact_zero():
    X = TOY.assign(feat_c=1.0)
    return sh.owen_values(lambda d: 1 / (1 + np.exp(-(d["feat_a"] * 1.3 + d["feat_b"] * 0.7 + d["feat_c"] * 0.1))).to_numpy(),
                          X.iloc[:5], X.iloc[5:60], groups=[["feat_a", "feat_c"]])


@case("memory", "max_coalitions")
def owen_many_features():
    X = pd.DataFrame(rng.normal(size=(2, 24)), columns=[f"x{i}" for i in range(24)])
    return sh.owen_values(lambda d: d.sum(axis=1).to_numpy(), X, X, groups=[])


@case("string for a list", "groups", "feat_a")  # names where groups go: refused (issue 26), not singletons
def owen_string_group():
    return sh.owen_values(f_toy, TOY.iloc[:2], TOY.iloc[:10], groups=["feat_a"])


# --------------------------------------------------------------------------------------------
# surrogate (LIME, chapter 6): tabular, text, image and SP-LIME
# --------------------------------------------------------------------------------------------
from xaibook import surrogate as lime  # noqa: E402

TOY_X = TOY.iloc[[0]]
_IMAGE = np.random.RandomState(1).uniform(size=(12, 12))
_GRID = lime.grid_segments((12, 12), 3)


def _image_f(batch):
    return np.asarray(batch).mean(axis=(1, 2))


def _text_f(texts):
    return np.array([t.count("good") / 3 for t in texts], dtype=float)


@case("unfitted model", "model", "fitted")
def lime_tabular_unfitted():
    return lime.lime_tabular(LogisticRegression(), TOY, TOY_X, n_samples=200)


@case("X type", "x", "DataFrame")
def lime_tabular_x_array():
    return lime.lime_tabular(f_toy, TOY, TOY_X.to_numpy()[0], n_samples=200)


@case("shapes", "x", "row")
def lime_tabular_two_rows():
    return lime.lime_tabular(f_toy, TOY, TOY.iloc[:2], n_samples=200)


@case("columns", "x", "feat_z")
def lime_tabular_extra_column():
    return lime.lime_tabular(f_toy, TOY, TOY_X.assign(feat_z=1.0), n_samples=200)


@case("columns", "X_train", "feat_c")
def lime_tabular_train_missing_model_column():
    return lime.lime_tabular(TOY_LR, TOY[["feat_a", "feat_b"]], TOY_X[["feat_a", "feat_b"]], n_samples=200)


@case("NaN/inf in X", "X_train", "infinite", "feat_b")
def lime_tabular_inf_in_train():
    return lime.lime_tabular(f_toy, TOY.assign(feat_b=TOY["feat_b"].replace(TOY["feat_b"].iloc[5], np.inf)),
                             TOY_X, n_samples=200)


@case("NaN/inf in X", "x", "feat_a", "missing")
def lime_tabular_nan_in_x():
    return lime.lime_tabular(f_toy, TOY, TOY_X.assign(feat_a=np.nan), n_samples=200)



@case("counts", "batch_size")
def lime_tabular_zero_batch():
    return lime.lime_tabular(f_toy, TOY, TOY_X, n_samples=200, batch_size=0)




@case("options", "discretize")
def lime_tabular_discretize_string():
    return lime.lime_tabular(f_toy, TOY, TOY_X, n_samples=200, discretize="False")


@case("unknown category", "x", "purpose", "car(new)")
def lime_tabular_category_typo():
    x = credit.X_test.iloc[[0]].assign(purpose="car(new)")
    return lime.lime_tabular(C_LOG, credit.X_train, x, n_samples=200)


@case("counts", "batch_size")
def lime_text_negative_batch():
    return lime.lime_text(_text_f, "a good film, good cast", n_samples=100, batch_size=-1)



@case("options", "hide_color")
def lime_image_hide_color_word():
    return lime.lime_image(_image_f, _IMAGE, segments=_GRID, hide_color="black", n_samples=50)



@case("result type", "neighbourhood", "Neighbourhood")
def lime_fit_surrogate_result():
    result = lime.lime_tabular(f_toy, TOY, TOY_X, n_samples=200)
    return lime.fit_surrogate(result, kernel_width=0.5)


@case("options", "kernel_width")
def lime_kernel_zero_width():
    return lime.kernel(np.array([0.0, 0.5, 1.0]), 0.0)


@case("string for a list", "widths")
def lime_width_path_scalar():
    hood = lime.tabular_neighbourhood(f_toy, TOY, TOY_X, n_samples=200)
    return lime.kernel_width_path(hood, 0.5)



@case("result type", "explanations", "LimeResult")
def lime_sp_dict():
    result = lime.lime_tabular(f_toy, TOY, TOY_X, n_samples=200)
    return lime.submodular_pick({"first": result}, n_picks=1)


# --------------------------------------------------------------------------------------------
# counterfactual (chapter 8)
# --------------------------------------------------------------------------------------------
from xaibook import counterfactual as cf  # noqa: E402

CF_X = credit.X_test.iloc[[0]]


@case("unfitted model", "model", "fitted")
def cfx_unfitted():
    return cf.counterfactuals(models.make_model("credit", "logistic"), CF_X, credit.X_train)


@case("shapes", "x", "row")
def cfx_two_rows():
    return cf.counterfactuals(C_LOG, credit.X_test.iloc[:2], credit.X_train)



@case("columns", "x", "age")
def cfx_missing_column():
    return cf.counterfactuals(C_LOG, CF_X.drop(columns="age"), credit.X_train)


@case("NaN/inf in X", "X_reference", "infinite", "credit_amount")
def cfx_inf_in_reference():
    ref = credit.X_train.astype({"credit_amount": float})
    ref.iloc[3, ref.columns.get_loc("credit_amount")] = np.inf
    return cf.counterfactuals(C_LOG, CF_X, ref)


@case("NaN/inf in X", "x", "credit_amount", "missing")
def cfx_nan_in_x():
    return cf.counterfactuals(C_LOG, CF_X.assign(credit_amount=np.nan), credit.X_train)


@case("unknown category", "x", "purpose", "car(new)")
def cfx_category_typo():
    return cf.counterfactuals(C_LOG, CF_X.assign(purpose="car(new)"), credit.X_train, n_counterfactuals=1)




@case("options", "monotone", "age")
def cfx_monotone_list():
    return cf.counterfactuals(C_LOG, CF_X, credit.X_train, monotone=["age"])


@case("options", "desired_class", "good")
def cfx_desired_label_name():
    return cf.counterfactuals(C_LOG, CF_X, credit.X_train, desired_class="good")



@case("options", "random_state")
def cfx_bad_seed():
    return cf.counterfactuals(C_LOG, CF_X, credit.X_train, random_state=1.5)


@case("columns", "A")  # a bare KeyError naming the column does not say what is wrong
def cfx_distance_missing_column():
    return cf.distance_matrix(CF_X.drop(columns="age"), credit.X_train.iloc[:5], credit.X_train)


@case("NaN/inf in X", "A", "NaN", "missing", "credit_amount")
def cfx_distance_nan():
    return cf.distance_matrix(CF_X.assign(credit_amount=np.nan), credit.X_train.iloc[:5], credit.X_train)


@case("features", "features")  # likewise a bare KeyError
def cfx_mad_unknown_feature():
    return cf.mad_scales(credit.X_train, features=["age", "zz"])


@case("string for a list", "features", check=lambda r: list(r.index) == ["age"])
def cfx_mad_string_feature():
    return cf.mad_scales(credit.X_train, features="age")


@case("options", "dataset")
def cfx_mutable_from_frame():
    return cf.mutable_features(credit.X_train)


@case("shapes", "valid")
def cfx_metrics_valid_length():
    return cf.counterfactual_metrics(credit.X_test.iloc[1:4], CF_X, credit.X_train, valid=[True, False])


# -- counterfactual, round two (issues 24 and 26.1-3: any data, any classifier, output scale) ----
# These 15 cases gave 2 clear and 13 silent before the fixes of issues 24 and 26.1-3, 15 clear after.
from sklearn.model_selection import FixedThresholdClassifier  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from xaibook.adversarial import real_data_audit  # noqa: E402
from xaibook.predict import prediction_function  # noqa: E402

CF_GAUSS = pd.DataFrame(np.random.default_rng(0).standard_normal((400, 4)), columns=list("abcd"))
CF_GAUSS_LR = LogisticRegression().fit(CF_GAUSS, (CF_GAUSS.sum(axis=1) > 0).astype(int))
CF_GAUSS_X = CF_GAUSS[CF_GAUSS_LR.predict(CF_GAUSS) == 0].iloc[[0]]
CF_STRICT = FixedThresholdClassifier(LogisticRegression(), threshold=0.7).fit(
    CF_GAUSS, (CF_GAUSS.sum(axis=1) > 0).astype(int))
CF_BOX = pd.DataFrame(np.random.default_rng(0).uniform(size=(400, 4)), columns=list("abcd"))
CF_BOX_TREE = DecisionTreeClassifier(random_state=0).fit(CF_BOX, (CF_BOX > 0.3).all(axis=1).astype(int))
CF_BOX_X = pd.DataFrame([[0.1] * 4], columns=list("abcd"))


def _cf_subset_ok(result) -> bool:
    frozen = ["a", "b", "d"]
    return (len(result) >= 1 and (CF_GAUSS_LR.predict(result.counterfactuals) == 1).all()
            and (result.counterfactuals[frozen].to_numpy() == CF_GAUSS_X[frozen].to_numpy()).all())


@case("continuous data", check=_cf_subset_ok)
def cfx_continuous_one_feature():
    return cf.counterfactuals(CF_GAUSS_LR, CF_GAUSS_X, CF_GAUSS, features_to_vary=["c"])


@case("continuous data", check=lambda r: r.sparsity == (r.counterfactuals.to_numpy() != CF_GAUSS_X.to_numpy())
      .sum(axis=1).mean() < 4)
def cfx_continuous_sparsity():
    return cf.counterfactuals(CF_GAUSS_LR, CF_GAUSS_X, CF_GAUSS)


@case("model's own decision", check=lambda r: len(r) > 0 and (CF_STRICT.predict(r.counterfactuals) == 1).all())
def cfx_threshold_classifier():
    return cf.counterfactuals(CF_STRICT, CF_GAUSS_X, CF_GAUSS)


@case("no recourse claimed", check=lambda r: len(r) > 0 and (CF_BOX_TREE.predict(r.counterfactuals) == 1).all())
def cfx_tree_flat_region():
    return cf.counterfactuals(CF_BOX_TREE, CF_BOX_X, CF_BOX)


@case("options", "min_probability")
def cfx_min_probability_one():
    return cf.counterfactuals(CF_GAUSS_LR, CF_GAUSS_X, CF_GAUSS, min_probability=1.0)


@case("output scale", "log-odds", "probabilities")
def cfx_log_odds_function():
    return cf.counterfactuals(prediction_function(C_LOG, scale="log-odds"), CF_X, credit.X_train)


@case("output scale", "[0, 1]", "probabilities")
def cfx_unmarked_log_odds():
    f = prediction_function(C_LOG, scale="log-odds")
    return cf.counterfactuals(lambda X: f(X), CF_X, credit.X_train)


@case("output scale", "log-odds", "probabilities")
def rda_log_odds_function():
    return real_data_audit(prediction_function(C_LOG, scale="log-odds"), credit.X_train)


@case("output scale", "[0, 1]", "probabilities")
def rda_unmarked_log_odds():
    f = prediction_function(C_LOG, scale="log-odds")
    return real_data_audit(lambda X: f(X), credit.X_train)


@case("validity flags", "valid")
def cfx_metrics_probabilities_as_flags():
    return cf.counterfactual_metrics(credit.X_test.iloc[1:5], CF_X, credit.X_train, valid=[0.3, 0.4, 0.45, 0.2])


@case("validity flags", "valid")
def cfx_metrics_strings_as_flags():
    return cf.counterfactual_metrics(credit.X_test.iloc[1:5], CF_X, credit.X_train,
                                     valid=["True", "False", "True", "False"])


@case("options", "n_requested")
def cfx_metrics_fewer_requested():
    return cf.counterfactual_metrics(credit.X_test.iloc[1:5], CF_X, credit.X_train, valid=[True] * 4, n_requested=2)


@case("degenerate data", check=lambda r: r["validity"] == 0 and r["n_valid"] == 0)
def cfx_metrics_x_itself():
    return cf.counterfactual_metrics(CF_X, CF_X, credit.X_train, valid=[True])


@case("model kind", "linear", "counterfactuals")
def cfx_linear_cost_on_a_tree():
    return cf.linear_recourse_cost(CF_BOX_TREE, CF_BOX_X, CF_BOX)


@case("model kind", "linear", "counterfactuals")
def cfx_linear_cost_on_boosting():
    return cf.linear_recourse_cost(C_BOOST, CF_X, credit.X_train)


# --------------------------------------------------------------------------------------------
# agreement (chapter 9): the disagreement metrics
# --------------------------------------------------------------------------------------------
from xaibook import agreement as agr  # noqa: E402

AG_A = pd.Series([0.5, -0.4, 0.3, 0.1], index=["w", "x", "y", "z"])
AG_B = pd.Series([0.4, 0.1, -0.35, 0.3], index=["w", "x", "y", "z"])


@case("features", "a", "b", "zz")
def agree_different_features():
    return agr.feature_agreement(AG_A, AG_B.rename({"z": "zz"}), k=2)



@case("counts", "k")
def agree_k_float():
    return agr.sign_agreement(AG_A, AG_B, k=2.0)


@case("NaN/inf in X", "b", "NaN", "infinite")
def agree_inf():
    return agr.signed_rank_agreement(AG_A, AG_B.replace(0.1, np.inf), k=2)



@case("features", "feature_names", "duplicated")
def agree_duplicate_names():
    return agr.feature_agreement(AG_A.to_numpy(), AG_B.to_numpy(), k=2, feature_names=["w", "x", "x", "z"])


@case("X type", "numbers")  # not "a": the article would match
def agree_text_values():
    return agr.feature_agreement(AG_A.astype(str).replace("0.5", "high"), AG_B, k=2)


@case("X type", "Series")
def agree_dict():
    return agr.rank_correlation(AG_A.to_dict(), AG_B.to_dict())


@case("features", "features", "zz")
def agree_unknown_subset():
    return agr.pairwise_rank_agreement(AG_A, AG_B, features=["w", "zz"])


@case("features", "features")
def agree_empty_subset():
    return agr.rank_correlation(AG_A, AG_B, features=[])


@case("string for a list", "ks")
def agree_table_ks_int():
    return agr.agreement_table({"p": AG_A, "q": AG_B}, ks=2)


@case("options", "metric", "rank_agreement")
def agree_table_unknown_metric():
    return agr.agreement_table({"p": AG_A, "q": AG_B}, metrics=["rank_agreement"])


@case("shapes", "rows")
def agree_table_different_rows():
    return agr.agreement_table({"p": AG_A.to_frame().T, "q": pd.concat([AG_B, AG_B], axis=1).T})


@case("X type", "explanations", "dict")
def agree_top_feature_list():
    return agr.top_feature_agreement([AG_A, AG_B])


# --------------------------------------------------------------------------------------------
# issue 26: the second audit's classes (values reinterpreted, degenerate data, rows matched by
# position, options, exercise answers, memory, unclear messages)
# --------------------------------------------------------------------------------------------
from xaibook import adversarial as adv  # noqa: E402
from xaibook import evaluation as ev  # noqa: E402
from xaibook.charts import counterfactual as cf_charts  # noqa: E402
from xaibook.exercises import check_choice, check_number  # noqa: E402

H_AGE_TEXT = heart.X_test.astype({"age": str})


def f_age_text(X):
    return H_LOG.predict_proba(X.astype({"age": float}))[:, 1]


@case("category typo", "A", "purpose", "busines")
def cfx_distance_category_typo():
    return cf.distance_matrix(CF_X.assign(purpose="busines"), CF_X, credit.X_train)


@case("category typo", "B", "age", "numbers")
def cfx_distance_age_as_text():
    return cf.distance_matrix(CF_X, CF_X.astype({"age": str}), credit.X_train)


@case("numbers as text", "age", "text")
def dep_pdp_numbers_as_text():
    return dep.partial_dependence(f_age_text, H_AGE_TEXT, "age")


@case("numbers as text", "age", "text")
def lime_numbers_as_text():
    return lime.lime_tabular(f_age_text, H_AGE_TEXT, H_AGE_TEXT.iloc[[0]], n_samples=100)


@case("degenerate data", "desired_class", "counterfactual")
def cfx_importance_all_desired():
    already = credit.X_test[C_LOG.predict(credit.X_test) == 1].iloc[:2]
    return cf.counterfactual_importance(C_LOG, already, credit.X_train, desired_class=1, n_counterfactuals=1)


@case("degenerate data", "n_bins")
def cpi_strata_of_one_row():
    return imp.conditional_permutation_importance(H_LOG, heart.X_test, heart.y_test,
                                                  {"age": ["max_heart_rate", "cholesterol"]}, n_bins=200,
                                                  n_repeats=2)


class _ConstantModel:
    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        return np.tile([0.3, 0.7], (len(X), 1))

    def predict(self, X):
        return np.ones(len(X), dtype=int)


@case("degenerate data", "same decision")
def adv_audit_constant_model():
    return adv.real_data_audit(_ConstantModel(), credit.X_test)


@case("degenerate data", "copies", "synthetic")
def adv_detectability_own_shuffle():
    return adv.detectability(credit.X_test.iloc[:60], credit.X_test.iloc[:60].sample(frac=1, random_state=0),
                             n_estimators=5)


@case("degenerate data", "synthetic")
def adv_detectability_too_few_rows():
    return adv.detectability(credit.X_test.iloc[:2], credit.X_test.iloc[2:4].assign(age=20), n_estimators=5)


@case("degenerate data", "y", "one row of each class")
def ev_auc_interval_two_rows():
    return ev.paired_auc_difference(np.array([0, 1]), np.array([0.2, 0.8]), np.array([0.3, 0.6]), n_bootstrap=50)


@case("chart mismatch", "n_repeats", "shuffles")
def imp_bootstrap_chart_one_repeat():
    boot = imp.bootstrap_permutation_importance(TOY_LR, TOY, TOY_Y, n_bootstrap=3, n_repeats=1)
    one = imp.permutation_importance(TOY_LR, TOY, TOY_Y, n_repeats=1)
    return imp_charts.bootstrap_interval_chart(boot, one)


@case("chart mismatch", "group", "no person")
def cfx_recourse_chart_no_mean():
    costs = pd.DataFrame({"group": ["a", "a", "b"], "recourse cost": [1.0, 2.0, np.inf]})
    return cf_charts.recourse_chart(costs, group="group")


@case("chart mismatch", "shap_importance", "checking_account")
def cfx_importance_chart_missing_shap():
    importance = cf.CounterfactualImportance(values=np.full(credit.X.shape[1], 0.5),
                                             feature_names=tuple(credit.X.columns),
                                             local=pd.DataFrame(), n_found=1)
    return cf_charts.importance_chart(importance, pd.Series({"age": 0.2, "duration_months": 0.1}))


_E = pd.DataFrame(np.random.RandomState(0).normal(size=(5, 4)), columns=["w", "x", "y", "z"])


@case("rows matched by position", "", check=lambda t: bool(
    (t[(t.method_a == "A") & (t.method_b == "B")].value.sub(1).abs() < 1e-12).all()))
def agree_table_rows_reordered():
    return agr.agreement_table({"A": _E, "B": _E.iloc[::-1]})


@case("rows matched by position", "rows", "B")
def agree_table_other_rows():
    return agr.agreement_table({"A": _E, "B": _E.set_axis(range(10, 15))})


@case("rows matched by position", "duplicated", "y")
def agree_table_duplicate_columns():
    return agr.agreement_table({"A": _E, "B": _E.rename(columns={"z": "y"})})


@case("options", "alpha")
def lime_ridge_negative_alpha():
    Z = np.random.RandomState(0).normal(size=(30, 3))
    return lime.weighted_ridge(Z, Z @ [1.0, 2.0, 3.0], np.ones(30), alpha=-1)


@case("options", "weights")
def lime_ridge_zero_weights():
    Z = np.random.RandomState(0).normal(size=(30, 3))
    return lime.weighted_ridge(Z, Z @ [1.0, 2.0, 3.0], np.zeros(30))


@case("options", "groups", "feat_a")
def owen_groups_as_names():
    return sh.owen_values(f_toy, TOY.iloc[:2], TOY.iloc[:10], groups=["feat_a", "feat_b"])


@case("options", "group names", "1")
def gpi_group_names_collide():
    return imp.grouped_permutation_importance(TOY_LR, TOY, TOY_Y, {1: ["feat_a"], "1": ["feat_b"]}, n_repeats=2)


@case("options", "keep", "nonexistent")
def imp_without_unknown_column():
    return imp.without_columns(models.make_model("heart", "logistic"), ["nonexistent"])


@case("exercise answers", "", check=lambda v: not v.correct and "True" in v.message)
def exercise_number_given_true():
    return check_number(True, 1)


@case("exercise answers", "", check=lambda v: v.correct == (check_choice(False, False).correct))
def exercise_no_as_false():
    return check_choice("no", False)


@case("memory", "n_samples")
def lime_tabular_memory():
    return lime.lime_tabular(f_toy, TOY, TOY.iloc[[0]], n_samples=2 * 10**8)


@case("memory", "n_samples", "text")
def lime_text_memory():
    return lime.lime_text(lambda texts: np.full(len(texts), 0.5), " ".join(f"w{i}" for i in range(20000)),
                          n_samples=100)


@case("memory", "n_samples")
def lime_image_memory():
    image = np.random.RandomState(0).rand(16, 16)
    return lime.lime_image(lambda b: b.mean(axis=(1, 2)), image, segments=lime.grid_segments((16, 16), 4),
                           n_samples=10**8)


@case("memory", "rows of A or B")
def cfx_distance_memory():
    big = pd.concat([credit.X_train] * 70, ignore_index=True)
    return cf.distance_matrix(big, big, credit.X_train)


@case("unclear message", "hide_color")
def lime_hide_color_nan():
    image = np.random.RandomState(0).rand(16, 16)
    return lime.lime_image(lambda b: b.mean(axis=(1, 2)), image, segments=lime.grid_segments((16, 16), 2),
                           hide_color=np.nan, n_samples=20)


@case("unclear message", "alpha channel", "segments")
def lime_quickshift_four_channels():
    return lime.quickshift_segments(np.random.RandomState(0).rand(8, 8, 4))


@case("unclear message", "threshold")
def adv_rule_threshold_text():
    return adv.RuleClassifier("age", "thirty")


@case("unclear message", "make_scorer", check=lambda r: len(r.results) == 2)
def imp_compare_two_scorer_objects():
    from sklearn.metrics import make_scorer, roc_auc_score
    return imp.compare_scorings(TOY_LR, TOY, TOY_Y, [make_scorer(roc_auc_score, response_method="predict_proba"),
                                                    make_scorer(roc_auc_score, response_method="decision_function")],
                                n_repeats=2)


@case("unclear message", "X_reference")
def cfx_reference_column_order():
    return cf.counterfactuals(C_LOG, CF_X, credit.X_train[credit.X_train.columns[::-1]], n_counterfactuals=1)


@case("unclear message", "permitted_range", "age")
def cfx_permitted_range_text():
    return cf.counterfactuals(C_LOG, CF_X, credit.X_train, permitted_range={"age": ("20", "old")}, n_counterfactuals=1)


@case("numbers as text", "y_true")
def ev_calibration_labels_as_text():
    return ev.expected_calibration_error(["1", "0"] * 5, np.linspace(0, 1, 10))


@case("options", "grid", "increase")
def dep_derivatives_backwards_grid():
    import dataclasses
    result = dep.partial_dependence(f_toy, TOY, "feat_a", grid_resolution=5)
    flipped = dataclasses.replace(result, grid=result.grid[::-1], average=result.average[::-1],
                                  individual=result.individual[:, ::-1])
    return dep.ice_derivatives(flipped)


@case("rows matched by position", "kinds", "text")
def lime_submodular_mixed_kinds():
    table = lime.lime_tabular(f_toy, TOY, TOY.iloc[[0]], n_samples=50)
    text = lime.lime_text(lambda texts: np.array([len(t) / 100 for t in texts]), "a good film", n_samples=20)
    return lime.submodular_pick([table, text], n_picks=1)


@case("chart mismatch", "image", "255")
def lime_image_chart_eight_bit():
    from xaibook.charts import surrogate as lime_charts
    image = np.random.RandomState(0).randint(0, 256, (8, 8)).astype(float)
    segments = lime.grid_segments((8, 8), 2)
    result = lime.lime_image(lambda b: b.mean(axis=(1, 2)) / 255, image, segments=segments, n_samples=20)
    return lime_charts.image_chart(image, {"LIME": result})


@case("chart mismatch", "top")
def fail_spread_chart_negative_top():
    from xaibook.charts import failures as fail_charts
    frame = pd.DataFrame({"feature": ["a", "b", "a", "b"], "value": [0.1, 0.2, 0.3, 0.1], "run": [1, 1, 2, 2]})
    return fail_charts.spread_chart(frame, top=-1)


@case("chart mismatch", "value", "numbers")
def fail_grouped_bars_text_values():
    from xaibook.charts import failures as fail_charts
    frame = pd.DataFrame({"feature": ["a", "b"], "value": ["0.1", "0.2"], "model": ["m", "m"]})
    return fail_charts.grouped_bars_chart(frame, item="feature", value="value", group="model")


@case("chart mismatch", "several rows")
def fail_agreement_chart_duplicated_cells():
    from xaibook.charts import failures as fail_charts
    table = agr.agreement_table({"A": _E, "B": _E * 2})
    return fail_charts.agreement_chart(pd.concat([table, table.assign(value=0.0)]), k=2)


@case("chart mismatch", "value", "[0, 1]")
def fail_tradeoff_chart_percentages():
    from xaibook.charts import failures as fail_charts
    frame = pd.DataFrame({"threshold": [0.1, 0.5], "measure": ["kept", "kept"], "value": [40.0, 90.0]})
    return fail_charts.tradeoff_chart(frame, x="threshold")


@case("options", "k")
def fail_agreement_chart_fractional_k():
    from xaibook.charts import failures as fail_charts
    return fail_charts.agreement_chart(agr.agreement_table({"A": _E, "B": _E * 2}), k=2.7)


@case("options", "threshold")
def cfx_whatif_threshold_off_the_axis():
    result = cf.counterfactuals(C_LOG, CF_X, credit.X_train, n_counterfactuals=1)
    return cf_charts.whatif_chart(result, threshold=1.5)



# --------------------------------------------------------------------------------------------
# faithfulness (chapter 11)
# --------------------------------------------------------------------------------------------
from xaibook import faithfulness as faith  # noqa: E402

FA = faith.make_planted_credit(60, random_state=0)
FA_X, FA_B = FA.X.iloc[:4], FA.X.iloc[30:40]
FA_A = np.zeros(FA_X.shape)


@case("unfitted model", "not fitted")
def faith_deletion_unfitted():
    return faith.deletion_curve(faith.PlantedModel(), FA_X, FA_A, background=FA_B)


@case("wrong shapes", "attributions", "shape")
def faith_deletion_wrong_shape():
    return faith.deletion_curve(FA.score, FA_X, np.zeros((2, 9)), background=FA_B)


@case("NaN or inf in X", "attributions", "NaN")
def faith_insertion_nan_attributions():
    return faith.insertion_curve(FA.score, FA_X, np.full(FA_X.shape, np.nan), background=FA_B)


@case("columns", "background", "missing")
def faith_deletion_background_columns():
    return faith.deletion_curve(FA.score, FA_X, FA_A, background=FA_B.drop(columns="age"))


@case("unknown feature names", "irrelevant", "unknown")
def faith_truth_scores_unknown_feature():
    return faith.ground_truth_scores(FA_A, FA.truth(FA_X, FA_B), irrelevant=["colour"])


@case("random_state", "random_state")
def faith_generator_random_state_none():
    return faith.make_planted_credit(20, random_state=None)


@case("unknown categories", "housing", "unknown")
def faith_truth_unknown_category():
    return FA.truth(FA_X.assign(housing="castle"), FA_B)


@case("non-positive counts", "n_removed")
def faith_roar_bad_counts():
    return faith.remove_and_retrain(FA.oracle(), FA.X, FA.y, FA_X, FA.y.iloc[:4], FA_A, n_removed=(0, 99))


@case("X type", "explainers", "mapping")
def faith_randomisation_no_explainers():
    return faith.model_randomisation_check(FA.oracle(), FA.X, FA.y, FA_X, {})


# --------------------------------------------------------------------------------------------
# faithfulness, second round (chapter 11): per-row ROAR, parameter randomisation, effect curves
# --------------------------------------------------------------------------------------------
from sklearn.pipeline import make_pipeline  # noqa: E402

FA_TRAIN, FA_TEST = FA.X.iloc[:30], FA.X.iloc[30:]
FA_LINEAR = make_pipeline(models.make_preprocessor(numeric=[c for c in FA.X.columns if c not in ("housing", "guarantor")],
                                            categorical=["housing", "guarantor"]),
                          LogisticRegression(max_iter=500)).fit(FA.X, FA.y)


@case("options", "per_row")
def faith_roar_per_row_not_a_bool():
    return faith.remove_and_retrain(FA_LINEAR, FA_TRAIN, FA.y.iloc[:30], FA_TEST, FA.y.iloc[30:],
                                    np.zeros(FA_TEST.shape), per_row="yes")


@case("wrong shapes", "per_row", "rows x features")
def faith_roar_per_row_global_vector():
    return faith.remove_and_retrain(FA_LINEAR, FA_TRAIN, FA.y.iloc[:30], FA_TEST, FA.y.iloc[30:], np.ones(9),
                                    per_row=True, train_attributions=np.zeros(FA_TRAIN.shape))


@case("missing argument", "train_attributions")
def faith_roar_per_row_without_train_attributions():
    return faith.remove_and_retrain(FA_LINEAR, FA_TRAIN, FA.y.iloc[:30], FA_TEST, FA.y.iloc[30:],
                                    np.zeros(FA_TEST.shape), per_row=True)


@case("wrong shapes", "train_attributions", "shape")
def faith_roar_per_row_train_attributions_wrong_rows():
    return faith.remove_and_retrain(FA_LINEAR, FA_TRAIN, FA.y.iloc[:30], FA_TEST, FA.y.iloc[30:],
                                    np.zeros(FA_TEST.shape), per_row=True, train_attributions=np.zeros((3, 9)))


@case("options", "train_attributions", "per_row")
def faith_roar_train_attributions_without_per_row():
    return faith.remove_and_retrain(FA_LINEAR, FA_TRAIN, FA.y.iloc[:30], FA_TEST, FA.y.iloc[30:],
                                    np.zeros(FA_TEST.shape), train_attributions=np.zeros(FA_TRAIN.shape))


@case("unfitted model", "not fitted")
def faith_randomise_unfitted():
    return faith.randomise_parameters(faith.planted_model())


@case("model type", "randomise_parameters", "supports")
def faith_randomise_unsupported_model():
    return faith.randomise_parameters(FA.oracle())


@case("out of range", "fraction")
def faith_randomise_fraction_above_one():
    return faith.randomise_parameters(FA_LINEAR, fraction=1.5)


@case("X type", "fraction")
def faith_randomise_fraction_text():
    return faith.randomise_parameters(FA_LINEAR, fraction="half")


@case("random_state", "random_state")
def faith_randomise_random_state_none():
    return faith.randomise_parameters(FA_LINEAR, random_state=None)


@case("options", "kind")
def faith_randomisation_unknown_kind():
    return faith.model_randomisation_check(FA_LINEAR, FA.X, FA.y, FA_X, {"a": lambda m, Z: FA_A}, kind="weights")


@case("unknown feature names", "features", "housing")
def faith_effects_categorical_feature():
    return faith.effect_scores(FA_LINEAR, FA.X, features=["housing"])


@case("non-positive counts", "grid_resolution")
def faith_effects_grid_of_one():
    return faith.effect_scores(FA_LINEAR, FA.X, grid_resolution=1)


@case("columns", "planted columns")
def faith_effects_not_planted_data():
    return faith.effect_scores(FA_LINEAR, FA.X.drop(columns="noise"))


@case("unfitted model", "not fitted")
def faith_effects_unfitted():
    return faith.effect_scores(faith.planted_model(), FA.X)


@case("unknown feature names", "feature", "colour")
def faith_main_effect_unknown_feature():
    return faith.planted_main_effect("colour", [0.0, 1.0])


@case("NaN or inf in X", "values", "finite")
def faith_main_effect_nan():
    return faith.planted_main_effect("income", [0.0, np.nan])


@case("options", "case")
def faith_case_study_unknown_case():
    return faith.case_study("bank")


@case("options", "kind")
def faith_sanity_study_unknown_kind():
    return faith.sanity_study("weights")


# --------------------------------------------------------------------------------------------
# reason codes (chapter 10) and the distributed runs (appendix)
# --------------------------------------------------------------------------------------------
from xaibook import reasons as rc  # noqa: E402
from xaibook import scale as sc  # noqa: E402

RC_X = credit.X.loc[[170]]


@case("unfitted model", "fit")
def reasons_unfitted():
    return rc.reason_codes(models.make_model("credit", "logistic"), RC_X, credit.X_train)


@case("NaN or inf in X", "x", "NaN")
def reasons_nan_applicant():
    return rc.reason_codes(C_LOG, RC_X.assign(duration_months=np.nan), credit.X_train)


@case("columns", "x", "columns")
def reasons_columns_out_of_order():
    return rc.reason_codes(C_LOG, RC_X[list(reversed(RC_X.columns))], credit.X_train)


@case("unknown feature names", "exclude")
def reasons_exclude_unknown():
    return rc.reason_codes(C_LOG, RC_X, credit.X_train, exclude=["gender"])


@case("options", "method")
def reasons_unknown_method():
    return rc.reason_codes(C_LOG, RC_X, credit.X_train, method="anchors")


@case("non-positive counts", "n_reasons")
def reasons_zero_reasons():
    return rc.reason_codes(C_LOG, RC_X, credit.X_train, n_reasons=0)


@case("options", "groups")
def reasons_groups_overlap():
    return rc.reason_codes(C_LOG, RC_X, credit.X_train,
                           groups={"terms": ["duration_months"], "loan": ["duration_months", "credit_amount"]})


@case("model kind", "additive", "scorecard")
def reasons_scorecard_on_trees():
    return rc.reason_codes(models.get_model("credit", "boosting"), RC_X, credit.X_train, method="scorecard")


@case("wrong shapes", "one applicant", "x")
def reasons_two_applicants():
    return rc.reason_codes(C_LOG, credit.X.iloc[:2], credit.X_train)


@case("options", "method")
def scale_unknown_method():
    return sc.explain("anchors", C_LOG, RC_X, background=credit.X_train)


@case("columns", "background")
def scale_background_columns():
    return sc.explain("tree_shap", models.get_model("credit", "boosting"), RC_X,
                      background=credit.X_train.drop(columns="age"))


@case("random_state", "random_state")
def scale_generator_seed():
    return sc.explain("kernel_shap", C_LOG, RC_X, background=credit.X_train.iloc[:20],
                      random_state=np.random.default_rng(0))


@case("non-positive counts", "chunk_size")
def scale_zero_chunks():
    return sc.explain("tree_shap", models.get_model("credit", "boosting"), RC_X,
                      background=credit.X_train.iloc[:20], chunk_size=0)


# --------------------------------------------------------------------------------------------
# issue 26, round two: two people in one chart, mixed output scales, labels sorted against bare
# scores, six more chart builders, names read letter by letter, negative counts, wrong containers
# --------------------------------------------------------------------------------------------
from xaibook import overview as ov  # noqa: E402
from xaibook import reasons as rs  # noqa: E402
from xaibook import scale as sc_mod  # noqa: E402
from xaibook.charts import glassbox as gb_charts  # noqa: E402
from xaibook.charts import overview as ov_charts  # noqa: E402
from xaibook.charts import shapley as sh_charts  # noqa: E402
from xaibook.charts import surrogate as lime_charts  # noqa: E402

_LIME_0 = None


def _lime_of_row_0():
    global _LIME_0
    if _LIME_0 is None:
        _LIME_0 = lime.lime_tabular(f_toy, TOY, TOY.iloc[[0]], n_samples=200)
    return _LIME_0


def _shap_of(rows):
    return sh.exact_shapley(f_toy, TOY.iloc[rows], TOY.iloc[:20])


@case("two people in one chart", "different people", "row 1")
def lime_vs_shap_other_person_series():
    return lime_charts.lime_vs_shap_chart(_lime_of_row_0(), _shap_of([1]).to_wide().iloc[0])


@case("two people in one chart", "row label")
def lime_vs_shap_unnamed_series():
    return lime_charts.lime_vs_shap_chart(_lime_of_row_0(), _shap_of([1]).to_wide().iloc[0].rename(None))


@case("two people in one chart", "different people")
def lime_vs_shap_other_person_with_x():
    return lime_charts.lime_vs_shap_chart(_lime_of_row_0(), _shap_of([1]).to_wide().iloc[0], x=TOY.iloc[1])


@case("two people in one chart", "different people")
def lime_vs_shap_other_person_result():
    return lime_charts.lime_vs_shap_chart(_lime_of_row_0(), _shap_of([1]))


def _three_effects(scale_of_pdp: str):
    log_odds = prediction_function(TOY_LR, scale="log-odds")
    effect = dep.ale(log_odds, TOY, "feat_a", grid_resolution=5)
    pdp = dep.partial_dependence(prediction_function(TOY_LR, scale=scale_of_pdp), TOY, "feat_a", grid=effect.grid)
    return dep.marginal_plot(log_odds, TOY, "feat_a", grid_resolution=5), effect, pdp


@case("mixed output scales", "scale")
def dep_three_effects_mixed_scales():
    return dep_charts.three_effects_chart(*_three_effects("probability"))


@case("mixed output scales", "scale")
def dep_ale_vs_pdp_mixed_scales():
    _, effect, pdp = _three_effects("probability")
    return dep_charts.ale_vs_pdp_chart(effect, pdp)


@case("mixed output scales", "scale")
def dep_linked_ice_mixed_scales():
    return dep_charts.linked_ice_chart([dep.partial_dependence(TOY_LR, TOY, "feat_a", n_samples=30),
                                        dep.partial_dependence(prediction_function(TOY_LR, scale="log-odds"), TOY,
                                                               "feat_b", n_samples=30)])


def _heart_scores(model):
    return model.predict_proba(heart.X_test)[:, 1]


@case("y sorted against bare scores", "y", "proba_a")
def ev_auc_y_sorted_numpy_scores():
    return ev.paired_auc_difference(heart.y_test.sort_values(), _heart_scores(H_LOG), _heart_scores(H_TREE),
                                    n_bootstrap=50)


@case("y sorted against bare scores", "y_true", "proba")
def ev_ece_y_sorted_numpy_scores():
    return ev.expected_calibration_error(heart.y_test.sort_values(), _heart_scores(H_LOG))


@case("y sorted against bare scores", "y_true", "proba")
def ev_ece_scores_sorted_numpy_y():
    proba = pd.Series(_heart_scores(H_LOG), index=heart.X_test.index)
    return ev.expected_calibration_error(heart.y_test.to_numpy(), proba.sort_values())


@case("y sorted against bare scores", "", check=lambda r: close(
    r.auc_a, roc_auc_score(heart.y_test, _heart_scores(H_LOG))))
def ev_auc_both_labelled_sorted():
    proba = pd.Series(_heart_scores(H_LOG), index=heart.X_test.index)
    return ev.paired_auc_difference(heart.y_test.sort_values(), proba, proba.sort_values(), n_bootstrap=50)


@case("chart mismatch", "permutation", "finite")
def imp_measures_chart_nan():
    table = pd.DataFrame({"MDI": [0.5, 0.3, 0.2], "permutation": [0.1, np.nan, 0.05]}, index=["a", "b", "c"])
    return imp_charts.measures_chart(table, title="t", description="d")


@case("chart mismatch", "several rows")
def imp_measures_chart_repeated_feature():
    table = pd.DataFrame({"MDI": [0.5, 0.3, 0.2]}, index=["a", "b", "a"])
    return imp_charts.measures_chart(table, title="t", description="d")


@case("chart mismatch", "log axis")
def shap_convergence_chart_zero_error():
    frame = pd.DataFrame({"method": ["kernel", "kernel", "exact"], "evaluations": [100, 1000, 1000],
                          "error": [0.1, 0.01, 0.0]})
    return sh_charts.convergence_chart(frame)


@case("chart mismatch", "several rows")
def lime_width_path_chart_repeated_rows():
    path = pd.DataFrame({"width": [0.5, 0.5, 1.0, 1.0], "feature": ["a", "a", "a", "b"], "label": ["a"] * 4,
                         "weight": [0.1, 0.3, 0.2, 0.1], "score": [0.5, 0.5, 0.6, 0.6]})
    return lime_charts.width_path_chart(path, top=2)


@case("chart mismatch", "weight", "numbers")
def lime_stability_chart_text_weights():
    frame = pd.DataFrame({"run": ["seed 0", "seed 1"], "feature": ["a", "a"], "weight": ["0.1", "0.2"],
                          "setting": ["100 samples"] * 2})
    return lime_charts.stability_chart(frame)


@case("chart mismatch", "roc_auc", "[0, 1]")
def gb_metrics_chart_percentages():
    metrics = pd.DataFrame({"case": ["heart", "heart"], "label": ["logistic", "tree"], "kind": ["glass-box"] * 2,
                            "roc_auc": [91.0, 84.0], "accuracy": [0.85, 0.8]})
    return gb_charts.metrics_chart(metrics)


@case("chart mismatch", "rate", "[0, 1]")
def ov_outcome_rate_chart_percentages():
    rates = pd.DataFrame({"group": ["young", "old"], "n": [40, 60], "rate": [40.0, 25.0], "low": [30.0, 15.0],
                          "high": [50.0, 35.0]})
    return ov_charts.outcome_rate_chart(rates, outcome="bad", overall=0.3, title="t", description="d")


@case("string for a list", "letter")
def agree_ranking_names_as_one_string():
    return agr.ranking(np.array([0.1, 0.4, 0.2, 0.3]), feature_names="wxyz")


@case("string for a list", "letter")
def reasons_groups_columns_as_string():
    return rs.characteristic_groups("age")


@case("string for a list", "letter")
def gb_tree_rules_names_as_string():
    return gb.tree_rules(H_TREE, feature_names="abc")


@case("string for a list", "", check=lambda t: list(t.columns) == ["method", "mean", "min", "max"])
def faith_interval_table_by_string():
    from xaibook import faithfulness as fa
    return fa.interval_table(pd.DataFrame({"method": ["a", "a"], "seed": [0, 1], "value": [1.0, 3.0]}), "method")


@case("string for a list", "string")
def ov_outcome_rates_bins_string():
    return ov.outcome_rates(credit, "age", bins="20")


@case("non-positive counts", "positives")
def ov_wilson_negative_count():
    return ov.wilson_interval([-1, 3], [10, 10])


@case("wrong shapes", "positives", "shape")
def ov_wilson_shapes():
    return ov.wilson_interval([1, 2], [10])


@case("numbers as text", "positives", "numbers")
def ov_wilson_text():
    return ov.wilson_interval(["1"], ["10"])


@case("X type", "dataset", "load_case")
def ov_outcome_rates_frame_for_dataset():
    return ov.outcome_rates(credit.X, "age")


@case("options", "tail")
def ex_chance_count_negative_tail():
    return _exercises("importance").chance_count(50, tail=-0.5)

@case("X type", "dataset", "load_case")
def ov_distribution_chart_frame_for_dataset():
    return ov_charts.distribution_chart(credit.X)


@case("X type", "curves", "dict")
def dep_curve_spread_list_of_curves():
    return dep_charts.curve_spread_chart([1.0, 2.0, 3.0], [np.ones(3), np.zeros(3)], feature="x")


@case("X type", "panels", "dict")
def lime_image_chart_list_of_panels():
    return lime_charts.image_chart(np.zeros((4, 4)), [_lime_of_row_0()])

@case("non-positive counts", "n_rows")
def scale_chunk_bounds_negative_rows():
    return sc_mod.chunk_bounds(-10, 3)


@case("non-positive counts", "n_rows")
def scale_default_chunk_size_negative_rows():
    return sc_mod.default_chunk_size("tree_shap", -10, 5, 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every case's outcome to this file")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("-k", help="run only cases whose name contains this")
    args = parser.parse_args(argv)
    selected = [c for c in CASES if not args.k or args.k in c.name]
    start = time.perf_counter()
    for c in selected:
        classify(c)
        if args.verbose:
            print(f"{c.outcome:7s} {c.kind:30s} {c.name}: {c.detail}", flush=True)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for c in selected:
        by_kind[c.kind][c.outcome] += 1
    total = Counter(c.outcome for c in selected)
    print(f"\n{len(selected)} cases on {len({c.run.__module__ for c in selected})} module(s), "
          f"{time.perf_counter() - start:.0f} s")
    print(f"{'class':32s} {'clear':>6s} {'raw':>6s} {'silent':>6s} {'hang':>6s}")
    for kind in sorted(by_kind):
        k = by_kind[kind]
        print(f"{kind:32s} {k['clear']:6d} {k['raw']:6d} {k['silent']:6d} {k['hang']:6d}")
    print(f"{'total':32s} {total['clear']:6d} {total['raw']:6d} {total['silent']:6d} {total['hang']:6d}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump([{"name": c.name, "class": c.kind, "outcome": c.outcome, "detail": c.detail}
                       for c in selected], out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

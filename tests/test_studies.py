"""Chapter 8's studies (``xaibook.studies``): the analysis steps between the labs' runs and the
chapter's numbers, each checked by hand on small data and, where the chapter relies on it, on the
credit case's cached models."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from xaibook import data, failures, models, studies
from xaibook.adversarial import RuleClassifier
from xaibook.agreement import ranking
from xaibook.importance import permutation_importance


@pytest.fixture(scope="module")
def credit():
    return data.load_credit()


def _frame(values, people=("a", "b", "c"), features=("x", "y", "z")):
    return pd.DataFrame(values, index=list(people), columns=list(features), dtype=float)


# ------------------------------------------------------------------------------------------ disagreement
def test_four_method_explanations_keep_the_people_with_counterfactuals():
    shap = _frame([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    lime = -shap
    counterfactual = _frame([[0.5, 0, 0.5], [np.nan] * 3, [0, 1, 0]])
    permutation = pd.Series([0.1, 0.3, 0.2], index=["x", "y", "z"])
    out = studies.four_method_explanations(shap, lime, permutation, counterfactual)
    assert list(out) == ["SHAP", "LIME", "permutation importance", "counterfactuals"]
    for frame in out.values():
        assert list(frame.index) == ["a", "c"] and list(frame.columns) == ["x", "y", "z"]
    assert out["LIME"].loc["c", "y"] == -8 and out["counterfactuals"].loc["c", "y"] == 1
    assert (out["permutation importance"] == permutation).all(axis=None)


def test_four_method_explanations_refuse_what_does_not_line_up():
    shap = _frame([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    permutation = pd.Series([0.1, 0.3, 0.2], index=["x", "y", "z"])
    with pytest.raises(ValueError, match="lime must have the people"):
        studies.four_method_explanations(shap, shap.iloc[::-1], permutation, shap)
    with pytest.raises(ValueError, match="permutation's features"):
        studies.four_method_explanations(shap, shap, permutation.rename({"z": "w"}), shap)
    with pytest.raises(TypeError, match="permutation must be a Series"):
        studies.four_method_explanations(shap, shap, permutation.to_numpy(), shap)
    with pytest.raises(ValueError, match="no person has counterfactual importance"):
        studies.four_method_explanations(shap, shap, permutation, shap * np.nan)


def test_break_ties_by_column_orders_only_the_ties():
    frame = _frame([[0.25, 0.0, 0.25], [0.0, 0.5, 0.0]], people=("a", "b"))
    nudged = studies.break_ties_by_column(frame)
    assert ranking(nudged.loc["a"]) == ["x", "z", "y"] and ranking(nudged.loc["b"]) == ["y", "x", "z"]
    assert np.allclose(nudged, frame, atol=1e-8)
    reversed_ties = studies.break_ties_by_column(frame[["z", "y", "x"]])
    assert ranking(reversed_ties.loc["a"]) == ["z", "x", "y"]
    with pytest.raises(ValueError, match="step"):
        studies.break_ties_by_column(frame, step=0)
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        studies.break_ties_by_column(frame.to_numpy())


# ------------------------------------------------------------------------------------------ Rashomon set
def test_refit_explanations_of_the_chapter_s_applicant(credit):
    refits = failures.bootstrap_refits("credit", n_refits=8)
    x = credit.X.loc[[models.featured_person("credit")]]
    background = credit.X_train.sample(50, random_state=0)
    seen = studies.refit_explanations(refits, x, background, keep=[3, 1])
    assert list(seen["refit"].unique()) == [3, 1]
    for i, one in seen.groupby("refit", sort=False):
        model = refits.models[i]
        assert one["probability"].iloc[0] == pytest.approx(model.predict_proba(x)[0, 1])
        assert one["test_auc"].iloc[0] == refits.auc[i]
        assert one["top_feature"].iloc[0] == one.loc[one["shap"].abs().idxmax(), "feature"]
        assert list(one["feature"]) == list(credit.X.columns)
    with pytest.raises(ValueError, match="positions of the 8 refits"):
        studies.refit_explanations(refits, x, background, keep=[8])
    with pytest.raises(ValueError, match="x must be one row"):
        studies.refit_explanations(refits, credit.X.iloc[:2], background)
    with pytest.raises(TypeError, match="refits must be a Refits"):
        studies.refit_explanations(refits.models, x, background)


# ------------------------------------------------------------------------------------------ a copied feature
def test_duplicated_feature_splits_permutation_importance_and_grouping_restores_it(credit):
    background = credit.X_train.sample(50, random_state=0)
    study = studies.duplicated_feature_study("credit", "duration_months", background)
    importance = pd.Series(study.permutation.importances_mean, index=study.permutation.feature_names)
    original = permutation_importance(models.get_model("credit", "boosting"), credit.X_test, credit.y_test,
                                      scoring="roc_auc", n_repeats=5)
    alone = pd.Series(original.importances_mean, index=original.feature_names)["duration_months"]
    assert study.copy == "duration_months_copy" and study.copy in importance.index
    # shuffled one at a time, each column hides behind the other; shuffled together, the pair counts
    assert max(importance["duration_months"], importance[study.copy]) < study.grouped
    assert study.grouped == pytest.approx(alone, abs=0.03)
    assert study.mean_abs_shap[["duration_months", study.copy]].gt(0).all()
    assert 0 < study.off_data <= 1 and 0.5 < study.test_auc <= 1
    with pytest.raises(ValueError, match="n_repeats"):
        studies.duplicated_feature_study("credit", "duration_months", background, n_repeats=0)


# ------------------------------------------------------------------------------------------ the scaffold
def test_lime_top_features_name_the_only_feature_a_rule_uses():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200), "c": rng.normal(size=200)})
    for feature in ("b", "c"):
        tops = studies.lime_top_features(RuleClassifier(feature, 0.0), X, X.iloc[:4], n_samples=300)
        assert list(tops.index) == list(X.index[:4]) and (tops == feature).all()
    with pytest.raises(TypeError, match="rows must be a pandas DataFrame"):
        studies.lime_top_features(RuleClassifier("a", 0.0), X, X.iloc[0])


# ------------------------------------------------------------------------------------------ ICE curves
def test_quantile_grid_spans_the_data():
    grid = studies.quantile_grid([3.2, 1.0, 10.6, 4.0, 4.0], n_points=5)
    assert list(grid) == [1.0, 3.0, 4.0, 11.0]
    assert list(studies.quantile_grid([0.0, 1.0], n_points=3, decimals=1)) == [0.0, 0.5, 1.0]
    with pytest.raises(ValueError, match="finite numbers"):
        studies.quantile_grid([1.0, np.nan])
    with pytest.raises(ValueError, match="n_points"):
        studies.quantile_grid([1.0, 2.0], n_points=1)


def test_ice_curves_are_the_model_at_each_grid_value():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"u": rng.normal(size=100), "v": rng.normal(size=100)})
    y = (X["u"] + 0.5 * X["v"] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    x, grid = X.iloc[[0]], [-1.0, 0.0, 2.0]
    curves = studies.ice_curves({"logistic": model, "rule": RuleClassifier("u", 0.5)}, x, "u", grid)
    assert list(curves.columns) == ["u", "model", "prediction"]
    assert list(curves["model"].unique()) == ["logistic", "rule"]
    expected = model.predict_proba(pd.concat([x.assign(u=g) for g in grid]))[:, 1]
    assert np.allclose(curves.query("model == 'logistic'")["prediction"], expected)
    assert list(curves.query("model == 'rule'")["prediction"]) == [1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="x must be one row"):
        studies.ice_curves({"logistic": model}, X.iloc[:2], "u", grid)
    with pytest.raises(ValueError, match="non-empty mapping"):
        studies.ice_curves({}, x, "u", grid)


def test_curve_landmarks_by_hand():
    curve = pd.Series([0.5, 0.3, 0.2, 0.4], index=[100, 200, 300, 400])
    assert studies.curve_landmarks(curve, 250) == {"at_value": 0.3, "minimum": 0.2, "argmin": 300,
                                                    "end": 0.4, "last": 400}
    assert studies.curve_landmarks(curve, 100)["at_value"] == 0.5
    with pytest.raises(ValueError, match="below the curve's first grid point"):
        studies.curve_landmarks(curve, 50)
    with pytest.raises(ValueError, match="must increase"):
        studies.curve_landmarks(curve.iloc[::-1], 250)


def test_outcome_rate_by_quantile_by_hand():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8])
    y = pd.Series([1, 1, 0, 1, 0, 0, 1, 1])
    assert list(studies.outcome_rate_by_quantile(y, values, q=4)) == [1.0, 0.5, 0.0, 1.0]
    assert list(studies.outcome_rate_by_quantile(y, values, q=2)) == [0.75, 0.5]
    with pytest.raises(ValueError, match="same index"):
        studies.outcome_rate_by_quantile(y, values.iloc[1:], q=2)


# ------------------------------------------------------------------------------------------ recourse
def test_recourse_validity_by_hand():
    recourse = pd.DataFrame({"person": [7, 7, 7, 7, 9, 9], "counterfactual": [0, 0, 1, 1, 0, 0],
                             "changes": ["a = 1", "a = 1", "b = 2", "b = 2", "a = 3", "a = 3"],
                             "refit": [0, 1, 0, 1, 0, 1], "valid": [True, False, True, True, False, False]})
    out = studies.recourse_validity(recourse)
    assert out.to_dict("list") == {"person": [7, 7, 9], "counterfactual": [0, 1, 0],
                                   "changes": ["a = 1", "b = 2", "a = 3"], "share_valid": [0.5, 1.0, 0.0],
                                   "valid_everywhere": [False, True, False]}
    with pytest.raises(ValueError, match="lacks the columns"):
        studies.recourse_validity(recourse.drop(columns="valid"))
    with pytest.raises(ValueError, match="empty"):
        studies.recourse_validity(recourse.iloc[:0])


# ------------------------------------------------------------------------------------------ kernel widths
def test_kernel_width_regimes_flag_the_widths_where_fewer_samples_count_than_coefficients():
    study = pd.DataFrame({"kernel_width": [0.5, 0.5, 2.0, 2.0], "feature": ["p", "q", "p", "q"],
                          "weight": [1.0, 0.1, 0.2, 0.9], "fidelity": [0.9, 0.9, 0.4, 0.4],
                          "effective_samples": [2.5, 2.5, 300.0, 300.0], "shrinkage": [40.0, 40.0, 1.1, 1.1],
                          "top_feature": ["p", "p", "q", "q"]})
    regimes = studies.kernel_width_regimes(study)          # 2 features + intercept: 3 coefficients
    assert list(regimes.index) == [0.5, 2.0] and list(regimes["few_samples"]) == [True, False]
    assert list(regimes["top_feature"]) == ["p", "q"] and regimes.loc[2.0, "fidelity"] == 0.4
    assert list(studies.kernel_width_regimes(study, n_coefficients=400)["few_samples"]) == [True, True]
    assert not studies.kernel_width_regimes(study, n_coefficients=2)["few_samples"].any()
    with pytest.raises(ValueError, match="lacks the columns"):
        studies.kernel_width_regimes(study.drop(columns="shrinkage"))


# ------------------------------------------------------------------------------------------ chapter 9
def _card():
    return pd.DataFrame({"method": ["A"] * 4 + ["B"] * 4, "feature": list("wxyz") * 2,
                         "value": [0.5, -0.4, 0.1, 0.0, -0.5, -0.2, 0.3, 0.3]})


def test_report_card_tops_by_hand():
    tops = studies.report_card_tops(_card())
    assert list(tops.columns) == ["1st", "2nd", "3rd"] and list(tops.index) == ["A", "B"]
    assert list(tops.loc["A"]) == ["w", "x", "y"] and list(tops.loc["B"]) == ["w", "y", "z"]
    assert list(studies.report_card_tops(_card(), k=4).columns) == ["1st", "2nd", "3rd", "4th"]
    with pytest.raises(ValueError, match="explains only 4 features"):
        studies.report_card_tops(_card(), k=5)
    with pytest.raises(ValueError, match="lacks"):
        studies.report_card_tops(_card().drop(columns="value"))
    assert [studies._ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


def test_sign_conflicts_by_hand():
    assert studies.sign_conflicts(_card(), "A", "B", k=2) == ["w"]          # x agrees in sign; y is not top 2 of A
    assert studies.sign_conflicts(_card(), "A", "B", k=4) == ["w"]          # z: sign 0 is no conflict
    card = _card().assign(value=lambda d: np.where(d["method"] == "B", -d["value"], d["value"]))
    assert studies.sign_conflicts(card, "A", "B", k=1) == []                # both lead with w, same sign
    assert studies.sign_conflicts(card, "A", "B", k=2) == ["x", "y"]        # y is in B's top 2 only
    with pytest.raises(ValueError, match="'C' is not a method of the report card"):
        studies.sign_conflicts(_card(), "A", "C")


def test_intervals_apart_and_overlapping_by_hand():
    measured = pd.DataFrame({"method": ["low", "mid", "high", "one"],
                             "refit_low": [0.1, 0.4, 0.8, np.nan], "refit_high": [0.3, 0.7, 0.9, np.nan],
                             "seed_low": [0.5, 0.5, 0.5, 0.5], "seed_high": [0.6, 0.6, 0.6, 0.6]})
    assert studies.interval_apart(measured, "low", ["mid", "high"])
    assert studies.interval_apart(measured, "high", ["low", "mid"], below=False)
    assert not studies.interval_apart(measured, "mid", ["low", "high"])
    assert not studies.interval_apart(measured, "one", ["low"]) and not studies.interval_apart(measured, "low", ["one"])
    assert not studies.interval_apart(measured, "low", ["mid"], measure="seed")
    assert not studies.intervals_overlap(measured, ["low", "mid"]) and studies.intervals_overlap(measured, ["mid"])
    assert studies.intervals_overlap(measured, ["low", "mid", "high"], measure="seed")
    with pytest.raises(ValueError, match=r"methods \['LIME'\] were not measured"):
        studies.interval_apart(measured, "LIME", ["low"])
    with pytest.raises(ValueError, match="lacks the columns"):
        studies.intervals_overlap(measured.drop(columns="refit_low"), ["low"])

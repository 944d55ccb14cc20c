"""Reason codes: the theory linking SHAP to points below the maximum, grouping, exclusion, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from xaibook import reasons, shapley
from xaibook.predict import prediction_function
from xaibook.surrogate import lime_tabular


def _toy(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "duration": rng.integers(6, 60, n).astype(float),
        "amount": rng.gamma(2.0, 1500.0, n).round(),
        "account": rng.choice(["none", "low", "high"], n),
        "sex": rng.choice(["f", "m"], n),
    })
    logit = 0.04 * (X["duration"] - 30) + 0.0002 * (X["amount"] - 3000) + 1.2 * (X["account"] == "none") \
        - 0.8 * (X["account"] == "high") + 0.4 * (X["sex"] == "m")
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int), name="bad")
    return X, y


def _pipeline(estimator) -> object:
    pre = ColumnTransformer([("num", StandardScaler(), ["duration", "amount"]),
                             ("cat", OneHotEncoder(), ["account", "sex"])])
    return make_pipeline(pre, estimator)


@pytest.fixture(scope="module")
def toy():
    X, y = _toy()
    model = _pipeline(LogisticRegression(C=10.0)).fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    x = X.iloc[[int(np.argmax(proba))]]          # rated bad by a wide margin
    return model, X, y, x


# ------------------------------------------------------------------------------- the theory
def test_shap_with_the_best_applicant_as_background_equals_points_below_maximum(toy):
    model, X, _, x = toy
    best = reasons.best_applicant(model, X)
    shap = reasons.reason_codes(model, x, best, method="shap", n_reasons=10)
    card = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=10)
    diff = shap.contributions - card.contributions.reindex(shap.contributions.index)
    assert np.abs(diff).max() < 1e-10
    assert shap.features == card.features


def test_shap_on_the_mean_background_is_points_below_maximum_less_a_constant(toy):
    model, X, _, x = toy
    points = reasons.scorecard_points(model, X)
    constant = points.max() - points.mean()          # c_j = best points - average points
    shap = reasons.reason_codes(model, x, X, method="shap", n_reasons=10).contributions
    card = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=10).contributions
    assert np.allclose(shap, (card - constant).reindex(shap.index), atol=1e-10)


def _equal_gap_scorecard():
    """Binary characteristics with equal coefficients and equal means: c_j is the same for all."""
    rng = np.random.default_rng(1)
    n = 400
    X = pd.DataFrame({f"f{j}": np.tile([0.0, 1.0], n // 2) for j in range(4)})
    X = X.apply(lambda c: c.sample(frac=1.0, random_state=int(rng.integers(1000))).to_numpy())
    y = (X.sum(axis=1) + rng.normal(0, 1, n) > 2).astype(int)
    model = LogisticRegression().fit(X, y)
    object.__setattr__(model, "coef_", np.array([[1.0, 1.0, 1.0, 1.0]]))
    return model, X


def test_the_two_rules_coincide_when_every_best_score_sits_equally_above_the_average():
    model, X = _equal_gap_scorecard()
    points = reasons.scorecard_points(model, X)
    assert np.ptp((points.max() - points.mean()).to_numpy()) < 1e-12      # the condition holds
    for i in range(8):
        x = X.iloc[[i]]
        shap = reasons.reason_codes(model, x, X, method="shap", n_reasons=4)
        card = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=4)
        assert set(shap.features) == set(card.features)
        assert shap.features == card.features


def test_without_the_condition_the_rules_can_disagree():
    """Feature a: rare bad value (mean close to best); b: common bad value. Same points below max."""
    X = pd.DataFrame({"a": [1.0] + [0.0] * 9, "b": [1.0] * 9 + [0.0]})
    model = LogisticRegression().fit(X, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    object.__setattr__(model, "coef_", np.array([[1.0, 1.1]]))
    object.__setattr__(model, "intercept_", np.array([0.0]))
    x = X.iloc[[0]]                                  # bad on both
    card = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=2)
    shap = reasons.reason_codes(model, x, X, method="shap", n_reasons=2)
    assert card.features == ["b", "a"]               # b is 1.1 below its best, a 1.0
    assert shap.features == ["a", "b"]               # but a is 0.9 above its mean, b 0.11


def test_additive_shap_equals_exact_shapley_of_the_log_odds(toy):
    model, X, _, x = toy
    background = X.iloc[:60]
    ours = reasons.reason_codes(model, x, background, method="shap", n_reasons=10).contributions
    f = prediction_function(model, scale="log-odds")
    exact = shapley.exact_shapley(f, x, background)
    expected = pd.Series(exact.values[0], index=list(exact.feature_names))
    assert np.allclose(ours, expected.reindex(ours.index), atol=1e-10)


def test_shap_reasons_add_up_to_the_log_odds_above_the_background(toy):
    model, X, _, x = toy
    result = reasons.reason_codes(model, x, X, method="shap", n_reasons=10)
    f = prediction_function(model, scale="log-odds")
    assert result.contributions.sum() == pytest.approx(f(x)[0] - f(X).mean(), abs=1e-10)


def test_adverse_class_zero_mirrors_the_contributions(toy):
    model, X, _, x = toy
    one = reasons.reason_codes(model, x, X, method="shap", n_reasons=10, adverse_class=1).contributions
    zero = reasons.reason_codes(model, x, X, method="shap", n_reasons=10, adverse_class=0).contributions
    assert np.allclose(one, -zero.reindex(one.index), atol=1e-12)


# ------------------------------------------------------------------------------- grouping
def test_grouping_one_hot_columns_sums_their_contributions_exactly(toy):
    model, X, y, x = toy
    hot = pd.get_dummies(X, columns=["account", "sex"], prefix_sep="=", dtype=float)
    bare = LogisticRegression(C=10.0, max_iter=5000).fit(hot, y)
    x_hot = hot.loc[x.index]
    grouped = reasons.reason_codes(bare, x_hot, hot, method="shap", n_reasons=10).contributions
    f = prediction_function(bare, scale="log-odds")
    exact = shapley.exact_shapley(f, x_hot, hot.iloc[:40])
    per_column = pd.Series(exact.values[0], index=list(exact.feature_names))
    partial = reasons.reason_codes(bare, x_hot, hot.iloc[:40], method="shap", n_reasons=10).contributions
    sums = per_column.groupby(lambda c: c.split("=")[0]).sum()
    assert np.allclose(partial, sums.reindex(partial.index), atol=1e-10)
    assert set(grouped.index) == {"duration", "amount", "account", "sex"}


def test_explicit_groups_sum_their_members(toy):
    model, X, _, x = toy
    single = reasons.reason_codes(model, x, X, method="shap", n_reasons=10).contributions
    grouped = reasons.reason_codes(model, x, X, method="shap", n_reasons=10,
                                   groups={"loan terms": ["duration", "amount"]}).contributions
    assert grouped["loan terms"] == pytest.approx(single["duration"] + single["amount"], abs=1e-12)
    assert set(grouped.index) == {"loan terms", "account", "sex"}


def test_scorecard_groups_take_the_maximum_of_the_sum(toy):
    model, X, _, x = toy
    points = reasons.scorecard_points(model, X, groups={"loan terms": ["duration", "amount"]})
    single = reasons.scorecard_points(model, X)
    assert np.allclose(points["loan terms"], single["duration"] + single["amount"])


# ------------------------------------------------------------------------------- exclusion
def test_excluded_characteristics_never_appear_and_the_next_reason_moves_up(toy):
    model, X, _, x = toy
    full = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=4)
    assert "sex" in full.features
    cut = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=4, exclude=["sex"])
    assert "sex" not in cut.features
    assert cut.features == [f for f in full.contributions.index if f != "sex" and full.contributions[f] > 0][:4]
    assert cut.contributions["sex"] == full.contributions["sex"]     # hidden from the letter, not from the model


@pytest.mark.parametrize("method", ["shap", "lime", "scorecard"])
def test_exclusion_holds_for_every_method_on_many_applicants(toy, method):
    model, X, _, _ = toy
    table = reasons.reason_codes_table(model, X.iloc[:12], X, method=method, exclude="sex",
                                       options={"n_samples": 500})
    assert "sex" not in set(table["feature"])
    assert (table["contribution"] > 0).all()
    assert table.groupby("applicant")["rank"].max().max() <= 4


# ------------------------------------------------------------------------------- other methods
def test_tree_models_use_interventional_tree_shap(toy):
    _, X, y, x = toy
    model = _pipeline(GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=0)).fit(X, y)
    ours = reasons.reason_codes(model, x, X.iloc[:80], method="shap", n_reasons=10).contributions
    expected = shapley.tree_shap(model, x, X.iloc[:80], scale="log-odds")
    values = pd.Series(expected.values[0], index=list(expected.feature_names))
    assert np.allclose(ours, values.reindex(ours.index), atol=1e-10)


def test_lime_reasons_are_lime_weights(toy):
    model, X, _, x = toy
    ours = reasons.reason_codes(model, x, X, method="lime", n_reasons=10, random_state=3,
                                options={"n_samples": 800}).contributions
    lime = lime_tabular(prediction_function(model), X, x, n_samples=800, random_state=3)
    weights = pd.Series(lime.weights, index=list(lime.feature_names))
    assert np.allclose(ours, weights.reindex(ours.index), atol=1e-12)


def test_counterfactual_reasons_are_shares_of_changes_within_the_constraints(toy):
    model, X, _, x = toy
    result = reasons.reason_codes(model, x, X, method="counterfactual", n_reasons=4,
                                  options={"features_to_vary": ["duration", "amount", "account"]})
    assert result.adverse
    assert set(result.features) <= {"duration", "amount", "account"}
    assert all(0 < r.contribution <= 1 for r in result.reasons)
    assert result.contributions["sex"] == 0


def test_an_applicant_rated_favourably_gets_no_counterfactual_reasons(toy):
    model, X, _, _ = toy
    good = X.iloc[[int(np.argmin(model.predict_proba(X)[:, 1]))]]
    result = reasons.reason_codes(model, good, X, method="counterfactual")
    assert not result.adverse and len(result) == 0 and result.message


def test_sentences_use_the_phrase_table(toy):
    model, X, _, x = toy
    phrases = {"account": "Account at this bank: {value}", "duration": "Loan duration of {value} months"}
    result = reasons.reason_codes(model, x, X, method="scorecard", n_reasons=10, phrases=phrases)
    for reason in result.reasons:
        if reason.feature == "account":
            assert reason.sentence == f"Account at this bank: {x['account'].iloc[0]}"
        if reason.feature == "duration":
            assert reason.sentence == f"Loan duration of {int(x['duration'].iloc[0])} months"
    frame = result.to_frame()
    assert list(frame.columns) == ["rank", "feature", "value", "contribution", "sentence"]
    assert frame["contribution"].is_monotonic_decreasing


def test_credit_applicant_170_letter():
    from xaibook import data, models
    ds = data.load_credit()
    model = models.get_model("credit", "logistic")
    letter = reasons.reason_codes(model, ds.X.loc[[170]], ds.X_train, method="scorecard",
                                  exclude=ds.protected_features)
    assert len(letter) == 4 and letter.adverse
    assert not set(letter.features) & set(ds.protected_features)
    assert any("checking account" in r.sentence.lower() for r in letter.reasons)


# ------------------------------------------------------------------------------- agreement
def test_reason_overlap_by_hand():
    assert reasons.reason_overlap(["a", "b", "c", "d"], ["d", "c", "x", "y"], k=4) == 0.5
    assert reasons.reason_overlap(["a", "b"], ["b", "a"], k=2) == 1.0
    assert reasons.reason_overlap(["a", "b", "c"], ["a", "x", "c"], k=1) == 1.0
    assert reasons.reason_overlap([], []) == 1.0


def test_reasons_agreement_table(toy):
    model, X, _, _ = toy
    rows = [X.iloc[[i]] for i in range(5)]
    letters = {m: [reasons.reason_codes(model, r, X, method=m, options={"n_samples": 400}) for r in rows]
               for m in ("shap", "scorecard", "lime")}
    table = reasons.reasons_agreement(letters, k=2)
    assert list(table.index) == ["shap", "scorecard", "lime"]
    assert np.allclose(np.diag(table), 1.0) and np.allclose(table, table.T)
    expected = np.mean([reasons.reason_overlap(a, b, k=2) for a, b in zip(letters["shap"], letters["lime"])])
    assert table.loc["shap", "lime"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="other applicants"):
        reasons.reasons_agreement({"a": letters["shap"], "b": letters["lime"][::-1]})


# ------------------------------------------------------------------------------- bad input
def test_bad_inputs_get_clear_errors(toy):
    model, X, y, x = toy
    with pytest.raises(ValueError, match="method must be one of"):
        reasons.reason_codes(model, x, X, method="anchors")
    with pytest.raises(ValueError, match="n_reasons"):
        reasons.reason_codes(model, x, X, n_reasons=0)
    with pytest.raises(ValueError, match="exclude names"):
        reasons.reason_codes(model, x, X, exclude=["gender"])
    with pytest.raises(ValueError, match="one applicant"):
        reasons.reason_codes(model, X.iloc[:2], X)
    with pytest.raises(ValueError, match="same columns"):
        reasons.reason_codes(model, x[["amount", "duration", "account", "sex"]], X)
    with pytest.raises(ValueError, match="NaN|missing"):
        reasons.reason_codes(model, x.assign(duration=np.nan), X)
    with pytest.raises(ValueError, match="two groups"):
        reasons.reason_codes(model, x, X, groups={"a": ["duration"], "b": ["duration", "amount"]})
    with pytest.raises(ValueError, match="not a column"):
        reasons.reason_codes(model, x, X, groups={"a": ["durations"]})
    with pytest.raises(TypeError, match="list of column names"):
        reasons.reason_codes(model, x, X, groups={"a": "duration"})
    with pytest.raises(ValueError, match="adverse_class"):
        reasons.reason_codes(model, x, X, adverse_class="bad")
    with pytest.raises(ValueError, match="scale"):
        reasons.reason_codes(model, x, X, scale="odds")
    tree = _pipeline(DecisionTreeClassifier(max_depth=2, random_state=0)).fit(X, y)
    with pytest.raises(ValueError, match="additive"):
        reasons.reason_codes(tree, x, X, method="scorecard")
    with pytest.raises(Exception, match="not fitted|fit"):
        reasons.reason_codes(_pipeline(LogisticRegression()), x, X)
    regressor = _pipeline(LinearRegression()).fit(X, y)
    with pytest.raises(ValueError, match="predict_proba"):
        reasons.reason_codes(regressor, x, X)
    with pytest.raises(ValueError, match="categor|unknown|seen"):
        reasons.reason_codes(model, x.assign(account="nnone"), X)
    with pytest.raises(TypeError, match="options"):
        reasons.reason_codes(model, x, X, options=["n_samples", 10])


# ------------------------------------------------------------------------------- the labs
def test_near_cutoff_rows_are_just_favourable(toy):
    model, X, _, _ = toy
    rows = reasons.near_cutoff(model, X, width=0.2)
    p = model.predict_proba(rows)[:, 1]
    assert len(rows) and ((p >= 0.3) & (p < 0.5)).all()
    with pytest.raises(ValueError, match="strictly between"):
        reasons.near_cutoff(model, X, width=0)
    with pytest.raises(ValueError, match="widen"):
        reasons.near_cutoff(model, X.iloc[[0]], width=1e-9)


def test_counts_shares_and_changes_by_hand(toy):
    model, X, _, _ = toy
    rows = X.iloc[:6]
    full = reasons.letters(model, rows, X, method="scorecard")
    cut = reasons.letters(model, rows, X, method="scorecard", exclude="sex")
    named = [("sex" in letter.features) for letter in full]
    assert reasons.share_naming(full, ["sex"]) == pytest.approx(np.mean(named))
    assert reasons.share_naming(cut, "sex") == 0
    counts = reasons.reason_counts(full)
    assert counts["letters"].sum() == sum(len(letter) for letter in full)
    assert counts["principal"].sum() == sum(1 for letter in full if len(letter))
    changes = reasons.changed_letters(full, cut)
    assert changes["changed"].tolist() == named
    groups = reasons.shares_by_group(full, X["account"], ["duration", "amount"])
    assert groups["n"].sum() == 6
    expected = pd.Series([bool({"duration", "amount"} & set(letter.features)) for letter in full],
                         index=[X.loc[letter.applicant, "account"] for letter in full]).groupby(level=0).mean()
    assert np.allclose(groups["share"], expected.reindex(groups.index))
    with pytest.raises(ValueError, match="same applicants"):
        reasons.changed_letters(full, cut[::-1])
    with pytest.raises(TypeError, match="ReasonCodes"):
        reasons.share_naming(["a"], "sex")


def test_refit_letters_are_seeded_and_differ_from_refit_to_refit(toy):
    model, X, y, _ = toy
    rows = X.iloc[:5]
    first = reasons.refit_letters(model, X, y, rows, n_refits=2, random_state=4, method="shap")
    again = reasons.refit_letters(model, X, y, rows, n_refits=2, random_state=4, method="shap")
    assert [[letter.features for letter in refit] for refit in first] == \
        [[letter.features for letter in refit] for refit in again]
    a, b = (np.array([letter.contributions.sort_index().to_numpy() for letter in refit]) for refit in first)
    assert not np.allclose(a, b)                           # two resamples, two models
    with pytest.raises(TypeError, match="int seed"):
        reasons.refit_letters(model, X, y, rows, random_state=np.random.default_rng(0))


# ------------------------------------------------------------------------------- charts
def test_letter_card_and_charts(toy):
    from xaibook.charts import reasons as charts
    model, X, _, x = toy
    letter = reasons.reason_codes(model, x, X, method="scorecard")
    card = charts.letter_card(letter, changes=["A loan of 12 months"])
    assert "<ol" in card._repr_html_() and letter.reasons[0].sentence in card._repr_html_()
    assert "A loan of 12 months" in repr(card)
    with pytest.raises(TypeError, match="sentences"):
        charts.letter_card(letter, changes="shorter")
    rows = X.iloc[:4]
    letters = {m: reasons.letters(model, rows, X, method=m) for m in ("scorecard", "shap")}
    table = reasons.reasons_agreement(letters)
    spec = charts.reasons_agreement_chart(table).to_dict()
    assert spec["title"] and spec["description"]
    frame = charts.reasons_picker_frame(letters)
    assert set(frame.columns) == {"applicant", "method", "feature", "rank"}
    picker = charts.reasons_picker_chart(frame).to_dict()
    assert picker["params"][0]["bind"]["input"] == "select"
    with pytest.raises(ValueError, match="no letter"):
        charts.reasons_picker_chart(frame, applicant="nobody")
    with pytest.raises(ValueError, match="square"):
        charts.reasons_agreement_chart(table.iloc[:1])


def test_change_sentences_name_every_changed_characteristic_at_its_new_value(toy):
    from xaibook.counterfactual import counterfactuals
    model, X, _, x = toy
    result = counterfactuals(model, x, X, features_to_vary=["duration", "amount", "account"], n_counterfactuals=3)
    phrases = {"duration": "Duration {value}", "amount": "Amount {value}", "account": "Account {value}"}
    lines = reasons.change_sentences(result, phrases=phrases)
    assert len(lines) == len(result) > 0
    changed = result.changed()
    for position, line in enumerate(lines):
        for feature, template in phrases.items():
            named = template.split()[0] in line
            assert named == bool(changed.iloc[position][feature])
            if named:
                value = result.counterfactuals.iloc[position][feature]
                if feature != "account" and float(value).is_integer():
                    value = int(value)
                assert template.format(value=value) in line
    with pytest.raises(TypeError, match="CounterfactualResult"):
        reasons.change_sentences("letter")


def test_refit_without_is_the_same_pipeline_fitted_without_the_dropped_columns(toy):
    model, X, y, _ = toy
    lawful = reasons.refit_without(model, X, y, ["sex"])
    by_hand = make_pipeline(ColumnTransformer([("num", StandardScaler(), ["duration", "amount"]),
                                               ("cat", OneHotEncoder(), ["account"])]),
                            LogisticRegression(C=10.0)).fit(X.drop(columns="sex"), y)
    assert np.array_equal(lawful[-1].coef_, by_hand[-1].coef_)
    assert list(lawful.feature_names_in_) == ["duration", "amount", "account"]
    assert lawful[-1].C == 10.0 and model[-1].coef_.shape[1] == lawful[-1].coef_.shape[1] + 2   # f and m gone
    both = reasons.refit_without(model, X, y, ["sex", "amount"])
    assert list(both.feature_names_in_) == ["duration", "account"]
    assert model[-1].coef_.shape[1] == 7                   # the original is left alone
    with pytest.raises(ValueError, match=r"features \['income'\] are not columns of X_train"):
        reasons.refit_without(model, X, y, ["income"])
    with pytest.raises(ValueError, match="nothing would be left"):
        reasons.refit_without(model, X, y, list(X.columns))
    with pytest.raises(TypeError, match="first step is a ColumnTransformer"):
        reasons.refit_without(LogisticRegression(), X, y, ["sex"])

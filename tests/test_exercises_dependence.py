"""Checkers of chapter 4's exercises: right answers pass, wrong ones get a hint."""

import numpy as np
import pytest

from xaibook import data, models
from xaibook.exercises import dependence as ex


@pytest.fixture(scope="module")
def answers():
    return {
        "pdp": ex.pdp_value("age", 30),
        "spread": ex.heterogeneity_by_feature(),
        "gap": ex.extrapolation_gap(),
        "h": ex.interaction_strengths(),
    }


def test_pdp_value_checker(answers):
    # by hand: everyone's age set to 30, then the mean predicted probability
    credit = data.load_credit()
    model = models.get_model("credit", "boosting")
    at_30 = model.predict_proba(credit.X.assign(age=np.full(len(credit.X), 30, dtype=credit.X["age"].dtype)))
    assert answers["pdp"] == pytest.approx(at_30[:, 1].mean(), abs=1e-12)
    assert ex.check_pdp_value(answers["pdp"])
    wrong = ex.check_pdp_value(answers["pdp"] + 0.05)
    assert not wrong and "grid=[30]" in str(wrong)


def test_heterogeneity_checker(answers):
    spread = answers["spread"]
    assert set(spread) >= {"duration_months", "credit_amount", "age"}
    assert all(v >= 0 for v in spread.values())
    best = max(spread, key=spread.get)
    assert ex.check_most_heterogeneous(best)
    other = min(spread, key=spread.get)
    assert not ex.check_most_heterogeneous(other)


def test_extrapolation_gap_checker(answers):
    gap = answers["gap"]
    assert np.isfinite(gap) and gap > 0.05  # the MLP's PDP extrapolates upwards at 72 months
    assert ex.check_extrapolation_gap(gap)
    assert not ex.check_extrapolation_gap(gap - 0.1)


def test_extrapolation_gap_of_another_feature():
    # exercise 3 asks about credit_amount; the checker takes the feature as a keyword
    from xaibook.dependence import ale, partial_dependence
    from xaibook.predict import prediction_function

    credit = data.load_credit()
    f = prediction_function(models.get_model("credit", "mlp"))
    effect = ale(f, credit.X, "credit_amount", grid_resolution=20)
    pdp = partial_dependence(f, credit.X, "credit_amount", grid=effect.grid)
    by_hand = pdp.centred_on_data()[-1] - effect.effect[-1]
    gap = ex.extrapolation_gap(feature="credit_amount")
    assert gap == pytest.approx(by_hand, abs=1e-12)
    assert ex.check_extrapolation_gap(gap, feature="credit_amount")
    assert not ex.check_extrapolation_gap(gap + 0.05, feature="credit_amount")
    wrong = ex.check_extrapolation_gap(gap, feature="duration_months")
    assert not wrong and "duration_months" in str(wrong)


def test_interaction_checker(answers):
    strengths = answers["h"]
    assert set(strengths) == set(ex.INTERACTION_PAIRS)
    best = max(strengths, key=strengths.get)
    assert ex.check_strongest_interaction(best)
    assert ex.check_strongest_interaction(tuple(reversed(best)))  # order does not matter
    weakest = min(strengths, key=strengths.get)
    assert not ex.check_strongest_interaction(weakest)
    assert "tuple" in str(ex.check_strongest_interaction(7))


def test_additive_model_checker():
    spread = ex.spread_by_model()
    answer = ex.additive_model()
    # the answer is additive on the log-odds scale only: its curves still fan out in probability
    assert spread[answer]["log-odds"] < 1e-9 < 0.01 < spread[answer]["probability"]
    assert all(by_scale["log-odds"] > 0.01 for name, by_scale in spread.items() if name != answer)
    assert ex.check_additive_model(answer)
    other = next(name for name in spread if name != answer)
    wrong = ex.check_additive_model(other)
    assert not wrong and "log-odds" in str(wrong)


def test_widest_model_checker():
    spread = ex.spread_by_model()
    widest = max(spread, key=lambda name: spread[name]["log-odds"])
    assert ex.widest_model() == widest
    assert ex.check_widest_model(widest)
    for other in set(spread) - {widest}:
        wrong = ex.check_widest_model(other)
        assert not wrong and "log-odds" in str(wrong)


def test_fair_summary_checker_follows_the_measured_spreads():
    from xaibook.dependence import partial_dependence
    from xaibook.predict import prediction_function

    heart = data.load_heart()
    model = models.get_model("heart", ex.FAIR_SUMMARY_MODEL)
    # by hand, independently of the checker's helper: the centred curves' largest spread per scale
    spread = {scale: partial_dependence(prediction_function(model, scale=scale), heart.X_test,
                                        "max_heart_rate").heterogeneity().max()
              for scale in ("probability", "log-odds")}
    expected = "C" if spread["log-odds"] > 1e-9 else ("A" if spread["probability"] < 1e-9 else "B")
    assert ex.fair_summary_choice() == expected
    # the chapter's boosting model is additive in log-odds (depth-one trees): there the answer is B
    assert ex.fair_summary_choice(model="boosting") == "B"
    assert ex.check_fair_summary(expected) and ex.check_fair_summary(expected.lower() + " ")
    for wrong in set(ex.FAIR_SUMMARY_CHOICES) - {expected}:
        verdict = ex.check_fair_summary(wrong)
        assert not verdict and "heterogeneity" in str(verdict) and "both scales" in str(verdict)
    bad = ex.check_fair_summary("D")
    assert not bad and "one of the letters" in str(bad)
    assert not ex.check_fair_summary(2)


def test_pdp_ale_scenarios_and_checker():
    gaps = ex.pdp_ale_gaps()
    assert set(gaps) == set(ex.PDP_ALE_SCENARIOS)
    # interaction with correlated features (C) separates the curves by far the most; an additive
    # model (A) gives the same curve up to centring; independent features (B) only noise
    assert gaps["C"] > 10 * max(gaps["A"], gaps["B"]) and gaps["C"] > 0.2
    assert ex.differing_scenario() == "C"
    assert ex.check_pdp_ale_differ("C")
    for wrong in ("A", "B"):
        verdict = ex.check_pdp_ale_differ(wrong)
        assert not verdict and "additive" in str(verdict) and "independent" in str(verdict)
    assert "one of the letters" in str(ex.check_pdp_ale_differ("x1 * x2"))
    X, model = ex.scenario_data("B")
    assert abs(np.corrcoef(X["x1"], X["x2"])[0, 1]) < 0.1
    X, model = ex.scenario_data("C")
    assert np.corrcoef(X["x1"], X["x2"])[0, 1] > 0.9
    np.testing.assert_allclose(model(X), X["x1"] * X["x2"])
    with pytest.raises(ValueError, match="one of"):
        ex.scenario_data("D")

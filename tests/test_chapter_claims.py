"""Claims that issue 20 found wrong in chapters 1-5 must not come back (a text check of the prose)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(BOOK.glob("0[1-5]_*.md"))

# phrase (regular expression, case-insensitive) -> why it is wrong
WRONG = {
    r"women are never recorded as single|all recorded as divorced": "single women (A94) are in the data",
    r"if the\s+applicant were a man": "the sex/marital code mixes single men with non-single women",
    r"loan denied": "y records repayment of a granted loan, not a denial",
    r"rejected (ones|applicants)|approved applicants": "every row is a granted loan",
    r"checking_account=< 0 DM": "UCI's A11 is 'no checking account', not '< 0 DM'",
    r"the average is stable:": "row resampling and refits must be compared like with like",
    r"satisfies four reasonable demands": "Shapley (1953) stated three axioms",
    r"the lowest rate alone": "rate 1 is the heaviest burden, and not a lever",
    r"give `personal_status_sex` little importance": "protected attributes' ranks must be reported",
    r"happened to score better": "a negative drop-column value is refit noise",
    r"one shuffle each: its noise is part of the spread, and small": "one shuffle's noise dominates a bootstrap",
    r"impurity[^.]*summed over all trees": "scikit-learn averages the trees' normalised MDI",
    r"predictions alone|only needs their predictions\.": "permutation importance also needs the outcomes",
}


def assert_free_of(page: Path, wrong: dict[str, str]) -> None:
    """No phrase of ``wrong`` (regular expression -> why it is wrong) occurs on ``page``."""
    text = re.sub(r"\s+", " ", page.read_text())
    for pattern, why in wrong.items():
        assert not re.search(pattern, text, flags=re.IGNORECASE), f"{page.name}: {pattern!r} ({why})"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_corrected_claims_stay_corrected(chapter):
    assert_free_of(chapter, WRONG)


def test_the_label_and_the_data_section_are_in_chapter_one():
    text = (BOOK / "01_why_explain.md").read_text()
    assert "About the data" in text and "groemping2019south" in text
    assert "*granted*" in text


def test_cite_page_points_to_an_existing_data_listing():
    text = (BOOK / "cite.md").read_text()
    assert "the data chapter lists" not in text
    assert "PROVENANCE.md" in text
    assert (BOOK.parent / "code" / "xaibook" / "datasets" / "PROVENANCE.md").is_file()


# --- issue 25, items of chapters 1-5, the intro, the glossary and the data (helper claims-a) -----

FRONT = sorted(BOOK.glob("0[1-5]_*.md")) + [BOOK / "intro.md", BOOK / "glossary.md"]

# phrase (regular expression, case-insensitive) -> why it is wrong (issue 25 item)
WRONG_25 = {
    r"(one|single) bar from the base value": "4: the force plot's bar does not run from the base value",
    r"correspondence is one to one": "16: Lundberg & Lee drop symmetry; missingness is about x'_i = 0",
    r"\"absent\" means the row does not differ from the background": "16: that is the dummy property",
    r"only the second is evidence of an interaction": "17: interaction depends on the scale",
    r"adds up on the probability scale": "17: averaging trees is not additivity across features",
    r"judge interactions on the log-odds scale": "17: report both scales",
    r"about one useless\s+feature can exclude zero": "18: a one-sided call: ~0.5 of twenty",
    r"penalised-spline GAM in the sense of": "19: the GAM is a ridge-penalised regression spline",
    r"barely moves": "28: the halves move the PDP by a fifth of its rise, mostly a level shift",
    r"the denied applicant|applicant \{person\} denied|explains the denial": "29: 170 was granted",
    r"`age` and `employment_since`, say": "30: age is itself protected",
    r"susceptible to heart disease": "31: the label is disease present now, in referred patients",
    r"the sign of interactions": "32: c-ICE curves show whether, not the sign of, interactions",
    r"impurity reduction of all splits on a feature, summed": "32: scikit-learn averages the trees' MDI",
    r"could not check every row|40 rows we matched": "27: the whole-file comparison is in code",
    r"treatable risk factor\. Only those": "20: heart risk factors are not levers for disease now",
}


@pytest.mark.parametrize("page", FRONT, ids=lambda p: p.name)
def test_issue_25_front_claims_stay_corrected(page):
    assert_free_of(page, WRONG_25)


def test_issue_25_force_plot_draws_what_the_text_says():
    """Item 4: raising segments end at f(x), lowering ones start there, the base value is inside."""
    import pandas as pd

    from xaibook.charts import shapley as shap_charts
    from xaibook.exercises import shapley as toy
    from xaibook.shapley import exact_shapley

    def score(X):   # a long loan raises the score, a large amount lowers it, and they interact
        long_loan = X["duration_months"].to_numpy() > 24
        large = X["credit_amount"].to_numpy() > 5000
        return 0.5 + 0.2 * long_loan - 0.1 * large + 0.05 * (long_loan & large)

    background = pd.concat([toy.toy_reference(), toy.toy_second_reference()], ignore_index=True)
    result = exact_shapley(score, toy.toy_applicant(), background)
    values = result.values[0]
    assert (values > 0).any() and (values < 0).any(), "the check needs both kinds of segment"
    frame = shap_charts.force_frame(result)
    raises, lowers = frame[frame["direction"] == "raises"], frame[frame["direction"] == "lowers"]
    fx, base = result.prediction[0], result.base_value
    assert raises["end"].max() == pytest.approx(fx, abs=1e-3)
    assert lowers["start"].min() == pytest.approx(fx, abs=1e-3)
    # the bar runs from base - |lowers| to base + raises: the base value is inside, not an end
    assert frame["start"].min() == pytest.approx(base + values[values < 0].sum(), abs=1e-3)
    assert frame["end"].max() == pytest.approx(base + values[values > 0].sum(), abs=1e-3)
    assert frame["start"].min() < base < frame["end"].max()
    description = shap_charts.force_chart(result).to_dict()["description"]
    assert "from the base value" not in description and "dashed" in description


def test_issue_25_lundberg_lee_and_the_axioms():
    """Item 16: the chapter says symmetry is not on Lundberg & Lee's list and missingness is a
    condition on simplified inputs x'_j = 0 (their Property 2)."""
    text = re.sub(r"\s+", " ", (BOOK / "05_shap.md").read_text())
    assert "redundant" in text and "x'_j = 0" in text and "Symmetry is not on Lundberg and Lee's list" in text


def test_issue_25_one_sided_bootstrap_arithmetic():
    """Item 18: the count of resamples a 2.5% tail gives by chance, and the one-sided rate."""
    from math import comb

    from xaibook.exercises import importance as ex

    for n in (12, 50, 200):
        cdf = 0.0
        for k in range(n + 1):
            cdf += comb(n, k) * 0.025 ** k * 0.975 ** (n - k)
            if cdf >= 0.95:
                break
        assert ex.chance_count(n) == k
    assert ex.chance_count(50) == 3            # so 1 of 50 at or below zero decides nothing
    text = (BOOK / "03_permutation_importance.md").read_text()
    assert "pi_any_false" in text and "half a feature" in text
    assert re.search(r'glue\("pi_any_false", 1 - 0\.975 \*\* 20', text)


def test_issue_25_gam_is_what_the_chapter_says():
    """Item 19: a B-spline basis of n_knots + degree - 1 columns per numeric feature, an L2
    (ridge) logistic regression, and numeric columns left out of numeric_features one-hot encoded."""
    from xaibook import data, glassbox, pipeline

    credit = data.load_credit()
    gam = glassbox.spline_gam(credit.X_train, credit.y_train, numeric_features=["age"], n_knots=5)
    columns = pipeline.transformed_features(gam)
    assert (columns["raw_feature"] == "age").sum() == 5 + 3 - 1
    onehot = columns[columns["raw_feature"] == "installment_rate"]
    assert len(onehot) == credit.X_train["installment_rate"].nunique()
    model = gam.named_steps["model"]
    params = model.get_params()
    assert params["penalty"] in ("l2", "deprecated") and params.get("l1_ratio") in (None, 0, 0.0)
    text = re.sub(r"\s+", " ", (BOOK / "02_basics.md").read_text())
    assert "does not penalise roughness" in text and "eilers1996flexible" in text


def test_issue_25_actionable_flags_follow_the_rule():
    """Item 20: gaming (an account opened) and risk factors of a present disease are no levers."""
    from xaibook import data

    heart, credit = data.load_heart(), data.load_credit()
    assert heart.actionable_features == []
    assert {"resting_bp", "cholesterol", "fasting_blood_sugar"} <= set(heart.mutable_features)
    assert "checking_account" not in credit.actionable_features
    text = re.sub(r"\s+", " ", (BOOK / "01_why_explain.md").read_text())
    assert "gaming the model" in text and "n_heart_actionable" in text


def test_issue_25_provenance_reports_the_whole_file_comparison():
    """Item 27: the numbers PROVENANCE.md states are the code's."""
    from xaibook import data

    table = data.south_german_comparison().set_index("column")["n_differ"]
    provenance = re.sub(r"\s+", " ", (BOOK.parent / "code" / "xaibook" / "datasets" / "PROVENANCE.md").read_text())
    assert f"{table.attrs['n_matched']} of the 1000 rows match" in provenance
    for column, n in table[table > 0].items():
        assert f"`{column}` ({n}" in provenance, column
    assert table["checking_account"] == 0 and "checking-account status and the class never differ" in provenance
    assert "sgc_differ" in (BOOK / "01_why_explain.md").read_text()

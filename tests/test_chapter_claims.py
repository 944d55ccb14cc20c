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


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_corrected_claims_stay_corrected(chapter):
    text = re.sub(r"\s+", " ", chapter.read_text())
    for pattern, why in WRONG.items():
        assert not re.search(pattern, text, flags=re.IGNORECASE), f"{chapter.name}: {pattern!r} ({why})"


def test_the_label_and_the_data_section_are_in_chapter_one():
    text = (BOOK / "01_why_explain.md").read_text()
    assert "About the data" in text and "groemping2019south" in text
    assert "*granted*" in text


def test_cite_page_points_to_an_existing_data_listing():
    text = (BOOK / "cite.md").read_text()
    assert "the data chapter lists" not in text
    assert "PROVENANCE.md" in text
    assert (BOOK.parent / "code" / "xaibook" / "datasets" / "PROVENANCE.md").is_file()


# ------------------------------------------------------------------------------ chapter 7 (issue 25)
CH7 = BOOK / "07_counterfactuals.md"


def _ch7_text() -> str:
    return re.sub(r"\s+", " ", CH7.read_text())


def test_ch7_cost_is_attributed_to_wachter_and_differs_from_dice():
    """Item 8: the MAD-scaled L1 distance is Wachter et al.'s; DiCE averages per feature type and
    scores sparsity as 1 - share changed. Neither the chapter nor the module calls it DiCE's cost."""
    from xaibook import counterfactual

    text = _ch7_text()
    for wrong in (r"the cost of DiCE", r"DiCE's (cost|distance)", r"cost and distance are those of DiCE"):
        assert not re.search(wrong, text, flags=re.IGNORECASE), wrong
        assert not re.search(wrong, counterfactual.__doc__, flags=re.IGNORECASE), wrong
    assert "{cite:t}`wachter2017counterfactual` propose" in CH7.read_text()
    assert re.search(r"DiCE \*averages\*", text) and "one minus the share of features changed" in text
    assert "dice_sparsity" in text     # DiCE's sparsity glued next to ours


def test_ch7_us_legal_source_is_regulation_b_not_the_withdrawn_circular():
    """Item 9: CFPB Circular 2022-03 was withdrawn effective 12 May 2025; the duty is 12 CFR 1002.9."""
    text = CH7.read_text()
    assert "cfpb2022adverse" not in text and "{cite:p}`cfr1002_9`" in text
    assert "may ask for them within 60 days" in _ch7_text()
    bib = (BOOK / "references.bib").read_text()
    assert "@misc{cfr1002_9," in bib and "Withdrawn by the CFPB effective 12 May 2025" in bib


def test_ch7_ties_are_not_credited_to_predictive_multiplicity():
    """Item 12: Pawelczyk et al. (2020) study counterfactuals across equally good models, not tied
    options for one model."""
    text = _ch7_text()
    assert "Rashomon effect of explanations" not in text
    ties = text[text.index("### Many equally good answers"):text.index("### A refit can take")]
    assert "pawelczyk2020counterfactual" not in ties


def test_ch7_oversampling_is_stated_with_the_risk():
    """Item 24: 'risk of default 0.70' is on the sample's scale (300 of 1000 bad credits)."""
    from xaibook import data

    text = _ch7_text()
    intro = text[:text.index("## What makes a counterfactual good")]
    assert "oversampled" in intro and "{glue:text}`risk_5:.2f`" in intro
    assert int(data.load_credit().y.sum()) == 300 and len(data.load_credit().y) == 1000


def test_ch7_ordered_bands_cost_their_steps():
    """Item 22: savings and checking are ordered bands, costed by the steps between them."""
    from xaibook import data
    from xaibook.counterfactual import band_scales, distance_matrix

    credit = data.load_credit()
    scales = band_scales(credit.X_train, data.CREDIT_BANDS)
    assert set(scales) == {"checking_account", "savings_account"}
    x = credit.X_train[credit.X_train["savings_account"] == "unknown / none"].iloc[[0]]
    rich = x.assign(savings_account=">= 1000 DM")
    small = x.assign(savings_account="< 100 DM")
    plain = distance_matrix(rich, x, credit.X_train)[0, 0]
    steps = distance_matrix(rich, x, credit.X_train, ordered=data.CREDIT_BANDS)[0, 0]
    assert plain == 1.0 and steps == 4.0 / scales["savings_account"][1]
    assert distance_matrix(small, x, credit.X_train, ordered=data.CREDIT_BANDS)[0, 0] == 1.0 / scales[
        "savings_account"][1]
    text = CH7.read_text()
    assert "```{code-cell} ipython3\nimport dice_ml" in text     # DiCE is run, not only shown
    assert "ordered=bands" in text


def test_ch7_plausibility_has_a_baseline():
    """Item 5: the counterfactuals' distance to the nearest training row is read against real
    applicants' (applicant 170's own and the median test applicant's)."""
    import numpy as np

    from xaibook import data, models
    from xaibook.counterfactual import actionable_features, counterfactuals, distance_matrix

    text = CH7.read_text()
    for name in ("own_nearest", "median_nearest", "odd_n_below"):
        assert f"{{glue:text}}`{name}" in text, name
    credit = data.load_credit()
    x = credit.X.loc[[models.featured_person("credit")]]
    result = counterfactuals(models.get_model("credit", "boosting"), x, credit.X_train, desired_class=0,
                             features_to_vary=actionable_features(credit), n_counterfactuals=4,
                             ordered=data.CREDIT_BANDS)
    nearest = distance_matrix(credit.X_test, credit.X_train, credit.X_train, ordered=data.CREDIT_BANDS).min(axis=1)
    # "by this measure the counterfactuals are as typical as real people"
    assert result.plausibility.max() <= np.median(nearest)


def test_ch7_options_carry_their_caveats_and_exercise_3_does_not_grade_noise():
    """Items 25 and 21: caveats sit in the options' table; exercise 3 asks for an interval."""
    text = CH7.read_text()
    assert "result.changes().assign(caveat=caveats(result.counterfactuals))" in text
    assert "check_costlier_group" not in text and "check_gap_interval" in text

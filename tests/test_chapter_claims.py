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

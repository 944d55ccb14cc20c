"""Checkers of chapter 6's exercises: the expected answers pass, wrong ones fail with a hint."""

import pytest
from xaibook import data, models
from xaibook.exercises import surrogate as ex


def test_patient_top_feature_checker():
    answer = ex.patient_top_feature()
    assert answer in data.load_heart().X.columns
    assert ex.check_patient_top_feature(answer)
    wrong = next(c for c in data.load_heart().X.columns if c != answer)
    verdict = ex.check_patient_top_feature(wrong)
    assert not verdict and "ranking" in verdict.hint


def test_fidelity_checker():
    answer = ex.fidelity_at_narrow_width()
    assert 0 < answer < 1
    assert ex.check_fidelity(answer)
    assert not ex.check_fidelity(answer + 0.05)
    assert not ex.check_fidelity("not a number")


def test_rotten_word_checker():
    answer = ex.rotten_top_word()
    assert ex.check_rotten_top_word(answer)
    assert not ex.check_rotten_top_word(answer.upper() + "x")


def test_patch_weight_checker():
    answer = ex.patch_weight_in_grey()
    assert 0 < answer < 1  # the shortcut still shows in grey, but less than in black
    assert ex.check_patch_weight(answer)
    assert not ex.check_patch_weight(answer + 0.02)


def test_answers_use_the_featured_people():
    assert models.featured_person("heart") in data.load_heart().X.index
    assert ex.NARROW_WIDTH == pytest.approx(1.0)

"""Exercise checkers give a verdict and a hint."""

from xaibook.exercises import Verdict, check_choice, check_number, check_ranking


def test_check_number():
    assert check_number(0.505, 0.5, tolerance=0.01)
    wrong = check_number(0.7, 0.5, tolerance=0.01, hint="average the repeats")
    assert not wrong and "too high" in str(wrong) and "average the repeats" in str(wrong)
    assert check_number(105, 100, tolerance=0.1, relative=True)
    assert not check_number("abc", 1.0)
    assert not check_number(float("nan"), 1.0)


def test_check_ranking():
    assert check_ranking(["a", "b", "c"], ["a", "b", "d"], top=2)
    verdict = check_ranking(["b", "a"], ["a", "b"])
    assert not verdict and "positions [1, 2]" in verdict.message
    assert not check_ranking("ab", ["a", "b"])
    assert not check_ranking(["a"], ["a", "b"])


def test_check_choice_and_html():
    assert check_choice("age", "age")
    verdict = check_choice("sex", "age", hint="look at the top bar")
    assert isinstance(verdict, Verdict) and not verdict
    assert "look at the top bar" in verdict._repr_html_()
    assert "&#10008;" in verdict._repr_html_()

"""Exercise checkers readers call from a notebook: a verdict and, when wrong, a hint.

A chapter's checker computes the expected answer from the same tested code the chapter uses (never
a typed-in constant), then compares it with the reader's answer using one of the helpers below::

    from xaibook.exercises import check_number
    check_number(my_answer, expected=0.42, tolerance=0.01, hint="Average over the repeats.")

Chapter-specific checkers live in ``xaibook/exercises/<key>.py``, named after the method key of
the chapter (CONTRIBUTING.md), and return a :class:`Verdict`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_number as check_number_argument
from xaibook._validation import check_positive_int

__all__ = ["Verdict", "check_number", "check_ranking", "check_choice"]


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer. Displays as a short coloured note in a notebook."""

    correct: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        head = "Correct" if self.correct else "Not yet"
        tail = f" Hint: {self.hint}" if (self.hint and not self.correct) else ""
        return f"{head}: {self.message}{tail}"

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.correct else "#D55E00"
        symbol = "&#10004;" if self.correct else "&#10008;"
        return (
            f'<div class="xaibook-verdict" style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f"{symbol} {html.escape(str(self))}</div>"
        )


def check_number(answer: Any, expected: float, *, tolerance: float = 0.01,
                 relative: bool = False, hint: str = "") -> Verdict:
    """Is ``answer`` within ``tolerance`` of ``expected`` (absolute, or relative if asked)?"""
    check_number_argument(expected, name="expected")
    check_number_argument(tolerance, name="tolerance", low=0)
    if isinstance(answer, (bool, np.bool_)):  # float(True) is 1.0: a yes/no is not a number
        return Verdict(False, f"expected a number, got the truth value {answer!r}", hint)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return Verdict(False, f"expected a number, got {answer!r}", hint)
    if math.isnan(value):
        return Verdict(False, "the answer is NaN", hint)
    allowed = tolerance * abs(expected) if relative else tolerance
    if abs(value - expected) <= allowed:
        return Verdict(True, f"{value:.4g} matches the expected {expected:.4g}.")
    direction = "high" if value > expected else "low"
    return Verdict(False, f"{value:.4g} is too {direction}.", hint)


def check_ranking(answer: Sequence[Any], expected: Sequence[Any], *, top: int | None = None,
                  hint: str = "") -> Verdict:
    """Do the first ``top`` items of ``answer`` equal those of ``expected``, in order?"""
    expected = list(expected)
    if not expected:
        raise ValueError("expected is empty: there is no ranking to check against")
    if top is not None:
        top = check_positive_int(top, name="top")
        if top > len(expected):
            raise ValueError(f"top={top} is more than the {len(expected)} items of the expected ranking")
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return Verdict(False, f"expected a list, got {type(answer).__name__}", hint)
    n = len(expected) if top is None else top
    got, want = list(answer)[:n], list(expected)[:n]
    if got == want:
        return Verdict(True, f"the top {n} are right: {want}.")
    wrong = [i + 1 for i, (g, w) in enumerate(zip(got, want)) if g != w]
    if len(got) < n:
        return Verdict(False, f"give at least {n} items (got {len(got)}).", hint)
    return Verdict(False, f"positions {wrong} differ from the expected ranking.", hint)


#: Words a reader may type for a yes/no answer (case and surrounding spaces ignored).
YES_NO = {"true": True, "yes": True, "y": True, "false": False, "no": False, "n": False}


def _as_truth(answer: Any) -> bool | None:
    """A yes/no answer as a bool: True/False, or a word of :data:`YES_NO`; None for anything else
    (never Python's truthiness, for which the string ``"no"`` is True)."""
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, str):
        return YES_NO.get(answer.strip().lower())
    return None


def check_choice(answer: Any, expected: Any, *, hint: str = "") -> Verdict:
    """Is ``answer`` the expected choice (a feature name, a class label, a True/False)?

    When ``expected`` is True or False, the answer must be a yes/no: a bool or a word such as
    ``"yes"``/``"no"`` (:data:`YES_NO`); a number or other text is not read as one."""
    if isinstance(expected, (bool, np.bool_)):
        truth = _as_truth(answer)
        if truth is None:
            return Verdict(False, f"answer True or False (or 'yes'/'no'), got {answer!r}", hint)
        answer = truth
    if isinstance(answer, (np.ndarray, pd.Series, pd.DataFrame, list, set, dict)) and \
            not isinstance(expected, (list, tuple)):
        return Verdict(False, f"expected a single choice such as {expected!r}, got {type(answer).__name__}", hint)
    try:
        same = bool(answer == expected)
    except (TypeError, ValueError):
        same = False
    if same:
        return Verdict(True, f"{expected!r} is right.")
    return Verdict(False, f"{answer!r} is not the answer.", hint)

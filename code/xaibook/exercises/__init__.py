"""Exercise checkers readers call from a notebook: a verdict and, when wrong, a hint.

A chapter's checker computes the expected answer from the same tested code the chapter uses (never
a typed-in constant), then compares it with the reader's answer using one of the helpers below::

    from xaibook.exercises import check_number
    check_number(my_answer, expected=0.42, tolerance=0.01, hint="Average over the repeats.")

Chapter-specific checkers live in ``xaibook/exercises/<key>.py``, named after the method key of
the chapter (CONTRIBUTING.md), and return a :class:`Verdict`.

Aliases (old module names, kept working for ``from xaibook.exercises import <old>``):
``why_explain`` -> ``overview``, ``basics`` -> ``glassbox``, ``permutation_importance`` ->
``importance``, ``partial_dependence`` -> ``dependence``, ``shap`` -> ``shapley``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xaibook._aliases import module_aliases

__all__ = ["Verdict", "check_number", "check_ranking", "check_choice"]

__getattr__ = module_aliases(__name__, {
    "why_explain": "overview", "basics": "glassbox", "permutation_importance": "importance",
    "partial_dependence": "dependence", "shap": "shapley",
})


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


def check_choice(answer: Any, expected: Any, *, hint: str = "") -> Verdict:
    """Is ``answer`` the expected choice (a feature name, a class label, a True/False)?"""
    if answer == expected:
        return Verdict(True, f"{expected!r} is right.")
    return Verdict(False, f"{answer!r} is not the answer.", hint)

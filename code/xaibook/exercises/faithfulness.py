"""Checkers for the exercises of chapter 11, *Is the explanation right?*.

Every expected answer is computed from :mod:`xaibook.faithfulness`'s cached studies, never typed in.
"""

from __future__ import annotations

from xaibook import faithfulness
from xaibook.exercises import Verdict, check_number

__all__ = [
    "irrelevant_mass_leader",
    "check_irrelevant_mass_leader",
    "credit_best_deletion",
    "check_credit_best_deletion",
    "sanity_similarity",
    "check_sanity_similarity",
]


def _leaders(table, metric: str, *, highest: bool) -> list[str]:
    values = table[table["metric"] == metric].groupby("method")["value"].mean()
    best = values.max() if highest else values.min()
    return sorted(values.index[values == best])


def _check_method(answer: str, expected: list[str], hint: str) -> Verdict:
    if not isinstance(answer, str):
        return Verdict(False, f"expected a method's name (a string), got {type(answer).__name__}", hint)
    if answer in expected:
        return Verdict(True, f"{answer!r} is right.")
    return Verdict(False, f"{answer!r} is not the answer.", hint)


def irrelevant_mass_leader() -> list[str]:
    """Exercise 1: the method (not the random baseline) putting the largest share of its attribution
    on the irrelevant features, for the boosting model at the highest correlation (mean over seeds)."""
    study = faithfulness.planted_study()
    chosen = study[(study["model"] == "boosting") & (study["correlation"] == faithfulness.CORRELATIONS[-1])
                   & (study["method"] != "random")]
    return _leaders(chosen, "irrelevant_mass", highest=True)


def check_irrelevant_mass_leader(answer: str) -> Verdict:
    return _check_method(answer, irrelevant_mass_leader(),
                         "filter planted_study() to model 'boosting', the highest correlation and metric "
                         "'irrelevant_mass', leave out 'random', and average over the seeds")


def credit_best_deletion() -> list[str]:
    """Exercise 2: the method with the lowest mean deletion area on the credit case."""
    return _leaders(faithfulness.credit_study(), "deletion_area", highest=False)


def check_credit_best_deletion(answer: str) -> Verdict:
    return _check_method(answer, credit_best_deletion(),
                         "average credit_study()'s 'deletion_area' per method over the seeds; lowest wins")


def sanity_similarity(method: str = "TreeSHAP") -> float:
    """Exercise 3: the mean rank correlation of ``method``'s explanation before and after the label shuffle."""
    summary = faithfulness.sanity_study().summary()
    if method not in summary.index:
        raise ValueError(f"unknown method {method!r}; the sanity study has {list(summary.index)}")
    return float(summary.loc[method, "rank_correlation"])


def check_sanity_similarity(answer: float, method: str = "TreeSHAP") -> Verdict:
    return check_number(answer, sanity_similarity(method), tolerance=0.005,
                        hint="sanity_study().summary() holds the mean over the shuffles")

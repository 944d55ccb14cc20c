"""Charts of chapter 10, *Reason codes: from explanation to adverse action*: the letter as a card, the
methods' agreement on the reasons, and a picker that shows every method's reasons for one applicant.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from xaibook.charts._base import DIGITS, check_result, describe, text_colour_on_fill
from xaibook.reasons import ReasonCodes

__all__ = ["LetterCard", "letter_card", "reasons_agreement_chart", "reasons_picker_frame", "reasons_picker_chart"]


class LetterCard:
    """An adverse-action letter rendered as an HTML card (``_repr_html_``); ``text`` is the plain letter."""

    def __init__(self, html_text: str, text: str):
        self.html = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def letter_card(letter: ReasonCodes, *, changes: Sequence[str] | None = None, lender: str = "The bank",
                title: str = "Statement of principal reasons") -> LetterCard:
    """The letter a lender could send for ``letter`` (a :class:`~xaibook.reasons.ReasonCodes`).

    Lists the principal reasons in the applicant's words, strongest first; ``changes`` adds what would
    have changed the outcome (sentences, e.g. from a counterfactual under actionable constraints).
    The card is plain, accessible HTML: a titled region with an ordered list, with a border in the
    page's own border colour and the page's text colours, so it reads in light and dark mode.
    """
    check_result(letter, ReasonCodes, name="letter")
    if changes is not None and (isinstance(changes, str) or not all(isinstance(c, str) for c in changes)):
        raise TypeError("changes must be a list of sentences (strings)")
    if not letter.reasons:
        raise ValueError(f"this letter has no reasons to print ({letter.message or 'none found'})")
    reasons = "".join(f"<li>{html.escape(r.sentence)}</li>" for r in letter.reasons)
    lines = [f"{i}. {r.sentence}" for i, r in enumerate(letter.reasons, 1)]
    body = [f'<p style="margin:0 0 .4em 0">{html.escape(lender)} has declined the application of applicant '
            f"{html.escape(str(letter.applicant))}. The principal reasons, most important first:</p>",
            f'<ol style="margin:0 0 .4em 1.2em;padding:0">{reasons}</ol>']
    text = [f"{title}", f"{lender} has declined the application of applicant {letter.applicant}.", *lines]
    if changes:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in changes)
        body.append('<p style="margin:.4em 0 .2em 0">What would have changed the decision:</p>'
                    f'<ul style="margin:0 0 .4em 1.2em;padding:0">{items}</ul>')
        text += ["What would have changed the decision:", *[f"- {c}" for c in changes]]
    body.append(f'<p style="margin:.4em 0 0 0;font-size:.85em">Reasons selected by the {html.escape(letter.method)} '
                f"rule ({html.escape(letter.units)}).</p>")
    style = "border:1px solid var(--pst-color-border, #888);border-radius:6px;padding:.8em 1em;max-width:36em"
    card = (f'<section class="xaibook-letter" role="region" aria-label="{html.escape(title)}" style="{style}">'
            f'<p style="margin:0 0 .4em 0;font-weight:600">{html.escape(title)}</p>{"".join(body)}</section>')
    return LetterCard(card, "\n".join(text))


def _check_square(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame) or list(table.index) != list(table.columns) or table.empty:
        raise ValueError("table must be a square methods x methods frame (xaibook.reasons.reasons_agreement)")
    values = table.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise ValueError("table's values must be shares between 0 and 1")
    return table


def reasons_agreement_chart(table: pd.DataFrame, *, k: int = 4, title: str | None = None,
                            description: str | None = None) -> alt.Chart:
    """Heat map of :func:`xaibook.reasons.reasons_agreement`: the mean share of the top-``k`` reasons two
    methods have in common, for every pair of methods (1 = the same reasons, 0 = none in common)."""
    table = _check_square(table)
    names = list(table.index)
    long = (table.rename_axis(index="method_a", columns="method_b").stack().rename("value").reset_index()
            .round({"value": DIGITS}))
    base = alt.Chart(long).encode(
        x=alt.X("method_b:N", sort=names, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=120)),
        y=alt.Y("method_a:N", sort=names, title=None, axis=alt.Axis(labelLimit=120)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 1], scheme="viridis"),
                        title=["shared", "reasons"]),
        tooltip=[alt.Tooltip("method_a:N", title="method"), alt.Tooltip("method_b:N", title="against"),
                 alt.Tooltip("value:Q", format=".2f", title=f"share of top-{k} reasons in common")],
    )
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text("value:Q", format=".2f"),
        color=text_colour_on_fill("value"),
    )
    chart = (cells + labels).properties(width=alt.Step(56), height=alt.Step(36))
    return describe(
        chart,
        title=title or f"Do the methods give the same top-{k} reasons?",
        description=description or (
            f"Heat map of {len(names)} reason-code rules ({', '.join(names)}) against each other: each cell is the "
            f"mean share of the top {k} reasons that two rules have in common over the same applicants "
            "(1: the same reasons, 0: none in common)."),
    )


def reasons_picker_frame(letters: Mapping[str, Sequence[ReasonCodes]]) -> pd.DataFrame:
    """The long frame the picker draws: ``applicant``, ``method``, ``feature``, ``rank`` of every reason."""
    if not isinstance(letters, Mapping) or not letters:
        raise ValueError("letters must map each method's name to its letters (ReasonCodes) for the same applicants")
    rows = []
    for method, results in letters.items():
        for letter in results:
            check_result(letter, ReasonCodes, name=f"letters[{method!r}]")
            for rank, reason in enumerate(letter.reasons, 1):
                rows.append({"applicant": str(letter.applicant), "method": method, "feature": reason.feature,
                             "rank": rank})
    return pd.DataFrame(rows, columns=["applicant", "method", "feature", "rank"])


def reasons_picker_chart(frame: pd.DataFrame, *, applicant: str | None = None, title: str | None = None,
                         description: str | None = None) -> alt.Chart:
    """Pick an applicant (a menu: works with the keyboard) and see which characteristics each method
    names as a reason and at which rank (1 = the principal reason). ``frame``: :func:`reasons_picker_frame`."""
    needed = ["applicant", "method", "feature", "rank"]
    if not isinstance(frame, pd.DataFrame) or any(c not in frame.columns for c in needed) or frame.empty:
        raise ValueError(f"frame must be reasons_picker_frame's table with columns {needed}")
    people = list(dict.fromkeys(frame["applicant"].astype(str)))
    start = people[0] if applicant is None else str(applicant)
    if start not in people:
        raise ValueError(f"applicant {applicant!r} has no letter in frame")
    methods = list(dict.fromkeys(frame["method"]))
    pick = alt.param(name="applicant", value=start, bind=alt.binding_select(options=people, name="Applicant: "))
    base = alt.Chart(frame.assign(applicant=frame["applicant"].astype(str))).transform_filter(
        alt.datum.applicant == pick
    ).encode(
        x=alt.X("method:N", sort=methods, title=None, axis=alt.Axis(labelAngle=-30, orient="top", labelLimit=120)),
        y=alt.Y("feature:N", title=None, sort=alt.EncodingSortField("rank", op="min"), axis=alt.Axis(labelLimit=150)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("rank:O", scale=alt.Scale(domain=[1, 2, 3, 4], scheme="viridis", reverse=True),
                        title="rank"),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("feature:N", title="characteristic"),
                 alt.Tooltip("rank:Q", title="rank in the letter")],
    )
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text("rank:Q"),
        color=text_colour_on_fill("rank"),
    )
    chart = (cells + labels).add_params(pick).properties(width=alt.Step(56), height=alt.Step(24))
    return describe(
        chart,
        title=title or "One applicant, every rule's letter",
        description=description or (
            f"For the applicant chosen in the menu ({len(people)} applicants), a grid of the characteristics "
            f"named as principal reasons by each of {len(methods)} rules ({', '.join(methods)}); the number in "
            "a cell is the reason's rank in that rule's letter (1 = the principal reason); an empty cell means "
            "that rule does not name the characteristic."),
    )

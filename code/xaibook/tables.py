"""Accessible HTML for the DataFrames a chapter shows.

pandas' own ``DataFrame.to_html`` leaves the corner header cell empty and, for a named index, adds
a second header row of empty cells; a screen reader then announces cells with no column heading
(axe's ``empty-table-header``). :func:`frame_to_html` writes one header row in which every cell
has text (the index's name, or "row" for an unnamed index), header cells with ``scope``, row
headers for the index, the class ``xaibook-num`` on numeric columns so that the book's stylesheet
right-aligns them, and a line break allowed after each "_" (``<wbr>``) so that a long feature name
wraps in a narrow column instead of widening the table. Values are formatted exactly as pandas
prints them (its display options, ``float_format`` included), and long or wide frames are
shortened as pandas shortens them.

:func:`enable` makes it the ``text/html`` form of every DataFrame shown in a notebook; importing
:mod:`xaibook.notebook` or :mod:`xaibook.charts` calls it. A table that is a figure gets a caption
with :func:`show` (``tables.show(frame, caption="...")``).
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

__all__ = [
    "UNNAMED_INDEX", "ELLIPSIS", "frame_to_html", "Table", "show", "enable",
]

#: Heading of an index that has no name.
UNNAMED_INDEX = "row"
#: Shown in place of the rows or columns left out of a long or wide frame.
ELLIPSIS = "…"


def _text(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    """A cell's text, which may wrap after each "_" of an identifier (``checking_<wbr>account``):
    a narrow column then breaks a long feature name there, never inside a word."""
    return _text(value).replace("_", "_<wbr>")


def _formatted(values: pd.Series) -> list[str]:
    """``values`` as pandas prints them in a column (shared decimals, display options)."""
    if len(values) == 0:
        return []
    lines = values.to_string(index=False, header=False).split("\n")
    if len(lines) != len(values):  # a value with a line break: fall back to str()
        return [str(v) for v in values]
    return [line.strip() for line in lines]


def _is_numeric(values: pd.Series) -> bool:
    return values.dtype.kind in "biufc"


def _index_names(index: pd.Index) -> list[str]:
    names = list(index.names)
    if len(names) == 1:
        return [str(names[0]) if names[0] is not None else UNNAMED_INDEX]
    return [str(n) if n is not None else f"{UNNAMED_INDEX} level {i}" for i, n in enumerate(names)]


def _column_name(column: Any) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part) != "")
    return str(column)


def _shorten(frame: pd.DataFrame) -> tuple[pd.DataFrame, int | None, int | None]:
    """The rows and columns pandas would print, and where the ellipsis goes (or None)."""
    # 0 or None means "no limit" here (pandas reads 0 as "fit the terminal", which HTML has not)
    max_rows = pd.get_option("display.max_rows") or None
    min_rows = pd.get_option("display.min_rows") or max_rows
    max_cols = pd.get_option("display.max_columns") or None
    row_cut = col_cut = None
    if max_rows is not None and len(frame) > max_rows:
        head = max(1, min(min_rows, max_rows) // 2)
        frame = pd.concat([frame.iloc[:head], frame.iloc[-head:]])
        row_cut = head
    if max_cols is not None and frame.shape[1] > max_cols:
        head = max(1, max_cols // 2)
        frame = pd.concat([frame.iloc[:, :head], frame.iloc[:, -head:]], axis=1)
        col_cut = head
    return frame, row_cut, col_cut


def frame_to_html(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """Accessible HTML table of ``frame`` (see the module docstring)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if caption is not None and (not isinstance(caption, str) or not caption.strip()):
        raise ValueError("caption must be a non-empty string or None")
    n_rows, n_cols = frame.shape
    shown, row_cut, col_cut = _shorten(frame)
    numeric = [_is_numeric(shown.iloc[:, j]) for j in range(shown.shape[1])]
    cells = [_formatted(shown.iloc[:, j]) for j in range(shown.shape[1])]
    index = shown.index
    levels = [index.get_level_values(i) for i in range(index.nlevels)]
    index_cells = [_formatted(pd.Series(level, dtype=level.dtype)) for level in levels]

    def num(j: int) -> str:
        return ' class="xaibook-num"' if numeric[j] else ""

    def row_ellipsis_cells() -> list[str]:
        return ['<td class="xaibook-ellipsis">…</td>'] * (shown.shape[1] + (col_cut is not None))

    out = ['<table class="dataframe xaibook-table">']
    if caption:
        out.append(f"<caption>{_text(caption)}</caption>")
    head = [f'<th scope="col">{_cell(name)}</th>' for name in _index_names(index)]
    for j, column in enumerate(shown.columns):
        if col_cut is not None and j == col_cut:
            head.append('<th scope="col" class="xaibook-ellipsis">…</th>')
        name = _column_name(column)
        head.append(f'<th scope="col"{num(j)}>{_cell(name) if name else _text(f"column {j}")}</th>')
    out.append("<thead><tr>" + "".join(head) + "</tr></thead>")
    out.append("<tbody>")
    for i in range(len(shown)):
        if row_cut is not None and i == row_cut:
            marks = ['<th scope="row" class="xaibook-ellipsis">…</th>'] * index.nlevels
            out.append("<tr>" + "".join(marks + row_ellipsis_cells()) + "</tr>")
        row = [f'<th scope="row">{_cell(index_cells[k][i])}</th>' for k in range(index.nlevels)]
        for j in range(shown.shape[1]):
            if col_cut is not None and j == col_cut:
                row.append('<td class="xaibook-ellipsis">…</td>')
            row.append(f"<td{num(j)}>{_cell(cells[j][i])}</td>")
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</tbody></table>")
    if row_cut is not None or col_cut is not None:
        out.append(f"<p>{n_rows} rows × {n_cols} columns</p>")
    return "<div>" + "".join(out) + "</div>"


class Table:
    """A DataFrame shown with a caption (a table that is a figure); see :func:`show`."""

    def __init__(self, frame: pd.DataFrame, caption: str):
        self.html = frame_to_html(frame, caption=caption)
        self.frame = frame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return repr(self.frame)


def show(frame: pd.DataFrame, *, caption: str) -> Table:
    """``frame`` displayed as a table with a ``<caption>`` (the last expression of a cell)."""
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("caption must be a non-empty string")
    return Table(frame, caption)


def enable() -> bool:
    """Make :func:`frame_to_html` the HTML form of DataFrames in the running IPython kernel.

    Returns whether a kernel was found (outside IPython there is nothing to do).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is installed with Jupyter
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, frame_to_html)
    return True

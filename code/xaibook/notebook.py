"""Small helpers for the chapters' notebooks.

:func:`glue` wraps MyST-NB's ``glue`` so that numbers computed with numpy print in the prose:
MyST-NB formats a glued value from its ``text/plain`` repr, and numpy 2 scalars repr as
``np.float64(0.25)``, which ``{glue:text}`name:.2f``` cannot format.

Importing this module also makes DataFrames display as accessible tables
(:func:`xaibook.tables.enable`).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from xaibook import tables

__all__ = [
    "plain", "glue", "quiet",
]

tables.enable()


def plain(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python numbers (other values unchanged)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Glue ``value`` for ``{glue:text}`` use in the prose (not displayed by default).

    Returns nothing, so a set-up cell ending in a ``glue`` call shows no stray output.
    """
    from myst_nb import glue as myst_glue

    if not isinstance(name, str) or not name:
        raise ValueError("glue needs a non-empty string name")
    myst_glue(name, plain(value), display=display)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Keep a library's progress bars and warnings out of the page (DiCE prints tqdm bars to stderr)."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield

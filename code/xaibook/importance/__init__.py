"""Permutation importance and its variants (being split into one module per variant)."""

from xaibook.importance.permutation import *  # noqa: F403
from xaibook.importance.permutation import __all__, _batchable_parts  # noqa: F401

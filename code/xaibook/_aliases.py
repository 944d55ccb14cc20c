"""Old names kept working after a rename (listed in CONTRIBUTING.md under "Aliases").

A package that renamed a submodule calls :func:`module_aliases` to get a module-level
``__getattr__`` (PEP 562), so ``from xaibook.exercises import basics`` still returns the renamed
module :mod:`xaibook.exercises.glassbox`. New code uses the new names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType

__all__ = ["module_aliases"]


def module_aliases(package: str, renamed: Mapping[str, str]) -> Callable[[str], ModuleType]:
    """A ``__getattr__`` for ``package`` that resolves each old submodule name to its new module."""

    def __getattr__(name: str) -> ModuleType:
        if name in renamed:
            return importlib.import_module(f"{package}.{renamed[name]}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__

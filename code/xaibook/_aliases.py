"""Old names kept working after a rename (listed in CONTRIBUTING.md under "Aliases").

A package that renamed a submodule calls :func:`module_aliases` to get a module-level
``__getattr__`` (PEP 562), so ``from xaibook.exercises import basics`` still returns the renamed
module :mod:`xaibook.exercises.glassbox`. A function whose keyword was renamed is wrapped in
:func:`renamed_keywords`, so ``h_statistic(..., sample=150)`` still means ``n_samples=150``.
New code uses the new names.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, TypeVar

__all__ = ["module_aliases", "renamed_keywords"]

F = TypeVar("F", bound=Callable[..., Any])


def module_aliases(package: str, renamed: Mapping[str, str]) -> Callable[[str], ModuleType]:
    """A ``__getattr__`` for ``package`` that resolves each old submodule name to its new module."""

    def __getattr__(name: str) -> ModuleType:
        if name in renamed:
            return importlib.import_module(f"{package}.{renamed[name]}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old name of a renamed keyword argument: ``@renamed_keywords(sample="n_samples")``.

    A call that passes the old name gets the value under the new name (passing both is an error);
    the decorated function's docstring lists the aliases, so ``help()`` shows them.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{function.__name__}() got both {new}= and its old name {old}=")
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        listed = ", ".join(f"``{old}=`` for ``{new}=``" for old, new in old_to_new.items())
        wrapper.__doc__ = f"{function.__doc__ or ''}\n\n    Old keyword names still accepted: {listed}.\n"
        wrapper.__wrapped_aliases__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate

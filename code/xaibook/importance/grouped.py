"""Grouped permutation importance: the columns of a group shuffled together (Hooker, Mentch &
Zhou 2021), so the rows keep their joint values within the group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from xaibook._validation import RandomStateLike
from xaibook.importance._scoring import _check_data
from xaibook.importance.permutation import _importance_of_column_sets
from xaibook.importance.results import PermutationImportance
from xaibook.predict import DEFAULT_BATCH_SIZE

__all__ = ["grouped_permutation_importance"]


def grouped_permutation_importance(model: Any, X: pd.DataFrame, y: Any, groups: Mapping[str, Sequence[str]], *,
                                   scoring: Any = None, n_repeats: int = 5, random_state: RandomStateLike = 0,
                                   sample_weight: Any = None, batch_size: int = DEFAULT_BATCH_SIZE,
                                   batch: bool | str = "auto") -> PermutationImportance:
    """Permutation importance of groups of columns, each group shuffled together.

    All columns of a group get the same row order, so the rows keep their joint values within
    the group (e.g. the one-hot columns of one categorical feature, or strongly correlated
    features) while the group's link to the other features and the target is broken. This avoids
    the unrealistic combinations that shuffling one of two correlated features creates (Hooker,
    Mentch & Zhou 2021). Groups may overlap; a group of one column gives exactly that column's
    :func:`permutation_importance`.
    """
    X, y = _check_data(model, X, y)
    groups = _check_groups(groups, X)
    return _importance_of_column_sets(model, X, y, groups, scoring=scoring, n_repeats=n_repeats,
                                      random_state=random_state, sample_weight=sample_weight,
                                      batch_size=batch_size, batch=batch, groups=groups)


def _check_groups(groups: Any, X: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError("groups must be a non-empty dict mapping a group name to a list of columns, "
                        "e.g. {'money': ['credit_amount', 'duration_months']}")
    checked = {}
    for name, columns in groups.items():
        columns = [columns] if isinstance(columns, str) else list(columns)
        if not columns:
            raise ValueError(f"group {name!r} has no columns")
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise ValueError(f"group {name!r} names column(s) {missing} that X does not have; "
                             f"X has columns {list(X.columns)}")
        if str(name) in checked:
            raise ValueError(f"group names {[k for k in groups if str(k) == str(name)]} are the same once "
                             "written as text (results label groups by str(name)); rename one")
        checked[str(name)] = tuple(columns)
    return checked

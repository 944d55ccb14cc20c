"""The uncertainty of a permutation importance: a bootstrap over the test rows (Efron & Tibshirani
1993)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_int_seed, derived_seed
from xaibook.importance._scoring import _check_data
from xaibook.importance.permutation import permutation_importance
from xaibook.importance.results import _freeze_importances

__all__ = ["bootstrap_permutation_importance", "BootstrapImportance"]


@dataclass(frozen=True, eq=False)
class BootstrapImportance:
    """Permutation importances recomputed on bootstrap resamples of the evaluation rows.

    ``importances[j, b]`` is feature ``feature_names[j]``'s importance (mean over ``n_repeats``
    shuffles) on resample ``b``. Their spread measures how much the importance would change with
    another test set drawn from the same population -- the uncertainty of the estimate -- whereas
    the spread over shuffles of one :class:`PermutationImportance` only measures shuffle noise on
    one fixed test set. Neither covers refitting the model on other training data.
    """

    importances: np.ndarray
    feature_names: tuple[str, ...]
    scoring: str
    n_repeats: int

    def __post_init__(self) -> None:
        _freeze_importances(self)

    @property
    def n_bootstrap(self) -> int:
        return self.importances.shape[1]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Per feature: bootstrap mean, standard error (std over resamples, ``ddof=1``) and the
        percentile interval at ``level``."""
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level!r}")
        tail = (1 - level) / 2
        return pd.DataFrame({
            "mean": self.importances.mean(axis=1),
            "se": self.importances.std(axis=1, ddof=1),
            "low": np.quantile(self.importances, tail, axis=1),
            "high": np.quantile(self.importances, 1 - tail, axis=1),
        }, index=pd.Index(self.feature_names, name="feature"))


def bootstrap_permutation_importance(model: Any, X: pd.DataFrame, y: Any, *, scoring: Any = None,
                                     n_bootstrap: int = 100,
                                     n_repeats: int = 3, random_state: int = 0,
                                     batch: bool | str = "auto") -> BootstrapImportance:
    """Permutation importance on ``n_bootstrap`` resamples (with replacement) of the rows of ``X``.

    Resample ``b`` draws ``len(X)`` rows with replacement (seeded by ``random_state``) and runs
    :func:`permutation_importance` on them with ``n_repeats`` shuffles (seed ``random_state + b``,
    modulo 2**32: :func:`xaibook._validation.derived_seed`);
    its mean is column ``b`` of the result. The model is *not* refitted: this is the uncertainty
    of the importance of *this* model due to the finite test set (Efron & Tibshirani 1993).
    """
    X, y = _check_data(model, X, y)
    random_state = check_int_seed(random_state, why="resample b shuffles with seed random_state + b")
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 2:
        raise ValueError(f"n_bootstrap must be an integer >= 2, got {n_bootstrap!r}")
    rng = np.random.default_rng(random_state)
    columns, name = [], None
    for b in range(n_bootstrap):
        rows = rng.integers(0, len(X), size=len(X))
        result = permutation_importance(model, X.iloc[rows].reset_index(drop=True), y[rows],
                                        scoring=scoring, n_repeats=n_repeats,
                                        random_state=derived_seed(random_state, b), batch=batch)
        columns.append(result.importances_mean)
        name = result.scoring
    return BootstrapImportance(np.column_stack(columns), tuple(X.columns), name, n_repeats)

"""SP-LIME (Ribeiro et al. 2016, Algorithm 2): a global picture from a few representative local
explanations, chosen greedily to cover the most important features, as ``lime``'s ``SubmodularPick``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xaibook._validation import check_positive_int, readonly
from xaibook.surrogate.result import LimeResult

__all__ = ["SubmodularPick", "submodular_pick"]


@dataclass(frozen=True, eq=False)
class SubmodularPick:
    """SP-LIME's choice: ``picks`` are positions in the list of explanations, best first.

    ``matrix`` is the explanation matrix ``W`` (one row per explanation, one column per
    interpretable feature label, lime's weights), ``importance`` the global importance
    ``I_j = sqrt(sum_i |W_ij|)`` and ``coverage[k]`` the covered importance after ``k + 1`` picks.
    """

    picks: tuple[int, ...]
    coverage: np.ndarray
    importance: pd.Series
    matrix: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (picked explanation, feature label) with a non-zero weight."""
        rows = self.matrix.iloc[list(self.picks)]
        frame = rows.assign(pick=range(1, len(self.picks) + 1), explanation=list(self.picks)).melt(
            id_vars=["pick", "explanation"], var_name="label", value_name="weight")
        return frame[frame["weight"] != 0].sort_values(["pick", "label"]).reset_index(drop=True)

    def ranking(self) -> list[str]:
        """Feature labels by decreasing global importance."""
        return list(self.importance.sort_values(ascending=False, kind="stable").index)


def submodular_pick(explanations: Sequence[LimeResult], n_picks: int = 5) -> SubmodularPick:
    """Greedy submodular pick (Ribeiro et al. 2016, Algorithm 2), as ``lime``'s ``SubmodularPick``.

    Builds ``W`` from each explanation's selected ``(label, weight)`` pairs, the importance
    ``I_j = sqrt(sum_i |W_ij|)``, and picks, one at a time, the explanation that maximises the
    coverage ``c(V) = sum_j I_j [some explanation in V uses label j]``. As in lime, a tie goes to
    the later explanation in the list.
    """
    explanations = list(explanations)
    if not explanations or not all(isinstance(e, LimeResult) for e in explanations):
        raise TypeError("explanations must be a non-empty list of LimeResult")
    kinds = sorted({e.kind for e in explanations})
    if len(kinds) > 1:  # a word and a table feature would compete for the same coverage
        raise ValueError(f"explanations mix kinds {kinds}; pick among explanations of one kind of data")
    n_picks = check_positive_int(n_picks, name="n_picks")
    n_picks = min(n_picks, len(explanations))
    columns: dict[str, int] = {}
    for e in explanations:
        for label, _ in e.as_list():
            columns.setdefault(label, len(columns))
    W = np.zeros((len(explanations), len(columns)))
    for i, e in enumerate(explanations):
        for label, weight in e.as_list():
            W[i, columns[label]] += weight
    used = np.abs(W) > 0
    importance = np.sqrt(np.abs(W).sum(axis=0))
    picks: list[int] = []
    covered = np.zeros(len(columns), dtype=bool)
    coverage = []
    for _ in range(n_picks):
        gains = (used | covered).astype(float) @ importance
        gains[picks] = -np.inf
        best = int(len(gains) - 1 - np.argmax(gains[::-1]))  # the last of equal maxima
        picks.append(best)
        covered |= used[best]
        coverage.append(float(covered @ importance))
    names = list(columns)
    return SubmodularPick(picks=tuple(picks), coverage=readonly(coverage),
                          importance=pd.Series(importance, index=names, name="importance"),
                          matrix=pd.DataFrame(W, columns=names))

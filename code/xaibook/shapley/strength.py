"""Which feature interacts most with a feature: :func:`interaction_strength`, a heuristic that
picks the colour of a SHAP dependence plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xaibook._validation import check_positive_int
from xaibook.shapley.result import ShapleyResult

__all__ = ["interaction_strength"]


def _groups(values: pd.Series, n_bins: int) -> np.ndarray:
    """Group labels: the category for text columns, a quantile bin for numbers."""
    if values.dtype.kind in "biuf" and values.nunique() > n_bins:
        return pd.qcut(values.rank(method="first"), n_bins, labels=False).to_numpy()
    return pd.factorize(values)[0]


def _explained_share(residual: np.ndarray, own: np.ndarray, other: np.ndarray) -> float:
    """Share of the within-bin spread of ``residual`` explained by ``other``'s groups, in each bin.

    Cells are (own bin, other group); the score is the adjusted ratio
    ``1 - (SS_within cells / (n - cells)) / (SS_within bins / (n - bins))``, clipped at 0, so a
    feature with many categories does not win by chance.
    """
    n = len(residual)
    cells = own * (int(other.max()) + 1) + other
    n_bins, n_cells = len(np.unique(own)), len(np.unique(cells))
    total = (residual ** 2).sum()                       # residual is centred within each own bin
    if total <= 0 or n_cells <= n_bins or n <= n_cells:
        return 0.0
    means = pd.Series(residual).groupby(cells).transform("mean").to_numpy()
    within = ((residual - means) ** 2).sum()
    return float(max(0.0, 1 - (within / (n - n_cells)) / (total / (n - n_bins))))


def interaction_strength(result: ShapleyResult, feature: str, *, n_bins: int = 5) -> pd.Series:
    """How strongly each other feature modulates ``feature``'s Shapley values, largest first.

    A heuristic in the spirit of ``shap.utils.approximate_interactions``: remove from the values of
    ``feature`` their average at each value (category or quantile bin) of ``feature`` itself; the
    rest of the spread is what the feature's value alone does not explain. For every other
    feature, the score is the share of that rest explained by the other feature's groups within
    each bin (an adjusted correlation ratio, between 0 and 1). The top feature colours the
    dependence plot.
    """
    if not isinstance(result, ShapleyResult):
        raise TypeError(f"expected a ShapleyResult, got {type(result).__name__}")
    if feature not in result.feature_names:
        raise ValueError(f"unknown feature {feature!r}; the result has {list(result.feature_names)}")
    n_bins = check_positive_int(n_bins, name="n_bins", minimum=2)
    j = result.feature_names.index(feature)
    own = result.values[:, j]
    data = result.data.reset_index(drop=True)
    bins = _groups(data[feature], n_bins)
    residual = own - pd.Series(own).groupby(bins).transform("mean").to_numpy()
    scores = {other: _explained_share(residual, bins, _groups(data[other], n_bins))
              for other in result.feature_names if other != feature}
    return pd.Series(scores, name="interaction_strength").sort_values(ascending=False, kind="stable")

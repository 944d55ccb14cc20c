"""Counterfactual feature importance: how often counterfactuals change each feature
(:func:`counterfactual_importance`, the "necessity" view of Mothilal et al. 2021)."""

from __future__ import annotations

import pandas as pd

from xaibook._validation import check_frame
from xaibook.counterfactual.results import AlreadyDesiredError, CounterfactualImportance
from xaibook.counterfactual.search import counterfactuals

__all__ = ["counterfactual_importance"]


def counterfactual_importance(model, X, X_reference, *, n_counterfactuals: int = 8,
                              **options) -> CounterfactualImportance:
    """Counterfactual feature importance: how often counterfactuals change each feature.

    For every row of ``X`` (one person: pass a one-row ``X`` and a large ``n_counterfactuals``),
    the share of its counterfactuals that change each feature; the global importance is the mean
    over the rows that got at least one counterfactual (the "necessity" view of Mothilal et al.
    2021). Rows already in ``desired_class`` are skipped. ``options`` go to :func:`counterfactuals`.
    """
    X = check_frame(X, name="X")
    local, n_desired = {}, 0
    for label in X.index:
        try:
            result = counterfactuals(model, X.loc[[label]], X_reference, n_counterfactuals=n_counterfactuals,
                                     **options)
        except AlreadyDesiredError:
            n_desired += 1              # already in the desired class: nothing has to change
            continue
        if len(result):
            local[label] = result.feature_frequency()
    if not local:  # a mean over no rows: not an importance of 0
        raise ValueError(f"no row of X got a counterfactual ({n_desired} of {len(X)} already have the desired "
                         "class, the rest none found), so no feature importance is defined; pass rows "
                         "the model does not already place in desired_class")
    table = pd.DataFrame(local).T.reindex(columns=list(X.columns))
    values = table.mean().to_numpy()
    return CounterfactualImportance(values=values, feature_names=tuple(X.columns), local=table, n_found=len(table))


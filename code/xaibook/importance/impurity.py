"""Impurity-based importance (mean decrease in impurity, MDI), for the pitfall comparison."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from xaibook._validation import check_fitted_model
from xaibook.pipeline import feature_groups

__all__ = ["impurity_importance"]


def impurity_importance(model: Pipeline) -> pd.Series:
    """A fitted tree ensemble's impurity-based importance (mean decrease in impurity, MDI;
    Breiman 2001), summed back from one-hot columns to the raw features of the pipeline.

    ``model`` is a Pipeline whose first step is a ColumnTransformer and whose last step has
    ``feature_importances_``. MDI is computed on the *training* data while growing the trees; it is
    known to favour features with many distinct values (Strobl et al. 2007), which is why the book
    prefers permutation importance on held-out data.
    """
    check_fitted_model(model)
    if not isinstance(model, Pipeline) or not isinstance(model[0], ColumnTransformer):
        raise TypeError("model must be a Pipeline whose first step is a ColumnTransformer")
    estimator = model[-1]
    if not hasattr(estimator, "feature_importances_"):
        raise TypeError(f"{type(estimator).__name__} has no feature_importances_ (MDI needs a tree model)")
    owners = feature_groups(model[:-1], model.feature_names_in_)
    scores = pd.Series(estimator.feature_importances_, index=owners)
    return scores.groupby(level=0, sort=False).sum().sort_values(ascending=False)

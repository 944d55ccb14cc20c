"""Steps 2 and 3 of LIME for any kind of data: weight a neighbourhood with the kernel and fit the
ridge surrogate (:func:`fit_surrogate`), or refit it at several kernel widths (:func:`kernel_width_path`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_positive_int, check_positive_number
from xaibook.surrogate.kernel import _one_blas_thread, _weighted_r2, kernel, select_features, weighted_ridge
from xaibook.surrogate.result import LimeResult, Neighbourhood

__all__ = ["fit_surrogate", "kernel_width_path"]


@_one_blas_thread
def fit_surrogate(neighbourhood: Neighbourhood, *, kernel_width: float | None = None,
                  n_features: int | None = None, return_neighbourhood: bool = False) -> LimeResult:
    """Steps 2 and 3 of LIME: weight the neighbourhood with the kernel and fit the ridge surrogate.

    ``kernel_width`` defaults to the neighbourhood's kind (0.75 sqrt(d) for tables, 25 for text,
    0.25 for images). Refitting one neighbourhood at several widths is how the chapter shows the
    width's effect: the samples and the model's outputs stay, only the weights change.
    """
    _check_neighbourhood(neighbourhood)
    width = (neighbourhood.default_kernel_width if kernel_width is None
             else check_positive_number(kernel_width, name="kernel_width"))
    if n_features is not None:
        n_features = check_positive_int(n_features, name="n_features")
    Z, y = neighbourhood.data, neighbourhood.predictions
    w = kernel(neighbourhood.distances, width)
    used = select_features(Z, y, w, n_features)
    coef_used, intercept = weighted_ridge(Z[:, used], y, w)
    weights = np.zeros(Z.shape[1])
    weights[used] = coef_used
    selected = np.zeros(Z.shape[1], dtype=bool)
    selected[used] = True
    fitted = intercept + Z[:, used] @ coef_used
    return LimeResult(
        kind=neighbourhood.kind, feature_names=neighbourhood.feature_names, weights=weights,
        intercept=intercept, score=_weighted_r2(y, fitted, w), local_prediction=float(fitted[0]),
        prediction=float(y[0]), feature_labels=neighbourhood.feature_labels,
        feature_values=neighbourhood.feature_values, selected=selected, kernel_width=width,
        n_samples=len(neighbourhood), neighbourhood=neighbourhood if return_neighbourhood else None,
        segments=neighbourhood.segments, text=neighbourhood.text, row=neighbourhood.row, scale=neighbourhood.scale)


def kernel_width_path(neighbourhood: Neighbourhood, widths: Sequence[float], *,
                      n_features: int | None = None) -> pd.DataFrame:
    """Refit one neighbourhood at each kernel width: long format ``width``, ``feature``, ``label``,
    ``weight``, ``score`` (the fidelity at that width) and ``local_prediction``."""
    _check_neighbourhood(neighbourhood)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"widths must be a list of kernel widths, got {type(widths).__name__} {widths!r}; "
                        f"pass [{widths!r}] for a single width")
    widths = [check_positive_number(w, name="kernel_width") for w in widths]
    if not widths:
        raise ValueError("widths is empty; give at least one kernel width")
    frames = []
    for width in widths:
        result = fit_surrogate(neighbourhood, kernel_width=width, n_features=n_features)
        frames.append(result.to_frame().assign(width=width, score=result.score,
                                               local_prediction=result.local_prediction))
    return pd.concat(frames, ignore_index=True)


def _check_neighbourhood(neighbourhood: Any) -> None:
    if isinstance(neighbourhood, Neighbourhood):
        return
    hint = (" (a LimeResult keeps its neighbourhood only when computed with return_neighbourhood=True: "
            "pass result.neighbourhood)" if isinstance(neighbourhood, LimeResult) else "")
    raise TypeError(f"neighbourhood must be a Neighbourhood from tabular_neighbourhood, text_neighbourhood or "
                    f"image_neighbourhood, got {type(neighbourhood).__name__}{hint}")


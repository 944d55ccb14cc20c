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

__all__ = ["fit_surrogate", "kernel_width_path", "kernel_width_summary"]


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


def kernel_width_summary(neighbourhood: Neighbourhood, path: pd.DataFrame) -> pd.DataFrame:
    """Per kernel width of ``path`` (:func:`kernel_width_path` of ``neighbourhood``): the
    surrogate's fidelity (weighted R^2), the effective sample size of the kernel weights (Kish's
    ``(sum w)^2 / sum w^2``), the feature with the largest weight and that weight, the top feature
    of the *unpenalised* weighted least-squares fit, and the shrinkage the ridge penalty causes
    (the norm of the unpenalised weights over the surrogate's). A width whose effective sample size
    is below the number of coefficients fits the surrogate on fewer samples than it has unknowns."""
    _check_neighbourhood(neighbourhood)
    if not isinstance(path, pd.DataFrame):
        raise TypeError(f"path must be the DataFrame kernel_width_path returns, got {type(path).__name__}")
    missing = [c for c in ("width", "feature", "weight", "score") if c not in path.columns]
    if missing or path.empty:
        raise ValueError(f"path lacks the columns {missing} (or rows) of kernel_width_path's result; "
                         "pass kernel_width_path(neighbourhood, widths)")
    unknown = sorted(set(path["feature"]) - set(neighbourhood.feature_names))
    if unknown:
        raise ValueError(f"path explains features {unknown[:5]} that the neighbourhood does not have: "
                         "compute it from the same neighbourhood")
    rows = {}
    for width, part in path.groupby("width"):
        k = neighbourhood.kernel_weights(width)
        unpenalised, _ = weighted_ridge(neighbourhood.data, neighbourhood.predictions, k, alpha=0)
        top = part.loc[part["weight"].abs().idxmax()]
        rows[width] = {"fidelity (R²)": part["score"].iloc[0], "effective samples": k.sum() ** 2 / (k ** 2).sum(),
                       "top feature": top["feature"], "its weight": top["weight"],
                       "top without the penalty": neighbourhood.feature_names[int(np.argmax(np.abs(unpenalised)))],
                       "shrinkage": np.linalg.norm(unpenalised) / max(np.linalg.norm(part["weight"]), 1e-300)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("kernel width")


def _check_neighbourhood(neighbourhood: Any) -> None:
    if isinstance(neighbourhood, Neighbourhood):
        return
    hint = (" (a LimeResult keeps its neighbourhood only when computed with return_neighbourhood=True: "
            "pass result.neighbourhood)" if isinstance(neighbourhood, LimeResult) else "")
    raise TypeError(f"neighbourhood must be a Neighbourhood from tabular_neighbourhood, text_neighbourhood or "
                    f"image_neighbourhood, got {type(neighbourhood).__name__}{hint}")


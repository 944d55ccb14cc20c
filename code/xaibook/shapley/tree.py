"""Interventional TreeSHAP through the ``shap`` package (Lundberg et al. 2020), and the bridge to
``shap.Explanation`` both ways."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import check_fitted_model, check_frame, check_model_input, check_same_columns
from xaibook.pipeline import feature_groups, split_model, transform
from xaibook.predict import prediction_function
from xaibook.shapley.result import ShapleyResult

__all__ = ["shap_module", "float32_floor", "tree_shap", "to_shap_explanation", "from_shap_explanation"]


def shap_module() -> Any:
    """Import and return the ``shap`` package, without the warnings its import prints.

    In a notebook without ipywidgets, importing shap makes tqdm warn "IProgress not found", and
    shap's colour maps trigger matplotlib deprecation notices; neither concerns the book, and in
    an executed chapter they would end up on the page. They are silenced for the import only.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import shap
    return shap


def _tree_output(explainer_values: np.ndarray, expected: Any, n_features: int) -> tuple[np.ndarray, float]:
    values = np.asarray(explainer_values, dtype=float)
    base = np.atleast_1d(np.asarray(expected, dtype=float))
    if values.ndim == 3:                                   # one slice per class: keep the positive class
        values = values[:, :, 1]
        base = base[1:]
    return values.reshape(-1, n_features), float(base[0])


def _check_scale(scale: str, estimator: Any) -> bool:
    """``scale`` must be ``"probability"`` or ``"log-odds"``, and only a classifier has a choice;
    returns whether ``estimator`` is a classifier."""
    if scale not in ("probability", "log-odds"):
        raise ValueError(f"scale must be 'probability' or 'log-odds', got {scale!r}")
    classifier = hasattr(estimator, "predict_proba")
    if not classifier and scale != "probability":
        raise ValueError(f"scale applies to classifiers; {type(estimator).__name__} is a regressor, whose "
                         "prediction is explained as it is (leave scale at its default)")
    return classifier


def float32_floor(thresholds: np.ndarray) -> np.ndarray:
    """Each threshold rounded *down* to a float32 number (returned as float64).

    For every float32 ``x``: ``x <= t`` exactly when ``x <= float32_floor(t)``. scikit-learn trees
    compare float32 inputs with float64 thresholds; shap's interventional TreeSHAP code stores the
    thresholds as float32, rounded to *nearest*, which sends an input lying between the threshold
    and its rounded value down the other branch. Rounding down instead makes both agree.
    """
    t = np.asarray(thresholds, dtype=np.float64)
    t32 = t.astype(np.float32)
    too_high = t32.astype(np.float64) > t
    t32[too_high] = np.nextafter(t32[too_high], np.float32(-np.inf))
    return t32.astype(np.float64)


def tree_shap(model: Any, X: pd.DataFrame, background: pd.DataFrame, *, scale: str = "probability",
              aggregate: bool = True, narrow_background: bool = True,
              float32_thresholds: bool = True) -> ShapleyResult:
    """Interventional TreeSHAP (Lundberg et al. 2020) from ``shap.TreeExplainer``, as a :class:`ShapleyResult`.

    ``model`` is a fitted scikit-learn tree model (decision tree, random forest, gradient
    boosting) or a :class:`~sklearn.pipeline.Pipeline` whose last step is one. For a pipeline the
    trees see the *transformed* columns (here: standardised numbers and one-hot indicators), so
    shap explains those. With ``aggregate=True`` the values of all columns made from one raw
    feature are summed, giving one value per raw feature (the usual convention; efficiency is
    kept). That sum is *not* in general the Shapley value of the raw feature in the game played by
    the raw features, because the transformed game can mix the one-hot columns of ``x`` and ``b``
    (the chapter shows the size of the difference). ``aggregate=False`` keeps the transformed columns.

    ``scale="probability"`` explains ``P(class 1)``; ``"log-odds"`` explains the boosting model's
    raw margin (not available for forests, whose log-odds are not a sum over trees). For a
    forest or a single tree the probability *is* the sum over trees and the values are exact. For
    boosting, shap's ``model_output="probability"`` is an approximation: per background row it
    computes the exact log-odds values and rescales them by
    ``(sigmoid(m_x) - sigmoid(m_b)) / (m_x - m_b)``; they add up correctly but are not the Shapley
    values of the probability game (use :func:`exact_shapley` or :func:`kernel_shap` for those).
    scikit-learn trees compare float32 inputs with their thresholds, and shap narrows the
    explained rows to float32 but not the background; ``narrow_background=True`` narrows the
    background too, so that the values are those of the model that scikit-learn actually runs.
    shap's interventional code also rounds the float64 thresholds to the nearest float32, so an
    input lying exactly between two training values (a test age of 51 between training ages 50
    and 52) can take the other branch than in scikit-learn; ``float32_thresholds=True`` rounds the
    thresholds down to float32 beforehand (:func:`float32_floor`), which removes that error.
    """
    shap = shap_module()  # imported here: the rest of the module does not need it
    check_fitted_model(model)
    X = check_frame(X, name="X")
    background = check_same_columns(check_frame(background, name="background"), X, name="background",
                                    reference_name="X")
    check_model_input(model, X, name="X")
    check_model_input(model, background, name="background")
    preprocess, estimator = split_model(model)
    if not hasattr(estimator, "tree_") and not hasattr(estimator, "estimators_"):
        raise TypeError(f"tree_shap needs a tree model, got {type(estimator).__name__}; use kernel_shap or "
                        "exact_shapley for other models")
    classifier = _check_scale(scale, estimator)
    boosting = hasattr(estimator, "loss") or type(estimator).__name__.startswith("GradientBoosting")
    if scale == "log-odds" and not boosting:
        raise ValueError(f"scale='log-odds' is available for gradient boosting only; {type(estimator).__name__} "
                         "averages probabilities, so explain scale='probability'")
    Xt, Bt = transform(preprocess, X), transform(preprocess, background)
    names = list(X.columns) if preprocess is None else [str(c) for c in preprocess.get_feature_names_out()]
    if narrow_background:
        Bt = Bt.astype(np.float32).astype(float)
    output = "raw" if (scale == "log-odds" or not boosting or not classifier) else "probability"
    # the whole background: shap's default masker would silently subsample it to 100 rows
    masker = shap.maskers.Independent(Bt, max_samples=len(Bt))
    explainer = shap.TreeExplainer(estimator, masker, feature_perturbation="interventional", model_output=output)
    if float32_thresholds:
        explainer.model.thresholds = float32_floor(explainer.model.thresholds)
    values, base = _tree_output(explainer.shap_values(Xt, check_additivity=False), explainer.expected_value,
                                len(names))
    prediction = prediction_function(model, scale=scale)(X)
    if preprocess is not None and aggregate:
        groups = feature_groups(preprocess, X.columns)
        summed = pd.DataFrame(values, columns=names).T.groupby(pd.Index(groups)).sum().T
        values = summed[list(X.columns)].to_numpy()
        data, names = X, list(X.columns)
    elif preprocess is not None:
        data = pd.DataFrame(Xt, columns=names, index=X.index)
    else:
        data = X
    return ShapleyResult(values, base, tuple(names), data, prediction, "tree",
                         scale if classifier else "model output", len(X) * len(background))


def to_shap_explanation(result: ShapleyResult) -> Any:
    """The result as a ``shap.Explanation`` (for ``shap.plots``); feature values keep their types."""
    shap = shap_module()

    if not isinstance(result, ShapleyResult):
        raise TypeError(f"expected a ShapleyResult, got {type(result).__name__}")
    return shap.Explanation(values=np.array(result.values), base_values=np.full(len(result), result.base_value),
                            data=result.data.to_numpy(dtype=object), feature_names=list(result.feature_names))


def from_shap_explanation(explanation: Any, *, data: pd.DataFrame | None = None,
                          output: str = "model output") -> ShapleyResult:
    """A ``shap.Explanation`` (one output, one base value) as a :class:`ShapleyResult`.

    ``data`` gives the explained rows as a DataFrame when the explanation has none (or to restore
    column types); otherwise ``explanation.data`` is used with ``explanation.feature_names``.
    """
    values = np.asarray(getattr(explanation, "values", None) if explanation is not None else None)
    if values.dtype == object or values.ndim not in (1, 2):
        if values.ndim == 3:
            raise ValueError(f"the explanation has {values.shape[2]} outputs; pick one, e.g. explanation[..., 1]")
        raise TypeError("expected a shap.Explanation with a (n_rows, n_features) array of values")
    values = np.atleast_2d(values)
    base = np.atleast_1d(np.asarray(explanation.base_values, dtype=float))
    if base.ndim > 1:
        raise ValueError("the explanation has several outputs; pick one, e.g. explanation[..., 1]")
    if not np.allclose(base, base[0]):
        raise ValueError("the explanation's base values differ between rows; a ShapleyResult has one base value")
    if data is None:
        if explanation.data is None:
            raise ValueError("the explanation carries no feature values; pass data=the explained rows")
        names = explanation.feature_names or [f"feature_{j}" for j in range(values.shape[1])]
        data = pd.DataFrame(np.atleast_2d(explanation.data), columns=list(names))
    else:
        data = check_frame(data, name="data")
    if data.shape != values.shape:
        raise ValueError(f"data has shape {data.shape} but the values have shape {values.shape}")
    prediction = values.sum(axis=1) + base[0]
    return ShapleyResult(values, float(base[0]), tuple(data.columns), data, prediction, "shap", output)

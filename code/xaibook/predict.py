"""Turn a fitted model into the prediction function the explanation methods take.

Model-agnostic methods see a model only as a function ``f(X: DataFrame) -> 1-D array``: one number
per row. For a classifier that number is the predicted probability of one class, or its log-odds
(the scale on which a logistic model is additive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from xaibook._validation import check_fitted_model, check_model_input, check_probability_model

__all__ = ["prediction_function", "as_prediction_function", "Scale", "PredictionFunction",
           "DEFAULT_BATCH_SIZE"]

Scale = Literal["probability", "log-odds"]
PredictionFunction = Callable[[pd.DataFrame], np.ndarray]

#: Rows sent to a prediction function in one call by the model-agnostic methods (``batch_size``):
#: a memory bound, never a change of results.
DEFAULT_BATCH_SIZE = 200_000


def _class_index(model, target_class) -> int:
    classes = list(getattr(model, "classes_", []))
    if not classes:
        raise ValueError("the model has no classes_ attribute; is it a fitted classifier?")
    if target_class is None:
        if len(classes) != 2:
            raise ValueError(f"the model has {len(classes)} classes {classes}; name target_class")
        return 1
    if target_class not in classes:
        raise ValueError(f"target_class {target_class!r} is not one of the model's classes {classes}")
    return classes.index(target_class)


def prediction_function(model: Any, *, target_class: Any = None, scale: Scale = "probability",
                        eps: float = 1e-12, allow_hard_labels: bool = False) -> Callable[[pd.DataFrame], np.ndarray]:
    """Return ``f(X)`` giving the model's predicted probability (or log-odds) of ``target_class``.

    ``target_class`` defaults to the positive class (``classes_[1]``) of a binary classifier. On the
    log-odds scale, ``f(X) = log(p / (1 - p))`` with ``p`` clipped to ``[eps, 1 - eps]``.
    A regressor (no ``predict_proba``) gives ``model.predict`` and accepts only ``scale="probability"``
    left at its default. A classifier without ``predict_proba`` (``SVC(probability=False)``) is an
    error: its 0/1 labels would be explained as if they were probabilities; pass
    ``allow_hard_labels=True`` to explain ``model.predict`` knowingly.

    Every call checks its input as the model's preprocessing would see it: the training columns in
    order, numbers where the model scales, and only categories seen in training (a typo such as
    ``purpose="car(new)"`` is an error, not an all-zero one-hot row).
    """
    check_fitted_model(model)
    check_probability_model(model, allow_hard_labels=allow_hard_labels)
    if scale not in ("probability", "log-odds"):
        raise ValueError(f"scale must be 'probability' or 'log-odds', got {scale!r}")

    if not hasattr(model, "predict_proba"):
        if target_class is not None or scale != "probability":
            raise ValueError("the model has no predict_proba; target_class and scale apply to classifiers only")

        def predict(X: pd.DataFrame) -> np.ndarray:
            check_model_input(model, X)
            return np.asarray(model.predict(X), dtype=float)

        return predict

    index = _class_index(model, target_class)

    def predict_class(X: pd.DataFrame) -> np.ndarray:
        check_model_input(model, X)
        p = np.asarray(model.predict_proba(X), dtype=float)[:, index]
        if scale == "probability":
            return p
        p = np.clip(p, eps, 1 - eps)
        return np.log(p) - np.log1p(-p)

    predict_class.model = model  # type: ignore[attr-defined]
    predict_class.scale = scale  # type: ignore[attr-defined]
    return predict_class


def as_prediction_function(model_or_f: Any, *, scale: Scale = "probability",
                           target_class: Any = None, name: str = "model",
                           allow_hard_labels: bool = False) -> Callable[[pd.DataFrame], np.ndarray]:
    """The package's one entry point for "a model or a prediction function".

    Every model-agnostic method takes, as its first argument, either a callable
    ``f(X: DataFrame) -> 1-D array`` (used as it is; ``scale`` and ``target_class`` must then stay at
    their defaults) or a fitted scikit-learn classifier or regressor, turned into ``f`` by
    :func:`prediction_function` (by default the probability of the positive class).
    """
    if callable(model_or_f) and not (hasattr(model_or_f, "predict") or hasattr(model_or_f, "predict_proba")):
        if scale != "probability" or target_class is not None:
            raise ValueError(f"{name} is a prediction function; scale and target_class apply only to a "
                             "fitted model (build f with xaibook.predict.prediction_function instead)")
        return model_or_f
    if hasattr(model_or_f, "predict") or hasattr(model_or_f, "predict_proba"):
        return prediction_function(model_or_f, target_class=target_class, scale=scale,
                                   allow_hard_labels=allow_hard_labels)
    raise TypeError(f"{name} must be a fitted scikit-learn model or a callable f(X: DataFrame) -> 1-D array, "
                    f"got {type(model_or_f).__name__}")

"""Deletion and insertion curves: the tabular form of Petsiuk, Das & Saenko (2018).

Per row, features in order of decreasing attribution are replaced by background values (deletion)
or restored from the row (insertion), and the model's output is averaged over the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import RandomStateLike, as_generator, check_fitted_model, check_frame, check_positive_int
from xaibook.faithfulness.attributions import _check_names, _orders, attribution_matrix
from xaibook.predict import DEFAULT_BATCH_SIZE, as_prediction_function

__all__ = [
    "PerturbationCurve",
    "deletion_curve",
    "insertion_curve",
    "model_function",
    "perturbation_curve_reference",
]


@dataclass(frozen=True, eq=False)
class PerturbationCurve:
    """A deletion or insertion curve, per row and averaged.

    ``curves[i, k]`` is row ``i``'s output, averaged over the background, once the ``k`` features
    with the largest attributions are replaced by background values (deletion) or are the only
    ones kept from the row (insertion); ``fractions[k] = k / n_features``; ``scores`` is the mean
    over rows. ``area`` is the area under ``scores`` (trapezoid rule over the fractions): low is
    good for deletion (the output falls fast), high for insertion (it rises fast).
    ``prediction`` is the output at the rows and ``base_value`` its mean over the background.
    """

    kind: str
    feature_names: tuple[str, ...]
    fractions: np.ndarray
    curves: np.ndarray
    orders: np.ndarray
    prediction: np.ndarray
    base_value: float

    def __post_init__(self) -> None:
        for field in ("fractions", "curves", "orders", "prediction"):
            array = np.array(getattr(self, field))
            array.setflags(write=False)
            object.__setattr__(self, field, array)

    @property
    def scores(self) -> np.ndarray:
        """Mean output over the rows at each fraction."""
        return self.curves.mean(axis=0)

    @property
    def area(self) -> float:
        """Area under the mean curve (trapezoid rule on ``fractions``, which run from 0 to 1)."""
        return float(np.sum((self.scores[1:] + self.scores[:-1]) / 2 * np.diff(self.fractions)))

    def row_areas(self) -> np.ndarray:
        """The area under each row's curve (their mean is :attr:`area`)."""
        return np.sum((self.curves[:, 1:] + self.curves[:, :-1]) / 2 * np.diff(self.fractions), axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Long format: ``row``, ``fraction``, ``output`` (one line per row and step)."""
        n, steps = self.curves.shape
        return pd.DataFrame({"row": np.repeat(np.arange(n), steps),
                             "fraction": np.tile(self.fractions, n),
                             "output": self.curves.ravel()})


def model_function(model: Any, scale: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """``model`` as a prediction function on ``scale``: a fitted model (checked) or a function as is."""
    if not callable(model) and not (hasattr(model, "predict") or hasattr(model, "predict_proba")):
        raise TypeError(f"model must be a fitted model or a prediction function, got {type(model).__name__}")
    if hasattr(model, "predict") or hasattr(model, "predict_proba"):
        check_fitted_model(model)
    return as_prediction_function(model, scale=scale, name="model")


def _perturbation(kind: str, model: Any, X: Any, attributions: Any, background: Any, scale: str,
                  random_state: RandomStateLike, batch_size: int) -> PerturbationCurve:
    f = model_function(model, scale)
    X = check_frame(X, name="X")
    background = check_frame(background, name="background")
    if list(background.columns) != list(X.columns):
        _check_names(background.columns, list(X.columns), "background")
        background = background[list(X.columns)]
    batch_size = check_positive_int(batch_size, name="batch_size")
    values = attribution_matrix(attributions, X)
    orders = _orders(values, as_generator(random_state))
    n, m = X.shape
    nb = len(background)
    ranks = np.empty_like(orders)
    np.put_along_axis(ranks, orders, np.arange(m)[None, :].repeat(n, 0), axis=1)
    steps = np.arange(m + 1)
    # replaced[i, k, j]: feature j comes from the background at step k
    first_k = ranks[:, None, :] < steps[None, :, None]
    replaced = first_k if kind == "deletion" else ~first_k
    block = max(1, batch_size // ((m + 1) * nb))
    outputs = []
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        outputs.append(_hybrid_outputs(f, X.iloc[rows], background, replaced[rows]))
    curves = np.concatenate(outputs).reshape(n, m + 1)
    prediction = _checked(f(X), n)
    base_value = float(_checked(f(background), nb).mean())
    return PerturbationCurve(kind, tuple(X.columns), steps / m, curves, orders, prediction, base_value)


def _checked(values: Any, n: int) -> np.ndarray:
    values = np.asarray(values, dtype=float).reshape(-1)
    if values.shape != (n,) or not np.isfinite(values).all():
        raise ValueError(f"the model must return {n} finite numbers, got shape {values.shape}")
    return values


def _hybrid_outputs(f: Callable, X: pd.DataFrame, background: pd.DataFrame, replaced: np.ndarray) -> np.ndarray:
    """Mean over the background of ``f`` at every (row, step) hybrid; ``replaced`` is rows x steps x features."""
    n, steps, m = replaced.shape
    nb = len(background)
    columns = {}
    for j, name in enumerate(X.columns):
        own = np.repeat(X[name].to_numpy(), steps * nb)
        other = np.tile(background[name].to_numpy(), n * steps)
        take = np.repeat(replaced[:, :, j].reshape(-1), nb)
        if own.dtype.kind in "iufb" and other.dtype.kind in "iufb":
            columns[name] = np.where(take, other, own)
        else:
            columns[name] = np.where(take, other.astype(object), own.astype(object))
    frame = pd.DataFrame(columns)
    return _checked(f(frame), len(frame)).reshape(n * steps, nb).mean(axis=1)


def deletion_curve(model: Any, X: pd.DataFrame, attributions: Any, *, background: pd.DataFrame,
                   scale: str = "probability", random_state: RandomStateLike = 0,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> PerturbationCurve:
    """Deletion curve (Petsiuk et al. 2018, tabular form): per row, replace the features in order of
    decreasing attribution by background values and record the output averaged over the background.

    ``model`` is a fitted model (output on ``scale``) or a prediction function; ``attributions``
    a rows x features array or DataFrame (or one value per feature). Signed attributions are
    ordered from most positive to most negative, so deleting first what pushed the output *up*
    should make it fall fastest: a low :attr:`~PerturbationCurve.area` is good. Ties are broken at
    random (``random_state``). The step ``k = n_features`` is the background mean for every row.
    """
    return _perturbation("deletion", model, X, attributions, background, scale, random_state, batch_size)


def insertion_curve(model: Any, X: pd.DataFrame, attributions: Any, *, background: pd.DataFrame,
                    scale: str = "probability", random_state: RandomStateLike = 0,
                    batch_size: int = DEFAULT_BATCH_SIZE) -> PerturbationCurve:
    """Insertion curve (Petsiuk et al. 2018, tabular form): start from the background and restore
    the row's features in order of decreasing attribution; a high area is good. Arguments as in
    :func:`deletion_curve`."""
    return _perturbation("insertion", model, X, attributions, background, scale, random_state, batch_size)


def perturbation_curve_reference(f: Callable[[pd.DataFrame], np.ndarray], x: pd.DataFrame,
                                 order: Sequence[str], background: pd.DataFrame, *,
                                 kind: str = "deletion") -> list[float]:
    """One row's deletion (or insertion) curve, written as the definition: for k = 0..M, set the
    first k features of ``order`` to the background's values (insertion: all others), average."""
    curve = []
    for k in range(len(order) + 1):
        swapped = list(order[:k]) if kind == "deletion" else list(order[k:])
        rows = pd.concat([x] * len(background), ignore_index=True)
        for feature in swapped:
            rows[feature] = background[feature].to_numpy()
        curve.append(float(np.mean(f(rows))))
    return curve



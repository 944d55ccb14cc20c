"""The model as the search sees it: the probability of the desired class, and the model's own
decision whether a row reaches that class (:class:`_Target`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import (
    check_columns_match,
    check_fitted_model,
    check_model_input,
    check_probabilities,
    check_probability_scale,
)
from xaibook.predict import as_prediction_function


class _Target:
    """The model's probability of the desired class and its decision: is a row predicted as it?

    The decision is the model's own: ``model.predict`` for a fitted classifier (so a classifier
    with a threshold of its own, such as scikit-learn's ``FixedThresholdClassifier``, is obeyed),
    the larger probability for a prediction function ``f`` (class 1 when ``f > 0.5``). With
    ``min_probability`` a row is valid only if the probability of the desired class is also at
    least that much (the margin of DiCE's ``stopping_threshold``).
    """

    def __init__(self, model: Any, x: pd.DataFrame, desired_class: Any, min_probability: float | None = None):
        self._predict = None
        if hasattr(model, "predict") or hasattr(model, "predict_proba"):
            check_fitted_model(model)
            if not hasattr(model, "predict_proba"):
                raise ValueError(f"model ({type(model).__name__}) has no predict_proba; counterfactuals "
                                 "need class probabilities (use a probabilistic classifier)")
            # x is in X_reference's column order (check_row_like): a column order unlike the model's is X_reference's
            check_columns_match(model, x, name="X_reference")
            check_model_input(model, x, name="x")  # columns, and categories the model knows
            classes = list(getattr(model, "classes_", []))
            if not classes:
                raise ValueError("model has no classes_ attribute; is it a fitted classifier?")
            self._proba = lambda X: check_probabilities(model.predict_proba(X), len(X), name="model.predict_proba",
                                                        n_columns=len(classes))
            self._predict = getattr(model, "predict", None)
        else:
            f = as_prediction_function(model)
            check_probability_scale(f)
            classes = [0, 1]

            def proba(X: pd.DataFrame) -> np.ndarray:
                return _two_columns(check_probabilities(f(X), len(X), name="model (a prediction function)"))

            self._proba = proba
        classes = [c.item() if isinstance(c, np.generic) else c for c in classes]
        self.classes = classes
        self.min_probability = min_probability
        self.exact = self._predict is not None       # ask predict during the search (see calibrate)
        self.x_proba = self._proba(x)[0]
        current = self._decide(x, self.x_proba[None, :])[0]
        if desired_class is None:
            if len(classes) != 2:
                raise ValueError(f"the model has {len(classes)} classes {classes}; name desired_class")
            desired_class = classes[1 - classes.index(current)]
        if desired_class not in classes:
            raise ValueError(f"desired_class {desired_class!r} is not one of the model's classes {classes}")
        self.desired = desired_class
        self.index = classes.index(desired_class)
        self.x_margin = float(self._margin(self.x_proba[None, :])[0])
        self.current = current
        # the margin (log-odds) where the decision flips, as far as seen: the greedy search climbs past it
        floor = 0.0
        if min_probability is not None and len(classes) == 2:
            floor = float(np.log(min_probability) - np.log1p(-min_probability))
        self.boundary = max(floor, self.x_margin)
        self.n_calls = 0

    def _decide(self, X: pd.DataFrame, P: np.ndarray, exact: bool = True) -> list:
        if self._predict is not None and exact:
            labels = np.asarray(self._predict(X))
            return [c.item() if isinstance(c, np.generic) else c for c in labels]
        return [self.classes[k] for k in np.argmax(P, axis=1)]

    def _margin(self, P: np.ndarray) -> np.ndarray:
        p = P[:, self.index]
        others = np.delete(P, self.index, axis=1).max(axis=1)
        return np.log(np.clip(p, 1e-12, 1)) - np.log(np.clip(others, 1e-12, 1))

    def calibrate(self, X: pd.DataFrame) -> np.ndarray:
        """Validity of the rows ``X`` by the model's own decision; afterwards the search skips
        ``predict`` if it was the largest probability on every one of them (one model call per
        batch then). Reported rows are always checked with ``predict``."""
        return self(X, exact=True, calibrate=True)[1]

    def __call__(self, X: pd.DataFrame, exact: bool = False,
                 calibrate: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probability of the desired class, validity and margin (log-odds of desired vs the best other).

        ``exact=True`` always asks the model's ``predict`` (the final check of reported rows).
        """
        P = self._proba(X)
        labels = self._decide(X, P, exact or self.exact)
        if calibrate and self._predict is not None:
            self.exact = labels != self._decide(X, P, exact=False)
        return self._validity(P, labels)

    def _validity(self, P: np.ndarray, labels: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.n_calls += 1
        p = P[:, self.index]
        valid = np.array([c == self.desired for c in labels], dtype=bool)
        if self.min_probability is not None:
            valid &= p >= self.min_probability
        margin = self._margin(P)
        if (~valid).any():
            self.boundary = max(self.boundary, float(margin[~valid].max()))
        return p, valid, margin


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


"""LIME's result types: the perturbed neighbourhood of one explanation, and the explanation itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xaibook._validation import readonly
from xaibook.surrogate.kernel import kernel

__all__ = ["LimeResult", "Neighbourhood", "results_frame"]


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """The perturbed samples of one LIME explanation (row 0 is the explained instance itself).

    ``data`` is the interpretable representation ``Z`` the surrogate is fitted on (n x d): 0/1
    "same as the instance" indicators, or standardized values for numeric features with
    ``discretize=False``. ``predictions`` holds ``f`` on each sample and ``distances`` each
    sample's distance to the instance. ``samples`` holds the perturbed inputs themselves where
    they are small: a DataFrame (tabular) or a tuple of strings (text); ``None`` for images.
    ``row`` is the explained row's index label (tables) and ``scale`` the output scale ``f``
    declares (``"probability"``, ``"log-odds"`` or ``"model output"``).
    """

    kind: str
    data: np.ndarray
    predictions: np.ndarray
    distances: np.ndarray
    feature_names: tuple[str, ...]
    feature_labels: tuple[str, ...]
    feature_values: tuple[Any, ...]
    samples: Any = None
    default_kernel_width: float = 1.0
    segments: np.ndarray | None = None
    text: str | None = None
    row: Any = None
    scale: str = "model output"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", readonly(self.data))
        object.__setattr__(self, "predictions", readonly(self.predictions))
        object.__setattr__(self, "distances", readonly(self.distances))
        if self.segments is not None:
            object.__setattr__(self, "segments", readonly(self.segments, dtype=np.asarray(self.segments).dtype))

    def __len__(self) -> int:
        return len(self.predictions)

    def __repr__(self) -> str:
        return f"Neighbourhood(kind={self.kind!r}, samples={len(self)}, features={len(self.feature_names)})"

    def kernel_weights(self, kernel_width: float | None = None) -> np.ndarray:
        """Each sample's weight ``sqrt(exp(-d**2 / width**2))`` (default: this kind's default width)."""
        width = self.default_kernel_width if kernel_width is None else kernel_width  # kernel checks it
        return kernel(self.distances, width)


@dataclass(frozen=True, eq=False)
class LimeResult:
    """One LIME explanation: a weighted linear surrogate of ``f`` around one instance.

    ``weights[j]`` is the surrogate's coefficient of interpretable feature ``feature_names[j]``
    (0 for a feature that feature selection left out, see ``selected``); ``feature_labels[j]`` is
    how lime names it for this instance (``"duration_months > 24"``, ``"purpose=car (new)"``, a
    word, ``"segment 3"``) and ``feature_values[j]`` the instance's value. ``intercept`` is the
    surrogate's intercept, ``score`` its weighted R^2 on the neighbourhood (the fidelity),
    ``local_prediction`` the surrogate at the instance and ``prediction`` the model ``f`` there.
    ``neighbourhood`` is kept when asked for (``return_neighbourhood=True``); ``segments`` holds the
    superpixels of an image explanation. ``row`` (the explained row's index label, for a table) and
    ``scale`` (``f``'s output scale) say whom and on what scale it explains, so that charts refuse to
    draw it next to another person's or another scale's explanation.
    """

    kind: str
    feature_names: tuple[str, ...]
    weights: np.ndarray
    intercept: float
    score: float
    local_prediction: float
    prediction: float
    feature_labels: tuple[str, ...]
    feature_values: tuple[Any, ...]
    selected: np.ndarray
    kernel_width: float
    n_samples: int
    neighbourhood: Neighbourhood | None = field(default=None, repr=False)
    segments: np.ndarray | None = field(default=None, repr=False)
    text: str | None = None
    row: Any = None
    scale: str = "model output"

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.feature_names)
        weights = readonly(self.weights)
        if weights.shape != (len(names),):
            raise ValueError(f"weights must have one value per feature ({len(names)}), got shape {weights.shape}")
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "selected", readonly(self.selected, dtype=bool))
        for name in ("intercept", "score", "local_prediction", "prediction", "kernel_width"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.segments is not None:
            object.__setattr__(self, "segments", readonly(self.segments, dtype=np.asarray(self.segments).dtype))

    def __repr__(self) -> str:
        return (f"LimeResult(kind={self.kind!r}, features={len(self.feature_names)}, "
                f"prediction={self.prediction:.4g}, local_prediction={self.local_prediction:.4g}, "
                f"score={self.score:.3f}, kernel_width={self.kernel_width:.4g})")

    def to_frame(self) -> pd.DataFrame:
        """Long format, one row per feature: ``feature``, ``label``, ``value``, ``weight``, ``selected``."""
        return pd.DataFrame({
            "feature": list(self.feature_names),
            "label": list(self.feature_labels),
            "value": [str(v) for v in self.feature_values],
            "weight": self.weights,
            "selected": self.selected,
        })

    def ranking(self) -> list[str]:
        """Feature names by decreasing absolute weight (stable for ties)."""
        order = np.argsort(-np.abs(self.weights), kind="stable")
        return [self.feature_names[i] for i in order]

    def as_list(self) -> list[tuple[str, float]]:
        """``(label, weight)`` of the selected features, largest ``|weight|`` first, as lime's ``as_list``."""
        order = np.argsort(-np.abs(self.weights), kind="stable")
        return [(self.feature_labels[i], float(self.weights[i])) for i in order if self.selected[i]]

    def neighbourhood_frame(self) -> pd.DataFrame:
        """The neighbourhood with each sample's distance, kernel weight, model and surrogate output."""
        if self.neighbourhood is None:
            raise ValueError("this result kept no neighbourhood; call with return_neighbourhood=True")
        hood = self.neighbourhood
        frame = pd.DataFrame(hood.data, columns=list(self.feature_names))
        if isinstance(hood.samples, pd.DataFrame):
            frame = hood.samples.reset_index(drop=True).add_prefix("sample: ").join(frame)
        frame["prediction"] = hood.predictions
        frame["surrogate"] = self.intercept + hood.data @ self.weights
        frame["distance"] = hood.distances
        frame["kernel_weight"] = hood.kernel_weights(self.kernel_width)
        return frame



def results_frame(results: dict[str, LimeResult]) -> pd.DataFrame:
    """Several explanations of one instance (seeds, sample sizes, widths, models) in long format:
    ``run``, ``feature``, ``label``, ``weight``, ``score``."""
    if not results or not all(isinstance(r, LimeResult) for r in results.values()):
        raise TypeError("results must be a non-empty dict of name -> LimeResult")
    return pd.concat([r.to_frame().assign(run=name, score=r.score) for name, r in results.items()],
                     ignore_index=True)


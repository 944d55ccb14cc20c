"""LIME: local surrogate explanations for tabular, text and image data (Ribeiro, Singh & Guestrin 2016).

LIME explains one prediction ``f(x)`` in three steps:

1. **Sample a neighbourhood.** Draw ``n_samples`` perturbed inputs ``z`` near ``x`` and record, for
   each, its *interpretable representation* (a row of ``Z``) and the model's output ``f(z)``.
   Tabular data: each feature is redrawn from the training data (a numeric feature from a normal
   with the training mean and SD, or - discretized - from a quartile bin, then a value inside it;
   a category from its training frequencies); ``Z`` holds "is it the same bin/category as ``x``?"
   (0/1) or the standardized value. Text: random sets of distinct words are removed; ``Z`` says
   which words stay. Images: random sets of superpixels are hidden; ``Z`` says which stay.
2. **Weight it.** A sample at distance ``d`` from ``x`` (Euclidean on ``Z`` for tables, cosine for
   text and images) gets the exponential-kernel weight ``pi(d) = sqrt(exp(-d**2 / width**2))``.
3. **Fit a sparse linear surrogate.** A ridge regression (``alpha = 1``) of ``f(z)`` on ``Z``,
   weighted by ``pi``, optionally on a few selected features; its coefficients are the explanation,
   its weighted R^2 on the neighbourhood is ``score`` (the fidelity).

Kernel, width, penalty and feature selection are the ``lime`` package's choices, not the paper's:
the paper weights with ``exp(-d**2 / sigma**2)`` (no square root; lime's kernel is the paper's with
``sigma = sqrt(2) * width``), gives no default width (lime: ``0.75 sqrt(d)``) and fits sparse
explanations by K-Lasso (features chosen along the Lasso path, then least squares); lime fits a
ridge regression with ``alpha = 1`` after its ``"auto"`` selection. lime's ``explain_instance``
keeps ``num_features=10`` features by default; here ``n_features=None`` keeps them all.

Every choice follows the ``lime`` package 0.2.0.1 (Ribeiro's reference implementation) so that, for
the same ``random_state``, the functions here draw the same random numbers in the same order and
return the same explanation (the tests prove it to floating-point tolerance). One deliberate
difference: for a quartile bin whose training values are all equal (e.g. a count of dependants that
is 1 for half the rows), lime's ``undiscretize`` puts the *z-score* 0 into the perturbed sample
instead of the value itself, so the model is asked about 0 dependants, a value that never occurs;
here the sample gets the bin's value. Where such a bin sits at 0 anyway, the two agree exactly.

Functions: :func:`lime_tabular`, :func:`lime_text`, :func:`lime_image` return a :class:`LimeResult`;
the steps are public too (:func:`tabular_neighbourhood`, :func:`text_neighbourhood`,
:func:`image_neighbourhood`, :func:`kernel`, :func:`fit_surrogate`), and
:func:`submodular_pick` is SP-LIME, the paper's global summary by a few representative explanations.
:func:`weighted_ridge_reference` is the surrogate fit written as the textbook formula, and
:func:`lime_tabular_reference` the whole tabular method in a few readable lines.

The key is ``surrogate`` (never ``lime``), so the module cannot shadow the ``lime`` package.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import ThreadpoolController

from xaibook._validation import (
    as_generator,
    as_legacy_random_state,
    check_frame,
    check_memory,
    check_number,
    check_positive_int,
)
from xaibook.predict import as_prediction_function

__all__ = [
    "LimeResult",
    "Neighbourhood",
    "SubmodularPick",
    "default_kernel_width",
    "fit_surrogate",
    "grid_segments",
    "image_neighbourhood",
    "kernel",
    "lime_image",
    "lime_tabular",
    "lime_text",
    "quickshift_segments",
    "select_features",
    "submodular_pick",
    "tabular_neighbourhood",
    "text_neighbourhood",
    "text_tokens",
    "weighted_ridge",
    "weighted_ridge_reference",
]

#: Ridge penalty of the surrogate (lime's ``Ridge(alpha=1)``).
SURROGATE_ALPHA = 1.0
#: Ridge penalty lime uses to rank features for ``highest_weights`` selection.
SELECTION_ALPHA = 0.01
#: Up to this many features lime selects by forward selection, above it by highest weights.
FORWARD_SELECTION_MAX = 6
#: lime's default kernel widths for text (cosine distance x 100) and images (cosine distance).
TEXT_KERNEL_WIDTH = 25.0
IMAGE_KERNEL_WIDTH = 0.25
#: lime's quickshift settings for superpixels.
QUICKSHIFT = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}
#: lime adds this to each bin's SD so a constant bin has a non-zero scale.
_BIN_SD_EPS = 1e-11


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------
def _frozen(array: Any, dtype: Any = float) -> np.ndarray:
    out = np.array(array, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """The perturbed samples of one LIME explanation (row 0 is the explained instance itself).

    ``data`` is the interpretable representation ``Z`` the surrogate is fitted on (n x d): 0/1
    "same as the instance" indicators, or standardized values for numeric features with
    ``discretize=False``. ``predictions`` holds ``f`` on each sample and ``distances`` each
    sample's distance to the instance. ``samples`` holds the perturbed inputs themselves where
    they are small: a DataFrame (tabular) or a tuple of strings (text); ``None`` for images.
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _frozen(self.data))
        object.__setattr__(self, "predictions", _frozen(self.predictions))
        object.__setattr__(self, "distances", _frozen(self.distances))
        if self.segments is not None:
            object.__setattr__(self, "segments", _frozen(self.segments, dtype=np.asarray(self.segments).dtype))

    def __len__(self) -> int:
        return len(self.predictions)

    def __repr__(self) -> str:
        return f"Neighbourhood(kind={self.kind!r}, samples={len(self)}, features={len(self.feature_names)})"

    def kernel_weights(self, kernel_width: float | None = None) -> np.ndarray:
        """Each sample's weight ``sqrt(exp(-d**2 / width**2))`` (default: this kind's default width)."""
        width = self.default_kernel_width if kernel_width is None else _check_width(kernel_width)
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
    superpixels of an image explanation.
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

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.feature_names)
        weights = _frozen(self.weights)
        if weights.shape != (len(names),):
            raise ValueError(f"weights must have one value per feature ({len(names)}), got shape {weights.shape}")
        object.__setattr__(self, "feature_names", names)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "selected", _frozen(self.selected, dtype=bool))
        for name in ("intercept", "score", "local_prediction", "prediction", "kernel_width"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.segments is not None:
            object.__setattr__(self, "segments", _frozen(self.segments, dtype=np.asarray(self.segments).dtype))

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


# --------------------------------------------------------------------------------------------
# Kernel and surrogate (shared by every kind)
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread(function: Callable) -> Callable:
    """Run ``function`` with one BLAS thread: LIME's matrices are small (samples x features), and on a
    busy machine a second BLAS thread waiting for a free core makes a 0.2 ms product take 100 ms."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _blas().limit(limits=1, user_api="blas"):
            return function(*args, **kwargs)
    return wrapper


def kernel(distances: np.ndarray, kernel_width: float) -> np.ndarray:
    """lime's exponential kernel: ``pi(d) = sqrt(exp(-d**2 / width**2))``, 1 at the instance."""
    kernel_width = _check_width(kernel_width)
    d = np.asarray(distances, dtype=float)
    return np.sqrt(np.exp(-(d ** 2) / kernel_width ** 2))


def default_kernel_width(n_features: int) -> float:
    """lime's default width for tabular data: ``0.75 * sqrt(number of features)``."""
    return float(np.sqrt(n_features) * 0.75)


def weighted_ridge(Z: np.ndarray, y: np.ndarray, weights: np.ndarray, alpha: float = SURROGATE_ALPHA
                   ) -> tuple[np.ndarray, float]:
    """Weighted ridge regression with an unpenalized intercept; returns ``(coef, intercept)``.

    Minimises ``sum_i w_i (y_i - b - Z_i beta)**2 + alpha * |beta|**2`` (scikit-learn's
    ``Ridge(alpha).fit(Z, y, sample_weight=w)``): centre ``Z`` and ``y`` on their weighted means,
    solve ``(Zc' W Zc + alpha I) beta = Zc' W yc``, then ``b = y_bar - z_bar . beta``.
    """
    alpha = check_number(alpha, name="alpha", low=0.0)
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(Z),) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must hold one finite, non-negative weight per row of Z ({len(Z)}) and not "
                         f"all be zero, got shape {w.shape} with sum {w.sum() if w.size else 0}")
    if len(y) and np.all(y == y[0]):     # a constant output: the exact fit, without round-off
        return np.zeros(Z.shape[1]), float(y[0])
    z_bar = w @ Z / w.sum()
    y_bar = w @ y / w.sum()
    Zc = Z - z_bar
    gram = Zc.T @ (Zc * w[:, None])
    rhs = Zc.T @ (w * (y - y_bar))
    if alpha > 0:
        gram[np.diag_indices_from(gram)] += alpha
        coef = np.linalg.solve(gram, rhs)
    else:  # ordinary least squares; the minimum-norm solution when the design is singular
        coef = np.linalg.lstsq(gram, rhs, rcond=None)[0]
    return coef, float(y_bar - z_bar @ coef)


def weighted_ridge_reference(Z: np.ndarray, y: np.ndarray, weights: np.ndarray,
                             alpha: float = SURROGATE_ALPHA) -> tuple[np.ndarray, float]:
    """The same fit as the textbook formula: ``theta = (A' W A + alpha P)^-1 A' W y`` with ``A = [1, Z]``.

    ``W`` is the diagonal matrix of kernel weights and ``P`` the identity with a 0 for the
    intercept (which is not penalized). Slow (it builds ``W`` as an n x n matrix); for the tests.
    """
    A = np.column_stack([np.ones(len(Z)), Z])
    W = np.diag(np.asarray(weights, dtype=float))
    P = np.eye(A.shape[1])
    P[0, 0] = 0.0
    theta = np.linalg.solve(A.T @ W @ A + alpha * P, A.T @ W @ y)
    return theta[1:], float(theta[0])


def _weighted_r2(y: np.ndarray, fitted: np.ndarray, weights: np.ndarray) -> float:
    """Weighted coefficient of determination ``1 - sum w (y - fit)**2 / sum w (y - y_bar)**2``.

    For a model whose output never changes the fit is exact and the score is 1, scikit-learn's
    ``r2_score`` for a perfect prediction of a constant, which lime's ``Ridge.score`` returns too
    when its intercept equals the constant exactly (outputs 0 or 1). For other constants lime's
    intercept is often off by a rounding unit (0.30000000000000004 for 0.3) and lime then reports
    0; that 0 is round-off, not a poor fit, and this package reports 1.
    """
    if len(y) and np.all(y == y[0]) and np.all(fitted == y[0]):
        return 1.0
    y_bar = weights @ y / weights.sum()
    total = weights @ (y - y_bar) ** 2
    residual = weights @ (y - fitted) ** 2
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1.0 - residual / total)


def _forward_selection(Z: np.ndarray, y: np.ndarray, w: np.ndarray, n_features: int) -> np.ndarray:
    """Greedy forward selection by weighted R^2 of unpenalized least squares (lime's rule).

    Each round adds the feature whose addition gives the highest R^2; the first one wins a tie.
    The weighted, centred Gram matrix is computed once, so each candidate costs a tiny solve.
    """
    z_bar = w @ Z / w.sum()
    y_bar = w @ y / w.sum()
    Zc, yc = Z - z_bar, y - y_bar
    gram = Zc.T @ (Zc * w[:, None])
    cross = Zc.T @ (w * yc)
    total = float(w @ yc ** 2)
    used: list[int] = []
    for _ in range(min(n_features, Z.shape[1])):
        best, best_score = 0, -np.inf
        for j in range(Z.shape[1]):
            if j in used:
                continue
            cols = used + [j]
            beta = np.linalg.lstsq(gram[np.ix_(cols, cols)], cross[cols], rcond=None)[0]
            score = 1.0 - (total - cross[cols] @ beta) / total if total > 0 else 0.0
            if score > best_score:
                best, best_score = j, score
        used.append(best)
    return np.array(used, dtype=int)


def select_features(Z: np.ndarray, y: np.ndarray, weights: np.ndarray, n_features: int | None) -> np.ndarray:
    """Indices of the features the surrogate uses, as lime's ``feature_selection="auto"``.

    All features when ``n_features`` is None or not smaller than their count; otherwise forward
    selection for up to 6 features and, above that, the features with the largest
    ``|coefficient x instance value|`` of a ridge fit with ``alpha = 0.01`` on all features.
    """
    d = Z.shape[1]
    if n_features is None or n_features >= d:
        return np.arange(d)
    if n_features <= FORWARD_SELECTION_MAX:
        return _forward_selection(Z, y, weights, n_features)
    coef, _ = weighted_ridge(Z, y, weights, alpha=SELECTION_ALPHA)
    order = np.argsort(-np.abs(coef * Z[0]), kind="stable")
    return np.sort(order[:n_features])


@_one_blas_thread
def fit_surrogate(neighbourhood: Neighbourhood, *, kernel_width: float | None = None,
                  n_features: int | None = None, return_neighbourhood: bool = False) -> LimeResult:
    """Steps 2 and 3 of LIME: weight the neighbourhood with the kernel and fit the ridge surrogate.

    ``kernel_width`` defaults to the neighbourhood's kind (0.75 sqrt(d) for tables, 25 for text,
    0.25 for images). Refitting one neighbourhood at several widths is how the chapter shows the
    width's effect: the samples and the model's outputs stay, only the weights change.
    """
    _check_neighbourhood(neighbourhood)
    width = neighbourhood.default_kernel_width if kernel_width is None else _check_width(kernel_width)
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
        segments=neighbourhood.segments, text=neighbourhood.text)


def kernel_width_path(neighbourhood: Neighbourhood, widths: Sequence[float], *,
                      n_features: int | None = None) -> pd.DataFrame:
    """Refit one neighbourhood at each kernel width: long format ``width``, ``feature``, ``label``,
    ``weight``, ``score`` (the fidelity at that width) and ``local_prediction``."""
    _check_neighbourhood(neighbourhood)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"widths must be a list of kernel widths, got {type(widths).__name__} {widths!r}; "
                        f"pass [{widths!r}] for a single width")
    widths = [_check_width(w) for w in widths]
    if not widths:
        raise ValueError("widths is empty; give at least one kernel width")
    frames = []
    for width in widths:
        result = fit_surrogate(neighbourhood, kernel_width=width, n_features=n_features)
        frames.append(result.to_frame().assign(width=width, score=result.score,
                                               local_prediction=result.local_prediction))
    return pd.concat(frames, ignore_index=True)


def results_frame(results: dict[str, LimeResult]) -> pd.DataFrame:
    """Several explanations of one instance (seeds, sample sizes, widths, models) in long format:
    ``run``, ``feature``, ``label``, ``weight``, ``score``."""
    if not results or not all(isinstance(r, LimeResult) for r in results.values()):
        raise TypeError("results must be a non-empty dict of name -> LimeResult")
    return pd.concat([r.to_frame().assign(run=name, score=r.score) for name, r in results.items()],
                     ignore_index=True)


# --------------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------------
def _check_neighbourhood(neighbourhood: Any) -> None:
    if isinstance(neighbourhood, Neighbourhood):
        return
    hint = (" (a LimeResult keeps its neighbourhood only when computed with return_neighbourhood=True: "
            "pass result.neighbourhood)" if isinstance(neighbourhood, LimeResult) else "")
    raise TypeError(f"neighbourhood must be a Neighbourhood from tabular_neighbourhood, text_neighbourhood or "
                    f"image_neighbourhood, got {type(neighbourhood).__name__}{hint}")


def _check_width(kernel_width: Any) -> float:
    numbers = (int, float, np.integer, np.floating)
    if isinstance(kernel_width, (bool, np.bool_)) or not isinstance(kernel_width, numbers):
        raise TypeError(f"kernel_width must be a positive number, got {type(kernel_width).__name__}")
    width = float(kernel_width)
    if not np.isfinite(width) or width <= 0:
        raise ValueError(f"kernel_width must be a positive, finite number, got {kernel_width}")
    return width


def _check_output(values: Any, n: int, *, name: str = "f") -> np.ndarray:
    out = np.asarray(values)
    if out.ndim == 2 and out.shape[1] == 2:
        raise ValueError(f"{name} returned shape {out.shape} (one column per class); return one number per "
                         "sample, e.g. the positive class's probability predict_proba(...)[:, 1]")
    if out.shape != (n,):
        raise ValueError(f"{name} must return one number per sample (shape ({n},)), got shape {out.shape}")
    try:
        out = out.astype(float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must return numbers, got dtype {out.dtype}") from err
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} returned {int((~np.isfinite(out)).sum())} non-finite values (NaN or inf)")
    return out


def _check_samples(n_samples: Any) -> int:
    return check_positive_int(n_samples, name="n_samples", minimum=2)


def _check_neighbourhood_memory(n: int, d: int, extra_bytes: float, *, what: str, knob: str) -> None:
    """Refuse a neighbourhood (and its surrogate fit) that would not fit in memory, before drawing it:
    the n x d sample block and its centred copy, the d x d Gram matrix of the ridge fit (whose
    solve also costs O(d^3) time: a long text's thousands of words), plus ``extra_bytes``."""
    check_memory(8.0 * (3 * n * d + 3 * d * d) + extra_bytes, what=what, knob=knob)


def _predict_in_batches(f: Callable, inputs: Any, n: int, batch_size: int | None, take: Callable) -> np.ndarray:
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, name="batch_size")
    if batch_size is None or batch_size >= n:
        return _check_output(f(inputs), n)
    parts = [_check_output(f(take(inputs, start, min(start + batch_size, n))), min(batch_size, n - start))
             for start in range(0, n, batch_size)]
    return np.concatenate(parts)


# --------------------------------------------------------------------------------------------
# Tabular data
# --------------------------------------------------------------------------------------------
def _is_categorical(dtype: Any) -> bool:
    """Non-numeric (and boolean) columns are categorical."""
    return not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _format_threshold(value: float) -> str:
    """lime prints thresholds with two decimals; trailing zeros are dropped here (24.00 -> 24)."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class _Quartiles:
    """lime's quartile discretizer for one numeric training column."""

    edges: np.ndarray   # unique quartiles: bin b holds edges[b-1] < v <= edges[b]
    low: np.ndarray     # per bin: lower bound, upper bound, mean and SD (+ lime's 1e-11)
    high: np.ndarray
    mean: np.ndarray
    sd: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> _Quartiles:
        edges = np.unique(np.percentile(values, [25, 50, 75]))
        bins = np.searchsorted(edges, values)
        n_bins = len(edges) + 1
        mean = np.zeros(n_bins)
        sd = np.zeros(n_bins)
        for b in range(n_bins):
            chosen = values[bins == b]
            if len(chosen):
                mean[b], sd[b] = np.mean(chosen), np.std(chosen)
        return cls(edges, np.r_[values.min(), edges], np.r_[edges, values.max()], mean, sd + _BIN_SD_EPS)

    def bin_of(self, values: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.edges, values)

    def labels(self, name: str) -> list[str]:
        e = [_format_threshold(v) for v in self.edges]
        return ([f"{name} <= {e[0]}"] + [f"{e[i]} < {name} <= {e[i + 1]}" for i in range(len(e) - 1)]
                + [f"{name} > {e[-1]}"])


def _check_tabular(X_train: Any, x: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    X_train = check_frame(X_train, name="X_train", min_rows=2)
    if isinstance(x, pd.Series):
        x = x.to_frame().T.astype({c: X_train[c].dtype for c in x.index if c in X_train.columns})
    x = check_frame(x, name="x")
    if len(x) != 1:
        raise ValueError(f"x must be one row (a one-row DataFrame or a Series), got {len(x)} rows; "
                         "explain rows one at a time")
    missing = [c for c in X_train.columns if c not in x.columns]
    extra = [c for c in x.columns if c not in X_train.columns]
    if missing or extra:
        raise ValueError(f"x's columns do not match X_train's: missing {missing}, unexpected {extra}")
    x = x[list(X_train.columns)]
    numeric = [c for c, dtype in X_train.dtypes.items() if not _is_categorical(dtype)]
    bad = [c for c in numeric if _is_categorical(x.dtypes[c])]
    if bad:
        raise ValueError(f"x has non-numeric values in numeric columns {bad}")
    for name, frame in (("X_train", X_train), ("x", x)):
        if numeric:
            finite = np.isfinite(frame[numeric].to_numpy(dtype=float)).all(axis=0)
            if not finite.all():
                raise ValueError(f"{name} contains infinite values in columns {list(np.array(numeric)[~finite])}")
    return X_train, x


def tabular_neighbourhood(f: Any, X_train: pd.DataFrame, x: pd.DataFrame | pd.Series, *,
                          n_samples: int = 5000, discretize: bool = True, random_state: Any = 0,
                          batch_size: int | None = None) -> Neighbourhood:
    """Step 1 of LIME for a table: ``n_samples`` perturbed rows around ``x`` and ``f`` on each.

    Random numbers are drawn exactly as ``lime.lime_tabular.LimeTabularExplainer`` draws them:

    * ``discretize=True``: every numeric column is cut at its training quartiles. For each column in
      turn, ``n_samples`` bins (or categories) are drawn with their training frequencies; a sample's
      0/1 feature says whether it fell in the instance's bin (category). Then, column by column, each
      numeric bin of rows 1.. is turned back into a value from a normal truncated to the bin, with the
      bin's training mean and SD.
    * ``discretize=False``: one block of standard normals ``n_samples x d``; numeric column ``j``
      becomes ``mean_j + sd_j * z`` (training mean and SD, ddof 0) and enters ``Z`` standardized
      (``z``); categorical columns are then drawn as above.

    Row 0 is ``x`` itself. Distances are Euclidean on ``Z``.
    """
    f = as_prediction_function(f, name="f")
    if not isinstance(discretize, (bool, np.bool_)):
        raise TypeError(f"discretize must be True or False, got {type(discretize).__name__} {discretize!r}")
    X_train, x = _check_tabular(X_train, x)
    n = _check_samples(n_samples)
    rs = as_legacy_random_state(random_state)
    columns = list(X_train.columns)
    d = len(columns)
    _check_neighbourhood_memory(n, d, 8.0 * 4 * n * d, what=f"a LIME neighbourhood of {n:,} rows x {d} features",
                                knob="n_samples")
    categorical = [_is_categorical(dtype) for dtype in X_train.dtypes]

    # Encode: categories as codes into their sorted training values; numbers as floats.
    train = np.zeros((len(X_train), d))
    row = np.zeros(d)
    categories: dict[int, np.ndarray] = {}
    values_of_x = x.iloc[0].tolist()
    for j, name in enumerate(columns):
        column = X_train.iloc[:, j]
        if categorical[j]:
            cats, codes = np.unique(column.to_numpy(dtype=object), return_inverse=True)
            value = values_of_x[j]
            where = np.flatnonzero(cats == value)
            if len(where) == 0:
                raise ValueError(f"x has a category unseen in X_train: column {name!r} value {value!r}; "
                                 f"X_train's values are {list(cats)}")
            categories[j] = cats
            train[:, j] = codes
            row[j] = where[0]
        else:
            train[:, j] = column.to_numpy(dtype=float)
            row[j] = float(values_of_x[j])

    quartiles = {j: _Quartiles.fit(train[:, j]) for j in range(d) if discretize and not categorical[j]}
    first = row.copy()
    for j, q in quartiles.items():
        first[j] = q.bin_of(row[j])
    coded = train.copy()
    for j, q in quartiles.items():
        coded[:, j] = q.bin_of(train[:, j])

    # Scale used for distances and (discretize=False) for the surrogate's inputs.
    # (0/1 columns - every column once discretized - keep mean 0 and scale 1, as in lime).
    indicator = np.array(categorical) | bool(discretize)
    mean = np.where(indicator, 0.0, train.mean(axis=0))
    sd = train.std(axis=0)
    sd = np.where(indicator | (sd < 10 * np.finfo(float).eps), 1.0, sd)
    drawn_columns = range(d) if discretize else [j for j in range(d) if categorical[j]]

    Z = np.zeros((n, d))
    inverse = np.zeros((n, d))
    if not discretize:
        Z = rs.normal(0, 1, n * d).reshape(n, d) * sd + mean
        inverse = Z.copy()
    Z[0] = row
    inverse[0] = row
    for j in drawn_columns:
        values, counts = np.unique(coded[:, j], return_counts=True)
        freqs = counts / float(counts.sum())
        cdf = np.cumsum(freqs)
        cdf /= cdf[-1]
        draws = values[np.searchsorted(cdf, rs.random_sample(n), side="right")]
        Z[:, j] = draws == first[j]
        Z[0, j] = 1.0
        inverse[:, j] = draws
        inverse[0, j] = row[j]
    if quartiles:
        inverse[1:] = _undiscretize(inverse[1:], quartiles, rs)
    inverse[0] = row
    Z = (Z - mean) / sd

    samples = pd.DataFrame({
        name: (pd.Series(categories[j][inverse[:, j].astype(int)], dtype=X_train.dtypes.iloc[j])
               if categorical[j] else inverse[:, j])
        for j, name in enumerate(columns)}, copy=False)
    predictions = _predict_in_batches(f, samples, n, batch_size, lambda s, a, b: s.iloc[a:b])
    distances = np.sqrt(((Z - Z[0]) ** 2).sum(axis=1))

    labels = []
    for j, name in enumerate(columns):
        if categorical[j]:
            labels.append(f"{name}={x[name].iloc[0]}")
        elif j in quartiles:
            labels.append(quartiles[j].labels(name)[int(first[j])])
        else:
            labels.append(name)
    return Neighbourhood(kind="tabular", data=Z, predictions=predictions, distances=distances,
                         feature_names=tuple(columns), feature_labels=tuple(labels),
                         feature_values=tuple(x.iloc[0].tolist()), samples=samples,
                         default_kernel_width=default_kernel_width(d))


def _undiscretize(bins: np.ndarray, quartiles: dict[int, _Quartiles], rs: np.random.RandomState) -> np.ndarray:
    """Turn sampled bins back into values: a normal with the bin's mean and SD, truncated to the bin.

    Column by column, for the rows whose bin has distinct bounds, one draw of
    ``scipy.stats.truncnorm.rvs`` with the shared ``RandomState`` (scipy inverts the CDF of one
    uniform per value), as lime does, so the stream is the same. A bin whose bounds coincide (all its
    training values equal) gets that value, where lime puts its z-score 0.
    """
    out = bins.copy()
    for j, q in quartiles.items():
        b = bins[:, j].astype(int)
        low, high, mean, sd = q.low[b], q.high[b], q.mean[b], q.sd[b]
        a, z = (low - mean) / sd, (high - mean) / sd
        varies = a != z
        values = low.copy()  # the constant bins keep their single value
        if varies.any():
            values[varies] = stats.truncnorm.rvs(a[varies], z[varies], loc=mean[varies], scale=sd[varies],
                                                 random_state=rs)
        out[:, j] = values
    return out


def lime_tabular(f: Any, X_train: pd.DataFrame, x: pd.DataFrame | pd.Series, *, n_samples: int = 5000,
                 kernel_width: float | None = None, discretize: bool = True, n_features: int | None = None,
                 random_state: Any = 0, return_neighbourhood: bool = False,
                 batch_size: int | None = None) -> LimeResult:
    """LIME for one row ``x`` of a table (Ribeiro et al. 2016), as ``lime``'s tabular explainer.

    ``f`` is a prediction function ``f(X: DataFrame) -> 1-D array`` or a fitted scikit-learn model
    (a classifier means its positive-class probability). ``X_train`` supplies the sampling
    distribution: quartiles, means, SDs and category frequencies; its non-numeric columns are
    categorical. ``kernel_width`` defaults to ``0.75 * sqrt(number of features)``.

    With ``discretize=True`` (lime's default) a weight is the change in the surrogate's output when
    the feature's bin (or category) is the instance's rather than another; with ``discretize=False``
    a numeric feature's weight is the change in ``f`` per standard deviation of the feature.
    ``n_features`` keeps only that many features (lime's automatic selection). Equals
    ``LimeTabularExplainer(X_train, mode="regression", ...).explain_instance(x, f, num_features=...)``
    for the same ``random_state`` (see the module docstring for the one deliberate difference).
    """
    hood = tabular_neighbourhood(f, X_train, x, n_samples=n_samples, discretize=discretize,
                                 random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------
_SPLIT = re.compile(r"(\W+)|$")


def text_tokens(text: str) -> tuple[list[str], np.ndarray, list[str]]:
    """Split ``text`` as lime does (on ``\\W+``, keeping the separators).

    Returns the tokens, each token's word id (``-1`` for a separator) and the distinct words in
    order of first appearance (case-sensitive: "Good" and "good" are two words).
    """
    tokens = [t for t in _SPLIT.split(text) if t]
    vocabulary: dict[str, int] = {}
    ids = np.full(len(tokens), -1)
    for i, token in enumerate(tokens):
        if _SPLIT.match(token):
            continue
        ids[i] = vocabulary.setdefault(token, len(vocabulary))
    return tokens, ids, list(vocabulary)


def text_neighbourhood(f: Any, text: str, *, n_samples: int = 5000, random_state: Any = 0,
                       batch_size: int | None = None) -> Neighbourhood:
    """Step 1 of LIME for a text: remove random sets of distinct words, as ``LimeTextExplainer``.

    For each sample after the first, the number of words to remove is drawn uniformly from 1 to
    the number of distinct words, then which ones (a random permutation, cut to that length);
    all occurrences of a removed word go together (bag of words). ``Z`` marks the words kept;
    the distance is the cosine distance between a sample's ``Z`` row and the all-ones row, times
    100: ``100 * (1 - sqrt(kept / words))``.
    """
    f = as_prediction_function(f, name="f")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty; give a non-empty text to explain")
    tokens, ids, words = text_tokens(text)
    d = len(words)
    if d == 0:
        raise ValueError(f"text {text!r} contains no words to perturb")
    n = _check_samples(n_samples)
    _check_neighbourhood_memory(n, d, n * (len(tokens) + 2.0 * len(text)),
                                what=f"a LIME neighbourhood of {n:,} samples of a text of {d:,} distinct words",
                                knob="n_samples, or the text's length (explain a shorter passage)")
    rs = as_legacy_random_state(random_state)
    sizes = rs.randint(1, d + 1, n - 1)
    Z = np.ones((n, d))
    for i, size in enumerate(sizes, start=1):
        Z[i, rs.permutation(d)[:size]] = 0.0
    keep = np.ones((n, len(tokens)), dtype=bool)
    is_word = ids >= 0
    keep[:, is_word] = Z[:, ids[is_word]] > 0
    token_array = np.array(tokens, dtype=object)
    samples = tuple("".join(token_array[k]) for k in keep)
    samples = (text,) + samples[1:]
    predictions = _predict_in_batches(f, list(samples), n, batch_size, lambda s, a, b: s[a:b])
    distances = 100.0 * (1.0 - np.sqrt(Z.sum(axis=1) / d))
    return Neighbourhood(kind="text", data=Z, predictions=predictions, distances=np.maximum(distances, 0.0),
                         feature_names=tuple(words), feature_labels=tuple(words),
                         feature_values=tuple(int((ids == k).sum()) for k in range(d)), samples=samples,
                         default_kernel_width=TEXT_KERNEL_WIDTH, text=text)


def lime_text(f: Any, text: str, *, n_samples: int = 5000, kernel_width: float = TEXT_KERNEL_WIDTH,
              random_state: Any = 0, n_features: int | None = None, return_neighbourhood: bool = False,
              batch_size: int | None = None) -> LimeResult:
    """LIME for one text (Ribeiro et al. 2016), as ``lime``'s ``LimeTextExplainer`` (bag of words).

    ``f(list[str]) -> 1-D array`` (or a fitted text pipeline: its positive-class probability).
    ``feature_names`` are the distinct words in order of first appearance and ``feature_values``
    their counts in the text; a word's weight is the change in the surrogate's output when the
    word is present rather than removed. Equals ``LimeTextExplainer(random_state=seed)
    .explain_instance(text, proba, num_features=...)`` on the positive-class column.
    """
    hood = text_neighbourhood(f, text, n_samples=n_samples, random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------
def _as_rgb(image: np.ndarray) -> np.ndarray:
    """An image as RGB for quickshift: greyscale (2-D or one channel) repeated in three channels."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[2] != 3:
        raise ValueError(f"quickshift superpixels need a greyscale or RGB image, got {image.shape[2]} channels; "
                         "drop the alpha channel (image[..., :3]) or pass segments= (e.g. grid_segments)")
    return np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image


def quickshift_segments(image: np.ndarray) -> np.ndarray:
    """Superpixels as lime makes them: scikit-image ``quickshift`` with kernel_size=4, max_dist=200,
    ratio=0.2 on the RGB image (a greyscale image repeated in three channels)."""
    from skimage.segmentation import quickshift

    return quickshift(_as_rgb(np.asarray(image, dtype=float)), **QUICKSHIFT)


def grid_segments(shape: tuple[int, int], n_rows: int, n_cols: int | None = None) -> np.ndarray:
    """Rectangular superpixels: an ``n_rows x n_cols`` grid of near-equal blocks, labelled row by row."""
    n_rows = check_positive_int(n_rows, name="n_rows")
    n_cols = n_rows if n_cols is None else check_positive_int(n_cols, name="n_cols")
    height, width = int(shape[0]), int(shape[1])
    if n_rows > height or n_cols > width:
        raise ValueError(f"a {n_rows} x {n_cols} grid does not fit an image of {height} x {width} pixels")
    r = (np.arange(height) * n_rows) // height
    c = (np.arange(width) * n_cols) // width
    return r[:, None] * n_cols + c[None, :]


def _check_image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise ValueError(f"image must be height x width (greyscale) or height x width x channels, "
                         f"got shape {image.shape}")
    if not np.issubdtype(image.dtype, np.number):
        raise TypeError(f"image must be numeric, got dtype {image.dtype}")
    image = image.astype(float)
    if not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite pixels")
    return image


def image_neighbourhood(f: Any, image: np.ndarray, *, segments: np.ndarray | None = None,
                        hide_color: Any = None, n_samples: int = 1000, random_state: Any = 0,
                        batch_size: int | None = 100) -> Neighbourhood:
    """Step 1 of LIME for an image: hide random sets of superpixels, as ``LimeImageExplainer``.

    Like lime, one integer in [0, 1000) is drawn first (lime's segmentation seed), then the
    ``n_samples x superpixels`` block of fair coin flips; row 0 keeps everything. A hidden
    superpixel takes ``hide_color`` (a number, or one per channel), or with ``None`` its own mean
    colour. ``f`` receives batches of images shaped like ``image`` (``batch, height, width[, c]``).
    The distance is the cosine distance of the ``Z`` row to the all-ones row.
    """
    f = as_prediction_function(f, name="f")
    image = _check_image(image)
    n = _check_samples(n_samples)
    rs = as_legacy_random_state(random_state)
    rs.randint(0, high=1000)  # lime's segmentation seed; drawn (and unused by quickshift) to keep the stream
    if segments is None:
        segments = quickshift_segments(image)
    segments = np.asarray(segments)
    if segments.shape != image.shape[:2]:
        raise ValueError(f"segments must have the image's height x width {image.shape[:2]}, got {segments.shape}")
    if not np.issubdtype(segments.dtype, np.integer):
        raise TypeError(f"segments must be an integer label array, got dtype {segments.dtype}")
    labels, pixel_feature = np.unique(segments, return_inverse=True)
    pixel_feature = pixel_feature.reshape(segments.shape)
    d = len(labels)
    step = n if batch_size is None else check_positive_int(batch_size, name="batch_size")
    _check_neighbourhood_memory(n, d, 8.0 * 3 * min(step, n) * image.size,
                                what=f"a LIME neighbourhood of {n:,} images of {d:,} superpixels",
                                knob="n_samples or batch_size")

    if hide_color is None:
        counts = np.bincount(pixel_feature.ravel(), minlength=d)
        flat = image.reshape(segments.size, -1)
        means = np.stack([np.bincount(pixel_feature.ravel(), weights=flat[:, c], minlength=d) / counts
                          for c in range(flat.shape[1])], axis=1)
        hidden = means[pixel_feature].reshape(image.shape)
    else:
        hidden = np.empty_like(image)
        try:
            hidden[:] = hide_color
        except (ValueError, TypeError) as err:
            raise ValueError("hide_color must be None, a number or one number per channel, "
                             f"got {hide_color!r}") from err
        if not np.all(np.isfinite(hidden)):
            raise ValueError(f"hide_color must be finite (a colour), got {hide_color!r}")

    Z = rs.randint(0, 2, n * d).reshape(n, d).astype(float)
    Z[0] = 1.0

    def perturbed(start: int, stop: int) -> np.ndarray:
        keep = Z[start:stop][:, pixel_feature] > 0
        if image.ndim == 3:
            keep = keep[..., None]
        return np.where(keep, image, hidden)

    predictions = np.concatenate([_check_output(f(perturbed(a, min(a + step, n))), min(step, n - a))
                                  for a in range(0, n, step)])
    distances = 1.0 - np.sqrt(Z.sum(axis=1) / d)
    return Neighbourhood(kind="image", data=Z, predictions=predictions, distances=np.maximum(distances, 0.0),
                         feature_names=tuple(str(int(v)) for v in labels),
                         feature_labels=tuple(f"segment {int(v)}" for v in labels),
                         feature_values=tuple(int((pixel_feature == k).sum()) for k in range(d)),
                         default_kernel_width=IMAGE_KERNEL_WIDTH, segments=segments)


def lime_image(f: Any, image: np.ndarray, *, segments: np.ndarray | None = None, hide_color: Any = None,
               n_samples: int = 1000, random_state: Any = 0, kernel_width: float = IMAGE_KERNEL_WIDTH,
               n_features: int | None = None, return_neighbourhood: bool = False,
               batch_size: int | None = 100) -> LimeResult:
    """LIME for one image (Ribeiro et al. 2016), as ``lime``'s ``LimeImageExplainer``.

    ``f(batch of images) -> 1-D array``. ``segments`` is an integer label array of the image's
    height x width, or None for lime's quickshift superpixels; ``feature_names`` are the segment
    labels in increasing order (as strings) and ``feature_values`` their sizes in pixels. A weight
    is the change in the surrogate's output when the superpixel is shown rather than hidden.
    Equals ``LimeImageExplainer(random_state=seed).explain_instance(image, proba, labels=(1,),
    top_labels=None, hide_color=..., segmentation_fn=..., num_samples=...)`` when the segment
    labels are 0, 1, ..., k-1 (lime assumes so).
    """
    hood = image_neighbourhood(f, image, segments=segments, hide_color=hide_color, n_samples=n_samples,
                               random_state=random_state, batch_size=batch_size)
    return fit_surrogate(hood, kernel_width=kernel_width, n_features=n_features,
                         return_neighbourhood=return_neighbourhood)


# --------------------------------------------------------------------------------------------
# SP-LIME
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SubmodularPick:
    """SP-LIME's choice: ``picks`` are positions in the list of explanations, best first.

    ``matrix`` is the explanation matrix ``W`` (one row per explanation, one column per
    interpretable feature label, lime's weights), ``importance`` the global importance
    ``I_j = sqrt(sum_i |W_ij|)`` and ``coverage[k]`` the covered importance after ``k + 1`` picks.
    """

    picks: tuple[int, ...]
    coverage: np.ndarray
    importance: pd.Series
    matrix: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (picked explanation, feature label) with a non-zero weight."""
        rows = self.matrix.iloc[list(self.picks)]
        frame = rows.assign(pick=range(1, len(self.picks) + 1), explanation=list(self.picks)).melt(
            id_vars=["pick", "explanation"], var_name="label", value_name="weight")
        return frame[frame["weight"] != 0].sort_values(["pick", "label"]).reset_index(drop=True)

    def ranking(self) -> list[str]:
        """Feature labels by decreasing global importance."""
        return list(self.importance.sort_values(ascending=False, kind="stable").index)


def submodular_pick(explanations: Sequence[LimeResult], n_picks: int = 5) -> SubmodularPick:
    """Greedy submodular pick (Ribeiro et al. 2016, Algorithm 2), as ``lime``'s ``SubmodularPick``.

    Builds ``W`` from each explanation's selected ``(label, weight)`` pairs, the importance
    ``I_j = sqrt(sum_i |W_ij|)``, and picks, one at a time, the explanation that maximises the
    coverage ``c(V) = sum_j I_j [some explanation in V uses label j]``. As in lime, a tie goes to
    the later explanation in the list.
    """
    explanations = list(explanations)
    if not explanations or not all(isinstance(e, LimeResult) for e in explanations):
        raise TypeError("explanations must be a non-empty list of LimeResult")
    kinds = sorted({e.kind for e in explanations})
    if len(kinds) > 1:  # a word and a table feature would compete for the same coverage
        raise ValueError(f"explanations mix kinds {kinds}; pick among explanations of one kind of data")
    n_picks = check_positive_int(n_picks, name="n_picks")
    n_picks = min(n_picks, len(explanations))
    columns: dict[str, int] = {}
    for e in explanations:
        for label, _ in e.as_list():
            columns.setdefault(label, len(columns))
    W = np.zeros((len(explanations), len(columns)))
    for i, e in enumerate(explanations):
        for label, weight in e.as_list():
            W[i, columns[label]] += weight
    used = np.abs(W) > 0
    importance = np.sqrt(np.abs(W).sum(axis=0))
    picks: list[int] = []
    covered = np.zeros(len(columns), dtype=bool)
    coverage = []
    for _ in range(n_picks):
        gains = (used | covered).astype(float) @ importance
        gains[picks] = -np.inf
        best = int(len(gains) - 1 - np.argmax(gains[::-1]))  # the last of equal maxima
        picks.append(best)
        covered |= used[best]
        coverage.append(float(covered @ importance))
    names = list(columns)
    return SubmodularPick(picks=tuple(picks), coverage=_frozen(coverage),
                          importance=pd.Series(importance, index=names, name="importance"),
                          matrix=pd.DataFrame(W, columns=names))


# --------------------------------------------------------------------------------------------
# LIME for a table in a few readable lines (for reading; the functions above are the fast ones)
# --------------------------------------------------------------------------------------------
def lime_tabular_reference(f: Any, X_train: pd.DataFrame, x: pd.DataFrame, *, n_samples: int = 5000,
                           kernel_width: float | None = None, random_state: Any = 0,
                           samples: pd.DataFrame | None = None) -> pd.Series:
    """Tabular LIME as sample, weight, fit, written to be read (Ribeiro et al. 2016, ``lime``'s choices).

    1. **Sample**: every feature of every sample is the value of a random training row, drawn
       independently feature by feature; row 0 is ``x``. (``lime`` draws a quartile bin or a
       category with its training frequency and then a value inside the bin from a truncated
       normal: the same bins with the same frequencies, other values inside a bin.) Pass
       ``samples`` (``x`` as row 0) to skip the draw.
    2. **Weight**: ``z'`` is 1 where the sample lies in ``x``'s quartile bin (numeric) or category;
       ``d`` is the Euclidean distance of ``z'`` to ``x``'s all-ones row and the kernel weight
       ``pi = sqrt(exp(-d**2 / width**2))``, width ``0.75 sqrt(number of features)`` by default.
    3. **Fit**: a weighted ridge regression (``alpha = 1``, intercept not penalised) of ``f`` on ``z'``.

    Returns the surrogate's weights, one per feature. On the samples of
    :func:`tabular_neighbourhood` it gives :func:`lime_tabular`'s weights to rounding error
    (``tests/test_surrogate.py``); on its own samples, the same explanation up to sampling noise.
    """
    f = as_prediction_function(f, name="f")
    X_train, x = _check_tabular(X_train, x)
    if samples is None:                                                    # 1. sample
        rows = as_generator(random_state).integers(0, len(X_train), size=(_check_samples(n_samples) - 1, x.shape[1]))
        drawn = pd.DataFrame({c: X_train[c].to_numpy()[rows[:, j]] for j, c in enumerate(X_train.columns)})
        samples = pd.concat([x.reset_index(drop=True), drawn.astype(X_train.dtypes.to_dict())], ignore_index=True)
    Z = np.column_stack([_same_bin(samples[c], x[c].iloc[0], X_train[c]) for c in X_train.columns])
    d = np.sqrt(((Z - 1) ** 2).sum(axis=1))                                 # 2. weight
    width = default_kernel_width(Z.shape[1]) if kernel_width is None else _check_width(kernel_width)
    pi = np.sqrt(np.exp(-d ** 2 / width ** 2))
    A = np.column_stack([np.ones(len(Z)), Z])                               # 3. fit
    P = np.diag(np.r_[0.0, np.ones(Z.shape[1])])
    theta = np.linalg.solve(A.T @ (A * pi[:, None]) + SURROGATE_ALPHA * P, A.T @ (pi * f(samples)))
    return pd.Series(theta[1:], index=X_train.columns, name="weight")


def _same_bin(values: pd.Series, value: Any, train: pd.Series) -> np.ndarray:
    """1.0 where ``values`` fall in ``value``'s quartile bin of ``train`` (numeric) or equal it (category)."""
    if _is_categorical(train.dtype):
        return (values.to_numpy(dtype=object) == value).astype(float)
    edges = np.unique(np.percentile(train.to_numpy(dtype=float), [25, 50, 75]))
    return (np.searchsorted(edges, values.to_numpy(dtype=float)) == np.searchsorted(edges, float(value))).astype(float)


__all__ += ["lime_tabular_reference"]

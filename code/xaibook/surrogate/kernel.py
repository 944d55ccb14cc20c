"""LIME's kernel and surrogate fit, shared by every kind of data (steps 2 and 3 of the method).

The exponential kernel turns a sample's distance into its weight; a weighted ridge regression
(``alpha = 1``, intercept not penalised) of the model's outputs on the interpretable features is
the surrogate, optionally on a few features chosen as ``lime``'s ``feature_selection="auto"``
chooses them. :func:`weighted_ridge_reference` is the same fit written as the textbook formula.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from threadpoolctl import ThreadpoolController

from xaibook._validation import check_number, check_positive_number

__all__ = [
    "default_kernel_width",
    "kernel",
    "select_features",
    "weighted_ridge",
    "weighted_ridge_reference",
]

#: Ridge penalty of the surrogate (lime's ``Ridge(alpha=1)``).
SURROGATE_ALPHA = 1.0
#: Ridge penalty lime uses to rank features for ``highest_weights`` selection.
SELECTION_ALPHA = 0.01
#: Up to this many features lime selects by forward selection, above it by highest weights.
FORWARD_SELECTION_MAX = 6


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
    kernel_width = check_positive_number(kernel_width, name="kernel_width")
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


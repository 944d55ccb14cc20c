"""What every LIME neighbourhood sampler shares: its sample-count and memory checks, and the model
called on the samples batch by batch with its output checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from xaibook._validation import check_memory, check_model_output, check_positive_int


def check_samples(n_samples: Any) -> int:
    """A neighbourhood holds the instance and at least one perturbed sample."""
    return check_positive_int(n_samples, name="n_samples", minimum=2)


def check_neighbourhood_memory(n: int, d: int, extra_bytes: float, *, what: str, knob: str) -> None:
    """Refuse a neighbourhood (and its surrogate fit) that would not fit in memory, before drawing it:
    the n x d sample block and its centred copy, the d x d Gram matrix of the ridge fit (whose
    solve also costs O(d^3) time: a long text's thousands of words), plus ``extra_bytes``."""
    check_memory(8.0 * (3 * n * d + 3 * d * d) + extra_bytes, what=what, knob=knob)


def predict_in_batches(f: Callable, inputs: Any, n: int, batch_size: int | None, take: Callable) -> np.ndarray:
    """``f`` on ``n`` samples, ``batch_size`` at a time (``take(inputs, start, stop)`` cuts a batch; None:
    all at once), each batch's output checked: one finite number per sample."""
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, name="batch_size")
    if batch_size is None or batch_size >= n:
        return check_model_output(f(inputs), n)
    parts = [check_model_output(f(take(inputs, start, min(start + batch_size, n))), min(batch_size, n - start))
             for start in range(0, n, batch_size)]
    return np.concatenate(parts)


"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_<x>.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_time(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Call ``function`` ``repeats`` times; the fastest wall-clock time and the last result.

    The minimum is the least disturbed by other work on the machine.
    """
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result

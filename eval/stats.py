"""Latency percentiles, computed one way for every report."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: float) -> float:
    """The value at rank q·(n−1) of the sorted values (0.95: the 95th percentile)."""
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def p50_p95(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)

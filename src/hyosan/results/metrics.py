"""Quantities derived from a time series: first crossings and peaks.

Engines that know these exactly (the ode engine finds crossing times by root finding; the
stochastic engines see every event) report them themselves; these functions derive them from
the recorded series for the rest, interpolating linearly between recorded times.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OVERRUN_FRACTION", "first_crossing", "overrun_level", "peak"]

#: The school (or city) is overrun when this share of its initial humans is bitten, turned or dead.
OVERRUN_FRACTION = 0.8


def overrun_level(initial_humans: float) -> float:
    """Humans strictly below this level means overrun: at most 20 % of the start are left.

    The relative nudge turns "at most" into the strict "below" every crossing test uses, so an
    integer count landing exactly on 20 % counts (stochastic engines) while a continuous
    solution crosses within 1e-12 of the exact level (the ode engine).
    """
    return (1 - OVERRUN_FRACTION) * initial_humans * (1 + 1e-12)


def first_crossing(
    times: np.ndarray, values: np.ndarray, level: float, below: bool
) -> float | None:
    """First time `values` goes below (or above) `level`, linearly interpolated; None if never.

    A series that starts beyond the level crosses at its first time.
    """
    v = np.asarray(values, dtype=np.float64)
    hit = v < level if below else v > level
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return None
    i = int(idx[0])
    if i == 0:
        return float(times[0])
    t0, t1, v0, v1 = float(times[i - 1]), float(times[i]), float(v[i - 1]), float(v[i])
    if v1 == v0:
        return t1
    return t0 + (level - v0) * (t1 - t0) / (v1 - v0)


def peak(times: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """(largest value, the first time it is reached) of a series."""
    v = np.asarray(values, dtype=np.float64)
    i = int(np.argmax(v))
    return float(v[i]), float(times[i])

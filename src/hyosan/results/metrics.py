"""Quantities derived from a time series: first crossings and peaks.

Engines that know these exactly (the ode engine finds crossing times by root finding; the
stochastic engines see every event) report them themselves; these functions derive them from
the recorded series for the rest, interpolating linearly between recorded times.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OVERRUN_FRACTION", "first_crossing", "overrun_level", "overrun_watch", "peak"]

#: The school (or city) is overrun when this share of its people is bitten, turned or dead:
#: of those who started human and did not reach safety (escaped, evacuated, screened).
OVERRUN_FRACTION = 0.8


def overrun_level(initial_humans: float) -> float:
    """Humans strictly below this level means overrun: at most 20 % of the start are left.

    Where people can reach safety, `overrun_watch` gives the level of those who stayed.

    The relative nudge turns "at most" into the strict "below" every crossing test uses, so an
    integer count landing exactly on 20 % counts (stochastic engines) while a continuous
    solution crosses within 1e-12 of the exact level (the ode engine).
    """
    return (1 - OVERRUN_FRACTION) * initial_humans * (1 + 1e-12)


def overrun_watch(
    human: np.ndarray, safe: np.ndarray, x0: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """The overrun as a level of a weighted sum of the counts: (weights, level), crossed from
    above; None where nobody starts human. `human` and `safe` are indicator vectors over the
    compartments, x0 the counts at the start.

    Without a safe state: humans below `overrun_level` of those at the start. With one, those
    who reach safety (escaped, evacuated, screened) count on neither side: overrun when
    strictly fewer than one in five of those who stayed are human, H < (H + lost) / 5 with
    lost = H0 + S0 - H - S, that is 5 H + S < H0 + S0, a level of a linear sum as every
    engine's watch is, and exact in integers. Counting the safe as lost made a school that
    everyone left with no bite "overrun"; the strict "fewer" leaves it so when its last human
    leaves unbitten (5 H + S then equals the level).
    """
    h0 = float(human @ x0)
    if h0 <= 0:
        return None
    if not safe.any():
        return human, overrun_level(h0)
    scale = round(1 / (1 - OVERRUN_FRACTION), 6)  # 5 exactly (1 - 0.8 is not 0.2 in binary)
    return scale * human + safe, h0 + float(safe @ x0)


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

"""Reactions' rate schedules as the engines read them (see scenario/schedule.py).

A piecewise-constant ("steps") factor is constant between the instants where it jumps
(`Scenario.schedule_times`); the engines run each such stretch at constant rates, set by
`step_factors` at its start, which is exact. A sinusoid varies within a stretch: the ode engine
puts `smooth_factors` into its right-hand side, the ssa engine draws it exactly by thinning
(ssa/mixed.py), and the tau engine, which approximates anyway, holds it at its average over
cells of a 96th of its period (`sine_cells`, `cell_factors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["cell_factors", "max_step", "sine_cells", "smooth_factors", "step_factors"]

#: Steps per period of the shortest sinusoid that the ode engine's solver may not exceed.
STEPS_PER_PERIOD = 24


def step_factors(scenario: Scenario, t: float, n: int | None = None) -> np.ndarray:
    """Each reaction's piecewise-constant factor from t on (1 for a reaction without one, or
    with a sinusoid), padded with ones to `n` entries (reactions an engine adds after the
    model's, such as an intervention's)."""
    reactions = scenario.model.reactions
    out = np.ones(len(reactions) if n is None else n)
    for j, r in enumerate(reactions):
        if r.schedule is not None and r.schedule.kind == "steps":
            out[j] = float(r.schedule.factor_at(t))
    return out


def smooth_factors(scenario: Scenario, n: int) -> Callable[[Any], np.ndarray] | None:
    """t -> each of `n` reactions' sinusoid factor at t, shape (n, *t.shape) (1 where none);
    None when no reaction has a sinusoid."""
    sines = [
        (j, r.schedule)
        for j, r in enumerate(scenario.model.reactions)
        if r.schedule is not None and r.schedule.kind == "sinusoid"
    ]
    if not sines:
        return None

    def factors(t: Any) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        out = np.ones((n, *t.shape))
        for j, schedule in sines:
            out[j] = schedule.factor_at(t)
        return out

    return factors


def max_step(scenario: Scenario) -> float:
    """The longest step an adaptive solver may take: a 24th of the shortest sinusoid's period
    (inf without one). The error control alone would let a step grow past a whole cycle while
    the fluxes are tiny (before an outbreak takes off) and miss the cycle altogether."""
    periods = [
        float(r.schedule.period)
        for r in scenario.model.reactions
        if r.schedule is not None and r.schedule.kind == "sinusoid"
    ]
    return min(periods) / STEPS_PER_PERIOD if periods else float("inf")


#: Cells per period in which the tau engine holds a sinusoid factor at its cell average.
CELLS_PER_PERIOD = 96


def sine_cells(scenario: Scenario, horizon: float) -> list[float]:
    """The bounds in (0, horizon) of the cells (a 96th of a period each) of every sinusoid."""
    out: set[float] = set()
    for r in scenario.model.reactions:
        s = r.schedule
        if s is not None and s.kind == "sinusoid":
            width = float(s.period) / CELLS_PER_PERIOD
            n = int(np.ceil(horizon / width))
            out.update(i * width for i in range(1, n) if i * width < horizon)
    return sorted(out)


def cell_factors(scenario: Scenario, t: float, n: int) -> np.ndarray:
    """Each reaction's factor from t on as the tau engine holds it: its step factor, times,
    for a sinusoid, the sinusoid's average over the cell that holds t (so that the rate
    integrated over each whole cell is exact)."""
    out = step_factors(scenario, t, n)
    for j, r in enumerate(scenario.model.reactions):
        s = r.schedule
        if s is not None and s.kind == "sinusoid":
            width = float(s.period) / CELLS_PER_PERIOD
            a = np.floor(t / width + 1e-9) * width
            omega = 2.0 * np.pi / float(s.period)
            peak = 0.0 if s.peak is None else float(s.peak)
            swing = np.sin(omega * (a + width - peak)) - np.sin(omega * (a - peak))
            out[j] = max(s.mean + s.amplitude * swing / (omega * width), 0.0)
    return out

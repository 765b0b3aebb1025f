"""Levels an engine watches during a run: the scenario's thresholds and the humans' overrun.

Each engine finds the crossings its own way (root finding, or checking after every event); what
is watched, and what counts as already crossed at the start, is decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.results.metrics import overrun_watch
from hyosan.scenario.schema import OVERRUN_OF

if TYPE_CHECKING:
    from hyosan.models.network import ReactionNetwork
    from hyosan.scenario.schema import Scenario

__all__ = ["OVERRUN", "Watch", "WatchArrays", "share_crossings", "stopped_at_start", "watches"]

#: Name of the watch on the humans' overrun (never reported as a scenario threshold).
OVERRUN = "__overrun__"


@dataclass
class Watch:
    """A level of a weighted sum of compartments, and the first time it was passed."""

    name: str
    weights: np.ndarray
    level: float
    below: bool
    stop: bool
    t: float | None = None


def watches(scenario: Scenario, net: ReactionNetwork, x0: np.ndarray) -> list[Watch]:
    """The scenario's thresholds, then the overrun (if there are humans), from state x0.

    A level already passed at the start is crossed at t = 0.
    """
    overrun = overrun_watch(net.weights("human"), net.weights("safe"), x0)
    out = []
    for th in scenario.thresholds:
        if th.of == OVERRUN_OF:
            # The run's own overrun, as a threshold (a handoff stops the school there); a run
            # that starts with no human is never overrun: a level no sum falls below.
            weights, level = overrun or (np.zeros(x0.size), -np.inf)
            out.append(Watch(th.name, weights, level, True, th.stop))
            continue
        level = float(th.below if th.below is not None else th.above)  # type: ignore[arg-type]
        out.append(Watch(th.name, net.weights(th.of), level, th.below is not None, th.stop))
    if overrun is not None:
        out.append(Watch(OVERRUN, overrun[0], overrun[1], True, False))
    for w in out:
        v = float(w.weights @ x0)
        if (v < w.level) if w.below else (v > w.level):
            w.t = 0.0
    return out


def share_crossings(watched: list[Watch]) -> None:
    """Give a watch not yet crossed the time of another with the same sum and level that was.

    Two watches of one level (a threshold `of = "overrun"` and the overrun itself) cross at
    the same instant, but a solver that stops at the first (a stopping threshold) need not
    report the root of the second, found apart and a rounding error later.
    """
    for w in watched:
        if w.t is not None:
            continue
        for other in watched:
            if (
                other.t is not None
                and other.level == w.level
                and other.below == w.below
                and np.array_equal(other.weights, w.weights)
            ):
                w.t = other.t
                break


def stopped_at_start(scenario: Scenario, totals: np.ndarray) -> str | None:
    """The first stopping threshold that the compartment totals at the start already pass.

    The kernels watch for crossings as counts change, so a level passed before the first event
    would never stop the run: the engine ends such a run at t = 0 instead.
    """
    from hyosan.models.network import ReactionNetwork

    if not any(th.stop for th in scenario.thresholds):
        return None
    net = ReactionNetwork.from_scenario(scenario)
    return next((w.name for w in watches(scenario, net, totals) if w.stop and w.t == 0.0), None)


@dataclass
class WatchArrays:
    """The watches as arrays for a compiled kernel, which writes `times` as levels are crossed.

    The kernels share one convention (a weighted sum of the counts against a level, nan until
    crossed); this class turns a finished run's arrays back into the Result's figures.
    """

    names: list[str]
    weights: np.ndarray  # (watches, compartments)
    levels: np.ndarray
    below: np.ndarray
    stop: np.ndarray
    times: np.ndarray  # first crossing time, nan until crossed

    @classmethod
    def of(cls, watched: list[Watch], n_compartments: int) -> WatchArrays:
        """The watched levels as arrays for the kernels: one row per watch, one column per
        compartment."""
        return cls(
            names=[w.name for w in watched],
            weights=np.array([w.weights for w in watched], dtype=np.float64).reshape(
                -1, n_compartments
            ),
            levels=np.array([w.level for w in watched], dtype=np.float64),
            below=np.array([w.below for w in watched], dtype=np.bool_),
            stop=np.array([w.stop for w in watched], dtype=np.bool_),
            times=np.array([np.nan if w.t is None else w.t for w in watched], dtype=np.float64),
        )

    def stopper(self, t: float) -> str:
        """The name of the stopping threshold crossed at time t."""
        hit = [
            n for n, s, tw in zip(self.names, self.stop, self.times, strict=True) if s and tw == t
        ]
        return hit[0] if hit else "stopped"

    def figures(self, peak: np.ndarray) -> tuple[dict[str, float | None], dict[str, float | None]]:
        """(threshold crossings, exact figures) given the zombie peak (value, first time)."""

        def t_of(i: int) -> float | None:
            return None if np.isnan(self.times[i]) else float(self.times[i])

        crossings = {n: t_of(i) for i, n in enumerate(self.names) if n != OVERRUN}
        overrun = [t_of(i) for i, n in enumerate(self.names) if n == OVERRUN]
        exact: dict[str, float | None] = {
            "peak_zombies": float(peak[0]),
            "t_peak_zombies_s": float(peak[1]),
            "t_overrun_s": overrun[0] if overrun else None,
        }
        return crossings, exact

"""Levels an engine watches during a run: the scenario's thresholds and the humans' overrun.

Each engine finds the crossings its own way (root finding, or checking after every event); what
is watched, and what counts as already crossed at the start, is decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.results.metrics import overrun_level

if TYPE_CHECKING:
    from hyosan.models.network import ReactionNetwork
    from hyosan.scenario.schema import Scenario

__all__ = ["OVERRUN", "Watch", "watches"]

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
    out = [
        Watch(
            th.name,
            net.weights(th.of),
            float(th.below if th.below is not None else th.above),  # type: ignore[arg-type]
            th.below is not None,
            th.stop,
        )
        for th in scenario.thresholds
    ]
    human_w = net.weights("human")
    humans = float(human_w @ x0)
    if humans > 0:
        out.append(Watch(OVERRUN, human_w, overrun_level(humans), True, False))
    for w in out:
        v = float(w.weights @ x0)
        if (v < w.level) if w.below else (v > w.level):
            w.t = 0.0
    return out

"""Step-by-step views of a building run, for checks that look inside (tests, debugging).

`trace` runs a scenario one engine step at a time and yields copies of what the checks need:
each person's state, room, passage in progress and last passage crossed, and each passage's
barricade hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.engines.base import Recorder, Streams

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["Frame", "trace"]


@dataclass(frozen=True)
class Frame:
    """The run just after one step (or at the start)."""

    t: float
    state: np.ndarray
    room: np.ndarray
    via: np.ndarray
    used: np.ndarray
    hold: np.ndarray
    counts: np.ndarray


def trace(scenario: Scenario, seed: int, horizon: float) -> Iterator[Frame]:
    """Frames at t = 0 and after every step up to `horizon` seconds."""
    from hyosan.engines.agents import AgentsEngine
    from hyosan.engines.agents.building_run import BuildingRun
    from hyosan.errors import EngineError

    engine = AgentsEngine()
    state = engine._setup(scenario, Streams(seed))
    if not isinstance(state, BuildingRun):  # a plain model, well mixed: no rooms to follow
        raise EngineError(f"trace follows people in a building; {scenario.name!r} has none")
    times = np.asarray(scenario.time.output_times())
    recorder = Recorder(times, len(scenario.model.compartments))

    def frame(t: float) -> Frame:
        return Frame(
            t=t,
            state=state.agents.state.copy(),
            room=state.agents.room.copy(),
            via=state.agents.passage.copy(),
            used=state.agents.last_passage.copy(),
            hold=state.passages.hold.copy(),
            counts=engine._counts(state),
        )

    t = 0.0
    yield frame(t)
    while t < horizon - 1e-9:
        t1 = min(horizon, t + state.params.step_s)
        engine._advance(state, t, t1, recorder, False)
        t = t1
        yield frame(t)

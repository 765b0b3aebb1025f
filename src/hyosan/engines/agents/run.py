"""What the agents engine asks of a run: a building run and a well-mixed run answer alike.

`AgentsEngine` (the package) makes one of the two at setup, `BuildingRun` (building_run.py)
for a scenario with people in a building, `MixingRun` (mixing.py) for a plain model, and its
hooks delegate to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from hyosan.engines.base import Outputs, Recorder
    from hyosan.results.epidemic import ReactionCounts
    from hyosan.scenario.schema import Scenario

__all__ = ["AgentsRun"]


class AgentsRun(Protocol):
    """One run of the agents engine, between setup and the Result."""

    stopped_by: str

    def advance(self, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        """Run from t0 to t1, recording; the time reached (before t1 if a threshold stopped it)."""
        ...

    def counts_now(self) -> np.ndarray:
        """The compartments' totals now."""
        ...

    def change_times(self, scenario: Scenario) -> list[float]:
        """When interventions act (none for a well-mixed run)."""
        ...

    def intervene(self, t: float) -> None:
        """Carry out the interventions of time t."""
        ...

    def finish(self) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        """Threshold crossings, exact figures and diagnostics."""
        ...

    def outputs(self) -> Outputs:
        """What the run gives beyond its counts: events, places, survivors, people."""
        ...

    def tally(self) -> np.ndarray | None:
        """How often each reaction has fired so far, if the run counts them as it goes."""
        ...

    def counted_reactions(self, times: np.ndarray, tallies: np.ndarray) -> ReactionCounts:
        """The reactions counted, cumulative at `times`; `tallies` holds `tally()` at those
        times."""
        ...

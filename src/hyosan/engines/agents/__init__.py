"""The agents engine: person by person, in a building, with named characters and a narrative.

A scenario that places people in a `[building]` runs as individuals with traits moving along
the building's graph of rooms and passages (positions are a room plus progress along a
passage). Time advances in fixed steps (`agents.step`, default 5 s), all of them inside one
compiled Numba loop (step.py), each phase of a step a compiled function of its own (phases/).
One step, in order:

1. census: count, per room, zombies, people, the unaware (who talk), the most selfish and the
   most resourceful person; find each group's leader; zombies next door; the loudest sound
   each room hears;
2. turning: the bitten whose time has come turn into zombies, or (a small chance, more after
   many bites, a strong drive or a hybrid's bite) keep their minds and, hours later, become
   hybrids; a zombie's strength and aggression follow its host's;
3. hybrids: hunger grows and may win (an attack on a human, less likely with a friend near);
   animal flesh eases it;
4. zombies sense and choose: people in the room (stay and attack), people next door (seen,
   heard talking, or rarely noticed behind a door), the loudest sound (screams, fights, the
   PA), the last lead for a while, else a slow wander; a barricaded passage is pushed;
5. barricades: threatened people in a room who know of the outbreak (most of them, its most
   resourceful for a while) barricade its doors (`build_time`); a barricade loses hold while
   pushed, breaks at zero, and is repaired when not pushed;
6. people decide: room-wide plans (the PA lure, a move for water, food or a toilet, heading
   for an exit), the PA announcement of the outbreak, then each person: needs, awareness (by
   sight, screams heard through walls and floors, being told, phones; until then they stay in
   class), a bitten altruist leading the horde away,
   archers shooting, fleeing to the room with the fewest zombies or fighting when cornered,
   holding a threatened room, leaving corridors, joining their group, following the plan;
   opening their own barricade to leave or asking to be let in (the selfish may refuse);
7. movement: progress along passages; arrivals through a standing barricade are turned back;
   reaching an exit is an escape;
8. encounters: each zombie may catch someone in its room (faster in small rooms); the hidden
   may go unnoticed, the selfish push another forward, the brave and kind step in, the brave,
   armed or cornered fight (a head blow destroys a zombie), else a bite (neck, body or limb,
   which sets the delay to turning) or, rarely, death; fights and screams are heard;
9. records: counts per compartment at output times (written at the top of the next step, with
   per-room snapshots), the zombie peak and watched levels.

Random numbers come from the run's named streams: `world` (who is who), `movement`, `encounters`,
`bites` and `behaviour` (awareness draws from a child of `behaviour`). A scenario without people
runs the model's reactions on individuals with random mixing instead (mixing.py). Either way the
engine's hooks hand the work to the run made at setup (run.py: `BuildingRun` or `MixingRun`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.agents.actions import SUPPORTED
from hyosan.engines.agents.building_run import DEFAULT_STEP_S, BuildingRun, state_map
from hyosan.engines.agents.state import SOUND_SLOTS
from hyosan.engines.base import Engine, Outputs, Recorder, Streams
from hyosan.errors import EngineError

if TYPE_CHECKING:
    from hyosan.engines.agents.run import AgentsRun
    from hyosan.results.epidemic import ReactionCounts
    from hyosan.scenario.schema import Cull, Scenario

__all__ = ["DEFAULT_STEP_S", "SOUND_SLOTS", "AgentsEngine", "BuildingRun", "state_map"]


class AgentsEngine(Engine):
    """Individuals with traits and behaviour in a building (or well mixed, for plain models)."""

    name = "agents"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "thresholds",
            "agents",
            "record.events",
            *SUPPORTED,
        }
    )

    def __init__(self, *, summary_only: bool = False) -> None:
        #: Leave out the event table and the per-room snapshots, which only a run directory
        #: shows; every figure of `summary()` and the series are the same either way. An
        #: ensemble's worker sets it: it keeps summaries and series and drops the rest.
        self.summary_only = summary_only

    def _setup(self, scenario: Scenario, streams: Streams) -> AgentsRun:
        if not scenario.describes_people:
            from hyosan.engines.agents.mixing import setup_mixing

            return setup_mixing(scenario, streams)
        from hyosan.engines.agents.building_run import setup_building

        return setup_building(scenario, streams, self.summary_only, self.reuse)

    def _advance(
        self, state: AgentsRun, t0: float, t1: float, recorder: Recorder, last: bool
    ) -> float:
        return state.advance(t0, t1, recorder, last)

    def _change_times(self, state: AgentsRun, scenario: Scenario) -> list[float]:
        return state.change_times(scenario)

    def _intervene(self, state: AgentsRun, t: float) -> None:
        state.intervene(t)

    def _apply_cull(self, state: AgentsRun, cull: Cull, fraction: float) -> None:
        raise EngineError("the agents engine does not apply culls")  # "culls" not in supports

    def _counts(self, state: AgentsRun) -> np.ndarray:
        return state.counts_now()

    def _finish(
        self, state: AgentsRun
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        return state.finish()

    def _outputs(self, state: AgentsRun) -> Outputs:
        return state.outputs()

    def _tally(self, state: AgentsRun) -> np.ndarray | None:
        return state.tally()

    def _reactions(
        self, state: AgentsRun, times: np.ndarray, tallies: np.ndarray
    ) -> ReactionCounts:
        return state.counted_reactions(times, tallies)

"""The step loop of a building run: the phases of one step, in order, until the piece ends.

`advance_building` runs steps from t to t_end in one compiled call, recording counts at output
times, per-room snapshots, watched levels and events into arrays the caller owns. Random numbers
come only from the Generators passed in (`Draws`), one per kind of decision, so a seed fixes
the run. The phases are in phases/, one module each, each compiled and cached on its own
(phases/jit.py; every cached kernel is compiled again once any kernel source has changed). The
first run on a machine compiles the phases on two cores at once (precompile.py).
"""

from __future__ import annotations

from hyosan.engines.agents.params import Params
from hyosan.engines.agents.phases.barricades import barricades
from hyosan.engines.agents.phases.census import take_census
from hyosan.engines.agents.phases.encounters import encounters
from hyosan.engines.agents.phases.hybrids import feed_hybrids
from hyosan.engines.agents.phases.jit import compiled
from hyosan.engines.agents.phases.movement import move_along
from hyosan.engines.agents.phases.people import people_choose
from hyosan.engines.agents.phases.records import record, watch_levels
from hyosan.engines.agents.phases.turning import turn_the_bitten
from hyosan.engines.agents.phases.zombies import zombies_choose
from hyosan.engines.agents.state import Agents, Census, Counts, Draws, Passages, Rooms, Sounds
from hyosan.engines.kernel import EventLog, Records, Status, Watched

__all__ = ["EVENTS_PER_STEP", "advance_building"]

#: Room the event log must have, per person, before a step (a step logs fewer events).
EVENTS_PER_STEP = 8


@compiled
def advance_building(
    t: float,
    t_end: float,
    last: bool,
    step_no: int,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    sounds: Sounds,
    census: Census,
    counts: Counts,
    records: Records,
    watched: Watched,
    log: EventLog,
    draws: Draws,
) -> tuple[float, Status, int]:
    """Advance from t to t_end (see the engine's docstring); returns (t, status, step_no).

    Returns early, with `Status.LOG_FULL`, when the event log may not hold another step's
    events, and with `Status.STOPPED` when a stopping level was passed.
    """
    n = agents.state.size
    by_state = counts.by_state
    while True:
        record(t, t_end, last, agents, counts, records)
        if t >= t_end - 1e-9:
            return t, Status.DONE, step_no
        if log.n[0] + EVENTS_PER_STEP * n + 64 > log.t.size:
            return t, Status.LOG_FULL, step_no
        # A step ends early at the end of the piece and at the next output time.
        h = min(p.step_s, t_end - t)
        if records.cursor[0] < records.times.size:
            h = min(h, max(records.times[records.cursor[0]] - t, 1e-9))
        tn = t + h
        step_no += 1

        take_census(t, step_no, p.floor_loss, agents, rooms, passages, sounds, census)
        turn_the_bitten(tn, p, agents, census, by_state, log, draws.bites)
        feed_hybrids(tn, h, step_no, p, agents, rooms, census, by_state, log, draws)
        zombies_choose(t, h, p, agents, rooms, passages, census, draws)
        barricades(tn, h, p, agents, rooms, passages, census, log)
        people_choose(t, tn, h, p, agents, rooms, passages, sounds, census, counts, log, draws)
        z_met = move_along(tn, h, agents, rooms, passages, census, by_state, log)
        encounters(t, tn, h, step_no, z_met, p, agents, rooms, sounds, census, counts, log, draws)

        t = tn
        if watch_levels(t, counts, watched):
            return t, Status.STOPPED, step_no

"""Phase 7, movement: progress along passages; nobody passes a standing barricade.

Who reaches the end of a passage arrives, unless a barricade went up across it on the way
(they are back where they were). Reaching an exit is an escape. The narrative notes named
characters' moves into rooms.
"""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.params import (
    BITTEN,
    DEAD,
    DESTROYED,
    ESCAPED,
    EV_ESCAPE,
    EV_MOVE,
    HUMAN,
    HYBRID,
    ROOM_EXIT,
    ROOM_TRANSIT,
    ZOMBIE,
)
from hyosan.engines.agents.phases.counts import set_state
from hyosan.engines.agents.phases.jit import phase
from hyosan.engines.agents.state import Agents, Census, Passages, Rooms
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["move_along"]


@phase
def move_along(
    tn: float,
    h: float,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    by_state: np.ndarray,
    log: EventLog,
) -> bool:
    """Everyone on a passage moves h seconds along it; whether a zombie arrived where someone
    can be caught (phase 8 then looks at every zombie)."""
    a = agents
    z_met = False
    for i in range(a.state.size):
        if a.passage[i] < 0:
            continue
        s = a.state[i]
        if s in (DEAD, DESTROYED, ESCAPED):
            a.passage[i] = -1
            a.heading_to[i] = -1
            continue
        a.arrives_in[i] -= h
        if a.arrives_in[i] > 0.0:
            continue
        e = a.passage[i]
        q = a.heading_to[i]
        a.passage[i] = -1
        a.heading_to[i] = -1
        if passages.hold[e] > 0.0:
            continue  # a barricade went up on the way: back where they were
        r = a.room[i]
        a.room[i] = q
        a.last_passage[i] = e
        if s == ZOMBIE:
            census.zombies_carried[r] -= 1
            census.zombies_carried[q] += 1
            if census.catchable[q] > 0:
                z_met = True
            if rooms.first_zombie_at[q] < 0:
                rooms.first_zombie_at[q] = tn
        if rooms.kind[q] == ROOM_EXIT:
            if s in (HUMAN, BITTEN, HYBRID):
                set_state(a.state, by_state, i, ESCAPED)
                log_event(log, tn, EV_ESCAPE, i, -1, q, r)
        elif a.named[i] >= 0 and s != ZOMBIE and rooms.kind[q] != ROOM_TRANSIT:
            log_event(log, tn, EV_MOVE, i, -1, q, r)
    return z_met

"""Phase 6b's first part for each person: water and food, and a toilet.

A room's supplies last `supplies` person-hours; without them the need grows to 1 over
`supplies_tolerance` (phase 6a then sends the room for more). Without a toilet, or a makeshift
one, the need of one grows likewise; the room's most resourceful person rigs a makeshift toilet
in a room to hold once someone's need passes half.
"""

from __future__ import annotations

from hyosan.engines.agents.params import EV_TOILET, HYBRID, ROOM_HOLD, Params
from hyosan.engines.agents.phases.jit import inlined
from hyosan.engines.agents.state import Agents, Census, Rooms
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["use_supplies"]


@inlined
def use_supplies(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    census: Census,
    log: EventLog,
    i: int,
    r: int,
) -> None:
    """Person i, in room r, over a step of length h."""
    a = agents
    if rooms.supplies[r] > 0.0:
        rooms.supplies[r] -= h / 3600.0
        a.supplies_need[i] = min(a.supplies_need[i], 0.0)
    else:
        a.supplies_need[i] += h / p.supplies_tolerance
    if rooms.toilet[r] or rooms.makeshift_toilet[r]:
        a.toilet_need[i] = 0.0
        return
    a.toilet_need[i] += h / p.toilet_tolerance
    if (
        a.toilet_need[i] > 0.5
        and rooms.kind[r] == ROOM_HOLD
        and census.most_resourceful[r] >= p.makeshift_toilet
        and a.state[i] != HYBRID
    ):
        rooms.makeshift_toilet[r] = True
        a.toilet_need[i] = 0.0
        who = census.most_resourceful_who[r]
        log_event(log, tn, EV_TOILET, who, -1, r, census.people[r])

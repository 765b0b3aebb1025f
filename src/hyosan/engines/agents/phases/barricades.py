"""Phase 5, barricades: built where people are threatened, pushed, broken, repaired.

People in a room to hold with zombies next door or a sound heard, who know of the outbreak (the
most resourceful person knows; with awareness spreading, for a while, and most of the room)
barricade its doors one at a time: `build_time` for up to
four builders. A barricade holds `hold_time` against one pusher; it loses hold while pushed,
breaks at zero, and is repaired (up to `max_hold`) while not pushed and someone is inside.
"""

from __future__ import annotations

from hyosan.engines.agents.params import EV_BARRICADE, EV_BROKEN, HUMAN, ROOM_HOLD, Params
from hyosan.engines.agents.phases.awareness import ready_to_barricade
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.state import Agents, Census, Passages, Rooms
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["barricades"]


@inlined
def _push_or_repair(
    tn: float, h: float, p: Params, passages: Passages, census: Census, log: EventLog, e: int
) -> None:
    """A standing barricade on passage e: pushed (and maybe broken), or repaired."""
    ps = passages
    s_room = ps.barricaded_from[e]
    if ps.pushers[e] > 0:
        ps.hold[e] -= h * ps.pushers[e] / p.pushers
        if ps.hold[e] <= 0.0:
            ps.hold[e] = 0.0
            ps.progress[e] = 0.0
            other = ps.b[e] if ps.a[e] == s_room else ps.a[e]
            log_event(log, tn, EV_BROKEN, -1, -1, s_room, other)
    elif census.people[s_room] > 0:
        ps.hold[e] = min(p.max_hold, ps.hold[e] + p.repair_rate * h)


@inlined
def _build(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    log: EventLog,
    e: int,
) -> None:
    """Work on a barricade across passage e, from the first of its ends that needs one."""
    ps, c = passages, census
    if tn < ps.passing_until[e]:
        return  # someone let through its barricade is still in the doorway (doors.py)
    for side in range(2):
        s_room = ps.a[e] if side == 0 else ps.b[e]
        if rooms.kind[s_room] != ROOM_HOLD or c.people[s_room] == 0 or c.zombies[s_room] > 0:
            continue
        if c.zombies_next_door[s_room] == 0 and c.loudest_sound[s_room] < 0:
            continue
        # The room must know (awareness.py): its most resourceful person, and, with awareness
        # spreading, most of its people, for a while.
        if not ready_to_barricade(tn, p, agents, c, s_room):
            continue
        who = c.most_resourceful_who[s_room]
        ps.progress[e] += h * min(c.people[s_room], 4) / p.build_time
        if ps.progress[e] >= 1.0:
            ps.progress[e] = 0.0
            ps.hold[e] = p.hold_time
            ps.barricaded_from[e] = s_room
            ps.turned_away[e] = 0
            # The narrative names a named character among the builders, if there is one.
            actor = who
            j = c.first_person[s_room]
            while j >= 0:
                if agents.named[j] >= 0 and agents.state[j] == HUMAN:
                    actor = j
                    break
                j = c.next_person[j]
            log_event(log, tn, EV_BARRICADE, actor, -1, s_room, c.people[s_room])
        return


@phase
def barricades(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    log: EventLog,
) -> None:
    """Barricades go up, lose hold while pushed, break, and are repaired."""
    if p.barricades <= 0.0:
        return
    for e in range(passages.a.size):
        if not passages.can_barricade[e]:
            continue
        if passages.hold[e] > 0.0:
            _push_or_repair(tn, h, p, passages, census, log, e)
        else:
            _build(tn, h, p, agents, rooms, passages, census, log, e)

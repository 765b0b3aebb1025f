"""Phase 4, zombies sense and choose where to go.

In order of preference: people in the room (stay and attack, phase 8); people next door (seen,
heard talking, or rarely noticed behind a door); the loudest sound heard (screams, fights, the
PA); the last lead, for a while (`attention`); else a slow wander. A zombie that wants to pass
a standing barricade pushes it instead (phase 5). Zombies who turned in phase 2 are busy.
"""

from __future__ import annotations

import math

from hyosan.engines.agents.params import ROOM_EXIT, ROOM_TRANSIT, ZOMBIE, Params
from hyosan.engines.agents.phases.census import hushed
from hyosan.engines.agents.phases.daylight import is_dark
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.state import Agents, Census, Draws, Passages, Rooms

__all__ = ["zombies_choose"]


@inlined
def _find_quiet_rooms(rooms: Rooms, passages: Passages, census: Census) -> None:
    """Per room: catchable people next door, and quiet (nothing to sense at all)."""
    ptr = passages.adj_start
    nh = census.catchable
    for r in range(rooms.kind.size):
        near = False
        for k in range(ptr[r], ptr[r + 1]):
            if nh[passages.adj_room[k]] > 0 and passages.zombies_pass[passages.adj_passage[k]]:
                near = True
                break
        census.people_next_door[r] = near
        census.quiet[r] = nh[r] == 0 and not near and census.loudest_sound[r] < 0


@inlined
def _start_along(agents: Agents, passages: Passages, i: int, q: int, e: int, speed: float) -> None:
    """Zombie i sets off along passage e to room q."""
    agents.heading_to[i] = q
    agents.passage[i] = e
    agents.arrives_in[i] = passages.length[e] / speed


@inlined
def _people_next_door(
    p: Params,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    draws: Draws,
    r: int,
    p_class: float,
    p_quiet: float,
) -> tuple[int, int]:
    """The room next door with the most catchable people the zombie senses, and the passage."""
    ps = passages
    nh = census.catchable
    best_q = -1
    best_e = -1
    best_n = 0
    stop = ps.adj_start[r + 1] if census.people_next_door[r] else ps.adj_start[r]
    for k in range(ps.adj_start[r], stop):
        e = ps.adj_passage[k]
        q = ps.adj_room[k]
        if not ps.zombies_pass[e] or nh[q] == 0:
            continue
        seen = False
        if ps.hold[e] > 0.0:
            # Behind a barricade: the noisy are heard, the quiet rarely.
            # A resourceful leader keeps the group still (noise.hush, from noise.hush_from).
            if (census.unaware[q] > 0 and ps.length[e] <= p.hear_talk) or (
                draws.encounters.random() < p_quiet * hushed(p, census, q)
            ):
                seen = True
        elif ps.can_barricade[e] and p.shut_doors > 0.0:
            # A shut door: a class that does not know yet is heard talking now and then; the
            # quiet behind it, rarely (in the dark, more rarely still).
            if (census.unaware[q] > 0 and draws.encounters.random() < p_class) or (
                draws.encounters.random() < p_quiet * p.shut_factor
            ):
                seen = True
        elif (
            census.unaware[q] > 0
            or ps.length[e] <= 15.0
            or rooms.kind[q] == ROOM_TRANSIT
            or draws.encounters.random() < p.p_notice_quiet
        ):
            seen = True
        if seen and nh[q] > best_n:
            best_n = nh[q]
            best_q = q
            best_e = e
    return best_q, best_e


@inlined
def _wander(rooms: Rooms, passages: Passages, draws: Draws, r: int) -> tuple[int, int]:
    """A random neighbour of room r and the passage to it, if zombies may go there; else -1."""
    ps = passages
    deg = ps.adj_start[r + 1] - ps.adj_start[r]
    if deg > 0:
        k = ps.adj_start[r] + int(draws.movement.random() * deg)
        e = ps.adj_passage[k]
        q = ps.adj_room[k]
        if ps.zombies_pass[e] and rooms.kind[q] != ROOM_EXIT:
            return q, e
    return -1, -1


@inlined
def _choose(
    t: float,
    p_wander: float,
    p_class: float,
    p_quiet: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    draws: Draws,
    i: int,
) -> None:
    """Zombie i, in a room that is not quiet or with a lead: where it goes, or what it pushes."""
    a, ps = agents, passages
    r = a.room[i]
    # A zombie that has had nothing to chase for `interest` has lost it: it no longer notices
    # the quiet behind doors (a class still talking, or a sound, draws it again).
    calm = t - a.lead_since[i] > p.interest
    best_q, best_e = _people_next_door(
        p, rooms, ps, census, draws, r, p_class, 0.0 if calm else p_quiet
    )
    target = -1
    edge = -1
    wander = False
    if best_q >= 0:
        a.lead_room[i] = best_q
        a.lead_since[i] = t
        target = best_q
        edge = best_e
    elif census.loudest_sound[r] >= 0:
        s_room = census.loudest_sound[r]
        if s_room != r and ps.zombie_hop[r, s_room] >= 0:
            target = ps.zombie_hop[r, s_room]
            edge = ps.zombie_hop_passage[r, s_room]
        a.lead_room[i] = -1
        a.lead_since[i] = t
    elif a.lead_room[i] >= 0 and t - a.lead_since[i] < p.attention:
        lead = a.lead_room[i]
        if lead != r and ps.zombie_hop[r, lead] >= 0:
            target = ps.zombie_hop[r, lead]
            edge = ps.zombie_hop_passage[r, lead]
        else:
            a.lead_room[i] = -1
    elif draws.movement.random() < p_wander:
        target, edge = _wander(rooms, ps, draws, r)
        wander = True
    if target < 0 or rooms.kind[target] == ROOM_EXIT:
        return
    if ps.hold[edge] > 0.0:
        if ps.barricaded_from[edge] != r and not wander:
            ps.pushers[edge] += 1
    else:
        _start_along(a, ps, i, target, edge, p.zombie_speed)


@phase
def zombies_choose(
    t: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    draws: Draws,
) -> None:
    """Each zombie at rest senses and chooses: stays, sets off, or pushes a barricade."""
    a, ps = agents, passages
    ps.pushers[:] = 0
    # Most steps after the overrun are hundreds of idle zombies: the wander chance is the same
    # for all of them (computed once, the same double), and a zombie whose room has no passable
    # neighbour holding a person need not scan its neighbours (that scan draws only for such
    # neighbours, so skipping it leaves the random streams as they were).
    p_wander = 1.0 - math.exp(-p.wander_rate * h)
    p_class = 1.0 - math.exp(-p.hear_class_rate * h)
    p_quiet = p.p_notice_quiet * (p.dark_sight if is_dark(t, p) else 1.0)
    _find_quiet_rooms(rooms, ps, census)
    zl = census.zombie_list
    for kz in range(census.lists[0]):
        i = zl[kz]
        if a.state[i] != ZOMBIE or a.passage[i] >= 0 or a.busy_until[i] > t:
            continue
        r = a.room[i]
        if census.quiet[r] and (a.lead_room[i] < 0 or t - a.lead_since[i] >= p.attention):
            # Nobody here or next door, no sound, no lead: wander, or stay (the common case
            # after the overrun, taken first; the same draws as in _choose).
            if draws.movement.random() >= p_wander:
                continue
            q, e = _wander(rooms, ps, draws, r)
            if q >= 0 and ps.hold[e] <= 0.0:
                _start_along(a, ps, i, q, e, p.zombie_speed)
            continue
        if census.catchable[r] > 0:
            a.lead_room[i] = r
            a.lead_since[i] = t
            continue
        _choose(t, p_wander, p_class, p_quiet, p, a, rooms, ps, census, draws, i)

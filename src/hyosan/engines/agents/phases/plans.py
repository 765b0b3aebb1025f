"""Phase 6a, room-wide plans: the PA lure, a move for water, food or a toilet, an exit.

A room's plans are made by its most resourceful person, once they know of the outbreak, in a
room free of zombies: work the PA to pull the zombies next door to the speakers; when they need
water and food (or a toilet), send everyone to the nearest room to hold that has them; when
calm, now and then, head for the nearest exit. Phase 6b's people follow the room's goal.
"""

from __future__ import annotations

import math

from hyosan.engines.agents.params import (
    COURAGE,
    EV_LURE,
    EV_SUPPLIES,
    LURE_PA,
    LURE_PHONE,
    ROOM_EXIT,
    ROOM_HOLD,
    Params,
)
from hyosan.engines.agents.phases.census import hushed
from hyosan.engines.agents.phases.daylight import is_dark
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.phases.sounds import add_sound
from hyosan.engines.agents.state import Agents, Census, Draws, Passages, Rooms, Sounds
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["NIGHT_PREFERENCE", "nearest_exit", "plan_rooms"]

#: How much likelier a calm group is to head for an exit in an hour of dark than of daylight.
NIGHT_PREFERENCE = 4.0


@inlined
def _passes(passages: Passages, r: int, q: int, room: int) -> bool:
    """Whether the people's way from room r to room q enters `room` (q included)."""
    h = r
    while h != q:
        h = passages.people_hop[h, q]
        if h < 0:
            return False
        if h == room:
            return True
    return False


@inlined
def _nearest_with_needs(
    rooms: Rooms, passages: Passages, census: Census, r: int, toilet: bool, refused: int
) -> int:
    """The nearest room to hold, free of zombies, with a toilet (or supplies), or -1; none
    whose way leads into `refused`, the room that turned the group's leader away, while
    anyone is still in it (they would be turned away at its door again, come back, and set
    off again, step after step)."""
    dist = passages.people_distance
    avoid = refused >= 0 and census.people[refused] > 0
    best = -1
    best_d = 1e300
    for q in range(rooms.kind.size):
        if q == r or dist[r, q] < 0 or census.zombies[q] > 0 or rooms.kind[q] != ROOM_HOLD:
            continue
        if avoid and _passes(passages, r, q, refused):
            continue
        ok = rooms.toilet[q] if toilet else rooms.supplies[q] > 1.0
        if ok and dist[r, q] < best_d:
            best_d = dist[r, q]
            best = q
    return best


@inlined
def barricade_failing(passages: Passages, r: int, retreat_at: float) -> bool:
    """Whether a barricade room r holds is being pushed and has under `retreat_at` left
    (inf: is being pushed at all)."""
    ps = passages
    for k in range(ps.adj_start[r], ps.adj_start[r + 1]):
        e = ps.adj_passage[k]
        if 0.0 < ps.hold[e] < retreat_at and ps.pushers[e] > 0 and ps.barricaded_from[e] == r:
            return True
    return False


@inlined
def _way_out(rooms: Rooms, passages: Passages, census: Census, r: int) -> int:
    """The nearest room to hold, free of zombies, that the people of room r can set off for
    by a passage nobody pushes into a place with no zombies (a window, a hose, a back door);
    -1 if there is none."""
    ps = passages
    best = -1
    best_d = 1e300
    for q in range(rooms.kind.size):
        d = ps.people_distance[r, q]
        if q == r or d < 0 or d >= best_d or rooms.kind[q] != ROOM_HOLD or census.zombies[q] > 0:
            continue
        e = ps.people_hop_passage[r, q]
        if e < 0 or ps.pushers[e] > 0 or census.zombies[ps.people_hop[r, q]] > 0:
            continue
        best = q
        best_d = d
    return best


@inlined
def nearest_exit(rooms: Rooms, passages: Passages, r: int) -> int:
    """The nearest exit people can reach from room r, or -1."""
    dist = passages.people_distance
    best = -1
    best_d = 1e300
    for q in range(rooms.kind.size):
        if rooms.kind[q] == ROOM_EXIT and dist[r, q] >= 0 and dist[r, q] < best_d:
            best_d = dist[r, q]
            best = q
    return best


@inlined
def _aside(passages: Passages, census: Census, r: int, goal: int, reach: float) -> int:
    """Where a group in room r leaving for `goal` sets a phone ringing: the room farthest from
    r that the zombies on its first hop still hear (within `reach` of it, along the ways),
    that lies off the group's way (going by it would be longer) and that nobody holds (a
    phone would bring the zombies to them); -1 if there is none."""
    ps = passages
    dist = ps.people_distance
    h1 = ps.people_hop[r, goal]
    if h1 < 0 or h1 == goal:
        return -1
    best = -1
    best_d = dist[r, h1]
    for q in range(dist.shape[0]):
        near = dist[h1, q]
        if q in (r, goal) or near < 0.0 or near > reach or dist[r, q] <= best_d:
            continue
        if census.people[q] > 0:
            continue
        if dist[q, goal] < 0.0 or dist[r, q] + dist[q, goal] <= dist[r, goal] + 1.0:
            continue  # on the way (or beyond reach of the goal): it would draw them onto it
        best_d = dist[r, q]
        best = q
    return best


@inlined
def _phone_lure(
    t: float, tn: float, p: Params, rooms: Rooms, passages: Passages, census: Census,
    sounds: Sounds, log: EventLog, r: int, who: int, goal: int, need: float,
) -> bool:  # fmt: skip
    """A group about to leave room r for `goal` past zombies next door: set a phone ringing
    off the way, then wait while zombies are still next door, unless desperate (`need` 1.5).
    True while the group waits."""
    if t < rooms.pa_ready_at[r]:
        # A phone rang lately: the zombies next door have not all gone to it yet.
        return need < 1.5
    q = _aside(passages, census, r, goal, p.hear_loud)
    if q < 0:
        return False
    rooms.pa_ready_at[r] = t + p.lure_cooldown
    add_sound(sounds, q, p.hear_loud, t + p.lure_duration)
    log_event(log, tn, EV_LURE, who, -1, q, LURE_PHONE)
    return True


# Compiled on its own (not pasted into people_choose), so that the two processes of a first
# run compile it and people_choose at the same time (precompile.py); it runs once a step.
@phase
def plan_rooms(
    t: float,
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    sounds: Sounds,
    census: Census,
    log: EventLog,
    draws: Draws,
) -> None:
    """Each room's plan for this step: `census.room_goal`, the PA lure and the phone lure."""
    a, c = agents, census
    for r in range(rooms.kind.size):
        who = c.most_resourceful_who[r]
        if who < 0 or c.people[r] == 0 or c.zombies[r] > 0 or rooms.kind[r] == ROOM_EXIT:
            if c.people[r] == 0:
                rooms.supplies_goal[r] = -1  # whoever comes next decides afresh
            continue
        if a.aware[who] == 0:
            continue
        # A group in hiding cannot stay silent: a phone rings, someone cries, a quarrel
        # flares, and zombies within earshot come. Quarrels and panic go with the pairs of
        # people crowded in, so a class of 25 is found far sooner than a group of five; the
        # groups that last are those that learned to keep still, and a resourceful leader
        # keeps them still sooner (times 1 - their resourcefulness).
        pairs = 0.5 * c.people[r] * (c.people[r] - 1)
        if p.noise > 0.0 and rooms.kind[r] == ROOM_HOLD and pairs > 0.0:
            settled = math.exp(-(t - max(a.aware_at[who], 0.0)) / p.noise_settles)
            rate = p.noise * pairs * settled * (1.0 - c.most_resourceful[r])
            if draws.behaviour.random() < 1.0 - math.exp(-rate * h):
                add_sound(sounds, r, p.hear_loud, t + p.sound_duration)
        threatened = c.zombies_next_door[r] > 0
        # A barricade about to give way: the group leaves by another way while it can.
        failing = (
            p.retreat_at > 0.0
            and threatened
            and rooms.kind[r] == ROOM_HOLD
            and barricade_failing(passages, r, p.retreat_at)
        )
        if failing:
            way = _way_out(rooms, passages, c, r)
            if way >= 0:
                c.room_goal[r] = way
                continue
        # The PA lure: the resourceful pull the zombies off their door to the speakers.
        if (
            p.lure > 0.0
            and rooms.pa[r]
            and threatened
            and c.most_resourceful[r] >= p.lure_resourcefulness
            and t >= rooms.pa_ready_at[r]
        ):
            rooms.pa_ready_at[r] = t + p.lure_cooldown
            for q in range(rooms.kind.size):
                if rooms.speaker[q]:
                    add_sound(sounds, q, p.pa_radius, t + p.lure_duration)
            log_event(log, tn, EV_LURE, who, -1, r, LURE_PA)
        need = max(a.supplies_need[who], a.toilet_need[who])
        # Only a room people hold makes plans: in a corridor or outside nobody follows the
        # room's goal (they move on to the safest room beside it), so a decision there was
        # logged on every arrival and never taken.
        if p.supplies > 0.0 and need >= 1.0 and rooms.kind[r] == ROOM_HOLD:
            if p.night_moves > 0.0 and need < 1.5 and not is_dark(t, p):
                continue  # wait for the dark, when the zombies see poorly
            toilet = a.toilet_need[who] >= 1.0 and a.supplies_need[who] < 1.0
            best = _nearest_with_needs(rooms, passages, c, r, toilet, a.refused_by[who])
            if (
                best >= 0
                and p.lure_phones > 0.0
                and threatened
                and c.most_resourceful[r] >= p.lure_resourcefulness
                and _phone_lure(t, tn, p, rooms, passages, c, sounds, log, r, who, best, need)
            ):
                continue  # the phone rings first; they set off once the zombies have gone
            if best >= 0:
                # One event per decision to go, not per step while the group waits to get
                # through, nor each time the nearest place to find what it needs changes.
                if a.named[who] >= 0 and rooms.supplies_goal[r] < 0:
                    log_event(log, tn, EV_SUPPLIES, who, -1, r, best)
                rooms.supplies_goal[r] = best
                c.room_goal[r] = best
            continue
        rooms.supplies_goal[r] = -1  # nothing needed now: the next need is a new decision
        if not threatened and p.exits > 0.0 and rooms.kind[r] == ROOM_HOLD:
            bold = a.traits[who, COURAGE] >= p.exit_courage
            rate = p.exit_rate * (2.0 if bold else 1.0)
            if p.exit_crowd > 0.0:
                # A crowded class, without water or a toilet and with no end in sight, makes a
                # run for it sooner, unless a resourceful leader keeps it still; a handful in
                # hiding keep still longer.
                rate *= max(c.people[r] / p.exit_crowd * hushed(p, c, r), 1.0)
            if p.night_moves > 0.0 and is_dark(t, p):
                rate *= NIGHT_PREFERENCE  # groups would rather head out in the dark
            if draws.behaviour.random() < 1.0 - math.exp(-rate * h):
                c.room_goal[r] = nearest_exit(rooms, passages, r)

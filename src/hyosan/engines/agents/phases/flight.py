"""Phase 6b with zombies in the room: archers shoot, the rest flee or, cornered, stand.

An archer (weapon trait at least `archer_skill`) shoots at the room's lowest-numbered zombie
and stays while two zombies or fewer are left. Others flee to the neighbour with the fewest
zombies (ties broken at random, corridors a little less liked), unless no neighbour has fewer
than here: then they are cornered, and fight harder in phase 8.
"""

from __future__ import annotations

import math

import numpy as np

from hyosan.engines.agents.params import (
    DESTROYED,
    EV_KILL,
    ROOM_TRANSIT,
    SPEED,
    WEAPON,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.phases.census import full
from hyosan.engines.agents.phases.counts import set_state
from hyosan.engines.agents.phases.jit import inlined
from hyosan.engines.agents.phases.plans import nearest_exit
from hyosan.engines.agents.state import Agents, Census, Draws, Passages, Rooms
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["flee_or_fight"]


@inlined
def _shoot(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    census: Census,
    by_state: np.ndarray,
    log: EventLog,
    draws: Draws,
    i: int,
    r: int,
) -> None:
    """Archer i shoots at the lowest-numbered zombie of room r."""
    c = census
    if c.lowest_zombie[r] < 0:
        # The lowest-numbered zombie in the room at the census (rooms change only in phase 7;
        # the zombie list still holds any destroyed since).
        for kz in range(c.lists[0]):
            if agents.room[c.zombie_list[kz]] == r:
                c.lowest_zombie[r] = c.zombie_list[kz]
                break
    if draws.behaviour.random() < (1.0 - math.exp(-p.shot_rate * h)) * p.p_headshot:
        z = c.lowest_zombie[r]
        if agents.state[z] == ZOMBIE:
            set_state(agents.state, by_state, z, DESTROYED)
            c.zombies[r] -= 1
            c.zombies_carried[r] -= 1
            c.lists[3] = 1
            log_event(log, tn, EV_KILL, i, z, r, 1)


@inlined
def _flee(
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    draws: Draws,
    i: int,
    r: int,
    z_here: int,
) -> tuple[int, int, float]:
    """Where person i flees from room r (-1 if nowhere: cornered), the passage and the speed."""
    ps = passages
    best_q = -1
    best_e = -1
    best_s = 1e300
    for k in range(ps.adj_start[r], ps.adj_start[r + 1]):
        e = ps.adj_passage[k]
        q = ps.adj_room[k]
        if ps.one_way[e] and ps.a[e] != r:
            continue
        if ps.hold[e] > 0.0 and ps.barricaded_from[e] != q:
            continue
        if agents.refused_by[i] == q or full(rooms, census, q):
            continue
        score = 10.0 * census.zombies[q] + census.zombies_next_door[q] + draws.movement.random()
        if rooms.kind[q] == ROOM_TRANSIT:
            score += 0.5
        if score < best_s:
            best_s = score
            best_q = q
            best_e = e
    if best_q >= 0 and census.zombies[best_q] < z_here:
        if p.flee_to_gates > 0.0 and rooms.kind[best_q] == ROOM_TRANSIT:
            # Out in the corridor, they keep running: for the gates, if there are any.
            agents.goal[i] = nearest_exit(rooms, passages, best_q)
        return best_q, best_e, agents.traits[i, SPEED]
    agents.cornered[i] = 1
    return -1, -1, 0.0


@inlined
def flee_or_fight(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    by_state: np.ndarray,
    log: EventLog,
    draws: Draws,
    i: int,
    r: int,
    z_here: int,
) -> tuple[int, int, float]:
    """Person i with `z_here` zombies in room r: where they go (-1: stay), passage, speed."""
    agents.goal[i] = -1
    if p.fighting > 0.0 and agents.traits[i, WEAPON] >= p.archer_skill:
        _shoot(tn, h, p, agents, census, by_state, log, draws, i, r)
        if census.zombies[r] <= 2:
            return -1, -1, 0.0
    if p.flee > 0.0:
        return _flee(p, agents, rooms, passages, census, draws, i, r, z_here)
    agents.cornered[i] = 1
    return -1, -1, 0.0

"""Phase 1, the census: who is where, per room; group leaders; zombies next door; sounds heard.

The zombies and the people (human, bitten, hybrid), each in rising index order, and the zombies
per room are carried from step to step: after the overrun nearly everyone is a zombie or gone,
and scanning the whole population every step, several times, for a few survivors was most of a
run's cost. People only ever leave their set, so that list is filtered here; zombies join theirs
only by turning, which marks both lists stale (rebuilt here from a full scan), and leave it only
when destroyed, which marks the zombie list for filtering. `zombies_carried` follows every
zombie's arrival and end; the census takes it as this step's count.
"""

from __future__ import annotations

from hyosan.engines.agents.params import (
    BITTEN,
    HUMAN,
    HYBRID,
    RESOURCE,
    ROOM_HOLD,
    SELFISH,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.phases.sounds import heard
from hyosan.engines.agents.state import Agents, Census, Passages, Rooms, Sounds

__all__ = ["full", "hushed", "take_census"]


@inlined
def full(rooms: Rooms, census: Census, q: int) -> bool:
    """Whether room q, a room people hold, has no space for one more: its capacity less those in
    it and those who set off for it this step (not those still in its doorway from the step
    before: a door takes a step or two to cross, so a room may take a few over). Corridors,
    stairs and exits are never full."""
    return rooms.kind[q] == ROOM_HOLD and census.people[q] + census.arriving[q] >= rooms.holds[q]


@inlined
def hushed(p: Params, census: Census, r: int) -> float:
    """How restless room r's group is, 1 at most: a resourceful leader (from `noise.hush_from`)
    keeps it still, so that zombies behind the door notice it, and it makes a run for an
    exit, less often (times 1 - `noise.hush` at resourcefulness 1)."""
    lead = (census.most_resourceful[r] - p.hush_from) / (1.0 - p.hush_from)
    return 1.0 - p.hush * min(max(lead, 0.0), 1.0)


@inlined
def _list_zombies_and_people(agents: Agents, census: Census) -> None:
    """Bring the carried lists up to date: rebuilt, or filtered of those who left them."""
    st, zl, pl, lists, nzc = (
        agents.state,
        census.zombie_list,
        census.people_list,
        census.lists,
        census.zombies_carried,
    )
    if lists[2] != 0:
        nzl = 0
        npl = 0
        nzc[:] = 0
        for i in range(st.size):
            s = st[i]
            if s == ZOMBIE:
                zl[nzl] = i
                nzl += 1
                nzc[agents.room[i]] += 1
            elif s in (HUMAN, BITTEN, HYBRID):
                pl[npl] = i
                npl += 1
        lists[0] = nzl
        lists[2] = 0
        lists[3] = 0
    else:
        nzl = lists[0]
        if lists[3] != 0:
            m = 0
            for k in range(nzl):
                if st[zl[k]] == ZOMBIE:
                    zl[m] = zl[k]
                    m += 1
            lists[0] = m
            lists[3] = 0
        npl = 0
        for k in range(lists[1]):
            if st[pl[k]] in (HUMAN, BITTEN, HYBRID):
                pl[npl] = pl[k]
                npl += 1
    lists[1] = npl


@inlined
def _count_people(step_no: int, agents: Agents, census: Census) -> None:
    """Per room: people, the catchable, the unaware, the most selfish and resourceful."""
    c = census
    st, tr = agents.state, agents.traits
    c.catchable[:] = 0
    c.people[:] = 0
    c.arriving[:] = 0
    c.unaware[:] = 0
    c.most_selfish[:] = -1.0
    c.most_selfish_who[:] = -1
    c.most_resourceful[:] = -1.0
    c.most_resourceful_who[:] = -1
    c.first_person[:] = -1
    c.room_goal[:] = -1
    c.surprise[:] = False
    c.leader[:] = -1
    for r in range(c.zombies.size):
        c.zombies[r] = c.zombies_carried[r]
    c.lowest_zombie[:] = -1  # the lowest zombie in each room, found when an archer asks
    pl = c.people_list
    for kp in range(c.lists[1] - 1, -1, -1):  # falling: the lowest index ends first per list
        i = pl[kp]
        s = st[i]
        r = agents.room[i]
        c.people[r] += 1
        c.next_person[i] = c.first_person[r]
        c.first_person[r] = i
        if s == HUMAN or (s == BITTEN and agents.bitten_step[i] == step_no):
            c.catchable[r] += 1
        if agents.aware[i] == 0:
            c.unaware[r] += 1
        if s != HYBRID:
            if tr[i, SELFISH] > c.most_selfish[r]:
                c.most_selfish[r] = tr[i, SELFISH]
                c.most_selfish_who[r] = i
            if tr[i, RESOURCE] > c.most_resourceful[r]:
                c.most_resourceful[r] = tr[i, RESOURCE]
                c.most_resourceful_who[r] = i
            c.leader[agents.group[i]] = i  # ends as the lowest index of the group


@inlined
def _hear(t: float, floor_loss: float, rooms: Rooms, sounds: Sounds, census: Census) -> None:
    """The loudest sound each room hears (a few sounds at most; usually none)."""
    best_room = census.loudest_sound
    best_room[:] = -1
    n_active = 0
    for k in range(sounds.room.size):
        if sounds.ends[k] > t and sounds.room[k] >= 0:
            n_active += 1
    if n_active == 0:
        return
    for r in range(best_room.size):
        best = 0.0
        for k in range(sounds.room.size):
            if sounds.ends[k] > t and sounds.room[k] >= 0:
                loud = sounds.radius[k] - heard(rooms, floor_loss, r, sounds.room[k])
                if loud > best:
                    best = loud
                    best_room[r] = sounds.room[k]


@phase
def take_census(
    t: float,
    step_no: int,
    floor_loss: float,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    sounds: Sounds,
    census: Census,
) -> None:
    """Count, per room, zombies, people, the unaware (who talk), the most selfish and the most
    resourceful person; find each group's leader; zombies next door; the loudest sound heard."""
    _list_zombies_and_people(agents, census)
    _count_people(step_no, agents, census)
    ptr, adj = passages.adj_start, passages.adj_room
    for r in range(rooms.kind.size):
        th = 0
        for k in range(ptr[r], ptr[r + 1]):
            th += census.zombies[adj[k]]
        census.zombies_next_door[r] = th
    _hear(t, floor_loss, rooms, sounds, census)

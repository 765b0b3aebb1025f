"""Phase 6, people decide: room-wide plans (plans.py), then each person in turn.

Each person: needs (needs.py); awareness (awareness.py: the PA announcement, then each
unaware person may learn; panic: the frightened run outside at once);
then, if aware and not busy or on their way: a hybrid keeps to or away from people; a bitten
altruist leads the horde away, shouting; with zombies in the room, archers shoot and the rest
flee or are cornered (flight.py); else they slip into a hiding place beside a threatened room
(`behaviour.cover`) or hold it, leave a corridor, join their group's leader or follow the
room's plan (when the plan is a run for the exits, the timid may stay behind: the group
splits). A room people hold takes nobody beyond its capacity (census.full): who would walk or
flee in waits or goes elsewhere. Setting off through a barricade opens it, or they are refused
(doors.py).
"""

from __future__ import annotations

import math

from hyosan.engines.agents.params import (
    ALTRUISM,
    BITTEN,
    COURAGE,
    EV_SACRIFICE,
    EV_SPLIT,
    HUMAN,
    HYBRID,
    ROOM_EXIT,
    ROOM_HOLD,
    ROOM_TRANSIT,
    SELFISH,
    SPEED,
    Params,
)
from hyosan.engines.agents.phases.awareness import announce, learns, share_aware
from hyosan.engines.agents.phases.census import full
from hyosan.engines.agents.phases.doors import set_off
from hyosan.engines.agents.phases.flight import flee_or_fight
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.phases.needs import use_supplies
from hyosan.engines.agents.phases.plans import barricade_failing, nearest_exit, plan_rooms
from hyosan.engines.agents.phases.sounds import add_sound
from hyosan.engines.agents.state import Agents, Census, Counts, Draws, Passages, Rooms, Sounds
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["people_choose"]


@inlined
def _notice(
    t: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    draws: Draws,
    school: float,
    i: int,
    r: int,
) -> bool:
    """The unaware may learn of the outbreak (awareness.py); the frightened panic.

    Whether person i was taken by surprise: someone turned beside them this step, and they
    freeze.
    """
    if agents.aware[i] != 0 or not learns(h, p, rooms, census, school, r, draws.awareness):
        return False
    agents.aware[i] = 1
    agents.aware_at[i] = t
    # Panic: the frightened run at once for the gates (else outside), in the first chaos.
    chance = min(1.0, p.panic * 2.0 * (1.0 - agents.traits[i, COURAGE]))
    if rooms.nearest_outside[r] >= 0 and draws.behaviour.random() < chance:
        gate = nearest_exit(rooms, passages, r) if p.panic_to_gates > 0.0 else -1
        agents.goal[i] = gate if gate >= 0 else rooms.nearest_outside[r]
    return census.surprise[r]


@inlined
def _hybrid_walks(
    p: Params, agents: Agents, rooms: Rooms, passages: Passages, census: Census, i: int, r: int
) -> None:
    """Hybrids walk among zombies; the hungry either hunt or keep away from people."""
    a, ps, nh = agents, passages, census.catchable
    if a.hunger[i] <= p.hunger_threshold:
        return
    want_people = a.traits[i, SELFISH] >= 0.5
    for k in range(ps.adj_start[r], ps.adj_start[r + 1]):
        q = ps.adj_room[k]
        e = ps.adj_passage[k]
        if rooms.kind[q] == ROOM_EXIT or ps.hold[e] > 0.0:
            continue
        if (want_people and nh[q] > 0) or (not want_people and nh[r] > 0 and nh[q] == 0):
            a.heading_to[i] = q
            a.passage[i] = e
            a.arrives_in[i] = ps.length[e] / (a.traits[i, SPEED] * 1.2)
            return


@inlined
def _lead_away(
    t: float,
    tn: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    sounds: Sounds,
    census: Census,
    log: EventLog,
    draws: Draws,
    i: int,
    r: int,
) -> bool:
    """A bitten altruist leaves the group, shouting, so the horde follows away from it.

    Whether person i does (and so does nothing else this step).
    """
    a, ps = agents, passages
    people_here = census.people[r]
    if (
        a.sacrificing[i] == 0
        and people_here > 1
        and a.traits[i, ALTRUISM] >= p.sacrifice_altruism
        and a.traits[i, COURAGE] >= p.sacrifice_courage
    ):
        a.sacrificing[i] = 1
        log_event(log, tn, EV_SACRIFICE, i, i, r, 0)
    if a.sacrificing[i] != 1:
        return False
    add_sound(sounds, r, p.hear_loud, t + p.sound_duration)
    deg = ps.adj_start[r + 1] - ps.adj_start[r]
    if deg > 0 and (people_here > 1 or draws.movement.random() < 0.2):
        k = ps.adj_start[r] + int(draws.movement.random() * deg)
        e = ps.adj_passage[k]
        if (
            ps.hold[e] == 0.0
            and rooms.kind[ps.adj_room[k]] != ROOM_EXIT
            and not (ps.one_way[e] and ps.a[e] != r)
        ):
            a.heading_to[i] = ps.adj_room[k]
            a.passage[i] = e
            a.arrives_in[i] = ps.length[e] / a.traits[i, SPEED]
    return True


@inlined
def _leave_corridor(
    agents: Agents, rooms: Rooms, passages: Passages, census: Census, draws: Draws, i: int, r: int
) -> None:
    """Nobody lingers in a corridor: into the safest room next to it."""
    ps = passages
    best_s = 1e300
    for k in range(ps.adj_start[r], ps.adj_start[r + 1]):
        q = ps.adj_room[k]
        e = ps.adj_passage[k]
        if ps.one_way[e] and ps.a[e] != r:
            continue
        if agents.refused_by[i] == q or rooms.kind[q] == ROOM_EXIT:
            continue
        score = 10.0 * census.zombies[q] + census.zombies_next_door[q] + draws.movement.random()
        if rooms.kind[q] == ROOM_TRANSIT:
            score += 3.0
        if score < best_s:
            best_s = score
            agents.goal[i] = q


@inlined
def _cover(
    p: Params, agents: Agents, rooms: Rooms, passages: Passages, census: Census, i: int, r: int
) -> tuple[int, int]:
    """A hiding place beside room r that person i can slip into (-1 if none) and the passage.

    Better hidden than r, at least `p.cover`, no zombie in it, a door not barricaded against
    them, and not full."""
    ps = passages
    for k in range(ps.adj_start[r], ps.adj_start[r + 1]):
        q = ps.adj_room[k]
        e = ps.adj_passage[k]
        if rooms.hiding[q] < p.cover or rooms.hiding[q] <= rooms.hiding[r]:
            continue
        if ps.one_way[e] and ps.a[e] != r:
            continue
        if ps.hold[e] > 0.0 and ps.barricaded_from[e] != r:
            continue
        if census.zombies[q] > 0 or agents.refused_by[i] == q:
            continue
        if full(rooms, census, q):
            continue
        return q, e
    return -1, -1


@inlined
def _stays_behind(
    tn: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    census: Census,
    log: EventLog,
    i: int,
    r: int,
) -> bool:
    """The group splits: when room r heads calmly for an exit behind a leader with `exit_split`
    courage or more, person i stays behind, hiding, if they have less. Whether they stay.

    A leader as timid as they are takes the whole room, as without the rule: those who stayed
    behind go later, together, when one of them decides it is time.
    """
    goal = census.room_goal[r]
    who = census.most_resourceful_who[r]
    courage = agents.traits[:, COURAGE]
    if (
        p.exit_split <= 0.0
        or rooms.kind[goal] != ROOM_EXIT
        or courage[i] >= p.exit_split
        or courage[who] < p.exit_split
    ):
        return False
    agents.parted[i] = 1
    log_event(log, tn, EV_SPLIT, i, who, r, goal)
    return True


@inlined
def _calm_move(
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    census: Census,
    log: EventLog,
    draws: Draws,
    i: int,
    r: int,
) -> tuple[int, int, float]:
    """Person i with no zombie in room r: where they go (-1: stay), the passage, the speed."""
    a, c = agents, census
    threatened = c.zombies_next_door[r] > 0 or c.loudest_sound[r] >= 0
    if (
        c.room_goal[r] >= 0
        and rooms.kind[r] != ROOM_TRANSIT
        and not _stays_behind(tn, p, a, rooms, c, log, i, r)
    ):
        a.goal[i] = c.room_goal[r]
    # Someone on their way (the room's plan, an exit) keeps going, or waits for the way to
    # clear: ducking into a hiding place beside would undo the step they just took, and a
    # group whose way out runs through a threatened room would go back and forth for good.
    on_way = a.goal[i] >= 0 and a.goal[i] != r
    if threatened and p.cover > 0.0 and rooms.kind[r] == ROOM_HOLD and not on_way:
        q, e = _cover(p, a, rooms, passages, c, i, r)
        if q >= 0:
            a.goal[i] = -1
            return q, e, a.traits[i, SPEED]
    if threatened and rooms.kind[r] == ROOM_HOLD and a.goal[i] < 0:
        return -1, -1, 0.0  # hold the room: barricades go up in phase 5
    if a.goal[i] == r:
        a.goal[i] = -1
    if a.goal[i] < 0 and rooms.kind[r] == ROOM_TRANSIT:
        _leave_corridor(a, rooms, passages, c, draws, i, r)
    if a.goal[i] < 0 and p.grouping > 0.0 and not threatened:
        lg = c.leader[a.group[i]]
        if a.parted[i] != 0 and lg >= 0 and a.room[lg] == r and a.passage[lg] < 0:
            a.parted[i] = 0  # together again: they follow the group's leader as before
        if (
            lg >= 0
            and lg != i
            and a.parted[i] == 0
            and a.room[lg] != r
            and a.room[lg] != a.refused_by[i]
            and c.zombies[a.room[lg]] == 0
            and draws.behaviour.random() < 1.0 - math.exp(-p.group_rate * h)
        ):
            a.goal[i] = a.room[lg]
    goal = a.goal[i]
    if goal < 0:
        return -1, -1, 0.0
    q = passages.people_hop[r, goal]
    if q < 0:
        a.goal[i] = -1
        return -1, -1, 0.0
    if c.zombies[q] != 0 or full(rooms, c, q):
        return -1, -1, 0.0  # the way is blocked, or the room full: wait
    if (
        p.careful > 0.0
        and rooms.kind[r] == ROOM_HOLD
        and rooms.kind[goal] != ROOM_EXIT
        and c.zombies_next_door[q] > 0
        and not barricade_failing(passages, r, math.inf)
    ):
        return -1, -1, 0.0  # wait in the room until nothing is beside the way out
    speed = a.traits[i, SPEED] if threatened else p.walk_speed
    return q, passages.people_hop_passage[r, goal], speed


@phase
def people_choose(
    t: float,
    tn: float,
    h: float,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    passages: Passages,
    sounds: Sounds,
    census: Census,
    counts: Counts,
    log: EventLog,
    draws: Draws,
) -> None:
    """Room-wide plans, then each person's needs, awareness and move (see the docstring)."""
    plan_rooms(t, tn, h, p, agents, rooms, passages, sounds, census, log, draws)
    announce(t, h, p, agents, rooms, census, draws.awareness)
    school = share_aware(census) if p.awareness > 0.0 else 0.0
    a = agents
    pl = census.people_list
    for kp in range(census.lists[1]):
        i = pl[kp]
        s = a.state[i]
        if s not in (HUMAN, BITTEN, HYBRID):
            continue
        r = a.room[i]
        if p.supplies > 0.0:
            use_supplies(tn, h, p, a, rooms, census, log, i, r)
        if a.passage[i] >= 0 or a.busy_until[i] > t:
            continue
        z_here = census.zombies[r]
        a.cornered[i] = 0
        surprised = _notice(t, h, p, a, rooms, passages, census, draws, school, i, r)
        if a.aware[i] == 0 or surprised:
            continue
        if s == HYBRID:
            _hybrid_walks(p, a, rooms, passages, census, i, r)
            continue
        if (
            s == BITTEN
            and p.sacrifice > 0.0
            and _lead_away(t, tn, p, a, rooms, passages, sounds, census, log, draws, i, r)
        ):
            continue
        if z_here > 0:
            target, edge, speed = flee_or_fight(
                tn, h, p, a, rooms, passages, census, counts.by_state, log, draws, i, r, z_here
            )
        else:
            target, edge, speed = _calm_move(tn, h, p, a, rooms, passages, census, log, draws, i, r)
        if target >= 0:  # never a full room (census.full): each way of choosing looks
            set_off(tn, p, a, passages, census, log, i, r, target, edge, speed)
            if a.passage[i] == edge:
                census.arriving[target] += 1

"""Phase 8, encounters: zombies catch, people hide, shove, rescue, fight, are bitten.

Each zombie at rest in a room with someone to catch may catch one of them (faster in small
rooms, and the more aggressive the zombie). The aware may stay hidden; the selfish push another
human forward; someone brave and kind steps in; the brave, the armed, the rescuer and the
cornered fight (a head blow destroys the zombie); else the zombie bites (neck, body or limb,
which sets the delay to turning) or, rarely, mauls to death. Fights and screams are heard.
"""

from __future__ import annotations

import math

import numpy as np

from hyosan.engines.agents.params import (
    ALTRUISM,
    BITTEN,
    COURAGE,
    DEAD,
    DESTROYED,
    EV_BITE,
    EV_DEATH,
    EV_KILL,
    EV_PUSH,
    EV_RESCUE,
    HUMAN,
    SELFISH,
    SITE_LIMB,
    SITE_NECK,
    SITE_TORSO,
    STRENGTH,
    WEAPON,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.phases.counts import set_state
from hyosan.engines.agents.phases.daylight import is_dark
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.phases.sounds import add_sound
from hyosan.engines.agents.state import Agents, Census, Counts, Draws, Rooms, Sounds
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["encounters", "kill_chance"]


@inlined
def kill_chance(p: Params, agents: Agents, j: int, z: int, cornered: bool) -> float:
    """The chance that person j destroys zombie z in a fight."""
    tr = agents.traits
    base = p.kill_unarmed + (p.kill_armed - p.kill_unarmed) * tr[j, WEAPON]
    ratio = tr[j, STRENGTH] / max(agents.zombie_strength[z], 0.05)
    chance = base * min(1.5, math.sqrt(ratio))
    if cornered:
        chance += p.cornered_bonus
    return min(0.95, max(0.0, chance))


@inlined
def _victim(agents: Agents, census: Census, step_no: int, r: int, pick: int) -> int:
    """The pick-th of room r's catchable people (humans, and the bitten of this step), or -1."""
    j = census.first_person[r]
    while j >= 0:
        s = agents.state[j]
        if s == HUMAN or (s == BITTEN and agents.bitten_step[j] == step_no):
            if pick == 0:
                return j
            pick -= 1
        j = census.next_person[j]
    return -1


@inlined
def _other_human(agents: Agents, census: Census, r: int, v: int) -> int:
    """The first human in room r other than v, or -1: the one the selfish push forward."""
    j = census.first_person[r]
    while j >= 0:
        if j != v and agents.state[j] == HUMAN:
            return j
        j = census.next_person[j]
    return -1


@inlined
def _rescuer(t: float, p: Params, agents: Agents, census: Census, r: int, v: int) -> int:
    """The first human in room r, not v and not busy, brave and kind enough to step in, or -1."""
    tr = agents.traits
    j = census.first_person[r]
    while j >= 0:
        if (
            j != v
            and agents.state[j] == HUMAN
            and agents.busy_until[j] <= t
            and 0.5 * (tr[j, ALTRUISM] + tr[j, COURAGE]) >= p.rescue_threshold
        ):
            return j
        j = census.next_person[j]
    return -1


@inlined
def _fights(p: Params, agents: Agents, fighter: int, v: int) -> bool:
    """Whether `fighter` fights the zombie attacking v: a rescuer does, or the brave, the armed
    and the cornered, when fighting is on."""
    if p.fighting <= 0.0 or agents.state[fighter] != HUMAN:
        return False
    if fighter != v:
        return True
    tr = agents.traits
    return (
        tr[fighter, COURAGE] >= p.fight_courage
        or tr[fighter, WEAPON] >= 0.5
        or agents.cornered[fighter] == 1
    )


@inlined
def _bite(
    tn: float,
    step_no: int,
    p: Params,
    agents: Agents,
    by_state: np.ndarray,
    log: EventLog,
    draws: Draws,
    z: int,
    v: int,
    r: int,
) -> None:
    """Zombie z bites v: the site sets the delay to turning; a second bite shortens it."""
    a = agents
    u = draws.bites.random()
    if u < p.p_neck:
        site = SITE_NECK
        factor = p.neck_factor
    elif u < p.p_neck + p.p_torso:
        site = SITE_TORSO
        factor = p.torso_factor
    else:
        site = SITE_LIMB
        factor = 1.0
    if a.state[v] == HUMAN:
        set_state(a.state, by_state, v, BITTEN)
        a.bitten_step[v] = step_no
        a.bitten_at[v] = tn
        a.bites[v] = 1
        a.biter[v] = z
        a.bitten_by_hybrid[v] = 0
        delay = math.exp(p.turn_log_median + p.turn_sigma * draws.bites.normal())
        a.turns_at[v] = tn + factor * delay
    else:
        # Another bite in the same attack: a mob turns its victim faster.
        a.bites[v] += 1
        if a.bites[v] == int(p.many_bites):
            a.turns_at[v] = tn + (a.turns_at[v] - tn) * p.many_bites_factor
    log_event(log, tn, EV_BITE, z, v, r, site)


@inlined
def _attack(
    t: float,
    tn: float,
    step_no: int,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    sounds: Sounds,
    census: Census,
    counts: Counts,
    log: EventLog,
    draws: Draws,
    z: int,
    r: int,
) -> None:
    """Zombie z has caught someone in room r: who, and what comes of it."""
    a, c = agents, census
    v = _victim(a, c, step_no, r, int(draws.encounters.random() * c.catchable[r]))
    if v < 0:
        return
    if a.aware[v] == 1 and rooms.hiding[r] > 0.0 and draws.encounters.random() < rooms.hiding[r]:
        return  # hidden: the zombie passes by
    # Selfishness: push someone else into the zombie's way.
    if (
        p.selfishness > 0.0
        and a.state[v] == HUMAN
        and a.traits[v, SELFISH] >= p.shove_threshold
        and c.catchable[r] > 1
        and draws.behaviour.random() < p.p_shove
    ):
        j = _other_human(a, c, r, v)
        if j >= 0:
            log_event(log, tn, EV_PUSH, v, j, r, 0)
            v = j
    # Rescue: someone brave and kind steps in.
    fighter = v
    if p.rescue > 0.0 and a.state[v] == HUMAN:
        j = _rescuer(t, p, a, c, r, v)
        if j >= 0 and draws.behaviour.random() < p.p_step_in:
            log_event(log, tn, EV_RESCUE, j, v, r, 0)
            a.busy_until[j] = tn
            fighter = j
    if _fights(p, a, fighter, v):
        if draws.behaviour.random() < kill_chance(p, a, fighter, z, a.cornered[fighter] == 1):
            set_state(a.state, counts.by_state, z, DESTROYED)
            c.zombies[r] -= 1
            c.zombies_carried[r] -= 1
            c.lists[3] = 1
            log_event(log, tn, EV_KILL, fighter, z, r, 0)
            add_sound(sounds, r, p.hear_loud, t + p.sound_duration)
            return
        v = fighter  # the zombie gets whoever fought it
    a.busy_until[z] = tn + p.bite_time
    add_sound(sounds, r, p.hear_loud, t + p.sound_duration)
    if a.state[v] == HUMAN and draws.bites.random() < p.p_mauled:
        set_state(a.state, counts.by_state, v, DEAD)
        c.catchable[r] -= 1
        log_event(log, tn, EV_DEATH, z, v, r, 0)
        return
    _bite(tn, step_no, p, a, counts.by_state, log, draws, z, v, r)


@phase
def encounters(
    t: float,
    tn: float,
    h: float,
    step_no: int,
    z_met: bool,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    sounds: Sounds,
    census: Census,
    counts: Counts,
    log: EventLog,
    draws: Draws,
) -> None:
    """Each zombie at rest with someone to catch in its room may catch them.

    Only a zombie in a room with someone to catch does anything here (and draws): one that was
    there at the census or arrived in phase 7 (`z_met`). Zombies who turned this step are busy.
    Without either, nothing is looked at.
    """
    a, c = agents, census
    if not z_met:
        for r in range(c.zombies.size):
            if c.zombies[r] > 0 and c.catchable[r] > 0:
                z_met = True
                break
        if not z_met:
            return
    zl = c.zombie_list
    # In the dark zombies see poorly: they catch people more slowly (docs/show.md).
    sight = p.dark_sight if is_dark(t, p) else 1.0
    for kz in range(c.lists[0]):
        z = zl[kz]
        if a.state[z] != ZOMBIE or a.passage[z] >= 0 or a.busy_until[z] > t:
            continue
        r = a.room[z]
        if c.catchable[r] <= 0:
            continue
        rate = (
            sight
            * p.catch_speed
            * p.zombie_speed
            * a.zombie_aggression[z]
            / math.sqrt(rooms.area[r])
        )
        if draws.encounters.random() >= 1.0 - math.exp(-rate * h):
            continue
        _attack(t, tn, step_no, p, a, rooms, sounds, c, counts, log, draws, z, r)

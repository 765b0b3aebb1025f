"""Phase 6, first part: how people learn of the outbreak (`[behaviour.awareness]`).

Until they know, people stay in class, talk (which zombies hear), and do not barricade. With
the rule on, an unaware person learns, each step, with the chance that the rates below give:

- seeing it: zombies in the room (at once), or next door through a door (`see_rate`);
- hearing it: the loudest scream or fight the room hears, made out up to `hear_radius`
  metres away (each floor between costs `floor_loss`), likelier the nearer it is;
- being told: by those in the room who know (the class, people who ran in), at `tell_rate`
  times their share of the room; by phone, at `phone_rate` times the share of the school who
  know;
- the PA: someone who knows, at a PA console free of zombies, announces it (`pa_rate`), and
  everyone in the building within the PA's reach of a speaker knows at once.

The news takes time to act on: a room barricades only once most of its people know
(`quorum`) and its most resourceful person has known for `barricade_after` (phase 5): the
first minutes are spent running, calling and disbelieving.

With the rule off, as before it: zombies here or next door, or any sound heard, tell at once.
Draws come from awareness's own stream, so the rule leaves the other streams' draws alone.
"""

from __future__ import annotations

import math

from hyosan.engines.agents.params import ROOM_EXIT, Params
from hyosan.engines.agents.phases.jit import inlined
from hyosan.engines.agents.phases.sounds import heard
from hyosan.engines.agents.state import Agents, Census, Rooms

__all__ = ["announce", "learns", "ready_to_barricade", "share_aware"]


@inlined
def share_aware(census: Census) -> float:
    """The share of the people in the building who know (0 if nobody is left)."""
    people = 0
    unaware = 0
    for r in range(census.people.size):
        people += census.people[r]
        unaware += census.unaware[r]
    if people == 0:
        return 0.0
    return (people - unaware) / people


@inlined
def announce(
    t: float, h: float, p: Params, agents: Agents, rooms: Rooms, census: Census, rng
) -> None:  # type: ignore[no-untyped-def]
    """Someone who knows, at a PA console, may announce the outbreak to the whole building."""
    if p.awareness <= 0.0 or p.pa_announce_rate <= 0.0:
        return
    console = -1
    for r in range(rooms.kind.size):
        if rooms.announced_at[r] >= 0.0:
            return  # announced once: the building knows what the PA can tell it
        if rooms.pa[r] and census.zombies[r] == 0 and census.unaware[r] < census.people[r]:
            console = r
    if console < 0 or rng.random() >= 1.0 - math.exp(-p.pa_announce_rate * h):
        return
    rooms.announced_at[console] = t
    for r in range(rooms.kind.size):
        if rooms.kind[r] == ROOM_EXIT or census.unaware[r] == 0:
            continue
        reached = False
        for q in range(rooms.kind.size):
            if rooms.speaker[q] and heard(rooms, p.floor_loss, r, q) <= p.pa_radius:
                reached = True
                break
        if not reached:
            continue
        j = census.first_person[r]
        while j >= 0:
            if agents.aware[j] == 0:
                agents.aware[j] = 1
                agents.aware_at[j] = t
            j = census.next_person[j]


@inlined
def learns(h: float, p: Params, rooms: Rooms, census: Census, school: float, r: int, rng) -> bool:  # type: ignore[no-untyped-def]
    """Whether an unaware person in room r learns of the outbreak this step."""
    c = census
    if c.zombies[r] > 0:
        return True
    if p.awareness <= 0.0:
        # The rule off: zombies next door, or any sound heard, tell at once.
        return c.zombies_next_door[r] > 0 or (c.loudest_sound[r] >= 0 and p.aware_on_scream > 0.0)
    rate = 0.0
    if c.zombies_next_door[r] > 0:
        rate += p.see_rate
    s = c.loudest_sound[r]
    if s >= 0 and p.aware_on_scream > 0.0 and p.aware_hear_radius > 0.0:
        near = 1.0 - heard(rooms, p.floor_loss, r, s) / p.aware_hear_radius
        if near > 0.0:
            rate += p.aware_hear_rate * near
    if c.people[r] > 0:
        rate += p.tell_rate * (c.people[r] - c.unaware[r]) / c.people[r]
    rate += p.phone_rate * school
    return rate > 0.0 and rng.random() < 1.0 - math.exp(-rate * h)


@inlined
def ready_to_barricade(tn: float, p: Params, agents: Agents, census: Census, r: int) -> bool:
    """Whether room r knows enough to barricade: its most resourceful person knows (and, with
    the rule on, has known for `barricade_after`), and a `quorum` of its people know."""
    who = census.most_resourceful_who[r]
    if who < 0 or agents.aware[who] == 0:
        return False
    if p.awareness <= 0.0:
        return True
    if tn - agents.aware_at[who] < p.barricade_after:
        return False
    people = census.people[r]
    return people > 0 and (people - census.unaware[r]) >= p.quorum * people

"""Phase 3, hybrids: hunger grows and may win, an attack on a human; animal flesh eases it.

A hybrid with a friend (someone of its group) in the room attacks less often (`bond_factor`).
"""

from __future__ import annotations

import math

import numpy as np

from hyosan.engines.agents.params import BITTEN, EV_BITE, HUMAN, HYBRID, Params
from hyosan.engines.agents.phases.counts import set_state
from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.state import Agents, Census, Draws, Rooms
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["feed_hybrids"]


@inlined
def _friend_near(agents: Agents, census: Census, i: int, r: int) -> bool:
    """Whether a human of hybrid i's group is in room r."""
    j = census.first_person[r]
    while j >= 0:
        if j != i and agents.group[j] == agents.group[i] and agents.state[j] == HUMAN:
            return True
        j = census.next_person[j]
    return False


@phase
def feed_hybrids(
    tn: float,
    h: float,
    step_no: int,
    p: Params,
    agents: Agents,
    rooms: Rooms,
    census: Census,
    by_state: np.ndarray,
    log: EventLog,
    draws: Draws,
) -> None:
    """Hybrids grow hungrier over the step of length h; the hungry may bite a human."""
    a = agents
    pl = census.people_list
    for kp in range(census.lists[1]):
        i = pl[kp]
        if a.state[i] != HYBRID:
            continue
        r = a.room[i]
        a.hunger[i] = min(1.0, a.hunger[i] + h / p.hunger_time)
        if rooms.flesh[r] and a.hunger[i] > p.flesh_reset:
            a.hunger[i] = p.flesh_reset
        if a.hunger[i] <= p.hunger_threshold or census.catchable[r] <= 0 or a.passage[i] >= 0:
            continue
        rate = p.hybrid_attack_rate * (p.bond_factor if _friend_near(a, census, i, r) else 1.0)
        if draws.behaviour.random() >= 1.0 - math.exp(-rate * h):
            continue
        # The victim: the first human in the room's list (the nearest, say).
        j = census.first_person[r]
        while j >= 0 and a.state[j] != HUMAN:
            j = census.next_person[j]
        if j < 0:
            continue
        set_state(a.state, by_state, j, BITTEN)
        a.bitten_at[j] = tn
        a.bitten_step[j] = step_no
        a.bites[j] = 1
        a.bitten_by_hybrid[j] = 1
        a.biter[j] = i
        a.turns_at[j] = tn + math.exp(p.turn_log_median + p.turn_sigma * draws.bites.normal())
        a.hunger[i] = p.flesh_reset
        census.catchable[r] -= 1
        log_event(log, tn, EV_BITE, i, j, r, 0)

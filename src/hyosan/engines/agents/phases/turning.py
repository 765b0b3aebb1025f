"""Phase 2, turning: the bitten whose time has come turn into zombies, or keep their minds.

A bitten person keeps their mind (and becomes a hybrid hours later) with a small chance: more
after many bites or with a strong drive, another chance after a hybrid's bite. A zombie's
strength and aggression follow its host's.
"""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.params import (
    BITTEN,
    COURAGE,
    DRIVE,
    EV_HYBRID,
    EV_TURN,
    HYBRID,
    SELFISH,
    STRENGTH,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.phases.counts import set_state
from hyosan.engines.agents.phases.jit import phase
from hyosan.engines.agents.state import Agents, Census
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["turn_the_bitten"]


@phase
def turn_the_bitten(
    tn: float,
    p: Params,
    agents: Agents,
    census: Census,
    by_state: np.ndarray,
    log: EventLog,
    bites: np.random.Generator,
) -> None:
    """Turn the bitten whose time comes by tn: into zombies (busy for 2 s), or hybrids."""
    a = agents
    pl = census.people_list
    for kp in range(census.lists[1]):
        i = pl[kp]
        if a.state[i] != BITTEN or a.turns_at[i] > tn:
            continue
        if a.becomes_hybrid[i] == 0:
            if a.bitten_by_hybrid[i] == 1:
                chance = p.p_hybrid_from_hybrid
            else:
                chance = p.p_hybrid
                if a.bites[i] >= p.many_bites or a.traits[i, DRIVE] >= p.drive_for_hybrid:
                    chance = min(1.0, chance * p.hybrid_factor)
            if bites.random() < chance:
                # The mind holds: a hybrid later, not before hybrid_delay after the bite.
                a.becomes_hybrid[i] = 1
                a.turns_at[i] = max(tn, a.bitten_at[i] + p.hybrid_delay)
                continue
            set_state(a.state, by_state, i, ZOMBIE)
            census.zombies_carried[a.room[i]] += 1
            census.lists[2] = 1  # a new zombie: both lists are rebuilt at the next census
            a.zombie_strength[i] = p.zombie_strength * a.traits[i, STRENGTH]
            a.zombie_aggression[i] = 0.5 + 0.5 * (a.traits[i, SELFISH] + a.traits[i, COURAGE])
            a.busy_until[i] = tn + 2.0
            if p.awareness > 0.0 and census.unaware[a.room[i]] > 0:
                # Turning beside people who do not know: it attacks at once, and they freeze.
                census.surprise[a.room[i]] = True
                a.busy_until[i] = tn
            a.lead_room[i] = -1
            a.heading_to[i] = -1
            a.passage[i] = -1
            log_event(log, tn, EV_TURN, i, a.biter[i], a.room[i], a.bites[i])
        else:
            set_state(a.state, by_state, i, HYBRID)
            a.hunger[i] = 0.0
            log_event(log, tn, EV_HYBRID, i, a.biter[i], a.room[i], a.bites[i])

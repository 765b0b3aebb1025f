"""Phase 6b's last part: a person setting off through a barricaded passage.

Leaving through their own room's barricade, people take it down. Asking to be let in, they may
be refused by the room's most selfish person (refused, they do not ask that room again while
anyone is in it, until another room refuses them; asked again, the same refuser's answer is
the same decision, and only the first is an `abandon` event); else the room's most
resourceful person opens it. A refusal holds only against a crowd smaller than
`crowd_forces` times the people behind the door: a larger one, in the room of whoever asks,
forces the barricade (a `barricade_forced` event). Without it, seven people held the entrance
hall for twelve hours against 587 people making for the main gate, in waves of some twenty.
Nobody barricades the passage again until those who went through are across.
"""

from __future__ import annotations

from hyosan.engines.agents.params import EV_ABANDON, EV_FORCED, EV_OPENED, Params
from hyosan.engines.agents.phases.jit import inlined
from hyosan.engines.agents.state import Agents, Census, Passages
from hyosan.engines.kernel import EventLog, log_event

__all__ = ["set_off"]


@inlined
def set_off(
    tn: float,
    p: Params,
    agents: Agents,
    passages: Passages,
    census: Census,
    log: EventLog,
    i: int,
    r: int,
    target: int,
    edge: int,
    speed: float,
) -> None:
    """Person i in room r sets off along `edge` to `target` at `speed`, if let through."""
    a, ps = agents, passages
    if ps.hold[edge] > 0.0:
        if ps.barricaded_from[edge] == r:
            # Leaving: take down our own barricade.
            ps.hold[edge] = 0.0
            ps.progress[edge] = 0.0
            log_event(log, tn, EV_OPENED, i, -1, r, edge)
        else:
            q = ps.barricaded_from[edge]
            selfish = census.most_selfish_who[q]
            remembered = a.refused_by[i] == q and census.people[q] > 0
            if a.refused_by[i] == q and not remembered:
                a.refused_by[i] = -1  # whoever refused has gone: nobody to ask, it opens
            bars = (
                p.selfishness > 0.0
                and selfish >= 0
                and census.most_selfish[q] >= p.refuse_threshold
            )
            # Those asking now, and those turned away before them: enough of them force it.
            crowd = census.people[r] + ps.turned_away[edge]
            if (remembered or bars) and not (
                p.crowd_forces > 0.0 and crowd >= p.crowd_forces * census.people[q]
            ):
                a.goal[i] = -1
                if remembered:
                    return
                a.refused_by[i] = q
                # Asked again by the same person, the same refuser's answer stands: an event
                # only for a new decision (a new refuser, or the first time).
                if a.refused[i, q] != selfish + 1:
                    a.refused[i, q] = selfish + 1
                    ps.turned_away[edge] += 1
                    log_event(log, tn, EV_ABANDON, selfish, i, q, 0)
                return
            ps.hold[edge] = 0.0
            ps.progress[edge] = 0.0
            if remembered or bars:  # refused, or to be: the crowd where they ask forces it
                a.refused_by[i] = -1
                log_event(log, tn, EV_FORCED, i, selfish, q, crowd)
            else:
                who = census.most_resourceful_who[q]
                log_event(log, tn, EV_OPENED, who if who >= 0 else -1, i, q, edge)
        # Nobody rebuilds it while they are in the doorway: a barricade that went up on their
        # way would send them back, to ask (and be let through) again, step after step.
        ps.passing_until[edge] = max(ps.passing_until[edge], tn + ps.length[edge] / speed)
    a.heading_to[i] = target
    a.passage[i] = edge
    a.arrives_in[i] = ps.length[edge] / speed

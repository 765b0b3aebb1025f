"""Numba kernels of the exact stochastic simulation over a graph of places.

Every place p has a total propensity a[p] (propensity.py): its own reactions, its people
leaving along edges, and the cross-edge reactions in which it holds the first reactant. The
next event's place is drawn by composition and rejection over groups of places (groups.py), so
an event costs the same with ten places or ten million.

Channels drawn from lists of people (lists.py) are left out of the places' propensities; their
total is the lists' lengths times their bounds, and one uniform picks between the places and
the lists (thinning.py). With lists, each event's wait and first uniform come from buffers
filled ahead (`Draws`), so the kernel knows the uniforms of the next events and fetches their
memory early.

One event, in order (`simulate`): stop if the event log or a list is full; add up the total
propensity; draw the wait (`wait`) and record the totals at the output times and every place at
the snapshot times the wait covers (`record`); stop at the end of the piece; draw the event,
from the lists (thinning.py: a channel, an entry, a gone person dropped, the acceptance and a
move's neighbour) or place by place (events.py: a place, a channel, the neighbour); carry it
out (events.py); count and log it (`done`); then watch the zombie peak and the thresholds when
the totals changed (engines/kernel.py), and stop at a stopping threshold or when a zombie
reached the border.

The kernels draw from a numpy Generator passed in (Numba runs its bit generator), so the random
state is explicit and the results are the same wherever they run.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from hyosan.engines import kernel
from hyosan.engines.code_cache import kept_fresh
from hyosan.engines.kernel import Status
from hyosan.engines.ssa import events, thinning
from hyosan.engines.ssa import groups as grp
from hyosan.engines.ssa.pipeline import Kernel
from hyosan.engines.ssa.propensity import neighbour_sums, place_total

__all__ = ["GROUPS", "Draws", "rebuild", "simulate", "simulate_lists"]

GROUPS = grp.GROUPS


class Draws(NamedTuple):
    """The first two draws of each event, buffered ahead (with lists of people).

    The buffers are rings whose size is a power of two: draw number i sits at i mod their size,
    and half of them is refilled whenever fewer than thinning.AHEAD + 1 draws are left.
    """

    exp: np.ndarray  # float64: standard exponentials, the waits
    uni: np.ndarray  # float64: uniforms, which event
    n: np.ndarray  # int64 [draws used, draws made]


@kept_fresh
@nb.njit(cache=True, nogil=True, pipeline_class=Kernel)
def rebuild(pl, ch, lists, graph, groups):  # type: ignore[no-untyped-def]
    """Compute the neighbour sums, every place's propensity (of the channels not drawn from
    lists) and the groups from the counts."""
    n = pl.x.shape[0]
    if not lists.computed:  # else computed from the counts when read (neighbours.py)
        for p in range(n):
            neighbour_sums(ch, graph, pl, p)
    for p in range(n):
        groups.a[p] = place_total(ch, graph, pl, lists, True, p)
    grp.rebuild(groups)


@nb.njit(cache=True, nogil=True, inline="always")
def _wait(draws, rng, t, a0, with_lists):  # type: ignore[no-untyped-def]
    # The time of the next event (inf when nothing can happen: the state holds to the end) and,
    # with lists, its buffered uniform.
    if not with_lists:
        return t + rng.standard_exponential() / a0 if a0 > 0.0 else np.inf, -1.0
    mask = draws.uni.size - 1
    used, made, half = draws.n[0], draws.n[1], draws.uni.size // 2
    if made - used <= thinning.AHEAD:
        for i in range(made, made + half):
            draws.exp[i & mask] = rng.standard_exponential()
            draws.uni[i & mask] = rng.random()
        draws.n[1] = made + half
    at = used & mask
    draws.n[0] = used + 1
    return t + draws.exp[at] / a0 if a0 > 0.0 else np.inf, draws.uni[at]


@nb.njit(cache=True, nogil=True, inline="always")
def _record(rec, pl, t_next, clock):  # type: ignore[no-untyped-def]
    # Record the state held on [t, t_next) at the output and snapshot times it covers; the
    # next time to record at.
    while kernel.due(rec.times, rec.cursor[0], t_next, clock.end, clock.include_end):
        kernel.write_totals(rec, pl.tot)
    while kernel.due(rec.snap_times, rec.cursor[1], t_next, clock.end, clock.include_end):
        kernel.write_snapshot(rec, pl.x)
    k, s = rec.cursor[0], rec.cursor[1]
    return min(
        rec.times[k] if k < rec.times.size else np.inf,
        rec.snap_times[s] if s < rec.snap_times.size else np.inf,
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _full(lists, log, with_lists):  # type: ignore[no-untyped-def]
    # Whether the event log, or a list of people, may not have room for the next event.
    if log.t.size > 0 and log.n[0] >= log.t.size:
        return True, Status.LOG_FULL
    for lst in range(lists.comp.size if with_lists else 0):
        if lists.length[lst] + lists.margin > lists.cap[lst]:
            return True, Status.LIST_FULL
    return False, Status.DONE


@nb.njit(cache=True, nogil=True, inline="always")
def _done(groups, counts, log, t, chosen, p, q):  # type: ignore[no-untyped-def]
    # Count the event, log it, and now and then add the group sums up afresh.
    counts[chosen] += 1
    if log.t.size > 0:
        kernel.log_event(log, t, chosen, p, q, p, 0)
    grp.tick(groups)


def _simulate(with_lists: bool):  # type: ignore[no-untyped-def]
    # The kernel, compiled once without lists and once with them: `with_lists` is a constant to
    # Numba, so each version holds only its own code (the list path in the loop of the other
    # made the place-by-place kernel a quarter slower). The Kernel pipeline lets the inlined
    # helpers read the named tuples in place (see pipeline.py).

    @kept_fresh
    @nb.njit(cache=True, nogil=True, pipeline_class=Kernel)
    def simulate(pl, ch, lists, graph, groups, draws, rng, clock, rec, watched, counts, log):  # type: ignore[no-untyped-def]
        """Advance from clock.t towards clock.end; return (t, status).

        Arguments: the places' counts (population.Places, changed here), the channels, the
        lists of people, the graph (population.Graph), the groups (groups.py), the buffered
        draws, the random generator, the clock; the records, the watch and the event counts
        and log (engines/kernel.py).
        """
        t = clock.t
        tot = pl.tot  # bound once: an array bound or passed in the loop costs a reference
        ltot = np.zeros(lists.listed.size)  # each listed channel's total rate at this event
        lat = thinning.lattice(lists)
        next_record = -np.inf  # the next output or snapshot time; found on the first event
        taken = 0
        while True:
            taken += 1
            if taken > clock.pause:  # (see kernel.PAUSE_EVERY)
                return t, Status.PAUSED
            full, status = _full(lists, log, with_lists)
            if full:
                return t, status
            a_places = grp.total(groups)
            a0 = thinning.totals(lists, ltot, a_places) if with_lists else a_places
            t_next, u_event = _wait(draws, rng, t, a0, with_lists)
            # One comparison per event in the common case that no record falls in the wait.
            if t_next > next_record:
                next_record = _record(rec, pl, t_next, clock)
            if t_next > clock.end:
                return clock.end, Status.DONE
            t = t_next

            target = (u_event if with_lists else rng.random()) * a0
            slot = -1  # the drawn list entry, when the event comes from a list
            if with_lists and target >= a_places:
                chosen, slot, v = thinning.pick(lists, ltot, target - a_places)
                if slot < 0:
                    continue  # round-off past the last list: a null event
                p = lists.ent[slot]
                drawn = draws.n[0] - 1
                thinning.fetch_ahead(ch, lists, ltot, lat, draws, drawn, a0, a_places, pl, groups)
                lst = lists.channel_list[chosen]
                if thinning.drop_gone(lists, pl, lst, slot, p, rng):
                    continue
                ok, q = thinning.accept(ch, graph, lat, chosen, p, v)
                if not ok:
                    continue  # a null event
                if lists.quick[chosen] or lists.nearby[chosen]:
                    stop_edge = events.apply_step(pl, lists, chosen, slot, p, q, t)
                    if lists.nearby[chosen]:
                        # What `apply` would do, in its order, without its general loops.
                        events.refresh_around(pl, ch, lists, graph, groups, with_lists, p)
                        events.refresh_around(pl, ch, lists, graph, groups, with_lists, q)
                    elif lists.affects[lists.comp[lst]]:
                        events.refresh(pl, ch, lists, graph, groups, with_lists, p)
                        events.refresh(pl, ch, lists, graph, groups, with_lists, q)
                    _done(groups, counts, log, t, chosen, p, q)
                    if stop_edge:
                        return t, Status.EDGE
                    continue
            else:
                p = grp.pick(groups, target, rng)
                chosen = events.pick_channel(pl, ch, lists, graph, groups, with_lists, p, rng)
                q, ok = events.neighbour(pl, ch, lists, graph, chosen, p, rng)
                if not ok:
                    # Nobody is left to meet, by round-off in a weighted neighbour sum (a sum
                    # computed on a lattice is exact). A null event (thinning) keeps the law
                    # exact; fix the sum.
                    if not lists.computed:
                        pl.nbs[p, ch.comp[chosen, 1]] = 0.0
                    events.refresh(pl, ch, lists, graph, groups, with_lists, p)
                    continue

            stop_edge = events.apply(
                pl, ch, lists, graph, groups, with_lists, chosen, slot, p, q, t
            )
            _done(groups, counts, log, t, chosen, p, q)
            # The figures watched, after every event that changes the totals.
            if ch.tot[chosen] and kernel.watch(watched, tot, t):
                return t, Status.STOPPED
            if stop_edge:
                return t, Status.EDGE

    return simulate


simulate = _simulate(False)
simulate_lists = _simulate(True)

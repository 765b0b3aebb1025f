"""One ssa event drawn place by place, and carried out: the kernel's phases after the wait.

Drawn place by place (the channels not drawn from lists): a place by composition and
rejection (groups.pick), then one of its channels by its propensity (`pick_channel`), then for
a move or a cross-edge reaction the neighbour (`neighbour`). Carried out (`apply`): the counts
and their totals change, then the neighbour sums of the places around, the first-zombie times,
the lists of people (newcomers join; leavers are dropped when drawn), and the propensities of
every place whose propensity can have changed (`refresh`), but not a neighbour that is
`idle` (nobody there can start a channel drawn place by place). A listed step that feeds no
neighbour sum (most events on a lattice) takes a short path (`apply_step`); so does one that
feeds them on a lattice whose sums are computed (neighbours.py), which then refreshes the places
around its two ends (`refresh_around`).

Compiled with inline="always" (see engines/kernel.py): they run at every event.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from hyosan.engines.ssa import groups as grp
from hyosan.engines.ssa.lists import DROP, MOVE
from hyosan.engines.ssa.neighbours import around, nsum
from hyosan.engines.ssa.propensity import channel, living, place_total

__all__ = [
    "apply",
    "apply_step",
    "idle",
    "neighbour",
    "pick_channel",
    "refresh",
    "refresh_around",
]


@nb.njit(cache=True, nogil=True, inline="always")
def idle(pl, lists, r):  # type: ignore[no-untyped-def]
    """Whether no channel drawn place by place can happen at r, by its counts alone: nobody of
    a gate compartment (lists.gates) is there. place_total is then exactly 0.0."""
    if not lists.gated:
        return False
    for i in range(lists.gate.size):  # noqa: SIM110 (kept a plain loop for Numba)
        if pl.x[r, lists.gate[i]] > 0:
            return False
    return True


@nb.njit(cache=True, nogil=True, inline="always")
def refresh(pl, ch, lists, graph, groups, indirect, r):  # type: ignore[no-untyped-def]
    """Recompute place r's propensity (channels drawn place by place) and move it between
    groups if need be."""
    new = 0.0 if idle(pl, lists, r) else place_total(ch, graph, pl, lists, indirect, r)
    grp.update(groups, r, new)


@nb.njit(cache=True, nogil=True, inline="always")
def refresh_around(pl, ch, lists, graph, groups, indirect, r):  # type: ignore[no-untyped-def]
    """After r's count of a compartment the neighbour sums count changed, on a lattice whose
    sums are computed: refresh r's neighbours that are not idle (their counts did not change:
    an idle one had propensity 0 and keeps it), in the order of the edges, then r."""
    for s in around(lists, r):
        if s >= 0 and not idle(pl, lists, s):
            refresh(pl, ch, lists, graph, groups, indirect, s)
    refresh(pl, ch, lists, graph, groups, indirect, r)


@nb.njit(cache=True, nogil=True, inline="always")
def pick_channel(pl, ch, lists, graph, groups, indirect, p, rng):  # type: ignore[no-untyped-def]
    """A channel of place p (drawn place by place), with probability its propensity / a[p]."""
    npop = living(ch, pl, p)
    target = rng.random() * groups.a[p]
    acc = 0.0
    chosen = -1
    for j in range(lists.by_place.size):
        h = lists.by_place[j] if indirect else j
        v = channel(ch, graph, pl, lists, h, p, npop)
        if v > 0.0:
            chosen = h
            acc += v
            if acc > target:
                break
    return chosen


@nb.njit(cache=True, nogil=True, inline="always")
def neighbour(pl, ch, lists, graph, chosen, p, rng):  # type: ignore[no-untyped-def]
    """The other place of channel `chosen` at p: a move's destination or a cross-edge
    reaction's partner (by edge weight × the partner's count), -1 for a reaction within p.
    Also whether the draw worked: only round-off in a weighted neighbour sum can make it
    fail (nobody is left to meet)."""
    kind = ch.kind[chosen]
    if kind == 0:
        return -1, True
    if kind == 3:
        return ch.toward[ch.comp[chosen, 1], p], True
    q = -1
    lo, hi = graph.indptr[p], graph.indptr[p + 1]
    unweighted = graph.weights.size == 0
    if kind == 1 and unweighted:
        q = graph.indices[lo + int(rng.random() * (hi - lo))]
    else:
        col = ch.comp[chosen, 1]
        target = rng.random() * (graph.wsum[p] if kind == 1 else nsum(ch, pl, lists, p, col))
        acc = 0.0
        for e in range(lo, hi):
            w = 1.0 if unweighted else graph.weights[e]
            v = w if kind == 1 else w * pl.x[graph.indices[e], ch.b_comp[col]]
            if v > 0.0:
                q = graph.indices[e]
                acc += v
                if acc > target:
                    break
    return q, q >= 0


@nb.njit(cache=True, nogil=True, inline="always")
def apply_step(pl, lists, chosen, slot, p, q, t):  # type: ignore[no-untyped-def]
    """A listed step that feeds no neighbour sums: the person in `slot` goes from p to q.
    Whether it put the first zombie on a border place (stop_at_edge)."""
    c = lists.comp[lists.channel_list[chosen]]
    pl.x[p, c] -= 1
    pl.x[q, c] += 1
    lists.ent[slot] = q
    if lists.zombie[c] and np.isnan(pl.first_z[q]):
        pl.first_z[q] = t
        return pl.edge.size > 0 and pl.edge[q]
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _join(lists, chosen, m, c, d, r, slot):  # type: ignore[no-untyped-def]
    # Keep the lists in step with a change of d people of compartment c at r, unless the drawn
    # entry's fate covers it: newcomers join the list, leavers are dropped when drawn.
    lst = lists.of_comp[c]
    if lst >= 0 and not (slot >= 0 and lists.covered[chosen, m]):
        if d > 0:
            for _ in range(d):
                lists.ent[lists.start[lst] + lists.length[lst]] = r
                lists.length[lst] += 1
        else:
            lists.dead[r, lists.dead_col[lst]] -= d


@nb.njit(cache=True, nogil=True, inline="always")
def _settle(lists, chosen, slot, q):  # type: ignore[no-untyped-def]
    # The drawn entry's fate: the person moved to q, or left the compartment (and the list).
    if lists.fate[chosen] == MOVE:
        lists.ent[slot] = q
    elif lists.fate[chosen] == DROP:
        lst = lists.channel_list[chosen]
        lists.length[lst] -= 1
        lists.ent[slot] = lists.ent[lists.start[lst] + lists.length[lst]]


@nb.njit(cache=True, nogil=True, inline="always")
def apply(pl, ch, lists, graph, groups, with_lists, chosen, slot, p, q, t):  # type: ignore[no-untyped-def]
    """Carry out channel `chosen` at p (and q), drawn from the lists when slot >= 0, at time t.
    Whether it put the first zombie on a border place (stop_at_edge)."""
    unweighted = graph.weights.size == 0
    stop_edge = False
    touched = 0  # bit 0: p's neighbour sums changed; bit 1: q's
    for m in range(ch.d_n[chosen]):
        r = p if ch.d_side[chosen, m] == 0 else q
        c = ch.d_comp[chosen, m]
        d = ch.d_val[chosen, m]
        pl.x[r, c] += d
        pl.tot[c] += d
        col = ch.d_bcol[chosen, m]
        if col >= 0:
            touched |= 1 << ch.d_side[chosen, m]
            if not lists.computed:  # else the sums are computed from the counts when read
                # Places that count r among their neighbours are those with an edge into r.
                for e in range(graph.rindptr[r], graph.rindptr[r + 1]):
                    w = 1.0 if unweighted else graph.rweights[e]
                    pl.nbs[graph.rindices[e], col] += w * d
        if ch.d_zup[chosen, m] and np.isnan(pl.first_z[r]):
            pl.first_z[r] = t
            if pl.edge.size and pl.edge[r]:
                stop_edge = True
        if with_lists:
            _join(lists, chosen, m, c, d, r, slot)
    if with_lists and slot >= 0:
        _settle(lists, chosen, slot, q)
    for side in range(2):
        r = p if side == 0 else q
        if r < 0:
            continue
        if touched & (1 << side) and lists.computed:
            refresh_around(pl, ch, lists, graph, groups, with_lists, r)  # then r itself
            continue
        if touched & (1 << side):
            # Only the neighbours' sums changed, not their counts: one that is idle had
            # propensity 0 and keeps it, and neither its a nor its group need be read. They
            # are refreshed in the order of the edges into r (a group's members move).
            for e in range(graph.rindptr[r], graph.rindptr[r + 1]):
                s = np.int64(graph.rindices[e])
                if not idle(pl, lists, s):
                    refresh(pl, ch, lists, graph, groups, with_lists, s)
        refresh(pl, ch, lists, graph, groups, with_lists, r)
    return stop_edge

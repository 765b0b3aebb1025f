"""The propensity of a channel at a place: the one definition that every ssa kernel uses.

Channel h at place p (see Channels in engines/spatial.py) has propensity rate[zone[p], h] ×
(a reaction, kind 0) the falling factorials of its reactants' counts; (a move along edges,
kind 1) the count of its compartment × p's edge-weight sum; (a cross-edge reaction, kind 2) the
count of its first reactant × the neighbour sum of its second; (a directed move, kind 3) the
count of its compartment where the move has somewhere to go; divided by p's living population
when the channel mixes by frequency. The group sums of groups.py are sums of these values, so
`rebuild` and the event loop must compute them alike, to the last bit: both call `place_total`.

Compiled with inline="always", so that they cost no call (see engines/kernel.py). They take
the named tuples and read their arrays in place: an array bound to a name, or passed on, is a
reference taken and dropped at every call (see pipeline.py).
"""

from __future__ import annotations

import numba as nb

from hyosan.engines.ssa.neighbours import nsum

__all__ = ["channel", "living", "neighbour_sums", "place_total", "raw"]


@nb.njit(cache=True, nogil=True, inline="always")
def living(ch, pl, r):  # type: ignore[no-untyped-def]
    """The living population at r, for frequency mixing (0 when no channel mixes so)."""
    total = 0.0
    if ch.any_freq:
        for c in range(pl.x.shape[1]):
            if ch.in_pop[c]:
                total += pl.x[r, c]
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def raw(ch, graph, pl, lists, h, r):  # type: ignore[no-untyped-def]
    """Channel h's propensity at r before any division by the population (<= 0: none)."""
    kind = ch.kind[h]
    v = ch.rate[ch.zone[r] if ch.zone.size > 0 else 0, h]
    if kind == 0:
        for m in range(2):
            o = ch.order[h, m]
            if o > 0:
                xc = pl.x[r, ch.comp[h, m]]
                if xc < o:
                    return 0.0  # a falling factorial that is zero
                v *= xc
                for i in range(1, o):
                    v *= xc - i
    elif kind == 1:
        w = (
            float(graph.indptr[r + 1] - graph.indptr[r])
            if graph.weights.size == 0
            else graph.wsum[r]
        )
        v *= pl.x[r, ch.comp[h, 0]] * w
    elif kind == 2:
        v *= pl.x[r, ch.comp[h, 0]] * nsum(ch, pl, lists, r, ch.comp[h, 1])
    elif ch.toward[ch.comp[h, 1], r] >= 0:
        v *= pl.x[r, ch.comp[h, 0]]
    else:
        v = 0.0
    return v


@nb.njit(cache=True, nogil=True, inline="always")
def channel(ch, graph, pl, lists, h, r, npop):  # type: ignore[no-untyped-def]
    """Channel h's propensity at r, given r's living population `npop`."""
    v = raw(ch, graph, pl, lists, h, r)
    if v <= 0.0:
        return 0.0
    if ch.freq[h]:
        v = v / npop if npop > 0 else 0.0
    return v


@nb.njit(cache=True, nogil=True, inline="always")
def place_total(ch, graph, pl, lists, indirect, r):  # type: ignore[no-untyped-def]
    """The propensity at r of the channels drawn place by place: lists.by_place (`indirect`)
    or every channel. The population, for frequency mixing, is summed only when some channel is
    possible."""
    npop = -1.0
    total = 0.0
    for j in range(lists.by_place.size):
        h = lists.by_place[j] if indirect else j
        v = raw(ch, graph, pl, lists, h, r)
        if v > 0.0:
            if ch.freq[h]:
                if npop < 0.0:
                    npop = living(ch, pl, r)
                v = v / npop if npop > 0 else 0.0
            total += v
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def neighbour_sums(ch, graph, pl, p):  # type: ignore[no-untyped-def]
    """Fill p's neighbour sums: Σ over p's edges of weight × the count of each column's
    compartment at the other end."""
    for col in range(ch.b_comp.size):
        s = 0.0
        for e in range(graph.indptr[p], graph.indptr[p + 1]):
            w = 1.0 if graph.weights.size == 0 else graph.weights[e]
            s += w * pl.x[graph.indices[e], ch.b_comp[col]]
        pl.nbs[p, col] = s

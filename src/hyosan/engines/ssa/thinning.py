"""Drawing an ssa event from the lists of people (lists.py) by thinning, in the kernel.

An event drawn from the lists is, in order: a listed channel by its total rate (its bound ×
its entries) and an entry of its list uniformly (`pick`); a person who has left the
compartment since dropped (`drop_gone`, a null event); then the acceptance with probability
(the person's rate) / (the channel's bound), which for a move also draws the neighbour
(`accept`). `fetch_ahead` starts fetching the memory of the events that the buffered uniforms
say are likely next.

Compiled with inline="always" (see engines/kernel.py): they run at every event. They read the
named tuples' arrays in place (see propensity.py).
"""

from __future__ import annotations

import numba as nb

from hyosan.engines.ssa.prefetch import prefetch

__all__ = ["AHEAD", "accept", "drop_gone", "fetch_ahead", "lattice", "pick", "step", "totals"]

#: Events ahead whose list entry (AHEAD) and whose place and neighbour (AHEAD - 1) are fetched.
AHEAD = 3


@nb.njit(cache=True, nogil=True, inline="always")
def totals(lists, ltot, a0):  # type: ignore[no-untyped-def]
    """Fill each listed channel's total rate in ltot; a0 plus all of them, added in order."""
    for j in range(lists.listed.size):
        ltot[j] = lists.bound[lists.listed[j]] * lists.length[lists.channel_list[lists.listed[j]]]
        a0 += ltot[j]
    return a0


@nb.njit(cache=True, nogil=True, inline="always")
def pick(lists, ltot, target):  # type: ignore[no-untyped-def]
    """For a target uniform on [0, the lists' total rate): the listed channel, the slot of the
    drawn entry (-1 past the end, by round-off) and, from what is left of the target, a
    uniform on [0, the channel's bound) for the acceptance."""
    n_listed = lists.listed.size
    chosen = lists.listed[n_listed - 1]
    for j in range(n_listed):
        if target < ltot[j]:
            chosen = lists.listed[j]
            break
        target -= ltot[j]
    lst = lists.channel_list[chosen]
    n_e = lists.length[lst]
    if n_e == 0:
        return chosen, -1, 0.0
    u = target * lists.inv_bound[chosen]
    i = min(int(u), n_e - 1)
    return chosen, lists.start[lst] + i, (u - i) * lists.bound[chosen]


@nb.njit(cache=True, nogil=True, inline="always")
def lattice(lists):  # type: ignore[no-untyped-def]
    """(rows, columns, 1 / columns, periodic) of the lattice steps are drawn on (0 columns:
    steps go along the graph's edges)."""
    lat = lists.lattice
    rows = lat[0] if lat.size else 0
    cols = lat[1] if lat.size else 0
    return rows, cols, 1.0 / cols if cols else 0.0, lat.size > 0 and lat[2] != 0


@nb.njit(cache=True, nogil=True, inline="always")
def step(lat, p, k):  # type: ignore[no-untyped-def]
    """The lattice neighbour of p in direction k (0 up, 1 left, 2 right, 3 down), or -1 off the
    edge. Written without branches on k, which is random: a mispredicted branch costs more
    than the arithmetic. (p + 0.5) / columns is never within round-off of an integer, so the
    row is exact."""
    lat_rows, lat_cols, inv_cols, wrap = lat
    row = int((p + 0.5) * inv_cols)
    r2 = row + (k == 3) - (k == 0)
    c2 = p - row * lat_cols + (k == 2) - (k == 1)
    if wrap:
        r2 = r2 + lat_rows if r2 < 0 else (r2 - lat_rows if r2 >= lat_rows else r2)
        c2 = c2 + lat_cols if c2 < 0 else (c2 - lat_cols if c2 >= lat_cols else c2)
    elif r2 < 0 or r2 >= lat_rows or c2 < 0 or c2 >= lat_cols:
        return -1
    return r2 * lat_cols + c2


@nb.njit(cache=True, nogil=True, inline="always")
def _rows(pl, cols, r):  # type: ignore[no-untyped-def]
    # Start fetching the counts of the places above and below r on the lattice.
    if r >= cols:
        prefetch(pl.x, r - cols)
    if r + cols < pl.x.shape[0]:
        prefetch(pl.x, r + cols)


@nb.njit(cache=True, nogil=True, inline="always")
def fetch_ahead(ch, lists, ltot, lat, draws, drawn, a0, a_places, pl, groups):  # type: ignore[no-untyped-def]
    """Guess the events ahead from their buffered uniforms (`drawn`: this event's draw)
    and the rates now, which change little in a few events: start fetching the list entry of
    the one AHEAD, and the place and neighbour of the one before it (whose entry came last
    time). At a million places those fetches, not the arithmetic, were most of the time; a
    wrong guess costs a wasted fetch, nothing else."""
    mask = draws.uni.size - 1
    guess = draws.uni[(drawn + AHEAD) & mask] * a0 - a_places
    if guess >= 0.0:
        s3 = pick(lists, ltot, guess)[1]
        if s3 >= 0:
            prefetch(lists.ent, s3)
    guess = draws.uni[(drawn + AHEAD - 1) & mask] * a0 - a_places
    if guess >= 0.0:
        h2, s2, v2 = pick(lists, ltot, guess)
        if s2 >= 0:
            p2 = lists.ent[s2]
            prefetch(pl.x, p2)
            prefetch(groups.a, p2)
            prefetch(groups.grp, p2)
            if lists.dead.shape[1]:
                prefetch(lists.dead, p2)
            if lat[1] > 0 and ch.kind[h2] == 1:
                # A step that the neighbour sums count reads, to refresh the places around
                # both ends, the counts of the rows above and below them (neighbours.py).
                around = lists.nearby[h2]
                if around:
                    _rows(pl, lat[1], p2)
                q2 = step(lat, p2, min(int(4.0 * v2 * lists.inv_bound[h2]), 3))
                if q2 >= 0:
                    prefetch(pl.x, q2)
                    prefetch(groups.a, q2)
                    prefetch(pl.first_z, q2)
                    if around:
                        _rows(pl, lat[1], q2)


@nb.njit(cache=True, nogil=True, inline="always")
def drop_gone(lists, pl, lst, slot, p, rng):  # type: ignore[no-untyped-def]
    """Whether the entry in `slot` (list lst, at place p) is someone who has left the
    compartment: then it is dropped (a null event). People gone from p are not looked for in
    the list; each entry there is one of them with probability dead / (entries there)."""
    col = lists.dead_col[lst]
    if col >= 0 and lists.dead[p, col] > 0:
        k = lists.dead[p, col]
        if rng.random() * (pl.x[p, lists.comp[lst]] + k) < k:
            n_e = lists.length[lst]
            lists.ent[slot] = lists.ent[lists.start[lst] + n_e - 1]
            lists.length[lst] = n_e - 1
            lists.dead[p, col] = k - 1
            return True
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def accept(ch, graph, lat, chosen, p, v):  # type: ignore[no-untyped-def]
    """Whether listed channel `chosen` happens to the person at p, given v uniform on
    [0, its bound); and the neighbour a move goes to (-1 for other channels)."""
    rz = ch.rate[ch.zone[p] if ch.zone.size > 0 else 0, chosen]
    if ch.kind[chosen] == 1 and lat[1] > 0:
        # Accepted, v / rz is uniform on [0, 4): the direction. Off the edge of the lattice
        # is a null event.
        if v >= 4.0 * rz:
            return False, -1
        q = step(lat, p, min(int(v / rz), 3))
        return q >= 0, q
    if ch.kind[chosen] == 1:
        lo, hi = graph.indptr[p], graph.indptr[p + 1]
        unweighted = graph.weights.size == 0
        if v >= rz * (float(hi - lo) if unweighted else graph.wsum[p]):
            return False, -1  # null event
        # Accepted, v / rz is uniform on [0, the place's weight sum): the neighbour.
        target = v / rz
        if unweighted:
            return True, graph.indices[min(lo + int(target), hi - 1)]
        q = -1
        acc = 0.0
        for e in range(lo, hi):
            q = graph.indices[e]
            acc += graph.weights[e]
            if acc > target:
                break
        return True, q
    return v < rz, -1

"""The places' propensities sorted into groups, to draw a place with probability a[p] / a0.

Composition and rejection (Slepoy, Thompson & Plimpton 2008): a place sits in the group of the
power of two of its propensity, a[p] in [2^(g - OFFSET - 1), 2^(g - OFFSET)) for group g. A
group is picked by its sum, then a member uniformly, accepted with probability a[p] / (the
group's upper bound), which is at least 1/2. An event changes a handful of places, and each
change moves at most one place between groups, so a draw costs the same with ten places or
ten million.

Members live in one pool array; each group owns a slice of it, moved to the end with twice the
room when full, and the pool is compacted when its end is reached. The group sums are kept by
adding each change, so they drift by round-off: `tick` adds them up afresh every RESYNC events.

`rebuild` sorts every place from the propensities in `a`; `update` moves one place to a new
propensity; `total` is the sum of every group; `pick` draws a place. All but the rare pool
moves are compiled with inline="always": the kernel calls them for every event, and a call with
arrays costs a reference-count update per array.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from hyosan.engines.code_cache import kept_fresh

__all__ = [
    "GROUPS",
    "OFFSET",
    "RESYNC",
    "Groups",
    "new_groups",
    "pick",
    "rebuild",
    "resync",
    "tick",
    "total",
    "update",
]

#: Groups by binary exponent: a in [2^(g - OFFSET - 1), 2^(g - OFFSET)) is in group g.
OFFSET = 1100
GROUPS = 2 * OFFSET
#: Events between recomputations of the group sums (which drift by round-off).
RESYNC = 1 << 22

# meta: [pool_end, lowest group in use, highest group in use, events since the last resync]
_POOL_END, _GMIN, _GMAX, _SINCE = 0, 1, 2, 3


class Groups(NamedTuple):
    """Every place's propensity and the groups it sits in (an argument of the ssa kernels)."""

    a: np.ndarray  # float64 (places,): the propensity of each place
    grp: np.ndarray  # int16 (places,): its group, -1 when a[p] is 0
    pos: np.ndarray  # int32 (places,): its slot within its group's slice of the pool
    pool: np.ndarray  # int32: the members of every group, group g from start[g]
    start: np.ndarray  # int64 (GROUPS,): where each group's slice begins
    size: np.ndarray  # int64 (GROUPS,): its members
    cap: np.ndarray  # int64 (GROUPS,): the room of its slice
    sum: np.ndarray  # float64 (GROUPS,): the sum of its members' propensities
    meta: np.ndarray  # int64 [pool end, lowest group in use, highest, events since resync]


def new_groups(n_places: int) -> Groups:
    """Empty groups for n places (fill them with `rebuild`)."""
    return Groups(
        a=np.zeros(n_places),
        grp=np.full(n_places, -1, dtype=np.int16),
        pos=np.zeros(n_places, dtype=np.int32),
        # Room for every group to double once before the pool is compacted.
        pool=np.zeros(3 * n_places + 8 * GROUPS + 64, dtype=np.int32),
        start=np.zeros(GROUPS, dtype=np.int64),
        size=np.zeros(GROUPS, dtype=np.int64),
        cap=np.zeros(GROUPS, dtype=np.int64),
        sum=np.zeros(GROUPS),
        meta=np.zeros(4, dtype=np.int64),
    )


@nb.njit(cache=True, nogil=True, inline="always")
def group_of(a):  # type: ignore[no-untyped-def]
    """The group of a propensity a > 0."""
    _, e = math.frexp(a)
    return e + OFFSET


@kept_fresh
@nb.njit(cache=True, nogil=True)
def rebuild(gr):  # type: ignore[no-untyped-def]
    """Sort every place into its group from the propensities gr.a, each group with room for
    twice its members."""
    n = gr.a.size
    gr.size[:] = 0
    gr.sum[:] = 0.0
    gr.cap[:] = 0
    gr.start[:] = 0
    gr.meta[_GMIN] = GROUPS
    gr.meta[_GMAX] = -1
    gr.meta[_SINCE] = 0
    for p in range(n):
        v = gr.a[p]
        g = group_of(v) if v > 0.0 else -1
        gr.grp[p] = g
        if g >= 0:
            gr.size[g] += 1
    end = 0
    for g in range(GROUPS):
        gr.start[g] = end
        gr.cap[g] = 2 * gr.size[g] + 8 if gr.size[g] > 0 else 0
        end += gr.cap[g]
        if gr.size[g] > 0:
            gr.meta[_GMIN] = min(gr.meta[_GMIN], g)
            gr.meta[_GMAX] = max(gr.meta[_GMAX], g)
        gr.size[g] = 0
    gr.meta[_POOL_END] = end
    for p in range(n):
        g = gr.grp[p]
        if g >= 0:
            gr.pool[gr.start[g] + gr.size[g]] = p
            gr.pos[p] = gr.size[g]
            gr.size[g] += 1
            gr.sum[g] += gr.a[p]


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _compact(pool, gstart, gsize, gcap, meta, grow):  # type: ignore[no-untyped-def]
    # Lay the groups out again, each with room for twice its members (the growing one at
    # least one more).
    tmp = np.empty(meta[_POOL_END], dtype=pool.dtype)
    tmp[:] = pool[: meta[_POOL_END]]
    end = 0
    for g in range(gstart.size):
        size = gsize[g]
        cap = 2 * size + 8 if size > 0 or g == grow else 0
        for i in range(size):
            pool[end + i] = tmp[gstart[g] + i]
        gstart[g] = end
        gcap[g] = cap
        end += cap
    meta[_POOL_END] = end


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _grow(g, pool, gstart, gsize, gcap, meta):  # type: ignore[no-untyped-def]
    # Move group g's slice to the end of the pool with twice the room, compacting if needed.
    # Not inlined: it is rare, and its arrays are passed one by one so the call is cheap.
    new_cap = 2 * gcap[g] + 8
    if meta[_POOL_END] + new_cap > pool.size:
        _compact(pool, gstart, gsize, gcap, meta, g)
    else:
        start = meta[_POOL_END]
        for i in range(gsize[g]):
            pool[start + i] = pool[gstart[g] + i]
        gstart[g] = start
        gcap[g] = new_cap
        meta[_POOL_END] = start + new_cap


@nb.njit(cache=True, nogil=True, inline="always")
def update(gr, r, new):  # type: ignore[no-untyped-def]
    """Give place r the propensity `new`, moving it between groups if its group changes."""
    old = gr.a[r]
    if new == old:
        return
    g_old = np.int64(gr.grp[r])
    g_new = np.int64(group_of(new)) if new > 0.0 else np.int64(-1)
    if g_old == g_new:
        if g_new >= 0:
            gr.sum[g_new] += new - old
    else:
        if g_old >= 0:
            # Remove r from its group: the group's last member takes its slot.
            i = gr.pos[r]
            last = gr.pool[gr.start[g_old] + gr.size[g_old] - 1]
            gr.pool[gr.start[g_old] + i] = last
            gr.pos[last] = i
            gr.size[g_old] -= 1
            gr.sum[g_old] = gr.sum[g_old] - old if gr.size[g_old] > 0 else 0.0
        if g_new >= 0:
            if gr.size[g_new] == gr.cap[g_new]:  # rare: the slice is full
                _grow(g_new, gr.pool, gr.start, gr.size, gr.cap, gr.meta)
            gr.pool[gr.start[g_new] + gr.size[g_new]] = r
            gr.pos[r] = gr.size[g_new]
            gr.size[g_new] += 1
            gr.meta[_GMIN] = min(gr.meta[_GMIN], g_new)
            gr.meta[_GMAX] = max(gr.meta[_GMAX], g_new)
            gr.sum[g_new] += new
        gr.grp[r] = g_new
    gr.a[r] = new


@nb.njit(cache=True, nogil=True, inline="always")
def total(gr):  # type: ignore[no-untyped-def]
    """The sum of every place's propensity (after narrowing the range of groups in use)."""
    gmin, gmax = gr.meta[_GMIN], gr.meta[_GMAX]
    while gmin <= gmax and gr.size[gmin] == 0:
        gmin += 1
    while gmax >= gmin and gr.size[gmax] == 0:
        gmax -= 1
    gr.meta[_GMIN], gr.meta[_GMAX] = gmin, gmax
    s = 0.0
    for g in range(gmin, gmax + 1):
        s += gr.sum[g]
    return s


@nb.njit(cache=True, nogil=True, inline="always")
def pick(gr, target, rng):  # type: ignore[no-untyped-def]
    """The place drawn for `target`, uniform on [0, total(gr)): a group by its sum, then a
    member by rejection (one uniform from rng per try). Call after `total`."""
    gmin, gmax = gr.meta[_GMIN], gr.meta[_GMAX]
    g = gmax
    acc = 0.0
    for h in range(gmin, gmax + 1):
        acc += gr.sum[h]
        if acc > target and gr.size[h] > 0:
            g = h
            break
    while gr.size[g] == 0:  # round-off past the last group
        g -= 1
    bound = math.ldexp(1.0, g - OFFSET)
    while True:
        r = rng.random() * gr.size[g]
        i = int(r)
        p = gr.pool[gr.start[g] + i]
        if (r - i) * bound < gr.a[p]:
            return p


@kept_fresh
@nb.njit(cache=True, nogil=True)
def resync(gr):  # type: ignore[no-untyped-def]
    """Add every group's sum up afresh from its members."""
    for g in range(gr.size.size):
        s = 0.0
        for i in range(gr.size[g]):
            s += gr.a[gr.pool[gr.start[g] + i]]
        gr.sum[g] = s


@nb.njit(cache=True, nogil=True, inline="always")
def tick(gr):  # type: ignore[no-untyped-def]
    """Count one event; every RESYNC events, add the group sums up afresh."""
    gr.meta[_SINCE] += 1
    if gr.meta[_SINCE] >= RESYNC:
        resync(gr)
        gr.meta[_SINCE] = 0

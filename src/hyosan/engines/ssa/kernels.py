"""Numba kernels of the exact stochastic simulation over a graph of places.

Every place p has a total propensity a[p]: its own reactions (mass action on falling
factorials of its counts, divided by its population for frequency mixing), its people leaving
along edges, and the cross-edge reactions in which it holds the first reactant (which need the
weighted sum `nb` of the second reactant over its neighbours). The next event's place is drawn
by composition and rejection (Slepoy, Thompson & Plimpton 2008): places sit in groups by the
power of two of their propensity; a group is picked by its sum, then a member uniformly,
accepted with probability a[p] / (the group's upper bound), which is at least 1/2. An event
changes a handful of places, and each change moves at most one place between groups, so an
event costs the same with ten places or ten million.

Group members live in one pool array; each group owns a slice of it, moved to the end with
twice the room when full, and the pool is compacted when its end is reached.

Channels drawn from lists of people (lists.py) are left out of the places' propensities; their
total is the lists' lengths times their bounds, and one uniform picks between the places and
the lists. With lists, each event's wait and first uniform come from buffers filled ahead, so
the kernel knows the uniforms of the next two events: it guesses from them which list entries
those events will draw (the rates change little in one event) and prefetches the entry of the
event after next, and the place and neighbour of the next. At a million places those fetches,
not the arithmetic, were most of the time. A wrong guess costs a wasted fetch, nothing else.

The kernels draw from a numpy Generator passed in (Numba runs its bit generator), so the random
state is explicit and the results are the same wherever they run.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from hyosan.engines.ssa.prefetch import prefetch

__all__ = [
    "GROUPS",
    "STATUS_DONE",
    "STATUS_EDGE",
    "STATUS_LIST_FULL",
    "STATUS_LOG_FULL",
    "STATUS_STOPPED",
    "rebuild",
    "simulate",
    "simulate_lists",
]

STATUS_DONE = 0  # reached the end of the piece
STATUS_STOPPED = 2  # a stopping threshold was crossed
STATUS_LOG_FULL = 3  # the event log is full; grow it and call again
STATUS_EDGE = 4  # a zombie reached the border of the lattice (stop_at_edge)
STATUS_LIST_FULL = 5  # a list of people (lists.py) is full; grow it and call again

#: Groups by binary exponent: a in [2^(g - OFFSET - 1), 2^(g - OFFSET)) is in group g.
OFFSET = 1100
GROUPS = 2 * OFFSET
#: Events between recomputations of the group sums (which drift by round-off).
RESYNC = 1 << 22

# meta: [pool_end, gmin, gmax, events since resync, log length, buffered draws used, made]
_POOL_END, _GMIN, _GMAX, _SINCE, _LOG_N, _USED, _MADE = 0, 1, 2, 3, 4, 5, 6
#: Events ahead whose list entry (AHEAD) and whose place and neighbour (AHEAD - 1) are fetched.
AHEAD = 3


@nb.njit(cache=True, nogil=True, inline="always")
def _group_of(a):  # type: ignore[no-untyped-def]
    _, e = math.frexp(a)
    return e + OFFSET


@nb.njit(cache=True, nogil=True, inline="always")
def _wsum(p, indptr, weights, wsum):  # type: ignore[no-untyped-def]
    if weights.size == 0:
        return float(indptr[p + 1] - indptr[p])
    return wsum[p]


@nb.njit(cache=True, nogil=True, inline="always")
def _channel(h, p, x, npop, ch, nbs, indptr, weights, wsum):  # type: ignore[no-untyped-def]
    # Propensity of channel h at place p (see Channels in engines/spatial.py).
    kind = ch.kind[h]
    v = ch.rate[ch.zone[p] if ch.zone.size else 0, h]
    if kind == 0:
        for m in range(2):
            c = ch.comp[h, m]
            for i in range(ch.order[h, m]):
                v *= x[p, c] - i
    elif kind == 1:
        v *= x[p, ch.comp[h, 0]] * _wsum(p, indptr, weights, wsum)
    elif kind == 2:
        v *= x[p, ch.comp[h, 0]] * nbs[p, ch.comp[h, 1]]
    elif ch.toward[ch.comp[h, 1], p] >= 0:
        v *= x[p, ch.comp[h, 0]]
    else:
        v = 0.0
    if ch.freq[h]:
        v = v / npop if npop > 0 else 0.0
    return v if v > 0.0 else 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _npop(p, x, ch):  # type: ignore[no-untyped-def]
    if not ch.any_freq:
        return 0.0
    n = 0.0
    for c in range(x.shape[1]):
        if ch.in_pop[c]:
            n += x[p, c]
    return n


@nb.njit(cache=True, nogil=True, inline="always")
def _propensity(p, x, ch, by_place, nbs, indptr, weights, wsum):  # type: ignore[no-untyped-def]
    npop = _npop(p, x, ch)
    total = 0.0
    for j in range(by_place.size):
        total += _channel(by_place[j], p, x, npop, ch, nbs, indptr, weights, wsum)
    return total


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


@nb.njit(cache=True, nogil=True)
def _grow(g, pool, gstart, gsize, gcap, meta):  # type: ignore[no-untyped-def]
    # Move group g's slice to the end of the pool with twice the room, compacting if needed.
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


@nb.njit(cache=True, nogil=True)
def rebuild(  # type: ignore[no-untyped-def]
    x,
    ch,
    lists,
    nbs,
    indptr,
    indices,
    weights,
    wsum,
    a,
    grp,
    pos,
    pool,
    gstart,
    gsize,
    gcap,
    gsum,
    meta,
):
    """Compute the neighbour sums, every place's propensity (of the channels not drawn from
    lists) and the groups from the counts x."""
    n = x.shape[0]
    for p in range(n):
        for col in range(ch.b_comp.size):
            s = 0.0
            for e in range(indptr[p], indptr[p + 1]):
                w = 1.0 if weights.size == 0 else weights[e]
                s += w * x[indices[e], ch.b_comp[col]]
            nbs[p, col] = s
    gsize[:] = 0
    gsum[:] = 0.0
    gcap[:] = 0
    gstart[:] = 0
    meta[_GMIN] = GROUPS
    meta[_GMAX] = -1
    meta[_SINCE] = 0
    for p in range(n):
        v = _propensity(p, x, ch, lists.by_place, nbs, indptr, weights, wsum)
        a[p] = v
        g = _group_of(v) if v > 0.0 else -1
        grp[p] = g
        if g >= 0:
            gsize[g] += 1
    end = 0
    for g in range(GROUPS):
        gstart[g] = end
        gcap[g] = 2 * gsize[g] + 8 if gsize[g] > 0 else 0
        end += gcap[g]
        if gsize[g] > 0:
            meta[_GMIN] = min(meta[_GMIN], g)
            meta[_GMAX] = max(meta[_GMAX], g)
        gsize[g] = 0
    meta[_POOL_END] = end
    for p in range(n):
        g = grp[p]
        if g >= 0:
            pool[gstart[g] + gsize[g]] = p
            pos[p] = gsize[g]
            gsize[g] += 1
            gsum[g] += a[p]


@nb.njit(cache=True, nogil=True)
def _resync(a, pool, gstart, gsize, gsum):  # type: ignore[no-untyped-def]
    for g in range(gsize.size):
        s = 0.0
        for i in range(gsize[g]):
            s += a[pool[gstart[g] + i]]
        gsum[g] = s


def _simulate(with_lists: bool):  # type: ignore[no-untyped-def]
    # The kernel, compiled once without lists and once with them: `with_lists` is a constant to
    # Numba, so each version holds only its own code (the list path in the loop of the other
    # made the place-by-place kernel a quarter slower).

    @nb.njit(cache=True, nogil=True)
    def simulate(  # type: ignore[no-untyped-def]
        x,
        tot,
        ch,
        lists,
        nbs,
        indptr,
        indices,
        weights,
        wsum,
        tindptr,
        tindices,
        tweights,
        a,
        grp,
        pos,
        pool,
        gstart,
        gsize,
        gcap,
        gsum,
        meta,
        rng,
        ebuf,
        ubuf,
        t,
        t_end,
        include_end,
        out_times,
        out_values,
        out_next,
        snap_times,
        snaps,
        snap_next,
        first_z,
        edge,
        watch_weights,
        watch_levels,
        watch_below,
        watch_stop,
        watch_times,
        zombie_weights,
        peak,
        counts,
        log_on,
        log_t,
        log_k,
        log_p,
        log_q,
    ):
        """Advance from t towards t_end; return (t, out_next, snap_next, status).

        Arguments, in groups: the counts per place (changed here), their totals, the channels, the
        lists of people (lists.py) and the neighbour sums; the graph (CSR, weights, weight sums)
        and its edges reversed (the same arrays when the graph is symmetric); the selection
        structure (see `rebuild`); the random generator, and with lists the buffered first two
        draws of each event (exponential waits and uniforms); the clock; the records (output and
        snapshot times and arrays, the next of each); first-zombie times and the border mask; the
        watched levels; the zombie peak and the event counts; and the optional event log.
        """
        # The helpers below are closures, which Numba inlines: calling a compiled function with
        # arrays costs a reference-count update per array, which at tens of millions of events
        # was most of the time.
        n_c = x.shape[1]
        kind_, rate_, freq_, comp_, order_ = ch.kind, ch.rate, ch.freq, ch.comp, ch.order
        in_pop, any_freq = ch.in_pop, ch.any_freq
        zone_, toward_ = ch.zone, ch.toward
        zoned = zone_.size > 0
        unweighted = weights.size == 0
        by_place, n_bp = lists.by_place, lists.by_place.size
        listed, n_listed = lists.listed, lists.listed.size
        chlist, lbound, lcomp, of_comp = lists.channel_list, lists.bound, lists.comp, lists.of_comp
        ent, lstart, lcap, llen, dead, dead_col = (
            lists.ent,
            lists.start,
            lists.cap,
            lists.length,
            lists.dead,
            lists.dead_col,
        )
        covered, fate, margin = lists.covered, lists.fate, lists.margin
        linv = lists.inv_bound
        ltot = np.zeros(n_listed)  # each listed channel's total rate at this event
        mask = ubuf.size - 1  # the buffers' size is a power of two
        quick, affects, zombie = lists.quick, lists.affects, lists.zombie
        lat_rows = lists.lattice[0] if lists.lattice.size else 0
        lat_cols = lists.lattice[1] if lists.lattice.size else 0
        inv_cols = 1.0 / lat_cols if lat_cols else 0.0
        lat_wrap = lists.lattice.size > 0 and lists.lattice[2] != 0

        def due(times, nxt, t_next):  # type: ignore[no-untyped-def]
            # Whether record `nxt` falls in the wait [t, t_next) within this piece.
            if nxt >= times.size:
                return False
            at = times[nxt]
            return at < t_next and (at < t_end or (include_end and at == t_end))

        def npop_of(r):  # type: ignore[no-untyped-def]
            total = 0.0
            if any_freq:
                for c in range(n_c):
                    if in_pop[c]:
                        total += x[r, c]
            return total

        def raw(h, r):  # type: ignore[no-untyped-def]
            # Channel h's propensity at r before any division by the population (<= 0: none).
            kind = kind_[h]
            v = rate_[zone_[r] if zoned else 0, h]
            if kind == 0:
                for m in range(2):
                    o = order_[h, m]
                    if o > 0:
                        xc = x[r, comp_[h, m]]
                        if xc < o:
                            return 0.0  # a falling factorial that is zero
                        v *= xc
                        for i in range(1, o):
                            v *= xc - i
            elif kind == 1:
                w = float(indptr[r + 1] - indptr[r]) if unweighted else wsum[r]
                v *= x[r, comp_[h, 0]] * w
            elif kind == 2:
                v *= x[r, comp_[h, 0]] * nbs[r, comp_[h, 1]]
            elif toward_[comp_[h, 1], r] >= 0:
                v *= x[r, comp_[h, 0]]
            else:
                v = 0.0
            return v

        def channel(h, r, npop):  # type: ignore[no-untyped-def]
            v = raw(h, r)
            if v <= 0.0:
                return 0.0
            if freq_[h]:
                v = v / npop if npop > 0 else 0.0
            return v

        def prop(r):  # type: ignore[no-untyped-def]
            # The propensity of the channels drawn place by place; the population, for frequency
            # mixing, only when some channel is possible.
            npop = -1.0
            total = 0.0
            for j in range(n_bp):
                h = by_place[j] if with_lists else j
                v = raw(h, r)
                if v > 0.0:
                    if freq_[h]:
                        if npop < 0.0:
                            npop = npop_of(r)
                        v = v / npop if npop > 0 else 0.0
                    total += v
            return total

        def update(r):  # type: ignore[no-untyped-def]
            new = prop(r)
            old = a[r]
            if new == old:
                return
            g_old = np.int64(grp[r])
            g_new = np.int64(_group_of(new)) if new > 0.0 else np.int64(-1)
            if g_old == g_new:
                if g_new >= 0:
                    gsum[g_new] += new - old
            else:
                if g_old >= 0:
                    # Remove r from its group: the group's last member takes its slot.
                    i = pos[r]
                    last = pool[gstart[g_old] + gsize[g_old] - 1]
                    pool[gstart[g_old] + i] = last
                    pos[last] = i
                    gsize[g_old] -= 1
                    gsum[g_old] = gsum[g_old] - old if gsize[g_old] > 0 else 0.0
                if g_new >= 0:
                    if gsize[g_new] == gcap[g_new]:
                        _grow(g_new, pool, gstart, gsize, gcap, meta)  # rare: the slice is full
                    pool[gstart[g_new] + gsize[g_new]] = r
                    pos[r] = gsize[g_new]
                    gsize[g_new] += 1
                    meta[_GMIN] = min(meta[_GMIN], g_new)
                    meta[_GMAX] = max(meta[_GMAX], g_new)
                    gsum[g_new] += new
                grp[r] = g_new
            a[r] = new

        def done(t, chosen, p, q):  # type: ignore[no-untyped-def]
            # Count the event, log it, and now and then add the group sums up afresh.
            counts[chosen] += 1
            if log_on:
                i = meta[_LOG_N]
                log_t[i] = t
                log_k[i] = chosen
                log_p[i] = p
                log_q[i] = q
                meta[_LOG_N] = i + 1
            meta[_SINCE] += 1
            if meta[_SINCE] >= RESYNC:
                _resync(a, pool, gstart, gsize, gsum)
                meta[_SINCE] = 0

        def pick(target):  # type: ignore[no-untyped-def]
            # For a target uniform on [0, the lists' total rate): the listed channel, the slot of
            # the drawn entry (-1 past the end, by round-off) and, from what is left of the
            # target, a uniform on [0, the channel's bound) for the acceptance.
            chosen = listed[n_listed - 1]
            for j in range(n_listed):
                if target < ltot[j]:
                    chosen = listed[j]
                    break
                target -= ltot[j]
            lst = chlist[chosen]
            n_e = llen[lst]
            if n_e == 0:
                return chosen, -1, 0.0
            u = target * linv[chosen]
            i = min(int(u), n_e - 1)
            return chosen, lstart[lst] + i, (u - i) * lbound[chosen]

        def step(p, k):  # type: ignore[no-untyped-def]
            # The lattice neighbour of p in direction k (0 up, 1 left, 2 right, 3 down), or -1
            # off the edge. Written without branches on k, which is random: a mispredicted
            # branch costs more than the arithmetic. (p + 0.5) / columns is never within
            # round-off of an integer, so the row is exact.
            row = int((p + 0.5) * inv_cols)
            r2 = row + (k == 3) - (k == 0)
            c2 = p - row * lat_cols + (k == 2) - (k == 1)
            if lat_wrap:
                r2 = r2 + lat_rows if r2 < 0 else (r2 - lat_rows if r2 >= lat_rows else r2)
                c2 = c2 + lat_cols if c2 < 0 else (c2 - lat_cols if c2 >= lat_cols else c2)
            elif r2 < 0 or r2 >= lat_rows or c2 < 0 or c2 >= lat_cols:
                return -1
            return r2 * lat_cols + c2

        next_record = -np.inf  # the next output or snapshot time; found on the first event
        while True:
            if log_on and meta[_LOG_N] >= log_t.size:
                return t, out_next, snap_next, STATUS_LOG_FULL
            for lst in range(lcomp.size if with_lists else 0):
                if llen[lst] + margin > lcap[lst]:
                    return t, out_next, snap_next, STATUS_LIST_FULL
            gmin, gmax = meta[_GMIN], meta[_GMAX]
            while gmin <= gmax and gsize[gmin] == 0:
                gmin += 1
            while gmax >= gmin and gsize[gmax] == 0:
                gmax -= 1
            meta[_GMIN], meta[_GMAX] = gmin, gmax
            a_places = 0.0
            for g in range(gmin, gmax + 1):
                a_places += gsum[g]
            a0 = a_places
            for j in range(n_listed if with_lists else 0):
                ltot[j] = lbound[listed[j]] * llen[chlist[listed[j]]]
                a0 += ltot[j]
            # With nothing left to happen the state holds to the end.
            if with_lists:
                # With lists, each event's first two draws come from buffers, so that the next
                # event's place can be guessed, and fetched, while this one is carried out.
                # The buffers are rings: draw number i sits at i mod their size, and half of them
                # is refilled whenever fewer than AHEAD + 1 draws are left.
                used, made, half = meta[_USED], meta[_MADE], ubuf.size // 2
                if made - used <= AHEAD:
                    for i in range(made, made + half):
                        ebuf[i & mask] = rng.standard_exponential()
                        ubuf[i & mask] = rng.random()
                    meta[_MADE] = made + half
                at = used & mask
                meta[_USED] = used + 1
                t_next = t + ebuf[at] / a0 if a0 > 0.0 else np.inf
                u_event = ubuf[at]
            else:
                t_next = t + rng.standard_exponential() / a0 if a0 > 0.0 else np.inf
                u_event = -1.0
            # Record the state held on [t, t_next) at the output and snapshot times it covers
            # (one comparison per event in the common case that none falls in the wait).
            if t_next > next_record:
                while due(out_times, out_next, t_next):
                    for c in range(n_c):
                        out_values[out_next, c] = tot[c]
                    out_next += 1
                while due(snap_times, snap_next, t_next):
                    for p in range(x.shape[0]):
                        for c in range(n_c):
                            snaps[snap_next, p, c] = x[p, c]
                    snap_next += 1
                next_record = min(
                    out_times[out_next] if out_next < out_times.size else np.inf,
                    snap_times[snap_next] if snap_next < snap_times.size else np.inf,
                )
            if t_next > t_end:
                return t_end, out_next, snap_next, STATUS_DONE
            t = t_next

            target = (u_event if with_lists else rng.random()) * a0
            q = -1
            slot = -1  # the drawn list entry, when the event comes from a list
            if with_lists and target >= a_places:
                # --- a listed channel, a person in it, and whether the event happens (thinning)
                chosen, slot, v = pick(target - a_places)
                if slot < 0:
                    continue  # round-off past the last list: a null event
                lst = chlist[chosen]
                n_e = llen[lst]
                p = ent[slot]
                # Guess the events ahead from their buffered uniforms and the rates now (they
                # change little in a few events): start fetching the list entry of the one AHEAD,
                # and the place and neighbour of the one before it (whose entry came last time).
                nxt = meta[_USED] - 1  # this event's draw
                guess = ubuf[(nxt + AHEAD) & mask] * a0 - a_places
                if guess >= 0.0:
                    s3 = pick(guess)[1]
                    if s3 >= 0:
                        prefetch(ent, s3)
                guess = ubuf[(nxt + AHEAD - 1) & mask] * a0 - a_places
                if guess >= 0.0:
                    h2, s2, v2 = pick(guess)
                    if s2 >= 0:
                        p2 = ent[s2]
                        prefetch(x, p2)
                        prefetch(a, p2)
                        prefetch(grp, p2)
                        if dead.shape[1]:
                            prefetch(dead, p2)
                        if lat_cols > 0 and kind_[h2] == 1:
                            q2 = step(p2, min(int(4.0 * v2 * linv[h2]), 3))
                            if q2 >= 0:
                                prefetch(x, q2)
                                prefetch(a, q2)
                                prefetch(first_z, q2)
                c = lcomp[lst]
                col = dead_col[lst]
                if col >= 0 and dead[p, col] > 0:
                    k = dead[p, col]
                    if rng.random() * (x[p, c] + k) < k:
                        # Someone who has left the compartment: drop the entry (null event).
                        ent[slot] = ent[lstart[lst] + n_e - 1]
                        llen[lst] = n_e - 1
                        dead[p, col] = k - 1
                        continue
                rz = rate_[zone_[p] if zoned else 0, chosen]
                if kind_[chosen] == 1 and lat_cols > 0:
                    # Accepted, v / rz is uniform on [0, 4): the direction. Off the edge of the
                    # lattice is a null event.
                    if v >= 4.0 * rz:
                        continue
                    q = step(p, min(int(v / rz), 3))
                    if q < 0:
                        continue
                elif kind_[chosen] == 1:
                    lo, hi = indptr[p], indptr[p + 1]
                    if v >= rz * (float(hi - lo) if unweighted else wsum[p]):
                        continue  # null event
                    # Accepted, v / rz is uniform on [0, the place's weight sum): the neighbour.
                    target = v / rz
                    if unweighted:
                        q = indices[min(lo + int(target), hi - 1)]
                    else:
                        acc = 0.0
                        for e in range(lo, hi):
                            q = indices[e]
                            acc += weights[e]
                            if acc > target:
                                break
                elif v >= rz:
                    continue  # null event
            else:
                # --- which place: a group by its sum, then a member by rejection ---------------
                g = gmax
                acc = 0.0
                for h in range(gmin, gmax + 1):
                    acc += gsum[h]
                    if acc > target and gsize[h] > 0:
                        g = h
                        break
                while gsize[g] == 0:  # round-off past the last group
                    g -= 1
                bound = math.ldexp(1.0, g - OFFSET)
                while True:
                    r = rng.random() * gsize[g]
                    i = int(r)
                    p = pool[gstart[g] + i]
                    if (r - i) * bound < a[p]:
                        break

                # --- which channel of that place ----------------------------------------------
                npop = npop_of(p)
                target = rng.random() * a[p]
                acc = 0.0
                chosen = -1
                for j in range(n_bp):
                    h = by_place[j] if with_lists else j
                    v = channel(h, p, npop)
                    if v > 0.0:
                        chosen = h
                        acc += v
                        if acc > target:
                            break

            # --- the neighbour, for moves and cross-edge reactions -----------------------------
            kind = kind_[chosen]
            if slot >= 0:
                pass  # a listed channel's neighbour is drawn above
            elif kind == 3:
                q = toward_[comp_[chosen, 1], p]
            elif kind != 0:
                lo, hi = indptr[p], indptr[p + 1]
                if kind == 1 and unweighted:
                    q = indices[lo + int(rng.random() * (hi - lo))]
                else:
                    col = comp_[chosen, 1]
                    target = rng.random() * (wsum[p] if kind == 1 else nbs[p, col])
                    acc = 0.0
                    for e in range(lo, hi):
                        w = 1.0 if unweighted else weights[e]
                        v = w if kind == 1 else w * x[indices[e], ch.b_comp[col]]
                        if v > 0.0:
                            q = indices[e]
                            acc += v
                            if acc > target:
                                break
                if q < 0:
                    # Only round-off in a weighted neighbour sum can get here: nobody is left to
                    # meet. A null event (thinning) keeps the law exact; fix the sum.
                    nbs[p, comp_[chosen, 1]] = 0.0
                    update(p)
                    continue

            # --- apply it -----------------------------------------------------------------------
            stop_edge = False
            if with_lists and slot >= 0 and quick[chosen]:
                # A listed step that feeds no neighbour sums (most events on a lattice): the
                # general bookkeeping below, in short.
                c = lcomp[chlist[chosen]]
                x[p, c] -= 1
                x[q, c] += 1
                ent[slot] = q
                if zombie[c] and np.isnan(first_z[q]):
                    first_z[q] = t
                    stop_edge = edge.size > 0 and edge[q]
                if affects[c]:
                    update(p)
                    update(q)
                done(t, chosen, p, q)
                if stop_edge:
                    return t, out_next, snap_next, STATUS_EDGE
                continue
            touched_b = 0  # bit 0: p's neighbour sums changed; bit 1: q's
            for m in range(ch.d_n[chosen]):
                r = p if ch.d_side[chosen, m] == 0 else q
                c = ch.d_comp[chosen, m]
                d = ch.d_val[chosen, m]
                x[r, c] += d
                tot[c] += d
                col = ch.d_bcol[chosen, m]
                if col >= 0:
                    touched_b |= 1 << ch.d_side[chosen, m]
                    # Places that count r among their neighbours are those with an edge into r.
                    for e in range(tindptr[r], tindptr[r + 1]):
                        w = 1.0 if unweighted else tweights[e]
                        nbs[tindices[e], col] += w * d
                if ch.d_zup[chosen, m] and np.isnan(first_z[r]):
                    first_z[r] = t
                    if edge.size and edge[r]:
                        stop_edge = True
                lst = of_comp[c] if with_lists else -1
                if lst >= 0 and not (slot >= 0 and covered[chosen, m]):
                    if d > 0:  # newcomers join the list
                        for _ in range(d):
                            ent[lstart[lst] + llen[lst]] = r
                            llen[lst] += 1
                    else:  # leavers are dropped when drawn
                        dead[r, dead_col[lst]] -= d
            if with_lists and slot >= 0:
                if fate[chosen] == 1:  # the person moved
                    ent[slot] = q
                elif fate[chosen] == 2:  # the person left the compartment
                    lst = chlist[chosen]
                    llen[lst] -= 1
                    ent[slot] = ent[lstart[lst] + llen[lst]]
            for side in range(2):
                r = p if side == 0 else q
                if r < 0:
                    continue
                if touched_b & (1 << side):
                    for e in range(tindptr[r], tindptr[r + 1]):
                        update(tindices[e])
                update(r)
            done(t, chosen, p, q)

            # --- figures watched after every event that changes the totals ----------------------
            if ch.tot[chosen]:
                z = 0.0
                for c in range(n_c):
                    z += zombie_weights[c] * tot[c]
                if z > peak[0]:
                    peak[0] = z
                    peak[1] = t
                stop = False
                for w in range(watch_levels.size):
                    if np.isnan(watch_times[w]):
                        v = 0.0
                        for c in range(n_c):
                            v += watch_weights[w, c] * tot[c]
                        if (v < watch_levels[w]) if watch_below[w] else (v > watch_levels[w]):
                            watch_times[w] = t
                            if watch_stop[w]:
                                stop = True
                if stop:
                    return t, out_next, snap_next, STATUS_STOPPED
            if stop_edge:
                return t, out_next, snap_next, STATUS_EDGE

    return simulate


simulate = _simulate(False)
simulate_lists = _simulate(True)

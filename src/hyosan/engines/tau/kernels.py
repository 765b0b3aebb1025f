"""Numba kernel of the tau engine: binomial leaps with competing risks over a graph of places.

Every channel (engines/spatial.py's Channels, seen from the place of the person it consumes)
has a propensity a_h at a place. A channel that consumes one person of compartment c gives each
of the x_c people there the hazard λ_h = a_h / x_c, evaluated with the counts it depends on
moved half a step on by their drift; over a step τ the number who leave c is
Binomial(x_c, 1 − exp(−τ Σ_h λ_h)), shared among the channels in proportion to λ_h
(conditional binomials), and movers are shared among the neighbours in proportion to the edge
weights. A channel that consumes nobody (births) fires Poisson(a_h τ) times. Those who entered
a compartment during the step may leave it once more, with the chance of the time they had
left. Only people who are there leave, each at most once, so no count can fall below zero.

Only places where something can happen are visited: a place whose hazards are all zero leaves
the active list, and comes back when it or a neighbour changes (hazards depend on nothing
else), so a step costs time in proportion to the places the outbreak has reached.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

__all__ = ["STATUS_DONE", "STATUS_EDGE", "STATUS_STOPPED", "TauChannels", "simulate"]

STATUS_DONE = 0  # reached the end of the piece
STATUS_STOPPED = 2  # a stopping threshold was crossed
STATUS_EDGE = 4  # a zombie reached the border of the lattice (stop_at_edge)

#: Step control bounds the change of a count x to epsilon × max(x, FLOOR): at the default
#: epsilon of 0.03 that is Cao, Gillespie & Petzold's max(εx, 1), and unlike theirs it shrinks
#: with epsilon, so that the step goes to zero, and the leap to the exact process, as ε → 0.
FLOOR = 1.0 / 0.03

# meta: [number of active places, steps taken, places changed in this step]
_N_ACTIVE, _STEPS, _N_CHANGED = 0, 1, 2


class TauChannels(NamedTuple):
    """Channels as seen from the place of the person each one consumes.

    Channel h is a reaction within a place (kind 0), a person leaving along an edge (kind 1),
    a cross-edge reaction (kind 2) or a directed move (kind 3: to `toward[comp[1], p]`, at
    `rate` per person where that is not -1). `rate` has a row per zone, and `zone` gives each
    place's (zone 0 everywhere when empty), as in engines/spatial.py's Channels. `cons` is
    the compartment it consumes one person of (-1: it consumes nobody). Its propensity at
    place p is `rate` × (kind 0) the falling factorials of its reactants `comp` with orders
    `order`; (kind 1) x[p, cons] × the edge-weight sum of p;
    (kind 2) x[p, comp[0]] × the neighbour sum in column comp[1]; divided by p's living
    population when `freq`. Neighbour sum column k is Σ_q w_pq x[q, `col_comp[k]`], each term
    divided by q's living population when `col_freq[k]`. The channel's changes, all at p (a
    move adds its person at the neighbour), are `d_n` entries of `d_val` to `d_comp`.
    `by_cons[cons_start[c]:cons_start[c + 1]]` are the channels consuming c, `poisson` those
    consuming nobody. `watch` marks the compartments (and, last, the living population) on which
    some hazard depends: step control bounds their change.
    """

    kind: np.ndarray
    cons: np.ndarray
    rate: np.ndarray
    freq: np.ndarray
    comp: np.ndarray
    order: np.ndarray
    d_n: np.ndarray
    d_comp: np.ndarray
    d_val: np.ndarray
    col_comp: np.ndarray
    col_freq: np.ndarray
    cons_start: np.ndarray
    by_cons: np.ndarray
    poisson: np.ndarray
    in_pop: np.ndarray
    any_freq: bool
    any_move: bool
    watch: np.ndarray
    zmask: np.ndarray
    zone: np.ndarray
    toward: np.ndarray


@nb.njit(cache=True, nogil=True)
def simulate(  # type: ignore[no-untyped-def]
    x,
    tot,
    ch,  # counts per place (changed here), their totals, the channels
    indptr,
    indices,
    weights,
    wsum,  # the graph
    active,
    is_active,
    meta,  # the active places
    aprop,
    rowtot,
    nsum,
    xm,
    mu,
    s2,
    dx,
    changed,
    is_changed,  # work arrays
    rng,
    t,
    t_end,
    include_end,
    epsilon,
    max_step,  # random numbers, the clock and step control
    out_times,
    out_values,
    out_next,
    snap_times,
    snaps,
    snap_next,  # records
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
):
    """Leap from t towards t_end; return (t, out_next, snap_next, status)."""
    # The helpers are closures, which Numba inlines: a call to a compiled function costs a
    # reference-count update per array argument, and these run per place per step.
    n_c = x.shape[1]
    n_h = ch.rate.shape[1]
    n_k = ch.col_comp.size
    zone_, toward_ = ch.zone, ch.toward
    zoned = zone_.size > 0
    n_tw = toward_.shape[0]
    unweighted = weights.size == 0
    kind_, cons_, rate_, freq_, comp_, order_ = (
        ch.kind,
        ch.cons,
        ch.rate,
        ch.freq,
        ch.comp,
        ch.order,
    )
    in_pop, watch = ch.in_pop, ch.watch
    entered = np.zeros(n_c, dtype=np.int64)

    def npop_of(r, xs):  # type: ignore[no-untyped-def]
        total = 0.0
        for c in range(n_c):
            if in_pop[c]:
                total += xs[r, c]
        return total

    def wsum_of(r):  # type: ignore[no-untyped-def]
        return float(indptr[r + 1] - indptr[r]) if unweighted else wsum[r]

    def hazard(h, r, npop, xs):  # type: ignore[no-untyped-def]
        # Per person of the consumed compartment, or the propensity of a channel that
        # consumes nobody: computed without x[r, cons], so that people who enter the
        # compartment during a step have it too.
        kind = kind_[h]
        cons = cons_[h]
        v = rate_[zone_[r] if zoned else 0, h]
        if kind == 0:
            for m in range(2):
                c = comp_[h, m]
                first = 1 if c == cons else 0
                for i in range(first, order_[h, m]):
                    v *= xs[r, c] - i
        elif kind == 1:
            v *= wsum_of(r)
        elif kind == 3:
            if toward_[comp_[h, 1], r] < 0:
                v = 0.0
        else:
            v *= nsum[r, comp_[h, 1]]
            if cons < 0:
                v *= xs[r, comp_[h, 0]]
        if freq_[h]:
            v = v / npop if npop > 0 else 0.0
        return v if v > 0.0 else 0.0

    def add(r, c, d, a):  # type: ignore[no-untyped-def]
        # Drift and diffusion of compartment c at r from a channel of propensity a.
        mu[r, c] += d * a
        s2[r, c] += d * d * a
        if in_pop[c]:
            mu[r, n_c] += d * a
            s2[r, n_c] += d * d * a

    def bound(r, tau):  # type: ignore[no-untyped-def]
        # Cao, Gillespie & Petzold's step bound for the watched counts at r; clears r's sums.
        for j in range(n_c + 1):
            m, v = mu[r, j], s2[r, j]
            if watch[j] and (m != 0.0 or v > 0.0):
                level = x[r, j] if j < n_c else npop_of(r, x)
                lim = epsilon * max(level, FLOOR)
                if m != 0.0:
                    tau = min(tau, lim / abs(m))
                if v > 0.0:
                    tau = min(tau, lim * lim / v)
        return tau

    def midpoint(r, tau):  # type: ignore[no-untyped-def]
        # The counts at r half a step on, by their drift; clears r's sums. A falling count
        # decays exponentially at its current relative rate rather than linearly, so that a
        # long step cannot carry it to zero (and a hazard it drives to nothing).
        moving = False
        for j in range(n_c + 1):
            moving = moving or mu[r, j] != 0.0
            s2[r, j] = 0.0
        if moving:
            for c in range(n_c):
                m = mu[r, c]
                if m < 0.0 and x[r, c] > 0:
                    xm[r, c] = x[r, c] * math.exp(0.5 * tau * m / x[r, c])
                else:
                    xm[r, c] = max(0.0, x[r, c] + 0.5 * tau * m)
            for j in range(n_c + 1):
                mu[r, j] = 0.0

    def neighbour_sums(p, xs):  # type: ignore[no-untyped-def]
        for k in range(n_k):
            s = 0.0
            c = ch.col_comp[k]
            for e in range(indptr[p], indptr[p + 1]):
                q = indices[e]
                v = xs[q, c] * (1.0 if unweighted else weights[e])
                if ch.col_freq[k] and v > 0.0:
                    nq = npop_of(q, xs)
                    v = v / nq if nq > 0.0 else 0.0
                s += v
            nsum[p, k] = s

    def mark(r):  # type: ignore[no-untyped-def]
        if not is_changed[r]:
            is_changed[r] = True
            changed[meta[_N_CHANGED]] = r
            meta[_N_CHANGED] += 1

    def c_hazard(i, c):  # type: ignore[no-untyped-def]
        total = 0.0
        for j in range(ch.cons_start[c], ch.cons_start[c + 1]):
            total += aprop[i, ch.by_cons[j]]
        return total

    def fire(h, p, c, take, record):  # type: ignore[no-untyped-def]
        # Apply `take` firings of channel h at p (c: the compartment it consumes, or -1).
        counts[h] += take
        mark(p)
        if kind_[h] == 1:
            dx[p, c] -= take
            rest, wleft = take, wsum_of(p)
            lo_e, hi_e = indptr[p], indptr[p + 1]
            for e in range(lo_e, hi_e):
                w = 1.0 if unweighted else weights[e]
                k = rest if e == hi_e - 1 else rng.binomial(rest, min(1.0, w / wleft))
                wleft -= w
                if k > 0:
                    q = indices[e]
                    dx[q, c] += k
                    mark(q)
                    rest -= k
                if rest == 0:
                    break
        elif kind_[h] == 3:
            q = toward_[comp_[h, 1], p]
            dx[p, c] -= take
            dx[q, c] += take
            mark(q)
        else:
            for m in range(ch.d_n[h]):
                d = ch.d_val[h, m]
                dx[p, ch.d_comp[h, m]] += d * take
                if record and d > 0:
                    entered[ch.d_comp[h, m]] += d * take

    def leave(i, p, c, n_out, h_tot, record):  # type: ignore[no-untyped-def]
        # Share n_out people leaving c at p among c's channels by their hazards.
        last = -1
        for j in range(ch.cons_start[c], ch.cons_start[c + 1]):
            if aprop[i, ch.by_cons[j]] > 0.0:
                last = j
        for j in range(ch.cons_start[c], last + 1):
            if n_out == 0:
                break
            h = ch.by_cons[j]
            lam = aprop[i, h]
            if lam == 0.0:
                continue
            take = n_out if j == last else rng.binomial(n_out, min(1.0, lam / h_tot))
            h_tot -= lam
            n_out -= take
            if take > 0:
                fire(h, p, c, take, record)

    def in_piece(times, k):  # type: ignore[no-untyped-def]
        # Whether record k is due now, at t, within this piece.
        return (
            k < times.size
            and times[k] <= t
            and (times[k] < t_end or (include_end and times[k] == t_end))
        )

    while True:
        # --- records at t (steps land exactly on record times) ------------------------------
        while in_piece(out_times, out_next):
            for c in range(n_c):
                out_values[out_next, c] = tot[c]
            out_next += 1
        while in_piece(snap_times, snap_next):
            for p in range(x.shape[0]):
                for c in range(n_c):
                    snaps[snap_next, p, c] = x[p, c]
            snap_next += 1
        if t >= t_end:
            return t_end, out_next, snap_next, STATUS_DONE

        # --- propensities, neighbour sums, drift and diffusion of every active place --------
        n_active = meta[_N_ACTIVE]
        busy = False
        for i in range(n_active):
            p = active[i]
            neighbour_sums(p, x)
            npop = npop_of(p, x) if ch.any_freq else 0.0
            total = 0.0
            for h in range(n_h):
                lam = hazard(h, p, npop, x)
                aprop[i, h] = lam
                a = lam if cons_[h] < 0 else lam * x[p, cons_[h]]
                total += a
                if a == 0.0:
                    continue
                if kind_[h] == 1:
                    c = cons_[h]
                    add(p, c, -1.0, a)
                    share = a / wsum_of(p)
                    for e in range(indptr[p], indptr[p + 1]):
                        add(indices[e], c, 1.0, share * (1.0 if unweighted else weights[e]))
                elif kind_[h] == 3:
                    add(p, cons_[h], -1.0, a)
                    add(toward_[comp_[h, 1], p], cons_[h], 1.0, a)
                else:
                    for m in range(ch.d_n[h]):
                        add(p, ch.d_comp[h, m], float(ch.d_val[h, m]), a)
            rowtot[i] = total
            busy = busy or total > 0.0

        # --- the step: the bound, then the next record, the end of the piece, max_step ------
        tau = np.inf
        for i in range(n_active):
            p = active[i]
            tau = bound(p, tau)
            if ch.any_move:
                for e in range(indptr[p], indptr[p + 1]):
                    tau = bound(indices[e], tau)
            for k in range(n_tw):  # where directed moves from p arrive
                if toward_[k, p] >= 0:
                    tau = bound(toward_[k, p], tau)
        target = min(t_end, t + max_step)
        if out_next < out_times.size:
            target = min(target, out_times[out_next])
        if snap_next < snap_times.size:
            target = min(target, snap_times[snap_next])
        t_new = target if (not busy or t + tau >= target) else t + tau
        if t_new <= t:  # a step below the clock's resolution: take the smallest there is
            t_new = np.nextafter(t, np.inf)
        tau = t_new - t

        # --- hazards at the midpoint: the counts they depend on moved on by half a step -----
        # (the midpoint leap of Anderson & Mattingly 2011: its bias falls as τ², not τ)
        for i in range(n_active):
            p = active[i]
            midpoint(p, tau)
            if ch.any_move:
                for e in range(indptr[p], indptr[p + 1]):
                    midpoint(indices[e], tau)
            for k in range(n_tw):
                if toward_[k, p] >= 0:
                    midpoint(toward_[k, p], tau)
        for i in range(n_active if busy else 0):
            if rowtot[i] == 0.0:
                continue
            p = active[i]
            neighbour_sums(p, xm)
            npop = npop_of(p, xm) if ch.any_freq else 0.0
            for h in range(n_h):
                aprop[i, h] = hazard(h, p, npop, xm)

        # --- the leaps ----------------------------------------------------------------------
        # First the people present at the start; then those who entered a compartment during
        # the step, each with the chance of leaving it again in the time left (their entry
        # times taken as uniform): 1 − (1 − e^{−Hτ}) / (Hτ). What they turn into stays put.
        meta[_N_CHANGED] = 0
        for i in range(n_active if busy else 0):
            if rowtot[i] == 0.0:
                continue
            p = active[i]
            for c in range(n_c):
                entered[c] = 0
            for c in range(n_c):
                if x[p, c] > 0:
                    h_tot = c_hazard(i, c)
                    if h_tot > 0.0:
                        n_out = rng.binomial(x[p, c], -math.expm1(-h_tot * tau))
                        leave(i, p, c, n_out, h_tot, True)
            for j in range(ch.poisson.size):
                h = ch.poisson[j]
                a = aprop[i, h]
                if a > 0.0:
                    take = rng.poisson(a * tau)
                    if take > 0:
                        fire(h, p, -1, take, True)
            for c in range(n_c):
                if entered[c] > 0:
                    h_tot = c_hazard(i, c)
                    if h_tot > 0.0:
                        y = h_tot * tau
                        q = 0.5 * y if y < 1e-6 else 1.0 + math.expm1(-y) / y
                        leave(i, p, c, rng.binomial(entered[c], q), h_tot, False)
        t = t_new
        meta[_STEPS] += 1

        # --- apply the changes, then keep the places where something can still happen ------
        stop_edge = False
        n_changed = meta[_N_CHANGED]
        for j in range(n_changed):
            r = changed[j]
            zup = False
            for c in range(n_c):
                d = dx[r, c]
                if d != 0:
                    x[r, c] += d
                    tot[c] += d
                    dx[r, c] = 0
                    if ch.zmask[c] and d > 0:
                        zup = True
            if zup and np.isnan(first_z[r]):
                first_z[r] = t
                if edge.size and edge[r]:
                    stop_edge = True
        for i in range(n_active):  # the midpoint counts back to the counts
            p = active[i]
            for c in range(n_c):
                xm[p, c] = x[p, c]
            if ch.any_move:
                for e in range(indptr[p], indptr[p + 1]):
                    for c in range(n_c):
                        xm[indices[e], c] = x[indices[e], c]
            for k in range(n_tw):
                q = toward_[k, p]
                if q >= 0:
                    for c in range(n_c):
                        xm[q, c] = x[q, c]
        for j in range(n_changed):
            for c in range(n_c):
                xm[changed[j], c] = x[changed[j], c]
        kept = 0
        for i in range(n_active):
            p = active[i]
            if rowtot[i] > 0.0:
                active[kept] = p
                kept += 1
            else:
                is_active[p] = False
        for j in range(n_changed):
            r = changed[j]
            is_changed[r] = False
            if not is_active[r]:
                is_active[r] = True
                active[kept] = r
                kept += 1
            for e in range(indptr[r], indptr[r + 1]):
                q = indices[e]
                if not is_active[q]:
                    is_active[q] = True
                    active[kept] = q
                    kept += 1
        meta[_N_ACTIVE] = kept

        # --- figures watched after every step that changed something -------------------------
        if n_changed:
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

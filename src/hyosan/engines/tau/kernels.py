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

One step, in order (`simulate`): record at t; stop at the end of the piece; the hazards,
neighbour sums, drift and diffusion of every active place (`_rates`); the step τ (`_step`);
the hazards at the midpoint (`_midpoint_hazards`); the leaps (`_leaps`); the changes applied
and the first-zombie times (`_apply`); the midpoint counts back to the counts and the active
places kept (`_settle`); the zombie peak and the thresholds (engines/kernel.py).

The helpers are compiled with inline="always": a call to a compiled function costs a
reference-count update per array argument, and these run per place per step.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from hyosan.engines import kernel
from hyosan.engines.code_cache import kept_fresh
from hyosan.engines.kernel import Status
from hyosan.engines.ssa.pipeline import NO_NRT, Kernel
from hyosan.engines.tau import draws

__all__ = ["TauChannels", "Work", "run_global", "simulate"]

#: Step control bounds the change of a count x to epsilon × max(x, FLOOR): at the default
#: epsilon of 0.03 that is Cao, Gillespie & Petzold's max(εx, 1), and unlike theirs it shrinks
#: with epsilon, so that the step goes to zero, and the leap to the exact process, as ε → 0.
FLOOR = 1.0 / 0.03

# meta: [number of active places, steps taken, places changed in this step]
_N_ACTIVE, _STEPS, _N_CHANGED = 0, 1, 2

#: The kernels pause (Status.PAUSED) after kernel.PAUSE_EVERY >> PAUSE_SHIFT places stepped:
#: a place's step costs about as much as eight ssa events, so a call still takes about a
#: second.
PAUSE_SHIFT = 3


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
    some hazard depends: step control bounds their change. For local stepping's bound on what
    one event at a neighbour does to a place's cross-edge hazards (local._nudge): `cross` are
    the cross-edge channels in order, `shift_n[g]` how channel g changes its place's living
    population, `shift[g, k]` how it changes the count that neighbour sum column k reads, and
    `movers` whether any channel moves a person (kind 1 or 3). `touch[h, c]` is whether
    channel h changes count c of the place whose person it consumes (the last column: its
    living population).
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
    cross: np.ndarray
    shift_n: np.ndarray
    shift: np.ndarray
    movers: bool
    touch: np.ndarray


class Work(NamedTuple):
    """The kernel's work arrays, kept between calls (`active`, `is_active` and `meta`) or
    cleared as they are used."""

    active: np.ndarray  # int64 (places,): the places visited, meta[0] of them
    is_active: np.ndarray  # bool (places,)
    meta: np.ndarray  # int64 [active places, steps taken, places changed in this step]
    aprop: np.ndarray  # (places, channels): the hazards of the i-th active place
    rowtot: np.ndarray  # (places,): the total propensity of the i-th active place
    xm: np.ndarray  # float64 (places, compartments): the counts at the midpoint of the step
    mu: np.ndarray  # (places, compartments + 1): drift per unit time (last: the population)
    s2: np.ndarray  # (places, compartments + 1): variance per unit time
    dx: np.ndarray  # int64 (places, compartments): the changes of the step
    changed: np.ndarray  # int64 (places,): the places changed in this step
    is_changed: np.ndarray  # bool (places,)
    entered: np.ndarray  # int64 (compartments,): who entered each compartment at one place


@nb.njit(cache=True, nogil=True, inline="always")
def _npop(ch, xs, r):  # type: ignore[no-untyped-def]
    total = 0.0
    for c in range(xs.shape[1]):
        if ch.in_pop[c]:
            total += xs[r, c]
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def _wsum(graph, r):  # type: ignore[no-untyped-def]
    if graph.weights.size == 0:
        return float(graph.indptr[r + 1] - graph.indptr[r])
    return graph.wsum[r]


@nb.njit(cache=True, nogil=True, inline="always")
def _hazard(ch, graph, nsum, xs, h, r, npop):  # type: ignore[no-untyped-def]
    # Per person of the consumed compartment, or the propensity of a channel that consumes
    # nobody: computed without x[r, cons], so that people who enter the compartment during a
    # step have it too.
    kind = ch.kind[h]
    cons = ch.cons[h]
    v = ch.rate[ch.zone[r] if ch.zone.size > 0 else 0, h]
    if kind == 0:
        for m in range(2):
            c = ch.comp[h, m]
            first = 1 if c == cons else 0
            for i in range(first, ch.order[h, m]):
                v *= xs[r, c] - i
    elif kind == 1:
        v *= _wsum(graph, r)
    elif kind == 3:
        if ch.toward[ch.comp[h, 1], r] < 0:
            v = 0.0
    else:
        v *= nsum[r, ch.comp[h, 1]]
        if cons < 0:
            v *= xs[r, ch.comp[h, 0]]
    if ch.freq[h]:
        v = v / npop if npop > 0 else 0.0
    return v if v > 0.0 else 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _neighbour_sums(ch, graph, nsum, xs, p):  # type: ignore[no-untyped-def]
    unweighted = graph.weights.size == 0
    for k in range(ch.col_comp.size):
        s = 0.0
        c = ch.col_comp[k]
        for e in range(graph.indptr[p], graph.indptr[p + 1]):
            q = graph.indices[e]
            v = xs[q, c] * (1.0 if unweighted else graph.weights[e])
            if ch.col_freq[k] and v > 0.0:
                nq = _npop(ch, xs, q)
                v = v / nq if nq > 0.0 else 0.0
            s += v
        nsum[p, k] = s


@nb.njit(cache=True, nogil=True, inline="always")
def _add(ch, w, r, c, d, a):  # type: ignore[no-untyped-def]
    # Drift and diffusion of compartment c at r from a channel of propensity a.
    n_c = ch.in_pop.size
    w.mu[r, c] += d * a
    w.s2[r, c] += d * d * a
    if ch.in_pop[c]:
        w.mu[r, n_c] += d * a
        w.s2[r, n_c] += d * d * a


@nb.njit(cache=True, nogil=True, inline="always")
def _drift(pl, ch, graph, w, h, p, a):  # type: ignore[no-untyped-def]
    # Add the drift and diffusion that channel h of propensity a at p gives the counts.
    if ch.kind[h] == 1:
        c = ch.cons[h]
        _add(ch, w, p, c, -1.0, a)
        share = a / _wsum(graph, p)
        for e in range(graph.indptr[p], graph.indptr[p + 1]):
            weight = 1.0 if graph.weights.size == 0 else graph.weights[e]
            _add(ch, w, graph.indices[e], c, 1.0, share * weight)
    elif ch.kind[h] == 3:
        _add(ch, w, p, ch.cons[h], -1.0, a)
        _add(ch, w, ch.toward[ch.comp[h, 1], p], ch.cons[h], 1.0, a)
    else:
        for m in range(ch.d_n[h]):
            _add(ch, w, p, ch.d_comp[h, m], float(ch.d_val[h, m]), a)


@nb.njit(cache=True, nogil=True, inline="always")
def _rates(pl, ch, graph, w):  # type: ignore[no-untyped-def]
    # The hazards, neighbour sums, drift and diffusion of every active place; whether
    # anything can happen anywhere.
    # Arrays passed on are bound once here: one passed as `pl.x` in the loop would be a
    # reference taken and dropped at every pass (see ssa/pipeline.py).
    x, nsum = pl.x, pl.nbs
    busy = False
    for i in range(w.meta[_N_ACTIVE]):
        p = w.active[i]
        _neighbour_sums(ch, graph, nsum, x, p)
        npop = _npop(ch, x, p) if ch.any_freq else 0.0
        total = 0.0
        for h in range(ch.kind.size):
            lam = _hazard(ch, graph, nsum, x, h, p, npop)
            w.aprop[i, h] = lam
            a = lam if ch.cons[h] < 0 else lam * x[p, ch.cons[h]]
            total += a
            if a != 0.0:
                _drift(pl, ch, graph, w, h, p, a)
        w.rowtot[i] = total
        busy = busy or total > 0.0
    return busy


@nb.njit(cache=True, nogil=True, inline="always")
def _bound(pl, ch, w, r, tau, epsilon):  # type: ignore[no-untyped-def]
    # Cao, Gillespie & Petzold's step bound for the watched counts at r.
    n_c = pl.x.shape[1]
    for j in range(n_c + 1):
        m, v = w.mu[r, j], w.s2[r, j]
        if ch.watch[j] and (m != 0.0 or v > 0.0):
            level = pl.x[r, j] if j < n_c else _npop(ch, pl.x, r)
            lim = epsilon * max(level, FLOOR)
            if m != 0.0:
                tau = min(tau, lim / abs(m))
            if v > 0.0:
                tau = min(tau, lim * lim / v)
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _step(pl, ch, graph, w, rec, busy, t, clock, epsilon, max_step):  # type: ignore[no-untyped-def]
    # The end of the step: by the bound at every place an active place's changes reach, then
    # cut to the next record, the end of the piece and max_step.
    tau = np.inf
    n_tw = ch.toward.shape[0]
    for i in range(w.meta[_N_ACTIVE]):
        p = w.active[i]
        tau = _bound(pl, ch, w, p, tau, epsilon)
        if ch.any_move:
            for e in range(graph.indptr[p], graph.indptr[p + 1]):
                tau = _bound(pl, ch, w, graph.indices[e], tau, epsilon)
        for k in range(n_tw):  # where directed moves from p arrive
            if ch.toward[k, p] >= 0:
                tau = _bound(pl, ch, w, ch.toward[k, p], tau, epsilon)
    target = min(clock.end, t + max_step)
    k, s = rec.cursor[0], rec.cursor[1]
    if k < rec.times.size:
        target = min(target, rec.times[k])
    if s < rec.snap_times.size:
        target = min(target, rec.snap_times[s])
    t_new = target if (not busy or t + tau >= target) else t + tau
    if t_new <= t:  # a step below the clock's resolution: take the smallest there is
        t_new = np.nextafter(t, np.inf)
    return t_new


@nb.njit(cache=True, nogil=True, inline="always")
def _midpoint(pl, w, r, tau):  # type: ignore[no-untyped-def]
    # The counts at r half a step on, by their drift; clears r's sums. A falling count decays
    # exponentially at its current relative rate rather than linearly, so that a long step
    # cannot carry it to zero (and a hazard it drives to nothing).
    n_c = pl.x.shape[1]
    moving = False
    for j in range(n_c + 1):
        moving = moving or w.mu[r, j] != 0.0
        w.s2[r, j] = 0.0
    if moving:
        for c in range(n_c):
            m = w.mu[r, c]
            if m < 0.0 and pl.x[r, c] > 0:
                w.xm[r, c] = pl.x[r, c] * math.exp(0.5 * tau * m / pl.x[r, c])
            else:
                w.xm[r, c] = max(0.0, pl.x[r, c] + 0.5 * tau * m)
        for j in range(n_c + 1):
            w.mu[r, j] = 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _midpoint_hazards(pl, ch, graph, w, tau, busy):  # type: ignore[no-untyped-def]
    # Hazards at the midpoint: the counts they depend on moved on by half a step (the midpoint
    # leap of Anderson & Mattingly 2011: its bias falls as τ², not τ).
    n_active = w.meta[_N_ACTIVE]
    for i in range(n_active):
        p = w.active[i]
        _midpoint(pl, w, p, tau)
        if ch.any_move:
            for e in range(graph.indptr[p], graph.indptr[p + 1]):
                _midpoint(pl, w, graph.indices[e], tau)
        for k in range(ch.toward.shape[0]):
            if ch.toward[k, p] >= 0:
                _midpoint(pl, w, ch.toward[k, p], tau)
    xm, nsum = w.xm, pl.nbs  # bound once (see _rates)
    for i in range(n_active if busy else 0):
        if w.rowtot[i] == 0.0:
            continue
        p = w.active[i]
        _neighbour_sums(ch, graph, nsum, xm, p)
        npop = _npop(ch, xm, p) if ch.any_freq else 0.0
        for h in range(ch.kind.size):
            w.aprop[i, h] = _hazard(ch, graph, nsum, xm, h, p, npop)


@nb.njit(cache=True, nogil=True, inline="always")
def _mark(w, r):  # type: ignore[no-untyped-def]
    if not w.is_changed[r]:
        w.is_changed[r] = True
        w.changed[w.meta[_N_CHANGED]] = r
        w.meta[_N_CHANGED] += 1


@nb.njit(cache=True, nogil=True, inline="always")
def _c_hazard(ch, w, i, c):  # type: ignore[no-untyped-def]
    total = 0.0
    for j in range(ch.cons_start[c], ch.cons_start[c + 1]):
        total += w.aprop[i, ch.by_cons[j]]
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def _fire(ch, graph, w, gen, counts, h, p, c, take, record):  # type: ignore[no-untyped-def]
    # Apply `take` firings of channel h at p (c: the compartment it consumes, or -1).
    counts[h] += take
    _mark(w, p)
    if ch.kind[h] == 1:
        w.dx[p, c] -= take
        rest, wleft = take, _wsum(graph, p)
        lo_e, hi_e = graph.indptr[p], graph.indptr[p + 1]
        for e in range(lo_e, hi_e):
            weight = 1.0 if graph.weights.size == 0 else graph.weights[e]
            k = rest if e == hi_e - 1 else draws.binomial(gen, rest, min(1.0, weight / wleft))
            wleft -= weight
            if k > 0:
                q = graph.indices[e]
                w.dx[q, c] += k
                _mark(w, q)
                rest -= k
            if rest == 0:
                break
    elif ch.kind[h] == 3:
        q = ch.toward[ch.comp[h, 1], p]
        w.dx[p, c] -= take
        w.dx[q, c] += take
        _mark(w, q)
    else:
        for m in range(ch.d_n[h]):
            d = ch.d_val[h, m]
            w.dx[p, ch.d_comp[h, m]] += d * take
            if record and d > 0:
                w.entered[ch.d_comp[h, m]] += d * take


@nb.njit(cache=True, nogil=True, inline="always")
def _leave(ch, graph, w, gen, counts, i, p, c, n_out, h_tot, record):  # type: ignore[no-untyped-def]
    # Share n_out people leaving c at p among c's channels by their hazards.
    last = -1
    for j in range(ch.cons_start[c], ch.cons_start[c + 1]):
        if w.aprop[i, ch.by_cons[j]] > 0.0:
            last = j
    for j in range(ch.cons_start[c], last + 1):
        if n_out == 0:
            break
        h = ch.by_cons[j]
        lam = w.aprop[i, h]
        if lam == 0.0:
            continue
        take = n_out if j == last else draws.binomial(gen, n_out, min(1.0, lam / h_tot))
        h_tot -= lam
        n_out -= take
        if take > 0:
            _fire(ch, graph, w, gen, counts, h, p, c, take, record)


@nb.njit(cache=True, nogil=True, inline="always")
def _leap_place(pl, ch, graph, w, gen, counts, i, p, tau):  # type: ignore[no-untyped-def]
    # One place's leap over τ with the hazards of row i of w.aprop: first the people present
    # at the start; then those who entered a compartment during the step, each with the
    # chance of leaving it again in the time left (their entry times taken as uniform):
    # 1 − (1 − e^{−Hτ}) / (Hτ). What they turn into stays put.
    n_c = pl.x.shape[1]
    for c in range(n_c):
        w.entered[c] = 0
    for c in range(n_c):
        if pl.x[p, c] > 0:
            h_tot = _c_hazard(ch, w, i, c)
            if h_tot > 0.0:
                n_out = draws.binomial(gen, pl.x[p, c], -math.expm1(-h_tot * tau))
                _leave(ch, graph, w, gen, counts, i, p, c, n_out, h_tot, True)
    for j in range(ch.poisson.size):
        h = ch.poisson[j]
        a = w.aprop[i, h]
        if a > 0.0:
            take = draws.poisson(gen, a * tau)
            if take > 0:
                _fire(ch, graph, w, gen, counts, h, p, -1, take, True)
    for c in range(n_c):
        if w.entered[c] > 0:
            h_tot = _c_hazard(ch, w, i, c)
            if h_tot > 0.0:
                y = h_tot * tau
                q = 0.5 * y if y < 1e-6 else 1.0 + math.expm1(-y) / y
                n_out = draws.binomial(gen, w.entered[c], q)
                _leave(ch, graph, w, gen, counts, i, p, c, n_out, h_tot, False)


@nb.njit(cache=True, nogil=True, inline="always")
def _leaps(pl, ch, graph, w, gen, counts, tau, busy):  # type: ignore[no-untyped-def]
    # Every busy active place leaps (_leap_place), in the order of the active list.
    w.meta[_N_CHANGED] = 0
    for i in range(w.meta[_N_ACTIVE] if busy else 0):
        if w.rowtot[i] != 0.0:
            _leap_place(pl, ch, graph, w, gen, counts, i, w.active[i], tau)


@nb.njit(cache=True, nogil=True, inline="always")
def _apply(pl, ch, w, t):  # type: ignore[no-untyped-def]
    # Apply the step's changes and the first-zombie times; whether a zombie reached the border.
    stop_edge = False
    for j in range(w.meta[_N_CHANGED]):
        r = w.changed[j]
        zup = False
        for c in range(pl.x.shape[1]):
            d = w.dx[r, c]
            if d != 0:
                pl.x[r, c] += d
                pl.tot[c] += d
                w.dx[r, c] = 0
                if ch.zmask[c] and d > 0:
                    zup = True
        if zup and np.isnan(pl.first_z[r]):
            pl.first_z[r] = t
            if pl.edge.size and pl.edge[r]:
                stop_edge = True
    return stop_edge


@nb.njit(cache=True, nogil=True, inline="always")
def _copy_counts(pl, w, r):  # type: ignore[no-untyped-def]
    for c in range(pl.x.shape[1]):
        w.xm[r, c] = pl.x[r, c]


@nb.njit(cache=True, nogil=True, inline="always")
def _settle(pl, ch, graph, w):  # type: ignore[no-untyped-def]
    # The midpoint counts back to the counts, then keep the places where something can still
    # happen: those busy in this step, and those changed and their neighbours.
    n_active, n_changed = w.meta[_N_ACTIVE], w.meta[_N_CHANGED]
    for i in range(n_active):
        p = w.active[i]
        _copy_counts(pl, w, p)
        if ch.any_move:
            for e in range(graph.indptr[p], graph.indptr[p + 1]):
                _copy_counts(pl, w, graph.indices[e])
        for k in range(ch.toward.shape[0]):
            q = ch.toward[k, p]
            if q >= 0:
                _copy_counts(pl, w, q)
    for j in range(n_changed):
        _copy_counts(pl, w, w.changed[j])
    kept = 0
    for i in range(n_active):
        p = w.active[i]
        if w.rowtot[i] > 0.0:
            w.active[kept] = p
            kept += 1
        else:
            w.is_active[p] = False
    for j in range(n_changed):
        r = w.changed[j]
        w.is_changed[r] = False
        if not w.is_active[r]:
            w.is_active[r] = True
            w.active[kept] = r
            kept += 1
        for e in range(graph.indptr[r], graph.indptr[r + 1]):
            q = graph.indices[e]
            if not w.is_active[q]:
                w.is_active[q] = True
                w.active[kept] = q
                kept += 1
    w.meta[_N_ACTIVE] = kept


@nb.njit(cache=True, nogil=True, inline="always")
def _record(rec, pl, t, clock):  # type: ignore[no-untyped-def]
    # Records due at t (steps land exactly on record times): kernel.due takes the records
    # before its time argument, and the float after t puts t itself in.
    after = np.nextafter(t, np.inf)
    while kernel.due(rec.times, rec.cursor[0], after, clock.end, clock.include_end):
        kernel.write_totals(rec, pl.tot)
    while kernel.due(rec.snap_times, rec.cursor[1], after, clock.end, clock.include_end):
        kernel.write_snapshot(rec, pl.x)


# The Kernel pipeline lets the inlined helpers read the named tuples in place (ssa/pipeline.py).
@kept_fresh
@nb.njit(cache=True, nogil=True, pipeline_class=Kernel, **NO_NRT)
def simulate(pl, ch, graph, w, gen, clock, epsilon, max_step, rec, watched, counts):  # type: ignore[no-untyped-def]
    """Leap from clock.t towards clock.end; return (t, status).

    Arguments: the places' counts (population.Places; `nbs` holds the neighbour sums of
    TauChannels' columns), the channels, the graph (population.Graph), the work arrays, the
    state words of the run's PCG64 (ssa/pcg.py's `load`; draws.py steps them), the clock,
    step control (ε and the longest step), the records, the watch and the event counts
    (engines/kernel.py).
    """
    return run_global(pl, ch, graph, w, gen, clock, epsilon, max_step, rec, watched, counts)


@nb.njit(cache=True, nogil=True, inline="always")
def run_global(pl, ch, graph, w, gen, clock, epsilon, max_step, rec, watched, counts):  # type: ignore[no-untyped-def]
    """simulate's loop, inlined there and into the kernels compiled for one model's channels
    (model_kernel.py)."""
    t = clock.t
    taken = 0  # places leapt in this call, for the pause (kernel.PAUSE_EVERY)
    while True:
        _record(rec, pl, t, clock)
        if t >= clock.end:
            return clock.end, Status.DONE
        if taken > clock.pause >> PAUSE_SHIFT:
            # Back to Python between two steps, where the call after goes on as this loop
            # would (everything a step needs is in pl and w): a Ctrl-C is heard within a
            # second or so, and the numbers are the same.
            return t, Status.PAUSED
        taken += w.meta[_N_ACTIVE]
        busy = _rates(pl, ch, graph, w)
        t_new = _step(pl, ch, graph, w, rec, busy, t, clock, epsilon, max_step)
        tau = t_new - t
        _midpoint_hazards(pl, ch, graph, w, tau, busy)
        _leaps(pl, ch, graph, w, gen, counts, tau, busy)
        t = t_new
        w.meta[_STEPS] += 1
        stop_edge = _apply(pl, ch, w, t)
        n_changed = w.meta[_N_CHANGED]
        _settle(pl, ch, graph, w)
        # The figures watched, after every step that changed something.
        if n_changed and kernel.watch(watched, pl.tot, t):
            return t, Status.STOPPED
        if stop_edge:
            return t, Status.EDGE

"""Numba kernel of the tau engine's local stepping: every place leaps with a step of its own.

The global kernel (kernels.py) leaps every active place by one step, the smallest that any of
them allows, so that on a continent the busiest city sets the step of every village the front
touches. Here each place keeps its own clock and leaps by the step that its own counts and its
neighbours' allow; the places are taken in the order of their clocks (a binary heap keyed by
(time, place)), so that the place leaping is never ahead of any other.

One leap of place p at its time t, in order (`_leap`):

1. the neighbour sums at t, each neighbour's counts read at t off its path (below); p's hazards,
   and the drift and variance of p's own counts (`_place_rates`);
2. the step: Cao, Gillespie & Petzold's bound on p's own watched counts (kernels._bound), on
   what p's movers add where they arrive (`_move_bound`) and, where hazards read neighbours'
   counts (cross-edge reactions), the bound that each neighbour's counts last allowed
   (`_neighbour_bound`): a neighbour's counts must not change by more than ε during p's step
   either. The step is cut to land on the next output or snapshot time and the end of the
   piece (the synchronisation times: every place reaches each of them before the records are
   written) and to `tau.max_step`;
3. p's counts moved half a step on by their drift, the neighbour sums at the midpoint time, and
   the hazards there (`_mid_hazards`; the midpoint leap of the global kernel);
4. the leap itself, as the global kernel leaps one place (kernels._leap_place);
5. p's path recorded: its counts before the leap at t, after it at t + τ, its drift at t; the
   changes applied (movers arrive at once in their new place); idle places that p changed, and
   their neighbours, wake at t + τ (`_wake`).

A neighbour q's counts at time s (`_at`): the straight line between its counts at the start and
the end of its last leap when s falls within it, its counts before that leap when s precedes
it (a place just woken), and beyond its end, its last counts moved on by its drift (decaying
exponentially when falling, as the midpoint does). Because places leap in the order of their
clocks, every neighbour has reached the time p leaps from, so a neighbour's counts at that time
are those of a path it has already drawn.

A place with no possible reaction, at the start of its step and at the midpoint, leaves the heap
(most of a continent is idle at any moment) and wakes when it or a neighbour changes. A
cross-edge reaction changes one place only (the place of the person it consumes), so no change
is made twice; its propensity reads the other place's counts on that place's path.

One place in the world (or every place leaping at every step as in kernels.py) is the global
scheme: with one place this kernel draws the same numbers in the same order as the global one.
The records, the thresholds and the zombie peak are read as in the global kernel, each after a
leap, from the totals of places whose clocks differ by at most a step: known to a step.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from hyosan.engines import kernel
from hyosan.engines.kernel import Status
from hyosan.engines.ssa.pipeline import Kernel
from hyosan.engines.tau.kernels import (
    _N_ACTIVE,
    _N_CHANGED,
    _STEPS,
    FLOOR,
    _add,
    _bound,
    _hazard,
    _leap_place,
    _midpoint,
    _npop,
    _record,
    _wsum,
)

__all__ = ["Local", "simulate_local"]

# Local.meta: [places in the heap, counts changed outside the kernel since the last call]
_HEAP, _FRESH = 0, 1


class Local(NamedTuple):
    """Each place's clock and last leap, and the heap of places waiting to leap."""

    t_now: np.ndarray  # float64 (places,): the time of each place's counts
    t_prev: np.ndarray  # float64 (places,): when its last leap started
    x_prev: np.ndarray  # (places, compartments): its counts then, as pl.x
    slope: np.ndarray  # float64 (places, compartments): their drift then (0 while idle)
    bound: np.ndarray  # float64 (places,): the step its counts allowed then (inf while idle)
    heap_t: np.ndarray  # float64 (places,): the heap of places waiting, on (time, place)
    heap_p: np.ndarray  # int64 (places,)
    meta: np.ndarray  # int64 [places in the heap, fresh]
    drift: np.ndarray  # float64 (columns,): the drift of p's neighbour sums (_sums_at)
    unit: np.ndarray  # float64 (columns,): the most one neighbour's person weighs in each


def new_local(x: np.ndarray, columns: int) -> Local:
    """The local state of a run whose counts are `x` (and `columns` neighbour sums), fresh."""
    n, n_c = x.shape
    return Local(
        t_now=np.zeros(n),
        t_prev=np.zeros(n),
        x_prev=x.copy(),
        slope=np.zeros((n, n_c)),
        bound=np.full(n, np.inf),
        heap_t=np.zeros(n),
        heap_p=np.zeros(n, dtype=np.int64),
        meta=np.array([0, 1], dtype=np.int64),
        drift=np.zeros(columns),
        unit=np.zeros(columns),
    )


# --- the heap of places, on (time, place) ---------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _push(lw, t, p):  # type: ignore[no-untyped-def]
    i = lw.meta[_HEAP]
    lw.meta[_HEAP] = i + 1
    while i > 0:
        up = (i - 1) >> 1
        ut, up_p = lw.heap_t[up], lw.heap_p[up]
        if ut < t or (ut == t and up_p < p):
            break
        lw.heap_t[i], lw.heap_p[i] = ut, up_p
        i = up
    lw.heap_t[i], lw.heap_p[i] = t, p


@nb.njit(cache=True, nogil=True, inline="always")
def _pop(lw):  # type: ignore[no-untyped-def]
    top = lw.heap_p[0]
    n = lw.meta[_HEAP] - 1
    lw.meta[_HEAP] = n
    if n > 0:
        t, p = lw.heap_t[n], lw.heap_p[n]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            r = c + 1
            if r < n and (
                lw.heap_t[r] < lw.heap_t[c]
                or (lw.heap_t[r] == lw.heap_t[c] and lw.heap_p[r] < lw.heap_p[c])
            ):
                c = r
            if t < lw.heap_t[c] or (t == lw.heap_t[c] and p < lw.heap_p[c]):
                break
            lw.heap_t[i], lw.heap_p[i] = lw.heap_t[c], lw.heap_p[c]
            i = c
        lw.heap_t[i], lw.heap_p[i] = t, p
    return top


# --- a neighbour's counts at a time, and the sums of them -----------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _where(lw, q, s):  # type: ignore[no-untyped-def]
    # How q's counts at time s are read off its path: (0, time past its end) beyond its last
    # leap, (1, fraction) within it, (2, 0) before it.
    tn = lw.t_now[q]
    if s >= tn:
        return 0, s - tn
    tp = lw.t_prev[q]
    if s <= tp:
        return 2, 0.0
    return 1, (s - tp) / (tn - tp)


@nb.njit(cache=True, nogil=True, inline="always")
def _count(pl, lw, q, c, mode, f):  # type: ignore[no-untyped-def]
    # Count c of q at the time _where read as (mode, f) (see the module docstring).
    x = pl.x[q, c]
    if mode == 0:
        m = lw.slope[q, c]
        if m == 0.0:
            return float(x)
        if m < 0.0:
            return x * math.exp(f * m / x) if x > 0 else 0.0
        return x + f * m
    x0 = lw.x_prev[q, c]
    if mode == 2:
        return float(x0)
    return x0 + (x - x0) * f


@nb.njit(cache=True, nogil=True, inline="always")
def _sums_at(pl, ch, graph, lw, nsum, p, s, drift):  # type: ignore[no-untyped-def]
    # kernels._neighbour_sums, with each neighbour's counts read at time s; with `drift`,
    # also the drift of each sum (the neighbours' drifts, each weighted as its count is) and
    # the most one neighbour's person weighs in it, for _neighbour_bound.
    unweighted = graph.weights.size == 0
    n_c = pl.x.shape[1]
    n_k = ch.col_comp.size
    for k in range(n_k):
        nsum[p, k] = 0.0
        if drift:
            lw.drift[k] = 0.0
            lw.unit[k] = 0.0
    for e in range(graph.indptr[p], graph.indptr[p + 1]):
        q = graph.indices[e]
        mode, f = _where(lw, q, s)
        weight = 1.0 if unweighted else graph.weights[e]
        nq = -1.0  # q's living population at s, once a column needs it
        for k in range(n_k):
            c = ch.col_comp[k]
            v = _count(pl, lw, q, c, mode, f) * weight
            u = weight
            if ch.col_freq[k]:
                if nq < 0.0:
                    nq = 0.0
                    for d in range(n_c):
                        if ch.in_pop[d]:
                            nq += _count(pl, lw, q, d, mode, f)
                u = weight / nq if nq > 0.0 else 0.0
                v = v / nq if nq > 0.0 and v > 0.0 else 0.0
            nsum[p, k] += v
            if drift:
                lw.drift[k] += u * lw.slope[q, c]
                lw.unit[k] = max(lw.unit[k], u)


# --- rates and the step ---------------------------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _place_rates(pl, ch, graph, w, lw, p, s):  # type: ignore[no-untyped-def]
    # p's hazards (row 0 of w.aprop), its neighbour sums at s, and the drift and variance of its
    # own counts; its total propensity. Movers count as leaving p only: where they arrive is
    # bounded by _move_bound.
    n_c = pl.x.shape[1]
    for j in range(n_c + 1):
        w.mu[p, j] = 0.0
        w.s2[p, j] = 0.0
    x, nsum = pl.x, pl.nbs
    _sums_at(pl, ch, graph, lw, nsum, p, s, True)
    npop = _npop(ch, x, p) if ch.any_freq else 0.0
    total = 0.0
    for h in range(ch.rate.shape[1]):
        lam = _hazard(ch, graph, nsum, x, h, p, npop)
        w.aprop[0, h] = lam
        a = lam if ch.cons[h] < 0 else lam * x[p, ch.cons[h]]
        total += a
        if a != 0.0:
            if ch.kind[h] == 1 or ch.kind[h] == 3:
                _add(ch, w, p, ch.cons[h], -1.0, a)
            else:
                for m in range(ch.d_n[h]):
                    _add(ch, w, p, ch.d_comp[h, m], float(ch.d_val[h, m]), a)
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def _arrivals(pl, ch, r, c, inflow, tau, epsilon):  # type: ignore[no-untyped-def]
    # The step within which arrivals of c at r, at rate `inflow`, change r's watched counts by
    # at most epsilon in mean and standard deviation (kernels._bound's rule).
    n_c = pl.x.shape[1]
    if ch.watch[c]:
        lim = epsilon * max(pl.x[r, c], FLOOR)
        tau = min(tau, lim / inflow, lim * lim / inflow)
    if ch.in_pop[c] and ch.watch[n_c]:
        lim = epsilon * max(_npop(ch, pl.x, r), FLOOR)
        tau = min(tau, lim / inflow, lim * lim / inflow)
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _move_bound(pl, ch, graph, w, p, tau, epsilon):  # type: ignore[no-untyped-def]
    # Bound tau by where p's movers arrive.
    for h in range(ch.rate.shape[1]):
        kind = ch.kind[h]
        if kind != 1 and kind != 3:
            continue
        c = ch.cons[h]
        a = w.aprop[0, h] * pl.x[p, c]
        if a <= 0.0:
            continue
        if kind == 3:
            tau = _arrivals(pl, ch, ch.toward[ch.comp[h, 1], p], c, a, tau, epsilon)
            continue
        share = a / _wsum(graph, p)
        for e in range(graph.indptr[p], graph.indptr[p + 1]):
            weight = 1.0 if graph.weights.size == 0 else graph.weights[e]
            tau = _arrivals(pl, ch, graph.indices[e], c, share * weight, tau, epsilon)
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _own_bound(pl, ch, graph, w, p, total, epsilon):  # type: ignore[no-untyped-def]
    # The step p's own counts and its movers' arrivals allow (after _place_rates).
    if total <= 0.0:
        return np.inf
    tau = _bound(pl, ch, w, p, np.inf, epsilon)
    if ch.any_move or ch.toward.shape[0] > 0:
        tau = _move_bound(pl, ch, graph, w, p, tau, epsilon)
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _neighbour_bound(pl, ch, lw, p, tau, epsilon):  # type: ignore[no-untyped-def]
    # Where p's hazards read its neighbours' counts: Cao, Gillespie & Petzold's rule on each
    # neighbour sum (after _place_rates), as on a count of p's own: its drift must not move it
    # by more than epsilon × max(sum, FLOOR neighbours' people) within the step.
    for k in range(ch.col_comp.size):
        d = lw.drift[k]
        if d != 0.0:
            tau = min(tau, epsilon * max(pl.nbs[p, k], FLOOR * lw.unit[k]) / abs(d))
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _mid_hazards(pl, ch, graph, w, lw, p, s):  # type: ignore[no-untyped-def]
    # The hazards at p's midpoint counts (w.xm) and its neighbours' counts at time s; the total
    # propensity of the people at p at the start.
    xm, nsum = w.xm, pl.nbs
    _sums_at(pl, ch, graph, lw, nsum, p, s, False)
    npop = _npop(ch, xm, p) if ch.any_freq else 0.0
    total = 0.0
    for h in range(ch.rate.shape[1]):
        lam = _hazard(ch, graph, nsum, xm, h, p, npop)
        w.aprop[0, h] = lam
        total += lam if ch.cons[h] < 0 else lam * pl.x[p, ch.cons[h]]
    return total


# --- places leaving and joining the heap ----------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _rest(pl, w, lw, p, t):  # type: ignore[no-untyped-def]
    # p idle from t: its counts constant along its path.
    w.is_active[p] = False
    lw.bound[p] = np.inf
    lw.t_prev[p] = t
    lw.t_now[p] = t
    for c in range(pl.x.shape[1]):
        lw.x_prev[p, c] = pl.x[p, c]
        lw.slope[p, c] = 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _queue(w, lw, p, t, sync):  # type: ignore[no-untyped-def]
    # p waits to leap at t, or, at the synchronisation time, for the next interval.
    if t < sync:
        _push(lw, t, p)
    else:
        w.active[w.meta[_N_ACTIVE]] = p
        w.meta[_N_ACTIVE] += 1


@nb.njit(cache=True, nogil=True, inline="always")
def _wake1(pl, ch, graph, w, lw, q, t, sync, epsilon):  # type: ignore[no-untyped-def]
    # Idle q joins the heap at t, with the bound its counts allow there (so that a neighbour
    # leaping at the same time does not step past it).
    if w.is_active[q]:
        return
    w.is_active[q] = True
    lw.t_prev[q] = t
    lw.t_now[q] = t
    total = _place_rates(pl, ch, graph, w, lw, q, t)
    lw.bound[q] = _own_bound(pl, ch, graph, w, q, total, epsilon)
    _queue(w, lw, q, t, sync)


@nb.njit(cache=True, nogil=True, inline="always")
def _wake(pl, ch, graph, w, lw, t, sync, epsilon):  # type: ignore[no-untyped-def]
    # Wake the places the leap changed and, where hazards read neighbours, their neighbours.
    for j in range(w.meta[_N_CHANGED]):
        r = w.changed[j]
        w.is_changed[r] = False
        _wake1(pl, ch, graph, w, lw, r, t, sync, epsilon)
        if ch.col_comp.size > 0:
            for e in range(graph.indptr[r], graph.indptr[r + 1]):
                _wake1(pl, ch, graph, w, lw, graph.indices[e], t, sync, epsilon)


@nb.njit(cache=True, nogil=True, inline="always")
def _apply(pl, ch, w, lw, p, t, t_new):  # type: ignore[no-untyped-def]
    # p's path (its counts at t before the leap; its clock at t_new), the leap's changes, and
    # the first-zombie times; whether a zombie reached the border.
    n_c = pl.x.shape[1]
    for c in range(n_c):
        lw.x_prev[p, c] = pl.x[p, c]
    lw.t_prev[p] = t
    lw.t_now[p] = t_new
    stop_edge = False
    for j in range(w.meta[_N_CHANGED]):
        r = w.changed[j]
        idle = not w.is_active[r]
        zup = False
        for c in range(n_c):
            d = w.dx[r, c]
            if d != 0:
                pl.x[r, c] += d
                pl.tot[c] += d
                w.dx[r, c] = 0
                if idle:  # an idle place's counts stay constant along its path
                    lw.x_prev[r, c] += d
                if ch.zmask[c] and d > 0:
                    zup = True
        if zup and np.isnan(pl.first_z[r]):
            pl.first_z[r] = t_new
            if pl.edge.size and pl.edge[r]:
                stop_edge = True
    return stop_edge


# --- the kernel -----------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _start(pl, ch, graph, w, lw, t, epsilon):  # type: ignore[no-untyped-def]
    # Put the places that were waiting for t in the heap. After a change made outside the
    # kernel (fresh), every path starts afresh at t and every waiting place's bound is found
    # before any leaps, so that the first leaps know their neighbours' bounds.
    fresh = lw.meta[_FRESH] != 0
    if fresh:
        for r in range(pl.x.shape[0]):
            _rest(pl, w, lw, r, t)
    n = w.meta[_N_ACTIVE]
    for i in range(n):
        p = w.active[i]
        w.is_active[p] = True
        lw.t_now[p] = t
        _push(lw, t, p)
    if fresh:
        for i in range(n):
            p = w.active[i]
            total = _place_rates(pl, ch, graph, w, lw, p, t)
            lw.bound[p] = _own_bound(pl, ch, graph, w, p, total, epsilon)
        lw.meta[_FRESH] = 0
    w.meta[_N_ACTIVE] = 0


@nb.njit(cache=True, nogil=True, inline="always")
def _sync_time(rec, clock):  # type: ignore[no-untyped-def]
    target = clock.end
    k, s = rec.cursor[0], rec.cursor[1]
    if k < rec.times.size:
        target = min(target, rec.times[k])
    if s < rec.snap_times.size:
        target = min(target, rec.snap_times[s])
    return target


@nb.njit(cache=True, nogil=True, inline="always")
def _leap(pl, ch, graph, w, lw, rng, counts, p, sync, epsilon, max_step):  # type: ignore[no-untyped-def]
    # One leap of p (see the module docstring); its end, and whether p was idle (-1.0).
    t = lw.t_now[p]
    total = _place_rates(pl, ch, graph, w, lw, p, t)
    own = _own_bound(pl, ch, graph, w, p, total, epsilon)
    lw.bound[p] = own
    tau = _neighbour_bound(pl, ch, lw, p, own, epsilon)
    end = min(sync, t + max_step)
    t_new = end if t + tau >= end else t + tau
    if t_new <= t:  # a step below the clock's resolution: take the smallest there is
        t_new = np.nextafter(t, np.inf)
    step = t_new - t
    n_c = pl.x.shape[1]
    for c in range(n_c):
        lw.slope[p, c] = w.mu[p, c]
        w.xm[p, c] = pl.x[p, c]
    _midpoint(pl, w, p, step)
    if _mid_hazards(pl, ch, graph, w, lw, p, t + 0.5 * step) == 0.0 and total == 0.0:
        _rest(pl, w, lw, p, t)
        return -1.0
    w.meta[_N_CHANGED] = 0
    _leap_place(pl, ch, graph, w, rng, counts, 0, p, step)
    w.meta[_STEPS] += 1
    return t_new


# The Kernel pipeline lets the inlined helpers read the named tuples in place (ssa/pipeline.py).
@nb.njit(cache=True, nogil=True, pipeline_class=Kernel)
def simulate_local(pl, ch, graph, w, lw, rng, clock, epsilon, max_step, rec, watched, counts):  # type: ignore[no-untyped-def]
    """Leap every place from clock.t towards clock.end, each by its own steps; (t, status).

    Arguments as kernels.simulate's, with the places' clocks and paths `lw` (Local). Between
    calls, the places waiting for the next interval are w.active[:w.meta[0]], all at clock.t.
    """
    t = clock.t
    while True:
        _record(rec, pl, t, clock)
        if t >= clock.end:
            return clock.end, Status.DONE
        sync = _sync_time(rec, clock)
        _start(pl, ch, graph, w, lw, t, epsilon)
        while lw.meta[_HEAP] > 0:
            p = _pop(lw)
            t_new = _leap(pl, ch, graph, w, lw, rng, counts, p, sync, epsilon, max_step)
            if t_new < 0.0:
                continue
            t0 = lw.t_now[p]
            stop_edge = _apply(pl, ch, w, lw, p, t0, t_new)
            n_changed = w.meta[_N_CHANGED]
            _wake(pl, ch, graph, w, lw, t_new, sync, epsilon)
            _queue(w, lw, p, t_new, sync)
            if n_changed and kernel.watch(watched, pl.tot, t_new):
                return t_new, Status.STOPPED
            if stop_edge:
                return t_new, Status.EDGE
        t = sync

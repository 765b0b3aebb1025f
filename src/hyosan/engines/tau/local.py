"""Numba kernel of the tau engine's local stepping: every place leaps with a step of its own,
or goes event by event where its counts are small.

The global kernel (kernels.py) leaps every active place by one step, the smallest that any of
them allows, so that on a continent the busiest city sets the step of every village the front
touches. Here each place keeps its own clock and leaps by the step that its own counts and its
neighbours' allow; the places are taken in the order of their keys (an indexed binary heap on
(key, exact first, place)): a leaping place's key is its clock, so that the place leaping is
never behind any other.

Small counts. A leap draws each channel's firings independently with hazards held through the
step, and the step rule lets a count below 1/0.03 change by about one person a leap: where that
count is a lone zombie, its kill and its bites in one leap are drawn as if neither affected the
other, though a zombie killed early bites no one after. One zombie among humans then dies out
about half as often as it should (0.23 against κ/β = 0.4 for the US grid's model at ε = 0.03),
and fronts that should die out in thinly peopled land go on. So a place where some count that
its hazards depend on is changing and below CRITICAL (Cao, Gillespie & Petzold 2006's n_c of
critical reactions) goes event by event, exactly, as ssa: its next event is drawn from its
hazards (`_draw`: an exponential time, a channel by its share of the propensity) and its key is
that time; when it comes first in the heap the event fires. A change at p (an event, a leap, a
mover arriving) has p, and each such place beside p, draw its next event afresh from the time
of the change (`_review`): exact by the exponential's lack of memory. (After an event, the
change is at the heap's own time, which every place has reached: a neighbour then draws at
once, `_redraw`, rather than from the top of the heap in a pass of its own; after a leap, at
the leap's end, it waits in the heap.) A neighbour q is spared
that only while p's changes since q last drew move each neighbour sum q reads by at most ε of
itself (`_slight`), so that q's hazards, each linear in a sum, are within ε of those it drew
with: the step rule's own tolerance. A leaping place's step is cut at the next event of a
neighbour going event by event (`_jump_cut`), whose counts hold till then, unless all such
events that can fall within the step move the leaping place's total propensity by at most ε of
it (Gillespie & Petzold's 2003 leap condition); at equal keys those neighbours go first. Where
counts are small, an event moves a neighbour sum by far more than ε, so places that all go
event by event are still ssa itself (a zombie walking a path of single humans bites as many as
the exact law says), and one place with small counts draws what ssa draws. The tolerance
matters where a dense place borders one with a few zombies: on the US grid the places went
from 105.5 to 78.9 million steps (bench_us_grid.py; benchmarks/README.md).

One step of place p at its time t, in order (`_step`):

1. the neighbour sums at t, each neighbour's counts read at t off its path (below), and p's
   hazards (`_place_rates`);
2. if p is critical (`_critical`: a count below CRITICAL that some channel with a propensity
   changes), its next event drawn, held till `tau.max_step` or the next output or snapshot
   time, after which it is reviewed. Its neighbours' changes reach it as they are made
   (`_slight`), and what their leaps under way at t still change is counted against its
   tolerance from the start (`_unseen`); where that alone is more than ε of a sum, the draw
   holds only till the first of those leaps ends. (A window set by the neighbours' drift, as
   a leap's step is, made 15 % of the heap's passes on the US grid's busiest crop, each a
   draw afresh and most of them without an event: the changes it foresaw are those that
   `_slight` counts.) Otherwise:
3. the drift and variance of p's own counts (`_moments`: a place going event by event, as in
   over half of all passes on the US grid, needs neither), and the step: Cao, Gillespie &
   Petzold's bound on p's own watched counts (kernels._bound), on
   what p's movers add where they arrive (`_move_bound`) and, where hazards read neighbours'
   counts (cross-edge reactions), the bound that each neighbour's drift allows
   (`_neighbour_bound`: a neighbour's counts must not change by more than ε during p's step
   either) and the next events of critical neighbours that matter (`_jump_cut`). The step is
   cut to land on the next output or snapshot time and the end of the piece (the
   synchronisation times: every place reaches each of them before the records are written) and
   to `tau.max_step`;
4. p's counts and its neighbour sums moved half a step on by their drift, and the hazards there
   (`_mid_hazards`; the midpoint leap of the global kernel);
5. the leap itself, as the global kernel leaps one place (kernels._leap_place);
6. p's path recorded: its counts before the leap at t, after it at t + τ, its drift at t; the
   changes applied (movers arrive at once in their new place); idle places that p changed, and
   their neighbours, wake at t + τ, and critical ones draw afresh unless p's change is slight
   to them (`_wake`).

A neighbour q's counts at time s (`_count`): the straight line between its counts at the start
and the end of its last leap when s falls within it, its counts before that leap when s
precedes it (a place just woken), and beyond its end, its last counts moved on by its drift
(decaying exponentially when falling, as the midpoint does); a critical place's counts hold from
its last event (its drift is taken as zero). Because places leap in the order of their keys,
every neighbour has reached the time p leaps from, so a neighbour's counts at that time are
those of a path it has already drawn.

A place with no possible reaction, at the start of its step and at the midpoint, leaves the heap
(most of a continent is idle at any moment) and wakes when it or a neighbour changes. A
cross-edge reaction changes one place only (the place of the person it consumes), so no change
is made twice; its propensity reads the other place's counts on that place's path.

One place whose counts stay at or above CRITICAL is the global scheme: this kernel draws the
same numbers in the same order as the global one. The records, the thresholds and the zombie
peak are read as in the global kernel, each after a step, from the totals of places whose clocks
differ by at most a step: known to a step.
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
from hyosan.engines.tau.kernels import (
    _N_ACTIVE,
    _N_CHANGED,
    _STEPS,
    FLOOR,
    PAUSE_SHIFT,
    _add,
    _bound,
    _fire,
    _hazard,
    _leap_place,
    _midpoint,
    _npop,
    _record,
    _wsum,
)

__all__ = ["Local", "run_local", "simulate_local"]

# Local.meta: [places in the heap, counts changed outside the kernel since the last call,
# exact steps taken, the last call paused within an interval (its heap and the places waiting
# for the next interval are as it left them)]
_HEAP, _FRESH, _EXACT, _PAUSED = 0, 1, 2, 3

#: A place leaps only while every count that its hazards depend on, wherever that count is
#: changing, holds at least this many people (Cao, Gillespie & Petzold 2006's n_c for critical
#: reactions); below, one event changes a hazard by a tenth or more, and a leap that draws
#: each channel's firings independently with hazards held over the step loses the coupling
#: between them (a last zombie killed early bites no one after), so the place goes event by
#: event, exactly.
CRITICAL = 10


class Local(NamedTuple):
    """Each place's clock, last leap and next event, and the heap of places waiting."""

    t_now: np.ndarray  # float64 (places,): the end of its last leap, or its last event
    t_prev: np.ndarray  # float64 (places,): when that leap started (the event's time)
    x_prev: np.ndarray  # (places, compartments): its counts then, as pl.x
    slope: np.ndarray  # float64 (places, compartments): their drift then (0 if idle or exact)
    key: np.ndarray  # float64 (places,): when it next leaps, or its next event or review
    exact: np.ndarray  # bool (places,): it goes event by event (CRITICAL), or is to be reviewed
    next_h: np.ndarray  # int64 (places,): the channel of its next event (-1: a review)
    t_eval: np.ndarray  # float64 (places,): when its next event was drawn
    heap_p: np.ndarray  # int64 (places,): the heap of places waiting, on (key, exact, place)
    heap_k: np.ndarray  # float64 (places,): the key of the place in each slot of the heap
    heap_r: np.ndarray  # int64 (places,): and its rank at equal keys (_rank)
    pos: np.ndarray  # int64 (places,): each place's index in the heap (-1: not in it)
    meta: np.ndarray  # int64 [places in the heap, fresh, exact events, paused]
    rate: np.ndarray  # float64 (places,): its total propensity when its next event was drawn
    moved: np.ndarray  # float64 (places, columns): its neighbour sums' moves since it read them
    drift: np.ndarray  # float64 (columns,): the drift of p's neighbour sums (_sums_at)
    unit: np.ndarray  # float64 (columns,): the most one neighbour's person weighs in each
    # float64 (columns + 1,): what the neighbours' leaps under way at p's time still change in
    # each sum, and (last) the first end of those leaps (_sums_at)
    ahead: np.ndarray


def new_local(x: np.ndarray, columns: int) -> Local:
    """The local state of a run whose counts are `x` (and `columns` neighbour sums), fresh."""
    n, n_c = x.shape
    return Local(
        t_now=np.zeros(n),
        t_prev=np.zeros(n),
        x_prev=x.copy(),
        slope=np.zeros((n, n_c)),
        key=np.zeros(n),
        exact=np.zeros(n, dtype=np.bool_),
        next_h=np.full(n, -1, dtype=np.int64),
        t_eval=np.zeros(n),
        heap_p=np.zeros(n, dtype=np.int64),
        heap_k=np.zeros(n),
        heap_r=np.zeros(n, dtype=np.int64),
        pos=np.full(n, -1, dtype=np.int64),
        meta=np.array([0, 1, 0, 0], dtype=np.int64),
        rate=np.zeros(n),
        moved=np.zeros((n, columns)),
        drift=np.zeros(columns),
        unit=np.zeros(columns),
        ahead=np.zeros(columns + 1),
    )


# --- the heap of places, on (key, exact before leaping, place), indexed ----------------------
# Each heap slot holds its place's key and its rank at equal keys beside it (heap_k, heap_r:
# a place's flags do not change while it waits), so that sifting reads nothing from places
# spread over the whole map, and picks the child that goes first with arithmetic rather than a
# branch that fails half the time (2 % less CPU on the Manhattan crop; benchmarks/README.md).


@nb.njit(cache=True, nogil=True, inline="always")
def _rank(lw, p):  # type: ignore[no-untyped-def]
    # The order of places at equal keys: those going event by event first, then by number.
    return p if lw.exact[p] else p + lw.key.size


@nb.njit(cache=True, nogil=True, inline="always")
def _first(k1, r1, k2, r2):  # type: ignore[no-untyped-def]
    # Whether (k1, r1) goes before (k2, r2), as one boolean expression (no branch to predict).
    return (k1 < k2) | ((k1 == k2) & (r1 < r2))


@nb.njit(cache=True, nogil=True, inline="always")
def _sift_up(lw, i):  # type: ignore[no-untyped-def]
    p, k, r = lw.heap_p[i], lw.heap_k[i], lw.heap_r[i]
    while i > 0:
        up = (i - 1) >> 1
        kq, rq = lw.heap_k[up], lw.heap_r[up]
        if _first(kq, rq, k, r):
            break
        q = lw.heap_p[up]
        lw.heap_p[i] = q
        lw.heap_k[i] = kq
        lw.heap_r[i] = rq
        lw.pos[q] = i
        i = up
    lw.heap_p[i] = p
    lw.heap_k[i] = k
    lw.heap_r[i] = r
    lw.pos[p] = i


@nb.njit(cache=True, nogil=True, inline="always")
def _sift_down(lw, i):  # type: ignore[no-untyped-def]
    n = lw.meta[_HEAP]
    p, k, r = lw.heap_p[i], lw.heap_k[i], lw.heap_r[i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n:  # the child that goes first, chosen without a branch
            c += np.int64(_first(lw.heap_k[c + 1], lw.heap_r[c + 1], lw.heap_k[c], lw.heap_r[c]))
        kq, rq = lw.heap_k[c], lw.heap_r[c]
        if _first(k, r, kq, rq):
            break
        q = lw.heap_p[c]
        lw.heap_p[i] = q
        lw.heap_k[i] = kq
        lw.heap_r[i] = rq
        lw.pos[q] = i
        i = c
    lw.heap_p[i] = p
    lw.heap_k[i] = k
    lw.heap_r[i] = r
    lw.pos[p] = i


@nb.njit(cache=True, nogil=True, inline="always")
def _push(lw, p):  # type: ignore[no-untyped-def]
    # p joins the heap at lw.key[p], or moves there if it is in it already.
    i = lw.pos[p]
    if i < 0:
        i = lw.meta[_HEAP]
        lw.meta[_HEAP] = i + 1
        lw.heap_p[i] = p
        lw.heap_k[i] = lw.key[p]
        lw.heap_r[i] = _rank(lw, p)
        _sift_up(lw, i)
        return
    lw.heap_k[i] = lw.key[p]
    lw.heap_r[i] = _rank(lw, p)
    _sift_up(lw, i)
    _sift_down(lw, lw.pos[p])


@nb.njit(cache=True, nogil=True, inline="always")
def _pop(lw):  # type: ignore[no-untyped-def]
    top = lw.heap_p[0]
    lw.pos[top] = -1
    n = lw.meta[_HEAP] - 1
    lw.meta[_HEAP] = n
    if n > 0:
        lw.heap_p[0] = lw.heap_p[n]
        lw.heap_k[0] = lw.heap_k[n]
        lw.heap_r[0] = lw.heap_r[n]
        _sift_down(lw, 0)
    return top


@nb.njit(cache=True, nogil=True, inline="always")
def _hold_or_push(lw, p):  # type: ignore[no-untyped-def]
    # p (out of the heap, its key set) if it would be the next popped, else -1, p pushed.
    if lw.meta[_HEAP] == 0 or _first(lw.key[p], _rank(lw, p), lw.heap_k[0], lw.heap_r[0]):
        return p
    _push(lw, p)
    return -1


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
def _sums_at(pl, ch, graph, lw, nsum, p, s):  # type: ignore[no-untyped-def]
    # kernels._neighbour_sums, with each neighbour's counts read at time s; also the drift of
    # each sum (the neighbours' drifts, each weighted as its count is), for _neighbour_bound
    # and the midpoint (_mid_hazards), the most one neighbour's person weighs in it, and what
    # the leaps under way at s still change in it (for _unseen: their ends' counts are known).
    unweighted = graph.weights.size == 0
    n_c = pl.x.shape[1]
    n_k = ch.col_comp.size
    for k in range(n_k):
        nsum[p, k] = 0.0
        lw.drift[k] = 0.0
        lw.unit[k] = 0.0
        lw.ahead[k] = 0.0
    lw.ahead[n_k] = np.inf
    for e in range(graph.indptr[p], graph.indptr[p + 1]):
        q = graph.indices[e]
        mode, f = _where(lw, q, s)
        under_way = mode != 0
        if under_way:
            lw.ahead[n_k] = min(lw.ahead[n_k], lw.t_now[q])
        weight = 1.0 if unweighted else graph.weights[e]
        nq = -1.0  # q's living population at s, once a column needs it
        n_end = 0.0  # and at its leap's end
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
                    if under_way:
                        n_end = _npop(ch, pl.x, q)
                u = weight / nq if nq > 0.0 else 0.0
                v = v / nq if nq > 0.0 and v > 0.0 else 0.0
            nsum[p, k] += v
            lw.drift[k] += u * lw.slope[q, c]
            lw.unit[k] = max(lw.unit[k], u)
            if under_way:  # q's count at its leap's end, read as v was
                end = pl.x[q, c] * weight
                if ch.col_freq[k]:
                    end = end / n_end if n_end > 0.0 and end > 0.0 else 0.0
                lw.ahead[k] += abs(end - v)


# --- rates and the step ---------------------------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _unseen(pl, ch, lw, p, epsilon):  # type: ignore[no-untyped-def]
    # p draws its next event with its neighbour sums at its time, and hears of a neighbour's
    # change only at that neighbour's next leap or event (_slight): what the neighbours' leaps
    # under way then still change (lw.ahead, from _sums_at) is counted against p's tolerance
    # from the start. Where it alone exceeds epsilon of some sum (the tolerance of _slight,
    # with no floor: where a sum is a few people, one of them is far more than epsilon of it),
    # the time p's draw may hold to: the first end of those leaps; else infinity (always
    # where no hazard reads a neighbour: no columns).
    n_k = ch.col_comp.size
    over = False
    for k in range(n_k):
        lw.moved[p, k] = lw.ahead[k]
        over = over or lw.ahead[k] > epsilon * pl.nbs[p, k]
    return lw.ahead[n_k] if over else np.inf


@nb.njit(cache=True, nogil=True, inline="always")
def _propensity(pl, ch, w, p, h):  # type: ignore[no-untyped-def]
    # Channel h's propensity at p from its hazard (w.aprop row 0): per person of what it
    # consumes, times their count, or as it is for a channel that consumes nobody.
    c = ch.cons[h]
    return w.aprop[0, h] if c < 0 else w.aprop[0, h] * pl.x[p, c]


@nb.njit(cache=True, nogil=True, inline="always")
def _place_rates(pl, ch, graph, w, lw, p, s):  # type: ignore[no-untyped-def]
    # p's hazards (row 0 of w.aprop) and its neighbour sums at s; its total propensity.
    # Two assignments, not `x, nsum = pl.x, pl.nbs`: a tuple unpacked there took a reference
    # to each array that LLVM kept to the end of the step (benchmarks/README.md).
    x = pl.x
    nsum = pl.nbs
    _sums_at(pl, ch, graph, lw, nsum, p, s)
    for k in range(nsum.shape[1]):
        lw.moved[p, k] = 0.0
    npop = _npop(ch, x, p) if ch.any_freq else 0.0
    total = 0.0
    for h in range(ch.kind.size):
        lam = _hazard(ch, graph, nsum, x, h, p, npop)
        w.aprop[0, h] = lam
        total += lam if ch.cons[h] < 0 else lam * x[p, ch.cons[h]]
    return total


@nb.njit(cache=True, nogil=True, inline="always")
def _moments(pl, ch, w, p):  # type: ignore[no-untyped-def]
    # The drift and variance of p's own counts (after _place_rates), for a leap only: a
    # place going event by event needs neither. Movers count as leaving p only: where they
    # arrive is bounded by _move_bound.
    n_c = pl.x.shape[1]
    for j in range(n_c + 1):
        w.mu[p, j] = 0.0
        w.s2[p, j] = 0.0
    for h in range(ch.kind.size):
        a = _propensity(pl, ch, w, p, h)
        if a != 0.0:
            if ch.kind[h] == 1 or ch.kind[h] == 3:
                _add(ch, w, p, ch.cons[h], -1.0, a)
            else:
                for m in range(ch.d_n[h]):
                    _add(ch, w, p, ch.d_comp[h, m], float(ch.d_val[h, m]), a)


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
    for h in range(ch.kind.size):
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
def _busy(pl, ch, w, p, j):  # type: ignore[no-untyped-def]
    # Whether some channel with a propensity at p (w.aprop row 0) changes count j of p (the
    # living population if j is the number of compartments): whether its variance is not 0.
    for h in range(ch.kind.size):  # noqa: SIM110 (kept a plain loop for Numba)
        if ch.touch[h, j] and _propensity(pl, ch, w, p, h) != 0.0:
            return True
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _critical(pl, ch, w, p):  # type: ignore[no-untyped-def]
    # Whether some count that p's hazards depend on is changing and below CRITICAL (after
    # _place_rates): then p goes event by event. Each count's level is read first, so that a
    # place whose counts are all large decides without a pass over its channels.
    n_c = pl.x.shape[1]
    for j in range(n_c + 1):
        if ch.watch[j]:
            level = pl.x[p, j] if j < n_c else _npop(ch, pl.x, p)
            if level < CRITICAL and _busy(pl, ch, w, p, j):
                return True
    # Or one that will change within the step: fed by people entering an empty compartment
    # (the bitten, who turn). Leapt, they would join it only at the step's end (what people
    # turn into stays put till the next step), and a city's first zombies would wait a step,
    # of days where its neighbours' counts hold still, before biting anyone.
    # Whether d grows is its drift, summed (rarely) by _moments, as for a leap.
    summed = False
    for h in range(ch.kind.size):
        d = ch.cons[h]
        if d < 0 or ch.kind[h] != 0 or pl.x[p, d] > 0 or w.aprop[0, h] <= 0.0:
            continue
        for m in range(ch.d_n[h]):
            c = ch.d_comp[h, m]
            if ch.d_val[h, m] > 0 and ch.watch[c] and pl.x[p, c] < CRITICAL:
                if not summed:
                    _moments(pl, ch, w, p)
                    summed = True
                if w.mu[p, d] > 0.0:
                    return True
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _nudge(pl, ch, graph, w, p, e, q):  # type: ignore[no-untyped-def]
    # The most that one event at neighbour q (across edge e) can move p's total propensity,
    # p's hazards being those of w.aprop row 0 (after _place_rates): over every channel that
    # could fire at q, each cross-edge propensity of p moves in proportion to the change of
    # the neighbour sum it reads (ch.shift: what each channel changes, tabled once). Infinite
    # where a mover could land at p itself, or a sum would leave zero.
    if ch.movers:
        return np.inf
    weight = 1.0 if graph.weights.size == 0 else graph.weights[e]
    nq = _npop(ch, pl.x, q)
    worst = 0.0
    for g in range(ch.kind.size):
        dn = ch.shift_n[g]
        change = 0.0
        for i in range(ch.cross.size):
            h = ch.cross[i]
            k = ch.comp[h, 1]
            dc = ch.shift[g, k]
            if ch.col_freq[k]:
                c = ch.col_comp[k]
                before = pl.x[q, c] / nq if nq > 0.0 else 0.0
                after = (pl.x[q, c] + dc) / (nq + dn) if nq + dn > 0.0 else 0.0
                d_sum = weight * (after - before)
            else:
                d_sum = weight * dc
            if d_sum == 0.0:
                continue
            a = _propensity(pl, ch, w, p, h)
            if a <= 0.0:
                continue
            if pl.nbs[p, k] <= 0.0:
                return np.inf
            change += a * abs(d_sum) / pl.nbs[p, k]
        worst = max(worst, change)
    return worst


@nb.njit(cache=True, nogil=True, inline="always")
def _jump_cut(pl, ch, graph, w, lw, p, t, tau, total, epsilon):  # type: ignore[no-untyped-def]
    # Cut p's step at the next event (or review) of a neighbour going event by event, whose
    # counts hold till then, unless the events such neighbours can fire within the step (the
    # one due, or as many as their rates give, if more) move p's total propensity by at most
    # epsilon of it in all: Gillespie & Petzold's (2003) leap condition, on the hazards p
    # reads across its borders. A dense place beside a few lone zombies then leaps on, as
    # it would if their counts were leaping too.
    budget = epsilon * total
    spent = 0.0
    for e in range(graph.indptr[p], graph.indptr[p + 1]):
        q = graph.indices[e]
        if lw.exact[q] and t < lw.key[q] < t + tau:
            nudge = _nudge(pl, ch, graph, w, p, e, q)
            if nudge > 0.0:  # (an unbounded step times no change would be nan)
                spent += max(1.0, lw.rate[q] * tau) * nudge
            if spent > budget:
                tau = lw.key[q] - t
    return tau


@nb.njit(cache=True, nogil=True, inline="always")
def _mid_hazards(pl, ch, graph, w, lw, p, half):  # type: ignore[no-untyped-def]
    # The hazards at p's midpoint counts (w.xm) and its neighbour sums moved on by their drift
    # for `half` the step (after _place_rates); the total propensity of the people at p at the
    # start. The drift, not the neighbours' paths read again at the midpoint: _neighbour_bound
    # keeps each sum within ε of itself over the step, so the two differ by far less than the
    # step's own error, and reading the paths again cost about a tenth of the run's time.
    xm, nsum = w.xm, pl.nbs
    for k in range(nsum.shape[1]):
        nsum[p, k] = max(0.0, nsum[p, k] + lw.drift[k] * half)
    npop = _npop(ch, xm, p) if ch.any_freq else 0.0
    total = 0.0
    for h in range(ch.kind.size):
        lam = _hazard(ch, graph, nsum, xm, h, p, npop)
        w.aprop[0, h] = lam
        total += lam if ch.cons[h] < 0 else lam * pl.x[p, ch.cons[h]]
    return total


# --- places leaving and joining the heap ----------------------------------------------------


@nb.njit(cache=True, nogil=True, inline="always")
def _rest(pl, w, lw, p, t):  # type: ignore[no-untyped-def]
    # p idle from t: its counts constant along its path.
    w.is_active[p] = False
    lw.exact[p] = False
    lw.next_h[p] = -1
    lw.t_prev[p] = t
    lw.t_now[p] = t
    for c in range(pl.x.shape[1]):
        lw.x_prev[p, c] = pl.x[p, c]
        lw.slope[p, c] = 0.0


@nb.njit(cache=True, nogil=True, inline="always")
def _review(w, lw, q, t):  # type: ignore[no-untyped-def]
    # A neighbour's change at t reaches q: idle q wakes, and q going event by event draws
    # its next event afresh at t (or when it last drew, if later), since its hazards may have
    # changed (exact by the exponential's lack of memory). Leaping places read their
    # neighbours' paths at their next leap.
    if not w.is_active[q]:
        w.is_active[q] = True
        lw.t_prev[q] = t
        lw.t_now[q] = t
        lw.t_eval[q] = t
        lw.key[q] = t
        lw.exact[q] = True
        lw.next_h[q] = -1
        _push(lw, q)
    elif lw.exact[q] and lw.pos[q] >= 0:
        # A review or an event due by then stays (a review never waits for a later one; a
        # leaping neighbour's step was cut to end at the event, and cancelling it there would
        # cancel it at every such step, for good); a later event gives way to a review then.
        s = max(t, lw.t_eval[q])
        if lw.key[q] <= s:
            return
        lw.key[q] = s
        lw.next_h[q] = -1
        _push(lw, q)


@nb.njit(cache=True, nogil=True, inline="always")
def _slight(pl, ch, graph, lw, p, q, n_now, n_was, epsilon):  # type: ignore[no-untyped-def]
    # Whether p's change (its counts now against lw.x_prev, its counts before its last leap or
    # event) and the changes of q's other neighbours since q last read its neighbour sums move
    # each of those sums by at most epsilon of it: then q's hazards, each linear in a sum,
    # move by at most epsilon too, and q need not draw afresh (the step rule's tolerance).
    # The change is added to what q has been spared so far (lw.moved). n_now and n_was are
    # p's living population now and then, the same for each of p's neighbours.
    weight = 0.0
    for e in range(graph.indptr[q], graph.indptr[q + 1]):
        if graph.indices[e] == p:
            weight = 1.0 if graph.weights.size == 0 else graph.weights[e]
            break
    for k in range(ch.col_comp.size):
        c = ch.col_comp[k]
        if ch.col_freq[k]:
            now = pl.x[p, c] / n_now if n_now > 0.0 else 0.0
            was = lw.x_prev[p, c] / n_was if n_was > 0.0 else 0.0
            d = weight * abs(now - was)
        else:
            d = weight * abs(pl.x[p, c] - lw.x_prev[p, c])
        if d == 0.0:
            continue
        lw.moved[q, k] += d
        if lw.moved[q, k] > epsilon * pl.nbs[q, k]:
            return False
    return True


@nb.njit(cache=True, nogil=True, inline="always")
def _wake(pl, ch, graph, w, lw, gen, p, t, now, sync, epsilon, max_step):  # type: ignore[no-untyped-def]
    # Review the places p's step changed and, where hazards read neighbours, their
    # neighbours: each one going event by event draws afresh unless p's change, with what it
    # was spared before, moves its neighbour sums by at most epsilon (_slight). `now` is the
    # heap's time.
    n_now = _npop(ch, pl.x, p)
    n_was = _npop(ch, lw.x_prev, p)
    for j in range(w.meta[_N_CHANGED]):
        r = w.changed[j]
        w.is_changed[r] = False
        _review(w, lw, r, t)
        if ch.col_comp.size > 0:
            for e in range(graph.indptr[r], graph.indptr[r + 1]):
                q = graph.indices[e]
                if (
                    r == p
                    and w.is_active[q]
                    and lw.exact[q]
                    and _slight(pl, ch, graph, lw, p, q, n_now, n_was, epsilon)
                ):
                    continue
                # A neighbour's event at the heap's own time: q draws afresh at once rather
                # than from the top of the heap in a pass of its own (every place has reached
                # that time, so it reads what that pass would), unless it no longer goes
                # event by event, which its pass decides.
                if (
                    t == now
                    and lw.exact[q]
                    and lw.pos[q] >= 0
                    and lw.t_eval[q] <= t
                    and lw.key[q] > t
                    and _redraw(pl, ch, graph, w, lw, gen, q, t, sync, epsilon, max_step)
                ):
                    _push(lw, q)
                    continue
                _review(w, lw, q, t)


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
def _start(pl, w, lw, t):  # type: ignore[no-untyped-def]
    # Put the places that were waiting for t in the heap. After a change made outside the
    # kernel (fresh), every path starts afresh at t, and every place is reviewed first.
    fresh = lw.meta[_FRESH] != 0
    if fresh:
        for r in range(pl.x.shape[0]):
            _rest(pl, w, lw, r, t)
        lw.meta[_FRESH] = 0
    for i in range(w.meta[_N_ACTIVE]):
        p = w.active[i]
        w.is_active[p] = True
        lw.t_now[p] = t
        lw.key[p] = t
        lw.t_eval[p] = t
        lw.next_h[p] = -1
        if fresh:
            lw.exact[p] = True
        _push(lw, p)
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
def _draw(pl, ch, w, lw, gen, p, t, total, end):  # type: ignore[no-untyped-def]
    # p's next event as ssa draws it, its hazards (w.aprop row 0) held from t: its time and
    # channel, or a review at `end` if it falls there or later.
    lw.t_eval[p] = t
    lw.rate[p] = total
    t_ev = t + draws.exponential(gen) / total
    if t_ev >= end:
        lw.key[p] = end
        lw.next_h[p] = -1
        return
    u = draws.random(gen) * total
    last = -1
    for h in range(ch.kind.size):
        a = _propensity(pl, ch, w, p, h)
        if a > 0.0:
            last = h
            u -= a
            if u < 0.0:
                break
    lw.key[p] = t_ev
    lw.next_h[p] = last


@nb.njit(cache=True, nogil=True, inline="always")
def _exact_draw(pl, ch, w, lw, gen, p, t, total, end, epsilon):  # type: ignore[no-untyped-def]
    # Critical p (after _place_rates) draws its next event from t, held at most till `end`
    # and till what its neighbours' leaps under way allow (_unseen).
    lw.exact[p] = True
    for c in range(pl.x.shape[1]):
        lw.slope[p, c] = 0.0  # its counts hold till its next event
    end = min(end, _unseen(pl, ch, lw, p, epsilon))
    if end <= t:  # a step below the clock's resolution: take the smallest there is
        end = np.nextafter(t, np.inf)
    _draw(pl, ch, w, lw, gen, p, t, total, end)


@nb.njit(cache=True, nogil=True, inline="always")
def _redraw(pl, ch, graph, w, lw, gen, q, t, sync, epsilon, max_step):  # type: ignore[no-untyped-def]
    # q, going event by event and waiting in the heap, draws its next event afresh at t, the
    # heap's time, as a pass of its own at t would (_step); False, and nothing drawn, where q
    # is no longer critical or has nothing to do: that pass then decides.
    total = _place_rates(pl, ch, graph, w, lw, q, t)
    if total > 0.0 and _critical(pl, ch, w, q):
        _exact_draw(pl, ch, w, lw, gen, q, t, total, min(sync, t + max_step), epsilon)
        return True
    return False


@nb.njit(cache=True, nogil=True, inline="always")
def _step(pl, ch, graph, w, lw, gen, counts, p, t, sync, epsilon, max_step):  # type: ignore[no-untyped-def]
    # p's next step from t (see the module docstring): its next event drawn where it is
    # critical (end -2.0), else a leap; the leap's end, or -1.0 where p has become idle.
    total = _place_rates(pl, ch, graph, w, lw, p, t)
    end = min(sync, t + max_step)
    if total > 0.0 and _critical(pl, ch, w, p):
        _exact_draw(pl, ch, w, lw, gen, p, t, total, end, epsilon)
        return -2.0
    lw.exact[p] = False
    _moments(pl, ch, w, p)
    tau = _neighbour_bound(pl, ch, lw, p, np.inf, epsilon)
    tau = min(tau, _own_bound(pl, ch, graph, w, p, total, epsilon))
    if ch.col_comp.size > 0:
        tau = _jump_cut(pl, ch, graph, w, lw, p, t, tau, total, epsilon)
    t_new = end if t + tau >= end else t + tau
    if t_new <= t:  # a step below the clock's resolution: take the smallest there is
        t_new = np.nextafter(t, np.inf)
    step = t_new - t
    n_c = pl.x.shape[1]
    for c in range(n_c):
        lw.slope[p, c] = w.mu[p, c]
        w.xm[p, c] = pl.x[p, c]
    _midpoint(pl, w, p, step)
    if _mid_hazards(pl, ch, graph, w, lw, p, 0.5 * step) == 0.0 and total == 0.0:
        _rest(pl, w, lw, p, t)
        return -1.0
    w.meta[_N_CHANGED] = 0
    _leap_place(pl, ch, graph, w, gen, counts, 0, p, step)
    w.meta[_STEPS] += 1
    return t_new


# The Kernel pipeline lets the inlined helpers read the named tuples in place (ssa/pipeline.py).
@kept_fresh
@nb.njit(cache=True, nogil=True, pipeline_class=Kernel, **NO_NRT)
def simulate_local(pl, ch, graph, w, lw, gen, clock, epsilon, max_step, rec, watched, counts):  # type: ignore[no-untyped-def]
    """Leap every place from clock.t towards clock.end, each by its own steps; (t, status).

    Arguments as kernels.simulate's, with the places' clocks and paths `lw` (Local). Between
    calls, the places waiting for the next interval are w.active[:w.meta[0]], all at clock.t.
    """
    return run_local(pl, ch, graph, w, lw, gen, clock, epsilon, max_step, rec, watched, counts)


@nb.njit(cache=True, nogil=True, inline="always")
def run_local(pl, ch, graph, w, lw, gen, clock, epsilon, max_step, rec, watched, counts):  # type: ignore[no-untyped-def]
    """simulate_local's loop, inlined there and into the kernels compiled for one model's
    channels (model_kernel.py)."""
    t = clock.t
    taken = 0  # heap passes in this call, for the pause (kernel.PAUSE_EVERY)
    while True:
        _record(rec, pl, t, clock)
        if t >= clock.end:
            return clock.end, Status.DONE
        sync = _sync_time(rec, clock)
        if lw.meta[_PAUSED] != 0:
            # Going on after a pause within this interval: the heap, and the places waiting
            # for the next interval in w.active, are as the last call left them.
            lw.meta[_PAUSED] = 0
        else:
            _start(pl, w, lw, t)
        # A place that would come first in the heap again is kept in hand (`held`) rather
        # than pushed and popped at once: after its own event it draws its next at once, and
        # a fast one often fires before any other place's turn.
        held = -1
        now = t  # the heap's time: that of the last place taken from it
        while held >= 0 or lw.meta[_HEAP] > 0:
            if taken > clock.pause >> PAUSE_SHIFT:
                # Back to Python (a Ctrl-C is heard within a second or so), the place in hand
                # pushed: it goes before every other, so it is the next popped when the call
                # after goes on, from the heap's time (before `sync`: no record falls due),
                # and the numbers are the same.
                if held >= 0:
                    _push(lw, held)
                lw.meta[_PAUSED] = 1
                return now, Status.PAUSED
            taken += 1
            if held >= 0:
                p = held
                held = -1
            else:
                p = _pop(lw)
            tp = lw.key[p]
            if tp >= sync:  # waits for the next interval
                w.active[w.meta[_N_ACTIVE]] = p
                w.meta[_N_ACTIVE] += 1
                continue
            now = tp
            h = lw.next_h[p] if lw.exact[p] else -1
            if h >= 0:  # its next event, due now: exactly one firing
                w.meta[_N_CHANGED] = 0
                _fire(ch, graph, w, gen, counts, h, p, ch.cons[h], 1, False)
                lw.next_h[p] = -1
                lw.meta[_EXACT] += 1
                w.meta[_STEPS] += 1
                t_new = tp
                t0 = tp  # its path holds its counts till the event (module docstring)
            else:
                t_new = _step(pl, ch, graph, w, lw, gen, counts, p, tp, sync, epsilon, max_step)
                if t_new == -1.0:
                    continue
                if t_new == -2.0:  # its next event drawn
                    held = _hold_or_push(lw, p)
                    continue
                t0 = tp
            stop_edge = _apply(pl, ch, w, lw, p, t0, t_new)
            n_changed = w.meta[_N_CHANGED]
            _wake(pl, ch, graph, w, lw, gen, p, t_new, tp, sync, epsilon, max_step)
            # Back in the heap: at the end of its leap, or after its event, to be reviewed.
            lw.key[p] = t_new
            lw.t_eval[p] = t_new
            if h >= 0:
                lw.exact[p] = True
            if n_changed and kernel.watch(watched, pl.tot, t_new):
                _push(lw, p)
                return t_new, Status.STOPPED
            if stop_edge:
                _push(lw, p)
                return t_new, Status.EDGE
            held = _hold_or_push(lw, p)
        t = sync

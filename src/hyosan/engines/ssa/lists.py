"""Lists of people, for the ssa events whose rate is the same for every person who can do them.

On a lattice with a few people a site, most events are a zombie stepping to a neighbour or a
bitten person turning: channels whose rate at a place is (rate) × (the people of one
compartment there) × (a weight at most `wmax`), with the rate nearly the same everywhere. For
these the place-by-place selection (kernels.py) does much needless work: every step moves two
places between propensity groups. Instead the kernel keeps, for each such compartment, a list
with one entry per person (the place where that person stands) and draws the event by thinning
(Lewis & Shedler 1979): the channel's clock runs at `bound` × (entries), where `bound` is the
most any one person's rate can be; an entry is drawn uniformly and the event happens with
probability (the person's rate) / bound, else nothing happens (a null event: the clock moves,
the state does not). Each person's event then has exactly its rate, so the law of the chain is
unchanged; only the random numbers are used differently. A step changes one list entry in
place: no search, no swap.

People who leave such a compartment by another channel (a zombie killed by a human, which the
places' structure draws) are not looked for in the list: their place's `dead` count goes up,
and when an entry at that place is drawn it is dropped with probability dead / (entries there),
which leaves the draw uniform over the living entries (another null event).

Which channels use lists is decided per piece of the run (`plan`): those with no frequency
mixing and one reactant of order one (a first-order reaction, or moving along edges), whose
rate differs by at most a factor `SPREAD` between the zones in force and (for moves) between
places' edge-weight sums, so that at most half the draws are null; and only on worlds with at
most `PER_PLACE` people a place on average, so that the lists stay small (4 bytes a person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numba as nb
import numpy as np

from hyosan.engines.code_cache import kept_fresh

if TYPE_CHECKING:
    from hyosan.engines.spatial import Channels
    from hyosan.world.graph import World

__all__ = ["PER_PLACE", "SPREAD", "Lists", "fill", "grow", "no_lists", "plan"]

#: Lists are kept only on worlds with at most this many people a place, on average.
PER_PLACE = 16
#: The most a listed channel's per-person rate may vary (between zones, or edge-weight sums).
SPREAD = 2.0

# A listed channel's fate for the drawn entry: kept where it is, moved to the neighbour, or
# dropped (the person left the compartment).
KEEP, MOVE, DROP = 0, 1, 2


class Lists(NamedTuple):
    """The lists and how the kernel reads them (an argument of kernels.simulate)."""

    channel_list: np.ndarray  # int64 (channels,): the list a channel draws from, or -1
    listed: np.ndarray  # int64: the channels drawn from lists
    by_place: np.ndarray  # int64: the channels drawn place by place (kernels.py)
    comp: np.ndarray  # int64 (lists,): the compartment of each list
    of_comp: np.ndarray  # int64 (compartments,): the list of each compartment, or -1
    bound: np.ndarray  # float64 (channels,): a listed channel's highest rate per person
    inv_bound: np.ndarray  # float64 (channels,): 1 / bound (0 where not listed)
    dead_col: np.ndarray  # int64 (lists,): the list's column of `dead`, or -1
    covered: np.ndarray  # bool (channels, changes): a change the drawn entry's fate makes
    fate: np.ndarray  # int64 (channels,): KEEP, MOVE or DROP
    margin: int  # the most entries one event can add to a list
    ent: np.ndarray  # int32: the entries (places) of every list, list l from start[l]
    start: np.ndarray  # int64 (lists,)
    cap: np.ndarray  # int64 (lists,): room of each list
    length: np.ndarray  # int64 (lists,): entries in each list
    dead: np.ndarray  # int32 (places, lists with a column): people gone but still listed
    lattice: np.ndarray  # int64 [rows, columns, periodic] to compute neighbours, or empty
    quick: np.ndarray  # bool (channels,): a listed move of a compartment no neighbour sum counts
    nearby: np.ndarray  # bool (channels,): a listed move of one that sums count, on a lattice
    #   whose sums are computed: it refreshes only the places around its two ends
    affects: np.ndarray  # bool (compartments,): its count enters a channel drawn by place
    zombie: np.ndarray  # bool (compartments,): a zombie compartment
    gate: np.ndarray  # int64: with nobody of these at a place, no channel drawn by place is
    gated: bool  # whether `gate` holds (some channel drawn by place may need nobody)
    computed: bool  # neighbours and neighbour sums computed on the lattice (neighbours.py)
    inv_cols: float  # 1 / the lattice's columns (0 without a lattice)


def gates(ch: Channels, by_place: np.ndarray) -> tuple[np.ndarray, bool]:
    """The compartments whose counts, all zero at a place, make every channel of `by_place`
    impossible there (each channel's propensity is a multiple of its first reactant's count),
    and whether there are such compartments: a reaction with no reactant has none."""
    out: set[int] = set()
    for h in by_place.tolist():
        if ch.kind[h] == 0:
            reactants = [int(ch.comp[h, m]) for m in range(2) if ch.order[h, m] > 0]
            if not reactants:
                return np.empty(0, dtype=np.int64), False
            out.add(reactants[0])
        else:
            out.add(int(ch.comp[h, 0]))
    return np.array(sorted(out), dtype=np.int64), True


def no_lists(ch: Channels, n_places: int) -> Lists:
    """Every channel drawn place by place."""
    n_h, n_c = ch.kind.size, ch.in_pop.size
    gate, gated = gates(ch, np.arange(n_h, dtype=np.int64))
    return Lists(
        channel_list=np.full(n_h, -1, dtype=np.int64),
        listed=np.empty(0, dtype=np.int64),
        by_place=np.arange(n_h, dtype=np.int64),
        comp=np.empty(0, dtype=np.int64),
        of_comp=np.full(n_c, -1, dtype=np.int64),
        bound=np.zeros(n_h),
        inv_bound=np.zeros(n_h),
        dead_col=np.empty(0, dtype=np.int64),
        covered=np.zeros(ch.d_side.shape, dtype=bool),
        fate=np.zeros(n_h, dtype=np.int64),
        margin=0,
        ent=np.empty(0, dtype=np.int32),
        start=np.empty(0, dtype=np.int64),
        cap=np.empty(0, dtype=np.int64),
        length=np.empty(0, dtype=np.int64),
        dead=np.zeros((n_places, 0), dtype=np.int32),
        lattice=np.empty(0, dtype=np.int64),
        quick=np.zeros(n_h, dtype=bool),
        nearby=np.zeros(n_h, dtype=bool),
        affects=np.ones(n_c, dtype=bool),
        zombie=np.zeros(n_c, dtype=bool),
        gate=gate,
        gated=gated,
        computed=False,
        inv_cols=0.0,
    )


def _spread_ok(values: np.ndarray) -> bool:
    return bool(values.size) and values.min() > 0.0 and values.max() <= SPREAD * values.min()


def plan(ch: Channels, world: World, x: np.ndarray, zombie: np.ndarray) -> Lists:
    """Which channels of this piece draw from lists, with the lists filled from the counts x."""
    n = world.n_places
    if n == 0 or x.sum() > PER_PLACE * n:
        return no_lists(ch, n)
    zones = np.unique(ch.zone) if ch.zone.size else np.zeros(1, dtype=np.int64)
    wsum = world.weight_sums()
    # On a lattice a step goes in one of four directions, drawn uniformly; one off the edge is
    # a null event (so a person on the border leaves at the rate its degree says).
    shape = world.lattice
    lattice = np.empty(0, dtype=np.int64)
    if shape is not None and not world.weighted and min(shape[:2]) >= 3:
        lattice = np.array(shape, dtype=np.int64)
    chosen: list[int] = []
    bound = np.zeros(ch.kind.size)
    for h in range(ch.kind.size):
        kind = int(ch.kind[h])
        first_order = kind == 0 and ch.order[h, 0] == 1 and ch.order[h, 1] == 0
        if ch.freq[h] or not (first_order or kind == 1):
            continue
        rates = ch.rate[zones, h]
        if not _spread_ok(rates) or (kind == 1 and not _spread_ok(wsum)):
            continue
        chosen.append(h)
        most = (4.0 if lattice.size else wsum.max()) if kind == 1 else 1.0
        bound[h] = rates.max() * most
    if not chosen:
        return no_lists(ch, n)
    comps = sorted({int(ch.comp[h, 0]) for h in chosen})
    of_comp = np.full(ch.in_pop.size, -1, dtype=np.int64)
    of_comp[comps] = np.arange(len(comps))
    channel_list = np.full(ch.kind.size, -1, dtype=np.int64)
    covered = np.zeros(ch.d_side.shape, dtype=bool)
    fate = np.zeros(ch.kind.size, dtype=np.int64)
    for h in chosen:
        c = int(ch.comp[h, 0])
        channel_list[h] = of_comp[c]
        changes = [
            (m, int(ch.d_side[h, m]), int(ch.d_comp[h, m]), int(ch.d_val[h, m]))
            for m in range(int(ch.d_n[h]))
        ]
        leaves = [m for m, side, cc, d in changes if side == 0 and cc == c and d == -1]
        if ch.kind[h] == 1:
            covered[h, [m for m, _, cc, _ in changes if cc == c]] = True
            fate[h] = MOVE
        elif leaves:
            covered[h, leaves[0]] = True
            fate[h] = DROP
    # A list needs a `dead` column when some change takes its people away uncovered.
    needs_dead = set()
    for h in range(ch.kind.size):
        for m in range(int(ch.d_n[h])):
            c = int(ch.d_comp[h, m])
            if of_comp[c] >= 0 and ch.d_val[h, m] < 0 and not covered[h, m]:
                needs_dead.add(int(of_comp[c]))
    dead_col = np.full(len(comps), -1, dtype=np.int64)
    for col, lst in enumerate(sorted(needs_dead)):
        dead_col[lst] = col
    margin = max(
        int(np.clip(ch.d_val[h, : int(ch.d_n[h])], 0, None).sum()) for h in range(ch.kind.size)
    )
    by_place = [h for h in range(ch.kind.size) if h not in chosen]
    affects = np.zeros(ch.in_pop.size, dtype=bool)
    for h in by_place:
        affects[ch.comp[h, 0]] = True
        if ch.kind[h] == 0 and ch.order[h, 1] > 0:
            affects[ch.comp[h, 1]] = True
        if ch.freq[h]:
            affects |= ch.in_pop
    fed = set(ch.b_comp.tolist())
    quick = np.array(
        [fate[h] == MOVE and int(ch.comp[h, 0]) not in fed for h in range(ch.kind.size)]
    )
    gate, gated = gates(ch, np.array(by_place, dtype=np.int64))
    # Periodic lattices keep their sums: a wrapped neighbour breaks the CSR's order.
    computed = bool(lattice.size) and not lattice[2]
    nearby = np.array([fate[h] == MOVE and computed and not quick[h] for h in range(ch.kind.size)])
    counts = x[:, comps].sum(axis=0).astype(np.int64)
    cap = 2 * counts + 64 + margin
    start = np.concatenate([[0], np.cumsum(cap)[:-1]]).astype(np.int64)
    lists = Lists(
        channel_list=channel_list,
        listed=np.array(chosen, dtype=np.int64),
        by_place=np.array(by_place, dtype=np.int64),
        comp=np.array(comps, dtype=np.int64),
        of_comp=of_comp,
        bound=bound,
        inv_bound=np.divide(1.0, bound, out=np.zeros_like(bound), where=bound > 0),
        dead_col=dead_col,
        covered=covered,
        fate=fate,
        margin=margin,
        ent=np.zeros(int(cap.sum()), dtype=np.int32),
        start=start,
        cap=cap,
        length=np.zeros(len(comps), dtype=np.int64),
        dead=np.zeros((n, len(needs_dead)), dtype=np.int32),
        lattice=lattice,
        quick=quick,
        nearby=nearby,
        affects=affects,
        zombie=zombie,
        gate=gate,
        gated=gated,
        computed=computed,
        inv_cols=1.0 / lattice[1] if lattice.size else 0.0,
    )
    fill(x, lists.comp, lists.ent, lists.start, lists.length)
    return lists


@kept_fresh
@nb.njit(cache=True, nogil=True)
def fill(x, comp, ent, start, length):  # type: ignore[no-untyped-def]
    """One entry per person of each listed compartment, in place order."""
    for lst in range(comp.size):
        k = start[lst]
        c = comp[lst]
        for p in range(x.shape[0]):
            for _ in range(x[p, c]):
                ent[k] = p
                k += 1
        length[lst] = k - start[lst]


def grow(lists: Lists) -> Lists:
    """The same lists with twice the room for those that are nearly full."""
    need = lists.length + lists.margin + 1
    cap = np.where(need > lists.cap, 2 * lists.cap + lists.margin + 64, lists.cap)
    start = np.concatenate([[0], np.cumsum(cap)[:-1]]).astype(np.int64)
    ent = np.zeros(int(cap.sum()), dtype=np.int32)
    for lst in range(lists.comp.size):
        k = int(lists.length[lst])
        ent[start[lst] : start[lst] + k] = lists.ent[lists.start[lst] : lists.start[lst] + k]
    return lists._replace(ent=ent, start=start, cap=cap)

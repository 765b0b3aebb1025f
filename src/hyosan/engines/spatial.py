"""What the population engines (ssa, tau) share on a graph of places.

The model's reactions act within each place; `world.movement` moves people along edges;
`world.cross` lets two-reactant reactions act between neighbours. This module turns those into
arrays, picks the snapshot times, and turns a finished run into places.parquet and the extent
of the outbreak (how far and how wide it reached, and when it reached named places).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from hyosan.engines.base import Outputs
from hyosan.engines.handoff import hand_over
from hyosan.errors import EngineError
from hyosan.interventions.plan import InterventionPlan
from hyosan.models.network import ReactionNetwork
from hyosan.results.summary import Outbreak
from hyosan.world.build import build_world

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.scenario.schema import Cull, Scenario
    from hyosan.world.cache import WorldCache
    from hyosan.world.graph import World

__all__ = [
    "INTERVENTIONS",
    "Channels",
    "Layout",
    "cull_places",
    "enter_piece",
    "extent",
    "places_table",
    "refresh_snapshot",
    "snapshot_times",
    "spatial_outputs",
]

#: The interventions that the population engines carry out on a world of places.
INTERVENTIONS = tuple(
    f"interventions.{kind}"
    for kind in ("cordon", "curfew", "sweep", "lure", "strike", "evacuate", "cure", "travel")
)

#: Snapshot values kept in memory by default (int32): about 40 MB.
SNAPSHOT_BUDGET = 10_000_000
#: Most snapshots by default.
MAX_SNAPSHOTS = 200


class Channels(NamedTuple):
    """Everything that can happen at a place, as arrays for the Numba kernels.

    Channel h is a reaction within the place (kind 0), a person of one compartment leaving
    along an edge (kind 1), a cross-edge reaction (kind 2) or a directed move (kind 3: a
    person of comp[0] goes to place `toward[comp[1], p]`, if that is not -1). Its propensity
    at place p is rate[zone[p], h] (zone 0 everywhere when `zone` is empty) × (kind 0) the
    falling factorials of its up to two reactant compartments `comp` with orders `order`;
    (kind 1) x[p, comp[0]] × the edge-weight sum of p; (kind 2) x[p, comp[0]] × the
    neighbour sum column comp[1]; (kind 3) x[p, comp[0]]; divided by p's population when
    `freq`. Interventions set `zone` and the rows of `rate` for each piece of the run.
    Its effect is `d_n` changes (side 0: at p, 1: at the neighbour) of `d_val` to `d_comp`;
    `d_bcol` is the neighbour-sum column that compartment feeds (or -1), `d_zup` whether it
    adds a zombie, and `tot` whether the channel changes the totals at all.
    """

    kind: np.ndarray
    rate: np.ndarray
    freq: np.ndarray
    comp: np.ndarray
    order: np.ndarray
    in_pop: np.ndarray
    any_freq: bool
    d_n: np.ndarray
    d_side: np.ndarray
    d_comp: np.ndarray
    d_val: np.ndarray
    d_bcol: np.ndarray
    d_zup: np.ndarray
    tot: np.ndarray
    b_comp: np.ndarray
    zone: np.ndarray
    toward: np.ndarray


@dataclass(frozen=True, eq=False)
class Layout:
    """A scenario's model on its world, as the arrays the kernels read."""

    net: ReactionNetwork
    world: World
    x0: np.ndarray  # int64 (places, compartments)
    move: np.ndarray  # float64 (compartments,) per person per unit of edge weight
    cross_r: np.ndarray  # int64 (k,) the reaction
    cross_a: np.ndarray  # int64 (k,) first reactant, at place p
    cross_b: np.ndarray  # int64 (k,) second reactant, at neighbour q
    cross_dp: np.ndarray  # int64 (k, compartments) changes at p
    cross_dq: np.ndarray  # int64 (k, compartments) changes at q
    cross_factor: float
    zmask: np.ndarray  # bool (compartments,) zombie compartments
    plan: InterventionPlan | None = None  # the interventions, whose added reactions end `net`

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, rng: np.random.Generator, worlds: WorldCache | None = None
    ) -> Layout:
        """The model, world, initial counts and interventions of `scenario`, built with `rng`
        (which places a random world and seeds its people, and seeds a handoff's school run),
        the world's structure taken from `worlds` when it was built before."""
        net = ReactionNetwork.from_scenario(scenario)
        world, x0 = build_world(scenario, rng, worlds)
        plan = None
        if scenario.acts:
            seed = int(rng.integers(2**62))  # the school's run, for a handoff
            handover = hand_over(scenario, world, net, seed) if scenario.handoff else None
            plan = InterventionPlan.build(scenario, world, net, handover)
            net = plan.network(net)
        comps = list(net.compartments)
        move = np.zeros(len(comps))
        spec = scenario.world
        if spec is not None:
            for c, rate in spec.movement.items():
                move[comps.index(c)] = float(rate)
        names = list(net.reaction_names)
        rows = []
        by_name = {r.name: r for r in scenario.model.reactions}
        for name in spec.cross.reactions if spec is not None and spec.cross is not None else ():
            # The first reactant is the equation's first: its place divides frequency mixing.
            first, second = (comps.index(c) for c in by_name[name].reactants)
            rows.append(_split(net, names.index(name), first, second))
        k = len(rows)
        return cls(
            net=net,
            world=world,
            x0=x0,
            move=move,
            cross_r=np.array([r[0] for r in rows], dtype=np.int64),
            cross_a=np.array([r[1] for r in rows], dtype=np.int64),
            cross_b=np.array([r[2] for r in rows], dtype=np.int64),
            cross_dp=np.array([r[3] for r in rows], dtype=np.int64).reshape(k, len(comps)),
            cross_dq=np.array([r[4] for r in rows], dtype=np.int64).reshape(k, len(comps)),
            cross_factor=float(spec.cross.factor) if spec is not None and spec.cross else 0.0,
            zmask=np.array([s == "zombie" for s in net.states], dtype=bool),
            plan=plan,
        )

    def channel_reactions(self) -> np.ndarray:
        """The reaction of `net` each channel of `channels()` acts out, or -1 (a move).

        In the order `channels` makes them: the reactions within a place, the moves, the
        reactions across edges (each its reaction), then the interventions' directed moves.
        """
        n_moves = int(np.count_nonzero(self.move > 0))
        n_directed = len(self.plan.directed) if self.plan is not None else 0
        return np.concatenate(
            [
                np.arange(len(self.net.reaction_names), dtype=np.int64),
                np.full(n_moves, -1, dtype=np.int64),
                self.cross_r.astype(np.int64),
                np.full(n_directed, -1, dtype=np.int64),
            ]
        )

    def channels(self) -> tuple[Channels, list[str]]:
        """The channels of this layout (see Channels) and their names."""
        net = self.net
        comps = list(net.compartments)
        b_comp = np.unique(self.cross_b).astype(np.int64)
        bcol = {int(c): i for i, c in enumerate(b_comp)}
        rows: list[tuple[int, float, bool, list[tuple[int, int]], list[tuple[int, int, int]], str]]
        rows = []
        for j, name in enumerate(net.reaction_names):
            reactants = [(int(c), int(o)) for c, o in enumerate(net.reactants[j]) if o > 0]
            if len(reactants) > 2:
                raise EngineError(
                    f"reaction {name!r} meets {len(reactants)} compartments; the ssa and tau "
                    "engines take reactions of at most two"
                )
            changes = [(0, c, int(d)) for c, d in enumerate(net.stoichiometry[j]) if d != 0]
            rows.append((0, float(net.rates[j]), bool(net.frequency[j]), reactants, changes, name))
        for c in map(int, np.flatnonzero(self.move > 0)):
            rows.append(
                (
                    1,
                    float(self.move[c]),
                    False,
                    [(int(c), 1)],
                    [(0, int(c), -1), (1, int(c), 1)],
                    f"move {comps[c]}",
                )
            )
        for k, j in enumerate(self.cross_r):
            changes = [(0, c, int(d)) for c, d in enumerate(self.cross_dp[k]) if d != 0]
            changes += [(1, c, int(d)) for c, d in enumerate(self.cross_dq[k]) if d != 0]
            rows.append(
                (
                    2,
                    self.cross_factor * float(net.rates[j]),
                    bool(net.frequency[j]),
                    [(int(self.cross_a[k]), 1), (bcol[int(self.cross_b[k])], 0)],
                    changes,
                    f"{net.reaction_names[j]} across",
                )
            )
        # (`directed`, not `d`: d is a count change below, an int.)
        for directed in self.plan.directed if self.plan is not None else ():
            rows.append(
                (
                    3,
                    directed.rate,
                    False,
                    [(directed.comp, 1), (directed.table, 0)],
                    [(0, directed.comp, -1), (1, directed.comp, 1)],
                    directed.name,
                )
            )
        h = len(rows)
        width = max([len(r[4]) for r in rows] + [1])
        comp = np.zeros((h, 2), dtype=np.int64)
        order = np.zeros((h, 2), dtype=np.int64)
        d_side = np.zeros((h, width), dtype=np.int64)
        d_comp = np.zeros((h, width), dtype=np.int64)
        d_val = np.zeros((h, width), dtype=np.int64)
        d_bcol = np.full((h, width), -1, dtype=np.int64)
        d_zup = np.zeros((h, width), dtype=bool)
        tot = np.zeros(h, dtype=bool)
        for i, (_, _, _, reactants, changes, _) in enumerate(rows):
            for m, (c, o) in enumerate(reactants):
                comp[i, m], order[i, m] = c, o
            net_change = np.zeros(len(comps), dtype=np.int64)
            for m, (side, c, d) in enumerate(changes):
                d_side[i, m], d_comp[i, m], d_val[i, m] = side, c, d
                d_bcol[i, m] = bcol.get(c, -1)
                d_zup[i, m] = bool(self.zmask[c]) and d > 0
                net_change[c] += d
            tot[i] = bool(net_change.any())
        freq = np.array([r[2] for r in rows], dtype=bool)
        kinds = np.array([r[0] for r in rows], dtype=np.int64)
        if self.plan is not None:
            n_own = len(net.reaction_names) - len(self.plan.reactions)
            self.plan.bind([r[5] for r in rows], kinds, comp[:, 0], n_own)
        toward = self.plan.toward if self.plan is not None else np.full((0, 0), -1, np.int32)
        return Channels(
            kind=kinds,
            rate=np.array([r[1] for r in rows], dtype=np.float64)[None, :],
            freq=freq,
            comp=comp,
            order=order,
            in_pop=net.in_population.copy(),
            any_freq=bool(freq.any()),
            d_n=np.array([len(r[4]) for r in rows], dtype=np.int64),
            d_side=d_side,
            d_comp=d_comp,
            d_val=d_val,
            d_bcol=d_bcol,
            d_zup=d_zup,
            tot=tot,
            b_comp=b_comp,
            zone=np.empty(0, dtype=np.int32),
            toward=toward,
        ), [r[5] for r in rows]


def _split(
    net: ReactionNetwork, j: int, a: int, b: int
) -> tuple[int, int, int, list[int], list[int]]:
    """Reaction j across an edge, reactant a at p and b at q: (j, a, b, changes at p, at q).

    Each reactant that reappears among the products stays where it was; what the consumed
    reactant turns into appears at its place (both consumed: at the first reactant's place).
    """
    products = net.products[j].copy()
    dp = [0] * len(net.compartments)
    dq = [0] * len(net.compartments)
    consumed_a = products[a] == 0
    if not consumed_a:
        products[a] -= 1
    else:
        dp[a] -= 1
    consumed_b = products[b] == 0
    if not consumed_b:
        products[b] -= 1
    else:
        dq[b] -= 1
    rest = dq if consumed_b and not consumed_a else dp
    for c, m in enumerate(products):
        rest[c] += int(m)
    return j, a, b, dp, dq


def snapshot_times(scenario: Scenario, n_places: int, n_compartments: int) -> np.ndarray:
    """Evenly spaced times from 0 to the horizon for per-place snapshots (none for one place)."""
    asked = scenario.record.snapshots
    if scenario.world is None:
        return np.empty(0)
    if asked is None:
        fits = SNAPSHOT_BUDGET // max(1, n_places * n_compartments)
        asked = int(min(MAX_SNAPSHOTS, max(2, fits)))
    if asked == 0:
        return np.empty(0)
    return np.linspace(0.0, float(scenario.time.horizon), asked) if asked > 1 else np.zeros(1)


def places_table(
    scenario: Scenario,
    layout: Layout,
    first_z: np.ndarray,
    snap_times: np.ndarray,
    snaps: np.ndarray,
) -> pa.Table:
    """One row per place: where it is, its people, when a zombie first came, and snapshots."""
    import pyarrow as pa

    from hyosan.results import arrow

    world = layout.world
    n = world.n_places
    cols: dict[str, Any] = {"place": arrow.column(np.arange(n, dtype=np.int32))}
    if world.cells is not None:
        cols["row"] = arrow.column(world.cells[:, 0])
        cols["col"] = arrow.column(world.cells[:, 1])
    if world.names is not None:
        cols["name"] = arrow.strings(list(world.names))
    if world.coords is not None:
        cols["x"] = arrow.column(world.coords[:, 0])
        cols["y"] = arrow.column(world.coords[:, 1])
    living = layout.x0[:, layout.net.in_population].sum(axis=1)
    cols["population"] = arrow.column(living.astype(np.int64))
    cols["t_first_zombie_s"] = arrow.column(first_z, valid=~np.isnan(first_z))
    f = snap_times.size
    # Snapshots: per compartment, a fixed-size list of counts, one per snapshot time.
    for c, name in enumerate(layout.net.compartments if f else ()):
        values = np.ascontiguousarray(snaps[:f, :, c].T).reshape(-1).astype(np.int32)
        cols[name] = pa.FixedSizeListArray.from_arrays(arrow.column(values), f)
    meta = {
        "snapshot_times_s": json.dumps([float(t) for t in snap_times]),
        "compartments": json.dumps(list(layout.net.compartments)),
        # Each compartment's state, so that a reader of the file alone (the report) knows
        # which counts are zombies without the scenario.
        "states": json.dumps(list(layout.net.states)),
    }
    if world.shape is not None:
        meta["shape"] = json.dumps(list(world.shape))
    return arrow.table(cols, metadata=meta)


def extent(scenario: Scenario, layout: Layout, first_z: np.ndarray) -> Outbreak:
    """How far the outbreak reached: places reached, and on grids its radius and reach."""
    world = layout.world
    reached = ~np.isnan(first_z)
    arrivals = None
    if world.landmarks or world.names:
        named = world.landmarks or {n: i for i, n in enumerate(world.names or ())}
        arrivals = {
            name: None if np.isnan(first_z[i]) else float(first_z[i]) for name, i in named.items()
        }
    out = Outbreak(places_reached=int(reached.sum()), t_arrival_s=arrivals)
    seeds = np.flatnonzero(first_z == 0.0)
    if world.cells is None or world.shape is None or seeds.size == 0 or not reached.any():
        return out
    origin = world.cells[seeds[0]].astype(np.int64)
    d = world.cells[reached].astype(np.int64) - origin
    if scenario.world is not None and scenario.world.periodic:
        shape = np.array(world.shape)
        d = np.minimum(np.abs(d), shape - np.abs(d))
    d = np.abs(d)
    out = replace(
        out,
        radius_cells=float(np.sqrt((d.astype(np.float64) ** 2).sum(axis=1)).max()),
        reach_rows_cells=int(d[:, 0].max()),
        reach_cols_cells=int(d[:, 1].max()),
    )
    if (
        scenario.world is not None
        and scenario.world.kind in ("lattice", "grid")
        and not scenario.world.periodic
    ):
        # The border stop_at_edge stops at: a grid's is its raster's first and last rows and
        # columns, whether anyone lives there or not.
        cells = world.cells[reached]
        rows, cols = world.shape
        edge = (
            (cells[:, 0] == 0)
            | (cells[:, 0] == rows - 1)
            | (cells[:, 1] == 0)
            | (cells[:, 1] == cols - 1)
        )
        out = replace(out, reached_edge=bool(np.any(edge)))
    return out


def edge_mask(scenario: Scenario, world: World) -> np.ndarray:
    """Places on the border of a lattice or grid, when the run stops there; else empty."""
    if scenario.world is None or not scenario.world.stop_at_edge or world.cells is None:
        return np.empty(0, dtype=bool)
    assert world.shape is not None
    rows, cols = world.shape
    r, c = world.cells[:, 0], world.cells[:, 1]
    return (r == 0) | (r == rows - 1) | (c == 0) | (c == cols - 1)


def cull_places(
    layout: Layout, x: np.ndarray, cull: Cull, fraction: float, rng: np.random.Generator
) -> None:
    """A cull on counts per place: each person removed independently with `fraction`."""
    net = layout.net
    for i in net.indices_of(cull.compartment):
        removed = rng.binomial(x[:, i], fraction)
        x[:, i] -= removed
        if cull.to is not None:
            x[:, net.indices_of(cull.to)[0]] += removed
    for name in cull.reset_to_initial:
        j = net.indices_of(name)
        x[:, j] = layout.x0[:, j]


def refresh_snapshot(
    snap_times: np.ndarray, snaps: np.ndarray, taken: int, t: float, x: np.ndarray
) -> None:
    """After a change at t (a cull, a strike), the snapshot taken at t shows it, as the time
    series' record at t does (records are right-continuous)."""
    if taken and snap_times[taken - 1] == t:
        snaps[taken - 1] = x


def enter_piece(
    layout: Layout,
    t: float,
    x: np.ndarray,
    tot: np.ndarray,
    snapshots: tuple[np.ndarray, np.ndarray, int],
    channels: Any,
    base_rates: np.ndarray,
) -> tuple[Any, World]:
    """Interventions change at t: carry out its instants on the counts x (and their totals
    `tot`, and the snapshot taken at t), and return the channels with the zones, rates and
    routes of the piece that starts at t, and the world with its edge weights then."""
    plan, world = layout.plan, layout.world
    assert plan is not None
    if plan.instant(t, x, layout.net):
        tot[:] = x.sum(axis=0)
        refresh_snapshot(*snapshots, t, x)
    zone, table = plan.rates(base_rates, t)
    channels = channels._replace(zone=zone, rate=table, toward=plan.routes_at(world, t))
    weights = plan.weights(world, t)
    return channels, world if weights is None else replace(world, weights=weights)


def spatial_outputs(
    scenario: Scenario,
    layout: Layout,
    first_z: np.ndarray,
    snap_times: np.ndarray,
    snaps: np.ndarray,
    counts: np.ndarray,
    tot: np.ndarray,
    *,
    places: bool = True,
) -> Outputs:
    """The Result's places table and outbreak extent for a run on a world (none for one
    place), and what the interventions did (`counts`: events per channel; `tot`: the final
    totals). `places=False` leaves the places table out (a run that keeps only its summary)."""
    on_world = scenario.world is not None
    return Outputs(
        places=(
            places_table(scenario, layout, first_z, snap_times, snaps)
            if on_world and places
            else None
        ),
        outbreak=extent(scenario, layout, first_z) if on_world else None,
        interventions=(
            None if layout.plan is None else layout.plan.report(counts, tot, layout.net)
        ),
    )

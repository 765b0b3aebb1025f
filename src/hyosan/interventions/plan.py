"""A scenario's interventions compiled onto its world, for the population engines.

The engines see interventions as three things:

1. added reactions (a sweep's kills and bitten soldiers, a cure, the camp's screening) and
   directed moves (a lure, an evacuation, travel): channels whose rate is zero except where and
   while their intervention acts;
2. per piece of the horizon between two change times, a zone number per place and a table of
   channel rates per zone (the zones are the distinct combinations of the active areas), and,
   while a cordon stands, edge weights with the cordon's edges scaled by its leak;
3. air strikes at their instants, which kill everyone in their area.

A directed move sends one person from p to `toward[k, p]` (-1: nowhere); for a lure or an
evacuation that is p's next place on a shortest path to the target, for travel the
destination itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import EngineError
from hyosan.results.interventions import AfterStrikes, InterventionReport, Measure, Strike
from hyosan.results.words import plural
from hyosan.scenario.interventions import Area, Targets, targets
from hyosan.scenario.names import KnownNames, unknown_name
from hyosan.world.build import seed_place

if TYPE_CHECKING:
    from hyosan.interventions.handoff import Handover
    from hyosan.models.network import ReactionNetwork
    from hyosan.scenario.schema import Scenario
    from hyosan.world.graph import World

__all__ = ["Directed", "InterventionPlan", "area_mask", "find_place", "next_hops"]


@dataclass(frozen=True)
class Directed:
    """A directed move: one person of `comp` from p to `toward[table, p]` at `rate`."""

    comp: int
    table: int
    rate: float
    name: str


@dataclass(frozen=True)
class _Effect:
    """While intervention `iv` acts, channel `channel` (an index among all channels, set by
    `InterventionPlan.bind`) at places in mask `mask` (-1: everywhere) is switched on (`gate`)
    or has its rate multiplied by `factor`."""

    iv: int
    mask: int
    key: tuple[str, Any]
    factor: float = 1.0
    gate: bool = True


def _csr(world: World, keep: np.ndarray | None = None) -> Any:
    from scipy.sparse import csr_matrix

    n = world.n_places
    data = world.weights if world.weighted else np.ones(world.n_edges)
    graph = csr_matrix((data, world.indices, world.indptr), shape=(n, n))
    if keep is not None:  # drop the edges not kept (csgraph may read stored zeros as edges)
        graph = graph.multiply(
            csr_matrix((keep.astype(np.float64), world.indices, world.indptr), shape=(n, n))
        ).tocsr()
        graph.eliminate_zeros()
    return graph


def find_place(world: World, ref: str | int | tuple[int, int], field: str) -> int:
    """The place `ref` names in `world` (world.build.seed_place), with a suggestion for a
    name the world does not have.

    The scenario checks names against regions, buildings and inline graphs when it loads;
    a grid's landmarks (Korea's 81 cities) and a graph file's nodes are known only here.
    """
    try:
        return seed_place(world, ref, field)
    except EngineError:
        # Only the message is ours: the lookup is seed_place's, whatever it accepts.
        known = sorted(world.landmarks) or list(world.names or ())
        if not isinstance(ref, str) or ref == "center" or not known:
            raise
        names = KnownNames(tuple(known), "place", "in the world")
        raise EngineError(f"{field}: {unknown_name(ref, names)}") from None


def area_mask(world: World, area: Area | None, field: str) -> np.ndarray | None:
    """Places in `area` (None: everywhere)."""
    if area is None:
        return None
    n = world.n_places
    mask = np.zeros(n, dtype=bool)
    if area.places:
        for i, ref in enumerate(area.places):
            mask[find_place(world, ref, f"{field}.places[{i}]")] = True
        return mask
    assert area.around is not None
    centre = find_place(world, area.around, f"{field}.around")
    if area.hops is not None:
        from scipy.sparse.csgraph import dijkstra

        dist = dijkstra(_csr(world), indices=centre, unweighted=True, limit=area.hops + 0.5)
        return np.isfinite(dist)
    assert area.radius is not None
    if world.cells is not None:
        where = world.cells.astype(np.float64)
    elif world.coords is not None:
        where = world.coords
    else:
        raise EngineError(f"{field}.radius: this world has no grid; give hops = N instead")
    if n > 1 and np.all(where == where[0]):
        # Regions left at x = y = 0 all stand at one point: every radius would take them all.
        raise EngineError(
            f"{field}.radius: the places of this world have no positions (every region at "
            "x = 0, y = 0); give the regions x and y (or lat and lon), or use hops = N or "
            "places = [...]"
        )
    return np.hypot(*(where - where[centre]).T) <= area.radius + 1e-9


def next_hops(world: World, target: int, keep: np.ndarray | None = None) -> np.ndarray:
    """For each place, its neighbour on a shortest path (in edges, along the edges `keep`
    marks, or all) to `target`; -1 at the target and where it cannot be reached."""
    from scipy.sparse.csgraph import breadth_first_order

    # Searching the reversed graph from the target, a place's predecessor is the neighbour one
    # step nearer the target along the place's own edges.
    graph = _csr(world, keep).T.tocsr()
    _, pred = breadth_first_order(graph, target, return_predecessors=True)
    return np.where(pred < 0, -1, pred).astype(np.int32)


@dataclass
class InterventionPlan:
    """Interventions on one world; see the module docstring."""

    windows: list[tuple[float, float]]
    masks: list[np.ndarray]
    toward: np.ndarray  # int32 (tables, places)
    reactions: list[tuple[str, dict[int, int], dict[int, int], float]]  # name, in, out, rate
    directed: list[Directed]
    effects: list[_Effect]
    cordons: list[tuple[int, int, float]]  # (intervention, mask, leak)
    strikes: list[tuple[int, float, int, int]]  # (intervention, time, mask, to or -1)
    routes: list[tuple[str, int, int]]  # per toward table: ("path", target, -1) or a flight
    kinds: list[str]
    names: list[str]
    notes: list[str]
    channel_of: dict[tuple[str, Any], int] = field(default_factory=dict)
    channel_iv: dict[int, int] = field(default_factory=dict)
    #: (intervention, time, the people hit by state) of each strike carried out.
    tallies: list[tuple[int, float, dict[str, int]]] = field(default_factory=list)
    infected_after: float | None = None
    handoff: Handover | None = None
    #: What each added reaction and directed move counts, in words, by its name (the key of
    #: the summary's events: "Special forces: Z destroyed" -> "zombies destroyed").
    words: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        scenario: Scenario,
        world: World,
        net: ReactionNetwork,
        handover: Handover | None = None,
    ) -> InterventionPlan:
        """Compile the scenario's interventions onto `world`, whose model is `net`, with the
        school's people to add at the handoff (`hyosan.engines.handoff.hand_over`)."""
        if scenario.handoff is not None and handover is None:
            raise EngineError("handoff: the school's run is missing; run it with hand_over first")
        chosen = [(j, iv) for j, iv in enumerate(scenario.interventions) if iv.enabled]
        parts = _Parts(world, list(net.compartments), list(net.states))
        for i, (j, iv) in enumerate(chosen):
            parts.add(i, f"interventions[{j}]", iv, targets(iv, scenario.model))
        n = world.n_places
        toward = np.stack(parts.tables) if parts.tables else np.full((0, n), -1, dtype=np.int32)
        return cls(
            handoff=handover,
            windows=[iv.window() for _, iv in chosen],
            masks=parts.masks,
            toward=toward,
            reactions=parts.reactions,
            directed=parts.directed,
            effects=parts.effects,
            cordons=parts.cordons,
            strikes=parts.strikes,
            routes=parts.routes,
            kinds=[iv.kind for _, iv in chosen],
            names=[iv.name or iv.kind for _, iv in chosen],
            notes=[getattr(iv, "note", "") for _, iv in chosen],
            words=parts.words,
        )

    # --- the model and its channels ---------------------------------------------------------

    def network(self, net: ReactionNetwork) -> ReactionNetwork:
        """`net` with the added reactions at the end, each at its rate when switched on."""
        if not self.reactions:
            return net
        n_c = len(net.compartments)
        rows_in = np.zeros((len(self.reactions), n_c), dtype=np.int64)
        rows_out = np.zeros_like(rows_in)
        for j, (_, ins, outs, _) in enumerate(self.reactions):
            for c, k in ins.items():
                rows_in[j, c] += k
            for c, k in outs.items():
                rows_out[j, c] += k
        rates = [r for *_, r in self.reactions]
        return replace(
            net,
            reaction_names=net.reaction_names + tuple(r[0] for r in self.reactions),
            parameter_names=net.parameter_names + tuple(f"_iv{j}" for j in range(len(rates))),
            reactants=np.vstack([net.reactants, rows_in]),
            products=np.vstack([net.products, rows_out]),
            rates=np.concatenate([net.rates, rates]),
            frequency=np.concatenate([net.frequency, np.zeros(len(rates), dtype=bool)]),
        )

    def bind(self, names: list[str], kinds: np.ndarray, comps: np.ndarray, n_base: int) -> None:
        """Find each effect's channel among the engine's channels.

        `names` and `kinds` are the channels' names and kinds, `comps` the compartment each
        kind-1 channel moves, and `n_base` the number of the model's own reactions (the added
        ones follow them, and the directed moves come last).
        """
        n_dir = len(self.directed)
        first_dir = len(names) - n_dir
        for e in self.effects:
            what, k = e.key
            if what == "reaction":
                h = n_base + int(k)
            elif what == "directed":
                h = first_dir + int(k)
            else:
                found = np.flatnonzero((kinds == 1) & (comps == k))
                if not found.size:
                    continue  # a compartment that does not move: nothing to slow
                h = int(found[0])
            self.channel_of[e.key] = h
            self.channel_iv[h] = e.iv

    def gated(self, n_channels: int) -> np.ndarray:
        """Channels that exist only while an intervention switches them on."""
        out = np.zeros(n_channels, dtype=bool)
        for e in self.effects:
            if e.gate and e.key in self.channel_of:
                out[self.channel_of[e.key]] = True
        return out

    # --- one piece --------------------------------------------------------------------------

    def active(self, i: int, t: float) -> bool:
        """Whether intervention `i` is in force at time t (its window holds t; the end excluded)."""
        start, end = self.windows[i]
        return start <= t < end

    def times(self, horizon: float) -> list[float]:
        """Times at which something starts, stops or happens, in (0, horizon]."""
        out: set[float] = set()
        for start, end in self.windows:
            out.update(v for v in (start, end) if 0.0 < v <= horizon)
        if self.handoff is not None and 0.0 < self.handoff[0] <= horizon:
            out.add(self.handoff[0])
        return sorted(out)

    def instant(self, t: float, x: np.ndarray, net: ReactionNetwork) -> bool:
        """What happens at t to the counts per place x (strikes, the school's people
        arriving); True if anything did."""
        changed = self.strike(t, x, net)
        if self.handoff is not None and self.handoff[0] == t:
            x += self.handoff[1]
            changed = True
        return changed

    def rates(self, base: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(zone per place, or empty when one zone; rate table (zones, channels)) from t on."""
        gated = self.gated(base.size)
        live = [e for e in self.effects if self.active(e.iv, t) and e.key in self.channel_of]
        used = sorted({e.mask for e in live if e.mask >= 0})
        if not used:
            zone = np.empty(0, dtype=np.int32)
            keys = np.zeros(1, dtype=np.int64)
        else:
            if len(used) > 62:
                raise EngineError("more than 62 areas act at once; merge some interventions")
            key = np.zeros(self.masks[0].size, dtype=np.int64)
            for bit, m in enumerate(used):
                key |= self.masks[m].astype(np.int64) << bit
            keys, inverse = np.unique(key, return_inverse=True)
            zone = inverse.astype(np.int32)
        table = np.tile(np.where(gated, 0.0, base), (keys.size, 1))
        on = np.zeros_like(table, dtype=bool)
        for z, k in enumerate(keys):
            for e in live:
                if e.mask >= 0 and not (int(k) >> used.index(e.mask)) & 1:
                    continue
                h = self.channel_of[e.key]
                if e.gate:
                    on[z, h] = True
                else:
                    table[z, h] *= e.factor
        table[on] = np.broadcast_to(base, table.shape)[on]
        return zone, table

    def weights(self, world: World, t: float) -> np.ndarray | None:
        """Edge weights with the standing cordons' edges scaled; None when none stands."""
        standing = [(m, leak) for i, m, leak in self.cordons if self.active(i, t)]
        if not standing:
            return None
        w = world.weights.copy() if world.weighted else np.ones(world.n_edges)
        source = np.repeat(np.arange(world.n_places), world.degree())
        for m, leak in standing:
            inside = self.masks[m]
            w[inside[source] != inside[world.indices]] *= leak
        return w

    def routes_at(self, world: World, t: float) -> np.ndarray:
        """The directed moves' tables from t on: a lure's paths go round the standing cordons
        (they stop people, however leaky), a flight across one does not leave, and evacuees
        pass them (the army lets them through to its camp)."""
        standing = [self.masks[m] for i, m, _ in self.cordons if self.active(i, t)]
        if not standing or not self.routes:
            return self.toward
        source = np.repeat(np.arange(world.n_places), world.degree())
        keep = np.ones(world.n_edges, dtype=bool)
        for inside in standing:
            keep &= inside[source] == inside[world.indices]
        tables = []
        for (what, a, b), table in zip(self.routes, self.toward, strict=True):
            if what == "path":
                tables.append(next_hops(world, a, keep))
            elif what == "corridor":
                tables.append(table)
            else:
                crossed = any(inside[a] != inside[b] for inside in standing)
                tables.append(np.where(crossed, -1, table).astype(np.int32))
        return np.stack(tables)

    def strike(self, t: float, x: np.ndarray, net: ReactionNetwork) -> bool:
        """Carry out the strikes at t on the counts per place x; True if there were any."""
        hit = False
        states = np.array(net.states)
        alive = states != "removed"
        for i, when, m, to in self.strikes:
            if when != t:
                continue
            hit = True
            inside = self.masks[m]
            sub = x[inside]
            before = sub.sum(axis=0)
            by_state = {s: int(before[states == s].sum()) for s in dict.fromkeys(states[alive])}
            self.tallies.append((i, t, by_state))
            killed = sub[:, alive].sum(axis=1)
            sub[:, alive] = 0
            if to >= 0:
                sub[:, to] += killed
            x[inside] = sub
        if hit:
            self.infected_after = float(x[:, _infected(net)].sum())
        return hit

    # --- what it did ------------------------------------------------------------------------

    def report(
        self, counts: np.ndarray | None, final: np.ndarray, net: ReactionNetwork
    ) -> tuple[InterventionReport, ...]:
        """One entry per intervention: what it is and, where the engine counted them, what its
        channels did (`counts`: events per channel) and what its strikes hit.

        After strikes, a last entry compares the infected (bitten, zombies and hybrids) just
        after the last strike with those at the end (`final`: counts per compartment): whether
        the few a strike leaves restart the outbreak.
        """
        out: list[InterventionReport] = []
        for i, kind in enumerate(self.kinds):
            name, note = self.names[i], self.notes[i] or ""
            if kind == "strike":
                struck = [(t, hit) for j, t, hit in self.tallies if j == i]
                t_s, hit = struck[-1] if struck else (None, {})
                out.append(Strike.of(name, t_s, note, hit))
                continue
            done: dict[str, int] = {}
            if counts is not None:
                for (what, k), h in self.channel_of.items():
                    if self.channel_iv[h] == i and what != "move":
                        done[self._label(what, int(k))] = int(counts[h])
            labels = {k: self.words[k] for k in done if k in self.words}
            start, end = self.windows[i]
            out.append(
                Measure(
                    name=name,
                    kind=kind,
                    start_s=start,
                    end_s=Measure.end_of(end),
                    note=note,
                    events=done or None,
                    labels=labels or None,
                )
            )
        if self.infected_after is not None:
            at_end = float(np.asarray(final)[_infected(net)].sum())
            out.append(AfterStrikes(infected_left=self.infected_after, infected_at_end=at_end))
        if self.handoff is not None:
            out.append(self.handoff[2])
        return tuple(out)

    def _label(self, what: str, k: int) -> str:
        return self.reactions[k][0] if what == "reaction" else self.directed[k].name


def _infected(net: ReactionNetwork) -> np.ndarray:
    return np.array([s in ("bitten", "zombie", "hybrid") for s in net.states])


class _Parts:
    """What `InterventionPlan.build` gathers from the interventions, one method per kind."""

    def __init__(self, world: World, comps: list[str], states: list[str]) -> None:
        self.world = world
        self.comps = comps
        self.states = states
        self.words: dict[str, str] = {}
        self.masks: list[np.ndarray] = []
        self.tables: list[np.ndarray] = []
        self.reactions: list[tuple[str, dict[int, int], dict[int, int], float]] = []
        self.directed: list[Directed] = []
        self.effects: list[_Effect] = []
        self.cordons: list[tuple[int, int, float]] = []
        self.strikes: list[tuple[int, float, int, int]] = []
        self.routes: list[tuple[str, int, int]] = []

    def add(self, i: int, where: str, iv: Any, t: Targets) -> None:
        """Intervention number `i` (among those enabled), at `where` in the scenario."""
        idx = [self.comps.index(c) for c in t.moved]
        to = self.comps.index(t.to) if t.to is not None else -1
        label = iv.name or iv.kind
        getattr(self, iv.kind)(i, where, iv, t, idx, to, label)

    # --- bookkeeping --------------------------------------------------------------------

    def mask_of(self, area: Area | None, where: str) -> int:
        m = area_mask(self.world, area, where)
        if m is None:
            return -1
        self.masks.append(m)
        return len(self.masks) - 1

    def only(self, place: int) -> int:
        m = np.zeros(self.world.n_places, dtype=bool)
        m[place] = True
        self.masks.append(m)
        return len(self.masks) - 1

    def people(self, c: int) -> str:
        """Compartment c's people in the model's words ("zombies", "bitten"), with the
        compartment's letter where two share a state (jonas-seoul's E and F, both bitten)."""
        state = self.states[c]
        words = plural(state)
        return f"{words} ({self.comps[c]})" if self.states.count(state) > 1 else words

    def reaction(
        self,
        i: int,
        mask: int,
        name: tuple[str, str],
        c: int,
        out: dict[int, int],
        rate: float,
    ) -> None:
        """An added reaction; `name` is (its key, as the summary's events name it; what it
        counts, in words)."""
        key = ("reaction", len(self.reactions))
        self.reactions.append((name[0], {c: 1}, out, rate))
        self.effects.append(_Effect(i, mask, key))
        self.words[name[0]] = name[1]

    def move(
        self, i: int, mask: int, name: tuple[str, str], c: int, table: int, rate: float
    ) -> None:
        """A directed move; `name` as for `reaction`."""
        key = ("directed", len(self.directed))
        self.directed.append(Directed(c, table, rate, name[0]))
        self.effects.append(_Effect(i, mask, key))
        self.words[name[0]] = name[1]

    def table(self, hops: np.ndarray, route: tuple[str, int, int]) -> int:
        self.tables.append(hops)
        self.routes.append(route)
        return len(self.tables) - 1

    # --- one method per kind (the scenario's `kind`) -------------------------------------

    def cordon(self, i: int, where: str, iv: Any, *_: Any) -> None:
        self.cordons.append((i, self.mask_of(iv.area, f"{where}.area"), float(iv.leak)))

    def curfew(self, i: int, where: str, iv: Any, t: Targets, idx: list[int], *_: Any) -> None:
        m = self.mask_of(iv.area, f"{where}.area")
        self.effects += [
            _Effect(i, m, ("move", c), factor=float(iv.movement), gate=False) for c in idx
        ]

    martial_law = curfew

    def strike(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, *_: Any
    ) -> None:
        self.strikes.append((i, float(iv.at), self.mask_of(iv.area, f"{where}.area"), to))

    def sweep(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, label: str
    ) -> None:
        m = self.mask_of(iv.area, f"{where}.area")
        soldier = self.comps.index(t.safe) if t.safe is not None else -1
        for c in idx:
            out = {to: 1} if to >= 0 else {}
            name = (f"{label}: {self.comps[c]} destroyed", f"{self.people(c)} destroyed")
            self.reaction(i, m, name, c, out, float(iv.kill))
            if iv.bite_risk > 0 and soldier >= 0:
                # The zombie stays; a bitten soldier joins: c -> c + soldier.
                out = {c: 1, soldier: 1} if soldier != c else {c: 2}
                rate = float(iv.kill) * iv.bite_risk
                self.reaction(i, m, (f"{label}: soldier bitten", "soldiers bitten"), c, out, rate)

    def cure(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, label: str
    ) -> None:
        m = self.mask_of(iv.area, f"{where}.area")
        for c in idx:
            name = (f"{label}: {self.comps[c]} cured", f"{self.people(c)} cured")
            self.reaction(i, m, name, c, {to: 1}, float(iv.rate))

    def lure(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, label: str
    ) -> None:
        m = self.mask_of(iv.area, f"{where}.area")
        target = find_place(self.world, iv.toward, f"{where}.toward")
        k = self.table(next_hops(self.world, target), ("path", target, -1))
        for c in idx:
            # Each event takes one person one place nearer: it counts moves, not people.
            name = (
                f"{label}: {self.comps[c]} walks toward the lure",
                f"moves toward the lure by {self.people(c)}",
            )
            self.move(i, m, name, c, k, float(iv.speed))

    def travel(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, label: str
    ) -> None:
        origin = find_place(self.world, iv.origin, f"{where}.origin")
        dest = find_place(self.world, iv.destination, f"{where}.destination")
        if origin == dest:
            raise EngineError(f"{where}: origin and destination are the same place")
        hop = np.full(self.world.n_places, -1, dtype=np.int32)
        hop[origin] = dest
        k = self.table(hop, ("flight", origin, dest))
        for c in idx:
            name = (f"{label}: {self.comps[c]} travels", f"trips by {self.people(c)}")
            self.move(i, -1, name, c, k, float(iv.rate))

    def evacuate(
        self, i: int, where: str, iv: Any, t: Targets, idx: list[int], to: int, label: str
    ) -> None:
        world = self.world
        m = self.mask_of(iv.area, f"{where}.area")
        camp = find_place(world, iv.camp, f"{where}.camp")
        # Evacuees keep to the evacuation area on their way (the army's corridor, which passes
        # its own cordons).
        corridor = None
        if m >= 0:
            inside = self.masks[m].copy()
            inside[camp] = True
            source = np.repeat(np.arange(world.n_places), world.degree())
            corridor = inside[source] & inside[world.indices]
        hops = next_hops(world, camp, corridor)
        if m >= 0 and not (hops[self.masks[m]] >= 0).any() and not self.masks[m].all():
            raise EngineError(
                f"{where}.camp: no place of the area has a way to the camp through the "
                "area's own places; make the area reach the camp"
            )
        k = self.table(hops, ("corridor", camp, -1))
        at_camp = self.only(camp)
        safe = self.comps.index(t.safe) if t.safe is not None else -1
        caught = self.comps.index(t.caught) if t.caught is not None else -1
        screen = float(iv.screening)
        for c in idx:
            name, who = self.comps[c], self.people(c)
            # Each event takes one person one place nearer the camp: it counts moves, so one
            # person who crosses three places counts three times.
            walk = (
                f"{label}: {name} walks toward the camp",
                f"moves toward the camp by {who}",
            )
            self.move(i, m, walk, c, k, float(iv.speed))
            p_catch = (
                iv.catch_bitten
                if name in t.bitten
                else iv.catch_hybrid
                if name in t.hybrid
                else 0.0
            )
            if p_catch < 1:
                safe_name = (f"{label}: {name} safe", f"{who} screened into the camp")
                self.reaction(i, at_camp, safe_name, c, {safe: 1}, screen * (1 - p_catch))
            if p_catch > 0:
                out = {caught: 1} if caught >= 0 else {}
                caught_name = (f"{label}: {name} caught", f"{who} caught at screening")
                self.reaction(i, at_camp, caught_name, c, out, screen * p_catch)

"""The ssa engine's event log against the exact law of the Markov chain, event by event.

For a world of places the chain's law is written out here independently of the engine (from
the scenario's reactions, rates and an adjacency matrix written by hand): in state x, reaction
j fires at place p at rate k_j·∏ falling factorials of x_p (÷ N_p for frequency mixing); a
person of compartment c moves p → q at m_c·w_pq·x_pc; a cross-edge reaction with first reactant
a at p and second b at q fires at f·k_j·w_pq·x_pa·x_qb (÷ N_p for frequency mixing). Replaying
the log, each event is checked against that law:

- the event had a positive rate (nothing impossible happens);
- which event it was: with the rates a_h of the possible events and a0 their sum, the
  randomised probability integral transform u = (Σ_{h<chosen} a_h + V·a_chosen)/a0, V uniform,
  is uniform on (0, 1) and independent between events (Kolmogorov–Smirnov, p > 1e-3); and the
  count of each kind of event (reaction, move, cross reaction) is within 4 standard deviations
  of the sum of its probabilities (a martingale: variance Σ p(1 − p));
- when: the waits rescaled by a0, a0·(t_i − t_{i−1}), are independent Exp(1) when every wait is
  seen (worlds whose runs end with nothing left to happen; KS p > 1e-3); otherwise the number
  of events N(T) and the compensator Λ(T) = ∫ a0 dt satisfy E[N − Λ] = 0, Var = E[Λ] (4σ).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pytest
from scipy import stats
from test_ssa_spatial import _lattice_adjacency as _adjacency

from hyosan.engines.ssa import SsaEngine
from hyosan.scenario.load import parse_scenario
from hyosan.scenario.schema import Scenario

SSA = SsaEngine()


@dataclass
class Law:
    """The possible events of a world and their rates in a state (vectorised per channel)."""

    scenario: Scenario
    adjacency: np.ndarray
    keys: list[tuple[str, int, int | None]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        model = self.scenario.model
        self.comps = list(model.compartments)
        self.col = {c: i for i, c in enumerate(self.comps)}
        self.rates = self.scenario.parameter_values()
        self.in_pop = np.array([model.compartments[c].in_population for c in self.comps])
        self.src, self.dst = np.nonzero(self.adjacency)
        self.w = self.adjacency[self.src, self.dst]
        n = self.adjacency.shape[0]
        world = self.scenario.world
        assert world is not None
        self.movement = {c: float(r) for c, r in world.movement.items()}
        self.cross = list(world.cross.reactions) if world.cross is not None else []
        self.factor = float(world.cross.factor) if world.cross is not None else 0.0
        self.reactions = {r.name: r for r in model.reactions}
        for r in model.reactions:
            self.kinds.append(r.name)
            self.keys += [(r.name, p, None) for p in range(n)]
        for c in self.movement:
            self.kinds.append(f"move {c}")
            self.keys += [
                (f"move {c}", int(p), int(q)) for p, q in zip(self.src, self.dst, strict=True)
            ]
        for name in self.cross:
            self.kinds.append(f"{name} across")
            self.keys += [
                (f"{name} across", int(p), int(q)) for p, q in zip(self.src, self.dst, strict=True)
            ]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.kind_of = np.array([self.kinds.index(k[0]) for k in self.keys])

    def rates_in(self, x: np.ndarray) -> np.ndarray:
        """The rate of every possible event (in `keys` order) in state x (places × compartments)."""
        npop = x[:, self.in_pop].sum(axis=1).astype(float)
        inv = np.divide(1.0, npop, out=np.zeros_like(npop), where=npop > 0)
        parts = []
        for r in self.scenario.model.reactions:
            v = np.full(x.shape[0], self.rates[r.rate])
            for c, order in r.reactants.items():
                for i in range(order):
                    v = v * np.maximum(x[:, self.col[c]] - i, 0)
            parts.append(v * inv if r.mixing == "frequency" else v)
        for c, m in self.movement.items():
            parts.append(m * self.w * x[self.src, self.col[c]])
        for name in self.cross:
            r = self.reactions[name]
            a, b = list(r.reactants)  # the first reactant is at p, the second at q
            v = self.factor * self.rates[r.rate] * self.w
            v = v * x[self.src, self.col[a]] * x[self.dst, self.col[b]]
            parts.append(v * inv[self.src] if r.mixing == "frequency" else v)
        return np.concatenate(parts)

    def apply(self, x: np.ndarray, kind: str, p: int, q: int | None) -> None:
        """Change x by one event (docs/design.md: a cross reaction's reactants change at
        their own places; what a consumed reactant turns into appears where it was)."""
        if kind.startswith("move "):
            c = self.col[kind.removeprefix("move ")]
            x[p, c] -= 1
            x[q, c] += 1
            return
        across = kind.endswith(" across")
        r = self.reactions[kind.removesuffix(" across")]
        products = dict(r.products)
        if not across:
            for c, o in r.reactants.items():
                x[p, self.col[c]] -= o
            for c, o in products.items():
                x[p, self.col[c]] += o
            return
        assert q is not None
        a, b = list(r.reactants)
        consumed_at = None
        for name, place in ((a, p), (b, q)):
            if products.get(name, 0) > 0:
                products[name] -= 1  # it stays where it is
            else:
                x[place, self.col[name]] -= 1
                consumed_at = place if consumed_at is None else consumed_at
        for c, o in products.items():
            x[consumed_at if consumed_at is not None else p, self.col[c]] += o


@dataclass
class Tally:
    pit: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    observed: np.ndarray | None = None
    expected: np.ndarray | None = None
    variance: np.ndarray | None = None
    n_events: int = 0
    compensator: float = 0.0


def _replay(
    law: Law, scen: Scenario, seeds: range, terminal: bool, engine: SsaEngine = SSA
) -> Tally:
    """Run the scenario with each seed and check every logged event against the law."""
    tally = Tally()
    k = len(law.kinds)
    tally.observed, tally.expected, tally.variance = np.zeros(k), np.zeros(k), np.zeros(k)
    v_rng = np.random.default_rng(12345)
    horizon = float(scen.time.horizon)
    for seed in seeds:
        result = engine.run(scen, seed=seed)
        table = result.places
        times = json.loads(table.schema.metadata[b"snapshot_times_s"])
        assert times[0] == 0.0
        x = np.stack(
            [np.array([v[0] for v in table[c].to_pylist()], dtype=np.int64) for c in law.comps],
            axis=1,
        )
        ev = result.events
        t_prev = 0.0
        for t, kind, p, q in zip(
            ev["t"].to_pylist(),
            ev["kind"].to_pylist(),
            ev["place"].to_pylist(),
            ev["target"].to_pylist(),
            strict=True,
        ):
            a = law.rates_in(x)
            a0 = a.sum()
            i = law.index[(kind, p, q)]
            assert a[i] > 0, (seed, t, kind, p, q)
            tally.pit.append((a[:i].sum() + v_rng.random() * a[i]) / a0)
            tally.waits.append((t - t_prev) * a0)
            probs = np.bincount(law.kind_of, weights=a, minlength=k) / a0
            tally.expected += probs
            tally.variance += probs * (1 - probs)
            tally.observed[law.kind_of[i]] += 1
            law.apply(x, kind, p, q)
            assert (x >= 0).all()
            t_prev = t
        a0_end = law.rates_in(x).sum()
        if terminal:
            assert a0_end == 0.0, f"seed {seed}: the run did not end; lengthen the horizon"
        tally.n_events += ev.num_rows
        tally.compensator += sum(tally.waits[len(tally.waits) - ev.num_rows :])
        tally.compensator += (horizon - t_prev) * a0_end
        np.testing.assert_array_equal(x.sum(axis=0), result.counts[-1])
    return tally


def _check(tally: Tally, law: Law, terminal: bool) -> None:
    assert tally.n_events >= 1000
    assert stats.kstest(tally.pit, "uniform").pvalue > 1e-3
    for kind, o, e, v in zip(
        law.kinds, tally.observed, tally.expected, tally.variance, strict=True
    ):
        assert abs(o - e) <= 4 * math.sqrt(v) + 1e-9, (kind, o, e, v)
    if terminal:
        assert stats.kstest(tally.waits, "expon").pvalue > 1e-3
    z = (tally.n_events - tally.compensator) / math.sqrt(tally.compensator)
    assert abs(z) <= 4, z


def _lattice_adjacency(rows: int, cols: int) -> np.ndarray:
    a = np.zeros((rows * cols, rows * cols))
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                if 0 <= r + dr < rows and 0 <= c + dc < cols:
                    a[r * cols + c, (r + dr) * cols + c + dc] = 1.0
    return a


ZOMBIE_LATTICE = """
name = "exact law: zombies on a lattice"
engine = "ssa"
model = "alemi-szr"
parameters = { bite_rate = "1/day", kill_rate = "0.7/day" }
time = { horizon = "3650d", output_every = "3650d" }
record = { snapshots = 2, events = true }

[world]
kind = "lattice"
size = [5, 6]
fill = { S = 3 }
cross = { reactions = ["bite", "kill"], factor = 0.4 }

[[world.seeds]]
at = [2, 3]
counts = { Z = 2 }

[[world.seeds]]
at = [0, 0]
counts = { Z = 1 }
"""


def test_zombies_on_a_lattice_follow_the_exact_law() -> None:
    """Alemi's SZR on a 5 × 6 lattice, three people a site, bites and kills within places and
    (at 0.4 × the rate) across edges: every event and every wait, over runs that go on until
    nothing more can happen, has the law of the chain."""
    scen = parse_scenario(ZOMBIE_LATTICE, "zombie lattice")
    law = Law(scen, _lattice_adjacency(5, 6))
    tally = _replay(law, scen, range(25), terminal=True)
    _check(tally, law, terminal=True)


#: Weighted routes, both ways: A–B (2.0), B–C (0.5), C–D (1.5), D–A (0.25). (One-way routes
#: with a cross reaction: see test_cross_reaction_along_a_one_way_route.)
REGIONS_ADJACENCY = np.array(
    [
        [0.0, 2.0, 0.0, 0.25],
        [2.0, 0.0, 0.5, 0.0],
        [0.0, 0.5, 0.0, 1.5],
        [0.25, 0.0, 1.5, 0.0],
    ]
)

SEIR_REGIONS = """
name = "exact law: seir in regions"
engine = "ssa"
model = "seir"
parameters = { transmission_rate = "1.5/day", onset_rate = "0.5/day", recovery_rate = "0.3/day" }
time = { horizon = "12d", output_every = "1d" }
record = { snapshots = 2, events = true }

[world]
kind = "regions"
fill = "S"
regions = [
    { name = "A", population = 30 },
    { name = "B", population = 20 },
    { name = "C", population = 25 },
    { name = "D", population = 10 },
]
routes = [
    { start = "A", end = "B", weight = 2.0 },
    { start = "B", end = "C", weight = 0.5 },
    { start = "C", end = "D", weight = 1.5 },
    { start = "D", end = "A", weight = 0.25 },
]
movement = { S = "0.2/day", E = "0.3/day", I = "0.1/day", R = "0.4/day" }
cross = { reactions = ["infection"], factor = 0.7 }

[[world.seeds]]
at = "C"
counts = { I = 3 }
"""


def test_seir_in_weighted_regions_follows_the_exact_law() -> None:
    """SEIR with frequency mixing in four regions joined by weighted routes, every compartment
    moving at its own rate, infection also across routes: every event has the law of the
    chain, and the number of events matches the integrated total rate."""
    scen = parse_scenario(SEIR_REGIONS, "seir regions")
    law = Law(scen, REGIONS_ADJACENCY)
    tally = _replay(law, scen, range(6), terminal=False)
    _check(tally, law, terminal=False)


@pytest.mark.parametrize("n_places", [1, 3])
def test_law_helper_matches_a_hand_count(n_places: int) -> None:
    """The law written here gives, for one human and one zombie at place 0 and one human at each
    neighbour on a path, β and κ within the place and f·β, f·κ across each edge towards the
    zombie."""
    text = ZOMBIE_LATTICE.replace("size = [5, 6]", f"size = [1, {n_places}]")
    scen = parse_scenario(text.split("[[world.seeds]]")[0], "hand count")
    law = Law(scen, _lattice_adjacency(1, n_places))
    x = np.zeros((n_places, 3), dtype=np.int64)
    x[:, 0] = 1
    x[0, 1] = 1
    a = law.rates_in(x)
    day = 86400.0
    assert a[law.index[("bite", 0, None)]] == pytest.approx(1 / day)
    assert a[law.index[("kill", 0, None)]] == pytest.approx(0.7 / day)
    if n_places > 1:
        assert a[law.index[("bite across", 1, 0)]] == pytest.approx(0.4 / day)
        assert a[law.index[("kill across", 1, 0)]] == pytest.approx(0.4 * 0.7 / day)
        assert a[law.index[("bite across", 0, 1)]] == 0.0
    assert a.sum() == pytest.approx((1.7 + (0.4 * 1.7 if n_places > 1 else 0)) / day)


ONE_WAY = """
name = "cross reaction along a route"
engine = "ssa"
time = {{ horizon = "0.5d", output_every = "0.5d" }}

[model]
compartments = {{ S = "human", Z = "zombie" }}
parameters = {{ bite_rate = "1/day", spawn_rate = "10/day" }}
reactions = [
    {{ name = "bite", equation = "S + Z -> 2 Z", rate = "bite_rate" }},
    {{ name = "spawn", equation = "Z -> 2 Z", rate = "spawn_rate" }},
]

[world]
kind = "regions"
fill = "S"
regions = [{{ name = "A", population = 1 }}, {{ name = "B", population = 1 }}]
routes = [{{ start = "A", end = "B", both_ways = {both_ways} }}]
cross = {{ reactions = ["bite"] }}

[[world.seeds]]
at = "B"
counts = {{ Z = 1 }}
"""


def _p_never_bitten(t: float, spawn: float = 10.0, bite: float = 1.0) -> float:
    """P(the human in A is not bitten by t): the zombies in B are a Yule process at rate λ from
    one, each biting A's human at β across the route. Per lineage, φ′ = −(λ + β)φ + λφ²,
    φ(0) = 1, so φ(t) = 1/(λ/(λ + β) + β/(λ + β)·e^{(λ + β)t})."""
    total = spawn + bite
    return 1 / (spawn / total + bite / total * math.exp(total * t))


def _share_never_bitten(both_ways: bool, runs: int) -> float:
    scen = parse_scenario(ONE_WAY.format(both_ways=str(both_ways).lower()), "route")
    never = [SSA.run(scen, seed=seed).outbreak.t_arrival_s["A"] is None for seed in range(runs)]
    return float(np.mean(never))


def test_cross_reaction_along_a_two_way_route() -> None:
    """A human in A, one zombie in B that multiplies (Z → 2Z at 10/day) and bites across the
    route at 1/day per zombie: the human is still unbitten at half a day with probability
    φ(0.5 d) = 0.0432 (4σ over 200 runs)."""
    runs = 200
    p = _p_never_bitten(0.5)
    assert p == pytest.approx(0.04319, abs=1e-5)
    assert abs(_share_never_bitten(True, runs) - p) <= 4 * math.sqrt(p * (1 - p) / runs)


def test_cross_reaction_along_a_one_way_route() -> None:
    """The same with the route A → B one way only: A's human meets B's zombies along it (the
    engine computes A's neighbour sum over A → B when it builds), so the law is unchanged:
    φ(0.5 d) = 0.0432. The engine leaves A's sum at the first zombie: about e^{−0.5} = 0.61."""
    runs = 200
    p = _p_never_bitten(0.5)
    assert abs(_share_never_bitten(False, runs) - p) <= 4 * math.sqrt(p * (1 - p) / runs)


ORDER = """
name = "compartment order"
engine = "ssa"
time = {{ horizon = "5d", output_every = "5d" }}

[model]
compartments = {{ {compartments} }}
parameters = {{ beta = "2/day", gamma = "0.5/day" }}
reactions = [
    {{ name = "infection", equation = "S + I -> 2 I", rate = "beta", mixing = "{mixing}" }},
    {{ name = "recovery", equation = "I -> R", rate = "gamma" }},
]

[world]
kind = "regions"
fill = "S"
regions = [{{ name = "A", population = 40 }}, {{ name = "B", population = 5 }}]
routes = [{{ start = "A", end = "B" }}]
cross = {{ reactions = ["infection"], factor = {factor} }}

[[world.seeds]]
at = "B"
counts = {{ I = 5 }}
"""

#: The same three compartments listed in two orders.
ORDERS = ('S = "human", I = "zombie", R = "removed"', 'I = "zombie", S = "human", R = "removed"')


def _first_arrivals(compartments: str, mixing: str, factor: float, seeds: range) -> np.ndarray:
    """Days until A (40 susceptibles) first has an infectious person, B holding 5 of them."""
    scen = parse_scenario(
        ORDER.format(compartments=compartments, mixing=mixing, factor=factor), "order"
    )
    out = []
    for seed in seeds:
        t = SSA.run(scen, seed=seed).outbreak.t_arrival_s["A"]
        out.append(np.inf if t is None else t / 86400.0)
    return np.array(out)


def test_mass_action_cross_reaction_does_not_depend_on_compartment_order() -> None:
    """Listing the model's compartments in another order changes nothing: with mass action
    across a two-way route the first infection in A comes after the same law either way
    (two-sample KS, p > 1e-3, disjoint seeds)."""
    a = _first_arrivals(ORDERS[0], "mass-action", 0.05, range(300))
    b = _first_arrivals(ORDERS[1], "mass-action", 0.05, range(1000, 1300))
    assert stats.ks_2samp(a, b).pvalue > 1e-3


def test_frequency_cross_reaction_does_not_depend_on_compartment_order() -> None:
    """The same with frequency mixing: 'S + I -> 2 I' across the route divides by N of the
    first reactant's place, S's, whatever order the compartments are listed in, so the first
    infection in A has one law (two-sample KS, p > 1e-3)."""
    a = _first_arrivals(ORDERS[0], "frequency", 1.0, range(300))
    b = _first_arrivals(ORDERS[1], "frequency", 1.0, range(1000, 1300))
    assert stats.ks_2samp(a, b).pvalue > 1e-3


class _Spy(SsaEngine):
    """The ssa engine, noting which channels it drew from lists of people."""

    listed: ClassVar[set[str]] = set()

    def _finish(self, state: Any) -> Any:
        _Spy.listed |= {state.names[h] for h in state.lists.listed}
        return super()._finish(state)


MOVING_SEZR = """
name = "exact law: people stepping on a lattice, drawn from lists"
engine = "ssa"
model = "sezr-frequency"
parameters = {{ bite_rate = "3/day", kill_rate = "1.5/day", turn_rate = "2/day" }}
time = {{ horizon = "4d", output_every = "1d" }}
record = {{ snapshots = 2, events = true }}

[world]
kind = "lattice"
size = [4, 5]
periodic = {periodic}
fill = {{ S = 2 }}
movement = {{ S = "0.3/day", E = "0.5/day", Z = "1/day" }}

[[world.seeds]]
at = [1, 2]
counts = {{ Z = 2 }}
"""


@pytest.mark.parametrize("periodic", [False, True])
def test_steps_and_turns_drawn_from_lists_follow_the_exact_law(periodic: bool) -> None:
    """SEZR with frequency mixing on a 4 × 5 lattice (plain and on a torus), two people a
    site, humans, the bitten and zombies all stepping: steps and turns are drawn from lists of
    people by thinning (a step off the edge is a null event; a zombie killed by a human stays
    listed until drawn), and every event still has the law of the chain."""
    scen = parse_scenario(MOVING_SEZR.format(periodic=str(periodic).lower()), "moving sezr")
    adjacency = _adjacency(4, 5, periodic)
    law = Law(scen, adjacency)
    _Spy.listed = set()
    tally = _replay(law, scen, range(8), terminal=False, engine=_Spy())
    assert _Spy.listed == {"turn", "move S", "move E", "move Z"}
    _check(tally, law, terminal=False)


CROSS_STEPS = """
name = "exact law: zombies stepping and biting across edges, drawn from lists"
engine = "ssa"
model = "alemi-szr"
parameters = { bite_rate = "1/day", kill_rate = "0.8/day" }
time = { horizon = "5d", output_every = "1d" }
record = { snapshots = 2, events = true }

[world]
kind = "lattice"
size = [4, 5]
fill = { S = 2 }
movement = { Z = "2/day" }
cross = { reactions = ["bite", "kill"], factor = 0.5 }

[[world.seeds]]
at = [2, 2]
counts = { Z = 2 }
"""


def test_steps_feeding_neighbour_sums_follow_the_exact_law() -> None:
    """Alemi's SZR with zombies stepping and biting and being killed across edges: a step
    changes the neighbours' sums (the general path after a listed draw), and every event has
    the law of the chain."""
    scen = parse_scenario(CROSS_STEPS, "cross steps")
    law = Law(scen, _lattice_adjacency(4, 5))
    _Spy.listed = set()
    tally = _replay(law, scen, range(10), terminal=False, engine=_Spy())
    assert _Spy.listed == {"move Z"}
    _check(tally, law, terminal=False)

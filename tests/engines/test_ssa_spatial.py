"""The ssa engine on graphs of places, against exact laws (docs/science G1 and the spatial
rules of docs/design.md).

- G1: a zombie at one end of a path of n humans bites K of them, K truncated geometric with
  p = 1/(1 + α); E[K] = (1 − p^n)/α (1.96532 for α = 0.5, n = 10).
- Movement is a continuous-time random walk: each person leaves along an edge of weight w at
  rate m·w, so the occupation law at time t is the row of exp(Q t) of the walk's generator Q.
- A cross-edge reaction turns a human at *their* place and kills a zombie at *its* place, fires
  at factor × weight × rate, and the first-zombie times of named places report it.
- The event log replays, event by event, to every recorded count.

Tolerances follow docs/science: a probability from n runs within 4·sqrt(p(1 − p)/n), a mean
within 4 standard errors, distributions by χ² with p > 1e-3 (cells pooled to expect ≥ 5).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from law_helpers import pooled_chisquare_p
from scipy import linalg, stats

from hyosan.engines import get_engine
from hyosan.results.result import Result
from hyosan.scenario.load import parse_scenario
from hyosan.scenario.schema import Scenario

SSA = get_engine("ssa")
DAY = 86400.0


def _scenario(text: str) -> Scenario:
    return parse_scenario(text, "test scenario")


def _snapshots(result: Result) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Snapshot times (s) and, per compartment, counts shaped (places, snapshots)."""
    table = result.places
    assert table is not None
    meta = table.schema.metadata
    times = np.array(json.loads(meta[b"snapshot_times_s"]))
    comps = json.loads(meta[b"compartments"])
    counts = {
        c: np.array(table[c].to_pylist(), dtype=np.int64).reshape(-1, times.size) for c in comps
    }
    return times, counts


# --- G1: a path ---------------------------------------------------------------------------------

PATH = """
name = "g1 path"
engine = "ssa"
model = "alemi-szr"

[parameters]
bite_rate = "1/day"
kill_rate = "{kill}/day"

[time]
horizon = "3650d"
output_every = "3650d"

[world]
kind = "graph"
edges = "{edges}"
nodes = {nodes}
fill = {{ S = 1 }}
cross = {{ reactions = ["bite", "kill"] }}

[record]
snapshots = 0

[[world.seeds]]
at = 0
counts = {{ Z = 1 }}
"""


def test_g1_number_bitten_on_a_path_is_truncated_geometric(tmp_path: Path) -> None:
    """A zombie at one end of a path of n = 10 humans, α = 0.5: only the front bond is active, so
    each step is a bite w.p. p = 1/(1 + α) and the first kill ends it. K is truncated geometric:
    P(K = k) = p^k (1 − p) for k < n, P(K = n) = p^n; E[K] = (1 − p^n)/α = 1.96532."""
    n_humans, alpha, runs = 10, 0.5, 1200
    edges = tmp_path / "path.csv"
    edges.write_text("".join(f"{i},{i + 1}\n" for i in range(n_humans)), encoding="utf-8")
    scen = _scenario(PATH.format(kill=alpha, edges=edges.as_posix(), nodes=n_humans + 1))
    bitten = np.empty(runs, dtype=int)
    for seed in range(runs):
        result = SSA.run(scen, seed=seed)
        by_kind = result.diagnostics["events_by_kind"]
        k = by_kind["bite across"]
        bitten[seed] = k
        # Within a place nobody meets anyone (one person per place); the walk ends at one kill
        # unless every human is bitten.
        assert by_kind["bite"] == by_kind["kill"] == 0
        assert by_kind["kill across"] == (1 if k < n_humans else 0)
        # The zombies hold the places 0..K, reached in order along the path.
        first = result.places["t_first_zombie_s"].to_numpy(zero_copy_only=False)
        reached = ~np.isnan(first)
        assert reached.tolist() == [i <= k for i in range(n_humans + 1)]
        assert np.all(np.diff(first[reached]) > 0)
        assert result.outbreak.places_reached == k + 1
    p = 1 / (1 + alpha)
    law = np.array([p**k * (1 - p) for k in range(n_humans)] + [p**n_humans])
    ks = np.arange(n_humans + 1)
    mean = float(ks @ law)
    assert mean == pytest.approx((1 - p**n_humans) / alpha, rel=1e-12)
    assert mean == pytest.approx(1.96532, abs=5e-6)
    sd = math.sqrt(float(ks**2 @ law) - mean**2)
    assert abs(bitten.mean() - mean) <= 4 * sd / math.sqrt(runs)
    observed = np.bincount(bitten, minlength=n_humans + 1)
    assert pooled_chisquare_p(observed, law * runs) > 1e-3


# --- movement: continuous-time random walks -----------------------------------------------------


def _generator(world_adjacency: np.ndarray, rate: float) -> np.ndarray:
    """Q[p, q] = rate × weight of p → q; Q[p, p] = −rate × p's weight sum."""
    q = rate * world_adjacency
    return q - np.diag(q.sum(axis=1))


WALKERS = """
name = "walkers"
engine = "ssa"
model = "alemi-szr"

[time]
horizon = "{horizon}d"
output_every = "{horizon}d"

[record]
snapshots = {snapshots}

[world]
movement = {{ S = "{rate}/day" }}
{world}
"""


def test_single_walker_between_two_regions() -> None:
    """One person in region A of two joined by one route of weight w, moving at rate m: a
    two-state chain with rate m·w each way, so P(in A at t) = (1 + e^{−2mwt})/2 at every
    snapshot time (binomial, 4σ)."""
    m, w, runs = 1.5, 0.5, 500
    world = (
        'kind = "regions"\nfill = "S"\n'
        'regions = [{ name = "A", population = 1 }, { name = "B", population = 0 }]\n'
        f'routes = [{{ start = "A", end = "B", weight = {w} }}]'
    )
    scen = _scenario(WALKERS.format(horizon=2, world=world, rate=m, snapshots=5))
    in_a = []
    for seed in range(runs):
        times, counts = _snapshots(SSA.run(scen, seed=seed))
        assert np.all(counts["S"].sum(axis=0) == 1)  # nobody lost or made
        in_a.append(counts["S"][0])
    in_a = np.array(in_a)
    for j, t in enumerate(times / DAY):
        p = (1 + math.exp(-2 * m * w * t)) / 2
        if p == 1.0:
            assert np.all(in_a[:, j] == 1)
            continue
        assert abs(in_a[:, j].mean() - p) <= 4 * math.sqrt(p * (1 - p) / runs), (t, p)


def _lattice_adjacency(rows: int, cols: int, periodic: bool) -> np.ndarray:
    """Edge counts between the places (row-major) of a lattice: one per step up, down, left or
    right that stays on it (wrapping when periodic), none to itself."""
    a = np.zeros((rows * cols, rows * cols))
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                r2, c2 = r + dr, c + dc
                if periodic:
                    r2, c2 = r2 % rows, c2 % cols
                elif not (0 <= r2 < rows and 0 <= c2 < cols):
                    continue
                if (r2, c2) != (r, c):
                    a[r * cols + c, r2 * cols + c2] += 1
    return a


#: Regions A, B, C: A–B both ways with weight 2, B → C (0.5) and C → A (1) one way.
REGIONS_ADJACENCY = np.array([[0.0, 2.0, 0.0], [2.0, 0.0, 0.5], [1.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    ("world", "adjacency"),
    [
        (
            'kind = "lattice"\nsize = [3, 4]\nfill = { S = 0 }\n'
            "[[world.seeds]]\nat = [0, 0]\ncounts = { S = 2000 }",
            _lattice_adjacency(3, 4, periodic=False),
        ),
        (
            # Rows 0 and 1 are neighbours twice (up and down): parallel edges.
            'kind = "lattice"\nsize = [2, 3]\nperiodic = true\nfill = { S = 0 }\n'
            "[[world.seeds]]\nat = [0, 0]\ncounts = { S = 2000 }",
            _lattice_adjacency(2, 3, periodic=True),
        ),
        (
            'kind = "regions"\nfill = "S"\nregions = [\n'
            '  { name = "A", population = 2000 },\n'
            '  { name = "B", population = 0 },\n'
            '  { name = "C", population = 0 },\n]\nroutes = [\n'
            '  { start = "A", end = "B", weight = 2.0 },\n'
            '  { start = "B", end = "C", weight = 0.5, both_ways = false },\n'
            '  { start = "C", end = "A", weight = 1.0, both_ways = false },\n]',
            REGIONS_ADJACENCY,
        ),
    ],
    ids=["open-lattice", "narrow-torus", "weighted-regions"],
)
def test_walkers_follow_the_matrix_exponential(world: str, adjacency: np.ndarray) -> None:
    """2000 independent walkers start in place 0: at each snapshot their counts per place are
    Multinomial(2000, row 0 of exp(Q t)), Q[p, q] = m × weight of p → q (χ² over four seeds
    pooled, p > 1e-3), and the people are conserved at every snapshot."""
    m, runs, walkers = 0.8, 4, 2000
    scen = _scenario(WALKERS.format(horizon=1.5, world=world, rate=m, snapshots=4))
    n = adjacency.shape[0]
    start = 0
    q = _generator(adjacency, m / DAY)
    total = None
    for seed in range(runs):
        result = SSA.run(scen, seed=seed)
        times, counts = _snapshots(result)
        np.testing.assert_array_equal(counts["S"].sum(axis=0), walkers)
        np.testing.assert_array_equal(result.series("S"), walkers)
        total = counts["S"] if total is None else total + counts["S"]
    assert total is not None
    for j, t in enumerate(times):
        if t == 0:
            assert total[:, j].tolist() == [walkers * runs if i == start else 0 for i in range(n)]
            continue
        law = linalg.expm(q * t)[start]
        assert law.sum() == pytest.approx(1.0, abs=1e-12)
        assert pooled_chisquare_p(total[:, j], law * walkers * runs) > 1e-3, t


# --- cross-edge reactions -----------------------------------------------------------------------

PAIR = """
name = "pair"
engine = "ssa"
model = "alemi-szr"

[parameters]
bite_rate = "{bite}/day"
kill_rate = "{kill}/day"

[time]
horizon = "{horizon}d"
output_every = "1d"

[world]
kind = "regions"
fill = "S"
regions = [{{ name = "A", population = 1 }}, {{ name = "B", population = 1 }}]
routes = [{{ start = "A", end = "B", weight = {weight} }}]
cross = {{ reactions = [{reactions}], factor = {factor} }}

[record]
snapshots = 2

[[world.seeds]]
at = "{zombie_at}"
counts = {{ Z = 1 }}
"""


@pytest.mark.parametrize("zombie_at", ["A", "B"])
@pytest.mark.parametrize(
    ("bite", "kill", "human_place", "zombie_place"),
    [(1.0, 0.0, [0, 1, 0], [0, 1, 0]), (0.0, 1.0, [1, 0, 0], [0, 0, 1])],
    ids=["bite", "kill"],
)
def test_cross_edge_reaction_acts_at_each_reactants_place(
    zombie_at: str, bite: float, kill: float, human_place: list[int], zombie_place: list[int]
) -> None:
    """A human in one region, a zombie in the next: a bite across turns the human into a zombie
    at the human's place (the biter stays); a kill across removes the zombie at the zombie's
    place (the human stays). Rate 1/day over 60 days: the event happens (P(not) = e^{−60})."""
    reactions = ", ".join(f'"{r}"' for r, v in (("bite", bite), ("kill", kill)) if v)
    scen = _scenario(
        PAIR.format(
            bite=bite,
            kill=kill,
            horizon=60,
            weight=1.0,
            reactions=reactions,
            factor=1.0,
            zombie_at=zombie_at,
        )
    )
    human_at = "B" if zombie_at == "A" else "A"
    index = {"A": 0, "B": 1}
    for seed in range(3):
        result = SSA.run(scen, seed=seed)
        times, counts = _snapshots(result)
        assert times.tolist() == [0.0, 60 * DAY]
        final = {c: counts[c][:, -1] for c in counts}
        got_h = [int(final[c][index[human_at]]) for c in ("S", "Z", "R")]
        got_z = [int(final[c][index[zombie_at]]) for c in ("S", "Z", "R")]
        assert got_h == human_place
        assert got_z == zombie_place
        assert result.diagnostics["events"] == 1
        summary = result.summary()
        total = np.add(human_place, zombie_place).tolist()
        assert [summary["final_compartments"][c] for c in ("S", "Z", "R")] == total
        arrival = summary["outbreak"]["t_arrival_s"]
        assert arrival[zombie_at] == 0.0
        assert (arrival[human_at] is not None) == bool(bite)


def test_cross_edge_clock_and_split_with_factor_and_weight() -> None:
    """A human and a zombie in neighbouring regions, route weight w = 2, factor f = 0.25,
    β = 3/day, κ = 1/day: the only event comes after Exp(f·w·(β + κ)) = Exp(2/day), a bite with
    probability β/(β + κ) = 3/4; the bitten region's t_arrival_s is that time (KS p > 1e-3,
    mean within 4 SE, proportion within 4σ)."""
    runs = 600
    scen = _scenario(
        PAIR.format(
            bite=3.0,
            kill=1.0,
            horizon=30,
            weight=2.0,
            reactions='"bite", "kill"',
            factor=0.25,
            zombie_at="B",
        )
    ).evolve(
        thresholds=[
            {"name": "killed", "of": "zombie", "below": 1},
            {"name": "bitten", "of": "human", "below": 1},
        ]
    )
    times, bitten = [], []
    for seed in range(runs):
        result = SSA.run(scen, seed=seed)
        arrival = result.outbreak.t_arrival_s
        c = result.crossings
        was_bitten = c["bitten"] is not None
        bitten.append(was_bitten)
        t = c["bitten"] if was_bitten else c["killed"]
        assert t is not None
        times.append(t / DAY)
        assert arrival["A"] == (t if was_bitten else None)
    rate = 0.25 * 2.0 * (3.0 + 1.0)
    p = 3.0 / 4.0
    assert abs(np.mean(bitten) - p) <= 4 * math.sqrt(p * (1 - p) / runs)
    assert abs(np.mean(times) - 1 / rate) <= 4 * (1 / rate) / math.sqrt(runs)
    assert stats.kstest(times, "expon", args=(0, 1 / rate)).pvalue > 1e-3


def test_regions_arrival_times_name_every_region() -> None:
    """t_arrival_s has every region's name: 0 for the seeded one, None where no zombie came,
    and the places table's first-zombie column holds the same times."""
    scen = _scenario(
        """
name = "arrivals"
engine = "ssa"
model = "alemi-szr"
parameters = { bite_rate = "2/day", kill_rate = "0/day" }
time = { horizon = "40d", output_every = "1d" }

[world]
kind = "regions"
fill = "S"
regions = [
    { name = "Hyosan", population = 5, x = 0.0, y = 0.0 },
    { name = "Seoul", population = 5, x = 1.0, y = 2.0 },
    { name = "Jeju", population = 5, x = 3.0, y = -4.0 },
]
routes = [{ start = "Hyosan", end = "Seoul" }]
cross = { reactions = ["bite"] }

[[world.seeds]]
at = "Hyosan"
counts = { Z = 1 }
"""
    )
    result = SSA.run(scen, seed=4)
    arrival = result.summary()["outbreak"]["t_arrival_s"]
    assert list(arrival) == ["Hyosan", "Seoul", "Jeju"]
    assert arrival["Hyosan"] == 0.0
    assert arrival["Seoul"] is not None
    assert 0 < arrival["Seoul"] < 40 * DAY
    assert arrival["Jeju"] is None  # no route reaches Jeju
    table = result.places
    assert table["name"].to_pylist() == ["Hyosan", "Seoul", "Jeju"]
    assert table["x"].to_pylist() == [0.0, 1.0, 3.0]
    assert table["y"].to_pylist() == [0.0, 2.0, -4.0]
    assert table["population"].to_pylist() == [5, 5, 5]
    assert table["t_first_zombie_s"].to_pylist() == [0.0, arrival["Seoul"], None]
    assert result.summary()["outbreak"]["places_reached"] == 2
    # No kills: everyone reachable ends a zombie; Jeju keeps its humans.
    assert result.summary()["final_compartments"] == {"S": 5.0, "Z": 10.0, "R": 0.0}


# --- the event log ------------------------------------------------------------------------------

#: What each logged kind changes: (side, compartment, change); side 0 is `place`, 1 `target`.
#: Written from the model and the rules of docs/design.md, not from the engine's channel tables.
EFFECTS = {
    "bite": [(0, "S", -1), (0, "Z", +1)],
    "kill": [(0, "Z", -1), (0, "R", +1)],
    "move S": [(0, "S", -1), (1, "S", +1)],
    "move Z": [(0, "Z", -1), (1, "Z", +1)],
    "bite across": [(0, "S", -1), (0, "Z", +1)],
    "kill across": [(1, "Z", -1), (1, "R", +1)],
}

EVENTS = """
name = "event log"
engine = "ssa"
model = "alemi-szr"
parameters = { bite_rate = "0.2/day", kill_rate = "0.15/day" }
time = { horizon = "10d", output_every = "0.5d" }

[world]
kind = "lattice"
size = [3, 4]
fill = { S = 6 }
movement = { S = "0.5/day", Z = "1/day" }
cross = { reactions = ["bite", "kill"], factor = 0.3 }

[record]
snapshots = 21
events = true

[[world.seeds]]
at = [1, 1]
counts = { Z = 3 }
"""


#: Many walkers and rare reactions: over 2^16 events, past the log's first size, so the log is
#: grown (the kernel's Status.LOG_FULL) during the run.
EVENTS_MANY = (
    EVENTS.replace("fill = { S = 6 }", "fill = { S = 60 }")
    .replace('S = "0.5/day"', 'S = "5/day"')
    .replace(
        'bite_rate = "0.2/day", kill_rate = "0.15/day"',
        'bite_rate = "0.002/day", kill_rate = "0.0015/day"',
    )
)


@pytest.mark.parametrize(
    ("text", "seed", "least"),
    [(EVENTS, 1, 50), (EVENTS, 2, 50), (EVENTS, 3, 50), (EVENTS_MANY, 4, 1 << 16)],
    ids=["seed-1", "seed-2", "seed-3", "log-grows"],
)
def test_event_log_replays_to_every_recorded_count(text: str, seed: int, least: int) -> None:
    """Starting from the first snapshot and applying each logged event's changes at its place
    (and target) gives every later snapshot place by place and the time series at every output
    time; kinds are counted as in the diagnostics; times rise within the horizon."""
    result = SSA.run(_scenario(text), seed=seed)
    events = result.events
    assert events is not None
    assert events.schema.metadata[b"t_unit"] == b"s"
    assert events.column_names == ["t", "kind", "actor", "target", "place", "detail"]
    t = events["t"].to_numpy()
    kinds = events["kind"].to_pylist()
    places = events["place"].to_pylist()
    targets = events["target"].to_pylist()
    assert len(kinds) == result.diagnostics["events"] > least
    assert np.all(np.diff(t) >= 0)
    assert t[0] > 0
    assert t[-1] <= 10 * DAY
    counted = {k: kinds.count(k) for k in result.diagnostics["events_by_kind"]}
    assert counted == result.diagnostics["events_by_kind"]
    assert set(kinds) <= set(EFFECTS)

    snap_t, counts = _snapshots(result)
    comps = ["S", "Z", "R"]
    x = np.stack([counts[c][:, 0] for c in comps], axis=1)
    col = {c: i for i, c in enumerate(comps)}
    out_t = result.times
    snap_j = out_j = 0
    lattice_neighbours = {(p, q) for p in range(12) for q in range(12) if _adjacent(p, q)}

    def check_records(before: float) -> None:
        nonlocal snap_j, out_j
        while snap_j < snap_t.size and snap_t[snap_j] < before:
            now = np.stack([counts[c][:, snap_j] for c in comps], axis=1)
            np.testing.assert_array_equal(x, now, err_msg=f"snapshot {snap_j}")
            snap_j += 1
        while out_j < out_t.size and out_t[out_j] < before:
            np.testing.assert_array_equal(x.sum(axis=0), result.counts[out_j])
            out_j += 1

    for time, kind, p, q in zip(t, kinds, places, targets, strict=True):
        check_records(time)
        if kind.startswith(("move", "kill across", "bite across")):
            assert (p, q) in lattice_neighbours, (kind, p, q)
        else:
            assert q is None
        for side, comp, d in EFFECTS[kind]:
            x[p if side == 0 else q, col[comp]] += d
        assert (x >= 0).all()
    check_records(math.inf)
    assert snap_j == snap_t.size
    assert out_j == out_t.size


def _adjacent(p: int, q: int, cols: int = 4) -> bool:
    return abs(p // cols - q // cols) + abs(p % cols - q % cols) == 1


# --- stop_at_edge -------------------------------------------------------------------------------

EDGE = """
name = "edge"
engine = "ssa"
model = "alemi-szr"
parameters = {{ bite_rate = "1/day", kill_rate = "0/day" }}
time = {{ horizon = "100d", output_every = "1d" }}

[world]
kind = "lattice"
size = [9, 9]
periodic = {periodic}
stop_at_edge = true
fill = {{ S = 1 }}
cross = {{ reactions = ["bite"] }}

[[world.seeds]]
at = "center"
counts = {{ Z = 1 }}
"""


def test_stop_at_edge_stops_when_a_zombie_first_reaches_the_border() -> None:
    """Bites only from the centre of an open 9 × 9 lattice: the run stops at the first bite on
    the border, with that state recorded last; the outbreak reached the edge, 4 cells out."""
    result = SSA.run(_scenario(EDGE.format(periodic="false")), seed=1)
    assert result.stopped_by == "edge"
    out = result.outbreak
    assert out is not None
    assert out.reached_edge
    assert max(out.reach_rows_cells or 0, out.reach_cols_cells or 0) == 4
    assert result.times[-1] < 100 * DAY
    first = result.places["t_first_zombie_s"].to_numpy(zero_copy_only=False)
    cells = np.stack([result.places["row"].to_numpy(), result.places["col"].to_numpy()], axis=1)
    border = (cells == 0).any(axis=1) | (cells == 8).any(axis=1)
    assert np.nanmax(first) == result.times[-1]
    assert np.all(np.isnan(first[border]) | (first[border] == result.times[-1]))
    assert result.series("Z")[-1] == out.places_reached


@pytest.mark.parametrize("engine", ["ssa", "tau"])
def test_a_zombie_on_the_border_from_the_start_stops_the_run_at_once(engine: str) -> None:
    """Both engines stop at t = 0 when a seed stands on the border (tau, whose kernels watch
    only places that gain a zombie, once ran on for hours)."""
    text = EDGE.format(periodic="false").replace('at = "center"', "at = [0, 4]")
    result = get_engine(engine).run(_scenario(text), seed=1)
    assert result.stopped_by == "edge"
    assert result.times[-1] == 0.0


def test_a_periodic_lattice_has_no_border_to_stop_at() -> None:
    """On a torus there is no border: stop_at_edge is either refused when the scenario is read
    or never stops the run (here bites alone would fill the 81 sites by the horizon)."""
    from hyosan.errors import ScenarioError

    try:
        scen = _scenario(EDGE.format(periodic="true"))
    except ScenarioError:
        return
    result = SSA.run(scen, seed=1)
    assert result.stopped_by != "edge"


def test_frequency_mixing_across_an_edge_divides_by_the_first_reactants_place() -> None:
    """A frequency-mixing reaction across an edge fires at factor × weight × rate × x_p × x_q
    / N_p, N_p the living population of the first reactant's place (Channels in spatial.py):
    one susceptible among N_A = 4 people (3 recovered) in A, one infectious in B, β = 2/day,
    weight 1.5, factor 0.5: the infection comes after Exp(0.5·1.5·2/4 = 0.375/day)."""
    runs = 500
    scen = _scenario(
        """
name = "frequency across"
engine = "ssa"
model = "sir"
parameters = { transmission_rate = "2/day", recovery_rate = "0/day" }
time = { horizon = "200d", output_every = "200d" }

[world]
kind = "regions"
fill = "S"
regions = [{ name = "A", population = 4 }, { name = "B", population = 1 }]
routes = [{ start = "A", end = "B", weight = 1.5 }]
cross = { reactions = ["infection"], factor = 0.5 }

[[world.seeds]]
at = "A"
counts = { R = 3 }

[[world.seeds]]
at = "B"
counts = { I = 1 }
"""
    )
    times = []
    for seed in range(runs):
        result = SSA.run(scen, seed=seed)
        assert result.diagnostics["events_by_kind"]["infection across"] == 1
        times.append(result.outbreak.t_arrival_s["A"] / DAY)
    mean = 1 / 0.375
    assert abs(np.mean(times) - mean) <= 4 * mean / math.sqrt(runs)
    assert stats.kstest(times, "expon", args=(0, mean)).pvalue > 1e-3

"""tau's local stepping (every place on a clock of its own) against the global step and ssa.

With one place whose counts stay large, local stepping is the global scheme: the same numbers,
drawn in the same order. Where a count that hazards depend on falls below local.CRITICAL, the
place goes event by event, exactly: a zombie among humans dies out with the branching process's
probability, and a zombie walking a path of single humans bites as many as the exact law says
(docs/science G1). On worlds of many places it agrees with ssa in law: the mean of K runs of
each engine within 4 standard errors of their difference (a two-sample z-test, as
tests/engines/test_tau_vs_ssa.py); a probability from K runs within 4·sqrt(p(1 − p)/K). A
neighbour's event cuts a leap, and a leap makes a neighbour draw afresh, only where it moves
hazards by more than ε (local._jump_cut, local._slight and local._unseen, tested on two
cells).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from law_helpers import pooled_chisquare_p

import hyosan
from hyosan.engines import get_engine
from hyosan.engines.base import Streams
from hyosan.engines.tau import local
from hyosan.scenario.load import parse_scenario

TAU = get_engine("tau")


def _both(scen: hyosan.Scenario, seed: int) -> tuple[hyosan.Result, hyosan.Result]:
    local = TAU.run(scen.evolve(tau={**scen.tau.model_dump(), "stepping": "local"}), seed=seed)
    glob = TAU.run(scen.evolve(tau={**scen.tau.model_dump(), "stepping": "global"}), seed=seed)
    return local, glob


def _same_run(a: hyosan.Result, b: hyosan.Result) -> None:
    assert a.timeseries.equals(b.timeseries)
    # The diagnostics name the stepping, and count steps differently: the global scheme counts
    # a step while nothing can happen, local stepping only the leaps of a place.
    keep = {"steps", "stepping", "exact_events"}
    da = {k: v for k, v in a.summary()["diagnostics"].items() if k not in keep}
    db = {k: v for k, v in b.summary()["diagnostics"].items() if k not in keep}
    assert da == db
    drop = {"wall_s": 0, "diagnostics": 0}
    assert a.summary() | drop == b.summary() | drop


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("sir", ["initial.S=9900", "initial.I=100", "time.horizon=20d"]),
        ("seir", ["initial.S=9000", "initial.I=1000", "time.horizon=3d"]),
        (
            "munz-basic",
            [
                "parameters.birth_rate=20/day",
                "initial.S=5000",
                "initial.Z=200",
                "time.horizon=0.2d",
            ],
        ),
        (
            "munz-culls",
            [
                "initial.S=100000",
                "initial.Z=1000",
                "parameters.bite_rate=0.00002/day",
                "parameters.kill_rate=0.00001/day",
            ],
        ),
    ],
)
def test_one_place_with_large_counts_is_the_global_scheme(name: str, overrides: list[str]) -> None:
    """One place whose counts stay large: local stepping draws what the global step draws,
    bit for bit, births, culls and thresholds included."""
    scen = hyosan.load_scenario(name, overrides)
    if scen.world is not None:
        pytest.skip(f"{name} has a world")
    for seed in (1, 2):
        local, glob = _both(scen, seed)
        assert local.diagnostics["stepping"] == "local"
        assert "stepping" not in glob.diagnostics
        # The case is one of leaps only: no count fell below CRITICAL.
        assert local.diagnostics["exact_events"] == 0
        _same_run(local, glob)


def test_one_place_with_a_stopping_threshold_is_the_global_scheme() -> None:
    """A stopping threshold ends both at the same leap."""
    scen = hyosan.load_scenario("sir", ["initial.S=9900", "initial.I=100"]).evolve(
        thresholds=[{"name": "half", "of": "human", "below": 5000, "stop": True}]
    )
    local, glob = _both(scen, 3)
    assert local.stopped_by == glob.stopped_by == "half"
    assert local.diagnostics["exact_events"] == 0
    _same_run(local, glob)


# --- small counts: event by event, exactly ----------------------------------------------------

#: One zombie among a thousand humans, frequency mixing: every event of the zombies is a bite
#: (a new zombie) with chance β/(β + κ) or a kill with chance κ/(β + κ), whatever the counts,
#: so that they die out with the branching process's probability q = κ/β (the root of
#: q = κ/(β + κ) + β/(β + κ)·q² below 1), less a correction of the order of q^S for S humans.
LONE_ZOMBIE = """
name = "lone zombie"
model = "sezr-frequency"
parameters = { bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }
initial = { S = 1000, Z = 1 }
time = { horizon = "20d", output_every = "20d" }
tau = { stepping = "local" }
"""


def test_a_lone_zombie_dies_out_with_the_branching_law() -> None:
    """P(no zombie or bitten left) = κ/β = 0.4 over 1,000 runs. Leaps of a lone zombie (the
    global step's) draw its kill and its bites independently through the step and make it
    die out about half as often: 0.23 at the default ε."""
    scen = parse_scenario(LONE_ZOMBIE, "lone zombie")
    runs, q = 1000, 1.6 / 4.0
    gone = 0
    for seed in range(runs):
        result = TAU.run(scen, seed=seed)
        gone += result.series("Z")[-1] + result.series("E")[-1] == 0
    assert abs(gone / runs - q) <= 4 * math.sqrt(q * (1 - q) / runs), gone / runs


#: docs/science G1: a zombie at one end of a path of n humans, one person a place (mass action:
#: bites and kills need a human and a zombie to meet, here across the path's edges only).
PATH = """
name = "g1 path"
model = "alemi-szr"
parameters = {{ bite_rate = "1/day", kill_rate = "{kill}/day" }}
time = {{ horizon = "3650d", output_every = "3650d" }}
tau = {{ stepping = "local" }}

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


def test_path_bites_follow_the_truncated_geometric_law(tmp_path: Path) -> None:
    """On G1's path of n = 10 single humans (α = 0.5), every place goes event by event and
    the places' events are taken in the order of their times: the number bitten K is
    truncated geometric, P(K = k) = p^k (1 − p) for k < n, P(K = n) = p^n with p = 1/(1 + α),
    and the walk ends at one kill. 600 runs: the mean within 4 standard errors, χ² with the
    cells pooled to expect at least 5, p > 1e-3."""
    n_humans, alpha, runs = 10, 0.5, 600
    edges = tmp_path / "path.csv"
    edges.write_text("".join(f"{i},{i + 1}\n" for i in range(n_humans)), encoding="utf-8")
    scen = parse_scenario(
        PATH.format(kill=alpha, edges=edges.as_posix(), nodes=n_humans + 1), "g1 path"
    )
    bitten = np.empty(runs, dtype=int)
    for seed in range(runs):
        by_kind = TAU.run(scen, seed=seed).diagnostics["events_by_kind"]
        k = by_kind["bite across"]
        bitten[seed] = k
        # A zombie killed after the human beside it was bitten, or bites drawn past the kill,
        # would show here: the walk ends at exactly one kill unless everyone is bitten.
        assert by_kind["kill across"] == (1 if k < n_humans else 0)
    p = 1 / (1 + alpha)
    law = np.array([p**k * (1 - p) for k in range(n_humans)] + [p**n_humans])
    ks = np.arange(n_humans + 1)
    mean = float(ks @ law)
    sd = math.sqrt(float(ks**2 @ law) - mean**2)
    assert abs(bitten.mean() - mean) <= 4 * sd / math.sqrt(runs)
    observed = np.bincount(bitten, minlength=n_humans + 1).astype(float)
    expected = law * runs
    assert pooled_chisquare_p(observed, expected) > 1e-3


def test_stepping_is_validated() -> None:
    """tau.stepping takes "local" or "global" only; the message names the key."""
    with pytest.raises(hyosan.HyosanError, match="stepping"):
        hyosan.load_scenario("sir", ["tau.stepping=fast"])


# --- many places: agreement with ssa in law --------------------------------------------------

#: A lattice of towns and villages, ten zombies in the largest town: heads per cell spread over
#: three orders of magnitude, so that places leap with very different steps.
UNEVEN = """
name = "uneven"
model = "sezr-frequency"
parameters = {{ bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }}
time = {{ horizon = "60d", output_every = "5d" }}
tau = {{ stepping = "{stepping}" }}

[world]
kind = "grid"
file = "{file}"
fill = "S"
cross = {{ reactions = ["bite", "kill"], factor = 0.05 }}

[[world.seeds]]
at = [{row}, {col}]
counts = {{ Z = 10 }}
"""


def _uneven_grid(path: Path) -> tuple[int, int]:
    rng = np.random.default_rng(7)
    heads = np.round(np.exp(rng.uniform(np.log(5), np.log(5000), size=(8, 8)))).astype(np.int64)
    np.save(path, heads)
    row, col = np.unravel_index(int(np.argmax(heads)), heads.shape)
    return int(row), int(col)


def _final_humans(scen: hyosan.Scenario, engine: str, seeds: range) -> np.ndarray:
    runner = get_engine(engine)
    return np.array([runner.run(scen, seed=s).series("human")[-1] for s in seeds])


def _assert_same_mean(a: np.ndarray, b: np.ndarray) -> None:
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert abs(a.mean() - b.mean()) <= 4 * se, (a.mean(), b.mean(), se)


@pytest.mark.slow
@pytest.mark.parametrize("stepping", ["local", "global"])
def test_uneven_grid_final_humans_match_ssa(tmp_path: Path, stepping: str) -> None:
    """On an 8 × 8 grid of 5 to 5,000 heads a cell, the humans left after 60 days agree with
    ssa's in the mean (200 runs each)."""
    file = tmp_path / "heads.npy"
    row, col = _uneven_grid(file)
    text = UNEVEN.format(stepping=stepping, file=file.as_posix(), row=row, col=col)
    scen = parse_scenario(text, "uneven")
    ssa = _final_humans(scen, "ssa", range(200))
    tau = _final_humans(scen, "tau", range(10_000, 10_200))
    # The outbreak must have done something for the comparison to mean anything.
    assert ssa.mean() < 0.9 * int(np.load(file).sum())
    _assert_same_mean(ssa, tau)


#: Zombies and humans walking between cells as well as biting and killing across borders.
WALKING = """
name = "walking"
model = "sezr-frequency"
parameters = { bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }
time = { horizon = "6d", output_every = "1d" }
tau = { stepping = "local" }

[world]
kind = "lattice"
size = [5, 5]
fill = { S = 40 }
movement = { Z = "0.2/day", S = "0.05/day" }
cross = { reactions = ["bite", "kill"], factor = 0.3 }

[[world.seeds]]
at = "center"
counts = { Z = 10 }
"""


def test_walking_grid_matches_ssa() -> None:
    """Movers arrive in places whose clocks differ from their own: zombies destroyed and humans
    left after 6 days agree with ssa's in the mean (150 runs each)."""
    scen = parse_scenario(WALKING, "walking")
    ssa, tau = get_engine("ssa"), TAU
    a = [ssa.run(scen, seed=s) for s in range(150)]
    b = [tau.run(scen, seed=10_000 + s) for s in range(150)]
    for column in ("R", "human"):
        _assert_same_mean(
            np.array([r.series(column)[-1] for r in a]),
            np.array([r.series(column)[-1] for r in b]),
        )
    assert all(r.diagnostics["stepping"] == "local" for r in b)


#: Two cells side by side: a city with `zombies` of its own, and a neighbour with one zombie
#: (below local.CRITICAL: it goes event by event).
PAIR = """
name = "pair"
model = "sezr-frequency"
parameters = {{ bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }}
time = {{ horizon = "1d" }}
tau = {{ stepping = "local" }}

[world]
kind = "lattice"
size = [1, 2]
fill = {{ S = {people} }}
cross = {{ reactions = ["bite", "kill"], factor = 0.05 }}

[[world.seeds]]
at = [0, 0]
counts = {{ Z = {zombies} }}

[[world.seeds]]
at = [0, 1]
counts = {{ Z = 1 }}
"""


def _pair_state(people: int, zombies: int) -> Any:
    scen = parse_scenario(PAIR.format(people=people, zombies=zombies), "pair")
    return TAU._setup(scen, Streams(1))


@pytest.mark.parametrize(
    ("people", "zombies", "cut"),
    [(50_000, 100, False), (20, 3, False), (20, 0, True)],
)
def test_a_neighbours_event_cuts_a_leap_only_where_it_moves_the_hazards(
    people: int, zombies: int, cut: bool
) -> None:
    """The most one event of the lone-zombie cell can move the city's total propensity, against
    ε = 0.03 of it (local._jump_cut's leap condition): a city whose own zombies bite far more
    than the neighbour's one leaps on; a place bitten only from next door, whose hazards one
    more zombie there doubles, stops at the neighbour's event."""
    st = _pair_state(people, zombies)
    pl, ch, graph, w, lw = st.places, st.channels, st.graph, st.work, st.local
    total = local._place_rates(pl, ch, graph, w, lw, 0, 0.0)
    edge = next(e for e in range(graph.indptr[0], graph.indptr[1]) if graph.indices[e] == 1)
    nudge = local._nudge(pl, ch, graph, w, 0, edge, 1)
    assert total > 0.0
    assert nudge > 0.0
    assert (nudge > 0.03 * total) is cut


def test_a_neighbour_draws_afresh_once_the_changes_it_was_spared_add_up_to_epsilon() -> None:
    """120 of the city's 50,000 humans are bitten a leap; the lone-zombie cell beside it reads
    the city's share of humans, which each leap moves by 0.24 % of a head: it is spared a
    fresh draw (local._slight) until the moves add up to more than ε = 0.03 of that share."""
    st = _pair_state(50_000, 100)
    pl, ch, graph, lw = st.places, st.channels, st.graph, st.local
    names = list(st.layout.net.compartments)
    human, bitten = names.index("S"), names.index("E")
    local._place_rates(pl, ch, graph, st.work, lw, 1, 0.0)  # the cell's sums, read now
    column = ch.col_comp.tolist().index(human)  # the neighbours' S, read per head
    assert ch.col_freq[column]
    share = pl.nbs[1, column]
    spared = 0
    while spared < 1000:
        lw.x_prev[0] = pl.x[0]
        pl.x[0, human] -= 120
        pl.x[0, bitten] += 120
        n_now, n_was = local._npop(ch, pl.x, 0), local._npop(ch, lw.x_prev, 0)
        if not local._slight(pl, ch, graph, lw, 0, 1, n_now, n_was, 0.03):
            break
        spared += 1
    # The bitten still count in the city's living population, 50,100.
    assert spared == math.floor(0.03 * share / (120 / 50_100))  # 12.5 leaps' worth
    assert 10 <= spared <= 20


@pytest.mark.parametrize(("bitten", "holds"), [(120, False), (4000, True)])
def test_what_a_neighbours_leap_under_way_still_changes_counts_from_the_draw(
    bitten: int, holds: bool
) -> None:
    """The city leaps from time 0 to 1, `bitten` of its 49,900 humans bitten on the way; the
    lone-zombie cell beside it reads the city's share of humans at 0.5, halfway. The other half
    of the change is counted against the cell's tolerance from its draw (local._unseen); only
    where that half alone is more than ε = 0.03 of the share does the cell's draw hold just
    till the city's leap ends, at 1."""
    st = _pair_state(50_000, 100)
    pl, ch, graph, lw = st.places, st.channels, st.graph, st.local
    names = list(st.layout.net.compartments)
    human, exposed = names.index("S"), names.index("E")
    lw.x_prev[0] = pl.x[0]
    lw.t_prev[0], lw.t_now[0] = 0.0, 1.0
    pl.x[0, human] -= bitten
    pl.x[0, exposed] += bitten
    lw.t_now[1] = 0.5  # the cell itself is at 0.5
    local._place_rates(pl, ch, graph, st.work, lw, 1, 0.5)
    column = ch.col_comp.tolist().index(human)
    # 50,000 people, 100 of them zombies; the bitten still count among the living.
    living = 50_000
    share = (49_900 - bitten / 2) / living
    assert pl.nbs[1, column] == pytest.approx(share, rel=1e-12)
    end = local._unseen(pl, ch, lw, 1, 0.03)
    assert lw.moved[1, column] == pytest.approx((bitten / 2) / living, rel=1e-9)
    assert (end == 1.0) is holds
    assert (end == math.inf) is not holds


# --- the note that points to ssa --------------------------------------------------------------

#: Two towns of 100,000 on the move, a zombie in each that almost never dies: each town has a
#: changing count under CRITICAL all run long, so every move of its people comes one at a time.
TWO_TOWNS = """
name = "two towns"
engine = "tau"
model = "sezr-frequency"
parameters = {{ bite_rate = "0/day", kill_rate = "0.01/day", turn_rate = "12/day" }}
time = {{ horizon = "2d", output_every = "1d" }}
tau = {{ stepping = "{stepping}" }}

[world]
kind = "regions"
fill = "S"
movement = {{ S = "1/day" }}
regions = [
  {{ name = "A", population = 100000, x = 0.0, y = 0.0 }},
  {{ name = "B", population = 100000, x = 1.0, y = 0.0 }},
]
routes = [{{ start = "A", end = "B" }}]

[[world.seeds]]
at = "A"
counts = {{ Z = {zombies} }}

[[world.seeds]]
at = "B"
counts = {{ Z = {zombies} }}
"""


@pytest.mark.parametrize(
    ("stepping", "zombies", "noted"),
    [("local", 1, True), ("global", 1, False), ("local", 20, False)],
)
def test_a_run_mostly_event_by_event_is_pointed_to_ssa(
    stepping: str, zombies: int, noted: bool
) -> None:
    """Local stepping with a lone zombie in each town takes all 400,000 moves one by one, and
    the run's notes say so; the global step, and towns whose counts all leap (20 zombies, the
    same moves), are not noted."""
    from hyosan.results.notes import run_notes

    text = TWO_TOWNS.format(stepping=stepping, zombies=zombies)
    summary = TAU.run(parse_scenario(text, "two towns"), seed=1).summary()
    notes = run_notes(summary)
    assert bool(notes) == noted, (summary["diagnostics"], notes)
    if noted:
        assert "--engine ssa" in notes[0]
        assert "100%" in notes[0]


def test_hyosan_run_prints_the_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`hyosan run` prints the run's notes on stderr, after the run, which is kept; with
    --quiet, nothing."""
    from hyosan.cli import main

    path = tmp_path / "towns.toml"
    path.write_text(TWO_TOWNS.format(stepping="local", zombies=1), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--no-report", "--json", "--out", str(tmp_path / "out")])
    assert exc.value.code in (0, None)
    said = capsys.readouterr()
    assert "note: tau's local stepping took 100% of this run's" in said.err, said.err
    assert (tmp_path / "out" / "summary.json").is_file()
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), "--no-report", "--quiet", "--out", str(tmp_path / "quiet")])
    assert exc.value.code in (0, None)
    assert capsys.readouterr() == ("", "")

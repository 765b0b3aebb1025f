"""Runs that start from a kept template (an ensemble's worker) are the runs built from nothing.

An engine with `reuse` set keeps a big world and its kernel's arrays before the first event
and starts each later run of the same scenario from a copy (engines/reuse.py). These tests run
several seeds through the reuse path, on worlds big enough to take it, and compare every
figure with the same seeds run by a fresh engine, as `hyosan run --seed` does.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import pytest

from hyosan.engines import get_engine, reuse
from hyosan.ensemble.task import Task, prepare, record_from_result, run_task
from hyosan.scenario.load import parse_scenario

#: A lattice of 72 x 72 places (more than REUSE_PLACES), one person a site, zombies that
#: wander and bite across edges: outbreaks of every size, from one event to thousands.
LATTICE = """
name = "reuse-lattice"
engine = "{engine}"
seed = 1
model = "sezr-frequency"

[parameters]
bite_rate = "{bite}/day"
kill_rate = "1/day"
turn_rate = "12/day"

[time]
horizon = "20d"
output_every = "1d"

[world]
kind = "lattice"
size = [72, 72]
fill = {{ S = 1 }}
movement = {{ Z = "0.5/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 1.0 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 3 }}

[record]
events = {events}
"""

SEEDS = (3, 17, 29, 101, 4242)


def _text(engine: str = "ssa", bite: float = 2.0, events: bool = False) -> str:
    return LATTICE.format(engine=engine, bite=bite, events=str(events).lower())


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    sa = {k: v for k, v in a["scalars"].items() if k != "wall_s"}
    sb = {k: v for k, v in b["scalars"].items() if k != "wall_s"}
    assert sa == sb
    assert a["extras"] == b["extras"]
    np.testing.assert_array_equal(a["series"], b["series"])


@pytest.fixture(autouse=True)
def _forget() -> Any:
    reuse.TEMPLATES.clear()
    yield
    reuse.TEMPLATES.clear()


@pytest.mark.parametrize(("engine", "events"), [("ssa", False), ("ssa", True), ("tau", False)])
def test_reused_runs_are_fresh_runs(engine: str, events: bool) -> None:
    """Every seed through the reuse path gives the figures and series of a fresh engine."""
    text = _text(engine, events=events)
    task = Task(0, 0, 0, text, "reuse.toml", (), engine)
    reused = [run_task(Task(0, i, s, text, "reuse.toml", (), engine)) for i, s in enumerate(SEEDS)]
    assert len(reuse.TEMPLATES) == 1, "the world is big enough: a template is kept"
    scenario, _, grid = prepare(task.text, task.label, task.overrides, task.engine)
    sizes = set()
    for rec, seed in zip(reused, SEEDS, strict=True):
        fresh = get_engine(engine).run(scenario, seed=seed)
        _same(rec, record_from_result(fresh, grid))
        sizes.add(fresh.diagnostics["events"] if engine == "ssa" else fresh.diagnostics["steps"])
    assert len(sizes) > 1, "the seeds should give runs of different lengths"


def test_reuse_takes_nothing_from_a_previous_run() -> None:
    """A seed run again after others gives its first figures again (the template is not run)."""
    text = _text()
    first = run_task(Task(0, 0, SEEDS[0], text, "reuse.toml", (), "ssa"))
    for i, s in enumerate(SEEDS[1:]):
        run_task(Task(0, i + 1, s, text, "reuse.toml", (), "ssa"))
    _same(first, run_task(Task(0, 9, SEEDS[0], text, "reuse.toml", (), "ssa")))


def test_copies_keep_the_kernel_types_and_share_the_world() -> None:
    """A copied state has the types the compiled kernel was built for (no new compilation)
    and shares the world, which no run changes."""
    scenario = parse_scenario(_text(), "reuse.toml", ())
    built = get_engine("ssa")
    base = built._setup(scenario, _streams(5))
    engine = get_engine("ssa")
    engine.reuse = True
    engine._setup(scenario, _streams(1))  # built: a scenario's first run keeps nothing
    assert len(reuse.TEMPLATES) == 0
    engine._setup(scenario, _streams(2))  # built, and the template kept
    assert len(reuse.TEMPLATES) == 1
    copy = engine._setup(scenario, _streams(5))
    for name in ("places", "channels", "lists", "graph", "groups", "draws", "log", "watched"):
        assert numba.typeof(getattr(copy, name)) == numba.typeof(getattr(base, name)), name
    world = copy.layout.world
    before = [a.copy() for a in (world.indptr, world.indices, world.weights)]
    engine.run(scenario, seed=7)
    again = engine._setup(scenario, _streams(8))
    assert again.layout.world is world
    for a, b in zip(before, (world.indptr, world.indices, world.weights), strict=True):
        np.testing.assert_array_equal(a, b)


def test_small_and_random_worlds_are_built_every_run() -> None:
    """A world below REUSE_PLACES, or one drawn from the seed, keeps no template."""
    small = _text().replace("size = [72, 72]", "size = [20, 20]")
    run_task(Task(0, 0, 1, small, "small.toml", (), "ssa"))
    graph = (
        _text()
        .replace(
            'kind = "lattice"\nsize = [72, 72]',
            'kind = "graph"\nrandom = { model = "erdos-renyi", nodes = 5000, mean_degree = 4 }',
        )
        .replace('at = "center"', "at = 0")
    )
    records = [run_task(Task(0, i, s, graph, "graph.toml", (), "ssa")) for i, s in enumerate(SEEDS)]
    assert len(reuse.TEMPLATES) == 0
    scenario, _, grid = prepare(graph, "graph.toml", (), "ssa")
    for rec, seed in zip(records, SEEDS, strict=True):
        _same(rec, record_from_result(get_engine("ssa").run(scenario, seed=seed), grid))


def test_sweep_points_share_the_world() -> None:
    """Two points that differ in a rate build their world once."""
    a = parse_scenario(_text(bite=1.0), "a.toml", ())
    b = parse_scenario(_text(bite=3.0), "b.toml", ())
    engine = get_engine("ssa")
    engine.reuse = True
    wa = engine._setup(a, _streams(1)).layout.world
    wb = engine._setup(b, _streams(1)).layout.world
    assert wa is wb
    assert len(reuse.TEMPLATES) == 0, "a scenario run once keeps no template"


def _streams(seed: int) -> Any:
    from hyosan.engines.base import Streams

    return Streams(seed)


def test_building_runs_reuse_the_floor_plan() -> None:
    """Hyosan High's runs in one worker compile the floor plan once; each gets a copy and
    the figures of a fresh engine."""
    from hyosan.engines.agents import building
    from hyosan.scenario.load import read_scenario_data

    label, text = read_scenario_data("hyosan-high")
    overrides = ('time.horizon="3h"',)
    records = [
        run_task(Task(0, i, s, text, label, overrides, "agents")) for i, s in enumerate(SEEDS[:3])
    ]
    scenario, _, grid = prepare(text, label, overrides, "agents")
    assert scenario.building is not None
    plans = [building.kept_floor_plan(scenario.building) for _ in range(2)]
    assert plans[0] is not plans[1], "each run gets its own copy"
    np.testing.assert_array_equal(plans[0].hdist, plans[1].hdist)
    for rec, seed in zip(records, SEEDS, strict=False):
        _same(rec, record_from_result(get_engine("agents").run(scenario, seed=seed), grid))


def test_a_world_file_changed_on_disk_is_read_again(tmp_path: Any) -> None:
    """A grid read from a file is kept only while the file stays as it was."""
    path = tmp_path / "pop.npy"
    rng = np.random.default_rng(0)
    np.save(path, rng.integers(1, 5, size=(70, 70)))
    text = (
        _text()
        .replace('kind = "lattice"\nsize = [72, 72]', f'kind = "grid"\nfile = "{path}"')
        .replace("fill = { S = 1 }", 'fill = "S"')
    )
    first = run_task(Task(0, 0, 7, text, "grid.toml", (), "ssa"))
    run_task(Task(0, 1, 8, text, "grid.toml", (), "ssa"))  # the second run keeps a template
    assert len(reuse.TEMPLATES) == 1
    np.save(path, rng.integers(5, 9, size=(70, 70)))
    second = run_task(Task(0, 2, 7, text, "grid.toml", (), "ssa"))
    assert first["scalars"]["final_human"] != second["scalars"]["final_human"]
    scenario, _, grid = prepare(text, "grid.toml", (), "ssa")
    _same(second, record_from_result(get_engine("ssa").run(scenario, seed=7), grid))


def test_ensembles_on_a_big_world_are_the_single_runs(tmp_path: Any) -> None:
    """An ensemble of a big world, in this process and on two workers, writes the runs that
    `hyosan run --seed` gives for each run's seed."""
    import pyarrow.parquet as pq

    from hyosan.ensemble import Execution, Output, run_ensemble

    path = tmp_path / "lattice.toml"
    path.write_text(_text())
    tables = []
    for name, workers in (("serial", 1), ("pool", 2)):
        run_ensemble(
            str(path),
            6,
            seed=5,
            output=Output(tmp_path / name, quiet=True),
            execution=Execution(workers=workers),
        )
        tables.append(pq.read_table(tmp_path / name / "runs.parquet"))
    assert tables[0].equals(tables[1])
    assert len(reuse.TEMPLATES) == 0, "the ensemble let go of its templates"
    scenario = parse_scenario(_text(), "lattice.toml", ())
    finals = set()
    for row in tables[0].to_pylist():
        single = get_engine("ssa").run(scenario, seed=row["seed"]).headline()
        assert row["final_human"] == single.final["human"]
        assert row["final_zombie"] == single.final["zombie"]
        assert row["peak_zombies"] == single.peak_zombies
        finals.add(row["final_human"])
    assert len(finals) > 1


def test_runs_with_interventions_share_only_the_world() -> None:
    """A scenario with interventions keeps no template (its plan is drawn from the seed's
    streams and set at time 0) but shares its world, and its runs are the fresh runs."""
    text = _text() + (
        '\n[[interventions]]\nkind = "cordon"\narea = { around = "center", hops = 2 }\n'
        'leak = 0.1\nstart = "1d"\n'
    )
    records = [run_task(Task(0, i, s, text, "cordon.toml", (), "ssa")) for i, s in enumerate(SEEDS)]
    assert len(reuse.TEMPLATES) == 0
    scenario, _, grid = prepare(text, "cordon.toml", (), "ssa")
    for rec, seed in zip(records, SEEDS, strict=True):
        _same(rec, record_from_result(get_engine("ssa").run(scenario, seed=seed), grid))

"""The contract every registered engine keeps: same call, same Result, same numbers per seed."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import hyosan
from hyosan.engines import engine_names, get_engine
from hyosan.engines.base import Engine
from hyosan.errors import HyosanError, UnsupportedFeatureError

ENGINES = engine_names()
SCENARIO = "munz-basic"


def _short(name: str = SCENARIO) -> hyosan.Scenario:
    return hyosan.load_scenario(name, ["time.horizon=3d", "time.output_every=0.05d"])


@pytest.mark.parametrize("name", ENGINES)
def test_result_shapes(name: str) -> None:
    """Times increase from 0 to the horizon and counts have one column per compartment."""
    scen = _short()
    result = get_engine(name).run(scen, seed=3)
    assert result.engine == name
    assert result.seed == 3
    assert result.times[0] == 0.0
    assert result.times[-1] == pytest.approx(float(scen.time.horizon))
    assert np.all(np.diff(result.times) > 0)
    assert result.counts.shape == (len(result.times), len(scen.model.compartments))
    assert np.isfinite(result.counts).all()
    assert (result.counts >= -1e-9).all()


@pytest.mark.parametrize("name", ENGINES)
def test_same_seed_same_numbers(name: str) -> None:
    """Two runs with one seed give identical counts, bit for bit."""
    scen = _short()
    a = get_engine(name).run(scen, seed=7)
    b = get_engine(name).run(scen, seed=7)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.summary() | {"wall_s": 0} == b.summary() | {"wall_s": 0}


@pytest.mark.parametrize("name", ENGINES)
def test_population_conserved(name: str) -> None:
    """With no births or natural deaths the total of S, Z and R never changes."""
    scen = hyosan.load_scenario(
        SCENARIO,
        ["time.horizon=3d", "parameters.natural_death_rate=0/day", "parameters.birth_rate=0/day"],
    )
    result = get_engine(name).run(scen, seed=1)
    totals = result.counts.sum(axis=1)
    np.testing.assert_allclose(totals, totals[0], rtol=1e-9)


@pytest.mark.parametrize("name", ENGINES)
def test_timeseries_table(name: str) -> None:
    """The time series has t, a column per compartment and n_<state> columns that add up."""
    result = get_engine(name).run(_short(), seed=1)
    table = result.timeseries
    assert table.column_names == ["t", "S", "Z", "R", "n_human", "n_zombie", "n_removed"]
    np.testing.assert_array_equal(table["n_zombie"].to_numpy(), result.series("Z"))


@pytest.mark.parametrize("name", ENGINES)
def test_engine_and_result_pickle(name: str) -> None:
    """Engines, scenarios and Results pickle, so that ensembles can ship them to workers."""
    engine = get_engine(name)
    scen = _short()
    result = pickle.loads(pickle.dumps(engine.run(scen, seed=2)))
    assert pickle.loads(pickle.dumps(engine)).name == name
    assert pickle.loads(pickle.dumps(scen)) == scen
    np.testing.assert_array_equal(result.counts, engine.run(scen, seed=2).counts)


def test_unsupported_feature_is_named() -> None:
    """An engine that lacks a feature refuses the scenario before running and names it."""

    class Bare(Engine):
        name = "bare"
        supports = frozenset({"model"})

        def _setup(self, scenario, streams):  # type: ignore[no-untyped-def]
            raise AssertionError("must not run")

        _advance = _apply_cull = _counts = _finish = _setup  # type: ignore[assignment]

    with pytest.raises(UnsupportedFeatureError, match="thresholds"):
        hyosan.simulate(SCENARIO, engine=Bare)


def test_unknown_engine() -> None:
    """An unknown engine name lists the engines there are."""
    with pytest.raises(HyosanError, match="choose one of ode"):
        get_engine("warp-drive")


def test_threshold_stop_ends_the_run() -> None:
    """A threshold with stop = true ends the run at the crossing, with that state recorded last."""
    scen = _short().evolve(thresholds=[{"name": "few", "of": "human", "below": 400, "stop": True}])
    result = hyosan.simulate(scen)
    assert result.stopped_by == "few"
    assert result.times[-1] == pytest.approx(result.crossings["few"])
    assert result.series("human")[-1] == pytest.approx(400, rel=1e-8)
    assert result.series("human")[-2] > 400


@pytest.mark.parametrize(
    ("name", "sets"),
    [(name, []) for name in ENGINES] + [("ode", ["ode.method=euler", "ode.dt=0.01d"])],
)
def test_a_stopped_run_peaks_within_what_it_ran(name: str, sets: list[str]) -> None:
    """A run stopped while zombies still rise has its zombie peak no later than its end and no
    lower than any count it recorded (ode once reported the peak as the one zombie at t = 0,
    and Euler its steps after the stop)."""
    scen = hyosan.load_scenario(SCENARIO, ["time.horizon=10d", *sets]).evolve(
        thresholds=[{"name": "few", "of": "human", "below": 250, "stop": True}]
    )
    result = get_engine(name).run(scen, seed=4)
    summary = result.summary()
    zombies = result.series("zombie")
    assert result.stopped_by == "few"
    assert summary["t_peak_zombies_s"] <= result.times[-1]
    assert summary["peak_zombies"] >= zombies.max() - 1e-9
    assert zombies.max() > 2 * zombies[0]  # the outbreak grew before the stop


@pytest.mark.parametrize(
    ("name", "scenario"), [(name, SCENARIO) for name in ENGINES] + [("agents", "hyosan-high")]
)
def test_a_stopping_level_passed_at_the_start_stops_at_once(name: str, scenario: str) -> None:
    """The kernels watch for crossings as counts change; a stopping level that the first counts
    already pass ends the run at t = 0 (it ran to the horizon), with those counts its record."""
    scen = _short(scenario).evolve(
        thresholds=[{"name": "anyone", "of": "human", "above": 1, "stop": True}]
    )
    result = get_engine(name).run(scen, seed=2)
    assert result.stopped_by == "anyone"
    assert result.crossings["anyone"] == 0.0
    np.testing.assert_array_equal(result.times, [0.0])
    full = get_engine(name).run(_short(scenario), seed=2)
    np.testing.assert_array_equal(result.counts[0], full.counts[0])

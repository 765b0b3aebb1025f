"""Properties of the tau engine on random small worlds: no negative count, people conserved,
the same seed giving the same run bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import hyosan
from hyosan.engines import get_engine
from hyosan.scenario.load import parse_scenario

TAU = get_engine("tau")


def _scenario(
    rows: int,
    cols: int,
    fill: int,
    zombies: int,
    bite: float,
    kill: float,
    move: float,
    eps: float,
    stepping: str,
) -> hyosan.Scenario:
    text = f"""
name = "random grid"
model = "alemi-sezr"
parameters = {{ bite_rate = "{bite}/day", kill_rate = "{kill}/day", turn_rate = "3/day" }}
time = {{ horizon = "5d", output_every = "0.5d" }}
tau = {{ epsilon = {eps}, stepping = "{stepping}" }}
record = {{ snapshots = 4 }}

[world]
kind = "lattice"
size = [{rows}, {cols}]
fill = {{ S = {fill} }}
movement = {{ Z = "{move}/day", S = "{move / 2}/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 0.5 }}

[[world.seeds]]
at = [0, 0]
counts = {{ Z = {zombies} }}
"""
    return parse_scenario(text, "random grid")


worlds = st.builds(
    _scenario,
    rows=st.integers(1, 4),
    cols=st.integers(1, 4),
    fill=st.integers(1, 50),
    zombies=st.integers(1, 5),
    bite=st.floats(0.0, 0.5),
    kill=st.floats(0.0, 0.5),
    move=st.floats(0.0, 3.0),
    eps=st.sampled_from([0.03, 0.3, 1.0]),
    stepping=st.sampled_from(["global", "local"]),
)


@settings(max_examples=25, deadline=None)
@given(scen=worlds, seed=st.integers(0, 2**32))
def test_counts_stay_whole_and_people_are_kept(scen: hyosan.Scenario, seed: int) -> None:
    """Counts are whole and never negative, in the series and the snapshots, and S + E + Z + R
    stays what it was (the model neither makes nor loses anyone)."""
    result = TAU.run(scen, seed=seed)
    counts = result.counts
    assert (counts >= 0).all()
    np.testing.assert_array_equal(counts, np.round(counts))
    np.testing.assert_array_equal(counts.sum(axis=1), counts[0].sum())
    assert result.places is not None
    for name in scen.model.compartments:
        snaps = np.stack(result.places[name].to_numpy(zero_copy_only=False))
        assert (snaps >= 0).all()
    first = result.places["t_first_zombie_s"].to_numpy(zero_copy_only=False)
    assert np.nanmin(first) == 0.0


@settings(max_examples=10, deadline=None)
@given(scen=worlds, seed=st.integers(0, 2**32))
def test_same_seed_same_run(scen: hyosan.Scenario, seed: int) -> None:
    """Two runs with one seed give the same time series and places table, bit for bit."""
    a, b = TAU.run(scen, seed=seed), TAU.run(scen, seed=seed)
    assert a.timeseries.equals(b.timeseries)
    assert a.places is not None
    assert a.places.equals(b.places)
    assert a.summary() | {"wall_s": 0} == b.summary() | {"wall_s": 0}


@settings(max_examples=20, deadline=None)
@given(
    births=st.floats(0.0, 50.0),
    rates=st.tuples(*[st.floats(0.0, 0.05)] * 2, *[st.floats(0.0, 2.0)] * 2),
    people=st.tuples(st.integers(0, 2000), st.integers(0, 50)),
    eps=st.sampled_from([0.03, 0.3, 1.0]),
    seed=st.integers(0, 2**32),
)
def test_munz_model_with_births_and_resurrection(
    births: float,
    rates: tuple[float, float, float, float],
    people: tuple[int, int],
    eps: float,
    seed: int,
) -> None:
    """Munz's SZR with births, deaths and resurrection: no negative count; without births the
    total never changes."""
    bite, kill, death, rise = rates
    scen = hyosan.load_scenario(
        "munz-basic",
        [
            f"parameters.birth_rate={births}/day",
            f"parameters.bite_rate={bite}/day",
            f"parameters.kill_rate={kill}/day",
            f"parameters.natural_death_rate={death}/day",
            f"parameters.resurrection_rate={rise}/day",
            f"initial.S={people[0]}",
            f"initial.Z={people[1]}",
            f"tau.epsilon={eps}",
        ],
    )
    result = TAU.run(scen, seed=seed)
    assert (result.counts >= 0).all()
    if births == 0:
        totals = result.counts.sum(axis=1)
        np.testing.assert_array_equal(totals, totals[0])

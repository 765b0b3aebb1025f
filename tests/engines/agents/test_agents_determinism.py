"""One seed, one run: identical events and counts; another seed, another run."""

from __future__ import annotations

import pickle

import numpy as np
from conftest import hyosan_high


def test_same_seed_same_events(engine) -> None:
    """Two runs with one seed give identical events, snapshots and counts."""
    scen = hyosan_high(horizon="3h")
    a, b = engine.run(scen, seed=11), engine.run(scen, seed=11)
    assert a.events.equals(b.events)
    assert a.places.equals(b.places)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.summary() | {"wall_s": 0} == b.summary() | {"wall_s": 0}


def test_different_seed_different_events(engine) -> None:
    """Another seed gives another story."""
    scen = hyosan_high(horizon="3h")
    a, b = engine.run(scen, seed=11), engine.run(scen, seed=12)
    assert not a.events.equals(b.events)


def test_result_pickles(engine) -> None:
    """A building run's Result pickles whole (ensembles ship Results between processes)."""
    result = engine.run(hyosan_high(horizon="1h"), seed=1)
    again = pickle.loads(pickle.dumps(result))
    assert again.events.equals(result.events)
    assert again.survivors == result.survivors

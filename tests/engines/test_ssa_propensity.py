"""One propensity function for every place, wherever the ssa engine computes it.

The kernel keeps each place's propensity up to date event by event (events.refresh) and
`rebuild` computes every place's afresh; the group sums are sums of these values, so the two
must agree to the last bit, or the groups silently disagree with the propensities. After runs
that exercise every kind of channel (reactions with frequency mixing, moves, cross-edge
reactions, with and without lists of people), the propensities the kernel kept must equal a
fresh rebuild's exactly, and the group sums must match their members.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hyosan.engines.ssa import SsaEngine
from hyosan.engines.ssa.groups import GROUPS, new_groups
from hyosan.engines.ssa.kernels import rebuild
from hyosan.scenario.load import parse_scenario

SCENARIO = """
name = "propensities"
engine = "ssa"
model = "sezr-frequency"
seed = {seed}

[parameters]
bite_rate = "4/day"
kill_rate = "0.8/day"
turn_rate = "3/day"

[time]
horizon = "{horizon}d"
output_every = "1d"

[world]
kind = "lattice"
size = [12, 12]
fill = {{ S = {fill} }}
movement = {{ Z = "2/day", S = "0.5/day" }}
cross = {{ reactions = ["bite"], factor = 0.3 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 6 }}

[record]
snapshots = 0
"""


class _Keep(SsaEngine):
    """The ssa engine, keeping its last run's state."""

    state: Any = None

    def _finish(self, state: Any) -> Any:
        self.state = state
        return super()._finish(state)


@pytest.mark.parametrize(("lists", "fill", "seed"), [(True, 3, 1), (False, 3, 2), (True, 40, 3)])
def test_kept_propensities_equal_a_fresh_rebuild(lists: bool, fill: int, seed: int) -> None:
    scenario = parse_scenario(SCENARIO.format(seed=seed, fill=fill, horizon=3), "test")
    engine = _Keep(lists=lists)
    result = engine.run(scenario)
    assert result.diagnostics["events"] > 1000
    state = engine.state
    kept = state.groups
    fresh = new_groups(state.x.shape[0])
    places = state.places._replace(nbs=np.zeros_like(state.places.nbs))
    rebuild(places, state.channels, state.lists, state.graph, fresh)
    assert np.array_equal(places.nbs, state.places.nbs)
    assert np.array_equal(kept.a, fresh.a)
    assert np.array_equal(kept.grp, fresh.grp)
    for g in range(GROUPS):
        members = kept.pool[kept.start[g] : kept.start[g] + kept.size[g]]
        assert kept.sum[g] == pytest.approx(kept.a[members].sum(), rel=1e-9, abs=1e-300)

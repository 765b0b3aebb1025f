"""The ssa kernel's shortcuts on lattices: neighbour sums computed from the counts
(engines/ssa/neighbours.py) and places skipped when no channel drawn place by place can happen
there (the gates of lists.py). Both must change no number: the tests run the same seeds with
each shortcut turned off and compare the runs in full (every recorded count, the snapshots, the
first-zombie times, the diagnostics), including runs whose cordon moves the kernel between
computed and kept sums, and check the computed neighbours against the world's edges.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
import pytest

from hyosan.engines.ssa import SsaEngine
from hyosan.engines.ssa import lists as lists_module
from hyosan.engines.ssa.neighbours import around
from hyosan.scenario.load import parse_scenario
from hyosan.world.graph import lattice

#: The README's lattice example (sezr-frequency, one person a site, cross-edge bites and
#: kills, moving zombies), small and short.
EXAMPLE = """
name = "readme lattice example"
engine = "ssa"
model = "sezr-frequency"
time = {{ horizon = "{horizon}", output_every = "1d" }}
record = {{ snapshots = 4 }}

[world]
kind = "lattice"
size = [{rows}, {cols}]
fill = {{ S = 1 }}
movement = {{ Z = "0.5/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 1.0 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 3 }}
"""

CORDON = """
[[interventions]]
kind = "cordon"
area = {{ around = "center", hops = 3 }}
leak = 0.2
start = "{start}"
end = "{end}"
"""


@nb.njit(cache=False)
def _around_all(lst: Any, n: int) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty((n, 4), dtype=np.int64)
    for r in range(n):
        up, left, right, down = around(lst, r)
        out[r, 0], out[r, 1], out[r, 2], out[r, 3] = up, left, right, down
    return out


def _plan(text: str) -> lists_module.Lists:
    scen = parse_scenario(text, "neighbours test")
    engine = Keep()
    engine.run(scen, seed=1)
    return engine.lists


class Keep(SsaEngine):
    """The ssa engine, keeping the lists of its last run."""

    lists: Any = None

    def _finish(self, state):  # type: ignore[no-untyped-def]
        self.lists = state.lists
        return super()._finish(state)


@pytest.mark.parametrize(("rows", "cols"), [(3, 3), (5, 7), (8, 4)])
def test_computed_neighbours_are_the_edges_in_their_order(rows: int, cols: int) -> None:
    """On an open lattice, each place's computed neighbours (those on the lattice) are its
    edges in the world's CSR arrays, in the same order: the order the kernel refreshes the
    places in, which moves members within the propensity groups."""
    text = EXAMPLE.format(rows=rows, cols=cols, horizon="1d")
    lst = _plan(text)
    assert lst.computed
    world = lattice(rows, cols)
    got = _around_all(lst, rows * cols)
    for r in range(rows * cols):
        edges = world.indices[world.indptr[r] : world.indptr[r + 1]].tolist()
        assert [q for q in got[r] if q >= 0] == edges, r


def test_gates_and_computed_sums_of_the_readme_example() -> None:
    """Bites and kills (drawn place by place) all need a human where they start: the gate is
    S. An open lattice computes its sums and keeps no array for them; a torus keeps them."""
    lst = _plan(EXAMPLE.format(rows=10, cols=10, horizon="1d"))
    assert lst.gated
    assert lst.gate.tolist() == [0]
    assert lst.computed
    torus = EXAMPLE.format(rows=10, cols=10, horizon="1d").replace(
        'kind = "lattice"', 'kind = "lattice"\nperiodic = true'
    )
    assert not _plan(torus).computed


def _run(text: str, seed: int) -> dict[str, Any]:
    result = SsaEngine().run(parse_scenario(text, "neighbours test"), seed=seed)
    assert result.places is not None
    return {
        "counts": np.asarray(result.counts),
        "places": result.places.to_pydict(),
        "diagnostics": result.diagnostics,
        "events": int(result.diagnostics["events"]),
    }


@pytest.mark.parametrize("off", ["computed", "gated", "both"])
@pytest.mark.parametrize("cordon", [None, ("1d", "3d")], ids=["plain", "cordon"])
def test_the_shortcuts_change_no_number(
    off: str, cordon: tuple[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README example on a 24 × 30 lattice, 5 seeds: the same runs to the last count with
    the neighbour sums kept in memory and every place refreshed, as with the shortcuts. With a
    cordon from day 1 to day 3 the run goes from computed sums to kept ones (the cordon weights
    the edges) and back."""
    text = EXAMPLE.format(rows=24, cols=30, horizon="5d")
    if cordon is not None:
        text += CORDON.format(start=cordon[0], end=cordon[1])
    seeds = range(5)
    fast = [_run(text, s) for s in seeds]
    plan = lists_module.plan

    def slow_plan(*args: Any, **kwargs: Any) -> lists_module.Lists:
        lst = plan(*args, **kwargs)
        computed = lst.computed and off == "gated"
        # A step's short path around its ends needs computed sums (it writes none).
        return lst._replace(
            computed=computed,
            nearby=lst.nearby & computed,
            gated=lst.gated and off == "computed",
        )

    monkeypatch.setattr(lists_module, "plan", slow_plan)
    slow = [_run(text, s) for s in seeds]
    assert sum(r["events"] for r in fast) > 2_000  # outbreaks that went somewhere
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a["counts"], b["counts"])
        assert a["places"] == b["places"]
        assert a["diagnostics"] == b["diagnostics"]

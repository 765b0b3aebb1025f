"""The ssa engine's lists of people (engines/ssa/lists.py): which channels draw from them, and
that the events they give have the law of the chain.

On worlds with a few people a place, steps along edges and first-order reactions are drawn from
a list with one entry per person, by thinning: a step off the edge of a lattice, a person drawn
whose channel is slower where they stand, or an entry of someone who has since left the
compartment, is a null event. These tests check the law where it could go wrong (the border,
the torus, the bound under interventions), compare the two ways of drawing on whole outbreaks,
and check that a seed gives one run however it is recorded. The event-by-event replays are in
test_ssa_exact_law.py.

Tolerances: distributions by χ² or Kolmogorov–Smirnov with p > 1e-3, means within 4 standard
errors of their difference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from law_helpers import pooled_chisquare_p
from scipy import linalg, stats
from test_ssa_spatial import (
    WALKERS,
    _generator,
    _lattice_adjacency,
    _snapshots,
)

from hyosan.engines.spatial import Layout, enter_piece
from hyosan.engines.ssa import SsaEngine
from hyosan.engines.ssa.lists import PER_PLACE, plan
from hyosan.scenario.load import parse_scenario
from hyosan.scenario.schema import Scenario

DAY = 86400.0


class Spy(SsaEngine):
    """The ssa engine, noting the channels it drew from lists in its last run."""

    listed: frozenset[str] = frozenset()

    def _finish(self, state):  # type: ignore[no-untyped-def]
        self.listed = frozenset(state.names[h] for h in state.lists.listed)
        return super()._finish(state)


def _scenario(text: str) -> Scenario:
    return parse_scenario(text, "lists test")


def _lattice(rows: int, cols: int, periodic: bool, counts: str) -> str:
    return (
        f'kind = "lattice"\nsize = [{rows}, {cols}]\nperiodic = {str(periodic).lower()}\n'
        f"fill = {{ S = 0 }}\n[[world.seeds]]\nat = [0, 0]\ncounts = {{ {counts} }}"
    )


@pytest.mark.parametrize("periodic", [False, True], ids=["open", "torus"])
def test_walkers_drawn_from_lists_follow_the_matrix_exponential(periodic: bool) -> None:
    """300 walkers from a corner of a 5 × 6 lattice (12 a place at most on average, so drawn
    from a list, steps by direction with those off the edge thinned): at each snapshot their
    counts per place are Multinomial(300, row 0 of exp(Q t)) (χ² over six seeds pooled)."""
    m, walkers, runs = 0.9, 300, 6
    scen = _scenario(
        WALKERS.format(
            horizon=2, world=_lattice(5, 6, periodic, f"S = {walkers}"), rate=m, snapshots=5
        )
    )
    engine = Spy()
    q = _generator(_lattice_adjacency(5, 6, periodic), m / DAY)
    total = None
    for seed in range(runs):
        times, counts = _snapshots(engine.run(scen, seed=seed))
        assert engine.listed == {"move S"}
        np.testing.assert_array_equal(counts["S"].sum(axis=0), walkers)
        total = counts["S"] if total is None else total + counts["S"]
    assert total is not None
    for j, t in enumerate(times[1:], start=1):
        law = linalg.expm(q * t)[0]
        assert pooled_chisquare_p(total[:, j], law * walkers * runs) > 1e-3, t


def test_walkers_slowed_in_an_area_follow_the_matrix_exponential() -> None:
    """The same with a curfew halving steps within two hops of the corner: the steps stay
    listed, with the bound of the faster zone, and steps from inside the area are thinned by
    one half more: counts per place follow exp(Q t) with those rows of Q halved."""
    m, walkers, runs = 0.9, 300, 6
    curfew = (
        '\n[[interventions]]\nkind = "curfew"\nmovement = 0.5\ncompartments = ["S"]\n'
        "area = { around = [0, 0], hops = 2 }\n"
    )
    scen = _scenario(
        WALKERS.format(
            horizon=2, world=_lattice(5, 6, False, f"S = {walkers}"), rate=m, snapshots=5
        )
        + curfew
    )
    engine = Spy()
    adjacency = _lattice_adjacency(5, 6, False)
    slow = np.array([r + c <= 2 for r in range(5) for c in range(6)])
    q = _generator(adjacency * np.where(slow, 0.5, 1.0)[:, None], m / DAY)
    total = None
    for seed in range(runs):
        times, counts = _snapshots(engine.run(scen, seed=seed))
        assert engine.listed == {"move S"}
        total = counts["S"] if total is None else total + counts["S"]
    assert total is not None
    for j, t in enumerate(times[1:], start=1):
        law = linalg.expm(q * t)[0]
        assert pooled_chisquare_p(total[:, j], law * walkers * runs) > 1e-3, t


@pytest.mark.parametrize("periodic", [False, True], ids=["open", "torus"])
def test_a_walker_waits_by_its_degree_and_steps_to_each_neighbour_alike(periodic: bool) -> None:
    """One walker on a 3 × 4 lattice for 8000 steps: each wait, times m × (the degree of the
    place it waits in), is Exp(1) (KS), and from each place it steps to each neighbour alike
    (χ² over the steps out of corners, edges and the inside)."""
    m = 2.0
    scen = _scenario(
        WALKERS.format(horizon=1200, world=_lattice(3, 4, periodic, "S = 1"), rate=m, snapshots=0)
    )
    scen = scen.model_copy(update={"record": scen.record.model_copy(update={"events": True})})
    engine = Spy()
    result = engine.run(scen, seed=7)
    assert engine.listed == {"move S"}
    assert result.events is not None
    log = result.events.to_pydict()
    t = np.array(log["t"]) / DAY
    p = np.array(log["place"])
    q = np.array(log["target"])
    assert t.size > 6000
    adjacency = _lattice_adjacency(3, 4, periodic)
    degree = adjacency.sum(axis=1)
    waits = np.diff(np.concatenate([[0.0], t])) * m * degree[p]
    assert stats.kstest(waits, "expon").pvalue > 1e-3
    assert (adjacency[p, q] > 0).all()
    for place in range(12):
        out = q[p == place]
        weights = adjacency[place][adjacency[place] > 0]
        expected = out.size * weights / weights.sum()
        observed = [np.sum(out == nb) for nb in np.flatnonzero(adjacency[place])]
        assert stats.chisquare(observed, expected).pvalue > 1e-3, place


OUTBREAK = """
name = "outbreak on a small lattice"
engine = "ssa"
model = "sezr-frequency"
parameters = {{ bite_rate = "3/day", kill_rate = "1/day", turn_rate = "4/day" }}
time = {{ horizon = "{horizon}", output_every = "1d" }}
record = {{ snapshots = 0 }}

[world]
kind = "lattice"
size = [{side}, {side}]
fill = {{ S = 4 }}
movement = {{ Z = "1.5/day", E = "0.5/day" }}

[[world.seeds]]
at = "center"
counts = {{ Z = 2 }}
"""


def test_lists_and_places_give_the_same_outbreaks() -> None:
    """The same SEZR outbreak on a 12 × 12 lattice, drawn from lists and drawn place by place:
    the final humans, zombies and removed have the same means (4 standard errors of the
    difference) and distributions (two-sample KS), over 150 runs each."""
    scen = _scenario(OUTBREAK.format(side=12, horizon="6d"))
    runs = 150
    finals = {}
    for lists in (True, False):
        engine = Spy(lists=lists)
        rows = [engine.run(scen, seed=seed).counts[-1] for seed in range(runs)]
        assert engine.listed == ({"turn", "move Z", "move E"} if lists else set())
        finals[lists] = np.array(rows)
    for c, name in enumerate(("S", "E", "Z", "R")):
        a, b = finals[True][:, c], finals[False][:, c]
        se = math.sqrt(a.var(ddof=1) / runs + b.var(ddof=1) / runs)
        assert abs(a.mean() - b.mean()) <= 4 * se, (name, a.mean(), b.mean(), se)
        if name != "E":  # E is a handful at the end: too discrete for KS
            assert stats.ks_2samp(a, b).pvalue > 1e-3, name


def test_a_seed_gives_one_run_however_it_is_recorded() -> None:
    """With lists, the same seed gives the same run with and without the event log, though the
    log (first 65,536 events) and the lists fill up and grow on the way."""
    scen = _scenario(OUTBREAK.format(side=30, horizon="30d"))
    logged = scen.model_copy(update={"record": scen.record.model_copy(update={"events": True})})
    engine = Spy()
    a = engine.run(scen, seed=3)
    b = engine.run(logged, seed=3)
    assert engine.listed
    assert b.events is not None
    assert b.events.num_rows == a.diagnostics["events"] > 70_000
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.diagnostics == b.diagnostics
    assert a.counts[-1][2] > 4 * 2  # the zombies' list grew far past its first room


# --- which channels draw from lists ---------------------------------------------------------------


def _plan(text: str, t: float = 0.0):  # type: ignore[no-untyped-def]
    """The lists of the piece of the run that starts at t (the rates, zones and edge weights
    of the interventions then, from `enter_piece`)."""
    scen = _scenario(text)
    layout = Layout.from_scenario(scen, np.random.default_rng(0))
    channels, kinds = layout.channels()
    world = layout.world
    if layout.plan is not None:
        x = layout.x0.copy()
        snapshots = (np.empty(0), np.empty((0, *x.shape), dtype=np.int32), 0)
        base = channels.rate[0].copy()
        channels, world = enter_piece(layout, t, x, x.sum(axis=0), snapshots, channels, base)
    lists = plan(channels, world, layout.x0, layout.zmask)
    return {kinds[h] for h in lists.listed}, lists, kinds


def test_steps_and_first_order_reactions_are_listed_on_a_sparse_lattice() -> None:
    """On a lattice with four people a site: every step and the turn are listed; bites and
    kills (frequency mixing, two reactants) are drawn place by place; the zombies' list keeps
    a column of the killed, and the lattice's neighbours are computed."""
    listed, lists, kinds = _plan(OUTBREAK.format(side=10, horizon="1d"))
    assert listed == {"turn", "move Z", "move E"}
    assert {kinds[h] for h in lists.by_place} == {"bite", "kill"}
    z = list(lists.comp).index(2)  # compartment Z
    assert lists.dead_col[z] >= 0
    assert lists.lattice.tolist() == [10, 10, 0]
    assert lists.length.tolist() == [0, 2]  # E, Z


def test_no_lists_on_a_crowded_world() -> None:
    """More than PER_PLACE people a place on average: nothing is listed (the lists would cost
    more memory than the places)."""
    crowded = OUTBREAK.format(side=10, horizon="1d").replace("S = 4", f"S = {PER_PLACE + 1}")
    assert _plan(crowded)[0] == set()


def test_steps_are_not_listed_where_degrees_differ_widely() -> None:
    """On a random graph whose degrees differ by more than SPREAD, steps would mostly be null
    events: they stay place by place (the turn, the same everywhere, is still listed)."""
    graph = OUTBREAK.format(side=10, horizon="1d").replace(
        'kind = "lattice"\nsize = [10, 10]',
        'kind = "graph"\nrandom = { nodes = 400, mean_degree = 3 }',
    )
    graph = graph.replace('at = "center"', "at = 0")
    listed, lists, _ = _plan(graph)
    assert listed == {"turn"}
    assert lists.lattice.size == 0


CURFEW = """
[[interventions]]
kind = "curfew"
movement = {factor}
compartments = ["Z"]
start = "0d"
end = "5d"
area = {{ around = [5, 5], hops = 2 }}
"""


@pytest.mark.parametrize(("factor", "listed"), [(0.5, True), (0.2, False)])
def test_a_curfew_keeps_steps_listed_only_while_thinning_stays_cheap(
    factor: float, listed: bool
) -> None:
    """A curfew that halves steps in its area leaves them listed, with the bound of the fastest
    zone; one that cuts them to a fifth draws them place by place for its duration."""
    text = OUTBREAK.format(side=10, horizon="6d") + CURFEW.format(factor=factor)
    names, lists, kinds = _plan(text, t=0.0)
    assert ("move Z" in names) is listed
    if listed:
        h = kinds.index("move Z")
        assert lists.bound[h] == pytest.approx(4 * 1.5 / DAY)
    assert "move Z" in _plan(text, t=5 * DAY)[0]

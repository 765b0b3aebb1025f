"""Notes on valid scenarios: tables that the scenario's engine never reads are said, not
ignored silently."""

from __future__ import annotations

import pytest

from hyosan.scenario.load import load_scenario
from hyosan.scenario.notes import scenario_notes


def test_a_table_for_another_engine_is_noted() -> None:
    scen = load_scenario("munz-basic", ["tau.epsilon=0.1"])  # an ode scenario
    assert scenario_notes(scen) == [
        "[tau]: only the tau engine reads this table; this scenario runs with ode, which ignores it"
    ]
    # Its own engine's table is read: no note.
    assert scenario_notes(load_scenario("munz-basic", ["tau.epsilon=0.1", "engine=tau"])) == []
    # A table at its default says nothing (a run directory's scenario.toml writes them all).
    assert scenario_notes(load_scenario("munz-basic", ["tau.epsilon=0.03"])) == []


def test_choosing_another_engine_is_not_noted() -> None:
    """`--engine ssa` on an agents scenario runs its people as a well-mixed model on purpose."""
    scen = load_scenario("hyosan-high")
    assert scenario_notes(scen) == []
    assert scenario_notes(scen, "ssa") == []


@pytest.mark.parametrize("table", ["virus", "behaviour"])
def test_agents_tables_in_a_population_scenario(table: str) -> None:
    high = load_scenario("hyosan-high")
    scen = high.evolve(engine="ssa")
    assert any(
        note.startswith(f"[{table}]: only the agents engine") for note in scenario_notes(scen)
    )


def test_counts_for_a_building_are_noted() -> None:
    """A building's people come from [people] and [[characters]]; [initial] is unread."""
    scen = load_scenario("hyosan-high", ["initial.S=100"])
    assert scenario_notes(scen) == [
        "[initial]: the agents engine takes a building's people from [people] and "
        "[[characters]], and ignores these counts"
    ]
    assert scenario_notes(scen, "ode") == []

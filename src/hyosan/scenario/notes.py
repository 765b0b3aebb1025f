"""Notes on a valid scenario: what it asks for that the run will not do.

Notes are not problems (the scenario runs, and a sealed vault may be what the author wants);
`hyosan validate` and `hyosan run` print them, so that nothing is ignored silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyosan.scenario.agents import building_notes

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["scenario_notes"]

#: Tables of a scenario that only one engine reads, and that engine.
ENGINE_TABLES = {
    "ode": "ode",
    "tau": "tau",
    "agents": "agents",
    "virus": "agents",
    "zombies": "agents",
    "behaviour": "agents",
}


def scenario_notes(scenario: Scenario, engine: str | None = None) -> list[str]:
    """What `scenario` asks that its run ignores: tables for another engine than its own, and
    what its floor plan lets nobody do.

    `engine` is the engine chosen on the command line, if any: a user who switches engines
    knows that the other engine's tables stay unread, so they are noted only without one.
    (People in a building are not noted: the population engines run them as a well-mixed
    model on purpose.)
    """
    notes = []
    if engine is None:
        for table, reader in ENGINE_TABLES.items():
            if scenario.engine != reader and _given(scenario, table):
                notes.append(
                    f"[{table}]: only the {reader} engine reads this table; this scenario runs "
                    f"with {scenario.engine}, which ignores it"
                )
    if scenario.building is not None:
        if (engine or scenario.engine) == "agents" and scenario.initial:
            notes.append(
                "[initial]: the agents engine takes a building's people from [people] and "
                "[[characters]], and ignores these counts"
            )
        notes.extend(building_notes(scenario.building))
    return notes


def _given(scenario: Scenario, table: str) -> bool:
    """Whether `table` says anything: it differs from its default (a run directory's
    scenario.toml writes every table out, at its default where the file gave none)."""
    field = type(scenario).model_fields[table]
    return bool(getattr(scenario, table) != field.get_default(call_default_factory=True))

"""Notes on a valid scenario: what it asks for that the run will not do.

Notes are not problems (the scenario runs, and a sealed vault may be what the author wants);
`hyosan validate` and `hyosan run` print them, so that nothing is ignored silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyosan.display import listed
from hyosan.scenario.agents import building_notes

if TYPE_CHECKING:
    from hyosan.scenario.model import ModelSpec
    from hyosan.scenario.schema import Scenario

__all__ = ["model_notes", "scenario_notes"]

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
    """What `scenario` asks that its run ignores: tables for another engine than its own,
    compartments and parameters of its own model that nothing uses, and what its floor plan
    lets nobody do.

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
    notes.extend(model_notes(scenario))
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


def model_notes(scenario: Scenario) -> list[str]:
    """Compartments that no reaction reads or changes, and parameters that are no reaction's
    rate, in a model of the scenario's own: a slip (a reaction left out, a name mistyped in an
    equation that still parses) or a leftover. A built-in model's are there on purpose (the
    camp's compartments of jonas-city, which only its interventions fill)."""
    model = scenario.model
    if _builtin(model):
        return []
    read: set[str] = set()
    for reaction in model.reactions:
        read |= reaction.reactants.keys() | reaction.products.keys()
    notes = []
    # People in a building are in the compartment of their state whatever the reactions say
    # (the agents engine), so only a population model's compartments can be idle.
    if not scenario.describes_people:
        used = read | _filled_otherwise(scenario)
        idle = [c for c in model.compartments if c not in used]
        if idle:
            they = (
                "it keeps its initial count" if len(idle) == 1 else "they keep their initial counts"
            )
            notes.append(
                f"model.compartments: no reaction reads or changes {listed(idle, 'or')}, and "
                f"no cull or intervention moves anyone in or out: {they}"
            )
    rates = {reaction.rate for reaction in model.reactions}
    unused = [p for p in model.parameters if p not in rates]
    if unused:
        notes.append(
            f"model.parameters: no reaction has {listed(unused, 'or')} as its rate, so "
            + ("it changes nothing" if len(unused) == 1 else "they change nothing")
        )
    return notes


def _builtin(model: ModelSpec) -> bool:
    """Whether `model` is a built-in one (written out in full, as a run's scenario.toml has it)."""
    from hyosan.scenario.catalog import builtin_model, builtin_model_names
    from hyosan.scenario.model import ModelSpec

    if model.name not in builtin_model_names():
        return False
    return bool(ModelSpec.model_validate(builtin_model(model.name)) == model)


def _filled_otherwise(scenario: Scenario) -> set[str]:
    """Compartments that culls, interventions or a handoff move people into or out of."""
    from hyosan.scenario.interventions import targets

    found: set[str] = set()
    for cull in scenario.culls:
        found |= {cull.compartment, *cull.reset_to_initial} | ({cull.to} if cull.to else set())
    for iv in scenario.interventions:
        try:
            t = targets(iv, scenario.model)
        except ValueError:  # (refused when the scenario loaded)
            continue
        found |= {*t.moved, *(c for c in (t.to, t.safe, t.caught) if c is not None)}
    if scenario.handoff is not None:
        # The school's people join the first compartment of their state (interventions.handoff).
        firsts: dict[str, str] = {}
        for name, c in scenario.model.compartments.items():
            firsts.setdefault(c.state, name)
        found |= set(firsts.values())
    return found

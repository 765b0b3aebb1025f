"""Every check a run makes before it simulates, without simulating: for `validate` and `run`.

The scenario layer knows neither engines nor worlds (imports flow one way), so a scenario can
pass `load_scenario` and still be refused by its engine later: an unknown engine, a feature the
engine does not do, a seed at a place the world does not have, an intervention aimed at a room
that is not there, fractional people for a counting engine. `preflight` makes those checks
(building the world's structure, which is cheap, and never running the school of a handoff),
so that `hyosan validate` refuses exactly what `hyosan run` would refuse before simulating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyosan.errors import EngineError, Problem, ScenarioError

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["preflight"]

#: Engines that count whole people per place, and so build a world even without one.
_COUNTING = ("ssa", "tau")


#: Rough bytes per edge while a random graph is drawn and stored both ways (pairs, sort,
#: distinct keys, the adjacency of each direction with weights).
_BYTES_PER_EDGE = 80
#: Rough bytes per place of a world: adjacency, counts per compartment, the engines' tables.
_BYTES_PER_PLACE = 200


def _world_memory(scen: Scenario) -> None:
    """Refuse a world that would not fit in memory, before it is built."""
    from hyosan.limits import check_memory

    spec = scen.world
    if spec is None:
        return
    comps = len(scen.model.compartments)
    if spec.kind == "graph" and spec.random is not None:
        n, k = spec.random.nodes, spec.random.mean_degree
        need = n * k / 2 * _BYTES_PER_EDGE + n * (_BYTES_PER_PLACE + 8 * comps)
        check_memory(
            need,
            f"world.random: a graph of {n:,} places of mean degree {k:g}",
            "fewer nodes or a lower mean_degree",
        )
    elif spec.kind == "lattice" and spec.size is not None:
        n = spec.size[0] * spec.size[1]
        check_memory(
            n * (_BYTES_PER_PLACE + 8 * comps),
            f"world.size: a lattice of {n:,} places",
            "a smaller lattice",
        )


#: Bytes per person of the agents engine (measured: 48,000 more people, 610 MB more).
_BYTES_PER_AGENT = 6_500


def _people_memory(scen: Scenario) -> None:
    """Refuse more people than the agents engine can hold in memory."""
    from hyosan.limits import check_memory
    from hyosan.scenario.agents import population

    people, _ = population(scen)
    check_memory(people * _BYTES_PER_AGENT, f"people: {people:,} people", "fewer people")


def _snapshot_memory(scen: Scenario, n_places: int) -> None:
    """Refuse per-place snapshots that would not fit in memory (every run keeps them)."""
    from hyosan.engines.spatial import snapshot_times
    from hyosan.limits import check_memory

    comps = len(scen.model.compartments)
    k = len(snapshot_times(scen, n_places, comps))
    check_memory(
        8.0 * k * n_places * comps * 2,  # the counts, and their copy into places.parquet
        f"record.snapshots: {k:,} snapshots of {n_places:,} places",
        "fewer record.snapshots",
    )


def _world_checks(scen: Scenario) -> tuple[int, int]:
    """Build the world (its files read, its seeds' places found) and compile the plan; the
    number of people in it, and in its most crowded place."""
    import numpy as np

    from hyosan.world.build import build_world, seed_place

    _world_memory(scen)
    world, x0 = build_world(scen, np.random.default_rng(0))
    people, crowd = int(x0.sum()), int(x0.sum(axis=1).max(initial=0))
    _snapshot_memory(scen, world.n_places)
    if not scen.acts:
        return people, crowd
    from hyosan.interventions.plan import InterventionPlan
    from hyosan.models.network import ReactionNetwork

    spec = scen.handoff
    if spec is not None:
        seed_place(world, spec.place, "handoff.place")
        for name, ref in spec.exits.items():
            seed_place(world, ref, f"handoff.exits.{name}")
        # The school's run is the engine's to make: check the rest of the plan without it.
        scen = scen.model_copy(update={"handoff": None})
    InterventionPlan.build(scen, world, ReactionNetwork.from_scenario(scen))
    return people, crowd


def _time_can_advance(scen: Scenario, engine: str, people: int, crowd: int) -> None:
    """Refuse rates so fast that a counting engine's steps fall below the resolution of time
    (see engines.timescales): checked here, so that no run spins for ever."""
    import math

    from hyosan.engines.timescales import RESOLUTION, fastest_rate

    horizon = float(scen.time.horizon)
    # People meet within a place: a mass-action rate per person grows with its crowd.
    fastest, which = fastest_rate(scen, crowd)
    events = fastest * max(people, 1) * horizon
    if not math.isfinite(events) or events > RESOLUTION:
        raise EngineError(
            f"{which}: a rate of {fastest:.3g}/s per person, for {people:,} people over "
            f"{horizon:.3g} s, needs steps shorter than time can be told apart at the horizon "
            f"(rate x people x horizon is {events:.3g}; at most 2^52 = {RESOLUTION:.3g}); the "
            f"{engine} engine could not advance; lower the rate or the horizon"
        )


def preflight(scen: Scenario, engine: str | None = None, source: str | None = None) -> str:
    """Make every check of a run of `scen` (on `engine`, default its own) short of running it.

    Returns the engine's name. Raises ScenarioError naming `source` for an unknown engine, and
    the engines' own errors (EngineError, UnsupportedFeatureError) for the rest, their
    messages headed by `source` (the file or built-in name) where it is given.
    """
    from hyosan.engines import engine_names

    name = engine if engine is not None else scen.engine
    engines = engine_names()
    if name not in engines:
        msg = f"unknown engine {name!r}; choose one of {', '.join(engines)}"
        raise ScenarioError(source or f"scenario {scen.name!r}", [Problem("engine", msg)])
    try:
        return _engine_checks(scen, name)
    except ScenarioError:
        raise  # names its source already
    except EngineError as exc:
        # The engines' messages name the field; the user also needs the file it is in.
        if source is None or str(exc).startswith(f"{source}: "):
            raise
        raise type(exc)(f"{source}: {exc}") from None


def _engine_checks(scen: Scenario, name: str) -> str:
    """preflight's checks once the engine is known to exist; its name."""
    from hyosan.engines import get_engine

    chosen = get_engine(name)
    if scen.engine != chosen.name:
        scen = scen.evolve(engine=chosen.name)
    chosen.check(scen)
    if chosen.name == "agents" and scen.describes_people:
        _people_memory(scen)
        if scen.building is not None and scen.acts:
            # The interventions' rooms and targets, resolved as the run resolves them.
            from hyosan.engines.agents.actions import BuildingActions
            from hyosan.engines.agents.building import compile_building

            BuildingActions.build(scen, compile_building(scen.building))
    if scen.world is not None or chosen.name in _COUNTING:
        try:
            people, crowd = _world_checks(scen)
        except (KeyError, IndexError) as exc:  # a reference the schema let through
            raise EngineError(f"scenario {scen.name!r}: {exc}") from None
        if chosen.name in _COUNTING:
            _time_can_advance(scen, chosen.name, people, crowd)
    return chosen.name

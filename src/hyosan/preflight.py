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


def _world_checks(scen: Scenario) -> None:
    """Build the world (its files read, its seeds' places found) and compile the plan."""
    import numpy as np

    from hyosan.world.build import build_world, seed_place

    world, _ = build_world(scen, np.random.default_rng(0))
    if not scen.acts:
        return
    from hyosan.interventions.plan import Plan
    from hyosan.models.network import ReactionNetwork

    spec = scen.handoff
    if spec is not None:
        seed_place(world, spec.place, "handoff.place")
        for name, ref in spec.exits.items():
            seed_place(world, ref, f"handoff.exits.{name}")
        # The school's run is the engine's to make: check the rest of the plan without it.
        scen = scen.model_copy(update={"handoff": None})
    Plan.build(scen, world, ReactionNetwork.from_scenario(scen))


def preflight(scen: Scenario, engine: str | None = None, source: str | None = None) -> str:
    """Make every check of a run of `scen` (on `engine`, default its own) short of running it.

    Returns the engine's name. Raises ScenarioError naming `source` for an unknown engine, and
    the engines' own HyosanErrors (EngineError, UnsupportedFeatureError) for the rest.
    """
    from hyosan.engines import engine_names, get_engine

    name = engine if engine is not None else scen.engine
    engines = engine_names()
    if name not in engines:
        msg = f"unknown engine {name!r}; choose one of {', '.join(engines)}"
        raise ScenarioError(source or f"scenario {scen.name!r}", [Problem("engine", msg)])
    chosen = get_engine(name)
    if scen.engine != chosen.name:
        scen = scen.evolve(engine=chosen.name)
    chosen.check(scen)
    if scen.world is not None or chosen.name in _COUNTING:
        try:
            _world_checks(scen)
        except (KeyError, IndexError) as exc:  # a reference the schema let through
            raise EngineError(f"scenario {scen.name!r}: {exc}") from None
    return chosen.name

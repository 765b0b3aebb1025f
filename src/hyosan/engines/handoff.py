"""A city run that starts from the school: run the school, then hand its people over.

The school is simulated person by person with the agents engine before the city's own engine
sets up; `hyosan.interventions.handoff` says what the school runs and where its people join the
city. Composing the two here keeps the flow of imports one way (engines use interventions, never
the reverse).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyosan.interventions.handoff import Handover, arrivals, school_scenario

if TYPE_CHECKING:
    from hyosan.models.network import ReactionNetwork
    from hyosan.scenario.schema import Scenario
    from hyosan.world.graph import World

__all__ = ["hand_over"]


def hand_over(scenario: Scenario, world: World, net: ReactionNetwork, seed: int) -> Handover:
    """Run the school of `scenario`'s handoff with `seed`; where its people join the city."""
    from hyosan.engines import get_engine

    school = get_engine("agents").run(school_scenario(scenario), seed=seed)
    return arrivals(scenario, school, world, net)

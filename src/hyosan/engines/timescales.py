"""How fast a scenario can change, against how long it runs: what an engine can integrate.

Every engine steps time in pieces no longer than the fastest process allows: the ode solvers'
explicit methods by about 1 / (fastest per-person rate), the exact and tau-leaping engines by
about 1 / (total event rate). Past a point no engine advances: an ssa step below the spacing of
doubles at the horizon leaves t unchanged for ever (issue 18: a recovery rate of 1e307/s spun
at 100 % CPU), and an explicit ode solver takes ~rate x horizon steps (1e5/s over a season:
memory grew 1.3 MB/s). These figures let validation refuse or adapt before any run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["RESOLUTION", "fastest_rate"]

#: 2**52: beyond rate x people x horizon this large, a step is below the spacing of doubles
#: near the horizon, and time cannot advance.
RESOLUTION = 2.0**52


def fastest_rate(scenario: Scenario, people: float | None = None) -> tuple[float, str]:
    """The fastest per-person rate (1/s) of the scenario's reactions (each at its schedule's
    highest factor) and movement, and its name.

    A reaction's rate is per person for one reactant or frequency mixing; for mass action
    between two compartments it is multiplied by `people` (default: the initial total).
    """
    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scenario)
    n = float(sum(scenario.initial_vector())) if people is None else float(people)
    best, name = 0.0, ""
    reactions = scenario.model.reactions
    for j, reaction in enumerate(net.reaction_names):
        rate = abs(float(net.rates[j]))
        schedule = reactions[j].schedule
        if schedule is not None:
            rate *= schedule.max_factor  # the rate at its schedule's highest
        order = int(net.reactants[j].sum())
        if order >= 2 and not bool(net.frequency[j]):
            rate *= max(n, 1.0) ** (order - 1)
        if not math.isfinite(rate) or rate > best:
            best, name = rate, reaction
        if not math.isfinite(rate):
            break
    world = scenario.world
    for comp, value in world.movement.items() if world is not None else ():
        rate = abs(float(value))
        if not math.isfinite(rate) or rate > best:
            best, name = rate, f"world.movement.{comp}"
    return best, name

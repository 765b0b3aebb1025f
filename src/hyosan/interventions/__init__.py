"""Interventions: what the authorities do, compiled for the engines that carry them out.

The declarations are the `[[interventions]]` sections (scenario/interventions.py);
`InterventionPlan` compiles them onto a world of places for the ssa, tau and ode engines. The
agents engine reads the declarations itself, with rooms as places.
"""

from hyosan.interventions.plan import Directed, InterventionPlan, area_mask, next_hops

__all__ = ["Directed", "InterventionPlan", "area_mask", "next_hops"]

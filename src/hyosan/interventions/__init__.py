"""Interventions: what the authorities do, compiled for the engines that carry them out.

The declarations are the `[[interventions]]` sections (scenario/interventions.py); `Plan`
compiles them onto a world of places for the ssa, tau and ode engines. The agents engine reads
the declarations itself, with rooms as places.
"""

from hyosan.interventions.plan import Directed, Plan, area_mask, next_hops

__all__ = ["Directed", "Plan", "area_mask", "next_hops"]

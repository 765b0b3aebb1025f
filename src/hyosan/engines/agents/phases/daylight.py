"""Day and night: whether it is dark at a time of the run, from the scenario's clock.

`[agents]` gives the time of day of t = 0 (`clock_start`), `sunrise` and `sunset`. In the dark
zombies notice the quiet less (`zombies.dark_sight`), and groups prefer to move then.
"""

from __future__ import annotations

from hyosan.engines.agents.params import Params
from hyosan.engines.agents.phases.jit import inlined

__all__ = ["is_dark"]

DAY_S = 86400.0


@inlined
def is_dark(t: float, p: Params) -> bool:
    """Whether it is dark at run time t (s)."""
    day = (p.clock_start + t) % DAY_S
    return day < p.sunrise or day >= p.sunset

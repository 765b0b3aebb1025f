"""The `[handoff]` section: a school simulated person by person hands its outbreak to a city.

```toml
[handoff]
school = "hyosan-high"        # a scenario the agents engine runs (built-in name or file)
at = "6h"                     # when the school's people join the city
until = "overrun"             # optional: or earlier, at the school's overrun
place = "Hyosan High"         # the city's place that holds the building
exits = { Yangdong = "Yangdong" }   # optional: where each of the building's exits leads
```

Both runs share one clock, which starts when the school's does. Until the handoff the city runs
on its own (its place for the school should hold nobody). At the handoff the school's people
are added to the city, each in the city's first compartment of their state: those still in
the building at `place`, and those who got out at the place their exit leads to (`place` when
the exit is not listed), bitten or a hybrid if they were when they left.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hyosan.scenario.interventions import PlaceRef
from hyosan.scenario.model import Frozen, ReadOnly
from hyosan.scenario.units import DurationField

__all__ = ["Handoff"]


class Handoff(Frozen):
    """See the module docstring."""

    school: str = Field(min_length=1, description="a scenario for the agents engine")
    at: DurationField
    until: Literal["overrun"] | None = None
    place: PlaceRef
    exits: ReadOnly[str, PlaceRef] = Field(default_factory=dict)

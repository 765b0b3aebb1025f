"""The `[tau]` section: step control of the tau engine (approximate leaping)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from hyosan.scenario.model import Frozen
from hyosan.scenario.units import DurationField

__all__ = ["TauOptions"]


class TauOptions(Frozen):
    """Options of the tau engine.

    `epsilon` bounds how much, in one step, any count that some hazard depends on may be
    expected to change, relative to itself (at least one person); smaller is more accurate and
    slower. `max_step` caps the step whatever epsilon allows.
    """

    epsilon: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=0.03, description="step-control tolerance (Cao, Gillespie & Petzold 2006)"
    )
    max_step: DurationField | None = Field(default=None, description="longest step")

    @model_validator(mode="after")
    def _positive_step(self) -> TauOptions:
        if self.max_step is not None and self.max_step <= 0:
            raise ValueError("tau.max_step must be more than zero")
        return self

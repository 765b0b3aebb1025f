"""The `[tau]` section: step control of the tau engine (approximate leaping)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from hyosan.scenario.model import Frozen
from hyosan.scenario.units import DurationField

__all__ = ["TauOptions"]


class TauOptions(Frozen):
    """Options of the tau engine.

    `epsilon` bounds how much, in one step, any count that some hazard depends on may be
    expected to change, relative to itself (at least one person); smaller is more accurate and
    slower. `max_step` caps the step whatever epsilon allows. `stepping` says whose counts set
    the step: "global", every place leaps by the smallest step any place allows; "local", each
    place leaps by the step its own counts and its neighbours' allow, on a clock of its own,
    the clocks meeting at every output time. `kernel` says what is compiled: "general", one
    kernel for every model; "model", a kernel compiled for this model's channels, about a
    tenth faster with the same numbers, after a first compile of its own per model and
    machine (about 40 s of CPU for local stepping; for long runs of one model).
    """

    epsilon: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=0.03, description="step-control tolerance (Cao, Gillespie & Petzold 2006)"
    )
    max_step: DurationField | None = Field(default=None, description="longest step")
    stepping: Literal["global", "local"] = Field(
        default="global",
        description="global: one step for all places; local: each place leaps by its own step",
    )
    kernel: Literal["general", "model"] = Field(
        default="general",
        description="general: one compiled kernel for every model; model: one compiled for "
        "this model's channels (faster a step, the same numbers; a first compile of about a "
        "minute)",
    )

    @model_validator(mode="after")
    def _positive_step(self) -> TauOptions:
        if self.max_step is not None and self.max_step <= 0:
            raise ValueError("tau.max_step must be more than zero")
        return self

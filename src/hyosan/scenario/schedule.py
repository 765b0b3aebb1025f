"""Rates that vary in time: a reaction's rate multiplied by a schedule of factors.

A reaction may carry `schedule = {...}`; its rate at time t is the parameter's value times the
schedule's factor at t. Two kinds:

- **steps** (piecewise constant): `at = ["0h", "8h", "22h"]`, `factor = [0.2, 1, 0.2]`,
  optionally `repeat = "1d"`. Factor i holds from at[i] until at[i + 1]; the last holds until
  the end of the period and, when the schedule repeats, wraps round to the start of the next
  period (so the factor before at[0] is the last one). Without `repeat` the first time must be
  "0h" and the last factor holds for ever.
- **sinusoid**: `kind = "sinusoid"`, `mean = 1`, `amplitude = 0.5`, `period = "1d"`,
  `peak = "14h"`: factor(t) = mean + amplitude × cos(2π (t − peak) / period), highest at
  `peak` (and every period after), never below zero (amplitude ≤ mean).

The engines read schedules through `factor_at` (the factor at given times) and `changes` (the
instants in (0, horizon) where a piecewise factor may jump): ode and the stochastic engines run
each stretch between those instants at a constant rate, which is exact for steps.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    model_validator,
)

from hyosan.scenario.numbers import refuse_text_values
from hyosan.scenario.units import DurationField

__all__ = ["MAX_CHANGES", "Schedule", "SineSchedule", "StepSchedule"]

#: Most instants at which the piecewise factors of a scenario may change over its horizon
#: (each is the end of a stretch that the engines run on its own).
MAX_CHANGES = 200_000

Factor = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Frozen(BaseModel):
    # As the scenario's sections (model.Frozen, which imports this module): unknown keys are
    # errors, values never change and numbers and booleans are not read from text.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="wrap")
    @classmethod
    def _no_text_values(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        return refuse_text_values(cls, data, handler)


class StepSchedule(_Frozen):
    """A piecewise-constant factor: `factor[i]` from `at[i]` on, repeating every `repeat`.

    With repeat, the last factor wraps round to the start of the next period (it holds before
    `at[0]`). Run exactly by every engine: each stretch between jumps at constant rates.
    """

    kind: Literal["steps"] = Field(default="steps", description="may be left out")
    at: tuple[DurationField, ...] = Field(
        min_length=1, description="when each factor starts, increasing (within repeat)"
    )
    factor: tuple[Factor, ...] = Field(min_length=1, description="one factor per time in at")
    repeat: DurationField | None = Field(
        default=None, description='the period, e.g. "1d"; none: at starts at "0h", no repeat'
    )

    @model_validator(mode="after")
    def _consistent(self) -> StepSchedule:
        if len(self.at) != len(self.factor):
            raise ValueError(
                f"factor lists {len(self.factor)} values for {len(self.at)} times in at; "
                "give one factor per time"
            )
        times = [float(t) for t in self.at]
        for i in range(1, len(times)):
            if times[i] <= times[i - 1]:
                raise ValueError(
                    f"at must increase: at[{i}] = {self.at[i].text!r} is not after "
                    f"at[{i - 1}] = {self.at[i - 1].text!r}"
                )
        if self.repeat is None:
            if times[0] != 0.0:
                raise ValueError(
                    f'at[0] = {self.at[0].text!r}: without repeat the schedule starts at "0h" '
                    '(with repeat = "1d", say, the last factor wraps round to the start)'
                )
        else:
            if self.repeat <= 0:
                raise ValueError(f"repeat = {self.repeat.text!r} must be more than zero")
            if times[-1] >= float(self.repeat):
                raise ValueError(
                    f"at[{len(times) - 1}] = {self.at[-1].text!r} is not within repeat = "
                    f"{self.repeat.text!r}; every time in at must be before the period ends"
                )
        return self

    @property
    def max_factor(self) -> float:
        """The largest factor the schedule takes."""
        return max(self.factor)

    def factor_at(self, t: Any) -> np.ndarray:
        """The factor at each of times `t` (seconds; array or number)."""
        t = np.asarray(t, dtype=np.float64)
        at = np.array([float(a) for a in self.at])
        values = np.asarray(self.factor, dtype=np.float64)
        if self.repeat is not None:
            t = np.mod(t, float(self.repeat))
        # Index -1 before at[0]: the last factor, wrapped round from the previous period.
        i = np.searchsorted(at, t, side="right") - 1
        return values[i]

    def n_changes(self, horizon: float) -> int:
        """About how many instants `changes` lists (an upper bound, cheap to compute)."""
        if self.repeat is None:
            return len(self.at)
        return (math.ceil(horizon / float(self.repeat)) + 1) * len(self.at)

    def changes(self, horizon: float) -> list[float]:
        """The instants in (0, horizon) where the factor changes (a time in `at` whose factor
        is the one before it is left out, so a schedule of ones changes nothing)."""
        at = [float(a) for a in self.at]
        # The factor before at[i]: the previous one, or for at[0] the last, wrapped round.
        jumps = [a for i, a in enumerate(at) if self.factor[i] != self.factor[i - 1]]
        if self.repeat is None:
            return [t for t in jumps if 0.0 < t < horizon]
        period = float(self.repeat)
        n = math.ceil(horizon / period) + 1
        return [t for k in range(n) for a in jumps if 0.0 < (t := k * period + a) < horizon]


class SineSchedule(_Frozen):
    """A smooth daily (or any period) cycle: mean + amplitude × cos(2π (t − peak) / period).

    ode puts it in the right-hand side; ssa draws it exactly by thinning (one well-mixed place
    only); tau holds its average over each 96th of the period.
    """

    kind: Literal["sinusoid"]
    mean: Factor = Field(default=1.0, description="the factor's average over a period")
    amplitude: Factor = Field(description="how far the factor swings either side; ≤ mean")
    period: DurationField = Field(description='the length of one cycle, e.g. "1d"')
    peak: DurationField | None = Field(
        default=None, description="when the factor is highest; default at the start"
    )

    @model_validator(mode="after")
    def _consistent(self) -> SineSchedule:
        if self.period <= 0:
            raise ValueError(f"period = {self.period.text!r} must be more than zero")
        if self.amplitude > self.mean:
            raise ValueError(
                f"amplitude {self.amplitude:g} is more than mean {self.mean:g}: the factor "
                "would go below zero; keep amplitude ≤ mean"
            )
        return self

    @property
    def max_factor(self) -> float:
        """The largest factor the schedule takes."""
        return self.mean + self.amplitude

    def factor_at(self, t: Any) -> np.ndarray:
        """The factor at each of times `t` (seconds; array or number)."""
        t = np.asarray(t, dtype=np.float64)
        peak = 0.0 if self.peak is None else float(self.peak)
        phase = 2.0 * np.pi * (t - peak) / float(self.period)
        return np.maximum(self.mean + self.amplitude * np.cos(phase), 0.0)

    def n_changes(self, horizon: float) -> int:
        """A smooth factor jumps nowhere."""
        return 0

    def changes(self, horizon: float) -> list[float]:
        """A smooth factor jumps nowhere."""
        return []


#: A reaction's schedule; a table with `at` and no `kind` is a steps schedule.
Schedule = Annotated[StepSchedule | SineSchedule, Field(discriminator="kind")]


def with_kind(value: object) -> object:
    """A schedule table with its kind filled in (steps, when not given)."""
    if isinstance(value, dict) and "kind" not in value:
        return {"kind": "steps", **value}
    return value

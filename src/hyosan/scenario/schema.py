"""The scenario: a frozen, validated description of one simulation.

A scenario file is TOML of this shape. Every section forbids unknown keys; rates and durations
carry units (units.py). Variants are made with `scenario.evolve(...)` or `--set KEY=VALUE`,
never by mutation.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from hyosan.scenario.agents import (
    AgentsOptions,
    Behaviour,
    Building,
    Character,
    People,
    Virus,
    Zombies,
)
from hyosan.scenario.handoff import Handoff
from hyosan.scenario.interventions import (
    Intervention,
    intervention_problems,
    place_references,
)
from hyosan.scenario.model import Frozen, ModelSpec, ReadOnly, distinct_names
from hyosan.scenario.names import KnownNames, unknown_names
from hyosan.scenario.tau_options import TauOptions
from hyosan.scenario.units import DurationField, RateField
from hyosan.scenario.world import RecordSpec, WorldSpec

__all__ = ["OVERRUN_OF", "Cull", "OdeOptions", "Scenario", "Threshold", "TimeSpec"]

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

#: Largest horizon accepted: a century (the ode engine could go further, but a typo is likelier).
MAX_HORIZON_S = 100 * 365.25 * 86400.0
#: Largest number of output times in a time series (keeps files and memory bounded).
MAX_OUTPUTS = 1_000_000
#: Largest head count in any compartment (ten times the world's population).
MAX_COUNT = 1e11


class TimeSpec(Frozen):
    """How long to simulate and how often to record the time series."""

    horizon: DurationField
    output_every: DurationField | None = Field(
        default=None, description="spacing of recorded times; default horizon / 1000"
    )
    display_unit: Literal["s", "min", "h", "d"] = "d"

    @model_validator(mode="after")
    def _sizes(self) -> TimeSpec:
        if self.horizon <= 0:
            raise ValueError(f"time.horizon must be more than zero; found {self.horizon.text!r}")
        if self.horizon > MAX_HORIZON_S:
            raise ValueError(f"time.horizon {self.horizon.text!r} is more than a century")
        if self.output_every is not None:
            if self.output_every <= 0:
                raise ValueError("time.output_every must be more than zero")
            if self.output_every > self.horizon:
                # The run would record its start and its end only: a spacing meant for a
                # longer run, or a horizon shortened without it.
                raise ValueError(
                    f"time.output_every {self.output_every.text!r} is longer than time.horizon "
                    f"{self.horizon.text!r}; record at most every {self.horizon.text!r}, or "
                    "leave output_every out (horizon / 1000)"
                )
            if self.horizon / self.output_every > MAX_OUTPUTS:
                raise ValueError(
                    f"time.output_every {self.output_every.text!r} gives more than {MAX_OUTPUTS:,} "
                    f"records over {self.horizon.text!r}; choose a longer spacing"
                )
        return self

    @property
    def step(self) -> float:
        """Spacing of recorded times, in seconds."""
        return float(self.output_every) if self.output_every is not None else self.horizon / 1000

    def output_times(self) -> list[float]:
        """Recorded times in seconds: 0, step, 2 step, ..., ending exactly at the horizon."""
        step, horizon = self.step, float(self.horizon)
        n = max(1, math.ceil(horizon / step - 1e-9))
        times = [min(i * step, horizon) for i in range(n)]
        times.append(float(self.horizon))
        return times


class OdeOptions(Frozen):
    """Options of the ode engine: adaptive by default, fixed-step Euler for parity with papers."""

    method: Literal["adaptive", "euler", "RK45", "DOP853", "LSODA", "Radau", "BDF"] = "adaptive"
    rtol: Annotated[float, Field(gt=0, lt=1)] = 1e-10
    atol: Annotated[float, Field(gt=0)] = 1e-12
    dt: DurationField | None = Field(default=None, description="step of the euler method")

    @model_validator(mode="after")
    def _euler_needs_dt(self) -> OdeOptions:
        if self.method == "euler" and (self.dt is None or self.dt <= 0):
            raise ValueError('dt: method = "euler" needs a step, e.g. dt = "0.01d"')
        return self


class Cull(Frozen):
    """Impulsive eradication (Munz): at given times, remove a fraction of a compartment.

    Give `times`, or `start`, `every` and `count`. `fraction` is one number for every cull or
    one per cull. Culled individuals leave the model unless `to` names a compartment.
    `reset_to_initial` lists compartments set back to their initial values after each cull, as
    some published code does; it is off unless asked for.
    """

    compartment: str
    fraction: Fraction | tuple[Fraction, ...]
    times: Annotated[tuple[DurationField, ...], Field(min_length=1)] | None = None
    start: DurationField | None = None
    every: DurationField | None = None
    count: Annotated[int, Field(ge=1, le=100_000)] | None = None
    to: str | None = None
    reset_to_initial: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _schedule(self) -> Cull:
        by_list = self.times is not None
        by_period = any(v is not None for v in (self.start, self.every, self.count))
        if by_list == by_period:
            raise ValueError("give either times = [...] or start, every and count")
        if by_period and None in (self.start, self.every, self.count):
            raise ValueError("a periodic cull needs all of start, every and count")
        if by_period and self.every is not None and self.every <= 0:
            raise ValueError("every must be more than zero")
        n = len(self.times) if self.times is not None else int(self.count or 0)
        if isinstance(self.fraction, tuple) and len(self.fraction) != n:
            raise ValueError(f"fraction: lists {len(self.fraction)} values for {n} culls")
        return self

    def schedule(self) -> list[tuple[float, float]]:
        """(time in seconds, fraction removed) of each cull, in time order."""
        if self.times is not None:
            times = [float(t) for t in self.times]
        else:
            # The validator has checked that all three are given.
            assert self.start is not None
            assert self.every is not None
            assert self.count is not None
            times = [float(self.start) + i * float(self.every) for i in range(self.count)]
        fractions = (
            list(self.fraction)
            if isinstance(self.fraction, tuple)
            else [self.fraction] * len(times)
        )
        return sorted(zip(times, fractions, strict=True))


#: A threshold's `of` that means the run's overrun (its own level: no below or above).
OVERRUN_OF = "overrun"


class Threshold(Frozen):
    """Record the first time a state or compartment crosses a level (optionally stop there),
    or, with `of = "overrun"` and no level, the run's overrun (the summary's t_overrun_s)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    of: str = Field(
        description="a compartment name, a state such as 'human', or 'overrun' (no level)"
    )
    below: NonNegative | None = None
    above: NonNegative | None = None
    stop: bool = False

    @model_validator(mode="after")
    def _one_level(self) -> Threshold:
        if self.of == OVERRUN_OF:
            if self.below is not None or self.above is not None:
                raise ValueError(
                    'of = "overrun" has its own level (fewer than one in five of those who '
                    "stayed still human): give neither below nor above"
                )
        elif (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of below = ... or above = ...")
        return self


class Scenario(Frozen):
    """One simulation, as a scenario file describes it."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    engine: str = "ode"
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 1
    model: ModelSpec
    parameters: ReadOnly[str, RateField] = Field(
        default_factory=dict, description="values that replace the model's defaults"
    )
    initial: ReadOnly[str, Annotated[float, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]] = (
        Field(default_factory=dict, description="counts of one well-mixed place (no [world])")
    )
    time: TimeSpec
    ode: OdeOptions = Field(default_factory=OdeOptions)
    tau: TauOptions = Field(default_factory=TauOptions)
    culls: tuple[Cull, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    handoff: Handoff | None = None
    world: WorldSpec | None = None
    record: RecordSpec = Field(default_factory=RecordSpec)
    # Person-by-person sections (the agents engine); see scenario/agents.py.
    building: Building | None = None
    people: People | None = None
    characters: tuple[Character, ...] = ()
    virus: Virus | None = None
    zombies: Zombies | None = None
    behaviour: Behaviour | None = None
    agents: AgentsOptions | None = None

    @field_validator("thresholds")
    @classmethod
    def _distinct_thresholds(cls, value: tuple[Threshold, ...]) -> tuple[Threshold, ...]:
        # A threshold's crossing is kept under its name: two of one name kept one crossing.
        return distinct_names(value, "thresholds")

    @field_validator("model", mode="before")
    @classmethod
    def _builtin_model(cls, value: Any) -> Any:
        # model = "munz-szr" refers to a built-in model definition.
        if isinstance(value, str):
            from hyosan.scenario.catalog import builtin_model

            return builtin_model(value)
        return value

    @field_validator("building", mode="before")
    @classmethod
    def _builtin_building(cls, value: Any) -> Any:
        # building = "hyosan-high" refers to a built-in floor plan.
        if isinstance(value, str):
            from hyosan.scenario.agents import builtin_building

            return builtin_building(value)
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        comps = self.model.compartments
        known = ", ".join(comps)
        problems = [
            f"parameters.{p}: the model has no parameter {p!r} (it has "
            f"{', '.join(self.model.parameters) or 'none'})"
            for p in self.parameters
            if p not in self.model.parameters
        ]
        problems += [
            f"initial.{c}: the model has no compartment {c!r} (it has {known})"
            for c in self.initial
            if c not in comps
        ]
        problems += self._world_problems()
        if self.describes_people:
            from hyosan.scenario.agents import people_problems

            problems += people_problems(self)
        for i, cull in enumerate(self.culls):
            for field, name in [("compartment", cull.compartment), ("to", cull.to)] + [
                ("reset_to_initial", n) for n in cull.reset_to_initial
            ]:
                if name is not None and name not in comps:
                    problems.append(
                        f"culls[{i}].{field}: no compartment {name!r} (the model has {known})"
                    )
            # A cull after the horizon is not a problem: as interventions are, it is skipped
            # and the run lists it as not reached (a shorter --set time.horizon keeps working).
        for i, th in enumerate(self.thresholds):
            if th.of not in comps and th.of not in [*self.model.states_present(), OVERRUN_OF]:
                problems.append(
                    f"thresholds[{i}].of: {th.of!r} is neither a compartment ({known}) nor a state "
                    f"of this model ({', '.join(self.model.states_present())}) nor 'overrun'"
                )
        problems += self._schedule_problems()
        step = self.agents.step if self.agents is not None else None
        if step is not None and step > self.time.horizon:
            problems.append(
                f"agents.step: {step.text!r} is longer than the run (time.horizon "
                f"{self.time.horizon.text!r}); a step is at most the horizon"
            )
        problems += intervention_problems(
            self.interventions,
            self.model,
            spatial=self.world is not None or self.describes_people,
        )
        problems += self._place_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _world_problems(self) -> list[str]:
        comps = self.model.compartments
        if self.world is None:
            if not self.initial and not self.describes_people:
                return ["initial: give the starting counts, e.g. [initial] S = 500 and Z = 1"]
            return []
        problems = []
        if self.initial:
            problems.append(
                "initial: a scenario with a [world] takes its people from world.fill and "
                "world.seeds; remove [initial]"
            )
        problems += [
            f"world.{where}: the model has no compartment {c!r} (it has {', '.join(comps)})"
            for where, c in self.world.compartments_named()
            if c not in comps
        ]
        if self.world.cross is not None:
            by_name = {r.name: r for r in self.model.reactions}
            for i, name in enumerate(self.world.cross.reactions):
                reaction = by_name.get(name)
                if reaction is None:
                    problems.append(
                        f"world.cross.reactions[{i}]: the model has no reaction {name!r} "
                        f"(it has {', '.join(by_name)})"
                    )
                elif sum(reaction.reactants.values()) != 2 or len(reaction.reactants) != 2:
                    problems.append(
                        f"world.cross.reactions[{i}]: {name!r} ({reaction.equation}) does not "
                        "meet two different compartments, so it cannot act across an edge"
                    )
        return problems

    def _place_problems(self) -> list[str]:
        """Places named by the interventions (and the handoff) that the world or the building
        does not have, found here so that the message can name the file and the line; the
        engines look them up again when they build the world."""
        in_building = self.world is None and self.building is not None
        handoff = (
            [
                ("handoff.place", self.handoff.place),
                *((f"handoff.exits.{k}", v) for k, v in self.handoff.exits.items()),
            ]
            if self.handoff is not None and self.world is not None
            else []
        )
        refs = place_references(self.interventions, in_building, handoff)
        if not refs:
            return []
        known = self._place_names()
        return [] if known is None else unknown_names(refs, known)

    def _place_names(self) -> KnownNames | None:
        """The names a place may go by, where they are known before the world is built (a
        grid's landmarks and a graph file's nodes are not: their engine checks those)."""
        world = self.world
        if world is None:
            if self.building is None:
                return None
            from hyosan.scenario.agents import known_rooms

            return known_rooms(self.building)
        if world.kind == "regions":
            names = tuple(r.name for r in world.regions)
            return KnownNames(names, "place", "in the world", "world.regions")
        if world.kind == "graph" and world.network is not None:
            return KnownNames(world.network.nodes, "place", "in the world", "world.network.nodes")
        if world.kind == "building" and world.building is not None:
            from hyosan.scenario.agents import builtin_room_names

            try:
                rooms = builtin_room_names(world.building)
            except ValueError:  # no such plan: the engine says so when it builds the world
                return None
            listed_at = f"`hyosan show --building {world.building}`"
            return KnownNames(rooms, "room", "in the building", listed_at)
        return None

    def _schedule_problems(self) -> list[str]:
        from hyosan.scenario.schedule import MAX_CHANGES

        horizon = float(self.time.horizon)
        count = sum(
            r.schedule.n_changes(horizon) for r in self.model.reactions if r.schedule is not None
        )
        if count > MAX_CHANGES:
            return [
                f"model.reactions: the schedules change the rates {count:,} times or more over "
                f"the horizon {self.time.horizon.text!r}; at most {MAX_CHANGES:,} (repeat less "
                "often, or use a shorter horizon)"
            ]
        return []

    # --- derived values ---------------------------------------------------------------------

    def parameter_values(self) -> dict[str, float]:
        """Every model parameter in per-second units, with the scenario's overrides applied."""
        values = {name: float(p.value) for name, p in self.model.parameters.items()}
        values.update({name: float(v) for name, v in self.parameters.items()})
        return values

    @property
    def acts(self) -> bool:
        """Whether something changes the run from outside: interventions or a handoff."""
        return bool(self.active_interventions) or self.handoff is not None

    @property
    def active_interventions(self) -> tuple[Any, ...]:
        """The interventions carried out (those not switched off with enabled = false)."""
        return tuple(iv for iv in self.interventions if iv.enabled)

    def intervention_times(self) -> list[float]:
        """Times in (0, horizon] at which an intervention starts, stops or strikes."""
        horizon = float(self.time.horizon)
        out = {v for iv in self.active_interventions for v in iv.window() if 0.0 < v <= horizon}
        if self.handoff is not None and float(self.handoff.at) <= horizon:
            out.add(float(self.handoff.at))
        return sorted(out)

    def schedule_times(self) -> list[float]:
        """Instants in (0, horizon) where a reaction's piecewise-constant factor may change."""
        horizon = float(self.time.horizon)
        out: set[float] = set()
        for r in self.model.reactions:
            if r.schedule is not None:
                out.update(r.schedule.changes(horizon))
        return sorted(out)

    def schedule_factors(self, t: float) -> list[float]:
        """Each reaction's schedule factor at time t (1 for a reaction without a schedule)."""
        return [
            1.0 if r.schedule is None else float(r.schedule.factor_at(t))
            for r in self.model.reactions
        ]

    @property
    def scheduled(self) -> bool:
        """Whether some reaction's rate varies in time."""
        return any(r.schedule is not None for r in self.model.reactions)

    @property
    def smoothly_scheduled(self) -> bool:
        """Whether some reaction's factor varies smoothly (a sinusoid), not in steps."""
        return any(
            r.schedule is not None and r.schedule.kind == "sinusoid" for r in self.model.reactions
        )

    def initial_vector(self) -> list[float]:
        """Initial counts in the model's compartment order (compartments not given start at 0).

        A scenario that describes people and gives no [initial] counts them by state.
        """
        if not self.initial and self.describes_people:
            from hyosan.scenario.agents import initial_counts

            return initial_counts(self)
        return [float(self.initial.get(c, 0.0)) for c in self.model.compartments]

    @property
    def features(self) -> frozenset[str]:
        """What this scenario asks of an engine; engines declare what they support."""
        feats = {"model"}
        if any(r.mixing == "frequency" for r in self.model.reactions):
            feats.add("model.frequency_mixing")
        for r in self.model.reactions:
            if r.schedule is not None:
                feats.add(f"model.schedule.{r.schedule.kind}")
        if self.culls:
            feats.add("culls")
            if any(c.reset_to_initial for c in self.culls):
                feats.add("culls.reset_to_initial")
        if self.thresholds:
            feats.add("thresholds")
        if self.world is not None:
            feats.add("world")
            if self.world.movement:
                feats.add("world.movement")
            if self.world.cross is not None:
                feats.add("world.cross")
        if self.record.events:
            feats.add("record.events")
        if self.handoff is not None:
            feats.add("handoff")
        for iv in self.active_interventions:
            feats.add("interventions." + ("curfew" if iv.kind == "martial_law" else iv.kind))
        # People in a building are detail that the reaction-network engines approximate by the
        # model's mean field (their [initial] is derived from the people): no feature is added,
        # so `--engine ode` runs a Hyosan High scenario as a well-mixed school.
        return frozenset(feats)

    @property
    def describes_people(self) -> bool:
        """True when the scenario places people in a building (the agents engine's input)."""
        return self.building is not None or self.people is not None or bool(self.characters)

    def evolve(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced.

        A table given replaces the whole table (`evolve(time={"horizon": "2d"})` leaves
        `time.output_every` to its default); to change one field deep inside, use
        `hyosan.load_scenario(scenario, ["time.horizon=2d"])`. Raises ScenarioError, naming
        each field, for a change that is not valid.
        """
        from pydantic import ValidationError

        from hyosan.errors import ScenarioError
        from hyosan.scenario.load import _problems_from, limit_problems, name_problems

        # (The engine's name is not checked here: an Engine subclass of the user's runs under
        # its own name; simulate and the command line refuse a name no engine has.)
        label = f"scenario {self.name!r} changed by evolve()"
        data = self.model_dump(mode="json", exclude_none=True)
        data.update(changes)
        # The checks parse_scenario makes besides validation, so that a copy saved with its
        # run loads again (a name with a newline, or of spaces only, was taken here and
        # refused by Result.load and `hyosan run` of the saved scenario.toml).
        too_big = limit_problems(data)
        if too_big:  # validating such data would recurse or overflow: stop here
            raise ScenarioError(label, too_big)
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(label, _problems_from(exc, {}, data)) from None
        # Names are looked for in the validated copy: a change may be a model object, whose
        # names the raw data do not show.
        problems = name_problems(scenario.model_dump(mode="json", exclude_none=True), {})
        if problems:
            raise ScenarioError(label, problems)
        return scenario

    def __repr__(self) -> str:
        # Short, as a notebook shows it: the whole model (a school's building is some 40,000
        # characters) is what `hyosan show` and model_dump() are for.
        return (
            f"<Scenario {self.name!r}: {self.engine} engine, model {self.model.name or 'own'}, "
            f"seed {self.seed}, horizon {self.time.horizon.text}, "
            f"{len(self.model.compartments)} compartments, features "
            f"{', '.join(sorted(self.features - {'model'})) or 'none'}>"
        )

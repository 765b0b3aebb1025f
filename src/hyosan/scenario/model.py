"""A compartmental model as data: compartments, reactions and named parameters with units.

A reaction is written as a chemical equation, `"S + Z -> 2 Z"`, with the name of the parameter
that sets its rate. Propensities are mass action: the rate constant times the product of the
reactant counts (counts, in the ode engine; falling factorials of counts, in the stochastic
ones). A reaction with `mixing = "frequency"` is divided by the living population N, the sum
of the compartments that count towards it (`in_population`), as in frequency-dependent SIR.

The `state` of a compartment maps it onto hyosan's vocabulary (human, bitten, zombie, hybrid,
removed, quarantined, safe), so that every model reports the same columns (`n_zombie`, ...).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, NoReturn, Protocol, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)

from hyosan.scenario.numbers import refuse_text_values
from hyosan.scenario.schedule import SineSchedule, StepSchedule, with_kind
from hyosan.scenario.units import RateField

__all__ = [
    "STATES",
    "Compartment",
    "FrozenDict",
    "ModelSpec",
    "Parameter",
    "Reaction",
    "ReadOnly",
    "parse_equation",
]

#: hyosan's vocabulary of states, in the order columns are written.
STATES: tuple[str, ...] = ("human", "bitten", "zombie", "hybrid", "removed", "quarantined", "safe")
State = Literal["human", "bitten", "zombie", "hybrid", "removed", "quarantined", "safe"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TERM_RE = re.compile(rf"^\s*(?:(?P<coef>\d+)\s*\*?\s*)?(?P<name>{_NAME})\s*$")


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes, so that a frozen scenario is frozen all the way down.

    A dict subclass (not MappingProxyType) so that it pickles and serialises as a dict.
    """

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a validated scenario cannot be changed; make a variant with evolve()")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))


K = TypeVar("K")
V = TypeVar("V")

#: A mapping field that is read-only once validated.
ReadOnly = Annotated[dict[K, V], AfterValidator(FrozenDict)]


class Frozen(BaseModel):
    """Base for scenario sections: unknown keys are errors, values never change, and a number
    or boolean written as text (`S = "500"`, `stop = "true"`) is an error rather than read as
    the value."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="wrap")
    @classmethod
    def _no_text_values(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        return refuse_text_values(cls, data, handler)


def _parse_side(side: str, equation: str) -> dict[str, int]:
    side = side.strip()
    if side in ("", "0", "∅"):
        return {}
    counts: dict[str, int] = {}
    for term in side.split("+"):
        m = _TERM_RE.match(term)
        if m is None:
            raise ValueError(
                f"cannot read {term.strip()!r} in {equation!r}; write terms like 'S', '2 Z' "
                "joined by '+', e.g. 'S + Z -> 2 Z'"
            )
        coef = int(m["coef"]) if m["coef"] else 1
        if coef == 0:
            continue
        counts[m["name"]] = counts.get(m["name"], 0) + coef
    return counts


def parse_equation(equation: str) -> tuple[dict[str, int], dict[str, int]]:
    """Split "S + Z -> 2 Z" into reactant and product counts ({S: 1, Z: 1}, {Z: 2})."""
    if equation.count("->") != 1:
        raise ValueError(f"{equation!r} needs exactly one '->', e.g. 'S + Z -> 2 Z' or 'Z ->'")
    left, right = equation.split("->")
    return _parse_side(left, equation), _parse_side(right, equation)


class Compartment(Frozen):
    """One compartment: its state in hyosan's vocabulary and whether it counts towards N."""

    state: State
    in_population: bool = True
    description: str = ""


class Parameter(Frozen):
    """A named rate with its unit and, where it has one, the paper's symbol."""

    value: RateField
    symbol: str = ""
    description: str = ""


class Reaction(Frozen):
    """One reaction: an equation, the parameter that sets its rate, and how it mixes.

    `schedule` multiplies the rate by a factor that varies in time: steps (`at`, `factor`,
    optionally `repeat`) or a sinusoid (`kind = "sinusoid"`, `mean`, `amplitude`, `period`,
    `peak`); the tables below give their keys.
    """

    name: str = Field(min_length=1)
    equation: str
    rate: str = Field(description="the name of a parameter of the model")
    mixing: Literal["mass-action", "frequency"] = "mass-action"
    schedule: StepSchedule | SineSchedule | None = Field(
        default=None,
        discriminator="kind",
        description="a factor on the rate that varies in time (steps or a sinusoid)",
    )

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule_kind(cls, value: object) -> object:
        return with_kind(value)

    @field_validator("equation")
    @classmethod
    def _equation_parses(cls, value: str) -> str:
        reactants, products = parse_equation(value)
        if not reactants and not products:
            raise ValueError(f"{value!r} changes nothing; a reaction needs reactants or products")
        return value

    @property
    def reactants(self) -> dict[str, int]:
        """The left-hand side of the reaction: compartment → count."""
        return parse_equation(self.equation)[0]

    @property
    def products(self) -> dict[str, int]:
        """The right-hand side of the reaction: compartment → count."""
        return parse_equation(self.equation)[1]


def _parameter(value: object) -> object:
    # A parameter may be written as just its value: bite_rate = "0.0095/day".
    return {"value": value} if not isinstance(value, dict) else value


_Named = TypeVar("_Named", bound="HasName")


class HasName(Protocol):
    """Anything with a name."""

    @property
    def name(self) -> str: ...


def distinct_names(items: tuple[_Named, ...], what: str) -> tuple[_Named, ...]:
    """`items`, checked to have names that differ (ValueError naming the second of a pair)."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.name in seen:
            raise ValueError(f"[{i}].name: {item.name!r} names two {what}; names must differ")
        seen.add(item.name)
    return items


class ModelSpec(Frozen):
    """A whole compartmental model. Built-in models are files of this shape."""

    name: str = ""
    description: str = ""
    reference: str = ""
    compartments: ReadOnly[str, Compartment] = Field(min_length=1)
    parameters: ReadOnly[str, Parameter] = Field(default_factory=dict)
    reactions: tuple[Reaction, ...] = Field(min_length=1)

    @field_validator("compartments", mode="before")
    @classmethod
    def _short_compartments(cls, value: object) -> object:
        # A compartment may be written as just its state: S = "human".
        if isinstance(value, dict):
            return {k: ({"state": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _short_parameters(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _parameter(v) for k, v in value.items()}
        return value

    @field_validator("reactions")
    @classmethod
    def _distinct_reactions(cls, value: tuple[Reaction, ...]) -> tuple[Reaction, ...]:
        # Each reaction's counts are a column named after it (incidence.parquet's new_NAME):
        # two of one name would leave one column, and one reaction's counts lost.
        return distinct_names(value, "reactions")

    @field_validator("compartments")
    @classmethod
    def _names(cls, value: dict[str, Compartment]) -> dict[str, Compartment]:
        for name in value:
            if not re.fullmatch(_NAME, name):
                raise ValueError(
                    f"compartment name {name!r} must be a letter then letters, digits or _"
                )
        return value

    @model_validator(mode="after")
    def _references(self) -> ModelSpec:
        problems = []
        for i, r in enumerate(self.reactions):
            for name in {**r.reactants, **r.products}:
                if name not in self.compartments:
                    problems.append(
                        f"reactions[{i}] ({r.name}): unknown compartment {name!r} in "
                        f"{r.equation!r}; the model has {', '.join(self.compartments)}"
                    )
            if r.rate not in self.parameters:
                problems.append(
                    f"reactions[{i}] ({r.name}): unknown parameter {r.rate!r}; the model has "
                    f"{', '.join(self.parameters) or 'no parameters'}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def states_present(self) -> list[str]:
        """hyosan states that at least one compartment maps to, in vocabulary order."""
        used = {c.state for c in self.compartments.values()}
        return [s for s in STATES if s in used]

"""The `[[interventions]]` sections: what the authorities do, declared once for every engine.

Each intervention acts in an area (every place when `area` is left out) from `start` until
`end` (for ever when left out), or at one instant `at`:

```toml
[[interventions]]
kind = "cordon"                 # quarantine: movement across the area's edge stops
area = { around = "Hyosan", hops = 2 }
start = "1d"
leak = 0.05                     # the share of that movement that still gets through

[[interventions]]
kind = "strike"                 # everyone in the area dies at `at`
area = { places = ["Hyosan"] }
at = "3.5d"
```

The kinds, and what each does on a graph of places (the ssa and tau engines):

- `cordon`: edges with one end inside the area carry `leak` × their weight (movement and
  cross-edge reactions).
- `curfew` (or `martial_law`): the movement of `compartments` (default: humans, the bitten and
  hybrids) in the area is multiplied by `movement`.
- `sweep`: soldiers destroy each zombie in the area at rate `kill` (they join `to`, default
  the model's first removed compartment); for each zombie destroyed, `bite_risk` soldiers on
  average are bitten and join `soldiers_to` (default: the model's first bitten compartment,
  else its first zombie one). Soldiers come from outside, so a sweep adds people. With
  `compartments` a sweep hunts others than zombies (an intelligence team taking hybrids).

Any intervention with `enabled = false` is declared but not carried out: a scenario can ship
the government's timeline and a user turns it on with `--set interventions[0].enabled=true`.
- `lure`: zombies in the area also walk, at rate `speed` per step, along a shortest path
  toward the place `toward` (the army's sound drones, the school's PA).
- `strike`: at `at`, everyone in the area is killed and joins `to` (default: the model's first
  removed compartment; with none, they leave the model). The run reports how many were hit and
  how many of them were not zombies.
- `evacuate`: people of `compartments` in the area walk toward the `camp` at rate `speed` per
  step; at the camp each is screened at rate `screening`. Humans join `safe`; a bitten person
  is caught with probability `catch_bitten`, a hybrid with `catch_hybrid` (a temperature check
  misses most of them), and joins `caught_to`; one not caught gets in and joins `safe` too.
  In a building (the agents engine) the troops come to the area's rooms instead: from `start`
  to `end`, once a minute, each human or bitten person there is taken out at rate `speed`
  (up to `capacity` in all, for a helicopter); the check catches the bitten with
  `catch_bitten` and they are left behind. Those taken are `safe`; hybrids keep away. With
  `signal`, they come only to rooms where people who know of the outbreak have been for at
  least that long (an SOS sign on the roof): a helicopter passes rooms that show none.
- `cure`: from `start`, zombies in the area are cured at rate `rate` and join `to` (default: the
  model's first human compartment).
- `travel`: people of `compartments` at `origin` travel to `destination` (any place, not only a
  neighbour) at `rate` each: flights, or the virus abroad.

Munz's impulsive culls are the `[[culls]]` sections, which every population engine carries out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hyosan.display import listed
from hyosan.scenario.model import Frozen, ModelSpec
from hyosan.scenario.units import DurationField, RateField

__all__ = [
    "AREA_KINDS",
    "Area",
    "Cordon",
    "Cure",
    "Curfew",
    "Evacuate",
    "Intervention",
    "Lure",
    "PlaceRef",
    "Strike",
    "Sweep",
    "Targets",
    "Travel",
    "intervention_problems",
    "place_references",
    "targets",
]

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Multiplier = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
#: A place: a place number, [row, col] on a grid, "center", or a region or landmark name.
PlaceRef = str | int | tuple[int, int]

#: Kinds that need a world of places (or a building) to act on.
AREA_KINDS = frozenset({"cordon", "curfew", "lure", "strike", "evacuate", "travel"})


class Area(Frozen):
    """Places: a list, or every place within `hops` edges (or `radius` cells) of one place."""

    places: tuple[PlaceRef, ...] = ()
    around: PlaceRef | None = None
    hops: Annotated[int, Field(ge=0, le=100_000)] | None = None
    radius: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None, description="cells, on a lattice or grid (distance between cell centres)"
    )

    @model_validator(mode="after")
    def _one_way(self) -> Area:
        if bool(self.places) == (self.around is not None):
            raise ValueError(
                "give places = [...] or around = PLACE (with hops = N or radius = R), e.g. "
                'area = { around = "Hyosan", hops = 2 }'
            )
        if self.around is not None and (self.hops is None) == (self.radius is None):
            raise ValueError("around needs one of hops = N (edges) or radius = R (grid cells)")
        return self


class _Window(Frozen):
    """Fields shared by interventions that last a while."""

    name: str = ""
    enabled: bool = Field(default=True, description="false: declared but not carried out")
    area: Area | None = Field(default=None, description="where; every place when left out")
    start: DurationField | None = Field(default=None, description="from when; default 0")
    end: DurationField | None = Field(default=None, description="until when; default for ever")

    @model_validator(mode="after")
    def _times(self) -> _Window:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end.text!r} must come after start {self.start.text!r}")
        return self

    def window(self) -> tuple[float, float]:
        """(start, end) in seconds; end is infinite when not given."""
        return (
            float(self.start) if self.start is not None else 0.0,
            float(self.end) if self.end is not None else float("inf"),
        )


class Cordon(_Window):
    """Movement and contact across the area's edge stop, but for a share `leak`."""

    kind: Literal["cordon"]
    area: Area
    leak: Fraction = 0.0


class Curfew(_Window):
    """The movement of `compartments` (default: humans, the bitten, hybrids) in the area is
    multiplied by `movement` (a curfew, or martial law)."""

    kind: Literal["curfew", "martial_law"]
    movement: Multiplier = 0.1
    compartments: tuple[str, ...] = ()


class Sweep(_Window):
    """Soldiers destroy zombies in the area at rate `kill`; `bite_risk` soldiers on average
    are bitten per zombie destroyed."""

    kind: Literal["sweep"]
    kill: RateField
    bite_risk: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 0.0
    soldiers_to: str | None = None
    compartments: tuple[str, ...] = ()
    to: str | None = None


class Lure(_Window):
    """Zombies in the area also walk toward the place `toward` at `speed` (a sound drone)."""

    kind: Literal["lure"]
    toward: PlaceRef
    speed: RateField
    compartments: tuple[str, ...] = ()


class Strike(Frozen):
    """At `at`, everyone alive in the area is killed (and joins `to`)."""

    kind: Literal["strike"]
    name: str = ""
    enabled: bool = True
    area: Area
    at: DurationField
    to: str | None = None
    note: str = Field(default="", description="shown beside the tally, e.g. the show's figures")

    def window(self) -> tuple[float, float]:
        """(at, at): a strike lasts no time."""
        return float(self.at), float(self.at)


class Evacuate(_Window):
    """People in the area walk to the `camp` at `speed`, where screening lets humans in and
    catches the bitten and hybrids."""

    kind: Literal["evacuate"]
    camp: PlaceRef
    speed: RateField
    screening: RateField
    catch_bitten: Fraction = 0.9
    catch_hybrid: Fraction = 0.2
    compartments: tuple[str, ...] = ()
    safe: str | None = None
    caught_to: str | None = None
    capacity: Annotated[int, Field(ge=1, le=10**9)] | None = Field(
        default=None,
        description="in a building: at most this many people taken in all (a helicopter)",
    )
    signal: DurationField | None = Field(
        default=None,
        description=(
            "in a building: the troops come only to rooms whose people have held them at least "
            "this long (an SOS on the roof, seen from the air); none: to every room of the area"
        ),
    )


class Cure(_Window):
    """The infected of `compartments` in the area are cured at `rate` (joining `to`)."""

    kind: Literal["cure"]
    rate: RateField
    compartments: tuple[str, ...] = ()
    to: str | None = None


class Travel(_Window):
    """People travel from one place to another at `rate`."""

    kind: Literal["travel"]
    origin: PlaceRef
    destination: PlaceRef
    rate: RateField
    compartments: tuple[str, ...] = ()


Intervention = Annotated[
    Cordon | Curfew | Sweep | Lure | Strike | Evacuate | Cure | Travel,
    Field(discriminator="kind"),
]


class Targets(Frozen):
    """An intervention's compartments once the model's defaults are filled in.

    `moved` are the compartments it moves, slows, destroys or cures; `to` where what it
    removes goes (None: out of the model); `safe` and `caught` the camp's outcomes.
    """

    moved: tuple[str, ...] = ()
    to: str | None = None
    safe: str | None = None
    caught: str | None = None
    bitten: tuple[str, ...] = ()
    hybrid: tuple[str, ...] = ()


def _of_state(model: ModelSpec, *states: str) -> list[str]:
    return [n for n, c in model.compartments.items() if c.state in states]


def _first(model: ModelSpec, *states: str) -> str | None:
    for state in states:
        found = _of_state(model, state)
        if found:
            return found[0]
    return None


def targets(
    iv: Cordon | Curfew | Sweep | Lure | Strike | Evacuate | Cure | Travel, model: ModelSpec
) -> Targets:
    """The compartments `iv` acts on in `model`; ValueError naming a default the model lacks."""
    walkers = ("human", "bitten", "hybrid")
    given = tuple(getattr(iv, "compartments", ()))
    if isinstance(iv, Cordon):
        return Targets()
    if isinstance(iv, Curfew | Travel):
        return Targets(moved=given or tuple(_of_state(model, *walkers)))
    if isinstance(iv, Lure):
        return Targets(moved=given or tuple(_of_state(model, "zombie")))
    if isinstance(iv, Sweep):
        return Targets(
            moved=given or tuple(_of_state(model, "zombie")),
            to=iv.to or _first(model, "removed"),
            safe=iv.soldiers_to or _first(model, "bitten", "zombie"),
        )
    if isinstance(iv, Strike):
        return Targets(to=iv.to or _first(model, "removed"))
    if isinstance(iv, Cure):
        to = iv.to or _first(model, "human")
        if to is None:
            raise ValueError("to: the model has no human compartment for the cured; name one")
        return Targets(moved=given or tuple(_of_state(model, "zombie")), to=to)
    safe = iv.safe or _first(model, "safe")
    if safe is None:
        raise ValueError(
            'safe: the model has no compartment of state "safe" for people screened at the '
            'camp; add one (e.g. C = "safe") or name one with safe = "..."'
        )
    moved = given or tuple(_of_state(model, *walkers))
    states = {n: model.compartments[n].state for n in moved if n in model.compartments}
    return Targets(
        moved=moved,
        safe=safe,
        caught=iv.caught_to or _first(model, "quarantined", "removed"),
        bitten=tuple(n for n, s in states.items() if s == "bitten"),
        hybrid=tuple(n for n, s in states.items() if s == "hybrid"),
    )


def intervention_problems(
    interventions: tuple[Cordon | Curfew | Sweep | Lure | Strike | Evacuate | Cure | Travel, ...],
    model: ModelSpec,
    spatial: bool,
) -> list[str]:
    """Problems with the interventions of a scenario, each naming its field."""
    problems = []
    comps = model.compartments
    for i, iv in enumerate(interventions):
        where = f"interventions[{i}]"
        try:
            t = targets(iv, model)
        except ValueError as exc:
            problems.append(f"{where}.{exc}")
            continue
        named = [("compartments", c) for c in getattr(iv, "compartments", ())]
        for field in ("to", "soldiers_to", "safe", "caught_to"):
            value = getattr(iv, field, None)
            if value is not None:
                named.append((field, value))
        problems += [
            f"{where}.{field}: no compartment {c!r} (the model has {', '.join(comps)})"
            for field, c in named
            if c not in comps
        ]
        problems += _wrong_states(iv, where, comps)
        if not isinstance(iv, Cordon | Strike) and not t.moved:
            problems.append(
                f"{where}: the {iv.kind} acts on nobody; the model has no compartment of the "
                "states it moves; list them with compartments = [...]"
            )
        if iv.kind in AREA_KINDS and not spatial:
            problems.append(
                f"{where}: a {iv.kind} acts on places; this scenario has one well-mixed place "
                "(add a [world] of places)"
            )
        if iv.kind not in AREA_KINDS and iv.area is not None and not spatial:
            problems.append(f"{where}.area: this scenario has one well-mixed place; remove area")
    return problems


def place_references(
    interventions: tuple[Cordon | Curfew | Sweep | Lure | Strike | Evacuate | Cure | Travel, ...],
    in_building: bool,
    more: list[tuple[str, PlaceRef]] | None = None,
) -> list[tuple[str, str, None]]:
    """(field, name) of each place the interventions (and `more`, (field, place) pairs such as
    a handoff's) name, as the engines look them up.

    "center", place numbers and cells are left out: only a name can be checked before the
    world is built. In a building the engine reads only areas and a lure's room (a camp,
    origin or destination is a place of a city).
    """
    fields = ("toward",) if in_building else ("toward", "camp", "origin", "destination")
    refs: list[tuple[str, PlaceRef]] = list(more or ())
    for i, iv in enumerate(interventions):
        where = f"interventions[{i}]"
        if iv.area is not None:
            refs += [(f"{where}.area.places[{j}]", p) for j, p in enumerate(iv.area.places)]
            if iv.area.around is not None:
                refs.append((f"{where}.area.around", iv.area.around))
        refs += [(f"{where}.{f}", getattr(iv, f)) for f in fields if hasattr(iv, f)]
    return [(path, ref, None) for path, ref in refs if isinstance(ref, str) and ref != "center"]


_INFECTED = ("bitten", "zombie", "hybrid")
_WELL = ("human", "safe")

#: For each kind, the fields naming where people go and the states that make no sense there,
#: with what those people are: the cured as zombies, the destroyed as humans.
_WRONG_STATES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "cure": {"to": (_INFECTED, "the cured")},
    "evacuate": {
        "safe": (_INFECTED, "people screened into safety"),
        "caught_to": (_WELL, "the infected caught at the camp"),
    },
    "sweep": {
        "to": (_WELL, "the zombies destroyed"),
        "soldiers_to": (_WELL, "the soldiers bitten"),
    },
    "strike": {"to": (_WELL, "the people killed")},
}


def _wrong_states(iv: Any, where: str, comps: Mapping[str, Any]) -> list[str]:
    """A destination whose state contradicts what its people are (a cure `to` a zombie
    compartment leaves the cured as zombies)."""
    problems = []
    for field, (wrong, who) in _WRONG_STATES.get(iv.kind, {}).items():
        name = getattr(iv, field, None)
        state = comps[name].state if name is not None and name in comps else None
        if state in wrong:
            shown = listed([repr(w) for w in wrong], "or")
            problems.append(
                f"{where}.{field}: {who} would join {name!r}, whose state is {state!r}; "
                f"name a compartment whose state is not {shown}"
            )
    return problems

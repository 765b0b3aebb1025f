"""Scenario sections of the agents engine: the building, its people, the virus and behaviour.

A scenario that describes people (``[people]``, ``[[characters]]``) inside a ``[building]`` is
simulated person by person by the agents engine. Every rule's numbers live here, with the
defaults of docs/show.md; nothing in the engine is keyed to a character's name.

Lengths are in metres, areas in square metres, speeds in metres per second and traits between
0 and 1; durations and rates carry their units as everywhere else ("90s", "0.05/min").
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from hyosan.display import counted
from hyosan.scenario.model import Frozen, ReadOnly
from hyosan.scenario.names import KnownNames, did_you_mean, unknown_names
from hyosan.scenario.units import DurationField, RateField, parse_duration, parse_rate

__all__ = [
    "TRAITS",
    "AgentsOptions",
    "Behaviour",
    "Building",
    "Character",
    "Door",
    "People",
    "Room",
    "Virus",
    "Zombies",
    "builtin_building",
    "builtin_building_names",
    "builtin_room_names",
    "known_rooms",
]

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Metres = Annotated[float, Field(ge=-1e5, le=1e5, allow_inf_nan=False)]

#: The traits every person has, in the order the engine stores them. `speed` is a running speed
#: in m/s; the others lie between 0 and 1. `drive` is an intense motive (hatred, despair) that
#: the show's theory links to becoming a hybrid.
TRAITS: tuple[str, ...] = (
    "speed",
    "strength",
    "courage",
    "altruism",
    "selfishness",
    "resourcefulness",
    "weapon",
    "drive",
)

RoomKind = Literal[
    "classroom",
    "lab",
    "office",
    "bathroom",
    "closet",
    "hall",
    "library",
    "corridor",
    "stairs",
    "roof",
    "outside",
    "exit",
]
#: Kinds of room people pass through rather than hold: no barricade is built in them.
TRANSIT_KINDS = frozenset({"corridor", "stairs", "outside"})


def _d(text: str) -> Any:
    return parse_duration(text)


def _r(text: str) -> Any:
    return parse_rate(text)


# --- the building --------------------------------------------------------------------------------


class Room(Frozen):
    """A place: a room, a corridor segment, a stairwell, the roof, an outside area or an exit."""

    name: str = Field(min_length=1, max_length=80)
    kind: RoomKind
    floor: Annotated[int, Field(ge=-5, le=200)] = 1
    x: Metres = 0.0
    y: Metres = 0.0
    area: Annotated[float, Field(gt=0, le=1e7)] = 60.0
    capacity: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None,
        description="people it holds (nobody more walks or flees in, unless it is a corridor, "
        "stairs or an exit); default one per 1.5 m² of area",
    )
    speaker: bool = Field(default=False, description="a PA loudspeaker is here")
    pa: bool = Field(default=False, description="the PA console is here")
    toilet: bool = False
    supplies: NonNegative = Field(default=0.0, description="person-hours of water and food")
    hiding: Fraction = Field(default=0.0, description="chance a quiet person here goes unnoticed")
    flesh: bool = Field(default=False, description="animal flesh that eases a hybrid's hunger")

    @property
    def holds(self) -> int:
        """How many people fit (the capacity, or one per 1.5 m²)."""
        return self.capacity if self.capacity is not None else max(1, int(self.area / 1.5))


DoorKind = Literal["door", "opening", "stairs", "window", "hose", "gate"]


class Door(Frozen):
    """A passage between two places, with its length in metres.

    Doors can be barricaded; windows and hoses carry people only (zombies do not climb), and a
    one-way passage leads only from the first place named to the second.
    """

    between: tuple[str, str]
    kind: DoorKind = "door"
    length: Annotated[float, Field(gt=0, le=1e5)] = 4.0
    barricade: bool | None = Field(default=None, description="default: true for doors")
    zombies: bool | None = Field(default=None, description="default: false for windows, hoses")
    one_way: bool = False

    @property
    def can_barricade(self) -> bool:
        """Whether people can barricade this passage (by default: doors only)."""
        return self.barricade if self.barricade is not None else self.kind == "door"

    @property
    def zombies_pass(self) -> bool:
        """Whether zombies can go through (by default: all but windows and hoses)."""
        return self.zombies if self.zombies is not None else self.kind not in ("window", "hose")


def _list_names(names: list[str], limit: int = 40) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class Building(Frozen):
    """A floor plan as a graph: places and the passages between them."""

    name: str = ""
    description: str = ""
    storey_height: Positive = Field(default=4.0, description="metres between floors")
    rooms: tuple[Room, ...] = Field(min_length=1, max_length=100_000)
    doors: tuple[Door, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Building:
        problems: list[str] = []
        names = [r.name for r in self.rooms]
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                problems.append(f"rooms[{i}].name: {name!r} names two rooms; names must differ")
            seen.add(name)
        for i, door in enumerate(self.doors):
            a, b = door.between
            if a == b:
                problems.append(f"doors[{i}].between: door {a!r} – {b!r} leads nowhere")
            for end in (a, b):
                if end not in seen:
                    guess = did_you_mean(end, names)
                    problems.append(
                        f"doors[{i}].between: door {a!r} – {b!r} names no room {end!r}; "
                        f"the rooms are {_list_names(names)}" + (f"; {guess}" if guess else "")
                    )
        if not any(r.kind != "exit" for r in self.rooms):
            problems.append("rooms: every place is an exit; a building needs somewhere to be")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def room_names(self) -> list[str]:
        """Names of the places, in file order."""
        return [r.name for r in self.rooms]


# --- people --------------------------------------------------------------------------------------


#: The fastest anyone runs, m/s (a sprinter's 10 to 12, with room to spare).
FASTEST = 15.0
#: Where a speed drawn from a distribution is clipped when `low` is not given, m/s: a shuffle.
SLOWEST = 0.5


def trait_limits(name: str) -> tuple[float, float]:
    """The range a trait's values lie in: speed above 0 and at most FASTEST m/s, the rest 0
    to 1 (speed's 0 is excluded: a time to cross a room is its length over the speed)."""
    return (0.0, FASTEST) if name == "speed" else (0.0, 1.0)


class TraitDist(Frozen):
    """A trait drawn per person: normal with `mean` and `sd`, clipped to [low, high]
    (by default the trait's whole range: 0 to 1, or 0.5 to 15 m/s for speed)."""

    mean: float = Field(allow_inf_nan=False)
    sd: NonNegative = 0.0
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    def bounds(self, name: str) -> tuple[float, float]:
        """[low, high] for the trait `name`, the trait's defaults filling what is not given."""
        lo, hi = trait_limits(name)
        if name == "speed":
            lo = SLOWEST
        return (lo if self.low is None else self.low, hi if self.high is None else self.high)

    def problems(self, name: str) -> list[str]:
        """What is wrong with this distribution for the trait `name`."""
        lo, hi = trait_limits(name)
        low, high = self.bounds(name)
        unit = " m/s" if name == "speed" else ""
        found = []
        if (name == "speed" and low <= 0.0) or low < lo or high > hi:
            found.append(
                f"{name}: low {low:g} and high {high:g} must lie "
                + (f"above 0 and at most {hi:g}{unit}" if name == "speed" else "from 0 to 1")
            )
        elif low > high:
            found.append(f"{name}: low {low:g} is above high {high:g}")
        elif not low <= self.mean <= high:
            found.append(
                f"{name}: mean {self.mean:g} is outside low {low:g} to high {high:g}{unit} "
                "(everyone would get the nearer bound)"
            )
        return found


def _trait(mean: float, sd: float, low: float = 0.0, high: float = 1.0) -> TraitDist:
    return TraitDist(mean=mean, sd=sd, low=low, high=high)


class Traits(Frozen):
    """How each trait is spread over ordinary people (docs/show.md for speed)."""

    speed: TraitDist = _trait(4.5, 0.45, 2.5, 7.0)
    strength: TraitDist = _trait(0.5, 0.15)
    courage: TraitDist = _trait(0.4, 0.2)
    altruism: TraitDist = _trait(0.45, 0.2)
    selfishness: TraitDist = _trait(0.35, 0.2)
    resourcefulness: TraitDist = _trait(0.4, 0.2)
    weapon: TraitDist = _trait(0.05, 0.05)
    drive: TraitDist = _trait(0.2, 0.15)

    @model_validator(mode="after")
    def _ranges(self) -> Traits:
        problems = [m for name in TRAITS for m in getattr(self, name).problems(name)]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Group(Frozen):
    """People placed in rooms at the start: `per_room` in each of `rooms`, or `count` spread
    over them. With `classes = true` the people of each room are one class (friends who group
    up); named characters whose `group` is that room count towards its `per_room`."""

    name: str = Field(min_length=1)
    role: Literal["student", "staff"] = "student"
    rooms: tuple[str, ...] = Field(min_length=1)
    per_room: Annotated[int, Field(ge=0, le=100_000)] | None = None
    count: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    classes: bool = True
    aware: bool = Field(default=False, description="they know of the outbreak at the start")
    traits: ReadOnly[str, TraitDist] = Field(
        default_factory=dict, description="trait distributions that differ for this group"
    )

    @model_validator(mode="after")
    def _size(self) -> Group:
        if (self.per_room is None) == (self.count is None):
            raise ValueError("give exactly one of per_room = ... or count = ...")
        unknown = [t for t in self.traits if t not in TRAITS]
        if unknown:
            raise ValueError(
                f"traits: unknown trait {unknown[0]!r}; traits are {', '.join(TRAITS)}"
            )
        problems = [m for name, dist in self.traits.items() for m in dist.problems(name)]
        if problems:
            raise ValueError("traits: " + "; ".join(problems))
        return self


class People(Frozen):
    """Everyone in the building at the start, apart from the named characters."""

    traits: Traits = Field(default_factory=Traits)
    groups: tuple[Group, ...] = ()


class Infection(Frozen):
    """An infection a character carries at the start: its route and, if known, when they turn."""

    route: Literal["bite", "neck", "blood", "hamster"] = "bite"
    turns_in: DurationField | None = Field(
        default=None, description="time to turning; default drawn from the route's distribution"
    )
    hybrid: bool = False


class Character(Frozen):
    """A named person with their own traits, group and starting room."""

    name: str = Field(min_length=1, max_length=80)
    role: Literal["student", "staff"] = "student"
    group: str | None = Field(default=None, description="their class or group (a room name)")
    room: str
    traits: ReadOnly[str, float] = Field(default_factory=dict)
    infected: Infection | None = None
    aware: bool = Field(default=False, description="knows of the outbreak at the start")
    note: str = ""

    @field_validator("traits")
    @classmethod
    def _known_traits(cls, value: dict[str, float]) -> dict[str, float]:
        for k, v in value.items():
            if k not in TRAITS:
                raise ValueError(f"unknown trait {k!r}; traits are {', '.join(TRAITS)}")
            lo, hi = trait_limits(k)
            if k == "speed" and not 0.0 < v <= hi:
                raise ValueError(f"speed = {v} must be above 0 and at most {hi:g} (m/s)")
            if not lo <= v <= hi:
                raise ValueError(f"{k} = {v} is outside {lo:g} to {hi:g}")
        return value


# --- the virus and the zombies -------------------------------------------------------------------


class Virus(Frozen):
    """Bite to turn: lognormal delays by route, bite severity, hybrids (docs/show.md)."""

    turn_median: DurationField = _d("90s")
    turn_sigma: Annotated[float, Field(ge=0, le=5)] = 1.2
    blood_median: DurationField = _d("30min")
    blood_sigma: Annotated[float, Field(ge=0, le=5)] = 1.1
    hamster_median: DurationField = _d("48h")
    hamster_sigma: Annotated[float, Field(ge=0, le=5)] = 0.35
    p_neck: Fraction = Field(default=0.3, description="share of bites to the neck or face")
    p_torso: Fraction = 0.3
    neck_factor: Positive = 0.3
    torso_factor: Positive = 0.7
    many_bites: Annotated[int, Field(ge=2, le=100)] = 3
    many_bites_factor: Positive = 0.5
    p_mauled: Fraction = Field(default=0.03, description="chance an attack kills outright")
    p_hybrid: Fraction = 0.002
    hybrid_factor: Annotated[float, Field(ge=1, le=1000)] = 10.0
    drive_for_hybrid: Fraction = Field(default=0.8, description="drive at which hybrid odds rise")
    p_hybrid_from_hybrid: Fraction = 0.33
    hybrid_delay: DurationField = _d("6h")

    @model_validator(mode="after")
    def _shares(self) -> Virus:
        if self.p_neck + self.p_torso > 1:
            raise ValueError("p_neck + p_torso is more than 1")
        # Delays are lognormal: a median of 0 has no logarithm (the run warned and lost R_t).
        zero = [
            k for k in ("turn_median", "blood_median", "hamster_median") if getattr(self, k) <= 0
        ]
        if zero:
            raise ValueError(f'{zero[0]}: a median delay must be more than 0 (e.g. "1s")')
        return self


class Zombies(Frozen):
    """How zombies move, sense and attack (docs/show.md)."""

    speed: Positive = Field(default=5.0, description="m/s, tireless")
    strength_factor: Positive = Field(default=1.5, description="zombie strength / host strength")
    hear_talk: NonNegative = Field(default=12.0, description="m at which talking is heard")
    hear_loud: NonNegative = Field(default=60.0, description="m: screams, fights, shouts")
    pa_radius: NonNegative = Field(default=1000.0, description="m: the PA fills the building")
    floor_loss: NonNegative = Field(
        default=25.0, description="m of hearing lost per floor between a sound and its hearer"
    )
    p_notice_quiet: Fraction = Field(
        default=0.008, description="per step: chance of noticing quiet people behind a door"
    )
    attention: DurationField = Field(default=_d("90s"), description="how long a lead is chased")
    sound_duration: DurationField = _d("45s")
    wander_rate: RateField = _r("0.5/min")
    hear_class: RateField = Field(
        default=_r("1/min"),
        description="a zombie next door hears a class that does not know yet, through its door",
    )
    dark_sight: Fraction = Field(
        default=0.3, description="in the dark, the chance of noticing the quiet is times this"
    )
    shut_factor: Fraction = Field(
        default=0.2,
        description="behind a shut door that is not barricaded (no noise of furniture), the "
        "chance of noticing the quiet is times this",
    )
    interest: DurationField = Field(
        default=_d("30min"),
        description="after this long with nothing to chase, a zombie no longer notices the quiet",
    )
    catch_speed: Positive = Field(
        default=1.0, description="m/s of closing speed per sqrt(m²) of room area"
    )
    bite_time: DurationField = Field(default=_d("4s"), description="time spent on one victim")


# --- behaviour -----------------------------------------------------------------------------------


class Barricades(Frozen):
    """Desks and chairs at doors: built in `build_time`, they hold `pushers` zombies for
    `hold_time`, then break; unpushed, they are repaired."""

    enabled: bool = True
    build_time: DurationField = _d("60s")
    hold_time: DurationField = _d("180s")
    pushers: Annotated[float, Field(gt=0, le=1000)] = 5.0
    repair_rate: Positive = Field(default=0.5, description="seconds of hold restored per second")
    max_hold: DurationField = _d("20min")
    retreat_at: DurationField = Field(
        default=_d("0s"),
        description="when a pushed barricade has this much hold left, the group leaves by "
        "another way (a window, a hose, a door nobody pushes) for the nearest room to hold "
        "free of zombies, if it has one; 0: it stays to the end",
    )


class Fighting(Frozen):
    """Fighting back when cornered or skilled; archers shoot before contact."""

    enabled: bool = True
    courage: Fraction = Field(default=0.75, description="courage at which people fight")
    kill_unarmed: Fraction = 0.06
    kill_armed: Fraction = 0.5
    cornered_bonus: Fraction = 0.1
    archer_skill: Fraction = 0.7
    shot_rate: RateField = _r("0.15/s")
    p_headshot: Fraction = 0.6


class Rescue(Frozen):
    """Stepping in when someone else is attacked (altruism and courage)."""

    enabled: bool = True
    threshold: Fraction = Field(default=0.6, description="mean of altruism and courage needed")
    p_step_in: Fraction = 0.6


class Selfishness(Frozen):
    """Abandoning and sacrificing others: refusing entry to a held room, pushing another into
    a zombie's way."""

    enabled: bool = True
    refuse_threshold: Fraction = Field(default=0.6, description="selfishness that bars the door")
    crowd_forces: float = Field(
        default=3.0,
        ge=0.0,
        description=(
            "a crowd at a refused door this many times the people behind it forces the "
            "barricade (0: never)"
        ),
    )
    shove_threshold: Fraction = 0.7
    p_shove: Fraction = 0.5


class Sacrifice(Frozen):
    """The bitten who know what is coming lead the horde away from their group."""

    enabled: bool = True
    altruism: Fraction = 0.7
    courage: Fraction = 0.5


class Lure(Frozen):
    """Noise made on purpose: the PA from its console pulls zombies to the speakers; with
    `phones`, a group about to set off past zombies sets a phone ringing off its way."""

    enabled: bool = True
    resourcefulness: Fraction = 0.8
    duration: DurationField = _d("3min")
    cooldown: DurationField = _d("2h")
    phones: bool = Field(
        default=False,
        description=(
            "a group about to leave for water, food or a toilet, with zombies next door and "
            "a leader of `resourcefulness`, first sets a phone ringing in a room beside its "
            "way (a scream's reach, for `duration`) and waits while it draws them"
        ),
    )


class Grouping(Frozen):
    """Friends and classmates join up when it is calm."""

    enabled: bool = True
    rate: RateField = _r("2/h")


class Exits(Frozen):
    """Heading for exits and the roof once the building is lost."""

    enabled: bool = True
    rate: RateField = Field(
        default=_r("0.05/h"), description="per calm room, decided by its most resourceful"
    )
    courage: Fraction = Field(default=0.5, description="courage that doubles the rate")
    crowd: NonNegative = Field(
        default=0.0,
        description="people above which a room is restless: its rate is times its people "
        "over this, and times how little its leader hushes it (noise.hush), when that is more "
        "than 1 (a crowded class makes a run for it); 0: the same rate whatever the number",
    )
    careful: bool = Field(
        default=False,
        description="people leave a room they hold for any place but an exit only while no "
        "zombie is beside the room they step into (they wait for the corridor to clear), unless "
        "its barricade is failing; a run for the exits is not careful",
    )
    split: Fraction = Field(
        default=0.0,
        description="courage below which people stay behind, hiding, when a leader with this "
        "courage or more takes their room calmly for an exit (the group splits: the bold go, "
        "the timid keep the room and no longer follow their group's leader until they meet "
        "again; a leader as timid takes everyone); 0: everyone goes",
    )


class Supplies(Frozen):
    """Water, food and a toilet: running short forces a group to move."""

    enabled: bool = True
    tolerance: DurationField = Field(default=_d("30h"), description="without water and food")
    toilet_tolerance: DurationField = _d("16h")
    makeshift_toilet: Fraction = Field(
        default=0.8, description="resourcefulness at which someone rigs a toilet"
    )
    carried: NonNegative = Field(default=3.0, description="hours of water each person carries")
    night_moves: bool = Field(
        default=True,
        description="groups wait for the dark to move for supplies or a toilet, unless their "
        "need is half as much again as they can bear",
    )


class Noise(Frozen):
    """A group in hiding gives itself away now and then: a phone rings, someone cries, a
    quarrel flares. Each time is a loud sound that zombies within earshot come to.

    The rate goes with the pairs of people crowded in (quarrels and panic spread between
    people), so a class of 25 is found far sooner than a group of five. It is times one less
    the resourcefulness of the room's most resourceful person, who hushes the others, and it
    falls off as the group learns to keep still: `settles` after that person learned of the
    outbreak it is e (about 2.7) times lower, and so on. Off (rate 0) by default.
    """

    rate: RateField = Field(default=_r("0/h"), description="per pair of people in the room")
    settles: DurationField = Field(
        default=_d("2h"), description="the time over which a group learns to keep quiet"
    )
    hush: Fraction = Field(
        default=0.0,
        description="behind a barricade, the chance that zombies notice the quiet is times "
        "1 - hush for a leader of resourcefulness 1, and in proportion down to `hush_from`",
    )
    hush_from: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.5, description="the leader's resourcefulness from which the group is hushed"
    )


class Hybrids(Frozen):
    """What hybrids do: stronger and sharper, ignored by zombies, and hungrier over time."""

    strength_factor: Positive = 3.0
    hunger_time: DurationField = _d("24h")
    hunger_threshold: Fraction = 0.7
    attack_rate: RateField = _r("0.05/min")
    bond_factor: Fraction = 0.3
    flesh_reset: Fraction = 0.3


class Awareness(Frozen):
    """How people learn of the outbreak: by seeing it, hearing it, being told, or the PA.

    Until they know, people stay in class (and do not barricade). Switched off, everyone who
    sees zombies here or next door, or hears any scream or fight, knows at once. Rates are
    per unaware person; the defaults are assumptions (docs/show.md).

    On by default: the first barricades come minutes after the first bite, as in the show.
    """

    enabled: bool = True
    see_rate: RateField = Field(
        default=_r("2/min"),
        description="zombies next door seen through a door (in the room: at once)",
    )
    hear_radius: NonNegative = Field(
        default=45.0,
        description="m at which a scream or fight is still made out (floors cost floor_loss)",
    )
    hear_rate: RateField = Field(
        default=_r("0.5/min"), description="next to a scream; falls linearly to 0 at hear_radius"
    )
    tell_rate: RateField = Field(
        default=_r("0.3/min"), description="told by those who know, times their share of the room"
    )
    phone_rate: RateField = Field(
        default=_r("0.1/min"),
        description="phones and messages, times the share of the school who know",
    )
    pa_rate: RateField = Field(
        default=_r("0.1/min"), description="someone who knows, at a PA console, announces it to all"
    )
    quorum: Fraction = Field(
        default=0.5, description="share of a room who must know before it barricades"
    )
    barricade_after: DurationField = Field(
        default=_d("6min"), description="how long the room's most resourceful has known, first"
    )


class Behaviour(Frozen):
    """Human behaviour as rules with parameters; each can be switched off."""

    flee: bool = True
    shut_doors: bool = Field(
        default=True,
        description="doors that can be barricaded are kept shut: zombies next door hear the "
        "people behind them (a class talking, rarely the quiet) rather than see them",
    )
    aware_on_scream: bool = True
    panic: Fraction = Field(
        default=0.5,
        description="chance (times 2 x (1 - courage)) of running away on learning of it",
    )
    panic_to_gates: bool = Field(
        default=True, description="the panicked run for the nearest exit (else outside)"
    )
    flee_to_gates: bool = Field(
        default=True,
        description="who flees a room into a corridor keeps running for the nearest exit",
    )
    cover: Fraction = Field(
        default=0.0,
        description="people in a room with zombies next door slip into a hiding place beside it "
        "(a room whose `hiding` is at least this and better than their own, with no zombie and "
        "room to spare) rather than hold the door; 0: off",
    )
    noise: Noise = Field(default_factory=Noise)
    barricades: Barricades = Field(default_factory=Barricades)
    fighting: Fighting = Field(default_factory=Fighting)
    rescue: Rescue = Field(default_factory=Rescue)
    selfishness: Selfishness = Field(default_factory=Selfishness)
    sacrifice: Sacrifice = Field(default_factory=Sacrifice)
    lure: Lure = Field(default_factory=Lure)
    grouping: Grouping = Field(default_factory=Grouping)
    exits: Exits = Field(default_factory=Exits)
    supplies: Supplies = Field(default_factory=Supplies)
    hybrids: Hybrids = Field(default_factory=Hybrids)
    awareness: Awareness = Field(default_factory=Awareness)


class AgentsOptions(Frozen):
    """Options of the agents engine."""

    step: DurationField | None = Field(
        default=None,
        description='time step; default "5s" in a building, else output step / 20; a step '
        "also ends at each recorded time (time.output_every), so an output_every that is not a "
        "multiple of it changes the run, and a step longer than output_every is cut to it",
    )
    clock_start: DurationField = Field(
        default=_d("8.5h"), description="time of day of t = 0 on day 1 (for narrative times)"
    )
    sunrise: DurationField = Field(default=_d("5.5h"), description="time of day light comes")
    sunset: DurationField = Field(default=_d("19.5h"), description="time of day it gets dark")

    @field_validator("step")
    @classmethod
    def _positive(cls, value: Any) -> Any:
        if value is not None and value <= 0:
            raise ValueError("step must be more than zero")
        return value

    @model_validator(mode="after")
    def _daylight(self) -> AgentsOptions:
        if not 0 <= self.sunrise < self.sunset <= 86400:
            raise ValueError(
                "sunrise and sunset are times of day, sunrise first: 0s <= sunrise < sunset <= 24h"
            )
        if not 0 <= self.clock_start < 86400:
            # Day 1 starts at midnight: a start of 25h would tell the run from day 2.
            raise ValueError("clock_start: a time of day, 0s <= clock_start < 24h")
        return self


# --- built-in buildings --------------------------------------------------------------------------


def _buildings_folder() -> Any:
    return resources.files("hyosan.scenario") / "builtin" / "buildings"


def builtin_building_names() -> list[str]:
    """Names of the floor plans that ship with hyosan."""
    return sorted(
        p.name.removesuffix(".toml")
        for p in _buildings_folder().iterdir()
        if p.name.endswith(".toml")
    )


def builtin_building(name: str) -> dict[str, Any]:
    """A built-in floor plan as raw data to validate; ValueError if there is none."""
    names = builtin_building_names()
    if name not in names:
        raise ValueError(
            f"unknown built-in building {name!r}; the built-in buildings are {', '.join(names)}"
        )
    return tomllib.loads(builtin_building_text(name))


def builtin_building_text(name: str) -> str:
    """A built-in floor plan's file: the keys of a [building] table (no table headers of
    its own, so that `hyosan show --building` can put it under one)."""
    return (_buildings_folder() / f"{name}.toml").read_text(encoding="utf-8")


def building_notes(building: Building) -> list[str]:
    """What a floor plan lets nobody do, though it is valid: rooms that no door reaches, and
    no exit that anyone can get to (a sealed vault or a building with no way out may be what
    the author wants, so these are notes, not problems)."""
    names = building.room_names()
    exits = {r.name for r in building.rooms if r.kind == "exit"}
    ways: dict[str, set[str]] = {n: set() for n in names}
    touched: set[str] = set()
    for door in building.doors:
        a, b = door.between
        touched |= {a, b}
        ways[a].add(b)
        if not door.one_way:
            ways[b].add(a)
    notes = []
    sealed = [n for n in names if n not in touched]
    if sealed and len(names) > 1:
        shown = ", ".join(sealed[:5]) + (f" and {len(sealed) - 5} more" if len(sealed) > 5 else "")
        notes.append(f"building: no door reaches {shown}: nobody can go in or out")
    if not exits:
        notes.append('building: no room of kind "exit": nobody can get out')
        return notes
    # Who can get to an exit, following the doors' directions (one_way only first to second).
    reach = set(exits)
    frontier = set(exits)
    back: dict[str, set[str]] = {n: set() for n in names}
    for a, bs in ways.items():
        for b in bs:
            back[b].add(a)
    while frontier:
        frontier = {a for b in frontier for a in back[b]} - reach
        reach |= frontier
    if not (reach - exits):
        notes.append("building: no exit can be reached from inside: nobody can get out")
    return notes


# --- checks and counts across sections -----------------------------------------------------------


def known_rooms(building: Building) -> KnownNames:
    """The building's rooms, as messages about a name that is none of them speak of them."""
    names = tuple(building.room_names())
    # A built-in plan's rooms are not in the user's file: `hyosan show --building` prints them.
    # (Compared by its rooms, as a plan of one's own may take a built-in's name.)
    builtin = building.name in builtin_building_names() and names == builtin_room_names(
        building.name
    )
    listed_at = (
        f"`hyosan show --building {building.name}`"
        if builtin
        else "the scenario's [[building.rooms]]"
    )
    return KnownNames(names, "room", "in the building", listed_at)


@functools.cache
def builtin_room_names(name: str) -> tuple[str, ...]:
    """The rooms of built-in floor plan `name`, in file order; ValueError if there is none.
    (Read once: every scenario of the school checks the names it gives against them.)"""
    return tuple(str(r.get("name")) for r in builtin_building(name).get("rooms", []))


def people_problems(scenario: Any) -> list[str]:
    """Cross-references of the person-by-person sections, as "path: message" lines."""
    problems: list[str] = []
    building = scenario.building
    if building is None:
        return ["building: people and characters need a [building] to be in"]
    names = building.room_names()
    known = set(names)
    exits = {r.name for r in building.rooms if r.kind == "exit"}
    groups = scenario.people.groups if scenario.people is not None else ()
    group_rooms = [
        (f"people.groups[{i}].rooms[{j}]", room, None)
        for i, group in enumerate(groups)
        for j, room in enumerate(group.rooms)
    ]
    # A mistyped room is said once, naming the characters placed in it: a class of eleven
    # named characters in one room gave eleven copies of one long message.
    character_rooms = [
        (f"characters[{i}].room", ch.room, ch.name) for i, ch in enumerate(scenario.characters)
    ]
    if any(room not in known for _, room, _ in (*group_rooms, *character_rooms)):
        rooms = known_rooms(building)
        problems += unknown_names(group_rooms, rooms)
        problems += unknown_names(character_rooms, rooms, "characters")
    problems += [
        f"{path}: {room!r} is an exit; people start inside"
        for path, room, _ in (*group_rooms, *character_rooms)
        if room in exits
    ]
    seen: set[str] = set()
    groups_named = [g.name for g in groups]
    bad_groups: dict[str, list[tuple[int, str]]] = {}
    for i, ch in enumerate(scenario.characters):
        if ch.name in seen:
            problems.append(f"characters[{i}].name: {ch.name!r} appears twice")
        seen.add(ch.name)
        if ch.group is not None and ch.group not in known and ch.group not in groups_named:
            bad_groups.setdefault(ch.group, []).append((i, ch.name))
    for group_name, whose in bad_groups.items():
        # Said once per name, as for rooms: a class is a group of several characters.
        who = (
            f" (the group of {counted(len(whose), 'characters')}: {', '.join(n for _, n in whose)})"
            if len(whose) > 1
            else ""
        )
        guess = did_you_mean(group_name, [*groups_named, *names])
        problems.append(
            f"characters[{whose[0][0]}].group: {group_name!r}{who} is neither a room (a class) "
            f"nor a group of people ({', '.join(sorted(groups_named)) or 'none'})"
            + (f"; {guess}" if guess else "")
        )
    states = {c.state for c in scenario.model.compartments.values()}
    if "human" not in states:
        problems.append(
            "model: people are simulated person by person, so the model needs a "
            "compartment of state 'human'"
        )
    return problems


def population(scenario: Any) -> tuple[int, int]:
    """(people in the building, how many of them start infected)."""
    per_class: dict[str, int] = {}
    for ch in scenario.characters:
        if ch.group is not None:
            per_class[ch.group] = per_class.get(ch.group, 0) + 1
    generic = 0
    if scenario.people is not None:
        for group in scenario.people.groups:
            if group.per_room is not None:
                for room in group.rooms:
                    named = per_class.get(room, 0) if group.classes else 0
                    generic += max(0, group.per_room - named)
            else:
                generic += int(group.count or 0)
    infected = sum(1 for ch in scenario.characters if ch.infected is not None)
    return generic + len(scenario.characters), infected


def initial_counts(scenario: Any) -> list[float]:
    """Initial counts per compartment: everyone human, the infected characters bitten."""
    total, infected = population(scenario)
    comps = list(scenario.model.compartments.items())
    counts = [0.0] * len(comps)

    def first(*states: str) -> int | None:
        for state in states:
            for i, (_, c) in enumerate(comps):
                if c.state == state:
                    return i
        return None

    human = first("human")
    bitten = first("bitten", "zombie")
    if human is not None:
        counts[human] += total - infected
    if bitten is not None:
        counts[bitten] += infected
    return counts

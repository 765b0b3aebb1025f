"""Interventions in a building, carried out between steps: air strikes, sound lures, troops.

Rooms are the places of an area: by name or number (`places`), or within `hops` doors or
`radius` metres (room centres) of a room (`around`).

- `strike`: at `at`, everyone in the area's rooms dies (zombies are destroyed), a death (or a
  zombie's destruction) by the strike in the narrative for each named character; the summary
  counts who was hit, as on a graph of places.
- `lure`: from `start` to `end`, a sound at the room `toward` that the whole building hears,
  as the school's PA is heard by its floor: zombies go for the loudest sound they hear. The
  sound draws every zombie, so a lure in a building takes no `area`, and zombies walk at their
  own pace, not at `speed`.

- `evacuate`: the troops at the area's rooms (a helicopter at the roof, the ground sweep):
  from `start` to `end`, once a minute, each human or bitten person there who is not on the
  move is taken out with chance 1 - exp(-speed x 1 min), up to `capacity` in all; a
  temperature check catches the bitten with `catch_bitten`, and they are left behind. Those
  taken escape (an escape event, so their fate says the troops took them); hybrids keep away.
  With `signal`, only rooms that show an SOS: people who know of the outbreak were there at
  every look of the crew (every ten minutes from `signal` before `start`, then every
  minute) for at least `signal`.
- `sweep`: soldiers in the area's rooms (the laptop team of day 3): from `start` to `end`,
  once a minute, each zombie there who is not on the move is destroyed with chance
  1 - exp(-kill x 1 min); with `compartments` naming the bitten as well, a temperature check
  catches each bitten person they meet at the same rate, and the troops shoot them. The soldiers
  are not among the building's people, so none of them is bitten (`bite_risk` must be 0), and
  hybrids, whose temperature reads as a chill, keep away.

Other interventions are refused: the engine declares only these four.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from hyosan.engines.agents.params import (
    BITTEN,
    BY_STRIKE,
    BY_TROOPS,
    DEAD,
    DESTROYED,
    ESCAPED,
    EV_DEATH,
    EV_ESCAPE,
    EV_KILL,
    HUMAN,
    HYBRID,
    ZOMBIE,
)
from hyosan.errors import EngineError
from hyosan.interventions.plan import area_mask
from hyosan.results.interventions import InterventionReport, Measure, Strike
from hyosan.scenario.interventions import targets
from hyosan.world.build import seed_place
from hyosan.world.graph import World

if TYPE_CHECKING:
    from hyosan.engines.agents.building import FloorPlan
    from hyosan.engines.agents.building_run import BuildingRun
    from hyosan.scenario.interventions import Sweep as SweepSpec
    from hyosan.scenario.schema import Scenario

__all__ = ["SUPPORTED", "BuildingActions"]

#: The interventions the agents engine carries out in a building.
SUPPORTED = (
    "interventions.strike",
    "interventions.lure",
    "interventions.evacuate",
    "interventions.sweep",
)

#: How often the troops of an evacuation or a sweep go through their rooms, in seconds.
PICKUP_EVERY = 60.0

#: How often the crew of an evacuation with a `signal` looks for an SOS before it comes, in
#: seconds: a room shows one once people were there at every look for `signal`.
SOS_LOOK = 600.0

#: A lure's reach, in metres: beyond any building's size, so that every zombie hears it.
LURE_RADIUS = 1.0e6


def building_world(plan: FloorPlan) -> World:
    """The building's rooms as a graph of places (doors as edges), for resolving areas."""
    return World(
        indptr=np.asarray(plan.adj_ptr, dtype=np.int64),
        indices=np.asarray(plan.adj_room, dtype=np.int32),
        names=tuple(plan.names),
        coords=np.column_stack([plan.x, plan.y]).astype(np.float64),
    )


@dataclass
class Visits:
    """Troops at the area's rooms once a minute from `start` to `end` (evacuate, sweep)."""

    index: int
    name: str
    start: float
    end: float
    rooms: np.ndarray  # bool per room
    rate: float  # per second, per person they act on

    def times(self, horizon: float) -> list[float]:
        """The visits' instants within (0, horizon]."""
        last = min(self.end, horizon)
        if last < self.start:
            return []
        n = int((last - self.start) // PICKUP_EVERY)
        return [self.start + k * PICKUP_EVERY for k in range(n + 1)]

    def found(
        self,
        run: BuildingRun,
        states: list[int],
        rng: np.random.Generator,
        rooms: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Who of `states` the troops find in `rooms` (default: the area) this visit, not
        those on the move; None, with nothing drawn, if nobody of `states` is there."""
        ag = run.agents
        rooms = self.rooms if rooms is None else rooms
        here = np.flatnonzero(rooms[ag.room] & np.isin(ag.state, states) & (ag.passage < 0))
        if not here.size:
            return None
        return here[rng.random(here.size) < 1.0 - np.exp(-self.rate * PICKUP_EVERY)]

    def visit(self, t: float, run: BuildingRun, rng: np.random.Generator) -> None:
        """What the troops do at t."""
        raise NotImplementedError

    def measure(self) -> Measure:
        """Its entry in the run's interventions."""
        raise NotImplementedError


@dataclass
class Pickup(Visits):
    """An evacuation in a building: who is taken out, how many at most, who is refused, and
    (with `signal`) which rooms show an SOS."""

    capacity: int | None = None
    catch_bitten: float = 0.9
    taken: int = 0
    signal: float | None = None  # seconds a room must be held to show an SOS
    #: Per room: since when people who know of the outbreak have been seen there at every
    #: look (inf: nobody there at the last look). Only with `signal`.
    held_since: np.ndarray | None = None

    def times(self, horizon: float) -> list[float]:
        """The visits' instants, and with `signal` the looks before them, every SOS_LOOK
        from `signal` before the start (the looks draw nothing)."""
        visits = super().times(horizon)
        if self.signal is None:
            return visits
        first = max(self.start - self.signal, 0.0)
        n = int(max(self.start - first, 0.0) // SOS_LOOK)
        looks = [self.start - (k + 1) * SOS_LOOK for k in range(n)]
        return sorted({t for t in looks if 0.0 < t <= horizon} | set(visits))

    def look(self, t: float, run: BuildingRun) -> np.ndarray:
        """Note who holds each room at t; the rooms of the area that show an SOS."""
        ag = run.agents
        there = (ag.state == HUMAN) & (ag.aware == 1) & (ag.passage < 0)
        held = np.zeros(self.rooms.size, dtype=bool)
        held[ag.room[there]] = True
        if self.held_since is None:
            self.held_since = np.full(self.rooms.size, np.inf)
        self.held_since[~held] = np.inf
        self.held_since[held] = np.minimum(self.held_since[held], t)
        assert self.signal is not None
        return self.rooms & (self.held_since <= t - self.signal)

    def visit(self, t: float, run: BuildingRun, rng: np.random.Generator) -> None:
        """The troops take out whom they find in the area's rooms, but the bitten they catch;
        with `signal`, only in rooms that show an SOS."""
        rooms = self.rooms
        if self.signal is not None:
            rooms = self.look(t, run)
            if t < self.start:
                return
        if self.capacity is not None and self.taken >= self.capacity:
            return
        ag = run.agents
        st, room = ag.state, ag.room
        found = self.found(run, [HUMAN, BITTEN], rng, rooms)
        if found is None:
            return
        # The temperature check: the bitten it catches are left behind.
        caught = (st[found] == BITTEN) & (rng.random(found.size) < self.catch_bitten)
        taken = rng.permutation(found[~caught])
        if self.capacity is not None:
            taken = taken[: self.capacity - self.taken]
        for p in np.sort(taken):
            run.emit(t, EV_ESCAPE, int(p), -1, int(room[p]), BY_TROOPS)
        st[taken] = ESCAPED
        ag.goal[taken] = -1
        self.taken += int(taken.size)
        run.recount()

    def measure(self) -> Measure:
        """Its entry in the run's interventions: how many were taken out."""
        end = Measure.end_of(self.end)
        return Measure(
            name=self.name,
            kind="evacuate",
            start_s=self.start,
            end_s=end,
            events={"taken out": self.taken},
        )


@dataclass
class Hunt(Visits):
    """A sweep in a building: soldiers destroy the zombies they meet and shoot the bitten
    their temperature check catches (when `states` holds BITTEN)."""

    states: tuple[int, ...] = (ZOMBIE,)
    destroyed: int = 0
    shot: int = 0

    def visit(self, t: float, run: BuildingRun, rng: np.random.Generator) -> None:
        """Each zombie (and bitten person) in the area's rooms met with chance 1 - e^(-kill dt)."""
        found = self.found(run, list(self.states), rng)
        if found is None or not found.size:
            return
        ag = run.agents
        st, room = ag.state, ag.room
        zombie = st[found] == ZOMBIE
        # An event for each, named or not: the series' reactions are counted from the log.
        for p, z in zip(found.tolist(), zombie.tolist(), strict=True):
            if z:
                run.emit(t, EV_KILL, -1, p, int(room[p]), BY_TROOPS)
            else:
                run.emit(t, EV_DEATH, -1, p, int(room[p]), BY_TROOPS)
        st[found] = np.where(zombie, DESTROYED, DEAD)
        ag.goal[found] = -1
        ag.turns_at[found] = np.inf
        self.destroyed += int(zombie.sum())
        self.shot += int((~zombie).sum())
        run.recount()

    def measure(self) -> Measure:
        """Its entry in the run's interventions: zombies destroyed and bitten people shot."""
        events = {"zombies destroyed": self.destroyed}
        if BITTEN in self.states:
            events["bitten shot"] = self.shot
        end = Measure.end_of(self.end)
        return Measure(name=self.name, kind="sweep", start_s=self.start, end_s=end, events=events)


@dataclass
class BuildingActions:
    """The strikes, lures and troops (evacuations, sweeps) of a scenario, resolved to rooms."""

    strikes: list[tuple[int, str, float, np.ndarray, str]] = field(default_factory=list)
    lures: list[tuple[int, str, float, float, int]] = field(default_factory=list)
    visits: list[Visits] = field(default_factory=list)
    tallies: list[Strike] = field(default_factory=list)
    struck: set[int] = field(default_factory=set)  # the strikes carried out (their indices)
    rng: np.random.Generator | None = None  # the troops' draws; needed only with visits
    #: The troops due at each of their instants within the horizon.
    due: dict[float, list[Visits]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, scenario: Scenario, plan: FloorPlan, rng: np.random.Generator | None = None
    ) -> BuildingActions:
        """The strikes, lures, evacuations and sweeps of `scenario`, their areas as rooms of
        `plan`.

        `rng` draws whom the troops find (its own stream, so other draws stay as they were).
        """
        world = building_world(plan)
        out = cls(rng=rng)
        for i, iv in enumerate(scenario.interventions):
            if not iv.enabled:
                continue
            where = f"interventions[{i}]"
            if iv.kind == "strike":
                mask = area_mask(world, iv.area, f"{where}.area")
                assert mask is not None  # a strike's area is required
                out.strikes.append((i, iv.name or iv.kind, float(iv.at), mask, iv.note))
            elif iv.kind == "lure":
                if iv.area is not None:
                    raise EngineError(
                        f"{where}.area: in a building a lure is a sound every zombie hears; "
                        "remove area"
                    )
                room = seed_place(world, iv.toward, f"{where}.toward")
                start, end = iv.window()
                out.lures.append((i, iv.name or iv.kind, start, end, room))
            elif iv.kind in ("evacuate", "sweep"):
                mask = area_mask(world, iv.area, f"{where}.area")
                start, end = iv.window()
                rooms = np.ones(len(plan.names), dtype=bool) if mask is None else mask
                name = iv.name or iv.kind
                if iv.kind == "evacuate":
                    out.visits.append(
                        Pickup(
                            i,
                            name,
                            start,
                            end,
                            rooms,
                            float(iv.speed),
                            capacity=iv.capacity,
                            catch_bitten=iv.catch_bitten,
                            signal=None if iv.signal is None else float(iv.signal),
                        )
                    )
                else:
                    states = _hunted(iv, scenario, where)
                    out.visits.append(
                        Hunt(i, name, start, end, rooms, float(iv.kill), states=states)
                    )
        horizon = float(scenario.time.horizon)
        for visit in out.visits:
            for t in visit.times(horizon):
                out.due.setdefault(t, []).append(visit)
        return out

    @property
    def hunts(self) -> list[Hunt]:
        """The sweeps: troops who destroy zombies and shoot the bitten."""
        return [v for v in self.visits if isinstance(v, Hunt)]

    def times(self, horizon: float) -> list[float]:
        """Times in (0, horizon] at which a strike falls, a lure starts or troops come by."""
        found = {t for _, _, t, _, _ in self.strikes} | {t for _, _, t, _, _ in self.lures}
        found |= set(self.due)
        return sorted(t for t in found if 0.0 < t <= horizon)

    def apply(self, t: float, run: BuildingRun) -> None:
        """Carry out what happens at t on a building run."""
        from hyosan.engines.agents.phases.sounds import add_sound

        for _, _, start, end, room in self.lures:
            if start == t:
                # The slot that ends first is replaced, so a long lure outlasts the screams.
                add_sound(run.sounds, room, LURE_RADIUS, end)
        for i, name, when, mask, note in self.strikes:
            if when == t:
                self._strike(i, name, t, mask, note, run)
        for visit in self.due.get(t, ()):
            assert self.rng is not None, "troops need their random stream"
            visit.visit(t, run, self.rng)

    def _strike(
        self, i: int, name: str, t: float, mask: np.ndarray, note: str, run: BuildingRun
    ) -> None:
        ag = run.agents
        st, room = ag.state, ag.room
        hit = mask[room] & np.isin(st, [HUMAN, BITTEN, HYBRID, ZOMBIE])
        before = {
            s: int(np.count_nonzero(hit & (st == code)))
            for s, code in (
                ("human", HUMAN),
                ("bitten", BITTEN),
                ("hybrid", HYBRID),
                ("zombie", ZOMBIE),
            )
        }
        # Each named character hit gets an event that names the strike as the cause (a death,
        # or a zombie's destruction), so their fate says the strike did it, not someone.
        for p in np.flatnonzero(hit & (ag.named >= 0)):
            kind = EV_KILL if st[p] == ZOMBIE else EV_DEATH
            run.emit(t, kind, -1, int(p), int(room[p]), BY_STRIKE)
        st[hit] = np.where(st[hit] == ZOMBIE, DESTROYED, DEAD)
        ag.passage[hit] = -1
        ag.heading_to[hit] = -1
        run.recount()
        self.tallies.append(Strike.of(name, t, note or "", before))
        self.struck.add(i)

    def report(self) -> tuple[InterventionReport, ...]:
        """One entry per lure, evacuation, sweep and strike, as on a graph of places; a strike
        the run ended before is there too, not carried out."""
        lures = [
            Measure(name=name, kind="lure", start_s=start, end_s=Measure.end_of(end))
            for _, name, start, end, _ in self.lures
        ]
        missed = [
            Strike.of(name, None, note or "", {})
            for i, name, _, _, note in self.strikes
            if i not in self.struck
        ]
        return (*lures, *(v.measure() for v in self.visits), *self.tallies, *missed)


def _hunted(iv: SweepSpec, scenario: Scenario, where: str) -> tuple[int, ...]:
    """The agent states a sweep in a building hunts: zombies, and the bitten if it names them."""
    if iv.bite_risk > 0:
        raise EngineError(
            f"{where}.bite_risk: in a building the soldiers are not among its people, so none "
            "of them is bitten; leave bite_risk at 0"
        )
    codes = {"zombie": ZOMBIE, "bitten": BITTEN}
    model = scenario.model.compartments
    states: set[int] = set()
    for name in targets(iv, scenario.model).moved:
        state = model[name].state  # (unknown names are refused when the scenario loads)
        if state not in codes:
            raise EngineError(
                f"{where}.compartments: in a building the troops destroy zombies and shoot the "
                f"bitten their temperature check catches; {name!r} is {state}: name compartments "
                "of state zombie or bitten"
            )
        states.add(codes[state])
    return tuple(sorted(states))

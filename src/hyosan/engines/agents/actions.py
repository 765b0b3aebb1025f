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

Other interventions are refused: the engine declares only these three.
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
from hyosan.world.build import seed_place
from hyosan.world.graph import World

if TYPE_CHECKING:
    from hyosan.engines.agents.building import FloorPlan
    from hyosan.engines.agents.building_run import BuildingRun
    from hyosan.scenario.schema import Scenario

__all__ = ["SUPPORTED", "BuildingActions"]

#: The interventions the agents engine carries out in a building.
SUPPORTED = ("interventions.strike", "interventions.lure", "interventions.evacuate")

#: How often the troops of an evacuation pick people up, in seconds.
PICKUP_EVERY = 60.0

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
class Pickup:
    """An evacuation in a building: where, when, how fast, how many, and who is refused."""

    index: int
    name: str
    start: float
    end: float
    rooms: np.ndarray  # bool per room
    rate: float  # per second, per person in the area
    capacity: int | None
    catch_bitten: float
    taken: int = 0

    def times(self, horizon: float) -> list[float]:
        """The pickup instants within (0, horizon]."""
        last = min(self.end, horizon)
        if last < self.start:
            return []
        n = int((last - self.start) // PICKUP_EVERY)
        return [self.start + k * PICKUP_EVERY for k in range(n + 1)]


@dataclass
class BuildingActions:
    """The strikes, lures and evacuations of a scenario, resolved to rooms."""

    strikes: list[tuple[int, str, float, np.ndarray, str]] = field(default_factory=list)
    lures: list[tuple[int, str, float, float, int]] = field(default_factory=list)
    pickups: list[Pickup] = field(default_factory=list)
    tallies: list[Strike] = field(default_factory=list)
    rng: np.random.Generator | None = None  # the troops' draws; needed only with pickups
    #: The pickups due at each of their instants within the horizon.
    due: dict[float, list[Pickup]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, scenario: Scenario, plan: FloorPlan, rng: np.random.Generator | None = None
    ) -> BuildingActions:
        """The strikes, lures and evacuations of `scenario`, their areas as rooms of `plan`.

        `rng` draws who the troops take (its own stream, so other draws stay as they were).
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
            elif iv.kind == "evacuate":
                mask = area_mask(world, iv.area, f"{where}.area")
                start, end = iv.window()
                out.pickups.append(
                    Pickup(
                        index=i,
                        name=iv.name or iv.kind,
                        start=start,
                        end=end,
                        rooms=np.ones(len(plan.names), dtype=bool) if mask is None else mask,
                        rate=float(iv.speed),
                        capacity=iv.capacity,
                        catch_bitten=iv.catch_bitten,
                    )
                )
        horizon = float(scenario.time.horizon)
        for pickup in out.pickups:
            for t in pickup.times(horizon):
                out.due.setdefault(t, []).append(pickup)
        return out

    def times(self, horizon: float) -> list[float]:
        """Times in (0, horizon] at which a strike falls, a lure starts or troops pick up."""
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
        for pickup in self.due.get(t, ()):
            self._pick_up(pickup, t, run)

    def _pick_up(self, pickup: Pickup, t: float, run: BuildingRun) -> None:
        """The troops take out whom they find in the area's rooms, but the bitten they catch."""
        if pickup.capacity is not None and pickup.taken >= pickup.capacity:
            return
        assert self.rng is not None, "an evacuation needs its random stream"
        ag = run.agents
        st, room = ag.state, ag.room
        here = np.flatnonzero(pickup.rooms[room] & np.isin(st, [HUMAN, BITTEN]) & (ag.passage < 0))
        if not here.size:
            return
        chance = 1.0 - np.exp(-pickup.rate * PICKUP_EVERY)
        found = here[self.rng.random(here.size) < chance]
        # The temperature check: the bitten it catches are left behind.
        caught = (st[found] == BITTEN) & (self.rng.random(found.size) < pickup.catch_bitten)
        taken = self.rng.permutation(found[~caught])
        if pickup.capacity is not None:
            taken = taken[: pickup.capacity - pickup.taken]
        for p in np.sort(taken):
            run.emit(t, EV_ESCAPE, int(p), -1, int(room[p]), BY_TROOPS)
        st[taken] = ESCAPED
        ag.goal[taken] = -1
        pickup.taken += int(taken.size)
        run.recount()

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

    def report(self) -> tuple[InterventionReport, ...]:
        """One entry per lure, evacuation and strike, as on a graph of places."""
        lures = [
            Measure(name=name, kind="lure", start_s=start, end_s=Measure.end_of(end))
            for _, name, start, end, _ in self.lures
        ]
        pickups = [
            Measure(
                name=p.name,
                kind="evacuate",
                start_s=p.start,
                end_s=Measure.end_of(p.end),
                events={"taken out": p.taken},
            )
            for p in self.pickups
        ]
        return (*lures, *pickups, *self.tallies)

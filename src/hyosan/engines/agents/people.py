"""The people of a run: named characters first, then everyone else, as arrays of traits.

Ordinary people are drawn from the scenario's trait distributions (the `world` stream); named
characters take the traits their entry gives and draws for the rest. Classes are groups of
friends: everyone who starts in one classroom of a group with `classes = true`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.engines.agents.params import BITTEN, HUMAN
from hyosan.scenario.agents import TRAITS, TraitDist, Traits

if TYPE_CHECKING:
    from hyosan.engines.agents.building import FloorPlan
    from hyosan.scenario.agents import Virus
    from hyosan.scenario.schema import Scenario

__all__ = ["Population", "make_population"]


@dataclass(frozen=True, eq=False)
class Population:
    """Starting arrays of every person (index i is the same person throughout a run)."""

    names: tuple[str, ...]  # named characters (indices 0 .. len-1), then nobody
    roles: np.ndarray  # 0 student, 1 staff
    room: np.ndarray
    group: np.ndarray
    group_names: tuple[str, ...]
    traits: np.ndarray  # (n, len(TRAITS))
    state: np.ndarray
    t_turn: np.ndarray
    hybrid: np.ndarray
    aware: np.ndarray

    @property
    def n(self) -> int:
        """How many people there are."""
        return int(self.room.size)


def _draw(dist: TraitDist, name: str, rng: np.random.Generator, size: int) -> np.ndarray:
    values = dist.mean + dist.sd * rng.standard_normal(size)
    return np.clip(values, *dist.bounds(name))


def _traits(
    base: Traits, overrides: dict[str, TraitDist], rng: np.random.Generator, size: int
) -> np.ndarray:
    out = np.empty((size, len(TRAITS)))
    for k, name in enumerate(TRAITS):
        out[:, k] = _draw(overrides.get(name, getattr(base, name)), name, rng, size)
    return out


def _turn_delay(route: str, virus: Virus, rng: np.random.Generator) -> float:
    if route == "hamster":
        mu, sigma = math.log(float(virus.hamster_median)), virus.hamster_sigma
    elif route == "blood":
        mu, sigma = math.log(float(virus.blood_median)), virus.blood_sigma
    else:
        mu, sigma = math.log(float(virus.turn_median)), virus.turn_sigma
    delay = math.exp(mu + sigma * rng.standard_normal())
    return delay * (virus.neck_factor if route == "neck" else 1.0)


def make_population(
    scenario: Scenario, plan: FloorPlan, virus: Virus, rng: np.random.Generator
) -> Population:
    """Everyone in the building at t = 0, with their traits, groups and starting rooms."""
    people = scenario.people
    base = people.traits if people is not None else Traits()
    groups = people.groups if people is not None else ()
    group_ids: dict[str, int] = {}

    def gid(key: str) -> int:
        return group_ids.setdefault(key, len(group_ids))

    named_in: dict[str, int] = {}
    for ch in scenario.characters:
        if ch.group is not None:
            named_in[ch.group] = named_in.get(ch.group, 0) + 1
    rooms: list[int] = []
    grp: list[int] = []
    roles: list[int] = []
    aware: list[int] = []
    blocks: list[np.ndarray] = []
    # Named characters first: their traits are drawn like their group's, then overridden.
    by_name = {g.name: g for g in groups}
    by_room = {room: g for g in groups for room in g.rooms if g.classes}
    n_named = len(scenario.characters)
    states = np.full(n_named, HUMAN, dtype=np.int8)
    t_turn = np.full(n_named, np.inf)
    hybrid = np.zeros(n_named, dtype=np.int8)
    for k, ch in enumerate(scenario.characters):
        key = ch.group or f"character:{ch.name}"
        owner = by_room.get(ch.group or "") or by_name.get(ch.group or "")
        tr = _traits(base, dict(owner.traits) if owner else {}, rng, 1)[0]
        for name, value in ch.traits.items():
            tr[TRAITS.index(name)] = value
        blocks.append(tr[None, :])
        rooms.append(plan.index(ch.room))
        grp.append(gid(key if owner is None or ch.group in by_room else owner.name))
        roles.append(0 if ch.role == "student" else 1)
        aware.append(int(ch.aware))
        if ch.infected is not None:
            states[k] = BITTEN
            t_turn[k] = (
                float(ch.infected.turns_in)
                if ch.infected.turns_in is not None
                else _turn_delay(ch.infected.route, virus, rng)
            )
            hybrid[k] = int(ch.infected.hybrid)
    for g in groups:
        if g.per_room is not None:
            sizes = [
                max(0, g.per_room - (named_in.get(room, 0) if g.classes else 0)) for room in g.rooms
            ]
        else:
            total = int(g.count or 0)
            sizes = [
                total // len(g.rooms) + (1 if j < total % len(g.rooms) else 0)
                for j in range(len(g.rooms))
            ]
        for room, size in zip(g.rooms, sizes, strict=True):
            if size == 0:
                continue
            blocks.append(_traits(base, dict(g.traits), rng, size))
            rooms += [plan.index(room)] * size
            grp += [gid(room if g.classes else g.name)] * size
            roles += [0 if g.role == "student" else 1] * size
            aware += [int(g.aware)] * size
    n = len(rooms)
    traits = np.vstack(blocks) if blocks else np.empty((0, len(TRAITS)))
    state = np.full(n, HUMAN, dtype=np.int8)
    state[:n_named] = states
    turn = np.full(n, np.inf)
    turn[:n_named] = t_turn
    hyb = np.zeros(n, dtype=np.int8)
    hyb[:n_named] = hybrid
    return Population(
        names=tuple(ch.name for ch in scenario.characters),
        roles=np.array(roles, dtype=np.int8),
        room=np.array(rooms, dtype=np.int32),
        group=np.array(grp, dtype=np.int32),
        group_names=tuple(group_ids),
        traits=np.ascontiguousarray(traits, dtype=np.float64),
        state=state,
        t_turn=turn,
        hybrid=hyb,
        aware=np.array(aware, dtype=np.int8),
    )

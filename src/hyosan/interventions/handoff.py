"""The school's outbreak handed to a city (the `[handoff]` section, scenario/handoff.py).

The school runs first, on the agents engine, to the handoff (`school_scenario` says what it
runs; `hyosan.engines.handoff` runs it, so this package never calls an engine); its Result
gives who is where in what state. People still in the building are counted by their state at
the end; those who got out are counted at the exit they used, bitten or a hybrid if an event
says they had been before they left (the agents engine stops following people once they are
out).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from hyosan.errors import EngineError
from hyosan.interventions.plan import find_place
from hyosan.results.interventions import Handoff

if TYPE_CHECKING:
    from hyosan.models.network import ReactionNetwork
    from hyosan.results.result import Result
    from hyosan.scenario.schema import Scenario
    from hyosan.world.graph import World

#: (time of the handoff, people to add per place and compartment, what was handed over).
Handover = tuple[float, np.ndarray, Handoff]

__all__ = ["Handover", "arrivals", "school_scenario"]

#: The city compartment a school state joins: the first of these states the city model has.
_FALLBACK = {
    "human": ("human",),
    "bitten": ("bitten", "zombie"),
    "zombie": ("zombie",),
    "hybrid": ("hybrid", "bitten", "zombie"),
    "removed": ("removed",),
}


def _compartment(net: ReactionNetwork, state: str) -> int:
    for s in _FALLBACK[state]:
        if s in net.states:
            return net.states.index(s)
    return -1  # the city does not keep this state (the dead, in a model without removed)


def school_scenario(scenario: Scenario) -> Scenario:
    """The school scenario of `scenario`'s handoff, run to the handoff (or to its overrun)."""
    from hyosan.scenario.load import load_scenario
    from hyosan.scenario.schema import OVERRUN_OF, Threshold

    spec = scenario.handoff
    assert spec is not None
    school = load_scenario(spec.school)
    if not school.describes_people:
        raise EngineError(
            f"handoff.school: {spec.school!r} has no building with people; hand over from a "
            "scenario for the agents engine, such as hyosan-high"
        )
    time = {**school.time.model_dump(mode="json"), "horizon": spec.at.text}
    if school.time.output_every is not None and school.time.output_every > spec.at:
        # A handoff sooner than the school's spacing: its records are the start and the
        # handoff, as that spacing gave them (a spacing past the horizon is refused).
        time["output_every"] = spec.at.text
    school = school.evolve(time=time)
    if spec.until == "overrun":
        # The school's own overrun (its summary's t_overrun_s), as a stopping threshold.
        stop = Threshold(name="handoff_overrun", of=OVERRUN_OF, stop=True)
        school = school.evolve(
            thresholds=[*(t.model_dump(mode="json") for t in school.thresholds), stop.model_dump()]
        )
    return school


def _place_name(world: World, place: int, ref: object) -> str:
    """Place `place` as the summary's arrivals name it (a grid's landmark, a region), else the
    scenario's reference to it."""
    for name, i in (world.landmarks or {}).items():
        if i == place:
            return str(name)
    if world.names is not None:
        return str(world.names[place])
    return str(ref)


def arrivals(scenario: Scenario, school: Result, world: World, net: ReactionNetwork) -> Handover:
    """Where the people of a finished school run join `scenario`'s city, and in what state."""
    spec = scenario.handoff
    assert spec is not None
    result = school
    t = float(result.times[-1])
    place = find_place(world, spec.place, "handoff.place")
    exits = {
        name: find_place(world, ref, f"handoff.exits.{name}") for name, ref in spec.exits.items()
    }
    add = np.zeros((world.n_places, len(net.compartments)), dtype=np.int64)
    final = result.headline().final
    inside = {s: round(final.get(s, 0.0)) for s in _FALLBACK}
    escaped: dict[str, Counter[str]] = {}
    if result.events is not None:
        ev = result.events
        kind = ev.column("kind").to_pylist()
        actor = ev.column("actor").to_pylist()
        target = ev.column("target").to_pylist()
        where = ev.column("place").to_pylist()
        bitten: set[str] = set()
        hybrid: set[str] = set()
        for k, a, b, p in zip(kind, actor, target, where, strict=True):
            if k == "bite":
                bitten.add(b)
            elif k == "hybrid":
                hybrid.add(a)
            elif k == "escape":
                state = "hybrid" if a in hybrid else "bitten" if a in bitten else "human"
                escaped.setdefault(p, Counter())[state] += 1
    for state, n in inside.items():
        c = _compartment(net, state)
        if c >= 0:
            add[place, c] += n
    for exit_name, counts in escaped.items():
        to = exits.get(exit_name, place)
        for state, n in counts.items():
            add[to, _compartment(net, state)] += n
    report = Handoff(
        school=result.scenario.name,
        t_s=t,
        stopped_by=result.stopped_by,
        inside=inside,
        escaped={e: dict(c) for e, c in escaped.items()},
        # As the summary's arrivals name it, so that the report can say its first zombie came
        # with the school's people.
        place=_place_name(world, place, spec.place),
    )
    return t, add, report

"""The show's arc in figures: what one Hyosan High run did, and how often the show's arc holds.

The default scenario is meant to tell the story of the series (docs/show.md) without any rule
keyed to a name: the school learns of the outbreak over minutes, many flee through the gates in
the first chaos, it is overrun within hours, groups hold out for days, a few named students get
out, and now and then someone keeps their mind. `measure` reads those figures off one run's
result; `tally` counts, over many seeds, how often each check of the story holds. The checks'
ranges are calibration targets, not exact numbers (docs/show.md, "How the default run is
judged"); `scripts/story_checks.py` prints them and `tests/agents/test_story.py` asserts them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hyosan.results import Result
from hyosan.scenario import Scenario

__all__ = ["SHOW_SURVIVORS", "Check", "RunFigures", "how_it_ended", "measure", "tally"]

#: The six students who reach the camp in the series (docs/show.md).
SHOW_SURVIVORS: tuple[str, ...] = (
    "Nam On-jo",
    "Lee Su-hyeok",
    "Yang Dae-su",
    "Seo Hyo-ryung",
    "Park Mi-jin",
    "Jang Ha-ri",
)

HOUR = 3600.0


@dataclass(frozen=True)
class RunFigures:
    """The figures of one run that the story's checks read."""

    seed: int
    people: int
    first_bite_s: float  # inf where nothing happened
    first_turn_s: float
    first_barricade_s: float
    classrooms_barricaded_10min: float  # share of classrooms, 10 min after the first turn
    overrun_s: float  # 80 % of those still inside bitten, turned or dead; inf if never
    escaped_6h: float  # share of the school out of the gates in the first 6 hours
    humans_inside_24h: float
    humans_inside_96h: float
    named_survivors: frozenset[str]  # named students alive at the end or safe
    named_out: frozenset[str]  # named students who left the school and survived
    hybrids: int


def _first(kinds: np.ndarray, ts: np.ndarray, kind: str) -> float:
    hit = ts[kinds == kind]
    return float(hit.min()) if hit.size else float("inf")


def _at(times: np.ndarray, values: np.ndarray, t: float) -> float:
    """The value recorded at the last output time at or before t (the last one if past)."""
    k = int(np.searchsorted(times, t, side="right")) - 1
    return float(values[max(k, 0)])


def measure(result: Result, scenario: Scenario, seed: int) -> RunFigures:
    """The story's figures of one run of a building scenario (its events must be kept)."""
    if result.events is None:
        raise ValueError("measure needs the run's events (run without summary_only)")
    ev = result.events.to_pydict()
    kinds = np.asarray(ev["kind"], dtype=object)
    ts = np.asarray(ev["t"], dtype=np.float64)
    places = np.asarray(ev["place"], dtype=object)
    actors = np.asarray(ev["actor"], dtype=object)
    assert scenario.building is not None
    classrooms = {r.name for r in scenario.building.rooms if r.kind == "classroom"}
    first_turn = _first(kinds, ts, "turn")
    done = {
        p
        for k, t, p in zip(kinds, ts, places, strict=True)
        if k == "barricade" and t <= first_turn + 600.0 and p in classrooms
    }
    times = np.asarray(result.times, dtype=np.float64)
    counts = np.asarray(result.counts, dtype=np.float64)
    states = np.asarray(result.states, dtype=object)
    people = float(counts[0].sum())
    inside = people - counts[:, states == "safe"].sum(axis=1)
    humans = counts[:, states == "human"].sum(axis=1)
    lost = humans <= 0.2 * inside
    overrun = float(times[np.argmax(lost)]) if lost.any() else float("inf")
    escapes = ts[kinds == "escape"]
    students = {c.name for c in scenario.characters if c.role == "student"}
    survivors = frozenset(result.survivors) & students
    left = set(actors[kinds == "escape"])
    return RunFigures(
        seed=seed,
        people=int(people),
        first_bite_s=_first(kinds, ts, "bite"),
        first_turn_s=first_turn,
        first_barricade_s=_first(kinds, ts, "barricade"),
        classrooms_barricaded_10min=len(done) / max(len(classrooms), 1),
        overrun_s=overrun,
        escaped_6h=float(np.count_nonzero(escapes <= 6 * HOUR)) / people,
        humans_inside_24h=_at(times, humans, 24 * HOUR),
        humans_inside_96h=_at(times, humans, 96 * HOUR),
        named_survivors=survivors,
        named_out=frozenset(n for n in survivors if n in left),
        hybrids=result.people.n_hybrids if result.people is not None else 0,
    )


@dataclass(frozen=True)
class Check:
    """One check of the story: how many runs it held in (or the figure it is judged by)."""

    name: str
    holds: bool
    figure: str


def _share(runs: Sequence[RunFigures], ok: Iterable[bool]) -> float:
    return sum(ok) / len(runs)


def tally(runs: Sequence[RunFigures]) -> list[Check]:
    """Each check of the story over many runs: whether it holds, and the figure it reads."""
    n = len(runs)
    checks: list[Check] = []

    def add(name: str, holds: bool, figure: str) -> None:
        checks.append(Check(name, holds, figure))

    late = _share(runs, (r.first_barricade_s - r.first_bite_s >= 300.0 for r in runs))
    add("first barricade >= 5 min after the first bite, in most runs", late > 0.5, f"{late:.0%}")
    few = _share(runs, (r.classrooms_barricaded_10min < 0.5 for r in runs))
    add(
        "under half the classrooms barricaded 10 min after the first turn, in most runs",
        few > 0.5,
        f"{few:.0%}",
    )
    timely = _share(runs, (HOUR <= r.overrun_s <= 5 * HOUR for r in runs))
    add("overrun within 1 to 5 hours, in >= 70 % of runs", timely >= 0.7, f"{timely:.0%}")
    esc = statistics.median(r.escaped_6h for r in runs)
    add("escaped in the first 6 h: median 5 % to 30 %", 0.05 <= esc <= 0.30, f"{esc:.1%}")
    h24 = statistics.median(r.humans_inside_24h for r in runs)
    add("humans inside at 24 h: median 15 to 80", 15 <= h24 <= 80, f"{h24:g}")
    h96 = statistics.median(r.humans_inside_96h for r in runs)
    add("humans inside at 96 h: median 5 to 40", 5 <= h96 <= 40, f"{h96:g}")
    some = _share(runs, (bool(r.named_survivors) for r in runs))
    add("a named student survives in >= 80 % of runs", some >= 0.8, f"{some:.0%}")
    for name in SHOW_SURVIVORS:
        s = _share(runs, (name in r.named_survivors for r in runs))
        add(f"{name} survives in 15 % to 70 % of runs", 0.15 <= s <= 0.70, f"{s:.0%}")
    sets: dict[frozenset[str], int] = {}
    for r in runs:
        sets[r.named_survivors] = sets.get(r.named_survivors, 0) + 1
    top = max(sets.values()) / n
    add("no set of named survivors in more than 25 % of runs", top <= 0.25, f"{top:.0%}")
    cs = _share(runs, ("Lee Cheong-san" not in r.named_survivors for r in runs))
    add("Lee Cheong-san dies in most runs", cs > 0.5, f"{cs:.0%}")
    out = _share(runs, (bool(r.named_out) for r in runs))
    add("named survivors leave the school in >= half the runs", out >= 0.5, f"{out:.0%}")
    hyb = _share(runs, (r.hybrids >= 1 for r in runs))
    most = max(r.hybrids / r.people for r in runs)
    add("a hybrid in 20 % to 80 % of runs", 0.2 <= hyb <= 0.8, f"{hyb:.0%}")
    add("never more than 2 % hybrids", most <= 0.02, f"{most:.1%}")
    return checks


#: Bites within this long of the start count as the first wave's.
FIRST_WAVE_S = 1800.0


def how_it_ended(result: Result, scenario: Scenario, name: str) -> str:
    """How a named character's run ended, as a class that can be counted over seeds: whether
    they survived; else when they were first bitten (in the first wave, the first half hour,
    or later), where (the room they started in, or elsewhere), by whom (someone bitten
    elsewhere who came in and turned there, a zombie that came in, or someone bitten in that
    room) and whether they were stepping in to save someone. For calibrating the default
    scenario: `scripts/story_checks.py --why NAME` counts these classes."""
    if result.events is None:
        raise ValueError("how_it_ended needs the run's events (run without summary_only)")
    if name in result.survivors:
        return "survives"
    ev = result.events.to_pydict()
    kinds, ts, places = ev["kind"], ev["t"], ev["place"]
    actors, targets = ev["actor"], ev["target"]
    first_bite: dict[str, int] = {}
    first_turn: dict[str, int] = {}
    rescues: list[float] = []  # when `name` stepped in to save someone
    for k, kind in enumerate(kinds):
        if kind == "bite":
            first_bite.setdefault(targets[k], k)
        elif kind == "turn":
            first_turn.setdefault(actors[k], k)
        elif kind == "rescue" and actors[k] == name:
            rescues.append(ts[k])
    if name not in first_bite:
        return "dies unbitten"
    k = first_bite[name]
    t, place, biter = ts[k], places[k], actors[k]
    start = next((c.room for c in scenario.characters if c.name == name), None)
    when = "first wave" if t < FIRST_WAVE_S else "later"
    where = "in their first room" if place == start else "elsewhere"
    b = first_bite.get(biter)
    if b is None or places[b] == place:
        by = "by someone bitten there"
    elif biter in first_turn and places[first_turn[biter]] == place:
        by = "by someone who came in bitten"
    else:
        by = "by a zombie that came in"
    rescuing = any(t - 60.0 <= r <= t for r in rescues)
    return f"bitten, {when}, {where}, {by}" + (", stepping in" if rescuing else "")

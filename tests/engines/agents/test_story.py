"""The default Hyosan High run against the show's arc, over 200 seeds (docs/show.md).

Each check of the story (hyosan.engines.agents.story_checks.tally) is a test. The runs are the
default scenario for seeds 1 to 200, so the figures are the same on every machine: a check
that holds here holds everywhere, and one that fails names the figure. Checks the default run
does not meet yet are marked xfail(strict): they are known gaps (docs/show.md, "How the
default run is judged"), and the suite says so at once when one starts to hold.

Plus the direction of the new rules' effects, with the same seeds on both sides.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import hyosan_high
from scipy import stats

import hyosan
from hyosan.engines.agents import AgentsEngine
from hyosan.engines.agents.story_checks import Check, RunFigures, how_it_ended, measure, tally

SEEDS = range(1, 201)

#: Checks the default run does not meet yet, by the start of their name (docs/show.md): none.
KNOWN_GAPS: tuple[str, ...] = ()


def _one(seed: int) -> RunFigures:
    scenario = hyosan.load_scenario("hyosan-high")
    return measure(AgentsEngine().run(scenario, seed=seed), scenario, seed)


@pytest.fixture(scope="module")
def checks() -> dict[str, Check]:
    workers = max(1, min(2, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers) as pool:
        runs = list(pool.map(_one, SEEDS, chunksize=10))
    return {c.name: c for c in tally(runs)}


def _names() -> list[str]:
    # The names of the checks, from a tally of one made-up run (the names do not depend on it).
    dummy = RunFigures(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, frozenset(), frozenset(), 0)
    return [c.name for c in tally([dummy])]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n,
            marks=pytest.mark.xfail(strict=True, reason="a known gap of the default run")
            if n.startswith(KNOWN_GAPS)
            else (),
        )
        for n in _names()
    ],
)
def test_the_story_over_200_seeds(checks: dict[str, Check], name: str) -> None:
    check = checks[name]
    assert check.holds, f"{name}: {check.figure}"


def _escapes(engine: AgentsEngine, *overrides: str) -> list[int]:
    out = []
    for seed in range(1, 21):
        result = engine.run(hyosan_high(*overrides, horizon="1h"), seed=seed)
        out.append(int(result.summary()["n_escaped"]))
    return out


def test_flight_to_the_gates_gets_people_out(engine: AgentsEngine) -> None:
    """Those who panic or flee into a corridor run for the main gate; without it they run
    outside and stay on the grounds (a class that makes for the exits still gets out). More
    escape in the first hour with it: a one-sided Wilcoxon signed-rank test over 20 paired
    seeds at 1 % (117 against 44 a run when written, more in 16 of the 20 seeds)."""
    gates = _escapes(engine)
    grounds = _escapes(engine, "behaviour.panic_to_gates=false", "behaviour.flee_to_gates=false")
    test = stats.wilcoxon(gates, grounds, alternative="greater")
    assert test.pvalue < 0.01, (test.pvalue, gates, grounds)


def test_shut_doors_keep_classes_alive_longer(engine: AgentsEngine) -> None:
    """With doors open zombies see everyone next door: fewer are alive inside after the first
    hour, summed over 20 seeds (4,734 against 3,330 when written). Fewer seeds do not settle
    it: which classes the early chaos reaches varies more from seed to seed than the doors."""

    def humans(*overrides: str) -> int:
        total = 0
        for seed in range(1, 21):
            s = engine.run(hyosan_high(*overrides, horizon="1h"), seed=seed).summary()
            total += int(s["final"]["human"])
        return total

    assert humans() > humans("behaviour.shut_doors=false")


def test_groups_wait_for_the_dark_to_move_for_supplies(engine: AgentsEngine) -> None:
    """With night moves on, a group that runs short moves after sunset unless desperate;
    off, it moves as soon as it runs short, by day too."""

    def move_hours(*overrides: str) -> np.ndarray:
        hours = []
        for seed in range(1, 5):
            result = engine.run(hyosan_high(*overrides, horizon="3d"), seed=seed)
            ev = result.events
            for kind, t in zip(ev["kind"].to_pylist(), ev["t"].to_pylist(), strict=True):
                if kind == "supplies":
                    hours.append((8.5 + t / 3600.0) % 24.0)
        return np.asarray(hours)

    def share_dark(hours: np.ndarray) -> float:
        return float(np.mean((hours < 5.5) | (hours >= 19.5))) if hours.size else 0.0

    night = move_hours()
    any_time = move_hours("behaviour.supplies.night_moves=false")
    assert night.size, "no group moved for supplies with night moves on"
    assert any_time.size, "no group moved for supplies with night moves off"
    assert share_dark(night) > share_dark(any_time), (share_dark(night), share_dark(any_time))


def test_a_decision_to_go_for_supplies_is_one_event(engine: AgentsEngine) -> None:
    """A group that runs short decides once to go, however long it then waits to get through
    and however the nearest place with supplies changes meanwhile: in three days no leader
    logs more than a handful of decisions from one room (On-jo logged one every few minutes
    from classroom 2-5 for days, 1,017 decisions in one run, while the class never left). A
    room that empties and fills again decides afresh, so a lone wanderer may log a few."""
    decisions: Counter[tuple[int, str, str]] = Counter()
    for seed in (1, 7):
        ev = engine.run(hyosan_high(horizon="3d"), seed=seed).events
        columns = (ev[k].to_pylist() for k in ("kind", "actor", "place"))
        for kind, actor, place in zip(*columns, strict=True):
            if kind == "supplies":
                decisions[seed, actor, place] += 1
    assert decisions, "no group decided to go for supplies"
    assert max(decisions.values()) <= 5, decisions.most_common(3)


def test_a_zombie_that_lost_interest_lets_the_quiet_be(engine: AgentsEngine) -> None:
    """Zombies that never lose interest find the holdouts: fewer humans inside at 24 h,
    summed over 6 seeds."""

    def humans(*overrides: str) -> int:
        return sum(
            int(
                engine.run(hyosan_high(*overrides, horizon="24h"), seed=s).summary()["final"][
                    "human"
                ]
            )
            for s in range(1, 7)
        )

    assert humans() > humans("zombies.interest=5d")


def test_with_the_military_on_the_strike_kills_everyone_still_in_the_school(
    engine: AgentsEngine,
) -> None:
    """The government's day 4 switched on (sound drones over the yard, then the strike on the
    school and its grounds): nobody is left alive in the school's buildings afterwards, over
    4 seeds, while some were alive before it in at least one of them."""
    scen = hyosan_high(
        "interventions[0].enabled=true", "interventions[1].enabled=true", horizon="79h"
    )
    assert scen.building is not None
    indoors = {r.name for r in scen.building.rooms if r.kind not in ("outside", "exit")}
    alive_before = 0
    for seed in range(1, 5):
        result = engine.run(scen, seed=seed)
        places = result.places.to_pydict()
        for name, s, e, h in zip(
            places["name"], places["S"], places["E"], places["H"], strict=True
        ):
            if name in indoors:
                assert s[-1] + e[-1] + h[-1] == 0, (seed, name, s[-1], e[-1], h[-1])
        alive_before += int(result.series("human")[result.times < 78 * 3600][-1])
    assert alive_before > 0


def _humans_at(engine: AgentsEngine, horizon: str, seeds: range, *overrides: str) -> int:
    """Humans alive at the horizon, summed over the seeds."""
    return sum(
        int(
            engine.run(hyosan_high(*overrides, horizon=horizon), seed=s).summary()["final"]["human"]
        )
        for s in seeds
    )


def test_a_noisy_hiding_class_is_found(engine: AgentsEngine) -> None:
    """Groups that give themselves away (behaviour.noise) are found: with the noise ten times
    as frequent fewer are alive after 4 hours than without it, summed over 6 seeds."""
    quiet = _humans_at(engine, "4h", range(1, 7), "behaviour.noise.rate=0/h")
    noisy = _humans_at(engine, "4h", range(1, 7), "behaviour.noise.rate=0.5/h")
    assert noisy < quiet, (noisy, quiet)


def test_a_resourceful_leader_hushes_the_group(engine: AgentsEngine) -> None:
    """Behind a barricade, zombies notice the quiet less often where the leader keeps the group
    still (behaviour.noise.hush): with every leader from resourcefulness 0.3 hushing fully, more
    are alive after 12 hours than with nobody hushing, summed over 6 seeds."""
    off = _humans_at(engine, "12h", range(1, 7), "behaviour.noise.hush=0")
    on = _humans_at(
        engine, "12h", range(1, 7), "behaviour.noise.hush=1", "behaviour.noise.hush_from=0.3"
    )
    assert on > off, (on, off)


def test_groups_leave_a_failing_room_by_another_way(engine: AgentsEngine) -> None:
    """With retreat on, groups whose barricade is about to give way set off by a window or a
    door nobody pushes: people move between rooms to hold (move events of named characters
    and survivors) more often than with it off, over 6 seeds of the first 12 hours."""

    def moves(*overrides: str) -> int:
        total = 0
        for seed in range(1, 7):
            ev = engine.run(hyosan_high(*overrides, horizon="12h"), seed=seed).events
            total += ev["kind"].to_pylist().count("move")
        return total

    assert moves("behaviour.barricades.retreat_at=5min") > moves(
        "behaviour.barricades.retreat_at=0s"
    )


def test_how_a_named_character_ended_is_read_off_the_events(engine: AgentsEngine) -> None:
    """story_checks.how_it_ended: survivors say so; everyone else gets when, where and by whom
    they were first bitten. Seed 1 (pinned, as the golden summaries are): zombies break the
    barricade of the stalls where Mi-jin hides and she is bitten stepping in to save someone;
    Lee Byeong-chan holds the science lab with Min Eun-ji and Kim Cheol-su until the troops
    take them out on day 5."""
    scenario = hyosan.load_scenario("hyosan-high")
    result = engine.run(scenario, seed=1)
    named = [c.name for c in scenario.characters]
    ended = {n: how_it_ended(result, scenario, n) for n in named}
    assert {n for n, e in ended.items() if e == "survives"} == set(result.survivors) & set(named)
    assert all(
        e == "survives" or e.startswith(("bitten, ", "dies unbitten")) for e in ended.values()
    )
    assert ended["Park Mi-jin"] == "bitten, later, elsewhere, by a zombie that came in, stepping in"
    assert ended["Lee Byeong-chan"] == "survives"

"""Interventions in a building: the missile strike and the sound lure of the show's day 4, the
troops who take people out (the helicopter, the ground sweep) and the laptop team's sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import hyosan_high

import hyosan
from hyosan.errors import EngineError, UnsupportedFeatureError

STRIKE_ON = "interventions[1].enabled=true"
LURE_ON = "interventions[0].enabled=true"


def _strike_entry(result: hyosan.Result) -> dict:
    return next(e for e in result.summary()["interventions"] if e["kind"] == "strike")


def test_day_4_is_off_and_the_troops_on_by_default(engine) -> None:
    """The strike and the drones are declared off; the helicopter, the ground sweep and the
    laptop team are on (they act on days 2, 5 and 3, so a short run lists them as not
    reached, with no counts: not as having taken, destroyed or shot nobody)."""
    scen = hyosan_high(horizon="30min")
    assert "interventions.strike" not in scen.features
    assert "interventions.lure" not in scen.features
    assert "interventions.evacuate" in scen.features
    assert "interventions.sweep" in scen.features  # the laptop team of day 3
    entries = engine.run(scen, seed=3).summary()["interventions"]
    assert [e["kind"] for e in entries] == ["evacuate", "evacuate", "sweep"]
    assert all(e["reached"] is False and "events" not in e for e in entries)


def test_a_strike_kills_everyone_in_its_area(engine) -> None:
    # An area that holds every room, off-site ones too: nobody is left alive in the building.
    everywhere = 'interventions[1].area={around="entrance hall", radius=100000}'
    scen = hyosan_high(STRIKE_ON, "interventions[1].at=1h", everywhere, horizon="1h")
    result = engine.run(scen, seed=2)
    entry = _strike_entry(result)
    final = result.summary()["final"]
    assert final["human"] + final["bitten"] + final["zombie"] + final["hybrid"] == 0
    assert entry["people"] == entry["zombies"] + entry["not_zombies"]
    assert entry["infected"] + entry["uninfected"] == entry["people"]
    assert entry["people"] > 0
    # Everyone is accounted for: the dead, the destroyed and those who got out.
    assert sum(final.values()) == pytest.approx(result.summary()["people"])
    fates = result.summary()["fates"]
    killed = [n for n, f in fates.items() if f.startswith("killed")]
    assert killed, fates


def test_a_strike_after_the_end_is_reported_not_carried_out(engine) -> None:
    """A strike the run ends before was missing from the terminal and summary.json (on a
    graph of places it reads "not carried out (after the end of the run)")."""
    scen = hyosan_high(STRIKE_ON, "interventions[1].at=5h", horizon="20min")
    entry = _strike_entry(engine.run(scen, seed=1))
    assert entry["name"] == "Missile strike on Hyosan High"
    assert entry.get("t_s") is None  # not carried out: no time, no tally
    assert "people" not in entry


def test_the_strike_leaves_the_run_unchanged_before_it(engine) -> None:
    plain = engine.run(hyosan_high(horizon="2h"), seed=5)
    struck = engine.run(hyosan_high(STRIKE_ON, "interventions[1].at=1h", horizon="2h"), seed=5)
    before = plain.times < 3600.0
    np.testing.assert_array_equal(plain.counts[before], struck.counts[before])


def test_an_earlier_strike_hits_more_of_the_living(engine) -> None:
    # An hour in, most of the school is still human; by ten hours it has turned. Each seed is a
    # paired comparison (the same run up to the first strike): the early strike hits more
    # people who were not zombies in every one of the eight, and leaves no more zombies in the
    # building at the end (fewer over all: zombies outside the area survive either strike and
    # a later one lets more of them turn first).
    fewer = 0
    for seed in range(1, 9):
        early = engine.run(
            hyosan_high(STRIKE_ON, "interventions[1].at=1h", horizon="11h"), seed=seed
        )
        late = engine.run(
            hyosan_high(STRIKE_ON, "interventions[1].at=10h", horizon="11h"), seed=seed
        )
        e, lt = _strike_entry(early), _strike_entry(late)
        assert e["not_zombies"] > lt["not_zombies"], (seed, e, lt)
        z_early = early.summary()["final"]["zombie"]
        z_late = late.summary()["final"]["zombie"]
        assert z_early <= z_late + e["zombies"], (seed, z_early, z_late)
        fewer += z_early < z_late + lt["zombies"]
    assert fewer >= 6


def _zombies_in(result: hyosan.Result, room: str) -> int:
    places = result.places
    names = places.column("name").to_pylist()
    z = places.column("Z").to_pylist()[names.index(room)]
    return int(z[-1])


def test_a_lure_draws_zombies_to_its_room(engine) -> None:
    # Drones over the gym from the second to the eighth hour, against the same seeds without;
    # the mean paired difference must exceed four standard errors. (Toward the yard the pull is
    # as strong where the way out is open, but barricades often close it.)
    diffs = []
    for seed in range(1, 13):
        on = hyosan_high(
            LURE_ON,
            "interventions[0].toward=gym",
            "interventions[0].start=2h",
            "interventions[0].end=8h",
            horizon="8h",
        )
        lured = _zombies_in(engine.run(on, seed=seed), "gym")
        plain = _zombies_in(engine.run(hyosan_high(horizon="8h"), seed=seed), "gym")
        diffs.append(lured - plain)
    diff = np.array(diffs, float)
    se = diff.std(ddof=1) / math.sqrt(diff.size)
    assert diff.mean() > 4 * se, diffs


@pytest.mark.parametrize("seed", [1, 18])
def test_under_the_drones_no_group_goes_back_and_forth(engine, seed: int) -> None:
    # Seeds where, during the day-4 drones, a group set off for supplies and turned back every
    # step or two (ducking into cover on the way; turned back at a room that once refused
    # its leader): 900 and 479 decisions by one leader, hundreds of barricades. A group decides
    # to go a handful of times in five days, and nobody barricades every few steps.
    run = engine.run(hyosan_high(LURE_ON, STRIKE_ON, horizon="80h"), seed=seed)
    events = run.events.to_pandas()
    for kind, most in (("supplies", 5), ("barricade", 40)):
        by_actor = events[events.kind == kind].actor.value_counts()
        assert by_actor.empty or by_actor.iloc[0] <= most, (kind, by_actor.head(3).to_dict())


def test_the_building_refuses_what_it_cannot_do(engine) -> None:
    cordon = hyosan_high(
        'interventions=[{kind="cordon", area={places=["yard"]}, start="1h"}]', horizon="1h"
    )
    with pytest.raises(UnsupportedFeatureError, match=r"interventions\.cordon"):
        engine.run(cordon, seed=1)
    lure_area = hyosan_high(LURE_ON, 'interventions[0].area={places=["yard"]}', horizon="1h")
    with pytest.raises(EngineError, match="area"):
        engine.run(lure_area, seed=1)


def test_the_strike_is_named_as_the_cause_of_its_victims_fates(engine) -> None:
    # Zombies the strike destroyed read "destroyed by someone in the yard" before: their fate,
    # and the death of the living, now name the strike.
    everywhere = 'interventions[1].area={around="entrance hall", radius=100000}'
    scen = hyosan_high(STRIKE_ON, "interventions[1].at=1h", everywhere, horizon="1h")
    result = engine.run(scen, seed=2)
    fates = result.summary()["fates"]
    assert not [f for f in fates.values() if "by someone" in f], fates
    by_strike = [n for n, f in fates.items() if "by the air strike" in f]
    assert any(fates[n].startswith("turned") for n in by_strike), fates
    ev = result.events.to_pydict()
    sentences = [d for k, d in zip(ev["kind"], ev["detail"], strict=True) if k in ("kill", "death")]
    assert any("the air strike" in d for d in sentences)


HELICOPTER_ON = "interventions[2].enabled=true"
SWEEP_ON = "interventions[3].enabled=true"


def test_the_ground_sweep_takes_out_whom_it_finds(engine) -> None:
    """The troops at every room from 1 h, at a high rate: everyone human left in the building
    is taken out within the hour (safe), the bitten are left behind with chance catch_bitten
    (here 1), zombies stay; each taken person has an escape event, and named ones read so."""
    scen = hyosan_high(
        SWEEP_ON,
        'interventions[3].area={around="entrance hall", radius=100000}',
        "interventions[3].start=1h",
        "interventions[3].end=2h",
        "interventions[3].speed=1/min",
        "interventions[3].catch_bitten=1",
        horizon="2h",
    )
    result = engine.run(scen, seed=2)
    summary = result.summary()
    before = engine.run(hyosan_high(horizon="1h"), seed=2).summary()
    assert summary["final"]["human"] == 0
    assert summary["final"]["safe"] > before["final"]["safe"]
    entry = next(e for e in summary["interventions"] if e["name"] == "ground sweep")
    taken = entry["events"]["taken out"]
    assert taken > 0
    # Every person taken is an escape; the bitten were all caught, so none escaped bitten.
    escapes = [
        t
        for k, t in zip(
            result.events["kind"].to_pylist(), result.events["t"].to_pylist(), strict=True
        )
        if k == "escape" and t >= 3600
    ]
    assert len(escapes) >= taken
    out = [n for n, f in summary["fates"].items() if "taken out by the troops" in f]
    assert all(n in summary["survivors"] for n in out)


def test_a_helicopter_takes_no_more_than_it_holds(engine) -> None:
    """A helicopter of capacity 1 over every room, at a rate that would take everyone: one
    person taken out, over three seeds."""
    scen = hyosan_high(
        HELICOPTER_ON,
        'interventions[2].area={around="entrance hall", radius=100000}',
        "interventions[2].start=30min",
        "interventions[2].end=40min",
        "interventions[2].speed=10/min",
        "interventions[2].signal=0s",  # any room held by people who know: no SOS to wait for
        horizon="1h",
    )
    for seed in (1, 2, 3):
        entry = next(
            e
            for e in engine.run(scen, seed=seed).summary()["interventions"]
            if e["name"] == "helicopter at the roof"
        )
        assert entry["events"]["taken out"] == 1


LAPTOP = "interventions[4]"


def _laptop_team_everywhere(*more: str, kill: str = "10/min"):
    """The laptop team in every room from 1 h to 2 h, meeting each zombie and bitten person
    about once every few seconds: nobody it hunts is left at 2 h."""
    return hyosan_high(
        f'{LAPTOP}.area={{around="entrance hall", radius=100000}}',
        f"{LAPTOP}.start=1h",
        f"{LAPTOP}.end=2h",
        f"{LAPTOP}.kill={kill}",
        *more,
        horizon="2h",
    )


def test_the_laptop_team_destroys_zombies_and_shoots_the_bitten(engine) -> None:
    """At 2 h no zombie or bitten person is left in the building; each one the team destroyed
    or shot is an event of the troops, counted in its entry and as reactions of their own
    (`kill`, `shot_bitten`) that account for every change of the states."""
    result = engine.run(_laptop_team_everywhere(), seed=2)
    summary = result.summary()
    before = engine.run(hyosan_high(horizon="1h"), seed=2).summary()
    assert before["final"]["zombie"] > 0  # there was something to hunt
    assert summary["final"]["zombie"] == 0
    assert summary["final"]["bitten"] == 0
    entry = next(e for e in summary["interventions"] if e["name"] == "laptop team")
    ev = result.events.to_pydict()
    # The troops' events have no actor (nobody of the building did it).
    by_troops = [
        i
        for i, (k, t, a) in enumerate(zip(ev["kind"], ev["t"], ev["actor"], strict=True))
        if t >= 3600 and k in ("kill", "death") and a == ""
    ]
    n_kill = sum(ev["kind"][i] == "kill" for i in by_troops)
    n_shot = sum(ev["kind"][i] == "death" for i in by_troops)
    assert entry["events"] == {"zombies destroyed": n_kill, "bitten shot": n_shot}
    assert n_kill >= before["final"]["zombie"]
    final = dict(zip(result.reactions, result.reaction_counts[-1], strict=True))
    assert final["shot_bitten"] == n_shot
    changes = np.diff(result.counts, axis=0)
    done = np.diff(result.reaction_counts, axis=0) @ result.stoichiometry
    assert np.abs(changes - done).max() == 0.0
    fates = summary["fates"]
    assert any("destroyed by the troops" in f for f in fates.values()), fates


def test_a_sweep_of_zombies_only_leaves_the_bitten(engine) -> None:
    """Without the bitten among its compartments the team shoots nobody: bitten people are
    left to turn, and the entry counts no shots."""
    result = engine.run(_laptop_team_everywhere(f'{LAPTOP}.compartments=["Z"]'), seed=2)
    entry = next(e for e in result.summary()["interventions"] if e["name"] == "laptop team")
    assert entry["events"]["zombies destroyed"] > 0
    assert "bitten shot" not in entry["events"]
    assert "shot_bitten" not in result.reactions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (f"{LAPTOP}.bite_risk=0.1", "bite_risk"),
        (f'{LAPTOP}.compartments=["S"]', "compartments"),
    ],
)
def test_a_sweep_in_a_building_refuses_what_it_cannot_do(engine, change, field) -> None:
    with pytest.raises(EngineError, match=rf"interventions\[4\]\.{field}"):
        engine.run(hyosan_high(change, horizon="10min"), seed=1)


def _helicopter_everywhere(*more: str):
    """The helicopter over every room from 1 h to 1.5 h, room for everyone, at a rate that
    finds nearly everyone within minutes."""
    return hyosan_high(
        'interventions[2].area={around="entrance hall", radius=100000}',
        "interventions[2].start=1h",
        "interventions[2].end=90min",
        "interventions[2].speed=10/min",
        "interventions[2].capacity=1000",
        *more,
        horizon="90min",
    )


def _taken_at(result: hyosan.Result) -> list[float]:
    """When the troops took someone out: escapes from a room (an escape on foot is at an exit,
    such as the main gate; a named person's pickup also says so in its sentence)."""
    ev = result.events.to_pydict()
    assert result.scenario.building is not None
    exits = {r.name for r in result.scenario.building.rooms if r.kind == "exit"}
    return [
        t
        for k, t, p, d in zip(ev["kind"], ev["t"], ev["place"], ev["detail"], strict=True)
        if k == "escape" and t >= 3600 and ("troops" in d or p not in exits)
    ]


def test_a_helicopter_with_a_signal_comes_only_for_an_sos(engine) -> None:
    """With `signal`, the troops take people only from rooms held that long by people who
    know of the outbreak. A signal longer than the run so far shows no SOS anywhere: nobody
    taken. A 20-minute one shows it in most held rooms: about as many taken as with a signal
    of 0 (any room held at the moment; the runs part after 1 h, so not exactly as many). One
    of 55 minutes, seen at looks every ten minutes from 5 min, lets nobody be taken before
    1 h 05."""
    for seed in (1, 2):
        plain = engine.run(_helicopter_everywhere("interventions[2].signal=0s"), seed=seed)
        held = engine.run(_helicopter_everywhere("interventions[2].signal=20min"), seed=seed)
        never = engine.run(_helicopter_everywhere("interventions[2].signal=2h"), seed=seed)
        taken = [
            next(e for e in r.summary()["interventions"] if e["kind"] == "evacuate")["events"][
                "taken out"
            ]
            for r in (plain, held, never)
        ]
        assert taken[0] > 50, taken
        assert abs(taken[1] - taken[0]) <= 0.15 * taken[0], taken
        assert taken[2] == 0, taken
        late = engine.run(_helicopter_everywhere("interventions[2].signal=55min"), seed=seed)
        times = _taken_at(late)
        assert times, "someone held a room from 5 minutes on"
        assert min(times) >= 3600 + 5 * 60

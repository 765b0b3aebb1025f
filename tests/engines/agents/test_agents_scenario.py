"""The person-by-person sections of a scenario: the Hyosan High defaults, and bad input
reported with the file, the field, the line and what is allowed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hyosan
from hyosan.errors import ScenarioError
from hyosan.scenario.agents import builtin_building_names

HEAD = """name = "bad"
engine = "agents"
model = "jonas"

[time]
horizon = "1h"

[[building.rooms]]
name = "hall"
kind = "corridor"

[[building.rooms]]
name = "office"
kind = "office"

[[building.doors]]
between = ["hall", "office"]
"""


def problems(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        hyosan.load_scenario(path)
    return str(info.value)


def test_hyosan_high_counts_its_people() -> None:
    """About 650 people, all human but the index case, who is bitten; nobody keyed by name."""
    scen = hyosan.load_scenario("hyosan-high")
    counts = dict(zip(scen.model.compartments, scen.initial_vector(), strict=True))
    assert counts["E"] == 1
    assert 600 <= counts["S"] + counts["E"] <= 700
    assert "hyosan-high" in builtin_building_names()
    names = {c.name for c in scen.characters}
    assert {"Nam On-jo", "Lee Cheong-san", "Choi Nam-ra", "Kim Hyeon-ju"} <= names


def test_the_same_scenario_runs_as_a_mean_field() -> None:
    """Under the ode engine Hyosan High is a well-mixed school, overrun within hours (without
    the troops, who act on the building's rooms, which a mean field does not have)."""
    troops_off = [f"interventions[{i}].enabled=false" for i in (2, 3, 4)]
    result = hyosan.simulate(
        "hyosan-high", engine="ode", overrides=["time.horizon=1d", *troops_off]
    )
    t_overrun = result.summary()["t_overrun_s"]
    assert t_overrun is not None
    assert 3600 <= t_overrun <= 5 * 3600
    np.testing.assert_allclose(result.counts.sum(axis=1), 652, rtol=1e-8)


def test_a_door_to_an_unknown_room_names_the_door_the_room_and_the_rooms(tmp_path: Path) -> None:
    text = HEAD + '\n[[building.doors]]\nbetween = ["hall", "yrad"]\n'
    message = problems(tmp_path, text)
    assert "building.doors[1].between (line 20)" in message
    assert "door 'hall' – 'yrad' names no room 'yrad'" in message
    assert "the rooms are 'hall', 'office'" in message


def test_people_in_an_unknown_room_are_named(tmp_path: Path) -> None:
    text = HEAD + '\n[[people.groups]]\nname = "staff"\nrooms = ["offfice"]\nper_room = 3\n'
    text += '\n[[characters]]\nname = "X"\nroom = "hall"\ntraits = { bravery = 0.5 }\n'
    message = problems(tmp_path, text)
    assert "characters[0].traits" in message
    assert "unknown trait 'bravery'" in message
    text = text.replace("traits = { bravery = 0.5 }", 'group = "nowhere"')
    message = problems(tmp_path, text)
    assert "people.groups[0].rooms[0]" in message
    assert "no room 'offfice' in the building; rooms are 'hall', 'office'" in message
    assert "characters[0].group" in message


def test_a_bad_kind_lists_the_kinds(tmp_path: Path) -> None:
    message = problems(tmp_path, HEAD.replace('kind = "office"', 'kind = "dungeon"'))
    assert "building.rooms[1].kind (line 14)" in message
    assert "'classroom'" in message


def test_an_unknown_builtin_building_lists_the_builtins(tmp_path: Path) -> None:
    text = HEAD.split("[[building.rooms]]")[0] + 'building = "hogwarts"\n'
    message = problems(
        tmp_path, text.replace('[time]\nhorizon = "1h"\n', "") + '[time]\nhorizon = "1h"\n'
    )
    assert "unknown built-in building 'hogwarts'" in message
    assert "hyosan-high" in message


def test_a_model_without_a_state_the_people_need_is_refused() -> None:
    """The agents engine needs a compartment for every state a person can be in."""
    scen = hyosan.load_scenario("hyosan-high", ["time.horizon=1h"])
    data = scen.model_dump(mode="json", exclude_none=True)
    del data["model"]["compartments"]["X"]
    data["model"]["reactions"] = [r for r in data["model"]["reactions"] if "X" not in r["equation"]]
    data["model"]["parameters"].pop("escape_rate")
    data["interventions"] = []  # the troops' evacuations would be refused first, for the same
    with pytest.raises(hyosan.HyosanError, match="no compartment of state 'safe'"):
        hyosan.simulate(hyosan.Scenario.model_validate(data))


def _speeds(tmp_path: Path, people: str) -> np.ndarray:
    from hyosan.engines.agents.building import compile_building
    from hyosan.engines.agents.people import make_population
    from hyosan.scenario.agents import Virus

    path = tmp_path / "speeds.toml"
    path.write_text(HEAD + people, encoding="utf-8")
    scenario = hyosan.load_scenario(path)
    assert scenario.building is not None
    plan = compile_building(scenario.building)
    population = make_population(scenario, plan, Virus(), np.random.default_rng(1))
    return population.traits[:, 0]


def test_a_speed_distribution_is_clipped_to_speeds_not_to_0_1(tmp_path: Path) -> None:
    """A trait written without low and high is clipped to its own range: a speed of about
    6 m/s stayed 6 m/s, where everyone got exactly 1 m/s (the 0 to 1 of the other traits)."""
    group = """
[[people.groups]]
name = "runners"
rooms = ["office"]
count = 200
traits = { speed = { mean = 6.0, sd = 0.5 } }
"""
    speeds = _speeds(tmp_path, group)
    assert speeds.size == 200
    assert 5.8 < speeds.mean() < 6.2
    assert speeds.std() > 0.3
    table = "\n[people.traits]\nspeed = { mean = 3.0, sd = 0.3 }\n"
    others = group.replace("speed", "courage").replace("6.0", "0.5")
    assert 2.8 < _speeds(tmp_path, table + others).mean() < 3.2


@pytest.mark.parametrize(
    ("people", "fragment"),
    [
        ("[people.traits]\ncourage = { mean = 3.0 }", "mean 3 is outside low 0 to high 1"),
        ("[people.traits]\nspeed = { mean = -2.0 }", "mean -2 is outside low 0.5 to high 15"),
        ("[people.traits]\nspeed = { mean = 2.0, low = 0.0 }", "must lie above 0"),
        ("[people.traits]\nstrength = { mean = 0.5, high = 2.0 }", "must lie from 0 to 1"),
        ("[people.traits]\nweapon = { mean = 0.5, low = 0.8, high = 0.2 }", "above high"),
        ('[[characters]]\nname = "Still"\nroom = "office"\ntraits = { speed = 0.0 }',
         "speed = 0.0 must be above 0"),
    ],
)  # fmt: skip
def test_a_trait_outside_its_range_is_refused(tmp_path: Path, people: str, fragment: str) -> None:
    """A speed of 0 ended `run` in a division by zero after `validate` passed; a mean outside
    [low, high] gave everyone the bound."""
    assert fragment in problems(tmp_path, HEAD + "\n" + people + "\n")


def test_a_median_delay_of_zero_is_refused(tmp_path: Path) -> None:
    """A lognormal delay's median must be above 0: 0 printed numpy's warning about log(0)
    and the run's R_t went missing."""
    text = HEAD + '\n[virus]\nturn_median = "0s"\n'
    assert "virus.turn_median (line 20): a median delay must be more than 0" in problems(
        tmp_path, text
    )


def test_notes_on_a_floor_plan_nobody_can_leave(tmp_path: Path) -> None:
    """Valid plans that read as a story that cannot happen: a room no door reaches, no exit,
    an exit whose only door leads in. Each is a note (a vault may be meant), not a problem."""
    from hyosan.scenario.agents import building_notes

    def notes(extra: str) -> list[str]:
        path = tmp_path / "plan.toml"
        path.write_text(HEAD + extra, encoding="utf-8")
        building = hyosan.load_scenario(path).building
        assert building is not None
        return building_notes(building)

    vault = '\n[[building.rooms]]\nname = "vault"\nkind = "closet"\n'
    assert notes(vault) == [
        "building: no door reaches vault: nobody can go in or out",
        'building: no room of kind "exit": nobody can get out',
    ]
    street = '\n[[building.rooms]]\nname = "street"\nkind = "exit"\n'
    door_in = '\n[[building.doors]]\nbetween = ["street", "hall"]\none_way = true\n'
    assert notes(street + door_in) == [
        "building: no exit can be reached from inside: nobody can get out"
    ]
    door_out = door_in.replace('["street", "hall"]', '["hall", "street"]')
    assert notes(street + door_out) == []
    high = hyosan.load_scenario("hyosan-high").building
    assert high is not None
    assert building_notes(high) == []


def test_the_clock_starts_at_a_time_of_day() -> None:
    """`agents.clock_start` is a time of day on day 1: 25h would tell the run from day 2."""
    with pytest.raises(
        hyosan.HyosanError, match=r"clock_start: a time of day, 0s <= clock_start < 24h"
    ):
        hyosan.load_scenario("hyosan-high", ["agents.clock_start=25h"])
    assert hyosan.load_scenario("hyosan-high", ["agents.clock_start=23.5h"])

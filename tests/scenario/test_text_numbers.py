"""A number written in quotes (`S = "500"`) is an error at its key, not read as the number.

Text is for values with units ("10d", "0.5/day") and for names; pydantic's lax mode read "500"
as 500 wherever a number belongs, silently.
"""

from __future__ import annotations

import pytest

import hyosan
from hyosan.errors import ScenarioError
from hyosan.scenario.catalog import builtin_scenario_text
from hyosan.scenario.load import load_scenario, parse_scenario

SMALL = """\
name = "small"
model = "munz-szr"
[initial]
S = 500
Z = 1
[time]
horizon = "10d"
"""


def problems(text: str, *overrides: str) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "case", overrides)
    return [str(p) for p in raised.value.problems]


def said(text: str) -> str:
    return f'"{text}" is text in quotes; write the number without them: {text.strip()}'


@pytest.mark.parametrize(
    ("scenario", "override", "path"),
    [
        ("munz-basic", 'initial.S="500"', "initial.S"),
        ("munz-basic", 'seed="7"', "seed"),
        ("munz-culls", 'culls[0].fraction="0.5"', "culls[0].fraction"),
        ("munz-culls", 'culls[0].fraction=[0.5, "0.25"]', "culls[0].fraction[1]"),
        ("hyosan-city", 'world.regions[1].population="3000"', "world.regions[1].population"),
        ("hyosan-city", 'world.seeds[0].counts.E="1"', "world.seeds[0].counts.E"),
        ("hyosan-city", 'interventions[0].leak="0.05"', "interventions[0].leak"),
        ("hyosan-high", 'characters[2].traits.speed="4.6"', "characters[2].traits.speed"),
        ("hyosan-high", 'people.groups[0].per_room="30"', "people.groups[0].per_room"),
        ("hyosan-high", 'interventions[2].capacity="1"', "interventions[2].capacity"),
        ("alemi-lattice", 'world.size=["64", 64]', "world.size[0]"),
    ],
)
def test_a_number_in_quotes_is_refused_at_its_key(scenario: str, override: str, path: str) -> None:
    text = override.partition("=")[2]
    quoted = text.split('"')[1]
    # (parse_scenario speaks of --set; load_scenario, Python's API, of overrides.)
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(builtin_scenario_text(scenario), scenario, [override])
    assert [str(p) for p in raised.value.problems] == [
        f"{path}: {said(quoted)} (from --set {override})"
    ]


def test_the_line_is_given_and_other_problems_of_the_table_are_listed_too() -> None:
    text = SMALL.replace("S = 500", 'S = " 500"').replace("Z = 1", "Z = -1")
    assert problems(text) == [
        f"initial.S (line 4): {said(' 500')}",
        "initial.Z (line 5): Input should be greater than or equal to 0; found -1 (int)",
    ]


def test_a_schedules_factor_in_quotes_is_refused() -> None:
    """Schedules are a section of their own (not model.Frozen): the same rule holds."""
    scenario = SMALL.replace('model = "munz-szr"\n', "") + (
        '[model]\ncompartments = { S = "human", Z = "zombie" }\n'
        'parameters = { bite_rate = "1/day" }\n'
        '[[model.reactions]]\nname = "bite"\nequation = "S + Z -> 2 Z"\nrate = "bite_rate"\n'
        'schedule = { at = ["0h", "12h"], factor = [1, "0.5"], repeat = "1d" }\n'
    )
    found = problems(scenario)
    assert f"model.reactions[0].schedule.factor[1] (line 14): {said('0.5')}" in found


def test_text_that_is_no_number_keeps_pydantics_message() -> None:
    (problem,) = problems(SMALL, "initial.S=many")
    assert problem == (
        "initial.S: Input should be a valid number, unable to parse string as a number; "
        "found 'many' (str) (from --set initial.S=many)"
    )


def test_text_where_text_belongs_is_read() -> None:
    """Names, units and the names of built-ins are text; a place may be a name or a number."""
    scen = load_scenario(
        "hyosan-city", ['world.seeds[0].at="Downtown"', 'world.fill="S"', 'time.horizon="2d"']
    )
    assert scen.world is not None
    assert scen.world.seeds[0].at == "Downtown"
    assert load_scenario("munz-basic", ["initial.S=500.0"]).initial["S"] == 500.0


def test_evolve_refuses_a_number_in_quotes() -> None:
    with pytest.raises(ScenarioError) as raised:
        hyosan.load_scenario("munz-basic").evolve(initial={"S": "500", "Z": 1})
    assert [str(p) for p in raised.value.problems] == [f"initial.S: {said('500')}"]

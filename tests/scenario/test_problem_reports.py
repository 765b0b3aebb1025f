"""Problems are reported once, where they are, and said to come from --set where they do.

- A reaction that fails (a bad schedule) is not reported a second time as an empty list of
  reactions: pydantic counts a tuple's items after validation, leaving out those that failed.
- A boolean written as text (`stop = "true"`) is refused, as a number in quotes is, and so is
  a number given for a boolean (`enabled = 1`).
- An unknown region in a route is reported at the route's `start` or `end`, so that one given
  with --set says so, as every other --set problem does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hyosan
from hyosan.cli import main
from hyosan.errors import ScenarioError
from hyosan.scenario.agents import Door
from hyosan.scenario.catalog import builtin_scenario_text
from hyosan.scenario.load import parse_scenario

OWN_MODEL = """\
name = "own"
[initial]
S = 500
Z = 1
[time]
horizon = "10d"
[model]
compartments = { S = "human", Z = "zombie" }
parameters = { bite_rate = "1/day" }
[[model.reactions]]
name = "bite"
equation = "S + Z -> 2 Z"
rate = "bite_rate"
schedule = { at = ["0h", "12h"], factor = [1, 0.5], repeat = "1d" }
"""

CITY = builtin_scenario_text("hyosan-city")
REGIONS = (
    "Hyosan High, Hospital, Downtown, Old town, Riverside, Station, North hills, "
    "Industrial park, Yangdong, Military camp, Beyond the cordon"
)


def problems(text: str, *overrides: str) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "case", overrides)
    return [str(p) for p in raised.value.problems]


# --- a failed reaction is reported once ---------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"12h"]',
            '"bogus"]',
            "model.reactions[0].schedule.at[1] (line 14): cannot read 'bogus' as a duration; "
            'write a number and a unit, e.g. "90s", "4h" or "10d"',
        ),
        (
            "0.5]",
            "-0.5]",
            "model.reactions[0].schedule.factor[1] (line 14): Input should be greater than or "
            "equal to 0; found -0.5 (float)",
        ),
        (
            'equation = "S + Z -> 2 Z"',
            'equation = "S + Z"',
            "model.reactions[0].equation (line 12): 'S + Z' needs exactly one '->', e.g. "
            "'S + Z -> 2 Z' or 'Z ->'",
        ),
    ],
    ids=["schedule-at", "schedule-factor", "equation"],
)
def test_the_only_reactions_failure_is_the_only_problem(old: str, new: str, expected: str) -> None:
    assert old in OWN_MODEL
    assert problems(OWN_MODEL.replace(old, new)) == [expected]


def test_a_list_whose_items_all_fail_is_not_also_too_short() -> None:
    # `at` and `factor` need one item each: they have one, which fails.
    text = OWN_MODEL.replace('at = ["0h", "12h"], factor = [1, 0.5]', 'at = ["x"], factor = [-1]')
    assert [p.split(" (line")[0] for p in problems(text)] == [
        "model.reactions[0].schedule.at[0]",
        "model.reactions[0].schedule.factor[0]",
    ]


def test_a_list_that_is_too_short_is_still_said_to_be() -> None:
    text = OWN_MODEL.replace('at = ["0h", "12h"], factor = [1, 0.5]', "at = [], factor = []")
    found = problems(text)
    assert found == [
        f"model.reactions[0].schedule.{field} (line 14): List should have at least 1 item, "
        "not 0; found [] (list)"
        for field in ("at", "factor")
    ]
    empty = OWN_MODEL.split("[[model.reactions]]")[0] + "reactions = []\n"
    assert problems(empty) == [
        "model.reactions (line 10): List should have at least 1 item, not 0; found [] (list)"
    ]


def test_validate_prints_the_one_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "own.toml"
    file.write_text(OWN_MODEL.replace('"12h"]', '"bogus"]'), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(file)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "1 problem" in err
    assert "at least 1 item" not in err
    assert "Traceback" not in err


# --- booleans written as text -------------------------------------------------------------


def bool_said(text: str, word: str) -> str:
    return f'"{text}" is text; write true or false without quotes: {word}'


@pytest.mark.parametrize(
    ("scenario", "override", "word"),
    [
        ("hyosan-city", 'interventions[0].enabled="false"', "false"),
        ("hyosan-city", "interventions[0].enabled=off", "false"),
        ("hyosan-city", 'world.routes[0].both_ways="yes"', "true"),
        ("munz-basic", 'record.events="TRUE"', "true"),
        ("hyosan-high", 'behaviour.flee="0"', "false"),
        ("hyosan-high", 'characters[0].aware="yes"', "true"),
    ],
)
def test_a_boolean_as_text_is_refused_at_its_key(scenario: str, override: str, word: str) -> None:
    path, _, value = override.partition("=")
    text = value.strip('"')  # (the quotes are TOML's, in --set as in the file)
    assert problems(builtin_scenario_text(scenario), override) == [
        f"{path}: {bool_said(text, word)} (from --set {override})"
    ]


def test_a_boolean_or_nothing_as_text_is_refused() -> None:
    # A door's `barricade` is true, false or left out (bool | None): text is refused there too.
    with pytest.raises(ValueError, match="write true or false without quotes: false"):
        Door.model_validate({"between": ["a", "b"], "barricade": "no"})
    assert Door.model_validate({"between": ["a", "b"], "barricade": False}).barricade is False


def test_a_boolean_in_quotes_in_the_file_is_refused_with_its_line() -> None:
    text = OWN_MODEL + '[[thresholds]]\nname = "half"\nof = "Z"\nabove = 250\nstop = "true"\n'
    assert problems(text) == [f"thresholds[0].stop (line 19): {bool_said('true', 'true')}"]


def test_only_text_that_reads_as_a_boolean_is_refused_with_this_message() -> None:
    # "maybe" is no boolean: pydantic's own message says so. A boolean is read as before.
    (problem,) = problems(CITY, "interventions[0].enabled=maybe")
    assert problem == (
        "interventions[0].enabled: Input should be a valid boolean, unable to interpret input; "
        "found 'maybe' (str) (from --set interventions[0].enabled=maybe)"
    )
    assert problems(CITY, "interventions[1].enabled=on") == [
        "interventions[1].enabled: "
        f"{bool_said('on', 'true')} (from --set interventions[1].enabled=on)"
    ]
    scen = hyosan.load_scenario("hyosan-city", ["interventions[0].enabled=false"])
    assert scen.interventions[0].enabled is False


def test_evolve_refuses_a_boolean_as_text() -> None:
    with pytest.raises(ScenarioError) as raised:
        hyosan.load_scenario("munz-basic").evolve(record={"events": "false"})
    assert [str(p) for p in raised.value.problems] == [
        f"record.events: {bool_said('false', 'false')}"
    ]


def test_validate_refuses_a_quoted_boolean_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "quoted.toml"
    file.write_text(CITY, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(file), "--set", 'interventions[0].enabled="false"'])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert str(file) in err
    assert "write true or false without quotes" in err
    assert "Traceback" not in err


# --- numbers given for booleans --------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("interventions[0].enabled=1", "1 is a number; write true or false: true"),
        ("interventions[0].enabled=0", "0 is a number; write true or false: false"),
        ("interventions[0].enabled=1.0", "1.0 is a number; write true or false: true"),
        ("interventions[0].enabled=2", "2 is a number; write true or false"),
        ("world.routes[0].both_ways=0", "0 is a number; write true or false: false"),
    ],
)
def test_a_number_for_a_boolean_is_refused_at_its_key(override: str, said: str) -> None:
    """`enabled = 1` was taken for true (and 0 for false), where the file means a switch."""
    path = override.partition("=")[0]
    assert problems(CITY, override) == [f"{path}: {said} (from --set {override})"]


def test_a_number_for_a_boolean_in_the_file_is_refused_with_its_line() -> None:
    text = OWN_MODEL + '[[thresholds]]\nname = "half"\nof = "Z"\nabove = 250\nstop = 1\n'
    assert problems(text) == [
        "thresholds[0].stop (line 19): 1 is a number; write true or false: true"
    ]
    # A boolean or nothing (a door's barricade): a number is refused there too.
    with pytest.raises(ValueError, match="1 is a number; write true or false: true"):
        Door.model_validate({"between": ["a", "b"], "barricade": 1})


def test_true_and_false_still_set_a_boolean() -> None:
    scen = hyosan.load_scenario(
        "hyosan-city", ["interventions[0].enabled=false", "interventions[1].enabled=true"]
    )
    assert (scen.interventions[0].enabled, scen.interventions[1].enabled) == (False, True)
    # A number where a number is expected is no business of this check.
    assert hyosan.load_scenario("hyosan-city", ["interventions[0].leak=1"]).interventions[0]


def test_validate_refuses_a_number_for_a_boolean_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "numbered.toml"
    file.write_text(CITY.replace("[[interventions]]\n", "[[interventions]]\nenabled = 1\n", 1))
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(file)])
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert str(file) in err
    assert "interventions[0].enabled (line" in err
    assert "1 is a number; write true or false: true" in err
    assert "Traceback" not in err


# --- a route's unknown region, from --set ---------------------------------------------------


def test_a_route_broken_by_set_says_so_and_names_its_field() -> None:
    override = "world.routes[0].start=Nowhere"
    assert problems(CITY, override) == [
        f"world.routes[0].start: no region 'Nowhere' (regions: {REGIONS}) (from --set {override})"
    ]


def test_a_whole_route_given_with_set_has_both_ends_reported() -> None:
    override = 'world.routes[2]={ start = "Downtwn", end = "Nowhere" }'
    assert problems(CITY, override) == [
        f"world.routes[2].start: no region 'Downtwn' (regions: {REGIONS}); did you mean "
        f"'Downtown'? (from --set {override})",
        f"world.routes[2].end: no region 'Nowhere' (regions: {REGIONS}) (from --set {override})",
    ]


def test_a_route_in_the_file_keeps_its_line_when_another_field_is_set() -> None:
    text = CITY.replace('end = "Hospital" }', 'end = "Hospitl" }', 1)
    assert text != CITY
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("routes = ["))
    (problem,) = problems(text, "world.routes[0].weight=3")
    assert problem.startswith(f"world.routes[0].end (line {line}): no region 'Hospitl'")
    assert "--set" not in problem


def test_validate_says_the_route_came_from_set(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "hyosan-city", "--set", "world.routes[0].end=Nowhere"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "world.routes[0].end: no region 'Nowhere'" in err
    assert "(from --set world.routes[0].end=Nowhere)" in err
    assert "(line " not in err
    assert "Traceback" not in err


def test_a_table_made_wrong_by_a_set_field_names_the_set_beside_its_line() -> None:
    # A region given lat without lon: the problem is the region's, on its line in the file, and
    # the --set that changed one of its fields is named beside it (it was not said at all).
    (problem,) = problems(CITY, "world.regions[0].lat=37")
    assert re.match(r"world\.regions\[0\] \(line \d+\): region 'Hyosan High': give lat", problem)
    assert problem.endswith("(with --set world.regions[0].lat=37)")

"""A room or place named by an intervention, a character or a handoff that the building or the
world does not have: the file, the field and its line, the wrong name, the name likely meant,
and the names (or where to read them), said once per wrong name.

Built-in scenarios are written out with `hyosan show` and broken in one place, as a user who
edits one would; `hyosan validate` runs in this process (see test_scenario_errors.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from hyosan.cli import main
from hyosan.errors import EngineError, ScenarioError
from hyosan.interventions.plan import find_place
from hyosan.scenario.catalog import builtin_scenario_text
from hyosan.scenario.load import load_scenario, parse_scenario
from hyosan.world.graph import from_edges, lattice

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def validate(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """`hyosan validate` of `text`, which must be refused with exit code 2: (file, stderr)."""
    path = tmp_path / "edited.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2
    err = ANSI.sub("", capsys.readouterr().err)
    assert "Traceback" not in err
    assert err.startswith(f"error: {path}: "), err
    return path, err


def edit(name: str, old: str, new: str, count: int = 1) -> str:
    """Built-in scenario `name` as `hyosan show` writes it, with `old` (found `count` times)
    replaced by `new`."""
    text = builtin_scenario_text(name)
    assert text.count(old) == count, f"{old!r} is not in {name} {count} times"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """The line of `text` where `fragment` first stands."""
    return text[: text.index(fragment)].count("\n") + 1


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("  - ")]


# --- interventions ---------------------------------------------------------------------------


def test_a_mistyped_room_in_an_area_names_the_field_its_line_and_the_room_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit("hyosan-high", 'area = { places = ["roof"] }', 'area = { places = ["rooff"] }')
    _, err = validate(text, tmp_path, capsys)
    line = line_of(text, '"rooff"')
    assert problems(err) == [
        f"  - interventions[2].area.places[0] (line {line}): no room 'rooff' in the building; "
        "the 91 rooms are listed by `hyosan show --building hyosan-high`; did you mean 'roof'?"
    ]


def test_a_mistyped_room_an_area_is_around_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit("hyosan-high", 'around = "roof", hops', 'around = "Roof top", hops')
    _, err = validate(text, tmp_path, capsys)
    (said,) = problems(err)
    assert said.startswith(
        f"  - interventions[4].area.around (line {line_of(text, 'Roof top')}): no room "
        "'Roof top' in the building"
    )
    assert said.endswith("did you mean 'roof' or 'roof stairs'?")


def test_a_switched_off_interventions_rooms_are_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sound drones are off by default: their room is still a typo to be told of (turning
    them on with --set would otherwise be the first to say so)."""
    text = edit("hyosan-high", 'toward = "yard"', 'toward = "yrad"')
    _, err = validate(text, tmp_path, capsys)
    (said,) = problems(err)
    assert said.startswith(f"  - interventions[0].toward (line {line_of(text, 'yrad')}): ")
    assert "no room 'yrad' in the building" in said
    assert "did you mean 'yard'?" in said


def test_a_mistyped_district_lists_the_few_districts_and_the_one_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit(
        "hyosan-city",
        'area = { places = ["Downtown", "Hospital"] }',
        'area = { places = ["Downtwon", "Hospital"] }',
    )
    _, err = validate(text, tmp_path, capsys)
    assert problems(err) == [
        f"  - interventions[2].area.places[0] (line {line_of(text, 'Downtwon')}): no place "
        "'Downtwon' in the world; places are 'Hyosan High', 'Hospital', 'Downtown', 'Old town', "
        "'Riverside', 'Station', 'North hills', 'Industrial park', 'Yangdong', 'Military camp', "
        "'Beyond the cordon'; did you mean 'Downtown'?"
    ]


def test_a_district_named_wrong_everywhere_is_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name mistyped in every list of districts: one problem, at the first, saying where
    else."""
    head, sep, interventions = builtin_scenario_text("hyosan-city").partition("[[interventions]]")
    assert interventions.count('"Old town"') == 5
    text = head + sep + interventions.replace('"Old town"', '"Old twon"')
    _, err = validate(text, tmp_path, capsys)
    (said,) = problems(err)
    assert said.startswith(
        f"  - interventions[0].area.places[3] (line {line_of(text, 'Old twon')}): no place "
        "'Old twon' in the world (also at interventions[1].area.places[3], "
        "interventions[3].area.places[3], interventions[5].area.places[2] and 1 more); "
    )
    assert said.endswith("did you mean 'Old town'?")


def test_the_camp_and_the_handoff_are_places_of_the_world(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit("hyosan-city", 'camp = "Military camp"', 'camp = "Military Kamp"')
    text = text.replace('place = "Hyosan High"', 'place = "Hyosan Hihg"')
    _, err = validate(text, tmp_path, capsys)
    said = problems(err)
    assert len(said) == 2, err
    assert said[0].startswith(f"  - handoff.place (line {line_of(text, 'Hyosan Hihg')}): ")
    assert said[0].endswith("did you mean 'Hyosan High'?")
    assert said[1].startswith(f"  - interventions[3].camp (line {line_of(text, 'Kamp')}): ")
    assert said[1].endswith("did you mean 'Military camp'?")


def test_a_name_the_world_has_is_not_refused() -> None:
    """The checks find nothing wrong with the built-ins (every one of their names is right),
    nor with "center" or a place number, which no name list holds."""
    for name in ("hyosan-high", "hyosan-city", "korea", "seoul-season2"):
        load_scenario(name)
    load_scenario("hyosan-city", ['interventions[2].area.places=["center", 3]'])


def test_a_grids_landmark_is_checked_when_the_world_is_built() -> None:
    """Korea's 81 cities are known once its grid is read: the engine's message suggests the
    name meant and shows some of the names, not the whole list."""
    world = lattice(3, 3)
    cities = {f"City {i}": i % 9 for i in range(40)}
    world = type(world)(**{**world.__dict__, "landmarks": {**cities, "Hyosan": 4}})
    assert find_place(world, "Hyosan", "f") == 4
    with pytest.raises(EngineError) as raised:
        find_place(world, "Hyosn", "interventions[0].area.around")
    said = str(raised.value)
    assert said.startswith("interventions[0].area.around: no place 'Hyosn' in the world; ")
    assert "the 41 places include 'City 0'" in said
    assert "and 29 more" in said
    assert said.endswith("did you mean 'Hyosan'?")
    # Without names, the world's own message says what a place can be.
    with pytest.raises(EngineError, match=r'"center", \[row, col\] or N'):
        find_place(lattice(3, 3), "Hyosan", "f")


def test_a_graph_of_named_places_suggests_its_names() -> None:
    world = from_edges(3, np.array([0]), np.array([1]), names=("Seoul", "Busan", "Daegu"))
    assert find_place(world, "Busan", "f") == 1
    with pytest.raises(EngineError, match=r"no place 'Busna' .*did you mean 'Busan'\?$"):
        find_place(world, "Busna", "f")


# --- named characters ------------------------------------------------------------------------


def test_characters_in_a_mistyped_room_are_one_problem_that_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Class 2-5's twelve named characters start in their classroom: a typo in its name (a
    search and replace gone wrong) is one problem, not twelve copies of one message."""
    text = edit("hyosan-high", 'room = "2-5"', 'room = "2_5"', count=12)
    _, err = validate(text, tmp_path, capsys)
    (said,) = problems(err)
    first = line_of(text, 'room = "2_5"')
    assert said.startswith(
        f"  - characters[2].room (line {first}): no room '2_5' in the building "
        "(for 12 characters: Nam On-jo, Lee Cheong-san, "
    )
    assert said.endswith(
        "); the 91 rooms are listed by `hyosan show --building hyosan-high`; did you mean '2-5'?"
    )
    assert len(said) < 400, "the message is a line to read, not the building's room list"


def test_characters_of_a_mistyped_class_are_one_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edit("hyosan-high", 'group = "2-5"', 'group = "2_5"', count=12)
    _, err = validate(text, tmp_path, capsys)
    (said,) = problems(err)
    first = line_of(text, 'group = "2_5"')
    assert said.startswith(
        f"  - characters[2].group (line {first}): '2_5' (the group of 12 characters: Nam On-jo, "
    )
    assert said.endswith(
        "is neither a room (a class) nor a group of people (archers, office staff, students, "
        "teachers); did you mean '2-5'?"
    )


def test_each_wrong_room_is_said_once_and_a_lone_character_is_named() -> None:
    text = edit("hyosan-high", 'room = "infirmary"', 'room = "infirmery"', count=2)
    text = text.replace('room = "2-5"', 'room = "2-55"', 1)
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "edited")
    said = [str(p) for p in raised.value.problems]
    assert len(said) == 2, said
    nurse_and_patient_zero = "(for 2 characters: Kim Hyeon-ju, the school nurse)"
    assert f"no room 'infirmery' in the building {nurse_and_patient_zero}" in said[0]
    assert said[0].endswith("did you mean 'infirmary'?")
    assert "no room '2-55' in the building (for 1 character: Nam On-jo)" in said[1]


def test_a_building_of_ones_own_lists_a_few_rooms_or_says_where_they_are() -> None:
    small = """
name = "own"
model = "jonas"
[time]
horizon = "1h"
[building]
name = "hyosan-high"
rooms = [{ name = "hall", kind = "hall" }, { name = "office", kind = "office" },
         { name = "gate", kind = "exit" }]
doors = [{ between = ["hall", "office"] }, { between = ["hall", "gate"] }]
[[characters]]
name = "X"
room = "offise"
"""
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(small, "own")
    (said,) = [str(p) for p in raised.value.problems]
    # A plan of its own that takes a built-in's name: its rooms are its own, listed.
    assert said == (
        "characters[0].room (line 13): no room 'offise' in the building (for 1 character: X); "
        "rooms are 'hall', 'office', 'gate'; did you mean 'office'?"
    )

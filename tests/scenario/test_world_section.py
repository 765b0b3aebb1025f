"""The [world] and [record] sections of a scenario file: what is accepted and every error.

Each wrong [world] is a ScenarioError whose problem names the field (the dotted path) and the
line, with a message that says what is wrong; `hyosan validate FILE` prints it and exits 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hyosan.cli import main
from hyosan.errors import ScenarioError
from hyosan.scenario.load import parse_scenario

HEAD = """name = "world section test"
engine = "ssa"
model = "munz-szr"
time = { horizon = "1d" }
"""

LATTICE = '[world]\nkind = "lattice"\nsize = [3, 3]\n'

BAD = {
    "movement-unknown-compartment": (
        LATTICE + 'movement = { X = "1/day" }\n',
        "world.movement.X",
        "the model has no compartment 'X'",
    ),
    "cross-unknown-reaction": (
        LATTICE + 'cross = { reactions = ["hug"] }\n',
        "world.cross.reactions[0]",
        "the model has no reaction 'hug' (it has birth, bite, kill",
    ),
    "cross-one-reactant": (
        LATTICE + 'cross = { reactions = ["bite", "natural_death"] }\n',
        "world.cross.reactions[1]",
        "'natural_death' (S -> R) does not meet two different compartments",
    ),
    "cross-no-reactant": (
        LATTICE + 'cross = { reactions = ["birth"] }\n',
        "world.cross.reactions[0]",
        "does not meet two different compartments",
    ),
    "cross-empty": (
        LATTICE + "cross = { reactions = [] }\n",
        "world.cross.reactions",
        "at least 1 item",
    ),
    "cross-negative-factor": (
        LATTICE + 'cross = { reactions = ["bite"], factor = -1 }\n',
        "world.cross.factor",
        "greater than or equal to 0",
    ),
    "initial-with-world": (
        "[initial]\nS = 5\n" + LATTICE,
        "initial",
        "takes its people from world.fill and world.seeds",
    ),
    "grid-without-grid-or-file": (
        '[world]\nkind = "grid"\n',
        "world",
        'kind = "grid" needs one of grid = "korea" or file = "path"',
    ),
    "grid-with-both": (
        '[world]\nkind = "grid"\ngrid = "korea"\nfile = "people.csv"\n',
        "world",
        'kind = "grid" needs one of grid = "korea" or file = "path"',
    ),
    "route-unknown-region": (
        '[world]\nkind = "regions"\nregions = [{ name = "A", population = 1 }]\n'
        'routes = [{ start = "A", end = "B" }]\n',
        "world.routes[0].end",
        "no region 'B' (regions: A)",
    ),
    "regions-named-twice": (
        '[world]\nkind = "regions"\n'
        'regions = [{ name = "A", population = 1 }, { name = "A", population = 2 }]\n',
        "world.regions",
        "the name 'A' is used twice",
    ),
    "region-lat-without-lon": (
        '[world]\nkind = "regions"\nregions = [{ name = "A", population = 1, lat = 37.5 }]\n',
        "world.regions[0]",
        "region 'A': give lat and lon together, or neither",
    ),
    "region-lat-out-of-range": (
        '[world]\nkind = "regions"\n'
        'regions = [{ name = "A", population = 1, lat = 95.0, lon = 127.0 }]\n',
        "world.regions[0].lat",
        "less than or equal to 90",
    ),
    "regions-some-placed": (
        '[world]\nkind = "regions"\n'
        'regions = [{ name = "A", population = 1, lat = 37.5, lon = 127.0 }, '
        '{ name = "B", population = 1 }]\n',
        "world.regions",
        "'B' has no lat and lon, and other regions have them",
    ),
    "regions-fill-table": (
        '[world]\nkind = "regions"\nregions = [{ name = "A", population = 1 }]\nfill = { S = 1 }\n',
        "world.fill",
        "fill names the compartment",
    ),
    "lattice-without-size": ('[world]\nkind = "lattice"\n', "world", 'kind = "lattice" needs size'),
    "edges-without-nodes": (
        '[world]\nkind = "graph"\nedges = "edges.csv"\n',
        "world",
        "a CSV edge list needs nodes = N",
    ),
    "graph-without-edges-or-random": (
        '[world]\nkind = "graph"\n',
        "world",
        'kind = "graph" needs one of random',
    ),
    "stop-at-edge-on-regions": (
        '[world]\nkind = "regions"\nregions = [{ name = "A", population = 1 }]\n'
        "stop_at_edge = true\n",
        "world",
        "stop_at_edge needs a border",
    ),
    "seed-unknown-compartment": (
        LATTICE + '[[world.seeds]]\nat = "center"\ncounts = { Q = 1 }\n',
        "world.seeds[0].counts.Q",
        "the model has no compartment 'Q'",
    ),
    "fill-unknown-compartment": (
        LATTICE + 'fill = "X"\n',
        "world.fill",
        "the model has no compartment 'X'",
    ),
    "movement-without-unit": (
        LATTICE + 'movement = { S = "5" }\n',
        "world.movement.S",
        "cannot read '5' as a rate",
    ),
    "unknown-kind": ('[world]\nkind = "torus"\n', "world.kind", "'lattice', 'grid', 'regions'"),
    "snapshots-negative": (
        LATTICE + "[record]\nsnapshots = -1\n",
        "record.snapshots",
        "greater than or equal to 0",
    ),
}


@pytest.mark.parametrize(("text", "path", "message"), list(BAD.values()), ids=list(BAD))
def test_bad_world_is_a_scenario_error_naming_the_field(text: str, path: str, message: str) -> None:
    """The error lists a problem at the field's dotted path, with its line and the reason."""
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(HEAD + text, "bad.toml")
    problems = {p.path: p for p in exc.value.problems}
    assert path in problems, exc.value.render()
    assert message in problems[path].message, exc.value.render()
    assert problems[path].line is not None
    assert "bad.toml" in str(exc.value)


def test_every_problem_of_a_world_is_listed_at_once() -> None:
    """An unknown cross reaction, a one-reactant one and an unknown moving compartment: three
    problems in one report."""
    text = LATTICE + (
        'cross = { reactions = ["bite", "hug", "natural_death"] }\nmovement = { X = "1/day" }\n'
    )
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(HEAD + text, "bad.toml")
    assert [p.path for p in exc.value.problems] == [
        "world.cross.reactions[1]",
        "world.cross.reactions[2]",
        "world.movement.X",
    ]


def test_a_good_world_is_accepted_with_its_defaults() -> None:
    """A full [world] and [record] validate; fill defaults to "S", the cross factor to 1, and
    movement rates are read per second."""
    scen = parse_scenario(
        HEAD
        + LATTICE
        + 'movement = { Z = "1/h" }\ncross = { reactions = ["bite", "kill"] }\n'
        + "stop_at_edge = true\n[[world.seeds]]\nat = [1, 2]\ncounts = { Z = 2 }\n"
        + "[record]\nsnapshots = 0\nevents = true\n",
        "good.toml",
    )
    world = scen.world
    assert world is not None
    assert world.fill == "S"
    assert world.cross is not None
    assert world.cross.factor == 1.0
    assert float(world.movement["Z"]) == pytest.approx(1 / 3600)
    assert world.seeds[0].at == (1, 2)
    assert scen.record.snapshots == 0
    assert scen.record.events
    assert {"world", "world.movement", "world.cross", "record.events"} <= scen.features


@pytest.mark.parametrize(
    "case",
    [
        "cross-one-reactant",
        "route-unknown-region",
        "initial-with-world",
        "movement-unknown-compartment",
    ],
)
def test_validate_exits_2_and_names_the_field(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hyosan validate FILE` on a bad [world]: exit 2, the file and the field named, no
    traceback."""
    text, path, message = BAD[case]
    file = tmp_path / "bad-world.toml"
    file.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(file)])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "Traceback" not in both
    assert str(file) in both
    assert path in both
    assert message in both

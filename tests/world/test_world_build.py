"""From a scenario's [world] to places and people (world/build.py): seeds and fill.

Checked: a seed names its place by "center", [row, col], a name or a number, and every wrong
name is an EngineError naming the field; fill puts people in every place; seeds are taken out
of the filled compartment so the population is kept, and where places hold head counts a seed
of more than its place holds is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hyosan.errors import EngineError
from hyosan.scenario.load import parse_scenario
from hyosan.scenario.schema import Scenario
from hyosan.world.build import build_world, seed_place
from hyosan.world.graph import World, from_edges, grid_world, lattice

HEAD = """
name = "world build test"
engine = "ssa"
model = "alemi-szr"
time = { horizon = "1d" }
"""


def _scenario(world: str) -> Scenario:
    return parse_scenario(HEAD + world, "test scenario")


def _build(world: str) -> tuple[World, np.ndarray]:
    return build_world(_scenario(world), np.random.default_rng(0))


# --- seed_place ---------------------------------------------------------------------------------


def test_center_of_a_lattice_is_the_middle_cell() -> None:
    """ "center" is the cell (rows // 2, cols // 2)."""
    world = lattice(5, 8)
    assert seed_place(world, "center", "f") == world.place_of(2, 4)
    world = lattice(4, 4)
    assert seed_place(world, "center", "f") == world.place_of(2, 2)


def test_center_of_a_graph_is_the_middle_number() -> None:
    """A world with no grid: "center" is place n // 2."""
    world = from_edges(7, np.arange(6), np.arange(1, 7))
    assert seed_place(world, "center", "f") == 3


def test_center_cell_with_nobody_is_an_error() -> None:
    """A grid whose centre cell holds nobody: an error that asks for [row, col]."""
    mask = np.ones((3, 3), dtype=bool)
    mask[1, 1] = False
    with pytest.raises(EngineError, match=r"world\.seeds\[0\]\.at: nobody lives in the centre"):
        seed_place(grid_world(mask), "center", "world.seeds[0].at")


def test_row_col_and_number() -> None:
    """[row, col] is the place at that cell; a number is that place."""
    world = lattice(3, 4)
    assert seed_place(world, (2, 1), "f") == 9
    assert seed_place(world, 5, "f") == 5
    assert seed_place(world, 0, "f") == 0
    assert seed_place(world, 11, "f") == 11


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (12, r"seeds\[1\]\.at: place 12 is outside 0\.\.11"),
        (-1, r"seeds\[1\]\.at: place -1 is outside 0\.\.11"),
        ((3, 0), r"seeds\[1\]\.at: cell \[3, 0\] is outside the grid"),
        ((0, -1), r"seeds\[1\]\.at: cell \[0, -1\] is outside the grid"),
        ("Seoul", r"seeds\[1\]\.at: no place named 'Seoul'.*\"center\", \[row, col\] or N"),
    ],
)
def test_bad_seed_on_a_lattice(at: object, message: str) -> None:
    """A place number, cell or name that is not in the world is an error naming the field."""
    with pytest.raises(EngineError, match=message):
        seed_place(lattice(3, 4), at, "world.seeds[1].at")  # type: ignore[arg-type]


def test_row_col_on_a_world_with_no_grid() -> None:
    """[row, col] needs a lattice or grid."""
    world = from_edges(3, np.array([0]), np.array([1]))
    with pytest.raises(EngineError, match=r"f: \[row, col\] needs a lattice or grid"):
        seed_place(world, (0, 0), "f")


def test_names_and_landmarks() -> None:
    """A region's name is its place; a grid's landmark is its cell's place; an unknown name lists
    the known ones."""
    world = from_edges(3, np.array([0]), np.array([1]), names=("Seoul", "Busan", "Daegu"))
    assert seed_place(world, "Busan", "f") == 1
    with pytest.raises(EngineError, match="no place named 'Hyosan'; known names: Seoul, Busan"):
        seed_place(world, "Hyosan", "f")
    # A misspelt name gets the nearest, as a misspelt room or intervention place does.
    with pytest.raises(EngineError, match=r"known names: .*; did you mean 'Busan'\?"):
        seed_place(world, "Pusan", "f")
    grid = lattice(3, 3)
    grid = type(grid)(**{**grid.__dict__, "landmarks": {"Hyosan": 7}})
    assert seed_place(grid, "Hyosan", "f") == 7
    with pytest.raises(EngineError, match="known names: Hyosan"):
        seed_place(grid, "Seoul", "f")


# --- fill and seeds -----------------------------------------------------------------------------


def test_lattice_fill_and_seed_from_the_fill() -> None:
    """fill = { S = 1 } puts one human on every site; the zombie seeded in the centre replaces
    the human there, so there are still rows × cols people."""
    world, x = _build(
        """
[world]
kind = "lattice"
size = [5, 7]
fill = { S = 1 }
[[world.seeds]]
at = "center"
counts = { Z = 1 }
"""
    )
    centre = world.place_of(2, 3)
    assert x.dtype == np.int64
    assert x.shape == (35, 3)
    assert x.sum() == 35
    assert x[centre].tolist() == [0, 1, 0]
    others = np.delete(x, centre, axis=0)
    assert np.all(others == [1, 0, 0])


def test_fill_of_several_compartments_gives_seeds_from_them_in_order() -> None:
    """fill = { S = 2, R = 1 }: a seed of 3 zombies takes both humans and then the removed one,
    keeping the place's head count."""
    _, x = _build(
        """
[world]
kind = "lattice"
size = [1, 3]
fill = { S = 2, R = 1 }
[[world.seeds]]
at = 0
counts = { Z = 3 }
[[world.seeds]]
at = [0, 2]
counts = { Z = 1 }
"""
    )
    assert x.tolist() == [[0, 3, 0], [2, 0, 1], [1, 1, 1]]


REGIONS = """
[world]
kind = "regions"
fill = "S"
regions = [{ name = "Hyosan", population = 50 }, { name = "Busan", population = 0 }]
routes = [{ start = "Hyosan", end = "Busan" }]
[[world.seeds]]
at = "AT"
counts = { Z = COUNT }
"""


def _regions(at: str, z: int) -> str:
    return REGIONS.replace("AT", at).replace("COUNT", str(z))


@pytest.mark.parametrize(("at", "z", "held"), [("Hyosan", 51, 50), ("Busan", 1, 0)])
def test_a_seed_of_more_people_than_a_counted_place_holds_is_refused(
    at: str, z: int, held: int
) -> None:
    """Where places hold head counts, a seed takes its people from them: more than the place
    holds (a typo's extra zeros, a seed in an empty place) once made people from nothing."""
    with pytest.raises(EngineError, match=r"world\.seeds\[0\]\.counts\.Z: ") as refused:
        _build(_regions(at, z))
    assert f"{z:,} people asked for, but the place holds {held:,} in S" in str(refused.value)
    _, x = _build(_regions("Hyosan", 50))  # all of them: allowed, N kept
    assert x.tolist() == [[0, 50, 0], [0, 0, 0]]


def test_a_seed_beyond_a_fill_of_one_count_a_place_adds_people() -> None:
    """With every place filled with one count (one person a site), a seed sets its place's
    start: what the fill does not hold is added."""
    _, x = _build(
        """
[world]
kind = "lattice"
size = [1, 2]
fill = { S = 1 }
[[world.seeds]]
at = 0
counts = { Z = 3 }
"""
    )
    assert x.tolist() == [[0, 3, 0], [1, 0, 0]]


def test_regions_fill_with_their_populations_and_seed_by_name() -> None:
    """A regions world puts each region's population in the filled compartment; a seed by name
    takes its zombies from there."""
    world, x = _build(
        """
[world]
kind = "regions"
fill = "S"
regions = [
    { name = "Hyosan", population = 50 },
    { name = "Seoul", population = 300 },
    { name = "Busan", population = 0 },
]
routes = [{ start = "Hyosan", end = "Seoul" }, { start = "Seoul", end = "Busan" }]
[[world.seeds]]
at = "Seoul"
counts = { Z = 2 }
"""
    )
    assert world.names == ("Hyosan", "Seoul", "Busan")
    assert x.tolist() == [[50, 0, 0], [298, 2, 0], [0, 0, 0]]


def test_graph_from_an_edge_file(tmp_path: Path) -> None:
    """kind = "graph" with an edge CSV: nodes places, fill in each, the CSV's edges both ways."""
    edges = tmp_path / "edges.csv"
    edges.write_text("# a path\n0,1\n1,2\n2,3\n", encoding="utf-8")
    world, x = _build(
        f"""
[world]
kind = "graph"
edges = "{edges.as_posix()}"
nodes = 5
fill = {{ S = 1 }}
[[world.seeds]]
at = 0
counts = {{ Z = 1 }}
"""
    )
    assert world.n_places == 5
    assert world.degree().tolist() == [1, 2, 2, 1, 0]
    assert x[:, 0].tolist() == [0, 1, 1, 1, 1]
    assert x[:, 1].tolist() == [1, 0, 0, 0, 0]


def test_graph_edge_file_errors_name_the_field(tmp_path: Path) -> None:
    """An edge file that is missing, has one column or names a place past nodes is an
    EngineError that names world.edges."""
    missing = tmp_path / "missing.csv"
    one_column = tmp_path / "one.csv"
    one_column.write_text("0\n1\n", encoding="utf-8")
    too_far = tmp_path / "far.csv"
    too_far.write_text("0,1\n1,9\n", encoding="utf-8")
    for path, message in [
        (missing, "cannot read"),
        (one_column, "line 1: 1 column"),
        (too_far, r"line 2: place 9 is outside 0\.\.3"),
    ]:
        world = f'[world]\nkind = "graph"\nedges = "{path.as_posix()}"\nnodes = 4\n'
        with pytest.raises(EngineError, match=rf"world\.edges: .*{message}"):
            _build(world)


def _edge_world(tmp_path: Path, text: str, nodes: int = 4) -> World:
    path = tmp_path / "edges.csv"
    path.write_text(text, encoding="utf-8")
    world, _ = _build(f'[world]\nkind = "graph"\nedges = "{path.as_posix()}"\nnodes = {nodes}\n')
    return world


def _weight(world: World, a: int, b: int) -> float:
    row = slice(world.indptr[a], world.indptr[a + 1])
    at = np.flatnonzero(world.indices[row] == b)
    assert at.size == 1, f"no edge {a}-{b}"
    return float(world.weights[row][at[0]]) if world.weights.size else 1.0


def test_the_third_column_of_an_edge_file_is_the_weight(tmp_path: Path) -> None:
    """a,b,weight: each edge both ways with its weight; parallel edges add theirs."""
    world = _edge_world(tmp_path, "# a, b, weight\n0,1,2.5\n1,2,0.5  # a comment\n2,1,1\n")
    assert _weight(world, 0, 1) == _weight(world, 1, 0) == 2.5
    assert _weight(world, 1, 2) == _weight(world, 2, 1) == 1.5
    assert world.degree().tolist() == [1, 2, 1, 0]


def test_weights_of_one_are_the_two_column_file(tmp_path: Path) -> None:
    weighted = _edge_world(tmp_path, "0,1,1\n1,2,1.0\n")
    plain = _edge_world(tmp_path, "0,1\n1,2\n")
    for name in ("indptr", "indices", "weights"):
        np.testing.assert_array_equal(getattr(weighted, name), getattr(plain, name))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,1\n1,2,3,4\n", "line 2: 4 columns"),
        ("0,1,1\n1,2\n", "line 2: 2 columns where the lines above have 3"),
        ("# header\n\n0,1,0\n", "line 3: the weight 0 is not a finite number above 0"),
        ("0,1,-2\n", "line 1: the weight -2 is not"),
        ("0,1,nan\n", "line 1: the weight nan is not"),
        ("0,1,inf\n", "line 1: the weight inf is not"),
        ("0,1,heavy\n", "line 1: the weight 'heavy' is not a number"),
        ("0,1.5\n", "line 1: '1.5' is not a whole place number"),
        ("a,b\n0,1\n", "line 1: 'a' is not a place number"),
        ("0,1_0\n", "line 1: '1_0' is not a place number"),
        ("0,-1\n", r"line 1: place -1 is outside 0\.\.3"),
    ],
)
def test_an_edge_file_beyond_its_format_is_refused_at_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(EngineError, match=rf"world\.edges: .*edges\.csv {message}.*a,b,weight"):
        _edge_world(tmp_path, text)


def test_an_edge_file_of_comments_only_has_no_edges(tmp_path: Path) -> None:
    assert _edge_world(tmp_path, "# nothing yet\n").n_edges == 0


def test_random_graph_world_is_drawn_from_the_world_stream() -> None:
    """kind = "graph" with random = {...}: the same generator state gives the same world."""
    world_text = """
[world]
kind = "graph"
random = { nodes = 300, mean_degree = 4 }
fill = { S = 1 }
"""
    scen = _scenario(world_text)
    a, xa = build_world(scen, np.random.default_rng(7))
    b, xb = build_world(scen, np.random.default_rng(7))
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(xa, xb)
    assert a.degree().mean() == pytest.approx(4.0)
    assert xa.sum() == 300


def test_seed_errors_surface_when_the_world_is_built() -> None:
    """A seed at an unknown name fails when the world is built, naming world.seeds[i].at."""
    with pytest.raises(EngineError, match=r"world\.seeds\[1\]\.at: no place named 'Atlantis'"):
        _build(
            """
[world]
kind = "regions"
regions = [{ name = "A", population = 5 }, { name = "B", population = 5 }]
routes = [{ start = "A", end = "B" }]
[[world.seeds]]
at = "A"
counts = { Z = 1 }
[[world.seeds]]
at = "Atlantis"
counts = { Z = 1 }
"""
        )


def test_grid_from_a_file_drops_empty_cells_unless_kept(tmp_path: Path) -> None:
    """A head-count grid: cells with nobody are not places (unless keep_empty), places are
    numbered along a Z-order curve (row and column bits interleaved, the row's higher), each
    holds its head count in the filled compartment, and a seed at an empty cell is an error
    naming the field."""
    grid = tmp_path / "people.csv"
    grid.write_text("5,0,2\n0,7,0\n", encoding="utf-8")
    world_text = f'[world]\nkind = "grid"\nfile = "{grid.as_posix()}"\nfill = "S"\n'
    world, x = _build(world_text + "[[world.seeds]]\nat = [1, 1]\ncounts = { Z = 2 }\n")
    assert world.shape == (2, 3)
    assert [tuple(c) for c in world.cells.tolist()] == [(0, 0), (1, 1), (0, 2)]
    assert x.tolist() == [[5, 0, 0], [5, 2, 0], [2, 0, 0]]
    assert world.n_edges == 0  # no two places are side by side
    kept, x_kept = _build(world_text + "keep_empty = true\n")
    assert kept.n_places == 6
    # (0, 0), (0, 1), (1, 0), (1, 1), then (0, 2), (1, 2).
    assert x_kept[:, 0].tolist() == [5, 0, 0, 7, 2, 0]
    with pytest.raises(
        EngineError, match=r"world\.seeds\[0\]\.at: cell \[0, 1\] is outside the grid or nobody"
    ):
        _build(world_text + "[[world.seeds]]\nat = [0, 1]\ncounts = { Z = 1 }\n")

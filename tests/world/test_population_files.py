"""Population grids from files: every format round-trips, every bad file is a clear error."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from hyosan.errors import HyosanError
from hyosan.world.population_files import load_population_grid

#: Bierbaum and Alemi's 2-mile US population grid, not in the repository: where HYOSAN_US_GRID
#: says, else in a `shared/data` folder beside the repository (benchmarks/bench_us_grid.py).
US_GRID = Path(
    os.environ.get("HYOSAN_US_GRID")
    or Path(__file__).resolve().parents[3] / "shared" / "data" / "usa-2mi-population.json.gz"
)

GRID = np.array([[0, 1, 2], [30, 0, 400], [5, 6, 0], [7, 0, 1_000_000]], dtype=np.int64)


def write(path: Path, grid: np.ndarray) -> Path:
    """Write `grid` in the format named by the path's extension."""
    rows = grid.tolist()
    name = path.name.lower()
    if name.endswith(".json.gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(rows, fh)
    elif name.endswith(".json"):
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif name.endswith(".csv"):
        path.write_text("\n".join(",".join(str(v) for v in row) for row in rows) + "\n")
    elif name.endswith(".npy"):
        np.save(path, grid)
    return path


@pytest.mark.parametrize("name", ["grid.csv", "grid.npy", "grid.json", "grid.json.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    """Each format reads back the same counts, as a C-contiguous int64 array."""
    got = load_population_grid(write(tmp_path / name, GRID))
    assert got.dtype == np.int64
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, GRID)


def test_path_as_string_and_upper_case_extension(tmp_path: Path) -> None:
    got = load_population_grid(str(write(tmp_path / "GRID.CSV", GRID)))
    np.testing.assert_array_equal(got, GRID)


def test_csv_blank_lines_spaces_and_whole_floats(tmp_path: Path) -> None:
    """Blank lines are skipped; whole numbers written as floats are fine."""
    path = tmp_path / "grid.csv"
    path.write_text("\n1, 2 ,3\n\n  \n4.0,5,6e1\n\n", encoding="utf-8")
    np.testing.assert_array_equal(load_population_grid(path), [[1, 2, 3], [4, 5, 60]])


def test_csv_as_excel_saves_it(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark: read, not "'\\ufeff1' is not a
    number". The same for an edge list."""
    from hyosan.world.edge_files import load_edge_list

    path = tmp_path / "grid.csv"
    path.write_bytes("\ufeff1,2,3\r\n4,5,6\r\n".encode())
    np.testing.assert_array_equal(load_population_grid(path), [[1, 2, 3], [4, 5, 6]])
    edges = tmp_path / "edges.csv"
    edges.write_bytes("\ufeff0,1\r\n1,2\r\n".encode())
    heads, tails, _ = load_edge_list(edges, 3)
    assert list(heads) == [0, 1]
    assert list(tails) == [1, 2]


def test_npy_float_and_fortran_order(tmp_path: Path) -> None:
    """A float or Fortran-ordered array of whole numbers becomes C-contiguous int64."""
    path = tmp_path / "grid.npy"
    np.save(path, np.asfortranarray(GRID.astype(np.float32)))
    got = load_population_grid(path)
    assert got.dtype == np.int64
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, GRID)


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = {
    "missing": (lambda d: d / "nowhere.csv", r"not found"),
    "unknown extension": (
        lambda d: _text(d / "grid.txt", "1,2\n"),
        r"unknown population grid format '\.txt'; "
        r"allowed: \.json, \.json\.gz, \.csv, \.npy, \.tif, \.tiff",
    ),
    "no extension": (lambda d: _text(d / "grid", "1,2\n"), r"allowed: \.json"),
    "csv ragged": (
        lambda d: _text(d / "grid.csv", "1,2,3\n4,5,6\n7,8\n"),
        r"ragged rows: row 2 \(line 3\) has 2 values, expected 3",
    ),
    "csv header": (
        lambda d: _text(d / "grid.csv", "a,b\n1,2\n"),
        r"line 1 \(row 0\), column 0: 'a' is not a number.*no header",
    ),
    "csv negative": (
        lambda d: _text(d / "grid.csv", "1,2\n3,-4\n"),
        r"row 1, column 1: -4 is negative",
    ),
    "csv fraction": (
        lambda d: _text(d / "grid.csv", "1,2\n3,4\n5.5,6\n"),
        r"row 2, column 0: 5\.5 is not a whole number",
    ),
    "csv nan": (lambda d: _text(d / "grid.csv", "1,nan\n"), r"row 0, column 1: nan is not finite"),
    "csv inf": (lambda d: _text(d / "grid.csv", "1,2\ninf,3\n"), r"row 1, column 0: inf is not"),
    "csv empty": (lambda d: _text(d / "grid.csv", "\n\n"), r"empty"),
    "json ragged": (
        lambda d: _text(d / "grid.json", "[[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 2]]"),
        r"ragged rows: row 3 has 2 values, expected 3",
    ),
    "json negative": (
        lambda d: _text(d / "grid.json", "[[1, 2], [3, -4]]"),
        r"row 1, column 1: -4 is negative",
    ),
    "json fraction": (
        lambda d: _text(d / "grid.json", "[[1, 2.25], [3, 4]]"),
        r"row 0, column 1: 2\.25 is not a whole number",
    ),
    "json nan": (
        lambda d: _text(d / "grid.json", "[[1, 2], [NaN, 4]]"),
        r"row 1, column 0: nan is not finite",
    ),
    "json not a number": (
        lambda d: _text(d / "grid.json", '[[1, 2], [3, "4"]]'),
        r"row 1, column 1: '4' is not a number",
    ),
    "json null": (
        lambda d: _text(d / "grid.json", "[[1, null], [3, 4]]"),
        r"row 0, column 1: None is not a number",
    ),
    "json 1D": (lambda d: _text(d / "grid.json", "[1, 2, 3]"), r"1D.*expected a list of rows"),
    "json 3D": (lambda d: _text(d / "grid.json", "[[[1], [2]]]"), r"3D"),
    "json mixed": (lambda d: _text(d / "grid.json", "[[1, 2], 3]"), r"row 1 is int"),
    "json object": (lambda d: _text(d / "grid.json", '{"rows": []}'), r"got dict"),
    "json empty": (lambda d: _text(d / "grid.json", "[]"), r"empty"),
    "json empty rows": (lambda d: _text(d / "grid.json", "[[], []]"), r"empty"),
    "json syntax": (lambda d: _text(d / "grid.json", "[[1, 2],"), r"not valid JSON"),
    "json.gz not gzip": (lambda d: _text(d / "grid.json.gz", "[[1]]"), r"gzip"),
    "npy 1D": (
        lambda d: (np.save(d / "grid.npy", np.arange(3)), d / "grid.npy")[1],
        r"1D with shape \(3,\); expected 2D",
    ),
    "npy empty": (
        lambda d: (np.save(d / "grid.npy", np.zeros((0, 4))), d / "grid.npy")[1],
        r"empty",
    ),
    "npy negative": (
        lambda d: (np.save(d / "grid.npy", np.array([[1, 2], [-3, 4]])), d / "grid.npy")[1],
        r"row 1, column 0: -3 is negative",
    ),
    "npy strings": (
        lambda d: (np.save(d / "grid.npy", np.array([["a"]])), d / "grid.npy")[1],
        r"dtype <U1",
    ),
    "npy garbage": (lambda d: _text(d / "grid.npy", "not numpy"), r"cannot read it as a \.npy"),
    "directory": (lambda d: (d / "dir.csv").mkdir() or d / "dir.csv", r"not a file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_a_clear_error(tmp_path: Path, case: str) -> None:
    """Each problem is a HyosanError naming the file and what is wrong."""
    make, pattern = BAD_FILES[case]
    path = make(tmp_path)
    with pytest.raises(HyosanError, match=pattern) as info:
        load_population_grid(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(
    importlib.util.find_spec("rasterio") is not None,
    reason="rasterio is installed; this checks the message shown without it",
)
def test_geotiff_without_rasterio(tmp_path: Path) -> None:
    """Without rasterio a GeoTIFF names the extra that reads it."""
    path = _text(tmp_path / "grid.tif", "not a tiff")
    with pytest.raises(HyosanError, match=r"GeoTIFF needs the optional extra") as info:
        load_population_grid(path)
    assert "pip install 'hyosan[geo]'" in str(info.value)
    assert str(path) in str(info.value)


@pytest.mark.skipif(
    not US_GRID.exists(),
    reason=f"the US population grid is not there ({US_GRID}); set HYOSAN_US_GRID to its path",
)
def test_the_us_grid() -> None:
    """Bierbaum and Alemi's 2-mile grid of the continental US, with its published totals."""
    grid = load_population_grid(US_GRID)
    assert grid.shape == (900, 1500)
    assert grid.dtype == np.int64
    assert int(grid.sum()) == 306_675_005
    assert int(np.count_nonzero(grid)) == 551_275
    assert int(grid.max()) == 299_615

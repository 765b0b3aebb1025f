"""The run directory's Arrow helpers (results/arrow.py): the same arrays as pyarrow's own
calls, and a run that writes and reports without pyarrow importing pandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hyosan.results import arrow

COLUMNS = {
    "floats with nulls": pa.array([1.5, None, 3.0]),
    "int32": pa.array([1, 2, 3], pa.int32()),
    "ints with nulls": pa.array([1, None, 3]),
    "uint8": pa.array([1, 2], pa.uint8()),
    "bools": pa.array([True, False, True]),
    "bools sliced past a byte": pa.array([True] * 9 + [False] * 4).slice(5, 7),
    "floats sliced": pa.array(np.arange(20.0)).slice(3, 9),
    "chunks": pa.chunked_array([[1.0, 2.0], [3.0]]),
    "chunks with nulls, sliced": pa.chunked_array([pa.array([1, None]).slice(1), pa.array([4, 5])]),
    "empty": pa.array([], pa.float64()),
    "strings": pa.array(["a", None]),
    "bools with nulls": pa.array([True, None]),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_numbers_are_what_to_numpy_gives(name: str) -> None:
    column = COLUMNS[name]
    ours = arrow.numbers(column)
    theirs = column.to_numpy(zero_copy_only=False)
    assert ours.dtype == theirs.dtype
    if ours.dtype == object:
        assert ours.tolist() == theirs.tolist()
    else:
        np.testing.assert_array_equal(ours, theirs)
    ours[:0] = 0  # a new array, writable: the caller may change it


@pytest.mark.parametrize(
    "values",
    [
        np.arange(5, dtype=np.int32),
        np.array([3, -1, 7], dtype=np.int64),
        np.array([1, 2], dtype=np.uint8),
        np.array([0.5, 1.5], dtype=np.float32),
        np.array([True, False] * 5),
        np.arange(12.0).reshape(3, 4)[:, 1],  # not contiguous
    ],
    ids=lambda v: f"{v.dtype}",
)
def test_a_column_keeps_the_arrays_dtype(values: np.ndarray) -> None:
    assert arrow.column(values).equals(pa.array(values))
    if values.dtype.kind in "iu":
        masked = arrow.column(values, valid=values != values[1])
        assert masked.equals(pa.array(values, mask=values == values[1]))


def test_a_column_of_text_is_refused() -> None:
    with pytest.raises(TypeError, match="not a column of numbers"):
        arrow.column(np.array(["a", "b"]))


def test_columns_and_tables_are_pyarrows_own() -> None:
    t = np.array([0.0, 60.0, -1.0])
    assert arrow.floats(t).equals(pa.array(t, pa.float64()))
    assert arrow.floats(t, valid=t >= 0).equals(pa.array([0.0, 60.0, None], pa.float64()))
    assert arrow.ints(np.array([3, 1], np.int32)).equals(pa.array([3, 1], pa.int64()))
    words = ["the infirmary", "", "Nam On-jo's héllo"]
    assert arrow.strings(words).equals(pa.array(words, pa.string()))
    columns = {"t": arrow.floats(t), "name": arrow.strings(words)}
    made = arrow.table(columns, metadata={"t_unit": "s"})
    assert made.equals(pa.table(columns, metadata={"t_unit": "s"}), check_metadata=True)


def test_read_parquet_keeps_the_metadata(tmp_path: Path) -> None:
    table = pa.table({"t": [1.0, 2.0]}, metadata={"t_unit": "s"})
    pq.write_table(table, tmp_path / "t.parquet")
    back = arrow.read_parquet(tmp_path / "t.parquet")
    assert back.equals(table)
    assert back.schema.metadata[b"t_unit"] == b"s"


@pytest.mark.parametrize(
    "scenario",
    [
        ["hyosan-high", "--set", 'time.horizon="1h"'],  # a building, with its events
        ["alemi-lattice", "--set", "record.events=true"],  # a grid under ssa, with its events
    ],
    ids=lambda args: args[0],
)
def test_a_run_and_its_report_leave_pandas_unimported(tmp_path: Path, scenario: list[str]) -> None:
    """`hyosan run`, report included, never asks pyarrow for pandas (its import cost every run
    about 0.14 s)."""
    script = textwrap.dedent(
        f"""
        import sys
        from hyosan.cli import main
        sys.argv = ["hyosan", "run", *{scenario!r}, "--out", {str(tmp_path / "run")!r},
                    "--quiet"]
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, stop.code
        print("pandas" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True
    )
    assert (tmp_path / "run" / "report.html").is_file()
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr

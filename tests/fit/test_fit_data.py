"""Observed data: CSV and Parquet, missing values, cumulative columns, and bad files refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fit_helpers import write_csv

from hyosan.errors import HyosanError
from hyosan.fit.data import load_observations
from hyosan.fit.errors import FitError

ALLOWED = ["S", "Z", "R", "human", "zombie", "removed"]


def test_csv_with_missing_values_and_units(tmp_path: Path) -> None:
    """Times are converted with their unit; an empty cell is NaN; other columns are read."""
    path = tmp_path / "d.csv"
    path.write_text("t,Z,S\n0,1,508\n2,,500\n4,7,\n")
    obs = load_observations(path, allowed=ALLOWED, time_unit="h")
    assert obs.columns == ("Z", "S")
    np.testing.assert_array_equal(obs.times, [0.0, 7200.0, 14400.0])
    assert np.isnan(obs.values[1, 0])
    assert np.isnan(obs.values[2, 1])
    assert obs.n_observed == 4


def test_parquet_and_selected_cumulative_columns(tmp_path: Path) -> None:
    """Parquet reads alike; only the named columns are fitted; cumulative is recorded."""
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"day": [1.0, 2.0], "zombie": [3.0, 5.0], "S": [9.0, 8.0]}), path)
    obs = load_observations(
        path, allowed=ALLOWED, time_column="day", columns=["zombie"], cumulative=["zombie"]
    )
    assert obs.columns == ("zombie",)
    assert obs.cumulative == (True,)
    np.testing.assert_array_equal(obs.times, [86400.0, 172800.0])


@pytest.mark.parametrize(
    ("content", "kwargs", "needle"),
    [
        ("time,Z\n0,1\n", {}, "no time column 't'"),
        ("t,Q\n0,1\n", {}, "column 'Q' is neither a compartment nor a state"),
        ("t,Z\n0,1\n1,-3\n", {}, "row 2: negative count"),
        ("t,Z\n0,1\n1,many\n", {}, "'many' is not a number"),
        ("t,Z\n0,1\n0,2\n", {}, "times must increase"),
        ("t,Z\n0,3\n1,2\n", {"cumulative": ["Q"]}, "cumulative column 'Q' is not among"),
        ("t,Z\n0,1\n", {"time_unit": "fortnight"}, "time unit 'fortnight'"),
        ("t,Z\n0,\n1,\n", {}, "every count is missing"),
    ],
)
def test_bad_files_name_the_column(tmp_path: Path, content: str, kwargs: dict, needle: str) -> None:
    """Each bad file is refused with the file, the column and what is allowed."""
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(FitError, match=needle) as info:
        load_observations(path, allowed=ALLOWED, **kwargs)
    assert str(path) in str(info.value)
    assert isinstance(info.value, HyosanError)  # the CLI's exit 2


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    """Only .csv and .parquet are read; a missing file says so."""
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(FitError, match=r"allowed: \.csv, \.parquet"):
        load_observations(tmp_path / "d.xlsx", allowed=ALLOWED)
    with pytest.raises(FitError, match="no such data file"):
        load_observations(tmp_path / "none.csv", allowed=ALLOWED)


def test_window_keeps_rows_inside(tmp_path: Path) -> None:
    """A window keeps its rows; one with no rows is refused."""
    path = write_csv(tmp_path / "d.csv", {"t": [1, 2, 3], "Z": [1, 2, 3]})
    obs = load_observations(path, allowed=ALLOWED, time_unit="s")
    assert obs.window(1.5, 3.0).times.tolist() == [2.0, 3.0]
    with pytest.raises(FitError, match="no observation falls in the fit window"):
        obs.window(10.0, 20.0)

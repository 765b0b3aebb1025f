"""Observed counts: a CSV or Parquet file read into times (seconds) and a matrix of counts.

The file has a time column, in a unit given beside it (`time_unit`), and one column per
compartment or state that was observed. A cell may be empty (not observed at that time); a
state with no column is simply not observed. A column may hold cumulative counts (everyone who
ever entered that compartment or state): it is then compared with the simulated number of
entries rather than with the current count. Every check names the file, the column and what is
allowed, and raises FitError. A cumulative column is not required to be monotone: counts
reported with noise, or revised, can fall a little.

The times are the time elapsed since the scenario's start, as numbers in `time_unit`. A column
of durations (pandas timedeltas, a Parquet duration column) is elapsed time already and is
converted as it is (`time_unit` then only names the unit of the tables written); a column of
dates, timestamps or clock times is refused, naming the file and the column: which date is the
scenario's start is not for the data to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hyosan.fit.errors import FitError
from hyosan.paths import user_path
from hyosan.scenario.units import SECONDS_PER

__all__ = ["Observations", "load_observations"]

#: Data files larger than this are refused before reading (observed counts are small).
MAX_DATA_BYTES = 200_000_000


@dataclass(frozen=True)
class Observations:
    """Counts observed at increasing times.

    Attributes
    ----------
    times
        Observation times in seconds from the scenario's start, increasing, shape (n,).
    columns
        The observed compartments or states, one per column of `values`.
    values
        Counts, shape (n, len(columns)); NaN where a value is missing.
    cumulative
        For each column, whether it counts entries since the start rather than the present.
    source
        The file the data came from (for messages and fit.json).
    time_unit
        The unit the file's time column is in, used again when writing tables.
    """

    times: np.ndarray
    columns: tuple[str, ...]
    values: np.ndarray
    cumulative: tuple[bool, ...]
    source: str = "<memory>"
    time_unit: str = "d"

    @property
    def n_observed(self) -> int:
        """The number of values present (not missing): the n of BIC."""
        return int(np.isfinite(self.values).sum())

    def window(self, start: float | None, end: float | None) -> Observations:
        """The rows with start <= t <= end (seconds); refused if none is left."""
        keep = np.ones(self.times.size, dtype=bool)
        if start is not None:
            keep &= self.times >= start - 1e-9
        if end is not None:
            keep &= self.times <= end + 1e-9
        if not keep.any():
            raise FitError(
                f"{self.source}: no observation falls in the fit window "
                f"[{_show(start)}, {_show(end)}]; the data run from {_show(self.times[0])} to "
                f"{_show(self.times[-1])}"
            )
        return Observations(
            self.times[keep],
            self.columns,
            self.values[keep],
            self.cumulative,
            self.source,
            self.time_unit,
        )


def _show(seconds: float | None) -> str:
    if seconds is None:
        return "open"
    return f"{seconds / 3600:g}h"


def _read_table(path: Path) -> dict[str, _Column]:
    """Columns of a CSV or Parquet file, as numpy arrays (strings kept as object lists)."""
    if not path.is_file():
        raise FitError(f"{path}: no such data file; give a .csv or .parquet file of counts")
    if path.stat().st_size > MAX_DATA_BYTES:
        raise FitError(f"{path}: the file is larger than {MAX_DATA_BYTES:,} bytes")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import pyarrow.csv as pcsv

            # pyarrow infers each column's type: a column with a stray word in it is read as
            # text, and the word is reported with its row (_numeric); dates, timestamps and
            # clock times are read as such, and refused by name (_columns_of).
            table = pcsv.read_csv(
                path,
                convert_options=pcsv.ConvertOptions(
                    strings_can_be_null=True, null_values=["", "NA", "NaN", "nan", "null"]
                ),
            )
        elif suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        else:
            raise FitError(
                f"{path}: unknown data format {suffix or '(no suffix)'!r}; allowed: .csv, .parquet"
            )
    except FitError:
        raise
    except Exception as exc:  # pyarrow's many parse errors: all mean the file is unreadable
        raise FitError(f"{path}: cannot read the data ({exc})") from None
    return _columns_of(table, str(path))


def _in_memory(data: object) -> Any:
    """A pyarrow Table of in-memory data (a pyarrow Table, or a pandas DataFrame whose index
    is not a column); None for anything else."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if type(data).__name__ == "DataFrame" and hasattr(data, "columns"):
        try:
            return pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise FitError(f"the data DataFrame cannot be read as counts ({exc})") from None
    return None


@dataclass(frozen=True)
class _Elapsed:
    """A column of durations, in seconds (NaN where missing)."""

    seconds: np.ndarray


@dataclass(frozen=True)
class _Clock:
    """A column of dates, timestamps or clock times: what it holds, and its first value."""

    what: str
    first: str


_Column = np.ndarray | list[object] | _Elapsed | _Clock

#: Seconds per tick of a pyarrow duration unit.
_TICK = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def _columns_of(table: Any, label: str) -> dict[str, _Column]:
    import pyarrow as pa

    twice = sorted({n for n in table.column_names if table.column_names.count(n) > 1})
    if twice:
        raise FitError(
            f"{label}: column {', '.join(map(repr, twice))} appears more than once; each state "
            "is one column"
        )
    out: dict[str, _Column] = {}
    for name in table.column_names:
        col = table.column(name)
        kind = col.type
        # Dates, timestamps and durations would turn into days or µs since 1970 as numbers.
        if pa.types.is_duration(kind):
            ticks = col.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
            out[name] = _Elapsed(ticks * _TICK[kind.unit])
        elif pa.types.is_temporal(kind):
            what = (
                "dates"
                if pa.types.is_date(kind)
                else "clock times"
                if pa.types.is_time(kind)
                else "timestamps"
                if pa.types.is_timestamp(kind)
                else "calendar intervals"
            )
            first = next((v for v in col.to_pylist() if v is not None), None)
            out[name] = _Clock(what, str(first))
        elif pa.types.is_boolean(kind):
            out[name] = col.to_pylist()  # true/false: refused as not a number (_numeric)
        else:
            try:
                out[name] = col.to_numpy(zero_copy_only=False).astype(np.float64)
            except (TypeError, ValueError):
                out[name] = col.to_pylist()
    return out


def _numeric(path: Path | str, name: str, values: _Column) -> np.ndarray:
    if isinstance(values, _Elapsed | _Clock):
        raise FitError(
            f"{path}: column {name!r} holds {_what(values)}, not counts; counts are numbers, "
            "and a missing value is an empty cell"
        )
    if isinstance(values, np.ndarray):
        return values
    for row, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or _not_number(v):
            raise FitError(
                f"{path}: column {name!r}, row {row + 1}: {v!r} is not a number; "
                "counts are numbers, and a missing value is an empty cell"
            )
    return np.array([np.nan if v is None else float(str(v)) for v in values], dtype=np.float64)


def _what(values: _Elapsed | _Clock) -> str:
    if isinstance(values, _Elapsed):
        return "durations"
    return f"{values.what} (the first is {values.first})"


def _times(path: Path | str, name: str, values: _Column, unit: str) -> np.ndarray:
    """The time column in `unit`: numbers as they are, durations converted; dates refused."""
    if isinstance(values, _Elapsed):
        return values.seconds / SECONDS_PER[unit]
    if isinstance(values, _Clock):
        raise FitError(
            f"{path}: column {name!r} holds {_what(values)}; give the time elapsed since the "
            f"scenario's start instead, as numbers in the time unit {unit} (--time-unit, or "
            "time_unit in [fit]), e.g. 0, 1, 2, ..., or as durations (pandas timedeltas)"
        )
    if isinstance(values, list):
        for row, v in enumerate(values):
            if v is not None and (isinstance(v, bool) or _not_number(v)):
                raise FitError(
                    f"{path}: column {name!r}, row {row + 1}: {v!r} is not a number; the time "
                    "column holds the time elapsed since the scenario's start, as numbers in "
                    f"the time unit {unit} (--time-unit, or time_unit in [fit])"
                )
    return _numeric(path, name, values)


#: Numeric times that start this many spans of the data after the scenario's start, and more
#: than a year after it, are taken for clock times (Unix seconds, say): the fit would simulate
#: the whole stretch before the first observation, for hours, to compare nothing.
_CLOCK_SPANS = 1000.0
_CLOCK_FIRST_S = 365 * 86400.0


def _refuse_clock_numbers(path: Path | str, name: str, t: np.ndarray, unit: str) -> None:
    """Refuse numeric times that read as clock times rather than time since the start."""
    if t.size < 2:
        return
    first, span = float(t[0]), float(t[-1] - t[0])
    if first * SECONDS_PER[unit] > _CLOCK_FIRST_S and first > _CLOCK_SPANS * span:
        raise FitError(
            f"{path}: column {name!r}: the times start at {first:.6g} {unit}, "
            f"{first / span:,.0f} times the data's span ({span:.4g} {unit}) after the "
            "scenario's start: they look like clock times (Unix seconds, say), not the time "
            "elapsed since the start; subtract the time the outbreak began (or the first "
            f"time) and give the rest in the time unit {unit} (--time-unit, or time_unit in "
            "[fit])"
        )


def _not_number(v: object) -> bool:
    try:
        float(str(v))
    except ValueError:
        return True
    return False


def load_observations(
    path: str | Path | Any,
    *,
    allowed: Sequence[str],
    time_column: str = "t",
    time_unit: str = "d",
    columns: Sequence[str] | None = None,
    cumulative: Sequence[str] = (),
) -> Observations:
    """Read observed counts from a CSV or Parquet file, or from a table in memory.

    Parameters
    ----------
    path
        The data file (.csv or .parquet), or a pyarrow Table or pandas DataFrame of the same
        columns (the time column, then the counts).
    allowed
        Names a count column may have: the model's compartments and states.
    time_column
        The column of observation times.
    time_unit
        The unit of the time column: s, min, h, d or w (any spelling hyosan accepts). A column
        of durations (pandas timedeltas) is converted as it is; one of dates or timestamps is
        refused (give the time elapsed since the start, as numbers in this unit).
    columns
        The columns to fit (default: every column other than the time column).
    cumulative
        Columns that hold cumulative counts (entries since the start).

    Raises
    ------
    FitError
        Naming the file and column: no time column, dates as times, numbers that read as
        clock times (Unix seconds), times not increasing, an unknown state, a negative or
        non-numeric count.
    """
    table = _in_memory(path)
    if table is None and not isinstance(path, str | Path):
        raise FitError(
            f"data: a file path, a pyarrow Table or a pandas DataFrame; got {type(path).__name__}"
        )
    data = _read_table(user_path(path)) if table is None else _columns_of(table, "the data table")
    # From here, `path` names the data in messages: the file, or the table given in memory.
    path = Path(path) if table is None else "the data table"
    unit = str(time_unit).strip().lower()
    if unit not in SECONDS_PER:
        raise FitError(f"{path}: time unit {time_unit!r} is not known; allowed: s, min, h, d, w")
    if time_column not in data:
        raise FitError(
            f"{path}: no time column {time_column!r}; the file has "
            f"{', '.join(repr(c) for c in data) or 'no columns'} (name the file's time column "
            "with time_column in the scenario's [fit] table, or call it t; its unit is "
            "--time-unit)"
        )
    t = _times(path, time_column, data[time_column], unit)
    if t.size == 0:
        raise FitError(f"{path}: the file has no rows")
    if not np.all(np.isfinite(t)):
        row = int(np.flatnonzero(~np.isfinite(t))[0]) + 1
        raise FitError(f"{path}: column {time_column!r}, row {row}: every row needs a time")
    if np.any(t < 0):
        raise FitError(f"{path}: column {time_column!r}: times must be 0 or more")
    if np.any(np.diff(t) <= 0):
        row = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 2
        raise FitError(
            f"{path}: column {time_column!r}, row {row}: times must increase strictly, "
            "one row per observation time"
        )
    _refuse_clock_numbers(path, time_column, t, unit)
    names = [c for c in data if c != time_column] if columns is None else list(columns)
    if not names:
        raise FitError(f"{path}: no count column beside {time_column!r}; allowed: {_list(allowed)}")
    for name in names:
        if name not in data:
            raise FitError(
                f"{path}: no column {name!r}; the file has {', '.join(repr(c) for c in data)}"
            )
        if name not in allowed:
            raise FitError(
                f"{path}: column {name!r} is neither a compartment nor a state of the model; "
                f"allowed: {_list(allowed)} (and the time column {time_column!r})"
            )
    for name in cumulative:
        if name not in names:
            raise FitError(
                f"{path}: cumulative column {name!r} is not among the fitted columns "
                f"({', '.join(names)})"
            )
    values = np.empty((t.size, len(names)))
    for j, name in enumerate(names):
        col = _numeric(path, name, data[name])
        if np.any(np.isinf(col)):
            raise FitError(f"{path}: column {name!r}: counts must be finite")
        bad = np.flatnonzero(col < 0)
        if bad.size:
            raise FitError(
                f"{path}: column {name!r}, row {int(bad[0]) + 1}: negative count {col[bad[0]]:g}; "
                "counts are 0 or more (leave a cell empty if it was not observed)"
            )
        values[:, j] = col
    if not np.isfinite(values).any():
        raise FitError(f"{path}: every count is missing; nothing to fit")
    return Observations(
        times=t * SECONDS_PER[unit],
        columns=tuple(names),
        values=values,
        cumulative=tuple(n in cumulative for n in names),
        source=str(path),
        time_unit=unit,
    )


def _list(names: Sequence[str]) -> str:
    return ", ".join(dict.fromkeys(names))

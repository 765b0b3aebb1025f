"""Population grids from files: a 2D array of head counts per cell, row 0 the first row.

Formats, chosen by the file's extension:

- `.json`, `.json.gz`: a JSON list of rows, each a list of counts (the format of Bierbaum and
  Alemi's US grid);
- `.csv`: comma-separated counts, one row per line; blank lines are ignored, a header is not
  (every non-blank line must be numbers);
- `.npy`: a 2D numpy array (not pickled);
- `.tif`, `.tiff`: band 1 of a GeoTIFF, nodata read as 0; needs rasterio
  (`pip install 'hyosan[geo]'`).

Counts must be finite, non-negative whole numbers; the result is a C-contiguous int64 array.
Anything else is a `HyosanError` that names the file, what is wrong (the first bad row and
column) and what is allowed.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from hyosan.errors import HyosanError

__all__ = ["POPULATION_FORMATS", "load_population_grid"]

POPULATION_FORMATS = (".json", ".json.gz", ".csv", ".npy", ".tif", ".tiff")
"""The extensions `load_population_grid` reads."""


def _format_of(path: Path) -> str:
    name = path.name.lower()
    for ext in sorted(POPULATION_FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return ext
    raise HyosanError(
        f"{path}: unknown population grid format {''.join(path.suffixes) or '(no extension)'!r}; "
        f"allowed: {', '.join(POPULATION_FORMATS)}"
    )


def _rows_to_array(path: Path, rows: Any, what: str) -> np.ndarray:
    """A list of rows (lists of numbers) as a 2D float64 array, or a clear error."""
    if not isinstance(rows, list):
        raise HyosanError(
            f"{path}: expected {what} a list of rows (lists of counts), got {type(rows).__name__}"
        )
    if not rows:
        raise HyosanError(f"{path}: the population grid is empty (no rows)")
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            raise HyosanError(
                f"{path}: row {i} is {type(row).__name__}, expected a list of counts "
                f"(the grid must be 2D: a list of rows)"
            )
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise HyosanError(
                f"{path}: ragged rows: row {i} has {len(row)} values, expected {width} "
                f"(as row 0); every row must have the same length"
            )
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise HyosanError(
                    f"{path}: row {i}, column {j}: {value!r} is not a number; "
                    "counts must be non-negative whole numbers"
                )
    return np.asarray(rows, dtype=np.float64)


def _text_cap() -> int:
    """Most bytes of JSON or CSV text read: parsed into Python lists, text takes about 16
    times its size in memory, so a quarter of the available memory / 16 (no cap if the user
    said --ignore-limits or HYOSAN_IGNORE_LIMITS)."""
    from hyosan.limits import available_memory, limits_ignored

    return 2**62 if limits_ignored() else max(16 * 2**20, available_memory() // 64)


def _too_big(path: Path, what: str, cap: int) -> HyosanError:
    from hyosan.limits import GO_ANYWAY

    return HyosanError(
        f"{path}: {what} more than {cap / 2**20:,.0f} MiB of text, more than this machine's "
        "memory can hold as a grid; use a .npy file (read without parsing), a coarser grid, or "
        + GO_ANYWAY
    )


def _read_capped(path: Path, compressed: bool) -> bytes:
    """The file's bytes (decompressed), refused beyond _text_cap: a gzip bomb (1.9 MB that
    inflate to 2 GB) is stopped while it streams, not after."""
    cap = _text_cap()
    if not compressed:
        if path.stat().st_size > cap:
            raise _too_big(path, "it holds", cap)
        return path.read_bytes()
    with gzip.open(path, "rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise _too_big(path, "it decompresses to", cap)
    return data


def _read_json(path: Path, compressed: bool) -> np.ndarray:
    try:
        rows = json.loads(_read_capped(path, compressed).decode("utf-8"))
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise HyosanError(f"{path}: cannot read it as gzip'ed JSON: {exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HyosanError(f"{path}: not valid JSON: {exc}") from exc
    except RecursionError:
        raise HyosanError(
            f"{path}: nested too deeply; a grid is a list of rows, each a list of counts"
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise HyosanError(f"{path}: not a grid of counts: {exc}") from None
    # Fast path: a well-formed grid converts directly; the slow checks only name the problem.
    array: np.ndarray | None
    try:
        array = np.asarray(rows)
    except (ValueError, OverflowError):  # ragged, or a count beyond int64
        array = None
    if array is not None and array.ndim == 2 and array.dtype.kind in "iuf" and array.size:
        return array
    if array is not None and array.size == 0:
        raise HyosanError(f"{path}: the population grid is empty (shape {array.shape})")
    if array is not None and array.ndim != 2 and array.dtype.kind in "iuf":
        raise HyosanError(
            f"{path}: the grid is {array.ndim}D with shape {array.shape}; "
            "expected a list of rows, each a list of counts (2D)"
        )
    return _rows_to_array(path, rows, "JSON to be")


def _read_csv(path: Path) -> np.ndarray:
    try:
        # utf-8-sig: "CSV UTF-8" as Excel saves it starts with a byte-order mark.
        text = _read_capped(path, compressed=False).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HyosanError(f"{path}: cannot read it as a text file: {exc}") from exc
    rows: list[list[float]] = []
    width: int | None = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        values: list[float] = []
        for j, field in enumerate(fields):
            try:
                values.append(float(field))
            except ValueError:
                raise HyosanError(
                    f"{path}: line {line_no} (row {len(rows)}), column {j}: {field.strip()!r} "
                    "is not a number; every non-blank line must be comma-separated counts "
                    "(no header line)"
                ) from None
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise HyosanError(
                f"{path}: ragged rows: row {len(rows)} (line {line_no}) has {len(values)} "
                f"values, expected {width} (as row 0); every row must have the same length"
            )
        rows.append(values)
    if not rows:
        raise HyosanError(f"{path}: the population grid is empty (no rows)")
    return np.asarray(rows, dtype=np.float64)


def _npy_header(path: Path) -> None:
    """Refuse a .npy file whose header does not match its size, or whose grid would not fit
    in memory, before numpy allocates what the header claims (1e10 cells: 80 GB)."""
    from hyosan.limits import check_memory

    fmt = np.lib.format
    try:
        with path.open("rb") as fh:
            version = fmt.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(fh)
            else:
                shape, _, dtype = fmt.read_array_header_2_0(fh)
            offset = fh.tell()
    except (OSError, ValueError, EOFError) as exc:
        raise HyosanError(f"{path}: cannot read it as a .npy array: {exc}") from exc
    if dtype.hasobject:
        raise HyosanError(f"{path}: holds Python objects; expected a 2D array of counts")
    cells = int(np.prod(shape, dtype=object))
    claimed = cells * dtype.itemsize
    held = path.stat().st_size - offset
    if claimed != held:
        raise HyosanError(
            f"{path}: its header claims shape {tuple(shape)} of {dtype} ({claimed:,} bytes), "
            f"but the file holds {held:,} bytes of data; the file is damaged or not a grid"
        )
    # The array, and its int64 copy once checked.
    check_memory(claimed + 8 * cells, f"{path}: a grid of {cells:,} cells", "a coarser grid")


def _read_npy(path: Path) -> np.ndarray:
    _npy_header(path)
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise HyosanError(f"{path}: cannot read it as a .npy array: {exc}") from exc
    if not isinstance(array, np.ndarray):
        raise HyosanError(f"{path}: expected one 2D array in .npy format")
    if array.dtype.kind not in "biuf":
        raise HyosanError(f"{path}: counts have dtype {array.dtype}; expected integers or floats")
    return array


def _read_geotiff(path: Path) -> np.ndarray:
    try:
        import rasterio
    except ImportError:
        raise HyosanError(
            f"{path}: GeoTIFF needs the optional extra: pip install 'hyosan[geo]'"
        ) from None
    try:
        with rasterio.open(path) as src:
            band = src.read(1, masked=True)
    except Exception as exc:  # rasterio raises its own error types
        raise HyosanError(f"{path}: cannot read it as a GeoTIFF: {exc}") from exc
    return np.ma.filled(band.astype(np.float64), 0.0)


def _show(value: np.generic) -> str:
    """A count as people write it: 4 rather than 4.0 or np.float64(4.0)."""
    x = value.item()
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x)


def _check_counts(path: Path, array: np.ndarray) -> np.ndarray:
    """Check a 2D array of counts and return it as C-contiguous int64."""
    if array.ndim != 2:
        raise HyosanError(
            f"{path}: the grid is {array.ndim}D with shape {array.shape}; expected 2D "
            "(rows x columns of counts)"
        )
    if array.size == 0:
        raise HyosanError(f"{path}: the population grid is empty (shape {array.shape})")
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise HyosanError(
                f"{path}: row {i}, column {j}: {_show(array[i, j])} is not finite; "
                "counts must be non-negative whole numbers"
            )
        bad = array != np.floor(array)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise HyosanError(
                f"{path}: row {i}, column {j}: {_show(array[i, j])} is not a whole number; "
                "counts must be non-negative whole numbers"
            )
        if np.abs(array).max() >= 2.0**63:
            i, j = np.unravel_index(int(np.abs(array).argmax()), array.shape)
            raise HyosanError(f"{path}: row {i}, column {j}: {_show(array[i, j])} is too large")
    elif array.dtype == np.uint64 and array.max() > np.iinfo(np.int64).max:
        i, j = np.unravel_index(int(array.argmax()), array.shape)
        raise HyosanError(f"{path}: row {i}, column {j}: {_show(array[i, j])} is too large")
    bad = array < 0
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise HyosanError(
            f"{path}: row {i}, column {j}: {_show(array[i, j])} is negative; "
            "counts must be non-negative whole numbers"
        )
    return np.ascontiguousarray(array, dtype=np.int64)


def load_population_grid(path: str | Path) -> np.ndarray:
    """Read a 2D grid of head counts from a file.

    Parameters
    ----------
    path : str or Path
        A `.json` or `.json.gz` file (a list of rows, each a list of counts), a `.csv` file
        (comma-separated counts, one row per line, blank lines ignored, no header), a `.npy`
        file (a 2D array) or a `.tif` / `.tiff` GeoTIFF (band 1, nodata as 0; needs the
        optional extra `hyosan[geo]`).

    Returns
    -------
    np.ndarray
        The counts, int64, C-contiguous, shape (rows, cols); row 0 is the file's first row.

    Raises
    ------
    HyosanError
        If the file is missing or unreadable, its extension unknown, or the grid is not 2D,
        empty, ragged, or holds a count that is negative, fractional or not finite; the message
        names the file, the first offending row and column, and what is allowed.
    """
    path = Path(path)
    if not path.exists():
        raise HyosanError(f"{path}: population grid file not found")
    if not path.is_file():
        raise HyosanError(f"{path}: not a file")
    fmt = _format_of(path)
    if fmt in (".json", ".json.gz"):
        array = _read_json(path, compressed=fmt == ".json.gz")
    elif fmt == ".csv":
        array = _read_csv(path)
    elif fmt == ".npy":
        array = _read_npy(path)
    else:
        array = _read_geotiff(path)
    return _check_counts(path, array)

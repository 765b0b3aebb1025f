"""The Arrow tables of a run directory, made and read without pyarrow importing pandas.

pyarrow imports pandas, when it is installed (it is wherever Dask is), the first time a
process calls `pyarrow.array` or `pyarrow.table` (they ask whether their input is a pandas
object), `pyarrow.parquet.read_table` (its dataset layer) or `to_numpy` (its conversion code),
for tables that never meet pandas: the default `hyosan run` with its report took 4.26 s with
the import and 4.12 s without (medians of 8 runs each, interleaved). These helpers hand
pyarrow the buffers it would have made (`pyarrow.Array.from_buffers`), read a file with
`ParquetFile`, and view numbers in their buffers, so the arrays, their types and the files are
the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported where used: `import hyosan` does not load pyarrow
    import pyarrow as pa

__all__ = ["column", "floats", "ints", "numbers", "read_parquet", "strings", "table"]

#: The most bytes of text an Arrow `string` column (32-bit offsets) holds.
_MAX_STRING_BYTES = 2**31 - 1


def column(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A column of the numbers (or booleans) in the numpy array `values`, of the Arrow type of
    its dtype, as `pyarrow.array` makes it; where `valid` is False, null."""
    import pyarrow as pa

    data = np.ascontiguousarray(values).reshape(-1)
    n = data.size
    kind = pa.from_numpy_dtype(data.dtype)
    if data.dtype == np.dtype(bool):
        data = np.packbits(data, bitorder="little")  # Arrow keeps booleans as bits
    elif data.dtype.kind not in "iuf":
        raise TypeError(f"not a column of numbers: {data.dtype}")
    if valid is None:
        return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(data)], null_count=0)
    mask = np.asarray(valid, dtype=bool).reshape(-1)
    bits = np.packbits(mask, bitorder="little")  # Arrow's validity bitmap: bit i for row i
    nulls = int(mask.size - np.count_nonzero(mask))
    return pa.Array.from_buffers(
        kind, n, [pa.py_buffer(bits), pa.py_buffer(data)], null_count=nulls
    )


def floats(values: Any, valid: np.ndarray | None = None) -> pa.Array:
    """A float64 column of `values` (any 1-D array-like of numbers); where `valid` is False,
    null."""
    return column(np.asarray(values, dtype=np.float64), valid)


def ints(values: Any) -> pa.Array:
    """An int64 column of `values` (any 1-D array-like of integers)."""
    return column(np.asarray(values, dtype=np.int64))


def strings(values: Sequence[str]) -> pa.Array:
    """A UTF-8 string column of `values`."""
    import pyarrow as pa

    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    if offsets[-1] > _MAX_STRING_BYTES:  # more text than 32-bit offsets reach: pyarrow chunks it
        return pa.array(list(values), pa.string())
    return pa.Array.from_buffers(
        pa.string(),
        len(encoded),
        [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))],
    )


def table(columns: Mapping[str, pa.Array], metadata: Mapping[str, str] | None = None) -> pa.Table:
    """A table of the named columns, in order, with `metadata`."""
    import pyarrow as pa

    return pa.Table.from_arrays(
        list(columns.values()),
        names=list(columns),
        metadata=None if metadata is None else dict(metadata),
    )


def read_parquet(path: str | Path) -> pa.Table:
    """A Parquet file as one table, its schema's metadata included.

    A file that is there but cannot be read (damaged, cut short, not Parquet) raises a
    HyosanError naming it (exit 2 at the command line); a missing file raises
    FileNotFoundError, as before.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hyosan.errors import HyosanError

    try:
        with pq.ParquetFile(path) as file:
            return file.read()
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise HyosanError(
            f"{path}: cannot be read as a Parquet file ({exc}); it is damaged or not one "
            "hyosan wrote: run again to write it anew"
        ) from None


def numbers(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A column of numbers (floats, integers, or booleans without nulls) as a new numpy array,
    nulls as NaN (an integer column with nulls comes back as float64), as pyarrow's `to_numpy`
    gives it; other columns through that `to_numpy`."""
    import pyarrow as pa

    kind = column.type
    numeric = pa.types.is_floating(kind) or pa.types.is_integer(kind)
    if not (numeric or (pa.types.is_boolean(kind) and column.null_count == 0)):
        return np.asarray(column.to_numpy(zero_copy_only=False))
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [_values(chunk) for chunk in chunks]
    if any(chunk.null_count for chunk in chunks):
        parts = [part.astype(np.float64) for part in parts]
        for part, chunk in zip(parts, chunks, strict=True):
            if chunk.null_count:
                part[~_bits(chunk.buffers()[0], chunk.offset, len(chunk))] = np.nan
    if not parts:
        return np.empty(0, dtype=_dtype(kind))
    return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()


def _dtype(kind: pa.DataType) -> np.dtype[Any]:
    import pyarrow as pa

    if pa.types.is_boolean(kind):
        return np.dtype(bool)
    letter = "f" if pa.types.is_floating(kind) else "i" if pa.types.is_signed_integer(kind) else "u"
    return np.dtype(f"{letter}{kind.bit_width // 8}")


def _bits(buffer: pa.Buffer | None, offset: int, n: int) -> np.ndarray:
    """Bits offset to offset + n of an Arrow bitmap (least significant bit first), as bools."""
    if buffer is None or n == 0:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset : offset + n].astype(bool)


def _values(chunk: pa.Array) -> np.ndarray:
    """The values of one chunk, null or not, viewed in its data buffer."""
    dtype = _dtype(chunk.type)
    if dtype == np.dtype(bool):
        return _bits(chunk.buffers()[1], chunk.offset, len(chunk))
    if len(chunk) == 0:
        return np.empty(0, dtype=dtype)
    data = chunk.buffers()[1]
    return np.frombuffer(data, dtype=dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize)

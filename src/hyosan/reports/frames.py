"""Per-place snapshots cut down to what a report can carry, and packed for the viewer.

The viewer gets, for each drawn place, its counts per compartment at each kept snapshot time, as
one little-endian integer array (the smallest type that holds the largest count), gzip-compressed
and base64-encoded, laid out [frame][compartment][place]. The browser inflates it with the
standard DecompressionStream. Frames are thinned until the array fits both budgets, by activity:
most of the kept frames fall where counts change most (an outbreak's first hour), the
rest evenly over the horizon so quiet stretches still move; the first and last are always kept.
What was dropped is listed in `notes`, which the report shows.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.geometry import GridGeometry, PointGeometry, geometry_of
from hyosan.results.arrow import numbers

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PlaceFrames", "busy_frames", "counts_change", "place_frames", "snapshot_columns"]

#: Most snapshot frames a report carries.
MAX_FRAMES = 200
#: Most bytes of snapshot counts before compression (what the browser holds in memory).
MAX_RAW_BYTES = 64_000_000
#: Most bytes of compressed snapshot counts (base64 adds a third): keeps a report under 20 MB.
MAX_PACKED_BYTES = 10_000_000
#: Share of kept frames spread evenly in time; the rest follow the activity.
EVEN_SHARE = 0.25
#: Weight of people moving between places against people changing state (each a share of its
#: run-long total) in the activity that places frames.
MOVE_WEIGHT = 0.1


@dataclass(frozen=True)
class PlaceFrames:
    """Per-place counts at a few snapshot times, for the viewer, the GIF and the PNG map.

    Attributes
    ----------
    geometry
        Where each drawn place is.
    times
        The kept snapshot times (s).
    compartments
        Compartment names, in the order of the counts' second axis.
    counts
        Counts, shape (frames, compartments, drawn places).
    first_zombie
        When each drawn place first had a zombie (s; NaN if never), the earliest of its cells.
    population
        People in each drawn place at the start.
    notes
        What was thinned or summed, in words for the report.
    """

    geometry: GridGeometry | PointGeometry
    times: np.ndarray
    compartments: list[str]
    counts: np.ndarray
    first_zombie: np.ndarray
    population: np.ndarray
    notes: list[str] = field(default_factory=list)

    def packed_counts(self) -> tuple[str, str]:
        """The counts as (numpy-style dtype, base64 of the gzip of the bytes)."""
        arr, dtype = _smallest(self.counts)
        return dtype, _pack(arr.tobytes())

    def packed_first_zombie(self) -> str:
        """First-zombie times as base64 of the gzip of float32 (NaN: never)."""
        return _pack(self.first_zombie.astype("<f4").tobytes())


def snapshot_columns(places: pa.Table) -> list[str]:
    """The compartment columns of a places table: its list columns, in the metadata's order."""
    import pyarrow as pa

    listed = [
        f.name
        for f in places.schema
        if pa.types.is_fixed_size_list(f.type) or pa.types.is_list(f.type)
    ]
    meta = places.schema.metadata or {}
    if b"compartments" in meta:
        order = [c for c in json.loads(meta[b"compartments"]) if c in listed]
        return order + [c for c in listed if c not in order]
    return listed


def snapshot_times(places: pa.Table) -> np.ndarray:
    """The snapshot times (s) of a places table's metadata."""
    meta = places.schema.metadata or {}
    if b"snapshot_times_s" not in meta:
        return np.zeros(0)
    return np.asarray(json.loads(meta[b"snapshot_times_s"]), dtype=np.float64)


def place_frames(
    places: pa.Table,
    rooms: dict[str, tuple[int, str, float]] | None = None,
    *,
    max_frames: int = MAX_FRAMES,
    max_raw_bytes: int = MAX_RAW_BYTES,
    max_packed_bytes: int = MAX_PACKED_BYTES,
) -> PlaceFrames | None:
    """The snapshots of a places table cut to the budgets; None if it has nothing to draw."""
    geometry = geometry_of(places, rooms)
    comps = snapshot_columns(places)
    times = snapshot_times(places)
    if geometry is None or not comps or times.size == 0 or places.num_rows == 0:
        return None
    n_frames = min(times.size, *(_width(places.column(c)) for c in comps))
    times = times[:n_frames]
    notes: list[str] = []
    if isinstance(geometry, GridGeometry) and geometry.block > 1:
        notes.append(
            f"The grid is drawn in blocks of {geometry.block} × {geometry.block} cells "
            f"({geometry.rows} × {geometry.cols}), their counts summed."
        )
    if isinstance(geometry, PointGeometry) and geometry.n_drawn < places.num_rows:
        notes.append(
            f"Only the {geometry.n_drawn:,} most populous of {places.num_rows:,} places are drawn."
        )

    n_drawn = geometry.n_drawn
    per_frame = n_drawn * len(comps)
    budget = max(2, min(max_frames, n_frames, max_raw_bytes // max(per_frame, 1)))
    frames = busy_frames(_change(places, comps, n_frames), budget)
    counts = _gather(places, comps, geometry, frames)
    # Thin further until the compressed counts fit: their size is only known once packed.
    while True:
        arr, _ = _smallest(counts)
        if arr.nbytes > max_raw_bytes and frames.size > 2:
            k = max(2, int(frames.size * max_raw_bytes / arr.nbytes))
        else:
            packed = len(gzip.compress(arr.tobytes(), compresslevel=5, mtime=0))
            if packed <= max_packed_bytes or frames.size <= 2:
                break
            k = max(2, int(frames.size * 0.9 * max_packed_bytes / packed))
        keep = busy_frames(counts_change(counts), k)
        frames, counts = frames[keep], counts[keep]
    if frames.size < n_frames:
        notes.append(
            f"The viewer shows {frames.size:,} of the run's {n_frames:,} snapshot times, most of "
            "them where the counts change most, to keep this file small."
        )
    first = _first_zombie(places, geometry)
    population = _start_population(places, geometry, counts)
    return PlaceFrames(
        geometry=geometry,
        times=times[frames],
        compartments=comps,
        counts=counts,
        first_zombie=first,
        population=population,
        notes=notes,
    )


# --- helpers ------------------------------------------------------------------------------------


def _width(column: Any) -> int:
    import pyarrow as pa

    if pa.types.is_fixed_size_list(column.type):
        return int(column.type.list_size)
    lengths = numbers(column.combine_chunks().value_lengths())
    return int(lengths.min()) if lengths.size else 0


def busy_frames(change: np.ndarray, k: int, even_share: float = EVEN_SHARE) -> np.ndarray:
    """k frame indices (sorted, with the first and the last) out of len(change) frames, placed
    where things happen.

    `change[i]` is how much the counts changed from frame i - 1 to frame i (change[0] is
    ignored). Most picks fall at even steps of the cumulative change, so a burst of bites gets
    many frames and a quiet night few; `even_share` of them are evenly spaced in time, so the
    viewer's slider still moves through quiet stretches. Where nothing changes, all are even.
    """
    n = int(change.size)
    if k >= n:
        return np.arange(n)
    k = max(k, 2)
    steps = np.clip(np.nan_to_num(np.asarray(change, dtype=np.float64)), 0.0, None)
    steps[0] = 0.0
    total = float(steps.sum())
    if total <= 0.0:
        return _even(n, k)
    picks = set(_even(n, max(2, round(k * even_share))).tolist())
    cumulative = np.cumsum(steps) / total
    # Add the frames where the cumulative change first reaches evenly spaced levels; a burst maps
    # many levels to one frame, so the levels are refined until k distinct frames are found.
    levels = k - len(picks)
    while len(picks) < k and levels <= 64 * n:
        targets = np.linspace(0.0, 1.0, levels + 2)[1:-1]
        for i in np.searchsorted(cumulative, targets, side="left").tolist():
            if len(picks) >= k:
                break
            picks.add(min(int(i), n - 1))
        levels *= 2
    for i in _even(n, k).tolist():  # a few huge jumps left levels short: top up evenly
        if len(picks) >= k:
            break
        picks.add(int(i))
    return np.asarray(sorted(picks), dtype=np.int64)


def counts_change(counts: np.ndarray) -> np.ndarray:
    """Per frame, how much happened since the previous frame (0 for the first), from counts
    shaped (frames, compartments, places): see _activity."""
    out = np.zeros(counts.shape[0])
    if counts.shape[0] > 1:
        c = counts.astype(np.float64)
        turned = np.abs(np.diff(c.sum(axis=2), axis=0)).sum(axis=1)
        moved = np.abs(np.diff(c, axis=0)).reshape(counts.shape[0] - 1, -1).sum(axis=1)
        out[1:] = _activity(turned, moved)
    return out


def _activity(turned: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """How much happened in each interval, as shares of the whole run: changes of the
    compartments' totals (bites, turns, kills) weigh ten times people walking between places.
    In a school people walk all day, and counted alike they would spread the frames evenly
    again, past the first hour's outbreak."""
    out = np.zeros(turned.size)
    for part, weight in ((turned, 1.0), (moved, MOVE_WEIGHT)):
        total = float(part.sum())
        if total > 0:
            out += weight * part / total
    return out


def _change(places: pa.Table, comps: list[str], n_frames: int) -> np.ndarray:
    """counts_change of every recorded snapshot, read one compartment column at a time."""
    turned = np.zeros(max(n_frames - 1, 0))
    moved = np.zeros(max(n_frames - 1, 0))
    n = places.num_rows
    for name in comps:
        matrix = _column_matrix(places.column(name), n)[:, :n_frames].astype(np.float64)
        if matrix.shape[1] > 1:
            turned += np.abs(np.diff(matrix.sum(axis=0)))
            moved += np.abs(np.diff(matrix, axis=1)).sum(axis=0)
    out = np.zeros(n_frames)
    out[1:] = _activity(turned, moved)
    return out


def _even(n: int, k: int) -> np.ndarray:
    """k indices out of range(n), evenly spread, with the first and the last."""
    if k >= n:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max(k, 2))).astype(np.int64))


def _column_matrix(column: Any, n_rows: int) -> np.ndarray:
    """A list column as an (places, snapshots) array, without copying where possible."""
    import pyarrow as pa

    chunk = column.combine_chunks()
    if pa.types.is_fixed_size_list(chunk.type):
        values = numbers(chunk.flatten())
        return values.reshape(n_rows, chunk.type.list_size)
    rows = chunk.to_pylist()
    width = min(len(r) for r in rows)
    return np.array([r[:width] for r in rows], dtype=np.float64)


def _gather(
    places: pa.Table,
    comps: list[str],
    geometry: GridGeometry | PointGeometry,
    frames: np.ndarray,
) -> np.ndarray:
    """Counts of the kept frames, shape (frames, compartments, drawn places)."""
    import pyarrow as pa

    n = places.num_rows
    integral = all(pa.types.is_integer(places.column(c).type.value_type) for c in comps)
    dtype = np.int64 if integral else np.float64
    out = np.zeros((frames.size, len(comps), geometry.n_drawn), dtype=dtype)
    summing = None
    if isinstance(geometry, GridGeometry) and geometry.block > 1:
        from scipy.sparse import csr_matrix

        # One sparse matrix sums each block's cells: (drawn places) × (places).
        summing = csr_matrix(
            (np.ones(n, dtype=dtype), (geometry.group, np.arange(n))),
            shape=(geometry.n_drawn, n),
        )
    for c, name in enumerate(comps):
        matrix = _column_matrix(places.column(name), n)[:, frames].astype(dtype)
        if summing is not None:
            out[:, c, :] = (summing @ matrix).T
        elif isinstance(geometry, GridGeometry):
            # One cell per place, drawn in the order of their cells: a permutation.
            out[:, c, :] = matrix[np.argsort(geometry.group, kind="stable")].T
        else:
            out[:, c, :] = matrix[geometry.keep].T
    return out


def _first_zombie(places: pa.Table, geometry: GridGeometry | PointGeometry) -> np.ndarray:
    if "t_first_zombie_s" not in places.column_names:
        return np.full(geometry.n_drawn, np.nan)
    t = numbers(places.column("t_first_zombie_s")).astype(np.float64)
    if isinstance(geometry, PointGeometry):
        return t[geometry.keep]
    out = np.full(geometry.n_drawn, np.inf)
    np.fmin.at(out, geometry.group, np.where(np.isnan(t), np.inf, t))
    out[np.isinf(out)] = np.nan
    return out


def _start_population(
    places: pa.Table, geometry: GridGeometry | PointGeometry, counts: np.ndarray
) -> np.ndarray:
    if "population" not in places.column_names:
        return counts[0].sum(axis=0)
    pop = numbers(places.column("population")).astype(np.float64)
    if isinstance(geometry, PointGeometry):
        return pop[geometry.keep]
    return np.bincount(geometry.group, weights=pop, minlength=geometry.n_drawn)


def _smallest(counts: np.ndarray) -> tuple[np.ndarray, str]:
    """Counts in the smallest little-endian type that holds them exactly (float32 if fractional)."""
    if counts.size == 0:
        return counts.astype("<u1"), "u1"
    if np.issubdtype(counts.dtype, np.integer):
        whole = bool(counts.min() >= 0)
    else:
        counts = np.nan_to_num(counts)
        whole = bool(counts.min() >= 0 and np.all(counts == np.round(counts)))
    top = float(counts.max())
    if not whole:
        return counts.astype("<f4"), "f4"
    for dtype in ("u1", "u2", "u4"):
        if top <= np.iinfo(np.dtype(dtype)).max:
            return counts.astype(f"<{dtype}"), dtype
    return counts.astype("<f4"), "f4"


def _pack(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=5, mtime=0)).decode("ascii")

"""bands.parquet: quantiles of each state over time, computed a slice of time at a time.

Long format, one row per (point, t, state), in that order: `point`, `t` (seconds, the
scenario's output times), `state`, `q05`, `q25`, `q50`, `q75`, `q95` and `mean` over the
point's replicates. A run that stopped early (a stopping threshold) holds its last counts to the
end of the horizon, so every run contributes at every time. Quantiles use numpy's default
("linear") definition, on the counts the runs recorded (float64: whole counts are exact up to
2**53, so a country's bands are not rounded to float32's steps: 4 people at 51 million, 32 at
306 million).

incidence_bands.parquet, beside it, holds the same quantiles of the epidemic figures of every
point whose engine counts its reactions (results.epidemic), one row per (point, t, series):
`series` is `new_<reaction>` (how many times it happened in the interval between the previous
row's time and t; 0 at the first), `cum_<reaction>` (how many times by t), and
`new_infections` and `cum_infections` (every reaction that infects). Its times are every k-th
output time (and the last), k the least that makes at most MAX_INTERVALS intervals: a run
counts whole events, and in the intervals of a fine output grid (every 2 minutes of five days)
most runs count none, which leaves quantiles of 0, 1 or 2 that say nothing. The quantiles of
the incidence are taken over the runs' incidence in each interval, not differenced from the
quantiles of the counts so far; each run's incidence is the exact difference of its whole
counts, however large they are.

The runs' series are first gathered by point, in replicate order, as float64: in memory when
they come to at most 128 MiB (most ensembles), otherwise into one .npy file per point in the
work directory (the part files are compressed and cannot be read by slices of time). The
quantiles are then computed over blocks of output times small enough that only one block is in
memory at a time (a few tens of MB, whatever the number of runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.ensemble.parts import WorkDir
    from hyosan.ensemble.plan import EnsemblePlan

__all__ = [
    "MAX_INTERVALS",
    "QUANTILES",
    "band_rows",
    "incidence_rows",
    "write_bands",
    "write_incidence_bands",
]

#: The quantiles of bands.parquet and their column names.
QUANTILES: tuple[tuple[str, float], ...] = (
    ("q05", 0.05),
    ("q25", 0.25),
    ("q50", 0.50),
    ("q75", 0.75),
    ("q95", 0.95),
)

#: Most intervals of incidence_bands.parquet over the horizon (see the module docstring).
MAX_INTERVALS = 200

#: Bytes of float64 values one block of times may hold while its quantiles are computed.
_BLOCK_BYTES = 32 * 2**20
#: Largest series of a whole ensemble (bytes of float64, 8 a value) gathered in memory rather
#: than on disk.
IN_MEMORY_BYTES = 128 * 2**20


def band_rows(series: np.ndarray) -> dict[str, np.ndarray]:
    """Quantiles and mean over runs of an array (runs, times, states).

    Returns arrays of shape (times, states), one per column of bands.parquet.
    """
    values = np.asarray(series, dtype=np.float64)
    qs = np.quantile(values, [q for _, q in QUANTILES], axis=0)
    out = {name: qs[i] for i, (name, _) in enumerate(QUANTILES)}
    out["mean"] = values.mean(axis=0)
    return out


def _gather(
    plan: EnsemblePlan, work: WorkDir, key: str = "series"
) -> dict[int, tuple[Path | np.ndarray, list[str]]]:
    """One (replicates, times, columns) float64 array per point, from the part files: in
    memory, or for a large ensemble an .npy file in the work directory.

    `key` is what to gather: "series" (the states' counts, named by `states`) or "epidemic"
    (the reaction counts so far, named by `epidemic_names`; points whose runs have none are
    left out).

    The files are written with plain file writes, not through a memory map, so that the pages
    written do not count towards this process' memory.
    """
    names_key = "states" if key == "series" else f"{key}_names"
    folder = work.path / key
    found: dict[int, tuple[Path | np.ndarray, list[str]]] = {}
    offsets: dict[int, tuple[int, int]] = {}
    handles: dict[int, Any] = {}
    kept: dict[int, set[int]] = {}
    shapes: dict[int, tuple[int, ...]] = {}  # each point's (times, columns)
    try:
        for rec in work.records(with_series=True):
            p = rec["point"]
            if key not in rec or not rec.get(names_key):
                continue
            series = np.ascontiguousarray(rec[key], dtype=np.float64)
            if p not in found:
                shape = (plan.replicates, *series.shape)
                shapes[p] = series.shape
                if plan.total * series.nbytes <= IN_MEMORY_BYTES:
                    found[p] = (np.empty(shape, dtype=np.float64), list(rec[names_key]))
                else:
                    folder.mkdir(exist_ok=True)
                    path = folder / f"point-{p:05d}.npy"
                    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
                    f = open(path, "wb")  # noqa: SIM115 (kept open across records, closed below)
                    np.lib.format.write_array_header_1_0(f, header)
                    handles[p] = f
                    offsets[p] = (f.tell(), series.nbytes)
                    found[p] = (path, list(rec[names_key]))
            held, names = found[p]
            if list(rec[names_key]) != names or series.shape != shapes[p]:
                continue  # not like the point's other runs: the point is left out below
            kept.setdefault(p, set()).add(rec["replicate"])
            if isinstance(held, np.ndarray):
                held[rec["replicate"]] = series
                continue
            start, row = offsets[p]
            handles[p].seek(start + rec["replicate"] * row)
            handles[p].write(series.tobytes())
    finally:
        for f in handles.values():
            f.close()
    # A point some of whose runs lack the columns (parts kept by an older hyosan, resumed) has
    # no bands of them rather than bands of uninitialised rows.
    for p in [p for p in found if len(kept.get(p, ())) < plan.replicates]:
        held = found.pop(p)[0]
        if isinstance(held, Path):
            held.unlink(missing_ok=True)
    return found


def _blocks(held: Path | np.ndarray) -> Iterator[tuple[int, int, np.ndarray]]:
    """(t0, t1, the runs' counts at times [t0, t1)) in blocks of at most _BLOCK_BYTES."""
    if isinstance(held, np.ndarray):
        runs, n_times, n_states = held.shape
        step = max(1, _BLOCK_BYTES // max(1, runs * n_states * 8))
        for t0 in range(0, n_times, step):
            yield t0, min(n_times, t0 + step), held[:, t0 : t0 + step]
        return
    with open(held, "rb", buffering=0) as f:
        np.lib.format.read_magic(f)
        (runs, n_times, n_states), _, _ = np.lib.format.read_array_header_1_0(f)
        data_at = f.tell()
        step = max(1, _BLOCK_BYTES // max(1, runs * n_states * 8))
        for t0 in range(0, n_times, step):
            t1 = min(n_times, t0 + step)
            yield t0, t1, _read_block(f, data_at, (runs, n_times, n_states), t0, t1)


def _read_block(f: Any, data_at: int, shape: tuple[int, int, int], t0: int, t1: int) -> np.ndarray:
    """Times [t0, t1) of every run, read row by row.

    Plain reads rather than a memory map: the kernel maps the pages around each page a map
    touches, so slicing a map of the whole file would bring most of it into this process.
    """
    runs, n_times, n_states = shape
    block = np.empty((runs, t1 - t0, n_states), dtype=np.float64)
    row_bytes = n_times * n_states * block.itemsize
    for r in range(runs):
        f.seek(data_at + r * row_bytes + t0 * n_states * block.itemsize)
        view = memoryview(block[r]).cast("B")
        got = 0
        while got < len(view):
            n = f.readinto(view[got:])
            if not n:
                raise OSError(f"{f.name} ends early (run {r})")
            got += n
    return block


def write_bands(
    plan: EnsemblePlan, work: WorkDir, grids: dict[int, np.ndarray], path: Path
) -> None:
    """Write bands.parquet for every point of `plan` from the runs held in `work`.

    Parameters
    ----------
    plan
        The finished plan.
    work
        Its work directory, holding every run.
    grids
        The output times (s) of each point.
    path
        The file to write.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = _gather(plan, work)
    schema = pa.schema(
        [
            ("point", pa.int64()),
            ("t", pa.float64()),
            ("state", pa.string()),
            *((name, pa.float64()) for name, _ in QUANTILES),
            ("mean", pa.float64()),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for p in sorted(files):
            held, states = files[p]
            for t0, t1, block in _blocks(held):
                n_states = block.shape[2]
                rows = band_rows(block)
                cols: dict[str, Any] = {
                    "point": np.full((t1 - t0) * n_states, p, dtype=np.int64),
                    "t": np.repeat(grids[p][t0:t1], n_states),
                    "state": np.tile(np.array(states, dtype=object), t1 - t0),
                }
                for name in [*(n for n, _ in QUANTILES), "mean"]:
                    cols[name] = rows[name].reshape(-1)
                writer.write_table(pa.table(cols, schema=schema))


def incidence_rows(n_times: int) -> np.ndarray:
    """The output times (their indices) of incidence_bands.parquet: every k-th and the last."""
    if n_times <= 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, -(-(n_times - 1) // MAX_INTERVALS))
    return np.unique(np.append(np.arange(0, n_times, k), n_times - 1)).astype(np.int64)


def write_incidence_bands(
    plan: EnsemblePlan, work: WorkDir, grids: dict[int, np.ndarray], path: Path
) -> bool:
    """Write incidence_bands.parquet (see the module docstring) for the points whose runs
    counted their reactions; False, and nothing written, if none did.

    Parameters are those of write_bands.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = _gather(plan, work, "epidemic")
    if not files:
        return False
    schema = pa.schema(
        [
            ("point", pa.int64()),
            ("t", pa.float64()),
            ("series", pa.string()),
            *((name, pa.float64()) for name, _ in QUANTILES),
            ("mean", pa.float64()),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for p in sorted(files):
            held, names = files[p]
            labels = np.array(
                [f"new_{n}" for n in names] + [f"cum_{n}" for n in names], dtype=object
            )
            keep = incidence_rows(grids[p].size)
            before: np.ndarray | None = None  # each run's counts at the last row kept
            for t0, t1, block in _blocks(held):
                at = keep[(keep >= t0) & (keep < t1)]
                if not at.size:
                    continue
                counts = block[:, at - t0]
                previous = np.concatenate(
                    [counts[:, :1] if before is None else before[:, None], counts[:, :-1]], axis=1
                )
                before = counts[:, -1]
                # Each run's incidence in each interval (0 at the first time), then its
                # quantiles over the runs.
                rows = band_rows(np.concatenate([counts - previous, counts], axis=2))
                n_cols = labels.size
                cols: dict[str, Any] = {
                    "point": np.full(at.size * n_cols, p, dtype=np.int64),
                    "t": np.repeat(grids[p][at], n_cols),
                    "series": np.tile(labels, at.size),
                }
                for name in [*(n for n, _ in QUANTILES), "mean"]:
                    cols[name] = rows[name].reshape(-1)
                writer.write_table(pa.table(cols, schema=schema))
    return True

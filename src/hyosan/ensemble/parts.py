"""The hidden work directory of an ensemble: finished runs in part files, for resuming.

Beside OUT, in `.OUT.ensemble/`:

```
fingerprint.json        the plan's fingerprint and what it was made from
parts/chunk-00000.npz   finished runs, compressed: `index` (point, replicate, seed), `meta`
                        (JSON of the scalar figures), `series` (every run's counts, packed:
                        see _pack), `shapes` (each run's times × states), `packing`; and
                        `epidemic`, `epidemic_shapes`, `epidemic_packing`, each run's
                        reaction counts so far packed alike (no columns where the engine
                        counted none; absent in parts written before hyosan kept them)
series/point-00000.npy  at the end, for a large ensemble only: every run's series of a
                        point, for the bands (ensemble.bands); epidemic/point-00000.npy the
                        same for the reaction counts
```

The series are most of a part file. Whole counts (the stochastic engines) are stored as the
differences from one output time to the next, which are mostly 0 or small, as int32 (int64
where one does not fit); fractional counts (ode) as they are, float64. Either way the values
are stored byte by byte (every value's lowest byte, then every value's next byte, ...: see
_planes), and the file is deflated. Deflate mostly packs byte planes better than whole values
(the high bytes of the differences are nearly all 0 or 255, the sign and exponent bytes of a
smooth curve nearly constant): about a quarter smaller for 50 runs of hyosan-city or a sweep of sir
under ode, 16 times for identical ode runs, 13 % larger for short runs of 200 people. The
counts read back are the float64 values the runs recorded, bit for bit: whole counts are exact
up to 2**53, a country's population and more.
Parts written before hyosan kept float64 (float32 counts, or int32 differences of float32
counts, stored as they are) still read back, as the float64 of what they hold.

A part file is written to a temporary name, flushed to disk and renamed, so a part is complete
or absent, whenever the process is killed. A restarted command with the same fingerprint runs
only the (point, replicate) pairs no part holds; one with another fingerprint is refused unless
forced, which discards the old work (work without a single finished run is simply replaced).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import HyosanError

if TYPE_CHECKING:
    from hyosan.ensemble.plan import EnsemblePlan

__all__ = ["WorkDir", "work_dir_for"]

_CHUNK_RE = re.compile(r"^chunk-(\d+)\.npz$")


def work_dir_for(out: Path) -> Path:
    """Where the work directory of output directory `out` lives."""
    return out.parent / f".{out.name}.ensemble"


def _fsync_dir(path: Path) -> None:
    # Make a rename durable; not every platform can open a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: How a part file's series are packed (its `packing`, `epidemic_packing`). Parts written
#: before hyosan kept float64 hold float32 counts (_RAW32) or, for whole counts under 2**24,
#: their int32 differences along time (_WHOLE_DIFFS32); both are read, never written. Now the
#: float64 counts (_RAW64) or, for whole counts under 2**53, which float64 and int64 both hold
#: exactly, their differences along time (_WHOLE_DIFFS), int32 where every one fits and int64
#: otherwise; both in byte planes (_planes).
_RAW32, _WHOLE_DIFFS32, _RAW64, _WHOLE_DIFFS = 0, 1, 2, 3

_INT32 = np.iinfo(np.int32)


def _planes(values: np.ndarray) -> np.ndarray:
    """Little-endian `values` as a uint8 array (bytes per value, values): row k holds byte k
    of every value."""
    little = values.astype(values.dtype.newbyteorder("<"), copy=False)
    return np.ascontiguousarray(little.view(np.uint8).reshape(-1, little.itemsize).T)


def _from_planes(planes: np.ndarray, kind: str) -> np.ndarray:
    """The values of _planes' `planes`, of numpy kind `kind` ("i" or "f")."""
    dtype = np.dtype(f"<{kind}{planes.shape[0]}")
    return np.ascontiguousarray(planes.T).view(dtype).reshape(-1)


def _pack(runs: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every run's (times, states) counts, state by state along time, in one array of byte
    planes: (values, shapes (runs, 2), packing)."""
    arrays = [np.asarray(r, dtype=np.float64) for r in runs]
    arrays = [a.reshape(a.shape[0], -1) if a.ndim != 2 else a for a in arrays]
    shapes = np.array([a.shape for a in arrays], dtype=np.int64).reshape(-1, 2)
    flat = np.concatenate([a.T.reshape(-1) for a in arrays]) if arrays else np.zeros(0)
    whole = flat.size == 0 or (
        bool(np.all(np.isfinite(flat)))
        and float(np.abs(flat).max()) < 2**53
        and bool(np.all(flat == np.round(flat)))
        and not bool(np.any(np.signbit(flat) & (flat == 0)))  # -0.0 would come back as 0.0
    )
    if not whole:
        return _planes(flat), shapes, np.array(_RAW64)
    diffs = np.diff(flat.astype(np.int64), prepend=0)
    if diffs.size == 0 or (_INT32.min <= diffs.min() and diffs.max() <= _INT32.max):
        diffs = diffs.astype(np.int32)  # the usual case, and half the bytes to deflate
    return _planes(diffs), shapes, np.array(_WHOLE_DIFFS)


def _unpack(values: np.ndarray, shapes: np.ndarray, packing: int) -> list[np.ndarray]:
    """The runs' float64 (times, states) counts, as _pack was given them (or, from a part of
    an older hyosan, the float64 of its float32 counts)."""
    if packing == _WHOLE_DIFFS:
        values = _from_planes(values, "i")
    elif packing == _RAW64:
        values = _from_planes(values, "f")
    if packing in (_WHOLE_DIFFS, _WHOLE_DIFFS32):
        flat = np.cumsum(values, dtype=np.int64).astype(np.float64)
    elif packing in (_RAW64, _RAW32):
        flat = np.asarray(values).astype(np.float64)
    else:
        raise ValueError(f"unknown packing {packing} (a part written by a newer hyosan?)")
    out, at = [], 0
    for n_times, n_states in shapes:
        size = int(n_times * n_states)
        out.append(np.ascontiguousarray(flat[at : at + size].reshape(n_states, n_times).T))
        at += size
    return out


class WorkDir:
    """Part files of one plan's finished runs, written as runs finish.

    Parameters
    ----------
    path
        The work directory (see work_dir_for).
    plan
        The plan whose runs it holds.
    force
        Discard a work directory left by a different command instead of refusing.
    flush_runs, flush_s
        Write a part file once this many runs wait, or once the oldest waited this long.
    """

    def __init__(
        self,
        path: Path,
        plan: EnsemblePlan,
        *,
        force: bool = False,
        flush_runs: int = 50,
        flush_s: float = 5.0,
    ) -> None:
        self.path = path
        self.parts = path / "parts"
        self.flush_runs, self.flush_s = flush_runs, flush_s
        self._buffer: list[dict[str, Any]] = []
        self._since = time.monotonic()
        fingerprint = plan.fingerprint()
        stamp = path / "fingerprint.json"
        if path.exists():
            found = None
            unreadable = False
            try:
                found = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
            except (OSError, ValueError, AttributeError):
                found, unreadable = None, True
            # Work that holds no finished run (a command that failed at once) is no loss.
            empty = not any((path / "parts").glob("chunk-*.npz"))
            if found != fingerprint:
                if not (empty or force):
                    what = (
                        f"its {stamp.name} cannot be read, so its runs cannot be matched to "
                        "this command"
                        if unreadable
                        else "it holds runs of a different command (another scenario, seed, "
                        "number of runs or --vary); run that command again to finish it"
                    )
                    raise HyosanError(
                        f"{path}: {what}; or add --force to discard those runs and start afresh"
                    )
                shutil.rmtree(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".new")
            shutil.rmtree(tmp, ignore_errors=True)
            (tmp / "parts").mkdir(parents=True)
            (tmp / "fingerprint.json").write_text(
                json.dumps({"fingerprint": fingerprint, **plan.identity()}, indent=2) + "\n",
                encoding="utf-8",
            )
            tmp.rename(path)
        for stale in self.parts.glob(".*.tmp"):  # left by a kill during a write
            stale.unlink(missing_ok=True)
        self._next = 1 + max((int(m[1]) for m in self._chunk_matches()), default=-1)
        self._set_aside_unreadable()

    def _set_aside_unreadable(self) -> None:
        # Part files are written atomically, so only damage from outside (a disk error, a
        # copy cut short) leaves one unreadable: its runs are run again rather than the whole
        # ensemble refused; the file is renamed, out of the way, till the work is done.
        for chunk in self.chunks():
            try:
                # The file opened here, so that it is closed whatever np.load makes of it.
                with chunk.open("rb") as handle, np.load(handle) as npz:
                    index = npz["index"]
                    meta = json.loads(bytes(npz["meta"]).decode("utf-8"))
                    for name in npz.files:  # every array, so that each one's CRC is checked
                        npz[name]
                if index.ndim != 2 or index.shape[1] != 3 or len(meta) != len(index):
                    raise ValueError("its index and its records do not match")
            except Exception as exc:  # whatever numpy, zipfile or json raise
                bad = chunk.with_name(chunk.name + ".unreadable")
                chunk.replace(bad)
                print(
                    f"note: {chunk} cannot be read ({type(exc).__name__}: {exc}); its runs "
                    f"will be run again (the file is renamed {bad.name})",
                    file=sys.stderr,
                )

    # --- reading ---------------------------------------------------------------------------

    def _chunk_matches(self) -> list[re.Match[str]]:
        found = (_CHUNK_RE.match(p.name) for p in self.parts.iterdir())
        return sorted((m for m in found if m), key=lambda m: int(m[1]))

    def chunks(self) -> list[Path]:
        """Part files in the order they were written."""
        return [self.parts / m[0] for m in self._chunk_matches()]

    def done(self) -> set[tuple[int, int]]:
        """(point, replicate) of every run held in a part file."""
        out: set[tuple[int, int]] = set()
        for chunk in self.chunks():
            with np.load(chunk) as npz:
                index = npz["index"]
            out.update((int(p), int(r)) for p, r, _ in index)
        return out

    def records(self, with_series: bool = False) -> Iterator[dict[str, Any]]:
        """Every stored record (series and reaction counts only if asked), chunk by chunk."""
        for chunk in self.chunks():
            with np.load(chunk) as npz:
                index = npz["index"]
                meta = json.loads(bytes(npz["meta"]).decode("utf-8"))
                series = epidemic = None
                if with_series:
                    series = _unpack(npz["series"], npz["shapes"], int(npz["packing"]))
                    if "epidemic" in npz.files:
                        epidemic = _unpack(
                            npz["epidemic"], npz["epidemic_shapes"], int(npz["epidemic_packing"])
                        )
            for k, (p, r, s) in enumerate(index):
                rec = {"point": int(p), "replicate": int(r), "seed": int(s), **meta[k]}
                if series is not None:
                    rec["series"] = series[k]
                if epidemic is not None:
                    rec["epidemic"] = epidemic[k]
                yield rec

    # --- writing ---------------------------------------------------------------------------

    def add(self, record: dict[str, Any]) -> None:
        """Keep a finished run; write a part file when enough have waited."""
        if not self._buffer:
            self._since = time.monotonic()
        self._buffer.append(record)
        if len(self._buffer) >= self.flush_runs or (time.monotonic() - self._since >= self.flush_s):
            self.flush()

    def due(self) -> bool:
        """True when runs have waited longer than `flush_s` (call flush)."""
        return bool(self._buffer) and time.monotonic() - self._since >= self.flush_s

    def flush(self) -> None:
        """Write the waiting runs to a new part file, atomically."""
        if not self._buffer:
            return
        recs = self._buffer
        index = np.array([[r["point"], r["replicate"], r["seed"]] for r in recs], dtype=np.int64)
        arrays = ("point", "replicate", "seed", "series", "epidemic")
        meta = [{k: v for k, v in r.items() if k not in arrays} for r in recs]
        blob = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        series, shapes, packing = _pack([r["series"] for r in recs])
        n_times = [np.shape(r["series"])[0] for r in recs]
        epidemic, epi_shapes, epi_packing = _pack(
            [
                r.get("epidemic", np.zeros((n, 0), dtype=np.float64))
                for r, n in zip(recs, n_times, strict=True)
            ]
        )
        name = f"chunk-{self._next:05d}.npz"
        tmp = self.parts / f".{name}.tmp"
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f,
                index=index,
                meta=blob,
                series=series,
                shapes=shapes,
                packing=packing,
                epidemic=epidemic,
                epidemic_shapes=epi_shapes,
                epidemic_packing=epi_packing,
            )
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.parts / name)
        _fsync_dir(self.parts)
        self._next += 1
        self._buffer = []

    def remove(self) -> None:
        """Delete the work directory (once the output directory is in place)."""
        shutil.rmtree(self.path, ignore_errors=True)

"""The work directory's size (issue 18): part files hold the runs' series packed and deflated,
and bands come from an in-memory gather unless the ensemble is large, with the same numbers
either way and the same counts read back as the runs recorded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from ensemble_helpers import SZR

from hyosan.ensemble import Execution, Output, bands, run_ensemble
from hyosan.ensemble.parts import _pack, _unpack


@pytest.mark.parametrize(
    "runs",
    [
        [np.arange(12, dtype=np.float32).reshape(4, 3), np.array([[5.0, 0.0]], np.float32)],
        [np.array([[0.25, 1.0], [3.5, 2.0]], np.float32)],  # fractional (ode)
        [np.array([[-0.0, 1.0]], np.float32)],  # whole, but -0.0 is not 0.0
        [np.array([[2.0**24, 1.0]], np.float32)],  # past what int32 differences keep exact
        [np.array([[np.nan, 1.0], [np.inf, -3.0]], np.float32)],
        [np.zeros((0, 3), np.float32)],
        [],
    ],
    ids=["whole", "fractional", "negative-zero", "2**24", "non-finite", "no-times", "no-runs"],
)
def test_packed_series_come_back_bit_for_bit(runs: list[np.ndarray]) -> None:
    values, shapes, packing = _pack(runs)
    back = _unpack(values, shapes, int(packing))
    assert len(back) == len(runs)
    for a, b in zip(runs, back, strict=True):
        assert b.dtype == np.float32
        assert b.shape == a.shape
        assert a.tobytes() == b.tobytes()


def test_whole_counts_are_packed_as_differences() -> None:
    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.integers(-1, 2, size=(500, 3)), axis=0).astype(np.float32) + 100
    values, _, packing = _pack([walk, walk[:7]])
    assert int(packing) == 1
    assert values.dtype == np.int32
    assert set(np.unique(values[1:500])) <= {-1, 0, 1}  # along the first state's times


def _ensemble(out: Path, runs: int) -> None:
    name, engine, sets = SZR
    run_ensemble(
        name,
        runs,
        engine=engine,
        overrides=sets,
        execution=Execution(workers=1),
        output=Output(out),
    )


def test_bands_are_the_same_gathered_in_memory_or_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ensemble(tmp_path / "memory", 60)
    monkeypatch.setattr(bands, "IN_MEMORY_BYTES", 0)  # every ensemble "large"
    _ensemble(tmp_path / "disk", 60)
    a = pq.read_table(tmp_path / "memory" / "bands.parquet")
    b = pq.read_table(tmp_path / "disk" / "bands.parquet")
    assert a.num_rows > 0
    assert a.equals(b)


def test_part_files_are_a_fraction_of_the_counts(tmp_path: Path) -> None:
    # Stop the ensemble after its runs are stored, before the work directory is removed.
    sizes: dict[str, int] = {}

    def measure(folder: Path) -> None:
        work = folder.parent / ".ens.ensemble"
        sizes["parts"] = sum(p.stat().st_size for p in (work / "parts").iterdir())
        sizes["series"] = len(list(work.glob("series/*")))

    name, engine, sets = SZR
    result = run_ensemble(
        name, 200, engine=engine, overrides=sets, execution=Execution(workers=1),
        output=Output(tmp_path / "ens"), before_publish=measure,
    )  # fmt: skip
    times = len(pq.read_table(tmp_path / "ens" / "bands.parquet")) // 3  # three states
    raw = 200 * times * 3 * 4  # the runs' float32 counts
    assert sizes["series"] == 0  # gathered in memory: no second copy on disk
    # Whole counts as deflated differences: measured 13x smaller on sir under ssa.
    assert sizes["parts"] < raw / 4, (sizes, raw)
    assert result.runs.num_rows == 200

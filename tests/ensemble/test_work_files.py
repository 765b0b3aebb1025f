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

from hyosan.ensemble import Execution, Output, bands, run_ensemble, run_seed
from hyosan.ensemble.parts import _WHOLE_DIFFS, _from_planes, _pack, _unpack
from hyosan.runner import simulate


@pytest.mark.parametrize(
    "runs",
    [
        [np.arange(12, dtype=np.float64).reshape(4, 3), np.array([[5.0, 0.0]])],
        [np.array([[0.25, 1.0], [3.5, 2.0]])],  # fractional (ode)
        [np.array([[1 / 3, 1.0], [2 / 3, 2.0]])],  # fractional past float32's precision
        [np.array([[-0.0, 1.0]])],  # whole, but -0.0 is not 0.0
        [np.array([[2.0**24 + 1, 1.0]])],  # past what float32 keeps exact
        [np.array([[2.0**53, 1.0]])],  # past what the differences are kept for
        [np.array([[np.nan, 1.0], [np.inf, -3.0]])],
        [np.zeros((0, 3))],
        [np.zeros((4, 0)), np.zeros((2, 0))],  # no reactions counted
        [],
    ],
    ids=[
        "whole",
        "fractional",
        "fractional-float64",
        "negative-zero",
        "2**24+1",
        "2**53",
        "non-finite",
        "no-times",
        "no-columns",
        "no-runs",
    ],
)
def test_packed_series_come_back_bit_for_bit(runs: list[np.ndarray]) -> None:
    values, shapes, packing = _pack(runs)
    back = _unpack(values, shapes, int(packing))
    assert len(back) == len(runs)
    for a, b in zip(runs, back, strict=True):
        assert b.dtype == np.float64
        assert b.shape == a.shape
        assert a.tobytes() == b.tobytes()


def test_whole_counts_are_packed_as_differences() -> None:
    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.integers(-1, 2, size=(500, 3)), axis=0).astype(np.float64) + 100
    values, _, packing = _pack([walk, walk[:7]])
    assert int(packing) == _WHOLE_DIFFS
    assert values.dtype == np.uint8
    assert values.shape[0] == 4  # byte planes of int32: every difference fits
    diffs = _from_planes(values, "i")
    assert set(np.unique(diffs[1:500])) <= {-1, 0, 1}  # along the first state's times


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
    # One output time per block: the incidence of each block's first interval needs the
    # counts of the block before.
    monkeypatch.setattr(bands, "_BLOCK_BYTES", 1)
    _ensemble(tmp_path / "disk", 60)
    for name in ("bands.parquet", "incidence_bands.parquet"):
        a = pq.read_table(tmp_path / "memory" / name)
        b = pq.read_table(tmp_path / "disk" / name)
        assert a.num_rows > 0
        assert a.equals(b), name


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
    raw = 200 * times * 3 * 4  # the runs' counts as float32 (they are float64: 8 bytes each)
    assert sizes["series"] == 0  # gathered in memory: no second copy on disk
    # Whole counts as deflated differences: measured 13x smaller on sir under ssa.
    assert sizes["parts"] < raw / 4, (sizes, raw)
    assert result.runs.num_rows == 200


def test_incidence_rows_keep_at_most_max_intervals() -> None:
    """Every output time while they are few; then every k-th and the last."""
    np.testing.assert_array_equal(bands.incidence_rows(5), np.arange(5))
    rows = bands.incidence_rows(3601)  # five days every 2 minutes
    assert rows[0] == 0
    assert rows[-1] == 3600
    assert rows.size - 1 <= bands.MAX_INTERVALS
    steps = np.diff(rows)
    assert np.all(steps[:-1] == steps[0])  # evenly spaced but for the last
    assert steps[-1] <= steps[0]
    assert bands.incidence_rows(0).size == 0


def test_coarse_incidence_bands_sum_each_runs_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With fewer intervals than output times, each interval's incidence is each run's count
    over the output intervals it spans, and its quantiles are taken over those counts."""
    monkeypatch.setattr(bands, "MAX_INTERVALS", 7)
    runs = 12
    name, engine, sets = SZR
    run_ensemble(
        name, runs, engine=engine, overrides=sets, seed=5,
        execution=Execution(workers=1), output=Output(tmp_path / "ens"),
    )  # fmt: skip
    table = pq.read_table(tmp_path / "ens" / "incidence_bands.parquet").to_pydict()
    results = [
        simulate(name, engine=engine, seed=run_seed(5, 0, r), overrides=sets) for r in range(runs)
    ]
    keep = bands.incidence_rows(results[0].times.size)
    assert keep.size - 1 == 7
    infections = np.array([res.epidemic.infections for res in results], np.float64)[:, keep]
    new = np.diff(infections, axis=1, prepend=infections[:, :1])
    rows = [i for i, s in enumerate(table["series"]) if s == "new_infections"]
    np.testing.assert_array_equal(np.array(table["t"])[rows], results[0].times[keep])
    for col, q in bands.QUANTILES:
        np.testing.assert_array_equal(np.array(table[col])[rows], np.quantile(new, q, axis=0))
    # The runs that took off count several bites in an interval, not 0 or 1.
    assert np.array(table["q95"])[rows].max() > 5

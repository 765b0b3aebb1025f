"""Ensemble series keep whole counts exact past 2**24 (a country: korea's 51.8 million): the
runs' records, the part files and the bands hold float64, and the incidence of an interval is
each run's exact difference of its counts so far, however large they are. Part files written
by an older hyosan (float32 counts, or int32 differences of them) still read back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from hyosan.ensemble import Execution, Output, bands, run_ensemble, run_seed
from hyosan.ensemble.parts import _WHOLE_DIFFS, WorkDir, _pack, _unpack
from hyosan.ensemble.plan import EnsemblePlan, Point
from hyosan.runner import simulate

#: Near korea's population: float32 holds only every 4th whole number there.
BIG = 51_800_001.0


def test_large_counts_with_steps_of_one_come_back_exactly() -> None:
    times = np.arange(300, dtype=np.float64)
    humans = BIG - times  # one person lost per output time
    zombies = 3.0 + times
    country = np.column_stack([humans, zombies, np.full_like(times, 306_000_000.0)])
    values, shapes, packing = _pack([country, country[:5] + 1])
    assert int(packing) == _WHOLE_DIFFS
    assert values.shape[0] == 4  # int32 byte planes: the differences are small
    back = _unpack(values, shapes, int(packing))
    assert back[0].dtype == np.float64
    np.testing.assert_array_equal(back[0], country)
    np.testing.assert_array_equal(back[1], country[:5] + 1)
    assert np.all(np.diff(back[0][:, 0]) == -1)


def test_differences_past_int32_are_kept_as_int64() -> None:
    jump = np.array([[0.0, 2.0**53 - 1], [3.0e9, 2.0**53 - 2], [3.0e9 + 1, 1.0], [1.0, 0.0]])
    values, shapes, packing = _pack([jump])
    assert int(packing) == _WHOLE_DIFFS
    assert values.shape[0] == 8  # int64 byte planes
    np.testing.assert_array_equal(_unpack(values, shapes, int(packing))[0], jump)


def _old_pack(runs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A part's series as hyosan packed them before it kept float64: float32 counts (packing
    0) or, for whole counts under 2**24, their int32 differences (packing 1)."""
    arrays = [np.asarray(r, dtype=np.float32) for r in runs]
    shapes = np.array([a.shape for a in arrays], dtype=np.int64).reshape(-1, 2)
    flat = np.concatenate([a.T.reshape(-1) for a in arrays]).astype(np.float32)
    whole = bool(np.all(flat == np.round(flat))) and float(np.abs(flat).max()) < 2**24
    if not whole:
        return flat, shapes, np.array(0)
    diffs = np.diff(flat.astype(np.int64), prepend=0).astype(np.int32)
    return diffs, shapes, np.array(1)


def _plan(replicates: int) -> EnsemblePlan:
    point = Point(0, "synthetic", "text", "synthetic.toml", (), "ssa", 0)
    return EnsemblePlan("ensemble", 1, replicates, (point,))


def _record(replicate: int, series: np.ndarray, epidemic: np.ndarray) -> dict[str, Any]:
    return {
        "point": 0,
        "replicate": replicate,
        "seed": run_seed(1, 0, replicate),
        "states": ["human", "zombie"],
        "series": series,
        "epidemic_names": ["bite", "infections"],
        "epidemic": epidemic,
        "scalars": {"t_end_s": 1.0},
    }


def test_part_files_of_an_older_hyosan_still_read(tmp_path: Path) -> None:
    """An old part (float32 counts, int32 differences) beside a new one: both read back."""
    plan = _plan(3)
    work = WorkDir(tmp_path / ".ens.ensemble", plan)
    whole = np.array([[10.0, 1.0], [9.0, 2.0], [7.0, 4.0]])
    fractional = np.array([[10.0, 0.5], [9.25, 1.75], [7.5, 3.5]])
    epidemic = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]])
    old = [_record(0, whole, epidemic), _record(1, fractional, epidemic)]
    series, shapes, packing = _old_pack([r["series"] for r in old])
    epi, epi_shapes, epi_packing = _old_pack([r["epidemic"] for r in old])
    assert (int(packing), int(epi_packing)) == (0, 1)  # one of each old kind
    arrays = ("point", "replicate", "seed", "series", "epidemic")
    meta = [{k: v for k, v in r.items() if k not in arrays} for r in old]
    np.savez_compressed(
        work.parts / "chunk-00000.npz",
        index=np.array([[r["point"], r["replicate"], r["seed"]] for r in old], dtype=np.int64),
        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        series=series,
        shapes=shapes,
        packing=packing,
        epidemic=epi,
        epidemic_shapes=epi_shapes,
        epidemic_packing=epi_packing,
    )
    # A resumed ensemble: the new hyosan adds its own part beside the old one.
    work = WorkDir(tmp_path / ".ens.ensemble", plan)
    work.add(_record(2, whole + 1, epidemic))
    work.flush()
    records = sorted(work.records(with_series=True), key=lambda r: r["replicate"])
    expected = [whole, fractional, whole + 1]
    for rec, series_ in zip(records, expected, strict=True):
        assert rec["series"].dtype == np.float64
        np.testing.assert_array_equal(rec["series"], series_)
        np.testing.assert_array_equal(rec["epidemic"], epidemic)
    grids = {0: np.array([0.0, 60.0, 120.0])}
    bands.write_bands(plan, work, grids, tmp_path / "bands.parquet")
    table = pq.read_table(tmp_path / "bands.parquet").to_pydict()
    assert table["q50"][:2] == [10.0, 1.0]


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_incidence_of_large_counts_is_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Cumulative counts past 2**24 that grow by 1, 2 or 3 a time: the bands' counts and the
    incidence's new_ figures are the exact whole numbers (float32 counts gave 0 or 4)."""
    if where == "disk":
        monkeypatch.setattr(bands, "IN_MEMORY_BYTES", 0)
        monkeypatch.setattr(bands, "_BLOCK_BYTES", 1)
    runs, n_times = 5, 40
    plan = _plan(runs)
    work = WorkDir(tmp_path / ".ens.ensemble", plan)
    steps = np.arange(n_times, dtype=np.float64)
    for r in range(runs):
        bitten = BIG + (r % 3 + 1) * steps  # r % 3 + 1 bites each output time
        series = np.column_stack([2 * BIG - bitten, bitten])
        work.add(_record(r, series, np.column_stack([bitten, bitten])))
    work.flush()
    grids = {0: 60.0 * steps}
    bands.write_bands(plan, work, grids, tmp_path / "bands.parquet")
    assert bands.write_incidence_bands(plan, work, grids, tmp_path / "incidence.parquet")
    table = pq.read_table(tmp_path / "bands.parquet").to_pydict()
    zombie = np.array(table["q50"])[np.array(table["state"]) == "zombie"]
    np.testing.assert_array_equal(zombie, BIG + 2 * steps)  # the median run bites 2 a time
    incidence = pq.read_table(tmp_path / "incidence.parquet").to_pydict()
    series = np.array(incidence["series"])
    new = np.flatnonzero(series == "new_infections")
    # Runs bite 1, 2, 3, 1, 2 a time (0 at the first time).
    per_run = np.array([r % 3 + 1 for r in range(runs)], dtype=np.float64)
    for col, q in bands.QUANTILES:
        got = np.array(incidence[col])[new]
        assert got[0] == 0.0
        np.testing.assert_array_equal(got[1:], np.quantile(per_run, q), col)
    np.testing.assert_allclose(np.array(incidence["mean"])[new][1:], 1.8, rtol=0, atol=1e-9)
    cum = np.array(incidence["q50"])[series == "cum_infections"]
    np.testing.assert_array_equal(cum, BIG + 2 * steps)


def test_ensemble_bands_of_a_country_are_the_runs_counts(tmp_path: Path) -> None:
    """A real ensemble of 60 million people (tau leaping): its bands are the quantiles of the
    runs' own counts, not of their float32 roundings."""
    sets = (
        "initial.S=60000000",
        "initial.I=100000",
        'time.horizon="10d"',
        'time.output_every="0.5d"',
    )
    runs = 3
    run_ensemble(
        "sir", runs, engine="tau", seed=4, overrides=sets,
        execution=Execution(workers=1), output=Output(tmp_path / "ens"),
    )  # fmt: skip
    results = [
        simulate("sir", engine="tau", seed=run_seed(4, 0, r), overrides=sets) for r in range(runs)
    ]
    table = pq.read_table(tmp_path / "ens" / "bands.parquet").to_pydict()
    assert np.all(results[0].series("human") > 2**24)
    assert set(table["state"]) == set(results[0].state_names())
    for state in results[0].state_names():
        counts = np.array([res.series(state) for res in results])
        rows = np.array(table["state"]) == state
        for col, q in bands.QUANTILES:
            expected = np.quantile(counts, q, axis=0)
            np.testing.assert_array_equal(np.array(table[col])[rows], expected, f"{state} {col}")
    incidence = pq.read_table(tmp_path / "ens" / "incidence_bands.parquet").to_pydict()
    infections = np.array([res.epidemic.infections for res in results])
    new = np.diff(infections, axis=1, prepend=infections[:, :1])
    rows = np.array(incidence["series"]) == "new_infections"
    np.testing.assert_array_equal(np.array(incidence["q50"])[rows], np.median(new, axis=0))

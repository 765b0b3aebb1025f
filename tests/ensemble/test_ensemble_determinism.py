"""The determinism matrix: every executor and worker count gives the same runs, bit for bit.

Serial, a process pool with one and two workers, and a Dask LocalCluster with one and two
workers all write identical runs.parquet, bands.parquet and incidence_bands.parquet.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from ensemble_helpers import SZR, read_bands, read_incidence_bands, read_runs

from hyosan.ensemble import Execution, Output, run_ensemble, run_seed
from hyosan.ensemble.bands import MAX_INTERVALS, QUANTILES, incidence_rows
from hyosan.runner import simulate

RUNS = 24


def _ensemble(out: Path, **how: Any) -> Path:
    name, engine, overrides = SZR
    run_ensemble(
        name,
        RUNS,
        engine=engine,
        overrides=overrides,
        seed=11,
        output=Output(out),
        execution=Execution(**how),
    )
    return out


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: every run in this process, one after another."""
    return _ensemble(tmp_path_factory.mktemp("serial") / "out", workers=1)


def test_runs_are_the_engine_runs(serial: Path) -> None:
    """Each row is exactly what `simulate` gives with the run's spawned seed."""
    name, engine, overrides = SZR
    runs = pq.read_table(serial / "runs.parquet").to_pylist()
    assert [r["replicate"] for r in runs] == list(range(RUNS))
    for row in runs[:5]:
        assert row["seed"] == run_seed(11, 0, row["replicate"])
        summary = simulate(name, engine=engine, seed=row["seed"], overrides=overrides).summary()
        for key in ("t_end_s", "peak_zombies", "t_overrun_s", "humans_win", "stopped_by"):
            assert row[key] == summary[key], key
        assert row["final_zombie"] == summary["final"]["zombie"]


def test_bands_are_quantiles_of_the_runs(serial: Path) -> None:
    """bands.parquet holds numpy's quantiles of the runs' states at each output time."""
    name, engine, overrides = SZR
    results = [
        simulate(name, engine=engine, seed=run_seed(11, 0, r), overrides=overrides)
        for r in range(RUNS)
    ]
    zombies = np.array([res.series("zombie") for res in results], dtype=np.float64)
    bands = pq.read_table(serial / "bands.parquet").to_pydict()
    rows = [i for i, s in enumerate(bands["state"]) if s == "zombie"]
    np.testing.assert_array_equal(np.array(bands["t"])[rows], results[0].times)
    for col, q in QUANTILES:
        expected = np.quantile(zombies, q, axis=0)
        np.testing.assert_array_equal(np.array(bands[col])[rows], expected)


def test_incidence_bands_are_quantiles_of_the_runs_incidence(serial: Path) -> None:
    """incidence_bands.parquet holds numpy's quantiles of each run's incidence per interval
    (not a difference of quantiles) and of its counts so far, for each reaction and for the
    infections, at every k-th output time (at most MAX_INTERVALS intervals)."""
    name, engine, overrides = SZR
    results = [
        simulate(name, engine=engine, seed=run_seed(11, 0, r), overrides=overrides)
        for r in range(RUNS)
    ]
    table = read_incidence_bands(serial)
    assert table.column_names == ["point", "t", "series", *(n for n, _ in QUANTILES), "mean"]
    bands = table.to_pydict()
    series = np.array(bands["series"], dtype=object)
    reactions = [*results[0].reactions, "infections"]
    keep = incidence_rows(results[0].times.size)
    # Every output time while there are few; every k-th (and the last) when there are many.
    assert keep.size - 1 <= MAX_INTERVALS
    assert keep[-1] == results[0].times.size - 1
    assert set(series) == {f"{k}_{r}" for k in ("new", "cum") for r in reactions}
    for r in reactions:
        cum = np.array(
            [
                res.epidemic.infections
                if r == "infections"
                else res.reaction_counts[:, res.reactions.index(r)]
                for res in results
            ],
            dtype=np.float64,
        )[:, keep]
        new = np.diff(cum, axis=1, prepend=cum[:, :1])
        for kind, values in (("new", new), ("cum", cum)):
            rows = np.flatnonzero(series == f"{kind}_{r}")
            np.testing.assert_array_equal(np.array(bands["t"])[rows], results[0].times[keep])
            for col, q in QUANTILES:
                expected = np.quantile(values, q, axis=0)
                np.testing.assert_array_equal(np.array(bands[col])[rows], expected, (r, kind))
    # The runs' incidence varies: the 90 % band of new infections is not one line.
    rows = np.flatnonzero(series == "new_infections")
    assert np.any(np.array(bands["q95"])[rows] > np.array(bands["q05"])[rows])


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool(serial: Path, tmp_path: Path, workers: int) -> None:
    """A process pool with one or two workers writes the serial files."""
    if workers == 1:
        # --workers 1 runs in-process; a one-worker pool is passed in as an executor.
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            out = _ensemble(tmp_path / "out", executor=pool, workers=1)
    else:
        out = _ensemble(tmp_path / "out", workers=2)
    assert read_runs(out).equals(read_runs(serial))
    assert read_bands(out).equals(read_bands(serial))
    assert read_incidence_bands(out).equals(read_incidence_bands(serial))


@pytest.mark.timeout(180)
@pytest.mark.parametrize("workers", [1, 2])
def test_dask_local_cluster(serial: Path, tmp_path: Path, workers: int) -> None:
    """A Dask LocalCluster with one or two worker processes writes the serial files."""
    distributed = pytest.importorskip(
        "distributed", reason="Dask is the optional extra hyosan[distributed]"
    )
    with distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
    ) as cluster:
        out = _ensemble(tmp_path / "out", cluster=cluster.scheduler_address)
    assert read_runs(out).equals(read_runs(serial))
    assert read_bands(out).equals(read_bands(serial))
    assert read_incidence_bands(out).equals(read_incidence_bands(serial))


def test_files_and_columns(serial: Path) -> None:
    """The directory holds its five files, columns in the documented order."""
    assert {p.name for p in serial.iterdir()} == {
        "runs.parquet",
        "bands.parquet",
        "incidence_bands.parquet",
        "summary.json",
        "scenario.toml",
    }
    names = pq.read_table(serial / "runs.parquet").column_names
    assert names[:8] == [
        "point",
        "replicate",
        "seed",
        "t_end_s",
        "peak_zombies",
        "t_peak_zombies_s",
        "t_overrun_s",
        "humans_win",
    ]
    assert names[8:] == [
        "final_human",
        "final_zombie",
        "final_removed",
        "stopped_by",
        "infections",
        "attack_rate",
    ]
    bands = pq.read_table(serial / "bands.parquet")
    assert bands.column_names == ["point", "t", "state", *(n for n, _ in QUANTILES), "mean"]
    assert not any(p.name.startswith(".") for p in serial.parent.iterdir())

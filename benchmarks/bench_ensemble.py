"""Ensembles of the default Hyosan High scenario: wall time, speed-up, parent memory.

Run from the repository root:

    python benchmarks/bench_ensemble.py                 # 1,000 runs per executor: hours on 2 cores
    python benchmarks/bench_ensemble.py --runs 40       # a sample, extrapolated to 1,000
    python benchmarks/bench_ensemble.py --synthetic 10000   # parent memory at 10,000 runs only
    python benchmarks/bench_ensemble.py --runs 100 --configs pool-2 --json   # run_all.py's row

Figures (see benchmarks/README.md):

1. `--runs` runs of `hyosan-high` (agents engine) on a process pool with 1 and 2 workers and on
   a Dask LocalCluster with 1 and 2 single-threaded worker processes; each configuration in a
   fresh process. Wall time (the ensemble, from plan to finished directory; the pool's or
   cluster's start counted, the cluster's creation apart), runs per second, the extrapolation
   to 1,000 runs (target: under 8 minutes on 2 cores), the speed-up of 2 workers over 1
   (target: at least 1.8x), the worker-seconds per run (workers x wall time / runs, overheads
   included), the peak resident memory of the parent process, and the load average (other work
   on the machine slows every run and hides the speed-up). A control line comes first: the
   speed-up of two processes over one on a plain Python loop, which is what the machine can
   give at that moment.
2. `--synthetic N`: the parent's side of an N-run Hyosan High ensemble without simulating: N
   records of Hyosan High's shape (3,601 output times x 6 states, named characters) written to
   part files as workers would hand them back, then the directory assembled (runs.parquet,
   bands.parquet in time slices, summary.json). Peak resident memory of the process (target:
   a few hundred MB at 10,000 runs) and the time to assemble.

Timings depend on the machine and on what else runs on it: compare figures from one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_WALL_1000_S = 480.0  # issue 19: 1,000 Hyosan High runs under 8 minutes
TARGET_SPEEDUP = 1.8
CONFIGS = ("pool-1", "pool-2", "dask-1", "dask-2")


def _spin(n: int) -> float:
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def control_speedup(tasks: int = 4, n: int = 20_000_000) -> float:
    """Speed-up of 2 processes over 1 on a plain Python loop: what the machine gives now."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    walls = []
    for workers in (1, 2):
        start = time.perf_counter()
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            list(pool.map(_spin, [n] * tasks))
        walls.append(time.perf_counter() - start)
    return walls[0] / walls[1]


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(config: str, runs: int, scenario: str, overrides: list[str], out: Path) -> dict[str, Any]:
    """Run one configuration in this process and return its figures."""
    from hyosan.ensemble import Execution, Output, run_ensemble

    kind, workers = config.split("-")
    n = int(workers)
    start = time.perf_counter()
    setup_s = 0.0
    if kind == "pool":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # A one-worker pool is passed in: `workers=1` would run in this process instead.
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
            result = run_ensemble(
                scenario,
                runs,
                overrides=overrides,
                output=Output(out),
                execution=Execution(workers=n, executor=pool),
            )
    else:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            setup_s = time.perf_counter() - start
            result = run_ensemble(
                scenario,
                runs,
                overrides=overrides,
                output=Output(out),
                execution=Execution(cluster=cluster.scheduler_address),
            )
    wall = time.perf_counter() - start - setup_s
    del result  # runs.parquet keeps no per-run wall time (it would differ between executions)
    return {
        "workers": n,
        "load_avg": os.getloadavg()[0],
        "config": config,
        "runs": runs,
        "wall_s": wall,
        "cluster_start_s": setup_s,
        "runs_per_s": runs / wall,
        "mean_run_s": n * wall / runs,  # worker-seconds per run, overheads included
        "peak_parent_mb": _peak_mb(),
    }


def synthetic(n: int, folder: Path) -> dict[str, Any]:
    """Assemble an n-run Hyosan High ensemble from made-up records; memory and time."""
    import numpy as np

    from hyosan.ensemble.driver import _assemble
    from hyosan.ensemble.parts import WorkDir, work_dir_for
    from hyosan.ensemble.plan import EnsemblePlan, Point
    from hyosan.ensemble.task import prepare
    from hyosan.scenario.load import load_scenario, read_scenario_data

    label, text = read_scenario_data("hyosan-high")
    scenario = load_scenario("hyosan-high")
    times = len(prepare(text, label, (), "agents")[2])
    names = [c.name for c in scenario.characters]
    states = ["human", "bitten", "zombie", "hybrid", "removed", "safe"]
    plan = EnsemblePlan("ensemble", 1, n, (Point(0, "hyosan-high", text, label, (), "agents", 0),))
    out = folder / "synthetic"
    start = time.perf_counter()
    work = WorkDir(work_dir_for(out), plan)
    rng = np.random.default_rng(1)
    for r in range(n):
        series = rng.integers(0, 650, size=(times, len(states))).astype(np.float32)
        scalars = {
            "t_end_s": 432000.0,
            "peak_zombies": float(series[:, 2].max()),
            "t_peak_zombies_s": 3600.0,
            "t_overrun_s": None if r % 3 else 8000.0 + r,
            "humans_win": r % 7 == 0,
            **{f"final_{s}": float(series[-1, j]) for j, s in enumerate(states)},
            "wall_s": 4.5,
            "stopped_by": "horizon",
        }
        work.add(
            {
                "point": 0,
                "replicate": r,
                "seed": plan.seed(0, r),
                "scalars": scalars,
                "extras": {"n_bites": 2000 + r % 50, "people": 652},
                "survivors": names[: r % 4],
                "characters": names,
                "states": states,
                "series": series,
            }
        )
    work.flush()
    written = time.perf_counter() - start
    _assemble(
        plan,
        work,
        out,
        scenarios=[scenario],
        force=False,
        within_s=None,
        wall_s=0.0,
        outcome="p_humans_win",
    )
    parts_mb = sum(p.stat().st_size for p in work.chunks()) / 2**20
    work.remove()
    return {
        "runs": n,
        "write_parts_s": written,
        "assemble_s": time.perf_counter() - start - written,
        "parts_mb": parts_mb,
        "bands_mb": (out / "bands.parquet").stat().st_size / 2**20,
        "peak_mb": _peak_mb(),
    }


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--scenario", default="hyosan-high")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--synthetic", type=int, default=0, help="only the memory check")
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        if args.one == "synthetic":
            figures = synthetic(args.synthetic, Path(args.dir))
        else:
            figures = one(args.one, args.runs, args.scenario, args.overrides, Path(args.dir))
        print(json.dumps(figures))
        return

    with tempfile.TemporaryDirectory(prefix="bench-ensemble-") as tmp:
        if args.synthetic:
            f = _child(["--one", "synthetic", "--synthetic", str(args.synthetic), "--dir", tmp])
            ok = "PASS" if f["peak_mb"] < 500 else "MISS"
            print(
                f"synthetic {f['runs']:,} Hyosan High runs: parts {f['parts_mb']:.0f} MB written "
                f"in {f['write_parts_s']:.1f} s; assembled in {f['assemble_s']:.1f} s "
                f"(bands.parquet {f['bands_mb']:.1f} MB); peak memory {f['peak_mb']:.0f} MB "
                f"(target: a few hundred MB) {ok}"
            )
            return
        control = control_speedup()
        print(
            f"control: a plain Python loop in 2 processes over 1: {control:.2f}x "
            f"(load average {os.getloadavg()[0]:.1f}; below ~1.9x the machine is busy with "
            "other work and no speed-up below can reach its target)",
            flush=True,
        )
        results = {}
        rows = []  # run_all.py's figures (--json)
        for config in args.configs.split(","):
            extra = [f"--set={o}" for o in args.overrides]
            results[config] = f = _child(
                [
                    "--one",
                    config,
                    "--runs",
                    str(args.runs),
                    "--scenario",
                    args.scenario,
                    "--dir",
                    str(Path(tmp) / config),
                    *extra,
                ]
            )
            per_1000 = f["wall_s"] / f["runs"] * 1000
            ok = "PASS" if per_1000 < TARGET_WALL_1000_S else "MISS"
            start = (
                f" (+{f['cluster_start_s']:.1f} s cluster start)" if f["cluster_start_s"] else ""
            )
            print(
                f"{config:7s} {f['runs']:5d} runs in {f['wall_s']:7.1f} s{start}: "
                f"{f['runs_per_s']:.3f} runs/s, {f['mean_run_s']:.2f} worker-s a run, "
                f"1,000 runs ~{per_1000 / 60:.1f} min "
                f"(target < {TARGET_WALL_1000_S / 60:g} min) {ok}, "
                f"parent peak {f['peak_parent_mb']:.0f} MB, "
                f"load average {f['load_avg']:.1f}",
                flush=True,
            )
            if f["workers"] == 2:  # the figure: 1,000 runs on 2 cores
                how = "measured" if f["runs"] >= 1000 else f"projected from {f['runs']} runs"
                rows.append(
                    {
                        "figure": f"1,000 {args.scenario} runs, {config} ({how})",
                        "measured": f"{per_1000 / 60:.1f} min (control {control:.2f}x, load "
                        f"{f['load_avg']:.1f})",
                        "target": f"< {TARGET_WALL_1000_S / 60:g} min",
                        "met": per_1000 < TARGET_WALL_1000_S,
                    }
                )
        for kind in ("pool", "dask"):
            a, b = results.get(f"{kind}-1"), results.get(f"{kind}-2")
            if a and b:
                speedup = a["wall_s"] / b["wall_s"]
                ok = "PASS" if speedup >= TARGET_SPEEDUP else "MISS"
                print(f"{kind}: 2 workers over 1: {speedup:.2f}x (target >= 1.8x) {ok}")
                rows.append(
                    {
                        "figure": f"ensemble of {args.scenario}, {kind}: 2 workers over 1, wall",
                        "measured": f"{speedup:.2f}x (control {control:.2f}x)",
                        "target": f">= {TARGET_SPEEDUP}x on a quiet machine",
                        "met": speedup >= TARGET_SPEEDUP,
                    }
                )
        if args.json:
            print(json.dumps({"figures": rows}))


if __name__ == "__main__":
    main()

"""Ensemble workers: CPU time a run with 1 and 2 workers, wall time, threads; asserts nothing.

Run from the repository root:

    python benchmarks/bench_workers.py                      # Hyosan High, 24 runs a config
    python benchmarks/bench_workers.py --runs 50 --rounds 2
    python benchmarks/bench_workers.py --scenario sir --engine ssa --runs 400
    python benchmarks/bench_workers.py --json               # also a last line of JSON (run_all.py)

Each configuration is the pool an ensemble uses (`hyosan.ensemble.executors.process_pool`: the
fork server, its preloads, the workers' initializer) with 1 and with 2 workers, in turn (1, 2,
1, 2 for `--rounds 2`), on the same seeds. Each pool first runs one warm-up run per worker
(the engines' compiled kernels load; not counted), then `--runs` runs through
`hyosan.ensemble.task.run_task`, what an ensemble's worker runs. Inside the worker each run
measures its CPU time (`time.process_time`) and its wall time, and reports how many threads
its process holds (/proc/self/status) and the thread settings it sees.

Printed for each configuration: the ensemble's wall time and runs a second; the mean CPU
seconds a run (the figure that says whether workers slow each other: threads of BLAS, Arrow
or Numba competing, or memory bandwidth, would raise it with 2 workers); the mean wall seconds
a run inside the worker and its ratio to the CPU time (above 1: the run waited for a core,
taken by other processes on the machine); the cores the workers kept busy (their CPU seconds
over the ensemble's wall); the threads of a worker. Then the 2-worker figures over the
1-worker ones: the speed-up in wall and in CPU throughput (runs per CPU second). A control
line first: a plain Python loop in 1 and 2 processes, CPU time and wall, what the machine
gives now. Load averages are printed: on a shared machine the wall figures say more about the
other work than about hyosan; the CPU figures do not.

Targets (issue 19): 2 workers at least 1.8x 1 worker in wall on a quiet machine, and in CPU
throughput (runs per second of two busy cores against one: twice the CPU seconds a run with 1
worker over those with 2); 1,000 Hyosan High runs under 8 minutes on 2 cores, projected here
from the CPU seconds a run with 2 workers (the wall of 1,000 runs on two free cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from concurrent.futures import wait
from typing import Any

TARGET_SPEEDUP = 1.8
TARGET_1000_MIN = 8.0


def _threads() -> str:
    """This process's threads by name (Linux /proc), e.g. "python x1, OpenBLAS x1"."""
    names: dict[str, int] = {}
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/comm", encoding="utf-8") as f:
                name = f.read().strip()
            names[name] = names.get(name, 0) + 1
    except OSError:
        return "?"
    return ", ".join(f"{k} x{v}" for k, v in sorted(names.items()))


def _timed(task: Any) -> dict[str, Any]:
    """One ensemble run in a worker, with its CPU and wall time and the worker's threads."""
    from hyosan.ensemble.task import run_task

    cpu, wall = time.process_time(), time.perf_counter()
    run_task(task)
    return {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "threads": _threads(),
        "pid": os.getpid(),
        "env": {
            k: os.environ.get(k, "-")
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
        },
    }


def _warm(task: Any) -> int:
    _timed(task)
    time.sleep(1.0)  # hold this worker, so that the next warm-up goes to another
    return os.getpid()


def _spin(n: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.process_time() - cpu, time.perf_counter() - wall


def control(n: int = 10_000_000, tasks: int = 4) -> dict[int, tuple[float, float]]:
    """A plain loop on 1 and 2 processes: (mean CPU s a task, wall s of all)."""
    from hyosan.ensemble.executors import process_pool

    out = {}
    for workers in (1, 2):
        pool = process_pool(workers)
        try:
            list(pool.map(_spin, [1000] * workers))
            start = time.perf_counter()
            results = list(pool.map(_spin, [n] * tasks))
            out[workers] = (
                statistics.fmean(c for c, _ in results),
                time.perf_counter() - start,
            )
        finally:
            pool.shutdown()
    return out


def one(workers: int, warm: list[Any], tasks: list[Any]) -> dict[str, Any]:
    """Run `tasks` on a fresh pool of `workers`, after one run of `warm` each; the figures of
    the configuration."""
    from hyosan.ensemble.executors import process_pool

    pool = process_pool(workers)
    try:
        list(pool.map(_warm, warm[:workers]))
        load = os.getloadavg()[0]
        start = time.perf_counter()
        futures = [pool.submit(_timed, t) for t in tasks]
        wait(futures)
        wall = time.perf_counter() - start
    finally:
        pool.shutdown()
    runs = [f.result() for f in futures]
    cpu = sum(r["cpu"] for r in runs)
    return {
        "workers": workers,
        "runs": len(runs),
        "wall": wall,
        "cpu_run": cpu / len(runs),
        "wall_run": statistics.fmean(r["wall"] for r in runs),
        "busy_cores": cpu / wall,
        "threads": sorted({r["threads"] for r in runs}),
        "env": runs[0]["env"],
        "load": (load, os.getloadavg()[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="hyosan-high")
    parser.add_argument("--engine", default=None, help="default: the scenario's")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--runs", type=int, default=24, help="timed runs a configuration")
    parser.add_argument("--rounds", type=int, default=1, help="1 then 2 workers, this often")
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()

    from hyosan.ensemble.seeds import run_seed
    from hyosan.ensemble.task import Task
    from hyosan.scenario.load import load_scenario, read_scenario_data

    label, text = read_scenario_data(args.scenario)
    engine = args.engine or load_scenario(args.scenario, args.overrides).engine
    tasks = [
        Task(0, r, run_seed(1, 0, r), text, label, tuple(args.overrides), engine)
        for r in range(args.runs + 2)
    ]
    warm, timed = tasks[-2:], tasks[: args.runs]
    ctl = control()
    print(
        f"control, a plain Python loop: CPU a task {ctl[1][0]:.2f} s with 1 process, "
        f"{ctl[2][0]:.2f} s with 2; wall of 4 tasks {ctl[1][1]:.2f} s, {ctl[2][1]:.2f} s: "
        f"{ctl[1][1] / ctl[2][1]:.2f}x (what the machine gives now; load average "
        f"{os.getloadavg()[0]:.1f})",
        flush=True,
    )
    figures: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in (1, 2):
            f = one(workers, warm, timed)
            figures[workers].append(f)
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}: {f['runs']} {engine} runs of "
                f"{args.scenario} in {f['wall']:.1f} s ({f['runs'] / f['wall']:.2f} runs/s); "
                f"a run: CPU {f['cpu_run']:.3f} s, wall in the worker {f['wall_run']:.3f} s "
                f"({f['wall_run'] / f['cpu_run']:.2f}x its CPU); busy cores "
                f"{f['busy_cores']:.2f}; threads a worker {f['threads']}; {f['env']}; "
                f"load average {f['load'][0]:.1f} -> {f['load'][1]:.1f}",
                flush=True,
            )
    one_w = {k: statistics.fmean(f[k] for f in figures[1]) for k in ("wall", "cpu_run")}
    two_w = {k: statistics.fmean(f[k] for f in figures[2]) for k in ("wall", "cpu_run")}
    speedup = one_w["wall"] / two_w["wall"]
    # What two busy cores give over one, if each run costs what it cost with that many workers.
    cpu_speedup = 2 * one_w["cpu_run"] / two_w["cpu_run"]
    free_min = two_w["cpu_run"] * 1000 / 2 / 60
    control_x = ctl[1][1] / ctl[2][1]
    print(
        f"2 workers over 1: wall {speedup:.2f}x (target >= {TARGET_SPEEDUP}x on a quiet "
        f"machine) {_verdict(speedup >= TARGET_SPEEDUP)}; CPU throughput {cpu_speedup:.2f}x "
        f"(CPU a run {two_w['cpu_run'] / one_w['cpu_run']:.2f}x that of 1 worker; 1.00: the "
        f"workers do not slow each other) {_verdict(cpu_speedup >= TARGET_SPEEDUP)}; 1,000 runs "
        f"at 2 workers ~{two_w['wall'] / args.runs * 1000 / 60:.1f} min here, ~{free_min:.1f} "
        f"min on 2 free cores (CPU a run x 1,000 / 2; target < {TARGET_1000_MIN:g} min) "
        f"{_verdict(free_min < TARGET_1000_MIN)}"
    )
    if args.json:
        what = f"{args.scenario} ({engine}), {args.runs} runs x {args.rounds}"
        busy = f"control {control_x:.2f}x, load {os.getloadavg()[0]:.1f}"
        rows = [
            (
                f"ensemble: 2 workers over 1, wall, {what}",
                f"{speedup:.2f}x ({busy})",
                f">= {TARGET_SPEEDUP}x on a quiet machine",
                speedup >= TARGET_SPEEDUP,
            ),
            (
                f"ensemble: 2 workers over 1, CPU throughput, {what}",
                f"{cpu_speedup:.2f}x (CPU a run {one_w['cpu_run']:.3f} s, "
                f"{two_w['cpu_run']:.3f} s)",
                f">= {TARGET_SPEEDUP}x",
                cpu_speedup >= TARGET_SPEEDUP,
            ),
        ]
        if args.scenario == "hyosan-high" and not args.overrides:
            rows.append(
                (
                    "1,000 Hyosan High runs on 2 free cores (CPU a run with 2 workers)",
                    f"{free_min:.1f} min ({two_w['cpu_run']:.3f} s a run)",
                    f"< {TARGET_1000_MIN:g} min",
                    free_min < TARGET_1000_MIN,
                )
            )
        keys = ("figure", "measured", "target", "met")
        print(json.dumps({"figures": [dict(zip(keys, row, strict=True)) for row in rows]}))


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


if __name__ == "__main__":
    main()

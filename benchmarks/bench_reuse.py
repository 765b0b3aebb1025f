"""Small outbreaks on a big world inside an ensemble: seconds a run, rebuilt vs reused.

Run from the repository root:

    python benchmarks/bench_reuse.py                 # 600 x 600, 20 runs a side
    python benchmarks/bench_reuse.py --side 300 --runs 10 --engine tau

What it measures: the README's lattice example (SEZR with frequency mixing, one person a site,
zombies that wander and bite and get killed across edges) on a `--side` x `--side` lattice,
with kills four times as likely as bites, so that most outbreaks die after a few events: the
cost of a run is then its setup. Both sides run in this process, one run each in turn (A, B,
A, B, same seeds), after a warm-up run each (compilation, first use):

- *rebuilt*: `Engine.run` as `hyosan run --seed` does it, and as an ensemble's worker did
  before the reuse: the world, the channels and the kernel's arrays built for every run, the
  snapshots and the places table made;
- *reused*: `hyosan.ensemble.task.run_task`, what an ensemble's worker does now: the engine
  keeps the world and its kernel's arrays before the first event (engines/reuse.py) and starts
  each run from a copy; it takes no snapshots and makes no places table, which an ensemble
  does not keep. The record handed back to the parent is made on both sides.

Printed: wall and CPU seconds a run (median and mean), the ratio of the medians, the mean
number of events, whether every pair gave the same figures and series (it must), and the
target (under 0.2 s a run at 600 x 600). Timings depend on the machine and on what else runs
on it; the ratio of interleaved runs is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

TARGET_S = 0.2

SCENARIO = """
name = "bench-reuse"
engine = "{engine}"
seed = 1
model = "sezr-frequency"

[parameters]
bite_rate = "1/day"
kill_rate = "4/day"
turn_rate = "12/day"

[time]
horizon = "30d"
output_every = "1d"

[world]
kind = "lattice"
size = [{side}, {side}]
fill = {{ S = 1 }}
movement = {{ Z = "0.5/day" }}
cross = {{ reactions = ["bite", "kill"], factor = 1.0 }}

[[world.seeds]]
at = "center"
counts = {{ Z = 1 }}
"""


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def scalars(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r["scalars"].items() if k != "wall_s"}

    return (
        scalars(a) == scalars(b)
        and a["extras"] == b["extras"]
        and np.array_equal(a["series"], b["series"])
    )


def measure(side: int, runs: int, engine_name: str) -> dict[str, Any]:
    """Interleaved runs of both sides; their times and whether they agree."""
    from hyosan.engines import get_engine
    from hyosan.ensemble.task import Task, prepare, record_from_result, run_task

    text = SCENARIO.format(side=side, engine=engine_name)
    label = "bench-reuse.toml"
    scenario, _, grid = prepare(text, label, (), engine_name)
    rebuilt_engine = get_engine(engine_name)

    events: list[int] = []

    def rebuilt(seed: int) -> dict[str, Any]:
        result = rebuilt_engine.run(scenario, seed=seed)
        events.append(int(result.diagnostics.get("events", result.diagnostics.get("steps", 0))))
        return record_from_result(result, grid)

    def reused(seed: int) -> dict[str, Any]:
        return run_task(Task(0, seed, seed, text, label, (), engine_name))

    wall: dict[str, list[float]] = {"rebuilt": [], "reused": []}
    cpu: dict[str, list[float]] = {"rebuilt": [], "reused": []}
    same = True
    for seed in range(-1, runs):
        s = 1000 + max(seed, 0)
        records = {}
        for name, fn in (("rebuilt", rebuilt), ("reused", reused)):
            t, c = time.perf_counter(), time.process_time()
            records[name] = fn(s)
            if seed >= 0:  # seed -1: the warm-up of each side
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
        same = same and _same(records["rebuilt"], records["reused"])
    return {
        "side": side,
        "runs": runs,
        "engine": engine_name,
        "wall": {k: (statistics.median(v), statistics.fmean(v)) for k, v in wall.items()},
        "cpu": {k: (statistics.median(v), statistics.fmean(v)) for k, v in cpu.items()},
        "same": same,
        "events": float(np.mean(events[1:])) if len(events) > 1 else float("nan"),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=600)
    parser.add_argument("--runs", type=int, default=20, help="timed runs a side")
    parser.add_argument("--engine", default="ssa", choices=("ssa", "tau"))
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()
    f = measure(args.side, args.runs, args.engine)
    print(
        f"{f['engine']} on a {f['side']} x {f['side']} lattice, {f['runs']} runs a side "
        f"interleaved, {f['events']:.1f} events (tau: steps) a run on average, "
        f"load average {f['load']:.1f}"
    )
    for name in ("rebuilt", "reused"):
        (wm, wa), (cm, ca) = f["wall"][name], f["cpu"][name]
        print(
            f"  {name:8s} wall {wm:.4f} s a run (median; mean {wa:.4f}), "
            f"CPU {cm:.4f} s (median; mean {ca:.4f})"
        )
    ratio = f["wall"]["rebuilt"][0] / f["wall"]["reused"][0]
    cpu_ratio = f["cpu"]["rebuilt"][0] / f["cpu"]["reused"][0]
    met = f["wall"]["reused"][0] < TARGET_S
    print(f"  reused over rebuilt: {ratio:.1f}x faster in wall, {cpu_ratio:.1f}x in CPU (medians)")
    print(f"  same figures and series on every seed: {'yes' if f['same'] else 'NO'}")
    print(
        f"  a run inside an ensemble: {f['wall']['reused'][0]:.4f} s "
        f"(target < {TARGET_S} s at 600 x 600) {'PASS' if met else 'MISS'}"
    )
    if args.json:
        figure = {
            "figure": f"ensemble run, small outbreak, {f['side']}^2 lattice ({f['engine']})",
            "measured": f"{f['wall']['reused'][0]:.3f} s a run "
            f"(rebuilt {f['wall']['rebuilt'][0]:.3f} s; same numbers: {f['same']})",
            "target": f"< {TARGET_S} s",
            "met": bool(met and f["same"]),
        }
        print(json.dumps({"figures": [figure]}))


if __name__ == "__main__":
    main()

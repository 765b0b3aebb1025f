"""Speed and memory of the ssa engine on a million-place lattice; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_ssa.py                  # about 45 s on a quiet machine
    python benchmarks/bench_ssa.py --repeats 1      # one timed run
    python benchmarks/bench_ssa.py --side 500 --horizon 60d   # smaller

Figures (see benchmarks/README.md for what each one means):

1. An outbreak on a 1000 x 1000 lattice: the SEZR model with frequency mixing
   (`sezr-frequency`), four humans on every site, ten zombies at the centre, zombies wandering
   to neighbouring sites. Kernel speed in events per second, the time in `SsaEngine._advance`
   alone (target: at least 1e7 events/s on one core), best of `--repeats`; the setup
   (`SsaEngine._setup`: the lattice, the arrays, the first propensities) timed apart.
2. Memory per place beyond the population arrays: the world's CSR arrays and the engine's
   selection arrays (`kernel_arrays`: the places' groups, the lists of people at the room they
   had at the end, the buffered draws, the neighbour sums and first-zombie times), in bytes
   per place (target: at most 64), array by
   array, with what else a run keeps per place; and the peak resident set (resource.getrusage).
3. Where the time goes: a pure zombie walk (one zombie per site, nobody to bite; every event
   is a move) on a 100 x 100 lattice, whose arrays fit in the cache, and on 1000 x 1000, whose
   arrays do not. The same code does the same work per event in both.

Timings depend on the machine and on what else runs on it: compare figures from one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import hyosan  # noqa: E402
from hyosan.engines.ssa import SsaEngine  # noqa: E402

#: The figures with a target, for --json (run_all.py): filled as they are measured.
FIGURES: list[dict[str, Any]] = []

#: Targets from the issue.
TARGET_EVENTS_PER_S = 1e7
TARGET_BYTES_PER_PLACE = 64.0

OUTBREAK = """
name = "bench-ssa-outbreak"
engine = "ssa"
seed = {seed}
model = "sezr-frequency"

[parameters]
bite_rate = "4/day"
kill_rate = "0.8/day"
turn_rate = "12/day"

[time]
horizon = "{horizon}"
output_every = "1d"

[world]
kind = "lattice"
size = [{side}, {side}]
fill = {{ S = 4 }}
movement = {{ Z = "1/day" }}

[[world.seeds]]
at = "center"
counts = {{ Z = 10 }}

[record]
snapshots = 0
"""

WALK = """
name = "bench-ssa-walk"
engine = "ssa"
seed = 1
model = "sezr-frequency"

[time]
horizon = "{horizon}"
output_every = "1d"

[world]
kind = "lattice"
size = [{side}, {side}]
fill = {{ S = 0, Z = 1 }}
movement = {{ Z = "1/day" }}

[record]
snapshots = 0
"""


class TimedSsa(SsaEngine):
    """The ssa engine, timing its setup and its kernel apart and keeping its state."""

    setup_s = 0.0
    advance_s = 0.0
    advance_cpu_s = 0.0
    state: Any = None

    def _setup(self, scenario: Any, streams: Any) -> Any:
        t = time.perf_counter()
        state = super()._setup(scenario, streams)
        self.setup_s = time.perf_counter() - t
        self.advance_s = self.advance_cpu_s = 0.0
        self.state = state
        return state

    def _advance(self, state: Any, t0: float, t1: float, recorder: Any, last: bool) -> float:
        t, cpu = time.perf_counter(), time.process_time()
        reached = super()._advance(state, t0, t1, recorder, last)
        self.advance_s += time.perf_counter() - t
        self.advance_cpu_s += time.process_time() - cpu
        return reached


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1 / 1024**2 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def line(label: str, value: str, target: str = "", status: str = "") -> None:
    print(f"  {label:<52} {value:>16}  {target:<18} {status}")


def scenario_file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return path


def timed_runs(path: Path, repeats: int) -> tuple[list[tuple[float, float, int, float]], Any, Any]:
    """(setup s, kernel s, events, kernel CPU s) of each run, the last engine and Result."""
    scenario = hyosan.load_scenario(path)
    runs, engine, result = [], None, None
    for _ in range(repeats):
        engine, result = None, None  # free the last run's arrays first
        engine = TimedSsa()
        result = engine.run(scenario)
        events = int(result.diagnostics["events"])
        runs.append((engine.setup_s, engine.advance_s, events, engine.advance_cpu_s))
    return runs, engine, result


def bench_outbreak(tmp: Path, side: int, horizon: str, repeats: int, seed: int) -> None:
    n = side * side
    print(
        f"1. Outbreak on a {side} x {side} lattice ({n:,} places): sezr-frequency, 4 humans a "
        f"site, 10 zombies at the centre, zombies move 1/day, {horizon}; best of {repeats}"
    )
    path = scenario_file(tmp, "outbreak", OUTBREAK.format(side=side, horizon=horizon, seed=seed))
    runs, engine, result = timed_runs(path, repeats)
    best = max(runs, key=lambda r: r[2] / r[1])
    setup = min(r[0] for r in runs)
    events = best[2]
    rate = events / best[1]
    kinds = result.diagnostics["events_by_kind"]
    mix = ", ".join(f"{k} {v / events:.1%}" for k, v in kinds.items())
    final = result.summary()["final"]
    print(f"  (events {events:,}: {mix}; final {final})")
    line(
        "kernel (_advance): events per second",
        f"{rate:.3g}",
        f"target >= {TARGET_EVENTS_PER_S:.0e}",
        "PASS" if rate >= TARGET_EVENTS_PER_S else "MISS",
    )
    FIGURES.append(
        {
            "figure": f"ssa kernel events/s, {side}x{side} lattice outbreak",
            "measured": float(f"{rate:.3g}"),
            "target": f">= {TARGET_EVENTS_PER_S:.0e}",
            "met": bool(rate >= TARGET_EVENTS_PER_S),
        }
    )
    line("  all runs (events/s)", ", ".join(f"{r[2] / r[1]:.3g}" for r in runs))
    cpu_rate = max(r[2] / r[3] for r in runs)
    line("  per CPU second (process_time; less hurt by load)", f"{cpu_rate:.3g}")
    line("  kernel time of the best run", f"{best[1]:.2f} s")
    line("  time per event", f"{1e9 / rate:.0f} ns")
    line("setup (_setup: world, arrays, propensities), fastest", f"{setup:.2f} s")
    line("whole run (engine.run, Result included), last", f"{result.wall_s:.2f} s")
    bench_memory(engine.state, n)


def kernel_arrays(state: Any) -> dict[str, np.ndarray]:
    """The arrays an ssa run keeps besides the counts and the world (engines/ssa: SsaRun)."""
    out: dict[str, np.ndarray] = {}
    for part in ("groups", "draws"):
        out |= {f"{part}.{k}": v for k, v in getattr(state, part)._asdict().items()}
    out |= {f"lists.{k}": getattr(state.lists, k) for k in ("ent", "dead")}
    out |= {f"places.{k}": getattr(state.places, k) for k in ("nbs", "first_z", "edge")}
    if state.graph.wsum.size:
        out["graph.wsum"] = state.graph.wsum
    return out


def counted_arrays(state: Any) -> dict[str, np.ndarray]:
    """The arrays the 64-bytes-a-place target counts: the world's CSR arrays, the edges turned
    round when they are not the world's own, and the engine's selection arrays."""
    world = state.layout.world
    counted = {
        "world.indptr (CSR)": world.indptr,
        "world.indices (CSR)": world.indices,
        "world.weights (CSR)": world.weights,
    }
    counted |= kernel_arrays(state)
    # The edges turned round (for the neighbour sums), when they are not the world's own.
    own = (world.indptr, world.indices, world.weights)
    turned = state.graph[4:]
    for name, arr, mine in zip(("indptr", "indices", "weights"), turned, own, strict=True):
        if arr is not mine:
            counted[f"reversed {name}"] = arr
    return counted


def bench_memory(state: Any, n: int) -> None:
    print("\n2. Memory per place beyond the population arrays")
    world = state.layout.world
    counted = counted_arrays(state)
    for label, arr in counted.items():
        if arr.nbytes:
            print(f"    {label:<30} {arr.dtype!s:>8} {arr.nbytes / n:7.2f} B/place")
    total = sum(a.nbytes for a in counted.values()) / n
    line(
        "CSR + selection arrays (x excluded)",
        f"{total:.1f} B/place",
        f"target <= {TARGET_BYTES_PER_PLACE:g} B",
        "PASS" if total <= TARGET_BYTES_PER_PLACE else "MISS",
    )
    FIGURES.append(
        {
            "figure": "ssa bytes per place (CSR + selection arrays)",
            "measured": round(total, 1),
            "target": f"<= {TARGET_BYTES_PER_PLACE:g}",
            "met": bool(total <= TARGET_BYTES_PER_PLACE),
        }
    )
    others = {
        "world.cells (row, col)": world.cells,
        f"x (counts, {state.x.dtype})": state.x,
        "layout.x0 (initial counts, kept)": state.layout.x0,
        "snapshots": state.snaps,
    }
    print("  not counted above, also per place:")
    for label, arr in others.items():
        if arr is not None:
            print(f"    {label:<30} {arr.dtype!s:>8} {arr.nbytes / n:7.2f} B/place")
    line("peak resident set of this process", f"{peak_rss_mb():.0f} MB", "no target")


def bench_walk(tmp: Path, repeats: int, events: float) -> None:
    print(
        f"\n3. Where the time goes: a pure zombie walk (every event a move), about {events:.0e} "
        f"events; best of {repeats}"
    )
    day = 86_400.0
    per_s = 4 / day  # a zombie leaves a site with four neighbours at 4/day
    rates = {}
    for side in (100, 1000):
        n = side * side
        horizon = f"{events / (n * per_s) / day:.6g}d"
        path = scenario_file(tmp, f"walk{side}", WALK.format(side=side, horizon=horizon))
        runs, engine, _ = timed_runs(path, repeats)
        rates[side] = max(r[2] / r[1] for r in runs)
        cpu = max(r[2] / r[3] for r in runs)
        state = engine.state
        world = state.layout.world
        kept = [world.indptr, world.indices, state.x, *kernel_arrays(state).values()]
        arrays_mb = sum(a.nbytes for a in kept) / 1e6
        line(
            f"{side} x {side} ({n:,} places, ~{arrays_mb:.0f} MB of arrays)",
            f"{rates[side]:.3g} ev/s",
            f"{1e9 / rates[side]:.0f} ns/event",
        )
        line("  per CPU second", f"{cpu:.3g} ev/s", f"{1e9 / cpu:.0f} ns/event")
    print(
        f"  the same work per event is {rates[100] / rates[1000]:.1f}x slower when the arrays "
        "do not fit in the cache: each event reads a random place and its neighbours (the "
        "kernel fetches them a few events ahead)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=1000, help="lattice side (default 1000)")
    parser.add_argument("--horizon", default="75d", help="outbreak horizon (default 75d)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the outbreak runs")
    parser.add_argument(
        "--walk-events", type=float, default=3e6, help="events of each walk run (default 3e6)"
    )
    parser.add_argument("--no-walk", action="store_true", help="skip section 3")
    parser.add_argument("--json", action="store_true", help="print a last line of JSON")
    args = parser.parse_args()

    print(f"hyosan {hyosan.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Warm-up: load (or compile) the Numba kernels on a tiny lattice of the same model.
        warm = scenario_file(tmp, "warm", OUTBREAK.format(side=20, horizon="5d", seed=1))
        t = time.perf_counter()
        hyosan.simulate(warm)
        print(f"(warm-up run, kernels loaded or compiled: {time.perf_counter() - t:.1f} s)\n")
        bench_outbreak(tmp, args.side, args.horizon, args.repeats, args.seed)
        if not args.no_walk:
            bench_walk(tmp, args.repeats, args.walk_events)
    print(f"\nload average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"(benchmark wall time {time.perf_counter() - t0:.0f} s)")
    if args.json:
        print(json.dumps({"figures": FIGURES}))


if __name__ == "__main__":
    main()

"""Timings of the agents engine on the default run; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_agents.py              # about half a minute
    python benchmarks/bench_agents.py --repeats 3 --seeds 1

Figures (see benchmarks/README.md):

1. the default scenario (`hyosan-high`: about 650 people, 5 simulated days, 5 s steps) through
   `get_engine("agents").run(scenario)` after a warm-up run (Numba's cache then warm): wall time
   per run, median over seeds and repeats (target: under 10 s on one core), and agent-steps per
   second (people x steps / wall time);
   and CPU seconds (time.process_time), which a busy machine does not inflate;
   and the same runs as an ensemble's worker makes them (`hyosan.ensemble.task.run_task`: the
   engine told to keep only what a summary needs, the record built): CPU seconds per run, which
   with 2 workers puts 1,000 runs at about 1,000 x that / 2 (target: under 10 minutes; the
   ensemble's own work, about 5 %, comes on top);
2. the same through `hyosan.simulate` with the run directory written, as `hyosan run` does;
3. the first run in a fresh process (imports, and Numba's cache read from disk);
4. peak memory (resource.getrusage);
5. with `--cold`: the first run ever, in a fresh process with an empty Numba cache
   (NUMBA_CACHE_DIR a new temporary folder): imports, compiling every kernel a building run
   uses, and one hour of the default scenario.

Timings depend on the machine and on what else runs on it: compare figures from one machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import hyosan  # noqa: E402
from hyosan.engines import get_engine  # noqa: E402

TARGET_DEFAULT_S = 10.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per seed")
    parser.add_argument("--seeds", type=int, default=3, help="seeds timed (1, 2, ...)")
    parser.add_argument(
        "--cold", action="store_true", help="also time a first run with an empty Numba cache"
    )
    args = parser.parse_args()

    scen = hyosan.load_scenario("hyosan-high")
    engine = get_engine("agents")
    t0 = time.perf_counter()
    engine.run(scen, seed=1)
    print(f"warm-up run (compiles on a cold cache): {time.perf_counter() - t0:.2f} s")

    walls, cpus, rates = [], [], []
    for seed in range(1, args.seeds + 1):
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            result = engine.run(scen, seed=seed)
            wall = time.perf_counter() - t0
            walls.append(wall)
            cpus.append(time.process_time() - c0)
            rates.append(result.diagnostics["agent_steps"] / wall)
    d = result.diagnostics
    people = result.people.people if result.people is not None else "?"
    wall = statistics.median(walls)
    verdict = "PASS" if wall < TARGET_DEFAULT_S else "MISS"
    print(
        f"1. default run: {people} people, {d['steps']:,} steps of "
        f"{d['step_s']:g} s, "
        f"{d['events']:,} events"
    )
    print(
        f"   wall per run, median of {len(walls)}: {wall:.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}); target < {TARGET_DEFAULT_S:g} s: {verdict}"
    )
    print(
        f"   CPU time per run, median: {statistics.median(cpus):.2f} s (wall minus time spent "
        "waiting for a core on a busy machine)"
    )
    print(f"   agent-steps per second (wall): {statistics.median(rates) / 1e6:.1f} million")
    agent_steps = result.diagnostics["agent_steps"]
    print(
        f"   agent-steps per CPU second: {agent_steps / statistics.median(cpus) / 1e6:.1f} million"
    )

    from hyosan.ensemble.task import Task, run_task
    from hyosan.scenario.load import read_scenario_data

    label, text = read_scenario_data("hyosan-high")
    run_task(Task(0, 0, 1, text, label, (), "agents"))  # the worker's engine and scenario, once
    worker = []
    for seed in range(1, args.seeds + 1):
        for _ in range(args.repeats):
            c0 = time.process_time()
            run_task(Task(0, seed, seed, text, label, (), "agents"))
            worker.append(time.process_time() - c0)
    per_run = statistics.median(worker)
    minutes = 1000 * per_run / 2 / 60
    print(
        f"   as an ensemble's worker runs it (run_task), CPU per run, median: {per_run:.2f} s; "
        f"1,000 runs on 2 workers ~{minutes:.1f} min of runs (target < 10 min): "
        f"{'PASS' if minutes < 10 else 'MISS'}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        hyosan.simulate("hyosan-high").save(os.path.join(tmp, "run"))
        print(f"2. simulate + run directory: {time.perf_counter() - t0:.2f} s")

    code = "import hyosan; hyosan.simulate('hyosan-high')"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    fresh = time.perf_counter() - t0
    print(f"3. a fresh process (imports, cached kernels, one run): {fresh:.2f} s")
    print(f"4. peak memory: {_peak_mb():.0f} MB")
    if args.cold:
        print(f"5. a first run with an empty Numba cache (compiles): {_cold_start():.1f} s")


def _cold_start() -> float:
    """Seconds of a fresh process that compiles the building run's kernels and runs 1 h."""
    code = (
        "import hyosan; hyosan.simulate(hyosan.load_scenario('hyosan-high', ['time.horizon=1h']))"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - t0


if __name__ == "__main__":
    main()

"""`hyosan fit` on W1: maximum likelihood time, ABC-SMC with the ssa engine on 1 and 2 workers,
and particle MCMC's effective samples per minute.

Run from the repository root:

    python benchmarks/bench_fit.py                 # all three: about 15 minutes on 2 cores
    python benchmarks/bench_fit.py --only mle      # or abc, pmmh
    python benchmarks/bench_fit.py --population 150 --generations 8   # a shorter ABC

W1: the SZR with frequency mixing, bites 0.59 and kills 0.49 per hour, 508 humans and one
zombie, humans and zombies counted every 2 hours for 72 hours with Poisson noise.

1. mle: data from the mean field; the whole `hyosan.fit.fit(..., method="mle")` (four starts,
   profile intervals, Fisher information), after one warm-up fit that loads the compiled
   kernels. Target: under 5 s.
2. abc: data from one ssa run of W1 that took off; ABC-SMC with the ssa engine, the same seed on
   1 worker (in this process) and on a pool of 2 worker processes (its start counted),
   interleaved (1, 2, 1, 2, ... for `--rounds` pairs), wall and CPU time (this process and its
   workers) each. Target: under 10 minutes on 2 workers and a speed-up of at least 1.8x. The
   two populations must be identical (printed). `--take-off` conditions the simulated runs on
   take-off, as the data were ([fit.abc] take_off). A control line first: the speed-up of 2
   processes over 1 on a plain Python loop, what the machine gives at that moment (other work
   on it hides the speed-up).
3. pmmh: S0 = 100, data from the ssa engine; 4 chains of 2,000 iterations (a third burn-in),
   100 particles, on 2 workers. Effective samples per minute: the smallest ESS over the
   fitted values divided by the wall time in minutes.

Timings depend on the machine and on what else runs on it; the script asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

import numpy as np

W1 = """
name = "w1"
engine = "ode"
seed = 1
[model.compartments]
S = "human"
Z = "zombie"
R = {{ state = "removed", in_population = false }}
[model.parameters]
bite_rate = {{ value = "0.59/h" }}
kill_rate = {{ value = "0.49/h" }}
[[model.reactions]]
name = "bite"
equation = "S + Z -> 2 Z"
rate = "bite_rate"
mixing = "frequency"
[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
mixing = "frequency"
[initial]
S = {s0}
Z = 1
[time]
horizon = "72h"
output_every = "2h"
"""
RATES = ["parameters.bite_rate=0.1:3:log", "parameters.kill_rate=0.1:3:log"]
TRUTH = np.array([0.59, 0.49])
TIMES_H = np.arange(2.0, 74.0, 2.0)


def _write(folder: Path, s0: int, engine: str, seed: int) -> tuple[Path, Path]:
    """The scenario and a data file drawn from it (mean field, or an ssa run that took off)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from hyosan.fit.build import build_problem
    from hyosan.fit.data import Observations

    scenario = folder / f"w1-{s0}.toml"
    scenario.write_text(W1.format(s0=s0))
    empty = Observations(TIMES_H * 3600, ("S", "Z"), np.zeros((TIMES_H.size, 2)), (False, False))
    problem, _ = build_problem(scenario, empty, fit=RATES, engine=engine)
    if engine == "ode":
        mu = problem.mean_path(TRUTH)
    else:
        for run in range(1000):
            mu = problem.engine_path(TRUTH, seed=seed + run)
            if mu[:, 1].max() > 0.1 * s0:
                break
    y = np.random.default_rng(seed).poisson(mu)
    data = folder / f"data-{s0}-{engine}.csv"
    table = pa.table({"t": TIMES_H, "S": y[:, 0].astype(float), "Z": y[:, 1].astype(float)})
    pcsv.write_csv(table, data)
    return scenario, data


def _spin(n: int) -> float:
    total = 0.0
    for i in range(n):
        total += i * 0.5
    return total


def _control() -> float:
    """Speed-up of 2 processes over 1 on a plain Python loop, now."""
    n = 20_000_000
    t = time.perf_counter()
    _spin(n)
    _spin(n)
    one = time.perf_counter() - t
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(2) as pool:
        t = time.perf_counter()
        pool.map(_spin, [n, n])
        two = time.perf_counter() - t
    return one / two


def bench_mle(folder: Path) -> None:
    import hyosan.fit

    scenario, data = _write(folder, 508, "ode", 7)
    kwargs = {"fit": RATES, "time_unit": "h", "method": "mle"}
    t = time.perf_counter()
    hyosan.fit.fit(scenario, data, **kwargs)
    first = time.perf_counter() - t
    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = hyosan.fit.fit(scenario, data, **kwargs)
        times.append(time.perf_counter() - t)
    best = min(times)
    print(f"mle W1: {best:.2f} s (median of 3: {np.median(times):.2f} s; first call {first:.2f} s)")
    print(f"  target < 5 s: {'PASS' if best < 5 else 'MISS'}")
    for row in result.table():
        lo, hi = row["interval"]
        print(f"  {row['key']}: {row['estimate']:.4f} [{lo:.4f}, {hi:.4f}]")


class _CpuWatch:
    """CPU seconds of this process and of every process descended from it while the block runs.

    The pool's workers are children of a forkserver, not of this process, so the rusage of
    children misses them; instead /proc is read every 0.1 s for all descendants (Linux), the
    last figure of each kept. A worker that lives less than 0.1 s may be missed.
    """

    def __enter__(self) -> _CpuWatch:
        import threading

        self._seen: dict[int, float] = {}
        self._tick = os.sysconf("SC_CLK_TCK")
        self._start = time.process_time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    parents[int(entry)] = int(fields[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {p for p, q in parents.items() if q in frontier} - found
            found |= frontier
        return sorted(found)

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for pid in self._descendants():
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    self._seen[pid] = (int(fields[11]) + int(fields[12])) / self._tick
                except (OSError, IndexError, ValueError):
                    continue

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.process_time() - self._start + sum(self._seen.values())


def bench_abc(folder: Path, population: int, generations: int, rounds: int, take_off: bool) -> None:
    import hyosan.fit

    scenario, data = _write(folder, 508, "ssa", 11)
    print(
        f"control: 2 processes over 1 on a Python loop: {_control():.2f}x; load {os.getloadavg()}"
    )
    options: dict[str, object] = {"population": population, "generations": generations}
    if take_off:
        # The data are a run that took off (zombies reached a tenth of S0): the same condition.
        options["take_off"] = {"column": "Z", "at_least": 0.1 * 508}
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    # Interleaved (1, 2, 1, 2, ...): whatever else the machine runs weighs on both alike.
    for _ in range(rounds):
        for workers in (1, 2):
            t = time.perf_counter()
            with _CpuWatch() as cpu:
                results[workers] = hyosan.fit.fit(
                    scenario,
                    data,
                    fit=RATES,
                    time_unit="h",
                    method="abc",
                    engine="ssa",
                    workers=workers,
                    seed=3,
                    options=options,
                )
            walls[workers].append(time.perf_counter() - t)
            cpus[workers].append(cpu.seconds)
            d = results[workers].diagnostics
            print(
                f"abc W1 ssa, {workers} worker(s): {walls[workers][-1]:.1f} s wall, "
                f"{cpus[workers][-1]:.1f} s CPU, {d['simulations']} runs, ε {d['epsilon']:.3g}, "
                f"ESS {d['ess']:.0f}; load {os.getloadavg()}"
            )
    same = np.array_equal(results[1].samples, results[2].samples)
    wall1, wall2 = float(np.median(walls[1])), float(np.median(walls[2]))
    speed = wall1 / wall2
    print(f"  identical populations on 1 and 2 workers: {same}")
    print(f"  target < 600 s on 2 workers: {'PASS' if wall2 < 600 else 'MISS'}")
    print(
        f"  speed-up 2 over 1 (median walls {wall1:.1f} s / {wall2:.1f} s): {speed:.2f}x "
        f"(target >= 1.8x: {'PASS' if speed >= 1.8 else 'MISS'}); CPU per fit "
        f"{np.median(cpus[1]):.1f} s on 1 worker, {np.median(cpus[2]):.1f} s on 2"
    )
    for row in results[2].table():
        lo, hi = row["interval"]
        err = abs(row["estimate"] / TRUTH[results[2].names.index(row["key"])] - 1)
        print(
            f"  {row['key']}: {row['estimate']:.4f} [{lo:.4f}, {hi:.4f}], {err:.1%} from the truth"
        )
    if take_off:
        note = (
            "runs conditioned on take-off, as the data were. The tolerance stalls above the\n"
            "  observation noise (the take-off's timing varies by hours between runs), so the\n"
            "  interval is wider than the exact posterior's (--method pmmh)"
        )
    else:
        note = (
            "runs NOT conditioned on take-off (--take-off conditions them). The data are a run\n"
            "  that took off, which 83 % of runs at the true rates do not: unconditioned, the fit\n"
            "  prefers rates under which take-off is likelier (kill/bite lower) and lands low;\n"
            "  over data sets see bench_abc_coverage.py --engine ssa [--take-off]"
        )
    print(f"  ({results[2].diagnostics['kernel']} kernel; {note}.)")


def bench_pmmh(folder: Path) -> None:
    import hyosan.fit

    scenario, data = _write(folder, 100, "ssa", 5)
    t = time.perf_counter()
    result = hyosan.fit.fit(
        scenario,
        data,
        fit=RATES,
        time_unit="h",
        method="pmmh",
        engine="ssa",
        workers=2,
        options={"chains": 4, "iterations": 2000, "particles": 100},
    )
    wall = time.perf_counter() - t
    d = result.diagnostics
    per_min = d["ess_min"] / (wall / 60)
    print(
        f"pmmh S0=100: {wall:.1f} s, ESS min {d['ess_min']:.0f} of "
        f"{4 * d['kept_per_chain']} draws, R-hat max {d['rhat_max']:.3f}, "
        f"acceptance {d['acceptance']:.2f}"
    )
    print(f"  effective samples per minute: {per_min:.0f}")
    for row in result.table():
        lo, hi = row["interval"]
        print(f"  {row['key']}: {row['estimate']:.4f} [{lo:.4f}, {hi:.4f}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["mle", "abc", "pmmh"])
    parser.add_argument("--population", type=int, default=300)
    parser.add_argument("--generations", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=1, help="abc: (1, 2) pairs interleaved")
    parser.add_argument(
        "--take-off", action="store_true", help="abc: condition the runs on take-off, as the data"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "mle"):
            bench_mle(folder)
        if args.only in (None, "pmmh"):
            bench_pmmh(folder)
        if args.only in (None, "abc"):
            bench_abc(folder, args.population, args.generations, args.rounds, args.take_off)


if __name__ == "__main__":
    main()

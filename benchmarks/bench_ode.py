"""Timings of the ode engine against the targets of the performance issue; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_ode.py            # about 5 to 10 seconds
    python benchmarks/bench_ode.py --repeats 50 --side 50   # quicker, smaller grid

Figures (see benchmarks/README.md for what each one means):

1. solving validation case M1 (`munz-basic`) after warm-up, median of many repeats: through
   `get_engine("ode").run(scenario)` (the target: under 5 ms), through `hyosan.simulate` (which
   also loads and validates the scenario), with the run directory written as `hyosan run` does,
   and scipy's solve_ivp on the same problem for reference;
2. a 100 x 100 grid of the SZR model (bite_rate x kill_rate, 0.5 to 1.5 times Munz's values)
   through `integrate_grid` (target: under 10 s on one core), its accuracy against individual
   tight-tolerance engine runs, and the naive loops it replaces, extrapolated;
3. `hyosan --help` in a fresh process, median of 5 (target: under 0.5 s), and which heavy
   modules it imports (`python -X importtime`);
4. peak memory (resource.getrusage).

Timings depend on the machine and on what else runs on it: compare figures from one machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

# One core, as the targets say. A multithreaded BLAS also makes the grid's timing erratic on a
# busy machine: its threads wait for a core that another process holds (3 s instead of 1 s).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import hyosan  # noqa: E402
from hyosan.engines.ode import integrate_grid  # noqa: E402

DAY = 86_400.0

#: Targets from the issue, in seconds.
TARGET_M1_S = 5e-3
TARGET_GRID_S = 10.0
TARGET_HELP_S = 0.5
#: A grid point must agree with a tight individual run to docs/science's state tolerance for M1.
TARGET_GRID_REL_ERR = 5e-4

#: Modules that must not load for `hyosan --help` (each takes from 50 ms to a second).
HEAVY_MODULES = (
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "rich",
    "matplotlib",
    "pyarrow",
    "numba",
    "jinja2",
    "dask",
)

HELP_CODE = "import sys; sys.argv = ['hyosan', '--help']; from hyosan.cli import main; main()"
#: The same, reporting its own peak memory on the way out. Not ru_maxrss: Linux carries a peak
#: over from the parent through fork and exec; /proc's VmHWM belongs to the new image alone.
MEMORY_CODE = f"""
import sys
try:
    {HELP_CODE}
except SystemExit:
    pass
with open("/proc/self/status") as status:
    sys.stderr.write("".join(t for t in status if t.startswith("VmHWM:")))
"""


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "MISS"


def line(label: str, value: str, target: str = "", status: str = "") -> None:
    print(f"  {label:<58} {value:>14}  {target:<16} {status}")


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def timed_median(fn: Callable[[], Any], repeats: int, warmup: int = 10) -> tuple[float, float]:
    """(median, minimum) wall time of fn() in seconds, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1 / 1024**2 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(who).ru_maxrss * scale


def with_rates(scenario: Any, **rates: float) -> Any:
    """A copy of `scenario` with the given rates (per second) and tight tolerances (rtol 1e-12,
    atol 1e-14: a hundred times tighter than the engine's defaults)."""
    params = scenario.model_dump(mode="json")["parameters"]
    params.update({name: f"{float(v)!r}/s" for name, v in rates.items()})
    return scenario.evolve(parameters=params, ode={"rtol": 1e-12, "atol": 1e-14})


# --- 1. M1 -----------------------------------------------------------------------------------


def solve_ivp_reference(scenario: Any) -> Callable[[], Any]:
    """M1 straight through scipy's solve_ivp: the same model, output times and events (the
    thresholds, the overrun and the zombie peak), no Result."""
    from scipy.integrate import solve_ivp

    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scenario)
    rhs, k = net.rhs(), tuple(float(r) for r in net.rates)
    y0 = np.asarray(scenario.initial_vector(), dtype=float)
    t_eval = np.asarray(scenario.time.output_times())
    human = net.weights("human")

    def level(value: float) -> Callable[..., float]:
        def g(t: float, y: np.ndarray, k: Any) -> float:
            return float(human @ y) - value

        g.direction = -1.0  # type: ignore[attr-defined]
        return g

    zombie = net.weights("zombie")

    def slope(t: float, y: np.ndarray, k: Any) -> float:
        return float(zombie @ np.asarray(rhs(t, y, k)))

    slope.direction = -1.0  # type: ignore[attr-defined]
    events = [level(250.0), level(1.0), level(0.8 * float(human @ y0)), slope]
    opts = scenario.ode

    def run() -> Any:
        return solve_ivp(
            rhs,
            (0.0, float(t_eval[-1])),
            y0,
            method="DOP853",
            t_eval=t_eval,
            events=events,
            rtol=opts.rtol,
            atol=opts.atol,
            args=(k,),
        )

    return run


def bench_m1(repeats: int) -> None:
    print("1. Solving M1 (munz-basic), after warm-up")
    scenario = hyosan.load_scenario("munz-basic")
    engine = hyosan.get_engine("ode")
    result = engine.run(scenario)
    cross = result.crossings
    print(
        f"  (check: half the humans gone at {cross['half_of_humans_gone'] / DAY:.4f} d, the "
        f"last at {cross['last_human'] / DAY:.4f} d; zombies at 10 d "
        f"{result.summary()['final']['zombie']:.2f}; {result.diagnostics})"
    )
    med, best = timed_median(lambda: engine.run(scenario), repeats)
    line(
        f'get_engine("ode").run(scenario), median of {repeats}',
        fmt_ms(med),
        f"target < {fmt_ms(TARGET_M1_S)}",
        verdict(med, TARGET_M1_S),
    )
    line("  fastest of those", fmt_ms(best))
    med, _ = timed_median(lambda: hyosan.simulate("munz-basic"), max(repeats // 4, 10))
    line('hyosan.simulate("munz-basic") (loads the scenario too)', fmt_ms(med))
    with tempfile.TemporaryDirectory() as tmp:
        count = iter(range(10**9))

        def run_and_save() -> None:
            engine.run(scenario).save(os.path.join(tmp, f"run{next(count)}"))

        med, _ = timed_median(run_and_save, max(repeats // 4, 10), warmup=3)
    line("run + Result.save() to a run directory (as `hyosan run`)", fmt_ms(med))
    med, _ = timed_median(solve_ivp_reference(scenario), max(repeats // 4, 10), warmup=3)
    line("reference: scipy solve_ivp(DOP853), same times and events", fmt_ms(med))


# --- 2. the grid ---------------------------------------------------------------------------


def bench_grid(side: int, sample: int, loop_points: int) -> None:
    m = side * side
    print(f"\n2. A {side} x {side} = {m:,}-point grid of the SZR model (bite_rate x kill_rate)")
    scenario = hyosan.load_scenario("munz-basic")
    rates = scenario.parameter_values()
    bite = np.linspace(0.5, 1.5, side) * rates["bite_rate"]
    kill = np.linspace(0.5, 1.5, side) * rates["kill_rate"]
    grid_bite, grid_kill = (a.ravel() for a in np.meshgrid(bite, kill, indexing="ij"))
    values = {"bite_rate": grid_bite, "kill_rate": grid_kill}
    integrate_grid(scenario, {k: v[:4] for k, v in values.items()})  # warm-up: imports, caches

    walls = []
    for _ in range(3):
        counts = None  # free the last output before the next call allocates its own
        t = time.perf_counter()
        counts = integrate_grid(scenario, values)
        walls.append(time.perf_counter() - t)
    wall = statistics.median(walls)
    scale = m / 10_000
    line(
        f"integrate_grid, {m:,} points x {counts.shape[1]} times, median of 3",
        f"{wall:.2f} s",
        f"target < {TARGET_GRID_S * scale:g} s",
        verdict(wall, TARGET_GRID_S * scale),
    )
    line("  first of those (fresh output memory to fault in)", f"{walls[0]:.2f} s")
    line("  output array", f"{counts.nbytes / 1024**2:.0f} MB")

    rng = np.random.default_rng(2009)
    picks = rng.choice(m, size=min(sample, m), replace=False)
    engine = hyosan.get_engine("ode")
    worst = 0.0
    for i in picks:
        ref = engine.run(with_rates(scenario, bite_rate=grid_bite[i], kill_rate=grid_kill[i]))
        # Relative error, but absolute below one person: a count of 1e-5 humans has no
        # meaningful relative error.
        err = np.abs(counts[i] - ref.counts) / np.maximum(np.abs(ref.counts), 1.0)
        worst = max(worst, float(err.max()))
    line(
        f"  max rel. error of {len(picks)} points vs rtol=1e-12 engine runs",
        f"{worst:.1e}",
        f"target < {TARGET_GRID_REL_ERR:g}",
        verdict(worst, TARGET_GRID_REL_ERR),
    )

    from scipy.integrate import solve_ivp

    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scenario)
    rhs = net.rhs()
    y0 = np.asarray(scenario.initial_vector(), dtype=float)
    t_eval = np.asarray(scenario.time.output_times())
    base = [float(r) for r in net.rates]
    i_bite, i_kill = net.parameter_names.index("bite_rate"), net.parameter_names.index("kill_rate")
    picks = rng.choice(m, size=min(loop_points, m), replace=False)

    def loop_solve_ivp() -> None:
        for i in picks:
            k = list(base)
            k[i_bite], k[i_kill] = grid_bite[i], grid_kill[i]
            solve_ivp(
                rhs, (0.0, t_eval[-1]), y0, "DOP853", t_eval, rtol=1e-8, atol=1e-10, args=(k,)
            )

    def loop_engine() -> None:
        for i in picks:
            engine.run(with_rates(scenario, bite_rate=grid_bite[i], kill_rate=grid_kill[i]))

    for label, loop in (
        ("naive loop, solve_ivp per point (grid's rtol), for all", loop_solve_ivp),
        ("naive loop, evolve + engine.run (rtol 1e-12), for all", loop_engine),
    ):
        t = time.perf_counter()
        loop()
        per_point = (time.perf_counter() - t) / len(picks)
        line(f"{label}", f"{per_point * m:.1f} s", f"({len(picks)} pts x {m / len(picks):g})")


# --- 3. --help -----------------------------------------------------------------------------


def bench_help() -> None:
    print("\n3. `hyosan --help` in a fresh process")
    exe = shutil.which("hyosan")
    command = [exe, "--help"] if exe else [sys.executable, "-c", HELP_CODE]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    label = "hyosan --help" if exe else "python -c 'main()' --help (no console script)"
    line(
        f"{label}, median of 5",
        f"{med:.3f} s",
        f"target < {TARGET_HELP_S} s",
        verdict(med, TARGET_HELP_S),
    )
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    line("  of which a bare interpreter start, median of 5", f"{statistics.median(times):.3f} s")

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", HELP_CODE], capture_output=True, text=True
    )
    rows = []  # (cumulative microseconds, depth, module)
    for text in proc.stderr.splitlines():
        if not text.startswith("import time:") or "cumulative" in text:
            continue
        _, cumulative, name = text.split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((int(cumulative), depth, name.strip()))
    loaded = {name for _, _, name in rows}
    heavy = sorted(h for h in HEAVY_MODULES if h in loaded)
    line(
        "heavy modules imported (numpy, scipy, pydantic, rich, ...)",
        ", ".join(heavy) or "none",
        "target: none",
        "PASS" if not heavy else "MISS",
    )
    # importtime lists a module after everything it imported; show the costly ones as a tree.
    print("  imports of 3 ms or more, three levels deep (cumulative; a module after its imports):")
    for cumulative, depth, name in rows:
        if depth <= 2 and cumulative >= 3000:
            print(f"    {cumulative / 1e3:7.1f} ms  {'  ' * depth}{name}")

    proc = subprocess.run([sys.executable, "-c", MEMORY_CODE], capture_output=True, text=True)
    hwm = [t.split()[1] for t in proc.stderr.splitlines() if t.startswith("VmHWM:")]
    if hwm:  # Linux only; in kB
        line("  peak memory of the --help process (VmHWM)", f"{int(hwm[-1]) / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed runs of M1 (default 200)")
    parser.add_argument(
        "--side", type=int, default=100, help="grid side (default 100: 10,000 points)"
    )
    parser.add_argument("--sample", type=int, default=20, help="grid points checked for accuracy")
    parser.add_argument("--loop", type=int, default=200, help="points timed in the naive loops")
    args = parser.parse_args()

    print(f"hyosan {hyosan.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    t0 = time.perf_counter()
    bench_m1(args.repeats)
    print(f"  peak memory so far: {peak_rss_mb():.0f} MB")
    bench_grid(args.side, args.sample, args.loop)
    print(f"  peak memory so far: {peak_rss_mb():.0f} MB")
    bench_help()
    print("\n4. Peak memory (resident set, resource.getrusage)")
    line("this process (grid output included)", f"{peak_rss_mb():.0f} MB", "no target")
    print(f"\n(benchmark wall time {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()

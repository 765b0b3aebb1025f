"""A zombie outbreak over the whole US population grid with the ssa (and tau) engines; prints.

Run from the repository root:

    python benchmarks/bench_us_grid.py                # to the end of the outbreak, or the cap
    python benchmarks/bench_us_grid.py --max-wall 60  # stop after a minute and project
    python benchmarks/bench_us_grid.py --only tau     # the tau engine alone, at its default ε
    python benchmarks/bench_us_grid.py --only tau --tau-stepping global   # one step for all
    python benchmarks/bench_us_grid.py --only tau --tau-kernel model      # compiled for the model
    python benchmarks/bench_us_grid.py --error 250 550 100 --runs 300     # tau's error vs ssa
    python benchmarks/bench_us_grid.py --crop 437 1127 300 --only tau     # Manhattan's crop

The grid is Bierbaum and Alemi's 2-mile population grid of the continental US (900 x 1500
cells, 306,675,005 people in 551,275 non-empty cells; the data file of their zombie
simulation, MIT licence, which accompanies Alemi, Bierbaum, Myers and Sethna, Phys. Rev. E 92,
052801, 2015): a gzipped JSON list of 900 rows of 1500 head counts. It is not in the
repository: set HYOSAN_US_GRID to its path (else it is looked for in a `shared/data` folder
beside the repository); without it the benchmark says so and exits.

The scenario: `sezr-frequency` (bite 4/day, kill 1.6/day, turn 12/day, as the built-in korea
scenario), every cell a place filled with its head count, bites and kills also across cell
borders (factor 0.05), no movement, ten zombies in the most populous cell (row 587, column
1317: Manhattan; row 0 is the southern edge). Zombies cannot move and only die when killed, so
the outbreak ends on its own when no human is left beside a zombie: the kernel then finds
nothing more to do. Each person bitten costs about 2.4 events (bite, turn, and 0.4 kills, as
kill/bite = 0.4). Not everyone is bitten: where a front's zombies are all killed, the humans
behind it survive (seed 1: 66.6 million humans left, 59.6 million of them among the 299.7
million reachable from the seed; 576 million events, the last on day 1,125).

Figures: wall time to the end of the outbreak (target: under 3 minutes for ssa, under 30 s for
tau at its default ε = 0.03), events, events per second, simulated days, the peak resident set;
for tau, its steps (with local stepping, the leaps of single places). The run goes in pieces of
`--piece` simulated days through the engine's own hooks; when the wall time passes `--max-wall`
it stops and projects the whole run from the events per second so far and the events per person
bitten so far, as if every reachable person were bitten: an upper bound (about 25 % high for
seed 1).

`--crop ROW COL SIZE` times the same run on the SIZE x SIZE crop of the grid whose south-west
corner is (ROW, COL), ten zombies in its most populous cell (437 1127 300: the 300 x 300
cells round Manhattan, 53,836 places, 172 million events, about 15 s with tau), to compare two
versions of the kernel in minutes.

`--error ROW COL SIZE` measures tau's error instead: the final humans of `--runs` runs of
ssa, tau with local stepping and tau with one global step on the SIZE x SIZE crop of the grid
whose south-west corner is (ROW, COL), ten zombies in its most populous cell, the same model
and cross-border factor; it prints each engine's mean, its standard error and tau's difference
from ssa as a share of ssa's mean (an ssa run of the whole grid takes minutes).

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
from hyosan.engines import engine_names, get_engine  # noqa: E402
from hyosan.engines.base import Recorder, Streams  # noqa: E402

#: Targets from the issue, in seconds.
TARGET_SSA_S = 180.0
TARGET_TAU_S = 30.0
DAY = 86_400.0

#: The data file: where HYOSAN_US_GRID says, else in the data folder kept beside the repository.
GRID_FILE = Path(
    os.environ.get("HYOSAN_US_GRID")
    or Path(__file__).resolve().parents[2] / "shared" / "data" / "usa-2mi-population.json.gz"
)
#: The most populous cell (299,615 people): Manhattan.
SEED_CELL = (587, 1317)

SCENARIO = """
name = "bench-us-grid"
engine = "ssa"
seed = {seed}
model = "sezr-frequency"

[parameters]
bite_rate = "4/day"
kill_rate = "1.6/day"
turn_rate = "12/day"

[time]
horizon = "{horizon}"
output_every = "10d"

[world]
kind = "grid"
file = "{file}"
fill = "S"
cross = {{ reactions = ["bite", "kill"], factor = {cross} }}

[[world.seeds]]
at = [{row}, {col}]
counts = {{ Z = 10 }}

[record]
snapshots = 0
"""


def peak_rss_mb() -> float:
    scale = 1 / 1024**2 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def line(label: str, value: str, target: str = "", status: str = "") -> None:
    print(f"  {label:<50} {value:>16}  {target:<18} {status}")


def reachable_people(counts: np.ndarray, cell: tuple[int, int]) -> int:
    """People in the cells joined to `cell` through non-empty cells (4-neighbours)."""
    from scipy import ndimage

    labels, _ = ndimage.label(counts > 0)
    return int(counts[labels == labels[cell]].sum())


def run_in_pieces(
    engine: Any, scenario: Any, piece_days: float, max_wall: float, seed: int, quiet: bool = False
) -> dict[str, Any]:
    """Engine.run's loop (no culls here), in pieces, stopping after `max_wall` seconds."""
    start, cpu0 = time.perf_counter(), time.process_time()
    state = engine._setup(scenario, Streams(seed))
    setup_s, setup_cpu = time.perf_counter() - start, time.process_time() - cpu0
    net = state.layout.net
    human = net.weights("human")
    humans0 = float(human @ state.tot)
    # With the engine's tally width, as Engine.run makes it: the kernels write a tally row at
    # every record, and a recorder without room for it is written past its end.
    tally = engine._tally(state)
    recorder = Recorder(
        np.asarray(scenario.time.output_times()),
        len(net.compartments),
        0 if tally is None else len(tally),
    )
    horizon = float(scenario.time.horizon)
    t0, ended, t_end, last = 0.0, "horizon", horizon, -1
    while t0 < horizon:
        t1 = min(horizon, t0 + piece_days * DAY)
        reached = engine._advance(state, t0, t1, recorder, t1 == horizon)
        events = int(state.counts.sum())
        wall = time.perf_counter() - start
        steps = f", steps {state.work.meta[1]:,}" if engine.name == "tau" else ""
        if engine.name == "tau" and state.local is not None:
            steps += f" ({state.local.meta[2]:,} exact events)"
        if not quiet:
            print(
                f"    day {reached / DAY:7.1f}: humans {human @ state.tot:13,.0f}, events "
                f"{events:13,}{steps}, wall {wall:6.1f} s",
                flush=True,
            )
        if reached < t1:
            ended, t_end = "threshold", reached
            break
        # ssa: no place has anything left to do; any engine: a whole piece without an event.
        nothing = engine.name == "ssa" and not state.groups.size.any()
        if nothing or events == last:
            ended, t_end = "nothing left to happen", reached
            break
        last = events
        if wall > max_wall:
            ended, t_end = "wall-time cap", reached
            break
        t0 = t1
    wall = time.perf_counter() - start
    return {
        "wall_s": wall,
        "setup_s": setup_s,
        "kernel_cpu_s": time.process_time() - cpu0 - setup_cpu,
        "events": int(state.counts.sum()),
        "ended": ended,
        "t_end_s": t_end,
        "humans0": humans0,
        "humans": float(human @ state.tot),
        "steps": int(state.work.meta[1]) if engine.name == "tau" else 0,
    }


def report(name: str, out: dict[str, Any], target: float | None, reachable: int) -> None:
    """Print a run's figures; `target` is None on a crop (the targets are the whole grid's)."""

    def against(seconds: float, suffix: str = "") -> tuple[str, str]:
        if target is None:
            return "(a crop: no target)", ""
        return f"target < {target:g} s", ("PASS" if seconds < target else "MISS") + suffix

    events = out["events"]
    kernel = out["wall_s"] - out["setup_s"]
    line(f"{name}: ended by", out["ended"])
    line("  simulated time", f"{out['t_end_s'] / DAY:.1f} d")
    line("  humans left / at start", f"{out['humans']:,.0f} / {out['humans0']:,.0f}")
    line("  setup (grid, arrays, first propensities)", f"{out['setup_s']:.1f} s")
    line("  events", f"{events:,}")
    line("  events per second (after setup)", f"{events / kernel:.3g}")
    line("  events per CPU second (process_time)", f"{events / out['kernel_cpu_s']:.3g}")
    line("  CPU time after setup (process_time)", f"{out['kernel_cpu_s']:.1f} s")
    if out["steps"]:
        # What sets tau's time: the count of steps follows from the step rule at the given
        # epsilon, so a target in seconds is a cost a step.
        cost = out["kernel_cpu_s"] / out["steps"]
        line("  events a step", f"{events / out['steps']:.2f}")
        line("  CPU time a step", f"{cost * 1e6:.3f} us")
    whole = out["ended"] != "wall-time cap"
    if out["steps"] and whole and target is not None:
        line("  CPU time a step the target allows", f"{target / out['steps'] * 1e6:.3f} us")
    if whole:
        line(
            "  wall time to the end of the outbreak",
            f"{out['wall_s']:.1f} s",
            *against(out["wall_s"]),
        )
        return
    line("  wall time until the cap", f"{out['wall_s']:.1f} s")
    gone = out["humans0"] - out["humans"]
    if events and gone > 0:
        per_person = events / gone
        total = per_person * reachable
        projected = out["setup_s"] + total / (events / kernel)
        line("  events per person bitten so far", f"{per_person:.2f}")
        line(f"  projected events, all {reachable:,} bitten", f"{total:.3g}")
        line(
            "  projected wall time (an upper bound)",
            f"{projected:.0f} s",
            *against(projected, " (proj.)"),
        )
        # On a busy machine the process gets a fraction of a core: CPU time is what a quiet
        # machine would take.
        cpu = out["setup_s"] + total / (events / out["kernel_cpu_s"])
        line(
            "  projected from CPU time (a quiet core)",
            f"{cpu:.0f} s",
            *against(cpu, " (proj.)"),
        )


def figure_row(name: str, out: dict[str, Any], target: float, epsilon: float) -> dict[str, Any]:
    """A whole-grid run as one row of run_all.py's table (`--json`)."""
    label = "ssa" if name == "ssa" else f"tau at ε = {epsilon:g}"
    row: dict[str, Any] = {"figure": f"{label}, the whole US grid, to the end of the outbreak"}
    if out["ended"] == "wall-time cap":
        return {**row, "skipped": f"stopped at the cap after {out['wall_s']:.0f} s"}
    measured = f"{out['wall_s']:.1f} s, {out['humans'] / 1e6:.2f} M humans left"
    if out["steps"]:
        measured += f", {out['kernel_cpu_s'] / out['steps'] * 1e6:.2f} µs a step"
    met = bool(out["wall_s"] < target)
    return {**row, "measured": measured, "target": f"< {target:g} s", "met": met}


def crop_scenario(
    heads: np.ndarray, tmp: Path, horizon: str, cross: float, cell: tuple[int, int]
) -> Any:
    """The benchmark's scenario on a crop of the grid (`heads`, saved into `tmp`), ten zombies
    in `cell` of the crop."""
    file = tmp / "crop.npy"
    np.save(file, heads)
    path = tmp / "crop.toml"
    path.write_text(
        SCENARIO.format(
            seed=1, horizon=horizon, file=file.as_posix(), cross=cross, row=cell[0], col=cell[1]
        )
    )
    return hyosan.load_scenario(path)


def warm_up(counts: np.ndarray, tmp: Path, names: tuple[str, ...], args: Any) -> None:
    """Load (or compile) the kernels the timed runs use: the same scenario on the 12 x 12 cells
    round the seed cell for three days, so that the kernels are specialised for the same
    types as the whole grid's and no compiling falls within the timed run (a cold cache
    compiles tau's local stepping for about a minute)."""
    row, col = SEED_CELL
    crop = np.ascontiguousarray(counts[row - 6 : row + 6, col - 6 : col + 6])
    small = crop_scenario(crop, tmp, "10d", args.cross, (6, 6))
    for name in names:
        scenario = small
        if name == "tau":
            scenario = small.evolve(tau=tau_options(args))
        run_in_pieces(get_engine(name), scenario, 1.0, float("inf"), 1, quiet=True)


def tau_options(args: Any) -> dict[str, Any]:
    """The `[tau]` options of the command line."""
    return {"epsilon": args.tau_epsilon, "stepping": args.tau_stepping, "kernel": args.tau_kernel}


def most_populous(heads: np.ndarray) -> tuple[int, int]:
    """The (row, column) of the cell of `heads` with the most people (the first, at a tie)."""
    flat = int(np.argmax(heads))
    return flat // heads.shape[1], flat % heads.shape[1]


def crop_of(counts: np.ndarray, crop: list[int]) -> tuple[np.ndarray, tuple[int, int]]:
    """The crop `ROW COL SIZE` of the grid (south-west corner and side) and its most populous
    cell, where the ten zombies go; says what it holds."""
    row, col, size = crop
    heads = np.ascontiguousarray(counts[row : row + size, col : col + size])
    cell = most_populous(heads)
    print(
        f"crop rows {row}-{row + size - 1}, columns {col}-{col + size - 1}: "
        f"{int(heads.sum()):,} people in {int((heads > 0).sum()):,} places, ten zombies at "
        f"{list(cell)} of the crop ({int(heads[cell]):,} people)"
    )
    return heads, cell


def crop_to_time(counts: np.ndarray, crop: list[int], tmp: Path, args: Any) -> tuple[Any, int]:
    """The benchmark's scenario on a crop (`--crop`); and the people reachable from its seed."""
    heads, cell = crop_of(counts, crop)
    return crop_scenario(heads, tmp, args.horizon, args.cross, cell), reachable_people(heads, cell)


def error_on_crop(
    counts: np.ndarray, crop: list[int], runs: int, epsilon: float, cross: float
) -> None:
    """Mean final humans of ssa and tau (local and global stepping) on a crop of the grid."""
    heads, cell = crop_of(counts, crop)
    print(f"{runs} runs each")
    with tempfile.TemporaryDirectory() as tmp:
        scenario = crop_scenario(heads, Path(tmp), "3650d", cross, cell)
        variants = {
            "ssa": (get_engine("ssa"), scenario),
            "tau local": (
                get_engine("tau"),
                scenario.evolve(tau={"epsilon": epsilon, "stepping": "local"}),
            ),
            "tau global": (
                get_engine("tau"),
                scenario.evolve(tau={"epsilon": epsilon, "stepping": "global"}),
            ),
        }
        finals: dict[str, list[float]] = {name: [] for name in variants}
        cpu = dict.fromkeys(variants, 0.0)
        for seed in range(runs):  # interleaved, so that the machine's load falls on all alike
            for name, (engine, scen) in variants.items():
                t = time.process_time()
                finals[name].append(float(engine.run(scen, seed=seed).series("human")[-1]))
                cpu[name] += time.process_time() - t
    ssa = np.array(finals["ssa"])
    for name, values in finals.items():
        a = np.array(values)
        se = a.std(ddof=1) / np.sqrt(a.size)
        line(f"{name}: mean final humans (± s.e.)", f"{a.mean():,.0f} ± {se:,.0f}")
        line("  CPU time per run", f"{cpu[name] / runs:.2f} s")
        if name != "ssa":
            diff = a.mean() - ssa.mean()
            se_diff = np.sqrt(a.var(ddof=1) / a.size + ssa.var(ddof=1) / ssa.size)
            line(
                "  difference from ssa (± s.e.), share of ssa's mean",
                f"{100 * diff / ssa.mean():+.2f} ± {100 * se_diff / ssa.mean():.2f} %",
                "target within 0.5 %",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon", default="3650d", help="horizon (default 3650d)")
    parser.add_argument("--piece", type=float, default=25.0, help="days per piece (default 25)")
    parser.add_argument(
        "--max-wall", type=float, default=600.0, help="stop ssa after this many s (default 600)"
    )
    parser.add_argument(
        "--max-wall-tau", type=float, default=120.0, help="stop tau after this many s (120)"
    )
    parser.add_argument("--cross", type=float, default=0.05, help="cross-border factor")
    parser.add_argument(
        "--tau-epsilon", type=float, default=0.03, help="tau's step tolerance (default 0.03)"
    )
    parser.add_argument(
        "--tau-stepping", choices=("local", "global"), default="local", help="tau.stepping"
    )
    parser.add_argument(
        "--tau-kernel", choices=("general", "model"), default="general", help="tau.kernel"
    )
    parser.add_argument(
        "--error",
        type=int,
        nargs=3,
        metavar=("ROW", "COL", "SIZE"),
        help="measure tau's error against ssa on this crop instead (see the docstring)",
    )
    parser.add_argument("--runs", type=int, default=300, help="runs per engine for --error")
    parser.add_argument(
        "--crop",
        type=int,
        nargs=3,
        metavar=("ROW", "COL", "SIZE"),
        help="time the run on this crop of the grid instead (ten zombies in its most populous "
        "cell), as --error crops it",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--json", action="store_true", help="print a last line of JSON (run_all.py's table)"
    )
    parser.add_argument(
        "--only", choices=("ssa", "tau"), help="run one engine (default: ssa, then tau)"
    )
    args = parser.parse_args()

    print(f"hyosan {hyosan.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    if not GRID_FILE.exists():
        print(f"SKIPPED: the US grid is not there ({GRID_FILE}); set HYOSAN_US_GRID to its path")
        if args.json:
            why = "the US grid file is not there (HYOSAN_US_GRID)"
            print(json.dumps({"figures": [{"figure": "the whole US grid", "skipped": why}]}))
        return
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    from hyosan.world.population_files import load_population_grid

    counts = load_population_grid(GRID_FILE)
    reachable = reachable_people(counts, SEED_CELL)
    print(
        f"grid {counts.shape[0]} x {counts.shape[1]}, {int(counts.sum()):,} people in "
        f"{int((counts > 0).sum()):,} places; seed cell {list(SEED_CELL)} holds "
        f"{int(counts[SEED_CELL]):,}; {reachable:,} people are reachable from it"
    )
    if args.error is not None:
        error_on_crop(counts, args.error, args.runs, args.tau_epsilon, args.cross)
        return
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        names = ("ssa", "tau") if "tau" in engine_names() else ("ssa",)
        t = time.perf_counter()
        warm_up(counts, Path(tmp), names if args.only is None else (args.only,), args)
        print(f"(warm-up, kernels loaded or compiled: {time.perf_counter() - t:.1f} s)\n")
        if args.crop is not None:
            scenario, reachable = crop_to_time(counts, args.crop, Path(tmp), args)
        else:
            path = Path(tmp) / "us.toml"
            path.write_text(
                SCENARIO.format(
                    seed=args.seed,
                    horizon=args.horizon,
                    file=GRID_FILE.as_posix(),
                    cross=args.cross,
                    row=SEED_CELL[0],
                    col=SEED_CELL[1],
                )
            )
            scenario = hyosan.load_scenario(path)
        del counts

        if args.only != "tau":
            print(f"ssa, pieces of {args.piece:g} days, cap {args.max_wall:g} s of wall time:")
            out = run_in_pieces(get_engine("ssa"), scenario, args.piece, args.max_wall, args.seed)
            report("ssa", out, None if args.crop else TARGET_SSA_S, reachable)
            if args.crop is None:
                figures.append(figure_row("ssa", out, TARGET_SSA_S, args.tau_epsilon))
            line("peak resident set so far", f"{peak_rss_mb():.0f} MB", "no target")

        if args.only == "ssa":
            pass
        elif "tau" in engine_names():
            print(
                f"\ntau, pieces of {args.piece:g} days, cap {args.max_wall_tau:g} s of wall time:"
            )
            try:
                engine = get_engine("tau")
                # tau's accuracy is the user's choice: epsilon bounds the relative change of
                # the hazards in one leap (see engines/tau); the final counts are compared
                # with ssa's above.
                leaped = scenario.evolve(tau=tau_options(args))
                print(
                    f"  epsilon = {args.tau_epsilon:g}, stepping = {args.tau_stepping}, "
                    f"kernel = {args.tau_kernel}"
                )
                out = run_in_pieces(engine, leaped, args.piece, args.max_wall_tau, args.seed)
            except Exception as exc:  # the tau engine is young: report, do not crash
                print(f"  tau failed: {type(exc).__name__}: {exc}")
                figures.append({"figure": "tau, the whole US grid", "skipped": f"failed: {exc}"})
            else:
                report("tau", out, None if args.crop else TARGET_TAU_S, reachable)
                if args.crop is None:
                    figures.append(figure_row("tau", out, TARGET_TAU_S, args.tau_epsilon))
            line("peak resident set so far", f"{peak_rss_mb():.0f} MB", "no target")
        else:
            print(f"\ntau: not available yet (engines: {', '.join(engine_names())})")
    print(f"\nload average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()

"""Does tau carry a front across thin land as often as ssa? A crossing experiment; prints.

Run from the repository root (about 13 minutes at the defaults on one core):

    python benchmarks/bench_front_crossing.py                  # 300 runs of each variant
    python benchmarks/bench_front_crossing.py --runs 100 --epsilons 0.03 0.1 0.3

Why: on the whole US grid (bench_us_grid.py), 3 of 40 tau runs ended about 6 million humans
lower than the rest, because a front crawled through the thinly peopled south-west and reached
the Phoenix area; none of 24 ssa runs did. Forty runs cannot tell whether tau crosses more
often or was lucky, and tau's error against ssa on the whole grid hangs on it. This benchmark
asks the question where the answer is a coin toss and runs are cheap: a crop of the grid over
Utah and Arizona, a front arriving from the north and the east, and Phoenix to the south. About
half the runs of either engine cross.

The crop: rows 280 to 479 and columns 280 to 474 of the 900 x 1500 grid (row 0 is the southern
edge), 6.8 million people. The front: ten zombies in every cell of at least ten people in two
boxes, rows 410 to 479 by columns 388 to 474, and rows 354 to 409 by columns 455 to 474 (1,956
cells: where a whole-grid tau run's front stood on day 1,150). The target: rows 315 to 335 by
columns 315 to 339, the Phoenix area, 3.6 million people. A run crosses when the cells that a
zombie reached hold more than half of the target's people (a zombie in a city cell almost
always takes it, so runs that cross and runs that do not are far apart). The model and
cross-border factor are bench_us_grid.py's.

Figures, for ssa and for tau at each `--epsilons` value (local stepping), the runs interleaved
by seed so that the machine's load falls on all alike: the share of runs that cross (± its
standard error), the mean final humans in the crop (± s.e.), the CPU time per run, and for tau
the difference of its share from ssa's (± s.e., and in standard errors). A bias of the leap
grows with epsilon; a share that does not move with epsilon says that what differs from ssa is
not the leap's error.

The grid is not in the repository: set HYOSAN_US_GRID to its path (bench_us_grid.py says
where it comes from); without it the benchmark says so and exits.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_us_grid as us  # noqa: E402
import hyosan  # noqa: E402
from hyosan.engines import get_engine  # noqa: E402

#: The crop: its south-west cell (row, column) and its rows and columns.
CROP = (280, 280, 200, 195)
#: Where the front starts: every cell of at least SEED_LEAST people in these boxes
#: (first row, last row + 1, first column, last column + 1), grid coordinates.
SEED_BOXES = ((410, 480, 388, 475), (354, 410, 455, 475))
SEED_LEAST = 10
#: The Phoenix area, as the boxes are given.
TARGET = (315, 336, 315, 340)


def crossing_scenario(counts: np.ndarray, tmp: Path) -> tuple[Any, np.ndarray, int]:
    """The crop's scenario (saved into `tmp`), whether each crop cell is in the target, and
    the number of cells the front starts in."""
    row, col, rows, cols = CROP
    heads = np.ascontiguousarray(counts[row : row + rows, col : col + cols])
    file = tmp / "crossing.npy"
    np.save(file, heads)
    seeds = []
    for r0, r1, c0, c1 in SEED_BOXES:
        rr, cc = np.nonzero(counts[r0:r1, c0:c1] >= SEED_LEAST)
        seeds += [(r + r0 - row, c + c0 - col) for r, c in zip(rr, cc, strict=True)]
    (r, c), rest = seeds[0], seeds[1:]
    text = us.SCENARIO.format(
        seed=1, horizon="3650d", file=file.as_posix(), cross=0.05, row=r, col=c
    )
    text += "".join(f"\n[[world.seeds]]\nat = [{r}, {c}]\ncounts = {{ Z = 10 }}\n" for r, c in rest)
    path = tmp / "crossing.toml"
    path.write_text(text)
    target = np.zeros(heads.shape, dtype=bool)
    t0, t1, s0, s1 = TARGET
    target[t0 - row : t1 - row, s0 - col : s1 - col] = True
    return hyosan.load_scenario(path), target, len(seeds)


def one_run(engine: Any, scenario: Any, seed: int, target: np.ndarray) -> tuple[bool, float]:
    """Whether the run crossed to the target, and its final humans."""
    result = engine.run(scenario, seed=seed)
    places = result.places
    rows = places.column("row").to_numpy()
    cols = places.column("col").to_numpy()
    people = places.column("population").to_numpy()
    reached = places.column("t_first_zombie_s").is_valid().to_numpy(zero_copy_only=False)
    inside = target[rows, cols]
    crossed = people[inside & reached].sum() > 0.5 * people[inside].sum()
    return bool(crossed), float(result.series("human")[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="runs of each variant (300)")
    parser.add_argument(
        "--epsilons",
        type=float,
        nargs="+",
        default=[0.03, 0.3],
        help="tau's step tolerances to run (default 0.03 0.3)",
    )
    args = parser.parse_args()
    print(f"hyosan {hyosan.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}")
    if not us.GRID_FILE.exists():
        print(f"SKIPPED: the US grid is not there ({us.GRID_FILE}); set HYOSAN_US_GRID to its path")
        return
    from hyosan.world.population_files import load_population_grid

    counts = load_population_grid(us.GRID_FILE)
    with tempfile.TemporaryDirectory() as tmp:
        scenario, target, n_seeds = crossing_scenario(counts, Path(tmp))
        row, col, rows, cols = CROP
        crop = counts[row : row + rows, col : col + cols]
        print(
            f"crop rows {row}-{row + rows - 1}, columns {col}-{col + cols - 1}: "
            f"{int(crop.sum()):,} people; the front in {n_seeds:,} cells; the target holds "
            f"{int(crop[target].sum()):,}; {args.runs} runs of each variant"
        )
        variants = {"ssa": (get_engine("ssa"), scenario)}
        for eps in args.epsilons:
            leaped = scenario.evolve(tau={"epsilon": eps, "stepping": "local"})
            variants[f"tau, epsilon {eps:g}"] = (get_engine("tau"), leaped)
        for engine, scen in variants.values():  # load or compile the kernels, untimed
            one_run(engine, scen, 10**6, target)
        crossed = {name: np.zeros(args.runs, dtype=bool) for name in variants}
        humans = {name: np.zeros(args.runs) for name in variants}
        cpu = dict.fromkeys(variants, 0.0)
        for seed in range(args.runs):
            for name, (engine, scen) in variants.items():
                t = time.process_time()
                crossed[name][seed], humans[name][seed] = one_run(engine, scen, seed, target)
                cpu[name] += time.process_time() - t
    n = args.runs
    base = crossed["ssa"].mean()
    for name in variants:
        share = crossed[name].mean()
        se = np.sqrt(share * (1 - share) / n)
        h = humans[name]
        print(f"\n{name}:")
        us.line("share of runs that cross (± s.e.)", f"{100 * share:.1f} ± {100 * se:.1f} %")
        us.line(
            "mean final humans in the crop (± s.e.)",
            f"{h.mean():,.0f} ± {h.std(ddof=1) / np.sqrt(n):,.0f}",
        )
        us.line("CPU time per run", f"{cpu[name] / n:.2f} s")
        if name != "ssa":
            se_diff = np.sqrt((share * (1 - share) + base * (1 - base)) / n)
            z = (share - base) / se_diff if se_diff > 0 else 0.0
            us.line(
                "  its share minus ssa's (± s.e.)",
                f"{100 * (share - base):+.1f} ± {100 * se_diff:.1f} pts",
                f"{z:+.1f} s.e.",
            )


if __name__ == "__main__":
    main()

"""What each part of a step of tau's local stepping costs, place by place; prints.

Run from the repository root:

    python benchmarks/profile_tau_step.py                 # 100 x 100 cells, day 20
    python benchmarks/profile_tau_step.py --size 200 --day 40

The scenario is bench_us_grid.py's, on the SIZE x SIZE cells of the US grid round Manhattan
(ten zombies in the crop's most populous cell). The run goes to `--day`; then each part of
`local._step` is called on every place active there, again and again, and timed alone: the
neighbour sums and hazards, the bounds, the midpoint, the leap's draws. A part changes the
work arrays it writes as it would in a step, and the counts are put back after each part.

The parts do not add up to a step: the changes applied, the neighbours reviewed and the heap
are left out. Their sum against a whole step's cost (a run's CPU time over its steps) says how
much those cost. Needs the US grid file, as bench_us_grid.py does; exits without it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numba as nb
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_us_grid as grid
from hyosan.engines import get_engine
from hyosan.engines.base import Recorder, Streams
from hyosan.engines.ssa import pcg
from hyosan.engines.ssa.pipeline import Kernel
from hyosan.engines.tau import kernels as tk
from hyosan.engines.tau import local as tl
from hyosan.world.population_files import load_population_grid

PARTS = (
    "neighbour sums and hazards (_place_rates)",
    "neighbours' drift bound (_neighbour_bound)",
    "drift, variance, own bound (_moments, _own_bound)",
    "critical test (_critical)",
    "cut at neighbours' events (_jump_cut)",
    "midpoint and its hazards",
    "the leap's draws (_leap_place)",
    "next event drawn (_draw)",
)
EPSILON = 0.03


@nb.njit(pipeline_class=Kernel)
def _part(pl, ch, graph, w, lw, gen, counts, places, t, which, reps):  # type: ignore[no-untyped-def]
    # Part `which` of a step, on each of `places`, `reps` times; a sum, so nothing is dropped.
    acc = 0.0
    for _ in range(reps):
        for i in range(places.size):
            p = places[i]
            if which == 0:
                acc += tl._place_rates(pl, ch, graph, w, lw, p, t)
            elif which == 1:
                acc += tl._neighbour_bound(pl, ch, lw, p, np.inf, EPSILON)
            elif which == 2:
                tl._moments(pl, ch, w, p)
                acc += tl._own_bound(pl, ch, graph, w, p, 1.0, EPSILON)
            elif which == 3:
                acc += tl._critical(pl, ch, w, p)
            elif which == 4:
                acc += tl._jump_cut(pl, ch, graph, w, lw, p, t, 1e4, 1.0, EPSILON)
            elif which == 5:
                for c in range(pl.x.shape[1]):
                    w.xm[p, c] = pl.x[p, c]
                tk._midpoint(pl, w, p, 100.0)
                acc += tl._mid_hazards(pl, ch, graph, w, lw, p, 50.0)
            elif which == 6:
                w.meta[tk._N_CHANGED] = 0
                tk._leap_place(pl, ch, graph, w, gen, counts, 0, p, 100.0)
                for j in range(w.meta[tk._N_CHANGED]):  # the leap's changes, undone
                    q = w.changed[j]
                    w.is_changed[q] = False
                    for c in range(pl.x.shape[1]):
                        w.dx[q, c] = 0
            else:
                tl._draw(pl, ch, w, lw, gen, p, t, 1.0, t + 1e9)
                acc += lw.key[p]
    return acc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100, help="cells a side of the crop (100)")
    ap.add_argument("--day", type=float, default=20.0, help="the day to profile at (20)")
    ap.add_argument("--calls", type=int, default=2_000_000, help="calls of each part (2e6)")
    args = ap.parse_args()
    if not grid.GRID_FILE.exists():
        print(f"no US grid at {grid.GRID_FILE}: set HYOSAN_US_GRID to its path")
        return 0
    counts = load_population_grid(grid.GRID_FILE)
    row, col = grid.SEED_CELL
    half = args.size // 2
    heads = np.ascontiguousarray(counts[row - half : row + half, col - half : col + half])
    cell = tuple(int(v) for v in np.unravel_index(int(np.argmax(heads)), heads.shape))
    engine = get_engine("tau")
    with tempfile.TemporaryDirectory() as tmp:
        scenario = grid.crop_scenario(heads, Path(tmp), "3650d", 0.05, cell)
        scenario = scenario.evolve(tau={"epsilon": EPSILON, "stepping": "local"})
        state = engine._setup(scenario, Streams(1))
    tally = engine._tally(state)
    recorder = Recorder(
        np.asarray(scenario.time.output_times()),
        len(state.layout.net.compartments),
        0 if tally is None else len(tally),
    )
    t = args.day * grid.DAY
    start = time.process_time()
    engine._advance(state, 0.0, t, recorder, False)
    run_cpu = time.process_time() - start
    w = state.work
    places = w.active[: w.meta[0]].copy()
    steps = int(w.meta[1])
    print(f"{args.size} x {args.size} cells round Manhattan, day {args.day:g}")
    print(f"  to there: {steps:,} steps in {run_cpu:.2f} s of CPU (compiling included)")
    print(f"  {places.size:,} places active; ns a place for each part of a step:")
    if places.size == 0:
        print("  nothing active: choose an earlier day")
        return 0
    x0, sums0 = state.places.x.copy(), state.places.nbs.copy()
    # The kernels draw from the stream's PCG64 state words (engines/tau/draws.py).
    gen = pcg.load(state.rng)
    common = (state.places, state.channels, state.graph, w, state.local, gen)
    total = 0.0
    for which, name in enumerate(PARTS):
        _part(*common, state.counts, places, t, which, 1)  # compiled, or loaded
        reps = max(1, args.calls // places.size)
        begin = time.perf_counter()
        _part(*common, state.counts, places, t, which, reps)
        ns = (time.perf_counter() - begin) / (reps * places.size) * 1e9
        state.places.x[:] = x0
        state.places.nbs[:] = sums0
        total += ns
        print(f"    {name:<44} {ns:7.1f}")
    print(f"    {'the parts together':<44} {total:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

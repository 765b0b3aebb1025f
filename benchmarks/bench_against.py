"""Each engine's warm speed, one git revision against another, interleaved; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_against.py --before 3a53a43 --after 9b447ac --only agents
    python benchmarks/bench_against.py --before b3c5304 --after 4d6924a --only ssa tau
    python benchmarks/bench_against.py --before b3c5304            # against this tree

The source of each revision (its `src/`, or this tree's for `--after .`) runs in its own
process with its own Numba cache, warmed by one untimed run; then each workload runs `--runs`
times and the CPU seconds of each run (time.process_time) are kept. Rounds alternate
(before, after, before, after, ...), so a machine that gets busier slows both alike. It prints,
per workload, the median CPU seconds a run of each side, the ratio after / before of the
medians and the smallest and largest ratio of a round, and whether the summaries agree (a
revision that should not change numbers must give the same).

Workloads (built-in scenarios, through `hyosan.runner.simulate`, the same on both sides):
agents, Hyosan High for 24 hours; ssa, the lattice of `alemi-lattice` shortened; tau, `korea`
shortened.

Issue 13 asks that no engine be more than 5 % slower after its restructuring.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_cold_start import _extract_src  # the same `git archive` of a revision's src/

ROOT = Path(__file__).resolve().parent.parent

#: name -> (scenario, engine, --set overrides, seeds)
WORKLOADS: dict[str, tuple[str, str, list[str], list[int]]] = {
    "agents": ("hyosan-high", "agents", ["time.horizon=24h"], [1, 2, 3]),
    "ssa": ("alemi-lattice", "ssa", ["time.horizon=400d"], [1, 2, 3]),
    "tau": ("korea", "tau", ["time.horizon=20d"], [1, 2]),
}

# Run in the revision's process: warm up, then time each seed; one JSON line out.
_CHILD = """
import json, sys, time
from hyosan.runner import simulate
from hyosan.scenario.load import load_scenario
name, engine, sets, seeds = json.loads(sys.argv[1])
scenario = load_scenario(name, sets)
simulate(scenario, engine=engine, seed=seeds[0])
cpu, fingerprints = [], []
for seed in seeds:
    t0 = time.process_time()
    result = simulate(scenario, engine=engine, seed=seed)
    cpu.append(time.process_time() - t0)
    fingerprints.append(repr(result.counts[-1].tolist()))
print(json.dumps({"cpu": cpu, "fingerprints": fingerprints}))
"""


def _source(rev: str, into: Path) -> Path:
    """The `src/` folder of revision `rev` (this tree's for ".")."""
    return ROOT / "src" if rev == "." else _extract_src(rev, into / rev)


def _run(src: Path, cache: Path, workload: tuple[str, str, list[str], list[int]]) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "NUMBA_CACHE_DIR": str(cache),
        "HYOSAN_COMPILE_PROCESSES": "1",
    }
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(workload)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:  # a revision that cannot run the workload: say why, and stop
        sys.exit(f"{src} failed on {workload[0]}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a git revision")
    parser.add_argument("--after", default=".", help='a git revision, or "." for this tree')
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds a side")
    parser.add_argument("--only", nargs="+", choices=sorted(WORKLOADS), default=None)
    args = parser.parse_args()

    names = args.only or list(WORKLOADS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sides = {"before": args.before, "after": args.after}
        src = {side: _source(rev, folder) for side, rev in sides.items()}
        print(f"before {args.before}, after {args.after}; load {os.getloadavg()[0]:.2f}")
        heads = ("before s", "after s", "ratio", "min", "max")
        print(f"{'workload':9} " + " ".join(f"{h:>9}" for h in heads) + "  same")
        for name in names:
            cpu: dict[str, list[float]] = {"before": [], "after": []}
            prints: dict[str, list[str]] = {"before": [], "after": []}
            ratios = []
            for _ in range(args.rounds):
                med = {}
                for side in sides:
                    got = _run(src[side], folder / f"numba-{side}", WORKLOADS[name])
                    cpu[side] += got["cpu"]
                    prints[side] = got["fingerprints"]
                    med[side] = statistics.median(got["cpu"])
                ratios.append(med["after"] / med["before"])
            b, a = statistics.median(cpu["before"]), statistics.median(cpu["after"])
            same = prints["before"] == prints["after"]
            print(
                f"{name:9} {b:9.3f} {a:9.3f} {a / b:9.3f} {min(ratios):9.3f} "
                f"{max(ratios):9.3f}  {same}"
            )
        print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

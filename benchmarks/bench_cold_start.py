"""The first-ever `hyosan run`, with Numba's cache empty; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_cold_start.py            # about a minute
    python benchmarks/bench_cold_start.py --repeats 3 --scenario sir --engine ssa

Each repeat points Numba at a new, empty cache directory (NUMBA_CACHE_DIR), then runs, each in
a fresh process:

1. `hyosan run SCENARIO --quiet --no-report` on the empty cache (the cold start: compiling the
   kernels the run uses is most of it);
2. the same again (warm: the kernels are read from the cache);
3. `hyosan run SCENARIO --quiet` warm, with the report (matplotlib, the GIF), as the README's
   first command runs it.

It prints wall and CPU seconds (the children's user + system time, which a busy machine does not
inflate; on a cold start it includes the helper process that compiles half the kernels, see
src/hyosan/engines/agents/precompile.py) for each, the median over repeats, and the load average
before and after (a busy machine stretches the wall time, the more so as the cold start uses
two cores). Target (issue 13): the cold start under 15 s on a quiet 2-core machine.
`HYOSAN_COMPILE_PROCESSES=1` compiles on one core, as before the helper process.
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
from pathlib import Path

TARGET_COLD_S = 15.0


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="cold starts timed")
    parser.add_argument("--scenario", default="hyosan-high", help="the scenario run")
    parser.add_argument("--engine", default=None, help="an engine other than the scenario's")
    args = parser.parse_args()

    base = [sys.executable, "-m", "hyosan.cli", "run", args.scenario, "--quiet", "--force"]
    if args.engine:
        base += ["--engine", args.engine]
    rows: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "warm+report": []}
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")}
            out = str(Path(tmp) / "run")
            rows["cold"].append(_timed([*base, "--out", out, "--no-report"], env))
            rows["warm"].append(_timed([*base, "--out", out, "--no-report"], env))
            rows["warm+report"].append(_timed([*base, "--out", out], env))
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"hyosan run {args.scenario}: {args.repeats} repeats, each with an empty Numba cache")
    print(f"load average (1 min) before {load_before:.2f}, after {load_after:.2f}")
    print(f"{'':14}{'wall s (median)':>18}{'CPU s (median)':>18}")
    for name, vals in rows.items():
        wall = statistics.median(w for w, _ in vals)
        cpu = statistics.median(c for _, c in vals)
        print(f"{name:14}{wall:18.2f}{cpu:18.2f}")
    cold = statistics.median(w for w, _ in rows["cold"])
    verdict = "met" if cold < TARGET_COLD_S else "not met"
    print(f"cold start target < {TARGET_COLD_S:.0f} s wall: {verdict}")


if __name__ == "__main__":
    main()

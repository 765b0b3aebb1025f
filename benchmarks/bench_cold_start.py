"""The first-ever `hyosan run`, with Numba's cache empty; prints, asserts nothing.

Run from the repository root:

    python benchmarks/bench_cold_start.py            # about a minute
    python benchmarks/bench_cold_start.py --repeats 3 --scenario sir --engine ssa
    python benchmarks/bench_cold_start.py --against main   # before (main) and after, in turn

Each repeat points Numba at a new, empty cache directory (NUMBA_CACHE_DIR), then runs, each in
a fresh process:

1. `hyosan run SCENARIO --quiet --no-report` on the empty cache (the cold start: compiling the
   kernels the run uses is most of it);
2. the same again (warm: the kernels are read from the cache);
3. `hyosan run SCENARIO --quiet` warm, with the report (matplotlib, the GIF), as the README's
   first command runs it.

It prints wall and CPU seconds (user + system time, which a busy machine inflates less than
wall time) for each, the median over repeats, and the load average before and after (a busy
machine stretches the wall time, the more so as the cold start uses two cores). CPU seconds
are given in all (the command and the helper process that compiles half the kernels on a cold
start, src/hyosan/engines/agents/precompile.py), and for the command's own process alone: on a
quiet machine with two cores the two processes run side by side, and the command's own
process is the longer one (it also reads the scenario, builds the world, compiles the step
loop and runs), so its CPU seconds are about the wall time a quiet 2-core machine would show.
Target (issue 13): the cold start under 15 s on a quiet 2-core machine.
`HYOSAN_COMPILE_PROCESSES=1` compiles on one core, as before the helper process.

With `--against REF` the source of the git revision REF (its `src/`, extracted into a temporary
folder) runs too, each repeat running REF's cold start, then this tree's, so a busy machine
slows both alike; it prints both, and the ratios this tree / REF of the medians.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

TARGET_COLD_S = 15.0
ROOT = Path(__file__).resolve().parent.parent


# `python -m hyosan ARGS` (the console script's entry point, as users run it), which also
# writes its own process's CPU seconds (not its children's) to the file named first.
_OWN_CPU = (
    "import atexit, resource, runpy, sys\n"
    "where = sys.argv.pop(1)\n"
    "def own_cpu():\n"
    "    u = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    with open(where, 'w') as f:\n"
    "        f.write(repr(u.ru_utime + u.ru_stime))\n"
    "atexit.register(own_cpu)\n"
    "runpy.run_module('hyosan', run_name='__main__', alter_sys=True)\n"
)


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall, CPU, CPU of the command's own process) seconds of `hyosan ARGS`, in a fresh
    process."""
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "own_cpu"
        cmd = [sys.executable, "-c", _OWN_CPU, str(own), *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_cpu = float(own.read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, own_cpu


def _extract_src(ref: str, into: Path) -> Path:
    """The `src/` folder of git revision `ref`, extracted under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _one_repeat(
    base: list[str], src: Path, rows: dict[str, list[tuple[float, float, float]]], label: str
) -> None:
    """Cold, warm and warm+report runs of the hyosan under `src`, on a new empty cache."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "NUMBA_CACHE_DIR": str(Path(tmp) / "numba"),
            "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        }
        out = str(Path(tmp) / "run")
        rows[f"cold{label}"].append(_timed([*base, "--out", out, "--no-report"], env))
        rows[f"warm{label}"].append(_timed([*base, "--out", out, "--no-report"], env))
        rows[f"warm+report{label}"].append(_timed([*base, "--out", out], env))


def _median(vals: list[tuple[float, float, float]], k: int) -> float:
    return statistics.median(v[k] for v in vals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="cold starts timed")
    parser.add_argument("--scenario", default="hyosan-high", help="the scenario run")
    parser.add_argument("--engine", default=None, help="an engine other than the scenario's")
    parser.add_argument("--against", default=None, help="a git revision to run in turn (before)")
    args = parser.parse_args()

    base = ["run", args.scenario, "--quiet", "--force"]
    if args.engine:
        base += ["--engine", args.engine]
    labels = {"": ROOT / "src"}
    with tempfile.TemporaryDirectory() as before:
        if args.against:
            labels = {f" ({args.against})": _extract_src(args.against, Path(before)), **labels}
        rows: dict[str, list[tuple[float, float, float]]] = {
            f"{name}{label}": [] for label in labels for name in ("cold", "warm", "warm+report")
        }
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        for _ in range(args.repeats):
            for label, src in labels.items():
                _one_repeat(base, src, rows, label)
        load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"hyosan run {args.scenario}: {args.repeats} repeats, each with an empty Numba cache")
    print(f"load average (1 min) before {load_before:.2f}, after {load_after:.2f}")
    width = max(len(name) for name in rows) + 2
    print(f"{'':{width}}{'wall s':>10}{'CPU s':>10}{'own CPU s':>12}   (medians)")
    for name, vals in rows.items():
        wall, cpu, own = (_median(vals, k) for k in range(3))
        print(f"{name:{width}}{wall:10.2f}{cpu:10.2f}{own:12.2f}")
    if args.against:
        ref = f" ({args.against})"
        for name in ("cold", "warm", "warm+report"):
            after, before_ = rows[name], rows[f"{name}{ref}"]
            print(
                f"{name} this tree / {args.against}: wall "
                f"{_median(after, 0) / _median(before_, 0):.2f}, "
                f"CPU {_median(after, 1) / _median(before_, 1):.2f}, "
                f"own CPU {_median(after, 2) / _median(before_, 2):.2f}"
            )
    cold, own = _median(rows["cold"], 0), _median(rows["cold"], 2)
    verdict = "met" if cold < TARGET_COLD_S else "not met"
    print(f"cold start target < {TARGET_COLD_S:.0f} s wall: {verdict} here ({cold:.1f} s);")
    quiet = "met" if own < TARGET_COLD_S else "not met"
    print(f"on a quiet 2-core machine (about the own CPU s, {own:.1f} s): {quiet}")


if __name__ == "__main__":
    main()

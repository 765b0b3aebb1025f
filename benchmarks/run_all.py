"""Run the figure benchmarks and print one table: figure, measured, target, met; asserts nothing.

Run from the repository root:

    python benchmarks/run_all.py                 # short settings (a few minutes)
    python benchmarks/run_all.py --full          # the issue's sizes (much longer)
    python benchmarks/run_all.py --only well_mixed ssa

Each benchmark runs in a process of its own with `--json` and prints, as its last line, a JSON
object {"figures": [...]}: each figure with its name, what was measured, its target and
whether it was met (or why it was skipped). This script reads that line, never the prose
above it. A benchmark whose peers live in another environment (EoN; Starsim and Mesa) runs
with that environment's Python when it exists (`--eon-python`, default /tmp/bench-eon/bin/
python; bench_agents_scale.py finds its own), else with this one, where it prints why it
skipped the comparison. A benchmark that fails or times out is listed with its last lines.

Timings depend on the machine and on what else runs on it; each benchmark interleaves its own
comparisons, and this table only gathers what they print.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: name: (script, arguments for the short run, arguments for --full).
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    # The size already: 20 runs a side of SIR at N = 1e6 take seconds.
    "well_mixed": ("bench_well_mixed.py", ["--runs", "20"], ["--runs", "40"]),
    "ssa": (
        "bench_ssa.py",
        ["--horizon", "30d", "--repeats", "1", "--no-walk"],
        [],
    ),
    # One round of the sizes (about 1.5 minutes): shorter horizons would compare
    # outbreaks still small enough to sit in the cache, not the workloads of the figure.
    "lattice": ("bench_lattice.py", ["--rounds", "1"], []),
    "vs_eon": (
        "bench_vs_eon.py",
        ["--sizes", "100000", "--runs", "20", "--check-runs", "200"],
        ["--sizes", "100000", "1000000"],
    ),
    "reuse": ("bench_reuse.py", ["--runs", "10"], ["--runs", "20"]),
    # Hyosan High ensembles: 2 workers against 1 (wall and CPU throughput, interleaved) and
    # 1,000 runs on 2 cores, projected from a sample (--full: the thousand themselves).
    "workers": ("bench_workers.py", ["--runs", "24"], ["--runs", "60", "--rounds", "2"]),
    "ensemble": (
        "bench_ensemble.py",
        ["--runs", "100", "--configs", "pool-2"],
        ["--runs", "1000", "--configs", "pool-2"],
    ),
    "agents_scale": (
        "bench_agents_scale.py",
        ["--sizes", "100000", "--runs", "20", "--mesa-runs", "1"],
        [],
    ),
    # The US grid (HYOSAN_US_GRID; skipped without it): tau alone, about a minute. ssa's
    # whole-grid run (about two minutes more) comes with --full.
    "us_grid": (
        "bench_us_grid.py",
        ["--only", "tau", "--piece", "50", "--max-wall-tau", "300"],
        ["--piece", "50", "--max-wall-tau", "300"],
    ),
    # tau's error against ssa from the batches already run and the runs listed in
    # tau_error_runs.csv (bench_tau_error.py --batches N makes batches: hours of runs, so this
    # table only reads them; no grid file needed).
    "tau_error": ("bench_tau_error.py", [], []),
}


def run_one(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run one benchmark with --json; its figures, or one row saying what went wrong."""
    script, short, full = BENCHMARKS[name]
    python = sys.executable
    if name == "vs_eon" and Path(args.eon_python).exists():
        python = args.eon_python
    command = [python, str(HERE / script), *(full if args.full else short), "--json"]
    env = dict(os.environ)
    src = str(HERE.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return [{"figure": name, "skipped": f"timed out after {args.timeout:g} s"}]
    print(f"  {name}: {time.perf_counter() - t:.0f} s", flush=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("{"):
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        return [{"figure": name, "skipped": f"failed (exit {proc.returncode}): {tail}"}]
    if args.verbose:
        print("\n".join(lines[:-1]))
    return list(json.loads(lines[-1])["figures"])


def table(rows: list[dict[str, Any]]) -> str:
    """The figures as a text table: figure, measured, target, met."""
    out = [("figure", "measured", "target", "met")]
    for r in rows:
        if "skipped" in r:
            out.append((r["figure"], "-", r.get("target", "-"), f"skipped: {r['skipped']}"))
            continue
        measured = str(r["measured"])
        if r.get("min") is not None:
            measured += f" (min {r['min']})"
        if r.get("ks_p") is not None:
            measured += f", KS p {r['ks_p']:.3g}"
        out.append((r["figure"], measured, str(r["target"]), "yes" if r["met"] else "NO"))
    widths = [max(len(row[i]) for row in out) for i in range(3)]
    return "\n".join(
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}" for a, b, c, d in out
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="these only")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per benchmark")
    parser.add_argument("--eon-python", default="/tmp/bench-eon/bin/python")
    parser.add_argument("--verbose", action="store_true", help="also print each one's prose")
    args = parser.parse_args()
    names = args.only or list(BENCHMARKS)
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows: list[dict[str, Any]] = []
    for name in names:
        rows += run_one(name, args)
    print(f"load average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print(table(rows))


if __name__ == "__main__":
    main()

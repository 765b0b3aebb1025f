"""Issue 18's figure: pairs of concurrent ensembles into one --out. None may mix; one of each
pair is refused (or, if it starts after the other finished, finds OUT and is refused too).

    python scripts/concurrent_ensembles.py [--pairs 20] [--runs 2000]

Prints one line per pair and the totals: mixed (must be 0), refused seconds, and how long the
refused command took to be refused.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

SETS = ("initial.S=200", 'time.horizon="40d"', 'time.output_every="0.5d"')


def command(out: Path, seed: int, runs: int) -> list[str]:
    exe = shutil.which("hyosan") or "hyosan"
    args = [exe, "run", "alemi-szr", "--engine", "ode", "--runs", str(runs), "--workers", "1"]
    for s in SETS:
        args += ["--set", s]
    return [*args, "--seed", str(seed), "--out", str(out), "--no-report", "--quiet"]


def seeds_of(out: Path) -> list[int]:
    return pq.read_table(out / "runs.parquet").column("seed").to_pylist()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hyosan-pairs-"))
    reference = {}
    for seed in (1, 2):
        ran = subprocess.run(command(root / f"ref{seed}", seed, args.runs), capture_output=True)
        assert ran.returncode == 0, ran.stderr
        reference[seed] = seeds_of(root / f"ref{seed}")
    mixed = refused = both_ok = 0
    refusal_s: list[float] = []
    for pair in range(args.pairs):
        out = root / f"pair{pair}"
        a = subprocess.Popen(command(out, 1, args.runs), stderr=subprocess.PIPE, text=True)
        time.sleep(0.5 * (pair % 4))  # the second starts 0, 0.5, 1 or 1.5 s later
        start = time.perf_counter()
        b = subprocess.Popen(command(out, 2, args.runs), stderr=subprocess.PIPE, text=True)
        _, err_b = b.communicate()
        b_s = time.perf_counter() - start
        _, err_a = a.communicate()
        codes = (a.returncode, b.returncode)
        winner = 1 if a.returncode == 0 else 2 if b.returncode == 0 else None
        if codes.count(0) == 2:
            both_ok += 1
        ok = winner is not None and (out / "runs.parquet").is_file()
        is_mixed = ok and seeds_of(out) != reference[winner]
        mixed += is_mixed
        loser_err = err_b if winner == 1 else err_a
        said = "being written by" in loser_err or "already exists" in loser_err
        if codes.count(2) == 1 and said:
            refused += 1
            if winner == 1:
                refusal_s.append(b_s)
        print(
            f"pair {pair:2d}: exit codes {codes}, winner seed {winner}, "
            f"{'MIXED' if is_mixed else 'clean'}; loser: {loser_err.strip().splitlines()[-1][:90]}"
        )
        shutil.rmtree(out, ignore_errors=True)
    print(
        f"\n{args.pairs} pairs of {args.runs}-run ensembles into one --out: {mixed} mixed, "
        f"{refused} second commands refused, {both_ok} pairs where both exited 0"
    )
    if refusal_s:
        print(
            f"second command refused {min(refusal_s):.2f}-{max(refusal_s):.2f} s after it "
            "started (the process start-up and the scenario's checks included)"
        )
    leftovers = [p.name for p in root.iterdir() if not p.name.startswith("ref")]
    print(f"left in {root}: {leftovers or 'nothing but the references'}")
    shutil.rmtree(root, ignore_errors=True)
    return 0 if mixed == 0 and refused == args.pairs else 1


if __name__ == "__main__":
    sys.exit(main())

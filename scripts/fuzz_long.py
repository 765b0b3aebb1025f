"""Issue 18's figure: the long fuzz run. Mutated built-in scenarios (tests/hardening's
strategies) through `hyosan validate`, counting every outcome rather than stopping at the
first failure: valid (exit 0), refused (exit 2), internal errors (exit 1), hangs (over 30 s).

    python scripts/fuzz_long.py [--cases 100000] [--jobs 2]

Prints the counts and the time, and the first few failing cases; exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "hardening"))

LIMIT_S = 30


class _HangError(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _HangError


def worker(cases: int, seed: int, report: Path) -> None:
    """Run `cases` cases with Hypothesis seed `seed`; write counts and failures to `report`."""
    from fuzz_strategies import Case
    from fuzz_strategies import cases as strategy
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed
    from test_fuzz import write_case

    from hyosan.cli import main

    counts: Counter[str] = Counter()
    failures: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-long-"))
    signal.signal(signal.SIGALRM, _alarm)

    @hypothesis_seed(seed)
    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy())
    def one(case: Case) -> None:
        path = write_case(case, folder)
        if path is None:
            counts["not TOML (skipped)"] += 1
            return
        args = ["validate", str(path)]
        for item in case.overrides:
            args += ["--set", item]
        err = io.StringIO()
        signal.alarm(LIMIT_S)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:
                    main(args)
                    code: object = 0
                except SystemExit as exc:
                    code = exc.code
        except _HangError:
            code = "hang"
        finally:
            signal.alarm(0)
        outcome = {0: "valid (exit 0)", 2: "refused (exit 2)", 1: "internal error (exit 1)"}
        counts[outcome.get(code, f"exit {code}")] += 1  # type: ignore[call-overload]
        if code not in (0, 2) and len(failures) < 5:
            failures.append(f"exit {code}: {err.getvalue()[-500:]}\n    {case}")

    one()
    shutil.rmtree(folder, ignore_errors=True)
    report.write_text(json.dumps({"counts": counts, "failures": failures}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=3, metavar=("CASES", "SEED", "REPORT"))
    args = parser.parse_args()
    if args.worker:
        worker(int(args.worker[0]), int(args.worker[1]), Path(args.worker[2]))
        return 0
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-reports-"))
    share = [args.cases // args.jobs + (i < args.cases % args.jobs) for i in range(args.jobs)]
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", str(n), str(args.seed + i), str(folder / f"{i}")]
        )
        for i, n in enumerate(share)
    ]
    codes = [p.wait() for p in procs]
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for i in range(args.jobs):
        try:
            data = json.loads((folder / f"{i}").read_text())
        except OSError:
            failures.append(f"job {i} died (exit {codes[i]})")
            continue
        counts.update(data["counts"])
        failures += data["failures"]
    total = sum(counts.values())
    print(f"{total:,} cases in {time.perf_counter() - start:.0f} s on {args.jobs} processes:")
    for outcome, n in counts.most_common():
        print(f"  {n:>8,}  {outcome}")
    bad = sum(n for o, n in counts.items() if not o.startswith(("valid", "refused", "not TOML")))
    print(f"{bad} exit-1 or hung cases")
    for f in failures:
        print("  " + f)
    return 1 if bad or any(codes) else 0


if __name__ == "__main__":
    sys.exit(main())

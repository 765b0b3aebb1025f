"""Issue 18's figure: runs and ensembles killed at random moments (SIGKILL, SIGTERM, SIGINT),
then run again with the same command. Every published directory must be complete and equal
to an uninterrupted run's, and nothing may be left behind: no process, no hidden folder.

    python scripts/kill_test.py [--runs 50] [--ensembles 20] [--seed 1]

Equal means: summary.json the same but for wall_s, timeseries.parquet (runs) or runs.parquet
(ensembles, but for wall_s) and bands.parquet the same table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

EXE = shutil.which("hyosan") or "hyosan"
RUN = ["run", "munz-basic", "--no-report", "--quiet"]
ENSEMBLE = [
    "run", "alemi-szr", "--engine", "ode", "--runs", "600", "--workers", "2",
    "--set", "initial.S=200", "--set", 'time.horizon="40d"', "--no-report", "--quiet",
]  # fmt: skip
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)


def _processes() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                found[int(entry.name)] = int(fields[1])
    return found


def _descendants(root: int) -> set[int]:
    parents = _processes()
    found, frontier = set(), {root}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _summary(out: Path) -> dict[str, object]:
    data = json.loads((out / "summary.json").read_text())
    data.pop("wall_s", None)
    return data


def _table(path: Path) -> object:
    table = pq.read_table(path)
    return table.drop(["wall_s"]) if "wall_s" in table.column_names else table


def same(out: Path, reference: Path, ensemble: bool) -> bool:
    if _summary(out) != _summary(reference):
        return False
    names = ["runs.parquet", "bands.parquet"] if ensemble else ["timeseries.parquet"]
    return all(_table(out / n).equals(_table(reference / n)) for n in names)


def trial(root: Path, name: str, base: list[str], ensemble: bool, rng: random.Random) -> str:
    """Kill one command at a random moment, run it again; a problem found, or ""."""
    out = root / name
    args = [EXE, *base, "--out", str(out)]
    sig = rng.choice(SIGNALS)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(rng.uniform(0.2, 6.0 if ensemble else 2.5))
    family = _descendants(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate()
    if "Traceback" in err:
        return f"{sig.name}: a traceback: {err[-300:]}"
    deadline = time.monotonic() + 30
    while family & set(_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = family & set(_processes())
    if left:
        return f"{sig.name}: processes left running: {sorted(left)}"
    if out.exists() and not (out / "summary.json").is_file():
        return f"{sig.name}: an incomplete directory was published"
    if not out.exists():  # killed before its publish: the same command again completes it
        again = subprocess.run(args, capture_output=True, text=True)
        if again.returncode != 0:
            return f"{sig.name}: the rerun exited {again.returncode}: {again.stderr[-300:]}"
    reference = root / ("ref-ensemble" if ensemble else "ref-run")
    if not same(out, reference, ensemble):
        return f"{sig.name}: differs from an uninterrupted run"
    hidden = [p.name for p in root.iterdir() if p.name.startswith(f".{name}")]
    if hidden:
        return f"{sig.name}: left beside it: {hidden}"
    shutil.rmtree(out)
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--ensembles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="hyosan-kill-"))
    tmp = root / "tmp"
    tmp.mkdir()
    os.environ["TMPDIR"] = str(tmp)  # the commands' pymp-* folders land here, to be counted
    for ref, base in (("ref-run", RUN), ("ref-ensemble", ENSEMBLE)):
        subprocess.run([EXE, *base, "--out", str(root / ref)], check=True)
    start = time.perf_counter()
    problems = []
    for kind, count, base, ensemble in (
        ("run", args.runs, RUN, False),
        ("ensemble", args.ensembles, ENSEMBLE, True),
    ):
        for i in range(count):
            found = trial(root, f"{kind}{i}", base, ensemble, rng)
            print(f"{kind} {i:2d}: {found or 'ok'}", flush=True)
            if found:
                problems.append(f"{kind} {i}: {found}")
    stray = [p.name for p in tmp.iterdir()]
    print(
        f"\n{args.runs} runs and {args.ensembles} ensembles killed at random moments "
        f"(SIGKILL, SIGTERM, SIGINT) and rerun in {time.perf_counter() - start:.0f} s: "
        f"{len(problems)} problems; temporary folders left: {len(stray)}"
    )
    for p in problems:
        print("  " + p)
    shutil.rmtree(root, ignore_errors=True)
    return 1 if problems or stray else 0


if __name__ == "__main__":
    sys.exit(main())

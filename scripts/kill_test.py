"""Issue 18's figure: runs and ensembles killed at random moments (SIGKILL, SIGTERM, SIGINT),
then run again with the same command. Every published directory must be complete and equal
to an uninterrupted run's, and nothing may be left behind: no process, no hidden folder.

    python scripts/kill_test.py [--runs 50] [--ensembles 20] [--startup 200] [--seed 1]

--startup N: N commands (`validate`, `run`) sent SIGINT or SIGTERM 0 to 1.5 s after they
start, through the console script pyproject names (run by this interpreter, so this
PYTHONPATH's hyosan): each must end with one line (or none) and 130 or 143, never a traceback.
Each is counted by where the signal landed: before the command's handlers were in place (the
interpreter's own start-up, out of hyosan's reach) or after (/proc/PID/status's SigCgt).

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


CONSOLE_SCRIPT = """\
import re
import sys
from {module} import {function}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit({function}())
"""
STARTUP = (["validate", "sir"], ["run", "sir", "--no-report", "--quiet", "--force", "--out"])


def _handles_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt"))
    return bool(int(caught, 16) >> (signal.SIGTERM - 1) & 1)


def startup(root: Path, count: int, rng: random.Random) -> int:
    """Signals at random moments of the commands' first 1.5 s; prints the outcomes."""
    import tomllib
    from collections import Counter

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    module, function = scripts["project"]["scripts"]["hyosan"].split(":")
    script = root / "hyosan"
    script.write_text(CONSOLE_SCRIPT.format(module=module, function=function))
    words = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
    codes = {signal.SIGINT: (130, -2), signal.SIGTERM: (143, -15)}
    counts: Counter[str] = Counter()
    examples: list[str] = []
    start = time.perf_counter()
    for _ in range(count):
        sig, delay = rng.choice((signal.SIGINT, signal.SIGTERM)), rng.uniform(0.0, 1.5)
        args = [sys.executable, str(script), *rng.choice(STARTUP)]
        args += [str(root / "s")] if args[-1] == "--out" else []
        proc = subprocess.Popen(
            args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        if proc.poll() is not None:
            where = "after the command ended"
        elif _handles_sigterm(proc.pid):
            where = "after the handlers"
        else:
            where = "before the handlers"
        proc.send_signal(sig)
        _, err = proc.communicate()
        if proc.returncode == 0 and not err:
            outcome = "done before the signal"
        elif "Traceback" in err or "KeyboardInterrupt" in err:
            outcome = "a traceback"
        elif proc.returncode in codes[sig] and err.strip() in ("", words[sig]):
            outcome = f"clean ({'one line' if err.strip() else 'silent'})"
        else:
            outcome = f"exit {proc.returncode}, {len(err.splitlines())} lines"
        counts[f"{where}: {outcome}"] += 1
        if not outcome.startswith(("clean", "done")) and len(examples) < 5:
            examples.append(f"{sig.name} at {delay:.3f} s ({where}): {err[-400:]}")
    print(f"{count} commands signalled in their first 1.5 s ({time.perf_counter() - start:.0f} s):")
    for outcome, n in sorted(counts.items()):
        print(f"  {n:>5}  {outcome}")
    for e in examples:
        print("  " + e)
    return sum(n for o, n in counts.items() if o.startswith("after") and "clean" not in o
               and "done" not in o)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--ensembles", type=int, default=20)
    parser.add_argument("--startup", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="hyosan-kill-"))
    if args.startup:
        bad = startup(root, args.startup, rng)
        if not (args.runs or args.ensembles):
            shutil.rmtree(root, ignore_errors=True)
            return 1 if bad else 0
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

"""Issue 18's figure: the long fuzz run. Mutated built-in scenarios (tests/hardening's
strategies) through `hyosan validate`, counting every outcome rather than stopping at the
first failure: valid (exit 0), refused (exit 2), internal errors (exit 1 or any exception that
escapes the command), hangs. A sample of the valid cases of cheap scenarios also goes through
a real `hyosan run` subprocess, with its own time limit.

    python scripts/fuzz_long.py [--cases 100000] [--jobs 1] [--batch 500] [--run-every 40]
    python scripts/fuzz_long.py --show BATCH INDEX      # print one case again

Cheap enough for 100,000 cases: each worker process imports hyosan once and calls the
function the command runs (hyosan.cli.main) in-process, catching SystemExit. Cases come in
batches of --batch, each a Hypothesis run of its own with seed (--seed, batch number), so that
a batch is reproducible on its own (--show, --first-batch) and a new worker can resume one
after a hang. A case that passes --case-limit is a
hang: an alarm stops it in Python code; a watchdog in this (parent) process kills a worker
that stays silent past the limit (a loop in compiled code, which no alarm interrupts) and a
new worker resumes the batch after the hung case.

Prints the counts, the wall and CPU time, and the first failing cases; exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "hardening"))

#: Outcomes that are not failures.
GOOD = ("valid (exit 0)", "refused (exit 2)", "not TOML (skipped)")
#: Seconds the parent waits past a case's own limit before it kills a silent worker.
WATCHDOG_MARGIN_S = 30


class _HangError(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _HangError


def batch_seed(seed: int, batch: int) -> int:
    """Hypothesis's seed for one batch: each batch its own stream, reproducible alone."""
    return seed * 1_000_003 + batch


def _validate(args: list[str], limit_s: int) -> tuple[str, str]:
    """`hyosan validate ARGS` in this process: (outcome, stderr)."""
    from hyosan.cli import main

    err = io.StringIO()
    signal.alarm(limit_s)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                main(args)
                code: object = 0
            except SystemExit as exc:
                code = exc.code if exc.code is not None else 0
    except _HangError:
        return f"hang (over {limit_s} s)", err.getvalue()
    except BaseException as exc:  # an exception that escaped the command: a crash
        return f"crash ({type(exc).__name__})", err.getvalue() + repr(exc)
    finally:
        signal.alarm(0)
    text = err.getvalue()
    if code in (0, 2) and "Traceback" in text:
        return f"exit {code} with a traceback", text
    if code in (0, 2) and "\x1b" in text:
        return f"exit {code} with an escape sequence", text
    names = {0: "valid (exit 0)", 2: "refused (exit 2)", 1: "internal error (exit 1)"}
    return names.get(code, f"exit {code}"), text  # type: ignore[call-overload]


def _run(path: Path, overrides: list[str], limit_s: int) -> tuple[str, str]:
    """`hyosan run` on the case in a subprocess (this interpreter, this PYTHONPATH)."""
    out = path.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    args = [sys.executable, "-m", "hyosan", "run", str(path), "--no-report", "-q"]
    args += ["--out", str(out)]
    for item in overrides:
        args += ["--set", item]
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_DEBUG"} | {"NO_COLOR": "1"}
    try:
        ran = subprocess.run(
            args, cwd=path.parent, env=env, capture_output=True, text=True, timeout=limit_s
        )
    except subprocess.TimeoutExpired:
        return f"hang (over {limit_s} s)", ""
    finally:
        # the run's own output and its default folders, not the next case's business
        shutil.rmtree(out, ignore_errors=True)
    code, text = ran.returncode, ran.stderr
    if "Traceback" in text:
        return f"exit {code} with a traceback", text
    if code == 0:
        return "ran (exit 0)", text
    if code == 2:
        return "refused (exit 2)", text
    return f"exit {code}", text


@dataclass
class _Batch:
    number: int
    size: int
    skip: int = 0  # cases already done by a worker that hung


def _send(fd: int, **message: Any) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def _batch_test(batch: _Batch, folder: Path, seed: int, settings_: dict[str, int], fd: int):  # type: ignore[no-untyped-def]
    """One batch as a Hypothesis test: each case validated, now and then run."""
    from fuzz_strategies import FAST, Case
    from fuzz_strategies import cases as strategy
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from test_fuzz import write_case

    case_limit, run_limit, run_every = (settings_[k] for k in ("case", "run", "every"))
    state = {"index": -1}

    @hypothesis_seed(batch_seed(seed, batch.number))
    @settings(
        max_examples=batch.size,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # every outcome is counted here: nothing to shrink
    )
    @given(case=strategy())
    def one(case: Case) -> None:
        state["index"] += 1
        index = state["index"]
        if index < batch.skip or index >= batch.size:
            return  # drawn again only to reach the case after a hang
        _send(fd, case=index, limit=case_limit)
        path = write_case(case, folder)
        if path is None:
            _send(fd, case=index, outcome="not TOML (skipped)")
            return
        args = ["validate", str(path)]
        for item in case.overrides:
            args += ["--set", item]
        outcome, err = _validate(args, case_limit)
        # (the case's data may nest past what str() can recurse into)
        what = f"{case.base}: {'; '.join(case.mutations)}; --set {case.overrides}"
        detail = "" if outcome in GOOD else f"{err[-400:]}\n    {what[:600]}"
        _send(fd, case=index, outcome=outcome, detail=detail)
        # 1 in run_every of the valid cases of cheap scenarios, the same whichever worker
        sampled = batch_seed(seed, batch.number * 7919 + index) % run_every == 0
        if outcome == GOOD[0] and case.base in FAST and sampled:
            _send(fd, case=index, limit=run_limit)
            outcome, err = _run(path, case.overrides, run_limit)
            detail = "" if outcome.startswith(("ran", "refused")) else err[-400:]
            _send(fd, case=index, run=outcome, detail=detail)

    return one


def worker(seed: int, settings_: dict[str, int], fd: int) -> None:
    """Run the batches named on stdin, one JSON line each; report on file descriptor `fd`."""
    folder = Path(tempfile.mkdtemp(prefix="worker-"))
    signal.signal(signal.SIGALRM, _alarm)
    import hyosan.cli  # noqa: F401  (its imports, before the watchdog counts a case's time)

    _send(fd, ready=True)
    try:
        for line in sys.stdin:
            batch = _Batch(**json.loads(line))
            try:
                _batch_test(batch, folder, seed, settings_, fd)()
            except Exception as exc:
                # Hypothesis can give up on a batch part way (FlakyStrategyDefinition, its own
                # bookkeeping of the strategy's deep draws): the rest goes to a fresh batch.
                _send(fd, batch=batch.number, done=True, stopped=type(exc).__name__)
                continue
            _send(fd, batch=batch.number, done=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class _Worker:
    proc: subprocess.Popen[bytes]
    pipe: Any
    buffer: bytes = b""
    batch: _Batch | None = None
    case: int = -1
    deadline: float = float("inf")
    dead: bool = False


@dataclass
class _Tally:
    counts: Counter[str] = field(default_factory=Counter)
    runs: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    stopped: Counter[str] = field(default_factory=Counter)
    next_batch: int = 0

    def failed(self, where: str, outcome: str, detail: str) -> None:
        if len(self.failures) < 10:
            self.failures.append(f"{where}: {outcome}: {detail}")


def _start(args: argparse.Namespace, selector: selectors.BaseSelector) -> _Worker:
    """A worker process, its temporary files under args.tmp (a killed one leaves them)."""
    read, write = os.pipe()
    command = [sys.executable, __file__, "--seed", str(args.seed), "--run-every"]
    command += [str(args.run_every), "--case-limit", str(args.case_limit), "--run-limit"]
    command += [str(args.run_limit), "--worker", str(write)]
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        pass_fds=(write,),
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(args.tmp)},
    )
    os.close(write)
    pipe = os.fdopen(read, "rb", buffering=0)
    found = _Worker(proc, pipe, deadline=time.monotonic() + 120)  # its imports
    selector.register(pipe, selectors.EVENT_READ, found)
    return found


def _give(w: _Worker, batch: _Batch) -> None:
    w.batch, w.case = batch, batch.skip - 1
    assert w.proc.stdin is not None
    w.proc.stdin.write((json.dumps(batch.__dict__) + "\n").encode())
    w.proc.stdin.flush()


def _stop(w: _Worker, selector: selectors.BaseSelector) -> None:
    with contextlib.suppress(KeyError, ValueError):
        selector.unregister(w.pipe)
    w.pipe.close()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(w.proc.pid, signal.SIGKILL)  # the worker and a `hyosan run` it started
    w.proc.wait()


def _message(w: _Worker, m: dict[str, Any], tally: _Tally, queue: list[_Batch]) -> None:
    """One report from a worker: a case begun or ended, a batch done."""
    where = f"batch {w.batch.number if w.batch else '?'} case {m.get('case')}"
    if "limit" in m:
        w.case, w.deadline = m["case"], time.monotonic() + m["limit"] + WATCHDOG_MARGIN_S
    elif "outcome" in m:
        tally.counts[m["outcome"]] += 1
        w.deadline = time.monotonic() + WATCHDOG_MARGIN_S
        if m["outcome"] not in GOOD:
            tally.failed(where, m["outcome"], m["detail"])
    elif "run" in m:
        tally.runs[m["run"]] += 1
        w.deadline = time.monotonic() + WATCHDOG_MARGIN_S
        if m["detail"]:
            tally.failed(where + " (hyosan run)", m["run"], m["detail"])
    elif m.get("done") or m.get("ready"):
        if m.get("stopped") and w.batch is not None:
            tally.stopped[m["stopped"]] += 1
            left = w.batch.size - (w.case + 1)
            if left > 0:  # the cases not drawn: a fresh batch, so the total stays as asked
                queue.append(_Batch(tally.next_batch, left))
                tally.next_batch += 1
        w.batch, w.deadline = None, float("inf")
        if queue:
            _give(w, queue.pop(0))
            w.deadline = time.monotonic() + 120  # Hypothesis's first draw of the batch


def _lost(w: _Worker, tally: _Tally, queue: list[_Batch], what: str) -> None:
    """A worker hung (silent past its case's limit) or died: count it where it was, and the
    batch resumes after that case in a new worker."""
    batch = w.batch
    if batch is None:  # outside a batch: its start-up
        tally.counts[f"worker {what} while starting"] += 1
        tally.failed("a worker", f"{what} while starting", "")
        return
    tally.counts[what] += 1
    tally.failed(f"batch {batch.number} case {w.case}", what, "")
    if w.case + 1 < batch.size:
        queue.insert(0, _Batch(batch.number, batch.size, w.case + 1))


def _poll(workers: list[_Worker], selector: selectors.BaseSelector, tally: _Tally,
          queue: list[_Batch], args: argparse.Namespace) -> None:  # fmt: skip
    """Read what the workers reported; replace a worker that hung or died."""
    for key, _ in selector.select(timeout=1.0):
        w = key.data
        chunk = w.pipe.read(65536)
        if not chunk:
            w.dead = True
            continue
        w.buffer += chunk
        *lines, w.buffer = w.buffer.split(b"\n")
        for line in lines:
            _message(w, json.loads(line), tally, queue)
    for i, w in enumerate(workers):
        if w.dead or time.monotonic() > w.deadline:
            _stop(w, selector)
            _lost(w, tally, queue, "worker died" if w.dead else "hang (killed by the watchdog)")
            workers[i] = _start(args, selector)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parent(args: argparse.Namespace) -> int:
    """Share the batches among the workers, watch them, print the figures."""
    # Ctrl-C or a kill prints the figures so far (SIGINT as well: a shell's background job
    # starts with it ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    start, cpu0 = time.perf_counter(), os.times()
    sizes = [args.batch] * (args.cases // args.batch)
    if args.cases % args.batch:
        sizes.append(args.cases % args.batch)
    queue = [_Batch(args.first_batch + i, n) for i, n in enumerate(sizes)]
    tally = _Tally(next_batch=args.first_batch + len(sizes))
    args.tmp = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-long-"))
    selector = selectors.DefaultSelector()
    workers = [_start(args, selector) for _ in range(min(args.jobs, len(queue)))]
    next_progress = time.monotonic() + 60
    try:
        while queue or any(w.batch is not None for w in workers):
            _poll(workers, selector, tally, queue, args)
            if args.progress and time.monotonic() > next_progress:
                next_progress += 60
                bad = sum(n for o, n in tally.counts.items() if o not in GOOD)
                line = f"  {sum(tally.counts.values()):,} cases, {bad} failed, "
                line += f"{sum(tally.runs.values())} run, {time.perf_counter() - start:.0f} s"
                print(line, file=sys.stderr, flush=True)
    except KeyboardInterrupt:  # the figures so far
        print("interrupted: the figures so far", file=sys.stderr)
    finally:
        for w in workers:
            assert w.proc.stdin is not None
            with contextlib.suppress(OSError):
                w.proc.stdin.close()  # the worker's loop ends, it removes its folder
        for w in workers:
            try:
                w.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _stop(w, selector)
        shutil.rmtree(args.tmp, ignore_errors=True)
    _print(args, tally, time.perf_counter() - start, cpu0)
    bad = sum(n for o, n in tally.counts.items() if o not in GOOD)
    bad += sum(n for o, n in tally.runs.items() if not o.startswith(("ran", "refused")))
    return 1 if bad else 0


def _print(args: argparse.Namespace, tally: _Tally, wall: float, cpu0: Any) -> None:
    cpu1 = os.times()
    cpu = sum(cpu1[:4]) - sum(cpu0[:4])
    total = sum(tally.counts.values())
    print(
        f"{total:,} cases in {wall:.0f} s ({cpu:.0f} s CPU, {total / wall:.0f} cases/s) "
        f"on {args.jobs} worker process(es), batches of {args.batch}, seed {args.seed}:"
    )
    for outcome, n in tally.counts.most_common():
        print(f"  {n:>8,}  {outcome}")
    print(f"`hyosan run` on 1 in {args.run_every} valid cases of a cheap scenario:")
    for outcome, n in tally.runs.most_common():
        print(f"  {n:>8,}  {outcome}")
    bad = sum(n for o, n in tally.counts.items() if o not in GOOD)
    hangs = sum(n for o, n in tally.counts.items() if o.startswith("hang"))
    run_bad = sum(n for o, n in tally.runs.items() if not o.startswith(("ran", "refused")))
    print(f"{bad - hangs} exit-1 or crashed cases, {hangs} hangs; {run_bad} failed runs")
    if tally.stopped:
        what = ", ".join(f"{name} x{n}" for name, n in tally.stopped.items())
        print(f"Hypothesis stopped {sum(tally.stopped.values())} batches part way ({what});")
        print("  the cases they did not draw ran in fresh batches")
    for f in tally.failures:
        print("  " + f)


def show(args: argparse.Namespace) -> None:
    """Print case INDEX of batch BATCH as the run made it: its TOML and its overrides."""
    from fuzz_strategies import Case
    from fuzz_strategies import cases as strategy
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    number, index = args.show
    found: list[Case] = []

    @hypothesis_seed(batch_seed(args.seed, number))
    @settings(
        max_examples=args.batch, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=strategy())
    def one(case: Case) -> None:
        found.append(case)

    with contextlib.suppress(Exception):  # a batch Hypothesis stopped part way
        one()
    case = found[index]
    import tomli_w

    print(f"# {case.base}: {'; '.join(case.mutations)}")
    print(f"# overrides: {case.overrides}")
    print(tomli_w.dumps(case.data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=500, help="cases per Hypothesis run")
    parser.add_argument("--first-batch", type=int, default=0, help="number the batches from")
    parser.add_argument("--run-every", type=int, default=40, help="1 in N valid cheap cases run")
    parser.add_argument("--case-limit", type=int, default=30, help="seconds per validate")
    parser.add_argument("--run-limit", type=int, default=120, help="seconds per run")
    parser.add_argument("--progress", action="store_true", help="a count every minute")
    parser.add_argument("--show", nargs=2, type=int, metavar=("BATCH", "INDEX"))
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        limits = {"case": args.case_limit, "run": args.run_limit, "every": args.run_every}
        worker(args.seed, limits, args.worker)
        return 0
    if args.show:
        show(args)
        return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())

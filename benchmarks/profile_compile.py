"""Where a cold start's compile time goes, per compiled function; prints, asserts nothing.

Run from the repository root:

    python benchmarks/profile_compile.py                 # hyosan-high, about a minute
    python benchmarks/profile_compile.py --scenario sir --engine ssa
    python benchmarks/profile_compile.py --scenario korea --set 'tau.stepping="local"'

It runs `hyosan run SCENARIO --quiet --no-report` in this process, on an empty Numba cache
(NUMBA_CACHE_DIR a new temporary folder) and on one core (HYOSAN_COMPILE_PROCESSES=1, so that
every kernel compiles here), and prints:

1. per compiled function, the CPU seconds of its own compile (Numba's "numba:compile" events,
   less the compiles nested in it, such as the phases a step loop calls), and how many
   signatures it was compiled for (a function compiled for several pays several times);
2. the CPU seconds spent in LLVM (optimising each function, then the module with what it
   links, then making machine code), per function and in all; the rest of a compile is
   Numba's own work in Python (typing, pasting helpers, lowering to LLVM IR);
3. the process's peak memory.

CPU seconds (time.process_time), as a busy machine inflates them less than wall seconds; compare
figures from one machine, better from runs in turn (benchmarks/bench_cold_start.py --against).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from typing import Any


def _name(dispatcher: Any) -> str:
    fn = getattr(dispatcher, "py_func", None)
    if fn is None or not fn.__module__.startswith("hyosan"):
        return "(Numba's own: builtins, random, ...)"
    return f"{fn.__module__.removeprefix('hyosan.engines.')}.{fn.__qualname__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="hyosan-high", help="the scenario run")
    parser.add_argument("--engine", default=None, help="an engine other than the scenario's")
    parser.add_argument(
        "--set", action="append", default=[], help="a scenario field, as hyosan run --set takes"
    )
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hyosan-profile-")
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(tmp, "numba")  # before Numba is imported
    os.environ["HYOSAN_COMPILE_PROCESSES"] = "1"

    from numba.core import codegen, event

    own: Counter[str] = Counter()
    signatures: Counter[str] = Counter()
    stack: list[list[float]] = []  # per open compile: [CPU at start, CPU of nested compiles]

    class Compiles(event.Listener):
        def on_start(self, ev: Any) -> None:
            stack.append([time.process_time(), 0.0])

        def on_end(self, ev: Any) -> None:
            start, nested = stack.pop()
            spent = time.process_time() - start
            name = _name(ev.data.get("dispatcher"))
            own[name] += spent - nested
            signatures[name] += 1
            if stack:
                stack[-1][1] += spent

    llvm: defaultdict[str, Counter[str]] = defaultdict(Counter)
    steps = {
        "_optimize_functions": "functions",
        "_optimize_final_module": "module",
        "_finalize_final_module": "machine code",
    }

    def timed(method: str) -> Any:
        original = getattr(codegen.CPUCodeLibrary, method)

        def wrapper(self: Any, *a: Any, **k: Any) -> Any:
            start = time.process_time()
            try:
                return original(self, *a, **k)
            finally:
                llvm[self.name.rsplit(".", 1)[-1]][steps[method]] += time.process_time() - start

        return wrapper

    for method in steps:
        setattr(codegen.CPUCodeLibrary, method, timed(method))
    event.register("numba:compile", Compiles())

    from hyosan.cli import app

    argv = ["hyosan", "run", args.scenario, "--quiet", "--no-report", "--force"]
    argv += ["--out", os.path.join(tmp, "run")]
    if args.engine:
        argv += ["--engine", args.engine]
    for field in args.set:
        argv += ["--set", field]
    sys.argv = argv
    start = time.process_time()
    with contextlib.suppress(SystemExit):  # the command's exit, after the run
        app()
    total = time.process_time() - start

    compiling = sum(own.values())
    in_llvm = sum(sum(c.values()) for c in llvm.values())
    print(f"hyosan run {args.scenario}, Numba's cache empty, one process")
    print(f"CPU s: whole command {total:.2f}, compiling {compiling:.2f}, in LLVM {in_llvm:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    print(f"peak memory of the process: {peak:.2f} GiB")
    print(f"{'own compile CPU s':>18}{'signatures':>12}  function")
    for name, spent in own.most_common(args.top):
        print(f"{spent:18.2f}{signatures[name]:12d}  {name}")
    print(f"{'LLVM CPU s':>12}{'functions':>11}{'module':>9}{'machine':>9}  library")
    ranked = sorted(llvm.items(), key=lambda kv: -sum(kv[1].values()))
    for name, parts in ranked[: args.top]:
        print(
            f"{sum(parts.values()):12.2f}{parts['functions']:11.2f}{parts['module']:9.2f}"
            f"{parts['machine code']:9.2f}  {name}"
        )


if __name__ == "__main__":
    main()

"""Where a compiled kernel's time goes, line by line: a sampling profiler; prints.

Run from the repository root, with the command to profile after `--`:

    python benchmarks/profile_lines.py -- python benchmarks/bench_us_grid.py --only tau
    python benchmarks/profile_lines.py --samples 1000 -- python SCRIPT ARGS...

The command runs with HYOSAN_KERNEL_LINES=1 and a Numba cache of its own (a temporary folder),
so the kernels built on engines/ssa/pipeline.py's `Kernel` are compiled afresh with line tables:
the same optimisation and the same reference counting as a normal build, plus a table from
machine code to source lines (the normal cache is left as it was; compiling tau's local
stepping so takes about two minutes). After `--delay` seconds, gdb attaches and stops the
process every `--interval` seconds (a SIGURG, which the process ignores when gdb is not
there), recording each thread's stack, until `--samples` stops have caught it inside a hyosan
kernel or it ends. Of the thread inside the kernel, a sample counts:

- what ran at that instant: the kernel's own code, Numba's reference counting (`NRT_incref`,
  `NRT_decref`: a reference taken to an array that the compiler could not prove unneeded),
  a random draw (Numba's and NumPy's generators), libm (`exp`, `log`, `expm1`), or other;
- the innermost source line of hyosan on the stack (the kernel's helpers are inlined, so a
  line of a helper is found as such), and the function that holds it.

It prints the shares of samples by what ran, by function and by line (the `--lines` lines
with most samples, with their source). A share is known to about sqrt(k) / n for k of n
samples: with 1,000 samples, a 10 % share is 10 ± 1 %. Stopping the process costs it time
(gdb needs a few milliseconds a sample), so the command's own timings are not its normal ones.

Needs gdb and the right to trace a child process (ptrace); without them it says so and exits.
This machine's `perf` cannot read the processor's counters in its container, hence gdb.
"""

from __future__ import annotations

import argparse
import ast
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import hyosan
from hyosan.engines.ssa.pipeline import LINE_BASE, kernel_sources

#: hyosan's package folder (its paths are printed from the folder above it).
SRC = Path(hyosan.__file__).resolve().parent
OWN = "hyosan kernel, its own code"
#: Stops a gdb attachment takes before it detaches and attaches again.
CHUNK = 50

#: A frame of gdb's backtrace: its number, the function (mangled, as Numba names it), and the
#: source file and line where gdb knows them.
FRAME = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+).*?(?: at (\S+):(\d+))?\s*$")


NRT = "reference counting (NRT_incref, NRT_decref)"
DRAWS = "random draws (Numba's and NumPy's generators)"
LIBM = "libm (exp, log, expm1)"
OTHER = "other"
SHORT = {NRT: "NRT", DRAWS: "draws", LIBM: "libm", OTHER: "other"}


def what_ran(name: str) -> str:
    """The kind of code a function name (frame 0) belongs to."""
    if name.startswith("NRT_"):
        return NRT
    if "hyosan" in name and "cpython" not in name:
        return OWN
    lowered = name.lower()
    if any(s in lowered for s in ("random", "binomial", "poisson", "pcg64", "ziggurat")):
        return DRAWS
    if any(s in lowered for s in ("exp", "log", "pow", "ieee754")):
        return LIBM
    return OTHER


def functions_of(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of each function in a source file, decorators included."""
    tree = ast.parse(path.read_text())
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((first, node.end_lineno or node.lineno, node.name))
    return spans


class Sources:
    """hyosan's source files, to name the function and text of a sampled line."""

    def __init__(self) -> None:
        self._spans: dict[Path, list[tuple[int, int, str]]] = {}
        self._lines: dict[Path, list[str]] = {}

    def function(self, path: Path, line: int) -> str:
        if path not in self._spans:
            self._spans[path] = functions_of(path)
        inner = [s for s in self._spans[path] if s[0] <= line <= s[1]]
        return min(inner, key=lambda s: s[1] - s[0])[2] if inner else "(module)"

    def text(self, path: Path, line: int) -> str:
        if path not in self._lines:
            self._lines[path] = path.read_text().splitlines()
        lines = self._lines[path]
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def kernel_samples(output: str) -> list[tuple[str, Path | None, int]]:
    """The samples in gdb's output that caught a thread inside a hyosan kernel: for each, the
    innermost function (frame 0) and the innermost line of hyosan's sources on the stack
    (None and 0 where there is none). Only the lines that TagLines numbered are hyosan's: the
    file is in the number, whatever file name gdb prints."""
    found = []
    for chunk in output.split("@@sample")[:-1]:
        # The stacks of all threads; the one with a hyosan kernel on it is the sample.
        for stack in re.split(r"\nThread \d+ ", chunk):
            frames = [m for m in map(FRAME.match, stack.splitlines()) if m]
            if not any("hyosan" in m.group(2) and "cpython" not in m.group(2) for m in frames):
                continue
            tagged = [int(m.group(4)) for m in frames if int(m.group(4) or 0) >= LINE_BASE]
            if tagged:
                k, line = divmod(tagged[0], LINE_BASE)
                found.append((frames[0].group(2), kernel_sources()[k - 1], line))
            else:
                found.append((frames[0].group(2), None, 0))
            break
    return found


def sample(
    command: list[str], samples: int, interval: float, delay: float, log: Path
) -> list[tuple[str, Path | None, int]]:
    """Run `command` and sample it with gdb until `samples` samples fell in a hyosan kernel or
    the command ended; those samples (kernel_samples)."""
    cache = tempfile.mkdtemp(prefix="hyosan-lines-cache-")
    env = dict(os.environ, HYOSAN_KERNEL_LINES="1", NUMBA_CACHE_DIR=cache)
    with log.open("w") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    done = threading.Event()

    def tick() -> None:
        # SIGURG stops the process for gdb (which does not pass it on); without gdb attached,
        # the process ignores it (its default), so a tick between two attachments is harmless.
        while not done.wait(interval):
            try:
                os.kill(child.pid, signal.SIGURG)
            except ProcessLookupError:
                return

    found: list[tuple[str, Path | None, int]] = []
    try:
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.2)
        script = Path(cache) / "gdb-commands"
        steps = ["set pagination off", "set confirm off", "handle SIGURG stop nopass"]
        steps += ["continue", "thread apply all bt 12", "echo @@sample\\n"] * CHUNK
        script.write_text("\n".join(steps) + "\n")
        threading.Thread(target=tick, daemon=True).start()
        # In rounds of CHUNK stops, as many as it takes: stops while the command compiles or
        # sets up fall outside the kernels and do not count.
        while len(found) < samples and child.poll() is None:
            gdb = subprocess.run(
                ["gdb", "-p", str(child.pid), "-batch", "-nx", "-x", str(script)],
                capture_output=True,
                text=True,
                timeout=60.0 + CHUNK * (interval + 1.0),
            )
            found += kernel_samples(gdb.stdout)
            if child.poll() is None and "@@sample" not in gdb.stdout:
                print(f"gdb could not stop the command:\n{gdb.stderr.strip()[-2000:]}")
                break
    finally:
        done.set()
        if child.poll() is None:
            child.kill()
        child.wait()
        shutil.rmtree(cache, ignore_errors=True)
    return found[:samples]


def analyse(found: list[tuple[str, Path | None, int]], top_lines: int) -> None:
    """Print the shares of the samples."""
    sources = Sources()
    ran: collections.Counter[str] = collections.Counter()
    funcs: collections.Counter[str] = collections.Counter()
    lines: collections.Counter[tuple[Path, int]] = collections.Counter()
    # What ran, at each line: a line whose samples fall in NRT_incref is one that takes a
    # reference, however short its text.
    outside: dict[tuple[Path, int], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    n = len(found)
    if n == 0:
        print("no sample fell in a hyosan kernel (did the command run one within its time?)")
        return
    for first, path, line in found:
        ran[what_ran(first)] += 1
        if path is None:
            funcs["(no line known: compiled without line tables?)"] += 1
            continue
        lines[(path, line)] += 1
        outside[(path, line)][what_ran(first)] += 1
        funcs[f"{path.relative_to(SRC.parent).as_posix()}: {sources.function(path, line)}"] += 1
    print(f"{n} samples in a hyosan kernel\n\nwhat ran:")
    for name, k in ran.most_common():
        print(f"  {100 * k / n:5.1f} %  {name}")
    print("\nby function (the innermost line of hyosan on the stack):")
    for name, k in funcs.most_common(25):
        print(f"  {100 * k / n:5.1f} %  {name}")
    print(f"\nby line (the {top_lines} with most samples; of them, in brackets, the shares")
    print("in reference counting (NRT), random draws (draws), libm and other code):")
    for (path, line), k in lines.most_common(top_lines):
        rel = path.relative_to(SRC.parent).as_posix()
        parts = ", ".join(
            f"{SHORT[name]} {100 * v / n:.1f}"
            for name, v in outside[(path, line)].most_common()
            if name != OWN
        )
        print(f"  {100 * k / n:5.1f} %  {rel}:{line}: {sources.text(path, line)[:70]}")
        if parts:
            print(f"            ({parts})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=500, help="stops (default 500)")
    parser.add_argument(
        "--interval", type=float, default=0.05, help="seconds between stops (default 0.05)"
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=30.0,
        help="seconds before the first stop (default 30); stops outside the kernels, while the "
        "command compiles or sets up, are not counted",
    )
    parser.add_argument("--lines", type=int, default=30, help="lines to print (default 30)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command to profile")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to profile after --")
    if shutil.which("gdb") is None:
        print("SKIPPED: gdb is not installed (Debian: apt-get install gdb)")
        return
    log = Path(tempfile.gettempdir()) / "hyosan-profile-lines.log"
    found = sample(command, args.samples, args.interval, args.delay, log)
    analyse(found, args.lines)
    print(f"\n(the command's own output: {log})")


if __name__ == "__main__":
    sys.exit(main())

"""A second Python process beside a command, to put the machine's second core to work.

Two commands use one: the first building run on a machine compiles half the kernels in a helper
(engines/agents/precompile.py), and `hyosan run` draws some of the report's pictures in one
while it draws the rest (reports/picture_helper.py). Both start the helper early, so that its
own start (Python, its imports) overlaps the command's work, and both give it its job through
its standard input.

A helper only ever saves time: whatever it fails to do, the command does itself.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from typing import IO, Any

__all__ = ["cores", "may_start", "start", "stop"]


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def may_start() -> bool:
    """Whether a helper can help: a second core, a Python to start, and this process is not
    itself a worker (an ensemble's workers already fill the cores)."""
    if getattr(sys, "frozen", False):  # a bundled app: sys.executable is not a Python to start
        return False
    return cores() >= 2 and multiprocessing.parent_process() is None


def start(
    module: str,
    function: str,
    *,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
) -> subprocess.Popen[bytes] | None:
    """Start `python -c` running `module.function(stdin, stdout)` (binary streams; its return
    value is the exit code), told this process's sys.path first so that it imports the same
    hyosan; None if it could not start."""
    # gc.freeze(): the interpreter's teardown would run full garbage collections over what
    # Numba and matplotlib leave, and the command waits for the helper to end (see _entry.run).
    code = (
        "import gc, pickle, sys\n"
        "sys.path[:] = pickle.load(sys.stdin.buffer)\n"
        f"from {module} import {function}\n"
        f"code = {function}(sys.stdin.buffer, sys.stdout.buffer)\n"
        "gc.freeze()\n"
        "sys.exit(code)\n"
    )
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            env=None if env is None else dict(env),
        )
    except OSError:
        return None
    try:
        assert proc.stdin is not None
        pickle.dump(list(sys.path), proc.stdin)
        proc.stdin.flush()
    except OSError:
        stop(proc)
        return None
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a helper now, whatever it is doing."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()

"""Worker processes that die with the command that started them, and leave Ctrl-C to it.

A process pool's workers do not notice on their own that the command died: killed by SIGKILL,
its call queue is never closed (every worker holds both ends of it, passed by the fork server),
so they wait for work for ever, keep the fork server alive (they hold its pipe) and with it the
resource tracker: four processes and hundreds of MB, measured 44 minutes after the kill. So:

- each worker runs a watchdog thread (`start_worker`, the pool's initializer) that checks twice
  a second that the parent is still the same live process (its pid and, on Linux, its start
  time in /proc, so a reused pid does not fool it, and a zombie counts as dead); when it is
  gone the worker removes the parent's multiprocessing temporary folder (`pymp-*`, which the
  parent, killed, could not) and exits at once. A compiled kernel that holds the GIL delays
  this until the run ends. Once the workers are gone, the fork server and the resource tracker
  see their pipes close and exit too;
- workers ignore SIGINT and SIGTERM: Ctrl-C at a terminal reaches the whole process group, and
  it is the parent's to handle (cancel what is queued, keep what finished). A process that is
  still starting when Ctrl-C comes must not print a KeyboardInterrupt traceback either: the
  parent starts the fork server and the resource tracker with SIGINT blocked
  (`start_fork_server`; the block is inherited across fork and exec, and a Ctrl-C in that
  moment waits in the parent instead of being lost), and the fork server ignores SIGINT and
  SIGTERM from its first import on (ensemble.forkserver_quiet), so the workers it forks are
  born ignoring both.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

__all__ = ["parent_identity", "start_fork_server", "start_worker"]

_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
_POLL_S = 0.5


def _start_time(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot, Linux), None if it is gone or a
    zombie, "" where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def parent_identity() -> tuple[int, str]:
    """This process's pid and start time, for its workers' watchdogs."""
    pid = os.getpid()
    return pid, _start_time(pid) or ""


def _alive(pid: int, started: str) -> bool:
    if started:
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(pid: int, started: str, temp_dir: str | None) -> None:
    while _alive(pid, started):
        time.sleep(_POLL_S)
    if temp_dir:
        shutil.rmtree(temp_dir, ignore_errors=True)
    os._exit(1)  # no clean-up of our own: our parent, who would receive results, is gone


def start_worker(parent_pid: int, parent_started: str, temp_dir: str | None = None) -> None:
    """The pool's initializer: leave Ctrl-C and SIGTERM to the parent, die with it, and give
    the thread pools of libraries loaded from now on one thread (hyosan._worker_threads)."""
    import hyosan._worker_threads  # noqa: F401  (its import sets the variables)

    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    watchdog = threading.Thread(
        target=_watch, args=(parent_pid, parent_started, temp_dir), daemon=True
    )
    watchdog.start()


def start_fork_server() -> None:
    """Start multiprocessing's fork server (and its resource tracker), if not yet running,
    with SIGINT held back: see the module's note."""
    from multiprocessing import forkserver, resource_tracker

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    if hasattr(signal, "pthread_sigmask"):
        # A blocked signal stays blocked across fork and exec: the new interpreters start
        # (site, imports) with Ctrl-C held back until they ignore it, which discards it. This
        # process gets a Ctrl-C that came meanwhile when it unblocks it (or at once, by way of
        # another thread that does not block it), as the resource tracker's start does.
        # The resource tracker first: starting it unblocks SIGINT, whatever the caller had.
        resource_tracker.ensure_running()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return
    # An ignored signal stays ignored across exec, and Python then installs no
    # KeyboardInterrupt handler; this process is deaf to Ctrl-C only while it forks them.
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, old)

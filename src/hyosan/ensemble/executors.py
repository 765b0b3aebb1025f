"""Where runs execute: in this process, on a local process pool, or on a Dask cluster.

All three are used through the `concurrent.futures.Executor` interface only (`submit`,
`shutdown`, and futures waited on with `concurrent.futures.wait`), so the loop that drives them
is the same code path:

- `SerialExecutor` runs each task at submit, in this process (`--workers 1`);
- `ProcessPoolExecutor` with the "forkserver" start method: workers start from a clean
  interpreter rather than a fork of this one, which by then runs threads (the progress bar's,
  Dask's), and forking a threaded process can leave a lock held for ever in the child (Python
  3.12 warns about it). Measured here, a pool of two with "fork" delivered its first runs
  after 0.2 s, with "forkserver" after about 3 s (imports and the engines' cached kernels in
  each worker), with "spawn" after 4 s: a fixed cost per ensemble, small beside 1,000 runs.
  Workers ignore SIGINT and SIGTERM, so that Ctrl-C reaches only the parent, which stops them
  in order, and they die with the parent however it dies (ensemble.lifeline);
- Dask: `distributed.Client(address).get_executor(pure=False)`, whose futures are
  `concurrent.futures` futures (raw `Client.submit` futures are not). Every run is a distinct
  computation, so `pure=False` keeps Dask from merging tasks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hyosan._entry import signals_seen
from hyosan.ensemble.lifeline import parent_identity, start_fork_server, start_worker
from hyosan.errors import HyosanError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from types import FrameType

__all__ = [
    "ExecutorInfo",
    "SerialExecutor",
    "capacity",
    "default_workers",
    "open_executor",
    "process_pool",
    "refuse_in_worker_import",
    "shut_down",
]


class SerialExecutor(Executor):
    """Runs each task when it is submitted, in this process, and returns a finished future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `fn(*args, **kwargs)` now, in this process, and return its finished future."""
        future: Future[Any] = Future()
        signals = signals_seen()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            if _interrupted(exc) or signals_seen() != signals:
                raise KeyboardInterrupt from None
            future.set_exception(exc)
        return future


def _interrupted(exc: BaseException) -> bool:
    """True for an error that a Ctrl-C became: a KeyboardInterrupt raised while a compiled
    (numba) function ran comes back as SystemError("... returned a result with an exception
    set") caused by it; that is an interruption, not a failed run. (An error with no such
    cause is caught by the signal count in `SerialExecutor.submit`.)"""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


@dataclass
class ExecutorInfo:
    """An open executor, how many runs it can execute at once, and what to tell the user."""

    executor: Executor
    slots: int
    description: str
    dashboard: str | None = None
    #: False for an executor the caller passed in: it is theirs to shut down.
    owned: bool = True


#: Modules every worker needs, imported once by the fork server.
_PRELOAD = (
    "hyosan._worker_threads",  # first: before numpy loads (see that module)
    "hyosan.ensemble.task",
    "hyosan.scenario.load",
    "hyosan.engines.base",
    "hyosan.ensemble.forkserver_quiet",  # the fork server's only: see that module
)


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def open_executor(
    workers: int | None = None, cluster: str | None = None, executor: Executor | None = None
) -> Iterator[ExecutorInfo]:
    """An executor for `workers` local processes, or for the Dask scheduler at `cluster`.

    Parameters
    ----------
    workers
        Local worker processes (default: one per core); 1 runs serially in this process.
    cluster
        Address of a Dask scheduler, e.g. "tcp://10.0.0.5:8786"; needs `hyosan[distributed]`.
    executor
        An executor of the caller's (any `concurrent.futures.Executor`), used as it is and left
        open; `workers` then says how many runs it executes at once (default: its own
        capacity, see `capacity`).

    Yields
    ------
    ExecutorInfo
        The executor and its capacity; it is shut down when the block ends.
    """
    refuse_in_worker_import()
    if executor is not None:
        slots = capacity(executor) if workers is None else int(workers)
        yield ExecutorInfo(
            executor, slots, f"{type(executor).__name__} ({slots} at once)", owned=False
        )
        return
    if cluster is not None:
        with _dask_executor(cluster) as info:
            yield info
        return
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise HyosanError(f"--workers must be 1 or more; found {n}")
    if n == 1:
        yield ExecutorInfo(SerialExecutor(), 1, "1 worker (in this process)")
        return
    pool = process_pool(n)
    try:
        yield ExecutorInfo(pool, n, f"{n} worker processes")
    finally:
        shut_down(pool, wait=True)


def capacity(executor: Executor) -> int:
    """How many tasks a caller's executor runs at once: a concurrent.futures pool's
    workers, a Dask executor's worker threads, else one per core here (tasks beyond its
    capacity only wait in its queue)."""
    workers = getattr(executor, "_max_workers", None)  # ThreadPool- and ProcessPoolExecutor
    if isinstance(workers, int) and workers > 0:
        return workers
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None and hasattr(client, "nthreads"):
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # a client that cannot answer now: the fallback below
            pass
    return default_workers()


def shut_down(executor: Executor, *, wait: bool) -> None:
    """Shut an executor down, cancelling what has not started; `wait` for the tasks running.

    A process pool one of whose workers died (killed from outside, or by the system for lack
    of memory) is broken: waiting on it can hang for ever (CPython 3.11's pool joins a
    management thread that is itself stuck), so its workers are stopped and nothing waits.
    """
    if getattr(executor, "_broken", False):
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        return
    executor.shutdown(wait=wait, cancel_futures=True)


def _check_main_script() -> None:
    # A worker process started by "spawn" or "forkserver" runs the parent's main script again
    # from its file. A script read from standard input (`python -`) names the file "<stdin>",
    # which does not exist: every worker would die as it started, and the pool would report
    # them lost. Say so before any starts. (`python -c` and notebooks have no such file name.)
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file is not None and not os.path.exists(main_file):
        raise HyosanError(
            f"worker processes cannot start: they read this program's main script again from "
            f"its file, and it has none ({main_file}, as for a script given on standard "
            "input); save the script to a file and run that, or run on one worker: "
            "Execution(workers=1)"
        )


#: The functions of multiprocessing.spawn that run the parent's main script again in a worker
#: process started by "spawn" or "forkserver" (as `__mp_main__`), before it takes any task.
_MAIN_IMPORTS = frozenset({"_fixup_main_from_path", "_fixup_main_from_name"})

#: The guard a script needs to start runs on worker processes.
_GUARD = 'if __name__ == "__main__":'


def refuse_in_worker_import() -> None:
    """Refuse to start runs while a worker process imports the parent's main script.

    A worker process starts by running the parent's main script again. A script whose runs are
    started at its top level, not under `if __name__ == "__main__":`, started them again in
    every worker: each found its output directory busy (OutputBusyError tracebacks), died, and
    the parent reported the workers lost. That is refused here, in the worker, with the fix:
    only while multiprocessing runs the main script in a worker (its frames are on the stack),
    so runs started by a worker's task are not refused.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name in _MAIN_IMPORTS and frame.f_globals.get("__name__") == (
            "multiprocessing.spawn"
        ):
            script = getattr(sys.modules.get("__mp_main__"), "__file__", None) or "the script"
            raise HyosanError(
                "runs were started while a worker process imported the main script "
                f"({script}) as it started: put the code that starts them under `{_GUARD}`. "
                "Every worker process imports the script first, and without the guard starts "
                "the runs again (or run them on one worker, in this process)"
            )
        frame = frame.f_back


#: The longest path of a Unix socket (sun_path less its closing NUL: 108 on Linux, 104 on
#: macOS and the BSDs), and the most that multiprocessing adds to its directory for one.
_SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103
_SOCKET_NAME = len("/listener-") + 8


def _check_socket_dir() -> None:
    """Refuse a temporary directory too long to hold the fork server's socket: the pool
    failed with "AF_UNIX path too long", an internal error, however many runs."""
    from multiprocessing.util import get_temp_dir

    folder = get_temp_dir()
    room = _SOCKET_PATH_MAX - _SOCKET_NAME
    if len(os.fsencode(folder)) > room:
        raise HyosanError(
            f"worker processes talk over a socket in the temporary directory {folder}, whose "
            f"path is {len(os.fsencode(folder))} bytes long, more than a socket's path allows "
            f"({room}); set TMPDIR to a shorter directory (TMPDIR=/tmp), or run on one worker"
        )


def process_pool(n: int) -> ProcessPoolExecutor:
    """A pool of `n` worker processes as ensembles run them (see the module docstring); the
    caller shuts it down."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _check_main_script()

    # "forkserver" where the platform has it (Linux, macOS); "spawn" elsewhere (Windows).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        _check_socket_dir()
        # The server imports these once and every worker it forks has them: about 0.8 s less
        # start-up per pool here. (The engines' compiled kernels still load in each worker.)
        context.set_forkserver_preload(list(_PRELOAD))
        start_fork_server()
    from multiprocessing.util import get_temp_dir

    # Workers leave Ctrl-C and SIGTERM to this process and die with it (ensemble.lifeline).
    return ProcessPoolExecutor(
        max_workers=n,
        mp_context=context,
        initializer=start_worker,
        initargs=(*parent_identity(), get_temp_dir()),
    )


def _check_reachable(address: str) -> None:
    """Fail at once, rather than after Dask's connect timeout, when nothing listens there."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or parts.hostname is None or parts.port is None:
        if parts.scheme in ("tcp", "tls"):
            raise HyosanError(f"--cluster {address!r}: write the address as tcp://HOST:PORT")
        return  # another transport (inproc://, ucx://): let Dask judge it
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=10):
            pass
    except OSError as exc:
        raise HyosanError(
            f"--cluster {address}: no Dask scheduler answers there ({exc.strerror or exc})"
        ) from None


@contextmanager
def _dask_executor(address: str) -> Iterator[ExecutorInfo]:
    try:
        from distributed import Client
    except ImportError:
        raise HyosanError(
            "--cluster needs Dask's distributed scheduler: pip install 'hyosan[distributed]'"
        ) from None
    _check_reachable(address)
    # (distributed has no type hints for these: hence the ignores.)
    try:
        client = Client(address, timeout="20s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise HyosanError(f"--cluster {address}: cannot reach a Dask scheduler ({exc})") from None
    try:
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        executor = client.get_executor(pure=False)  # type: ignore[no-untyped-call]
        # A scheduler whose workers have not joined yet: the runs wait for them, and say so.
        said = f"{threads} worker threads" if threads else "no workers yet: the runs wait for them"
        yield ExecutorInfo(
            executor, max(threads, 1), f"Dask cluster {address} ({said})",
            dashboard=client.dashboard_link,
        )  # fmt: skip
    finally:
        client.close()  # type: ignore[no-untyped-call]

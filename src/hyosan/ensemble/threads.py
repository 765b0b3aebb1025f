"""One thread of computation per worker: imported by the fork server before anything else.

An ensemble's worker does one run at a time, and the pool has one worker per core. A library
that starts a thread pool of its own when it loads (OpenBLAS and MKL behind numpy and scipy,
OpenMP, Arrow's CPU pool, which follows OMP_NUM_THREADS, Numba's parallel layer) would size it
to every core of the machine, in every worker: threads that compete for the cores the other
workers use whenever they wake. Measured here, a worker held an OpenBLAS thread it never used
(no run calls BLAS in its hot path), so this changes no timing today; it keeps the workers from
oversubscribing the cores if a library in a run ever does.

The thread pools read these variables once, when their library loads, so they must be set
before numpy is imported: the fork server imports this module first of its preloads (see
ensemble.executors), and every worker it forks inherits the settings. A variable the user set
is left as it is. With the "spawn" start method (Windows), numpy is already loaded when the
workers' initializer runs; there it sets the variables for what loads later only.
"""

from __future__ import annotations

import os

__all__ = ["VARIABLES", "one_thread_each"]

#: The variables that size the thread pools of the libraries a worker loads.
VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def one_thread_each() -> None:
    """Ask every thread pool of a library loaded from now on for one thread (unless the user
    set the variable)."""
    for name in VARIABLES:
        os.environ.setdefault(name, "1")


one_thread_each()

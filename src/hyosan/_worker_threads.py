"""One thread of computation per ensemble worker: importing this module sets it up.

Imported only by the ensembles' fork server, first of its preloads, and by a worker's
initializer (ensemble.executors, ensemble.lifeline); never by hyosan otherwise, since its
import changes the process's environment.

An ensemble's worker does one run at a time, and the pool has one worker per core. A library
that starts a thread pool of its own (OpenBLAS and MKL behind numpy and scipy, OpenMP, Arrow's
CPU pool, which follows OMP_NUM_THREADS, Numba's parallel layer) sizes it to every core of the
machine, in every worker: threads that compete for the cores the other workers use whenever
they wake. Measured here, a worker's first BLAS call started an OpenBLAS thread beside its
own; no run calls BLAS in its hot path, so this changed no timing, but it keeps the workers
from oversubscribing the cores if a run ever does.

The thread pools read these variables once, when their library loads: before numpy is
imported. This module sits at the top of the package, whose `__init__` imports nothing heavy
(hyosan.ensemble's imports numpy), so that the fork server sets them before its other
preloads load numpy, and every worker it forks inherits them. A variable the user set is left
as it is. With the "spawn" start method (Windows), numpy is loaded before the workers'
initializer runs; there the variables reach only what loads later.
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

"""Ensemble workers ask the thread pools of the libraries they load for one thread each."""

from __future__ import annotations

import os

import pytest

from hyosan.ensemble.executors import _PRELOAD, process_pool


def _blas_threads() -> tuple[int, int, str | None]:
    """This process's threads before and after a BLAS call, and its OpenBLAS setting."""
    import numpy as np

    before = len(os.listdir("/proc/self/task"))
    a = np.ones((400, 400))
    a @ a  # a matrix product: BLAS starts its thread pool for it, if it has one
    return before, len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS")


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_a_worker_computes_on_one_thread() -> None:
    """A BLAS call in a pool's worker starts no thread (unless the user asked for some)."""
    assert _PRELOAD[0] == "hyosan._worker_threads", "set before the other preloads load numpy"
    pool = process_pool(2)
    try:
        before, after, setting = pool.submit(_blas_threads).result(timeout=120)
    finally:
        pool.shutdown()
    user = os.environ.get("OPENBLAS_NUM_THREADS")
    assert setting == (user or "1")
    if user in (None, "1"):
        assert after == before

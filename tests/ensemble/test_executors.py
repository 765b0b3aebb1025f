"""Executors of the caller's: how many runs they take at once, and one that cancels runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from hyosan.ensemble import Execution, Output, run_ensemble
from hyosan.ensemble.errors import RunFailedError
from hyosan.ensemble.executors import capacity, default_workers, open_executor


class _Unsized(Executor):
    """Runs each task at once: an executor whose size cannot be known."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class _Cancelling(Executor):
    """Cancels every run, as Dask does when its scheduler goes away."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.cancel()
        future.set_running_or_notify_cancel()  # as distributed's executor does, to wake wait()
        return future


def test_a_pool_of_the_callers_is_used_to_its_size() -> None:
    """Before, a caller's executor was fed one run at a time unless `workers` was given:
    the documented Dask-from-Python example ran a whole cluster serially."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert capacity(pool) == 3
        with open_executor(executor=pool) as info:
            assert info.slots == 3
        with open_executor(workers=5, executor=pool) as info:
            assert info.slots == 5
    assert capacity(_Unsized()) == default_workers()


def test_runs_cancelled_by_the_executor_fail_the_ensemble_cleanly(tmp_path: Path) -> None:
    with pytest.raises(RunFailedError, match="the executor cancelled the run"):
        run_ensemble(
            "sir",
            4,
            engine="ssa",
            overrides=['time.horizon="2d"'],
            execution=Execution(executor=_Cancelling()),
            output=Output(out=tmp_path / "out"),
        )
    assert not (tmp_path / "out").exists()


def test_progress_off_a_terminal_is_plain_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch job's log showed nothing between the first line and the last: off a terminal
    the bar is a plain line now and then (here at each tenth done), and one at the end where
    the last of those does not already give the final count."""
    from hyosan.ensemble import progress

    monkeypatch.setattr(progress, "_PLAIN_TENTH_GAP_S", 0.0)
    with progress.RunProgress(100, 20, "ensemble runs") as bar:
        bar.note("80 runs on 2 worker processes")
        for _ in range(80):
            bar.advance()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "80 runs on 2 worker processes"
    assert lines[1].startswith("ensemble runs: 30/100 (30 %) in ")
    # Each tenth from 30 % to 100 %, and the last not again at the end: it was printed twice.
    assert len(lines) == 1 + 8
    assert lines[-1].startswith("ensemble runs: 100/100 (100 %) in ")
    # Where the last runs came within the gap between lines, the end prints their count.
    monkeypatch.setattr(progress, "_PLAIN_TENTH_GAP_S", 3600.0)
    with progress.RunProgress(10, 0, "ensemble runs") as bar:
        for _ in range(10):
            bar.advance()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ensemble runs: 10/10 (100 %) in ")


def test_workers_elsewhere_read_the_scenarios_files_from_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario's relative file paths are read from the command's directory, though its
    workers run in another (on a Dask cluster, a worker's own): it worked on the local pool
    and failed on a cluster with "population grid file not found"."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    here = tmp_path / "here"
    elsewhere = tmp_path / "elsewhere"
    (here / "data").mkdir(parents=True)
    elsewhere.mkdir()
    (here / "data" / "grid.csv").write_text("200,150,0\n120,300,80\n", encoding="utf-8")
    (here / "town.toml").write_text(TOWN, encoding="utf-8")
    monkeypatch.chdir(here)
    serial = run_ensemble("town.toml", 2, execution=Execution(workers=1), output=Output(here / "a"))
    # Spawned, not forked: a fork would inherit this process's worlds, kept for the next run.
    spawn = multiprocessing.get_context("spawn")
    chdir = {"initializer": os.chdir, "initargs": (str(elsewhere),)}
    with ProcessPoolExecutor(1, mp_context=spawn, **chdir) as pool:  # type: ignore[arg-type]
        away = run_ensemble(
            "town.toml", 2, execution=Execution(executor=pool), output=Output(here / "b")
        )
    assert away.runs.equals(serial.runs)


#: A grid read from a file by a relative path (data/grid.csv), bites across cell borders.
TOWN = """
name = "town"
engine = "ssa"
model = "sezr-frequency"

[parameters]
bite_rate = "4/day"
kill_rate = "1.6/day"
turn_rate = "12/day"

[time]
horizon = "3d"

[world]
kind = "grid"
file = "data/grid.csv"
cross = { reactions = ["bite", "kill"], factor = 0.05 }

[[world.seeds]]
at = [1, 1]
counts = { Z = 3 }
"""

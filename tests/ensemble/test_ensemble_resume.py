"""Resuming: an ensemble killed part way ends, when run again, with the files of an
uninterrupted one; nothing half written is ever visible."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ensemble_helpers import cli_env, hyosan_cmd, read_bands, read_runs, run_cli

import hyosan.ensemble.driver as driver
from hyosan.ensemble import Execution, Output, run_ensemble
from hyosan.ensemble.errors import EnsembleInterruptedError, RunFailedError
from hyosan.ensemble.parts import WorkDir, work_dir_for
from hyosan.ensemble.plan import EnsemblePlan
from hyosan.errors import HyosanError

# Runs of about 10-20 ms each (a town of 2,000, exact stochastic), so that the command is
# still running when its first part file (50 runs) appears.
SCENARIO = ("sir", "--engine", "ssa", "--set", "initial.S=1990", "--set", 'time.horizon="100d"')
RUNS = 400


def _wait_for_part(parts: Path, proc: subprocess.Popen[str], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if parts.is_dir() and any(p.name.startswith("chunk-") for p in parts.iterdir()):
            return
        if proc.poll() is not None:
            pytest.fail(f"the ensemble ended before it could be killed: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no part file appeared")


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stored(work: Path) -> int:
    # Runs held in the part files, without opening a WorkDir (which would need the plan).
    total = 0
    for chunk in (work / "parts").glob("chunk-*.npz"):
        with np.load(chunk) as npz:
            total += len(npz["index"])
    return total


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    ("how", "workers"), [("sigkill", 1), ("ctrl-c", 1), ("ctrl-c", 2)], ids=str
)
def test_killed_ensemble_resumes(tmp_path: Path, how: str, workers: int) -> None:
    """SIGKILL (or Ctrl-C) part way, then the same command: the files of an uninterrupted run."""
    out = tmp_path / "ens"
    args = [*SCENARIO, "--runs", str(RUNS), "--workers", str(workers), "--out", str(out), "-q"]
    proc = subprocess.Popen(
        [*hyosan_cmd(), "run", *args],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a suite started in the background (`cmd &`) ignores SIGINT, and
        # a child inherits that, so Python would never see the Ctrl-C.
        preexec_fn=_interruptible,
    )
    work = work_dir_for(out)
    _wait_for_part(work / "parts", proc)
    os.kill(proc.pid, signal.SIGKILL if how == "sigkill" else signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if how == "sigkill":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err
        assert "run the same command again" in err
        assert "Traceback" not in err
    assert not out.exists()  # nothing half written is visible
    kept = _stored(work)
    assert 0 < kept < RUNS

    resumed = run_cli("run", *args, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert not work.exists()

    fresh = tmp_path / "fresh"
    name, *rest = SCENARIO
    overrides = [rest[i + 1] for i, a in enumerate(rest) if a == "--set"]
    run_ensemble(
        name, RUNS, engine="ssa", overrides=overrides, output=Output(fresh), execution=Execution(2)
    )
    assert read_runs(out).equals(read_runs(fresh))
    assert read_bands(out).equals(read_bands(fresh))
    leftovers = {p.name for p in tmp_path.iterdir()} - {"ens", "fresh"}
    assert not leftovers


@pytest.mark.timeout(120)
def test_a_swallowed_ctrl_c_still_stops_the_ensemble(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signal whose KeyboardInterrupt a library swallowed (a Cython module's start-up does)
    still stops the ensemble, keeping what finished (seen in CI: 100,000 runs went on)."""
    import signal

    from hyosan import _entry
    from hyosan.ensemble.task import run_task

    monkeypatch.setattr(_entry, "_LAST", [])

    def swallowing(task):  # type: ignore[no-untyped-def]
        if task.replicate == 3:
            _entry._LAST.append(int(signal.SIGINT))  # the handler ran; its exception was lost
        return run_task(task)

    overrides = ["initial.S=200", 'time.horizon="20d"']
    monkeypatch.setattr(driver, "run_task", swallowing)
    with pytest.raises(EnsembleInterruptedError, match="4 of 12 runs are kept"):
        run_ensemble(
            "alemi-szr",
            12,
            engine="ssa",
            overrides=overrides,
            output=Output(tmp_path / "a"),
            execution=Execution(workers=1),
        )
    assert _stored(work_dir_for(tmp_path / "a")) == 4


#: Twelve small exact runs of alemi-szr in this process.
_SMALL: dict[str, Any] = {
    "engine": "ssa",
    "overrides": ["initial.S=200", 'time.horizon="20d"'],
    "execution": Execution(workers=1),
}


def _failing_at_replicate_7(task):  # type: ignore[no-untyped-def]
    from hyosan.ensemble.task import run_task

    if task.replicate == 7:
        raise RuntimeError("the engine fell over")
    return run_task(task)


@pytest.mark.timeout(120)
def test_failed_run_stops_and_keeps_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that raises stops the ensemble naming point, replicate and seed; a resume
    finishes it with the same files as an uninterrupted ensemble."""
    from hyosan.ensemble.task import run_task

    kwargs = _SMALL
    monkeypatch.setattr(driver, "run_task", _failing_at_replicate_7)
    with pytest.raises(
        RunFailedError, match=r"point 0, replicate 7 \(seed \d+\).*fell over.*7 fin"
    ) as e:
        run_ensemble("alemi-szr", 12, output=Output(tmp_path / "a"), **kwargs)
    assert not e.value.bad_input
    assert _stored(work_dir_for(tmp_path / "a")) == 7
    monkeypatch.setattr(driver, "run_task", run_task)
    run_ensemble("alemi-szr", 12, output=Output(tmp_path / "a"), **kwargs)
    run_ensemble("alemi-szr", 12, output=Output(tmp_path / "b"), **kwargs)
    assert read_runs(tmp_path / "a").equals(read_runs(tmp_path / "b"))
    assert read_bands(tmp_path / "a").equals(read_bands(tmp_path / "b"))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("damage", ["empty", "garbage", "cut short"])
def test_unreadable_part_file_is_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    """A part file damaged from outside (emptied, overwritten, cut short) is set aside with a
    note naming it, and its runs are run again: the files of an uninterrupted ensemble."""
    from hyosan.ensemble.task import run_task

    kwargs = _SMALL
    monkeypatch.setattr(driver, "run_task", _failing_at_replicate_7)
    with pytest.raises(RunFailedError):
        run_ensemble("alemi-szr", 12, output=Output(tmp_path / "a"), **kwargs)
    (chunk,) = (work_dir_for(tmp_path / "a") / "parts").glob("chunk-*.npz")
    whole = chunk.read_bytes()
    chunk.write_bytes({"empty": b"", "garbage": b"garbage\n", "cut short": whole[:100]}[damage])
    monkeypatch.setattr(driver, "run_task", run_task)
    capsys.readouterr()
    run_ensemble("alemi-szr", 12, output=Output(tmp_path / "a"), **kwargs)
    err = capsys.readouterr().err
    assert f"{chunk.name} cannot be read" in err
    assert "run again" in err
    run_ensemble("alemi-szr", 12, output=Output(tmp_path / "b"), **kwargs)
    assert read_runs(tmp_path / "a").equals(read_runs(tmp_path / "b"))
    assert read_bands(tmp_path / "a").equals(read_bands(tmp_path / "b"))


def test_unreadable_fingerprint_says_so(tmp_path: Path) -> None:
    from hyosan.ensemble.plan import Point

    point = Point(0, "x", "name='x'", "x", (), "ssa", 0)
    plan = EnsemblePlan("ensemble", 1, 10, (point,))
    work = work_dir_for(tmp_path / "out")
    held = WorkDir(work, plan)
    held.add({"point": 0, "replicate": 0, "seed": 1, "series": np.zeros((2, 1))})
    held.flush()
    (work / "fingerprint.json").write_text("{not json")
    with pytest.raises(HyosanError, match=r"fingerprint\.json cannot be read.*--force"):
        WorkDir(work, plan)


def test_different_command_refuses_old_work(tmp_path: Path) -> None:
    """Unfinished work of another command is refused, or discarded with force."""
    from hyosan.ensemble.plan import Point

    def plan(runs: int) -> EnsemblePlan:
        point = Point(0, "x", "name='x'", "x", (), "ssa", 0)
        return EnsemblePlan("ensemble", 1, runs, (point,))

    work = work_dir_for(tmp_path / "out")
    WorkDir(work, plan(10))
    WorkDir(work, plan(12))  # no finished run yet: nothing to lose, replaced
    held = WorkDir(work, plan(10))
    held.add({"point": 0, "replicate": 0, "seed": 1, "series": np.zeros((2, 1))})
    held.flush()
    with pytest.raises(HyosanError, match="different command"):
        WorkDir(work, plan(11))
    assert WorkDir(work, plan(10)).done() == {(0, 0)}
    WorkDir(work, plan(11), force=True)
    assert WorkDir(work, plan(11)).done() == set()  # now it is this command's


def test_existing_out_is_refused(tmp_path: Path) -> None:
    """An existing directory is not overwritten without --force (exit 2 on the command line)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    ran = run_cli("run", "alemi-szr", "--engine", "ssa", "--runs", "2", "--out", out, cwd=tmp_path)
    assert ran.returncode == 2
    assert "already exists" in ran.stderr
    assert {p.name for p in out.iterdir()} == {"notes.txt"}


def test_a_broken_pool_says_what_usually_breaks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker pool that broke (in a user's script, most often a missing __main__ guard)
    says so beside the error."""
    from concurrent.futures.process import BrokenProcessPool

    def broken(task):  # type: ignore[no-untyped-def]
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(driver, "run_task", broken)
    with pytest.raises(RunFailedError, match=r'if __name__ == "__main__":'):
        run_ensemble("alemi-szr", 2, output=Output(tmp_path / "a"), **_SMALL)


def test_a_ctrl_c_after_the_last_run_keeps_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while the directory was written: it said only "interrupted". And the error
    is a KeyboardInterrupt, so that `except Exception` in a user's loop does not go on."""

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(driver, "_assemble", interrupted)
    with pytest.raises(EnsembleInterruptedError, match="3 of 3 runs are kept") as caught:
        run_ensemble(
            "alemi-szr",
            3,
            engine="ssa",
            overrides=["initial.S=200", 'time.horizon="5d"'],
            output=Output(tmp_path / "a"),
            execution=Execution(workers=1),
        )
    assert isinstance(caught.value, KeyboardInterrupt)
    assert _stored(work_dir_for(tmp_path / "a")) == 3


def test_one_kept_run_is_said_run() -> None:
    """The messages of a stopped ensemble said "1 finished runs are kept", "1 of 1 runs"."""
    from hyosan.ensemble.errors import WorkerLostError

    assert str(EnsembleInterruptedError(1, 1, "w")).startswith("interrupted: 1 of 1 run is kept")
    assert str(EnsembleInterruptedError(2, 1500, "w")).startswith(
        "interrupted: 2 of 1,500 runs are kept"
    )
    assert "; 1 finished run is kept in w for a resume" in str(
        RunFailedError(0, 1, 5, "x", "w", kept=1)
    )
    assert "; 1 finished run is kept in w" in str(WorkerLostError("w", kept=1))
    assert "; 3 finished runs are kept in w" in str(WorkerLostError("w", kept=3))

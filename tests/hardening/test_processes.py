"""Issue 18, processes: workers die with their parent, SIGTERM is handled like Ctrl-C, Ctrl-C
prints no worker's traceback, and `validate` refuses what `run` refuses.

The process tests read /proc (Linux) to find an ensemble's worker processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hardening_helpers import SZR, cli_env, hyosan_cmd, run_cli

from hyosan.ensemble.executors import SerialExecutor

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _ensemble(out: Path, runs: int, workers: int) -> list[str]:
    name, engine, sets = SZR
    args = [*hyosan_cmd(), "run", name, "--engine", engine, "--runs", str(runs)]
    for s in sets:
        args += ["--set", s]
    return [*args, "--workers", str(workers), "--out", str(out), "--no-report", "--quiet"]


def _long_ensemble(tmp_path: Path, **popen: Any) -> subprocess.Popen[str]:
    """100,000 runs on two workers into tmp_path/out, its stderr piped: to be stopped."""
    return subprocess.Popen(
        _ensemble(tmp_path / "out", 100_000, 2),
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _children() -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            found[int(entry.name)] = int(fields[1])
    return found


def _descendants(root: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {root}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _wait_for(condition, timeout: float = 120.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_validate_refuses_what_run_refuses(tmp_path: Path) -> None:
    bad = ("--set", 'world.seeds[0].at="Nowhere"')
    ran = run_cli("validate", "korea", *bad, cwd=tmp_path)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "world.seeds[0].at: no place named 'Nowhere'" in ran.stderr
    ran = run_cli("run", "korea", *bad, "--quiet", cwd=tmp_path)
    assert ran.returncode == 2
    assert "no place named 'Nowhere'" in ran.stderr


def test_validate_refuses_an_engine_that_cannot_run_it(tmp_path: Path) -> None:
    ran = run_cli("validate", "korea", "--set", 'engine="ode"', cwd=tmp_path)
    assert ran.returncode == 2, ran.stdout
    assert "does not support" in ran.stderr


def test_sigterm_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "out"
    parts = tmp_path / ".out.ensemble" / "parts"
    proc = subprocess.Popen(
        _ensemble(out, 4000, 1), cwd=tmp_path, env=cli_env(), stderr=subprocess.PIPE, text=True
    )
    try:
        assert _wait_for(lambda: parts.is_dir() and any(parts.glob("chunk-*.npz")))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert "run the same command again" in err
    again = subprocess.run(
        _ensemble(out, 4000, 1), cwd=tmp_path, env=cli_env(), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert pq.read_table(out / "runs.parquet").num_rows == 4000


@linux_only
def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    # A temporary directory of its own, to see that the workers leave nothing there; under
    # /tmp, since pytest's own (…/pytest-of-root/pytest-123/popen-gw1/…) can be too long a
    # path for the fork server's socket (test_a_temporary_directory_too_long_is_refused).
    tmp = Path(tempfile.mkdtemp(prefix="hy-"))
    env = {**cli_env(), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        _ensemble(tmp_path / "out", 100_000, 2),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The fork server and its two workers (and the resource tracker) are running.
        assert _wait_for(lambda: len(_descendants(proc.pid)) >= 3)
        assert _wait_for(lambda: (tmp_path / ".out.ensemble" / "parts").is_dir())
        family = _descendants(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert _wait_for(lambda: not (family & set(_children())), timeout=60), family & set(_children())
    assert not list(tmp.glob("pymp-*"))
    shutil.rmtree(tmp, ignore_errors=True)


@linux_only
def test_a_temporary_directory_too_long_is_refused(tmp_path: Path) -> None:
    """A TMPDIR too long for a socket's path failed the pool with "AF_UNIX path too long", an
    internal error (exit 1): it is bad input, said with what to do, and nothing is written."""
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    ran = subprocess.run(
        _ensemble(tmp_path / "out", 4, 2),
        cwd=tmp_path,
        env={**cli_env(), "TMPDIR": str(deep)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert ran.returncode == 2, ran.stderr
    assert "set TMPDIR to a shorter directory" in " ".join(ran.stderr.split())
    assert "internal error" not in ran.stderr
    assert not (tmp_path / "out").exists()


@linux_only
def test_a_worker_killed_ends_the_ensemble_with_its_runs_kept(tmp_path: Path) -> None:
    """A worker killed from outside (the out-of-memory killer, say) breaks the pool: the
    command says so and stops, keeping the finished runs, where it hung for ever."""
    proc = _long_ensemble(tmp_path)
    try:
        parts = tmp_path / ".out.ensemble" / "parts"
        assert _wait_for(lambda: parts.is_dir() and any(parts.glob("chunk-*.npz")))
        parents = _children()
        workers = [p for p in _descendants(proc.pid) if parents.get(parents.get(p)) == proc.pid]
        assert workers, "no worker processes found"
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 1, err
    assert "a worker process died" in err
    assert f"finished runs are kept in {tmp_path / '.out.ensemble'} for a resume" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


_FORK_SERVER_CTRL_C = """
import os, signal, time
from multiprocessing import forkserver
from hyosan.ensemble import lifeline

# As the command does: its own handler, whatever it inherited (a shell's background job
# starts with Ctrl-C ignored, and Python then installs no KeyboardInterrupt of its own).
signal.signal(signal.SIGINT, signal.default_int_handler)
forkserver.ensure_running = lambda: os.kill(os.getpid(), signal.SIGINT)
try:
    lifeline.start_fork_server()
    time.sleep(1.0)  # a signal another thread took is handled here, a moment later
    print("lost")
except KeyboardInterrupt:
    print("raised", signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))
"""


@linux_only
def test_ctrl_c_while_the_fork_server_starts_is_not_lost() -> None:
    # The fork server must be born deaf to Ctrl-C; when the parent ignored SIGINT while it
    # forked it, a Ctrl-C in that window went nowhere and the ensemble ran on. In a process
    # of its own: the test session's threads, handlers and masks (earlier tests') stay out.
    ran = subprocess.run(
        [sys.executable, "-c", _FORK_SERVER_CTRL_C],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.stdout.strip() == "raised False", ran.stdout + ran.stderr


@linux_only
def test_ctrl_c_as_workers_start_prints_no_traceback(tmp_path: Path) -> None:
    proc = _long_ensemble(tmp_path, start_new_session=True)
    try:
        # As a terminal does: Ctrl-C goes to the whole process group, workers included, the
        # moment the first worker process exists (while it is still starting up).
        assert _wait_for(lambda: len(_descendants(proc.pid)) >= 2)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


def test_ctrl_c_inside_compiled_code_is_an_interruption() -> None:
    # A KeyboardInterrupt raised while a compiled kernel runs comes back as a SystemError
    # "returned a result with an exception set", whose cause is the interrupt.
    def kernel() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemError("returned a result with an exception set") from exc

    with pytest.raises(KeyboardInterrupt):
        SerialExecutor().submit(kernel)


def test_ctrl_c_a_library_turned_into_its_own_error_is_an_interruption(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pydantic's serializers turn a KeyboardInterrupt raised inside them into a
    # PydanticSerializationError with no cause (seen in CI: a Ctrl-C during a serial ensemble
    # ended as "run failed", exit 1). The handler counted the signal: it is an interruption.
    from hyosan import _entry

    monkeypatch.setattr(_entry, "_LAST", [])

    def serialise() -> None:
        _entry._LAST.append(int(signal.SIGINT))  # the handler ran, then the library...
        raise ValueError("Error calling function `_text`: KeyboardInterrupt: ")

    with pytest.raises(KeyboardInterrupt):
        SerialExecutor().submit(serialise)
    # Without a signal, the same error is the run's own failure, kept in its future.

    def fails() -> None:
        raise ValueError("a run's own failure")

    assert isinstance(SerialExecutor().submit(fails).exception(), ValueError)


def test_workers_start_from_the_process_pool(tmp_path: Path) -> None:
    # The pool's start-up path end to end: two workers, every run kept, none left behind.
    # Processes other tests of this session started (a Dask cluster, a browser) are not ours.
    before = _descendants(os.getpid())
    out = tmp_path / "out"
    ran = subprocess.run(
        _ensemble(out, 20, 2), cwd=tmp_path, env=cli_env(), capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert pq.read_table(out / "runs.parquet").num_rows == 20
    assert sys.platform != "linux" or not _descendants(os.getpid()) - before - {os.getpid()}


def test_a_script_on_standard_input_is_told_why_workers_cannot_start(tmp_path: Path) -> None:
    """Workers re-read the main script from its file; one given on standard input (`python -`)
    has none, so the ensemble says so, rather than that a worker died for lack of memory."""
    script = (
        "from hyosan.ensemble.api import run_ensemble\n"
        "from hyosan.ensemble.options import Execution, Output\n"
        "run_ensemble('sir', 2, engine='ssa', execution=Execution(workers=2),\n"
        "             output=Output(out='out', quiet=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-"],
        input=script,
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "save the script to a file" in done.stderr
    assert "memory" not in done.stderr
    assert not (tmp_path / "out").exists()

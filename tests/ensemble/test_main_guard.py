"""A script that runs an ensemble on worker processes without `if __name__ == "__main__":`
(Python API audit, section 4): each worker, importing the script as it starts, started the
ensemble again, and the user saw OutputBusyError tracebacks, then a WorkerLostError that
blamed memory and named the command line's --workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hyosan.ensemble.errors import WorkerLostError
from hyosan.errors import speak_command_line

RUNS = (
    'run_ensemble("sir", 2, engine="ssa", overrides=["time.horizon=2d"], '
    'execution=Execution(workers=2), output=Output("out", force=True))'
)


def _script(tmp_path: Path, guarded: bool) -> subprocess.CompletedProcess[str]:
    body = f'if __name__ == "__main__":\n    {RUNS}\n' if guarded else f"{RUNS}\n"
    script = tmp_path / "many.py"
    script.write_text(
        "from hyosan.ensemble import Execution, Output, run_ensemble\n"
        f"print('body', flush=True)\n{body}",
        "utf-8",
    )
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )


@pytest.mark.timeout(300)
def test_a_script_without_the_guard_is_refused_in_its_workers(tmp_path: Path) -> None:
    """The workers refuse to start the runs again, naming the guard; no OutputBusyError."""
    ran = _script(tmp_path, guarded=False)
    assert ran.returncode == 1
    assert "OutputBusyError" not in ran.stderr, ran.stderr
    assert (
        "runs were started while a worker process imported the main script "
        f"({tmp_path / 'many.py'}) as it started: put the code that starts them under "
        '`if __name__ == "__main__":`'
    ) in ran.stderr, ran.stderr
    # The parent's own error puts the guard first, in Python's words.
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("hyosan.ensemble.errors.WorkerLostError: a worker process died. In a")
    assert "--workers" not in last
    assert not (tmp_path / "out").exists()


@pytest.mark.timeout(300)
def test_a_script_with_the_guard_runs(tmp_path: Path) -> None:
    ran = _script(tmp_path, guarded=True)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "out" / "summary.json").is_file()


def test_a_lost_worker_is_told_in_the_callers_words() -> None:
    """From Python: the guard first, then memory, and `Execution(workers=...)`; at the command
    line: memory and --workers, and no guard (a command has none to add)."""
    python = str(WorkerLostError("w", kept=2))
    assert python.startswith("a worker process died. In a script, check first that the code")
    assert "Execution(workers=...)" in python
    assert "--workers" not in python
    assert python.endswith("; 2 finished runs are kept in w for a resume")
    back = speak_command_line()
    try:
        command = str(WorkerLostError("w"))
    finally:
        back()
    assert command == (
        "a worker process died: killed from outside, or by the system for lack of memory "
        "(fewer --workers may do)"
    )

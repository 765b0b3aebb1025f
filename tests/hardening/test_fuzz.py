"""The fuzzer (issue 18): mutated built-in scenarios through `hyosan validate`, and a sample
through `hyosan run`; every outcome is exit 0 or a clean exit 2, never exit 1 or a hang.

HYOSAN_FUZZ_CASES sets the number of validate cases (default 2,000, about 30 s on one core);
HYOSAN_FUZZ_RUNS the number run (default 6, cheap scenarios, each with a time limit). With
either set, the cases are random rather than the fixed sequence CI uses.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from fuzz_strategies import FAST, Case, cases
from hardening_helpers import cli_env, hyosan_cmd
from hypothesis import HealthCheck, given, settings

from hyosan.cli import main

CASES = int(os.environ.get("HYOSAN_FUZZ_CASES", "2000"))
RUNS = int(os.environ.get("HYOSAN_FUZZ_RUNS", "6"))
FIXED = "HYOSAN_FUZZ_CASES" not in os.environ and "HYOSAN_FUZZ_RUNS" not in os.environ
#: Seconds one validate may take: a hang otherwise (the slowest built-in takes 0.3 s).
CASE_LIMIT_S = 30
#: Seconds one run of the sample may take.
RUN_LIMIT_S = 120

_FOLDER = Path(tempfile.mkdtemp(prefix="hyosan-fuzz-"))
atexit.register(shutil.rmtree, _FOLDER, True)  # the cases' files, written one over another


def write_case(case: Case, folder: Path) -> Path | None:
    """The case as a TOML file in `folder`; None if TOML cannot hold it (a key that is not a
    string, say): such input cannot reach hyosan."""
    import tomli_w

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # tomli_w recurses into deep nesting
    try:
        text = tomli_w.dumps(case.data)
    except (TypeError, ValueError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    path = folder / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


class _HangError(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _HangError


def validate_case(case: Case, folder: Path) -> int | None:
    """`hyosan validate` on the case in this process: its exit code (None: not TOML)."""
    path = write_case(case, folder)
    if path is None:
        return None
    args = ["validate", str(path)]
    for item in case.overrides:
        args += ["--set", item]
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_LIMIT_S)
    try:
        main(args)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except _HangError:
        pytest.fail(f"validate took over {CASE_LIMIT_S} s: {case}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code if isinstance(code, int) else 0


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=FIXED,
    database=None,
    # capsys is read (and so emptied) by every case.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(case=cases())
def test_validate_never_fails_inside(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    code = validate_case(case, _FOLDER)
    err = capsys.readouterr().err
    if code is None:
        return
    assert code in (0, 2), f"exit {code}: {err[-2000:]}\n{case}"
    assert "Traceback" not in err
    assert "\x1b" not in err  # escape sequences shown, never sent


@settings(
    max_examples=max(RUNS, 1),
    deadline=None,
    derandomize=FIXED,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases(FAST))
def test_run_never_fails_inside(case: Case) -> None:
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=_FOLDER))
    path = write_case(case, folder)
    if path is None:
        return
    args = [*hyosan_cmd(), "run", str(path), "--no-report", "-q", "--out", str(folder / "out")]
    for item in case.overrides:
        args += ["--set", item]
    try:
        ran = subprocess.run(
            args, cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=RUN_LIMIT_S
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"run took over {RUN_LIMIT_S} s: {case}")
    assert ran.returncode in (0, 2), f"exit {ran.returncode}: {ran.stderr[-2000:]}\n{case}"
    assert "Traceback" not in ran.stderr
    if ran.returncode == 0:
        assert (folder / "out" / "summary.json").is_file()
    else:
        assert not (folder / "out").exists()  # nothing half-written

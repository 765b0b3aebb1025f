"""The console script ends without the interpreter's slow teardown, and ends correctly."""

from __future__ import annotations

import subprocess
import sys

import pytest

# After main() (the console script) returns or raises SystemExit, atexit handlers still run;
# this one, registered first, runs last and reports what the teardown will find.
_PROBE = """
import atexit, gc, runpy, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, flush=True))
module = sys.argv.pop(1)
sys.argv = ["hyosan", *sys.argv[1:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def _console(*args: str, module: str = "hyosan") -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` (`hyosan` runs as the console script does)."""
    return subprocess.run(
        [sys.executable, "-c", _PROBE, module, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("module", ["hyosan", "hyosan.cli"])
def test_the_command_freezes_its_objects_before_the_teardown(module: str) -> None:
    """What is left when the command is done is frozen (the teardown's full collections skip
    it), after the command's own output and with its exit code, however it was started."""
    done = _console("--version", module=module)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "frozen True"
    assert "hyosan" in done.stdout.splitlines()[0]


def test_a_failing_command_keeps_its_code_and_message() -> None:
    done = _console("run", "no-such-scenario-anywhere")
    assert done.returncode == 2
    assert done.stdout.splitlines()[-1] == "frozen True"
    assert "no-such-scenario-anywhere" in done.stderr
    assert "Traceback" not in done.stderr

"""Helpers of the hardening tests (issue 18): the command line in a subprocess, a small scenario.

A plain module rather than a conftest.py, so that its name cannot clash with the conftest
modules of other test folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: A small fully connected outbreak: 200 people, ode runs of a few ms each (every engine goes
#: through the same driver; ode is the one no one else is rebuilding).
SZR = ("alemi-szr", "ode", ("initial.S=200", 'time.horizon="40d"', 'time.output_every="0.5d"'))


def hyosan_cmd() -> list[str]:
    """The installed console script, or its entry point through this interpreter."""
    script = Path(sys.executable).parent / "hyosan"
    if script.is_file():
        return [str(script)]
    found = shutil.which("hyosan")
    if found:
        return [found]
    return [sys.executable, "-c", "from hyosan.cli import main; main()"]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_DEBUG"}
    env["NO_COLOR"] = "1"
    return env


def run_cli(
    *args: str | Path, cwd: Path, timeout: float = 200, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`hyosan ARGS` in a subprocess, output captured."""
    return subprocess.run(
        [*hyosan_cmd(), *map(str, args)],
        cwd=cwd,
        env=env if env is not None else cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

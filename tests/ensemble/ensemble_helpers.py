"""Helpers of the ensemble tests: a small fast scenario, table readers, the command line.

A plain module rather than a conftest.py, so that its name cannot clash with the conftest
modules of other test folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from hyosan.ensemble.driver import EnsembleRun

#: A small fully connected outbreak: 200 people, exact stochastic runs of a few ms each.
SZR = ("alemi-szr", "ssa", ("initial.S=200", 'time.horizon="40d"', 'time.output_every="0.5d"'))


def read_runs(out: Path) -> pa.Table:
    """runs.parquet as a table."""
    return pq.read_table(out / "runs.parquet")


def read_bands(out: Path) -> pa.Table:
    return pq.read_table(out / "bands.parquet")


def read_incidence_bands(out: Path) -> pa.Table:
    return pq.read_table(out / "incidence_bands.parquet")


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


def run_cli(*args: str | Path, cwd: Path, timeout: float = 200) -> subprocess.CompletedProcess[str]:
    """`hyosan ARGS` in a subprocess, output captured."""
    return subprocess.run(
        [*hyosan_cmd(), *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def morris_sample(**options: Any) -> EnsembleRun:
    """A small Morris sample of munz-basic's bite rate on the ode engine, on one worker."""
    from hyosan.ensemble.options import Execution
    from hyosan.ensemble.sample import run_sample

    return run_sample(
        "munz-basic",
        ["parameters.bite_rate=0.005:0.02"],
        design="morris",
        samples=2,
        runs=1,
        engine="ode",
        execution=Execution(workers=1),
        **options,
    )

"""What `hyosan run --runs`, `hyosan sweep` and `hyosan compare` do, behind the thin CLI.

Each function checks the flags, runs the plan with a progress bar (unless quiet) and prints the
summary as tables (or summary.json with `as_json`). Errors are raised for the CLI to report:
HyosanError (bad input, exit 2), RunFailedError (exit 1), EnsembleInterruptedError (exit 130).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.ensemble.options import Execution, Output
from hyosan.errors import HyosanError

if TYPE_CHECKING:
    from collections.abc import Callable

    from hyosan.ensemble.driver import EnsembleRun

__all__ = ["compare_command", "ensemble_command", "sweep_command"]


def _within(text: str | None) -> float | None:
    if text is None:
        return None
    from hyosan.scenario.units import parse_duration

    try:
        seconds = float(parse_duration(text))
    except ValueError as exc:
        raise HyosanError(f"--within {text!r}: {exc}") from None
    if seconds <= 0:
        raise HyosanError(f"--within {text!r}: must be more than zero")
    return seconds


def _report(report: bool) -> Callable[[Path], None] | None:
    """Writes the report into the ensemble directory before it is published, so that it appears
    with the rest; a failed report leaves the ensemble and warns."""
    if not report:
        return None

    def write(folder: Path) -> None:
        import os
        import sys

        from hyosan.reports import write_report

        try:
            write_report(folder)
        except Exception as exc:
            if os.environ.get("HYOSAN_DEBUG"):
                raise
            print(
                f"warning: no report written ({type(exc).__name__}: {exc}); "
                "try `hyosan report DIR` (set HYOSAN_DEBUG=1 for the traceback)",
                file=sys.stderr,
            )

    return write


def _show(run: EnsembleRun, *, quiet: bool, as_json: bool) -> None:
    if as_json:
        print(json.dumps(run.summary, indent=2))
        return
    if quiet:
        return
    from rich.console import Console

    from hyosan.ensemble.terminal import print_summary

    console = Console(highlight=False, soft_wrap=False)
    print_summary(run.summary, console, str(run.out))
    if (run.out / "phase.png").exists():
        console.print(f"phase plot: {run.out / 'phase.png'}")


def _quiet_for_json(output: Output, as_json: bool) -> Output:
    # With --json, stdout holds the JSON alone: no progress bar either.
    return replace(output, quiet=output.quiet or as_json)


def ensemble_command(
    scenario: str,
    *,
    runs: int | None,
    engine: str | None,
    seed: int | None,
    overrides: list[str],
    execution: Execution,
    output: Output,
    within: str | None,
    as_json: bool,
    report: bool = True,
) -> None:
    """`hyosan run SCENARIO --runs K [--workers W | --cluster ADDRESS]`."""
    from hyosan.ensemble.api import run_ensemble

    if runs is None:
        raise HyosanError("--workers, --cluster and --within go with --runs K (many runs)")
    result = run_ensemble(
        scenario,
        runs,
        engine=engine,
        seed=seed,
        overrides=overrides,
        execution=execution,
        output=_quiet_for_json(output, as_json),
        within_s=_within(within),
        before_publish=_report(report),
    )
    _show(result, quiet=output.quiet, as_json=as_json)


def sweep_command(
    scenario: str,
    *,
    vary: list[str],
    log: bool,
    runs: int,
    engine: str | None,
    seed: int | None,
    overrides: list[str],
    execution: Execution,
    output: Output,
    within: str | None,
    outcome: str,
    as_json: bool,
    report: bool = True,
) -> None:
    """`hyosan sweep SCENARIO --vary KEY=LO:HI:N ... [--log] --runs K`."""
    from hyosan.ensemble.api import run_sweep

    result = run_sweep(
        scenario,
        vary,
        runs,
        log=log,
        engine=engine,
        seed=seed,
        overrides=overrides,
        execution=execution,
        output=_quiet_for_json(output, as_json),
        within_s=_within(within),
        before_publish=_report(report),
        outcome=outcome,
    )
    _show(result, quiet=output.quiet, as_json=as_json)


def compare_command(
    a: str,
    b: str,
    *,
    runs: int,
    engine: str | None,
    seed: int | None,
    overrides: list[str],
    execution: Execution,
    output: Output,
    within: str | None,
    as_json: bool,
    report: bool = True,
) -> None:
    """`hyosan compare A B --runs K`."""
    from hyosan.ensemble.api import run_compare

    result = run_compare(
        a,
        b,
        runs,
        engine=engine,
        seed=seed,
        overrides=overrides,
        execution=execution,
        output=_quiet_for_json(output, as_json),
        within_s=_within(within),
        before_publish=_report(report),
    )
    _show(result, quiet=output.quiet, as_json=as_json)

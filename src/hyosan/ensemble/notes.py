"""What an ensemble's reader should be told beside its figures, in the terminal and the report."""

from __future__ import annotations

from typing import Any

__all__ = ["repeated_runs_note"]


def repeated_runs_note(summary: dict[str, Any]) -> str | None:
    """A note for an ensemble (or sweep, or comparison) of the deterministic ode engine with
    more than one run a point: its intervals treat the runs as draws, and they are one run
    repeated. None for any other ensemble."""
    if summary.get("engine") != "ode" or int(summary.get("replicates", 1)) <= 1:
        return None
    return (
        f"the ode engine is deterministic: the {summary['replicates']} runs of a point are the "
        "same run, and the intervals only count copies of it; for chance, run with "
        "--engine ssa or --engine tau"
    )

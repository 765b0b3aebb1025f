"""Notes on a finished run: what its own figures say about a better way to run it.

Like the scenario's notes (hyosan.scenario.notes), a note is no problem: the run is right and
kept. `hyosan run` prints them after the run, so that a slow choice is not made twice blind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EXACT_SHARE", "EXACT_SMALLEST", "run_notes"]

#: tau's local stepping is noted when at least this share of a run's events came one at a time
#: (places with a small count go event by event, all their channels with them) ...
EXACT_SHARE = 0.5
#: ... and at least this many did: below, a run takes a fraction of a second either way.
EXACT_SMALLEST = 100_000


def run_notes(summary: Mapping[str, Any]) -> list[str]:
    """What a run's summary (`Result.summary()`) suggests for the next run of its scenario."""
    diagnostics = summary.get("diagnostics") or {}
    if diagnostics.get("stepping") != "local":  # only tau's local stepping names itself
        return []
    exact, events = diagnostics["exact_events"], diagnostics["events"]
    if exact < EXACT_SMALLEST or exact < EXACT_SHARE * events:
        return []
    # The run has loaded the tau engine already: reading its threshold costs nothing.
    from hyosan.engines.tau.local import CRITICAL

    return [
        f"tau's local stepping took {exact / events:.0%} of this run's {events:,} events one at "
        f"a time (a place with a count under {CRITICAL} goes event by event, its busy channels "
        "too); ssa draws every event exactly and is usually faster then: --engine ssa"
    ]

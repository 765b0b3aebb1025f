"""Phase 9, records: counts at output times, per-room snapshots, the peak and watched levels.

Counts are written at the top of the step loop for every output time reached (the end of a
piece only by its last piece), snapshots with them; after each step the zombie peak and the
watched levels are checked (a stopping level ends the run).
"""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.phases.jit import inlined, phase
from hyosan.engines.agents.state import Agents, Counts
from hyosan.engines.kernel import Records, Watched, watch, write_totals

__all__ = ["record", "total", "watch_levels"]


@inlined
def total(counts: Counts) -> np.ndarray:
    """The compartments' totals from the counts per state (into `counts.totals`)."""
    comp = counts.totals
    comp[:] = 0.0
    for s in range(counts.by_state.size):
        comp[counts.compartment[s]] += counts.by_state[s]
    return comp


@phase
def record(
    t: float, t_end: float, last: bool, agents: Agents, counts: Counts, rec: Records
) -> None:
    """Write the counts at every output time reached by t, and the snapshots due with them.

    The clock is a sum of steps, so an output time within 1e-9 s of t counts as reached; the
    end of the piece is recorded only by the last piece (the next piece starts with it).
    """
    times = rec.times
    while rec.cursor[0] < times.size and times[rec.cursor[0]] <= t + 1e-9:
        k = rec.cursor[0]
        if times[k] >= t_end - 1e-9 and not last:
            break
        write_totals(rec, total(counts))
        sn = rec.cursor[1]
        if sn < rec.snap_times.size and rec.snap_times[sn] == times[k]:
            snap = rec.snaps
            for i in range(agents.state.size):
                snap[sn, agents.room[i], counts.compartment[agents.state[i]]] += 1.0
            rec.cursor[1] = sn + 1


@phase
def watch_levels(t: float, counts: Counts, watched: Watched) -> bool:
    """Update the zombie peak and the watched levels at t; whether a stopping level passed."""
    return watch(watched, total(counts), t)

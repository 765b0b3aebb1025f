"""Pieces every compiled kernel shares: why a call returned, the records, the watch, the log.

The ssa, tau and agents kernels (a building run and a well-mixed one) run a piece of a
simulation in one compiled call and hand back a `Status`; between calls the engine grows a full
buffer, applies an intervention or stops. Each kernel writes its records, watches its levels and
appends its events through the functions here, so the conventions (what is recorded when, what
counts as crossing a level, what the peak is) are written once.

The functions are compiled with `inline="always"`: Numba pastes them into the kernel that calls
them, so they cost no call (a call with arrays costs a reference-count update per array, which at
tens of millions of events a second is most of the time).
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = [
    "EventLog",
    "Records",
    "Status",
    "Watched",
    "due",
    "log_event",
    "new_event_log",
    "raise_peak",
    "watch",
    "write_snapshot",
    "write_totals",
]


class Status(IntEnum):
    """Why a kernel call returned; the engine acts on it and calls again, or stops."""

    DONE = 0  # reached the end of the piece
    NEED_ROOM = 1  # no slot left for a new individual (agents, well-mixed): grow and call again
    STOPPED = 2  # a stopping threshold was crossed
    LOG_FULL = 3  # the event log is full: grow it and call again
    EDGE = 4  # a zombie reached the border of the lattice (stop_at_edge)
    LIST_FULL = 5  # a list of people (ssa/lists.py) is full: grow it and call again
    PAUSED = 6  # PAUSE_EVERY events done: call again (Python sees a Ctrl-C between calls)


#: Events a kernel takes before it returns with Status.PAUSED. An output interval of a
#: continent can hold billions of events: without pauses a Ctrl-C waited for its end (minutes).
#: Pausing after an event and going on is exact (the next wait is drawn on the next call), so
#: the numbers are the same; a call of this many events takes about a second.
PAUSE_EVERY = 1 << 23


class Records(NamedTuple):
    """Where a kernel writes the totals at output times and per-place snapshots.

    `cursor` holds the next output and the next snapshot to write (kernels advance it). With
    the totals, each output row also copies `tally` (the kernel's running count of events of
    each channel, the same array the kernel adds to) into `tallies`: the incidence of every
    reaction between output times is their difference (results/epidemic.py).
    """

    times: np.ndarray  # output times (s)
    values: np.ndarray  # (outputs, compartments): the totals at each output time
    snap_times: np.ndarray  # snapshot times (s)
    snaps: np.ndarray  # (snapshots, places, compartments)
    cursor: np.ndarray  # int64[2]: next output, next snapshot
    tally: np.ndarray  # int64 (channels,): events of each channel so far (may be empty)
    tallies: np.ndarray  # float64 (outputs, channels): `tally` at each output time


@njit(inline="always")
def due(times: np.ndarray, k: int, t_next: float, t_end: float, include_end: bool) -> bool:
    """Whether record `k` of `times` falls in the wait [t, t_next) of a piece ending at t_end.

    The end of the piece itself is recorded only by its last piece (`include_end`).
    """
    if k >= times.size:
        return False
    at = times[k]
    return at < t_next and (at < t_end or (include_end and at == t_end))


@njit(inline="always")
def write_totals(rec: Records, totals: np.ndarray) -> None:
    """Write `totals` (and the event tally) as the next output row."""
    k = rec.cursor[0]
    for c in range(totals.size):
        rec.values[k, c] = totals[c]
    for j in range(rec.tally.size):
        rec.tallies[k, j] = rec.tally[j]
    rec.cursor[0] = k + 1


@njit(inline="always")
def write_snapshot(rec: Records, x: np.ndarray) -> None:
    """Write the counts per place `x` (places, compartments) as the next snapshot."""
    k = rec.cursor[1]
    for p in range(x.shape[0]):
        for c in range(x.shape[1]):
            rec.snaps[k, p, c] = x[p, c]
    rec.cursor[1] = k + 1


class Watched(NamedTuple):
    """Levels watched during a run (see `hyosan.engines.watches`), and the zombie peak.

    Each level is a weighted sum of the compartment totals; `times` is nan until it is passed.
    """

    weights: np.ndarray  # (levels, compartments)
    levels: np.ndarray
    below: np.ndarray  # bool: passed when the sum falls below the level (else rises above)
    stop: np.ndarray  # bool: passing it ends the run
    times: np.ndarray  # the first time each was passed, nan until then
    zombie: np.ndarray  # (compartments,): weights of the zombie count
    peak: np.ndarray  # float64[2]: the highest zombie count, and when it was first reached


@njit(inline="always")
def raise_peak(w: Watched, z: float, t: float) -> None:
    """Take the zombie count z at time t as the peak if it is higher (the first time reached
    is kept: an equal count later is no new peak)."""
    if z > w.peak[0]:
        w.peak[0] = z
        w.peak[1] = t


@njit(inline="always")
def watch(w: Watched, totals: np.ndarray, t: float) -> bool:
    """Update the peak and the crossing times at time t; whether a stopping level was passed."""
    n_c = totals.size
    z = 0.0
    for c in range(n_c):
        z += w.zombie[c] * totals[c]
    raise_peak(w, z, t)
    stop = False
    for k in range(w.levels.size):
        if np.isnan(w.times[k]):
            v = 0.0
            for c in range(n_c):
                v += w.weights[k, c] * totals[c]
            if (v < w.levels[k]) if w.below[k] else (v > w.levels[k]):
                w.times[k] = t
                if w.stop[k]:
                    stop = True
    return stop


class EventLog(NamedTuple):
    """An event log: one row per event, `n[0]` rows used. Engines read the columns they fill."""

    t: np.ndarray  # float64: when
    kind: np.ndarray  # the event's kind (an engine's own numbering)
    actor: np.ndarray  # who did it (an agent), or the place it happened (ssa)
    target: np.ndarray  # to whom, or the other place of an event across an edge (ssa)
    place: np.ndarray  # where (agents)
    detail: np.ndarray  # a number whose meaning depends on the kind
    n: np.ndarray  # int64[1]: rows used


def new_event_log(size: int, kind_dtype: type = np.int32) -> EventLog:
    """An empty log of `size` rows."""
    i4 = np.int32
    return EventLog(
        np.zeros(size),
        np.zeros(size, dtype=kind_dtype),
        np.zeros(size, dtype=i4),
        np.zeros(size, dtype=i4),
        np.zeros(size, dtype=i4),
        np.zeros(size, dtype=i4),
        np.zeros(1, dtype=np.int64),
    )


@njit(inline="always")
def log_event(
    log: EventLog, t: float, kind: int, actor: int, target: int, place: int, detail: int
) -> None:
    """Append one event (the caller makes sure there is room)."""
    k = log.n[0]
    log.t[k] = t
    log.kind[k] = kind
    log.actor[k] = actor
    log.target[k] = target
    log.place[k] = place
    log.detail[k] = detail
    log.n[0] = k + 1

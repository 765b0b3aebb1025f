"""Telling whoever runs hyosan that it is compiling its kernels (the first run on a machine).

An engine calls `report` while it compiles; whoever shows progress (the `hyosan run` command's
status line) listens with `reporting`. With nobody listening (hyosan used from Python), the
first message of the process is one line on stderr, so that a notebook's first run, which
may take a minute, does not look hung.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["report", "reporting"]

_listeners: list[Callable[[str], None]] = []
#: Whether this process has said it is compiling (to stderr, with nobody listening).
_told = False


@contextmanager
def reporting(listener: Callable[[str], None]) -> Iterator[None]:
    """Within the block, `listener` gets each message about compiling."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(message: str) -> None:
    """Tell the listeners, e.g. "compiling the simulation kernels, once: 3 of 11"."""
    global _told
    for listener in list(_listeners):
        listener(message)
    if not _listeners and not _told:
        _told = True
        print(
            "hyosan: compiling the simulation kernels, once for this machine; this first run "
            "takes longer than the next ones",
            file=sys.stderr,
        )

"""Telling whoever runs hyosan that it is compiling its kernels (the first run on a machine).

An engine calls `report` while it compiles; whoever shows progress (the `hyosan run` command's
status line) listens with `reporting`. Nobody listening, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["report", "reporting"]

_listeners: list[Callable[[str], None]] = []


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
    for listener in list(_listeners):
        listener(message)

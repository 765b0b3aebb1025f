"""Imported only by multiprocessing's fork server (as a preload), never by hyosan itself.

A worker forked while the command is being stopped (Ctrl-C, SIGTERM) can fail as it starts:
the queue's semaphore it unpickles is already gone (FileNotFoundError), or its pipe closed
(EOFError, BrokenPipeError). The fork server's child prints that with sys.excepthook, a
traceback on the user's terminal after a clean "interrupted". Such errors mean the parent is
going away and is already told; the worker now exits without the traceback. Any other start-up
error is printed as before.
"""

from __future__ import annotations

import sys
from types import TracebackType

_PARENT_GONE = (FileNotFoundError, EOFError, BrokenPipeError, ConnectionError, KeyboardInterrupt)
_default = sys.excepthook


def _quiet(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, _PARENT_GONE):
        return
    _default(kind, value, tb)


sys.excepthook = _quiet

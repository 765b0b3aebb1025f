"""Imported only by multiprocessing's fork server (as a preload), never by hyosan itself.

The fork server ignores SIGINT and SIGTERM from here on; the handlers it records after its
preloads are the ones its children (the workers) start with, so they are born ignoring both
and leave Ctrl-C and SIGTERM to the command (see ensemble.lifeline).

A worker forked while the command is being stopped (Ctrl-C, SIGTERM) can fail as it starts:
the queue's semaphore it unpickles is already gone (FileNotFoundError), or its pipe closed
(EOFError, BrokenPipeError). The fork server's child prints that with sys.excepthook, a
traceback on the user's terminal after a clean "interrupted". Such errors mean the parent is
going away and is already told; the worker now exits without the traceback. Any other start-up
error is printed as before.
"""

from __future__ import annotations

import signal
import sys
from types import TracebackType

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)

_PARENT_GONE = (FileNotFoundError, EOFError, BrokenPipeError, ConnectionError, KeyboardInterrupt)
_default = sys.excepthook


def _quiet(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, _PARENT_GONE):
        return
    _default(kind, value, tb)


sys.excepthook = _quiet

"""The `hyosan` command's entry point (`[project.scripts]`, `python -m hyosan`): the signal
handlers first, then the command line.

A Ctrl-C or a SIGTERM can land at any moment, and the command line's imports (typer, rich,
then numpy, numba, pyarrow) take most of a second. Until hyosan.cli.main() installs the
handlers that stop a run cleanly, a signal that lands makes the command say one line and exit
with 128 + the signal's number (130, 143), never a KeyboardInterrupt traceback from inside an
import. So this module imports nothing the interpreter has not already loaded (signal, sys),
and installs the handlers before it imports anything of hyosan's but the package itself.

After the command is done, while the interpreter shuts down (Dask and multiprocessing clean
up there), a signal ends the process at once with the same code and line.

What no hyosan code can cover is the interpreter's own start-up, before it runs this module:
there a SIGTERM kills the process outright (status 143, nothing printed) and a Ctrl-C in the
few tens of milliseconds of `site` shows Python's own KeyboardInterrupt.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

#: The one line each signal prints, as hyosan.cli says it.
_WORDS: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Set once the command has returned: the interpreter is shutting down.
_DONE: list[bool] = []
#: The signals that stopped the command while its imports loaded.
_SIGNALLED: list[int] = []
#: Every signal the handlers (these and hyosan.cli's) were called for.
_LAST: list[int] = []


def signals_seen() -> int:
    """How many SIGINT and SIGTERM the command's handlers have been called for so far.

    A task that failed while this number grew was interrupted, whatever its exception says:
    some libraries turn the KeyboardInterrupt a handler raised into an error of their own
    (pydantic's serializers make it a PydanticSerializationError with no cause).
    """
    return len(_LAST)


def _resend(signum: int) -> None:
    """The signal again in a moment, to land where its exception can stop the command."""
    timer = threading.Timer(0.02, os.kill, (os.getpid(), signum))
    timer.daemon = True
    timer.start()


def _unraisable(info: Any) -> None:
    # An exception raised where Python can only print it as "Exception ignored" (a weakref
    # callback, __del__, a C extension's callback: pyarrow's, say) and go on: one from a
    # signal's handler is sent again rather than printed and lost.
    if issubclass(info.exc_type, KeyboardInterrupt | SystemExit) and _LAST:
        _resend(_LAST[-1])
        return
    sys.__unraisablehook__(info)


def deferred(signum: int, frame: FrameType | None) -> bool:
    """Whether the signal landed where the exception its handler raises would be lost, and
    is sent again in a moment instead (the handlers call this first).

    An exception raised in a weakref callback or a __del__ method is printed as "Exception
    ignored" with a traceback and the program goes on: the import system's module locks have
    such a callback, and the command imports modules as it runs. Places this cannot see (a C
    extension's callback) reach the unraisable hook, which sends the signal again too.
    """
    _LAST.append(signum)
    code = frame.f_code if frame is not None else None
    if code is None or not (
        code.co_filename.startswith("<frozen importlib") or code.co_name == "__del__"
    ):
        return False
    _resend(signum)
    return True


def _stop_quietly(signum: int, frame: FrameType | None) -> None:
    if deferred(signum, frame):
        return
    _SIGNALLED.append(signum)
    try:
        sys.stderr.write(_WORDS.get(signum, "stopped") + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed or gone: the code still says why
        pass
    if _DONE:
        # Shutting down: an exception here would be printed as "ignored" with a traceback by
        # whatever clean-up it lands in; the command's output is already complete.
        os._exit(128 + signum)
    raise SystemExit(128 + signum)


def install() -> None:
    """Make SIGINT and SIGTERM exit quietly (one line, 128 + signal) from now on."""
    for sig in _SIGNALS:
        signal.signal(sig, _stop_quietly)
    sys.unraisablehook = _unraisable


def run(command: Callable[[], Any]) -> Any:
    """Run the command line's `main` between the quiet handlers; the exit code is its own.
    The process ends after it (the console script, `python -m hyosan`, `python -m
    hyosan.cli`)."""
    install()
    try:
        return command()
    except KeyboardInterrupt:  # one landing between hyosan.cli's handler and its try
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    finally:
        _DONE.append(True)
        install()  # hyosan.cli.main put back ours; a caller's code may have changed them
        # The interpreter's teardown runs full garbage collections over the objects Numba,
        # matplotlib and pyarrow leave (some 200,000), which took 0.3 s of a 3 s `hyosan
        # run`; frozen, they are freed as their modules are cleared, by reference counts,
        # without those passes. Nothing waits on them: atexit handlers, weakref finalizers
        # and open files are dealt with as before.
        gc.freeze()


def main() -> Any:
    """The `hyosan` command: handlers first, then the command line's imports and its main."""
    install()
    try:
        from hyosan.cli import main as command  # the imports the handlers are there for
    except Exception:
        if _SIGNALLED:  # a library turned the handler's SystemExit into an error of its own
            raise SystemExit(128 + _SIGNALLED[-1]) from None
        raise
    return run(command)

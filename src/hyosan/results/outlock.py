"""One writer per output directory: a lock beside OUT, held from before any work to the publish.

The lock is `fcntl.flock` on the file `.OUT.lock` beside OUT. The kernel releases a flock when
its holder exits, however it exits (SIGKILL included), so a dead process never keeps a lock;
the file also records the holder's pid, host and start time, so that a refused command can
name its holder, and a file left by a killed holder (we get the lock, yet the file names
someone) is taken over with a note. The holder deletes the file when it is done.

Deleting a flock'ed file races with a process that opened it just before: that process may
lock the deleted file while a third one creates and locks a new one. So after locking, the
path must still be the file we locked (same inode), or we start again.

Locks are re-entrant within one process: the command line takes the lock before simulating,
and `write_run` (which the Python API calls alone) takes it again without deadlocking.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from hyosan.errors import HyosanError

__all__ = ["OutputBusyError", "lock_path_for", "output_lock"]


class OutputBusyError(HyosanError):
    """Another live process is writing the same output directory."""


#: Locks this process holds: lock path -> [fd, depth].
_HELD: dict[str, list[int]] = {}


def _absolute(out: Path) -> Path:
    # Not resolve(): a symlinked parent is the user's choice, and OUT may not exist yet.
    return Path(os.path.abspath(out))


def lock_path_for(out: str | Path) -> Path:
    """The lock file of output directory `out`: `.NAME.lock` beside it."""
    path = _absolute(Path(out))
    return path.parent / f".{path.name}.lock"


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _read_holder(fd: int) -> dict[str, object] | None:
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(holder: dict[str, object] | None) -> str:
    if not holder:
        return "a process that has not yet written its name"
    return (
        f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')}, "
        f"started {holder.get('started', '?')}"
    )


def _acquire(path: Path, out: Path) -> int:
    """Lock `path` (creating it) and write our name into it; the open descriptor."""
    import fcntl

    for _ in range(100):  # each retry means the file was replaced under us: rare
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise OutputBusyError(
                f"{out} is being written by another hyosan command ({_describe(holder)}); "
                f"wait for it to finish or choose another --out (lock file: {path})"
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                os.close(fd)
                raise
            # A file system without locks (some network mounts): go on unprotected, and say so.
            _say(f"warning: cannot lock {path} ({exc.strerror}); nothing stops a second writer")
            return fd
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # its holder deleted it between our open and our lock: start again
            os.close(fd)
            continue
        previous = _read_holder(fd)
        if previous:
            _say(f"note: took over the lock {path} of {_describe(previous)}, no longer running")
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode("utf-8"), 0)
        return fd
    raise OutputBusyError(f"{out}: the lock file {path} keeps changing; is something deleting it?")


@contextmanager
def output_lock(out: str | Path) -> Iterator[Path]:
    """Hold the lock of output directory `out` for the block; yield the lock file's path.

    Raises
    ------
    OutputBusyError
        Another live process holds it (the message names it and the lock file).
    HyosanError
        The lock file cannot be created beside `out` (a parent that is a file, no permission,
        a name too long).
    """
    path = lock_path_for(out)
    key = str(path)
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield path
        finally:
            _HELD[key][1] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _acquire(path, Path(out))
    except OSError as exc:
        raise HyosanError(
            f"cannot write {out}: {exc.strerror or exc} ({exc.filename or path}); "
            "choose another --out"
        ) from None
    _HELD[key] = [fd, 1]
    try:
        yield path
    finally:
        del _HELD[key]
        # Delete while still holding the lock, then let go: see the module's note on the race.
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                path.unlink()
        except OSError:
            pass
        os.close(fd)

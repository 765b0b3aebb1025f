"""Publishing an output directory (a run's or an ensemble's) whole, and only where it may go.

Used by both run directories (results.rundir) and ensemble directories (ensemble.driver), and
always under the output lock (results.outlock), so that nothing else writes beside OUT:

- `prepare_output` refuses a target that is not ours to write (the current directory or one of
  its parents, a file, an existing directory without `force`, and with `force` anything that
  is not a run or ensemble directory hyosan wrote), after recovering what a killed process left;
- `claim_output` holds OUT's lock for a block of work, having refused OUT first, and
  `publish_output` claims OUT and publishes a directory built for it in one call;
- `publish_dir` builds the new directory in a hidden sibling `.OUT.<pid>-<random>.partial` and
  puts it in place. Replacing an existing OUT is one atomic exchange where the system has one
  (Linux renameat2 RENAME_EXCHANGE); elsewhere two renames, OUT to `.OUT.replaced` then the
  new one to OUT. Either way there is no moment without a complete copy reachable: if the
  process dies between the two renames, the old copy waits in `.OUT.replaced` and the next
  command on OUT puts it back (`recover`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.errors import HyosanError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "claim_output",
    "io_error_message",
    "is_io_error",
    "not_hyosan_output",
    "prepare_output",
    "publish_dir",
    "publish_output",
    "recover",
]

#: Every file a run or ensemble directory (with its report) may hold.
KNOWN_FILES = frozenset(
    {
        "scenario.toml",
        "scenario-b.toml",
        "summary.json",
        "timeseries.parquet",
        "places.parquet",
        "events.parquet",
        "runs.parquet",
        "bands.parquet",
        "incidence_bands.parquet",
        "phase.png",
        "report.html",
        "timeseries.png",
        "first-zombie.png",
        "outbreak.gif",
        "bands.png",
        "epidemic-bands.png",
        "outcomes.png",
        "incidence.parquet",
        "epidemic.png",
        "places.geojson",
        "sensitivity.json",
        "sensitivity.png",
    }
)
#: Ensemble kinds as summary.json names them (a sample is a sweep whose points SALib drew).
ENSEMBLE_KINDS = ("ensemble", "sweep", "compare", "sample")

#: Every file a fit directory may hold (hyosan fit), and a comparison of fits beside its fits.
FIT_FILES = frozenset(
    {"fit.json", "posterior.parquet", "scenario.toml", "bands.parquet", "report.html"}
)
COMPARISON_FILES = frozenset({"comparison.json", "comparison.html"})

#: Longest OUT name accepted, in bytes: its hidden siblings add up to 30 bytes to the 255 allowed.
MAX_OUT_NAME_BYTES = 200

#: Errors of the file system that are the user's to fix (space, permissions, paths).
_IO_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ELOOP,
        errno.EMFILE,
    }
)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def is_io_error(exc: BaseException) -> bool:
    """True for an OSError that the user can fix (a full disk, permissions, a bad path)."""
    return isinstance(exc, OSError) and exc.errno in _IO_ERRNOS


def io_error_message(exc: OSError, what: str) -> str:
    """`cannot write WHAT: REASON (PATH); what to do` for an OSError."""
    where = exc.filename or what
    hint = {
        errno.ENOSPC: "free some space or choose another --out",
        errno.EDQUOT: "free some space or choose another --out",
        errno.EROFS: "the file system is read-only; choose another --out",
        errno.EACCES: "no permission; choose another --out",
        errno.EPERM: "no permission; choose another --out",
        errno.ENAMETOOLONG: "choose a shorter --out",
    }.get(exc.errno or 0, "choose another --out")
    return f"cannot write {what}: {exc.strerror or exc} ({where}); {hint}"


#: The files that mark a directory as one of hyosan's outputs (not_hyosan_output checks it).
OUTPUT_MARKERS = ("summary.json", "fit.json", "comparison.json")


def _foreign(entries: list[Path], known: frozenset[str]) -> str | None:
    # The entries that are not files of `known` (hidden `.partial` leftovers of an interrupted
    # report, and the hidden `.NAME.lock` of a command writing beside them, aside), named;
    # None if there are none.
    foreign = sorted(
        p.name
        for p in entries
        if not (p.name in known and p.is_file() and not p.is_symlink())
        and not (
            p.name.startswith(".")
            and (".partial" in p.name or p.name.endswith(".lock"))
            and p.is_file()
        )
    )
    if not foreign:
        return None
    shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
    return f"it holds files hyosan does not write ({shown})"


def _kind_of(path: Path, name: str) -> str | None:
    # The `kind` in path/name (a JSON object), or None when it is absent or not hyosan's.
    try:
        data = json.loads((path / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(data.get("kind")) if isinstance(data, dict) else None


def _not_fit_output(path: Path, entries: list[Path]) -> str | None:
    # not_hyosan_output for a fit directory, or a comparison of fits (its fits in folders).
    if _kind_of(path, "fit.json") == "fit":
        why = _foreign(entries, FIT_FILES)
        if why is None and not (path / "posterior.parquet").is_file():
            why = "it lacks posterior.parquet"
        return why
    if _kind_of(path, "comparison.json") != "fit-comparison":
        return "it has no summary.json or fit.json written by hyosan"
    folders = [p for p in entries if p.is_dir() and not p.is_symlink()]
    why = _foreign([p for p in entries if p not in folders], COMPARISON_FILES)
    for folder in folders:
        if why is None:
            inner = not_hyosan_output(folder)
            why = None if inner is None else f"its folder {folder.name}: {inner}"
    return why


def not_hyosan_output(path: Path) -> str | None:
    """Why `path` is not an output directory written by hyosan; None if it is one.

    It is one when its summary.json carries `hyosan_version` (a run or an ensemble), or its
    fit.json or comparison.json says it is a fit or a comparison of fits, it holds the files of
    its kind, and nothing else (hidden `.partial` leftovers of an interrupted report aside): a
    directory holding the user's own files is never one, whatever else it holds. An empty
    directory counts as one: it holds nothing to lose.
    """
    try:
        entries = list(path.iterdir())
    except OSError as exc:
        return f"it cannot be listed ({exc.strerror})"
    if not entries:
        return None  # an empty directory: nothing to lose
    if not (path / "summary.json").exists():
        return _not_fit_output(path, entries)
    try:
        data = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "it has no summary.json written by hyosan"
    if not isinstance(data, dict) or "hyosan_version" not in data:
        return "its summary.json was not written by hyosan"
    foreign = _foreign(entries, KNOWN_FILES)
    if foreign:
        return foreign
    needed = ["runs.parquet"] if data.get("kind") in ENSEMBLE_KINDS else ["timeseries.parquet"]
    missing = [n for n in ["scenario.toml", *needed] if not (path / n).is_file()]
    if missing:
        return f"it lacks {', '.join(missing)}"
    return None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _partial_pattern(name: str) -> re.Pattern[str]:
    # `.NAME.<pid>-<8 of mkdtemp's characters>.partial`, or without the pid (hyosan 0.1):
    # strict, so that OUT "a" never matches the leftovers of OUT "a.b".
    return re.compile(rf"^\.{re.escape(name)}\.(?:(\d+)-)?[a-z0-9_]{{8}}\.partial$")


def recover(out: Path) -> None:
    """Put back what a killed process left beside `out`, saying what it did (under the lock).

    `.OUT.replaced` without OUT: a replacement died between its two renames; the old copy is
    restored. `.OUT.replaced` beside OUT: it died before deleting the old copy; deleted.
    `.OUT.*.partial` of a dead process: an unfinished directory; deleted.
    """
    old = out.parent / f".{out.name}.replaced"
    if old.is_dir() and not old.is_symlink():
        if out.exists() or out.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
            _say(f"note: removed {old}, an old copy of {out} left by an interrupted --force")
        else:
            old.rename(out)
            _say(f"note: restored {out} from {old}, where an interrupted --force had left it")
    pattern = _partial_pattern(out.name)
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return
    for path in siblings:
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        if match[1] is not None and _pid_alive(int(match[1])):
            continue  # a live process of an older hyosan, which took no lock: leave it be
        shutil.rmtree(path, ignore_errors=True)
        who = f"process {match[1]}" if match[1] else "a killed process"
        _say(f"note: removed {path}, an unfinished directory left by {who}")


def prepare_output(out: Path, *, force: bool) -> None:
    """Recover leftovers beside `out`, then refuse it unless it may be written (with `force`)."""
    absolute = Path(os.path.abspath(out))
    cwd = Path.cwd()
    if absolute == Path(absolute.anchor) or absolute == cwd or absolute in cwd.parents:
        raise HyosanError(
            f"--out {out}: that is the current directory, one of its parents or the root; "
            "an output directory must be one of its own, such as runs/mine"
        )
    if len(os.fsencode(absolute.name)) > MAX_OUT_NAME_BYTES:
        raise HyosanError(
            f"--out {str(out)[:60]}...: its name is {len(os.fsencode(absolute.name))} bytes "
            f"long; at most {MAX_OUT_NAME_BYTES}"
        )
    _refuse_inside(out)
    recover(absolute)
    if not (out.exists() or out.is_symlink()):
        return
    if not out.is_dir():
        raise HyosanError(f"{out} exists and is not a directory; choose another --out")
    if not force:
        if not out.is_symlink() and _empty(out):
            return  # an empty folder made for the output (mkdir runs/mine) holds nothing to lose
        raise HyosanError(
            f"{out} already exists; choose another --out or add --force to replace it"
        )
    why = not_hyosan_output(out)
    if why is not None:
        raise HyosanError(
            f"--force replaces only an output directory written by hyosan (a run, an "
            f"ensemble or a fit), and {out} is not one: {why}; move it away or choose another "
            "--out"
        )


def _refuse_inside(out: Path) -> None:
    """Refuse an `out` inside a directory hyosan wrote (a run, an ensemble, a fit): written
    there, it would be a folder hyosan does not write in that directory, which --force would
    then refuse to replace."""
    for parent in Path(os.path.abspath(out)).parents:
        marked = any((parent / name).is_file() for name in OUTPUT_MARKERS)
        if marked and not_hyosan_output(parent) is None:
            raise HyosanError(
                f"--out {out}: that is inside {parent}, an output directory of hyosan's; "
                "choose a directory outside it"
            )


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False  # this file system cannot: fall back to two renames
    raise OSError(err, os.strerror(err), str(b))


def publish_dir(out: Path, build: Callable[[Path], object], *, force: bool = False) -> Path:
    """Call `build(folder)` on a new hidden folder beside `out`, then put it at `out`.

    Call it under the output lock, after `prepare_output`. `out` is at every moment absent (if
    it was), the old complete directory or the new one; see the module's note.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    # Absolute, so that pyarrow, handed the files' paths, never reads `x:/y` as a URI.
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", suffix=".partial", dir=out.parent)
    ).absolute()
    old = out.parent / f".{out.name}.replaced"
    try:
        build(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; an output directory is an ordinary one
        if not out.exists():
            tmp.rename(out)
            return out
        prepare_output(out, force=force)  # still one of ours, and still allowed
        if not _exchange(tmp, out):
            out.rename(old)
            tmp.rename(out)
            tmp = old
        # tmp now holds the old directory.
    except BaseException:
        if old.exists() and not out.exists():  # died between the two renames: put it back
            with contextlib.suppress(OSError):
                old.rename(out)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    return out


@contextmanager
def claim_output(out: Path, *, force: bool) -> Iterator[None]:
    """Hold OUT's lock (results.outlock) for the block, once `prepare_output` has let OUT be
    written: a command takes it before its work, so that a second command into the same OUT,
    or an OUT it may not write, is refused at once rather than after the work."""
    from hyosan.results.outlock import output_lock

    _refuse_inside(out)  # before the lock, whose file (and folders) would be made inside
    with output_lock(out):
        prepare_output(out, force=force)
        yield


def publish_output(out: Path, build: Callable[[Path], object], *, force: bool = False) -> Path:
    """Claim OUT and publish there the directory `build` writes (publish_dir)."""
    with claim_output(out, force=force):
        return publish_dir(out, build, force=force)

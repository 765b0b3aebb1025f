"""Limits checked before work: memory a run would need against the memory there is.

Input within the schema's bounds can still ask for more than the machine has (a random graph
of 2e7 places of degree 1,000: 164 GiB; 10,000 snapshots of a 1000 x 1000 lattice: 112 GiB),
and would fail with a MemoryError minutes later, or get the machine's OOM killer. So the big
allocations are estimated up front and refused (exit 2, with the figure and what to change)
when they exceed the memory available: MemAvailable, or the cgroup's limit if lower.

The commands' `--ignore-limits` flag says go anyway (a machine whose swap or later free memory
the estimate cannot see), as `HYOSAN_IGNORE_LIMITS=1` in the environment does for the Python
API; the estimates are deliberately rough (within ~2x).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hyosan.errors import HyosanError

__all__ = ["GO_ANYWAY", "available_memory", "check_memory", "limits_ignored", "limits_lifted"]

#: How a refusal says to go anyway.
GO_ANYWAY = "add --ignore-limits (or set HYOSAN_IGNORE_LIMITS=1) to try anyway"


def limits_ignored() -> bool:
    """True when the user asked to skip these checks (--ignore-limits, HYOSAN_IGNORE_LIMITS=1)."""
    return os.environ.get("HYOSAN_IGNORE_LIMITS", "") not in ("", "0")


@contextmanager
def limits_lifted(lift: bool = True) -> Iterator[None]:
    """Skip the checks while the block runs, if `lift` (a command's --ignore-limits).

    Through the environment variable, so that the worker processes an ensemble starts in the
    block skip them too; the variable is put back as it was afterwards.
    """
    if not lift:
        yield
        return
    before = os.environ.get("HYOSAN_IGNORE_LIMITS")
    os.environ["HYOSAN_IGNORE_LIMITS"] = "1"
    try:
        yield
    except MemoryError as exc:  # told to go past the estimates: the machine's limit, not a bug
        raise HyosanError(f"out of memory, past the estimates (--ignore-limits): {exc}") from None
    finally:
        if before is None:
            os.environ.pop("HYOSAN_IGNORE_LIMITS", None)
        else:
            os.environ["HYOSAN_IGNORE_LIMITS"] = before


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def available_memory() -> int:
    """Bytes of memory this process can still use (a generous 64 GiB where it cannot tell)."""
    found = [v for v in (_meminfo_available(), _cgroup_limit()) if v is not None]
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return 64 * 2**30
    return min(found)


def _gib(n: float) -> str:
    return f"{n / 2**30:.3g} GiB" if n >= 2**30 else f"{n / 2**20:.3g} MiB"


def check_memory(need: float, what: str, hint: str) -> None:
    """Raise HyosanError if `need` bytes (for `what`) exceed the memory available."""
    if limits_ignored():
        return
    have = available_memory()
    if need > have:
        raise HyosanError(
            f"{what} needs about {_gib(need)} of memory, and {_gib(have)} is available; "
            f"{hint} (or {GO_ANYWAY})"
        )

"""Numba's on-disk cache for the building run's kernels, kept fresh by their sources' content.

Numba throws a function's cached code away when the function's own file changes, and only
then. But the step loop's cached code holds every phase it calls, and a phase's holds every
helper pasted into it from other modules (awareness.py into people.py, sounds.py into several):
after an edit to one of those, the old code ran on until someone cleared the cache by hand.
Here each kernel's cache index also records a digest of every source file the kernels are
compiled from (`kernel_sources`); when any of them changes, every kernel's cached code is stale
and is compiled again, once, on its next use. The digest is read once per process (about a
millisecond).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from numba.core.caching import FunctionCache

__all__ = ["SourcesCache", "kernel_sources", "sources_digest"]

_PHASES = Path(__file__).resolve().parent
_AGENTS = _PHASES.parent


def kernel_sources() -> list[Path]:
    """The files the building run's kernels are compiled from: the phases, the step loop, the
    state and parameters they read, the kernel pieces every engine shares, and the passes that
    paste helpers into the phases, compute liveness, build SSA form and lower them."""
    return [
        *sorted(_PHASES.glob("*.py")),
        _AGENTS / "step.py",
        _AGENTS / "state.py",
        _AGENTS / "params.py",
        _AGENTS.parent / "kernel.py",
        _AGENTS.parent / "inlining.py",
        _AGENTS.parent / "liveness.py",
        _AGENTS.parent / "single_assignment.py",
        _AGENTS.parent / "lowering.py",
        _AGENTS.parent / "library.py",
    ]


@functools.cache
def sources_digest() -> str | None:
    """A digest of the kernels' sources, or None where they cannot be read (a zip, frozen)."""
    digest = hashlib.sha256()
    try:
        for path in kernel_sources():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


class SourcesCache(FunctionCache):
    """Numba's cache of one function, whose index is stale once the kernels' sources change."""

    def __init__(self, py_func: Any) -> None:
        super().__init__(py_func)
        digest = sources_digest()
        index = getattr(self, "_cache_file", None)
        if digest is not None and hasattr(index, "_source_stamp"):
            # Numba keeps the index only while this stamp (the file's own) is unchanged.
            index._source_stamp = (index._source_stamp, digest)  # type: ignore[union-attr]

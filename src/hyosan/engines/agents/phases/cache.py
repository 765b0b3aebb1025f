"""Numba's on-disk cache for the building run's kernels, kept fresh by their sources' content.

Numba throws a function's cached code away when the function's own file changes, and only
then. But the step loop's cached code holds every phase it calls, and a phase's holds every
helper pasted into it from other modules (awareness.py into people.py, sounds.py into several):
after an edit to one of those, the old code ran on until someone cleared the cache by hand.
Here each kernel's cache index also records a digest of every source file the kernels are
compiled from (`kernel_sources`); when any of them changes, every kernel's cached code is stale
and is compiled again, once, on its next use (engines/code_cache.py, which the ssa and tau
kernels use too). The digest is read once per process (about a millisecond).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from hyosan.engines.code_cache import SourcesCache as _SourcesCache
from hyosan.engines.code_cache import digest_of

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
        _AGENTS.parent / "code_cache.py",  # how these caches are kept: not compiled, imported here
    ]


@functools.cache
def sources_digest() -> str | None:
    """A digest of the kernels' sources, or None where they cannot be read (a zip, frozen)."""
    return digest_of(kernel_sources())


class SourcesCache(_SourcesCache):
    """Numba's cache of one function, whose index is stale once the kernels' sources change."""

    def __init__(self, py_func: Any) -> None:
        super().__init__(py_func, sources_digest())

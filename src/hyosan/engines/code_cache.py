"""Numba's on-disk cache of a kernel, kept only while the sources it is compiled from are unchanged.

Numba throws a function's cached machine code away when the function's own file changes, and
only then. A kernel's cached code also holds every helper pasted into it from other modules
(tau/kernels.py into tau/local.py's step loop, ssa/events.py into ssa/kernels.py's), every
compiled function it calls and links with (ssa/groups.py, tau/draws.py), and what hyosan's
compiler passes made of them (engines/inlining.py, lowering.py ...). After an edit to any of
those, the old code ran on until someone cleared the cache by hand. A pip install gives every
file a new time, so users were not hit; a developer editing in place was, silently.

`SourcesCache` is Numba's cache of one function whose index also records a digest of a set of
sources: when any of them changes, the cached code is stale and compiled again, once, on its
next use. `kept_fresh` gives the ssa and tau engines' kernels such a cache over every module
of the engines outside the building run (`engine_sources`); the building run keeps its own
set (agents/phases/cache.py). The digest is read once per process (about a millisecond).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from numba.core.caching import FunctionCache

__all__ = ["SourcesCache", "digest_of", "engine_sources", "engines_digest", "kept_fresh"]

_ENGINES = Path(__file__).resolve().parent

F = TypeVar("F")


def digest_of(paths: Iterable[Path]) -> str | None:
    """A digest of the files' names and bytes, or None where one cannot be read (a zip, frozen)."""
    digest = hashlib.sha256()
    try:
        for path in paths:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def engine_sources() -> list[Path]:
    """The files the ssa and tau kernels may be compiled from: every module of hyosan's engines
    but the building run's (agents/), in a fixed order. A few more than each kernel reads, so
    that a new helper module needs no entry here."""
    agents = _ENGINES / "agents"
    return sorted(p for p in _ENGINES.rglob("*.py") if agents not in p.parents)


@functools.cache
def engines_digest() -> str | None:
    """The digest of `engine_sources`, read once per process."""
    return digest_of(engine_sources())


class SourcesCache(FunctionCache):
    """Numba's cache of one function, whose index is stale once `digest` changes."""

    def __init__(self, py_func: Any, digest: str | None) -> None:
        super().__init__(py_func)  # type: ignore[no-untyped-call]
        index = getattr(self, "_cache_file", None)
        if digest is not None and hasattr(index, "_source_stamp"):
            # Numba keeps the index only while this stamp (the file's own) is unchanged.
            index._source_stamp = (index._source_stamp, digest)  # type: ignore[union-attr]


def kept_fresh(dispatcher: F) -> F:
    """A dispatcher made with cache=True, its cache replaced by one that is kept only while
    the engines' sources are unchanged. Use as a decorator above `@nb.njit(cache=True, ...)`."""
    found: Any = dispatcher
    found._cache = SourcesCache(found.py_func, engines_digest())
    return dispatcher

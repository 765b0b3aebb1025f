"""How the building run's step loop and its phases are compiled.

Without Numba's reference counting (`_nrt=False`): the step loop and its phases only read and
write arrays the engine owns (they allocate none), and passing a NamedTuple of arrays to a
function, or to a helper pasted into a loop, otherwise costs two atomic reference-count
updates per array per call, which made a run eight times slower than one big function.

- `phase`: a phase of the step, compiled and cached on its own, without a Python wrapper (the
  step loop calls it; a wrapper would unbox every array of every NamedTuple, which is much of
  a phase's compile time). Pasting the phases into the step loop instead (`inline="always"`)
  ran no faster and compiled for 42 s CPU against 26 s on the first run (Numba types a pasted
  function again at each place it is pasted). Tests call a phase through `from_python`;
- `inlined`: a helper called per person or per room inside a phase, pasted into it, so such
  calls cost nothing. Pasting costs compile time at each call site, not once per signature,
  but each helper compiled on its own instead (and pasted by LLVM, `alwaysinline`) made the
  cold start longer (27.7 s CPU against 24.8 s, on one core): each of some forty helpers paid
  a compile's fixed cost, the larger as it takes the big NamedTuples. A tiny helper called
  with many argument types (`set_state`, with literal states) is pasted, not compiled once per
  type;
- `compiled`: the step loop, and the few functions also called from Python between steps
  (adding a sound), compiled on their own and cached.

`phase` and `compiled` lower through `LeanCompiler` (engines/lowering.py: the same machine code,
compiled in about half the CPU time) and paste helpers through its pasting pass
(engines/inlining.py: the same IR, without Numba's copying of a helper's scope once per block),
without the C-callable wrapper Numba adds by default (no one takes their address), with a Python
wrapper, where there is one, not optimised (engines/library.py), and keep their cached code only
while the kernels' sources are unchanged (cache.py: the step loop's cached code holds the phases
it was linked with, and a phase's the helpers pasted into it from other modules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from numba import njit as _typed_njit

from hyosan.engines.agents.phases.cache import SourcesCache
from hyosan.engines.lowering import LEAN_LOWERING, LeanCompiler

__all__ = ["compiled", "from_python", "inlined", "phase"]

# `_nrt` and `no_cpython_wrapper` are options Numba takes but its type hints do not list.
njit: Any = _typed_njit

F = TypeVar("F", bound=Callable[..., Any])

#: Numba's options for the kernels compiled on their own.
_OWN: dict[str, Any] = {"_nrt": False, "no_cfunc_wrapper": True}
if LEAN_LOWERING:
    _OWN["pipeline_class"] = LeanCompiler

inlined = njit(inline="always", _nrt=False)


def _kept_while_sources_unchanged(dispatcher: Any) -> Any:
    """The dispatcher, its cache (cache=True made one) replaced by a `SourcesCache`."""
    dispatcher._cache = SourcesCache(dispatcher.py_func)
    return dispatcher


def phase(fn: F) -> F:
    """A phase of the step: compiled and cached on its own, called only by compiled code."""
    return _kept_while_sources_unchanged(njit(cache=True, no_cpython_wrapper=True, **_OWN)(fn))


def compiled(fn: F) -> F:
    """A kernel called from Python (the step loop, adding a sound): compiled and cached."""
    return _kept_while_sources_unchanged(njit(cache=True, **_OWN)(fn))


def from_python(fn):  # type: ignore[no-untyped-def]
    """A phase (compiled without a Python wrapper) as a function Python can call: for tests."""

    def call(*args):  # type: ignore[no-untyped-def]
        return fn(*args)

    return njit(**_OWN)(call)

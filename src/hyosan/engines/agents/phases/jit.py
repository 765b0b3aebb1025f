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
  calls cost nothing;
- `compiled`: the step loop, and the few functions also called from Python between steps
  (adding a sound, a change of state), compiled on their own and cached.

Numba's cache keys a compiled function on its own file only, and the step loop's cached code
holds the phases it was linked with: after changing a phase, clear the cache (remove the
`__pycache__` folders under engines/) or the step loop runs the old code.
"""

from __future__ import annotations

from typing import Any

from numba import njit as _typed_njit

__all__ = ["compiled", "from_python", "inlined", "phase"]

# `_nrt` and `no_cpython_wrapper` are options Numba takes but its type hints do not list.
njit: Any = _typed_njit

compiled = njit(cache=True, _nrt=False)
inlined = njit(inline="always", _nrt=False)
phase = njit(cache=True, _nrt=False, no_cpython_wrapper=True)


def from_python(fn):  # type: ignore[no-untyped-def]
    """A phase (compiled without a Python wrapper) as a function Python can call: for tests."""

    def call(*args):  # type: ignore[no-untyped-def]
        return fn(*args)

    return njit(_nrt=False)(call)

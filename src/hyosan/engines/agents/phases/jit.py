"""How the building run's step loop and its phases are compiled.

Without Numba's reference counting (`_nrt=False`): the step loop and its phases only read and
write arrays the engine owns (they allocate none), and passing a NamedTuple of arrays to a
function, or to a helper pasted into a loop, otherwise costs two atomic reference-count
updates per array per call, which made a run eight times slower than one big function.

- `inlined`: a phase, or a helper, pasted into its caller (Numba's `inline="always"`). A run
  compiles one entry point, the step loop, with its phases pasted in; a test that calls a
  phase compiles it on its own. Compiling each phase as an entry point of its own (with its
  Python wrapper, which unboxes every array of every NamedTuple) took longer, and calls across
  phases pass about a hundred arrays each;
- `compiled`: the step loop, and the few functions also called from Python between steps
  (adding a sound, a change of state), compiled on their own and cached.

Numba's cache keys a compiled function on its own file only: after changing a phase, clear the
cache (remove the `__pycache__` folders under engines/) or the step loop runs the old code.
"""

from __future__ import annotations

from numba import njit

__all__ = ["compiled", "inlined"]

compiled = njit(cache=True, _nrt=False)
inlined = njit(inline="always", _nrt=False)

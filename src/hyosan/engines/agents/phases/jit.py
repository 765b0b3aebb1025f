"""How the building run's step loop and its phases are compiled.

Without Numba's reference counting (`_nrt=False`): the step loop and its phases only read and
write arrays the engine owns (they allocate none), and passing a NamedTuple of arrays to a
function, or to a helper pasted into a loop, otherwise costs two atomic reference-count
updates per array per call, which made a run eight times slower than one big function.

- `compiled`: a phase, or anything called once per step, compiled on its own and cached;
- `inlined`: a helper called in a loop, pasted into its caller (Numba's `inline="always"`).
"""

from __future__ import annotations

from numba import njit

__all__ = ["compiled", "inlined"]

compiled = njit(cache=True, _nrt=False)
inlined = njit(inline="always", _nrt=False)

"""Numba's SSA reconstruction, walking only the blocks that name the variable it fixes.

Numba puts a function's IR in SSA form (`ReconstructSSA`) one variable at a time: for each
variable assigned more than once, one walk over every statement of every block gives each
assignment a fresh name, and a second walk points each use at the definition that reaches it,
adding phi nodes where paths meet. After the helpers are pasted, tau's local stepping is
about 1,500 blocks, and the variables assigned more than once number in the thousands, most of
them named in a few blocks only: the walks took 13 of the 52 s of CPU of its first compile.

In a block that does not name the variable, both walks keep every statement as it is (they
change only statements that assign or read it) and only copy the block. `leaner_ssa()` has
Numba's walks skip such blocks, copying them as Numba would: which names each block holds is
read once, from the IR as the reconstruction starts (renaming one variable never makes a block
name another). Phi nodes go where Numba puts them, from the same dominance frontiers. The IR
that comes out is Numba's, statement for statement, so the machine code and every number drawn
are the same.

The ssa and tau kernels' pipeline (ssa/pipeline.py) and the agents engine's
(engines/lowering.py) compile under it. On a Numba whose SSA module lacks what this
replaces (`LEANER_SSA` false), Numba's own walks run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from numba.core import ir
from numba.core import ssa as _numba_ssa

__all__ = ["LEANER_SSA", "leaner_ssa"]

#: Whether Numba's SSA module has the two functions replaced here (Numba 0.50 and later).
LEANER_SSA = all(hasattr(_numba_ssa, name) for name in ("_run_ssa", "_run_block_rewrite"))

# The names each block holds, by label, for the reconstruction under way (None: none is).
_named: dict[int, frozenset[str]] | None = None


def _names_by_block(blocks: dict[int, Any]) -> dict[int, frozenset[str]]:
    return {
        label: frozenset(var.name for stmt in block.body for var in stmt.list_vars())
        for label, block in blocks.items()
    }


def _rewrite(blocks: dict[int, Any], states: dict[str, Any], handler: Any) -> dict[int, Any]:
    # Numba's walk of every block with `handler`, but a block without the variable copied.
    global _named
    if _named is None:
        _named = _names_by_block(blocks)
    name = states["varname"]
    walked: dict[int, Any] = {}
    for label, block in blocks.items():
        if name in _named.get(label, (name,)):
            walked.update(_numbas_rewrite({label: block}, states, handler))
        else:
            copied = ir.Block(scope=block.scope, loc=block.loc)
            copied.body = list(block.body)
            walked[label] = copied
    return walked


def _run_ssa(blocks: dict[int, Any]) -> dict[int, Any]:
    # Numba's reconstruction, with the names of its blocks read afresh.
    global _named
    _named = None
    try:
        return _numbas_run_ssa(blocks)
    finally:
        _named = None


if LEANER_SSA:
    _numbas_rewrite = _numba_ssa._run_block_rewrite
    _numbas_run_ssa = _numba_ssa._run_ssa


@contextmanager
def leaner_ssa() -> Iterator[None]:
    """Numba's SSA reconstruction skipping the blocks that do not name the variable it fixes,
    within the block (see the module docstring)."""
    if not LEANER_SSA:
        yield
        return
    # What was there before, not Numba's own: a compile nested in another (a phase typed
    # within the agents engine's step loop) must hand the outer one back what it had.
    was = _numba_ssa._run_ssa, _numba_ssa._run_block_rewrite
    _numba_ssa._run_ssa, _numba_ssa._run_block_rewrite = _run_ssa, _rewrite
    try:
        yield
    finally:
        _numba_ssa._run_ssa, _numba_ssa._run_block_rewrite = was

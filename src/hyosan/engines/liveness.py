"""Numba's liveness analysis with its sets of variables held as the bits of integers.

Numba recomputes which variables are live at the entry of each block after most passes
that change the IR (`PostProcessor`, dead-code removal), with `analysis.compute_live_map`: a
fix-point over the blocks in which each block's set of the variables that reach it, defined
or used on some path to it, is a Python set, merged into each successor's. After the helpers
are pasted, tau's local stepping is one function of about 1,500 blocks and thousands of
variables, so each merge copies sets of thousands of strings: 1,537 such analyses took 32 s of
the 95 s of CPU that its first compile took.

`live_map` computes the same map with each set as an integer, one bit a variable, so that a
merge is an OR of a few hundred machine words; only the live sets it returns are made into
sets of names. Both are least fix-points of the same equations (the variables defined or used
in a block reach it and every block after it; a variable used in a block is live at its
entry, and at a predecessor's entry where it reaches the predecessor and the predecessor
does not define it), which have one solution whatever the order of evaluation, so the two
maps are equal: on tau's local stepping, all 1,537 of them. The IR, the machine code and every
number drawn stay the same.

`bits_for_liveness()` puts `live_map` in Numba's place for the length of a compile; the
pipelines of the ssa and tau kernels (ssa/pipeline.py) and of the agents engine's phases
(engines/lowering.py) compile under it. Numba compiles under one global lock, so no other
compile sees the change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from numba.core import analysis, ir_utils

__all__ = ["bits_for_liveness", "live_map"]

#: The function replaced, in numba.core.analysis and numba.core.ir_utils.
_NAME = "compute_live_map"


def live_map(
    cfg: Any,
    blocks: Mapping[int, Any],
    var_use_map: Mapping[int, set[str]],
    var_def_map: Mapping[int, set[str]],
) -> dict[int, set[str]]:
    """The variables live at the entry of each block: `analysis.compute_live_map`'s result."""
    names = sorted(set().union(*var_use_map.values(), *var_def_map.values()))
    bit = {name: 1 << i for i, name in enumerate(names)}

    def bits(found: set[str]) -> int:
        value = 0
        for name in found:
            value |= bit[name]
        return value

    use = {b: bits(found) for b, found in var_use_map.items()}
    define = {b: bits(found) for b, found in var_def_map.items()}
    order = list(cfg.topo_order())
    after = {b: [s for s, _ in cfg.successors(b)] for b in order}
    before = {b: [p for p, _ in cfg.predecessors(b)] for b in order}

    # What reaches each block: forward, in topological order (back edges need a few rounds).
    reach: dict[int, int] = dict.fromkeys(blocks, 0)
    changed = True
    while changed:
        changed = False
        for b in order:
            here = reach.get(b, 0) | define.get(b, 0) | use.get(b, 0)
            if here != reach.get(b, 0):
                reach[b] = here
                changed = True
            for s in after[b]:
                merged = reach.get(s, 0) | here
                if merged != reach.get(s, 0):
                    reach[s] = merged
                    changed = True

    # What is live at each block's entry: backward, from the uses.
    live = {b: use.get(b, 0) for b in blocks}
    changed = True
    while changed:
        changed = False
        for b in reversed(order):
            here = live[b]
            for p in before[b]:
                merged = live[p] | (here & reach.get(p, 0) & ~define.get(p, 0))
                if merged != live[p]:
                    live[p] = merged
                    changed = True

    return {b: _names(value, names) for b, value in live.items()}


def _names(value: int, names: list[str]) -> set[str]:
    # The names whose bits are set in value, read off its bytes at once.
    if value == 0:
        return set()
    raw = np.frombuffer(value.to_bytes((len(names) + 7) // 8, "little"), dtype=np.uint8)
    return {names[i] for i in np.flatnonzero(np.unpackbits(raw, bitorder="little"))}


@contextmanager
def bits_for_liveness() -> Iterator[None]:
    """Numba's liveness analysis done by `live_map` within the block (see the docstring)."""
    # ir_utils imported the function by name; postproc reads it from analysis at each call.
    modules = (analysis, ir_utils)
    was = [getattr(module, _NAME) for module in modules]
    for module in modules:
        setattr(module, _NAME, live_map)
    try:
        yield
    finally:
        for module, function in zip(modules, was, strict=True):
            setattr(module, _NAME, function)

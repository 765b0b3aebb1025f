"""Numba's pasting of helpers (`inline="always"`) without its quadratic copying.

To paste a helper into a kernel, Numba copies the helper's IR block by block, twice per call
site, each block with a fresh memo, so each block copy also copies the helper's whole variable
scope (every variable of the helper, and of the helpers pasted into it): blocks times variables.
The agents engine's phases paste a dozen helpers, some with others pasted into them (some 4,000
variables copied per copy of a helper for the building run's phases); tau's local stepping
pastes about a thousand lines of helpers, four levels deep, into one loop, and Numba's pasting
took 170 of the 230 s of CPU its first compile took, and most of its 7.4 GB of memory.

Here a helper's IR, once Numba has made it for pasting, carries a scope that is copied once per
copy of the IR and shared by the copied blocks, as one deep copy of the whole IR would. Numba's
pasting then renames each of the helper's variables into the caller's scope and points every
pasted block at the caller's scope, so the shared copy is the same as Numba's per-block copies:
the same IR comes out, and the same machine code.

`LeanInlineInlinables` is Numba's pass for pasting helpers, with the helpers' IR made by an
untyped pipeline in which it is itself the pasting pass, and which ends with `ShareScopeCopies`.
The agents engine's phases (lowering.py) and the ssa and tau kernels (ssa/pipeline.py)
compile with it. Measured (benchmarks/README.md): a cold start of the building run on one
process, 26.2 s to 24.0 s of CPU with set_state pasted; tau's local stepping, about 230 s of CPU
and 7.4 GB to about 100 s and 1.3 GB.
"""

from __future__ import annotations

import copy
from typing import Any

from numba.core import ir
from numba.core.compiler import DefaultPassBuilder
from numba.core.compiler_machinery import FunctionPass, register_pass
from numba.core.untyped_passes import InlineInlinables

__all__ = ["LeanInlineInlinables", "ShareScopeCopies", "helpers_pipeline", "paste_leanly"]

#: Where a scope keeps the copy it made (never part of what is copied or compared).
_COPY = "_hyosan_copy"


class _ScopeCopiedOnce(ir.Scope):
    """A helper's scope: every deep copy of it is one and the same copy, made the first time.

    Numba copies a helper's IR from a fresh one each time (the IR made for this call site, or
    that IR's first copy), so each such scope is copied in one pass over the blocks only.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> ir.Scope:
        made = self.__dict__.get(_COPY)
        if made is None:
            made = _ScopeCopiedOnce.__new__(_ScopeCopiedOnce)
            memo[id(self)] = made
            state = {k: v for k, v in self.__dict__.items() if k != _COPY}
            made.__dict__.update(copy.deepcopy(state, memo))
            self.__dict__[_COPY] = made
        memo[id(self)] = made
        return made

    def __eq__(self, other: object) -> bool:
        # As Numba's scopes compare (their fields but their location), the copy kept aside.
        if type(other) is not type(self):
            return False
        mine = {k: v for k, v in self.__dict__.items() if k not in (_COPY, "loc")}
        theirs = {k: v for k, v in other.__dict__.items() if k not in (_COPY, "loc")}
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]


@register_pass(mutates_CFG=False, analysis_only=False)
class ShareScopeCopies(FunctionPass):
    """The last pass on a helper's IR made for pasting: its scope is copied once per copy."""

    _name = "hyosan_share_scope_copies"

    def __init__(self) -> None:
        FunctionPass.__init__(self)

    def run_pass(self, state: Any) -> bool:
        """Mark the scope of every block (one scope: the helper's) as copied once."""
        for block in state.func_ir.blocks.values():
            if type(block.scope) is ir.Scope:
                block.scope.__class__ = _ScopeCopiedOnce
        return True


def helpers_pipeline(state: Any, name: str = "untyped") -> Any:
    """Numba's untyped pipeline for a helper's IR, pasting with `LeanInlineInlinables`, and
    sharing the scope's copies at the end."""
    pm = DefaultPassBuilder.define_untyped_pipeline(state, name)
    paste_leanly(pm)
    pm.add_pass(ShareScopeCopies, "share the scope's copies")
    pm.finalize()
    return pm


def paste_leanly(pm: Any) -> None:
    """Put `LeanInlineInlinables` in place of Numba's pass for pasting helpers in the pass
    manager `pm` (finalize it afterwards)."""
    pm.passes = [
        (LeanInlineInlinables if cls is InlineInlinables else cls, text) for cls, text in pm.passes
    ]


@register_pass(mutates_CFG=True, analysis_only=False)
class LeanInlineInlinables(InlineInlinables):
    """Numba's pass pasting helpers, with their IR made by `helpers_pipeline`."""

    _name = "hyosan_inline_inlinables"

    def _do_work(
        self, state: Any, work_list: Any, block: Any, i: int, expr: Any, inline_worker: Any
    ) -> Any:
        inline_worker._compiler_pipeline = helpers_pipeline
        return super()._do_work(state, work_list, block, i, expr, inline_worker)

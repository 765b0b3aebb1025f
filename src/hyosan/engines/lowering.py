"""A leaner Numba lowering for kernels that run without reference counts.

Numba lowers every variable used in more than one block to a stack slot: each read loads the
whole value, each `del` loads it again (to drop a reference) and stores zeros over it, and each
new value first loads the old one (to drop its reference too). For a NamedTuple of 31 arrays
(`Agents`) each of these is a 217-field aggregate that LLVM must split up and then throw away:
the people phase's IR was 3.6 MB, and LLVM's function passes on it were half of its compile
time. Without reference counting (`_nrt=False`: agents/phases/jit.py, and ssa/pipeline.py's
`NO_NRT` for tau's kernels) those loads and stores do nothing, so this lowering leaves them
out, and keeps a variable with a single assignment whose block dominates every block that reads
it in a register (an SSA value) rather than a slot, which is what LLVM's mem2reg would make of
it anyway. The machine code is the same: the
golden summaries do not move, and a warm run is as fast; a cold start compiles in about half
the CPU time (benchmarks/bench_cold_start.py).

The agents engine's phases and step loop (agents/phases/jit.py) and tau's kernels, all compiled
without NRT, lower this way. `LeanCompiler` is Numba's nopython pipeline with this lowering in
place of its own, and engines/inlining.py's pass for pasting helpers in place of Numba's: the
agents engine's pipeline. The ssa and tau kernels' pipeline (ssa/pipeline.py) lowers with
`LeanNativeLowering` as well; a kernel compiled with NRT (the ssa engine's) is lowered by it
exactly as by Numba's own. On a Numba whose lowering lacks what it builds on (`LEAN_LOWERING`
false), both keep Numba's lowering.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from numba.core import ir, lowering
from numba.core.analysis import compute_cfg_from_blocks, compute_use_defs, must_use_alloca
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import register_pass
from numba.core.typed_passes import NativeLowering

from hyosan.engines.inlining import paste_leanly
from hyosan.engines.library import LeanLibrary
from hyosan.engines.liveness import bits_for_liveness
from hyosan.engines.single_assignment import leaner_ssa

__all__ = ["LEAN_LOWERING", "LeanCompiler", "LeanLower", "LeanNativeLowering", "lower_leanly"]

#: The parts of Numba's `Lower` this lowering overrides or reads (Numba 0.57 and later).
_NEEDS = (
    "_find_singly_assigned_variable",
    "_disable_sroa_like_opt",
    "_alloca_var",
    "getvar",
    "loadvar",
    "storevar",
    "delvar",
)
LEAN_LOWERING = all(hasattr(lowering.Lower, name) for name in _NEEDS)


def _dominated_single_assignments(func_ir: Any, skip: set[str]) -> set[str]:
    """Variables assigned once whose defining block dominates, and is lowered before, every
    block that reads them, and which are not read in that block before the assignment."""
    blocks = func_ir.blocks
    dominators = compute_cfg_from_blocks(blocks).dominators()
    upward_uses = compute_use_defs(blocks).usemap  # per block: read before written there
    in_slots = must_use_alloca(blocks)
    defined_in: dict[str, list[int]] = defaultdict(list)
    for label, block in blocks.items():
        for stmt in block.find_insts(ir.Assign):
            defined_in[stmt.target.name].append(label)
    read_in: dict[str, set[int]] = defaultdict(set)
    for label, names in upward_uses.items():
        for name in names:
            read_in[name].add(label)
    found = set()
    for name, labels in defined_in.items():
        if len(labels) != 1 or name in in_slots or name in skip:
            continue
        d = labels[0]
        readers = read_in[name]
        # Blocks are lowered in label order, so the value must exist before a reader is lowered.
        if d not in readers and all(u > d and d in dominators.get(u, ()) for u in readers):
            found.add(name)
    return found


class LeanLower(lowering.Lower):
    """Numba's lowering, without the dead loads and stores of a function without NRT."""

    def _lean(self) -> bool:
        return not (
            self.context.enable_nrt
            or self.func_ir.func_id.is_generator
            or (self.flags is not None and self.flags.debuginfo)
        )

    def _find_singly_assigned_variable(self) -> None:
        super()._find_singly_assigned_variable()
        self._ssa_values: dict[str, Any] = {}
        self._ssa_vars: set[str] = (
            _dominated_single_assignments(self.func_ir, self._singly_assigned_vars)
            if self._lean()
            else set()
        )

    def _alloca_var(self, name: str, fetype: Any) -> None:
        if name not in self._ssa_vars:
            super()._alloca_var(name, fetype)

    def loadvar(self, name: str) -> Any:
        """The variable's value: its SSA value, or a load from its slot."""
        if name in self._ssa_vars:
            return self._ssa_values[name]
        return super().loadvar(name)

    def storevar(self, value: Any, name: str, argidx: int | None = None) -> None:
        """Keep the value (SSA), or store it in the variable's slot without reading the old."""
        if name in self._ssa_vars:
            self._ssa_values[name] = value
            return
        if not self._lean() or name in self._singly_assigned_vars:
            super().storevar(value, name, argidx)
            return
        self._alloca_var(name, self.typeof(name))
        self.builder.store(value, self.getvar(name))

    def delvar(self, name: str) -> None:
        """Nothing to release without NRT: no load of the value, no zeros stored over it."""
        if not self._lean():
            super().delvar(name)
            return
        if name in self._ssa_vars:
            return
        # As Numba's own: a variable deleted before its single assignment needs a slot.
        if name in self._singly_assigned_vars and name not in self._blk_local_varmap:
            self._singly_assigned_vars.discard(name)
        self._alloca_var(name, self.typeof(name))


@register_pass(mutates_CFG=True, analysis_only=False)
class LeanNativeLowering(NativeLowering):
    """Numba's native lowering pass, with `LeanLower`, into a `LeanLibrary` (library.py)."""

    _name = "hyosan_lean_native_lowering"

    def run_pass(self, state: Any) -> bool:
        """Lower into a `LeanLibrary`: its Python wrapper is not optimised."""
        if state.library is None:
            state.library = LeanLibrary(state.targetctx.codegen(), state.func_id.func_qualname)
            state.library.enable_object_caching()  # as Numba's pass does, to cache it later
        done: bool = super().run_pass(state)
        return done

    @property
    def lowering_class(self) -> type[lowering.Lower]:
        """The lowering used: `LeanLower`."""
        return LeanLower


def lower_leanly(pm: Any) -> None:
    """Put `LeanNativeLowering` in the place of Numba's lowering in a pass manager's list
    (before it is finalised), where this Numba's lowering allows it (`LEAN_LOWERING`)."""
    if LEAN_LOWERING:
        pm.passes = [
            (LeanNativeLowering if cls is NativeLowering else cls, text) for cls, text in pm.passes
        ]


class LeanCompiler(CompilerBase):
    """Numba's nopython pipeline with `LeanNativeLowering` in place of `NativeLowering`, and
    `LeanInlineInlinables` in place of `InlineInlinables`, compiled with Numba's liveness on
    bits and its SSA form built where each variable is named. The ssa and tau kernels'
    `Kernel` (ssa/pipeline.py) builds on it."""

    def lean_pipeline(self) -> Any:
        """The nopython pipeline, lowered by `LeanLower` and pasting leanly, not finalised
        (a subclass adds its passes)."""
        pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
        paste_leanly(pm)
        lower_leanly(pm)
        return pm

    def define_pipelines(self) -> list[Any]:
        """One pipeline: `lean_pipeline`."""
        pm = self.lean_pipeline()
        pm.finalize()
        return [pm]

    def _compile_core(self) -> Any:
        # Numba's liveness analysis on bits, its SSA form built where each variable is named
        # (engines/liveness.py, engines/single_assignment.py): the same IR, sooner.
        with bits_for_liveness(), leaner_ssa():
            return super()._compile_core()

"""A Numba compiler pipeline for kernels split into small inlined functions (ssa and tau).

The kernels call helpers compiled with inline="always", passing named tuples of arrays
(`Places`, `Groups`, `Channels`...). Numba inlines such a call by assigning each argument to the
helper's parameter, `param = arg`, and an assignment of a tuple of arrays takes a reference to
every array in it (an atomic increment, and a decrement when the parameter dies), which LLVM's
reference-count pruning does not remove across the helper's branches. At tens of millions of
events a second, with a few dozen such calls an event, that made the ssa kernel 15 times slower
than the same code written as closures (whose captured arrays are used in place).

`Kernel` is Numba's nopython pipeline with one pass added after the IR is put in SSA form:
`ForwardCopies` replaces the uses of a variable assigned once from another (`param = arg`) by
that other variable, where doing so cannot change a value: both are assigned once, the source's
assignment comes before the copy's on every path, and the copy's before each of its uses. The
helpers then read the caller's tuples in place, as closures would, and the copies go.

`Kernel` also compiles without LLVM's loop vectoriser (Numba's `NUMBA_LOOP_VECTORIZE`, on by
default), for the kernel alone. Its loops run over a place's few compartments, channels and
neighbours: vectorised, each gains checks of its trip count and a scalar tail to run four or
five passes, and the code grows. Without it, tau's local stepping reached day 200 of the US
grid in 19.7 to 20.7 s against 26.8 to 26.9 s, with the same numbers (benchmarks/README.md).

`Kernel` also pastes the helpers with engines/inlining.py's pass rather than Numba's, which
copies a helper's whole scope once per block of each copy of its IR: the same IR, in a fraction
of the time and memory (tau's local stepping compiled in about 100 s of CPU and 1.3 GB rather
than 230 s and 7.4 GB). And it has Numba's liveness analysis, rerun after most passes, computed
on bits (engines/liveness.py): the same result, and local stepping's compile down from 82 s
to 52 s of CPU and 1.2 GB to 0.7 GB, global stepping's from 21 s to 16 s, ssa's on a lattice
from 30 s to 22 s; and Numba's SSA reconstruction walking only the blocks that name each
variable it fixes (engines/single_assignment.py): the same IR, and local stepping's compile
0.84 of the time again. It lowers with engines/lowering.py's lowering, which for a kernel
compiled without NRT (tau's, `**NO_NRT`: they allocate nothing) leaves out the loads and stores
that only count references (LLVM's time on local stepping 11.8 s to 6.6 s), and lowers a
kernel with NRT (the ssa engine's) exactly as Numba's does.

Use: `@njit(pipeline_class=Kernel, ...)` on the kernel that calls the inlined helpers.

Line tables for a profiler: with HYOSAN_KERNEL_LINES=1 in the environment, `Kernel` compiles
with debugging information, so that a sampling profiler can name the source line of each
sample (benchmarks/profile_lines.py), and with nothing else of Numba's `debug=True`: that
would also keep every variable alive to the end of its scope and check every index, and the
references and checks would then cost more than half the run, a profile of other code. Numba
writes every line of a kernel under the kernel's own file, the lines of the helpers it inlined
from other files included, so `TagLines` first numbers each line of hyosan's sources apart:
line n of the k-th file (`kernel_sources`) becomes k × LINE_BASE + n. Keep such a build in a
cache of its own (NUMBA_CACHE_DIR), as the profiler does: Numba's cache does not tell the two
builds apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from numba.core import config as _numba_config
from numba.core import ir
from numba.core.analysis import compute_cfg_from_blocks
from numba.core.compiler_machinery import FunctionPass, register_pass
from numba.core.ir_utils import build_definitions, replace_vars
from numba.core.untyped_passes import ReconstructSSA

from hyosan.engines.lowering import LeanCompiler

__all__ = ["LINE_BASE", "NO_NRT", "ForwardCopies", "Kernel", "TagLines", "kernel_sources"]

#: Under HYOSAN_KERNEL_LINES, line n of the k-th of hyosan's source files is written k × LINE_BASE
#: + n in the kernels' line tables (`TagLines`).
LINE_BASE = 100_000

#: hyosan's package folder.
_PACKAGE = Path(__file__).resolve().parents[2]


def _lines_wanted() -> bool:
    return os.environ.get("HYOSAN_KERNEL_LINES", "0") not in ("", "0")


@cache
def kernel_sources() -> tuple[Path, ...]:
    """hyosan's source files, in the order `TagLines` numbers them (from 1): by their path
    within the package."""
    return tuple(sorted(_PACKAGE.rglob("*.py"), key=lambda p: p.relative_to(_PACKAGE).as_posix()))


#: Numba's option for a kernel compiled without reference counting (`@njit(..., **NO_NRT)`), which
#: its type hints do not list: tau's kernels, which allocate nothing, so that the lean lowering
#: (engines/lowering.py) drops the loads and stores that only count references.
NO_NRT: dict[str, Any] = {"_nrt": False}

# Numba's settings, read from the environment when it is imported (its attributes are set then,
# so type checkers cannot see them).
_settings: Any = _numba_config


def _uses(blocks: dict[int, ir.Block]) -> tuple[dict[str, set[tuple[int, int]]], set[str]]:
    # Where each variable is read (block, statement index), and the variables in phi nodes.
    uses: dict[str, set[tuple[int, int]]] = {}
    in_phi: set[str] = set()
    for label, block in blocks.items():
        for i, stmt in enumerate(block.body):
            for var in stmt.list_vars():
                if isinstance(stmt, ir.Assign) and var.name == stmt.target.name:
                    continue
                uses.setdefault(var.name, set()).add((label, i))
            value = stmt.value if isinstance(stmt, ir.Assign) else None
            if isinstance(value, ir.Expr) and value.op == "phi":
                in_phi.add(stmt.target.name)
                in_phi.update(v.name for v in value.list_vars())
    return uses, in_phi


def _forward_once(func_ir: Any) -> bool:
    # One round: find the copies that can go, replace their uses, drop them. Whether any went.
    blocks = func_ir.blocks
    defs = build_definitions(blocks)
    doms = compute_cfg_from_blocks(blocks).dominators()
    uses, in_phi = _uses(blocks)
    where: dict[str, tuple[int, int]] = {}
    for label, block in blocks.items():
        for i, stmt in enumerate(block.body):
            if isinstance(stmt, ir.Assign):
                where.setdefault(stmt.target.name, (label, i))

    def before(a: tuple[int, int], b: tuple[int, int]) -> bool:
        # Whether position a comes before position b on every path to b.
        return a[0] in doms[b[0]] and (a[0] != b[0] or a[1] < b[1])

    subs: dict[str, ir.Var] = {}
    drop: set[int] = set()
    for label, block in blocks.items():
        for i, stmt in enumerate(block.body):
            if not (isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Var)):
                continue
            target, source = stmt.target.name, stmt.value.name
            if target == source or target in in_phi or source in in_phi or source in subs:
                continue
            if len(defs.get(target, ())) != 1 or len(defs.get(source, ())) != 1:
                continue
            if source not in where or not before(where[source], (label, i)):
                continue
            if all(before((label, i), at) for at in uses.get(target, ())):
                subs[target] = stmt.value
                drop.add(id(stmt))
    if not subs:
        return False
    for block in blocks.values():
        block.body = [stmt for stmt in block.body if id(stmt) not in drop]
    replace_vars(blocks, subs)
    func_ir._definitions = build_definitions(blocks)
    return True


@register_pass(mutates_CFG=False, analysis_only=False)
class ForwardCopies(FunctionPass):
    """Replace the uses of copies `a = b` by b where that cannot change a value (see above)."""

    _name = "hyosan_forward_copies"

    def __init__(self) -> None:
        FunctionPass.__init__(self)

    def run_pass(self, state: Any) -> bool:
        """Forward copies until none is left; whether the function changed."""
        changed = False
        while _forward_once(state.func_ir):  # copies of copies go one round at a time
            changed = True
        return changed


@register_pass(mutates_CFG=False, analysis_only=False)
class TagLines(FunctionPass):
    """Number the lines of hyosan's sources apart, file by file, for the line tables (see the
    module docstring): only under HYOSAN_KERNEL_LINES."""

    _name = "hyosan_tag_lines"

    def __init__(self) -> None:
        FunctionPass.__init__(self)

    def run_pass(self, state: Any) -> bool:
        """Retag every statement's line; whether any changed."""
        index = {str(path): k for k, path in enumerate(kernel_sources(), start=1)}
        changed = False
        for block in state.func_ir.blocks.values():
            for stmt in block.body:
                k = index.get(os.path.abspath(stmt.loc.filename))
                if k is not None and stmt.loc.line < LINE_BASE:
                    stmt.loc = stmt.loc.with_lineno(k * LINE_BASE + stmt.loc.line)
                    changed = True
        return changed


@contextmanager
def _scalar_loops() -> Iterator[None]:
    # LLVM's passes read Numba's setting each time they are built, within the compile; Numba
    # compiles under one global lock, so no other compile sees the change.
    was = _settings.LOOP_VECTORIZE
    _settings.LOOP_VECTORIZE = 0
    try:
        yield
    finally:
        _settings.LOOP_VECTORIZE = was


class Kernel(LeanCompiler):
    """Numba's nopython pipeline with `ForwardCopies` after the IR is put in SSA form, compiled
    without loop vectorisation (and with line tables under HYOSAN_KERNEL_LINES=1)."""

    def __init__(
        self,
        typingctx: Any,
        targetctx: Any,
        library: Any,
        args: Any,
        return_type: Any,
        flags: Any,
        local_types: Any,
    ) -> None:
        # Numba builds its pipeline with these seven, in this order.
        if _lines_wanted():
            flags = flags.copy()
            flags.debuginfo = True
            flags.dbg_extend_lifetimes = False
        super().__init__(  # type: ignore[no-untyped-call]
            typingctx, targetctx, library, args, return_type, flags, local_types
        )

    def define_pipelines(self) -> list[Any]:
        """The nopython pipeline with hyosan's pass for pasting helpers, `ForwardCopies` after
        `ReconstructSSA` (and `TagLines` after it under HYOSAN_KERNEL_LINES)."""
        pm = self.lean_pipeline()
        pm.add_pass_after(ForwardCopies, ReconstructSSA)
        if _lines_wanted():
            pm.add_pass_after(TagLines, ForwardCopies)
        pm.finalize()
        return [pm]

    def _compile_core(self) -> Any:
        # The pipeline, lowering and LLVM's optimisation included, with scalar loops (and
        # LeanCompiler's faster analyses).
        with _scalar_loops():
            return super()._compile_core()

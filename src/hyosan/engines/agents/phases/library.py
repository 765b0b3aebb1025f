"""The code library the building run's kernels are compiled into: Python wrappers unoptimised.

A kernel called from Python (the step loop) gets a Python wrapper from Numba, which unboxes
every array of every NamedTuple it is given and calls the kernel. LLVM optimised that wrapper,
and the step loop it pasted into it, before making machine code of both: 0.8 s of the step
loop's 0.9 s of LLVM function passes, and a fifth of its machine code
(benchmarks/profile_compile.py), on the process that compiles the step loop last, once every
phase is done. The wrapper runs once per call from Python, a few hundred times a run, so here
it is made into machine code as it is (`optnone`), calling the optimised kernel; the kernel's
own machine code, and so every number, is what it was.

The phases stay linked into the step loop's module, as Numba links them, and LLVM optimises
them there again (pasting the small ones into the loop): called by their symbols instead, each
compiled once, a first run compiled 1.6 s of CPU less, but a warm run was about a third slower,
every call of a phase in every step then passing each of the hundreds of arrays its
NamedTuples hold.
"""

from __future__ import annotations

from typing import Any

from numba.core.codegen import JITCodeLibrary

__all__ = ["LeanLibrary"]

#: How the symbol of a function's Python wrapper begins (Numba's mangling).
WRAPPER_PREFIX = "_ZN7cpython"


class LeanLibrary(JITCodeLibrary):
    """Numba's JIT code library, whose Python wrappers LLVM does not optimise."""

    def _optimize_functions(self, ll_module: Any) -> None:
        """Numba's function passes, but none over a Python wrapper (see the docstring)."""
        for fn in ll_module.functions:
            if not fn.is_declaration and fn.name.startswith(WRAPPER_PREFIX):
                fn.add_function_attribute("optnone")  # LLVM requires noinline with optnone
                fn.add_function_attribute("noinline")
        super()._optimize_functions(ll_module)

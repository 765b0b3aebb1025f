"""The code library lean kernels are compiled into (lowering.py): Python wrappers unoptimised.

A kernel called from Python (the step loop) gets a Python wrapper from Numba, which unboxes
every array of every NamedTuple it is given and calls the kernel. LLVM optimised that wrapper
too (most of its function passes on the step loop's module) before making machine code. The
wrapper runs once per call from Python, a few hundred times a run, so here it is made into
machine code as it is (`optnone`), calling the optimised kernel; the kernel's own machine
code, and so every number, is what it was. LLVM's CPU seconds on the step loop
(benchmarks/profile_compile.py, one process, on a busy machine): function passes 0.81 before,
0.10 after; module passes 1.60 and 0.99; machine code 1.83 and 1.26; on the process that
compiles the step loop last, once every phase is done.

The phases stay linked into the step loop's module, as Numba links them, and LLVM optimises
them there again (pasting them into the loop): called by their symbols instead, LLVM's module
passes on the step loop took 0.7 s of CPU instead of 1.6 s, but a warm run was about a third
slower, every call of a phase in every step then passing each of the hundreds of arrays its
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

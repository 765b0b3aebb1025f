"""Calling a compiled phase by its symbol, instead of linking its code into every caller.

Numba links the LLVM code of every compiled function a function calls into the caller's own
module, then optimises the whole module again and makes machine code for it. The step loop
calls a dozen phases, each already optimised and made into machine code on its own, and LLVM
optimised them all again inside the step loop's module (benchmarks/profile_compile.py: LLVM's
module passes on the step loop, 1.6 s of CPU of its 4.2 s in LLVM, on the process that
compiles the step loop last, after every phase).

Here a function compiled through `LeanCompiler` (lowering.py) is a callee by name: a caller
compiled through it (`ByNameLibrary`) declares the callee and calls it by its symbol, which
the JIT resolves to the callee's machine code, loaded before it (a caller is typed, so its
callees are compiled or read from the cache, before it is lowered). Each function's machine
code is what it was; the calls between phases are real calls, as they were (a phase is far
too big for LLVM to paste into its caller). Symbols are numbered the same in every process
(`stable_symbol`), so the two processes of a first run (precompile.py) agree on them.

A caller's cached code holds those symbols unresolved, so its cache entry also names its callees
(module, name, argument types, symbol; `ByNameCacheImpl`): reading it first reads or compiles
each callee, and if a callee's symbol is not the one the caller was compiled against, the
caller's cached code is not used (`StaleCalleesError`) and it is compiled again. So no cached code
is loaded with a symbol the JIT cannot resolve (LLVM would abort the process).

And a Python wrapper (the step loop's: it unboxes every array of every NamedTuple) is made into
machine code without LLVM's optimiser (`optnone`): it runs once per call from Python, a few
hundred times a run, and optimising it (and the step loop LLVM pasted into it) was 0.8 s of the
step loop's LLVM function passes and a fifth of its machine code."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

from numba.core import compiler
from numba.core.caching import CompileResultCacheImpl
from numba.core.codegen import JITCodeLibrary

__all__ = ["ByNameCacheImpl", "ByNameLibrary", "StaleCalleesError", "mark_callee", "stable_symbol"]

#: How the symbol of a function's Python wrapper begins (Numba's mangling).
_WRAPPER_PREFIX = "_ZN7cpython"
#: The attribute on a code library that makes it a callee by name: (module, qualified name,
#: argument types, symbol) of its function.
_CALLEE = "_hyosan_callee"


#: How many times each (module, function, argument types) was compiled in this process.
_COMPILED_HERE: Counter[tuple[str, str, tuple[Any, ...]]] = Counter()


def stable_symbol(func_id: Any, argtypes: tuple[Any, ...]) -> None:
    """Number the function's symbol by how many times it was compiled for these types in this
    process (the first time: 0), not by Numba's count of all compiles in the process.

    So the two processes of a first run (precompile.py), which may both compile a small callee
    (adding a sound), give it the same symbol, and whichever cache entry is kept, its callers'
    cached code finds it. Numba's count keeps two compiles of one function in one process
    apart (a test's second dispatcher); so does this one.
    """
    key = (func_id.modname, func_id.func_qualname, tuple(argtypes))
    n = _COMPILED_HERE[key]
    _COMPILED_HERE[key] += 1
    func_id.unique_id = f"h{n}"
    func_id.unique_name = f"{func_id.func_qualname}$h{n}"


class StaleCalleesError(Exception):
    """A cached caller's callees cannot be had with the symbols it was compiled against."""


def mark_callee(
    library: Any, module: str, qualname: str, argtypes: tuple[Any, ...], symbol: str
) -> None:
    """Make `library` (finalized, in the JIT) a callee by name for `ByNameLibrary` callers."""
    setattr(library, _CALLEE, (module, qualname, tuple(argtypes), symbol))


class ByNameLibrary(JITCodeLibrary):
    """A caller's code library: the libraries of callees by name are not linked in, only
    remembered (`callees`), as their functions are declared and called by symbol."""

    def __init__(self, codegen: Any, name: str) -> None:
        super().__init__(codegen, name)
        self.callees: list[tuple[str, str, tuple[Any, ...], str]] = []

    def _optimize_functions(self, ll_module: Any) -> None:
        """Numba's function passes, but none over the Python wrapper, made into machine code
        without optimising (see the module's docstring)."""
        for fn in ll_module.functions:
            if not fn.is_declaration and fn.name.startswith(_WRAPPER_PREFIX):
                fn.add_function_attribute("optnone")  # LLVM requires noinline with optnone
                fn.add_function_attribute("noinline")
        super()._optimize_functions(ll_module)

    def add_linking_library(self, library: Any) -> None:
        """Link `library` in, unless it is a callee by name."""
        callee = getattr(library, _CALLEE, None)
        if callee is None:
            super().add_linking_library(library)
            return
        library._ensure_finalized()
        if callee not in self.callees:
            self.callees.append(callee)


def _ready(callee: tuple[str, str, tuple[Any, ...], str], target_context: Any) -> bool:
    """Whether the callee is compiled (read or compiled now) under the symbol recorded."""
    module, qualname, argtypes, symbol = callee
    try:
        dispatcher: Any = importlib.import_module(module)
        for part in qualname.split("."):
            dispatcher = getattr(dispatcher, part)
        dispatcher.compile(argtypes)
        cres = dispatcher.overloads[argtypes]
    except Exception:  # gone, renamed, or no longer compiles for these types
        return False
    engine = target_context.codegen()._engine
    return bool(cres.fndesc.mangled_name == symbol and engine.is_symbol_defined(symbol))


class ByNameCacheImpl(CompileResultCacheImpl):
    """Numba's cache of compile results, whose entries also name the callees by name."""

    def __init__(self, py_func: Any) -> None:
        super().__init__(py_func)
        self._module = py_func.__module__
        self._qualname = py_func.__qualname__

    def reduce(self, cres: Any) -> Any:
        """The compile result's payload, with its callees by name."""
        return (list(getattr(cres.library, "callees", [])), cres._reduce())

    def rebuild(self, target_context: Any, payload: Any) -> Any:
        """The compile result, once each callee is ready under the symbol it was called by."""
        callees, reduced = payload
        for callee in callees:
            if not _ready(callee, target_context):
                raise StaleCalleesError(callee[1])
        cres = compiler.CompileResult._rebuild(target_context, *reduced)
        mark_callee(
            cres.library,
            self._module,
            self._qualname,
            cres.signature.args,
            cres.fndesc.mangled_name,
        )
        return cres

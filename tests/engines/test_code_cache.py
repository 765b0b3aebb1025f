"""The ssa and tau kernels' cached machine code goes stale when any module of the engines changes.

Numba keys a kernel's disk cache on the kernel's own file alone; the code it holds also comes from
helpers pasted in from other modules and functions linked from others (engines/code_cache.py).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from numba.core.caching import FunctionCache
from numba.core.registry import CPUDispatcher
from numba.core.typing.typeof import Purpose, typeof

import hyosan.engines
from hyosan.engines import code_cache, generated
from hyosan.engines.ssa import mixed
from hyosan.engines.tau import model_kernel


def _engine_modules() -> Iterator[ModuleType]:
    # Every module of the engines but the building run's, imported.
    for info in pkgutil.walk_packages(hyosan.engines.__path__, "hyosan.engines."):
        if not info.name.startswith("hyosan.engines.agents"):
            yield importlib.import_module(info.name)


def _cached_dispatchers() -> list[tuple[str, Any]]:
    found = []
    for module in _engine_modules():
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", value))
    return found


def test_every_cached_kernel_of_ssa_and_tau_is_kept_only_while_the_engines_are_unchanged() -> None:
    """A kernel compiled on its own (not pasted into another) and cached on disk has a
    `SourcesCache` stamped with the digest of every module of the engines."""
    digest = code_cache.engines_digest()
    assert digest is not None
    stale_prone = []
    checked = 0
    for name, dispatcher in _cached_dispatchers():
        if dispatcher.targetoptions.get("inline") == "always":
            continue  # pasted into the kernels that call it; its own cache is for tests only
        cache = dispatcher._cache
        if not isinstance(cache, FunctionCache):
            continue  # not cached on disk
        checked += 1
        stamp = getattr(cache._cache_file, "_source_stamp", None)
        if not isinstance(cache, code_cache.SourcesCache) or stamp[1] != digest:
            stale_prone.append(name)
    assert not stale_prone, f"cached on the kernel's own file alone: {stale_prone}"
    # simulate (both builds), the local and global tau kernels, the draws, groups, lists ...
    assert checked >= 10


def test_generated_kernels_are_named_after_every_module_of_the_engines() -> None:
    """The direct method for one place and tau's model kernel are generated source, named by a
    digest that covers every helper they may paste in."""
    assert generated.stamp(*code_cache.engine_sources()) == mixed._STAMP
    assert model_kernel._STAMP == mixed._STAMP


def test_the_engine_sources_hold_every_compiled_module_the_kernels_import() -> None:
    """Each module of hyosan that an engine module imports and that holds compiled code is an
    engine source, so that an edit to it makes the kernels' caches stale."""
    sources = {p.resolve() for p in code_cache.engine_sources()}
    assert Path(code_cache.__file__).resolve() in sources
    missing = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hyosan"):
                spec = importlib.util.find_spec(node.module)  # type: ignore[arg-type]
                if spec is None or spec.origin is None:
                    continue
                origin = Path(spec.origin).resolve()
                compiled = "njit" in origin.read_text(encoding="utf-8")
                if compiled and origin not in sources and "agents" not in origin.parts:
                    missing.append(f"{path.name} imports {node.module}")
    assert not missing, missing


@pytest.fixture
def cached_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A module of one cached kernel, kept fresh as the engines' kernels are."""
    name = "hyosan_code_cache_probe"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            import numba as nb

            from hyosan.engines.code_cache import kept_fresh


            @kept_fresh
            @nb.njit(cache=True)
            def twice(x):
                return 2.0 * x
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(name)
    sys.modules.pop(name, None)


def test_a_cached_kernel_goes_stale_when_the_engines_change(cached_module: ModuleType) -> None:
    """The cached code loads while the digest is the one it was saved under, and not after."""
    twice = cached_module.twice
    assert twice(np.float64(2.0)) == 4.0
    sig = (typeof(np.float64(2.0), Purpose.argument),)
    ctx = twice.targetctx
    same = code_cache.SourcesCache(twice.py_func, code_cache.engines_digest())
    assert same.load_overload(sig, ctx) is not None
    edited = code_cache.SourcesCache(twice.py_func, "the digest after an edit")
    assert edited.load_overload(sig, ctx) is None

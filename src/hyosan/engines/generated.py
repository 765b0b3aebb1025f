"""Kernels written as Python source for one model and compiled by Numba, cached on disk.

Some kernels are fastest written for the model they run (ssa/mixed.py's direct method for one
place, tau/model_kernel.py's leaps with the model's channel tables compiled in). Each is a
module of generated source: `load` writes it to a file under a cache directory and imports it
from there, so that Numba caches its machine code beside it as it does for every other kernel,
and a second run of the same model, in any process, loads rather than compiles it.

A generated file's name is a digest of its text and of a `stamp`: the sources and the versions
that the compiled code holds besides the text (the helpers it inlines, Numba, NumPy). Numba
keys its cache on the generated file alone, so without the stamp an edit of an inlined helper
would leave the old machine code in use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import numba as nb
import numpy as np

__all__ = ["cache_dir", "load", "stamp"]


def cache_dir() -> Path:
    """Where generated kernels are written: $HYOSAN_KERNEL_CACHE, else beside Numba's caches
    when $NUMBA_CACHE_DIR is set, else the user's cache directory (never the package: the
    generated files are no part of the source), else the temporary directory."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    numba_dir = os.environ.get("NUMBA_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for base in (
        os.environ.get("HYOSAN_KERNEL_CACHE"),
        str(Path(numba_dir) / "hyosan-kernels") if numba_dir else None,
        str(Path(xdg) / "hyosan" / "kernels"),
        str(Path(tempfile.gettempdir()) / f"hyosan-kernels-{uid}"),
    ):
        if base is None:
            continue
        path = Path(base)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    raise RuntimeError(
        "no writable directory for hyosan's generated kernels: set HYOSAN_KERNEL_CACHE"
    )


def stamp(*files: Path) -> str:
    """A digest of `files` and of the Numba and NumPy versions: what a generated kernel holds
    besides its own text."""
    parts = [path.read_bytes() for path in files]
    parts += [nb.__version__.encode(), np.__version__.encode()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def load(prefix: str, text: str, stamp: str) -> tuple[ModuleType, bool]:
    """The module of generated source `text`, imported from the cache directory; and whether
    its file was written now (a kernel not compiled on this machine before, most likely)."""
    digest = hashlib.sha256((stamp + text).encode()).hexdigest()[:24]
    name = f"{prefix}_{digest}"
    path = cache_dir() / f"{name}.py"
    written = not path.exists() or path.read_text() != text
    if written:
        # Written whole under another name, then renamed: a process loading the same model at
        # the same time never reads half a file.
        tmp = path.with_name(f"{name}.{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, written

"""The kernels' compiler pipeline (engines/ssa/pipeline.py): copies forwarded, values unchanged.

`ForwardCopies` must remove the reference counting of named tuples passed to inlined helpers
(the reason it exists) and must never change what a function computes, including where a copy
sits in a branch or a loop and its source changes later. Line tables, asked for by
HYOSAN_KERNEL_LINES, must name the file of every inlined line. Helpers are pasted by
engines/inlining.py's pass, not Numba's, with the same result.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import NamedTuple

import numba as nb
import numpy as np
import pytest
from numba.core.untyped_passes import InlineInlinables

from hyosan.engines.inlining import LeanInlineInlinables
from hyosan.engines.ssa.pipeline import LINE_BASE, Kernel, kernel_sources
from hyosan.engines.tau import kernels as tau_kernels
from hyosan.engines.tau.kernels import _wsum


class _Arrays(NamedTuple):
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    e: np.ndarray
    f: np.ndarray


@nb.njit(inline="always")
def _bump(t, r, v):  # type: ignore[no-untyped-def]
    if v > 0.5:
        t.a[r] += v
    else:
        t.b[r] -= v


def _loop(t, n, rng):  # type: ignore[no-untyped-def]
    for _ in range(n):
        r = int(rng.random() * t.a.size)
        _bump(t, r, rng.random())
        _bump(t, r, rng.random())
    return t.a.sum() + t.b.sum()


def _increfs(dispatcher: nb.core.dispatcher.Dispatcher) -> int:
    ir = dispatcher.inspect_llvm(dispatcher.signatures[0])
    return len(re.findall(r"call void @NRT_incref", ir))


def test_tuples_passed_to_inlined_helpers_are_not_copied() -> None:
    t = _Arrays(*[np.zeros(50) for _ in range(6)])
    plain, piped = nb.njit(_loop), nb.njit(pipeline_class=Kernel)(_loop)
    t2 = _Arrays(*[np.zeros(50) for _ in range(6)])
    assert plain(t, 1000, np.random.default_rng(1)) == piped(t2, 1000, np.random.default_rng(1))
    for x, y in zip(t, t2, strict=True):
        assert np.array_equal(x, y)
    # Each inlined call took a reference to every array of the tuple; no longer.
    assert _increfs(piped) < _increfs(plain)


@nb.njit(inline="always")
def _twice(t, r, v):  # type: ignore[no-untyped-def]
    # A helper pasting another at two sites, itself pasted at two sites below.
    _bump(t, r, v)
    if v < 0.25:
        _bump(t, (r + 1) % t.a.size, 1.0 - v)


def _nested(t, n, rng):  # type: ignore[no-untyped-def]
    for _ in range(n):
        r = int(rng.random() * t.a.size)
        _twice(t, r, rng.random())
        if r % 2:
            _twice(t, r, rng.random())
    return t.a.sum() + t.b.sum()


def test_helpers_are_pasted_by_the_lean_pass_with_numbas_result() -> None:
    piped = nb.njit(pipeline_class=Kernel)(_nested)
    results = []
    for fn in (nb.njit(_nested), piped):
        t = _Arrays(*[np.zeros(50) for _ in range(6)])
        results.append((fn(t, 2000, np.random.default_rng(7)), t.a.copy(), t.b.copy()))
    (x, xa, xb), (y, ya, yb) = results
    assert x == y
    assert np.array_equal(xa, ya)
    assert np.array_equal(xb, yb)
    (cres,) = piped.overloads.values()
    ran = {name.split("_", 1)[1] for name in cres.metadata["pipeline_times"]["nopython"]}
    assert LeanInlineInlinables._name in ran
    assert InlineInlinables._name not in ran


def _stale(xs):  # type: ignore[no-untyped-def]
    # A copy made once in a loop while its source changes: `t` must keep the old value.
    out = 0.0
    t = -1.0
    for i in range(xs.size):
        v = xs[i]
        if i == 0:
            t = v
        out += t
        w = v
        out += w * 2.0
    return out


def _branches(n, flag):  # type: ignore[no-untyped-def]
    total = 0
    for i in range(n):
        k = i
        if flag and i % 3 == 0:
            j = k
            total += j
        else:
            j2 = k
            total -= j2
    return total


def test_forwarding_never_changes_a_value() -> None:
    xs = np.arange(1.0, 20.0)
    assert nb.njit(pipeline_class=Kernel)(_stale)(xs) == _stale(xs)
    for flag in (True, False):
        assert nb.njit(pipeline_class=Kernel)(_branches)(50, flag) == _branches(50, flag)


class _Graph(NamedTuple):
    indptr: np.ndarray
    weights: np.ndarray
    wsum: np.ndarray


def _weights(graph, n):  # type: ignore[no-untyped-def]
    total = 0.0
    for r in range(n):
        total += _wsum(graph, r)  # inlined from hyosan/engines/tau/kernels.py
    return total


def test_line_tables_name_the_file_of_each_inlined_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Under HYOSAN_KERNEL_LINES the kernel carries line tables, and the lines of a helper
    # inlined from another of hyosan's files are numbered apart (TagLines), so that a
    # profiler can tell them from the kernel's own lines (benchmarks/profile_lines.py).
    graph = _Graph(np.array([0, 2, 3]), np.array([0.5, 1.0, 2.0]), np.array([1.5, 2.0]))
    plain = nb.njit(pipeline_class=Kernel)(_weights)
    assert plain(graph, 2) == 3.5  # compiled here, without line tables
    monkeypatch.setenv("HYOSAN_KERNEL_LINES", "1")
    lined = nb.njit(pipeline_class=Kernel)(_weights)
    assert lined(graph, 2) == 3.5
    k = kernel_sources().index(Path(tau_kernels.__file__).resolve()) + 1
    lines = [
        int(v)
        for v in re.findall(r"!DILocation\(line: (\d+)", lined.inspect_llvm(lined.signatures[0]))
    ]
    first = inspect.getsourcelines(_wsum.py_func)[1]
    assert any(k * LINE_BASE + first < v < (k + 1) * LINE_BASE for v in lines)
    assert "!DILocation" not in plain.inspect_llvm(plain.signatures[0])

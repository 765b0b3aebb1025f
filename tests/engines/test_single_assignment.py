"""engines/single_assignment.py: Numba's SSA form, built walking fewer blocks, is the same IR."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

import pytest
from ir_samples import SAMPLES, reassigned
from numba.core import ssa
from numba.core.compiler import run_frontend

from hyosan.engines.single_assignment import LEANER_SSA, leaner_ssa
from hyosan.engines.tau import kernels, local

pytestmark = pytest.mark.skipif(not LEANER_SSA, reason="this Numba's SSA module differs")


def _dump(fn: Callable[..., Any], lean: bool) -> str:
    func_ir = copy.deepcopy(run_frontend(fn))
    if lean:
        with leaner_ssa():
            ssa.reconstruct_ssa(func_ir)
    else:
        ssa.reconstruct_ssa(func_ir)
    out = io.StringIO()
    func_ir.dump(file=out)
    return out.getvalue()


# tau's step loop and its largest helpers, as written (not yet pasted together).
FUNCTIONS = [
    *SAMPLES,
    local.run_local.py_func,
    local._step.py_func,
    local._wake.py_func,
    local._review.py_func,
    kernels.run_global.py_func,
]


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_the_same_ir_as_numbas(fn: Callable[..., Any]) -> None:
    numbas = _dump(fn, lean=False)
    assert _dump(fn, lean=True) == numbas
    assert "phi(" in numbas or fn is not reassigned  # the case that needs phis has them


def test_numbas_own_is_back_after_the_block() -> None:
    was = ssa._run_ssa, ssa._run_block_rewrite
    with pytest.raises(RuntimeError, match="a compile that fails"), leaner_ssa():
        raise RuntimeError("a compile that fails")
    assert (ssa._run_ssa, ssa._run_block_rewrite) == was


def test_a_nested_compile_hands_back_the_lean_walks() -> None:
    with leaner_ssa():
        lean = ssa._run_ssa, ssa._run_block_rewrite
        with leaner_ssa():
            pass
        assert (ssa._run_ssa, ssa._run_block_rewrite) == lean

"""engines/liveness.py: Numba's liveness analysis on bits gives Numba's own result."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ir_samples import SAMPLES, branchy_loops
from numba.core import analysis, ir_utils
from numba.core.analysis import compute_cfg_from_blocks, compute_use_defs
from numba.core.compiler import run_frontend
from numba.core.controlflow import CFGraph

from hyosan.engines.liveness import bits_for_liveness, live_map

NUMBAS_OWN = analysis.compute_live_map


@pytest.mark.parametrize("fn", SAMPLES, ids=lambda f: f.__name__)
def test_equal_to_numbas_on_real_functions(fn) -> None:  # type: ignore[no-untyped-def]
    blocks = run_frontend(fn).blocks
    cfg = compute_cfg_from_blocks(blocks)
    uses = compute_use_defs(blocks)
    expected = NUMBAS_OWN(cfg, blocks, uses.usemap, uses.defmap)
    assert live_map(cfg, blocks, uses.usemap, uses.defmap) == expected
    assert any(expected.values())  # something is live somewhere: the comparison means something


NAMES = [f"v{i}" for i in range(12)]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[CFGraph, dict[int, object], dict, dict]:
    """A random control-flow graph (loops, irreducible ones and unreachable blocks included)
    with random sets of variables used and defined in each block."""
    n = draw(st.integers(min_value=1, max_value=12))
    cfg = CFGraph()
    for b in range(n):
        cfg.add_node(b)
    for b in range(n):
        for s in draw(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3)):
            cfg.add_edge(b, s)
    cfg.set_entry_point(0)
    cfg.process()
    subsets = st.sets(st.sampled_from(NAMES), max_size=5)
    use = {b: draw(subsets) for b in range(n)}
    define = {b: draw(subsets) for b in range(n)}
    return cfg, dict.fromkeys(range(n)), use, define


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_equal_to_numbas_on_random_graphs(case) -> None:  # type: ignore[no-untyped-def]
    cfg, blocks, use, define = case
    assert live_map(cfg, blocks, use, define) == NUMBAS_OWN(cfg, blocks, use, define)


def _failing_compile() -> None:
    with bits_for_liveness():
        assert analysis.compute_live_map is live_map
        assert ir_utils.compute_live_map is live_map
        raise RuntimeError("a compile that fails")


def test_numbas_own_is_back_after_the_block_even_on_an_error() -> None:
    with pytest.raises(RuntimeError, match="a compile that fails"):
        _failing_compile()
    assert analysis.compute_live_map is NUMBAS_OWN
    assert ir_utils.compute_live_map is NUMBAS_OWN


def test_a_kernel_compiled_under_it_computes_what_numbas_does() -> None:
    from hyosan.engines.ssa.pipeline import Kernel

    plain = nb.njit(branchy_loops)
    kernel = nb.njit(pipeline_class=Kernel)(branchy_loops)
    a = np.random.default_rng(3).normal(size=40) * 3
    for n in (0, 5, 40):
        assert kernel(a, n) == plain(a, n)
    assert analysis.compute_live_map is NUMBAS_OWN


def test_a_nested_compile_hands_back_the_bits() -> None:
    with bits_for_liveness():
        with bits_for_liveness():
            pass
        assert analysis.compute_live_map is live_map
    assert analysis.compute_live_map is NUMBAS_OWN

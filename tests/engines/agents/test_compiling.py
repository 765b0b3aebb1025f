"""How the building run's kernels are compiled: the lean lowering, the caches, the first run.

- the lean lowering (engines/lowering.py) computes what Numba's own lowering computes;
- a kernel's cached code goes stale when any of the kernels' sources changes (phases/cache.py),
  and those sources are every module the kernels are compiled from;
- the probe of the step loop (precompile.py) finds the phases and argument types the step
  loop's compile asks for, and those of the phases they call, and compiling ahead on two
  processes leaves every kernel compiled and cached, as the step loop would have, never
  taking a phase before the phases it calls;
- a kernel's Python wrapper is made into machine code without optimising (engines/library.py),
  and a cached kernel read in a new process compiles nothing.
"""

from __future__ import annotations

import ast
import copy
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from numba import njit
from numba.core import config
from numba.core.compiler import run_frontend
from numba.core.typing.typeof import Purpose, typeof
from numba.core.untyped_passes import InlineInlinables

import hyosan
from hyosan import helper_process
from hyosan.engines.agents import precompile
from hyosan.engines.agents.building_run import setup_building
from hyosan.engines.agents.phases import cache
from hyosan.engines.agents.phases.jit import compiled, inlined
from hyosan.engines.agents.phases.people import people_choose
from hyosan.engines.agents.step import advance_building
from hyosan.engines.base import Streams
from hyosan.engines.compiling import reporting
from hyosan.engines.inlining import LeanInlineInlinables, ShareScopeCopies
from hyosan.engines.kernel import Records
from hyosan.engines.library import LeanLibrary
from hyosan.engines.lowering import LEAN_LOWERING, LeanCompiler

# --- the lean lowering ------------------------------------------------------------------------


class Pair(NamedTuple):
    a: np.ndarray
    b: np.ndarray


@inlined
def _bump(pair: Pair, i: int) -> float:
    pair.b[i] += 1.0
    return pair.b[i]


def _kernel(pair: Pair, n: int, limit: float) -> tuple[float, int]:
    """Variables of many kinds: a NamedTuple aliased across blocks, reassigned in a loop, read
    after it, a pasted helper, a value defined in one branch and read after the join."""
    total = 0.0
    best = -1
    p = pair
    for i in range(n):
        q = p
        if q.a[i] > limit:
            best = i
            total += _bump(q, i)
        else:
            total -= q.a[i]
        if i % 3 == 0:
            p = Pair(q.b, q.a)  # swapped: the next reads see the other array
    k = 0
    while k < n and pair.a[k] < limit:
        k += 1
    if best >= 0:
        total += p.a[best] + pair.b[best]
    return total, best + k


def test_the_kernels_lower_through_the_lean_lowering() -> None:
    """It is available on the Numba installed, and the phases use it."""
    assert LEAN_LOWERING, "Numba's Lower lacks what engines/lowering.py overrides"
    assert people_choose._compiler.pipeline_class is LeanCompiler
    assert advance_building._compiler.pipeline_class is LeanCompiler


@pytest.mark.parametrize("seed", range(4))
def test_the_lean_lowering_computes_what_numba_lowering_computes(seed: int) -> None:
    lean = njit(_nrt=False, pipeline_class=LeanCompiler)(_kernel)
    plain = njit(_nrt=False)(_kernel)
    rng = np.random.default_rng(seed)
    a, b = rng.random(50), rng.random(50)
    x, y = Pair(a.copy(), b.copy()), Pair(a.copy(), b.copy())
    for limit in (0.2, 0.5, 0.9, 2.0):
        assert lean(x, 50, limit) == plain(y, 50, limit)
        assert np.array_equal(x.a, y.a)
        assert np.array_equal(x.b, y.b)


class _State:
    """A compiler state, as far as `ShareScopeCopies` reads it."""

    def __init__(self, func_ir: Any) -> None:
        self.func_ir = func_ir


# --- pasting helpers --------------------------------------------------------------------------


@inlined
def _scaled(pair: Pair, i: int, by: float) -> float:
    if pair.a[i] > 0.5:
        return pair.a[i] * by
    return _bump(pair, i)


@inlined
def _walk(pair: Pair, n: int, by: float) -> float:
    """Pastes `_scaled` (which pastes `_bump`) in a loop, and `_bump` once more."""
    total = 0.0
    for i in range(n):
        total += _scaled(pair, i, by)
    return total + _bump(pair, 0)


def _pasting_kernel(pair: Pair, n: int, by: float) -> tuple[float, float]:
    """Helpers pasted at several sites, some pasted into others."""
    first = _walk(pair, n, by)
    second = _walk(Pair(pair.b, pair.a), n, -by) if first > 1.0 else _scaled(pair, n - 1, by)
    return first, second + _scaled(pair, 1, 2.0 * by)


def test_the_kernels_paste_helpers_through_the_lean_pasting() -> None:
    lean = njit(_nrt=False, pipeline_class=LeanCompiler)(_pasting_kernel)
    lean(Pair(np.ones(3), np.ones(3)), 3, 1.0)
    (cres,) = lean.overloads.values()
    ran = {name.split("_", 1)[1] for name in cres.metadata["pipeline_times"]["nopython"]}
    assert LeanInlineInlinables._name in ran
    assert InlineInlinables._name not in ran


@pytest.mark.parametrize("seed", range(4))
def test_the_lean_pasting_computes_what_numba_pasting_computes(seed: int) -> None:
    lean = njit(_nrt=False, pipeline_class=LeanCompiler)(_pasting_kernel)
    plain = njit(_nrt=False)(_pasting_kernel)
    rng = np.random.default_rng(seed)
    a, b = rng.random(40), rng.random(40)
    x, y = Pair(a.copy(), b.copy()), Pair(a.copy(), b.copy())
    for by in (0.5, 1.5, 3.0):
        assert lean(x, 40, by) == plain(y, 40, by)
        assert np.array_equal(x.a, y.a)
        assert np.array_equal(x.b, y.b)


def test_a_helpers_ir_copied_block_by_block_copies_its_scope_once() -> None:
    """As Numba copies a helper's IR to paste it: each block on its own, twice."""
    state = _State(func_ir=run_frontend(_walk.py_func))
    ShareScopeCopies().run_pass(state)
    blocks = state.func_ir.blocks
    original = next(iter(blocks.values())).scope
    names = set(original.localvars._con)
    first = {label: copy.deepcopy(block) for label, block in blocks.items()}
    scopes = {id(block.scope) for block in first.values()}
    assert len(scopes) == 1, "each copied block has its own copy of the scope"
    copied = next(iter(first.values())).scope
    assert copied is not original
    assert copied == original
    assert set(copied.localvars._con) == names
    # Pasting renames the helper's variables in the copy: the original keeps its own.
    copied.redefine("pasted_name", loc=copied.loc)
    assert set(original.localvars._con) == names
    # The copy, copied in its turn, gives another scope, shared by those blocks.
    second = {label: copy.deepcopy(block) for label, block in first.items()}
    again = {id(block.scope) for block in second.values()}
    assert len(again) == 1
    assert again.isdisjoint(scopes | {id(original)})
    for label, block in second.items():
        assert [str(s) for s in block.body] == [str(s) for s in blocks[label].body]


# --- the caches -------------------------------------------------------------------------------


@pytest.fixture
def kernels_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A module of tiny kernels (a step loop calling two phases, one of which calls a third),
    cached under tmp_path."""
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "numba"))
    name = f"tiny_kernels_{time.monotonic_ns()}"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from hyosan.engines.agents.phases.jit import compiled, phase


            @phase
            def double(x):
                for i in range(x.size):
                    x[i] *= 2.0


            @phase
            def nudge(x, by: float) -> None:
                for i in range(x.size):
                    x[i] += by


            @phase
            def shift(x, by: float) -> bool:
                nudge(x, by)
                return x[0] > 10.0


            @compiled
            def step(x, by: float) -> bool:
                double(x)
                return shift(x, by)
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(name)
    sys.modules.pop(name, None)


def test_a_kernel_cache_goes_stale_when_a_kernel_source_changes(
    kernels_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = kernels_module.step
    x = np.ones(3)
    step(x, 1.0)
    sig = (typeof(x, Purpose.argument), typeof(1.0, Purpose.argument))
    ctx = step.targetctx
    assert cache.SourcesCache(step.py_func).load_overload(sig, ctx) is not None
    monkeypatch.setattr(cache, "sources_digest", lambda: "another digest")
    assert cache.SourcesCache(step.py_func).load_overload(sig, ctx) is None


def test_the_kernel_sources_hold_every_module_the_kernels_are_compiled_from() -> None:
    """Each module a kernel source imports from hyosan is a kernel source too (so an edit to it
    makes the kernels' caches stale)."""
    sources = {p.resolve() for p in cache.kernel_sources()}
    missing = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Imports for type checking only bring in no compiled code.
        typing_only = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hyosan"):
                spec = importlib.util.find_spec(node.module)  # type: ignore[arg-type]
                origin = Path(spec.origin).resolve() if spec and spec.origin else None
                if origin not in sources:
                    missing.append(f"{path.name} imports {node.module}")
    assert not missing, missing
    assert cache.sources_digest() is not None
    assert advance_building._cache._cache_file._source_stamp[1] == cache.sources_digest()


# --- compiling ahead, on two processes --------------------------------------------------------


def _first_call_args() -> tuple[Any, ...]:
    scen = hyosan.load_scenario("hyosan-high", ["time.horizon=1h"])
    run = setup_building(scen, Streams(1), summary_only=False)
    no_tally = np.zeros(0, np.int64)  # a building's reactions come from its event log
    records = Records(
        np.zeros(13), np.zeros((13, 6)), run.snap_times, run.snaps, run.cursor, no_tally,
        np.zeros((13, 0)),
    )  # fmt: skip
    state = (run.params, run.agents, run.rooms, run.passages, run.sounds, run.census, run.counts)
    return (0.0, 3600.0, True, 0, *state, records, run.watched, run.log, run.draws)


def test_the_probe_finds_what_the_step_loop_compiles() -> None:
    """The phases, and their argument types, that compiling the step loop asks for."""
    args = _first_call_args()
    found = precompile.phase_signatures(advance_building, args)
    # A fresh copy of the step loop, compiled here (its phases load from the cache), shows
    # which functions its compile called and with which types.
    copy = njit(_nrt=False, pipeline_class=LeanCompiler)(advance_building.py_func)
    sig = tuple(typeof(a, Purpose.argument) for a in args)
    copy.compile(sig)
    fndesc = copy.overloads[sig].fndesc
    called = {}
    for expr, call_sig in fndesc.calltypes.items():
        if getattr(expr, "op", None) == "call":
            dispatcher = getattr(fndesc.typemap[expr.func.name], "dispatcher", None)
            if dispatcher is not None:
                called[dispatcher] = tuple(call_sig.args)
    assert len(called) >= 10  # the nine phases of a step, and the watch
    assert found == called


def test_compiling_ahead_compiles_and_caches_every_kernel(
    kernels_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helper_process, "cores", lambda: 2)
    monkeypatch.delenv("HYOSAN_COMPILE_PROCESSES", raising=False)
    k = kernels_module
    args = (np.ones(3), 1.5)
    sig = tuple(typeof(a, Purpose.argument) for a in args)
    messages: list[str] = []
    with reporting(messages.append):
        precompile.compile_ahead(k.step, args)
    assert messages[0] == f"{precompile.MESSAGE}: 0 of 4"  # double, shift, nudge, the loop
    assert messages[-1] == f"{precompile.MESSAGE}: 4 of 4"
    assert sig in k.step.overloads
    for phase in (k.double, k.shift, k.nudge):
        assert precompile._is_cached(phase, (sig[0],) if phase is k.double else sig)
    x = np.ones(3)
    assert k.step(x, 1.5) is False
    assert x.tolist() == [3.5, 3.5, 3.5]


def test_the_helper_compiles_what_it_claims_into_the_cache(
    kernels_module: Any, tmp_path: Path
) -> None:
    k = kernels_module
    x = np.ones(3)
    jobs = [(k.double, (typeof(x, Purpose.argument),)), (k.shift, (typeof(x), typeof(1.5)))]
    folder = tmp_path / "claims"
    folder.mkdir()
    proc = precompile._start_helper(jobs, [(), ()], folder)
    assert proc is not None
    assert proc.wait(timeout=120) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["0.claim", "0.done", "1.claim", "1.done"]
    for dispatcher, sig in jobs:
        assert not dispatcher.overloads  # compiled there, not here
        assert precompile._is_cached(dispatcher, sig)


def test_a_helper_started_early_waits_for_its_jobs(
    kernels_module: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    k = kernels_module
    x = np.ones(3)
    early = precompile._spawn()  # as `hyosan run` starts it, before the world is built
    assert early is not None
    monkeypatch.setattr(precompile, "_early", early)
    time.sleep(0.2)
    assert early.poll() is None  # waiting for its jobs
    jobs = [(k.double, (typeof(x, Purpose.argument),)), (k.nudge, (typeof(x), typeof(1.5)))]
    folder = tmp_path / "claims"
    folder.mkdir()
    proc = precompile._start_helper(jobs, [(), ()], folder)
    assert proc is early
    assert precompile._early is None  # taken
    assert proc.wait(timeout=120) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["0.claim", "0.done", "1.claim", "1.done"]
    for dispatcher, sig in jobs:
        assert precompile._is_cached(dispatcher, sig)


def test_a_helper_started_early_and_given_no_jobs_ends() -> None:
    early = precompile._spawn()
    assert early is not None
    early.stdin.close()  # this process ended, or had nothing to compile
    assert early.wait(timeout=120) == 0


def test_compiling_ahead_steps_aside_when_told_or_when_cached(
    kernels_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    k = kernels_module
    args = (np.ones(3), 1.5)
    messages: list[str] = []
    monkeypatch.setenv("HYOSAN_COMPILE_PROCESSES", "1")
    with reporting(messages.append):
        precompile.compile_ahead(k.step, args)
    assert not k.step.overloads
    assert not messages
    monkeypatch.delenv("HYOSAN_COMPILE_PROCESSES")
    monkeypatch.setattr(helper_process, "cores", lambda: 2)
    k.step(*args)  # compiled and cached the usual way
    again = compiled(k.step.py_func)  # as in a new process: nothing compiled yet
    with reporting(messages.append):
        precompile.compile_ahead(again, args)
    assert not again.overloads
    assert not messages  # the cache holds it: nothing to do ahead


def test_the_probe_finds_the_phases_a_phase_calls_with_their_types(kernels_module: Any) -> None:
    k = kernels_module
    args = (np.ones(3), 1.5)
    found = precompile.phase_signatures(k.step, args)
    assert set(found) == {k.double, k.shift}
    every, calls = precompile.nested_phases(found)
    assert calls[k.shift] == {k.nudge}
    assert calls[k.double] == set()
    k.step(*args)  # compiling shift asks nudge for the types found, and for nothing else
    assert list(k.nudge.overloads) == [every[k.nudge]]


class _Job:
    """A stand-in for a dispatcher: compiling it records the moment."""

    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def compile(self, sig: Any) -> None:
        self.log.append(self.name)


def test_a_phase_is_compiled_only_once_the_phases_it_calls_are_done(tmp_path: Path) -> None:
    """The other process has claimed the callee (job 1): the caller (job 0) waits for it to be
    done, and takes the job after it meanwhile."""
    log: list[str] = []
    jobs = [(_Job(log, "caller"), ()), (_Job(log, "callee"), ()), (_Job(log, "other"), ())]
    (tmp_path / "1.claim").touch()

    def the_other_finishes() -> None:
        time.sleep(0.3)
        log.append("callee done elsewhere")
        (tmp_path / "1.done").touch()

    other = threading.Thread(target=the_other_finishes)
    other.start()
    precompile._compile_claimed(jobs, [(1,), (), ()], tmp_path, lambda: None)
    other.join()
    assert log == ["other", "callee done elsewhere", "caller"]


# --- the code libraries ----------------------------------------------------------------------


def test_a_kernels_python_wrapper_is_not_optimised_and_the_kernel_is(kernels_module: Any) -> None:
    k = kernels_module
    x = np.ones(3)
    assert k.step(x, 1.5) is False
    assert x.tolist() == [3.5, 3.5, 3.5]
    sig = (typeof(x, Purpose.argument), typeof(1.5, Purpose.argument))
    cres = k.step.overloads[sig]
    assert isinstance(cres.library, LeanLibrary)
    module = cres.library._final_module
    wrapper = module.get_function(cres.fndesc.llvm_cpython_wrapper_name)
    kernel = module.get_function(cres.fndesc.mangled_name)
    assert "optnone" in " ".join(str(a) for a in wrapper.attributes)
    assert "optnone" not in " ".join(str(a) for a in kernel.attributes)
    assert not kernel.is_declaration  # the phases and the loop, linked and optimised together


def test_a_cached_kernel_read_in_a_new_process_compiles_nothing(
    kernels_module: Any, tmp_path: Path
) -> None:
    k = kernels_module
    k.step(np.ones(3), 1.5)  # compiled and cached here
    script = textwrap.dedent(
        f"""
        import importlib, json
        import numpy as np
        k = importlib.import_module({k.__name__!r})
        x = np.ones(3)
        done = k.step(x, 1.5)
        misses = [f.py_func.__name__ for f in (k.step, k.double, k.shift, k.nudge)
                  if f.stats.cache_misses]
        print(json.dumps([bool(done), x.tolist(), misses]))
        """
    )
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(config.CACHE_DIR),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [False, [3.5, 3.5, 3.5], []]  # all read from the cache


def test_from_python_the_first_compile_is_said_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With nobody listening (hyosan used from Python, a notebook), the first message of a
    process is one line on stderr; later ones, and any while the command listens, are not."""
    from hyosan.engines import compiling

    monkeypatch.setattr(compiling, "_told", False)
    heard: list[str] = []
    with compiling.reporting(heard.append):
        compiling.report("compiling: 1 of 3")
    assert capsys.readouterr().err == ""
    compiling.report("compiling: 2 of 3")
    compiling.report("compiling: 3 of 3")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("hyosan: compiling the simulation kernels, once for this machine")
    assert heard == ["compiling: 1 of 3"]

"""The first building run on a machine: the step loop's phases compiled on two cores at once.

With Numba's cache empty, the first call of the step loop (step.py) compiles each phase it calls,
one after another, then the loop itself: about ten seconds of CPU, on one core. `compile_ahead`,
called before that first call, compiles the phases in this process and in one helper process
at the same time, both writing Numba's cache; the loop's own compile then reads the helper's
phases from the cache. Each process takes the next phase nobody has taken yet (a claim is a file
made with O_EXCL), heaviest first, so the two finish together. The numbers are the same whoever
compiles what: a phase's machine code does not depend on the process that made it.

Which phases with which argument types: the step loop's Python source is run for one step with
each compiled function it calls replaced by a stub that records the types of its arguments; and
a phase a phase calls (people_choose calls plan_rooms) with arguments that are all the
caller's parameters takes the caller's types for them (`nested_phases`). A phase is taken only
once the phases it calls are done, so that the processes never compile one twice, and those
that hold up the most go first (plan_rooms, which people_choose waits on).

`hyosan run` starts the helper process as soon as it has read an agents scenario
(`start_helper_early`), so that its own start overlaps the checks and the building of the world.

It steps aside, and the step loop compiles as before, when: the loop is compiled or cached
already; only one core is free; this is itself a worker process (an ensemble's workers each
start alike); Numba cannot cache; hyosan is bundled into an app; or
`HYOSAN_COMPILE_PROCESSES=1`. Any failure of the helper only costs time: whatever it did not
compile, the step loop compiles itself.
"""

from __future__ import annotations

import ast
import atexit
import functools
import importlib
import inspect
import os
import pickle
import shutil
import tempfile
import textwrap
import time
import types
from pathlib import Path
from typing import Any

from numba.core import config as _numba_config
from numba.core.dispatcher import Dispatcher
from numba.core.typing.typeof import Purpose, typeof

from hyosan import helper_process
from hyosan.engines.compiling import report

__all__ = ["compile_ahead", "nested_phases", "phase_signatures", "start_helper_early"]

#: Numba's settings, read from the environment when it is imported (its type hints do not
#: list them).
config: Any = _numba_config

#: What the progress line says while the kernels compile.
MESSAGE = "compiling the simulation kernels, once"
#: The helper process may take this long before it is stopped (it is a few seconds).
HELPER_LIMIT_S = 600.0
#: A process waits this long at most for the other to finish a phase another phase calls
#: (then compiles it too, rather than wait on a process that may be gone).
WAIT_FOR_CALLEE_S = 120.0

#: A value of each return type a compiled function's annotation may name (as a string).
_ZEROS: dict[str, Any] = {"bool": False, "int": 0, "float": 0.0, "None": None}


class _StepRecordedError(Exception):
    """Raised by a stub called a second time: one whole step has been recorded."""


def phase_signatures(step: Any, args: tuple[Any, ...]) -> dict[Any, tuple[Any, ...]]:
    """The compiled functions `step` calls in its first step, with their argument types.

    Empty when the first step calls none (the piece is already over), or the probe fails.
    """
    calls: dict[Any, tuple[Any, ...]] = {}

    def stub(dispatcher: Any) -> Any:
        # What the stub returns has the type the function's annotation names (a flag, a count),
        # for the step loop may pass it on to another phase.
        annotation = dispatcher.py_func.__annotations__.get("return")
        returns = _ZEROS.get(getattr(annotation, "__name__", str(annotation)))

        def record(*a: Any) -> Any:
            if dispatcher in calls:
                raise _StepRecordedError
            calls[dispatcher] = tuple(typeof(x, Purpose.argument) for x in a)
            return returns

        return record

    fn = step.py_func
    stubs = {
        name: stub(value)
        for name, value in fn.__globals__.items()
        if isinstance(value, Dispatcher)
        and value is not step
        and value.targetoptions.get("inline") != "always"
    }
    probe = types.FunctionType(fn.__code__, {**fn.__globals__, **stubs}, fn.__name__)
    try:
        probe(*args)
    except _StepRecordedError:
        pass
    except Exception:  # the probe is only an estimate: on any surprise, compile as before
        return {}
    return calls


def _is_phase_call(value: Any) -> bool:
    return isinstance(value, Dispatcher) and value.targetoptions.get("inline") != "always"


def nested_phases(
    found: dict[Any, tuple[Any, ...]],
) -> tuple[dict[Any, tuple[Any, ...]], dict[Any, set[Any]]]:
    """The compiled functions the functions in `found` call, with their argument types, as far
    as they can be read off the source: a call whose arguments are all parameters of the
    caller (e.g. people_choose's call of plan_rooms) takes the caller's types for them. Those
    with other arguments are left out (the caller's compile compiles them, as before).

    Returns `found` with them added, and per function, the functions found that it calls.
    """
    every = dict(found)
    calls: dict[Any, set[Any]] = {}
    todo = list(found)
    while todo:
        caller = todo.pop()
        calls[caller] = set()
        fn = caller.py_func
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        except (OSError, TypeError, SyntaxError):  # no source to read: nothing found
            continue
        own = dict(zip(inspect.signature(fn).parameters, every[caller], strict=False))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            callee = fn.__globals__.get(node.func.id)
            if not _is_phase_call(callee) or node.keywords:
                continue
            names = [a.id for a in node.args if isinstance(a, ast.Name)]
            if len(names) != len(node.args) or any(name not in own for name in names):
                continue
            calls[caller].add(callee)
            if callee not in every:
                every[callee] = tuple(own[name] for name in names)
                todo.append(callee)
    return every, calls


@functools.cache
def _weight(dispatcher: Any) -> int:
    """Roughly how long a function takes to compile: its bytecode and its pasted helpers'."""
    fn = dispatcher.py_func
    total = len(fn.__code__.co_code)
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        if isinstance(value, Dispatcher) and value.targetoptions.get("inline") == "always":
            total += _weight(value)
    return total


def _critical_weight(dispatcher: Any, calls: dict[Any, set[Any]]) -> int:
    """Its weight and that of the heaviest chain of callers waiting on it: the phases that
    hold up the most are compiled first (plan_rooms before the heavier encounters, since
    people_choose waits on it)."""
    callers = [c for c, callees in calls.items() if dispatcher in callees]
    return _weight(dispatcher) + max((_critical_weight(c, calls) for c in callers), default=0)


def _is_cached(dispatcher: Any, sig: tuple[Any, ...]) -> bool:
    """Whether Numba's cache holds `dispatcher` for `sig` (True when it cannot tell)."""
    cache = getattr(dispatcher, "_cache", None)
    try:
        key = cache._index_key(sig, dispatcher.targetctx.codegen())  # type: ignore[union-attr]
        return key in cache._cache_file._load_index()  # type: ignore[union-attr]
    except Exception:  # no cache (NUMBA_CACHE_DIR unusable, JIT off), or another Numba
        return True


def _worth_two_processes() -> bool:
    if os.environ.get("HYOSAN_COMPILE_PROCESSES", "").strip() == "1" or config.DISABLE_JIT:
        return False
    return helper_process.may_start()


def _claim(folder: Path, k: int) -> bool:
    """Take job k unless the other process has: creating its claim file either succeeds once."""
    try:
        os.close(os.open(folder / f"{k}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _done(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*.done"))


def _compile_claimed(
    jobs: list[tuple[Any, tuple[Any, ...]]],
    needs: list[tuple[int, ...]],
    folder: Path,
    tell: Any,
) -> None:
    """Compile every job this process claims, marking each done.

    A job is taken in order once the jobs it needs (the phases it calls) are done, so that
    neither process compiles a phase the other is compiling; with none ready, it waits (at
    most `WAIT_FOR_CALLEE_S`, then takes the first left: its compile compiles what it calls).
    """
    left = list(range(len(jobs)))
    waited_since: float | None = None
    while left:
        left = [k for k in left if not (folder / f"{k}.claim").exists()]  # the other's
        ready = [k for k in left if all((folder / f"{d}.done").exists() for d in needs[k])]
        if not ready:
            now = time.monotonic()
            waited_since = now if waited_since is None else waited_since
            if now - waited_since < WAIT_FOR_CALLEE_S:
                time.sleep(0.02)
                continue
            ready = left[:1]
        waited_since = None
        k = ready[0]
        left.remove(k)
        if _claim(folder, k):
            dispatcher, sig = jobs[k]
            dispatcher.compile(sig)
            (folder / f"{k}.done").touch()
            tell()


def _spawn() -> Any:
    """A helper process waiting for its jobs; None if it could not start."""
    env = dict(os.environ)
    if config.CACHE_DIR:  # set in this process, perhaps not in its environment
        env["NUMBA_CACHE_DIR"] = str(config.CACHE_DIR)
    return helper_process.start("hyosan.engines.agents.precompile", "helper_main", env=env)


def _send(
    proc: Any, jobs: list[tuple[Any, tuple[Any, ...]]], needs: list[tuple[int, ...]], folder: Path
) -> Any:
    """`proc`, given the jobs; None if they could not be sent."""
    payload = {
        "module_file": str(Path(__file__).resolve()),
        "folder": str(folder),
        "jobs": [(d.py_func.__module__, d.py_func.__qualname__, sig) for d, sig in jobs],
        "needs": needs,
    }
    try:
        pickle.dump(payload, proc.stdin)
        proc.stdin.close()
    except (OSError, pickle.PicklingError):
        helper_process.stop(proc)
        return None
    return proc


def _start_helper(
    jobs: list[tuple[Any, tuple[Any, ...]]], needs: list[tuple[int, ...]], folder: Path
) -> Any:
    """The helper process, given the jobs: the one started early if there is one, else a new
    one; None if it could not start."""
    global _early
    proc, _early = _early, None
    if proc is None or proc.poll() is not None:
        proc = _spawn()
    return None if proc is None else _send(proc, jobs, needs, folder)


#: The helper process started early (`start_helper_early`), until `compile_ahead` takes it.
_early: Any = None


def start_helper_early() -> None:
    """Start the helper process now, if a first building run may need it (one core more, the
    step loop not cached): its own start (Python, Numba, the phases' modules) then overlaps
    the command's reading of the scenario and building of the world, and it waits for its
    jobs from `compile_ahead`. If no building run comes, it is stopped when this process ends.
    """
    global _early
    if _early is not None or not _worth_two_processes():
        return
    from hyosan.engines.agents.step import advance_building

    step: Any = advance_building  # a Numba dispatcher, typed as the function it compiles
    try:
        if step.overloads or step._cache._cache_file._load_index():
            return  # cached (for some types at least): most likely nothing to compile
    except Exception:  # no cache to read (NUMBA_CACHE_DIR unusable, JIT off): compile as before
        return
    _early = _spawn()
    if _early is not None:
        atexit.register(_stop_early)


def _stop_early() -> None:
    global _early
    if _early is not None:
        helper_process.stop(_early)
        _early = None


def helper_main(stream: Any, _out: Any = None) -> int:
    """The helper process: compile the jobs it claims (into Numba's cache), then exit."""
    # While the parent reads the scenario and builds the world: the step loop's modules (every
    # phase's), and Numba's contexts, which its first compile would otherwise set up.
    from numba.core.registry import cpu_target

    importlib.import_module("hyosan.engines.agents.step")
    cpu_target.typing_context.refresh()
    cpu_target.target_context.refresh()
    try:
        payload = pickle.load(stream)
    except EOFError:  # the parent had no jobs after all
        return 0
    if str(Path(__file__).resolve()) != payload["module_file"]:
        return 3  # another hyosan than the parent's: its cache would not be the parent's
    folder = Path(payload["folder"])
    jobs = [
        (getattr(importlib.import_module(module), name), sig)
        for module, name, sig in payload["jobs"]
    ]
    _compile_claimed(jobs, payload["needs"], folder, lambda: None)
    return 0


def compile_ahead(step: Any, args: tuple[Any, ...]) -> None:
    """Before the first call of `step` with `args`: on a cold cache, compile its phases on two
    cores, then `step` itself, reporting progress (engines/compiling.py)."""
    if step.overloads or not _worth_two_processes():
        return
    sig = tuple(typeof(a, Purpose.argument) for a in args)
    if _is_cached(step, sig):
        return
    found, calls = nested_phases(phase_signatures(step, args))
    jobs = sorted(found.items(), key=lambda job: -_critical_weight(job[0], calls))
    if not jobs:
        return
    index = {dispatcher: k for k, (dispatcher, _) in enumerate(jobs)}
    needs = [tuple(sorted(index[c] for c in calls.get(d, ()))) for d, _ in jobs]
    total = len(jobs) + 1
    folder = Path(tempfile.mkdtemp(prefix="hyosan-compile-"))
    shown = -1

    def tell() -> None:
        nonlocal shown
        done = _done(folder)
        if done != shown:
            shown = done
            report(f"{MESSAGE}: {done} of {total}")

    tell()
    proc = _start_helper(jobs, needs, folder)
    try:
        _compile_claimed(jobs, needs, folder, tell)
        if proc is not None:
            deadline = time.monotonic() + HELPER_LIMIT_S
            while proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
                tell()
    finally:
        if proc is not None:
            helper_process.stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
    report(f"{MESSAGE}: {total - 1} of {total}, the step loop")
    step.compile(sig)
    report(f"{MESSAGE}: {total} of {total}")

"""The public surface: a handful of names, importable without loading the heavy modules."""

from __future__ import annotations

import subprocess
import sys

import hyosan


def test_exported_names() -> None:
    """Every name in __all__ resolves, and nothing else is advertised."""
    for name in hyosan.__all__:
        assert getattr(hyosan, name) is not None
    assert sorted(dir(hyosan)) == sorted(hyosan.__all__)


def test_import_is_light() -> None:
    """Importing hyosan loads neither scipy, numba, pyarrow nor matplotlib."""
    heavy = ("scipy", "numba", "pyarrow", "matplotlib", "pydantic")
    code = f"import sys, hyosan; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_simulate_returns_result() -> None:
    """hyosan.simulate runs a built-in scenario by name and returns a Result with an arrow table."""
    result = hyosan.simulate("munz-basic", engine="ode", seed=1)
    assert isinstance(result, hyosan.Result)
    assert result.timeseries.num_rows == len(result.times)


def test_a_results_repr_is_one_line() -> None:
    """Typing a Result's name in a terminal shows what ran and how it ended, not the whole
    scenario and every array (50 kB for a building run before)."""
    for name, engine in (("munz-basic", "ode"), ("alemi-szr", "ssa"), ("hyosan-high", "agents")):
        overrides = ["time.horizon=1h"] if engine == "agents" else []
        result = hyosan.simulate(name, engine=engine, seed=2, overrides=overrides)
        shown = repr(result)
        assert shown.startswith(f"<Result {name!r}: {engine}, seed 2, ")
        assert f"{len(result.times):,} recorded times" in shown
        assert "\n" not in shown
        assert len(shown) < 200

"""The public surface: a handful of names, importable without loading the heavy modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_a_single_override_is_one_override() -> None:
    """One string is one override, not one per character; a scenario of the wrong type is
    refused in hyosan's words."""
    assert hyosan.simulate("munz-basic", overrides="seed=2").seed == 2
    with pytest.raises(hyosan.HyosanError, match="a scenario is a Scenario, a file path"):
        hyosan.simulate(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 2**63, "3", 1.5, True])
def test_seeds_are_checked_alike_everywhere(seed: object, tmp_path: Path) -> None:
    """simulate, the ensembles and fit take the seeds the scenario schema takes, and no other:
    a run's scenario.toml always reads back."""
    from hyosan.ensemble import Execution, Output, run_ensemble

    with pytest.raises(hyosan.HyosanError, match="seed must be"):
        hyosan.simulate("munz-basic", seed=seed)  # type: ignore[arg-type]
    with pytest.raises(hyosan.HyosanError, match="seed must be"):
        run_ensemble(
            "sir", 2, engine="ssa", seed=seed,  # type: ignore[arg-type]
            execution=Execution(workers=1), output=Output(tmp_path / "e"),
        )  # fmt: skip
    assert not (tmp_path / "e").exists()


def test_a_results_scenario_is_the_run() -> None:
    """The Result's scenario carries the run's seed and engine: simulating it again gives the
    same run, as a saved run's scenario.toml does."""
    result = hyosan.simulate("munz-basic", engine="ssa", seed=5)
    assert (result.scenario.seed, result.scenario.engine) == (5, "ssa")
    again = hyosan.simulate(result.scenario)
    assert again.seed == 5
    assert again.timeseries.equals(result.timeseries)


def test_plot_in_a_notebook_is_pyplots(monkeypatch: pytest.MonkeyPatch) -> None:
    """In IPython the axes are pyplot's, so that the cell shows them; elsewhere they are on a
    Figure of their own and pyplot is left alone."""
    import matplotlib.pyplot as plt

    from hyosan.results import result as module

    res = hyosan.simulate("munz-basic", seed=1)
    before = plt.get_fignums()
    ax = res.plot()
    assert plt.get_fignums() == before
    monkeypatch.setattr(module, "_in_ipython", lambda: True)
    ax = res.plot()
    try:
        assert ax.figure.number in plt.get_fignums()  # type: ignore[union-attr]
        assert ax.get_title() == "munz-basic: ode, seed 1"
    finally:
        plt.close(ax.figure)  # type: ignore[arg-type]


def test_fit_is_one_callable_with_fits_signature() -> None:
    """hyosan.fit is the same object at every access, and shows fit's own parameters."""
    import inspect

    first, second = hyosan.fit, hyosan.fit
    assert first is second
    assert list(inspect.signature(first).parameters)[:3] == ["scenario", "data", "method"]


def test_engines_and_scenarios_show_short() -> None:
    assert repr(hyosan.get_engine("ssa")) == "<SsaEngine: the 'ssa' engine>"
    assert len(repr(hyosan.load_scenario("hyosan-high"))) < 300


@pytest.mark.parametrize("runs", [2.5, "3", True])
def test_runs_of_the_wrong_type_are_refused(runs: object, tmp_path: Path) -> None:
    from hyosan.ensemble import Execution, Output, run_ensemble

    with pytest.raises(hyosan.HyosanError, match="runs is a whole number"):
        run_ensemble(
            "sir", runs, engine="ssa",  # type: ignore[arg-type]
            execution=Execution(workers=1), output=Output(tmp_path / "e"),
        )  # fmt: skip

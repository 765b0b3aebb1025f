"""Fixes of the Python API audit (sections 2, 4, 5, 6 and 8): names evolve() took that loading
refused, arguments of the wrong type that failed with an internal error, CLI flags in the
errors of `run_sample`, damaged run directories read without a word, and the README's word on
what the plot functions return."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hyosan
from hyosan.errors import HyosanError, ScenarioError, speak_command_line

ROOT = Path(__file__).resolve().parents[1]


# --- 2: evolve() refuses what loading refuses ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [("my run\nsecond line", "holds a control character (U+000A)"), ("   ", "is only spaces")],
)
def test_evolve_refuses_a_name_that_loading_refuses(name: str, said: str) -> None:
    """`evolve(name=...)` took a name with a newline or of spaces only; the run saved with it
    could not be loaded or run again (its scenario.toml was refused)."""
    scenario = hyosan.load_scenario("munz-basic")
    with pytest.raises(ScenarioError, match=re.escape(said)) as raised:
        scenario.evolve(name=name)
    assert [p.path for p in raised.value.problems] == ["name"]


def test_evolve_refuses_a_bad_name_deep_inside_and_an_integer_too_big() -> None:
    """Every `name` key is checked, as loading checks it (a reaction's), and so is the size of
    integers (which validation would overflow on)."""
    scenario = hyosan.load_scenario("munz-basic")
    model = scenario.model.model_dump(mode="json", exclude_none=True)
    model["reactions"][0]["name"] = "bite\x1b[31m"
    with pytest.raises(ScenarioError, match=r"model\.reactions\[0\]\.name: holds a control"):
        scenario.evolve(model=model)
    with pytest.raises(ScenarioError, match=r"initial\.S: 71-bit integer"):
        scenario.evolve(initial={**scenario.initial, "S": 2**70})


def test_an_evolved_copy_saves_and_loads_again(tmp_path: Path) -> None:
    """A good name still goes through, and the run saved with it loads back."""
    scenario = hyosan.load_scenario("munz-basic", ["time.horizon=2d"]).evolve(name="my run")
    saved = hyosan.simulate(scenario).save(tmp_path / "run")
    assert hyosan.Result.load(saved).scenario.name == "my run"


# --- 3: the ensemble functions' arguments -------------------------------------------------------


ENSEMBLE = {"engine": "ode", "overrides": ["time.horizon=2d"]}


def test_a_path_is_taken_as_output(tmp_path: Path) -> None:
    """`output="runs/e0"` failed with AttributeError: 'str' object has no attribute 'target'."""
    from hyosan.ensemble import Execution, run_ensemble

    run = run_ensemble(
        "munz-basic", 1, execution=Execution(workers=1), output=str(tmp_path / "e0"), **ENSEMBLE
    )
    assert run.out == tmp_path / "e0"
    assert (tmp_path / "e0" / "summary.json").is_file()


@pytest.mark.parametrize("function", ["run_ensemble", "run_sweep", "run_compare", "run_sample"])
def test_options_of_the_wrong_type_are_refused_by_name(function: str, tmp_path: Path) -> None:
    """Anything but an Execution as `execution`, or anything but an Output or a path as
    `output`, is a HyosanError naming the argument, before any run."""
    from hyosan import ensemble
    from hyosan.ensemble import Execution, Output
    from hyosan.ensemble.sample import run_sample

    call = {
        "run_ensemble": lambda **kw: ensemble.run_ensemble("munz-basic", 1, **kw),
        "run_sweep": lambda **kw: ensemble.run_sweep(
            "munz-basic", ["parameters.kill_rate=0.004:0.006:2"], 1, **kw
        ),
        "run_compare": lambda **kw: ensemble.run_compare("munz-basic", "munz-culls", 1, **kw),
        "run_sample": lambda **kw: run_sample(
            "munz-basic", ["parameters.kill_rate=0.004:0.006"], samples=2, runs=1, **kw
        ),
    }[function]
    with pytest.raises(HyosanError, match=r"^output is an Output .*; found 3$"):
        call(execution=Execution(workers=1), output=3, **ENSEMBLE)
    with pytest.raises(HyosanError, match=r"^execution is an Execution .*; found 2$"):
        call(execution=2, output=Output(tmp_path / "x"), **ENSEMBLE)
    assert list(tmp_path.iterdir()) == []


def test_run_sample_names_its_own_arguments(tmp_path: Path) -> None:
    """run_sample's errors said `--output 'final_hman'`, `--design 'foo'`: from Python they name
    `figure` and `design` (Python's `output` is the Output); the command line keeps its
    flags."""
    from hyosan.ensemble import Execution
    from hyosan.ensemble.sample import run_sample

    def sample(**kw: object) -> object:
        return run_sample(
            "munz-basic",
            ["parameters.kill_rate=0.004:0.006"],
            samples=2,
            runs=1,
            engine="ode",
            execution=Execution(workers=1),
            output=tmp_path / "s",
            **kw,
        )

    with pytest.raises(HyosanError) as raised:
        sample(figure="final_hman")
    said = str(raised.value)
    assert said.startswith("figure 'final_hman': runs have no such figure"), said
    assert "--" not in said
    with pytest.raises(HyosanError, match=r"^design 'foo': choose sobol, morris, lhs$"):
        sample(design="foo")
    back = speak_command_line()
    try:
        with pytest.raises(HyosanError, match=r"^--output 'final_hman': "):
            sample(figure="final_hman")
    finally:
        back()
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("args", [(-1, 0, 0), (0, -2, 0), ("1", 0, 0), (1, 0, 1.5), (True, 0, 0)])
def test_run_seed_refuses_with_a_hyosan_error(args: tuple[object, object, object]) -> None:
    """`run_seed(-1, 0, 0)` raised a bare ValueError; a string failed in the comparison."""
    from hyosan.ensemble import run_seed

    with pytest.raises(HyosanError, match="is a whole number, 0 or more; found"):
        run_seed(*args)  # type: ignore[arg-type]
    assert run_seed(1, 0, 0) == run_seed(1, 0, 0) >= 0


def test_write_report_says_to_save_a_result_first(tmp_path: Path) -> None:
    """`write_report(result)` failed in pathlib (TypeError); it says to save the Result and pass
    its directory. An ensemble's result is taken as its directory."""
    from hyosan.ensemble import Execution, run_ensemble
    from hyosan.reports import write_report

    result = hyosan.simulate("munz-basic", overrides=["time.horizon=2d"])
    with pytest.raises(HyosanError, match=r"save it first, then pass the directory"):
        write_report(result)  # type: ignore[arg-type]
    with pytest.raises(HyosanError, match=r"takes a run or ensemble directory .*; found 5"):
        write_report(5)  # type: ignore[arg-type]
    run = run_ensemble(
        "munz-basic", 1, execution=Execution(workers=1), output=tmp_path / "e", **ENSEMBLE
    )
    written = write_report(run, pictures=False)  # type: ignore[arg-type]
    assert written.report == tmp_path / "e" / "report.html"


def test_plot_refuses_axes_that_are_not_axes() -> None:
    """`result.plot(ax="x")` failed with AttributeError: 'str' object has no attribute 'figure'."""
    from matplotlib.figure import Figure

    result = hyosan.simulate("munz-basic", overrides=["time.horizon=2d"])
    with pytest.raises(HyosanError, match=r"^ax is matplotlib Axes .*; found 'x'$"):
        result.plot(ax="x")  # type: ignore[arg-type]
    ax = Figure().add_subplot()
    assert result.plot(ax=ax) is ax


# --- 6: a damaged or edited run directory -------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of munz-basic with seed 7 (the built-in's is 1), saved."""
    out = tmp_path_factory.mktemp("saved") / "run"
    hyosan.simulate("munz-basic", seed=7, overrides=["time.horizon=2d"]).save(out)
    return out


def _copy(saved: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(saved, tmp_path / "run"))


def _edit_summary(run: Path, edit: object) -> None:
    data = json.loads((run / "summary.json").read_text("utf-8"))
    edit(data)  # type: ignore[operator]
    (run / "summary.json").write_text(json.dumps(data), "utf-8")


def _damaged(run: Path, file: str, what: str) -> None:
    with pytest.raises(HyosanError) as raised:
        hyosan.Result.load(run)
    said = str(raised.value)
    assert said.startswith(f"{run / file}: "), said
    assert what in said, said
    assert "damaged, edited or not one hyosan wrote" in said


def test_summary_that_is_not_json(saved: Path, tmp_path: Path) -> None:
    """A raw JSONDecodeError before."""
    run = _copy(saved, tmp_path)
    (run / "summary.json").write_text("{not json", "utf-8")
    _damaged(run, "summary.json", "not valid JSON (Expecting property name")
    (run / "summary.json").write_text("[1, 2]", "utf-8")
    _damaged(run, "summary.json", "holds a JSON list, not an object")


def test_a_seed_that_is_not_a_number(saved: Path, tmp_path: Path) -> None:
    """A ValueError from int() before."""
    run = _copy(saved, tmp_path)
    _edit_summary(run, lambda d: d.update(seed="abc"))
    _damaged(run, "summary.json", "\"seed\" is 'abc', not a whole number 0 or more")


def test_a_figure_that_is_not_a_number(saved: Path, tmp_path: Path) -> None:
    run = _copy(saved, tmp_path)
    _edit_summary(run, lambda d: d.update(wall_s="slow"))
    _damaged(run, "summary.json", "a figure is not what it should be")


def test_a_missing_seed_is_the_scenarios_not_zero(saved: Path, tmp_path: Path) -> None:
    """summary.json without "seed" loaded as seed 0 (and saved so); scenario.toml holds the
    run's seed, 7."""
    run = _copy(saved, tmp_path)
    _edit_summary(run, lambda d: d.pop("seed"))
    loaded = hyosan.Result.load(run)
    assert loaded.seed == 7
    assert loaded.summary()["seed"] == 7


def test_a_time_series_without_t(saved: Path, tmp_path: Path) -> None:
    """A KeyError from pyarrow before."""
    run = _copy(saved, tmp_path)
    table = pq.read_table(run / "timeseries.parquet")
    pq.write_table(table.drop_columns(["t"]), run / "timeseries.parquet")
    _damaged(run, "timeseries.parquet", "has no column t (a run's has t and the compartments")


def test_a_time_series_shorter_than_the_incidence(saved: Path, tmp_path: Path) -> None:
    """numpy's "operands could not be broadcast" before."""
    run = _copy(saved, tmp_path)
    table = pq.read_table(run / "timeseries.parquet")
    pq.write_table(table.slice(0, 10), run / "timeseries.parquet")
    _damaged(run, "incidence.parquet", "rows, where timeseries.parquet has 10")


# --- 8: what the plot functions return ----------------------------------------------------------


def test_the_readme_and_docstrings_say_what_write_gif_and_the_map_return() -> None:
    """The README said all four "return matplotlib figures": write_gif returns a path, and it
    and plot_first_zombie return None for a run with places but no coordinates (a graph
    world), which their docstrings did not say."""
    from hyosan.reports import plot_first_zombie, write_gif

    readme = " ".join((ROOT / "README.md").read_text("utf-8").split())
    assert "and `write_gif`, which take a Result or a directory and return matplotlib" not in (
        readme
    )
    assert "writes the GIF and returns its path" in readme
    assert "places without coordinates" in readme
    for function in (plot_first_zombie, write_gif):
        doc = " ".join(inspect.getdoc(function).split())  # type: ignore[union-attr]
        assert "Returns None" in doc
        assert "no coordinates" in doc


def test_a_graph_world_without_coordinates_has_no_map(tmp_path: Path) -> None:
    """As documented: None, and no file, for places without coordinates."""
    import networkx as nx

    from hyosan.reports import plot_first_zombie, write_gif

    world = {
        "kind": "graph",
        "edges": nx.path_graph(3),
        "fill": {"S": 5},
        "seeds": [{"at": "0", "counts": {"I": 1}}],
    }
    scenario = hyosan.load_scenario("sir", ["time.horizon=2d"]).evolve(world=world, initial={})
    result = hyosan.simulate(scenario, engine="ssa", seed=1)
    assert result.places is not None
    assert plot_first_zombie(result) is None
    assert write_gif(result, tmp_path / "a.gif") is None
    assert not (tmp_path / "a.gif").exists()

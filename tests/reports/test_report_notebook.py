"""Results in notebooks: Result.load, _repr_html_, .plot(ax=), to_pandas, and figures that a
fresh notebook shows as pictures without importing pyplot (executed with nbclient)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import hyosan
from hyosan.results.result import Result

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    result = hyosan.simulate("munz-basic", seed=1)
    return result, result.save(tmp_path_factory.mktemp("nb") / "run")


def test_load_gives_back_the_saved_result(saved: tuple[Result, Path]) -> None:
    """Result.load(dir) reads a run directory back: the same summary and series."""
    result, out = saved
    loaded = Result.load(out)
    assert loaded.summary() == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert loaded.compartments == result.compartments
    np.testing.assert_allclose(loaded.series("zombie"), result.series("zombie"))


def test_load_of_a_building_run_keeps_events_and_places(tmp_path: Path) -> None:
    """An agents run's events and per-room snapshots come back too."""
    from hyosan.scenario.load import load_scenario

    result = hyosan.simulate(load_scenario("hyosan-high", ["time.horizon=30min"]), seed=2)
    loaded = Result.load(result.save(tmp_path / "run"))
    assert loaded.events is not None
    assert loaded.places is not None
    assert loaded.places.num_rows == result.places.num_rows
    assert loaded.summary()["fates"] == result.summary()["fates"]


def test_load_of_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    """A folder without a run's files is a HyosanError that names what is missing."""
    from hyosan.errors import HyosanError

    with pytest.raises(HyosanError, match=r"no scenario\.toml"):
        Result.load(tmp_path)


def test_repr_html_has_figures_and_a_chart(saved: tuple[Result, Path]) -> None:
    """A notebook shows a Result as its headline figures and a small chart."""
    result, _ = saved
    html = result._repr_html_()
    assert "Result of munz-basic" in html
    assert "peak zombies" in html
    assert "overrun (80 % lost)" in html
    assert '<img alt="every state over time" src="data:image/png;base64,' in html


def test_plot_draws_on_given_axes(saved: tuple[Result, Path]) -> None:
    """Result.plot(ax) draws every state on the axes it is given and returns them."""
    from matplotlib.figure import Figure

    result, _ = saved
    ax = Figure().add_subplot()
    assert result.plot(ax) is ax
    assert {line.get_label() for line in ax.get_lines()} == set(result.state_names())
    assert result.plot().get_ylabel() == "people"


def test_figures_show_themselves_as_png(saved: tuple[Result, Path]) -> None:
    """The plot functions' Figures carry _repr_png_, so Jupyter shows them without pyplot."""
    from hyosan.reports import plot_timeseries

    result, _ = saved
    assert plot_timeseries(result)._repr_png_().startswith(PNG)


def test_to_pandas_is_indexed_by_time_in_the_run_unit(saved: tuple[Result, Path]) -> None:
    """The DataFrame's index is the time in the run's unit (days here), named so."""
    pytest.importorskip("pandas")
    result, _ = saved
    frame = result.to_pandas()
    assert frame.index.name == "time (d)"
    np.testing.assert_allclose(frame.index.to_numpy(), result.times / 86400.0)
    assert list(frame["t"]) == list(result.times)


NOTEBOOK_CELLS = [
    "import hyosan\nfrom hyosan.reports import plot_timeseries\n"
    "result = hyosan.simulate('munz-basic', seed=1)",
    "result",
    "plot_timeseries(result)",
    "import sys\nprint('matplotlib.pyplot' in sys.modules)",
]


def test_a_fresh_notebook_shows_results_inline(tmp_path: Path) -> None:
    """Executed by nbclient in a fresh kernel: the Result displays as HTML with its chart, a
    plot as a PNG, and pyplot was never imported."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = nb.cells[1].outputs[0]["data"]
    assert "Result of munz-basic" in shown["text/html"]
    assert "data:image/png;base64," in shown["text/html"]
    assert "image/png" in nb.cells[2].outputs[0]["data"]
    assert nb.cells[3].outputs[0]["text"].strip() == "False"
    (tmp_path / "executed.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")

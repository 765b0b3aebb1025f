"""Nothing in a picture hides another thing: every lowest panel of the incidence bands keeps its
time axis numbers, a reaction with the infections' counts is drawn over them, and a legend sits
beside the data, not on it. The bands' reactions come in one order, ensemble or sweep."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hyosan
from hyosan.reports import plot_bands, plot_epidemic, plot_incidence_bands, plot_timeseries
from hyosan.reports.rundata import RunData
from hyosan.scenario.load import load_scenario

#: Reactions of the hand-made incidence bands, in the file's order.
REACTIONS = ("kill", "natural_death", "resurrection", "infections")


def _write_incidence(folder: Path, points: int) -> None:
    """incidence_bands.parquet of four reactions; the first point's kills are its infections
    (a sweep's low bite rate: each bite met by a kill), so only its later points show them;
    an ensemble of one point has kills of its own."""
    t = np.linspace(0.0, 10 * 86400.0, 21)
    rows: dict[str, list[Any]] = {k: [] for k in ("point", "t", "series", "q05", "q25")}
    rows.update({"q50": [], "q75": [], "q95": [], "mean": []})
    for p in range(points):
        for kind in ("new", "cum"):
            for j, name in enumerate(REACTIONS):
                cum = np.linspace(0.0, 10.0 + j, t.size)
                if name == "kill" and p == 0 and points > 1:
                    cum = np.linspace(0.0, 10.0 + REACTIONS.index("infections"), t.size)
                values = cum if kind == "cum" else np.r_[0.0, np.diff(cum)]
                for ti, v in zip(t, values, strict=True):
                    rows["point"].append(p)
                    rows["t"].append(float(ti))
                    rows["series"].append(f"{kind}_{name}")
                    for q in ("q05", "q25", "q50", "q75", "q95", "mean"):
                        rows[q].append(float(v))
    pq.write_table(pa.table(rows), folder / "incidence_bands.parquet")


@pytest.fixture
def incidence_ensembles(tmp_path: Path, write_ensemble: Callable[..., Path]) -> list[Path]:
    """An ensemble of one point and a sweep of two, with hand-made incidence bands."""
    folders = []
    for points in (1, 2):
        folder = write_ensemble(tmp_path / f"ens{points}", points=points)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        summary["per_point"] = [
            {"point": p, "values": {"parameters.bite_rate": 0.005 * (p + 1)}} for p in range(points)
        ]
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        _write_incidence(folder, points)
        folders.append(folder)
    return folders


def _has_tick_labels(ax: Any) -> bool:
    return any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())


def test_every_lowest_band_panel_has_its_time_numbers(incidence_ensembles: list[Path]) -> None:
    """Four reactions on a grid of three columns: the panels over the hidden cells are the
    lowest of their columns and show their time tick labels, in both blocks of panels."""
    for folder in incidence_ensembles:
        fig = plot_incidence_bands(folder)
        assert fig is not None
        fig.draw_without_rendering()
        for sub in fig.subfigs:
            shown = [ax for ax in sub.axes if ax.get_visible()]
            assert len(shown) == 4
            for ax in shown:
                col = ax.get_subplotspec().colspan.start
                row = ax.get_subplotspec().rowspan.start
                below = [
                    o
                    for o in shown
                    if o.get_subplotspec().colspan.start == col
                    and o.get_subplotspec().rowspan.start > row
                ]
                assert _has_tick_labels(ax) == (not below), ax.get_title()


def test_the_bands_reactions_come_in_one_order(incidence_ensembles: list[Path]) -> None:
    """An ensemble and a sweep whose first point has no kills of its own draw the reactions in
    the same order (the sweep put kill last)."""
    orders = []
    for folder in incidence_ensembles:
        fig = plot_incidence_bands(folder)
        assert fig is not None
        orders.append([ax.get_title() for ax in fig.subfigs[0].axes if ax.get_visible()])
    assert orders[0] == orders[1] == ["infections", "kill", "natural death", "resurrection"]


@pytest.fixture(scope="module")
def sir() -> RunData:
    return RunData.from_result(hyosan.simulate(load_scenario("sir"), seed=1))


def test_a_reaction_with_the_infections_counts_is_not_hidden(sir: RunData) -> None:
    """A kill per bite in the first half (alemi's 3 kills in the day of its 3 bites): the
    kills are drawn over the new infections, which are an area beneath the lines, so both
    show."""
    assert sir.incidence is not None
    table = sir.incidence
    infections = np.asarray(table.column("new_infections").to_numpy(), dtype=np.float64)
    kills = np.where(np.arange(infections.size) < infections.size // 2, infections, 0.0)
    run = replace(sir, incidence=table.append_column("new_kill", pa.array(kills)))
    fig = plot_epidemic(run)
    assert fig is not None
    top = fig.axes[0]
    artists = list(top.get_children())
    by_label = {a.get_label(): a for a in artists if a.get_label() in ("kill", "new infections")}
    kill, total = by_label["kill"], by_label["new infections"]

    def drawn_at(a: Any) -> tuple[float, int]:
        return (a.get_zorder(), artists.index(a))

    assert drawn_at(kill) > drawn_at(total)
    assert total.get_fill()  # the infections still show where a line lies over their edge


def _legend_in_axes(ax: Any, legend: Any) -> np.ndarray:
    """The legend's box in the axes' coordinates: x0, y0, x1, y1."""
    box = legend.get_window_extent()
    return np.asarray(ax.transAxes.inverted().transform(box.get_points())).ravel()


def test_the_time_series_legend_covers_no_data(sir: RunData) -> None:
    """The legend sits outside the axes, where no line runs (hyosan-city's box hid its human
    line: seven states leave no free corner)."""
    cure = RunData.from_result(hyosan.simulate(load_scenario("munz-cure"), seed=1))
    for run in (sir, cure):
        fig = plot_timeseries(run)
        fig.draw_without_rendering()
        top = fig.axes[0]
        legend = top.get_legend() or fig.legends[0]
        x0, _, x1, _ = _legend_in_axes(top, legend)
        assert x0 >= 1.0
        assert x1 > x0
        # ... and inside the figure, which constrained layout made room for.
        assert legend.get_window_extent().x1 <= fig.bbox.x1 + 1


def test_an_ensembles_one_axes_legend_covers_no_data(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    folder = write_ensemble(tmp_path / "ens", points=1)
    fig = plot_bands(folder, small_multiples=False)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    x0, _, _, _ = _legend_in_axes(ax, ax.get_legend())
    assert x0 >= 1.0

"""A grid's first-zombie map: zoomed in on a small reached area with an inset of the whole
grid, and a country's named places and scale bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import hyosan
from hyosan.reports import plot_first_zombie
from hyosan.reports.rundata import RunData
from hyosan.scenario.load import load_scenario


@pytest.fixture(scope="module")
def sir() -> RunData:
    return RunData.from_result(hyosan.simulate(load_scenario("sir"), seed=1))


def _grid_run(
    sir: RunData, places: pa.Table, reached: np.ndarray | None = None, **grid: Any
) -> RunData:
    """`sir` with the grid `places` as its map; only the places of `reached` (a mask) reached
    where given; `grid` the world's context (RunData.grid)."""
    if reached is not None:
        t = places.column("t_first_zombie_s").to_numpy()
        i = places.column_names.index("t_first_zombie_s")
        places = places.set_column(i, "t_first_zombie_s", pa.array(np.where(reached, t, np.nan)))
    return replace(sir, places=places, grid=dict(grid))


def _map_axes(fig: Any) -> Any:
    return next(ax for ax in fig.axes if ax.images)


def test_a_small_reached_area_is_zoomed_in_with_the_whole_grid_inset(
    sir: RunData, big_grid_places: Callable
) -> None:
    """An outbreak that reached 4 sites of a 200 × 200 lattice (alemi's 4 of 65,536 were a
    dot of 4 pixels): the map shows them zoomed in, says how many were reached of how many,
    and an inset draws the whole grid with a frame where the zoom lies."""
    places = big_grid_places(200, 200, 3)
    r, c = np.divmod(np.arange(200 * 200), 200)
    reached = (np.abs(r - 100) <= 1) & (np.abs(c - 120) <= 0) | (r == 100) & (c == 121)
    fig = plot_first_zombie(_grid_run(sir, places, reached))
    assert fig is not None
    ax = _map_axes(fig)
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    assert right - left == 15
    assert bottom - top == 15
    assert left < 120 < right
    assert top < 100 < bottom
    assert ax.get_title().startswith("reached 4 of 40,000 places: zoomed in on 15 × 15")
    insets = [child for child in ax.child_axes if child.images]
    assert len(insets) == 1
    frame = insets[0].patches[0]
    assert frame.get_x() < 120 < frame.get_x() + frame.get_width()


def test_a_wide_outbreak_is_not_zoomed(sir: RunData, big_grid_places: Callable) -> None:
    fig = plot_first_zombie(_grid_run(sir, big_grid_places(60, 60, 3)))
    assert fig is not None
    ax = _map_axes(fig)
    assert ax.get_xlim() == (-0.5, 59.5)
    assert not ax.child_axes
    assert ax.get_title() == ""


def test_a_countrys_named_places_are_marked_with_a_scale_bar(
    sir: RunData, big_grid_places: Callable
) -> None:
    """The world's named places get a dot and a label each, the cordon's place first, none
    covering another (a place next to a labelled one is left out); a scale bar in km."""
    landmarks = [["Alpha", 20, 30], ["Beta", 21, 31], ["Gamma", 80, 70], ["Hyosan", 60, 20]]
    run = _grid_run(
        sir,
        big_grid_places(100, 100, 3),
        cell_km=5.0,
        landmarks=landmarks,
        cordons=[["Quarantine of Hyosan", 60, 20, 6.0]],
    )
    fig = plot_first_zombie(run)
    assert fig is not None
    ax = _map_axes(fig)
    names = [t.get_text() for t in ax.texts]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert next((d.get_xdata()[0], d.get_ydata()[0]) for d in dots) == (20.0, 60.0)
    assert names == ["Hyosan", "Alpha", "Gamma", "100 km"]

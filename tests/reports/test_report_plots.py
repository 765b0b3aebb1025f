"""Plots, frames and the GIF for each engine's Result and for an ensemble."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import hyosan
from hyosan.reports import (
    EnsembleData,
    RunData,
    plot_bands,
    plot_first_zombie,
    plot_timeseries,
    write_gif,
)
from hyosan.reports.frames import busy_frames, counts_change, place_frames
from hyosan.reports.geometry import GridGeometry, PointGeometry, geometry_of
from hyosan.scenario.load import load_scenario

BUILDING = """
name = "bld"
engine = "ssa"
model = "sezr-frequency"
[parameters]
bite_rate = "30/h"
kill_rate = "3/h"
turn_rate = "30/h"
[time]
horizon = "2h"
[world]
kind = "building"
building = "hyosan-high"
fill = { S = 8 }
movement = { Z = "6/h", S = "1/h" }
[[world.seeds]]
at = "infirmary"
counts = { Z = 1 }
"""


def _scenario(name: str, tmp_path: Path) -> object:
    if name == "building":
        path = tmp_path / "bld.toml"
        path.write_text(BUILDING, encoding="utf-8")
        return load_scenario(str(path))
    if name == "lattice":
        return load_scenario("alemi-lattice", ["world.size=[40, 40]", "time.horizon=2000d"])
    if name == "hyosan-high":
        return load_scenario("hyosan-high", ["time.horizon=1h"])
    return load_scenario(name)


#: One scenario per engine (and both kinds of ssa world); places: whether it has a map.
CASES = [
    ("munz-basic", "ode", False),
    ("munz-basic", "tau", False),
    ("lattice", "ssa", True),
    ("building", "ssa", True),
    ("hyosan-high", "agents", True),
]


@pytest.fixture(scope="module", params=CASES, ids=[f"{e}-{s}" for s, e, _ in CASES])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    scenario_name, engine, spatial = request.param
    scen = _scenario(scenario_name, tmp_path_factory.mktemp("scen"))
    result = hyosan.simulate(scen, engine=engine, seed=3)
    return result, spatial


def test_plot_timeseries_for_every_engine(case: tuple) -> None:
    """A Result of every engine gives a time-series figure with one line per state."""
    from matplotlib.figure import Figure

    result, _ = case
    fig = plot_timeseries(result)
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    assert {line.get_label() for line in lines} == set(result.state_names())


def test_plot_first_zombie_for_spatial_runs_only(case: tuple) -> None:
    """Spatial runs get a first-arrival map; runs without places get None."""
    from matplotlib.figure import Figure

    result, spatial = case
    fig = plot_first_zombie(result)
    if spatial:
        assert isinstance(fig, Figure)
    else:
        assert fig is None


def test_gif_has_many_frames(case: tuple, tmp_path: Path) -> None:
    """The GIF of a spatial run has more than one frame; a run without places has none."""
    from PIL import Image

    result, spatial = case
    path = write_gif(result, tmp_path / "outbreak.gif")
    if not spatial:
        assert path is None
        return
    assert path is not None
    with Image.open(path) as image:
        assert image.n_frames > 1
        assert image.size[0] > 100


def test_gif_frames_show_each_places_colour(
    case: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every frame of the GIF shows each place in its own colour for that frame (within what a
    shared palette of 255 colours allows), the same colour a PNG of that moment would give."""
    from PIL import Image

    from hyosan.reports import animation

    result, spatial = case
    if not spatial:
        return
    seen: dict[str, object] = {}
    real = animation._indexed_frames

    def spy(background, painter, colours, stamps, font):  # type: ignore[no-untyped-def]
        seen.update(painter=painter, colours=colours, height=background.shape[0])
        return real(background, painter, colours, stamps, font)

    monkeypatch.setattr(animation, "_indexed_frames", spy)
    path = write_gif(result, tmp_path / "outbreak.gif")
    assert path is not None
    painter, colours = seen["painter"], np.asarray(seen["colours"])
    expected = np.round(np.clip(colours, 0, 1) * 255)
    with Image.open(path) as image:
        assert image.n_frames == colours.shape[0]
        for f in range(image.n_frames):
            image.seek(f)
            rgb = np.asarray(image.convert("RGB")).astype(float)
            # The RGB picture painted directly, as each frame was before the shared palette.
            direct = np.zeros_like(rgb)
            painter.paint_values(direct, expected[f], 255.0)  # type: ignore[attr-defined]
            painted = np.zeros(rgb.shape[:2], dtype=bool)
            painter.paint_values(  # type: ignore[attr-defined]
                painted, np.ones(colours.shape[1], dtype=bool), False
            )
            assert painted.sum() > 0
            error = np.abs(rgb[painted] - direct[painted])
            assert error.mean() < 4.0
            assert np.percentile(error, 99) <= 24


def test_run_data_from_result_and_directory_agree(case: tuple, tmp_path: Path) -> None:
    """A Result and its run directory give the same data to the report."""
    result, _ = case
    out = result.save(tmp_path / "run")
    a, b = RunData.from_result(result), RunData.from_dir(out)
    assert a.name == b.name
    assert a.engine == b.engine
    assert a.summary == b.summary
    assert a.compartment_states == b.compartment_states
    assert list(a.states) == list(b.states)
    for state in a.states:
        np.testing.assert_allclose(a.states[state], b.states[state])
    if result.places is not None:
        # places.parquet says each compartment's state: the report needs no scenario file.
        (out / "scenario.toml").unlink()
        alone = RunData.from_dir(out)
        assert [alone.state_of(c) for c in result.compartments] == list(result.states)


def test_building_places_are_drawn_per_floor(tmp_path: Path) -> None:
    """Rooms of the ssa building world (no floor column) are drawn one panel per floor."""
    result = hyosan.simulate(_scenario("building", tmp_path), seed=1)
    run = RunData.from_result(result)
    geometry = geometry_of(run.places, run.rooms)
    assert isinstance(geometry, PointGeometry)
    titles = [p.title for p in geometry.panels]
    assert titles[:4] == ["floor 5", "floor 4", "floor 3", "floor 2"]
    assert "grounds" not in titles or titles[-1] == "grounds"
    assert np.all((geometry.u >= 0) & (geometry.u <= 1) & (geometry.v >= 0) & (geometry.v <= 1))


def test_rooms_are_drawn_to_scale_without_overlaps(tmp_path: Path) -> None:
    """Hyosan High's rooms are rectangles of their areas (shrunk only where they would
    overlap), corridors long and thin, and no two rectangles of a panel overlap unless one
    holds the other."""
    run = RunData.from_result(hyosan.simulate(_scenario("building", tmp_path), seed=1))
    g = geometry_of(run.places, run.rooms)
    assert isinstance(g, PointGeometry)
    i = {name: k for k, name in enumerate(g.labels)}
    # Areas in units of the panel: the library is drawn bigger than a classroom, by its area.
    area = g.w * g.h / np.array([g.panels[p].aspect for p in g.panel])
    ratio = area[i["library"]] / area[i["3-1"]]
    assert 300 / 65 * 0.5 < ratio < 300 / 65 * 1.5
    corridor = i["3F corridor centre"]
    aspect = g.panels[g.panel[corridor]].aspect
    assert g.w[corridor] > 2 * g.h[corridor] / aspect  # long along the building
    for p in range(len(g.panels)):
        m = np.flatnonzero(g.panel == p)
        x, y = g.u[m], g.v[m] / g.panels[p].aspect
        w, h = g.w[m], g.h[m] / g.panels[p].aspect
        dx, dy = np.abs(x[:, None] - x[None, :]), np.abs(y[:, None] - y[None, :])
        overlap = (dx < (w[:, None] + w[None, :]) / 2 - 1e-9) & (
            dy < (h[:, None] + h[None, :]) / 2 - 1e-9
        )
        np.fill_diagonal(overlap, False)
        holds = (dx <= w[:, None] / 2) & (dy <= h[:, None] / 2)
        assert not np.any(overlap & ~holds & ~holds.T), g.panels[p].title


def test_first_zombie_map_names_every_room(tmp_path: Path) -> None:
    """first-zombie.png names each room, whole, in the room or in the key under the map, and
    its rooms lie inside their panels (nothing clipped)."""
    result = hyosan.simulate(_scenario("hyosan-high", tmp_path), seed=3)
    run = RunData.from_result(result)
    fig = plot_first_zombie(run)
    assert fig is not None
    fig.canvas.draw()
    inside = [t.get_text() for ax in fig.axes for t in ax.texts]
    key = fig._supxlabel.get_text().replace("\u00a0", " ") if fig._supxlabel else ""
    for name in run.places.column("name").to_pylist():
        assert name in inside or f" {name}" in f" {key}", name
    for ax in fig.axes[:-1]:  # the last is the colour bar
        for coll in ax.collections:
            for path in coll.get_paths():
                box = path.get_extents(coll.get_transform())  # in pixels, as the panel's
                assert box.x0 >= ax.bbox.x0 - 0.5
                assert box.x1 <= ax.bbox.x1 + 0.5
                assert box.y0 >= ax.bbox.y0 - 0.5
                assert box.y1 <= ax.bbox.y1 + 0.5


# --- budgets ------------------------------------------------------------------------------------


def test_million_place_grid_is_blocked_and_bounded(big_grid_places: Callable) -> None:
    """A grid of a million places is drawn in blocks, its counts summed, and said so."""
    places = big_grid_places(1000, 1000, 12)
    frames = place_frames(places)
    assert frames is not None
    g = frames.geometry
    assert isinstance(g, GridGeometry)
    assert g.block > 1
    assert g.rows * g.cols <= 65_536
    # Summing in blocks keeps every person.
    assert frames.counts[0].sum() == 1_000_000
    assert any("blocks" in note for note in frames.notes)
    _, packed = frames.packed_counts()
    assert len(packed) < 15_000_000


def test_frames_are_thinned_to_the_budget(big_grid_places: Callable) -> None:
    """Too many bytes of snapshots: frames are thinned, keeping first and last."""
    places = big_grid_places(100, 100, 150)
    frames = place_frames(places, max_raw_bytes=200_000)
    assert frames is not None
    assert 2 <= frames.times.size < 150
    assert frames.times[0] == 0.0
    assert frames.times[-1] == 86400.0
    assert any("snapshot times" in note for note in frames.notes)


def test_busy_frames_follow_the_activity() -> None:
    """A burst of change in frames 100 to 120 of 1000 gets most of the frames; the first and
    the last are kept, every pick is distinct, and quiet stretches still get some."""
    change = np.full(1000, 0.01)
    change[100:120] = 50.0
    picks = busy_frames(change, 60)
    assert picks.size == 60
    assert np.unique(picks).size == 60
    assert picks[0] == 0
    assert picks[-1] == 999
    in_burst = np.count_nonzero((picks >= 100) & (picks < 120))
    assert in_burst == 20  # every frame of the burst: there are fewer than its share
    assert np.count_nonzero(picks > 500) >= 5
    # Nothing happens: evenly spaced.
    np.testing.assert_array_equal(busy_frames(np.zeros(101), 11), np.arange(0, 101, 10))
    # Enough room: every frame.
    np.testing.assert_array_equal(busy_frames(change[:30], 40), np.arange(30))


def test_state_changes_weigh_more_than_walking() -> None:
    """People walking between two places all run long do not pull frames away from the frames
    where people turned."""
    frames, places = 200, 2
    counts = np.zeros((frames, 2, places))  # compartments S, Z
    counts[:, 0, 0] = 50
    counts[::2, 0, 0], counts[::2, 0, 1] = 40, 10  # ten people walk to and fro every frame
    counts[1::2, 0, 1] = 0
    counts[10:, 1, 0] = 5  # five turn at frame 10
    counts[10:, 0, 0] -= 5
    change = counts_change(counts)
    assert np.argmax(change) == 10
    picks = busy_frames(change, 20)
    assert 10 in picks


def test_gif_frames_follow_the_outbreak(big_grid_places: Callable) -> None:
    """A front that sweeps a grid in the first tenth of the run, then stops: most of the
    viewer's and the GIF's frames show it moving."""
    import pyarrow as pa

    from hyosan.reports.animation import gif_frames

    places = big_grid_places(20, 20, 400)
    col = np.arange(400) % 20
    front = np.minimum(np.arange(400), 39) // 2  # one column every two frames, then it stops
    z = (front[None, :] > col[:, None]).astype(np.int32)
    for name, values in (("Z", z), ("S", 1 - z)):
        column = pa.FixedSizeListArray.from_arrays(pa.array(values.ravel()), 400)
        places = places.set_column(places.column_names.index(name), name, column)
    frames = place_frames(places, max_frames=100)
    assert frames is not None
    moving = frames.times <= 39 / 399 * 86400.0 + 1e-6
    # Every frame where the front moved (20 of them), though only a tenth of the run.
    assert np.count_nonzero(moving) >= 21
    picks = gif_frames(frames, 20)
    assert picks.size == 20
    assert np.count_nonzero(moving[picks]) >= 12
    assert picks[-1] == frames.times.size - 1


# --- ensembles ----------------------------------------------------------------------------------


def test_plot_bands_for_an_ensemble(tmp_path: Path, write_ensemble: Callable) -> None:
    """An ensemble directory gives a figure with a median line per state, of every point (up
    to three), or of the point asked for."""
    from matplotlib.figure import Figure

    folder = write_ensemble(tmp_path / "ens")
    fig = plot_bands(folder)
    assert isinstance(fig, Figure)
    # One panel per state, each with each point's median.
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["human", "zombie"]
    labels = [[line.get_label() for line in ax.get_lines()] for ax in visible]
    assert labels == [["point 0", "point 1"], ["point 0", "point 1"]]
    assert all(len(ax.collections) == 4 for ax in visible)  # the 50 % and 90 % bands, twice
    one = plot_bands(EnsembleData.from_dir(folder), point=1)
    labels = [[line.get_label() for line in ax.get_lines()] for ax in one.axes if ax.get_visible()]
    assert labels == [["human (median)"], ["zombie (median)"]]


def test_plots_take_axes_runs_and_ensembles(
    tmp_path: Path, write_ensemble: Callable, case: tuple
) -> None:
    """Both plot functions draw on given axes and take runs and ensembles alike, an ensemble
    result (with its `out` directory) included."""
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    result, _ = case
    folder = write_ensemble(tmp_path / "ens")
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert plot_timeseries(result, ax=ax1) is fig
    assert plot_bands(SimpleNamespace(out=folder), ax=ax2) is fig
    assert {line.get_label() for line in ax1.get_lines()} == set(result.state_names())
    assert {line.get_label() for line in ax2.get_lines()} == {
        f"{state}, point {p} (median)" for state in ("human", "zombie") for p in (0, 1)
    }
    assert isinstance(plot_timeseries(folder), Figure)
    assert isinstance(plot_bands(result), Figure)


def test_outcome_table_from_runs(tmp_path: Path, write_ensemble: Callable) -> None:
    """Without per-point outcomes in summary.json, the table comes from runs.parquet."""
    from hyosan.reports.outcomes import outcome_table

    folder = write_ensemble(tmp_path / "ens")
    table = outcome_table(pq.read_table(folder / "runs.parquet"))
    assert table.headers[:2] == ["point", "runs"]
    assert "P(humans_win)" in table.headers
    assert table.rows[0][table.headers.index("P(humans_win)")] == "50.0 %"
    assert table.rows[0][table.headers.index("P(t_overrun_s reached)")] == "50.0 %"


def test_regions_and_far_places() -> None:
    """Named places on one plane share one panel; a far one is pulled in and flagged."""
    import pyarrow as pa

    places = pa.table(
        {
            "place": [0, 1, 2, 3, 4],
            "name": ["a", "b", "c", "d", "far away"],
            "x": [0.0, 10.0, 20.0, 30.0, 100_000.0],
            "y": [0.0, 5.0, 0.0, 5.0, 0.0],
        }
    )
    geometry = geometry_of(places)
    assert isinstance(geometry, PointGeometry)
    assert [p.title for p in geometry.panels] == ["map"]
    assert geometry.panels[0].scaled
    # The near places are not squeezed into a corner by the far one.
    assert geometry.u[3] - geometry.u[0] > 0.2
    assert geometry.labels == ["a", "b", "c", "d", "far away"]


def test_places_without_positions_have_no_map() -> None:
    """A network's places (no row/col, no x/y) are not drawn."""
    import pyarrow as pa

    assert geometry_of(pa.table({"place": [0, 1], "population": [1, 1]})) is None


@pytest.mark.parametrize("n", [2, 40, 1500, 1501])
def test_nearest_distance_agrees_with_a_kd_tree(n: int) -> None:
    """Markers are sized from each place's nearest neighbour: all pairs for a building's rooms,
    scipy's k-d tree above that; both give the tree's distances, duplicates at 0."""
    from scipy.spatial import cKDTree

    from hyosan.reports.geometry import _nearest_distance

    pts = np.random.default_rng(n).random((n, 2))
    pts[-1] = pts[0]
    tree, _ = cKDTree(pts).query(pts, k=2)
    np.testing.assert_allclose(_nearest_distance(pts), tree[:, 1], rtol=1e-12, atol=1e-15)
    assert _nearest_distance(pts)[0] == 0.0


def test_log_counts_are_labelled_as_plain_numbers(case: tuple) -> None:
    """A log-scaled chart labels its ticks 1, 10, 100, not mathtext: hyosan draws with mathtext
    off (names are plain text), under which matplotlib's powers of ten showed as their source,
    "$\\mathdefault{10^{3}}$", in every default run's time series."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from hyosan.reports.build import _png

    result, _ = case
    fig = plot_timeseries(result, log=True)
    _png(fig)  # drawn as the report draws it
    FigureCanvasAgg(fig).draw()  # type: ignore[no-untyped-call]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert labels
    assert not any("$" in text or "mathdefault" in text for text in labels), labels
    assert "1" in labels

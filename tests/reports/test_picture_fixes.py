"""What the pictures say: the model's own words, every scenario of a comparison and the values
of a sweep's points, a zoomed panel where a run settles early, log axes said, R_t not drawn
across its gaps, room labels that can be read, and outcomes drawn as the groups they name."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hyosan
from hyosan.reports import plot_bands, plot_epidemic, plot_first_zombie, plot_timeseries
from hyosan.reports.epidemic_plot import reaction_words
from hyosan.reports.labels import (
    LIGHT_COLOUR,
    NAME_COLOUR,
    NUMBER_COLOUR,
    place_labels,
    text_colour,
)
from hyosan.reports.plots import early_end, plot_outcomes
from hyosan.reports.rundata import RunData
from hyosan.scenario.load import load_scenario


@pytest.fixture(scope="module")
def sir_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SIR run's directory (its scenario.toml holds the model written out)."""
    result = hyosan.simulate(load_scenario("sir"), seed=1)
    return Path(result.save(tmp_path_factory.mktemp("sir") / "run"))


@pytest.fixture(scope="module")
def sir(sir_dir: Path) -> RunData:
    return RunData.from_dir(sir_dir)


@pytest.fixture(scope="module")
def cure() -> RunData:
    return RunData.from_result(hyosan.simulate(load_scenario("munz-cure"), seed=1))


def _visible(fig: Any) -> list[Any]:
    return [ax for ax in fig.axes if ax.get_visible()]


def _legend(fig: Any) -> list[str]:
    legends = [fig.legends[0]] if fig.legends else [ax.get_legend() for ax in fig.axes]
    return [t.get_text() for lg in legends if lg is not None for t in lg.get_texts()]


# --- the model's words --------------------------------------------------------------------------


def test_an_epidemics_picture_says_what_the_terminal_says(sir: RunData, cure: RunData) -> None:
    """SIR's legend says susceptible and infectious, as its terminal and page do; Munz's
    zombies keep theirs."""
    assert _legend(plot_timeseries(sir)) == ["susceptible", "infectious", "removed"]
    assert _legend(plot_timeseries(cure)) == ["human", "bitten", "zombie", "removed"]


def _ensemble(
    folder: Path, write_ensemble: Callable[..., Path], points: int, **summary: Any
) -> Path:
    """An ensemble directory of `points` points, its summary.json updated with `summary`."""
    write_ensemble(folder, points=points)
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    (folder / "summary.json").write_text(json.dumps({**data, **summary}), encoding="utf-8")
    return folder


def test_an_epidemics_bands_say_its_words(
    tmp_path: Path, write_ensemble: Callable, sir_dir: Path
) -> None:
    """An SIR ensemble's panels are titled susceptible and infectious."""
    folder = _ensemble(tmp_path / "ens", write_ensemble, 1, kind="ensemble")
    shutil.copy(sir_dir / "scenario.toml", folder / "scenario.toml")
    titles = [ax.get_title() for ax in _visible(plot_bands(folder))]
    assert titles == ["susceptible", "infectious"]
    assert _legend(plot_bands(folder, small_multiples=False)) == [
        "susceptible (median)",
        "infectious (median)",
    ]


# --- every point --------------------------------------------------------------------------------


def _per_point(names: list[str]) -> list[dict[str, Any]]:
    return [{"point": p, "scenario": n, "values": {}} for p, n in enumerate(names)]


def test_a_comparisons_bands_draw_both_scenarios(tmp_path: Path, write_ensemble: Callable) -> None:
    """bands.png of `compare A B` draws A and B in each panel, named; the title names the
    comparison, not "point 0"."""
    folder = _ensemble(
        tmp_path / "cmp", write_ensemble, 2,
        kind="compare", scenario="town vs city", per_point=_per_point(["town", "city"]),
    )  # fmt: skip
    fig = plot_bands(folder)
    for ax in _visible(fig):
        assert [line.get_label() for line in ax.get_lines()] == ["town", "city"]
    assert _legend(fig) == ["town", "city"]
    assert fig.get_suptitle().startswith("town vs city: compare;")
    assert "point" not in fig.get_suptitle()


def test_a_comparison_of_two_namesakes_says_which(tmp_path: Path, write_ensemble: Callable) -> None:
    """Two scenarios of one name are told apart as A and B."""
    folder = _ensemble(
        tmp_path / "cmp", write_ensemble, 2, kind="compare", per_point=_per_point(["m", "m"])
    )
    assert _legend(plot_bands(folder)) == ["A: m", "B: m"]


def test_a_sweeps_bands_name_their_values(tmp_path: Path, write_ensemble: Callable) -> None:
    """Of a sweep's seven points, the first, middle and last are drawn, each named by its
    value and unit, and the title says which were chosen; one point drawn alone is named."""
    values = [0.0002 * (k + 1) for k in range(7)]
    per_point = [
        {"point": k, "scenario": "s", "values": {"parameters.kill_rate": v}}
        for k, v in enumerate(values)
    ]
    vary = [{"key": "parameters.kill_rate", "unit": "/day", "values": values}]
    folder = _ensemble(tmp_path / "sw", write_ensemble, 7, per_point=per_point, vary=vary)
    fig = plot_bands(folder)
    expected = ["kill_rate = 0.0002/day", "kill_rate = 0.0008/day", "kill_rate = 0.0014/day"]
    for ax in _visible(fig):
        assert [line.get_label() for line in ax.get_lines()] == expected
    assert "3 of 7 points (first, middle, last)" in fig.get_suptitle()
    alone = plot_bands(folder, point=2)
    assert "kill_rate = 0.0006/day" in alone.get_suptitle()
    assert "point 2" not in alone.get_suptitle()


# --- zoom, log, gaps ----------------------------------------------------------------------------


def test_early_change_gets_a_zoomed_panel(sir: RunData, cure: RunData) -> None:
    """munz-cure changes all but 1 % by day 146 of 2000: timeseries.png and epidemic.png get
    a panel zoomed in on that; SIR's change is spread over its horizon and gets none."""
    t = np.linspace(0, 100, 1001)
    assert early_end(t, [np.exp(-t)]) is not None
    assert early_end(t, [t]) is None
    fig = plot_timeseries(cure)
    assert len(fig.axes) == 2
    left, right = fig.axes[1].get_xlim()
    assert left == 0.0
    assert 10 < right < 0.1 * 2000
    assert fig.axes[1].get_title().startswith("zoomed in: 99 % of the change is in the first")
    epidemic = plot_epidemic(cure)
    assert epidemic is not None
    assert len(epidemic.axes) == 4
    assert epidemic.axes[1].get_xlim()[1] < 0.1 * 2000
    assert len(plot_timeseries(sir).axes) == 1
    sir_epidemic = plot_epidemic(sir)
    assert sir_epidemic is not None
    assert len(sir_epidemic.axes) == 2


def _school(sir: RunData) -> RunData:
    """A run like Hyosan High's: its infections over in the first 2 % of the horizon, then
    troops taking 300 people to safety late on, more than 1 % of all the counts' change."""
    t = sir.times
    horizon = float(t[-1])
    so_far = np.round(500 * (1 - np.exp(-t / (0.002 * horizon))))
    late = np.where(t >= 0.8 * horizon, 300.0, 0.0)
    states = {"human": 1000 - so_far - late, "zombie": so_far, "safe": late}
    new = np.diff(so_far, prepend=0.0)
    escapes = np.where(np.arange(t.size) % 2 == 1, 1.0, 0.0) * (t < 0.01 * horizon)
    incidence = pa.table(
        {
            "t": t,
            "new_bite": new,
            "new_escape_bitten": escapes,
            "new_infections": new,
            "cum_infections": so_far,
            "R_t": np.full(t.size, np.nan),
        }
    )
    return replace(sir, states=states, incidence=incidence)


def test_a_late_step_does_not_stop_the_zoom_on_an_early_outbreak(sir: RunData) -> None:
    """Hyosan High's troops act at 50 h and 97 h of 120, after an outbreak over in 7 h: their
    moves hold more than 1 % of the counts' change, yet the pictures zoom in on the first
    hours, where 99 % of the infections are; its reactions are named in words."""
    school = _school(sir)
    t = school.times / 86400.0
    assert early_end(t, list(school.states.values())) is None
    infections = school.incidence.column("cum_infections").to_numpy()  # type: ignore[union-attr]
    early = early_end(t, list(school.states.values()), infections)
    assert early is not None
    assert early.what == "infections"
    assert early.settled < 0.02 * t[-1]
    fig = plot_timeseries(school)
    assert len(fig.axes) == 2
    assert fig.axes[1].get_xlim()[1] < 0.03 * t[-1]
    assert fig.axes[1].get_title().startswith("zoomed in: 99 % of the infections are in the first")
    epidemic = plot_epidemic(school)
    assert epidemic is not None
    assert len(epidemic.axes) == 4
    assert "escaped with a bite" in _legend(epidemic)
    assert "escape_bitten" not in _legend(epidemic)
    assert reaction_words("natural_death") == "natural death"


def test_a_log_axis_says_so(cure: RunData) -> None:
    """A symlog count axis is labelled "people (log scale)", a linear one "people"."""
    assert plot_timeseries(cure, log=True).axes[0].get_ylabel() == "people (log scale)"
    assert plot_timeseries(cure, log=False).axes[0].get_ylabel() == "people"


def test_r_t_is_not_drawn_across_hours_without_a_value(sir: RunData) -> None:
    """Where R_t has no value, its line breaks: no straight line joins the values either side
    (a value alone between gaps is still drawn, as a dot)."""
    assert sir.incidence is not None
    table = sir.incidence
    r_t = np.array(table.column("R_t").to_numpy(zero_copy_only=False), dtype=np.float64)
    r_t[100:500] = np.nan
    r_t[300] = 2.0
    i = table.column_names.index("R_t")
    run = replace(sir, incidence=table.set_column(i, "R_t", pa.array(r_t)))
    fig = plot_epidemic(run)
    assert fig is not None
    lines = fig.axes[1].get_lines()
    y = np.asarray(lines[0].get_ydata(), dtype=np.float64)
    assert np.isnan(y).sum() == 399  # the gap kept, but for the one value inside it
    dots = [line for line in lines if line.get_linestyle() == "None"]
    assert any(np.array_equal(np.asarray(d.get_ydata()), [2.0]) for d in dots)


# --- room labels --------------------------------------------------------------------------------


def test_label_colours_stand_out_from_their_rooms() -> None:
    """Dark purple rooms get white labels, light ones dark names and blue numbers, mid teal
    ones (where blue does not read) dark numbers."""
    purple, yellow, teal = (
        np.array([0.27, 0.0, 0.33]),
        np.array([0.99, 0.9, 0.14]),
        np.array([0.13, 0.57, 0.55]),
    )
    assert text_colour(purple, number=True) == LIGHT_COLOUR
    assert text_colour(purple, number=False) == LIGHT_COLOUR
    assert text_colour(yellow, number=True) == NUMBER_COLOUR
    assert text_colour(yellow, number=False) == NAME_COLOUR
    assert text_colour(teal, number=True) == NAME_COLOUR


def _boxes(spots: list[Any], sizes: np.ndarray) -> np.ndarray:
    return np.array(
        [
            [
                p.x - w * p.scale / 2,
                p.y - h * p.scale / 2,
                p.x + w * p.scale / 2,
                p.y + h * p.scale / 2,
            ]
            for p, (w, h) in zip(spots, sizes, strict=True)
        ]
    )


def test_labels_of_small_rooms_side_by_side_do_not_overlap() -> None:
    """Two tiny rooms touching (a gym and its equipment room): their numbers go apart, inside
    the panel; a room near the panel's top edge keeps its label inside."""
    rooms = np.array([[0.50, 0.20, 0.02, 0.02], [0.52, 0.20, 0.02, 0.02], [0.1, 0.48, 0.03, 0.02]])
    sizes = np.array([[0.04, 0.03]] * 3)
    spots = place_labels(rooms, sizes, np.zeros(3, bool), (0.0, 0.0, 1.0, 0.5))
    b = _boxes(spots, sizes)
    assert not (b[0, 0] < b[1, 2] and b[1, 0] < b[0, 2] and b[0, 1] < b[1, 3] and b[1, 1] < b[0, 3])
    assert np.all(b[:, :2] >= 0)
    assert np.all(b[:, 2] <= 1)
    assert np.all(b[:, 3] <= 0.5 + 1e-12)
    assert all(p.moved for p in spots[:2])  # off their rooms, on white with a leader line


def test_first_zombie_labels_do_not_overlap(tmp_path: Path) -> None:
    """On Hyosan High's map no two room labels overlap as drawn, and each lies inside its
    panel; labels on their rooms are coloured for their rooms' colours."""
    result = hyosan.simulate(load_scenario("hyosan-high", ["time.horizon=1h"]), seed=1)
    fig = plot_first_zombie(result)
    assert fig is not None
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()
    colours = set()
    for ax in fig.axes[:-1]:  # the last is the colour bar
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        for k, a in enumerate(boxes):
            inside = ax.bbox.padded(1)
            assert inside.x0 <= a.x0 <= a.x1 <= inside.x1, ax.texts[k].get_text()
            assert inside.y0 <= a.y0 <= a.y1 <= inside.y1, ax.texts[k].get_text()
            for b in boxes[k + 1 :]:
                # (Shrunk a little: a text's box holds its line's leading.)
                assert not a.shrunk(0.8, 0.6).overlaps(b.shrunk(0.8, 0.6)), ax.texts[k].get_text()
        colours.update(t.get_color() for t in ax.texts)
        _labels_clear_of_lines(ax, renderer)
    assert LIGHT_COLOUR in colours  # the rooms zombies reached last are dark
    _one_numbering(result, fig)


def _one_numbering(result: Any, fig: Any) -> None:
    """first-zombie.png and the report's map number the rooms alike: each numbered room in
    the picture has the number the map's data gives it (Hyosan High's picture had 1-65, the
    map 1-29, 16 and 12 for the 3F corridor west), and the key lists them in that order."""
    from hyosan.reports.frames import place_frames
    from hyosan.reports.payload import run_payload

    run = RunData.from_result(result)
    assert run.places is not None
    payload = run_payload(run, place_frames(run.places, run.rooms), [])
    points = payload["places"]["points"]
    number_of = dict(zip(points["labels"], points["numbers"], strict=True))
    assert sorted(points["numbers"]) == list(range(1, len(points["labels"]) + 1))
    key = fig.get_supxlabel()
    keyed = [entry.split("\u00a0", 1) for entry in key.replace("\n", "   ").split("   ")]
    assert len(keyed) > 10
    for number, name in keyed:
        assert int(number) == number_of[name.replace("\u00a0", " ")], name
    shown = [int(n) for n, _ in keyed]
    assert shown == sorted(shown)


def _labels_clear_of_lines(ax: Any, renderer: Any) -> None:
    """No label of `ax` crosses its floor's frame line ("11" and "15" sat on floor 4's), and a
    label left on its room lies inside it ("56" ran over its box's edge)."""
    from matplotlib.collections import PatchCollection

    frames = [p.get_window_extent(renderer) for p in ax.patches]
    rooms = [
        ax.transData.transform(path.vertices)
        for coll in ax.collections
        if isinstance(coll, PatchCollection)
        for path in coll.get_paths()
    ]
    for text in ax.texts:
        box = text.get_window_extent(renderer).shrunk(0.9, 0.6)
        for f in frames:
            assert f.x0 < box.x0, text.get_text()
            assert box.x1 < f.x1, text.get_text()
            assert f.y0 < box.y0, text.get_text()
            assert box.y1 < f.y1, text.get_text()
        if text.get_bbox_patch() is not None:  # moved off its room, on white
            continue
        x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        home = [
            r
            for r in rooms
            if r[:, 0].min() <= x <= r[:, 0].max() and r[:, 1].min() <= y <= r[:, 1].max()
        ]
        assert home, text.get_text()
        room = min(home, key=lambda r: np.ptp(r[:, 0]) * np.ptp(r[:, 1]))
        assert room[:, 0].min() <= box.x0, text.get_text()
        assert box.x1 <= room[:, 0].max(), text.get_text()


# --- outcomes -----------------------------------------------------------------------------------


def test_outcomes_draw_the_two_groups_they_name(tmp_path: Path, write_ensemble: Callable) -> None:
    """One point's runs that fall in two groups are drawn as two histograms, each saying how
    many runs it holds and near what, with a dashed line where they part."""
    folder = _ensemble(tmp_path / "ens", write_ensemble, 1, kind="ensemble")
    barricades = [80.0 + k % 5 for k in range(18)] + [140.0, 190.0]
    runs = pa.table(
        {
            "point": [0] * 20,
            "replicate": list(range(20)),
            "seed": list(range(20)),
            "n_barricades": barricades,
        }
    )
    pq.write_table(runs, folder / "runs.parquet")
    fig = plot_outcomes(folder)
    assert fig is not None
    ax = fig.axes[0]
    assert ax.get_title() == "n barricades: the runs fall in two groups"
    assert _legend(fig) == ["18 runs (90 %) near 82", "2 runs (10 %) near 165"]
    assert any(line.get_linestyle() == "--" for line in ax.get_lines())


# --- stochastic runs ----------------------------------------------------------------------------


def _stochastic(run: RunData, peak: float, t_peak_s: float, scale: float = 1.0) -> RunData:
    """`run` as a stochastic engine's: whole counts (times `scale`) sampled once a day, and a
    recorded peak of zombies `peak` at `t_peak_s` (counted at every event, so it may fall
    between samples)."""
    days = np.flatnonzero(np.mod(run.times, 86400.0) == 0.0)
    states = {s: np.round(scale * v[days]) for s, v in run.states.items()}
    summary = replace(run.summary, peak_zombies=peak, t_peak_zombies_s=t_peak_s)
    return replace(run, engine="ssa", times=run.times[days], states=states, summary=summary)


def test_a_stochastic_runs_counts_are_steps_with_its_peak_marked(sir: RunData) -> None:
    """An ssa run's counts are drawn as steps (they change in whole people), and its recorded
    peak, higher than any daily sample, is marked with its words; the ode's stay lines and
    a peak the samples show is not marked again."""
    small = 0.04  # a few people move a day, as in alemi-lattice's first days
    top = float(np.max(np.round(small * sir.states["zombie"])))
    run = _stochastic(sir, top + 40, 0.5 * 86400.0, small)
    fig = plot_timeseries(run, log=False)
    ax = fig.axes[0]
    curves = [line for line in ax.get_lines() if line.get_label() in _legend(fig)]
    assert curves
    assert all(line.get_drawstyle() == "steps-post" for line in curves)
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 1
    assert list(dots[0].get_xdata()) == [0.5]
    assert list(dots[0].get_ydata()) == [top + 40]
    words = [t.get_text() for t in ax.texts]
    assert f"peak infectious {top + 40:,.0f} at 0.5 days\n(between samples)" in words
    ode = plot_timeseries(sir, log=False).axes[0]
    assert all(line.get_drawstyle() == "default" for line in ode.get_lines())
    # Hundreds a day between samples (korea's thousands every six hours): the steps would be
    # the sampling's, so the counts stay lines.
    many = plot_timeseries(_stochastic(sir, top, 86400.0), log=False).axes[0]
    assert all(line.get_drawstyle() == "default" for line in many.get_lines())
    seen = _stochastic(sir, top, 86400.0, small)
    lines = plot_timeseries(seen).axes[0].get_lines()
    assert not [line for line in lines if line.get_marker() == "o"]


def test_linear_count_axes_have_thousands_separators(sir: RunData) -> None:
    """A linear count axis reads "1,250,000", not "1.25" under a "1e6" (korea's incidence),
    in timeseries.png and in both panels of counts of epidemic.png; a log axis keeps its
    words ("1 million")."""
    big = replace(sir, states={s: v * 10_000 for s, v in sir.states.items()})
    ax = plot_timeseries(big, log=False).axes[0]
    assert ax.yaxis.get_major_formatter()(1_250_000.0, 0) == "1,250,000"
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "0.25"
    epidemic = plot_epidemic(sir)
    assert epidemic is not None
    assert epidemic.axes[0].yaxis.get_major_formatter()(2_000_000.0, 0) == "2,000,000"
    log = plot_timeseries(big, log=True).axes[0]
    assert log.yaxis.get_major_formatter()(1e6, 0) == "1 million"

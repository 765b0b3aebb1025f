"""Static plots of a run or an ensemble, as matplotlib Figures (no pyplot, no global state).

Each function takes a Result, a RunData or EnsembleData, or a run or ensemble directory, and
returns a `matplotlib.figure.Figure` (one that shows itself in a notebook, see figure.py) to
show or save, drawn on the `ax=` given or on a new figure. The report saves them beside
report.html.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from hyosan.errors import HyosanError
from hyosan.reports.colours import EMPTY, POINT_COLOURS, STATE_COLOURS, mix_colours
from hyosan.reports.geometry import GridGeometry, Panel, PointGeometry
from hyosan.reports.gridmap import mark_places, zoom_to_reached
from hyosan.reports.labels import NAME_COLOUR, NUMBER_COLOUR, text_colour
from hyosan.reports.outcomes import group_split, point_labels
from hyosan.reports.plaintext import plain_linear_ticks, plain_log_ticks, plain_text
from hyosan.reports.rundata import EnsembleData, RunData, load_report_data
from hyosan.results.arrow import numbers
from hyosan.scenario.units import UNIT_NAMES

if TYPE_CHECKING:
    import pyarrow as pa
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyosan.reports.frames import PlaceFrames
    from hyosan.results.result import Result

__all__ = [
    "as_data",
    "as_ensemble",
    "as_run",
    "plot_bands",
    "plot_first_zombie",
    "plot_outcomes",
    "plot_timeseries",
]


def as_run(source: Result | RunData | str | Path) -> RunData:
    """A run's data from a Result, a RunData or a run directory."""
    if isinstance(source, RunData):
        return source
    if isinstance(source, str | Path):
        data = load_report_data(source)
        if not isinstance(data, RunData):
            raise HyosanError(f"{source} is an ensemble directory, not a run directory")
        return data
    return RunData.from_result(source)


def as_ensemble(source: Any) -> EnsembleData:
    """An ensemble's data from an EnsembleData, an ensemble result or an ensemble directory."""
    if isinstance(source, EnsembleData):
        return source
    data = load_report_data(getattr(source, "out", source))
    if not isinstance(data, EnsembleData):
        raise HyosanError(f"{source} is a run directory, not an ensemble directory")
    return data


def unit_seconds(unit: str) -> float:
    from hyosan.scenario.units import SECONDS_PER

    return SECONDS_PER.get(unit, 86400.0)


def time_title(unit: str, clock_start_s: float | None = None) -> str:
    """The time axis's title, as the viewer's: "time (hours since day 1 08:30)"."""
    since = ""
    if clock_start_s is not None:
        from hyosan.reports.html import fmt_clock

        since = f" since {fmt_clock(0.0, clock_start_s)}"
    return f"time ({UNIT_NAMES.get(unit, unit)}{since})"


def wants_log(peaks: list[float]) -> bool:
    # Log scale when one state dwarfs another (a country's humans and its first zombies).
    positive = [p for p in peaks if p > 0]
    return len(positive) > 1 and max(positive) / min(positive) > 20


def as_data(source: Any) -> RunData | EnsembleData:
    """A run's or an ensemble's data from a Result, an ensemble result (anything with an `out`
    directory), a RunData or EnsembleData, or a run or ensemble directory."""
    if isinstance(source, RunData | EnsembleData):
        return source
    out = getattr(source, "out", None)
    if isinstance(out, str | Path):
        source = out
    if isinstance(source, str | Path):
        return load_report_data(source)
    return RunData.from_result(source)


def _axes(ax: Axes | None, figsize: tuple[float, float] = (8, 4.2)) -> tuple[Figure, Axes]:
    """The given axes and their figure, or a new Figure (no pyplot: nothing global) with one."""
    from matplotlib.axes import Axes

    from hyosan.reports.figure import InlineFigure

    if ax is not None:
        if not isinstance(ax, Axes):  # a string failed on its missing `.figure`
            raise HyosanError(
                f"ax is matplotlib Axes to draw on (e.g. fig.add_subplot()), or None for a "
                f"new figure; found {ax!r}"
            )
        return ax.figure, ax  # type: ignore[return-value]
    fig = InlineFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


@plain_text
def plot_timeseries(
    source: Any,
    *,
    log: bool | None = None,
    mark_s: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Every state's head count over time, one line each; for an ensemble, each state's median
    with its 50 % and 90 % bands, all on one axes. A new figure whose counts all but settle
    early (see `early_end`) gets a second panel of that early part, zoomed in.

    Parameters
    ----------
    source
        A Result, an ensemble result, a RunData or EnsembleData, or a run or ensemble
        directory.
    log
        Log-scaled counts; by default when the largest state peaks over 20 times the smallest.
    mark_s
        A time (s) to mark with a vertical line, if any.
    ax
        Matplotlib axes to draw on; by default a new Figure's.

    Returns
    -------
    The Figure drawn on (Jupyter shows it inline, without pyplot).
    """
    from hyosan.reports.figure import InlineFigure

    data = as_data(source)
    if isinstance(data, EnsembleData):
        return plot_bands(data, log=log, ax=ax, small_multiples=False)
    run = data
    unit = run.display_unit
    t = run.times / unit_seconds(unit)
    early = None if ax is not None else early_end(t, list(run.states.values()), run_infections(run))
    if early is None:
        fig, ax = _axes(ax)
        panels = [ax]
    else:
        fig = InlineFigure(figsize=(8, 6.6), layout="constrained")
        panels = list(fig.subplots(2, 1))
    peaks = [float(np.max(v)) if v.size else 0.0 for v in run.states.values()]
    log_scale = log if log is not None else wants_log(peaks)
    # A stochastic run's counts change in whole people at the events: steps, not ramps between
    # samples (alemi's removed "rose" from 0 to 3 over a day).
    style = "steps-post" if jumps(run) else "default"
    for a in panels:
        for state, values in run.states.items():
            colour = STATE_COLOURS.get(state, STATE_COLOURS["other"])
            # The model's own words: an SIR's zombies are its infectious, as the terminal says.
            a.plot(t, values, label=run.words.state(state), color=colour, drawstyle=style)
        mark_peak(a, run)
        if log_scale:
            a.set_yscale("symlog", linthresh=1.0)
            plain_log_ticks(a.yaxis)
        else:
            plain_linear_ticks(a.yaxis)
        if mark_s is not None:
            a.axvline(mark_s / unit_seconds(unit), color="black", lw=0.8, ls="--")
        a.set_xlabel(time_title(unit, run.clock_start_s))
        a.set_ylabel(people_label(log_scale))
        a.grid(alpha=0.3)
    top = panels[0]
    top.set_title(f"{run.name}: {run.engine}, seed {run.seed}")
    top.set_xlim(float(t[0]) if t.size else 0.0, float(t[-1]) if t.size else 1.0)
    if early is not None:
        zoom = panels[1]
        zoom.set_xlim(float(t[0]), early[1])
        zoom.set_title(early_title(early, unit), fontsize="medium")
        # Where the zoomed panel lies in the whole.
        top.axvspan(float(t[0]), early[1], color="#e5e7eb", lw=0, zorder=0)
    if run.states:  # (a time series with no state column has nothing to name)
        legend_outside(top)
    return fig


#: A stochastic run is drawn as steps while no count moves by more than this between two
#: samples: the samples then hold nearly every event, and a ramp between them would show
#: people in fractions. Where thousands move between samples (korea, every six hours), the
#: steps are the sampling's, not the outbreak's, and a line is the truer picture.
STEP_PEOPLE = 20.0


def jumps(run: RunData) -> bool:
    """Whether a run's counts move in whole people at events (a stochastic engine's) and by
    few between samples, so that its time series is drawn as steps: any engine but the ode's,
    with whole counts that move by at most `STEP_PEOPLE` from one sample to the next."""
    if run.engine == "ode" or not run.states:
        return False
    for v in run.states.values():
        v = v[np.isfinite(v)]
        if not np.all(np.mod(v, 1.0) == 0.0):
            return False
        if v.size > 1 and float(np.max(np.abs(np.diff(v)))) > STEP_PEOPLE:
            return False
    return True


#: The peak of the infected is marked where the samples miss it by more than this (people).
PEAK_MISSED = 0.5


def mark_peak(ax: Axes, run: RunData) -> None:
    """The run's recorded peak of zombies (summary.json's, counted at every event) as a dot
    with its words ("peak zombies 4 at 0.541 days"), where it falls between the samples drawn:
    alemi's 4 zombies at 0.54 d, sampled once a day, were drawn as at most 1."""
    peak, when = run.summary.peak_zombies, run.summary.t_peak_zombies_s
    zombies = run.states.get("zombie")
    if peak is None or when is None or zombies is None or not zombies.size:
        return
    if peak <= float(np.nanmax(zombies)) + PEAK_MISSED:
        return
    from hyosan.results.interventions import fmt_count
    from hyosan.scenario.units import format_time

    x = when / unit_seconds(run.display_unit)
    text = f"{run.words.peak} {fmt_count(peak)} at {format_time(when, run.display_unit)}"
    colour = STATE_COLOURS.get("zombie", STATE_COLOURS["other"])
    ax.plot([x], [peak], ls="none", marker="o", ms=5, mfc="white", mec=colour, mew=1.5, zorder=3)
    # Its words on the side with room: to the right in the first half of the run, else left.
    t = run.times / unit_seconds(run.display_unit)
    right = x <= (float(t[0]) + float(t[-1])) / 2 if t.size else True
    ax.annotate(
        f"{text}\n(between samples)",
        (x, peak),
        xytext=(6 if right else -6, 4),
        textcoords="offset points",
        fontsize="small",
        color=colour,
        ha="left" if right else "right",
        va="bottom",
    )


def legend_outside(ax: Axes) -> None:
    """The legend of `ax` beside it, on the right, outside the axes: inside it covered data
    (hyosan-city's seven states leave no free corner for loc="best"; its human line ran under
    the box). Constrained layout makes room for it."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small")


def people_label(log_scale: bool) -> str:
    """A head count axis's label; a symlog axis says so (its kink at 1 is the axis's)."""
    return "people (log scale)" if log_scale else "people"


#: A run's picture gets a zoomed panel of its early part when this share of all the change
#: of its counts, or of all its infections, ...
EARLY_CHANGE = 0.99
#: ... has happened within this share of its horizon. Munz's cure model over 2000 days: 99 %
#: by day 146, 7 %; an SIR's 99 % comes at 28 % of its horizon and needs no zoom.
EARLY_SPAN = 0.10
#: The zoomed panel runs on past the time the change was done by this factor, to show it
#: settle.
EARLY_MARGIN = 1.25


class Early(NamedTuple):
    """Where a run's picture is zoomed in: when `EARLY_CHANGE` of its `what` ("change" of the
    counts, or "infections") had happened, and the end of the zoomed panel."""

    settled: float
    end: float
    what: str = "change"


def early_end(
    t: np.ndarray, series: list[np.ndarray], infections: np.ndarray | None = None
) -> Early | None:
    """When `EARLY_CHANGE` of the counts' total variation (counts `series` at times `t`) has
    happened within the first `EARLY_SPAN` of the horizon: that time, and the end of a
    zoomed panel of the early part (that time stretched by `EARLY_MARGIN`); else, the same
    for the infections so far (`infections`, cumulative at times `t`), if given; else None
    (no zoom needed).

    The total variation (the sum of every step's change of every count) measures where the
    picture changes, whatever the model: a fall, a rise and a bump alike. But a few late
    moves can hold more than 1 % of it (Hyosan High's troops taking 78 people out at 50 h and
    97 h of 120, after an outbreak over in 7 h): the infections, which make the outbreak, are
    asked then.
    """
    if t.size < 3 or not series:
        return None
    counts = np.nan_to_num(np.vstack([np.asarray(v, dtype=np.float64) for v in series]))
    steps = np.abs(np.diff(counts, axis=1)).sum(axis=0)
    early = _early(t, np.cumsum(steps), "change")
    if early is None and infections is not None and infections.size == t.size:
        done = np.nan_to_num(np.maximum.accumulate(np.asarray(infections, dtype=np.float64)))
        early = _early(t, np.diff(done).cumsum(), "infections")
    return early


def _early(t: np.ndarray, done: np.ndarray, what: str) -> Early | None:
    """The zoom of `early_end` for one measure, `done` so far at the ends of the intervals of
    `t`; None where it comes later than `EARLY_SPAN` of the horizon (or nothing changed)."""
    total = float(done[-1]) if done.size else 0.0
    span = float(t[-1] - t[0])
    if not (total > 0 and span > 0):
        return None
    settled = float(t[min(int(np.searchsorted(done, EARLY_CHANGE * total)) + 1, t.size - 1)])
    if settled - float(t[0]) > EARLY_SPAN * span:
        return None
    end = min(float(t[0]) + EARLY_MARGIN * (settled - float(t[0])), float(t[-1]))
    return Early(settled, end, what)


def run_infections(run: RunData) -> np.ndarray | None:
    """A run's infections so far at its recorded times (incidence.parquet's), for
    `early_end`; None where it has none."""
    table = run.incidence
    if table is None or "cum_infections" not in table.column_names or not run.times.size:
        return None
    at = numbers(table.column("t")).astype(np.float64)
    so_far = numbers(table.column("cum_infections")).astype(np.float64)
    if at.size < 2:
        return None
    return np.interp(run.times, at, so_far)


def early_title(early: Early, unit: str) -> str:
    """The zoomed panel's title: "zoomed in: 99 % of the change is in the first 146 days",
    or "... of the infections are in the first 6.17 hours"."""
    share = f"{100 * EARLY_CHANGE:.0f} %"
    when = f"{early.settled:.3g} {UNIT_NAMES.get(unit, unit)}"
    verb = "are" if early.what == "infections" else "is"
    return f"zoomed in: {share} of the {early.what} {verb} in the first {when}"


@plain_text
def plot_bands(
    source: Any,
    *,
    point: Any = None,
    log: bool | None = None,
    ax: Axes | None = None,
    small_multiples: bool | None = None,
) -> Figure:
    """Median and 50 % and 90 % bands of each state over time: one panel per state (each with
    its own scale, so no band hides another state's median), or all on one axes when `ax` is
    given. A comparison's scenarios share the panels, one colour each; so do a sweep's points,
    up to three, or else its first, middle and last (the title says which). A single run is
    drawn as plot_timeseries draws it.

    Parameters
    ----------
    source
        An ensemble result, an EnsembleData or an ensemble directory (or a run, see above).
    point
        One point (of a sweep or comparison) to draw alone; by default those said above.
    log
        As for plot_timeseries.
    ax
        Matplotlib axes to draw every state on; by default a new Figure, a panel per state.
    small_multiples
        A panel per state (default: unless `ax` is given).
    """
    data = as_data(source)
    if isinstance(data, RunData):
        return plot_timeseries(data, log=log, ax=ax)
    ens = data
    table = ens.bands
    points = _unique(table.column("point").to_pylist()) if "point" in table.column_names else [None]
    if point is not None and point not in points:
        raise HyosanError(f"no point {point!r} in the ensemble; points: {points}")
    shown, which = ([point], "") if point is not None else shown_points(points)
    per = {p: band_series(table, p) for p in shown}
    states = sorted({s for series in per.values() for s in series}, key=_state_key)
    labels = point_labels(ens.summary, with_units=True)
    if small_multiples is None:
        small_multiples = ax is None
    if small_multiples and ax is None and len(states) > 1:
        fig, panels = _state_panels(states)
    else:
        fig, one = _axes(ax)
        panels = [(one, states)]
    for a, group in panels:
        peaks = _draw_bands(a, per, group, ens, labels, one_panel=len(panels) == 1)
        log_scale = log if log is not None else (len(panels) == 1 and wants_log(peaks))
        if log_scale:
            a.set_yscale("symlog", linthresh=1.0)
            plain_log_ticks(a.yaxis)
        else:
            plain_linear_ticks(a.yaxis)
        a.set_ylabel(people_label(log_scale))
        a.set_xlim(*band_span(per, unit_seconds(ens.display_unit)))
        a.grid(alpha=0.3)
        if len(panels) > 1:
            word = ens.words.state(group[0])
            a.set_title(word, fontsize="medium", color=STATE_COLOURS.get(group[0], "black"))
        else:
            legend_outside(a)
    title = f"{bands_subject(ens, shown, which, labels)}; median, 50 % and 90 % of runs"
    xlabel = time_title(ens.display_unit)
    if len(panels) > 1:
        fig.suptitle(title, fontsize="medium")
        fig.supxlabel(xlabel, fontsize="medium")
        if len(shown) > 1:  # one key for every panel, under them
            handles, names = panels[0][0].get_legend_handles_labels()
            fig.legend(handles, names, loc="outside right upper", fontsize="small")
    else:
        panels[0][0].set_title(title)
        panels[0][0].set_xlabel(xlabel)
    return fig


def shown_points(points: list[Any]) -> tuple[list[Any], str]:
    """The points a picture draws together, and words for its title where they are not all:
    every point up to three (a comparison's scenarios), else a sweep's first, middle and last
    (its ends and the way between; seven sets of bands in one panel hide each other)."""
    if len(points) <= len(POINT_COLOURS):
        return points, ""
    picks = [points[0], points[len(points) // 2], points[-1]]
    return picks, f"{len(picks)} of {len(points)} points (first, middle, last)"


def bands_subject(ens: EnsembleData, shown: list[Any], which: str, labels: dict[Any, str]) -> str:
    """What bands.png shows, for its title: "alemi-szr: sweep, 3 of 7 points (first, middle,
    last)", "sir vs seir: compare", or the one point drawn alone ("..., kill_rate = 0.001/day")."""
    name = ens.name
    if ens.kind == "compare" and isinstance(ens.summary.get("scenario"), str):
        name = ens.summary["scenario"]
    if which:
        return f"{name}: {ens.kind}, {which}"
    if len(shown) == 1 and shown[0] is not None and int(ens.summary.get("points", 1) or 1) > 1:
        return f"{name}: {ens.kind}, {labels.get(shown[0], f'point {shown[0]}')}"
    return f"{name}: {ens.kind}"


def _state_panels(states: list[str]) -> tuple[Figure, list[tuple[Axes, list[str]]]]:
    """A new figure with a panel per state (three to a row), and each panel's state."""
    from hyosan.reports.figure import InlineFigure

    cols = min(3, len(states))
    rows = int(np.ceil(len(states) / cols))
    fig: Figure = InlineFigure(figsize=(3.6 * cols, 2.6 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    for extra in axes[len(states) :]:
        extra.set_visible(False)
    for a in axes[max(0, len(states) - cols) : len(states)]:
        # The last panel of its column: its times, though a hidden panel lies under it.
        a.xaxis.set_tick_params(labelbottom=True)
    return fig, [(a, [s]) for a, s in zip(axes, states, strict=False)]


#: Line styles of the points drawn together on one axes, where colour tells the states apart.
_POINT_STYLES = ("-", "--", ":")


def _draw_bands(
    ax: Axes,
    per: dict[Any, dict[str, dict[str, np.ndarray]]],
    states: list[str],
    ens: EnsembleData,
    labels: dict[Any, str],
    *,
    one_panel: bool,
) -> list[float]:
    """Each shown point's bands and median of `states` on `ax`; the medians' peaks. One point:
    the states' colours; several in a state's panel: a colour per point; several on one axes:
    the states' colours and a line style per point."""
    peaks = []
    several = len(per) > 1
    for k, (p, series) in enumerate(per.items()):
        for state in states:
            arrays = series.get(state)
            if arrays is None:  # (SIR, compared with SEIR, has no exposed)
                continue
            word = ens.words.state(state)
            colour = STATE_COLOURS.get(state, STATE_COLOURS["other"])
            style, label = "-", f"{word} (median)"
            name = labels.get(p, f"point {p}")
            if several and one_panel:
                style, label = _POINT_STYLES[k % 3], f"{word}, {name} (median)"
            elif several:
                colour, label = POINT_COLOURS[k % len(POINT_COLOURS)], name
            t = arrays["t"] / unit_seconds(ens.display_unit)
            if "q05" in arrays and "q95" in arrays:
                ax.fill_between(t, arrays["q05"], arrays["q95"], color=colour, alpha=0.15, lw=0)
            if "q25" in arrays and "q75" in arrays:
                ax.fill_between(t, arrays["q25"], arrays["q75"], color=colour, alpha=0.3, lw=0)
            middle = arrays.get("q50", arrays.get("mean"))
            if middle is not None:
                ax.plot(t, middle, color=colour, ls=style, label=label)
                peaks.append(float(np.max(middle)) if middle.size else 0.0)
    return peaks


def band_span(
    per: dict[Any, dict[str, dict[str, np.ndarray]]], unit_s: float
) -> tuple[float, float]:
    """The first and last time of every shown point (a comparison's horizons may differ)."""
    times = [a["t"] for series in per.values() for a in series.values() if a["t"].size]
    if not times:
        return 0.0, 1.0
    lo = min(float(t[0]) for t in times) / unit_s
    hi = max(float(t[-1]) for t in times) / unit_s
    return lo, max(hi, lo + 1e-9)


@plain_text
def plot_outcomes(source: Any) -> Figure | None:
    """Histograms of the ensemble's outcomes that fall in two groups (see
    outcomes.two_groups), one panel per outcome; None if none does. One point's runs are drawn
    in two colours, a group each, parted by a dashed line; several points' in a colour per
    point, a dashed line in its colour where a point's runs part."""
    import pyarrow as pa

    from hyosan.reports.figure import InlineFigure

    ens = as_ensemble(source)
    runs = ens.runs
    if runs is None or runs.num_rows == 0:
        return None
    points = runs.column("point").to_pylist() if "point" in runs.column_names else None
    chosen: list[tuple[str, np.ndarray]] = []
    for f in runs.schema:
        if f.name in ("point", "replicate", "seed", "wall_s") or f.name.startswith("t_"):
            continue
        if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type)):
            continue
        values = np.array(
            [np.nan if v is None else v for v in runs.column(f.name).to_pylist()], dtype=float
        )
        if any(group_split(values[m]) is not None for _, m in _point_masks(points, values.size)):
            chosen.append((f.name, values))
    if not chosen:
        return None
    fig = InlineFigure(figsize=(4.2 * min(len(chosen), 3), 3.2), layout="constrained")
    axes = fig.subplots(1, min(len(chosen), 3), squeeze=False).ravel()
    masks = _point_masks(points, runs.num_rows)
    for ax, (name, values) in zip(axes, chosen, strict=False):
        words = name.replace("_", " ")
        bins = np.histogram_bin_edges(values[np.isfinite(values)], bins=30).tolist()
        if len(masks) == 1:
            _two_group_histogram(ax, values[np.isfinite(values)], bins)
            ax.set_title(f"{words}: the runs fall in two groups", fontsize="medium")
        else:
            _point_histograms(ax, values, masks, bins, point_labels(ens.summary, with_units=True))
            ax.set_title(f"{words}: runs per point", fontsize="medium")
        ax.set_xlabel(words)
        ax.set_ylabel("runs")
        if len(masks) == 1:
            ax.legend(fontsize="small")
    if len(masks) > 1:  # one key for every panel (the points are the same), beside them
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right upper", fontsize="small")
    return fig


def _point_masks(points: list[Any] | None, n: int) -> list[tuple[Any, np.ndarray]]:
    """Each point with the mask of its runs (of `n`); one (None, all) for runs without points."""
    if points is None:
        return [(None, np.ones(n, bool))]
    return [(q, np.array([p == q for p in points])) for q in _unique(points)]


def _two_group_histogram(ax: Axes, values: np.ndarray, bins: list[float]) -> None:
    """One point's runs as two histograms, the low group's and the high group's, and a dashed
    line where they part."""
    split = group_split(values)
    if split is None:  # (not this panel's outcome: drawn as one group)
        ax.hist(values, bins=bins, alpha=0.6, label="all runs")
        return
    for part, colour in ((values[values < split], "#1f4e8c"), (values[values >= split], "#b45309")):
        share = 100 * part.size / values.size
        label = f"{part.size} runs ({share:.0f} %) near {_fmt_number(float(np.median(part)))}"
        ax.hist(part, bins=bins, alpha=0.7, color=colour, label=label)
    ax.axvline(split, color="black", lw=0.8, ls="--")


def _point_histograms(
    ax: Axes,
    values: np.ndarray,
    masks: list[tuple[Any, np.ndarray]],
    bins: list[float],
    labels: dict[Any, str],
) -> None:
    """Each point's runs as a histogram in its colour, and a dashed line in that colour where
    its runs part in two groups."""
    from matplotlib import colormaps

    many = len(masks) > len(POINT_COLOURS)
    parted = False
    for k, (q, mask) in enumerate(masks):
        part = values[mask & np.isfinite(values)]
        colour = colormaps["viridis"](k / max(len(masks) - 1, 1)) if many else POINT_COLOURS[k]
        ax.hist(part, bins=bins, alpha=0.6, color=colour, label=labels.get(q, str(q)))
        split = group_split(part)
        if split is not None:
            ax.axvline(split, color=colour, lw=0.9, ls="--")
            parted = True
    if parted:  # (an empty line: the key's entry for the dashed lines)
        ax.plot([], [], color="grey", lw=0.9, ls="--", label="where a point's runs part")


def _fmt_number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:.3g}"


def band_series(bands: pa.Table, point: Any) -> dict[str, dict[str, np.ndarray]]:
    """State → {"t", "q05", ..., "mean"} arrays sorted by time, for one point of bands.parquet."""
    cols = bands.column_names
    states = np.asarray(bands.column("state").to_pylist(), dtype=object)
    mask = np.ones(states.size, dtype=bool)
    if "point" in cols:
        mask = np.asarray([p == point for p in bands.column("point").to_pylist()], dtype=bool)
    t_all = numbers(bands.column("t")).astype(np.float64)
    values = {
        k: numbers(bands.column(k)).astype(np.float64)
        for k in ("q05", "q25", "q50", "q75", "q95", "mean")
        if k in cols
    }
    names = sorted({str(s) for s in states[mask]}, key=_state_key)
    out: dict[str, dict[str, np.ndarray]] = {}
    for state in names:
        idx = np.flatnonzero(mask & (states == state))
        idx = idx[np.argsort(t_all[idx], kind="stable")]
        out[state.removeprefix("n_")] = {"t": t_all[idx], **{k: v[idx] for k, v in values.items()}}
    return out


def _state_key(state: str) -> tuple[int, str]:
    """States in hyosan's vocabulary order (human, bitten, zombie, ...), others after them."""
    from hyosan.scenario.model import STATES

    name = state.removeprefix("n_")
    return (STATES.index(name) if name in STATES else len(STATES), state)


def _unique(values: list[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


# --- maps ---------------------------------------------------------------------------------------


class MapDrawing:
    """The places of a run on matplotlib axes: a heat map or panels of markers.

    `paint(colours)` recolours the places (rows of RGB), for the GIF's frames and the PNG.
    The GIF draws no room names: at its size they cannot be read, and each frame repaints the
    rooms over them.
    """

    def __init__(
        self,
        fig: Figure,
        frames: PlaceFrames,
        title: str,
        legend: list[str] | None = None,
        *,
        labels: bool = True,
    ) -> None:
        self.frames = frames
        self.geometry = frames.geometry
        self.title = fig.suptitle(title, fontsize="medium")
        if isinstance(self.geometry, GridGeometry):
            self._grid_axes(fig, self.geometry)
        else:
            self._point_axes(fig, self.geometry, labels)
        keys = getattr(self, "keys", [])
        if keys:
            import textwrap

            # No-break spaces inside an entry, and no break at its hyphens ("east-centre"):
            # lines break only between entries.
            text = "   ".join(f"{k} {name}".replace(" ", "\u00a0") for k, name in keys)
            lines = textwrap.wrap(text, 140, break_on_hyphens=False)
            # As the figure's x label, so constrained layout makes room for it.
            fig.supxlabel("\n".join(lines), fontsize=6, x=0.01, ha="left")
        if legend:
            from matplotlib.patches import Patch

            handles = [
                Patch(color=STATE_COLOURS.get(s, STATE_COLOURS["other"]), label=s)
                for s in dict.fromkeys(legend)
            ]
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))

    def _grid_axes(self, fig: Figure, g: GridGeometry) -> None:
        ax = fig.add_subplot()
        self.image = np.ones((g.rows * g.cols, 3)) * 1.0
        self.artist = ax.imshow(
            self.image.reshape(g.rows, g.cols, 3), interpolation="nearest", origin="upper"
        )
        ax.set_axis_off()
        self.grid_ax = ax
        self.collections: list[Any] = []

    def _point_axes(self, fig: Figure, g: PointGeometry, labels: bool) -> None:
        from matplotlib.collections import PatchCollection
        from matplotlib.patches import Rectangle

        n = len(g.panels)
        cols = 1 if n <= 3 else 2
        rows = int(np.ceil(n / cols))
        heights = [
            max(_panel_height(g.panels[i]) for i in range(r * cols, min(n, (r + 1) * cols)))
            for r in range(rows)
        ]
        grid = fig.add_gridspec(rows, cols, height_ratios=heights)
        self.collections = []
        self.keys: list[tuple[int, str]] = []
        #: Labels drawn on their rooms: (text, place, whether a number), for their colours.
        self.grounds: list[tuple[Any, int, bool]] = []
        for p, panel in enumerate(g.panels):
            ax: Axes = fig.add_subplot(grid[p // cols, p % cols])
            members = np.flatnonzero(g.panel == p)
            # The cell is 1 wide; a floor takes its share of it from its offset (see geometry),
            # so that the floors are drawn at one scale and line up; its own frame shows where.
            share, height = panel.share, _panel_height(panel)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, height)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if share < 1:
                ax.set_frame_on(False)
                ax.add_patch(
                    Rectangle((panel.offset, 0), share, height, fill=False, lw=0.8, ec="black")
                )
            title = panel.title + (" (far places drawn closer)" if panel.scaled else "")
            ax.set_title(title, fontsize="small", x=panel.offset + share / 2)
            # Rooms to scale (see geometry): rectangles centred on each place.
            w, h = g.w[members] * share, g.h[members] * height
            x0 = panel.offset + g.u[members] * share - w / 2
            y0 = g.v[members] * height - h / 2
            patches = [Rectangle((a, b), c, d) for a, b, c, d in zip(x0, y0, w, h, strict=True)]
            coll = PatchCollection(
                patches, facecolors=np.tile(EMPTY, (members.size, 1)), edgecolors="#333333"
            )
            coll.set_linewidth(0.4)
            ax.add_collection(coll)
            self.collections.append((coll, members, np.column_stack([x0, y0, w, h])))
            if labels:
                bounds = (panel.offset, 0.0, panel.offset + share, height)
                self._labels(fig, ax, g, members, np.column_stack([x0, y0, w, h]), bounds)

    def _labels(
        self,
        fig: Figure,
        ax: Axes,
        g: PointGeometry,
        members: np.ndarray,
        rooms: np.ndarray,
        bounds: tuple[float, float, float, float],
    ) -> None:
        """Each room's whole name inside it where it fits, else a number listed in the key
        under the figure; nothing is cut short. A number that would cover another label or
        room goes beside its room with a leader line (see labels.place_labels)."""
        from hyosan.reports.labels import place_labels

        if members.size > 400:
            return
        bbox = ax.get_position()
        # Axis units per point: the panel is 1 unit wide.
        per_pt = 1.0 / max(bbox.width * fig.get_figwidth() * 72, 1e-9)
        size = 6.0
        numbers = g.numbers()
        texts, fits = [], []
        for k, m in enumerate(members):
            name = g.labels[m]
            fit = 0.55 * size * len(name) * per_pt <= rooms[k, 2]
            fit = fit and 1.3 * size * per_pt <= rooms[k, 3]
            if not fit:  # the place's own number, the report's map's too
                self.keys.append((int(numbers[m]), name))
            texts.append(name if fit else str(numbers[m]))
            fits.append(fit)
        # Where they go, numbers are measured as drawn: a digit is 0.64 of the font's size
        # wide, not a name's average 0.55, and the panel loses up to a tenth of its width to
        # the layout after this (the colour bar, the key); "56" ran over its box's edge.
        grow = LABEL_LAYOUT_SHRINK
        sizes = np.array(
            [
                [
                    (0.55 if fit else DIGIT_WIDTH) * grow * size * len(t) * per_pt,
                    1.3 * grow * size * per_pt,
                ]
                for t, fit in zip(texts, fits, strict=True)
            ]
        )
        spots = place_labels(rooms, sizes.reshape(-1, 2), np.array(fits, bool), bounds)
        for k, (m, text, spot) in enumerate(zip(members, texts, spots, strict=True)):
            x0, y0, w, h = rooms[k]
            if not (x0 <= spot.x <= x0 + w and y0 <= spot.y <= y0 + h):  # off its room
                ax.plot(
                    [x0 + w / 2, spot.x], [y0 + h / 2, spot.y], color="#6b7280", lw=0.5,
                    in_layout=False,
                )  # fmt: skip
            label = ax.text(
                spot.x,
                spot.y,
                text,
                fontsize=size * spot.scale,
                ha="center",
                va="center",
                color=NAME_COLOUR if fits[k] else NUMBER_COLOUR,
                clip_on=False,
                # Inside the panel: the layout need not measure every room's name.
                in_layout=False,
                # Off its room, on white: it covers the end of its leader line.
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none") if spot.moved else None,
            )
            if not spot.moved:  # recoloured with its room (see paint)
                self.grounds.append((label, int(m), not fits[k]))

    def paint(self, colours: np.ndarray) -> None:
        """Colour every drawn place (rows of RGB from 0 to 1)."""
        if isinstance(self.geometry, GridGeometry):
            g = self.geometry
            self.image[:] = 1.0
            self.image[g.cell] = colours
            self.artist.set_data(self.image.reshape(g.rows, g.cols, 3))
            return
        for coll, members, _ in self.collections:
            coll.set_facecolors(colours[members])
        for label, place, number in getattr(self, "grounds", ()):
            # Dark on a light room, white on a dark one: the map's colours change with it.
            label.set_color(text_colour(colours[place], number=number))


#: A digit's width over the font's size (DejaVu Sans's figures are 0.636 em).
DIGIT_WIDTH = 0.64
#: How much bigger than first measured a label ends up against its panel, which constrained
#: layout narrows after the labels are placed (Hyosan High's from 203 to 190 points).
LABEL_LAYOUT_SHRINK = 1.1


def _panel_height(panel: Panel) -> float:
    """A panel's height in units of its cell's width (its share of it over its aspect)."""
    return panel.share / max(panel.aspect, 1e-3)


def _marker_points(fig: Figure, ax: Axes, half_width: float) -> float:
    """Marker area (points²) for a half-width in axis units of the panel's width."""
    bbox = ax.get_position()
    width_pts = bbox.width * fig.get_figwidth() * 72
    side = max(2 * half_width * width_pts, 2.0)
    return float(side**2)


def _states(frames: PlaceFrames, run: RunData) -> list[str]:
    return [run.state_of(c) for c in frames.compartments]


def busiest(frames: PlaceFrames) -> float:
    """The most people in one drawn place at one kept time (colours fade relative to it)."""
    return float(np.clip(frames.counts, 0, None).sum(axis=1).max()) if frames.counts.size else 0.0


def frame_colours(
    frames: PlaceFrames, run: RunData, index: int, top: float | None = None
) -> np.ndarray:
    """Colour of every drawn place at one kept frame (`top`: see `busiest`)."""
    if top is None:
        top = busiest(frames)
    return mix_colours(frames.counts[index], _states(frames, run), top=top)


@plain_text
def plot_first_zombie(
    source: Result | RunData | str | Path, frames: PlaceFrames | None = None
) -> Figure | None:
    """When the first zombie reached each place (the risk map).

    Returns None, and draws nothing, for a run with no map to draw: one without places (a
    well-mixed run), one whose places have no coordinates (a graph world whose nodes have no
    positions), or one without snapshots.

    Parameters
    ----------
    source
        A Result, a RunData, or a run directory.
    frames
        The run's place frames, if already computed (see frames.place_frames).
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    from hyosan.reports.figure import InlineFigure

    run = as_run(source)
    if frames is None:
        frames = frames_of(run)
    if frames is None:
        return None
    unit = run.display_unit
    t = frames.first_zombie / unit_seconds(unit)
    reached = ~np.isnan(t)
    # The scale ends at the last arrival, not the horizon: a school falls in hours of five days.
    last = float(t[reached].max()) if reached.any() else 0.0
    norm = Normalize(vmin=0.0, vmax=max(last, 1e-12))
    cmap = colormaps["viridis_r"]
    colours = np.tile(np.array([0.8, 0.8, 0.8]), (t.size, 1))
    colours[reached] = cmap(norm(t[reached]))[:, :3]
    fig = InlineFigure(figsize=map_size(frames), layout="constrained")
    drawing = MapDrawing(fig, frames, f"{run.name}: when the first zombie arrived")
    drawing.paint(colours)
    g = frames.geometry
    if isinstance(g, GridGeometry):
        image = drawing.image.reshape(g.rows, g.cols, 3)
        note = zoom_to_reached(drawing.grid_ax, g, reached, image)
        if note:
            drawing.grid_ax.set_title(note, fontsize="small")
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=fig.axes,
        label=f"first zombie ({UNIT_NAMES.get(unit, unit)}; grey: never)",
        shrink=0.8,
    )
    if isinstance(g, GridGeometry) and run.grid:
        # After the colour bar: the names are placed where the layout has put the map.
        mark_places(fig, drawing.grid_ax, g, run.grid)
    return fig


def frames_of(run: RunData) -> PlaceFrames | None:
    from hyosan.reports.frames import place_frames

    if run.places is None:
        return None
    return place_frames(run.places, run.rooms)


def map_size(frames: PlaceFrames) -> tuple[float, float]:
    g = frames.geometry
    if isinstance(g, GridGeometry):
        aspect = g.cols / max(g.rows, 1)
        return (7.0, float(np.clip(7.0 / aspect, 3.0, 9.0)))
    n = len(g.panels)
    cols = 1 if n <= 3 else 2
    rows = int(np.ceil(n / cols))
    width = 8.0
    heights = [_panel_height(p) for p in g.panels]
    height = sum(
        max((width / cols) * h for h in heights[r * cols : (r + 1) * cols]) for r in range(rows)
    )
    return (width, float(np.clip(0.8 * height + 0.4 * rows + 0.5, 2.5, 11.0)))

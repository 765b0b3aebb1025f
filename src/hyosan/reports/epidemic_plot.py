"""The epidemic chart of a run: incidence of each reaction per unit of time, and R_t; and of an
ensemble: the same incidence, and the counts so far, as a median with its bands.

A run's is drawn from incidence.parquet (results.epidemic) in the run's one display unit: the
top panel the number of each reaction per unit of time in each interval between recorded
times, as bars (new infections a grey area beneath the other reactions' lines, so that one
with the same counts shows; a run recorded in more than `MOST_BINS` intervals is counted in
wider bins of a round length, which the axis names), the bottom panel R_t with the line
R = 1.

An ensemble's is drawn from incidence_bands.parquet (ensemble.bands) in small multiples, as
its states are: a row of panels of incidence per unit of time (new infections first, then
each reaction that happened and is not the infections under another name), and below it a
row of the same reactions' counts so far; in each panel the median of the runs with the band
of their middle 50 % and of their middle 90 %. A comparison's two (or three) points share the
panels, one colour each; so do a sweep's, up to three, or else its first, middle and last,
as bands.png draws them (plots.shown_points), the title saying which (it showed the first point
alone, named as if it were the sweep).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import HyosanError
from hyosan.reports.colours import POINT_COLOURS
from hyosan.reports.outcomes import point_labels
from hyosan.reports.plaintext import plain_linear_ticks, plain_text
from hyosan.reports.plots import (
    as_data,
    band_span,
    bands_subject,
    early_end,
    early_title,
    run_infections,
    shown_points,
    time_title,
    unit_seconds,
)
from hyosan.reports.rundata import EnsembleData
from hyosan.results.arrow import numbers
from hyosan.results.interventions import event_words
from hyosan.results.summary import EpidemicFigures
from hyosan.scenario.units import format_duration

if TYPE_CHECKING:
    import pyarrow as pa
    from matplotlib.figure import Figure

__all__ = ["plot_epidemic", "plot_incidence_bands", "reaction_words"]

_UNIT_NAMES = {"s": "second", "min": "minute", "h": "hour", "d": "day"}
#: Words for the reactions the engines name for themselves (the agents engine's, a strike's);
#: a model's own reactions are read from their names (`reaction_words`).
REACTION_WORDS = {
    "escape": "escaped",
    "escape_bitten": "escaped with a bite",
    "shot_bitten": "shot after a bite",
    "strike_death": "killed by the strike",
    "strike_death_bitten": "killed by the strike, bitten",
    "strike_death_hybrid": "killed by the strike, hybrid",
    "strike_destroyed": "destroyed by the strike",
}


def reaction_words(name: str) -> str:
    """A reaction's name as the pictures say it: "escaped with a bite" for escape_bitten,
    "natural death" for natural_death (a model's name, its underscores spaces)."""
    return REACTION_WORDS.get(name, name.replace("_", " "))


#: The fill of a run's new infections, drawn beneath the reactions' lines.
INFECTIONS_FILL = "#d4d4d8"


@plain_text
def plot_epidemic(source: Any) -> Figure | None:
    """Incidence per unit of time of each reaction, and R_t, of one run; None if the run has
    no incidence (a run directory written before hyosan counted reactions). An ensemble's is
    plot_incidence_bands's. A run whose counts all but settle early (plots.early_end) gets a
    second column of the same panels, zoomed in on that early part, with bins of its own.

    `source` is a Result, a RunData or a run directory (or an ensemble's, see above).
    """
    from hyosan.reports.figure import InlineFigure

    run = as_data(source)
    if isinstance(run, EnsembleData):
        return plot_incidence_bands(run)
    if run.incidence is None or run.incidence.num_rows < 2:
        return None
    table = run.incidence
    unit = run.display_unit
    seconds = numbers(table.column("t"))
    t = seconds / unit_seconds(unit)
    early = early_end(
        run.times / unit_seconds(unit), list(run.states.values()), run_infections(run)
    )
    rows = np.arange(t.size)
    if early is not None:
        rows = rows[: int(np.searchsorted(t, early[1], side="right"))]
        early = early if rows.size >= 3 else None
    if early is None:
        fig = InlineFigure(figsize=(8, 5.2), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        columns = [(top, bottom, np.arange(t.size))]
    else:
        fig = InlineFigure(figsize=(12, 5.2), layout="constrained")
        axes = fig.subplots(2, 2, sharex="col", height_ratios=(3, 2))
        columns = [(axes[0][0], axes[1][0], np.arange(t.size)), (axes[0][1], axes[1][1], rows)]
    words = event_words(run.summary.interventions)
    for k, (top, bottom, mine) in enumerate(columns):
        _incidence_panel(top, table, mine, unit, ZOOM_BINS if k else MOST_BINS, words)
        _r_t_panel(bottom, table, mine, unit)
        bottom.set_xlabel(time_title(unit, run.clock_start_s))
    columns[0][0].set_title(f"{run.name}: incidence ({run.engine}, seed {run.seed})")
    columns[0][0].legend(loc="best", fontsize="small")
    if early is not None:
        columns[1][0].set_title(early_title(early, unit), fontsize="medium")
        # Where the zoomed column lies in the whole.
        for a in columns[0][:2]:
            a.axvspan(float(t[0]), early[1], color="#e5e7eb", lw=0, zorder=0)
    return fig


def _incidence_panel(
    ax: Any,
    table: pa.Table,
    rows: np.ndarray,
    unit: str,
    most: int | None = None,
    words: dict[str, str] | None = None,
) -> None:
    """Each reaction's count per unit of time in the recorded intervals `rows` (indices of
    recorded times, in order), in bins if there are more than `most` (see `MOST_BINS`);
    `words` names an intervention's channels as its summary entry does ("Special forces:
    zombies destroyed", not "Special forces: Z destroyed")."""
    seconds = numbers(table.column("t"))[rows]
    t = seconds / unit_seconds(unit)
    names = [c.removeprefix("new_") for c in table.column_names if c.startswith("new_")]
    infections = numbers(table.column("new_infections"))[rows]
    starts, bin_s = _bins(seconds, most or MOST_BINS)
    edges = np.append(t[starts], t[-1])
    for name in names:
        new = numbers(table.column(f"new_{name}"))[rows]
        per = _rates(new, starts, np.diff(edges))
        if name == "infections":
            # A grey area with a thin black edge, beneath every reaction: a reaction with the
            # same counts (alemi's 3 kills in the day of its 3 bites) is drawn over its edge,
            # not hidden under a thick black line.
            ax.stairs(
                per, edges, fill=True, facecolor=INFECTIONS_FILL, edgecolor="black", lw=0.8,
                zorder=1.6, label="new infections",
            )  # fmt: skip
        elif np.any(per > 0) and not np.array_equal(new, infections):
            # (The one infecting reaction of a model is the grey area already.)
            label = (words or {}).get(name) or reaction_words(name)
            ax.stairs(per, edges, lw=1.2, zorder=2.5, label=label)
    per_unit = f"per {_UNIT_NAMES.get(unit, unit)}"
    if starts.size < t.size - 1:  # intervals merged: say how long a bin is
        per_unit += f", in {_bin_words(format_duration(bin_s))} bins" if bin_s else ", binned"
    ax.set_ylabel(per_unit)
    plain_linear_ticks(ax.yaxis)
    ax.grid(alpha=0.3)
    ax.set_xlim(float(t[0]), float(t[-1]))


def _r_t_panel(ax: Any, table: pa.Table, rows: np.ndarray, unit: str) -> None:
    """R_t at the middle of each recorded interval of `rows`, with the line R = 1. The line
    breaks where R_t has no value (no one infectious, or too few events to tell): a line drawn
    across such a gap shows an R_t never computed. A value alone between gaps is a dot."""
    t = numbers(table.column("t"))[rows] / unit_seconds(unit)
    width = np.diff(t)
    ok = width > 0
    mid = ((t[1:] + t[:-1]) / 2)[ok]
    r_t = np.asarray(numbers(table.column("R_t"))[rows][1:][ok], dtype=np.float64)
    finite = np.isfinite(r_t)
    r_t = np.where(finite, r_t, np.nan)
    colour = "#7a1f1f"
    ax.plot(mid, r_t, color=colour, lw=1.0, marker="." if finite.sum() < 60 else None)
    before = np.concatenate([[False], finite[:-1]])
    after = np.concatenate([finite[1:], [False]])
    alone = finite & ~before & ~after
    if alone.any() and finite.sum() >= 60:
        ax.plot(mid[alone], r_t[alone], ls="none", marker=".", color=colour)
    ax.axhline(1.0, color="grey", lw=0.8, ls="--")
    method = (table.schema.metadata or {}).get(b"R_t_method", b"").decode()
    # In the words the headline and the terminal use ("bites per loss").
    method = dict(EpidemicFigures.METHOD_WORDS).get(method, method)
    ax.set_ylabel("R_t" + (f" ({method})" if method else ""))
    if finite.any():
        high = float(np.nanpercentile(r_t[finite], 98))
        ax.set_ylim(0.0, max(1.5, 1.15 * high))
    ax.grid(alpha=0.3)
    ax.set_xlim(float(t[0]), float(t[-1]))


#: Most bins the incidence panel of a run draws. A run recorded more often (a building's,
#: every two minutes for five days) is counted in wider bins, each a whole number of its
#: intervals and, where the intervals allow, a round length of time: a burst of bites then
#: reads as a bar of its rate over the bin, not as a comb of one-interval spikes too thin to
#: see and too tall to compare.
MOST_BINS = 240
#: Most bins of a zoomed panel, narrower than the whole: Hyosan High's first 7.7 hours in
#: two-minute bars read as a comb of spikes of "1,600 an hour"; in ten-minute bins, as bursts.
ZOOM_BINS = 60
#: The lengths of time a bin may take, in seconds (the first that fits).
_ROUND_S = tuple(
    m * 60.0 for m in (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
)


def _bins(seconds: np.ndarray, most: int = MOST_BINS) -> tuple[np.ndarray, float | None]:
    """The indices of the recorded times `seconds` at which the incidence panel's bins start,
    and each bin's length in seconds where they are all alike (None otherwise)."""
    intervals = seconds.size - 1
    k = max(1, -(-intervals // most))
    steps = np.diff(seconds)
    even = bool(steps.size) and bool(np.all(steps == steps[0])) and steps[0] > 0
    if even and k > 1:
        step = float(steps[0])
        for length in _ROUND_S:
            whole = round(length / step)
            if whole >= k and whole * step == length:
                k = whole
                break
    return np.arange(0, intervals, k), (k * float(steps[0]) if even else None)


def _bin_words(duration: str) -> str:
    """ "30min" -> "30-minute": a bin's length as a label reads it."""
    number = duration.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = duration[len(number) :]
    return f"{number}-{_UNIT_NAMES.get(unit, unit)}"


def _rates(new: np.ndarray, starts: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Events per unit of time in each bin, from counts per recorded interval (the first row,
    at the start, counts nothing)."""
    counts = np.add.reduceat(new[1:], starts)
    return np.divide(counts, width, out=np.zeros(width.size), where=width > 0)


#: Colours of the points drawn together, in order (a single point is drawn in the first).
_POINT_COLOURS = POINT_COLOURS


@plain_text
def plot_incidence_bands(source: Any, *, point: Any = None) -> Figure | None:
    """An ensemble's incidence per unit of time of every reaction, and its counts so far, as
    the median of the runs with their 50 % and 90 % bands, one panel per reaction (see the
    module docstring); None if the ensemble has no incidence_bands.parquet (an engine that
    counts no reactions, or an ensemble written before hyosan kept them).

    Parameters
    ----------
    source
        An ensemble result, an EnsembleData or an ensemble directory.
    point
        Which point to draw; by default every point up to three (a comparison's scenarios, a
        short sweep), else a sweep's first, middle and last (the title says so).
    """
    from hyosan.reports.figure import InlineFigure

    ens = as_data(source)
    if not isinstance(ens, EnsembleData):
        raise HyosanError("plot_incidence_bands draws an ensemble; plot_epidemic draws a run")
    table = ens.incidence
    if table is None or table.num_rows == 0:
        return None
    cols = {k: numbers(table.column(k)) for k in table.column_names}
    points = list(dict.fromkeys(cols["point"].tolist()))
    if point is not None and point not in points:
        raise HyosanError(f"no point {point!r} in the ensemble's incidence; points: {points}")
    shown, which = ([point], "") if point is not None else shown_points(points)
    per = {p: _point_series(cols, p) for p in shown}
    names = _reactions_shown(per)
    unit = ens.display_unit
    unit_s = unit_seconds(unit)
    labels = point_labels(ens.summary, with_units=True)
    n = len(names)
    width = min(3, n)
    rows = int(np.ceil(n / width))
    fig = InlineFigure(figsize=(3.7 * width, 2 * (2.3 * rows) + 0.9), layout="constrained")
    subs = np.asarray(fig.subfigures(2, 1), dtype=object).ravel()
    new_fig, cum_fig = subs[0], subs[1]
    new_fig.suptitle(f"incidence per {_UNIT_NAMES.get(unit, unit)}", fontsize="medium")
    cum_fig.suptitle("counts so far", fontsize="medium")
    for kind, sub in (("new", new_fig), ("cum", cum_fig)):
        grid = sub.subplots(rows, width, sharex=True, squeeze=False)
        axes = grid.ravel()
        for extra in axes[n:]:
            extra.set_visible(False)
        # The shared x axis labels the bottom row only; a panel above a hidden one is the
        # lowest of its column and labels its own.
        for column in range(width):
            lowest = grid[(n - 1 - column) // width, column]
            lowest.tick_params(axis="x", labelbottom=True)
        for ax, name in zip(axes, names, strict=False):
            for k, p in enumerate(shown):
                _band(ax, per[p], f"{kind}_{name}", unit_s, _POINT_COLOURS[k], labels.get(p))
            ax.set_title(reaction_words(name), fontsize="small")
            plain_linear_ticks(ax.yaxis)
            ax.grid(alpha=0.3)
            ax.set_ylim(bottom=0)
        # Shared x: the span of every point shown (a comparison's horizons may differ).
        axes[0].set_xlim(*band_span(per, unit_s))
        axes[0].set_ylabel("per " + _UNIT_NAMES.get(unit, unit) if kind == "new" else "count")
        if len(shown) > 1:
            axes[0].legend(loc="best", fontsize="x-small")
    subject = bands_subject(ens, shown, which, labels)
    fig.suptitle(f"{subject}; median, 50 % and 90 % of runs", fontsize="medium")
    fig.supxlabel(time_title(unit), fontsize="medium")
    return fig


def _point_series(cols: dict[str, np.ndarray], point: Any) -> dict[str, dict[str, np.ndarray]]:
    """Series name → {"t", "q05", ..., "q95"} arrays sorted by time, for one point."""
    mine = np.flatnonzero(cols["point"] == point)
    series = cols["series"][mine]
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in dict.fromkeys(series.tolist()):
        idx = mine[series == name]
        idx = idx[np.argsort(cols["t"][idx], kind="stable")]
        out[str(name)] = {
            k: np.asarray(cols[k][idx], dtype=np.float64)
            for k in ("t", "q05", "q25", "q50", "q75", "q95")
        }
    return out


def _reactions_shown(per: dict[Any, dict[str, dict[str, np.ndarray]]]) -> list[str]:
    """Infections first, then each reaction that happened in some run and is not the
    infections under another name (a model's one infecting reaction), in the order of the
    file's series whichever point first shows it (a sweep's first point without kills put
    them last, an ensemble's second)."""
    order = list(dict.fromkeys(k for series in per.values() for k in series))
    shown: set[str] = set()
    for series in per.values():
        infections = series.get("cum_infections")
        for key, arrays in series.items():
            if not key.startswith("cum_") or not np.any(arrays["q95"] > 0):
                continue
            if infections is not None and all(
                np.array_equal(arrays[q], infections[q]) for q in ("q05", "q50", "q95")
            ):
                continue
            shown.add(key)
    rest = [k.removeprefix("cum_") for k in order if k in shown]
    return ["infections", *(name for name in rest if name != "infections")]


def _band(
    ax: Any,
    series: dict[str, dict[str, np.ndarray]],
    key: str,
    unit_s: float,
    colour: str,
    label: str | None,
) -> None:
    """One point's median with its 50 % and 90 % bands; incidence per unit of time."""
    arrays = series.get(key)
    if arrays is None:
        return
    t = arrays["t"] / unit_s
    values = {q: arrays[q] for q in ("q05", "q25", "q50", "q75", "q95")}
    if key.startswith("new_"):
        # Each interval's count over its width (the same for every run: quantiles scale),
        # drawn at the interval's middle; the first time has no interval.
        width = np.diff(t)
        ok = width > 0
        mid = ((t[1:] + t[:-1]) / 2)[ok]
        values = {q: v[1:][ok] / width[ok] for q, v in values.items()}
        t = mid
    ax.fill_between(t, values["q05"], values["q95"], color=colour, alpha=0.15, lw=0)
    ax.fill_between(t, values["q25"], values["q75"], color=colour, alpha=0.3, lw=0)
    ax.plot(t, values["q50"], color=colour, lw=1.2, label=label)

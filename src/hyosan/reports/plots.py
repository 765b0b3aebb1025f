"""Static plots of a run or an ensemble, as matplotlib Figures (no pyplot, no global state).

Each function takes a Result, a RunData or EnsembleData, or a run or ensemble directory, and
returns a `matplotlib.figure.Figure` (one that shows itself in a notebook, see figure.py) to
show or save, drawn on the `ax=` given or on a new figure. The report saves them beside
report.html.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import HyosanError
from hyosan.reports.colours import EMPTY, STATE_COLOURS, mix_colours
from hyosan.reports.geometry import GridGeometry, Panel, PointGeometry
from hyosan.reports.plaintext import plain_log_ticks, plain_text
from hyosan.reports.rundata import EnsembleData, RunData, load_report_data
from hyosan.results.arrow import numbers

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

_UNIT_WORDS = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}


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
    return f"time ({_UNIT_WORDS.get(unit, unit)}{since})"


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
    from hyosan.reports.figure import InlineFigure

    if ax is not None:
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
    with its 50 % and 90 % bands, all on one axes.

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
    data = as_data(source)
    if isinstance(data, EnsembleData):
        return plot_bands(data, log=log, ax=ax, small_multiples=False)
    run = data
    unit = run.display_unit
    t = run.times / unit_seconds(unit)
    fig, ax = _axes(ax)
    peaks = [float(np.max(v)) if v.size else 0.0 for v in run.states.values()]
    for state, values in run.states.items():
        ax.plot(t, values, label=state, color=STATE_COLOURS.get(state, STATE_COLOURS["other"]))
    if log if log is not None else wants_log(peaks):
        ax.set_yscale("symlog", linthresh=1.0)
        plain_log_ticks(ax.yaxis)
    if mark_s is not None:
        ax.axvline(mark_s / unit_seconds(unit), color="black", lw=0.8, ls="--")
    ax.set_xlabel(time_title(unit, run.clock_start_s))
    ax.set_ylabel("people")
    ax.set_title(f"{run.name}: {run.engine}, seed {run.seed}")
    ax.set_xlim(float(t[0]) if t.size else 0.0, float(t[-1]) if t.size else 1.0)
    ax.grid(alpha=0.3)
    if run.states:  # (a time series with no state column has nothing to name)
        ax.legend(loc="best", fontsize="small")
    return fig


@plain_text
def plot_bands(
    source: Any,
    *,
    point: Any = None,
    log: bool | None = None,
    ax: Axes | None = None,
    small_multiples: bool | None = None,
) -> Figure:
    """Median and 50 % and 90 % bands of each state over time, for one point of an ensemble:
    one panel per state (each with its own scale, so no band hides another state's median),
    or all on one axes when `ax` is given. A single run is drawn as plot_timeseries draws it.

    Parameters
    ----------
    source
        An ensemble result, an EnsembleData or an ensemble directory (or a run, see above).
    point
        Which point (of a sweep or comparison); default the first.
    log
        As for plot_timeseries.
    ax
        Matplotlib axes to draw every state on; by default a new Figure, a panel per state.
    small_multiples
        A panel per state (default: unless `ax` is given).
    """
    from hyosan.reports.figure import InlineFigure

    data = as_data(source)
    if isinstance(data, RunData):
        return plot_timeseries(data, log=log, ax=ax)
    ens = data
    table = ens.bands
    points = _unique(table.column("point").to_pylist()) if "point" in table.column_names else [None]
    if point is None:
        point = points[0]
    if point not in points:
        raise HyosanError(f"no point {point!r} in the ensemble; points: {points}")
    unit_s = unit_seconds(ens.display_unit)
    series = band_series(table, point)
    if small_multiples is None:
        small_multiples = ax is None
    if small_multiples and ax is None and len(series) > 1:
        cols = min(3, len(series))
        rows = int(np.ceil(len(series) / cols))
        fig: Figure = InlineFigure(figsize=(3.6 * cols, 2.6 * rows + 0.6), layout="constrained")
        axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
        for extra in axes[len(series) :]:
            extra.set_visible(False)
        pairs = [(a, {s: v}) for a, (s, v) in zip(axes, series.items(), strict=False)]
    else:
        fig, one = _axes(ax)
        pairs = [(one, series)]
    for a, group in pairs:
        peaks = []
        for state, arrays in group.items():
            colour = STATE_COLOURS.get(state, STATE_COLOURS["other"])
            t = arrays["t"] / unit_s
            if "q05" in arrays and "q95" in arrays:
                a.fill_between(t, arrays["q05"], arrays["q95"], color=colour, alpha=0.15, lw=0)
            if "q25" in arrays and "q75" in arrays:
                a.fill_between(t, arrays["q25"], arrays["q75"], color=colour, alpha=0.3, lw=0)
            middle = arrays.get("q50", arrays.get("mean"))
            if middle is not None:
                a.plot(t, middle, color=colour, label=f"{state} (median)")
                peaks.append(float(np.max(middle)) if middle.size else 0.0)
            if t.size:
                a.set_xlim(float(t[0]), float(t[-1]))
        if log if log is not None else (len(pairs) == 1 and wants_log(peaks)):
            a.set_yscale("symlog", linthresh=1.0)
            plain_log_ticks(a.yaxis)
        a.grid(alpha=0.3)
        if len(pairs) > 1:
            state = next(iter(group))
            a.set_title(state, fontsize="medium", color=STATE_COLOURS.get(state, "black"))
            a.set_ylabel("people")
        else:
            a.set_ylabel("people")
            a.legend(loc="best", fontsize="small")
    where = "" if point is None or len(points) == 1 else f", point {point}"
    title = f"{ens.name}: {ens.kind}{where}; median, 50 % and 90 % of runs"
    xlabel = time_title(ens.display_unit)
    if len(pairs) > 1:
        fig.suptitle(title, fontsize="medium")
        fig.supxlabel(xlabel, fontsize="medium")
    else:
        pairs[0][0].set_title(title)
        pairs[0][0].set_xlabel(xlabel)
    return fig


@plain_text
def plot_outcomes(source: Any) -> Figure | None:
    """Histograms of the ensemble's outcomes that fall in two groups (see
    outcomes.two_groups), one panel per outcome, one colour per point; None if none does."""
    import pyarrow as pa

    from hyosan.reports.figure import InlineFigure
    from hyosan.reports.outcomes import point_labels, two_groups

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
        groups = (
            [values]
            if points is None
            else [values[[p == q for p in points]] for q in _unique(points)]
        )
        if any(two_groups(g[np.isfinite(g)]) is not None for g in groups):
            chosen.append((f.name, values))
    if not chosen:
        return None
    labels = point_labels(ens.summary)
    fig = InlineFigure(figsize=(4.2 * min(len(chosen), 3), 3.2), layout="constrained")
    axes = fig.subplots(1, min(len(chosen), 3), squeeze=False).ravel()
    for ax, (name, values) in zip(axes, chosen, strict=False):
        finite = values[np.isfinite(values)]
        bins = np.histogram_bin_edges(finite, bins=30)
        for q in _unique(points) if points is not None else [None]:
            mask = (
                np.ones(values.size, bool)
                if q is None or points is None
                else np.array([p == q for p in points])
            )
            part = values[mask & np.isfinite(values)]
            ax.hist(
                part, bins=bins, alpha=0.6, label=labels.get(q, "all runs" if q is None else str(q))
            )
        ax.set_xlabel(name.replace("_", " "))
        ax.set_ylabel("runs")
        ax.set_title(f"{name.replace('_', ' ')}: two groups of runs", fontsize="medium")
        ax.legend(fontsize="small")
    return fig


def band_series(bands: pa.Table, point: Any) -> dict[str, dict[str, np.ndarray]]:
    """State → {"t", "q05", ..., "mean"} arrays sorted by time, for one point of bands.parquet."""
    from hyosan.scenario.model import STATES

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
    order = {s: i for i, s in enumerate(STATES)}
    names = sorted(
        {str(s) for s in states[mask]},
        key=lambda s: (order.get(s.removeprefix("n_"), len(order)), s),
    )
    out: dict[str, dict[str, np.ndarray]] = {}
    for state in names:
        idx = np.flatnonzero(mask & (states == state))
        idx = idx[np.argsort(t_all[idx], kind="stable")]
        out[state.removeprefix("n_")] = {"t": t_all[idx], **{k: v[idx] for k, v in values.items()}}
    return out


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
                self._labels(fig, ax, g, members, x0, y0, w, h)

    def _labels(
        self,
        fig: Figure,
        ax: Axes,
        g: PointGeometry,
        members: np.ndarray,
        x0: np.ndarray,
        y0: np.ndarray,
        w: np.ndarray,
        h: np.ndarray,
    ) -> None:
        """Each room's whole name inside it where it fits, else a number listed in the key
        under the figure; nothing is cut short."""
        if members.size > 400:
            return
        bbox = ax.get_position()
        # Axis units per point: the panel is 1 unit wide.
        per_pt = 1.0 / max(bbox.width * fig.get_figwidth() * 72, 1e-9)
        size = 6.0
        for k, m in enumerate(members):
            name = g.labels[m]
            text_w = 0.55 * size * len(name) * per_pt
            text_h = 1.3 * size * per_pt
            if text_w <= w[k] and text_h <= h[k]:
                text = name
            else:
                self.keys.append((len(self.keys) + 1, name))
                text = str(len(self.keys))
            ax.text(
                x0[k] + w[k] / 2,
                y0[k] + h[k] / 2,
                text,
                fontsize=size,
                ha="center",
                va="center",
                color="#111827" if text == name else "#1d4ed8",
                clip_on=False,
                # Inside the panel: the layout need not measure every room's name.
                in_layout=False,
            )

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
    """When the first zombie reached each place (the risk map); None for runs without places.

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
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=fig.axes,
        label=f"first zombie ({_UNIT_WORDS.get(unit, unit)}; grey: never)",
        shrink=0.8,
    )
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

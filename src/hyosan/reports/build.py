"""Write a report: report.html and, beside it, the PNG plots and the GIF.

Every file is written under a temporary name and renamed into place, so a reader never sees
half a report; `hyosan run` writes them into the run directory before it is itself renamed into
place (see results.rundir.write_run), so the run directory appears complete or not at all.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.reports.plaintext import plain_text
from hyosan.reports.rundata import EnsembleData, RunData, load_report_data

if TYPE_CHECKING:
    from hyosan.reports.frames import PlaceFrames

__all__ = ["ReportFiles", "write_report"]

#: Names of the files a report writes.
REPORT = "report.html"
TIMESERIES_PNG = "timeseries.png"
EPIDEMIC_PNG = "epidemic.png"
FIRST_ZOMBIE_PNG = "first-zombie.png"
BANDS_PNG = "bands.png"
EPIDEMIC_BANDS_PNG = "epidemic-bands.png"
OUTBREAK_GIF = "outbreak.gif"
PHASE_PNG = "phase.png"
OUTCOMES_PNG = "outcomes.png"


@dataclass(frozen=True)
class ReportFiles:
    """What write_report wrote, and how long it took."""

    report: Path
    pictures: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call write(tmp) on a temporary file beside `path`, then rename it into place."""
    # The temporary name keeps the extension: some writers (pillow) choose the format by it.
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".partial{path.suffix}", dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _png(fig: object) -> bytes:
    """The figure as PNG bytes: drawn once, whether the page shows it, a file holds it, or both."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _save_png(png: bytes, path: Path) -> Path:
    return _atomic(path, lambda tmp: tmp.write_bytes(png))


def _save_figure(fig: object, path: Path) -> Path:
    return _save_png(_png(fig), path)


@plain_text
def write_report(
    folder: str | Path,
    data: RunData | EnsembleData | None = None,
    *,
    pictures: bool = True,
) -> ReportFiles:
    """Write report.html (and, with `pictures`, the PNG plots and GIF) into a run or ensemble
    directory.

    Parameters
    ----------
    folder
        The run or ensemble directory.
    data
        Its data, if already loaded; read from `folder` otherwise.
    pictures
        Also write timeseries.png, first-zombie.png and outbreak.gif (runs) or bands.png
        and epidemic-bands.png (ensembles) beside the report.
    """
    start = time.perf_counter()
    folder = Path(folder)
    if data is None:
        data = load_report_data(folder)
    written: list[Path] = []
    images: dict[str, str] = {}
    notes: list[str] = []
    if isinstance(data, EnsembleData):
        from hyosan.reports.html import render_ensemble
        from hyosan.reports.plots import plot_bands

        if pictures:
            written.append(_save_figure(plot_bands(data), folder / BANDS_PNG))
            images["median and bands of each state"] = BANDS_PNG
        figures = []
        from hyosan.reports.epidemic_plot import plot_incidence_bands

        incidence = plot_incidence_bands(data)
        if incidence is not None:
            png = _png(incidence)
            figures.append(
                ("incidence of each reaction and counts so far: median, 50 % and 90 % of runs", png)
            )
            if pictures:
                written.append(_save_png(png, folder / EPIDEMIC_BANDS_PNG))
                images["incidence of each reaction: median and bands"] = EPIDEMIC_BANDS_PNG
        from hyosan.reports.plots import plot_outcomes

        outcomes = plot_outcomes(data)
        if outcomes is not None:
            # Outcomes in two groups (die-out or take-over) shown as histograms, not a median.
            png = _png(outcomes)
            figures.append(("outcomes that fall in two groups of runs", png))
            if pictures:
                written.append(_save_png(png, folder / OUTCOMES_PNG))
                images["outcomes that fall in two groups"] = OUTCOMES_PNG
        # The sweep's phase plot, written by the sweep beside bands.png: shown in the page.
        if (folder / PHASE_PNG).is_file():
            figures.append(("the phase plot of the sweep", (folder / PHASE_PNG).read_bytes()))
            images["the phase plot of the sweep"] = PHASE_PNG
        html = render_ensemble(data, images, notes, figures)
    else:
        frames = _frames(data)
        if frames is not None:
            notes.extend(frames.notes)
        from hyosan.reports.epidemic_plot import plot_epidemic
        from hyosan.reports.html import render_run

        chart = plot_epidemic(data)
        epidemic = None if chart is None else _png(chart)
        if pictures:
            written.extend(_run_pictures(data, frames, epidemic, folder, images))
        caption = "new infections and other reactions per interval, and R_t"
        shown = [] if epidemic is None else [(caption, epidemic)]
        html = render_run(data, frames, images, notes, shown)
    report = _atomic(folder / REPORT, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return ReportFiles(report=report, pictures=written, seconds=time.perf_counter() - start)


def _frames(run: RunData) -> PlaceFrames | None:
    from hyosan.reports.frames import place_frames

    return None if run.places is None else place_frames(run.places, run.rooms)


def _run_pictures(
    run: RunData,
    frames: PlaceFrames | None,
    epidemic: bytes | None,
    folder: Path,
    images: dict[str, str],
) -> list[Path]:
    from hyosan.reports.animation import write_gif
    from hyosan.reports.plots import plot_first_zombie, plot_timeseries

    written = [_save_figure(plot_timeseries(run), folder / TIMESERIES_PNG)]
    images["every state over time"] = TIMESERIES_PNG
    if epidemic is not None:
        written.append(_save_png(epidemic, folder / EPIDEMIC_PNG))
        images["incidence of each reaction and R_t"] = EPIDEMIC_PNG
    if frames is None:
        return written
    fig = plot_first_zombie(run, frames)
    if fig is not None:
        written.append(_save_figure(fig, folder / FIRST_ZOMBIE_PNG))
        images["when the first zombie reached each place"] = FIRST_ZOMBIE_PNG
    gif = _atomic(folder / OUTBREAK_GIF, lambda tmp: write_gif(run, tmp, frames))
    if gif.stat().st_size:
        written.append(gif)
        images["the outbreak, animated"] = OUTBREAK_GIF
    return written

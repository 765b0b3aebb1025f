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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.paths import user_path
from hyosan.reports.plaintext import plain_text
from hyosan.reports.rundata import EnsembleData, RunData, load_report_data

if TYPE_CHECKING:
    from hyosan.reports.frames import PlaceFrames
    from hyosan.reports.picture_helper import PictureHelper

__all__ = ["HELPER_DRAWS", "ReportFiles", "draw_pictures", "write_report"]

#: Names of the files a report writes.
REPORT = "report.html"
TIMESERIES_PNG = "timeseries.png"
EPIDEMIC_PNG = "epidemic.png"
FIRST_ZOMBIE_PNG = "first-zombie.png"
BANDS_PNG = "bands.png"
EPIDEMIC_BANDS_PNG = "epidemic-bands.png"
OUTBREAK_GIF = "outbreak.gif"
PHASE_PNG = "phase.png"
SENSITIVITY_PNG = "sensitivity.png"
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


def _directory_of(folder: object) -> str | Path:
    """The directory `write_report` was given: a path, or an ensemble's result (its `out`).
    A Result, which has no directory, is refused with what to do (it failed in pathlib)."""
    from hyosan.errors import HyosanError
    from hyosan.results.result import Result

    out = getattr(folder, "out", None)
    if not isinstance(folder, str | os.PathLike) and isinstance(out, str | os.PathLike):
        folder = out  # an EnsembleRun: its directory
    if isinstance(folder, str | os.PathLike):
        return Path(folder)
    if isinstance(folder, Result):
        raise HyosanError(
            "write_report writes into a run directory, and a Result has none: save it first, "
            'then pass the directory (result.save("runs/mine"); write_report("runs/mine"))'
        )
    raise HyosanError(f"write_report takes a run or ensemble directory (a path); found {folder!r}")


@plain_text
def write_report(
    folder: str | Path,
    data: RunData | EnsembleData | None = None,
    *,
    pictures: bool = True,
    helper: PictureHelper | None = None,
) -> ReportFiles:
    """Write report.html (and, with `pictures`, the PNG plots and GIF) into a run or ensemble
    directory.

    Parameters
    ----------
    folder
        The run or ensemble directory (or an ensemble's result; a Result is saved first, with
        `result.save(DIR)`, and DIR passed here).
    data
        Its data, if already loaded; read from `folder` otherwise.
    pictures
        Also write timeseries.png, first-zombie.png and outbreak.gif (runs) or bands.png
        and epidemic-bands.png (ensembles) beside the report.
    helper
        A process started to draw some of a run's pictures (`HELPER_DRAWS`, see
        reports.picture_helper) while this one draws the rest; without it, or if it fails,
        they are all drawn here.
    """
    start = time.perf_counter()
    folder = user_path(_directory_of(folder))
    # A helper reads the run's files itself: asked first, it starts on its share while this
    # process reads them too.
    helped = pictures and helper is not None and helper.draw(folder, HELPER_DRAWS)
    written: list[Path] = []
    images: dict[str, str] = {}
    notes: list[str] = []
    try:
        if data is None:
            data = load_report_data(folder)
        if isinstance(data, EnsembleData):
            if helper is not None:  # a helper draws a run's pictures, not an ensemble's
                helper.close()
            html = _ensemble_page(data, folder, pictures, written, images, notes)
        else:
            html = _run_page(
                data, folder, pictures, helper if helped else None, written, images, notes
            )
    except BaseException:
        if helper is not None:  # stop it before the directory is published or removed
            helper.close()
            for partial in folder.glob(".*.partial*"):
                partial.unlink(missing_ok=True)
        raise
    try:
        report = _atomic(folder / REPORT, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    except BaseException:
        # The page could not be written (a full disk): its pictures go too, so that the
        # report's files are all there or none of this call's are (the run's data stay).
        for picture in written:
            picture.unlink(missing_ok=True)
        raise
    return ReportFiles(report=report, pictures=written, seconds=time.perf_counter() - start)


def _ensemble_page(
    data: EnsembleData,
    folder: Path,
    pictures: bool,
    written: list[Path],
    images: dict[str, str],
    notes: list[str],
) -> str:
    """An ensemble's report page, its pictures written (and listed in `written` and
    `images`)."""
    from hyosan.ensemble.notes import repeated_runs_note
    from hyosan.reports.html import render_ensemble

    note = repeated_runs_note(data.summary)
    if note is not None:
        notes.append(note[0].upper() + note[1:] + ".")
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
    # A sample's indices, drawn by the sample beside bands.png: its result, shown first.
    sensitivity = data.summary.get("sensitivity")
    if isinstance(sensitivity, dict):
        if (folder / SENSITIVITY_PNG).is_file():
            caption = (
                f"sensitivity of {sensitivity.get('output')} to each varied key "
                f"({sensitivity.get('design')} design; bars: 95 % intervals)"
            )
            figures.insert(0, (caption, (folder / SENSITIVITY_PNG).read_bytes()))
            images["sensitivity indices"] = SENSITIVITY_PNG
        if sensitivity.get("note"):
            notes.append(str(sensitivity["note"]).capitalize() + ".")
    # The sweep's phase plot, written by the sweep beside bands.png: shown in the page.
    if (folder / PHASE_PNG).is_file():
        figures.append(("the phase plot of the sweep", (folder / PHASE_PNG).read_bytes()))
        images["the phase plot of the sweep"] = PHASE_PNG
    return render_ensemble(data, images, notes, figures)


def _run_page(
    data: RunData,
    folder: Path,
    pictures: bool,
    helper: PictureHelper | None,
    written: list[Path],
    images: dict[str, str],
    notes: list[str],
) -> str:
    """A run's report page, its pictures written (and listed in `written` and `images`);
    `helper`, if given, already drawing its share of them."""
    from hyosan.reports.plots import frames_of

    frames = frames_of(data)
    if frames is not None:
        notes.extend(frames.notes)
    from hyosan.reports.epidemic_plot import plot_epidemic
    from hyosan.reports.html import render_run

    chart = plot_epidemic(data)
    epidemic = None if chart is None else _png(chart)
    if pictures:
        written.extend(_run_pictures(data, frames, epidemic, folder, images, helper))
    caption = "new infections and other reactions per interval, and R_t"
    shown = [] if epidemic is None else [(caption, epidemic)]
    html = render_run(data, frames, images, notes, shown)
    return html


#: A run's pictures in the report's order, with their captions.
_RUN_PICTURES = {
    TIMESERIES_PNG: "every state over time",
    EPIDEMIC_PNG: "incidence of each reaction and R_t",
    FIRST_ZOMBIE_PNG: "when the first zombie reached each place",
    OUTBREAK_GIF: "the outbreak, animated",
}
#: What a helper process draws (reports.picture_helper): about half the time of the pictures
#: (and matplotlib's import, which the helper does while the run simulates).
HELPER_DRAWS = (TIMESERIES_PNG, FIRST_ZOMBIE_PNG)


def _run_pictures(
    run: RunData,
    frames: PlaceFrames | None,
    epidemic: bytes | None,
    folder: Path,
    images: dict[str, str],
    helper: PictureHelper | None,
) -> list[Path]:
    """Write a run's pictures (those of `HELPER_DRAWS` left to `helper` if given), and say
    each in `images`."""
    drawn: set[str] = set()
    if epidemic is not None:  # drawn already, for the page
        _save_png(epidemic, folder / EPIDEMIC_PNG)
        drawn.add(EPIDEMIC_PNG)
    mine = [
        n
        for n in (TIMESERIES_PNG, FIRST_ZOMBIE_PNG, OUTBREAK_GIF)
        if helper is None or n not in HELPER_DRAWS
    ]
    drawn.update(draw_pictures(run, frames, folder, mine))
    if helper is not None:
        theirs = helper.drawn()
        drawn.update(draw_pictures(run, frames, folder, HELPER_DRAWS) if theirs is None else theirs)
    written = []
    for name, caption in _RUN_PICTURES.items():
        if name in drawn:
            written.append(folder / name)
            images[caption] = name
    return written


@plain_text
def draw_pictures(
    run: RunData, frames: PlaceFrames | None, folder: Path, names: Iterable[str]
) -> list[str]:
    """Write the pictures of a run named (of timeseries.png, first-zombie.png and
    outbreak.gif) into its directory; the names of those written (a run without places has
    no maps)."""
    from hyosan.reports.animation import write_gif
    from hyosan.reports.plots import plot_first_zombie, plot_timeseries

    drawn = []
    for name in names:
        if name == TIMESERIES_PNG:
            _save_figure(plot_timeseries(run), folder / name)
        elif frames is None:
            continue
        elif name == FIRST_ZOMBIE_PNG:
            fig = plot_first_zombie(run, frames)
            if fig is None:
                continue
            _save_figure(fig, folder / name)
        elif name == OUTBREAK_GIF:
            if not _atomic(folder / name, lambda tmp: write_gif(run, tmp, frames)).stat().st_size:
                (folder / name).unlink()  # no frames to show
                continue
        else:
            raise ValueError(f"no picture called {name!r}")
        drawn.append(name)
    return drawn

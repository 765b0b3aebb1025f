"""An animated GIF of the outbreak on the map (floor plans or grid), for slides.

matplotlib draws the map once (panels, titles, legend); each frame then only recolours the
places' pixels in a copy of that picture and stamps the time in a corner, and pillow (which
comes with matplotlib) writes the GIF. Redrawing the figure for every frame took seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hyosan.reports.geometry import GridGeometry
from hyosan.reports.plaintext import plain_text
from hyosan.reports.plots import MapDrawing, as_run, busiest, frame_colours, map_size

if TYPE_CHECKING:
    from PIL import ImageFont

    from hyosan.reports.frames import PlaceFrames
    from hyosan.reports.rundata import RunData
    from hyosan.results.result import Result

__all__ = ["gif_frames", "write_gif"]

#: Most frames in the GIF: enough to see the spread, small enough to paste into slides.
MAX_GIF_FRAMES = 60


@plain_text
def write_gif(
    source: Result | RunData | str | Path,
    path: str | Path,
    frames: PlaceFrames | None = None,
    *,
    max_frames: int = MAX_GIF_FRAMES,
    fps: int = 6,
    dpi: int = 80,
) -> Path | None:
    """Write an animated GIF of the run's places over time; None if the run has no places.

    Parameters
    ----------
    source
        A Result, a RunData, or a run directory.
    path
        Where to write the GIF.
    frames
        The run's place frames, if already computed (see frames.place_frames).
    max_frames, fps, dpi
        At most this many frames (most where the counts change most, first and last kept),
        played at `fps`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image, ImageDraw

    from hyosan.reports.html import fmt_time
    from hyosan.reports.plots import frames_of

    run = as_run(source)
    if frames is None:
        frames = frames_of(run)
    if frames is None or frames.times.size == 0:
        return None
    picks = gif_frames(frames, max_frames)
    fig = Figure(figsize=map_size(frames), dpi=dpi, layout="constrained")
    states = [run.state_of(c) for c in frames.compartments]
    drawing = MapDrawing(fig, frames, run.name, legend=states, labels=False)
    top = busiest(frames)
    drawing.paint(frame_colours(frames, run, 0, top))
    canvas = FigureCanvasAgg(fig)
    # (matplotlib's Agg backend has no type hints.)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    background = np.asarray(rgba)[:, :, :3].copy()
    painter = _Painter(drawing, background.shape[0])
    font = _font()
    images = []
    for i in picks:
        pixels = background.copy()
        painter.paint(pixels, frame_colours(frames, run, int(i), top))
        image = Image.fromarray(pixels)
        when = fmt_time(float(frames.times[i]), run.display_unit, run.clock_start_s)
        ImageDraw.Draw(image).text((8, 6), when, fill=(17, 24, 39), font=font)
        images.append(
            image.quantize(colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        )
    path = Path(path)
    images[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=int(1000 / fps),
        loop=0,
    )
    return path


def gif_frames(frames: PlaceFrames, max_frames: int = MAX_GIF_FRAMES) -> np.ndarray:
    """Which of the kept frames the GIF shows: those where things happen (frames.busy_frames),
    so an outbreak's first hour gets its frames rather than two-hourly stills of the aftermath."""
    from hyosan.reports.frames import busy_frames, counts_change

    return busy_frames(counts_change(frames.counts), max_frames)


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=15)
    except (TypeError, OSError):  # pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


class _Painter:
    """Recolours the places' pixels of the figure's picture (rows from the top)."""

    def __init__(self, drawing: MapDrawing, height: int) -> None:
        self.geometry = drawing.geometry
        if isinstance(self.geometry, GridGeometry):
            g = self.geometry
            ax = drawing.artist.axes
            corners = [(-0.5, g.rows - 0.5), (g.cols - 0.5, -0.5)]
            (x0, y0), (x1, y1) = ax.transData.transform(corners)
            top, bottom = height - y1, height - y0
            # Pixel rows and columns of the picture that fall on each grid row and column.
            self.rows = np.arange(int(np.ceil(top)), int(np.floor(bottom)))
            self.cols = np.arange(int(np.ceil(x0)), int(np.floor(x1)))
            r = (self.rows + 0.5 - top) / (bottom - top) * g.rows
            c = (self.cols + 0.5 - x0) / (x1 - x0) * g.cols
            self.grid_r = np.clip(r, 0, g.rows - 1).astype(np.int64)
            self.grid_c = np.clip(c, 0, g.cols - 1).astype(np.int64)
            return
        self.boxes: list[tuple[int, int, int, int, int]] = []
        for coll, members, rects in drawing.collections:
            ax = coll.axes
            lo = ax.transData.transform(rects[:, :2])
            hi = ax.transData.transform(rects[:, :2] + rects[:, 2:])
            for (x0, y0), (x1, y1), m in zip(lo, hi, members, strict=True):
                # Inside the rectangle's edge line, rows counted from the top.
                self.boxes.append(
                    (
                        int(m),
                        round(height - y1) + 1,
                        round(height - y0) - 1,
                        round(x0) + 1,
                        round(x1) - 1,
                    )
                )

    def paint(self, pixels: np.ndarray, colours: np.ndarray) -> None:
        """Colour the places in `pixels` (rows × cols × 3, uint8) with `colours` (0 to 1)."""
        rgb = np.round(np.clip(colours, 0, 1) * 255).astype(np.uint8)
        if isinstance(self.geometry, GridGeometry):
            g = self.geometry
            image = np.full((g.rows * g.cols, 3), 255, dtype=np.uint8)
            image[g.cell] = rgb
            grid = image.reshape(g.rows, g.cols, 3)
            if self.rows.size and self.cols.size:
                block = grid[self.grid_r][:, self.grid_c]
                pixels[self.rows[0] : self.rows[-1] + 1, self.cols[0] : self.cols[-1] + 1] = block
            return
        for m, r0, r1, c0, c1 in self.boxes:
            pixels[max(r0, 0) : r1 + 1, max(c0, 0) : c1 + 1] = rgb[m]

"""An animated GIF of the outbreak on the map (floor plans or grid), for slides.

matplotlib draws the map once (panels, titles, legend); each frame then only recolours the
places' pixels in a copy of that picture and stamps the time in a corner, and pillow (which
comes with matplotlib) writes the GIF. Redrawing the figure for every frame took seconds, and
quantizing every frame to a palette of its own took a quarter of what was left: the frames
share one palette, made once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hyosan.reports.geometry import GridGeometry
from hyosan.reports.plaintext import plain_text
from hyosan.reports.plots import MapDrawing, as_run, busiest, frame_colours, map_size

if TYPE_CHECKING:
    from PIL import Image, ImageFont

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
    """Write an animated GIF of the run's places over time and return its path.

    Returns None, and writes nothing, for a run with no map to draw: one without places (a
    well-mixed run), one whose places have no coordinates (a graph world whose nodes have no
    positions), or one without snapshots (see `plot_first_zombie`).

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
    stamps = [fmt_time(float(frames.times[i]), run.display_unit, run.clock_start_s) for i in picks]
    colours = np.stack([frame_colours(frames, run, int(i), top) for i in picks])
    images = _indexed_frames(background, painter, colours, stamps, _font())
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


def _indexed_frames(
    background: np.ndarray,
    painter: _Painter,
    colours: np.ndarray,
    stamps: list[str],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> list[Image.Image]:
    """The GIF's frames as palette images sharing one palette.

    Quantizing each frame on its own cost more than everything else the GIF does; here the
    pictures of the map and the time stamps are quantized once, the places' colours of every
    frame once, and each frame is then only indices copied into place.
    """
    from PIL import Image, ImageDraw

    height, width, _ = background.shape
    # Each time stamp drawn (smoothed) on its own copy of the corner it goes in.
    corner = Image.fromarray(background)
    box = [width, height, 0, 0]
    for text in stamps:
        x0, y0, x1, y1 = ImageDraw.Draw(corner).textbbox(_STAMP_AT, text, font=font)
        box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
    left, top = max(box[0], 0), max(box[1], 0)
    right, bottom = min(box[2] + 1, width), min(box[3] + 1, height)
    patches = []
    for text in stamps:
        patch = Image.fromarray(background[top:bottom, left:right].copy())
        ImageDraw.Draw(patch).text(
            (_STAMP_AT[0] - left, _STAMP_AT[1] - top), text, fill=_STAMP_INK, font=font
        )
        patches.append(np.asarray(patch))
    # The map and its stamps in one picture, the places' colours (and white, for the grid's
    # empty cells) in another: half the palette each.
    still = np.concatenate([background, *(_pad(p, width) for p in patches)])
    still_idx, still_palette = _quantize(still, _PALETTE // 2)
    rgb = np.round(np.clip(colours, 0, 1) * 255).astype(np.uint8)
    places = np.concatenate([rgb.reshape(-1, 3), [[255, 255, 255]]]).astype(np.uint8)
    places_idx, places_palette = _quantize(places[None, :, :], _PALETTE - _PALETTE // 2)
    offset = len(still_palette) // 3
    places_idx = (places_idx[0].astype(np.int32) + offset).astype(np.uint8)
    palette = still_palette + places_palette
    base = still_idx[:height]
    n_frames, n_places = colours.shape[:2]
    white = int(places_idx[-1])
    images = []
    for f in range(n_frames):
        idx = base.copy()
        painter.paint_values(idx, places_idx[f * n_places : (f + 1) * n_places], white)
        row = height + f * (bottom - top)
        idx[top:bottom, left:right] = still_idx[row : row + bottom - top, : right - left]
        image = Image.fromarray(idx, mode="P")
        image.putpalette(palette)
        images.append(image)
    return images


#: Colours in a GIF's palette (256, one kept spare as pillow's quantizer leaves it).
_PALETTE = 255
#: Where the time stamp goes (pixels from the top left) and its colour.
_STAMP_AT = (8, 6)
_STAMP_INK = (17, 24, 39)


def _pad(patch: np.ndarray, width: int) -> np.ndarray:
    """`patch` widened to `width` columns with white."""
    out = np.full((patch.shape[0], width, 3), 255, dtype=np.uint8)
    out[:, : patch.shape[1]] = patch
    return out


def _quantize(pixels: np.ndarray, colours: int) -> tuple[np.ndarray, list[int]]:
    """Palette indices of an RGB picture and its palette (at most `colours` entries)."""
    from PIL import Image

    image = Image.fromarray(pixels).quantize(
        colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    palette = image.getpalette() or []
    used = int(np.asarray(image).max()) + 1
    return np.asarray(image), palette[: 3 * used]


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

    def paint_values(self, pixels: np.ndarray, values: np.ndarray, empty: object) -> None:
        """Put each place's value (a colour, or a palette index) on its pixels in `pixels`
        (rows × cols, then whatever a value is); a grid's cells without a place get `empty`."""
        if isinstance(self.geometry, GridGeometry):
            g = self.geometry
            image = np.full((g.rows * g.cols, *values.shape[1:]), empty, dtype=values.dtype)
            image[g.cell] = values
            grid = image.reshape(g.rows, g.cols, *values.shape[1:])
            if self.rows.size and self.cols.size:
                block = grid[self.grid_r][:, self.grid_c]
                pixels[self.rows[0] : self.rows[-1] + 1, self.cols[0] : self.cols[-1] + 1] = block
            return
        for m, r0, r1, c0, c1 in self.boxes:
            pixels[max(r0, 0) : r1 + 1, max(c0, 0) : c1 + 1] = values[m]

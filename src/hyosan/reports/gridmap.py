"""What a grid's first-zombie map adds to its cells: a zoom on a small reached area, the
world's named places, and a scale bar.

A lattice of 256 × 256 sites whose outbreak reached 4 of them was a grey square with a dot of
4 pixels: where the reached cells take a small part of the grid, the map shows them zoomed
in, with an inset of the whole grid that frames where they lie, and says how many were
reached. A country's map had no names: its named places (Hyosan, Seoul, Busan...) get a dot
and a label each, as many as fit without covering each other, and a scale bar in km.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.geometry import GridGeometry

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["mark_places", "zoom_to_reached"]

#: The map zooms in where the reached cells fit in a box this share of the grid's side.
ZOOM_SHARE = 0.2
#: The zoomed view is this many times the reached box's side (the box in its middle half,
#: clear of the inset in its corner), and at least `ZOOM_CELLS` cells a side.
ZOOM_FACTOR = 2.0
ZOOM_CELLS = 15
#: Most places labelled on a map; more crowd it, and the report's table lists them all.
MOST_NAMES = 16
#: Round lengths for the scale bar (km); the one nearest a sixth of the map's width is used.
_SCALE_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def zoom_to_reached(ax: Axes, g: GridGeometry, reached: np.ndarray, image: np.ndarray) -> str:
    """Zoom `ax` (the grid's image, `image` of rows × cols × RGB) in on the drawn cells that
    were reached (`reached`, a mask over the drawn places) where they take a small part of the
    grid, with an inset of the whole grid framing the zoomed view; the words for the map's
    subtitle ("" where it is not zoomed)."""
    cells = g.cell[reached]
    if not cells.size:
        return ""
    rows, cols = cells // g.cols, cells % g.cols
    r0, r1, c0, c1 = int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())
    side = max(r1 - r0, c1 - c0) + 1
    if side > ZOOM_SHARE * min(g.rows, g.cols):
        return ""
    window = min(max(int(np.ceil(ZOOM_FACTOR * side)), ZOOM_CELLS), g.rows, g.cols)
    top = _start((r0 + r1) / 2, window, g.rows)
    left = _start((c0 + c1) / 2, window, g.cols)
    # Pixel k of the image spans k - 0.5 to k + 0.5; rows run downwards (origin upper).
    ax.set_xlim(left - 0.5, left + window - 0.5)
    ax.set_ylim(top + window - 0.5, top - 0.5)
    _inset(ax, g, image, (top, left, window))
    what = "places" if g.block == 1 else f"blocks of {g.block} × {g.block} cells"
    return (
        f"reached {cells.size:,} of {g.n_drawn:,} {what}: zoomed in on {window} × {window} "
        f"of the {g.rows:,} × {g.cols:,} grid (inset: the whole grid)"
    )


def _start(middle: float, window: int, size: int) -> int:
    """The first row (or column) of a window `window` long centred on `middle`, kept inside
    a grid `size` long."""
    return int(np.clip(round(middle - (window - 1) / 2), 0, max(size - window, 0)))


def _inset(ax: Axes, g: GridGeometry, image: np.ndarray, view: tuple[int, int, int]) -> None:
    """The whole grid, small, in the zoomed map's upper right corner, with a red frame where
    the zoomed view lies (at least a few pixels wide, so that it shows)."""
    from matplotlib.patches import Rectangle

    top, left, window = view
    inset = ax.inset_axes((0.74, 0.74, 0.25, 0.25))
    inset.imshow(image.copy(), interpolation="nearest", origin="upper")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#374151")
    least = 0.04 * max(g.rows, g.cols)
    side = max(float(window), least)
    grow = (side - window) / 2
    inset.add_patch(
        Rectangle(
            (left - 0.5 - grow, top - 0.5 - grow), side, side, fill=False, ec="#dc2626", lw=1.2
        )
    )


def mark_places(fig: Figure, ax: Axes, g: GridGeometry, context: dict[str, Any]) -> list[str]:
    """A dot and a label for each of the grid world's named places (`context`, RunData.grid's:
    landmarks in the world's cells, cordons, cell_km) that lies in view, the most important
    first (a cordon's place, then the most populous as listed), as many as fit, up to
    `MOST_NAMES`, without covering each other or leaving the map; and a scale bar. The names
    labelled, in order."""
    landmarks = context.get("landmarks") or []
    if not landmarks and not context.get("cell_km"):
        return []
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    FigureCanvasAgg(fig)  # a renderer to measure the labels with, the layout done
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    centres = {(r, c) for _, r, c, *_ in context.get("cordons") or []}
    order = sorted(landmarks, key=lambda m: (tuple(m[1:3]) not in centres,))
    taken: list[Any] = []
    named: list[str] = []
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for name, row, col in order:
        if len(named) >= MOST_NAMES:
            break
        x, y = (col + 0.5) / g.block - 0.5, (row + 0.5) / g.block - 0.5
        text = ax.annotate(
            str(name),
            (x, y),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=7.5,
            va="center",
            ha="left",
            color="#111827",
            path_effects=halo,
            annotation_clip=True,
            in_layout=False,
        )
        dot = ax.transData.transform((x, y))
        # The label and its dot: a later name's label must cover neither.
        spot = Bbox.from_bounds(float(dot[0]) - 3, float(dot[1]) - 3, 6, 6)
        box = Bbox.union([text.get_window_extent(renderer), spot])
        fits = frame.contains(*dot) and frame.x0 <= box.x0 and box.x1 <= frame.x1
        fits = fits and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if not fits or any(box.overlaps(other) for other in taken):
            text.remove()
            continue
        taken.append(box.expanded(1.1, 1.2))
        ax.plot([x], [y], ls="none", marker="o", ms=3, color="#111827", mec="white", mew=0.6)
        named.append(str(name))
    if context.get("cell_km"):
        _scale_bar(ax, g, float(context["cell_km"]))
    return named


def _scale_bar(ax: Axes, g: GridGeometry, cell_km: float) -> None:
    """A bar of a round number of km, about a sixth of the map's width, in its lower left,
    with its length written above it."""
    from matplotlib.patches import Rectangle

    km_per_cell = cell_km * g.block
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()  # (rows run downwards: bottom is the larger)
    width, height = abs(right - left), abs(bottom - top)
    want = width * km_per_cell / 6
    km = min(_SCALE_KM, key=lambda k: abs(k - want))
    x = min(left, right) + 0.03 * width
    y = max(bottom, top) - 0.04 * height
    thick = 0.008 * height
    ax.add_patch(Rectangle((x, y - thick), km / km_per_cell, thick, color="#111827", lw=0))
    ax.text(x, y - 2 * thick, f"{km:,} km", fontsize=8, ha="left", va="bottom", in_layout=False)

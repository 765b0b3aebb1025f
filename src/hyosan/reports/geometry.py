"""Where each place is drawn: grid cells for grids and lattices, panels of points for the rest.

Grids bigger than the report can carry are drawn in blocks of k × k cells (their counts summed).
Named places with coordinates (regions, rooms) are points; rooms on several floors get one panel
per floor, each sized to its own rooms (a roof of one big room and a stairwell is a small
panel, not an empty box the size of the floors below), all at one scale and placed where they
lie along the building, so the floors line up; the ground floor's places outside the
building's footprint (the yard, the gym, the road out) get a panel of their own. Far-flung
places are pulled in on a logarithmic scale, so that one distant exit does not shrink the rest
to a dot; the report says so. Rooms with an area are drawn to scale as rectangles of that area
around their position (corridors long and thin), shrunk only where they would overlap.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.results.arrow import numbers

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["GridGeometry", "Panel", "PointGeometry", "geometry_of"]

#: Most cells a report draws; bigger grids are drawn in blocks (256 × 256 fits exactly).
MAX_CELLS = 65_536
#: Most points a report draws; the most populous are kept.
MAX_POINTS = 20_000
#: Place kinds that are outside the building whatever their coordinates.
_OUTSIDE_KINDS = frozenset({"outside", "exit"})


@dataclass(frozen=True)
class GridGeometry:
    """Places on a grid of rows × cols cells (after blocking).

    Attributes
    ----------
    rows, cols
        Size of the drawn grid.
    block
        Side of the square of original cells each drawn cell sums (1: none).
    cell
        For each drawn place, its flat index `row * cols + col` in the drawn grid.
    group
        For each original place (table row), the drawn place it belongs to.
    """

    rows: int
    cols: int
    block: int
    cell: np.ndarray
    group: np.ndarray

    @property
    def n_drawn(self) -> int:
        """How many places are drawn."""
        return int(self.cell.size)


@dataclass(frozen=True)
class Panel:
    """One drawing area: a floor, the grounds, or the whole map.

    Floors share one scale: each is drawn `share` of the width the widest span of the floors
    takes, `offset` (of that width) from its west end, so that a room is drawn above the room
    below it. Other panels fill their place (share 1, offset 0).
    """

    title: str
    aspect: float  # width / height
    scaled: bool  # some places pulled in, not to scale
    share: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class PointGeometry:
    """Places drawn as points in panels.

    Attributes
    ----------
    panels
        The drawing areas, in the order shown (top floor first).
    keep
        The table rows drawn (all of them unless there were more than MAX_POINTS).
    panel
        For each drawn place, its panel.
    u, v
        For each drawn place, its position in its panel, 0 to 1 (v upwards).
    size
        For each panel, the half-width of a place's marker in panel units (of the width).
    labels
        For each drawn place, its name (or its number).
    w, h
        For each drawn place, its rectangle's width (in units of its panel's width) and height
        (in units of its panel's height): to scale where places have areas, else a square of
        twice the panel's marker size.
    """

    panels: list[Panel]
    keep: np.ndarray
    panel: np.ndarray
    u: np.ndarray
    v: np.ndarray
    size: list[float]
    labels: list[str]
    w: np.ndarray
    h: np.ndarray

    @property
    def n_drawn(self) -> int:
        """How many places are drawn."""
        return int(self.keep.size)

    def numbers(self) -> np.ndarray:
        """Each drawn place's number, 1 to n, panel by panel in the order shown: the number a
        room too small for its name is drawn with, in first-zombie.png and in the report's
        map alike (each had its own, 1-65 and 1-29, for Hyosan High's rooms), whichever
        rooms either keys."""
        order = np.lexsort((np.arange(self.panel.size), self.panel))
        out = np.empty(self.panel.size, dtype=np.int64)
        out[order] = np.arange(1, self.panel.size + 1)
        return out


def geometry_of(
    places: pa.Table, rooms: dict[str, tuple[int, str, float]] | None = None
) -> GridGeometry | PointGeometry | None:
    """How to draw a places table; None if its places have no position (a network)."""
    names = set(places.column_names)
    if {"row", "col"} <= names:
        return _grid(places)
    if {"x", "y"} <= names:
        return _points(places, rooms or {})
    return None


# --- grids --------------------------------------------------------------------------------------


def _grid(places: pa.Table) -> GridGeometry:
    row = numbers(places.column("row")).astype(np.int64)
    col = numbers(places.column("col")).astype(np.int64)
    meta = places.schema.metadata or {}
    if b"shape" in meta:
        rows, cols = (int(v) for v in json.loads(meta[b"shape"]))
    else:
        rows = int(row.max()) + 1 if row.size else 1
        cols = int(col.max()) + 1 if col.size else 1
    block = 1
    if rows * cols > MAX_CELLS:
        block = math.ceil(math.sqrt(rows * cols / MAX_CELLS))
        # Rounding can leave the blocked grid a little over the cap: grow the block until it fits.
        while math.ceil(rows / block) * math.ceil(cols / block) > MAX_CELLS:
            block += 1
    brows, bcols = math.ceil(rows / block), math.ceil(cols / block)
    flat = (row // block) * bcols + (col // block)
    cell, group = np.unique(flat, return_inverse=True)
    return GridGeometry(
        rows=brows, cols=bcols, block=block, cell=cell, group=group.reshape(-1).astype(np.int64)
    )


# --- points -------------------------------------------------------------------------------------


def _points(places: pa.Table, rooms: dict[str, tuple[int, str, float]]) -> PointGeometry:
    n = places.num_rows
    keep = np.arange(n)
    if n > MAX_POINTS:
        weight = _population(places)
        keep = np.sort(np.argsort(-weight, kind="stable")[:MAX_POINTS])
    x = numbers(places.column("x")).astype(np.float64)[keep]
    y = numbers(places.column("y")).astype(np.float64)[keep]
    x = np.nan_to_num(x)
    y = np.nan_to_num(y)
    if "name" in places.column_names:
        all_names = places.column("name").to_pylist()
        labels = [str(all_names[i]) for i in keep]
    else:
        labels = [f"place {i}" for i in keep]
    floors, kinds = _floors_and_kinds(places, rooms, keep, labels)
    areas = _areas(places, rooms, keep, labels)

    panel_of, titles, groups = _assign_panels(x, y, floors, kinds)
    is_floor = [t.startswith("floor ") for t in titles]
    u = np.zeros(keep.size)
    v = np.zeros(keep.size)
    px, py = x.copy(), y.copy()
    wm, hm = _room_shapes(x, y, areas, kinds, floors)
    # Far places pulled in over all the floors together (a floor of a few rooms has no
    # outliers of its own), then each panel's box around its own places and their rectangles.
    floor_members = [m for m, f in zip(groups, is_floor, strict=True) if f]
    shared = np.concatenate(floor_members) if floor_members else np.zeros(0, dtype=np.int64)
    floors_scaled = False
    if shared.size:
        px[shared], sx = _pull_in(x[shared])
        py[shared], sy = _pull_in(y[shared])
        floors_scaled = bool(sx or sy)
    boxes: list[tuple[float, float, float, float]] = []
    scaled: list[bool] = []
    for members, floor in zip(groups, is_floor, strict=True):
        if floor:
            scaled.append(floors_scaled)
        else:
            px[members], sx = _pull_in(x[members])
            py[members], sy = _pull_in(y[members])
            scaled.append(bool(sx or sy))
        boxes.append(_box(px[members], py[members], wm[members], hm[members]))
    panels = _panels(titles, boxes, scaled, is_floor)
    for p, members in enumerate(groups):
        lo_x, hi_x, lo_y, hi_y = boxes[p]
        u[members] = (px[members] - lo_x) / (hi_x - lo_x)
        v[members] = (py[members] - lo_y) / (hi_y - lo_y)
    sizes: list[float] = []
    rw = np.zeros(keep.size)
    rh = np.zeros(keep.size)
    for p, members in enumerate(groups):
        _spread_duplicates(u, v, members, panels[p].aspect)
        sizes.append(_marker_size(u[members], v[members], panels[p].aspect))
        lo_x, hi_x, lo_y, hi_y = boxes[p]
        # A floor's box holds its rooms' rectangles whole: none needs capping unless places
        # were pulled in from afar.
        cap = MAX_SHARE if scaled[p] or not is_floor[p] else 1.0
        cw, ch = _fit_rectangles(
            px[members], py[members], wm[members], hm[members], (hi_x - lo_x, hi_y - lo_y), cap
        )
        rw[members] = cw / (hi_x - lo_x)
        rh[members] = ch / (hi_y - lo_y)
    # One marker size on every floor (they share a scale): the smallest of the floors', in
    # metres, then in each floor's own width.
    widths = [hi_x - lo_x for lo_x, hi_x, _, _ in boxes]
    floor_m = [s * w for s, w, f in zip(sizes, widths, is_floor, strict=True) if f]
    if floor_m:
        sizes = [
            min(floor_m) / w if f else s for s, w, f in zip(sizes, widths, is_floor, strict=True)
        ]
    for p, members in enumerate(groups):
        # Places without an area: a square marker of the panel's size, kept apart from the
        # rest (two districts a kilometre apart) and inside the panel.
        aspect = panels[p].aspect
        bare = members[~np.isfinite(areas[members])]
        rw[bare] = 2 * sizes[p]
        rh[bare] = 2 * sizes[p] * aspect
        if bare.size:
            fw, fh = _fit_rectangles(
                u[members], v[members] / aspect, rw[members], rh[members] / aspect, (1.0, 1.0)
            )
            rw[members], rh[members] = fw, fh * aspect
        u[members] = np.clip(u[members], rw[members] / 2, 1 - rw[members] / 2)
        v[members] = np.clip(v[members], rh[members] / 2, 1 - rh[members] / 2)
    return PointGeometry(
        panels=panels,
        keep=keep,
        panel=panel_of,
        u=u,
        v=v,
        size=sizes,
        labels=labels,
        w=rw,
        h=rh,
    )


def _panels(
    titles: list[str],
    boxes: list[tuple[float, float, float, float]],
    scaled: list[bool],
    is_floor: list[bool],
) -> list[Panel]:
    """The panels of their boxes: floors at one scale, placed along the building's span."""
    floors = [b for b, f in zip(boxes, is_floor, strict=True) if f]
    span_lo = min((b[0] for b in floors), default=0.0)
    span = max((b[1] for b in floors), default=1.0) - span_lo
    out = []
    for title, (lo_x, hi_x, lo_y, hi_y), sc, floor in zip(
        titles, boxes, scaled, is_floor, strict=True
    ):
        width, height = hi_x - lo_x, hi_y - lo_y
        share, offset = (width / span, (lo_x - span_lo) / span) if floor else (1.0, 0.0)
        out.append(Panel(title, width / height, sc, share=share, offset=offset))
    return out


def _population(places: pa.Table) -> np.ndarray:
    if "population" in places.column_names:
        return numbers(places.column("population")).astype(np.float64)
    return np.zeros(places.num_rows)


def _floors_and_kinds(
    places: pa.Table, rooms: dict[str, tuple[int, str, float]], keep: np.ndarray, labels: list[str]
) -> tuple[np.ndarray | None, list[str]]:
    cols = places.column_names
    floors: np.ndarray | None = None
    if "floor" in cols:
        floors = numbers(places.column("floor"))[keep].astype(np.int64)
    elif rooms and all(name in rooms for name in labels):
        floors = np.array([rooms[name][0] for name in labels], dtype=np.int64)
    if "kind" in cols:
        all_kinds = places.column("kind").to_pylist()
        kinds = [str(all_kinds[i] or "") for i in keep]
    else:
        kinds = [rooms[name][1] if name in rooms else "" for name in labels]
    return floors, kinds


def _assign_panels(
    x: np.ndarray, y: np.ndarray, floors: np.ndarray | None, kinds: list[str]
) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
    """Panel of each place, the panels' titles and members, top floor first."""
    n = x.size
    if floors is None or np.unique(floors).size < 2:
        return np.zeros(n, dtype=np.int64), ["map"], [np.arange(n)]
    outside = np.array([k in _OUTSIDE_KINDS for k in kinds], dtype=bool)
    lowest = int(floors.min())
    upper = (floors > lowest) & ~outside
    if upper.any():
        # The building's footprint: the box of the upper floors, with a margin.
        x0, x1 = x[upper].min(), x[upper].max()
        y0, y1 = y[upper].min(), y[upper].max()
        mx = 0.1 * (x1 - x0) + 2.0
        my = 0.1 * (y1 - y0) + 2.0
        beyond = (x < x0 - mx) | (x > x1 + mx) | (y < y0 - my) | (y > y1 + my)
        outside |= (floors == lowest) & beyond
    panel_of = np.zeros(n, dtype=np.int64)
    titles: list[str] = []
    groups: list[np.ndarray] = []
    for f in sorted({int(v) for v in floors[~outside]}, reverse=True):
        members = np.flatnonzero((floors == f) & ~outside)
        panel_of[members] = len(titles)
        titles.append(f"floor {f}")
        groups.append(members)
    if outside.any():
        members = np.flatnonzero(outside)
        panel_of[members] = len(titles)
        titles.append("grounds")
        groups.append(members)
    return panel_of, titles, groups


def _pull_in(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Values with far outliers pulled in; whether any were.

    Beyond the usual fences (1.5 interquartile ranges out), a place's distance is squashed to
    at most 4 more interquartile ranges, on a log-like scale that keeps the order of places.
    """
    if values.size < 4:
        return values.copy(), False
    q1, q3 = np.percentile(values, [25, 75])
    spread = float(q3 - q1)
    if spread <= 0:  # most places at one spot: fall back on the spread of them all
        spread = float(np.std(values)) or 1.0
    lo, hi = q1 - 1.5 * spread, q3 + 1.5 * spread
    out = values.copy()
    above, below = values > hi, values < lo
    for mask, edge, sign in ((above, hi, 1.0), (below, lo, -1.0)):
        reach = np.log1p(np.abs(values[mask] - edge) / spread)
        out[mask] = edge + sign * spread * reach / (1.0 + reach / 4.0)
    return out, bool(above.any() or below.any())


def _box(
    x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, h: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """A padded box around the points (and their rectangles), with an aspect between 1/4 and 6."""
    half_w = (np.zeros_like(x) if w is None else np.nan_to_num(w)) / 2
    half_h = (np.zeros_like(y) if h is None else np.nan_to_num(h)) / 2
    lo_x, hi_x = float((x - half_w).min()), float((x + half_w).max())
    lo_y, hi_y = float((y - half_h).min()), float((y + half_h).max())
    width, height = max(hi_x - lo_x, 1e-9), max(hi_y - lo_y, 1e-9)
    if width < 1e-6 and height < 1e-6:
        width = height = 1.0
    width, height = max(width, height / 4), max(height, width / 6)
    cx, cy = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
    # A margin of 8 % each side, so markers and labels at the edge stay inside.
    width, height = width * 1.16, height * 1.16
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def _spread_duplicates(u: np.ndarray, v: np.ndarray, members: np.ndarray, aspect: float) -> None:
    """Places at the same spot (rooms above each other) set side by side."""
    if members.size < 2:
        return
    key = np.round(u[members] * 400).astype(np.int64) * 1000 + np.round(v[members] * 400)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    if counts.max() < 2:
        return
    step = 0.02
    for g in np.flatnonzero(counts > 1):
        same = members[np.flatnonzero(inverse.reshape(-1) == g)]
        offsets = (np.arange(same.size) - (same.size - 1) / 2) * step
        u[same] = np.clip(u[same] + offsets, 0.0, 1.0)
        v[same] = np.clip(v[same] + offsets * aspect * 0.5, 0.0, 1.0)


def _marker_size(u: np.ndarray, v: np.ndarray, aspect: float) -> float:
    """Half-width of a marker: about a third of the typical distance to a neighbour."""
    if u.size < 2:
        return 0.05
    pts = np.column_stack([u, v / aspect])  # in units of the panel's width
    nearest = _nearest_distance(pts)
    typical = float(np.median(nearest[nearest > 0])) if np.any(nearest > 0) else 0.05
    return float(np.clip(0.36 * typical, 0.004, 0.05))


#: Up to this many points, distances are taken all pairs at once (a building's rooms): cheaper
#: than importing scipy.spatial into `hyosan run` for them.
_PAIRWISE_MAX = 1500


def _nearest_distance(pts: np.ndarray) -> np.ndarray:
    """Each point's distance to its nearest other point (0 where two coincide)."""
    if pts.shape[0] <= _PAIRWISE_MAX:
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(d, np.inf)
        return d.min(axis=1)
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(pts).query(pts, k=2)
    return dist[:, 1]


# --- rooms to scale -----------------------------------------------------------------------------

#: Length over width of a corridor segment: long and thin, along its neighbours.
_CORRIDOR_ASPECT = 3.3
#: A room whose centre lies in a room this many times bigger is drawn on top of it (a stairwell
#: on the roof), rather than both being shrunk.
_CONTAINED = 10.0
#: Most of its panel's width (or height) one place's rectangle covers.
MAX_SHARE = 0.35


def _areas(
    places: pa.Table,
    rooms: dict[str, tuple[int, str, float]],
    keep: np.ndarray,
    labels: list[str],
) -> np.ndarray:
    """Each drawn place's area in m² (NaN where unknown: drawn as a marker, not to scale)."""
    if "area" in places.column_names:
        area = numbers(places.column("area")).astype(np.float64)[keep]
        return np.where(area > 0, area, np.nan)
    return np.array(
        [rooms[n][2] if n in rooms and len(rooms[n]) > 2 else np.nan for n in labels],
        dtype=np.float64,
    )


def _room_shapes(
    x: np.ndarray, y: np.ndarray, areas: np.ndarray, kinds: list[str], floors: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Width and height (m) of each place's rectangle of its area: corridors long along their
    nearest corridor on the same floor, the rest square. NaN where the area is unknown."""
    side = np.sqrt(areas)
    w, h = side.copy(), side.copy()
    corridor = np.array([k == "corridor" for k in kinds], dtype=bool) & np.isfinite(areas)
    roof = np.array([k == "roof" for k in kinds], dtype=bool) & np.isfinite(areas)
    if roof.any() and floors is not None:
        # A roof covers the floors below: the shape of their footprint, at the roof's area.
        below = ~roof & (floors > floors.min()) & np.isfinite(areas)
        if below.any():
            fw = float(np.ptp(x[below])) + float(np.nanmax(w[below]))
            fh = float(np.ptp(y[below])) + float(np.nanmax(h[below]))
            ratio = fw / max(fh, 1e-9)
            w[roof] = np.sqrt(areas[roof] * ratio)
            h[roof] = np.sqrt(areas[roof] / ratio)
    for i in np.flatnonzero(corridor):
        same = corridor.copy()
        same[i] = False
        if floors is not None:
            same &= floors == floors[i]
        along_x = True
        if same.any():
            j = np.flatnonzero(same)[np.argmin(np.hypot(x[same] - x[i], y[same] - y[i]))]
            along_x = abs(x[j] - x[i]) >= abs(y[j] - y[i])
        long, short = side[i] * np.sqrt(_CORRIDOR_ASPECT), side[i] / np.sqrt(_CORRIDOR_ASPECT)
        w[i], h[i] = (long, short) if along_x else (short, long)
    return w, h


def _fit_rectangles(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    h: np.ndarray,
    outer: tuple[float, float],
    cap: float = MAX_SHARE,
) -> tuple[np.ndarray, np.ndarray]:
    """Rectangles (centre x, y; size w × h) shrunk, each keeping its shape, until no two
    overlap, and none wider or taller than `cap` of the panel (the fields far away).

    Each rectangle shrinks by the least factor that separates it from every rectangle it
    overlaps, along the axis where that costs least: one pass then leaves no overlaps, since
    both of a pair shrink at least that much. Rectangles contained in a much bigger one stay.
    """
    w, h = w.copy(), h.copy()
    ok = np.isfinite(w) & np.isfinite(h)
    # Places pulled in from afar keep their size's order without covering the rest.
    scale = np.minimum(
        1.0,
        np.minimum(cap * outer[0] / np.where(ok, w, 1), cap * outer[1] / np.where(ok, h, 1)),
    )
    w[ok] *= scale[ok]
    h[ok] *= scale[ok]
    idx = np.flatnonzero(ok)
    if idx.size < 2:
        return w, h
    X, Y, W, H = x[idx], y[idx], w[idx], h[idx]
    dx = np.abs(X[:, None] - X[None, :])
    dy = np.abs(Y[:, None] - Y[None, :])
    sw = (W[:, None] + W[None, :]) / 2
    sh = (H[:, None] + H[None, :]) / 2
    overlap = (dx < sw) & (dy < sh)
    np.fill_diagonal(overlap, False)
    area = W * H
    big = area[:, None] > _CONTAINED * area[None, :]
    inside = (dx <= W[:, None] / 2) & (dy <= H[:, None] / 2)
    contained = (big & inside) | (big & inside).T
    overlap &= ~contained
    # The factor that just separates a pair: along x or along y, whichever is larger (the
    # smaller shrink); at least 0.15, so that rooms at one spot stay visible.
    need = np.maximum(dx / sw, dy / sh)
    need = np.clip(need, 0.15, 1.0)
    factor = np.where(overlap, need, 1.0).min(axis=1)
    w[idx] = W * factor
    h[idx] = H * factor
    return w, h

"""Where a floor plan's room labels go, and in what colour, so that each can be read.

A room's label sits at its middle where it fits in the room and covers no other label. A
label that does not (a number keyed under the map, for a room too small for it) goes beside
its room, at the first of a few places around it that covers no label and no room, on a white
ground with a leader line back to it; a label that finds no such place stays in the middle,
smaller, on white. Every label stays inside its panel.
A label on its room takes the colour that reads best on the room's colour (dark on light,
white on dark), which changes with what the map shows: see `text_colour`.

Everything is in the panel's axis units (equal in x and y) and deterministic: the pictures
are compared byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Placed", "place_labels", "text_colour"]

#: The colour of a room's whole name, and of a number keyed under the map, on a light ground.
NAME_COLOUR = "#111827"
NUMBER_COLOUR = "#1d4ed8"
#: The colour of either on a dark ground.
LIGHT_COLOUR = "#ffffff"
#: The least contrast (WCAG's ratio) at which a number keeps its blue; under it, it takes
#: dark or white like a name. Large-text contrast: the numbers are short.
NUMBER_CONTRAST = 3.0


#: The gap between a label and its panel's frame, in labels' heights.
FRAME_GAP = 0.2


@dataclass(frozen=True)
class Placed:
    """Where one label goes: its middle, whether it is off its room's colour (then it gets a
    white ground, and a leader line if it left the room's middle), and its font size's factor
    (1, or less if crowded)."""

    x: float
    y: float
    moved: bool
    scale: float = 1.0


def place_labels(
    rooms: np.ndarray,
    sizes: np.ndarray,
    fits: np.ndarray,
    bounds: tuple[float, float, float, float],
) -> list[Placed]:
    """Places for the labels of rooms `rooms` (rows of x0, y0, w, h), each `sizes` (rows of
    width, height) big; `fits` says which fit inside their rooms (whole names, never moved);
    `bounds` (x0, y0, x1, y1) is the panel, which every label stays inside.

    Labels that fit go first, then the others from the biggest room to the smallest: a big
    room keeps its label in its middle, a small one's moves if it must.
    """
    n = len(rooms)
    if n:
        # Clear of the panel's frame line by a little: "11" and "15" sat on floor 4's.
        pad = FRAME_GAP * float(np.max(sizes[:, 1]))
        bx0, by0, bx1, by1 = bounds
        bounds = (bx0 + pad, by0 + pad, bx1 - pad, by1 - pad)
    taken: list[np.ndarray] = []
    out: list[Placed | None] = [None] * n
    area = rooms[:, 2] * rooms[:, 3] if n else np.zeros(0)
    order = sorted(range(n), key=lambda k: (not fits[k], -area[k], k))
    for k in order:
        x0, y0, w, h = rooms[k]
        tw, th = sizes[k]
        middle = _inside((x0 + w / 2, y0 + h / 2), tw, th, bounds)
        if fits[k]:
            out[k] = Placed(*middle, moved=False)
            taken.append(_box(middle, tw, th))
            continue
        # (The height allows for a line's leading: digits fill about half of it.)
        within = tw <= w and 0.6 * th <= h
        spot = _free_spot(k, middle if within else None, rooms, tw, th, taken, bounds)
        if spot is None:  # crowded all round: in the middle, smaller
            out[k] = Placed(*middle, moved=not within, scale=0.8)
            taken.append(_box(middle, 0.8 * tw, 0.8 * th))
        else:
            out[k] = Placed(*spot, moved=spot != middle or not within)
            taken.append(_box(spot, tw, th))
    return [p for p in out if p is not None]


def _free_spot(
    k: int,
    middle: tuple[float, float] | None,
    rooms: np.ndarray,
    tw: float,
    th: float,
    taken: list[np.ndarray],
    bounds: tuple[float, float, float, float],
) -> tuple[float, float] | None:
    """The first place for room k's label, its `middle` (if given: the label fits there) or
    one beside the room, that covers no label and (but for the middle, over its own room) no
    room; else the first beside it that covers no label; else None."""
    x0, y0, w, h = rooms[k]
    cx, cy = x0 + w / 2, y0 + h / 2
    gap = 0.3 * th
    up, down = y0 + h + gap + th / 2, y0 - gap - th / 2
    right, left = x0 + w + gap + tw / 2, x0 - gap - tw / 2
    beside = [
        _inside(p, tw, th, bounds)
        for p in (
            (cx, up),
            (cx, down),
            (right, cy),
            (left, cy),
            (right, up),
            (left, up),
            (right, down),
            (left, down),
        )
    ]
    spots = beside if middle is None else [middle, *beside]
    others = np.delete(rooms, k, axis=0)
    clear = [
        p
        for p in spots
        if not any(_overlaps(_box(p, tw, th), t) for t in taken)
        and not any(_overlaps(_box(p, tw, th), _room_box(r)) for r in others)
    ]
    if clear:
        return clear[0]
    no_label = [p for p in beside if not any(_overlaps(_box(p, tw, th), t) for t in taken)]
    return no_label[0] if no_label else None


def _inside(
    p: tuple[float, float], tw: float, th: float, bounds: tuple[float, float, float, float]
) -> tuple[float, float]:
    """A label's middle moved so that the label lies inside the panel (if it can)."""
    bx0, by0, bx1, by1 = bounds
    x = float(np.clip(p[0], bx0 + tw / 2, max(bx1 - tw / 2, bx0 + tw / 2)))
    y = float(np.clip(p[1], by0 + th / 2, max(by1 - th / 2, by0 + th / 2)))
    return x, y


def _box(p: tuple[float, float], tw: float, th: float) -> np.ndarray:
    return np.array([p[0] - tw / 2, p[1] - th / 2, p[0] + tw / 2, p[1] + th / 2])


def _room_box(room: np.ndarray) -> np.ndarray:
    x0, y0, w, h = room
    return np.array([x0, y0, x0 + w, y0 + h])


def _overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _luminance(rgb: np.ndarray) -> float:
    """WCAG's relative luminance of an sRGB colour (0 to 1 each)."""
    c = np.asarray(rgb, dtype=np.float64)[:3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _hex_luminance(hex_colour: str) -> float:
    from hyosan.reports.colours import rgb

    return _luminance(np.array(rgb(hex_colour)))


def text_colour(ground: np.ndarray, *, number: bool) -> str:
    """The colour of a label on a room of colour `ground` (RGB, 0 to 1): a number's blue where
    it reads (`NUMBER_CONTRAST`), else dark or white, whichever stands out more."""
    lum = _luminance(ground)
    if number and _contrast(lum, _hex_luminance(NUMBER_COLOUR)) >= NUMBER_CONTRAST:
        return NUMBER_COLOUR
    dark = _contrast(lum, _hex_luminance(NAME_COLOUR))
    light = _contrast(lum, _hex_luminance(LIGHT_COLOUR))
    return NAME_COLOUR if dark >= light else LIGHT_COLOUR

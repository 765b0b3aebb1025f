"""One colour per state, and the colour of a place from its mix of states.

The viewer (viewer.js) mixes colours the same way, so the GIF and the page agree.
"""

from __future__ import annotations

import numpy as np

__all__ = ["POINT_COLOURS", "STATE_COLOURS", "mix_colours"]

#: Colour of each state of hyosan's vocabulary (hex), chosen to read apart on dark and light.
STATE_COLOURS: dict[str, str] = {
    "human": "#3b82f6",
    "bitten": "#f59e0b",
    "zombie": "#dc2626",
    "hybrid": "#a855f7",
    "removed": "#6b7280",
    "quarantined": "#92400e",
    "safe": "#10b981",
    "other": "#94a3b8",
}

#: Colours of the points of an ensemble drawn together (a comparison's scenarios, a sweep's
#: first, middle and last), in order; a single point is drawn in its states' colours.
POINT_COLOURS = ("#1f4e8c", "#b45309", "#047857")

#: How much each state weighs in a place's colour: the dead count for less than the living.
STATE_WEIGHTS: dict[str, float] = {"removed": 0.25, "safe": 0.5}

#: The colour of a place with nobody in it.
EMPTY = (0.93, 0.93, 0.93)


def rgb(hex_colour: str) -> tuple[float, float, float]:
    """A "#rrggbb" colour as three floats from 0 to 1."""
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def mix_colours(counts: np.ndarray, states: list[str], top: float | None = None) -> np.ndarray:
    """RGB (0 to 1) of each place from its counts, shape (compartments, places) → (places, 3).

    The colour is the states' colours weighted by head count (see STATE_WEIGHTS), faded towards
    the empty colour for places with few people compared with the fullest place.
    """
    palette = np.array([rgb(STATE_COLOURS.get(s, STATE_COLOURS["other"])) for s in states])
    weights = np.array([STATE_WEIGHTS.get(s, 1.0) for s in states])[:, None]
    w = np.clip(counts, 0, None) * weights
    total = w.sum(axis=0)
    mixed = np.divide(
        (w.T @ palette),
        total[:, None],
        out=np.tile(np.array(EMPTY), (counts.shape[1], 1)),
        where=total[:, None] > 0,
    )
    people = np.clip(counts, 0, None).sum(axis=0)
    if top is None:
        top = float(people.max()) if people.size else 0.0
    strength = np.log1p(people) / np.log1p(top) if top > 0 else np.zeros_like(people)
    alpha = np.where(people > 0, 0.35 + 0.65 * strength, 0.0)[:, None]
    return alpha * mixed + (1 - alpha) * np.array(EMPTY)

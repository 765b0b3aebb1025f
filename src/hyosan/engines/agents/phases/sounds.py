"""Sounds zombies hear: adding one, and how loud one is from another room."""

from __future__ import annotations

import math

from hyosan.engines.agents.phases.jit import compiled, inlined
from hyosan.engines.agents.state import Rooms, Sounds

__all__ = ["add_sound", "heard"]


@compiled
def add_sound(sounds: Sounds, room: int, radius: float, ends: float) -> None:
    """A sound at `room` carrying `radius` metres until `ends`, in the slot that ends first."""
    j = 0
    for k in range(sounds.room.size):
        if sounds.ends[k] < sounds.ends[j]:
            j = k
    sounds.room[j] = room
    sounds.radius[j] = radius
    sounds.ends[j] = ends


@inlined
def heard(rooms: Rooms, floor_loss: float, a: int, b: int) -> float:
    """The metres of reach a sound loses from room b to room a.

    Sound carries along a floor; each floor between costs `floor_loss` metres of reach.
    """
    dx = rooms.x[a] - rooms.x[b]
    dy = rooms.y[a] - rooms.y[b]
    return math.sqrt(dx**2 + dy**2) + abs(rooms.floor[a] - rooms.floor[b]) * floor_loss

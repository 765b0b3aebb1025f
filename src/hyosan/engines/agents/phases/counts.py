"""Changing a person's state, with the counts per state kept true."""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.phases.jit import compiled

__all__ = ["set_state"]


@compiled
def set_state(state: np.ndarray, by_state: np.ndarray, i: int, new: int) -> None:
    """Person i is now in state `new`."""
    by_state[state[i]] -= 1
    state[i] = new
    by_state[new] += 1

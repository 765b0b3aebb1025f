"""Changing a person's state, with the counts per state kept true."""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.phases.jit import inlined

__all__ = ["set_state"]


# Pasted into its callers: compiled on its own it was compiled once per type of `i` and value
# of `new` at the call sites (8 times, a second of a cold start), for three lines.
@inlined
def set_state(state: np.ndarray, by_state: np.ndarray, i: int, new: int) -> None:
    """Person i is now in state `new`."""
    by_state[state[i]] -= 1
    state[i] = new
    by_state[new] += 1

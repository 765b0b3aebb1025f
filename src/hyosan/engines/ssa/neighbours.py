"""Neighbours and neighbour sums computed on a lattice, instead of read from memory.

On an unweighted lattice that is not periodic (lists.py's `Lists.computed`), place r's
neighbours are r - columns, r - 1, r + 1 and r + columns, those on the lattice, in that order,
which is the order of the world's CSR arrays (graph.py sorts each place's edges). Its neighbour
sum of a compartment is then the sum of those places' counts: an integer, which a float64 holds
exactly, so it equals to the last bit the sum the kernel otherwise keeps in `Places.nbs` by
adding each change (also of integers). Computing it costs reads of counts the event's places
sit beside, where keeping it cost a write to four places at every step of a compartment that a
sum counts, the reversed CSR arrays read to find them, and 8 bytes a place.

Compiled with inline="always" (see engines/kernel.py): they run at every event.
"""

from __future__ import annotations

import numba as nb

__all__ = ["around", "nsum"]


@nb.njit(cache=True, nogil=True, inline="always")
def around(lists, r):  # type: ignore[no-untyped-def]
    """Place r's neighbours on the lattice (up, left, right, down: increasing), -1 off it.
    (r + 0.5) / columns is never within round-off of an integer, so the row is exact."""
    rows, cols = lists.lattice[0], lists.lattice[1]
    row = int((r + 0.5) * lists.inv_cols)
    col = r - row * cols
    return (
        r - cols if row > 0 else -1,
        r - 1 if col > 0 else -1,
        r + 1 if col < cols - 1 else -1,
        r + cols if row < rows - 1 else -1,
    )


@nb.njit(cache=True, nogil=True, inline="always")
def nsum(ch, pl, lists, r, col):  # type: ignore[no-untyped-def]
    """Place r's neighbour sum of column col: Σ over its edges of the weight × the count of
    the column's compartment at the other end."""
    if not lists.computed:
        return pl.nbs[r, col]
    c = ch.b_comp[col]
    up, left, right, down = around(lists, r)
    s = 0.0
    if up >= 0:
        s += pl.x[up, c]
    if left >= 0:
        s += pl.x[left, c]
    if right >= 0:
        s += pl.x[right, c]
    if down >= 0:
        s += pl.x[down, c]
    return s

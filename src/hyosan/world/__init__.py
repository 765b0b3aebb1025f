"""Worlds: graphs of places (one well-mixed place, lattices, population grids, regions, floors).

Stored as CSR arrays so that a million places fit comfortably in memory.
"""

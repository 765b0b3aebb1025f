"""A graph of places as CSR arrays, and the builders of lattices, grids, regions and graphs.

Place i's neighbours are `indices[indptr[i]:indptr[i + 1]]`, each edge stored once per
direction. Edge weights are kept only when some differ from 1, so a lattice of a million places
costs about 24 bytes per place (indptr and four int32 neighbours).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

__all__ = [
    "World",
    "from_edges",
    "grid_world",
    "lattice",
    "random_graph",
    "single_place",
    "z_order",
]


@dataclass(frozen=True, eq=False)
class World:
    """Places and the edges between them.

    Attributes
    ----------
    indptr, indices
        CSR adjacency: int64 (n + 1,) and int32 (edges,).
    weights
        float64 (edges,) edge weights, or an empty array when every weight is 1.
    cells
        int32 (n, 2) row and column of each place on a grid or lattice, else None.
    shape
        (rows, columns) of the grid or lattice, else None.
    names
        Names of the places (regions), else None.
    coords
        float64 (n, 2) x and y of each place (regions), else None.
    population
        Head counts per place from the world itself (grids, regions), else None.
    landmarks
        Named places (a grid's cities): name -> place number.
    lattice
        (rows, columns, periodic) when the places are every cell of a lattice in row-major
        order, each joined to its four nearest neighbours, so that engines may compute
        neighbours instead of reading them; else None.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray = field(default_factory=lambda: np.empty(0))
    cells: np.ndarray | None = None
    shape: tuple[int, int] | None = None
    names: tuple[str, ...] | None = None
    coords: np.ndarray | None = None
    population: np.ndarray | None = None
    landmarks: dict[str, int] = field(default_factory=dict)
    lattice: tuple[int, int, bool] | None = None

    @property
    def n_places(self) -> int:
        """How many places the world has."""
        return int(self.indptr.size - 1)

    @property
    def n_edges(self) -> int:
        """Directed edges (each undirected edge counts twice)."""
        return int(self.indices.size)

    @property
    def weighted(self) -> bool:
        """Whether the edges carry weights (else every edge counts the same)."""
        return bool(self.weights.size)

    def degree(self) -> np.ndarray:
        """Number of neighbours of each place."""
        return np.diff(self.indptr)

    def weight_sums(self) -> np.ndarray:
        """Sum of the edge weights at each place (its degree when unweighted)."""
        if not self.weighted:
            return self.degree().astype(np.float64)
        source = np.repeat(np.arange(self.n_places), self.degree())
        return np.bincount(source, weights=self.weights, minlength=self.n_places)

    def reversed_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, weights) of the edges turned round: place i's entries are the
        places with an edge into i. The graph's own arrays when every edge goes both ways
        with the same weight."""
        n = self.n_places
        source = np.repeat(np.arange(n, dtype=np.int64), self.degree())
        target = self.indices.astype(np.int64)
        forward = source * n + target
        backward = target * n + source
        order = np.argsort(backward, kind="stable")
        same = np.array_equal(backward[order], forward)
        if same and (not self.weighted or np.array_equal(self.weights[order], self.weights)):
            return self.indptr, self.indices, self.weights
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(target, minlength=n), out=indptr[1:])
        weights = self.weights[order] if self.weighted else self.weights
        return indptr, source[order].astype(np.int32), weights

    def neighbours(self, place: int) -> np.ndarray:
        """The places next to `place` (its edges' ends)."""
        return self.indices[self.indptr[place] : self.indptr[place + 1]]

    def place_of(self, row: int, col: int) -> int:
        """The place at a grid cell, or -1 when the cell is not a place (nobody lives there)."""
        if self.cells is None or self.shape is None:
            raise ValueError("this world is not a grid")
        if not (0 <= row < self.shape[0] and 0 <= col < self.shape[1]):
            return -1
        # Places may be in any order of their cells (grid_world's `order`): a scan, for the
        # few cells a scenario names.
        flat = self.cells[:, 0].astype(np.int64) * self.shape[1] + self.cells[:, 1]
        hit = np.flatnonzero(flat == row * self.shape[1] + col)
        return int(hit[0]) if hit.size else -1

    def nbytes(self) -> int:
        """Memory held by the graph's arrays."""
        arrays = [self.indptr, self.indices, self.weights]
        arrays += [a for a in (self.cells, self.population) if a is not None]
        return sum(int(a.nbytes) for a in arrays)


def single_place() -> World:
    """One well-mixed place with no edges."""
    return World(indptr=np.zeros(2, dtype=np.int64), indices=np.empty(0, dtype=np.int32))


def _csr(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, ...]:
    order = np.argsort(src * n + dst, kind="stable")
    src, dst = src[order], dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    weights = np.empty(0) if w is None else np.asarray(w, dtype=np.float64)[order]
    return indptr, dst.astype(np.int32), weights


def z_order(rr: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """The order of cells (rows rr, columns cc) along a Z-order (Morton) curve: by the bits
    of row and column interleaved, so that cells near each other on the map come near each
    other in the order."""

    def spread(v: np.ndarray) -> np.ndarray:
        # The bits of v moved to the even positions: b_k to 2k.
        v = v.astype(np.uint64)
        out = np.zeros_like(v)
        for b in range(32):
            out |= ((v >> np.uint64(b)) & np.uint64(1)) << np.uint64(2 * b)
        return out

    return np.argsort(spread(rr) << np.uint64(1) | spread(cc), kind="stable")


def grid_world(
    mask: np.ndarray,
    *,
    periodic: bool = False,
    population: np.ndarray | None = None,
    order: Literal["rows", "z"] = "rows",
) -> World:
    """Places at the True cells of a 2-D mask, joined to their four nearest neighbours.

    Places are numbered in row-major order of their cells, or with order="z" along a Z-order
    curve (`z_order`): then the places a kernel visits together, a place and its neighbours
    or the places along a front, sit near each other in memory. On the US population grid
    that took tau's whole outbreak from 82.6 s to 73.9 s (benchmarks/README.md).
    """
    mask = np.asarray(mask, dtype=bool)
    rows, cols = mask.shape
    rr, cc = np.nonzero(mask)
    if order == "z":
        along = z_order(rr, cc)
        rr, cc = rr[along], cc[along]
    n = rr.size
    number = np.full(mask.shape, -1, dtype=np.int64)
    number[rr, cc] = np.arange(n)
    src_parts, dst_parts = [], []
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r2, c2 = rr + dr, cc + dc
        if periodic:
            r2, c2 = r2 % rows, c2 % cols
            ok = np.ones(n, dtype=bool)
        else:
            ok = (r2 >= 0) & (r2 < rows) & (c2 >= 0) & (c2 < cols)
        nb = np.full(n, -1, dtype=np.int64)
        nb[ok] = number[r2[ok], c2[ok]]
        keep = nb >= 0
        # A periodic lattice of width 1 or 2 would join a place to itself or twice to one
        # neighbour; drop self-loops (duplicates are legitimate parallel edges there).
        keep &= nb != np.arange(n)
        src_parts.append(np.nonzero(keep)[0])
        dst_parts.append(nb[keep])
    indptr, indices, weights = _csr(n, np.concatenate(src_parts), np.concatenate(dst_parts), None)
    cells = np.stack([rr, cc], axis=1).astype(np.int32)
    pop = None if population is None else np.asarray(population)[rr, cc].astype(np.int64)
    return World(indptr, indices, weights, cells=cells, shape=(rows, cols), population=pop)


def lattice(rows: int, cols: int, *, periodic: bool = False) -> World:
    """A rows × cols square lattice with nearest-neighbour edges."""
    world = grid_world(np.ones((rows, cols), dtype=bool), periodic=periodic)
    return replace(world, lattice=(rows, cols, periodic))


def from_edges(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    both_ways: bool = True,
    names: tuple[str, ...] | None = None,
    population: np.ndarray | None = None,
) -> World:
    """A world of n places from an edge list (self-loops dropped, duplicates merged)."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.ones(src.size) if weights is None else np.asarray(weights, dtype=np.float64)
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError(f"an edge names a place outside 0..{n - 1}")
    if both_ways:
        src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
    keep = src != dst
    src, dst, w = src[keep], dst[keep], w[keep]
    # Merge parallel edges by adding their weights.
    key = src * n + dst
    order = np.argsort(key)
    key, w = key[order], w[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if key.size else key
    merged = np.add.reduceat(w, starts) if key.size else w
    key = key[starts]
    src, dst = key // n, key % n
    unit = bool(np.all(merged == 1.0))
    indptr, indices, weights_out = _csr(n, src, dst, None if unit else merged)
    return World(indptr, indices, weights_out, names=names, population=population)


def _distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort beats np.unique's hashing on millions of integers)."""
    a = np.sort(a)
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if a.size else a


def random_graph(
    n: int, mean_degree: float, rng: np.random.Generator, *, model: str = "erdos-renyi"
) -> World:
    """An Erdős–Rényi graph G(n, m) with m = n·k/2 edges, or a random k-regular multigraph
    (configuration model, self-loops and repeats dropped)."""
    if model == "erdos-renyi":
        m = min(round(n * mean_degree / 2), n * (n - 1) // 2)
        # Draw a few extra pairs, drop self-loops and repeats, then keep m of them at random.
        keys = np.empty(0, dtype=np.int64)
        while keys.size < m:
            pairs = np.sort(rng.integers(0, n, size=(int((m - keys.size) * 1.1) + 16, 2)), axis=1)
            pairs = pairs[pairs[:, 0] != pairs[:, 1]]
            keys = _distinct(np.concatenate([keys, pairs[:, 0] * n + pairs[:, 1]]))
        keys = keys[np.sort(rng.permutation(keys.size)[:m])]
        return from_edges(n, keys // n, keys % n)
    if model == "random-regular":
        k = round(mean_degree)
        stubs = rng.permutation(np.repeat(np.arange(n, dtype=np.int64), k))
        if stubs.size % 2:
            stubs = stubs[:-1]
        pairs = np.sort(stubs.reshape(-1, 2), axis=1)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        keys = _distinct(pairs[:, 0] * n + pairs[:, 1])
        return from_edges(n, keys // n, keys % n)
    raise ValueError(f"unknown random graph model {model!r}")

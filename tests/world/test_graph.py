"""The graph of places (world/graph.py): CSR structure of lattices, grids, edge lists and random
graphs.

Each test states the structural law it checks: degrees, symmetry, periodic wrap, row-major
numbering, merging of duplicate edges, and the mean degree of random graphs.
"""

from __future__ import annotations

import numpy as np
import pytest

from hyosan.world.graph import World, from_edges, grid_world, lattice, random_graph, single_place


def _dense(world: World) -> np.ndarray:
    """The adjacency matrix, each parallel edge adding its weight (1 when unweighted)."""
    n = world.n_places
    a = np.zeros((n, n))
    w = world.weights if world.weighted else np.ones(world.n_edges)
    for p in range(n):
        for e in range(world.indptr[p], world.indptr[p + 1]):
            a[p, world.indices[e]] += w[e]
    return a


def _assert_csr(world: World) -> None:
    """indptr starts at 0, rises, ends at the edge count; indices are valid place numbers."""
    assert world.indptr.dtype == np.int64
    assert world.indices.dtype == np.int32
    assert world.indptr[0] == 0
    assert np.all(np.diff(world.indptr) >= 0)
    assert world.indptr[-1] == world.n_edges
    if world.n_edges:
        assert world.indices.min() >= 0
        assert world.indices.max() < world.n_places


def test_single_place_has_no_edges() -> None:
    """One well-mixed place: one place, no edges, degree 0."""
    world = single_place()
    _assert_csr(world)
    assert world.n_places == 1
    assert world.n_edges == 0
    assert world.degree().tolist() == [0]


def test_open_lattice_degrees_and_symmetry() -> None:
    """An open rows × cols lattice: corners have 2 neighbours, sides 3, the interior 4; every
    edge is stored both ways; neighbours differ by one step in exactly one coordinate."""
    rows, cols = 4, 5
    world = lattice(rows, cols)
    _assert_csr(world)
    assert world.n_places == rows * cols
    assert world.shape == (rows, cols)
    assert not world.weighted
    r, c = world.cells[:, 0], world.cells[:, 1]
    on_row_side = (r == 0) | (r == rows - 1)
    on_col_side = (c == 0) | (c == cols - 1)
    expected = 4 - on_row_side.astype(int) - on_col_side.astype(int)
    np.testing.assert_array_equal(world.degree(), expected)
    assert world.n_edges == 2 * (rows * (cols - 1) + cols * (rows - 1))
    a = _dense(world)
    np.testing.assert_array_equal(a, a.T)
    for p in range(world.n_places):
        for q in world.neighbours(p):
            step = np.abs(world.cells[p] - world.cells[q])
            assert sorted(step.tolist()) == [0, 1]


def test_lattice_places_are_numbered_row_major() -> None:
    """Place i sits at row i // cols, column i % cols, and place_of inverts that."""
    rows, cols = 3, 7
    world = lattice(rows, cols)
    i = np.arange(rows * cols)
    np.testing.assert_array_equal(world.cells[:, 0], i // cols)
    np.testing.assert_array_equal(world.cells[:, 1], i % cols)
    for p in i:
        assert world.place_of(int(p // cols), int(p % cols)) == p


def test_periodic_lattice_wraps_around() -> None:
    """A periodic lattice: every place has 4 neighbours, and the first column meets the last,
    the first row the last."""
    rows, cols = 4, 5
    world = lattice(rows, cols, periodic=True)
    _assert_csr(world)
    np.testing.assert_array_equal(world.degree(), 4)
    a = _dense(world)
    np.testing.assert_array_equal(a, a.T)
    corner = world.place_of(0, 0)
    assert set(world.neighbours(corner).tolist()) == {
        world.place_of(0, 1),
        world.place_of(1, 0),
        world.place_of(0, cols - 1),
        world.place_of(rows - 1, 0),
    }


def test_narrow_periodic_lattice_drops_self_loops_and_keeps_parallel_edges() -> None:
    """Width 1 wraps a place onto itself (dropped); width 2 reaches one neighbour both ways round
    (kept as two parallel edges, so a walker still leaves at 4 × its rate)."""
    ring = lattice(1, 5, periodic=True)
    np.testing.assert_array_equal(ring.degree(), 2)
    for p in range(5):
        assert p not in ring.neighbours(p)
        assert set(ring.neighbours(p).tolist()) == {(p - 1) % 5, (p + 1) % 5}
    narrow = lattice(2, 3, periodic=True)
    np.testing.assert_array_equal(narrow.degree(), 4)
    a = _dense(narrow)
    np.testing.assert_array_equal(a, a.T)
    # Row 0 and row 1 are neighbours twice (up and down).
    assert a[narrow.place_of(0, 0), narrow.place_of(1, 0)] == 2


def test_grid_world_drops_empty_cells_numbers_row_major_and_keeps_population() -> None:
    """Only the True cells of the mask become places, numbered in row-major order; edges join
    4-neighbours that are both places; head counts follow their cells."""
    mask = np.array(
        [
            [True, False, True],
            [True, True, False],
            [False, True, True],
        ]
    )
    pop = np.arange(9).reshape(3, 3) * 10
    world = grid_world(mask, population=pop)
    _assert_csr(world)
    cells = [tuple(c) for c in world.cells.tolist()]
    assert cells == [(0, 0), (0, 2), (1, 0), (1, 1), (2, 1), (2, 2)]
    assert world.population.tolist() == [0, 20, 30, 40, 70, 80]
    # (0, 2) has no place among its neighbours: it is isolated.
    assert world.degree()[world.place_of(0, 2)] == 0
    assert set(world.neighbours(world.place_of(1, 1)).tolist()) == {
        world.place_of(1, 0),
        world.place_of(2, 1),
    }
    a = _dense(world)
    np.testing.assert_array_equal(a, a.T)


def test_place_of_misses() -> None:
    """place_of gives -1 for an empty cell or one off the grid, and refuses a world with no grid."""
    world = grid_world(np.array([[True, False], [True, True]]))
    assert world.place_of(0, 1) == -1
    assert world.place_of(-1, 0) == -1
    assert world.place_of(0, 2) == -1
    assert world.place_of(2, 0) == -1
    with pytest.raises(ValueError, match="not a grid"):
        from_edges(3, np.array([0]), np.array([1])).place_of(0, 0)


def test_from_edges_merges_duplicates_and_drops_self_loops() -> None:
    """Parallel edges merge into one whose weight is their sum; self-loops vanish; each edge is
    stored both ways; weights are dropped when all are 1."""
    src = np.array([0, 1, 0, 2, 2])
    dst = np.array([1, 0, 2, 2, 3])
    world = from_edges(4, src, dst)
    _assert_csr(world)
    a = _dense(world)
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 0] = 2.0  # 0-1 given twice (once each way)
    expected[0, 2] = expected[2, 0] = 1.0
    expected[2, 3] = expected[3, 2] = 1.0
    np.testing.assert_array_equal(a, expected)
    assert world.weighted  # the merged edge weighs 2
    np.testing.assert_array_equal(world.weight_sums(), expected.sum(axis=1))
    unit = from_edges(3, np.array([0, 1, 1]), np.array([1, 2, 1]))
    assert not unit.weighted
    np.testing.assert_array_equal(unit.degree(), [1, 2, 1])
    np.testing.assert_array_equal(unit.weight_sums(), [1.0, 2.0, 1.0])


def test_from_edges_one_way_and_weights() -> None:
    """With both_ways=False an edge is stored in its direction only, with its weight."""
    world = from_edges(3, np.array([0, 1]), np.array([1, 2]), np.array([0.5, 3.0]), both_ways=False)
    a = _dense(world)
    expected = np.zeros((3, 3))
    expected[0, 1], expected[1, 2] = 0.5, 3.0
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(world.degree(), [1, 1, 0])


def test_weight_sums_with_an_isolated_place_in_the_middle() -> None:
    """A weighted world whose place with no edges is not the last: its weight sum is 0."""
    world = from_edges(3, np.array([0]), np.array([2]), np.array([0.5]))
    assert world.weighted
    np.testing.assert_array_equal(world.weight_sums(), [0.5, 0.0, 0.5])


def test_weight_sums_with_the_last_place_isolated() -> None:
    """A weighted world whose last place has no outgoing edge (a one-way route, or a region with
    no route): its weight sum is 0, the others the sums of their edges."""
    world = from_edges(3, np.array([0, 1]), np.array([1, 2]), np.array([0.5, 3.0]), both_ways=False)
    np.testing.assert_array_equal(world.weight_sums(), [0.5, 3.0, 0.0])


def test_from_edges_refuses_places_out_of_range() -> None:
    """An edge naming a place outside 0..n-1 is a ValueError that says the range."""
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        from_edges(3, np.array([0]), np.array([3]))
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        from_edges(3, np.array([-1]), np.array([0]))


def test_erdos_renyi_has_exactly_m_distinct_edges() -> None:
    """G(n, m) with m = n·k/2: no self-loops, no repeats, so the mean degree is exactly k; the
    same generator state gives the same graph."""
    n, k = 2000, 6.0
    world = random_graph(n, k, np.random.default_rng(5))
    _assert_csr(world)
    assert not world.weighted  # no merged duplicates
    assert world.n_edges == round(n * k / 2) * 2
    assert world.degree().mean() == pytest.approx(k)
    for p in range(0, n, 97):
        nbs = world.neighbours(p)
        assert p not in nbs
        assert np.unique(nbs).size == nbs.size
    a = _dense(random_graph(200, 4.0, np.random.default_rng(1)))
    np.testing.assert_array_equal(a, a.T)
    again = random_graph(n, k, np.random.default_rng(5))
    np.testing.assert_array_equal(again.indptr, world.indptr)
    np.testing.assert_array_equal(again.indices, world.indices)
    # Degrees are close to Poisson(k): variance ≈ k (4 standard errors of a variance estimate).
    var = world.degree().var()
    assert abs(var - k) <= 4 * k * np.sqrt(2 / n) + 4 * np.sqrt(k / n)


def test_erdos_renyi_caps_at_the_complete_graph() -> None:
    """Asking for more edges than there are pairs gives the complete graph."""
    world = random_graph(5, 10.0, np.random.default_rng(0))
    np.testing.assert_array_equal(world.degree(), 4)


def test_random_regular_mean_degree() -> None:
    """The configuration model loses only self-loops and repeats: about (k − 1)/2 + (k − 1)²/4
    pairs out of n·k/2, so the mean degree is k minus O(1/n) and no degree exceeds k."""
    n, k = 3000, 4
    world = random_graph(n, k, np.random.default_rng(2), model="random-regular")
    _assert_csr(world)
    deg = world.degree()
    assert deg.max() <= k
    lost_pairs = (k - 1) / 2 + (k - 1) ** 2 / 4
    # Lost pairs are about Poisson: allow 4 standard deviations plus the mean.
    assert 0 <= k - deg.mean() <= 2 * (lost_pairs + 4 * np.sqrt(lost_pairs) + 1) / n
    a = _dense(random_graph(300, k, np.random.default_rng(3), model="random-regular"))
    np.testing.assert_array_equal(a, a.T)
    assert np.all(np.diag(a) == 0)


def test_random_graph_unknown_model() -> None:
    """An unknown random-graph model is a ValueError naming it."""
    with pytest.raises(ValueError, match="small-world"):
        random_graph(10, 2.0, np.random.default_rng(0), model="small-world")


def test_grid_world_in_z_order_is_the_same_grid_numbered_along_the_curve() -> None:
    """order="z": the same places, edges and head counts as row-major, renumbered so that
    each 2 x 2 block (then each 4 x 4, ...) of cells is consecutive; place_of finds each."""
    rng = np.random.default_rng(5)
    mask = rng.random((13, 21)) < 0.7
    pop = rng.integers(1, 100, size=mask.shape)
    rows = grid_world(mask, population=pop)
    z = grid_world(mask, population=pop, order="z")
    _assert_csr(z)
    # A renumbering: each z place is the row-major place at its cell, with its neighbours.
    back = np.array([rows.place_of(r, c) for r, c in z.cells.tolist()])
    assert sorted(back.tolist()) == list(range(rows.n_places))
    np.testing.assert_array_equal(z.population, rows.population[back])
    for p in range(z.n_places):
        assert sorted(back[z.neighbours(p)].tolist()) == sorted(rows.neighbours(back[p]).tolist())
        assert z.place_of(*z.cells[p].tolist()) == p
    # Along the curve: rows and columns by their bits, interleaved with the row's higher.
    key = [
        sum((((r >> b) & 1) << (2 * b + 1)) | (((c >> b) & 1) << (2 * b)) for b in range(5))
        for r, c in z.cells.tolist()
    ]
    assert key == sorted(key)
    assert z.place_of(0, 21) == -1

"""Graphs of places from networkx: a graph object from Python, GraphML, GML and edge lists."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import hyosan
from hyosan.errors import HyosanError, ScenarioError
from hyosan.world.build import build_world

SEED = [{"at": "0", "counts": {"I": 1}}]


def _scenario(edges: object, seeds: list[dict] | None = None) -> hyosan.Scenario:
    world = {"kind": "graph", "edges": edges, "fill": {"S": 1}, "seeds": seeds or SEED}
    return hyosan.load_scenario("sir").evolve(world=world, engine="ssa", initial={})


def _adjacency(scenario: hyosan.Scenario) -> np.ndarray:
    world, _ = build_world(scenario, np.random.default_rng(0))
    n = world.n_places
    a = np.zeros((n, n))
    w = world.weights if world.weighted else np.ones(world.n_edges)
    for p in range(n):
        a[p, world.indices[world.indptr[p] : world.indptr[p + 1]]] = w[
            world.indptr[p] : world.indptr[p + 1]
        ]
    return a


def _named_edges(scenario: hyosan.Scenario) -> set[tuple[str, str]]:
    world, _ = build_world(scenario, np.random.default_rng(0))
    assert world.names is not None
    return {
        (world.names[p], world.names[int(q)])
        for p in range(world.n_places)
        for q in world.indices[world.indptr[p] : world.indptr[p + 1]]
    }


def test_networkx_graph_from_python_is_the_world() -> None:
    """The places and edges are the graph's, with its weights, in its node order."""
    graph = nx.karate_club_graph()
    scen = _scenario(graph)
    assert scen.world is not None
    assert scen.world.network is not None
    expected = nx.to_numpy_array(graph, weight="weight")
    np.testing.assert_array_equal(_adjacency(scen), expected)


def test_directed_graph_keeps_its_directions() -> None:
    """A DiGraph's edges go one way only."""
    graph = nx.DiGraph([("a", "b"), ("b", "c")])
    a = _adjacency(_scenario(graph, [{"at": "a", "counts": {"I": 1}}]))
    assert a.tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_graph_reruns_from_its_run_directory(tmp_path: Path) -> None:
    """The graph is written into scenario.toml: the run directory reruns without it."""
    scen = _scenario(nx.les_miserables_graph(), [{"at": "Valjean", "counts": {"I": 3}}])
    result = hyosan.simulate(scen, seed=4)
    out = result.save(tmp_path / "run")
    again = hyosan.simulate(str(out / "scenario.toml"))
    np.testing.assert_array_equal(again.counts, result.counts)
    assert again.reaction_counts is not None


@pytest.mark.parametrize("suffix", [".graphml", ".gml", ".edgelist"])
def test_graph_files_read_by_networkx(tmp_path: Path, suffix: str) -> None:
    """GraphML, GML and edge-list files give the same world as the graph they hold (an edge
    list numbers its places in the order they first appear: compared by name)."""
    graph = nx.relabel_nodes(nx.petersen_graph(), str)
    path = tmp_path / f"net{suffix}"
    {".graphml": nx.write_graphml, ".gml": nx.write_gml}.get(
        suffix, lambda g, p: nx.write_edgelist(g, p, data=False)
    )(graph, path)
    from_file = _named_edges(_scenario(str(path)))
    assert from_file == _named_edges(_scenario(graph))
    assert len(from_file) == 2 * graph.number_of_edges()


def test_unreadable_graph_file_is_a_clear_error(tmp_path: Path) -> None:
    """A broken GraphML file: an error naming the field, the file and the format."""
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph>", encoding="utf-8")
    with pytest.raises(
        HyosanError, match=r"world\.edges: cannot read .*broken\.graphml as GraphML"
    ):
        hyosan.simulate(_scenario(str(path)))


def test_graph_needs_one_source() -> None:
    """A graph given both as random and as a network is refused, naming both."""
    with pytest.raises(ScenarioError, match="random and network"):
        hyosan.load_scenario("sir").evolve(
            world={
                "kind": "graph",
                "random": {"nodes": 10, "mean_degree": 2},
                "network": nx.path_graph(3),
                "fill": {"S": 1},
            },
            initial={},
        )


def test_a_place_number_that_is_another_nodes_name_is_refused(tmp_path: Path) -> None:
    """A whitespace edge list numbers its nodes as they first appear: in "7 3 / 3 0 / 0 1",
    place 0 is node "7". `at = 0` then seeded node "7" silently, though a node is named "0";
    it is refused with both readings, and a name in quotes decides."""
    path = tmp_path / "g.edgelist"
    path.write_text("7 3\n3 0\n0 1\n", encoding="utf-8")
    with pytest.raises(HyosanError, match=r"0 is ambiguous.*named '7'.*named '0'"):
        build_world(_scenario(str(path), [{"at": 0, "counts": {"I": 1}}]), np.random.default_rng(0))
    world, x = build_world(_scenario(str(path)), np.random.default_rng(0))
    assert world.names is not None
    assert x[world.names.index("0"), 1] == 1  # at = "0": the node named 0
    # A number that names no other node is a place number, as before.
    _, x = build_world(
        _scenario(str(path), [{"at": 2, "counts": {"I": 1}}]), np.random.default_rng(0)
    )
    assert x[2, 1] == 1

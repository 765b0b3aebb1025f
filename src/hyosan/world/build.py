"""From a scenario's `[world]` section to a World and the head counts in each place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hyosan.errors import EngineError
from hyosan.scenario.names import did_you_mean
from hyosan.world.graph import World, from_edges, grid_world, lattice, random_graph, single_place

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario
    from hyosan.scenario.world import NetworkSpec, SeedSpec, WorldSpec
    from hyosan.world.cache import WorldCache

__all__ = ["build_world", "seed_place"]


def _grid(spec: WorldSpec) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    if spec.grid is not None:
        if spec.grid != "korea":
            raise EngineError(f'world.grid: no built-in grid {spec.grid!r}; built-ins: "korea"')
        from hyosan.world.korea import korea_grid

        korea = korea_grid()
        return korea.population, dict(korea.landmarks)
    from hyosan.world.population_files import load_population_grid

    assert spec.file is not None  # the schema asks for one of grid and file
    return load_population_grid(Path(spec.file).expanduser()), {}


def _structure(spec: WorldSpec, rng: np.random.Generator) -> World:
    if spec.kind == "lattice":
        assert spec.size is not None
        return lattice(*spec.size, periodic=spec.periodic)
    if spec.kind == "grid":
        counts, landmarks = _grid(spec)
        mask = np.ones(counts.shape, dtype=bool) if spec.keep_empty else counts > 0
        # Numbered along a Z-order curve, for the kernels' memory (grid_world).
        world = grid_world(mask, periodic=spec.periodic, population=counts, order="z")
        places = {name: world.place_of(r, c) for name, (r, c) in landmarks.items()}
        return World(**{**world.__dict__, "landmarks": {k: v for k, v in places.items() if v >= 0}})
    if spec.kind == "regions":
        names = tuple(r.name for r in spec.regions)
        index = {n: i for i, n in enumerate(names)}
        src = [index[r.start] for r in spec.routes]
        dst = [index[r.end] for r in spec.routes]
        w = [r.weight for r in spec.routes]
        two_way = [r.both_ways for r in spec.routes]
        src_all = src + [d for d, b in zip(dst, two_way, strict=True) if b]
        dst_all = dst + [s for s, b in zip(src, two_way, strict=True) if b]
        w_all = w + [x for x, b in zip(w, two_way, strict=True) if b]
        world = from_edges(
            len(names),
            np.array(src_all, dtype=np.int64),
            np.array(dst_all, dtype=np.int64),
            np.array(w_all, dtype=np.float64),
            both_ways=False,
            names=names,
            population=np.array([r.population for r in spec.regions], dtype=np.int64),
        )
        return World(**{**world.__dict__, "coords": _region_coords(spec)})
    if spec.kind == "building":
        return _building(spec)
    # graph
    if spec.random is not None:
        return random_graph(
            spec.random.nodes, spec.random.mean_degree, rng, model=spec.random.model
        )
    if spec.network is not None:
        return _network(spec.network)
    assert spec.edges is not None
    path = Path(spec.edges).expanduser()
    if path.suffix.lower() != ".csv":
        return _graph_file(path)
    assert spec.nodes is not None
    from hyosan.errors import HyosanError
    from hyosan.world.edge_files import load_edge_list

    try:
        heads, tails, weights = load_edge_list(path, spec.nodes)
    except HyosanError as exc:
        raise EngineError(f"world.edges: {exc}") from None
    return from_edges(spec.nodes, heads, tails, weights)


#: Kilometres per degree of latitude (and of longitude at the equator), WGS 84's mean.
_KM_PER_DEGREE = 111.32


def _region_coords(spec: WorldSpec) -> np.ndarray:
    """The regions' x and y: as given; or, for regions placed only by lat and lon (every x
    and y left at 0), kilometres east and north of their middle (an equirectangular projection
    at their middle latitude, close enough over a country for drawing them)."""
    xy = np.array([[r.x, r.y] for r in spec.regions], dtype=np.float64)
    # (Not "which fields were set": a written scenario.toml spells out x = 0.0 and y = 0.0.)
    if np.any(xy != 0.0) or spec.regions[0].lat is None:
        return xy
    lat = np.array([float(r.lat or 0.0) for r in spec.regions])
    lon = np.array([float(r.lon or 0.0) for r in spec.regions])
    mid_lat = (lat.min() + lat.max()) / 2
    mid_lon = (lon.min() + lon.max()) / 2
    east = (lon - mid_lon) * _KM_PER_DEGREE * np.cos(np.radians(mid_lat))
    north = (lat - mid_lat) * _KM_PER_DEGREE
    return np.column_stack([east, north])


def _network(net: NetworkSpec) -> World:
    """A world from a graph given inline (a networkx graph from Python)."""
    pairs = np.array(net.edges, dtype=np.int64).reshape(-1, 2)
    weights = None if net.weights is None else np.array(net.weights, dtype=np.float64)
    return from_edges(
        len(net.nodes),
        pairs[:, 0],
        pairs[:, 1],
        weights,
        both_ways=not net.directed,
        names=net.nodes,
    )


def _graph_file(path: Path) -> World:
    """A world from GraphML, GML or a whitespace edge list, read by networkx: its nodes are the
    places (named as in the file), a `weight` on an edge its weight."""
    import networkx as nx

    from hyosan.scenario.world import NetworkSpec, network_from_graph

    readers = {
        ".graphml": (nx.read_graphml, "GraphML"),
        ".gml": (nx.read_gml, "GML"),
    }
    read, what = readers.get(
        path.suffix.lower(), (nx.read_edgelist, "an edge list (two node names a line)")
    )
    try:
        graph = read(path)
    except FileNotFoundError:
        raise EngineError(f"world.edges: {path} does not exist") from None
    except Exception as exc:  # networkx's parsers raise many kinds; all mean a bad file
        raise EngineError(
            f"world.edges: cannot read {path} as {what}: {type(exc).__name__}: {exc}"
        ) from None
    if graph.number_of_nodes() == 0:
        raise EngineError(f"world.edges: {path} has no nodes")
    try:
        spec = NetworkSpec.model_validate(network_from_graph(graph))
    except ValueError as exc:
        raise EngineError(f"world.edges: {path}: {exc}") from None
    return _network(spec)


def _building(spec: WorldSpec) -> World:
    # Rooms are places and every door, stair or window between two rooms an edge of weight 1.
    from pydantic import ValidationError

    from hyosan.scenario.agents import Building, builtin_building

    assert spec.building is not None
    try:
        plan = Building.model_validate(builtin_building(spec.building))
    except (ValueError, ValidationError) as exc:
        raise EngineError(f"world.building: {exc}") from None
    names = tuple(plan.room_names())
    index = {n: i for i, n in enumerate(names)}
    pairs = np.array([[index[a], index[b]] for a, b in (d.between for d in plan.doors)])
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    world = from_edges(len(names), pairs[:, 0], pairs[:, 1], names=names)
    coords = np.array([[r.x, r.y] for r in plan.rooms], dtype=np.float64)
    return World(**{**world.__dict__, "coords": coords})


def seed_place(world: World, at: str | int | tuple[int, int], field: str) -> int:
    """The place a seed names: "center", a place number, [row, col], or a name."""
    if isinstance(at, str) and at == "center":
        if world.shape is not None:
            place = world.place_of(world.shape[0] // 2, world.shape[1] // 2)
            if place >= 0:
                return place
            raise EngineError(f"{field}: nobody lives in the centre cell; give [row, col]")
        return world.n_places // 2
    if isinstance(at, str):
        if at in world.landmarks:
            return world.landmarks[at]
        if world.names is not None and at in world.names:
            return world.names.index(at)
        known = sorted(world.landmarks) or list(world.names or ())
        guess = did_you_mean(at, known)  # as for a room or an intervention's place
        raise EngineError(
            f"{field}: no place named {at!r}; "
            + (f"known names: {', '.join(known)}" if known else 'give "center", [row, col] or N')
            + (f"; {guess}" if guess else "")
        )
    if isinstance(at, int):
        if not 0 <= at < world.n_places:
            raise EngineError(f"{field}: place {at} is outside 0..{world.n_places - 1}")
        named = world.names is not None and str(at) in world.names
        if named and world.names is not None and world.names[at] != str(at):
            # A graph file's nodes are numbered as they first appear: in "7 3 / 3 0" place 0
            # is node "7". A number that is also another node's name would pick a place the
            # user may not mean, silently: say both, and let a name decide.
            raise EngineError(
                f"{field}: {at} is ambiguous in this world: place {at} is the node named "
                f"{world.names[at]!r}, and another node is named {str(at)!r}; give the node's "
                f'name in quotes (at = "{at}" or at = "{world.names[at]}")'
            )
        return at
    if world.shape is None:
        raise EngineError(f"{field}: [row, col] needs a lattice or grid world")
    place = world.place_of(int(at[0]), int(at[1]))
    if place < 0:
        raise EngineError(f"{field}: cell {list(at)} is outside the grid or nobody lives there")
    return place


def _seed(
    x: np.ndarray,
    place: int,
    seed: SeedSpec,
    comps: list[str],
    fill: list[int],
    field: str,
    counted: bool,
) -> None:
    for name, count in seed.counts.items():
        c = comps.index(name)
        # Seeded people come out of the filled compartments, so the population is kept. Where
        # the places' people are head counts (`counted`: a grid or regions with populations),
        # more than a place holds would make people from nothing (a typo's extra zeros, or a
        # seed in an empty cell): refused. Where every place is filled with the same count
        # (one person a site), the rest are added: the seed sets that place's start.
        sources = [f for f in fill if f != c]
        there = int(x[place, sources].sum())
        if counted and count > there:
            held = " and ".join(comps[f] for f in sources) or "the filled compartments"
            raise EngineError(
                f"{field}.counts.{name}: {count:,} people asked for, but the place holds "
                f"{there:,} in {held}; seeded people are taken out of the people there, so "
                f"ask for at most {there:,} or choose a more populous place"
            )
        need = count
        for f in sources:
            take = min(need, int(x[place, f]))
            x[place, f] -= take
            need -= take
        x[place, c] += count


def build_world(
    scenario: Scenario, rng: np.random.Generator, worlds: WorldCache | None = None
) -> tuple[World, np.ndarray]:
    """The scenario's world and the initial counts, an int64 array (places, compartments).

    With `worlds`, a structure built before in this process (same `[world]` places and edges,
    no random draws) is taken from there instead of built again.
    """
    comps = list(scenario.model.compartments)
    spec = scenario.world
    if spec is None:
        x = np.asarray(scenario.initial_vector())
        if not np.all(x == np.round(x)):
            bad = next(c for c, v in zip(comps, x, strict=True) if v != round(v))
            raise EngineError(
                f"this engine counts people, so initial counts must be whole numbers; "
                f"initial.{bad} is {scenario.initial[bad]}"
            )
        return single_place(), x.astype(np.int64)[None, :]
    world = _structure(spec, rng) if worlds is None else worlds.structure(spec, rng, _structure)
    x = np.zeros((world.n_places, len(comps)), dtype=np.int64)
    counted = isinstance(spec.fill, str) and world.population is not None
    if isinstance(spec.fill, str):
        fill = [comps.index(spec.fill)]
        if world.population is None:
            x[:, fill[0]] = 1
        else:
            x[:, fill[0]] = world.population
    else:
        fill = [comps.index(c) for c in spec.fill]
        for c, count in spec.fill.items():
            x[:, comps.index(c)] = count
    for i, seed in enumerate(spec.seeds):
        field = f"world.seeds[{i}]"
        _seed(x, seed_place(world, seed.at, f"{field}.at"), seed, comps, fill, field, counted)
    return world, x

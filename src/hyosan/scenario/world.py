"""The `[world]` and `[record]` sections: where a model runs, and what a run keeps.

With no `[world]` section a scenario runs in one well-mixed place and `[initial]` gives its
counts. Otherwise the world is a graph of places and the people in it come from the world:

```toml
[world]
kind = "lattice"            # or "grid", "regions", "graph", "building"
size = [256, 256]           # lattice: rows, columns
fill = { S = 1 }            # people per place (lattice, graph); a grid fills one compartment
movement = { Z = "1/h" }    # each Z crosses each edge (of weight 1) at this rate
cross = { reactions = ["bite", "kill"], factor = 1.0 }   # reactions across an edge

[[world.seeds]]
at = "center"               # or [row, col], a place number, or a region or landmark name
counts = { Z = 1 }          # taken out of the filled compartment (as far as it holds people)
```

A graph of places comes from `random = {...}`, from a file (`edges = "net.csv"`, two place
numbers a line, with `nodes = N`; or GraphML, GML or a whitespace edge list, read by networkx,
whose nodes are named places), or, from Python, from a networkx graph given as `edges` (or
`network`): it is kept as `network`, its nodes, edges and weights written out, so that the
run's scenario.toml reruns it without the graph object.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hyosan.scenario.model import Frozen, ReadOnly
from hyosan.scenario.names import did_you_mean
from hyosan.scenario.units import RateField

__all__ = [
    "CrossSpec",
    "GraphSpec",
    "NetworkSpec",
    "RecordSpec",
    "Region",
    "Route",
    "SeedSpec",
    "WorldSpec",
    "network_from_graph",
]

Count = Annotated[int, Field(ge=0, le=10**11)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]

#: Largest number of places in a world built from a scenario (memory stays in a few GB).
MAX_PLACES = 20_000_000


class SeedSpec(Frozen):
    """People placed at the start: `counts` at one place, taken out of the filled compartment
    there. Where places hold head counts (a grid or regions with populations), a seed of more
    people than its place holds is refused; where every place is filled with one count, the
    rest are added."""

    at: str | int | tuple[int, int] = Field(
        description='"center", a place number, [row, col], or a region or landmark name'
    )
    counts: ReadOnly[str, Count]


class CrossSpec(Frozen):
    """Reactions that also act between neighbouring places (Alemi's mobility coupling).

    A listed reaction with two reactant individuals, the first at a place p and the second at a
    neighbour q, fires at `factor` × edge weight × its rate × x_p × x_q. Each reactant's changes
    happen at its own place; what a consumed reactant turns into appears where it was.
    """

    reactions: tuple[str, ...] = Field(min_length=1)
    factor: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0


class Region(Frozen):
    """A place of a regions world."""

    name: str = Field(min_length=1)
    population: Count
    x: float = 0.0
    y: float = 0.0
    lat: Annotated[float, Field(ge=-90, le=90)] | None = Field(
        default=None,
        description="latitude in degrees north (WGS 84), with lon: where the region is on the "
        "Earth, for places.geojson; x and y, when not given, are then kilometres east and "
        "north of the regions' middle",
    )
    lon: Annotated[float, Field(ge=-180, le=180)] | None = Field(
        default=None, description="longitude in degrees east (WGS 84), with lat"
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> Region:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(f"region {self.name!r}: give lat and lon together, or neither")
        return self


class Route(Frozen):
    """An edge between two regions; `weight` scales movement and cross reactions along it."""

    start: str
    end: str
    weight: Weight = 1.0
    both_ways: bool = True


class GraphSpec(Frozen):
    """A random graph of places (one person per place makes a network epidemic)."""

    model: Literal["erdos-renyi", "random-regular"] = "erdos-renyi"
    nodes: Annotated[int, Field(ge=1, le=MAX_PLACES)]
    mean_degree: Annotated[float, Field(gt=0, le=1000)]


class NetworkSpec(Frozen):
    """A graph given inline (a networkx graph from Python, written out): its places' names,
    its edges as pairs of place numbers, their weights (all 1 when absent), and whether each
    edge goes one way only."""

    nodes: tuple[str, ...] = Field(min_length=1, max_length=MAX_PLACES)
    edges: tuple[tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]], ...] = ()
    weights: tuple[Weight, ...] | None = None
    directed: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> NetworkSpec:
        n = len(self.nodes)
        bad = [e for e in self.edges if e[0] >= n or e[1] >= n]
        if bad:
            raise ValueError(f"edges: {list(bad[0])} names a place outside 0..{n - 1}")
        if self.weights is not None and len(self.weights) != len(self.edges):
            raise ValueError(
                f"weights: {len(self.weights)} weights for {len(self.edges)} edges; give one each"
            )
        if len(set(self.nodes)) != n:
            raise ValueError("nodes: two places have the same name")
        return self


def _is_networkx(value: object) -> bool:
    return all(hasattr(value, a) for a in ("nodes", "edges", "is_directed", "number_of_nodes"))


def network_from_graph(graph: Any) -> dict[str, Any]:
    """A networkx graph as NetworkSpec data: nodes (named by str) in the graph's order, edges
    as their positions, the `weight` attribute of each edge if any edge has one."""
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges, weights = [], []
    for a, b, attrs in graph.edges(data=True):
        edges.append((index[a], index[b]))
        weights.append(attrs.get("weight", 1.0))
    out: dict[str, Any] = {
        "nodes": [str(node) for node in nodes],
        "edges": edges,
        "directed": bool(graph.is_directed()),
    }
    if any(w != 1.0 for w in weights):
        out["weights"] = [float(w) for w in weights]
    return out


class WorldSpec(Frozen):
    """A graph of places; see the module docstring."""

    kind: Literal["lattice", "grid", "regions", "graph", "building"]
    size: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] | None = None
    periodic: bool = False
    grid: str | None = Field(default=None, description='a built-in grid: "korea"')
    file: str | None = Field(default=None, description="a head-count grid: .csv, .npy, .json(.gz)")
    keep_empty: bool = Field(
        default=False, description="keep cells with nobody in them as places (grids)"
    )
    regions: tuple[Region, ...] = ()
    routes: tuple[Route, ...] = ()
    random: GraphSpec | None = None
    edges: str | None = Field(
        default=None,
        description=(
            "a graph file: a CSV edge list of place numbers (two, and a weight or not), "
            "GraphML, GML or an edge list"
        ),
    )
    network: NetworkSpec | None = Field(
        default=None, description="a graph given inline (from Python: a networkx graph)"
    )
    building: str | None = Field(
        default=None, description='a built-in floor plan ("hyosan-high"): rooms and doors'
    )
    nodes: Annotated[int, Field(ge=1, le=MAX_PLACES)] | None = None
    fill: str | ReadOnly[str, Count] = "S"
    movement: ReadOnly[str, RateField] = Field(default_factory=dict)
    cross: CrossSpec | None = None
    seeds: tuple[SeedSpec, ...] = ()
    stop_at_edge: bool = Field(
        default=False, description="stop when a zombie first reaches the border (lattices)"
    )

    @model_validator(mode="before")
    @classmethod
    def _networkx(cls, data: Any) -> Any:
        # A networkx graph from Python, as `edges` or `network`: kept as its nodes and edges.
        if isinstance(data, dict):
            for key in ("edges", "network"):
                graph = data.get(key)
                if _is_networkx(graph):
                    data = {k: v for k, v in data.items() if k != key}
                    data["network"] = network_from_graph(graph)
        return data

    @model_validator(mode="after")
    def _shape(self) -> WorldSpec:
        need = {
            "lattice": ["size"],
            "grid": [],
            "regions": ["regions"],
            "graph": [],
            "building": ["building"],
        }[self.kind]
        for name in need:
            if not getattr(self, name):
                raise ValueError(f'kind = "{self.kind}" needs {name}')
        if self.kind == "lattice" and self.size and self.size[0] * self.size[1] > MAX_PLACES:
            raise ValueError(f"size: more than {MAX_PLACES:,} places")
        if self.kind == "grid" and (self.grid is None) == (self.file is None):
            raise ValueError('kind = "grid" needs one of grid = "korea" or file = "path"')
        given = [k for k in ("random", "edges", "network") if getattr(self, k) is not None]
        if self.kind == "graph" and len(given) != 1:
            raise ValueError(
                'kind = "graph" needs one of random = {...}, edges = "file.csv" (or .graphml, '
                ".gml, .edgelist) or, from Python, a networkx graph"
                + (f"; found {' and '.join(given)}" if given else "")
            )
        if (
            self.kind == "graph"
            and self.edges is not None
            and self.edges.lower().endswith(".csv")
            and self.nodes is None
        ):
            raise ValueError("a CSV edge list needs nodes = N, the number of places")
        if self.kind in ("grid", "regions") and not isinstance(self.fill, str):
            raise ValueError(
                f"fill: a {self.kind} gives head counts, so fill names the compartment they go "
                f'to, e.g. fill = "S"'
            )
        if self.stop_at_edge and (self.kind not in ("lattice", "grid") or self.periodic):
            raise ValueError("stop_at_edge needs a border: a lattice or grid with periodic = false")
        placed = [r.lat is not None for r in self.regions]
        if any(placed) and not all(placed):
            missing = next(r.name for r, p in zip(self.regions, placed, strict=True) if not p)
            raise ValueError(
                f"regions: {missing!r} has no lat and lon, and other regions have them; give "
                "every region lat and lon (places.geojson places them all), or none"
            )
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ValueError(f"regions: the name {dup!r} is used twice")
        # Each unknown end at its own field (routes[0].end), not the route: so that one given
        # with --set is said to come from it, and every misspelt end is listed at once.
        unknown = []
        for i, route in enumerate(self.routes):
            for field, end in (("start", route.start), ("end", route.end)):
                if end not in names:
                    guess = did_you_mean(end, names)
                    unknown.append(
                        f"routes[{i}].{field}: no region {end!r} "
                        f"(regions: {', '.join(names) or 'none'})" + (f"; {guess}" if guess else "")
                    )
        if unknown:
            raise ValueError("\n".join(unknown))
        return self

    def compartments_named(self) -> list[tuple[str, str]]:
        """(field, compartment) pairs this section refers to, for checking against the model."""
        out: list[tuple[str, str]] = []
        if isinstance(self.fill, str):
            out.append(("fill", self.fill))
        else:
            out += [(f"fill.{c}", c) for c in self.fill]
        out += [(f"movement.{c}", c) for c in self.movement]
        for i, seed in enumerate(self.seeds):
            out += [(f"seeds[{i}].counts.{c}", c) for c in seed.counts]
        return out


class RecordSpec(Frozen):
    """What a run keeps besides the time series."""

    snapshots: Annotated[int, Field(ge=0, le=10_000)] | None = Field(
        default=None,
        description=(
            "per-place snapshots (spatial runs); default up to 200, fewer for big worlds, "
            "and every output time in a building"
        ),
    )
    events: bool = Field(default=False, description="log every event (ssa) to events.parquet")
    arrivals: tuple[str, ...] = Field(
        default=(), description="named places whose first-zombie times the summary always shows"
    )

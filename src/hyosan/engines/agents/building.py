"""A floor plan compiled for the kernels: room and passage arrays, adjacency and next hops.

Rooms become array rows in file order; passages become edges. Shortest paths are computed once
(scipy's csgraph): for zombies over the passages they can use, for people over all passages in
the directions allowed, so that a step's "go towards room s" is one table look-up.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.engines.agents.params import ROOM_EXIT, ROOM_HOLD, ROOM_TRANSIT
from hyosan.errors import EngineError
from hyosan.scenario.agents import TRANSIT_KINDS

if TYPE_CHECKING:
    from hyosan.scenario.agents import Building

__all__ = ["MAX_ROOMS", "FloorPlan", "compile_building", "kept_floor_plan"]

#: Largest floor plan the engine takes: its next-hop tables grow with the square of the rooms.
MAX_ROOMS = 3000


@dataclass(frozen=True, eq=False)
class FloorPlan:
    """Arrays of one floor plan (rooms r, edges e)."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    rkind: np.ndarray
    floor: np.ndarray
    x: np.ndarray
    y: np.ndarray
    area: np.ndarray
    speaker: np.ndarray
    pa: np.ndarray
    toilet: np.ndarray
    supplies: np.ndarray
    hiding: np.ndarray
    holds: np.ndarray
    flesh: np.ndarray
    ea: np.ndarray
    eb: np.ndarray
    elen: np.ndarray
    ebarr: np.ndarray
    ezpass: np.ndarray
    eoneway: np.ndarray
    adj_ptr: np.ndarray
    adj_room: np.ndarray
    adj_edge: np.ndarray
    zhop: np.ndarray
    zhop_e: np.ndarray
    hhop: np.ndarray
    hhop_e: np.ndarray
    hdist: np.ndarray
    nearest_outside: np.ndarray

    @property
    def n_rooms(self) -> int:
        """How many rooms the building has."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Row of a room by name."""
        return self.names.index(name)


def _hops(
    n: int, ea: np.ndarray, eb: np.ndarray, elen: np.ndarray, allowed: np.ndarray, both: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Next room, the edge to it, and the path length from every room r to every room s."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import shortest_path

    weight = np.full((n, n), np.inf)
    edge_of = np.full((n, n), -1, dtype=np.int32)
    for e in np.flatnonzero(allowed):
        pairs = [(ea[e], eb[e])] + ([(eb[e], ea[e])] if both[e] else [])
        for a, b in pairs:
            if elen[e] < weight[a, b]:
                weight[a, b] = elen[e]
                edge_of[a, b] = e
    rows, cols = np.nonzero(np.isfinite(weight))
    graph = csr_matrix((weight[rows, cols], (rows, cols)), shape=(n, n))
    # Paths from every s on the reversed graph: the predecessor of r is r's next hop towards s.
    dist, pred = shortest_path(graph.T.tocsr(), directed=True, return_predecessors=True)
    hop = pred.T.astype(np.int32)
    hop[hop < 0] = -1
    hop_e = np.where(hop >= 0, edge_of[np.arange(n)[:, None], np.maximum(hop, 0)], -1)
    hdist = np.where(np.isfinite(dist.T), dist.T, -1.0)
    np.fill_diagonal(hdist, 0.0)
    return hop, hop_e.astype(np.int32), hdist


def _nearest(hdist: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The closest room of `mask` people can reach from each room (-1 if none)."""
    exits = np.flatnonzero(mask)
    out = np.full(mask.size, -1, dtype=np.int32)
    if exits.size:
        d = np.where(hdist[:, exits] >= 0, hdist[:, exits], np.inf)
        best = np.argmin(d, axis=1)
        reach = np.isfinite(d[np.arange(mask.size), best])
        out[reach] = exits[best[reach]]
    return out


def compile_building(building: Building) -> FloorPlan:
    """The arrays of a validated floor plan."""
    rooms = building.rooms
    n = len(rooms)
    if n > MAX_ROOMS:
        raise EngineError(
            f"building: {n} rooms; the agents engine takes at most {MAX_ROOMS} places"
        )
    index = {r.name: i for i, r in enumerate(rooms)}

    def code(kind: str) -> int:
        if kind == "exit":
            return ROOM_EXIT
        return ROOM_TRANSIT if kind in TRANSIT_KINDS else ROOM_HOLD

    doors = building.doors
    ea = np.array([index[d.between[0]] for d in doors], dtype=np.int32)
    eb = np.array([index[d.between[1]] for d in doors], dtype=np.int32)
    elen = np.array([d.length for d in doors], dtype=np.float64)
    ebarr = np.array([d.can_barricade for d in doors], dtype=np.bool_)
    ezpass = np.array([d.zombies_pass for d in doors], dtype=np.bool_)
    eoneway = np.array([d.one_way for d in doors], dtype=np.bool_)
    # Adjacency lists over rooms (each passage listed at both ends).
    ends = np.concatenate([ea, eb])
    others = np.concatenate([eb, ea])
    edge_ids = np.concatenate([np.arange(len(doors)), np.arange(len(doors))]).astype(np.int32)
    order = np.argsort(ends, kind="stable")
    adj_ptr = np.zeros(n + 1, dtype=np.int32)
    np.add.at(adj_ptr, ends + 1, 1)
    adj_ptr = np.cumsum(adj_ptr).astype(np.int32)
    zhop, zhop_e, _ = _hops(n, ea, eb, elen, ezpass & ~eoneway, np.ones(len(doors), bool))
    hhop, hhop_e, hdist = _hops(n, ea, eb, elen, np.ones(len(doors), bool), ~eoneway)
    rkind = np.array([code(r.kind) for r in rooms], dtype=np.int8)
    return FloorPlan(
        names=tuple(r.name for r in rooms),
        kinds=tuple(r.kind for r in rooms),
        rkind=rkind,
        floor=np.array([r.floor for r in rooms], dtype=np.float64),
        x=np.array([r.x for r in rooms], dtype=np.float64),
        y=np.array([r.y for r in rooms], dtype=np.float64),
        area=np.array([r.area for r in rooms], dtype=np.float64),
        speaker=np.array([r.speaker for r in rooms], dtype=np.bool_),
        pa=np.array([r.pa for r in rooms], dtype=np.bool_),
        toilet=np.array([r.toilet for r in rooms], dtype=np.bool_),
        supplies=np.array([r.supplies for r in rooms], dtype=np.float64),
        hiding=np.array([r.hiding for r in rooms], dtype=np.float64),
        holds=np.array([r.holds for r in rooms], dtype=np.int32),
        flesh=np.array([r.flesh for r in rooms], dtype=np.bool_),
        ea=ea,
        eb=eb,
        elen=elen,
        ebarr=ebarr,
        ezpass=ezpass,
        eoneway=eoneway,
        adj_ptr=adj_ptr,
        adj_room=others[order].astype(np.int32),
        adj_edge=edge_ids[order],
        zhop=zhop,
        zhop_e=zhop_e,
        hhop=hhop,
        hhop_e=hhop_e,
        hdist=hdist,
        nearest_outside=_nearest(hdist, np.array([r.kind == "outside" for r in rooms])),
    )


@functools.lru_cache(maxsize=4)  # a sweep's points share one building; a comparison has two
def _compiled_once(building: Building) -> FloorPlan:
    return compile_building(building)


def kept_floor_plan(building: Building) -> FloorPlan:
    """The arrays of `building`, compiled once per process and copied for each run.

    For the runs of an ensemble's worker, which all have the same building: compiling it
    (paths between every two rooms) costs about as much as the rest of a run's setup. Each
    run gets its own copy, so that a run that changed an array of its plan could not change
    the next one's. (A building section is frozen and hashable: it is its own cache key.)
    """
    return copy.deepcopy(_compiled_once(building))

"""places.geojson: a spatial run's places on the Earth, for GIS tools (QGIS, geopandas, kepler).

Written beside places.parquet where the places have coordinates on the Earth (WGS 84 longitude
and latitude, as GeoJSON requires):

- the cells of a built-in grid that lies on the Earth (the korea grid, whose corner, cell size
  and latitude are known), as squares, each with its row and column and name (a landmark's);
- the regions of a regions world whose regions declare `lat` and `lon`, as points, each with
  its name, and its routes as lines between them (`kind` "route", with their weight).

Each place's feature carries `kind` ("cell" or "region"), the place number, its people at the
start, when the first zombie came (seconds, null if never) and the last snapshot of each
compartment. Worlds whose coordinates are not on the Earth (a building's rooms in metres,
regions placed only on a plane by x and y, a lattice) write none.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.results.arrow import numbers

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.results.result import Result

__all__ = ["places_geojson"]

#: Decimal places of the coordinates: 1e-5 degrees is about a metre.
_DIGITS = 5


def places_geojson(result: Result) -> dict[str, Any] | None:
    """The places of `result` as a GeoJSON FeatureCollection, or None without coordinates."""
    from hyosan.reports.rundata import grid_context

    places = result.places
    if places is None:
        return None
    world = result.scenario.world
    if (
        world is not None
        and world.kind == "regions"
        and world.regions
        and world.regions[0].lat is not None
    ):
        return _regions(result, places)
    if not {"row", "col"} <= set(places.column_names):
        return None
    geo = grid_context(result.scenario.model_dump(mode="json", exclude_none=True))
    if not geo:
        return None
    rows = numbers(places.column("row")).astype(np.int64)
    cols = numbers(places.column("col")).astype(np.int64)
    north = geo["lat_north"] - rows * geo["dlat"]
    west = geo["lon_west"] + cols * geo["dlon"]
    south, east = north - geo["dlat"], west + geo["dlon"]
    names = {(r, c): n for n, r, c in geo["landmarks"]}
    features = []
    for i, props in enumerate(_place_properties(places, "cell")):
        w, e = round(float(west[i]), _DIGITS), round(float(east[i]), _DIGITS)
        s, n = round(float(south[i]), _DIGITS), round(float(north[i]), _DIGITS)
        props.update(row=int(rows[i]), col=int(cols[i]))
        name = names.get((int(rows[i]), int(cols[i])))
        if name is not None:
            props["name"] = name
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": result.scenario.name,
        "features": features,
    }


def _place_properties(places: pa.Table, kind: str) -> list[dict[str, Any]]:
    """Each place's properties: kind, number, people at the start, first zombie, last counts."""
    first = places.column("t_first_zombie_s").to_pylist()
    population = numbers(places.column("population")).tolist()
    meta = places.schema.metadata or {}
    comps = json.loads(meta.get(b"compartments", b"[]"))
    finals = {
        c: np.asarray(places.column(c).to_pylist())[:, -1].tolist()
        for c in comps
        if c in places.column_names
    }
    out = []
    for i in range(places.num_rows):
        props: dict[str, Any] = {
            "kind": kind,
            "place": i,
            "population": int(population[i]),
            "t_first_zombie_s": first[i],
        }
        for c, values in finals.items():
            props[f"last_{c}"] = int(values[i])
        out.append(props)
    return out


def _regions(result: Result, places: pa.Table) -> dict[str, Any]:
    """A regions world's regions as points at their lat and lon, and its routes as lines."""
    world = result.scenario.world
    assert world is not None
    regions = world.regions
    at = {
        r.name: [round(float(r.lon or 0.0), _DIGITS), round(float(r.lat or 0.0), _DIGITS)]
        for r in regions
    }
    features = []
    for region, props in zip(regions, _place_properties(places, "region"), strict=True):
        props["name"] = region.name
        geometry = {"type": "Point", "coordinates": at[region.name]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    for i, route in enumerate(world.routes):
        line = {"type": "LineString", "coordinates": [at[route.start], at[route.end]]}
        props = {
            "kind": "route",
            "route": i,
            "start": route.start,
            "end": route.end,
            "weight": float(route.weight),
            "both_ways": bool(route.both_ways),
        }
        features.append({"type": "Feature", "geometry": line, "properties": props})
    return {"type": "FeatureCollection", "name": result.scenario.name, "features": features}

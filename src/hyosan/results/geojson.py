"""places.geojson: a spatial run's places on the Earth, for GIS tools (QGIS, geopandas, kepler).

Written beside places.parquet where the places have coordinates: the cells of a built-in grid
that lies on the Earth (the korea grid, whose corner, cell size and latitude are known) as
squares in longitude and latitude (WGS 84, as GeoJSON requires). Each feature carries the
place number, its row and column, name (a landmark's), its people at the start, when the first
zombie came (seconds, null if never) and the last snapshot of each compartment. Worlds whose
coordinates are not on the Earth (a building's rooms in metres, regions placed on a plane, a
lattice) write none.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.results.result import Result

__all__ = ["places_geojson"]

#: Decimal places of the coordinates: 1e-5 degrees is about a metre.
_DIGITS = 5


def places_geojson(result: Result) -> dict[str, Any] | None:
    """The places of `result` as a GeoJSON FeatureCollection, or None without coordinates."""
    from hyosan.reports.rundata import grid_context

    places = result.places
    if places is None or not {"row", "col"} <= set(places.column_names):
        return None
    geo = grid_context(result.scenario.model_dump(mode="json", exclude_none=True))
    if not geo:
        return None
    rows = places.column("row").to_numpy().astype(np.int64)
    cols = places.column("col").to_numpy().astype(np.int64)
    north = geo["lat_north"] - rows * geo["dlat"]
    west = geo["lon_west"] + cols * geo["dlon"]
    south, east = north - geo["dlat"], west + geo["dlon"]
    first = places.column("t_first_zombie_s").to_pylist()
    population = places.column("population").to_numpy().tolist()
    names = {(r, c): n for n, r, c in geo["landmarks"]}
    meta = places.schema.metadata or {}
    comps = json.loads(meta.get(b"compartments", b"[]"))
    finals = {
        c: np.asarray(places.column(c).to_pylist())[:, -1].tolist()
        for c in comps
        if c in places.column_names
    }
    features = []
    for i in range(places.num_rows):
        w, e = round(float(west[i]), _DIGITS), round(float(east[i]), _DIGITS)
        s, n = round(float(south[i]), _DIGITS), round(float(north[i]), _DIGITS)
        props: dict[str, Any] = {
            "place": i,
            "row": int(rows[i]),
            "col": int(cols[i]),
            "population": int(population[i]),
            "t_first_zombie_s": first[i],
        }
        name = names.get((int(rows[i]), int(cols[i])))
        if name is not None:
            props["name"] = name
        for c, values in finals.items():
            props[f"last_{c}"] = int(values[i])
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

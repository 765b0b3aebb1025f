"""Regions on the Earth: a regions world whose regions declare lat and lon writes places.geojson
(points and their routes) and, without x and y, is drawn from a projection of them; regions
placed only by x and y write none."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

import hyosan
from hyosan.scenario.load import parse_scenario

#: Three cities at their real coordinates (degrees north, degrees east).
CITIES = {
    "Seoul": (37.5665, 126.9780),
    "Daejeon": (36.3504, 127.3845),
    "Busan": (35.1796, 129.0756),
}


def _text(placed: bool) -> str:
    regions = ", ".join(
        f'{{ name = "{name}", population = {1000 * (k + 1)}'
        + (f", lat = {lat}, lon = {lon} }}" if placed else f", x = {k}.0, y = 0.0 }}")
        for k, (name, (lat, lon)) in enumerate(CITIES.items())
    )
    return f"""
name = "three cities"
engine = "ssa"
model = "alemi-szr"
seed = 3
time = {{ horizon = "2d", output_every = "0.5d" }}

[world]
kind = "regions"
fill = "S"
regions = [{regions}]
routes = [
  {{ start = "Seoul", end = "Daejeon" }},
  {{ start = "Daejeon", end = "Busan", weight = 0.5 }},
]
[[world.seeds]]
at = "Seoul"
counts = {{ Z = 5 }}
"""


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_regions_with_coordinates_write_points_and_routes(tmp_path: Path) -> None:
    """places.geojson holds each region as a point at its lon and lat with its name, people and
    last counts, and each route as a line between its ends."""
    result = hyosan.simulate(parse_scenario(_text(placed=True), "three.toml"))
    out = result.save(tmp_path / "run")
    geo = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection"
    points = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    assert [f["properties"]["name"] for f in points] == list(CITIES)
    for f in points:
        lat, lon = CITIES[f["properties"]["name"]]
        assert f["geometry"]["coordinates"] == [round(lon, 5), round(lat, 5)]  # x = longitude
        assert f["properties"]["kind"] == "region"
    places = result.places.to_pydict()
    assert [f["properties"]["population"] for f in points] == places["population"]
    assert [f["properties"]["last_Z"] for f in points] == [z[-1] for z in places["Z"]]
    assert [(f["properties"]["start"], f["properties"]["end"]) for f in lines] == [
        ("Seoul", "Daejeon"),
        ("Daejeon", "Busan"),
    ]
    assert lines[1]["properties"]["weight"] == 0.5
    seoul, busan = (CITIES[n] for n in ("Seoul", "Busan"))
    assert lines[0]["geometry"]["coordinates"][0] == [round(seoul[1], 5), round(seoul[0], 5)]
    assert lines[1]["geometry"]["coordinates"][1] == [round(busan[1], 5), round(busan[0], 5)]


def test_regions_placed_only_by_lat_lon_are_drawn_in_kilometres(tmp_path: Path) -> None:
    """Without x and y, places.parquet's x and y are kilometres east and north: Busan south-east
    of Seoul, as far from it as on the globe to within 2 %."""
    out = hyosan.simulate(parse_scenario(_text(placed=True), "three.toml")).save(tmp_path / "r")
    places = pq.read_table(out / "places.parquet").to_pydict()
    x = dict(zip(places["name"], places["x"], strict=True))
    y = dict(zip(places["name"], places["y"], strict=True))
    assert x["Busan"] > x["Daejeon"] > x["Seoul"]
    assert y["Busan"] < y["Daejeon"] < y["Seoul"]
    drawn = float(np.hypot(x["Busan"] - x["Seoul"], y["Busan"] - y["Seoul"]))
    true = _haversine_km(CITIES["Seoul"], CITIES["Busan"])
    assert abs(drawn - true) <= 0.02 * true, (drawn, true)


def test_regions_without_coordinates_write_no_geojson(tmp_path: Path) -> None:
    """Regions placed by x and y alone (a plane, not the Earth) write no places.geojson."""
    out = hyosan.simulate(parse_scenario(_text(placed=False), "three.toml")).save(tmp_path / "r")
    assert (out / "places.parquet").is_file()
    assert not (out / "places.geojson").exists()


def test_a_building_writes_no_geojson(tmp_path: Path) -> None:
    """A building (no [world] section: rooms in metres) saves without places.geojson."""
    result = hyosan.simulate("hyosan-high", seed=1, overrides=('time.horizon="30min"',))
    out = result.save(tmp_path / "school")
    assert (out / "places.parquet").is_file()
    assert not (out / "places.geojson").exists()

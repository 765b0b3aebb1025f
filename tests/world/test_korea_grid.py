"""The built-in approximate South Korea grid: totals, landmarks, sea, and a bit-exact rebuild."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hyosan.errors import HyosanError
from hyosan.world.korea import (
    CELL_KM,
    KoreaGrid,
    build_korea_grid,
    korea_grid,
    landmark_coordinates,
)

REQUIRED_LANDMARKS = (
    "Hyosan",
    "Seoul",
    "Busan",
    "Daegu",
    "Incheon",
    "Gwangju",
    "Daejeon",
    "Ulsan",
    "Jeju",
)


@pytest.fixture(scope="module")
def grid() -> KoreaGrid:
    return korea_grid()


def test_shape_and_types(grid: KoreaGrid) -> None:
    """An int32 grid of 5 km cells, row 0 north, read-only because it is shared."""
    assert grid.population.dtype == np.int32
    assert grid.population.ndim == 2
    assert grid.cell_km == CELL_KM == 5.0
    assert grid.population.min() >= 0
    assert not grid.population.flags.writeable
    assert korea_grid() is grid


def test_total_is_south_koreas_population(grid: KoreaGrid) -> None:
    """About 51.8 million people (2020 census), within 2 %."""
    assert abs(grid.total - 51_800_000) <= 0.02 * 51_800_000


def test_required_landmarks_have_people(grid: KoreaGrid) -> None:
    """The named places include the big cities and (fictional) Hyosan; every one has people."""
    assert set(REQUIRED_LANDMARKS) <= set(grid.landmarks)
    empty = [name for name, cell in grid.landmarks.items() if grid.population[cell] <= 0]
    assert empty == []


def test_seoul_is_among_the_densest_cells(grid: KoreaGrid) -> None:
    """Seoul's cell is in the top 1 % of cells by head count."""
    seoul = grid.population[grid.landmarks["Seoul"]]
    top_1pct = np.quantile(grid.population, 0.99)
    assert seoul >= top_1pct
    assert seoul >= np.quantile(grid.population[grid.population > 0], 0.99)


@pytest.mark.parametrize(
    ("where", "lat", "lon"),
    [
        ("Yellow Sea", 36.0, 125.0),
        ("East Sea", 37.0, 129.7),
        ("Korea Strait", 34.3, 128.3),
        ("between the mainland and Jeju", 33.9, 126.6),
    ],
)
def test_sea_is_empty(grid: KoreaGrid, where: str, lat: float, lon: float) -> None:
    """Cells outside the coastline hold nobody."""
    assert grid.population[grid.cell_of(lat, lon)] == 0, where


def test_jeju_is_populated_island(grid: KoreaGrid) -> None:
    """Jeju is land, with the island's ~0.67 million people within a few tens of km."""
    r, c = grid.landmarks["Jeju"]
    window = grid.population[r - 3 : r + 12, c - 10 : c + 12]
    assert 600_000 < window.sum() < 750_000


def test_rebuild_is_bit_exact(grid: KoreaGrid) -> None:
    """The shipped file is exactly what the build function makes from the typed-in facts."""
    rebuilt = build_korea_grid()
    assert rebuilt.population.dtype == np.int32
    np.testing.assert_array_equal(rebuilt.population, grid.population)
    assert dict(rebuilt.landmarks) == dict(grid.landmarks)
    assert (rebuilt.cell_km, rebuilt.lat_north, rebuilt.lon_west, rebuilt.lat_ref) == (
        grid.cell_km,
        grid.lat_north,
        grid.lon_west,
        grid.lat_ref,
    )


def test_cell_of_round_trips_landmarks(grid: KoreaGrid) -> None:
    """Every landmark's coordinates fall in its stored cell, and that cell's centre maps back."""
    coords = landmark_coordinates()
    assert set(coords) == set(grid.landmarks)
    for name, (lat, lon) in coords.items():
        cell = grid.cell_of(lat, lon)
        assert cell == grid.landmarks[name], name
        assert grid.cell_of(*grid.center_of(*cell)) == cell, name
        clat, clon = grid.center_of(*cell)
        assert abs(clat - lat) * 111.32 <= CELL_KM / 2 + 1e-9, name
        assert abs(clon - lon) * 111.32 * math.cos(math.radians(36)) <= CELL_KM / 2 + 1e-9, name


def test_cell_of_outside_the_grid(grid: KoreaGrid) -> None:
    """A point off the grid is an error that gives the grid's extent."""
    with pytest.raises(HyosanError, match="outside the Korea grid"):
        grid.cell_of(40.0, 127.0)
    with pytest.raises(HyosanError, match="outside the Korea grid"):
        grid.cell_of(36.0, 131.5)


def test_korea_run_writes_its_places_as_geojson(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """places.geojson: one square per cell in longitude and latitude, Seoul's around Seoul
    (37.57 N, 126.98 E) and Busan's around Busan (35.18 N, 129.08 E), to within a cell."""
    import json

    import hyosan

    result = hyosan.simulate("korea", overrides=('time.horizon="1d"',))
    out = result.save(tmp_path / "run")
    geo = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection"
    assert len(geo["features"]) == result.places.num_rows
    named = {f["properties"].get("name"): f for f in geo["features"]}
    for name, (lat, lon) in {"Seoul": (37.57, 126.98), "Busan": (35.18, 129.08)}.items():
        ring = named[name]["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        (w, s), (e, n) = ring[0], ring[2]
        cell_lat, cell_lon = n - s, e - w
        assert 0 < cell_lat < 0.1
        assert s - cell_lat <= lat <= n + cell_lat
        assert w - cell_lon <= lon <= e + cell_lon
    seeded = [f for f in geo["features"] if f["properties"]["t_first_zombie_s"] == 0.0]
    assert seeded

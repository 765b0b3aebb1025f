"""An approximate population grid of South Korea, built in, for the stochastic engines.

The grid is NOT census microdata. It is built from a few public figures typed in below
(province and city populations around the 2020 census, rounded; coordinates of cities and
county seats; a coarse coastline) by spreading each city's people as a Gaussian blob around its
centre and each province's remaining (rural) people evenly over the province's land cells.
It is good for "how would an outbreak cross the country" questions, not for local planning.

Cells are `CELL_KM` (5 km) squares on an equirectangular projection: `CELL_KM / 111.32`
degrees of latitude by `CELL_KM / (111.32 cos 36°)` degrees of longitude, so a cell is 5 km
east-west at 36°N and within ±4 % of that over the country. Row 0 is the northernmost row;
`lat_north` and `lon_west` are the outer corner of cell (0, 0).

`korea_grid()` loads the shipped grid (`data/korea.npz`); `build_korea_grid()` rebuilds it
from the figures below, bit for bit (`python scripts/build_korea_grid.py` writes the file).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import numpy as np

from hyosan.errors import HyosanError

__all__ = ["CELL_KM", "KoreaGrid", "build_korea_grid", "korea_grid"]

# ---------------------------------------------------------------------------------------------
# Geometry of the grid
# ---------------------------------------------------------------------------------------------

CELL_KM = 5.0
"""Side of a cell in kilometres (east-west exact at `LAT_REF`)."""
KM_PER_DEG_LAT = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator), a rounded mean."""
LAT_REF = 36.0
"""Latitude (degrees north) at which a cell is exactly `CELL_KM` wide."""
LAT_NORTH = 38.70
"""Northern edge of the grid (north of the eastern end of the DMZ, 38.61°N)."""
LON_WEST = 124.60
"""Western edge of the grid (Yellow Sea)."""
ROWS = 127
"""Rows: down to about 33.0°N, south of Jeju (Mara-do, 33.11°N)."""
COLS = 94
"""Columns: east to about 129.82°E, east of Homigot (129.57°E). Ulleung-do is left out."""

URBAN_SHARE = 0.85
"""Share of a provincial city's people placed in its blob; the rest (its rural townships,
eup and myeon) joins the province's rural pool. Metropolitan cities are all blob."""

HYOSAN = (36.00, 129.10)
"""Hyosan is FICTIONAL (the city of *All of Us Are Dead*). Its landmark is put at a plausible
spot in North Gyeongsang, between Yeongcheon and Pohang, on the road from Daegu to Pohang.
It is given the people of a mid-sized city (`HYOSAN_POPULATION`, an assumption: the show's
strike zone alone held about 60,000), taken out of North Gyeongsang's rural share so that the
province's total stays the census figure."""

HYOSAN_POPULATION = 250_000
"""People of the fictional Hyosan (an ASSUMPTION, not a census figure)."""

# ---------------------------------------------------------------------------------------------
# Facts. Populations: Statistics Korea (KOSIS), 2020 Population and Housing Census
# (register-based, 1 November 2020), rounded to the thousand. Coordinates: the city hall or
# county office of each place, as given by Wikipedia / the Korean Wikipedia infoboxes, rounded
# to 0.01°. All typed in from memory of those public figures, so approximate.
# ---------------------------------------------------------------------------------------------

# The eight metropolitan-level cities (special, metropolitan and Sejong special
# self-governing city): name -> (lat, lon, population, province whose land cells surround it).
# All of a metropolitan city's people go into its blob.
METROPOLITAN: dict[str, tuple[float, float, int, str]] = {
    "Seoul": (37.57, 126.98, 9_586_000, "Gyeonggi"),
    "Busan": (35.18, 129.08, 3_349_000, "South Gyeongsang"),
    "Incheon": (37.46, 126.71, 2_945_000, "Gyeonggi"),
    "Daegu": (35.87, 128.60, 2_385_000, "North Gyeongsang"),
    "Daejeon": (36.35, 127.38, 1_488_000, "South Chungcheong"),
    "Gwangju": (35.16, 126.85, 1_478_000, "South Jeolla"),
    "Ulsan": (35.54, 129.31, 1_135_000, "South Gyeongsang"),
    "Sejong": (36.48, 127.29, 351_000, "South Chungcheong"),
}

# The nine provinces: name -> (population, lat, lon of the geographic centre, roughly).
PROVINCES: dict[str, tuple[int, float, float]] = {
    "Gyeonggi": (13_512_000, 37.40, 127.30),
    "Gangwon": (1_522_000, 37.75, 128.30),
    "North Chungcheong": (1_632_000, 36.75, 127.75),
    "South Chungcheong": (2_177_000, 36.50, 126.85),
    "North Jeolla": (1_803_000, 35.72, 127.15),
    "South Jeolla": (1_789_000, 34.85, 126.90),
    "North Gyeongsang": (2_645_000, 36.35, 128.75),
    "South Gyeongsang": (3_340_000, 35.30, 128.25),
    "Jeju": (675_000, 33.38, 126.55),
}

# Cities (si) of the provinces: (name, province, lat, lon, population 2020, rounded).
CITIES: tuple[tuple[str, str, float, float, int], ...] = (
    ("Suwon", "Gyeonggi", 37.26, 127.03, 1_186_000),
    ("Goyang", "Gyeonggi", 37.66, 126.83, 1_079_000),
    ("Yongin", "Gyeonggi", 37.24, 127.18, 1_074_000),
    ("Seongnam", "Gyeonggi", 37.42, 127.13, 940_000),
    ("Hwaseong", "Gyeonggi", 37.20, 126.83, 855_000),
    ("Bucheon", "Gyeonggi", 37.50, 126.77, 818_000),
    ("Namyangju", "Gyeonggi", 37.64, 127.22, 713_000),
    ("Ansan", "Gyeonggi", 37.32, 126.83, 654_000),
    ("Anyang", "Gyeonggi", 37.39, 126.96, 550_000),
    ("Pyeongtaek", "Gyeonggi", 36.99, 127.11, 537_000),
    ("Siheung", "Gyeonggi", 37.38, 126.80, 500_000),
    ("Gimpo", "Gyeonggi", 37.62, 126.72, 473_000),
    ("Uijeongbu", "Gyeonggi", 37.74, 127.03, 462_000),
    ("Paju", "Gyeonggi", 37.76, 126.78, 450_000),
    ("Gwangju (Gyeonggi)", "Gyeonggi", 37.43, 127.26, 383_000),
    ("Gwangmyeong", "Gyeonggi", 37.48, 126.86, 298_000),
    ("Hanam", "Gyeonggi", 37.54, 127.21, 290_000),
    ("Gunpo", "Gyeonggi", 37.36, 126.94, 274_000),
    ("Osan", "Gyeonggi", 37.15, 127.08, 228_000),
    ("Yangju", "Gyeonggi", 37.79, 127.05, 226_000),
    ("Icheon", "Gyeonggi", 37.27, 127.44, 220_000),
    ("Guri", "Gyeonggi", 37.59, 127.13, 196_000),
    ("Anseong", "Gyeonggi", 37.01, 127.28, 187_000),
    ("Uiwang", "Gyeonggi", 37.34, 126.97, 162_000),
    ("Pocheon", "Gyeonggi", 37.89, 127.20, 148_000),
    ("Wonju", "Gangwon", 37.34, 127.92, 354_000),
    ("Chuncheon", "Gangwon", 37.88, 127.73, 283_000),
    ("Gangneung", "Gangwon", 37.75, 128.88, 213_000),
    ("Donghae", "Gangwon", 37.52, 129.11, 90_000),
    ("Sokcho", "Gangwon", 38.21, 128.59, 83_000),
    ("Samcheok", "Gangwon", 37.45, 129.17, 64_000),
    ("Cheongju", "North Chungcheong", 36.64, 127.49, 844_000),
    ("Chungju", "North Chungcheong", 36.99, 127.93, 211_000),
    ("Jecheon", "North Chungcheong", 37.13, 128.19, 133_000),
    ("Cheonan", "South Chungcheong", 36.82, 127.11, 658_000),
    ("Asan", "South Chungcheong", 36.79, 127.00, 314_000),
    ("Seosan", "South Chungcheong", 36.78, 126.45, 176_000),
    ("Dangjin", "South Chungcheong", 36.89, 126.65, 166_000),
    ("Nonsan", "South Chungcheong", 36.19, 127.10, 118_000),
    ("Gongju", "South Chungcheong", 36.45, 127.12, 105_000),
    ("Boryeong", "South Chungcheong", 36.33, 126.61, 100_000),
    ("Jeonju", "North Jeolla", 35.82, 127.15, 657_000),
    ("Iksan", "North Jeolla", 35.95, 126.96, 283_000),
    ("Gunsan", "North Jeolla", 35.97, 126.74, 268_000),
    ("Jeongeup", "North Jeolla", 35.57, 126.86, 110_000),
    ("Gimje", "North Jeolla", 35.80, 126.88, 84_000),
    ("Namwon", "North Jeolla", 35.42, 127.39, 81_000),
    ("Suncheon", "South Jeolla", 34.95, 127.49, 281_000),
    ("Yeosu", "South Jeolla", 34.76, 127.66, 280_000),
    ("Mokpo", "South Jeolla", 34.81, 126.39, 223_000),
    ("Gwangyang", "South Jeolla", 34.94, 127.70, 152_000),
    ("Naju", "South Jeolla", 35.02, 126.71, 116_000),
    ("Pohang", "North Gyeongsang", 36.02, 129.34, 503_000),
    ("Gumi", "North Gyeongsang", 36.12, 128.34, 418_000),
    ("Gyeongsan", "North Gyeongsang", 35.83, 128.74, 263_000),
    ("Gyeongju", "North Gyeongsang", 35.86, 129.22, 252_000),
    ("Andong", "North Gyeongsang", 36.57, 128.73, 158_000),
    ("Gimcheon", "North Gyeongsang", 36.14, 128.11, 140_000),
    ("Yeongju", "North Gyeongsang", 36.81, 128.62, 103_000),
    ("Yeongcheon", "North Gyeongsang", 35.97, 128.94, 101_000),
    ("Sangju", "North Gyeongsang", 36.41, 128.16, 97_000),
    ("Mungyeong", "North Gyeongsang", 36.59, 128.19, 71_000),
    ("Changwon", "South Gyeongsang", 35.23, 128.68, 1_036_000),
    ("Gimhae", "South Gyeongsang", 35.23, 128.89, 541_000),
    ("Yangsan", "South Gyeongsang", 35.34, 129.04, 353_000),
    ("Jinju", "South Gyeongsang", 35.18, 128.11, 349_000),
    ("Geoje", "South Gyeongsang", 34.88, 128.62, 245_000),
    ("Tongyeong", "South Gyeongsang", 34.85, 128.43, 128_000),
    ("Sacheon", "South Gyeongsang", 35.00, 128.06, 111_000),
    ("Miryang", "South Gyeongsang", 35.50, 128.75, 104_000),
    ("Jeju", "Jeju", 33.50, 126.53, 492_000),
    ("Seogwipo", "Jeju", 33.25, 126.56, 183_000),
)

# County seats (gun) and province centres shape the province map: a land cell belongs to the
# province of the nearest of these points, of the cities above and of the metropolitan cities
# (counted with their surrounding province). (name, province, lat, lon).
COUNTY_SEATS: tuple[tuple[str, str, float, float], ...] = (
    ("Yeoju", "Gyeonggi", 37.30, 127.64),
    ("Yangpyeong", "Gyeonggi", 37.49, 127.49),
    ("Gapyeong", "Gyeonggi", 37.83, 127.51),
    ("Yeoncheon", "Gyeonggi", 38.10, 127.07),
    ("Dongducheon", "Gyeonggi", 37.90, 127.06),
    ("Cheorwon", "Gangwon", 38.15, 127.31),
    ("Hwacheon", "Gangwon", 38.11, 127.71),
    ("Yanggu", "Gangwon", 38.11, 127.99),
    ("Inje", "Gangwon", 38.07, 128.17),
    ("Goseong (Gangwon)", "Gangwon", 38.38, 128.47),
    ("Yangyang", "Gangwon", 38.08, 128.62),
    ("Hongcheon", "Gangwon", 37.69, 127.89),
    ("Hoengseong", "Gangwon", 37.49, 127.98),
    ("Pyeongchang", "Gangwon", 37.37, 128.39),
    ("Jeongseon", "Gangwon", 37.38, 128.66),
    ("Yeongwol", "Gangwon", 37.18, 128.46),
    ("Taebaek", "Gangwon", 37.16, 128.99),
    ("Danyang", "North Chungcheong", 36.98, 128.37),
    ("Goesan", "North Chungcheong", 36.82, 127.79),
    ("Eumseong", "North Chungcheong", 36.94, 127.69),
    ("Jincheon", "North Chungcheong", 36.86, 127.44),
    ("Jeungpyeong", "North Chungcheong", 36.79, 127.58),
    ("Boeun", "North Chungcheong", 36.49, 127.73),
    ("Okcheon", "North Chungcheong", 36.31, 127.57),
    ("Yeongdong", "North Chungcheong", 36.18, 127.78),
    ("Taean", "South Chungcheong", 36.75, 126.30),
    ("Hongseong", "South Chungcheong", 36.60, 126.66),
    ("Yesan", "South Chungcheong", 36.68, 126.85),
    ("Cheongyang", "South Chungcheong", 36.46, 126.80),
    ("Buyeo", "South Chungcheong", 36.28, 126.91),
    ("Seocheon", "South Chungcheong", 36.08, 126.69),
    ("Geumsan", "South Chungcheong", 36.11, 127.49),
    ("Gyeryong", "South Chungcheong", 36.27, 127.25),
    ("Wanju", "North Jeolla", 35.90, 127.16),
    ("Buan", "North Jeolla", 35.73, 126.73),
    ("Gochang", "North Jeolla", 35.44, 126.70),
    ("Sunchang", "North Jeolla", 35.37, 127.14),
    ("Imsil", "North Jeolla", 35.62, 127.29),
    ("Jinan", "North Jeolla", 35.79, 127.42),
    ("Jangsu", "North Jeolla", 35.65, 127.52),
    ("Muju", "North Jeolla", 36.01, 127.66),
    ("Yeonggwang", "South Jeolla", 35.28, 126.51),
    ("Jangseong", "South Jeolla", 35.30, 126.78),
    ("Damyang", "South Jeolla", 35.32, 126.99),
    ("Gokseong", "South Jeolla", 35.28, 127.29),
    ("Gurye", "South Jeolla", 35.20, 127.46),
    ("Hwasun", "South Jeolla", 35.06, 126.99),
    ("Hampyeong", "South Jeolla", 35.07, 126.52),
    ("Muan", "South Jeolla", 34.99, 126.48),
    ("Yeongam", "South Jeolla", 34.80, 126.70),
    ("Gangjin", "South Jeolla", 34.64, 126.77),
    ("Jangheung", "South Jeolla", 34.68, 126.91),
    ("Boseong", "South Jeolla", 34.77, 127.08),
    ("Goheung", "South Jeolla", 34.61, 127.28),
    ("Haenam", "South Jeolla", 34.57, 126.60),
    ("Jindo", "South Jeolla", 34.49, 126.26),
    ("Wando", "South Jeolla", 34.31, 126.75),
    ("Yecheon", "North Gyeongsang", 36.65, 128.45),
    ("Bonghwa", "North Gyeongsang", 36.89, 128.73),
    ("Uljin", "North Gyeongsang", 36.99, 129.40),
    ("Yeongyang", "North Gyeongsang", 36.67, 129.11),
    ("Yeongdeok", "North Gyeongsang", 36.41, 129.37),
    ("Cheongsong", "North Gyeongsang", 36.43, 129.06),
    ("Uiseong", "North Gyeongsang", 36.35, 128.70),
    ("Gunwi", "North Gyeongsang", 36.24, 128.57),
    ("Chilgok", "North Gyeongsang", 35.99, 128.40),
    ("Seongju", "North Gyeongsang", 35.92, 128.28),
    ("Goryeong", "North Gyeongsang", 35.73, 128.26),
    ("Cheongdo", "North Gyeongsang", 35.65, 128.73),
    ("Geochang", "South Gyeongsang", 35.69, 127.91),
    ("Hamyang", "South Gyeongsang", 35.52, 127.73),
    ("Hapcheon", "South Gyeongsang", 35.57, 128.17),
    ("Sancheong", "South Gyeongsang", 35.42, 127.87),
    ("Changnyeong", "South Gyeongsang", 35.54, 128.49),
    ("Uiryeong", "South Gyeongsang", 35.32, 128.26),
    ("Haman", "South Gyeongsang", 35.27, 128.41),
    ("Hadong", "South Gyeongsang", 35.07, 127.75),
    ("Namhae", "South Gyeongsang", 34.84, 127.89),
    ("Goseong (Gyeongnam)", "South Gyeongsang", 34.97, 128.32),
)

# Coastline of the Korean peninsula south of the DMZ, and the DMZ itself (the Military
# Demarcation Line, roughly), as one polygon of (lat, lon) vertices, clockwise from the Han
# estuary. Traced by hand from a general map at about 5 km accuracy: big islands joined to the
# mainland by bridges (Ganghwa, Anmyeon, Jindo, Wando, Namhae, Geoje) are folded in, small
# islands are sea. Jeju is its own polygon.
MAINLAND: tuple[tuple[float, float], ...] = (
    (37.76, 126.55),  # Han estuary, north of Gimpo
    (37.96, 126.68),  # Panmunjom
    (38.10, 126.92),
    (38.27, 127.10),  # Cheorwon
    (38.33, 127.40),
    (38.31, 127.80),
    (38.32, 128.05),  # Punchbowl
    (38.45, 128.20),
    (38.62, 128.36),  # east end of the DMZ, Goseong
    (38.38, 128.51),
    (38.21, 128.62),  # Sokcho
    (38.07, 128.68),
    (37.90, 128.83),
    (37.76, 128.96),  # Gangneung
    (37.62, 129.07),
    (37.50, 129.16),  # Donghae
    (37.43, 129.22),  # Samcheok
    (37.25, 129.34),
    (37.05, 129.43),
    (36.80, 129.48),  # Uljin
    (36.55, 129.44),
    (36.35, 129.40),  # Yeongdeok
    (36.12, 129.40),
    (36.08, 129.58),  # Homigot
    (35.98, 129.58),
    (35.80, 129.51),
    (35.60, 129.47),
    (35.48, 129.45),  # Ulsan
    (35.36, 129.37),
    (35.25, 129.26),
    (35.16, 129.21),  # Haeundae
    (35.05, 129.10),  # Yeongdo
    (35.04, 128.97),  # Nakdong estuary
    (35.00, 128.82),
    (34.95, 128.75),  # Geoje
    (34.72, 128.66),
    (34.76, 128.50),
    (34.80, 128.38),  # Tongyeong
    (34.92, 128.24),
    (34.88, 128.08),
    (34.72, 128.02),  # Namhae
    (34.72, 127.86),
    (34.88, 127.78),  # Gwangyang bay
    (34.65, 127.77),  # Yeosu, Dolsan
    (34.62, 127.62),
    (34.70, 127.52),
    (34.48, 127.45),  # Goheung
    (34.44, 127.28),
    (34.56, 127.15),
    (34.68, 127.08),  # Boseong bay
    (34.45, 126.92),
    (34.26, 126.78),  # Wando
    (34.28, 126.52),  # Ttangkkeut
    (34.35, 126.28),  # Jindo
    (34.42, 126.10),
    (34.56, 126.18),
    (34.70, 126.30),
    (34.80, 126.30),  # Mokpo
    (34.95, 126.28),
    (35.10, 126.32),
    (35.30, 126.36),  # Yeonggwang
    (35.45, 126.42),
    (35.58, 126.46),
    (35.66, 126.44),  # Byeonsan
    (35.84, 126.56),
    (35.98, 126.58),  # Gunsan
    (36.12, 126.58),
    (36.30, 126.50),  # Boryeong
    (36.42, 126.40),
    (36.40, 126.30),  # Anmyeon-do
    (36.58, 126.26),
    (36.75, 126.12),  # Taean
    (36.92, 126.14),
    (37.02, 126.32),
    (37.02, 126.45),  # Daesan
    (36.98, 126.62),
    (36.96, 126.76),  # Asan bay, Pyeongtaek port
    (36.92, 126.88),
    (37.04, 126.82),
    (37.10, 126.66),
    (37.22, 126.60),
    (37.31, 126.66),  # Sihwa
    (37.37, 126.60),  # Songdo
    (37.47, 126.56),  # Incheon port
    (37.44, 126.40),  # Yeongjong-do
    (37.56, 126.38),
    (37.62, 126.30),  # Ganghwa
    (37.78, 126.36),
    (37.79, 126.50),
)

JEJU: tuple[tuple[float, float], ...] = (
    (33.57, 126.52),  # Jeju City
    (33.56, 126.75),
    (33.53, 126.90),
    (33.46, 126.96),  # Seongsan
    (33.38, 126.88),
    (33.30, 126.76),
    (33.22, 126.58),  # Seogwipo
    (33.21, 126.40),
    (33.18, 126.26),  # Moseulpo
    (33.28, 126.14),  # Gosan
    (33.38, 126.20),
    (33.45, 126.30),  # Hallim
    (33.52, 126.40),
)


# ---------------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------------


def _deg_per_cell(cell_km: float, lat_ref: float) -> tuple[float, float]:
    """Degrees of latitude and longitude per cell."""
    return cell_km / KM_PER_DEG_LAT, cell_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat_ref)))


@dataclass(frozen=True, eq=False)
class KoreaGrid:
    """A population grid of South Korea: head counts per cell and named places.

    Attributes
    ----------
    population : np.ndarray
        Head counts, int32, shape (rows, cols), row 0 the northernmost; read-only.
    cell_km : float
        Side of a cell in kilometres (exact east-west at `lat_ref`).
    lat_north : float
        Latitude (degrees north) of the northern edge of the grid.
    lon_west : float
        Longitude (degrees east) of the western edge of the grid.
    landmarks : Mapping[str, tuple[int, int]]
        Named places (cities; "Hyosan", fictional) and their (row, col) cell; read-only.
    lat_ref : float
        Latitude at which a cell is exactly `cell_km` wide.
    """

    population: np.ndarray
    cell_km: float
    lat_north: float
    lon_west: float
    landmarks: Mapping[str, tuple[int, int]]
    lat_ref: float = LAT_REF

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the grid."""
        rows, cols = self.population.shape
        return int(rows), int(cols)

    @property
    def total(self) -> int:
        """Everyone on the grid."""
        return int(self.population.sum(dtype=np.int64))

    def cell_of(self, lat: float, lon: float) -> tuple[int, int]:
        """The (row, col) cell that holds a point.

        Parameters
        ----------
        lat, lon : float
            Latitude and longitude in degrees (north, east).

        Returns
        -------
        tuple[int, int]
            Row (0 = north) and column (0 = west).

        Raises
        ------
        HyosanError
            If the point lies outside the grid.
        """
        dlat, dlon = _deg_per_cell(self.cell_km, self.lat_ref)
        row = math.floor((self.lat_north - lat) / dlat)
        col = math.floor((lon - self.lon_west) / dlon)
        rows, cols = self.shape
        if not (0 <= row < rows and 0 <= col < cols):
            south = self.lat_north - rows * dlat
            east = self.lon_west + cols * dlon
            raise HyosanError(
                f"({lat}, {lon}) is outside the Korea grid, which spans latitudes "
                f"{south:.2f} to {self.lat_north:.2f} and longitudes {self.lon_west:.2f} "
                f"to {east:.2f}"
            )
        return row, col

    def center_of(self, row: int, col: int) -> tuple[float, float]:
        """The (lat, lon) of a cell's centre.

        Parameters
        ----------
        row, col : int
            The cell.

        Returns
        -------
        tuple[float, float]
            Latitude and longitude in degrees.
        """
        dlat, dlon = _deg_per_cell(self.cell_km, self.lat_ref)
        return self.lat_north - (row + 0.5) * dlat, self.lon_west + (col + 0.5) * dlon


def _inside(
    lat: np.ndarray, lon: np.ndarray, polygon: tuple[tuple[float, float], ...]
) -> np.ndarray:
    """Whether each point lies inside a polygon (even-odd rule, vectorised ray casting)."""
    vertices = np.asarray(polygon, dtype=np.float64)
    inside = np.zeros(lat.shape, dtype=bool)
    y0, x0 = vertices[:, 0], vertices[:, 1]
    y1, x1 = np.roll(y0, -1), np.roll(x0, -1)
    for ya, xa, yb, xb in zip(y0, x0, y1, x1, strict=True):
        if ya == yb:
            continue
        crosses = (ya > lat) != (yb > lat)
        x_at = xa + (lat - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (lon < x_at)
    return inside


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative reals to integers summing exactly to `total` (largest remainders)."""
    floors = np.floor(values)
    counts = floors.astype(np.int64)
    missing = total - int(counts.sum())
    if missing < 0 or missing > values.size:
        raise AssertionError(f"cannot round {values.sum()} to {total}")
    if missing:
        order = np.argsort(-(values - floors), axis=None, kind="stable")
        counts.flat[order[:missing]] += 1
    return counts


def build_korea_grid() -> KoreaGrid:
    """Build the approximate South Korea grid from the figures typed in this module.

    Each land cell (its centre inside `MAINLAND` or `JEJU`) belongs to the province of the
    nearest city, county seat or province centre. Each city's people (a provincial city's
    `URBAN_SHARE` of them) are spread as a Gaussian blob over the land cells within three
    widths of its centre, the width growing with its size (2.5 km at 100,000 people, about
    10 km for Seoul); each province's remaining people are spread evenly over its land cells.
    The result is rounded to integers that sum exactly to the provinces' total. Deterministic.

    Returns
    -------
    KoreaGrid
        The grid, as `korea_grid()` loads it from the shipped file.
    """
    dlat, dlon = _deg_per_cell(CELL_KM, LAT_REF)
    rows_idx, cols_idx = np.mgrid[0:ROWS, 0:COLS]
    lat = LAT_NORTH - (rows_idx + 0.5) * dlat
    lon = LON_WEST + (cols_idx + 0.5) * dlon
    mainland = _inside(lat, lon, MAINLAND)
    jeju = _inside(lat, lon, JEJU)
    land = mainland | jeju

    def cell_of(la: float, lo: float) -> tuple[int, int]:
        return math.floor((LAT_NORTH - la) / dlat), math.floor((lo - LON_WEST) / dlon)

    # Positions in cell units (fractional column and row), for distances.
    def position(la: float, lo: float) -> tuple[float, float]:
        return (LAT_NORTH - la) / dlat, (lo - LON_WEST) / dlon

    # Province map: nearest anchor; Jeju's cells are Jeju's, the mainland's are not.
    names = list(PROVINCES)
    anchors: list[tuple[int, float, float]] = []
    for name, (_, la, lo) in PROVINCES.items():
        anchors.append((names.index(name), la, lo))
    for _, (la, lo, _, region) in METROPOLITAN.items():
        anchors.append((names.index(region), la, lo))
    # (The loops name the province `in_province`: `province` is the map below, an array.)
    for _, in_province, la, lo, _ in CITIES:
        anchors.append((names.index(in_province), la, lo))
    for _, in_province, la, lo in COUNTY_SEATS:
        anchors.append((names.index(in_province), la, lo))
    jeju_id = names.index("Jeju")
    best = np.full((ROWS, COLS), np.inf)
    province = np.full((ROWS, COLS), -1, dtype=np.int64)
    for pid, la, lo in anchors:
        if pid == jeju_id:
            continue
        r, c = position(la, lo)
        d2 = (rows_idx + 0.5 - r) ** 2 + (cols_idx + 0.5 - c) ** 2
        closer = d2 < best
        best = np.where(closer, d2, best)
        province = np.where(closer, pid, province)
    province = np.where(mainland, province, -1)
    province = np.where(jeju, jeju_id, province)

    people = np.zeros((ROWS, COLS), dtype=np.float64)
    rural = {name: float(pop) for name, (pop, _, _) in PROVINCES.items()}
    blobs = [(name, la, lo, float(pop)) for name, (la, lo, pop, _) in METROPOLITAN.items()]
    for name, prov, la, lo, city_pop in [
        *CITIES,
        ("Hyosan", "North Gyeongsang", *HYOSAN, HYOSAN_POPULATION),
    ]:
        urban = URBAN_SHARE * city_pop
        rural[prov] -= urban
        blobs.append((name, la, lo, urban))
    for name, la, lo, pop in blobs:
        r0, c0 = cell_of(la, lo)
        if not land[r0, c0]:
            raise AssertionError(f"{name}'s cell ({r0}, {c0}) is sea; fix the coastline")
        sigma_cells = 2.5 * (pop / 100_000) ** 0.3 / CELL_KM
        r, c = position(la, lo)
        d2 = ((rows_idx + 0.5 - r) ** 2 + (cols_idx + 0.5 - c) ** 2) / sigma_cells**2
        weight = np.where(land & (d2 <= 9.0), np.exp(-0.5 * d2), 0.0)
        weight[r0, c0] = max(weight[r0, c0], 1e-12)
        people += pop * weight / weight.sum()
    for pid, name in enumerate(names):
        cells = province == pid
        if rural[name] < 0 or not cells.any():
            raise AssertionError(f"{name}: rural pool {rural[name]}, {cells.sum()} cells")
        people[cells] += rural[name] / cells.sum()

    total = sum(pop for pop, _, _ in PROVINCES.values()) + sum(
        pop for _, _, pop, _ in METROPOLITAN.values()
    )
    population = _largest_remainder(people, total).astype(np.int32)
    population.flags.writeable = False

    landmarks: dict[str, tuple[int, int]] = {}
    for name, la, lo, _ in blobs:
        landmarks[name] = cell_of(la, lo)
    return KoreaGrid(
        population=population,
        cell_km=CELL_KM,
        lat_north=LAT_NORTH,
        lon_west=LON_WEST,
        landmarks=MappingProxyType(landmarks),
        lat_ref=LAT_REF,
    )


def landmark_coordinates() -> dict[str, tuple[float, float]]:
    """The (lat, lon) of every landmark, as typed in this module.

    Returns
    -------
    dict[str, tuple[float, float]]
        Name to latitude and longitude in degrees; "Hyosan" is fictional.
    """
    coords = {"Hyosan": HYOSAN}
    coords.update({name: (la, lo) for name, (la, lo, _, _) in METROPOLITAN.items()})
    coords.update({name: (la, lo) for name, _, la, lo, _ in CITIES})
    return coords


@functools.cache
def korea_grid() -> KoreaGrid:
    """The built-in approximate population grid of South Korea (5 km cells, 2020 figures).

    Loaded once from the package's `world/data/korea.npz` and shared: its arrays are
    read-only.

    Returns
    -------
    KoreaGrid
        About 51.8 million people on 127 x 94 cells of 5 km.
    """
    resource = resources.files("hyosan.world").joinpath("data").joinpath("korea.npz")
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        population = np.ascontiguousarray(data["population"], dtype=np.int32)
        names = [str(n) for n in data["landmark_names"]]
        cells = data["landmark_cells"]
        grid = KoreaGrid(
            population=population,
            cell_km=float(data["cell_km"]),
            lat_north=float(data["lat_north"]),
            lon_west=float(data["lon_west"]),
            landmarks=MappingProxyType(
                {n: (int(r), int(c)) for n, (r, c) in zip(names, cells, strict=True)}
            ),
            lat_ref=float(data["lat_ref"]) if "lat_ref" in data else LAT_REF,
        )
    population.flags.writeable = False
    return grid

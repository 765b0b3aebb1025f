"""Build the approximate South Korea population grid and write src/hyosan/world/data/korea.npz.

    python scripts/build_korea_grid.py            # rebuild the shipped file
    python scripts/build_korea_grid.py --check    # exit 1 if the shipped file is out of date

The facts (province and city populations, Statistics Korea 2020 census, rounded; coordinates of
cities and county seats; the coastline polygons) and the build itself live in
`hyosan.world.korea`, so that the tests rebuild the grid without importing this script.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np

from hyosan.world.korea import KoreaGrid, build_korea_grid

DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src" / "hyosan" / "world" / "data" / "korea.npz"
)


def npz_bytes(grid: KoreaGrid) -> bytes:
    """The grid as a compressed .npz file (population int32, row 0 north; corner; landmarks)."""
    names = np.array(list(grid.landmarks), dtype=np.str_)
    cells = np.array(list(grid.landmarks.values()), dtype=np.int32).reshape(-1, 2)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        population=np.ascontiguousarray(grid.population, dtype=np.int32),
        lat_north=np.float64(grid.lat_north),
        lon_west=np.float64(grid.lon_west),
        cell_km=np.float64(grid.cell_km),
        lat_ref=np.float64(grid.lat_ref),
        landmark_names=names,
        landmark_cells=cells,
    )
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build the grid, then write it (or, with --check, compare it with the file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the .npz")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)

    grid = build_korea_grid()
    pop = grid.population
    rows, cols = pop.shape
    print(
        f"{rows} x {cols} cells of {grid.cell_km:g} km, {int((pop > 0).sum()):,} non-empty, "
        f"{grid.total:,} people, largest cell {int(pop.max()):,}, "
        f"{len(grid.landmarks)} landmarks"
    )
    if args.check:
        with np.load(args.out, allow_pickle=False) as stored:
            same = np.array_equal(stored["population"], pop) and list(
                stored["landmark_names"]
            ) == list(grid.landmarks)
        print(f"{args.out}: {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    data = npz_bytes(grid)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".npz.partial")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write a population grid of your own: head counts per cell, row 0 first."""

import numpy as np

rows, cols = 20, 30
y, x = np.mgrid[0:rows, 0:cols]
# A city of about 100,000 people around its centre, thinning out towards the edges.
density = np.exp(-(((y - 10) / 5.0) ** 2 + ((x - 15) / 8.0) ** 2))
heads = np.rint(100_000 * density / density.sum()).astype(np.int64)
np.save("my-grid.npy", heads)  # also accepted: .csv, .json, .json.gz (and GeoTIFF)
print(f"{heads.sum():,} people in {np.count_nonzero(heads)} inhabited cells")

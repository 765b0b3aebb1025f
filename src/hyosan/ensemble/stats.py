"""Interval estimates for ensemble outcomes: Wilson intervals and paired t intervals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["Z95", "paired_difference", "wilson"]

#: The 97.5 % point of the standard normal distribution (two-sided 95 % intervals).
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> dict[str, float | None]:
    """The proportion `successes / n` with its Wilson score interval.

    The Wilson interval stays inside [0, 1] and keeps close to its nominal coverage for small
    `n` and for proportions near 0 or 1, where the normal approximation fails.

    Parameters
    ----------
    successes, n
        Count of runs with the outcome, out of `n` runs.
    z
        Normal quantile of the interval (default: 95 %).

    Returns
    -------
    dict
        ``{"estimate", "low", "high"}``; all None when `n` is 0.
    """
    if n <= 0:
        return {"estimate": None, "low": None, "high": None}
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, n]; found {successes} of {n}")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At p = 0 or 1 one bound is exactly 0 or 1; rounding must not push it past.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return {"estimate": p, "low": low, "high": high}


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> dict[str, Any]:
    """Mean of the paired differences b − a with its Student t interval.

    Pairs where either value is missing (NaN) are left out; `n` says how many were used.

    Parameters
    ----------
    a, b
        Outcomes of the same replicates (same seeds) under scenarios A and B.
    level
        Coverage of the two-sided interval.

    Returns
    -------
    dict
        ``{"mean", "low", "high", "n"}``; the bounds are None with fewer than two pairs.
    """
    from scipy import stats

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    keep = ~(np.isnan(a) | np.isnan(b))
    d = b[keep] - a[keep]
    n = int(d.size)
    if n == 0:
        return {"mean": None, "low": None, "high": None, "n": 0}
    mean = float(d.mean())
    if n < 2:
        return {"mean": mean, "low": None, "high": None, "n": n}
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": n}

"""tau against the exact engine on the same scenarios: the mean and spread of outcomes agree.

K runs of each engine give two samples. Means: a two-sample z-test at 4 standard errors.
Spreads: the ratio of the sample variances against the F distribution, two-sided at 1e-4.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import hyosan
from hyosan.engines import get_engine
from hyosan.scenario.load import parse_scenario


def _samples(scen: hyosan.Scenario, column: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    ssa, tau = get_engine("ssa"), get_engine("tau")
    a = np.array([ssa.run(scen, seed=s).series(column)[-1] for s in range(k)])
    b = np.array([tau.run(scen, seed=10_000 + s).series(column)[-1] for s in range(k)])
    return a, b


def _assert_same_law(a: np.ndarray, b: np.ndarray) -> None:
    k_a, k_b = a.size, b.size
    se = math.sqrt(a.var(ddof=1) / k_a + b.var(ddof=1) / k_b)
    assert abs(a.mean() - b.mean()) <= 4 * se, (a.mean(), b.mean(), se)
    ratio = b.var(ddof=1) / a.var(ddof=1)
    lo, hi = stats.f.ppf([5e-5, 1 - 5e-5], k_b - 1, k_a - 1)
    assert lo <= ratio <= hi, (ratio, lo, hi)


def test_sir_final_size_matches_ssa() -> None:
    """Well-mixed SIR, 2,000 people, R0 = 2: the number ever infected agrees with ssa."""
    scen = hyosan.load_scenario(
        "sir", ["initial.S=1980", "initial.I=20", "time.horizon=150d", "time.output_every=5d"]
    )
    ssa, tau = _samples(scen, "R", 300)
    _assert_same_law(ssa, tau)


GRID = """
name = "small grid"
model = "sezr-frequency"
parameters = { bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }
time = { horizon = "6d", output_every = "1d" }

[world]
kind = "lattice"
size = [5, 5]
fill = { S = 40 }
movement = { Z = "0.2/day" }
cross = { reactions = ["bite", "kill"], factor = 0.3 }

[[world.seeds]]
at = "center"
counts = { Z = 10 }
"""


def test_grid_with_cross_edge_reactions_matches_ssa() -> None:
    """A 5 × 5 grid with moves and bites and kills across edges: zombies destroyed agree."""
    scen = parse_scenario(GRID, "small grid")
    ssa, tau = _samples(scen, "R", 120)
    _assert_same_law(ssa, tau)

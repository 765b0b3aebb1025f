"""Alemi's lattice experiment (docs/science A6) with the ssa engine.

One person per site of a 256 × 256 lattice (the built-in alemi-lattice scenario), bites and kills
only across edges, one zombie in the centre. Every active human–zombie bond is equally likely to
act next, a bite with probability 1/(1 + α). The critical ratio is α_c ≈ 0.4373: below it
outbreaks that survive the first steps keep spreading to the border; above it they die out.

Why 256 × 256: a smaller lattice blurs the two sides. The correlation length at α = 0.40 and 0.48
(bond probabilities 0.714 and 0.676 against 0.696 at α_c) is some tens of sites, so a border
128 sites away separates the sides clearly; `stop_at_edge` ends a spreading run as soon as it
gets there, and a dying one is cheap: the file takes 20–35 s on a 2-core machine (most of it
building the 65,536-place selection structure once per run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

import hyosan

#: Runs per α (240 in all). About 60 % (α = 0.40) and 45 % (α = 0.48) of the runs reach 20 sites.
RUNS = 120
#: An outbreak "survives the first steps" when it reaches this many sites.
SURVIVED = 20


@dataclass(frozen=True)
class Outcome:
    reached: int
    reached_edge: bool
    rows: int
    cols: int
    bites: int
    kills: int
    zombies_left: float
    stopped_by: str


def _run(alpha: float, seed: int) -> Outcome:
    result = hyosan.simulate(
        "alemi-lattice",
        engine="ssa",
        seed=seed,
        overrides=[
            f"parameters.kill_rate={alpha}/day",
            "record.snapshots=0",
            "world.stop_at_edge=true",
            "time.output_every=10000d",
        ],
    )
    out = result.outbreak
    assert out is not None
    by_kind = result.diagnostics["events_by_kind"]
    return Outcome(
        reached=out.places_reached,
        reached_edge=bool(out.reached_edge),
        rows=out.reach_rows_cells,
        cols=out.reach_cols_cells,
        bites=by_kind["bite across"],
        kills=by_kind["kill across"],
        zombies_left=result.summary()["final"]["zombie"],
        stopped_by=result.stopped_by,
    )


@pytest.fixture(scope="module")
def outcomes() -> dict[float, list[Outcome]]:
    """RUNS runs at α = 0.40 and at α = 0.48, with disjoint seeds so the samples are
    independent."""
    return {
        0.40: [_run(0.40, seed) for seed in range(RUNS)],
        0.48: [_run(0.48, 10_000 + seed) for seed in range(RUNS)],
    }


def test_a6_below_the_critical_ratio_survivors_reach_the_border(
    outcomes: dict[float, list[Outcome]],
) -> None:
    """Among outbreaks that reach 20 sites, the share that reaches the border at α = 0.40 (below
    α_c) exceeds that at α = 0.48 (above α_c) by more than 4 standard deviations of the
    difference of two proportions (pooled under the null of no difference)."""
    below = [o for o in outcomes[0.40] if o.reached >= SURVIVED]
    above = [o for o in outcomes[0.48] if o.reached >= SURVIVED]
    n1, n2 = len(below), len(above)
    assert n1 >= 30
    assert n2 >= 30
    k1 = sum(o.reached_edge for o in below)
    k2 = sum(o.reached_edge for o in above)
    p1, p2, pooled = k1 / n1, k2 / n2, (k1 + k2) / (n1 + n2)
    sigma = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert p1 - p2 > 4 * sigma, (k1, n1, k2, n2)


def test_a6_runs_end_at_the_border_or_with_no_zombie(
    outcomes: dict[float, list[Outcome]],
) -> None:
    """stop_at_edge: a run stops exactly when a zombie reaches the border; any other run holds
    to the horizon (10,000 days: long after its last human–zombie bond is gone; zombies walled
    in by zombies and the dead stay). Zombies are counted exactly: 1 + bites − kills. Above α_c
    no run that dies before 20 sites reaches the border."""
    for alpha, runs in outcomes.items():
        for o in runs:
            assert o.reached_edge == (o.stopped_by == "edge"), (alpha, o)
            assert o.zombies_left == 1 + o.bites - o.kills, (alpha, o)
            if not o.reached_edge:
                assert o.stopped_by == "horizon"
            else:
                assert max(o.rows, o.cols) >= 127  # the centre is (128, 128) of 0..255
    assert not any(o.reached_edge for o in outcomes[0.48] if o.reached < SURVIVED)


def test_a6_every_event_is_a_bond_bite_with_probability_one_over_one_plus_alpha(
    outcomes: dict[float, list[Outcome]],
) -> None:
    """Whatever the state, the next event is a bite with probability p = 1/(1 + α), so with N
    events in a run and B bites, Σ(B − pN) has mean 0 and variance p(1 − p)ΣN (Wald's
    identities; the run's end is a stopping time). Each bite makes one new zombie site, so the
    sites reached are 1 + B."""
    for alpha, runs in outcomes.items():
        p = 1 / (1 + alpha)
        bites = np.array([o.bites for o in runs])
        events = np.array([o.bites + o.kills for o in runs])
        assert all(o.reached == 1 + o.bites for o in runs)
        z = (bites - p * events).sum() / math.sqrt(p * (1 - p) * events.sum())
        assert abs(z) <= 4, (alpha, z)


def test_a6_no_anisotropy(outcomes: dict[float, list[Outcome]]) -> None:
    """The square lattice's outbreaks reach as far along rows as along columns: over the runs
    that survive the first steps, the mean of (reach along rows − reach along columns) is 0
    within 4 standard errors (a paired test), at each α."""
    for alpha, runs in outcomes.items():
        d = np.array([o.rows - o.cols for o in runs if o.reached >= SURVIVED], dtype=float)
        se = d.std(ddof=1) / math.sqrt(d.size)
        assert abs(d.mean()) <= 4 * se, (alpha, d.mean(), se)

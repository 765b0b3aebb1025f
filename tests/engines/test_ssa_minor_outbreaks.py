"""Minor outbreaks of the Markovian SIR with the ssa engine (docs/science T3).

With m initial cases and R0 = β/γ > 1 in a large population, P(minor outbreak) ≈ (1/R0)^m.
For frequency mixing in a closed population of N the law is also exact and computable: while
S people are susceptible the next event is an infection with probability R0·S/(R0·S + N),
otherwise a recovery, so the number infected before the epidemic ends has a law we compute by
dynamic programming (`_size_law`). The runs are checked against both, with docs/science's
rule: a probability p from n runs within 4·sqrt(p(1 − p)/n); the size law by χ² (p > 1e-3).
The zombie analogue, α^{Z0}, is A4 (test_ssa_theory.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from law_helpers import pooled_cells
from scipy import stats

import hyosan
from hyosan.engines import get_engine

SSA = get_engine("ssa")
N = 2000
R0 = 2.0  # the sir model's β = 0.5/day and γ = 0.25/day
#: An outbreak is minor when it infects fewer than 200 (10 % of N) besides the first cases.
#: Minor outbreaks are the total progeny of a subcritical branching process (R0' = 1/R0), whose
#: chance of exceeding 200 is below 1e-9 (`test_threshold_separates_the_two_kinds` checks it from
#: the exact law); major ones infect N·z ≈ 1594 ± 41.
MINOR = 200
RUNS = 1500


def _size_law(m: int, limit: int) -> np.ndarray:
    """P(the epidemic ends after exactly b further infections), b = 0 .. limit − 1, exactly.

    The jump chain: from (b infections so far, i infectious) the next event is an infection
    with probability R0·s/(R0·s + N), s = N − m − b susceptibles, else a recovery.
    """
    law = np.zeros(limit)
    # prob[i] = P(reach (b, i) with no earlier end), for the current b.
    prob = np.zeros(m + limit + 2)
    prob[m] = 1.0
    for b in range(limit):
        s = N - m - b
        p_inf = R0 * s / (R0 * s + N)
        # Recoveries at fixed b: walk i down, collecting the chance of reaching 0.
        nxt = np.zeros_like(prob)
        carry = prob.copy()
        for i in range(carry.size - 1, 0, -1):
            if carry[i] == 0.0:
                continue
            nxt[i + 1] += carry[i] * p_inf
            carry[i - 1] += carry[i] * (1 - p_inf)
        law[b] = carry[0]
        prob = nxt
    return law


def _finals(m: int) -> np.ndarray:
    scen = hyosan.load_scenario(
        "sir",
        [
            f"initial.S={N - m}",
            f"initial.I={m}",
            "initial.R=0",
            "time.horizon=600d",
            "time.output_every=600d",
        ],
    )
    out = np.empty(RUNS, dtype=np.int64)
    for seed in range(RUNS):
        result = SSA.run(scen, seed=10_000 * m + seed)
        assert result.series("I")[-1] == 0  # every outbreak is over by 600 days
        out[seed] = int(result.series("R")[-1]) - m
    return out


def test_threshold_separates_the_two_kinds() -> None:
    """The exact law puts (1/R0)^m, up to O(1/N), on outbreaks of fewer than 200, and almost
    nothing on 150 to 199 (the tail of minor outbreaks is gone long before the threshold)."""
    for m in (1, 2):
        law = _size_law(m, MINOR)
        assert law.sum() == pytest.approx(R0**-m, abs=2e-3)
        assert law[150:].sum() < 1e-9


@pytest.mark.parametrize("m", [1, 2])
def test_t3_probability_of_a_minor_outbreak(m: int) -> None:
    """With m = 1 and 2 initial cases, R0 = 2, N = 2000: the share of minor outbreaks is within
    4σ of (1/R0)^m and of the exact finite-N probability; the sizes of the minor ones follow
    the exact law (χ², cells pooled to expect ≥ 5 each)."""
    finals = _finals(m)
    minor = finals < MINOR
    assert np.all(finals[~minor] > 0.6 * N)  # nothing in between: the two kinds are apart
    law = _size_law(m, MINOR)
    p_hat = minor.mean()
    for p in (R0**-m, law.sum()):
        assert abs(p_hat - p) <= 4 * math.sqrt(p * (1 - p) / RUNS), (m, p_hat, p)
    observed = np.bincount(finals[minor], minlength=MINOR).astype(float)
    expected = law * RUNS
    # Pool the cells left to right while they expect fewer than 5; the rest of the law (major
    # outbreaks) is one more cell.
    pooled_o, pooled_e = pooled_cells(observed, expected)
    pooled_o.append(float((~minor).sum()))
    pooled_e.append(RUNS * (1 - law.sum()))
    assert stats.chisquare(pooled_o, pooled_e).pvalue > 1e-3

"""The ssa engine against exact stochastic theory (docs/science A4, A5, T9, T10, M4).

Tolerances follow docs/science's rule: a probability p estimated from n runs is accepted within
4·sqrt(p(1 − p)/n); a mean within 4 standard errors; distributions by χ² or Kolmogorov–Smirnov
with p > 1e-3.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from law_helpers import pooled_chisquare_p
from scipy import stats

import hyosan
from hyosan.engines import get_engine
from hyosan.models.analysis import alemi_p_humans_win_after

SSA = get_engine("ssa")
DAY = 86400.0


def _alemi(S0: int, Z0: int, beta_per_day: float, ratio: float) -> hyosan.Scenario:
    return hyosan.load_scenario(
        "alemi-szr",
        [
            f"initial.S={S0}",
            f"initial.Z={Z0}",
            f"parameters.bite_rate={beta_per_day}/day",
            f"parameters.kill_rate={beta_per_day * ratio}/day",
            "time.horizon=36500d",
            "time.output_every=3650d",
        ],
    )


def _custom(text: str) -> hyosan.Scenario:
    from hyosan.scenario.load import parse_scenario

    return parse_scenario(text, "test scenario")


@pytest.mark.parametrize(
    ("S0", "Z0", "beta", "ratio"),
    [(10, 1, 0.01, 0.5), (12, 2, 1.0, 0.8), (8, 3, 0.2, 1.5)],
)
def test_a4_who_wins_and_how_many_are_bitten(S0: int, Z0: int, beta: float, ratio: float) -> None:
    """The number bitten follows the exact random-walk law, whatever β (χ², p > 1e-3)."""
    n = 1500
    scen = _alemi(S0, Z0, beta, ratio)
    bites = np.array(
        [SSA.run(scen, seed=s).diagnostics["events_by_kind"]["bite"] for s in range(n)]
    )
    law = np.array([alemi_p_humans_win_after(b, Z0, ratio) for b in range(S0)])
    law = np.append(law, 1.0 - law.sum())  # b = S0: every human bitten, the zombies win
    p_win = law[:-1].sum()
    p_hat = float(np.mean(bites < S0))
    assert abs(p_hat - p_win) <= 4 * math.sqrt(p_win * (1 - p_win) / n)
    observed = np.bincount(bites, minlength=S0 + 1).astype(float)
    assert pooled_chisquare_p(observed, law * n) > 1e-3


def test_a5_the_clock() -> None:
    """One human and one zombie: the only event comes after Exp(β + κ), a bite w.p. β/(β + κ)."""
    beta, kappa, n = 2.0, 1.0, 2000
    scen = _alemi(1, 1, beta, kappa / beta).evolve(
        thresholds=[
            {"name": "bitten", "of": "human", "below": 1},
            {"name": "killed", "of": "zombie", "below": 1},
        ]
    )
    times, bitten = [], []
    for seed in range(n):
        c = SSA.run(scen, seed=seed).crossings
        bitten.append(c["bitten"] is not None)
        times.append((c["bitten"] if c["bitten"] is not None else c["killed"]) / DAY)
    p = beta / (beta + kappa)
    assert abs(np.mean(bitten) - p) <= 4 * math.sqrt(p * (1 - p) / n)
    mean = 1 / (beta + kappa)
    assert abs(np.mean(times) - mean) <= 4 * mean / math.sqrt(n)
    assert stats.kstest(times, "expon", args=(0, mean)).pvalue > 1e-3


DECAY = """
name = "decay"
initial = { X = 1000 }
time = { horizon = "2d", output_every = "1d" }

[model]
compartments = { X = "zombie" }
parameters = { c = "0.5/day" }
reactions = [{ name = "rot", equation = "X ->", rate = "c" }]
"""


def test_t9_decay_is_binomial() -> None:
    """X → ∅ at rate c each leaves Binomial(X0, e^{−ct}): mean 367.879, variance 232.544."""
    n = 600
    scen = _custom(DECAY)
    x = np.array([SSA.run(scen, seed=s).series("X")[-1] for s in range(n)])
    p = math.exp(-1.0)
    mean, var = 1000 * p, 1000 * p * (1 - p)
    assert abs(x.mean() - mean) <= 4 * math.sqrt(var / n)
    # The sample variance of n draws has standard deviation about var·sqrt(2/(n − 1)).
    assert abs(x.var(ddof=1) - var) <= 4 * var * math.sqrt(2 / (n - 1))
    observed = np.bincount(x.astype(int), minlength=1001)
    lo, hi = 330, 406  # ±2.5σ; the tails are pooled below
    pmf = stats.binom(1000, p)
    exp_mid = pmf.pmf(np.arange(lo, hi)) * n
    obs = [observed[:lo].sum(), *observed[lo:hi], observed[hi:].sum()]
    exp = [pmf.cdf(lo - 1) * n, *exp_mid, pmf.sf(hi - 1) * n]
    assert pooled_chisquare_p(obs, exp) > 1e-3


IMMIGRATION = """
name = "immigration"
initial = { X = 0 }
time = { horizon = "3d", output_every = "1d" }

[model]
compartments = { X = "zombie" }
parameters = { k = "10/day", mu = "0.5/day" }
reactions = [
    { name = "arrive", equation = "-> X", rate = "k" },
    { name = "rot", equation = "X ->", rate = "mu" },
]
"""


def test_t10_immigration_death_is_poisson() -> None:
    """∅ → X at rate k, X → ∅ at rate μ each, from 0: X(t) ~ Poisson((k/μ)(1 − e^{−μt}))."""
    n = 800
    scen = _custom(IMMIGRATION)
    x = np.array([SSA.run(scen, seed=s).series("X")[-1] for s in range(n)]).astype(int)
    lam = 20 * (1 - math.exp(-1.5))
    cells = np.arange(9, 23)
    pmf = stats.poisson(lam)
    obs = [np.sum(x < cells[0]), *[np.sum(x == c) for c in cells], np.sum(x > cells[-1])]
    exp = [pmf.cdf(cells[0] - 1) * n, *(pmf.pmf(cells) * n), pmf.sf(cells[-1]) * n]
    assert min(exp) >= 5
    assert stats.chisquare(obs, exp).pvalue > 1e-3


def test_m4_zombies_die_out_when_r0_below_one() -> None:
    """In the quarantine model with R0 = 0.79 and no resurrection every run ends zombie-free."""
    scen = hyosan.load_scenario(
        "munz-quarantine", ["parameters.resurrection_rate=0/day", "time.horizon=3000d"]
    )
    for seed in range(50):
        result = SSA.run(scen, seed=seed)
        assert result.series("Z")[-1] == 0
        assert result.series("I")[-1] == 0


def test_fractional_counts_refused() -> None:
    """The exact engine counts people: a fractional initial count is an error naming the field."""
    with pytest.raises(hyosan.HyosanError, match=r"initial\.S"):
        SSA.run(hyosan.load_scenario("munz-basic", ["initial.S=10.5"]))

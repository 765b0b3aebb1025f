"""The exact stochastic engine against the ode engine (docs/science T11, T1, M1).

- T11: where the mean field sits still at a neutral fixed point (Lotka), the exact stochastic
  run must not: the ODE stays at (1000, 1000) and the ssa path wanders far from it.
- T1: in a large population the major outbreaks of the stochastic SIR average to the ODE's final
  size, z = 1 − e^{−R0 z} (0.7968121300 for R0 = 2), within a few standard errors.
- M1 scaled: Munz's basic outbreak with 40 times the people and the per-capita rates kept; the
  mean of many ssa runs follows the ODE up to the random delay of the first, few-zombie phase,
  whose law is known exactly (see `_shift_sample`).

Tolerances: means within 4 standard errors (estimated from the runs), plus any finite-size
bias that is derived, not fitted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import hyosan
from hyosan.engines import get_engine
from hyosan.scenario.load import parse_scenario

SSA = get_engine("ssa")
ODE = get_engine("ode")
DAY = 86400.0

# --- T11: Lotka ---------------------------------------------------------------------------------

LOTKA = """
name = "lotka"
description = "Gillespie's (1977) Lotka reactions with the prey's food X̄ held constant."
initial = { Y1 = 1000, Y2 = 1000, Z = 0 }
time = { horizon = "10s", output_every = "0.01s", display_unit = "s" }

[model]
compartments = { Y1 = "human", Y2 = "zombie", Z = "removed" }
parameters = { c1X = "10/s", c2 = "0.01/s", c3 = "10/s" }

[[model.reactions]]
name = "prey_feeds"
equation = "Y1 -> 2 Y1"
rate = "c1X"

[[model.reactions]]
name = "predation"
equation = "Y1 + Y2 -> 2 Y2"
rate = "c2"

[[model.reactions]]
name = "predator_dies"
equation = "Y2 -> Z"
rate = "c3"
"""


def test_t11_the_ode_sits_at_the_lotka_fixed_point() -> None:
    """Y1′ = c1X̄·Y1 − c2·Y1·Y2 and Y2′ = c2·Y1·Y2 − c3·Y2 vanish at (1000, 1000): the ODE stays
    there to 1e-6 over t ∈ [0, 10] s, while Z grows as c3·1000·t."""
    result = ODE.run(parse_scenario(LOTKA, "lotka"), seed=1)
    assert result.times.size == 1001
    assert np.abs(result.series("Y1") - 1000).max() <= 1e-6
    assert np.abs(result.series("Y2") - 1000).max() <= 1e-6
    np.testing.assert_allclose(result.series("Z"), 1e4 * result.times, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_t11_the_exact_stochastic_run_wanders_away(seed: int) -> None:
    """The same reactions simulated exactly: the fixed point is neutral, so noise drives Y1 round
    ever larger cycles; its sample variance over the 1001 output times of t ∈ [0, 10] s is well
    above 1e4 (the ODE's is 0). Z counts the predator deaths exactly."""
    result = SSA.run(parse_scenario(LOTKA, "lotka"), seed=seed)
    y1 = result.series("Y1")
    assert y1.size == 1001
    assert y1.var(ddof=1) > 1e4, y1.var(ddof=1)
    assert result.series("Z")[-1] == result.diagnostics["events_by_kind"]["predator_dies"]


# --- T1: SIR final size -------------------------------------------------------------------------

#: z = 1 − e^{−2z}, docs/science T1.
Z_R0_2 = 0.7968121300


def _sir(n: int, infected: int, horizon_days: float) -> hyosan.Scenario:
    return hyosan.load_scenario(
        "sir",
        [
            f"initial.S={n - infected}",
            f"initial.I={infected}",
            "initial.R=0",
            f"time.horizon={horizon_days}d",
            f"time.output_every={horizon_days}d",
        ],
    )


def test_t1_major_outbreaks_average_to_the_final_size() -> None:
    """SIR with R0 = β/γ = 2 (frequency mixing), N = 10,000, one initial case. Outbreaks that
    infect more than 10 % are major (minor ones infect a few dozen at most: see
    test_ssa_minor_outbreaks). Their mean attack fraction is within 4 standard errors of the
    ODE's, and the ODE's is z = 0.7968121300 up to its own initial-condition offset
    (1 − r∞ = (1 − 1/N) e^{−R0 r∞}: r∞ − z ≈ (1 − z)/(N(1 − R0(1 − z))) = 3.4e-5)."""
    n, runs = 10_000, 160
    scen = _sir(n, 1, 400)
    ode_final = ODE.run(scen, seed=1).series("R")[-1] / n
    offset = (1 - Z_R0_2) / (n * (1 - 2 * (1 - Z_R0_2)))
    assert ode_final == pytest.approx(Z_R0_2 + offset, abs=2e-6)
    finals = []
    for seed in range(runs):
        result = SSA.run(scen, seed=seed)
        assert result.series("I")[-1] == 0  # 400 days: every outbreak is over
        finals.append(result.series("R")[-1] / n)
    finals = np.array(finals)
    major = finals[finals > 0.1]
    assert major.size >= 50
    se = major.std(ddof=1) / math.sqrt(major.size)
    assert abs(major.mean() - ode_final) <= 4 * se, (major.mean(), ode_final, se)
    assert abs(major.mean() - Z_R0_2) <= 4 * se + offset
    # The final size's standard deviation is sqrt(N·σ²) with, for an exponential infectious
    # period, σ² = z(1 − z)(1 + R0²(1 − z))/(1 − R0(1 − z))² (the final-size central limit
    # theorem). A sample standard deviation from m runs has relative error about 1/sqrt(2m).
    z = Z_R0_2
    sigma2 = z * (1 - z) * (1 + 4 * (1 - z)) / (1 - 2 * (1 - z)) ** 2
    sd = math.sqrt(sigma2 / n)
    assert abs(major.std(ddof=1) / sd - 1) <= 4 / math.sqrt(2 * (major.size - 1))


# --- M1 scaled: Munz's basic model ---------------------------------------------------------------

#: People per person of munz-basic (S0 = 500, Z0 = 1).
SCALE = 40


def _munz_scaled(output_every: str) -> hyosan.Scenario:
    """munz-basic with SCALE times the humans and zombies; the pair rates β and α divided by
    SCALE so each zombie bites and is killed as often as in the paper; ζ, δ per person as is."""
    return hyosan.load_scenario(
        "munz-basic",
        [
            f"initial.S={500 * SCALE}",
            f"initial.Z={SCALE}",
            f"parameters.bite_rate={0.0095 / SCALE}/day",
            f"parameters.kill_rate={0.005 / SCALE}/day",
            f"time.output_every={output_every}",
        ],
    )


def _shift_sample(rng: np.random.Generator, size: int) -> np.ndarray:
    """Samples of the random time shift (days) of a stochastic run against the ODE.

    While humans are S0 = 20,000, each of the Z0 = 40 zombies bites at b = βS0 = 4.75/day and
    is killed at d = αS0 = 2.5/day: a linear birth–death process, so Z(t)e^{−rt}/Z0 → W̄ with
    r = b − d. Each zombie's line dies out with probability q = d/b, otherwise its limit is
    exponential with mean 1/(1 − q); W̄ = Gamma(M, 1/(1 − q))/Z0 with M ~ Binomial(Z0, 1 − q)
    surviving lines (M = 0 has probability 3e-13). The run then follows the ODE shifted in time:
    X(t) ≈ x_ode(t + ln(W̄)/r). This is the whole O(1/Z0) = O(1/N) bias of the mean at these
    times; what remains is O(1) people, against standard errors of tens.
    """
    b, d = 0.0095 * 500, 0.005 * 500
    q, r = d / b, b - d
    m = rng.binomial(SCALE, 1 - q, size=size)
    m = m[m > 0]
    w = rng.gamma(m, 1 / (1 - q)) / SCALE
    return np.log(w) / r


def _mean_log_w() -> float:
    """E[ln W̄] exactly: E[ψ(M)] − ln(1 − q) − ln Z0, M ~ Binomial(Z0, 1 − q) given M > 0."""
    b, d = 0.0095 * 500, 0.005 * 500
    q = d / b
    m = np.arange(1, SCALE + 1)
    pm = stats.binom.pmf(m, SCALE, 1 - q)
    return float((pm * special.digamma(m)).sum() / pm.sum() - math.log(1 - q) - math.log(SCALE))


@pytest.fixture(scope="module")
def munz_runs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """200 ssa runs of the scaled model: times (days), S and Z at each, overrun times (days)."""
    scen = _munz_scaled("0.5d")
    runs = [SSA.run(scen, seed=seed) for seed in range(200)]
    s = np.array([r.series("S") for r in runs])
    z = np.array([r.series("Z") for r in runs])
    overrun = np.array([r.summary()["t_overrun_s"] for r in runs]) / DAY
    return runs[0].times / DAY, s, z, overrun


def test_m1_scaled_mean_path_follows_the_ode(
    munz_runs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """At t = 1.5 … 4 days (S from 89 % down to 3 % of S0) the mean of S and of Z over 200 runs
    is within 4 standard errors of the ODE averaged over the exact law of the random shift;
    without the shift the ODE is off by about 3 standard errors at 2.5–3 days."""
    times, s, z, _ = munz_runs
    ode = ODE.run(_munz_scaled("0.001d"), seed=1)
    t_ode = ode.times / DAY
    shift = _shift_sample(np.random.default_rng(2024), 400_000)
    for t in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0):
        i = int(np.argmin(np.abs(times - t)))
        assert times[i] == pytest.approx(t)
        for name, sample in (("S", s[:, i]), ("Z", z[:, i])):
            expected = float(np.interp(t + shift, t_ode, ode.series(name)).mean())
            se = sample.std(ddof=1) / math.sqrt(sample.size)
            assert abs(sample.mean() - expected) <= 4 * se, (name, t, sample.mean(), expected, se)


def test_m1_scaled_overrun_time(
    munz_runs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """The mean time at which 80 % of the humans are gone is the ODE's plus the mean delay
    −E[ln W̄]/r (0.0186 d), within 4 standard errors (about 0.036 d for 200 runs)."""
    _, _, _, overrun = munz_runs
    ode_t = ODE.run(_munz_scaled("0.01d"), seed=1).summary()["t_overrun_s"] / DAY
    r = 0.0095 * 500 - 0.005 * 500
    expected = ode_t - _mean_log_w() / r
    assert expected - ode_t == pytest.approx(0.01864, abs=1e-4)
    se = overrun.std(ddof=1) / math.sqrt(overrun.size)
    assert abs(overrun.mean() - expected) <= 4 * se, (overrun.mean(), expected, se)


def test_m1_scaled_end_state(
    munz_runs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """At 10 days the humans are gone in every run (the ODE leaves 0.03 of 20,000), and the mean
    number of zombies is within 4 standard errors of the ODE's."""
    _, s, z, _ = munz_runs
    ode = ODE.run(_munz_scaled("0.5d"), seed=1)
    assert ode.series("S")[-1] < 0.05
    assert np.mean(s[:, -1]) <= 0.05
    se = z[:, -1].std(ddof=1) / math.sqrt(z.shape[0])
    assert abs(z[:, -1].mean() - ode.series("Z")[-1]) <= 4 * se

"""Fitting scheduled models: the compiled particle filter follows a piecewise-constant schedule
exactly, and a schedule's own number can be fitted through the engine path by its `--set` key.

The filter is checked against the exact likelihood of a pure death process observed with
Poisson noise: between observations the survivors are binomial with survival probability
exp(-k ∫ f), so the forward algorithm over 0..Z0 gives log p(data) exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from fit_helpers import write_csv
from scipy.stats import binom, poisson

from hyosan.fit.data import Observations
from hyosan.fit.pmmh import particle_filter
from hyosan.fit.problem import FitProblem
from hyosan.scenario.load import parse_scenario

Z0, K_PER_H = 30, 0.1
DEATH = """
name = "death"
engine = "ssa"
[model.compartments]
Z = "zombie"
[model.parameters]
decay = "0.1/h"
[[model.reactions]]
name = "decay"
equation = "Z ->"
rate = "decay"
schedule = { at = ["0h", "8h", "22h"], factor = [0.2, 1, 0.5], repeat = "1d" }
[initial]
Z = 30
[time]
horizon = "2d"
output_every = "5h"
"""


def integral(hours: np.ndarray) -> np.ndarray:
    """∫0^t of the schedule's factor, t in hours (exact)."""
    h = np.mod(hours, 24.0)
    part = 0.2 * np.minimum(h, 8) + np.clip(h - 8, 0, 14) + 0.5 * np.clip(h - 22, 0, 2)
    return np.floor(hours / 24.0) * (8 * 0.2 + 14 + 2 * 0.5) + part


def exact_loglik(hours: np.ndarray, y: np.ndarray) -> float:
    """The forward algorithm over Z = 0..Z0 (the filter floors a Poisson mean at 1e-6)."""
    states = np.arange(Z0 + 1)
    alpha = np.zeros(Z0 + 1)
    alpha[Z0] = 1.0
    total, f_prev = 0.0, 0.0
    for t, obs in zip(hours, y, strict=True):
        f = float(integral(np.array([t]))[0])
        survive = math.exp(-K_PER_H * (f - f_prev))
        alpha = binom.pmf(states[None, :], states[:, None], survive).T @ alpha
        alpha = alpha * poisson.pmf(obs, np.maximum(states, 1e-6))
        norm = alpha.sum()
        total += math.log(norm)
        alpha /= norm
        f_prev = f
    return total


def test_particle_filter_follows_a_schedule_exactly() -> None:
    scenario = parse_scenario(DEATH, "death.toml", [])
    hours = np.arange(5.0, 49.0, 5.0)  # observations between jumps and across them
    p = np.exp(-K_PER_H * integral(hours))
    y = np.random.default_rng(4).poisson(Z0 * p).astype(float)
    data = Observations(hours * 3600.0, ("Z",), y[:, None], (False,))
    problem = FitProblem(scenario, "", "death", (), "ssa", (), data, "poisson")
    assert problem.compiled
    # The jumps up to the last observation (45h): 8h, 22h, 24h (0.5 to 0.2) and 32h.
    np.testing.assert_array_equal(problem.schedule_arrays[0] / 3600.0, [8, 22, 24, 32])
    exact = exact_loglik(hours, y)
    # Each estimate of the likelihood is unbiased; its logarithm is biased low by about half
    # its variance, which 20 000 particles make far smaller than the spread over seeds.
    estimates = np.array([particle_filter(problem, np.array([]), 20_000, s) for s in range(6)])
    se = estimates.std(ddof=1) / math.sqrt(estimates.size)
    assert abs(estimates.mean() - exact) < 4 * se + 0.01, (estimates, exact)
    # Without the schedule the likelihood of these data is clearly different.
    plain = parse_scenario(DEATH.replace("schedule = ", "# schedule = "), "plain.toml", [])
    other = FitProblem(plain, "", "plain", (), "ssa", (), data, "poisson")
    assert abs(particle_filter(other, np.array([]), 20_000, 0) - exact) > 1.0


def test_a_schedule_factor_is_fitted_by_its_set_key(tmp_path: Path) -> None:
    import hyosan

    text = DEATH.replace('engine = "ssa"', 'engine = "ode"').replace("Z = 30", "Z = 3000")
    path = tmp_path / "death.toml"
    path.write_text(text)
    hours = np.arange(2.0, 49.0, 2.0)
    mu = 3000 * np.exp(-K_PER_H * integral(hours))
    y = np.random.default_rng(2).poisson(mu)
    data = write_csv(tmp_path / "data.csv", {"t": hours, "Z": y})
    key = "model.reactions[0].schedule.factor[0]"
    result = hyosan.fit(
        path, data, method="mle", time_unit="h", fit=[f"{key}=0.02:1"], options={"starts": 1}
    )
    (row,) = result.summary()["parameters"]
    assert row["key"] == key
    assert abs(row["estimate"] - 0.2) < 0.2 * 0.1  # within 10 %
    low, high = row["interval"]
    assert low < 0.2 < high

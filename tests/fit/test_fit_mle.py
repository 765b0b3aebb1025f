"""Maximum likelihood: W1 recovered, intervals that cover, and the analytic profile matched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fit_helpers import BITE, KILL, TIMES_H, w1_data, w1_text, write_csv, write_scenario
from scipy import special, stats

from hyosan.fit.build import build_problem
from hyosan.fit.mle import fit_mle

RATES = ["parameters.bite_rate=0.1:3:log", "parameters.kill_rate=0.1:3:log"]


def test_w1_recovered_within_ten_percent(tmp_path: Path) -> None:
    """Both rates within 10 %; profile and Fisher intervals cover them and nearly agree."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 7), fit=RATES, time_unit="h"
    )
    out = fit_mle(problem, seed=3)
    truth = np.array([BITE, KILL])
    assert np.all(np.abs(out.estimate / truth - 1) < 0.10)
    assert np.all((out.profile[:, 0] < truth) & (truth < out.profile[:, 1]))
    # With this much data the likelihood is near quadratic: the two intervals agree closely.
    np.testing.assert_allclose(out.profile, out.fisher, rtol=0.02)
    assert out.aic == pytest.approx(2 * 2 - 2 * out.log_likelihood)
    assert out.bic == pytest.approx(2 * np.log(2 * TIMES_H.size) - 2 * out.log_likelihood)


def test_profile_of_one_parameter_matches_the_analytic_interval(tmp_path: Path) -> None:
    """Z decays at a known rate, Z0 fitted: μ_i = Z0 a_i, so the likelihood-ratio interval
    solves r - ln r = 1 + q/(2Y) with r = Z0/Ẑ0 and Y the total count (Lambert W)."""
    text = """
name = "decay"
[model.compartments]
Z = "zombie"
R = { state = "removed", in_population = false }
[model.parameters]
decay = { value = "0.1/h" }
[[model.reactions]]
name = "rot"
equation = "Z -> R"
rate = "decay"
[initial]
Z = 40
[time]
horizon = "20h"
"""
    t = np.arange(1.0, 21.0)
    a = np.exp(-0.1 * t)
    y = np.random.default_rng(5).poisson(40 * a)
    data = write_csv(tmp_path / "d.csv", {"t": t, "Z": y})
    scenario = write_scenario(tmp_path, text)
    problem, _ = build_problem(scenario, data, fit=["initial.Z=1:400"], time_unit="h")
    out = fit_mle(problem, starts=2)
    z_hat = y.sum() / a.sum()
    q = stats.chi2.ppf(0.95, 1)
    arg = -np.exp(-(1 + q / (2 * y.sum())))
    lo = -special.lambertw(arg, 0).real * z_hat
    hi = -special.lambertw(arg, -1).real * z_hat
    assert out.estimate[0] == pytest.approx(z_hat, rel=1e-5)
    np.testing.assert_allclose(out.profile[0], [lo, hi], rtol=1e-5)
    assert not out.profile_open.any()


def test_negative_binomial_and_cumulative_columns(tmp_path: Path) -> None:
    """Cumulative zombies under a negative binomial: rates recovered, the dispersion fitted."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 2), fit=RATES, time_unit="h"
    )
    truth = problem.mean_path(np.array([BITE, KILL]))
    # Everyone ever turned: zombies now plus those killed (all removed were zombies).
    cum = truth[:, 1] + (508 + 1 - truth[:, 0] - truth[:, 1])
    rng = np.random.default_rng(11)
    k = 50.0
    y = rng.negative_binomial(k, k / (k + cum))
    data = write_csv(tmp_path / "cum.csv", {"t": TIMES_H, "zombie": y})
    path = write_scenario(
        tmp_path,
        w1_text() + '\n[fit]\ncumulative = ["zombie"]\ntime_unit = "h"\n'
        'observation = "negative-binomial"\n',
        name="cum.toml",
    )
    problem, _ = build_problem(path, data, fit=[*RATES, "obs.dispersion=1:10000:log"])
    np.testing.assert_allclose(problem.mean_path(np.array([BITE, KILL, k]))[:, 0], cum, rtol=1e-6)
    out = fit_mle(problem, starts=2)
    assert problem.names[-1] == "obs.dispersion"
    assert out.profile[0, 0] < BITE < out.profile[0, 1]
    assert out.profile[2, 0] < k < out.profile[2, 1]


def test_engine_path_fits_any_number(tmp_path: Path) -> None:
    """A value the compiled path cannot set (a cull's fraction) is fitted through the engine."""
    text = w1_text() + '\n[[culls]]\ncompartment = "Z"\ntimes = ["30h"]\nfraction = 0.5\n'
    scenario = write_scenario(tmp_path, text, name="cull.toml")
    problem, _ = build_problem(
        scenario, w1_data(tmp_path, 1), fit=["parameters.bite_rate=0.1:3"], time_unit="h"
    )
    mu = problem.engine_path(np.array([BITE]), seed=1)
    y = np.random.default_rng(4).poisson(mu)
    data = write_csv(tmp_path / "cull.csv", {"t": TIMES_H, "S": y[:, 0], "Z": y[:, 1]})
    problem, _ = build_problem(scenario, data, fit=["culls[0].fraction=0.1:0.9"], time_unit="h")
    assert not problem.compiled
    out = fit_mle(problem, starts=1)
    assert out.profile[0, 0] < 0.5 < out.profile[0, 1]
    assert abs(out.estimate[0] - 0.5) < 0.1


@pytest.mark.slow
def test_w1_profile_intervals_cover(tmp_path: Path) -> None:
    """Over 100 replicate data sets the 95 % profile intervals cover each rate between 88 and 99
    times (the issue's band: a correct procedure falls outside it with probability about 1 %),
    and so do the Fisher intervals."""
    reps = 100
    scenario = write_scenario(tmp_path)
    covered = np.zeros(2, dtype=int)
    wald = np.zeros(2, dtype=int)
    truth = np.array([BITE, KILL])
    for r in range(reps):
        data = w1_data(tmp_path, 1000 + r, name=f"d{r}.csv")
        problem, _ = build_problem(
            scenario, data, fit=RATES, time_unit="h", overrides=['parameters.bite_rate="0.8/h"']
        )
        out = fit_mle(problem, starts=1, seed=r)
        covered += (out.profile[:, 0] <= truth) & (truth <= out.profile[:, 1])
        wald += (out.fisher[:, 0] <= truth) & (truth <= out.fisher[:, 1])
    assert np.all((covered >= 88) & (covered <= 99)), covered
    assert np.all((wald >= 88) & (wald <= 99)), wald


def test_unobserved_states_and_missing_values(tmp_path: Path) -> None:
    """Only zombies counted, a third of the counts missing: both rates still within their
    intervals (the humans' decline is inferred, not seen)."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 9), fit=RATES, time_unit="h"
    )
    mu = problem.mean_path(np.array([BITE, KILL]))
    rng = np.random.default_rng(21)
    z = rng.poisson(mu[:, 1]).astype(float)
    z[rng.random(z.size) < 1 / 3] = np.nan
    data = write_csv(tmp_path / "z.csv", {"t": TIMES_H, "Z": z})
    problem, _ = build_problem(write_scenario(tmp_path), data, fit=RATES, time_unit="h")
    assert problem.data.columns == ("Z",)
    out = fit_mle(problem, starts=2)
    assert out.n_observed == int(np.isfinite(z).sum())
    assert np.all((out.profile[:, 0] < [BITE, KILL]) & (out.profile[:, 1] > [BITE, KILL]))


def test_normal_observation_fits_sigma(tmp_path: Path) -> None:
    """Least squares with a likelihood: σ is fitted beside the rates and its interval holds it."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 9), fit=RATES, time_unit="h"
    )
    mu = problem.mean_path(np.array([BITE, KILL]))
    y = mu + 5.0 * np.random.default_rng(8).standard_normal(mu.shape)
    # Counts are never negative: keep the times where noise this size cannot make them so.
    late = TIMES_H >= 24
    assert np.all(y[late, 1] > 0)
    data = write_csv(tmp_path / "n.csv", {"t": TIMES_H[late], "Z": y[late, 1]})
    problem, _ = build_problem(
        write_scenario(tmp_path), data, fit=RATES, time_unit="h", observation="normal"
    )
    assert problem.names[-1] == "obs.sigma"
    out = fit_mle(problem, starts=2)
    assert out.profile[2, 0] < 5.0 < out.profile[2, 1]
    assert np.all(np.abs(out.estimate[:2] / [BITE, KILL] - 1) < 0.1)

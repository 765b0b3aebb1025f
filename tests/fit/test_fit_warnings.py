"""What a fit's numbers may not mean: data whose times disagree with the scenario's horizon
(hours read as days), estimates on a prior's bound, open profile intervals, ABC and PMMH that
did not converge. Each is printed as a warning and kept in fit.json's `warnings`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from fit_helpers import TIMES_H, fit_cli, w1_data, w1_text, write_csv, write_scenario
from typer.testing import CliRunner

import hyosan.fit
from hyosan.fit.build import build_problem
from hyosan.fit.checks import _abc_warnings, _pmmh_warnings

RATES = ["parameters.bite_rate=0.1:3:log", "parameters.kill_rate=0.1:3:log"]


def _words(text: str) -> str:
    # rich wraps help and warnings at the terminal's width, inside boxes: compare the words.
    return " ".join(text.replace("│", " ").split())


def test_data_span_far_from_the_horizon_names_the_unit(tmp_path: Path) -> None:
    """W1's data in hours, read as days (the default), end at 72 d against a horizon of 72h:
    the warning names both spans and the unit that fits; read as hours, nothing is said. Data
    in days read as hours end at 3 h, a 24th of the horizon: days are suggested."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    problem, _ = build_problem(scenario, data, fit=RATES)
    (warning,) = problem.warnings
    assert "the data run to 72 d but the scenario's horizon is 72h (3 d)" in warning
    assert "is the data's time unit h? pass --time-unit h" in warning
    problem, _ = build_problem(scenario, data, fit=RATES, time_unit="h")
    assert problem.warnings == []
    days = write_csv(tmp_path / "days.csv", {"t": TIMES_H / 24, "S": np.full(TIMES_H.size, 500)})
    problem, _ = build_problem(scenario, days, fit=RATES, time_unit="hours")
    (warning,) = problem.warnings
    assert "the data run to 3 h but the scenario's horizon is 72h (72 h)" in warning
    assert "pass --time-unit d" in warning
    # Data that cover the first half of the horizon are fine.
    half = write_csv(tmp_path / "half.csv", {"t": TIMES_H[:18], "S": np.full(18, 500)})
    assert build_problem(scenario, half, fit=RATES, time_unit="h")[0].warnings == []


def test_cli_warns_of_hours_read_as_days_and_of_estimates_on_bounds(tmp_path: Path) -> None:
    """The audit's mistake: --time-unit forgotten. The fit still runs (exit 0), but the
    terminal and fit.json say that the data's span is wrong, which estimates sit on a bound
    of their prior and which profile interval is open; --help gives the default unit."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    flags = [x for key in RATES for x in ("--fit", key)]
    out = tmp_path / "fit"
    res = CliRunner().invoke(
        fit_cli(), ["fit", str(scenario), "--data", str(data), *flags, "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    said = _words(res.output)
    assert "warning: the data run to 72 d but the scenario's horizon is 72h (3 d)" in said
    summary = json.loads((out / "fit.json").read_text())
    warnings = summary["warnings"]
    assert "72 d" in warnings[0]
    on_bound = [w for w in warnings if "sits on the" in w]
    assert on_bound, warnings
    for w in on_bound:
        key = w.split(":")[0]
        assert key in ("parameters.bite_rate", "parameters.kill_rate")
        assert _words(f"warning: {w}") in said
    opened = [p["key"] for p in summary["parameters"] if any(p["interval_open"])]
    for key in opened:
        assert any(w.startswith(f"{key}: the profile interval is open") for w in warnings)
    help_text = _words(CliRunner().invoke(fit_cli(), ["fit", "--help"]).output)
    assert "Default: d (days)" in help_text


def test_good_fit_has_no_warnings(tmp_path: Path) -> None:
    """With the right unit and wide priors, W1's mle fit warns of nothing."""
    data = w1_data(tmp_path, 7)
    result = hyosan.fit(write_scenario(tmp_path), data, fit=RATES, time_unit="h")
    assert result.warnings == []
    assert result.summary()["warnings"] == []


def test_abc_that_stopped_hot_is_not_converged(tmp_path: Path) -> None:
    """Three generations of 20 particles leave the likelihood kernel far above T = 1: the
    result says so, and how to get further."""
    data = w1_data(tmp_path, 7)
    out = tmp_path / "abc"
    result = hyosan.fit(
        write_scenario(tmp_path),
        data,
        fit=RATES,
        time_unit="h",
        method="abc",
        workers=1,
        options={"population": 20, "generations": 3},
        out=out,
        report=False,
    )
    assert result.diagnostics["epsilon"] > 1.2
    (warning,) = result.warnings
    assert warning.startswith("not converged: the final temperature is")
    assert 'raise options={"generations": ...}' in warning  # Python's words
    assert json.loads((out / "fit.json").read_text())["warnings"] == [warning]


def test_pmmh_with_short_chains_is_not_converged(tmp_path: Path) -> None:
    """Two chains of 20 iterations cannot give an ESS of 100: the result says so."""
    data = w1_data(tmp_path, 3, s0=100)
    scenario = write_scenario(tmp_path, w1_text(s0=100))
    result = hyosan.fit(
        scenario,
        data,
        fit=RATES,
        time_unit="h",
        engine="ssa",
        method="pmmh",
        workers=1,
        options={"chains": 2, "iterations": 20, "particles": 10},
    )
    (warning,) = [w for w in result.warnings if w.startswith("not converged")]
    assert "ESS" in warning
    assert 'raise options={"iterations": ...}' in warning


def test_convergence_thresholds() -> None:
    """T = 1 and well-mixed chains are fine; one generation is the prior; an ABC that stopped
    for lack of acceptance cannot be helped by more generations."""
    likelihood = {"kernel": "likelihood", "generations": [{"final": True}]}
    assert _abc_warnings({**likelihood, "epsilon": 1.0}) == []
    assert _abc_warnings({**likelihood, "epsilon": 1.1}) == []
    (stalled,) = _abc_warnings({**likelihood, "epsilon": 4000.0})
    assert "more generations will not help" in stalled
    (prior,) = _abc_warnings({"kernel": "distance", "epsilon": None})
    assert "sample of the prior" in prior
    assert _abc_warnings({"kernel": "distance", "epsilon": 5.0}) == []
    assert _pmmh_warnings({"rhat_max": 1.01, "ess_min": 400.0}) == []
    (bad,) = _pmmh_warnings({"rhat_max": 1.58, "ess_min": 12.0})
    assert "R-hat 1.58 (above 1.1) and ESS 12 (below 100)" in bad


def test_method_is_checked_before_any_progress(tmp_path: Path) -> None:
    """An unknown method, or pmmh on the ode engine, is refused before a progress bar is
    drawn (the bar's label names the method)."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    args = ["fit", str(scenario), "--data", str(data), "--time-unit", "h", "--fit", RATES[0]]
    for method, needle in (("mcmc", "allowed: mle, abc, pmmh"), ("pmmh", "needs the ssa")):
        res = CliRunner().invoke(fit_cli(), [*args, "--method", method])
        assert res.exit_code == 2
        assert needle in res.output
        assert f"({method})" not in res.output, res.output

"""What a fit's numbers may not mean: the warnings printed with them and kept in fit.json.

A fit that ran to the end still returns numbers when its input or its sampler went wrong, and
those numbers look like any others. Each check here names the value or the setting to look at:

- the data's time span against the scenario's horizon: data in hours read as days (the default
  time unit) run 24 times past a horizon in hours, and the fit, which moves the horizon to the
  data's last time, then fits the wrong epidemic and pins the estimates to their bounds. Warned
  when the data end more than SPAN_OVER times past the horizon, or before SPAN_UNDER of it
  (data that cover only the start of a long scenario are common, so the lower limit is
  loose); the unit that would put the data's end nearest the horizon is suggested;
- an estimate on a bound of its prior (within BOUND_SHARE of the prior's range, in the prior's
  own scale): the data pushed it there, and its interval is cut by the bound (the negative
  binomial's dispersion on its upper bound is said as what it means: no overdispersion);
- a profile-likelihood interval that is open (mle): the likelihood did not fall far enough
  before the bound, so the interval shown stops at the bound;
- ABC whose likelihood kernel ended above MAX_TEMPERATURE: a tempered posterior is wider than
  the posterior, by about the square root of the temperature for a near-normal likelihood
  (so above 1.2, intervals more than 10 % too wide); one generation is the prior itself;
- PMMH chains with a split R-hat above MAX_RHAT or an effective sample size below MIN_ESS (the
  usual thresholds of Gelman et al. and Vehtari et al. 2021).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from hyosan.scenario.units import SECONDS_PER

if TYPE_CHECKING:
    from hyosan.fit.data import Observations
    from hyosan.fit.result import FitResult
    from hyosan.scenario.schema import Scenario

__all__ = ["result_warnings", "span_warnings"]

SPAN_OVER = 2.0
SPAN_UNDER = 0.1
BOUND_SHARE = 0.01
MAX_TEMPERATURE = 1.2
MAX_RHAT = 1.1
MIN_ESS = 100.0

#: The units a data file's times are suggested in, shortest spelling first.
_UNITS = ("s", "min", "h", "d", "w")


def _short(unit: str) -> str:
    """A time unit's short spelling ("hours" -> "h")."""
    size = SECONDS_PER[unit]
    return next((u for u in _UNITS if SECONDS_PER[u] == size), unit)


def span_warnings(data: Observations, scenario: Scenario) -> list[str]:
    """A warning when the data's times and the scenario's horizon disagree badly."""
    end_s = float(data.times[-1]) if data.times.size else 0.0
    horizon_s = float(scenario.time.horizon)
    if end_s <= 0 or horizon_s <= 0:
        return []
    ratio = end_s / horizon_s
    if SPAN_UNDER <= ratio <= SPAN_OVER:
        return []
    unit = _short(data.time_unit)
    in_file = end_s / SECONDS_PER[unit]
    horizon = f"{scenario.time.horizon.text} ({horizon_s / SECONDS_PER[unit]:.4g} {unit})"
    said = f"the data run to {in_file:.4g} {unit} but the scenario's horizon is {horizon}"
    # The unit under which the file's last time lands nearest the horizon.
    best = min(_UNITS, key=lambda u: abs(math.log(in_file * SECONDS_PER[u] / horizon_s)))
    fits_better = SPAN_UNDER <= in_file * SECONDS_PER[best] / horizon_s <= SPAN_OVER
    if best != unit and fits_better:
        ask = f"is the data's time unit {best}? pass --time-unit {best} (or time_unit in [fit])"
    else:
        ask = f"the time unit assumed is {unit} (--time-unit, or time_unit in [fit])"
    moved = f"the fit moves the horizon to the data's last time ({ratio:.3g} times the horizon)"
    return [f"{said}: {ask}; {moved}"]


def result_warnings(result: FitResult) -> list[str]:
    """Warnings about a finished fit: estimates on bounds, open intervals, no convergence."""
    return [*_bound_warnings(result), *_convergence_warnings(result)]


def _bound_warnings(result: FitResult) -> list[str]:
    out = []
    for i, p in enumerate(result.problem.params):
        est = float(result.estimate[i])
        span = p.u_high - p.u_low
        u = float(p.to_u(est)) if est > 0 or not p.log else -math.inf
        for side, u_bound in (("lower", p.u_low), ("upper", p.u_high)):
            if abs(u - u_bound) <= BOUND_SHARE * span:
                on = f"{p.key}: the estimate {est:.4g} sits on the {side} bound of its prior "
                on += f"[{p.low:.4g}, {p.high:.4g}]"
                if p.key == "obs.dispersion" and side == "upper":
                    # The negative binomial's Poisson limit: an answer, not a failure.
                    out.append(f"{on}: the data show no overdispersion; poisson may do")
                else:
                    out.append(
                        f"{on}: the data pull it past the bound, and its interval says "
                        "little; widen the bounds, or check the model and the data's time "
                        "unit (--time-unit)"
                    )
                break
        opened = result.per_value[i].get("interval_open") if i < len(result.per_value) else None
        if opened and any(opened):
            ends = " and ".join(s for s, o in zip(("lower", "upper"), opened, strict=True) if o)
            out.append(
                f"{p.key}: the profile interval is open at its {ends} end: the likelihood does "
                "not fall far enough within the prior's bounds, so the interval stops at the "
                f"bound [{p.low:.4g}, {p.high:.4g}]; widen the bounds for a closed interval"
            )
    return out


def _convergence_warnings(result: FitResult) -> list[str]:
    d = result.diagnostics
    if result.method == "abc":
        return _abc_warnings(d)
    if result.method == "pmmh":
        return _pmmh_warnings(d)
    return []


def _abc_warnings(d: dict[str, Any]) -> list[str]:
    eps = d.get("epsilon")
    if eps is None:
        return [
            "not converged: one generation of ABC is a sample of the prior, not of the "
            "posterior; raise --generations"
        ]
    if d.get("kernel") != "likelihood" or eps <= MAX_TEMPERATURE:
        return []
    generations = d.get("generations") or [{}]
    stalled = bool(generations[-1].get("final"))  # stopped by min_acceptance, not by count
    wider = math.sqrt(eps)
    head = (
        f"not converged: the final temperature is {eps:.4g} (1 is the exact posterior), so the "
        f"credible intervals are wider than the posterior's (about √T = {wider:.3g} times, as "
        "far as the prior's bounds allow)"
    )
    if stalled:
        return [
            f"{head}; the acceptance fell below min_acceptance, and more generations will not "
            "help: use the distance kernel or, for well-mixed ssa, --method pmmh"
        ]
    return [f"{head}; raise --generations"]


def _pmmh_warnings(d: dict[str, Any]) -> list[str]:
    rhat, ess = d.get("rhat_max"), d.get("ess_min")
    bad = []
    if rhat is None or not math.isfinite(rhat) or rhat > MAX_RHAT:
        bad.append(f"R-hat {rhat if rhat is None else f'{rhat:.3g}'} (above {MAX_RHAT:g})")
    if ess is None or not math.isfinite(ess) or ess < MIN_ESS:
        bad.append(f"ESS {ess if ess is None else f'{ess:.0f}'} (below {MIN_ESS:g})")
    if not bad:
        return []
    return [
        f"not converged: {' and '.join(bad)}: the chains have not mixed or are too short, "
        "and the credible intervals are not the posterior's; raise --iterations"
    ]

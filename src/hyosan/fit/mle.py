"""Maximum likelihood for deterministic models (the ode engine), with two kinds of interval.

1. The negative log-likelihood is minimised by Nelder-Mead in u (log scale for log-uniform
   priors) from several starts: the scenario's own values, then points of a scrambled Sobol
   sequence over the bounds (seeded, so the fit is reproducible). Nelder-Mead needs no
   gradient, and the likelihood of an integrated model is smooth but costly to differentiate.
2. Profile-likelihood intervals: for each value, the set where 2 (ℓ̂ - max over the others ℓ)
   stays below the χ²₁ quantile of the level. The ends are found by stepping out from the
   estimate and then by Brent's method on the profile; an end that reaches a bound is reported
   as that bound, flagged open. The profile is invariant to reparametrisation, so working in u
   changes nothing.
3. The Fisher-information (Wald) interval beside it: the estimate ± z standard errors, from the
   inverse of the observed information (a central-difference Hessian of -ℓ in the values' own
   units).
4. AIC = 2p - 2ℓ̂ and BIC = p ln n - 2ℓ̂, p counting every fitted value (nuisance included) and
   n the observed values present.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize, stats

if TYPE_CHECKING:
    from hyosan.fit.problem import FitProblem

__all__ = ["MleOutcome", "fit_mle"]

_BIG = 1e300


@dataclass
class MleOutcome:
    """What maximum likelihood found."""

    estimate: np.ndarray
    log_likelihood: float
    profile: np.ndarray  # (p, 2) interval ends
    profile_open: np.ndarray  # (p, 2) bool: the end is a bound, the interval is open there
    fisher: np.ndarray  # (p, 2)
    std_error: np.ndarray
    covariance: np.ndarray
    aic: float
    bic: float
    n_observed: int
    level: float
    starts: list[dict[str, Any]] = field(default_factory=list)
    evaluations: int = 0
    profiles: list[dict[str, list[float]]] = field(default_factory=list)


class _Objective:
    """-ℓ in u, counting evaluations; +big outside the bounds or where the model fails."""

    def __init__(self, problem: FitProblem) -> None:
        self.problem = problem
        self.params = problem.params
        self.lo = np.array([p.u_low for p in self.params])
        self.hi = np.array([p.u_high for p in self.params])
        self.calls = 0

    def theta(self, u: np.ndarray) -> np.ndarray:
        return np.array([p.from_u(x) for p, x in zip(self.params, u, strict=True)])

    def __call__(self, u: np.ndarray) -> float:
        self.calls += 1
        if np.any(u < self.lo) or np.any(u > self.hi):
            return _BIG
        value = -self.problem.log_likelihood(self.theta(u))
        return value if math.isfinite(value) else _BIG


def _minimise(
    f: Callable[[np.ndarray], float],
    x0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    size: float = 0.1,
    xatol: float = 1e-7,
    fatol: float = 1e-8,
) -> optimize.OptimizeResult:
    """Nelder-Mead within the bounds from x0 (a first simplex `size` of the box wide)."""
    span = hi - lo
    simplex = [x0]
    for i in range(x0.size):
        step = np.zeros_like(x0)
        # A first simplex `size` of the box wide, turned inwards at a bound.
        d = size * span[i]
        step[i] = d if x0[i] + d <= hi[i] else -d
        simplex.append(x0 + step)
    return optimize.minimize(
        f,
        x0,
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={
            "initial_simplex": np.array(simplex),
            "xatol": xatol,
            "fatol": fatol,
            "maxiter": 4000,
            "adaptive": x0.size > 2,
        },
    )


def _starts(problem: FitProblem, n: int, seed: int) -> list[np.ndarray]:
    params = problem.params
    lo = np.array([p.u_low for p in params])
    hi = np.array([p.u_high for p in params])
    out = []
    own = [p.value for p in params]
    if all(v is not None for v in own):
        out.append(np.array([p.to_u(v) for p, v in zip(params, own, strict=True)], dtype=float))
    elif any(p.nuisance for p in params):
        # The scenario's values, with the nuisance value in the middle of its range.
        mid = [
            p.to_u(p.value) if p.value is not None else 0.5 * (p.u_low + p.u_high) for p in params
        ]
        out.append(np.array(mid, dtype=float))
    if len(out) < n:
        sobol = stats.qmc.Sobol(len(params), scramble=True, seed=np.random.default_rng(seed))
        pts = sobol.random(1 << max(1, math.ceil(math.log2(n))))[: n - len(out)]
        out += [lo + (hi - lo) * pt for pt in pts]
    return out


def _hessian(
    f: Callable[[np.ndarray], float], x: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Central-difference Hessian, steps of 1e-4 relative, kept inside the bounds."""
    p = x.size
    h = 1e-4 * np.maximum(np.abs(x), 1e-3)
    h = np.minimum(h, 0.49 * np.maximum(np.minimum(x - lo, hi - x), 1e-12))
    f0 = f(x)
    hess = np.empty((p, p))
    for i in range(p):
        ei = np.zeros(p)
        ei[i] = h[i]
        hess[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(p)
            ej[j] = h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = v
    return hess


def fit_mle(
    problem: FitProblem,
    *,
    starts: int = 4,
    level: float = 0.95,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> MleOutcome:
    """Maximum likelihood estimates with profile and Fisher intervals (see module docstring)."""
    obj = _Objective(problem)
    lo, hi = obj.lo, obj.hi
    say = progress or (lambda _msg: None)
    best = None
    tried = []
    for i, x0 in enumerate(_starts(problem, starts, seed)):
        say(f"start {i + 1} of {starts}")
        res = _minimise(obj, x0, lo, hi)
        tried.append(
            {
                "start": obj.theta(x0).tolist(),
                "end": obj.theta(res.x).tolist(),
                "nll": float(res.fun),
            }
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    # A final restart from the best point guards against Nelder-Mead's early collapse.
    res = _minimise(obj, best.x, lo, hi)
    if res.fun <= best.fun:
        best = res
    u_hat, nll_hat = np.asarray(best.x, dtype=float), float(best.fun)
    theta_hat = obj.theta(u_hat)

    # Observed information in the values' own units.
    tlo = np.array([p.low for p in problem.params])
    thi = np.array([p.high for p in problem.params])

    def nll_theta(theta: np.ndarray) -> float:
        value = -problem.log_likelihood(theta)
        return value if math.isfinite(value) else _BIG

    say("Fisher information")
    hess = _hessian(nll_theta, theta_hat, tlo, thi)
    try:
        cov = np.linalg.inv(hess)
        se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    except np.linalg.LinAlgError:
        cov = np.full_like(hess, np.nan)
        se = np.full(theta_hat.size, np.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    fisher = np.stack([theta_hat - z * se, theta_hat + z * se], axis=1)

    crit = float(stats.chi2.ppf(level, 1))
    prof = np.empty((theta_hat.size, 2))
    open_ = np.zeros((theta_hat.size, 2), dtype=bool)
    traces = []
    for i, param in enumerate(problem.params):
        say(f"profile of {param.key}")
        # A step in u of about one standard error, from the information in u.
        se_u = se[i] / theta_hat[i] if param.log and theta_hat[i] > 0 else se[i]
        if not np.isfinite(se_u) or se_u <= 0:
            se_u = 0.05 * (hi[i] - lo[i])
        trace: dict[str, list[float]] = {"value": [], "deviance": []}
        for side, sign in ((0, -1.0), (1, 1.0)):
            end, is_open = _profile_end(obj, u_hat, nll_hat, i, sign, se_u, crit, trace)
            prof[i, side] = param.from_u(end)
            open_[i, side] = is_open
        order = np.argsort(trace["value"])
        traces.append({k: [float(np.asarray(v)[j]) for j in order] for k, v in trace.items()})
        traces[-1]["value"] = [float(param.from_u(v)) for v in traces[-1]["value"]]
    p = theta_hat.size
    n = problem.data.n_observed
    ll = -nll_hat
    return MleOutcome(
        estimate=theta_hat,
        log_likelihood=ll,
        profile=prof,
        profile_open=open_,
        fisher=fisher,
        std_error=se,
        covariance=cov,
        aic=2 * p - 2 * ll,
        bic=p * math.log(n) - 2 * ll,
        n_observed=n,
        level=level,
        starts=tried,
        evaluations=obj.calls,
        profiles=traces,
    )


def _profile_end(
    obj: _Objective,
    u_hat: np.ndarray,
    nll_hat: float,
    i: int,
    sign: float,
    step: float,
    crit: float,
    trace: dict[str, list[float]],
) -> tuple[float, bool]:
    """Where the profile deviance of value i crosses `crit` on one side of the estimate."""
    lo, hi = obj.lo, obj.hi
    others = [j for j in range(u_hat.size) if j != i]
    warm = {"x": u_hat[others].copy()}

    def deviance(v: float) -> float:
        if not others:
            u = u_hat.copy()
            u[i] = v
            d = 2 * (obj(u) - nll_hat)
        else:

            def inner(w: np.ndarray) -> float:
                u = u_hat.copy()
                u[i] = v
                u[others] = w
                return obj(u)

            olo, ohi = lo[others], hi[others]
            # Start from the better of the last optimum and the estimate's values, and restart
            # once: Nelder-Mead can stall on the ridge of a correlated likelihood.
            if len(others) == 1:
                # One other value: Brent's bounded search over its whole range is cheaper than
                # a simplex, and finds the best value even off the warm start's basin.
                r1 = optimize.minimize_scalar(
                    lambda w: inner(np.array([w])),
                    bounds=(olo[0], ohi[0]),
                    method="bounded",
                    options={"xatol": 1e-9},
                )
                d = 2 * (float(r1.fun) - nll_hat)
                trace["value"].append(v)
                trace["deviance"].append(d)
                return d - crit
            x0 = min((np.clip(warm["x"], olo, ohi), u_hat[others]), key=inner)
            # Warm starts sit near the optimum: a small first simplex, and a deviance to 1e-6
            # is far finer than any interval needs.
            tight = {"size": 0.02, "xatol": 1e-6, "fatol": 1e-7}
            res = _minimise(inner, x0, olo, ohi, **tight)
            res2 = _minimise(inner, res.x, olo, ohi, **tight)
            res = res2 if res2.fun <= res.fun else res
            warm["x"] = res.x
            d = 2 * (float(res.fun) - nll_hat)
        trace["value"].append(v)
        trace["deviance"].append(d)
        return d - crit

    bound = lo[i] if sign < 0 else hi[i]
    inside, v = u_hat[i], u_hat[i]
    for _ in range(40):
        nxt = v + sign * step
        if (sign < 0 and nxt <= bound) or (sign > 0 and nxt >= bound):
            if deviance(bound) <= 0:
                return bound, True
            nxt = bound
            outside = bound
            break
        if deviance(nxt) > 0:
            outside = nxt
            break
        inside = v = nxt
        step *= 1.6
    else:
        return v, True
    try:
        root = optimize.brentq(
            deviance, inside, outside, xtol=1e-9 * max(1.0, abs(inside)), rtol=1e-10
        )
    except ValueError:
        # The inner optimum moved between evaluations (a rough profile): take the evaluated
        # point nearest the critical deviance, between the two.
        values = np.array(trace["value"])
        dev = np.array(trace["deviance"])
        between = (values - inside) * (values - outside) <= 0
        j = int(np.argmin(np.where(between, np.abs(dev - crit), np.inf)))
        return float(values[j]), False
    return float(root), False


def fit_mle_point(
    problem: FitProblem, *, seed: int = 1, starts: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """The mean field's maximum likelihood point in u and the inverse information in u.

    Used to start and scale samplers; the information is regularised so that its inverse is a
    usable proposal covariance even where the mean field fits poorly.
    """
    obj = _Objective(problem)
    best = None
    for x0 in _starts(problem, starts, seed):
        res = _minimise(obj, x0, obj.lo, obj.hi)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    u_hat = np.asarray(best.x, dtype=float)
    span = obj.hi - obj.lo
    # The curvature is taken a little inside the box: at a bound the objective jumps to +big
    # and a finite difference across it would be huge.
    at = np.clip(u_hat, obj.lo + 0.02 * span, obj.hi - 0.02 * span)
    hess = _hessian(obj, at, obj.lo, obj.hi)
    try:
        w, v = np.linalg.eigh(hess)
        # Proposal scales between a thousandth and a tenth of the prior's width.
        w = np.clip(
            w, 1.0 / (0.1 * float(np.min(span))) ** 2, 1.0 / (1e-3 * float(np.max(span))) ** 2
        )
        cov = (v / w) @ v.T
    except np.linalg.LinAlgError:
        cov = np.diag((0.05 * span) ** 2)
    return u_hat, cov

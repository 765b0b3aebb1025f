"""Particle marginal Metropolis-Hastings for well-mixed ssa models (Andrieu, Doucet & Holenstein
2010): the likelihood of the Markov chain itself, estimated without bias by a bootstrap particle
filter whose particles are exact ssa trajectories between observation times.

The filter: every particle starts from the initial counts; at each observation time the
particles are advanced exactly (ssakernel), weighted by the observation model, the likelihood
estimate multiplied by their mean weight, and resampled systematically. A time where nothing
was observed only advances them.

The chain: a Gaussian random walk in u (log scale for log-uniform priors). Its covariance
starts from the mean field's observed information (a quick maximum likelihood fit that also
gives the chains' starting points, spread about the estimate) and is adapted during burn-in
from the chain's own history (Haario et al. 2001), then frozen, so that the draws kept are
from a proper Markov chain. Chains run as tasks on the executor; chain c's randomness is
SeedSequence(root, spawn_key=(c, ...)) and the particle filter of its iteration i is seeded with
run_seed(root, c, i), so the draws do not depend on where a chain runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.ensemble.seeds import run_seed
from hyosan.fit.errors import FitError
from hyosan.fit.weighted import autocorrelation_ess, split_rhat

if TYPE_CHECKING:
    from hyosan.ensemble.executors import ExecutorInfo
    from hyosan.fit.problem import FitProblem
    from hyosan.fit.spec import PmmhOptions

__all__ = ["PmmhOutcome", "check_pmmh", "fit_pmmh", "particle_filter"]

#: Events one particle may fire between two observations before the run is called a runaway.
MAX_EVENTS = 50_000_000


_KINDS = {"poisson": 0, "negative-binomial": 1, "normal": 2}


def particle_filter(problem: FitProblem, theta: np.ndarray, particles: int, seed: int) -> float:
    """An unbiased estimate of p(data | θ) for the Markov chain, on the log scale."""
    from hyosan.fit.ssakernel import filter_loglik

    net = problem.network
    k, y0 = problem.kinetics(theta)
    y0 = np.round(y0)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    nuisance = problem.nuisance(theta)
    return float(
        filter_loglik(
            y0.astype(np.int64),
            k,
            net.reactants,
            net.stoichiometry,
            net.frequency,
            net.in_population,
            problem.data.times,
            problem.schedule_arrays,
            problem.data.values,
            problem.column_matrix,
            y0 @ problem.cumulative_base,
            _KINDS[problem.observation],
            1.0 if nuisance is None else nuisance,
            particles,
            rng,
        )
    )


@dataclass(frozen=True)
class ChainTask:
    """One chain: where it starts, its first proposal covariance, its iterations."""

    problem: FitProblem
    chain: int
    root: int
    u0: np.ndarray
    cov: np.ndarray
    iterations: int
    burn_in: int
    particles: int


def _theta(problem: FitProblem, u: np.ndarray) -> np.ndarray:
    return np.array([p.from_u(x) for p, x in zip(problem.params, u, strict=True)])


def run_chain(task: ChainTask) -> dict[str, Any]:
    """Run one chain; returns its draws (in the values' units), log-likelihoods and acceptance."""
    problem = task.problem
    lo = np.array([p.u_low for p in problem.params])
    hi = np.array([p.u_high for p in problem.params])
    d = lo.size
    rng = np.random.default_rng(np.random.SeedSequence(task.root, spawn_key=(task.chain, 1 << 30)))
    scale = 2.38**2 / d
    cov = task.cov * scale
    chol = np.linalg.cholesky(cov)
    u = task.u0.copy()
    ll = particle_filter(
        problem, _theta(problem, u), task.particles, run_seed(task.root, task.chain, 0)
    )
    draws = np.empty((task.iterations, d))
    lls = np.empty(task.iterations)
    accepted = 0
    kept_accepted = 0
    for it in range(task.iterations):
        prop = u + chol @ rng.standard_normal(d)
        if np.all(prop >= lo) and np.all(prop <= hi):
            ll_prop = particle_filter(
                problem,
                _theta(problem, prop),
                task.particles,
                run_seed(task.root, task.chain, it + 1),
            )
            # Flat prior in u and a symmetric proposal: the ratio is the likelihoods' ratio.
            if math.log(rng.random()) < ll_prop - ll:
                u, ll = prop, ll_prop
                accepted += 1
                kept_accepted += it >= task.burn_in
        draws[it] = u
        lls[it] = ll
        if it < task.burn_in and it >= 100 and (it + 1) % 50 == 0:
            # Adapt to the chain's own spread so far (burn-in only; frozen afterwards).
            emp = np.atleast_2d(np.cov(draws[it // 2 : it + 1].T))
            if np.all(np.isfinite(emp)) and np.linalg.matrix_rank(emp) == d:
                cov = scale * emp + 1e-10 * np.eye(d)
                chol = np.linalg.cholesky(cov)
    kept = task.iterations - task.burn_in
    return {
        "chain": task.chain,
        "draws": np.array([_theta(problem, x) for x in draws[task.burn_in :]]),
        "log_likelihood": lls[task.burn_in :],
        "acceptance": kept_accepted / max(kept, 1),
    }


@dataclass
class PmmhOutcome:
    """The kept draws of every chain and the chains' diagnostics."""

    chains: np.ndarray  # (n_chains, n_kept, p)
    log_likelihood: np.ndarray  # (n_chains, n_kept)
    acceptance: list[float]
    rhat: np.ndarray
    ess: np.ndarray
    start: np.ndarray
    particles: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def samples(self) -> np.ndarray:
        """All chains' draws pooled, (n_chains * n_kept, p)."""
        return self.chains.reshape(-1, self.chains.shape[2])


def check_pmmh(problem: FitProblem) -> None:
    """Refuse a problem the particle filter cannot run (before any work is shown)."""
    if not problem.compiled or problem.engine != "ssa":
        raise FitError(
            "pmmh needs the ssa engine (--engine ssa) on a well-mixed scenario without culls or "
            "interventions, fitting only rates (parameters.*) and initial counts (initial.*); "
            "use --method abc for the rest"
        )


def fit_pmmh(
    problem: FitProblem,
    *,
    options: PmmhOptions,
    seed: int,
    executor: ExecutorInfo,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> PmmhOutcome:
    """Particle marginal Metropolis-Hastings (see the module docstring)."""
    check_pmmh(problem)
    say = progress or (lambda _d, _t, _w: None)
    from hyosan.fit.mle import fit_mle_point

    say(0, options.chains, "mean-field start")
    u_hat, cov_u = fit_mle_point(problem, seed=seed)
    lo = np.array([p.u_low for p in problem.params])
    hi = np.array([p.u_high for p in problem.params])
    burn = options.burn_in if options.burn_in is not None else options.iterations // 3
    if burn >= options.iterations:
        raise FitError(f"fit.pmmh.burn_in ({burn}) must be below iterations ({options.iterations})")
    # The mean field understates the spread of a small stochastic outbreak: start wider.
    cov0 = cov_u * 4.0
    chol0 = np.linalg.cholesky(cov0)
    tasks = []
    for c in range(options.chains):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(c, 1 << 31)))
        u0 = np.clip(u_hat + chol0 @ rng.standard_normal(u_hat.size), lo, hi)
        tasks.append(
            ChainTask(problem, c, seed, u0, cov0, options.iterations, burn, options.particles)
        )
    futures = [executor.executor.submit(run_chain, t) for t in tasks]
    done = 0
    results: dict[int, dict[str, Any]] = {}
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, return_when="FIRST_COMPLETED")
        for fut in finished:
            r = fut.result()
            results[r["chain"]] = r
            done += 1
            say(done, options.chains, f"{done} of {options.chains} chains")
    ordered = [results[c] for c in range(options.chains)]
    chains = np.stack([r["draws"] for r in ordered])
    p = chains.shape[2]
    u_chains = np.stack([np.stack([problem.params[j].to_u(chains[:, :, j]) for j in range(p)], 2)])[
        0
    ]
    rhat = np.array([split_rhat(u_chains[:, :, j]) for j in range(p)])
    ess = np.array([autocorrelation_ess(u_chains[:, :, j]) for j in range(p)])
    return PmmhOutcome(
        chains=chains,
        log_likelihood=np.stack([r["log_likelihood"] for r in ordered]),
        acceptance=[float(r["acceptance"]) for r in ordered],
        rhat=rhat,
        ess=ess,
        start=_theta(problem, u_hat),
        particles=options.particles,
    )

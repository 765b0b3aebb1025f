"""ABC-SMC (Beaumont et al. 2009, population Monte Carlo) for any engine, on hyosan's executors.

Why not pyabc: it installs here (0.13), but its samplers keep the first particles to *finish*
(dynamic scheduling over a pool, Redis or Dask), and draw proposals and simulations from each
worker's own random state. The population then depends on timing and on the number of
workers, so the same seed would not give the same numbers on 1 worker, 2 workers or a Dask
cluster, which every hyosan command promises; its resumption (from its SQL history) restarts a
generation with fresh random numbers. The algorithm itself is short, so it is written here on
numpy, with each candidate's randomness fixed by its index.

Two kernels decide which simulations are accepted (`[fit.abc] kernel`):

- `distance`, the classic uniform kernel: a run's observations are drawn about it with the
  observation model, and accepted when their distance to the data is at most ε: the root mean
  square difference of variance-stabilised counts √(y + 3/8) (data scaled by each column's
  spread for the normal model), over the values present. ε_g is the `quantile` of the previous
  population's distances. The simulated noise never matches the data's, so the distance cannot
  fall below about √2 times the noise's spread; near there, whether a candidate passes depends
  more on its own noise than on θ, and the posterior stays wider than the exact one (3.5 times
  on W1 with the ode engine: its 95 % intervals covered the truth in every replicate data set).
- `likelihood` (Wilkinson 2013, "ABC gives exact results under the assumption of model
  error"): a run x is scored by its deviance D = -2 log p(data | x) under the observation model
  itself (no noise drawn) and accepted with probability exp(-(D - D*) / 2T), D* the smallest
  deviance of any earlier candidate and T the temperature. A candidate is then accepted with
  probability proportional to E_x[p(data | x)^(1/T)], which at T = 1 is the likelihood: the
  population is a sample of the exact posterior, for any engine. T_g is chosen so that the
  previous population, reweighted from T_(g-1) to T_g, keeps an effective size of `quantile`
  of its own (the adaptive tempering of SMC samplers), and never below 1; the fit stops after
  the first generation at T = 1. With the ode engine T reaches 1 in about ten generations and
  the intervals are the exact posterior's. With a stochastic engine, D varies so much between
  runs at one θ (the take-off's timing) that the acceptance collapses while T is still in the
  thousands: the fit stops early (min_acceptance) with a posterior close to the prior.
- `auto` (the default): likelihood for the ode engine, distance for the others.

One generation g:

1. ε_g (a distance, or a temperature) from the previous population (∞ for g = 0: the prior).
2. Candidate j (j = 0, 1, 2, ...) draws its proposal from its own stream,
   SeedSequence(root, spawn_key=(g, j, 1)): from the prior for g = 0, else a particle of the
   previous population picked by weight and moved by a Gaussian kernel with twice the
   population's weighted covariance, in u (log scale for log-uniform priors). A proposal
   outside the prior's box is a rejected candidate (no run), so the proposal density is the
   untruncated mixture and the weights below are exact.
3. Its run has the seed run_seed(root, g, j), the ensembles' derivation with the generation as
   the point and the candidate as the replicate; observation noise (distance kernel) is drawn
   on top from a stream spawned from that seed, and the likelihood kernel's uniform draw comes
   from SeedSequence(root, spawn_key=(g, j, 2)).
4. Candidates are run in batches on the executor (a process pool, Dask, any
   concurrent.futures executor); the population is the first N candidates *in index order*
   that were accepted, so which worker ran what, and how many extra candidates were run,
   changes nothing. Weights are π(u) / Σ_i w_i K(u | u_i).
5. Stop after `generations`, after a likelihood generation at T = 1, or when a generation
   would need more than N / min_acceptance candidates (the previous population is kept, and
   the fit is marked finished for good).

Conditioning on take-off (`[fit.abc] take_off = {column, at_least, tries}`): data that are
fitted at all were usually kept *because* the outbreak took off, and with one zombie at the
start most runs die out (83 % at W1's rates). The likelihood of such data is the conditional
one, p(data | θ, took off) = p(data | θ) / P(took off | θ); without the condition a fit
prefers rates under which take-off is likelier. With the option, each candidate's run is
repeated, with seeds spawned from its own, until its `column` (before noise) reaches
`at_least` at some observation time; a candidate whose `tries` runs all fizzled is rejected.
The runs are then draws from the conditional law, so every kernel targets the conditional
posterior. Say it only when the data were selected that way.

Each finished generation is written to the work directory (a temporary file renamed), so an
interrupted fit resumes at the next generation with the same numbers as an uninterrupted one;
the same command with more `generations` continues a finished fit.

With a stochastic engine the distance cannot fall below what the engine's own noise leaves:
for W1 the timing of the take-off varies by hours between runs, so ε stalls well above the
observation noise and the posterior stays wide and depends on the one data set (see
benchmarks/bench_abc_coverage.py --engine ssa); particle MCMC (pmmh.py) uses the exact
likelihood instead and is the better tool for well-mixed ssa models.

For model comparison, the last generation's candidates give an importance-sampling estimate of
the ABC evidence at any tolerance: p(d <= ε | model) = E_q[π/q · 1{d <= ε}] for the distance
kernel (ε at least that generation's), E_q[π/q · E_x p(data | x)^(1/T)] for the likelihood
kernel (the marginal likelihood at T = 1); the candidates outside the box count as zeros.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable
from concurrent.futures import wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import logsumexp

from hyosan.ensemble.seeds import run_seed
from hyosan.fit.errors import FitError
from hyosan.fit.observation import pointwise
from hyosan.fit.simulate import SimBatch, run_batch
from hyosan.fit.weighted import kish_ess

if TYPE_CHECKING:
    from hyosan.ensemble.executors import ExecutorInfo
    from hyosan.fit.problem import FitProblem
    from hyosan.fit.spec import AbcOptions

__all__ = [
    "AbcOutcome",
    "abc_distance",
    "abc_scores",
    "acceptance",
    "fit_abc",
    "kernel_for",
    "next_temperature",
]


@dataclass
class AbcOutcome:
    """The final population and the history of the generations."""

    samples: np.ndarray  # (N, p) values in their units
    weights: np.ndarray  # (N,) normalised
    distances: np.ndarray  # (N,)
    generations: list[dict[str, Any]] = field(default_factory=list)
    last_candidates: dict[str, np.ndarray] = field(default_factory=dict)
    simulations: int = 0
    kernel: str = "likelihood"

    @property
    def epsilon(self) -> float:
        """The final tolerance: a distance, or the likelihood kernel's temperature."""
        return float(self.generations[-1]["epsilon"])

    def log_evidence(self, eps: float) -> float:
        """The log ABC evidence at tolerance eps, from the last generation's candidates.

        Distance kernel: log p(distance <= eps) under the prior. Likelihood kernel: log of
        E_prior E_run[p(data | run)^(1/eps)], the marginal likelihood itself at eps = 1.
        """
        d = self.last_candidates["distance"]
        lw = self.last_candidates["log_weight"]
        if self.kernel == "distance":
            hit = d <= eps
            if not hit.any():
                return -math.inf
            return float(logsumexp(lw[hit]) - math.log(d.size))
        ok = np.isfinite(d) & np.isfinite(lw)
        if not ok.any():
            return -math.inf
        return float(logsumexp(lw[ok] - 0.5 * d[ok] / eps) - math.log(d.size))


def abc_distance(problem: FitProblem, sims: np.ndarray) -> np.ndarray:
    """Distance of simulated observations (m, n, k) to the data (see the module docstring)."""
    y = problem.data.values
    mask = np.isfinite(y)
    if problem.observation == "normal":
        scale = np.nanstd(y, axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        diff = (sims - np.where(mask, y, 0.0)) / scale
    else:
        diff = np.sqrt(np.maximum(sims, 0.0) + 0.375) - np.sqrt(np.where(mask, y, 0.0) + 0.375)
    diff = np.where(mask, diff, 0.0)
    return np.sqrt(np.sum(diff**2, axis=(1, 2)) / mask.sum())


def abc_scores(
    problem: FitProblem, sims: np.ndarray, thetas: np.ndarray, kernel: str
) -> np.ndarray:
    """Each simulation's score: its distance (distance kernel; sims are observations drawn
    about the runs) or its deviance -2 log p(data | run) under the observation model
    (likelihood kernel; sims are the runs). A run that failed (NaN: it never took off) or
    left the numbers (inf) scores inf, never accepted."""
    failed = ~np.all(np.isfinite(sims), axis=(1, 2))
    sims = np.where(np.isfinite(sims), sims, 0.0)
    if kernel == "distance":
        score = abc_distance(problem, sims)
    else:
        y = problem.data.values
        mask = np.isfinite(y)
        score = np.empty(sims.shape[0])
        for i, (mu, theta) in enumerate(zip(sims, thetas, strict=True)):
            ll = pointwise(problem.observation, y, mu, problem.nuisance(theta))
            score[i] = -2.0 * float(np.sum(ll[mask]))
    score[failed | ~np.isfinite(score)] = math.inf
    return score


def acceptance(score: np.ndarray, eps: float, best: float, kernel: str) -> np.ndarray:
    """Probability that a simulation with this score is accepted at tolerance eps.

    Distance kernel: 1 within eps (and finite), else 0. Likelihood kernel: exp(-(D - D*) / 2T)
    with T = eps and D* the smallest deviance seen before (so at most 1 but where a run beats
    every earlier one); T = inf accepts every run that scored.
    """
    score = np.asarray(score, dtype=float)
    if kernel == "distance":
        # A run that failed (inf) is never accepted, not even by the first generation's ε = ∞.
        return ((score <= eps) & np.isfinite(score)).astype(float)
    if not math.isfinite(eps):
        return np.isfinite(score).astype(float)
    with np.errstate(invalid="ignore", over="ignore"):
        a = np.exp(-np.maximum(score - best, 0.0) / (2.0 * eps))
    return np.where(np.isfinite(score), a, 0.0)


def next_temperature(
    scores: np.ndarray, weights: np.ndarray, best: float, quantile: float, previous: float
) -> float:
    """The likelihood kernel's next temperature: the smallest T >= 1 at which the population
    just accepted at T = `previous`, reweighted to T by exp(-(D - D*) (1/T - 1/previous) / 2),
    keeps an effective sample size of `quantile` of its own (the adaptive tempering of SMC
    samplers, Jasra et al. 2011; T = 1 is exact). Near a quadratic peak in two values this
    divides T by about 3.4 per generation at quantile 0.5."""
    ok = np.isfinite(scores)
    d = np.maximum(scores[ok] - best, 0.0)
    w0 = weights[ok]
    inv_prev = 0.0 if not math.isfinite(previous) else 1.0 / previous
    base = kish_ess(w0) if d.size else 0.0

    def kept(t: float) -> float:
        x = -0.5 * d * max(1.0 / t - inv_prev, 0.0)
        return kish_ess(w0 * np.exp(x - x.max())) / base

    if d.size == 0 or kept(1.0) >= quantile:
        return 1.0
    lo, hi = 0.0, math.log(max(float(d.max()), 1.0)) + 1.0
    while kept(math.exp(hi)) < quantile:  # (at T this large every member keeps nearly 1)
        hi += 1.0
    for _ in range(80):  # bisection on log T: the effective size increases with T
        mid = 0.5 * (lo + hi)
        if kept(math.exp(mid)) >= quantile:
            hi = mid
        else:
            lo = mid
    return math.exp(hi)


class _Box:
    def __init__(self, problem: FitProblem) -> None:
        self.params = problem.params
        self.lo = np.array([p.u_low for p in self.params])
        self.hi = np.array([p.u_high for p in self.params])
        self.log_prior = -float(np.sum(np.log(self.hi - self.lo)))

    def inside(self, u: np.ndarray) -> bool:
        return bool(np.all(u >= self.lo) and np.all(u <= self.hi))

    def theta(self, u: np.ndarray) -> np.ndarray:
        return np.array([p.from_u(x) for p, x in zip(self.params, u, strict=True)])


@dataclass
class _Population:
    u: np.ndarray
    weights: np.ndarray
    distances: np.ndarray

    def kernel(self) -> np.ndarray:
        """Twice the weighted covariance (Beaumont et al.'s choice), kept positive definite."""
        cov = np.atleast_2d(np.cov(self.u.T, aweights=self.weights, ddof=0)) * 2.0
        jitter = 1e-10 * max(float(np.trace(cov)), 1e-12)
        return cov + jitter * np.eye(cov.shape[0])


def _log_q(u: np.ndarray, pop: _Population, chol: np.ndarray) -> np.ndarray:
    """log Σ_i w_i N(u | u_i, Σ) for each row of u."""
    p = u.shape[1]
    diff = u[:, None, :] - pop.u[None, :, :]  # (m, N, p)
    z = np.linalg.solve(chol, diff.reshape(-1, p).T).T.reshape(diff.shape)
    log_norm = -0.5 * p * math.log(2 * math.pi) - float(np.sum(np.log(np.diag(chol))))
    return logsumexp(np.log(pop.weights)[None, :] - 0.5 * np.sum(z**2, axis=2), axis=1) + log_norm


def _propose(
    root: int, g: int, j: int, box: _Box, pop: _Population | None, chol: np.ndarray | None
) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(root, spawn_key=(g, j, 1)))
    if pop is None:
        return box.lo + (box.hi - box.lo) * rng.random(box.lo.size)
    i = int(rng.choice(pop.weights.size, p=pop.weights))
    assert chol is not None
    return pop.u[i] + chol @ rng.standard_normal(box.lo.size)


def fingerprint(problem: FitProblem, options: AbcOptions, seed: int) -> str:
    """What a resumed fit must share with the one that wrote the work directory."""
    h = hashlib.sha256()
    parts = [
        problem.text,
        problem.label,
        repr(problem.overrides),
        problem.engine,
        repr([p.describe() for p in problem.params]),
        problem.observation,
        # Not the number of generations: a finished fit may be resumed to run further ones.
        options.model_dump_json(exclude={"generations"}),
        str(seed),
    ]
    for part in parts:
        h.update(part.encode())
    h.update(np.ascontiguousarray(problem.data.times).tobytes())
    h.update(np.ascontiguousarray(problem.data.values).tobytes())
    return h.hexdigest()[:16]


class _WorkDir:
    """Finished generations, one .npz each, for resuming."""

    def __init__(self, path: Path | None, key: str, force: bool) -> None:
        self.path = path
        if path is None:
            return
        stamp = path / "fingerprint.json"
        if path.exists():
            old = json.loads(stamp.read_text()).get("fingerprint") if stamp.is_file() else None
            if old != key:
                if not force and any(path.glob("generation-*.npz")):
                    raise FitError(
                        f"{path}: holds the work of a different fit; give --force to discard it"
                    )
                shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"fingerprint": key}))

    def load(self) -> list[dict[str, np.ndarray]]:
        if self.path is None:
            return []
        out = []
        g = 0
        while (f := self.path / f"generation-{g:03d}.npz").is_file():
            with np.load(f) as z:
                out.append({k: z[k] for k in z.files})
            g += 1
        return out

    def save(self, g: int, arrays: dict[str, np.ndarray]) -> None:
        if self.path is None:
            return
        tmp = self.path / f".generation-{g:03d}.tmp"
        with open(tmp, "wb") as f:
            # (numpy's hints read **arrays as its allow_pickle flag.)
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / f"generation-{g:03d}.npz")


def kernel_for(problem: FitProblem, options: AbcOptions) -> str:
    """The kernel a fit uses: the option's, "auto" read as likelihood for the ode engine (its
    runs are the mean field: the kernel cools to the exact posterior) and distance for the
    stochastic engines."""
    if options.kernel != "auto":
        return options.kernel
    return "likelihood" if problem.engine == "ode" else "distance"


def _take_off(problem: FitProblem, options: AbcOptions) -> tuple[int, float, int] | None:
    cond = options.take_off
    if cond is None:
        return None
    columns = problem.data.columns
    if cond.column not in columns:
        raise FitError(
            f"fit.abc.take_off.column: {cond.column!r} is not a column of the data; "
            f"allowed: {', '.join(columns)}"
        )
    index = columns.index(cond.column)
    most = _most_counted(problem, index)
    if most is not None and cond.at_least > most:
        fitted = any(p.key.startswith("initial.") for p in problem.scenario_params)
        raise FitError(
            f"fit.abc.take_off.at_least: {cond.column} can never reach {cond.at_least:g}: the "
            f"scenario holds {most:g} individuals in all"
            f"{' (fitted initial counts at their upper bounds)' if fitted else ''} and no "
            "reaction adds any, so every run would be rejected; take_off's at_least is at most "
            f"{most:g} (the count the data had reached when they were kept)"
        )
    return index, float(cond.at_least), int(cond.tries)


def _most_counted(problem: FitProblem, column: int) -> float | None:
    """The most a data column can ever count, where the model bounds it (None if not): a
    present count (not cumulative) on the compiled path, where no reaction makes individuals,
    is at most everyone there at the start."""
    if problem.data.cumulative[column] or not problem.compiled:
        return None
    net = problem.network
    if np.any(net.stoichiometry.sum(axis=1) > 0):
        return None  # births, or one individual becoming two: no bound
    y0 = np.asarray(problem.scenario.initial_vector(), dtype=np.float64).copy()
    for p in problem.scenario_params:
        head, _, name = p.key.partition(".")
        if head == "initial" and name in net.compartments:
            y0[net.compartments.index(name)] = max(p.high, y0[net.compartments.index(name)])
    return float(y0.sum())


def fit_abc(
    problem: FitProblem,
    *,
    options: AbcOptions,
    seed: int,
    executor: ExecutorInfo,
    workdir: Path | None = None,
    force: bool = False,
    progress: Callable[[int, int | None, str], None] | None = None,
) -> AbcOutcome:
    """ABC-SMC on the problem (see the module docstring)."""
    say = progress or (lambda _d, _t, _w: None)
    box = _Box(problem)
    options = options.model_copy(update={"kernel": kernel_for(problem, options)})
    setup = _Setup(problem, box, options, seed, executor, _take_off(problem, options))
    work = _WorkDir(workdir, fingerprint(problem, options, seed), force)
    history: list[dict[str, Any]] = []
    pop: _Population | None = None
    last: dict[str, np.ndarray] = {}
    total_sims = 0
    best = math.inf  # the smallest score of any candidate so far (D* of the likelihood kernel)
    done = work.load()
    saved: dict[str, np.ndarray] | None = done[-1] if done else None
    for arrays in done:
        pop = _Population(arrays["u"], arrays["weights"], arrays["distances"])
        last = {"distance": arrays["cand_distance"], "log_weight": arrays["cand_log_weight"]}
        best = min(best, float(np.min(arrays["cand_distance"], initial=math.inf)))
        info = json.loads(str(arrays["info"]))
        history.append(info)
        total_sims += int(info["simulations"])
        if info.get("final"):
            break
    # A problem with its network built before pickling saves each worker rebuilding it.
    _ = problem.network, problem.compiled, problem.column_matrix, problem.cumulative_base
    for g in range(len(history), options.generations):
        if history and history[-1].get("final"):
            break
        eps = _next_level(pop, best, options, _level_of(history))
        chol = None if pop is None else np.linalg.cholesky(pop.kernel())
        say(g, options.generations, f"generation {g + 1}, ε = {eps:.4g}")
        result = _generation(setup, pop, chol, eps, best, g)
        if result is None:  # too few acceptances: keep the previous population, for good
            if history and saved is not None:
                history[-1]["final"] = True
                saved["info"] = np.array(json.dumps(history[-1]))
                work.save(g - 1, saved)
            break
        new_pop, cand, info = result
        total_sims += info["simulations"]
        history.append(info)
        pop, last = new_pop, cand
        best = min(best, float(np.min(cand["distance"], initial=math.inf)))
        # The likelihood kernel at T = 1 is the exact posterior: later generations would only
        # spend simulations on the same target.
        info["final"] = options.kernel == "likelihood" and eps == 1.0
        saved = {
            "u": pop.u,
            "weights": pop.weights,
            "distances": pop.distances,
            "cand_distance": cand["distance"],
            "cand_log_weight": cand["log_weight"],
            "info": np.array(json.dumps(info)),
        }
        work.save(g, saved)
    say(options.generations, options.generations, "done")
    if pop is None:
        if options.take_off is not None:
            cond = options.take_off
            raise FitError(
                f"ABC produced no population: with take_off, a candidate is kept only if "
                f"{cond.column} reaches {cond.at_least:g} within {cond.tries} runs; lower "
                "fit.abc.take_off.at_least or raise its tries, or widen the priors or lower "
                "min_acceptance"
            )
        raise FitError("ABC produced no population; widen the priors or lower min_acceptance")
    samples = np.array([box.theta(u) for u in pop.u])
    return AbcOutcome(
        samples, pop.weights, pop.distances, history, last, total_sims, options.kernel
    )


def _next_level(
    pop: _Population | None, best: float, options: AbcOptions, previous: float
) -> float:
    """ε of the next generation: ∞ for the first, then from the population just accepted."""
    if pop is None:
        return math.inf
    if options.kernel == "distance":
        return float(np.quantile(pop.distances, options.quantile))
    return next_temperature(pop.distances, pop.weights, best, options.quantile, previous)


def _level_of(history: list[dict[str, Any]]) -> float:
    """The last generation's ε (∞ before any, or for the first)."""
    if not history or history[-1].get("epsilon") is None:
        return math.inf
    return float(history[-1]["epsilon"])


@dataclass(frozen=True)
class _Setup:
    """What every generation of one fit shares."""

    problem: FitProblem
    box: _Box
    options: AbcOptions
    root: int
    executor: ExecutorInfo
    take_off: tuple[int, float, int] | None

    @property
    def cap(self) -> int:
        return math.ceil(self.options.population / self.options.min_acceptance)


def _uniform(root: int, g: int, j: int) -> float:
    """Candidate j's uniform draw for the likelihood kernel's accept/reject, its own stream."""
    return float(np.random.default_rng(np.random.SeedSequence(root, spawn_key=(g, j, 2))).random())


def _generation(
    setup: _Setup,
    pop: _Population | None,
    chol: np.ndarray | None,
    eps: float,
    best: float,
    g: int,
) -> tuple[_Population, dict[str, np.ndarray], dict[str, Any]] | None:
    problem, box, options, root = setup.problem, setup.box, setup.options, setup.root
    n, cap, kernel = options.population, setup.cap, options.kernel
    dist: dict[int, float] = {}
    hit: dict[int, bool] = {}
    us: dict[int, np.ndarray] = {}
    next_j = 0
    accepted_at: int | None = None
    rate = 1.0 if pop is None else options.quantile
    while accepted_at is None and next_j < cap:
        # How many candidates this wave: enough for the acceptances still missing at the last
        # rate seen, and at least a batch per slot so every worker has something to run.
        have = sum(1 for j in range(next_j) if hit[j])
        want = math.ceil((n - have) / max(rate, 1e-3) * 1.1)
        want = max(want, options.batch * setup.executor.slots)
        want = min(want, cap - next_j)
        js = range(next_j, next_j + want)
        next_j += want
        runs: list[int] = []
        for j in js:
            u = _propose(root, g, j, box, pop, chol)
            us[j] = u
            if box.inside(u):
                runs.append(j)
            else:
                dist[j] = math.inf
                hit[j] = False
        futures = []
        for start in range(0, len(runs), options.batch):
            chunk = tuple(runs[start : start + options.batch])
            batch = SimBatch(
                problem,
                chunk,
                np.array([box.theta(us[j]) for j in chunk]),
                tuple(run_seed(root, g, j) for j in chunk),
                noise=kernel == "distance",
                take_off=setup.take_off,
            )
            futures.append(setup.executor.executor.submit(run_batch, batch))
        wait(futures)
        for fut in futures:
            idx, sims = fut.result()
            thetas = np.array([box.theta(us[j]) for j in idx])
            scores = abc_scores(problem, sims, thetas, kernel)
            for j, d, a in zip(idx, scores, acceptance(scores, eps, best, kernel), strict=True):
                dist[j] = float(d)
                # The draw is compared only where it matters, so the distance kernel's
                # candidates need no extra stream.
                hit[j] = bool(a >= 1.0 or (a > 0.0 and _uniform(root, g, j) < a))
        hits = [j for j in range(next_j) if hit[j]]
        rate = max(len(hits) / next_j, 1.0 / next_j)
        if len(hits) >= n:
            accepted_at = hits[n - 1]
    if accepted_at is None:
        return None
    used = accepted_at + 1
    chosen = [j for j in range(used) if hit[j]]
    u = np.array([us[j] for j in chosen])
    d = np.array([dist[j] for j in chosen])
    cand_u = np.array([us[j] for j in range(used)])
    cand_d = np.array([dist[j] for j in range(used)])
    inside = np.array([box.inside(x) for x in cand_u])
    if pop is None:
        log_w = np.zeros(u.shape[0])
        cand_lw = np.where(inside, 0.0, -np.inf)
    else:
        assert chol is not None
        log_w = box.log_prior - _log_q(u, pop, chol)
        cand_lw = np.full(used, -np.inf)
        cand_lw[inside] = box.log_prior - _log_q(cand_u[inside], pop, chol)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    info = {
        "generation": g,
        "kernel": kernel,
        "epsilon": eps if math.isfinite(eps) else None,
        "simulations": int(inside.sum()),
        "candidates": used,
        "acceptance": n / used,
        "ess": kish_ess(w),
        "median_distance": float(np.median(d)),
    }
    cand = {"distance": cand_d, "log_weight": cand_lw}
    return _Population(u, w, d), cand, info

"""ABC-SMC (Beaumont et al. 2009, population Monte Carlo) for any engine, on hyosan's executors.

Why not pyabc: it installs here (0.13), but its samplers keep the first particles to *finish*
(dynamic scheduling over a pool, Redis or Dask), and draw proposals and simulations from each
worker's own random state. The population then depends on timing and on the number of
workers, so the same seed would not give the same numbers on 1 worker, 2 workers or a Dask
cluster, which every hyosan command promises; its resumption (from its SQL history) restarts a
generation with fresh random numbers. The algorithm itself is short, so it is written here on
numpy, with each candidate's randomness fixed by its index.

One generation g:

1. ε_g is the `quantile` of the previous population's distances (∞ for g = 0: the prior).
2. Candidate j (j = 0, 1, 2, ...) draws its proposal from its own stream,
   SeedSequence(root, spawn_key=(g, j, 1)): from the prior for g = 0, else a particle of the
   previous population picked by weight and moved by a Gaussian kernel with twice the
   population's weighted covariance, in u (log scale for log-uniform priors). A proposal
   outside the prior's box is a rejected candidate (no run), so the proposal density is the
   untruncated mixture and the weights below are exact.
3. Its run has the seed run_seed(root, g, j), the ensembles' derivation with the generation as
   the point and the candidate as the replicate; observation noise is drawn on top from a stream
   spawned from that seed. The distance to the data is the root mean square difference of
   variance-stabilised counts √(y + 3/8) (data scaled by each column's spread for the normal
   model), over the values present.
4. Candidates are run in batches on the executor (a process pool, Dask, any
   concurrent.futures executor); the population is the first N candidates *in index order*
   with distance <= ε_g, so which worker ran what, and how many extra candidates were run,
   changes nothing. Weights are π(u) / Σ_i w_i K(u | u_i).
5. Stop after `generations`, or when a generation would need more than N / min_acceptance
   candidates (the previous population is kept, and the fit is marked finished for good).

Each finished generation is written to the work directory (a temporary file renamed), so an
interrupted fit resumes at the next generation with the same numbers as an uninterrupted one;
the same command with more `generations` continues a finished fit.

With a stochastic engine the distance cannot fall below what the engine's own noise leaves:
for W1 (one zombie at the start, kills 83 % of bites) the timing of the take-off varies by
hours between runs, so the tolerance stalls well above the observation noise and the posterior
stays wide; particle MCMC (pmmh.py) uses the exact likelihood instead and is the better tool
for well-mixed ssa models.

For model comparison, the last generation's candidates give an importance-sampling estimate of
the ABC evidence p(d <= ε | model) = E_q[π/q · 1{d <= ε}] at any ε at least that generation's
(the candidates outside the box count as zeros).
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
from hyosan.fit.simulate import SimBatch, run_batch
from hyosan.fit.weighted import kish_ess

if TYPE_CHECKING:
    from hyosan.ensemble.executors import ExecutorInfo
    from hyosan.fit.problem import FitProblem
    from hyosan.fit.spec import AbcOptions

__all__ = ["AbcOutcome", "abc_distance", "fit_abc"]


@dataclass
class AbcOutcome:
    """The final population and the history of the generations."""

    samples: np.ndarray  # (N, p) values in their units
    weights: np.ndarray  # (N,) normalised
    distances: np.ndarray  # (N,)
    generations: list[dict[str, Any]] = field(default_factory=list)
    last_candidates: dict[str, np.ndarray] = field(default_factory=dict)
    simulations: int = 0

    @property
    def epsilon(self) -> float:
        """The final tolerance."""
        return float(self.generations[-1]["epsilon"])

    def log_evidence(self, eps: float) -> float:
        """log p(distance <= eps) under the prior, from the last generation's candidates."""
        d = self.last_candidates["distance"]
        lw = self.last_candidates["log_weight"]
        hit = d <= eps
        if not hit.any():
            return -math.inf
        return float(logsumexp(lw[hit]) - math.log(d.size))


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
    n = options.population
    cap = math.ceil(n / options.min_acceptance)
    work = _WorkDir(workdir, fingerprint(problem, options, seed), force)
    history: list[dict[str, Any]] = []
    pop: _Population | None = None
    last: dict[str, np.ndarray] = {}
    total_sims = 0
    done = work.load()
    saved: dict[str, np.ndarray] | None = done[-1] if done else None
    for arrays in done:
        pop = _Population(arrays["u"], arrays["weights"], arrays["distances"])
        last = {"distance": arrays["cand_distance"], "log_weight": arrays["cand_log_weight"]}
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
        eps = math.inf if pop is None else float(np.quantile(pop.distances, options.quantile))
        chol = None if pop is None else np.linalg.cholesky(pop.kernel())
        say(g, options.generations, f"generation {g + 1}, ε = {eps:.4g}")
        result = _generation(problem, box, pop, chol, eps, g, n, cap, seed, options, executor)
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
        info["final"] = False
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
        raise FitError("ABC produced no population; widen the priors or lower min_acceptance")
    samples = np.array([box.theta(u) for u in pop.u])
    return AbcOutcome(samples, pop.weights, pop.distances, history, last, total_sims)


def _generation(
    problem: FitProblem,
    box: _Box,
    pop: _Population | None,
    chol: np.ndarray | None,
    eps: float,
    g: int,
    n: int,
    cap: int,
    root: int,
    options: AbcOptions,
    executor: ExecutorInfo,
) -> tuple[_Population, dict[str, np.ndarray], dict[str, Any]] | None:
    dist: dict[int, float] = {}
    us: dict[int, np.ndarray] = {}
    next_j = 0
    accepted_at: int | None = None
    rate = 1.0 if pop is None else options.quantile
    while accepted_at is None and next_j < cap:
        # How many candidates this wave: enough for the acceptances still missing at the last
        # rate seen, and at least a batch per slot so every worker has something to run.
        have = sum(1 for j in range(next_j) if dist[j] <= eps)
        want = math.ceil((n - have) / max(rate, 1e-3) * 1.1)
        want = max(want, options.batch * executor.slots)
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
        futures = []
        for start in range(0, len(runs), options.batch):
            chunk = tuple(runs[start : start + options.batch])
            batch = SimBatch(
                problem,
                chunk,
                np.array([box.theta(us[j]) for j in chunk]),
                tuple(run_seed(root, g, j) for j in chunk),
            )
            futures.append(executor.executor.submit(run_batch, batch))
        wait(futures)
        for fut in futures:
            idx, sims = fut.result()
            for j, d in zip(idx, abc_distance(problem, sims), strict=True):
                dist[j] = float(d)
        hits = [j for j in range(next_j) if dist[j] <= eps]
        rate = max(len(hits) / next_j, 1.0 / next_j)
        if len(hits) >= n:
            accepted_at = hits[n - 1]
    if accepted_at is None:
        return None
    used = accepted_at + 1
    chosen = [j for j in range(used) if dist[j] <= eps]
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
        "epsilon": eps if math.isfinite(eps) else None,
        "simulations": int(inside.sum()),
        "candidates": used,
        "acceptance": n / used,
        "ess": kish_ess(w),
        "median_distance": float(np.median(d)),
    }
    cand = {"distance": cand_d, "log_weight": cand_lw}
    return _Population(u, w, d), cand, info

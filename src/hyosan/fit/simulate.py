"""Simulations for the fit methods, as tasks a worker runs: one engine run read at the data's
times, or a batch of them with observation noise drawn on top (for ABC).

Tasks carry everything by value, so they pickle to a process pool or a Dask worker. Each
simulation's seed is given by the caller (spawned from the root seed as ensembles spawn theirs),
never drawn in the worker, so results do not depend on which worker ran what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hyosan.fit.observation import sample

if TYPE_CHECKING:
    from hyosan.fit.data import Observations
    from hyosan.fit.problem import FitProblem

__all__ = ["SimBatch", "engine_path", "run_batch", "try_seed"]


def engine_path(
    text: str,
    label: str,
    overrides: tuple[str, ...],
    engine: str,
    seed: int,
    data: Observations,
    base: str = "",
) -> np.ndarray:
    """Run the engine once and read each observed column at the observation times.

    Records are right-continuous steps (the value at a time is the last record at or before
    it), as in ensembles; the output times are set to the observation times where they form a
    regular grid, so the reading is exact. Relative file paths are read from `base` (see
    ensemble.task.prepare).
    """
    from hyosan.ensemble.task import prepare

    scenario, chosen, _ = prepare(text, label, tuple(overrides), engine, base)
    result = chosen.run(scenario, seed=seed)
    at = np.searchsorted(result.times, data.times * (1 + 1e-12) + 1e-9, side="right") - 1
    at = np.clip(at, 0, len(result.times) - 1)
    return np.stack([np.asarray(result.series(c), dtype=np.float64)[at] for c in data.columns], 1)


@dataclass(frozen=True)
class SimBatch:
    """Candidates `indices` of one ABC generation: their θ and the seeds of their runs.

    `noise`: draw observations about each run (the distance kernel) or return the runs as
    they are (the likelihood kernel scores them by the observation model). `take_off`:
    (column index, count, tries) when runs are conditioned on taking off.
    """

    problem: FitProblem
    indices: tuple[int, ...]
    thetas: np.ndarray
    seeds: tuple[int, ...]
    noise: bool = True
    take_off: tuple[int, float, int] | None = None


def try_seed(seed: int, attempt: int) -> int:
    """The seed of a candidate's run after `attempt` runs that did not take off (0: its own).

    Spawned from the candidate's seed, so a conditioned run is the same on any worker.
    """
    if attempt == 0:
        return seed
    word = np.random.SeedSequence(seed, spawn_key=(2, attempt)).generate_state(1, np.uint64)[0]
    return int(word) & ((1 << 63) - 1)  # 63 bits, as run_seed gives


def _path(problem: FitProblem, theta: np.ndarray, seed: int) -> np.ndarray:
    # The ode engine's mean field is evaluated by the compiled integrator where it can be (the
    # same mean field, to 1e-9); stochastic engines always run through the engine itself.
    if problem.compiled and problem.engine == "ode":
        return problem.mean_path(theta)
    return problem.engine_path(theta, seed)


def run_batch(batch: SimBatch) -> tuple[tuple[int, ...], np.ndarray]:
    """Simulate each candidate (and draw its observations); returns (indices, (m, n, k)).

    The run uses the candidate's seed; the observation noise a second stream spawned from it,
    so that the same candidate gives the same draws on any worker. Under `take_off`, runs are
    repeated with the seeds of `try_seed` until one takes off; a candidate none of whose runs
    did is returned as NaN (rejected).
    """
    problem = batch.problem
    out = np.empty((len(batch.indices), *problem.data.values.shape))
    for i, (theta, seed) in enumerate(zip(batch.thetas, batch.seeds, strict=True)):
        if batch.take_off is None:
            mu = _path(problem, theta, seed)
        else:
            column, count, tries = batch.take_off
            for attempt in range(tries):
                mu = _path(problem, theta, try_seed(seed, attempt))
                if np.nanmax(mu[:, column]) >= count:
                    break
            else:
                out[i] = np.nan
                continue
        if not batch.noise:
            out[i] = mu
            continue
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
        out[i] = sample(problem.observation, rng, mu, problem.nuisance(theta))
    return batch.indices, out

"""The fitted model against the data: quantiles of what it predicts at the observation times.

Fitted values (200, or 40 where each needs an engine run) are drawn from the posterior by
weight (for mle, from the normal approximation at the estimate); each gives a trajectory (the
compiled mean field, or a run of the engine with a seed spawned from the fit's) with
observation noise drawn on top, and the 5, 25, 50, 75 and 95 % quantiles over them make the bands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.ensemble.seeds import run_seed
from hyosan.fit.observation import sample

if TYPE_CHECKING:
    from hyosan.fit.result import FitResult

__all__ = ["fitted_bands"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def fitted_bands(result: FitResult, draws: int | None = None) -> Any:
    """bands.parquet: t, column, q05 ... q95 and the observed value.

    `draws` defaults to 200 where the compiled mean field gives each trajectory, and to 40
    where each is a run of the engine (in this process: an agents run takes seconds).
    """
    import pyarrow as pa

    problem = result.problem
    if draws is None:
        draws = 200 if problem.compiled and problem.engine == "ode" else 40
    rng = np.random.default_rng(np.random.SeedSequence(result.seed, spawn_key=(1 << 40,)))
    w = result.weights / result.weights.sum()
    picks = rng.choice(len(w), size=min(draws, 4 * len(w)), p=w)
    sims = []
    for n, i in enumerate(picks):
        theta = problem.clip(result.samples[i])
        seed = run_seed(result.seed, 1 << 20, n)
        if problem.compiled and problem.engine == "ode":
            mu = problem.mean_path(theta)
        else:
            mu = problem.engine_path(theta, seed)
        noise = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
        sims.append(sample(problem.observation, noise, mu, problem.nuisance(theta)))
    arr = np.stack(sims)
    q = np.quantile(arr, QUANTILES, axis=0)  # (5, n, k)
    data = problem.data
    t = problem.time_in_unit(data.times)
    rows: dict[str, list[Any]] = {
        "t": [],
        "column": [],
        **{f"q{round(x * 100):02d}": [] for x in QUANTILES},
        "observed": [],
    }
    for j, col in enumerate(data.columns):
        rows["t"] += t.tolist()
        rows["column"] += [col] * t.size
        for qi, x in enumerate(QUANTILES):
            rows[f"q{round(x * 100):02d}"] += q[qi, :, j].tolist()
        rows["observed"] += data.values[:, j].tolist()
    return pa.table(rows)

"""ABC-SMC: W1 recovered, the same numbers on any executor, a resumed fit equal to a fresh one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fit_helpers import BITE, KILL, w1_data, write_scenario

from hyosan.ensemble.executors import open_executor
from hyosan.fit.abc import fit_abc
from hyosan.fit.build import build_problem
from hyosan.fit.spec import AbcOptions
from hyosan.fit.weighted import weighted_quantiles

RATES = ["parameters.bite_rate=0.1:3:log", "parameters.kill_rate=0.1:3:log"]


def test_w1_recovered_within_ten_percent(tmp_path: Path) -> None:
    """The posterior medians of both rates are within 10 % and the 95 % intervals hold them."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 7), fit=RATES, time_unit="h"
    )
    with open_executor(1) as ex:
        out = fit_abc(problem, options=AbcOptions(population=300), seed=2, executor=ex)
    for i, truth in enumerate((BITE, KILL)):
        lo, med, hi = weighted_quantiles(out.samples[:, i], out.weights, [0.025, 0.5, 0.975])
        assert abs(med / truth - 1) < 0.10
        assert lo < truth < hi
    assert out.generations[-1]["ess"] > 100


def test_same_population_on_one_worker_and_on_a_pool(tmp_path: Path) -> None:
    """The ssa engine's runs spread over two worker processes give the very same population."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 3), fit=RATES, time_unit="h", engine="ssa"
    )
    options = AbcOptions(population=30, generations=2, batch=8)
    outs = []
    for workers in (1, 2):
        with open_executor(workers) as ex:
            outs.append(fit_abc(problem, options=options, seed=9, executor=ex))
    np.testing.assert_array_equal(outs[0].samples, outs[1].samples)
    np.testing.assert_array_equal(outs[0].weights, outs[1].weights)
    assert outs[0].generations == outs[1].generations


def test_resumed_fit_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    """Generations kept in the work directory are not run again; the result is unchanged."""
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 5), fit=RATES, time_unit="h"
    )
    work = tmp_path / ".work"
    with open_executor(1) as ex:
        first = fit_abc(
            problem,
            options=AbcOptions(population=50, generations=2),
            seed=4,
            executor=ex,
            workdir=work,
        )
        assert sorted(p.name for p in work.glob("generation-*.npz")) == [
            "generation-000.npz",
            "generation-001.npz",
        ]
        resumed = fit_abc(
            problem,
            options=AbcOptions(population=50, generations=4),
            seed=4,
            executor=ex,
            workdir=work,
        )
        fresh = fit_abc(
            problem, options=AbcOptions(population=50, generations=4), seed=4, executor=ex
        )
    assert first.generations == resumed.generations[:2]
    np.testing.assert_array_equal(resumed.samples, fresh.samples)
    assert resumed.simulations == fresh.simulations


def test_work_of_another_fit_is_refused(tmp_path: Path) -> None:
    """A work directory left by a different fit is not mixed in."""
    from hyosan.fit.errors import FitError

    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 5), fit=RATES, time_unit="h"
    )
    work = tmp_path / ".work"
    with open_executor(1) as ex:
        fit_abc(
            problem,
            options=AbcOptions(population=20, generations=1),
            seed=4,
            executor=ex,
            workdir=work,
        )
        with pytest.raises(FitError, match="different fit"):
            fit_abc(
                problem,
                options=AbcOptions(population=20, generations=1),
                seed=5,
                executor=ex,
                workdir=work,
            )


@pytest.mark.timeout(180)
def test_same_population_on_a_dask_cluster(tmp_path: Path) -> None:
    """Runs sent to a Dask LocalCluster (as `--cluster` sends them) give the serial population."""
    distributed = pytest.importorskip(
        "distributed", reason="Dask is the optional extra hyosan[distributed]"
    )
    problem, _ = build_problem(
        write_scenario(tmp_path), w1_data(tmp_path, 3), fit=RATES, time_unit="h"
    )
    options = AbcOptions(population=30, generations=2, batch=8)
    with open_executor(1) as ex:
        serial = fit_abc(problem, options=options, seed=9, executor=ex)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        open_executor(cluster=cluster.scheduler_address) as ex,
    ):
        dask = fit_abc(problem, options=options, seed=9, executor=ex)
    np.testing.assert_array_equal(serial.samples, dask.samples)
    np.testing.assert_array_equal(serial.weights, dask.weights)

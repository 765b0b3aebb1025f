"""`hyosan.fit.fit`: one scenario fitted to observed counts, by mle, abc or pmmh."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.base import valid_seed
from hyosan.fit.build import build_problem
from hyosan.fit.checks import result_warnings
from hyosan.fit.errors import FitError, in_callers_words, speaks_fit_python
from hyosan.fit.progress import FitProgress, show_warning
from hyosan.fit.result import FitResult
from hyosan.fit.weighted import kish_ess, weighted_quantiles
from hyosan.paths import user_path
from hyosan.results.publish import claim_output

if TYPE_CHECKING:
    from hyosan.fit.data import Observations
    from hyosan.fit.problem import FitProblem
    from hyosan.fit.spec import FitSpec
    from hyosan.scenario.schema import Scenario

__all__ = ["fit", "work_dir_for"]


def work_dir_for(out: Path) -> Path:
    """Where an ABC fit writing `out` keeps its finished generations, for a resume."""
    return out.parent / f".{out.name}.fit"


@speaks_fit_python
def fit(  # noqa: PLR0913 (keyword options of the public API, as the CLI's)
    scenario: Scenario | str | Path,
    data: str | Path | Observations | Any | None = None,
    *,
    method: str | None = None,
    fit: Sequence[str] | str | dict[str, Any] = (),
    overrides: list[str] | tuple[str, ...] | str = (),
    engine: str | None = None,
    observation: str | None = None,
    time_unit: str | None = None,
    seed: int | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    executor: Executor | None = None,
    out: str | Path | None = None,
    force: bool = False,
    quiet: bool = True,
    report: bool = True,
    options: dict[str, Any] | None = None,
) -> FitResult:
    """Fit a scenario's values to observed counts.

    Parameters
    ----------
    scenario
        A scenario file (its `[fit]` table is read), a built-in name or a Scenario.
    data
        The data file (default: `data` in `[fit]`), a pyarrow Table or pandas DataFrame of
        the same columns (a time column, then counts), or Observations. The times are the
        time elapsed since the scenario's start: numbers in `time_unit`, or durations (pandas
        timedeltas, converted as they are); dates and timestamps are refused.
    method
        "mle" (ode engine), "abc" (any engine) or "pmmh" (well-mixed ssa); default: `[fit]`'s,
        else mle for the ode engine and abc for the others.
    fit
        Fitted values beside `[fit.parameters]` (replacing its entry of the same key):
        `--fit` strings ("KEY=LOW:HIGH[:log]") or a mapping of key to {low, high, prior}.
        Each value is fitted once, under one key (a model's parameter is `parameters.NAME`).
    overrides
        `--set` overrides of the scenario ("KEY=VALUE"; one string is one override).
    engine, observation, time_unit
        Replace the scenario's engine, `[fit]`'s observation model and time unit.
    seed
        Root seed (default: `[fit]`'s, else the scenario's).
    workers, cluster, executor
        Where abc's simulations and pmmh's chains run, as for ensembles.
    out
        Write the fit directory there (atomically); an interrupted abc fit resumes from
        `.OUT.fit/` beside it.
    force
        Replace an existing OUT (and discard another fit's work directory).
    quiet
        No progress bar, and no warning on stderr about the data before the work (data whose
        times disagree with the scenario's horizon). Every warning is in `FitResult.warnings`
        (and fit.json): that one, an estimate on a bound of its prior, an open profile
        interval, a sampler that did not converge (see hyosan.fit.checks).
    report
        Write report.html with the directory.
    options
        Method options: mle `starts`, `level`; abc `population`, `generations`, `quantile`,
        `min_acceptance`, `batch`, `kernel`, `take_off`; pmmh `chains`, `iterations`,
        `burn_in`, `particles`.

    Returns
    -------
    FitResult
    """
    from hyosan.scenario.load import override_list

    problem, spec = build_problem(
        scenario,
        data,
        fit=fit,
        overrides=override_list(overrides),
        engine=engine,
        observation=observation,
        time_unit=time_unit,
    )
    chosen = method or spec.method or ("mle" if problem.engine == "ode" else "abc")
    _check_method(problem, chosen)  # before any progress is shown
    spec = _with_options(spec, chosen, options or {})
    root = valid_seed(
        seed if seed is not None else spec.seed if spec.seed is not None else problem.scenario.seed
    )
    out_path = user_path(out) if out is not None else None
    with contextlib.ExitStack() as hold:
        if out_path is not None:
            # OUT's lock from before the work to the publish, and its refusal (the current
            # directory, a file, a directory hyosan did not write) before any work is done.
            hold.enter_context(claim_output(out_path, force=force))
        where = (workers, cluster, executor)
        if not quiet:  # before the work, which the warning may make pointless
            for warning in problem.warnings:
                show_warning(in_callers_words(warning))
        return _fit(problem, spec, chosen, root, where, out_path, force, quiet, report)


def _check_method(problem: FitProblem, chosen: str) -> None:
    """Refuse an unknown method, or one the engine cannot serve, before any work."""
    if chosen not in ("mle", "abc", "pmmh"):
        raise FitError(f"--method {chosen!r}: allowed: mle, abc, pmmh")
    if chosen == "mle" and problem.engine != "ode":
        raise FitError(
            f"--method mle needs the ode engine (a deterministic model); the scenario runs "
            f"{problem.engine}: use --engine ode, or --method abc (any engine) or pmmh (ssa)"
        )
    if chosen == "pmmh":
        from hyosan.fit.pmmh import check_pmmh

        check_pmmh(problem)


def _fit(
    problem: FitProblem,
    spec: FitSpec,
    chosen: str,
    root: int,
    where: tuple[int | None, str | None, Executor | None],
    out_path: Path | None,
    force: bool,
    quiet: bool,
    report: bool,
) -> FitResult:
    # The fit itself, once its arguments are resolved and OUT is held (fit).
    workers, cluster, executor = where
    start = time.perf_counter()
    with FitProgress(f"fit {problem.scenario.name} ({chosen})", quiet=quiet) as bar:
        if chosen == "mle":
            result = _mle(problem, spec, root, bar)
        elif chosen == "abc":
            result = _abc(problem, spec, root, bar, workers, cluster, executor, out_path, force)
        else:
            result = _pmmh(problem, spec, root, bar, workers, cluster, executor)
    result.diagnostics["wall_s"] = time.perf_counter() - start
    # Printed by `hyosan fit` under its table, where they are read with the numbers; in the
    # Python API's words when Python called.
    result.warnings = [in_callers_words(w) for w in [*problem.warnings, *result_warnings(result)]]
    if out_path is not None:
        result.save(out_path, force=force, report=report)
        if chosen == "abc":
            import shutil

            shutil.rmtree(work_dir_for(out_path), ignore_errors=True)
    return result


def _with_options(spec: FitSpec, method: str, options: dict[str, Any]) -> FitSpec:
    if not options:
        return spec
    from hyosan.fit.spec import FitSpec as Spec

    data = spec.model_dump()
    table = data.setdefault(method, {})
    for k, v in options.items():
        if k not in Spec.model_fields[method].annotation.model_fields:  # type: ignore[union-attr]
            allowed = ", ".join(Spec.model_fields[method].annotation.model_fields)  # type: ignore[union-attr]
            raise FitError(f"{method} option {k!r} is not known; allowed: {allowed}")
        table[k] = v
    return Spec.from_table(data, "options")


def _mle(problem: FitProblem, spec: FitSpec, root: int, bar: FitProgress) -> FitResult:
    from hyosan.fit.mle import fit_mle

    steps = spec.mle.starts + 1 + len(problem.params)
    count = {"n": 0}

    def say(what: str) -> None:
        count["n"] += 1
        bar.update(min(count["n"], steps), steps, what)

    out = fit_mle(problem, starts=spec.mle.starts, level=spec.mle.level, seed=root, progress=say)
    # Draws from the normal approximation at the estimate stand in for a posterior (bands,
    # pair plots); kept inside the bounds.
    rng = np.random.default_rng(np.random.SeedSequence(root, spawn_key=(1 << 41,)))
    cov = (
        out.covariance
        if np.all(np.isfinite(out.covariance))
        else np.diag(np.zeros(len(out.estimate)))
    )
    try:
        draws = rng.multivariate_normal(out.estimate, cov, size=1000, method="eigh")
    except (ValueError, np.linalg.LinAlgError):
        draws = np.tile(out.estimate, (1000, 1))
    draws = problem.clip(draws)
    per_value = [
        {
            "fisher_interval": [float(out.fisher[i, 0]), float(out.fisher[i, 1])],
            "std_error": float(out.std_error[i]),
            "interval_open": [bool(out.profile_open[i, 0]), bool(out.profile_open[i, 1])],
        }
        for i in range(len(out.estimate))
    ]
    diagnostics = {
        "log_likelihood": out.log_likelihood,
        "aic": out.aic,
        "bic": out.bic,
        "n_observed": out.n_observed,
        "n_parameters": len(out.estimate),
        "evaluations": out.evaluations,
        "starts": out.starts,
        "profiles": out.profiles,
    }
    return FitResult(
        "mle",
        problem,
        out.estimate,
        out.profile,
        spec.mle.level,
        draws,
        np.full(len(draws), 1.0 / len(draws)),
        diagnostics,
        per_value,
        seed=root,
        outcome=out,
    )


def _credible(samples: np.ndarray, w: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    q = np.array(
        [weighted_quantiles(samples[:, i], w, [lo, 0.5, hi]) for i in range(samples.shape[1])]
    )
    return q[:, 1], q[:, [0, 2]]


def _abc(
    problem: FitProblem,
    spec: FitSpec,
    root: int,
    bar: FitProgress,
    workers: int | None,
    cluster: str | None,
    executor: Executor | None,
    out: Path | None,
    force: bool,
) -> FitResult:
    from hyosan.ensemble.executors import open_executor
    from hyosan.fit.abc import fit_abc

    level = spec.mle.level
    with open_executor(workers, cluster, executor) as info:
        bar.note(f"abc on {info.description}")
        outcome = fit_abc(
            problem,
            options=spec.abc,
            seed=root,
            executor=info,
            workdir=None if out is None else work_dir_for(out),
            force=force,
            progress=bar.update,
        )
    est, intervals = _credible(outcome.samples, outcome.weights, level)
    per_value = [
        {
            "mean": float(np.average(outcome.samples[:, i], weights=outcome.weights)),
            "sd": float(np.sqrt(np.cov(outcome.samples[:, i], aweights=outcome.weights, ddof=0))),
        }
        for i in range(outcome.samples.shape[1])
    ]
    last = outcome.generations[-1]
    diagnostics = {
        "kernel": outcome.kernel,
        "epsilon": outcome.epsilon if last.get("epsilon") is not None else None,
        "ess": kish_ess(outcome.weights),
        "acceptance": last["acceptance"],
        "simulations": outcome.simulations,
        "population": int(outcome.weights.size),
        "generations": outcome.generations,
        "log_evidence": outcome.log_evidence(outcome.epsilon) if last.get("epsilon") else None,
    }
    result = FitResult(
        "abc",
        problem,
        est,
        intervals,
        level,
        outcome.samples,
        outcome.weights,
        diagnostics,
        per_value,
        {"distance": outcome.distances},
        seed=root,
        outcome=outcome,
    )
    return result


def _pmmh(
    problem: FitProblem,
    spec: FitSpec,
    root: int,
    bar: FitProgress,
    workers: int | None,
    cluster: str | None,
    executor: Executor | None,
) -> FitResult:
    from hyosan.ensemble.executors import open_executor
    from hyosan.fit.pmmh import fit_pmmh

    level = spec.mle.level
    with open_executor(workers, cluster, executor) as info:
        bar.note(f"pmmh on {info.description}")
        outcome = fit_pmmh(
            problem, options=spec.pmmh, seed=root, executor=info, progress=bar.update
        )
    samples = outcome.samples
    w = np.full(samples.shape[0], 1.0 / samples.shape[0])
    est, intervals = _credible(samples, w, level)
    n_chains, n_kept, _ = outcome.chains.shape
    per_value = [
        {"rhat": float(outcome.rhat[i]), "ess": float(outcome.ess[i])}
        for i in range(samples.shape[1])
    ]
    diagnostics = {
        "acceptance": float(np.mean(outcome.acceptance)),
        "acceptance_by_chain": outcome.acceptance,
        "rhat_max": float(np.nanmax(outcome.rhat)),
        "ess_min": float(np.nanmin(outcome.ess)),
        "chains": n_chains,
        "kept_per_chain": n_kept,
        "particles": outcome.particles,
        "mean_log_likelihood": float(np.mean(outcome.log_likelihood)),
        "start": outcome.start.tolist(),
    }
    return FitResult(
        "pmmh",
        problem,
        est,
        intervals,
        level,
        samples,
        w,
        diagnostics,
        per_value,
        {
            "chain": np.repeat(np.arange(n_chains), n_kept),
            "iteration": np.tile(np.arange(n_kept), n_chains),
            "log_likelihood": outcome.log_likelihood.reshape(-1),
        },
        seed=root,
        outcome=outcome,
    )

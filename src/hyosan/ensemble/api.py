"""Many runs of a scenario: an ensemble, a parameter sweep, or a comparison of two scenarios.

Each function validates its input up front (so that bad input fails before any run, with the
flag or field named), makes a EnsemblePlan and hands it to the driver. The ensemble directory is
written to `out`, by default `runs/<scenario>-<kind>-<fingerprint>`: the same command always
chooses the same directory, so that it can resume.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.engines.base import valid_seed
from hyosan.ensemble.errors import VaryError
from hyosan.ensemble.options import Execution, Output
from hyosan.ensemble.plan import EnsemblePlan, Point
from hyosan.errors import HyosanError, ScenarioError, speaks_python

if TYPE_CHECKING:
    from collections.abc import Callable

    from hyosan.ensemble.driver import EnsembleRun
    from hyosan.scenario.schema import Scenario

__all__ = ["run_compare", "run_ensemble", "run_sweep"]


def _source(scenario: str | Path | Scenario) -> tuple[str, str]:
    """(label, TOML text) of a scenario given by file, built-in name or object."""
    from hyosan.scenario.load import read_scenario_data
    from hyosan.scenario.schema import Scenario

    if isinstance(scenario, Scenario):
        import tomli_w

        text = tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))
        return f"scenario {scenario.name!r}", text
    return read_scenario_data(scenario)


def _resolve(
    scenario: str | Path | Scenario, overrides: tuple[str, ...], engine: str | None
) -> tuple[str, str, Scenario, str]:
    """Label, text, validated scenario (for the chosen engine) and the engine's name."""
    from hyosan.preflight import preflight
    from hyosan.scenario.load import parse_scenario

    label, text = _source(scenario)
    scen = parse_scenario(text, label, overrides)
    name = preflight(scen, engine, source=label)  # every check of a run, before any run
    if scen.engine != name:
        scen = scen.evolve(engine=name)
    return label, text, scen, name


#: What a sweep's phase plot shows without --outcome.
DEFAULT_OUTCOME = "p_humans_win"

#: Most replicates per point: beyond this the work directory and the tables outgrow any disk
#: (`--runs 1000000000` was accepted and its work directory grew 3.3 MB/s).
MAX_RUNS = 10_000_000


def _check_runs(runs: object) -> None:
    # Python callers may pass anything: 2.5 or "3" is refused here, not deep in the plan.
    if isinstance(runs, bool) or not isinstance(runs, numbers.Integral):
        raise HyosanError(f"runs is a whole number, 1 or more; found {runs!r}")
    count = int(runs)
    if count < 1:
        raise HyosanError(f"--runs must be 1 or more; found {count}")
    if count > MAX_RUNS:
        raise HyosanError(f"--runs {count:,} is more than {MAX_RUNS:,}; run fewer")


def _options(execution: object, output: object) -> tuple[Execution, Output]:
    """`execution` and `output` checked before anything runs (and before a worker process that
    imports an unguarded script starts the runs again; see executors.refuse_in_worker_import).

    A path given as `output` is taken as `Output(out=path)`; anything else not an Execution or
    an Output is refused here (a string failed deep in the driver, naming an attribute)."""
    import os

    from hyosan.ensemble.executors import refuse_in_worker_import

    refuse_in_worker_import()
    if isinstance(output, str | os.PathLike):
        output = Output(out=Path(output))
    if not isinstance(output, Output):
        raise HyosanError(
            'output is an Output (from hyosan.ensemble), e.g. Output("runs/mine", force=True), '
            f"or the directory's path; found {output!r}"
        )
    if not isinstance(execution, Execution):
        raise HyosanError(
            "execution is an Execution (from hyosan.ensemble), e.g. Execution(workers=4); "
            f"found {execution!r}"
        )
    return execution, output


def _default_out(name: str, plan: EnsemblePlan, options: dict[str, object] | None = None) -> Path:
    """The directory a command writes without --out: runs/<name>-<kind>-<fingerprint>.

    `options` are those that change the files written but not the runs (--within, --outcome,
    sample's --output), and only those the command was given: they go into the fingerprint,
    so that the same runs with another of them are not taken for the same command, while a
    command given none keeps the name it always had (and finds its directory).
    """
    from hyosan.results.names import safe_dir_name

    fingerprint = plan.fingerprint()
    if options:
        blob = json.dumps({"plan": fingerprint, "options": options}, sort_keys=True)
        fingerprint = hashlib.sha256(blob.encode()).hexdigest()
    # The scenario's name is made a plain name: it cannot put the output outside runs/.
    return Path("runs") / f"{safe_dir_name(name)}-{plan.kind}-{fingerprint[:10]}"


def _given(within_s: float | None, outcome: str | None = None) -> dict[str, object]:
    """The options of `_default_out` that a command was given: --within, and an --outcome
    other than the default (which draws what no --outcome draws)."""
    options: dict[str, object] = {}
    if within_s is not None:
        options["within_s"] = float(within_s)
    if outcome is not None and outcome != DEFAULT_OUTCOME:
        options["outcome"] = outcome
    return options


@speaks_python
def run_ensemble(
    scenario: str | Path | Scenario,
    runs: int,
    *,
    engine: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] | str = (),
    execution: Execution = Execution(),
    output: Output | str | Path = Output(),
    within_s: float | None = None,
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Run `runs` replicates of a scenario and write its ensemble directory.

    Parameters
    ----------
    scenario
        A scenario file, a built-in name or a Scenario.
    runs
        Number of replicates.
    engine, seed, overrides
        As for `hyosan.simulate`; `seed` is the root seed the runs' seeds are spawned from.
    execution
        Where the runs execute: local workers, a Dask cluster or an executor of your own (see
        `hyosan.ensemble.Execution`; default: one worker process per core). Worker processes
        import your script as they start: in a script, call this under
        `if __name__ == "__main__":` (it is refused in a worker that imports a script without
        the guard).
    output
        The ensemble directory, whether to replace it, and whether to show progress (see
        `hyosan.ensemble.Output`; default: under runs/, named by the command's fingerprint,
        no progress bar). A path is taken as `Output(out=path)`.
    within_s
        The time (s) of P(overrun within) in summary.json (default: the horizon).
    before_publish
        Called with the hidden folder holding the finished files before it is put at `out`
        (the command line writes the report there, so that it appears with the rest).

    Returns
    -------
    EnsembleRun
        The directory, its summary and its runs table.
    """
    from hyosan.ensemble.driver import run_plan
    from hyosan.scenario.load import override_list

    execution, output = _options(execution, output)
    _check_runs(runs)
    overrides = override_list(overrides)
    label, text, scen, engine_name = _resolve(scenario, overrides, engine)
    root = scen.seed if seed is None else valid_seed(seed)
    point = Point(0, scen.name, text, label, overrides, engine_name, seed_key=0)
    plan = EnsemblePlan("ensemble", root, runs, (point,))
    target = output.target(_default_out(scen.name, plan, _given(within_s)))
    return run_plan(
        plan,
        replace(output, out=target),
        scenarios=[scen],
        execution=execution,
        within_s=within_s,
        before_publish=before_publish,
    )


@speaks_python
def run_sweep(
    scenario: str | Path | Scenario,
    vary: list[str] | tuple[str, ...] | str,
    runs: int,
    *,
    log: bool = False,
    engine: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] | str = (),
    execution: Execution = Execution(),
    output: Output | str | Path = Output(),
    within_s: float | None = None,
    outcome: str = DEFAULT_OUTCOME,
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Run `runs` replicates at every point of a parameter grid.

    Seeds are spawned by (point, replicate). The parameters not listed here are those of
    `run_ensemble`.

    Parameters
    ----------
    vary
        `KEY=LO:HI:N` specifications, one per axis (see hyosan.ensemble.vary).
    log
        Space every axis' values evenly in the log.
    outcome
        What the phase plot shows: "p_humans_win", "p_overrun" or "p_overrun_within".
    """
    from hyosan.ensemble.driver import run_plan
    from hyosan.ensemble.vary import grid, parse_vary
    from hyosan.scenario.load import override_list, parse_scenario

    execution, output = _options(execution, output)
    _check_runs(runs)
    if outcome not in ("p_humans_win", "p_overrun", "p_overrun_within"):
        raise HyosanError(
            f"--outcome {outcome!r}: choose p_humans_win, p_overrun or p_overrun_within"
        )
    overrides = override_list(overrides)
    label, text, scen, engine_name = _resolve(scenario, overrides, engine)
    axes = parse_vary(vary, text, scen, overrides=overrides, log=log)
    # The ends of each axis are where a value is most likely out of range: check them now,
    # rather than in a worker half way through.
    for axis in axes:
        for value in {axis.values[0], axis.values[-1]}:
            try:
                parse_scenario(text, label, overrides, unnoted=(axis.override(value),))
            except ScenarioError as exc:
                problems = "; ".join(str(p) for p in exc.problems)
                raise VaryError(
                    f"--vary {axis.spec}: the value {value:g} is not allowed: {problems}"
                ) from None
    root = scen.seed if seed is None else valid_seed(seed)
    points = tuple(
        Point(
            i,
            scen.name,
            text,
            label,
            (*overrides, *(a.override(values[a.key]) for a in axes)),
            engine_name,
            seed_key=i,
            values=values,
        )
        for i, values in enumerate(grid(axes))
    )
    plan = EnsemblePlan("sweep", root, runs, points, tuple(axes))
    target = output.target(_default_out(scen.name, plan, _given(within_s, outcome)))
    return run_plan(
        plan,
        replace(output, out=target),
        scenarios=[scen],
        execution=execution,
        within_s=within_s,
        before_publish=before_publish,
        outcome=outcome,
    )


@speaks_python
def run_compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    runs: int,
    *,
    engine: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] | str = (),
    execution: Execution = Execution(),
    output: Output | str | Path = Output(),
    within_s: float | None = None,
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Run two scenarios with the same seeds and report paired differences B − A.

    Replicate r of A and replicate r of B share their seed (common random numbers), so the
    differences carry less noise than two independent ensembles would. `overrides` and
    `engine` apply to both; the root seed defaults to A's. The other parameters are those of
    `run_ensemble`.
    """
    from hyosan.ensemble.driver import run_plan
    from hyosan.scenario.load import override_list

    execution, output = _options(execution, output)
    _check_runs(runs)
    overrides = override_list(overrides)
    label_a, text_a, scen_a, engine_a = _resolve(a, overrides, engine)
    label_b, text_b, scen_b, engine_b = _resolve(b, overrides, engine)
    root = scen_a.seed if seed is None else valid_seed(seed)
    points = (
        Point(0, scen_a.name, text_a, label_a, overrides, engine_a, seed_key=0),
        Point(1, scen_b.name, text_b, label_b, overrides, engine_b, seed_key=0),
    )
    plan = EnsemblePlan("compare", root, runs, points)
    name = f"{scen_a.name}-vs-{scen_b.name}"
    target = output.target(_default_out(name, plan, _given(within_s)))
    return run_plan(
        plan,
        replace(output, out=target),
        scenarios=[scen_a, scen_b],
        execution=execution,
        within_s=within_s,
        before_publish=before_publish,
    )

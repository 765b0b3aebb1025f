"""Drive a plan to its ensemble directory: run what is missing, then assemble the files.

1. take OUT's lock (one writer per OUT: results.outlock), recover what a killed command left
   and refuse an existing OUT (unless forced, and then only hyosan's: results.publish); open
   the work directory beside it, which finds the runs a killed or interrupted execution of the
   same command finished;
2. submit the missing runs to the executor in bounded batches (twice its capacity in flight),
   keeping each finished run, by (point, replicate), in the work directory's part files;
3. on Ctrl-C, cancel what is queued, keep what finished and raise EnsembleInterruptedError; on a run
   that raises, keep what finished and raise RunFailedError;
4. assemble runs.parquet, bands.parquet (and incidence_bands.parquet where the engine counts its
   reactions), summary.json, scenario.toml (and phase.png for a sweep)
   in a hidden sibling of OUT and put it into place (results.publish.publish_dir), then delete
   the work directory and let go of the lock.

Results depend only on the plan: the executor, the number of workers and the order in which
runs finish change nothing in runs.parquet or bands.parquet (only summary.json's `wall_s`).
"""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyosan._entry import signals_seen
from hyosan.display import counted
from hyosan.ensemble.errors import EnsembleInterruptedError, RunFailedError, WorkerLostError
from hyosan.ensemble.executors import ExecutorInfo, open_executor, shut_down
from hyosan.ensemble.options import Execution, Output
from hyosan.ensemble.parts import WorkDir, work_dir_for
from hyosan.ensemble.progress import RunProgress
from hyosan.ensemble.task import Task, run_task
from hyosan.errors import HyosanError
from hyosan.results.publish import claim_output, publish_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pyarrow as pa

    from hyosan.ensemble.plan import EnsemblePlan, Point
    from hyosan.scenario.schema import Scenario

__all__ = ["EnsembleRun", "run_plan"]


@dataclass
class EnsembleRun:
    """A finished ensemble: where its directory is (`out`), its summary.json (`summary`) and
    its runs.parquet (`runs`, one row per run)."""

    out: Path
    summary: dict[str, Any]
    runs: pa.Table

    def __repr__(self) -> str:
        # The dataclass's repr printed the whole summary (a sweep's grows by a kilobyte a
        # point) and a preview of the runs table; this says what ran and where it is.
        s = self.summary
        points = s.get("points", 1)
        return (
            f"<EnsembleRun {s.get('scenario')!r} ({s.get('engine')}, {s.get('kind')}): "
            f"{counted(s.get('runs', self.runs.num_rows), 'runs')}, {counted(points, 'points')}, "
            f"in {str(self.out)!r}>"
        )


def _execute(
    tasks: Iterator[Task],
    info: ExecutorInfo,
    work: WorkDir,
    bar: RunProgress,
    total: int,
    signals: int,
) -> None:
    """Run the tasks on the executor, keeping every finished run in the work directory.

    `signals` is the count of SIGINT and SIGTERM seen before the executor opened (see
    hyosan._entry.signals_seen): one more, and the ensemble stops as on Ctrl-C, even where the
    handler's KeyboardInterrupt was swallowed (a Cython module's start-up does so: a Ctrl-C
    landing while numpy.random first loaded was lost and 100,000 runs went on to the end).
    """
    pending: dict[Future[Any], Task] = {}
    # Serial execution runs at submit: one in flight. Otherwise keep every worker busy with a
    # short queue, never the whole plan (10,000 futures would hold their tasks in memory).
    limit = 1 if info.slots == 1 else 2 * info.slots
    try:
        while True:
            if signals_seen() != signals:
                raise KeyboardInterrupt
            while len(pending) < limit:
                task = next(tasks, None)
                if task is None:
                    break
                pending[info.executor.submit(run_task, task)] = task
            if not pending:
                break
            finished, _ = wait(list(pending), timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                try:
                    error = future.exception()
                except CancelledError:  # by the executor: a Dask scheduler that went away
                    error = CancelledError(
                        "the executor cancelled the run (a Dask cluster's scheduler or "
                        "workers lost?)"
                    )
                if isinstance(error, BrokenExecutor):
                    raise error
                if error is not None:
                    work.flush()
                    raise RunFailedError(
                        task.point,
                        task.replicate,
                        task.seed,
                        f"{type(error).__name__}: {error}",
                        str(work.path),
                        kept=len(work.done()),
                        bad_input=isinstance(error, HyosanError),
                    )
                work.add(future.result())
                bar.advance()
            if work.due():
                work.flush()
    except BrokenExecutor:
        # A worker died without a Python error (see WorkerLostError): at the submit of the
        # next run or in a run's result, whichever comes first.
        work.flush()
        raise WorkerLostError(str(work.path), kept=len(work.done())) from None
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        try:
            if info.owned:  # wait for the runs in progress, so that they are kept too
                shut_down(info.executor, wait=True)
        except TypeError:  # Dask's executor: cancel at once
            info.executor.shutdown(wait=False)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            pass
        for future in pending:
            if future.done() and not future.cancelled() and future.exception() is None:
                work.add(future.result())
                bar.advance()
        work.flush()
        # Counted in the part files: a Ctrl-C landing between keeping a run and counting it
        # on the bar left the message one short.
        raise EnsembleInterruptedError(len(work.done()), total, str(work.path)) from None
    finally:
        for future in pending:
            future.cancel()
        work.flush()


def _scenario_toml(scenario: Scenario, seed: int, note: str) -> str:
    """The resolved scenario as TOML, as run directories write it, with a note on its use."""
    import tomli_w

    data = scenario.model_dump(mode="json", exclude_none=True)
    data["seed"] = seed
    header = f"# Resolved by hyosan for the {scenario.engine} engine, root seed {seed}.\n{note}"
    return header + tomli_w.dumps(data, multiline_strings=True)


def _finite(data: Any) -> Any:
    # JSON has no NaN or infinity: a figure that is not a number is written as null.
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def _json(data: Any) -> str:
    return json.dumps(_finite(data), indent=2, allow_nan=False) + "\n"


def _sides(points: tuple[Point, ...]) -> list[str]:
    """A comparison's A and B as summary.json names them: each scenario's name, followed by
    where it was read from where the two share a name but not a file ("my-response
    (runs/county-strike/scenario.toml)"), so that the two can be told apart."""
    names = [p.name for p in points]
    sources = ["built-in" if p.label.startswith("built-in scenario ") else p.label for p in points]
    if len(set(names)) == 1 and len(set(sources)) > 1:
        return [f"{name} ({source})" for name, source in zip(names, sources, strict=True)]
    return names


def _assemble(
    plan: EnsemblePlan,
    work: WorkDir,
    out: Path,
    *,
    scenarios: list[Scenario],
    force: bool,
    within_s: float | None,
    wall_s: float,
    outcome: str,
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Write the ensemble directory from the work directory, atomically."""
    import pyarrow.parquet as pq

    from hyosan._version import __version__
    from hyosan.ensemble.bands import write_bands, write_incidence_bands
    from hyosan.ensemble.outcomes import compare_differences, point_outcomes, split_points
    from hyosan.ensemble.tables import runs_table
    from hyosan.ensemble.task import prepare

    # A run stored twice (a kill between a part's rename and the next part) counts once: the
    # two copies are the same run, with the same seed.
    records = list({(r["point"], r["replicate"]): r for r in work.records()}.values())
    missing = plan.total - len(records)
    if missing:
        raise RuntimeError(f"{counted(missing, 'runs')} missing from {work.path}")
    table = runs_table(plan, records)
    grids = {p.index: prepare(p.text, p.label, p.overrides, p.engine)[2] for p in plan.points}
    characters: dict[int, list[str] | None] = {}
    for r in records:
        if r["characters"] is not None:
            characters.setdefault(r["point"], r["characters"])
    by_point = split_points(table)
    per_point = []
    for p in plan.points:
        entry: dict[str, Any] = {
            "point": p.index,
            "scenario": p.name,
            "engine": p.engine,
            "values": dict(p.values),
            "horizon_s": float(grids[p.index][-1]),
        }
        entry.update(
            point_outcomes(
                by_point[p.index],
                horizon_s=float(grids[p.index][-1]),
                within_s=within_s,
                characters=characters.get(p.index),
            )
        )
        per_point.append(entry)
    names = _sides(plan.points) if plan.kind == "compare" else [plan.points[0].name]
    engines = list(dict.fromkeys(p.engine for p in plan.points))
    # Without --within each point's P(overrun within) is within its own horizon: one time
    # for all only where every point has the same horizon (a sweep of time.horizon has not).
    horizons = {float(g[-1]) for g in grids.values()}
    summary: dict[str, Any] = {
        "kind": plan.kind,
        "hyosan_version": __version__,
        "scenario": " vs ".join(names),
        "engine": engines[0] if len(engines) == 1 else " vs ".join(engines),
        "root_seed": plan.root_seed,
        "runs": plan.total,
        "replicates": plan.replicates,
        "points": len(plan.points),
        "wall_s": wall_s,
        "within_s": (
            within_s if within_s is not None else horizons.pop() if len(horizons) == 1 else None
        ),
        "quantiles": "numpy linear (bands.parquet)",
        "per_point": per_point,
    }
    if plan.axes:
        summary["vary"] = [a.describe() for a in plan.axes]
    if plan.kind == "compare":
        summary["scenarios"] = names
        summary.update(compare_differences(plan, table))

    def build(tmp: Path) -> None:
        nonlocal summary
        pq.write_table(table, tmp / "runs.parquet")
        write_bands(plan, work, grids, tmp / "bands.parquet")
        if write_incidence_bands(plan, work, grids, tmp / "incidence_bands.parquet"):
            summary["incidence_bands"] = "incidence_bands.parquet"
        note = {
            "ensemble": "# Each run's seed is spawned from the root seed: hyosan.ensemble.seeds.\n",
            "sweep": "# The sweep varies: "
            + ", ".join(a.spec for a in plan.axes)
            + (" (log spaced)" if any(a.log for a in plan.axes) else "")
            + "\n",
            "compare": "# Scenario A of the comparison; scenario-b.toml is B.\n",
            "sample": "# The sample sets "
            + ", ".join(plan.points[0].values)
            + " at each of its points: runs.parquet has their values.\n",
        }[plan.kind]
        (tmp / "scenario.toml").write_text(
            _scenario_toml(scenarios[0], plan.root_seed, note), encoding="utf-8"
        )
        if plan.kind == "compare":
            (tmp / "scenario-b.toml").write_text(
                _scenario_toml(scenarios[1], plan.root_seed, "# Scenario B of the comparison.\n"),
                encoding="utf-8",
            )
        if plan.kind == "sweep" and 1 <= len(plan.axes) <= 2:
            from hyosan.ensemble.phase import phase_plot

            phase_plot(summary, list(plan.axes), tmp / "phase.png", outcome=outcome)
            summary["phase_plot"] = {"file": "phase.png", "outcome": outcome}
        summary = _finite(summary)
        (tmp / "summary.json").write_text(_json(summary), encoding="utf-8")
        if before_publish is not None:
            before_publish(tmp)

    publish_dir(out, build, force=force)
    return EnsembleRun(out=out, summary=summary, runs=table)


def _check_disk(plan: EnsemblePlan, scenarios: list[Scenario], out: Path) -> None:
    """Refuse a plan whose work directory would not fit on the disk beside OUT."""
    import shutil

    from hyosan.limits import GO_ANYWAY, limits_ignored

    if limits_ignored():
        return
    # The states' counts and the reactions' (and the infections') counts so far, 8 bytes a
    # value: float64, which ode's fractional counts fill (whole counts pack smaller).
    per_run = max(
        8 * len(s.time.output_times()) * (len(s.model.compartments) + len(s.model.reactions) + 1)
        + 400
        for s in scenarios
    )
    # Part files hold every run's series once (compressed, but the worst case is not), and a
    # large ensemble's bands are computed from a second copy on disk (ensemble.bands).
    from hyosan.ensemble.bands import IN_MEMORY_BYTES

    need = plan.total * per_run
    if need > IN_MEMORY_BYTES:
        need *= 2
    try:
        free = shutil.disk_usage(out.parent).free
    except OSError:
        return
    if need > free:
        raise HyosanError(
            f"{counted(plan.total, 'runs')} need{'s' if plan.total == 1 else ''} about "
            f"{need / 2**30:.3g} GiB beside {out} "
            f"({per_run:,} bytes each), and {free / 2**30:.3g} GiB is free; run fewer, or "
            f"write them elsewhere (--out), or {GO_ANYWAY}"
        )


def _check_within(within_s: float | None, plan: EnsemblePlan, scenarios: list[Scenario]) -> None:
    """Refuse a P(overrun within) time past the end of any run: they stop at their horizon,
    and a run that ended sooner cannot say whether it would have been overrun by then (a
    comparison's shorter scenario, a sweep's shorter horizons)."""
    if within_s is None:
        return
    from hyosan.scenario.units import SECONDS_PER, format_duration

    if not math.isfinite(within_s) or within_s <= 0:
        # (The command line's --within is a duration and cannot be; Python's within_s can.)
        raise HyosanError(f"--within {within_s!r}: give a time after the start (in seconds)")

    horizons = [float(s.time.horizon) for s in scenarios]
    for axis in plan.axes:
        if axis.key == "time.horizon" and axis.unit is not None:
            horizons = [v * SECONDS_PER[axis.unit.lower()] for v in axis.values]
    horizon = min(horizons)
    if within_s > horizon * (1 + 1e-9):
        some = "some runs end" if len(set(horizons)) > 1 else "the runs end"
        raise HyosanError(
            f"--within {format_duration(within_s)}: after the horizon "
            f"({format_duration(horizon)}), where {some}; give a time up to it"
        )


def run_plan(
    plan: EnsemblePlan,
    output: Output,
    *,
    scenarios: list[Scenario],
    execution: Execution = Execution(),
    within_s: float | None = None,
    outcome: str = "p_humans_win",
    flush_runs: int = 50,
    flush_s: float = 5.0,
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Run every missing run of `plan` and write its ensemble directory to `output.out`.

    Parameters
    ----------
    plan
        Points × replicates to run.
    output
        The ensemble directory to write (OUT; it must be given), whether to replace it, and
        whether to show progress.
    scenarios
        The resolved scenario(s) to write as scenario.toml (two for a comparison).
    execution
        Local worker processes (default one per core; 1: in this process), the address of a
        Dask scheduler, or a `concurrent.futures.Executor` to use instead.
    within_s
        The time P(overrun within) refers to (default: the horizon).
    outcome
        The outcome a sweep's phase plot shows.
    flush_runs, flush_s
        How often finished runs are written to part files (runs, seconds).
    before_publish
        Called with the hidden folder once the files are in it, before it is put at OUT (the
        report is written there, so it appears with the rest).

    Raises
    ------
    HyosanError
        Both workers and a cluster, or an executor and a cluster; a `within_s` not after the
        start or past a horizon; OUT exists (without `force`, or with it but not written
        by hyosan), another command is writing OUT, or work of a different command is in the
        way.
    EnsembleInterruptedError
        Ctrl-C; finished runs are kept and the same command resumes.
    RunFailedError
        A run raised; finished runs are kept.
    """
    start = time.perf_counter()
    if execution.workers is not None and execution.cluster is not None:
        raise HyosanError("give --workers or --cluster, not both")
    if execution.executor is not None and execution.cluster is not None:
        # (Python only:) the executor would be used and the cluster silently not.
        raise HyosanError("give an executor or a cluster, not both")
    if output.out is None:
        raise ValueError("run_plan needs the ensemble directory: output.out")
    _check_within(within_s, plan, scenarios)
    out, force, quiet = Path(output.out), output.force, output.quiet
    # One writer per OUT, from before the work directory is opened until the publish: a second
    # command into the same OUT is refused at once rather than mixing its runs into ours.
    with claim_output(out, force=force):
        _check_disk(plan, scenarios, out)
        try:
            work = WorkDir(
                work_dir_for(out), plan, force=force, flush_runs=flush_runs, flush_s=flush_s
            )
        except OSError as exc:
            raise HyosanError(f"cannot write beside {out}: {exc}") from None
        done = work.done()
        left = plan.total - len(done)
        signals = signals_seen()
        try:
            if left > 0:
                with (
                    RunProgress(plan.total, len(done), f"{plan.kind} runs", quiet=quiet) as bar,
                    open_executor(execution.workers, execution.cluster, execution.executor) as info,
                ):
                    resumed = f", resuming with {len(done)} done" if done else ""
                    bar.note(f"{counted(left, 'runs')} on {info.description}{resumed}")
                    if info.dashboard:
                        bar.note(f"Dask dashboard: {info.dashboard}")
                    _execute(plan.tasks(done), info, work, bar, plan.total, signals)
        except BaseException:
            if not work.chunks():  # nothing finished (a bad flag, a first run that failed)
                work.remove()
            raise
        finally:
            # Runs in this process (one worker) kept their big worlds for the next run; the
            # ensemble is done with them. (Pool workers let go of theirs as they exit.)
            from hyosan.engines.reuse import forget

            forget()
        try:
            result = _assemble(
                plan,
                work,
                out,
                scenarios=scenarios,
                force=force,
                within_s=within_s,
                wall_s=time.perf_counter() - start,
                outcome=outcome,
                before_publish=before_publish,
            )
        except KeyboardInterrupt:  # every run done, the directory not yet written
            raise EnsembleInterruptedError(len(work.done()), plan.total, str(work.path)) from None
        work.remove()
    return result

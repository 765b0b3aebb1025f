"""One run of an ensemble, as a worker sees it: a small task in, a small record out.

A task carries the scenario as TOML text (so that it pickles to any process or machine), its
overrides, the engine's name and the run's seed. The worker validates the scenario once per
process (a small cache keyed by text, overrides and engine, filled on first use), runs it
through `Engine.run`, and hands back a record: the scalar summary figures, the named
survivors, each state's counts on the scenario's output times as float64 (exact for whole
counts up to 2**53: a country's population is far past the 2**24 float32 keeps exact), and,
where the engine counts its reactions, how many times each reaction (and infections in all) had
happened by each of those times, as float64 too (for the ensemble's incidence bands,
ensemble.bands). The Result itself (events, places, the series at every record) never leaves
the worker.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hyosan.engines.base import Engine
    from hyosan.results.result import Result
    from hyosan.scenario.schema import Scenario

__all__ = [
    "Task",
    "epidemic_on_grid",
    "prepare",
    "record_from_result",
    "run_task",
    "with_files_from",
]

#: Summary figures that become columns of runs.parquet, in this order (the `final_<state>`
#: columns follow `humans_win`).
SCALARS: tuple[str, ...] = (
    "t_end_s",
    "peak_zombies",
    "t_peak_zombies_s",
    "t_overrun_s",
    "humans_win",
)


@dataclass(frozen=True)
class Task:
    """What a worker needs to run replicate `replicate` of point `point`."""

    point: int
    replicate: int
    seed: int
    text: str
    label: str
    overrides: tuple[str, ...]
    engine: str
    #: The directory the scenario's relative file paths (world.file, world.edges) are read
    #: from: the command's, so that a worker started elsewhere (on a Dask cluster) finds them.
    base: str = ""


@functools.lru_cache(maxsize=8)
def prepare(
    text: str, label: str, overrides: tuple[str, ...], engine: str, base: str = ""
) -> tuple[Scenario, Engine, np.ndarray]:
    """The validated scenario, the engine and the output times of a task's point; relative
    file paths in its world are read from `base` (if given).

    Cached per process (filled on first use, never at import): validating a scenario costs
    more than a small run, so a worker does it once per point.
    """
    from hyosan.engines import get_engine
    from hyosan.scenario.load import parse_scenario

    scenario = with_files_from(parse_scenario(text, label, overrides), base)
    chosen = get_engine(engine)
    # A worker hands back summaries and series only: an engine that can leave out the rest
    # of a Result (the agents engine's event table and per-room snapshots) is told so.
    chosen.summary_only = True
    # Every run of the point has the same world and kernel arrays before its first event:
    # an engine that can keep them between runs is told so (engines/reuse.py).
    chosen.reuse = True
    if scenario.engine != chosen.name:
        scenario = scenario.evolve(engine=chosen.name)
    grid = np.asarray(scenario.time.output_times(), dtype=np.float64)
    return scenario, chosen, grid


def _python_figures(figures: dict[str, Any]) -> dict[str, Any]:
    # numpy scalars become Python ones: the records travel as JSON in the part files.
    out: dict[str, Any] = {}
    for k, v in figures.items():
        if isinstance(v, bool | np.bool_):
            out[k] = bool(v)
        elif isinstance(v, int | np.integer):
            out[k] = int(v)
        elif isinstance(v, float | np.floating):
            out[k] = float(v)
        elif v is None:
            out[k] = None
    return out


def record_from_result(result: Result, grid: np.ndarray) -> dict[str, Any]:
    """The small record of one run: scalar figures, survivors and states on `grid`.

    A run that stopped early holds its last recorded counts to the end of the grid (records
    are right-continuous steps: the value at a grid time is the last record at or before it).
    """
    summary = result.headline()
    states = result.state_names()
    scalars: dict[str, Any] = {
        "t_end_s": float(summary.t_end_s),
        "peak_zombies": _opt_float(summary.peak_zombies),
        "t_peak_zombies_s": _opt_float(summary.t_peak_zombies_s),
        "t_overrun_s": _opt_float(summary.t_overrun_s),
        "humans_win": bool(summary.humans_win),
    }
    for s in states:
        scalars[f"final_{s}"] = float(summary.final[s])
    scalars["wall_s"] = float(summary.wall_s)
    scalars["stopped_by"] = str(summary.stopped_by)
    # Further figures of the engine (bites, rescues, ...) and of the interventions.
    extras = _python_figures(summary.extra_figures())
    characters = None if summary.people is None else [f.name for f in summary.people.fates]
    at = np.searchsorted(result.times, grid, side="right") - 1
    at = np.clip(at, 0, len(result.times) - 1)
    series = np.empty((len(grid), len(states)), dtype=np.float64)
    for j, s in enumerate(states):
        series[:, j] = result.series(s)[at]
    names, cumulative = epidemic_on_grid(result, at)
    return {
        "scalars": scalars,
        "extras": extras,
        "survivors": list(result.survivors) if characters is not None else None,
        "characters": characters,
        "states": states,
        "series": series,
        "epidemic_names": names,
        "epidemic": cumulative,
    }


def epidemic_on_grid(result: Result, at: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Each reaction's count so far, then the infections', at the recorded rows `at`, as
    float64 (grid times, reactions + 1); no names and no columns if the engine counted none."""
    epi = result.epidemic
    if epi is None:
        return [], np.zeros((at.size, 0), dtype=np.float64)
    columns = np.column_stack([epi.cumulative, epi.infections])[at]
    return [*epi.reactions, "infections"], columns.astype(np.float64)


def _opt_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def with_files_from(scenario: Scenario, base: str) -> Scenario:
    """`scenario` with the relative paths of its world's files made paths under `base`."""
    from pathlib import Path

    world = scenario.world
    if not base or world is None:
        return scenario
    moved = {
        key: str(Path(base) / value)
        for key in ("file", "edges")
        if isinstance(value := getattr(world, key), str)
        and not Path(value).expanduser().is_absolute()
    }
    # Only where the files are read from changes: nothing to validate again.
    return (
        scenario.model_copy(update={"world": world.model_copy(update=moved)}) if moved else scenario
    )


def run_task(task: Task) -> dict[str, Any]:
    """Run one task and return its record (see the module docstring)."""
    scenario, engine, grid = prepare(task.text, task.label, task.overrides, task.engine, task.base)
    result = engine.run(scenario, seed=task.seed)
    record = record_from_result(result, grid)
    record.update(point=task.point, replicate=task.replicate, seed=task.seed)
    return record

"""Global sensitivity: `hyosan sample`, parameter points drawn by SALib, indices of an outcome.

`--vary KEY=LO:HI` gives each key's range (in the scenario's unit, as for a sweep). SALib draws
the points of a design: "sobol" (Saltelli's scheme; first-order and total Sobol indices),
"morris" (elementary effects; μ*, σ) or "lhs" (a Latin hypercube; first-order indices by
RBD-FAST). Every point runs `--runs` replicates on the pool or Dask, as a sweep's points do (the
same machinery: plan, seeds, resumable work directory, and the same `Execution` and `Output`
options); the outcome of a point is the mean of its replicates' figure (`--output`, `figure`
in Python: a column of runs.parquet, e.g. final_human, attack_rate, humans_win), and SALib
turns the outcomes into indices, with their 95 % confidence intervals.

The design and the indices are separate functions (`design_points`, `sensitivity_indices`), so
that they can be checked on a function with known indices (Ishigami's) without any run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np

from hyosan.display import counted
from hyosan.engines.base import valid_seed
from hyosan.ensemble.options import Execution, Output
from hyosan.errors import HyosanError, python_words, speaking

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    import pyarrow as pa

    from hyosan.ensemble.driver import EnsembleRun
    from hyosan.ensemble.plan import EnsemblePlan
    from hyosan.scenario.schema import Scenario

__all__ = ["DESIGNS", "design_points", "run_sample", "sensitivity_indices"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: The designs, and the index each gives.
DESIGNS = {
    "sobol": "first-order and total Sobol indices (Saltelli's sampling)",
    "morris": "Morris elementary effects (mu_star, sigma)",
    "lhs": "first-order indices by RBD-FAST on a Latin hypercube",
}

#: The figure analysed without --output.
DEFAULT_FIGURE = "final_human"

#: How many of the runs' figures a message about --output lists (the headline ones come first).
_FIGURES_LISTED = 16

#: Morris trajectories move on a grid of this many levels per parameter.
_MORRIS_LEVELS = 4

#: RBD-FAST's harmonics (SALib's M): an input's first-order share of the variance is the
#: periodogram's first M frequencies over all of them.
_RBD_HARMONICS = 10

#: The fewest points of an lhs design: with N points the periodogram has N / 2 frequencies, and
#: SALib's bootstrap takes half the points, so below 4M + 2 the first M are all there are (S1
#: comes out 1 for every input, whatever the outcome) or the bias correction divides by zero.
LHS_MIN_SAMPLES = 4 * _RBD_HARMONICS + 2


def _problem(names: list[str], bounds: list[tuple[float, float]]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": names, "bounds": [list(b) for b in bounds]}


def design_points(
    design: str, names: list[str], bounds: list[tuple[float, float]], n: int, seed: int
) -> np.ndarray:
    """SALib's sample of `design` over the box `bounds`: rows of parameter values.

    `n` is SALib's base sample size: sobol makes n·(d + 2) points (a power of two is best),
    morris n·(d + 1) (n trajectories), lhs n.
    """
    problem = _problem(names, bounds)
    seed = int(seed) % (2**32)  # SALib's samplers take a numpy seed
    if design == "sobol":
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():
            # SALib's warning that n is not a power of two: run_sample says it in its words.
            warnings.filterwarnings("ignore", message=".*power of 2", category=UserWarning)
            return np.asarray(sobol.sample(problem, n, calc_second_order=False, seed=seed))
    if design == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, n, num_levels=_MORRIS_LEVELS, seed=seed))
    if design == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem, n, seed=seed))
    raise HyosanError(f"--design {design!r}: choose {', '.join(DESIGNS)}")


def _check_lhs_points(n: int) -> None:
    """Refuse an lhs design of fewer than LHS_MIN_SAMPLES points (see there)."""
    if n < LHS_MIN_SAMPLES:
        raise HyosanError(
            f"--samples {n}: --design lhs needs {LHS_MIN_SAMPLES} or more (RBD-FAST reads "
            f"{_RBD_HARMONICS} harmonics of the outcome, and fewer points give S1 = 1 for every "
            "key, whatever the outcome)"
        )


def sensitivity_indices(
    design: str,
    names: list[str],
    bounds: list[tuple[float, float]],
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
) -> dict[str, dict[str, float | None]]:
    """The indices of outcomes `y` at the points `x` of `design`: {name: {index: value}},
    each index with its 95 % confidence half-width as `<index>_conf` (bootstrap); None where
    SALib could not estimate it (a constant outcome, or too few points for the design)."""
    import warnings

    problem = _problem(names, bounds)
    y = np.asarray(y, dtype=np.float64)
    seed = int(seed) % (2**32)
    keys: tuple[str, ...]
    with warnings.catch_warnings():
        # SALib warns about a constant outcome (indices NaN), which the table then shows.
        warnings.simplefilter("ignore")
        if design == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        elif design == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem, x, y, num_levels=_MORRIS_LEVELS, seed=seed)
            keys = ("mu_star", "mu_star_conf", "sigma")
        elif design == "lhs":
            from SALib.analyze import rbd_fast

            _check_lhs_points(y.size)
            res = rbd_fast.analyze(problem, x, y, M=_RBD_HARMONICS, seed=seed)
            keys = ("S1", "S1_conf")
        else:
            raise HyosanError(f"--design {design!r}: choose {', '.join(DESIGNS)}")
    return {
        name: {k: _finite_or_none(np.asarray(res[k])[i]) for k in keys}
        for i, name in enumerate(names)
    }


def _finite_or_none(value: Any) -> float | None:
    v = float(value)
    return v if np.isfinite(v) else None


def _figures(runs: pa.Table, varied: Collection[str] = ()) -> list[str]:
    """The figures of `runs` that --output may name: numbers and yes-or-no, not the runs'
    labels (point, seed), words, or the keys --vary sets (the runs' inputs, not outcomes).
    In the table's order: the headline figures (final_human, humans_win...) first."""
    import pyarrow as pa

    return [
        field.name
        for field in runs.schema
        if field.name not in ("point", "replicate", "seed", *varied)
        and (
            pa.types.is_integer(field.type)
            or pa.types.is_floating(field.type)
            or pa.types.is_boolean(field.type)
        )
    ]


def _no_such_figure(
    figure: str, scalars: list[str], varied: Collection[str], after: str = ""
) -> HyosanError:
    """The error for an --output the runs do not have, listing those they have; `after` is
    said last (where the finished runs are kept)."""
    from hyosan.scenario.names import did_you_mean

    # A city's runs have some seventy figures (each measure's, each place's arrival): the
    # whole list was cut off before the headline ones, so name those and count the rest.
    guess = did_you_mean(figure, scalars)
    shown = ", ".join(scalars[:_FIGURES_LISTED])
    more = len(scalars) - _FIGURES_LISTED
    rest = (
        f", or one of {more} more (as runs.parquet names its columns: each measure's "
        "figures, each place's first zombie, ...)"
        if more > 0
        else ""
    )
    what = (
        "a key --vary sets, not a figure of the runs"
        if figure in varied
        else "runs have no such figure" + (f" ({guess})" if guess else "")
    )
    return HyosanError(f"--output {figure!r}: {what}; choose {shown}{rest}" + after)


def point_outcomes(
    runs: pa.Table,
    figure: str,
    n_points: int,
    *,
    default_dir: Path | None = None,
    varied: Collection[str] = (),
) -> np.ndarray:
    """The mean of `figure` over each point's replicates (runs.parquet), in point order.

    `default_dir` is the directory the command chose by itself (no --out), where the same
    command with another --output would not look: the message names it. `varied` are the
    keys the points set (columns of runs.parquet, but no --output).
    """
    scalars = _figures(runs, varied)
    if figure not in scalars:
        # The kept runs are found beside the directory the command writes, and another
        # --output names another default directory (api._default_out): then --out says where.
        again = (
            "another --output"
            if default_dir is None
            else f"another --output and --out {default_dir}"
        )
        raise _no_such_figure(
            figure,
            scalars,
            varied,
            f". The finished runs are kept: the same command with {again} uses them",
        )
    point = runs.column("point").to_numpy()
    values = np.asarray(runs.column(figure).to_numpy(zero_copy_only=False), dtype=np.float64)
    out = np.full(n_points, np.nan)
    for p in range(n_points):
        mine = values[point == p]
        out[p] = float(np.nanmean(mine)) if mine.size and np.isfinite(mine).any() else np.nan
    return out


def check_figure(figure: str, plan: EnsemblePlan, scenario: Scenario) -> None:
    """Refuse an --output the runs will not have, before any run (it was refused once every
    run was done). Every run has the headline figures (task.SCALARS, final_<state>); the
    others (the engine's, the epidemic's, each place's, threshold's and intervention's) are
    found in a first run, the plan's first, run here and put aside. A figure of an
    intervention that a first run may lack (a strike that did not strike) is left to the
    check after the runs."""
    from hyosan.engines.reuse import forget
    from hyosan.ensemble.tables import runs_table
    from hyosan.ensemble.task import SCALARS, run_task

    varied = list(plan.points[0].values)
    every_run = {*SCALARS, *(f"final_{s}" for s in scenario.model.states_present())}
    if figure in every_run:  # final_human, without --output: no run to check
        return
    try:
        record = run_task(next(plan.tasks()))
    except HyosanError:
        raise
    except Exception:
        return  # the ensemble's first run fails too, and says so as a failed run does
    finally:
        forget()  # the world kept for the next run in this process
    scalars = _figures(runs_table(plan, [record]), varied)
    if figure in scalars:
        return
    labels = {iv.name or iv.kind for iv in scenario.active_interventions} | {"after_strikes"}
    if ": " in figure and figure.partition(": ")[0] in labels:
        return
    raise _no_such_figure(figure, scalars, varied)


_OUTPUT_FLAG = re.compile(r"--output\b(?!-)")
#: Where the runs of a refused figure are kept (point_outcomes), said for Python's arguments.
_KEPT_AT = ("another --output and --out ", "another figure and output=")


def _sample_python_words(message: str) -> str:
    """`message` in the Python API's words, `--output` (the figure's flag) said as `figure`:
    `output` is the Output in Python."""
    return python_words(_OUTPUT_FLAG.sub("--figure", message.replace(*_KEPT_AT)))


@speaking(_sample_python_words)
def run_sample(
    scenario: str | Path | Scenario,
    vary: list[str] | tuple[str, ...] | str,
    *,
    design: str = "sobol",
    samples: int = 64,
    runs: int = 10,
    figure: str = DEFAULT_FIGURE,
    engine: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] | str = (),
    execution: Execution = Execution(),
    output: Output | str | Path = Output(),
    before_publish: Callable[[Path], object] | None = None,
) -> EnsembleRun:
    """Run `runs` replicates at each point of a SALib design and write the indices of `figure`
    (a column of runs.parquet) as sensitivity.json, and "sensitivity" in summary.json, into
    the ensemble directory. `execution` and `output` are those of `run_sweep` (from a
    script, start it under `if __name__ == "__main__":`, see `hyosan.ensemble.Execution`)."""
    from dataclasses import replace

    from hyosan.ensemble.api import _check_runs, _default_out, _options, _resolve
    from hyosan.ensemble.driver import run_plan
    from hyosan.ensemble.plan import EnsemblePlan, Point
    from hyosan.ensemble.vary import parse_vary
    from hyosan.scenario.load import override_list

    execution, output = _options(execution, output)
    if design not in DESIGNS:
        raise HyosanError(f"--design {design!r}: choose {', '.join(DESIGNS)}")
    if samples < 2:
        raise HyosanError(f"--samples must be 2 or more; found {samples}")
    if design == "lhs":
        _check_lhs_points(samples)  # before any run, not after them all
    _check_runs(runs)
    overrides = override_list(overrides)
    label, text, scen, engine_name = _resolve(scenario, overrides, engine)
    # Each range is read as a sweep's axis of its two bounds: its unit and kind come with it.
    axes = parse_vary(vary, text, scen, overrides=overrides, ranges=True)
    names = [a.key for a in axes]
    bounds = [(a.values[0], a.values[-1]) for a in axes]
    root = scen.seed if seed is None else valid_seed(seed)
    if design == "sobol" and samples & (samples - 1) and not output.quiet:
        print(
            f"note: --samples {samples} is not a power of two; Sobol' points are evenly spread "
            "(and the indices least noisy) for 2, 4, 8, 16, ...",
            file=sys.stderr,
        )
    x = design_points(design, names, bounds, samples, root)
    points = []
    for i, row in enumerate(x):
        values = {}
        for a, v in zip(axes, row, strict=True):
            values[a.key] = float(round(v)) if a.whole else float(v)
        sets = tuple(a.override(values[a.key]) for a in axes)
        points.append(Point(i, scen.name, text, label, (*overrides, *sets), engine_name, i, values))
    plan = EnsemblePlan("sample", root, runs, tuple(points))
    # The figure analysed changes sensitivity.json, not the runs (see api._default_out).
    given: dict[str, object] | None = {"output": figure} if figure != DEFAULT_FIGURE else None
    target = output.target(_default_out(f"{scen.name}-{design}", plan, given))
    check_figure(figure, plan, scen)

    def publish(tmp: Path) -> None:
        import pyarrow.parquet as pq

        table = pq.read_table(tmp / "runs.parquet")
        y = point_outcomes(
            table,
            figure,
            len(points),
            default_dir=None if output.out is not None else target,
            varied=names,
        )
        result: dict[str, Any] = {
            "design": design,
            "index": DESIGNS[design],
            "output": figure,
            "samples": samples,
            "points": len(points),
            "runs_per_point": runs,
            "vary": [a.describe() | {"values": list(b)} for a, b in zip(axes, bounds, strict=True)],
        }
        if np.isfinite(y).all():
            result["indices"] = indices = sensitivity_indices(design, names, bounds, x, y, root)
            if any(v is None for row in indices.values() for v in row.values()):
                result["note"] = (
                    f"some indices could not be estimated (null): {figure} is the same at "
                    f"every point, or {samples} samples are too few for the {design} design"
                )
        else:
            result["indices"] = None
            result["note"] = f"some points have no {figure} (every run left it empty)"
        (tmp / "sensitivity.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        summary = json.loads((tmp / "summary.json").read_text(encoding="utf-8"))
        summary["sensitivity"] = result
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, allow_nan=False, default=float) + "\n", "utf-8"
        )
        _write_plot(result, tmp / "sensitivity.png")
        if before_publish is not None:
            before_publish(tmp)

    return run_plan(
        plan,
        replace(output, out=target),
        scenarios=[scen],
        execution=execution,
        before_publish=publish,
    )


def _write_plot(result: dict[str, Any], path: Path) -> None:
    """A bar chart of the indices with their 95 % intervals (nothing without indices)."""
    indices = result.get("indices")
    if not indices:
        return
    from matplotlib.figure import Figure

    names = list(indices)
    first = next(iter(indices.values()))
    shown = [k for k in ("S1", "ST", "mu_star") if k in first]
    fig = Figure(figsize=(7, 1.2 + 0.5 * len(names) * len(shown)), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / len(shown)
    for j, key in enumerate(shown):
        pos = np.arange(len(names)) + j * height
        vals = [_nan_for_none(indices[n][key]) for n in names]
        errs = [_nan_for_none(indices[n].get(f"{key}_conf", 0.0)) for n in names]
        ax.barh(pos, vals, height=height, xerr=errs, capsize=3, label=key)
    ax.set_yticks(np.arange(len(names)) + height * (len(shown) - 1) / 2, names)
    ax.invert_yaxis()
    ax.set_xlabel(f"sensitivity of {result['output']} ({result['design']}; bars: 95 % interval)")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3, axis="x")
    fig.savefig(path, format="png", dpi=110)


def _nan_for_none(value: float | None) -> float:
    return float("nan") if value is None else value


def print_sensitivity(summary: dict[str, Any]) -> None:
    """The indices as a table in the terminal."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    result = summary.get("sensitivity") or {}
    indices = result.get("indices")
    console = Console(highlight=False, soft_wrap=False)
    title = (
        f"{summary.get('scenario')}: {result.get('design')} design, {result.get('points')} "
        f"points × {counted(int(result.get('runs_per_point', 0)), 'runs')}; sensitivity of "
        f"{result.get('output')}"
    )
    if not indices:
        console.print(escape(title) + ": " + escape(str(result.get("note", "no indices"))))
        return
    keys = [k for k in next(iter(indices.values())) if not k.endswith("_conf")]
    table = Table(title=escape(title))
    table.add_column("key")
    for k in keys:
        table.add_column(f"{k} [95 %]", justify="right")
    for name, row in indices.items():
        cells = []
        for k in keys:
            conf = row.get(f"{k}_conf")
            value = "-" if row[k] is None else f"{row[k]:.3f}"
            cells.append(value + (f" ± {conf:.3f}" if conf is not None else ""))
        table.add_row(escape(name), *cells)
    console.print(table)
    if result.get("note"):
        console.print(escape(str(result["note"])))


def sample_command(
    scenario: str,
    *,
    vary: list[str],
    design: str,
    samples: int,
    runs: int,
    figure: str,
    engine: str | None,
    seed: int | None,
    overrides: list[str],
    execution: Execution,
    output: Output,
    as_json: bool,
) -> None:
    """`hyosan sample SCENARIO --vary KEY=LO:HI ... --design sobol|morris|lhs`."""
    from hyosan.ensemble.commands import _quiet_for_json, _report

    result = run_sample(
        scenario,
        vary,
        design=design,
        samples=samples,
        runs=runs,
        figure=figure,
        engine=engine,
        seed=seed,
        overrides=overrides,
        execution=execution,
        output=_quiet_for_json(output, as_json),
        before_publish=_report(True),
    )
    summary = json.loads((result.out / "summary.json").read_text(encoding="utf-8"))
    if as_json:
        print(json.dumps(summary["sensitivity"], indent=2))
    elif not output.quiet:
        print_sensitivity(summary)
        print(f"ensemble directory: {result.out}")

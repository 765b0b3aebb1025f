"""The `hyosan` command: thin wrappers that parse, call the library and print.

Exit codes: 0 success; 2 bad input (usage, scenario, missing file), with a message naming the
file and field and never a traceback; 1 an internal error.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hyosan.display import visible

if TYPE_CHECKING:
    from rich.console import Console

    from hyosan.results.result import Result

#: What `hyosan run` runs with no argument: the outbreak at Hyosan High, person by person.
DEFAULT_SCENARIO = "hyosan-high"

app = typer.Typer(
    name="hyosan",
    help="Simulate zombie outbreaks, from one school to a whole country.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.markup import escape

    # The message quotes the user's input ("[/x]" as a unit, say): escape it, or rich would read
    # it as markup, eat it or fail with a MarkupError (an internal error, exit 1). Control
    # characters are shown, not sent: a key holding ESC [2J cleared the screen.
    _console(stderr=True).print(
        f"[bold red]error:[/] {escape(visible(message))}", markup=True, highlight=False
    )
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from hyosan._version import __version__

        print(f"hyosan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate zombie outbreaks, from one school to a whole country."""


def _fmt_time(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "never"
    from hyosan.scenario.units import SECONDS_PER

    return f"{seconds / SECONDS_PER[unit]:.4g} {unit}"


def _fmt_count(value: float) -> str:
    # Whole counts (stochastic engines) in full; mean-field values to four figures.
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _print_outbreak(
    summary: dict[str, Any], console: Console, unit: str, asked: tuple[str, ...] = ()
) -> None:
    """Where a spatial outbreak reached: places, radius and arrival at named places."""
    from rich.markup import escape

    extent = summary.get("outbreak")
    if not isinstance(extent, dict):
        return
    parts = [f"reached {extent['places_reached']:,} places"]
    if "radius_cells" in extent:
        parts.append(f"radius {extent['radius_cells']:.1f} cells")
    if "reached_edge" in extent:
        parts.append("reached the edge" if extent["reached_edge"] else "did not reach the edge")
    console.print("the outbreak " + ", ".join(parts))
    arrivals = extent.get("t_arrival_s") or {}
    reached = sorted((t, n) for n, t in arrivals.items() if t is not None)
    # Many named places (a country's cities): the first eight reached, and those asked for.
    shown = reached if len(arrivals) <= 12 else reached[:8]
    for name in asked:
        t = arrivals.get(name)
        if t is not None and (t, name) not in shown:
            shown.append((t, name))
        elif name in arrivals and t is None:
            console.print(f"no zombie reached {escape(name)}")
    shown.sort()
    if shown:
        console.print(
            "first zombie: "
            + "; ".join(f"{escape(n)} {_fmt_time(t, unit)}" for t, n in shown)
            + (f" (and {len(reached) - len(shown)} more)" if len(reached) > len(shown) else "")
        )


def _print_interventions(summary: dict[str, Any], console: Console, unit: str) -> None:
    """One line per intervention: when, and what it did."""
    from rich.markup import escape

    for entry in summary.get("interventions") or []:
        kind = entry["kind"]
        if kind == "after_strikes":
            verdict = "grew again" if entry["restarted"] else "did not grow again"
            console.print(
                f"after the strikes: {_fmt_count(entry['infected_left'])} infected left, "
                f"{_fmt_count(entry['infected_at_end'])} at the end: the outbreak {verdict}"
            )
            continue
        if kind == "handoff":
            inside = ", ".join(f"{n:,} {s}" for s, n in entry["inside"].items() if n)
            out = sum(sum(c.values()) for c in entry["escaped"].values())
            console.print(
                f"from {escape(entry['school'])} at {_fmt_time(entry['t_s'], unit)}: "
                f"{inside} in the building, {out:,} got out"
            )
            continue
        if kind == "strike" and entry.get("t_s") is None:
            # A strike after the end of the run: the summary has its name and note only.
            line = f"{escape(entry['name'])}: not carried out (after the end of the run)"
            if entry.get("note"):
                line += f" [dim]({escape(entry['note'])})[/]"
            console.print(line)
            continue
        if kind == "strike":
            line = (
                f"{escape(entry['name'])} at {_fmt_time(entry['t_s'], unit)}: "
                f"{entry['people']:,} people hit, {entry['infected']:,} infected "
                f"({entry['zombies']:,} zombies) and {entry['uninfected']:,} not infected"
            )
            if entry.get("note"):
                line += f" [dim]({escape(entry['note'])})[/]"
            console.print(line)
            continue
        end = entry.get("end_s")
        when = f"from {_fmt_time(entry['start_s'], unit)}" + (
            f" to {_fmt_time(end, unit)}" if end is not None else ""
        )
        done = entry.get("events") or {}
        what = ", ".join(f"{k.split(': ', 1)[-1]} {v:,}" for k, v in done.items())
        console.print(
            f"{escape(entry['name'])} ({kind}) {when}" + (f": {escape(what)}" if what else "")
        )


def _print_summary(result: Result, out: Path | None) -> None:
    from rich.table import Table

    summary = result.summary()
    unit = result.scenario.time.display_unit
    console = _console()
    table = Table(
        title=f"{visible(result.scenario.name, 200)} ({result.engine}, seed {result.seed})",
        show_header=True,
    )
    table.add_column("state")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    for s in result.state_names():
        series = result.series(s)
        table.add_row(s, _fmt_count(series[0]), _fmt_count(series[-1]))
    console.print(table)
    console.print(
        f"peak zombies {_fmt_count(summary['peak_zombies'])} "
        f"at {_fmt_time(summary['t_peak_zombies_s'], unit)}; "
        f"overrun {_fmt_time(summary['t_overrun_s'], unit)}"
    )
    for name, t in summary["crossings_s"].items():
        console.print(f"{name}: {_fmt_time(t, unit)}")
    if summary["humans_win"]:
        console.print("[bold]humans win[/]")
    elif summary["final"].get("human", 0.0) < 0.5:
        console.print("[bold]the zombies win[/]")
    else:
        console.print("[bold]no winner yet[/]: humans and the infected both remain")
    _print_outbreak(summary, console, unit, result.scenario.record.arrivals)
    _print_interventions(summary, console, unit)
    _print_people(summary, console)
    if summary["stopped_by"] != "horizon":
        console.print(
            f"stopped by {summary['stopped_by']} at {_fmt_time(summary['t_end_s'], unit)}"
        )
    if out is not None:
        console.print(f"run directory: {out}")


def _print_people(summary: dict[str, Any], console: Console) -> None:
    """Headline figures of a run with people, and each named character's fate."""
    from rich.markup import escape

    fates = summary.get("fates")
    if not isinstance(fates, dict):
        return
    figures = [
        ("people", "people"),
        ("n_bites", "bites"),
        ("n_zombies_destroyed", "zombies destroyed"),
        ("n_barricades", "barricades built"),
        ("n_barricades_broken", "broken"),
        ("n_rescues", "rescues"),
        ("n_sacrifices", "sacrifices"),
        ("n_hybrids", "hybrids"),
        ("n_escaped", "escaped"),
    ]
    console.print(", ".join(f"{summary[k]:,} {label}" for k, label in figures if k in summary))
    survivors = summary.get("survivors") or []
    console.print(
        f"[bold]{len(survivors)} of {len(fates)} named characters survive[/]"
        + (f": {escape(', '.join(survivors))}" if survivors else "")
    )
    width = max((len(n) for n in fates), default=0)
    for name, fate in fates.items():
        console.print(f"  {escape(name):<{width}}  {escape(str(fate))}")


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help=f"A scenario file or built-in name (default: {DEFAULT_SCENARIO}).")
    ] = DEFAULT_SCENARIO,
    engine: Annotated[
        str | None, typer.Option(help="Engine to use (default: the scenario's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Root seed (default: the scenario's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory to write (default: a new one under runs/).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help='Override a field: --set time.horizon="20d". Repeatable.'),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json instead of the table.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    runs: Annotated[
        int | None, typer.Option(help="Run K replicates and write an ensemble directory.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes for --runs (default: one per core).")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option(help="Send --runs to a Dask scheduler: tcp://HOST:PORT.")
    ] = None,
    within: Annotated[
        str | None, typer.Option(help='With --runs: P(overrun within this time), e.g. "3h".')
    ] = None,
    no_report: Annotated[
        bool,
        typer.Option("--no-report", help="Write no report.html, PNG plots or GIF."),
    ] = False,
) -> None:
    """Run a scenario and write its run directory (with --runs K, an ensemble directory)."""
    if runs is not None or workers is not None or cluster is not None or within is not None:
        from hyosan.ensemble.commands import ensemble_command

        _many(
            ensemble_command,
            scenario,
            runs=runs,
            engine=engine,
            seed=seed,
            overrides=set_ or [],
            out=out,
            force=force,
            workers=workers,
            cluster=cluster,
            within=within,
            quiet=quiet,
            as_json=as_json,
            report=not no_report,
        )
        return
    from rich.markup import escape

    from hyosan.engines.compiling import reporting
    from hyosan.errors import HyosanError
    from hyosan.preflight import preflight
    from hyosan.results.outlock import output_lock
    from hyosan.results.publish import io_error_message, is_io_error, prepare_output
    from hyosan.results.rundir import default_run_dir, write_run
    from hyosan.runner import simulate
    from hyosan.scenario.load import load_scenario

    try:
        scen = load_scenario(scenario, set_ or [])
        preflight(scen, engine, source=scenario)  # the checks validate makes, before the lock
        target = out if out is not None else default_run_dir(scen.name)
        # OUT's lock is taken, and OUT checked, before the run: a second command into the same
        # OUT, or one that may not write there, is refused at once, not after its whole run.
        with output_lock(target):
            prepare_output(target, force=force)
            if quiet or as_json:
                result = simulate(scen, engine=engine, seed=seed)
            else:
                running = f"running {escape(visible(scen.name, 200))}"
                with (
                    _console().status(f"{running}...") as status,
                    reporting(lambda message: status.update(f"{running}: {message}...")),
                ):
                    result = simulate(scen, engine=engine, seed=seed)
            hook = None if no_report else _report_hook(quiet=quiet or as_json)
            try:
                write_run(result, target, force=force, before_publish=hook)
            except OSError as exc:  # a full disk, not writable: bad input, not a crash
                if not is_io_error(exc):
                    raise
                raise HyosanError(io_error_message(exc, f"the run directory {target}")) from None
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(result.summary(), indent=2))
    elif not quiet:
        _print_summary(result, target)


def _report_hook(quiet: bool) -> Any:
    """Writes the report into the run directory before it is published (see write_run)."""

    def write(folder: Path) -> None:
        import os

        from hyosan.reports import write_report

        try:
            if quiet:
                write_report(folder)
            else:
                with _console().status("writing the report..."):
                    write_report(folder)
        except Exception as exc:  # a report bug must not lose the run: keep it, say so
            if os.environ.get("HYOSAN_DEBUG"):
                raise
            print(
                f"warning: no report written ({type(exc).__name__}: {exc}); "
                "try `hyosan report DIR` (set HYOSAN_DEBUG=1 for the traceback)",
                file=sys.stderr,
            )

    return write


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A run or ensemble directory.")],
    no_pictures: Annotated[
        bool, typer.Option("--no-pictures", help="Write only report.html, no PNG or GIF.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """(Re)build the report of a run or ensemble directory: report.html, PNG plots and a GIF."""
    from hyosan.errors import HyosanError
    from hyosan.reports import write_report

    try:
        if quiet:
            written = write_report(folder, pictures=not no_pictures)
        else:
            with _console().status(f"writing the report of {folder}..."):
                written = write_report(folder, pictures=not no_pictures)
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # not writable: bad input, not a crash
        raise _fail(f"cannot write the report in {folder}: {exc}") from None
    if not quiet:
        size = written.report.stat().st_size / 1e6
        print(f"{written.report} ({size:.2g} MB, {written.seconds:.2g} s)")
        for path in written.pictures:
            print(path)


def _many(command: Any, *args: Any, **kwargs: Any) -> None:
    """Run an ensemble command, reporting its errors: bad input 2, a failed run 1, Ctrl-C 130."""
    from hyosan.ensemble.errors import EnsembleInterruptedError, RunFailedError
    from hyosan.errors import HyosanError
    from hyosan.results.publish import io_error_message, is_io_error

    try:
        command(*args, **kwargs)
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # a full disk, no permission: the user's to fix, as for one run
        if not is_io_error(exc):
            raise
        raise _fail(io_error_message(exc, "the ensemble directory")) from None
    except RunFailedError as exc:
        raise _fail(str(exc), code=2 if exc.bad_input else 1) from None
    except EnsembleInterruptedError as exc:
        raise _fail(str(exc), code=130) from None


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="A scenario file or built-in name.")],
    vary: Annotated[
        list[str],
        typer.Option(help="KEY=LO:HI:N, in the scenario's unit or with one. Repeatable."),
    ],
    runs: Annotated[int, typer.Option(help="Replicates at each parameter point.")] = 100,
    log: Annotated[bool, typer.Option("--log", help="Space values evenly in the log.")] = False,
    engine: Annotated[str | None, typer.Option(help="Engine (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field, as for run.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Directory to write.")] = None,
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    cluster: Annotated[str | None, typer.Option(help="A Dask scheduler's address.")] = None,
    within: Annotated[str | None, typer.Option(help='P(overrun within), e.g. "3h".')] = None,
    outcome: Annotated[
        str, typer.Option(help="Phase plot: p_humans_win, p_overrun or p_overrun_within.")
    ] = "p_humans_win",
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
) -> None:
    """Run replicates over a grid of parameter values; tables and a phase plot."""
    from hyosan.ensemble.commands import sweep_command

    _many(
        sweep_command,
        scenario,
        vary=vary,
        log=log,
        runs=runs,
        engine=engine,
        seed=seed,
        overrides=set_ or [],
        out=out,
        force=force,
        workers=workers,
        cluster=cluster,
        within=within,
        outcome=outcome,
        quiet=quiet,
        as_json=as_json,
    )


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Scenario A (file or built-in name).")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    runs: Annotated[int, typer.Option(help="Replicates of each, with the same seeds.")] = 100,
    engine: Annotated[str | None, typer.Option(help="Engine for both.")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Root seed (default: A's).")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field of both.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Directory to write.")] = None,
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    cluster: Annotated[str | None, typer.Option(help="A Dask scheduler's address.")] = None,
    within: Annotated[str | None, typer.Option(help='P(overrun within), e.g. "3h".')] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
) -> None:
    """Run two scenarios with the same seeds; paired differences B − A of each outcome."""
    from hyosan.ensemble.commands import compare_command

    _many(
        compare_command,
        a,
        b,
        runs=runs,
        engine=engine,
        seed=seed,
        overrides=set_ or [],
        out=out,
        force=force,
        workers=workers,
        cluster=cluster,
        within=within,
        quiet=quiet,
        as_json=as_json,
    )


@app.command()
def scenarios() -> None:
    """List the built-in scenarios, one line each."""
    from hyosan.scenario.catalog import builtin_scenario_names
    from hyosan.scenario.load import load_scenario

    for name in builtin_scenario_names():
        text = " ".join(load_scenario(name).description.split())
        first = re.split(r"(?<=\.)\s+(?=[A-Z])", text)[0].rstrip(".")
        print(f"{name:<18} {first}")


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="A built-in scenario or model name.")],
    model: Annotated[
        bool,
        typer.Option("--model", help="Show the built-in model of that name, not the scenario."),
    ] = False,
) -> None:
    """Print a built-in scenario (or model) as TOML, to copy and edit."""
    from hyosan.scenario.catalog import (
        builtin_model,
        builtin_model_names,
        builtin_scenario_names,
        builtin_scenario_text,
    )

    # Some scenarios share their model's name (sir, seir, ...): the scenario is shown unless
    # --model asks for the model, and a note on stderr says how to get the other.
    if name in builtin_scenario_names() and not model:
        if name in builtin_model_names():
            print(
                f"# (a built-in model is also named {name!r}: hyosan show --model {name})",
                file=sys.stderr,
            )
        sys.stdout.write(builtin_scenario_text(name))
        return
    if name in builtin_model_names():
        import tomli_w

        sys.stdout.write(
            f"# built-in model {name!r}\n"
            + tomli_w.dumps(builtin_model(name), multiline_strings=True)
        )
        return
    raise _fail(
        f"no built-in {'model' if model else 'scenario or model'} named {name!r}; "
        + ("" if model else f"scenarios: {', '.join(builtin_scenario_names())}; ")
        + f"models: {', '.join(builtin_model_names())}"
    )


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="A scenario file (or built-in name).")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a field, as for run.")
    ] = None,
) -> None:
    """Check a scenario: print every problem and exit 2, or one line and exit 0."""
    from hyosan.errors import HyosanError
    from hyosan.preflight import preflight
    from hyosan.scenario.load import load_scenario

    try:
        scen = load_scenario(file, set_ or [])
        # Everything `hyosan run` checks before it simulates: the engine, the world and its
        # references, the interventions' places (the scenario layer knows none of them).
        preflight(scen, source=file)
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    print(
        f"{file}: valid scenario {scen.name!r} ({scen.model.name or 'custom'} model, "
        f"{len(scen.model.compartments)} compartments, {len(scen.model.reactions)} reactions)"
    )


#: The signal that stopped the command (SIGINT or SIGTERM), for its exit code 128 + number.
_STOPPED_BY: list[int] = []


# `hyosan fit` lives with the rest of fitting (hyosan/fit/); its module imports only typer.
__import__("hyosan.fit.cli", fromlist=["register"]).register(app)


def _interrupt_code() -> int:

    return 128 + (_STOPPED_BY[-1] if _STOPPED_BY else int(signal.SIGINT))


def _on_sigterm(signum: int, frame: Any) -> None:
    # SIGTERM (a `kill`, a job scheduler's time limit) is handled like Ctrl-C: an ensemble
    # keeps what finished, the output directory is not half-written, workers are stopped.
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script; internal errors exit 1 with a short message."""

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C raises KeyboardInterrupt, SIGTERM too (hyosan/__init__ made both exit quietly
        # while the imports loaded).
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main_body(argv)
    finally:
        for sig, handler in previous.items():  # main() called from Python (the tests)
            if handler is not None:
                signal.signal(sig, handler)


_CLICK: list[Any] = []


def _command() -> Any:
    # typer builds the click command on every call (70 ms here): build it once per process,
    # for callers of main() that call it many times (the tests, the fuzzer).
    if not _CLICK:
        _CLICK.append(typer.main.get_command(app))
    return _CLICK[0]


def _main_body(argv: list[str] | None) -> Any:
    try:
        return _command().main(args=argv, prog_name="hyosan", standalone_mode=True)
    except SystemExit as exc:
        if exc.code == 130 and _STOPPED_BY:
            raise SystemExit(_interrupt_code()) from None
        raise
    except KeyboardInterrupt:
        print("terminated" if _STOPPED_BY else "interrupted", file=sys.stderr)
        raise SystemExit(_interrupt_code()) from None
    except Exception as exc:  # an internal error: one line, and how to see more
        import os

        if os.environ.get("HYOSAN_DEBUG"):
            raise
        print(
            visible(f"internal error: {type(exc).__name__}: {exc}")
            + " (set HYOSAN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

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

from hyosan._entry import deferred
from hyosan.display import counted, visible
from hyosan.errors import speak_command_line

if TYPE_CHECKING:
    from rich.console import Console

    from hyosan.ensemble.options import Execution, Output
    from hyosan.reports.picture_helper import PictureHelper
    from hyosan.results.result import Result
    from hyosan.scenario.schema import Scenario

#: What `hyosan run` runs with no argument: the outbreak at Hyosan High, person by person.
DEFAULT_SCENARIO = "hyosan-high"

app = typer.Typer(
    name="hyosan",
    help="Simulate zombie outbreaks, from one school to a whole country.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion and --show-completion for bash, zsh, fish
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
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate zombie outbreaks, from one school to a whole country."""
    # Errors in the command line's words (--out, not out) till the command is done.
    ctx.call_on_close(speak_command_line())


def _fmt_time(seconds: float | None, unit: str) -> str:
    # As the report and the DataFrame show it: one unit for the run (Result.unit).
    from hyosan.scenario.units import format_time

    return format_time(seconds, unit)


def _print_summary(result: Result, out: Path | None) -> None:
    """The table of states at the start and the end, then the summary's figures."""
    from rich.markup import escape
    from rich.table import Table

    from hyosan.results.interventions import fmt_count

    unit = result.unit
    console = _console()
    table = Table(
        # A name is text: "[bold]" in it is shown, and "[/]" no longer fails as markup.
        title=f"{escape(visible(result.scenario.name, 200))} ({result.engine}, seed {result.seed})",
        show_header=True,
    )
    table.add_column("state")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    words = result.words
    for s in result.state_names():
        series = result.series(s)
        table.add_row(words.state(s), fmt_count(series[0]), fmt_count(series[-1]))
    console.print(table)
    result.headline().print(
        console,
        lambda t: _fmt_time(t, unit),
        asked=result.scenario.record.arrivals,
        words=words,
        unit=unit,
    )
    if out is not None:
        console.print(f"run directory: {out}")


# --- options shared by several commands, declared once ------------------------------------------

EngineOption = Annotated[str | None, typer.Option(help="Engine to use (default: the scenario's).")]
SeedOption = Annotated[
    int | None,
    # The schema's range, so that the scenario.toml a run writes is one hyosan reads back.
    typer.Option(
        min=0, max=2**63 - 1, help="Root seed (default: the scenario's; for compare, A's)."
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help='Override a field: --set time.horizon="20d". Repeatable.'),
]
OutOption = Annotated[
    Path | None, typer.Option(help="Directory to write (default: a new one under runs/).")
]
ForceOption = Annotated[bool, typer.Option(help="Replace --out if it exists.")]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print summary.json instead of the tables.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")]
WorkersOption = Annotated[
    int | None, typer.Option(help="Worker processes for the runs (default: one per core).")
]
ClusterOption = Annotated[
    str | None, typer.Option(help="Send the runs to a Dask scheduler: tcp://HOST:PORT.")
]
WithinOption = Annotated[
    str | None, typer.Option(help='Also give P(overrun within this time), e.g. "3h".')
]
RunsOption = Annotated[int, typer.Option(help="Replicates at each point (of each scenario).")]
#: The commands' way past the memory and disk estimates (hyosan.limits); the environment
#: variable HYOSAN_IGNORE_LIMITS=1 is its alias.
IgnoreLimits = Annotated[
    bool,
    typer.Option(
        "--ignore-limits", help="Go ahead where the memory or disk estimates say it will not fit."
    ),
]


def _options(
    workers: int | None, cluster: str | None, out: Path | None, force: bool, quiet: bool
) -> tuple[Execution, Output]:
    """The Execution and Output of an ensemble command's flags."""
    from hyosan.ensemble.options import Execution, Output

    return Execution(workers=workers, cluster=cluster), Output(out=out, force=force, quiet=quiet)


def _complete_scenario(incomplete: str) -> list[str]:
    """Shell completion of a scenario: the built-in names, and .toml files here."""
    from hyosan.scenario.catalog import builtin_scenario_names

    try:
        files = sorted(str(p) for p in Path().glob(f"{incomplete}*.toml"))
    except (ValueError, OSError, NotImplementedError):  # an absolute path, an unreadable folder
        files = []
    return [n for n in builtin_scenario_names() if n.startswith(incomplete)] + files


@app.command()
def run(
    scenario: Annotated[
        str,
        typer.Argument(
            help=f"A scenario file or built-in name (default: {DEFAULT_SCENARIO}).",
            autocompletion=_complete_scenario,
        ),
    ] = DEFAULT_SCENARIO,
    engine: EngineOption = None,
    seed: SeedOption = None,
    out: OutOption = None,
    set_: SetOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    runs: Annotated[
        int | None, typer.Option(help="Run K replicates and write an ensemble directory.")
    ] = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    within: WithinOption = None,
    no_report: Annotated[
        bool,
        typer.Option("--no-report", help="Write no report.html, PNG plots or GIF."),
    ] = False,
    ignore_limits: IgnoreLimits = False,
) -> None:
    """Run a scenario and write its run directory (with --runs K, an ensemble directory)."""
    from hyosan.limits import limits_lifted

    with limits_lifted(ignore_limits):
        _run(scenario, engine, seed, out, set_, force, as_json, quiet, runs, workers, cluster,
             within, no_report)  # fmt: skip


def _run(
    scenario: str,
    engine: str | None,
    seed: int | None,
    out: Path | None,
    set_: list[str] | None,
    force: bool,
    as_json: bool,
    quiet: bool,
    runs: int | None,
    workers: int | None,
    cluster: str | None,
    within: str | None,
    no_report: bool,
) -> None:
    if runs is not None or workers is not None or cluster is not None or within is not None:
        from hyosan.ensemble.commands import ensemble_command

        execution, output = _options(workers, cluster, out, force, quiet)
        _many(
            ensemble_command,
            scenario,
            runs=runs,
            engine=engine,
            seed=seed,
            overrides=set_ or [],
            execution=execution,
            output=output,
            within=within,
            as_json=as_json,
            report=not no_report,
        )
        return
    from rich.markup import escape

    from hyosan.engines.compiling import reporting
    from hyosan.errors import HyosanError
    from hyosan.paths import user_path
    from hyosan.preflight import preflight
    from hyosan.results.publish import claim_output, io_error_message, is_io_error
    from hyosan.results.rundir import default_run_dir, write_run
    from hyosan.runner import simulate
    from hyosan.scenario.load import load_scenario

    helper = None
    try:
        scen = load_scenario(scenario, set_ or [])
        if (engine or scen.engine) == "agents":
            # On a cold cache, the process compiling half the kernels starts now (its start-up
            # overlaps the checks and the building of the world), not at the first step.
            from hyosan.engines.agents.precompile import start_helper_early

            start_helper_early()
        preflight(scen, engine, source=scenario)  # the checks validate makes, before the lock
        if not quiet:
            _print_notes(scen, engine)
        kind = engine or scen.engine
        if not no_report and (kind == "agents" or (scen.world is not None and kind != "ode")):
            # A run with a map: some of its pictures are drawn in a second process while this
            # one draws the rest; it starts now, so that its imports overlap the run.
            from hyosan.reports.picture_helper import start_picture_helper

            helper = start_picture_helper()
        target = user_path(out) if out is not None else default_run_dir(scen.name)
        # OUT's lock is taken, and OUT checked, before the run: a second command into the same
        # OUT, or one that may not write there, is refused at once, not after its whole run.
        with claim_output(target, force=force):
            if quiet or as_json:
                result = simulate(scen, engine=engine, seed=seed)
            else:
                running = f"running {escape(visible(scen.name, 200))}"
                with (
                    _console().status(f"{running}...") as status,
                    reporting(lambda message: status.update(f"{running}: {message}...")),
                ):
                    result = simulate(scen, engine=engine, seed=seed)
            hook = None if no_report else _report_hook(quiet=quiet or as_json, helper=helper)
            try:
                write_run(result, target, force=force, before_publish=hook)
            except OSError as exc:  # a full disk, not writable: bad input, not a crash
                if not is_io_error(exc):
                    raise
                raise HyosanError(io_error_message(exc, f"the run directory {target}")) from None
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    finally:
        if helper is not None:
            helper.close()
    from hyosan.results.notes import run_notes

    summary = result.summary()
    for note in [] if quiet else run_notes(summary):
        print(f"note: {note}", file=sys.stderr)
    if as_json:
        print(json.dumps(summary, indent=2))
    elif not quiet:
        _print_summary(result, target)


def _report_hook(quiet: bool, helper: PictureHelper | None = None) -> Any:
    """Writes the report into the run directory before it is published (see write_run)."""

    def write(folder: Path) -> None:
        import os

        from hyosan.reports import write_report

        try:
            if quiet:
                write_report(folder, helper=helper)
            else:
                with _console().status("writing the report..."):
                    write_report(folder, helper=helper)
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
    quiet: QuietOption = False,
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


def _many(command: Any, *args: Any, lift_limits: bool = False, **kwargs: Any) -> None:
    """Run an ensemble command, reporting its errors: bad input 2, a failed run 1, Ctrl-C 130."""
    from hyosan.ensemble.errors import EnsembleInterruptedError, RunFailedError
    from hyosan.errors import HyosanError
    from hyosan.limits import limits_lifted
    from hyosan.results.publish import io_error_message, is_io_error

    try:
        with limits_lifted(lift_limits):  # --ignore-limits
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
    runs: RunsOption = 100,
    log: Annotated[bool, typer.Option("--log", help="Space values evenly in the log.")] = False,
    engine: EngineOption = None,
    seed: SeedOption = None,
    set_: SetOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    within: WithinOption = None,
    outcome: Annotated[
        str, typer.Option(help="Phase plot: p_humans_win, p_overrun or p_overrun_within.")
    ] = "p_humans_win",
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    ignore_limits: IgnoreLimits = False,
) -> None:
    """Run replicates over a grid of parameter values; tables and a phase plot."""
    from hyosan.ensemble.commands import sweep_command

    execution, output = _options(workers, cluster, out, force, quiet)
    _many(
        sweep_command,
        scenario,
        vary=vary,
        log=log,
        runs=runs,
        engine=engine,
        seed=seed,
        overrides=set_ or [],
        execution=execution,
        output=output,
        within=within,
        outcome=outcome,
        as_json=as_json,
        lift_limits=ignore_limits,
    )


@app.command()
def sample(
    scenario: Annotated[str, typer.Argument(help="A scenario file or built-in name.")],
    vary: Annotated[
        list[str], typer.Option(help="KEY=LO:HI, the range of a key (as for sweep). Repeatable.")
    ],
    design: Annotated[
        str, typer.Option(help="sobol (Sobol indices), morris (elementary effects) or lhs.")
    ] = "sobol",
    samples: Annotated[
        int,
        typer.Option(
            help="SALib's base sample size (sobol: N·(keys + 2) points; lhs: 42 or more)."
        ),
    ] = 64,
    runs: Annotated[int, typer.Option(help="Replicates at each point (averaged).")] = 10,
    output: Annotated[
        str, typer.Option(help="The figure analysed: final_human, attack_rate, humans_win...")
    ] = "final_human",
    engine: EngineOption = None,
    seed: SeedOption = None,
    set_: SetOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON.")] = False,
    quiet: QuietOption = False,
    ignore_limits: IgnoreLimits = False,
) -> None:
    """Global sensitivity: SALib draws the points, each runs replicates; indices of an outcome."""
    from hyosan.ensemble.sample import sample_command

    execution, output_ = _options(workers, cluster, out, force, quiet)
    _many(
        sample_command,
        scenario,
        vary=vary,
        design=design,
        samples=samples,
        runs=runs,
        figure=output,
        engine=engine,
        seed=seed,
        overrides=set_ or [],
        execution=execution,
        output=output_,
        as_json=as_json,
        lift_limits=ignore_limits,
    )


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Scenario A (file or built-in name).")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    runs: RunsOption = 100,
    engine: EngineOption = None,
    seed: SeedOption = None,
    set_: SetOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    within: WithinOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    ignore_limits: IgnoreLimits = False,
) -> None:
    """Run two scenarios with the same seeds; paired differences B − A of each outcome.

    The engine, the seeds and every --set apply to both.
    """
    from hyosan.ensemble.commands import compare_command

    execution, output = _options(workers, cluster, out, force, quiet)
    _many(
        compare_command,
        a,
        b,
        runs=runs,
        engine=engine,
        seed=seed,
        overrides=set_ or [],
        execution=execution,
        output=output,
        within=within,
        as_json=as_json,
        lift_limits=ignore_limits,
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


def _show_building(name: str) -> None:
    from hyosan.scenario.agents import builtin_building_names, builtin_building_text

    if name not in builtin_building_names():
        raise _fail(
            f"no built-in building named {name!r}; buildings: {', '.join(builtin_building_names())}"
        )
    sys.stdout.write(
        f'# built-in building {name!r}: in a scenario, in place of building = "{name}"\n'
        "[building]\n" + builtin_building_text(name)
    )


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="A built-in scenario or model name.")],
    model: Annotated[
        bool,
        typer.Option("--model", help="Show the built-in model of that name, not the scenario."),
    ] = False,
    building: Annotated[
        bool,
        typer.Option(
            "--building",
            help="Show the built-in building of that name as a [building] table, to paste "
            'into a scenario in place of building = "NAME".',
        ),
    ] = False,
) -> None:
    """Print a built-in scenario (or model, or building) as TOML, to copy and edit."""
    from hyosan.scenario.catalog import (
        builtin_model,
        builtin_model_names,
        builtin_scenario_names,
        builtin_scenario_text,
    )

    if building:
        if model:
            raise _fail("--model and --building each name what to show: give one of them")
        _show_building(name)
        return

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

        # As a [model] table, like --building's [building]: pasted into a scenario, it runs.
        sys.stdout.write(
            f'# built-in model {name!r}: in a scenario, in place of model = "{name}"\n'
            + tomli_w.dumps({"model": builtin_model(name)}, multiline_strings=True)
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
    set_: SetOption = None,
    ignore_limits: IgnoreLimits = False,
) -> None:
    """Check a scenario: print every problem and exit 2, or one line and exit 0."""
    from hyosan.errors import HyosanError
    from hyosan.limits import limits_lifted
    from hyosan.preflight import preflight
    from hyosan.scenario.load import load_scenario

    try:
        scen = load_scenario(file, set_ or [])
        # Everything `hyosan run` checks before it simulates: the engine, the world and its
        # references, the interventions' places (the scenario layer knows none of them).
        with limits_lifted(ignore_limits):
            preflight(scen, source=file)
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    _print_notes(scen)
    print(
        f"{file}: valid scenario {scen.name!r} ({scen.model.name or 'custom'} model, "
        f"{counted(len(scen.model.compartments), 'compartments')}, "
        f"{counted(len(scen.model.reactions), 'reactions')})"
    )


def _print_notes(scen: Scenario, engine: str | None = None) -> None:
    """What the scenario asks that its run ignores (hyosan.scenario.notes), on stderr."""
    from hyosan.scenario.notes import scenario_notes

    for note in scenario_notes(scen, engine):
        print(f"note: {note}", file=sys.stderr)


#: The signals that stopped the command (SIGINT, SIGTERM): its exit code is 128 + the last's.
_STOPPED_BY: list[int] = []


# `hyosan fit` lives with the rest of fitting (hyosan/fit/); its module imports only typer.
__import__("hyosan.fit.cli", fromlist=["register"]).register(app)


def _interrupt_code() -> int:
    return 128 + (_STOPPED_BY[-1] if _STOPPED_BY else int(signal.SIGINT))


def _stopped() -> SystemExit:
    """Say the command was stopped, in one line; the exit that goes with it."""
    terminated = bool(_STOPPED_BY) and _STOPPED_BY[-1] == signal.SIGTERM
    print("terminated" if terminated else "interrupted", file=sys.stderr)
    return SystemExit(_interrupt_code())


def _on_signal(signum: int, frame: Any) -> None:
    if deferred(signum, frame):  # it landed where an exception would be lost: again soon
        return
    # SIGTERM (a `kill`, a job scheduler's time limit) is handled like Ctrl-C: an ensemble
    # keeps what finished, the output directory is not half-written, workers are stopped.
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script; internal errors exit 1 with a short message."""
    previous: dict[int, Any] = {}
    _STOPPED_BY.clear()  # main() called again in one process (the tests, the fuzzer)
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C raises KeyboardInterrupt, SIGTERM too (hyosan._entry made both exit quietly
        # while the imports loaded).
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, _on_signal)
        previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, _on_signal)
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


def _by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt caused `exc` (not an exit 130 that said why already)."""
    seen: list[BaseException] = []
    found: BaseException | None = exc
    while found is not None and found not in seen:
        if isinstance(found, KeyboardInterrupt):
            return True
        seen.append(found)
        found = found.__cause__ or (None if found.__suppress_context__ else found.__context__)
    return False


def _main_body(argv: list[str] | None) -> Any:
    from hyosan.errors import HyosanError

    try:
        return _command().main(args=argv, prog_name="hyosan", standalone_mode=True)
    except SystemExit as exc:
        if exc.code == 130 and _by_interrupt(exc):
            # typer turns a KeyboardInterrupt inside a command into a silent exit 130
            raise _stopped() from None
        if exc.code == 130 and _STOPPED_BY:  # stopped, and said so (an ensemble's message)
            raise SystemExit(_interrupt_code()) from None
        raise
    except KeyboardInterrupt:
        raise _stopped() from None
    except HyosanError as exc:  # bad input a command did not catch itself (out of memory, say)
        raise SystemExit(_fail(str(exc)).exit_code) from None
    except Exception as exc:  # an internal error: one line, and how to see more
        import os

        if _STOPPED_BY:
            # A library turned the interrupt into an error of its own (pydantic-core's
            # SchemaError, when it lands while a model is being built): still an interruption.
            raise _stopped() from None

        if os.environ.get("HYOSAN_DEBUG"):
            raise
        from hyosan.limits import limits_ignored

        if isinstance(exc, MemoryError) and limits_ignored():
            # Told to go past the estimates: the machine's limit, not a bug (without the flag,
            # an estimate missed it: an internal error, to report).
            message = f"out of memory, past the estimates (--ignore-limits): {exc}"
            raise SystemExit(_fail(message).exit_code) from None
        print(
            visible(f"internal error: {type(exc).__name__}: {exc}")
            + " (set HYOSAN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":  # `python -m hyosan.cli` (`python -m hyosan` guards the imports too)
    from hyosan._entry import run as _run_command

    _run_command(main)

"""The `hyosan` command: thin wrappers that parse, call the library and print.

Exit codes: 0 success; 2 bad input (usage, scenario, missing file), with a message naming the
file and field and never a traceback; 1 an internal error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from hyosan.results.result import Result

#: What `hyosan run` runs with no argument, until the Hyosan High scenario exists.
DEFAULT_SCENARIO = "munz-basic"

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
    # it as markup, eat it or fail with a MarkupError (an internal error, exit 1).
    _console(stderr=True).print(
        f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False
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


def _print_summary(result: Result, out: Path | None) -> None:
    from rich.table import Table

    summary = result.summary()
    unit = result.scenario.time.display_unit
    console = _console()
    table = Table(
        title=f"{result.scenario.name} ({result.engine}, seed {result.seed})", show_header=True
    )
    table.add_column("state")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    for s in result.state_names():
        series = result.series(s)
        table.add_row(s, f"{series[0]:,.4g}", f"{series[-1]:,.4g}")
    console.print(table)
    console.print(
        f"peak zombies {summary['peak_zombies']:,.4g} "
        f"at {_fmt_time(summary['t_peak_zombies_s'], unit)}; "
        f"overrun {_fmt_time(summary['t_overrun_s'], unit)}"
    )
    for name, t in summary["crossings_s"].items():
        console.print(f"{name}: {_fmt_time(t, unit)}")
    console.print("[bold]humans win[/]" if summary["humans_win"] else "[bold]the zombies win[/]")
    if summary["stopped_by"] != "horizon":
        console.print(
            f"stopped by {summary['stopped_by']} at {_fmt_time(summary['t_end_s'], unit)}"
        )
    if out is not None:
        console.print(f"run directory: {out}")


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
) -> None:
    """Run a scenario and write its run directory."""
    from hyosan.errors import HyosanError
    from hyosan.results.rundir import default_run_dir, write_run
    from hyosan.runner import simulate
    from hyosan.scenario.load import load_scenario

    try:
        scen = load_scenario(scenario, set_ or [])
        target = out if out is not None else default_run_dir(scen.name)
        if target.exists() and not force:
            raise HyosanError(
                f"{target} already exists; choose another --out or add --force to replace it"
            )
        if quiet or as_json:
            result = simulate(scen, engine=engine, seed=seed)
        else:
            with _console().status(f"running {scen.name}..."):
                result = simulate(scen, engine=engine, seed=seed)
        try:
            write_run(result, target, force=force)
        except OSError as exc:  # --out under a file, or not writable: bad input, not a crash
            raise HyosanError(f"cannot write the run directory {target}: {exc}") from None
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(result.summary(), indent=2))
    elif not quiet:
        _print_summary(result, target)


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
    from hyosan.engines import engine_names
    from hyosan.errors import HyosanError, Problem, ScenarioError
    from hyosan.scenario.load import load_scenario

    try:
        scen = load_scenario(file, set_ or [])
        # The scenario layer does not know the engines (imports flow one way), so the engine's
        # name is checked here: `hyosan run` would refuse it later anyway.
        engines = engine_names()
        if scen.engine not in engines:
            msg = f"unknown engine {scen.engine!r}; choose one of {', '.join(engines)}"
            raise ScenarioError(file, [Problem("engine", msg)])
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    print(
        f"{file}: valid scenario {scen.name!r} ({scen.model.name or 'custom'} model, "
        f"{len(scen.model.compartments)} compartments, {len(scen.model.reactions)} reactions)"
    )


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script; internal errors exit 1 with a short message."""
    try:
        return app(args=argv, standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:  # an internal error: one line, and how to see more
        import os

        if os.environ.get("HYOSAN_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (set HYOSAN_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

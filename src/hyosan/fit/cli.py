"""`hyosan fit`: the command, as a function the main CLI registers (`register(app)`).

```bash
hyosan fit game.toml                      # data, values and method from its [fit] table
hyosan fit szr.toml --data hvz.csv --time-unit h --fit parameters.bite_rate=0.1:3:log \\
    --fit parameters.kill_rate=0.1:3:log --out fits/szr
hyosan fit szr.toml --engine ssa --method abc --workers 2
hyosan fit szr.toml --engine ssa --method pmmh --chains 4 --particles 200
hyosan fit szr.toml latent.toml --data hvz.csv     # model comparison: AIC/BIC or P(model)
```

Exit codes as everywhere in hyosan: 0 success, 2 bad input (with the file, column or field and
what is allowed), 1 an internal error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from hyosan.fit.comparison import Comparison
    from hyosan.fit.result import FitResult

__all__ = ["fit_command", "register"]


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False
    )
    return typer.Exit(code)


def fit_command(
    scenarios: Annotated[
        list[str],
        typer.Argument(help="Scenario files or built-in names; two or more are compared."),
    ],
    data: Annotated[
        Path | None, typer.Option("--data", "-d", help="Observed counts (.csv or .parquet).")
    ] = None,
    method: Annotated[
        str | None, typer.Option(help="mle (ode), abc (any engine) or pmmh (well-mixed ssa).")
    ] = None,
    fit: Annotated[
        list[str] | None,
        typer.Option("--fit", help="KEY=LOW:HIGH[:log]: a value to fit and its prior."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE override of the scenario.")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="Replace the scenario's engine.")] = None,
    observation: Annotated[
        str | None, typer.Option(help="normal, poisson or negative-binomial.")
    ] = None,
    time_unit: Annotated[
        str | None,
        typer.Option(
            help="Unit of the data's time column: s, min, h, d or w. Default: d (days), or "
            "time_unit in the scenario's [fit] table."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=2**63 - 1, help="Root seed of the fit.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes for abc and pmmh (default: cores)."),
    ] = None,
    cluster: Annotated[
        str | None, typer.Option(help="Dask scheduler address, tcp://HOST:PORT.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The fit directory.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --out.")] = False,
    starts: Annotated[int | None, typer.Option(help="mle: optimiser starts.")] = None,
    population: Annotated[int | None, typer.Option(help="abc: particles.")] = None,
    generations: Annotated[int | None, typer.Option(help="abc: generations.")] = None,
    chains: Annotated[int | None, typer.Option(help="pmmh: chains.")] = None,
    iterations: Annotated[int | None, typer.Option(help="pmmh: iterations per chain.")] = None,
    particles: Annotated[int | None, typer.Option(help="pmmh: particles of the filter.")] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="No report.html.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print fit.json instead.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing (warnings are kept in fit.json).")
    ] = False,
) -> None:
    """Fit scenario values to observed counts: estimates, intervals, the best-fit scenario."""
    from hyosan.errors import HyosanError, speak_command_line

    options = {
        k: v
        for k, v in {
            "starts": starts,
            "population": population,
            "generations": generations,
            "chains": chains,
            "iterations": iterations,
            "particles": particles,
        }.items()
        if v is not None
    }
    kwargs: dict[str, Any] = {
        "method": method,
        "fit": list(fit or []),
        "overrides": list(set_ or []),
        "engine": engine,
        "observation": observation,
        "time_unit": time_unit,
        "seed": seed,
        "workers": workers,
        "cluster": cluster,
        "quiet": quiet or json_,
        "force": force,
        "report": not no_report,
    }
    # Messages and warnings in the command line's words (--time-unit, not time_unit), also
    # when this command runs without hyosan's main command line (which says the same).
    back_to_python = speak_command_line()
    try:
        chosen = method
        if options:
            kwargs["options"] = _options_for(options, chosen)
        if len(scenarios) == 1:
            from hyosan.fit.api import fit as run_fit

            result = run_fit(scenarios[0], data, out=out, **kwargs)
            _show(result, out, json_=json_, quiet=quiet)
        else:
            from hyosan.fit.comparison import compare

            comparison = compare(scenarios, data, out=out, **kwargs)
            _show_comparison(comparison, out, json_=json_, quiet=quiet)
    except HyosanError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        from hyosan.fit.api import work_dir_for
        from hyosan.paths import user_path

        # Only abc keeps its finished generations (in .OUT.fit/); mle and pmmh start again.
        kept = out is not None and any(work_dir_for(user_path(out)).glob("*"))
        where = " (finished ABC generations are kept; the same command resumes)" if kept else ""
        raise _fail(f"interrupted{where}", code=130) from None
    finally:
        back_to_python()


def _options_for(options: dict[str, Any], method: str | None) -> dict[str, Any]:
    from hyosan.fit.errors import FitError

    owners = {
        "starts": "mle",
        "population": "abc",
        "generations": "abc",
        "chains": "pmmh",
        "iterations": "pmmh",
        "particles": "pmmh",
    }
    used = {owners[k] for k in options}
    if len(used) > 1 or (method is not None and used != {method}):
        flags = ", ".join(f"--{k}" for k in options)
        raise FitError(f"{flags}: options of {', '.join(sorted(used))}, not of --method {method}")
    return options


def _warn(result: FitResult, *, prefix: str = "") -> None:
    """The fit's warnings on stderr, every one: those about the data, which `fit` also printed
    before the work (unless quiet), are said again here, with the numbers they concern."""
    from hyosan.fit.progress import show_warning

    for warning in result.warnings:
        show_warning(prefix + warning)


def _warn_each(comparison: Comparison) -> None:
    for result in comparison.results:
        _warn(result, prefix=f"{result.problem.label}: ")


def _show(result: FitResult, out: Path | None, *, json_: bool, quiet: bool) -> None:
    if json_:
        print(json.dumps(result.summary(), indent=2))
        if not quiet:
            _warn(result)
        return
    if quiet:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.problem.scenario.name}: {result.method}", title_justify="left")
    # Whole names, the intervals wrapping instead: cut to fit 80 columns, "parameters.bite_…"
    # and "parameters.kill_…" read the same.
    widest = max((len(str(row["key"])) for row in result.table()), default=5)
    table.add_column("value", min_width=widest, overflow="fold")
    table.add_column("unit")
    table.add_column("estimate", justify="right")
    interval = "profile" if result.method == "mle" else "credible"
    table.add_column(f"{result.level:.0%} {interval}", justify="right")
    if result.method == "mle":
        table.add_column("Fisher", justify="right")
    for row in result.table():
        lo, hi = row["interval"]
        cells = [row["key"], row["unit"] or "", f"{row['estimate']:.4g}", f"[{lo:.4g}, {hi:.4g}]"]
        if result.method == "mle":
            flo, fhi = row["fisher_interval"]
            cells.append(f"[{flo:.4g}, {fhi:.4g}]")
        table.add_row(*cells)
    console = Console(highlight=False, soft_wrap=True)
    console.print(table)
    d = result.diagnostics
    if result.method == "mle":
        console.print(
            f"log-likelihood {d['log_likelihood']:.2f}, AIC {d['aic']:.2f}, BIC {d['bic']:.2f} "
            f"(n = {d['n_observed']}), {d['evaluations']} evaluations, {d['wall_s']:.1f} s"
        )
    elif result.method == "abc":
        console.print(
            f"{_tolerance(d)}, ESS {d['ess']:.0f} of {d['population']}, acceptance "
            f"{d['acceptance']:.3f}, {d['simulations']} simulations, {d['wall_s']:.1f} s"
        )
    else:
        console.print(
            f"acceptance {d['acceptance']:.3f}, R-hat max {d['rhat_max']:.3f}, ESS min "
            f"{d['ess_min']:.0f}, {d['chains']} chains, {d['particles']} particles, "
            f"{d['wall_s']:.1f} s"
        )
    _warn(result)
    if out is not None:
        console.print(f"written to {out}")


def _show_comparison(comparison: Comparison, out: Path | None, *, json_: bool, quiet: bool) -> None:
    if json_:
        print(json.dumps(comparison.summary(), indent=2))
        if not quiet:
            _warn_each(comparison)
        return
    if quiet:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"model comparison ({comparison.method})", title_justify="left")
    rows = comparison.rows
    skip = {"folder"}
    keys = [k for k in rows[0] if k not in skip]
    for k in keys:
        table.add_column(k, justify="left" if k == "scenario" else "right")
    for row in rows:
        table.add_row(*(_cell(row.get(k)) for k in keys))
    console = Console(highlight=False, soft_wrap=True)
    console.print(table)
    console.print(f"best: {comparison.best.problem.label}")
    _warn_each(comparison)
    if out is not None:
        console.print(f"written to {out}")


def _tolerance(d: dict[str, Any]) -> str:
    """ABC's final tolerance in the words of its kernel."""
    eps = d.get("epsilon")
    if eps is None:
        return "ε ∞ (one generation: the prior)"
    if d.get("kernel") == "likelihood":
        return f"temperature {eps:.4g} (1 is the exact posterior)"
    return f"ε {eps:.4g}"


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def register(app: typer.Typer) -> None:
    """Add `hyosan fit` to the main command line."""
    app.command("fit")(fit_command)

"""The terminal view of an ensemble's summary: outcome probabilities as rich tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hyosan.display import visible

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["print_summary"]


def _p(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("estimate") is None:
        return "-"
    return f"{entry['estimate']:.3f} [{entry['low']:.3f}, {entry['high']:.3f}]"


def _t(seconds: float | None, unit: str) -> str:
    from hyosan.scenario.units import format_time

    return "-" if seconds is None else format_time(seconds, unit)


def _unit(summary: dict[str, Any], out: str | None) -> str:
    """The unit a run of this horizon shows its times in (Result.unit, the report's): the
    scenario's display unit, smaller if the horizon is shorter than one of it."""
    import tomllib
    from pathlib import Path

    from hyosan.scenario.units import fit_unit

    horizon = max(
        (float(p.get("horizon_s") or 0.0) for p in summary.get("per_point", [])),
        default=float(summary.get("within_s") or 0.0),
    )
    unit = "d"
    if out is not None:
        try:
            scenario = tomllib.loads((Path(out) / "scenario.toml").read_text(encoding="utf-8"))
            unit = str(scenario.get("time", {}).get("display_unit", "d"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass
    return fit_unit(unit, horizon)


def print_summary(summary: dict[str, Any], console: Console, out: str | None = None) -> None:
    """Print an ensemble, sweep or comparison summary: one row per point, then details."""
    from rich.markup import escape
    from rich.table import Table

    unit = _unit(summary, out)
    keys = [a["key"] for a in summary.get("vary", [])]
    title = (
        f"{summary['scenario']} ({summary['engine']}): {summary['replicates']} runs per point, "
        f"root seed {summary['root_seed']}"
    )
    table = Table(title=escape(visible(title, 300)), show_header=True)
    if summary["kind"] == "compare":
        table.add_column("scenario")
    for k in keys:
        table.add_column(escape(k), justify="right")
    table.add_column("P(humans win) [95 %]", justify="right")
    within = summary["within_s"]
    # P(overrun within the horizon) is the same figure unless --within asked for less.
    shorter = any(within < e.get("horizon_s", within) for e in summary["per_point"])
    table.add_column("P(overrun) [95 %]", justify="right")
    if shorter:
        table.add_column(f"P(overrun by {_t(within, unit)})", justify="right")
    table.add_column("median overrun", justify="right")
    for entry in summary["per_point"]:
        cells = []
        if summary["kind"] == "compare":
            cells.append(("A: " if entry["point"] == 0 else "B: ") + escape(entry["scenario"]))
        cells += [f"{entry['values'][k]:.4g}" for k in keys]
        cells += [_p(entry["p_humans_win"]), _p(entry["p_overrun"])]
        if shorter:
            cells.append(_p(entry["p_overrun_within"]))
        cells.append(_t(entry["median_t_overrun_s"], unit))
        table.add_row(*cells)
    console.print(table)
    flags = summary["per_point"][0].get("p") or {}
    if flags and len(summary["per_point"]) <= 2:
        more = Table(title="chance of [95 %]", show_header=True)
        more.add_column("figure")
        for entry in summary["per_point"]:
            more.add_column(escape(entry["scenario"]), justify="right")
        for name in flags:
            more.add_row(
                escape(name), *(_p(e.get("p", {}).get(name)) for e in summary["per_point"])
            )
        console.print(more)
    survival = summary["per_point"][0].get("survival")
    if survival and len(summary["per_point"]) <= 2:
        chars = Table(title="chance of surviving [95 %]", show_header=True)
        chars.add_column("character")
        for entry in summary["per_point"]:
            chars.add_column(escape(entry["scenario"]), justify="right")
        for name in survival:
            chars.add_row(
                escape(name),
                *(_p(e.get("survival", {}).get(name)) for e in summary["per_point"]),
            )
        console.print(chars)
    if summary["kind"] == "compare":
        diffs = Table(title="paired differences B − A (same seeds) [95 % t interval]")
        diffs.add_column("outcome")
        diffs.add_column("mean", justify="right")
        diffs.add_column("interval", justify="right")
        for name, d in summary["differences"].items():
            if d["mean"] is None:
                continue
            interval = "-" if d["low"] is None else f"[{d['low']:.4g}, {d['high']:.4g}]"
            diffs.add_row(escape(name), f"{d['mean']:.4g}", interval)
        console.print(diffs)
    console.print(f"{summary['runs']} runs in {summary['wall_s']:.1f} s")
    from hyosan.ensemble.notes import repeated_runs_note

    note = repeated_runs_note(summary)
    if note is not None:
        console.print(f"note: {note}")
    if out is not None:
        console.print(f"ensemble directory: {escape(out)}")

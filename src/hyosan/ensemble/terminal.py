"""The terminal view of an ensemble's summary: outcome probabilities as rich tables.

The tables fit the console's width (80 columns in a pipe or a narrow terminal): rich squeezes a
table wider than that by wrapping numbers over two lines and cutting headers to an ellipsis, so
the headers are short, each interval's meaning is said once below the table, and a table that
still does not fit is printed as several that repeat the columns naming the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hyosan.display import counted, visible

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod
    from rich.table import Table

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


@dataclass(frozen=True)
class _Column:
    """A table's column: its header (rich markup, escaped) and its cells, one per row."""

    header: str
    cells: list[str]
    justify: JustifyMethod = "right"


def _table(columns: list[_Column], title: str | None, caption: str | None, width: int) -> Table:
    from rich.table import Table

    # A table at least as wide as its title (within the console) keeps the title on one line.
    widest = max((len(line) for line in (title or "").split("\n")), default=0)
    table = Table(title=title, caption=caption, show_header=True, min_width=min(widest, width))
    for column in columns:
        table.add_column(column.header, justify=column.justify)
    for row in zip(*(c.cells for c in columns), strict=True):
        table.add_row(*row)
    return table


def _natural_width(console: Console, table: Table) -> int:
    """The width a table takes unsqueezed (console.measure clamps it to the console's)."""
    return console.measure(table, options=console.options.update(max_width=10_000)).maximum


def _print_columns(
    console: Console,
    keys: list[_Column],
    figures: list[_Column],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Print `keys` (what names each row) and `figures` as one table if it fits the console's
    width, else as several, each of the key columns and as many figures as fit.

    Rich fits a table wider than the console by wrapping its cells ("0.200 [0.057," over
    "0.510]") and cutting its headers to "parameters.kill_r…"; splitting keeps each number
    whole on its row and each header readable.
    """
    width = console.width
    groups: list[list[_Column]] = []
    for column in figures:
        if groups:
            wider = _table([*keys, *groups[-1], column], title, None, width)
            if _natural_width(console, wider) <= width:
                groups[-1].append(column)
                continue
        groups.append([column])
    for i, group in enumerate(groups or [[]]):
        last = i == len(groups) - 1 or not groups
        console.print(
            _table(
                [*keys, *group],
                title if i == 0 else None,
                caption if last else None,
                width,
            )
        )


def _key_header(key: str, unit: str | None) -> str:
    """A swept key's header: its name over its unit ("kill_rate" over "per day"), so that the
    column is as wide as its values, not as its key."""
    from rich.markup import escape

    name = escape(visible(key.removeprefix("parameters."), 40))
    if not unit:
        return name
    return f"{name}\n{escape('per ' + unit[1:] if unit.startswith('/') else unit)}"


def _point_names(summary: dict[str, Any]) -> list[str]:
    """Each point's name as a column or row of the tables: a comparison's "A: name" and
    "B: name" (the two may have the same name: the same file, or two variants of a scenario
    that kept its name), with each one's engine where the two differ ("A: name (ssa)"), else
    the scenario's name."""
    from rich.markup import escape

    entries = summary["per_point"]
    names = [escape(visible(str(e.get("scenario", "")), 40)) for e in entries]
    if summary["kind"] == "compare":
        # A scenario checked against itself on another engine would read "A: x" and "B: x".
        engines = [e.get("engine") for e in entries]
        if len(set(engines)) > 1:
            pairs = zip(names, engines, strict=True)
            names = [f"{name} ({escape(str(engine))})" for name, engine in pairs]
        return [f"{chr(ord('A') + k)}: {name}" for k, name in enumerate(names)]
    return names


def _chances(console: Console, summary: dict[str, Any], part: str, first: str, title: str) -> None:
    """A table of one kind of chance (`part`: "p" or "survival"), a row per figure and a column
    per point (a comparison's two, or an ensemble's one)."""
    from rich.markup import escape

    entries = summary["per_point"]
    # Every point's names, A's first: a figure of B's alone (its strike's after_strikes:
    # restarted) was left out with the whole table when only A's were read.
    names = list(dict.fromkeys(n for e in entries for n in e.get(part) or {}))
    if not names or len(entries) > 2:
        return
    keys = [_Column(first, [escape(visible(str(n), 60)) for n in names], justify="left")]
    figures = [
        _Column(header, [_p((e.get(part) or {}).get(n)) for n in names])
        for header, e in zip(_point_names(summary), entries, strict=True)
    ]
    _print_columns(console, keys, figures, title=title, caption=_INTERVAL)


#: The caption of the tables of chances: what the brackets hold, said once, not in every header.
_INTERVAL = "\\[low, high]: Wilson 95 % interval"  # (escaped: not rich markup)


def _differences(console: Console, summary: dict[str, Any], unit: str) -> None:
    """A comparison's paired differences B − A, times in the unit of the other tables' times
    (summary.json keeps them in seconds, as its `_s` names say)."""
    from rich.markup import escape

    from hyosan.ensemble.outcomes import same_in_every_pair, time_name
    from hyosan.scenario.units import SECONDS_PER, UNIT_WORDS

    names, means, intervals, pairs = [], [], [], []
    same = 0
    for name, d in summary["differences"].items():
        if d["mean"] is None:
            continue
        if same_in_every_pair(d):
            # A measure's start, an arrival both runs share: a row of zeros each buried the
            # outcomes that differ (a city has some seventy).
            same += 1
            continue
        # A time is compared only where both runs of a pair have one (both overrun, say):
        # the count of pairs says over how many runs the mean was taken.
        pairs.append(str(d.get("n", "")))
        scale = 1.0
        time = time_name(name)
        if time is not None:
            scale = SECONDS_PER.get(unit, 86400.0)
            name = f"{time[0]} ({UNIT_WORDS.get(unit, unit)}){time[1]}"
        names.append(escape(name))
        means.append(f"{d['mean'] / scale:.4g}")
        intervals.append(
            "-" if d["low"] is None else f"[{d['low'] / scale:.4g}, {d['high'] / scale:.4g}]"
        )
    if names:
        _print_columns(
            console,
            [_Column("outcome", names, justify="left")],
            [
                _Column("mean", means),
                _Column("95 % t interval", intervals),
                _Column("pairs", pairs),
            ],
            title="paired differences B − A (same seeds)",
        )
    if same:
        where = "(summary.json lists every difference)"
        if names:
            more = f"{same:,} more {'outcome is' if same == 1 else 'outcomes are'}"
            console.print(f"{more} the same for A and B in every pair {where}")
        else:
            console.print(f"no outcome differs between A and B in any pair {where}")


def print_summary(summary: dict[str, Any], console: Console, out: str | None = None) -> None:
    """Print an ensemble, sweep or comparison summary: one row per point, then details.

    Every table fits the console's width (an 80-column terminal included): short headers,
    and a table too wide for it split into several that repeat the columns naming the rows.
    """
    from rich.markup import escape

    unit = _unit(summary, out)
    entries = summary["per_point"]
    units = {v["key"]: v.get("unit") for v in summary.get("vary", [])}
    scenario = summary["scenario"]
    sides = summary.get("scenarios")
    named = [e.get("scenario") for e in entries]
    if summary["kind"] == "compare" and isinstance(sides, list) and sides != named:
        # A and B of one name, each named with its file in summary.json: the title says which
        # is A, which B (the tables' "A: name" and "B: name" alone could not be told apart).
        scenario = " vs ".join(f"{chr(ord('A') + k)}: {side}" for k, side in enumerate(sides))
    title = (
        f"{scenario} ({summary['engine']}): "
        f"{counted(summary['replicates'], 'runs per point')}, "
        f"root seed {summary['root_seed']}"
    )
    keys: list[_Column] = []
    if summary["kind"] == "compare":
        keys.append(_Column("scenario", _point_names(summary), justify="left"))
    keys += [
        _Column(_key_header(k, units.get(k)), [f"{e['values'][k]:.4g}" for e in entries])
        for k in units
    ]
    within = summary.get("within_s")
    # P(overrun within the horizon) is the same figure unless --within asked for less. No
    # within_s: no --within, and points of different horizons (a sweep of time.horizon),
    # each within its own; one heading would name the first point's for all.
    shorter = within is not None and any(within < e.get("horizon_s", within) for e in entries)
    figures = [
        _Column("P(humans win)", [_p(e["p_humans_win"]) for e in entries]),
        _Column("P(overrun)", [_p(e["p_overrun"]) for e in entries]),
    ]
    if shorter:
        figures.append(
            _Column(
                f"P(overrun by {_t(within, unit)})", [_p(e["p_overrun_within"]) for e in entries]
            )
        )
    figures.append(_Column("median\noverrun", [_t(e["median_t_overrun_s"], unit) for e in entries]))
    _print_columns(console, keys, figures, title=escape(visible(title, 300)), caption=_INTERVAL)
    _chances(console, summary, "p", "figure", "chance of")
    _chances(console, summary, "survival", "character", "chance of surviving")
    if summary["kind"] == "compare":
        _differences(console, summary, unit)
    console.print(f"{counted(summary['runs'], 'runs')} in {summary['wall_s']:.1f} s")
    from hyosan.ensemble.notes import repeated_runs_note

    note = repeated_runs_note(summary)
    if note is not None:
        console.print(f"note: {note}")
    if out is not None:
        console.print(f"ensemble directory: {escape(out)}")

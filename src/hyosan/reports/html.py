"""The report as one self-contained HTML page: text through jinja2, data as escaped JSON.

Every string that came from a scenario or a run (names, descriptions, characters, rooms, events)
reaches the page either through jinja2 with autoescaping, or inside the JSON data block with
"<", ">" and "&" written as \\u escapes, so it cannot close the <script> element; the viewer
then inserts it as text only. A Content-Security-Policy allows only the viewer's own script (by
its hash) and no network at all, as a second line of defence and to prove the page is offline.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from hyosan.reports.plots import unit_seconds

if TYPE_CHECKING:
    from hyosan.reports.frames import PlaceFrames
    from hyosan.reports.rundata import EnsembleData, RunData

__all__ = ["fmt_clock", "fmt_time", "render_ensemble", "render_run", "script_json"]


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no "<", ">", "&" or line separators as themselves."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def fmt_time(seconds: float | None, unit: str, clock_start_s: float | None = None) -> str:
    """A time for people in the run's one unit ("11.1 h"), with the clock beside it where the
    run has one ("11.1 h (day 1 19:36)"), as the viewer writes it."""
    from hyosan.scenario.units import format_time

    if seconds is None:
        return "never"
    out = format_time(seconds, unit)
    if clock_start_s is not None:
        out += f" ({fmt_clock(seconds, clock_start_s)})"
    return out


def fmt_clock(seconds: float, clock_start_s: float) -> str:
    """The clock time of a run's time: "day 2 14:05"."""
    total = clock_start_s + seconds
    day = int(total // 86400) + 1
    rest = total - (day - 1) * 86400
    return f"day {day} {int(rest // 3600):02d}:{int(rest % 3600 // 60):02d}"


def _fmt_count(value: float) -> str:
    # The terminal's counts (results.interventions.fmt_count): never "1.822e-05".
    from hyosan.results.interventions import fmt_count

    return fmt_count(value)


def _headline(run: RunData) -> list[tuple[str, str]]:
    """(label, value) pairs of the figures a reader looks for first."""
    s = run.summary
    clock = run.clock_start_s
    unit = run.display_unit
    start = sum(float(v[0]) for v in run.states.values() if v.size)
    words = run.words
    out: list[tuple[str, str]] = [("outcome", words.outcome(s))]
    out.append(("people", _fmt_count(float(s.people.people if s.people else start))))
    if s.peak_zombies is not None:
        out.append(
            (
                words.peak,
                f"{_fmt_count(s.peak_zombies)} at {fmt_time(s.t_peak_zombies_s, unit, clock)}",
            )
        )
    if words.overrun:
        out.append(("overrun (80 % lost)", fmt_time(s.t_overrun_s, unit, clock)))
    if s.epidemic is not None:
        out += s.epidemic.rows(lambda t: fmt_time(t, unit, clock), unit)
    for state, value in s.final.items():
        out.append((f"{words.state(state)} at the end", _fmt_count(value)))
    if s.people is not None and s.people.fates:
        out.append(("named survivors", f"{len(s.survivors)} of {len(s.people.fates)}"))
    if s.outbreak is not None:
        out.append(("places reached", f"{s.outbreak.places_reached:,}"))
        reach = _reach(s.outbreak.radius_cells, s.outbreak.reached_edge)
        if reach:
            out.append(("farthest spread", reach))
    if s.people is not None:
        p = s.people
        for value, label in (
            (p.n_bites, "bites"),
            (p.n_zombies_destroyed, "zombies destroyed"),
            (p.n_barricades, "barricades"),
            (p.n_rescues, "rescues"),
            (p.n_sacrifices, "sacrifices"),
            (p.n_escaped, "escaped"),
        ):
            out.append((label, _fmt_count(float(value))))
    out.append(("simulated", fmt_time(s.t_end_s, unit)))
    if s.wall_s > 0:  # a file without its wall time reads as 0
        out.append(("wall time", f"{s.wall_s:.3g} s"))
    return out


def _reach(radius_cells: float | None, reached_edge: bool | None) -> str:
    """How far a grid's outbreak spread from its first cell, in words: "38.8 cells from where
    it began, short of the edge" ("" where the world gives neither)."""
    parts = []
    if radius_cells is not None:
        parts.append(f"{radius_cells:,.1f} cells from where it began")
    if reached_edge is not None:
        parts.append("to the edge of the grid" if reached_edge else "short of the edge")
    return ", ".join(parts)


def _thresholds(run: RunData) -> list[tuple[str, str, str]]:
    """(threshold in words, its level in words, when it was first crossed or "never") for
    each of the scenario's thresholds, as the terminal lists them."""
    from hyosan.results.words import threshold_name

    unit, clock = run.display_unit, run.clock_start_s
    return [
        (threshold_name(name), run.thresholds.get(name, ""), fmt_time(t, unit, clock))
        for name, t in run.summary.crossings_s.items()
    ]


def _fates(run: RunData) -> list[tuple[str, str, bool]]:
    people = run.summary.people
    if people is None:
        return []
    survivors = set(run.summary.survivors)
    return [(f.name, f.text, f.name in survivors) for f in people.fates]


def _arrivals(run: RunData) -> list[tuple[str, str]]:
    outbreak = run.summary.outbreak
    arrivals = outbreak.t_arrival_s if outbreak is not None else None
    if not arrivals:
        return []
    from hyosan.results.summary import arrival_text, handoff_places
    from hyosan.scenario.units import fit_unit

    reached = sorted((t, n) for n, t in arrivals.items() if t is not None)
    never = [n for n, t in arrivals.items() if t is None]
    unit, clock = run.display_unit, run.clock_start_s
    joined = handoff_places(run.summary.interventions)

    def when(t: float | None) -> str:
        # A short time in a unit of its own: "4.57 min", not "0.00317 days".
        return fmt_time(t, fit_unit(unit, t), clock)

    rows = [(n, arrival_text(n, t, when, joined=joined)) for t, n in reached]
    rows += [(n, "never") for n in never]
    return rows


def _not_reached(run: RunData) -> str:
    """The places the scenario asks arrivals of that no zombie reached, as the terminal says
    it: "No zombie reached Seoul." ("" if every one was reached)."""
    from hyosan.display import listed

    outbreak = run.summary.outbreak
    arrivals = (outbreak.t_arrival_s if outbreak is not None else None) or {}
    never = [n for n in run.asked if n in arrivals and arrivals[n] is None]
    return f"No zombie reached {listed(never, 'or')}." if never else ""


def _template() -> Any:
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    text = resources.files("hyosan.reports").joinpath("templates/report.html.j2").read_text("utf-8")
    return env.from_string(text)


def _assets() -> tuple[str, str, str]:
    """The viewer's script, its CSP hash source, and the style sheet."""
    folder = resources.files("hyosan.reports")
    script = folder.joinpath("viewer.js").read_text("utf-8")
    style = folder.joinpath("templates/report.css").read_text("utf-8")
    if "</script" in script.lower() or "</style" in style.lower():
        raise RuntimeError("the viewer's assets must not close their own element")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return script, f"sha256-{digest}", style


def _generated() -> str:
    """When the page was written, to the minute, or the time SOURCE_DATE_EPOCH names.

    The stamp is the only thing in a report that the run does not decide; the reproducible-builds
    convention lets a user (and the tests comparing two reports byte for byte) pin it.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.now(UTC)
    if epoch.isdigit():
        when = datetime.fromtimestamp(int(epoch), UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _render(context: dict[str, Any], data: dict[str, Any]) -> str:
    from markupsafe import Markup

    from hyosan._version import __version__

    script, script_hash, style = _assets()
    return str(
        _template().render(
            **context,
            version=__version__,
            generated=_generated(),
            # Both are checked above or escaped by script_json: safe to insert as they are.
            data_json=Markup(script_json(data)),
            viewer_js=Markup(script),
            style=Markup(style),
            script_hash=script_hash,
        )
    )


def _data_uris(figures: list[tuple[str, bytes]] | None) -> list[tuple[str, str]]:
    """(caption, PNG bytes) as (caption, data: URI): the page's policy allows no other image
    source."""
    return [
        (caption, "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
        for caption, png in figures or []
    ]


def render_run(
    run: RunData,
    frames: PlaceFrames | None,
    images: dict[str, str],
    notes: list[str],
    figures: list[tuple[str, bytes]] | None = None,
) -> str:
    """The HTML of one run's report; `images` maps a label to a file written beside it, and
    `figures` (caption, PNG bytes) are shown in the page (the incidence chart)."""
    from hyosan.reports.interventions import intervention_marks, interventions_table
    from hyosan.reports.payload import run_payload

    data = run_payload(run, frames, notes)
    data["marks"] = intervention_marks(run.summary)
    unit, clock = run.display_unit, run.clock_start_s
    context = {
        "kind": "run",
        "name": run.name,
        "description": run.description,
        "subtitle": f"{run.engine} engine, seed {run.seed}",
        "headline": _headline(run),
        # The paragraph the terminal prints first (a building's run): the page tells it too.
        "story": run.summary.people.story if run.summary.people is not None else "",
        "fates": _fates(run),
        "arrivals": _arrivals(run),
        "not_reached": _not_reached(run),
        "thresholds": _thresholds(run),
        "has_places": data["places"] is not None,
        "has_events": bool(data["events"]),
        "notes": notes,
        "images": images,
        "outcomes": None,
        "survival": None,
        "interventions": interventions_table(run.summary, lambda t: fmt_time(t, unit, clock)),
        "differences": None,
        "figures": _data_uris(figures),
    }
    return _render(context, data)


def render_ensemble(
    ens: EnsembleData,
    images: dict[str, str],
    notes: list[str],
    figures: list[tuple[str, bytes]] | None = None,
) -> str:
    """The HTML of an ensemble's report: bands per state, the outcome table, a comparison's
    paired differences, and `figures` (caption, PNG bytes) shown in the page (a sweep's phase
    plot)."""
    from hyosan.reports.interventions import differences_table
    from hyosan.reports.outcomes import outcome_table, summary_outcome_table, survival_table
    from hyosan.reports.payload import ensemble_payload

    data = ensemble_payload(ens, notes)
    unit_s = unit_seconds(ens.display_unit)
    outcomes = summary_outcome_table(ens.summary, ens.runs, ens.display_unit, unit_s)
    if outcomes is None and ens.runs is not None and ens.runs.num_rows:
        outcomes = outcome_table(ens.runs, ens.display_unit, unit_s)
    s = ens.summary
    n_points = len(data["points"])
    sensitivity = s.get("sensitivity")
    kind = ens.kind
    headline = [("kind", kind)]
    if isinstance(sensitivity, dict):
        headline.append(("design", f"{sensitivity.get('design')}, of {sensitivity.get('output')}"))
    # An ensemble's summary names its seed `root_seed` (a run's, `seed`).
    for key, label in (
        ("engine", "engine"),
        ("runs", "runs"),
        ("n_runs", "runs"),
        ("points", "points"),
        ("root_seed", "root seed"),
        ("seed", "seed"),
    ):
        if isinstance(s.get(key), int | float | str) and not isinstance(s.get(key), bool):
            headline.append((label, str(s[key])))
    if isinstance(s.get("wall_s"), int | float):
        headline.append(("wall time", f"{float(s['wall_s']):.3g} s"))
    subtitle = f"{kind} of {n_points} point{'' if n_points == 1 else 's'}"
    if isinstance(s.get("engine"), str):
        subtitle += f", {s['engine']} engine"
    seed = s.get("root_seed", s.get("seed"))
    if isinstance(seed, int) and not isinstance(seed, bool):
        subtitle += f", root seed {seed}"
    name, horizons = ens.name, None
    descriptions: list[tuple[str, str]] = []
    if kind == "compare":
        name, descriptions, horizons = _comparison(ens)
        if horizons is not None:
            notes = [*notes, horizons]
    context = {
        "kind": "ensemble",
        "name": name,
        "description": ens.description if kind != "compare" else "",
        "descriptions": descriptions,
        "subtitle": subtitle,
        "headline": headline,
        "story": "",
        "fates": [],
        "arrivals": [],
        "not_reached": "",
        "thresholds": [],
        "has_places": False,
        "has_events": False,
        "notes": notes,
        "images": images,
        "outcomes": outcomes,
        "survival": survival_table(s),
        "interventions": None,
        "differences": differences_table(
            s, ens.display_unit, unit_s, skip=("t_end_s",) if horizons else ()
        ),
        "differences_note": horizons,
        "figures": _data_uris(figures),
    }
    return _render(context, data)


def _comparison(ens: EnsembleData) -> tuple[str, list[tuple[str, str]], str | None]:
    """A comparison's title ("A vs B"), both scenarios' descriptions (name, text), and a
    note where the two run to different horizons (their final counts are of different
    days, and the difference of their ends is the horizons', not an outcome); None if not."""
    from hyosan.scenario.units import format_time

    s = ens.summary
    sides = [str(x) for x in s.get("scenarios") or []][:2]
    if len(sides) < 2:
        sides = [ens.name, "B"]
    names = sides if sides[0] != sides[1] else [f"A: {sides[0]}", f"B: {sides[1]}"]
    title = s.get("scenario") if isinstance(s.get("scenario"), str) else None
    if not title or title == sides[0]:
        title = " vs ".join(names)
    texts = (ens.description.strip(), ens.description_b.strip())
    descriptions = [(n, t) for n, t in zip(names, texts, strict=True) if t]
    horizon = [
        float(p["horizon_s"])
        for p in s.get("per_point", [])
        if isinstance(p, dict) and isinstance(p.get("horizon_s"), int | float)
    ][:2]
    note = None
    if len(horizon) == 2 and abs(horizon[0] - horizon[1]) > 1e-9 * max(horizon[0], horizon[1]):
        unit = ens.display_unit
        note = (
            f"The two scenarios run to different horizons ({names[0]} to "
            f"{format_time(horizon[0], unit)}, {names[1]} to {format_time(horizon[1], unit)}): "
            "their counts at the end are of different days, so their differences are not "
            "the intervention's effect alone, and the difference of their ends is left out."
        )
    return str(title), descriptions, note

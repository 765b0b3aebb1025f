"""What a run's interventions did, and a comparison's paired differences, as table rows.

The run's summary.json lists its interventions (strikes, cordons, sweeps, the handoff out of a
building, the check after the strikes) as `hyosan run` prints them; here each becomes a row of
(when, what, figures) in the run's unit of time, and a mark on the chart at its time.
"""

from __future__ import annotations

from typing import Any

from hyosan.reports.outcomes import OutcomeTable

__all__ = ["differences_table", "intervention_marks", "interventions_table"]


def _count(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
    return str(value)


def interventions_table(summary: dict[str, Any], when: Any, unit: str = "h") -> OutcomeTable | None:
    """Rows of (intervention, kind, when, what it did); None if the run had none.

    `when(seconds)` formats a time (the report's fmt_time, bound to the run's unit and clock).
    """
    entries = [e for e in summary.get("interventions") or [] if isinstance(e, dict)]
    if not entries:
        return None
    rows: list[list[str]] = []
    for e in entries:
        kind = str(e.get("kind", ""))
        name = str(e.get("name", kind))
        if kind == "after_strikes":
            verdict = "grew again" if e.get("restarted") else "did not grow again"
            rows.append(
                [
                    "after the strikes",
                    "check",
                    "end of the run",
                    f"{_count(e.get('infected_left'))} infected left, "
                    f"{_count(e.get('infected_at_end'))} at the end: the outbreak {verdict}",
                ]
            )
        elif kind == "handoff":
            inside = ", ".join(f"{_count(n)} {s}" for s, n in (e.get("inside") or {}).items() if n)
            out = sum(sum(c.values()) for c in (e.get("escaped") or {}).values())
            rows.append(
                [
                    f"handoff from {e.get('school', 'the building')}",
                    "handoff",
                    when(e.get("t_s")),
                    f"{inside or 'nobody'} in the building, {_count(out)} got out",
                ]
            )
        elif kind == "strike" and e.get("t_s") is None:
            rows.append([name, "strike", "not carried out", _note("after the end of the run", e)])
        elif kind == "strike":
            rows.append(
                [
                    name,
                    "strike",
                    when(e.get("t_s")),
                    _note(
                        f"{_count(e.get('people'))} people hit: {_count(e.get('infected'))} "
                        f"infected ({_count(e.get('zombies'))} zombies), "
                        f"{_count(e.get('uninfected'))} not infected",
                        e,
                    ),
                ]
            )
        else:
            end = e.get("end_s")
            span = f"from {when(e.get('start_s'))}" + (
                f" to {when(end)}" if end is not None else ""
            )
            done = e.get("events") or {}
            what = ", ".join(f"{str(k).split(': ', 1)[-1]} {_count(v)}" for k, v in done.items())
            rows.append([name, kind, span, _note(what or "–", e)])
    return OutcomeTable(headers=["intervention", "kind", "when", "what it did"], rows=rows)


def _note(text: str, entry: dict[str, Any]) -> str:
    note = entry.get("note")
    return f"{text} ({note})" if note else text


def intervention_marks(summary: dict[str, Any]) -> list[list[Any]]:
    """[t (s), label] of each intervention that happened at a time, for the chart."""
    out: list[list[Any]] = []
    for e in summary.get("interventions") or []:
        if not isinstance(e, dict):
            continue
        t = e.get("t_s", e.get("start_s"))
        if isinstance(t, int | float) and not isinstance(t, bool):
            out.append([float(t), str(e.get("name", e.get("kind", "")))])
    return out


def differences_table(summary: dict[str, Any], unit: str, unit_s: float) -> OutcomeTable | None:
    """A comparison's paired differences B − A: mean and 95 % interval per outcome."""
    diffs = summary.get("differences")
    if not isinstance(diffs, dict) or not diffs:
        return None
    names = summary.get("scenarios") or ["A", "B"]
    rows: list[list[str]] = []
    for key, d in diffs.items():
        if not isinstance(d, dict) or not isinstance(d.get("mean"), int | float):
            continue
        scale, label = 1.0, str(key)
        if label.endswith("_s"):
            scale, label = unit_s, f"{label.removesuffix('_s')} ({unit})"
        if label == "humans_win":
            scale, label = 0.01, "humans win (percentage points)"
        low, high = d.get("low"), d.get("high")
        interval = (
            f"{low / scale:+.3g} to {high / scale:+.3g}"
            if isinstance(low, int | float) and isinstance(high, int | float)
            else "– (too few pairs)"
        )
        rows.append([label, f"{d['mean'] / scale:+.3g}", interval, _count(d.get("n", ""))])
    if not rows:
        return None
    return OutcomeTable(
        headers=[
            "outcome",
            f"mean difference ({names[-1]} − {names[0]})",
            "95 % interval",
            "pairs",
        ],
        rows=rows,
    )

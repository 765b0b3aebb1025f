"""What a run's interventions did, and a comparison's paired differences, as table rows.

The run's summary lists its interventions (strikes, cordons, sweeps, the handoff out of a
building, the check after the strikes) as `hyosan run` prints them; here each becomes a row of
(when, what, figures) in the run's unit of time, and a mark on the chart at its time (each
entry's own `row` and `mark`: see hyosan.results.interventions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hyosan.reports.outcomes import OutcomeTable

if TYPE_CHECKING:
    from hyosan.results.interventions import When
    from hyosan.results.summary import Summary

__all__ = ["differences_table", "intervention_marks", "interventions_table"]


def _count(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
    return str(value)


def interventions_table(summary: Summary, when: When) -> OutcomeTable | None:
    """Rows of (intervention, kind, when, what it did); None if the run had none.

    `when(seconds)` formats a time (the report's fmt_time, bound to the run's unit and clock).
    """
    if not summary.interventions:
        return None
    return OutcomeTable(
        headers=["intervention", "kind", "when", "what it did"],
        rows=[entry.row(when) for entry in summary.interventions],
    )


def intervention_marks(summary: Summary) -> list[list[Any]]:
    """[t (s), label] of each intervention that happened at a time, for the chart."""
    marks = (entry.mark() for entry in summary.interventions or ())
    return [[t, label] for t, label in (m for m in marks if m is not None)]


def differences_table(
    summary: dict[str, Any], unit: str, unit_s: float, skip: tuple[str, ...] = ()
) -> OutcomeTable | None:
    """A comparison's paired differences B − A: mean and 95 % interval per outcome, less the
    keys in `skip` (`t_end_s` where the two run to different horizons: not an outcome)."""
    diffs = summary.get("differences")
    if not isinstance(diffs, dict) or not diffs:
        return None
    names = summary.get("scenarios") or ["A", "B"]
    if len(set(names)) < len(names):  # one name twice: "(x − x)" says nothing
        names = ["A", "B"]
    from hyosan.ensemble.outcomes import same_in_every_pair, time_name

    rows: list[list[str]] = []
    same = 0
    for key, d in diffs.items():
        if key in skip or not isinstance(d, dict) or not isinstance(d.get("mean"), int | float):
            continue
        if same_in_every_pair(d):  # folded into one row at the end, as the terminal does
            same += 1
            continue
        scale, label = 1.0, str(key)
        time = time_name(label)
        if time is not None:
            scale, label = unit_s, f"{time[0]} ({unit}){time[1]}"
        if label == "humans_win":
            scale, label = 0.01, "humans win (percentage points)"
        low, high = d.get("low"), d.get("high")
        interval = (
            f"{low / scale:+.3g} to {high / scale:+.3g}"
            if isinstance(low, int | float) and isinstance(high, int | float)
            else "– (too few pairs)"
        )
        rows.append([label, f"{d['mean'] / scale:+.3g}", interval, _count(d.get("n", ""))])
    if same:
        outcomes = "outcome" if same == 1 else "outcomes"
        rows.append(
            [
                f"{'every' if not rows else f'{same:,} more'} {outcomes}",
                "0",
                "the same in every pair (summary.json lists them)",
                "",
            ]
        )
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

"""The outcome table of an ensemble: per point, how often each outcome happened.

Read from runs.parquet (one row per run). Yes/no figures (`humans_win`, ...) become
probabilities, times that may never come (`t_overrun_s`) the probability that they did and
their median when they did, and other numbers their median with the 5 to 95 % range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "OutcomeTable",
    "fmt_value",
    "group_split",
    "outcome_table",
    "point_labels",
    "summary_outcome_table",
    "survival_table",
    "two_groups",
]

#: Columns that identify a run rather than describe its outcome.
_IDENTITY = frozenset({"point", "replicate", "seed", "wall_s", "hyosan_version", "t_end_s"})
#: Most outcome columns shown (the table must stay readable).
MAX_COLUMNS = 10


@dataclass(frozen=True)
class OutcomeTable:
    """Headers and rows of strings, ready to print or to put in the report."""

    headers: list[str]
    rows: list[list[str]]


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def two_groups(values: np.ndarray) -> tuple[float, float, float] | None:
    """(share of the low group, its median, the high group's median) when the values fall in
    two clear groups (runs where the zombies died out early and runs where they took over),
    else None. A median and a range would describe neither group.

    The split is the best two-means split of the sorted values; the groups are clear when each
    holds at least a tenth of the values and their means lie more than four pooled standard
    deviations apart.
    """
    groups = _split(values)
    if groups is None:
        return None
    lo, hi = groups
    return lo.size / (lo.size + hi.size), float(np.median(lo)), float(np.median(hi))


def group_split(values: np.ndarray) -> float | None:
    """Where the two groups of `values` part (halfway between the low group's highest value
    and the high group's lowest; see two_groups), or None if they fall in no two groups."""
    groups = _split(values)
    return None if groups is None else float((groups[0][-1] + groups[1][0]) / 2)


def _split(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The low and the high group of the finite values, sorted, if they fall in two clear
    groups (see two_groups); else None."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    x = x[np.isfinite(x)]
    n = x.size
    if n < 10 or x[0] == x[-1]:
        return None
    csum, csq = np.cumsum(x), np.cumsum(x * x)
    k = np.arange(1, n)  # the low group is x[:k]
    low_ss = csq[k - 1] - csum[k - 1] ** 2 / k
    high_ss = (csq[-1] - csq[k - 1]) - (csum[-1] - csum[k - 1]) ** 2 / (n - k)
    best = int(np.argmin(low_ss + high_ss))
    cut = int(k[best])
    lo, hi = x[:cut], x[cut:]
    if min(lo.size, hi.size) < max(2, n // 10):
        return None
    pooled = float(np.sqrt((low_ss[best] + high_ss[best]) / max(n - 2, 1)))
    if hi.mean() - lo.mean() <= 4 * max(pooled, 1e-12):
        return None
    return lo, hi


def _spread(values: np.ndarray) -> str:
    """Median [5–95 %], or the two groups when the values fall in two."""
    groups = two_groups(values)
    if groups is not None:
        share, lo, hi = groups
        low, high = (
            f"{100 * share:.0f} % near {_fmt(lo)}",
            f"{100 * (1 - share):.0f} % near {_fmt(hi)}",
        )
        return f"two groups: {low}, {high}"
    lo5, mid, hi95 = np.percentile(values, [5, 50, 95])
    return f"{_fmt(mid)} [{_fmt(lo5)}–{_fmt(hi95)}]"


def fmt_value(value: Any) -> str:
    """A sweep point's value for people: 4 significant figures ("kill_rate=0.000299"), not
    the float's 17; whole numbers and words as they are."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def _probability(value: Any) -> str:
    """An estimate with its interval, {"estimate", "low", "high"}, as "40 % [25–57 %]"."""
    if not isinstance(value, dict) or not isinstance(value.get("estimate"), int | float):
        return "–"
    lo, hi = value.get("low"), value.get("high")
    ci = ""
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        ci = f" [{100 * lo:.3g}–{100 * hi:.3g} %]"
    return f"{100 * value['estimate']:.3g} %{ci}"


def _time(value: float, unit_s: float, unit: str) -> str:
    return f"{value / unit_s:.3g} {unit}"


def outcome_table(runs: pa.Table, unit: str = "d", unit_s: float = 86400.0) -> OutcomeTable:
    """Per point: runs, probabilities of yes/no outcomes, medians and ranges of the rest."""
    import pyarrow as pa

    n = runs.num_rows
    points = runs.column("point").to_pylist() if "point" in runs.column_names else [None] * n
    order = list(dict.fromkeys(points))
    headers = ["point", "runs"] if len(order) > 1 or order[0] is not None else ["runs"]
    columns: list[tuple[str, str, Any]] = []
    for field in runs.schema:
        if field.name in _IDENTITY or len(columns) >= MAX_COLUMNS:
            continue
        if pa.types.is_boolean(field.type):
            columns.append((field.name, f"P({field.name})", "bool"))
        elif pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
            if field.name.startswith("t_"):
                columns.append((field.name, f"P({field.name} reached)", "reached"))
                columns.append((field.name, f"median {field.name} ({unit})", "time"))
            else:
                columns.append((field.name, f"median {field.name} [5–95 %]", "number"))
    headers += [label for _, label, _ in columns]
    values = {name: runs.column(name).to_pylist() for name, _, _ in columns}
    rows = []
    for point in order:
        idx = [i for i, p in enumerate(points) if p == point]
        row = ([] if headers[0] == "runs" else [str(point)]) + [f"{len(idx):,}"]
        for name, _, how in columns:
            vals = [values[name][i] for i in idx]
            present = np.array([v for v in vals if v is not None], dtype=np.float64)
            if how == "bool":
                row.append(f"{100 * present.mean():.1f} %" if present.size else "–")
            elif how == "reached":
                row.append(f"{100 * present.size / max(len(vals), 1):.1f} %")
            elif how == "time":
                row.append(
                    _time(float(np.median(present)), unit_s, unit) if present.size else "never"
                )
            elif present.size:
                row.append(_spread(present))
            else:
                row.append("–")
        rows.append(row)
    return OutcomeTable(headers=headers, rows=rows)


def point_labels(summary: dict[str, Any], *, with_units: bool = False) -> dict[Any, str]:
    """Point → a label from summary.json: its values ("bite_rate=0.5"), or a scenario's name; a
    comparison of two scenarios of one name gets "A: name" and "B: name". `with_units`: a
    picture's labels, each value with its unit and the key without "parameters."
    ("bite_rate = 0.5/day")."""
    out: dict[Any, str] = {}
    per_point = summary.get("per_point")
    if not isinstance(per_point, list):
        return out
    kind = summary.get("kind")
    units = _vary_units(summary) if with_units else {}
    for entry in per_point:
        if not isinstance(entry, dict) or "point" not in entry:
            continue
        values = entry.get("values")
        if isinstance(values, dict) and values and with_units:
            label = ", ".join(
                f"{str(k).removeprefix('parameters.')} = {fmt_value(v)}{_unit_suffix(units.get(k))}"
                for k, v in values.items()
            )
        elif isinstance(values, dict) and values:
            label = ", ".join(f"{k}={fmt_value(v)}" for k, v in values.items())
        elif kind == "compare" or len(per_point) > 1:
            label = str(entry.get("scenario", entry["point"]))
        else:
            label = "all runs"
        out[entry["point"]] = label
    if kind == "compare" and len(set(out.values())) < len(out):
        # Two scenarios of one name (the same file twice, or a variant that kept its name):
        # their rows were indistinguishable; A and B are the command's first and second.
        out = {p: f"{chr(ord('A') + k)}: {label}" for k, (p, label) in enumerate(out.items())}
    return out


def _vary_units(summary: dict[str, Any]) -> dict[str, str]:
    """Each varied key's unit: a sweep's `vary`, or a sample's (under `sensitivity`)."""
    sensitivity = summary.get("sensitivity")
    vary = summary.get("vary") or (
        sensitivity.get("vary") if isinstance(sensitivity, dict) else None
    )
    return {str(v.get("key")): str(v.get("unit") or "") for v in vary or [] if isinstance(v, dict)}


def _unit_suffix(unit: str | None) -> str:
    """A value's unit after it: "/day" as is ("0.5/day"), a word after a space ("3 d")."""
    if not unit:
        return ""
    return unit if unit.startswith("/") else f" {unit}"


def summary_outcome_table(
    summary: dict[str, Any], runs: pa.Table | None, unit: str, unit_s: float
) -> OutcomeTable | None:
    """Per point: the ensemble's own outcome probabilities (with their 95 % intervals) from
    summary.json's `per_point`, and the median peak from runs.parquet; None without per_point.
    """
    per_point = summary.get("per_point")
    if not isinstance(per_point, list) or not per_point:
        return None
    labels = point_labels(summary)
    prob_keys = list(
        dict.fromkeys(
            k
            for e in per_point
            if isinstance(e, dict)
            for k, v in e.items()
            if isinstance(v, dict) and "estimate" in v
        )
    )
    time_keys = list(
        dict.fromkeys(
            k for e in per_point if isinstance(e, dict) for k in e if k.startswith("median_t_")
        )
    )
    peaks = _peaks(runs)
    headers = ["point", "runs"]
    for k in prob_keys:
        withins = {e[k].get("within_s") for e in per_point if isinstance(e.get(k), dict)}
        name = k.removeprefix("p_").replace("_", " ")
        if k.endswith("_within") and len(withins) > 1:
            # No --within, and points of different horizons (a sweep of time.horizon): each
            # point's chance is within its own, which one time in the heading would belie.
            name = f"{name} its horizon"
        elif k.endswith("_within") and withins and None not in withins:
            name = f"{name} {withins.pop() / unit_s:.3g} {unit}"
        headers.append(f"P({name}) [95 % interval]")
    headers += [
        f"median {k.removeprefix('median_').removesuffix('_s')} ({unit})" for k in time_keys
    ]
    if peaks:
        headers.append("median peak zombies [5–95 %]")
    rows = []
    for e in per_point:
        if not isinstance(e, dict):
            continue
        row = [labels.get(e.get("point"), str(e.get("point"))), f"{int(e.get('runs', 0)):,}"]
        row += [_probability(e.get(k)) for k in prob_keys]
        for k in time_keys:
            v = e.get(k)
            row.append(_time(float(v), unit_s, unit) if isinstance(v, int | float) else "never")
        if peaks:
            row.append(peaks.get(e.get("point"), "–"))
        rows.append(row)
    return OutcomeTable(headers=headers, rows=rows)


def _peaks(runs: pa.Table | None) -> dict[Any, str]:
    if runs is None or "peak_zombies" not in runs.column_names:
        return {}
    points = runs.column("point").to_pylist() if "point" in runs.column_names else None
    peaks = runs.column("peak_zombies").to_pylist()
    out: dict[Any, str] = {}
    for point in dict.fromkeys(points or [None]):
        vals = np.array(
            [
                v
                for i, v in enumerate(peaks)
                if v is not None and (points is None or points[i] == point)
            ],
            dtype=np.float64,
        )
        if vals.size:
            out[point] = _spread(vals)
    return out


def survival_table(summary: dict[str, Any]) -> OutcomeTable | None:
    """Each named character's chance of surviving, per point (summary.json's `survival`)."""
    per_point = [e for e in summary.get("per_point") or [] if isinstance(e, dict)]
    if not any(isinstance(e.get("survival"), dict) and e["survival"] for e in per_point):
        return None
    labels = point_labels(summary)
    names = list(dict.fromkeys(n for e in per_point for n in (e.get("survival") or {})))
    headers = ["character"] + [labels.get(e.get("point"), str(e.get("point"))) for e in per_point]
    rows = []
    for name in names:
        row = [str(name)]
        row += [_probability((e.get("survival") or {}).get(name)) for e in per_point]
        rows.append(row)
    return OutcomeTable(headers=headers, rows=rows)

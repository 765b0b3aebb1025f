"""summary.json of an ensemble directory: outcome probabilities with their intervals.

```
kind                "ensemble" | "sweep" | "compare" | "sample"
hyosan_version, scenario, engine, root_seed
runs                runs in the directory (points × replicates)
replicates          runs per point
points              number of parameter points
wall_s              wall-clock seconds of the whole ensemble (this execution)
within_s            the time P(overrun within) refers to (default: the horizon)
vary                the swept keys, units and values (sweeps)
per_point           one entry per point:
  point, scenario, engine, values {key: value}, horizon_s, runs
  p_humans_win      {estimate, low, high}        Wilson 95 %
  p_overrun         {estimate, low, high}        overrun at any time within the horizon
  p_overrun_within  {within_s, estimate, low, high}
  median_t_overrun_s  median time of overrun among the runs overrun (null if none)
  survival          {character: {estimate, low, high}}   engines with named characters
  p                 {figure: {estimate, low, high}}   every other yes-or-no figure of the runs
differences         (compare) B − A per outcome: {mean, low, high, n}, paired 95 % t interval
p_humans_win_difference  (compare) {estimate, low, high}, paired t interval on the 0/1 outcomes
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.ensemble.stats import paired_difference, wilson

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.ensemble.plan import EnsemblePlan

__all__ = ["compare_differences", "point_outcomes", "same_in_every_pair", "time_name"]

#: Columns that are not outcomes of a run (left out of the paired differences).
_NOT_OUTCOMES = {"point", "replicate", "seed", "wall_s", "stopped_by", "survivors"}


def point_outcomes(
    rows: dict[str, list[Any]],
    *,
    horizon_s: float,
    within_s: float | None,
    characters: list[str] | None,
) -> dict[str, Any]:
    """Outcome probabilities of one point's runs (columns of runs.parquet as lists)."""
    n = len(rows["seed"])
    wins = sum(bool(v) for v in rows["humans_win"])
    t_over = [v for v in rows["t_overrun_s"] if v is not None]
    within = horizon_s if within_s is None else within_s
    out: dict[str, Any] = {
        "runs": n,
        "p_humans_win": wilson(wins, n),
        "p_overrun": wilson(len(t_over), n),
        "p_overrun_within": {
            "within_s": within,
            **wilson(sum(t <= within for t in t_over), n),
        },
        "median_t_overrun_s": float(np.median(t_over)) if t_over else None,
    }
    # Yes-or-no figures of the runs beyond the winner (after_strikes: restarted, ...).
    flags = {
        k: v
        for k, v in rows.items()
        if k not in ("humans_win", *_NOT_OUTCOMES) and v and all(isinstance(x, bool) for x in v)
    }
    if flags:
        out["p"] = {k: wilson(sum(v), n) for k, v in flags.items()}
    if characters is not None:
        counts = dict.fromkeys(characters, 0)
        for survivors in rows.get("survivors", [[]] * n):
            for name in survivors or []:
                if name in counts:
                    counts[name] += 1
        out["survival"] = {name: wilson(k, n) for name, k in counts.items()}
    return out


def split_points(table: pa.Table) -> dict[int, dict[str, list[Any]]]:
    """The runs table's columns as lists, per point."""
    cols = table.to_pydict()
    out: dict[int, dict[str, list[Any]]] = {}
    for i, p in enumerate(cols["point"]):
        rows = out.setdefault(p, {k: [] for k in cols})
        for k, v in cols.items():
            rows[k].append(v[i])
    return out


def compare_differences(plan: EnsemblePlan, table: pa.Table) -> dict[str, Any]:
    """Paired differences B − A (point 1 − point 0) of every outcome, replicate by replicate."""
    by_point = split_points(table)
    a, b = by_point[0], by_point[1]
    # Rows are sorted by replicate within a point, and both points share the seeds.
    if a["replicate"] != b["replicate"] or a["seed"] != b["seed"]:
        raise ValueError("the two scenarios' runs do not pair up by replicate and seed")
    diffs: dict[str, Any] = {}
    for name in a:
        if name in _NOT_OUTCOMES or name not in b:
            continue
        va = [np.nan if v is None else float(v) for v in a[name]]
        vb = [np.nan if v is None else float(v) for v in b[name]]
        diffs[name] = paired_difference(np.array(va), np.array(vb))
    win = diffs.get("humans_win", {"mean": None, "low": None, "high": None})
    return {
        "differences": diffs,
        "p_humans_win_difference": {
            "estimate": win["mean"],
            "low": win["low"],
            "high": win["high"],
        },
        "paired_by": "replicate (the same seed for A and B)",
    }


def same_in_every_pair(difference: dict[str, Any]) -> bool:
    """Whether a paired difference is 0 in every pair (its mean and both interval ends 0):
    the tables fold such outcomes into one line rather than a row of zeros each."""
    return difference.get("mean") == 0 and all(
        difference.get(end) in (0, None) for end in ("low", "high")
    )


def time_name(name: str) -> tuple[str, str] | None:
    """A time's outcome name split where its unit goes: "t_end_s" is ("t_end", ""),
    "t_arrival_s: Hospital" is ("t_arrival", ": Hospital"); None if `name` is no time."""
    head, colon, label = name.partition(": ")
    if name.endswith("_s"):
        return name.removesuffix("_s"), ""
    if colon and head.endswith("_s"):
        return head.removesuffix("_s"), f": {label}"
    return None

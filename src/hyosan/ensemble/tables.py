"""runs.parquet: one row per run, sorted by (point, replicate).

Columns: `point`, `replicate`, `seed` (int64); one float column per swept key (its value in the
scenario's unit); the summary figures `t_end_s`, `peak_zombies`, `t_peak_zombies_s`,
`t_overrun_s` (null if never), `humans_win`, `final_<state>` for each state, `stopped_by`; then
each run's further figures (`Summary.extra_figures`: the engine's `n_bites`..., the epidemic's,
the outbreak's reach and arrivals, threshold crossings, each intervention's); and `survivors`
(list of strings) when the engine has named characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hyosan.ensemble.task import SCALARS
from hyosan.scenario.model import STATES

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.ensemble.plan import EnsemblePlan

__all__ = ["runs_table"]


def _column(values: list[Any]) -> Any:
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(values, pa.bool_())
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.int64())
    return pa.array([None if v is None else float(v) for v in values], pa.float64())


def runs_table(plan: EnsemblePlan, records: list[dict[str, Any]]) -> pa.Table:
    """The runs table of a plan from its records (see the module docstring).

    Parameters
    ----------
    plan
        The plan the records belong to (for the swept keys' values).
    records
        One per run, as stored by the work directory, in any order.
    """
    import pyarrow as pa

    records = sorted(records, key=lambda r: (r["point"], r["replicate"]))
    states_seen = {s for r in records for s in r["states"]}
    states = [s for s in STATES if s in states_seen]
    extras: list[str] = list(dict.fromkeys(k for r in records for k in r["extras"]))
    cols: dict[str, Any] = {
        "point": pa.array([r["point"] for r in records], pa.int64()),
        "replicate": pa.array([r["replicate"] for r in records], pa.int64()),
        "seed": pa.array([r["seed"] for r in records], pa.int64()),
    }
    # The keys a sweep's or a sample's points set, in --vary's order (vary.grid's).
    keys = dict.fromkeys(k for p in plan.points for k in p.values)
    for key in keys:
        cols[key] = pa.array([plan.points[r["point"]].values[key] for r in records], pa.float64())
    for name in SCALARS:
        vals = [r["scalars"][name] for r in records]
        if name == "humans_win":
            cols[name] = pa.array([bool(v) for v in vals], pa.bool_())
        else:
            cols[name] = pa.array([None if v is None else float(v) for v in vals], pa.float64())
    for s in states:
        cols[f"final_{s}"] = pa.array(
            [r["scalars"].get(f"final_{s}") for r in records], pa.float64()
        )
    # No per-run wall time: it would make two executions of the same plan differ.
    cols["stopped_by"] = pa.array([r["scalars"]["stopped_by"] for r in records], pa.string())
    for name in extras:
        if name not in cols:
            cols[name] = _column([r["extras"].get(name) for r in records])
    if any(r["characters"] is not None for r in records):
        cols["survivors"] = pa.array(
            [r["survivors"] if r["survivors"] is not None else [] for r in records],
            pa.list_(pa.string()),
        )
    return pa.table(cols)

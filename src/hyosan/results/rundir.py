"""Run directories: written atomically, read back for reports and reruns.

A run directory is assembled in a hidden sibling folder and put into place (results.publish),
so it appears complete or not at all; an existing directory is replaced only with `force`, only
if hyosan wrote it, and then only once the new one is complete.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyosan.paths import user_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from hyosan.results.result import Result

__all__ = ["default_run_dir", "dump_scenario", "read_summary", "read_timeseries", "write_run"]


def dump_scenario(result: Result) -> str:
    """The resolved scenario as TOML, with the engine and seed of the run."""
    import tomli_w

    data = result.scenario.model_dump(mode="json", exclude_none=True)
    data["engine"] = result.engine
    data["seed"] = result.seed
    header = (
        f"# Resolved by hyosan for the {result.engine} engine with seed {result.seed}.\n"
        "# `hyosan run` on this file reproduces the run.\n"
    )
    return header + tomli_w.dumps(data, multiline_strings=True)


def default_run_dir(scenario_name: str, root: str | Path = "runs") -> Path:
    """A new directory under `root`: runs/<scenario>-<date>-<time>[-n].

    The scenario's name is made a plain directory name first (results.names): it cannot put
    the run anywhere but directly under `root`.
    """
    from hyosan.results.names import safe_dir_name
    from hyosan.results.outlock import lock_path_for

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{safe_dir_name(scenario_name)}-{stamp}"
    candidate, n = base, 1
    # A candidate whose lock file exists is being written by another run started this second.
    while candidate.exists() or lock_path_for(candidate).exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, allow_nan=False, default=float) + "\n"


def write_run(
    result: Result,
    out: str | Path,
    *,
    force: bool = False,
    before_publish: Callable[[Path], object] | None = None,
) -> Path:
    """Write scenario.toml, summary.json, timeseries.parquet (and incidence, events, places,
    and places.geojson where the places lie on the Earth) to `out`.

    `before_publish`, if given, is called with the hidden folder once those files are in it and
    before it is put at `out`: what it writes there (the report) appears with the rest. `out`
    is written under its lock (results.outlock); with `force` it replaces only a run or
    ensemble directory that hyosan wrote (results.publish).
    """
    import pyarrow.parquet as pq

    from hyosan.results.publish import publish_output

    def build(tmp: Path) -> None:
        (tmp / "scenario.toml").write_text(dump_scenario(result), encoding="utf-8")
        (tmp / "summary.json").write_text(_json(result.summary()), encoding="utf-8")
        pq.write_table(result.timeseries, tmp / "timeseries.parquet")
        epidemic = result.epidemic
        if epidemic is not None:
            pq.write_table(
                epidemic.table(stoichiometry=result.stoichiometry), tmp / "incidence.parquet"
            )
        if result.events is not None:
            pq.write_table(result.events, tmp / "events.parquet")
        if result.places is not None:
            pq.write_table(result.places, tmp / "places.parquet")
            from hyosan.results.geojson import places_geojson

            geo = places_geojson(result)
            if geo is not None:
                text = json.dumps(geo, allow_nan=False, separators=(",", ":"))
                (tmp / "places.geojson").write_text(text, encoding="utf-8")
        if before_publish is not None:
            before_publish(tmp)

    return publish_output(user_path(out), build, force=force)


def read_summary(run_dir: str | Path) -> dict[str, Any]:
    """summary.json of a run directory."""
    return json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))


def read_timeseries(run_dir: str | Path) -> Any:
    """timeseries.parquet of a run directory, as a pyarrow Table."""
    from hyosan.results.arrow import read_parquet

    return read_parquet(Path(run_dir) / "timeseries.parquet")

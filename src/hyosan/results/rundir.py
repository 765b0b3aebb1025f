"""Run directories: written atomically, read back for reports and reruns.

A run directory is assembled in a hidden sibling folder and renamed into place, so it appears
complete or not at all; an existing directory is replaced only with `force`, and then only once
the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyosan.errors import HyosanError

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
    """A new directory name under `root`: runs/<scenario>-<date>-<time>[-n]."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{scenario_name}-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
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
    """Write scenario.toml, summary.json, timeseries.parquet (and events/places) to `out`.

    `before_publish`, if given, is called with the hidden folder once those files are in it and
    before it is renamed to `out`: what it writes there (the report) appears with the rest.
    """
    import pyarrow.parquet as pq

    out = Path(out)
    if out.exists() and not force:
        raise HyosanError(
            f"{out} already exists; choose another --out or add --force to replace it"
        )
    if out.exists() and not out.is_dir():
        raise HyosanError(f"{out} exists and is not a directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        (tmp / "scenario.toml").write_text(dump_scenario(result), encoding="utf-8")
        (tmp / "summary.json").write_text(_json(result.summary()), encoding="utf-8")
        pq.write_table(result.timeseries, tmp / "timeseries.parquet")
        if result.events is not None:
            pq.write_table(result.events, tmp / "events.parquet")
        if result.places is not None:
            pq.write_table(result.places, tmp / "places.parquet")
        if before_publish is not None:
            before_publish(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a run directory is an ordinary folder
        if out.exists():
            # Swap: the old directory is moved aside only once the new one is complete.
            old = out.with_name(f".{out.name}.replaced")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def read_summary(run_dir: str | Path) -> dict[str, Any]:
    """summary.json of a run directory."""
    return json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def read_timeseries(run_dir: str | Path) -> Any:
    """timeseries.parquet of a run directory, as a pyarrow Table."""
    import pyarrow.parquet as pq

    return pq.read_table(Path(run_dir) / "timeseries.parquet")

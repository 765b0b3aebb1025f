"""Run and ensemble directories for the report tests, written by hand where an engine would
take too long (a million places) or could not produce them (hostile names)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def _big_grid_places(rows: int, cols: int, frames: int) -> pa.Table:
    """A places table of a rows × cols grid with a zombie front moving across it."""
    n = rows * cols
    r, c = np.divmod(np.arange(n, dtype=np.int32), cols)
    times = np.linspace(0, 86400.0, frames)
    front = (np.arange(frames)[None, :] * cols / frames) > c[:, None]
    zombies = front.astype(np.int32)
    humans = 1 - zombies
    table = {
        "place": pa.array(np.arange(n, dtype=np.int32)),
        "row": pa.array(r),
        "col": pa.array(c),
        "population": pa.array(np.ones(n, dtype=np.int64)),
        "t_first_zombie_s": pa.array(c.astype(np.float64) * 86400.0 / cols),
        "S": pa.FixedSizeListArray.from_arrays(pa.array(humans.reshape(-1)), frames),
        "Z": pa.FixedSizeListArray.from_arrays(pa.array(zombies.reshape(-1)), frames),
    }
    meta = {
        "snapshot_times_s": json.dumps(times.tolist()),
        "compartments": json.dumps(["S", "Z"]),
        "states": json.dumps(["human", "zombie"]),
        "shape": json.dumps([rows, cols]),
    }
    return pa.table(table, metadata=meta)


def _write_ensemble(folder: Path, points: int = 2, times: int = 50) -> Path:
    """An ensemble directory as the ensemble engine writes one (bands, runs, summary)."""
    folder.mkdir(parents=True)
    t = np.linspace(0, 10 * 86400.0, times)
    rows: dict[str, list] = {k: [] for k in ("point", "t", "state", "q05", "q25", "q50")}
    rows.update({"q75": [], "q95": [], "mean": []})
    for p in range(points):
        for i, ti in enumerate(t):
            for state, mid in (("human", 100.0 - i), ("zombie", 1.0 + i * (p + 1))):
                rows["point"].append(p)
                rows["t"].append(float(ti))
                rows["state"].append(state)
                for k, f in (("q05", 0.8), ("q25", 0.9), ("q50", 1.0), ("q75", 1.1), ("q95", 1.2)):
                    rows[k].append(mid * f)
                rows["mean"].append(mid)
    pq.write_table(pa.table(rows), folder / "bands.parquet")
    runs = pa.table(
        {
            "point": [p for p in range(points) for _ in range(4)],
            "replicate": [r for _ in range(points) for r in range(4)],
            "seed": list(range(4 * points)),
            "peak_zombies": [float(10 + i) for i in range(4 * points)],
            "t_overrun_s": [None, 86400.0, 2 * 86400.0, None] * points,
            "humans_win": [True, False, False, True] * points,
        }
    )
    pq.write_table(runs, folder / "runs.parquet")
    summary = {"kind": "sweep", "scenario": "toy", "runs": 4 * points, "points": points}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


@pytest.fixture
def big_grid_places() -> Callable[[int, int, int], pa.Table]:
    """Makes the places table of a big grid (see _big_grid_places)."""
    return _big_grid_places


@pytest.fixture
def write_ensemble() -> Callable[..., Path]:
    """Writes an ensemble directory (see _write_ensemble)."""
    return _write_ensemble


#: Strings that would run script if a report put them into the page as markup.
HOSTILE_CHARACTER = "<script>alert(1)</script>"
HOSTILE_NAME = "<script>window.pwned = 1; alert(2)</script>"
HOSTILE_DESCRIPTION = '<img src=x onerror="window.pwned = 3; alert(3)"> & </script>'
HOSTILE_ROOM = "<svg onload=alert(4)>"


def _hostile_run(folder: Path) -> Path:
    """A Hyosan High run (agents engine) whose scenario, a character and a room have names
    made of markup, and one event whose text is markup."""
    import hyosan
    from hyosan.scenario.catalog import builtin_scenario_text
    from hyosan.scenario.load import load_scenario

    text = builtin_scenario_text("hyosan-high")
    text = text.replace('name = "hyosan-high"', f"name = {json.dumps(HOSTILE_NAME)}", 1)
    text = text.replace('description = """', f'description = """{HOSTILE_DESCRIPTION} ', 1)
    text = text.replace("Nam On-jo", HOSTILE_CHARACTER)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    result = hyosan.simulate(load_scenario(str(path), ["time.horizon=1h"]), seed=2)
    out = result.save(folder / "run")
    places = pq.read_table(out / "places.parquet")
    names = places.column("name").to_pylist()
    names[names.index("infirmary")] = HOSTILE_ROOM
    i = places.column_names.index("name")
    pq.write_table(places.set_column(i, "name", pa.array(names)), out / "places.parquet")
    events = pq.read_table(out / "events.parquet")
    extra = pa.table(
        {
            "t": [1.0],
            "kind": ["<b>bold</b>"],
            "actor": [HOSTILE_CHARACTER],
            "target": [""],
            "place": [HOSTILE_ROOM],
            "detail": [f"{HOSTILE_CHARACTER} hides in {HOSTILE_ROOM}"],
        },
        schema=events.schema,
    )
    pq.write_table(pa.concat_tables([extra, events]), out / "events.parquet")
    return out


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory full of markup in its names (see _hostile_run)."""
    return _hostile_run(tmp_path_factory.mktemp("hostile"))

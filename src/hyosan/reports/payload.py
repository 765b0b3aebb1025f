"""The data the viewer reads: one JSON object, embedded in the report, bounded in size.

Time series are thinned to MAX_SERIES_POINTS, events to MAX_EVENTS (named characters' first),
per-place snapshots as frames.py packs them. Everything from the scenario reaches the page as
JSON text, which html.py escapes for a <script> element; the viewer only ever puts it into the
page as text (textContent), never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.colours import EMPTY, STATE_COLOURS, STATE_WEIGHTS
from hyosan.reports.geometry import GridGeometry
from hyosan.reports.plots import band_series, unit_seconds, wants_log
from hyosan.results.arrow import numbers

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.reports.frames import PlaceFrames
    from hyosan.reports.rundata import EnsembleData, RunData

__all__ = ["ensemble_payload", "run_payload"]

#: Most points per state of a time series in the report.
MAX_SERIES_POINTS = 2000
#: The fewest times a band keeps, however many points share the page.
MIN_SERIES_POINTS = 100
#: Most events listed in the report's timeline.
MAX_EVENTS = 2000


def _round(values: np.ndarray, digits: int = 6) -> list[float | None]:
    """Values to `digits` significant figures, NaN as null: smaller JSON, same picture."""
    out: list[float | None] = []
    for v in np.asarray(values, dtype=np.float64).tolist():
        out.append(None if v != v else float(f"{v:.{digits}g}"))
    return out


def _thin(n: int, k: int) -> np.ndarray:
    if n <= k:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, k)).astype(np.int64))


def _common(name: str, unit: str, clock_start_s: float | None) -> dict[str, Any]:
    return {
        "name": name,
        "unit": unit,
        "unitSeconds": unit_seconds(unit),
        "clockStart": clock_start_s,
        "colours": STATE_COLOURS,
        "weights": STATE_WEIGHTS,
        "empty": [round(c * 255) for c in EMPTY],
    }


def run_payload(run: RunData, frames: PlaceFrames | None, notes: list[str]) -> dict[str, Any]:
    """The viewer's data for one run; appends what was thinned to `notes`."""
    idx = _thin(run.times.size, MAX_SERIES_POINTS)
    if idx.size < run.times.size:
        # Keep each state's peak and trough, which even spacing could step over.
        extremes = [f(v) for v in run.states.values() if v.size for f in (np.argmax, np.argmin)]
        idx = np.union1d(idx, np.asarray(extremes, dtype=np.int64))
        notes.append(
            f"The time-series chart shows {idx.size:,} of the run's {run.times.size:,} "
            "recorded times, evenly spaced."
        )
    peaks = [float(np.max(v)) if v.size else 0.0 for v in run.states.values()]
    data = _common(run.name, run.display_unit, run.clock_start_s)
    data.update(
        kind="run",
        tEnd=float(run.times[-1]) if run.times.size else 0.0,
        log=wants_log(peaks),
        series={
            "t": _round(run.times[idx], 9),
            "states": {s: _round(v[idx]) for s, v in run.states.items()},
        },
        places=None if frames is None else _places(run, frames),
        events=_events(run, notes),
    )
    return data


def _places(run: RunData, frames: PlaceFrames) -> dict[str, Any]:
    from hyosan.reports.frames import _pack

    dtype, packed = frames.packed_counts()
    g = frames.geometry
    out: dict[str, Any] = {
        "n": g.n_drawn,
        "times": _round(frames.times, 9),
        "compartments": frames.compartments,
        "compStates": [run.state_of(c) for c in frames.compartments],
        "dtype": dtype,
        "counts": packed,
        "firstZombie": frames.packed_first_zombie(),
        "population": _pack(frames.population.astype("<f4").tobytes()),
    }
    if isinstance(g, GridGeometry):
        out["kind"] = "grid"
        out["grid"] = {
            "rows": g.rows,
            "cols": g.cols,
            "block": g.block,
            "cell": _pack(g.cell.astype("<u4").tobytes()),
            "context": _grid_context(run, g.block),
        }
        return out
    out["kind"] = "points"
    out["points"] = {
        "panels": [
            {
                "title": p.title,
                "aspect": round(p.aspect, 4),
                "scaled": p.scaled,
                "size": s,
                "share": round(p.share, 4),
                "offset": round(p.offset, 4),
            }
            for p, s in zip(g.panels, g.size, strict=True)
        ],
        "panel": g.panel.tolist(),
        "u": [round(v, 4) for v in g.u.tolist()],
        "v": [round(v, 4) for v in g.v.tolist()],
        "w": [round(v, 4) for v in g.w.tolist()],
        "h": [round(v, 4) for v in g.h.tolist()],
        "labels": g.labels,
        # The numbers of rooms too small for their names, first-zombie.png's (geometry).
        "numbers": g.numbers().tolist(),
        "kinds": _kinds(run, g.labels),
        "passages": _passages(run, g.labels, g.panel),
    }
    return out


def _grid_context(run: RunData, block: int) -> dict[str, Any] | None:
    """The grid's coordinates, city names (most populous first) and cordons, in drawn cells."""
    ctx = run.grid
    if not ctx:
        return None
    people: dict[tuple[int, int], float] = {}
    places = run.places
    if places is not None and {"row", "col", "population"} <= set(places.column_names):
        rows = numbers(places.column("row"))
        cols = numbers(places.column("col"))
        pop = numbers(places.column("population"))
        people = {(int(r), int(c)): float(p) for r, c, p in zip(rows, cols, pop, strict=True)}
    # The most populous places are named first, so the big cities keep their labels.
    marks = sorted(ctx["landmarks"], key=lambda m: -people.get((m[1], m[2]), 0.0))
    return {
        "cellKm": ctx["cell_km"] * block,
        "latNorth": ctx["lat_north"],
        "lonWest": ctx["lon_west"],
        "dlat": ctx["dlat"] * block,
        "dlon": ctx["dlon"] * block,
        "landmarks": [[n, (r + 0.5) / block, (c + 0.5) / block] for n, r, c in marks],
        "cordons": [
            [n, (r + 0.5) / block, (c + 0.5) / block, rad / block]
            for n, r, c, rad in ctx["cordons"]
        ],
    }


def _kinds(run: RunData, labels: list[str]) -> list[str]:
    """Each drawn place's kind ("stairs", "exit", ...), for the floor plan's symbols."""
    places = run.places
    if places is not None and "kind" in places.column_names and "name" in places.column_names:
        by_name = dict(
            zip(places.column("name").to_pylist(), places.column("kind").to_pylist(), strict=True)
        )
        return [str(by_name.get(n) or "") for n in labels]
    return [run.rooms[n][1] if n in run.rooms else "" for n in labels]


def _passages(run: RunData, labels: list[str], panel: np.ndarray) -> list[list[Any]]:
    """[place, place, kind] of the doors, windows and openings between two drawn places of one
    panel (stairs between floors are drawn as the stairwells themselves)."""
    index = {name: i for i, name in enumerate(labels)}
    out: list[list[Any]] = []
    for a, b, kind in run.passages:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and panel[i] == panel[j]:
            out.append([i, j, kind])
    return out


def _events(run: RunData, notes: list[str]) -> list[list[Any]]:
    """[t, kind, text] rows for the timeline: narrative first, named characters first."""
    table = run.events
    if table is None or table.num_rows == 0:
        return []
    cols = table.column_names
    t = numbers(table.column("t")).astype(np.float64)
    kinds = _strings(table, "kind")
    detail = _strings(table, "detail")
    narrative = np.array([bool(d) for d in detail], dtype=bool)
    # Engines with a narrative give sentences only for the events worth telling: list those.
    pool = np.flatnonzero(narrative) if narrative.any() else np.arange(table.num_rows)
    if pool.size > MAX_EVENTS:
        people = run.summary.people
        named = {f.name for f in people.fates} if people is not None else set()
        actors = _strings(table, "actor") if "actor" in cols else [""] * table.num_rows
        targets = _strings(table, "target") if "target" in cols else [""] * table.num_rows
        first = [i for i in pool if actors[i] in named or targets[i] in named]
        rest = np.setdiff1d(pool, np.asarray(first, dtype=np.int64))
        room = max(MAX_EVENTS - len(first), 0)
        chosen = np.asarray(first[:MAX_EVENTS], dtype=np.int64)
        chosen = np.concatenate([chosen, rest[_thin(rest.size, room)] if room else rest[:0]])
        notes.append(
            f"The timeline lists {chosen.size:,} of {pool.size:,} events: every one involving "
            "a named character (up to the limit), and the rest evenly spaced in time."
        )
        pool = np.sort(chosen)
    names = _place_names(run)
    rows = []
    for i in pool[np.argsort(t[pool], kind="stable")]:
        text = detail[i] or _describe(table, int(i), names)
        rows.append([round(float(t[i]), 3), kinds[i], text])
    return rows


def _strings(table: pa.Table, name: str) -> list[str]:
    if name not in table.column_names:
        return [""] * table.num_rows
    return ["" if v is None else str(v) for v in table.column(name).to_pylist()]


def _place_names(run: RunData) -> dict[int, str]:
    """Place number → name, for events that give places by number (the ssa engine's)."""
    places = run.places
    if places is None or "name" not in places.column_names:
        return {}
    if "place" in places.column_names:
        numbers = places.column("place").to_pylist()
    else:
        numbers = list(range(places.num_rows))
    names = places.column("name").to_pylist()
    return {int(n): str(name) for n, name in zip(numbers, names, strict=True)}


def _describe(table: pa.Table, i: int, names: dict[int, str]) -> str:
    """Words for an event without a narrative sentence: "bite 12 → 40 at library"."""
    keys = [k for k in ("kind", "actor", "target", "place") if k in table.column_names]
    row = {k: table.column(k)[i].as_py() for k in keys}
    if isinstance(row.get("place"), int):
        row["place"] = names.get(row["place"], row["place"])
    text = " ".join(str(row[k]) for k in ("kind", "actor") if row.get(k) is not None)
    if row.get("target") not in (None, ""):
        text += f" → {row['target']}"
    if row.get("place") not in (None, ""):
        text += f" at {row['place']}"
    return text


def ensemble_payload(ens: EnsembleData, notes: list[str]) -> dict[str, Any]:
    """The viewer's data for an ensemble: each point's bands per state."""
    table = ens.bands
    points = (
        list(dict.fromkeys(table.column("point").to_pylist()))
        if "point" in table.column_names
        else [None]
    )
    series = []
    thinned = False
    peaks: list[float] = []
    t_end = 0.0
    # A page of many points (a sample's hundreds) shares out the times of eight: 256 points
    # at 2,000 times each made a page of 30 MB that a browser loads slowly.
    cap = max(MIN_SERIES_POINTS, MAX_SERIES_POINTS * 8 // max(len(points), 8))
    for point in points:
        per_state = {}
        for state, arrays in band_series(table, point).items():
            idx = _thin(arrays["t"].size, cap)
            thinned |= idx.size < arrays["t"].size
            per_state[state] = {k: _round(v[idx], 9 if k == "t" else 6) for k, v in arrays.items()}
            middle = arrays.get("q50", arrays.get("mean"))
            if middle is not None and middle.size:
                peaks.append(float(np.max(middle)))
            if arrays["t"].size:
                t_end = max(t_end, float(arrays["t"][-1]))
        series.append(per_state)
    if thinned:
        notes.append(f"Each band shows at most {cap:,} times, evenly spaced.")
    from hyosan.reports.outcomes import point_labels

    labels = point_labels(ens.summary)
    data = _common(ens.name, ens.display_unit, None)
    data.update(
        kind="ensemble",
        tEnd=t_end,
        log=wants_log(peaks),
        points=[labels.get(p, "all runs" if p is None else f"point {p}") for p in points],
        bands=series,
        places=None,
        events=[],
    )
    return data

"""What a report shows, read from a Result or from a run or ensemble directory.

The report, the plots and the GIF all read one of two value objects: `RunData` (one run) or
`EnsembleData` (many runs summarised as bands). Both can be built from files alone, so that
`hyosan report DIR` works on any run directory without the scenario's engine or world.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import HyosanError
from hyosan.results.arrow import numbers
from hyosan.results.publish import ENSEMBLE_KINDS
from hyosan.results.summary import Summary
from hyosan.results.words import Words, words_for
from hyosan.scenario.model import STATES
from hyosan.scenario.units import fit_unit

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.results.result import Result

__all__ = ["EnsembleData", "RunData", "load_report_data", "places_states", "threshold_levels"]


@dataclass(frozen=True)
class RunData:
    """One run, as the report needs it.

    Attributes
    ----------
    summary
        The figures of summary.json.
    name, description, engine, seed
        What was run.
    display_unit
        The scenario's unit for showing times ("s", "min", "h" or "d").
    clock_start_s
        Clock time of t = 0 (agents runs), to show times as "day 1 08:30"; else None.
    times
        Recorded times (s).
    states
        State name → counts over time, in hyosan's vocabulary order.
    compartment_states
        Compartment → the vocabulary state it counts towards (places.parquet's metadata says,
        or the scenario's model).
    places, events
        places.parquet and events.parquet, when the run has them.
    rooms
        Room name → (floor, kind, area in m²) from the building, for the floor plans.
    passages
        (room, room, kind) of the building's doors, stairs and windows, for the floor plans.
    grid
        Where a grid world lies on the Earth, its named cells and cordons (see grid_context),
        for the map's city names, scale bar and latitudes; {} for other worlds.
    incidence
        incidence.parquet (results.epidemic): each reaction's incidence, infections, the attack
        rate and R_t at the recorded times, when the run has it.
    words
        How the run is told: humans and zombies, or an epidemic (results.words).
    thresholds
        Each of the scenario's thresholds by name, with its level in words ("humans below
        250"; "" for the overrun, which the name says), for the report's table of when each
        was crossed; {} where the scenario file is not at hand.
    """

    summary: Summary
    name: str
    description: str
    engine: str
    seed: int | None
    display_unit: str
    clock_start_s: float | None
    times: np.ndarray
    states: dict[str, np.ndarray]
    compartment_states: dict[str, str]
    places: pa.Table | None = None
    events: pa.Table | None = None
    rooms: dict[str, tuple[int, str, float]] = field(default_factory=dict)
    passages: list[tuple[str, str, str]] = field(default_factory=list)
    grid: dict[str, Any] = field(default_factory=dict)
    incidence: pa.Table | None = None
    words: Words = field(default_factory=lambda: Words(epidemic=False))
    thresholds: dict[str, str] = field(default_factory=dict)
    #: The places the scenario asks arrivals of (`[record] arrivals`), which the terminal
    #: names even where no zombie came ("no zombie reached Seoul").
    asked: tuple[str, ...] = ()

    @classmethod
    def from_result(cls, result: Result) -> RunData:
        """The data of a Result still in memory."""
        scenario = result.scenario
        summary = result.headline()
        return cls(
            summary=summary,
            name=scenario.name,
            description=scenario.description or "",
            engine=result.engine,
            seed=result.seed,
            display_unit=fit_unit(scenario.time.display_unit, float(result.times[-1])),
            clock_start_s=_clock_start(summary, result.events),
            times=np.asarray(result.times, dtype=np.float64),
            states={s: np.asarray(result.series(s), np.float64) for s in result.state_names()},
            compartment_states=dict(zip(result.compartments, result.states, strict=True)),
            places=result.places,
            events=result.events,
            rooms=_building_rooms(dumped := scenario.model_dump(mode="json", exclude_none=True)),
            passages=_building_passages(dumped),
            grid=grid_context(dumped),
            incidence=(result.epidemic.table() if result.epidemic is not None else None),
            words=words_for(dumped),
            thresholds=threshold_levels(
                dumped, dict(zip(result.compartments, result.states, strict=True))
            ),
            asked=tuple(scenario.record.arrivals),
        )

    @classmethod
    def from_dir(cls, run_dir: str | Path) -> RunData:
        """The data of a run directory (summary.json, timeseries.parquet and the rest)."""
        from hyosan.results.arrow import read_parquet

        run_dir = Path(run_dir)
        data = _read_json(run_dir / "summary.json")
        summary = Summary.from_json(data)
        scenario = _read_scenario(run_dir)
        table = read_parquet(run_dir / "timeseries.parquet")
        present = {c.removeprefix("n_") for c in table.column_names if c.startswith("n_")}
        states = {
            s: numbers(table.column(f"n_{s}")).astype(np.float64) for s in STATES if s in present
        }
        events = read_parquet(run_dir / "events.parquet") if _exists(run_dir, "events") else None
        places = read_parquet(run_dir / "places.parquet") if _exists(run_dir, "places") else None
        # The engine wrote each compartment's state beside the places' counts: it knows them
        # even where the scenario file does not say (a building's people).
        comp_states = {**_compartment_states(scenario), **places_states(places)}
        time = scenario.get("time", {})
        seed = data.get("seed")
        return cls(
            summary=summary,
            name=str(scenario.get("name") or summary.scenario or run_dir.name),
            description=str(scenario.get("description") or ""),
            engine=summary.engine or str(scenario.get("engine", "")),
            seed=seed if isinstance(seed, int) else None,
            display_unit=fit_unit(str(time.get("display_unit", "d")), summary.t_end_s),
            clock_start_s=_clock_start(summary, events),
            times=numbers(table.column("t")).astype(np.float64),
            states=states,
            compartment_states=comp_states,
            places=places,
            events=events,
            rooms=_building_rooms(scenario),
            passages=_building_passages(scenario),
            grid=grid_context(scenario),
            incidence=(
                read_parquet(run_dir / "incidence.parquet")
                if _exists(run_dir, "incidence")
                else None
            ),
            words=words_for(scenario),
            thresholds=threshold_levels(scenario, comp_states),
            asked=_asked(scenario),
        )

    def state_of(self, compartment: str) -> str:
        """The vocabulary state a compartment counts towards ("other" if unknown)."""
        return self.compartment_states.get(compartment, "other")


@dataclass(frozen=True)
class EnsembleData:
    """Many runs of one scenario (or of a sweep's points), summarised.

    Attributes
    ----------
    summary
        summary.json of the ensemble directory; `kind` is "ensemble", "sweep", "compare" or
        "sample".
    name, description, display_unit
        As for a run (of a comparison, scenario A's name and description).
    description_b
        A comparison's scenario B's description ("" otherwise).
    bands
        bands.parquet, long: point, t, state, q05, q25, q50, q75, q95, mean.
    runs
        runs.parquet: one row per run (point, replicate, seed, summary figures), if present.
    incidence
        incidence_bands.parquet (ensemble.bands), if the engine counted its reactions: long,
        point, t, series (`new_<reaction>`, `cum_<reaction>`, `new_infections`,
        `cum_infections`), q05, ..., q95, mean.
    words
        How the runs are told (results.words): an epidemic's words only where every scenario
        of a comparison is an epidemic, since one set of words labels all of them.
    """

    summary: dict[str, Any]
    name: str
    description: str
    display_unit: str
    bands: pa.Table
    runs: pa.Table | None = None
    incidence: pa.Table | None = None
    words: Words = field(default_factory=lambda: Words(epidemic=False))
    description_b: str = ""

    @property
    def kind(self) -> str:
        """ "ensemble", "sweep", "compare", or "sample" (a sweep whose points SALib drew: its
        summary holds its sensitivity indices, by which a sample written when its kind was
        still "sweep" is known too)."""
        if isinstance(self.summary.get("sensitivity"), dict):
            return "sample"
        return str(self.summary.get("kind", "ensemble"))

    @classmethod
    def from_dir(cls, ens_dir: str | Path) -> EnsembleData:
        """The data of an ensemble directory."""
        from hyosan.results.arrow import read_parquet

        ens_dir = Path(ens_dir)
        summary = _read_json(ens_dir / "summary.json")
        scenario = _read_scenario(ens_dir)
        bands_path = ens_dir / "bands.parquet"
        if not bands_path.is_file():
            raise HyosanError(f"{ens_dir} is an ensemble directory without bands.parquet")
        runs = read_parquet(ens_dir / "runs.parquet") if _exists(ens_dir, "runs") else None
        time = scenario.get("time", {})
        bands = read_parquet(bands_path)
        t = numbers(bands.column("t")) if "t" in bands.column_names and bands.num_rows else None
        unit = str(time.get("display_unit", summary.get("display_unit", "d")))
        return cls(
            summary=summary,
            name=str(scenario.get("name") or summary.get("scenario") or ens_dir.name),
            description=str(scenario.get("description") or summary.get("description") or ""),
            # The unit a run of the same horizon shows, so runs and ensembles read alike.
            display_unit=fit_unit(unit, float(t.max()) if t is not None else None),
            bands=bands,
            runs=runs,
            incidence=(
                read_parquet(ens_dir / "incidence_bands.parquet")
                if _exists(ens_dir, "incidence_bands")
                else None
            ),
            words=_ensemble_words(ens_dir, scenario),
            description_b=str(
                _read_scenario(ens_dir, "scenario-b.toml").get("description") or ""
            ).strip(),
        )


def _ensemble_words(ens_dir: Path, scenario: dict[str, Any]) -> Words:
    """The words of an ensemble's scenario, and of a comparison's scenario B too."""
    words = [words_for(scenario)]
    if (ens_dir / "scenario-b.toml").is_file():
        words.append(words_for(_read_scenario(ens_dir, "scenario-b.toml")))
    return Words(epidemic=all(w.epidemic for w in words))


def is_ensemble_dir(path: str | Path) -> bool:
    """Whether a directory holds an ensemble (its summary's kind, or bands.parquet)."""
    path = Path(path)
    try:
        kind = _read_json(path / "summary.json").get("kind")
    except HyosanError:
        kind = None
    return kind in ENSEMBLE_KINDS or (path / "bands.parquet").is_file()


def load_report_data(path: str | Path) -> RunData | EnsembleData:
    """A run or ensemble directory's data; HyosanError if it is neither."""
    path = Path(path)
    if not path.is_dir():
        raise HyosanError(f"{path} is not a directory: give a run or ensemble directory")
    # A fit directory first: it has a bands.parquet too (the fitted bands), which read it as
    # an ensemble and failed on the summary.json it does not have.
    if (path / "fit.json").is_file() or (path / "comparison.json").is_file():
        # A fit's page needs its data and observation model, which the folder does not keep
        # whole: it is written by the fit itself.
        raise HyosanError(
            f"{path} is a fit directory: its report is written by `hyosan fit` itself; run "
            "the same fit again without --no-report (with --force, to replace this directory)"
        )
    if is_ensemble_dir(path):
        return EnsembleData.from_dir(path)
    for name in ("summary.json", "timeseries.parquet"):
        if not (path / name).is_file():
            raise HyosanError(f"{path} is not a run directory: it has no {name}")
    return RunData.from_dir(path)


# --- helpers ------------------------------------------------------------------------------------


def _exists(folder: Path, stem: str) -> bool:
    return (folder / f"{stem}.parquet").is_file()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HyosanError(f"{path} is missing") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HyosanError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HyosanError(f"{path} does not hold a JSON object")
    return data


def _read_scenario(folder: Path, name: str = "scenario.toml") -> dict[str, Any]:
    # The resolved scenario is only read for names, units and compartments: a file from another
    # version of hyosan, or none at all, still gives a report.
    path = folder / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def threshold_levels(scenario: dict[str, Any], comp_states: dict[str, str]) -> dict[str, str]:
    """The scenario's thresholds by name, each with its level in words: "humans below 250",
    "zombies above 518,000" (a compartment's letter named by its state), "" for the overrun
    (`of = "overrun"`, whose name says it)."""
    from hyosan.results.interventions import fmt_count
    from hyosan.results.words import plural

    out: dict[str, str] = {}
    for spec in scenario.get("thresholds") or ():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        of = str(spec.get("of", ""))
        who = plural(comp_states.get(of, of))
        level = ""
        for side in ("below", "above"):
            value = spec.get(side)
            if isinstance(value, int | float) and not isinstance(value, bool):
                level = f"{who} {side} {fmt_count(float(value))}"
        out[spec["name"]] = level
    return out


def _asked(scenario: dict[str, Any]) -> tuple[str, ...]:
    record = scenario.get("record")
    names = record.get("arrivals") if isinstance(record, dict) else None
    return tuple(str(n) for n in names) if isinstance(names, list) else ()


def _compartment_states(scenario: dict[str, Any]) -> dict[str, str]:
    model = scenario.get("model")
    comps = model.get("compartments") if isinstance(model, dict) else None
    out: dict[str, str] = {}
    for name, spec in (comps or {}).items():
        state = spec.get("state") if isinstance(spec, dict) else spec
        if isinstance(state, str):
            out[str(name)] = state
    return out


def _clock_start(summary: Summary, events: pa.Table | None) -> float | None:
    if summary.people is not None:
        return summary.people.clock_start_s
    if events is not None and events.schema.metadata:
        raw = events.schema.metadata.get(b"clock_start_s")
        return float(raw) if raw is not None else None
    return None


def places_states(places: pa.Table | None) -> dict[str, str]:
    """Compartment → state from places.parquet's metadata (`compartments` and `states`, two
    JSON lists the engines write); {} for a table without them."""
    meta = places.schema.metadata if places is not None else None
    if not meta or b"compartments" not in meta or b"states" not in meta:
        return {}
    try:
        comps, states = json.loads(meta[b"compartments"]), json.loads(meta[b"states"])
    except ValueError:
        return {}
    if not isinstance(comps, list) or not isinstance(states, list) or len(comps) != len(states):
        return {}
    return {str(c): str(s) for c, s in zip(comps, states, strict=True)}


def _building(scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario's building as a dict (built-in ones read by name); {} if it has none."""
    world = scenario.get("world")
    building = scenario.get("building")
    if isinstance(world, dict) and world.get("kind") == "building":
        building = world.get("building", building)
    if isinstance(building, str):
        from hyosan.scenario.agents import builtin_building

        try:
            building = builtin_building(building)
        except (ValueError, OSError):
            return {}
    return building if isinstance(building, dict) else {}


def _building_rooms(scenario: dict[str, Any]) -> dict[str, tuple[int, str, float]]:
    """Room → (floor, kind, area m²) of the scenario's building, for the floor plans."""
    out: dict[str, tuple[int, str, float]] = {}
    for room in _building(scenario).get("rooms") or ():
        if isinstance(room, dict) and "name" in room:
            area = room.get("area", 60.0)
            out[str(room["name"])] = (
                int(room.get("floor", 1)),
                str(room.get("kind", "")),
                float(area) if isinstance(area, int | float) else 60.0,
            )
    return out


def _building_passages(scenario: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(room, room, kind) of the building's doors, openings, stairs and windows; for a world of
    regions, (region, region, "route") of its routes."""
    out: list[tuple[str, str, str]] = []
    world = scenario.get("world")
    if isinstance(world, dict) and world.get("kind") == "regions":
        for route in world.get("routes") or ():
            if isinstance(route, dict) and "start" in route and "end" in route:
                out.append((str(route["start"]), str(route["end"]), "route"))
        return out
    for door in _building(scenario).get("doors") or ():
        between = door.get("between") if isinstance(door, dict) else None
        if isinstance(between, list | tuple) and len(between) == 2:
            out.append((str(between[0]), str(between[1]), str(door.get("kind", "door"))))
    return out


def grid_context(scenario: dict[str, Any]) -> dict[str, Any]:
    """A grid world's place on the Earth, for the map: {"cell_km", "lat_north", "lon_west",
    "dlat", "dlon" (degrees per cell), "landmarks": [[name, row, col]], "cordons": [[name,
    row, col, radius in cells]]}; {} when the world is not a built-in grid with coordinates.
    """
    world = scenario.get("world")
    if not isinstance(world, dict) or world.get("kind") != "grid" or world.get("grid") != "korea":
        return {}
    import math

    from hyosan.world.korea import KM_PER_DEG_LAT, korea_grid

    g = korea_grid()
    dlat = g.cell_km / KM_PER_DEG_LAT
    dlon = g.cell_km / (KM_PER_DEG_LAT * math.cos(math.radians(g.lat_ref)))
    landmarks = {str(n): (int(r), int(c)) for n, (r, c) in g.landmarks.items()}
    cordons = []
    for entry in scenario.get("interventions") or ():
        area = entry.get("area") if isinstance(entry, dict) else None
        if entry.get("kind") != "cordon" or not isinstance(area, dict):
            continue
        around, radius = area.get("around"), area.get("radius")
        if around in landmarks and isinstance(radius, int | float):
            r, c = landmarks[around]
            cordons.append([str(entry.get("name", "cordon")), r, c, float(radius)])
    return {
        "cell_km": g.cell_km,
        "lat_north": g.lat_north,
        "lon_west": g.lon_west,
        "dlat": dlat,
        "dlon": dlon,
        "landmarks": [[n, r, c] for n, (r, c) in landmarks.items()],
        "cordons": cordons,
    }

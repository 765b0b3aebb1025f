"""The headline figures of one run (summary.json) as a typed Summary with typed parts.

Why dataclasses and not TypedDicts: each part prints itself in the terminal and fills the
report (methods, which a TypedDict cannot carry), the engines build them and `Summary.from_json`
reads them back from files, and a reader asks `summary.people is not None` rather than
whether a key is in a dict. summary.json keeps its keys: `Summary.to_json` writes the same
object the dict-based summary wrote, and `Summary.from_json(s).to_json() == s` for any file
this version wrote. Keys a file holds that this version does not know (a later version's, a
golden file's `golden_overrides`) are kept as they are in `extra`.

The parts:

- `People`: the figures of a run with people in a building (bites, barricades, rescues...)
  and each named character's `Fate`; written at the top level of summary.json;
- `Outbreak`: where a spatial outbreak reached (summary.json's `outbreak`);
- `EpidemicFigures`: infections, the attack rate, each reaction's total, the most new
  infections and the first R_t (summary.json's `epidemic`; the series behind them are
  results.epidemic's `Epidemic`);
- the interventions' entries (summary.json's `interventions`), in results/interventions.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from hyosan.display import counted
from hyosan.results.interventions import (
    Figure,
    Handoff,
    InterventionReport,
    When,
    fmt_count,
    intervention_from_json,
)

if TYPE_CHECKING:
    from rich.console import Console

    from hyosan.results.words import Words

__all__ = [
    "EpidemicFigures",
    "Fate",
    "Outbreak",
    "People",
    "Summary",
    "arrival_text",
    "handoff_places",
]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@dataclass(frozen=True)
class Fate:
    """What became of one named character ("bitten by student #248 (day 1 09:17); ...")."""

    name: str
    text: str


@dataclass(frozen=True)
class People:
    """The figures of a run with people in a building, and the named characters' fates.

    Attributes
    ----------
    fates
        Each named character's fate, in the cast's order.
    people
        Everyone in the building at the start.
    n_students_alive
        Students alive and never bitten at the end (inside, or out of the building).
    n_bites, n_zombies_destroyed, n_barricades, n_barricades_broken, n_rescues, n_sacrifices,
    n_hybrids, n_escaped
        Events of the run, by kind (zombies destroyed by people, not by strikes).
    clock_start_s
        Clock time of t = 0 (seconds after midnight of day 1), to show times as "day 1 08:30".
    """

    fates: tuple[Fate, ...]
    people: int
    n_students_alive: int
    n_bites: int
    n_zombies_destroyed: int
    n_barricades: int
    n_barricades_broken: int
    n_rescues: int
    n_sacrifices: int
    n_hybrids: int
    n_escaped: int
    clock_start_s: float
    story: str = ""

    #: The headline counts with their labels, as the terminal and the report show them.
    LABELS = (
        ("people", "people"),
        ("n_bites", "bites"),
        ("n_zombies_destroyed", "zombies destroyed"),
        ("n_barricades", "barricades built"),
        ("n_barricades_broken", "broken"),
        ("n_rescues", "rescues"),
        ("n_sacrifices", "sacrifices"),
        ("n_hybrids", "hybrids"),
        ("n_escaped", "escaped"),
    )

    def print(self, console: Console, survivors: tuple[str, ...]) -> None:
        """The run's opening paragraph, the headline counts on one line, how many named
        characters survive, each fate."""
        if self.story:
            console.print(_escape(self.story), highlight=False)
        console.print(", ".join(counted(getattr(self, k), label) for k, label in self.LABELS))
        console.print(
            f"[bold]{len(survivors)} of {len(self.fates)} named characters survive[/]"
            + (f": {_escape(', '.join(survivors))}" if survivors else "")
        )
        if not console.is_terminal:  # a file or a pipe: one line a fate, for grep
            width = max((len(f.name) for f in self.fates), default=0)
            for fate in self.fates:
                console.print(f"  {_escape(fate.name):<{width}}  {_escape(fate.text)}")
            return
        # On a terminal, a grid: a fate longer than the line wraps under its own column, not
        # back at the left edge among the names.
        from rich.padding import Padding
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for fate in self.fates:
            grid.add_row(_escape(fate.name), _escape(fate.text))
        console.print(Padding(grid, (0, 0, 0, 2)))

    def figures(self) -> dict[str, Figure]:
        """Every count and the clock's start, for an ensemble's runs.parquet."""
        return {k: v for k, v in self.to_json().items() if k not in ("fates", "story")}

    def to_json(self) -> dict[str, Any]:
        """`fates` (name → text) and the figures, as summary.json's top level holds them."""
        out: dict[str, Any] = {"fates": {f.name: f.text for f in self.fates}}
        for f in fields(self):
            if f.name != "fates":
                out[f.name] = getattr(self, f.name)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> People | None:
        """The figures of a summary.json's top level; None if it has no fates (no people)."""
        fates = data.get("fates")
        if not isinstance(fates, dict):
            return None
        counts = {
            f.name: int(data.get(f.name) or 0)
            for f in fields(cls)
            if f.name not in ("fates", "clock_start_s", "story")
        }
        return cls(
            fates=tuple(Fate(str(n), str(t)) for n, t in fates.items()),
            clock_start_s=float(data.get("clock_start_s") or 0.0),
            story=str(data.get("story") or ""),
            **counts,
        )


#: People's summary.json keys at the top level.
PEOPLE_KEYS = frozenset(f.name for f in fields(People))


def arrival_text(
    place: str,
    t: float,
    when: When,
    unit: str | None = None,
    joined: dict[str, tuple[float, str]] | None = None,
) -> str:
    """When the first zombie reached `place`: in `unit` or, under one unit, a smaller one
    (`when` where no unit is given), and "(handed over from SCHOOL)" where it came with a
    handoff (`joined`: place → (handoff time, school))."""
    from hyosan.scenario.units import fit_unit, format_time

    text = when(t) if unit is None else format_time(t, fit_unit(unit, t))
    handed = (joined or {}).get(place)
    # A zombie that came before the handoff came on its own; the school's came at the handoff.
    if handed is not None and t >= handed[0] - 1e-6:
        text += f" (handed over from {handed[1]})"
    return text


def handoff_places(entries: tuple[InterventionReport, ...] | None) -> dict[str, tuple[float, str]]:
    """The places a handoff brought zombies to: place → (handoff time, school)."""
    return {
        e.place: (e.t_s, e.school)
        for e in entries or ()
        if isinstance(e, Handoff) and e.place and e.brought_zombies
    }


@dataclass(frozen=True)
class Outbreak:
    """How far a spatial outbreak reached (summary.json's `outbreak`).

    Attributes
    ----------
    places_reached
        Places a zombie reached.
    t_arrival_s
        First zombie's time (s) at each named place, None where none came; None on a world
        without names.
    radius_cells, reach_rows_cells, reach_cols_cells
        On grids and lattices: the farthest cell reached from the first, as a distance and
        along each axis.
    reached_edge
        On grids, and lattices without wraparound: whether the outbreak reached the edge.
    """

    places_reached: int
    t_arrival_s: dict[str, float | None] | None = None
    radius_cells: float | None = None
    reach_rows_cells: int | None = None
    reach_cols_cells: int | None = None
    reached_edge: bool | None = None

    def print(
        self,
        console: Console,
        when: When,
        asked: tuple[str, ...] = (),
        *,
        unit: str | None = None,
        joined: dict[str, tuple[float, str]] | None = None,
    ) -> None:
        """Places reached (radius, edge), and the first zombie's arrival at named places:
        all of them when there are a few, else the first eight and those `asked` for.

        With the run's `unit`, a time under one unit reads in a smaller one ("4.57 min", not
        "0.00317 days"); `joined` marks a place whose first zombies came with a handoff
        (place → (handoff time, school)): "(handed over from hyosan-high)"."""
        parts = [f"reached {counted(self.places_reached, 'places')}"]
        if self.radius_cells is not None:
            parts.append(f"radius {self.radius_cells:.1f} cells")
        if self.reached_edge is not None:
            parts.append("reached the edge" if self.reached_edge else "did not reach the edge")
        console.print("the outbreak " + ", ".join(parts))
        arrivals = self.t_arrival_s or {}
        reached = sorted((t, n) for n, t in arrivals.items() if t is not None)
        # Many named places (a country's cities): the first eight reached, and those asked for.
        shown = reached if len(arrivals) <= 12 else reached[:8]
        for name in asked:
            t = arrivals.get(name)
            if t is not None and (t, name) not in shown:
                shown.append((t, name))
            elif name in arrivals and t is None:
                console.print(f"no zombie reached {_escape(name)}")
        shown.sort()
        if shown:
            console.print(
                "first zombie: "
                + "; ".join(
                    f"{_escape(n)} {_escape(arrival_text(n, t, when, unit, joined))}"
                    for t, n in shown
                )
                + (f" (and {len(reached) - len(shown)} more)" if len(reached) > len(shown) else "")
            )

    def figures(self) -> dict[str, Figure]:
        """The figures it has, for an ensemble's runs.parquet: `places_reached`, the reach on
        grids and lattices, and `t_arrival_s: <place>` for each named place (None: no zombie
        came)."""
        out: dict[str, Figure] = {"places_reached": self.places_reached}
        for name in ("radius_cells", "reach_rows_cells", "reach_cols_cells", "reached_edge"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for place, t in (self.t_arrival_s or {}).items():
            out[f"t_arrival_s: {place}"] = t
        return out

    def to_json(self) -> dict[str, Any]:
        """The figures it has (a figure a world does not give is left out)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = dict(value) if isinstance(value, dict) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outbreak:
        """summary.json's `outbreak`, read back."""
        arrivals = data.get("t_arrival_s")

        def opt(key: str, kind: type[float] | type[int] | type[bool]) -> Any:
            value = data.get(key)
            return None if value is None else kind(value)

        return cls(
            places_reached=int(data.get("places_reached") or 0),
            t_arrival_s=(
                {str(n): None if t is None else float(t) for n, t in arrivals.items()}
                if isinstance(arrivals, dict)
                else None
            ),
            radius_cells=opt("radius_cells", float),
            reach_rows_cells=opt("reach_rows_cells", int),
            reach_cols_cells=opt("reach_cols_cells", int),
            reached_edge=opt("reached_edge", bool),
        )


@dataclass(frozen=True)
class EpidemicFigures:
    """The epidemic figures of a run whose engine counted its reactions (summary.json's
    `epidemic`; results.epidemic computes them).

    Attributes
    ----------
    infections
        Infections over the run: reactions that turn a human into one of the infected.
    attack_rate
        Infections over the humans at the start; None without humans at the start.
    incidence
        How many times each reaction happened over the run, by name.
    peak_infections_per_day, t_peak_infections_s
        The most new infections in one interval between recorded times, as a rate per day,
        and the end of that interval (None: a run with one recorded time). A short interval's
        burst scaled up: the headline gives the peak in one unit of time below instead.
    peak_infections_unit, peak_infections_per_unit, t_peak_infections_from_s, t_peak_infections_to_s
        The most new infections in one `peak_infections_unit` (the unit the run's times are
        shown in: "h", "d"...), from and to when (Epidemic.peak_window): a count where the
        records are one unit apart or closer, else the average rate per unit over the
        shortest recorded span of at least one unit. None: one recorded time, or a summary
        written before they were kept.
    r_t_method, r_t_first
        How R_t is estimated ("renewal" for SIR-like models, "bites" otherwise), and its first
        value defined (None: none is).
    r_t_start
        R_t summed over the run's first intervals (Epidemic.r_t_start), which one interval of
        a stochastic run estimates poorly; None where undefined, or read from a summary
        written before it was kept.
    """

    infections: float
    attack_rate: float | None
    incidence: dict[str, float]
    peak_infections_per_day: float
    t_peak_infections_s: float | None
    r_t_method: str
    r_t_first: float | None
    r_t_start: float | None = None
    peak_infections_unit: str | None = None
    peak_infections_per_unit: float | None = None
    t_peak_infections_from_s: float | None = None
    t_peak_infections_to_s: float | None = None

    #: The R_t methods in words, for the report.
    METHOD_WORDS = (("renewal", "renewal equation"), ("bites", "bites per loss"))

    def line(self, when: When, unit: str) -> str | None:
        """The terminal's line: infected (and the share of the humans), the most new
        infections per `unit` and when, the first R_t; None for a run without infections."""
        if not self.infections:
            return None
        parts = [f"{fmt_count(self.infections)} infected"]
        if self.attack_rate is not None:
            parts[0] += f" ({100 * self.attack_rate:.0f} % of the humans at the start)"
        peak = self.peak_text(when, unit)
        if peak is not None:
            parts.append(f"most new infections {peak}")
        start = self.r_t_start
        if start is not None:
            parts.append(f"R_t at the start {start:.3g} ({self.r_t_words})")
        return "; ".join(parts)

    @property
    def r_t_words(self) -> str:
        """How R_t was estimated, in the report's and the terminal's words: "bites per loss"
        for the method `bites`, "renewal equation" for `renewal`."""
        return dict(self.METHOD_WORDS).get(self.r_t_method, self.r_t_method)

    def rows(self, when: When, unit: str) -> list[tuple[str, str]]:
        """The report's headline rows (label, value); none for a run without infections."""
        if not self.infections:
            return []
        out = [("infected", fmt_count(self.infections))]
        if self.attack_rate is not None:
            out.append(("attack rate", f"{100 * self.attack_rate:.1f} %"))
        peak = self.peak_text(when, unit)
        if peak is not None:
            out.append(("most new infections", peak))
        start = self.r_t_start
        if start is not None:
            out.append(("R_t at the start", f"{start:.3g} ({self.r_t_words})"))
        return out

    def peak_text(self, when: When, unit: str) -> str | None:
        """The most new infections in one unit of time, in words: "192 in one hour, from
        0.967 h to 1.97 h" where the records resolve one unit, else "3.5 a day on average
        from 0 days to 2 days"; None where not kept (a summary of an older version)."""
        from hyosan.scenario.units import SECONDS_PER, format_rate

        value = self.peak_infections_per_unit
        start, end = self.t_peak_infections_from_s, self.t_peak_infections_to_s
        if value is None or start is None or end is None:
            return None
        unit = self.peak_infections_unit or unit
        window = SECONDS_PER.get(unit, 86400.0)
        span = f"from {when(start)} to {when(end)}"
        if end - start <= window * (1 + 1e-6):
            one = {"s": "second", "min": "minute", "h": "hour", "d": "day"}.get(unit, unit)
            return f"{fmt_count(value)} in one {one}, {span}"
        return f"{format_rate(value / window, unit)} on average {span}"

    def figures(self) -> dict[str, Figure]:
        """Infections and the attack rate, for an ensemble's runs.parquet."""
        return {"infections": self.infections, "attack_rate": self.attack_rate}

    def to_json(self) -> dict[str, Any]:
        """summary.json's `epidemic`."""
        return {
            "infections": self.infections,
            "attack_rate": self.attack_rate,
            "incidence": dict(self.incidence),
            "peak_infections_per_day": self.peak_infections_per_day,
            "t_peak_infections_s": self.t_peak_infections_s,
            "R_t_method": self.r_t_method,
            "R_t_first": self.r_t_first,
            "R_t_start": self.r_t_start,
            "peak_infections_unit": self.peak_infections_unit,
            "peak_infections_per_unit": self.peak_infections_per_unit,
            "t_peak_infections_from_s": self.t_peak_infections_from_s,
            "t_peak_infections_to_s": self.t_peak_infections_to_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EpidemicFigures:
        """summary.json's `epidemic`, read back."""

        def opt(key: str) -> float | None:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else None

        incidence = data.get("incidence")
        return cls(
            infections=float(data.get("infections") or 0.0),
            attack_rate=opt("attack_rate"),
            incidence=(
                {str(k): float(v) for k, v in incidence.items()}
                if isinstance(incidence, dict)
                else {}
            ),
            peak_infections_per_day=float(data.get("peak_infections_per_day") or 0.0),
            t_peak_infections_s=opt("t_peak_infections_s"),
            r_t_method=str(data.get("R_t_method", "")),
            r_t_first=opt("R_t_first"),
            # A summary written before R_t_start was kept shows its first R_t, as it did then;
            # a null R_t_start is an estimate withheld (Epidemic.r_t_start).
            r_t_start=opt("R_t_start") if "R_t_start" in data else opt("R_t_first"),
            peak_infections_unit=(
                str(data["peak_infections_unit"])
                if isinstance(data.get("peak_infections_unit"), str)
                else None
            ),
            peak_infections_per_unit=opt("peak_infections_per_unit"),
            t_peak_infections_from_s=opt("t_peak_infections_from_s"),
            t_peak_infections_to_s=opt("t_peak_infections_to_s"),
        )


#: "Left" means at least half a person in a mean-field run, one person in a stochastic one.
LEFT = 0.5


@dataclass(frozen=True)
class Summary:
    """The headline figures of one run: what summary.json holds, typed.

    Attributes
    ----------
    hyosan_version, scenario, engine, seed
        What ran it and what was run.
    t_end_s
        When the run ended (s): the horizon, or when a stopping threshold was crossed.
    final
        Counts at the end by state (hyosan's vocabulary), `final_compartments` by compartment.
    peak_zombies, t_peak_zombies_s
        The most zombies at once and when (None without zombies).
    t_overrun_s
        When fewer than one in five of those who started human, and did not reach safety, were
        still human (None: never, or no humans).
    humans_win
        No infected left (under half a person) and humans left.
    survivors
        Named characters still human at the end.
    crossings_s
        First time each threshold of the scenario was crossed, or None.
    stopped_by
        "horizon", or the threshold that stopped the run.
    diagnostics
        The engine's own figures (steps, events, evaluations...); None: summary.json has none.
    wall_s
        Wall-clock seconds the run took.
    people
        A run with people in a building: its counts and the named characters' fates.
    outbreak
        A run on a world: where the outbreak reached.
    interventions
        What each intervention did; None for a run without interventions. One the run ended
        before (a measure due after `t_end_s`) is kept, without counts, as not reached.
    epidemic
        Infections, attack rate, incidence and R_t; None for a run without reaction counts.
    extra
        Keys this version does not know, kept as they are.
    """

    hyosan_version: str
    scenario: str
    engine: str
    seed: int
    t_end_s: float
    final: dict[str, float]
    final_compartments: dict[str, float]
    peak_zombies: float | None
    t_peak_zombies_s: float | None
    t_overrun_s: float | None
    humans_win: bool
    survivors: tuple[str, ...]
    crossings_s: dict[str, float | None]
    stopped_by: str
    diagnostics: dict[str, Any] | None
    wall_s: float
    people: People | None = None
    outbreak: Outbreak | None = None
    interventions: tuple[InterventionReport, ...] | None = None
    epidemic: EpidemicFigures | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A measure due after the end did nothing: drop the engine's 0 counts everywhere (the
        # terminal, the report, summary.json, runs.parquet), so that none reads "it acted".
        if self.interventions is not None:
            entries = tuple(
                e if e.reached(self.t_end_s) else e.as_unreached() for e in self.interventions
            )
            object.__setattr__(self, "interventions", entries)

    @staticmethod
    def decide_winner(final: dict[str, float]) -> bool:
        """Whether humans win with these counts by state at the end."""
        infected_left = final.get("zombie", 0.0) + final.get("bitten", 0.0)
        return bool(infected_left < LEFT and final.get("human", 0.0) >= LEFT)

    @property
    def outcome(self) -> str:
        """ "humans win", "the zombies win" (no humans left), "the zombies hold the place; N
        reached safety" (no humans left where the zombies are, but some got out or were taken
        away: a building everyone fled is not the zombies' victory), "nobody is left" (no
        humans and no infected: culls or a strike took the last of both; "nobody is left
        inside; N reached safety" where some got out) or "no winner yet"."""
        if self.humans_win:
            return "humans win"
        if self.final.get("human", 0.0) < LEFT:
            safe = self.final.get("safe", 0.0)
            infected = self.final.get("zombie", 0.0) + self.final.get("bitten", 0.0)
            if infected < LEFT:
                if safe >= LEFT:
                    return f"nobody is left inside; {safe:,.0f} reached safety"
                return "nobody is left: the last humans and zombies are gone"
            if safe >= LEFT:
                return f"the zombies hold the place; {safe:,.0f} reached safety"
            return "the zombies win"
        return "no winner yet"

    # --- the terminal ------------------------------------------------------------------------

    def print(
        self,
        console: Console,
        when: When,
        asked: tuple[str, ...] = (),
        *,
        words: Words | None = None,
        unit: str = "d",
    ) -> None:
        """Everything below the table of states: the peak and the overrun, the epidemic
        figures, the crossings, the outcome, the outbreak's reach (with the arrivals `asked`
        for), the interventions, the people, and what stopped the run.

        `words` tell the run as humans and zombies (the default) or as an epidemic (no
        overrun; "epidemic over: 80 % infected"); rates are given per `unit`, the unit `when`
        writes times in.
        """
        from hyosan.results.words import Words, threshold_name

        words = words or Words(epidemic=False)
        peak = (
            f"{words.peak} {fmt_count(self.peak_zombies or 0.0)} at {when(self.t_peak_zombies_s)}"
        )
        if words.overrun:
            peak += f"; overrun {when(self.t_overrun_s)}"
        console.print(peak)
        line = self.epidemic.line(when, unit) if self.epidemic is not None else None
        if line is not None:
            console.print(line)
        for name, t in self.crossings_s.items():
            console.print(f"{_escape(threshold_name(name))}: {when(t)}")
        outcome = words.outcome(self)
        if outcome == "no winner yet":
            console.print("[bold]no winner yet[/]: humans and the infected both remain")
        else:
            console.print(f"[bold]{outcome}[/]")
        if self.outbreak is not None:
            self.outbreak.print(
                console, when, asked, unit=unit, joined=handoff_places(self.interventions)
            )
        later = []
        for entry in self.interventions or ():
            if entry.reached(self.t_end_s):
                entry.print(console, when)
            else:
                later.append(entry.due(when))
        if later:  # a run cut short (a shorter horizon, a stop) never reached them
            console.print(f"not reached before the run ended: {_escape(', '.join(later))}")
        if self.people is not None:
            self.people.print(console, self.survivors)
        if self.stopped_by != "horizon":
            console.print(f"stopped by {self.stopped_by} at {when(self.t_end_s)}")

    # --- ensembles ---------------------------------------------------------------------------

    def extra_figures(self) -> dict[str, Figure]:
        """The engine's further numbers beyond the headline (bites, rescues, ...), the
        infections and attack rate, how far the outbreak reached (`places_reached`,
        `t_arrival_s: <place>`), when each threshold was first crossed (`t_crossing_s:
        <threshold>`), and what each intervention did as "<name>: <figure>" ("Missile strikes:
        not_zombies", "Special forces: Z destroyed", "after_strikes: restarted"): the extra
        columns of an ensemble's runs.parquet."""
        out: dict[str, Figure] = {}
        for k, v in self.extra.items():
            if isinstance(v, bool | int | float):
                out[k] = v
        if self.people is not None:
            out.update(self.people.figures())
        if self.epidemic is not None:
            out.update(self.epidemic.figures())
        if self.outbreak is not None:
            out.update(self.outbreak.figures())
        out.update({f"t_crossing_s: {name}": t for name, t in self.crossings_s.items()})
        for entry in self.interventions or ():
            label = entry.label
            out.update({f"{label}: {k}": v for k, v in entry.figures().items()})
        return out

    # --- summary.json ------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """summary.json's object."""
        out: dict[str, Any] = {
            "hyosan_version": self.hyosan_version,
            "scenario": self.scenario,
            "engine": self.engine,
            "seed": self.seed,
            "t_end_s": self.t_end_s,
            "final": dict(self.final),
            "final_compartments": dict(self.final_compartments),
            "peak_zombies": self.peak_zombies,
            "t_peak_zombies_s": self.t_peak_zombies_s,
            "t_overrun_s": self.t_overrun_s,
            "humans_win": self.humans_win,
            "survivors": list(self.survivors),
            "crossings_s": dict(self.crossings_s),
            "stopped_by": self.stopped_by,
        }
        if self.diagnostics is not None:
            out["diagnostics"] = dict(self.diagnostics)
        out["wall_s"] = self.wall_s
        if self.epidemic is not None:
            out["epidemic"] = self.epidemic.to_json()
        if self.people is not None:
            out.update(self.people.to_json())
        if self.outbreak is not None:
            out["outbreak"] = self.outbreak.to_json()
        if self.interventions is not None:
            out["interventions"] = [entry.to_json() for entry in self.interventions]
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        """A summary read back from summary.json (a figure missing from the file reads as
        none: a file of another version still gives a Summary)."""

        def opt_float(key: str) -> float | None:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else None

        def floats(key: str) -> dict[str, float]:
            value = data.get(key)
            return {str(k): float(v) for k, v in value.items()} if isinstance(value, dict) else {}

        crossings = data.get("crossings_s")
        outbreak = data.get("outbreak")
        entries = data.get("interventions")
        epidemic = data.get("epidemic")
        diagnostics = data.get("diagnostics")
        known = {f.name for f in fields(cls)} | PEOPLE_KEYS
        return cls(
            hyosan_version=str(data.get("hyosan_version", "")),
            scenario=str(data.get("scenario", "")),
            engine=str(data.get("engine", "")),
            seed=int(data.get("seed") or 0),
            t_end_s=float(data.get("t_end_s") or 0.0),
            final=floats("final"),
            final_compartments=floats("final_compartments"),
            peak_zombies=opt_float("peak_zombies"),
            t_peak_zombies_s=opt_float("t_peak_zombies_s"),
            t_overrun_s=opt_float("t_overrun_s"),
            humans_win=bool(data.get("humans_win", False)),
            survivors=tuple(str(n) for n in data.get("survivors") or ()),
            crossings_s=(
                {str(k): None if v is None else float(v) for k, v in crossings.items()}
                if isinstance(crossings, dict)
                else {}
            ),
            stopped_by=str(data.get("stopped_by", "horizon")),
            diagnostics=dict(diagnostics) if isinstance(diagnostics, dict) else None,
            wall_s=float(data.get("wall_s") or 0.0),
            people=People.from_json(data),
            outbreak=Outbreak.from_json(outbreak) if isinstance(outbreak, dict) else None,
            interventions=(
                tuple(intervention_from_json(e) for e in entries if isinstance(e, dict))
                if isinstance(entries, list)
                else None
            ),
            epidemic=EpidemicFigures.from_json(epidemic) if isinstance(epidemic, dict) else None,
            extra={k: v for k, v in data.items() if k not in known},
        )

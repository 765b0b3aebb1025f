"""What each intervention of a run did: one typed entry per intervention in the summary.

A run's summary lists its interventions (summary.json's `interventions`): measures that last a
while (a cordon, a sweep, martial law, a lure...), strikes, the check after the strikes, the
handoff of a school's outbreak to a city, and culls the run ended before. Each kind is a class
of its own that knows how to print itself in the terminal, how to fill a row of the report's
table, where it marks the chart, which figures it gives an ensemble's runs.parquet, and its
summary.json form, so that no reader of a summary switches on the entry's `kind` string. Only
`intervention_from_json`, which reads summary.json back, looks at `kind`, once.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "AfterStrikes",
    "Handoff",
    "InterventionReport",
    "Measure",
    "MissedCulls",
    "Strike",
    "When",
    "event_words",
    "fmt_count",
    "intervention_from_json",
    "kind_words",
]

#: Formats a time in seconds (None: never) for a reader: the terminal's "3.5 h", the report's
#: "day 1 08:30".
When = Callable[[float | None], str]

#: One figure of an ensemble's runs.parquet: a number, a yes or no, or nothing.
Figure = float | bool | None


def fmt_count(value: float) -> str:
    """A count for a reader: whole numbers in full ("1,234"), others to four figures and
    never in scientific notation ("72,890", "1.953 million", "below 0.001" for a mean
    field's last 1.8e-05 of a person: scenario.units.plain_number); within a billionth of a
    person of zero, 0 (a mean field's rounding, such as -8e-19 humans)."""
    from hyosan.scenario.units import plain_number

    if abs(value) < 1e-9:
        value = 0.0
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return plain_number(value)


def kind_words(kind: str) -> str:
    """An intervention's kind as a reader says it: "martial law" for `martial_law`."""
    return kind.replace("_", " ")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _dim_note(note: str) -> str:
    return f" [dim]({_escape(note)})[/]" if note else ""


def _with_note(text: str, note: str) -> str:
    return f"{text} ({note})" if note else text


#: What the terminal and the report say of an entry a run ended before.
NOT_REACHED = "not reached before the run ended"


class InterventionReport(ABC):
    """One entry of a summary's `interventions`: what an intervention did in the run."""

    #: The entry's kind as summary.json names it ("strike", "handoff", "cordon"...).
    kind: str

    @property
    def label(self) -> str:
        """The name that heads this entry's figures in an ensemble ("Missile strikes")."""
        return self.kind

    @abstractmethod
    def print(self, console: Console, when: When) -> None:
        """Print one line in the terminal (rich markup; the user's names escaped)."""

    @abstractmethod
    def row(self, when: When) -> list[str]:
        """The report's table row: intervention, kind, when, what it did."""

    def mark(self) -> tuple[float, str] | None:
        """(time in s, label) where the report's chart marks this entry; None if nowhere."""
        return None

    def reached(self, t_end_s: float) -> bool:
        """Whether a run that ended at `t_end_s` came to this entry at all (a measure whose
        window opens later never acted: a shorter horizon, a stop)."""
        return True

    def as_unreached(self) -> InterventionReport:
        """This entry as a run that never reached it gives it: no counts (a measure's 0s would
        read as "it acted and did nothing"). Entries that are always reached return
        themselves."""
        return self

    def due(self, when: When) -> str:
        """The entry among those the run never reached, as the terminal lists them: its label
        and when it was due ("helicopter at the roof (30 h)")."""
        start = self.mark()
        return self.label + (f" ({when(start[0])})" if start else "")

    @abstractmethod
    def figures(self) -> dict[str, Figure]:
        """The entry's numbers and yes-or-no figures, for an ensemble's runs.parquet."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The entry as summary.json holds it."""


@dataclass(frozen=True)
class Measure(InterventionReport):
    """An intervention in force over a time window: a cordon, a sweep, martial law, a lure...

    Attributes
    ----------
    name, kind
        The intervention's name and kind, as the scenario gives them.
    start_s, end_s
        When it starts and ends (s); `end_s` None: it lasts to the end of the run.
    note
        The scenario's note on it ("" if none).
    events
        Events of its channels by label ("Special forces: Z destroyed" → 1426), where the
        engine counted them; None where it did not, or the run never reached it. The labels
        are keys that scripts read (and runs.parquet's columns): they stay as they are.
    labels
        What each event counts, in the model's words, by the event's label ("Special forces: Z
        destroyed" → "zombies destroyed"), as the terminal and the report print it; None (or
        a label missing) where the label says it already (the agents' "zombies destroyed", a
        summary of an older version).
    unreached
        The run ended before its window opened (summary.json's `"reached": false`): it did
        nothing, and has no events.
    """

    name: str
    kind: str
    start_s: float
    end_s: float | None = None
    note: str = ""
    events: dict[str, int] | None = None
    labels: dict[str, str] | None = None
    unreached: bool = False

    @property
    def label(self) -> str:
        """The intervention's name."""
        return self.name or self.kind

    @property
    def kind_words(self) -> str:
        """Its kind as a reader says it: "martial law" for the scenario's `martial_law`."""
        return kind_words(self.kind)

    def _what_happened(self) -> dict[str, int]:
        """Its events by what happened: the label without the intervention's name it starts
        with ("Special forces: Z destroyed" is "Z destroyed")."""
        return {k.split(": ", 1)[-1]: int(v) for k, v in (self.events or {}).items()}

    def _in_words(self) -> dict[str, int]:
        """Its events by what happened in the model's words ("zombies destroyed"), for
        readers; a label without words is shown as `_what_happened` shows it."""
        words = self.labels or {}
        out: dict[str, int] = {}
        for key, n in (self.events or {}).items():
            text = words.get(key) or key.split(": ", 1)[-1]
            out[text] = out.get(text, 0) + int(n)
        return out

    def _done(self) -> str:
        return ", ".join(f"{k} {fmt_count(v)}" for k, v in self._in_words().items())

    def print(self, console: Console, when: When) -> None:
        """`Special forces (sweep) from 1 d to 3 d: zombies destroyed 1,426, ...`."""
        span = f"from {when(self.start_s)}" + (
            f" to {when(self.end_s)}" if self.end_s is not None else ""
        )
        what = NOT_REACHED if self.unreached else self._done()
        console.print(
            f"{_escape(self.name)} ({_escape(self.kind_words)}) {span}"
            + (f": {_escape(what)}" if what else "")
        )

    def row(self, when: When) -> list[str]:
        """[name, kind, from ... to ..., the events counted (and the note)]."""
        span = f"from {when(self.start_s)}" + (
            f" to {when(self.end_s)}" if self.end_s is not None else ""
        )
        done = NOT_REACHED if self.unreached else self._done() or "–"
        return [self.name, self.kind_words, span, _with_note(done, self.note)]

    def mark(self) -> tuple[float, str] | None:
        """Its start."""
        return (float(self.start_s), self.name)

    def reached(self, t_end_s: float) -> bool:
        """Whether it started before the run ended (`t_end_s` 0: not known, so yes)."""
        return not self.unreached and (t_end_s <= 0 or self.start_s < t_end_s)

    def as_unreached(self) -> Measure:
        """Without events, marked as never reached."""
        return replace(self, events=None, labels=None, unreached=True)

    def figures(self) -> dict[str, Figure]:
        """`start_s`, `end_s`, and the events of its channels where the engine counted them,
        each by what happened (`Z destroyed`: the label without the name it starts with);
        one the run never reached has no events (null in runs.parquet, not 0)."""
        return {
            "start_s": float(self.start_s),
            "end_s": _opt_float(self.end_s),
            **self._what_happened(),
        }

    def to_json(self) -> dict[str, Any]:
        """name, kind, start_s, end_s, then note, events and their labels in words
        (`event_labels`) where there are any; one the run never reached has `"reached": false`
        and no events."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "start_s": self.start_s,
            "end_s": self.end_s,
        }
        if self.note:
            out["note"] = self.note
        if self.unreached:
            out["reached"] = False
        elif self.events is not None:
            out["events"] = dict(self.events)
            if self.labels:
                out["event_labels"] = dict(self.labels)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measure:
        """An entry read back from summary.json."""
        events = data.get("events")
        labels = data.get("event_labels")
        return cls(
            name=str(data.get("name", data.get("kind", ""))),
            kind=str(data.get("kind", "")),
            start_s=float(data.get("start_s") or 0.0),
            end_s=_opt_float(data.get("end_s")),
            note=str(data.get("note") or ""),
            events={str(k): int(v) for k, v in events.items()}
            if isinstance(events, dict)
            else None,
            labels={str(k): str(v) for k, v in labels.items()}
            if isinstance(labels, dict)
            else None,
            unreached=data.get("reached") is False,
        )

    @staticmethod
    def end_of(end_s: float) -> float | None:
        """An intervention's end as a summary gives it: None for one that never ends."""
        return None if math.isinf(end_s) else end_s


#: States whose people a strike counts as infected.
INFECTED_STATES = ("zombie", "bitten", "hybrid")


@dataclass(frozen=True)
class Strike(InterventionReport):
    """A strike: everyone alive in its area killed at one instant (or not carried out).

    Attributes
    ----------
    name, note
        The strike's name and the scenario's note on it ("" if none).
    t_s
        When it struck (s); None if it was due after the end of the run.
    hit
        The people it hit by state (the dead left out); empty if it did not strike.
    people, zombies, infected
        Everyone alive it hit, the zombies among them, and the infected among them (zombies,
        the bitten and hybrids).
    """

    name: str
    t_s: float | None = None
    note: str = ""
    hit: dict[str, int] = field(default_factory=dict)
    people: int = 0
    zombies: int = 0
    infected: int = 0
    kind: str = field(default="strike", init=False)

    @classmethod
    def of(cls, name: str, t_s: float | None, note: str, hit: dict[str, int]) -> Strike:
        """The strike `name` at `t_s` (None: not carried out), which hit `hit` by state."""
        return cls(
            name=name,
            t_s=t_s,
            note=note,
            hit=dict(hit),
            people=sum(hit.values()),
            zombies=hit.get("zombie", 0),
            infected=sum(hit.get(s, 0) for s in INFECTED_STATES),
        )

    @property
    def label(self) -> str:
        """The strike's name."""
        return self.name or self.kind

    def print(self, console: Console, when: When) -> None:
        """`Missile strikes at 3.25 d: 85,830 people hit, ...` (or: not carried out)."""
        if self.t_s is None:
            line = f"{_escape(self.name)}: not carried out (after the end of the run)"
        else:
            line = (
                f"{_escape(self.name)} at {when(self.t_s)}: "
                f"{self.people:,} people hit, {self.infected:,} infected "
                f"({self.zombies:,} zombies) and {self.people - self.infected:,} not infected"
            )
        console.print(line + _dim_note(self.note))

    def row(self, when: When) -> list[str]:
        """[name, "strike", when, whom it hit (and the note)]."""
        if self.t_s is None:
            return [
                self.name,
                "strike",
                "not carried out",
                _with_note("after the end of the run", self.note),
            ]
        text = (
            f"{fmt_count(self.people)} people hit: {fmt_count(self.infected)} infected "
            f"({fmt_count(self.zombies)} zombies), "
            f"{fmt_count(self.people - self.infected)} not infected"
        )
        return [self.name, "strike", when(self.t_s), _with_note(text, self.note)]

    def mark(self) -> tuple[float, str] | None:
        """When it struck; none if it did not."""
        return None if self.t_s is None else (float(self.t_s), self.name)

    def figures(self) -> dict[str, Figure]:
        """When it struck and whom it hit: `n_<state>`, people, zombies, infected... (none if
        it did not strike)."""
        return {
            k: float(v)
            for k, v in self.to_json().items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }

    def to_json(self) -> dict[str, Any]:
        """name, kind, note, then (if it struck) t_s, n_<state>, people, zombies,
        not_zombies, infected and uninfected; if it did not, `"reached": false`."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.note:
            out["note"] = self.note
        if self.t_s is None:
            return {**out, "reached": False}
        people, zombies, infected = self.people, self.zombies, self.infected
        return {
            **out,
            "t_s": self.t_s,
            **{f"n_{s}": n for s, n in self.hit.items()},
            "people": people,
            "zombies": zombies,
            "not_zombies": people - zombies,
            "infected": infected,
            "uninfected": people - infected,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Strike:
        """An entry read back from summary.json (a figure it lacks is derived from `n_<state>`,
        or 0)."""
        hit = {
            k.removeprefix("n_"): int(v)
            for k, v in data.items()
            if k.startswith("n_") and isinstance(v, int | float)
        }
        derived = cls.of(str(data.get("name", "strike")), _opt_float(data.get("t_s")), "", hit)

        def count(key: str, default: int) -> int:
            value = data.get(key)
            return int(value) if isinstance(value, int | float) else default

        return replace(
            derived,
            note=str(data.get("note") or ""),
            people=count("people", derived.people),
            zombies=count("zombies", derived.zombies),
            infected=count("infected", derived.infected),
        )


@dataclass(frozen=True)
class AfterStrikes(InterventionReport):
    """Whether the infected a run's strikes left restarted the outbreak.

    Attributes
    ----------
    infected_left
        The infected (bitten, zombies and hybrids) just after the last strike.
    infected_at_end
        The infected at the end of the run.
    """

    infected_left: float
    infected_at_end: float
    kind: str = field(default="after_strikes", init=False)

    @property
    def restarted(self) -> bool:
        """Whether there were more infected at the end than just after the strikes."""
        return self.infected_at_end > self.infected_left

    def _text(self) -> str:
        verdict = "grew again" if self.restarted else "did not grow again"
        return (
            f"{fmt_count(self.infected_left)} infected left, "
            f"{fmt_count(self.infected_at_end)} at the end: the outbreak {verdict}"
        )

    def print(self, console: Console, when: When) -> None:
        """`after the strikes: 9,964 infected left, 235 at the end: ...`."""
        console.print(f"after the strikes: {self._text()}")

    def row(self, when: When) -> list[str]:
        """["after the strikes", "check", "end of the run", the verdict]."""
        return ["after the strikes", "check", "end of the run", self._text()]

    def figures(self) -> dict[str, Figure]:
        """infected_left, infected_at_end and restarted."""
        return {
            "infected_left": float(self.infected_left),
            "infected_at_end": float(self.infected_at_end),
            "restarted": self.restarted,
        }

    def to_json(self) -> dict[str, Any]:
        """kind, infected_left, infected_at_end, restarted."""
        return {
            "kind": self.kind,
            "infected_left": self.infected_left,
            "infected_at_end": self.infected_at_end,
            "restarted": self.restarted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AfterStrikes:
        """An entry read back from summary.json."""
        return cls(
            infected_left=float(data.get("infected_left") or 0.0),
            infected_at_end=float(data.get("infected_at_end") or 0.0),
        )


@dataclass(frozen=True)
class Handoff(InterventionReport):
    """A school's outbreak handed to a city: who was where, in what state, at the handoff.

    Attributes
    ----------
    school
        The school scenario's name.
    t_s
        When the school's run ended and the city took over (s).
    stopped_by
        What ended the school's run ("horizon", or the overrun threshold).
    inside
        People still in the building, by state.
    escaped
        People who got out, by exit and state.
    place
        The city's place the building's people joined ("Hyosan High"; "" where not known, a
        summary of an older version): its first zombie came with them, at the handoff.
    """

    school: str
    t_s: float
    stopped_by: str
    inside: dict[str, int]
    escaped: dict[str, dict[str, int]] = field(default_factory=dict)
    place: str = ""
    kind: str = field(default="handoff", init=False)

    @property
    def brought_zombies(self) -> bool:
        """Whether zombies were inside at the handoff (so they reached `place` with it)."""
        return self.inside.get("zombie", 0) > 0

    @property
    def got_out(self) -> int:
        """Everyone who got out, whatever the exit."""
        return sum(sum(by_state.values()) for by_state in self.escaped.values())

    def _inside(self) -> str:
        from hyosan.results.words import plural

        # "361 zombies", "1 zombie": the states in words, as the rest of the line.
        return (
            ", ".join(
                f"{fmt_count(n)} {s if n == 1 else plural(s)}" for s, n in self.inside.items() if n
            )
            or "nobody"
        )

    def print(self, console: Console, when: When) -> None:
        """`from hyosan-high at 2.2 h: 130 human, ... in the building, 0 got out`."""
        console.print(
            f"from {_escape(self.school)} at {when(self.t_s)}: "
            f"{self._inside()} in the building, {self.got_out:,} got out"
        )

    def row(self, when: When) -> list[str]:
        """["handoff from SCHOOL", "handoff", when, who was inside and who got out]."""
        return [
            f"handoff from {self.school}",
            "handoff",
            when(self.t_s),
            f"{self._inside()} in the building, {fmt_count(self.got_out)} got out",
        ]

    def mark(self) -> tuple[float, str] | None:
        """When the city took over."""
        return (float(self.t_s), self.kind)

    def figures(self) -> dict[str, Figure]:
        """`t_s`, those still inside by state (`inside_<state>`), and `got_out`."""
        out: dict[str, Figure] = {"t_s": float(self.t_s)}
        out.update({f"inside_{s}": int(n) for s, n in self.inside.items()})
        out["got_out"] = self.got_out
        return out

    def to_json(self) -> dict[str, Any]:
        """kind, school, t_s, stopped_by, inside, escaped, and the place they joined where
        known."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "school": self.school,
            "t_s": self.t_s,
            "stopped_by": self.stopped_by,
            "inside": dict(self.inside),
            "escaped": {e: dict(c) for e, c in self.escaped.items()},
        }
        if self.place:
            out["place"] = self.place
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Handoff:
        """An entry read back from summary.json."""
        escaped = data.get("escaped") or {}
        return cls(
            school=str(data.get("school", "the building")),
            t_s=float(data.get("t_s") or 0.0),
            stopped_by=str(data.get("stopped_by", "horizon")),
            inside={str(s): int(n) for s, n in (data.get("inside") or {}).items()},
            escaped={
                str(e): {str(s): int(n) for s, n in c.items()}
                for e, c in escaped.items()
                if isinstance(c, dict)
            },
            place=str(data.get("place") or ""),
        )


@dataclass(frozen=True)
class MissedCulls(InterventionReport):
    """The culls of one `[[culls]]` section that the run ended before (a shorter horizon, a
    stop): listed, as interventions not reached are, so that none is skipped silently. Culls
    carried out have no entry.

    Attributes
    ----------
    name
        Which section and compartment ("culls[0] of Z").
    start_s, end_s
        The first and the last cull not carried out (s).
    count
        How many culls of the section were not carried out.
    """

    name: str
    start_s: float
    end_s: float
    count: int = 1
    kind: str = field(default="cull", init=False)

    @classmethod
    def of(cls, index: int, compartment: str, times_s: list[float]) -> MissedCulls:
        """The culls of `culls[index]` (of `compartment`) due at `times_s`, not carried out."""
        return cls(
            name=f"culls[{index}] of {compartment}",
            start_s=min(times_s),
            end_s=max(times_s),
            count=len(times_s),
        )

    @property
    def label(self) -> str:
        """Its name."""
        return self.name

    def reached(self, t_end_s: float) -> bool:
        """Never: an entry is made only for culls not carried out."""
        return False

    def _span(self, when: When) -> str:
        if self.count == 1:
            return when(self.start_s)
        return f"{self.count} culls, {when(self.start_s)} to {when(self.end_s)}"

    def due(self, when: When) -> str:
        """`culls[0] of Z (10 d)`, or `culls[0] of Z (2 culls, 7.5 d to 10 d)`."""
        return f"{self.name} ({self._span(when)})"

    def print(self, console: Console, when: When) -> None:
        """`culls[0] of Z (10 d): not reached before the run ended`."""
        console.print(f"{_escape(self.due(when))}: {NOT_REACHED}")

    def row(self, when: When) -> list[str]:
        """[name, "cull", when it was due, "not reached before the run ended"]."""
        return [self.name, self.kind, self._span(when), NOT_REACHED]

    def figures(self) -> dict[str, Figure]:
        """None: it did nothing (runs.parquet has no column for it)."""
        return {}

    def to_json(self) -> dict[str, Any]:
        """name, kind, start_s, end_s, count, and `"reached": false`."""
        return {
            "name": self.name,
            "kind": self.kind,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "count": self.count,
            "reached": False,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MissedCulls:
        """An entry read back from summary.json."""
        start = float(data.get("start_s") or 0.0)
        return cls(
            name=str(data.get("name", "culls")),
            start_s=start,
            end_s=float(data.get("end_s") or start),
            count=int(data.get("count") or 1),
        )


def event_words(entries: tuple[InterventionReport, ...] | None) -> dict[str, str]:
    """Each event label of the measures in `entries` with what it counts in words, the
    intervention's name kept ("Special forces: Z destroyed" → "Special forces: zombies
    destroyed"), for a picture's legend of the run's reactions."""
    out: dict[str, str] = {}
    for entry in entries or ():
        if isinstance(entry, Measure):
            for key, text in (entry.labels or {}).items():
                out[key] = f"{entry.label}: {text}"
    return out


_BY_KIND: dict[str, Callable[[dict[str, Any]], InterventionReport]] = {
    "cull": MissedCulls.from_json,
    "strike": Strike.from_json,
    "after_strikes": AfterStrikes.from_json,
    "handoff": Handoff.from_json,
}


def intervention_from_json(data: dict[str, Any]) -> InterventionReport:
    """An entry of summary.json's `interventions` as its typed class (a Measure unless its
    kind is a strike, culls not reached, the check after the strikes or a handoff)."""
    return _BY_KIND.get(str(data.get("kind", "")), Measure.from_json)(data)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)

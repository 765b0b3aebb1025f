"""The opening paragraph of a building run: how the place learned, fell, fled and held out.

A few sentences read off the run's events and its end state, so a reader sees the run's arc
before the counts and the fates: where it began, when the first barricade went up and how many
rooms followed, when four in five of those inside were lost, who got out and how, who stayed
behind when their group left, where groups held out, and who kept their minds. Nothing here is
keyed to a scenario: any building run gets its paragraph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hyosan.display import listed
from hyosan.engines.agents.narrative import at, clock, the
from hyosan.engines.agents.params import (
    BY_TROOPS,
    EV_BARRICADE,
    EV_BITE,
    EV_ESCAPE,
    EV_FORCED,
    EV_HYBRID,
    EV_SPLIT,
    EV_SUPPLIES,
    HUMAN,
)

__all__ = ["Opening"]

HOUR = 3600.0
#: Group moves for supplies, and doors forced, told one by one; the rest are counted.
TOLD = 3
#: Rooms where people held out at the end, told by name (inside and outdoors each).
TOLD_PLACES = 4
#: Room kinds out of doors: people there hold out on the hill or the roof, not inside.
OUTDOOR_KINDS = frozenset({"outside", "roof", "exit"})


def _who(i: int, names: tuple[str, ...]) -> str:
    if 0 <= i < len(names):
        return names[i]
    return "someone"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _span(seconds: float) -> str:
    """ "11 minutes", "2.5 hours", "3 days": a length of time in the unit that reads best."""
    if seconds < 2 * HOUR:
        return _plural(round(seconds / 60.0), "minute")
    if seconds < 48 * HOUR:
        hours = round(seconds / HOUR, 1)
        return f"{hours:g} hours"
    return _plural(round(seconds / (24 * HOUR)), "day")


@dataclass(frozen=True)
class Opening:
    """What the paragraph is built from: the run's events and its end state."""

    ev: dict[str, np.ndarray]
    names: tuple[str, ...]  # the named characters, by person number
    rooms: tuple[str, ...]
    state: np.ndarray
    room: np.ndarray
    start: float  # clock time of t = 0
    overrun_s: float | None  # the run's overrun (its summary's t_overrun_s), None if never
    kinds: tuple[str, ...] = ()  # each room's kind (FloorPlan.kinds); none known: all inside

    def _first(self, kind: int) -> int | None:
        hit = np.flatnonzero(self.ev["kind"] == kind)
        if not hit.size:
            return None
        return int(hit[np.argmin(self.ev["t"][hit])])

    def _began(self) -> str | None:
        k = self._first(EV_BITE)
        if k is None:
            return None
        ev = self.ev
        a = _who(int(ev["actor"][k]), self.names)
        b = _who(int(ev["target"][k]), self.names)
        place = self.rooms[int(ev["place"][k])]
        when = self._at(float(ev["t"][k]))
        subject = f"{a} bit {b}" if a != "someone" else f"{b} was bitten"
        return f"It began at {when} {at(place)}, when {subject}."

    def _at(self, t: float) -> str:
        """ "08:31 on day 1"."""
        day, hhmm = clock(t, self.start).rsplit(" ", 1)
        return f"{hhmm} on {day}"

    def _learned(self, t0: float) -> str:
        ev = self.ev
        built = np.flatnonzero(ev["kind"] == EV_BARRICADE)
        if not built.size:
            return "Nobody barricaded a door."
        first = int(built[np.argmin(ev["t"][built])])
        t1 = float(ev["t"][first])
        within = {int(ev["place"][k]) for k in built if ev["t"][k] <= t0 + HOUR}
        # Before the first bite where people barricade without knowing (awareness off).
        when = "after" if t1 >= t0 else "before"
        text = (
            f"The first barricade went up {at(self.rooms[int(ev['place'][first])])} "
            f"{_span(abs(t1 - t0))} {when} the first bite"
        )
        return text + f"; within the hour {_plural(len(within), 'room')} had barricaded."

    def _each(self, kind: int, tell: Callable[[int], str]) -> tuple[int, list[str]]:
        """How many events of `kind` there are, and the first TOLD of them (in the order they
        happened) each as `tell` tells event k, then a count of the rest."""
        ks = np.flatnonzero(self.ev["kind"] == kind)
        ks = ks[np.argsort(self.ev["t"][ks], kind="stable")]
        told = [tell(int(k)) for k in ks[:TOLD]]
        if ks.size > len(told):
            told.append(f"{ks.size - len(told):,} more")
        return int(ks.size), told

    def _forced(self) -> str | None:
        # The doors crowds forced (doors.py): where and when.
        n, told = self._each(
            EV_FORCED,
            lambda k: (
                f"{the(self._room(int(self.ev['place'][k])))} "
                f"({clock(float(self.ev['t'][k]), self.start)})"
            ),
        )
        if n == 0:
            return None
        if n == 1:
            return f"A crowd forced a door that was not opened to it: {told[0]}."
        return f"Crowds forced {n:,} doors that were not opened to them: {listed(told)}."

    def _fell(self, t0: float) -> str:
        t = self.overrun_s
        if t is None:
            return (
                "It was never overrun: at least one in five of those who did not get out "
                "stayed human throughout."
            )
        ev = self.ev
        out = int(np.count_nonzero((ev["kind"] == EV_ESCAPE) & (ev["t"] <= t)))
        people = self.state.size
        if 2 * out > people:
            # Most had got out: "overrun" alone read as a school lost, of a run with 4 bites
            # whose last few inside were bitten after 646 of 652 had left.
            return (
                f"By {self._at(t)}, {_span(t - t0)} after the first bite, {out:,} of the "
                f"{people:,} people had got out, and fewer than one in five of the "
                f"{people - out:,} still inside were human."
            )
        return (
            f"By {self._at(t)}, {_span(t - t0)} after the first bite, it was overrun: fewer "
            "than one in five of those who had not got out were still human."
        )

    def _fled(self) -> str | None:
        ev = self.ev
        out = np.flatnonzero(ev["kind"] == EV_ESCAPE)
        if not out.size:
            return "Nobody got out."
        ts = ev["t"][out]
        bites = ev["kind"] == EV_BITE
        first_bite: dict[int, float] = {}
        for i, t in zip(ev["target"][bites], ev["t"][bites], strict=True):
            first_bite[int(i)] = min(float(t), first_bite.get(int(i), float("inf")))
        carried = sum(
            1 for k in out if first_bite.get(int(ev["actor"][k]), float("inf")) <= ev["t"][k]
        )
        gates: dict[str, int] = {}
        troops = 0
        for k in out:
            if int(ev["aux"][k]) == BY_TROOPS:
                troops += 1
                continue
            gate = the(self.rooms[int(ev["place"][k])])
            gates[gate] = gates.get(gate, 0) + 1
        ways = [f"{n:,} by {g}" for g, n in sorted(gates.items(), key=lambda x: -x[1])]
        if troops:
            ways.append(f"{troops:,} taken out by the troops")
        by = ways[0].split(" ", 1)[1] if len(ways) == 1 else listed(ways)
        first_hour = int(np.count_nonzero(ts <= ts.min() + HOUR))
        who = _plural(out.size, "person", "people")
        text = f"{who} got out ({by})"
        named = []
        for k in out:
            i = int(ev["actor"][k])
            if 0 <= i < len(self.names):
                t = float(ev["t"][k])
                bite = ", with a bite" if first_bite.get(i, float("inf")) <= t else ""
                named.append(f"{self.names[i]} ({clock(t, self.start)}{bite})")
        if named:
            text += f", among them {listed(named)}"
        # The first hour's count is a sentence of its own: placed before the names, "96 of them
        # within an hour of the first, among them" put those who left on day 5 in that hour.
        after = []
        if out.size > 1:
            after.append(f"{first_hour:,} of them got out within an hour of the first to leave")
        if carried:
            after.append(f"{carried:,} carried a bite with them")
        if not after:
            return text + "."
        rest = ", and ".join(after)
        return f"{text}. {rest[0].upper()}{rest[1:]}."

    def _moved(self) -> str | None:
        # The engine logs a group's decision to go for supplies when a named character leads
        # it (once per need, however long the group then waits to get through): the leader
        # as the actor, the room it leaves as the place, the room it makes for as aux.
        def tell(k: int) -> str:
            leader = _who(int(self.ev["actor"][k]), self.names)
            way = f"from {the(self._room(int(self.ev['place'][k])))}"
            way += f" to {the(self._room(int(self.ev['aux'][k])))}"
            return f"{leader} {way} ({clock(float(self.ev['t'][k]), self.start)})"

        n, told = self._each(EV_SUPPLIES, tell)
        if n == 0:
            return None
        # A decision, not a departure: the group may wait long for a way through, or never go.
        if n == 1:
            return (
                "A group led by a named character decided to go for water, food or a toilet: "
                f"{told[0]}."
            )
        return (
            f"Groups led by named characters decided to go for water, food or a toilet "
            f"{n:,} times: {listed(told)}."
        )

    def _room(self, r: int) -> str:
        return self.rooms[r] if 0 <= r < len(self.rooms) else ""

    def _split(self) -> str | None:
        # One `split` event per person who stayed behind; those of one room at one moment are
        # one group parting.
        stayed = np.flatnonzero(self.ev["kind"] == EV_SPLIT)
        if not stayed.size:
            return None
        groups = len({(float(self.ev["t"][k]), int(self.ev["place"][k])) for k in stayed})
        who = _plural(stayed.size, "person", "people")
        parted = "a group" if groups == 1 else f"{groups:,} groups"
        return f"{who} stayed behind in hiding as {parted} left for the exits without them."

    def _held(self) -> str:
        alive = self.state == HUMAN
        if not alive.any():
            # Hybrids are alive but no longer human: said apart, after this.
            return "No human is left alive inside."
        rooms, counts = np.unique(self.room[alive], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        # Inside rooms and outdoor places (the hill, the yard, the roof) said apart: nobody
        # holds out "inside: 1 on the hill".
        out = np.array([self._outdoors(int(rooms[k])) for k in order], dtype=bool)
        groups = [
            (where, order[out == outdoors], "other place" if outdoors else "other room")
            for where, outdoors in (("inside", False), ("outdoors", True))
        ]
        groups = [g for g in groups if g[1].size]
        people = _plural(int(alive.sum()), "person", "people")
        if len(groups) == 1:
            where, ks, other = groups[0]
            return (
                f"At the end, {people} held out {where}: {self._where(rooms, counts, ks, other)}."
            )
        parts = [
            f"{_plural(int(counts[ks].sum()), 'person', 'people')} {where} "
            f"({self._where(rooms, counts, ks, other)})"
            for where, ks, other in groups
        ]
        return f"At the end, {people} held out: {listed(parts)}."

    def _outdoors(self, r: int) -> bool:
        """Whether room `r` is out of doors, by the building's own room kinds."""
        return 0 <= r < len(self.kinds) and self.kinds[r] in OUTDOOR_KINDS

    def _where(self, rooms: np.ndarray, counts: np.ndarray, ks: np.ndarray, other: str) -> str:
        """ "2 in classroom 2-5, 1 in the gym and 3 other rooms": the largest `TOLD_PLACES`
        of rooms `ks` (indices into `rooms` and `counts`, largest first), then a count."""
        shown = [f"{int(counts[k]):,} {at(self.rooms[int(rooms[k])])}" for k in ks[:TOLD_PLACES]]
        if ks.size > len(shown):
            shown.append(_plural(ks.size - len(shown), other))
        return listed(shown)

    def text(self) -> str:
        """The paragraph; empty when nothing happened."""
        began = self._began()
        if began is None:
            return ""
        first = self._first(EV_BITE)
        assert first is not None  # there was a bite: _began told it
        t0 = float(self.ev["t"][first])
        parts = [began, self._learned(t0), self._forced(), self._fell(t0), self._fled()]
        parts.append(self._moved())
        parts.append(self._split())
        parts.append(self._held())
        hybrids = int(np.count_nonzero(self.ev["kind"] == EV_HYBRID))
        if hybrids:
            kept = (
                "person kept their mind as a hybrid"
                if hybrids == 1
                else "people kept their minds as hybrids"
            )
            parts.append(f"{hybrids:,} {kept}.")
        return " ".join(p for p in parts if p)

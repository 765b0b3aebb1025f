"""Events as tables and sentences: who did what, where and when, and each character's fate.

Times are told on the school's clock ("day 1 11:42"), counted from the scenario's
`agents.clock_start` on day 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hyosan.engines.agents.params import (
    BITTEN,
    BY_STRIKE,
    BY_TROOPS,
    DEAD,
    DESTROYED,
    ESCAPED,
    EV_ABANDON,
    EV_BARRICADE,
    EV_BITE,
    EV_BROKEN,
    EV_DEATH,
    EV_ESCAPE,
    EV_FORCED,
    EV_HYBRID,
    EV_KILL,
    EV_LURE,
    EV_MOVE,
    EV_OPENED,
    EV_PUSH,
    EV_RESCUE,
    EV_SACRIFICE,
    EV_SPLIT,
    EV_SUPPLIES,
    EV_TOILET,
    EV_TURN,
    EVENT_KINDS,
    HUMAN,
    HYBRID,
    LURE_PHONE,
    SITE_NECK,
    SITE_TORSO,
    ZOMBIE,
)

__all__ = ["clock", "events_table", "fates", "the"]

_SITES = {SITE_NECK: "the neck", SITE_TORSO: "the body"}


def clock(t: float, start: float) -> str:
    """ "day 1 11:42" for t seconds after the start of the run."""
    total = int(start + t) // 60
    day, minute = divmod(total, 24 * 60)
    return f"day {day + 1} {minute // 60:02d}:{minute % 60:02d}"


def the(place: str) -> str:
    """A place as it reads in a sentence: "the library", "classroom 2-5", "Yangdong"."""
    if not place:
        return "somewhere"
    if place[0].isdigit() and "-" in place and len(place) <= 5:
        return f"classroom {place}"
    if place[0].isupper() or place.startswith("the "):
        return place
    return f"the {place}"


#: Places one is on rather than in ("on the roof", "on the east stairs 4F").
_ON = ("roof", "courts", "hill", "stairs", "field", "track", "bridge")


def at(place: str) -> str:
    """Where something happens in a place, as a sentence says it: "in the library", "on the
    roof", "on the tennis courts", "in classroom 2-5"."""
    words = [w for w in place.lower().split() if not (w[:1].isdigit() and w.endswith("f"))]
    on = bool(words) and words[-1] in _ON
    return f"{'on' if on else 'in'} {the(place)}"


def _who(i: int, names: tuple[str, ...], roles: np.ndarray) -> str:
    if i < 0:
        return ""
    if i < len(names):
        return names[i]
    return f"{'student' if roles[i] == 0 else 'staff'} #{i}"


def _sentence(kind: int, a: str, b: str, place: str, aux: int, other: str, t: str) -> str:
    if kind == EV_BITE:
        where = _SITES.get(aux, "the arm")
        return f"{t} {a} bites {b} on {where} {at(place)}"
    if kind == EV_TURN:
        return f"{t} {a} turns into a zombie {at(place)}"
    if kind == EV_HYBRID:
        return f"{t} {a} keeps their mind: a hybrid, {at(place)}"
    if kind == EV_KILL:
        if aux == BY_STRIKE:
            return f"{t} the air strike destroys {b or 'a zombie'} {at(place)}"
        if aux == BY_TROOPS:
            return f"{t} the troops destroy {b or 'a zombie'} {at(place)}"
        how = "shoots" if aux == 1 else "kills"
        return f"{t} {a} {how} {b or 'a zombie'} {at(place)}"
    if kind == EV_DEATH:
        if aux == BY_TROOPS:
            return f"{t} {b}, bitten, fails the troops' temperature check and is shot {at(place)}"
        by = "the air strike" if aux == BY_STRIKE else a or "zombies"
        return f"{t} {b} is killed by {by} {at(place)}"
    if kind in _DOOR_KINDS:
        return _door(kind, a, b, place, aux, t)
    if kind == EV_RESCUE:
        return f"{t} {a} steps in to save {b} {at(place)}"
    if kind == EV_SACRIFICE:
        return f"{t} {a}, bitten, leads the zombies away from the group {at(place)}"
    if kind == EV_PUSH:
        return f"{t} {a} pushes {b} towards the zombies {at(place)}"
    if kind == EV_ESCAPE:
        if aux == BY_TROOPS:
            return f"{t} the troops take {a} out from {the(place)}"
        return f"{t} {a} escapes to {the(place)}"
    if kind == EV_LURE:
        if aux == LURE_PHONE:
            return f"{t} {a} sets a phone ringing {at(place)} to draw the zombies off the way"
        return f"{t} {a} plays noise over the PA from {the(place)} to lure the zombies away"
    if kind == EV_TOILET:
        return f"{t} {a} rigs a makeshift toilet {at(place)} ({aux} inside)"
    if kind == EV_MOVE:
        return f"{t} {a} reaches {the(place)} from {the(other)}"
    if kind == EV_SUPPLIES:
        return f"{t} {a} decides to take the group from {the(place)} to {the(other)} for supplies"
    if kind == EV_SPLIT:
        return f"{t} {a} stays behind {at(place)} as {b} leads the others to {the(other)}"
    return f"{t} {EVENT_KINDS[kind]} {at(place)}"


#: The kinds of what happens at a barricaded door (_door).
_DOOR_KINDS = (EV_BARRICADE, EV_BROKEN, EV_OPENED, EV_ABANDON, EV_FORCED)


def _door(kind: int, a: str, b: str, place: str, aux: int, t: str) -> str:
    if kind == EV_BARRICADE:
        return f"{t} {a} barricades {the(place)} ({aux} inside)"
    if kind == EV_BROKEN:
        return f"{t} zombies break the barricade of {the(place)}"
    if kind == EV_OPENED:
        if b:
            return f"{t} {a or 'someone'} opens the barricade of {the(place)} to let {b} in"
        return f"{t} {a} takes down the barricade of {the(place)} to leave"
    if kind == EV_ABANDON:
        return f"{t} {a} refuses to open {the(place)} to {b}"
    if kind == EV_FORCED:
        # aux: the people at the door now, whoever forced it among them, and those turned
        # away from it before them.
        held = f"which {b} would not open" if b else "not opened"
        crowd = f"{aux:,} people" if aux != 1 else "one person"
        return f"{t} {a} and the crowd force the barricade of {the(place)}, {held} to {crowd}"
    raise ValueError(f"not a door's event: {kind}")


def events_table(
    ev: dict[str, np.ndarray],
    names: tuple[str, ...],
    roles: np.ndarray,
    rooms: tuple[str, ...],
    start: float,
    fates_rows: list[tuple[Any, ...]],
) -> Any:
    """The events of a run as a pyarrow Table: t, kind, actor, target, place, detail.

    Every event involving a named character carries its sentence in `detail`.
    """
    from hyosan.results import arrow

    t_col: list[float] = []
    kinds: list[str] = []
    actors: list[str] = []
    targets: list[str] = []
    places: list[str] = []
    details: list[str] = []
    n_named = len(names)
    for t, k, a, b, p, x in zip(
        ev["t"].tolist(),
        ev["kind"].tolist(),
        ev["actor"].tolist(),
        ev["target"].tolist(),
        ev["place"].tolist(),
        ev["aux"].tolist(),
        strict=True,
    ):
        who_a, who_b = _who(a, names, roles), _who(b, names, roles)
        place = rooms[p] if p >= 0 else ""
        # The place is the room; for a broken barricade or a move, aux names a second room.
        other = (
            rooms[x]
            if k in (EV_MOVE, EV_SUPPLIES, EV_SPLIT, EV_BROKEN, EV_ESCAPE) and x >= 0
            else ""
        )
        detail = ""
        if (
            0 <= a < n_named
            or 0 <= b < n_named
            or k in (EV_LURE, EV_BARRICADE, EV_BROKEN, EV_TOILET)
        ):
            detail = _sentence(k, who_a, who_b, place, x, other, clock(t, start))
        t_col.append(t)
        kinds.append(EVENT_KINDS[k])
        actors.append(who_a)
        targets.append(who_b)
        places.append(place)
        details.append(detail)
    for row in fates_rows:
        t_col.append(row[0])
        kinds.append("fate")
        actors.append(row[1])
        targets.append("")
        places.append(row[2])
        details.append(row[3])
    return arrow.table(
        {
            "t": arrow.floats(t_col),
            "kind": arrow.strings(kinds),
            "actor": arrow.strings(actors),
            "target": arrow.strings(targets),
            "place": arrow.strings(places),
            "detail": arrow.strings(details),
        },
        metadata={"t_unit": "s", "clock_start_s": str(start)},
    )


#: Who destroyed a zombie from outside the step, by the aux of the kill (actions.py).
_OUTSIDERS = {BY_STRIKE: "the air strike", BY_TROOPS: "the troops"}

#: How close before a bite a barricade's fall, or how close around it other bites in the same
#: room, count as the bite's circumstances in a character's fate.
_CAUSE_WINDOW = 600.0
_MOB_WINDOW = 120.0


def _bitten_how(ev: dict[str, np.ndarray], k: int, rooms: tuple[str, ...]) -> str:
    """Where bite k happened and why: the barricade that had just given way, or the crowd
    bitten there with them (" in classroom 2-5 when its barricade gave way, one of 12")."""
    kinds, ts, places = ev["kind"], ev["t"], ev["place"]
    t, place = float(ts[k]), int(places[k])
    out = f" {at(rooms[place])}" if 0 <= place < len(rooms) else ""
    broke = (kinds == EV_BROKEN) & (places == place) & (ts <= t) & (ts >= t - _CAUSE_WINDOW)
    if broke.any():
        out += " when its barricade gave way"
    crowd = np.unique(
        ev["target"][(kinds == EV_BITE) & (places == place) & (np.abs(ts - t) <= _MOB_WINDOW)]
    ).size
    if crowd > 2:
        out += f", one of {crowd} bitten there within two minutes"
    return out


def fates(
    ev: dict[str, np.ndarray],
    names: tuple[str, ...],
    roles: np.ndarray,
    state: np.ndarray,
    room: np.ndarray,
    rooms: tuple[str, ...],
    start: float,
    t_end: float,
) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """Each named character's fate, as {name: sentence} and as rows of 'fate' events."""
    out: dict[str, str] = {}
    rows: list[tuple[Any, ...]] = []
    kinds, actors, targets, ts, aux = ev["kind"], ev["actor"], ev["target"], ev["t"], ev["aux"]
    for i, name in enumerate(names):

        def first(kind: int, column: np.ndarray, i: int = i) -> int | None:
            hit = np.flatnonzero((kinds == kind) & (column == i))
            return int(hit[0]) if hit.size else None

        s = int(state[i])
        where = rooms[int(room[i])]
        bite = first(EV_BITE, targets)
        by = ""
        if bite is not None:
            biter = int(actors[bite])
            by = f" by {_who(biter, names, roles)}" if biter >= 0 else ""
            by += _bitten_how(ev, bite, rooms)
        # Every fate says when: the bite (the whole story turns on it) and the end.
        bitten = f" ({clock(float(ts[bite]), start)})" if bite is not None else ""
        if s == HUMAN:
            text = f"survives, {at(where)}"
        elif s == ESCAPED:
            e = first(EV_ESCAPE, actors)
            when = clock(float(ts[e]), start) if e is not None else ""
            if e is not None and int(aux[e]) == BY_TROOPS:
                text = f"taken out by the troops from {the(where)} ({when})"
                text += "; safe" if bite is None else ""
            else:
                text = f"escapes to {the(where)} ({when})"
            if bite is not None:  # out before turning: the bite goes with them
                text = f"bitten{by}{bitten}; {text}, carrying the bite"
        elif s == HYBRID:
            text = f"becomes a hybrid after a bite{by}{bitten}; {at(where)}"
        elif s == BITTEN:
            text = f"bitten{by}{bitten}, not yet turned, {at(where)}"
        elif s == ZOMBIE:
            text = f"bitten{by}{bitten or ' (before the start)'}; a zombie, {at(where)}"
        elif s == DESTROYED:
            k = first(EV_KILL, targets)
            if k is not None and int(aux[k]) in _OUTSIDERS:
                killer = _OUTSIDERS[int(aux[k])]
            else:
                killer = _who(int(actors[k]), names, roles) if k is not None else "someone"
            when = f" ({clock(float(ts[k]), start)})" if k is not None else ""
            text = f"turned after a bite{by}{bitten}; destroyed by {killer} {at(where)}{when}"
        elif s == DEAD:
            k = first(EV_DEATH, targets)
            when = clock(float(ts[k]), start) if k is not None else ""
            if k is not None and int(aux[k]) == BY_TROOPS:
                text = f"bitten{by}{bitten}; shot by the troops at a temperature check in"
                text += f" {the(where)} ({when})"
            else:
                cause = " by the air strike" if k is not None and int(aux[k]) == BY_STRIKE else ""
                text = f"killed{cause} {at(where)} ({when})"
        else:  # pragma: no cover - every state is handled above
            text = "unknown"
        out[name] = text
        rows.append((t_end, name, where, f"{clock(t_end, start)} {name}: {text}"))
    return out, rows

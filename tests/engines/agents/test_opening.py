"""The opening paragraph of a building run and its characters' fates, read off hand-made events
(opening.py, narrative.fates)."""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.narrative import fates
from hyosan.engines.agents.opening import Opening
from hyosan.engines.agents.params import (
    BITTEN,
    BY_TROOPS,
    DEAD,
    DESTROYED,
    ESCAPED,
    EV_BARRICADE,
    EV_BITE,
    EV_ESCAPE,
    EV_FORCED,
    EV_HYBRID,
    EV_KILL,
    EV_MOVE,
    EV_SPLIT,
    EV_SUPPLIES,
    HUMAN,
    HYBRID,
    ZOMBIE,
)

ROOMS = ("infirmary", "2-5", "corridor", "main gate")
FATE_ROOMS = ROOMS[:3]
START = 8 * 3600.0  # the run starts at 08:00 on day 1


def _events(*rows: tuple[float, int, int, int, int]) -> dict[str, np.ndarray]:
    """Events as the engine logs them: (t, kind, actor, target, place) rows."""
    t, kind, actor, target, place = (np.asarray(c) for c in zip(*rows, strict=True))
    return {
        "t": t.astype(np.float64),
        "kind": kind.astype(np.int64),
        "actor": actor.astype(np.int64),
        "target": target.astype(np.int64),
        "place": place.astype(np.int64),
        "aux": np.zeros(t.size, dtype=np.int64),
    }


def test_the_fall_is_told_at_the_runs_own_overrun() -> None:
    """The paragraph tells the overrun the run's summary gives (t_overrun_s), on the clock and
    counted from the first bite; a run never overrun says so."""
    ev = _events(*[(10.0 * k, EV_BITE, 0, k, 1) for k in range(1, 5)])
    state = np.array([ZOMBIE] * 5)
    told = Opening(ev, (), ROOMS, state, np.ones(5, int), 8.5 * 3600, 250.0).text()
    assert "By 08:34 on day 1, 4 minutes after the first bite, it was overrun" in told
    never = Opening(ev, (), ROOMS, state, np.ones(5, int), 8.5 * 3600, None).text()
    assert "It was never overrun" in never


def test_an_overrun_after_most_got_out_says_so() -> None:
    """Seed 22 had 4 bites, and 646 of its 652 people got out before the last few inside were
    bitten; "it was overrun" read as a school lost. Counted by escapes up to the overrun."""
    state = np.array([ZOMBIE, ZOMBIE, ESCAPED, ESCAPED, ESCAPED, ESCAPED])

    def told(escapes: list[float]) -> str:
        rows = [(10.0, EV_BITE, 0, 1, 1)]
        rows += [(t, EV_ESCAPE, 2 + k, -1, 3) for k, t in enumerate(escapes)]
        return Opening(_events(*rows), (), ROOMS, state, np.ones(6, int), 8.5 * 3600, 250.0).text()

    # Three of six out by the overrun (the fourth after it): half is not most.
    assert "4 minutes after the first bite, it was overrun" in told([100.0, 110.0, 120.0, 900.0])
    assert (
        "By 08:34 on day 1, 4 minutes after the first bite, 4 of the 6 people had got out, and "
        "fewer than one in five of the 2 still inside were human."
    ) in told([100.0, 110.0, 120.0, 130.0])


def test_doors_crowds_forced_are_told_in_order_then_counted() -> None:
    """Each door a crowd forced, where and when, in the order it happened; past three, the rest
    are counted; one alone is said in the singular."""
    state = np.array([ZOMBIE, ZOMBIE, HUMAN])

    def told(*forced: tuple[float, int]) -> str:
        rows = [(10.0, EV_BITE, 0, 1, 0)]
        rows += [(t, EV_FORCED, 2, 1, place) for t, place in forced]
        return Opening(_events(*rows), (), ROOMS, state, np.ones(3, int), START, None).text()

    assert "A crowd forced a door that was not opened to it: classroom 2-5 (day 1 08:10)." in told(
        (600.0, 1)
    )
    assert (
        "Crowds forced 5 doors that were not opened to them: classroom 2-5 (day 1 08:01), the "
        "corridor (day 1 08:02), the corridor (day 1 08:03) and 2 more."
    ) in told((240.0, 1), (300.0, 0), (180.0, 2), (120.0, 2), (60.0, 1))
    assert "forced" not in told()


def test_the_paragraph_tells_the_run() -> None:
    """Where it began, the first barricade, the fall, who got out (and carried a bite), who
    holds out, and hybrids, with singular and plural right."""
    names = ("Kim Hyeon-ju", "the school nurse", "Nam On-jo")
    ev = _events(
        (60.0, EV_BITE, 0, 1, 0),
        (480.0, EV_BARRICADE, 2, -1, 1),
        (500.0, EV_BITE, 1, 3, 2),
        (600.0, EV_ESCAPE, 3, -1, 3),
        (700.0, EV_ESCAPE, 2, -1, 3),
        (800.0, EV_SUPPLIES, 2, -1, 1),
        (850.0, EV_MOVE, 2, -1, 2),  # a named character reaching a room is no group move
        (860.0, EV_SPLIT, 4, 2, 1),  # two stay behind as one group leaves
        (860.0, EV_SPLIT, 5, 2, 1),
        (900.0, EV_HYBRID, 4, -1, 2),
    )
    state = np.array([ZOMBIE, ZOMBIE, ESCAPED, ESCAPED, HUMAN, HUMAN, DEAD])
    room = np.array([2, 2, 3, 3, 1, 1, 2])
    text = Opening(ev, names, ROOMS, state, room, 8.5 * 3600, None).text()
    assert text.startswith(
        "It began at 08:31 on day 1 in the infirmary, when Kim Hyeon-ju bit the school nurse."
    )
    assert "The first barricade went up in classroom 2-5 7 minutes after the first bite" in text
    assert "within the hour 1 room had barricaded" in text
    assert (
        "2 people got out (by the main gate), among them Nam On-jo (day 1 08:41). 2 of them got "
        "out within an hour of the first to leave, and 1 carried a bite with them." in text
    )
    assert (
        "A group led by a named character decided to go for water, food or a toilet: Nam On-jo "
        "from classroom 2-5 to the infirmary (day 1 08:43)." in text
    )
    assert "2 people stayed behind in hiding as a group left for the exits without them." in text
    assert "At the end, 2 people held out inside: 2 in classroom 2-5." in text
    assert text.endswith("1 person kept their mind as a hybrid.")
    assert "never overrun" in text  # the run gave no overrun time


def test_group_moves_are_told_by_leader_and_way_then_counted() -> None:
    """Each move for supplies names its leader, the room left, the room it makes for and when,
    in the order they happened; past three, the rest are counted."""
    names = ("Kim Hyeon-ju", "the school nurse", "Nam On-jo")
    moves = [(900.0 - 60 * k, EV_SUPPLIES, 2, -1, 1) for k in range(5)]
    ev = _events((60.0, EV_BITE, 0, 1, 0), *moves)
    ev["aux"][1:] = 2  # to the corridor
    state = np.array([ZOMBIE, ZOMBIE, HUMAN])
    text = Opening(ev, names, ROOMS, state, np.ones(3, int), 8.5 * 3600, None).text()
    assert (
        "Groups led by named characters decided to go for water, food or a toilet 5 times: "
        "Nam On-jo from classroom 2-5 to the corridor (day 1 08:41), "
        "Nam On-jo from classroom 2-5 to the corridor (day 1 08:42), "
        "Nam On-jo from classroom 2-5 to the corridor (day 1 08:43) and 2 more." in text
    )


def test_the_troops_are_told_apart_from_the_gates() -> None:
    """Escapes by a gate are counted by gate; those the troops took out, together."""
    ev = _events(
        (60.0, EV_BITE, 0, 1, 0),
        (600.0, EV_ESCAPE, 2, -1, 3),
        (9000.0, EV_ESCAPE, 3, -1, 1),
        (9060.0, EV_ESCAPE, 4, -1, 2),
    )
    ev["aux"][2:] = BY_TROOPS
    state = np.array([ZOMBIE, ZOMBIE, ESCAPED, ESCAPED, ESCAPED])
    text = Opening(ev, (), ROOMS, state, np.array([2, 2, 3, 1, 2]), 0.0, None).text()
    assert "3 people got out (1 by the main gate and 2 taken out by the troops)" in text
    only = Opening(
        {k: v[[0, 2]] for k, v in ev.items()}, (), ROOMS, state, np.zeros(5, int), 0.0, None
    ).text()
    assert "1 person got out (taken out by the troops)" in only


def test_nothing_happened_tells_nothing() -> None:
    ev = _events((0.0, EV_BARRICADE, 0, -1, 1))
    state = np.array([HUMAN])
    assert Opening(ev, (), ROOMS, state, np.array([1]), 0.0, None).text() == ""


def test_every_fate_after_a_bite_says_when() -> None:
    """A bite's time is in each fate it leads to, and a destroyed zombie's end has its own."""
    names = ("Ana", "Ben", "Cho", "Dee")
    ev = _events(
        (60.0, EV_BITE, 0, 1, 0),  # Ana bites Ben in the infirmary at 08:01
        (120.0, EV_BITE, 0, 2, 1),  # Ana bites Cho in 2-5 at 08:02
        (180.0, EV_BITE, 0, 3, 2),  # Ana bites Dee in the corridor at 08:03
        (1800.0, EV_KILL, 4, 1, 2),  # student #4 destroys Ben in the corridor at 08:30
    )
    state = np.array([HUMAN, DESTROYED, HYBRID, BITTEN, HUMAN])
    room = np.array([1, 2, 1, 2, 1])
    told, rows = fates(ev, names, np.zeros(5, np.int64), state, room, FATE_ROOMS, START, 3600.0)
    assert told["Ben"] == (
        "turned after a bite by Ana in the infirmary (day 1 08:01); destroyed by student #4 in "
        "the corridor (day 1 08:30)"
    )
    assert (
        told["Cho"]
        == "becomes a hybrid after a bite by Ana in classroom 2-5 (day 1 08:02); in classroom 2-5"
    )
    assert (
        told["Dee"]
        == "bitten by Ana in the corridor (day 1 08:03), not yet turned, in the corridor"
    )
    assert told["Ana"] == "survives, in classroom 2-5"
    assert [r[1] for r in rows] == list(names)


def test_the_first_hour_is_not_read_as_about_the_names() -> None:
    """The story said "96 of them within an hour of the first, among them Seo Hyo-ryung (day 5
    09:30)", which put those who left on day 5 in the first hour: the names come first, the
    hour's count after, in a sentence of its own; one person alone has no first hour to count."""
    names = ("Kim Hyeon-ju", "the school nurse", "Nam On-jo")
    ev = _events(
        (60.0, EV_BITE, 0, 1, 0),
        (600.0, EV_ESCAPE, 3, -1, 3),
        (9 * 3600.0, EV_ESCAPE, 2, -1, 3),
    )
    state = np.array([ZOMBIE, ZOMBIE, ESCAPED, ESCAPED])
    text = Opening(ev, names, ROOMS, state, np.array([2, 2, 3, 3]), 8.5 * 3600, None).text()
    assert (
        "2 people got out (by the main gate), among them Nam On-jo (day 1 17:30). 1 of them got "
        "out within an hour of the first to leave." in text
    )
    alone = _events((60.0, EV_BITE, 0, 1, 0), (600.0, EV_ESCAPE, 2, -1, 3))
    state = np.array([ZOMBIE, ZOMBIE, ESCAPED])
    text = Opening(alone, names, ROOMS, state, np.array([2, 2, 3]), 8.5 * 3600, None).text()
    assert "1 person got out (by the main gate), among them Nam On-jo (day 1 08:40)." in text
    assert "within an hour" not in text


def test_a_named_escapee_with_a_bite_is_told_so() -> None:
    """Among those who got out, a named character who carried a bite out is marked, and the
    count of bites carried out is not read as being about the names before it."""
    names = ("Kim Hyeon-ju", "the school nurse", "Nam On-jo", "Lee Su-hyeok")
    ev = _events(
        (60.0, EV_BITE, 0, 2, 0),
        (600.0, EV_ESCAPE, 2, -1, 3),
        (700.0, EV_ESCAPE, 3, -1, 3),
    )
    state = np.array([ZOMBIE, HUMAN, ESCAPED, ESCAPED])
    text = Opening(ev, names, ROOMS, state, np.array([1, 1, 3, 3]), 8.5 * 3600, None).text()
    assert (
        "among them Nam On-jo (day 1 08:40, with a bite) and Lee Su-hyeok (day 1 08:41). 2 of "
        "them got out within an hour of the first to leave, and 1 carried a bite with them." in text
    )


def test_a_barricade_before_the_first_bite_is_told_before_it() -> None:
    """Without awareness people may barricade before anyone is bitten: "before", never a
    negative span "after"."""
    ev = _events((0.0, EV_BARRICADE, 2, -1, 1), (480.0, EV_BITE, 0, 1, 0))
    state = np.array([ZOMBIE, ZOMBIE, HUMAN])
    text = Opening(ev, (), ROOMS, state, np.ones(3, int), 8.5 * 3600, None).text()
    assert "went up in classroom 2-5 8 minutes before the first bite" in text


def test_a_bitten_escapee_is_no_survivor_in_their_fate() -> None:
    """Someone who got out before turning carries the bite: the fate says the bite."""
    names = ("Ana", "Ben")
    ev = _events((60.0, EV_BITE, 0, 1, 0), (120.0, EV_ESCAPE, 1, -1, 2))
    state = np.array([ZOMBIE, ESCAPED])
    told, _ = fates(
        ev, names, np.zeros(2, np.int64), state, np.array([0, 2]), FATE_ROOMS, START, 9.0
    )
    assert told["Ben"] == (
        "bitten by Ana in the infirmary (day 1 08:01); escapes to the corridor (day 1 08:02), "
        "carrying the bite"
    )


def test_places_read_in_or_on_as_english_has_them() -> None:
    """A zombie is destroyed on the roof and on the stairs, not in them ("in the roof")."""
    from hyosan.engines.agents.narrative import at

    assert [at(p) for p in ("roof", "tennis courts", "east stairs 4F", "the hill")] == [
        "on the roof",
        "on the tennis courts",
        "on the east stairs 4F",
        "on the hill",
    ]
    assert [at(p) for p in ("yard", "2-5", "Yangdong", "3F girls' stalls")] == [
        "in the yard",
        "in classroom 2-5",
        "in Yangdong",
        "in the 3F girls' stalls",
    ]


def test_those_who_held_out_outdoors_are_not_said_inside() -> None:
    """Hyosan High's story said "1 person held out inside: 1 on the hill": the building's
    room kinds tell the rooms inside from the places out of doors (the hill, the roof)."""
    rooms = ("infirmary", "2-5", "the hill", "roof")
    kinds = ("office", "classroom", "outside", "roof")
    ev = _events((60.0, EV_BITE, 0, 1, 0))

    def held(room: list[int]) -> str:
        state = np.array([ZOMBIE, ZOMBIE] + [HUMAN] * len(room))
        where = np.array([0, 0, *room])
        return Opening(ev, (), rooms, state, where, START, None, kinds).text()

    assert "At the end, 1 person held out outdoors: 1 on the hill." in held([2])
    assert "At the end, 2 people held out inside: 2 in classroom 2-5." in held([1, 1])
    assert (
        "At the end, 4 people held out: 2 people inside (2 in classroom 2-5) and 2 people "
        "outdoors (1 on the hill and 1 on the roof)." in held([1, 1, 2, 3])
    )
    assert "inside" not in held([2, 3])

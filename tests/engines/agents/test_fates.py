"""Each named character's fate as one sentence (narrative.fates), read off hand-made events."""

from __future__ import annotations

import numpy as np

from hyosan.engines.agents.narrative import fates
from hyosan.engines.agents.params import BITTEN, DESTROYED, EV_BITE, EV_KILL, HUMAN, HYBRID

ROOMS = ("infirmary", "2-5", "corridor")
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
    told, rows = fates(ev, names, np.zeros(5, np.int64), state, room, ROOMS, START, 3600.0)
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

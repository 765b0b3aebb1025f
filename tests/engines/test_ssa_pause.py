"""The ssa kernel returns every `kernel.PAUSE_EVERY` events so that a Ctrl-C is seen within
about a second (it waited for the end of an output interval: minutes on a continent). Going on
after a pause must give the very same run."""

from __future__ import annotations

import numpy as np
import pytest

import hyosan
from hyosan.engines import kernel
from hyosan.engines.ssa import SsaEngine


def _run() -> hyosan.Result:
    # my-city's shape, small: a lattice with walking zombies and bites across cell borders.
    scenario = hyosan.load_scenario("alemi-szr").evolve(
        engine="ssa",
        initial={},
        parameters={"bite_rate": "0.01/day", "kill_rate": "0.002/day"},
        world={
            "kind": "lattice",
            "size": [12, 12],
            "fill": {"S": 300},
            "movement": {"Z": "0.1/day"},
            "seeds": [{"at": [6, 6], "counts": {"Z": 3}}],
        },
    )
    return SsaEngine().run(scenario, seed=3)


def test_a_run_paused_every_few_events_is_the_same_run(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _run()
    calls: list[int] = []
    original = SsaEngine._call

    def counting(self, state, clock, rec):  # type: ignore[no-untyped-def]
        out = original(self, state, clock, rec)
        calls.append(int(out[1]))
        return out

    monkeypatch.setattr(kernel, "PAUSE_EVERY", 20_000)
    monkeypatch.setattr(SsaEngine, "_call", counting)
    paused = _run()
    assert calls.count(int(kernel.Status.PAUSED)) > 10  # it did pause, many times
    np.testing.assert_array_equal(paused.times, whole.times)
    for state in ("human", "zombie", "removed"):
        np.testing.assert_array_equal(paused.series(state), whole.series(state))
    assert paused.summary()["final"] == whole.summary()["final"]

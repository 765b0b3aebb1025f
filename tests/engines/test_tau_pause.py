"""tau's kernels hand control back to Python within an output interval (Status.PAUSED), so
that a Ctrl-C or a SIGTERM is heard within a second or so, and go on with the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import hyosan
from hyosan.engines import get_engine, kernel
from hyosan.engines.tau import TauEngine


@pytest.mark.parametrize("stepping", ["local", "global"])
def test_pausing_often_changes_no_number(stepping: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run paused every few places stepped (as a long interval is, once a second) gives the
    counts, steps and event tallies of a run that never pauses, bit for bit."""
    scenario = hyosan.load_scenario(
        "korea",
        [f'tau.stepping="{stepping}"', 'time.horizon="4d"', 'time.output_every="2d"'],
    )
    engine = get_engine("tau")
    whole = engine.run(scenario, seed=3)
    calls = []
    call = TauEngine._call

    def counted(self: TauEngine, *args: object) -> object:
        calls.append(1)
        return call(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(TauEngine, "_call", counted)
    monkeypatch.setattr(kernel, "PAUSE_EVERY", 1 << 6)  # a pause every 8 places stepped
    paused = engine.run(scenario, seed=3)
    assert len(calls) > 20 * len(whole.times)  # it did pause, many times an interval
    np.testing.assert_array_equal(paused.counts, whole.counts)
    assert paused.diagnostics["steps"] == whole.diagnostics["steps"]
    assert paused.summary()["final"] == whole.summary()["final"]
    assert paused.summary()["peak_zombies"] == whole.summary()["peak_zombies"]

"""The virus as configured: bite-to-turn delays follow their distribution (Kolmogorov–Smirnov),
neck bites turn faster, and hybrids appear only when the odds allow."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import hyosan_high
from scipy import stats

#: All bites to a limb, no multi-bite speed-up, no hybrids, one-second steps.
PLAIN = (
    "virus.p_torso=0",
    "virus.many_bites=100",
    "virus.p_hybrid=0",
    "virus.p_hybrid_from_hybrid=0",
    'agents.step="1s"',
    # Nobody runs out of the gates: a bitten person who gets out never turns here, which would
    # cut the long delays off the sample.
    "behaviour.panic_to_gates=false",
    "behaviour.flee_to_gates=false",
    "behaviour.exits.enabled=false",
)


def turn_delays(result) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Seconds from each person's first bite to their turning, from the events."""
    ev = result.events.to_pydict()
    bitten: dict[str, float] = {}
    delays = []
    for t, kind, actor, target in zip(ev["t"], ev["kind"], ev["actor"], ev["target"], strict=True):
        if kind == "bite":
            bitten.setdefault(target, t)
        elif kind == "turn" and actor in bitten:
            delays.append(t - bitten[actor])
    return np.asarray(delays)


@pytest.mark.parametrize(("p_neck", "factor"), [(0.0, 1.0), (1.0, 0.3)], ids=["limb", "neck"])
def test_turn_delays_follow_the_configured_lognormal(engine, p_neck: float, factor: float) -> None:
    """Delays are lognormal with the configured median (times the site's factor) and sigma.

    A turn is seen at the end of the one-second step in which it falls, so half a step is
    taken off each delay before the comparison.
    """
    scen = hyosan_high(*PLAIN, f"virus.p_neck={p_neck}", horizon="2h")
    delays = np.concatenate([turn_delays(engine.run(scen, seed=s)) for s in (1, 2, 3)])
    assert delays.size > 300
    median = float(scen.virus.turn_median) * factor
    sigma = float(scen.virus.turn_sigma)
    test = stats.kstest(delays - 0.5, stats.lognorm(s=sigma, scale=median).cdf)
    assert test.pvalue > 0.001, (test, delays.size)
    # A wrong median is rejected by the same test, so it has the power to tell.
    wrong = stats.kstest(delays - 0.5, stats.lognorm(s=sigma, scale=median * 1.5).cdf)
    assert wrong.pvalue < 0.001


def test_no_hybrids_when_the_odds_are_zero(engine) -> None:
    """With every hybrid probability at zero, nobody becomes a hybrid; with the chance at the
    top of the show's range (0.01 a bite; the default 0.0008 makes one in about a run in five
    by 12 h, too few to show it over three runs), some do."""
    off = hyosan_high("virus.p_hybrid=0", "virus.p_hybrid_from_hybrid=0", horizon="12h")
    on = hyosan_high("virus.p_hybrid=0.01", horizon="12h")
    assert all(engine.run(off, seed=s).summary()["n_hybrids"] == 0 for s in (1, 2, 3))
    assert sum(engine.run(on, seed=s).summary()["n_hybrids"] for s in (1, 2, 3)) > 0

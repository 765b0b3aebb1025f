"""Calibration of the default scenario against the show (docs/show.md, docs/science).

Over 50 seeds of Hyosan High (the first day, to keep the suite quick): the school is overrun
within 1 to 5 hours of the first attack in most runs, some students are still alive at the end
of the day in most runs, and hybrids are few. "Most" is at least 60 % of the runs; each
assertion message gives the count.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import hyosan_high

RUNS = 50
MOST = 0.6


@pytest.fixture(scope="module")
def summaries(engine) -> list[dict]:
    scen = hyosan_high(horizon="1d")
    return [engine.run(scen, seed=seed).summary() for seed in range(1, RUNS + 1)]


def test_overrun_within_one_to_five_hours_in_most_runs(summaries: list[dict]) -> None:
    hours = np.array([(s["t_overrun_s"] or np.inf) / 3600 for s in summaries])
    ok = int(np.count_nonzero((hours >= 1) & (hours <= 5)))
    assert ok >= MOST * RUNS, f"overrun within 1-5 h in {ok} of {RUNS} runs; hours: {hours}"


def test_some_students_survive_in_most_runs(summaries: list[dict]) -> None:
    alive = [s["n_students_alive"] for s in summaries]
    ok = sum(a > 0 for a in alive)
    assert ok >= MOST * RUNS, f"students alive at the end in {ok} of {RUNS} runs: {alive}"


def test_hybrids_are_few(summaries: list[dict]) -> None:
    """A few in a school: at most 2 % of its people in every run, under 1 % on average."""
    hybrids = np.array([s["n_hybrids"] for s in summaries])
    people = summaries[0]["people"]
    assert hybrids.max() <= 0.02 * people, hybrids
    assert hybrids.mean() < 0.01 * people, hybrids

"""Many-run input that ran to a misleading result: refused before any run, naming the flag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hyosan
from hyosan.ensemble import Output, run_ensemble
from hyosan.ensemble.errors import VaryError
from hyosan.ensemble.vary import parse_vary
from hyosan.errors import HyosanError
from hyosan.scenario.catalog import builtin_scenario_text


def test_within_after_the_horizon_is_refused(tmp_path: Path) -> None:
    """P(overrun within 500 days) of runs that stop at 200 days was reported as if known."""
    with pytest.raises(HyosanError, match=r"within 500d: after the horizon \(200d\)"):
        run_ensemble(
            "sir",
            2,
            engine="ssa",
            overrides=['time.horizon="200d"'],
            within_s=500 * 86400.0,
            output=Output(out=tmp_path / "out"),
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("initial.S=100:200:1", "N = 1 is one value, but LO (100) and HI (200) differ"),
        ("initial.S=100.5:200:2", "holds a whole number; LO and HI must be whole numbers"),
    ],
)
def test_a_sweep_axis_that_would_not_run_what_it_says(spec: str, fragment: str) -> None:
    """LO:HI:1 ran LO alone; a fractional bound of a count was rounded without a word."""
    text = builtin_scenario_text("alemi-szr")
    with pytest.raises(VaryError, match=re.escape(fragment)):
        parse_vary([spec], text, hyosan.load_scenario("alemi-szr"))
    assert parse_vary(["initial.S=100:100:1"], text, hyosan.load_scenario("alemi-szr"))


def test_within_after_any_runs_horizon_is_refused(tmp_path: Path) -> None:
    """A sweep of horizons, or a comparison of two horizons, gave P(overrun within 100 days)
    of runs that stopped at day 20 (or 200) as if it were known: checked against the longest."""
    from hyosan.ensemble import run_compare, run_sweep

    with pytest.raises(HyosanError, match=r"within 100d: after the horizon \(20d\), where some"):
        run_sweep(
            "sir",
            ["time.horizon=20d:300d:2"],
            2,
            engine="ssa",
            within_s=100 * 86400.0,
            output=Output(out=tmp_path / "sweep"),
        )
    with pytest.raises(HyosanError, match=r"within 250d: after the horizon \(200d\)"):
        run_compare(  # seir runs 300 days, sir 200
            "seir",
            "sir",
            2,
            engine="ssa",
            within_s=250 * 86400.0,
            output=Output(out=tmp_path / "compare"),
        )
    assert not (tmp_path / "sweep").exists()
    assert not (tmp_path / "compare").exists()

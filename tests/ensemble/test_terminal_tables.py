"""The tables `hyosan run --runs`, `sweep` and `compare` print fit an 80-column terminal with
every number whole on its row; a comparison of two scenarios of one name tells them apart; its
paired differences of times are in the tables' unit of time, not in seconds."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console

from hyosan.ensemble.terminal import print_summary

DAY = 86400.0


def _p(estimate: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": estimate, "low": low, "high": high}


def _entry(point: int, scenario: str, values: dict[str, float], **more: Any) -> dict[str, Any]:
    k = point + 1
    return {
        "point": point,
        "scenario": scenario,
        "values": values,
        "horizon_s": 30 * DAY,
        "runs": 200,
        "p_humans_win": _p(0.1234 * k, 0.0567 * k, 0.2101 * k),
        "p_overrun": _p(0.3001 * k, 0.2341 * k, 0.3456 * k),
        "p_overrun_within": {"within_s": 10 * DAY, **_p(0.2002 * k, 0.1501 * k, 0.2603 * k)},
        "median_t_overrun_s": 12.5 * DAY * k,
        **more,
    }


def _summary(kind: str, per_point: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "scenario": per_point[0]["scenario"],
        "engine": "ssa",
        "root_seed": 1,
        "runs": 200 * len(per_point),
        "replicates": 200,
        "points": len(per_point),
        "wall_s": 3.2,
        "within_s": 10 * DAY,  # --within 10d, shorter than the horizon: a column more
        "per_point": per_point,
        **more,
    }


def _sweep() -> dict[str, Any]:
    """A sweep of two keys (a heat map's), with --within: the widest table a sweep prints."""
    vary = [
        {"key": "parameters.kill_rate", "unit": "/day", "values": [0.0002, 0.0014]},
        {"key": "initial.S", "unit": None, "values": [100, 1000]},
    ]
    points = [
        _entry(i, "alemi-szr", {"parameters.kill_rate": r, "initial.S": s})
        for i, (r, s) in enumerate([(0.0002, 100), (0.0002, 1000), (0.0014, 100), (0.0014, 1000)])
    ]
    return _summary("sweep", points, vary=vary)


def _compare(b_name: str = "hyosan-high") -> dict[str, Any]:
    """A comparison of two variants of one scenario that kept its name, with named characters
    and a yes-or-no figure, and paired differences of counts and of times (in seconds)."""
    extra = {
        "p": {"after_strikes_restarted": _p(0.0123, 0.0041, 0.0321)},
        "survival": {"Nam On-jo": _p(0.6789, 0.6012, 0.7456)},
    }
    points = [_entry(0, "hyosan-high", {}, **extra), _entry(1, b_name, {}, **extra)]
    differences = {
        "t_end_s": {"mean": 1.5 * DAY, "low": 0.25 * DAY, "high": 2.75 * DAY, "n": 200},
        "peak_zombies": {"mean": 84.1, "low": -125.4, "high": 293.6, "n": 200},
        "t_overrun_s": {"mean": -0.5 * DAY, "low": None, "high": None, "n": 1},
        "humans_win": {"mean": 0.05, "low": 0.01, "high": 0.09, "n": 200},
    }
    return _summary("compare", points, scenarios=["hyosan-high", b_name], differences=differences)


def _render(summary: dict[str, Any], width: int = 80) -> str:
    """What print_summary shows on a terminal `width` columns wide."""
    console = Console(
        width=width, file=io.StringIO(), record=True, highlight=False, soft_wrap=False
    )
    print_summary(summary, console)
    return console.export_text()


def _assert_fits(text: str, width: int = 80) -> None:
    lines = text.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, "\n".join(too_long)
    assert "…" not in text  # no header or cell cut to an ellipsis


def _on_one_line(text: str, cell: str) -> bool:
    return any(cell in line for line in text.splitlines())


@pytest.mark.parametrize("width", [80, 60])
def test_a_sweeps_tables_fit_the_terminal(width: int) -> None:
    """Two swept keys and --within made a table of 99 columns: rich wrapped each interval over
    two rows and cut the key to "parameters.kill_r…". Now no line is wider than the terminal
    and each probability with its interval, each value and each time is whole on one line."""
    text = _render(_sweep(), width)
    _assert_fits(text, width)
    for cell in (
        "0.123 [0.057, 0.210]",
        "0.494 [0.227, 0.840]",  # point 3's P(humans win)
        "0.300 [0.234, 0.346]",
        "0.200 [0.150, 0.260]",
        "12.5 days",
        "0.0014",
        "1000",
    ):
        assert _on_one_line(text, cell), (cell, text)
    assert _on_one_line(text, "kill_rate")
    assert _on_one_line(text, "per day")  # the key's unit, under it
    assert _on_one_line(text, "P(humans win)")
    assert _on_one_line(text, "P(overrun by 10 days)")
    # Every point's row is printed in each part of a split table, named by its values.
    for values in ("0.0002", "0.0014"):
        assert sum(values in line for line in text.splitlines()) >= 2
    # A terminal wide enough gets one table, not parts.
    assert _render(_sweep(), 200).count("P(humans win)") == 1


def test_a_comparison_of_two_engines_names_each_ones_engine() -> None:
    """One scenario on ssa and on tau (a check of tau's accuracy): the columns read "A:
    my-city (ssa)" and "B: my-city (tau)", where both read "my-city"."""
    summary = _compare("hyosan-high")
    for entry, engine in zip(summary["per_point"], ("ssa", "tau"), strict=True):
        entry["engine"] = engine
    text = _render(summary, 100)
    _assert_fits(text, 100)
    assert _on_one_line(text, "A: hyosan-high (ssa)"), text
    assert _on_one_line(text, "B: hyosan-high (tau)"), text
    # One engine for both: the names alone, as before.
    same = _compare("hyosan-high")
    for entry in same["per_point"]:
        entry["engine"] = "agents"
    plain = _render(same, 100)
    assert "A: hyosan-high (agents)" not in plain  # (the title names the engine)
    assert _on_one_line(plain, "A: hyosan-high")


def test_a_comparison_of_one_name_tells_its_columns_apart() -> None:
    """A and B of the same name: every table names them "A: ..." and "B: ...", where the
    chances' columns were both headed "hyosan-high"."""
    text = _render(_compare())
    _assert_fits(text)
    lines = text.splitlines()
    assert any(re.search(r"A: hyosan-high.*B: hyosan-high", line) for line in lines), text
    assert _on_one_line(text, "A: hyosan-high")
    assert _on_one_line(text, "0.679 [0.601, 0.746]")  # Nam On-jo's chance
    assert _on_one_line(text, "0.012 [0.004, 0.032]")
    # The headers of the chance tables: A's and B's, never the bare name twice.
    headers = [line for line in lines if "hyosan-high" in line and "┃" in line]
    assert headers
    for line in headers:
        assert "A: hyosan-high" in line, line
        assert "B: hyosan-high" in line, line


def test_paired_differences_of_times_are_in_the_tables_unit() -> None:
    """t_end_s differed by 1.5 days: printed as 1.5 in days (as the median overrun is shown),
    not as 1.296e+05 seconds; counts are as they were."""
    text = _render(_compare("hyosan-high-barricaded"))
    _assert_fits(text)
    assert re.search(r"t_end \(days\)\s+│\s+1\.5\s+│\s+\[0\.25, 2\.75\]\s+│\s+200", text), text
    # Each difference says over how many pairs it was taken: an overrun time only where both
    # runs of a pair were overrun (1 of 200 here), which the table did not show.
    assert re.search(r"t_overrun \(days\)\s+│\s+-0\.5\s+│\s+-\s+│\s+1 ", text), text
    assert re.search(r"peak_zombies\s+│\s+84\.1\s+│\s+\[-125\.4, 293\.6\]", text), text
    assert "1.296e+05" not in text
    assert "t_end_s" not in text
    assert "paired differences B − A" in text
    # Distinct names are shown as they are, after their letter.
    assert _on_one_line(text, "B: hyosan-high-barricaded")


def test_outcomes_the_same_in_every_pair_are_one_line() -> None:
    """A city's comparison printed some seventy rows of differences, most of them 0 in every
    pair (a measure's start, an arrival both runs share), burying those that differ; a time
    named `t_arrival_s: <place>` was shown in seconds."""
    summary = _compare()
    zero = {"mean": 0.0, "low": 0.0, "high": 0.0, "n": 200}
    for k in range(40):
        summary["differences"][f"Measure {k}: start_s"] = dict(zero)
    summary["differences"]["t_arrival_s: Hospital"] = {
        "mean": 0.5 * DAY,
        "low": 0.25 * DAY,
        "high": 0.75 * DAY,
        "n": 200,
    }
    text = _render(summary)
    _assert_fits(text)
    assert "Measure 7" not in text
    flat = " ".join(text.split())
    assert "40 more outcomes are the same for A and B in every pair" in flat
    assert re.search(r"t_arrival \(days\): Hospital\s+│\s+0\.5\s+│\s+\[0\.25, 0\.75\]", text)
    summary["differences"] = {"peak_zombies": dict(zero)}
    flat = " ".join(_render(summary).split())
    assert "no outcome differs between A and B in any pair" in flat
    assert "paired differences B − A" not in flat


def test_hours_when_the_scenario_shows_hours() -> None:
    """A run of six hours shows its times in hours, and so do the differences."""
    summary = _compare()
    for e in summary["per_point"]:
        e["horizon_s"] = 6 * 3600.0
        e["median_t_overrun_s"] = 2 * 3600.0
    summary["within_s"] = 6 * 3600.0
    summary["differences"]["t_end_s"] = {"mean": 1800.0, "low": 900.0, "high": 2700.0, "n": 9}
    text = _render(summary)
    _assert_fits(text)
    assert _on_one_line(text, "2 h")
    assert re.search(r"t_end \(h\)\s+│\s+0\.5\s+│\s+\[0\.25, 0\.75\]", text), text


def test_one_run_is_said_run() -> None:
    """A sweep of one replicate a point said "1 runs per point", and one run "1 runs in"."""
    text = _render(_summary("ensemble", [_entry(0, "sir", {})], runs=1, replicates=1))
    flat = " ".join(text.split())
    assert "sir (ssa): 1 run per point, root seed 1" in flat
    assert "1 run in 3.2 s" in flat
    assert "1 runs" not in flat

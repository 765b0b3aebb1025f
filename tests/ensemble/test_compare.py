"""Comparisons: common random numbers and paired differences B − A."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ensemble_helpers import SZR, run_cli

from hyosan.ensemble import Execution, Output, run_compare


def test_identical_scenarios_differ_by_exactly_zero(tmp_path: Path) -> None:
    """The same scenario twice: the same seeds per replicate, every paired difference 0."""
    name, engine, overrides = SZR
    result = run_compare(
        name,
        name,
        12,
        engine=engine,
        overrides=overrides,
        output=Output(tmp_path / "c"),
        execution=Execution(workers=1),
    )
    runs = pq.read_table(tmp_path / "c" / "runs.parquet").to_pydict()
    seeds_a = [s for p, s in zip(runs["point"], runs["seed"], strict=True) if p == 0]
    seeds_b = [s for p, s in zip(runs["point"], runs["seed"], strict=True) if p == 1]
    assert seeds_a == seeds_b
    assert len(set(seeds_a)) == 12
    summary = json.loads((tmp_path / "c" / "summary.json").read_text())
    assert summary == json.loads(json.dumps(result.summary))
    assert summary["kind"] == "compare"
    assert [e["engine"] for e in summary["per_point"]] == [engine, engine]
    assert {"peak_zombies", "t_end_s", "humans_win", "final_zombie"} <= set(summary["differences"])
    for name_, d in summary["differences"].items():
        if d["n"] == 0:
            continue
        assert d["mean"] == 0.0, name_
        if d["n"] > 1:
            assert (d["low"], d["high"]) == (0.0, 0.0), name_
    assert summary["p_humans_win_difference"]["estimate"] == 0.0
    assert (tmp_path / "c" / "scenario-b.toml").is_file()


@pytest.mark.timeout(120)
def test_compare_command(tmp_path: Path) -> None:
    """`hyosan compare A B` on two kill rates: B's humans win more often, shown as a table."""
    spec = tmp_path / "strong.toml"
    from hyosan.scenario.catalog import builtin_scenario_text

    text = builtin_scenario_text("alemi-szr").replace(
        'kill_rate = "0.0008/day"', 'kill_rate = "0.003/day"'
    )
    assert "0.003/day" in text
    spec.write_text(text.replace('name = "alemi-szr"', 'name = "strong"'))
    ran = run_cli(
        "compare",
        "alemi-szr",
        spec,
        "--engine",
        "ssa",
        "--set",
        "initial.S=200",
        "--set",
        'time.horizon="30d"',
        "--runs",
        "30",
        "--workers",
        "2",
        "--out",
        tmp_path / "cmp",
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    assert "paired differences" in ran.stdout
    summary = json.loads((tmp_path / "cmp" / "summary.json").read_text())
    assert summary["scenarios"] == ["alemi-szr", "strong"]
    assert summary["p_humans_win_difference"]["estimate"] > 0

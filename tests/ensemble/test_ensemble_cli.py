"""`hyosan run --runs` end to end: the directory, the table, JSON, and bad flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ensemble_helpers import run_cli

SIR = ["sir", "--engine", "ssa", "--set", "initial.S=490", "--set", 'time.horizon="30d"']


@pytest.mark.timeout(120)
def test_run_runs_workers(tmp_path: Path) -> None:
    """`--runs 20 --workers 2` writes the ensemble directory (with its report) and prints the
    outcome table."""
    ran = run_cli(
        "run", *SIR, "--runs", "20", "--workers", "2", "--out", tmp_path / "e", cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    written = {p.name for p in (tmp_path / "e").iterdir()}
    required = {
        "runs.parquet",
        "bands.parquet",
        "summary.json",
        "scenario.toml",
        "report.html",
        "bands.png",
        # Every engine counts its reactions: their bands, and the report's chart of them.
        "incidence_bands.parquet",
        "epidemic-bands.png",
    }
    # outcomes.png is drawn when an outcome falls in two groups of runs (a SIR's attack rate:
    # minor outbreaks and major ones), which 20 runs may or may not show.
    assert required <= written <= required | {"outcomes.png"}, written
    assert "P(humans win)" in ran.stdout
    assert "20/20" in ran.stderr  # the progress bar
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    assert summary["kind"] == "ensemble"
    assert summary["runs"] == 20
    assert {"p_humans_win", "p_overrun", "p_overrun_within", "median_t_overrun_s"} <= set(
        summary["per_point"][0]
    )
    assert set(summary) >= {"hyosan_version", "scenario", "engine", "root_seed", "points", "wall_s"}


def test_an_ode_ensemble_says_its_runs_are_one(tmp_path: Path) -> None:
    """Many runs of the deterministic ode engine are one run repeated: the command says so
    under its table, and says nothing of the kind for a stochastic engine."""
    ode = run_cli("run", "alemi-szr", "--runs", "3", "--out", tmp_path / "o", cwd=tmp_path)
    assert ode.returncode == 0, ode.stderr
    assert "ode engine is deterministic: the 3 runs" in " ".join(ode.stdout.split())
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "The ode engine is deterministic: the 3 runs" in page
    ssa = run_cli(
        "run", "alemi-szr", "--engine", "ssa", "--runs", "3", "--out", tmp_path / "s",
        "--set", "initial.S=50", cwd=tmp_path,
    )  # fmt: skip
    assert ssa.returncode == 0, ssa.stderr
    assert "deterministic" not in ssa.stdout
    assert "deterministic" not in (tmp_path / "s" / "report.html").read_text(encoding="utf-8")


def test_json_and_within(tmp_path: Path) -> None:
    """`--json` prints summary.json; `--within` sets the time of P(overrun within)."""
    ran = run_cli(
        "run", *SIR, "--runs", "3", "--workers", "1", "--within", "3d", "--json", cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout)
    assert summary["per_point"][0]["p_overrun_within"]["within_s"] == 3 * 86400
    # The default directory is named by the command's fingerprint, so the same command resumes.
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("sir-ensemble-")
    again = run_cli(
        "run", *SIR, "--runs", "3", "--workers", "1", "--within", "3d", "--quiet", cwd=tmp_path
    )
    assert again.returncode == 2
    assert f"{Path('runs') / made.name}: this command has run already" in again.stderr
    assert "add --force to run it again" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs must be 1 or more"),
        (["--workers", "2"], "go with --runs"),
        (["--runs", "2", "--workers", "0"], "--workers must be 1 or more"),
        (["--runs", "2", "--within", "soon"], "--within 'soon'"),
        (["--runs", "2", "--cluster", "tcp://127.0.0.1:9"], "--cluster"),
        # Refused before any run (issue 18: the checks of a run are made up front).
        (["--runs", "2", "--workers", "1", "--set", "initial.S=10.5"], "must be whole numbers"),
    ],
)
def test_bad_flags_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    """Bad ensemble flags exit 2 with a message naming the flag, never a traceback."""
    ran = run_cli("run", *SIR, *args, cwd=tmp_path, timeout=120)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr
    runs = tmp_path / "runs"
    assert not runs.exists() or not any(runs.iterdir())  # nothing left behind


def test_one_run_is_said_run(tmp_path: Path) -> None:
    """`run --runs 1` said "1 runs on 1 worker", "1 runs per point" and "1 runs in"."""
    ran = run_cli("run", *SIR, "--runs", "1", "--workers", "1", "--out", "one", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    said = " ".join((ran.stdout + ran.stderr).split())
    assert "1 run on 1 worker" in said
    assert "1 run per point" in said
    assert "1 run in " in said
    assert "1 runs" not in said

"""Many-run input that ran to a misleading result: refused before any run, naming the flag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ensemble_helpers import run_cli

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


# --- a key both set and varied --------------------------------------------------------------

SWEPT = "parameters.transmission_rate"


@pytest.mark.parametrize(
    ("spec", "given"),
    [
        (f"{SWEPT}=0.2:0.5:3", f"{SWEPT}=0.3/day"),
        ("initial.I=1:3:3", "initial.I=2"),
        # A table given whole, holding the key: its value of the key would be replaced too.
        ("initial.I=1:3:3", "initial={ S = 900, I = 2, R = 0 }"),
    ],
)
def test_a_key_both_set_and_varied_is_refused(spec: str, given: str) -> None:
    """--set of a key --vary varies was replaced at every point, without a word."""
    text = builtin_scenario_text("sir")
    scen = hyosan.load_scenario("sir", [given])
    key = spec.partition("=")[0]
    with pytest.raises(VaryError) as raised:
        parse_vary([spec], text, scen, overrides=[given])
    assert str(raised.value) == (
        f"--vary {key}: the key is both set (--set {given}) and varied, and the varied values "
        "would replace the --set at every point; give either the --set or the --vary"
    )


def test_a_set_beside_the_varied_key_is_taken() -> None:
    """A --set of another key, or of a table that does not hold the varied key, still goes."""
    text = builtin_scenario_text("sir")
    overrides = ["initial.S=900", "time={ horizon = '50d' }"]
    scen = hyosan.load_scenario("sir", overrides)
    (axis,) = parse_vary(["initial.I=1:3:3"], text, scen, overrides=overrides)
    assert axis.values == (1.0, 2.0, 3.0)


def test_a_key_both_set_and_sampled_is_refused(tmp_path: Path) -> None:
    """hyosan sample puts the design's values in after the --set, as a sweep does."""
    from hyosan.ensemble.sample import run_sample

    with pytest.raises(VaryError, match=re.escape(f"vary {SWEPT}: the key is both set")):
        run_sample(
            "sir",
            [f"{SWEPT}=0.2:0.5"],
            engine="ssa",
            overrides=[f"{SWEPT}=0.3/day"],
            output=Output(out=tmp_path / "out"),
        )
    assert not (tmp_path / "out").exists()


def test_a_key_both_set_and_varied_exits_2(tmp_path: Path) -> None:
    """On the command line: exit 2, the message, no traceback and nothing written."""
    ran = run_cli(
        "sweep", "sir", "--engine", "ssa", "--vary", f"{SWEPT}=0.2:0.5:3",
        "--set", f"{SWEPT}=0.3/day", "--runs", "2", cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert f"the key is both set (--set {SWEPT}=0.3/day) and varied" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "runs").exists()


# --- whole numbers that round to fewer points than asked for ---------------------------------


@pytest.mark.parametrize(
    ("spec", "log", "said"),
    [
        ("initial.I=1:3:5", True, "the 5 points asked for (log spaced) round to only 3"),
        ("initial.I=1:3:5", False, "the 5 points asked for round to only 3"),
    ],
)
def test_a_whole_number_axis_of_fewer_numbers_than_points_is_refused(
    spec: str, log: bool, said: str
) -> None:
    """initial.I=1:3:5 ran 3 points (1, 2, 3), the rounded duplicates dropped without a word."""
    text = builtin_scenario_text("sir")
    with pytest.raises(VaryError) as raised:
        parse_vary([spec], text, hyosan.load_scenario("sir"), log=log)
    assert str(raised.value) == (
        f"--vary {spec}: initial.I holds a whole number, and {said} distinct whole numbers "
        "(1, 2, 3); ask for N = 3 or fewer, or widen the range"
    )


def test_the_most_distinct_points_are_suggested() -> None:
    """Log spacing crowds the low end: the N suggested is one that gives N numbers, fewer than
    the distinct numbers of the N asked for, and a grid of that many runs every point."""
    text = builtin_scenario_text("sir")
    scen = hyosan.load_scenario("sir")
    with pytest.raises(VaryError) as raised:
        parse_vary(["initial.I=1:1000:500"], text, scen, log=True)
    found = re.search(r"round to only (\d+) .* ask for N = (\d+) or fewer", str(raised.value))
    assert found is not None, raised.value
    distinct, most = int(found[1]), int(found[2])
    assert most < distinct < 500
    (axis,) = parse_vary([f"initial.I=1:1000:{most}"], text, scen, log=True)
    assert len(set(axis.values)) == most
    with pytest.raises(VaryError):
        parse_vary([f"initial.I=1:1000:{most + 1}"], text, scen, log=True)


def test_a_whole_number_axis_exits_2(tmp_path: Path) -> None:
    """On the command line: exit 2 naming the --vary, nothing written."""
    ran = run_cli(
        "sweep", "sir", "--engine", "ssa", "--vary", "initial.I=1:3:5", "--log", "--runs", "2",
        cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "--vary initial.I=1:3:5: initial.I holds a whole number" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "runs").exists()


# --- the default directory is named after every option that changes what is written ---------

SMALL = ["initial.S=200", 'time.horizon="10d"']


def test_the_default_directory_of_a_command_without_new_options_is_unchanged() -> None:
    """Without --within (or another --outcome, --output) the name is the plan's fingerprint,
    as before: a directory written by an earlier hyosan is still found."""
    from hyosan.ensemble.api import _default_out
    from hyosan.ensemble.plan import EnsemblePlan, Point

    plan = EnsemblePlan("ensemble", 1, 2, (Point(0, "sir", "x", "sir", (), "ssa", 0),))
    expected = Path("runs") / f"sir-ensemble-{plan.fingerprint()[:10]}"
    assert _default_out("sir", plan) == expected
    assert _default_out("sir", plan, {}) == expected
    assert _default_out("sir", plan, {"within_s": 86400.0}) != expected


def test_a_sweep_with_another_within_is_another_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same sweep with --within 9d after --within 5d was refused as 'this command has run
    already', though its summary differs: --within (and --outcome) name the directory too."""
    from hyosan.ensemble import Execution, run_sweep

    monkeypatch.chdir(tmp_path)
    outs = []
    for within, outcome in ((5, "p_humans_win"), (9, "p_humans_win"), (9, "p_overrun")):
        run = run_sweep(
            "sir",
            [f"{SWEPT}=0.2:0.5:2"],
            2,
            engine="ssa",
            overrides=SMALL,
            execution=Execution(workers=1),
            within_s=within * 86400.0,
            outcome=outcome,
        )
        assert run.summary["within_s"] == within * 86400.0
        outs.append(run.out)
    assert len(set(outs)) == 3
    with pytest.raises(HyosanError, match="this command has run already"):
        run_sweep(
            "sir",
            [f"{SWEPT}=0.2:0.5:2"],
            2,
            engine="ssa",
            overrides=SMALL,
            execution=Execution(workers=1),
            within_s=5 * 86400.0,
        )


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_ensemble_or_comparison_with_another_within_runs(tmp_path: Path, command: str) -> None:
    """As for a sweep: --within names the directory of `run --runs` and `compare`."""
    what = ["sir", "--runs", "2"] if command == "run" else ["sir", "sir", "--runs", "2"]
    sets = [a for s in SMALL for a in ("--set", s)]
    for within in ("5d", "9d"):
        ran = run_cli(
            command, *what, "--engine", "ssa", *sets, "--workers", "1", "--within", within,
            "--quiet", cwd=tmp_path,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
    assert len(list((tmp_path / "runs").iterdir())) == 2


@pytest.mark.parametrize("within_s", [-5.0, 0.0, float("nan")])
def test_within_not_after_the_start_is_refused(tmp_path: Path, within_s: float) -> None:
    """Python's within_s took any number: -5 s gave P(overrun within) of a time before the
    runs started."""
    with pytest.raises(HyosanError, match="give a time after the start"):
        run_ensemble("sir", 2, engine="ssa", within_s=within_s, output=Output(out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_one_string_is_one_vary_and_one_override(tmp_path: Path) -> None:
    """A single `KEY=LO:HI:N` (or `KEY=VALUE`) given as a string was read character by
    character: `vary 'i': cannot read it`."""
    run = hyosan.ensemble.run_sweep(
        "sir",
        "initial.I=1:3:2",
        runs=1,
        engine="ssa",
        overrides="time.horizon=20d",
        execution=hyosan.ensemble.Execution(workers=1),
        output=Output(out=tmp_path / "out"),
    )
    assert run.runs.column("initial.I").to_pylist() == [1.0, 3.0]
    assert set(run.runs.column("t_end_s").to_pylist()) == {20 * 86400.0}


def test_an_executor_and_a_cluster_are_refused(tmp_path: Path) -> None:
    """Both were accepted, and the cluster silently went unused."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, pytest.raises(HyosanError, match="not both"):
        run_ensemble(
            "sir",
            2,
            engine="ssa",
            execution=hyosan.ensemble.Execution(cluster="tcp://127.0.0.1:1", executor=pool),
            output=Output(out=tmp_path / "out"),
        )
    assert not (tmp_path / "out").exists()

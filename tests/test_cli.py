"""The command line end to end: the installed `hyosan` script in real subprocesses.

Each subprocess costs about half a second to start and a default run about as much again, so
runs that several tests look at are made once per module (`runs` below); every run works in
a temporary directory, so `runs/` and any leftovers land there and can be checked.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hyosan
from hyosan.cli import main
from hyosan.scenario.catalog import builtin_scenario_names
from hyosan.scenario.load import load_scenario

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: Every key docs/design.md promises in summary.json.
SUMMARY_KEYS = {
    "hyosan_version",
    "scenario",
    "engine",
    "seed",
    "t_end_s",
    "final",
    "peak_zombies",
    "t_peak_zombies_s",
    "t_overrun_s",
    "humans_win",
    "survivors",
    "wall_s",
}
RUN_FILES = {"scenario.toml", "summary.json", "timeseries.parquet", "incidence.parquet"}
DAY = 86400.0


def hyosan_command() -> list[str]:
    """The installed console script, or the same entry point through this interpreter."""
    for candidate in (Path(sys.executable).parent / "hyosan", shutil.which("hyosan")):
        if candidate and Path(candidate).is_file():
            return [str(candidate)]
    return [sys.executable, "-c", "from hyosan.cli import main; main()"]


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def hyosan_run(*args: str | Path, cwd: Path) -> Ran:
    """Run `hyosan ARGS` in cwd; stdout and stderr without colour codes."""
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_DEBUG"}
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        [*hyosan_command(), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    ran = Ran(proc.returncode, ANSI.sub("", proc.stdout), ANSI.sub("", proc.stderr))
    assert "Traceback" not in ran.both, ran.both
    return ran


def summary_of(run_dir: Path) -> dict[str, object]:
    return json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def without_wall(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k != "wall_s"}


def entries(folder: Path) -> set[str]:
    """Every name in a folder, hidden ones included."""
    return {p.name for p in folder.iterdir()}


@dataclass
class Runs:
    root: Path
    plain: Ran  # `hyosan run munz-basic --out plain` in root (the default is tested elsewhere)
    as_json: Ran  # `hyosan run --out json --json` in root
    quiet_a: Ran  # `hyosan run --out out --quiet` in root/a
    quiet_b: Ran  # the very same command in root/b


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("cli-runs")
    (root / "a").mkdir()
    (root / "b").mkdir()
    return Runs(
        root=root,
        plain=hyosan_run("run", "munz-basic", "--out", "plain", cwd=root),
        as_json=hyosan_run("run", "munz-basic", "--out", "json", "--json", cwd=root),
        quiet_a=hyosan_run("run", "munz-basic", "--out", "out", "--quiet", cwd=root / "a"),
        quiet_b=hyosan_run("run", "munz-basic", "--out", "out", "--quiet", cwd=root / "b"),
    )


# --- hyosan run ---------------------------------------------------------------------------------


def test_run_writes_a_complete_run_directory(runs: Runs) -> None:
    assert runs.plain.code == 0, runs.plain.both
    out = runs.root / "plain"
    assert entries(out) >= RUN_FILES
    # Nothing else appears beside it: no hidden partial directory, no runs/ folder.
    assert entries(runs.root) == {"plain", "json", "a", "b"}


def test_run_prints_a_short_summary(runs: Runs) -> None:
    assert "munz-basic (ode, seed 1)" in runs.plain.out
    assert "peak zombies" in runs.plain.out
    assert "the zombies win" in runs.plain.out
    assert "run directory: plain" in runs.plain.out


def test_summary_json_has_every_documented_key(runs: Runs) -> None:
    summary = summary_of(runs.root / "plain")
    assert set(summary) >= SUMMARY_KEYS, SUMMARY_KEYS - set(summary)
    assert summary["hyosan_version"] == hyosan.__version__
    assert (summary["scenario"], summary["engine"], summary["seed"]) == ("munz-basic", "ode", 1)
    assert summary["t_end_s"] == 10 * DAY
    final = summary["final"]
    assert isinstance(final, dict)
    assert set(final) == {"human", "zombie", "removed"}
    assert sum(final.values()) == pytest.approx(501, rel=1e-6)
    assert summary["humans_win"] is False
    assert summary["survivors"] == []
    assert isinstance(summary["peak_zombies"], float)
    assert 0 < summary["t_overrun_s"] < 10 * DAY  # type: ignore[operator]
    assert summary["wall_s"] >= 0  # type: ignore[operator]


def test_timeseries_has_times_and_states(runs: Runs) -> None:
    table = pq.read_table(runs.root / "plain" / "timeseries.parquet")
    assert {"t", "S", "Z", "R", "n_human", "n_zombie", "n_removed"} <= set(table.column_names)
    t = table.column("t").to_pylist()
    assert t[0] == 0.0
    assert t[-1] == 10 * DAY
    assert table.num_rows == 1001  # every 0.01 d over 10 d, both ends
    assert all(b > a for a, b in itertools.pairwise(t))


def test_scenario_toml_is_the_resolved_scenario(runs: Runs) -> None:
    text = (runs.root / "plain" / "scenario.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert (data["name"], data["engine"], data["seed"]) == ("munz-basic", "ode", 1)
    assert data["parameters"]["bite_rate"] == "0.0095/day"  # units kept as written
    assert load_scenario(runs.root / "plain" / "scenario.toml") == load_scenario("munz-basic")


def test_json_prints_the_summary(runs: Runs) -> None:
    assert runs.as_json.code == 0, runs.as_json.both
    printed = json.loads(runs.as_json.out)
    assert without_wall(printed) == without_wall(summary_of(runs.root / "json"))
    assert set(printed) >= SUMMARY_KEYS


def test_quiet_prints_nothing(runs: Runs) -> None:
    for ran in (runs.quiet_a, runs.quiet_b):
        assert (ran.code, ran.out, ran.err) == (0, "", "")
    assert entries(runs.root / "a" / "out") >= RUN_FILES


def test_the_same_command_gives_the_same_run(runs: Runs) -> None:
    a, b = runs.root / "a" / "out", runs.root / "b" / "out"
    assert (a / "timeseries.parquet").read_bytes() == (b / "timeseries.parquet").read_bytes()
    assert without_wall(summary_of(a)) == without_wall(summary_of(b))
    assert (a / "scenario.toml").read_text() == (b / "scenario.toml").read_text()
    # The printed, plain and quiet runs of the same scenario are the same run too.
    for other in (runs.root / "plain", runs.root / "json"):
        assert (other / "timeseries.parquet").read_bytes() == (
            a / "timeseries.parquet"
        ).read_bytes()
        assert without_wall(summary_of(other)) == without_wall(summary_of(a))


def test_rerunning_scenario_toml_reproduces_the_run(runs: Runs, tmp_path: Path) -> None:
    first = runs.root / "a" / "out"
    ran = hyosan_run("run", first / "scenario.toml", "--out", "again", "-q", cwd=tmp_path)
    assert ran.code == 0, ran.both
    again = tmp_path / "again"
    assert pq.read_table(again / "timeseries.parquet").equals(
        pq.read_table(first / "timeseries.parquet")
    )
    assert without_wall(summary_of(again)) == without_wall(summary_of(first))


def test_run_without_out_writes_under_runs(tmp_path: Path) -> None:
    ran = hyosan_run("run", "munz-culls", "-q", cwd=tmp_path)
    assert ran.code == 0, ran.both
    assert entries(tmp_path) == {"runs"}
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("munz-culls-")
    assert entries(made) >= RUN_FILES


def test_set_changes_the_result(runs: Runs, tmp_path: Path) -> None:
    ran = hyosan_run(
        "run",
        "munz-basic",
        "--set",
        "parameters.kill_rate=0.02/day",
        "--out",
        "killers",
        "--json",
        cwd=tmp_path,
    )
    assert ran.code == 0, ran.both
    changed = json.loads(ran.out)
    default = summary_of(runs.root / "plain")
    assert changed["final"] != default["final"]
    # Humans who kill four times as often as they are bitten win: the default's zombies do not.
    assert (default["humans_win"], changed["humans_win"]) == (False, True)
    resolved = tomllib.loads((tmp_path / "killers" / "scenario.toml").read_text())
    assert resolved["parameters"]["kill_rate"] == "0.02/day"


def test_existing_out_is_refused_then_replaced_with_force(tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    ran = hyosan_run("run", "munz-basic", "--out", out, "-q", cwd=tmp_path)
    assert ran.code == 2
    assert "already exists" in ran.err
    assert "--force" in ran.err
    assert entries(out) == {"keep.txt"}
    assert (out / "keep.txt").read_text() == "mine"
    assert entries(tmp_path) == {"existing"}

    # --force replaces only what hyosan wrote: never a directory of the user's (issue 18).
    ran = hyosan_run("run", "munz-basic", "--out", out, "-q", "--force", cwd=tmp_path)
    assert ran.code == 2, ran.both
    assert "not one" in ran.err
    assert entries(out) == {"keep.txt"}

    (out / "keep.txt").unlink()  # an empty directory holds nothing to lose: no --force needed
    assert hyosan_run("run", "munz-basic", "--out", out, "-q", cwd=tmp_path).code == 0
    ran = hyosan_run("run", "munz-basic", "--out", out, "-q", "--force", cwd=tmp_path)
    assert ran.code == 0, ran.both
    assert entries(out) == RUN_FILES | {"report.html", "timeseries.png", "epidemic.png"}
    assert entries(tmp_path) == {"existing"}  # the old one is gone, nothing hidden is left


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--engine", "warp-drive"], "unknown engine 'warp-drive'; choose one of"),
        (["--set", "parameters.bite_rate=0.02"], '"0.02/day"'),
        (["--set", "time.horizon=1e9d"], "time.horizon"),
        (["--set", "initial"], "KEY=VALUE"),
        (["no-such-scenario.toml"], "no such file"),
    ],
    ids=["unknown-engine", "bare-rate", "absurd-horizon", "bad-set", "no-such-file"],
)
def test_a_failed_run_leaves_nothing_behind(args: list[str], fragment: str, tmp_path: Path) -> None:
    ran = hyosan_run("run", *args, "--out", "out", cwd=tmp_path)
    assert ran.code == 2, ran.both
    assert fragment in ran.err
    assert ran.out == ""
    assert entries(tmp_path) == set()  # no out, no hidden partial directory, no runs/


def test_out_that_cannot_be_made_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    ran = hyosan_run("run", "munz-culls", "--out", "a-file/out", "-q", cwd=tmp_path)
    assert ran.code == 2, ran.both
    assert "cannot write a-file/out" in ran.err
    assert entries(tmp_path) == {"a-file"}


# --- the other commands -------------------------------------------------------------------------


def test_validate_a_good_file_prints_one_line(runs: Runs) -> None:
    path = runs.root / "plain" / "scenario.toml"
    ran = hyosan_run("validate", path, cwd=runs.root)
    assert ran.code == 0, ran.both
    assert ran.err == ""
    lines = ran.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: valid scenario 'munz-basic'")


def test_scenarios_lists_every_builtin_once(tmp_path: Path) -> None:
    ran = hyosan_run("scenarios", cwd=tmp_path)
    assert ran.code == 0, ran.both
    lines = ran.out.splitlines()
    names = builtin_scenario_names()
    assert [line.split()[0] for line in lines] == names
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)  # each has its description


def test_show_prints_toml_that_runs(tmp_path: Path) -> None:
    ran = hyosan_run("show", "munz-culls", cwd=tmp_path)
    assert ran.code == 0, ran.both
    assert tomllib.loads(ran.out)["name"] == "munz-culls"
    (tmp_path / "mine.toml").write_text(ran.out, encoding="utf-8")
    ran = hyosan_run("run", "mine.toml", "--out", "mine", "--json", cwd=tmp_path)
    assert ran.code == 0, ran.both
    assert json.loads(ran.out)["scenario"] == "munz-culls"


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_show_every_scenario_validates(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In process (main is the console script's entry point): one subprocess per name is slow.
    with pytest.raises(SystemExit) as exc:
        main(["show", name])
    assert exc.value.code in (0, None)
    path = tmp_path / f"{name}.toml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    assert exc.value.code in (0, None)
    said = capsys.readouterr()
    assert said.out.startswith(f"{path}: valid scenario {name!r}")
    assert "note:" not in said.err  # a built-in asks for nothing that its run ignores


def test_help_exits_0_and_lists_the_commands(tmp_path: Path) -> None:
    ran = hyosan_run("--help", cwd=tmp_path)
    assert ran.code == 0, ran.both
    for command in ("run", "scenarios", "show", "validate"):
        assert re.search(rf"^\W*{command}\b", ran.out, re.MULTILINE), ran.out


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    # `hyosan --help` must be quick: it may not import the simulation stack. (No timing here:
    # what is imported is the deterministic cause of slowness.)
    code = (
        "import sys\n"
        "from hyosan.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('scipy', 'numba', 'pyarrow', 'matplotlib', 'pydantic', 'numpy')\n"
        "print(' '.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert proc.stderr.strip() == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code in (0, None)
    assert capsys.readouterr().out == f"hyosan {hyosan.__version__}\n"


@pytest.mark.parametrize(
    "args",
    [["run", "--seed", "-1"], ["run", "--no-such-option"], ["frobnicate"], ["show"]],
    ids=["negative-seed", "unknown-option", "unknown-command", "missing-argument"],
)
def test_usage_errors_exit_2(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
    assert entries(tmp_path) == set()


def test_measures_after_the_end_are_said_not_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run cut short of its interventions' windows lists them as not reached, rather than
    printing each with its window and nothing done, as if it had happened."""
    with pytest.raises(SystemExit) as ended:
        main(["run", "hyosan-high", "--set", "time.horizon=1h", "--no-report",
              "--out", str(tmp_path / "r")])  # fmt: skip
    assert ended.value.code in (0, None)
    out = capsys.readouterr().out
    assert "not reached before the run ended: helicopter at the roof (30 h)" in out
    assert "taken out 0" not in out


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> Ran:
    """`hyosan ARGS` in this process: its exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as ended:
        main(args)
    said = capsys.readouterr()
    return Ran(ended.value.code or 0, said.out, said.err)


def test_a_name_that_looks_like_markup_is_printed_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary's title is the scenario's name as written: "[/]" in it once ended a
    finished run in an internal error (exit 1), and "[bold]" was eaten as markup."""
    name = "[/]odd [bold]x[/bold]"
    text = load_scenario_text("munz-basic").replace('name = "munz-basic"', f'name = "{name}"')
    path = tmp_path / "odd.toml"
    path.write_text(text, encoding="utf-8")
    ran = _main(["run", str(path), "--set", "time.horizon=1d", "--no-report",
                 "--out", str(tmp_path / "r")], capsys)  # fmt: skip
    assert ran.code == 0, ran.both
    assert name in ran.out


def test_quiet_prints_no_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet prints nothing on success, notes included (they go to stderr otherwise)."""
    text = load_scenario_text("munz-basic") + '\n[agents]\nstep = "5s"\n'
    path = tmp_path / "noted.toml"
    path.write_text(text, encoding="utf-8")
    args = ["run", str(path), "--set", "time.horizon=1d", "--no-report"]
    loud = _main([*args, "--out", str(tmp_path / "loud")], capsys)
    assert loud.code == 0
    assert "note: [agents]" in loud.err
    quiet = _main([*args, "--out", str(tmp_path / "quiet"), "-q"], capsys)
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")


def test_an_engine_refusal_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What an engine refuses (fractional people for ssa) is said with the file it is in."""
    path = tmp_path / "half.toml"
    path.write_text(
        'name = "half"\nengine = "ssa"\nmodel = "sir"\n[initial]\nS = 1.5\nI = 1\n'
        '[time]\nhorizon = "1d"\n',
        encoding="utf-8",
    )
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "r")]):
        ran = _main(command, capsys)
        assert ran.code == 2
        assert f"error: {path}: this engine counts people" in " ".join(ran.err.split())
    assert not (tmp_path / "r").exists()


def test_show_model_and_building_at_once_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    ran = _main(["show", "--model", "--building", "hyosan-high"], capsys)
    assert ran.code == 2
    assert "give one of them" in ran.err


def load_scenario_text(name: str) -> str:
    from hyosan.scenario.catalog import builtin_scenario_text

    return builtin_scenario_text(name)

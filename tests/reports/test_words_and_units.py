"""Words that fit the model, one unit of time everywhere, completion, and Python's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hyosan
from hyosan.cli import app, main
from hyosan.ensemble import Output, run_ensemble
from hyosan.errors import HyosanError, ScenarioError, python_words
from hyosan.reports.rundata import RunData

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_sir_is_told_as_an_epidemic(tmp_path: Path) -> None:
    """Plain SIR: no humans winning, no overrun; the share infected instead."""
    out = _run("run", "sir", "--out", str(tmp_path / "r"), "--no-report")
    assert "epidemic over: 80 % infected" in out
    assert "humans win" not in out
    assert "overrun" not in out
    assert "susceptible" in out
    assert "infectious" in out
    headline = dict(_headline(tmp_path / "r"))
    assert headline["outcome"] == "epidemic over: 80 % infected"
    assert "overrun (80 % lost)" not in headline
    assert headline["attack rate"] == "79.7 %"


def _headline(folder: Path) -> list[tuple[str, str]]:
    from hyosan.reports.html import _headline as headline

    return headline(RunData.from_dir(folder))


def test_zombies_keep_their_words(tmp_path: Path) -> None:
    """Munz's zombies: who wins, and when the humans were overrun."""
    out = _run("run", "munz-basic", "--out", str(tmp_path / "r"), "--no-report")
    assert "the zombies win" in out
    assert "overrun" in out
    assert "epidemic" not in out
    headline = dict(_headline(tmp_path / "r"))
    assert headline["outcome"] == "the zombies win"
    assert "overrun (80 % lost)" in headline


def test_one_unit_in_the_terminal_the_report_and_the_frame(tmp_path: Path) -> None:
    """A six-hour run of a scenario shown in days: hours in the terminal, the report and the
    DataFrame's index alike (never "0.25 d" in one and "6 h" in another)."""
    sets = ("--set", 'time.horizon="6h"', "--set", 'time.output_every="10min"')
    out = _run("run", "munz-basic", *sets, "--out", str(tmp_path / "r"), "--no-report")
    result = hyosan.Result.load(tmp_path / "r")
    assert result.unit == "h"
    assert RunData.from_dir(tmp_path / "r").display_unit == "h"
    assert result.to_pandas().index.name == "time (h)"
    assert re.search(r"\d h\b", out)
    assert not re.search(r"\d d\b|\bdays?\b", out)


def test_shell_completion_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    """--show-completion prints the shell's completion function; --help lists both options."""
    assert "--install-completion" in _run("--help")
    # Typer finds the shell among the test's parent processes, and finds none where the run
    # was started in the background and its shell has exited: bash, as a login shell would be.
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    script = _run("--show-completion")
    assert "_HYOSAN_COMPLETE" in script


def test_completion_of_scenario_names() -> None:
    """`hyosan run mun<TAB>` offers the built-in scenarios that start so."""
    from hyosan.cli import _complete_scenario

    names = _complete_scenario("munz-c")
    assert names == ["munz-code", "munz-culls", "munz-cure"]


def test_phase_plot_log_ticks_are_plain_text() -> None:
    """A log axis of the phase plot labels its ticks as numbers ("0.001"), not mathtext."""
    from matplotlib.figure import Figure

    from hyosan.reports.plaintext import plain_log_ticks

    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0.001, 0.1], [0, 1])
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels
    assert "0.01" in labels
    assert not any("$" in text or "^" in text for text in labels)


def test_negative_seed_is_hyosans_error_in_pythons_words() -> None:
    """simulate(seed=-1): a HyosanError that names the seed, not numpy's ValueError."""
    with pytest.raises(HyosanError, match=r"seed must be from 0 to 2\*\*63 - 1; got -1"):
        hyosan.simulate("sir", seed=-1)
    with pytest.raises(HyosanError, match="whole number"):
        hyosan.simulate("sir", seed=1.5)  # type: ignore[arg-type]


def test_save_speaks_python(tmp_path: Path) -> None:
    """Result.save into an existing directory: the error names force=True, not --force."""
    result = hyosan.simulate("sir", overrides=('time.horizon="1d"',))
    result.save(tmp_path / "r")
    with pytest.raises(HyosanError) as caught:
        result.save(tmp_path / "r")
    message = str(caught.value)
    assert "force=True" in message
    assert "--out" not in message
    assert "--force" not in message
    result.save(tmp_path / "r", force=True)


def test_every_python_entry_point_names_arguments_not_flags(tmp_path: Path) -> None:
    """The commands and the Python API share their checks: from Python, an error names the
    function's arguments (overrides, out, force=True), from the command line its flags."""
    with pytest.raises(ScenarioError) as caught:
        hyosan.simulate("sir", overrides=["nope=1"])
    assert "(from the override nope=1)" in str(caught.value)
    assert "(from the override nope=1)" in caught.value.problems[0].message
    assert "--set" not in str(caught.value)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "mine.txt").write_text("not hyosan's")
    with pytest.raises(HyosanError) as caught:
        run_ensemble("sir", 2, output=Output(out=taken, force=True))
    message = str(caught.value)
    assert "force=True replaces only" in message
    assert "--" not in message
    assert (taken / "mine.txt").read_text() == "not hyosan's"


def test_the_command_line_keeps_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "sir", "--set", "nope=1"])
    assert stop.value.code == 2
    assert "(from --set nope=1)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("said", "in_python"),
    [
        ("--out x: a file; choose another --out", "out x: a file; choose another directory"),
        ("x exists; choose another --out or add --force to replace it",
         "x exists; save to another directory, or pass force=True to replace it"),
        ("--vary 'k': bad; --time-unit hours", "vary 'k': bad; time_unit hours"),
        ("give it with --data FILE; or --no-report", "give it with data=FILE; or report=False"),
        ("(from --set a=1); --quiet", "(from the override a=1); quiet=True"),
        ("x--y and --ab-c-d", "x--y and ab_c_d"),
    ],
)  # fmt: skip
def test_python_words(said: str, in_python: str) -> None:
    assert python_words(said) == in_python


def test_a_place_everyone_fled_is_not_the_zombies_victory() -> None:
    """No humans left where the zombies are, but people got out: the words say so, where a
    building all but one fled read "the zombies win"."""
    from dataclasses import replace

    headline = hyosan.simulate("munz-basic").headline()
    fled = replace(headline, humans_win=False, final={**headline.final, "human": 0.0, "safe": 19})
    assert fled.outcome == "the zombies hold the place; 19 reached safety"
    lost = replace(fled, final={**fled.final, "safe": 0.0})
    assert lost.outcome == "the zombies win"
    # Nor is a place the last zombies left too (culls, a strike): nobody won.
    emptied = replace(fled, final={**fled.final, "zombie": 0.0, "bitten": 0.0})
    assert emptied.outcome == "nobody is left inside; 19 reached safety"
    gone = replace(emptied, final={**emptied.final, "safe": 0.0})
    assert gone.outcome == "nobody is left: the last humans and zombies are gone"

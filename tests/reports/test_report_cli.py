"""`hyosan run` writes the report with the run directory; `hyosan report DIR` rebuilds it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hyosan.cli import main


def cli(*args: str | Path) -> int:
    """Run the command line in this process; its exit code."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return int(exit_info.value.code or 0)


def test_run_writes_report_and_pictures(tmp_path: Path) -> None:
    """A run directory holds report.html and the time-series PNG (no map without places)."""
    out = tmp_path / "run"
    assert cli("run", "munz-basic", "--out", out, "--quiet") == 0
    assert (out / "report.html").is_file()
    assert (out / "timeseries.png").is_file()
    assert not (out / "outbreak.gif").exists()
    # Nothing half-written is left beside the report.
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_no_report_writes_none(tmp_path: Path) -> None:
    """--no-report: the run directory has no report, PNG or GIF."""
    out = tmp_path / "run"
    assert cli("run", "munz-basic", "--out", out, "--quiet", "--no-report") == 0
    assert (out / "summary.json").is_file()
    assert not (out / "report.html").exists()
    assert not list(out.glob("*.png"))


def test_report_is_written_before_the_run_directory_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report is written into the hidden folder, so the run directory appears with it."""
    import hyosan.reports

    out = tmp_path / "run"
    seen: list[bool] = []

    def spy(folder: Path, **options: object) -> None:
        seen.append(out.exists())
        (Path(folder) / "report.html").write_text("spy", encoding="utf-8")

    monkeypatch.setattr(hyosan.reports, "write_report", spy)
    assert cli("run", "munz-basic", "--out", out, "--quiet") == 0
    assert seen == [False]
    assert (out / "report.html").read_text(encoding="utf-8") == "spy"


def test_a_run_with_a_map_draws_its_pictures_in_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hyosan run` of a scenario with a map starts the picture helper, which draws its share;
    the helper is gone when the command ends, and so it is when the report fails."""
    from hyosan import helper_process
    from hyosan.reports import picture_helper
    from hyosan.reports.build import HELPER_DRAWS

    monkeypatch.setattr(helper_process, "cores", lambda: 2)
    monkeypatch.delenv("HYOSAN_REPORT_PROCESSES", raising=False)
    started: list[picture_helper.PictureHelper] = []
    answers: list[object] = []
    real_start = picture_helper.start_picture_helper

    def start() -> picture_helper.PictureHelper | None:
        helper = real_start()
        assert helper is not None
        real_drawn = helper.drawn
        monkeypatch.setattr(helper, "drawn", lambda: answers.append(real_drawn()) or answers[-1])
        started.append(helper)
        return helper

    monkeypatch.setattr(picture_helper, "start_picture_helper", start)
    out = tmp_path / "run"
    assert cli("run", "hyosan-high", "--set", "time.horizon=1h", "--out", out, "--quiet") == 0
    assert len(started) == 1
    assert answers == [list(HELPER_DRAWS)]
    assert started[0]._proc is None  # ended
    for name in ("timeseries.png", "epidemic.png", "first-zombie.png", "outbreak.gif"):
        assert (out / name).stat().st_size > 0
    assert not list(out.glob(".*"))  # nothing half-written left behind

    import hyosan.reports

    def broken(folder: Path, **options: object) -> None:
        raise RuntimeError("no ink")

    monkeypatch.setattr(hyosan.reports, "write_report", broken)
    assert cli("run", "hyosan-high", "--set", "time.horizon=1h", "--out", tmp_path / "b") == 0
    assert len(started) == 2
    assert started[1]._proc is None


def test_a_failing_report_keeps_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """If the report fails, the run directory is still written and a warning says why."""
    import hyosan.reports

    def broken(folder: Path, **options: object) -> None:
        raise RuntimeError("no ink")

    monkeypatch.delenv("HYOSAN_DEBUG", raising=False)
    monkeypatch.setattr(hyosan.reports, "write_report", broken)
    out = tmp_path / "run"
    assert cli("run", "munz-basic", "--out", out, "--quiet") == 0
    assert (out / "summary.json").is_file()
    assert "no report written (RuntimeError: no ink)" in capsys.readouterr().err


def test_report_rebuilds_a_run_directory(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`hyosan report DIR` writes report.html again; --no-pictures writes only that."""
    out = tmp_path / "run"
    assert cli("run", "munz-basic", "--out", out, "--quiet", "--no-report") == 0
    assert cli("report", out, "--no-pictures") == 0
    assert (out / "report.html").is_file()
    assert not (out / "timeseries.png").exists()
    assert "report.html" in capsys.readouterr().out
    assert cli("report", out, "--quiet") == 0
    assert (out / "timeseries.png").is_file()


def test_report_rebuilds_an_ensemble_directory(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """`hyosan report DIR` on an ensemble directory writes its report and bands plot."""
    folder = write_ensemble(tmp_path / "ens")
    assert cli("report", folder, "--quiet") == 0
    assert (folder / "report.html").is_file()
    assert (folder / "bands.png").is_file()


def test_report_of_a_missing_directory_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that is not there, or not a run, exits 2 with a message naming it."""
    assert cli("report", tmp_path / "nowhere") == 2
    assert "nowhere is not a directory" in capsys.readouterr().err
    assert cli("report", tmp_path) == 2
    assert "not a run directory" in capsys.readouterr().err

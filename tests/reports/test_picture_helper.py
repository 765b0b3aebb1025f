"""The helper process that draws some of a run's pictures while the command draws the rest."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import hyosan
from hyosan.reports import write_report
from hyosan.reports.build import HELPER_DRAWS
from hyosan.reports.picture_helper import PictureHelper, start_picture_helper
from hyosan.scenario.load import load_scenario

PICTURES = ["timeseries.png", "epidemic.png", "first-zombie.png", "outbreak.gif"]


@pytest.fixture(scope="module", autouse=True)
def pinned_stamp() -> Iterator[None]:
    """Every report in this module says it was written at the same minute: the pages are compared
    byte for byte, and without this a minute turning between two of them fails the comparison."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1796803200")
        yield


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short Hyosan High run's directory with its report drawn in this process alone."""
    scen = load_scenario("hyosan-high", ["time.horizon=1h"])
    out = hyosan.simulate(scen, seed=2).save(tmp_path_factory.mktemp("run") / "alone")
    write_report(out)
    return out


def _copy_without_report(run_dir: Path, to: Path) -> Path:
    shutil.copytree(run_dir, to)
    for name in [*PICTURES, "report.html"]:
        (to / name).unlink()
    return to


def _helper(monkeypatch: pytest.MonkeyPatch) -> PictureHelper:
    from hyosan import helper_process

    monkeypatch.delenv("HYOSAN_REPORT_PROCESSES", raising=False)
    monkeypatch.setattr(helper_process, "cores", lambda: 2)  # even on a one-core machine
    helper = start_picture_helper()
    assert helper is not None
    return helper


def test_the_helper_draws_its_share_byte_for_byte(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a helper the report has the same pictures and page, byte for byte, and the helper
    drew its share of them."""
    folder = _copy_without_report(run_dir, tmp_path / "helped")
    helper = _helper(monkeypatch)
    asked: list[list[str]] = []
    real_draw = helper.draw

    def draw(f: Path, names: list[str]) -> bool:
        asked.append(list(names))
        return real_draw(f, names)

    monkeypatch.setattr(helper, "draw", draw)
    answers: list[object] = []
    real_drawn = helper.drawn
    monkeypatch.setattr(helper, "drawn", lambda: answers.append(real_drawn()) or answers[-1])
    files = write_report(folder, helper=helper)
    assert asked == [list(HELPER_DRAWS)]
    assert answers == [list(HELPER_DRAWS)]  # it answered: nothing was redrawn here
    assert [p.name for p in files.pictures] == PICTURES
    for name in [*PICTURES, "report.html"]:
        assert (folder / name).read_bytes() == (run_dir / name).read_bytes(), name
    assert not list(folder.glob(".*partial*"))


def test_a_failed_helper_costs_only_time(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper that died before it was asked, or that fails on its job, leaves the command
    to draw every picture itself: the same report."""
    dead = _helper(monkeypatch)
    assert dead._proc is not None
    dead._proc.kill()
    dead._proc.wait()
    folder = _copy_without_report(run_dir, tmp_path / "dead")
    files = write_report(folder, helper=dead)
    dead.close()
    assert [p.name for p in files.pictures] == PICTURES
    # A helper that cannot read the run (its files gone when it looks): it answers nothing.
    failing = _helper(monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert failing.draw(empty, HELPER_DRAWS)
    assert failing.drawn() is None
    folder = _copy_without_report(run_dir, tmp_path / "failing")
    files = write_report(folder, helper=failing)  # already used: not asked again
    for name in [*PICTURES, "report.html"]:
        assert (folder / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_a_helper_never_asked_ends_when_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    helper = _helper(monkeypatch)
    proc = helper._proc
    assert proc is not None
    assert proc.poll() is None  # waiting for a run directory
    helper.close()
    assert proc.poll() is not None
    assert helper.drawn() is None


def test_the_helper_is_not_started_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYOSAN_REPORT_PROCESSES", "1")
    assert start_picture_helper() is None

"""Reports say things in words readers understand: the thresholds and the outbreak's reach
that the terminal gives are in the report too, named in words rather than identifiers."""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from hyosan.reports import write_report
from hyosan.results.words import threshold_name


@pytest.fixture(scope="module")
def munz_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """munz-basic (the ode, 10 days) saved as a run directory, without its report."""
    import hyosan

    return hyosan.simulate("munz-basic").save(tmp_path_factory.mktemp("munz") / "run")


def _section(page: str, name: str) -> str:
    """The text of the report's section `name`, its tags dropped."""
    found = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert found, name
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_threshold_names_read_as_words() -> None:
    assert threshold_name("half_of_humans_gone") == "half of humans gone"
    assert threshold_name("zombies_1pct") == "zombies 1 %"
    assert threshold_name("last_human") == "last human"


def test_the_report_says_when_each_threshold_was_crossed(munz_run: Path) -> None:
    """munz-basic's terminal gave "half_of_humans_gone: 2.42 days" and the report nothing;
    both now say "half of humans gone", the report with its level, in a table "When"."""
    from rich.console import Console

    from hyosan.results.summary import Summary

    write_report(munz_run, pictures=False)
    when = _section((munz_run / "report.html").read_text(encoding="utf-8"), "thresholds")
    assert "half of humans gone humans below 250 2.42 days" in when
    assert "last human humans below 1 5.17 days" in when
    assert "_" not in when
    summary = Summary.from_json(json.loads((munz_run / "summary.json").read_text("utf-8")))
    out = io.StringIO()
    summary.print(Console(file=out, width=200), lambda t: "never" if t is None else f"{t:g} s")
    assert "half of humans gone: " in out.getvalue()
    assert "half_of_humans_gone" not in out.getvalue()


def test_the_report_gives_the_outbreaks_reach_and_the_places_never_reached(
    munz_run: Path, tmp_path: Path
) -> None:
    """korea's terminal said "radius 38.8 cells, did not reach the edge" and "no zombie
    reached Seoul"; the report said neither. (munz-basic's run, given a grid's outbreak.)"""
    import shutil

    run = Path(shutil.copytree(munz_run, tmp_path / "run"))
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    summary["outbreak"] = {
        "places_reached": 2175,
        "t_arrival_s": {"Hyosan": 0.0, "Busan": 1.33e6, "Seoul": None},
        "radius_cells": 38.8,
        "reached_edge": False,
    }
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    scenario = (run / "scenario.toml").read_text(encoding="utf-8")
    assert tomllib.loads(scenario)["record"]["arrivals"] == []
    scenario = scenario.replace("arrivals = []", 'arrivals = ["Seoul", "Busan"]', 1)
    (run / "scenario.toml").write_text(scenario, encoding="utf-8")
    write_report(run, pictures=False)
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "38.8 cells from where it began, short of the edge" in page
    assert "No zombie reached Seoul." in _section(page, "arrivals")


def test_short_times_read_in_a_smaller_unit() -> None:
    """hyosan-city's "Hospital 0.00317 days" is 4.57 minutes."""
    from hyosan.scenario.units import fit_unit, format_time

    assert format_time(274.18, fit_unit("d", 274.18)) == "4.57 min"
    assert format_time(14506.0, fit_unit("d", 14506.0)) == "4.03 h"
    assert fit_unit("d", 99743.5) == "d"
    assert fit_unit("d", 0.0) == "d"
    assert fit_unit("h", None) == "h"
    assert fit_unit("h", 30.0) == "s"


def test_arrivals_mark_a_place_that_joined_at_a_handoff(munz_run: Path, tmp_path: Path) -> None:
    """hyosan-city's "Hyosan High 0.168 days" is when the school handed over to the city (it
    had zombies from the start): the terminal and the report say so, and give short times in
    minutes or hours."""
    import shutil

    from rich.console import Console

    from hyosan.results.summary import Summary

    run = Path(shutil.copytree(munz_run, tmp_path / "run"))
    data = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    data["outbreak"] = {
        "places_reached": 3,
        "t_arrival_s": {"Hospital": 274.18, "Hyosan High": 14506.04, "Downtown": 99743.5},
    }
    data["interventions"] = [
        {
            "kind": "handoff",
            "school": "hyosan-high",
            "t_s": 14505.0,
            "stopped_by": "handoff_overrun",
            "inside": {"human": 109, "zombie": 361},
            "escaped": {},
            "place": "Hyosan High",
        }
    ]
    (run / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    write_report(run, pictures=False)
    arrivals = _section((run / "report.html").read_text(encoding="utf-8"), "arrivals")
    assert "Hospital 4.57 min" in arrivals
    assert "Hyosan High 4.03 h (handed over from hyosan-high)" in arrivals
    assert "Downtown 1.15 days" in arrivals
    out = io.StringIO()
    Summary.from_json(data).print(
        Console(file=out, width=300), lambda t: f"{(t or 0) / 86400:.3g} days", unit="d"
    )
    text = out.getvalue()
    assert "Hospital 4.57 min; Hyosan High 4.03 h (handed over from hyosan-high);" in text
    assert "361 zombies" in text
    # A zombie that reached the place before the handoff came on its own.
    data["outbreak"]["t_arrival_s"]["Hyosan High"] = 7200.0
    out = io.StringIO()
    Summary.from_json(data).print(Console(file=out, width=300), lambda t: "?", unit="d")
    assert "Hyosan High 2 h;" in out.getvalue()
    assert "handed over" not in out.getvalue()


def test_the_terminal_and_the_report_name_r_t_alike(munz_run: Path) -> None:
    """The report said "R_t at the start 1.9 (bites per loss)", the terminal "(bites)"."""
    from hyosan.results.summary import Summary

    epidemic = Summary.from_json(
        json.loads((munz_run / "summary.json").read_text(encoding="utf-8"))
    ).epidemic
    assert epidemic is not None
    assert epidemic.r_t_method == "bites"  # summary.json's key, as it was
    line = epidemic.line(lambda t: f"{t}", "d")
    assert line is not None
    assert "(bites per loss)" in line
    assert ("R_t at the start", line.split("R_t at the start ")[1]) in epidemic.rows(
        lambda t: f"{t}", "d"
    )


def test_notes_write_thousands_with_separators(big_grid_places: Any) -> None:
    """Hyosan High's notes said "3601 snapshot times" beside "3,601 recorded times"."""
    from hyosan.reports.frames import place_frames

    frames = place_frames(big_grid_places(4, 4, 1500), max_raw_bytes=20_000)
    assert frames is not None
    note = next(n for n in frames.notes if "snapshot times" in n)
    assert "of the run's 1,500 snapshot times" in note

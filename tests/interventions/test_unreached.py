"""What a run never reached: interventions and culls due after its end are listed as not
reached (summary.json's `"reached": false`, no counts; no runs.parquet figure of what they did),
never as carried out with 0 counts; and a cull after the horizon is accepted like them."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import hyosan
from hyosan.cli import main
from hyosan.results.interventions import Measure, Strike
from hyosan.results.summary import Summary
from hyosan.scenario.load import parse_scenario

HOUR = 3600.0

#: Munz's basic model, well mixed, with a sweep from day 2 to day 6.
SWEEP = """
name = "late sweep"
model = "munz-szr"
[initial]
S = 200
Z = 5
[time]
horizon = "{horizon}"
output_every = "0.5d"
[[interventions]]
kind = "sweep"
name = "Army sweep"
kill = "2/d"
start = "2d"
end = "6d"
"""

#: Culls of the zombies at 1, 2, 5 and 8 days.
CULLS = """
name = "late culls"
model = "munz-szr"
[parameters]
resurrection_rate = "0/day"
[initial]
S = 1000
Z = 1
[time]
horizon = "{horizon}"
output_every = "0.5d"
[[culls]]
compartment = "Z"
times = ["1d", "2d", "5d", "8d"]
fraction = 0.5
"""


def _parse(text: str) -> hyosan.Scenario:
    return parse_scenario(text, "unreached test")


def _when(t: float | None) -> str:
    return "never" if t is None else f"{t / HOUR:g} h"


def _printed(summary: Summary) -> str:
    buffer = StringIO()
    console = Console(file=buffer, width=300, highlight=False, color_system=None, soft_wrap=True)
    summary.print(console, _when)
    return buffer.getvalue()


def _summary(t_end_s: float, *entries: Measure | Strike) -> Summary:
    return Summary(
        hyosan_version="0",
        scenario="s",
        engine="agents",
        seed=1,
        t_end_s=t_end_s,
        final={"human": 1.0},
        final_compartments={"S": 1.0},
        peak_zombies=None,
        t_peak_zombies_s=None,
        t_overrun_s=None,
        humans_win=True,
        survivors=(),
        crossings_s={},
        stopped_by="horizon",
        diagnostics=None,
        wall_s=0.0,
        interventions=entries,
    )


# --- measures and strikes ----------------------------------------------------------------------


def test_a_measure_after_the_end_has_no_counts() -> None:
    """A building's evacuation due at 30 h in a 6 h run: summary.json says `"reached": false`
    and keeps no `taken out: 0`; runs.parquet has no figure of what it did; the report's row
    and the terminal say it was not reached. One that started keeps its counts, 0 included."""
    late = Measure("helicopter", "evacuate", 30 * HOUR, 31 * HOUR, events={"taken out": 0})
    early = Measure("sweep", "sweep", 1 * HOUR, 2 * HOUR, events={"zombies destroyed": 0})
    summary = _summary(6 * HOUR, late, early)
    entries = summary.to_json()["interventions"]
    assert entries[0] == {
        "name": "helicopter",
        "kind": "evacuate",
        "start_s": 30 * HOUR,
        "end_s": 31 * HOUR,
        "reached": False,
    }
    assert entries[1]["events"] == {"zombies destroyed": 0}
    assert "reached" not in entries[1]
    figures = summary.extra_figures()
    assert "helicopter: taken out" not in figures
    assert figures["helicopter: start_s"] == 30 * HOUR
    assert figures["sweep: zombies destroyed"] == 0
    assert summary.interventions is not None
    assert summary.interventions[0].row(_when)[3] == "not reached before the run ended"
    text = _printed(summary)
    assert "not reached before the run ended: helicopter (30 h)" in text
    assert "taken out" not in text
    # Read back, it is the same summary, and written again the same JSON.
    again = Summary.from_json(summary.to_json())
    assert again.interventions == summary.interventions
    assert again.to_json() == summary.to_json()


def test_a_strike_not_carried_out_says_so_in_summary_json() -> None:
    """A strike the run ended before: `"reached": false`, no tallies, no figures."""
    strike = Strike.of("Missile strikes", None, "", {})
    data = _summary(6 * HOUR, strike).to_json()["interventions"][0]
    assert data == {"name": "Missile strikes", "kind": "strike", "reached": False}
    assert strike.figures() == {}


@pytest.mark.parametrize("engine", ["ssa", "ode"])
def test_a_sweep_after_the_horizon_is_not_reached(engine: str) -> None:
    """An engine's run shorter than the sweep's start: the sweep is listed as not reached,
    without the engine's `Army sweep: Z destroyed: 0`; with the full horizon it acts."""
    short = hyosan.simulate(_parse(SWEEP.format(horizon="1d")), engine=engine)
    entry = short.summary()["interventions"][0]
    assert entry["reached"] is False
    assert "events" not in entry
    assert not any(
        k.startswith("Army sweep: Z destroyed") for k in short.headline().extra_figures()
    )
    if engine == "ssa":
        full = hyosan.simulate(_parse(SWEEP.format(horizon="6d")), engine=engine)
        entry = full.summary()["interventions"][0]
        assert "reached" not in entry
        assert "Army sweep: Z destroyed" in entry["events"]


# --- culls -------------------------------------------------------------------------------------


def test_culls_after_the_horizon_are_skipped_and_listed() -> None:
    """A horizon of 3 days before culls at 5 and 8 days: the scenario is valid, the culls at 1
    and 2 days are carried out, the others listed as not reached, as interventions are."""
    from hyosan.results.interventions import MissedCulls

    scenario = _parse(CULLS.format(horizon="3d"))
    result = hyosan.simulate(scenario)
    data = result.summary()
    assert data["interventions"] == [
        {
            "name": "culls[0] of Z",
            "kind": "cull",
            "start_s": 5 * 86400.0,
            "end_s": 8 * 86400.0,
            "count": 2,
            "reached": False,
        }
    ]
    summary = result.headline()
    assert "not reached before the run ended: culls[0] of Z (2 culls, 120 h to 192 h)" in (
        _printed(summary)
    )
    assert summary.extra_figures().keys().isdisjoint({"culls[0] of Z: count"})
    assert Summary.from_json(data).interventions == (
        MissedCulls("culls[0] of Z", 432000.0, 691200.0, 2),
    )
    # The culls before the end acted as in the full run.
    full = hyosan.simulate(_parse(CULLS.format(horizon="8d")))
    t = full.times <= 3 * 86400.0
    assert np.allclose(full.series("zombie")[t], result.series("zombie")[: int(t.sum())])
    # With the full horizon, every cull is carried out (the last at the horizon): no entry.
    assert "interventions" not in full.summary()


def test_a_cull_after_the_horizon_runs_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hyosan run munz-culls --set time.horizon=3d` runs (it was refused, exit 2) and says
    which culls it never reached."""
    out = tmp_path / "mc"
    with pytest.raises(SystemExit) as ended:
        main(["run", "munz-culls", "--set", "time.horizon=3d", "--no-report",
              "--out", str(out)])  # fmt: skip
    assert ended.value.code in (0, None)
    printed = capsys.readouterr().out
    assert "not reached before the run ended: culls[0] of Z (3 culls, 5 days to 10 days)" in printed
    entry = json.loads((out / "summary.json").read_text(encoding="utf-8"))["interventions"][0]
    assert (entry["kind"], entry["count"], entry["reached"]) == ("cull", 3, False)


def test_other_cull_problems_are_still_refused() -> None:
    """Only the horizon check went: a cull of a compartment the model lacks is still refused."""
    bad = CULLS.format(horizon="3d").replace('compartment = "Z"', 'compartment = "Q"')
    with pytest.raises(hyosan.HyosanError, match=r"culls\[0\]\.compartment .*: no compartment 'Q'"):
        _parse(bad)


# --- the edge of a grid ------------------------------------------------------------------------

GRID = """
name = "grid edge"
model = "munz-szr"
[time]
horizon = "1h"
output_every = "1h"
[world]
kind = "grid"
file = "{file}"
fill = "S"
periodic = {periodic}
[[world.seeds]]
at = [0, 0]
counts = {{ Z = 1 }}
"""


@pytest.mark.parametrize("periodic", ["false", "true"])
def test_a_grid_reports_whether_the_outbreak_reached_its_edge(
    tmp_path: Path, periodic: str
) -> None:
    """A grid that is not periodic has an edge (the one stop_at_edge stops at): its outbreak
    says whether it reached it, as a lattice's does; a periodic grid has none."""
    file = tmp_path / "heads.npy"
    np.save(file, np.full((3, 3), 10, dtype=np.int64))
    scenario = _parse(GRID.format(file=file.as_posix(), periodic=periodic))
    outbreak = hyosan.simulate(scenario, engine="ssa").summary()["outbreak"]
    if periodic == "false":
        assert outbreak["reached_edge"] is True  # the seed is in a corner
    else:
        assert "reached_edge" not in outbreak

"""The HTML report as a file: self-contained, bounded in size, and every name escaped."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import HOSTILE_CHARACTER, HOSTILE_DESCRIPTION, HOSTILE_NAME, HOSTILE_ROOM

import hyosan
from hyosan.reports import write_report
from hyosan.reports.html import script_json

MB = 1_000_000


def _scripts(html: str) -> list[tuple[str, str]]:
    """(attributes, body) of every <script> element."""
    return re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)


def _data(html: str) -> dict:
    body = next(b for attrs, b in _scripts(html) if 'id="hyosan-data"' in attrs)
    return json.loads(body)


def test_script_json_cannot_close_its_element() -> None:
    """JSON for a <script> element has no "<", ">" or "&" and reads back the same."""
    value = {"name": "</script><script>alert(1)</script>", "x": "a & b \u2028"}
    text = script_json(value)
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == value


def test_report_is_self_contained(tmp_path: Path) -> None:
    """One file: no link, no external source, a policy that forbids the network, and the only
    script allowed is the viewer, by its hash."""
    out = hyosan.simulate("munz-basic", seed=1).save(tmp_path / "run")
    html = write_report(out, pictures=False).report.read_text(encoding="utf-8")
    assert "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    scripts = _scripts(html)
    assert len(scripts) == 2
    viewer = next(body for attrs, body in scripts if "hyosan-data" not in attrs)
    digest = base64.b64encode(hashlib.sha256(viewer.encode("utf-8")).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1)
    assert f"script-src 'sha256-{digest}'" in policy.group(1)
    assert _data(html)["name"] == "munz-basic"


def test_the_stamp_follows_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reports of one run are the same bytes when SOURCE_DATE_EPOCH pins the stamp, which
    then names that time; a value that is not a number of seconds is ignored."""
    out = hyosan.simulate("munz-basic", seed=1).save(tmp_path / "run")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796803200")
    first = write_report(out, pictures=False).report.read_bytes()
    assert b"2026-12-09 08:00 UTC" in first
    assert write_report(out, pictures=False).report.read_bytes() == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert b"2026-12-09 08:00 UTC" not in write_report(out, pictures=False).report.read_bytes()


def test_every_hostile_string_is_escaped(hostile_run: Path) -> None:
    """Scenario name, description, character, room and event text never reach the page as
    markup: as escaped text in the HTML, and as \\u003c-escaped JSON in the data."""
    html = write_report(hostile_run, pictures=False).report.read_text(encoding="utf-8")
    for hostile in (HOSTILE_CHARACTER, HOSTILE_NAME, HOSTILE_DESCRIPTION, HOSTILE_ROOM):
        assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the character, in the fates table
    assert "&lt;script&gt;window.pwned" in html  # the scenario's name, in the title
    assert "<svg" not in html
    # The page's only images are its own figures (the incidence chart), as inline PNGs.
    assert html.count("<img") == html.count('<img src="data:image/png;base64,')
    # Only the two scripts of the report, whatever the names held.
    assert len(_scripts(html)) == 2
    data = _data(html)
    assert data["name"] == HOSTILE_NAME
    assert HOSTILE_ROOM in data["places"]["points"]["labels"]
    assert any(HOSTILE_CHARACTER in text for _, _, text in data["events"])


def test_report_of_an_ensemble(tmp_path: Path, write_ensemble: Callable[..., Path]) -> None:
    """An ensemble directory's report has its bands, one per point, and the outcome table."""
    folder = write_ensemble(tmp_path / "ens", points=3)
    written = write_report(folder)
    html = written.report.read_text(encoding="utf-8")
    data = _data(html)
    assert data["kind"] == "ensemble"
    assert len(data["bands"]) == 3
    assert set(data["bands"][0]) == {"human", "zombie"}
    assert "Outcomes" in html
    assert "P(humans_win)" in html
    assert [p.name for p in written.pictures] == ["bands.png"]


def test_long_ensemble_stays_small(tmp_path: Path, write_ensemble: Callable[..., Path]) -> None:
    """Bands over very many times are thinned, the report says so and stays under 20 MB."""
    folder = write_ensemble(tmp_path / "ens", points=4, times=60_000)
    written = write_report(folder, pictures=False)
    assert written.report.stat().st_size < 20 * MB
    html = written.report.read_text(encoding="utf-8")
    assert "evenly spaced" in html


def test_million_places_report_stays_small(
    tmp_path: Path, big_grid_places: Callable[..., object]
) -> None:
    """A run of a million places gives a report under 20 MB that says what it summed."""
    out = hyosan.simulate("munz-basic", seed=1).save(tmp_path / "run")
    pq.write_table(big_grid_places(1000, 1000, 24), out / "places.parquet")
    written = write_report(out, pictures=False)
    assert written.report.stat().st_size < 20 * MB
    html = written.report.read_text(encoding="utf-8")
    assert "blocks of" in html
    places = _data(html)["places"]
    assert places["kind"] == "grid"
    assert places["grid"]["rows"] * places["grid"]["cols"] <= 65_536


def test_report_needs_a_run_directory(tmp_path: Path) -> None:
    """A folder that is neither a run nor an ensemble directory is refused by name."""
    from hyosan.errors import HyosanError

    with pytest.raises(HyosanError, match="not a run directory"):
        write_report(tmp_path)


def test_ensemble_outcomes_and_survival_from_summary(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """The ensemble's own probabilities (summary.json's per_point) and each named character's
    chance of surviving are tabled, names escaped."""
    folder = write_ensemble(tmp_path / "ens", points=2)
    estimate = {"estimate": 0.25, "low": 0.1, "high": 0.5}
    summary = {
        "kind": "sweep",
        "scenario": "toy",
        "per_point": [
            {
                "point": p,
                "scenario": "toy",
                "values": {"parameters.bite_rate": 0.5 * (p + 1)},
                "runs": 4,
                "p_humans_win": estimate,
                "median_t_overrun_s": 86400.0,
                "survival": {HOSTILE_CHARACTER: estimate},
            }
            for p in range(2)
        ],
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert "P(humans win) [95 % interval]" in html
    assert "25 % [10–50 %]" in html
    assert "parameters.bite_rate=1<" in html
    assert HOSTILE_CHARACTER not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _data(html)["points"] == ["parameters.bite_rate=0.5", "parameters.bite_rate=1"]


@pytest.mark.parametrize(
    ("withins", "heading"),
    [((172800.0, 345600.0), "P(overrun within its horizon)"), ((172800.0,) * 2, "within 2 d")],
)
def test_a_chance_within_a_time_is_headed_with_it_only_where_points_share_it(
    withins: tuple[float, ...], heading: str
) -> None:
    """A sweep of time.horizon without --within gives each point its own horizon: the heading
    once named the first point's for every point."""
    from hyosan.reports.outcomes import summary_outcome_table

    estimate = {"estimate": 0.5, "low": 0.1, "high": 0.9}
    summary = {
        "kind": "sweep",
        "per_point": [
            {"point": p, "runs": 4, "p_overrun_within": {**estimate, "within_s": w}}
            for p, w in enumerate(withins)
        ],
    }
    table = summary_outcome_table(summary, None, "d", 86400.0)
    assert table is not None
    assert any(heading in h for h in table.headers), table.headers


def test_one_unit_of_time_with_the_clock_beside_it() -> None:
    """Times read in the run's unit, the clock in brackets where the run has one."""
    from hyosan.reports.html import fmt_time
    from hyosan.reports.rundata import fit_unit

    assert fmt_time(11.1 * 3600, "h", 30600.0) == "11.1 h (day 1 19:36)"
    assert fmt_time(2 * 86400, "d") == "2 days"
    assert fmt_time(None, "h") == "never"
    # A six-hour run of a scenario in days reads in hours; a five-day one in days.
    assert fit_unit("d", 6 * 3600.0) == "h"
    assert fit_unit("d", 5 * 86400.0) == "d"


def test_ensemble_times_in_the_unit_of_its_horizon(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """An ensemble of a short horizon reads in hours, not in fractions of a day."""
    from hyosan.reports.rundata import EnsembleData

    folder = write_ensemble(tmp_path / "ens", points=1)
    bands = pq.read_table(folder / "bands.parquet")
    t = pa.array(bands.column("t").to_numpy() / 40)  # ten days become six hours
    pq.write_table(
        bands.set_column(bands.column_names.index("t"), "t", t), folder / "bands.parquet"
    )
    assert EnsembleData.from_dir(folder).display_unit == "h"


def test_sweep_points_at_sensible_precision() -> None:
    """Sweep points read with four significant figures, not a float's seventeen."""
    from hyosan.reports.outcomes import fmt_value, point_labels

    summary = {
        "kind": "sweep",
        "per_point": [{"point": 0, "values": {"kill_rate": 0.00029906975624424415, "n": 3}}],
    }
    assert point_labels(summary) == {0: "kill_rate=0.0002991, n=3"}
    assert fmt_value(2.0) == "2"
    assert fmt_value("ode") == "ode"


def test_bimodal_outcomes_are_two_groups_and_a_histogram(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """Peaks that fall in two groups (die-out, take-over) are described as two groups, not as
    one median with a range spanning both, and drawn as a histogram in the page."""
    from hyosan.reports.outcomes import outcome_table

    folder = write_ensemble(tmp_path / "ens", points=1)
    peaks = [1.0, 2.0, 1.0, 3.0, 2.0, 1.0, 490.0, 494.0, 500.0, 497.0, 495.0, 492.0]
    runs = pa.table(
        {
            "point": [0] * len(peaks),
            "replicate": list(range(len(peaks))),
            "peak_zombies": peaks,
            "final_zombie": [float(i) for i in range(len(peaks))],  # spread out, one group
        }
    )
    pq.write_table(runs, folder / "runs.parquet")
    table = outcome_table(runs)
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["median peak_zombies [5–95 %]"] == "two groups: 50 % near 1.5, 50 % near 494"
    assert row["median final_zombie [5–95 %]"].startswith("5.5 [")
    html = write_report(folder).report.read_text(encoding="utf-8")
    assert "outcomes that fall in two groups of runs" in html
    assert 'src="data:image/png;base64,' in html
    assert (folder / "outcomes.png").is_file()


def test_compare_report_shows_paired_differences(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """A comparison's paired differences B − A appear with their 95 % intervals, times in the
    report's unit."""
    folder = write_ensemble(tmp_path / "cmp", points=2)
    summary = {
        "kind": "compare",
        "scenarios": ["a", "b"],
        "differences": {
            "peak_zombies": {"mean": 84.1, "low": -125.4, "high": 293.6, "n": 10},
            "t_overrun_s": {"mean": -95040.0, "low": None, "high": None, "n": 1},
        },
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert "Paired differences" in html
    assert "<td>peak_zombies</td><td>+84.1</td><td>-125 to +294</td><td>10</td>" in html
    assert "<td>t_overrun (d)</td><td>-1.1</td><td>– (too few pairs)</td>" in html


def test_compare_report_folds_outcomes_the_same_in_every_pair(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """Rows of zeros (the same in every pair) are one row at the end; a time named
    `t_arrival_s: <place>` is in the report's unit."""
    folder = write_ensemble(tmp_path / "cmp", points=2)
    zero = {"mean": 0.0, "low": 0.0, "high": 0.0, "n": 10}
    differences = {f"Measure {k}: start_s": dict(zero) for k in range(30)}
    differences["t_arrival_s: Hospital"] = {"mean": 86400.0, "low": 0.0, "high": 172800.0, "n": 10}
    summary = {"kind": "compare", "scenarios": ["a", "b"], "differences": differences}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert "Measure 3" not in html
    assert "<td>t_arrival (d): Hospital</td><td>+1</td><td>+0 to +2</td><td>10</td>" in html
    assert "<td>30 more outcomes</td><td>0</td><td>the same in every pair" in html


def test_sweep_report_shows_its_phase_plot(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """The sweep's phase.png is shown in the page, as a data: URI the page's policy allows."""
    from matplotlib.figure import Figure

    folder = write_ensemble(tmp_path / "sw", points=2)
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.savefig(folder / "phase.png", format="png")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    png = base64.b64encode((folder / "phase.png").read_bytes()).decode()
    assert f'<img src="data:image/png;base64,{png}" alt="the phase plot of the sweep">' in html


def test_run_report_lists_its_interventions(tmp_path: Path) -> None:
    """Strikes, cordons and the handoff from summary.json get a table row each with their
    figures, and a mark on the chart at their time."""
    out = hyosan.simulate("munz-basic", seed=1).save(tmp_path / "run")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["interventions"] = [
        {
            "kind": "strike",
            "name": "missile strike",
            "t_s": 3 * 86400.0,
            "people": 1200,
            "infected": 800,
            "zombies": 750,
            "uninfected": 400,
            "note": "sound drones first",
        },
        {
            "kind": "cordon",
            "name": "Hyosan cordon",
            "start_s": 86400.0,
            "end_s": None,
            "events": {"cordon: turned back": 321},
        },
        {
            "kind": "handoff",
            "school": "Hyosan High",
            "t_s": 3600.0,
            "inside": {"human": 40, "zombie": 500},
            "escaped": {"yard": {"S": 12}},
        },
    ]
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(out, pictures=False).report.read_text(encoding="utf-8")
    assert '<section id="interventions">' in html
    assert (
        "1,200 people hit: 800 infected (750 zombies), 400 not infected (sound drones first)"
        in html
    )
    assert (
        "<td>Hyosan cordon</td><td>cordon</td><td>from 1 day</td><td>turned back 321</td>" in html
    )
    assert "40 humans, 500 zombies in the building, 12 got out" in html
    assert _data(html)["marks"] == [
        [3 * 86400.0, "missile strike"],
        [86400.0, "Hyosan cordon"],
        [3600.0, "handoff"],
    ]


def test_a_building_run_tells_its_story_in_the_page(tmp_path: Path) -> None:
    """The paragraph the terminal prints first (where it began, when it fell, who got out) is in
    the report too, escaped as text; a run without one (the ode engine) has no such section."""
    scenario = hyosan.load_scenario("hyosan-high", ["time.horizon=2h"])
    result = hyosan.simulate(scenario, seed=1)
    story = result.summary()["story"]
    assert story.startswith("It began at 08:31 on day 1 in the infirmary")
    html = write_report(result.save(tmp_path / "run"), pictures=False).report.read_text("utf-8")
    section = re.search(r'<section id="story">(.*?)</section>', html, flags=re.S)
    assert section is not None
    assert "in the infirmary, when Kim Hyeon-ju bit the school nurse" in section.group(1)
    plain = write_report(
        hyosan.simulate("munz-basic", seed=1).save(tmp_path / "ode"), pictures=False
    )
    assert 'id="story"' not in plain.report.read_text("utf-8")

"""Fixes from the audit of the reports: the peak of new infections, a comparison's title and
horizons, plain numbers for readers, and an ensemble's engine and root seed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from hyosan.reports import write_report
from hyosan.results.epidemic import Epidemic


def _epidemic(times: np.ndarray, new: np.ndarray) -> Epidemic:
    cumulative = np.cumsum(new, dtype=np.float64)[:, None]
    return Epidemic(
        times=times.astype(np.float64),
        reactions=("bite",),
        cumulative=cumulative,
        infects=np.array([True]),
        humans_at_start=1000.0,
        method="bites",
        stoichiometry=np.array([[-1.0, 1.0]]),
        states=("human", "zombie"),
    )


def test_peak_of_new_infections_is_one_unit_of_time_not_a_burst_scaled_up() -> None:
    """Item 1: 55 infections in one 2-minute interval of a 100-infection run are not "1,650
    an hour": the headline gives the most infections in one hour, and when."""
    times = np.arange(0, 5 * 3600 + 1, 120.0)
    new = np.zeros(times.size)
    new[46] = 55.0  # 55 in the 2 minutes to 1.53 h
    new[60:105:5] = 5.0  # 45 more, spread over 1.5 h
    epi = _epidemic(times, new)
    fig = epi.figures("h")
    assert fig.peak_infections_per_day == 55 / 120 * 86400  # the old field, as it was
    assert fig.peak_infections_unit == "h"
    assert fig.peak_infections_per_unit is not None
    assert fig.peak_infections_per_unit <= fig.infections == 100.0
    assert fig.peak_infections_per_unit == 55.0 + 4 * 5  # 55, then 5 every 10 minutes
    assert fig.t_peak_infections_to_s is not None
    assert fig.t_peak_infections_from_s is not None
    assert fig.t_peak_infections_to_s - fig.t_peak_infections_from_s == 3600.0
    assert fig.t_peak_infections_from_s < times[46] <= fig.t_peak_infections_to_s

    def when(t: float | None) -> str:
        return f"{(t or 0.0) / 3600:.3g} h"

    row = dict(fig.rows(when, "h"))["most new infections"]
    assert row.startswith("75 in one hour, from ")
    assert "1,650" not in row
    assert "an hour" not in row
    assert fig.line(when, "h") is not None
    assert "75 in one hour" in str(fig.line(when, "h"))
    # Read back from summary.json, the same words.
    again = type(fig).from_json(json.loads(json.dumps(fig.to_json())))
    assert dict(again.rows(when, "h"))["most new infections"] == row


def test_peak_over_records_coarser_than_the_unit_is_an_average_over_them() -> None:
    """Records a day apart and times in hours: a day's infections are not one hour's; the
    figure is the average rate over the day, said so."""
    times = np.arange(0, 4 * 86400 + 1, 86400.0)
    epi = _epidemic(times, np.array([0.0, 48.0, 0.0, 0.0, 0.0]))
    fig = epi.figures("h")
    assert fig.peak_infections_per_unit == 2.0
    assert (fig.t_peak_infections_from_s, fig.t_peak_infections_to_s) == (0.0, 86400.0)
    row = dict(fig.rows(lambda t: f"{(t or 0.0) / 3600:.3g} h", "h"))["most new infections"]
    assert row == "2 an hour on average from 0 h to 24 h"


def test_a_runs_summary_keeps_the_peak_in_its_own_unit() -> None:
    """Result.headline passes the run's display unit (a 3-hour run's is the hour)."""
    import hyosan

    result = hyosan.simulate("munz-basic", overrides=('time.horizon="3h"',))
    epi = result.headline().epidemic
    assert epi is not None
    assert epi.peak_infections_unit == "h"
    assert epi.peak_infections_per_unit is not None
    assert epi.peak_infections_per_unit <= epi.infections + 1e-9


def test_plain_numbers_for_readers() -> None:
    """Item 3: no scientific notation in headlines, rates or log ticks."""
    from hyosan.results.interventions import fmt_count
    from hyosan.scenario.units import format_rate, plain_number

    assert format_rate(1.953e6 / 86400, "d") == "1.953 million a day"
    assert format_rate(7.289e4 / 86400, "d") == "72,890 a day"
    assert format_rate(18.3 / 3600, "h") == "18.3 an hour"
    assert fmt_count(1.822e-05) == "below 0.001"
    assert fmt_count(72886.2) == "72,890"
    assert fmt_count(51_824_139.0) == "51,824,139"
    assert plain_number(0.00123) == "0.00123"
    assert plain_number(2.3e9) == "2.3 billion"
    for value in (1.822e-05, 7.289e4, 1.953e6, 3.2e-5, 1e15 + 0.5):
        assert "e+" not in fmt_count(value)
        assert "e-" not in fmt_count(value)


def test_log_ticks_are_one_plain_style_from_small_to_large() -> None:
    """korea's axis read "1e+08, 1e+07, 1e+06" over "100000, 10000"."""
    from matplotlib.figure import Figure

    from hyosan.reports.plaintext import plain_log_ticks, plain_tick

    assert [plain_tick(x) for x in (0.001, 10, 1e5, 1e6, 1e8)] == [
        "0.001",
        "10",
        "100,000",
        "1 million",
        "100 million",
    ]
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [1e3, 1e8])
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "100,000" in labels
    assert "1 million" in labels
    assert not any("e+" in text or "e-" in text for text in labels)


def _comparison(folder: Path, horizons: tuple[float, float]) -> Path:
    estimate = {"estimate": 0.0, "low": 0.0, "high": 0.3}
    summary = {
        "kind": "compare",
        "scenario": "munz-basic vs munz-quarantine",
        "scenarios": ["munz-basic", "munz-quarantine"],
        "engine": "ode",
        "root_seed": 7,
        "runs": 8,
        "replicates": 4,
        "points": 2,
        "per_point": [
            {
                "point": p,
                "scenario": name,
                "values": {},
                "horizon_s": horizons[p],
                "runs": 4,
                "p_humans_win": estimate,
            }
            for p, name in enumerate(("munz-basic", "munz-quarantine"))
        ],
        "differences": {
            "t_end_s": {"mean": 1728000.0, "low": 1728000.0, "high": 1728000.0, "n": 4},
            "final_human": {"mean": 497.0, "low": 490.0, "high": 500.0, "n": 4},
        },
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for file, name, text in (
        ("scenario.toml", "munz-basic", "Humanity is gone in under a week."),
        ("scenario-b.toml", "munz-quarantine", "The outbreak fizzles."),
    ):
        (folder / file).write_text(f'name = "{name}"\ndescription = "{text}"\n', encoding="utf-8")
    return folder


def test_a_comparison_is_titled_with_both_and_flags_different_horizons(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """Item 2: both names and descriptions; different horizons are said, and the difference
    of the ends is not listed as an outcome."""
    folder = _comparison(write_ensemble(tmp_path / "cmp", points=2), (864000.0, 2592000.0))
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert "<title>munz-basic vs munz-quarantine · hyosan report</title>" in html
    assert '<h1 id="title">munz-basic vs munz-quarantine</h1>' in html
    assert "Humanity is gone in under a week." in html
    assert "The outbreak fizzles." in html
    assert "different horizons (munz-basic to 10 days, munz-quarantine to 30 days)" in html
    assert "<td>t_end (d)</td>" not in html
    assert "+20" not in html
    assert "<td>final_human</td>" in html


def test_a_comparison_of_one_horizon_has_no_horizon_note(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    folder = _comparison(write_ensemble(tmp_path / "cmp", points=2), (864000.0, 864000.0))
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert "different horizons" not in html
    assert "<td>t_end (d)</td>" in html


def test_an_ensembles_headline_names_its_engine_and_root_seed(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """Item 16: the summary says `root_seed`, not `seed`; the engine was never shown."""
    folder = write_ensemble(tmp_path / "ens", points=1)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.update({"kind": "ensemble", "engine": "ssa", "root_seed": 42})
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    figure = '<div class="label">{}</div><div class="value">{}</div>'
    assert figure.format("engine", "ssa") in html
    assert figure.format("root seed", "42") in html
    assert "ssa engine, root seed 42" in html

"""Fixes of the CLI audit's ensemble defects (audit sections 5, 6, 11 and 12): a sweep over
the horizon, a comparison's chances only B has, sample's --output checked before any run,
the default directory's name, and a comparison of two scenarios of one name."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from ensemble_helpers import morris_sample, run_cli
from rich.console import Console

from hyosan.ensemble import Execution, Output, run_compare, run_sweep
from hyosan.ensemble.terminal import print_summary
from hyosan.errors import HyosanError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"


def _render(summary: dict[str, Any], width: int = 100) -> str:
    console = Console(
        width=width, file=io.StringIO(), record=True, highlight=False, soft_wrap=False
    )
    print_summary(summary, console)
    return console.export_text()


def _horizon_sweep(out: Path, within_s: float | None = None) -> dict[str, Any]:
    return run_sweep(
        "munz-basic",
        ["time.horizon=2d:6d:3"],
        1,
        engine="ode",
        execution=Execution(workers=1),
        output=Output(out),
        within_s=within_s,
    ).summary


# --- 5: a sweep over time.horizon -------------------------------------------------------------


def test_a_horizon_sweep_without_within_claims_no_single_time(tmp_path: Path) -> None:
    """Without --within each point's P(overrun within) is its own horizon's: no column headed
    "P(overrun by 2 days)" (the first point's horizon), and no top-level within_s."""
    summary = _horizon_sweep(tmp_path / "hz")
    assert summary["within_s"] is None
    on_disk = json.loads((tmp_path / "hz" / "summary.json").read_text("utf-8"))
    assert on_disk["within_s"] is None
    withins = [e["p_overrun_within"]["within_s"] for e in summary["per_point"]]
    assert withins == [e["horizon_s"] for e in summary["per_point"]]
    text = _render(summary)
    assert "P(overrun by" not in text, text
    assert "P(overrun)" in text


def test_a_horizon_sweep_with_within_shows_it(tmp_path: Path) -> None:
    """--within 2d on horizons of 2 to 6 days: one time for every point, and the column."""
    summary = _horizon_sweep(tmp_path / "hz", within_s=2 * 86400.0)
    assert summary["within_s"] == 2 * 86400.0
    assert "P(overrun by 2 days)" in _render(summary)


def test_one_horizon_keeps_within_s(tmp_path: Path) -> None:
    """A sweep of another key: every point has the same horizon, which within_s still is."""
    summary = run_sweep(
        "munz-basic",
        ["parameters.bite_rate=0.005:0.02:2"],
        1,
        engine="ode",
        execution=Execution(workers=1),
        output=Output(tmp_path / "s"),
    ).summary
    assert summary["within_s"] == summary["per_point"][0]["horizon_s"]
    assert "P(overrun by" not in _render(summary)


# --- 6: a chance only B has -------------------------------------------------------------------


def _p(estimate: float) -> dict[str, float]:
    return {"estimate": estimate, "low": estimate / 2, "high": (1 + estimate) / 2}


def _compare_summary(p_a: dict[str, Any], p_b: dict[str, Any]) -> dict[str, Any]:
    def entry(point: int, p: dict[str, Any]) -> dict[str, Any]:
        out = {
            "point": point,
            "scenario": "my-response",
            "engine": "ssa",
            "values": {},
            "horizon_s": 864000.0,
            "runs": 4,
            "p_humans_win": _p(0.5),
            "p_overrun": _p(0.25),
            "p_overrun_within": {"within_s": 864000.0, **_p(0.25)},
            "median_t_overrun_s": None,
        }
        if p:
            out["p"] = p
        return out

    return {
        "kind": "compare",
        "scenario": "my-response vs my-response",
        "engine": "ssa",
        "root_seed": 1,
        "runs": 8,
        "replicates": 4,
        "points": 2,
        "wall_s": 1.0,
        "within_s": 864000.0,
        "per_point": [entry(0, p_a), entry(1, p_b)],
        "scenarios": ["my-response", "my-response"],
        "differences": {},
    }


@pytest.mark.parametrize("swap", [False, True])
def test_a_chance_of_one_side_only_is_shown(swap: bool) -> None:
    """The strike in B only: the "chance of" table was left out (A's names were read);
    with A and B swapped it appeared. Both ways now, with "-" where a side lacks it."""
    strike = {"after_strikes: restarted": _p(0.125)}
    summary = _compare_summary({}, strike) if not swap else _compare_summary(strike, {})
    text = _render(summary)
    assert "chance of" in text, text
    row = next(line for line in text.splitlines() if "after_strikes: restarted" in line)
    cells = [c.strip() for c in row.split("│")[2:-1]]
    expected = ["-", "0.125 [0.062, 0.562]"]
    assert cells == (expected[::-1] if swap else expected), row


def test_the_chances_are_the_union_of_both_sides_names_in_order() -> None:
    summary = _compare_summary({"x": _p(0.5), "y": _p(0.25)}, {"z": _p(0.75), "x": _p(1.0)})
    text = _render(summary)
    rows = [n for line in text.splitlines() for n in ("x", "y", "z") if f"│ {n} " in line]
    assert rows == ["x", "y", "z"], text


# --- 12: sample's --output, checked before any run -------------------------------------------


SAMPLE = ("sample", "munz-basic", "--vary", "parameters.bite_rate=0.005:0.02")
SAMPLE_RUNS = ("--design", "morris", "--samples", "2", "--runs", "1", "--workers", "1")


def test_a_bad_output_is_refused_before_any_run(tmp_path: Path) -> None:
    """`--output final_humn` ran the whole ensemble first, kept its runs in a hidden folder,
    and only then refused the typo. Now: exit 2 at once, the allowed figures (not the varied
    key) listed, nothing written."""
    ran = run_cli(*SAMPLE, *SAMPLE_RUNS, "--output", "final_humn", "--out", "s", cwd=tmp_path)
    assert ran.returncode == 2, ran.stderr
    assert "Traceback" not in ran.stderr
    said = " ".join(ran.stderr.split())
    assert "--output 'final_humn'" in said, said
    assert "did you mean 'final_human'" in said
    assert "final_zombie" in said
    assert "attack_rate" in said
    assert "parameters.bite_rate" not in said
    assert "finished runs are kept" not in said
    assert list(tmp_path.iterdir()) == []  # no OUT, no hidden work directory, no runs/


@pytest.mark.parametrize("figure", ["parameters.bite_rate", "stopped_by", "seed"])
def test_a_varied_key_or_label_is_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figure: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(HyosanError, match=re.escape(f"figure {figure!r}")) as raised:
        morris_sample(figure=figure)
    said = str(raised.value)
    assert "choose t_end_s" in said
    assert "parameters.bite_rate," not in said
    assert not said.endswith("parameters.bite_rate")
    assert list(tmp_path.iterdir()) == []


def test_the_figures_listed_after_the_runs_leave_out_the_varied_keys() -> None:
    import pyarrow as pa

    from hyosan.ensemble.sample import point_outcomes

    runs = pa.table(
        {
            "point": [0],
            "replicate": [0],
            "seed": [1],
            "parameters.bite_rate": [0.01],
            "final_human": [5.0],
        }
    )
    with pytest.raises(HyosanError) as raised:
        point_outcomes(runs, "final_humn", 1, varied=["parameters.bite_rate"])
    assert "parameters.bite_rate" not in str(raised.value)
    assert "choose final_human" in str(raised.value)


def test_a_figure_of_a_run_beyond_the_headline_ones_is_taken(tmp_path: Path) -> None:
    """A figure the check finds in a first run (the ode engine's attack rate) runs as before."""
    run = morris_sample(figure="attack_rate", output=Output(tmp_path / "s"))
    assert json.loads((run.out / "sensitivity.json").read_text("utf-8"))["output"] == "attack_rate"
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


# --- 11: the default directory's name, a comparison of two scenarios of one name ----------


def test_the_default_directory_is_named_as_formats_md_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = morris_sample()
    assert re.fullmatch(r"munz-basic-morris-sample-[0-9a-f]{10}", run.out.name), run.out
    doc = " ".join((DOCS / "formats.md").read_text("utf-8").split())
    assert "`runs/<scenario>-<design>-sample-<fingerprint>`" in doc


def test_a_comparison_of_two_files_of_one_name_tells_them_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two variants of one scenario that kept its name: summary.json said "scenario":
    "munz-basic" (the names de-duplicated), and the table "A: munz-basic", "B: munz-basic"."""
    from hyosan.scenario.catalog import builtin_scenario_text

    monkeypatch.chdir(tmp_path)
    text = builtin_scenario_text("munz-basic")
    Path("a.toml").write_text(text, encoding="utf-8")
    Path("b").mkdir()
    Path("b/a.toml").write_text(text, encoding="utf-8")
    run = run_compare(
        "a.toml",
        "b/a.toml",
        1,
        engine="ode",
        overrides=["parameters.bite_rate=0.02/day"],
        execution=Execution(workers=1),
        output=Output("cmp"),
    )
    summary = json.loads((run.out / "summary.json").read_text("utf-8"))
    sides = ["munz-basic (a.toml)", f"munz-basic ({Path('b/a.toml')})"]
    assert summary["scenarios"] == sides
    assert summary["scenario"] == " vs ".join(sides)
    assert [e["scenario"] for e in summary["per_point"]] == ["munz-basic", "munz-basic"]
    text_out = _render(summary, 120)
    assert f"A: {sides[0]}" in text_out, text_out
    assert f"B: {sides[1]}" in text_out, text_out
    # Different names stay as they were; the built-in and a file of its name are told apart.
    other = run_compare(
        "munz-basic",
        "a.toml",
        1,
        engine="ode",
        execution=Execution(workers=1),
        output=Output("cmp2"),
    ).summary
    assert other["scenarios"] == ["munz-basic (built-in)", "munz-basic (a.toml)"]
    doc = " ".join((DOCS / "formats.md").read_text("utf-8").split())
    assert "`scenario` (`A vs B` for a comparison" in doc

"""A comparison of two scenarios of one name (the same file twice, or a variant that kept its
name): the report tells A from B in its tables, where both rows and columns bore the name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from hyosan.reports import write_report
from hyosan.reports.outcomes import point_labels


def _compare_summary(a: str, b: str) -> dict[str, object]:
    estimate = {"estimate": 0.25, "low": 0.1, "high": 0.5}
    return {
        "kind": "compare",
        "scenario": a,
        "scenarios": [a, b],
        "per_point": [
            {
                "point": p,
                "scenario": name,
                "values": {},
                "runs": 4,
                "p_humans_win": estimate,
                "median_t_overrun_s": 86400.0,
                "survival": {"Nam On-jo": estimate},
            }
            for p, name in enumerate((a, b))
        ],
        "differences": {"peak_zombies": {"mean": 84.1, "low": -125.4, "high": 293.6, "n": 4}},
    }


def test_point_labels_of_one_name_say_a_and_b() -> None:
    """Same names: "A: x" and "B: x"; different names, and sweeps, as they were."""
    assert point_labels(_compare_summary("x", "x")) == {0: "A: x", 1: "B: x"}
    assert point_labels(_compare_summary("x", "y")) == {0: "x", 1: "y"}


def test_the_report_tells_a_from_b(tmp_path: Path, write_ensemble: Callable[..., Path]) -> None:
    """The outcome table's rows, the survival table's columns and the differences' header."""
    folder = write_ensemble(tmp_path / "cmp", points=2)
    summary = _compare_summary("hyosan-high", "hyosan-high")
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    html = write_report(folder, pictures=False).report.read_text(encoding="utf-8")
    assert html.count("<td>A: hyosan-high</td>") == 1
    assert html.count("<td>B: hyosan-high</td>") == 1
    assert "<th>A: hyosan-high</th><th>B: hyosan-high</th>" in html
    assert "mean difference (B − A)" in html
    assert "hyosan-high − hyosan-high" not in html


def test_picture_labels_of_a_sample_carry_its_units() -> None:
    """A sample keeps its keys' units under `sensitivity` (it has no grid of its own): its
    pictures' labels gave the values without them."""
    summary = {
        "kind": "sample",
        "per_point": [{"point": 0, "values": {"parameters.bite_rate": 0.5}}],
        "sensitivity": {"vary": [{"key": "parameters.bite_rate", "unit": "/day"}]},
    }
    assert point_labels(summary, with_units=True) == {0: "bite_rate = 0.5/day"}
    assert point_labels(summary) == {0: "parameters.bite_rate=0.5"}

"""Every built-in scenario runs and still gives its golden summary (tests/golden/<name>.json).

A change in any figure is either a bug or intended; if intended, regenerate the file on purpose
with `python scripts/update_golden.py --accept --only NAME` and commit it with the change, so
that the diff shows what moved. How each scenario is run and compared is in golden/cases.py,
shared with that script.
"""

from __future__ import annotations

import json

import pytest

from golden import cases
from hyosan.scenario.catalog import builtin_scenario_names

NAMES = builtin_scenario_names()


@pytest.mark.parametrize("name", NAMES)
def test_golden_summary(name: str) -> None:
    """The scenario runs with its own engine and seed and matches its golden summary."""
    path = cases.golden_path(name)
    # A scenario without a golden file fails rather than skips: a new built-in scenario must
    # come with one, so that its figures cannot drift unnoticed from its first commit on.
    if not path.exists():
        pytest.fail(
            f"built-in scenario {name!r} has no golden summary {path}; run\n"
            f"    python scripts/update_golden.py --only {name}\n"
            "and review the file it writes before committing it",
            pytrace=False,
        )
    golden = json.loads(path.read_text(encoding="utf-8"))
    now = cases.run_case(name)
    rel, absolute = cases.tolerance(now["engine"])
    changed = cases.differences(golden, now, rel_tol=rel, abs_tol=absolute)
    if changed:
        # pytrace=False: the list of changes is the whole story; the traceback adds nothing.
        pytest.fail(
            f"{name}: the summary differs from {path.name} (floats within relative {rel:g}):\n  "
            + "\n  ".join(changed)
            + "\nIf the change is intended, run "
            f"`python scripts/update_golden.py --accept --only {name}` and commit the file.",
            pytrace=False,
        )


def test_no_orphan_golden_files() -> None:
    """Every golden file belongs to a built-in scenario, and every override to one too."""
    files = {p.stem for p in cases.GOLDEN_DIR.glob("*.json")}
    assert not files - set(NAMES), (
        f"golden files of no built-in scenario (renamed or removed?): "
        f"{sorted(files - set(NAMES))}; delete them"
    )
    assert not set(cases.OVERRIDES) - set(NAMES), (
        f"tests/golden/cases.py overrides no built-in scenario: "
        f"{sorted(set(cases.OVERRIDES) - set(NAMES))}"
    )


def test_differences_reports_dotted_paths() -> None:
    """The comparison names each change by its path and treats types and tolerances strictly."""
    golden = {"a": {"b": 1.0, "c": [1, 2]}, "d": "x", "e": None, "f": 3, "g": True}
    now = {"a": {"b": 1.0 + 1e-12, "c": [1, 3]}, "d": "x", "e": 0.0, "f": 3.0, "h": False}
    lines = cases.differences(golden, now, rel_tol=1e-9)
    assert lines == [
        "a.c[1]: golden 2, now 3",
        "e: golden null (NoneType), now 0.0 (float)",
        "f: golden 3 (int), now 3.0 (float)",
        "g: golden true, now absent",
        "h: golden absent, now false",
    ]
    assert cases.differences(golden, golden) == []
    assert cases.differences({"x": 1.0}, {"x": 1.0 + 1e-12}) == [
        "x: golden 1.0, now 1.000000000001"
    ]
    assert cases.differences({"x": 0.0}, {"x": 1e-12}, rel_tol=1e-6, abs_tol=1e-9) == []

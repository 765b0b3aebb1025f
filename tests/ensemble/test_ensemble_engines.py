"""Ensembles work with every engine through Engine.run; named characters give survival odds."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hyosan.ensemble import Execution, Output, run_ensemble


@pytest.mark.timeout(120)
def test_agents_survivors_and_survival(tmp_path: Path) -> None:
    """Hyosan High: a `survivors` list column and each named character's chance of surviving."""
    run_ensemble(
        "hyosan-high",
        3,
        overrides=['time.horizon="20min"'],
        output=Output(tmp_path / "e"),
        execution=Execution(workers=1),
    )
    runs = pq.read_table(tmp_path / "e" / "runs.parquet")
    assert runs.schema.field("survivors").type == pa.list_(pa.string())
    assert runs.column_names[-1] == "survivors"
    assert "n_bites" in runs.column_names
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    survival = summary["per_point"][0]["survival"]
    assert "Nam On-jo" in survival
    for name, p in survival.items():
        kept = sum(name in s for s in runs.column("survivors").to_pylist())
        assert p["estimate"] == pytest.approx(kept / 3)


@pytest.mark.parametrize("engine", ["ode", "tau"])
def test_other_engines(tmp_path: Path, engine: str) -> None:
    """The mean-field and tau-leaping engines run as ensembles too (no survivors column)."""
    result = run_ensemble(
        "sir",
        3,
        engine=engine,
        overrides=['time.horizon="20d"'],
        output=Output(tmp_path / "e"),
        execution=Execution(workers=1),
    )
    assert result.runs.num_rows == 3
    assert "survivors" not in result.runs.column_names
    assert result.summary["engine"] == engine
    # One line at a prompt: what ran and where, not the summary and the runs table.
    assert repr(result) == (
        f"<EnsembleRun 'sir' ({engine}, ensemble): 3 runs, 1 point, in {str(tmp_path / 'e')!r}>"
    )


def test_one_run_is_said_run_at_a_prompt(tmp_path: Path) -> None:
    """The one line at a prompt said "1 runs"."""
    result = run_ensemble(
        "sir",
        1,
        engine="ssa",
        overrides=['time.horizon="20d"'],
        output=Output(tmp_path / "e"),
        execution=Execution(workers=1),
    )
    assert (
        repr(result)
        == f"<EnsembleRun 'sir' (ssa, ensemble): 1 run, 1 point, in {str(tmp_path / 'e')!r}>"
    )

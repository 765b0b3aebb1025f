"""`hyosan run` with no scenario runs Hyosan High and tells who lived, and how."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import hyosan


def test_hyosan_run_defaults_to_hyosan_high(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_DEBUG"} | {"NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", "from hyosan.cli import main; main()", "run", "--out", "out",
         "--set", "time.horizon=3h"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "hyosan-high (agents, seed 1)" in out
    assert "named characters survive" in out
    assert "Nam On-jo" in out
    assert "barricades built" in out
    run = tmp_path / "out"
    summary = json.loads((run / "summary.json").read_text())
    assert set(summary["fates"]) >= {"Nam On-jo", "Kim Hyeon-ju"}
    assert set(summary["survivors"]) <= set(summary["fates"])
    events = pq.read_table(run / "events.parquet")
    assert events.column_names == ["t", "kind", "actor", "target", "place", "detail"]
    kinds = set(events.column("kind").to_pylist())
    assert {"bite", "turn", "barricade", "fate"} <= kinds
    places = pq.read_table(run / "places.parquet")
    assert "snapshot_times_s" in json.dumps(
        {k.decode(): v.decode() for k, v in places.schema.metadata.items()}
    )


def test_the_story_starts_in_the_infirmary() -> None:
    """Kim Hyeon-ju turns in the infirmary first, and her first bite is the nurse's."""
    result = hyosan.simulate("hyosan-high", overrides=["time.horizon=10min"])
    ev = result.events.to_pydict()
    first_turn = ev["kind"].index("turn")
    assert (ev["actor"][first_turn], ev["place"][first_turn]) == ("Kim Hyeon-ju", "infirmary")
    bites = [
        i for i, k in enumerate(ev["kind"]) if k == "bite" and ev["actor"][i] == "Kim Hyeon-ju"
    ]
    assert ev["target"][bites[0]] == "the school nurse"
    assert ev["detail"][bites[0]].startswith("day 1 08:3")


def test_named_moments_read_as_sentences() -> None:
    """Named characters' events carry a sentence on the school clock."""
    result = hyosan.simulate("hyosan-high", overrides=["time.horizon=12h"])
    details = [d for d in result.events.column("detail").to_pylist() if d]
    assert any(" barricades " in d and " inside)" in d for d in details)
    assert all(d.startswith("day ") for d in details)


def test_random_mixing_follows_the_mean_field() -> None:
    """Without a building, people act out the model's reactions with random mixing; the mean
    of runs follows the ode solution (SIR, 2000 people), within three standard errors."""
    overrides = ["time.horizon=60d", "time.output_every=1d"]
    ode = hyosan.simulate("sir", engine="ode", overrides=overrides)
    runs = np.array(
        [hyosan.simulate("sir", engine="agents", seed=s, overrides=overrides).series("removed")
         for s in range(1, 21)]
    )  # fmt: skip
    final = runs[:, -1]
    se = final.std(ddof=1) / np.sqrt(final.size)
    assert abs(final.mean() - ode.series("removed")[-1]) < 3 * se


def test_show_building_prints_a_table_to_paste(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hyosan show --building NAME` in place of `building = "NAME"`: the same building."""
    from hyosan.cli import main

    with pytest.raises(SystemExit) as done:
        main(["show", "hyosan-high"])
    assert done.value.code in (0, None)
    scenario_text = capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["show", "--building", "hyosan-high"])
    assert done.value.code in (0, None)
    table = capsys.readouterr().out
    assert 'building = "hyosan-high"' in scenario_text
    own = tmp_path / "own.toml"
    own.write_text(
        scenario_text.replace('building = "hyosan-high"', "") + "\n" + table, encoding="utf-8"
    )
    assert hyosan.load_scenario(own).building == hyosan.load_scenario("hyosan-high").building


def test_validate_refuses_a_building_intervention_run_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An intervention in a building names its rooms: `validate` resolves them as `run`
    does, where it said "valid" and the run then refused the scenario."""
    from hyosan.cli import main

    with pytest.raises(SystemExit):
        main(["show", "hyosan-high"])
    text = capsys.readouterr().out
    path = tmp_path / "strike.toml"
    path.write_text(
        text + '\n[[interventions]]\nkind = "strike"\nat = "1h"\narea = { places = ["Nowhere"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2
    assert re.search(
        r"interventions\[\d+\]\.area\.places\[0\] \(line \d+\): no room 'Nowhere' in the "
        r"building",
        capsys.readouterr().err,
    )

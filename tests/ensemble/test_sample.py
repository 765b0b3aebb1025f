"""hyosan sample: SALib designs and indices, checked on Ishigami's function, then end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ensemble_helpers import morris_sample

from hyosan.ensemble.options import Execution, Output
from hyosan.ensemble.sample import design_points, run_sample, sensitivity_indices
from hyosan.errors import HyosanError

NAMES = ["x1", "x2", "x3"]
BOUNDS = [(-np.pi, np.pi)] * 3


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol indices of Ishigami's function, in closed form."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_sobol_indices_of_ishigami_match_theory() -> None:
    """Through hyosan's design and index functions, the indices are within twice their 95 %
    interval (about four standard errors) of the known values."""
    x = design_points("sobol", NAMES, BOUNDS, 4096, seed=11)
    assert x.shape == (4096 * (3 + 2), 3)
    got = sensitivity_indices("sobol", NAMES, BOUNDS, x, _ishigami(x), seed=11)
    s1, st = _ishigami_indices()
    for i, name in enumerate(NAMES):
        row = got[name]
        assert abs(row["S1"] - s1[i]) <= 2 * row["S1_conf"], (name, row, s1[i])
        assert abs(row["ST"] - st[i]) <= 2 * row["ST_conf"], (name, row, st[i])
        assert row["S1_conf"] < 0.05  # the interval is informative at this sample size


def test_morris_and_lhs_rank_ishigami_inputs() -> None:
    """Morris's μ* and RBD-FAST's first-order index put x3 (no effect alone) below x1, x2."""
    x = design_points("morris", NAMES, BOUNDS, 200, seed=3)
    mu = sensitivity_indices("morris", NAMES, BOUNDS, x, _ishigami(x), seed=3)
    assert mu["x2"]["mu_star"] > mu["x3"]["mu_star"]
    x = design_points("lhs", NAMES, BOUNDS, 2000, seed=3)
    fast = sensitivity_indices("lhs", NAMES, BOUNDS, x, _ishigami(x), seed=3)
    s1, _ = _ishigami_indices()
    assert abs(fast["x2"]["S1"] - s1[1]) < 0.1
    assert fast["x3"]["S1"] < 0.1


def test_unknown_design_is_refused() -> None:
    """A design that is not one of three: an error naming the flag and the choices."""
    with pytest.raises(HyosanError, match="--design 'grid': choose sobol, morris, lhs"):
        design_points("grid", NAMES, BOUNDS, 8, seed=1)


def test_sample_runs_a_scenario_and_writes_indices(tmp_path: Path) -> None:
    """End to end on the ode engine: the bite rate matters to the humans left, the
    resurrection rate (a tiny flow here) far less."""
    run = run_sample(
        "munz-basic",
        ["parameters.bite_rate=0.005:0.02", "parameters.resurrection_rate=0.001:0.002"],
        design="sobol",
        samples=16,
        runs=1,
        figure="final_human",
        engine="ode",
        execution=Execution(workers=1),
        output=Output(out=tmp_path / "s"),
    )
    data = json.loads((run.out / "sensitivity.json").read_text(encoding="utf-8"))
    assert data["points"] == 16 * 4
    idx = data["indices"]
    assert idx["parameters.bite_rate"]["ST"] > idx["parameters.resurrection_rate"]["ST"]
    assert (run.out / "sensitivity.png").is_file()
    summary = json.loads((run.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["sensitivity"]["design"] == "sobol"
    # A sample says so (it said "sweep", and its scenario.toml "The sweep varies: " with no key).
    assert summary["kind"] == "sample"
    note = (run.out / "scenario.toml").read_text(encoding="utf-8").splitlines()[1]
    assert "parameters.bite_rate, parameters.resurrection_rate" in note
    # Each run's values are in runs.parquet, as a sweep's are: the points SALib drew.
    import pyarrow.parquet as pq

    table = pq.read_table(run.out / "runs.parquet")
    drawn = {
        (p["values"]["parameters.bite_rate"], p["values"]["parameters.resurrection_rate"])
        for p in summary["per_point"]
    }
    rows = zip(
        table["parameters.bite_rate"].to_pylist(),
        table["parameters.resurrection_rate"].to_pylist(),
        strict=True,
    )
    assert set(rows) == drawn
    assert len(drawn) > 1
    # The report shows what the command is for: the indices, and that it is a sample.
    from hyosan.reports import write_report

    write_report(run.out, pictures=False)
    page = (run.out / "report.html").read_text(encoding="utf-8")
    assert "sample of 64 points" in page
    assert "sensitivity of final_human to each varied key (sobol design" in page


def test_only_a_runs_numbers_can_be_the_output() -> None:
    """--output stopped_by (words) ended in numpy's ValueError; seed (a label) was taken."""
    import pyarrow as pa

    from hyosan.ensemble.sample import point_outcomes

    runs = pa.table(
        {
            "point": [0, 0],
            "replicate": [0, 1],
            "seed": [5, 6],
            "final_human": [10.0, 20.0],
            "humans_win": [True, False],
            "stopped_by": ["horizon", "horizon"],
        }
    )
    np.testing.assert_array_equal(point_outcomes(runs, "final_human", 1), [15.0])
    np.testing.assert_array_equal(point_outcomes(runs, "humans_win", 1), [0.5])
    for label in ("stopped_by", "seed"):
        with pytest.raises(HyosanError, match=r"choose final_human, humans_win\. "):
            point_outcomes(runs, label, 1)


def test_another_output_is_another_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same sample analysing another --output was refused as 'this command has run
    already' (sensitivity.json differs): --output names the default directory too, and a bad
    --output says where the same command finds its kept runs."""
    monkeypatch.chdir(tmp_path)

    def sample(figure: str) -> Path:
        return morris_sample(figure=figure).out

    first, second = sample("final_human"), sample("humans_win")
    assert first != second
    assert json.loads((second / "sensitivity.json").read_text("utf-8"))["output"] == "humans_win"
    with pytest.raises(HyosanError, match="this command has run already"):
        sample("final_human")
    # A figure a first run lacks is refused before any run (test_ensemble_audit_fixes); one a later
    # run may still have (a strike's) is checked after the runs, as here without that check.
    import hyosan.ensemble.sample as sample_module

    monkeypatch.setattr(sample_module, "check_figure", lambda *args: None)
    with pytest.raises(HyosanError, match="with another figure and output=runs") as raised:
        sample("no_such_figure")
    kept = Path(str(raised.value).rpartition("output=")[2].partition(" ")[0])
    work = kept.parent / f".{kept.name}.ensemble"
    assert work.is_dir()  # the runs, kept where that --out looks
    again = run_sample(
        "munz-basic",
        ["parameters.bite_rate=0.005:0.02"],
        design="morris",
        samples=2,
        runs=1,
        figure="final_zombie",
        engine="ode",
        execution=Execution(workers=1),
        output=Output(out=kept),
    )
    assert json.loads((again.out / "summary.json").read_text("utf-8"))["runs"] == 4
    assert not work.exists()  # taken up, and done with


def test_lhs_refuses_too_few_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RBD-FAST on fewer than 42 points gave S1 = 1 for every key (20 points or fewer), or
    failed with a ZeroDivisionError in SALib's bias correction (21 to 41): refused, before any
    run and in the indices' own function."""
    from hyosan.ensemble.sample import LHS_MIN_SAMPLES

    monkeypatch.chdir(tmp_path)
    with pytest.raises(HyosanError, match=f": design lhs needs {LHS_MIN_SAMPLES} or more"):
        run_sample(
            "munz-basic",
            ["parameters.bite_rate=0.005:0.02"],
            design="lhs",
            samples=16,
            runs=1,
            engine="ode",
            execution=Execution(workers=1),
        )
    assert not (tmp_path / "runs").exists()
    for n in (16, 30):
        x = design_points("lhs", NAMES, BOUNDS, n, seed=3)
        with pytest.raises(HyosanError, match=f"--samples {n}: --design lhs needs"):
            sensitivity_indices("lhs", NAMES, BOUNDS, x, _ishigami(x), seed=3)
    x = design_points("lhs", NAMES, BOUNDS, LHS_MIN_SAMPLES, seed=3)
    found = sensitivity_indices("lhs", NAMES, BOUNDS, x, _ishigami(x), seed=3)
    assert all(found[k]["S1"] is not None and found[k]["S1"] < 1.0 for k in NAMES)


def test_one_run_a_point_is_said_run(capsys: pytest.CaptureFixture[str]) -> None:
    """The indices' title said "× 1 runs"."""
    from hyosan.ensemble.sample import print_sensitivity

    print_sensitivity(
        {
            "scenario": "sir",
            "sensitivity": {
                "design": "lhs",
                "points": 4,
                "runs_per_point": 1,
                "output": "final_human",
                "note": "none",
            },
        }
    )
    assert "4 points × 1 run; sensitivity of final_human" in " ".join(
        capsys.readouterr().out.split()
    )


def test_an_unknown_output_names_the_headline_figures_first() -> None:
    """A city's runs have some seventy figures; the list, sorted and cut to length, ended
    before final_human. Now the table's order (headline first), a guess, and a count of the
    rest."""
    import pyarrow as pa

    from hyosan.ensemble.sample import point_outcomes

    columns = {"point": [0], "replicate": [0], "seed": [1], "final_human": [5.0]}
    columns |= {f"Measure {k}: start_s": [0.0] for k in range(40)}
    columns["humans_win"] = [True]
    columns["stopped_by"] = ["horizon"]
    with pytest.raises(HyosanError) as raised:
        point_outcomes(pa.table(columns), "final_humans", 1)
    said = str(raised.value)
    assert "did you mean 'final_human'" in said
    assert said.index("final_human,") < said.index("Measure 0")
    assert "or one of 26 more" in said  # 42 figures, 16 listed; labels and words are none
    assert "stopped_by" not in said
    assert "seed" not in said

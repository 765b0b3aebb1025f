"""The fit directory, the Python API, `hyosan fit` on the command line and model comparison."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from fit_helpers import (
    BITE,
    KILL,
    TIMES_H,
    fit_cli,
    w1_data,
    w1_text,
    write_csv,
    write_scenario,
)
from typer.testing import CliRunner

import hyosan.fit
from hyosan.errors import HyosanError
from hyosan.fit.build import build_problem
from hyosan.fit.comparison import compare_results
from hyosan.fit.errors import FitError

RATES = ["parameters.bite_rate=0.1:3:log", "parameters.kill_rate=0.1:3:log"]
FIT_TABLE = """
[fit]
data = "data.csv"
time_unit = "h"

[fit.parameters]
"parameters.bite_rate" = { low = 0.1, high = 3, prior = "log-uniform" }
"parameters.kill_rate" = { low = 0.1, high = 3, prior = "log-uniform" }
"""


def test_fit_directory(tmp_path: Path) -> None:
    """fit.json, posterior.parquet, bands.parquet, report.html and a runnable scenario.toml."""
    w1_data(tmp_path, 7)
    scenario = write_scenario(tmp_path, w1_text() + FIT_TABLE)
    result = hyosan.fit(scenario, out=tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "bands.parquet",
        "fit.json",
        "posterior.parquet",
        "report.html",
        "scenario.toml",
    ]
    summary = json.loads((out / "fit.json").read_text())
    assert summary["method"] == "mle"
    assert {"log_likelihood", "aic", "bic"} <= set(summary["diagnostics"])
    keys = [p["key"] for p in summary["parameters"]]
    assert keys == ["parameters.bite_rate", "parameters.kill_rate"]
    posterior = pq.read_table(out / "posterior.parquet")
    assert posterior.column_names == [*keys, "weight"]
    # The best-fit scenario runs as it is and holds the estimates, in the file's unit.
    problem, _ = build_problem(
        out / "scenario.toml", out.parent / "data.csv", fit=RATES, time_unit="h"
    )
    np.testing.assert_allclose([p.value for p in problem.params], result.estimate, rtol=1e-12)
    assert "data:image/png;base64," in (out / "report.html").read_text()
    # Its repr says the estimates and intervals, not the data and samples.
    shown = repr(result)
    assert shown.startswith("<FitResult mle of ")
    assert f"parameters.bite_rate {result.estimate[0]:.4g} [" in shown
    assert shown.endswith("(95 % intervals)>")
    assert len(shown) < 400
    with pytest.raises(HyosanError, match="already exists"):
        hyosan.fit(scenario, out=out)
    assert not list(tmp_path.glob(".out.*"))  # no temporary folder left behind


def test_force_replaces_only_a_fit_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--force replaces a fit (or comparison) directory hyosan wrote, never a folder of the
    user's, the current directory or its parent, and refuses before any work is done."""
    w1_data(tmp_path, 7)
    scenario = write_scenario(tmp_path, w1_text() + FIT_TABLE)
    out = tmp_path / "out"
    first = hyosan.fit(scenario, out=out)
    again = hyosan.fit(scenario, out=out, force=True, seed=5)
    assert json.loads((out / "fit.json").read_text())["seed"] == again.seed == 5
    assert first.seed != again.seed
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("years of work")
    calls = []
    monkeypatch.setattr("hyosan.fit.api._fit", lambda *a, **k: calls.append(a))
    with pytest.raises(HyosanError, match=r"not one: it has no summary\.json or fit\.json"):
        hyosan.fit(scenario, out=mine, force=True)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(HyosanError, match=r"holds files hyosan does not write \(notes.txt\)"):
        hyosan.fit(scenario, out=out, force=True)
    inner = tmp_path / "inner"
    inner.mkdir()
    monkeypatch.chdir(inner)
    for here in (".", ".."):
        with pytest.raises(HyosanError, match="current directory, one of its parents"):
            hyosan.fit(scenario, out=here, force=True)
    assert calls == []  # every refusal came before the fit
    assert (mine / "chapter1.tex").read_text() == "years of work"
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["data.csv", "inner", "out", "thesis", "truth-508.toml", "w1.toml"]
    )


def test_a_comparison_directory_is_hyosans(tmp_path: Path) -> None:
    """A comparison of fits (comparison.json, comparison.html, a fit directory per scenario)
    counts as hyosan's output for --force, and one holding a stray file does not."""
    from hyosan.results.publish import not_hyosan_output

    out = tmp_path / "cmp"
    (out / "1-w1").mkdir(parents=True)
    (out / "comparison.json").write_text('{"kind": "fit-comparison"}')
    (out / "comparison.html").write_text("<html></html>")
    (out / "1-w1" / "fit.json").write_text('{"kind": "fit"}')
    (out / "1-w1" / "posterior.parquet").write_bytes(b"")
    assert not_hyosan_output(out) is None
    (out / "1-w1" / "draft.md").write_text("mine")
    assert "its folder 1-w1: it holds files hyosan does not write (draft.md)" in str(
        not_hyosan_output(out)
    )


def test_saving_a_fit_leaves_matplotlib_as_it_was(tmp_path: Path) -> None:
    """A fit saved from a notebook keeps the notebook's matplotlib backend: the report draws
    on Figures of its own (it switched the whole session to Agg before)."""
    import matplotlib

    before = matplotlib.get_backend()
    w1_data(tmp_path, 7)
    scenario = write_scenario(tmp_path, w1_text() + FIT_TABLE)
    try:
        matplotlib.use("svg")
        hyosan.fit(scenario, out=tmp_path / "out")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert "data:image/png;base64," in (tmp_path / "out" / "report.html").read_text()


def test_cli_prints_estimates_and_refuses_bad_input(tmp_path: Path) -> None:
    """`hyosan fit` prints the table (or fit.json with --json); bad input exits 2."""
    data = w1_data(tmp_path, 7)
    scenario = write_scenario(tmp_path)
    runner = CliRunner()
    args = ["fit", str(scenario), "--data", str(data), "--time-unit", "h"]
    flags = [x for key in RATES for x in ("--fit", key)]
    res = runner.invoke(fit_cli(), [*args, *flags, "--no-report"], env={"COLUMNS": "60"})
    assert res.exit_code == 0, res.output
    # Whole names in a narrow terminal: cut, both read "parameters.…".
    assert "parameters.bite_rate" in res.output
    assert "parameters.kill_rate" in res.output
    res = runner.invoke(fit_cli(), [*args, *flags, "--json", "--no-report"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    estimate = [p["estimate"] for p in summary["parameters"]]
    assert np.allclose(estimate, [BITE, KILL], rtol=0.1)
    bad = write_csv(tmp_path / "bad.csv", {"time": TIMES_H, "Z": np.ones(TIMES_H.size)})
    res = runner.invoke(fit_cli(), ["fit", str(scenario), "--data", str(bad), *flags])
    assert res.exit_code == 2
    assert "no time column 't'" in res.output
    res = runner.invoke(fit_cli(), [*args, "--fit", "parameters.bite_rate=1:3"])
    assert res.exit_code == 2
    assert "exclude the scenario's value" in res.output
    res = runner.invoke(fit_cli(), [*args, *flags, "--method", "pmmh"])
    assert res.exit_code == 2
    assert "pmmh needs the ssa engine" in res.output


def test_comparison_prefers_the_generating_model(tmp_path: Path) -> None:
    """Data from W1 (frequency mixing) against the same model with mass action: AIC and BIC
    prefer the model that made the data, in every one of five data sets."""
    mass = w1_text().replace('mixing = "frequency"\n', "").replace("0.59/h", "0.00116/h")
    mass = mass.replace("0.49/h", "0.00096/h")
    a = write_scenario(tmp_path, w1_text(), name="frequency.toml")
    b = write_scenario(tmp_path, mass, name="mass.toml")
    mass_rates = ["parameters.bite_rate=1e-5:0.1:log", "parameters.kill_rate=1e-5:0.1:log"]
    wins = 0
    for r in range(5):
        data = w1_data(tmp_path, 200 + r, name=f"d{r}.csv")
        fa = hyosan.fit.fit(a, data, fit=RATES, time_unit="h", options={"starts": 2})
        fb = hyosan.fit.fit(b, data, fit=mass_rates, time_unit="h", options={"starts": 2})
        comparison = compare_results([fa, fb])
        wins += comparison.best is fa
        assert comparison.rows[0]["bic"] < comparison.rows[1]["bic"]
    assert wins == 5


def test_abc_comparison_gives_model_probabilities(tmp_path: Path) -> None:
    """Posterior model probabilities sum to one and favour the generating model."""
    mass = w1_text().replace('mixing = "frequency"\n', "").replace("0.59/h", "0.00116/h")
    mass = mass.replace("0.49/h", "0.00096/h")
    data = w1_data(tmp_path, 3)
    a = write_scenario(tmp_path, w1_text(), name="frequency.toml")
    b = write_scenario(tmp_path, mass, name="mass.toml")
    options = {"population": 100, "generations": 6}
    fa = hyosan.fit.fit(a, data, method="abc", fit=RATES, time_unit="h", options=options, workers=1)
    fb = hyosan.fit.fit(
        b,
        data,
        method="abc",
        fit=["parameters.bite_rate=1e-5:0.1:log", "parameters.kill_rate=1e-5:0.1:log"],
        time_unit="h",
        options=options,
        workers=1,
    )
    comparison = compare_results([fa, fb])
    probs = [row["probability"] for row in comparison.rows]
    assert sum(probs) == pytest.approx(1.0)
    assert probs[0] > 0.5
    comparison.save(tmp_path / "cmp")
    assert (tmp_path / "cmp" / "comparison.json").is_file()
    assert (tmp_path / "cmp" / "1-w1" / "fit.json").is_file()


def test_cli_compares_several_scenarios(tmp_path: Path) -> None:
    """Two scenarios on one data file: a table of AIC and BIC, the best named, a directory."""
    data = w1_data(tmp_path, 4)
    a = write_scenario(tmp_path, w1_text(), name="frequency.toml")
    b = write_scenario(tmp_path, w1_text(z0=2), name="two-zombies.toml")
    flags = [x for key in RATES for x in ("--fit", key)]
    out = tmp_path / "cmp"
    res = CliRunner().invoke(
        fit_cli(),
        [
            "fit",
            str(a),
            str(b),
            "--data",
            str(data),
            "--time-unit",
            "h",
            *flags,
            "--out",
            str(out),
            "--no-report",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "model comparison (mle)" in res.output
    assert f"best: {a}" in res.output
    summary = json.loads((out / "comparison.json").read_text())
    assert [m["folder"] for m in summary["models"]] == ["1-w1", "2-w1"]
    assert summary["models"][0]["aic"] < summary["models"][1]["aic"]


def test_data_in_memory_and_flags_as_one_string(tmp_path: Path) -> None:
    """A pandas DataFrame or a pyarrow Table fits as its CSV does; one --fit string is one
    flag; a mapping may say "log" as the flag does; anything else is refused in words."""
    import pyarrow.csv as pcsv

    data = w1_data(tmp_path, 7)
    scenario = write_scenario(tmp_path)
    from_file = hyosan.fit(scenario, data, fit=RATES, time_unit="h")
    table = pcsv.read_csv(data)
    from_table = hyosan.fit(scenario, table, fit=RATES, time_unit="h")
    np.testing.assert_array_equal(from_table.estimate, from_file.estimate)
    pandas = pytest.importorskip("pandas")
    assert isinstance(table.to_pandas(), pandas.DataFrame)
    from_frame = hyosan.fit(scenario, table.to_pandas(), fit=RATES, time_unit="h")
    np.testing.assert_array_equal(from_frame.estimate, from_file.estimate)
    one = hyosan.fit(scenario, data, fit=RATES[0], time_unit="h")
    assert one.names == ["parameters.bite_rate"]
    mapping = {key.split("=")[0]: {"low": 0.1, "high": 3, "prior": "log"} for key in RATES}
    by_map = hyosan.fit(scenario, data, fit=mapping, time_unit="h")
    np.testing.assert_allclose(by_map.estimate, from_file.estimate, rtol=1e-9)
    with pytest.raises(FitError, match="prior: Input should be"):
        hyosan.fit(scenario, data, fit={"parameters.bite_rate": {"low": 0.1, "high": 3,
                                                                 "prior": "lg"}})  # fmt: skip
    with pytest.raises(FitError, match="a file path, a pyarrow Table or a pandas DataFrame"):
        hyosan.fit(scenario, 3, fit=RATES, time_unit="h")
    with pytest.raises(FitError, match="the data table: no time column 't'"):
        hyosan.fit(scenario, table.rename_columns(["time", "S", "Z"]), fit=RATES)


def test_hyosan_report_on_a_fit_directory_says_how_to_get_its_report(tmp_path: Path) -> None:
    """It said "summary.json is missing", as if the folder were a broken run (a real fit
    directory has a bands.parquet beside fit.json, which read it as an ensemble)."""
    from hyosan.reports import write_report

    (tmp_path / "fit.json").write_text("{}", encoding="utf-8")
    (tmp_path / "bands.parquet").write_bytes(b"")
    with pytest.raises(HyosanError, match="is a fit directory: its report is written by"):
        write_report(tmp_path)

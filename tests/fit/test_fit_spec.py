"""The [fit] table and --fit flags: read, checked against the scenario, and refused when bad."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fit_helpers import TIMES_H, w1_text, write_csv, write_scenario

from hyosan.fit.build import build_problem
from hyosan.fit.errors import FitError
from hyosan.fit.spec import parse_fit_flag, split_fit_table

FIT_TABLE = """
[fit]
data = "data.csv"
time_unit = "h"
observation = "negative-binomial"
window = ["0h", "48h"]

[fit.parameters]
"parameters.bite_rate" = { low = 0.1, high = 3, prior = "log-uniform" }
"initial.Z" = { low = 1, high = 5 }
"""


def _data(folder: Path) -> Path:
    return write_csv(folder / "data.csv", {"t": TIMES_H, "S": np.full(TIMES_H.size, 500.0)})


def test_fit_table_is_read_and_removed(tmp_path: Path) -> None:
    """The table gives data, window, noise model and priors; the scenario loads without it."""
    _data(tmp_path)
    path = write_scenario(tmp_path, w1_text() + FIT_TABLE)
    problem, spec = build_problem(path)
    assert spec.observation == "negative-binomial"
    assert problem.names == ["parameters.bite_rate", "initial.Z", "obs.dispersion"]
    bite = problem.params[0]
    assert (bite.low, bite.high, bite.log, bite.unit, bite.value) == (0.1, 3.0, True, "h", 0.59)
    assert problem.params[1].whole
    assert not problem.params[1].log
    assert problem.data.times[-1] == 48 * 3600.0  # the window
    assert problem.compiled


def test_split_keeps_line_numbers() -> None:
    """The [fit] lines are blanked, so the loader's line numbers still match the file."""
    text = w1_text() + FIT_TABLE
    stripped, table = split_fit_table(text, "x.toml")
    assert table is not None
    assert table["time_unit"] == "h"
    assert "[fit" not in stripped
    assert stripped.count("\n") == text.count("\n")


def test_flags_with_units_convert_to_the_scenario_unit(tmp_path: Path) -> None:
    """--fit bounds may carry their own unit; they are converted into the scenario's."""
    path = write_scenario(tmp_path)
    problem, _ = build_problem(
        path, _data(tmp_path), fit=["parameters.kill_rate=2.4/day:48/day:log"]
    )
    (kill,) = problem.params
    assert kill.unit == "h"
    assert kill.low == pytest.approx(0.1)
    assert kill.high == pytest.approx(2)
    assert parse_fit_flag("initial.Z=1:9")[1].prior == "uniform"


@pytest.mark.parametrize(
    ("flag", "needle"),
    [
        ("parameters.bite_rate=1:3", "exclude the scenario's value 0.59"),
        ("parameters.bite_rate=0:3:log", "log-uniform prior needs low above zero"),
        ("parameters.bite_rate=3:1", "low .* must be below high|LO .* is above HI"),
        ("name=1:2", "does not hold a number|is not in the scenario"),
        ("parameters.eat_rate=1:2", "is not in the scenario"),
        ("parameters.bite_rate", "cannot read it"),
        ("parameters.bite_rate=0.1:2:cubic", "the third part is 'log'"),
        ("parameters.bite_rate=-2:3", "the bounds of a rate must be 0 or more .* found low -2/h"),
        ("parameters.kill_rate=-1/day:3/day", "negative; a rate must be zero or more"),
        ("initial.Z=-1:5", "the bounds of an initial count must be 0 or more"),
        ("initial.Z=0.5:3", "LOW and HIGH must be whole numbers"),
        ("parameters.bite_rate=0.5:0.5", "low .* must be below high"),
    ],
)
def test_bad_flags(tmp_path: Path, flag: str, needle: str) -> None:
    """Each bad specification is refused with the key and what is allowed."""
    path = write_scenario(tmp_path)
    with pytest.raises(FitError, match=needle):
        build_problem(path, _data(tmp_path), fit=[flag])


def test_bad_fit_table(tmp_path: Path) -> None:
    """Unknown keys and values in [fit] are listed with their field."""
    _data(tmp_path)
    bad = FIT_TABLE.replace('observation = "negative-binomial"', 'observation = "gamma"\nfoo = 1')
    path = write_scenario(tmp_path, w1_text() + bad)
    with pytest.raises(FitError) as info:
        build_problem(path)
    text = str(info.value)
    assert "fit.observation" in text
    assert "fit.foo: unknown key" in text


def test_unknown_key_of_a_sub_table_lists_that_tables_keys(tmp_path: Path) -> None:
    """An unknown key in [fit.abc.take_off] is answered with that table's keys, not [fit]'s."""
    _data(tmp_path)
    bad = FIT_TABLE + '\n[fit.abc]\ntake_off = { column = "Z", at_most = 3 }\n'
    path = write_scenario(tmp_path, w1_text() + bad)
    with pytest.raises(FitError) as info:
        build_problem(path)
    assert (
        "fit.abc.take_off.at_most: unknown key; allowed in [fit.abc.take_off]: column, "
        "at_least, tries"
    ) in str(info.value)


def test_nothing_to_fit_and_no_data(tmp_path: Path) -> None:
    """A fit needs values to fit and a data file."""
    path = write_scenario(tmp_path)
    with pytest.raises(FitError, match="nothing to fit"):
        build_problem(path, _data(tmp_path))
    with pytest.raises(FitError, match="no data"):
        build_problem(path, fit=["initial.Z=1:3"])


def test_a_bound_the_schema_refuses_is_refused(tmp_path: Path) -> None:
    """Beyond signs: whatever the scenario schema refuses for the key is refused as a bound
    (a cull's fraction above 1), with the schema's own words; zero is a rate's lowest bound."""
    cull = '\n[[culls]]\ncompartment = "Z"\ntimes = ["24h"]\nfraction = [0.5]\n'
    path = write_scenario(tmp_path, w1_text() + cull)
    with pytest.raises(FitError, match=r"culls\[0\].fraction\[0\]: high \(1.5\) is not allowed"):
        build_problem(path, _data(tmp_path), fit=["culls[0].fraction[0]=0.1:1.5"])
    problem, _ = build_problem(path, _data(tmp_path), fit=["culls[0].fraction[0]=0:1"])
    assert (problem.params[0].low, problem.params[0].high) == (0.0, 1.0)
    problem, _ = build_problem(path, _data(tmp_path), fit=["parameters.bite_rate=0:3"])
    assert problem.params[0].low == 0.0


def test_low_above_high_shows_a_fit_example(tmp_path: Path) -> None:
    """The message gives --fit's own form, not sweep's `LO:HI:N` (whose `:7` --fit refuses)."""
    path = write_scenario(tmp_path)
    with pytest.raises(FitError) as info:
        build_problem(path, _data(tmp_path), fit=["parameters.bite_rate=3:0.1"])
    text = str(info.value)
    assert text.startswith("fit parameter parameters.bite_rate: low (3) must be below high (0.1)")
    assert "--fit parameters.kill_rate=0.0002:0.0014" in text
    assert ":7" not in text
    assert "write fit parameter" not in text
    # The example is one that --fit takes.
    assert parse_fit_flag("parameters.kill_rate=0.0002:0.0014")[1].prior == "uniform"


def test_unknown_time_unit_names_the_option(tmp_path: Path) -> None:
    """A mistyped --time-unit is the option's fault, not the data file's; in [fit] it is the
    table's field."""
    path = write_scenario(tmp_path)
    data = _data(tmp_path)
    with pytest.raises(FitError) as info:
        build_problem(path, data, fit=["initial.Z=1:3"], time_unit="dya")
    assert str(info.value) == "--time-unit dya: not a time unit; allowed: s, min, h, d, w"
    table = w1_text() + FIT_TABLE.replace('time_unit = "h"', 'time_unit = "dya"')
    with pytest.raises(
        FitError, match=r"fit\.time_unit: not a time unit; allowed: s, min, h, d, w"
    ):
        build_problem(write_scenario(tmp_path, table, name="table.toml"))


def test_validate_and_run_take_a_fit_table(tmp_path: Path) -> None:
    """The README's [fit] table does not stop `validate` or `run`: they ignore it, but report
    its problems as `hyosan fit` would, with the file's lines."""
    from typer.testing import CliRunner

    from hyosan.cli import app
    from hyosan.errors import ScenarioError
    from hyosan.scenario.load import load_scenario

    _data(tmp_path)
    path = write_scenario(tmp_path, w1_text() + FIT_TABLE + '\n[fit.abc]\nkernel = "distance"\n')
    runner = CliRunner()
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output
    assert "valid scenario 'w1'" in res.output
    res = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "run"), "--no-report"])
    assert res.exit_code == 0, res.output
    assert load_scenario(path).name == "w1"
    bad = FIT_TABLE.replace('observation = "negative-binomial"', 'observation = "gamma"')
    bad += '\n[fit.abc]\ntake_off = { column = "Z", at_least = -2 }\n'
    path = write_scenario(tmp_path, w1_text() + bad, name="bad.toml")
    lines = path.read_text().splitlines()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {p.path: p for p in info.value.problems}
    assert set(found) == {"fit.observation", "fit.abc.take_off.at_least"}
    assert "observation" in lines[found["fit.observation"].line - 1]  # type: ignore[operator]
    assert "take_off" in lines[found["fit.abc.take_off.at_least"].line - 1]  # type: ignore[operator]
    assert "'normal', 'poisson' or 'negative-binomial'" in found["fit.observation"].message
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert "fit.observation (line" in res.output
    assert "unknown key 'fit'" not in res.output

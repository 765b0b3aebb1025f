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

"""The API audit's fit findings: dates and durations as times, one value fitted under two keys,
one string as one override, warnings in Python's words, a take-off that can never happen, and
the data-span warning said again under the table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fit_helpers import TIMES_H, fit_cli, w1_data, write_csv, write_scenario
from typer.testing import CliRunner

import hyosan.fit
from hyosan.errors import speak_command_line
from hyosan.fit.build import build_problem
from hyosan.fit.checks import _abc_warnings, _pmmh_warnings
from hyosan.fit.data import load_observations
from hyosan.fit.errors import FitError

ALLOWED = ["S", "Z", "R"]
BITE = "parameters.bite_rate=0.1:3:log"


def _words(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


# --- 1. dates, timestamps and durations in the time column ----------------------------------


def test_csv_dates_are_refused_naming_the_file_and_column(tmp_path: Path) -> None:
    """pyarrow reads 2024-01-01 as a date: it was turned into days since 1970, and the fit
    integrated over 54 years. It is refused, saying what the time column must hold."""
    path = tmp_path / "days.csv"
    path.write_text("t,S,Z\n2024-01-01,517,1\n2024-01-02,9,290\n2024-01-03,0,277\n")
    with pytest.raises(FitError, match="column 't' holds dates") as info:
        load_observations(path, allowed=ALLOWED, time_unit="h")
    message = str(info.value)
    assert str(path) in message
    assert "the first is 2024-01-01" in message
    assert "time elapsed since the scenario's start" in message
    assert "time unit h" in message


def test_csv_timestamps_and_clock_times_are_refused(tmp_path: Path) -> None:
    """Timestamps and clock times are refused alike; a count column of dates is not counts."""
    for text, what in (("2024-01-01 10:00", "timestamps"), ("10:00:00", "clock times")):
        path = tmp_path / "stamps.csv"
        path.write_text(f"t,Z\n{text},1\n")
        with pytest.raises(FitError, match=f"column 't' holds {what}"):
            load_observations(path, allowed=ALLOWED)
    path = tmp_path / "counts.csv"
    path.write_text("t,Z\n0,2024-01-01\n")
    with pytest.raises(FitError, match=r"column 'Z' holds dates .*, not counts"):
        load_observations(path, allowed=ALLOWED)


def test_unix_seconds_as_numbers_are_refused_as_clock_times(tmp_path: Path) -> None:
    """Times in Unix seconds were read as 1.7 billion units after the start, and the fit
    integrated the model over all of them (only a warning of the span said so). They are
    refused, naming the file and column; times that start late but plausibly are not."""
    path = tmp_path / "unix.csv"
    path.write_text("t,S,Z\n1733572800,517,1\n1733576400,9,290\n1733580000,0,277\n")
    for unit in ("s", "h"):
        with pytest.raises(FitError, match="look like clock times") as info:
            load_observations(path, allowed=ALLOWED, time_unit=unit)
        assert str(path) in str(info.value)
        assert "column 't'" in str(info.value)
    late = tmp_path / "late.csv"
    late.write_text("t,S,Z\n100,517,1\n100.05,9,290\n100.1,0,277\n")
    data = load_observations(late, allowed=ALLOWED, time_unit="d")
    assert data.times.size == 3


def test_pandas_timedeltas_are_elapsed_time_and_datetimes_are_refused() -> None:
    """A timedelta column is elapsed time: the same seconds whatever the time unit (which
    then names the tables' unit only). A datetime column is refused, not read as µs since
    1970 (the fit returned the prior as the interval)."""
    pd = pytest.importorskip("pandas")
    hours = [0.0, 1.5, 3.0]
    frame = pd.DataFrame({"t": hours, "Z": [1, 4, 9]})
    plain = load_observations(frame, allowed=ALLOWED, time_unit="h")
    spans = frame.assign(t=pd.to_timedelta(frame.t, unit="h"))
    for unit in ("h", "d", "s"):
        obs = load_observations(spans, allowed=ALLOWED, time_unit=unit)
        np.testing.assert_allclose(obs.times, plain.times)
        assert obs.time_unit == unit
    dates = frame.assign(t=pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.t, unit="h"))
    with pytest.raises(FitError, match="column 't' holds timestamps"):
        load_observations(dates, allowed=ALLOWED, time_unit="h")
    with pytest.raises(FitError, match="column 'Z' holds durations, not counts"):
        load_observations(frame.assign(Z=spans.t), allowed=ALLOWED, time_unit="h")


def test_cli_refuses_a_date_column_at_once(tmp_path: Path) -> None:
    """`hyosan fit --data days.csv`: exit 2 and the message, no traceback, nothing written."""
    scenario = write_scenario(tmp_path)
    data = tmp_path / "days.csv"
    data.write_text("t,S,Z\n2024-01-01,517,1\n2024-01-02,9,290\n")
    out = tmp_path / "fit"
    res = CliRunner().invoke(
        fit_cli(),
        ["fit", str(scenario), "--data", str(data), "--fit", BITE, "--out", str(out)],
    )
    assert res.exit_code == 2, res.output
    said = _words(res.output)
    assert "column 't' holds dates" in said
    assert "--time-unit" in said
    assert "Traceback" not in res.output
    assert not out.exists()


# --- 2. one value under two keys ------------------------------------------------------------


def test_two_keys_of_one_value_are_refused(tmp_path: Path) -> None:
    """parameters.bite_rate and model.parameters.bite_rate.value are the same rate (the first
    replaces the second): fitting both gave a meaningless second estimate."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    for alias in ("model.parameters.bite_rate.value", "model.parameters.bite_rate"):
        with pytest.raises(FitError, match="name the same value") as info:
            build_problem(scenario, data, fit=[BITE, f"{alias}=0.2:2"], time_unit="h")
        assert "fit it once, as parameters.bite_rate" in str(info.value)
        with pytest.raises(FitError, match=r"write parameters\.bite_rate instead"):
            build_problem(scenario, data, fit=[f"{alias}=0.2:2"], time_unit="h")


def test_the_same_key_twice_is_refused_not_overwritten(tmp_path: Path) -> None:
    """Two --fit of one key kept the last silently; also when spelled with spaces."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    with pytest.raises(FitError, match="fit the same value; give each fitted value once"):
        build_problem(scenario, data, fit=[BITE, "parameters.bite_rate=0.2:2"], time_unit="h")
    with pytest.raises(FitError, match="fit the same value"):
        build_problem(scenario, data, fit=[BITE, "parameters . bite_rate=0.2:2"], time_unit="h")
    res = CliRunner().invoke(
        fit_cli(),
        ["fit", str(scenario), "--data", str(data), "--fit", BITE, "--fit", BITE],
    )
    assert res.exit_code == 2, res.output
    assert "--fit 'parameters.bite_rate=0.1:3:log' and --fit" in _words(res.output)


def test_keys_that_cannot_change_the_fit_are_refused_and_not_offered(tmp_path: Path) -> None:
    """The horizon and output step are set by the fit from the data: refused. The list of
    keys offers one spelling per value, and only keys that can change the likelihood."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    for key in ("time.horizon=10:100", "time.output_every=1:3"):
        with pytest.raises(FitError, match="cannot change the fit"):
            build_problem(scenario, data, fit=[key], time_unit="h")
    with pytest.raises(FitError, match="keys that can be fitted: ") as info:
        build_problem(scenario, data, fit=["parameters.bitex=0.1:3"], time_unit="h")
    offered = str(info.value).split("keys that can be fitted: ")[1].split(", ")
    assert offered == ["parameters.bite_rate", "parameters.kill_rate", "initial.S", "initial.Z"]


def test_a_fit_flag_replaces_the_tables_entry_spelled_otherwise(tmp_path: Path) -> None:
    """--fit replaces the [fit.parameters] entry of its key, however either is spelled."""
    text = write_scenario(tmp_path).read_text()
    text += '\n[fit.parameters]\n"parameters. bite_rate" = { low = 0.1, high = 3 }\n'
    scenario = write_scenario(tmp_path, text, name="table.toml")
    data = w1_data(tmp_path, 7)
    problem, _ = build_problem(scenario, data, fit=["parameters.bite_rate=0.2:2"], time_unit="h")
    (param,) = problem.params
    assert (param.key, param.low, param.high) == ("parameters.bite_rate", 0.2, 2.0)


# --- 3. one string as one override, warnings in Python's words -------------------------------


def test_one_override_string_is_one_override(tmp_path: Path) -> None:
    """overrides="KEY=VALUE" was split into its characters (26 problems)."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    result = hyosan.fit(
        scenario,
        data,
        fit=[BITE],
        time_unit="h",
        overrides="parameters.kill_rate=0.5/h",
        options={"starts": 1},
    )
    assert "parameters.kill_rate=0.5/h" in result.problem.overrides


def test_compare_refuses_one_string_as_one_scenario(tmp_path: Path) -> None:
    """compare("szr.toml", ...) read each character as a scenario ('s: no such file')."""
    scenario = write_scenario(tmp_path)
    with pytest.raises(FitError, match="needs two scenarios or more; got 1"):
        hyosan.fit.compare(str(scenario), w1_data(tmp_path, 7))


def test_warnings_name_pythons_arguments_from_python() -> None:
    """ "raise --generations" is options={"generations": ...} in Python; --time-unit h is
    time_unit="h"; on the command line the flags stay."""
    from hyosan.fit.errors import in_callers_words

    (abc,) = _abc_warnings({"epsilon": None})
    (pmmh,) = _pmmh_warnings({"rhat_max": 2.0, "ess_min": 5.0})
    span = "is the data's time unit h? pass --time-unit h (or time_unit in [fit])"
    assert 'raise options={"generations": ...}' in in_callers_words(abc)
    assert 'raise options={"iterations": ...}' in in_callers_words(pmmh)
    assert 'pass time_unit="h" (or time_unit in [fit])' in in_callers_words(span)
    assert "--" not in in_callers_words(abc + pmmh + span)
    back = speak_command_line()
    try:
        assert in_callers_words(abc) == abc
        assert in_callers_words(span) == span
    finally:
        back()


def test_fit_result_warnings_from_python(tmp_path: Path) -> None:
    """Hours read as days, from Python: the warning in the result and in fit.json names the
    argument time_unit="h", not the flag."""
    scenario = write_scenario(tmp_path)
    out = tmp_path / "fit"
    result = hyosan.fit(
        scenario, w1_data(tmp_path, 7), fit=[BITE], options={"starts": 1}, out=out, report=False
    )
    span = result.warnings[0]
    assert 'pass time_unit="h"' in span
    assert "--time-unit" not in span
    assert json.loads((out / "fit.json").read_text())["warnings"][0] == span


# --- 4. a take-off that can never happen ------------------------------------------------------


def test_take_off_above_the_population_is_refused_up_front(tmp_path: Path) -> None:
    """Z at least 5000 among 509 people: refused before any run, naming take_off (it failed
    as "ABC produced no population; widen the priors or lower min_acceptance")."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    options = {"population": 20, "generations": 1, "take_off": {"column": "Z", "at_least": 5000}}
    with pytest.raises(FitError, match=r"take_off\.at_least: Z can never reach 5000") as e:
        hyosan.fit(scenario, data, fit=[BITE], time_unit="h", method="abc", options=options)
    assert "509 individuals in all" in str(e.value)
    # A fitted initial count raises the most there can be.
    with pytest.raises(FitError, match="1008 individuals in all"):
        hyosan.fit(
            scenario,
            data,
            fit=[BITE, "initial.S=100:1007"],
            time_unit="h",
            method="abc",
            options=options,
        )


def test_take_off_never_reached_is_named_in_the_failure(tmp_path: Path) -> None:
    """A take-off within the population that no run reaches: the failure names take_off."""
    scenario = write_scenario(tmp_path)
    data = w1_data(tmp_path, 7)
    options = {
        "population": 20,
        "generations": 1,
        "take_off": {"column": "Z", "at_least": 509, "tries": 1},
    }
    with pytest.raises(FitError, match="with take_off, a candidate is kept only if Z reaches"):
        hyosan.fit(
            scenario, data, fit=[BITE], time_unit="h", method="abc", workers=1, options=options
        )


# --- 5. the data-span warning under the table ------------------------------------------------


def test_data_span_warning_is_printed_under_the_table_too(tmp_path: Path) -> None:
    """formats.md: the span warning is printed before the fit starts and under the table."""
    scenario = write_scenario(tmp_path)
    data = write_csv(tmp_path / "d.csv", {"t": TIMES_H, "S": np.full(TIMES_H.size, 500)})
    res = CliRunner().invoke(
        fit_cli(),
        ["fit", str(scenario), "--data", str(data), "--fit", BITE, "--starts", "1", "--no-report"],
    )
    assert res.exit_code == 0, res.output
    said = _words(res.output)
    warning = "warning: the data run to 72 d but the scenario's horizon is 72h (3 d)"
    assert said.count(warning) == 2
    assert said.rindex(warning) > said.index("log-likelihood")
    assert "pass --time-unit h" in said

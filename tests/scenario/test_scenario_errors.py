"""Malformed scenario files: `hyosan validate` exits 2 with the file, the field, the line and
what is allowed, and never a traceback.

The table runs `hyosan.cli.main([...])` in this process, catching its SystemExit: `main` is
exactly the console script's entry point (argument parsing, error rendering, exit code), and
each case then costs milliseconds instead of the half second a Python subprocess takes to
start, which for 50 cases would be most of the suite's time budget. A handful of cases at the
end run the installed `hyosan` script in a real subprocess, to prove end to end that the
process exits 2 and prints no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hyosan.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: A small valid scenario; each case breaks it in one way. Line numbers matter below.
BASE = """\
name = "table-case"
description = "A small valid scenario that each case breaks in one way."
engine = "ode"
seed = 1
model = "munz-szr"

[parameters]
bite_rate = "0.0095/day"
kill_rate = "0.005/day"

[initial]
S = 500
Z = 1

[time]
horizon = "10d"
output_every = "0.1d"
"""

#: A model of one's own, for the cases about models (reactions start on line 12).
CUSTOM = """\
name = "custom-model"
model.compartments.S = "human"
model.compartments.Z = "zombie"
model.compartments.R = { state = "removed", in_population = false }
model.parameters.bite_rate = "0.0095/day"
model.parameters.kill_rate = { value = "0.005/day", symbol = "α" }
initial.S = 500
initial.Z = 1
time.horizon = "10d"

[[model.reactions]]
name = "bite"
equation = "S + Z -> 2 Z"
rate = "bite_rate"

[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
"""

CULL = """
[[culls]]
compartment = "Z"
times = ["2.5d", "5d"]
fraction = 0.5
"""

THRESHOLD = """
[[thresholds]]
name = "last_human"
of = "human"
below = 1
"""


def edit(text: str, old: str, new: str) -> str:
    """text with old (which must be there, once) replaced by new."""
    assert text.count(old) == 1, f"{old!r} is not in the base scenario once"
    return text.replace(old, new)


MISSING = object()  # the case is a path to a file that does not exist
DIRECTORY = object()  # the case is a path to a directory


@dataclass(frozen=True)
class Case:
    id: str
    content: str | bytes | object
    path: str  # the dotted path the problem is reported at ("(top level)" for the whole file)
    allowed: tuple[str, ...]  # fragments that say what is wrong and what is allowed
    line: int | None = None  # the line the loader should point to
    bug: str = ""  # a known bug outside the loader: the case is expected to fail until fixed


CASES = [
    # --- a table told apart by its kind -------------------------------------------------------
    Case(
        "intervention-without-kind",
        BASE + '\n[[interventions]]\nrate = "1/d"\n',
        "interventions[0].kind",
        ("missing; give one of 'cordon', 'curfew'", "'cure', 'travel'"),
        line=19,
    ),
    Case(
        "intervention-of-unknown-kind",
        BASE + '\n[[interventions]]\nkind = "nuke"\nat = "1d"\n',
        "interventions[0].kind",
        ("'nuke' is not one of 'cordon', 'curfew'",),
        line=20,
    ),
    Case(
        "empty-list",
        BASE + '\n[[culls]]\ncompartment = "Z"\ntimes = []\nfraction = 0.5\n',
        "culls[0].times",
        ("List should have at least 1 item, not 0",),
    ),
    # --- keys ---------------------------------------------------------------------------------
    Case(
        "unknown-key-top-level",
        'colour = "red"\n' + BASE,
        "colour",
        ("unknown key 'colour'", "allowed here: name, description, engine, seed, model"),
        1,
    ),
    Case(
        "unknown-key-nested",
        BASE + 'horizn = "5d"\n',
        "time.horizn",
        ("unknown key 'horizn'", "allowed here: horizon, output_every, display_unit"),
        18,
    ),
    Case(
        "unknown-key-in-array-of-tables",
        BASE + CULL.replace("fraction", "fractoin"),
        "culls[0].fractoin",
        ("unknown key 'fractoin'", "allowed here: compartment, fraction, times"),
        22,
    ),
    Case(
        "unknown-key-in-model",
        CUSTOM + 'speed = "fast"\n',
        "model.reactions[1].speed",
        ("unknown key 'speed'", "allowed here: name, equation, rate, mixing"),
        20,
    ),
    Case(
        "missing-section",
        BASE.split("[time]")[0],
        "time",
        ("missing; this field is required",),
    ),
    # --- units --------------------------------------------------------------------------------
    Case(
        "rate-without-unit",
        edit(BASE, 'bite_rate = "0.0095/day"', "bite_rate = 0.0095"),
        "parameters.bite_rate",
        ("bare number 0.0095", '"0.0095/day"'),
        8,
    ),
    Case(
        "duration-without-unit",
        edit(BASE, 'horizon = "10d"', "horizon = 10"),
        "time.horizon",
        ("bare number 10", '"10d"'),
        16,
    ),
    Case(
        "duration-without-unit-in-a-list",
        BASE + CULL.replace('["2.5d", "5d"]', '[2.5, "5d"]'),
        "culls[0].times[0]",
        ("bare number 2.5", '"2.5d"'),
        21,
    ),
    Case(
        "parameter-without-unit-in-model",
        edit(CUSTOM, 'value = "0.005/day"', "value = 0.005"),
        "model.parameters.kill_rate.value",
        ("bare number 0.005", '"0.005/day"'),
        6,
    ),
    Case(
        "unknown-unit",
        edit(BASE, 'horizon = "10d"', 'horizon = "5 fortnights"'),
        "time.horizon",
        ("unknown time unit 'fortnights'", "s, min, h, d, w, y"),
        16,
    ),
    Case(
        "unknown-rate-unit",
        edit(BASE, 'bite_rate = "0.0095/day"', 'bite_rate = "0.0095/fortnight"'),
        "parameters.bite_rate",
        ("unknown time unit 'fortnight'", '"0.0095/day"'),
        8,
    ),
    Case(
        "unreadable-rate",
        edit(BASE, 'bite_rate = "0.0095/day"', 'bite_rate = "fast"'),
        "parameters.bite_rate",
        ("cannot read 'fast' as a rate", '"0.0095/day"'),
        8,
    ),
    Case(
        "input-that-looks-like-markup",
        edit(BASE, 'horizon = "10d"', 'horizon = "[/bold]"'),
        "time.horizon",
        ("cannot read '[/bold]' as a duration", '"10d"'),
        16,
    ),
    # --- values -------------------------------------------------------------------------------
    Case(
        "negative-rate",
        edit(BASE, 'bite_rate = "0.0095/day"', 'bite_rate = "-0.0095/day"'),
        "parameters.bite_rate",
        ("negative", "zero or more"),
        8,
    ),
    Case(
        "negative-count",
        edit(BASE, "S = 500", "S = -500"),
        "initial.S",
        ("greater than or equal to 0", "found -500"),
        12,
    ),
    Case(
        "wrong-type-string-for-int",
        edit(BASE, "seed = 1", 'seed = "one"'),
        "seed",
        ("valid integer", "found 'one' (str)"),
        4,
    ),
    Case(
        "wrong-type-number-for-string",
        edit(BASE, 'name = "table-case"', "name = 5"),
        "name",
        ("valid string", "found 5 (int)"),
        1,
    ),
    Case(
        "wrong-type-number-for-table",
        BASE.replace("[initial]\nS = 500\nZ = 1\n", "").replace(
            "seed = 1", "seed = 1\ninitial = 5"
        ),
        "initial",
        ("valid dictionary", "found 5 (int)"),
        5,
    ),
    Case(
        "negative-seed",
        edit(BASE, "seed = 1", "seed = -1"),
        "seed",
        ("greater than or equal to 0", "found -1"),
        4,
    ),
    Case(
        "nan-count",
        edit(BASE, "S = 500", "S = nan"),
        "initial.S",
        ("finite number",),
        12,
    ),
    Case(
        "inf-count",
        edit(BASE, "Z = 1", "Z = inf"),
        "initial.Z",
        ("finite number",),
        13,
    ),
    Case(
        "nan-rate",
        edit(BASE, 'kill_rate = "0.005/day"', 'kill_rate = "nan/day"'),
        "parameters.kill_rate",
        ("not a finite rate", '"0.0095/day"'),
        9,
    ),
    Case(
        "inf-duration",
        edit(BASE, 'horizon = "10d"', 'horizon = "inf d"'),
        "time.horizon",
        ("not a finite duration", '"10d"'),
        16,
    ),
    Case(
        "zero-horizon",
        edit(BASE, 'horizon = "10d"', 'horizon = "0d"'),
        "time.horizon",
        ("more than zero",),
        16,
    ),
    Case(
        "bad-display-unit",
        BASE + 'display_unit = "fortnight"\n',
        "time.display_unit",
        ("'s', 'min', 'h' or 'd'", "found 'fortnight'"),
        18,
    ),
    # --- absurd sizes -------------------------------------------------------------------------
    Case(
        "horizon-of-a-billion-days",
        edit(BASE, 'horizon = "10d"', 'horizon = "1e9d"'),
        "time.horizon",
        ("'1e9d' is more than a century",),
        16,
    ),
    Case(
        "output-every-makes-too-many-records",
        edit(BASE, 'output_every = "0.1d"', 'output_every = "0.1s"'),
        "time.output_every",
        ("more than 1,000,000 records", "choose a longer spacing"),
        17,
    ),
    Case(
        "count-of-1e20",
        edit(BASE, "S = 500", "S = 1e20"),
        "initial.S",
        ("less than or equal to 100000000000", "found 1e+20"),
        12,
    ),
    # --- models -------------------------------------------------------------------------------
    Case(
        "unknown-builtin-model",
        edit(BASE, 'model = "munz-szr"', 'model = "munz-xyz"'),
        "model",
        ("unknown built-in model 'munz-xyz'", "munz-szr", "sir"),
        5,
    ),
    Case(
        "reaction-names-unknown-compartment",
        edit(CUSTOM, '"S + Z -> S + R"', '"S + Z -> S + Q"'),
        "model.reactions[1]",
        ("reaction 'kill'", "unknown compartment 'Q'", "the model has S, Z, R"),
        16,
    ),
    Case(
        "reaction-names-unknown-parameter",
        edit(CUSTOM, 'rate = "kill_rate"', 'rate = "klil_rate"'),
        "model.reactions[1]",
        ("unknown parameter 'klil_rate'", "the model has bite_rate, kill_rate"),
        16,
    ),
    Case(
        "equation-without-arrow",
        edit(CUSTOM, '"S + Z -> 2 Z"', '"S + Z = 2 Z"'),
        "model.reactions[0].equation",
        ("needs exactly one '->'", "e.g. 'S + Z -> 2 Z'"),
        13,
    ),
    Case(
        "compartment-with-bad-state",
        edit(CUSTOM, 'model.compartments.Z = "zombie"', 'model.compartments.Z = "vampire"'),
        "model.compartments.Z.state",
        ("found 'vampire'", "'human'", "'zombie'", "'removed'"),
        3,
    ),
    Case(
        "model-without-reactions",
        CUSTOM.split("[[model.reactions]]")[0],
        "model.reactions",
        ("missing",),
    ),
    Case(
        "unknown-engine",
        edit(BASE, 'engine = "ode"', 'engine = "warp-drive"'),
        "engine",
        ("unknown engine 'warp-drive'", "choose one of", "ode"),
    ),
    # --- ode options --------------------------------------------------------------------------
    Case(
        "euler-without-dt",
        BASE + '\n[ode]\nmethod = "euler"\n',
        "ode.dt",
        ('method = "euler" needs a step', 'dt = "0.01d"'),
        19,
    ),
    Case(
        "euler-dt-without-unit",
        BASE + '\n[ode]\nmethod = "euler"\ndt = 0.01\n',
        "ode.dt",
        ("bare number 0.01", '"0.01d"'),
        21,
    ),
    # --- culls and thresholds -----------------------------------------------------------------
    Case(
        "cull-with-times-and-start",
        BASE + CULL + 'start = "1d"\n',
        "culls[0]",
        ("give either times = [...] or start, every and count",),
        19,
    ),
    Case(
        "cull-without-count",
        BASE + CULL.replace('times = ["2.5d", "5d"]', 'start = "1d"\nevery = "1d"'),
        "culls[0]",
        ("needs all of start, every and count",),
        19,
    ),
    # A cull after the horizon is no problem: skipped and listed as not reached
    # (tests/interventions/test_unreached.py).
    Case(
        "cull-fraction-above-one",
        BASE + CULL.replace("fraction = 0.5", "fraction = 1.5"),
        "culls[0].fraction",
        ("less than or equal to 1", "found 1.5"),
        22,
    ),
    Case(
        "cull-fraction-list-with-one-bad-value",
        BASE + CULL.replace("fraction = 0.5", "fraction = [0.5, 2]"),
        "culls[0].fraction[1]",
        ("less than or equal to 1", "found 2"),
        22,
    ),
    Case(
        "cull-fraction-list-with-a-word",
        BASE + CULL.replace("fraction = 0.5", 'fraction = [0.5, "all"]'),
        "culls[0].fraction[1]",
        ("valid number", "found 'all'"),
        22,
    ),
    Case(
        "cull-fraction-of-the-wrong-kind",
        BASE + CULL.replace("fraction = 0.5", 'fraction = "half"'),
        "culls[0].fraction",
        ("valid number", "or a valid list", "found 'half'"),
        22,
    ),
    Case(
        "cull-fraction-list-of-the-wrong-length",
        BASE + CULL.replace("fraction = 0.5", "fraction = [0.5]"),
        "culls[0].fraction",
        ("lists 1 values for 2 culls",),
        22,
    ),
    Case(
        "cull-of-unknown-compartment",
        BASE + CULL.replace('compartment = "Z"', 'compartment = "Q"'),
        "culls[0].compartment",
        ("no compartment 'Q'", "the model has S, Z, R"),
        20,
    ),
    Case(
        "threshold-with-below-and-above",
        BASE + THRESHOLD + "above = 2\n",
        "thresholds[0]",
        ("give exactly one of below = ... or above = ...",),
        19,
    ),
    Case(
        "threshold-of-unknown-state",
        BASE + THRESHOLD.replace('of = "human"', 'of = "wizard"'),
        "thresholds[0].of",
        ("'wizard' is neither a compartment (S, Z, R)", "(human, zombie, removed)"),
        21,
    ),
    Case(
        "threshold-with-bad-name",
        BASE + THRESHOLD.replace('name = "last_human"', 'name = "last human"'),
        "thresholds[0].name",
        ("should match pattern", "found 'last human'"),
        20,
    ),
    Case(
        "initial-of-unknown-compartment",
        edit(BASE, "Z = 1", "Zombies = 1"),
        "initial.Zombies",
        ("the model has no compartment 'Zombies'", "(it has S, Z, R)"),
        13,
    ),
    Case(
        "parameter-the-model-does-not-have",
        edit(BASE, 'kill_rate = "0.005/day"', 'kil_rate = "0.005/day"'),
        "parameters.kil_rate",
        ("no parameter 'kil_rate'", "bite_rate, kill_rate"),
        9,
    ),
    # --- not a scenario at all ----------------------------------------------------------------
    Case(
        "broken-toml",
        edit(BASE, 'horizon = "10d"', 'horizon = "10d'),
        "(top level)",
        ("not valid TOML",),
        16,
    ),
    Case(
        "broken-toml-duplicate-key",
        edit(BASE, "Z = 1", "Z = 1\nS = 2"),
        "(top level)",
        ("not valid TOML",),
        14,
    ),
    Case(
        "broken-toml-missing-value",
        edit(BASE, "seed = 1", "seed ="),
        "(top level)",
        ("not valid TOML",),
        4,
    ),
    Case("empty-file", "", "(top level)", ("the file is empty", "hyosan show munz-basic")),
    Case("whitespace-only", " \n\t\n   \n", "(top level)", ("the file is empty",)),
    Case("comments-only", "# nothing here\n", "name", ("missing; this field is required",)),
    Case(
        "binary-garbage",
        bytes(range(256)) * 4,
        "(top level)",
        ("not a text file", "not UTF-8", "TOML"),
    ),
    Case("control-characters", "\x00\x01\x02\x03", "(top level)", ("not valid TOML",), 1),
    Case(
        "huge-file",
        "# padding\n" * 600_000,  # 6 MB of comments: valid TOML, but no scenario is that big
        "(top level)",
        ("6,000,000 bytes", "at most 5,000,000"),
    ),
    Case(
        "nested-too-deeply",
        "x = " + "[" * 3000 + "]" * 3000 + "\n",
        "(top level)",
        ("nested too deeply",),
    ),
    Case(
        "nonexistent-path",
        MISSING,
        "(top level)",
        ("no such file", "built-ins: ", "munz-basic"),
    ),
    Case(
        "directory-path",
        DIRECTORY,
        "(top level)",
        ("is a directory", "scenario file (.toml)"),
    ),
    # --- names are one line of printable text ---------------------------------------------------
    Case(
        "name-with-an-escape-sequence",
        edit(BASE, 'name = "table-case"', 'name = "table\\u001b[31mcase"'),
        "name",
        ("holds a control character (U+001B); a name is one line of printable text",),
        1,
    ),
    Case(
        "name-of-spaces",
        edit(BASE, 'name = "table-case"', 'name = "   "'),
        "name",
        ("is only spaces; give a name",),
        1,
    ),
    # --- names that must differ: results are kept under them ----------------------------------
    Case(
        "two-thresholds-of-one-name",
        BASE + THRESHOLD + THRESHOLD.replace("below = 1", "below = 5"),
        "thresholds",
        ("[1].name: 'last_human' names two thresholds; names must differ",),
        19,
    ),
    Case(
        "two-reactions-of-one-name",
        edit(CUSTOM, 'name = "kill"', 'name = "bite"'),
        "model.reactions",
        ("[1].name: 'bite' names two reactions; names must differ",),
        11,
    ),
    # --- numbers in quotes: text is for values with units, not read as a number ---------------
    Case(
        "count-written-as-text",
        edit(BASE, "S = 500", 'S = "500"'),
        "initial.S",
        ('"500" is text in quotes; write the number without them: 500',),
        12,
    ),
    Case(
        "threshold-level-written-as-text",
        BASE + THRESHOLD.replace("below = 1", 'below = "1"'),
        "thresholds[0].below",
        ('"1" is text in quotes; write the number without them: 1',),
        22,
    ),
    Case(
        "fraction-written-as-text-in-a-list",
        BASE + CULL.replace("fraction = 0.5", 'fraction = [0.5, "0.25"]'),
        "culls[0].fraction[1]",
        ('"0.25" is text in quotes; write the number without them: 0.25',),
        22,
    ),
    # --- records -------------------------------------------------------------------------------
    Case(
        "output-every-longer-than-the-horizon",
        edit(BASE, 'output_every = "0.1d"', 'output_every = "12d"'),
        "time.output_every",
        ("time.output_every '12d' is longer than time.horizon '10d'", "at most every '10d'"),
        17,
    ),
]


def write_case(tmp_path: Path, case: Case) -> Path:
    if case.content is MISSING:
        return tmp_path / "no-such-dir" / "scenario.toml"
    if case.content is DIRECTORY:
        (tmp_path / "a-folder.toml").mkdir()
        return tmp_path / "a-folder.toml"
    path = tmp_path / f"{case.id}.toml"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        assert isinstance(case.content, str)
        path.write_text(case.content, encoding="utf-8")
    return path


def validate_in_process(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`hyosan ARGS` through the console script's entry point: (exit code, stdout, stderr)."""
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, ANSI.sub("", out), ANSI.sub("", err)


def problem_lines(output: str, path: str) -> list[str]:
    """The lines of a report that are about `path` ("  - path (line N): message")."""
    return [
        line
        for line in output.splitlines()
        if re.match(rf"^\s*- {re.escape(path)}(?: \(line \d+\))?: ", line)
    ]


def test_the_base_scenarios_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every case breaks one thing; the scenarios they break must be fine as they are.
    for text in [BASE, CUSTOM, BASE + CULL + THRESHOLD]:
        path = tmp_path / "ok.toml"
        path.write_text(text, encoding="utf-8")
        code, out, err = validate_in_process(["validate", str(path)], capsys)
        assert (code, err) == (0, ""), err
        assert out.startswith(f"{path}: valid scenario")


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def case_params(cases: list[Case]) -> list[object]:
    return [
        pytest.param(
            c, id=c.id, marks=[pytest.mark.xfail(reason=c.bug, strict=True)] if c.bug else []
        )
        for c in cases
    ]


@pytest.mark.parametrize("case", case_params(CASES))
def test_validate_reports_the_problem(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_case(tmp_path, case)
    code, out, err = validate_in_process(["validate", str(path)], capsys)
    both = out + err
    assert code == 2, both
    assert "Traceback" not in both
    assert out == "", "problems go to stderr"
    # The report names the file, then lists the problem under its dotted path.
    assert err.startswith(f"error: {path}: "), err
    lines = problem_lines(err, case.path)
    assert lines, f"no problem reported at {case.path!r}:\n{err}"
    line = lines[0]
    for fragment in case.allowed:
        assert any(fragment in x for x in lines), f"{fragment!r} missing from:\n{err}"
    if case.line is not None:
        assert f"(line {case.line})" in line, err


def test_union_fields_report_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `fraction` is a number or a list of numbers; 1.5 is a number out of range, and that is
    # the one problem: not also "should be a valid list", and no pydantic tag in the path.
    path = tmp_path / "cull.toml"
    path.write_text(BASE + CULL.replace("fraction = 0.5", "fraction = 1.5"), encoding="utf-8")
    code, _, err = validate_in_process(["validate", str(path)], capsys)
    assert code == 2
    assert "1 problem" in err
    assert "valid list" not in err
    assert "constrained" not in err


MULTI = """\
colour = "red"
name = "many-problems"
seed = -3
model = "munz-szr"

[parameters]
bite_rate = 0.0095
kill_rate = "-0.005/day"
wizard_rate = "1/day"

[initial]
S = 1e20
X = 3

[time]
horizon = "5 fortnights"
output_every = "0.1d"

[ode]
method = "euler"

[[culls]]
compartment = "Q"
times = ["2.5d"]
fraction = 1.5

[[thresholds]]
name = "t"
of = "wizard"
below = 1
above = 2
"""

#: (path, fragment, line) for every problem in MULTI.
MULTI_PROBLEMS = [
    ("colour", "unknown key 'colour'", 1),
    ("seed", "greater than or equal to 0", 3),
    ("parameters.bite_rate", '"0.0095/day"', 7),
    ("parameters.kill_rate", "negative", 8),
    ("parameters.wizard_rate", "no parameter 'wizard_rate'", 9),
    ("initial.S", "less than or equal to", 12),
    ("initial.X", "no compartment 'X'", 13),
    ("time.horizon", "unknown time unit 'fortnights'", 16),
    ("ode.dt", 'needs a step, e.g. dt = "0.01d"', 19),
    ("culls[0].compartment", "no compartment 'Q'", 23),
    ("culls[0].fraction", "less than or equal to 1", 25),
    ("thresholds[0]", "exactly one of below", 27),
    ("thresholds[0].of", "'wizard' is neither", 29),
]


def test_every_problem_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "many.toml"
    path.write_text(MULTI, encoding="utf-8")
    code, _, err = validate_in_process(["validate", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"error: {path}: {len(MULTI_PROBLEMS)} problems\n"), err
    for where, fragment, line in MULTI_PROBLEMS:
        lines = problem_lines(err, where)
        assert any(fragment in x and f"(line {line})" in x for x in lines), (where, err)
    # In file order.
    numbers = [int(n) for n in re.findall(r"\(line (\d+)\)", err)]
    assert numbers == sorted(numbers)


def test_every_problem_of_a_model_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A bad state, an equation without '->', and a reaction naming an unknown compartment and
    # an unknown parameter: the model's own cross-checks must not wait for the rest to be fixed.
    text = edit(CUSTOM, 'model.compartments.Z = "zombie"', 'model.compartments.Z = "vampire"')
    text = edit(text, '"S + Z -> 2 Z"', '"S + Z 2 Z"')
    text = edit(text, '"S + Z -> S + R"', '"S + Z -> S + Q"')
    text = edit(text, 'rate = "kill_rate"', 'rate = "klil_rate"')
    text = edit(text, "initial.Z = 1", "initial.Zed = 1")
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = validate_in_process(["validate", str(path)], capsys)
    assert code == 2
    expected = [
        ("model.compartments.Z.state", "'vampire'"),
        ("model.reactions[0].equation", "'->'"),
        ("model.reactions[1]", "unknown compartment 'Q'"),
        ("model.reactions[1]", "unknown parameter 'klil_rate'"),
        ("initial.Zed", "no compartment 'Zed'"),
    ]
    assert f"{len(expected)} problems" in err, err
    for where, fragment in expected:
        assert any(fragment in x for x in problem_lines(err, where)), (where, err)


@pytest.mark.parametrize(
    ("override", "path", "fragment"),
    [
        ("parameters.bite_rate=0.02", "parameters.bite_rate", '"0.02/day"'),
        ("parameters.bite_rate=fast", "parameters.bite_rate", '"0.0095/day"'),
        ("time.horizon=1e9d", "time.horizon", "more than a century"),
        ("initial.X=3", "initial.X", "no compartment 'X'"),
        ("time.horizn=5d", "time.horizn", "unknown key 'horizn'"),
        ("culls[0].fraction=0.5", "culls[0].fraction", "the scenario has no 'culls'"),
        ("initial.S.x.y=1", "initial.S.x.y", "initial.S is a value, not a table"),
        ("model.x=1", "model.x", "the name of a built-in definition rather than a table"),
        ("thresholds[-1].below=1", "thresholds[-1].below", "dotted path"),
        ("seed", "seed", "KEY=VALUE"),
    ],
)
def test_bad_overrides_name_the_field(
    override: str,
    path: str,
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = tmp_path / "base.toml"
    file.write_text(BASE, encoding="utf-8")
    code, _, err = validate_in_process(["validate", str(file), "--set", override], capsys)
    assert code == 2, err
    lines = problem_lines(err, path)
    assert any(fragment in x for x in lines), err
    # The value came from the command line: no line of the file is blamed for it.
    assert all("(line" not in x for x in lines), err


def test_override_problems_say_where_the_value_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "base.toml"
    file.write_text(BASE, encoding="utf-8")
    code, _, err = validate_in_process(
        ["validate", str(file), "--set", "parameters.bite_rate=0.02"], capsys
    )
    assert code == 2
    assert "(from --set parameters.bite_rate=0.02)" in err


# --- end to end, in real subprocesses ----------------------------------------------------------


def hyosan_command() -> list[str]:
    """The installed console script, or the same entry point through this interpreter."""
    for candidate in (Path(sys.executable).parent / "hyosan", shutil.which("hyosan")):
        if candidate and Path(candidate).is_file():
            return [str(candidate)]
    return [sys.executable, "-c", "from hyosan.cli import main; main()"]


def run_hyosan(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HYOSAN_DEBUG"}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [*hyosan_command(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SUBPROCESS_CASES = [
    "broken-toml",
    "binary-garbage",
    "input-that-looks-like-markup",
    "reaction-names-unknown-compartment",
    "nonexistent-path",
]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_validate_end_to_end_never_shows_a_traceback(case_id: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == case_id)
    path = write_case(tmp_path, case)
    proc = run_hyosan(["validate", str(path)], tmp_path)
    both = proc.stdout + proc.stderr
    assert proc.returncode == 2, both
    assert "Traceback" not in both
    assert "internal error" not in both
    err = ANSI.sub("", proc.stderr)
    assert str(path) in err
    assert problem_lines(err, case.path), err


def test_many_problems_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text(MULTI, encoding="utf-8")
    proc = run_hyosan(["validate", str(path)], tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    err = ANSI.sub("", proc.stderr)
    for where, fragment, _ in MULTI_PROBLEMS:
        assert any(fragment in x for x in problem_lines(err, where)), (where, err)


def test_a_scenario_error_crosses_a_process_boundary_whole() -> None:
    """A worker process that raises ScenarioError hands it back to its pool intact (pickled by
    its arguments, not its message): before, unpickling it failed and broke the pool."""
    import pickle

    from hyosan.errors import Problem, ScenarioError

    error = ScenarioError("a.toml", [Problem("characters[17].group", "no such group", 12)])
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is ScenarioError
    assert (back.source, back.problems, str(back)) == (error.source, error.problems, str(error))

"""The Scenario model: frozen, strict about keys, changed only through validated copies."""

from __future__ import annotations

import copy
import pickle
import tomllib
from pathlib import Path

import pytest
import tomli_w
from pydantic import ValidationError

import hyosan
from hyosan.cli import main
from hyosan.errors import ScenarioError
from hyosan.scenario.catalog import builtin_model, builtin_model_names, builtin_scenario_names
from hyosan.scenario.load import load_scenario, parse_scenario
from hyosan.scenario.model import ModelSpec
from hyosan.scenario.schema import Scenario
from hyosan.scenario.units import Duration, Rate

DAY = 86400.0


@pytest.fixture(scope="module")
def basic() -> Scenario:
    return load_scenario("munz-basic")


def raw(scenario: Scenario) -> dict[str, object]:
    return scenario.model_dump(mode="json", exclude_none=True)


# --- frozen -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("name", "other"), ("seed", 2), ("engine", "ssa"), ("culls", []), ("initial", {"S": 1})],
)
def test_scenario_is_frozen(basic: Scenario, attribute: str, value: object) -> None:
    before = getattr(basic, attribute)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(basic, attribute, value)
    assert getattr(basic, attribute) == before


def test_sections_are_frozen(basic: Scenario) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        basic.time.horizon = Duration(DAY)  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        basic.ode.method = "euler"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        basic.model.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        basic.thresholds[0].below = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        basic.model.parameters["bite_rate"].value = Rate(1.0)  # type: ignore[misc]


def test_containers_of_a_scenario_cannot_be_changed_in_place() -> None:
    """Mappings and lists inside a validated scenario are read-only too."""
    scenario = load_scenario("munz-basic")
    with pytest.raises((TypeError, AttributeError)):
        scenario.initial["S"] = -5.0  # type: ignore[index]
    with pytest.raises((TypeError, AttributeError)):
        scenario.model.compartments.pop("R")  # type: ignore[attr-defined]
    with pytest.raises((TypeError, AttributeError)):
        scenario.parameters.update(bite_rate=0.0)  # type: ignore[attr-defined]
    with pytest.raises((TypeError, AttributeError)):
        scenario.thresholds.append(scenario.thresholds[0])  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(scenario)) == scenario


# --- unknown keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "key"),
    [((), "colour"), (("time",), "horizn"), (("ode",), "step"), (("thresholds", 0), "level")],
)
def test_unknown_keys_are_rejected(basic: Scenario, where: tuple[object, ...], key: str) -> None:
    data = raw(basic)
    target: object = data
    for part in where:
        target = target[part]  # type: ignore[index]
    target[key] = 1  # type: ignore[index]
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    assert [e["type"] for e in info.value.errors()] == ["extra_forbidden"]
    # And through the loader, as the command line sees it: the dotted path of the key.
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*where, key))
    with pytest.raises(ScenarioError) as err:
        parse_scenario(tomli_w.dumps(data), "test.toml")
    assert [p.path for p in err.value.problems] == [dotted.lstrip(".")]
    assert f"unknown key {key!r}" in str(err.value)


def test_unknown_key_in_a_model_is_rejected(basic: Scenario) -> None:
    data = raw(basic)
    data["model"]["compartments"]["S"]["colour"] = "green"  # type: ignore[index]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(tomli_w.dumps(data), "test.toml")
    assert [p.path for p in err.value.problems] == ["model.compartments.S.colour"]
    assert "allowed here: state, in_population, description" in str(err.value)


# --- evolve -------------------------------------------------------------------------------------


def test_evolve_returns_a_validated_copy(basic: Scenario) -> None:
    before = raw(basic)
    changed = basic.evolve(name="munz-other", seed=7, time={"horizon": "5d"})
    assert isinstance(changed, Scenario)
    assert changed is not basic
    assert (changed.name, changed.seed) == ("munz-other", 7)
    assert changed.time.horizon == 5 * DAY
    assert isinstance(changed.time.horizon, Duration)
    # The rest is carried over, and the original is unchanged.
    assert changed.model == basic.model
    assert changed.initial == basic.initial
    assert changed.parameters == basic.parameters
    assert raw(basic) == before


def test_evolve_parses_units(basic: Scenario) -> None:
    changed = basic.evolve(parameters={"bite_rate": "0.02/day"})
    assert changed.parameters == {"bite_rate": pytest.approx(0.02 / DAY)}
    assert changed.parameters["bite_rate"].text == "0.02/day"
    assert changed.parameter_values()["kill_rate"] == pytest.approx(0.005 / DAY)


def test_evolve_with_no_changes_is_equal(basic: Scenario) -> None:
    assert basic.evolve() == basic


@pytest.mark.parametrize(
    "changes",
    [
        {"seed": -1},
        {"colour": "red"},
        {"time": {"horizon": 10}},
        {"parameters": {"bite_rate": "-1/day"}},
        {"parameters": {"no_such_rate": "1/day"}},
        {"initial": {"X": 1}},
        {"model": "no-such-model"},
    ],
)
def test_evolve_validates(basic: Scenario, changes: dict[str, object]) -> None:
    before = raw(basic)
    with pytest.raises(ScenarioError, match="changed by evolve"):
        basic.evolve(**changes)
    assert raw(basic) == before


def test_evolve_names_an_unknown_key(basic: Scenario) -> None:
    with pytest.raises(ScenarioError) as err:
        basic.evolve(sed=3)
    assert err.value.problems[0].path == "sed"
    assert "errors.pydantic.dev" not in str(err.value)


def test_repr_is_short() -> None:
    from hyosan.scenario.load import load_scenario

    shown = repr(load_scenario("hyosan-high"))
    assert shown.startswith("<Scenario 'hyosan-high': agents engine, model jonas, seed 1")
    assert len(shown) < 300


# --- overrides ----------------------------------------------------------------------------------


def test_overrides_change_the_scenario() -> None:
    scenario = hyosan.load_scenario("munz-basic", ["parameters.bite_rate=0.02/day"])
    assert scenario.parameters["bite_rate"] == pytest.approx(0.02 / DAY)
    assert scenario.parameters["bite_rate"].text == "0.02/day"
    assert scenario.parameters["kill_rate"].text == "0.005/day"


def test_overrides_of_every_kind() -> None:
    scenario = hyosan.load_scenario(
        "munz-basic",
        [
            "seed=42",
            'name="mine"',
            "time.horizon=20d",
            "initial.S=1000",
            "ode.method=euler",  # the [ode] table is not in the file: it is created
            "ode.dt=0.01d",
            "thresholds[1].below=2",
            "thresholds[0].stop=true",
        ],
    )
    assert (scenario.seed, scenario.name) == (42, "mine")
    assert scenario.time.horizon == 20 * DAY
    assert scenario.initial["S"] == 1000
    assert (scenario.ode.method, scenario.ode.dt) == ("euler", 0.01 * DAY)
    assert scenario.thresholds[1].below == 2
    assert scenario.thresholds[0].stop is True


def test_overrides_of_a_scenario_object(basic: Scenario) -> None:
    assert load_scenario(basic) is basic
    changed = load_scenario(basic, ["initial.Z=3"])
    assert changed.initial["Z"] == 3
    assert basic.initial["Z"] == 1


@pytest.mark.parametrize(
    ("override", "path", "fragment"),
    [
        ("parameters.bite_rate=0.02", "parameters.bite_rate", '"0.02/day"'),
        ("parameters.bite_rate=-0.02/day", "parameters.bite_rate", "negative"),
        ("parameters.bite_rat=0.02/day", "parameters.bite_rat", "no parameter 'bite_rat'"),
        ("time.horizon=ten days", "time.horizon", "cannot read 'ten days'"),
        ("time.horizon=1e9d", "time.horizon", "more than a century"),
        ("initial.S=1e20", "initial.S", "less than or equal to"),
        ("seed=-1", "seed", "greater than or equal to 0"),
        ("ode.method=euler", "ode.dt", 'dt = "0.01d"'),
        ("time.step=1d", "time.step", "unknown key 'step'"),
        ("thresholds[7].below=1", "thresholds[7].below", "an override cannot reach"),
        ("time", "time", "KEY=VALUE"),
    ],
)
def test_bad_override_is_a_scenario_error_naming_the_field(
    override: str, path: str, fragment: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        hyosan.load_scenario("munz-basic", [override])
    problems = err.value.problems
    assert [p.path for p in problems] == [path], str(err.value)
    assert fragment in problems[0].message
    assert "munz-basic" in err.value.source


def test_an_override_is_checked_exactly_as_the_file(tmp_path: Path) -> None:
    # The same bad value, once in the file and once as an override: the same problem, at the
    # same field, with the same message (the override also says where the value came from, in
    # Python's words here: the command line's are in test_scenario_errors.py).
    text = (Path(hyosan.__file__).parent / "scenario/builtin/munz-basic.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('bite_rate = "0.0095/day"', "bite_rate = 0.02"))
    with pytest.raises(ScenarioError) as in_file:
        load_scenario(bad)
    with pytest.raises(ScenarioError) as by_set:
        load_scenario("munz-basic", ["parameters.bite_rate=0.02"])
    (a,) = in_file.value.problems
    (b,) = by_set.value.problems
    assert a.path == b.path == "parameters.bite_rate"
    assert b.message == f"{a.message} (from the override parameters.bite_rate=0.02)"
    assert a.line == 10
    assert b.line is None


def test_a_failed_override_leaves_no_trace() -> None:
    # A --set that cannot be applied must not half-apply (create a table, say) and produce
    # more problems than itself.
    with pytest.raises(ScenarioError) as err:
        load_scenario("munz-basic", ["culls[0].fraction=0.5"])
    assert [p.path for p in err.value.problems] == ["culls[0].fraction"]


# --- built-ins ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_every_builtin_scenario_loads(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description.strip()
    assert scenario.model.compartments
    # Written out as a run directory writes it, it reads back as the same scenario.
    again = parse_scenario(tomli_w.dumps(raw(scenario)), "again")
    assert again == scenario


@pytest.mark.parametrize("name", builtin_model_names())
def test_every_builtin_model_can_be_shown(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # click ends even a success with SystemExit(0)
        main(["show", "--model", name])  # --model: sir, seir, ... are also scenarios
    assert exc.value.code in (0, None)
    out, err = capsys.readouterr()
    assert err == ""
    # A [model] table, with a comment saying where it goes, as --building's [building].
    assert out.startswith(f"# built-in model {name!r}: in a scenario, in place of model = ")
    shown = tomllib.loads(out)["model"]
    assert shown == builtin_model(name)
    model = ModelSpec.model_validate(shown)
    assert model.name == name
    # And, pasted into a scenario file as it is printed, it makes a valid scenario.
    first = next(iter(model.compartments))
    text = f'name = "t"\n[initial]\n{first} = 1\n[time]\nhorizon = "1d"\n' + out
    assert parse_scenario(text, "pasted").model == model


def test_show_says_when_a_model_shares_the_name_of_a_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    both = sorted(set(builtin_model_names()) & set(builtin_scenario_names()))
    assert both, "no shared names left: this test can go"
    with pytest.raises(SystemExit) as exc:
        main(["show", both[0]])
    assert exc.value.code in (0, None)
    out, err = capsys.readouterr()
    assert tomllib.loads(out)["name"] == both[0]
    assert "initial" in tomllib.loads(out)  # the scenario, on stdout
    assert f"hyosan show --model {both[0]}" in err


def test_showing_an_unknown_name_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["show", "no-such-thing"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "no-such-thing" in err
    assert "munz-basic" in err
    assert "munz-szr" in err


# --- pickling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["munz-basic", "munz-culls", "munz-euler", "munz-quarantine"])
def test_scenario_pickles(name: str) -> None:
    scenario = load_scenario(name)
    back = pickle.loads(pickle.dumps(scenario))
    assert back == scenario
    assert raw(back) == raw(scenario)
    assert back.time.horizon.text == scenario.time.horizon.text
    assert back.features == scenario.features
    assert copy.deepcopy(scenario) == scenario

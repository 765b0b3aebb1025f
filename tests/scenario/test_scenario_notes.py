"""Notes on valid scenarios: tables that the scenario's engine never reads are said, not
ignored silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyosan.scenario.load import load_scenario, parse_scenario
from hyosan.scenario.notes import scenario_notes


def test_a_table_for_another_engine_is_noted() -> None:
    scen = load_scenario("munz-basic", ["tau.epsilon=0.1"])  # an ode scenario
    assert scenario_notes(scen) == [
        "[tau]: only the tau engine reads this table; this scenario runs with ode, which ignores it"
    ]
    # Its own engine's table is read: no note.
    assert scenario_notes(load_scenario("munz-basic", ["tau.epsilon=0.1", "engine=tau"])) == []
    # A table at its default says nothing (a run directory's scenario.toml writes them all).
    assert scenario_notes(load_scenario("munz-basic", ["tau.epsilon=0.03"])) == []


def test_choosing_another_engine_is_not_noted() -> None:
    """`--engine ssa` on an agents scenario runs its people as a well-mixed model on purpose."""
    scen = load_scenario("hyosan-high")
    assert scenario_notes(scen) == []
    assert scenario_notes(scen, "ssa") == []


@pytest.mark.parametrize("table", ["virus", "behaviour"])
def test_agents_tables_in_a_population_scenario(table: str) -> None:
    high = load_scenario("hyosan-high")
    scen = high.evolve(engine="ssa")
    assert any(
        note.startswith(f"[{table}]: only the agents engine") for note in scenario_notes(scen)
    )


def test_counts_for_a_building_are_noted() -> None:
    """A building's people come from [people] and [[characters]]; [initial] is unread."""
    scen = load_scenario("hyosan-high", ["initial.S=100"])
    assert scenario_notes(scen) == [
        "[initial]: the agents engine takes a building's people from [people] and "
        "[[characters]], and ignores these counts"
    ]
    assert scenario_notes(scen, "ode") == []


# --- a model of one's own: what no reaction uses ---------------------------------------------

OWN_MODEL = """\
name = "own-model"
[model.compartments]
S = "human"
Z = "zombie"
R = { state = "removed", in_population = false }
Q = "quarantined"
[model.parameters]
bite_rate = "0.0095/day"
kill_rate = "0.005/day"
cure_rate = "0.1/day"
[[model.reactions]]
name = "bite"
equation = "S + Z -> 2 Z"
rate = "bite_rate"
[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
[initial]
S = 500
Z = 1
[time]
horizon = "10d"
"""

IDLE_Q = (
    "model.compartments: no reaction reads or changes Q, and no cull or intervention moves "
    "anyone in or out: it keeps its initial count"
)
UNUSED_CURE = "model.parameters: no reaction has cure_rate as its rate, so it changes nothing"


def test_an_idle_compartment_and_an_unused_parameter_are_noted() -> None:
    scen = parse_scenario(OWN_MODEL, "own")
    assert scenario_notes(scen) == [IDLE_Q, UNUSED_CURE]
    # A reaction that only reads Q (a catalyst) uses it, as one that uses cure_rate uses that.
    used = OWN_MODEL + '[[model.reactions]]\nname = "cure"\nequation = "Z + Q -> S + Q"\n'
    assert scenario_notes(parse_scenario(used + 'rate = "cure_rate"\n', "own")) == []


def test_several_are_noted_in_one_note() -> None:
    text = OWN_MODEL.replace('Q = "quarantined"', 'Q = "quarantined"\nC = "safe"')
    text = text.replace('cure_rate = "0.1/day"', 'cure_rate = "0.1/day"\nspare = "1/day"')
    assert scenario_notes(parse_scenario(text, "own")) == [
        "model.compartments: no reaction reads or changes Q or C, and no cull or intervention "
        "moves anyone in or out: they keep their initial counts",
        "model.parameters: no reaction has cure_rate or spare as its rate, so they change nothing",
    ]


def test_a_compartment_a_cull_fills_is_not_idle() -> None:
    culled = OWN_MODEL + '[[culls]]\ncompartment = "Z"\nto = "Q"\ntimes = ["5d"]\nfraction = 0.5\n'
    assert scenario_notes(parse_scenario(culled, "own")) == [UNUSED_CURE]


def test_a_builtin_model_written_out_is_not_noted() -> None:
    """jonas-seoul's Q is for an intelligence team's catches (an intervention): a run's
    scenario.toml writes the model out in full, and that is no model of the user's own."""
    import tomli_w

    from hyosan.scenario.catalog import builtin_model

    model = builtin_model("jonas-seoul")
    written = tomli_w.dumps({"model": model})
    text = 'name = "seoul"\n[initial]\nS = 100\n[time]\nhorizon = "10d"\n' + written
    assert scenario_notes(parse_scenario(text, "seoul")) == []
    # Changed, it is the user's own: its idle compartment is noted.
    edited = text.replace(f'name = "{model["name"]}"', 'name = "my-seoul"', 1)
    assert edited != text
    assert [n for n in scenario_notes(parse_scenario(edited, "seoul")) if "Q" in n]


def test_validate_prints_the_notes_and_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hyosan.cli import main

    path = tmp_path / "own.toml"
    path.write_text(OWN_MODEL, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code in (0, None)
    said = capsys.readouterr()
    assert said.err.splitlines() == [f"note: {IDLE_Q}", f"note: {UNUSED_CURE}"]
    assert said.out.startswith(f"{path}: valid scenario 'own-model'")

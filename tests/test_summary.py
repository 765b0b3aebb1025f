"""The typed Summary: summary.json read back and written again unchanged, each part printed in
the terminal and in the report from its own type, and the figures an ensemble keeps."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import hyosan
from golden import cases
from hyosan.results.interventions import (
    AfterStrikes,
    Handoff,
    Measure,
    Strike,
    intervention_from_json,
)
from hyosan.results.summary import Outbreak, People, Summary

GOLDEN = sorted(cases.GOLDEN_DIR.glob("*.json"))


def _when(t: float | None) -> str:
    return "never" if t is None else f"{t:g} s"


def _printed(print_to: Any, *args: Any) -> str:
    buffer = StringIO()
    # As the command's console prints into a pipe: soft wrap, lines as long as they are.
    console = Console(file=buffer, width=200, highlight=False, color_system=None, soft_wrap=True)
    print_to(console, *args)
    return buffer.getvalue()


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_summaries_read_back_unchanged(path: Path) -> None:
    """Every golden summary (a strike, a handoff, people, an outbreak...) read as a Summary
    writes the same JSON object, with the same keys in the same order."""
    data = {"hyosan_version": "0", **json.loads(path.read_text(encoding="utf-8")), "wall_s": 1.5}
    again = Summary.from_json(data).to_json()
    assert again == data
    assert sorted(again) == sorted(data)


def test_parts_are_typed() -> None:
    """hyosan-city's summary reads as its typed parts, each entry of its own class."""
    data = json.loads(cases.golden_path("hyosan-city").read_text(encoding="utf-8"))
    summary = Summary.from_json(data)
    assert isinstance(summary.outbreak, Outbreak)
    assert summary.people is None
    kinds = [type(e) for e in summary.interventions or ()]
    assert kinds.count(Strike) == 1
    assert kinds.count(AfterStrikes) == 1
    assert kinds.count(Handoff) == 1
    assert kinds.count(Measure) == len(kinds) - 3
    strike = next(e for e in summary.interventions or () if isinstance(e, Strike))
    # The golden file's own counts by state (n_<state>) give the totals the entry must read as.
    entry = next(e for e in data["interventions"] if e.get("kind") == "strike")
    hit = {k.removeprefix("n_"): v for k, v in entry.items() if k.startswith("n_")}
    infected = hit["zombie"] + hit["bitten"] + hit["hybrid"]
    assert (strike.people, strike.infected) == (sum(hit.values()), infected)
    assert strike.people - strike.infected == entry["uninfected"]
    assert summary.extra == {}
    korea = json.loads(cases.golden_path("korea").read_text(encoding="utf-8"))
    assert Summary.from_json(korea).extra == {"golden_overrides": korea["golden_overrides"]}


def test_people_and_fates() -> None:
    """hyosan-high's people figures and fates come back typed and print: the run's opening
    paragraph, the counts, the survivors, then one line per fate."""
    data = json.loads(cases.golden_path("hyosan-high").read_text(encoding="utf-8"))
    people = People.from_json(data)
    assert people is not None
    assert people.n_bites == data["n_bites"]
    assert [f.name for f in people.fates] == list(data["fates"])
    text = _printed(people.print, ("Park Mi-jin",))
    assert f"{data['people']:,} people, {data['n_bites']:,} bites" in text
    assert f"1 of {len(data['fates'])} named characters survive: Park Mi-jin" in text
    lines = text.splitlines()
    counts = next(
        k for k, line in enumerate(lines) if line.startswith(f"{data['people']:,} people")
    )
    assert data["story"].startswith("It began at ")
    assert " ".join(line.strip() for line in lines[:counts]) == data["story"]
    # One fate to a line, or more where it wraps: each begins under the names, its text in a
    # column of its own.
    fates = lines[counts + 2 :]
    width = max(len(name) for name in data["fates"])
    starts = [line[2:].split("  ")[0] for line in fates if line[2:3].strip()]
    assert starts == list(data["fates"])
    assert all(line.startswith(" " * (width + 4)) for line in fates if not line[2:3].strip())
    told = " ".join(line.strip() for line in fates)
    assert all(text in told for text in data["fates"].values())


def test_fates_wrap_under_their_column_on_a_terminal() -> None:
    """On a narrow terminal a long fate wraps under the fates' column; piped, each fate is one
    line (the lines of the test above are cut only by its console's width)."""
    data = json.loads(cases.golden_path("hyosan-high").read_text(encoding="utf-8"))
    people = People.from_json(data)
    assert people is not None
    buffer = StringIO()
    terminal = Console(file=buffer, width=80, force_terminal=True, color_system=None)
    people.print(terminal, ())
    lines = buffer.getvalue().splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("  Choi Nam-ra"))
    fates = lines[first:]
    column = " " * (2 + max(len(name) for name in data["fates"]) + 2)
    wrapped = [line for line in fates if not line[2:3].strip()]
    assert wrapped  # some fates are longer than 80 columns
    assert all(line.startswith(column) and line[len(column)] != " " for line in wrapped)
    assert all(len(line.rstrip()) <= 80 for line in fates)
    piped = Console(file=StringIO(), width=80, soft_wrap=True, color_system=None)
    people.print(piped, ())
    lines = piped.file.getvalue().splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("  Choi Nam-ra"))
    assert len(lines) == first + len(data["fates"])


def test_counts_of_one_read_singular() -> None:
    """A count of one reads "1 hybrid", "1 zombie destroyed", not "1 hybrids"."""
    data = json.loads(cases.golden_path("hyosan-high").read_text(encoding="utf-8"))
    people = People.from_json({**data, "n_hybrids": 1, "n_zombies_destroyed": 1, "n_bites": 2})
    assert people is not None
    text = _printed(people.print, ())
    assert "1 hybrid," in text
    assert "1 zombie destroyed," in text
    assert "2 bites," in text


def test_strike_not_carried_out() -> None:
    """A strike due after the end of the run says so, with its note, in the terminal and the
    report, and marks nothing on the chart."""
    strike = Strike.of("Missile strikes", None, "the show", {})
    assert strike.to_json() == {
        "name": "Missile strikes",
        "kind": "strike",
        "note": "the show",
        "reached": False,
    }
    assert intervention_from_json(strike.to_json()) == strike
    assert _printed(strike.print, _when) == (
        "Missile strikes: not carried out (after the end of the run) (the show)\n"
    )
    assert strike.row(_when)[2:] == ["not carried out", "after the end of the run (the show)"]
    assert strike.mark() is None
    assert strike.figures() == {}


def test_strike_tallies_what_it_hit() -> None:
    """A strike counts the infected (zombies, the bitten, hybrids) and the rest among those it
    hit, prints them, and gives them to an ensemble under its name."""
    strike = Strike.of("Strike", 60.0, "", {"human": 5, "bitten": 2, "hybrid": 1, "zombie": 3})
    assert (strike.people, strike.zombies, strike.infected) == (11, 3, 6)
    data = strike.to_json()
    assert (data["not_zombies"], data["uninfected"]) == (8, 5)
    assert intervention_from_json(data) == strike
    assert _printed(strike.print, _when) == (
        "Strike at 60 s: 11 people hit, 6 infected (3 zombies) and 5 not infected\n"
    )
    assert strike.mark() == (60.0, "Strike")
    assert strike.figures()["n_human"] == 5.0


def test_handoff_with_nobody_inside() -> None:
    """A handoff with nobody left in the building says "nobody", and counts who got out."""
    handoff = Handoff("hyosan-high", 60.0, "horizon", {"human": 0}, {"yard": {"human": 3}})
    assert _printed(handoff.print, _when) == (
        "from hyosan-high at 60 s: nobody in the building, 3 got out\n"
    )
    assert handoff.row(_when)[3] == "nobody in the building, 3 got out"
    assert intervention_from_json(handoff.to_json()) == handoff


def test_after_strikes_restarted() -> None:
    """The check after the strikes says the outbreak grew again when more are infected at the
    end than just after the strikes, and gives that as a yes-or-no figure."""
    grew = AfterStrikes(infected_left=10.0, infected_at_end=12.5)
    assert grew.restarted
    assert grew.figures() == {"infected_left": 10.0, "infected_at_end": 12.5, "restarted": True}
    assert "12.5 at the end: the outbreak grew again" in _printed(grew.print, _when)
    assert not AfterStrikes(infected_left=10.0, infected_at_end=10.0).restarted


def test_ensemble_figures_name_each_intervention() -> None:
    """An ensemble's extra columns: people's counts, and each intervention's figures under its
    name (the check after the strikes and the handoff under their kind)."""
    data = json.loads(cases.golden_path("hyosan-city").read_text(encoding="utf-8"))
    figures = Summary.from_json(data).extra_figures()
    entries = {e.get("name", e["kind"]): e for e in data["interventions"]}
    assert figures["Missile strikes: not_zombies"] == entries["Missile strikes"]["not_zombies"]
    assert figures["after_strikes: restarted"] is False
    assert figures["handoff: t_s"] == entries["handoff"]["t_s"]
    assert figures["Special forces: end_s"] == 259200.0
    assert figures["Quarantine of Hyosan: end_s"] is None
    # What each measure did, counted by the engine, under the measure's name once.
    by_kind = data["diagnostics"]["events_by_kind"]
    assert figures["Special forces: Z destroyed"] == by_kind["Special forces: Z destroyed"] > 0
    assert "Special forces: Special forces: Z destroyed" not in figures
    # Who was still in the school at the handoff, and how many got out.
    handoff = entries["handoff"]
    assert figures["handoff: inside_zombie"] == handoff["inside"]["zombie"]
    got_out = sum(n for by_state in handoff["escaped"].values() for n in by_state.values())
    assert figures["handoff: got_out"] == got_out
    # How far the outbreak reached: each named place's first zombie (None: none came).
    outbreak = data["outbreak"]
    assert figures["places_reached"] == outbreak["places_reached"]
    for place, t in outbreak["t_arrival_s"].items():
        assert figures[f"t_arrival_s: {place}"] == t
    high = json.loads(cases.golden_path("hyosan-high").read_text(encoding="utf-8"))
    assert Summary.from_json(high).extra_figures()["n_rescues"] == high["n_rescues"]


def test_ensemble_figures_give_each_threshold_crossing() -> None:
    """Each threshold's first crossing is a runs.parquet column, None where never crossed."""
    data = json.loads(cases.golden_path("hyosan-city").read_text(encoding="utf-8"))
    data["crossings_s"] = {"half the city bitten": 5400.0, "camp falls": None}
    figures = Summary.from_json(data).extra_figures()
    assert figures["t_crossing_s: half the city bitten"] == 5400.0
    assert figures["t_crossing_s: camp falls"] is None


def test_result_summary_is_the_typed_summary_as_json(tmp_path: Path) -> None:
    """Result.summary() is Result.headline() as JSON, and Result.load gives it back."""
    result = hyosan.simulate("munz-basic", engine="ode", seed=1)
    assert result.summary() == result.headline().to_json()
    loaded = hyosan.Result.load(result.save(tmp_path / "run"))
    assert loaded.headline() == result.headline()


_LEAVING = """
name = "leaving"
engine = "{engine}"
seed = 1
model = "jonas"

[parameters]
bite_rate = "{bite}/h"
escape_rate = "1/h"

[initial]
S = 100
Z = {zombies}

[time]
horizon = "10h"
output_every = "10min"
"""


@pytest.mark.parametrize("engine", ["ode", "ssa"])
def test_a_place_everyone_leaves_unbitten_is_not_overrun(engine: str) -> None:
    """Those who reach safety count on neither side of the overrun: a school that empties with
    nobody bitten is never overrun (it read "overrun" once four in five had left), while one
    where the zombies take those who stay still is."""
    from hyosan.scenario import parse_scenario

    def overrun(**values: object) -> float | None:
        text = _LEAVING.format(engine=engine, **values)
        result = hyosan.simulate(parse_scenario(text, "leaving.toml"))
        derived = result._derived_overrun()  # from the recorded series, as old runs are read
        exact = result.summary()["t_overrun_s"]
        assert (derived is None) == (exact is None)
        return exact

    assert overrun(bite=0, zombies=0) is None
    assert overrun(bite=30, zombies=20) is not None


@pytest.mark.parametrize("engine", ["ode", "ssa"])
def test_a_threshold_of_the_overrun_is_crossed_at_the_overrun(engine: str) -> None:
    """`of = "overrun"` watches the run's own overrun (and may stop there); it takes no level."""
    from hyosan.errors import ScenarioError
    from hyosan.scenario import parse_scenario

    watched = '\n[[thresholds]]\nname = "fell"\nof = "overrun"\nstop = true\n'
    text = _LEAVING.format(engine=engine, bite=30, zombies=20) + watched
    summary = hyosan.simulate(parse_scenario(text, "fell.toml")).summary()
    assert summary["t_overrun_s"] is not None
    assert summary["crossings_s"]["fell"] == summary["t_overrun_s"]
    assert summary["stopped_by"] == "fell"
    with pytest.raises(ScenarioError, match="has its own level"):
        parse_scenario(text + "below = 3\n", "fell.toml")

"""Interventions: each one's effect goes the right way, in every engine that carries it out.

The direction of each intervention's effect (issue check "the direction-of-effect test of each
intervention, per engine"): the ssa and tau engines carry out all eight kinds on graphs of
places, the ode engine a sweep and a cure in one well-mixed place. Worlds are small and effects
large, so that a few dozen runs per arm decide: a difference of means must clear 4 standard
errors (iv_helpers.assert_greater), and where a statement is exact (nothing crosses a shut
cordon, nothing reaches an unconnected place) it is checked in every run.

Also here: the pieces of interventions/plan.py (areas, shortest-path moves, cordon weights, the
zone and rate tables, strikes), the validation messages, an engine refusing what it cannot do,
conservation of the population, determinism, and the trajectory left untouched until an
intervention starts.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from iv_helpers import (
    DAY,
    EVAC_MODEL,
    assert_greater,
    entry,
    events,
    final,
    final_places,
    first_zombie,
    hyosan_cmd,
    run,
    sample,
    scenario,
    snapshots,
)

from hyosan.engines import get_engine
from hyosan.engines.spatial import Layout
from hyosan.errors import EngineError, UnsupportedFeatureError
from hyosan.interventions.plan import area_mask, next_hops
from hyosan.models.network import ReactionNetwork
from hyosan.results.result import Result
from hyosan.scenario.interventions import Area
from hyosan.world.graph import World, from_edges, lattice

SPATIAL = ["ssa", "tau"]

# --- scenarios ------------------------------------------------------------------------------

#: A 5 × 5 lattice of 10 people a site, two zombies in the middle: bitten people turn after
#: about a day, zombies wander; the outbreak fills the lattice in a few days.
SEZR_5X5 = """
name = "sezr 5x5"
{model}
[time]
horizon = "6d"
[world]
kind = "lattice"
size = [5, 5]
fill = {{ S = 10 }}
movement = {{ Z = "0.5/d"{more_movement} }}
{cross}
[[world.seeds]]
at = "center"
counts = {{ Z = 2 }}
[record]
snapshots = 13
"""


#: alemi-sezr with fast bites.
SEZR_RATES = """
model = "alemi-sezr"
[parameters]
bite_rate = "{bite}"
kill_rate = "{kill}"
turn_rate = "1/d"
"""


def sezr(
    interventions: str = "", *, cross: str = "", more_movement: str = "", model: str = ""
) -> str:
    model = model or SEZR_RATES.format(bite="0.5/d", kill="0.02/d")
    return SEZR_5X5.format(model=model, cross=cross, more_movement=more_movement) + interventions


CORDON = """
[[interventions]]
kind = "cordon"
area = {{ around = "center", hops = 1 }}
leak = {leak}
"""

#: Everyone walks, nobody is infected: only moves happen.
WALKERS = """
name = "walkers"
model = "alemi-szr"
[time]
horizon = "2d"
[world]
kind = "lattice"
size = [5, 5]
fill = { S = 10 }
movement = { S = "1/d" }
[record]
snapshots = 3
"""

#: Twenty zombies in the middle of a 5 × 5 lattice and nobody to bite.
ZOMBIES = """
name = "zombies"
model = "alemi-szr"
[parameters]
bite_rate = "0/d"
kill_rate = "0/d"
[time]
horizon = "3d"
[world]
kind = "lattice"
size = [5, 5]
fill = { S = 2 }
movement = { Z = "0.5/d" }
[[world.seeds]]
at = "center"
counts = { Z = 20 }
[record]
snapshots = 4
"""

LURE = """
[[interventions]]
kind = "lure"
toward = [0, 0]
speed = "5/d"
"""

#: A 9 × 9 lattice: an outbreak grows in the middle while zombies slowly wander out.
STRIKE_WORLD = """
name = "strike"
model = "alemi-szr"
[parameters]
bite_rate = "0.5/d"
kill_rate = "0.05/d"
[time]
horizon = "6d"
[world]
kind = "lattice"
size = [9, 9]
fill = { S = 10 }
movement = { Z = "0.3/d" }
[[world.seeds]]
at = "center"
counts = { Z = 1 }
[record]
snapshots = 13
"""

STRIKE = """
[[interventions]]
kind = "strike"
area = {{ around = "center", hops = 2 }}
at = "{at}"
to = "R"
"""

#: A path of eight places, the outbreak at one end and the camp at the other.
EVAC_PATH = (
    """
name = "evacuation"
[time]
horizon = "6d"
[world]
kind = "lattice"
size = [1, 8]
fill = { S = 10 }
movement = { Z = "0.5/d" }
[[world.seeds]]
at = [0, 0]
counts = { Z = 2 }
[record]
snapshots = 7
"""
    + EVAC_MODEL
)

EVACUATE = """
[[interventions]]
kind = "evacuate"
camp = [0, 7]
speed = "5/d"
screening = "5/d"
"""

#: Ten hybrids at one end of a path of three places, the camp at the other.
HYBRIDS = (
    """
name = "hybrids"
[time]
horizon = "3d"
[world]
kind = "lattice"
size = [1, 3]
fill = { S = 10 }
[[world.seeds]]
at = [0, 0]
counts = { H = 10 }
[record]
snapshots = 4
"""
    + EVAC_MODEL
)

#: Three towns: A (the outbreak) and B share a road; C has none.
TOWNS = """
name = "towns"
model = "alemi-sezr"
[parameters]
bite_rate = "0.5/d"
kill_rate = "0.02/d"
turn_rate = "1/d"
[time]
horizon = "5d"
[world]
kind = "regions"
fill = "S"
movement = { S = "0.2/d", Z = "0.2/d" }
[[world.regions]]
name = "A"
population = 30
[[world.regions]]
name = "B"
population = 30
x = 1.0
[[world.regions]]
name = "C"
population = 30
x = 5.0
[[world.routes]]
start = "A"
end = "B"
[[world.seeds]]
at = "A"
counts = { Z = 2 }
[record]
snapshots = 6
"""

TRAVEL = """
[[interventions]]
kind = "travel"
origin = "A"
destination = "C"
rate = "1/d"
"""

#: Munz et al.'s basic model in one well-mixed place (the ode engine).
MUNZ = """
name = "munz"
model = "munz-szr"
engine = "ode"
[initial]
S = 500
Z = 1
[time]
horizon = "10d"
"""


def _inside_hops1_5x5() -> np.ndarray:
    """The centre of a 5 × 5 lattice and its four neighbours."""
    mask = np.zeros(25, dtype=bool)
    mask[[7, 11, 12, 13, 17]] = True
    return mask


# --- cordon ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_cordon_keeps_the_infection_inside(engine: str) -> None:
    """A shut cordon (leak 0) lets no infection out, movement and bites across its edges
    included; a leaky one (0.5) and none let it out."""
    cross = 'cross = { reactions = ["bite"], factor = 0.5 }'
    outside = ~_inside_hops1_5x5()

    def infected_outside(result: Result) -> float:
        last = final_places(result)
        return float((last["E"] + last["Z"])[outside].sum())

    n = 20
    shut = sample(engine, scenario(sezr(CORDON.format(leak=0.0), cross=cross)), n, infected_outside)
    leaky = sample(
        engine, scenario(sezr(CORDON.format(leak=0.5), cross=cross)), n, infected_outside
    )
    none = sample(engine, scenario(sezr(cross=cross)), n, infected_outside)
    assert (shut == 0).all(), shut
    assert_greater(leaky, shut, "infected outside, leak 0.5 vs leak 0")
    assert_greater(none, shut, "infected outside, no cordon vs leak 0")


# --- curfew ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_curfew_slows_people(engine: str) -> None:
    """With movement = 0.1 people move about a tenth as often; martial law is the same thing,
    and a curfew of zombies alone leaves people's moves exactly as they were."""
    curfew = '\n[[interventions]]\nkind = "{kind}"\nmovement = 0.1\n{extra}\n'
    n = 5
    free = sample(engine, scenario(WALKERS), n, lambda r: events(r, "move S"))
    held = sample(
        engine,
        scenario(WALKERS + curfew.format(kind="curfew", extra="")),
        n,
        lambda r: events(r, "move S"),
    )
    assert_greater(free, held, "human moves, no curfew vs curfew")
    # About a tenth as many: between a twentieth and a fifth.
    assert_greater(held, 0.05 * free, "human moves under curfew vs 5 % of those without")
    assert_greater(0.2 * free, held, "human moves, 20 % of those without vs under curfew")

    plain = run(engine, scenario(WALKERS + curfew.format(kind="curfew", extra="")), 3)
    martial = run(engine, scenario(WALKERS + curfew.format(kind="martial_law", extra="")), 3)
    np.testing.assert_array_equal(plain.counts, martial.counts)
    assert events(plain, "move S") == events(martial, "move S")

    zombies_only = run(
        engine,
        scenario(WALKERS + curfew.format(kind="curfew", extra='compartments = ["Z"]')),
        3,
    )
    assert events(zombies_only, "move S") == events(run(engine, scenario(WALKERS), 3), "move S")


# --- sweep ----------------------------------------------------------------------------------

SWEEP = """
[[interventions]]
kind = "sweep"
kill = "3/d"
start = "1d"
bite_risk = {risk}
"""


@pytest.mark.parametrize("engine", SPATIAL)
def test_sweep_destroys_zombies(engine: str) -> None:
    """Soldiers leave fewer zombies, destroy some, and with a bite risk some are bitten; each
    bitten soldier is a person added to the population."""
    n = 20
    without = sample(engine, scenario(sezr()), n, lambda r: final(r, "Z"))
    safe = [run(engine, scenario(sezr(SWEEP.format(risk=0.0))), s) for s in range(n)]
    risky = [run(engine, scenario(sezr(SWEEP.format(risk=0.5))), s) for s in range(n)]
    zombies = np.array([final(r, "Z") for r in safe])
    assert_greater(without, zombies, "final zombies, no sweep vs sweep")
    destroyed = np.array([entry(r, 0)["events"]["sweep: Z destroyed"] for r in safe])
    assert_greater(destroyed, np.zeros(n), "zombies destroyed by the sweep")
    assert "sweep: soldier bitten" not in entry(safe[0], 0)["events"]
    bitten = np.array([entry(r, 0)["events"]["sweep: soldier bitten"] for r in risky])
    assert_greater(bitten, np.zeros(n), "soldiers bitten with bite_risk 0.5")
    for r in risky:
        added = r.counts[-1].sum() - r.counts[0].sum()
        assert added == entry(r, 0)["events"]["sweep: soldier bitten"]


# --- lure -----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_lure_draws_zombies_to_its_place(engine: str) -> None:
    """Zombies gather at the lure's place (the corner [0, 0], place 0) and its neighbours."""
    near = [0, 1, 5]

    def at_target(result: Result) -> float:
        return float(final_places(result)["Z"][0])

    def near_target(result: Result) -> float:
        return float(final_places(result)["Z"][near].sum())

    n = 10
    lured = [run(engine, scenario(ZOMBIES + LURE), s) for s in range(n)]
    free = [run(engine, scenario(ZOMBIES), s) for s in range(n)]
    assert_greater(
        [at_target(r) for r in lured], [at_target(r) for r in free], "zombies at the lure"
    )
    assert_greater(
        [near_target(r) for r in lured], [near_target(r) for r in free], "zombies near the lure"
    )
    assert all(entry(r, 0)["events"]["lure: Z walks toward the lure"] > 0 for r in lured)


# --- strike ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_an_earlier_strike_kills_more_bystanders_and_leaves_fewer_zombies(engine: str) -> None:
    """A strike on day 1 hits more people who were not zombies than one on day 3, and fewer
    zombies have escaped it to carry on; right after a strike nobody in its area is alive."""
    n = 30
    early = [run(engine, scenario(STRIKE_WORLD + STRIKE.format(at="1d")), s) for s in range(n)]
    late = [run(engine, scenario(STRIKE_WORLD + STRIKE.format(at="3d")), s) for s in range(n)]
    assert_greater(
        [final(r, "Z") for r in late],
        [final(r, "Z") for r in early],
        "final zombies, late vs early",
    )
    assert_greater(
        [entry(r, 0)["not_zombies"] for r in early],
        [entry(r, 0)["not_zombies"] for r in late],
        "bystanders hit, early vs late",
    )
    area = area_mask(lattice(9, 9), Area(around="center", hops=2), "area")
    assert area is not None
    for result, at in [(r, 1.0) for r in early] + [(r, 3.0) for r in late]:
        tally = entry(result, 0)
        assert tally["people"] == tally["zombies"] + tally["not_zombies"]
        times, counts = snapshots(result)
        k = int(np.flatnonzero(np.isclose(times, at * DAY))[0])
        assert counts["S"][k][area].sum() == 0
        assert counts["Z"][k][area].sum() == 0
        assert counts["R"][k][area].sum() >= tally["people"]
        after = result.summary()["interventions"][-1]
        assert after["kind"] == "after_strikes"
        assert after["infected_at_end"] == final(result, "Z")
        assert after["restarted"] == (after["infected_at_end"] > after["infected_left"])


# --- evacuate -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_evacuation_brings_people_to_safety(engine: str) -> None:
    """Evacuees reach the camp and are screened into the safe compartment, and fewer people
    are ever infected than without the evacuation."""
    n = 20

    def uninfected(result: Result) -> float:
        return final(result, "S") + final(result, "X")

    evacuated = [run(engine, scenario(EVAC_PATH + EVACUATE), s) for s in range(n)]
    stayed = sample(engine, scenario(EVAC_PATH), n, uninfected)
    assert all(final(r, "X") > 0 for r in evacuated)
    assert all(final_places(r)["X"][:7].sum() == 0 for r in evacuated)  # safe only at the camp
    assert_greater([uninfected(r) for r in evacuated], stayed, "never infected, evacuation vs none")


#: A path of eight places and nobody infected; the evacuation area is its first half.
QUIET_PATH = EVAC_PATH.replace("[[world.seeds]]\nat = [0, 0]\ncounts = { Z = 2 }\n", "")


@pytest.mark.parametrize("engine", SPATIAL)
def test_evacuation_keeps_to_its_area(engine: str) -> None:
    """Only the people of the area walk to the camp (at its edge); the rest stay put."""
    ev = EVACUATE.replace("[0, 7]", "[0, 3]") + "area = { places = [0, 1, 2, 3] }\n"
    for seed in (1, 2):
        last = final_places(run(engine, scenario(QUIET_PATH + ev), seed))
        assert last["X"].tolist() == [0, 0, 0, 40, 0, 0, 0, 0]
        assert last["S"].tolist() == [0, 0, 0, 0, 10, 10, 10, 10]


@pytest.mark.parametrize("engine", SPATIAL)
def test_a_keener_screening_catches_more_hybrids(engine: str) -> None:
    """Hybrids screened at the camp are caught (quarantined) more often with catch_hybrid 0.9
    than with 0.1; those not caught are let in with the safe."""
    ev = EVACUATE.replace("[0, 7]", "[0, 2]") + "catch_hybrid = {catch}\n"
    n = 30

    def caught(result: Result) -> float:
        return final(result, "Q")

    keen = sample(engine, scenario(HYBRIDS + ev.format(catch=0.9)), n, caught)
    lax = sample(engine, scenario(HYBRIDS + ev.format(catch=0.1)), n, caught)
    assert_greater(keen, lax, "hybrids caught, catch_hybrid 0.9 vs 0.1")
    # Every hybrid is screened within the three days: caught or let in.
    result = run(engine, scenario(HYBRIDS + ev.format(catch=0.5)), 0)
    assert final(result, "H") == 0
    assert final(result, "Q") + final(result, "X") == 30


# --- cure -----------------------------------------------------------------------------------

CURE = """
[[interventions]]
kind = "cure"
rate = "5/d"
start = "1d"
"""


@pytest.mark.parametrize("engine", SPATIAL)
def test_cure_turns_zombies_back_into_people(engine: str) -> None:
    """A cure leaves fewer zombies and more humans at the end."""
    n = 20
    cured = [run(engine, scenario(sezr(CURE)), s) for s in range(n)]
    plain = [run(engine, scenario(sezr()), s) for s in range(n)]
    assert_greater(
        [final(r, "Z") for r in plain], [final(r, "Z") for r in cured], "zombies, none vs cure"
    )
    assert_greater(
        [final(r, "S") for r in cured], [final(r, "S") for r in plain], "humans, cure vs none"
    )
    cures = [entry(r, 0)["events"]["cure: Z cured"] for r in cured]
    assert_greater(cures, np.zeros(n), "zombies cured")


# --- travel ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", SPATIAL)
def test_travel_carries_the_outbreak_where_no_road_goes(engine: str) -> None:
    """Town C has no road to the outbreak: without travel no zombie ever gets there; with
    flights from A the bitten carry the virus to C."""
    n = 10
    c = 2

    def reached(result: Result) -> float:
        return float(not math.isnan(first_zombie(result)[c]))

    def infected_at_c(result: Result) -> float:
        last = final_places(result)
        return float(last["E"][c] + last["Z"][c] + last["R"][c])

    flights = [run(engine, scenario(TOWNS + TRAVEL), s) for s in range(n)]
    roads = [run(engine, scenario(TOWNS), s) for s in range(n)]
    assert all(reached(r) == 0 and infected_at_c(r) == 0 for r in roads)
    assert_greater([reached(r) for r in flights], [reached(r) for r in roads], "C reached")
    assert_greater(
        [infected_at_c(r) for r in flights], [infected_at_c(r) for r in roads], "infected at C"
    )
    travelled = [entry(r, 0)["events"] for r in flights]
    assert all(e["travel: E travels"] + e["travel: S travels"] > 0 for e in travelled)


# --- exact equivalences (common random numbers) --------------------------------------------

#: SEZR_RATES's model written out, with the reactions a sweep (bite risk 0.5) and a cure add.
SEZR_OWN = """
[model]
name = "sezr-own"
[model.compartments]
S = "human"
E = "bitten"
Z = "zombie"
R = {{ state = "removed", in_population = false }}
[model.parameters]
bite_rate = "{bite}"
turn_rate = "1/d"
kill_rate = "{kill}"
destroy_rate = "3/d"
soldier_rate = "1.5/d"
cure_rate = "0.25/d"
[[model.reactions]]
name = "bite"
equation = "S + Z -> E + Z"
rate = "bite_rate"
[[model.reactions]]
name = "turn"
equation = "E -> Z"
rate = "turn_rate"
[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
[[model.reactions]]
name = "destroy"
equation = "Z -> R"
rate = "destroy_rate"
[[model.reactions]]
name = "soldier bitten"
equation = "Z -> Z + E"
rate = "soldier_rate"
[[model.reactions]]
name = "cure"
equation = "Z -> S"
rate = "cure_rate"
"""

SWEEP_AND_CURE = """
[[interventions]]
kind = "sweep"
kill = "3/d"
bite_risk = 0.5
[[interventions]]
kind = "cure"
rate = "0.25/d"
"""

#: The same in one well-mixed place, for the ode engine: rates per pair for 500 people.
WELL_MIXED_SEZR = """
name = "sezr well mixed"
{model}
[initial]
S = 500
Z = 2
[time]
horizon = "6d"
"""


@pytest.mark.parametrize("engine", [*SPATIAL, "ode"])
def test_sweep_and_cure_are_reactions_switched_on(engine: str) -> None:
    """A sweep and a cure acting everywhere from the start are the model's own reactions
    Z -> R, Z -> Z + E and Z -> S: with the same seed, the same run to the last event."""
    if engine == "ode":
        rates = {"bite": "0.005/d", "kill": "0.0002/d"}
        text = WELL_MIXED_SEZR.format(model=SEZR_RATES.format(**rates))
        own = WELL_MIXED_SEZR.format(model=SEZR_OWN.format(**rates))
    else:
        rates = {"bite": "0.5/d", "kill": "0.02/d"}
        text, own = sezr(), sezr(model=SEZR_OWN.format(**rates))
    a = run(engine, scenario(text + SWEEP_AND_CURE), 4)
    b = run(engine, scenario(own), 4)
    plain = run(engine, scenario(text), 4)
    assert not np.allclose(a.counts, plain.counts)
    if engine == "ode":
        np.testing.assert_allclose(a.counts, b.counts, rtol=1e-12, atol=1e-9)
    else:
        np.testing.assert_array_equal(a.counts, b.counts)
        done_a, done_b = a.diagnostics["events_by_kind"], b.diagnostics["events_by_kind"]
        assert done_a["sweep: Z destroyed"] == done_b["destroy"]
        assert done_a["cure: Z cured"] == done_b["cure"]


@pytest.mark.parametrize("engine", SPATIAL)
def test_a_curfew_everywhere_is_slower_movement(engine: str) -> None:
    """A curfew of 0.5 on everyone everywhere is movement at half the rates, event for event."""
    curfew = '\n[[interventions]]\nkind = "curfew"\nmovement = 0.5\ncompartments = ["S", "Z"]\n'
    slowed = sezr(curfew, more_movement=', S = "1/d"')
    slow = sezr().replace('movement = { Z = "0.5/d" }', 'movement = { Z = "0.25/d", S = "0.5/d" }')
    for seed in (1, 2):
        a, b = run(engine, scenario(slowed), seed), run(engine, scenario(slow), seed)
        np.testing.assert_array_equal(a.counts, b.counts)
        assert a.places is not None
        assert a.places.equals(b.places)


#: Three towns in a row, A (the outbreak) - B - C; {wab} the weight of the road A - B.
CHAIN = """
name = "chain"
model = "alemi-sezr"
[parameters]
bite_rate = "0.5/d"
kill_rate = "0.02/d"
turn_rate = "1/d"
[time]
horizon = "5d"
[world]
kind = "regions"
fill = "S"
movement = {{ S = "0.5/d", Z = "0.5/d" }}
cross = {{ reactions = ["bite"], factor = 0.5 }}
[[world.regions]]
name = "A"
population = 30
[[world.regions]]
name = "B"
population = 30
[[world.regions]]
name = "C"
population = 30
[[world.routes]]
start = "A"
end = "B"
weight = {wab}
[[world.routes]]
start = "B"
end = "C"
weight = 2.0
[[world.seeds]]
at = "A"
counts = {{ Z = 2 }}
"""


@pytest.mark.parametrize("engine", SPATIAL)
def test_a_leaky_cordon_is_a_lighter_road(engine: str) -> None:
    """A cordon round A with leak 0.5 is the road A - B at half its weight, for movement and
    bites across it alike, event for event."""
    cordon = '\n[[interventions]]\nkind = "cordon"\narea = { places = ["A"] }\nleak = 0.5\n'
    for seed in (1, 2):
        a = run(engine, scenario(CHAIN.format(wab=1.0) + cordon), seed)
        b = run(engine, scenario(CHAIN.format(wab=0.5)), seed)
        np.testing.assert_array_equal(a.counts, b.counts)
        assert a.places is not None
        assert a.places.equals(b.places)


# --- ode ------------------------------------------------------------------------------------


def _ode(text: str) -> Result:
    return get_engine("ode").run(scenario(text), seed=1)


def test_ode_sweep_lowers_the_zombies() -> None:
    """In the mean field a sweep from day 2 to day 6 leaves fewer zombies, and leaves the
    trajectory before day 2 as it was."""
    sweep = '\n[[interventions]]\nkind = "sweep"\nkill = "0.5/d"\nstart = "2d"\nend = "6d"\n'
    plain, swept = _ode(MUNZ), _ode(MUNZ + sweep)
    z = plain.summary()["final_compartments"]["Z"]
    assert swept.summary()["final_compartments"]["Z"] < 0.5 * z
    before = plain.times < 2 * DAY
    assert before.sum() > 10
    np.testing.assert_allclose(swept.counts[before], plain.counts[before], rtol=1e-9, atol=1e-9)
    assert swept.summary()["interventions"][0]["kind"] == "sweep"
    # The sweep stops on day 6: the same as one for ever until then, not after.
    forever = _ode(MUNZ + sweep.replace('end = "6d"\n', ""))
    until = swept.times < 6 * DAY
    np.testing.assert_allclose(forever.counts[until], swept.counts[until], rtol=1e-9, atol=1e-9)
    z_forever = forever.summary()["final_compartments"]["Z"]
    assert z_forever < swept.summary()["final_compartments"]["Z"]


def test_ode_cure_raises_the_humans() -> None:
    """In the mean field a cure leaves more humans and fewer zombies."""
    cure = '\n[[interventions]]\nkind = "cure"\nrate = "0.5/d"\nstart = "1d"\n'
    plain, cured = _ode(MUNZ).summary(), _ode(MUNZ + cure).summary()
    assert cured["final_compartments"]["S"] > plain["final_compartments"]["S"] + 10
    assert cured["final_compartments"]["Z"] < plain["final_compartments"]["Z"]


def test_ode_refuses_what_needs_places() -> None:
    """The ode engine runs one well-mixed place: a cordon is refused by name."""
    scen = scenario(sezr(CORDON.format(leak=0.0)))
    with pytest.raises(UnsupportedFeatureError, match=r"interventions\.cordon"):
        get_engine("ode").run(scen, seed=1)


# --- plan.py pieces -------------------------------------------------------------------------


def test_area_masks() -> None:
    """Areas by a list of places, by hops along edges and by a radius in cells."""
    world = lattice(5, 5)
    assert area_mask(world, None, "area") is None
    listed = area_mask(world, Area(places=(0, (1, 1), "center")), "area")
    assert listed is not None
    assert np.flatnonzero(listed).tolist() == [0, 6, 12]
    one = area_mask(world, Area(around="center", hops=1), "area")
    assert one is not None
    assert np.array_equal(one, _inside_hops1_5x5())
    two = area_mask(world, Area(around=(0, 0), hops=2), "area")
    assert two is not None
    assert np.flatnonzero(two).tolist() == [0, 1, 2, 5, 6, 10]
    alone = area_mask(world, Area(around="center", hops=0), "area")
    assert alone is not None
    assert np.flatnonzero(alone).tolist() == [12]
    disc = area_mask(world, Area(around="center", radius=1), "area")
    square = area_mask(world, Area(around="center", radius=1.5), "area")
    assert disc is not None
    assert square is not None
    assert np.array_equal(disc, one)
    assert np.flatnonzero(square).tolist() == [6, 7, 8, 11, 12, 13, 16, 17, 18]
    graph = from_edges(4, np.array([0, 1, 2]), np.array([1, 2, 3]))
    with pytest.raises(EngineError, match=r"where\.radius"):
        area_mask(graph, Area(around=0, radius=2), "where")
    hops = area_mask(graph, Area(around=1, hops=1), "where")
    assert hops is not None
    assert hops.tolist() == [True, True, True, False]
    # Regions given no x and y all stand at one point: a radius would take every one of them
    # (a strike on one region once hit the whole world), so it is refused.
    unplaced = World(**{**graph.__dict__, "coords": np.zeros((4, 2))})
    with pytest.raises(EngineError, match=r"where\.radius: the places of this world have no"):
        area_mask(unplaced, Area(around=0, radius=0.5), "where")
    placed = World(**{**graph.__dict__, "coords": np.array([[0, 0], [1, 0], [2, 0], [3, 0.0]])})
    near = area_mask(placed, Area(around=0, radius=1), "where")
    assert near is not None
    assert near.tolist() == [True, True, False, False]


def test_next_hops_follow_shortest_paths() -> None:
    """Each place's next hop is a neighbour one edge nearer the target; -1 at the target and
    where the target cannot be reached."""
    world = lattice(3, 4)
    target = world.place_of(2, 3)
    hop = next_hops(world, target)
    assert hop[target] == -1
    assert world.cells is not None
    rows, cols = world.cells[:, 0], world.cells[:, 1]
    dist = np.abs(rows - 2) + np.abs(cols - 3)
    for p in range(world.n_places):
        if p == target:
            continue
        assert hop[p] in world.neighbours(p)
        assert dist[hop[p]] == dist[p] - 1
    split = from_edges(4, np.array([0, 1]), np.array([1, 2]))  # place 3 has no edge
    assert next_hops(split, 0).tolist() == [-1, 0, 1, -1]


def _layout(text: str) -> Layout:
    layout = Layout.from_scenario(scenario(text), np.random.default_rng(0))
    layout.channels()  # binds the plan's effects to the channels
    return layout


def test_cordon_weights() -> None:
    """While a cordon stands, the edges with one end inside carry leak × their weight."""
    text = WALKERS + CORDON.format(leak=0.25).replace("leak", 'start = "1d"\nleak')
    layout = _layout(text)
    plan, world = layout.plan, layout.world
    assert plan is not None
    assert plan.weights(world, 0.0) is None
    w = plan.weights(world, DAY)
    assert w is not None
    inside = _inside_hops1_5x5()
    source = np.repeat(np.arange(world.n_places), world.degree())
    crossing = inside[source] != inside[world.indices]
    assert crossing.sum() == 24  # 12 edges leave the plus sign, each stored both ways
    assert np.all(w[crossing] == 0.25)
    assert np.all(w[~crossing] == 1.0)
    assert plan.times(2 * DAY) == [DAY]


def test_zone_and_rate_tables() -> None:
    """Zones are the combinations of the active areas; a sweep's channel is on only in its
    area and window, a curfew scales movement in its own area."""
    text = (
        WALKERS
        + """
[[interventions]]
kind = "sweep"
kill = "2/d"
area = { around = "center", hops = 1 }
start = "0.5d"
end = "1.5d"
[[interventions]]
kind = "curfew"
movement = 0.25
area = { places = [[2, 2], [0, 0]] }
"""
    )
    layout = _layout(text)
    plan = layout.plan
    assert plan is not None
    channels, names = layout.channels()
    base = channels.rate[0]
    h_kill = names.index("sweep: Z destroyed")
    h_move = names.index("move S")
    assert base[h_kill] == pytest.approx(2 / DAY)
    sweep_area = _inside_hops1_5x5()
    curfew_area = np.zeros(25, dtype=bool)
    curfew_area[[0, 12]] = True
    assert plan.times(2 * DAY) == [0.5 * DAY, 1.5 * DAY]
    for t, sweeping in [(0.0, False), (DAY, True), (1.5 * DAY, False)]:
        zone, table = plan.rates(base, t)
        n_zones = 4 if sweeping else 2
        assert table.shape == (n_zones, base.size)
        assert zone.shape == (25,)
        assert np.unique(zone).size == n_zones
        per_place = table[zone]  # (places, channels)
        kill = np.where(sweep_area & sweeping, 2 / DAY, 0.0)
        np.testing.assert_allclose(per_place[:, h_kill], kill)
        move = np.where(curfew_area, 0.25, 1.0) * base[h_move]
        np.testing.assert_allclose(per_place[:, h_move], move)
        others = [h for h in range(base.size) if h not in (h_kill, h_move)]
        np.testing.assert_array_equal(per_place[:, others], np.broadcast_to(base[others], (25, 2)))


def test_strike_on_counts() -> None:
    """A strike kills everyone alive in its area into `to`, tallies them, and touches nothing
    else; at other times it does nothing."""
    text = WALKERS + '\n[[interventions]]\nkind = "strike"\narea = { places = [0, 1] }\nat = "1d"\n'
    layout = _layout(text)
    plan, net = layout.plan, layout.net
    assert plan is not None
    s, z, r = (list(net.compartments).index(c) for c in "SZR")
    x = np.zeros((25, 3), dtype=np.int64)
    x[:, s] = 10
    x[0, z], x[1, z], x[1, r], x[2, z] = 3, 4, 5, 6
    before = x.copy()
    assert not plan.strike(0.5 * DAY, x, net)
    np.testing.assert_array_equal(x, before)
    assert plan.strike(DAY, x, net)
    assert x[0].tolist() == [0, 0, 13]
    assert x[1].tolist() == [0, 0, 19]
    np.testing.assert_array_equal(x[2:], before[2:])
    assert x.sum() == before.sum()
    from hyosan.results.interventions import Strike

    (strike,) = [e for e in plan.report(None, x.sum(axis=0), net) if isinstance(e, Strike)]
    assert (strike.t_s, strike.people, strike.zombies, strike.infected) == (DAY, 27, 7, 7)
    assert strike.to_json()["not_zombies"] == 20
    assert plan.infected_after == 6.0


def test_added_reactions_join_the_network() -> None:
    """A sweep's and a cure's reactions follow the model's own, at their rates."""
    text = sezr(SWEEP.format(risk=0.5) + CURE)
    layout = _layout(text)
    own = ReactionNetwork.from_scenario(scenario(sezr()))
    names = layout.net.reaction_names
    assert names[: len(own.reaction_names)] == own.reaction_names
    assert names[len(own.reaction_names) :] == (
        "sweep: Z destroyed",
        "sweep: soldier bitten",
        "cure: Z cured",
    )
    np.testing.assert_allclose(layout.net.rates[-3:], [3 / DAY, 1.5 / DAY, 5 / DAY])


# --- validation -----------------------------------------------------------------------------

WELL_MIXED = 'name = "v"\nmodel = "munz-szr"\n[initial]\nS = 10\nZ = 1\n[time]\nhorizon = "5d"\n'
ON_LATTICE = (
    'name = "v"\nmodel = "alemi-szr"\n[time]\nhorizon = "5d"\n'
    '[world]\nkind = "lattice"\nsize = [3, 3]\nfill = { S = 2 }\n'
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            WELL_MIXED + '[[interventions]]\nkind = "nuke"\nat = "1d"\n',
            ["interventions[0]", "kind"],
        ),
        (
            ON_LATTICE
            + '[[interventions]]\nkind = "evacuate"\ncamp = 0\nspeed = "1/d"\nscreening = "1/d"\n',
            ["interventions[0].safe"],
        ),
        (
            WELL_MIXED
            + '[[interventions]]\nkind = "sweep"\nkill = "1/d"\narea = { places = [0] }\n',
            ["interventions[0].area"],
        ),
        (
            WELL_MIXED
            + '[[interventions]]\nkind = "cure"\nrate = "1/d"\nstart = "3d"\nend = "2d"\n',
            ["interventions[0]", "end"],
        ),
        (
            WELL_MIXED + '[[interventions]]\nkind = "cordon"\narea = { places = [0] }\n',
            ["interventions[0]", "cordon"],
        ),
        (
            WELL_MIXED + '[[interventions]]\nkind = "cure"\nrate = "1/d"\nto = "Z"\n',
            ["interventions[0].to", "the cured would join 'Z', whose state is 'zombie'"],
        ),
        (
            ON_LATTICE + '[[interventions]]\nkind = "sweep"\nkill = "1/d"\nto = "S"\n',
            ["interventions[0].to", "the zombies destroyed would join 'S'"],
        ),
    ],
    ids=[
        "bad-kind",
        "no-safe-compartment",
        "area-well-mixed",
        "end-before-start",
        "cordon-mixed",
        "cured-to-zombies",
        "destroyed-to-humans",
    ],
)
def test_validate_names_the_field(text: str, expected: list[str], tmp_path: Path) -> None:
    """`hyosan validate` exits with 2 and names the intervention's field."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    proc = subprocess.run(
        [*hyosan_cmd(), "validate", str(path)], capture_output=True, text=True, check=False
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    for part in expected:
        assert part in out, out


# --- conservation, determinism, the untouched past ------------------------------------------

CONSERVING = {
    "cordon": sezr(CORDON.format(leak=0.2), more_movement=', S = "0.5/d"'),
    "curfew": sezr('\n[[interventions]]\nkind = "curfew"\nmovement = 0.1\nstart = "1d"\n'),
    "lure": ZOMBIES + LURE,
    "travel": TOWNS + TRAVEL,
    "strike": STRIKE_WORLD + STRIKE.format(at="2d"),
    "evacuate": EVAC_PATH + EVACUATE,
    "cure": sezr(CURE),
}


@pytest.mark.parametrize("kind", sorted(CONSERVING))
@pytest.mark.parametrize("engine", SPATIAL)
def test_population_is_conserved(engine: str, kind: str) -> None:
    """Interventions that move, stop, cure or kill people (into a compartment) keep the
    number of people, at every output time and every snapshot."""
    result = run(engine, scenario(CONSERVING[kind]), 5)
    total = result.counts[0].sum()
    np.testing.assert_array_equal(result.counts.sum(axis=1), total)
    _, counts = snapshots(result)
    per_snapshot = sum(v.sum(axis=1) for v in counts.values())
    np.testing.assert_array_equal(per_snapshot, total)


#: Every kind at once, on a 6 × 6 lattice with the evacuation model.
EVERYTHING = (
    """
name = "everything"
[time]
horizon = "4d"
[world]
kind = "lattice"
size = [6, 6]
fill = { S = 8 }
movement = { S = "0.3/d", Z = "0.5/d" }
[[world.seeds]]
at = "center"
counts = { Z = 3 }
[record]
snapshots = 9
"""
    + EVAC_MODEL
    + """
[[interventions]]
kind = "cordon"
area = { around = "center", hops = 1 }
start = "0.5d"
end = "2d"
leak = 0.0
[[interventions]]
kind = "curfew"
start = "0.5d"
[[interventions]]
kind = "sweep"
kill = "1/d"
bite_risk = 0.2
area = { around = "center", hops = 2 }
start = "1d"
end = "3d"
[[interventions]]
kind = "lure"
toward = [5, 5]
speed = "2/d"
area = { around = [5, 5], hops = 3 }
start = "2d"
[[interventions]]
kind = "strike"
area = { places = ["center"] }
at = "2.5d"
[[interventions]]
kind = "evacuate"
camp = [0, 0]
speed = "3/d"
screening = "3/d"
start = "1d"
[[interventions]]
kind = "cure"
rate = "0.5/d"
start = "3d"
[[interventions]]
kind = "travel"
origin = [0, 5]
destination = [5, 0]
rate = "1/d"
"""
)


@pytest.mark.parametrize("engine", SPATIAL)
def test_same_seed_same_run(engine: str) -> None:
    """With every kind of intervention, a seed gives one run; another seed another."""
    scen = scenario(EVERYTHING)
    a, b, c = run(engine, scen, 11), run(engine, scen, 11), run(engine, scen, 12)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.places is not None
    assert b.places is not None
    assert a.places.equals(b.places)
    assert a.summary()["interventions"] == b.summary()["interventions"]
    assert a.diagnostics["events_by_kind"] == b.diagnostics["events_by_kind"]
    assert not np.array_equal(a.counts, c.counts)
    report = a.summary()["interventions"]
    assert [e["kind"] for e in report] == [
        "cordon",
        "curfew",
        "sweep",
        "lure",
        "strike",
        "evacuate",
        "cure",
        "travel",
        "after_strikes",
    ]


@pytest.mark.parametrize("engine", SPATIAL)
def test_nothing_changes_before_the_start(engine: str) -> None:
    """Interventions that start on day 2 leave the run with the same seed exactly as it was
    before then (their channels add nothing and draw nothing while off), and change it after."""
    later = (
        SWEEP.format(risk=0.3).replace('"1d"', '"2d"')
        + LURE
        + 'start = "2d"\n'
        + CORDON.format(leak=0.0)
        + 'start = "2d"\n'
    )
    plain, treated = scenario(sezr()), scenario(sezr(later))
    for seed in (1, 2):
        a, b = run(engine, plain, seed), run(engine, treated, seed)
        before = a.times < 2 * DAY
        assert before.sum() > 100
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.counts[before], b.counts[before])
        times, snaps_a = snapshots(a)
        _, snaps_b = snapshots(b)
        early = times < 2 * DAY
        for comp in snaps_a:
            np.testing.assert_array_equal(snaps_a[comp][early], snaps_b[comp][early])
        assert not np.array_equal(a.counts, b.counts)


def test_ssa_events_happen_only_where_and_while_their_intervention_acts() -> None:
    """In the ssa event log, each intervention's events fall in its window and area, and each
    directed move goes where its table says: a lure's and an evacuation's one step nearer
    their place, a flight from its origin to its destination; nobody crosses a shut cordon.
    (The logs of two seeds, so that every kind of event happens.)"""
    scen = scenario(EVERYTHING.replace("[record]", "[record]\nevents = true"))
    logs = [run("ssa", scen, seed).events for seed in (3, 4)]
    assert logs[0] is not None
    assert logs[1] is not None
    log = pa.concat_tables([logs[0], logs[1]]).to_pydict()
    t = np.array(log["t"]) / DAY
    kind = np.array(log["kind"], dtype=object)
    place = np.array(log["place"])
    target = np.array([-1 if q is None else q for q in log["target"]])
    world = lattice(6, 6)
    centre = _inside_hops(world, 21, 1)
    to_camp, to_lure = next_hops(world, 0), next_hops(world, 35)

    def of(name: str) -> np.ndarray:
        found = kind == name
        assert found.any(), name
        return found

    shut = (t >= 0.5) & (t < 2) & np.isin(kind, ["move S", "move Z"])
    assert not (shut & (centre[place] != centre[np.maximum(target, 0)])).any()
    crossed = np.isin(kind, ["move S", "move Z"]) & (centre[place] != centre[np.maximum(target, 0)])
    assert crossed.any()  # before and after the cordon
    for name in ("sweep: Z destroyed", "sweep: soldier bitten"):
        swept = of(name)
        assert ((t[swept] >= 1) & (t[swept] < 3)).all()
        assert _inside_hops(world, 21, 2)[place[swept]].all()
    drawn = of("lure: Z walks toward the lure")
    assert (t[drawn] >= 2).all()
    assert _inside_hops(world, 35, 3)[place[drawn]].all()
    np.testing.assert_array_equal(target[drawn], to_lure[place[drawn]])
    walked = of("evacuate: S walks toward the camp")
    assert (t[walked] >= 1).all()
    np.testing.assert_array_equal(target[walked], to_camp[place[walked]])
    screened = of("evacuate: S safe")
    assert (t[screened] >= 1).all()
    assert (place[screened] == 0).all()
    cured = of("cure: Z cured")
    assert (t[cured] >= 3).all()
    flown = np.isin(kind, ["travel: S travels", "travel: E travels", "travel: H travels"])
    assert flown.any()
    assert (place[flown] == 5).all()
    assert (target[flown] == 30).all()


def _inside_hops(world: World, centre: int, hops: int) -> np.ndarray:
    mask = area_mask(world, Area(around=centre, hops=hops), "area")
    assert mask is not None
    return mask


def test_ssa_a_lure_does_not_draw_across_a_standing_cordon() -> None:
    """While a cordon stands, a lure's paths keep to its side of it (however leaky: only
    wandering slips through); before and after, they cross it."""
    text = (
        ZOMBIES.replace("[record]", "[record]\nevents = true")
        + LURE.replace("[0, 0]", "[0, 2]")
        + CORDON.format(leak=0.5)
        + 'start = "1d"\nend = "2d"\n'
    )
    result = run("ssa", scenario(text), 2)
    assert result.events is not None
    log = result.events.to_pydict()
    t = np.array(log["t"]) / DAY
    kind = np.array(log["kind"], dtype=object)
    place = np.array(log["place"])
    target = np.array([-1 if q is None else q for q in log["target"]])
    inside = _inside_hops1_5x5()
    crossing = inside[place] != inside[np.maximum(target, 0)]
    standing = (t >= 1) & (t < 2)
    drawn = kind == "lure: Z walks toward the lure"
    assert not (drawn & crossing & standing).any()
    assert (drawn & crossing & ~standing).any()


def test_interventions_say_what_they_did_in_the_models_words() -> None:
    """What each measure did reads in the model's words ("zombies destroyed", "moves toward
    the camp by humans"), not its compartment letters ("Z destroyed", "S walks toward the
    camp"); the events' keys, which scripts and runs.parquet read, stay as they were."""
    from hyosan.results.interventions import Measure, intervention_from_json

    summary = run("ssa", scenario(EVERYTHING), 3).summary()
    by_name = {e.get("name"): e for e in summary["interventions"]}
    sweep, evacuate = by_name["sweep"], by_name["evacuate"]
    assert "sweep: Z destroyed" in sweep["events"]
    assert sweep["event_labels"] == {
        "sweep: Z destroyed": "zombies destroyed",
        "sweep: soldier bitten": "soldiers bitten",
    }
    words = evacuate["event_labels"]
    assert words["evacuate: S walks toward the camp"] == "moves toward the camp by humans"
    assert words["evacuate: S safe"] == "humans screened into the camp"
    assert words["evacuate: E caught"] == "bitten caught at screening"
    assert by_name["lure"]["event_labels"] == {
        "lure: Z walks toward the lure": "moves toward the lure by zombies"
    }
    assert by_name["cure"]["event_labels"] == {"cure: Z cured": "zombies cured"}
    assert set(by_name["travel"]["event_labels"].values()) >= {"trips by humans"}
    row = intervention_from_json(evacuate).row(lambda t: "1 d")
    assert "moves toward the camp by humans" in row[3]
    assert "humans screened into the camp" in row[3]
    assert " S " not in f" {row[3]} ".replace(",", " ")
    # A kind of two words reads as two words; a summary of an older version, without the
    # words, still reads as it did.
    law = Measure(name="Martial law", kind="martial_law", start_s=0.0)
    assert law.row(lambda t: "0 d")[1] == "martial law"
    old = intervention_from_json({k: v for k, v in sweep.items() if k != "event_labels"})
    assert old.row(lambda t: "1 d")[3].startswith("Z destroyed ")


def test_the_epidemic_pictures_legend_names_interventions_in_words() -> None:
    """epidemic.png's legend said "Special forces: Z destroyed" after the terminal and the
    report had words for it; it now says "sweep: zombies destroyed", and its R_t axis names
    the method as the headline does."""
    from hyosan.reports.epidemic_plot import plot_epidemic

    result = run("ssa", scenario(EVERYTHING), 3)
    fig = plot_epidemic(result)
    assert fig is not None
    labels = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    of_measures = [label for label in labels if ": " in label]
    assert of_measures, labels
    assert "sweep: zombies destroyed" in of_measures
    assert not [label for label in of_measures if " Z " in f" {label} " or " S " in f" {label} "]
    method = result.summary()["epidemic"]["R_t_method"]
    words = {"bites": "bites per loss", "renewal": "renewal equation"}[method]
    assert f"R_t ({words})" in [ax.get_ylabel() for ax in fig.axes]

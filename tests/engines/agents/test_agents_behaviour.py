"""Each behaviour rule has an effect in the direction the show suggests.

Comparisons of a summary figure between a rule on and off use the same seeds on both sides and
a one-sided Mann–Whitney test at the 1 % level, so the tolerance follows from the number of
runs; rules whose effect is an event that only they cause are checked by their events.
"""

from __future__ import annotations

import math

import numpy as np
from conftest import hyosan_high
from scipy import stats

import hyosan
from hyosan.engines.agents.params import BITTEN, HUMAN
from hyosan.engines.agents.trace import trace

K = 12
SEEDS = range(1, K + 1)


def figures(engine, key: str, *overrides: str, horizon: str = "12h", runs: int = K) -> np.ndarray:  # type: ignore[no-untyped-def]
    scen = hyosan_high(*overrides, horizon=horizon)
    out = []
    for seed in range(1, runs + 1):
        s = engine.run(scen, seed=seed).summary()
        out.append(s["final"]["human"] + s["final"]["safe"] if key == "alive" else s[key])
    return np.asarray(out, dtype=float)


def more(a: np.ndarray, b: np.ndarray) -> None:
    """a is stochastically larger than b (one-sided Mann–Whitney, 1 %)."""
    test = stats.mannwhitneyu(a, b, alternative="greater")
    assert test.pvalue < 0.01, (test.pvalue, a.mean(), b.mean(), a, b)


def test_without_barricades_fewer_survive(engine) -> None:
    # Barricades buy time: two hours in, far more are alive with them (241.6 against 130.9
    # over these 30 seeds). The effect fades later in the default run: crowded classes behind
    # barricades give themselves away (behaviour.noise) while many who could not barricade ran
    # for the gates and got out, so by 12 h the two are level (115.7 against 124.2).
    more(
        figures(engine, "alive", horizon="2h", runs=30),
        figures(engine, "alive", "behaviour.barricades.enabled=false", horizon="2h", runs=30),
    )


def overrun_times(engine, *overrides: str, runs: int = K) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Overrun times over the first six hours (never: infinity)."""
    v = figures(engine, "t_overrun_s", *overrides, horizon="6h", runs=runs)
    return np.where(np.isnan(v), np.inf, v)


def test_fleeing_brings_the_overrun_sooner(engine) -> None:
    """People running from the zombies in their room carry the outbreak through the school
    (as the panicking students of the show did): the school is overrun sooner."""
    # A smaller effect than the others: more runs to see it.
    more(overrun_times(engine, "behaviour.flee=false", runs=30), overrun_times(engine, runs=30))


def test_fighting_destroys_zombies(engine) -> None:
    more(
        figures(engine, "n_zombies_destroyed", horizon="4h"),
        figures(engine, "n_zombies_destroyed", "behaviour.fighting.enabled=false", horizon="4h"),
    )


def test_panic_brings_the_overrun_sooner(engine) -> None:
    # Over 12 seeds the medians are 4.8 h without panic and 2.0 h with it, but four runs
    # without and one with are never overrun in six hours, and the test stops at p = 0.011:
    # 20 runs a side give it the power to see the effect at the same 1 % (p = 0.002).
    more(overrun_times(engine, "behaviour.panic=0", runs=20), overrun_times(engine, runs=20))


def _small_building(
    name: str,
    rooms: list[dict],
    doors: list[dict],
    group: dict,
    *,
    characters: list[dict] | tuple[dict, ...] = (),
    time: tuple[str, str],
    behaviour: dict | None = None,
) -> hyosan.Scenario:
    """A test building of a few rooms and one group of people, with `characters` (zombies,
    leaders), run for `time` = (horizon, output_every)."""
    data: dict[str, object] = {
        "name": name,
        "engine": "agents",
        "model": "jonas",
        "building": {"rooms": rooms, "doors": doors},
        "people": {"groups": [group]},
        "characters": list(characters),
        "time": {"horizon": time[0], "output_every": time[1]},
    }
    if behaviour is not None:
        data["behaviour"] = behaviour
    return hyosan.Scenario.model_validate(data)


def _zombies(room: str, n: int = 1) -> list[dict]:
    """`n` characters in `room` who turn in the first second."""
    return [{"name": f"zombie {k}", "room": room, "infected": {"turns_in": "1s"}} for k in range(n)]


def _way_out(
    behaviour: dict[str, object], per_room: int = 10, characters: tuple[dict, ...] = ()
) -> hyosan.Scenario:
    """A class of `per_room` who know of the outbreak, a hall and a gate to town, two hours."""
    return _small_building(
        "way-out",
        [
            {"name": "class", "kind": "classroom"},
            {"name": "hall", "kind": "corridor", "x": 20.0},
            {"name": "town", "kind": "exit", "x": 300.0},
        ],
        [
            {"between": ["class", "hall"], "length": 10.0},
            {"between": ["hall", "town"], "kind": "gate", "length": 280.0},
        ],
        {"name": "class", "rooms": ["class"], "per_room": per_room, "aware": True},
        characters=characters,
        time=("2h", "1min"),
        behaviour=behaviour,
    )


def test_exits_let_people_escape(engine) -> None:
    """A calm group that knows of the outbreak heads for the exit, unless the rule is off."""

    def escaped(enabled: bool) -> int:
        scen = _way_out({"exits": {"enabled": enabled, "rate": "2/h"}})
        return sum(engine.run(scen, seed=s).summary()["n_escaped"] for s in (1, 2, 3))

    assert escaped(True) == 30
    assert escaped(False) == 0


def test_the_timid_stay_behind_when_a_bold_leader_heads_out(engine) -> None:
    """With `exits.split`, a bold leader's run for the gate splits the class: each person short
    of that courage stays behind (a `split` event naming the leader) and leaves later, if at
    all, never with the first party; without the rule the whole class goes at once."""
    leader = {
        "name": "the bold one",
        "room": "class",
        "traits": {"resourcefulness": 1.0, "courage": 0.9},
    }

    def runs(split: float) -> list[tuple[int, list[str], dict[str, float]]]:
        scen = _way_out({"exits": {"rate": "2/h", "split": split}}, characters=(leader,))
        out = []
        for seed in SEEDS[:6]:
            res = engine.run(scen, seed=seed)
            ev = res.events.to_pylist()
            stayed = [e["actor"] for e in ev if e["kind"] == "split"]
            assert all(e["target"] == "the bold one" for e in ev if e["kind"] == "split")
            out_at = {e["actor"]: e["t"] for e in ev if e["kind"] == "escape"}
            out.append((res.summary()["n_escaped"], stayed, out_at))
        return out

    together = runs(0.0)
    assert all(n == 11 and not stayed for n, stayed, _ in together), together
    split = runs(0.5)
    for _, stayed, out_at in split:
        assert stayed, "a class of ten has someone short of the courage"
        assert "the bold one" not in stayed
        first = out_at["the bold one"]
        assert all(out_at.get(name, math.inf) > first for name in stayed), (stayed, out_at)
    # Some of those who stayed are still in hiding when the runs end.
    assert sum(n for n, _, _ in split) < sum(n for n, _, _ in together), split


def _stalls(cover: float) -> hyosan.Scenario:
    """Five girls who know of the outbreak in a bathroom, stalls for three beside it, and two
    zombies in the corridor outside from the first second."""
    return _small_building(
        "stalls",
        [
            {"name": "hall", "kind": "corridor"},
            {"name": "bathroom", "kind": "bathroom", "x": 8.0, "hiding": 0.1},
            {"name": "stalls", "kind": "closet", "x": 10.0, "area": 4.5, "hiding": 0.9},
        ],
        [
            {"between": ["hall", "bathroom"], "length": 6.0},
            {"between": ["bathroom", "stalls"], "length": 2.0},
        ],
        {"name": "girls", "rooms": ["bathroom"], "per_room": 5, "aware": True},
        characters=_zombies("hall", 2),
        time=("1h", "1min"),
        behaviour={"cover": cover},
    )


def test_people_slip_into_a_hiding_place_beside_a_threatened_room() -> None:
    """With `behaviour.cover`, people in a room with zombies next door go into the better
    hiding place beside it, as many as it holds (4.5 m²: three), and the rest hold the room;
    without it, everyone holds the room. Seen after two steps (10 s), before the zombies come
    in, for six seeds."""
    bathroom, stalls = 1, 2
    for cover, expected in ((0.5, [2, 3]), (0.0, [5, 0])):
        for seed in range(1, 7):
            *_, now = trace(_stalls(cover), seed, 10.0)
            people = now.room[now.state == HUMAN]
            where = [int(np.count_nonzero(people == room)) for room in (bathroom, stalls)]
            assert where == expected, (cover, seed, now.room)
    # A hiding place no better than `cover` asks for is not taken.
    *_, now = trace(_stalls(0.95), 1, 10.0)
    assert np.count_nonzero(now.room == stalls) == 0


def test_a_full_room_takes_nobody_more() -> None:
    """A room people hold takes no more than its capacity, whoever comes: the two left in the
    bathroom above, fleeing the zombies when they come in, find the stalls full and are caught
    or cornered there. Over the whole hour, for six seeds, never more than three in the stalls,
    and the stalls are full at some point."""
    for seed in range(1, 7):
        most = 0
        for frame in trace(_stalls(0.5), seed, 3600.0):
            people = frame.room[(frame.state == HUMAN) | (frame.state == BITTEN)]
            most = max(most, int(np.count_nonzero(people == 2)))
        assert most == 3, (seed, most)


def test_a_crowded_class_makes_a_run_for_it_sooner(engine) -> None:
    """With `exits.crowd`, a room's exit rate goes with its people over `crowd`: a class of 20
    at crowd 1 leaves about twenty times as readily. A leader who hushes the room entirely
    (`noise.hush` 1, resourcefulness 1) keeps it at the given rate: the same runs as without."""

    def escaped(crowd: float, hush: float = 0.0, rate: str = "0.05/h") -> np.ndarray:
        behaviour = {
            "exits": {"rate": rate, "crowd": crowd},
            "noise": {"hush": hush, "hush_from": 0.8},
        }
        leader = {"name": "the calm one", "room": "class", "traits": {"resourcefulness": 1.0}}
        scen = _way_out(behaviour, per_room=20, characters=(leader,))
        return np.array([engine.run(scen, seed=s).summary()["n_escaped"] for s in SEEDS])

    more(escaped(1.0), escaped(0.0))
    # At a rate where some classes leave in two hours and some do not, seed by seed:
    calm = escaped(1.0, hush=1.0, rate="0.5/h")
    assert 0 < np.count_nonzero(calm) < calm.size, calm
    assert calm.tolist() == escaped(0.0, hush=1.0, rate="0.5/h").tolist()


def test_rescue_sacrifice_and_selfishness_leave_their_events(engine) -> None:
    """Rescues, self-sacrifice, shoves and barred doors happen only while their rule is on."""

    def kinds(*o: str) -> tuple[int, int, int, int]:
        rescue = sacrifice = shove = abandon = 0
        for seed in (1, 2, 3):
            ev = engine.run(hyosan_high(*o, horizon="6h"), seed=seed).events.to_pydict()
            for kind, a, b in zip(ev["kind"], ev["actor"], ev["target"], strict=True):
                rescue += kind == "rescue"
                sacrifice += kind == "sacrifice" and a == b
                shove += kind == "push" and a != b
                abandon += kind == "abandon"
        return rescue, sacrifice, shove, abandon

    on = kinds()
    assert min(on[:3]) > 0, on
    assert kinds("behaviour.rescue.enabled=false")[0] == 0
    assert kinds("behaviour.sacrifice.enabled=false")[1] == 0
    off = kinds("behaviour.selfishness.enabled=false")
    assert off[2] == off[3] == 0


def _studio(lure: bool, supplies: bool = False) -> hyosan.Scenario:
    """A studio with a PA console, a hall full of zombies outside it, speakers down a wing."""
    rooms = [
        {"name": "studio", "kind": "office", "pa": True, "area": 40.0, "x": 0.0},
        {"name": "hall", "kind": "corridor", "area": 100.0, "x": 10.0},
        {"name": "wing", "kind": "corridor", "area": 100.0, "x": 60.0, "speaker": True},
        {"name": "far wing", "kind": "corridor", "area": 100.0, "x": 90.0, "speaker": True},
    ]
    doors = [
        # Long enough that the zombies in the hall neither see nor hear the crew at first.
        {"between": ["studio", "hall"], "length": 16.0},
        {"between": ["hall", "wing"], "kind": "opening", "length": 50.0},
        {"between": ["wing", "far wing"], "kind": "opening", "length": 30.0},
    ]
    crew = {
        "name": "crew",
        "rooms": ["studio"],
        "per_room": 4,
        "aware": True,
        "traits": {"resourcefulness": {"mean": 0.9}},
    }
    return _small_building(
        "studio",
        rooms,
        doors,
        crew,
        characters=_zombies("hall", 8),
        time=("4min", "10s"),
        behaviour={"lure": {"enabled": lure}},
    )


def test_the_pa_lure_gathers_zombies_at_the_speakers(engine) -> None:
    """With the lure, zombies end up in the speaker rooms; without it, they stay by the door."""

    def at_speakers(lure: bool) -> np.ndarray:
        out = []
        for seed in SEEDS:
            result = engine.run(_studio(lure), seed=seed)
            places = result.places.to_pydict()
            z = {n: zs[-1] for n, zs in zip(places["name"], places["Z"], strict=True)}
            out.append(z["wing"] + z["far wing"])
        return np.asarray(out)

    with_lure, without = at_speakers(True), at_speakers(False)
    more(with_lure, without)
    assert with_lure.mean() > 4  # most of the eight


def _booth(resourceful: float) -> hyosan.Scenario:
    """A group in a booth with no toilet or water, a zombie caged next door (they know)."""
    return _small_building(
        "booth",
        [
            {"name": "booth", "kind": "office", "area": 30.0},
            {"name": "cage", "kind": "closet", "area": 10.0, "x": 5.0},
            {
                "name": "washroom",
                "kind": "bathroom",
                "toilet": True,
                "supplies": 1000.0,
                "x": -10.0,
            },
        ],
        [
            {"between": ["booth", "cage"], "kind": "window"},
            {"between": ["booth", "washroom"], "length": 10.0},
        ],
        {
            "name": "group",
            "rooms": ["booth"],
            "per_room": 5,
            "traits": {"resourcefulness": {"mean": resourceful}},
        },
        characters=[{"name": "caged", "room": "cage", "infected": {"turns_in": "1s"}}],
        time=("20h", "10min"),
    )


def test_supplies_force_a_move_unless_someone_rigs_a_toilet(engine) -> None:
    """Without a toilet the group leaves the booth within the tolerance; with a resourceful
    member (On-jo's makeshift toilet) it stays."""
    for seed in (1, 2, 3):
        leaves = engine.run(_booth(0.2), seed=seed)
        stays = engine.run(_booth(0.95), seed=seed)
        p_leave = leaves.places.to_pydict()
        p_stay = stays.places.to_pydict()
        booth = p_leave["name"].index("booth")
        assert p_leave["S"][booth][-1] == 0  # all gone to the washroom
        assert p_stay["S"][booth][-1] == 5
        assert "toilet" in stays.events.column("kind").to_pylist()


def _class_beside_a_zombie(spreading: bool) -> hyosan.Scenario:
    """A class of 20 behind a door from a corridor where a zombie turns at once."""
    return _small_building(
        "class",
        [
            {"name": "class", "kind": "classroom", "area": 65.0},
            {"name": "hall", "kind": "corridor", "area": 100.0, "x": 10.0},
        ],
        [{"between": ["class", "hall"], "length": 4.0}],
        {"name": "class", "rooms": ["class"], "per_room": 20},
        characters=[{"name": "zombie", "room": "hall", "infected": {"turns_in": "1s"}}],
        time=("20min", "1min"),
        behaviour={"awareness": {"enabled": spreading}},
    )


def test_without_awareness_spreading_the_first_barricades_come_at_once(engine) -> None:
    """Switched off, a class that sees a zombie next door knows at once (the old rule) and
    barricades within a minute or so; with the news spreading, its people learn over minutes
    and it barricades later, if the zombie has not come in first. Paired by seed: sooner in
    all of six runs is a one-sided sign test at 1/64 < 2 %."""

    def first_barricade(spreading: bool) -> list[float]:
        out = []
        for seed in range(1, 7):
            ev = engine.run(_class_beside_a_zombie(spreading), seed=seed).events
            ts = [t for k, t in zip(ev["kind"].to_pylist(), ev["t"].to_pylist(), strict=True)
                  if k == "barricade"]  # fmt: skip
            out.append(min(ts, default=np.inf))
        return out

    spreading = first_barricade(True)
    at_once = first_barricade(False)
    assert all(a < s for a, s in zip(at_once, spreading, strict=True)), (at_once, spreading)


def _pantry(phones: bool) -> hyosan.Scenario:
    """Four people in a den who need the toilet in the store down a hall where three zombies
    wait; a closet opens off the hall, off their way."""
    return _small_building(
        "pantry",
        [
            {"name": "den", "kind": "office", "area": 30.0},
            {"name": "hall", "kind": "corridor", "area": 100.0, "x": 10.0},
            {"name": "closet", "kind": "office", "area": 10.0, "x": 10.0, "y": 12.0},
            {"name": "store", "kind": "bathroom", "toilet": True, "supplies": 1000.0, "x": 40.0},
        ],
        [
            {"between": ["den", "hall"], "length": 4.0},
            {"between": ["hall", "closet"], "length": 6.0},
            {"between": ["hall", "store"], "length": 25.0},
        ],
        {
            "name": "group",
            "rooms": ["den"],
            "per_room": 4,
            "aware": True,
            "traits": {"resourcefulness": {"mean": 0.9}},
        },
        characters=_zombies("hall", 3),
        time=("40min", "1min"),
        behaviour={
            "lure": {"phones": phones},
            # The toilet forces the move within ten minutes; nobody rigs one, nobody waits
            # for the dark.
            "supplies": {
                "toilet_tolerance": "10min",
                "makeshift_toilet": 1.0,
                "night_moves": False,
            },
        },
    )


def test_a_phone_rung_off_the_way_lets_a_group_through(engine) -> None:
    """With phones, the leader sets one ringing in the closet before the group sets off, the
    zombies go to it, and the group reaches the store; without, it walks into them. (Seeds
    1-12 here: 10 of 12 groups through with phones, 1 of 12 without.)"""

    def through(phones: bool) -> tuple[np.ndarray, list[str]]:
        reached, lures = [], []
        for seed in range(1, 13):
            result = engine.run(_pantry(phones), seed=seed)
            places = result.places.to_pydict()
            reached.append(places["S"][places["name"].index("store")][-1])
            ev = result.events.to_pydict()
            lures += [d for k, d in zip(ev["kind"], ev["detail"], strict=True) if k == "lure"]
        return np.asarray(reached), lures

    with_phones, rung = through(True)
    without, none = through(False)
    more(with_phones, without)
    assert rung
    assert not none
    assert all("sets a phone ringing in the closet" in d for d in rung), rung


def test_careful_groups_wait_for_the_way_to_clear(engine) -> None:
    """The pantry's zombies wait in the closet beside the hall. Careful, the group stays in
    its den while they are there and nobody is bitten; otherwise it steps into the hall and
    they come out for it. (Seeds 1-12 here: no bite in any careful run, 3 to 6 in every
    other.)"""

    def bites(careful: bool) -> np.ndarray:
        data = _pantry(False).model_dump(mode="json", exclude_none=True)
        for zombie in data["characters"]:
            zombie["room"] = "closet"
        data["behaviour"]["exits"] = {"careful": careful}
        scen = hyosan.Scenario.model_validate(data)
        out = []
        for seed in range(1, 13):
            kinds = engine.run(scen, seed=seed).events.column("kind").to_pylist()
            out.append(kinds.count("bite"))
        return np.asarray(out)

    careful, bold = bites(True), bites(False)
    more(bold, careful)
    assert careful.sum() == 0, careful


def test_a_run_for_the_exits_is_not_careful(engine) -> None:
    """Careful groups wait only on the way to a room they mean to hold: a class making for the
    gate past a zombie in a closet beside the hall goes as it would without the rule, run for
    run (the pantry above shows the rule holding a group back on its way to a toilet)."""

    def runs(careful: bool) -> list[tuple[int, int]]:
        scen = _small_building(
            "gate",
            [
                {"name": "class", "kind": "classroom"},
                {"name": "hall", "kind": "corridor", "x": 20.0},
                {"name": "closet", "kind": "office", "area": 10.0, "x": 20.0, "y": 10.0},
                {"name": "town", "kind": "exit", "x": 300.0},
            ],
            [
                {"between": ["class", "hall"], "length": 10.0},
                {"between": ["hall", "closet"], "length": 8.0},
                {"between": ["hall", "town"], "kind": "gate", "length": 280.0},
            ],
            {"name": "class", "rooms": ["class"], "per_room": 10, "aware": True},
            characters=_zombies("closet"),
            time=("2h", "1min"),
            behaviour={"exits": {"rate": "2/h", "careful": careful}},
        )
        out = []
        for seed in range(1, 7):
            s = engine.run(scen, seed=seed).summary()
            out.append((s["n_escaped"], s["n_bites"]))
        return out

    careful = runs(True)
    assert careful == runs(False)
    assert sum(escaped for escaped, _ in careful) > 0  # some make it out past the closet

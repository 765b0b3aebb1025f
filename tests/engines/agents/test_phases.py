"""Each phase of a building step on its own: small hand-built worlds, one rule per test.

The world is three rooms in a row, a classroom (0), a corridor (1) and another classroom (2),
joined by two 10 m passages (0: rooms 0-1, 1: rooms 1-2). People are built with neutral traits
(0.5) unless a test sets them; rules are switched off or made certain through `Params`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from hyosan.engines.agents.params import (
    BITTEN,
    COURAGE,
    DESTROYED,
    ESCAPED,
    EV_ABANDON,
    EV_BARRICADE,
    EV_BITE,
    EV_BROKEN,
    EV_ESCAPE,
    EV_FORCED,
    EV_HYBRID,
    EV_OPENED,
    EV_TURN,
    HUMAN,
    HYBRID,
    N_STATES,
    RESOURCE,
    ROOM_EXIT,
    ROOM_HOLD,
    ROOM_TRANSIT,
    SELFISH,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.phases.barricades import barricades
from hyosan.engines.agents.phases.census import take_census
from hyosan.engines.agents.phases.encounters import encounters
from hyosan.engines.agents.phases.hybrids import feed_hybrids
from hyosan.engines.agents.phases.jit import from_python
from hyosan.engines.agents.phases.movement import move_along
from hyosan.engines.agents.phases.people import people_choose
from hyosan.engines.agents.phases.records import record, watch_levels
from hyosan.engines.agents.phases.sounds import add_sound
from hyosan.engines.agents.phases.turning import turn_the_bitten
from hyosan.engines.agents.phases.zombies import zombies_choose
from hyosan.engines.agents.state import (
    Agents,
    Census,
    Counts,
    Draws,
    Passages,
    Rooms,
    Sounds,
    new_census,
    new_sounds,
)
from hyosan.engines.kernel import EventLog, Records, Watched, new_event_log
from hyosan.scenario.agents import TRAITS, Behaviour, Virus, Zombies

# The phases are compiled without a Python wrapper (phases/jit.py); call them through one.
barricades = from_python(barricades)
take_census = from_python(take_census)
encounters = from_python(encounters)
feed_hybrids = from_python(feed_hybrids)
move_along = from_python(move_along)
people_choose = from_python(people_choose)
record = from_python(record)
watch_levels = from_python(watch_levels)
turn_the_bitten = from_python(turn_the_bitten)
zombies_choose = from_python(zombies_choose)

DT = 5.0


class World(NamedTuple):
    p: Params
    agents: Agents
    rooms: Rooms
    passages: Passages
    sounds: Sounds
    census: Census
    counts: Counts
    log: EventLog
    draws: Draws


def params(**changes: float) -> Params:
    # Awareness spreading is off unless a test turns it on: the other rules' tests set who
    # knows by hand, and the awareness tests say what they need.
    changes = {"awareness": 0.0, **changes}
    return Params.of(Virus(), Zombies(), Behaviour(), 3.5, DT)._replace(**changes)


def world(states: list[int], rooms: list[int], **changes: float) -> World:
    """People in `states` in `rooms` of the three-room row; nobody aware, nobody moving."""
    n = len(states)
    i4 = np.int32
    traits = np.full((n, len(TRAITS)), 0.5)
    agents = Agents(
        state=np.array(states, np.int8),
        room=np.array(rooms, i4),
        heading_to=np.full(n, -1, i4),
        passage=np.full(n, -1, i4),
        arrives_in=np.zeros(n),
        traits=traits,
        group=np.zeros(n, i4),
        named=np.full(n, -1, i4),
        turns_at=np.full(n, np.inf),
        bitten_at=np.full(n, np.inf),
        becomes_hybrid=np.zeros(n, np.int8),
        bitten_by_hybrid=np.zeros(n, np.int8),
        bites=np.zeros(n, i4),
        bitten_step=np.full(n, -1, np.int64),
        hunger=np.zeros(n),
        supplies_need=np.zeros(n),
        toilet_need=np.zeros(n),
        aware=np.zeros(n, np.int8),
        aware_at=np.full(n, np.inf),
        busy_until=np.zeros(n),
        lead_room=np.full(n, -1, i4),
        lead_since=np.zeros(n),
        zombie_strength=np.full(n, 0.5),
        zombie_aggression=np.ones(n),
        goal=np.full(n, -1, i4),
        cornered=np.zeros(n, np.int8),
        sacrificing=np.zeros(n, np.int8),
        parted=np.zeros(n, np.int8),
        refused_by=np.full(n, -1, i4),
        refused=np.zeros((n, 3), i4),
        biter=np.full(n, -1, i4),
        last_passage=np.full(n, -1, i4),
    )
    rooms_ = Rooms(
        kind=np.array([ROOM_HOLD, ROOM_TRANSIT, ROOM_HOLD], np.int8),
        floor=np.zeros(3),
        x=np.array([0.0, 10.0, 20.0]),
        y=np.zeros(3),
        area=np.full(3, 50.0),
        speaker=np.zeros(3, np.bool_),
        pa=np.zeros(3, np.bool_),
        toilet=np.ones(3, np.bool_),
        supplies=np.full(3, 100.0),
        hiding=np.zeros(3),
        holds=np.full(3, 33, i4),
        flesh=np.zeros(3, np.bool_),
        nearest_outside=np.full(3, -1, i4),
        makeshift_toilet=np.zeros(3, np.bool_),
        first_zombie_at=np.full(3, -1.0),
        pa_ready_at=np.zeros(3),
        announced_at=np.full(3, -1.0),
        supplies_goal=np.full(3, -1, np.int32),
    )
    hop = np.array([[-1, 1, 1], [0, -1, 2], [1, 1, -1]], i4)
    hop_e = np.array([[-1, 0, 0], [0, -1, 1], [1, 1, -1]], i4)
    passages = Passages(
        a=np.array([0, 1], i4),
        b=np.array([1, 2], i4),
        length=np.array([10.0, 10.0]),
        can_barricade=np.ones(2, np.bool_),
        zombies_pass=np.ones(2, np.bool_),
        one_way=np.zeros(2, np.bool_),
        hold=np.zeros(2),
        progress=np.zeros(2),
        barricaded_from=np.full(2, -1, i4),
        pushers=np.zeros(2, i4),
        passing_until=np.zeros(2),
        turned_away=np.zeros(2, i4),
        adj_start=np.array([0, 1, 3, 4], i4),
        adj_room=np.array([1, 0, 2, 1], i4),
        adj_passage=np.array([0, 0, 1, 1], i4),
        zombie_hop=hop,
        zombie_hop_passage=hop_e,
        people_hop=hop.copy(),
        people_hop_passage=hop_e.copy(),
        people_distance=np.array([[0.0, 10.0, 20.0], [10.0, 0.0, 10.0], [20.0, 10.0, 0.0]]),
    )
    compartment = np.arange(N_STATES, dtype=np.int64)  # one compartment per state
    by_state = np.bincount(agents.state, minlength=N_STATES).astype(np.int64)
    counts = Counts(by_state, compartment, np.zeros(N_STATES))
    draws = Draws(*(np.random.default_rng(k) for k in range(5)))
    return World(
        params(**changes),
        agents,
        rooms_,
        passages,
        new_sounds(8),
        new_census(n, 3, 1),
        counts,
        new_event_log(64, np.int8),
        draws,
    )


def census(w: World, t: float = 0.0, step_no: int = 1) -> None:
    take_census(t, step_no, w.p.floor_loss, w.agents, w.rooms, w.passages, w.sounds, w.census)


def kinds(w: World) -> list[int]:
    return w.log.kind[: w.log.n[0]].tolist()


# --- 1. census ------------------------------------------------------------------------------------


def test_census_counts_people_and_zombies_per_room() -> None:
    w = world([HUMAN, HUMAN, ZOMBIE, HYBRID, ESCAPED], [0, 0, 1, 2, 2])
    census(w)
    c = w.census
    assert c.people.tolist() == [2, 0, 1]  # hybrids are people; the escaped are not
    assert c.catchable.tolist() == [2, 0, 0]
    assert c.zombies.tolist() == [0, 1, 0]
    assert c.zombies_next_door.tolist() == [1, 0, 1]
    assert c.first_person[0] == 0
    assert c.next_person[0] == 1
    assert c.next_person[1] == -1
    assert c.leader[0] == 0  # the lowest index of the group
    assert c.zombie_list[: c.lists[0]].tolist() == [2]
    assert c.people_list[: c.lists[1]].tolist() == [0, 1, 3]


def test_census_counts_the_bitten_as_catchable_only_in_the_step_they_were_bitten() -> None:
    w = world([BITTEN, BITTEN], [0, 0])
    w.agents.bitten_step[:] = [7, 3]
    census(w, step_no=7)
    assert w.census.catchable[0] == 1


def test_census_hears_the_loudest_sound_within_reach() -> None:
    w = world([HUMAN], [0])
    add_sound(w.sounds, 2, 15.0, 100.0)  # reaches 15 m: room 1 (10 m) and room 2, not room 0
    census(w, t=10.0)
    assert w.census.loudest_sound.tolist() == [-1, 2, 2]
    census(w, t=100.0)  # over
    assert w.census.loudest_sound.tolist() == [-1, -1, -1]


# --- 2. turning -----------------------------------------------------------------------------------


def turn(w: World, tn: float) -> None:
    turn_the_bitten(tn, w.p, w.agents, w.census, w.counts.by_state, w.log, w.draws.bites)


def test_the_bitten_turn_when_their_time_comes() -> None:
    w = world([BITTEN, BITTEN], [0, 0], p_hybrid=0.0)
    w.agents.turns_at[:] = [5.0, 50.0]
    census(w)
    turn(w, 5.0)
    assert w.agents.state.tolist() == [ZOMBIE, BITTEN]
    assert w.counts.by_state[ZOMBIE] == 1
    assert w.counts.by_state[BITTEN] == 1
    assert w.agents.busy_until[0] == 7.0  # busy for 2 s after turning
    assert w.census.lists[2] == 1  # the lists are rebuilt at the next census
    assert kinds(w) == [EV_TURN]


def test_the_bitten_who_keep_their_minds_become_hybrids_after_the_delay() -> None:
    w = world([BITTEN], [0], p_hybrid=1.0, hybrid_delay=3600.0)
    w.agents.turns_at[0] = 5.0
    w.agents.bitten_at[0] = 0.0
    census(w)
    turn(w, 5.0)
    assert w.agents.state[0] == BITTEN
    assert w.agents.becomes_hybrid[0] == 1
    assert w.agents.turns_at[0] == 3600.0
    turn(w, 3600.0)
    assert w.agents.state[0] == HYBRID
    assert kinds(w) == [EV_HYBRID]


# --- 3. hybrids -----------------------------------------------------------------------------------


def feed(w: World, tn: float, h: float = DT) -> None:
    feed_hybrids(tn, h, 1, w.p, w.agents, w.rooms, w.census, w.counts.by_state, w.log, w.draws)


def test_hunger_grows_and_flesh_eases_it() -> None:
    w = world([HYBRID, HYBRID], [0, 2], hunger_time=100.0, flesh_reset=0.01)
    w.rooms.flesh[2] = True
    census(w)
    feed(w, DT)
    assert w.agents.hunger.tolist() == [0.05, 0.01]


def test_a_hungry_hybrid_bites_the_first_human_in_the_room() -> None:
    w = world([HYBRID, HUMAN, HUMAN], [0, 0, 0], hunger_threshold=0.0, hybrid_attack_rate=1e9)
    w.agents.group[:] = [0, 1, 1]  # no friend near
    census(w)
    feed(w, DT)
    assert w.agents.state.tolist() == [HYBRID, BITTEN, HUMAN]
    assert w.agents.biter[1] == 0
    assert w.agents.bitten_by_hybrid[1] == 1
    assert w.census.catchable[0] == 1
    assert kinds(w) == [EV_BITE]


# --- 4. zombies choose ----------------------------------------------------------------------------


def choose(w: World, t: float = 0.0) -> None:
    zombies_choose(t, DT, w.p, w.agents, w.rooms, w.passages, w.census, w.draws)


def test_a_zombie_with_people_in_its_room_stays_on_them() -> None:
    w = world([ZOMBIE, HUMAN], [0, 0])
    census(w)
    choose(w, t=3.0)
    assert w.agents.passage[0] == -1
    assert (w.agents.lead_room[0], w.agents.lead_since[0]) == (0, 3.0)


def test_a_zombie_goes_for_noisy_people_next_door() -> None:
    w = world([ZOMBIE, HUMAN], [1, 2], shut_doors=0.0)  # the human is unaware: they talk
    census(w)
    choose(w)
    assert (w.agents.passage[0], w.agents.heading_to[0]) == (1, 2)
    assert w.agents.arrives_in[0] == pytest.approx(10.0 / w.p.zombie_speed)


@pytest.mark.parametrize(("rate", "goes"), [(1e9, True), (0.0, False)])
def test_behind_a_shut_door_a_class_is_heard_at_hear_class(rate: float, goes: bool) -> None:
    """A shut door hides the people behind it: a class that does not know yet is heard at
    `hear_class_rate` (certain at a huge rate, never at zero with nobody noticed quietly)."""
    w = world([ZOMBIE, HUMAN], [1, 2], hear_class_rate=rate, p_notice_quiet=0.0)
    census(w)
    choose(w)
    assert bool(w.agents.heading_to[0] == 2) == goes


def test_a_zombie_pushes_a_barricade_it_cannot_pass() -> None:
    w = world([ZOMBIE, HUMAN], [1, 2], hear_talk=20.0)  # the talking are heard through it
    w.passages.hold[1] = 100.0
    w.passages.barricaded_from[1] = 2
    census(w)
    choose(w)
    assert w.agents.passage[0] == -1
    assert w.passages.pushers.tolist() == [0, 1]


# --- 5. barricades --------------------------------------------------------------------------------


def barricade(w: World, h: float = DT, tn: float = DT) -> None:
    barricades(tn, h, w.p, w.agents, w.rooms, w.passages, w.census, w.log)


def test_a_pushed_barricade_loses_hold_and_breaks() -> None:
    w = world([HUMAN], [2], pushers=2.0)
    w.passages.hold[1] = 6.0
    w.passages.barricaded_from[1] = 2
    w.passages.pushers[1] = 1
    census(w)
    barricade(w)  # one pusher of the two that take 1 s of hold a second: 2.5 s
    assert w.passages.hold[1] == 3.5
    w.passages.pushers[1] = 2
    barricade(w)
    assert w.passages.hold[1] == 0.0
    assert kinds(w) == [EV_BROKEN]


def test_threatened_aware_people_barricade_their_door() -> None:
    w = world([HUMAN, ZOMBIE], [2, 1], build_time=10.0, hold_time=99.0)
    w.agents.aware[0] = 1
    census(w)
    barricade(w)  # one builder, 5 s of 10 s
    assert w.passages.progress[1] == 0.5
    assert w.passages.hold[1] == 0.0
    barricade(w)
    assert w.passages.hold[1] == 99.0
    assert w.passages.barricaded_from[1] == 2
    assert w.passages.hold[0] == 0.0  # room 0 has nobody to build
    assert kinds(w) == [EV_BARRICADE]


# --- 6. people choose -----------------------------------------------------------------------------


def decide(w: World, t: float = 0.0) -> None:
    people_choose(
        t, t + DT, DT, w.p, w.agents, w.rooms, w.passages, w.sounds, w.census, w.counts,
        w.log, w.draws,
    )  # fmt: skip


def test_with_awareness_spreading_nobody_learns_without_a_sign() -> None:
    # Nothing seen, heard, told or announced: the class stays where it is, unaware.
    w = world([HUMAN, HUMAN], [0, 0], awareness=1.0)
    for step in range(50):
        census(w, t=step * DT, step_no=step + 1)
        decide(w, t=step * DT)
    assert w.agents.aware.tolist() == [0, 0]
    assert w.agents.passage.tolist() == [-1, -1]


def test_the_pa_announcement_tells_the_whole_building() -> None:
    w = world([HUMAN, HUMAN, HUMAN], [1, 0, 2], awareness=1.0, pa_announce_rate=1e9)
    w.rooms.pa[1] = w.rooms.speaker[1] = True
    w.agents.aware[0] = 1
    census(w)
    decide(w)
    assert w.agents.aware.tolist() == [1, 1, 1]
    assert w.rooms.announced_at.tolist() == [-1.0, 0.0, -1.0]


def test_a_room_barricades_only_once_it_has_known_a_while() -> None:
    w = world([HUMAN, HUMAN, ZOMBIE], [0, 0, 1], awareness=1.0, barricade_after=360.0)
    w.agents.aware[:2] = 1
    w.agents.aware_at[:2] = 0.0  # they just learned
    census(w)
    barricade(w)
    assert w.passages.progress.tolist() == [0.0, 0.0]
    w.agents.aware_at[:2] = -360.0  # they have known for six minutes
    barricade(w)
    assert w.passages.progress[0] > 0.0


def test_zombies_next_door_make_people_aware() -> None:
    w = world([HUMAN, HUMAN, ZOMBIE], [0, 2, 1], panic=0.0)
    census(w)
    decide(w)
    assert w.agents.aware.tolist() == [1, 1, 0]


def test_people_flee_to_a_room_with_fewer_zombies() -> None:
    w = world([HUMAN, ZOMBIE, ZOMBIE], [1, 1, 1], fighting=0.0)
    w.agents.aware[0] = 1
    census(w)
    decide(w)
    assert w.agents.passage[0] in (0, 1)
    assert w.agents.arrives_in[0] == 10.0 / w.agents.traits[0, 0]  # at their own speed


def test_without_flight_people_are_cornered() -> None:
    w = world([HUMAN, ZOMBIE], [1, 1], fighting=0.0, flee=0.0)
    w.agents.aware[0] = 1
    census(w)
    decide(w)
    assert w.agents.passage[0] == -1
    assert w.agents.cornered[0] == 1


def test_the_selfish_refuse_to_open_their_barricade() -> None:
    w = world([HUMAN, HUMAN], [1, 2], selfishness=1.0, refuse_threshold=0.9, grouping=0.0)
    w.agents.aware[:] = 1
    w.agents.traits[1, SELFISH] = 0.95
    w.agents.goal[0] = 2
    w.passages.hold[1] = 50.0
    w.passages.barricaded_from[1] = 2
    census(w)
    decide(w)
    assert w.agents.passage[0] == -1
    assert w.agents.refused_by[0] == 2
    assert w.agents.refused[0].tolist() == [0, 0, 2]  # 1 + who refused
    assert w.passages.hold[1] == 50.0
    assert w.passages.turned_away[1] == 1


def refusing_room(asking: int, **changes: float) -> World:
    """`asking` people in the corridor (room 1), the first making for room 2, whose one
    person barricaded it and refuses everyone."""
    w = world(
        [HUMAN] * (asking + 1),
        [1] * asking + [2],
        selfishness=1.0,
        refuse_threshold=0.9,
        grouping=0.0,
        **changes,
    )
    w.agents.aware[0] = 1  # the one who asks; the rest of the crowd is only there
    w.agents.aware[asking] = 1
    w.agents.traits[asking, SELFISH] = 0.95
    w.agents.goal[0] = 2
    w.passages.hold[1] = 50.0
    w.passages.barricaded_from[1] = 2
    return w


def test_a_crowd_forces_a_door_it_is_refused() -> None:
    # Seven people held the entrance hall for twelve hours against 587 making for the main
    # gate, turned away in waves of some twenty: a crowd three times those inside forces it.
    w = refusing_room(3, crowd_forces=3.0)
    census(w)
    decide(w)
    assert (w.agents.passage[0], w.passages.hold[1]) == (1, 0.0)
    assert kinds(w) == [EV_FORCED]
    # Whoever asked, who refused, and the crowd: the three in the corridor.
    assert (w.log.actor[0], w.log.target[0], w.log.detail[0]) == (0, 3, 3)


def test_a_smaller_crowd_is_refused() -> None:
    w = refusing_room(2, crowd_forces=3.0)
    census(w)
    decide(w)
    assert w.agents.passage[0] == -1
    assert w.passages.hold[1] == 50.0
    assert kinds(w) == [EV_ABANDON]


def test_those_turned_away_before_count_in_the_crowd() -> None:
    # Two turned away already, one asking now: three against the one inside.
    w = refusing_room(1, crowd_forces=3.0)
    w.passages.turned_away[1] = 2
    census(w)
    decide(w)
    assert (w.agents.passage[0], w.passages.hold[1]) == (1, 0.0)
    assert kinds(w) == [EV_FORCED]


def test_someone_refused_before_is_let_through_by_a_crowd() -> None:
    # Refused once, they do not ask again while anyone is inside; unless the crowd forces it.
    w = refusing_room(3, crowd_forces=3.0)
    w.agents.refused_by[0] = 2
    census(w)
    decide(w)
    assert (w.agents.passage[0], w.agents.refused_by[0]) == (1, -1)
    assert kinds(w) == [EV_FORCED]


def test_no_crowd_forces_a_door_with_crowd_forces_zero() -> None:
    w = refusing_room(5, crowd_forces=0.0)
    census(w)
    decide(w)
    assert w.agents.passage[0] == -1
    assert kinds(w) == [EV_ABANDON]


def test_a_new_barricade_has_turned_nobody_away() -> None:
    w = world([HUMAN, ZOMBIE], [2, 1], build_time=1.0, hold_time=99.0, grouping=0.0)
    w.agents.aware[:] = 1
    w.passages.turned_away[1] = 7
    census(w)
    barricade(w, tn=DT)
    assert w.passages.hold[1] == 99.0
    assert w.passages.turned_away[1] == 0


def test_someone_refused_by_two_rooms_is_refused_once_by_each() -> None:
    # In the corridor between two barricaded rooms whose most selfish refuse: refused by one,
    # they try the other, then the first again, every step (7,697 `abandon` events in one
    # default run). Each refuser decides once: two events, and both barricades stand.
    w = world([HUMAN, HUMAN, HUMAN], [1, 0, 2], selfishness=1.0, refuse_threshold=0.9)
    w.agents.aware[:] = 1
    w.agents.traits[1:, SELFISH] = 0.95
    w.passages.hold[:] = 50.0
    w.passages.barricaded_from[:] = [0, 2]
    for step in range(20):
        census(w, t=step * DT, step_no=step + 1)
        decide(w, t=step * DT)
    assert kinds(w).count(EV_ABANDON) == 2
    assert w.agents.refused[0].tolist() == [2, 0, 3]  # 1 + who refused
    assert w.passages.hold.tolist() == [50.0, 50.0]


def test_nobody_barricades_a_doorway_someone_was_let_through() -> None:
    # Let in through a barricade, someone takes a few steps to cross; a barricade raised behind
    # the opener meanwhile sent them back to ask again, step after step (569 openings and 605
    # barricades in one default run, at the gym's door). The room rebuilds once they are in.
    w = world([HUMAN, HUMAN, ZOMBIE], [1, 2, 1], build_time=1.0, hold_time=99.0, grouping=0.0)
    w.agents.aware[:] = 1
    w.agents.goal[0] = 2
    w.passages.hold[1] = 50.0
    w.passages.barricaded_from[1] = 2
    census(w)
    decide(w)
    assert (w.agents.passage[0], w.passages.hold[1]) == (1, 0.0)
    assert kinds(w) == [EV_OPENED]
    move(w)  # a step's order: barricades, people choose, they move
    for step in range(1, 40):
        census(w, t=step * DT, step_no=step + 1)
        barricade(w, tn=(step + 1) * DT)
        if w.agents.passage[0] == 1:
            assert w.passages.hold[1] == 0.0, step  # they are still in the doorway
        move(w)
        if w.agents.room[0] == 2 and w.passages.hold[1] > 0.0:
            break
    assert w.agents.room[0] == 2  # across, not sent back
    assert w.passages.hold[1] == 99.0  # and the barricade is up again behind them
    assert kinds(w).count(EV_OPENED) == 1


def test_a_barricade_whose_refusers_have_gone_opens() -> None:
    # Refused at room 2's door once, and the room has emptied since: nobody is left to ask, so
    # the barricade is taken down. Remembering the refusal sent them back at the door for good.
    w = world([HUMAN], [1], grouping=0.0)
    w.agents.aware[0] = 1
    w.agents.goal[0] = 2
    w.agents.refused_by[0] = 2
    w.passages.hold[1] = 50.0
    w.passages.barricaded_from[1] = 2
    census(w)
    decide(w)
    assert (w.agents.passage[0], w.passages.hold[1]) == (1, 0.0)


def test_someone_on_their_way_does_not_duck_back_into_cover() -> None:
    # Room 1 is held and threatened (a scream there); room 0 beside it is a better hiding place.
    # Someone who stays ducks into room 0; someone on their way to room 2 goes on. Ducking
    # back sent a group between a bathroom and its stalls every step for two hours.
    for goal, passage in ((-1, 0), (2, 1)):
        w = world([HUMAN], [1], cover=0.5, grouping=0.0)
        w.rooms.kind[1] = ROOM_HOLD
        w.rooms.hiding[0] = 0.9
        w.agents.aware[0] = 1
        w.agents.goal[0] = goal
        add_sound(w.sounds, 1, 30.0, 60.0)
        census(w)
        decide(w)
        assert w.agents.passage[0] == passage, goal


def test_a_group_does_not_set_off_past_a_room_that_refused_its_leader() -> None:
    # Room 0 has run out; rooms 1 and 2 have supplies, and the way to 2 is through 1. Room 1
    # refused the leader and is still held: the group stays (it would be refused at room 1's
    # door, come back and set off again, step after step). Without the refusal it goes to 1.
    for refused, goal in ((1, -1), (-1, 1)):
        w = world([HUMAN, HUMAN], [0, 1], night_moves=0.0, exits=0.0, grouping=0.0)
        w.rooms.kind[1] = ROOM_HOLD
        w.rooms.supplies[0] = 0.0
        w.agents.aware[:] = 1
        w.agents.supplies_need[0] = 2.0
        w.agents.refused_by[0] = refused
        census(w)
        decide(w)
        assert w.census.room_goal[0] == goal, refused


def test_the_resourceful_rig_a_makeshift_toilet() -> None:
    w = world([HUMAN], [0], toilet_tolerance=DT, makeshift_toilet=0.8)
    w.rooms.toilet[0] = False
    w.agents.traits[0, RESOURCE] = 0.9
    census(w)
    decide(w)
    assert w.rooms.makeshift_toilet[0]
    assert w.agents.toilet_need[0] == 0.0


# --- 7. movement ----------------------------------------------------------------------------------


def move(w: World, h: float = DT) -> bool:
    return bool(
        move_along(DT, h, w.agents, w.rooms, w.passages, w.census, w.counts.by_state, w.log)
    )


def test_people_arrive_at_the_end_of_their_passage() -> None:
    w = world([HUMAN], [0])
    w.agents.passage[0], w.agents.heading_to[0], w.agents.arrives_in[0] = 0, 1, 7.0
    census(w)
    move(w)
    assert (w.agents.room[0], w.agents.passage[0]) == (0, 0)  # 2 s to go
    move(w)
    assert (w.agents.room[0], w.agents.passage[0], w.agents.last_passage[0]) == (1, -1, 0)


def test_a_barricade_raised_on_the_way_turns_people_back() -> None:
    w = world([HUMAN], [0])
    w.agents.passage[0], w.agents.heading_to[0], w.agents.arrives_in[0] = 0, 1, 1.0
    w.passages.hold[0] = 10.0
    census(w)
    move(w)
    assert (w.agents.room[0], w.agents.passage[0]) == (0, -1)


def test_reaching_an_exit_is_an_escape() -> None:
    w = world([HUMAN], [1])
    w.rooms.kind[2] = ROOM_EXIT
    w.agents.passage[0], w.agents.heading_to[0], w.agents.arrives_in[0] = 1, 2, 1.0
    census(w)
    move(w)
    assert w.agents.state[0] == ESCAPED
    assert w.counts.by_state[ESCAPED] == 1
    assert kinds(w) == [EV_ESCAPE]


def test_a_zombie_arriving_among_people_is_noted() -> None:
    w = world([ZOMBIE, HUMAN], [1, 2])
    w.agents.passage[0], w.agents.heading_to[0], w.agents.arrives_in[0] = 1, 2, 1.0
    census(w)
    assert move(w)
    assert w.census.zombies_carried.tolist() == [0, 0, 1]
    assert w.rooms.first_zombie_at[2] == DT


# --- 8. encounters --------------------------------------------------------------------------------


def meet(w: World, t: float = 0.0) -> None:
    encounters(
        t, t + DT, DT, 1, False, w.p, w.agents, w.rooms, w.sounds, w.census, w.counts, w.log,
        w.draws,
    )  # fmt: skip


def test_a_zombie_that_catches_someone_bites_them() -> None:
    w = world([ZOMBIE, HUMAN], [0, 0], catch_speed=1e9, fighting=0.0, p_mauled=0.0)
    census(w)
    meet(w)
    assert w.agents.state[1] == BITTEN
    assert w.agents.biter[1] == 0
    assert np.isfinite(w.agents.turns_at[1])
    assert w.agents.busy_until[0] == DT + w.p.bite_time
    assert w.sounds.room.max() == 0  # the scream is heard
    assert kinds(w) == [EV_BITE]


def test_nobody_is_caught_without_a_zombie_in_the_room() -> None:
    w = world([ZOMBIE, HUMAN], [1, 0], catch_speed=1e9)
    census(w)
    meet(w)
    assert w.agents.state.tolist() == [ZOMBIE, HUMAN]
    assert kinds(w) == []


def test_a_brave_fighter_can_destroy_the_zombie() -> None:
    w = world(
        [ZOMBIE, HUMAN],
        [0, 0],
        catch_speed=1e9,
        kill_unarmed=1.0,
        kill_armed=1.0,
        fight_courage=0.5,
    )
    w.agents.traits[1, COURAGE] = 0.9
    census(w)
    meet(w)
    assert w.agents.state.tolist() == [DESTROYED, HUMAN]
    assert w.census.zombies[0] == 0
    assert w.census.lists[3] == 1


# --- 9. records -----------------------------------------------------------------------------------


def watched(levels: list[float], below: list[bool], stop: list[bool]) -> Watched:
    weights = np.zeros((len(levels), N_STATES))
    weights[:, HUMAN] = 1.0
    zombie = np.zeros(N_STATES)
    zombie[ZOMBIE] = 1.0
    return Watched(
        weights,
        np.array(levels),
        np.array(below, np.bool_),
        np.array(stop, np.bool_),
        np.full(len(levels), np.nan),
        zombie,
        np.zeros(2),
    )


def test_the_watch_keeps_the_zombie_peak_and_stops_at_a_stopping_level() -> None:
    w = world([ZOMBIE, ZOMBIE, HUMAN], [0, 0, 0])
    wt = watched([0.5, 0.5], [True, True], [False, True])
    assert not watch_levels(10.0, w.counts, wt)
    assert wt.peak.tolist() == [2.0, 10.0]
    assert np.isnan(wt.times).all()
    w.counts.by_state[HUMAN] = 0
    w.counts.by_state[ZOMBIE] = 1
    assert watch_levels(20.0, w.counts, wt)
    assert wt.times.tolist() == [20.0, 20.0]
    assert wt.peak.tolist() == [2.0, 10.0]


def test_counts_are_recorded_at_output_times_the_end_only_by_the_last_piece() -> None:
    w = world([ZOMBIE, HUMAN], [0, 2])
    times = np.array([0.0, 10.0, 20.0])
    rec = Records(
        times,
        np.full((3, N_STATES), np.nan),
        times[[0, 2]],
        np.zeros((2, 3, N_STATES)),
        np.zeros(2, np.int64),
        np.zeros(0, np.int64),  # no event tally: a building's reactions come from its log
        np.zeros((3, 0)),
    )
    record(10.0, 20.0, False, w.agents, w.counts, rec)
    assert rec.cursor.tolist() == [2, 1]
    assert rec.values[1, ZOMBIE] == 1.0
    assert rec.values[1, HUMAN] == 1.0
    assert rec.snaps[0, 2, HUMAN] == 1.0  # room 2 holds the human
    record(20.0, 20.0, False, w.agents, w.counts, rec)
    assert rec.cursor[0] == 2  # the end belongs to the next piece
    record(20.0, 20.0, True, w.agents, w.counts, rec)
    assert rec.cursor.tolist() == [3, 2]

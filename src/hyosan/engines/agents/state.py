"""What a building run's compiled step reads and writes, as NamedTuples of arrays.

Numba takes a NamedTuple of arrays as one argument and reads its fields by name, so the phases
(phases/) say `agents.turns_at[i]` where the kernel once took 118 loose arrays in an order two
lists had to agree on. Index i is a person, r (and q) a room, e a passage, g a group.

- `Agents`: each person's state, place, traits and what they are doing;
- `Rooms`: the floor plan's rooms and what changes in them (supplies, a makeshift toilet);
- `Passages`: doors and corridors between rooms, their barricades, and the routes along them;
- `Sounds`: the sounds zombies can hear (screams, fights, the PA, lures);
- `Census`: what the census of each step finds per room, and the lists it carries over;
- `Counts`: people per agent state and per compartment;
- `Draws`: the random streams, one per kind of decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from hyosan.engines.agents.building import FloorPlan
    from hyosan.engines.agents.people import Population

__all__ = [
    "SOUND_SLOTS",
    "Agents",
    "Census",
    "Counts",
    "Draws",
    "Passages",
    "Rooms",
    "Sounds",
    "new_agents",
    "new_census",
    "new_counts",
    "new_sounds",
    "passages_of",
    "rooms_of",
]

#: Simultaneous sounds the zombies can hear (older ones are replaced first).
SOUND_SLOTS = 96


class Agents(NamedTuple):
    """Every person, one row each (index i is the same person throughout a run)."""

    state: np.ndarray  # int8: HUMAN, BITTEN, ZOMBIE, ... (params.py)
    room: np.ndarray  # int32: where they are (the room they left, while on a passage)
    heading_to: np.ndarray  # int32: the room at the end of the passage they are on, or -1
    passage: np.ndarray  # int32: the passage they are on, or -1
    arrives_in: np.ndarray  # seconds left to the end of the passage
    traits: np.ndarray  # (people, traits): SPEED, STRENGTH, ... (params.py)
    group: np.ndarray  # int32: their group of friends
    named: np.ndarray  # int32: their index among the named characters, or -1
    turns_at: np.ndarray  # when the bitten turn (inf if not bitten)
    bitten_at: np.ndarray  # when they were bitten (-1 if bitten before the start, inf if not)
    becomes_hybrid: np.ndarray  # int8: 1 if the bitten will keep their mind
    bitten_by_hybrid: np.ndarray  # int8
    bites: np.ndarray  # int32: bites taken in the attack that bit them
    bitten_step: np.ndarray  # int64: the step they were bitten in (bitten again in it only)
    hunger: np.ndarray  # a hybrid's hunger, 0 to 1
    supplies_need: np.ndarray  # need of water and food; 1 moves them for it
    toilet_need: np.ndarray  # need of a toilet; 1 moves them for one
    aware: np.ndarray  # int8: 1 once they know of the outbreak
    aware_at: np.ndarray  # when they learned of it (-inf: before the start; inf: not yet)
    busy_until: np.ndarray  # they do nothing else until then (an attack, a rescue, turning)
    lead_room: np.ndarray  # int32: a zombie's last lead (a room with people), or -1
    lead_since: np.ndarray  # when it got that lead
    zombie_strength: np.ndarray  # as a zombie
    zombie_aggression: np.ndarray  # as a zombie: how fast it catches people
    goal: np.ndarray  # int32: the room they make for, or -1
    cornered: np.ndarray  # int8: 1 when they found no way to flee this step
    sacrificing: np.ndarray  # int8: 1 for a bitten altruist leading the horde away
    # int8: 1 once they stayed behind when their room's group left for an exit (exits.split):
    # they no longer join their group's leader until they are in one room again.
    parted: np.ndarray
    refused_by: np.ndarray  # int32: the room that last refused to let them in, or -1
    # int32 (people, rooms): 1 + who in that room last refused them, 0 if nobody. Someone
    # between two refusing rooms asks each in turn, step after step; the refuser's answer is
    # one decision, logged once (it was an `abandon` event every step: 7,697 in one run).
    refused: np.ndarray
    biter: np.ndarray  # int32: who bit them, or -1
    last_passage: np.ndarray  # int32: the passage they last crossed, or -1


class Rooms(NamedTuple):
    """The rooms of the floor plan (fixed), and what changes in them during a run."""

    kind: np.ndarray  # int8: ROOM_HOLD, ROOM_TRANSIT or ROOM_EXIT
    floor: np.ndarray
    x: np.ndarray
    y: np.ndarray
    area: np.ndarray  # m2: zombies catch people faster in small rooms
    speaker: np.ndarray  # bool: a PA speaker
    pa: np.ndarray  # bool: the PA can be worked from here
    toilet: np.ndarray  # bool
    supplies: np.ndarray  # person-hours of water and food left
    hiding: np.ndarray  # the chance an aware person goes unnoticed
    holds: np.ndarray  # int32: how many people fit (a room's capacity)
    flesh: np.ndarray  # bool: animal flesh, which eases a hybrid's hunger
    nearest_outside: np.ndarray  # int32: where the panicked run, or -1
    makeshift_toilet: np.ndarray  # bool: rigged during the run
    first_zombie_at: np.ndarray  # when the first zombie came in, -1 until then
    pa_ready_at: np.ndarray  # when the room's next lure (the PA, a phone) can be made
    announced_at: np.ndarray  # when the outbreak was announced from this PA console, -1: not
    supplies_goal: np.ndarray  # int32: where the room last decided to go for supplies, -1


class Passages(NamedTuple):
    """Doors and corridors between rooms (e), their barricades, and the routes along them.

    `adj_start[r]:adj_start[r + 1]` are room r's neighbours in `adj_room` and `adj_passage`.
    The next-hop tables give, from room r towards room s, the next room and the passage to it
    (-1: no way); zombies use the passages they can pass, people all of them.
    """

    a: np.ndarray  # int32: the room at one end
    b: np.ndarray  # int32: the room at the other end (a one-way passage runs from a to b)
    length: np.ndarray  # metres
    can_barricade: np.ndarray  # bool
    zombies_pass: np.ndarray  # bool
    one_way: np.ndarray  # bool
    hold: np.ndarray  # seconds a standing barricade still holds against one pusher; 0: none
    progress: np.ndarray  # of the barricade being built, 0 to 1
    barricaded_from: np.ndarray  # int32: the room whose people built it, or -1
    pushers: np.ndarray  # int32: zombies pushing it this step
    passing_until: np.ndarray  # when the last person let through its barricade is across
    turned_away: np.ndarray  # int32: people its builders refused since it went up
    adj_start: np.ndarray  # int32 (rooms + 1)
    adj_room: np.ndarray  # int32
    adj_passage: np.ndarray  # int32
    zombie_hop: np.ndarray  # int32 (rooms, rooms)
    zombie_hop_passage: np.ndarray  # int32 (rooms, rooms)
    people_hop: np.ndarray  # int32 (rooms, rooms)
    people_hop_passage: np.ndarray  # int32 (rooms, rooms)
    people_distance: np.ndarray  # metres along the people's routes, -1 if none


class Sounds(NamedTuple):
    """Sounds zombies hear, in a fixed number of slots (the one ending first is replaced)."""

    room: np.ndarray  # int32: where, or -1 (an empty slot)
    radius: np.ndarray  # metres it carries
    ends: np.ndarray  # when it ends


class Census(NamedTuple):
    """What the census finds at the start of each step, and the lists it carries over.

    The phases after it read these (and keep the counts true as people are bitten and zombies
    destroyed). The lists of zombies and people, and the zombies per room, are carried from
    step to step: code that changes agents' states or rooms between calls of the kernel must
    set `lists[2] = 1`, which rebuilds them at the next census.
    """

    zombies: np.ndarray  # int32 per room
    catchable: np.ndarray  # int32 per room: humans, and the bitten of this step (bitten again)
    people: np.ndarray  # int32 per room: humans, bitten and hybrids
    unaware: np.ndarray  # int32 per room: people who do not know yet, and talk
    zombies_next_door: np.ndarray  # int32 per room
    most_selfish: np.ndarray  # per room: the highest selfishness (hybrids aside), -1 if none
    most_selfish_who: np.ndarray  # int32 per room: who has it (the lowest index), -1
    most_resourceful: np.ndarray  # per room, as most_selfish
    most_resourceful_who: np.ndarray  # int32 per room
    lowest_zombie: np.ndarray  # int32 per room: found when an archer aims, -1 until then
    first_person: np.ndarray  # int32 per room: the lowest index of its people, -1 if none
    next_person: np.ndarray  # int32 per person: the next of the room's people, -1 at the end
    leader: np.ndarray  # int32 per group: the lowest index of its people, -1 if none
    room_goal: np.ndarray  # int32 per room: where its people were sent this step, -1
    loudest_sound: np.ndarray  # int32 per room: the room of the loudest sound heard, -1
    people_next_door: np.ndarray  # bool per room: catchable people through a passable door
    quiet: np.ndarray  # bool per room: nobody here or next door, no sound
    zombie_list: np.ndarray  # uint32: the zombies, in rising index order (unsigned: no checks)
    people_list: np.ndarray  # uint32: the people, in rising index order
    lists: np.ndarray  # int64[4]: zombies listed, people listed, rebuild both, filter zombies
    zombies_carried: np.ndarray  # int32 per room: zombies per room, kept from step to step
    surprise: np.ndarray  # bool per room: someone turned this step among people who did not know
    arriving: np.ndarray  # int32 per room: people who set off this step to walk in (see full)


class Counts(NamedTuple):
    """People per agent state, and the model's compartments they are counted in."""

    by_state: np.ndarray  # int64 per agent state
    compartment: np.ndarray  # int64 per agent state: its compartment
    totals: np.ndarray  # float per compartment, worked out from by_state when needed


class Draws(NamedTuple):
    """The run's random streams: each kind of decision draws from its own."""

    movement: np.random.Generator
    encounters: np.random.Generator
    bites: np.random.Generator
    behaviour: np.random.Generator
    awareness: np.random.Generator  # who learns of the outbreak, and when


def new_agents(
    people: Population, n_named: int, n_rooms: int, carried_s: float, tolerance_s: float
) -> Agents:
    """The people of a run as they start: `carried_s` seconds of supplies on them."""
    n = people.n
    bitten = np.isfinite(people.t_turn)
    return Agents(
        state=people.state.copy(),
        room=people.room.copy(),
        heading_to=np.full(n, -1, np.int32),
        passage=np.full(n, -1, np.int32),
        arrives_in=np.zeros(n),
        traits=people.traits.copy(),
        group=people.group.copy(),
        named=np.where(np.arange(n) < n_named, np.arange(n), -1).astype(np.int32),
        turns_at=people.t_turn.copy(),
        bitten_at=np.where(bitten, -1.0, np.inf),
        becomes_hybrid=people.hybrid.copy(),
        bitten_by_hybrid=np.zeros(n, np.int8),
        bites=np.where(bitten, 1, 0).astype(np.int32),
        bitten_step=np.full(n, -1, np.int64),
        hunger=np.zeros(n),
        supplies_need=np.full(n, -carried_s / tolerance_s),
        toilet_need=np.zeros(n),
        aware=people.aware.copy(),
        aware_at=np.where(people.aware != 0, -np.inf, np.inf),
        busy_until=np.zeros(n),
        lead_room=np.full(n, -1, np.int32),
        lead_since=np.zeros(n),
        zombie_strength=np.zeros(n),
        zombie_aggression=np.ones(n),
        goal=np.full(n, -1, np.int32),
        cornered=np.zeros(n, np.int8),
        sacrificing=np.zeros(n, np.int8),
        parted=np.zeros(n, np.int8),
        refused_by=np.full(n, -1, np.int32),
        refused=np.zeros((n, n_rooms), np.int32),
        biter=np.full(n, -1, np.int32),
        last_passage=np.full(n, -1, np.int32),
    )


def rooms_of(plan: FloorPlan) -> Rooms:
    """The rooms of a floor plan, as a run starts (supplies are copied: they are used up)."""
    n_rooms = plan.n_rooms
    return Rooms(
        kind=plan.rkind,
        floor=plan.floor,
        x=plan.x,
        y=plan.y,
        area=plan.area,
        speaker=plan.speaker,
        pa=plan.pa,
        toilet=plan.toilet,
        supplies=plan.supplies.copy(),
        hiding=plan.hiding,
        holds=plan.holds,
        flesh=plan.flesh,
        nearest_outside=plan.nearest_outside,
        makeshift_toilet=np.zeros(n_rooms, np.bool_),
        first_zombie_at=np.full(n_rooms, -1.0),
        pa_ready_at=np.zeros(n_rooms),
        announced_at=np.full(n_rooms, -1.0),
        supplies_goal=np.full(n_rooms, -1, np.int32),
    )


def passages_of(plan: FloorPlan) -> Passages:
    """The passages of a floor plan, none barricaded."""
    n_edges = len(plan.ea)
    return Passages(
        a=plan.ea,
        b=plan.eb,
        length=plan.elen,
        can_barricade=plan.ebarr,
        zombies_pass=plan.ezpass,
        one_way=plan.eoneway,
        hold=np.zeros(n_edges),
        progress=np.zeros(n_edges),
        barricaded_from=np.full(n_edges, -1, np.int32),
        pushers=np.zeros(n_edges, np.int32),
        passing_until=np.zeros(n_edges),
        turned_away=np.zeros(n_edges, np.int32),
        adj_start=plan.adj_ptr,
        adj_room=plan.adj_room,
        adj_passage=plan.adj_edge,
        zombie_hop=plan.zhop,
        zombie_hop_passage=plan.zhop_e,
        people_hop=plan.hhop,
        people_hop_passage=plan.hhop_e,
        people_distance=plan.hdist,
    )


def new_sounds(slots: int = SOUND_SLOTS) -> Sounds:
    """No sound yet."""
    return Sounds(np.full(slots, -1, np.int32), np.zeros(slots), np.full(slots, -np.inf))


def new_census(n: int, n_rooms: int, n_groups: int) -> Census:
    """Room for the census of n people in n_rooms rooms; the first census builds the lists."""
    i4 = np.int32
    return Census(
        zombies=np.zeros(n_rooms, i4),
        catchable=np.zeros(n_rooms, i4),
        people=np.zeros(n_rooms, i4),
        unaware=np.zeros(n_rooms, i4),
        zombies_next_door=np.zeros(n_rooms, i4),
        most_selfish=np.zeros(n_rooms),
        most_selfish_who=np.zeros(n_rooms, i4),
        most_resourceful=np.zeros(n_rooms),
        most_resourceful_who=np.zeros(n_rooms, i4),
        lowest_zombie=np.zeros(n_rooms, i4),
        first_person=np.zeros(n_rooms, i4),
        next_person=np.zeros(n, i4),
        leader=np.zeros(n_groups, i4),
        room_goal=np.zeros(n_rooms, i4),
        loudest_sound=np.zeros(n_rooms, i4),
        people_next_door=np.zeros(n_rooms, np.bool_),
        quiet=np.zeros(n_rooms, np.bool_),
        # Unsigned, so that the kernel indexes with them without checks for negative indices
        # (11 % of a default run when they were signed).
        zombie_list=np.zeros(n, np.uint32),
        people_list=np.zeros(n, np.uint32),
        lists=np.array([0, 0, 1, 0], np.int64),
        zombies_carried=np.zeros(n_rooms, i4),
        surprise=np.zeros(n_rooms, np.bool_),
        arriving=np.zeros(n_rooms, i4),
    )


def new_counts(state: np.ndarray, compartment: np.ndarray, n_compartments: int) -> Counts:
    """The counts of agents in `state`, with `compartment` mapping states to compartments."""
    from hyosan.engines.agents.params import N_STATES

    by_state = np.bincount(state, minlength=N_STATES).astype(np.int64)
    totals = np.zeros(n_compartments)
    np.add.at(totals, compartment, by_state)
    return Counts(by_state, compartment, totals)

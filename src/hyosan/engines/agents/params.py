"""Codes and parameters shared by the agents engine's Python side and its Numba kernels.

The codes (agent states, traits, room kinds, event kinds, bite sites) are module-level integers,
which Numba compiles as constants. The scenario's numbers reach the kernels as one `Params`
NamedTuple of floats, read by name (`p.zombie_speed`): adding a rule's parameter means one field
here and one keyword in `Params.of`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

# --- agent states ---------------------------------------------------------------------------------
HUMAN, BITTEN, ZOMBIE, HYBRID, DEAD, DESTROYED, ESCAPED = range(7)
#: The vocabulary state of each agent state, in code order.
STATE_VOCAB: tuple[str, ...] = (
    "human",
    "bitten",
    "zombie",
    "hybrid",
    "removed",
    "removed",
    "safe",
)
N_STATES = 7

# --- traits (columns of the trait matrix, as scenario.agents.TRAITS) ------------------------------
SPEED, STRENGTH, COURAGE, ALTRUISM, SELFISH, RESOURCE, WEAPON, DRIVE = range(8)

# --- room kinds the kernels care about ------------------------------------------------------------
ROOM_HOLD, ROOM_TRANSIT, ROOM_EXIT = 0, 1, 2

# --- event kinds ----------------------------------------------------------------------------------
EVENT_KINDS: tuple[str, ...] = (
    "bite",
    "turn",
    "hybrid",
    "kill",
    "death",
    "barricade",
    "barricade_broken",
    "barricade_opened",
    "rescue",
    "sacrifice",
    "abandon",
    "escape",
    "lure",
    "toilet",
    "move",
    "supplies",
    "fate",
    "split",
    "push",
    "barricade_forced",
)
(
    EV_BITE,
    EV_TURN,
    EV_HYBRID,
    EV_KILL,
    EV_DEATH,
    EV_BARRICADE,
    EV_BROKEN,
    EV_OPENED,
    EV_RESCUE,
    EV_SACRIFICE,
    EV_ABANDON,
    EV_ESCAPE,
    EV_LURE,
    EV_TOILET,
    EV_MOVE,
    EV_SUPPLIES,
    EV_FATE,
    EV_SPLIT,
    EV_PUSH,
    EV_FORCED,
) = range(len(EVENT_KINDS))

# --- bite sites (aux of a bite event) -------------------------------------------------------------
SITE_LIMB, SITE_TORSO, SITE_NECK = 0, 1, 2

# --- the aux of a lure event: what made the noise ------------------------------------------------
LURE_PA, LURE_PHONE = 0, 1

# --- the aux of a kill or a death caused from outside the step: an air strike ------------------
#: A kill (of a zombie) or death (of a person) with this aux was an air strike's (actions.py),
#: not someone's in the room: the fate and the sentence say the strike did it.
BY_STRIKE = 2
#: An escape with this aux was an evacuation's (actions.py): the troops took them out.
BY_TROOPS = 3

# --- parameters -----------------------------------------------------------------------------------


class Params(NamedTuple):
    """The scenario's rule parameters, in seconds, metres and m/s; switches are 1.0 or 0.0.

    Every field is a float (Numba passes a tuple of one type by value, as a small array).
    """

    step_s: float  # the step, dt (a step ends early at an output time)
    # virus (scenario `[virus]`)
    turn_log_median: float  # log of the median time from bite to turning
    turn_sigma: float  # its log-normal spread
    p_neck: float  # a bite in the neck
    p_torso: float  # a bite in the body (else a limb)
    neck_factor: float  # the delay to turning after a neck bite, times this
    torso_factor: float
    many_bites: float  # this many bites in one attack ...
    many_bites_factor: float  # ... shorten what is left of the delay by this
    p_mauled: float  # an attack kills outright
    p_hybrid: float  # the bitten keep their minds
    hybrid_factor: float  # p_hybrid times this after many bites or with a strong drive
    drive_for_hybrid: float  # the drive that counts as strong
    p_hybrid_from_hybrid: float  # a hybrid's victim keeps their mind
    hybrid_delay: float  # from the bite to becoming a hybrid, at least
    # zombies (`[zombies]`)
    zombie_speed: float
    zombie_strength: float  # a zombie's strength: its host's times this
    hear_talk: float  # how far the unaware are heard talking through a barricade
    hear_loud: float  # how far a scream or a fight carries
    pa_radius: float  # how far the PA carries
    p_notice_quiet: float  # quiet people next door are noticed anyway
    attention: float  # how long a zombie follows a lead
    sound_duration: float
    wander_rate: float
    hear_class_rate: float  # a class that does not know yet heard through a shut door
    dark_sight: float  # noticing the quiet, in the dark, times this
    shut_factor: float  # noticing the quiet behind a shut door (not a barricade), times this
    interest: float  # how long after its last lead a zombie still notices the quiet
    catch_speed: float  # how fast a zombie catches someone, per m/s and 1/sqrt(area)
    bite_time: float  # a zombie is busy this long after an attack
    floor_loss: float  # metres of a sound's reach lost per floor
    # behaviour (`[behaviour]`)
    flee: float
    shut_doors: float
    aware_on_scream: float
    panic: float
    panic_to_gates: float  # the panicked run for the nearest exit rather than outside
    flee_to_gates: float  # those who flee a room into a corridor keep running for an exit
    barricades: float
    build_time: float
    hold_time: float
    pushers: float  # zombies pushing that take a barricade's hold down at 1 s/s
    repair_rate: float
    max_hold: float
    retreat_at: float  # seconds of hold left at which a group leaves by another way (0: never)
    fighting: float
    fight_courage: float
    kill_unarmed: float
    kill_armed: float
    cornered_bonus: float
    archer_skill: float  # the weapon trait that makes an archer
    shot_rate: float
    p_headshot: float
    rescue: float
    rescue_threshold: float
    p_step_in: float
    selfishness: float
    refuse_threshold: float
    crowd_forces: float
    shove_threshold: float
    p_shove: float
    sacrifice: float
    sacrifice_altruism: float
    sacrifice_courage: float
    lure: float
    lure_resourcefulness: float
    lure_duration: float
    lure_cooldown: float
    lure_phones: float  # 1.0: a group about to set off past zombies rings a phone aside
    grouping: float
    group_rate: float
    exits: float
    exit_rate: float
    exit_courage: float
    exit_crowd: float  # people at which a room's exit rate is as given (0: any number)
    careful: float  # 1.0: leave a held room (not for an exit) while no zombie is by the way
    exit_split: float  # courage below which people stay behind when their room heads out
    cover: float  # a threatened room's people hide next door where hiding is this good (0: no)
    supplies: float
    supplies_tolerance: float  # seconds without water and food before a move for them
    toilet_tolerance: float
    noise: float  # per pair of people in a hiding group, per second: a sound that gives it away
    noise_settles: float  # seconds over which that rate falls e-fold
    hush: float  # behind a barricade, noticing the quiet times 1 - hush at most
    hush_from: float  # the leader's resourcefulness from which they hush the group
    night_moves: float  # groups wait for the dark to move for supplies, unless desperate
    makeshift_toilet: float  # the resourcefulness that rigs one
    hybrid_strength: float
    hunger_time: float
    hunger_threshold: float
    hybrid_attack_rate: float
    bond_factor: float  # the attack rate times this with a friend in the room
    flesh_reset: float  # animal flesh brings hunger down to this
    # awareness (`[behaviour.awareness]`): rates per unaware person
    awareness: float  # 1.0: awareness spreads by the rates below; 0.0: at once, as before
    see_rate: float  # zombies next door seen
    aware_hear_radius: float  # metres at which a scream or fight is made out
    aware_hear_rate: float  # next to a scream; falls linearly to 0 at aware_hear_radius
    tell_rate: float  # times the share of the room who know
    phone_rate: float  # times the share of the school who know
    pa_announce_rate: float  # someone who knows, at a PA console, tells everyone
    quorum: float  # the share of a room who must know before it barricades
    barricade_after: float  # how long its most resourceful person has known, at least
    # the building
    walk_speed: float
    storey_height: float
    # the clock: time of day of t = 0, and when it is light
    clock_start: float
    sunrise: float
    sunset: float

    @classmethod
    def of(
        cls,
        virus: Any,
        zombies: Any,
        behaviour: Any,
        storey: float,
        step: float,
        clock: tuple[float, float, float] = (0.0, 0.0, 86400.0),
    ) -> Params:
        """The parameters of a scenario's sections (`Virus`, `Zombies`, `Behaviour`).

        `clock` is (the time of day of t = 0, sunrise, sunset), in seconds; by default it is
        never dark.
        """
        b = behaviour
        values = dict(
            step_s=step,
            turn_log_median=np.log(float(virus.turn_median)),
            turn_sigma=virus.turn_sigma,
            p_neck=virus.p_neck,
            p_torso=virus.p_torso,
            neck_factor=virus.neck_factor,
            torso_factor=virus.torso_factor,
            many_bites=virus.many_bites,
            many_bites_factor=virus.many_bites_factor,
            p_mauled=virus.p_mauled,
            p_hybrid=virus.p_hybrid,
            hybrid_factor=virus.hybrid_factor,
            drive_for_hybrid=virus.drive_for_hybrid,
            p_hybrid_from_hybrid=virus.p_hybrid_from_hybrid,
            hybrid_delay=virus.hybrid_delay,
            zombie_speed=zombies.speed,
            zombie_strength=zombies.strength_factor,
            hear_talk=zombies.hear_talk,
            hear_loud=zombies.hear_loud,
            pa_radius=zombies.pa_radius,
            p_notice_quiet=zombies.p_notice_quiet,
            attention=zombies.attention,
            sound_duration=zombies.sound_duration,
            wander_rate=zombies.wander_rate,
            hear_class_rate=zombies.hear_class,
            dark_sight=zombies.dark_sight,
            shut_factor=zombies.shut_factor,
            interest=zombies.interest,
            catch_speed=zombies.catch_speed,
            bite_time=zombies.bite_time,
            floor_loss=zombies.floor_loss,
            flee=b.flee,
            shut_doors=b.shut_doors,
            aware_on_scream=b.aware_on_scream,
            panic=b.panic,
            panic_to_gates=b.panic_to_gates,
            flee_to_gates=b.flee_to_gates,
            barricades=b.barricades.enabled,
            build_time=b.barricades.build_time,
            hold_time=b.barricades.hold_time,
            pushers=b.barricades.pushers,
            repair_rate=b.barricades.repair_rate,
            max_hold=b.barricades.max_hold,
            retreat_at=b.barricades.retreat_at,
            fighting=b.fighting.enabled,
            fight_courage=b.fighting.courage,
            kill_unarmed=b.fighting.kill_unarmed,
            kill_armed=b.fighting.kill_armed,
            cornered_bonus=b.fighting.cornered_bonus,
            archer_skill=b.fighting.archer_skill,
            shot_rate=b.fighting.shot_rate,
            p_headshot=b.fighting.p_headshot,
            rescue=b.rescue.enabled,
            rescue_threshold=b.rescue.threshold,
            p_step_in=b.rescue.p_step_in,
            selfishness=b.selfishness.enabled,
            refuse_threshold=b.selfishness.refuse_threshold,
            crowd_forces=b.selfishness.crowd_forces,
            shove_threshold=b.selfishness.shove_threshold,
            p_shove=b.selfishness.p_shove,
            sacrifice=b.sacrifice.enabled,
            sacrifice_altruism=b.sacrifice.altruism,
            sacrifice_courage=b.sacrifice.courage,
            lure=b.lure.enabled,
            lure_resourcefulness=b.lure.resourcefulness,
            lure_duration=b.lure.duration,
            lure_cooldown=b.lure.cooldown,
            lure_phones=b.lure.enabled and b.lure.phones,
            grouping=b.grouping.enabled,
            group_rate=b.grouping.rate,
            exits=b.exits.enabled,
            exit_rate=b.exits.rate,
            exit_courage=b.exits.courage,
            exit_crowd=b.exits.crowd,
            careful=b.exits.careful,
            exit_split=b.exits.split,
            cover=b.cover,
            supplies=b.supplies.enabled,
            supplies_tolerance=b.supplies.tolerance,
            toilet_tolerance=b.supplies.toilet_tolerance,
            noise=b.noise.rate,
            noise_settles=b.noise.settles,
            hush=b.noise.hush,
            hush_from=b.noise.hush_from,
            night_moves=b.supplies.night_moves,
            makeshift_toilet=b.supplies.makeshift_toilet,
            hybrid_strength=b.hybrids.strength_factor,
            hunger_time=b.hybrids.hunger_time,
            hunger_threshold=b.hybrids.hunger_threshold,
            hybrid_attack_rate=b.hybrids.attack_rate,
            bond_factor=b.hybrids.bond_factor,
            flesh_reset=b.hybrids.flesh_reset,
            awareness=b.awareness.enabled,
            see_rate=b.awareness.see_rate,
            aware_hear_radius=b.awareness.hear_radius,
            aware_hear_rate=b.awareness.hear_rate,
            tell_rate=b.awareness.tell_rate,
            phone_rate=b.awareness.phone_rate,
            pa_announce_rate=b.awareness.pa_rate,
            quorum=b.awareness.quorum,
            barricade_after=b.awareness.barricade_after,
            walk_speed=1.4,
            storey_height=storey,
            clock_start=clock[0],
            sunrise=clock[1],
            sunset=clock[2],
        )
        # Durations may be given as whole seconds and switches as booleans: floats, all.
        return cls(**{name: float(v) for name, v in values.items()})

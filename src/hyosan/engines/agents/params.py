"""Codes and parameter slots shared by the agents engine's Python side and its Numba kernels.

The kernels take the scenario's numbers as one float array, `P`, indexed by the constants
below (module-level integers are compile-time constants in Numba), so that adding a rule's
parameter means one name here and one line in `pack_parameters`.
"""

from __future__ import annotations

from typing import Any

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
) = range(len(EVENT_KINDS))

# --- bite sites (aux of a bite event) -------------------------------------------------------------
SITE_LIMB, SITE_TORSO, SITE_NECK = 0, 1, 2

# --- parameter slots ------------------------------------------------------------------------------
_NAMES = (
    "turn_mu",
    "turn_sigma",
    "neck_p",
    "torso_p",
    "neck_f",
    "torso_f",
    "many_bites",
    "many_f",
    "p_mauled",
    "p_hybrid",
    "hybrid_f",
    "drive_hybrid",
    "p_hybrid_h",
    "hybrid_delay",
    "z_speed",
    "z_strength",
    "hear_talk",
    "hear_loud",
    "pa_radius",
    "p_notice",
    "attention",
    "sound_dur",
    "wander",
    "catch",
    "bite_time",
    "flee",
    "aware_scream",
    "barr_on",
    "build_time",
    "hold_time",
    "pushers",
    "repair",
    "max_hold",
    "fight_on",
    "fight_courage",
    "kill_unarmed",
    "kill_armed",
    "cornered",
    "archer",
    "shot_rate",
    "headshot",
    "rescue_on",
    "rescue_thr",
    "rescue_p",
    "selfish_on",
    "refuse_thr",
    "shove_thr",
    "shove_p",
    "sac_on",
    "sac_altruism",
    "sac_courage",
    "lure_on",
    "lure_res",
    "lure_dur",
    "lure_cool",
    "group_on",
    "group_rate",
    "exit_on",
    "exit_rate",
    "exit_courage",
    "sup_on",
    "sup_tol",
    "loo_tol",
    "makeshift",
    "hyb_strength",
    "hunger_time",
    "hunger_thr",
    "hyb_attack",
    "bond",
    "flesh_reset",
    "walk_speed",
    "storey",
    "panic",
    "floor_loss",
)
P_TURN_MU = 0
P_TURN_SIGMA = 1
P_NECK_P = 2
P_TORSO_P = 3
P_NECK_F = 4
P_TORSO_F = 5
P_MANY_BITES = 6
P_MANY_F = 7
P_P_MAULED = 8
P_P_HYBRID = 9
P_HYBRID_F = 10
P_DRIVE_HYBRID = 11
P_P_HYBRID_H = 12
P_HYBRID_DELAY = 13
P_Z_SPEED = 14
P_Z_STRENGTH = 15
P_HEAR_TALK = 16
P_HEAR_LOUD = 17
P_PA_RADIUS = 18
P_P_NOTICE = 19
P_ATTENTION = 20
P_SOUND_DUR = 21
P_WANDER = 22
P_CATCH = 23
P_BITE_TIME = 24
P_FLEE = 25
P_AWARE_SCREAM = 26
P_BARR_ON = 27
P_BUILD_TIME = 28
P_HOLD_TIME = 29
P_PUSHERS = 30
P_REPAIR = 31
P_MAX_HOLD = 32
P_FIGHT_ON = 33
P_FIGHT_COURAGE = 34
P_KILL_UNARMED = 35
P_KILL_ARMED = 36
P_CORNERED = 37
P_ARCHER = 38
P_SHOT_RATE = 39
P_HEADSHOT = 40
P_RESCUE_ON = 41
P_RESCUE_THR = 42
P_RESCUE_P = 43
P_SELFISH_ON = 44
P_REFUSE_THR = 45
P_SHOVE_THR = 46
P_SHOVE_P = 47
P_SAC_ON = 48
P_SAC_ALTRUISM = 49
P_SAC_COURAGE = 50
P_LURE_ON = 51
P_LURE_RES = 52
P_LURE_DUR = 53
P_LURE_COOL = 54
P_GROUP_ON = 55
P_GROUP_RATE = 56
P_EXIT_ON = 57
P_EXIT_RATE = 58
P_EXIT_COURAGE = 59
P_SUP_ON = 60
P_SUP_TOL = 61
P_LOO_TOL = 62
P_MAKESHIFT = 63
P_HYB_STRENGTH = 64
P_HUNGER_TIME = 65
P_HUNGER_THR = 66
P_HYB_ATTACK = 67
P_BOND = 68
P_FLESH_RESET = 69
P_WALK_SPEED = 70
P_STOREY = 71
P_PANIC = 72
P_FLOOR_LOSS = 73
N_PARAMS = len(_NAMES)


def pack_parameters(virus: Any, zombies: Any, behaviour: Any, storey: float) -> np.ndarray:
    """The scenario's rule parameters as the kernels' float array (seconds, metres, m/s)."""
    b = behaviour
    values = {
        "turn_mu": np.log(float(virus.turn_median)),
        "turn_sigma": virus.turn_sigma,
        "neck_p": virus.p_neck,
        "torso_p": virus.p_torso,
        "neck_f": virus.neck_factor,
        "torso_f": virus.torso_factor,
        "many_bites": virus.many_bites,
        "many_f": virus.many_bites_factor,
        "p_mauled": virus.p_mauled,
        "p_hybrid": virus.p_hybrid,
        "hybrid_f": virus.hybrid_factor,
        "drive_hybrid": virus.drive_for_hybrid,
        "p_hybrid_h": virus.p_hybrid_from_hybrid,
        "hybrid_delay": float(virus.hybrid_delay),
        "z_speed": zombies.speed,
        "z_strength": zombies.strength_factor,
        "hear_talk": zombies.hear_talk,
        "hear_loud": zombies.hear_loud,
        "pa_radius": zombies.pa_radius,
        "p_notice": zombies.p_notice_quiet,
        "attention": float(zombies.attention),
        "sound_dur": float(zombies.sound_duration),
        "wander": float(zombies.wander_rate),
        "catch": zombies.catch_speed,
        "bite_time": float(zombies.bite_time),
        "flee": float(b.flee),
        "aware_scream": float(b.aware_on_scream),
        "barr_on": float(b.barricades.enabled),
        "build_time": float(b.barricades.build_time),
        "hold_time": float(b.barricades.hold_time),
        "pushers": b.barricades.pushers,
        "repair": b.barricades.repair_rate,
        "max_hold": float(b.barricades.max_hold),
        "fight_on": float(b.fighting.enabled),
        "fight_courage": b.fighting.courage,
        "kill_unarmed": b.fighting.kill_unarmed,
        "kill_armed": b.fighting.kill_armed,
        "cornered": b.fighting.cornered_bonus,
        "archer": b.fighting.archer_skill,
        "shot_rate": float(b.fighting.shot_rate),
        "headshot": b.fighting.p_headshot,
        "rescue_on": float(b.rescue.enabled),
        "rescue_thr": b.rescue.threshold,
        "rescue_p": b.rescue.p_step_in,
        "selfish_on": float(b.selfishness.enabled),
        "refuse_thr": b.selfishness.refuse_threshold,
        "shove_thr": b.selfishness.shove_threshold,
        "shove_p": b.selfishness.p_shove,
        "sac_on": float(b.sacrifice.enabled),
        "sac_altruism": b.sacrifice.altruism,
        "sac_courage": b.sacrifice.courage,
        "lure_on": float(b.lure.enabled),
        "lure_res": b.lure.resourcefulness,
        "lure_dur": float(b.lure.duration),
        "lure_cool": float(b.lure.cooldown),
        "group_on": float(b.grouping.enabled),
        "group_rate": float(b.grouping.rate),
        "exit_on": float(b.exits.enabled),
        "exit_rate": float(b.exits.rate),
        "exit_courage": b.exits.courage,
        "sup_on": float(b.supplies.enabled),
        "sup_tol": float(b.supplies.tolerance),
        "loo_tol": float(b.supplies.toilet_tolerance),
        "makeshift": b.supplies.makeshift_toilet,
        "hyb_strength": b.hybrids.strength_factor,
        "hunger_time": float(b.hybrids.hunger_time),
        "hunger_thr": b.hybrids.hunger_threshold,
        "hyb_attack": float(b.hybrids.attack_rate),
        "bond": b.hybrids.bond_factor,
        "flesh_reset": b.hybrids.flesh_reset,
        "walk_speed": 1.4,
        "storey": storey,
        "panic": b.panic,
        "floor_loss": zombies.floor_loss,
    }
    out = np.zeros(N_PARAMS, dtype=np.float64)
    for i, name in enumerate(_NAMES):
        out[i] = float(values[name])
    return out

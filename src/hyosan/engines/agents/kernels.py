"""Numba kernels of the agents engine: the whole step loop of a building run, compiled.

`advance_building` runs steps from t to t_end in one call, in the order the package docstring
lists, recording counts at output times, per-room snapshots, watched levels and events into
arrays the caller owns. Random numbers come only from the Generators passed in, one per kind
of decision, so a seed fixes the run.

From one step to the next the kernel carries lists of the zombies and of the people and the
number of zombies per room (scratch `zl`, `pl`, `nzc`, `lists_n`; see the census): code that
changes agents' states or rooms between calls must set `lists_n[2] = 1`, which rebuilds them
all at the next step.
"""

from __future__ import annotations

import math

from numba import njit

from hyosan.engines.agents.params import (
    ALTRUISM,
    BITTEN,
    COURAGE,
    DEAD,
    DESTROYED,
    DRIVE,
    ESCAPED,
    EV_ABANDON,
    EV_BARRICADE,
    EV_BITE,
    EV_BROKEN,
    EV_DEATH,
    EV_ESCAPE,
    EV_HYBRID,
    EV_KILL,
    EV_LURE,
    EV_MOVE,
    EV_OPENED,
    EV_RESCUE,
    EV_SACRIFICE,
    EV_SUPPLIES,
    EV_TOILET,
    EV_TURN,
    HUMAN,
    HYBRID,
    N_STATES,
    P_ARCHER,
    P_ATTENTION,
    P_AWARE_SCREAM,
    P_BARR_ON,
    P_BITE_TIME,
    P_BOND,
    P_BUILD_TIME,
    P_CATCH,
    P_CORNERED,
    P_DRIVE_HYBRID,
    P_EXIT_COURAGE,
    P_EXIT_ON,
    P_EXIT_RATE,
    P_FIGHT_COURAGE,
    P_FIGHT_ON,
    P_FLEE,
    P_FLESH_RESET,
    P_FLOOR_LOSS,
    P_GROUP_ON,
    P_GROUP_RATE,
    P_HEADSHOT,
    P_HEAR_LOUD,
    P_HEAR_TALK,
    P_HOLD_TIME,
    P_HUNGER_THR,
    P_HUNGER_TIME,
    P_HYB_ATTACK,
    P_HYBRID_DELAY,
    P_HYBRID_F,
    P_KILL_ARMED,
    P_KILL_UNARMED,
    P_LOO_TOL,
    P_LURE_COOL,
    P_LURE_DUR,
    P_LURE_ON,
    P_LURE_RES,
    P_MAKESHIFT,
    P_MANY_BITES,
    P_MANY_F,
    P_MAX_HOLD,
    P_NECK_F,
    P_NECK_P,
    P_P_HYBRID,
    P_P_HYBRID_H,
    P_P_MAULED,
    P_P_NOTICE,
    P_PA_RADIUS,
    P_PANIC,
    P_PUSHERS,
    P_REFUSE_THR,
    P_REPAIR,
    P_RESCUE_ON,
    P_RESCUE_P,
    P_RESCUE_THR,
    P_SAC_ALTRUISM,
    P_SAC_COURAGE,
    P_SAC_ON,
    P_SELFISH_ON,
    P_SHOT_RATE,
    P_SHOVE_P,
    P_SHOVE_THR,
    P_SOUND_DUR,
    P_SUP_ON,
    P_SUP_TOL,
    P_TORSO_F,
    P_TORSO_P,
    P_TURN_MU,
    P_TURN_SIGMA,
    P_WALK_SPEED,
    P_WANDER,
    P_Z_SPEED,
    P_Z_STRENGTH,
    RESOURCE,
    ROOM_EXIT,
    ROOM_HOLD,
    ROOM_TRANSIT,
    SELFISH,
    SITE_LIMB,
    SITE_NECK,
    SITE_TORSO,
    SPEED,
    STRENGTH,
    WEAPON,
    ZOMBIE,
)

STATUS_DONE, STATUS_NEED_EVENTS, STATUS_STOPPED = 0, 1, 2

__all__ = ["STATUS_DONE", "STATUS_NEED_EVENTS", "STATUS_STOPPED", "advance_building"]


@njit(cache=True)
def _add_sound(snd_room, snd_rad, snd_end, room, radius, t_end):
    # Replace the slot that ends first: at most len(snd_room) sounds at once.
    j = 0
    for k in range(snd_room.size):
        if snd_end[k] < snd_end[j]:
            j = k
    snd_room[j] = room
    snd_rad[j] = radius
    snd_end[j] = t_end


@njit(cache=True)
def _heard_dist(rx, ry, rf, floor_loss, a, b):
    # Sound carries along a floor; each floor between costs `floor_loss` metres of reach.
    return math.sqrt((rx[a] - rx[b]) ** 2 + (ry[a] - ry[b]) ** 2) + abs(rf[a] - rf[b]) * floor_loss


@njit(cache=True)
def _set_state(st, cnt, i, new):
    cnt[st[i]] -= 1
    st[i] = new
    cnt[new] += 1


@njit(cache=True)
def _kill_chance(P, tr, zstr, j, z, cornered):
    base = P[P_KILL_UNARMED] + (P[P_KILL_ARMED] - P[P_KILL_UNARMED]) * tr[j, WEAPON]
    ratio = tr[j, STRENGTH] / max(zstr[z], 0.05)
    p = base * min(1.5, math.sqrt(ratio))
    if cornered:
        p += P[P_CORNERED]
    return min(0.95, max(0.0, p))


@njit(cache=True)
def advance_building(
    t,
    t_end,
    dt,
    last,
    step_no,
    P,
    # agents
    st,
    room,
    dest,
    via,
    eta,
    tr,
    grp,
    named,
    t_turn,
    t_bite,
    hyb,
    from_hyb,
    nbites,
    bstep,
    hunger,
    need,
    loo,
    aware,
    busy,
    lead,
    lead_t,
    zstr,
    zagg,
    goal,
    corner,
    sac,
    refused,
    biter,
    used,
    # rooms
    rkind,
    rfloor,
    rx,
    ry,
    rarea,
    rspeaker,
    rpa,
    rtoilet,
    rsup,
    rhiding,
    rflesh,
    rexit,
    rmake,
    rfirst,
    pa_next,
    # edges
    ea,
    eb,
    elen,
    ebarr,
    ezpass,
    eoneway,
    hp,
    prog,
    eside,
    push,
    # adjacency (CSR over rooms) and next hops
    adj_ptr,
    adj_room,
    adj_edge,
    zhop,
    zhop_e,
    hhop,
    hhop_e,
    hdist,
    # sounds
    snd_room,
    snd_rad,
    snd_end,
    # census scratch (per room / per group)
    nz,
    nh,
    npp,
    noisy,
    thr,
    maxself,
    maxself_i,
    maxres,
    maxres_i,
    zlast_at,
    head,
    nxt,
    ldr,
    room_goal,
    snd_best,
    near_h,
    quiet,
    zl,
    pl,
    lists_n,
    nzc,
    # counts, records, watches
    cnt,
    smap,
    comp,
    rec_t,
    rec_v,
    rec_n,
    snap_at,
    snap_v,
    snap_n,
    w_weights,
    w_level,
    w_below,
    w_stop,
    w_time,
    peak,
    # events
    ev_t,
    ev_k,
    ev_a,
    ev_b,
    ev_p,
    ev_x,
    ev_n,
    # random streams
    g_move,
    g_enc,
    g_bite,
    g_beh,
):
    """Advance from t to t_end (see the package docstring); returns (t, status, step_no)."""

    def emit(t, kind, actor, target, place, aux):  # type: ignore[no-untyped-def]
        # Append an event (a closure, so the event arrays are not passed at every call).
        k = ev_n[0]
        ev_t[k] = t
        ev_k[k] = kind
        ev_a[k] = actor
        ev_b[k] = target
        ev_p[k] = place
        ev_x[k] = aux
        ev_n[0] = k + 1

    n = st.size
    n_rooms = rkind.size
    n_edges = ea.size
    floor_loss = P[P_FLOOR_LOSS]
    while True:
        # Records: every output time reached (and t_end itself only on the last piece).
        while rec_n[0] < rec_t.size and rec_t[rec_n[0]] <= t + 1e-9:
            if rec_t[rec_n[0]] >= t_end - 1e-9 and not last:
                break
            k = rec_n[0]
            comp[:] = 0.0
            for s in range(N_STATES):
                comp[smap[s]] += cnt[s]
            rec_v[k, :] = comp
            if snap_n[0] < snap_at.size and snap_at[snap_n[0]] == k:
                sn = snap_n[0]
                for i in range(n):
                    snap_v[sn, room[i], smap[st[i]]] += 1.0
                snap_n[0] = sn + 1
            rec_n[0] = k + 1
        if t >= t_end - 1e-9:
            return t, STATUS_DONE, step_no
        if ev_n[0] + 8 * n + 64 > ev_t.size:
            return t, STATUS_NEED_EVENTS, step_no
        h = min(dt, t_end - t)
        if rec_n[0] < rec_t.size:
            h = min(h, max(rec_t[rec_n[0]] - t, 1e-9))
        tn = t + h
        step_no += 1

        # 1. census: who is where, per room; group leaders.
        for r in range(n_rooms):
            nh[r] = 0
            npp[r] = 0
            noisy[r] = 0
            maxself[r] = -1.0
            maxself_i[r] = -1
            maxres[r] = -1.0
            maxres_i[r] = -1
            head[r] = -1
            room_goal[r] = -1
        for g in range(ldr.size):
            ldr[g] = -1
        # The zombies and the people (human, bitten, hybrid), each in rising index order, and
        # the zombies per room, all carried from step to step: after the overrun nearly
        # everyone is a zombie or gone, and scanning the whole population every step, several
        # times, for a few survivors was most of a run's cost. People only ever leave their
        # set, so that list is filtered here; zombies join theirs only by turning, which marks
        # both lists stale (rebuilt here from a full scan), and leave it only when destroyed,
        # which marks the zombie list for filtering. `nzc` follows every zombie's arrival and
        # end; the census takes it as this step's count.
        if lists_n[2] != 0:
            nzl = 0
            npl = 0
            for r in range(n_rooms):
                nzc[r] = 0
            for i in range(n):
                s = st[i]
                if s == ZOMBIE:
                    zl[nzl] = i
                    nzl += 1
                    nzc[room[i]] += 1
                elif s in (HUMAN, BITTEN, HYBRID):
                    pl[npl] = i
                    npl += 1
            lists_n[0] = nzl
            lists_n[2] = 0
            lists_n[3] = 0
        else:
            nzl = lists_n[0]
            if lists_n[3] != 0:
                m = 0
                for k in range(nzl):
                    if st[zl[k]] == ZOMBIE:
                        zl[m] = zl[k]
                        m += 1
                nzl = m
                lists_n[0] = nzl
                lists_n[3] = 0
            npl = 0
            for k in range(lists_n[1]):
                s = st[pl[k]]
                if s in (HUMAN, BITTEN, HYBRID):
                    pl[npl] = pl[k]
                    npl += 1
        lists_n[1] = npl
        for r in range(n_rooms):
            nz[r] = nzc[r]
            zlast_at[r] = -1  # the lowest zombie in each room, found when an archer asks
        for kp in range(npl - 1, -1, -1):  # falling: the lowest index ends first in each list
            i = pl[kp]
            s = st[i]
            r = room[i]
            npp[r] += 1
            nxt[i] = head[r]
            head[r] = i
            if s == HUMAN or (s == BITTEN and bstep[i] == step_no):
                nh[r] += 1
            if aware[i] == 0:
                noisy[r] += 1
            if s != HYBRID:
                if tr[i, SELFISH] > maxself[r]:
                    maxself[r] = tr[i, SELFISH]
                    maxself_i[r] = i
                if tr[i, RESOURCE] > maxres[r]:
                    maxres[r] = tr[i, RESOURCE]
                    maxres_i[r] = i
                ldr[grp[i]] = i  # ends as the lowest index of the group
        for r in range(n_rooms):
            th = 0
            for k in range(adj_ptr[r], adj_ptr[r + 1]):
                th += nz[adj_room[k]]
            thr[r] = th
        # Loudest audible sound per room (a few active sounds at most; usually none).
        n_active = 0
        for k in range(snd_room.size):
            if snd_end[k] > t and snd_room[k] >= 0:
                n_active += 1
        any_sound = False
        for r in range(n_rooms):
            snd_best[r] = -1
        if n_active > 0:
            for r in range(n_rooms):
                best = 0.0
                for k in range(snd_room.size):
                    if snd_end[k] > t and snd_room[k] >= 0:
                        loud = snd_rad[k] - _heard_dist(rx, ry, rfloor, floor_loss, r, snd_room[k])
                        if loud > best:
                            best = loud
                            snd_best[r] = snd_room[k]
                            any_sound = True

        # 2. turning: the bitten turn into zombies, or, rarely, keep their minds as hybrids.
        for kp in range(npl):
            i = pl[kp]
            if st[i] == BITTEN and t_turn[i] <= tn:
                if hyb[i] == 0:
                    if from_hyb[i] == 1:
                        p = P[P_P_HYBRID_H]
                    else:
                        p = P[P_P_HYBRID]
                        if nbites[i] >= P[P_MANY_BITES] or tr[i, DRIVE] >= P[P_DRIVE_HYBRID]:
                            p = min(1.0, p * P[P_HYBRID_F])
                    if g_bite.random() < p:
                        hyb[i] = 1
                        t_turn[i] = max(tn, t_bite[i] + P[P_HYBRID_DELAY])
                        continue
                    _set_state(st, cnt, i, ZOMBIE)
                    nzc[room[i]] += 1
                    lists_n[2] = 1
                    zstr[i] = P[P_Z_STRENGTH] * tr[i, STRENGTH]
                    zagg[i] = 0.5 + 0.5 * (tr[i, SELFISH] + tr[i, COURAGE])
                    busy[i] = tn + 2.0
                    lead[i] = -1
                    dest[i] = -1
                    via[i] = -1
                    emit(
                        tn,
                        EV_TURN,
                        i,
                        biter[i],
                        room[i],
                        nbites[i],
                    )
                else:
                    _set_state(st, cnt, i, HYBRID)
                    hunger[i] = 0.0
                    emit(
                        tn,
                        EV_HYBRID,
                        i,
                        biter[i],
                        room[i],
                        nbites[i],
                    )

        # 3. hybrids: hunger grows and may win; flesh eases it.
        for kp in range(npl):
            i = pl[kp]
            if st[i] != HYBRID:
                continue
            r = room[i]
            hunger[i] = min(1.0, hunger[i] + h / P[P_HUNGER_TIME])
            if rflesh[r] and hunger[i] > P[P_FLESH_RESET]:
                hunger[i] = P[P_FLESH_RESET]
            if hunger[i] > P[P_HUNGER_THR] and nh[r] > 0 and via[i] < 0:
                bonded = False
                j = head[r]
                while j >= 0:
                    if j != i and grp[j] == grp[i] and st[j] == HUMAN:
                        bonded = True
                        break
                    j = nxt[j]
                rate = P[P_HYB_ATTACK] * (P[P_BOND] if bonded else 1.0)
                if g_beh.random() < 1.0 - math.exp(-rate * h):
                    # The victim: the first human in the room's list (the nearest, say).
                    j = head[r]
                    while j >= 0 and st[j] != HUMAN:
                        j = nxt[j]
                    if j >= 0:
                        _set_state(st, cnt, j, BITTEN)
                        t_bite[j] = tn
                        bstep[j] = step_no
                        nbites[j] = 1
                        from_hyb[j] = 1
                        biter[j] = i
                        t_turn[j] = tn + math.exp(P[P_TURN_MU] + P[P_TURN_SIGMA] * g_bite.normal())
                        hunger[i] = P[P_FLESH_RESET]
                        nh[r] -= 1
                        emit(tn, EV_BITE, i, j, r, 0)

        # 4. zombies sense and choose: people here, people next door, sounds, old leads, wander.
        for e in range(n_edges):
            push[e] = 0
        # Most steps after the overrun are hundreds of idle zombies: the wander chance is the
        # same for all of them (computed once, the same double), and a zombie whose room has no
        # passable neighbour holding a person need not scan its neighbours (that scan draws only
        # for such neighbours, so skipping it leaves the random streams as they were).
        p_wander = 1.0 - math.exp(-P[P_WANDER] * h)
        attention = P[P_ATTENTION]
        for r in range(n_rooms):
            near = False
            for k in range(adj_ptr[r], adj_ptr[r + 1]):
                if nh[adj_room[k]] > 0 and ezpass[adj_edge[k]]:
                    near = True
                    break
            near_h[r] = near
            quiet[r] = nh[r] == 0 and not near and not (any_sound and snd_best[r] >= 0)
        # Zombies who turned in step 2 are busy this step: the census list holds all the rest.
        for kz in range(nzl):
            i = zl[kz]
            if st[i] != ZOMBIE or via[i] >= 0 or busy[i] > t:
                continue
            r = room[i]
            if quiet[r] and (lead[i] < 0 or t - lead_t[i] >= attention):
                # Nobody here or next door, no sound, no lead: wander, or stay (the common case
                # after the overrun, taken first; the same draws as the full path below).
                if g_move.random() >= p_wander:
                    continue
                deg = adj_ptr[r + 1] - adj_ptr[r]
                if deg > 0:
                    k = adj_ptr[r] + int(g_move.random() * deg)
                    e = adj_edge[k]
                    q = adj_room[k]
                    if ezpass[e] and rkind[q] != ROOM_EXIT and hp[e] <= 0.0:
                        dest[i] = q
                        via[i] = e
                        eta[i] = elen[e] / P[P_Z_SPEED]
                continue
            if nh[r] > 0:
                lead[i] = r
                lead_t[i] = t
                continue
            best_q = -1
            best_e = -1
            best_n = 0
            for k in range(adj_ptr[r], adj_ptr[r + 1] if near_h[r] else adj_ptr[r]):
                e = adj_edge[k]
                q = adj_room[k]
                if not ezpass[e] or nh[q] == 0:
                    continue
                seen = False
                if hp[e] > 0.0:
                    # Behind a barricade: the noisy are heard, the quiet rarely.
                    if (noisy[q] > 0 and elen[e] <= P[P_HEAR_TALK]) or g_enc.random() < P[
                        P_P_NOTICE
                    ]:
                        seen = True
                elif (
                    noisy[q] > 0
                    or elen[e] <= 15.0
                    or rkind[q] == ROOM_TRANSIT
                    or g_enc.random() < P[P_P_NOTICE]
                ):
                    seen = True
                if seen and nh[q] > best_n:
                    best_n = nh[q]
                    best_q = q
                    best_e = e
            target = -1
            edge = -1
            wander = False
            if best_q >= 0:
                lead[i] = best_q
                lead_t[i] = t
                target = best_q
                edge = best_e
            elif any_sound and snd_best[r] >= 0:
                s_room = snd_best[r]
                if s_room != r and zhop[r, s_room] >= 0:
                    target = zhop[r, s_room]
                    edge = zhop_e[r, s_room]
                lead[i] = -1
            elif lead[i] >= 0 and t - lead_t[i] < P[P_ATTENTION]:
                if lead[i] != r and zhop[r, lead[i]] >= 0:
                    target = zhop[r, lead[i]]
                    edge = zhop_e[r, lead[i]]
                else:
                    lead[i] = -1
            elif g_move.random() < p_wander:
                deg = adj_ptr[r + 1] - adj_ptr[r]
                if deg > 0:
                    k = adj_ptr[r] + int(g_move.random() * deg)
                    e = adj_edge[k]
                    if ezpass[e] and rkind[adj_room[k]] != ROOM_EXIT:
                        target = adj_room[k]
                        edge = e
                        wander = True
            if target >= 0:
                if rkind[target] == ROOM_EXIT:
                    continue
                if hp[edge] > 0.0:
                    if eside[edge] != r and not wander:
                        push[edge] += 1
                else:
                    dest[i] = target
                    via[i] = edge
                    eta[i] = elen[edge] / P[P_Z_SPEED]

        # 5. barricades: built where people are threatened, pushed, broken, repaired.
        if P[P_BARR_ON] > 0.0:
            for e in range(n_edges):
                if not ebarr[e]:
                    continue
                if hp[e] > 0.0:
                    s_room = eside[e]
                    if push[e] > 0:
                        hp[e] -= h * push[e] / P[P_PUSHERS]
                        if hp[e] <= 0.0:
                            hp[e] = 0.0
                            prog[e] = 0.0
                            other = eb[e] if ea[e] == s_room else ea[e]
                            emit(
                                tn,
                                EV_BROKEN,
                                -1,
                                -1,
                                s_room,
                                other,
                            )
                    elif npp[s_room] > 0:
                        hp[e] = min(P[P_MAX_HOLD], hp[e] + P[P_REPAIR] * h)
                    continue
                for side in range(2):
                    s_room = ea[e] if side == 0 else eb[e]
                    other = eb[e] if side == 0 else ea[e]
                    if rkind[s_room] != ROOM_HOLD or npp[s_room] == 0 or nz[s_room] > 0:
                        continue
                    if thr[s_room] == 0 and snd_best[s_room] < 0:
                        continue
                    # Someone in the room must know: the most resourceful person's awareness.
                    who = maxres_i[s_room]
                    if who < 0 or aware[who] == 0:
                        continue
                    prog[e] += h * min(npp[s_room], 4) / P[P_BUILD_TIME]
                    if prog[e] >= 1.0:
                        prog[e] = 0.0
                        hp[e] = P[P_HOLD_TIME]
                        eside[e] = s_room
                        actor = who
                        j = head[s_room]
                        while j >= 0:
                            if named[j] >= 0 and st[j] == HUMAN:
                                actor = j
                                break
                            j = nxt[j]
                        emit(
                            tn,
                            EV_BARRICADE,
                            actor,
                            -1,
                            s_room,
                            npp[s_room],
                        )
                    break

        # 6. people decide: room-wide plans first (supplies, exits), then each person.
        for r in range(n_rooms):
            who = maxres_i[r]
            if who < 0 or npp[r] == 0 or nz[r] > 0 or rkind[r] == ROOM_EXIT:
                continue
            if aware[who] == 0:
                continue
            calm = thr[r] == 0
            # The PA lure: the resourceful pull the zombies off their door to the speakers.
            if (
                P[P_LURE_ON] > 0.0
                and rpa[r]
                and thr[r] > 0
                and maxres[r] >= P[P_LURE_RES]
                and t >= pa_next[r]
            ):
                pa_next[r] = t + P[P_LURE_COOL]
                for q in range(n_rooms):
                    if rspeaker[q]:
                        _add_sound(snd_room, snd_rad, snd_end, q, P[P_PA_RADIUS], t + P[P_LURE_DUR])
                emit(tn, EV_LURE, who, -1, r, 0)
            if P[P_SUP_ON] > 0.0 and (need[who] >= 1.0 or loo[who] >= 1.0):
                want_toilet = loo[who] >= 1.0 and need[who] < 1.0
                best = -1
                best_d = 1e300
                for q in range(n_rooms):
                    if q == r or hdist[r, q] < 0 or nz[q] > 0 or rkind[q] != ROOM_HOLD:
                        continue
                    ok = rtoilet[q] if want_toilet else rsup[q] > 1.0
                    if ok and hdist[r, q] < best_d:
                        best_d = hdist[r, q]
                        best = q
                if best >= 0:
                    room_goal[r] = best
                    if named[who] >= 0:
                        emit(
                            tn,
                            EV_SUPPLIES,
                            who,
                            -1,
                            r,
                            best,
                        )
                continue
            if calm and P[P_EXIT_ON] > 0.0 and rkind[r] == ROOM_HOLD:
                rate = P[P_EXIT_RATE] * (2.0 if tr[who, COURAGE] >= P[P_EXIT_COURAGE] else 1.0)
                if g_beh.random() < 1.0 - math.exp(-rate * h):
                    best = -1
                    best_d = 1e300
                    for q in range(n_rooms):
                        if rkind[q] == ROOM_EXIT and hdist[r, q] >= 0 and hdist[r, q] < best_d:
                            best_d = hdist[r, q]
                            best = q
                    room_goal[r] = best
        for kp in range(npl):
            i = pl[kp]
            s = st[i]
            if s not in (HUMAN, BITTEN, HYBRID):
                continue
            r = room[i]
            # Needs: water and food from the room's stock, a toilet or a makeshift one.
            if P[P_SUP_ON] > 0.0:
                if rsup[r] > 0.0:
                    rsup[r] -= h / 3600.0
                    need[i] = min(need[i], 0.0)
                else:
                    need[i] += h / P[P_SUP_TOL]
                if rtoilet[r] or rmake[r]:
                    loo[i] = 0.0
                else:
                    loo[i] += h / P[P_LOO_TOL]
                    if (
                        loo[i] > 0.5
                        and rkind[r] == ROOM_HOLD
                        and maxres[r] >= P[P_MAKESHIFT]
                        and s != HYBRID
                    ):
                        rmake[r] = True
                        loo[i] = 0.0
                        emit(
                            tn,
                            EV_TOILET,
                            maxres_i[r],
                            -1,
                            r,
                            npp[r],
                        )
            if via[i] >= 0 or busy[i] > t:
                continue
            z_here = nz[r]
            corner[i] = 0
            if (
                aware[i] == 0
                and (z_here > 0 or thr[r] > 0 or snd_best[r] >= 0)
                and (z_here > 0 or thr[r] > 0 or P[P_AWARE_SCREAM] > 0.0)
            ):
                aware[i] = 1
                # Panic: the frightened run outside at once.
                p = min(1.0, P[P_PANIC] * 2.0 * (1.0 - tr[i, COURAGE]))
                if rexit[r] >= 0 and g_beh.random() < p:
                    goal[i] = rexit[r]
            if aware[i] == 0:
                continue
            target = -1
            edge = -1
            speed = P[P_WALK_SPEED]
            if s == HYBRID:
                # Hybrids walk among zombies; the hungry either hunt or keep away from people.
                if hunger[i] > P[P_HUNGER_THR]:
                    want_people = tr[i, SELFISH] >= 0.5
                    for k in range(adj_ptr[r], adj_ptr[r + 1]):
                        q = adj_room[k]
                        if rkind[q] == ROOM_EXIT or hp[adj_edge[k]] > 0.0:
                            continue
                        if (want_people and nh[q] > 0) or (
                            not want_people and nh[r] > 0 and nh[q] == 0
                        ):
                            target = q
                            dest[i] = q
                            via[i] = adj_edge[k]
                            eta[i] = elen[adj_edge[k]] / (tr[i, SPEED] * 1.2)
                            break
                continue
            if s == BITTEN and P[P_SAC_ON] > 0.0:
                if (
                    sac[i] == 0
                    and npp[r] > 1
                    and tr[i, ALTRUISM] >= P[P_SAC_ALTRUISM]
                    and tr[i, COURAGE] >= P[P_SAC_COURAGE]
                ):
                    sac[i] = 1
                    emit(tn, EV_SACRIFICE, i, i, r, 0)
                if sac[i] == 1:
                    # Leave the group, shouting, so the horde follows away from it.
                    _add_sound(snd_room, snd_rad, snd_end, r, P[P_HEAR_LOUD], t + P[P_SOUND_DUR])
                    deg = adj_ptr[r + 1] - adj_ptr[r]
                    if deg > 0 and (npp[r] > 1 or g_move.random() < 0.2):
                        k = adj_ptr[r] + int(g_move.random() * deg)
                        e = adj_edge[k]
                        if (
                            hp[e] == 0.0
                            and rkind[adj_room[k]] != ROOM_EXIT
                            and not (eoneway[e] and ea[e] != r)
                        ):
                            dest[i] = adj_room[k]
                            via[i] = e
                            eta[i] = elen[e] / tr[i, SPEED]
                    continue
            if z_here > 0:
                goal[i] = -1
                # Archers shoot first.
                if P[P_FIGHT_ON] > 0.0 and tr[i, WEAPON] >= P[P_ARCHER]:
                    if zlast_at[r] < 0:
                        # The lowest-numbered zombie in the room at the census (rooms change
                        # only in step 7; zl still holds any destroyed since).
                        for kz in range(nzl):
                            if room[zl[kz]] == r:
                                zlast_at[r] = zl[kz]
                                break
                    if g_beh.random() < (1.0 - math.exp(-P[P_SHOT_RATE] * h)) * P[P_HEADSHOT]:
                        z = zlast_at[r]
                        if st[z] == ZOMBIE:
                            _set_state(st, cnt, z, DESTROYED)
                            nz[r] -= 1
                            nzc[r] -= 1
                            lists_n[3] = 1
                            emit(tn, EV_KILL, i, z, r, 1)
                    if nz[r] <= 2:
                        continue
                if P[P_FLEE] > 0.0:
                    best_q = -1
                    best_e = -1
                    best_s = 1e300
                    for k in range(adj_ptr[r], adj_ptr[r + 1]):
                        e = adj_edge[k]
                        q = adj_room[k]
                        if eoneway[e] and ea[e] != r:
                            continue
                        if hp[e] > 0.0 and eside[e] != q:
                            continue
                        if refused[i] == q:
                            continue
                        score = 10.0 * nz[q] + thr[q] + g_move.random()
                        if rkind[q] == ROOM_TRANSIT:
                            score += 0.5
                        if score < best_s:
                            best_s = score
                            best_q = q
                            best_e = e
                    if best_q >= 0 and nz[best_q] < z_here:
                        target = best_q
                        edge = best_e
                        speed = tr[i, SPEED]
                    else:
                        corner[i] = 1
                else:
                    corner[i] = 1
            else:
                threatened = thr[r] > 0 or snd_best[r] >= 0
                if room_goal[r] >= 0 and rkind[r] != ROOM_TRANSIT:
                    goal[i] = room_goal[r]
                if threatened and rkind[r] == ROOM_HOLD and goal[i] < 0:
                    continue  # hold the room: barricades go up in step 5
                if goal[i] == r:
                    goal[i] = -1
                if goal[i] < 0 and rkind[r] == ROOM_TRANSIT:
                    # Nobody lingers in a corridor: into the safest room next to it.
                    best_s = 1e300
                    for k in range(adj_ptr[r], adj_ptr[r + 1]):
                        q = adj_room[k]
                        e = adj_edge[k]
                        if eoneway[e] and ea[e] != r:
                            continue
                        if refused[i] == q or rkind[q] == ROOM_EXIT:
                            continue
                        score = 10.0 * nz[q] + thr[q] + g_move.random()
                        if rkind[q] == ROOM_TRANSIT:
                            score += 3.0
                        if score < best_s:
                            best_s = score
                            goal[i] = q
                if goal[i] < 0 and P[P_GROUP_ON] > 0.0 and not threatened:
                    lg = ldr[grp[i]]
                    if (
                        lg >= 0
                        and lg != i
                        and room[lg] != r
                        and room[lg] != refused[i]
                        and nz[room[lg]] == 0
                        and g_beh.random() < 1.0 - math.exp(-P[P_GROUP_RATE] * h)
                    ):
                        goal[i] = room[lg]
                if goal[i] >= 0:
                    q = hhop[r, goal[i]]
                    if q < 0:
                        goal[i] = -1
                    elif nz[q] == 0:
                        target = q
                        edge = hhop_e[r, goal[i]]
                        speed = tr[i, SPEED] if threatened else P[P_WALK_SPEED]
            if target >= 0:
                if hp[edge] > 0.0:
                    if eside[edge] == r:
                        # Leaving: take down our own barricade.
                        hp[edge] = 0.0
                        prog[edge] = 0.0
                        emit(tn, EV_OPENED, i, -1, r, edge)
                    else:
                        # Asking to be let in: the most selfish inside may refuse (once: the
                        # refused do not ask that room again).
                        q = eside[edge]
                        if refused[i] == q:
                            goal[i] = -1
                            continue
                        if (
                            P[P_SELFISH_ON] > 0.0
                            and maxself_i[q] >= 0
                            and maxself[q] >= P[P_REFUSE_THR]
                        ):
                            refused[i] = q
                            goal[i] = -1
                            emit(
                                tn,
                                EV_ABANDON,
                                maxself_i[q],
                                i,
                                q,
                                0,
                            )
                            continue
                        hp[edge] = 0.0
                        prog[edge] = 0.0
                        who = maxres_i[q] if maxres_i[q] >= 0 else -1
                        emit(tn, EV_OPENED, who, i, q, edge)
                dest[i] = target
                via[i] = edge
                eta[i] = elen[edge] / speed

        # 7. movement: along passages; nobody passes a standing barricade.
        z_met = False  # a zombie arrived where someone can be caught (see step 8)
        for i in range(n):
            if via[i] < 0:
                continue
            s = st[i]
            if s in (DEAD, DESTROYED, ESCAPED):
                via[i] = -1
                dest[i] = -1
                continue
            eta[i] -= h
            if eta[i] > 0.0:
                continue
            e = via[i]
            q = dest[i]
            via[i] = -1
            dest[i] = -1
            if hp[e] > 0.0:
                continue  # a barricade went up on the way: back where they were
            r = room[i]
            room[i] = q
            used[i] = e
            if s == ZOMBIE:
                nzc[r] -= 1
                nzc[q] += 1
                if nh[q] > 0:
                    z_met = True
                if rfirst[q] < 0:
                    rfirst[q] = tn
            if rkind[q] == ROOM_EXIT:
                if s in (HUMAN, BITTEN, HYBRID):
                    _set_state(st, cnt, i, ESCAPED)
                    emit(tn, EV_ESCAPE, i, -1, q, r)
            elif named[i] >= 0 and s != ZOMBIE and rkind[q] != ROOM_TRANSIT:
                emit(tn, EV_MOVE, i, -1, q, r)

        # 8. encounters: zombies catch, people hide, shove, rescue, fight, are bitten.
        # Only a zombie in a room with someone to catch does anything here (and draws): one
        # that was there at the census (nz counts it) or arrived in step 7 (z_met). Zombies
        # who turned this step are busy. Without either, the loop is skipped.
        for r in range(n_rooms):
            if nz[r] > 0 and nh[r] > 0:
                z_met = True
                break
        for kz in range(nzl if z_met else 0):
            z = zl[kz]
            if st[z] != ZOMBIE or via[z] >= 0 or busy[z] > t:
                continue
            r = room[z]
            if nh[r] <= 0:
                continue
            rate = P[P_CATCH] * P[P_Z_SPEED] * zagg[z] / math.sqrt(rarea[r])
            if g_enc.random() >= 1.0 - math.exp(-rate * h):
                continue
            # Pick a target among those who can still be bitten here this step.
            pick = int(g_enc.random() * nh[r])
            v = -1
            j = head[r]
            while j >= 0:
                if st[j] == HUMAN or (st[j] == BITTEN and bstep[j] == step_no):
                    if pick == 0:
                        v = j
                        break
                    pick -= 1
                j = nxt[j]
            if v < 0:
                continue
            if aware[v] == 1 and rhiding[r] > 0.0 and g_enc.random() < rhiding[r]:
                continue  # hidden: the zombie passes by
            scream_room = r
            # Selfishness: push someone else into the zombie's way.
            if (
                P[P_SELFISH_ON] > 0.0
                and st[v] == HUMAN
                and tr[v, SELFISH] >= P[P_SHOVE_THR]
                and nh[r] > 1
                and g_beh.random() < P[P_SHOVE_P]
            ):
                j = head[r]
                while j >= 0:
                    if j != v and st[j] == HUMAN:
                        break
                    j = nxt[j]
                if j >= 0:
                    emit(tn, EV_SACRIFICE, v, j, r, 1)
                    v = j
            # Rescue: someone brave and kind steps in.
            fighter = v
            if P[P_RESCUE_ON] > 0.0 and st[v] == HUMAN:
                j = head[r]
                while j >= 0:
                    if (
                        j != v
                        and st[j] == HUMAN
                        and busy[j] <= t
                        and 0.5 * (tr[j, ALTRUISM] + tr[j, COURAGE]) >= P[P_RESCUE_THR]
                    ):
                        break
                    j = nxt[j]
                if j >= 0 and g_beh.random() < P[P_RESCUE_P]:
                    emit(tn, EV_RESCUE, j, v, r, 0)
                    busy[j] = tn
                    fighter = j
            # Fight back: the brave, the armed, the rescuer, the cornered.
            fights = fighter != v
            if P[P_FIGHT_ON] > 0.0 and st[fighter] == HUMAN:
                if (
                    tr[fighter, COURAGE] >= P[P_FIGHT_COURAGE]
                    or tr[fighter, WEAPON] >= 0.5
                    or corner[fighter] == 1
                ):
                    fights = True
            else:
                fights = False
            if fights:
                p = _kill_chance(P, tr, zstr, fighter, z, corner[fighter] == 1)
                if g_beh.random() < p:
                    _set_state(st, cnt, z, DESTROYED)
                    nz[r] -= 1
                    nzc[r] -= 1
                    lists_n[3] = 1
                    emit(tn, EV_KILL, fighter, z, r, 0)
                    _add_sound(snd_room, snd_rad, snd_end, r, P[P_HEAR_LOUD], t + P[P_SOUND_DUR])
                    continue
                v = fighter  # the zombie gets whoever fought it
            busy[z] = tn + P[P_BITE_TIME]
            _add_sound(snd_room, snd_rad, snd_end, scream_room, P[P_HEAR_LOUD], t + P[P_SOUND_DUR])
            if st[v] == HUMAN and g_bite.random() < P[P_P_MAULED]:
                _set_state(st, cnt, v, DEAD)
                nh[r] -= 1
                emit(tn, EV_DEATH, z, v, r, 0)
                continue
            u = g_bite.random()
            if u < P[P_NECK_P]:
                site = SITE_NECK
                factor = P[P_NECK_F]
            elif u < P[P_NECK_P] + P[P_TORSO_P]:
                site = SITE_TORSO
                factor = P[P_TORSO_F]
            else:
                site = SITE_LIMB
                factor = 1.0
            if st[v] == HUMAN:
                _set_state(st, cnt, v, BITTEN)
                bstep[v] = step_no
                t_bite[v] = tn
                nbites[v] = 1
                biter[v] = z
                from_hyb[v] = 0
                t_turn[v] = tn + factor * math.exp(P[P_TURN_MU] + P[P_TURN_SIGMA] * g_bite.normal())
            else:
                # Another bite in the same attack: a mob turns its victim faster.
                nbites[v] += 1
                if nbites[v] == int(P[P_MANY_BITES]):
                    t_turn[v] = tn + (t_turn[v] - tn) * P[P_MANY_F]
            emit(tn, EV_BITE, z, v, r, site)

        # 9. records: the zombie peak and watched levels now; counts at output times are
        # written at the top of the loop, snapshots with them.
        t = tn
        comp[:] = 0.0
        for s in range(N_STATES):
            comp[smap[s]] += cnt[s]
        zc = float(cnt[ZOMBIE])
        if zc > peak[0]:
            peak[0] = zc
            peak[1] = t
        stop = False
        for w in range(w_level.size):
            if not math.isnan(w_time[w]):
                continue
            v = 0.0
            for c in range(comp.size):
                v += w_weights[w, c] * comp[c]
            if (v < w_level[w]) if w_below[w] else (v > w_level[w]):
                w_time[w] = t
                if w_stop[w]:
                    stop = True
        if stop:
            return t, STATUS_STOPPED, step_no

"""The agents engine: person by person, in a building, with named characters and a narrative.

A scenario that places people in a `[building]` runs as individuals with traits moving along
the building's graph of rooms and passages (positions are a room plus progress along a
passage). Time advances in fixed steps (`agents.step`, default 5 s), all of them inside one
compiled Numba loop (kernels.py). One step, in order:

1. census: count, per room, zombies, people, the unaware (who talk), the most selfish and the
   most resourceful person; find each group's leader; zombies next door; the loudest sound
   each room hears;
2. turning: the bitten whose time has come turn into zombies, or (a small chance, more after
   many bites, a strong drive or a hybrid's bite) keep their minds and, hours later, become
   hybrids; a zombie's strength and aggression follow its host's;
3. hybrids: hunger grows and may win (an attack on a human, less likely with a friend near);
   animal flesh eases it;
4. zombies sense and choose: people in the room (stay and attack), people next door (seen,
   heard talking, or rarely noticed behind a door), the loudest sound (screams, fights, the
   PA), the last lead for a while, else a slow wander; a barricaded passage is pushed;
5. barricades: threatened people in a room barricade its doors (`build_time`); a barricade
   loses hold while pushed, breaks at zero, and is repaired when not pushed;
6. people decide: room-wide plans (the PA lure, a move for water, food or a toilet, heading
   for an exit), then each person: needs, awareness, a bitten altruist leading the horde away,
   archers shooting, fleeing to the room with the fewest zombies or fighting when cornered,
   holding a threatened room, leaving corridors, joining their group, following the plan;
   opening their own barricade to leave or asking to be let in (the selfish may refuse);
7. movement: progress along passages; arrivals through a standing barricade are turned back;
   reaching an exit is an escape;
8. encounters: each zombie may catch someone in its room (faster in small rooms); the hidden
   may go unnoticed, the selfish push another forward, the brave and kind step in, the brave,
   armed or cornered fight (a head blow destroys a zombie), else a bite (neck, body or limb,
   which sets the delay to turning) or, rarely, death; fights and screams are heard;
9. records: counts per compartment at output times, per-room snapshots, watched levels.

Random numbers come from the run's named streams: `world` (who is who), `movement`,
`encounters`, `bites` and `behaviour`. A scenario without people runs the model's reactions
on individuals with random mixing instead (mixing.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.agents.actions import SUPPORTED, BuildingActions
from hyosan.engines.agents.params import (
    ESCAPED,
    EV_BARRICADE,
    EV_BITE,
    EV_BROKEN,
    EV_ESCAPE,
    EV_HYBRID,
    EV_KILL,
    EV_RESCUE,
    EV_SACRIFICE,
    HUMAN,
    N_STATES,
    STATE_VOCAB,
    ZOMBIE,
    pack_parameters,
)
from hyosan.engines.base import Engine, Recorder, Streams
from hyosan.engines.watches import WatchArrays, watches
from hyosan.errors import EngineError

if TYPE_CHECKING:
    from hyosan.engines.agents.building import Plan
    from hyosan.engines.agents.people import Population
    from hyosan.scenario.schema import Cull, Scenario

__all__ = ["AgentsEngine"]

#: Default time step in a building, in seconds.
DEFAULT_STEP_S = 5.0
#: Simultaneous sounds the zombies can hear (older ones are replaced first).
SOUND_SLOTS = 96


def state_map(scenario: Scenario) -> np.ndarray:
    """For each agent state, the model compartment it is counted in."""
    comps = list(scenario.model.compartments.values())
    out = np.zeros(N_STATES, dtype=np.int64)
    for s, vocab in enumerate(STATE_VOCAB):
        hits = [i for i, c in enumerate(comps) if c.state == vocab]
        if not hits:
            have = ", ".join(sorted({c.state for c in comps}))
            raise EngineError(
                f"model: the agents engine counts people who are {vocab}, but the model has no "
                f"compartment of state {vocab!r} (it has {have}); add one, e.g. "
                f'X = {{ state = "{vocab}", in_population = false }}'
            )
        out[s] = hits[0]
    return out


@dataclass
class _BuildingRun:
    plan: Plan
    people: Population
    P: np.ndarray
    dt: float
    clock_start: float
    agents: dict[str, np.ndarray]
    rooms: dict[str, np.ndarray]
    edges: dict[str, np.ndarray]
    scratch: dict[str, np.ndarray]
    smap: np.ndarray
    cnt: np.ndarray
    comp: np.ndarray
    snap_at: np.ndarray
    snap_v: np.ndarray
    snap_n: np.ndarray
    watch: WatchArrays
    peak: np.ndarray
    events: dict[str, np.ndarray]
    ev_n: np.ndarray
    gens: tuple[np.random.Generator, ...]
    compartments: tuple[str, ...] = ()
    rec_times: np.ndarray = field(default_factory=lambda: np.empty(0))
    step_no: int = 0
    t: float = 0.0
    stopped_by: str = "horizon"
    actions: BuildingActions | None = None

    def emit(self, t: float, kind: int, actor: int, target: int, place: int) -> None:
        """Append an event to the log (between steps), growing it when full."""
        used = int(self.ev_n[0])
        if used >= self.events["t"].size:
            grown = _new_events(2 * self.events["t"].size)
            for k in _EVENT_KEYS:
                grown[k][:used] = self.events[k][:used]
            self.events = grown
        for k, v in zip(_EVENT_KEYS, (t, kind, actor, target, place, 0), strict=True):
            self.events[k][used] = v
        self.ev_n[0] = used + 1

    def recount(self) -> None:
        """Counts per state and compartment again, after states changed between steps."""
        self.cnt[:] = np.bincount(self.agents["st"], minlength=N_STATES)
        self.comp[:] = 0.0
        np.add.at(self.comp, self.smap, self.cnt.astype(np.float64))
        self.scratch["lists_n"][2] = 1  # the kernel's lists of zombies and people: rebuild


_AGENT_KEYS = (
    "st", "room", "dest", "via", "eta", "tr", "grp", "named", "t_turn", "t_bite", "hyb",
    "from_hyb", "nbites", "bstep", "hunger", "need", "loo", "aware", "busy", "lead", "lead_t",
    "zstr", "zagg", "goal", "corner", "sac", "refused", "biter", "used",
)  # fmt: skip
_ROOM_KEYS = (
    "rkind", "rfloor", "rx", "ry", "rarea", "rspeaker", "rpa", "rtoilet", "rsup", "rhiding",
    "rflesh", "rexit", "rmake", "rfirst", "pa_next",
)  # fmt: skip
_EDGE_KEYS = (
    "ea", "eb", "elen", "ebarr", "ezpass", "eoneway", "hp", "prog", "eside", "push",
    "adj_ptr", "adj_room", "adj_edge", "zhop", "zhop_e", "hhop", "hhop_e", "hdist",
    "snd_room", "snd_rad", "snd_end",
)  # fmt: skip
_SCRATCH_KEYS = (
    "nz", "nh", "npp", "noisy", "thr", "maxself", "maxself_i", "maxres", "maxres_i", "zlast_at",
    "head", "nxt", "ldr", "room_goal", "snd_best", "near_h", "quiet", "zl", "pl", "lists_n",
    "nzc",
)  # fmt: skip
_EVENT_KEYS = ("t", "kind", "actor", "target", "place", "aux")


def _new_events(size: int) -> dict[str, np.ndarray]:
    return {
        "t": np.zeros(size),
        "kind": np.zeros(size, dtype=np.int8),
        "actor": np.full(size, -1, dtype=np.int32),
        "target": np.full(size, -1, dtype=np.int32),
        "place": np.full(size, -1, dtype=np.int32),
        "aux": np.zeros(size, dtype=np.int32),
    }


class AgentsEngine(Engine):
    """Individuals with traits and behaviour in a building (or well mixed, for plain models)."""

    name = "agents"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "thresholds",
            "agents",
            "record.events",
            *SUPPORTED,
        }
    )

    def __init__(self, *, summary_only: bool = False) -> None:
        #: Leave out the event table and the per-room snapshots, which only a run directory
        #: shows; every figure of `summary()` and the series are the same either way. An
        #: ensemble's worker sets it: it keeps summaries and series and drops the rest.
        self.summary_only = summary_only

    # --- setup ---------------------------------------------------------------------------------

    def _setup(self, scenario: Scenario, streams: Streams) -> Any:
        if not scenario.describes_people:
            from hyosan.engines.agents.mixing import setup_mixing

            return setup_mixing(scenario, streams)
        return self._setup_building(scenario, streams)

    def _setup_building(self, scenario: Scenario, streams: Streams) -> _BuildingRun:
        from hyosan.engines.agents.building import compile_building
        from hyosan.engines.agents.people import make_population
        from hyosan.models.network import ReactionNetwork
        from hyosan.scenario.agents import AgentsOptions, Behaviour, Virus, Zombies

        assert scenario.building is not None  # describes_people and validated: it is there
        virus = scenario.virus or Virus()
        options = scenario.agents or AgentsOptions()
        plan = compile_building(scenario.building)
        people = make_population(scenario, plan, virus, streams.generator("world"))
        n, n_rooms, n_edges = people.n, plan.n_rooms, len(plan.ea)
        if n == 0:
            raise EngineError("people: the scenario places nobody in the building")
        P = pack_parameters(
            virus,
            scenario.zombies or Zombies(),
            scenario.behaviour or Behaviour(),
            scenario.building.storey_height,
        )
        smap = state_map(scenario)
        n_named = len(people.names)
        tol = float(P[_slot("sup_tol")])
        carried = (scenario.behaviour or Behaviour()).supplies.carried * 3600.0
        agents = {
            "st": people.state.copy(),
            "room": people.room.copy(),
            "dest": np.full(n, -1, np.int32),
            "via": np.full(n, -1, np.int32),
            "eta": np.zeros(n),
            "tr": people.traits.copy(),
            "grp": people.group.copy(),
            "named": np.where(np.arange(n) < n_named, np.arange(n), -1).astype(np.int32),
            "t_turn": people.t_turn.copy(),
            "t_bite": np.where(np.isfinite(people.t_turn), -1.0, np.inf),
            "hyb": people.hybrid.copy(),
            "from_hyb": np.zeros(n, np.int8),
            "nbites": np.where(np.isfinite(people.t_turn), 1, 0).astype(np.int32),
            "bstep": np.full(n, -1, np.int64),
            "hunger": np.zeros(n),
            "need": np.full(n, -carried / tol),
            "loo": np.zeros(n),
            "aware": people.aware.copy(),
            "busy": np.zeros(n),
            "lead": np.full(n, -1, np.int32),
            "lead_t": np.zeros(n),
            "zstr": np.zeros(n),
            "zagg": np.ones(n),
            "goal": np.full(n, -1, np.int32),
            "corner": np.zeros(n, np.int8),
            "sac": np.zeros(n, np.int8),
            "refused": np.full(n, -1, np.int32),
            "biter": np.full(n, -1, np.int32),
            "used": np.full(n, -1, np.int32),
        }
        rooms = {
            "rkind": plan.rkind,
            "rfloor": plan.floor,
            "rx": plan.x,
            "ry": plan.y,
            "rarea": plan.area,
            "rspeaker": plan.speaker,
            "rpa": plan.pa,
            "rtoilet": plan.toilet,
            "rsup": plan.supplies.copy(),
            "rhiding": plan.hiding,
            "rflesh": plan.flesh,
            "rexit": plan.nearest_outside,
            "rmake": np.zeros(n_rooms, np.bool_),
            "rfirst": np.full(n_rooms, -1.0),
            "pa_next": np.zeros(n_rooms),
        }
        edges = {
            "ea": plan.ea,
            "eb": plan.eb,
            "elen": plan.elen,
            "ebarr": plan.ebarr,
            "ezpass": plan.ezpass,
            "eoneway": plan.eoneway,
            "hp": np.zeros(n_edges),
            "prog": np.zeros(n_edges),
            "eside": np.full(n_edges, -1, np.int32),
            "push": np.zeros(n_edges, np.int32),
            "adj_ptr": plan.adj_ptr,
            "adj_room": plan.adj_room,
            "adj_edge": plan.adj_edge,
            "zhop": plan.zhop,
            "zhop_e": plan.zhop_e,
            "hhop": plan.hhop,
            "hhop_e": plan.hhop_e,
            "hdist": plan.hdist,
            "snd_room": np.full(SOUND_SLOTS, -1, np.int32),
            "snd_rad": np.zeros(SOUND_SLOTS),
            "snd_end": np.full(SOUND_SLOTS, -np.inf),
        }
        n_groups = int(people.group.max()) + 1 if n else 1
        scratch = {
            "nz": np.zeros(n_rooms, np.int32),
            "nh": np.zeros(n_rooms, np.int32),
            "npp": np.zeros(n_rooms, np.int32),
            "noisy": np.zeros(n_rooms, np.int32),
            "thr": np.zeros(n_rooms, np.int32),
            "maxself": np.zeros(n_rooms),
            "maxself_i": np.zeros(n_rooms, np.int32),
            "maxres": np.zeros(n_rooms),
            "maxres_i": np.zeros(n_rooms, np.int32),
            "zlast_at": np.zeros(n_rooms, np.int32),
            "head": np.zeros(n_rooms, np.int32),
            "nxt": np.zeros(n, np.int32),
            "ldr": np.zeros(n_groups, np.int32),
            "room_goal": np.zeros(n_rooms, np.int32),
            "snd_best": np.zeros(n_rooms, np.int32),
            "near_h": np.zeros(n_rooms, np.bool_),
            "quiet": np.zeros(n_rooms, np.bool_),
            # Unsigned, so that the kernel indexes with them without checks for negative
            # indices (11 % of a default run when they were signed).
            "zl": np.zeros(n, np.uint32),
            "pl": np.zeros(n, np.uint32),
            # Lengths of zl and pl; whether both must be rebuilt (first step: yes); whether
            # a zombie was destroyed since the last census.
            "lists_n": np.array([0, 0, 1, 0], np.int64),
            "nzc": np.zeros(n_rooms, np.int32),
        }
        cnt = np.bincount(agents["st"], minlength=N_STATES).astype(np.int64)
        comp = np.zeros(len(scenario.model.compartments))
        np.add.at(comp, smap, cnt)
        times = np.asarray(scenario.time.output_times())
        n_snap = min(
            scenario.record.snapshots if scenario.record.snapshots is not None else 200,
            times.size,
        )
        snap_at = np.unique(np.round(np.linspace(0, times.size - 1, max(n_snap, 1)))).astype(
            np.int64
        )
        if self.summary_only:
            snap_at = snap_at[:0]
        net = ReactionNetwork.from_scenario(scenario)
        watched = watches(scenario, net, comp)
        return _BuildingRun(
            plan=plan,
            people=people,
            P=P,
            dt=float(options.step) if options.step is not None else DEFAULT_STEP_S,
            clock_start=float(options.clock_start),
            agents=agents,
            rooms=rooms,
            edges=edges,
            scratch=scratch,
            smap=smap,
            cnt=cnt,
            comp=comp,
            snap_at=snap_at,
            snap_v=np.zeros((snap_at.size, n_rooms, comp.size)),
            snap_n=np.zeros(1, np.int64),
            watch=WatchArrays.of(watched, comp.size),
            peak=np.array([float(cnt[ZOMBIE]), 0.0]),
            events=_new_events(max(4096, 16 * n)),
            ev_n=np.zeros(1, np.int64),
            gens=tuple(
                streams.generator(s) for s in ("movement", "encounters", "bites", "behaviour")
            ),
            compartments=tuple(scenario.model.compartments),
            rec_times=times,
            actions=BuildingActions.build(scenario, plan) if scenario.acts else None,
        )

    # --- stepping ------------------------------------------------------------------------------

    def _advance(self, state: Any, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        if not isinstance(state, _BuildingRun):
            return state.advance(t0, t1, recorder, last)
        from hyosan.engines.agents.kernels import (
            STATUS_NEED_EVENTS,
            STATUS_STOPPED,
            advance_building,
        )

        rec_n = np.array([recorder.filled], dtype=np.int64)
        t = t0
        while True:
            t, status, state.step_no = advance_building(
                t,
                t1,
                state.dt,
                last,
                state.step_no,
                state.P,
                *(state.agents[k] for k in _AGENT_KEYS),
                *(state.rooms[k] for k in _ROOM_KEYS),
                *(state.edges[k] for k in _EDGE_KEYS),
                *(state.scratch[k] for k in _SCRATCH_KEYS),
                state.cnt,
                state.smap,
                state.comp,
                recorder.times,
                recorder.values,
                rec_n,
                state.snap_at,
                state.snap_v,
                state.snap_n,
                state.watch.weights,
                state.watch.levels,
                state.watch.below,
                state.watch.stop,
                state.watch.times,
                state.peak,
                *(state.events[k] for k in _EVENT_KEYS),
                state.ev_n,
                *state.gens,
            )
            recorder.filled = int(rec_n[0])
            state.t = float(t)
            if status == STATUS_NEED_EVENTS:
                size = state.events["t"].size * 2
                grown = _new_events(size)
                used = int(state.ev_n[0])
                for k in _EVENT_KEYS:
                    grown[k][:used] = state.events[k][:used]
                state.events = grown
                continue
            if status == STATUS_STOPPED:
                state.stopped_by = state.watch.stopper(t)
                return float(t)
            return t1

    def _change_times(self, state: Any, scenario: Scenario) -> list[float]:
        actions = getattr(state, "actions", None)
        return [] if actions is None else actions.times(float(scenario.time.horizon))

    def _intervene(self, state: Any, t: float) -> None:
        if not isinstance(state, _BuildingRun) or state.actions is None:
            raise EngineError("the agents engine carries out interventions only in a building")
        state.actions.apply(t, state)

    def _apply_cull(self, state: Any, cull: Cull, fraction: float) -> None:
        raise EngineError("the agents engine does not apply culls")  # "culls" not in supports

    def _counts(self, state: Any) -> np.ndarray:
        if not isinstance(state, _BuildingRun):
            return state.counts_now()
        comp = np.zeros_like(state.comp)
        np.add.at(comp, state.smap, state.cnt.astype(np.float64))
        return comp

    def _finish(
        self, state: Any
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        if not isinstance(state, _BuildingRun):
            return state.finish()

        crossings, exact = state.watch.figures(state.peak)
        n = state.people.n
        diagnostics = {
            "steps": int(state.step_no),
            "agent_steps": int(state.step_no) * n,
            "events": int(state.ev_n[0]),
            "step_s": state.dt,
        }
        return crossings, exact, diagnostics

    # --- outputs -------------------------------------------------------------------------------

    def _outputs(self, state: Any) -> dict[str, Any]:
        if not isinstance(state, _BuildingRun):
            return state.outputs()
        from hyosan.engines.agents.narrative import events_table, fates

        used = int(state.ev_n[0])
        ev = {k: v[:used] for k, v in state.events.items()}
        people, plan = state.people, state.plan
        st, room = state.agents["st"], state.agents["room"]
        fate_text, fate_rows = fates(
            ev, people.names, people.roles, st, room, plan.names, state.clock_start, state.t
        )
        # The event table (a sentence for each event of a named character) costs more than
        # the rest of the outputs together; a summary needs only the fates and the counts.
        table = (
            None
            if self.summary_only
            else events_table(
                ev, people.names, people.roles, plan.names, state.clock_start, fate_rows
            )
        )
        survivors = tuple(
            name
            for i, name in enumerate(people.names)
            if STATE_VOCAB[int(st[i])] in ("human", "safe")
        )
        kinds = ev["kind"]

        def count(kind: int) -> int:
            return int(np.count_nonzero(kinds == kind))

        alive = np.isin(st, [HUMAN, ESCAPED])
        extra = {
            "fates": fate_text,
            "people": int(people.n),
            "n_students_alive": int(np.count_nonzero(alive & (people.roles == 0))),
            "n_bites": count(EV_BITE),
            "n_zombies_destroyed": count(EV_KILL),
            "n_barricades": count(EV_BARRICADE),
            "n_barricades_broken": count(EV_BROKEN),
            "n_rescues": count(EV_RESCUE),
            "n_sacrifices": count(EV_SACRIFICE),
            "n_hybrids": count(EV_HYBRID),
            "n_escaped": count(EV_ESCAPE),
            "clock_start_s": state.clock_start,
        }
        if state.actions is not None:
            extra["interventions"] = state.actions.report()
        return {
            "events": table,
            "places": None if self.summary_only else self._places(state),
            "survivors": survivors,
            "extra": extra,
        }

    @staticmethod
    def _places(state: _BuildingRun) -> Any:
        import pyarrow as pa

        plan = state.plan
        n_snap = int(state.snap_n[0])
        snap = state.snap_v[:n_snap]
        times = state.rec_times[state.snap_at[:n_snap]]
        columns: dict[str, Any] = {
            "name": pa.array(plan.names, pa.string()),
            "kind": pa.array(plan.kinds, pa.string()),
            "floor": pa.array(plan.floor.astype(np.int64), pa.int64()),
            "x": pa.array(plan.x, pa.float64()),
            "y": pa.array(plan.y, pa.float64()),
            "t_first_zombie_s": pa.array(
                [None if v < 0 else float(v) for v in state.rooms["rfirst"]], pa.float64()
            ),
        }
        for c, name in enumerate(state.compartments):
            # One fixed-size list per room: its count at each snapshot time.
            values = np.ascontiguousarray(snap[:, :, c].T).reshape(-1)
            columns[name] = pa.FixedSizeListArray.from_arrays(
                pa.array(values, pa.float64()), max(n_snap, 1)
            )
        meta = {"snapshot_times_s": json.dumps([float(t) for t in times])}
        return pa.table(columns, metadata=meta)


def _slot(name: str) -> int:
    from hyosan.engines.agents import params

    return int(getattr(params, "P_" + name.upper()))

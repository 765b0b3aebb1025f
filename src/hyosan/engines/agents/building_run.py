"""A building run: people with traits in a floor plan, stepped by the compiled step loop.

`setup_building` makes a `BuildingRun` from a scenario; the engine's hooks call its methods
(the `AgentsRun` protocol, run.py). Between calls of the step loop (step.py) the run grows its
event log when full, and carries out interventions (actions.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.agents.actions import BuildingActions
from hyosan.engines.agents.params import (
    BITTEN,
    BY_STRIKE,
    BY_TROOPS,
    DEAD,
    DESTROYED,
    ESCAPED,
    EV_BARRICADE,
    EV_BITE,
    EV_BROKEN,
    EV_DEATH,
    EV_ESCAPE,
    EV_HYBRID,
    EV_KILL,
    EV_RESCUE,
    EV_SACRIFICE,
    EV_TURN,
    HUMAN,
    HYBRID,
    N_STATES,
    STATE_VOCAB,
    ZOMBIE,
    Params,
)
from hyosan.engines.agents.state import (
    Agents,
    Census,
    Counts,
    Draws,
    Passages,
    Rooms,
    Sounds,
    new_agents,
    new_census,
    new_counts,
    new_sounds,
    passages_of,
    rooms_of,
)
from hyosan.engines.base import Outputs
from hyosan.engines.kernel import EventLog, Records, Status, Watched, new_event_log
from hyosan.engines.watches import WatchArrays, watches
from hyosan.errors import EngineError
from hyosan.results.summary import Fate, People

if TYPE_CHECKING:
    from hyosan.engines.agents.building import FloorPlan
    from hyosan.engines.agents.people import Population
    from hyosan.engines.base import Recorder, Streams
    from hyosan.results.epidemic import ReactionCounts
    from hyosan.scenario.schema import Scenario

__all__ = ["DEFAULT_STEP_S", "BuildingRun", "setup_building", "state_map"]

#: Default time step in a building, in seconds.
DEFAULT_STEP_S = 5.0
#: The random streams of a building run, in the order of `Draws`.
STREAMS = ("movement", "encounters", "bites", "behaviour")


def _draws(streams: Streams) -> Draws:
    """The run's generators: one per name of STREAMS, then awareness's own."""
    movement, encounters, bites, behaviour = (streams.generator(s) for s in STREAMS)
    return Draws(movement, encounters, bites, behaviour, _awareness_stream(streams))


def _awareness_stream(streams: Streams) -> np.random.Generator:
    """Awareness's own stream (the first child of `behaviour`)."""
    return _child_of_behaviour(streams, 0)


def _child_of_behaviour(streams: Streams, k: int) -> np.random.Generator:
    """The k-th child stream of `behaviour`, made without spawning from it.

    The engines' stream names are shared (engines/base.py); a child derived by its spawn key
    leaves the `behaviour` stream and every other as they were, so a rule with its own child
    (awareness: 0, the troops' pickups: 1) reshuffles no other draws.
    """
    parent = streams.seed_sequence("behaviour")
    child = np.random.SeedSequence(
        parent.entropy, spawn_key=(*parent.spawn_key, k), pool_size=parent.pool_size
    )
    return np.random.Generator(np.random.PCG64(child))


#: Logged events that move one person between states: (kind, state before, state after).
#: An escape moves whoever escapes: a human, or someone bitten who has not turned yet (the
#: flight to the gates takes them too), counted as two reactions.
_REACTION_EVENTS: tuple[tuple[str, int, int, int], ...] = (
    ("bite", EV_BITE, HUMAN, BITTEN),
    ("turn", EV_TURN, BITTEN, ZOMBIE),
    ("hybrid", EV_HYBRID, BITTEN, HYBRID),
    ("kill", EV_KILL, ZOMBIE, DESTROYED),
    ("death", EV_DEATH, HUMAN, DEAD),
    ("escape", EV_ESCAPE, HUMAN, ESCAPED),
    ("escape_bitten", EV_ESCAPE, BITTEN, ESCAPED),
)
#: What a strike does to each state it hits, as reactions of their own (a run with a strike
#: only): (reaction, the Strike tally's key, state before, state after). Only the named
#: characters it hits have events, so the tallies, not the log, count them.
_STRIKE_REACTIONS: tuple[tuple[str, str, int, int], ...] = (
    ("strike_death", "human", HUMAN, DEAD),
    ("strike_death_bitten", "bitten", BITTEN, DEAD),
    ("strike_death_hybrid", "hybrid", HYBRID, DEAD),
    ("strike_destroyed", "zombie", ZOMBIE, DESTROYED),
)


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


def _grown(log: EventLog, size: int) -> EventLog:
    """A log of `size` rows holding the rows used of `log`."""
    used = int(log.n[0])
    out = new_event_log(size, log.kind.dtype.type)
    for old, new in zip(log[:-1], out[:-1], strict=True):
        new[:used] = old[:used]
    out.n[0] = used
    return out


@dataclass
class BuildingRun:
    """State of one building run, and what the engine's hooks do with it."""

    plan: FloorPlan
    people: Population
    params: Params
    clock_start: float
    agents: Agents
    rooms: Rooms
    passages: Passages
    sounds: Sounds
    census: Census
    counts: Counts
    snap_times: np.ndarray  # the output times with a snapshot per room
    snaps: np.ndarray  # (snapshots, rooms, compartments)
    cursor: np.ndarray  # int64[2]: the next output, the next snapshot
    watch: WatchArrays
    watched: Watched  # the same levels and crossing times, and the zombie peak
    log: EventLog
    draws: Draws
    compartments: tuple[str, ...]
    compartment_states: tuple[str, ...]  # the vocabulary state of each compartment
    rec_times: np.ndarray
    actions: BuildingActions | None
    summary_only: bool
    start_zombie_rooms: np.ndarray  # the room of each zombie at t = 0
    step_no: int = 0
    t: float = 0.0
    stopped_by: str = "horizon"

    # --- the engine's hooks ------------------------------------------------------------------

    def advance(self, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        """Steps from t0 to t1 (see Engine._advance)."""
        from hyosan.engines.agents.precompile import compile_ahead
        from hyosan.engines.agents.step import advance_building

        self.cursor[0] = recorder.filled
        no_tally = np.zeros(0, dtype=np.int64)  # the reactions are read from the event log
        records = Records(
            recorder.times,
            recorder.values,
            self.snap_times,
            self.snaps,
            self.cursor,
            no_tally,
            recorder.tallies,
        )
        # The first run on a machine compiles the step loop's phases on two cores at once.
        compile_ahead(
            advance_building,
            (t0, t1, last, self.step_no, self.params, self.agents, self.rooms, self.passages,
             self.sounds, self.census, self.counts, records, self.watched, self.log, self.draws),
        )  # fmt: skip
        t = t0
        while True:
            t, status, self.step_no = advance_building(
                t, t1, last, self.step_no, self.params, self.agents, self.rooms, self.passages,
                self.sounds, self.census, self.counts, records, self.watched, self.log, self.draws,
            )  # fmt: skip
            recorder.filled = int(self.cursor[0])
            self.t = float(t)
            if status == Status.LOG_FULL:
                self.log = _grown(self.log, 2 * self.log.t.size)
                continue
            if status == Status.STOPPED:
                self.stopped_by = self.watch.stopper(t)
                return float(t)
            return t1

    def counts_now(self) -> np.ndarray:
        """The compartments' totals now."""
        comp = np.zeros_like(self.counts.totals)
        np.add.at(comp, self.counts.compartment, self.counts.by_state.astype(np.float64))
        return comp

    def change_times(self, scenario: Scenario) -> list[float]:
        """When interventions act."""
        return [] if self.actions is None else self.actions.times(float(scenario.time.horizon))

    def intervene(self, t: float) -> None:
        """Carry out the interventions of time t."""
        if self.actions is None:
            raise EngineError("the agents engine carries out interventions only in a building")
        self.actions.apply(t, self)

    def finish(self) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        """Crossings, exact figures and diagnostics."""
        crossings, exact = self.watch.figures(self.watched.peak)
        diagnostics = {
            "steps": int(self.step_no),
            "agent_steps": int(self.step_no) * self.people.n,
            "events": int(self.log.n[0]),
            "step_s": self.params.step_s,
        }
        return crossings, exact, diagnostics

    def outputs(self) -> Outputs:
        """The events, per-room snapshots, survivors, and the people's figures and fates."""
        from hyosan.engines.agents.narrative import events_table, fates
        from hyosan.engines.agents.opening import Opening

        ev = self.events()
        people, plan = self.people, self.plan
        st, room = self.agents.state, self.agents.room
        fate_text, fate_rows = fates(
            ev, people.names, people.roles, st, room, plan.names, self.clock_start, self.t
        )
        # The event table (a sentence for each event of a named character) costs more than
        # the rest of the outputs together; a summary needs only the fates and the counts.
        table = (
            None
            if self.summary_only
            else events_table(
                ev, people.names, people.roles, plan.names, self.clock_start, fate_rows
            )
        )
        kinds = ev["kind"]
        # Someone bitten who got out before turning is safe by state but carries the bite:
        # neither a survivor nor alive in the show's sense.
        bitten = np.zeros(st.size, dtype=np.bool_)
        hit = ev["target"][kinds == EV_BITE]
        bitten[hit[hit >= 0]] = True
        survivors = tuple(
            name
            for i, name in enumerate(people.names)
            if STATE_VOCAB[int(st[i])] in ("human", "safe") and not bitten[i]
        )

        def count(kind: int) -> int:
            return int(np.count_nonzero(kinds == kind))

        alive = np.isin(st, [HUMAN, ESCAPED]) & ~bitten
        overrun = self.watch.figures(self.watched.peak)[1]["t_overrun_s"]
        figures = People(
            fates=tuple(Fate(name, text) for name, text in fate_text.items()),
            people=int(people.n),
            n_students_alive=int(np.count_nonzero(alive & (people.roles == 0))),
            n_bites=count(EV_BITE),
            # By people: the strike's named victims carry a kill event of their own.
            n_zombies_destroyed=int(
                np.count_nonzero((kinds == EV_KILL) & (ev["aux"] != BY_STRIKE))
            ),
            n_barricades=count(EV_BARRICADE),
            n_barricades_broken=count(EV_BROKEN),
            n_rescues=count(EV_RESCUE),
            n_sacrifices=count(EV_SACRIFICE),
            n_hybrids=count(EV_HYBRID),
            n_escaped=count(EV_ESCAPE),
            clock_start_s=self.clock_start,
            story=Opening(
                ev, people.names, plan.names, st, room, self.clock_start, overrun, plan.kinds
            ).text(),
        )
        return Outputs(
            events=table,
            places=None if self.summary_only else self.places(),
            survivors=survivors,
            people=figures,
            interventions=None if self.actions is None else self.actions.report(),
        )

    def tally(self) -> None:
        """None: a building run's reactions are its logged events (`counted_reactions`)."""
        return None

    def counted_reactions(self, times: np.ndarray, tallies: np.ndarray) -> ReactionCounts:
        """The events that move a person between compartments, counted at the recorded times.

        Each kind is one change of state (a person's first bite makes them bitten, a kill
        destroys a zombie, ...), counted up to and including each recorded time. A run with
        a strike has four more, from the strike's tallies: the people it killed in each state
        and the zombies it destroyed (its named victims' events are not counted as kills or
        deaths by people).
        """
        ev = self.events()
        comp = self.counts.compartment
        strikes = [] if self.actions is None else self.actions.strikes
        if strikes:
            # (`aux` is each kind's own detail: BY_STRIKE means the strike on kills and deaths.)
            by_strike = np.isin(ev["kind"], [EV_KILL, EV_DEATH]) & (ev["aux"] == BY_STRIKE)
            by_people = ~by_strike
            ev = {k: v[by_people] for k, v in ev.items()}
        shoots = self.actions is not None and any(BITTEN in h.states for h in self.actions.hunts)
        shot = np.zeros(0)
        if shoots:
            # A sweep's deaths are of the bitten (its kills are of zombies, as anyone's).
            by_troops = (ev["kind"] == EV_DEATH) & (ev["aux"] == BY_TROOPS)
            shot = np.sort(ev["t"][by_troops])
            ev = {k: v[~by_troops] for k, v in ev.items()}
        # Each person's first bite (a later one changes no state): when they became bitten.
        bites = ev["kind"] == EV_BITE
        order = np.argsort(ev["t"][bites], kind="stable")
        bitten, first = np.unique(ev["target"][bites][order], return_index=True)
        bitten_at = ev["t"][bites][order][first]
        stoich = np.zeros((len(_REACTION_EVENTS), len(self.compartments)))
        counts = np.zeros((len(times), len(_REACTION_EVENTS)))
        for j, (_, kind, before, after) in enumerate(_REACTION_EVENTS):
            stoich[j, comp[before]] -= 1.0
            stoich[j, comp[after]] += 1.0
            if kind == EV_BITE:
                when = bitten_at
            else:
                mine = ev["kind"] == kind
                when = ev["t"][mine]
            if kind == EV_ESCAPE:
                # Who escaped bitten: their first bite came before their escape.
                who = ev["actor"][mine]
                at = np.minimum(np.searchsorted(bitten, who), max(bitten.size - 1, 0))
                was_bitten = np.zeros(who.size, dtype=bool)
                if bitten.size:
                    was_bitten = (bitten[at] == who) & (bitten_at[at] < when)
                when = when[was_bitten] if before == BITTEN else when[~was_bitten]
            when = np.sort(when)
            counts[:, j] = np.searchsorted(when, times, side="right")
        names = [name for name, _, _, _ in _REACTION_EVENTS]
        if strikes:
            assert self.actions is not None
            struck = np.zeros((len(times), len(_STRIKE_REACTIONS)))
            extra = np.zeros((len(_STRIKE_REACTIONS), len(self.compartments)))
            for j, (name, key, before, after) in enumerate(_STRIKE_REACTIONS):
                names.append(name)
                extra[j, comp[before]] -= 1.0
                extra[j, comp[after]] += 1.0
                for tally in self.actions.tallies:
                    if tally.t_s is not None:
                        struck[:, j] += np.where(times >= tally.t_s, tally.hit.get(key, 0), 0)
            counts = np.hstack([counts, struck])
            stoich = np.vstack([stoich, extra])
        if shoots:
            names.append("shot_bitten")
            row = np.zeros((1, len(self.compartments)))
            row[0, comp[BITTEN]] -= 1.0
            row[0, comp[DEAD]] += 1.0
            stoich = np.vstack([stoich, row])
            counts = np.hstack([counts, np.searchsorted(shot, times, side="right")[:, None]])
        from hyosan.results.epidemic import ReactionCounts

        return ReactionCounts(names=tuple(names), counts=counts, stoichiometry=stoich)

    # --- between steps -----------------------------------------------------------------------

    def events(self) -> dict[str, np.ndarray]:
        """The events logged so far, by column (the narrative's names: `aux` is the detail)."""
        log, used = self.log, int(self.log.n[0])
        return {
            "t": log.t[:used],
            "kind": log.kind[:used],
            "actor": log.actor[:used],
            "target": log.target[:used],
            "place": log.place[:used],
            "aux": log.detail[:used],
        }

    def emit(self, t: float, kind: int, actor: int, target: int, place: int, aux: int = 0) -> None:
        """Append an event to the log (between steps), growing it when full."""
        if int(self.log.n[0]) >= self.log.t.size:
            self.log = _grown(self.log, 2 * self.log.t.size)
        k = int(self.log.n[0])
        for column, v in zip(self.log[:-1], (t, kind, actor, target, place, aux), strict=True):
            column[k] = v
        self.log.n[0] = k + 1

    def recount(self) -> None:
        """Counts per state and compartment again, after states changed between steps."""
        self.counts.by_state[:] = np.bincount(self.agents.state, minlength=N_STATES)
        self.counts.totals[:] = 0.0
        np.add.at(self.counts.totals, self.counts.compartment, self.counts.by_state.astype(float))
        self.census.lists[2] = 1  # the step loop's lists of zombies and people: rebuild

    def _first_zombie_at(self) -> np.ndarray:
        """When each room first held a zombie (-1: never): the kernel marks a zombie walking
        in; someone turning there, or a zombie there from the start, counts as well."""
        first = np.where(self.rooms.first_zombie_at < 0, np.inf, self.rooms.first_zombie_at)
        ev = self.events()
        turned = ev["kind"] == EV_TURN
        np.minimum.at(first, ev["place"][turned], ev["t"][turned])
        first[self.start_zombie_rooms] = 0.0
        return np.where(np.isinf(first), -1.0, first)

    def places(self) -> Any:
        """The rooms, with their counts at each snapshot time (places.parquet)."""
        import pyarrow as pa

        from hyosan.results import arrow

        plan = self.plan
        n_snap = int(self.cursor[1])
        if n_snap == 0 and self.snap_times.size:
            # Stopped before the first record (a stopping level passed at the start): the
            # rooms as they began.
            where = (self.agents.room, self.counts.compartment[self.agents.state])
            np.add.at(self.snaps[0], where, 1.0)
            n_snap = 1
        snap = self.snaps[:n_snap]
        times = self.snap_times[:n_snap]
        first = self._first_zombie_at()
        columns: dict[str, Any] = {
            "name": arrow.strings(plan.names),
            "kind": arrow.strings(plan.kinds),
            "floor": arrow.ints(plan.floor),
            "x": arrow.floats(plan.x),
            "y": arrow.floats(plan.y),
            "t_first_zombie_s": arrow.floats(first, valid=first >= 0),  # null: no zombie came
        }
        for c, name in enumerate(self.compartments):
            # One fixed-size list per room: its count at each snapshot time.
            values = np.ascontiguousarray(snap[:, :, c].T).reshape(-1)
            columns[name] = pa.FixedSizeListArray.from_arrays(arrow.floats(values), max(n_snap, 1))
        meta = {
            "snapshot_times_s": json.dumps([float(t) for t in times]),
            "compartments": json.dumps(list(self.compartments)),
            # Each compartment's state, so that a reader of the file alone (the report) knows
            # which counts are zombies without the scenario.
            "states": json.dumps(list(self.compartment_states)),
        }
        return arrow.table(columns, metadata=meta)


def _snapshot_times(scenario: Scenario, times: np.ndarray, summary_only: bool) -> np.ndarray:
    """The output times with a per-room snapshot: `record.snapshots` of them, evenly spread.

    By default every output time: a building has a few dozen rooms, so this costs little (the
    default run's places.parquet is about 250 kB), and the report can then put its frames where
    things happen, which in a school outbreak is the first minutes.
    """
    wanted = scenario.record.snapshots if scenario.record.snapshots is not None else times.size
    n_snap = min(wanted, times.size)
    at = np.unique(np.round(np.linspace(0, times.size - 1, max(n_snap, 1)))).astype(np.int64)
    return times[at[:0] if summary_only else at]


def _watched(scenario: Scenario, counts: Counts) -> tuple[WatchArrays, Watched]:
    """The scenario's watched levels, and the zombie peak (of the zombies' compartment)."""
    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scenario)
    arrays = WatchArrays.of(watches(scenario, net, counts.totals), counts.totals.size)
    zombie = np.zeros(counts.totals.size)
    zombie[counts.compartment[ZOMBIE]] = 1.0
    peak = np.array([float(counts.by_state[ZOMBIE]), 0.0])
    w = arrays
    return arrays, Watched(w.weights, w.levels, w.below, w.stop, w.times, zombie, peak)


def setup_building(
    scenario: Scenario, streams: Streams, summary_only: bool, reuse: bool = False
) -> BuildingRun:
    """A building run of a scenario that places people in a `[building]` (its floor plan
    compiled once per process with `reuse`: building.kept_floor_plan)."""
    from hyosan.engines.agents.building import compile_building, kept_floor_plan
    from hyosan.engines.agents.people import make_population
    from hyosan.scenario.agents import AgentsOptions, Behaviour, Virus, Zombies

    assert scenario.building is not None  # describes_people and validated: it is there
    virus = scenario.virus or Virus()
    behaviour = scenario.behaviour or Behaviour()
    options = scenario.agents or AgentsOptions()
    plan = kept_floor_plan(scenario.building) if reuse else compile_building(scenario.building)
    people = make_population(scenario, plan, virus, streams.generator("world"))
    n = people.n
    if n == 0:
        raise EngineError("people: the scenario places nobody in the building")
    step = float(options.step) if options.step is not None else DEFAULT_STEP_S
    clock = (float(options.clock_start), float(options.sunrise), float(options.sunset))
    zombies = scenario.zombies or Zombies()
    params = Params.of(virus, zombies, behaviour, scenario.building.storey_height, step, clock)
    agents = new_agents(
        people,
        len(people.names),
        plan.n_rooms,
        behaviour.supplies.carried * 3600.0,
        params.supplies_tolerance,
    )
    counts = new_counts(agents.state, state_map(scenario), len(scenario.model.compartments))
    times = np.asarray(scenario.time.output_times())
    snap_times = _snapshot_times(scenario, times, summary_only)
    watch, watched = _watched(scenario, counts)
    return BuildingRun(
        plan=plan,
        people=people,
        params=params,
        clock_start=float(options.clock_start),
        agents=agents,
        rooms=rooms_of(plan),
        passages=passages_of(plan),
        sounds=new_sounds(),
        census=new_census(n, plan.n_rooms, int(people.group.max()) + 1),
        counts=counts,
        snap_times=snap_times,
        snaps=np.zeros((snap_times.size, plan.n_rooms, counts.totals.size)),
        cursor=np.zeros(2, np.int64),
        watch=watch,
        watched=watched,
        log=new_event_log(max(4096, 16 * n), np.int8),
        draws=_draws(streams),
        compartments=tuple(scenario.model.compartments),
        compartment_states=tuple(c.state for c in scenario.model.compartments.values()),
        rec_times=times,
        start_zombie_rooms=agents.room[agents.state == ZOMBIE].copy(),
        actions=(
            BuildingActions.build(scenario, plan, _child_of_behaviour(streams, 1))
            if scenario.acts
            else None
        ),
        summary_only=summary_only,
    )

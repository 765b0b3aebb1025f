"""What the population engines (ssa, tau) share: the state of a run and the hooks around a kernel.

Both engines count people per place on a graph of places (engines/spatial.py) and run a piece
of the simulation in one compiled call. This module holds the state they share (`PopulationRun`)
and the engine hooks that do not depend on how a kernel draws its events: the setup of the
world, the counts, the watch and the records (`PopulationEngine._setup`); the loop around a
kernel call that acts on its `Status` (`_advance`); culls, intervention changes, the final
figures and the outputs. Each engine fills in its kernel's own state (`_prepare`), the call
(`_call`), what to do after the counts or the channels changed outside the kernel
(`_refresh`), and its diagnostics.

It also defines the named state passed across the Numba boundary to both kernels: the graph,
the places' counts, and the clock of a piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar, cast

import numpy as np

from hyosan.engines.base import Engine, Outputs, Recorder, Streams
from hyosan.engines.schedules import step_factors
from hyosan.engines.spatial import (
    Layout,
    cull_places,
    edge_mask,
    enter_piece,
    snapshot_times,
    spatial_outputs,
)
from hyosan.engines.watches import WatchArrays, watches

if TYPE_CHECKING:
    from hyosan.engines.kernel import Records, Status, Watched
    from hyosan.results.epidemic import ReactionCounts
    from hyosan.scenario.schema import Cull, Scenario
    from hyosan.world.cache import WorldCache
    from hyosan.world.graph import World

__all__ = ["Clock", "Graph", "Places", "PopulationEngine", "PopulationRun", "graph_of"]


class Graph(NamedTuple):
    """The world's edges as the kernels read them (CSR), and the same edges turned round.

    Place p's edges are indices[indptr[p]:indptr[p + 1]] with `weights` (empty: every weight
    is 1) and weight sums `wsum` (empty when unweighted). The reversed arrays list for each
    place the places with an edge into it (the same arrays when every edge goes both ways with
    the same weight).
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    wsum: np.ndarray
    rindptr: np.ndarray
    rindices: np.ndarray
    rweights: np.ndarray


def graph_of(world: World, reversed_edges: bool = True) -> Graph:
    """The graph of `world` (with its edge weights now); `reversed_edges=False` leaves the
    forward arrays in place of the reversed ones, for a kernel that never reads them."""
    wsum = world.weight_sums() if world.weighted else np.empty(0)
    back = world.reversed_edges() if reversed_edges else (world.indptr, world.indices)
    if not reversed_edges:
        back = (*back, world.weights)
    return Graph(world.indptr, world.indices, world.weights, wsum, *back)


class Places(NamedTuple):
    """What a kernel changes place by place: the counts and what follows from them."""

    x: np.ndarray  # (places, compartments): the counts
    tot: np.ndarray  # (compartments,): their totals
    nbs: np.ndarray  # float64 (places, columns): the neighbour sums the channels read
    first_z: np.ndarray  # float64 (places,): when a zombie first came, nan until then
    edge: np.ndarray  # bool (places,): the border, when the run stops there; else empty


class Clock(NamedTuple):
    """The piece a kernel call runs: from t to `end`, recording at `end` only if it is the
    last piece (`include_end`), pausing after `pause` events (kernel.PAUSE_EVERY)."""

    t: float
    end: float
    include_end: bool
    pause: int


@dataclass
class PopulationRun:
    """The state of one run of a population engine; each engine adds its kernel's own."""

    scenario: Scenario
    layout: Layout
    channels: Any  # the channels the kernel reads (Channels, or tau's TauChannels)
    names: list[str]  # the name of each channel, for events_by_kind and the event log
    places: Places
    graph: Graph
    rng: np.random.Generator  # the `events` stream
    cull_rng: np.random.Generator  # the `encounters` stream
    watch: WatchArrays
    watched: Watched  # the same watch, with the zombie peak, as the kernels read it
    counts: np.ndarray  # int64 (channels,): events of each
    snap_times: np.ndarray
    snaps: np.ndarray
    base_rates: np.ndarray  # each channel's rate where it acts, before interventions
    piece: World  # the world with the edge weights of this piece
    #: The rate table of this piece before the schedule factors (None: no schedules).
    unscheduled: np.ndarray | None = None
    #: Each channel's schedule factor in this piece (None: no schedules).
    factors: np.ndarray | None = None
    snap_next: int = 0
    stopped_by: str = "horizon"

    @property
    def x(self) -> np.ndarray:
        """The counts per place."""
        return self.places.x

    @property
    def tot(self) -> np.ndarray:
        """The totals of the counts."""
        return self.places.tot

    def records(self, recorder: Recorder) -> Records:
        """Where the kernel writes this piece's records (read back with `recorded`)."""
        from hyosan.engines.kernel import Records

        cursor = np.array([recorder.filled, self.snap_next], dtype=np.int64)
        return Records(
            recorder.times,
            recorder.values,
            self.snap_times,
            self.snaps,
            cursor,
            self.counts,
            recorder.tallies,
        )

    def recorded(self, rec: Records, recorder: Recorder) -> None:
        """Take back how far the kernel wrote the records."""
        recorder.filled = int(rec.cursor[0])
        self.snap_next = int(rec.cursor[1])


#: The run state of a population engine.
R = TypeVar("R", bound=PopulationRun)


class PopulationEngine(Engine, Generic[R]):
    """The hooks ssa and tau share; subclasses run their own kernel (see the module docstring).

    `R` is the engine's run state: PopulationRun with its kernel's own state added.
    """

    #: The class of a run's state: R with the kernel's own state added.
    run_type: ClassVar[type[PopulationRun]] = PopulationRun
    #: Whether the kernel reads the graph's reversed edges.
    reversed_edges: ClassVar[bool] = True
    #: Whether the snapshot times change the run (tau ends a leap at each): if not, a run
    #: that keeps only its summary takes no snapshots.
    snapshots_steer: ClassVar[bool] = True

    def _setup(self, scenario: Scenario, streams: Streams) -> R:
        # One well-mixed place is never worth a template (reuse.REUSE_PLACES): build it
        # without digesting the scenario, which would cost a run of its own.
        if not self.reuse or scenario.world is None:
            return self._build(scenario, streams)
        from hyosan.engines import reuse

        settings = tuple(sorted((k, repr(v)) for k, v in vars(self).items()))
        key = (type(self), settings, reuse.scenario_key(scenario))
        template = reuse.TEMPLATES.get(key)
        if template is None:
            world_rng = streams.generator("world")
            before = world_rng.bit_generator.state
            run = self._build(scenario, streams, world_rng, reuse.WORLDS)
            # Kept only when nothing in it came from the seed (see engines/reuse.py).
            if (
                world_rng.bit_generator.state == before
                and run.layout.plan is None
                and run.layout.world.n_places >= reuse.REUSE_PLACES
                and sum(a.nbytes for a in reuse.arrays_of(run, self._shared(run)))
                <= reuse.REUSE_BYTES
                and reuse.TEMPLATES.wanted(key)
            ):
                kept = self._start(run, [], streams)
                zeros = reuse.zero_arrays(kept, self._shared(kept))
                reuse.TEMPLATES.put(key, (kept, zeros))
            return run
        kept, zeros = template
        run = self._start(kept, zeros, streams)
        run.scenario = scenario
        return run

    def _start(self, template: R, zeros: list[np.ndarray], streams: Streams) -> R:
        """A run from a copy of `template` (a run's state before its first event), with the
        random streams of `streams`; its arrays `zeros` (all zero) made afresh, not copied."""
        from hyosan.engines import reuse

        run: R = reuse.start_from(template, self._shared(template), zeros)
        run.rng = streams.generator("events")
        run.cull_rng = streams.generator("encounters")
        return run

    def _shared(self, state: R) -> tuple[object, ...]:
        """The parts of a run's state that no run writes: copies of a run share them."""
        return (
            state.scenario,
            state.layout,
            state.graph,
            state.piece,
            state.rng,
            state.cull_rng,
        )

    def _build(
        self,
        scenario: Scenario,
        streams: Streams,
        world_rng: np.random.Generator | None = None,
        worlds: WorldCache | None = None,
    ) -> R:
        """A run's state built from nothing (the world from `worlds` when it holds it)."""
        from hyosan.engines.kernel import Watched

        if world_rng is None:
            world_rng = streams.generator("world")
        layout = Layout.from_scenario(scenario, world_rng, worlds)
        channels, names = layout.channels()
        channels = self._compile(layout, channels, names)
        net, world = layout.net, layout.world
        x = self._counts_of(layout.x0)
        n, n_c = x.shape
        tot = x.sum(axis=0)
        watch = WatchArrays.of(watches(scenario, net, tot), n_c)
        zombie = net.weights("zombie")
        peak = np.array([float(zombie @ tot), 0.0])
        snap_times = snapshot_times(scenario, n, n_c)
        if self.summary_only and not self.snapshots_steer:
            snap_times = np.empty(0)  # an ensemble keeps no places table
        # run_type is R's class (a class variable cannot name a type variable: hence the cast).
        run = cast("type[R]", self.run_type)(
            scenario=scenario,
            layout=layout,
            channels=channels,
            names=names,
            places=Places(
                x=x,
                tot=tot,
                nbs=np.zeros((n, self._columns(channels))),
                first_z=np.where((x[:, layout.zmask] > 0).any(axis=1), 0.0, np.nan),
                edge=edge_mask(scenario, world),
            ),
            graph=self._graph(world, worlds),
            rng=streams.generator("events"),
            cull_rng=streams.generator("encounters"),
            watch=watch,
            watched=Watched(
                watch.weights, watch.levels, watch.below, watch.stop, watch.times, zombie, peak
            ),
            counts=np.zeros(len(names), dtype=np.int64),
            snap_times=snap_times,
            snaps=np.zeros((snap_times.size, n, n_c), dtype=np.int32),
            base_rates=channels.rate[0].copy(),
            piece=world,
        )
        if scenario.scheduled:
            run.unscheduled = channels.rate.copy()
            run.factors = np.ones(channels.rate.shape[1])
        self._prepare(run)
        return run

    def _graph(self, world: World, worlds: WorldCache | None) -> Graph:
        """The graph of `world` as the kernel reads it (kept with the world in `worlds`)."""
        if worlds is None:
            return graph_of(world, self.reversed_edges)
        reverse = self.reversed_edges
        return worlds.graph(world, reverse, lambda: graph_of(world, reverse))

    def _advance(self, state: R, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        from hyosan.engines import kernel
        from hyosan.engines.kernel import Status

        edge, first_z = state.places.edge, state.places.first_z
        if edge.size and bool((edge & (first_z == 0.0)).any()):
            # A zombie stands on the border from the start (`stop_at_edge`): the kernels see
            # only places that gain one, so both engines stop here, at once.
            state.stopped_by = "edge"
            return t0
        t = t0
        while True:
            rec = state.records(recorder)
            clock = Clock(t, t1, last, kernel.PAUSE_EVERY)
            t, status = self._call(state, clock, rec)
            state.recorded(rec, recorder)
            if status == Status.STOPPED:
                state.stopped_by = state.watch.stopper(t)
                return float(t)
            if status == Status.EDGE:
                state.stopped_by = "edge"
                return float(t)
            if status == Status.DONE:
                return t1
            if status == Status.PAUSED:  # a pause for Python to see signals: go on
                continue
            self._make_room(state, status)

    def _apply_cull(self, state: R, cull: Cull, fraction: float) -> None:
        cull_places(state.layout, state.x, cull, fraction, state.cull_rng)
        state.tot[:] = state.x.sum(axis=0)
        self._refresh(state)

    def _change_times(self, state: R, scenario: Scenario) -> list[float]:
        plan = state.layout.plan
        return [] if plan is None else plan.times(float(scenario.time.horizon))

    def _intervene(self, state: R, t: float) -> None:
        snapshots = (state.snap_times, state.snaps, state.snap_next)
        state.channels, piece = enter_piece(
            state.layout, t, state.x, state.tot, snapshots, state.channels, state.base_rates
        )
        if piece is not state.layout.world or state.piece is not state.layout.world:
            # The edge weights are not the world's, or were not: a cordon stands or falls.
            state.graph = graph_of(piece, self.reversed_edges)
        state.piece = piece
        if state.factors is not None:
            state.unscheduled = state.channels.rate
            state.channels = state.channels._replace(rate=state.unscheduled * state.factors)
        self._refresh(state)

    def _reschedule(self, state: R, t: float) -> None:
        # Channels to reactions: a reaction within a place or across an edge takes its
        # reaction's factor; moves and interventions' reactions are not scheduled.
        assert state.unscheduled is not None
        which = state.layout.channel_reactions()
        f = self._factors(state, t, len(state.layout.net.reaction_names))
        state.factors = np.where(which >= 0, f[np.maximum(which, 0)], 1.0)
        state.channels = state.channels._replace(rate=state.unscheduled * state.factors)
        self._refresh(state)

    def _counts(self, state: R) -> np.ndarray:
        return state.tot.astype(np.float64)

    def _finish(
        self, state: R
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        # The zombie peak and the overrun: exact for ssa, known to a step for tau.
        crossings, peak_and_overrun = state.watch.figures(state.watched.peak)
        diagnostics = {
            "events": int(state.counts.sum()),
            "events_by_kind": dict(zip(state.names, state.counts.tolist(), strict=True)),
            "places": state.layout.world.n_places,
        }
        return crossings, peak_and_overrun, self._diagnostics(state, diagnostics)

    def _tally(self, state: R) -> np.ndarray:
        return state.counts.astype(np.float64)

    def _reactions(self, state: R, times: np.ndarray, tallies: np.ndarray) -> ReactionCounts:
        # Channels to reactions: a reaction across an edge counts as its reaction, moves as none.
        from hyosan.results.epidemic import ReactionCounts

        net = state.layout.net
        which = state.layout.channel_reactions()
        counts = np.zeros((tallies.shape[0], len(net.reaction_names)))
        for h, j in enumerate(which.tolist()):
            if j >= 0:
                counts[:, j] += tallies[:, h]
        return ReactionCounts(
            names=tuple(net.reaction_names),
            counts=counts,
            stoichiometry=net.stoichiometry.astype(np.float64),
        )

    def _outputs(self, state: R) -> Outputs:
        return spatial_outputs(
            state.scenario,
            state.layout,
            state.places.first_z,
            state.snap_times[: state.snap_next],
            state.snaps,
            state.counts,
            state.tot,
            places=not self.summary_only,
        )

    # --- what each engine fills in ------------------------------------------------------------

    def _compile(self, layout: Layout, channels: Any, names: list[str]) -> Any:
        """The channels as this engine's kernel reads them."""
        return channels

    def _counts_of(self, x0: np.ndarray) -> np.ndarray:
        """The counts per place as the kernel keeps them (a copy of x0)."""
        return x0.copy()

    def _columns(self, channels: Any) -> int:
        """The number of neighbour-sum columns the kernel reads."""
        return int(channels.b_comp.size)

    def _prepare(self, state: R) -> None:
        """Make the kernel's own state (the setup is otherwise done)."""

    def _call(self, state: R, clock: Clock, rec: Records) -> tuple[float, Status]:
        """Run the kernel over the piece `clock`; (the time reached, why it returned)."""
        raise NotImplementedError

    def _make_room(self, state: R, status: Status) -> None:
        """Grow what the kernel said was full (any status but DONE, STOPPED and EDGE)."""
        raise RuntimeError(f"kernel returned {status!r}")

    def _refresh(self, state: R) -> None:
        """Bring the kernel's own state up to date after the counts or channels changed."""

    def _factors(self, state: R, t: float, n: int) -> np.ndarray:
        """Each of `n` reactions' schedule factor over the piece that starts at t."""
        return step_factors(state.scenario, t, n)

    def _diagnostics(self, state: R, diagnostics: dict[str, Any]) -> dict[str, Any]:
        """The run's diagnostics, given those every population engine reports."""
        return diagnostics

"""The ssa engine: exact stochastic simulation of a model on a graph of places.

The law of the Markov chain, with no approximation: Gillespie's direct method, with the place
of each event drawn by composition and rejection (kernels.py), so an event costs the same in
one place or in ten million. On worlds of a few people a place, steps along edges and
first-order reactions are drawn instead from lists with one entry per person, by thinning
(lists.py): a step is then one entry rewritten. One run:

1. builds the world and the people in each place (one well-mixed place when the scenario has
   no `[world]`), and compiles the model, movement and cross-edge reactions to arrays;
2. decides which channels draw from lists and fills them, computes every place's propensity
   (of the other channels) and sorts the places into groups;
3. repeatedly, in a Numba kernel: draws the time to the next event from the total propensity
   (the places' and the lists'); records the totals at the output times and every place at the
   snapshot times the wait covers; either draws a group by its sum, a place in it by
   rejection, a reaction, move or cross-edge reaction of that place, and for a move or
   cross-edge reaction the neighbour, or draws a listed channel, a person on its list and
   whether the event happens (else nothing changes); starts fetching the memory of the events
   its buffered draws say are likely next; then
   applies the changes, updates the neighbour sums and propensities of the places touched, the
   first-zombie time of each place, the zombie peak and the thresholds;
4. stops at the end of the piece, when nothing more can happen (the state then holds to the
   horizon), at a stopping threshold, or when a zombie reaches the border (`stop_at_edge`);
5. applies culls at their instants: each culled person is removed independently with the
   cull's probability (binomial draws from the `encounters` stream), then recomputes every
   propensity.

Random numbers: the world (random graphs) from the `world` stream, events from `events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.base import Engine, Recorder, Streams
from hyosan.engines.spatial import (
    INTERVENTIONS,
    Channels,
    Layout,
    cull_places,
    edge_mask,
    enter_piece,
    snapshot_times,
    spatial_outputs,
)
from hyosan.engines.ssa.lists import Lists
from hyosan.engines.watches import WatchArrays, watches

if TYPE_CHECKING:
    from hyosan.scenario.schema import Cull, Scenario
    from hyosan.world.graph import World

__all__ = ["SsaEngine"]

#: Worlds with fewer people than this keep their counts as int32.
_INT32_PEOPLE = 1 << 30
#: Draws buffered at a time when lists are in use (kernels.simulate).
_BUFFER = 256
#: First size of the event log; it doubles when full.
_LOG_START = 1 << 16


@dataclass
class _Run:
    scenario: Scenario
    layout: Layout
    channels: Channels
    kinds: list[str]
    x: np.ndarray
    tot: np.ndarray
    arrays: dict[str, np.ndarray]
    rng: np.random.Generator
    cull_rng: np.random.Generator
    watch: WatchArrays
    peak: np.ndarray
    counts: np.ndarray
    snap_times: np.ndarray
    snaps: np.ndarray
    snap_next: int = 0
    log: dict[str, np.ndarray] | None = None
    base_rates: np.ndarray | None = None  # each channel's rate where it acts
    stopped_by: str = "horizon"
    reversed: tuple[np.ndarray, np.ndarray, np.ndarray] = ()  # type: ignore[assignment]
    weights: np.ndarray | None = None  # edge weights while a cordon stands
    lists: Lists | None = None  # the lists of people (lists.py)
    piece: World | None = None  # the world with the edge weights of this piece
    use_lists: bool = True

    def selection_args(self) -> tuple[Any, ...]:
        """The arguments of kernels.rebuild, which begin those of kernels.simulate."""
        world, arr = self.layout.world, self.arrays
        return (
            self.x,
            self.channels,
            self.lists,
            arr["nbs"],
            world.indptr,
            world.indices,
            world.weights if self.weights is None else self.weights,
            arr["wsum"],
            arr["a"],
            arr["grp"],
            arr["pos"],
            arr["pool"],
            arr["gstart"],
            arr["gsize"],
            arr["gcap"],
            arr["gsum"],
            arr["meta"],
        )


class SsaEngine(Engine):
    """Exact continuous-time stochastic simulation of a compartmental model on a world."""

    name = "ssa"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "culls",
            "culls.reset_to_initial",
            "thresholds",
            "world",
            "world.movement",
            "world.cross",
            "record.events",
            *INTERVENTIONS,
            "handoff",
        }
    )

    def __init__(self, *, lists: bool = True) -> None:
        #: Draw the events of simple channels from lists of people (lists.py) where that
        #: pays; False draws every event place by place. Both follow the same law.
        self.lists = lists

    def _setup(self, scenario: Scenario, streams: Streams) -> _Run:
        from hyosan.engines.ssa.kernels import GROUPS

        layout = Layout.from_scenario(scenario, streams.generator("world"))
        channels, kinds = layout.channels()
        net, world = layout.net, layout.world
        # Counts as int32 halve the memory an event touches; a world of a billion people or
        # more keeps int64 (and compiles the kernels for it).
        x = layout.x0.astype(np.int32 if layout.x0.sum() < _INT32_PEOPLE else np.int64)
        n, n_c = x.shape
        arrays: dict[str, np.ndarray] = {
            "nbs": np.zeros((n, channels.b_comp.size)),
            "wsum": world.weight_sums() if world.weighted else np.empty(0),
            "a": np.zeros(n),
            "grp": np.full(n, -1, dtype=np.int16),
            "pos": np.zeros(n, dtype=np.int32),
            # Room for every group to double once before the pool is compacted.
            "pool": np.zeros(3 * n + 8 * GROUPS + 64, dtype=np.int32),
            "gstart": np.zeros(GROUPS, dtype=np.int64),
            "gsize": np.zeros(GROUPS, dtype=np.int64),
            "gcap": np.zeros(GROUPS, dtype=np.int64),
            "gsum": np.zeros(GROUPS),
            "meta": np.zeros(7, dtype=np.int64),
            # Buffered draws (with lists): exponential waits and uniforms, refilled together.
            "ebuf": np.zeros(_BUFFER),
            "ubuf": np.zeros(_BUFFER),
            "first_z": np.where((x[:, layout.zmask] > 0).any(axis=1), 0.0, np.nan),
            "edge": edge_mask(scenario, world),
        }
        tot = x.sum(axis=0)
        watched = watches(scenario, net, tot)
        zw = net.weights("zombie")
        snap_times = snapshot_times(scenario, n, n_c)
        log = None
        if scenario.record.events:
            log = {
                "t": np.zeros(_LOG_START),
                "k": np.zeros(_LOG_START, dtype=np.int32),
                "p": np.zeros(_LOG_START, dtype=np.int32),
                "q": np.zeros(_LOG_START, dtype=np.int32),
            }
        run = _Run(
            scenario=scenario,
            layout=layout,
            channels=channels,
            kinds=kinds,
            x=x,
            tot=tot,
            arrays=arrays,
            rng=streams.generator("events"),
            cull_rng=streams.generator("encounters"),
            watch=WatchArrays.of(watched, n_c),
            peak=np.array([float(zw @ tot), 0.0]),
            counts=np.zeros(len(kinds), dtype=np.int64),
            snap_times=snap_times,
            snaps=np.zeros((snap_times.size, n, n_c), dtype=np.int32),
            log=log,
            base_rates=channels.rate[0].copy(),
            use_lists=self.lists,
        )
        run.reversed = world.reversed_edges()
        if layout.plan is None:
            # With interventions, `_intervene` at time 0 sets the rates and builds all this.
            _rebuild(run, world)
        return run

    def _advance(self, state: _Run, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        from hyosan.engines.ssa.kernels import (
            STATUS_EDGE,
            STATUS_LIST_FULL,
            STATUS_LOG_FULL,
            STATUS_STOPPED,
            simulate,
            simulate_lists,
        )
        from hyosan.engines.ssa.lists import grow

        arr, w = state.arrays, state.watch
        if arr["edge"].size and bool((arr["edge"] & (arr["first_z"] == 0.0)).any()):
            state.stopped_by = "edge"  # a zombie stands on the border from the start
            return t0
        t = t0
        empty_f, empty_i = np.empty(0), np.empty(0, dtype=np.int32)
        zombie_weights = state.layout.net.weights("zombie")
        while True:
            log = state.log
            x, ch, lists, nbs, indptr, indices, weights, wsum, *selection = state.selection_args()
            kernel = simulate_lists if lists.listed.size else simulate
            t, out_next, snap_next, status = kernel(
                x,
                state.tot,
                ch,
                lists,
                nbs,
                indptr,
                indices,
                weights,
                wsum,
                *state.reversed,
                *selection,
                state.rng,
                arr["ebuf"],
                arr["ubuf"],
                t,
                t1,
                last,
                recorder.times,
                recorder.values,
                recorder.filled,
                state.snap_times,
                state.snaps,
                state.snap_next,
                arr["first_z"],
                arr["edge"],
                w.weights,
                w.levels,
                w.below,
                w.stop,
                w.times,
                zombie_weights,
                state.peak,
                state.counts,
                log is not None,
                log["t"] if log else empty_f,
                log["k"] if log else empty_i,
                log["p"] if log else empty_i,
                log["q"] if log else empty_i,
            )
            recorder.filled = out_next
            state.snap_next = snap_next
            if status == STATUS_LIST_FULL:
                state.lists = grow(lists)
                arr["lists.ent"] = state.lists.ent
                continue
            if status == STATUS_LOG_FULL:
                assert log is not None
                state.log = {k: np.concatenate([v, np.zeros_like(v)]) for k, v in log.items()}
                continue
            if status == STATUS_STOPPED:
                state.stopped_by = w.stopper(t)
                return float(t)
            if status == STATUS_EDGE:
                state.stopped_by = "edge"
                return float(t)
            return t1

    def _apply_cull(self, state: _Run, cull: Cull, fraction: float) -> None:
        cull_places(state.layout, state.x, cull, fraction, state.cull_rng)
        state.tot[:] = state.x.sum(axis=0)
        _rebuild(state, state.piece)

    def _change_times(self, state: _Run, scenario: Scenario) -> list[float]:
        plan = state.layout.plan
        return [] if plan is None else plan.times(float(scenario.time.horizon))

    def _intervene(self, state: _Run, t: float) -> None:
        assert state.base_rates is not None
        snapshots = (state.snap_times, state.snaps, state.snap_next)
        state.channels, piece = enter_piece(
            state.layout, t, state.x, state.tot, snapshots, state.channels, state.base_rates
        )
        if piece is not state.layout.world or state.weights is not None:
            state.weights = None if piece is state.layout.world else piece.weights
            state.arrays["wsum"] = piece.weight_sums() if piece.weighted else np.empty(0)
            state.reversed = piece.reversed_edges()
        state.piece = piece
        _rebuild(state, piece)

    def _counts(self, state: _Run) -> np.ndarray:
        return state.tot.astype(np.float64)

    def _finish(
        self, state: _Run
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        crossings, exact = state.watch.figures(state.peak)
        diagnostics = {
            "events": int(state.counts.sum()),
            "events_by_kind": dict(zip(state.kinds, state.counts.tolist(), strict=True)),
            "places": state.layout.world.n_places,
        }
        return crossings, exact, diagnostics

    def _outputs(self, state: _Run) -> dict[str, Any]:
        import pyarrow as pa

        out = spatial_outputs(
            state.scenario,
            state.layout,
            state.arrays["first_z"],
            state.snap_times[: state.snap_next],
            state.snaps,
            state.counts,
            state.tot,
        )
        if state.log is not None:
            n = int(state.arrays["meta"][4])
            kinds = np.array(state.kinds, dtype=object)
            q = state.log["q"][:n]
            out["events"] = pa.table(
                {
                    "t": pa.array(state.log["t"][:n]),
                    "kind": pa.array(kinds[state.log["k"][:n]].tolist(), pa.string()),
                    "actor": pa.nulls(n, pa.string()),
                    "target": pa.array(q, mask=q < 0),
                    "place": pa.array(state.log["p"][:n]),
                    "detail": pa.nulls(n, pa.string()),
                },
                metadata={"t_unit": "s"},
            )
        return out


def _rebuild(run: _Run, piece: World | None) -> None:
    """Fill the lists of people for the channels of this piece that draw from them, then every
    place's propensity and the groups (after the counts or the channels changed)."""
    from hyosan.engines.ssa.kernels import rebuild
    from hyosan.engines.ssa.lists import no_lists, plan

    world = piece if piece is not None else run.layout.world
    if run.use_lists:
        run.lists = plan(run.channels, world, run.x, run.layout.zmask)
    else:
        run.lists = no_lists(run.channels, world.n_places)
    for name in ("ent", "dead"):
        run.arrays[f"lists.{name}"] = getattr(run.lists, name)
    rebuild(*run.selection_args())

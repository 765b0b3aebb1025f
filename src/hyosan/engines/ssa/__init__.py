"""The ssa engine: exact stochastic simulation of a model on a graph of places.

The law of the Markov chain, with no approximation: Gillespie's direct method, with the place
of each event drawn by composition and rejection (groups.py), so an event costs the same in
one place or in ten million. On worlds of a few people a place, steps along edges and
first-order reactions are drawn instead from lists with one entry per person, by thinning
(lists.py): a step is then one entry rewritten. One run:

1. builds the world and the people in each place (one well-mixed place when the scenario has
   no `[world]`), and compiles the model, movement and cross-edge reactions to arrays;
2. decides which channels draw from lists and fills them, computes every place's propensity
   (of the other channels, propensity.py) and sorts the places into groups;
3. repeatedly, in a Numba kernel (kernels.py): draws the time to the next event from the
   total propensity (the places' and the lists'); records the totals at the output times and
   every place at the snapshot times the wait covers; either draws a group by its sum, a place
   in it by rejection, a reaction, move or cross-edge reaction of that place, and for a move or
   cross-edge reaction the neighbour (events.py), or draws a listed channel and a person on its
   list, starts fetching the memory of the events its buffered draws say are likely next, and
   draws whether the event happens, else nothing changes (thinning.py); then applies the
   changes, updates the neighbour sums and propensities of the places touched, the first-zombie
   time of each place, the zombie peak and the thresholds;
4. stops at the end of the piece, when nothing more can happen (the state then holds to the
   horizon), at a stopping threshold, or when a zombie reaches the border (`stop_at_edge`);
5. applies culls at their instants: each culled person is removed independently with the
   cull's probability (binomial draws from the `encounters` stream), then recomputes every
   propensity.

A world of one place whose channels are all reactions within it (every scenario without
`[world]`) runs instead in a lean kernel of the direct method over the totals (mixed.py), with
the same law and the same records, watches, culls, interventions and event log.

Rate schedules: the run stops at each jump of a piecewise-constant factor and carries on at the
new rates (`_reschedule`), exact since the chain is memoryless; a sinusoid factor is drawn by
thinning in the well-mixed kernel (mixed.py), and refused on a world of many places.

Random numbers: the world (random graphs) from the `world` stream, events from `events`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.base import Outputs
from hyosan.engines.population import Clock, PopulationEngine, PopulationRun
from hyosan.engines.spatial import INTERVENTIONS
from hyosan.errors import EngineError, UnsupportedFeatureError

if TYPE_CHECKING:
    from hyosan.engines.kernel import EventLog, Records, Status
    from hyosan.engines.ssa.groups import Groups
    from hyosan.engines.ssa.kernels import Draws
    from hyosan.engines.ssa.lists import Lists
    from hyosan.scenario.schema import Scenario

__all__ = ["SsaEngine"]

#: Worlds with fewer people than this keep their counts as int32.
_INT32_PEOPLE = 1 << 30
#: Draws buffered at a time when lists are in use (kernels.simulate).
_BUFFER = 256
#: First size of the event log; it doubles when full.
_LOG_START = 1 << 16


@dataclass
class SsaRun(PopulationRun):
    """A run's state, with the ssa kernel's own (made by `SsaEngine._prepare`)."""

    groups: Groups = None  # type: ignore[assignment]  # the places' propensity groups
    lists: Lists = None  # type: ignore[assignment]  # the lists of people of this piece
    draws: Draws = None  # type: ignore[assignment]  # buffered draws (with lists)
    log: EventLog = None  # type: ignore[assignment]  # the event log (empty when not kept)
    mixed: MixedKernel | None = None  # a one-place run's kernel (mixed.py), else None


@dataclass(frozen=True)
class MixedKernel:
    """The well-mixed kernel of a one-place run and what it reads for this piece."""

    simulate: Any  # the compiled kernel (mixed.kernel_for)
    rate: np.ndarray  # each reaction's rate in this piece
    step: np.ndarray  # the most one event moves each watched sum (mixed.watch_steps)


class SsaEngine(PopulationEngine[SsaRun]):
    """Exact continuous-time stochastic simulation of a compartmental model on a world."""

    name = "ssa"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "culls",
            "culls.reset_to_initial",
            "thresholds",
            "model.schedule.steps",
            # Drawn by thinning in the well-mixed kernel only (see `check`).
            "model.schedule.sinusoid",
            "world",
            "world.movement",
            "world.cross",
            "record.events",
            *INTERVENTIONS,
            "handoff",
        }
    )

    run_type = SsaRun
    # A snapshot is written between events and draws nothing.
    snapshots_steer = False

    def __init__(self, *, lists: bool = True, well_mixed: bool = True) -> None:
        #: Draw the events of simple channels from lists of people (lists.py) where that
        #: pays; False draws every event place by place. Both follow the same law.
        self.lists = lists
        #: Run a world of one place in the well-mixed kernel (mixed.py); False runs it in the
        #: kernel for many places. Both follow the same law.
        self.well_mixed = well_mixed

    def check(self, scenario: Scenario) -> None:
        """Refuse, besides unsupported features, a sinusoid schedule off the well-mixed kernel
        (whose generated code is the one that thins)."""
        super().check(scenario)
        if scenario.smoothly_scheduled and (scenario.world is not None or not self.well_mixed):
            raise UnsupportedFeatureError(
                "the ssa engine follows sinusoid schedules (model.schedule.sinusoid) in one "
                f"well-mixed place only; scenario {scenario.name!r} has a [world]: use a "
                "steps schedule (at, factor, repeat) there"
            )

    def _counts_of(self, x0: np.ndarray) -> np.ndarray:
        # Counts as int32 halve the memory an event touches; a world of a billion people or
        # more keeps int64 (and compiles the kernels for it).
        return x0.astype(np.int32 if x0.sum() < _INT32_PEOPLE else np.int64)

    def _prepare(self, state: SsaRun) -> None:
        from hyosan.engines.kernel import new_event_log
        from hyosan.engines.ssa.groups import new_groups
        from hyosan.engines.ssa.kernels import Draws

        state.groups = new_groups(state.layout.world.n_places)
        state.draws = Draws(np.zeros(_BUFFER), np.zeros(_BUFFER), np.zeros(2, dtype=np.int64))
        state.log = new_event_log(_LOG_START if state.scenario.record.events else 0)
        if state.layout.plan is None:
            # With interventions, `_intervene` at time 0 sets the rates and builds all this.
            self._refresh(state)

    def _shared(self, state: SsaRun) -> tuple[object, ...]:
        # The well-mixed kernel holds a compiled function, which a copy must not pickle.
        return (*super()._shared(state), state.mixed)

    def _call(self, state: SsaRun, clock: Clock, rec: Records) -> tuple[float, Status]:
        from hyosan.engines.ssa.kernels import simulate, simulate_lists

        mixed = state.mixed
        if mixed is not None:
            from hyosan.engines.ssa import pcg

            # The kernel steps the events stream's generator itself; it goes back after.
            with pcg.borrowed(state.rng) as gen:
                return mixed.simulate(
                    mixed.rate,
                    state.places,
                    gen,
                    clock,
                    rec,
                    state.watched,
                    state.counts,
                    state.log,
                    mixed.step,
                )
        kernel = simulate_lists if state.lists.listed.size else simulate
        return kernel(
            state.places,
            state.channels,
            state.lists,
            state.graph,
            state.groups,
            state.draws,
            state.rng,
            clock,
            rec,
            state.watched,
            state.counts,
            state.log,
        )

    def _make_room(self, state: SsaRun, status: Status) -> None:
        from hyosan.engines.kernel import Status
        from hyosan.engines.ssa.lists import grow

        if status == Status.LIST_FULL:
            state.lists = grow(state.lists)
        elif status == Status.LOG_FULL:
            log = state.log
            state.log = log._replace(
                **{
                    k: np.concatenate([v, np.zeros_like(v)])
                    for k, v in log._asdict().items()
                    if k != "n"
                }
            )
        else:
            super()._make_room(state, status)

    def _refresh(self, state: SsaRun) -> None:
        """Fill the lists of people for the channels of this piece that draw from them, then
        every place's propensity and the groups (after the counts or the channels changed)."""
        from hyosan.engines.ssa import mixed
        from hyosan.engines.ssa.kernels import rebuild
        from hyosan.engines.ssa.lists import no_lists, plan

        world = state.piece
        ch = state.channels
        if self.well_mixed and mixed.one_place(ch, world.n_places, state.places.edge):
            # The kernel computes its propensities from the counts at each call.
            logging = bool(state.scenario.record.events)
            sines = _sines(state.scenario)
            thinned = tuple(j in {s[0] for s in sines} for j in range(ch.kind.size))
            st = mixed.structure(ch, state.watched.zombie, state.layout.zmask, logging, thinned)
            rate = ch.rate[int(ch.zone[0]) if ch.zone.size else 0].astype(np.float64)
            state.mixed = MixedKernel(
                simulate=mixed.kernel_for(st),
                rate=mixed.thin_rates(rate, sines) if sines else rate,
                step=mixed.watch_steps(st, state.watched),
            )
            return
        if state.scenario.smoothly_scheduled:
            raise EngineError(
                "the ssa engine follows sinusoid schedules in one well-mixed place, with "
                "reactions only; this run moves people between places (an intervention's "
                "moves): use a steps schedule (at, factor, repeat)"
            )
        state.mixed = None
        if self.lists:
            lists = plan(state.channels, world, state.x, state.layout.zmask)
        else:
            lists = no_lists(state.channels, world.n_places)
        state.lists = lists
        # Neighbour sums computed on a lattice need no array (neighbours.py); a later piece
        # that keeps them (a cordon weights the edges) gets its array back, filled by rebuild.
        columns = 0 if lists.computed else int(ch.b_comp.size)
        if state.places.nbs.shape[1] != columns:
            nbs = np.zeros((world.n_places, columns))
            state.places = state.places._replace(nbs=nbs)
        rebuild(state.places, state.channels, lists, state.graph, state.groups)

    def _outputs(self, state: SsaRun) -> Outputs:
        import pyarrow as pa

        from hyosan.results import arrow

        out = super()._outputs(state)
        if state.scenario.record.events:
            log = state.log
            n = int(log.n[0])
            names = np.array(state.names, dtype=object)
            q = log.target[:n]
            events = arrow.table(
                {
                    "t": arrow.column(log.t[:n]),
                    "kind": arrow.strings(names[log.kind[:n]].tolist()),
                    "actor": pa.nulls(n, pa.string()),
                    "target": arrow.column(q, valid=q >= 0),
                    "place": arrow.column(log.place[:n]),
                    "detail": pa.nulls(n, pa.string()),
                },
                metadata={"t_unit": "s"},
            )
            return replace(out, events=events)
        return out


def _sines(scenario: Scenario) -> list[tuple[int, float, float, float, float]]:
    """(reaction, mean, amplitude, angular frequency per second, peak in seconds) of each
    reaction whose rate follows a sinusoid."""
    out = []
    for j, r in enumerate(scenario.model.reactions):
        s = r.schedule
        if s is not None and s.kind == "sinusoid":
            peak = 0.0 if s.peak is None else float(s.peak)
            out.append((j, s.mean, s.amplitude, 2.0 * np.pi / float(s.period), peak))
    return out

"""The engine contract: one base class does the bookkeeping, engines fill in its hooks.

`Engine.run(scenario, seed=...)` is the only public method. It

1. checks that the engine supports every feature the scenario uses, naming any it does not;
2. makes the run's random streams from the seed (numpy SeedSequence, one child per decision);
3. calls `_setup(scenario, streams)`, which returns the engine's own state object;
4. splits the horizon at the scheduled instants (culls, the times interventions start, stop
   or strike, and those where a reaction's piecewise-constant rate factor jumps) and, for each
   piece, calls `_advance(state, t0, t1, recorder, last)`, then `_apply_cull(state, cull,
   fraction)` for the culls at its end, `_intervene(state, t)` when interventions change there
   and `_reschedule(state, t)` when rate factors do (each also once at 0, before the first
   piece);
5. stops early when `_advance` returns a time before the end of its piece (a stopping threshold),
   appending the state then (`_counts(state)`) as the last record;
6. collects crossings, exact figures and diagnostics from `_finish(state)`, and the optional
   `Outputs` of `_outputs(state)` (events, places, survivors, and the typed parts of the
   summary: people, outbreak, interventions) and the reactions counted (`_tally(state)` kept at
   every output time, turned into `ReactionCounts` by `_reactions`), and assembles the Result,
   adding to its interventions the culls the run ended before (results' MissedCulls).

An engine must:

1. record, through `recorder`, the state at every output time in [t0, t1) of its piece, and
   also at t1 when `last` is true (records are right-continuous: a cull at t shows at t);
2. draw random numbers only from the streams it was given, so that the same seed gives the
   same Result bit for bit, whatever process runs it;
3. never change the scenario, and keep no state outside the object `_setup` returns (but
   for `reuse`: what is the same before the first event of every run of a scenario, whatever
   the seed, kept between runs and copied for each: engines/reuse.py);
4. declare in `supports` every scenario feature it honours, and nothing else.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from hyosan.engines.watches import stopped_at_start
from hyosan.errors import UnsupportedFeatureError

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.results.epidemic import ReactionCounts
    from hyosan.results.interventions import InterventionReport
    from hyosan.results.result import Result
    from hyosan.results.summary import Outbreak, People
    from hyosan.scenario.schema import Cull, Scenario

__all__ = ["Engine", "Outputs", "Recorder", "Streams"]

#: Named random streams; an engine takes the ones it needs. Adding a name at the end never
#: changes the draws of the others.
STREAM_NAMES: tuple[str, ...] = ("events", "movement", "encounters", "bites", "world", "behaviour")


class Streams:
    """Independent random generators, one per kind of decision, all from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        children = np.random.SeedSequence(seed).spawn(len(STREAM_NAMES))
        self._seqs = dict(zip(STREAM_NAMES, children, strict=True))

    def generator(self, name: str) -> np.random.Generator:
        """A fresh Generator for the named stream."""
        return np.random.Generator(np.random.PCG64(self._seqs[name]))

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The SeedSequence of the named stream (for kernels that seed their own state)."""
        return self._seqs[name]


@dataclass
class Recorder:
    """Fixed output times and the counts recorded at them.

    `tallies` holds, at the same times, how many times each reaction (or channel) has fired
    since the start, for engines that count them (see `Engine._tally`).
    """

    times: np.ndarray
    n_compartments: int
    n_tallies: int = 0
    values: np.ndarray = field(init=False)
    tallies: np.ndarray = field(init=False)
    filled: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.values = np.full((len(self.times), self.n_compartments), np.nan)
        self.tallies = np.zeros((len(self.times), self.n_tallies))

    def pending(self, t0: float, t1: float, include_end: bool) -> slice:
        """Indices of the output times in [t0, t1) (or [t0, t1]) not yet recorded."""
        side: Literal["left", "right"] = "right" if include_end else "left"
        stop = int(np.searchsorted(self.times, t1, side=side))
        return slice(self.filled, max(self.filled, stop))

    def write(self, rows: slice, values: np.ndarray) -> None:
        """Record `values` (one row per output time, or one row for all) at `rows`."""
        self.values[rows] = values
        self.filled = max(self.filled, rows.stop)


@dataclass(frozen=True)
class Outputs:
    """What a run gives beyond its counts, each where the engine has it (see Result)."""

    #: One row per event (engines that log events).
    events: pa.Table | None = None
    #: One row per place (runs on a world, rooms of a building).
    places: pa.Table | None = None
    #: Named characters still human at the end.
    survivors: tuple[str, ...] = ()
    #: The figures of a run with people in a building.
    people: People | None = None
    #: Where the outbreak reached (runs on a world).
    outbreak: Outbreak | None = None
    #: What each intervention did (runs with interventions).
    interventions: tuple[InterventionReport, ...] | None = None


#: The largest seed: the scenario schema's bound, so that any seed a run takes is one its
#: scenario.toml can be read back with.
MAX_SEED = 2**63 - 1


def valid_seed(seed: object) -> int:
    """A seed as the scenario schema and numpy's SeedSequence take it (a whole number from 0
    to 2**63 - 1); HyosanError (in Python's words) otherwise. Every entry point that takes a
    seed (simulate, the ensembles, fit) checks it here."""
    from hyosan.errors import HyosanError

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise HyosanError(f"seed must be a whole number from 0 to 2**63 - 1; got {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise HyosanError(f"seed must be from 0 to 2**63 - 1; got {seed}")
    return int(seed)


def _missed_culls(
    scenario: Scenario, missed: list[tuple[float, int]]
) -> tuple[InterventionReport, ...]:
    """One entry per `[[culls]]` section with culls (time, section) the run never came to."""
    from hyosan.results.interventions import MissedCulls

    times: dict[int, list[float]] = {}
    for t, i in missed:
        times.setdefault(i, []).append(t)
    return tuple(
        MissedCulls.of(i, scenario.culls[i].compartment, ts) for i, ts in sorted(times.items())
    )


class Engine(ABC):
    """Base class of every engine; see the module docstring for the contract."""

    #: Name in the registry and on the command line.
    name: ClassVar[str]
    #: Scenario features this engine honours (see Scenario.features).
    supports: ClassVar[frozenset[str]]
    #: Set by a caller that keeps only the summary and the series (an ensemble's worker): an
    #: engine may then leave out the rest of the Result (events, per-place snapshots) where
    #: making it costs time. Every figure of the summary and the series must stay the same.
    summary_only: bool = False
    #: Set by a caller that runs the same scenario many times in one process (an ensemble's
    #: worker): an engine may then keep what does not change from run to run (the world, its
    #: kernel's arrays before the first event) and start each run from a copy. Every figure
    #: must stay the same as a run built from nothing with the same seed.
    reuse: bool = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: the {self.name!r} engine>"

    def run(self, scenario: Scenario, *, seed: int | None = None) -> Result:
        """Simulate `scenario` once with `seed` (default: the scenario's) and return a Result."""
        from hyosan.results.result import Result

        seed = scenario.seed if seed is None else valid_seed(seed)
        self.check(scenario)
        start = time.perf_counter()
        streams = Streams(seed)
        state = self._setup(scenario, streams)
        compartments = tuple(scenario.model.compartments)
        tally = self._tally(state)
        recorder = Recorder(
            np.asarray(scenario.time.output_times()),
            len(compartments),
            0 if tally is None else len(tally),
        )
        horizon = float(scenario.time.horizon)

        culls = sorted(
            (t, i, frac) for i, c in enumerate(scenario.culls) for t, frac in c.schedule()
        )
        changes = self._change_times(state, scenario)
        # Piecewise-constant rate factors: each stretch between their changes runs at constant
        # rates, which keeps every engine exact for them (and never steps over a change).
        rescheduled = set(self._schedule_times(state, scenario)) if scenario.scheduled else set()
        instants = {t for t, _, _ in culls} | set(changes) | rescheduled
        pieces = [*sorted(t for t in instants if t < horizon), horizon]
        if scenario.acts:
            self._intervene(state, 0.0)
        if scenario.scheduled:
            self._reschedule(state, 0.0)
        t0, stopped_by, t_end = 0.0, "horizon", horizon
        culled: set[tuple[float, int]] = set()
        at_start = stopped_at_start(scenario, self._counts(state))
        if at_start is not None:  # a stopping level passed before anything happened
            stopped_by, t_end, pieces = at_start, 0.0, []
        for t1 in pieces:
            reached = self._advance(state, t0, t1, recorder, t1 == horizon)
            if reached < t1:
                stopped_by, t_end = self._stop_reason(state), reached
                break
            for t, i, frac in culls:
                if t == t1:
                    self._apply_cull(state, scenario.culls[i], frac)
                    culled.add((t, i))
            if t1 in changes:
                self._intervene(state, t1)
            if t1 in rescheduled:
                self._reschedule(state, t1)
            t0 = t1

        times, counts = recorder.times[: recorder.filled], recorder.values[: recorder.filled]
        tallies = recorder.tallies[: recorder.filled]
        tally = self._tally(state)
        if stopped_by == "horizon":
            # Records are right-continuous: a cull at the horizon shows in the last record.
            counts[-1] = self._counts(state)
            if tally is not None:
                tallies[-1] = tally
        else:
            times = np.append(times, t_end)
            counts = np.vstack([counts, self._counts(state)])
            if tally is not None:
                tallies = np.vstack([tallies, tally])
        crossings, exact, diagnostics = self._finish(state)
        outputs = self._outputs(state)
        interventions = outputs.interventions
        missed = _missed_culls(scenario, [(t, i) for t, i, _ in culls if (t, i) not in culled])
        if missed:  # after the horizon, or a stop: listed as interventions not reached are
            interventions = (*(interventions or ()), *missed)
        counted = self._reactions(state, times, tallies)
        if scenario.seed != seed:
            # The Result's scenario is the run's, seed included, so that simulate(r.scenario)
            # is r again (as for a loaded run); the seed is checked, a copy is enough.
            scenario = scenario.model_copy(update={"seed": seed})
        return Result(
            scenario=scenario,
            engine=self.name,
            seed=seed,
            times=times,
            compartments=compartments,
            states=tuple(c.state for c in scenario.model.compartments.values()),
            counts=counts,
            crossings=crossings,
            stopped_by=stopped_by,
            exact=exact,
            diagnostics=diagnostics,
            wall_s=time.perf_counter() - start,
            events=outputs.events,
            places=outputs.places,
            survivors=outputs.survivors,
            people=outputs.people,
            outbreak=outputs.outbreak,
            interventions=interventions,
            reactions=counted.names if counted is not None else (),
            reaction_counts=counted.counts if counted is not None else None,
            stoichiometry=counted.stoichiometry if counted is not None else None,
        )

    def check(self, scenario: Scenario) -> None:
        """Raise UnsupportedFeatureError naming every feature this engine cannot honour."""
        missing = scenario.features - self.supports
        if missing:
            raise UnsupportedFeatureError(
                f"the {self.name} engine does not support {', '.join(sorted(missing))} "
                f"(scenario {scenario.name!r})"
            )

    # --- hooks ----------------------------------------------------------------------------

    @abstractmethod
    def _setup(self, scenario: Scenario, streams: Streams) -> Any:
        """Build and return the engine's state for one run."""

    @abstractmethod
    def _advance(self, state: Any, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        """Advance from t0 to t1, recording output times; return the time reached."""

    @abstractmethod
    def _apply_cull(self, state: Any, cull: Cull, fraction: float) -> None:
        """Remove `fraction` of `cull.compartment` now."""

    def _change_times(self, state: Any, scenario: Scenario) -> list[float]:
        """Times in (0, horizon] at which interventions change (default: the scenario's)."""
        return scenario.intervention_times()

    def _intervene(self, state: Any, t: float) -> None:
        """Interventions change at t: carry out its strikes and set the rates from t on.

        Called only for scenarios with interventions, which `check` lets through only to
        engines that declare them.
        """
        raise NotImplementedError(f"the {self.name} engine carries out no interventions")

    def _schedule_times(self, state: Any, scenario: Scenario) -> list[float]:
        """Times in (0, horizon) at which the rates' schedule factors change (default: the
        jumps of the piecewise-constant ones)."""
        return scenario.schedule_times()

    def _reschedule(self, state: Any, t: float) -> None:
        """The reactions' piecewise-constant schedule factors change at t: set the rates from t
        on (the base rates, after interventions, times the factors).

        Called (at 0 and at each change) only for scenarios with schedules, which `check` lets
        through only to engines that declare `model.schedule.*`.
        """
        raise NotImplementedError(f"the {self.name} engine follows no rate schedules")

    @abstractmethod
    def _counts(self, state: Any) -> np.ndarray:
        """Counts per compartment now."""

    @abstractmethod
    def _finish(
        self, state: Any
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        """(threshold crossings, exact figures, diagnostics) at the end of the run."""

    def _outputs(self, state: Any) -> Outputs:
        """What the run gives beyond its counts (default: nothing)."""
        return Outputs()

    def _tally(self, state: Any) -> np.ndarray | None:
        """How many times each reaction (or channel) has fired so far; None if not counted.

        Engines that count them return the same number of entries at every call; the recorder
        keeps them at every output time and `_reactions` turns them into the Result's
        `reactions`, `reaction_counts` and `stoichiometry`.
        """
        return None

    def _reactions(
        self, state: Any, times: np.ndarray, tallies: np.ndarray
    ) -> ReactionCounts | None:
        """The reactions counted, from the tallies at the recorded `times` (by default, each
        tally is one reaction of the engine's network `state.net`; None when the engine
        counts none)."""
        if self._tally(state) is None:
            return None
        from hyosan.results.epidemic import ReactionCounts

        net = state.net
        return ReactionCounts(
            names=tuple(net.reaction_names),
            counts=np.asarray(tallies, dtype=np.float64),
            stoichiometry=net.stoichiometry.astype(np.float64),
        )

    def _stop_reason(self, state: Any) -> str:
        """Name of what stopped the run early (a stopping threshold)."""
        return str(getattr(state, "stopped_by", "stopped"))

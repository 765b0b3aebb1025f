"""The agents engine without a building: a model's reactions acted out by individuals.

Each person is in one compartment. A reaction whose net change moves one person from one
compartment to another (S + Z -> 2 Z moves an S to Z; S + Z -> S + R moves a Z to R;
I -> Z) is that person's hazard: the reaction's mass-action propensity divided by the count of
the compartment the person leaves, so the expected number of firings matches the model.
Reactions that make people from nothing (births, -> S) add people; reactions that only remove
one (Z ->) take them out. Random mixing: everyone meets everyone (frequency mixing divides by
the living population). One step of length dt, all in one Numba kernel:

1. from the counts at the start of the step, each reaction's per-person hazard;
2. each person draws one uniform (the `encounters` stream) against their total hazard and,
   if it fires, a second one choosing which reaction;
3. births: a Poisson number of new people per birth reaction (the `events` stream);
4. counts are updated, the zombie peak and the watched levels are checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from hyosan.engines.base import Outputs
from hyosan.engines.kernel import Records, Status, Watched, watch, write_totals
from hyosan.engines.watches import WatchArrays, watches
from hyosan.errors import EngineError

if TYPE_CHECKING:
    from hyosan.engines.base import Recorder, Streams
    from hyosan.results.epidemic import ReactionCounts
    from hyosan.scenario.schema import Scenario

__all__ = ["MixingRun", "Reactions", "advance_mixing", "setup_mixing"]


class Reactions(NamedTuple):
    """The model's reactions as person-by-person changes (j a reaction, c a compartment)."""

    reactants: np.ndarray  # int64 (reactions, compartments): how many of each it takes
    rates: np.ndarray
    frequency: np.ndarray  # bool: frequency mixing (divided by the living population)
    in_population: np.ndarray  # bool per compartment: counted in the living population
    focal: np.ndarray  # int64: the compartment the changed person leaves; -1 for a birth
    target: np.ndarray  # int64: the compartment they join; -1 when they leave
    fired: np.ndarray  # int64: how often each reaction fired


@njit(cache=True)
def _hazards(x, reactions, out):  # type: ignore[no-untyped-def]
    """Each reaction's hazard per person of its focal compartment (a birth's: in all)."""
    n_pop = 0.0
    for c in range(x.size):
        if reactions.in_population[c]:
            n_pop += x[c]
    for j in range(reactions.rates.size):
        a = reactions.rates[j]
        order = 0
        for c in range(x.size):
            k = reactions.reactants[j, c]
            for m in range(k):
                # Falling factorial: the focal person is one of the x[focal] counted.
                a *= max(x[c] - m, 0.0)
            order += k
        if reactions.frequency[j] and order > 1:
            a = a / n_pop ** (order - 1) if n_pop > 0 else 0.0
        f = reactions.focal[j]
        if f >= 0:
            out[j] = a / x[f] if x[f] > 0 else 0.0
        else:
            out[j] = a  # a birth: the rate for the whole population


@njit(inline="always")
def _record(t: float, t_end: float, last: bool, x: np.ndarray, rec: Records) -> None:
    """The counts at every output time reached by t (the end of a piece only by the last)."""
    while rec.cursor[0] < rec.times.size and rec.times[rec.cursor[0]] <= t + 1e-9:
        if rec.times[rec.cursor[0]] >= t_end - 1e-9 and not last:
            break
        write_totals(rec, x)


@njit(inline="always")
def _react(
    h: float,
    comp: np.ndarray,
    n_alive: int,
    x: np.ndarray,
    reactions: Reactions,
    haz: np.ndarray,
    dx: np.ndarray,
    g_enc: np.random.Generator,
) -> None:
    """Each living person draws against their total hazard, and which reaction fires."""
    focal, target = reactions.focal, reactions.target
    total = np.zeros(x.size)
    for j in range(haz.size):
        f = focal[j]
        if f >= 0:
            total[f] += haz[j]
    p_fire = np.zeros(x.size)
    for c in range(x.size):
        p_fire[c] = 1.0 - math.exp(-total[c] * h)
    for i in range(n_alive):
        c = comp[i]
        if c < 0 or total[c] <= 0.0:
            continue
        if g_enc.random() >= p_fire[c]:
            continue
        u = g_enc.random() * total[c]
        chosen = -1
        for j in range(haz.size):
            if focal[j] == c:
                chosen = j  # the last match takes what rounding leaves over
                u -= haz[j]
                if u < 0.0:
                    break
        comp[i] = target[chosen]
        dx[c] -= 1.0
        if target[chosen] >= 0:
            dx[target[chosen]] += 1.0
        reactions.fired[chosen] += 1


@njit(inline="always")
def _add_born(
    born: int, comp: np.ndarray, n_alive: int, reactions: Reactions, dx: np.ndarray
) -> int:
    """The born of a step, added as the first birth reaction's; the number alive after."""
    # A model with several birth reactions would need their split drawn too; none of the
    # built-ins has.
    for j in range(reactions.rates.size):
        if reactions.focal[j] < 0 and born > 0:
            for _ in range(born):
                comp[n_alive] = reactions.target[j]
                n_alive += 1
            dx[reactions.target[j]] += born
            reactions.fired[j] += born
            born = 0
    return n_alive


@njit(cache=True)
def advance_mixing(
    t: float,
    t_end: float,
    dt: float,
    last: bool,
    comp: np.ndarray,
    n_alive: int,
    x: np.ndarray,
    reactions: Reactions,
    records: Records,
    watched: Watched,
    g_enc: np.random.Generator,
    g_birth: np.random.Generator,
) -> tuple[float, Status, int]:
    """Advance from t to t_end; returns (t, status, n_alive).

    `comp` holds each person's compartment (-1: gone); `Status.NEED_ROOM` asks for a longer one.
    """
    n_r = reactions.rates.size
    haz = np.zeros(n_r)
    while True:
        _record(t, t_end, last, x, records)
        if t >= t_end - 1e-9:
            return t, Status.DONE, n_alive
        h = min(dt, t_end - t)
        if records.cursor[0] < records.times.size:
            h = min(h, max(records.times[records.cursor[0]] - t, 1e-9))
        _hazards(x, reactions, haz)
        # Births first: they need room in the arrays.
        born = 0
        for j in range(n_r):
            if reactions.focal[j] < 0 and haz[j] > 0.0:
                born += g_birth.poisson(haz[j] * h)
        if n_alive + born > comp.size:
            return t, Status.NEED_ROOM, n_alive
        dx = np.zeros(x.size)
        _react(h, comp, n_alive, x, reactions, haz, dx, g_enc)
        n_alive = _add_born(born, comp, n_alive, reactions, dx)
        for c in range(x.size):
            x[c] += dx[c]
        t = t + h
        if watch(watched, x, t):
            return t, Status.STOPPED, n_alive


@dataclass
class MixingRun:
    """State of one well-mixed agents run, and what the engine's hooks do with it."""

    compartments: tuple[str, ...]
    reaction_names: tuple[str, ...]
    stoichiometry: np.ndarray  # (reactions, compartments): each reaction's net change
    comp: np.ndarray  # each person's compartment, -1 once gone (room for the born after)
    n_alive: int
    x: np.ndarray
    reactions: Reactions
    dt: float
    watch: WatchArrays
    watched: Watched  # the same levels and crossing times, and the zombie peak
    g_enc: np.random.Generator
    g_birth: np.random.Generator
    stopped_by: str = field(default="horizon")

    def advance(self, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        """Steps from t0 to t1 (see Engine._advance)."""
        cursor = np.array([recorder.filled, 0], dtype=np.int64)
        no_snaps = np.zeros((0, 0, 0))
        records = Records(
            recorder.times,
            recorder.values,
            np.zeros(0),
            no_snaps,
            cursor,
            self.reactions.fired,
            recorder.tallies,
        )
        t = t0
        while True:
            t, status, self.n_alive = advance_mixing(
                t, t1, self.dt, last, self.comp, self.n_alive, self.x, self.reactions, records,
                self.watched, self.g_enc, self.g_birth,
            )  # fmt: skip
            recorder.filled = int(cursor[0])
            if status == Status.NEED_ROOM:
                grown = np.full(max(16, 2 * self.comp.size), -1, dtype=np.int32)
                grown[: self.comp.size] = self.comp
                self.comp = grown
                continue
            if status == Status.STOPPED:
                self.stopped_by = self.watch.stopper(t)
                return float(t)
            return t1

    def counts_now(self) -> np.ndarray:
        """The compartments' totals now."""
        return self.x.copy()

    def change_times(self, scenario: Scenario) -> list[float]:
        """None: interventions are carried out only in a building."""
        return []

    def intervene(self, t: float) -> None:
        """Refused: the engine carries out interventions only in a building."""
        raise EngineError("the agents engine carries out interventions only in a building")

    def finish(self) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        """Crossings, exact figures and diagnostics (with how often each reaction fired)."""
        crossings, exact = self.watch.figures(self.watched.peak)
        fired = self.reactions.fired.tolist()
        diagnostics = {
            "mode": "random mixing",
            "people": int(self.n_alive),
            "step_s": self.dt,
            "events_by_reaction": dict(zip(self.reaction_names, fired, strict=True)),
        }
        return crossings, exact, diagnostics

    def outputs(self) -> Outputs:
        """Nothing beyond the counts."""
        return Outputs()

    def tally(self) -> np.ndarray:
        """How often each reaction has fired so far."""
        return self.reactions.fired.astype(np.float64)

    def counted_reactions(self, times: np.ndarray, tallies: np.ndarray) -> ReactionCounts:
        """The model's reactions, counted at the recorded times."""
        from hyosan.results.epidemic import ReactionCounts

        return ReactionCounts(
            names=self.reaction_names,
            counts=np.asarray(tallies, dtype=np.float64),
            stoichiometry=self.stoichiometry.astype(np.float64),
        )


def setup_mixing(scenario: Scenario, streams: Streams) -> MixingRun:
    """Compile a scenario's model for individuals with random mixing."""
    from hyosan.models.network import ReactionNetwork

    net = ReactionNetwork.from_scenario(scenario)
    x0 = np.asarray(scenario.initial_vector(), dtype=np.float64)
    if not np.all(x0 == np.round(x0)):
        c = next(c for c, v in zip(net.compartments, x0, strict=True) if v != round(v))
        raise EngineError(
            f"the agents engine simulates people, so initial counts must be whole numbers; "
            f"initial.{c} is {scenario.initial[c]}"
        )
    if x0.sum() > 50_000_000:
        raise EngineError(f"initial: {x0.sum():,.0f} people; the agents engine takes 50 million")
    n_r = len(net.reaction_names)
    focal = np.full(n_r, -1, dtype=np.int64)
    target = np.full(n_r, -1, dtype=np.int64)
    change = net.stoichiometry
    for j in range(n_r):
        lost = np.flatnonzero(change[j] < 0)
        gained = np.flatnonzero(change[j] > 0)
        ok = bool(len(lost) <= 1 and len(gained) <= 1 and np.all(np.abs(change[j]) <= 1))
        ok = ok and (len(lost) == 1 or len(gained) == 1)
        if not ok:
            raise EngineError(
                f"model.reactions[{j}] ({net.reaction_names[j]}): the agents engine acts out a "
                "reaction as one person changing compartment, being born or leaving; this one "
                "changes several people at once"
            )
        focal[j] = lost[0] if len(lost) else -1
        target[j] = gained[0] if len(gained) else -1
    comp = np.repeat(np.arange(x0.size, dtype=np.int32), x0.astype(np.int64))
    watched = watches(scenario, net, x0)
    n_c = x0.size
    zw = net.weights("zombie")
    options = scenario.agents
    dt = (
        float(options.step)
        if options is not None and options.step is not None
        else scenario.time.step / 20
    )
    zombie = np.asarray(zw, dtype=np.float64)
    watch = WatchArrays.of(watched, n_c)
    peak = np.array([float(zombie @ x0), 0.0])
    return MixingRun(
        compartments=net.compartments,
        reaction_names=net.reaction_names,
        stoichiometry=net.stoichiometry,
        comp=comp,
        n_alive=int(comp.size),
        x=x0.copy(),
        reactions=Reactions(
            reactants=net.reactants.astype(np.int64),
            rates=net.rates.astype(np.float64),
            frequency=net.frequency.astype(np.bool_),
            in_population=net.in_population.astype(np.bool_),
            focal=focal,
            target=target,
            fired=np.zeros(n_r, dtype=np.int64),
        ),
        dt=dt,
        watch=watch,
        watched=Watched(
            watch.weights, watch.levels, watch.below, watch.stop, watch.times, zombie, peak
        ),
        g_enc=streams.generator("encounters"),
        g_birth=streams.generator("events"),
    )

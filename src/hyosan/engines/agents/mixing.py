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
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from hyosan.engines.watches import WatchArrays, watches
from hyosan.errors import EngineError

if TYPE_CHECKING:
    from hyosan.engines.base import Recorder, Streams
    from hyosan.scenario.schema import Scenario

__all__ = ["MixingRun", "advance_mixing", "setup_mixing"]

STATUS_DONE, STATUS_NEED_ROOM, STATUS_STOPPED = 0, 1, 2


@njit(cache=True)
def _hazards(x, reactants, rates, freq, in_pop, focal, out):
    n_pop = 0.0
    for c in range(x.size):
        if in_pop[c]:
            n_pop += x[c]
    for j in range(rates.size):
        a = rates[j]
        order = 0
        for c in range(x.size):
            k = reactants[j, c]
            for m in range(k):
                # Falling factorial: the focal person is one of the x[focal] counted.
                a *= max(x[c] - m, 0.0)
            order += k
        if freq[j] and order > 1:
            a = a / n_pop ** (order - 1) if n_pop > 0 else 0.0
        f = focal[j]
        if f >= 0:
            out[j] = a / x[f] if x[f] > 0 else 0.0
        else:
            out[j] = a  # a birth: the rate for the whole population


@njit(cache=True)
def advance_mixing(
    t, t_end, dt, last, comp, n_alive, x, reactants, rates, freq, in_pop, focal, target,
    rec_t, rec_v, rec_n, w_weights, w_level, w_below, w_stop, w_time, zw, peak, counts,
    g_enc, g_birth,
):  # fmt: skip
    """Advance from t to t_end; returns (t, status, n_alive)."""
    n_r = rates.size
    haz = np.zeros(n_r)
    while True:
        while rec_n[0] < rec_t.size and rec_t[rec_n[0]] <= t + 1e-9:
            if rec_t[rec_n[0]] >= t_end - 1e-9 and not last:
                break
            rec_v[rec_n[0], :] = x
            rec_n[0] += 1
        if t >= t_end - 1e-9:
            return t, STATUS_DONE, n_alive
        h = min(dt, t_end - t)
        if rec_n[0] < rec_t.size:
            h = min(h, max(rec_t[rec_n[0]] - t, 1e-9))
        _hazards(x, reactants, rates, freq, in_pop, focal, haz)
        # Births first: they need room in the arrays.
        born = 0
        for j in range(n_r):
            if focal[j] < 0 and haz[j] > 0.0:
                born += g_birth.poisson(haz[j] * h)
        if n_alive + born > comp.size:
            return t, STATUS_NEED_ROOM, n_alive
        total = np.zeros(x.size)
        for j in range(n_r):
            f = focal[j]
            if f >= 0:
                total[f] += haz[j]
        p_fire = np.zeros(x.size)
        for c in range(x.size):
            p_fire[c] = 1.0 - math.exp(-total[c] * h)
        dx = np.zeros(x.size)
        for i in range(n_alive):
            c = comp[i]
            if c < 0 or total[c] <= 0.0:
                continue
            if g_enc.random() >= p_fire[c]:
                continue
            u = g_enc.random() * total[c]
            chosen = -1
            for j in range(n_r):
                if focal[j] == c:
                    chosen = j  # the last match takes what rounding leaves over
                    u -= haz[j]
                    if u < 0.0:
                        break
            comp[i] = target[chosen]
            dx[c] -= 1.0
            if target[chosen] >= 0:
                dx[target[chosen]] += 1.0
            counts[chosen] += 1
        # Births of this step go to the first birth reaction's compartment (a model with
        # several birth reactions would need their split drawn too; none of the built-ins has).
        for j in range(n_r):
            if focal[j] < 0 and born > 0:
                for _ in range(born):
                    comp[n_alive] = target[j]
                    n_alive += 1
                dx[target[j]] += born
                counts[j] += born
                born = 0
        for c in range(x.size):
            x[c] += dx[c]
        t = t + h
        zc = 0.0
        for c in range(x.size):
            zc += zw[c] * x[c]
        if zc > peak[0]:
            peak[0] = zc
            peak[1] = t
        stop = False
        for w in range(w_level.size):
            if not math.isnan(w_time[w]):
                continue
            v = 0.0
            for c in range(x.size):
                v += w_weights[w, c] * x[c]
            if (v < w_level[w]) if w_below[w] else (v > w_level[w]):
                w_time[w] = t
                if w_stop[w]:
                    stop = True
        if stop:
            return t, STATUS_STOPPED, n_alive


@dataclass
class MixingRun:
    """State of one well-mixed agents run."""

    compartments: tuple[str, ...]
    reaction_names: tuple[str, ...]
    comp: np.ndarray
    n_alive: int
    x: np.ndarray
    reactants: np.ndarray
    rates: np.ndarray
    freq: np.ndarray
    in_pop: np.ndarray
    focal: np.ndarray
    target: np.ndarray
    dt: float
    watch: WatchArrays
    zw: np.ndarray
    peak: np.ndarray
    counts: np.ndarray
    g_enc: np.random.Generator
    g_birth: np.random.Generator
    stopped_by: str = field(default="horizon")

    def advance(self, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        rec_n = np.array([recorder.filled], dtype=np.int64)
        t = t0
        while True:
            t, status, self.n_alive = advance_mixing(
                t, t1, self.dt, last, self.comp, self.n_alive, self.x, self.reactants,
                self.rates, self.freq, self.in_pop, self.focal, self.target, recorder.times,
                recorder.values, rec_n, self.watch.weights, self.watch.levels, self.watch.below,
                self.watch.stop, self.watch.times, self.zw, self.peak, self.counts, self.g_enc,
                self.g_birth,
            )  # fmt: skip
            recorder.filled = int(rec_n[0])
            if status == STATUS_NEED_ROOM:
                grown = np.full(max(16, 2 * self.comp.size), -1, dtype=np.int32)
                grown[: self.comp.size] = self.comp
                self.comp = grown
                continue
            if status == STATUS_STOPPED:
                self.stopped_by = self.watch.stopper(t)
                return float(t)
            return t1

    def counts_now(self) -> np.ndarray:
        return self.x.copy()

    def finish(self) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        crossings, exact = self.watch.figures(self.peak)
        diagnostics = {
            "mode": "random mixing",
            "people": int(self.n_alive),
            "step_s": self.dt,
            "events_by_reaction": dict(zip(self.reaction_names, self.counts.tolist(), strict=True)),
        }
        return crossings, exact, diagnostics

    def outputs(self) -> dict[str, Any]:
        return {}


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
        ok = len(lost) <= 1 and len(gained) <= 1 and np.all(np.abs(change[j]) <= 1)
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
    return MixingRun(
        compartments=net.compartments,
        reaction_names=net.reaction_names,
        comp=comp,
        n_alive=int(comp.size),
        x=x0.copy(),
        reactants=net.reactants.astype(np.int64),
        rates=net.rates.astype(np.float64),
        freq=net.frequency.astype(np.bool_),
        in_pop=net.in_population.astype(np.bool_),
        focal=focal,
        target=target,
        dt=dt,
        watch=WatchArrays.of(watched, n_c),
        zw=np.asarray(zw, dtype=np.float64),
        peak=np.array([float(zw @ x0), 0.0]),
        counts=np.zeros(n_r, dtype=np.int64),
        g_enc=streams.generator("encounters"),
        g_birth=streams.generator("events"),
    )

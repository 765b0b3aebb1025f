"""The ssa engine: exact stochastic simulation of a model's reactions (the Markov chain's law).

This version simulates one well-mixed place with Gillespie's direct method; graphs of places
build on it. One run:

1. checks the initial counts are whole numbers and compiles the model's reactions to arrays;
2. repeatedly, in a Numba kernel: computes every propensity (mass action on falling factorials
   of the counts, divided by N for frequency mixing), draws the time to the next event and which
   reaction fires from two uniforms of the `events` stream, records the state at the output
   times the wait covers, applies the reaction, and updates the zombie peak and the thresholds;
3. stops at the end of the piece, when nothing more can happen (the state then holds to the
   horizon), or at a stopping threshold;
4. applies culls at their instants: each culled individual is removed independently with the
   cull's probability (a binomial draw from the `encounters` stream).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.base import Engine, Recorder, Streams
from hyosan.engines.watches import OVERRUN, watches
from hyosan.errors import EngineError
from hyosan.models.network import ReactionNetwork

if TYPE_CHECKING:
    from hyosan.scenario.schema import Cull, Scenario

__all__ = ["SsaEngine"]

#: Uniforms handed to the kernel at a time: large enough to amortise the call, small in memory.
_BLOCK = 1 << 16


@dataclass
class _SsaRun:
    net: ReactionNetwork
    x: np.ndarray
    initial: np.ndarray
    events_rng: np.random.Generator
    cull_rng: np.random.Generator
    watch_names: list[str]
    watch_weights: np.ndarray
    watch_levels: np.ndarray
    watch_below: np.ndarray
    watch_stop: np.ndarray
    watch_times: np.ndarray
    zombie_weights: np.ndarray
    peak: np.ndarray
    counts: np.ndarray
    uniforms: np.ndarray = field(default_factory=lambda: np.empty(0))
    used: int = 0
    stopped_by: str = "horizon"


class SsaEngine(Engine):
    """Exact continuous-time stochastic simulation of a compartmental model."""

    name = "ssa"
    supports = frozenset(
        {"model", "model.frequency_mixing", "culls", "culls.reset_to_initial", "thresholds"}
    )

    def _setup(self, scenario: Scenario, streams: Streams) -> _SsaRun:
        net = ReactionNetwork.from_scenario(scenario)
        initial = np.asarray(scenario.initial_vector())
        if not np.all(initial == np.round(initial)):
            bad = [c for c, v in zip(net.compartments, initial, strict=True) if v != round(v)]
            raise EngineError(
                f"the ssa engine counts people, so initial counts must be whole numbers; "
                f"initial.{bad[0]} is {scenario.initial[bad[0]]}"
            )
        x = initial.astype(np.int64)
        watched = watches(scenario, net, x)
        n_c = len(net.compartments)
        times = np.array([np.nan if w.t is None else w.t for w in watched])
        zw = net.weights("zombie")
        return _SsaRun(
            net=net,
            x=x,
            initial=x.copy(),
            events_rng=streams.generator("events"),
            cull_rng=streams.generator("encounters"),
            watch_names=[w.name for w in watched],
            watch_weights=np.array([w.weights for w in watched], dtype=np.float64).reshape(-1, n_c),
            watch_levels=np.array([w.level for w in watched], dtype=np.float64),
            watch_below=np.array([w.below for w in watched], dtype=bool),
            watch_stop=np.array([w.stop for w in watched], dtype=bool),
            watch_times=times,
            zombie_weights=zw,
            peak=np.array([float(zw @ x), 0.0]),
            counts=np.zeros(len(net.reaction_names), dtype=np.int64),
        )

    def _advance(
        self, state: _SsaRun, t0: float, t1: float, recorder: Recorder, last: bool
    ) -> float:
        from hyosan.engines.ssa.kernels import STATUS_NEED_RANDOM, STATUS_STOPPED, direct_method

        net, t, out_next = state.net, t0, recorder.filled
        while True:
            if state.used >= state.uniforms.size - 1:
                state.uniforms, state.used = state.events_rng.random(_BLOCK), 0
            t, used, out_next, status = direct_method(
                state.x,
                t,
                t1,
                last,
                net.reactants,
                net.stoichiometry,
                net.rates,
                net.frequency,
                net.in_population,
                state.uniforms[state.used :],
                recorder.times,
                recorder.values,
                out_next,
                state.watch_weights,
                state.watch_levels,
                state.watch_below,
                state.watch_stop,
                state.watch_times,
                state.zombie_weights,
                state.peak,
                state.counts,
            )
            state.used += used
            recorder.filled = out_next
            if status == STATUS_NEED_RANDOM:
                state.used = state.uniforms.size  # draw a fresh block, leaving the tail unused
                continue
            if status == STATUS_STOPPED:
                hit = [
                    n
                    for n, s, tw in zip(
                        state.watch_names, state.watch_stop, state.watch_times, strict=True
                    )
                    if s and tw == t
                ]
                state.stopped_by = hit[0]
                return float(t)
            return t1

    def _apply_cull(self, state: _SsaRun, cull: Cull, fraction: float) -> None:
        # Each individual is culled independently with probability `fraction`.
        for i in state.net.indices_of(cull.compartment):
            removed = int(state.cull_rng.binomial(state.x[i], fraction))
            state.x[i] -= removed
            if cull.to is not None:
                state.x[state.net.indices_of(cull.to)[0]] += removed
        for name in cull.reset_to_initial:
            j = state.net.indices_of(name)
            state.x[j] = state.initial[j]

    def _counts(self, state: _SsaRun) -> np.ndarray:
        return state.x.astype(np.float64)

    def _finish(
        self, state: _SsaRun
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        def t_of(i: int) -> float | None:
            return None if np.isnan(state.watch_times[i]) else float(state.watch_times[i])

        crossings = {n: t_of(i) for i, n in enumerate(state.watch_names) if n != OVERRUN}
        overrun = [t_of(i) for i, n in enumerate(state.watch_names) if n == OVERRUN]
        exact: dict[str, float | None] = {
            "peak_zombies": float(state.peak[0]),
            "t_peak_zombies_s": float(state.peak[1]),
            "t_overrun_s": overrun[0] if overrun else None,
        }
        diagnostics = {
            "events": int(state.counts.sum()),
            "events_by_reaction": dict(
                zip(state.net.reaction_names, state.counts.tolist(), strict=True)
            ),
        }
        return crossings, exact, diagnostics

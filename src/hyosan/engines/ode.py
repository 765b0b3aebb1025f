"""The ode engine: the mean field of a model, integrated with scipy's solve_ivp.

The model's reactions give dx/dt = S·a(x) (models/network.py). One run:

1. builds the right-hand side from the model and the scenario's rates;
2. integrates each piece of the horizon between culls, adaptively (DOP853 with tight
   tolerances by default) or with fixed-step forward Euler (`method = "euler"`, for parity with
   published fixed-step code), recording the output times;
3. finds threshold crossings, the zombie peak (where d(zombies)/dt falls through zero) and the
   overrun time (humans down to 20 % of the start) by root finding, so they are exact to the
   solver's tolerance rather than to the output spacing; a threshold with `stop` ends the run;
4. applies each cull at its instant (the integration stops there and restarts from the culled
   state) and, if asked, resets the listed compartments to their initial values.

The engine draws no random numbers: its Result is the same for every seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.base import Engine, Recorder, Streams
from hyosan.errors import EngineError
from hyosan.models.network import ReactionNetwork
from hyosan.results.metrics import OVERRUN_FRACTION, first_crossing

if TYPE_CHECKING:
    from collections.abc import Callable

    from hyosan.scenario.schema import Cull, OdeOptions, Scenario

__all__ = ["OdeEngine", "integrate_grid"]

_ADAPTIVE_DEFAULT = "DOP853"


@dataclass
class _Watch:
    """A level to watch: a threshold of the scenario, or the overrun of the humans."""

    name: str
    weights: np.ndarray
    level: float
    below: bool
    stop: bool
    t: float | None = None


@dataclass
class _OdeRun:
    net: ReactionNetwork
    rhs: Callable[..., list[Any]]
    k: tuple[float, ...]
    y: np.ndarray
    initial: np.ndarray
    options: OdeOptions
    watches: list[_Watch]
    zombie_w: np.ndarray
    peak: tuple[float, float]
    stopped_by: str = "horizon"
    stats: dict[str, int] = field(default_factory=lambda: {"nfev": 0, "steps": 0, "pieces": 0})


class OdeEngine(Engine):
    """Deterministic mean-field integration of a compartmental model."""

    name = "ode"
    supports = frozenset({"model", "model.frequency_mixing", "culls", "culls.reset_to_initial", "thresholds"})

    # --- setup -------------------------------------------------------------------------------

    def _setup(self, scenario: Scenario, streams: Streams) -> _OdeRun:
        net = ReactionNetwork.from_scenario(scenario)
        y0 = np.asarray(scenario.initial_vector(), dtype=np.float64)
        watches = [
            _Watch(
                th.name,
                net.weights(th.of),
                float(th.below if th.below is not None else th.above),  # type: ignore[arg-type]
                th.below is not None,
                th.stop,
            )
            for th in scenario.thresholds
        ]
        human_w = net.weights("human")
        if human_w @ y0 > 0:
            level = (1 - OVERRUN_FRACTION) * float(human_w @ y0)
            watches.append(_Watch("__overrun__", human_w, level, True, False))
        for w in watches:  # a level already passed at the start is crossed at t = 0
            v = float(w.weights @ y0)
            if (v < w.level) if w.below else (v > w.level):
                w.t = 0.0
        zombie_w = net.weights("zombie")
        return _OdeRun(
            net=net,
            rhs=net.rhs(),
            k=tuple(float(r) for r in net.rates),
            y=y0.copy(),
            initial=y0,
            options=scenario.ode,
            watches=watches,
            zombie_w=zombie_w,
            peak=(float(zombie_w @ y0), 0.0),
        )

    # --- one piece ---------------------------------------------------------------------------

    def _advance(self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, last: bool) -> float:
        rows = recorder.pending(t0, t1, last)
        state.stats["pieces"] += 1
        if t1 <= t0:
            recorder.write(rows, state.y)
            return t1
        if state.options.method == "euler":
            return self._advance_euler(state, t0, t1, recorder, rows)
        return self._advance_adaptive(state, t0, t1, recorder, rows)

    def _event_functions(self, state: _OdeRun) -> tuple[list[Callable[..., float]], list[_Watch]]:
        events: list[Callable[..., float]] = []
        watched = [w for w in state.watches if w.t is None]
        for w in watched:
            weights, level = w.weights, w.level

            def g(t: float, y: np.ndarray, k: tuple[float, ...], weights: np.ndarray = weights, level: float = level) -> float:
                return float(weights @ y) - level

            g.direction = -1.0 if w.below else 1.0  # type: ignore[attr-defined]
            g.terminal = w.stop  # type: ignore[attr-defined]
            events.append(g)
        if state.zombie_w.any():
            rhs, zw = state.rhs, state.zombie_w

            def zombie_slope(t: float, y: np.ndarray, k: tuple[float, ...]) -> float:
                return float(zw @ np.asarray(rhs(t, y, k)))

            zombie_slope.direction = -1.0  # type: ignore[attr-defined]
            events.append(zombie_slope)
        return events, watched

    def _advance_adaptive(self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, rows: slice) -> float:
        from scipy.integrate import solve_ivp

        opts = state.options
        method = _ADAPTIVE_DEFAULT if opts.method == "adaptive" else opts.method
        t_eval = recorder.times[rows]
        if t_eval.size == 0 or t_eval[-1] < t1:
            t_eval = np.append(t_eval, t1)  # the state at t1 is needed to carry on
        events, watched = self._event_functions(state)
        sol = solve_ivp(
            state.rhs,
            (t0, t1),
            state.y,
            method=method,
            t_eval=t_eval,
            events=events or None,
            rtol=opts.rtol,
            atol=opts.atol,
            args=(state.k,),
        )
        if sol.status < 0:
            raise EngineError(f"the ode solver failed at t = {sol.t[-1] if sol.t.size else t0:g} s: {sol.message}")
        state.stats["nfev"] += int(sol.nfev)
        n_rec = min(len(sol.t), rows.stop - rows.start)
        recorder.write(slice(rows.start, rows.start + n_rec), sol.y[:, :n_rec].T)

        stop_at: float | None = None
        for w, t_ev, y_ev in zip(watched, sol.t_events, sol.y_events, strict=False):
            if len(t_ev):
                w.t = float(t_ev[0])
                if w.stop:
                    stop_at, state.y, state.stopped_by = w.t, np.asarray(y_ev[0], dtype=np.float64), w.name
        if state.zombie_w.any():
            for t_ev, y_ev in zip(sol.t_events[len(watched)], sol.y_events[len(watched)], strict=True):
                self._offer_peak(state, float(state.zombie_w @ y_ev), float(t_ev))
        if stop_at is not None:
            return stop_at
        state.y = sol.y[:, -1].copy()
        # The end of a piece can be a peak too (growth until a cull or the horizon).
        self._offer_peak(state, float(state.zombie_w @ state.y), t1)
        return t1

    def _advance_euler(self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, rows: slice) -> float:
        dt = float(state.options.dt)  # type: ignore[arg-type]
        span = t1 - t0
        n_full = int(np.floor(span / dt + 1e-9))
        steps = [dt] * n_full
        if span - n_full * dt > 1e-9 * dt:
            steps.append(span - n_full * dt)  # a last, shorter step lands exactly on t1
        ys = np.empty((len(steps) + 1, state.y.size))
        ts = np.empty(len(steps) + 1)
        ys[0], ts[0] = state.y, t0
        y, k, rhs = state.y.copy(), state.k, state.rhs
        for i, h in enumerate(steps):
            y = y + h * np.asarray(rhs(ts[i], y, k))
            ys[i + 1] = y
            ts[i + 1] = t0 + (i + 1) * dt if i < n_full else t1
        state.stats["nfev"] += len(steps)
        state.stats["steps"] += len(steps)

        t_stop: float | None = None
        for w in state.watches:
            if w.t is None:
                w.t = first_crossing(ts, ys @ w.weights, w.level, below=w.below)
                if w.t is not None and w.stop and (t_stop is None or w.t < t_stop):
                    t_stop, state.stopped_by = w.t, w.name
        z = ys @ state.zombie_w
        i = int(np.argmax(z))
        self._offer_peak(state, float(z[i]), float(ts[i]))
        t_last = t1 if t_stop is None else t_stop
        out_t = recorder.times[rows]
        out_t = out_t[out_t <= t_last] if t_stop is not None else out_t
        # Output times between steps are interpolated linearly, as the Euler scheme itself is.
        recorder.write(
            slice(rows.start, rows.start + out_t.size),
            np.column_stack([np.interp(out_t, ts, ys[:, c]) for c in range(ys.shape[1])]),
        )
        state.y = np.array([np.interp(t_last, ts, ys[:, c]) for c in range(ys.shape[1])])
        return t_last

    @staticmethod
    def _offer_peak(state: _OdeRun, value: float, t: float) -> None:
        if value > state.peak[0]:
            state.peak = (value, t)

    # --- instants and the end ----------------------------------------------------------------

    def _apply_cull(self, state: _OdeRun, cull: Cull, fraction: float) -> None:
        idx = state.net.indices_of(cull.compartment)
        removed = state.y[idx] * fraction
        state.y[idx] = state.y[idx] - removed
        if cull.to is not None:
            state.y[state.net.indices_of(cull.to)] += removed.sum()
        for name in cull.reset_to_initial:
            j = state.net.indices_of(name)
            state.y[j] = state.initial[j]

    def _counts(self, state: _OdeRun) -> np.ndarray:
        return state.y.copy()

    def _finish(self, state: _OdeRun) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        crossings = {w.name: w.t for w in state.watches if w.name != "__overrun__"}
        overrun = [w.t for w in state.watches if w.name == "__overrun__"]
        exact: dict[str, float | None] = {
            "peak_zombies": state.peak[0],
            "t_peak_zombies_s": state.peak[1],
            "t_overrun_s": overrun[0] if overrun else None,
        }
        method = state.options.method
        diagnostics = {"method": _ADAPTIVE_DEFAULT if method == "adaptive" else method, **state.stats}
        return crossings, exact, diagnostics


def integrate_grid(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    times: np.ndarray | None = None,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> np.ndarray:
    """Integrate the scenario's model for many parameter points at once.

    `values` maps parameter names to arrays of per-second rates, all of one length m (other
    parameters keep the scenario's values). All m systems are integrated as one system, so the
    solver's overhead is paid once. scipy controls the RMS of the error over all components, so
    the tolerance is divided by √m to hold for each system separately.

    Returns counts of shape (m, len(times), n_compartments); times default to the scenario's
    output times.
    """
    from scipy.integrate import solve_ivp

    net = ReactionNetwork.from_scenario(scenario)
    m = len(next(iter(values.values()))) if values else 1
    lookup = scenario.parameter_values()
    k = []
    for name in net.parameter_names:
        if name in values:
            arr = np.asarray(values[name], dtype=np.float64)
            if arr.shape != (m,):
                raise ValueError(f"values[{name!r}] has shape {arr.shape}; expected ({m},)")
            k.append(arr)
        else:
            k.append(np.full(m, lookup[name]))
    unknown = set(values) - set(lookup)
    if unknown:
        raise ValueError(f"the model has no parameter {', '.join(sorted(unknown))}")
    n_c = len(net.compartments)
    rhs = net.rhs(vectorised=True)

    def flat_rhs(t: float, y: np.ndarray) -> np.ndarray:
        parts = rhs(t, y.reshape(n_c, m), k)
        return np.concatenate([np.broadcast_to(p, (m,)) for p in parts])

    t_eval = np.asarray(scenario.time.output_times() if times is None else times, dtype=np.float64)
    y0 = np.repeat(np.asarray(scenario.initial_vector(), dtype=np.float64), m)
    scale = float(np.sqrt(m))
    sol = solve_ivp(flat_rhs, (0.0, float(t_eval[-1])), y0, method=_ADAPTIVE_DEFAULT, t_eval=t_eval, rtol=rtol / scale, atol=atol / scale)
    if sol.status < 0:
        raise EngineError(f"the ode solver failed: {sol.message}")
    return sol.y.reshape(n_c, m, -1).transpose(1, 2, 0)

"""The ode engine: the mean field of a model, integrated with scipy's DOP853 or solve_ivp.

The model's reactions give dx/dt = S·a(x) (models/network.py). One run:

1. builds the right-hand side from the model and the scenario's rates;
2. integrates each piece of the horizon between culls and the jumps of piecewise-constant rate
   schedules (each piece at its own constant rates, so no step crosses a jump), adaptively
   (DOP853 with tight tolerances by default, any other solve_ivp method by name) or with
   fixed-step forward Euler (`method = "euler"`, for parity with published fixed-step code),
   recording the output times. A sinusoid schedule multiplies its rate in the right-hand side
   (solve_ivp, with steps no longer than a 24th of its period, engines/schedules.py).
   DOP853 runs scipy's algorithm and coefficients as straight-line code generated for the
   model (a step is arithmetic on local floats), with the same step control, dense output and
   event location as solve_ivp, several times faster; the other methods go through solve_ivp;
3. finds threshold crossings, the zombie peak (where d(zombies)/dt falls through zero) and the
   overrun time (humans down to 20 % of the start) by root finding on the dense output, so they
   are exact to the solver's tolerance rather than to the output spacing; a threshold with
   `stop` ends the run;
4. applies each cull at its instant (the integration stops there and restarts from the culled
   state) and, if asked, resets the listed compartments to their initial values.

The engine draws no random numbers: its Result is the same for every seed.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from hyosan.engines.base import Engine, Outputs, Recorder, Streams
from hyosan.engines.handoff import hand_over
from hyosan.engines.schedules import max_step, smooth_factors, step_factors
from hyosan.engines.timescales import RESOLUTION, fastest_rate
from hyosan.engines.watches import OVERRUN, Watch, share_crossings, watches
from hyosan.errors import EngineError
from hyosan.interventions.plan import InterventionPlan
from hyosan.models.network import ReactionNetwork, compile_function
from hyosan.results.metrics import first_crossing
from hyosan.world.graph import single_place

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hyosan.scenario.schema import Cull, OdeOptions, Scenario

__all__ = ["OdeEngine", "integrate_grid"]

_ADAPTIVE_DEFAULT: Final = "DOP853"
#: The method "adaptive" switches to for a stiff scenario: implicit where it must be (LSODA
#: detects stiffness itself), so steps are not bounded by the fastest rate.
_STIFF_METHOD: Final = "LSODA"
#: Fastest rate x horizon beyond which an explicit method is stiff: it would take about this
#: many steps (1e5/s over 100 days is 8.6e11 steps, which never ends).
_STIFF = 1e6
#: Most Euler steps in one run: each is kept (time, state) until the piece is recorded.
MAX_EULER_STEPS = 10_000_000
_EXPLICIT = ("RK45", "DOP853")

# Step-size control of scipy's explicit Runge-Kutta solvers, kept identical so that the generated
# DOP853 takes the same steps as solve_ivp(method="DOP853") would.
_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 10.0
_ERROR_EXPONENT = -1.0 / 8.0  # -1 / (error estimator order + 1)
_EVENT_XTOL = 4 * float(np.finfo(float).eps)  # solve_ivp's tolerance on event times
# The generated step grows linearly with the number of compartments; beyond this many, numpy's
# array arithmetic (solve_ivp) costs no more per step and the generated source gets unwieldy.
_STRAIGHT_LINE_MAX = 40


# --- DOP853 as straight-line code ------------------------------------------------------------


@dataclass(frozen=True)
class _Dop853:
    """scipy's DOP853, generated for one network as functions on tuples of floats.

    step(h, y, f, k, rtol, atol) -> (error norm, y_new, f_new, stages): one attempt from y with
    derivative f; dense(h, y, y_new, stages, k) -> F, the 7 x n interpolation coefficients
    (flattened); at(x, y, F) -> the state at the fraction x of the step (x may be an array);
    deriv(t, y, k) -> dx/dt.
    """

    step: Callable[..., tuple[float, tuple[float, ...], tuple[float, ...], tuple[float, ...]]]
    dense: Callable[..., tuple[float, ...]]
    at: Callable[..., tuple[Any, ...]]
    deriv: Callable[..., tuple[float, ...]]


def _dop853_coefficients() -> Any | None:
    """scipy's DOP853 tableau, or None if this scipy keeps it elsewhere (then use solve_ivp)."""
    try:
        from scipy.integrate._ivp import dop853_coefficients
    except ImportError:  # a private module: fall back rather than break on a scipy upgrade
        return None
    return dop853_coefficients


def _dop853_source(net: ReactionNetwork, co: Any) -> str:
    """The generated step, dense output, interpolant and derivative of one network.

    The state is the n compartments followed by one counter per reaction, whose derivative is
    the reaction's flux a_j(x): each counter is the integral of its flux, by the same stages,
    steps and interpolant as the compartments, so that the compartments' change between any two
    times is exactly the stoichiometry times the counters' change (up to rounding). Only the
    compartments enter the error norm: the steps are those of the compartments alone.
    """
    n, n_r = len(net.compartments), len(net.reaction_names)
    ys = [f"y{i}" for i in range(n)] + [f"q{j}" for j in range(n_r)]
    yns = [f"yn{i}" for i in range(n)] + [f"qn{j}" for j in range(n_r)]
    xs = [f"x{i}" for i in range(n)]
    m = n + n_r

    def d(s: int) -> list[str]:
        # Stage s's derivative of every component: dx_i/dt, then the flux of each reaction.
        return [f"d{s}_{i}" for i in range(n)] + [f"e{s}_{j}" for j in range(n_r)]

    def tup(names: Sequence[str]) -> str:
        return f"({', '.join(names)},)"

    def unpack(names: Sequence[str], source: str) -> str:
        return f"{', '.join(names)}, = {source}"

    def combo(coefs: np.ndarray, i: int) -> str:
        # Zero coefficients are skipped: DOP853's tableau is a third zeros.
        terms = [f"{float(c)!r} * {d(j)[i]}" for j, c in enumerate(coefs) if c != 0.0]
        return " + ".join(terms) if terms else "0.0"

    def field(x: Sequence[str], s: int) -> list[str]:
        # The mean field at x, and each reaction's flux there (the a_j it computes on the way).
        return net.mean_field_lines(x, d(s)[:n]) + [f"e{s}_{j} = a{j}" for j in range(n_r)]

    def stage(s: int, row: np.ndarray) -> list[str]:
        # As scipy's rk_step: y + (Σ a_sj K_j) * h, then the mean field there.
        lines = [f"{xs[i]} = {ys[i]} + ({combo(row[:s], i)}) * h" for i in range(n)]
        return lines + field(xs, s)

    all_stages = [name for s in range(co.N_STAGES + 1) for name in d(s)]
    step = [unpack(ys, "y"), unpack(d(0), "f"), *net.rate_unpacking()]
    for s in range(1, co.N_STAGES):
        step += stage(s, co.A[s])
    step += [f"{yns[i]} = {ys[i]} + h * ({combo(co.B, i)})" for i in range(m)]
    step += field(yns[:n], co.N_STAGES)
    for i in range(n):
        step.append(f"s{i} = atol + max(abs({ys[i]}), abs({yns[i]})) * rtol")
        step.append(f"u{i} = ({combo(co.E5, i)}) / s{i}")
        step.append(f"v{i} = ({combo(co.E3, i)}) / s{i}")
    step.append(f"e5 = {' + '.join(f'u{i} * u{i}' for i in range(n))}")
    step.append(f"e3 = {' + '.join(f'v{i} * v{i}' for i in range(n))}")
    step.append(f"err = abs(h) * e5 / sqrt((e5 + 0.01 * e3) * {n}) if e5 or e3 else 0.0")
    step.append(f"return err, {tup(yns)}, {tup(d(co.N_STAGES))}, {tup(all_stages)}")

    dense = [unpack(ys, "y"), unpack(yns, "yn"), unpack(all_stages, "K"), *net.rate_unpacking()]
    for s in range(co.N_STAGES + 1, co.N_STAGES_EXTENDED):
        dense += stage(s, co.A[s])
    last = co.N_STAGES
    for i in range(m):
        dense.append(f"F0_{i} = {yns[i]} - {ys[i]}")
        dense.append(f"F1_{i} = h * {d(0)[i]} - F0_{i}")
        dense.append(f"F2_{i} = 2 * F0_{i} - h * ({d(last)[i]} + {d(0)[i]})")
        for r in range(co.D.shape[0]):
            dense.append(f"F{3 + r}_{i} = h * ({combo(co.D[r], i)})")
    power = co.INTERPOLATOR_POWER
    dense.append(f"return {tup([f'F{r}_{i}' for r in range(power) for i in range(m)])}")

    # scipy's Dop853DenseOutput: Horner in x and (1 - x) alternately, from the last row.
    at = [unpack(ys, "y"), unpack([f"F{r}_{i}" for r in range(power) for i in range(m)], "F")]
    at.append("w = 1 - x")
    values = []
    for i in range(m):
        expr = f"F{power - 1}_{i}"
        for r in range(power - 1, 0, -1):
            expr = f"({expr}) * {'x' if (power - 1 - r) % 2 == 0 else 'w'} + F{r - 1}_{i}"
        values.append(f"({expr}) * x + {ys[i]}")
    at.append(f"return {tup(values)}")

    # The derivative reads the compartments only: a state with or without its counters.
    deriv = [f"{', '.join(xs)}, *_ = y", *net.rate_unpacking(), *field(xs, 0)]
    deriv.append(f"return {tup(d(0))}")

    def function(header: str, body: list[str]) -> str:
        return f"def {header}:\n" + "".join(f"    {line}\n" for line in body)

    return "\n".join(
        [
            function("step(h, y, f, k, rtol, atol)", step),
            function("dense(h, y, yn, K, k)", dense),
            function("at(x, y, F)", at),
            function("deriv(t, y, k)", deriv),
            "functions = (step, dense, at, deriv)\n",
        ]
    )


# Compiled code only, keyed by the model's structure (rates are arguments): it holds no run
# state, so runs stay independent and pickle as before; the only cost is a few KB per model.
_KERNELS: dict[tuple[Any, ...], _Dop853 | None] = {}


def _dop853_kernel(net: ReactionNetwork) -> _Dop853 | None:
    """The generated DOP853 for `net`, or None where solve_ivp must do.

    Kept per network structure: writing and compiling the source takes about as long as a
    whole run of a small model, and rates are arguments, so every run of a model shares it.
    """
    key = net.structure
    if key not in _KERNELS:
        co = _dop853_coefficients()
        if co is None or len(net.compartments) > _STRAIGHT_LINE_MAX:
            _KERNELS[key] = None
        else:
            name = f"<dop853 of {','.join(net.compartments)}>"
            _KERNELS[key] = _Dop853(*compile_function(_dop853_source(net, co), "functions", name))
    return _KERNELS[key]


def _initial_step(
    deriv: Callable[..., tuple[float, ...]],
    t0: float,
    y: tuple[float, ...],
    f: tuple[float, ...],
    k: tuple[float, ...],
    span: float,
    rtol: float,
    atol: float,
) -> float:
    """scipy's select_initial_step (Hairer, Nørsett & Wanner II.4) for order 7, on tuples.

    `y` and `f` are the compartments only (the reactions' counters do not choose steps).
    """
    n = len(y)
    scale = [atol + abs(v) * rtol for v in y]

    def rms(values: Sequence[float]) -> float:
        # q * q, not q ** 2: a float power raises on overflow, a product gives inf.
        return math.sqrt(
            sum(q * q for q in (v / s for v, s in zip(values, scale, strict=True))) / n
        )

    d0, d1 = rms(y), rms(f)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, span)
    f1 = deriv(t0 + h0, tuple(v + h0 * g for v, g in zip(y, f, strict=True)), k)[:n]
    d2 = rms([a - b for a, b in zip(f1, f, strict=True)]) / h0
    flat = d1 <= 1e-15 and d2 <= 1e-15
    h1 = max(1e-6, h0 * 1e-3) if flat else (0.01 / max(d1, d2)) ** (1 / 8)
    return min(100 * h0, h1, span)


@dataclass
class _OdeRun:
    net: ReactionNetwork
    rhs: Callable[..., list[Any]]
    k: tuple[float, ...]
    y: np.ndarray
    initial: np.ndarray
    options: OdeOptions
    watches: list[Watch]
    zombie_w: np.ndarray
    peak: tuple[float, float]
    kernel: _Dop853 | None = None
    plan: InterventionPlan | None = None
    base_rates: np.ndarray | None = None
    stopped_by: str = "horizon"
    stats: dict[str, int] = field(default_factory=lambda: {"nfev": 0, "steps": 0, "pieces": 0})
    #: The solve_ivp method "adaptive" resolved to (DOP853, or LSODA when stiff).
    method: str = _ADAPTIVE_DEFAULT
    #: The integral of each reaction's flux since the start: how many times it has happened.
    fired: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Each reaction's rate before its piecewise schedule factor (after interventions).
    unscheduled: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Each reaction's piecewise schedule factor in this piece (1 without a schedule).
    factors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: t -> each reaction's smooth (sinusoid) factor, (reactions, *t.shape); None without one.
    smooth: Callable[[Any], np.ndarray] | None = None
    #: The longest step solve_ivp may take: a fraction of the shortest sinusoid's period.
    max_step: float = math.inf
    scenario: Scenario | None = None


def _locate(
    g: Callable[..., float],
    at: Callable[..., tuple[float, ...]],
    k: tuple[float, ...],
    t_a: float,
    t_b: float,
    y_a: tuple[float, ...],
    F: tuple[float, ...],
) -> float:
    """Where g(t, y(t), k) crosses zero in the step [t_a, t_b], y(t) being the step's dense
    output: Brent's method to 4 ulp, exactly as solve_ivp locates events."""
    from scipy.optimize import brentq

    h = t_b - t_a
    return float(
        brentq(
            lambda t: g(t, at((t - t_a) / h, y_a, F), k),
            t_a,
            t_b,
            xtol=_EVENT_XTOL,
            rtol=_EVENT_XTOL,
        )
    )


def _stiffness(scenario: Scenario) -> float:
    """Fastest rate x horizon: about how many steps an explicit method takes."""
    return fastest_rate(scenario)[0] * float(scenario.time.horizon)


def _weighted_sum_of(weights: np.ndarray) -> Callable[[Sequence[float]], float]:
    """y -> the sum of y weighted by `weights`: `_sum_of` where every weight is 0 or 1 (every
    threshold), else a sum over the few weighted indices (the overrun where people reach
    safety: metrics.overrun_watch)."""
    nonzero = np.flatnonzero(weights).tolist()
    if all(weights[i] == 1.0 for i in nonzero):
        return _sum_of(nonzero)
    pairs = [(i, float(weights[i])) for i in nonzero]
    return lambda y: sum(w * y[i] for i, w in pairs)


def _sum_of(indices: list[int]) -> Callable[[Sequence[float]], float]:
    """y -> the sum of y over `indices`, without numpy: events are evaluated every step."""
    if len(indices) == 1:
        i = indices[0]
        return lambda y: y[i]
    if not indices:
        return lambda y: 0.0
    get = itemgetter(*indices)
    return lambda y: sum(get(y))


class OdeEngine(Engine):
    """Deterministic mean-field integration of a compartmental model."""

    name = "ode"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "culls",
            "culls.reset_to_initial",
            "thresholds",
            "model.schedule.steps",
            "model.schedule.sinusoid",
            # In one well-mixed place: soldiers' kills and a cure, switched on and off in time.
            "interventions.sweep",
            "interventions.cure",
            "handoff",
        }
    )

    # --- checks ------------------------------------------------------------------------------

    def check(self, scenario: Scenario) -> None:
        """Refuse what no method can integrate, before any step: Euler steps too many or too
        long to be stable, a rate too fast for doubles, an explicit method on a stiff model."""
        super().check(scenario)
        opts = scenario.ode
        horizon = float(scenario.time.horizon)
        fastest, which = fastest_rate(scenario)
        if not math.isfinite(fastest) or fastest * horizon > RESOLUTION:
            raise EngineError(
                f"{which}: a rate of {fastest:.3g}/s over a horizon of {horizon:.3g} s changes "
                "the state faster than time can be resolved (steps below the spacing of "
                "doubles); lower the rate or the horizon"
            )
        if opts.method == "euler":
            dt = float(opts.dt)  # type: ignore[arg-type]
            steps = horizon / dt
            if steps > MAX_EULER_STEPS:
                raise EngineError(
                    f"ode.dt: {opts.dt.text if opts.dt is not None else dt} makes "
                    f"{steps:.3g} Euler steps over the horizon; at most {MAX_EULER_STEPS:,} "
                    f"(dt of at least {horizon / MAX_EULER_STEPS:.3g} s), or use the adaptive "
                    "method"
                )
            if fastest * dt > 2.0:
                raise EngineError(
                    f"ode.dt: a step of {dt:.3g} s is unstable for Euler with {which} at "
                    f"{fastest:.3g}/s (it needs dt below 2 / rate = {2.0 / fastest:.3g} s); "
                    "take a smaller dt or the adaptive method"
                )
        elif opts.method in _EXPLICIT and fastest * horizon > _STIFF:
            raise EngineError(
                f"ode.method: {opts.method} is explicit, and {which} at {fastest:.3g}/s over "
                f"the horizon makes the model stiff (about {fastest * horizon:.2g} steps); "
                'use method = "adaptive" (which switches to LSODA), "LSODA", "Radau" or "BDF"'
            )

    # --- setup -------------------------------------------------------------------------------

    def _setup(self, scenario: Scenario, streams: Streams) -> _OdeRun:
        net = ReactionNetwork.from_scenario(scenario)
        plan = None
        for i, iv in enumerate(scenario.interventions):
            if iv.enabled and getattr(iv, "area", None) is not None:
                raise EngineError(
                    f"interventions[{i}].area: the ode engine runs one well-mixed place, so an "
                    "intervention acts everywhere; remove area or use the ssa or tau engine"
                )
        if scenario.acts:
            seed = int(streams.generator("world").integers(2**62))  # a handoff's school
            place = single_place()
            handover = hand_over(scenario, place, net, seed) if scenario.handoff else None
            plan = InterventionPlan.build(scenario, place, net, handover)
            net = plan.network(net)
            n_own = len(net.reaction_names) - len(plan.reactions)
            kinds = np.zeros(len(net.reaction_names), dtype=np.int64)
            plan.bind(list(net.reaction_names), kinds, kinds, n_own)
        y0 = np.asarray(scenario.initial_vector(), dtype=np.float64)
        zombie_w = net.weights("zombie")
        method = scenario.ode.method
        resolved = _ADAPTIVE_DEFAULT if method == "adaptive" else method
        if method == "adaptive" and _stiffness(scenario) > _STIFF:
            resolved, method = _STIFF_METHOD, _STIFF_METHOD
        smooth = smooth_factors(scenario, len(net.reaction_names))
        return _OdeRun(
            net=net,
            rhs=net.rhs() if smooth is None else _scheduled_rhs(net.rhs(), smooth),
            k=tuple(float(r) for r in net.rates),
            y=y0.copy(),
            initial=y0,
            options=scenario.ode,
            watches=watches(scenario, net, y0),
            zombie_w=zombie_w,
            peak=(float(zombie_w @ y0), 0.0),
            # The generated DOP853 takes rates constant over a piece; a sinusoid goes through
            # solve_ivp's DOP853 (the same method) with the factor in the right-hand side.
            kernel=(
                _dop853_kernel(net) if method in ("adaptive", "DOP853") and smooth is None else None
            ),
            plan=plan,
            base_rates=net.rates.copy(),
            method=resolved,
            fired=np.zeros(len(net.reaction_names)),
            unscheduled=net.rates.copy(),
            factors=np.ones(len(net.reaction_names)),
            smooth=smooth,
            max_step=max_step(scenario),
            scenario=scenario,
        )

    # --- one piece ---------------------------------------------------------------------------

    def _advance(
        self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, last: bool
    ) -> float:
        rows = recorder.pending(t0, t1, last)
        state.stats["pieces"] += 1
        if t1 <= t0:
            recorder.write(rows, state.y)
            recorder.tallies[rows] = state.fired
            return t1
        if state.options.method == "euler":
            reached = self._advance_euler(state, t0, t1, recorder, rows)
        elif state.kernel is not None and state.method == _ADAPTIVE_DEFAULT:
            reached = self._advance_dop853(state, t0, t1, recorder, rows)
        else:
            reached = self._advance_adaptive(state, t0, t1, recorder, rows)
        if not np.all(np.isfinite(state.y)):
            # Diverged (an unstable step, an overflow): no figure of it could be written.
            values = zip(state.net.compartments, state.y, strict=True)
            raise EngineError(
                f"the ode solution is no longer finite by t = {reached:.4g} s ("
                + ", ".join(f"{c} = {v:.3g}" for c, v in values)
                + "); take a smaller ode.dt or the adaptive method, or check the rates"
            )
        return reached

    def _event_functions(
        self, state: _OdeRun, rhs: Callable[..., Sequence[float]]
    ) -> tuple[list[Callable[..., float]], list[Watch]]:
        """Event functions g(t, y, k) for solve_ivp's conventions: the unpassed levels, in order,
        then the zombie slope (its fall through zero is a peak) if the model has zombies.

        Each is a sum over a few indices, not a dot product with a weight vector: it is called
        at every step and in every root-finding iteration, where numpy's per-call overhead
        would be most of the cost.
        """
        events: list[Callable[..., float]] = []
        watched = [w for w in state.watches if w.t is None]
        for w in watched:
            of, level = _weighted_sum_of(w.weights), w.level

            def g(t: float, y: Any, k: Any, of: Any = of, level: float = level) -> float:
                return of(y) - level

            g.direction = -1.0 if w.below else 1.0  # type: ignore[attr-defined]
            g.terminal = w.stop  # type: ignore[attr-defined]
            events.append(g)
        if state.zombie_w.any():
            zombies = _sum_of(np.flatnonzero(state.zombie_w).tolist())

            def zombie_slope(t: float, y: Any, k: Any) -> float:
                return zombies(rhs(t, y, k))

            zombie_slope.direction = -1.0  # type: ignore[attr-defined]
            zombie_slope.terminal = False  # type: ignore[attr-defined]
            events.append(zombie_slope)
        return events, watched

    def _record_events(
        self, state: _OdeRun, watched: list[Watch], found: list[tuple[float, int, Any]]
    ) -> float | None:
        """Note events found in one piece, (time, event index, state) in time order; return
        the time of a stopping threshold, if one was reached (the state then is kept)."""
        for t_ev, i, y_ev in found:
            if i < len(watched):
                w = watched[i]
                if w.t is None:
                    w.t = t_ev
                if w.stop:
                    # The generated DOP853's states carry the reactions' counters after the
                    # compartments; solve_ivp's do not (its caller integrates the fluxes).
                    full = np.asarray(y_ev, dtype=np.float64)
                    n = state.y.size
                    state.y, state.stopped_by = full[:n], w.name
                    if full.size > n:
                        state.fired = full[n:]
                    # The run ends here: zombies still rising make this their peak.
                    self._offer_peak(state, float(state.zombie_w @ state.y), t_ev)
                    return t_ev
            else:
                y_now = np.asarray(y_ev)[: state.y.size]
                self._offer_peak(state, float(state.zombie_w @ y_now), t_ev)
        return None

    def _advance_dop853(
        self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, rows: slice
    ) -> float:
        """One piece with the generated DOP853: solve_ivp's loop, step control, output and
        events, on tuples of floats."""
        kern = state.kernel
        assert kern is not None
        step, dense, at, deriv = kern.step, kern.dense, kern.at, kern.deriv
        k, rtol, atol = state.k, float(state.options.rtol), float(state.options.atol)
        out_t = recorder.times[rows]
        out_list = out_t.tolist()
        events, watched = self._event_functions(state, deriv)
        terminal = [bool(g.terminal) for g in events]  # type: ignore[attr-defined]
        direction = [g.direction for g in events]  # type: ignore[attr-defined]

        n = state.y.size
        t, y = t0, tuple(state.y.tolist()) + tuple(state.fired.tolist())
        f = deriv(t, y, k)
        h_abs = _initial_step(deriv, t, y[:n], f[:n], k, t1 - t0, rtol, atol)
        nfev, steps = 2, 0
        g_old = [g(t, y, k) for g in events]
        found: list[tuple[float, int, Any]] = []
        segments: list[tuple[int, float, float, tuple[float, ...], tuple[float, ...]]] = []
        i_out, t_stop = 0, None
        while t < t1:
            min_step = 10 * abs(math.nextafter(t, math.inf) - t)
            h_abs = max(h_abs, min_step)
            rejected = False
            while True:
                if h_abs < min_step:
                    raise EngineError(
                        f"the ode solver failed at t = {t:g} s: "
                        "Required step size is less than spacing between numbers."
                    )
                t_new = min(t + h_abs, t1)
                h = t_new - t
                h_abs = abs(h)
                err, y_new, f_new, stages = step(h, y, f, k, rtol, atol)
                nfev += 12
                if err < 1:
                    factor = (
                        _MAX_FACTOR
                        if err == 0
                        else min(_MAX_FACTOR, _SAFETY * err**_ERROR_EXPONENT)
                    )
                    h_abs *= min(1.0, factor) if rejected else factor
                    break
                h_abs *= max(_MIN_FACTOR, _SAFETY * err**_ERROR_EXPONENT)
                rejected = True
            steps += 1
            F: tuple[float, ...] | None = None
            t_end = t_new
            if events:
                g_new = [g(t_new, y_new, k) for g in events]
                active = [
                    i
                    for i, (a, b, s) in enumerate(zip(g_old, g_new, direction, strict=True))
                    if (s > 0 and a <= 0 <= b) or (s < 0 and a >= 0 >= b)
                ]
                if active:
                    F = dense(h, y, y_new, stages, k)
                    nfev += 3
                    roots = [(_locate(events[i], at, k, t, t_new, y, F), i) for i in active]
                    if any(terminal[i] for i in active):
                        # As solve_ivp: events in time order up to the first terminal one.
                        roots.sort()
                        cut = next(j for j, (_, i) in enumerate(roots) if terminal[i])
                        roots = roots[: cut + 1]
                        t_end = t_stop = roots[-1][0]
                    found += [(r, i, at((r - t) / h, y, F)) for r, i in roots]
                g_old = g_new
            i_new = bisect_right(out_list, t_end, i_out)
            if i_new > i_out:
                if F is None:
                    F = dense(h, y, y_new, stages, k)
                    nfev += 3
                segments.append((i_new - i_out, t, h, y, F))
                i_out = i_new
            if t_stop is not None:
                break
            t, y, f = t_new, y_new, f_new

        state.stats["nfev"] += nfev
        state.stats["steps"] += steps
        if segments:
            # Every output time at once: the step each falls in, its fraction x, then the
            # interpolant as numpy columns (one pass instead of one numpy call per step).
            counts, t_old, h_seg, y_old, F_seg = zip(*segments, strict=True)
            which = np.repeat(np.arange(len(segments)), counts)
            x = (out_t[:i_out] - np.asarray(t_old)[which]) / np.asarray(h_seg)[which]
            cols = at(x, tuple(np.asarray(y_old)[which].T), tuple(np.asarray(F_seg)[which].T))
            written = slice(rows.start, rows.start + i_out)
            recorder.write(written, np.column_stack(cols[:n]))
            recorder.tallies[written] = np.column_stack(cols[n:])
        stop_at = self._record_events(state, watched, found)
        if stop_at is not None:
            return stop_at
        state.y = np.asarray(y[:n], dtype=np.float64)
        state.fired = np.asarray(y[n:], dtype=np.float64)
        # The end of a piece can be a peak too (growth until a cull or the horizon).
        self._offer_peak(state, float(state.zombie_w @ state.y), t1)
        return t1

    def _advance_adaptive(
        self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, rows: slice
    ) -> float:
        from scipy.integrate import solve_ivp

        opts = state.options
        method = state.method
        t_eval = recorder.times[rows]
        if t_eval.size == 0 or t_eval[-1] < t1:
            t_eval = np.append(t_eval, t1)  # the state at t1 is needed to carry on
        events, watched = self._event_functions(state, state.rhs)
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
            dense_output=True,
            max_step=state.max_step,
        )
        if sol.status < 0:
            t_fail = sol.t[-1] if sol.t.size else t0
            raise EngineError(f"the ode solver failed at t = {t_fail:g} s: {sol.message}")
        state.stats["nfev"] += int(sol.nfev)
        n_rec = min(len(sol.t), rows.stop - rows.start)
        recorder.write(slice(rows.start, rows.start + n_rec), sol.y[:, :n_rec].T)
        # The reactions' counters: their fluxes integrated along the solver's interpolant.
        t_reached = float(sol.t[-1])
        upto = np.append(sol.t[:n_rec], t_reached)
        fired = state.fired + _flux_integrals(state.net, state.k, sol.sol, t0, upto, state.smooth)
        recorder.tallies[rows.start : rows.start + n_rec] = fired[:-1]
        state.fired = fired[-1]

        found = [
            (float(t_ev), i, y_ev)
            for i in range(len(events))
            for t_ev, y_ev in zip(sol.t_events[i], sol.y_events[i], strict=True)
        ]
        found.sort(key=lambda e: (e[0], e[1]))  # time order across events, as they happened
        stop_at = self._record_events(state, watched, found)
        if stop_at is not None:
            return stop_at
        state.y = sol.y[:, -1].copy()
        # The end of a piece can be a peak too (growth until a cull or the horizon).
        self._offer_peak(state, float(state.zombie_w @ state.y), t1)
        return t1

    def _advance_euler(
        self, state: _OdeRun, t0: float, t1: float, recorder: Recorder, rows: slice
    ) -> float:
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
        # Each Euler step moves the state by h·S·a(y): the reactions' counters move by h·a(y),
        # so they and the state stay in step exactly (and are interpolated alike below).
        smooth = None if state.smooth is None else state.smooth(ts[:-1])
        fluxes = _fluxes(state.net, k, ys[:-1].T, smooth) * np.asarray(steps)
        fired = state.fired[:, None] + np.concatenate(
            [np.zeros((fluxes.shape[0], 1)), np.cumsum(fluxes, axis=1)], axis=1
        )

        t_stop: float | None = None
        for w in state.watches:
            if w.t is None:
                w.t = first_crossing(ts, ys @ w.weights, w.level, below=w.below)
                if w.t is not None and w.stop and (t_stop is None or w.t < t_stop):
                    t_stop, state.stopped_by = w.t, w.name
        t_last = t1 if t_stop is None else t_stop
        # The peak among the steps the run reached: none after a stopping threshold.
        reached = ts <= t_last
        z = ys[reached] @ state.zombie_w
        i = int(np.argmax(z))
        self._offer_peak(state, float(z[i]), float(ts[reached][i]))
        out_t = recorder.times[rows]
        out_t = out_t[out_t <= t_last] if t_stop is not None else out_t
        # Output times between steps are interpolated linearly, as the Euler scheme itself is.
        recorder.write(
            slice(rows.start, rows.start + out_t.size),
            np.column_stack([np.interp(out_t, ts, ys[:, c]) for c in range(ys.shape[1])]),
        )
        recorder.tallies[rows.start : rows.start + out_t.size] = np.column_stack(
            [np.interp(out_t, ts, row) for row in fired]
        ).reshape(out_t.size, -1)
        state.y = np.array([np.interp(t_last, ts, ys[:, c]) for c in range(ys.shape[1])])
        state.fired = np.array([np.interp(t_last, ts, row) for row in fired])
        if t_stop is not None:  # the state at the stop, between two steps
            self._offer_peak(state, float(state.zombie_w @ state.y), t_last)
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

    def _change_times(self, state: _OdeRun, scenario: Scenario) -> list[float]:
        plan = state.plan
        return [] if plan is None else plan.times(float(scenario.time.horizon))

    def _intervene(self, state: _OdeRun, t: float) -> None:
        assert state.plan is not None
        assert state.base_rates is not None
        state.plan.instant(t, state.y[None, :], state.net)
        _, table = state.plan.rates(state.base_rates, t)
        state.unscheduled = np.asarray(table[0], dtype=np.float64)
        state.k = tuple(float(v) for v in state.unscheduled * state.factors)

    def _reschedule(self, state: _OdeRun, t: float) -> None:
        # Piecewise factors are constant over the piece that starts at t; sinusoids are not
        # (their factor is 1 here and varies in the right-hand side instead, state.smooth).
        assert state.scenario is not None
        state.factors = step_factors(state.scenario, t, len(state.net.reaction_names))
        state.k = tuple(float(v) for v in state.unscheduled * state.factors)

    def _outputs(self, state: _OdeRun) -> Outputs:
        if state.plan is None:
            return Outputs()
        return Outputs(interventions=state.plan.report(None, state.y, state.net))

    def _counts(self, state: _OdeRun) -> np.ndarray:
        return state.y.copy()

    def _tally(self, state: _OdeRun) -> np.ndarray:
        return state.fired.copy()

    def _finish(
        self, state: _OdeRun
    ) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, Any]]:
        share_crossings(state.watches)
        crossings = {w.name: w.t for w in state.watches if w.name != OVERRUN}
        overrun = [w.t for w in state.watches if w.name == OVERRUN]
        exact: dict[str, float | None] = {
            "peak_zombies": state.peak[0],
            "t_peak_zombies_s": state.peak[1],
            "t_overrun_s": overrun[0] if overrun else None,
        }
        method = state.options.method
        diagnostics = {
            "method": state.method if method != "euler" else method,
            **state.stats,
        }
        return crossings, exact, diagnostics


def _fluxes(
    net: ReactionNetwork, k: Sequence[float], x: np.ndarray, factors: np.ndarray | None = None
) -> np.ndarray:
    """Each reaction's mean-field flux a_j(x) at many states: x is (compartments, m), the
    result (reactions, m); `factors` (reactions, m), if given, multiplies the rates (a
    sinusoid schedule's factor at each state's time)."""
    x = np.asarray(x, dtype=np.float64)
    rates = np.asarray(k, dtype=np.float64)[:, None]
    if factors is not None:
        rates = rates * factors
    a = rates * np.prod(x[None, :, :] ** net.reactants[:, :, None], axis=1)
    if net.frequency.any():
        n_pop = x[net.in_population].sum(axis=0)
        safe = np.where(n_pop > 0, n_pop, 1.0)
        a = np.where(net.frequency[:, None], np.where(n_pop > 0, a / safe, 0.0), a)
    return a


#: Gauss–Legendre nodes and weights on [0, 1]: exact for polynomials of degree 15, and so for
#: the flux of a quadratic reaction along one step of an interpolant of degree 7.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
_GL_NODES, _GL_WEIGHTS = (_GL_NODES + 1) / 2, _GL_WEIGHTS / 2


def _flux_integrals(
    net: ReactionNetwork,
    k: Sequence[float],
    dense: Callable[[np.ndarray], np.ndarray],
    t0: float,
    upto: np.ndarray,
    smooth: Callable[[Any], np.ndarray] | None = None,
) -> np.ndarray:
    """∫ a_j(x(s)) ds from t0 to each time of `upto` (increasing), x being a solver's dense
    output (solve_ivp's OdeSolution): Gauss–Legendre on each of its steps, cut at those times.
    `smooth` gives the sinusoid factors at the nodes. Shape (len(upto), reactions)."""
    steps = np.asarray(getattr(dense, "ts", [t0, float(upto[-1])]), dtype=np.float64)
    cuts = np.unique(np.concatenate([[t0], steps[(steps > t0) & (steps < upto[-1])], upto]))
    width = np.diff(cuts)
    nodes = (cuts[:-1, None] + width[:, None] * _GL_NODES[None, :]).ravel()
    factors = None if smooth is None or not nodes.size else smooth(nodes)
    flux = _fluxes(net, k, dense(nodes), factors) if nodes.size else np.zeros((len(net.rates), 0))
    parts = (flux.reshape(flux.shape[0], -1, _GL_NODES.size) @ _GL_WEIGHTS) * width
    total = np.concatenate([np.zeros((flux.shape[0], 1)), np.cumsum(parts, axis=1)], axis=1)
    return total[:, np.searchsorted(cuts, upto)].T


def _scheduled_rhs(rhs: Callable[..., Any], smooth: Callable[[Any], np.ndarray]) -> Any:
    """rhs(t, y, k) with each rate constant times its sinusoid factor at t."""

    def scheduled(t: float, y: Any, k: Sequence[float]) -> Any:
        f = smooth(t)
        return rhs(t, y, [kj * float(fj) for kj, fj in zip(k, f, strict=True)])

    return scheduled


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
    if scenario.scheduled:
        raise ValueError(
            "integrate_grid integrates constant rates; a scenario whose reactions have rate "
            "schedules runs through the ode engine (get_engine('ode').run) instead"
        )
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
    if t_eval.ndim != 1 or t_eval.size == 0 or t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError("times must be a non-empty, increasing sequence of times >= 0")
    y0 = np.repeat(np.asarray(scenario.initial_vector(), dtype=np.float64), m)
    out = np.empty((m, t_eval.size, n_c))
    t_end = float(t_eval[-1])
    if t_end == 0.0:
        out[:] = y0.reshape(n_c, m).T[:, None, :]
        return out
    # The solver is stepped here rather than through solve_ivp so that each step's output goes
    # straight into `out`: solve_ivp keeps every step's block and stacks them at the end, which
    # doubles the peak memory (the output is m x len(times) x n: 240 MB for 10,000 points at
    # 1,001 times) and takes longer than the integration itself.
    from scipy.integrate import DOP853

    scale = float(np.sqrt(m))
    solver = DOP853(flat_rhs, 0.0, y0, t_end, rtol=rtol / scale, atol=atol / scale)
    done = 0
    while solver.status == "running":
        message = solver.step()
        if solver.status == "failed":
            raise EngineError(f"the ode solver failed at t = {solver.t:g} s: {message}")
        upto = int(np.searchsorted(t_eval, solver.t, side="right"))
        if upto > done:
            block = solver.dense_output()(t_eval[done:upto])  # (n_c * m, points)
            out[:, done:upto, :] = block.reshape(n_c, m, upto - done).transpose(1, 2, 0)
            done = upto
    return out

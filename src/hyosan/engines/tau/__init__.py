"""The tau engine: approximate stochastic simulation by binomial leaps, for large populations.

Where ssa simulates every event, tau leaps a step τ at a time over every place at once, each
person's hazards held through the step (kernels.py). One run:

1. builds the world and the people in each place as ssa does (one well-mixed place when the
   scenario has no `[world]`), and compiles the model, movement and cross-edge reactions to
   channels seen from the place of the person each one consumes; a reaction that uses up people
   of two compartments (or two of one) is refused: it has no such place;
2. each step, for every place where something can happen: computes the neighbour sums, the
   per-person hazards of the channels and, for every count that some hazard depends on, its
   expected change (drift) and variance per unit time;
3. chooses τ by Cao, Gillespie & Petzold's (2006) rule, so that each such count x is expected
   to change by at most ε·max(x, 1/0.03) in mean and in standard deviation (their max(εx, 1)
   at the default ε, but shrinking with ε), cut to land exactly on the next output or
   snapshot time, the end of the piece and `tau.max_step`;
4. moves every count that a hazard depends on half a step on by its drift, and evaluates the
   hazards there (the midpoint leap of Anderson & Mattingly 2011);
5. leaps: in each place and compartment, Binomial(x, 1 − e^{−Hτ}) people leave (H: the sum of
   their hazards), shared among the channels by their hazards, movers among the neighbours by
   edge weight; channels that consume nobody (births) fire Poisson(a τ) times; then those who
   entered a compartment in the step (at that place) leave it with the chance of the time
   they had left, 1 − (1 − e^{−Hτ})/(Hτ), and what they turn into stays put till the next step;
6. applies the changes, then records the first-zombie time of places that gained a zombie, the
   zombie peak and the thresholds, all at the end of the step, and stops at a stopping
   threshold or when a zombie reaches the border (`stop_at_edge`);
7. applies culls at their instants as ssa does (binomial draws from the `encounters` stream).

Error. Counts never go negative, and a compartment whose hazards stay constant is leapt
exactly, whatever τ: decay (X → ∅) and immigration–death (∅ → X → ∅) in one step. Otherwise
hazards are taken at the predicted midpoint of the step and cascades stop after two
transitions in a step: an error of first order in τ in general, whose leading part cancels in
large populations, and which vanishes as ε → 0. What ε means in practice (measured against
the ssa and ode engines): at the default 0.03, SIR's final size in a million is 0.2 % high
and its peak 1 % high; on `korea` the overrun comes within about a day of ssa's (46.8–47.4 d
against 46.0–46.1 d, of the order of the spread between seeds) and the final zombies agree to
0.05 %; at ε = 0.1 they are 0.2 % high, at 0.3 1.3 %, at 1 6 %. On the US grid (no movement)
ε = 0.3 leaves 1.1 % more zombies than ssa, ε = 0.5 2.5 %, ε = 1 7 %.
The first-zombie times, threshold crossings and the zombie peak are known to a step
(diagnostics.step_resolution).

Stepping (`tau.stepping`). "global" (the default): one τ for every place, the smallest any
of them allows, so that on a continent the busiest city sets the step of every village that
the front touches. "local" (local.py): every place keeps its own clock and leaps by the step
its own counts allow (the same rule) and, where its hazards read its neighbours' counts
(cross-edge reactions), by the step that keeps each neighbour sum within ε of itself; the
places leap in the order of their clocks, each reading its neighbours' counts off the paths
they have already drawn, movers arriving at once, and all meet at every output and snapshot
time. A place where a count that its hazards depend on is changing and below 10
(local.CRITICAL), or about to be fed from empty (the first bitten of a place, who turn into
its first zombies), goes event by event, exactly as ssa, its next event redrawn whenever a
neighbour's change moves the neighbour sums it reads by more than ε, and its leaping
neighbours stop at its events unless those move their total propensity by less than ε. With
one place whose counts stay large the two schemes draw the same numbers; with small counts one
place draws what ssa draws.

Small counts are where leaping errs most: a leap draws a lone zombie's kill and its bites
independently, though a zombie killed early bites no one after, and the step rule lets a
count below 1/0.03 change by about one person a leap. One zombie among 200 humans (the US
grid's model, κ/β = 0.4) then dies out 0.23 of the time with the global step at ε = 0.03
instead of 0.40 (ssa: 0.408 over 3,000 runs), which leaves 44 % fewer humans; local stepping
gives ssa's 0.40. This is what made local stepping (which lets every village leap at its own
pace) leave 26 % fewer humans than ssa on a crop of the US grid (rows 250-349, columns
550-649, fronts dying out by chance in thin land); there the humans left now average
111,575 ± 14,593 against ssa's 100,365 ± 13,706 (80 runs each: +11.2 ± 20.0 %, the final
humans spread over 0 to a million), for 0.46 s of CPU a run against ssa's 0.76. The global
step keeps its small-count error (its summaries are fixed by the golden tests); where an
outbreak starts from a few zombies, prefer ssa or local stepping.

What local stepping costs where a place with a small count also has a busy channel: the whole
place goes event by event, the busy channel included. In `seoul-season2` (a few zombies and
hybrids in districts of up to a million people who move at 0.01 a day) 20.8 million of its 23.2
million events came one step each, and a run took 25 s, against 1 s with the global step and
5 s with ssa, which is exact (seed 1, 6 December 2026). There ssa is the better choice (the
scenario now runs with it), and `hyosan run` says so after such a run (hyosan.results.notes).
Cao, Gillespie and Petzold's (2005) critical reactions, fired one by one while the rest of the
place leaps, would remove that cost; they are not built.

Measured with local stepping at ε = 0.03 (benchmarks/bench_us_grid.py): on the whole US grid,
the outbreak takes about 55 s (6 December 2026; about 225 s with the global step), some 576
million events in 75.8 million steps, 20.9 million of them exact events. Over 90 tau runs
(three versions of the kernel, the same law) tau left 66.48 million humans on average against
ssa's 66.72 over seeds 1 to 50: −0.35 ± 0.37 %. The spread comes from one rare outcome: a front
that crawls through thin land for months and then reaches the Phoenix area, some 5 million more
people, as 6 of the 90 tau runs and 2 of the 50 ssa runs did (without those runs, +0.24 ±
0.28 %). On a crop of Utah and Arizona where about half the runs cross
(benchmarks/bench_front_crossing.py), tau at ε = 0.03 crossed in 48.5 ± 2.5 % of 400 runs,
ssa in 48.2 ± 2.5 %, and tau at ε = 0.3 in 52.2 ± 2.5 %. Not the 30 s hoped for: at ε = 0.03 a
place's counts take about ln(n / 33) / ε leaps to change by a factor n, some hundred leaps for
each of the 551,275 places that the outbreak crosses, and a step costs about 0.71 µs where 30 s
would need 0.4 µs (benchmarks/README.md).

Random numbers: the world from the `world` stream, leaps from `events`, culls from
`encounters`. The kernels step the `events` stream's PCG64 themselves (draws.py): uniforms and
exponentials are numpy's own, binomials and Poisson counts exact draws by other algorithms
than numpy's (inversion for small means, Hörmann's BTRD and PTRS above), about 8 % faster on
the US grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.engines.population import Clock, PopulationEngine, PopulationRun
from hyosan.engines.schedules import cell_factors, sine_cells
from hyosan.engines.spatial import INTERVENTIONS, Channels, Layout
from hyosan.errors import EngineError

if TYPE_CHECKING:
    from hyosan.engines.kernel import Records, Status
    from hyosan.engines.tau.kernels import TauChannels, Work
    from hyosan.engines.tau.local import Local
    from hyosan.scenario.schema import Scenario

__all__ = ["TauEngine"]


@dataclass
class TauRun(PopulationRun):
    """A run's state, with the tau kernel's own (made by `TauEngine._prepare`)."""

    work: Work = None  # type: ignore[assignment]  # the kernel's work arrays
    epsilon: float = 0.03  # step control (scenario.tau.epsilon)
    max_step: float = np.inf  # the longest step (scenario.tau.max_step)
    local: Local | None = None  # each place's clock and path (tau.stepping = "local")

    def activate_all(self) -> None:
        """Visit every place in the next step (after a change made outside the kernel)."""
        n = self.x.shape[0]
        self.work.active[:] = np.arange(n, dtype=np.int64)
        self.work.is_active[:] = True
        self.work.meta[0] = n
        self.work.xm[:] = self.x
        if self.local is not None:
            self.local.meta[1] = 1  # every place's path starts afresh (local._start)


class TauEngine(PopulationEngine[TauRun]):
    """Approximate stochastic simulation by binomial tau-leaping on a world of places."""

    name = "tau"
    supports = frozenset(
        {
            "model",
            "model.frequency_mixing",
            "culls",
            "culls.reset_to_initial",
            "thresholds",
            "model.schedule.steps",
            "model.schedule.sinusoid",
            "world",
            "world.movement",
            "world.cross",
            *INTERVENTIONS,
            "handoff",
        }
    )
    run_type = TauRun
    # The leaps sum a place's neighbours along its own edges only.
    reversed_edges = False

    def _compile(self, layout: Layout, channels: Channels, names: list[str]) -> TauChannels:
        tau_channels = compile_channels(layout, channels, names)
        world = layout.world
        if layout.cross_r.size and world.reversed_edges()[0] is not world.indptr:
            # The leaps sum a place's neighbours along its own edges for both reactants of a
            # cross-edge reaction, which is right only when every edge goes both ways alike.
            raise EngineError(
                "the tau engine takes cross-edge reactions only on worlds whose edges go both "
                "ways with the same weight; this one has one-way routes or uneven weights "
                "(use the ssa engine)"
            )
        return tau_channels

    def check(self, scenario: Scenario) -> None:
        """Refuse, besides unsupported features, a sinusoid over so many periods that its
        cells (engines/schedules.py) would be more pieces than a run may take."""
        super().check(scenario)
        from hyosan.scenario.schedule import MAX_CHANGES

        if scenario.smoothly_scheduled:
            cells = len(sine_cells(scenario, float(scenario.time.horizon)))
            if cells > MAX_CHANGES:
                raise EngineError(
                    f"the tau engine holds a sinusoid factor per 96th of its period: {cells:,} "
                    f"cells over the horizon, more than {MAX_CHANGES:,}; use a longer period, "
                    "a shorter horizon or a steps schedule"
                )

    def _schedule_times(self, state: TauRun, scenario: Scenario) -> list[float]:
        horizon = float(scenario.time.horizon)
        return sorted({*scenario.schedule_times(), *sine_cells(scenario, horizon)})

    def _factors(self, state: TauRun, t: float, n: int) -> np.ndarray:
        return cell_factors(state.scenario, t, n)

    def _columns(self, channels: TauChannels) -> int:
        return int(channels.col_comp.size)

    def _prepare(self, state: TauRun) -> None:
        from hyosan.engines.tau.kernels import Work

        n, n_c = state.x.shape
        n_h = state.channels.rate.shape[1]
        state.work = Work(
            active=np.zeros(n, dtype=np.int64),
            is_active=np.zeros(n, dtype=bool),
            meta=np.zeros(3, dtype=np.int64),
            aprop=np.zeros((n, n_h)),
            rowtot=np.zeros(n),
            xm=state.x.astype(np.float64),
            mu=np.zeros((n, n_c + 1)),
            s2=np.zeros((n, n_c + 1)),
            dx=np.zeros((n, n_c), dtype=np.int64),
            changed=np.zeros(n, dtype=np.int64),
            is_changed=np.zeros(n, dtype=bool),
            entered=np.zeros(n_c, dtype=np.int64),
        )
        options = state.scenario.tau
        state.epsilon = float(options.epsilon)
        state.max_step = np.inf if options.max_step is None else float(options.max_step)
        if options.stepping == "local":
            from hyosan.engines.tau.local import new_local

            state.local = new_local(state.x, state.places.nbs.shape[1])
        state.activate_all()

    def _call(self, state: TauRun, clock: Clock, rec: Records) -> tuple[float, Status]:
        from hyosan.engines.ssa import pcg
        from hyosan.engines.tau.kernels import simulate

        # The kernels step the stream's PCG64 themselves (draws.py); its state goes back after,
        # so that what the engine draws between calls continues the same stream.
        with pcg.borrowed(state.rng) as gen:
            # Both kernels take the same arguments; local stepping adds the places' clocks. A
            # kernel compiled for the model takes the channels' rates, zones and directions
            # in place of the channels (model_kernel.py).
            ch = state.channels
            rest = (gen, clock, state.epsilon, state.max_step, rec, state.watched, state.counts)
            if state.scenario.tau.kernel == "model":
                from hyosan.engines.tau import model_kernel

                head = (state.places, ch.rate, ch.zone, ch.toward, state.graph, state.work)
                lw = () if state.local is None else (state.local,)
                return model_kernel.run(ch, bool(lw), (*head, *lw, *rest))
            world = (state.places, ch, state.graph, state.work)
            if state.local is not None:
                from hyosan.engines.tau.local import simulate_local

                return simulate_local(*world, state.local, *rest)
            return simulate(*world, *rest)

    def _refresh(self, state: TauRun) -> None:
        state.activate_all()

    def _diagnostics(self, state: TauRun, diagnostics: dict[str, Any]) -> dict[str, Any]:
        return {
            "steps": int(state.work.meta[1]),
            **diagnostics,
            "epsilon": state.epsilon,
            # Named only when local, so that the global step's summaries stay as they were.
            **(
                {}
                if state.local is None
                else {"stepping": "local", "exact_events": int(state.local.meta[2])}
            ),
            # Crossings, the zombie peak and first-zombie times are known to a step.
            "step_resolution": [
                "crossings",
                "t_overrun_s",
                "peak_zombies",
                "t_peak_zombies_s",
                "t_first_zombie_s",
            ],
        }


def compile_channels(layout: Layout, ch: Channels, names: list[str]) -> TauChannels:
    """The layout's channels seen from the place of the person each one consumes.

    Raises
    ------
    EngineError
        For a reaction that consumes people of two compartments, or two people of one: a
        binomial leap needs one compartment at one place to draw its leavers from.
    """
    from hyosan.engines.tau.kernels import TauChannels

    n_c = len(layout.net.compartments)
    n_h = ch.rate.shape[1]
    comps = list(layout.net.compartments)
    kind = ch.kind.copy()
    cons = np.full(n_h, -1, dtype=np.int64)
    freq = ch.freq.copy()
    comp = ch.comp.copy()
    order = ch.order.copy()
    changes: list[list[tuple[int, int]]] = []
    columns: list[tuple[int, bool]] = []
    watch = np.zeros(n_c + 1, dtype=bool)

    def column(c: int, by_n: bool) -> int:
        if (c, by_n) not in columns:
            columns.append((c, by_n))
        return columns.index((c, by_n))

    for h in range(n_h):
        entries = [
            (int(ch.d_side[h, m]), int(ch.d_comp[h, m]), int(ch.d_val[h, m]))
            for m in range(int(ch.d_n[h]))
        ]
        used = [(s, c, d) for s, c, d in entries if d < 0]
        if len(used) > 1 or any(d < -1 for _, _, d in used):
            what = ", ".join(f"{-d} {comps[c]}" for _, c, d in used)
            raise EngineError(
                f"reaction {names[h]!r} uses up {what}: the tau engine leaps reactions that use "
                "up at most one person (their hazard is that person's); run this model with "
                "the ssa engine"
            )
        if used:
            cons[h] = used[0][1]
        if kind[h] in (1, 3):  # a move: handled as such by the kernel
            changes.append([])
            continue
        side = used[0][0] if used else 0
        if any(s != side for s, _, _ in entries):  # Layout puts every change at one place
            raise EngineError(f"channel {names[h]!r} changes two places at once")
        changes.append([(c, d) for _, c, d in entries])
        if kind[h] == 0:
            for m in range(2):
                c, o = int(comp[h, m]), int(order[h, m])
                if o - (c == cons[h]) > 0:
                    watch[c] = True
            watch[n_c] |= bool(freq[h])
            continue
        # A cross-edge reaction: the first reactant a at p, the second b at each neighbour q.
        a, b = int(ch.comp[h, 0]), int(ch.b_comp[ch.comp[h, 1]])
        if side == 0:
            comp[h] = (a, column(b, False))
            watch[b] = True
            watch[a] |= cons[h] < 0
            watch[n_c] |= bool(freq[h])
        else:
            # The person consumed is b at q: their hazard sums a over q's neighbours, each
            # divided by that neighbour's population when the reaction mixes by frequency.
            comp[h] = (b, column(a, bool(freq[h])))
            watch[a] = True
            watch[n_c] |= bool(freq[h])
            freq[h] = False
    width = max([len(c) for c in changes] + [1])
    d_comp = np.zeros((n_h, width), dtype=np.int64)
    d_val = np.zeros((n_h, width), dtype=np.int64)
    for h, row in enumerate(changes):
        for m, (c, d) in enumerate(row):
            d_comp[h, m], d_val[h, m] = c, d
    by_cons = np.array([h for c in range(n_c) for h in range(n_h) if cons[h] == c], dtype=np.int64)
    cons_start = np.zeros(n_c + 1, dtype=np.int64)
    np.cumsum(np.bincount(cons[cons >= 0], minlength=n_c), out=cons_start[1:])
    # What each channel's firing changes, as local._nudge reads it (exact: small integers).
    shift_n = np.zeros(n_h)
    shift = np.zeros((n_h, len(columns)))
    touch = np.zeros((n_h, n_c + 1), dtype=bool)
    for h, row in enumerate(changes):
        if kind[h] in (1, 3):  # a mover leaves its place
            touch[h, cons[h]] = True
            touch[h, n_c] = bool(ch.in_pop[cons[h]])
        for c, d in row:
            if d != 0:
                touch[h, c] = True
                touch[h, n_c] |= bool(ch.in_pop[c])
            if ch.in_pop[c]:
                shift_n[h] += d
            for k, (col, _) in enumerate(columns):
                if col == c:
                    shift[h, k] += d
    return TauChannels(
        kind=kind,
        cons=cons,
        rate=ch.rate.copy(),
        freq=freq,
        comp=comp,
        order=order,
        d_n=np.array([len(c) for c in changes], dtype=np.int64),
        d_comp=d_comp,
        d_val=d_val,
        col_comp=np.array([c for c, _ in columns], dtype=np.int64),
        col_freq=np.array([f for _, f in columns], dtype=bool),
        cons_start=cons_start,
        by_cons=by_cons,
        poisson=np.flatnonzero(cons < 0).astype(np.int64),
        in_pop=ch.in_pop.copy(),
        any_freq=bool(freq.any() or any(f for _, f in columns)),
        any_move=bool((kind == 1).any()),
        watch=watch,
        zmask=layout.zmask.copy(),
        zone=ch.zone,
        toward=ch.toward,
        cross=np.flatnonzero(kind == 2).astype(np.int64),
        shift_n=shift_n,
        shift=shift,
        movers=bool(np.isin(kind, (1, 3)).any()),
        touch=touch,
    )

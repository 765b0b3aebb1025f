"""The ssa engine's kernel for one well-mixed place: Gillespie's direct method, generated per model.

A run whose world is one place (no `[world]`, or a world of a single place) and whose channels
are all reactions within it needs none of the machinery for many places: no groups to draw a
place from, no neighbour sums, no lists of people. It runs the same Markov chain over the
compartment totals alone, in a kernel written for its model: `source` writes the direct method
for one model structure as straight-line Python (each count and each propensity a local
variable, each reaction a branch that changes its counts and recomputes only the propensities
that read them, the dependency graph), and `kernel_for` compiles it with Numba once per
structure and machine (the source is written to a file under a cache directory so that Numba
caches the machine code as it does for every other kernel). Rates are arguments, so
interventions and culls need no new kernel. A loop over arrays indexed by reaction, with the
same arithmetic, ran three times slower: the counts and propensities then live in memory, and
each event waits on stores and reloads and on branches that depend on which reaction fired.

One event, in order:

1. the wait: a standard exponential (numpy's ziggurat, drawn by the kernel's own PCG64 from
   the `events` stream, pcg.py) over the total propensity; the output times it covers
   recorded (engines/kernel.py); the end of the piece checked;
2. the reaction: a uniform times the total, against the reactions' running sums
   (composition; a target rounded up to the total falls to the last reaction that can happen);
3. its changes, the propensities that depend on them, the living population (for frequency
   mixing) and the rates over it, its count and log entry, the first-zombie time and the
   zombie peak;
4. the watched levels: a count of events that certainly cannot pass any level not yet passed
   (each level's distance over the most one event moves it) is kept, and only when it runs
   out are the counts brought out and the shared `watch` called, so that crossing times and
   stops are decided by the same code as in every other kernel, after the same events.

A reaction whose rate follows a sinusoid schedule (scenario/schedule.py) is drawn by thinning:
its propensity uses the rate at the factor's maximum, and once drawn it happens only if a
further uniform falls below the factor's share of that maximum at the event's time (else
nothing changes and the clock has simply moved on). That is exactly the law of the
time-varying rate. The kernel of a model without sinusoids is generated line for line as
before (`Structure.thinned` empty), so its runs draw the same numbers at the same speed.

The draws are numpy's own: the kernel draws exactly the numbers that `rng.standard_exponential()`
and `rng.random()` would, in that order, so a seed gives the same run in any process. The law
is that of the kernel for many places (kernels.py), but not the path: that kernel draws one
number more an event (the place, by rejection).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba as nb
import numpy as np

from hyosan.engines import generated, kernel
from hyosan.engines.code_cache import engine_sources, kept_fresh

if TYPE_CHECKING:
    from hyosan.engines.kernel import Watched
    from hyosan.engines.spatial import Channels

__all__ = [
    "Structure",
    "kernel_for",
    "one_place",
    "record",
    "safe_events",
    "source",
    "structure",
]

#: More events than any run can hold: "no level can be passed".
NEVER = 1 << 62


def one_place(ch: Channels, n_places: int, edge: np.ndarray) -> bool:
    """Whether a run can use this kernel: one place, reactions within it only, no border."""
    return n_places == 1 and bool((ch.kind == 0).all()) and edge.size == 0


@dataclass(frozen=True)
class Structure:
    """What the generated kernel depends on: the model's shape, not its rates or levels.

    Per reaction: its reactants (compartment, order), whether it mixes by frequency, and its
    net changes (compartment, change); per compartment: whether it counts in the living
    population, its weight in the zombie count, whether it is a zombie (first-zombie time).
    """

    n_compartments: int
    reactants: tuple[tuple[tuple[int, int], ...], ...]
    freq: tuple[bool, ...]
    changes: tuple[tuple[tuple[int, int], ...], ...]
    living: tuple[bool, ...]
    zombie_weight: tuple[float, ...]
    zombie: tuple[bool, ...]
    logging: bool = False  # the run keeps an event log (a kernel without it checks nothing)
    #: Per reaction, whether its rate follows a sinusoid, drawn by thinning (empty: none, and
    #: the kernel is the one without schedules, line for line).
    thinned: tuple[bool, ...] = ()

    @property
    def n_reactions(self) -> int:
        """The number of reactions."""
        return len(self.reactants)

    def reads(self, k: int) -> set[int]:
        """The compartments reaction k's propensity reads (the living ones too if freq)."""
        comps = {c for c, _ in self.reactants[k]}
        if self.freq[k]:
            comps |= {c for c, live in enumerate(self.living) if live}
        return comps

    def depends(self, j: int) -> list[int]:
        """The reactions whose propensity reaction j's changes can move (dependency graph)."""
        moved = {c for c, _ in self.changes[j]}
        return [k for k in range(self.n_reactions) if self.reads(k) & moved]


def structure(
    ch: Channels,
    zombie: np.ndarray,
    zmask: np.ndarray,
    logging: bool = False,
    thinned: tuple[bool, ...] = (),
) -> Structure:
    """The structure of a one-place run's channels (every one a reaction within the place),
    whether it keeps an event log, and which reactions follow a sinusoid (`thin_rates`)."""
    n_r, n_c = ch.kind.size, ch.in_pop.size
    reactants, changes = [], []
    for j in range(n_r):
        reactants.append(
            tuple((int(ch.comp[j, m]), int(ch.order[j, m])) for m in range(2) if ch.order[j, m])
        )
        net = np.zeros(n_c, dtype=np.int64)
        for m in range(int(ch.d_n[j])):
            net[int(ch.d_comp[j, m])] += int(ch.d_val[j, m])
        changes.append(tuple((int(c), int(net[c])) for c in np.flatnonzero(net)))
    return Structure(
        n_compartments=n_c,
        reactants=tuple(reactants),
        freq=tuple(bool(f) for f in ch.freq),
        changes=tuple(changes),
        living=tuple(bool(v) for v in ch.in_pop),
        zombie_weight=tuple(float(w) for w in zombie),
        zombie=tuple(bool(v) for v in zmask),
        logging=logging,
        thinned=thinned if any(thinned) else (),
    )


def thin_rates(rate: np.ndarray, sines: list[tuple[int, float, float, float, float]]) -> np.ndarray:
    """The `rate` argument of a kernel that thins: (5, reactions) flattened. Row 0 is each
    rate at its factor's maximum (the bound events are drawn at); rows 1 to 4 are, for a
    reaction j with factor mean + amplitude cos(ω (t - peak)) (`sines`: (j, mean, amplitude,
    ω, peak)), mean / max and amplitude / max (so the chance of keeping an event drawn at t is
    row 1 + row 2 × cos(row 3 × (t - row 4))), ω and the peak."""
    n = rate.size
    out = np.zeros((5, n))
    out[0] = rate
    out[1] = 1.0
    for j, mean, amplitude, omega, peak in sines:
        top = mean + amplitude
        out[0, j] = rate[j] * top
        if top > 0.0:
            out[1, j], out[2, j] = mean / top, amplitude / top
        out[3, j], out[4, j] = omega, peak
    return out.ravel()


def level_steps(st: Structure, weights: np.ndarray) -> np.ndarray:
    """The most one event moves each watched sum (weights: levels × compartments)."""
    change = np.zeros((st.n_reactions, st.n_compartments))
    for j, ch in enumerate(st.changes):
        for c, d in ch:
            change[j, c] = d
    moves = np.abs(weights @ change.T) if weights.size else np.zeros((0, st.n_reactions))
    return moves.max(axis=1) if st.n_reactions else np.zeros(weights.shape[0])


# --- helpers the generated kernels call ---------------------------------------------------------


@kept_fresh
@nb.njit(cache=True, nogil=True)
def safe_events(watched, tot, step):  # type: ignore[no-untyped-def]
    """How many more events certainly pass no level not yet passed: each level's distance
    over the most one event moves its sum, less one for round-off (-1: check now)."""
    safe = NEVER
    for k in range(watched.levels.size):
        if not np.isnan(watched.times[k]) or step[k] <= 0.0:
            continue
        v = 0.0
        for c in range(tot.size):
            v += watched.weights[k, c] * tot[c]
        gap = v - watched.levels[k] if watched.below[k] else watched.levels[k] - v
        n = np.floor(gap / step[k]) - 1.0
        safe = min(safe, np.int64(max(n, -1.0)))  # type: ignore[assignment]  # int64 in Numba
    return safe


@nb.njit(cache=True, nogil=True, inline="always")
def record(rec, pl, t_next, clock):  # type: ignore[no-untyped-def]
    """Record the totals held on [t, t_next) at the output and snapshot times it covers (a
    snapshot of the one place is its counts); the next time to record at."""
    while kernel.due(rec.times, rec.cursor[0], t_next, clock.end, clock.include_end):
        kernel.write_totals(rec, pl.tot)
    while kernel.due(rec.snap_times, rec.cursor[1], t_next, clock.end, clock.include_end):
        kernel.write_snapshot(rec, pl.x)
    k, s = rec.cursor[0], rec.cursor[1]
    return min(
        rec.times[k] if k < rec.times.size else np.inf,
        rec.snap_times[s] if s < rec.snap_times.size else np.inf,
    )


# --- the generated kernel -----------------------------------------------------------------------


def _falling(x: str, order: int) -> list[str]:
    return [x] + [f"({x} - {i}.0)" for i in range(1, order)]


def _propensity(st: Structure, k: int) -> str:
    # rk: the rate, times 1 / the living population for frequency mixing (see _rates).
    factors = [f"r{k}"]
    for c, order in st.reactants[k]:
        factors += _falling(f"x{c}", order)
    return " * ".join(factors)


def _rates(st: Structure) -> list[str]:
    # Each reaction's factor besides its counts: the rate, over the living population when it
    # mixes by frequency (recomputed when that population changes).
    return [
        f"r{k} = rate[{k}] * ip" if st.freq[k] else f"r{k} = rate[{k}]"
        for k in range(st.n_reactions)
    ]


def _body(st: Structure, j: int, watch: bool) -> list[str]:
    # What reaction j does once drawn, as lines of the kernel's loop (indented by the caller).
    out = [f"x{c} += {d}.0" for c, d in st.changes[j]]
    dpop = sum(d for c, d in st.changes[j] if st.living[c])
    if dpop and any(st.freq):
        out += [f"npop += {dpop}.0", "ip = 1.0 / npop if npop > 0.0 else 0.0"]
        out += [line for k, line in enumerate(_rates(st)) if st.freq[k]]
    out += [f"p{k} = {_propensity(st, k)}" for k in st.depends(j)]
    out.append(f"n{j} += 1")
    if st.logging:
        out.append(f"kernel.log_event(log, t, {j}, 0, -1, 0, 0)")
    first = ["if zmiss:", "    first_z[0] = t", "    zmiss = False"]
    adds = any(st.zombie[c] and d > 0 for c, d in st.changes[j])
    dz = sum(st.zombie_weight[c] * d for c, d in st.changes[j])
    z = _zombie_count(st)
    # When the zombie count counts exactly the zombie compartments, the first zombie is a new
    # peak: its time is set there, off the path of most events.
    inside = adds and dz > 0 and st.zombie_weight == tuple(float(v) for v in st.zombie)
    if adds and not inside:
        out += first
    if dz and z == "z":
        out.append(f"z += {dz!r}")
    if dz > 0:
        out += [f"if {z} > zpk:", f"    zpk = {z}", "    tpk = t"]
        out += [f"    {line}" for line in (first if inside else [])]
    if st.changes[j] and watch:
        # The watched levels, after an event that changes the counts: checked only when
        # one may have been passed.
        out += ["safe -= 1", "if safe < 0:", "    break"]
    return out


def _zombie_count(st: Structure) -> str:
    # The zombie count: a compartment's own count when it is the only one with a weight (of
    # 1), else `z`, kept by adding each reaction's change.
    weighted = [c for c, w in enumerate(st.zombie_weight) if w]
    if len(weighted) == 1 and st.zombie_weight[weighted[0]] == 1.0:
        return f"x{weighted[0]}"
    return "z"


def _dispatch(st: Structure) -> list[str]:
    # The reaction: the first whose running sum passes the target, and what it does. A target
    # at or past the total by round-off is moved to the start of the last reaction that can
    # happen (the last whose running sum grows).
    n = st.n_reactions
    out = ["if not target < a0:"]
    for k in reversed(range(n)):
        lower = f"c{k}" if k else "0.0"
        out += [
            f"    {'if' if k == n - 1 else 'elif'} c{k + 1} > {lower}:",
            f"        target = {lower}",
        ]
    for k in range(n):
        head = f"elif target < c{k + 1}:" if k else f"if target < c{k + 1}:"
        out.append(head if k < n - 1 else "else:")
        body = _body(st, k, watch=True)
        if st.thinned and st.thinned[k]:
            # Thinning: drawn at the factor's maximum, kept with the factor's share of it
            # (else nothing happens), which is exactly the law of the time-varying rate.
            cos = f"np.cos(rate[{3 * n + k}] * (t - rate[{4 * n + k}]))"
            keep = f"rate[{n + k}] + rate[{2 * n + k}] * {cos}"
            body = [
                "word, shi, slo = pcg.step(shi, slo, ihi, ilo)",
                f"if pcg.uniform(word) < {keep}:",
                *[f"    {line}" for line in body],
            ]
        out += [f"    {line}" for line in body]
    return out


def source(st: Structure) -> str:
    """The kernel's Python source for one model structure (see the module docstring)."""
    n_c, n_r = st.n_compartments, st.n_reactions
    xs = [f"x{c}" for c in range(n_c)]
    sync = [f"tot[{c}] = int(x{c})" for c in range(n_c)]
    sync += [f"xp[0, {c}] = tot[{c}]" for c in range(n_c)]
    sync += [f"counts[{j}] += n{j}" for j in range(n_r)] + [f"n{j} = 0" for j in range(n_r)]
    sync += ["kernel.raise_peak(watched, zpk, tpk)", "gen[0] = shi", "gen[1] = slo"]
    sums = [f"c{k + 1} = {'c' + str(k) + ' + ' if k else ''}p{k}" for k in range(n_r)]
    living = " + ".join(x for x, live in zip(xs, st.living, strict=True) if live) or "0.0"
    zombie = " + ".join(f"{w!r} * {x}" for x, w in zip(xs, st.zombie_weight, strict=True) if w)
    head = [
        "tot, xp, first_z = pl.tot, pl.x, pl.first_z",
        "shi, slo, ihi, ilo = gen[0], gen[1], gen[2], gen[3]",
        *[f"x{c} = float(tot[{c}])" for c in range(n_c)],
        *[f"n{k} = 0" for k in range(n_r)],
        f"npop = {living}",
        "ip = 1.0 / npop if npop > 0.0 else 0.0",
        *_rates(st),
        *[f"p{k} = {_propensity(st, k)}" for k in range(n_r)],
        *sums,
        f"a0 = c{n_r}",
        f"z = {zombie or '0.0'}",
        "zpk, tpk = watched.peak[0], watched.peak[1]",
        "zmiss = np.isnan(first_z[0])",
        "t = clock.t",
        "end = clock.end",
        "nxt = -np.inf",
        "while True:",
        "    safe = safe_events(watched, tot, step)",
        "    while True:",
    ]
    # The inner loop runs events until a watched level may have been passed (`break`); the
    # outer one then brings the counts out, lets the shared `watch` decide, and goes on.
    full = [
        "if log.n[0] >= log.t.size:",
        *[f"    {line}" for line in sync],
        "    return t, LOG_FULL",
    ]
    loop = [
        *(full if st.logging else []),
        "# The wait: numpy's exponential (pcg.py); the output times it covers; the end.",
        "e, shi, slo = pcg.standard_exponential(shi, slo, ihi, ilo)",
        "t_next = t + e / a0 if a0 > 0.0 else np.inf",
        "if t_next > nxt:",
        *[f"    {line}" for line in sync],
        "    nxt = min(record(rec, pl, t_next, clock), end)",
        "    if t_next > end:",
        "        return end, DONE",
        "t = t_next",
        "word, shi, slo = pcg.step(shi, slo, ihi, ilo)",
        "target = pcg.uniform(word) * a0",
        *_dispatch(st),
        *sums,
        f"a0 = c{n_r}",
    ]
    after = [
        *sums,
        f"a0 = c{n_r}",
        *sync,
        "if kernel.watch(watched, tot, t):",
        "    return t, STOPPED",
    ]
    lines = [
        '"""Generated by hyosan.engines.ssa.mixed.source: the direct method for one model."""',
        "import numba as nb",
        "import numpy as np",
        "from hyosan.engines import kernel",
        "from hyosan.engines.kernel import Status",
        "from hyosan.engines.ssa import pcg",
        "from hyosan.engines.ssa.mixed import record, safe_events",
        "from hyosan.engines.ssa.pipeline import Kernel",
        "DONE, STOPPED, LOG_FULL = Status.DONE, Status.STOPPED, Status.LOG_FULL",
        "",
        "",
        "@nb.njit(cache=True, nogil=True, pipeline_class=Kernel)",
        "def simulate(rate, pl, gen, clock, rec, watched, counts, log, step):",
        *[f"    {line}" for line in head],
        *[f"            {line}" for line in loop],
        *[f"        {line}" for line in after],
        "",
    ]
    return "\n".join(lines)


_KERNELS: dict[Structure, Any] = {}
_LOCK = threading.Lock()


# What else the compiled kernel holds: the helpers it inlines and the compiler's passes (a
# superset: every module of the engines, code_cache.py).
_STAMP = generated.stamp(*engine_sources())


def kernel_for(st: Structure) -> Any:
    """The compiled kernel of a structure: from this process, else from the cache directory
    (its machine code cached by Numba), else written there and compiled."""
    with _LOCK:
        found = _KERNELS.get(st)
        if found is None:
            module, _ = generated.load("hyosan_mixed", source(st), _STAMP)
            found = _KERNELS[st] = module.simulate
        return found


def watch_steps(st: Structure, watched: Watched) -> np.ndarray:
    """The most one event moves each watched sum, for `safe_events`."""
    return np.ascontiguousarray(level_steps(st, watched.weights), dtype=np.float64)

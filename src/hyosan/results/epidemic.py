"""Epidemic figures of a run: incidence of every reaction, infections, attack rate and R_t.

Every engine counts its reactions (Result.reaction_counts: how many times each had happened by
each recorded time; exact counts for ssa, tau and agents, the integral of each flux for ode).
From them:

- the incidence of each reaction in each interval between recorded times, and its running
  total;
- infections: the reactions that turn a human into one of the infected (bitten or zombie),
  their running total, and the attack rate, infections over the humans at the start;
- an effective reproduction number R_t for each interval, by one of two methods:

  - "renewal", for SIR-like models (the infected leave or move on only by first-order
    reactions at fixed rates, and are infected only by human + infected reactions): the
    infections of the interval divided by the infectiousness then of everyone infected
    before, weighted by the model's generation interval (the infected stages as a linear
    chain: R_t = i(t) / ∫ i(t - τ) g(τ) dτ, the initial infected counted as infected at 0).
    For plain SIR this is R0·S/N;
  - "bites", for the rest (zombies destroyed by humans, a building's events): the bites per
    zombie per its time as a zombie, which is the infections of the interval over the
    infected who left the infected states in it (bites per zombie-time × zombie-time per
    zombie lost); undefined (NaN) in an interval where none left.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.results.arrow import numbers

if TYPE_CHECKING:
    import pyarrow as pa

    from hyosan.results.result import Result
    from hyosan.results.summary import EpidemicFigures

__all__ = ["INFECTED_STATES", "Epidemic", "ReactionCounts", "is_sir_like", "read_reactions"]

#: The states of the infected: an infection moves a human into one of them.
INFECTED_STATES = ("bitten", "zombie")
#: What R_t at the start is summed over (Epidemic.r_t_start): the first intervals until the
#: infectiousness of the infected adds up to 10 infections at R_t = 1 ("renewal"), or until
#: 10 infected were lost ("bites").
START_EXPOSURE = 10.0


def _infections(stoich: np.ndarray, states: tuple[str, ...]) -> np.ndarray:
    """Which reactions infect: a human compartment loses, an infected one gains."""
    human = np.array([s == "human" for s in states])
    infected = np.array([s in INFECTED_STATES for s in states])
    if stoich.size == 0:
        return np.zeros(stoich.shape[0], dtype=bool)
    loses_human = (stoich[:, human] < 0).any(axis=1)
    gains_infected = (stoich[:, infected] > 0).any(axis=1)
    return np.asarray(loses_human & gains_infected, dtype=bool)


def is_sir_like(states: tuple[str, ...], reactants: np.ndarray, products: np.ndarray) -> bool:
    """Whether the infected only leave or move on by first-order reactions (as in SIR and SEIR,
    and unlike zombies that humans destroy) and are infected only by human + infected
    reactions that move one human into one infected compartment."""
    infected = np.array([s in INFECTED_STATES for s in states])
    human = np.array([s == "human" for s in states])
    stoich = products - reactants
    infects = _infections(stoich, states)
    if not infected.any() or not infects.any():
        return False
    for j in range(reactants.shape[0]):
        touches = bool((reactants[j, infected] > 0).any() or (stoich[j, infected] != 0).any())
        if not touches:
            continue
        if infects[j]:
            ok = (
                reactants[j].sum() == 2
                and reactants[j, human].sum() == 1
                and reactants[j, infected].sum() == 1
                and np.abs(stoich[j]).sum() == 2
            )
        else:
            # A stage of the infection ending on its own: one infected reactant, no one else.
            ok = reactants[j].sum() == 1 and reactants[j, infected].sum() == 1
        if not ok:
            return False
    return True


@dataclass(frozen=True)
class ReactionCounts:
    """The reactions an engine counted, as it hands them to the Result (`reactions`,
    `reaction_counts`, `stoichiometry`).

    Attributes
    ----------
    names
        The reactions (the model's, with the interventions'; a building run's state-changing
        events).
    counts
        How many times each had happened by each recorded time, (times, reactions).
    stoichiometry
        The net change of each compartment per reaction, (reactions, compartments).
    """

    names: tuple[str, ...]
    counts: np.ndarray
    stoichiometry: np.ndarray


@dataclass(frozen=True)
class Epidemic:
    """The epidemic figures of one run (see the module docstring).

    Attributes
    ----------
    times
        The run's recorded times (s).
    reactions
        The reactions counted, in the Result's order.
    cumulative
        How many times each had happened by each time, (len(times), len(reactions)).
    infects
        Whether each reaction is an infection.
    humans_at_start
        The humans at time 0, the attack rate's denominator.
    method
        "renewal" or "bites" (see the module docstring); `r_t` holds the values.
    chain, stoichiometry, states
        What R_t is computed from: the renewal chain, or the reactions' changes and the
        compartments' states.
    """

    times: np.ndarray
    reactions: tuple[str, ...]
    cumulative: np.ndarray
    infects: np.ndarray
    humans_at_start: float
    method: str
    #: The renewal chain (A, b, beta, y0) of an SIR-like run; None for the "bites" method.
    chain: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    stoichiometry: np.ndarray | None = None
    states: tuple[str, ...] = ()
    #: The infected (bitten, zombies, hybrids) at the run's end.
    infected_at_end: float = 0.0

    @cached_property
    def r_t(self) -> np.ndarray:
        """R_t of each interval (t[i - 1], t[i]] at row i; NaN at row 0 and where undefined.

        Computed when first asked for (the renewal equation walks every interval): a summary
        needs only its first value (`r_t_first`).
        """
        if self.chain is not None:
            return _renewal_r(self.times, self.infections, *self.chain)
        assert self.stoichiometry is not None
        return _bites_r(self.cumulative, self.stoichiometry, self.infects, self.states)

    def r_t_first(self) -> float | None:
        """The first R_t defined, without walking the whole run where it can be helped."""
        if "r_t" in self.__dict__ or self.chain is None:
            finite = np.flatnonzero(np.isfinite(self.r_t))
            return float(self.r_t[finite[0]]) if finite.size else None
        r_t = _renewal_r(self.times, self.infections, *self.chain, first_only=True)
        finite = np.flatnonzero(np.isfinite(r_t))
        return float(r_t[finite[0]]) if finite.size else None

    def r_t_start(self, enough: float = START_EXPOSURE) -> float | None:
        """R_t at the start: the infections of the first intervals over what caused them (by
        this run's method), summed until the cause reaches `enough` (START_EXPOSURE).

        One interval's R_t is a ratio of small counts at the start of a stochastic run: 0
        where nobody was infected in it (most first intervals of an SIR run at 0.1 days), 33
        where the one zombie lost had bitten 33. Summed, it estimates the start's reproduction
        number without bias (seeds 1 to 200 of `sir` with ssa: mean 1.99, sd 0.46, where
        R0·S/N is 2); for an ode run of plain SIR it is R0·S/N over the window.
        """
        if self.chain is not None:
            terms = _renewal_terms(self.times, self.infections, self.chain)
            return _pooled(((inc, load) for _, _, inc, load in terms), enough)
        assert self.stoichiometry is not None
        new, gone = _bites_terms(self.cumulative, self.stoichiometry, self.infects, self.states)
        if gone[1:].sum() < enough and self.infected_at_end >= 1.0:
            # The run ended before `enough` of the infected were lost, with infected left: its
            # infections are counted, but not the losses still to come (a long latent stage
            # in munz-quarantine made 1.33 of an R0 of 0.79). No estimate rather than that.
            return None
        return _pooled(zip(new[1:].tolist(), gone[1:].tolist(), strict=True), enough)

    @classmethod
    def of(cls, result: Result) -> Epidemic | None:
        """The figures of a Result whose engine counted its reactions; None otherwise."""
        if result.reaction_counts is None or result.stoichiometry is None:
            return None
        cumulative = np.asarray(result.reaction_counts, dtype=np.float64)
        stoich = np.asarray(result.stoichiometry, dtype=np.float64)
        infects = _infections(stoich, result.states)
        humans = float(result.series("human")[0]) if "human" in result.states else 0.0
        times = np.asarray(result.times, dtype=np.float64)
        chain = _renewal_chain(result)
        return cls(
            times,
            tuple(result.reactions),
            cumulative,
            infects,
            humans,
            "renewal" if chain is not None else "bites",
            chain,
            stoich,
            tuple(result.states),
            float(result.counts[-1][np.isin(result.states, INFECTED_STATES)].sum()),
        )

    @property
    def incidence(self) -> np.ndarray:
        """Each reaction's count in each interval (t[i - 1], t[i]] at row i (row 0: zeros)."""
        return np.diff(self.cumulative, axis=0, prepend=self.cumulative[:1])

    @property
    def infections(self) -> np.ndarray:
        """Infections so far at each time."""
        return self.cumulative[:, self.infects].sum(axis=1)

    @property
    def attack_rate(self) -> np.ndarray:
        """Infections so far over the humans at the start (NaN without humans)."""
        if self.humans_at_start <= 0:
            return np.full(self.times.size, np.nan)
        return self.infections / self.humans_at_start

    def table(self, stoichiometry: np.ndarray | None = None) -> pa.Table:
        """incidence.parquet: `t`, `new_<reaction>` (in the interval ending at t) and
        `cum_<reaction>` for each reaction, `new_infections`, `cum_infections`, `attack_rate`
        and `R_t`; its metadata names the reactions, the R_t method and (if given) the
        stoichiometry, so that Result.load reads the counts back (`read_reactions`)."""
        import json

        from hyosan.results import arrow

        cols: dict[str, Any] = {"t": arrow.floats(self.times)}
        inc = self.incidence
        for j, name in enumerate(self.reactions):
            cols[f"new_{name}"] = arrow.floats(inc[:, j])
        for j, name in enumerate(self.reactions):
            cols[f"cum_{name}"] = arrow.floats(self.cumulative[:, j])
        infections = self.infections
        cols["new_infections"] = arrow.floats(np.diff(infections, prepend=infections[:1]))
        cols["cum_infections"] = arrow.floats(infections)
        cols["attack_rate"] = arrow.floats(self.attack_rate)
        cols["R_t"] = arrow.floats(self.r_t)
        meta = {
            "t_unit": "s",
            "R_t_method": self.method,
            "reactions": json.dumps(list(self.reactions)),
        }
        if stoichiometry is not None:
            meta["stoichiometry"] = json.dumps(np.asarray(stoichiometry).tolist())
        return arrow.table(cols, metadata=meta)

    def peak_window(self, window_s: float) -> tuple[float, float, float] | None:
        """(new infections per `window_s`, from, to): the most new infections between two
        recorded times at least `window_s` apart (the shortest such span ending at each
        recorded time), per `window_s`; the whole run where it is shorter. Where the records
        are `window_s` apart or closer, the figure is a count: the most infections in any
        one unit of time. It is never a short interval's burst scaled up (55 infections in 2
        minutes are not "1,650 an hour" of a 475-infection outbreak). None: one recorded
        time."""
        times, infections = self.times, self.infections
        if times.size < 2 or window_s <= 0:
            return None
        # For each end time, the last start at least one window before it (within rounding).
        start = np.searchsorted(times, times - window_s * (1 - 1e-9), side="right") - 1
        ends = np.nonzero(start >= 0)[0]
        if ends.size == 0:  # a run shorter than one window: the whole run
            ends, starts = np.array([times.size - 1]), np.array([0])
        else:
            starts = start[ends]
        span = times[ends] - times[starts]
        count = infections[ends] - infections[starts]
        rate = np.divide(count * window_s, span, out=np.zeros_like(count), where=span > 0)
        k = int(np.argmax(rate))
        return float(rate[k]), float(times[starts[k]]), float(times[ends[k]])

    def figures(self, unit: str = "d") -> EpidemicFigures:
        """The figures a summary keeps (summary.json's "epidemic"); the peak of new
        infections in one `unit` (the unit the run's times are shown in) is peak_window's."""
        from hyosan.results.summary import EpidemicFigures
        from hyosan.scenario.units import SECONDS_PER

        infections = self.infections
        inc = np.diff(infections)
        width = np.diff(self.times)
        rate = np.divide(inc, width, out=np.zeros_like(inc), where=width > 0)
        peak = self.peak_window(SECONDS_PER.get(unit, 86400.0))
        return EpidemicFigures(
            infections=float(infections[-1]) if infections.size else 0.0,
            attack_rate=(
                float(self.attack_rate[-1])
                if self.humans_at_start > 0 and infections.size
                else None
            ),
            incidence={
                name: float(self.cumulative[-1, j]) for j, name in enumerate(self.reactions)
            },
            peak_infections_per_day=float(rate.max() * 86400.0) if rate.size else 0.0,
            t_peak_infections_s=(
                float(self.times[1:][int(np.argmax(rate))]) if rate.size else None
            ),
            r_t_method=self.method,
            r_t_first=self.r_t_first(),
            r_t_start=self.r_t_start(),
            peak_infections_unit=unit,
            peak_infections_per_unit=peak[0] if peak is not None else None,
            t_peak_infections_from_s=peak[1] if peak is not None else None,
            t_peak_infections_to_s=peak[2] if peak is not None else None,
        )


def read_reactions(table: pa.Table | None, n_compartments: int) -> ReactionCounts | None:
    """The reactions counted, read back from an incidence.parquet table (see
    Epidemic.table); None if there is none or it is not whole."""
    import json

    if table is None:
        return None
    meta = table.schema.metadata or {}
    try:
        names = json.loads(meta[b"reactions"])
        stoich = np.asarray(json.loads(meta[b"stoichiometry"]), dtype=np.float64)
        counts = np.column_stack([numbers(table.column(f"cum_{n}")) for n in names])
    except (KeyError, ValueError, TypeError):
        return None
    if stoich.shape != (len(names), n_compartments):
        return None
    return ReactionCounts(
        names=tuple(str(n) for n in names),
        counts=counts.astype(np.float64),
        stoichiometry=stoich,
    )


# --- R_t -----------------------------------------------------------------------------------------


def _renewal_chain(result: Result) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(A, b, beta, y0) of an SIR-like run's infected stages, or None.

    A is the generator of the infected compartments as a linear chain (first-order moves on and
    exits), b where an infection enters, beta each compartment's infectiousness (up to a common
    factor), y0 the infected at time 0. None when the model is not SIR-like, its reactions are
    not the model's (interventions add their own, at rates that change in time), a reaction's
    rate follows a schedule (the chain would change in time too), or infections enter more than
    one compartment.
    """
    scenario = result.scenario
    if scenario.scheduled:
        return None
    model = scenario.model
    names = [r.name for r in model.reactions]
    if tuple(result.reactions) != tuple(names):
        return None
    comps = list(model.compartments)
    index = {c: i for i, c in enumerate(comps)}
    n = len(comps)
    reactants = np.zeros((len(names), n), dtype=np.int64)
    products = np.zeros((len(names), n), dtype=np.int64)
    for j, r in enumerate(model.reactions):
        for c, k in r.reactants.items():
            reactants[j, index[c]] = k
        for c, k in r.products.items():
            products[j, index[c]] = k
    states = tuple(c.state for c in model.compartments.values())
    if not is_sir_like(states, reactants, products):
        return None
    infected = [i for i, s in enumerate(states) if s in INFECTED_STATES]
    pos = {c: k for k, c in enumerate(infected)}
    rates = scenario.parameter_values()
    m = len(infected)
    a_mat, b, beta = np.zeros((m, m)), np.zeros(m), np.zeros(m)
    stoich = products - reactants
    infects = _infections(stoich, states)
    entries = set()
    for j, r in enumerate(model.reactions):
        rate = float(rates[r.rate])
        if infects[j]:
            src = next(i for i in infected if reactants[j, i] > 0)
            beta[pos[src]] += rate
            entry = next(i for i in infected if stoich[j, i] > 0)
            entries.add(entry)
            continue
        src_list = [i for i in infected if reactants[j, i] > 0]
        if not src_list:
            continue
        src = src_list[0]
        a_mat[pos[src], pos[src]] -= rate
        for i in infected:
            if stoich[j, i] > 0:
                a_mat[pos[i], pos[src]] += rate * stoich[j, i]
    if len(entries) != 1 or not beta.any():
        return None
    b[pos[entries.pop()]] = 1.0
    y0 = np.asarray(result.counts[0], dtype=np.float64)[infected]
    # Normalise the infectiousness so that one new infection has a total of 1 over its life:
    # the generation interval is then a distribution, and R_t the infections per unit of it.
    try:
        total = float(beta @ np.linalg.solve(-a_mat, b))
    except np.linalg.LinAlgError:
        return None  # someone stays infected for ever: no generation interval
    if not np.isfinite(total) or total <= 0:
        return None
    return a_mat, b, beta / total, y0


def _renewal_terms(
    times: np.ndarray, infections: np.ndarray, chain: tuple[np.ndarray, ...]
) -> Iterator[tuple[int, float, float, float]]:
    """Each interval's infections and the infectiousness then of everyone infected before,
    integrated over the interval (the infections expected at R_t = 1), as (row, length,
    infections, infectiousness), for the intervals of positive length in order; the
    interval's R_t is the ratio of the last two.

    The infected stages are propagated exactly over each interval (a matrix exponential of the
    chain with its input and its integral, Van Loan's trick), so R_t is exact for piecewise
    constant incidence whatever the spacing of the recorded times.
    """
    a_mat, b, beta, y0 = chain  # see _renewal_chain
    m = b.size
    dts = np.diff(times)
    new = np.diff(infections)
    # Per distinct spacing: the exact one-interval map of the stages (P, q) and of their
    # integral weighted by infectiousness (r, s), as plain floats: a few stages, thousands of
    # intervals, where numpy's per-call cost would be most of the time.
    maps: dict[float, tuple[list[list[float]], list[float], list[float], float]] = {}
    y = [float(v) for v in y0]
    for i, (dt, inc) in enumerate(zip(dts.tolist(), new.tolist(), strict=True), start=1):
        if dt <= 0:
            continue
        key = round(dt, 9)
        if key not in maps:
            e = _interval_map(a_mat, b, key)
            maps[key] = (
                e[:m, :m].tolist(),
                e[:m, 2 * m].tolist(),
                (beta @ e[m : 2 * m, :m]).tolist(),
                float(beta @ e[m : 2 * m, 2 * m]),
            )
        p_mat, q, r, s_u = maps[key]
        u = inc / dt
        # The infectiousness over the interval, then the stages at its end.
        yield i, dt, inc, sum(r[k] * y[k] for k in range(m)) + s_u * u
        y = [sum(p_mat[a][k] * y[k] for k in range(m)) + q[a] * u for a in range(m)]


def _renewal_r(
    times: np.ndarray,
    infections: np.ndarray,
    a_mat: np.ndarray,
    b: np.ndarray,
    beta: np.ndarray,
    y0: np.ndarray,
    *,
    first_only: bool = False,
) -> np.ndarray:
    """R_t by the renewal equation, with the infections taken as constant within each
    interval (see _renewal_terms)."""
    r_t = np.full(times.size, np.nan)
    for i, dt, inc, exposure in _renewal_terms(times, infections, (a_mat, b, beta, y0)):
        # Rates over the interval (as the figures were first computed, bit for bit).
        load = exposure / dt
        if load > 0:
            r_t[i] = (inc / dt) / load
            if first_only:
                break
    return r_t


def _pooled(terms: Iterable[tuple[float, float]], enough: float) -> float | None:
    """The infections summed over what caused them summed, interval by interval from the
    start until the second sum reaches `enough` (the whole run if it never does); None while
    that sum is 0.

    The window ends on the cause, never on the infections: ending it once enough infections
    were counted would favour runs that drew theirs early (by about n / (n - 1) for n
    infections), while infections minus R times their cause is a martingale that a window
    ending on the cause leaves unbiased.
    """
    num = den = 0.0
    for inc, load in terms:
        num += inc
        den += load
        if den >= enough:
            break
    return num / den if den > 0 else None


#: Interval maps already computed: runs of one scenario (an ensemble's) share their chain and
#: spacing, and a matrix exponential costs more than the rest of a summary.
_MAPS: dict[tuple[bytes, bytes, float], np.ndarray] = {}


def _interval_map(a_mat: np.ndarray, b: np.ndarray, dt: float) -> np.ndarray:
    """exp(M dt) of the chain with its input and its integral (Van Loan's block matrix)."""
    key = (a_mat.tobytes(), b.tobytes(), dt)
    if key not in _MAPS:
        from scipy.linalg import expm

        m = b.size
        big = np.zeros((2 * m + 1, 2 * m + 1))
        big[:m, :m] = a_mat
        big[:m, 2 * m] = b
        big[m : 2 * m, :m] = np.eye(m)
        if len(_MAPS) > 256:
            _MAPS.clear()
        _MAPS[key] = expm(big * dt)
    return _MAPS[key]


def _bites_terms(
    cumulative: np.ndarray, stoich: np.ndarray, infects: np.ndarray, states: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Infections and infected lost, interval by interval (row 0: none)."""
    infected = np.array([s in INFECTED_STATES for s in states])
    lost = np.clip(-stoich[:, infected].sum(axis=1), 0.0, None)  # infected lost per firing
    lost[infects] = 0.0
    inc = np.diff(cumulative, axis=0, prepend=cumulative[:1])
    return inc[:, infects].sum(axis=1), inc @ lost


def _bites_r(
    cumulative: np.ndarray, stoich: np.ndarray, infects: np.ndarray, states: tuple[str, ...]
) -> np.ndarray:
    """Infections per infected lost, interval by interval (NaN where none was lost)."""
    new, gone = _bites_terms(cumulative, stoich, infects, states)
    r_t = np.full(new.size, np.nan)
    np.divide(new, gone, out=r_t, where=gone > 0)
    r_t[0] = np.nan
    return r_t

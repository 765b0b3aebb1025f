"""Gillespie's direct method for a batch of particles of a well-mixed reaction network.

The particle filter moves every particle from one observation time to the next by exact
stochastic simulation: the propensity of reaction j is k_j times the falling factorials of its
reactants' counts (x(x-1)... for a reactant of order two), divided by the living population
for frequency mixing, as in the ssa engine. Each event draws an exponential waiting time and
a reaction by its share of the total; a waiting time that passes the target time ends the
particle's advance there, which is exact because the process is memoryless.

The kernel draws from a numpy Generator passed in (Numba runs its bit generator), so that a
filter run with a given seed gives the same particles in any process.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["advance", "filter_loglik"]


@nb.njit(cache=True, nogil=True)
def advance(x, fired, t0, t1, k, reactants, stoich, freq, in_pop, max_events, rng):  # type: ignore[no-untyped-def]
    """Advance each particle x[p] (counts) from t0 to t1; count firings in fired[p].

    Returns the number of events, or -1 if some particle exceeded max_events (a runaway that
    the caller treats as impossible).
    """
    n_p, n_c = x.shape
    n_r = k.size
    a = np.empty(n_r)
    total_events = 0
    for p in range(n_p):
        t = t0
        events = 0
        while True:
            pop = 0.0
            for c in range(n_c):
                if in_pop[c]:
                    pop += x[p, c]
            a0 = 0.0
            for j in range(n_r):
                v = k[j]
                for c in range(n_c):
                    o = reactants[j, c]
                    xc = x[p, c]
                    for i in range(o):
                        v *= xc - i
                if v < 0.0:
                    v = 0.0
                if freq[j]:
                    v = v / pop if pop > 0 else 0.0
                a[j] = v
                a0 += v
            if a0 <= 0.0:
                break
            t += rng.standard_exponential() / a0
            if t > t1:
                break
            u = rng.random() * a0
            j = 0
            acc = a[0]
            while acc < u and j < n_r - 1:
                j += 1
                acc += a[j]
            for c in range(n_c):
                x[p, c] += stoich[j, c]
            fired[p, j] += 1
            events += 1
            if events > max_events:
                return -1
        total_events += events
    return total_events


@nb.njit(cache=True, nogil=True)
def _obs_loglik(kind, y, mu, nuisance):  # type: ignore[no-untyped-def]
    # The observation models of observation.py, one value at a time (kind 0 Poisson,
    # 1 negative binomial, 2 normal).
    if kind == 2:
        z = (y - mu) / nuisance
        return -0.5 * z * z - math.log(nuisance) - 0.5 * math.log(2 * math.pi)
    if mu < 1e-6:
        mu = 1e-6
    if kind == 0:
        return y * math.log(mu) - mu - math.lgamma(y + 1.0)
    r = nuisance
    return (
        math.lgamma(y + r)
        - math.lgamma(r)
        - math.lgamma(y + 1.0)
        + r * math.log(r / (r + mu))
        + y * math.log(mu / (r + mu))
    )


@nb.njit(cache=True, nogil=True)
def filter_loglik(  # type: ignore[no-untyped-def]
    y0,
    k,
    reactants,
    stoich,
    freq,
    in_pop,
    times,
    sched,
    values,
    cmat,
    base,
    kind,
    nuisance,
    n_p,
    rng,
):
    """The bootstrap particle filter's log-likelihood estimate (see pmmh.py), compiled whole.

    `sched` is (brk, fac): the rates are k × fac[i] between brk[i - 1] and brk[i] (a
    piecewise-constant schedule;
    brk empty and fac one row of ones without one): particles stop at each jump and carry on
    at the next piece's rates, which is exact since the chain is memoryless.

    values is (n_times, n_columns) with NaN where missing; cmat maps the state and the firing
    counts to the columns, base adds the initial counts to cumulative columns.
    """
    n_r, n_c = reactants.shape
    n_cols = values.shape[1]
    x = np.empty((n_p, n_c), dtype=np.int64)
    fired = np.zeros((n_p, n_r), dtype=np.int64)
    for p in range(n_p):
        for c in range(n_c):
            x[p, c] = y0[c]
    lw = np.empty(n_p)
    xs = np.empty((n_p, n_c), dtype=np.int64)
    fs = np.empty((n_p, n_r), dtype=np.int64)
    brk, fac = sched
    ll = 0.0
    t = 0.0
    pc = 0
    kk = k * fac[0]
    for i in range(times.size):
        while pc < brk.size and brk[pc] <= times[i]:
            if brk[pc] > t:
                if (
                    advance(
                        x, fired, t, brk[pc], kk, reactants, stoich, freq, in_pop, 50_000_000, rng
                    )
                    < 0
                ):
                    return -np.inf
                t = brk[pc]
            pc += 1
            kk = k * fac[pc]
        if advance(x, fired, t, times[i], kk, reactants, stoich, freq, in_pop, 50_000_000, rng) < 0:
            return -np.inf
        t = times[i]
        seen = 0
        for j in range(n_cols):
            if not np.isnan(values[i, j]):
                seen += 1
        if seen == 0:
            continue
        top = -np.inf
        for p in range(n_p):
            total = 0.0
            for j in range(n_cols):
                if np.isnan(values[i, j]):
                    continue
                mu = base[j]
                for c in range(n_c):
                    mu += cmat[c, j] * x[p, c]
                for r in range(n_r):
                    mu += cmat[n_c + r, j] * fired[p, r]
                total += _obs_loglik(kind, values[i, j], mu, nuisance)
            lw[p] = total
            if total > top:
                top = total
        if not np.isfinite(top):
            return -np.inf
        wsum = 0.0
        for p in range(n_p):
            lw[p] = math.exp(lw[p] - top)
            wsum += lw[p]
        ll += top + math.log(wsum / n_p)
        # Systematic resampling.
        u = rng.random() / n_p
        acc = lw[0] / wsum
        src = 0
        for p in range(n_p):
            target = u + p / n_p
            while acc < target and src < n_p - 1:
                src += 1
                acc += lw[src] / wsum
            for c in range(n_c):
                xs[p, c] = x[src, c]
            for r in range(n_r):
                fs[p, r] = fired[src, r]
        x, xs = xs, x
        fired, fs = fs, fired
    return ll

"""Numba kernels of the exact stochastic simulation (Gillespie's direct method).

The kernels take their random numbers as an array of uniforms drawn by the caller from the
run's `events` stream, and hand control back when they run out; this keeps the random state
explicit and the results identical wherever they run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["STATUS_DONE", "STATUS_NEED_RANDOM", "STATUS_STOPPED", "direct_method"]

STATUS_DONE = 0  # reached the end of the piece
STATUS_NEED_RANDOM = 1  # used up the uniforms; call again with fresh ones
STATUS_STOPPED = 2  # a stopping threshold was crossed


@nb.njit(cache=True, nogil=True)
def _propensities(x, reactants, rates, frequency, in_population, a):  # type: ignore[no-untyped-def]
    n_pop = 0.0
    for i in range(x.size):
        if in_population[i]:
            n_pop += x[i]
    total = 0.0
    for j in range(rates.size):
        value = rates[j]
        for i in range(x.size):
            # Falling factorial x(x-1)...(x-ν+1): the number of ways to pick the reactants.
            for m in range(reactants[j, i]):
                value *= x[i] - m
        if frequency[j]:
            value = value / n_pop if n_pop > 0 else 0.0
        if value < 0.0:
            value = 0.0
        a[j] = value
        total += value
    return total


@nb.njit(cache=True, nogil=True)
def direct_method(  # type: ignore[no-untyped-def]
    x,  # int64[n_c], changed in place
    t,  # float: current time
    t_end,  # float: end of this piece
    include_end,  # bool: record an output time equal to t_end
    reactants,  # int64[n_r, n_c]
    stoich,  # int64[n_r, n_c]
    rates,  # float64[n_r]
    frequency,  # bool[n_r]
    in_population,  # bool[n_c]
    uniforms,  # float64[k] in [0, 1)
    out_times,  # float64[n_out]
    out_values,  # float64[n_out, n_c]
    out_next,  # int: first output row not yet written
    watch_weights,  # float64[n_w, n_c]
    watch_levels,  # float64[n_w]
    watch_below,  # bool[n_w]
    watch_stop,  # bool[n_w]
    watch_times,  # float64[n_w], nan until crossed; written here
    zombie_weights,  # float64[n_c]
    peak,  # float64[2]: (largest zombie count, its first time); updated here
    counts,  # int64[n_r]: events per reaction; updated here
):
    """Advance x from t towards t_end; return (t, uniforms used, out_next, status)."""
    a = np.empty(rates.size)
    used = 0
    n_out = out_times.size
    while True:
        a0 = _propensities(x, reactants, rates, frequency, in_population, a)
        if a0 > 0.0:
            if used + 2 > uniforms.size:
                return t, used, out_next, STATUS_NEED_RANDOM
            tau = -np.log(1.0 - uniforms[used]) / a0
            target = uniforms[used + 1] * a0
            used += 2
            t_next = t + tau
        else:
            t_next = np.inf  # nothing can happen any more: the state holds to the end
        # Record the state held on [t, t_next) at the output times it covers.
        while out_next < n_out and (
            out_times[out_next] < t_next
            and (out_times[out_next] < t_end or (include_end and out_times[out_next] == t_end))
        ):
            for i in range(x.size):
                out_values[out_next, i] = x[i]
            out_next += 1
        if t_next > t_end:
            return t_end, used, out_next, STATUS_DONE
        # Choose the reaction: the first j whose cumulative propensity passes the target.
        j = 0
        acc = a[0]
        while acc <= target and j < rates.size - 1:
            j += 1
            acc += a[j]
        while a[j] == 0.0 and j > 0:  # round-off can land on a reaction that cannot fire
            j -= 1
        for i in range(x.size):
            x[i] += stoich[j, i]
        counts[j] += 1
        t = t_next
        z = 0.0
        for i in range(x.size):
            z += zombie_weights[i] * x[i]
        if z > peak[0]:
            peak[0] = z
            peak[1] = t
        stop = False
        for w in range(watch_levels.size):
            if np.isnan(watch_times[w]):
                v = 0.0
                for i in range(x.size):
                    v += watch_weights[w, i] * x[i]
                if (v < watch_levels[w]) if watch_below[w] else (v > watch_levels[w]):
                    watch_times[w] = t
                    if watch_stop[w]:
                        stop = True
        if stop:
            return t, used, out_next, STATUS_STOPPED

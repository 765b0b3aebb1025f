"""The mean field of a reaction network, integrated by a compiled Dormand-Prince 5(4) method.

Maximum likelihood evaluates the model hundreds of times with new rates and initial counts, so
one integration must cost microseconds, not the milliseconds of a general solver with its
Python calls per step. The state carries, beside the compartments, the integral of each
reaction's rate: the expected number of times it has fired, from which cumulative counts
(everyone who ever entered a compartment) follow. Steps are shortened to land on each
observation time, so no interpolation is needed, and on each instant where a piecewise-constant
rate schedule jumps (`brk`), after which the rates are those of the next piece (`fac`): no step
crosses a jump, so the error control never has to find it.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["integrate"]

# Dormand & Prince (1980) coefficients of the 5(4) pair, FSAL form.
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.zeros((7, 7))
_A[1, :1] = [1 / 5]
_A[2, :2] = [3 / 40, 9 / 40]
_A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
_A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
_A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
_A[6, :6] = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
_B = _A[6].copy()
_E = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])


@nb.njit(cache=True, nogil=True)
def _rates(x, k, reactants, freq, in_pop, out):  # type: ignore[no-untyped-def]
    n_r, n_c = reactants.shape
    pop = 0.0
    for c in range(n_c):
        if in_pop[c]:
            pop += x[c]
    for j in range(n_r):
        v = k[j]
        for c in range(n_c):
            o = reactants[j, c]
            for _ in range(o):
                v *= x[c]
        if freq[j]:
            v = v / pop if pop > 0 else 0.0
        out[j] = v


@nb.njit(cache=True, nogil=True)
def _deriv(y, k, reactants, stoich, freq, in_pop, a, out):  # type: ignore[no-untyped-def]
    n_r, n_c = reactants.shape
    _rates(y[:n_c], k, reactants, freq, in_pop, a)
    for c in range(n_c):
        s = 0.0
        for j in range(n_r):
            s += stoich[j, c] * a[j]
        out[c] = s
    for j in range(n_r):
        out[n_c + j] = a[j]


@nb.njit(cache=True, nogil=True)
def integrate(y0, k, reactants, stoich, freq, in_pop, times, rtol, atol, brk, fac):  # type: ignore[no-untyped-def]
    """Integrate from t = 0 to each of `times` (increasing, >= 0).

    The rates are k × fac[i] between brk[i - 1] and brk[i] (brk increasing and > 0, fac with
    one row more than brk; no jumps: brk empty and fac one row of ones).

    Returns (len(times), n_compartments + n_reactions): the compartments, then the expected
    number of firings of each reaction since t = 0. Rows after a failure (a step size below
    1e-12 of the horizon) are NaN.
    """
    n_r, n_c = reactants.shape
    n = n_c + n_r
    y = np.zeros(n)
    y[:n_c] = y0
    out = np.full((times.size, n), np.nan)
    a = np.empty(n_r)
    ks = np.empty((7, n))
    tmp = np.empty(n)
    ynew = np.empty(n)
    t = 0.0
    t_end = times[-1] if times.size else 0.0
    pc = 0  # the piece of the schedule
    kk = k * fac[0]
    _deriv(y, kk, reactants, stoich, freq, in_pop, a, ks[0])
    # Initial step from the scale of the state and its derivative (Hairer's heuristic, simplified).
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (ks[0, i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h = min(h, t_end) if t_end > 0 else 0.0
    h_min = 1e-12 * max(t_end, 1.0)
    idx = 0
    while idx < times.size and times[idx] <= 0.0:
        out[idx] = y
        idx += 1
    while idx < times.size:
        target = times[idx]
        if pc < brk.size and brk[pc] < target:
            target = brk[pc]
        last = False
        if t + h >= target:
            h = target - t
            last = True
        for s in range(1, 7):
            for i in range(n):
                acc = y[i]
                for r in range(s):
                    acc += h * _A[s, r] * ks[r, i]
                tmp[i] = acc
            _deriv(tmp, kk, reactants, stoich, freq, in_pop, a, ks[s])
        err = 0.0
        for i in range(n):
            ynew[i] = y[i]
            for r in range(7):
                ynew[i] += h * _B[r] * ks[r, i]
        for i in range(n):
            e = 0.0
            for r in range(7):
                e += h * _E[r] * ks[r, i]
            sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
            err += (e / sc) ** 2
        err = np.sqrt(err / n)
        if err <= 1.0 or h <= h_min:
            t = target if last else t + h
            for i in range(n):
                y[i] = ynew[i]
                ks[0, i] = ks[6, i]  # first same as last
            if last and t == times[idx]:
                out[idx] = y
                idx += 1
            if pc < brk.size and brk[pc] <= t:
                # A jump of the rates: the next piece's, and the derivative with them.
                while pc < brk.size and brk[pc] <= t:
                    pc += 1
                kk = k * fac[pc]
                _deriv(y, kk, reactants, stoich, freq, in_pop, a, ks[0])
            factor = 10.0 if err == 0.0 else min(10.0, max(0.2, 0.9 * err**-0.2))
            h = h * factor if not last else max(h * factor, h_min)
            if last and idx < times.size:
                h = max(h, (times[idx] - t) * 1e-3)
        else:
            h = h * max(0.2, 0.9 * err**-0.2)
        if not np.isfinite(h) or (h < h_min and err > 1.0):
            break
    return out

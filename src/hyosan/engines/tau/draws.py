"""The tau kernels' random variates, drawn from numpy's PCG64 stepped inside the kernel.

The kernels leap by binomial draws, most of them with a mean of one to thirty (about ε times
a count). Numba's `Generator.binomial` follows numpy: sequential inversion with a division at
each term below a mean of 30, BTPE above it, and every uniform fetched from the bit generator
through a function pointer. On the US grid the draws took a fifth of local stepping's cycles
(counted in the kernel; benchmarks/README.md), and those below took its run from 65 s to
59 s. Here the generator's state is four words in an array (`g`, as `pcg.load` gives it, and
`pcg.store` puts back), stepped inline (`pcg.step`), and:

- `binomial` is exact: sequential inversion with the terms' ratios from a table of
  reciprocals (no division) where the mean is below 10, and above it Hörmann's BTRD (W.
  Hörmann, "The generation of binomial random variates", J. Statist. Comput. Simul. 46, 1993):
  transformed rejection with a table-mountain hat, accepting about 86 % of draws at once, with
  a cost that does not grow with the mean;
- `poisson` is exact: inversion where the mean is below 10, Hörmann's PTRS above it ("The
  transformed rejection method for generating Poisson random variables", Insurance:
  Mathematics and Economics 12, 1993);
- `random` and `exponential` are numpy's own (pcg.py).

The draws are not numpy's for binomials and Poisson counts (other algorithms), only their laws
are the same; tests/engines/test_tau_draws.py checks each against scipy's distributions.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from hyosan.engines.code_cache import kept_fresh
from hyosan.engines.ssa import pcg

__all__ = ["binomial", "exponential", "poisson", "random"]

#: Below this mean, binomial and Poisson draws are by inversion (about one pass a unit of the
#: mean); at it and above, by transformed rejection (Hörmann's tables are fitted there).
INVERSION_BELOW = 10.0

#: 1 / k for k < 256: the inversion's term ratios without a division.
_RECIP = np.array([0.0] + [1.0 / k for k in range(1, 256)])

#: Stirling's correction log(k!) − (k + ½) log(k + 1) + (k + 1) − ½ log(2π), for k < 10 (BTRD's
#: fc); beyond, its series.
_FC = np.array(
    [
        math.lgamma(k + 1) - ((k + 0.5) * math.log(k + 1) - (k + 1) + 0.5 * math.log(2 * math.pi))
        for k in range(10)
    ]
)


@nb.njit(cache=True, nogil=True, inline="always")
def word(g):  # type: ignore[no-untyped-def]
    """The next 64-bit word of the PCG64 whose state `g` holds (and the state stepped)."""
    w, hi, lo = pcg.step(g[0], g[1], g[2], g[3])
    g[0] = hi
    g[1] = lo
    return w


@nb.njit(cache=True, nogil=True, inline="always")
def random(g):  # type: ignore[no-untyped-def]
    """A uniform on [0, 1): numpy's `random()`."""
    return pcg.uniform(word(g))


@nb.njit(cache=True, nogil=True, inline="always")
def exponential(g):  # type: ignore[no-untyped-def]
    """A standard exponential: numpy's `standard_exponential()`."""
    x, hi, lo = pcg.standard_exponential(g[0], g[1], g[2], g[3])
    g[0] = hi
    g[1] = lo
    return x


@nb.njit(cache=True, nogil=True, inline="always")
def _recip(k):  # type: ignore[no-untyped-def]
    return _RECIP[k] if k < 256 else 1.0 / k


@nb.njit(cache=True, nogil=True, inline="always")
def _power(q, n):  # type: ignore[no-untyped-def]
    # q ** n for an integer n >= 0 by squaring: a few products where exp(n log q) costs two
    # calls of libm, and as accurate (a relative error of about log2(n) roundings).
    f = 1.0
    while n > 0:
        if n & 1:
            f *= q
        q *= q
        n >>= 1
    return f


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _binomial_inversion(g, n, p):  # type: ignore[no-untyped-def]
    # p <= 1/2, n p < INVERSION_BELOW: the smallest k whose cumulative probability exceeds a
    # uniform, the terms by their ratio f(k) / f(k - 1) = (n + 1 - k) / k × p / q. A uniform
    # left above the sum of the terms by rounding starts again.
    q = 1.0 - p
    s = p / q
    a = (n + 1) * s
    f0 = _power(q, n)
    while True:
        u = random(g)
        f = f0
        k = 0
        while u > f:
            u -= f
            k += 1
            if k > n:
                break
            f *= a * _recip(k) - s
        else:
            return k


@nb.njit(cache=True, nogil=True, inline="always")
def _fc(k):  # type: ignore[no-untyped-def]
    if k < 10:
        return _FC[k]
    r = 1.0 / (k + 1)
    r2 = r * r
    return (1.0 / 12.0 - (1.0 / 360.0 - r2 / 1260.0) * r2) * r


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _btrd(g, n, p):  # type: ignore[no-untyped-def]
    # p <= 1/2, n p >= INVERSION_BELOW: Hörmann's BTRD, steps numbered as in the paper.
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    npq = n * p * q
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    v_r = 0.92 - 4.2 / b
    urvr = 0.86 * v_r
    m = int((n + 1) * p)  # the mode (a floor: the product is positive)
    r = p / q
    nr = (n + 1) * r
    while True:
        # 1: the table mountain's centre, accepted at once.
        v = random(g)
        if v <= urvr:
            u = v / v_r - 0.43
            return int(np.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c))
        # 2: a point under the hat outside the centre.
        if v >= v_r:
            u = random(g) - 0.5
        else:
            u = v / v_r - 0.93
            u = math.copysign(0.5, u) - u
            v = random(g) * v_r
        # 3.0 (us is zero only where a uniform was exactly 0: no point there)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        kf = np.floor((2.0 * a / us + b) * u + c)
        if kf < 0.0 or kf > n:
            continue
        k = int(kf)
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            # 3.1: f(k) / f(m) by the recursion.
            f = 1.0
            if m < k:
                for i in range(m + 1, k + 1):
                    f *= nr / i - r
            elif m > k:
                for i in range(k + 1, m + 1):
                    v *= nr / i - r
            if v <= f:
                return k
            continue
        # 3.2: squeeze by the normal approximation of log f(k) / f(m).
        v = math.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return k
        if v > t + rho:
            continue
        # 3.3 and 3.4: the final test, with Stirling's corrections.
        nm = n - m + 1
        h = (m + 0.5) * math.log((m + 1) / (r * nm)) + _fc(m) + _fc(n - m)
        nk = n - k + 1
        if v <= (
            h
            + (n + 1) * math.log(nm / nk)
            + (k + 0.5) * math.log(nk * r / (k + 1))
            - _fc(k)
            - _fc(n - k)
        ):
            return k


@nb.njit(cache=True, nogil=True, inline="always")
def binomial(g, n, p):  # type: ignore[no-untyped-def]
    """Binomial(n, p), exactly; n >= 0 an integer, 0 <= p <= 1."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial_low(g, n, 1.0 - p)
    return binomial_low(g, n, p)


@nb.njit(cache=True, nogil=True, inline="always")
def binomial_low(g, n, p):  # type: ignore[no-untyped-def]
    """Binomial(n, p) for n >= 1 and 0 < p <= 1/2."""
    if n * p < INVERSION_BELOW:
        return _binomial_inversion(g, n, p)
    return _btrd(g, n, p)


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _poisson_inversion(g, lam):  # type: ignore[no-untyped-def]
    f0 = math.exp(-lam)
    while True:
        u = random(g)
        f = f0
        k = 0
        while u > f:
            u -= f
            k += 1
            if k > 1000:  # the terms have underflowed: rounding left u above their sum
                break
            f *= lam * _recip(k)
        else:
            return k


@kept_fresh
@nb.njit(cache=True, nogil=True)
def _ptrs(g, lam):  # type: ignore[no-untyped-def]
    # Hörmann's PTRS, for lam >= INVERSION_BELOW.
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = random(g) - 0.5
        v = random(g)
        us = 0.5 - abs(u)
        if us <= 0.0:  # a uniform exactly 0: no point there
            continue
        k = np.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= v_r:
            return int(k)
        if k < 0.0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b) <= (
            -lam + k * loglam - math.lgamma(k + 1.0)
        ):
            return int(k)


@nb.njit(cache=True, nogil=True, inline="always")
def poisson(g, lam):  # type: ignore[no-untyped-def]
    """Poisson(lam), exactly; lam >= 0."""
    if lam <= 0.0:
        return 0
    if lam < INVERSION_BELOW:
        return _poisson_inversion(g, lam)
    return _ptrs(g, lam)

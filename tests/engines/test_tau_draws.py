"""The tau kernels' random variates (engines/tau/draws.py): their laws against scipy's, and
the uniforms and exponentials against numpy's own."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest
from scipy import stats

from hyosan.engines.ssa import pcg
from hyosan.engines.tau import draws

#: Draws per law. A chi-square test at this level rejects a right law once in 10,000 tries;
#: a sampler off by a few per cent anywhere in the bulk fails it.
DRAWS = 200_000
LEVEL = 1e-4


@nb.njit
def _binomials(g, n, p, size):  # type: ignore[no-untyped-def]
    out = np.empty(size, np.int64)
    for i in range(size):
        out[i] = draws.binomial(g, n, p)
    return out


@nb.njit
def _poissons(g, lam, size):  # type: ignore[no-untyped-def]
    out = np.empty(size, np.int64)
    for i in range(size):
        out[i] = draws.poisson(g, lam)
    return out


@nb.njit
def _uniforms_and_exponentials(g, size):  # type: ignore[no-untyped-def]
    out = np.empty(2 * size)
    for i in range(size):
        out[2 * i] = draws.random(g)
        out[2 * i + 1] = draws.exponential(g)
    return out


def _state(seed: int) -> np.ndarray:
    words = pcg.load(np.random.default_rng(seed))
    assert words is not None
    return words


def _chi_square_p(sample: np.ndarray, pmf: np.ndarray, lo: int) -> float:
    # The sample's counts of lo, lo + 1, ... against the law's; the outer values, and any
    # value whose expected count is under 5, pooled in one cell.
    expected = pmf * sample.size
    keep = expected >= 5
    counts = np.bincount(sample - lo, minlength=pmf.size)[: pmf.size]
    rest_obs = sample.size - counts[keep].sum()
    rest_exp = sample.size - expected[keep].sum()
    stat = float(((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum())
    cells = int(keep.sum())
    if rest_exp >= 5:
        stat += (rest_obs - rest_exp) ** 2 / rest_exp
        cells += 1
    return float(stats.chi2.sf(stat, cells - 1))


@pytest.mark.parametrize(
    ("n", "p"),
    [
        (1, 0.3),  # one trial
        (7, 0.9),  # p above one half: n minus a draw of 1 - p
        (1000, 0.003),  # inversion, mean 3
        (300, 0.0329),  # inversion, mean just under 10
        (1000, 0.01),  # BTRD at its threshold, mean 10
        (20, 0.5),  # BTRD, p one half, few trials
        (1000, 0.03),  # BTRD, mean 30 (numpy's inversion ends here)
        (100_000, 0.0002),  # BTRD, many trials, tiny p
        (5000, 0.37),  # BTRD, far tails through the squeeze and the final test
    ],
)
def test_binomial_draws_follow_the_binomial_law(n: int, p: float) -> None:
    sample = _binomials(_state(n), n, p, DRAWS)
    assert sample.min() >= 0
    assert sample.max() <= n
    lo = int(stats.binom.ppf(1e-9, n, p))
    hi = int(stats.binom.isf(1e-9, n, p))
    pmf = stats.binom.pmf(np.arange(lo, hi + 1), n, p)
    assert _chi_square_p(np.clip(sample, lo, hi), pmf, lo) > LEVEL
    # And the mean within five of its standard errors.
    assert abs(sample.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / DRAWS)


def test_binomial_draws_at_the_edges_of_their_arguments() -> None:
    g = _state(3)
    assert (_binomials(g, 0, 0.4, 100) == 0).all()
    assert (_binomials(g, 50, 0.0, 100) == 0).all()
    assert (_binomials(g, 50, 1.0, 100) == 50).all()


@pytest.mark.parametrize("lam", [0.05, 3.0, 9.99, 10.0, 37.5, 2000.0])
def test_poisson_draws_follow_the_poisson_law(lam: float) -> None:
    sample = _poissons(_state(int(lam * 100)), lam, DRAWS)
    lo = int(stats.poisson.ppf(1e-9, lam))
    hi = int(stats.poisson.isf(1e-9, lam))
    pmf = stats.poisson.pmf(np.arange(lo, hi + 1), lam)
    assert _chi_square_p(np.clip(sample, lo, hi), pmf, lo) > LEVEL
    assert abs(sample.mean() - lam) < 5 * np.sqrt(lam / DRAWS)
    assert (_poissons(_state(1), 0.0, 10) == 0).all()


def test_uniforms_and_exponentials_are_numpys_own_and_the_state_goes_back() -> None:
    rng = np.random.default_rng(11)
    reference = np.random.default_rng(11)
    g = pcg.load(rng)
    assert g is not None
    ours = _uniforms_and_exponentials(g, 5000)
    expected = np.empty(10_000)
    for i in range(5000):
        expected[2 * i] = reference.random()
        expected[2 * i + 1] = reference.standard_exponential()
    np.testing.assert_array_equal(ours, expected)
    pcg.store(rng, g)
    assert rng.random() == reference.random()

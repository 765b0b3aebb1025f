"""Summaries of samples: weighted quantiles, effective sample sizes and R-hat."""

from __future__ import annotations

import numpy as np

__all__ = ["autocorrelation_ess", "kish_ess", "split_rhat", "weighted_quantiles"]


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of samples x with weights w (the weighted empirical CDF, interpolated)."""
    order = np.argsort(x)
    xs, ws = x[order], w[order] / w.sum()
    cdf = np.cumsum(ws) - 0.5 * ws
    return np.interp(qs, cdf, xs)


def kish_ess(w: np.ndarray) -> float:
    """Kish's effective sample size of importance weights, (Σw)² / Σw²."""
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def split_rhat(chains: np.ndarray) -> float:
    """Gelman-Rubin R-hat over split chains, (n_chains, n_draws) of one value."""
    n = chains.shape[1]
    half = n // 2
    if half < 2:
        return float("nan")
    parts = np.concatenate([chains[:, :half], chains[:, half : 2 * half]], axis=0)
    m = parts.shape[1]
    means = parts.mean(axis=1)
    within = parts.var(axis=1, ddof=1).mean()
    between = m * means.var(ddof=1)
    if within <= 0:
        return float("nan")
    var_plus = (m - 1) / m * within + between / m
    return float(np.sqrt(var_plus / within))


def autocorrelation_ess(chains: np.ndarray) -> float:
    """Effective sample size of MCMC draws (n_chains, n_draws), by Geyer's initial positive
    sequence on the autocorrelation averaged over chains."""
    c, n = chains.shape
    if n < 4:
        return float("nan")
    x = chains - chains.mean(axis=1, keepdims=True)
    var = x.var(axis=1).mean()
    if var <= 0:
        return float("nan")
    f = np.fft.rfft(x, 2 * n, axis=1)
    acov = np.fft.irfft(f * np.conj(f), axis=1)[:, :n].mean(axis=0) / n
    rho = acov / var
    total = 0.0
    for k in range(0, n - 1, 2):
        pair = rho[k] + rho[k + 1]
        if pair <= 0:
            break
        total += pair
    tau = max(2 * total - 1, 1.0)
    return float(c * n / tau)

"""Observation models: how an observed count scatters about the simulated one.

- `poisson`: y ~ Poisson(μ);
- `negative-binomial`: y ~ NB with mean μ and variance μ + μ²/k, the dispersion k fitted;
- `normal`: y ~ Normal(μ, σ²), σ fitted (least squares, with a likelihood to compare models).

Missing values (NaN) contribute nothing. μ is kept above a small floor: a model that predicts
exactly zero where something was seen is very unlikely, not impossible to evaluate.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = ["MU_FLOOR", "log_likelihood", "pointwise", "sample"]

#: Smallest mean used: the likelihood of a count seen where the model has none is tiny, finite.
MU_FLOOR = 1e-6


def pointwise(kind: str, y: np.ndarray, mu: np.ndarray, nuisance: float | None) -> np.ndarray:
    """Log-likelihood of each observation (NaN where y is missing), broadcasting y and mu."""
    mu = np.maximum(mu, MU_FLOOR)
    if kind == "poisson":
        return y * np.log(mu) - mu - gammaln(y + 1.0)
    if kind == "negative-binomial":
        k = float(nuisance)  # type: ignore[arg-type]
        return (
            gammaln(y + k)
            - gammaln(k)
            - gammaln(y + 1.0)
            + k * np.log(k / (k + mu))
            + y * np.log(mu / (k + mu))
        )
    if kind == "normal":
        s = float(nuisance)  # type: ignore[arg-type]
        return -0.5 * ((y - mu) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)
    raise ValueError(f"unknown observation model {kind!r}")


def log_likelihood(kind: str, y: np.ndarray, mu: np.ndarray, nuisance: float | None) -> float:
    """The summed log-likelihood of the observed values (missing ones left out)."""
    values = pointwise(kind, y, mu, nuisance)
    return float(np.sum(values[np.isfinite(y)]))


def sample(
    kind: str, rng: np.random.Generator, mu: np.ndarray, nuisance: float | None
) -> np.ndarray:
    """Observed counts drawn about the simulated ones."""
    mu = np.maximum(mu, 0.0)
    if kind == "poisson":
        return rng.poisson(mu).astype(np.float64)
    if kind == "negative-binomial":
        k = float(nuisance)  # type: ignore[arg-type]
        return rng.negative_binomial(k, k / (k + np.maximum(mu, MU_FLOOR))).astype(np.float64)
    if kind == "normal":
        return mu + float(nuisance) * rng.standard_normal(np.shape(mu))  # type: ignore[arg-type]
    raise ValueError(f"unknown observation model {kind!r}")

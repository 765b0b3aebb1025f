"""Closed forms from the zombie literature and exact epidemic theory.

Rates here are in any consistent unit (they are not scenario quantities): pass per-day rates and
get days back. The papers' symbols are given beside each argument because the two zombie papers
use α for different things (docs/science): in Munz et al. α is the kill rate; in Alemi et al.
α = κ/β is the kill-to-bite ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CureEquilibrium",
    "alemi_final_state",
    "alemi_humans",
    "alemi_p_humans_win",
    "alemi_p_humans_win_after",
    "cull_threshold",
    "cure_equilibrium",
    "munz_r0",
    "sir_final_size",
    "sir_peak_prevalence",
]


def munz_r0(
    bite_rate: float,
    kill_rate: float,
    population: float,
    turn_rate: float | None = None,
    quarantine_infected_rate: float = 0.0,
    quarantine_zombie_rate: float = 0.0,
) -> float:
    """Basic reproduction number of Munz et al.'s models.

    Without a latent stage (turn_rate None) R0 = β/α. With latency ρ and quarantine rates κ
    (infected) and σ (zombies): R0 = βNρ / ((ρ + κ)(αN + σ)).
    """
    beta, alpha, n = bite_rate, kill_rate, population
    if turn_rate is None:
        return beta * n / (alpha * n + quarantine_zombie_rate)
    rho, kappa, sigma = turn_rate, quarantine_infected_rate, quarantine_zombie_rate
    return beta * n * rho / ((rho + kappa) * (alpha * n + sigma))


@dataclass(frozen=True)
class CureEquilibrium:
    """The endemic state of Munz et al.'s treatment model."""

    S: float
    I: float  # noqa: E741 (the paper's name for the infected)
    Z: float
    R: float


def cure_equilibrium(
    population: float,
    bite_rate: float,
    kill_rate: float,
    resurrection_rate: float,
    turn_rate: float,
    cure_rate: float,
) -> CureEquilibrium:
    """Equilibrium of the cure model with Π = δ = 0 and total N.

    S = c/β; Z = (N − c/β)/(1 + c/ρ + αc/(βζ)); I = cZ/ρ; R = αcZ/(βζ).
    """
    n, beta, alpha, zeta, rho, c = (
        population,
        bite_rate,
        kill_rate,
        resurrection_rate,
        turn_rate,
        cure_rate,
    )
    s = c / beta
    z = (n - s) / (1 + c / rho + alpha * c / (beta * zeta))
    return CureEquilibrium(S=s, I=c * z / rho, Z=z, R=alpha * c * z / (beta * zeta))


def alemi_humans(
    t: np.ndarray | float, S0: float, Z0: float, bite_rate: float, ratio: float
) -> np.ndarray:
    """S(t) of Alemi et al.'s fully connected SZR model (β = bite_rate, α = ratio = κ/β).

    With a = Z0 + (1 − α)S0: S(t) = a·S0 / ((1 − α)S0 + Z0·e^{aβt}); when α = 1 it reduces to
    S0·e^{−βZ0t}.
    """
    t = np.asarray(t, dtype=np.float64)
    beta, alpha = bite_rate, ratio
    if alpha == 1.0:
        return S0 * np.exp(-beta * Z0 * t)
    a = Z0 + (1 - alpha) * S0
    if a == 0.0:  # Z stays Z0 + (1 − α)(S0 − S) with a = 0: S' = −β(1 − α)S², a logistic limit
        return S0 / (1 + beta * (1 - alpha) * S0 * t)
    # Scale numerator and denominator by whichever exponential decays, so neither overflows:
    # e^{−aβt} when a > 0 (zombies win), e^{aβt} itself when a < 0 (humans win).
    if a > 0:
        decay = np.exp(-a * beta * t)
        return a * S0 * decay / ((1 - alpha) * S0 * decay + Z0)
    return a * S0 / ((1 - alpha) * S0 + Z0 * np.exp(a * beta * t))


def alemi_final_state(S0: float, Z0: float, ratio: float) -> tuple[float, float]:
    """(S∞, Z∞) of the fully connected model: zombies win for α < 1 with Z∞ = Z0 + (1 − α)S0;
    humans win for α > 1 and S0 > Z0/(α − 1) with S∞ = S0 − Z0/(α − 1)."""
    alpha = ratio
    if alpha < 1:
        return 0.0, Z0 + (1 - alpha) * S0
    if alpha > 1 and Z0 / (alpha - 1) < S0:
        return S0 - Z0 / (alpha - 1), 0.0
    if alpha == 1:
        return 0.0, Z0
    # α > 1 but too few humans to kill every zombie: the humans are all bitten first.
    return 0.0, Z0 + (1 - alpha) * S0


def alemi_p_humans_win_after(bites: int, Z0: int, ratio: float) -> float:
    """P(humans win after exactly `bites` bites) in the well-mixed stochastic model.

    The jump chain is a walk: a bite with p = 1/(1 + α), a kill with q = α/(1 + α). Humans win
    after b bites iff all Z0 + b zombies are killed first:
    (Z0/(Z0 + 2b))·C(Z0 + 2b, b)·p^b·q^(Z0+b).
    """
    b = bites
    p = 1.0 / (1.0 + ratio)
    q = ratio / (1.0 + ratio)
    n = Z0 + 2 * b
    log_c = math.lgamma(n + 1) - math.lgamma(b + 1) - math.lgamma(n - b + 1)
    return (
        math.exp(math.log(Z0 / n) + log_c + b * math.log(p) + (Z0 + b) * math.log(q))
        if q > 0
        else float(b == 0 and Z0 == 0)
    )


def alemi_p_humans_win(S0: int, Z0: int, ratio: float) -> float:
    """P(humans win) with S0 humans and Z0 zombies: the sum over b = 0 … S0 − 1 bites."""
    return float(sum(alemi_p_humans_win_after(b, Z0, ratio) for b in range(S0)))


def cull_threshold(bite_rate: float, kill_rate: float, population: float, interval: float) -> float:
    """Smallest cull fraction k_c = 1 − e^{−(β−α)Nτ} that eradicates zombies culled every τ."""
    return 1.0 - math.exp(-(bite_rate - kill_rate) * population * interval)


def sir_final_size(r0: float) -> float:
    """Attack fraction z of frequency-dependent SIR: the root of z = 1 − e^{−R0·z} (0 if R0 ≤ 1)."""
    if r0 <= 1:
        return 0.0
    from scipy.optimize import brentq

    return float(brentq(lambda z: z - 1 + math.exp(-r0 * z), 1e-12, 1.0, xtol=1e-15))


def sir_peak_prevalence(r0: float) -> float:
    """Peak infectious fraction of SIR starting from s0 = 1: 1 − (1 + ln R0)/R0."""
    return 1.0 - (1.0 + math.log(r0)) / r0 if r0 > 1 else 0.0

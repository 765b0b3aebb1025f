"""Fitting scenarios to observed counts: maximum likelihood, ABC-SMC and particle MCMC.

`fit(scenario, data, ...)` is the entry point (see api.py); the command line is `hyosan fit`
(cli.py). Observed data are read by data.py, the `[fit]` table by spec.py.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FitError", "FitResult", "fit", "load_observations"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the methods pull in scipy and compiled kernels.
    if name == "fit":
        from hyosan.fit.api import fit

        return fit
    if name == "FitResult":
        from hyosan.fit.result import FitResult

        return FitResult
    if name == "FitError":
        from hyosan.fit.errors import FitError

        return FitError
    if name == "load_observations":
        from hyosan.fit.data import load_observations

        return load_observations
    raise AttributeError(f"module 'hyosan.fit' has no attribute {name!r}")

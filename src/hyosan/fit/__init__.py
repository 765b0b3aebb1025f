"""Fitting scenarios to observed counts: maximum likelihood, ABC-SMC and particle MCMC.

`fit(scenario, data, ...)` is the entry point (see api.py), also reachable as
`hyosan.fit(...)`; `compare` fits several scenarios to the same data (comparison.py); the command
line is `hyosan fit` (cli.py). Observed data are read by data.py, the `[fit]` table by spec.py.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

__all__ = ["Comparison", "FitError", "FitResult", "compare", "fit", "load_observations"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the methods pull in scipy and compiled kernels.
    if name == "fit":
        from hyosan.fit.api import fit

        return fit
    if name == "FitResult":
        from hyosan.fit.result import FitResult

        return FitResult
    if name in ("compare", "Comparison"):
        from hyosan.fit import comparison as module

        return getattr(module, name)
    if name == "FitError":
        from hyosan.fit.errors import FitError

        return FitError
    if name == "load_observations":
        from hyosan.fit.data import load_observations

        return load_observations
    raise AttributeError(f"module 'hyosan.fit' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """Lets `hyosan.fit(scenario, data, ...)` call `fit`: importing the subpackage makes
    `hyosan.fit` this module, so the module itself must be callable."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fit(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        # What `hyosan.fit?`, help() and editors show for the call: fit's own parameters.
        from hyosan.fit.api import fit

        return inspect.signature(fit)


sys.modules[__name__].__class__ = _CallableModule

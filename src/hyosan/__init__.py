"""hyosan: zombie outbreaks simulated from one school to a whole country.

The public API is a handful of names; heavy modules load on first use so that importing hyosan
(and `hyosan --help`) stays quick.

>>> import hyosan
>>> result = hyosan.simulate("munz-basic")
>>> result.summary()["humans_win"]
False
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # What the lazy names are, for type checkers and editors (py.typed): at run time they
    # load on first use (__getattr__ below).
    from typing import Any

    from hyosan._version import __version__
    from hyosan.engines import engine_names, get_engine
    from hyosan.errors import HyosanError, ScenarioError
    from hyosan.fit.api import fit
    from hyosan.fit.result import FitResult
    from hyosan.results.result import Result
    from hyosan.runner import simulate
    from hyosan.scenario.load import load_scenario
    from hyosan.scenario.schema import Scenario

__all__ = [
    "FitResult",
    "HyosanError",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "engine_names",
    "fit",
    "get_engine",
    "load_scenario",
    "simulate",
]

# __version__ loads on first use too: reading the distribution's metadata takes 20 ms, which
# would delay the `hyosan` command's signal handlers (hyosan._entry) as much.
_LAZY = {
    "__version__": "hyosan._version",
    "HyosanError": "hyosan.errors",
    "ScenarioError": "hyosan.errors",
    "Result": "hyosan.results.result",
    "Scenario": "hyosan.scenario.schema",
    "load_scenario": "hyosan.scenario.load",
    "simulate": "hyosan.runner",
    "engine_names": "hyosan.engines",
    "get_engine": "hyosan.engines",
    "fit": "hyosan.fit",
    "FitResult": "hyosan.fit.result",
}


def __getattr__(name: str) -> Any:
    if name == "fit":
        # The subpackage, callable as fit itself: importing it makes it hyosan.fit anyway, so
        # the first access gives what every later one does.
        return import_module("hyosan.fit")
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hyosan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

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
    from typing import Any

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
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hyosan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

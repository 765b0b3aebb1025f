"""hyosan: zombie outbreaks simulated from one school to a whole country.

The public API is a handful of names; heavy modules load on first use so that importing hyosan
(and `hyosan --help`) stays quick.

>>> import hyosan
>>> result = hyosan.simulate("munz-basic")
>>> result.summary()["humans_win"]
False
"""

from __future__ import annotations

import sys


def _stop_quietly(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


# The `hyosan` command: a Ctrl-C or SIGTERM while its imports load (typer alone takes 0.3 s)
# would print a KeyboardInterrupt traceback from the import machinery; it exits quietly
# instead until hyosan.cli.main() installs its own handlers. Only for the command: importing
# hyosan as a library changes no handler.
if sys.argv and sys.argv[0].rsplit("/", 1)[-1] == "hyosan":
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _stop_quietly)
        signal.signal(signal.SIGTERM, _stop_quietly)

from importlib import import_module  # noqa: E402
from typing import Any  # noqa: E402

from hyosan._version import __version__  # noqa: E402

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

_LAZY = {
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

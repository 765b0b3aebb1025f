"""Engines and their registry: choose one by name, get the same Result from each.

Built-in engines are listed here by module path and imported only when used. Other packages add
engines through the `hyosan.engines` entry-point group, each entry naming an Engine subclass.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from hyosan.errors import HyosanError

if TYPE_CHECKING:
    from hyosan.engines.base import Engine

__all__ = ["engine_names", "get_engine"]

_BUILTIN: dict[str, str] = {
    "ode": "hyosan.engines.ode:OdeEngine",
    "ssa": "hyosan.engines.ssa:SsaEngine",
    "tau": "hyosan.engines.tau:TauEngine",
    "agents": "hyosan.engines.agents:AgentsEngine",
}


def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group="hyosan.engines")}


def engine_names() -> list[str]:
    """Names of every engine that can be chosen: built-in first, then plugins."""
    return [*_BUILTIN, *(n for n in _plugins() if n not in _BUILTIN)]


def get_engine(engine: str | Engine | type[Engine]) -> Engine:
    """An engine instance from a name, an Engine subclass or an instance."""
    from hyosan.engines.base import Engine

    if isinstance(engine, Engine):
        return engine
    if isinstance(engine, type) and issubclass(engine, Engine):
        return engine()
    target = _BUILTIN.get(str(engine)) or _plugins().get(str(engine))
    if target is None:
        raise HyosanError(f"unknown engine {engine!r}; choose one of {', '.join(engine_names())}")
    module, _, cls = target.partition(":")
    return getattr(import_module(module), cls)()

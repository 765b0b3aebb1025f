"""Worlds kept between the runs of one process, so that an ensemble builds a big world once.

A world's structure (its places and edges) depends on the `[world]` section only, never on the
rates: every replicate of an ensemble, and every point of a sweep that varies rates, has the
same one. Building a 600 x 600 lattice and turning its edges round costs tenths of a second,
more than a small outbreak on it; `WorldCache` keeps the last few structures, with the graphs
the kernels read, keyed on the section's content.

A structure is kept only when building it drew nothing from the `world` random stream (a random
graph draws its edges from it, so it differs from seed to seed and is built afresh every run):
the stream is then in the same state after the cached structure as after a build, and every
later draw is the same.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from hyosan.scenario.world import WorldSpec
    from hyosan.world.graph import World

__all__ = ["WorldCache", "world_key"]

#: The parts of `[world]` that say who is where and what moves, not which places and edges
#: there are: worlds that differ only in these share their structure.
_PEOPLE_FIELDS = {"fill", "seeds", "movement", "cross", "stop_at_edge"}


def world_key(spec: WorldSpec) -> str:
    """The content of `spec` that decides the structure, with the size and time of the
    files it reads (a file changed on disk is read again)."""
    stamps = []
    for path in (spec.file, spec.edges, spec.building):
        if path is not None:
            try:
                st = os.stat(os.path.expanduser(path))
                stamps.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                stamps.append(f"{path}:-")  # a built-in name, or a missing file (the build says)
    return spec.model_dump_json(exclude=_PEOPLE_FIELDS) + "|" + "|".join(stamps)


class WorldCache:
    """The last `size` world structures built without random draws, and their graphs."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._worlds: OrderedDict[str, World] = OrderedDict()
        self._graphs: dict[tuple[int, Any], tuple[World, Any]] = {}
        # A Dask worker runs tasks in threads of one process: one builds, the others wait.
        self._lock = threading.RLock()

    def clear(self) -> None:
        """Forget every structure and graph."""
        with self._lock:
            self._worlds.clear()
            self._graphs.clear()

    def structure(
        self,
        spec: WorldSpec,
        rng: np.random.Generator,
        build: Callable[[WorldSpec, np.random.Generator], World],
    ) -> World:
        """The structure of `spec`: the one kept, or `build(spec, rng)`, kept when it drew
        nothing from `rng`."""
        key = world_key(spec)
        with self._lock:
            world = self._worlds.get(key)
            if world is not None:
                self._worlds.move_to_end(key)
                return world
            before = rng.bit_generator.state
            world = build(spec, rng)
            if rng.bit_generator.state == before:
                self._worlds[key] = world
                while len(self._worlds) > self.size:
                    gone = self._worlds.popitem(last=False)[1]
                    self._graphs = {k: v for k, v in self._graphs.items() if v[0] is not gone}
            return world

    def graph(self, world: World, variant: Any, make: Callable[[], Any]) -> Any:
        """`make()`, the graph the kernels read of `world` in its `variant`, kept with a
        structure that is kept (built afresh for any other world)."""
        with self._lock:
            if not any(w is world for w in self._worlds.values()):
                return make()
            key = (id(world), variant)
            kept = self._graphs.get(key)
            if kept is None or kept[0] is not world:
                kept = (world, make())
                self._graphs[key] = kept
            return kept[1]

"""What the runs of one process share when an engine is told to reuse (an ensemble's worker).

Every replicate of an ensemble runs the same scenario with another seed. On a big world, the
world, the compiled channels and the kernel's arrays at time 0 (the neighbour sums, every
place's propensity and its group, the lists of people) are the same for all of them and cost
more to build than a small outbreak costs to run. A population engine with `reuse` set keeps
them here once, as a *template* taken before the first event of the second run of a
scenario, and starts every later run of it from a copy, with that run's own random streams.

The copy is made by `copy.deepcopy`, with the parts no run writes (the scenario, the layout
and its world, the graph) shared rather than copied. The template is taken only when nothing
in it came from the seed: the world stream untouched (no random graph, no handoff draw) and
no interventions (whose plan the first piece sets up from the run's own streams). Every figure
of a run is then the same as a run built from nothing with the same seed (the tests compare
them).

The worlds themselves (`WORLDS`) are shared more widely: a sweep whose points vary only rates
builds each world once per process.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.world.cache import WorldCache

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = [
    "REUSE_BYTES",
    "REUSE_PLACES",
    "TEMPLATES",
    "WORLDS",
    "Templates",
    "arrays_of",
    "forget",
    "scenario_key",
    "start_from",
    "zero_arrays",
]

#: Worlds of fewer places are built afresh every run: their setup costs about what the copy
#: of a template costs, and the well-mixed place (the most common world) takes no risk.
REUSE_PLACES = 4096

#: States that hold more than this in arrays keep no template: it would double their memory.
REUSE_BYTES = 1 << 30

#: The world structures of this process (world.cache).
WORLDS = WorldCache()


class Templates:
    """The last `size` run states taken before the first event, by engine and scenario."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._kept: OrderedDict[Any, Any] = OrderedDict()
        self._seen: OrderedDict[Any, None] = OrderedDict()
        # A Dask worker runs tasks in threads of one process.
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The template kept under `key`, or None."""
        with self._lock:
            template = self._kept.get(key)
            if template is not None:
                self._kept.move_to_end(key)
            return template

    def wanted(self, key: Any) -> bool:
        """Whether to keep a template for `key`: from the second run of its scenario on (a
        fit's candidates and a sweep of single runs each run a scenario once: a template
        would be a copy made for nothing)."""
        with self._lock:
            if key in self._seen:
                return True
            self._seen[key] = None
            while len(self._seen) > 16 * self.size:
                self._seen.popitem(last=False)
            return False

    def put(self, key: Any, template: Any) -> None:
        """Keep `template` under `key`, forgetting the least recently used beyond `size`."""
        with self._lock:
            self._kept[key] = template
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget every template (and the worlds they hold)."""
        with self._lock:
            self._kept.clear()
            self._seen.clear()

    def __len__(self) -> int:
        return len(self._kept)


#: The run templates of this process.
TEMPLATES = Templates()


def scenario_key(scenario: Scenario) -> str:
    """A digest of everything in `scenario` but its seed, and of the size and time of the files
    its world reads: runs with equal keys differ only in their random streams."""
    from hyosan.world.cache import world_key

    text = scenario.model_dump_json(exclude={"seed"})
    if scenario.world is not None:
        text += world_key(scenario.world)
    return hashlib.sha256(text.encode()).hexdigest()


def forget() -> None:
    """Let go of this process's templates and worlds (an ensemble run in this process ends)."""
    TEMPLATES.clear()
    WORLDS.clear()


def arrays_of(state: Any, shared: Iterable[object]) -> list[np.ndarray]:
    """The arrays of `state`, each once, found through its dataclasses, named tuples, tuples
    and lists, but not through the `shared` objects."""
    skip = {id(obj) for obj in shared}
    found: dict[int, np.ndarray] = {}
    stack = [state]
    while stack:
        obj = stack.pop()
        if id(obj) in skip:
            continue
        skip.add(id(obj))
        if isinstance(obj, np.ndarray):
            found[id(obj)] = obj
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, tuple | list):
            stack.extend(obj)
    return list(found.values())


def zero_arrays(template: Any, shared: Iterable[object]) -> list[np.ndarray]:
    """The arrays of `template` (see `arrays_of`) that hold only zeros: `start_from` makes them
    afresh rather than copying them."""
    return [
        a for a in arrays_of(template, shared) if a.size and a.flags.c_contiguous and not a.any()
    ]


def start_from(template: Any, shared: Iterable[object], zeros: Iterable[np.ndarray]) -> Any:
    """A copy of `template` to run: every array copied (a run writes them), except `shared`
    objects (nothing writes them: they are taken as they are) and `zeros`, arrays that are all
    zero before the first event (given new zero arrays, which cost no copy)."""
    memo: dict[int, Any] = {id(obj): obj for obj in shared}
    for a in zeros:
        memo[id(a)] = np.zeros(a.shape, dtype=a.dtype)
    return copy.deepcopy(template, memo)

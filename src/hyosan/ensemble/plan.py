"""What an ensemble, a sweep or a comparison runs: parameter points × replicates.

An EnsemblePlan lists its points (each a scenario text with overrides) and the number of
replicates per point. Its fingerprint identifies the command that made it, so that a restarted
command finds its own finished runs and a different command never reuses them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from typing import Any, Literal

from hyosan.ensemble.seeds import run_seed
from hyosan.ensemble.task import Task
from hyosan.ensemble.vary import Axis

__all__ = ["EnsemblePlan", "Point"]

Kind = Literal["ensemble", "sweep", "compare", "sample"]


@dataclass(frozen=True)
class Point:
    """One parameter point: a scenario (TOML text and overrides) run with one engine.

    `seed_key` is the point index its seeds are spawned from: its own index, except in a
    comparison, where both scenarios use 0 so that their replicates share seeds.
    """

    index: int
    name: str
    text: str
    label: str
    overrides: tuple[str, ...]
    engine: str
    seed_key: int
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EnsemblePlan:
    """Points × replicates, with the root seed that all run seeds come from."""

    kind: Kind
    root_seed: int
    replicates: int
    points: tuple[Point, ...]
    axes: tuple[Axis, ...] = ()

    @property
    def total(self) -> int:
        """Number of runs in the plan."""
        return self.replicates * len(self.points)

    def seed(self, point: int, replicate: int) -> int:
        """The seed of one run (see seeds.run_seed)."""
        return run_seed(self.root_seed, self.points[point].seed_key, replicate)

    def tasks(self, done: Set[tuple[int, int]] = frozenset()) -> Iterator[Task]:
        """The tasks not yet done, replicate by replicate (every point's first run, then
        every point's second...), made one at a time.

        The order does not change any result (each run's seed is its own), but it decides what
        an interrupted command holds: runs at every point, so that a comparison cut short has
        pairs to compare and a sweep cut short has some runs at each of its points.
        """
        base = os.getcwd()
        for r in range(self.replicates):
            for p in self.points:
                if (p.index, r) in done:
                    continue
                yield Task(
                    point=p.index,
                    replicate=r,
                    seed=self.seed(p.index, r),
                    text=p.text,
                    label=p.label,
                    overrides=p.overrides,
                    engine=p.engine,
                    base=base,
                )

    def identity(self) -> dict[str, Any]:
        """Everything that determines the runs' results (not how they are executed)."""
        from hyosan._version import __version__

        return {
            "hyosan_version": __version__,
            "kind": self.kind,
            "root_seed": self.root_seed,
            "replicates": self.replicates,
            "vary": [a.spec for a in self.axes],
            "log": [a.log for a in self.axes],
            "points": [
                {
                    "text_sha256": hashlib.sha256(p.text.encode()).hexdigest(),
                    "overrides": list(p.overrides),
                    "engine": p.engine,
                    "seed_key": p.seed_key,
                }
                for p in self.points
            ],
        }

    def fingerprint(self) -> str:
        """A hash of `identity()`: the same command gives the same fingerprint."""
        blob = json.dumps(self.identity(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

"""The Result of one simulation, whatever the engine: a time series, crossings, a summary.

Times are in seconds, counts in people. The time series is a pyarrow Table with `t`, one column
per compartment and one `n_<state>` column per state of hyosan's vocabulary present in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.results.metrics import first_crossing, overrun_level, peak
from hyosan.scenario.model import STATES

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hyosan.scenario.schema import Scenario

__all__ = ["Result"]


@dataclass(frozen=True, eq=False)
class Result:
    """What one engine run produced.

    Attributes
    ----------
    scenario, engine, seed
        What was run: running `scenario` with `engine` and `seed` again gives this Result.
    times
        Recorded times in seconds, increasing.
    compartments, states
        Compartment names and the vocabulary state of each.
    counts
        Counts per recorded time and compartment, shape (len(times), len(compartments)).
    crossings
        First time (s) each of the scenario's thresholds was crossed, or None.
    stopped_by
        "horizon", or the name of the threshold that stopped the run.
    exact
        Figures the engine computed exactly (`t_overrun_s`, `peak_zombies`, `t_peak_zombies_s`),
        which take precedence over values derived from the recorded series.
    diagnostics
        Engine figures such as function evaluations or events simulated.
    wall_s
        Wall-clock seconds the run took.
    events
        One row per event (engines that log events): t, kind, actor, target, place, detail.
    places
        One row per place (spatial runs): first-zombie times and per-place snapshots.
    survivors
        Named characters still human at the end (engines with named characters).
    extra
        Further headline figures of the engine, merged into the summary.
    """

    scenario: Scenario
    engine: str
    seed: int
    times: np.ndarray
    compartments: tuple[str, ...]
    states: tuple[str, ...]
    counts: np.ndarray
    crossings: dict[str, float | None] = field(default_factory=dict)
    stopped_by: str = "horizon"
    exact: dict[str, float | None] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0
    events: pa.Table | None = None
    places: pa.Table | None = None
    survivors: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    # --- series -------------------------------------------------------------------------------

    def series(self, name: str) -> np.ndarray:
        """Counts over time of a compartment, or of a state summed over its compartments."""
        if name in self.compartments:
            return self.counts[:, self.compartments.index(name)]
        cols = [i for i, s in enumerate(self.states) if s == name]
        if not cols:
            raise KeyError(
                f"{name!r} is neither a compartment ({', '.join(self.compartments)}) "
                "nor a state of this model"
            )
        return self.counts[:, cols].sum(axis=1)

    def state_names(self) -> list[str]:
        """States present in the model, in vocabulary order."""
        return [s for s in STATES if s in self.states]

    @property
    def timeseries(self) -> pa.Table:
        """`t` (s), one column per compartment, and `n_<state>` per state present."""
        import pyarrow as pa

        columns: dict[str, Any] = {"t": pa.array(self.times, pa.float64())}
        for i, c in enumerate(self.compartments):
            columns[c] = pa.array(self.counts[:, i], pa.float64())
        for s in self.state_names():
            columns[f"n_{s}"] = pa.array(self.series(s), pa.float64())
        return pa.table(columns, metadata={"t_unit": "s", "engine": self.engine})

    def to_pandas(self) -> pd.DataFrame:
        """The time series as a pandas DataFrame (needs pandas)."""
        return self.timeseries.to_pandas()

    # --- headline figures ----------------------------------------------------------------------

    def _zombies(self) -> np.ndarray:
        return self.series("zombie") if "zombie" in self.states else np.zeros(len(self.times))

    def _derived_overrun(self) -> float | None:
        if "human" not in self.states:
            return None
        humans = self.series("human")
        if humans[0] <= 0:
            return None
        return first_crossing(self.times, humans, overrun_level(float(humans[0])), below=True)

    def summary(self) -> dict[str, Any]:
        """The headline figures (summary.json)."""
        from hyosan._version import __version__

        final = self.counts[-1]
        by_state = {s: float(self.series(s)[-1]) for s in self.state_names()}
        derived_peak, derived_t_peak = peak(self.times, self._zombies())
        peak_z = self.exact.get("peak_zombies", derived_peak)
        t_peak = self.exact.get("t_peak_zombies_s", derived_t_peak)
        t_overrun = (
            self.exact["t_overrun_s"] if "t_overrun_s" in self.exact else self._derived_overrun()
        )
        # "Left" means at least half a person in a mean-field run, one person in a stochastic one.
        left = 0.5
        infected_left = by_state.get("zombie", 0.0) + by_state.get("bitten", 0.0)
        humans_left = by_state.get("human", 0.0)
        return {
            "hyosan_version": __version__,
            "scenario": self.scenario.name,
            "engine": self.engine,
            "seed": self.seed,
            "t_end_s": float(self.times[-1]),
            "final": by_state,
            "final_compartments": {
                c: float(v) for c, v in zip(self.compartments, final, strict=True)
            },
            "peak_zombies": float(peak_z) if peak_z is not None else None,
            "t_peak_zombies_s": float(t_peak) if t_peak is not None else None,
            "t_overrun_s": t_overrun,
            "humans_win": bool(infected_left < left and humans_left >= left),
            "survivors": list(self.survivors),
            "crossings_s": dict(self.crossings),
            "stopped_by": self.stopped_by,
            "diagnostics": dict(self.diagnostics),
            "wall_s": self.wall_s,
            **self.extra,
        }

    def save(self, out: str | Any, *, force: bool = False) -> Any:
        """Write the run directory (see results.rundir.write_run) and return its path."""
        from hyosan.results.rundir import write_run

        return write_run(self, out, force=force)

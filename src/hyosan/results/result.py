"""The Result of one simulation, whatever the engine: a time series, crossings, a summary.

Times are in seconds, counts in people. The time series is a pyarrow Table with `t`, one column
per compartment and one `n_<state>` column per state of hyosan's vocabulary present in the model.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import speaks_python
from hyosan.paths import user_path
from hyosan.results.arrow import numbers
from hyosan.results.metrics import first_crossing, overrun_watch, peak
from hyosan.scenario.model import STATES

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from matplotlib.axes import Axes

    from hyosan.results.epidemic import Epidemic
    from hyosan.results.interventions import InterventionReport
    from hyosan.results.summary import Outbreak, People, Summary
    from hyosan.results.words import Words
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
    people
        The figures of a run with people in a building, and the named characters' fates.
    outbreak
        Where the outbreak reached (runs on a world).
    interventions
        What each intervention did (runs with interventions); None without any.
    extra
        Summary figures this version does not know (read back from another version's run
        directory), kept as they are.
    reactions, reaction_counts, stoichiometry
        The reactions the engine counted (the model's, with the interventions'; a building
        run's state-changing events), how many times each had happened by each recorded time,
        shape (len(times), len(reactions)), and the net change of each compartment per
        reaction, shape (len(reactions), len(compartments)). Engines that count events count
        them exactly; the ode engine integrates each reaction's flux. See `epidemic`.
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
    people: People | None = None
    outbreak: Outbreak | None = None
    interventions: tuple[InterventionReport, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    reactions: tuple[str, ...] = ()
    reaction_counts: np.ndarray | None = None
    stoichiometry: np.ndarray | None = None

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
        from hyosan.results import arrow

        columns: dict[str, Any] = {"t": arrow.floats(self.times)}
        for i, c in enumerate(self.compartments):
            columns[c] = arrow.floats(self.counts[:, i])
        for s in self.state_names():
            columns[f"n_{s}"] = arrow.floats(self.series(s))
        return arrow.table(columns, metadata={"t_unit": "s", "engine": self.engine})

    @cached_property
    def epidemic(self) -> Epidemic | None:
        """Incidence of every reaction, infections, attack rate and R_t (results.epidemic);
        None for a Result without reaction counts (one read from an older run directory)."""
        from hyosan.results.epidemic import Epidemic

        return Epidemic.of(self)

    @property
    def words(self) -> Words:
        """How this run is told: humans and zombies, or an epidemic (results.words)."""
        from hyosan.results.words import words_for

        return words_for(self.scenario.model_dump(mode="json", exclude_none=True))

    @property
    def unit(self) -> str:
        """The unit times are shown in ("min", "h", "d"...): the scenario's, or a smaller one
        when the whole run is shorter than one of it (as in the report)."""
        from hyosan.scenario.units import fit_unit

        t_end = float(self.times[-1]) if len(self.times) else None
        return fit_unit(self.scenario.time.display_unit, t_end)

    def to_pandas(self) -> pd.DataFrame:
        """The time series as a pandas DataFrame (needs pandas), indexed by time in the run's
        unit (the index is named so: "time (h)"); `t` keeps the seconds. The epidemic figures
        (incidence.parquet's columns: `new_<reaction>`, `cum_<reaction>`, infections,
        `attack_rate`, `R_t`) follow the counts where the run has them."""
        from hyosan.scenario.units import SECONDS_PER

        frame = self.timeseries.to_pandas()
        epidemic = self.epidemic
        if epidemic is not None:
            extra = epidemic.table().drop_columns(["t"]).to_pandas()
            frame = frame.join(extra)
        unit = self.unit
        frame.index = frame["t"] / SECONDS_PER.get(unit, 1.0)
        frame.index.name = f"time ({unit})"
        return frame

    # --- notebooks -----------------------------------------------------------------------------

    @classmethod
    def load(cls, run_dir: str | Path) -> Result:
        """A Result read back from a run directory that `save` (or `hyosan run`) wrote.

        The scenario comes from its scenario.toml, the series from timeseries.parquet, and the
        headline figures from summary.json, so `summary()` gives back what was saved. A file
        that is damaged or edited past reading raises a HyosanError naming it.
        """
        import json

        from hyosan.errors import HyosanError
        from hyosan.results.arrow import read_parquet
        from hyosan.results.summary import Summary
        from hyosan.scenario.load import load_scenario

        folder = user_path(run_dir)
        for name in ("scenario.toml", "summary.json", "timeseries.parquet"):
            if not (folder / name).is_file():
                raise HyosanError(f"{folder} is not a run directory: it has no {name}")

        def damaged(name: str, what: str) -> HyosanError:
            # As arrow.read_parquet says of a file it cannot read.
            return HyosanError(
                f"{folder / name}: {what}; it is damaged, edited or not one hyosan wrote: run "
                "again to write it anew"
            )

        scenario = load_scenario(str(folder / "scenario.toml"))
        try:
            data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise damaged("summary.json", "not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise damaged(
                "summary.json", f"not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(data, dict):
            raise damaged("summary.json", f"holds a JSON {type(data).__name__}, not an object")
        # The seed is the run's: the one summary.json names, else scenario.toml's (which save
        # writes with the run's seed), never a made-up 0.
        seed = data.get("seed")
        if seed is None:
            seed = scenario.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise damaged("summary.json", f'"seed" is {seed!r}, not a whole number 0 or more')
        try:
            summary = Summary.from_json({**data, "seed": seed})
        except (ValueError, TypeError, AttributeError) as exc:
            raise damaged("summary.json", f"a figure is not what it should be ({exc})") from None
        table = read_parquet(folder / "timeseries.parquet")
        comps = tuple(scenario.model.compartments)
        missing = [c for c in ("t", *comps) if c not in table.column_names]
        if missing:
            raise damaged(
                "timeseries.parquet", f"has no column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (a run's has t and the compartments {', '.join(comps)})"
            )  # fmt: skip
        states = tuple(spec.state for spec in scenario.model.compartments.values())
        try:
            times = numbers(table.column("t")).astype(float)
            counts = np.column_stack([numbers(table.column(c)) for c in comps]).astype(float)
        except (ValueError, TypeError):
            raise damaged("timeseries.parquet", "a column of it is not numbers") from None

        def optional(stem: str) -> pa.Table | None:
            path = folder / f"{stem}.parquet"
            return read_parquet(path) if path.is_file() else None

        from hyosan.results.epidemic import read_reactions

        # The epidemic figures are computed again from the counts incidence.parquet keeps.
        counted = read_reactions(optional("incidence"), len(comps))
        if counted is not None and len(counted.counts) != len(times):
            raise damaged(
                "incidence.parquet", f"{len(counted.counts):,} rows, where timeseries.parquet "
                f"has {len(times):,} (both have one a recorded time)"
            )  # fmt: skip
        return cls(
            scenario=scenario,
            engine=summary.engine or scenario.engine,
            seed=summary.seed,
            times=times,
            compartments=comps,
            states=states,
            counts=counts,
            crossings=dict(summary.crossings_s),
            stopped_by=summary.stopped_by,
            exact={
                "peak_zombies": summary.peak_zombies,
                "t_peak_zombies_s": summary.t_peak_zombies_s,
                "t_overrun_s": summary.t_overrun_s,
            },
            diagnostics=dict(summary.diagnostics or {}),
            wall_s=summary.wall_s,
            events=optional("events"),
            places=optional("places"),
            survivors=summary.survivors,
            people=summary.people,
            outbreak=summary.outbreak,
            interventions=summary.interventions,
            extra=dict(summary.extra),
            reactions=counted.names if counted is not None else (),
            reaction_counts=counted.counts if counted is not None else None,
            stoichiometry=counted.stoichiometry if counted is not None else None,
        )

    def plot(self, ax: Axes | None = None, *, log: bool | None = None) -> Axes:
        """Every state over time on matplotlib axes (new ones by default); returns the axes.

        In IPython or a notebook the new axes are pyplot's, so that the cell shows the plot
        as pandas' plots do; elsewhere they are on a Figure of their own, and pyplot's state
        is left alone.
        """
        from hyosan.reports.plots import plot_timeseries

        if ax is None and _in_ipython():
            import matplotlib.pyplot as plt

            ax = plt.figure(figsize=(8, 4.2), layout="constrained").add_subplot()
        fig = plot_timeseries(self, ax=ax, log=log)
        return ax if ax is not None else fig.axes[0]

    def __repr__(self) -> str:
        # The dataclass's own repr printed the whole scenario and every array (50 kB for a
        # building run), flooding a terminal; a notebook shows _repr_html_ instead.
        outcome = self.words.outcome(self.headline())
        return (
            f"<Result {self.scenario.name!r}: {self.engine}, seed {self.seed}, "
            f"{len(self.times):,} recorded times x {len(self.compartments)} compartments; "
            f"{outcome}>"
        )

    def _repr_html_(self) -> str:
        """What a notebook shows for a Result: the headline figures and a small chart."""
        import base64
        import html

        from hyosan.reports.html import fmt_time

        s = self.headline()
        unit = self.unit
        rows = [
            ("engine, seed", f"{self.engine}, {self.seed}"),
            ("simulated", fmt_time(s.t_end_s, unit)),
        ]
        words = self.words
        rows.append(("outcome", words.outcome(s)))
        if s.peak_zombies is not None:
            rows.append(
                (
                    words.peak,
                    f"{s.peak_zombies:,.0f} at {fmt_time(s.t_peak_zombies_s, unit)}",
                )
            )
        if "human" in self.states and "zombie" in self.states and words.overrun:
            rows.append(("overrun (80 % lost)", fmt_time(s.t_overrun_s, unit)))
        if s.epidemic is not None and s.epidemic.attack_rate is not None:
            rows.append(("attack rate", f"{100 * s.epidemic.attack_rate:.1f} %"))
        rows += [(f"{words.state(k)} at the end", f"{v:,.4g}") for k, v in s.final.items()]
        try:
            from hyosan.reports.plots import plot_timeseries

            fig = plot_timeseries(self)
            fig.set_size_inches(6, 3)
            png = base64.b64encode(fig._repr_png_()).decode("ascii")  # type: ignore[attr-defined]
            chart = f'<img alt="every state over time" src="data:image/png;base64,{png}">'
        except ImportError:  # matplotlib missing: the figures alone
            chart = ""
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        title = html.escape(f"Result of {self.scenario.name}")
        return f"<div><strong>{title}</strong><table>{cells}</table>{chart}</div>"

    # --- headline figures ----------------------------------------------------------------------

    def _zombies(self) -> np.ndarray:
        return self.series("zombie") if "zombie" in self.states else np.zeros(len(self.times))

    def _derived_overrun(self) -> float | None:
        # (None where no compartment is human: overrun_watch finds nobody to lose.)
        def indicator(state: str) -> np.ndarray:
            return np.array([s == state for s in self.states], dtype=np.float64)

        watch = overrun_watch(indicator("human"), indicator("safe"), self.counts[0])
        if watch is None:
            return None
        weights, level = watch
        return first_crossing(self.times, self.counts @ weights, level, below=True)

    def headline(self) -> Summary:
        """The headline figures, typed (summary.json's content is `headline().to_json()`)."""
        from hyosan._version import __version__
        from hyosan.results.summary import Summary

        final = self.counts[-1]
        by_state = {s: float(self.series(s)[-1]) for s in self.state_names()}
        derived_peak, derived_t_peak = peak(self.times, self._zombies())
        peak_z = self.exact.get("peak_zombies", derived_peak)
        t_peak = self.exact.get("t_peak_zombies_s", derived_t_peak)
        t_overrun = (
            self.exact["t_overrun_s"] if "t_overrun_s" in self.exact else self._derived_overrun()
        )
        return Summary(
            hyosan_version=__version__,
            scenario=self.scenario.name,
            engine=self.engine,
            seed=self.seed,
            t_end_s=float(self.times[-1]),
            final=by_state,
            final_compartments={c: float(v) for c, v in zip(self.compartments, final, strict=True)},
            peak_zombies=float(peak_z) if peak_z is not None else None,
            t_peak_zombies_s=float(t_peak) if t_peak is not None else None,
            t_overrun_s=t_overrun,
            humans_win=Summary.decide_winner(by_state),
            survivors=tuple(self.survivors),
            crossings_s=dict(self.crossings),
            stopped_by=self.stopped_by,
            diagnostics=dict(self.diagnostics),
            wall_s=self.wall_s,
            people=self.people,
            outbreak=self.outbreak,
            interventions=self.interventions,
            epidemic=self.epidemic.figures(self.unit) if self.epidemic is not None else None,
            extra=dict(self.extra),
        )

    def summary(self) -> dict[str, Any]:
        """The headline figures as summary.json holds them (see `headline` for them typed)."""
        return self.headline().to_json()

    @speaks_python
    def save(self, out: str | Path, *, force: bool = False) -> Path:
        """Write the run directory (see results.rundir.write_run) and return its path."""
        from hyosan.results.rundir import write_run

        return write_run(self, out, force=force)


def _in_ipython() -> bool:
    """Whether this is an IPython shell or a notebook's kernel."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None

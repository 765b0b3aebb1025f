"""The result of a fit and its directory: fit.json, posterior.parquet, scenario.toml, report.html.

```
OUT/
  fit.json           method, data, fitted values (estimate, interval, prior), diagnostics
                     (log-likelihood, AIC, BIC for mle; ESS, acceptance, ε for abc; ESS,
                     R-hat, acceptance for pmmh), warnings (checks.py)
  posterior.parquet  samples with weights: one column per fitted value, `weight`, and
                     `chain`/`iteration` (pmmh), `distance` (abc); mle writes draws from the
                     normal approximation at the estimate, weight 1
  scenario.toml      the scenario with the best fit written in (runnable as it is)
  bands.parquet      t (the data's unit), column, q05, q25, q50, q75, q95 of the fitted model
                     with observation noise, and the data
  report.html        data against the fitted median and 50 % / 90 % bands, pair plots, traces
```

The directory is written into a temporary folder beside OUT and renamed at the end, so OUT
exists only once complete.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.errors import speaks_python
from hyosan.paths import user_path

if TYPE_CHECKING:
    from hyosan.fit.problem import FitProblem

__all__ = ["FitResult"]


def _finite(data: Any) -> Any:
    # JSON has no NaN or infinity: a figure that is not a number is written as null.
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    if isinstance(data, np.ndarray):
        return _finite(data.tolist())
    if isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


@dataclass
class FitResult:
    """What a fit found: estimates with intervals, samples and diagnostics; the best fit as
    `--set` overrides (`best_overrides()`: `hyosan.simulate(scenario, overrides=...)` runs it)
    and as a scenario file's text (`scenario_toml()`).

    Attributes
    ----------
    method
        "mle", "abc" or "pmmh".
    problem
        The scenario, data and fitted values.
    estimate
        The best values (mle: the maximum; abc, pmmh: the posterior median), in θ order.
    intervals
        Interval ends per value, (p, 2): profile likelihood (mle) or the central credible
        interval at `level` (abc, pmmh).
    samples, weights
        Posterior samples (p columns) and their normalised weights.
    diagnostics
        Method figures (see the module docstring), JSON-ready.
    warnings
        What may make the numbers wrong (see hyosan.fit.checks), as sentences; empty if
        nothing was found.
    """

    method: str
    problem: FitProblem
    estimate: np.ndarray
    intervals: np.ndarray
    level: float
    samples: np.ndarray
    weights: np.ndarray
    diagnostics: dict[str, Any] = field(default_factory=dict)
    per_value: list[dict[str, Any]] = field(default_factory=list)
    sample_columns: dict[str, np.ndarray] = field(default_factory=dict)
    seed: int = 1
    #: What may make the numbers wrong (checks.py): data and horizon apart, an estimate on a
    #: bound, an open interval, a sampler that did not converge. Printed by `hyosan fit`.
    warnings: list[str] = field(default_factory=list)
    #: The method's own outcome (MleOutcome, AbcOutcome, PmmhOutcome), for further analysis.
    outcome: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        # The dataclass's repr printed the data, the scenario and every posterior sample;
        # this says what a reader looks for: the estimates and their intervals.
        values = ", ".join(
            f"{row['key']} {row['estimate']:.4g} [{row['interval'][0]:.4g}, "
            f"{row['interval'][1]:.4g}]"
            for row in self.table()
        )
        warned = f"; {len(self.warnings)} warning(s), see .warnings" if self.warnings else ""
        return (
            f"<FitResult {self.method} of {self.problem.label!r}: {values} "
            f"({self.level * 100:g} % intervals{warned})>"
        )

    @property
    def names(self) -> list[str]:
        """Keys of the fitted values."""
        return self.problem.names

    @property
    def log_likelihood(self) -> float | None:
        """The maximised log-likelihood (mle), else None."""
        return self.diagnostics.get("log_likelihood")

    @property
    def aic(self) -> float | None:
        """Akaike's criterion (mle), else None."""
        return self.diagnostics.get("aic")

    @property
    def bic(self) -> float | None:
        """The Bayesian information criterion (mle), else None."""
        return self.diagnostics.get("bic")

    def table(self) -> list[dict[str, Any]]:
        """One row per fitted value: key, unit, estimate, interval (and more per method)."""
        rows = []
        for i, p in enumerate(self.problem.params):
            row = {
                **p.describe(),
                "estimate": float(self.estimate[i]),
                "interval": [float(self.intervals[i, 0]), float(self.intervals[i, 1])],
            }
            if i < len(self.per_value):
                row.update(self.per_value[i])
            rows.append(row)
        return rows

    def summary(self) -> dict[str, Any]:
        """The contents of fit.json."""
        data = self.problem.data
        return _finite(
            {
                "kind": "fit",
                "method": self.method,
                "scenario": self.problem.label,
                "engine": self.problem.engine,
                "seed": self.seed,
                "data": {
                    "file": data.source,
                    "columns": list(data.columns),
                    "cumulative": [
                        c for c, cum in zip(data.columns, data.cumulative, strict=True) if cum
                    ],
                    "times": int(data.times.size),
                    "observed_values": data.n_observed,
                    "time_unit": data.time_unit,
                },
                "observation": self.problem.observation,
                "level": self.level,
                "interval": "profile likelihood" if self.method == "mle" else "central credible",
                "parameters": self.table(),
                "diagnostics": self.diagnostics,
                "warnings": list(self.warnings),
            }
        )

    def best_overrides(self) -> list[str]:
        """The `--set` overrides of the best fit (the scenario's own horizon kept)."""
        return [
            *self.problem.overrides,
            *(
                p.override(v)
                for p, v in zip(self.problem.params, self.estimate, strict=True)
                if not p.nuisance
            ),
        ]

    def scenario_toml(self) -> str:
        """The scenario with the best fit written in, as TOML that `hyosan run` takes."""
        import tomli_w

        from hyosan.scenario.load import apply_overrides, parse_scenario

        data = tomllib.loads(self.problem.text)
        apply_overrides(data, self.best_overrides())
        text = tomli_w.dumps(data, multiline_strings=True)
        parse_scenario(text, "best fit")  # it must load as it is
        fitted = ", ".join(
            f"{p.key} = {v:.6g}" for p, v in zip(self.problem.params, self.estimate, strict=True)
        )
        return f"# Best fit by hyosan fit ({self.method}): {fitted}.\n" + text

    # --- the directory ----------------------------------------------------------------------

    def posterior_table(self) -> Any:
        """posterior.parquet as a pyarrow Table."""
        import pyarrow as pa

        cols: dict[str, Any] = {
            name: pa.array(self.samples[:, i]) for i, name in enumerate(self.names)
        }
        cols["weight"] = pa.array(self.weights)
        for k, v in self.sample_columns.items():
            cols[k] = pa.array(v)
        return pa.table(cols)

    @speaks_python
    def save(self, out: str | Path, *, force: bool = False, report: bool = True) -> Path:
        """Write the fit directory (see the module docstring) atomically; returns its path."""
        from hyosan.results.publish import publish_output

        # As a run directory: written aside and put in place whole, under OUT's lock, and with
        # `force` replacing only an output directory hyosan wrote (results.publish).
        return publish_output(
            user_path(out), lambda tmp: self.write_into(tmp, report=report), force=force
        )

    def write_into(self, folder: Path, *, report: bool = True) -> None:
        """The fit directory's files, written into the existing `folder` (no lock, not atomic:
        `save` calls it on a hidden folder it then puts in place)."""
        import pyarrow.parquet as pq

        from hyosan.fit.bands import fitted_bands

        (folder / "fit.json").write_text(json.dumps(self.summary(), indent=2) + "\n")
        pq.write_table(self.posterior_table(), folder / "posterior.parquet")
        (folder / "scenario.toml").write_text(self.scenario_toml(), encoding="utf-8")
        bands = fitted_bands(self)
        pq.write_table(bands, folder / "bands.parquet")
        if report:
            from hyosan.fit.report import write_report

            write_report(self, bands, folder / "report.html")

"""Model comparison: several scenarios fitted to the same data, side by side.

- mle: AIC and BIC, their differences to the best, and Akaike weights exp(-ΔAIC/2) / Σ;
- abc: posterior model probabilities, equal prior odds: each model's ABC evidence
  p(distance <= ε | model) at a common ε (the largest of the models' final tolerances, so every
  model has been sampled at least that closely), estimated from its last generation (see
  abc.py), normalised over the models.

pmmh gives no comparison here: its likelihood estimates are noisy per iteration, and a
marginal likelihood would need another sampler.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import logsumexp

from hyosan.errors import speaks_python
from hyosan.fit.errors import FitError, speaks_fit_python
from hyosan.paths import user_path
from hyosan.results.publish import claim_output, publish_output

if TYPE_CHECKING:
    from hyosan.fit.result import FitResult

__all__ = ["Comparison", "compare", "compare_results"]


@dataclass
class Comparison:
    """The fits of several scenarios and the table that compares them."""

    method: str
    results: list[FitResult]
    rows: list[dict[str, Any]]

    @property
    def best(self) -> FitResult:
        """The fit with the lowest AIC (mle) or the highest probability (abc)."""
        key = "aic" if self.method == "mle" else "probability"
        values = [r[key] for r in self.rows]
        i = int(np.argmin(values)) if self.method == "mle" else int(np.argmax(values))
        return self.results[i]

    def summary(self) -> dict[str, Any]:
        """comparison.json."""
        from hyosan.fit.result import _finite

        return _finite({"kind": "fit-comparison", "method": self.method, "models": self.rows})

    @speaks_python
    def save(self, out: str | Path, *, force: bool = False, report: bool = True) -> Path:
        """OUT/comparison.json, comparison.html and one fit directory per scenario."""
        from hyosan.fit.report import comparison_html

        def build(tmp: Path) -> None:
            for row, result in zip(self.rows, self.results, strict=True):
                (tmp / row["folder"]).mkdir()
                result.write_into(tmp / row["folder"], report=report)
            (tmp / "comparison.json").write_text(json.dumps(self.summary(), indent=2) + "\n")
            (tmp / "comparison.html").write_text(
                comparison_html(self.rows, f"hyosan fit: model comparison ({self.method})")
            )

        return publish_output(user_path(out), build, force=force)


def _folder(i: int, name: str) -> str:
    # A plain folder name: the scenario's name may hold anything, a slash included.
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:60] or "scenario"
    return f"{i + 1}-{clean}"


def compare_results(results: Sequence[FitResult]) -> Comparison:
    """The comparison table of fits already made (all by the same method, on the same data)."""
    methods = {r.method for r in results}
    if len(methods) != 1:
        raise FitError(f"cannot compare fits made by different methods: {sorted(methods)}")
    method = methods.pop()
    base = []
    for i, r in enumerate(results):
        base.append(
            {
                "scenario": r.problem.label,
                "folder": _folder(i, r.problem.scenario.name),
                "parameters": len(r.names),
                **{f"estimate {k}": float(v) for k, v in zip(r.names, r.estimate, strict=True)},
            }
        )
    first = results[0].problem.data
    for r in results[1:]:
        d = r.problem.data
        same = d.times.shape == first.times.shape and np.allclose(d.times, first.times)
        same = same and np.array_equal(d.values, first.values, equal_nan=True)
        if not same:
            raise FitError("model comparison needs the same data for every scenario")
    if method == "mle":
        aic = np.array([r.aic for r in results], dtype=float)
        bic = np.array([r.bic for r in results], dtype=float)
        w = np.exp(-(aic - aic.min()) / 2)
        w /= w.sum()
        for row, r, a, b, wi in zip(base, results, aic, bic, w, strict=True):
            row.update(
                log_likelihood=r.log_likelihood,
                aic=float(a),
                bic=float(b),
                delta_aic=float(a - aic.min()),
                delta_bic=float(b - bic.min()),
                akaike_weight=float(wi),
            )
        return Comparison(method, list(results), base)
    if method == "abc":
        outcomes = [r.outcome for r in results]
        eps = max(o.epsilon for o in outcomes)
        logz = np.array([o.log_evidence(eps) for o in outcomes])
        prob = np.exp(logz - logsumexp(logz)) if np.isfinite(logz).any() else logz * 0
        for row, o, lz, p in zip(base, outcomes, logz, prob, strict=True):
            row.update(
                epsilon=eps,
                own_epsilon=o.epsilon,
                log_evidence=float(lz) if math.isfinite(lz) else None,
                probability=float(p),
            )
        return Comparison(method, list(results), base)
    raise FitError("model comparison is made by mle (AIC, BIC) or abc (model probabilities)")


@speaks_fit_python
def compare(
    scenarios: Sequence[Any] | str | Path,
    data: Any = None,
    *,
    out: str | Path | None = None,
    force: bool = False,
    report: bool = True,
    **kwargs: Any,
) -> Comparison:
    """Fit each scenario to the same data (same arguments as `fit`) and compare them.

    `scenarios` are files, built-in names or Scenarios, two or more (one string or path is one
    scenario, and is refused as too few).
    """
    from hyosan.fit.api import fit
    from hyosan.scenario.schema import Scenario

    if isinstance(scenarios, str | Path | Scenario):
        scenarios = [scenarios]
    if len(scenarios) < 2:
        raise FitError(f"model comparison needs two scenarios or more; got {len(scenarios)}")
    with contextlib.ExitStack() as hold:
        if out is not None:  # refused before any work, as a single fit's OUT (fit.api)
            hold.enter_context(claim_output(user_path(out), force=force))
        results = [fit(s, data, **kwargs) for s in scenarios]
        comparison = compare_results(results)
        if out is not None:
            comparison.save(out, force=force, report=report)
    return comparison

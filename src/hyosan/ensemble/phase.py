"""The phase plot of a sweep: an outcome's probability against one or two parameters.

One parameter: the estimate with its Wilson 95 % interval as error bars, and the value where
the estimate crosses one half (a linear interpolation between the two points around it), which
for P(humans win) against the kill-to-bite ratio marks the critical value. Two parameters: a
heat map of the estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.display import counted
from hyosan.reports.plaintext import plain_log_ticks, plain_text

if TYPE_CHECKING:
    from hyosan.ensemble.vary import Axis

__all__ = ["half_crossing", "phase_plot"]

_TITLES = {
    "p_humans_win": "P(humans win)",
    "p_overrun": "P(overrun within the horizon)",
    "p_overrun_within": "P(overrun within {within})",
}


def half_crossing(x: np.ndarray, p: np.ndarray) -> float | None:
    """Where `p` first crosses 0.5 between neighbouring points, by linear interpolation."""
    for i in range(len(x) - 1):
        lo, hi = p[i] - 0.5, p[i + 1] - 0.5
        if lo == 0:
            return float(x[i])
        if lo * hi < 0:
            return float(x[i] + (x[i + 1] - x[i]) * lo / (lo - hi))
    if len(p) and p[-1] == 0.5:
        return float(x[-1])
    return None


def _estimates(summary: dict[str, Any], outcome: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [entry[outcome] for entry in summary["per_point"]]
    est = np.array([np.nan if r["estimate"] is None else r["estimate"] for r in rows])
    low = np.array([np.nan if r["low"] is None else r["low"] for r in rows])
    high = np.array([np.nan if r["high"] is None else r["high"] for r in rows])
    return est, low, high


@plain_text
def phase_plot(
    summary: dict[str, Any], axes: list[Axis], path: Path, *, outcome: str = "p_humans_win"
) -> Path:
    """Write the phase plot of a sweep as a PNG.

    Parameters
    ----------
    summary
        The sweep's summary.json content (its `per_point` entries, in grid order).
    axes
        The sweep's one or two axes.
    path
        The PNG to write.
    outcome
        "p_humans_win", "p_overrun" or "p_overrun_within".
    """
    # A Figure of its own, not pyplot's (savefig draws it with Agg): a sweep run from a
    # notebook leaves the notebook's backend alone.
    from matplotlib.figure import Figure

    est, low, high = _estimates(summary, outcome)
    within = summary.get("within_s")
    title = _TITLES[outcome].format(within=f"{within / 3600:g} h" if within else "the horizon")
    runs = summary["replicates"]
    fig = Figure(figsize=(7, 4.8), dpi=110)
    ax = fig.add_subplot()
    if len(axes) == 1:
        x = np.array(axes[0].values)
        ax.errorbar(
            x,
            est,
            yerr=[est - low, high - est],
            fmt="o-",
            capsize=3,
            label=f"estimate, Wilson 95 % interval ({counted(runs, 'runs per point')})",
        )
        crit = half_crossing(x, est)
        if crit is not None:
            ax.axvline(crit, color="0.4", linestyle="--", label=f"crosses 0.5 at {crit:.4g}")
        ax.set_xlabel(axes[0].label)
        ax.set_ylabel(title)
        ax.set_ylim(-0.03, 1.03)
        if axes[0].log:
            ax.set_xscale("log")
            plain_log_ticks(ax.xaxis)
        ax.legend(loc="best", fontsize="small")
        ax.grid(alpha=0.3)
    else:
        xa, ya = axes[1], axes[0]  # the first axis varies slowest: rows
        z = est.reshape(len(ya.values), len(xa.values))
        mesh = ax.pcolormesh(
            _edges(np.array(xa.values), xa.log),
            _edges(np.array(ya.values), ya.log),
            z,
            vmin=0.0,
            vmax=1.0,
            cmap="viridis",
            shading="flat",
        )
        fig.colorbar(mesh, ax=ax, label=title)
        ax.set_xlabel(xa.label)
        ax.set_ylabel(ya.label)
        if xa.log:
            ax.set_xscale("log")
            plain_log_ticks(ax.xaxis)
        if ya.log:
            ax.set_yscale("log")
            plain_log_ticks(ax.yaxis)
    ax.set_title(f"{summary['scenario']}: {title}")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def _edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around each value (half way between neighbours; in the log if log)."""
    v = np.log(values) if log else values.astype(float)
    if len(v) == 1:
        edges = (
            np.array([v[0] - 0.5, v[0] + 0.5]) if not log else np.array([v[0] - 0.1, v[0] + 0.1])
        )
    else:
        mid = (v[1:] + v[:-1]) / 2
        edges = np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
    return np.exp(edges) if log else edges

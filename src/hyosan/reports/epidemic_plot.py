"""The epidemic chart of a run: incidence of each reaction per unit of time, and R_t.

Drawn from incidence.parquet (results.epidemic) in the run's one display unit: the top panel
the number of each reaction per unit of time in each interval between recorded times (new
infections in black), the bottom panel R_t with the line R = 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.plaintext import plain_text
from hyosan.reports.plots import as_data, time_title, unit_seconds
from hyosan.reports.rundata import RunData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_epidemic"]

_UNIT_NAMES = {"s": "second", "min": "minute", "h": "hour", "d": "day"}


@plain_text
def plot_epidemic(source: Any) -> Figure | None:
    """Incidence per unit of time of each reaction, and R_t, of one run; None if the run has
    no incidence (a run directory written before hyosan counted reactions).

    `source` is a Result, a RunData or a run directory.
    """
    from hyosan.reports.figure import InlineFigure

    run = as_data(source)
    if not isinstance(run, RunData) or run.incidence is None or run.incidence.num_rows < 2:
        return None
    table = run.incidence
    unit = run.display_unit
    t = table.column("t").to_numpy() / unit_seconds(unit)
    width = np.diff(t)
    ok = width > 0
    mid = ((t[1:] + t[:-1]) / 2)[ok]
    fig = InlineFigure(figsize=(8, 5.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    names = [c.removeprefix("new_") for c in table.column_names if c.startswith("new_")]
    infections = table.column("new_infections").to_numpy()
    for name in names:
        new = table.column(f"new_{name}").to_numpy()
        per = new[1:][ok] / width[ok]
        if name == "infections":
            top.plot(mid, per, color="black", lw=1.6, label="new infections")
        elif np.any(per > 0) and not np.array_equal(new, infections):
            # (The one infecting reaction of a model is the black line already.)
            top.plot(mid, per, lw=0.9, label=name)
    top.set_ylabel(f"per {_UNIT_NAMES.get(unit, unit)}")
    top.set_title(f"{run.name}: incidence ({run.engine}, seed {run.seed})")
    top.grid(alpha=0.3)
    top.legend(loc="best", fontsize="small")
    r_t = table.column("R_t").to_numpy()[1:][ok]
    method = (table.schema.metadata or {}).get(b"R_t_method", b"").decode()
    finite = np.isfinite(r_t)
    bottom.plot(
        mid[finite], r_t[finite], color="#7a1f1f", lw=1.0, marker="." if finite.sum() < 60 else None
    )
    bottom.axhline(1.0, color="grey", lw=0.8, ls="--")
    bottom.set_ylabel("R_t" + (f" ({method})" if method else ""))
    if finite.any():
        high = float(np.nanpercentile(r_t[finite], 98))
        bottom.set_ylim(0.0, max(1.5, 1.15 * high))
    bottom.set_xlabel(time_title(unit, run.clock_start_s))
    bottom.grid(alpha=0.3)
    bottom.set_xlim(float(t[0]), float(t[-1]))
    return fig

"""report.html: a self-contained page with the fit's figures as embedded PNGs.

Drawn as every hyosan picture is: on Figures of their own (no pyplot, so nothing global
changes in the caller's session) and with the users' names as plain text (plaintext.py).

Data against the fitted median and 50 % / 90 % bands, one panel per observed column; pair
plots of the posterior (weighted points, with the truth-free estimate marked); traces of the
chains (pmmh) or the tolerance by generation (abc); and the table of fitted values.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.plaintext import plain_log_ticks, plain_text

if TYPE_CHECKING:
    from hyosan.fit.result import FitResult

__all__ = ["comparison_html", "write_report"]


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _figure(figsize: tuple[float, float]) -> Any:
    """A Figure of its own, not pyplot's: saving a fit from a notebook leaves its backend and
    its figures alone."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


@plain_text
def _bands_figure(result: FitResult, bands: Any) -> str:
    cols = result.problem.data.columns
    fig = _figure((5 * len(cols), 3.6))
    axes = fig.subplots(1, len(cols), squeeze=False)
    table = bands.to_pydict()
    col_arr = np.array(table["column"])
    for ax, col in zip(axes[0], cols, strict=True):
        m = col_arr == col
        t = np.array(table["t"])[m]
        q = {k: np.array(table[k], dtype=float)[m] for k in ("q05", "q25", "q50", "q75", "q95")}
        ax.fill_between(t, q["q05"], q["q95"], alpha=0.2, color="C0", label="90 %")
        ax.fill_between(t, q["q25"], q["q75"], alpha=0.35, color="C0", label="50 %")
        ax.plot(t, q["q50"], color="C0", label="median")
        ax.plot(t, np.array(table["observed"], dtype=float)[m], "o", color="k", ms=3, label="data")
        ax.set_title(col)
        ax.set_xlabel(f"t ({result.problem.data.time_unit})")
    axes[0][0].legend(loc="best", fontsize=8)
    return _png(fig)


@plain_text
def _pairs_figure(result: FitResult) -> str:
    p = len(result.names)
    fig = _figure((2.6 * p, 2.6 * p))
    axes = fig.subplots(p, p, squeeze=False)
    s, w = result.samples, result.weights
    size = 4 + 40 * w / w.max()
    for i in range(p):
        for j in range(p):
            ax = axes[i][j]
            if i == j:
                ax.hist(s[:, i], bins=30, weights=w, color="C0")
            else:
                ax.scatter(s[:, j], s[:, i], s=size, alpha=0.3, color="C0", lw=0)
                ax.plot(result.estimate[j], result.estimate[i], "x", color="C3")
            if i == p - 1:
                ax.set_xlabel(result.names[j], fontsize=8)
            if j == 0:
                ax.set_ylabel(result.names[i], fontsize=8)
    return _png(fig)


@plain_text
def _trace_figure(result: FitResult) -> str | None:
    if result.method == "pmmh":
        chain = result.sample_columns["chain"]
        p = len(result.names)
        fig = _figure((9, 2.2 * p))
        axes = fig.subplots(p, 1, squeeze=False)
        for i in range(p):
            for c in np.unique(chain):
                axes[i][0].plot(result.samples[chain == c, i], lw=0.6)
            axes[i][0].set_ylabel(result.names[i], fontsize=8)
        axes[-1][0].set_xlabel("iteration (after burn-in)")
        return _png(fig)
    if result.method == "abc":
        from matplotlib.ticker import MaxNLocator

        gens = result.diagnostics.get("generations", [])
        eps = [g["epsilon"] for g in gens if g.get("epsilon") is not None]
        if not eps:
            return None
        fig = _figure((6, 3))
        ax = fig.subplots()
        ax.plot(range(1, len(eps) + 1), eps, "o-")
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        ax.set_xlabel("generation")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no generation 2.5
        kernel = gens[-1].get("kernel", "distance")
        ax.set_ylabel("temperature T" if kernel == "likelihood" else "tolerance ε")
        return _png(fig)
    return None


def _rows(result: FitResult) -> str:
    out = []
    for row in result.table():
        lo, hi = row["interval"]
        out.append(
            f"<tr><td>{html.escape(row['key'])}</td><td>{html.escape(str(row['unit'] or ''))}</td>"
            f"<td>{row['estimate']:.6g}</td><td>[{lo:.6g}, {hi:.6g}]</td></tr>"
        )
    return "\n".join(out)


def write_report(result: FitResult, bands: Any, path: Path) -> None:
    """Write the report page for one fit."""
    figures = [("Data and the fitted model", _bands_figure(result, bands))]
    figures.append(
        (
            "Posterior pairs"
            if result.method != "mle"
            else "Approximate posterior (normal at the estimate)",
            _pairs_figure(result),
        )
    )
    trace = _trace_figure(result)
    if trace is not None:
        figures.append(("Traces" if result.method == "pmmh" else "Tolerance by generation", trace))
    diag = {
        k: v for k, v in result.summary()["diagnostics"].items() if not isinstance(v, list | dict)
    }
    body = [
        f"<h1>hyosan fit: {html.escape(result.problem.label)} ({result.method})</h1>",
        f"<p>Data: {html.escape(result.problem.data.source)}; observation model "
        f"{result.problem.observation}; intervals at {result.level:.0%}.</p>",
        "<table><tr><th>value</th><th>unit</th><th>estimate</th><th>interval</th></tr>",
        _rows(result),
        "</table>",
        "<h2>Diagnostics</h2><table>",
        *(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
            for k, v in diag.items()
        ),
        "</table>",
        *(
            f'<h2>{html.escape(t)}</h2><img alt="{html.escape(t)}" src="{src}">'
            for t, src in figures
        ),
    ]
    path.write_text(_page(f"hyosan fit: {result.problem.label}", "\n".join(body)), encoding="utf-8")


def comparison_html(rows: list[dict[str, Any]], title: str) -> str:
    """A page with the model comparison table."""
    keys = list(rows[0]) if rows else []
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r[k]))}</td>" for k in keys) + "</tr>"
        for r in rows
    )
    return _page(title, f"<h1>{html.escape(title)}</h1><table><tr>{head}</tr>{body}</table>")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _page(title: str, body: str) -> str:
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
        "img{max-width:100%}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{body}</body></html>\n"
    )

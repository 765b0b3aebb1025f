"""report.html: a self-contained page with the fit's figures as embedded PNGs.

Drawn as every hyosan picture is: on Figures of their own (no pyplot, so nothing global
changes in the caller's session) and with the users' names as plain text (plaintext.py).

Data against the fitted median and 50 % / 90 % bands, one panel per observed column; pair
plots of the posterior (weighted points, with the truth-free estimate marked); traces of the
chains (pmmh) or the tolerance by generation (abc); and the table of fitted values. Every axis
says what it measures and in what unit (people, the data's time unit, a fitted value's own
unit where it has one), so that a picture copied out of the page still reads.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.reports.plaintext import plain_log_ticks, plain_text
from hyosan.scenario.units import UNIT_NAMES, plain_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hyosan.fit.parameters import FitParameter
    from hyosan.fit.result import FitResult

__all__ = [
    "bands_figure",
    "comparison_html",
    "pairs_figure",
    "parameter_label",
    "trace_figure",
    "write_report",
]


@plain_text  # drawn with the fonts the figure was made with (Hangul names), quietly
def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _figure(figsize: tuple[float, float]) -> Any:
    """A Figure of its own, not pyplot's: saving a fit from a notebook leaves its backend and
    its figures alone."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def parameter_label(param: FitParameter) -> str:
    """A fitted value's axis label with its unit where one is known: a rate per its unit of
    time, a duration in its unit, an initial count or the normal model's spread in people.
    A plain number of unknown meaning (and the negative binomial's k) gets none rather than a
    guessed one."""
    if param.kind in ("rate", "duration"):
        return param.label
    # Initial values are head counts of a compartment, and the normal model's sigma is the
    # spread of the observed counts: both are numbers of people.
    if param.key.startswith("initial.") or param.key == "obs.sigma":
        return f"{param.key} (people)"
    return param.key


def _time_label(unit: str) -> str:
    return f"time ({UNIT_NAMES.get(unit, unit)})"


def _count_label(cumulative: bool) -> str:
    # The data are head counts; a cumulative column counts everyone who ever entered the
    # compartment or state, which reads differently from the present count.
    return "people who entered so far" if cumulative else "people"


def _distance_label(result: FitResult) -> str:
    """The ABC tolerance's axis label with its unit (abc.abc_distance): a root mean square of
    differences of √(count + 3/8), in √people, or of counts over each column's spread (the
    normal model), which has no unit."""
    if result.problem.observation == "normal":
        return "tolerance ε (RMS difference in data s.d.)"
    return "tolerance ε (RMS of √(count + 3/8), √people)"


def _column_title(result: FitResult, column: str) -> str:
    """An observed column in the model's words: "human (S)" for compartment S, whose state is
    human; a column that names a state already is that state."""
    comps = result.problem.scenario.model.compartments
    spec = comps.get(column) if isinstance(comps, dict) else None
    state = getattr(spec, "state", None)
    return f"{state} ({column})" if isinstance(state, str) and state != column else column


@plain_text
def bands_figure(result: FitResult, bands: Any) -> Figure:
    """Data against the fitted median and its 50 % and 90 % bands, a panel per observed
    column: counts of people against time in the data's unit."""
    data = result.problem.data
    cols = data.columns
    fig = _figure((5 * len(cols), 3.6))
    axes = fig.subplots(1, len(cols), squeeze=False)
    table = bands.to_pydict()
    col_arr = np.array(table["column"])
    for ax, col, cumulative in zip(axes[0], cols, data.cumulative, strict=True):
        m = col_arr == col
        t = np.array(table["t"])[m]
        q = {k: np.array(table[k], dtype=float)[m] for k in ("q05", "q25", "q50", "q75", "q95")}
        ax.fill_between(t, q["q05"], q["q95"], alpha=0.2, color="C0", label="90 %")
        ax.fill_between(t, q["q25"], q["q75"], alpha=0.35, color="C0", label="50 %")
        ax.plot(t, q["q50"], color="C0", label="median")
        ax.plot(t, np.array(table["observed"], dtype=float)[m], "o", color="k", ms=3, label="data")
        title = _column_title(result, col)
        ax.set_title(f"{title} (cumulative)" if cumulative else title)
        ax.set_xlabel(_time_label(data.time_unit))
        ax.set_ylabel(_count_label(cumulative))
    axes[0][0].legend(loc="best", fontsize=8)
    return fig


@plain_text
def pairs_figure(result: FitResult) -> Figure:
    """Pair plots of the posterior: each value's weighted histogram on the diagonal, each pair
    of values as weighted points elsewhere, the estimate marked. Every panel names both its
    axes, with units, so that a panel read alone still says what it shows."""
    from matplotlib.ticker import MaxNLocator

    labels = [parameter_label(p) for p in result.problem.params]
    p = len(labels)
    # Panels wide enough for their numbers: at 2.9 in with 7-point text, the x ticks of a
    # rate near 0.01 ran together ("0.009250.009500.00975").
    side = 4.2 if p <= 2 else 3.4
    fig = _figure((side * p, side * p))
    axes = fig.subplots(p, p, squeeze=False)
    s, w = result.samples, result.weights
    size = 4 + 40 * w / w.max()
    for i in range(p):
        for j in range(p):
            ax = axes[i][j]
            if i == j:
                ax.hist(s[:, i], bins=30, weights=w, color="C0")
                # The weights sum to one: a bar's height is the posterior's share in its bin.
                ax.set_ylabel("posterior share per bin", fontsize=8)
            else:
                ax.scatter(s[:, j], s[:, i], s=size, alpha=0.3, color="C0", lw=0)
                ax.plot(result.estimate[j], result.estimate[i], "x", color="C3")
                ax.set_ylabel(labels[i], fontsize=8)
            ax.set_xlabel(labels[j], fontsize=8)
            ax.tick_params(labelsize=8)
            # A few ticks, turned, so that long decimals never meet.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.tick_params(axis="x", labelrotation=30)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
    fig.set_layout_engine("constrained")
    return fig


@plain_text
def trace_figure(result: FitResult) -> Figure | None:
    """The chains' traces (pmmh) or the tolerance by generation (abc); None for mle."""
    if result.method == "pmmh":
        chain = result.sample_columns["chain"]
        params = result.problem.params
        fig = _figure((9, 2.4 * len(params)))
        axes = fig.subplots(len(params), 1, squeeze=False)
        for i, param in enumerate(params):
            for c in np.unique(chain):
                axes[i][0].plot(result.samples[chain == c, i], lw=0.6)
            axes[i][0].set_ylabel(parameter_label(param), fontsize=8)
            axes[i][0].set_xlabel("iteration (after burn-in)", fontsize=8)
        fig.set_layout_engine("constrained")
        return fig
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
        ax.set_xlabel("generation (number)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no generation 2.5
        kernel = gens[-1].get("kernel", "distance")
        # The likelihood kernel's temperature divides a log-likelihood: a pure number.
        ax.set_ylabel(
            "temperature T (no unit)" if kernel == "likelihood" else _distance_label(result)
        )
        return fig
    return None


def _value(x: float) -> str:
    """A fitted value to four significant figures, as the terminal gives it ("0.009738"),
    without scientific notation down to 0.001 (a smaller rate keeps its exponent rather than
    reading "below 0.001")."""
    if x == 0 or not np.isfinite(x) or abs(x) >= 0.001:
        return plain_number(x)
    return f"{x:.4g}"


def _interval_names(result: FitResult) -> list[str]:
    """The interval columns' headings, saying which interval: "95 % profile likelihood",
    and for mle the Fisher interval beside it, as the terminal has them."""
    level = f"{result.level * 100:g} %"
    if result.method == "mle":
        return [f"{level} profile likelihood", f"{level} Fisher (normal approximation)"]
    return [f"{level} central credible"]


def _rows(result: FitResult) -> str:
    out = []
    for row in result.table():
        spans = [row["interval"]]
        if result.method == "mle" and "fisher_interval" in row:
            spans.append(row["fisher_interval"])
        cells = "".join(f"<td>[{_value(lo)}, {_value(hi)}]</td>" for lo, hi in spans)
        out.append(
            f"<tr><td>{html.escape(row['key'])}</td><td>{html.escape(str(row['unit'] or ''))}</td>"
            f"<td>{_value(row['estimate'])}</td>{cells}</tr>"
        )
    return "\n".join(out)


#: Diagnostics in words; a key not listed reads with spaces for its underscores.
_DIAGNOSTICS = {
    "log_likelihood": "log-likelihood",
    "aic": "AIC",
    "bic": "BIC",
    "n_observed": "observations",
    "n_parameters": "fitted values",
    "evaluations": "model evaluations",
    "starts": "optimiser starts",
    "wall_s": "wall time",
    "ess": "effective sample size",
    "ess_min": "smallest effective sample size",
    "rhat_max": "largest R-hat",
    "epsilon": "final tolerance ε",
}


def _diagnostic(key: str, value: Any) -> tuple[str, str]:
    """(name, value) of one diagnostic for a reader: "wall time", "9.171 s";
    "log-likelihood", "-105.2"; counts with thousands separators."""
    name = _DIAGNOSTICS.get(key, key.replace("_", " "))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return name, str(value)
    text = f"{value:,}" if isinstance(value, int) else _value(float(value))
    return name, f"{text} s" if key == "wall_s" else text


def write_report(result: FitResult, bands: Any, path: Path) -> None:
    """Write the report page for one fit."""
    figures = [("Data and the fitted model", _png(bands_figure(result, bands)))]
    figures.append(
        (
            "Posterior pairs"
            if result.method != "mle"
            else "Approximate posterior (normal at the estimate)",
            _png(pairs_figure(result)),
        )
    )
    trace = trace_figure(result)
    if trace is not None:
        figures.append(
            ("Traces" if result.method == "pmmh" else "Tolerance by generation", _png(trace))
        )
    diag = {
        k: v for k, v in result.summary()["diagnostics"].items() if not isinstance(v, list | dict)
    }
    body = [
        f"<h1>hyosan fit: {html.escape(result.problem.label)} ({result.method})</h1>",
        f"<p>Data: {html.escape(result.problem.data.source)}; observation model "
        f"{result.problem.observation}; intervals at {result.level:.0%}.</p>",
        "<table><tr><th>value</th><th>unit</th><th>estimate</th>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in _interval_names(result))
        + "</tr>",
        _rows(result),
        "</table>",
        "<h2>Diagnostics</h2><table>",
        *(
            "<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in _diagnostic(k, v)) + "</tr>"
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

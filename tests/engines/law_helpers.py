"""χ² against an exact law, shared by the engines' theory tests: cells are pooled left to
right until each expects at least 5 runs, so that the χ² approximation holds."""

from __future__ import annotations

from collections.abc import Iterable

from scipy import stats


def pooled_cells(
    observed: Iterable[float], expected: Iterable[float]
) -> tuple[list[float], list[float]]:
    """Observed and expected counts with neighbouring cells pooled until each expects >= 5
    (what is left at the end joins the last pooled cell)."""
    pooled_o: list[float] = []
    pooled_e: list[float] = []
    o_acc = e_acc = 0.0
    for o, e in zip(observed, expected, strict=True):
        o_acc, e_acc = o_acc + float(o), e_acc + float(e)
        if e_acc >= 5:
            pooled_o.append(o_acc)
            pooled_e.append(e_acc)
            o_acc = e_acc = 0.0
    pooled_o[-1] += o_acc
    pooled_e[-1] += e_acc
    return pooled_o, pooled_e


def pooled_chisquare_p(observed: Iterable[float], expected: Iterable[float]) -> float:
    """χ² p-value of observed against expected counts, after pooling (`pooled_cells`)."""
    return float(stats.chisquare(*pooled_cells(observed, expected)).pvalue)

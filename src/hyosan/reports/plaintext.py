"""Names go into plots as plain text: matplotlib's mathtext is off while hyosan draws.

A scenario's name (or a state's, a parameter's) is the user's text. Matplotlib reads any text
with two `$` as mathtext, so `$\\frac{1}{$` in a scenario's name made every plot raise a
ParseSyntaxException and the run lose its report (issue 18). A Text keeps the `parse_math` it
was created with, so creating every figure's text under `text.parse_math = False` is enough.
Log axes are the one place matplotlib itself writes mathtext (powers of ten, "$10^{3}$"): with
mathtext off those labels came out as their source, so they are written as plain numbers
(`plain_log_ticks`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

__all__ = ["plain_log_ticks", "plain_text"]

P = ParamSpec("P")
R = TypeVar("R")


def plain_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that draws with matplotlib: its text is never read as mathtext."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return wrapper


def plain_log_ticks(axis: Any) -> None:
    """A log (or symlog) axis's ticks as plain text ("0.001", "20", "1000"), not mathtext
    powers of ten: the labels read as the numbers the user typed, and need no math font."""
    from matplotlib.ticker import LogFormatter

    class PlainLog(LogFormatter):
        # matplotlib's own choice of which ticks to label (minor ones too over a narrow
        # range), each written as the number itself: "0.001", "20".
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            return f"{x:g}"

    axis.set_major_formatter(PlainLog())
    axis.set_minor_formatter(PlainLog(labelOnlyBase=False))

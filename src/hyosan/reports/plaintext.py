"""Names go into plots as plain text: matplotlib's mathtext is off while hyosan draws.

A scenario's name (or a state's, a parameter's) is the user's text. Matplotlib reads any text
with two `$` as mathtext, so `$\\frac{1}{$` in a scenario's name made every plot raise a
ParseSyntaxException and the run lose its report (issue 18). A Text keeps the `parse_math` it
was created with, so creating every figure's text under `text.parse_math = False` is enough;
nothing hyosan draws needs mathtext.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["plain_text"]

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

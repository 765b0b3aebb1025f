"""Names go into plots as plain text: matplotlib's mathtext is off while hyosan draws.

A scenario's name (or a state's, a parameter's) is the user's text. Matplotlib reads any text
with two `$` as mathtext, so `$\\frac{1}{$` in a scenario's name made every plot raise a
ParseSyntaxException and the run lose its report (issue 18). A Text keeps the `parse_math` it
was created with, so creating every figure's text under `text.parse_math = False` is enough.
Log axes are the one place matplotlib itself writes mathtext (powers of ten, "$10^{3}$"): with
mathtext off those labels came out as their source, so they are written as plain numbers
(`plain_log_ticks`).

Names may be in any script: a Korean fan writes the show's characters in Hangul. While hyosan
draws, fonts that carry Hangul (and the other CJK scripts) follow matplotlib's own in the
family list, where the machine has them, so that matplotlib falls back to them glyph by glyph;
a glyph no font has is drawn as a box without one warning per glyph (the report's page shows
every name as written).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

__all__ = ["plain_linear_ticks", "plain_log_ticks", "plain_text", "plain_tick", "quiet_glyphs"]

#: Fonts with Hangul (and other CJK) glyphs, used where installed.
_CJK_FONTS = (
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "NanumGothic",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
)

P = ParamSpec("P")
R = TypeVar("R")


def plain_text(draw: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that draws with matplotlib: its text is never read as mathtext."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        with (
            matplotlib.rc_context(
                {"text.parse_math": False, "font.sans-serif": _sans_serif_fonts()}
            ),
            quiet_glyphs(),
        ):
            return draw(*args, **kwargs)

    return wrapper


@functools.cache
def _sans_serif_fonts() -> list[str]:
    # matplotlib's list, then the installed fonts of _CJK_FONTS (looked up once a process).
    from matplotlib import font_manager, rcParams

    installed = {font.name for font in font_manager.fontManager.ttflist}
    own = list(rcParams["font.sans-serif"])
    return own + [name for name in _CJK_FONTS if name in installed and name not in own]


@contextmanager
def quiet_glyphs() -> Iterator[None]:
    """Within the block, matplotlib does not warn of each glyph its fonts lack."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning
        )
        yield


def plain_tick(x: float, words: bool = True) -> str:
    """A tick as people write it, in one style from the smallest to the largest: "0.001",
    "20", "100,000", "1 million", "200 million" (never "1e+06" beside "100000"); without
    `words`, large ones in full ("2,000,000"), as a linear axis's neighbours are."""
    import numpy as np

    from hyosan.scenario.units import plain_number

    if words and abs(x) >= 1e6:
        return plain_number(x)
    if float(x).is_integer():
        return f"{x:,.0f}" if x != 0 else "0"  # (not "-0")
    return str(np.format_float_positional(x, precision=6, unique=True, trim="-"))


def plain_linear_ticks(axis: Any) -> None:
    """A linear axis's ticks in full with thousands separators ("250,000", "2,000,000"), not
    matplotlib's "2.00" under a "1e6" at the axis's end (korea's incidence per day), nor
    "1000000"."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _pos: plain_tick(x, words=False)))


def plain_log_ticks(axis: Any) -> None:
    """A log (or symlog) axis's ticks as plain text ("0.001", "20", "1,000", "1 million"),
    not mathtext powers of ten: the labels read as the numbers the user typed, and need no
    math font."""
    from matplotlib.ticker import LogFormatter

    class PlainLog(LogFormatter):
        # matplotlib's own choice of which ticks to label (minor ones too over a narrow
        # range), each written as the number itself: "0.001", "20" (plain_tick).
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            return plain_tick(x)

    axis.set_major_formatter(PlainLog())
    axis.set_minor_formatter(PlainLog(labelOnlyBase=False))

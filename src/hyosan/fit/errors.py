"""The error `hyosan fit` raises for bad input: the file, column or field, and what is allowed.

Messages and warnings are written in the command line's words (`--time-unit h`, `raise
--generations`); `fit_python_words` says them in the Python API's (`time_unit="h"`, `raise
options={"generations": ...}`), for the fit's entry points (`speaks_fit_python`) and its
warnings (`in_callers_words`) when `hyosan.fit(...)` was called from Python, as
hyosan.errors does for every entry point (its `python_words` does the flags that are named
alike in both).
"""

from __future__ import annotations

import re

from hyosan.errors import HyosanError, on_command_line, python_words, speaking

__all__ = ["FitError", "fit_python_words", "in_callers_words", "speaks_fit_python"]


class FitError(HyosanError):
    """Observed data, a `[fit]` table or a `--fit` flag that cannot be used (exit 2)."""


#: The fit's phrases whose Python counterpart needs other words than the flag's name: the
#: method options are keys of `options`, not arguments.
_PHRASES = (
    ("raise --generations", 'raise options={"generations": ...}'),
    ("raise --iterations", 'raise options={"iterations": ...}'),
    ("(--time-unit, or time_unit in [fit])", "(the time_unit argument, or time_unit in [fit])"),
)
#: A flag with its value (`--time-unit h`, `--method pmmh`): an argument given a string.
_VALUED = re.compile(r"(?<![\w-])--(time-unit|method|engine|observation) ([A-Za-z][\w-]*)\b")


def fit_python_words(message: str) -> str:
    """`message` in the Python API's words: the fit's phrases, then every entry point's."""
    for flag, words in _PHRASES:
        message = message.replace(flag, words)
    message = _VALUED.sub(lambda m: f'{m[1].replace("-", "_")}="{m[2]}"', message)
    return python_words(message)


def in_callers_words(message: str) -> str:
    """`message` as it stands while the command line runs, else in the Python API's words."""
    return message if on_command_line() else fit_python_words(message)


#: A fit entry point, whose errors say the fit's phrases in Python's words and the rest as
#: every entry point's are said (hyosan.errors.speaking).
speaks_fit_python = speaking(fit_python_words)

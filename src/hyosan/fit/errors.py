"""The error `hyosan fit` raises for bad input: the file, column or field, and what is allowed.

Messages and warnings are written in the command line's words (`--time-unit h`, `raise
--generations`); `in_callers_words` says them in the Python API's (`time_unit="h"`, `raise
options={"generations": ...}`) when `hyosan.fit(...)` was called from Python, as
hyosan.errors does for every entry point (its `python_words` does the flags that are named
alike in both).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from hyosan.errors import HyosanError, ScenarioError, on_command_line, python_words

__all__ = ["FitError", "in_callers_words", "speaks_fit_python"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


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


def in_callers_words(message: str) -> str:
    """`message` as it stands while the command line runs, else in the Python API's words."""
    if on_command_line():
        return message
    for flag, words in _PHRASES:
        message = message.replace(flag, words)
    message = _VALUED.sub(lambda m: f'{m[1].replace("-", "_")}="{m[2]}"', message)
    return python_words(message)


def speaks_fit_python(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A fit entry point whose errors say the fit's phrases in Python's words (put it under
    hyosan.errors.speaks_python, which does the rest)."""

    @functools.wraps(function)
    def entry(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except HyosanError as exc:
            if not isinstance(exc, ScenarioError):
                exc.args = tuple(in_callers_words(a) if isinstance(a, str) else a for a in exc.args)
            raise

    return entry

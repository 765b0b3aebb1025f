"""Errors that hyosan reports to its users, with enough context to fix the input.

The commands and the Python API share the checks that raise them, so a message is written
once, in the command line's words ("--out", "(from --set KEY=VALUE)"); an error that leaves
one of the Python API's functions names that function's arguments instead ("out",
"force=True", "(from the override KEY=VALUE)").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeVar

__all__ = [
    "EngineError",
    "HyosanError",
    "Problem",
    "ScenarioError",
    "UnsupportedFeatureError",
    "on_command_line",
    "python_words",
    "speak_command_line",
    "speaking",
    "speaks_python",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class HyosanError(Exception):
    """Base of the errors caused by input; the command line prints them and exits with 2."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is, and what is wrong."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "(top level)"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class ScenarioError(HyosanError):
    """A scenario that cannot be read or is not valid; lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, list[Problem]]]:
        # Rebuilt from its own arguments, not from the rendered message, when it crosses a
        # process boundary: a worker of an ensemble or of scripts/story_checks.py that raises
        # it must hand it back whole, not break its pool.
        return (type(self), (self.source, self.problems))

    def render(self) -> str:
        """The message: the source and how many problems, then one problem a line."""
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''}"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class EngineError(HyosanError):
    """An engine cannot run a scenario as given (for example, fractional counts in ssa)."""


class UnsupportedFeatureError(EngineError):
    """The scenario asks for something the chosen engine does not do."""


# --- the command line's words, or Python's ---------------------------------------------------

#: True while the command line runs: messages keep its flags (--out, --set), which is what
#: most of them are written in, since the commands and the Python API share the code below.
_COMMAND_LINE: ContextVar[bool] = ContextVar("hyosan_command_line", default=False)

#: Whole phrases first, where the flag's Python counterpart needs other words around it.
_PHRASES = (
    ("choose another --out or add --force to replace it",
     "save to another directory, or pass force=True to replace it"),
    ("add --force to discard", "pass force=True to discard"),
    ("give --force to discard", "pass force=True to discard"),
    ("an interrupted --force", "an interrupted force=True"),
    ("--force replaces", "force=True replaces"),
    ("choose another --out", "choose another directory"),
    ("choose a shorter --out", "choose a shorter path"),
    ("(from --set ", "(from the override "),
    ("--set cannot reach", "an override cannot reach"),
    ("the value given with --set", "the override's value"),
    ("e.g. --set ", "e.g. "),
    ("with --data FILE", "with data=FILE"),
)  # fmt: skip

#: A flag's argument in the Python API, where its name is not the flag's own.
_ARGUMENTS = {
    "set": "overrides",
    "force": "force=True",
    "quiet": "quiet=True",
    "no-report": "report=False",
}
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*)\b")


def python_words(message: str) -> str:
    """`message` with the command line's flags said as the Python API's arguments."""
    for flag, words in _PHRASES:
        message = message.replace(flag, words)
    return _FLAG.sub(lambda m: _ARGUMENTS.get(m[1], m[1].replace("-", "_")), message)


def on_command_line() -> bool:
    """Whether the command line is running: messages then name its flags, not Python's
    arguments."""
    return _COMMAND_LINE.get()


def speak_command_line() -> Callable[[], None]:
    """From now on, errors keep the command line's words (hyosan.cli); call what it returns
    to go back."""
    token = _COMMAND_LINE.set(True)
    return lambda: _COMMAND_LINE.reset(token)


def speaking(
    words: Callable[[str], str],
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """A decorator of Python entry points whose HyosanErrors are said with `words` (a message in
    the command line's words, said in the Python API's), unless the command line called them.
    `python_words` does the flags every entry point shares; an entry point with flags of its
    own (hyosan.fit's method options, run_sample's figure) gives a function that says those
    and then calls `python_words`."""

    def decorate(function: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(function)
        def entry(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return function(*args, **kwargs)
            except HyosanError as exc:
                if _COMMAND_LINE.get():
                    raise
                if isinstance(exc, ScenarioError):
                    exc.problems = [replace(p, message=words(p.message)) for p in exc.problems]
                    exc.args = (exc.render(),)
                else:
                    exc.args = tuple(words(a) if isinstance(a, str) else a for a in exc.args)
                raise

        return entry

    return decorate


def speaks_python(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A Python entry point whose HyosanErrors name its arguments, not the command line's
    flags (unless the command line called it)."""
    return speaking(python_words)(function)

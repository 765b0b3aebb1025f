"""Errors that hyosan reports to its users, with enough context to fix the input."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EngineError", "HyosanError", "Problem", "ScenarioError", "UnsupportedFeatureError"]


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

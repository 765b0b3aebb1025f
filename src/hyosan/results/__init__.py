"""Results of runs: the Result type, derived metrics and run directories."""

from hyosan.results.result import Result

__all__ = ["Result"]

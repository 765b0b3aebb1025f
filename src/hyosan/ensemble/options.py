"""How many runs execute, and where their directory goes: two option objects.

`hyosan run --runs`, `hyosan sweep` and `hyosan compare` pass the same options through every
layer (the command line, the commands, the public API, the driver). Each layer takes these two
objects instead of six loose keywords, so an option added here reaches every layer at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hyosan.paths import user_path

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["Execution", "Output"]


@dataclass(frozen=True)
class Execution:
    """Where the runs execute. The results are the same whatever is chosen.

    Local worker processes (the default) start by importing your script, as Python's
    multiprocessing does: in a script, start the runs under `if __name__ == "__main__":`,
    or every worker would start them again (it is refused, naming the guard). A notebook, a
    thread pool as `executor`, or `workers=1` needs no guard.

    Attributes
    ----------
    workers
        Local worker processes (default: one per core; 1 runs in this process). With an
        `executor`, how many runs it executes at once (default: its own workers, or a Dask
        executor's worker threads).
    cluster
        The address of a Dask scheduler (tcp://HOST:PORT) to send the runs to.
    executor
        Any `concurrent.futures.Executor` to run on instead (left open when done).
    """

    workers: int | None = None
    cluster: str | None = None
    executor: Executor | None = None


@dataclass(frozen=True)
class Output:
    """Where the ensemble directory goes, and whether the command shows its progress.

    Attributes
    ----------
    out
        The ensemble directory (default: under runs/, named by the command's fingerprint, so
        that the same command resumes in the same directory).
    force
        Replace `out` if it exists, and discard unfinished work of a different command.
    quiet
        No progress bar.
    """

    out: str | Path | None = None
    force: bool = False
    quiet: bool = True

    def target(self, default: Path) -> Path:
        """The directory to write: `out`, or `default` when none was given."""
        if self.out is not None:
            return user_path(self.out)
        if not self.force and (default / "summary.json").is_file():
            # The default is named after the command: the same command, run again.
            from hyosan.errors import HyosanError

            raise HyosanError(
                f"{default}: this command has run already, and its results are there (the "
                "directory is named after the command); add --force to run it again, or "
                "--out to write it elsewhere"
            )
        return default

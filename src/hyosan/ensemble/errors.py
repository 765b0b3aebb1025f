"""What can stop an ensemble: bad input, a run that failed, or an interruption."""

from __future__ import annotations

from hyosan.display import counted
from hyosan.errors import HyosanError

__all__ = ["EnsembleInterruptedError", "RunFailedError", "VaryError", "WorkerLostError"]


def _kept(kept: int) -> str:
    """ "1 finished run is kept", "5 finished runs are kept"."""
    return f"{kept:,} finished {'run is' if kept == 1 else 'runs are'} kept"


class VaryError(HyosanError):
    """A `--vary` specification that cannot be read or does not fit the scenario."""


class RunFailedError(Exception):
    """One run raised inside a worker; finished runs are kept for a resume.

    Not a HyosanError: the input passed every check made before the runs (exit 1, or 2 when
    the engine itself refused the scenario as bad input).
    """

    def __init__(
        self,
        point: int,
        replicate: int,
        seed: int,
        error: str,
        workdir: str,
        *,
        kept: int = 0,
        bad_input: bool = False,
    ) -> None:
        self.point, self.replicate, self.seed = point, replicate, seed
        self.error, self.workdir, self.kept = error, workdir, kept
        #: The engine refused the scenario (a HyosanError): the input is at fault, not hyosan.
        self.bad_input = bad_input
        where = f"; {_kept(kept)} in {workdir} for a resume" if kept else ""
        super().__init__(
            f"run failed at point {point}, replicate {replicate} (seed {seed}): {error}{where}"
        )


class WorkerLostError(RunFailedError):
    """A worker process died (killed from outside, or by the system for lack of memory), so
    the pool that ran the runs is broken; finished runs are kept for a resume."""

    def __init__(self, workdir: str, *, kept: int = 0) -> None:
        from hyosan.errors import on_command_line

        if on_command_line():
            why = (
                "a worker process died: killed from outside, or by the system for lack of "
                "memory (fewer --workers may do)"
            )
        else:
            # From Python the likeliest cause is a script without the guard, whose workers
            # start the runs again as they import it (refused in them, with its own message).
            why = (
                "a worker process died. In a script, check first that the code that starts "
                'the runs is under `if __name__ == "__main__":`, as each worker process '
                "imports the script as it starts; otherwise the worker was killed from "
                "outside, or by the system for lack of memory (fewer workers may do: "
                "Execution(workers=...))"
            )
        Exception.__init__(
            self, why + (f"; {_kept(kept)} in {workdir} for a resume" if kept else "")
        )
        self.point = self.replicate = self.seed = -1
        self.error, self.workdir, self.kept, self.bad_input = "worker lost", workdir, kept, False


class EnsembleInterruptedError(KeyboardInterrupt):
    """The ensemble was interrupted (Ctrl-C); finished runs are kept for a resume.

    A KeyboardInterrupt, so that Python code that goes on after `except Exception` (a loop
    over scenarios, say) still stops at a Ctrl-C.
    """

    def __init__(self, done: int, total: int, workdir: str) -> None:
        self.done, self.total, self.workdir = done, total, workdir
        if done == 0:
            super().__init__("interrupted before any run finished")
            return
        super().__init__(
            f"interrupted: {done:,} of {counted(total, 'runs')} {'is' if done == 1 else 'are'} "
            f"kept in {workdir}; "
            "run the same command again to finish the rest"
        )

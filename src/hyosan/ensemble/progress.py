"""A progress bar for many runs: runs done of all, the rate, and the time left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Task as RichTask
    from rich.text import Text

__all__ = ["RunProgress"]


class RunProgress:
    """A rich progress bar on stderr, or nothing when `quiet`.

    Parameters
    ----------
    total, done
        Runs in all, and runs already finished (a resumed ensemble starts part way).
    label
        Text before the bar.
    quiet
        Show nothing.
    """

    def __init__(self, total: int, done: int, label: str, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Any = None
        self._task: Any = None
        self.total, self.done, self.label = total, done, label

    def __enter__(self) -> RunProgress:
        if self.quiet:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            """Runs per second over the recent past."""

            def render(self, task: RichTask) -> Text:
                speed = task.finished_speed or task.speed
                return Text("-- runs/s" if speed is None else f"{speed:.3g} runs/s")

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            # Not rich's Jupyter widget, which needs ipywidgets (not a dependency): in a
            # notebook the bar is plain text on stderr, without rich's warning about it.
            console=Console(stderr=True, force_jupyter=False),
            transient=False,
        )
        self._progress.__enter__()
        self._task = self._progress.add_task(self.label, total=self.total, completed=self.done)
        return self

    def note(self, message: str) -> None:
        """Print a line above the bar (the executor, the Dask dashboard)."""
        if self._progress is not None:
            self._progress.console.print(message, highlight=False, markup=False)

    def advance(self, n: int = 1) -> None:
        """Count `n` more runs as done."""
        self.done += n
        if self._progress is not None:
            self._progress.update(self._task, advance=n)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)

"""A progress bar for many runs: runs done of all, the rate, and the time left."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Task as RichTask
    from rich.text import Text

__all__ = ["RunProgress"]

#: Off a terminal (a batch job's log, nohup, Slurm), where a live bar shows nothing till the
#: end: a plain line at least this often, in seconds, and at each tenth done (5 s apart at most).
PLAIN_EVERY_S = 30.0
_PLAIN_TENTH_GAP_S = 5.0


class RunProgress:
    """A rich progress bar on stderr, plain lines now and then where stderr is not a
    terminal (PLAIN_EVERY_S), or nothing when `quiet`.

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
        self._plain: Any = None  # the console, when plain lines stand in for the bar
        self.total, self.done, self.label = total, done, label
        self._start = self._last = time.monotonic()
        self._started_with = done
        self._shown = done  # runs done at the last plain line printed

    def __enter__(self) -> RunProgress:
        if self.quiet:
            return self
        from rich.console import Console

        console = Console(stderr=True, force_jupyter=False)
        if not console.is_terminal:
            self._plain = console
            return self
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
        console = self._plain or (self._progress.console if self._progress else None)
        if console is not None:
            console.print(message, highlight=False, markup=False)

    def advance(self, n: int = 1) -> None:
        """Count `n` more runs as done."""
        before = self.done
        self.done += n
        if self._progress is not None:
            self._progress.update(self._task, advance=n)
        elif self._plain is not None:
            now = time.monotonic()
            tenth = 10 * self.done // max(self.total, 1) > 10 * before // max(self.total, 1)
            since = now - self._last
            if since >= PLAIN_EVERY_S or (tenth and since >= _PLAIN_TENTH_GAP_S):
                self._last = now
                self._shown = self.done
                self._plain.print(self.line(now), highlight=False, markup=False)

    def line(self, now: float) -> str:
        """The plain line: runs done of all, the share, the rate and the time left."""
        elapsed = now - self._start
        ran = self.done - self._started_with
        rate = ran / elapsed if elapsed > 0 else 0.0
        text = (
            f"{self.label}: {self.done:,}/{self.total:,} "
            f"({100 * self.done / max(self.total, 1):.0f} %) in {elapsed:.0f} s"
        )
        if rate > 0 and self.done < self.total:
            text += f", {rate:.3g} runs/s, about {(self.total - self.done) / rate:.0f} s left"
        return text

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
        elif self._plain is not None and self.done > self._shown:
            # The count at the end, unless the last line printed says it already.
            self._plain.print(self.line(time.monotonic()), highlight=False, markup=False)

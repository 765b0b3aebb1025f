"""A progress bar for a fit (rich, on stderr), or nothing when quiet.

Methods report through `Progress.update(done, total, what)`: generations and simulations for
ABC, iterations for particle MCMC, optimiser stages for maximum likelihood.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FitProgress", "show_warning"]


class FitProgress:
    """A rich progress bar; `quiet` shows nothing (the Python API's default)."""

    def __init__(self, label: str, *, quiet: bool = False) -> None:
        self.label, self.quiet = label, quiet
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> FitProgress:
        if self.quiet:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            # Not rich's Jupyter widget, which needs ipywidgets (not a dependency): in a
            # notebook the bar is plain text on stderr, without rich's warning about it.
            console=Console(stderr=True, force_jupyter=False),
        )
        self._bar.__enter__()
        self._task = self._bar.add_task(self.label, total=None)
        return self

    def update(self, done: int, total: int | None, what: str = "") -> None:
        """Show `done` of `total` steps, with a word on the current stage."""
        if self._bar is not None:
            text = f"{self.label}: {what}" if what else self.label
            self._bar.update(self._task, completed=done, total=total, description=text)

    def note(self, message: str) -> None:
        """A line above the bar."""
        if self._bar is not None:
            self._bar.console.print(message, highlight=False, markup=False)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def show_warning(message: str) -> None:
    """One warning about a fit's numbers, on stderr (as `warning: ...`)."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold yellow]warning:[/] {escape(message)}", markup=True, highlight=False
    )

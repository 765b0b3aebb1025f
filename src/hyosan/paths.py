"""Paths as users give them."""

from __future__ import annotations

from pathlib import Path

__all__ = ["user_path"]


def user_path(path: str | Path) -> Path:
    """`path` with a leading `~` made the home directory: no shell expands it in a Python
    call (`result.save("~/runs/x")`) or a quoted argument, and pyarrow would expand it where
    the rest of the code did not, writing one folder and looking for it in another."""
    return Path(path).expanduser()

"""Edge lists from files: `[world] kind = "graph"` with `edges = "file.csv"`.

One edge a line, comma-separated: two place numbers (0 to nodes − 1) and, optionally, a third
column, the edge's weight (a finite number above 0; 1 where absent), which scales movement and
cross reactions along the edge as a route's weight does. Every line has the same number of
columns. Blank lines and lines starting with `#` are skipped. Edges go both ways; self-loops
are dropped and parallel edges merged, their weights added.

Anything else is a `HyosanError` that names the file, the first bad line and what is allowed.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from hyosan.errors import HyosanError

__all__ = ["EDGE_FORMAT", "load_edge_list"]

EDGE_FORMAT = "a,b or a,b,weight (place numbers 0 to nodes - 1, a weight above 0)"
"""What an edge list's lines may hold, for messages."""


def load_edge_list(path: Path, nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(first places, second places, weights or None when the file gives none) of an edge
    list; a `HyosanError` naming the line for anything but what the module allows."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a file of comments only: no edges, no warning
            table = np.loadtxt(
                path, delimiter=",", dtype=np.float64, ndmin=2, comments="#", encoding="utf-8-sig"
            )
    except OSError as exc:
        raise HyosanError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError):
        table = None  # numpy's message counts rows its own way: find the line ourselves
    if table is not None and table.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), None
    if table is not None and _table_ok(table, nodes):
        src, dst = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
        return src, dst, (table[:, 2].copy() if table.shape[1] == 3 else None)
    line, problem = _first_problem(path, nodes)
    raise HyosanError(f"{path} line {line}: {problem}; each line must be {EDGE_FORMAT}")


def _table_ok(table: np.ndarray, nodes: int) -> bool:
    if table.shape[1] not in (2, 3):
        return False
    places = table[:, :2]
    if not (np.all(places == np.floor(places)) and places.min() >= 0 and places.max() < nodes):
        return False
    if table.shape[1] == 3:
        weights = table[:, 2]
        return bool(np.all(np.isfinite(weights)) and np.all(weights > 0))
    return True


def _first_problem(path: Path, nodes: int) -> tuple[int, str]:
    """The first line that breaks the format, and what is wrong with it."""
    columns = None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return _text_line(path, exc.start), "not UTF-8 text"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("#", 1)[0].split(",")]
        if len(cells) not in (2, 3):
            return number, f"{len(cells)} column{'s' * (len(cells) > 1)} ({line[:60]!r})"
        if columns is not None and len(cells) != columns:
            return number, f"{len(cells)} columns where the lines above have {columns}"
        columns = len(cells)
        for cell in cells[:2]:
            problem = _place_problem(cell, nodes)
            if problem:
                return number, problem
        if len(cells) == 3:
            problem = _weight_problem(cells[2])
            if problem:
                return number, problem
    return 0, "unreadable"  # numpy refused what this reads: not expected


def _text_line(path: Path, offset: int) -> int:
    """The line number (from 1) of byte `offset` of the file."""
    return path.read_bytes()[:offset].count(b"\n") + 1


def _number(cell: str) -> float:
    if "_" in cell:  # Python reads 1_000, numpy does not: neither is allowed
        raise ValueError(cell)
    return float(cell)


def _place_problem(cell: str, nodes: int) -> str:
    try:
        value = _number(cell)
    except ValueError:
        return f"{cell[:40]!r} is not a place number"
    if not math.isfinite(value) or value != math.floor(value):
        return f"{cell[:40]!r} is not a whole place number"
    if not 0 <= value < nodes:
        return f"place {cell[:40]} is outside 0..{nodes - 1} (nodes = {nodes})"
    return ""


def _weight_problem(cell: str) -> str:
    try:
        value = _number(cell)
    except ValueError:
        return f"the weight {cell[:40]!r} is not a number"
    if not math.isfinite(value) or value <= 0:
        return f"the weight {cell[:40]} is not a finite number above 0"
    return ""

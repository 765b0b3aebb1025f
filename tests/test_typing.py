"""mypy passes on src/ as pyproject.toml configures it: strict outside the Numba kernels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes() -> None:
    """mypy finds no error in src/ (the files and settings of [tool.mypy])."""
    api = pytest.importorskip(
        "mypy.api", reason="mypy is not installed (it comes with pip install '.[test]')"
    )
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy reads pyproject.toml and its `files` from the working directory
    try:
        stdout, stderr, status = api.run(["--no-error-summary"])
    finally:
        os.chdir(cwd)
    assert status == 0, stdout + stderr

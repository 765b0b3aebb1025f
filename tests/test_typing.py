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


def test_a_users_script_sees_the_types(tmp_path: Path) -> None:
    """The lazy top-level names have their types for a user's type checker and editor (the
    package declares py.typed): simulate returns a Result, not Any."""
    api = pytest.importorskip(
        "mypy.api", reason="mypy is not installed (it comes with pip install '.[test]')"
    )
    script = tmp_path / "user.py"
    script.write_text(
        "import hyosan\n"
        "result = hyosan.simulate('munz-basic')\n"
        "reveal_type(result)\n"
        "reveal_type(hyosan.load_scenario('sir'))\n"
    )
    stdout, stderr, _ = api.run(
        ["--no-error-summary", "--ignore-missing-imports", "--no-incremental", str(script)]
    )
    assert 'Revealed type is "hyosan.results.result.Result"' in stdout, stdout + stderr
    assert 'Revealed type is "hyosan.scenario.schema.Scenario"' in stdout, stdout + stderr

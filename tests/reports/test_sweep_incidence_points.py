"""A sweep's epidemic-bands.png shows the sweep, not its first point alone: every point up to
three, each named by its value, or else the first, middle and last, the title saying so."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyosan.ensemble import Execution, Output, run_sweep
from hyosan.reports import plot_incidence_bands

SMALL_SZR = ("initial.S=200", 'time.horizon="30d"')


def _sweep(folder: Path, points: int) -> Path:
    out = folder / f"sweep-{points}"
    run_sweep(
        "alemi-szr", [f"parameters.kill_rate=0.0002:0.0014:{points}"], 4, engine="ssa",
        overrides=SMALL_SZR, seed=3, execution=Execution(workers=1), output=Output(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Sweeps of the kill rate over three and over five points (four ssa runs each)."""
    folder = tmp_path_factory.mktemp("sweeps")
    return {n: _sweep(folder, n) for n in (3, 5)}


def _legend(fig: object) -> list[str]:
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]  # type: ignore[attr-defined]
    legend = axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def _medians(fig: object) -> int:
    """Median lines in the first panel (one per point drawn)."""
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]  # type: ignore[attr-defined]
    return len(axes[0].get_lines())


#: The three points drawn of either sweep: all of the short one, first, middle and last of the
#: long one (its values run from the same first to the same last).
DRAWN = ["kill_rate = 0.0002/day", "kill_rate = 0.0008/day", "kill_rate = 0.0014/day"]


def test_every_point_of_a_short_sweep_is_drawn(sweeps: dict[int, Path]) -> None:
    """Three points: three medians in each panel, each named by its value and unit; the title
    names the sweep, not one of its points."""
    fig = plot_incidence_bands(sweeps[3])
    assert fig is not None
    assert _medians(fig) == 3
    assert _legend(fig) == DRAWN
    title = fig._suptitle.get_text()  # type: ignore[attr-defined]
    assert title == "alemi-szr: sweep; median, 50 % and 90 % of runs"


def test_a_long_sweep_draws_its_first_middle_and_last(sweeps: dict[int, Path]) -> None:
    """Five points: the first, middle and last are drawn, and the title says which."""
    fig = plot_incidence_bands(sweeps[5])
    assert fig is not None
    assert _medians(fig) == 3
    assert _legend(fig) == DRAWN
    title = fig._suptitle.get_text()  # type: ignore[attr-defined]
    assert "3 of 5 points (first, middle, last)" in title
    # One point asked for is drawn alone, named in the title.
    one = plot_incidence_bands(sweeps[5], point=1)
    assert one is not None
    assert _medians(one) == 1
    assert "kill_rate = 0.0005/day" in one._suptitle.get_text()  # type: ignore[attr-defined]

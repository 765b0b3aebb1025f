"""An ensemble's epidemic figures in its report: incidence of each reaction per unit of time and
counts so far, as medians with their 50 % and 90 % bands, one panel per reaction."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from hyosan.ensemble import Execution, Output, run_compare, run_ensemble
from hyosan.reports import plot_epidemic, plot_incidence_bands, write_report

SMALL_SIR = ("initial.S=990", 'time.horizon="120d"')


@pytest.fixture(scope="module")
def sir_ensemble(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve ssa runs of a town's SIR: its directory, with report and pictures."""
    out = tmp_path_factory.mktemp("ens") / "out"
    run_ensemble(
        "sir", 12, engine="ssa", overrides=SMALL_SIR, seed=4,
        execution=Execution(workers=1), output=Output(out),
    )  # fmt: skip
    return out


def _visible(fig: object) -> list[object]:
    return [ax for ax in fig.get_axes() if ax.get_visible()]  # type: ignore[attr-defined]


def test_report_shows_the_incidence_bands(sir_ensemble: Path) -> None:
    """The report writes epidemic-bands.png beside bands.png and shows the same chart in the
    page, as a PNG that decodes."""
    written = write_report(sir_ensemble)
    assert {p.name for p in written.pictures} >= {"bands.png", "epidemic-bands.png"}
    html = written.report.read_text(encoding="utf-8")
    found = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="incidence[^"]*"', html)
    assert found is not None
    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(found[1]))) as image:
        assert image.width > 300


def test_panels_show_the_medians_of_the_file(sir_ensemble: Path) -> None:
    """One panel of incidence and one of counts so far for the infections and for recovery
    (SIR's infection is the infections: not drawn twice); each incidence median is the file's
    median count over the interval's width, in the display unit (days)."""
    fig = plot_incidence_bands(sir_ensemble)
    assert fig is not None
    titles = [ax.get_title() for ax in _visible(fig)]
    assert titles == ["infections", "recovery", "infections", "recovery"]
    table = pq.read_table(sir_ensemble / "incidence_bands.parquet").to_pydict()
    rows = [i for i, s in enumerate(table["series"]) if s == "new_infections"]
    t = np.array(table["t"])[rows] / 86400.0
    q50 = np.array(table["q50"])[rows]
    line = _visible(fig)[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), q50[1:] / np.diff(t))
    np.testing.assert_allclose(line.get_xdata(), (t[1:] + t[:-1]) / 2)
    assert np.max(line.get_ydata()) > 0  # an outbreak, not a flat line
    # plot_epidemic draws an ensemble's the same way.
    again = plot_epidemic(sir_ensemble)
    assert again is not None
    assert [ax.get_title() for ax in _visible(again)] == titles


def test_a_comparison_shares_its_panels(tmp_path: Path) -> None:
    """Both scenarios of a comparison in each panel, one median each; the reactions of either
    (SEIR's onset) get their panel."""
    out = tmp_path / "cmp"
    run_compare(
        "sir", "seir", 8, engine="ssa", overrides=SMALL_SIR, seed=2,
        execution=Execution(workers=1), output=Output(out),
    )  # fmt: skip
    fig = plot_incidence_bands(out)
    assert fig is not None
    axes = _visible(fig)
    assert [ax.get_title() for ax in axes][:3] == ["infections", "recovery", "onset"]
    assert len(axes[0].get_lines()) == 2
    assert len(axes[2].get_lines()) == 1  # only SEIR has an onset


def test_without_incidence_there_is_no_chart(
    tmp_path: Path, write_ensemble: Callable[..., Path]
) -> None:
    """An ensemble directory without incidence_bands.parquet (written before hyosan kept it)
    reports as before, with no incidence chart."""
    folder = write_ensemble(tmp_path / "ens", points=2)
    assert plot_incidence_bands(folder) is None
    written = write_report(folder)
    assert "epidemic-bands.png" not in {p.name for p in written.pictures}
    assert 'alt="incidence' not in written.report.read_text(encoding="utf-8")

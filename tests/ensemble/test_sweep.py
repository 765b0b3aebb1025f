"""Parameter sweeps: the grid of points, tidy output, the phase plot, and bad --vary input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from ensemble_helpers import run_cli

from hyosan.ensemble import Execution, Output, run_seed, run_sweep
from hyosan.ensemble.errors import VaryError
from hyosan.ensemble.vary import Axis, parse_vary
from hyosan.scenario.load import load_scenario, read_scenario_data

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BASE = ["initial.S=200", 'time.horizon="30d"', 'time.output_every="1d"']


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four kill rates (α = 0.5 ... 2) × 15 replicates of the small SZR outbreak."""
    out = tmp_path_factory.mktemp("sweep") / "out"
    run_sweep(
        "alemi-szr",
        ["parameters.kill_rate=0.0005:0.002:4"],
        15,
        engine="ssa",
        overrides=BASE,
        execution=Execution(workers=1),
        output=Output(out),
    )
    return out


def test_runs_table(sweep: Path) -> None:
    """One row per (point, replicate), the swept value in the file's unit, seeds by point."""
    runs = pq.read_table(sweep / "runs.parquet").to_pydict()
    assert len(runs["point"]) == 4 * 15
    assert runs["point"] == [p for p in range(4) for _ in range(15)]
    assert runs["replicate"] == list(range(15)) * 4
    values = sorted(set(runs["parameters.kill_rate"]))
    np.testing.assert_allclose(values, [0.0005, 0.001, 0.0015, 0.002])
    assert runs["seed"][16] == run_seed(1, 1, 1)
    assert len(set(runs["seed"])) == 60


def test_bands_and_summary(sweep: Path) -> None:
    """Bands for every point, time and state; outcome probabilities for every point."""
    bands = pq.read_table(sweep / "bands.parquet")
    assert bands.num_rows == 4 * 31 * 3
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["kind"] == "sweep"
    assert summary["points"] == 4
    assert summary["runs"] == 60
    assert [a["key"] for a in summary["vary"]] == ["parameters.kill_rate"]
    assert summary["vary"][0]["unit"] == "/day"
    wins = [e["p_humans_win"]["estimate"] for e in summary["per_point"]]
    # Humans that kill twice as fast as they are bitten nearly always win; at α = 0.5 they
    # often lose (Alemi et al.: the threshold is α = 1 for a large population).
    assert wins[-1] >= 0.8
    assert wins[0] < wins[-1]
    for e in summary["per_point"]:
        p = e["p_humans_win"]
        assert p["low"] <= p["estimate"] <= p["high"]


def test_phase_plot_is_a_png(sweep: Path) -> None:
    """The phase plot is a valid PNG image."""
    import matplotlib.image

    data = (sweep / "phase.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    image = matplotlib.image.imread(sweep / "phase.png")
    assert min(image.shape[:2]) > 100


def test_the_phase_plot_leaves_the_backend_alone(sweep: Path, tmp_path: Path) -> None:
    """A sweep run from a notebook keeps the notebook's matplotlib backend (the phase plot set
    the whole session's to Agg before)."""
    import matplotlib

    from hyosan.ensemble.phase import phase_plot

    summary = json.loads((sweep / "summary.json").read_text())
    axes = _axes("parameters.kill_rate=0.0005:0.002:4")
    before = matplotlib.get_backend()
    try:
        matplotlib.use("svg")
        path = phase_plot(summary, list(axes), tmp_path / "phase.png")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert path.read_bytes() == (sweep / "phase.png").read_bytes()


def test_the_phase_plot_of_one_run_a_point_says_run(
    sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its legend said "(1 runs per point)" of a sweep with --runs 1."""
    from matplotlib.figure import Figure

    from hyosan.ensemble.phase import phase_plot

    drawn: list[Figure] = []
    save = Figure.savefig

    def keep(fig: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(fig)
        save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    summary = json.loads((sweep / "summary.json").read_text()) | {"replicates": 1}
    phase_plot(summary, list(_axes("parameters.kill_rate=0.0005:0.002:4")), tmp_path / "p.png")
    (fig,) = drawn
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "estimate, Wilson 95 % interval (1 run per point)" in labels


def test_two_parameter_heat_map(tmp_path: Path) -> None:
    """Two keys give a grid (first axis slowest), a heat map, and log spacing with --log."""
    out = tmp_path / "out"
    result = run_sweep(
        "alemi-szr",
        ["parameters.kill_rate=0.0005:0.002:3", "initial.Z=1:4:2"],
        4,
        log=True,
        engine="ssa",
        overrides=BASE,
        execution=Execution(workers=1),
        output=Output(out),
    )
    runs = result.runs.to_pydict()
    assert len(runs["point"]) == 6 * 4
    np.testing.assert_allclose(
        sorted(set(runs["parameters.kill_rate"])), [0.0005, 0.001, 0.002], rtol=1e-12
    )
    assert sorted(set(runs["initial.Z"])) == [1.0, 4.0]
    assert runs["initial.Z"][:8] == [1.0] * 4 + [4.0] * 4
    assert (out / "phase.png").read_bytes().startswith(PNG_MAGIC)


def _axes(*specs: str, log: bool = False, scenario: str = "alemi-szr") -> list[Axis]:
    _, text = read_scenario_data(scenario)
    return parse_vary(list(specs), text, load_scenario(scenario), log=log)


def test_bounds_with_units_are_converted() -> None:
    """A bound with its own unit is converted to the scenario's unit."""
    (axis,) = _axes("parameters.kill_rate=0.07/week:0.07/week:1")
    assert axis.values == pytest.approx((0.01,))
    (horizon,) = _axes("time.horizon=36h:3d:3")
    assert horizon.values == pytest.approx((1.5, 2.25, 3.0))
    assert horizon.override(1.5) == 'time.horizon="1.5d"'


@pytest.mark.parametrize(
    ("spec", "log", "message"),
    [
        ("parameters.kil_rate=1:2:3", False, "is not in the scenario; keys that can be varied"),
        ("parameters.kill_rate=0.002:0.001:3", False, "is above HI"),
        ("parameters.kill_rate=0.001:0.002:0", False, "N must be 1 or more"),
        ("parameters.kill_rate=0.001:0.002:x", False, "N must be a whole number"),
        ("parameters.kill_rate=0.001/fortnight:0.002:3", False, "unknown time unit"),
        ("initial.S=1d:200:3", False, "holds a plain number"),
        ("initial.S=0:200:3", True, "--log needs LO and HI above zero"),
        ("parameters.kill_rate", False, "cannot read it"),
        ("seed=1:2:2", False, "--seed"),
        ("name=1:2:2", False, "does not hold a number"),
    ],
)
def test_bad_vary(spec: str, log: bool, message: str) -> None:
    """Each bad --vary names the flag and what is allowed."""
    with pytest.raises(VaryError, match="--vary") as err:
        _axes(spec, log=log)
    assert message in str(err.value)


def test_bad_vary_exits_2(tmp_path: Path) -> None:
    """On the command line a bad --vary exits 2 with a message, never a traceback."""
    ran = run_cli(
        "sweep", "alemi-szr", "--vary", "parameters.kill_rate=2:1:3", "--runs", "2", cwd=tmp_path
    )
    assert ran.returncode == 2
    assert "--vary parameters.kill_rate: LO (2) is above HI (1)" in ran.stderr
    assert "Traceback" not in ran.stderr
    out_of_range = run_cli(
        "sweep", "alemi-szr", "--vary", "initial.S=-5:10:2", "--runs", "2", cwd=tmp_path
    )
    assert out_of_range.returncode == 2
    assert "the value -5 is not allowed" in out_of_range.stderr
    assert not (tmp_path / "runs").exists()

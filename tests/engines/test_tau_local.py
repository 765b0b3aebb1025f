"""tau's local stepping (every place on a clock of its own) against the global step and ssa.

With one place, local stepping is the global scheme: the same numbers, drawn in the same order.
On worlds of many places it agrees with ssa in law: the mean of K runs of each engine within 4
standard errors of their difference (a two-sample z-test, as tests/engines/test_tau_vs_ssa.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import hyosan
from hyosan.engines import get_engine
from hyosan.scenario.load import parse_scenario

TAU = get_engine("tau")


def _both(scen: hyosan.Scenario, seed: int) -> tuple[hyosan.Result, hyosan.Result]:
    local = TAU.run(scen.evolve(tau={**scen.tau.model_dump(), "stepping": "local"}), seed=seed)
    glob = TAU.run(scen.evolve(tau={**scen.tau.model_dump(), "stepping": "global"}), seed=seed)
    return local, glob


def _same_run(a: hyosan.Result, b: hyosan.Result) -> None:
    assert a.timeseries.equals(b.timeseries)
    # The diagnostics name the stepping, and count steps differently: the global scheme counts
    # a step while nothing can happen, local stepping only the leaps of a place.
    keep = {"steps", "stepping"}
    da = {k: v for k, v in a.summary()["diagnostics"].items() if k not in keep}
    db = {k: v for k, v in b.summary()["diagnostics"].items() if k not in keep}
    assert da == db
    drop = {"wall_s": 0, "diagnostics": 0}
    assert a.summary() | drop == b.summary() | drop


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("sir", ["initial.S=9900", "initial.I=100"]),
        ("seir", []),
        ("munz-basic", ["parameters.birth_rate=20/day", "initial.S=5000"]),
        ("munz-culls", ["initial.S=100000"]),
        ("munz-latent", []),
    ],
)
def test_one_place_is_the_global_scheme(name: str, overrides: list[str]) -> None:
    """One place, one region: local stepping draws what the global step draws, bit for bit,
    births, culls and thresholds included."""
    scen = hyosan.load_scenario(name, overrides)
    if scen.world is not None:
        pytest.skip(f"{name} has a world")
    for seed in (1, 2):
        local, glob = _both(scen, seed)
        assert local.diagnostics["stepping"] == "local"
        assert "stepping" not in glob.diagnostics
        _same_run(local, glob)


def test_one_place_with_a_stopping_threshold_is_the_global_scheme() -> None:
    """A stopping threshold ends both at the same leap."""
    scen = hyosan.load_scenario("sir", ["initial.S=9900", "initial.I=100"]).evolve(
        thresholds=[{"name": "half", "of": "human", "below": 5000, "stop": True}]
    )
    local, glob = _both(scen, 3)
    assert local.stopped_by == glob.stopped_by == "half"
    _same_run(local, glob)


def test_stepping_is_validated() -> None:
    """tau.stepping takes "local" or "global" only; the message names the key."""
    with pytest.raises(hyosan.HyosanError, match="stepping"):
        hyosan.load_scenario("sir", ["tau.stepping=fast"])


# --- many places: agreement with ssa in law --------------------------------------------------

#: A lattice of towns and villages, ten zombies in the largest town: heads per cell spread over
#: three orders of magnitude, so that places leap with very different steps.
UNEVEN = """
name = "uneven"
model = "sezr-frequency"
parameters = {{ bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }}
time = {{ horizon = "60d", output_every = "5d" }}
tau = {{ stepping = "{stepping}" }}

[world]
kind = "grid"
file = "{file}"
fill = "S"
cross = {{ reactions = ["bite", "kill"], factor = 0.05 }}

[[world.seeds]]
at = [{row}, {col}]
counts = {{ Z = 10 }}
"""


def _uneven_grid(path: Path) -> tuple[int, int]:
    rng = np.random.default_rng(7)
    heads = np.round(np.exp(rng.uniform(np.log(5), np.log(5000), size=(8, 8)))).astype(np.int64)
    np.save(path, heads)
    row, col = np.unravel_index(int(np.argmax(heads)), heads.shape)
    return int(row), int(col)


def _final_humans(scen: hyosan.Scenario, engine: str, seeds: range) -> np.ndarray:
    runner = get_engine(engine)
    return np.array([runner.run(scen, seed=s).series("human")[-1] for s in seeds])


def _assert_same_mean(a: np.ndarray, b: np.ndarray) -> None:
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert abs(a.mean() - b.mean()) <= 4 * se, (a.mean(), b.mean(), se)


@pytest.mark.slow
@pytest.mark.parametrize("stepping", ["local", "global"])
def test_uneven_grid_final_humans_match_ssa(tmp_path: Path, stepping: str) -> None:
    """On an 8 × 8 grid of 5 to 5,000 heads a cell, the humans left after 60 days agree with
    ssa's in the mean (200 runs each)."""
    file = tmp_path / "heads.npy"
    row, col = _uneven_grid(file)
    text = UNEVEN.format(stepping=stepping, file=file.as_posix(), row=row, col=col)
    scen = parse_scenario(text, "uneven")
    ssa = _final_humans(scen, "ssa", range(200))
    tau = _final_humans(scen, "tau", range(10_000, 10_200))
    # The outbreak must have done something for the comparison to mean anything.
    assert ssa.mean() < 0.9 * int(np.load(file).sum())
    _assert_same_mean(ssa, tau)


#: Zombies and humans walking between cells as well as biting and killing across borders.
WALKING = """
name = "walking"
model = "sezr-frequency"
parameters = { bite_rate = "4/day", kill_rate = "1.6/day", turn_rate = "12/day" }
time = { horizon = "6d", output_every = "1d" }
tau = { stepping = "local" }

[world]
kind = "lattice"
size = [5, 5]
fill = { S = 40 }
movement = { Z = "0.2/day", S = "0.05/day" }
cross = { reactions = ["bite", "kill"], factor = 0.3 }

[[world.seeds]]
at = "center"
counts = { Z = 10 }
"""


def test_walking_grid_matches_ssa() -> None:
    """Movers arrive in places whose clocks differ from their own: zombies destroyed and humans
    left after 6 days agree with ssa's in the mean (150 runs each)."""
    scen = parse_scenario(WALKING, "walking")
    ssa, tau = get_engine("ssa"), TAU
    a = [ssa.run(scen, seed=s) for s in range(150)]
    b = [tau.run(scen, seed=10_000 + s) for s in range(150)]
    for column in ("R", "human"):
        _assert_same_mean(
            np.array([r.series(column)[-1] for r in a]),
            np.array([r.series(column)[-1] for r in b]),
        )
    assert all(r.diagnostics["stepping"] == "local" for r in b)

"""Helpers of the intervention tests: scenarios from text, runs, per-place counts, statistics.

A plain module rather than a conftest.py, so that its name cannot clash with the conftest
modules of other test folders.

Statistics follow docs/science: a difference of means over n runs per arm is accepted when
it exceeds 4 standard errors, the standard error computed from the two sample variances and
the run counts (a one-sided z-test whose false-alarm rate is about 3e-5).
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hyosan.engines import get_engine
from hyosan.results.result import Result
from hyosan.scenario.load import parse_scenario
from hyosan.scenario.schema import Scenario

DAY = 86400.0
#: Standard errors a difference of means must clear.
Z_SIGMAS = 4.0

#: A model with every compartment an intervention can name: the bitten turn into zombies or,
#: now and then, hybrids; the evacuated are screened into the safe or the quarantined.
EVAC_MODEL = """
[model]
name = "evac"
[model.compartments]
S = "human"
E = "bitten"
Z = "zombie"
H = "hybrid"
Q = "quarantined"
X = { state = "safe", in_population = false }
R = { state = "removed", in_population = false }
[model.parameters]
bite_rate = "0.5/d"
turn_rate = "1/d"
hybrid_rate = "0.1/d"
kill_rate = "0.05/d"
[[model.reactions]]
name = "bite"
equation = "S + Z -> E + Z"
rate = "bite_rate"
[[model.reactions]]
name = "turn"
equation = "E -> Z"
rate = "turn_rate"
[[model.reactions]]
name = "hybrid"
equation = "E -> H"
rate = "hybrid_rate"
[[model.reactions]]
name = "kill"
equation = "S + Z -> S + R"
rate = "kill_rate"
"""


def scenario(text: str) -> Scenario:
    return parse_scenario(text, "intervention test")


def run(engine: str, scen: Scenario, seed: int) -> Result:
    return get_engine(engine).run(scen, seed=seed)


def sample(
    engine: str, scen: Scenario, n: int, figure: Callable[[Result], float], first_seed: int = 0
) -> np.ndarray:
    """`figure` of n runs, seeds first_seed, first_seed + 1, ..."""
    return np.array(
        [figure(run(engine, scen, s)) for s in range(first_seed, first_seed + n)], dtype=float
    )


def snapshots(result: Result) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Snapshot times (s) and, per compartment, counts shaped (snapshots, places)."""
    table = result.places
    assert table is not None
    meta = table.schema.metadata
    times = np.array(json.loads(meta[b"snapshot_times_s"]))
    comps = json.loads(meta[b"compartments"])
    counts = {
        c: np.array(table[c].to_pylist(), dtype=np.int64).reshape(-1, times.size).T for c in comps
    }
    return times, counts


def final_places(result: Result) -> dict[str, np.ndarray]:
    """Counts per compartment per place at the last snapshot (the horizon)."""
    _, counts = snapshots(result)
    return {c: v[-1] for c, v in counts.items()}


def first_zombie(result: Result) -> np.ndarray:
    """When each place first saw a zombie (s; nan: never)."""
    table = result.places
    assert table is not None
    return np.array(table["t_first_zombie_s"].to_pylist(), dtype=float)


def final(result: Result, comp: str) -> float:
    return float(result.summary()["final_compartments"][comp])


def entry(result: Result, i: int) -> dict[str, Any]:
    """The summary's report of intervention i."""
    return result.summary()["interventions"][i]


def events(result: Result, name: str) -> int:
    return int(result.diagnostics["events_by_kind"][name])


def z_score(a: Sequence[float], b: Sequence[float]) -> float:
    """(mean a − mean b) over its standard error; ±inf when both arms have no spread."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = a.mean() - b.mean()
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    if se == 0.0:
        return math.copysign(math.inf, diff) if diff else 0.0
    return diff / se


def assert_greater(a: Sequence[float], b: Sequence[float], what: str) -> None:
    """The mean of `a` exceeds that of `b` by more than Z_SIGMAS standard errors."""
    z = z_score(a, b)
    assert z > Z_SIGMAS, (
        f"{what}: means {np.mean(a):.4g} vs {np.mean(b):.4g}, z = {z:.2f} (need > {Z_SIGMAS})"
    )


def hyosan_cmd() -> list[str]:
    """The installed console script, or its entry point through this interpreter."""
    script = Path(sys.executable).parent / "hyosan"
    if script.is_file():
        return [str(script)]
    found = shutil.which("hyosan")
    if found:
        return [found]
    return [sys.executable, "-c", "from hyosan.cli import main; main()"]

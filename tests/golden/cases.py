"""How each built-in scenario is run for its golden summary, and how two summaries are compared.

One module shared by `scripts/update_golden.py` (which writes `tests/golden/<name>.json`) and
`tests/test_golden.py` (which checks every built-in scenario against it), so that the two can
never run a scenario differently or disagree on what counts as a change.

Every built-in scenario runs once with its own engine and seed through `hyosan.simulate`. Where
its full run would take more than a few seconds, `OVERRIDES` shortens it with the same
`KEY=VALUE` changes as `hyosan run --set`; the golden file records them under
`golden_overrides`, so that a reader sees it is not the full run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import hyosan

__all__ = [
    "GOLDEN_DIR",
    "OVERRIDES",
    "differences",
    "golden_path",
    "run_case",
    "to_json",
    "tolerance",
]

#: Where the golden files live: beside this module.
GOLDEN_DIR = Path(__file__).resolve().parent

#: Per-scenario `--set` changes. Only what keeps the whole golden suite fast belongs here; every
#: scenario not listed runs exactly as shipped (full horizon, its own engine and seed).
OVERRIDES: dict[str, tuple[str, ...]] = {
    # The full 60 days on the 4,210-cell grid of 51.8 million people take ~6 s of tau-leaping
    # (and more as the outbreak grows); 20 days take ~1 s and still carry the virus from Hyosan
    # to 17 cities (Pohang, Daegu, Ulsan, Busan, ...), so `outbreak.t_arrival_s` keeps real
    # arrival times as well as cities not yet reached (null).
    "korea": ('time.horizon="20d"',),
}

#: Summary keys that describe the machine or the build, not the outbreak.
MACHINE_DEPENDENT = frozenset({"wall_s", "hyosan_version"})

#: Relative tolerance on floats, per engine. The stochastic engines' numbers are a deterministic
#: function of the seed, so they must agree to rounding; the ODE's adaptive steps depend on the
#: scipy build and its floating-point library, so it gets more room.
RELATIVE_TOLERANCE: dict[str, float] = {"ode": 1e-6, "ssa": 1e-9, "tau": 1e-9, "agents": 1e-9}

#: Absolute floor for the ODE only: a mean-field count that decays towards zero (a last human at
#: 6e-6, a culled compartment at 0.0) may land a few ulps either side of zero on another build,
#: where no relative tolerance helps; a billionth of a person or second means nothing.
ODE_ABSOLUTE_TOLERANCE = 1e-9


def golden_path(name: str) -> Path:
    """The golden file of a built-in scenario."""
    return GOLDEN_DIR / f"{name}.json"


def tolerance(engine: str) -> tuple[float, float]:
    """(relative, absolute) tolerance on floats of runs of this engine."""
    if engine not in RELATIVE_TOLERANCE:
        raise ValueError(
            f"no golden tolerance for engine {engine!r}; add it to RELATIVE_TOLERANCE in "
            f"{Path(__file__).name} (1e-9 if its runs are a deterministic function of the seed)"
        )
    absolute = ODE_ABSOLUTE_TOLERANCE if engine == "ode" else 0.0
    return RELATIVE_TOLERANCE[engine], absolute


def to_json(figures: dict[str, Any]) -> str:
    """The text of a golden file: sorted keys, indent 2, a trailing newline."""
    return json.dumps(figures, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def run_case(name: str) -> dict[str, Any]:
    """Run a built-in scenario as its golden case; its figures as a golden file holds them."""
    overrides = OVERRIDES.get(name, ())
    # No engine or seed given: the scenario's own, which is what the golden file pins down.
    summary = hyosan.simulate(name, overrides=overrides).summary()
    figures = {k: v for k, v in summary.items() if k not in MACHINE_DEPENDENT}
    if figures.get("engine") == "ode":
        # The ODE's diagnostics are the adaptive integrator's step and evaluation counts, which
        # change with the scipy version; they are compared exactly, so they would only flake.
        figures.pop("diagnostics", None)
    if overrides:
        figures["golden_overrides"] = list(overrides)
    # Through JSON and back, so that a fresh run compares with a golden file like for like
    # (tuples as lists, keys as strings).
    return json.loads(to_json(figures))


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _same_float(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def differences(
    golden: Any, now: Any, *, rel_tol: float = 0.0, abs_tol: float = 0.0, path: str = ""
) -> list[str]:
    """Where `now` differs from `golden`, one line per dotted path: `path: golden X, now Y`.

    Strings, integers, booleans and null must be equal, and of the same type (an integer that
    became a float is a change of the summary); floats must agree within the tolerances. With
    the default tolerances of zero, any change at all is listed.
    """
    where = path or "(the whole summary)"
    if isinstance(golden, dict) and isinstance(now, dict):
        lines: list[str] = []
        for key in sorted(set(golden) | set(now), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in now:
                lines.append(f"{sub}: golden {_show(golden[key])}, now absent")
            elif key not in golden:
                lines.append(f"{sub}: golden absent, now {_show(now[key])}")
            else:
                lines += differences(
                    golden[key], now[key], rel_tol=rel_tol, abs_tol=abs_tol, path=sub
                )
        return lines
    if isinstance(golden, list) and isinstance(now, list):
        if len(golden) != len(now):
            return [f"{where}: golden {_show(golden)}, now {_show(now)}"]
        lines = []
        for i, (g, n) in enumerate(zip(golden, now, strict=True)):
            lines += differences(g, n, rel_tol=rel_tol, abs_tol=abs_tol, path=f"{path}[{i}]")
        return lines
    if type(golden) is not type(now):
        return [
            f"{where}: golden {_show(golden)} ({type(golden).__name__}), "
            f"now {_show(now)} ({type(now).__name__})"
        ]
    if isinstance(golden, float):
        same = _same_float(golden, now, rel_tol, abs_tol)
    else:
        same = golden == now
    return [] if same else [f"{where}: golden {_show(golden)}, now {_show(now)}"]

"""Hypothesis strategies that mutate the built-in scenarios as an adversary would (issue 18).

A case is a built-in scenario's data with one to four mutations, and zero to two `--set`
overrides. Mutations: delete a key, swap a value's type, out-of-range and non-finite numbers,
extreme rates and odd units, unknown keys, deep nesting, unicode and control characters, and
references to places, compartments and reactions that do not exist. A case is checked the way
`hyosan validate` checks it: the only acceptable outcomes are a valid scenario or a HyosanError
(exit 2), never another exception (exit 1), a hang or a blow-up.

A plain module (not a conftest.py) so that scripts/fuzz_long.py can use it too.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import strategies as st

from hyosan.scenario.catalog import builtin_scenario_names, builtin_scenario_text

#: Scenarios cheap to run, for the sample that goes through `run`.
FAST = ("sir", "seir", "munz-basic", "munz-culls", "munz-latent", "alemi-szr", "alemi-sezr")

UNITS = ("s", "h", "d", "day", "days", "/day", "/s", "/h", "per day", "x", "", "d/d", "1/day")
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-320, 1e307, 1e308, 2**63, 2**63 - 1, -(2**63), 1e-9, 1e9]),
)
RATES = st.one_of(
    st.builds(lambda x, u: f"{x}{u}", NUMBERS, st.sampled_from(UNITS)),
    st.sampled_from(["1e307/s", "1e5/s", "inf/day", "nan/day", "-1/day", "0/day", "1e-320/s"]),
)
NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["Nowhere", "../../x", "/abs", "$\\frac{1}{$", "\x1b[2J", "\u202e", "", "S", "Z", "bite"]
    ),
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


SCALARS = st.one_of(NUMBERS, RATES, NAMES, st.booleans())
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(NAMES, SCALARS, max_size=3),
    st.integers(min_value=10, max_value=80).map(_nested),
)


SCALES = (0.0, 1e-9, 1e-3, 0.5, 2.0, 10.0, 1e3, 1e6, 1e12, 1e300)


def _scaled(value: Any, factor: float) -> Any:
    """A number, or the number of a "value unit" string, times `factor`; others unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(min(value * factor, 2**63 - 1))
    if isinstance(value, float):
        return value * factor
    if isinstance(value, str):
        number = value.split("/")[0].rstrip("abcdefghijklmnopqrstuvwxyz ")
        try:
            x = float(number)
        except ValueError:
            return value
        return f"{x * factor:g}{value[len(number) :]}"
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value


@cache
def builtin_data(name: str) -> dict[str, Any]:
    return tomllib.loads(builtin_scenario_text(name))


def _paths(data: Any) -> list[tuple[Any, ...]]:
    """Every path to a table entry or array element, in a stable order (depth first).

    Without recursion: a "deep" mutation nests 1,100 levels, past Python's recursion limit,
    and a RecursionError inside a strategy depends on how deep Hypothesis' own stack is at
    the time, which Hypothesis reports as a strategy that draws differently from run to run.
    """
    found: list[tuple[Any, ...]] = []
    stack = [((), iter(data.items() if isinstance(data, dict) else enumerate(data)))]
    while stack:
        prefix, items = stack[-1]
        step = next(items, None)
        if step is None:
            stack.pop()
            continue
        key, value = step
        path = (*prefix, key)
        found.append(path)
        if isinstance(value, dict | list):
            stack.append(
                (path, iter(value.items() if isinstance(value, dict) else enumerate(value)))
            )
    return found


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _deep_copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deep_copy(v) for v in data]
    return data


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@dataclass
class Case:
    """A mutated built-in scenario, and the overrides given with it."""

    base: str
    data: dict[str, Any]
    overrides: list[str] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)


def _override_text(value: Any) -> str:
    if isinstance(value, str):
        return value if value and value[0] in "[{\"'" else f'"{value}"'
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@st.composite
def cases(draw: st.DrawFn, bases: tuple[str, ...] | None = None) -> Case:
    """A case: a built-in scenario, mutated."""
    base = draw(st.sampled_from(bases or tuple(builtin_scenario_names())))
    data = _deep_copy(builtin_data(base))
    case = Case(base, data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        ops = ["delete", "replace", "rate", "name", "unknown", "deep", "scale", "scale"]
        op = draw(st.sampled_from(ops))
        case.mutations.append(f"{op} {'.'.join(map(str, path))}")
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(VALUES)
        elif op == "rate":
            parent[key] = draw(RATES)
        elif op == "name":
            parent[key] = draw(NAMES)
        elif op == "unknown" and isinstance(parent, dict):
            parent[draw(NAMES) or "k"] = draw(VALUES)
        elif op == "scale":
            # A plausible value made extreme: the schema lets it through, the engines must not
            # fail on it (most other mutations stop at the schema).
            parent[key] = _scaled(parent[key], draw(st.sampled_from(SCALES)))
        elif op == "deep":
            # Mostly shallow enough to parse fast; now and then past Python's recursion limit.
            parent[key] = _nested(draw(st.sampled_from([20, 33, 60, 100, 200, 400, 1100])))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        paths = [p for p in _paths(builtin_data(base)) if all(isinstance(k, str) for k in p)]
        key = ".".join(draw(st.sampled_from(paths))) if paths else "name"
        deep = st.sampled_from([10, 40, 300, 900]).map(lambda d: "[" * d + "]" * d)
        value = draw(st.one_of(SCALARS, deep))
        case.overrides.append(f"{key}={_override_text(value)}")
    return case

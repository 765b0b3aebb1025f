"""Parameter sweeps: `--vary KEY=LO:HI:N` read into axes of values, and the grid of points.

KEY is a dotted path into the scenario, as for `--set` (`parameters.kill_rate`, `initial.S`,
`time.horizon`, `culls[0].fraction`), naming a number that the scenario already holds (a model
parameter counts even where the scenario file keeps the model's default).

LO and HI are in the unit the scenario writes that value in ("0.0008/day" is in per day), and
may carry their own unit instead ("0.5/h", "36h"), which is converted. The axis values, and
the columns of runs.parquet, are always in the scenario's unit. A key holding a whole number
(a count) is swept over whole numbers: values that round to the same number would run fewer
points than asked for, so such an axis is refused. Values are evenly spaced, or evenly spaced in
the log with `--log`; the grid is the product of the axes, the first axis varying slowest.

A key cannot be both varied and given with `--set`: the axis' values are put in after the
overrides, so the `--set` would be replaced at every point without a word; it is refused.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from hyosan.ensemble.errors import VaryError
from hyosan.scenario.units import SECONDS_PER, parse_duration, parse_rate

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["Axis", "grid", "key_label", "parse_vary", "unit_text"]

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_RATE_RE = re.compile(rf"^\s*{_NUMBER}\s*(?:/|per\s+)\s*(?P<unit>[a-zA-Z]+)\s*$")
_DURATION_RE = re.compile(rf"^\s*{_NUMBER}\s*(?P<unit>[a-zA-Z]+)\s*$")
_BARE_RE = re.compile(rf"^\s*{_NUMBER}\s*$")
_KEY_RE = re.compile(r"^[^.\[\]=]+(?:\.[^.\[\]=]+|\[\d+\])*$")
_FORMAT = "write --vary KEY=LO:HI:N, e.g. --vary parameters.kill_rate=0.0002:0.0014:7"
#: hyosan sample's: a range, its points drawn by the design.
_RANGE_FORMAT = "write --vary KEY=LO:HI, e.g. --vary parameters.kill_rate=0.0002:0.0014"
#: The most points a sweep's grid may have (the product of the axes' N): checked before the
#: grid is built, which a mistyped N would otherwise fill memory with.
MAX_POINTS = 1_000_000

Kind = Literal["rate", "duration", "number"]


@dataclass(frozen=True)
class Axis:
    """One swept key and its values, in the unit the scenario writes it in."""

    key: str
    values: tuple[float, ...]
    kind: Kind
    unit: str | None
    log: bool
    whole: bool
    spec: str

    def override(self, value: float) -> str:
        """The `--set` override that puts `value` (in the axis' unit) into the scenario."""
        if self.kind == "rate":
            return f'{self.key}="{float(value)!r}/{self.unit}"'
        if self.kind == "duration":
            return f'{self.key}="{float(value)!r}{self.unit}"'
        if self.whole:
            return f"{self.key}={int(value)}"
        return f"{self.key}={float(value)!r}"

    @property
    def label(self) -> str:
        """The key with its unit, for axis labels and tables."""
        return key_label(self.key, self.kind, self.unit)

    def describe(self) -> dict[str, Any]:
        """The axis as summary.json lists it."""
        return {
            "key": self.key,
            "unit": unit_text(self.kind, self.unit),
            "log": self.log,
            "values": list(self.values),
        }


def key_label(key: str, kind: str, unit: str | None) -> str:
    """A key with its unit, for axis labels and tables: `parameters.bite_rate (per day)`."""
    if kind == "rate":
        return f"{key} (per {unit})"
    if kind == "duration":
        return f"{key} ({unit})"
    return key


def unit_text(kind: str, unit: str | None) -> str | None:
    """A key's unit as summaries write it: `/day` for a rate, `h` for a duration."""
    return None if unit is None else ("/" if kind == "rate" else "") + unit


def _path(key: str) -> list[int | str] | None:
    key = key.strip()
    if not _KEY_RE.match(key):
        return None
    return [int(i) if i else k.strip() for i, k in re.findall(r"\[(\d+)\]|([^.\[\]]+)", key)]


def _lookup(data: Any, parts: list[int | str]) -> Any:
    for part in parts:
        in_list = isinstance(part, int) and isinstance(data, list) and part < len(data)
        if in_list or (isinstance(part, str) and isinstance(data, dict) and part in data):
            data = data[part]
        else:
            return None
    return data


def _numeric_keys(data: Any, prefix: str = "") -> list[str]:
    """Dotted keys of the scenario that hold a number, a rate or a duration."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _numeric_keys(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _numeric_keys(v, f"{prefix}[{i}]")
    elif _classify(data) is not None:
        out.append(prefix)
    return out


def _classify(value: Any) -> tuple[Kind, str | None, bool] | None:
    """(kind, unit, whole) of a value in a scenario, or None if it is not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "number", None, isinstance(value, int)
    if isinstance(value, str):
        m = _RATE_RE.match(value)
        if m and m["unit"].lower() in SECONDS_PER:
            return "rate", m["unit"], False
        m = _DURATION_RE.match(value)
        if m and m["unit"].lower() in SECONDS_PER:
            return "duration", m["unit"], False
    return None


def _current(key: str, data: dict[str, Any], scenario: Scenario) -> Any:
    if key == "seed":
        raise VaryError("--vary seed: the runs' seeds come from the root seed (--seed)")
    parts = _path(key)
    if parts is None:
        raise VaryError(
            f"--vary {key!r}: cannot read the key; write a dotted path such as "
            "parameters.kill_rate or culls[0].fraction"
        )
    value = _lookup(data, parts)
    if value is None and len(parts) == 2 and parts[0] == "parameters":
        # A model parameter the scenario leaves at the model's default.
        param = scenario.model.parameters.get(str(parts[1]))
        if param is not None:
            value = param.value.text
    if value is None or _classify(value) is None:
        keys = [*(f"parameters.{p}" for p in scenario.model.parameters), *_numeric_keys(data)]
        keys = [k for k in keys if k != "seed"]  # the root seed is --seed, not a parameter
        keys = list(dict.fromkeys(keys))
        shown = ", ".join(keys[:12]) + (f", ... ({len(keys)} in all)" if len(keys) > 12 else "")
        what = "is not in the scenario" if value is None else "does not hold a number"
        raise VaryError(f"--vary {key!r}: {what}; keys that can be varied: {shown}")
    return value


def _bound(text: str, key: str, kind: Kind, unit: str | None) -> float:
    """A bound in the axis' unit, from a bare number or a quantity with its own unit."""
    if _BARE_RE.match(text):
        return float(text)
    if kind == "number":
        raise VaryError(
            f"--vary {key}: {text!r} has a unit, but {key} holds a plain number; "
            "write LO and HI without a unit"
        )
    try:
        if kind == "rate":
            return float(parse_rate(text)) * SECONDS_PER[str(unit).lower()]
        return float(parse_duration(text)) / SECONDS_PER[str(unit).lower()]
    except ValueError as exc:
        example = f'"0.5/{unit}"' if kind == "rate" else f'"3{unit}"'
        raise VaryError(
            f"--vary {key}: bad bound {text!r} ({exc}); give a bare number in the scenario's "
            f"unit ({'per ' if kind == 'rate' else ''}{unit}) or a {kind} with its unit, "
            f"e.g. {example}"
        ) from None


def _set_of(key: str, overrides: list[str] | tuple[str, ...]) -> str | None:
    """The `--set` among `overrides` that gives `key` a value, or None: one of the key itself,
    or of a table or list holding it whose value holds the key (`--set 'initial={S=9, I=2}'`
    gives initial.I; `--set initial.S=9` does not)."""
    parts = _path(key)
    if parts is None:
        return None
    for item in overrides:
        set_key, sep, value = item.partition("=")
        set_parts = _path(set_key)
        if not sep or set_parts is None or set_parts != parts[: len(set_parts)]:
            continue
        if len(set_parts) == len(parts):
            return item
        try:  # read as apply_overrides reads it: TOML, else the text itself
            given = tomllib.loads(f"v = {value}")["v"]
        except (tomllib.TOMLDecodeError, RecursionError, ValueError):
            continue  # text, not a table: it holds no key (and fails validation anyway)
        if _lookup(given, parts[len(set_parts) :]) is not None:
            return item
    return None


def _spaced(lo: float, hi: float, n: int, log: bool) -> np.ndarray:
    """`n` values from `lo` to `hi`, evenly spaced (in the log with `log`)."""
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def _distinct_whole(lo: float, hi: float, n: int, log: bool) -> np.ndarray:
    """The distinct whole numbers that `n` points from `lo` to `hi` round to."""
    return np.unique(np.round(_spaced(lo, hi, n, log)))


def _check_whole_points(key: str, spec: str, lo: float, hi: float, n: int, log: bool) -> None:
    """Refuse N points of a whole-number key that round to fewer than N whole numbers: they
    would run fewer points than asked for (`initial.I=1:3:5` is 1, 2, 3)."""
    found = _distinct_whole(lo, hi, n, log)
    if len(found) == n:
        return
    # The most points that stay distinct, for the message: N = len(found) need not be (log
    # spacing crowds the low end), so search below it; N = 2 (LO and HI) always is.
    good, bad = 2, len(found) + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        good, bad = (mid, bad) if len(_distinct_whole(lo, hi, mid, log)) == mid else (good, mid)
    shown = ", ".join(f"{v:g}" for v in found[:10]) + (", ..." if len(found) > 10 else "")
    raise VaryError(
        f"--vary {spec}: {key} holds a whole number, and the {n} points asked for"
        f"{' (log spaced)' if log else ''} round to only {len(found)} distinct whole numbers "
        f"({shown}); ask for N = {good} or fewer, or widen the range"
    )


def parse_vary(
    specs: list[str] | tuple[str, ...] | str,
    scenario_text: str,
    scenario: Scenario,
    *,
    overrides: list[str] | tuple[str, ...] = (),
    log: bool = False,
    ranges: bool = False,
) -> list[Axis]:
    """Read `--vary KEY=LO:HI:N` specifications against a scenario.

    Parameters
    ----------
    specs
        The `--vary` values, one axis each.
    scenario_text
        The scenario's TOML text (to find the unit each key is written in).
    scenario
        The same scenario, validated (for the model's default parameter values).
    overrides
        `--set` overrides applied to the scenario before the sweep.
    log
        Space the values evenly in the log (both bounds must be above zero).
    ranges
        Read `KEY=LO:HI` instead (hyosan sample): each axis is its two bounds.

    Returns
    -------
    list of Axis
        One per specification, in order.

    Raises
    ------
    VaryError
        Naming the flag and what is allowed, for an unreadable specification, an unknown key,
        a key also given with `--set`, LO above HI, N below 1, a bad unit, a non-positive
        bound with `--log`, or N points of a whole-number key that round to fewer numbers.
    """
    from hyosan.scenario.load import apply_overrides

    form = _RANGE_FORMAT if ranges else _FORMAT
    if isinstance(specs, str):  # one specification, not its characters
        specs = [specs]
    if not specs:
        raise VaryError(f"a {'sample' if ranges else 'sweep'} needs at least one --vary; {form}")
    data = tomllib.loads(scenario_text)
    apply_overrides(data, list(overrides))
    axes: list[Axis] = []
    points = 1
    for spec in specs:
        key, sep, rng = spec.partition("=")
        key = key.strip()
        bounds = rng.split(":") + (["2"] if ranges else [])
        if not sep or not key or len(bounds) != 3:
            raise VaryError(f"--vary {spec!r}: cannot read it; {form}")
        if any(a.key == key for a in axes):
            raise VaryError(f"--vary {key}: given twice; vary each key once")
        given = _set_of(key, overrides)
        if given is not None:
            raise VaryError(
                f"--vary {key}: the key is both set (--set {given}) and varied, and the varied "
                "values would replace the --set at every point; give either the --set or the "
                "--vary"
            )
        kind, unit, whole = _classify(_current(key, data, scenario)) or ("number", None, False)
        lo = _bound(bounds[0].strip(), key, kind, unit)
        hi = _bound(bounds[1].strip(), key, kind, unit)
        try:
            n = int(bounds[2].strip())
        except ValueError:
            raise VaryError(
                f"--vary {key}: N must be a whole number of points, 1 or more; "
                f"found {bounds[2].strip()!r}"
            ) from None
        if n < 1:
            raise VaryError(f"--vary {key}: N must be 1 or more; found {n}")
        points *= n
        if points > MAX_POINTS:
            raise VaryError(
                f"--vary {key}: {points:,} points in the grid so far; a sweep takes at most "
                f"{MAX_POINTS:,} (the product of the axes' N); give fewer, or let hyosan "
                "sample draw the points"
            )
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise VaryError(f"--vary {key}: LO and HI must be finite numbers")
        if lo > hi:
            raise VaryError(f"--vary {key}: LO ({lo:g}) is above HI ({hi:g}); {form}")
        if n == 1 and lo != hi and not ranges:
            raise VaryError(
                f"--vary {key}: N = 1 is one value, but LO ({lo:g}) and HI ({hi:g}) differ; "
                f"give {key}={bounds[0].strip()}:{bounds[0].strip()}:1 for that one value, "
                "or N of 2 or more to span LO to HI"
            )
        if whole and not (float(lo).is_integer() and float(hi).is_integer()):
            raise VaryError(
                f"--vary {key}: {key} holds a whole number; LO and HI must be whole numbers "
                f"(found {lo:g} and {hi:g})"
            )
        if n > 1 and lo == hi:
            raise VaryError(
                f"--vary {key}: LO and HI must differ"
                if ranges
                else f"--vary {key}: LO equals HI; give N = 1 for a single value"
            )
        if log and (lo <= 0 or hi <= 0):
            raise VaryError(
                f"--vary {key}: --log needs LO and HI above zero; found {lo:g} and {hi:g}"
            )
        values = _spaced(lo, hi, n, log)
        if whole:
            _check_whole_points(key, spec, lo, hi, n, log)
            values = np.round(values)
        axes.append(
            Axis(
                key=key,
                values=tuple(float(v) for v in values),
                kind=kind,
                unit=unit,
                log=log,
                whole=whole,
                spec=spec,
            )
        )
    return axes


def grid(axes: list[Axis] | tuple[Axis, ...]) -> list[dict[str, float]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    return [
        dict(zip([a.key for a in axes], combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    ]

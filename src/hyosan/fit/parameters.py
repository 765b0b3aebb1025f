"""The fitted values: scenario keys (as `--set` and `--vary` address them) and nuisance values.

A FitParameter knows the unit its key is written in, its bounds and prior in that unit, the
scenario's own value, and how to put a value back into the scenario (an override). The
optimisers and samplers work on u: the value itself for a uniform prior, its logarithm for a
log-uniform one, so that the prior is flat (and proper) on a box in u.

Keys are those of `--set`, less those that cannot change the fit (`_unfittable`): each value
has one key (a model's parameter is `parameters.NAME`, never `model.parameters.NAME`), and the
fit itself sets the horizon and the output times from the data. Two keys naming the same value
are refused, not fitted twice.

Observation models add nuisance values that are not in the scenario: `obs.dispersion` (the
negative binomial's k, variance μ + μ²/k) and `obs.sigma` (the normal model's standard
deviation). Their bounds may be given under the same keys in `[fit.parameters]`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hyosan.ensemble.errors import VaryError
from hyosan.ensemble.vary import (
    _bound,
    _classify,
    _current,
    _numeric_keys,
    _path,
    key_label,
    unit_text,
)
from hyosan.fit.errors import FitError
from hyosan.fit.spec import FIT_FORMAT, PriorSpec
from hyosan.scenario.units import SECONDS_PER

if TYPE_CHECKING:
    from hyosan.scenario.schema import Scenario

__all__ = ["NUISANCE", "FitParameter", "canonical_key", "fittable_keys", "resolve_parameters"]

#: Nuisance values of each observation model, with default bounds (log-uniform).
NUISANCE: dict[str, tuple[str, tuple[float, float]]] = {
    "negative-binomial": ("obs.dispersion", (0.1, 1e4)),
    "normal": ("obs.sigma", (0.01, 1e4)),
}

_NUMBER_RE = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


@dataclass(frozen=True)
class FitParameter:
    """One fitted value, its bounds and prior, in the unit its key is written in."""

    key: str
    low: float
    high: float
    log: bool
    kind: str = "number"
    unit: str | None = None
    whole: bool = False
    value: float | None = None
    nuisance: bool = False

    @property
    def u_low(self) -> float:
        """The lower bound in u (log for a log-uniform prior)."""
        return math.log(self.low) if self.log else self.low

    @property
    def u_high(self) -> float:
        """The upper bound in u."""
        return math.log(self.high) if self.log else self.high

    def to_u(self, v: Any) -> Any:
        """A value (or array) in the key's unit, to u."""
        return np.log(v) if self.log else v

    def from_u(self, u: Any) -> Any:
        """u back to the key's unit."""
        return np.exp(u) if self.log else u

    def override(self, v: float) -> str:
        """The `--set` override that puts value v into the scenario."""
        if self.kind == "rate":
            return f'{self.key}="{float(v)!r}/{self.unit}"'
        if self.kind == "duration":
            return f'{self.key}="{float(v)!r}{self.unit}"'
        if self.whole:
            return f"{self.key}={round(float(v))}"
        return f"{self.key}={float(v)!r}"

    def per_second(self, v: Any) -> Any:
        """The value in hyosan's internal units: rates per second, durations in seconds."""
        if self.kind == "rate":
            return v / SECONDS_PER[str(self.unit).lower()]
        if self.kind == "duration":
            return v * SECONDS_PER[str(self.unit).lower()]
        return v

    @property
    def label(self) -> str:
        """The key with its unit, for tables and plots."""
        return key_label(self.key, self.kind, self.unit)

    def describe(self) -> dict[str, Any]:
        """The parameter as fit.json lists it."""
        return {
            "key": self.key,
            "unit": unit_text(self.kind, self.unit),
            "prior": "log-uniform" if self.log else "uniform",
            "low": self.low,
            "high": self.high,
            "scenario_value": self.value,
        }


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = _NUMBER_RE.match(str(value))
    return float(m[1]) if m else None


def _nuisance(key: str, prior: PriorSpec | None, default: tuple[float, float]) -> FitParameter:
    if prior is None:
        return FitParameter(key, default[0], default[1], log=True, nuisance=True)
    try:
        low, high = float(prior.low), float(prior.high)
    except ValueError:
        raise FitError(f"fit.parameters.{key}: low and high are plain numbers") from None
    if not (0 < low < high) or not math.isfinite(high):
        raise FitError(
            f"fit.parameters.{key}: needs 0 < low < high; found low {low:g}, high {high:g}"
        )
    return FitParameter(key, low, high, log=prior.prior == "log-uniform", nuisance=True)


def canonical_key(key: str) -> str:
    """A key as one dotted path without stray spaces (`parameters . x` is `parameters.x`)."""
    parts = _path(key)
    if parts is None:
        return key.strip()
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out


def _value_of(key: str) -> str:
    """The key of the value a key sets: `model.parameters.NAME` and `model.parameters.NAME.value`
    set the model's parameter NAME, whose key is `parameters.NAME`."""
    parts = canonical_key(key).split(".")
    if parts[:2] == ["model", "parameters"] and len(parts) > 2 and parts[3:] in ([], ["value"]):
        return f"parameters.{parts[2]}"
    return canonical_key(key)


def _unfittable(key: str) -> str | None:
    """Why a key of the scenario cannot be fitted, or None if it can."""
    key = canonical_key(key)
    if key.startswith("model.parameters."):
        name = key.split(".")[2]
        return (
            f"write parameters.{name} instead: a fit names each value by one key, and the "
            f"model's parameter {name!r} by parameters.{name} (whose value replaces the "
            f"model's own, model.parameters.{name}, wherever a scenario gives both)"
        )
    if key in ("time.horizon", "time.output_every"):
        return (
            "the fit runs the scenario to the data's last time, with an output at each "
            f"observation time, so {key} cannot change the fit"
        )
    if key.startswith("record."):
        return f"{key} chooses what a run keeps, which cannot change the fit"
    return None


def fittable_keys(data: dict[str, Any], scenario: Scenario) -> list[str]:
    """The keys of the scenario (its TOML data, with overrides) that a fit can use, each value
    under one key."""
    keys = [*(f"parameters.{p}" for p in scenario.model.parameters), *_numeric_keys(data)]
    return list(dict.fromkeys(k for k in keys if k != "seed" and _unfittable(k) is None))


def _shown(keys: list[str]) -> str:
    return ", ".join(keys[:12]) + (f", ... ({len(keys)} in all)" if len(keys) > 12 else "")


def _in_fit_words(message: str) -> str:
    # The key's lookup and its bounds' units are read as `--vary` reads them (ensemble.vary);
    # its messages are put in the words of a fitted value.
    for vary, fit in (
        ("--vary ", "fit parameter "),
        ("keys that can be varied", "keys that can be fitted"),
        ("LO and HI", "LOW and HIGH"),
    ):
        message = message.replace(vary, fit)
    return message


def _check_bounds(p: FitParameter) -> None:
    """Refuse bounds that cannot hold a prior: not finite, not ordered, a log-uniform prior
    reaching zero, a negative rate or count, or bounds that exclude the scenario's value."""
    key, low, high = p.key, p.low, p.high
    if not (math.isfinite(low) and math.isfinite(high)):
        raise FitError(f"fit parameter {key}: LOW and HIGH must be finite numbers; {FIT_FORMAT}")
    if not low < high:
        raise FitError(
            f"fit parameter {key}: low ({low:g}) must be below high ({high:g}); {FIT_FORMAT}"
        )
    if p.whole and not (float(low).is_integer() and float(high).is_integer()):
        raise FitError(
            f"fit parameter {key}: {key} holds a whole number; LOW and HIGH must be whole "
            f"numbers (found {low:g} and {high:g})"
        )
    if p.log and low <= 0:
        raise FitError(
            f"fit parameter {key}: a log-uniform prior needs low above zero; found {low:g}"
        )
    # The samplers put values straight into the engines (FitParameter.per_second), past the
    # scenario's checks: a negative rate or count would be simulated, not refused.
    if low < 0 and (p.kind == "rate" or key.startswith("initial.")):
        what = "a rate" if p.kind == "rate" else "an initial count"
        raise FitError(
            f"fit parameter {key}: the bounds of {what} must be 0 or more (≥ 0); found low "
            f"{low:g}{unit_text(p.kind, p.unit) or ''}"
        )
    if p.value is not None and not low <= p.value <= high:
        raise FitError(
            f"fit parameter {key}: the bounds [{low:g}, {high:g}] exclude the scenario's "
            f"value {p.value:g}; widen them or set the value inside with --set"
        )


def _check_allowed(
    p: FitParameter, scenario_text: str, overrides: list[str] | tuple[str, ...]
) -> None:
    """Refuse a bound that the scenario schema does not allow for the key (a fraction above 1,
    a negative duration), as `sweep --vary` refuses the ends of its axes: the schema's
    bounds are intervals, so the values between two allowed ends are allowed too."""
    from hyosan.errors import ScenarioError
    from hyosan.scenario.load import parse_scenario

    for end, v in (("low", p.low), ("high", p.high)):
        try:
            parse_scenario(scenario_text, "the scenario", overrides, unnoted=(p.override(v),))
        except ScenarioError as exc:
            problems = "; ".join(str(q) for q in exc.problems)
            raise FitError(
                f"fit parameter {p.key}: {end} ({v:g}) is not allowed for this key: {problems}"
            ) from None


def resolve_parameters(
    priors: dict[str, PriorSpec],
    scenario_text: str,
    scenario: Scenario,
    *,
    observation: str,
    overrides: list[str] | tuple[str, ...] = (),
) -> list[FitParameter]:
    """The fitted values of a specification, checked against the scenario.

    Parameters
    ----------
    priors
        Key -> bounds and prior, from `[fit.parameters]` and `--fit` flags.
    scenario_text
        The scenario's TOML (without `[fit]`), to find the unit each key is written in.
    scenario
        The same scenario, validated.
    observation
        The observation model, which may add a nuisance value.
    overrides
        `--set` overrides applied to the scenario.

    Raises
    ------
    FitError
        An unknown key, one that does not hold a number, unreadable bounds, low not below
        high, a log-uniform prior reaching zero, a negative bound of a rate or an initial
        count (or any bound the scenario schema does not allow for the key), or bounds that
        exclude the scenario's value.
    """
    nuisance_keys = {key for key, _ in NUISANCE.values()}
    scenario_keys = [k for k in priors if k not in nuisance_keys]
    if not scenario_keys:
        raise FitError(
            "nothing to fit: name the values in [fit.parameters] or with --fit KEY=LOW:HIGH, "
            "e.g. --fit parameters.bite_rate=0.1:2:log"
        )
    from hyosan.scenario.load import apply_overrides

    data = tomllib.loads(scenario_text)
    apply_overrides(data, list(overrides))
    seen: dict[str, str] = {}
    for key in scenario_keys:
        value = _value_of(key)
        if value in seen:
            raise FitError(
                f"fit parameters {seen[value]} and {key} name the same value ({value}): it "
                f"would be fitted twice; fit it once, as {value}"
            )
        seen[value] = key
    out: list[FitParameter] = []
    for given in scenario_keys:
        prior, key = priors[given], canonical_key(given)
        if key == "seed":
            raise FitError("fit.parameters.seed: the seed is not a parameter; fit a number")
        why = _unfittable(key)
        if why is not None:
            raise FitError(f"fit parameter {key}: {why}")
        try:
            current = _current(key, data, scenario)
            kind, unit, whole = _classify(current) or ("number", None, False)
            low, high = (_bound(str(b).strip(), key, kind, unit) for b in (prior.low, prior.high))
        except VaryError as exc:
            message = _in_fit_words(str(exc))
            # Only the keys a fit can use are offered, each value under one key.
            head, listed, _ = message.partition("; keys that can be fitted: ")
            if listed:
                message = f"{head}{listed}{_shown(fittable_keys(data, scenario))}"
            raise FitError(message) from None
        param = FitParameter(
            key, low, high, prior.prior == "log-uniform", kind, unit, whole, _number(current)
        )
        _check_bounds(param)
        _check_allowed(param, scenario_text, overrides)
        out.append(param)
    if observation in NUISANCE:
        key, default = NUISANCE[observation]
        out.append(_nuisance(key, priors.get(key), default))
    extra = [k for k in priors if k in nuisance_keys and NUISANCE.get(observation, ("",))[0] != k]
    if extra:
        raise FitError(
            f"fit parameter {extra[0]}: the {observation} observation model has no such value"
        )
    return out

"""What to fit: the `[fit]` table of a scenario file, or `--fit KEY=LOW:HIGH[:log]` flags.

```toml
[fit]
data = "hvz.csv"                 # relative to the scenario file
time_column = "t"
time_unit = "h"
columns = ["S", "Z"]             # default: every column but the time
cumulative = []                  # columns holding counts of entries since the start
window = ["0h", "72h"]           # observations used (default: all)
observation = "poisson"          # "normal", "poisson" or "negative-binomial"
method = "mle"                   # "mle", "abc" or "pmmh"

[fit.abc]                        # options of the method (also [fit.mle], [fit.pmmh])
kernel = "auto"                  # "likelihood" (ode's default), "distance" (classic ABC)
take_off = { column = "Z", at_least = 51 }   # the data were kept because they took off

[fit.parameters]
"parameters.bite_rate" = { low = 0.1, high = 2, prior = "log-uniform" }
"initial.Z" = { low = 1, high = 10 }
```

Keys are those of `--set` and `sweep --vary`: any number the scenario holds, bounds in the unit
the scenario writes it in or with their own unit. The table is validated here (the scenario
schema does not know it); the scenario is loaded with the table removed. Other commands (`run`,
`validate`, `sweep`, ...) ignore the table, but the scenario loader reports its problems
(`fit_table_problems`), so a file that `hyosan fit` would refuse is not called valid.
"""

from __future__ import annotations

import re
import tomllib
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hyosan.fit.errors import FitError
from hyosan.scenario.load import too_deep_to_parse
from hyosan.scenario.units import SECONDS_PER

__all__ = [
    "FIT_FORMAT",
    "AbcOptions",
    "FitSpec",
    "MleOptions",
    "PmmhOptions",
    "PriorSpec",
    "TakeOff",
    "fit_table_problems",
    "parse_fit_flag",
    "split_fit_table",
]

Observation = Literal["normal", "poisson", "negative-binomial"]
Method = Literal["mle", "abc", "pmmh"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorSpec(_Strict):
    """Bounds of one fitted value and its prior between them (uniform or log-uniform)."""

    low: float | str
    high: float | str
    prior: Literal["uniform", "log-uniform"] = "uniform"

    @field_validator("prior", mode="before")
    @classmethod
    def _log_is_log_uniform(cls, value: object) -> object:
        # `--fit KEY=LOW:HIGH:log` says "log"; a table or a mapping may say it the same way.
        return "log-uniform" if value == "log" else value


class MleOptions(_Strict):
    """Maximum likelihood: optimiser starts and the interval level."""

    starts: int = Field(default=4, ge=1, le=200)
    level: float = Field(default=0.95, gt=0, lt=1)


class TakeOff(_Strict):
    """Simulated runs kept only if they took off, as the data did (see abc.py).

    A run takes off when its `column` (one of the data's, before observation noise) reaches
    `at_least` at some observation time; a candidate whose first `tries` runs all fizzle out is
    rejected.
    """

    column: str
    at_least: float = Field(gt=0)
    tries: int = Field(default=100, ge=1, le=100_000)


class AbcOptions(_Strict):
    """ABC-SMC: population size, generations, when to stop, the kernel and the conditioning.

    `kernel = "likelihood"` accepts a simulation with the probability the observation model
    gives the data about it, tempered (see abc.py): it reaches the exact posterior when its
    temperature falls to 1, as it does for the ode engine. `kernel = "distance"` is the classic
    uniform kernel on a distance between simulated and observed counts, whose posterior is
    wider than the exact one by however far ε stays above the observation noise. "auto" (the
    default): likelihood for the ode engine, distance for the stochastic ones (whose runs
    scatter too much about the data for the likelihood kernel to cool far). `quantile`: the
    distance kernel's next ε is this quantile of the population's distances; the likelihood
    kernel's next temperature keeps this fraction of the population's effective size.
    """

    population: int = Field(default=300, ge=20, le=100_000)
    generations: int = Field(default=12, ge=1, le=100)
    quantile: float = Field(default=0.5, gt=0, lt=1)
    min_acceptance: float = Field(default=0.02, gt=0, le=1)
    batch: int = Field(default=32, ge=1, le=10_000)
    kernel: Literal["auto", "likelihood", "distance"] = "auto"
    take_off: TakeOff | None = None


class PmmhOptions(_Strict):
    """Particle marginal Metropolis-Hastings: chains, iterations, particles."""

    chains: int = Field(default=4, ge=1, le=64)
    iterations: int = Field(default=2000, ge=10, le=1_000_000)
    burn_in: int | None = Field(default=None, ge=0)
    particles: int = Field(default=200, ge=2, le=1_000_000)


class FitSpec(_Strict):
    """The `[fit]` table: data, fitted values with their priors, the observation model."""

    data: str | None = None
    time_column: str = "t"
    time_unit: str = "d"
    columns: tuple[str, ...] | None = None
    cumulative: tuple[str, ...] = ()
    window: tuple[str, str] | None = None
    observation: Observation = "poisson"
    method: Method | None = None
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    parameters: dict[str, PriorSpec] = Field(default_factory=dict)
    mle: MleOptions = Field(default_factory=MleOptions)
    abc: AbcOptions = Field(default_factory=AbcOptions)
    pmmh: PmmhOptions = Field(default_factory=PmmhOptions)

    @field_validator("time_unit")
    @classmethod
    def _known_time_unit(cls, value: str) -> str:
        # Checked here, not when the data are read: a mistyped unit is the option's (or the
        # table's) fault, not the data file's.
        if value.strip().lower() not in SECONDS_PER:
            raise ValueError(f"not a time unit; allowed: {TIME_UNITS}")
        return value.strip().lower()

    @classmethod
    def from_table(cls, table: dict[str, Any], source: str) -> FitSpec:
        """Validate a `[fit]` table, reporting every problem with its field."""
        try:
            return cls.model_validate(table)
        except ValidationError as exc:
            raise FitError(_render(source, exc)) from None

    def merged(self, **changes: Any) -> FitSpec:
        """A copy with the given fields replaced (None leaves a field as it is); a value that
        is not allowed is refused as a command-line option (`--observation gaussian`)."""
        data = self.model_dump()
        given = {k: v for k, v in changes.items() if v is not None}
        data.update(given)
        try:
            return FitSpec.model_validate(data)
        except ValidationError as exc:
            # An option's own value is at fault: name the option, not a [fit] field.
            flagged = [
                f"--{str(err['loc'][0]).replace('_', '-')} {given[str(err['loc'][0])]}: "
                + _message(err, found=False)
                for err in exc.errors(include_url=False)
                if len(err["loc"]) == 1 and str(err["loc"][0]) in given
            ]
            if len(flagged) == len(exc.errors()):
                raise FitError("; ".join(flagged)) from None
            raise FitError(_render("the options", exc)) from None


#: Units a data file's time column may be in (every spelling of SECONDS_PER is accepted).
TIME_UNITS = "s, min, h, d, w"
#: How a fitted value is written, for messages about one.
FIT_FORMAT = (
    "write --fit KEY=LOW:HIGH or KEY=LOW:HIGH:log (log-uniform), e.g. --fit "
    "parameters.kill_rate=0.0002:0.0014 or --fit parameters.bite_rate=0.1:2:log"
)


def _message(err: Any, *, found: bool = True) -> str:
    """A validation error's message in the words of the table (no "Value error, "), with
    the value found unless the caller shows it."""
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        table, fields = _table_at(tuple(err["loc"][:-1]))
        return f"unknown key; allowed in [{table}]: {', '.join(fields)}"
    if err["type"] == "missing":
        return "missing; this field is required"
    if found and "input" in err:
        msg += f"; found {err['input']!r}"
    return msg


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(dotted path from `fit`, message) of each problem of a [fit] table."""
    out = []
    for err in exc.errors(include_url=False):
        path = "fit" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"] if p is not None
        )
        out.append((path, _message(err)))
    return out


def _render(source: str, exc: ValidationError) -> str:
    lines = [f"  - {path}: {msg}" for path, msg in _problems(exc)]
    n = len(lines)
    return "\n".join([f"{source}: {n} problem{'s' if n != 1 else ''} in [fit]", *lines])


def fit_table_problems(table: Any) -> list[tuple[str, str]]:
    """What is wrong with a scenario file's `[fit]` table, as (dotted path, message) pairs.

    The scenario loader calls this for `hyosan validate`, `run` and the rest: they ignore the
    table, but report its problems as `hyosan fit` would (hyosan.scenario.load). The fitted
    values' keys and bounds are checked against the scenario only by `hyosan fit`.
    """
    if not isinstance(table, dict):
        return [("fit", f"must be a table ([fit]); found {table!r}")]
    try:
        FitSpec.model_validate(table)
    except ValidationError as exc:
        return _problems(exc)
    return []


def _table_at(loc: tuple[Any, ...]) -> tuple[str, list[str]]:
    """The table a validation error's location points into, and the keys it allows."""
    model: type[BaseModel] = FitSpec
    name = "fit"
    rest = list(loc)
    while rest:
        part = rest.pop(0)
        info = model.model_fields.get(str(part))
        if info is None:
            break
        name += f".{part}"
        inner = [a for a in _flatten(info.annotation) if isinstance(a, type)]
        models = [a for a in inner if issubclass(a, BaseModel)]
        if not models:
            break
        if dict in inner or typing.get_origin(info.annotation) is dict:
            if not rest:
                break
            rest.pop(0)  # the table's own key, e.g. a fitted parameter's
            name += ".<key>"
        model = models[0]
    return name, list(model.model_fields)


def _flatten(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    origin = typing.get_origin(annotation)
    return [origin, *(a for arg in args for a in _flatten(arg))]


def split_fit_table(text: str, source: str) -> tuple[str, dict[str, Any] | None]:
    """The scenario text without its `[fit]` table (and sub-tables), and that table's data.

    The scenario is then validated by the normal loader, which does not know `[fit]`. The
    lines of the table are blanked rather than removed, so that line numbers in the loader's
    messages still point into the file.
    """
    if too_deep_to_parse(text):
        return text, None  # the loader refuses it, naming the file
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text, None  # the loader reports the syntax error with its line
    table = data.get("fit")
    if table is None:
        return text, None
    if not isinstance(table, dict):
        raise FitError(f"{source}: fit must be a table ([fit]); found {table!r}")
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        m = header.match(line)
        if m:
            name = m[1].strip().strip("\"'")
            inside = name == "fit" or name.startswith(("fit.", '"fit".'))
        out.append("" if inside else line)
    stripped = "\n".join(out) + "\n"
    try:
        left = tomllib.loads(stripped)
    except tomllib.TOMLDecodeError:
        left = {"fit": True}
    if "fit" in left:  # written as a dotted key or inline table at the top: remove by data
        raise FitError(
            f"{source}: write the fit specification as a [fit] table (with [fit.parameters]), "
            "not as dotted keys or an inline table"
        )
    return stripped, table


def parse_fit_flag(flag: str) -> tuple[str, PriorSpec]:
    """`KEY=LOW:HIGH[:log]` read into a key and its prior (log: log-uniform)."""
    key, sep, rng = flag.partition("=")
    key = key.strip()
    parts = [p.strip() for p in rng.split(":")]
    if not sep or not key or len(parts) not in (2, 3) or not all(parts[:2]):
        raise FitError(f"--fit {flag!r}: cannot read it; {FIT_FORMAT}")
    prior: Literal["uniform", "log-uniform"] = "uniform"
    if len(parts) == 3:
        if parts[2].lower() not in ("log", "lin", "uniform", "log-uniform"):
            raise FitError(f"--fit {flag!r}: the third part is 'log' or nothing; {FIT_FORMAT}")
        prior = "log-uniform" if parts[2].lower() in ("log", "log-uniform") else "uniform"
    return key, PriorSpec(low=parts[0], high=parts[1], prior=prior)

"""Quantities with units: durations ("90s", "4h", "10d") and rates ("0.0095/day").

Inside hyosan one time unit is used throughout, the second. A scenario file always writes the
unit, so a value is never ambiguous; these types parse the text at the boundary, keep it for
writing the scenario back out, and behave as plain floats (seconds, or per second) everywhere
else.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

__all__ = [
    "SECONDS_PER",
    "UNIT_NAMES",
    "UNIT_WORDS",
    "Duration",
    "DurationField",
    "Rate",
    "RateField",
    "fit_unit",
    "format_duration",
    "format_rate",
    "format_time",
    "parse_duration",
    "parse_rate",
    "plain_number",
]

#: Seconds in each accepted time unit, by every spelling accepted in a file.
SECONDS_PER: dict[str, float] = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
    "y": 365.25 * 86400.0,
    "year": 365.25 * 86400.0,
    "years": 365.25 * 86400.0,
}

# "inf" and "nan" are read as numbers so that they are refused as not finite, not as unreadable.
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:[iI]nf(?:inity)?|[nN]a[nN])"
_DURATION_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>[a-zA-Z]+)\s*$")
_RATE_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?:/|per\s+)\s*(?P<unit>[a-zA-Z]+)\s*$")
_DURATION_EXAMPLE = '"90s", "4h" or "10d"'
_RATE_EXAMPLE = '"0.0095/day"'


def _example_number(value: float) -> str:
    # The number to show in an example: the user's own, unless it could not be valid anyway.
    return repr(value) if math.isfinite(value) and value >= 0 else "0.5"


_UNITS_HELP = "s, min, h, d, w, y"


class Duration(float):
    """A duration in seconds that remembers how it was written ("90s", "2.5d")."""

    text: str

    def __new__(cls, seconds: float, text: str | None = None) -> Duration:
        """A duration of `seconds`, written as `text` (default: the shortest exact form)."""
        obj = super().__new__(cls, seconds)
        obj.text = text if text is not None else format_duration(seconds)
        return obj

    def __repr__(self) -> str:
        return f"Duration({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Duration, (float(self), self.text))


class Rate(float):
    """A rate per second that remembers how it was written ("0.0095/day")."""

    text: str

    def __new__(cls, per_second: float, text: str | None = None) -> Rate:
        """A rate of `per_second`, written as `text` (default: "<value>/s")."""
        obj = super().__new__(cls, per_second)
        obj.text = text if text is not None else f"{per_second!r}/s"
        return obj

    def __repr__(self) -> str:
        return f"Rate({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Rate, (float(self), self.text))


def _unit_seconds(unit: str, text: str, example: str) -> float:
    try:
        return SECONDS_PER[unit.lower()]
    except KeyError:
        raise ValueError(
            f"unknown time unit {unit!r} in {text!r}; use one of {_UNITS_HELP}, e.g. {example}"
        ) from None


def parse_duration(value: Any) -> Duration:
    """Parse "90s", "4 h", "10d" into a Duration; a bare number is refused with an example."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            n = _example_number(value)
            raise ValueError(
                f'found the bare number {value!r}; a duration needs its unit, e.g. "{n}d" '
                f'or "{n}h" ({_UNITS_HELP})'
            )
        raise ValueError(
            f"expected a duration written as text with a unit, e.g. {_DURATION_EXAMPLE}; "
            f"found {value!r}"
        )
    m = _DURATION_RE.match(value)
    if m is None:
        raise ValueError(
            f"cannot read {value!r} as a duration; write a number and a unit, "
            f"e.g. {_DURATION_EXAMPLE}"
        )
    seconds = float(m["num"]) * _unit_seconds(m["unit"], value, _DURATION_EXAMPLE)
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a finite duration; write e.g. {_DURATION_EXAMPLE}")
    if seconds < 0:
        raise ValueError(f"{value!r} is negative; a duration must be zero or more")
    return Duration(seconds, value.strip())


def parse_rate(value: Any) -> Rate:
    """Parse "0.0095/day", "2 per h", "1e-3/s" into a Rate; a bare number is refused, with an
    example."""
    if isinstance(value, Rate):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"found the bare number {value!r}; a rate needs its unit, "
                f'e.g. "{_example_number(value)}/day" (per {_UNITS_HELP})'
            )
        raise ValueError(
            f"expected a rate written as text with a unit, e.g. {_RATE_EXAMPLE}; found {value!r}"
        )
    m = _RATE_RE.match(value)
    if m is None:
        raise ValueError(
            f'cannot read {value!r} as a rate; write a number, "/" and a time unit, '
            f"e.g. {_RATE_EXAMPLE}"
        )
    per_second = float(m["num"]) / _unit_seconds(m["unit"], value, _RATE_EXAMPLE)
    if not math.isfinite(per_second):
        raise ValueError(f"{value!r} is not a finite rate; write e.g. {_RATE_EXAMPLE}")
    if per_second < 0:
        raise ValueError(f"{value!r} is negative; a rate must be zero or more")
    return Rate(per_second, value.strip())


def format_duration(seconds: float) -> str:
    """Write seconds in the largest unit that keeps the number short: 86400 -> "1d".

    The text always reads back as exactly the same number of seconds (parse_duration), so a
    scenario written out and read again is the same scenario: a unit is used only if the short
    number is exact, else the seconds are written in full.
    """
    for unit in ("d", "h", "min", "s"):
        size = SECONDS_PER[unit]
        if seconds >= size or unit == "s":
            short = f"{seconds / size:g}"
            if float(short) * size == seconds:
                return f"{short}{unit}"
    return f"{float(seconds)!r}s"


def _text(q: Duration | Rate) -> str:
    return q.text


#: Field types for pydantic models: validated from text, written back as the same text.
DurationField = Annotated[
    Duration,
    PlainValidator(parse_duration),
    PlainSerializer(_text, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["90s", "4h", "10d"]}),
]
RateField = Annotated[
    Rate,
    PlainValidator(parse_rate),
    PlainSerializer(_text, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["0.0095/day", "2/h"]}),
]


#: Units times are shown in, from the longest down, with their seconds.
DISPLAY_UNITS: tuple[tuple[str, float], ...] = (
    ("d", 86400.0),
    ("h", 3600.0),
    ("min", 60.0),
    ("s", 1.0),
)
#: A time unit as a figure is followed by it ("11.1 h", "37.5 days").
UNIT_WORDS = {"s": "s", "min": "min", "h": "h", "d": "days"}
#: A time unit spelt out, as an axis or a column names it ("time (hours)").
UNIT_NAMES = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def fit_unit(unit: str, t_end_s: Any) -> str:
    """The scenario's display unit, or a smaller one if the time `t_end_s` is shorter than
    one of it (a six-hour run in days would read "0.0377 days"; a hospital reached after 274 s
    of a run in days reads "4.57 min").

    The terminal, the report and the DataFrame all show a run's times in the unit its end
    gives; a single short time (an arrival) is shown in the unit it gives itself.
    """
    if not isinstance(t_end_s, int | float) or t_end_s <= 0:
        return unit
    names = [u for u, _ in DISPLAY_UNITS]
    if unit not in names:
        return unit
    for name, seconds in DISPLAY_UNITS[names.index(unit) :]:
        if t_end_s >= seconds:
            return name
    return "s"


def format_time(seconds: float | None, unit: str) -> str:
    """A time for people in one display unit: "11.1 h", "37.5 days", "1,250 days"; "never"
    for None."""
    if seconds is None:
        return "never"
    value = seconds / SECONDS_PER.get(unit, 86400.0)
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    word = UNIT_WORDS.get(unit, unit)
    return f"{text} {'day' if word == 'days' and text == '1' else word}"


_PER_UNIT = {"s": "a second", "min": "a minute", "h": "an hour", "d": "a day"}

#: Words for the powers of a thousand from a million on ("1.953 million").
_LARGE = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
#: Below this (and above zero) a figure reads "below 0.001", not "1.822e-05".
SMALLEST_SHOWN = 0.001


def plain_number(value: float, digits: int = 4) -> str:
    """A number for people, never in scientific notation: `digits` significant figures with
    thousands separators ("72,890", "439.6", "0.0123"), from a million on in words ("1.953
    million"), and between zero and 0.001 "below 0.001" (a mean field's last 1.8e-05 of a
    person); whole numbers below a million in full ("123,456")."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    if size == 0.0:
        return "0"
    if size < SMALLEST_SHOWN:
        return f"{'above -' if value < 0 else 'below '}{SMALLEST_SHOWN:g}"
    if value.is_integer() and size < 1e6:
        return f"{value:,.0f}"
    for scale, word in _LARGE:
        if size >= scale * (1 - 0.5 * 10.0 ** (1 - digits)):
            return f"{_significant(value / scale, digits)} {word}"
    return _significant(value, digits)


def _significant(value: float, digits: int) -> str:
    # `digits` significant figures, fixed-point with separators, no trailing zeros.
    if value == 0.0:
        return "0"
    places = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, places)
    if places <= 0:
        return f"{rounded:,.0f}"
    text = f"{rounded:,.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_rate(per_second: float, unit: str) -> str:
    """A rate for people in a display unit: "439.6 a day", "18.3 an hour", "1.953 million a
    day" (plain_number: never "1.953e+06")."""
    value = per_second * SECONDS_PER.get(unit, 86400.0)
    return f"{plain_number(value)} {_PER_UNIT.get(unit, 'per ' + unit)}"

"""Durations and rates with units: what is accepted, in seconds, and what is refused and how."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyosan.scenario.units import (
    SECONDS_PER,
    Duration,
    Rate,
    format_duration,
    parse_duration,
    parse_rate,
)

DAY = 86400.0
YEAR = 365.25 * DAY


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("90 s", 90.0),
        ("1.5sec", 1.5),
        ("1 second", 1.0),
        ("2 seconds", 2.0),
        ("2min", 120.0),
        ("1 minute", 60.0),
        ("3 minutes", 180.0),
        ("4h", 4 * 3600.0),
        ("4 hr", 4 * 3600.0),
        ("1 hour", 3600.0),
        ("0.5 hours", 1800.0),
        ("10d", 10 * DAY),
        ("1 day", DAY),
        ("2.5 days", 2.5 * DAY),
        ("0.01d", 0.01 * DAY),
        ("1w", 7 * DAY),
        ("2 weeks", 14 * DAY),
        ("1y", YEAR),
        ("100 years", 100 * YEAR),
        ("3 DAYS", 3 * DAY),  # units are case-insensitive
        ("  7d  ", 7 * DAY),  # surrounding blanks are ignored
        ("1e3s", 1000.0),
        ("2.5E-1h", 900.0),
        (".5d", 0.5 * DAY),
        ("5.d", 5 * DAY),
        ("+3h", 3 * 3600.0),
        ("0s", 0.0),
        ("0d", 0.0),
    ],
)
def test_parse_duration_accepts(text: str, seconds: float) -> None:
    d = parse_duration(text)
    assert isinstance(d, Duration)
    assert isinstance(d, float)
    assert float(d) == pytest.approx(seconds, rel=1e-15)
    assert d.text == text.strip()


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("0.0095/day", 0.0095 / DAY),
        ("0.0095 / day", 0.0095 / DAY),
        ("0.0095/d", 0.0095 / DAY),
        ("2/h", 2 / 3600.0),
        ("2 per h", 2 / 3600.0),
        ("2 per hour", 2 / 3600.0),
        ("1e-3/s", 1e-3),
        ("1/second", 1.0),
        ("6/min", 0.1),
        ("1/week", 1 / (7 * DAY)),
        ("12/y", 12 / YEAR),
        ("0.5/Day", 0.5 / DAY),
        ("0/day", 0.0),
        ("  0.1/day ", 0.1 / DAY),
    ],
)
def test_parse_rate_accepts(text: str, per_second: float) -> None:
    r = parse_rate(text)
    assert isinstance(r, Rate)
    assert isinstance(r, float)
    assert float(r) == pytest.approx(per_second, rel=1e-15)
    assert r.text == text.strip()


def test_every_unit_spelling_is_a_positive_number_of_seconds() -> None:
    for unit, size in SECONDS_PER.items():
        assert size > 0
        assert parse_duration(f"1{unit}") == size
        assert parse_rate(f"1/{unit}") == pytest.approx(1 / size, rel=1e-15)


def test_parsed_values_pass_through() -> None:
    d = parse_duration("4h")
    r = parse_rate("2/h")
    assert parse_duration(d) is d
    assert parse_rate(r) is r


@pytest.mark.parametrize("value", [10, 0.5, 0, 1e20, 7.0])
def test_duration_bare_number_is_refused_with_an_example(value: float) -> None:
    with pytest.raises(ValueError, match="bare number") as info:
        parse_duration(value)
    msg = str(info.value)
    assert f'"{value!r}d"' in msg or f'"{value}d"' in msg
    assert "unit" in msg


@pytest.mark.parametrize("value", [0.0095, 1, 0, 2.5])
def test_rate_bare_number_is_refused_with_an_example(value: float) -> None:
    with pytest.raises(ValueError, match="bare number") as info:
        parse_rate(value)
    msg = str(info.value)
    assert f'"{value!r}/day"' in msg
    assert "unit" in msg


@pytest.mark.parametrize("value", [-0.1, math.nan, math.inf, -math.inf])
def test_bare_number_examples_are_valid_values(value: float) -> None:
    # The example shown must itself be accepted: never "-0.1/day" or "nan/day".
    with pytest.raises(ValueError, match="bare number") as info:
        parse_rate(value)
    example = str(info.value).split("e.g. ")[1].split('"')[1]
    assert parse_rate(example) >= 0
    with pytest.raises(ValueError, match="bare number") as info:
        parse_duration(value)
    example = str(info.value).split("e.g. ")[1].split('"')[1]
    assert parse_duration(example) >= 0


@pytest.mark.parametrize("value", [True, False, None, [1, "d"], {"value": 1}])
def test_non_text_values_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match=r'e\.g\. "90s"'):
        parse_duration(value)
    with pytest.raises(ValueError, match=r'e\.g\. "0\.0095/day"'):
        parse_rate(value)


@pytest.mark.parametrize("text", ["-1d", "-0.5h", "-1e-9s"])
def test_negative_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="negative; a duration must be zero or more"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["-0.1/day", "-1/s", "-2 per h"])
def test_negative_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="negative; a rate must be zero or more"):
        parse_rate(text)


@pytest.mark.parametrize("text", ["inf d", "infd", "-inf h", "nan s", "NaN d", "1e400d", "1e305y"])
def test_non_finite_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a finite duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["inf/day", "nan/day", "-inf/s", "1e400/day", "Infinity per h"])
def test_non_finite_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r'not a finite rate; write e\.g\. "0\.0095/day"'):
        parse_rate(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("5 fortnights", "unknown time unit 'fortnights'"),
        ("3 moons", "unknown time unit 'moons'"),
        ("10", "cannot read '10' as a duration"),
        ("d", "cannot read 'd' as a duration"),
        ("", "cannot read '' as a duration"),
        ("ten days", "cannot read 'ten days' as a duration"),
        ("10d5h", "cannot read '10d5h' as a duration"),
        ("1/day", "cannot read '1/day' as a duration"),
        ("5 d d", "cannot read '5 d d' as a duration"),
    ],
)
def test_unreadable_duration_says_what_is_allowed(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\.") as info:
        parse_duration(text)
    msg = str(info.value)
    assert fragment in msg
    assert '"90s"' in msg or "s, min, h, d, w, y" in msg


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1/fortnight", "unknown time unit 'fortnight'"),
        ("0.0095", "cannot read '0.0095' as a rate"),
        ("0.0095 day", "cannot read '0.0095 day' as a rate"),
        ("0.0095/", "cannot read '0.0095/' as a rate"),
        ("/day", "cannot read '/day' as a rate"),
        ("fast", "cannot read 'fast' as a rate"),
        ("1/2 days", "cannot read '1/2 days' as a rate"),
    ],
)
def test_unreadable_rate_shows_an_example(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r'e\.g\. "0\.0095/day"') as info:
        parse_rate(text)
    assert fragment in str(info.value)


def test_text_round_trips() -> None:
    for text in ["90s", "4h", "10d", "2.5 days", "0.01d", "1y", "3 minutes"]:
        d = parse_duration(text)
        again = parse_duration(d.text)
        assert again == d
        assert again.text == d.text
    for text in ["0.0095/day", "2 per h", "1e-3/s", "12/y"]:
        r = parse_rate(text)
        again = parse_rate(r.text)
        assert again == r
        assert again.text == r.text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0s"),
        (5.0, "5s"),
        (90.0, "1.5min"),
        (3600.0, "1h"),
        (86400.0, "1d"),
        (2.5 * DAY, "2.5d"),
    ],
)
def test_format_duration_is_short_where_it_can_be(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert Duration(seconds).text == text


@given(st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False))
def test_made_durations_read_back_exactly(seconds: float) -> None:
    # A Duration made from seconds (not from text) is written so that it reads back exactly:
    # a scenario written out and run again must be the same scenario, to the last bit.
    assert float(parse_duration(Duration(seconds).text)) == seconds


@given(st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False))
def test_made_rates_read_back_exactly(per_second: float) -> None:
    assert float(parse_rate(Rate(per_second).text)) == per_second


def test_repr_shows_the_text() -> None:
    assert repr(parse_duration("4h")) == "Duration('4h')"
    assert repr(parse_rate("0.0095/day")) == "Rate('0.0095/day')"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_keeps_value_type_and_text(protocol: int) -> None:
    for q in [parse_duration("2.5 days"), parse_rate("0.0095/day"), Duration(12.5), Rate(0.25)]:
        back = pickle.loads(pickle.dumps(q, protocol=protocol))
        assert type(back) is type(q)
        assert float(back) == float(q)
        assert back.text == q.text


def test_quantities_are_plain_floats_in_arithmetic() -> None:
    d = parse_duration("2h")
    r = parse_rate("3/h")
    assert d * r == pytest.approx(6.0)
    assert d / 2 == 3600.0
    assert d + 0.0 == 7200.0
    assert math.isclose(float(r), 3 / 3600)


def test_one_day_is_singular() -> None:
    from hyosan.scenario.units import format_time

    assert format_time(86_400.0, "d") == "1 day"
    assert format_time(2 * 86_400.0, "d") == "2 days"
    assert format_time(1.5 * 86_400.0, "d") == "1.5 days"
    assert format_time(3_600.0, "h") == "1 h"


def test_a_mean_fields_rounding_is_shown_as_zero() -> None:
    from hyosan.results.interventions import fmt_count

    assert fmt_count(-8.119e-19) == "0"
    assert fmt_count(4.4e-16) == "0"
    assert fmt_count(3.2e-5) == "below 0.001"
    assert fmt_count(1234.0) == "1,234"

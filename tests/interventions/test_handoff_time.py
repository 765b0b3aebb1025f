"""The school run of a handoff ends at the handoff: its record spacing fits in that time.

A spacing longer than the horizon is refused (it records only the start and the end); a
handoff sooner than the school's spacing must still run the school, as it did.
"""

from __future__ import annotations

from hyosan.interventions.handoff import school_scenario
from hyosan.scenario.load import load_scenario


def test_a_handoff_sooner_than_the_schools_spacing_records_its_start_and_the_handoff() -> None:
    city = load_scenario("hyosan-city", ['handoff.at="1min"'])
    school = school_scenario(city)
    assert school.time.output_every is not None
    assert (school.time.horizon.text, school.time.output_every.text) == ("1min", "1min")
    assert school.time.output_times() == [0.0, 60.0]


def test_a_later_handoff_keeps_the_schools_spacing() -> None:
    school = school_scenario(load_scenario("hyosan-city"))
    assert school.time.output_every is not None
    assert (school.time.horizon.text, school.time.output_every.text) == ("6h", "2min")


def test_until_overrun_hands_over_at_the_schools_own_overrun() -> None:
    """`until = "overrun"` stops the school at the overrun its own summary reports (it stopped
    at a level of its own, which counted those who got out as lost, and came earlier)."""
    import hyosan

    school = school_scenario(load_scenario("hyosan-city"))
    assert [(t.name, t.of, t.stop) for t in school.thresholds][-1] == (
        "handoff_overrun",
        "overrun",
        True,
    )
    run = hyosan.simulate(school, seed=1)
    summary = run.summary()
    assert summary["t_overrun_s"] is not None
    assert summary["stopped_by"] == "handoff_overrun"
    assert summary["crossings_s"]["handoff_overrun"] == summary["t_overrun_s"]
    assert float(run.times[-1]) == summary["t_overrun_s"]

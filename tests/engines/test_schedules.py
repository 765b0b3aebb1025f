"""Rate schedules: a reaction's rate times a factor that varies in time (scenario/schedule.py).

A pure death process Z -> with rate k·f(t) has the closed form E[Z(t)] = Z0·exp(-k F(t)),
F(t) = ∫0^t f, and Z(t) binomial(Z0, exp(-k F(t))) in the Markov chain. ode must match the
mean to its tolerance; ssa (both kernels) and tau must match it to a tolerance derived from
the binomial variance and the run count.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hyosan.cli import main
from hyosan.engines import get_engine
from hyosan.engines.ssa import SsaEngine
from hyosan.scenario.load import parse_scenario

Z0 = 400
K_PER_H = 0.1
#: Steps: 0.2 from midnight, 1 from 8h, 0.5 from 22h, every day.
STEPS = '{ at = ["0h", "8h", "22h"], factor = [0.2, 1, 0.5], repeat = "1d" }'
SINE = '{ kind = "sinusoid", mean = 1, amplitude = 0.5, period = "1d", peak = "14h" }'

DEATH = """
name = "death"
engine = "ode"
[model.compartments]
Z = "zombie"
[model.parameters]
decay = "{k}/h"
[[model.reactions]]
name = "decay"
equation = "Z ->"
rate = "decay"
{schedule}
[initial]
Z = {z0}
[time]
horizon = "3d"
output_every = "1h"
"""


def death(schedule: str | None, engine: str = "ode") -> object:
    """The pure death scenario with `schedule` on its one reaction (None: no schedule)."""
    line = "" if schedule is None else f"schedule = {schedule}"
    text = DEATH.format(k=K_PER_H, schedule=line, z0=Z0).replace('"ode"', f'"{engine}"')
    return parse_scenario(text, "death.toml", [])


def steps_integral(t: np.ndarray) -> np.ndarray:
    """F(t) of STEPS in hours, by whole days and the day's part (exact)."""
    hours = np.asarray(t) / 3600.0
    day = 8 * 0.2 + 14 * 1.0 + 2 * 0.5
    h = np.mod(hours, 24.0)
    part = 0.2 * np.minimum(h, 8) + np.clip(h - 8, 0, 14) + 0.5 * np.clip(h - 22, 0, 2)
    return np.floor(hours / 24.0) * day + part


def sine_integral(t: np.ndarray) -> np.ndarray:
    """F(t) of SINE in hours (exact)."""
    hours = np.asarray(t) / 3600.0
    w = 2 * math.pi / 24.0
    return hours + 0.5 / w * (np.sin(w * (hours - 14)) - math.sin(w * -14))


def test_ode_follows_steps_and_sinusoids_exactly() -> None:
    for schedule, integral in [(STEPS, steps_integral), (SINE, sine_integral)]:
        result = get_engine("ode").run(death(schedule))
        exact = Z0 * np.exp(-K_PER_H * integral(result.times))
        np.testing.assert_allclose(result.series("Z"), exact, rtol=1e-7)
        # The reaction's counter is the expected number of deaths.
        assert result.reaction_counts is not None
        np.testing.assert_allclose(result.reaction_counts[-1, 0], Z0 - exact[-1], rtol=1e-7)


@pytest.mark.parametrize(
    ("engine", "kind"),
    [
        ("ssa", "steps"),
        ("ssa-general", "steps"),
        ("tau", "steps"),
        ("ssa", "sine"),
        ("tau", "sine"),
    ],
)
def test_stochastic_mean_matches_the_closed_form(engine: str, kind: str) -> None:
    # Steps: pieces at constant rates (exact for ssa). Sinusoid: ssa thins (exact); tau holds
    # the cell average, whose integral over each cell is exact, so its bias at whole cells is
    # tau's own (far below these tolerances for a first-order reaction).
    runs = 300
    chosen = SsaEngine(well_mixed=False) if engine == "ssa-general" else get_engine(engine)
    schedule, integral = (STEPS, steps_integral) if kind == "steps" else (SINE, sine_integral)
    scenario = death(schedule, "tau" if engine == "tau" else "ssa")
    paths = np.array([chosen.run(scenario, seed=s).series("Z") for s in range(runs)])
    times = np.asarray(scenario.time.output_times())
    p = np.exp(-K_PER_H * integral(times))
    mean, sd = Z0 * p, np.sqrt(Z0 * p * (1 - p) / runs)
    # At 8h, 22h, 32h and 72h (at and after jumps): 4 standard errors each, so that a correct
    # engine fails this with probability about 4 × 6e-5.
    for hour in (8, 22, 32, 72):
        i = int(np.searchsorted(times, hour * 3600.0))
        z = abs(paths[:, i].mean() - mean[i]) / sd[i]
        assert z < 4.0, (engine, hour, paths[:, i].mean(), mean[i], sd[i])
        # The spread too (the law, not only the mean): the sample variance over the binomial
        # one, whose relative standard error is about sqrt(2 / runs) for a near-normal count.
        ratio = paths[:, i].var(ddof=1) / (Z0 * p[i] * (1 - p[i]))
        assert abs(ratio - 1.0) < 4.0 * math.sqrt(2.0 / runs), (engine, hour, ratio)


def test_a_factor_of_one_everywhere_changes_no_number() -> None:
    ones = '{ at = ["0h", "6h"], factor = [1, 1], repeat = "1d" }'
    for engine in ("ode", "ssa", "tau"):
        plain = get_engine(engine).run(death(None, engine), seed=7)
        scheduled = get_engine(engine).run(death(ones, engine), seed=7)
        np.testing.assert_array_equal(plain.series("Z"), scheduled.series("Z"))


def test_scheduled_rate_differs_from_none() -> None:
    # The schedule is not ignored: the same seed gives a different ssa path.
    plain = get_engine("ssa").run(death(None, "ssa"), seed=3)
    scheduled = get_engine("ssa").run(death(STEPS, "ssa"), seed=3)
    assert not np.array_equal(plain.series("Z"), scheduled.series("Z"))


def test_ssa_refuses_a_sinusoid_off_the_well_mixed_kernel() -> None:
    from hyosan.errors import UnsupportedFeatureError

    with pytest.raises(UnsupportedFeatureError, match=r"model\.schedule\.sinusoid"):
        SsaEngine(well_mixed=False).run(death(SINE, "ssa"))


def test_thinning_leaves_the_rejected_events_uncounted() -> None:
    # A death process: every counted event removes one zombie, whatever was thinned away.
    result = get_engine("ssa").run(death(SINE, "ssa"), seed=5)
    assert result.diagnostics["events"] == Z0 - int(result.series("Z")[-1])


def test_fit_kernel_matches_the_engine_with_steps() -> None:
    from hyosan.fit.data import Observations
    from hyosan.fit.problem import FitProblem

    scenario = death(STEPS)
    times = np.arange(1.0, 73.0) * 3600.0
    data = Observations(times, ("Z",), np.zeros((times.size, 1)), (False,))
    problem = FitProblem(scenario, "", "death", (), "ode", (), data, "poisson")
    assert problem.compiled
    mu = problem.mean_path(np.array([]))[:, 0]
    exact = Z0 * np.exp(-K_PER_H * steps_integral(times))
    np.testing.assert_allclose(mu, exact, rtol=1e-6)


BAD = [
    ('{ at = ["0h", "8h"], factor = [1, -0.5], repeat = "1d" }', "factor[1]"),
    ('{ at = ["0h", "8h"], factor = [1], repeat = "1d" }', "one factor per time"),
    ('{ at = ["0h", "9h", "8h"], factor = [1, 2, 1], repeat = "1d" }', "at must increase"),
    ('{ at = ["0h", "25h"], factor = [1, 2], repeat = "1d" }', "within repeat"),
    ('{ at = ["2h", "8h"], factor = [1, 2] }', "without repeat"),
    ('{ at = ["0h", 8], factor = [1, 2], repeat = "1d" }', "bare number"),
    ('{ kind = "sinusoid", amplitude = 2, period = "1d" }', "amplitude"),
    ('{ kind = "sinusoid", amplitude = 0.5, period = "0h" }', "period"),
    ('{ kind = "wave", amplitude = 0.5 }', "sinusoid"),
    ('{ at = ["0h"], factor = [1], repeat = "1s" }', "at most"),
]


@pytest.mark.parametrize(("schedule", "says"), BAD)
def test_bad_schedules_exit_2_naming_the_field(
    schedule: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DEATH.format(k=K_PER_H, schedule=f"schedule = {schedule}", z0=Z0)
    text = text.replace('horizon = "3d"', 'horizon = "100d"')
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err
    assert "schedule" in err or "model.reactions" in err
    assert says in err
    assert "Traceback" not in err


SWEEP = """
name = "sweep"
engine = "ode"
model = "munz-szr"
[parameters]
bite_rate = "0.0095/day"
[initial]
S = 500
Z = 5
[time]
horizon = "6d"
output_every = "0.25d"
[[interventions]]
kind = "sweep"
start = "1d"
end = "3d"
kill = "0.5/day"
"""


def _doubled_bite(scenario: object, how: str) -> object:
    # The bite rate doubled, by a schedule factor of 2 from the start or by the parameter.
    if how == "parameter":
        return scenario.evolve(parameters={**dict(scenario.parameters), "bite_rate": "0.019/day"})
    model = scenario.model.model_dump(mode="json")
    for r in model["reactions"]:
        if r["name"] == "bite":
            r["schedule"] = {"at": ["0h"], "factor": [2.0]}
    return scenario.evolve(model=model)


@pytest.mark.parametrize("engine", ["ode", "ssa", "tau"])
def test_schedule_factors_outlive_intervention_changes(engine: str) -> None:
    # Interventions reset the rates at each change (here at 1 and 3 days); the schedule's
    # factor must be applied again each time: a constant factor of 2 gives exactly the run of
    # the doubled parameter.
    scenario = parse_scenario(SWEEP.replace('"ode"', f'"{engine}"'), "sweep.toml", [])
    a = get_engine(engine).run(_doubled_bite(scenario, "schedule"), seed=3)
    b = get_engine(engine).run(_doubled_bite(scenario, "parameter"), seed=3)
    np.testing.assert_array_equal(a.counts, b.counts)
    plain = get_engine(engine).run(scenario, seed=3)
    assert not np.array_equal(a.counts, plain.counts)


@pytest.mark.parametrize("engine", ["ssa", "tau"])
def test_schedule_factors_on_a_world_with_cross_edge_reactions(engine: str) -> None:
    # The response tutorial's world (cross-edge bites, a cordon, a curfew, a sweep, an
    # evacuation) over two days: a bite factor of 2 acts on the bites within places and
    # across edges alike, as the doubled parameter does.
    from hyosan.scenario.load import load_scenario

    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(str(root / "docs/snippets/my-response.toml"))
    scenario = scenario.evolve(engine=engine, time={"horizon": "2d", "output_every": "0.1d"})
    a = get_engine(engine).run(_doubled_bite(scenario, "schedule"), seed=3)
    doubled = scenario.evolve(parameters={**dict(scenario.parameters), "bite_rate": "6/day"})
    b = get_engine(engine).run(doubled, seed=3)
    np.testing.assert_array_equal(a.counts, b.counts)


def test_a_scheduled_sir_takes_r_t_from_its_reactions() -> None:
    # The renewal chain assumes constant rates; with a schedule R_t comes from the counts.
    from hyosan.scenario.load import load_scenario

    sir = load_scenario("sir")
    assert get_engine("ode").run(sir).summary()["epidemic"]["R_t_method"] == "renewal"
    model = sir.model.model_dump(mode="json")
    model["reactions"][0]["schedule"] = {"at": ["0h", "12h"], "factor": [0.5, 1.5], "repeat": "1d"}
    result = get_engine("ode").run(sir.evolve(model=model))
    assert result.summary()["epidemic"]["R_t_method"] != "renewal"
